/*
 * libFuzzer target for the break-rule engine. Every input is tried twice: as a `zepsync breaks`
 * request (the JSON front end), and decoded as raw engine input (arbitrary field values, which
 * the JSON parser would never let through). Besides the sanitizers, it traps when the engine
 * breaks its own bookkeeping: net = W - D - truncation, and outputs ordered and disjoint.
 */
#include "breaks/zs_breaks.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

static zs_tz_db *db;

static void check(const zs_breaks_result *r)
{
    int64_t net = 0;
    for (size_t i = 0; i < r->nattendances; i++) {
        const zs_breaks_attendance *a = &r->attendances[i];
        net += a->net_minutes;
        if (a->end <= a->start || a->break_minutes < 0 || (i > 0 && r->attendances[i - 1].end > a->start))
            __builtin_trap();
    }
    for (size_t i = 1; i < r->nperiods; i++)
        if (r->periods[i - 1].end > r->periods[i].start)
            __builtin_trap();
    if (net != r->work_minutes - r->deducted - r->truncated)
        __builtin_trap();
}

typedef struct reader {
    const uint8_t *p;
    size_t n;
} reader;

static int byte(reader *r)
{
    if (r->n == 0)
        return 0;
    r->n--;
    return *r->p++;
}

static int i16(reader *r)
{
    return (int16_t)(byte(r) | byte(r) << 8);
}

static void local(reader *r, zs_breaks_local *l, int base_day)
{
    int mode = byte(r);
    memset(l, 0, sizeof *l);
    if (mode & 0x80) { /* anything at all */
        l->year = i16(r);
        l->month = byte(r) - 2;
        l->day = byte(r) - 2;
        l->hour = byte(r) - 2;
        l->minute = byte(r) - 2;
    } else { /* near the DST days of 2025, minute-exact */
        static const int days[][2] = {{3, 30}, {10, 26}, {6, 1}, {6, 2}};
        l->year = 2025;
        l->month = days[(mode + base_day) & 3][0];
        l->day = days[(mode + base_day) & 3][1];
        l->hour = byte(r) % 25;
        l->minute = l->hour == 24 ? 0 : byte(r) % 60;
    }
    if (mode & 0x40) {
        l->has_offset = 1;
        l->offset_min = i16(r) % 1200;
    }
}

static void raw_engine(const uint8_t *data, size_t size)
{
    static const char *const zones[] = {"Europe/Berlin", "Europe/Vienna", "Europe/Zurich", "Pacific/Apia"};
    static const char *const presets[] = {"DE", "DE_MINOR", "AT", "CH"};
    reader r = {data, size};
    zs_breaks_input in;
    memset(&in, 0, sizeof in);
    if (zs_tz_db_get(db, zones[byte(&r) & 3], &in.tz, NULL) != ZS_OK)
        return;
    int rs = byte(&r);
    if (rs < 200) {
        zs_breaks_rules_preset(presets[rs & 3], &in.rules);
    } else {
        in.rules.ntiers = byte(&r) % 10;
        for (int i = 0; i < ZS_BREAKS_MAX_TIERS; i++)
            in.rules.tiers[i] = (zs_breaks_tier){i16(&r), i16(&r)};
        in.rules.min_block = i16(&r);
        in.rules.max_consecutive = i16(&r);
        in.rules.regular_daily = i16(&r);
        in.rules.max_daily = i16(&r);
        in.rules.min_rest = i16(&r);
        in.rules.minor = byte(&r) & 1;
        in.rules.minor_span_max = i16(&r);
        in.rules.minor_window = i16(&r);
        in.rules.minor_day_from = i16(&r);
        in.rules.minor_day_to = i16(&r);
    }
    int opts = byte(&r);
    in.mode = (zs_breaks_mode)(opts & 1);
    in.deduction = (zs_breaks_deduction)((opts >> 1) % 3);
    in.cap = (zs_breaks_cap)((opts >> 3) & 1);
    in.holiday = (opts >> 4) & 1;
    if (opts & 0x20) {
        in.has_prev_last_end = 1;
        local(&r, &in.prev_last_end, 0);
    }
    zs_breaks_booking b[64];
    size_t n = 0;
    while (r.n > 0 && n < 64) {
        b[n].id = (byte(&r) & 1) ? "a" : NULL;
        b[n].project = NULL;
        local(&r, &b[n].start, (int)n);
        local(&r, &b[n].end, (int)n);
        n++;
    }
    in.bookings = b;
    in.nbookings = n;
    zs_breaks_result res;
    if (zs_breaks_eval(&in, &res, NULL) == ZS_OK) {
        check(&res);
        zs_breaks_result_release(&res);
    }
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (!db && !(db = zs_tz_db_new(NULL)))
        return 0;
    char *out = NULL;
    if (zs_breaks_json_eval((const char *)data, size, db, &out, NULL) == ZS_OK && (!out || !*out))
        __builtin_trap();
    free(out);
    raw_engine(data, size);
    return 0;
}
