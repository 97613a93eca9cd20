/*
 * Property tests: thousands of random employee-days per rule set, each checked against an
 * independent minute-bitmap model of reference §5.2 and the invariants of reference §6:
 *   net = W - D - truncation; D is the smallest consistent deduction (FLOATING) or the missing
 *   break (FULL); the kept minutes are exactly the booked ones minus the removed ones, placed as
 *   §5.2 step 10 says; no output interval crosses local midnight or overlaps another; daily and
 *   individual give the same net per date; permuting the input changes nothing; warnings match
 *   the model and carry the reference severities.
 * Fixed seeds, so a failure reproduces; the failing day is printed as a `zepsync breaks` request.
 */
#include "breaks/zs_breaks.h"
#include "breaks/zs_breaks_int.h"
#include "core/zs_buf.h"
#include "zs_test.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

static zs_tz_db *db;
static uint64_t rng_state;

static uint64_t rnd(void)
{
    uint64_t z = (rng_state += 0x9e3779b97f4a7c15ULL);
    z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
    z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
    return z ^ (z >> 31);
}

static int rn(int n)
{
    return (int)(rnd() % (uint64_t)n);
}

#define MAXB 10
typedef struct day {
    zs_breaks_input in;
    zs_breaks_booking b[MAXB];
    char ids[MAXB][24];
    const char *tzname;
} day;

static void to_local(int64_t wall_min, zs_breaks_local *l)
{
    memset(l, 0, sizeof *l);
    int64_t days = zsb_floor_div(wall_min, 1440), mod = wall_min - days * 1440;
    zsb_civil_from_days(days, &l->year, &l->month, &l->day);
    l->hour = (int)(mod / 60);
    l->minute = (int)(mod % 60);
}

static const char *const projects[] = {"P1", "P2", NULL};
static const char *const zones[] = {"Europe/Berlin", "Europe/Vienna", "Europe/Zurich"};
/* DST days and their neighbours are over-represented on purpose. */
static const int special[][3] = {{2025, 3, 30}, {2025, 10, 26}, {2024, 3, 31}, {2024, 10, 27},
                                 {2025, 3, 29}, {2025, 10, 25}, {2026, 3, 29}, {2026, 10, 25}};

static void random_rules(zs_breaks_rules *r)
{
    memset(r, 0, sizeof *r);
    r->ntiers = rn(4);
    int t = 120 + rn(200), m = 5 + rn(30);
    for (int i = 0; i < r->ntiers; i++) {
        r->tiers[i] = (zs_breaks_tier){t, m};
        t += 30 + rn(200);
        m += rn(40);
    }
    r->min_block = rn(31);
    r->max_consecutive = rn(3) ? 200 + rn(300) : 0;
    r->regular_daily = rn(3) ? 300 + rn(300) : 0;
    r->max_daily = rn(3) ? 400 + rn(400) : 0;
    r->min_rest = rn(3) ? rn(800) : 0;
}

static void random_day(day *d, const char *rules)
{
    memset(d, 0, sizeof *d);
    d->tzname = zones[rn(3)];
    zs_tz_db_get(db, d->tzname, &d->in.tz, NULL);
    if (rules)
        zs_breaks_rules_preset(rules, &d->in.rules);
    else
        random_rules(&d->in.rules);
    d->in.mode = ZS_BREAKS_DAILY;
    d->in.deduction = (zs_breaks_deduction)rn(3);
    d->in.cap = (zs_breaks_cap)rn(2);
    d->in.holiday = rn(10) == 0;
    int64_t base;
    if (rn(3) == 0) {
        const int *s = special[rn(8)];
        base = zsb_days_from_civil(s[0], s[1], s[2]);
    } else {
        base = zsb_days_from_civil(2020, 1, 1) + rn(3650);
    }
    if (rn(2) == 0) { /* a plain working day whose net lands near a tier threshold */
        static const int gaps[] = {0, 5, 10, 14, 15, 16, 20, 30, 45, 60};
        const zs_breaks_rules *r = &d->in.rules;
        int target = r->ntiers ? r->tiers[rn(r->ntiers)].threshold : 360;
        target += rn(61) - 30;
        if (target < 10)
            target = 10;
        size_t k = 1 + (size_t)rn(4);
        int64_t t = base * 1440 + 5 * 60 + rn(5 * 60);
        for (size_t i = 0; i < k; i++) {
            int dur = i + 1 == k ? target : target / (int)(k - i) + rn(30) - 15;
            if (dur < 1)
                dur = 1;
            if (dur > target)
                dur = target;
            target -= dur;
            to_local(t, &d->b[i].start);
            to_local(t + dur, &d->b[i].end);
            snprintf(d->ids[i], sizeof d->ids[i], "b%zu", i);
            d->b[i].id = d->ids[i];
            d->b[i].project = projects[rn(3)];
            t += dur + gaps[rn(10)];
            if (target <= 0) {
                k = i + 1;
                break;
            }
        }
        d->in.bookings = d->b;
        d->in.nbookings = k;
        return;
    }
    size_t n = (size_t)rn(MAXB + 1);
    int64_t cursor = base * 1440 + rn(16 * 60);
    for (size_t i = 0; i < n; i++) {
        int64_t start;
        int shape = rn(10);
        if (shape < 5) /* a working day: mostly sequential, with gaps of every length */
            start = cursor + (rn(4) == 0 ? 0 : rn(3) == 0 ? rn(20) : rn(90));
        else if (shape < 7) /* overlap with what came before */
            start = cursor - rn(240);
        else if (shape < 8) /* inside the DST hour */
            start = base * 1440 + 120 + rn(60);
        else
            start = base * 1440 + rn(1440);
        int dur;
        switch (rn(6)) {
        case 0: dur = rn(3) == 0 ? 0 : 1 + rn(20); break;
        case 1: dur = 300 + rn(500); break;
        default: dur = 20 + rn(300);
        }
        to_local(start, &d->b[i].start);
        to_local(start + dur, &d->b[i].end);
        if (rn(50) == 0) { /* 24:00 */
            to_local(zsb_floor_div(start, 1440) * 1440, &d->b[i].end);
            d->b[i].end.hour = 24;
        }
        snprintf(d->ids[i], sizeof d->ids[i], "b%d", rn(6));
        d->b[i].id = d->ids[i];
        d->b[i].project = projects[rn(3)];
        if (start + dur > cursor)
            cursor = start + dur;
    }
    d->in.bookings = d->b;
    d->in.nbookings = n;
    if (rn(3) == 0) {
        d->in.has_prev_last_end = 1;
        to_local(base * 1440 - rn(900), &d->in.prev_last_end);
    }
}

static void fmt_local(zs_buf *b, const zs_breaks_local *l)
{
    zs_buf_printf(b, "\"%04d-%02d-%02dT%02d:%02d\"", l->year, l->month, l->day, l->hour, l->minute);
}

/* The day as a `zepsync breaks` request, for the failure message. */
static char *dump(const day *d)
{
    static const char *const ded[] = {"floating", "none", "full"};
    zs_buf b;
    zs_buf_init(&b);
    const zs_breaks_rules *r = &d->in.rules;
    zs_buf_printf(&b, "{\"timezone\":\"%s\",\"rules\":\"custom\",\"custom\":{\"tiers\":[", d->tzname);
    for (int i = 0; i < r->ntiers; i++)
        zs_buf_printf(&b, "%s[%d,%d]", i ? "," : "", r->tiers[i].threshold, r->tiers[i].minutes);
    zs_buf_printf(&b, "],\"min_block\":%d,\"max_consecutive\":%d,\"regular_daily\":%d,\"max_daily\":%d,"
                      "\"min_rest\":%d}%s,\"mode\":\"%s\",\"deduction\":\"%s\",\"cap\":\"%s\",\"holiday\":%s",
                  r->min_block, r->max_consecutive, r->regular_daily, r->max_daily, r->min_rest,
                  r->minor ? " /* DE_MINOR */" : "", d->in.mode ? "individual" : "daily", ded[d->in.deduction],
                  d->in.cap ? "truncate" : "warn", d->in.holiday ? "true" : "false");
    if (d->in.has_prev_last_end) {
        zs_buf_puts(&b, ",\"prev_last_end\":");
        fmt_local(&b, &d->in.prev_last_end);
    }
    zs_buf_puts(&b, ",\"bookings\":[");
    for (size_t i = 0; i < d->in.nbookings; i++) {
        zs_buf_printf(&b, "%s{\"id\":\"%s\",\"start\":", i ? "," : "", d->b[i].id);
        fmt_local(&b, &d->b[i].start);
        zs_buf_puts(&b, ",\"end\":");
        fmt_local(&b, &d->b[i].end);
        zs_buf_puts(&b, "}");
    }
    zs_buf_puts(&b, "]}");
    return zs_buf_steal(&b);
}

/* ---- the independent model ---- */

typedef struct model {
    int64_t lo, hi; /* bitmap covers [lo, hi) */
    unsigned char *work;
    int64_t W, Bq, req, max_run, short_gaps, misplaced, overlap, D, trunc;
    zs_breaks_kind kind;
    int64_t bs[MAXB], be[MAXB]; /* resolved bookings */
    int bvalid[MAXB];
} model;

static int64_t req_of(const zs_breaks_rules *r, int64_t x)
{
    int64_t q = 0;
    for (int i = 0; i < r->ntiers; i++)
        if (x > r->tiers[i].threshold && r->tiers[i].minutes > q)
            q = r->tiers[i].minutes;
    return q;
}

static int build_model(const day *d, model *m)
{
    memset(m, 0, sizeof *m);
    int64_t s[MAXB], e[MAXB];
    int valid[MAXB];
    m->lo = INT64_MAX;
    m->hi = INT64_MIN;
    int64_t sum = 0;
    for (size_t i = 0; i < d->in.nbookings; i++) {
        zs_breaks_local_resolve(d->in.tz, &d->b[i].start, 0, &s[i]);
        zs_breaks_resolution re = zs_breaks_local_resolve(d->in.tz, &d->b[i].end, 0, &e[i]);
        if (re == ZS_BREAKS_LOCAL_AMBIGUOUS && e[i] <= s[i])
            zs_breaks_local_resolve(d->in.tz, &d->b[i].end, 1, &e[i]);
        valid[i] = e[i] > s[i] && e[i] - s[i] <= ZS_BREAKS_MAX_BOOKING_MIN;
        m->bs[i] = s[i];
        m->be[i] = e[i];
        m->bvalid[i] = valid[i];
        if (!valid[i])
            continue;
        sum += e[i] - s[i];
        if (s[i] < m->lo)
            m->lo = s[i];
        if (e[i] > m->hi)
            m->hi = e[i];
    }
    if (m->lo >= m->hi)
        return 0;
    m->work = calloc((size_t)(m->hi - m->lo), 1);
    if (!m->work)
        return -1;
    for (size_t i = 0; i < d->in.nbookings; i++)
        if (valid[i])
            memset(m->work + (s[i] - m->lo), 1, (size_t)(e[i] - s[i]));
    const zs_breaks_rules *r = &d->in.rules;
    int64_t run = 0, gap = 0, first = m->lo, last = m->hi;
    for (int64_t t = m->lo; t < m->hi; t++) {
        if (m->work[t - m->lo]) {
            if (gap > 0) {
                int64_t gs = t - gap;
                int ok = gap >= r->min_block;
                if (ok && r->minor && !(gs >= first + r->minor_window && t <= last - r->minor_window)) {
                    ok = 0;
                    m->misplaced += gap;
                } else if (!ok) {
                    m->short_gaps += gap;
                }
                if (ok) {
                    m->Bq += gap;
                    run = 0;
                }
                gap = 0;
            }
            m->W++;
            if (++run > m->max_run)
                m->max_run = run;
        } else {
            gap++;
        }
    }
    m->overlap = sum - m->W;
    m->req = req_of(r, m->W);
    if (d->in.deduction == ZS_BREAKS_FULL && m->req > m->Bq) {
        m->D = m->req - m->Bq;
        m->kind = ZS_KIND_MISSING;
    } else if (d->in.deduction == ZS_BREAKS_FLOATING && m->req > m->Bq) {
        for (int64_t c = 1;; c++) { /* brute force: the smallest consistent c */
            if (m->Bq + c >= req_of(r, m->W - c)) {
                m->D = c;
                break;
            }
        }
        m->kind = ZS_KIND_MISSING;
        for (int i = 0; i < r->ntiers; i++)
            if (m->W - r->tiers[i].threshold == m->D)
                m->kind = ZS_KIND_CAP;
    }
    if (m->D > m->W)
        m->D = m->W;
    if (d->in.cap == ZS_BREAKS_CAP_TRUNCATE && r->max_daily > 0 && m->W - m->D > r->max_daily)
        m->trunc = m->W - m->D - r->max_daily;
    return 0;
}

/* The kept minutes per the placement rule: work-minute numbering, then removal. */
static unsigned char *model_kept(const day *d, const model *m)
{
    unsigned char *k = calloc((size_t)(m->hi - m->lo) + 1, 1);
    if (!k)
        return NULL;
    int64_t cut_lo = m->W - m->D, cut_hi = m->W;
    if (m->kind == ZS_KIND_MISSING && m->D > 0) {
        cut_lo = d->in.rules.ntiers ? d->in.rules.tiers[0].threshold : 0;
        if (cut_lo > m->W - m->D)
            cut_lo = m->W - m->D;
        cut_hi = cut_lo + m->D;
    }
    int64_t idx = 0, kept = 0, limit = m->W - m->D - m->trunc;
    for (int64_t t = m->lo; t < m->hi; t++) {
        if (!m->work[t - m->lo])
            continue;
        if ((idx < cut_lo || idx >= cut_hi) && kept < limit) {
            k[t - m->lo] = 1;
            kept++;
        }
        idx++;
    }
    return k;
}

/* ---- checks ---- */

static int failures_for_case;
/* How often the random days hit each interesting branch; printed so a weak generator shows. */
static int seen_cap, seen_missing, seen_trunc, seen_dst, seen_gap_time, seen_fold_time, seen_midnight, seen_overlap;

#define PCHECK(cond, ...)                                                                          \
    do {                                                                                           \
        zt_checks++;                                                                               \
        if (!(cond)) {                                                                             \
            if (failures_for_case++ < 4)                                                           \
                zt_fail(__FILE__, __LINE__, __VA_ARGS__);                                          \
        }                                                                                          \
    } while (0)

static int64_t local_min(const zs_tz *tz, int64_t t)
{
    return zsb_floor_div(t * 60 + zs_tz_offset(tz, t * 60), 60);
}

/* [s, e) stays within one local date, or ends exactly at the next local 00:00. */
static int within_date(const zs_tz *tz, int64_t s, int64_t e)
{
    int64_t ds = zsb_floor_div(local_min(tz, s), 1440);
    int64_t le = local_min(tz, e);
    return zsb_floor_div(le, 1440) == ds || le == (ds + 1) * 1440;
}

static const zs_breaks_severity want_sev[ZS_W__COUNT] = {
    [ZS_W_BREAK_INSUFFICIENT] = ZS_SEV_ERROR,        [ZS_W_CONTINUOUS_WORK_EXCEEDED] = ZS_SEV_ERROR,
    [ZS_W_MAX_DAILY_EXCEEDED] = ZS_SEV_ERROR,        [ZS_W_OVER_REGULAR_HOURS] = ZS_SEV_INFO,
    [ZS_W_REST_PERIOD_SHORT] = ZS_SEV_ERROR,         [ZS_W_SHORT_GAP_NOT_BREAK] = ZS_SEV_INFO,
    [ZS_W_OVERLAP_MERGED] = ZS_SEV_INFO,             [ZS_W_BREAK_DEDUCTED] = ZS_SEV_INFO,
    [ZS_W_MAX_DAILY_TRUNCATED] = ZS_SEV_INFO,        [ZS_W_CROSSES_MIDNIGHT] = ZS_SEV_INFO,
    [ZS_W_SUNDAY_WORK] = ZS_SEV_WARNING,             [ZS_W_HOLIDAY_WORK] = ZS_SEV_WARNING,
    [ZS_W_DST_DAY] = ZS_SEV_INFO,                    [ZS_W_DST_WALLCLOCK_MISMATCH] = ZS_SEV_WARNING,
    [ZS_W_NONEXISTENT_LOCAL_TIME] = ZS_SEV_WARNING,  [ZS_W_AMBIGUOUS_LOCAL_TIME] = ZS_SEV_WARNING,
    [ZS_W_INVALID_BOOKING] = ZS_SEV_ERROR,           [ZS_W_MINOR_BREAK_POSITION] = ZS_SEV_ERROR,
    [ZS_W_MINOR_SHIFT_SPAN_EXCEEDED] = ZS_SEV_ERROR, [ZS_W_MINOR_NIGHT_WORK] = ZS_SEV_ERROR,
};

static const zs_breaks_warning *find_warning(const zs_breaks_result *r, zs_breaks_code c)
{
    for (size_t i = 0; i < r->nwarnings; i++)
        if (r->warnings[i].code == c)
            return &r->warnings[i];
    return NULL;
}

/* Net minutes per local date (days since epoch) into a small table. */
typedef struct date_net {
    int64_t day, net;
} date_net;

static size_t nets_by_date(const zs_breaks_result *r, date_net *out, size_t cap)
{
    size_t n = 0;
    for (size_t i = 0; i < r->nattendances; i++) {
        int64_t dd = zsb_days_from_civil(r->attendances[i].year, r->attendances[i].month, r->attendances[i].day);
        size_t k = 0;
        while (k < n && out[k].day != dd)
            k++;
        if (k == n) {
            if (n == cap)
                continue;
            out[n++] = (date_net){dd, 0};
        }
        out[k].net += r->attendances[i].net_minutes;
    }
    return n;
}

static void check_day(day *d, const char *label, int n_case)
{
    failures_for_case = 0;
    zs_breaks_result daily, indiv, again, perm;
    zs_err err;
    if (zs_breaks_eval(&d->in, &daily, &err) != ZS_OK) {
        zt_fail(__FILE__, __LINE__, "%s #%d: eval failed: %s", label, n_case, err.msg);
        return;
    }
    model m;
    if (build_model(d, &m) != 0) {
        zs_breaks_result_release(&daily);
        return;
    }
    const zs_breaks_rules *ru = &d->in.rules;
    seen_cap += m.D > 0 && m.kind == ZS_KIND_CAP;
    seen_missing += m.D > 0 && m.kind == ZS_KIND_MISSING;
    seen_trunc += m.trunc > 0;
    seen_dst += find_warning(&daily, ZS_W_DST_DAY) != NULL;
    seen_gap_time += find_warning(&daily, ZS_W_NONEXISTENT_LOCAL_TIME) != NULL;
    seen_fold_time += find_warning(&daily, ZS_W_AMBIGUOUS_LOCAL_TIME) != NULL;
    seen_midnight += find_warning(&daily, ZS_W_CROSSES_MIDNIGHT) != NULL;
    seen_overlap += m.overlap > 0;

    /* figures */
    PCHECK(daily.work_minutes == m.W, "%s #%d: W %lld, model %lld", label, n_case, (long long)daily.work_minutes,
           (long long)m.W);
    PCHECK(daily.credited_break == m.Bq, "%s #%d: Bq %lld, model %lld", label, n_case,
           (long long)daily.credited_break, (long long)m.Bq);
    PCHECK(daily.required_break == m.req, "%s #%d: req %lld, model %lld", label, n_case,
           (long long)daily.required_break, (long long)m.req);
    PCHECK(daily.deducted == m.D, "%s #%d: D %lld, model %lld", label, n_case, (long long)daily.deducted,
           (long long)m.D);
    PCHECK(daily.truncated == m.trunc, "%s #%d: truncated %lld, model %lld", label, n_case,
           (long long)daily.truncated, (long long)m.trunc);
    if (m.D > 0 && d->in.deduction == ZS_BREAKS_FLOATING)
        PCHECK(m.Bq + m.D >= req_of(ru, m.W - m.D), "%s #%d: deduction inconsistent", label, n_case);

    /* warnings against the model, and severities */
    const zs_breaks_warning *w = find_warning(&daily, ZS_W_BREAK_INSUFFICIENT);
    PCHECK((m.W > 0 && m.req > m.Bq) == (w != NULL), "%s #%d: BREAK_INSUFFICIENT presence", label, n_case);
    if (w)
        PCHECK(w->minutes == m.req && w->credited == m.Bq, "%s #%d: BREAK_INSUFFICIENT values", label, n_case);
    w = find_warning(&daily, ZS_W_CONTINUOUS_WORK_EXCEEDED);
    PCHECK((ru->max_consecutive > 0 && m.max_run > ru->max_consecutive) == (w != NULL) &&
               (!w || w->minutes == m.max_run),
           "%s #%d: CONTINUOUS_WORK_EXCEEDED (model run %lld)", label, n_case, (long long)m.max_run);
    w = find_warning(&daily, ZS_W_MAX_DAILY_EXCEEDED);
    PCHECK((ru->max_daily > 0 && m.W > ru->max_daily) == (w != NULL), "%s #%d: MAX_DAILY_EXCEEDED", label, n_case);
    w = find_warning(&daily, ZS_W_SHORT_GAP_NOT_BREAK);
    PCHECK(m.short_gaps == (w ? w->minutes : 0), "%s #%d: SHORT_GAP_NOT_BREAK", label, n_case);
    w = find_warning(&daily, ZS_W_OVERLAP_MERGED);
    PCHECK(m.overlap == (w ? w->minutes : 0), "%s #%d: OVERLAP_MERGED", label, n_case);
    w = find_warning(&daily, ZS_W_BREAK_DEDUCTED);
    PCHECK(m.D == (w ? w->minutes : 0) && (!w || w->kind == m.kind), "%s #%d: BREAK_DEDUCTED", label, n_case);
    for (size_t i = 0; i < daily.nwarnings; i++) {
        PCHECK(zs_breaks_code_severity(daily.warnings[i].code) == want_sev[daily.warnings[i].code],
               "%s #%d: severity of %s", label, n_case, zs_breaks_code_name(daily.warnings[i].code));
        if (i > 0)
            PCHECK(daily.warnings[i - 1].code <= daily.warnings[i].code, "%s #%d: warning order", label, n_case);
    }

    /* attendances: within a date, ordered, disjoint, net adds up */
    int64_t net = 0;
    for (size_t i = 0; i < daily.nattendances; i++) {
        const zs_breaks_attendance *a = &daily.attendances[i];
        net += a->net_minutes;
        PCHECK(a->start < a->end && a->break_minutes >= 0 && a->net_minutes > 0, "%s #%d: attendance %zu shape",
               label, n_case, i);
        PCHECK(within_date(d->in.tz, a->start, a->end), "%s #%d: attendance %zu crosses midnight", label, n_case, i);
        int64_t ld = zsb_floor_div(local_min(d->in.tz, a->start), 1440);
        PCHECK(ld == zsb_days_from_civil(a->year, a->month, a->day), "%s #%d: attendance %zu date", label, n_case, i);
        if (i > 0)
            PCHECK(daily.attendances[i - 1].end <= a->start, "%s #%d: attendances %zu overlap", label, n_case, i);
    }
    PCHECK(net == m.W - m.D - m.trunc, "%s #%d: net %lld != W-D-trunc %lld", label, n_case, (long long)net,
           (long long)(m.W - m.D - m.trunc));

    /* periods: the WORK minutes are exactly the model's kept minutes */
    unsigned char *kept = m.W ? model_kept(d, &m) : NULL;
    int64_t work_total = 0;
    for (size_t i = 0; i < daily.nperiods; i++) {
        const zs_breaks_period *p = &daily.periods[i];
        PCHECK(p->start < p->end && within_date(d->in.tz, p->start, p->end), "%s #%d: period %zu", label, n_case, i);
        if (i > 0)
            PCHECK(daily.periods[i - 1].end <= p->start, "%s #%d: periods %zu overlap", label, n_case, i);
        if (p->type != ZS_PERIOD_WORK)
            continue;
        work_total += p->end - p->start;
        for (int64_t t = p->start; kept && t < p->end; t++) {
            int in_range = t >= m.lo && t < m.hi;
            PCHECK(in_range && kept[t - m.lo], "%s #%d: WORK minute %lld not kept by the model", label, n_case,
                   (long long)t);
            if (!in_range || !kept[t - m.lo])
                break;
        }
    }
    PCHECK(work_total == net, "%s #%d: WORK periods %lld != net %lld", label, n_case, (long long)work_total,
           (long long)net);

    /* a daily attendance names exactly the bookings with a kept minute on its date, once each */
    for (size_t i = 0; kept && i < daily.nattendances; i++) {
        const zs_breaks_attendance *a = &daily.attendances[i];
        int64_t dd = zsb_days_from_civil(a->year, a->month, a->day);
        for (size_t k = 0; k < a->nbooking_ids; k++)
            for (size_t q = k + 1; q < a->nbooking_ids; q++)
                PCHECK(strcmp(a->booking_ids[k], a->booking_ids[q]) != 0, "%s #%d: attendance %zu lists %s twice",
                       label, n_case, i, a->booking_ids[k]);
        for (size_t b = 0; b < d->in.nbookings; b++) {
            int has = 0;
            for (int64_t t = m.bvalid[b] ? m.bs[b] : 0; m.bvalid[b] && t < m.be[b] && !has; t++)
                has = kept[t - m.lo] && zsb_floor_div(local_min(d->in.tz, t), 1440) == dd;
            int same_id_has = has; /* ids repeat in random days: any booking with that id counts */
            for (size_t o = 0; o < d->in.nbookings && !same_id_has; o++) {
                if (o == b || !m.bvalid[o] || strcmp(d->b[o].id, d->b[b].id) != 0)
                    continue;
                for (int64_t t = m.bs[o]; t < m.be[o] && !same_id_has; t++)
                    same_id_has = kept[t - m.lo] && zsb_floor_div(local_min(d->in.tz, t), 1440) == dd;
            }
            int listed = 0;
            for (size_t k = 0; k < a->nbooking_ids && !listed; k++)
                listed = strcmp(a->booking_ids[k], d->b[b].id) == 0;
            PCHECK(listed == same_id_has, "%s #%d: attendance %zu booking_ids and booking %s (kept minute there: %d)",
                   label, n_case, i, d->b[b].id, has);
        }
    }

    /* individual: same net per date; pieces inside the booked union and disjoint */
    d->in.mode = ZS_BREAKS_INDIVIDUAL;
    if (zs_breaks_eval(&d->in, &indiv, &err) == ZS_OK) {
        date_net a[64], b[64];
        size_t na = nets_by_date(&daily, a, 64), nb = nets_by_date(&indiv, b, 64);
        PCHECK(na == nb, "%s #%d: dates differ between daily and individual", label, n_case);
        for (size_t i = 0; i < na && i < nb; i++)
            PCHECK(a[i].day == b[i].day && a[i].net == b[i].net, "%s #%d: net per date differs", label, n_case);
        for (size_t i = 0; i < indiv.nattendances; i++) {
            const zs_breaks_attendance *x = &indiv.attendances[i];
            PCHECK(x->break_minutes == 0 && x->nbooking_ids == 1, "%s #%d: individual entry shape", label, n_case);
            PCHECK(within_date(d->in.tz, x->start, x->end), "%s #%d: individual crosses midnight", label, n_case);
            if (i > 0)
                PCHECK(indiv.attendances[i - 1].end <= x->start, "%s #%d: individual overlap", label, n_case);
            for (int64_t t = x->start; kept && t < x->end; t++) {
                int ok = t >= m.lo && t < m.hi && kept[t - m.lo];
                PCHECK(ok, "%s #%d: individual minute not kept", label, n_case);
                if (!ok)
                    break;
            }
        }
        zs_breaks_result_release(&indiv);
    }
    d->in.mode = ZS_BREAKS_DAILY;
    free(kept);

    /* determinism and permutation invariance, compared on the rendered response */
    char *j1 = NULL, *j2 = NULL, *j3 = NULL;
    zs_breaks_result_json(&daily, &j1, NULL);
    if (zs_breaks_eval(&d->in, &again, &err) == ZS_OK) {
        zs_breaks_result_json(&again, &j2, NULL);
        zs_breaks_result_release(&again);
    }
    zs_breaks_booking shuffled[MAXB];
    memcpy(shuffled, d->b, sizeof shuffled);
    for (size_t i = d->in.nbookings; i > 1; i--) {
        size_t k = (size_t)rn((int)i);
        zs_breaks_booking t = shuffled[i - 1];
        shuffled[i - 1] = shuffled[k];
        shuffled[k] = t;
    }
    zs_breaks_input pin = d->in;
    pin.bookings = shuffled;
    if (zs_breaks_eval(&pin, &perm, &err) == ZS_OK) {
        zs_breaks_result_json(&perm, &j3, NULL);
        zs_breaks_result_release(&perm);
    }
    PCHECK(j1 && j2 && strcmp(j1, j2) == 0, "%s #%d: not deterministic", label, n_case);
    PCHECK(j1 && j3 && strcmp(j1, j3) == 0, "%s #%d: permutation changed the result:\n%s\n%s", label, n_case,
           j1 ? j1 : "", j3 ? j3 : "");
    free(j1);
    free(j2);
    free(j3);

    if (failures_for_case) {
        char *req = dump(d);
        printf("  failing day (%s #%d): %s\n", label, n_case, req ? req : "?");
        free(req);
    }
    free(m.work);
    zs_breaks_result_release(&daily);
}

/* 2500 by default (a second or so); the long suite passes a bigger figure as argv[1]. */
static int DAYS_PER_SET = 2500;

static void run_set(const char *rules, uint64_t seed)
{
    rng_state = seed;
    seen_cap = seen_missing = seen_trunc = seen_dst = seen_gap_time = seen_fold_time = seen_midnight = seen_overlap = 0;
    for (int i = 0; i < DAYS_PER_SET; i++) {
        day d;
        random_day(&d, rules);
        check_day(&d, rules ? rules : "custom", i);
    }
    printf("  %s: %d days: deducted CAP %d, MISSING %d, truncated %d, DST days %d, nonexistent %d, "
           "ambiguous %d, across midnight %d, overlaps %d\n",
           rules ? rules : "custom", DAYS_PER_SET, seen_cap, seen_missing, seen_trunc, seen_dst, seen_gap_time,
           seen_fold_time, seen_midnight, seen_overlap);
    ZT_CHECK(seen_cap > 0 && seen_missing > 0 && seen_dst > 0 && seen_midnight > 0 && seen_overlap > 0);
}

static void test_props_DE(void)
{
    run_set("DE", 1);
}

static void test_props_DE_MINOR(void)
{
    run_set("DE_MINOR", 2);
}

static void test_props_AT(void)
{
    run_set("AT", 3);
}

static void test_props_CH(void)
{
    run_set("CH", 4);
}

static void test_props_custom(void)
{
    run_set(NULL, 5);
}

int main(int argc, char **argv)
{
    if (argc > 1 && atoi(argv[1]) > 0)
        DAYS_PER_SET = atoi(argv[1]);
    db = zs_tz_db_new(NULL);
    if (!db)
        return 1;
    ZT_RUN(test_props_DE);
    ZT_RUN(test_props_DE_MINOR);
    ZT_RUN(test_props_AT);
    ZT_RUN(test_props_CH);
    ZT_RUN(test_props_custom);
    zs_tz_db_free(db);
    return zt_summary();
}
