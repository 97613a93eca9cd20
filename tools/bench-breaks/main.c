/*
 * zepsync-bench-breaks: how many employee-days the break-rule engine evaluates per second on one
 * core. Prints figures; asserts nothing. Days are generated up front from a fixed seed (1-6
 * bookings of a working day in Europe/Berlin, mixed rule sets and modes, some DST days), so runs
 * are comparable; generation and rendering are outside the timed loop unless --json is given.
 */
#include "breaks/zs_breaks.h"
#include "core/zs_buf.h"

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

static uint64_t state = 1;

static int rn(int n)
{
    state = state * 6364136223846793005ULL + 1442695040888963407ULL;
    return (int)((state >> 33) % (uint64_t)n);
}

#define MAXB 6
typedef struct day {
    zs_breaks_input in;
    zs_breaks_booking b[MAXB];
} day;

static void set_local(zs_breaks_local *l, int y, int m, int d, int minute_of_day)
{
    memset(l, 0, sizeof *l);
    l->year = y;
    l->month = m;
    l->day = d + minute_of_day / 1440;
    l->hour = minute_of_day % 1440 / 60;
    l->minute = minute_of_day % 60;
}

static void usage(FILE *f)
{
    fprintf(f, "usage: zepsync-bench-breaks [--days N] [--seed S] [--json]\n\n"
               "Evaluates N generated employee-days (default 200000) through the break-rule engine on one\n"
               "thread and prints employee-days per second. --json also times the `zepsync breaks` JSON\n"
               "path (parse, evaluate, render).\n");
}

static double now(clockid_t c)
{
    struct timespec ts;
    clock_gettime(c, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

int main(int argc, char **argv)
{
    long ndays = 200000;
    int json = 0;
    for (int i = 1; i < argc; i++) {
        if (strcmp(argv[i], "--help") == 0 || strcmp(argv[i], "-h") == 0) {
            usage(stdout);
            return 0;
        } else if (strcmp(argv[i], "--days") == 0 && i + 1 < argc) {
            ndays = strtol(argv[++i], NULL, 10);
        } else if (strcmp(argv[i], "--seed") == 0 && i + 1 < argc) {
            state = strtoull(argv[++i], NULL, 10);
        } else if (strcmp(argv[i], "--json") == 0) {
            json = 1;
        } else {
            usage(stderr);
            return 2;
        }
    }
    if (ndays <= 0 || ndays > 100000000) {
        fprintf(stderr, "zepsync-bench-breaks: --days must be 1..100000000\n");
        return 2;
    }
    zs_tz_db *db = zs_tz_db_new(NULL);
    const zs_tz *tz;
    zs_err err;
    if (!db || zs_tz_db_get(db, "Europe/Berlin", &tz, &err) != ZS_OK) {
        fprintf(stderr, "zepsync-bench-breaks: %s\n", db ? err.msg : "out of memory");
        zs_tz_db_free(db);
        return 1;
    }
    day *days = calloc((size_t)ndays, sizeof *days);
    if (!days) {
        fprintf(stderr, "zepsync-bench-breaks: out of memory for %ld days\n", ndays);
        zs_tz_db_free(db);
        return 1;
    }
    static const char *const rules[] = {"DE", "DE", "DE", "DE_MINOR", "AT", "CH"};
    static const char *const ids[] = {"b1", "b2", "b3", "b4", "b5", "b6"};
    long nbookings = 0;
    for (long i = 0; i < ndays; i++) {
        day *d = &days[i];
        d->in.tz = tz;
        zs_breaks_rules_preset(rules[rn(6)], &d->in.rules);
        d->in.mode = rn(4) == 0 ? ZS_BREAKS_INDIVIDUAL : ZS_BREAKS_DAILY;
        int y = 2025, m = 6, dd = 2 + rn(20);
        if (rn(50) == 0) { /* a DST Sunday now and then */
            m = rn(2) ? 3 : 10;
            dd = m == 3 ? 30 : 26;
        }
        int n = 1 + rn(MAXB), t = 6 * 60 + rn(4 * 60);
        for (int k = 0; k < n; k++) {
            int dur = 30 + rn(240);
            set_local(&d->b[k].start, y, m, dd, t);
            set_local(&d->b[k].end, y, m, dd, t + dur);
            d->b[k].id = ids[k];
            d->b[k].project = "P1";
            t += dur + (rn(3) == 0 ? 0 : rn(60)) - (rn(8) == 0 ? 20 : 0);
        }
        d->in.bookings = d->b;
        d->in.nbookings = (size_t)n;
        nbookings += n;
    }

    long attendances = 0, warnings = 0, failed = 0;
    double w0 = now(CLOCK_MONOTONIC), c0 = now(CLOCK_PROCESS_CPUTIME_ID);
    for (long i = 0; i < ndays; i++) {
        zs_breaks_result r;
        if (zs_breaks_eval(&days[i].in, &r, NULL) != ZS_OK) {
            failed++;
            continue;
        }
        attendances += (long)r.nattendances;
        warnings += (long)r.nwarnings;
        zs_breaks_result_release(&r);
    }
    double wall = now(CLOCK_MONOTONIC) - w0, cpu = now(CLOCK_PROCESS_CPUTIME_ID) - c0;
    printf("engine: %ld employee-days (%ld bookings) in %.3f s wall, %.3f s cpu: %.0f employee-days/s "
           "(%.2f us/day), one thread\n",
           ndays, nbookings, wall, cpu, (double)ndays / cpu, cpu * 1e6 / (double)ndays);
    printf("        %ld attendances, %ld warnings, %ld failed\n", attendances, warnings, failed);

    int rc = failed ? 1 : 0;
    if (json) {
        long nj = ndays < 100000 ? ndays : 100000;
        char **req = calloc((size_t)nj, sizeof *req);
        size_t *len = calloc((size_t)nj, sizeof *len);
        for (long i = 0; req && len && i < nj; i++) {
            zs_buf b;
            zs_buf_init(&b);
            zs_buf_printf(&b, "{\"rules\":\"DE\",\"mode\":\"%s\",\"bookings\":[",
                          days[i].in.mode == ZS_BREAKS_INDIVIDUAL ? "individual" : "daily");
            for (size_t k = 0; k < days[i].in.nbookings; k++) {
                const zs_breaks_local *s = &days[i].b[k].start, *e = &days[i].b[k].end;
                zs_buf_printf(&b,
                              "%s{\"id\":\"%s\",\"start\":\"%04d-%02d-%02dT%02d:%02d\",\"end\":\"%04d-%02d-%02dT%02d:%02d\","
                              "\"project\":\"P1\"}",
                              k ? "," : "", days[i].b[k].id, s->year, s->month, s->day, s->hour, s->minute, e->year,
                              e->month, e->day, e->hour, e->minute);
            }
            zs_buf_puts(&b, "]}");
            len[i] = b.len;
            req[i] = zs_buf_steal(&b);
        }
        if (!req || !len) {
            fprintf(stderr, "zepsync-bench-breaks: out of memory\n");
            rc = 1;
        } else {
            long jfailed = 0;
            size_t bytes = 0;
            c0 = now(CLOCK_PROCESS_CPUTIME_ID);
            for (long i = 0; i < nj; i++) {
                char *out = NULL;
                if (!req[i] || zs_breaks_json_eval(req[i], len[i], db, &out, NULL) != ZS_OK)
                    jfailed++;
                else
                    bytes += strlen(out);
                free(out);
            }
            cpu = now(CLOCK_PROCESS_CPUTIME_ID) - c0;
            printf("json:   %ld requests in %.3f s cpu: %.0f employee-days/s (%.2f us/day, %zu bytes out), "
                   "%ld failed\n",
                   nj, cpu, (double)nj / cpu, cpu * 1e6 / (double)nj, bytes, jfailed);
            if (jfailed)
                rc = 1;
        }
        for (long i = 0; req && i < nj; i++)
            free(req[i]);
        free(req);
        free(len);
    }
    free(days);
    zs_tz_db_free(db);
    return rc;
}
