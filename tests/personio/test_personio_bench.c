/* The benchmark program still runs end to end (a short run; the figures are not judged). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "zs_test.h"

static void test_bench_runs_and_reports_both_figures(void)
{
    char cmd[1024], out[4096];
    snprintf(cmd, sizeof cmd, "%s --seconds 0.3 --threads 2 --persons 20 2>&1", zt_bin("zepsync-bench-personio"));
    ZT_EQ_INT(zt_sh(cmd, out, sizeof out), 0);
    ZT_CONTAINS(out, "GET  /v2/persons");
    ZT_CONTAINS(out, "POST /v2/attendance-periods");
    ZT_CONTAINS(out, "req/s");
    /* every request of the short run succeeded: each figure line says 0 errors and some ok */
    int lines = 0;
    for (const char *l = out; l && *l; l = strchr(l, '\n') ? strchr(l, '\n') + 1 : NULL) {
        if (strncmp(l, "GET  /v2/persons", 16) != 0 && strncmp(l, "POST /v2/attendance-periods", 27) != 0)
            continue;
        lines++;
        long ok = -1, errors = -1;
        const char *o = strstr(l, " ok ");
        const char *e = strstr(l, " errors");
        const char *eol = strchr(l, '\n');
        ZT_CHECK(o && e && (!eol || e < eol));
        if (o && e) {
            const char *p = o;
            while (p > l && p[-1] >= '0' && p[-1] <= '9')
                p--;
            ok = strtol(p, NULL, 10);
            errors = strtol(o + 4, NULL, 10);
        }
        ZT_CHECK(ok > 0);
        ZT_EQ_INT(errors, 0);
    }
    ZT_EQ_INT(lines, 2);
    printf("%s", out);
}

static void test_bench_help(void)
{
    char cmd[1024], out[2048];
    snprintf(cmd, sizeof cmd, "%s --help", zt_bin("zepsync-bench-personio"));
    ZT_EQ_INT(zt_sh(cmd, out, sizeof out), 0);
    ZT_CONTAINS(out, "usage: zepsync-bench-personio");
    snprintf(cmd, sizeof cmd, "%s --bogus 1 2>&1", zt_bin("zepsync-bench-personio"));
    ZT_EQ_INT(zt_sh(cmd, out, sizeof out), 2);
}

int main(void)
{
    ZT_RUN(test_bench_runs_and_reports_both_figures);
    ZT_RUN(test_bench_help);
    return zt_summary();
}
