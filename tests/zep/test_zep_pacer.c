/* The pure GCRA step and the in-process pacer of zs_zep (no I/O, no sleeping). */
#include "zep/zs_zep.h"
#include "zs_test.h"

static void test_gcra_burst_then_spacing(void)
{
    long long tat = 0;
    /* 10 per 1000 ms = one per 100 ms, burst 3 */
    for (int i = 0; i < 3; i++)
        ZT_EQ_INT(zs_zep_gcra(&tat, 5000, 10, 1000, 3), 0);
    ZT_EQ_INT(zs_zep_gcra(&tat, 5000, 10, 1000, 3), 100);
    ZT_EQ_INT(zs_zep_gcra(&tat, 5060, 10, 1000, 3), 40); /* refused calls take nothing */
    ZT_EQ_INT(zs_zep_gcra(&tat, 5100, 10, 1000, 3), 0);
    ZT_EQ_INT(zs_zep_gcra(&tat, 5100, 10, 1000, 3), 100);
    /* after a long pause the full burst is back, not more */
    int granted = 0;
    while (zs_zep_gcra(&tat, 60000, 10, 1000, 3) == 0)
        granted++;
    ZT_EQ_INT(granted, 3);
    ZT_EQ_INT(zs_zep_gcra(&tat, 0, 0, 1000, 1), -1);
}

static void test_default_budget_is_below_zep_limit(void)
{
    /* whatever the arrival pattern, 5 minutes never see more than rate + burst requests */
    long long tat = 0;
    long sent = 0;
    for (long long t = 0; t < ZS_ZEP_PACE_PERIOD_MS; t += 7)
        while (zs_zep_gcra(&tat, t, ZS_ZEP_PACE_RATE, ZS_ZEP_PACE_PERIOD_MS, ZS_ZEP_PACE_BURST) == 0)
            sent++;
    ZT_CHECK(sent <= ZS_ZEP_PACE_RATE + ZS_ZEP_PACE_BURST);
    ZT_CHECK(sent < 1000);
    ZT_CHECK(sent >= ZS_ZEP_PACE_RATE - 1);
}

static void test_local_pacer_blocked(void)
{
    zs_err err = {{0}};
    zs_zep_local_pacer *p = zs_zep_local_pacer_new(1000, 1000, 5, &err);
    ZT_CHECK(p != NULL);
    zs_zep_pacer i = zs_zep_local_pacer_iface(p);
    ZT_EQ_INT(i.acquire(i.ctx, "t", &err), 0);
    i.blocked(i.ctx, "t", 60000);
    long w = i.acquire(i.ctx, "t", &err);
    ZT_CHECK(w > 59000 && w <= 60000);
    zs_zep_local_pacer_free(p);
    ZT_CHECK(zs_zep_local_pacer_new(0, 1000, 1, &err) == NULL);
    ZT_CONTAINS(err.msg, "must be >= 1");
}

int main(void)
{
    ZT_RUN(test_gcra_burst_then_spacing);
    ZT_RUN(test_default_budget_is_below_zep_limit);
    ZT_RUN(test_local_pacer_blocked);
    return zt_summary();
}
