/*
 * The subcommands of the operator CLI. Each lives in its own cmd_<name>.c and is listed once in
 * the table in main.c. A command gets argv starting at its own name and returns the process exit
 * status: 0 done, 1 failed (runtime), 2 bad usage or bad input.
 */
#ifndef ZEPSYNC_CMD_H
#define ZEPSYNC_CMD_H

typedef struct zepsync_cmd {
    const char *name;
    const char *summary; /* one line for `zepsync --help` */
    int (*run)(int argc, char **argv);
    void (*help)(void); /* full usage on stdout */
} zepsync_cmd;

int zepsync_cmd_breaks(int argc, char **argv);
void zepsync_cmd_breaks_help(void);
int zepsync_cmd_tenants(int argc, char **argv);
void zepsync_cmd_tenants_help(void);

#endif
