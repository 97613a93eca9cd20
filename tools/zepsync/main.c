/* zepsync: the operator CLI. One binary, one subcommand per task; see zepsync_cmd.h. */
#include "zepsync_cmd.h"

#include <stdio.h>
#include <string.h>

static const zepsync_cmd commands[] = {
    {"breaks", "evaluate the break rules for one employee-day (JSON on stdin, JSON on stdout)",
     zepsync_cmd_breaks, zepsync_cmd_breaks_help},
    {"tenants", "load the tenants directory: list its tenants (never a secret) and its bad files",
     zepsync_cmd_tenants, zepsync_cmd_tenants_help},
};

#define NCOMMANDS (sizeof commands / sizeof *commands)

static void usage(FILE *out)
{
    fprintf(out, "usage: zepsync <command> [options]\n"
                 "       zepsync help <command>\n\n"
                 "zepsync keeps Personio and ZEP in sync; this is its operator tool.\n\ncommands:\n");
    for (size_t i = 0; i < NCOMMANDS; i++)
        fprintf(out, "  %-10s %s\n", commands[i].name, commands[i].summary);
    fprintf(out, "\nRun `zepsync <command> --help` for a command's options.\n");
}

static const zepsync_cmd *find(const char *name)
{
    for (size_t i = 0; i < NCOMMANDS; i++)
        if (strcmp(commands[i].name, name) == 0)
            return &commands[i];
    return NULL;
}

int main(int argc, char **argv)
{
    if (argc < 2) {
        usage(stderr);
        return 2;
    }
    const char *name = argv[1];
    if (strcmp(name, "--help") == 0 || strcmp(name, "-h") == 0 || strcmp(name, "help") == 0) {
        if (strcmp(name, "help") == 0 && argc > 2) {
            const zepsync_cmd *c = find(argv[2]);
            if (!c) {
                fprintf(stderr, "zepsync: unknown command \"%s\"\n", argv[2]);
                return 2;
            }
            c->help();
            return 0;
        }
        usage(stdout);
        return 0;
    }
    const zepsync_cmd *c = find(name);
    if (!c) {
        fprintf(stderr, "zepsync: unknown command \"%s\"\n\n", name);
        usage(stderr);
        return 2;
    }
    return c->run(argc - 1, argv + 1);
}
