/*
 * Helpers shared by the break-rule tests: turning a vector into an engine input or a CLI request,
 * and rendering engine results and CLI responses into one compact notation to compare.
 */
#ifndef BREAKS_COMMON_H
#define BREAKS_COMMON_H

#include "breaks/zs_breaks.h"
#include "core/zs_buf.h"
#include "vectors.h"

#include <json-c/json.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define MAXB 16

typedef struct parsed_vec {
    zs_breaks_booking b[MAXB];
    size_t n;
    char text[MAXB][2][24]; /* "YYYY-MM-DDTHH:MM" start/end */
    char ids[MAXB][24];
} parsed_vec;

/* Next calendar date of "YYYY-MM-DD". */
static void next_date(const char *d, char out[16])
{
    int y, m, dd;
    sscanf(d, "%d-%d-%d", &y, &m, &dd);
    static const int md[] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
    int len = md[m - 1] + (m == 2 && ((y % 4 == 0 && y % 100) || y % 400 == 0));
    if (++dd > len) {
        dd = 1;
        if (++m > 12) {
            m = 1;
            y++;
        }
    }
    snprintf(out, 16, "%04d-%02d-%02d", y % 10000, m % 100, dd % 100);
}

static void vec_parse(const bvec *v, parsed_vec *p)
{
    memset(p, 0, sizeof *p);
    char next[16];
    next_date(v->date, next);
    const char *s = v->bookings;
    while (*s && p->n < MAXB) {
        char a[6] = {0}, e[6] = {0};
        memcpy(a, s, 5);
        memcpy(e, s + 6, 5);
        s += 11;
        int plus = 0;
        if (strncmp(s, "+1", 2) == 0) {
            plus = 1;
            s += 2;
        }
        if (*s == ',')
            s++;
        snprintf(p->text[p->n][0], 24, "%sT%s", v->date, a);
        snprintf(p->text[p->n][1], 24, "%sT%s", plus ? next : v->date, e);
        snprintf(p->ids[p->n], sizeof p->ids[p->n], "b%zu", p->n + 1);
        p->b[p->n].id = p->ids[p->n];
        p->b[p->n].project = "P1";
        zs_breaks_local_parse(p->text[p->n][0], &p->b[p->n].start);
        zs_breaks_local_parse(p->text[p->n][1], &p->b[p->n].end);
        p->n++;
    }
}

static void vec_json(const bvec *v, const parsed_vec *p, zs_buf *out)
{
    zs_buf_printf(out, "{\"timezone\":\"%s\",\"rules\":\"%s\"", v->tz ? v->tz : "Europe/Berlin",
                  v->rules ? v->rules : "DE");
    if (v->mode)
        zs_buf_printf(out, ",\"mode\":\"%s\"", v->mode);
    if (v->deduction)
        zs_buf_printf(out, ",\"deduction\":\"%s\"", v->deduction);
    if (v->cap)
        zs_buf_printf(out, ",\"cap\":\"%s\"", v->cap);
    if (v->prev)
        zs_buf_printf(out, ",\"prev_last_end\":\"%s\"", v->prev);
    if (v->holiday)
        zs_buf_puts(out, ",\"holiday\":true");
    zs_buf_puts(out, ",\"bookings\":[");
    for (size_t i = 0; i < p->n; i++)
        zs_buf_printf(out, "%s{\"id\":\"%s\",\"start\":\"%s\",\"end\":\"%s\",\"project\":\"P1\"}", i ? "," : "",
                      p->ids[i], p->text[i][0], p->text[i][1]);
    zs_buf_puts(out, "]}");
}

static int vec_input(const bvec *v, const parsed_vec *p, zs_tz_db *db, zs_breaks_input *in)
{
    memset(in, 0, sizeof *in);
    if (zs_tz_db_get(db, v->tz ? v->tz : "Europe/Berlin", &in->tz, NULL) != ZS_OK)
        return -1;
    zs_breaks_rules_preset(v->rules ? v->rules : "DE", &in->rules);
    in->mode = v->mode && strcmp(v->mode, "individual") == 0 ? ZS_BREAKS_INDIVIDUAL : ZS_BREAKS_DAILY;
    in->deduction = !v->deduction ? ZS_BREAKS_FLOATING
                    : strcmp(v->deduction, "none") == 0 ? ZS_BREAKS_NONE
                                                        : ZS_BREAKS_FULL;
    in->cap = v->cap ? ZS_BREAKS_CAP_TRUNCATE : ZS_BREAKS_CAP_WARN;
    if (v->prev) {
        in->has_prev_last_end = 1;
        zs_breaks_local_parse(v->prev, &in->prev_last_end);
    }
    in->holiday = v->holiday;
    in->bookings = p->b;
    in->nbookings = p->n;
    return 0;
}

/* ISO local "YYYY-MM-DDTHH:MM+hh:mm" of an instant and offset. */
static void iso_local(int64_t t, int32_t off, char *buf)
{
    int64_t ls = t * 60 + off;
    int64_t days = ls >= 0 ? ls / 86400 : -((-ls + 86399) / 86400);
    int64_t sod = ls - days * 86400;
    /* civil from days */
    int64_t z = days + 719468, era = (z >= 0 ? z : z - 146096) / 146097, doe = z - era * 146097;
    int64_t yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365, doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    int64_t mp = (5 * doy + 2) / 153, d = doy - (153 * mp + 2) / 5 + 1, m = mp < 10 ? mp + 3 : mp - 9;
    int64_t y = yoe + era * 400 + (m <= 2);
    int32_t a = off < 0 ? -off : off;
    sprintf(buf, "%04d-%02d-%02dT%02d:%02d%c%02d:%02d", (int)y, (int)m, (int)d, (int)(sod / 3600),
            (int)(sod / 60 % 60), off < 0 ? '-' : '+', a / 3600, a / 60 % 60);
}

/* One attendance in the vector notation from ISO strings. */
static void render_att(zs_buf *out, const bvec *v, const char *date, const char *start, const char *end,
                       long long brk, long long net)
{
    if (out->len)
        zs_buf_puts(out, "|");
    if (strcmp(date, v->date) != 0)
        zs_buf_printf(out, "%.5s ", date + 5);
    zs_buf_printf(out, "%.5s", start + 11);
    if (v->offsets)
        zs_buf_puts(out, start + 16);
    int midnight_end = strncmp(end, date, 10) != 0 && strncmp(end + 11, "00:00", 5) == 0;
    zs_buf_printf(out, "-%.5s", midnight_end ? "24:00" : end + 11);
    if (v->offsets)
        zs_buf_puts(out, end + 16);
    zs_buf_printf(out, " b%lld n%lld", brk, net);
}

typedef struct wnote {
    char s[64];
} wnote;

static void render_warning(wnote *w, const char *code, long long minutes, long long credited, const char *kind)
{
    static const struct {
        const char *code, *abbr;
        int fmt; /* 0 none, 1 minutes, 2 req/credited, 3 minutes,kind, 4 signed minutes */
    } map[] = {
        {"BREAK_INSUFFICIENT", "BI", 2},   {"CONTINUOUS_WORK_EXCEEDED", "CW", 1},
        {"MAX_DAILY_EXCEEDED", "MD", 1},   {"OVER_REGULAR_HOURS", "OR", 1},
        {"REST_PERIOD_SHORT", "RS", 1},    {"SHORT_GAP_NOT_BREAK", "SG", 1},
        {"OVERLAP_MERGED", "OM", 1},       {"BREAK_DEDUCTED", "BD", 3},
        {"MAX_DAILY_TRUNCATED", "MDT", 1}, {"CROSSES_MIDNIGHT", "CM", 0},
        {"SUNDAY_WORK", "SUN", 0},         {"HOLIDAY_WORK", "HOL", 0},
        {"DST_DAY", "DST", 1},             {"DST_WALLCLOCK_MISMATCH", "DWM", 4},
        {"NONEXISTENT_LOCAL_TIME", "NONEX", 0}, {"AMBIGUOUS_LOCAL_TIME", "AMB", 0},
        {"INVALID_BOOKING", "INV", 0},     {"MINOR_BREAK_POSITION", "MBP", 1},
        {"MINOR_SHIFT_SPAN_EXCEEDED", "MSS", 1}, {"MINOR_NIGHT_WORK", "MNW", 1},
    };
    for (size_t i = 0; i < sizeof map / sizeof *map; i++) {
        if (strcmp(map[i].code, code) != 0)
            continue;
        switch (map[i].fmt) {
        case 0: snprintf(w->s, sizeof w->s, "%s", map[i].abbr); break;
        case 1: snprintf(w->s, sizeof w->s, "%s(%lld)", map[i].abbr, minutes); break;
        case 2: snprintf(w->s, sizeof w->s, "%s(%lld/%lld)", map[i].abbr, minutes, credited); break;
        case 3: snprintf(w->s, sizeof w->s, "%s(%lld,%s)", map[i].abbr, minutes, kind ? kind : "?"); break;
        default: snprintf(w->s, sizeof w->s, "%s(%+lld)", map[i].abbr, minutes); break;
        }
        return;
    }
    snprintf(w->s, sizeof w->s, "?%s", code);
}

static int wnote_cmp(const void *a, const void *b)
{
    return strcmp(((const wnote *)a)->s, ((const wnote *)b)->s);
}

/* Sorted, space-joined set of notes into out. */
static void join_notes(wnote *w, size_t n, zs_buf *out)
{
    qsort(w, n, sizeof *w, wnote_cmp);
    for (size_t i = 0; i < n; i++)
        zs_buf_printf(out, "%s%s", i ? " " : "", w[i].s);
}

/* Canonical form of an expected warning list (any order in the table). */
static void canon_expected(const char *spec, zs_buf *out)
{
    wnote w[32];
    size_t n = 0;
    const char *s = spec;
    while (*s && n < 32) {
        const char *e = strchr(s, ' ');
        size_t len = e ? (size_t)(e - s) : strlen(s);
        snprintf(w[n++].s, sizeof w[0].s, "%.*s", (int)len, s);
        s += len;
        while (*s == ' ')
            s++;
    }
    join_notes(w, n, out);
}

static void render_result(const bvec *v, const zs_breaks_result *r, zs_buf *att, zs_buf *warn)
{
    for (size_t i = 0; i < r->nattendances; i++) {
        const zs_breaks_attendance *a = &r->attendances[i];
        char date[16], s[40], e[40];
        snprintf(date, sizeof date, "%04d-%02d-%02d", a->year, a->month, a->day);
        iso_local(a->start, a->start_off, s);
        iso_local(a->end, a->end_off, e);
        render_att(att, v, date, s, e, (long long)a->break_minutes, (long long)a->net_minutes);
    }
    wnote *w = calloc(r->nwarnings + 1, sizeof *w);
    for (size_t i = 0; i < r->nwarnings; i++) {
        const zs_breaks_warning *x = &r->warnings[i];
        render_warning(&w[i], zs_breaks_code_name(x->code), (long long)x->minutes, (long long)x->credited,
                       x->kind == ZS_KIND_CAP ? "CAP" : x->kind == ZS_KIND_MISSING ? "MISSING" : NULL);
    }
    join_notes(w, r->nwarnings, warn);
    free(w);
}

static const char *jstr(json_object *o, const char *k)
{
    json_object *v;
    return json_object_object_get_ex(o, k, &v) && json_object_is_type(v, json_type_string)
               ? json_object_get_string(v)
               : "";
}

static long long jint(json_object *o, const char *k)
{
    json_object *v;
    return json_object_object_get_ex(o, k, &v) ? (long long)json_object_get_int64(v) : -999999;
}

/* Severities as reference §5.2 lists them, written out again here rather than taken from the
 * engine, so that a wrong severity in the CLI output makes the vector fail. */
static const char *ref_severity(const char *code)
{
    static const char *const errors[] = {"BREAK_INSUFFICIENT", "CONTINUOUS_WORK_EXCEEDED", "MAX_DAILY_EXCEEDED",
                                         "REST_PERIOD_SHORT", "MINOR_BREAK_POSITION", "MINOR_SHIFT_SPAN_EXCEEDED",
                                         "MINOR_NIGHT_WORK", "INVALID_BOOKING"};
    static const char *const warnings[] = {"SUNDAY_WORK", "HOLIDAY_WORK", "NONEXISTENT_LOCAL_TIME",
                                           "AMBIGUOUS_LOCAL_TIME", "DST_WALLCLOCK_MISMATCH"};
    for (size_t i = 0; i < sizeof errors / sizeof *errors; i++)
        if (strcmp(code, errors[i]) == 0)
            return "error";
    for (size_t i = 0; i < sizeof warnings / sizeof *warnings; i++)
        if (strcmp(code, warnings[i]) == 0)
            return "warning";
    return "info";
}

/* Renders a CLI response; -1 if it is not the documented shape. */
static int render_json(const bvec *v, const char *text, zs_buf *att, zs_buf *warn)
{
    json_object *root = json_tokener_parse(text), *a, *p, *w;
    if (!root || !json_object_object_get_ex(root, "attendances", &a) ||
        !json_object_object_get_ex(root, "periods", &p) || !json_object_object_get_ex(root, "warnings", &w) ||
        !json_object_is_type(a, json_type_array) || !json_object_is_type(w, json_type_array)) {
        json_object_put(root);
        return -1;
    }
    for (size_t i = 0; i < json_object_array_length(a); i++) {
        json_object *x = json_object_array_get_idx(a, i);
        render_att(att, v, jstr(x, "date"), jstr(x, "start"), jstr(x, "end"), jint(x, "break_minutes"),
                   jint(x, "net_minutes"));
    }
    size_t n = json_object_array_length(w);
    wnote *notes = calloc(n + 1, sizeof *notes);
    for (size_t i = 0; i < n; i++) {
        json_object *x = json_object_array_get_idx(w, i);
        const char *code = jstr(x, "code");
        int bi = strcmp(code, "BREAK_INSUFFICIENT") == 0;
        render_warning(&notes[i], code, bi ? jint(x, "required") : jint(x, "minutes"), jint(x, "credited"),
                       jstr(x, "kind"));
        if (strcmp(jstr(x, "severity"), ref_severity(code)) != 0) {
            size_t l = strlen(notes[i].s);
            snprintf(notes[i].s + l, sizeof notes[i].s - l, "[severity %.12s]", jstr(x, "severity"));
        }
    }
    join_notes(notes, n, warn);
    free(notes);
    json_object_put(root);
    return 0;
}

#endif
