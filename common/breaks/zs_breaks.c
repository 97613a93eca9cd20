/*
 * The break-rule engine: reference/break-rules.md §5.2, steps 1-13, on integer minutes.
 *
 * Everything is computed on intervals of real instants ([start, end) in minutes), never on
 * wall-clock arithmetic, so DST days come out in elapsed time. Local dates are only used to split
 * output at local midnight and to label it.
 */
#include "breaks/zs_breaks.h"
#include "zs_breaks_int.h"

#include <stdlib.h>
#include <string.h>

/* ---- codes ---- */

static const char *const code_names[ZS_W__COUNT] = {
    "BREAK_INSUFFICIENT", "CONTINUOUS_WORK_EXCEEDED", "MAX_DAILY_EXCEEDED", "OVER_REGULAR_HOURS",
    "REST_PERIOD_SHORT", "SHORT_GAP_NOT_BREAK", "OVERLAP_MERGED", "BREAK_DEDUCTED",
    "MAX_DAILY_TRUNCATED", "CROSSES_MIDNIGHT", "SUNDAY_WORK", "HOLIDAY_WORK", "DST_DAY",
    "DST_WALLCLOCK_MISMATCH", "NONEXISTENT_LOCAL_TIME", "AMBIGUOUS_LOCAL_TIME", "INVALID_BOOKING",
    "MINOR_BREAK_POSITION", "MINOR_SHIFT_SPAN_EXCEEDED", "MINOR_NIGHT_WORK",
};

const char *zs_breaks_code_name(zs_breaks_code c)
{
    return (unsigned)c < ZS_W__COUNT ? code_names[c] : "UNKNOWN";
}

zs_breaks_severity zs_breaks_code_severity(zs_breaks_code c)
{
    switch (c) {
    case ZS_W_BREAK_INSUFFICIENT:
    case ZS_W_CONTINUOUS_WORK_EXCEEDED:
    case ZS_W_MAX_DAILY_EXCEEDED:
    case ZS_W_REST_PERIOD_SHORT:
    case ZS_W_INVALID_BOOKING:
    case ZS_W_MINOR_BREAK_POSITION:
    case ZS_W_MINOR_SHIFT_SPAN_EXCEEDED:
    case ZS_W_MINOR_NIGHT_WORK:
        return ZS_SEV_ERROR;
    case ZS_W_SUNDAY_WORK:
    case ZS_W_HOLIDAY_WORK:
    case ZS_W_NONEXISTENT_LOCAL_TIME:
    case ZS_W_AMBIGUOUS_LOCAL_TIME:
    case ZS_W_DST_WALLCLOCK_MISMATCH:
        return ZS_SEV_WARNING;
    default:
        return ZS_SEV_INFO;
    }
}

const char *zs_breaks_severity_name(zs_breaks_severity s)
{
    return s == ZS_SEV_ERROR ? "error" : s == ZS_SEV_WARNING ? "warning" : "info";
}

/* ---- rule sets (reference §3.1) ---- */

int zs_breaks_rules_preset(const char *name, zs_breaks_rules *r)
{
    memset(r, 0, sizeof *r);
    if (!name)
        return -1;
    if (strcmp(name, "DE") == 0) {
        *r = (zs_breaks_rules){.ntiers = 2, .tiers = {{360, 30}, {540, 45}}, .min_block = 15,
                               .max_consecutive = 360, .regular_daily = 480, .max_daily = 600,
                               .min_rest = 660};
    } else if (strcmp(name, "DE_MINOR") == 0) {
        *r = (zs_breaks_rules){.ntiers = 2, .tiers = {{270, 30}, {360, 60}}, .min_block = 15,
                               .max_consecutive = 270, .regular_daily = 0, .max_daily = 480,
                               .min_rest = 720, .minor = 1, .minor_span_max = 600, .minor_window = 60,
                               .minor_day_from = 6 * 60, .minor_day_to = 20 * 60};
    } else if (strcmp(name, "AT") == 0) {
        *r = (zs_breaks_rules){.ntiers = 1, .tiers = {{360, 30}}, .min_block = 10,
                               .max_consecutive = 360, .regular_daily = 480, .max_daily = 720,
                               .min_rest = 660};
    } else if (strcmp(name, "CH") == 0) {
        *r = (zs_breaks_rules){.ntiers = 3, .tiers = {{330, 15}, {420, 30}, {540, 60}}, .min_block = 15,
                               .max_consecutive = 330, .regular_daily = 0, .max_daily = 0,
                               .min_rest = 660};
    } else {
        return -1;
    }
    return 0;
}

/* ---- local times ---- */

static int digits(const char *s, int n, int *out)
{
    int v = 0;
    for (int i = 0; i < n; i++) {
        if (s[i] < '0' || s[i] > '9')
            return -1;
        v = v * 10 + (s[i] - '0');
    }
    *out = v;
    return 0;
}

int zs_breaks_local_parse(const char *s, zs_breaks_local *out)
{
    memset(out, 0, sizeof *out);
    if (!s || strlen(s) < 16)
        return -1;
    int y, mo, d, h, mi, sec = 0;
    if (digits(s, 4, &y) || s[4] != '-' || digits(s + 5, 2, &mo) || s[7] != '-' || digits(s + 8, 2, &d) ||
        (s[10] != 'T' && s[10] != ' ') || digits(s + 11, 2, &h) || s[13] != ':' || digits(s + 14, 2, &mi))
        return -1;
    const char *p = s + 16;
    if (*p == ':') {
        if (digits(p + 1, 2, &sec) || sec > 59)
            return -1;
        p += 3;
    }
    if (y < 1 || mo < 1 || mo > 12 || d < 1 || d > zsb_month_days(y, mo) || h > 24 || mi > 59 ||
        (h == 24 && (mi != 0 || sec != 0)))
        return -1;
    out->year = y;
    out->month = mo;
    out->day = d;
    out->hour = h;
    out->minute = mi;
    if (*p == 'Z') {
        out->has_offset = 1;
        p++;
    } else if (*p == '+' || *p == '-') {
        int oh, om;
        if (digits(p + 1, 2, &oh) || p[3] != ':' || digits(p + 4, 2, &om) || oh > 18 || om > 59)
            return -1;
        out->has_offset = 1;
        out->offset_min = (*p == '-' ? -1 : 1) * (oh * 60 + om);
        p += 6;
    }
    return *p == '\0' ? 0 : -1;
}

/* The engine takes zs_breaks_local from any caller, so it re-checks what the parser guarantees. */
static int local_valid(const zs_breaks_local *l)
{
    return l->year >= 1 && l->year <= 9999 && l->month >= 1 && l->month <= 12 && l->day >= 1 &&
           l->day <= zsb_month_days(l->year, l->month) && l->hour >= 0 && l->hour <= 24 && l->minute >= 0 &&
           l->minute <= 59 && (l->hour < 24 || l->minute == 0) &&
           (!l->has_offset || (l->offset_min >= -18 * 60 && l->offset_min <= 18 * 60));
}

static int64_t local_seconds(const zs_breaks_local *l)
{
    return (zsb_days_from_civil(l->year, l->month, l->day) * 1440 + l->hour * 60 + l->minute) * 60;
}

/* Offset lookups dominate the engine's time, and one evaluation asks about the same few hours
 * over and over: remember the last two spans with a constant offset, and the last few midnights. */
typedef struct tzc {
    const zs_tz *tz;
    int64_t lo[2], hi[2];
    int32_t off[2];
    int victim;
    int64_t mday[4], minst[4];
    int mcount, mnext;
} tzc;

static void tzc_init(tzc *z, const zs_tz *tz)
{
    memset(z, 0, sizeof *z);
    z->tz = tz;
    z->lo[0] = z->lo[1] = 1;
    z->hi[0] = z->hi[1] = 0; /* empty spans */
}

static int32_t off_at(tzc *z, int64_t t)
{
    for (int i = 0; i < 2; i++)
        if (t >= z->lo[i] && t < z->hi[i])
            return z->off[i];
    int v = z->victim;
    z->victim ^= 1;
    z->off[v] = zs_tz_offset_span(z->tz, t, &z->lo[v], &z->hi[v]);
    return z->off[v];
}

/* Instant (seconds) of a local wall-clock second count; see zs_breaks_local_resolve. */
static zs_breaks_resolution resolve_seconds(tzc *tz, int64_t L, int later_side, int64_t *out)
{
    /* 30 h either side is outside any fold or gap around L, so these are the offsets before and
     * after it; only zones with two switches within 60 h (none in use) would confuse this. */
    int32_t before = off_at(tz, L - 108000), after = off_at(tz, L + 108000);
    int64_t t1 = L - before, t2 = L - after;
    int ok1 = off_at(tz, t1) == before, ok2 = off_at(tz, t2) == after;
    if (ok1 && ok2 && t1 != t2) {
        int64_t first = t1 < t2 ? t1 : t2, second = t1 < t2 ? t2 : t1;
        *out = later_side ? second : first;
        return ZS_BREAKS_LOCAL_AMBIGUOUS;
    }
    if (ok1 || ok2) {
        *out = ok1 ? t1 : t2;
        return ZS_BREAKS_LOCAL_OK;
    }
    int32_t here = off_at(tz, L - off_at(tz, L));
    if (off_at(tz, L - here) == here) {
        *out = L - here;
        return ZS_BREAKS_LOCAL_OK;
    }
    /* In a gap: read the wall clock with the offset from before the gap, i.e. move forward by it. */
    *out = t1;
    return ZS_BREAKS_LOCAL_NONEXISTENT;
}

static zs_breaks_resolution resolve_local(tzc *tz, const zs_breaks_local *l, int later_side, int64_t *out)
{
    if (!local_valid(l)) {
        *out = 0;
        return ZS_BREAKS_LOCAL_INVALID;
    }
    int64_t L = local_seconds(l), t;
    zs_breaks_resolution r;
    if (l->has_offset) {
        t = L - (int64_t)l->offset_min * 60;
        r = off_at(tz, t) == l->offset_min * 60 ? ZS_BREAKS_LOCAL_OK : ZS_BREAKS_LOCAL_BAD_OFFSET;
    } else {
        r = resolve_seconds(tz, L, later_side, &t);
    }
    *out = zsb_floor_div(t, 60);
    return r;
}

zs_breaks_resolution zs_breaks_local_resolve(const zs_tz *tz, const zs_breaks_local *l, int later_side,
                                             int64_t *out)
{
    tzc z;
    tzc_init(&z, tz);
    return resolve_local(&z, l, later_side, out);
}

/* ---- local dates and midnights ---- */

/* Instant (minutes) at which local date `days` begins. */
static int64_t midnight(tzc *tz, int64_t days)
{
    for (int i = 0; i < tz->mcount; i++)
        if (tz->mday[i] == days)
            return tz->minst[i];
    int64_t t;
    resolve_seconds(tz, days * 86400, 0, &t);
    t = zsb_floor_div(t, 60);
    int slot;
    if (tz->mcount < 4) {
        slot = tz->mcount++;
    } else {
        slot = tz->mnext;
        tz->mnext = (tz->mnext + 1) % 4;
    }
    tz->mday[slot] = days;
    tz->minst[slot] = t;
    return t;
}

/* Local date (days since epoch) of the minute at t, consistent with midnight(). */
static int64_t date_of(tzc *tz, int64_t t)
{
    int64_t d = zsb_floor_div(t * 60 + off_at(tz, t * 60), 86400);
    for (int i = 0; i < 4 && t < midnight(tz, d); i++)
        d--;
    for (int i = 0; i < 4 && t >= midnight(tz, d + 1); i++)
        d++;
    return d;
}

/* End of the local date that contains t, always > t. */
static int64_t date_end(tzc *tz, int64_t t, int64_t *day)
{
    int64_t d = date_of(tz, t);
    int64_t m = midnight(tz, d + 1);
    if (day)
        *day = d;
    return m > t ? m : t + 1;
}

static int64_t wall_minutes(tzc *tz, int64_t t)
{
    return zsb_floor_div(t * 60 + off_at(tz, t * 60), 60);
}

/* ---- growable arrays ---- */

typedef struct iv {
    int64_t s, e;
    size_t src; /* booking index (pieces) */
} iv;

typedef struct ivec {
    iv *v;
    size_t n, cap;
} ivec;

static int ivec_push(ivec *a, int64_t s, int64_t e, size_t src)
{
    if (a->n == a->cap) {
        size_t nc = a->cap ? a->cap * 2 : 16;
        iv *nv = realloc(a->v, nc * sizeof *nv);
        if (!nv)
            return -1;
        a->v = nv;
        a->cap = nc;
    }
    a->v[a->n++] = (iv){s, e, src};
    return 0;
}

/* Makes room for one more element; leaves the array untouched when memory runs out. */
static int grow(void *arrp, size_t n, size_t *cap, size_t size)
{
    void **arr = arrp;
    if (n < *cap)
        return 0;
    size_t nc = *cap ? *cap * 2 : 8;
    void *np = realloc(*arr, nc * size);
    if (!np)
        return -1;
    *arr = np;
    *cap = nc;
    return 0;
}

#define GROW(arr, n, cap) grow(&(arr), (n), &(cap), sizeof *(arr))

typedef struct ctx {
    const zs_breaks_input *in;
    tzc z;
    zs_breaks_result *r;
    size_t wcap, acap, pcap;
    int oom;
} ctx;

static void warn_full(ctx *c, zs_breaks_code code, int64_t minutes, int64_t credited, zs_breaks_kind kind,
                      const char *booking_id, int64_t date)
{
    if (c->oom)
        return;
    if (GROW(c->r->warnings, c->r->nwarnings, c->wcap) != 0) {
        c->oom = 1;
        return;
    }
    zs_breaks_warning *w = &c->r->warnings[c->r->nwarnings++];
    memset(w, 0, sizeof *w);
    w->code = code;
    w->minutes = minutes;
    w->credited = credited;
    w->kind = kind;
    w->booking_id = booking_id;
    if (date != INT64_MIN) {
        w->has_date = 1;
        zsb_civil_from_days(date, &w->year, &w->month, &w->day);
    }
}

static void warn(ctx *c, zs_breaks_code code, int64_t minutes)
{
    warn_full(c, code, minutes, 0, ZS_KIND_NONE, NULL, INT64_MIN);
}

static int str_cmp(const char *a, const char *b)
{
    return strcmp(a ? a : "", b ? b : "");
}

static int warning_cmp(const void *pa, const void *pb)
{
    const zs_breaks_warning *a = pa, *b = pb;
    if (a->code != b->code)
        return a->code < b->code ? -1 : 1;
    int s = str_cmp(a->booking_id, b->booking_id);
    if (s)
        return s;
    if (a->has_date != b->has_date)
        return a->has_date - b->has_date;
    int64_t da = a->has_date ? zsb_days_from_civil(a->year, a->month, a->day) : 0;
    int64_t db = b->has_date ? zsb_days_from_civil(b->year, b->month, b->day) : 0;
    if (da != db)
        return da < db ? -1 : 1;
    if (a->minutes != b->minutes)
        return a->minutes < b->minutes ? -1 : 1;
    if (a->credited != b->credited)
        return a->credited < b->credited ? -1 : 1;
    return (int)a->kind - (int)b->kind;
}

/* Sorting resolved bookings: (start asc, end desc, id, project, input index), so that equal
 * intervals still order by content and permuting the input cannot change the result. */
typedef struct rb {
    int64_t s, e;
    size_t idx;
    const zs_breaks_booking *b;
} rb;

static int rb_cmp(const void *pa, const void *pb)
{
    const rb *a = pa, *b = pb;
    if (a->s != b->s)
        return a->s < b->s ? -1 : 1;
    if (a->e != b->e)
        return a->e > b->e ? -1 : 1;
    int s = str_cmp(a->b->id, b->b->id);
    if (s)
        return s;
    s = str_cmp(a->b->project, b->b->project);
    if (s)
        return s;
    return a->idx < b->idx ? -1 : a->idx > b->idx;
}

/* (date, booking index) pairs: by date, then in booking order. */
static int owner_cmp(const void *pa, const void *pb)
{
    const iv *a = pa, *b = pb;
    if (a->s != b->s)
        return a->s < b->s ? -1 : 1;
    return a->e < b->e ? -1 : a->e > b->e;
}

/* Required break for net minutes x: the largest R_i with x > T_i. */
static int64_t required(const zs_breaks_rules *ru, int64_t x)
{
    int64_t req = 0;
    for (int i = 0; i < ru->ntiers; i++)
        if (x > ru->tiers[i].threshold && ru->tiers[i].minutes > req)
            req = ru->tiers[i].minutes;
    return req;
}

/* Minutes of [s, e) inside the blocks. */
static int64_t overlap_minutes(const ivec *blocks, int64_t s, int64_t e)
{
    int64_t n = 0;
    for (size_t i = 0; i < blocks->n; i++) {
        int64_t a = blocks->v[i].s > s ? blocks->v[i].s : s;
        int64_t b = blocks->v[i].e < e ? blocks->v[i].e : e;
        if (b > a)
            n += b - a;
    }
    return n;
}

/* Appends the instants of work minutes [a, b) (chronological numbering over the blocks). */
static int index_to_instants(const ivec *blocks, int64_t a, int64_t b, ivec *out)
{
    int64_t base = 0;
    for (size_t i = 0; i < blocks->n && a < b; i++) {
        int64_t len = blocks->v[i].e - blocks->v[i].s;
        int64_t lo = a > base ? a : base, hi = b < base + len ? b : base + len;
        if (hi > lo && ivec_push(out, blocks->v[i].s + (lo - base), blocks->v[i].s + (hi - base), 0) != 0)
            return -1;
        base += len;
    }
    return 0;
}

static int add_attendance(ctx *c, int64_t day, int64_t s, int64_t e, int64_t net, const char **ids,
                          size_t nids)
{
    zs_breaks_result *r = c->r;
    if (GROW(r->attendances, r->nattendances, c->acap) != 0)
        return -1;
    zs_breaks_attendance *a = &r->attendances[r->nattendances];
    memset(a, 0, sizeof *a);
    zsb_civil_from_days(day, &a->year, &a->month, &a->day);
    a->start = s;
    a->end = e;
    a->start_off = off_at(&c->z, s * 60);
    a->end_off = off_at(&c->z, e * 60);
    a->net_minutes = net;
    a->break_minutes = (e - s) - net;
    if (nids) {
        a->booking_ids = malloc(nids * sizeof *a->booking_ids);
        if (!a->booking_ids)
            return -1;
        memcpy(a->booking_ids, ids, nids * sizeof *ids);
        a->nbooking_ids = nids;
    }
    r->nattendances++;
    return 0;
}

static int add_period(ctx *c, zs_breaks_period_type type, int64_t s, int64_t e, const zs_breaks_booking *b)
{
    zs_breaks_result *r = c->r;
    if (GROW(r->periods, r->nperiods, c->pcap) != 0)
        return -1;
    zs_breaks_period *p = &r->periods[r->nperiods++];
    p->type = type;
    p->start = s;
    p->end = e;
    p->start_off = off_at(&c->z, s * 60);
    p->end_off = off_at(&c->z, e * 60);
    p->booking_id = b ? (b->id ? b->id : "") : NULL;
    p->project = b ? b->project : NULL;
    return 0;
}

void zs_breaks_result_release(zs_breaks_result *r)
{
    if (!r)
        return;
    for (size_t i = 0; i < r->nattendances; i++)
        free(r->attendances[i].booking_ids);
    free(r->attendances);
    free(r->periods);
    free(r->warnings);
    memset(r, 0, sizeof *r);
}

/* Splits the sorted, disjoint intervals at local midnights; src is kept. */
static int split_midnight(tzc *tz, const ivec *in, ivec *out, ivec *days)
{
    for (size_t i = 0; i < in->n; i++) {
        int64_t t = in->v[i].s;
        while (t < in->v[i].e) {
            int64_t day, m = date_end(tz, t, &day);
            int64_t e = m < in->v[i].e ? m : in->v[i].e;
            if (ivec_push(out, t, e, in->v[i].src) != 0 || ivec_push(days, day, day, 0) != 0)
                return -1;
            t = e;
        }
    }
    return 0;
}

static int compliance(ctx *c, const ivec *blocks, int64_t W, int64_t Bq, int64_t req, int64_t max_run,
                      int64_t short_gaps, int64_t misplaced)
{
    const zs_breaks_input *in = c->in;
    const zs_breaks_rules *ru = &in->rules;
    tzc *tz = &c->z;
    int64_t first = blocks->v[0].s, last = blocks->v[blocks->n - 1].e;
    int64_t day0 = date_of(tz, first);
    int64_t mid0 = midnight(tz, day0), mid1 = midnight(tz, day0 + 1);

    if (req > Bq)
        warn_full(c, ZS_W_BREAK_INSUFFICIENT, req, Bq, ZS_KIND_NONE, NULL, INT64_MIN);
    if (ru->max_consecutive > 0 && max_run > ru->max_consecutive)
        warn(c, ZS_W_CONTINUOUS_WORK_EXCEEDED, max_run);
    if (ru->max_daily > 0 && W > ru->max_daily)
        warn(c, ZS_W_MAX_DAILY_EXCEEDED, W);
    else if (ru->regular_daily > 0 && W > ru->regular_daily)
        warn(c, ZS_W_OVER_REGULAR_HOURS, W);
    if (in->has_prev_last_end && ru->min_rest > 0) {
        int64_t prev;
        zs_breaks_resolution pr = resolve_local(tz, &in->prev_last_end, 0, &prev);
        if (pr != ZS_BREAKS_LOCAL_INVALID && first - prev < ru->min_rest)
            warn(c, ZS_W_REST_PERIOD_SHORT, first - prev);
    }
    if (short_gaps > 0)
        warn(c, ZS_W_SHORT_GAP_NOT_BREAK, short_gaps);
    if (misplaced > 0)
        warn(c, ZS_W_MINOR_BREAK_POSITION, misplaced);
    if (ru->minor && ru->minor_span_max > 0 && last - first > ru->minor_span_max)
        warn(c, ZS_W_MINOR_SHIFT_SPAN_EXCEEDED, last - first);
    if (last > mid1)
        warn(c, ZS_W_CROSSES_MIDNIGHT, W - overlap_minutes(blocks, INT64_MIN, mid1));
    if (in->holiday)
        warn(c, ZS_W_HOLIDAY_WORK, overlap_minutes(blocks, mid0, mid1));
    if (mid1 - mid0 != 1440)
        warn(c, ZS_W_DST_DAY, mid1 - mid0);

    /* Per local date: Sunday minutes and (minors) minutes outside the day window. */
    int64_t sunday = 0, night = 0;
    for (size_t i = 0; i < blocks->n; i++) {
        int64_t t = blocks->v[i].s;
        while (t < blocks->v[i].e) {
            int64_t day, m = date_end(tz, t, &day);
            int64_t e = m < blocks->v[i].e ? m : blocks->v[i].e;
            if (zsb_weekday(day) == 0)
                sunday += e - t;
            if (ru->minor) {
                int64_t lo, hi;
                resolve_seconds(tz, day * 86400 + (int64_t)ru->minor_day_from * 60, 0, &lo);
                resolve_seconds(tz, day * 86400 + (int64_t)ru->minor_day_to * 60, 0, &hi);
                lo = zsb_floor_div(lo, 60);
                hi = zsb_floor_div(hi, 60);
                int64_t a = t > lo ? t : lo, b = e < hi ? e : hi;
                night += (e - t) - (b > a ? b - a : 0);
            }
            t = e;
        }
    }
    if (sunday > 0)
        warn(c, ZS_W_SUNDAY_WORK, sunday);
    if (night > 0)
        warn(c, ZS_W_MINOR_NIGHT_WORK, night);
    return c->oom ? -1 : 0;
}

/* Step 9: the deduction D and its kind. */
static int64_t deduction(const zs_breaks_input *in, int64_t W, int64_t Bq, int64_t req, zs_breaks_kind *kind)
{
    const zs_breaks_rules *ru = &in->rules;
    *kind = ZS_KIND_NONE;
    if (in->deduction == ZS_BREAKS_NONE || req <= Bq)
        return 0;
    if (in->deduction == ZS_BREAKS_FULL) {
        *kind = ZS_KIND_MISSING;
        return req - Bq < W ? req - Bq : W;
    }
    /* Candidates (reference §5.2 step 9): topping the credited break up to a tier's R, or capping
     * the net at a tier's threshold; the smallest that makes the day consistent wins. */
    int64_t best = -1;
    for (int i = 0; i < ru->ntiers; i++) {
        int64_t cands[2] = {(int64_t)ru->tiers[i].minutes - Bq, W - ru->tiers[i].threshold};
        for (int k = 0; k < 2; k++)
            if (cands[k] > 0 && (best < 0 || cands[k] < best) && Bq + cands[k] >= required(ru, W - cands[k]))
                best = cands[k];
    }
    if (best < 0) /* unreachable: R_max - Bq always qualifies */
        best = req - Bq;
    *kind = ZS_KIND_MISSING;
    for (int i = 0; i < ru->ntiers; i++)
        if (W - ru->tiers[i].threshold == best)
            *kind = ZS_KIND_CAP; /* CAP wins ties */
    return best < W ? best : W;
}

zs_rc zs_breaks_eval(const zs_breaks_input *in, zs_breaks_result *r, zs_err *err)
{
    memset(r, 0, sizeof *r);
    if (!in || !in->tz)
        return zs_err_set(err, ZS_ERR_FAILED, "no time zone");
    if (in->nbookings && !in->bookings)
        return zs_err_set(err, ZS_ERR_FAILED, "no bookings array");
    if (in->nbookings > ZS_BREAKS_MAX_BOOKINGS)
        return zs_err_set(err, ZS_ERR_FAILED, "too many bookings (%zu, at most %d)", in->nbookings,
                          ZS_BREAKS_MAX_BOOKINGS);
    /* Rules may come from anywhere; bounded, they keep every sum below far from overflow. */
    zs_breaks_input in_copy = *in;
    zs_breaks_rules *cr = &in_copy.rules;
    if (cr->ntiers < 0 || cr->ntiers > ZS_BREAKS_MAX_TIERS)
        cr->ntiers = cr->ntiers < 0 ? 0 : ZS_BREAKS_MAX_TIERS;
    int *fields[] = {&cr->min_block, &cr->max_consecutive, &cr->regular_daily, &cr->max_daily, &cr->min_rest,
                     &cr->minor_span_max, &cr->minor_window, &cr->minor_day_from, &cr->minor_day_to};
    for (size_t i = 0; i < sizeof fields / sizeof *fields; i++)
        *fields[i] = *fields[i] < 0 ? 0 : *fields[i] > 100000 ? 100000 : *fields[i];
    for (int i = 0; i < cr->ntiers; i++) {
        zs_breaks_tier *t = &cr->tiers[i];
        t->threshold = t->threshold < 0 ? 0 : t->threshold > 100000 ? 100000 : t->threshold;
        t->minutes = t->minutes < 0 ? 0 : t->minutes > 100000 ? 100000 : t->minutes;
    }
    in = &in_copy;
    const zs_breaks_rules *ru = &in->rules;
    ctx c = {.in = in, .r = r};
    tzc_init(&c.z, in->tz);
    tzc *tz = &c.z;
    rb *v = calloc(in->nbookings ? in->nbookings : 1, sizeof *v);
    ivec blocks = {0}, keep_idx = {0}, kept = {0}, pieces = {0}, sub = {0}, split = {0}, days = {0};
    ivec psplit = {0}, pdays = {0}, owners = {0};
    const char **ids = NULL;
    if (!v)
        goto oom;

    /* Step 1: resolve. */
    size_t n = 0;
    for (size_t i = 0; i < in->nbookings; i++) {
        const zs_breaks_booking *b = &in->bookings[i];
        int64_t s, e;
        zs_breaks_resolution rs = resolve_local(tz, &b->start, 0, &s);
        zs_breaks_resolution re = resolve_local(tz, &b->end, 0, &e);
        if (re == ZS_BREAKS_LOCAL_AMBIGUOUS && e <= s)
            resolve_local(tz, &b->end, 1, &e);
        if (rs == ZS_BREAKS_LOCAL_BAD_OFFSET || re == ZS_BREAKS_LOCAL_BAD_OFFSET || rs == ZS_BREAKS_LOCAL_INVALID ||
            re == ZS_BREAKS_LOCAL_INVALID || e <= s ||
            e - s > ZS_BREAKS_MAX_BOOKING_MIN) {
            warn_full(&c, ZS_W_INVALID_BOOKING, e - s, 0, ZS_KIND_NONE, b->id ? b->id : "", INT64_MIN);
            continue;
        }
        if (rs == ZS_BREAKS_LOCAL_NONEXISTENT || re == ZS_BREAKS_LOCAL_NONEXISTENT)
            warn_full(&c, ZS_W_NONEXISTENT_LOCAL_TIME, 0, 0, ZS_KIND_NONE, b->id ? b->id : "", INT64_MIN);
        if (rs == ZS_BREAKS_LOCAL_AMBIGUOUS || re == ZS_BREAKS_LOCAL_AMBIGUOUS)
            warn_full(&c, ZS_W_AMBIGUOUS_LOCAL_TIME, 0, 0, ZS_KIND_NONE, b->id ? b->id : "", INT64_MIN);
        v[n++] = (rb){s, e, i, b};
    }
    if (c.oom)
        goto oom;

    if (n > 0) {
        /* Steps 2-4: sort, merge (touching merges too), W. */
        qsort(v, n, sizeof *v, rb_cmp);
        int64_t sum = 0;
        for (size_t i = 0; i < n; i++) {
            sum += v[i].e - v[i].s;
            if (blocks.n && v[i].s <= blocks.v[blocks.n - 1].e) {
                if (v[i].e > blocks.v[blocks.n - 1].e)
                    blocks.v[blocks.n - 1].e = v[i].e;
            } else if (ivec_push(&blocks, v[i].s, v[i].e, 0) != 0) {
                goto oom;
            }
        }
        int64_t W = 0;
        for (size_t i = 0; i < blocks.n; i++)
            W += blocks.v[i].e - blocks.v[i].s;
        if (sum > W)
            warn(&c, ZS_W_OVERLAP_MERGED, sum - W);

        /* Steps 5-6: gaps and runs. */
        int64_t first = blocks.v[0].s, last = blocks.v[blocks.n - 1].e;
        int64_t Bq = 0, short_gaps = 0, misplaced = 0, run = blocks.v[0].e - blocks.v[0].s, max_run = 0;
        for (size_t k = 1; k < blocks.n; k++) {
            int64_t gs = blocks.v[k - 1].e, ge = blocks.v[k].s, g = ge - gs;
            int credited = g >= ru->min_block;
            if (credited && ru->minor &&
                !(gs >= first + ru->minor_window && ge <= last - ru->minor_window)) {
                credited = 0;
                misplaced += g;
            } else if (!credited) {
                short_gaps += g;
            }
            if (credited) {
                Bq += g;
                if (run > max_run)
                    max_run = run;
                run = 0;
            }
            run += blocks.v[k].e - blocks.v[k].s;
        }
        if (run > max_run)
            max_run = run;

        /* Steps 7-9. */
        int64_t req = required(ru, W);
        if (compliance(&c, &blocks, W, Bq, req, max_run, short_gaps, misplaced) != 0)
            goto oom;
        zs_breaks_kind kind;
        int64_t D = deduction(in, W, Bq, req, &kind);
        if (D > 0)
            warn_full(&c, ZS_W_BREAK_DEDUCTED, D, 0, kind, NULL, INT64_MIN);

        /* Steps 10-11 in work-minute numbering, then back to instants. */
        if (kind == ZS_KIND_MISSING && D > 0) {
            int64_t s = ru->ntiers ? ru->tiers[0].threshold : 0;
            if (s > W - D)
                s = W - D;
            if (ivec_push(&keep_idx, 0, s, 0) != 0 || ivec_push(&keep_idx, s + D, W, 0) != 0)
                goto oom;
        } else if (ivec_push(&keep_idx, 0, W - D, 0) != 0) {
            goto oom;
        }
        int64_t trunc = 0;
        if (in->cap == ZS_BREAKS_CAP_TRUNCATE && ru->max_daily > 0 && W - D > ru->max_daily) {
            trunc = W - D - ru->max_daily;
            int64_t left = trunc;
            for (size_t i = keep_idx.n; i-- > 0 && left > 0;) {
                int64_t len = keep_idx.v[i].e - keep_idx.v[i].s, cut = len < left ? len : left;
                keep_idx.v[i].e -= cut;
                left -= cut;
            }
            warn(&c, ZS_W_MAX_DAILY_TRUNCATED, trunc);
        }
        for (size_t i = 0; i < keep_idx.n; i++)
            if (keep_idx.v[i].e > keep_idx.v[i].s &&
                index_to_instants(&blocks, keep_idx.v[i].s, keep_idx.v[i].e, &kept) != 0)
                goto oom;
        r->work_minutes = W;
        r->credited_break = Bq;
        r->required_break = req;
        r->deducted = D;
        r->truncated = trunc;

        /* Step 12, INDIVIDUAL resolution (also names the bookings in daily output): first come. */
        int64_t cursor = INT64_MIN;
        for (size_t i = 0; i < n; i++) {
            int64_t s = v[i].s > cursor ? v[i].s : cursor;
            if (s >= v[i].e)
                continue;
            if (ivec_push(&pieces, s, v[i].e, i) != 0)
                goto oom;
            cursor = v[i].e;
        }
        /* pieces minus removed minutes = pieces ∩ kept (both sorted and disjoint) */
        for (size_t i = 0, k = 0; i < pieces.n; i++) {
            while (k < kept.n && kept.v[k].e <= pieces.v[i].s)
                k++;
            for (size_t j = k; j < kept.n && kept.v[j].s < pieces.v[i].e; j++) {
                int64_t a = pieces.v[i].s > kept.v[j].s ? pieces.v[i].s : kept.v[j].s;
                int64_t b = pieces.v[i].e < kept.v[j].e ? pieces.v[i].e : kept.v[j].e;
                if (b > a && ivec_push(&sub, a, b, pieces.v[i].src) != 0)
                    goto oom;
            }
        }
        if (split_midnight(tz, &sub, &psplit, &pdays) != 0 || split_midnight(tz, &kept, &split, &days) != 0)
            goto oom;
        ids = malloc((psplit.n ? psplit.n : 1) * sizeof *ids);
        if (!ids)
            goto oom;

        if (in->mode == ZS_BREAKS_INDIVIDUAL) {
            for (size_t i = 0; i < psplit.n; i++) {
                const zs_breaks_booking *b = v[psplit.v[i].src].b;
                ids[0] = b->id ? b->id : "";
                if (add_attendance(&c, pdays.v[i].s, psplit.v[i].s, psplit.v[i].e,
                                   psplit.v[i].e - psplit.v[i].s, ids, 1) != 0 ||
                    add_period(&c, ZS_PERIOD_WORK, psplit.v[i].s, psplit.v[i].e, b) != 0)
                    goto oom;
            }
        } else {
            /* An attendance names every booking with a kept minute on its date, double bookings
             * wholly covered by another included: (split index, booking) pairs, in booking order
             * per date. A booking (<= 48 h) lies in one block, so it meets only a few pieces. */
            for (size_t i = 0; i < n; i++) {
                size_t lo = 0, hi = split.n;
                while (lo < hi) {
                    size_t mid = lo + (hi - lo) / 2;
                    if (split.v[mid].e <= v[i].s)
                        lo = mid + 1;
                    else
                        hi = mid;
                }
                for (size_t k = lo; k < split.n && split.v[k].s < v[i].e; k++)
                    if (ivec_push(&owners, days.v[k].s, (int64_t)i, k) != 0)
                        goto oom;
            }
            if (owners.n > 1)
                qsort(owners.v, owners.n, sizeof *owners.v, owner_cmp);
            free(ids);
            ids = malloc((owners.n ? owners.n : 1) * sizeof *ids);
            if (!ids)
                goto oom;
            size_t p = 0; /* cursor into psplit, which partitions split finer */
            size_t o = 0; /* cursor into owners, grouped by date */
            for (size_t i = 0; i < split.n;) {
                size_t j = i;
                int64_t net = 0;
                size_t nids = 0;
                while (j < split.n && days.v[j].s == days.v[i].s) {
                    net += split.v[j].e - split.v[j].s;
                    if (j > i && add_period(&c, ZS_PERIOD_BREAK, split.v[j - 1].e, split.v[j].s, NULL) != 0)
                        goto oom;
                    size_t p0 = p;
                    while (p < psplit.n && psplit.v[p].e <= split.v[j].e)
                        p++;
                    const zs_breaks_booking *one = p == p0 + 1 ? v[psplit.v[p0].src].b : NULL;
                    if (add_period(&c, ZS_PERIOD_WORK, split.v[j].s, split.v[j].e, one) != 0)
                        goto oom;
                    j++;
                }
                for (; o < owners.n && owners.v[o].s == days.v[i].s; o++) {
                    const char *id = v[owners.v[o].e].b->id;
                    id = id ? id : "";
                    int dup = 0;
                    for (size_t q = 0; q < nids && !dup; q++)
                        dup = strcmp(ids[q], id) == 0;
                    if (!dup)
                        ids[nids++] = id;
                }
                if (add_attendance(&c, days.v[i].s, split.v[i].s, split.v[j - 1].e, net, ids, nids) != 0)
                    goto oom;
                i = j;
            }
        }

        /* Step 13. */
        for (size_t i = 0; i < r->nattendances; i++) {
            const zs_breaks_attendance *a = &r->attendances[i];
            int64_t real = a->end - a->start, wall = wall_minutes(tz, a->end) - wall_minutes(tz, a->start);
            if (real != wall)
                warn_full(&c, ZS_W_DST_WALLCLOCK_MISMATCH, real - wall, 0, ZS_KIND_NONE, NULL,
                          zsb_days_from_civil(a->year, a->month, a->day));
        }
        if (c.oom)
            goto oom;
    }
    if (r->nwarnings > 1)
        qsort(r->warnings, r->nwarnings, sizeof *r->warnings, warning_cmp);
    free(v);
    free(ids);
    free(blocks.v);
    free(keep_idx.v);
    free(kept.v);
    free(pieces.v);
    free(sub.v);
    free(split.v);
    free(days.v);
    free(psplit.v);
    free(pdays.v);
    free(owners.v);
    return ZS_OK;
oom:
    free(v);
    free(ids);
    free(blocks.v);
    free(keep_idx.v);
    free(kept.v);
    free(pieces.v);
    free(sub.v);
    free(split.v);
    free(days.v);
    free(psplit.v);
    free(pdays.v);
    free(owners.v);
    zs_breaks_result_release(r);
    return zs_err_set(err, ZS_ERR_RETRY, "out of memory");
}
