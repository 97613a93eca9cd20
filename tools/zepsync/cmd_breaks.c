/* zepsync breaks: the break-rule engine on JSON stdin/stdout, for "what would be sent for this day". */
#include "breaks/zs_breaks.h"
#include "zepsync_cmd.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

void zepsync_cmd_breaks_help(void)
{
    printf("usage: zepsync breaks [--input FILE] < request.json\n\n"
           "Reads one employee-day as JSON and prints the attendances, the Personio v2 periods and the\n"
           "compliance warnings the break-rule engine computes for it.\n\n"
           "request (only \"bookings\" is required; defaults shown):\n"
           "  {\"timezone\":\"Europe/Berlin\", \"rules\":\"DE\"|\"DE_MINOR\"|\"AT\"|\"CH\"|\"custom\",\n"
           "   \"mode\":\"daily\"|\"individual\", \"deduction\":\"floating\"|\"none\"|\"full\",\n"
           "   \"cap\":\"warn\"|\"truncate\", \"prev_last_end\":\"YYYY-MM-DDTHH:MM\", \"holiday\":false,\n"
           "   \"custom\":{\"tiers\":[[360,30],[540,45]], \"min_block\":15, \"max_consecutive\":360,\n"
           "             \"regular_daily\":480, \"max_daily\":600, \"min_rest\":660},\n"
           "   \"bookings\":[{\"id\":\"b1\", \"start\":\"2025-06-02T08:00\", \"end\":\"2025-06-02T14:01\",\n"
           "                 \"project\":\"P1\"}]}\n"
           "Times are local wall-clock; \"+02:00\" picks one side of an ambiguous hour; T24:00 is the\n"
           "next day's 00:00.\n\n"
           "options:\n"
           "  --input FILE  read the request from FILE instead of stdin\n"
           "  --help        this text\n\n"
           "exit status: 0 evaluated, 2 bad input (message on stderr), 1 other failure\n");
}

static char *read_all(FILE *f, size_t max, size_t *len)
{
    size_t cap = 65536, n = 0;
    char *buf = malloc(cap + 1);
    if (!buf)
        return NULL;
    for (;;) {
        size_t got = fread(buf + n, 1, cap - n, f);
        n += got;
        if (n > max)
            break;
        if (n < cap) {
            if (ferror(f)) {
                free(buf);
                return NULL;
            }
            if (feof(f))
                break;
            continue;
        }
        char *nb = realloc(buf, cap * 2 + 1);
        if (!nb) {
            free(buf);
            return NULL;
        }
        buf = nb;
        cap *= 2;
    }
    buf[n] = '\0';
    *len = n;
    return buf;
}

int zepsync_cmd_breaks(int argc, char **argv)
{
    const char *path = NULL;
    for (int i = 1; i < argc; i++) {
        if (strcmp(argv[i], "--help") == 0 || strcmp(argv[i], "-h") == 0) {
            zepsync_cmd_breaks_help();
            return 0;
        } else if (strcmp(argv[i], "--input") == 0 && i + 1 < argc) {
            path = argv[++i];
        } else {
            fprintf(stderr, "zepsync breaks: unknown option \"%s\" (see --help)\n", argv[i]);
            return 2;
        }
    }
    FILE *in = stdin;
    if (path && !(in = fopen(path, "rb"))) {
        fprintf(stderr, "zepsync breaks: cannot open %s\n", path);
        return 2;
    }
    enum { MAX = 16 << 20 };
    size_t len = 0;
    char *req = read_all(in, MAX, &len);
    if (in != stdin)
        fclose(in);
    if (!req) {
        fprintf(stderr, "zepsync breaks: cannot read the request\n");
        return 1;
    }
    zs_tz_db *db = zs_tz_db_new(NULL);
    if (!db) {
        free(req);
        fprintf(stderr, "zepsync breaks: out of memory\n");
        return 1;
    }
    char *out = NULL;
    zs_err err;
    zs_err_clear(&err);
    zs_rc rc = zs_breaks_json_eval(req, len, db, &out, &err);
    free(req);
    zs_tz_db_free(db);
    if (rc != ZS_OK) {
        fprintf(stderr, "zepsync breaks: %s\n", err.msg);
        return rc == ZS_ERR_FAILED ? 2 : 1;
    }
    int bad = fputs(out, stdout) == EOF || fflush(stdout) != 0;
    free(out);
    if (bad) {
        fprintf(stderr, "zepsync breaks: cannot write the response\n");
        return 1;
    }
    return 0;
}
