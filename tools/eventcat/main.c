/*
 * zepsync-eventcat: checks zepsync events, one JSON document per line, with the event codec.
 *
 * For operators holding a dump of a topic (kcat -e -C -t booking-recorded > dump.jsonl) or a
 * file a producer wrote: every line gets a verdict, so a bad event can be found by its line.
 */
#include "codec/zs_codec.h"

#include <errno.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static void usage(FILE *f)
{
    fprintf(f,
            "usage: zepsync-eventcat [options] [FILE...]\n"
            "\n"
            "Reads zepsync events as JSON lines from the files (or stdin, or '-') and validates\n"
            "each with the event codec (CloudEvents envelope, type, every field of data). Prints\n"
            "one line per event:\n"
            "  <file>:<line>: ok <type> id=<id> key=<tenant>:<employee>\n"
            "  <file>:<line>: error: <reason naming the field>\n"
            "Blank lines are skipped. A summary goes to stderr.\n"
            "\n"
            "options:\n"
            "  --max-bytes N   largest event accepted (default %u, the codec's default)\n"
            "  --strict-ids    an id that is not the deterministic UUIDv5 of the event is an error\n"
            "  -q, --quiet     print only the errors\n"
            "  -h, --help      this text\n"
            "\n"
            "exit status: 0 all events valid, 1 at least one invalid, 2 usage or read error\n",
            ZS_CODEC_DEFAULT_MAX_BYTES);
}

typedef struct opts {
    size_t max_bytes;
    int strict_ids;
    int quiet;
} opts;

typedef struct counts {
    unsigned long ok, bad;
} counts;

static int blank(const char *s, size_t n)
{
    for (size_t i = 0; i < n; i++)
        if (s[i] != ' ' && s[i] != '\t' && s[i] != '\r')
            return 0;
    return 1;
}

static void check_line(const char *name, unsigned long lineno, const char *line, size_t len,
                       const opts *o, counts *c)
{
    zs_event ev;
    zs_err err = {{0}};
    if (zs_codec_parse(line, len, o->max_bytes, &ev, &err) != ZS_OK) {
        printf("%s:%lu: error: %s\n", name, lineno, err.msg);
        c->bad++;
        return;
    }
    char key[600], id[ZS_CODEC_UUID_LEN + 1];
    zs_rc rc = zs_codec_key(ev.tenant, zs_codec_employee(&ev), key, sizeof key, &err);
    if (rc == ZS_OK && o->strict_ids) {
        rc = zs_codec_event_id_of(&ev, id, &err);
        if (rc == ZS_OK && strcmp(id, ev.id) != 0)
            rc = zs_err_set(&err, ZS_ERR_FAILED, "/id: %s is not the deterministic id %s", ev.id, id);
    }
    if (rc != ZS_OK) {
        printf("%s:%lu: error: %s\n", name, lineno, err.msg);
        c->bad++;
    } else {
        if (!o->quiet)
            printf("%s:%lu: ok %s id=%s key=%s\n", name, lineno, zs_codec_type_name(ev.kind), ev.id,
                   key);
        c->ok++;
    }
    zs_event_release(&ev);
}

/* Returns 0, or -1 after printing why the stream could not be read. */
static int check_stream(FILE *f, const char *name, const opts *o, counts *c)
{
    char *line = NULL;
    size_t cap = 0;
    unsigned long lineno = 0;
    ssize_t n;
    errno = 0;
    while ((n = getline(&line, &cap, f)) >= 0) {
        lineno++;
        size_t len = (size_t)n;
        if (len && line[len - 1] == '\n')
            len--;
        if (!blank(line, len))
            check_line(name, lineno, line, len, o, c);
        errno = 0;
    }
    int failed = ferror(f) || (errno != 0 && errno != EINVAL);
    if (failed)
        fprintf(stderr, "zepsync-eventcat: %s: read failed after line %lu: %s\n", name, lineno,
                strerror(errno ? errno : EIO));
    free(line);
    return failed ? -1 : 0;
}

int main(int argc, char **argv)
{
    opts o = {.max_bytes = ZS_CODEC_DEFAULT_MAX_BYTES};
    static const struct option longopts[] = {
        {"max-bytes", required_argument, NULL, 'm'},
        {"strict-ids", no_argument, NULL, 's'},
        {"quiet", no_argument, NULL, 'q'},
        {"help", no_argument, NULL, 'h'},
        {NULL, 0, NULL, 0},
    };
    int ch;
    while ((ch = getopt_long(argc, argv, "qh", longopts, NULL)) != -1) {
        switch (ch) {
        case 'm': {
            char *end;
            errno = 0;
            unsigned long long v = strtoull(optarg, &end, 10);
            if (errno || *end || end == optarg || v == 0 || v > (1ull << 30)) {
                fprintf(stderr, "zepsync-eventcat: --max-bytes wants a number from 1 to %llu\n",
                        1ull << 30);
                return 2;
            }
            o.max_bytes = (size_t)v;
            break;
        }
        case 's': o.strict_ids = 1; break;
        case 'q': o.quiet = 1; break;
        case 'h': usage(stdout); return 0;
        default: usage(stderr); return 2;
        }
    }
    counts c = {0, 0};
    int io_error = 0;
    if (optind == argc) {
        io_error |= check_stream(stdin, "-", &o, &c) < 0;
    }
    for (int i = optind; i < argc; i++) {
        if (strcmp(argv[i], "-") == 0) {
            io_error |= check_stream(stdin, "-", &o, &c) < 0;
            continue;
        }
        FILE *f = fopen(argv[i], "r");
        if (!f) {
            fprintf(stderr, "zepsync-eventcat: %s: %s\n", argv[i], strerror(errno));
            io_error = 1;
            continue;
        }
        io_error |= check_stream(f, argv[i], &o, &c) < 0;
        fclose(f);
    }
    if (fflush(stdout) != 0) {
        fprintf(stderr, "zepsync-eventcat: writing the report failed: %s\n", strerror(errno));
        return 2;
    }
    fprintf(stderr, "zepsync-eventcat: %lu events, %lu ok, %lu invalid\n", c.ok + c.bad, c.ok, c.bad);
    if (io_error)
        return 2;
    return c.bad ? 1 : 0;
}
