/*
 * The TZif reader on its own: a synthetic "slim" file (no transitions, only the POSIX footer) must
 * give the same offsets as the system's full file, for both hemispheres; damaged files must be
 * refused, never crash; local-time resolution at the edges of the gap and the fold.
 */
#include "breaks/zs_breaks.h"
#include "zs_test.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

static zs_tz_db *db;

static void put32(unsigned char *p, uint32_t v)
{
    p[0] = (unsigned char)(v >> 24);
    p[1] = (unsigned char)(v >> 16);
    p[2] = (unsigned char)(v >> 8);
    p[3] = (unsigned char)v;
}

/* A v2 TZif with one local time type and no transitions, so every answer comes from the footer. */
static size_t slim_tzif(unsigned char *buf, int32_t std_off, const char *footer)
{
    size_t n = 0;
    for (int part = 0; part < 2; part++) {
        memset(buf + n, 0, 44);
        memcpy(buf + n, "TZif2", 5);
        put32(buf + n + 36, 1); /* typecnt */
        put32(buf + n + 40, 4); /* charcnt */
        n += 44;
        put32(buf + n, (uint32_t)std_off);
        buf[n + 4] = 0;
        buf[n + 5] = 0;
        n += 6;
        memcpy(buf + n, "STD", 4);
        n += 4;
    }
    buf[n++] = '\n';
    memcpy(buf + n, footer, strlen(footer));
    n += strlen(footer);
    buf[n++] = '\n';
    return n;
}

static void compare_with_system(const char *zone, int32_t std_off, const char *footer)
{
    unsigned char buf[256];
    size_t len = slim_tzif(buf, std_off, footer);
    zs_tz *slim = NULL;
    zs_err err;
    ZT_EQ_INT(zs_tz_parse(zone, buf, len, &slim, &err), ZS_OK);
    const zs_tz *full;
    ZT_EQ_INT(zs_tz_db_get(db, zone, &full, &err), ZS_OK);
    if (!slim || !full) {
        zs_tz_free(slim);
        return;
    }
    int bad = 0;
    /* every 15 minutes through 2024-2027: every switch and both sides of it */
    for (int64_t t = 1704067200; t < 1830297600; t += 900) {
        zt_checks++;
        if (zs_tz_offset(slim, t) != zs_tz_offset(full, t) && bad++ < 3)
            zt_fail(__FILE__, __LINE__, "%s at %lld: footer %d, table %d", zone, (long long)t, zs_tz_offset(slim, t),
                    zs_tz_offset(full, t));
    }
    zs_tz_free(slim);
}

static void test_footer_matches_table(void)
{
    compare_with_system("Europe/Berlin", 3600, "CET-1CEST,M3.5.0,M10.5.0/3");
    compare_with_system("Europe/Zurich", 3600, "CET-1CEST,M3.5.0,M10.5.0/3");
    compare_with_system("Australia/Sydney", 36000, "AEST-10AEDT,M10.1.0,M4.1.0/3");
    compare_with_system("America/New_York", -18000, "EST5EDT,M3.2.0,M11.1.0");
    compare_with_system("Asia/Kolkata", 19800, "IST-5:30");
}

static void test_damaged_files(void)
{
    unsigned char buf[256];
    size_t len = slim_tzif(buf, 3600, "CET-1CEST,M3.5.0,M10.5.0/3");
    zs_tz *tz = NULL;
    for (size_t cut = 0; cut < 98; cut++) { /* every truncation inside the two headers and data */
        ZT_CHECK(zs_tz_parse("x", buf, cut, &tz, NULL) != ZS_OK);
        ZT_CHECK(tz == NULL);
    }
    unsigned char bad[256];
    memcpy(bad, buf, len);
    memcpy(bad + len - 8, "M13.9.9\n", 8); /* a footer rule out of range */
    ZT_CHECK(zs_tz_parse("x", bad, len, &tz, NULL) != ZS_OK);
    memcpy(bad, buf, len);
    put32(bad + 44 + 10 + 32, 5); /* v2 timecnt larger than the file */
    ZT_CHECK(zs_tz_parse("x", bad, len, &tz, NULL) != ZS_OK);
    memcpy(bad, "TZXf", 4);
    ZT_CHECK(zs_tz_parse("x", bad, len, &tz, NULL) != ZS_OK);
    /* names that are not zones, or would leave the zoneinfo directory */
    const zs_tz *z;
    zs_err err;
    const char *names[] = {"", "Europe", "Europe/", "/etc/passwd", "../zoneinfo/UTC", "Europe/../UTC",
                           "zone.tab", "Nowhere/City", ".hidden"};
    for (size_t i = 0; i < sizeof names / sizeof *names; i++)
        ZT_EQ_INT(zs_tz_db_get(db, names[i], &z, &err), ZS_ERR_NOTFOUND);
    ZT_EQ_INT(zs_tz_db_get(db, "UTC", &z, &err), ZS_OK);
    ZT_EQ_INT(zs_tz_offset(z, 1750000000), 0);
}

static void resolve(const zs_tz *tz, const char *s, int later, zs_breaks_resolution want_r, const char *want_utc)
{
    zs_breaks_local l;
    ZT_EQ_INT(zs_breaks_local_parse(s, &l), 0);
    int64_t t;
    ZT_EQ_INT(zs_breaks_local_resolve(tz, &l, later, &t), want_r);
    /* minutes since the epoch -> "YYYY-MM-DDTHH:MMZ" via the UTC zone rules of gmtime_r */
    time_t tt = (time_t)(t * 60);
    struct tm tm;
    char got[32];
    gmtime_r(&tt, &tm);
    strftime(got, sizeof got, "%Y-%m-%dT%H:%MZ", &tm);
    ZT_EQ_STR(got, want_utc);
}

static void test_resolution_edges(void)
{
    const zs_tz *be;
    ZT_EQ_INT(zs_tz_db_get(db, "Europe/Berlin", &be, NULL), ZS_OK);
    resolve(be, "2025-03-30T01:59", 0, ZS_BREAKS_LOCAL_OK, "2025-03-30T00:59Z");
    resolve(be, "2025-03-30T02:00", 0, ZS_BREAKS_LOCAL_NONEXISTENT, "2025-03-30T01:00Z");
    resolve(be, "2025-03-30T02:59", 0, ZS_BREAKS_LOCAL_NONEXISTENT, "2025-03-30T01:59Z");
    resolve(be, "2025-03-30T03:00", 0, ZS_BREAKS_LOCAL_OK, "2025-03-30T01:00Z");
    resolve(be, "2025-10-26T01:59", 0, ZS_BREAKS_LOCAL_OK, "2025-10-25T23:59Z");
    resolve(be, "2025-10-26T02:00", 0, ZS_BREAKS_LOCAL_AMBIGUOUS, "2025-10-26T00:00Z");
    resolve(be, "2025-10-26T02:00", 1, ZS_BREAKS_LOCAL_AMBIGUOUS, "2025-10-26T01:00Z");
    resolve(be, "2025-10-26T02:59", 1, ZS_BREAKS_LOCAL_AMBIGUOUS, "2025-10-26T01:59Z");
    resolve(be, "2025-10-26T03:00", 0, ZS_BREAKS_LOCAL_OK, "2025-10-26T02:00Z");
    resolve(be, "2025-10-26T02:30+01:00", 0, ZS_BREAKS_LOCAL_OK, "2025-10-26T01:30Z");
    resolve(be, "2025-10-26T02:30+02:00", 0, ZS_BREAKS_LOCAL_OK, "2025-10-26T00:30Z");
    resolve(be, "2025-06-02T24:00", 0, ZS_BREAKS_LOCAL_OK, "2025-06-02T22:00Z");
    resolve(be, "2025-06-02T08:00+01:00", 0, ZS_BREAKS_LOCAL_BAD_OFFSET, "2025-06-02T07:00Z");
    resolve(be, "2031-03-30T02:30", 0, ZS_BREAKS_LOCAL_NONEXISTENT, "2031-03-30T01:30Z");
    resolve(be, "2099-10-25T02:30", 1, ZS_BREAKS_LOCAL_AMBIGUOUS, "2099-10-25T01:30Z");
    zs_breaks_local l = {.year = 2025, .month = 2, .day = 29, .hour = 8};
    int64_t t;
    ZT_EQ_INT(zs_breaks_local_resolve(be, &l, 0, &t), ZS_BREAKS_LOCAL_INVALID);
}

int main(void)
{
    db = zs_tz_db_new(NULL);
    if (!db)
        return 1;
    ZT_RUN(test_footer_matches_table);
    ZT_RUN(test_damaged_files);
    ZT_RUN(test_resolution_edges);
    zs_tz_db_free(db);
    return zt_summary();
}
