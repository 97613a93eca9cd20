/* The benchmark program still runs end to end (a short run; the figures are not judged). */
#include <stdio.h>
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
    /* every request of the short run succeeded */
    ZT_CHECK(strstr(out, " 0 errors") != NULL);
    ZT_CHECK(strstr(out, "     0 errors") != NULL);
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
