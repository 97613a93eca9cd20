/*
 * Every vector of reference/break-rules.md §6, table-driven, once through the engine's C API and
 * once through the `zepsync breaks` binary; plus the issue's example, the Personio periods, the
 * time-zone reader against glibc, and the CLI's bad-input contract (exit 2, message on stderr).
 */
#include "breaks_common.h"
#include "zs_test.h"

#include <stdint.h>
#include <stdlib.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

static zs_tz_db *db;
static char workdir[512];

static void check_vec(const bvec *v, const char *via, const zs_buf *att, const zs_buf *warn)
{
    zs_buf want;
    zs_buf_init(&want);
    canon_expected(v->warn, &want);
    zt_checks += 2;
    if (strcmp(zs_buf_str(att), v->att) != 0)
        zt_fail(__FILE__, __LINE__, "%s via %s: attendances \"%s\", want \"%s\"", v->name, via, zs_buf_str(att),
                v->att);
    if (strcmp(zs_buf_str(warn), zs_buf_str(&want)) != 0)
        zt_fail(__FILE__, __LINE__, "%s via %s: warnings \"%s\", want \"%s\"", v->name, via, zs_buf_str(warn),
                zs_buf_str(&want));
    zs_buf_release(&want);
}

static void test_vectors_engine(void)
{
    for (size_t i = 0; i < NVECTORS; i++) {
        const bvec *v = &vectors[i];
        parsed_vec p;
        vec_parse(v, &p);
        zs_breaks_input in;
        ZT_EQ_INT(vec_input(v, &p, db, &in), 0);
        zs_breaks_result r;
        zs_err err;
        ZT_EQ_INT(zs_breaks_eval(&in, &r, &err), ZS_OK);
        zs_buf att, warn;
        zs_buf_init(&att);
        zs_buf_init(&warn);
        render_result(v, &r, &att, &warn);
        check_vec(v, "engine", &att, &warn);
        zs_buf_release(&att);
        zs_buf_release(&warn);
        zs_breaks_result_release(&r);
    }
}

/* Runs `zepsync breaks` on a request; returns the exit code, stdout into out, stderr into errout. */
static int run_cli(const char *request, char *out, size_t cap, char *errout, size_t ecap)
{
    char req[600], errf[600], cmd[2048];
    snprintf(req, sizeof req, "%s/req-%d.json", workdir, (int)getpid());
    snprintf(errf, sizeof errf, "%s/err-%d.txt", workdir, (int)getpid());
    FILE *f = fopen(req, "wb");
    if (!f)
        return -1;
    fputs(request, f);
    fclose(f);
    snprintf(cmd, sizeof cmd, "'%s' breaks --input '%s' 2>'%s'", zt_bin("zepsync"), req, errf);
    int rc = zt_sh(cmd, out, cap);
    if (errout) {
        errout[0] = '\0';
        FILE *e = fopen(errf, "rb");
        if (e) {
            size_t n = fread(errout, 1, ecap - 1, e);
            errout[n] = '\0';
            fclose(e);
        }
    }
    unlink(req);
    unlink(errf);
    return rc;
}

static char out[1 << 16], errbuf[4096];

static void test_vectors_cli(void)
{
    for (size_t i = 0; i < NVECTORS; i++) {
        const bvec *v = &vectors[i];
        parsed_vec p;
        vec_parse(v, &p);
        zs_buf req, att, warn;
        zs_buf_init(&req);
        zs_buf_init(&att);
        zs_buf_init(&warn);
        vec_json(v, &p, &req);
        int rc = run_cli(zs_buf_str(&req), out, sizeof out, errbuf, sizeof errbuf);
        zt_checks++;
        if (rc != 0)
            zt_fail(__FILE__, __LINE__, "%s: exit %d: %s", v->name, rc, errbuf);
        else if (render_json(v, out, &att, &warn) != 0)
            zt_fail(__FILE__, __LINE__, "%s: response is not the documented shape: %s", v->name, out);
        else
            check_vec(v, "cli", &att, &warn);
        zs_buf_release(&req);
        zs_buf_release(&att);
        zs_buf_release(&warn);
    }
}

/* The example of issue 5, byte for byte. */
static void test_issue_example(void)
{
    const char *want =
        "{\"attendances\":[{\"date\":\"2025-06-02\",\"start\":\"2025-06-02T08:00+02:00\",\"end\":\"2025-06-02T14:00+02:00\","
        "\"break_minutes\":0,\"net_minutes\":360,\"booking_ids\":[\"b1\"]}],"
        "\"periods\":[{\"type\":\"WORK\",\"start\":\"2025-06-02T08:00:00\",\"end\":\"2025-06-02T14:00:00\","
        "\"booking_id\":\"b1\",\"project\":\"P1\"}],"
        "\"warnings\":[{\"code\":\"BREAK_INSUFFICIENT\",\"severity\":\"error\",\"required\":30,\"credited\":0},"
        "{\"code\":\"CONTINUOUS_WORK_EXCEEDED\",\"severity\":\"error\",\"minutes\":361},"
        "{\"code\":\"BREAK_DEDUCTED\",\"severity\":\"info\",\"minutes\":1,\"kind\":\"CAP\"}]}\n";
    const char *minimal =
        "{\"bookings\":[{\"id\":\"b1\",\"start\":\"2025-06-02T08:00\",\"end\":\"2025-06-02T14:01\",\"project\":\"P1\"}]}";
    ZT_EQ_INT(run_cli(minimal, out, sizeof out, errbuf, sizeof errbuf), 0);
    ZT_EQ_STR(out, want);
    /* the same on stdin, the way operators call it */
    char path[600], cmd[1400];
    snprintf(path, sizeof path, "%s/stdin-%d.json", workdir, (int)getpid());
    FILE *f = fopen(path, "wb");
    ZT_CHECK(f != NULL);
    if (f) {
        fputs(minimal, f);
        fclose(f);
        snprintf(cmd, sizeof cmd, "'%s' breaks < '%s'", zt_bin("zepsync"), path);
        ZT_EQ_INT(zt_sh(cmd, out, sizeof out), 0);
        ZT_EQ_STR(out, want);
        unlink(path);
    }
    /* The full example request (all fields at their defaults) also carries a previous end only
     * nine hours earlier, so the rest-period check must fire on top. */
    const char *full =
        "{\"timezone\":\"Europe/Berlin\",\"rules\":\"DE\",\"mode\":\"daily\",\"deduction\":\"floating\",\"cap\":\"warn\","
        " \"prev_last_end\":\"2025-06-01T23:00\",\"holiday\":false,"
        " \"custom\":{\"tiers\":[[360,30],[540,45]],\"min_block\":15,\"max_consecutive\":360,\"regular_daily\":480,"
        "\"max_daily\":600,\"min_rest\":660},"
        " \"bookings\":[{\"id\":\"b1\",\"start\":\"2025-06-02T08:00\",\"end\":\"2025-06-02T14:01\",\"project\":\"P1\"}]}";
    ZT_EQ_INT(run_cli(full, out, sizeof out, errbuf, sizeof errbuf), 0);
    ZT_CONTAINS(out, "{\"code\":\"REST_PERIOD_SHORT\",\"severity\":\"error\",\"minutes\":540}");
    ZT_CONTAINS(out, "\"net_minutes\":360,\"booking_ids\":[\"b1\"]");
    ZT_CONTAINS(out, "{\"code\":\"BREAK_DEDUCTED\",\"severity\":\"info\",\"minutes\":1,\"kind\":\"CAP\"}");
}

static void test_periods(void)
{
    /* T21: the missing 45 minutes become a BREAK period right after the 6-hour mark */
    ZT_EQ_INT(run_cli("{\"bookings\":[{\"id\":\"a\",\"start\":\"2025-06-02T07:00\",\"end\":\"2025-06-02T18:00\"}]}",
                      out, sizeof out, NULL, 0),
              0);
    ZT_CONTAINS(out, "\"periods\":[{\"type\":\"WORK\",\"start\":\"2025-06-02T07:00:00\",\"end\":\"2025-06-02T13:00:00\","
                     "\"booking_id\":\"a\"},{\"type\":\"BREAK\",\"start\":\"2025-06-02T13:00:00\",\"end\":"
                     "\"2025-06-02T13:45:00\"},{\"type\":\"WORK\",\"start\":\"2025-06-02T13:45:00\",\"end\":"
                     "\"2025-06-02T18:00:00\",\"booking_id\":\"a\"}]");
    /* daily: a merged block of two bookings carries no single booking id; the gap is a BREAK */
    ZT_EQ_INT(run_cli("{\"bookings\":[{\"id\":\"a\",\"start\":\"2025-06-02T08:00\",\"end\":\"2025-06-02T10:00\"},"
                      "{\"id\":\"b\",\"start\":\"2025-06-02T10:00\",\"end\":\"2025-06-02T12:00\",\"project\":\"X\"},"
                      "{\"id\":\"c\",\"start\":\"2025-06-02T12:30\",\"end\":\"2025-06-02T15:00\",\"project\":\"Y\"}]}",
                      out, sizeof out, NULL, 0),
              0);
    ZT_CONTAINS(out, "\"booking_ids\":[\"a\",\"b\",\"c\"]");
    ZT_CONTAINS(out, "\"periods\":[{\"type\":\"WORK\",\"start\":\"2025-06-02T08:00:00\",\"end\":\"2025-06-02T12:00:00\"},"
                     "{\"type\":\"BREAK\",\"start\":\"2025-06-02T12:00:00\",\"end\":\"2025-06-02T12:30:00\"},"
                     "{\"type\":\"WORK\",\"start\":\"2025-06-02T12:30:00\",\"end\":\"2025-06-02T15:00:00\","
                     "\"booking_id\":\"c\",\"project\":\"Y\"}]");
    /* daily: a double booking wholly inside another still belongs to the attendance (ZEP allows
     * double bookings; the day's record must name every booking it was built from) */
    ZT_EQ_INT(run_cli("{\"bookings\":[{\"id\":\"a\",\"start\":\"2025-06-02T08:00\",\"end\":\"2025-06-02T12:00\"},"
                      "{\"id\":\"b\",\"start\":\"2025-06-02T09:00\",\"end\":\"2025-06-02T10:00\"},"
                      "{\"id\":\"c\",\"start\":\"2025-06-02T08:00\",\"end\":\"2025-06-02T12:00\"},"
                      "{\"id\":\"d\",\"start\":\"2025-06-02T22:00\",\"end\":\"2025-06-03T01:00\"},"
                      "{\"id\":\"e\",\"start\":\"2025-06-02T23:30\",\"end\":\"2025-06-02T23:45\"}]}",
                      out, sizeof out, NULL, 0),
              0);
    ZT_CONTAINS(out, "\"net_minutes\":360,\"booking_ids\":[\"a\",\"c\",\"b\",\"d\",\"e\"]}");
    ZT_CONTAINS(out, "\"date\":\"2025-06-03\",\"start\":\"2025-06-03T00:00+02:00\",\"end\":\"2025-06-03T01:00+02:00\","
                     "\"break_minutes\":0,\"net_minutes\":60,\"booking_ids\":[\"d\"]}");
    /* the WORK period keeps the first-come owner (README) */
    ZT_CONTAINS(out, "\"periods\":[{\"type\":\"WORK\",\"start\":\"2025-06-02T08:00:00\",\"end\":\"2025-06-02T12:00:00\","
                     "\"booking_id\":\"a\"},");
    /* a booking whose every minute was deducted is not part of what is sent */
    ZT_EQ_INT(run_cli("{\"deduction\":\"full\",\"bookings\":[{\"id\":\"a\",\"start\":\"2025-06-02T07:00\",\"end\":\"2025-06-02T18:00\"},"
                      "{\"id\":\"x\",\"start\":\"2025-06-02T13:05\",\"end\":\"2025-06-02T13:40\"}]}",
                      out, sizeof out, NULL, 0),
              0);
    ZT_CONTAINS(out, "\"net_minutes\":615,\"booking_ids\":[\"a\"]}");
    /* individual: T18's pieces keep their ids and projects, no BREAK periods, midnight split */
    ZT_EQ_INT(run_cli("{\"mode\":\"individual\",\"bookings\":["
                      "{\"id\":\"n\",\"start\":\"2025-06-02T22:00\",\"end\":\"2025-06-03T01:00\",\"project\":\"N\"},"
                      "{\"id\":\"m\",\"start\":\"2025-06-02T21:00\",\"end\":\"2025-06-02T23:00\",\"project\":\"M\"}]}",
                      out, sizeof out, NULL, 0),
              0);
    ZT_CONTAINS(out, "\"periods\":[{\"type\":\"WORK\",\"start\":\"2025-06-02T21:00:00\",\"end\":\"2025-06-02T23:00:00\","
                     "\"booking_id\":\"m\",\"project\":\"M\"},{\"type\":\"WORK\",\"start\":\"2025-06-02T23:00:00\","
                     "\"end\":\"2025-06-03T00:00:00\",\"booking_id\":\"n\",\"project\":\"N\"},{\"type\":\"WORK\","
                     "\"start\":\"2025-06-03T00:00:00\",\"end\":\"2025-06-03T01:00:00\",\"booking_id\":\"n\","
                     "\"project\":\"N\"}]");
    ZT_CHECK(strstr(out, "BREAK\"") == NULL);
    /* an explicit offset picks the second 02:40 (CET) of the autumn fold */
    ZT_EQ_INT(run_cli("{\"bookings\":[{\"id\":\"a\",\"start\":\"2025-10-26T02:40+01:00\",\"end\":\"2025-10-26T04:00\"}]}",
                      out, sizeof out, NULL, 0),
              0);
    ZT_CONTAINS(out, "\"start\":\"2025-10-26T02:40+01:00\",\"end\":\"2025-10-26T04:00+01:00\",\"break_minutes\":0,"
                     "\"net_minutes\":80");
    ZT_CHECK(strstr(out, "AMBIGUOUS") == NULL);
}

static void test_custom_rules(void)
{
    /* custom: 20 min after 5 h, 10-minute blocks count, no caps */
    const char *req = "{\"rules\":\"custom\",\"custom\":{\"tiers\":[[300,20]],\"min_block\":10,\"max_consecutive\":0,"
                      "\"regular_daily\":0,\"max_daily\":0,\"min_rest\":0},\"prev_last_end\":\"2025-06-02T07:00\","
                      "\"bookings\":[{\"id\":\"a\",\"start\":\"2025-06-02T08:00\",\"end\":\"2025-06-02T11:00\"},"
                      "{\"id\":\"b\",\"start\":\"2025-06-02T11:10\",\"end\":\"2025-06-02T14:10\"}]}";
    ZT_EQ_INT(run_cli(req, out, sizeof out, errbuf, sizeof errbuf), 0);
    /* W=360 > 300 needs 20 with 10 credited: topping up by 10 (cut at 13:10) beats capping by 60 */
    ZT_CONTAINS(out, "{\"code\":\"BREAK_INSUFFICIENT\",\"severity\":\"error\",\"required\":20,\"credited\":10}");
    ZT_CONTAINS(out, "{\"code\":\"BREAK_DEDUCTED\",\"severity\":\"info\",\"minutes\":10,\"kind\":\"MISSING\"}");
    ZT_CONTAINS(out, "\"break_minutes\":20,\"net_minutes\":350");
    ZT_CHECK(strstr(out, "REST_PERIOD") == NULL);
    ZT_CHECK(strstr(out, "CONTINUOUS") == NULL);
}

static void test_bad_input(void)
{
    static const struct {
        const char *req, *msg;
    } cases[] = {
        {"", "empty request"},
        {"not json", "not valid JSON"},
        {"{\"bookings\":[]", "not valid JSON"},
        {"{\"bookings\":[]} x", "trailing data"},
        /* json-c by default also takes things that are not JSON (RFC 8259); none may pass */
        {"{'bookings':[]}", "not valid JSON"},
        {"{\"bookings\":[],}", "not valid JSON"},
        {"{\"holiday\":True,\"bookings\":[]}", "not valid JSON"},
        {"{\"bookings\":[]} /* comment */", "not valid JSON"},
        {"{\"bookings\":[{\"start\":\"2025-06-02T08:00\",\"end\":\"2025-06-02T09:00\",\"n\":NaN}]}", "not valid JSON"},
        {"{\"bookings\":[{\"start\":\"2025-06-02T08:00\",\"end\":\"2025-06-02T09:00\",\"n\":01}]}", "not valid JSON"},
        {"{\"bookings\":[{\"id\":\"\xff\xfe\",\"start\":\"2025-06-02T08:00\",\"end\":\"2025-06-02T09:00\"}]}",
         "not valid JSON"},
        {"[1,2]", "must be a JSON object"},
        {"{}", "\"bookings\" is required"},
        {"{\"bookings\":{}}", "must be an array"},
        {"{\"rules\":\"US\",\"bookings\":[]}", "unknown rules \"US\""},
        {"{\"mode\":\"weekly\",\"bookings\":[]}", "unknown mode"},
        {"{\"deduction\":\"some\",\"bookings\":[]}", "unknown deduction"},
        {"{\"cap\":1,\"bookings\":[]}", "\"cap\" must be a string"},
        {"{\"timezone\":\"Mars/Olympus\",\"bookings\":[]}", "unknown time zone \"Mars/Olympus\""},
        {"{\"timezone\":\"../../etc/passwd\",\"bookings\":[]}", "unknown time zone"},
        {"{\"timezone\":\"zone.tab\",\"bookings\":[]}", "unknown time zone"},
        {"{\"mdoe\":\"daily\",\"bookings\":[]}", "unknown field \"mdoe\""},
        {"{\"rules\":\"custom\",\"bookings\":[]}", "needs a \"custom\" object"},
        {"{\"rules\":\"custom\",\"custom\":{\"tiers\":[[540,45],[360,30]],\"min_block\":15,\"max_consecutive\":360,"
         "\"regular_daily\":480,\"max_daily\":600,\"min_rest\":660},\"bookings\":[]}",
         "ascending"},
        {"{\"rules\":\"custom\",\"custom\":{\"tiers\":[],\"min_block\":15},\"bookings\":[]}", "custom.max_consecutive is required"},
        {"{\"holiday\":\"yes\",\"bookings\":[]}", "\"holiday\" must be true or false"},
        {"{\"bookings\":[{\"start\":\"2025-06-02T10:00\",\"end\":\"2025-06-02T09:00\"}]}", "is before start"},
        {"{\"bookings\":[{\"start\":\"2025-03-30T02:30\",\"end\":\"2025-03-30T03:15\"}]}",
         "end 2025-03-30T03:15 (2025-03-30T03:15+02:00) is before start 2025-03-30T02:30 (2025-03-30T03:30+02:00); "
         "a time in the DST gap is moved forward by the gap"},
        {"{\"bookings\":[{\"start\":\"2025-06-02T10:00\"}]}", "bookings[0].end must be a string"},
        {"{\"bookings\":[{\"start\":\"2025-13-02T10:00\",\"end\":\"2025-06-02T11:00\"}]}", "not a local time"},
        {"{\"bookings\":[{\"start\":\"2025-02-29T10:00\",\"end\":\"2025-03-01T11:00\"}]}", "not a local time"},
        {"{\"bookings\":[{\"start\":\"2025-06-02T24:30\",\"end\":\"2025-06-03T11:00\"}]}", "not a local time"},
        {"{\"bookings\":[{\"start\":\"2025-06-02 10:00x\",\"end\":\"2025-06-03T11:00\"}]}", "not a local time"},
        {"{\"bookings\":[{\"start\":\"2025-06-02T10:00+05:00\",\"end\":\"2025-06-02T11:00\"}]}", "offset"},
        {"{\"bookings\":[7]}", "bookings[0] must be an object"},
        {"{\"bookings\":[{\"id\":5,\"start\":\"2025-06-02T10:00\",\"end\":\"2025-06-02T11:00\"}]}", "must be strings"},
        {"{\"prev_last_end\":\"yesterday\",\"bookings\":[]}", "prev_last_end"},
        {"[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]", "not valid JSON"},
    };
    for (size_t i = 0; i < sizeof cases / sizeof *cases; i++) {
        int rc = run_cli(cases[i].req, out, sizeof out, errbuf, sizeof errbuf);
        zt_checks += 3;
        if (rc != 2)
            zt_fail(__FILE__, __LINE__, "case %zu (%s): exit %d, want 2", i, cases[i].msg, rc);
        if (out[0] != '\0')
            zt_fail(__FILE__, __LINE__, "case %zu: stdout not empty: %s", i, out);
        if (!strstr(errbuf, cases[i].msg) || strncmp(errbuf, "zepsync breaks: ", 16) != 0)
            zt_fail(__FILE__, __LINE__, "case %zu: stderr \"%s\" lacks \"%s\"", i, errbuf, cases[i].msg);
    }
    /* usage errors are exit 2 too; --help is 0 */
    char cmd[1024];
    snprintf(cmd, sizeof cmd, "'%s' breaks --frobnicate </dev/null 2>/dev/null", zt_bin("zepsync"));
    ZT_EQ_INT(zt_sh(cmd, NULL, 0), 2);
    snprintf(cmd, sizeof cmd, "'%s' nosuchcommand 2>/dev/null", zt_bin("zepsync"));
    ZT_EQ_INT(zt_sh(cmd, NULL, 0), 2);
    snprintf(cmd, sizeof cmd, "'%s' breaks --help", zt_bin("zepsync"));
    ZT_EQ_INT(zt_sh(cmd, out, sizeof out), 0);
    ZT_CONTAINS(out, "usage: zepsync breaks");
    snprintf(cmd, sizeof cmd, "'%s' --help", zt_bin("zepsync"));
    ZT_EQ_INT(zt_sh(cmd, out, sizeof out), 0);
    ZT_CONTAINS(out, "breaks");
    /* the strict reading still takes every form of real JSON: escapes, exponents, nested values,
     * a "/" or a "'" inside strings, CR/LF/tab whitespace, multi-byte UTF-8 */
    ZT_EQ_INT(run_cli("{\r\n\t\"bookings\" : [ {\"id\":\"\\u00e9\\/\\\"it's/\u00fc\",\"start\":\"2025-06-02T08:00\","
                      "\"end\":\"2025-06-02T09:00\",\"n\":-1.0E+2,\"o\":{},\"p\":[],"
                      "\"q\":[null,true,false,0,-0,1e-3]} ] }\n",
                      out, sizeof out, errbuf, sizeof errbuf),
              0);
    ZT_CONTAINS(out, "\"booking_ids\":[\"\u00e9/\\\"it's/\u00fc\"]");
    /* zero-length is not bad input but an INVALID_BOOKING in a normal answer (T51) */
    ZT_EQ_INT(run_cli("{\"bookings\":[{\"id\":\"z\",\"start\":\"2025-06-02T10:00\",\"end\":\"2025-06-02T10:00\"}]}", out,
                      sizeof out, NULL, 0),
              0);
    ZT_CONTAINS(out, "{\"code\":\"INVALID_BOOKING\",\"severity\":\"error\",\"booking_id\":\"z\"}");
}

/* The TZif reader against glibc's own reading of the same files, at random instants 1900-2200
 * (past 2037 the footer rule answers). Only the test touches the process-global TZ. */
static void test_tz_against_glibc(void)
{
    static const char *zones[] = {"Europe/Berlin", "Europe/Vienna", "Europe/Zurich", "America/New_York",
                                  "Australia/Sydney", "Asia/Kolkata", "UTC", "America/Sao_Paulo",
                                  "Pacific/Apia", "Africa/Casablanca"};
    uint64_t seed = 42;
    for (size_t z = 0; z < sizeof zones / sizeof *zones; z++) {
        const zs_tz *tz;
        zs_err err;
        if (zs_tz_db_get(db, zones[z], &tz, &err) != ZS_OK) {
            zt_fail(__FILE__, __LINE__, "%s: %s", zones[z], err.msg);
            continue;
        }
        setenv("TZ", zones[z], 1);
        tzset();
        int bad = 0;
        for (int i = 0; i < 3000; i++) {
            seed = seed * 6364136223846793005ULL + 1442695040888963407ULL;
            int64_t t = -2208988800LL + (int64_t)((seed >> 11) % 9467280000ULL); /* 1900..2200 */
            time_t tt = (time_t)t;
            struct tm tm;
            if (!localtime_r(&tt, &tm))
                continue;
            if (zs_tz_offset(tz, t) != tm.tm_gmtoff && bad++ < 3)
                zt_fail(__FILE__, __LINE__, "%s at %lld: offset %d, glibc %ld", zones[z], (long long)t,
                        zs_tz_offset(tz, t), tm.tm_gmtoff);
            zt_checks++;
        }
    }
    unsetenv("TZ");
    tzset();
    /* the EU rule, exactly: last Sunday of March/October at 01:00 UTC */
    const zs_tz *be;
    ZT_EQ_INT(zs_tz_db_get(db, "Europe/Berlin", &be, NULL), ZS_OK);
    ZT_EQ_INT(zs_tz_offset(be, 1743296400 - 1), 3600);  /* 2025-03-30T00:59:59Z */
    ZT_EQ_INT(zs_tz_offset(be, 1743296400), 7200);      /* 2025-03-30T01:00:00Z */
    ZT_EQ_INT(zs_tz_offset(be, 1761440400 - 1), 7200);  /* 2025-10-26T00:59:59Z */
    ZT_EQ_INT(zs_tz_offset(be, 1761440400), 3600);
    /* 2100 lies beyond the table of a fat file: the POSIX footer must give the same switch */
    ZT_EQ_INT(zs_tz_offset(be, 4109878800 - 1), 3600); /* 2100-03-28T00:59:59Z */
    ZT_EQ_INT(zs_tz_offset(be, 4109878800), 7200);
}

int main(void)
{
    const char *w = zt_env("ZS_TEST_WORKDIR");
    snprintf(workdir, sizeof workdir, "%s", w ? w : "/tmp");
    db = zs_tz_db_new(NULL);
    if (!db)
        return 1;
    ZT_RUN(test_vectors_engine);
    ZT_RUN(test_vectors_cli);
    ZT_RUN(test_issue_example);
    ZT_RUN(test_periods);
    ZT_RUN(test_custom_rules);
    ZT_RUN(test_bad_input);
    ZT_RUN(test_tz_against_glibc);
    zs_tz_db_free(db);
    return zt_summary();
}
