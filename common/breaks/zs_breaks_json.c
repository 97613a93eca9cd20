/*
 * The JSON face of the engine: the fixed request/response of `zepsync breaks` (issue 5).
 *
 * Strict about what it understands (unknown top-level keys, wrong types and bad times are errors,
 * so an operator's typo does not silently fall back to a default), lenient inside bookings, which
 * other tools may copy from ZEP with extra fields.
 */
#include "breaks/zs_breaks.h"
#include "core/zs_buf.h"
#include "zs_breaks_int.h"

#include <json-c/json.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define MAX_INPUT (8u << 20)
#define MAX_DEPTH 16

static const char *const top_keys[] = {"timezone", "rules", "mode", "deduction", "cap",
                                       "prev_last_end", "holiday", "custom", "bookings"};

static int pick(const char *s, const char *const *names, int n)
{
    for (int i = 0; i < n; i++)
        if (strcmp(s, names[i]) == 0)
            return i;
    return -1;
}

/* Optional string member: 0 and *out untouched if absent or null, -1 if of another type. */
static int opt_string(json_object *o, const char *key, const char **out)
{
    json_object *v;
    if (!json_object_object_get_ex(o, key, &v) || !v)
        return 0;
    if (!json_object_is_type(v, json_type_string))
        return -1;
    *out = json_object_get_string(v);
    return 0;
}

static int opt_enum(json_object *o, const char *key, const char *const *names, int n, int *out, zs_err *err)
{
    const char *s = NULL;
    if (opt_string(o, key, &s) != 0)
        return zs_err_set(err, ZS_ERR_FAILED, "\"%s\" must be a string", key), -1;
    if (!s)
        return 0;
    int v = pick(s, names, n);
    if (v < 0) {
        char list[256] = "";
        for (int i = 0; i < n; i++)
            snprintf(list + strlen(list), sizeof list - strlen(list), "%s%s", i ? ", " : "", names[i]);
        zs_err_set(err, ZS_ERR_FAILED, "unknown %s \"%.64s\" (one of: %s)", key, s, list);
        return -1;
    }
    *out = v;
    return 0;
}

static int int_member(json_object *o, const char *key, int lo, int hi, int *out, zs_err *err)
{
    json_object *v;
    if (!json_object_object_get_ex(o, key, &v) || !v)
        return zs_err_set(err, ZS_ERR_FAILED, "custom.%s is required", key), -1;
    if (!json_object_is_type(v, json_type_int))
        return zs_err_set(err, ZS_ERR_FAILED, "custom.%s must be an integer", key), -1;
    int64_t x = json_object_get_int64(v);
    if (x < lo || x > hi)
        return zs_err_set(err, ZS_ERR_FAILED, "custom.%s must be between %d and %d", key, lo, hi), -1;
    *out = (int)x;
    return 0;
}

static int parse_custom(json_object *c, zs_breaks_rules *r, zs_err *err)
{
    static const char *const keys[] = {"tiers", "min_block", "max_consecutive", "regular_daily",
                                       "max_daily", "min_rest"};
    memset(r, 0, sizeof *r);
    if (!json_object_is_type(c, json_type_object))
        return zs_err_set(err, ZS_ERR_FAILED, "\"custom\" must be an object"), -1;
    json_object_object_foreach(c, key, val)
    {
        (void)val;
        if (pick(key, keys, 6) < 0)
            return zs_err_set(err, ZS_ERR_FAILED, "unknown field custom.%.64s", key), -1;
    }
    json_object *tiers;
    if (!json_object_object_get_ex(c, "tiers", &tiers) || !json_object_is_type(tiers, json_type_array))
        return zs_err_set(err, ZS_ERR_FAILED, "custom.tiers must be an array of [threshold, minutes]"), -1;
    size_t nt = json_object_array_length(tiers);
    if (nt > ZS_BREAKS_MAX_TIERS)
        return zs_err_set(err, ZS_ERR_FAILED, "custom.tiers: at most %d tiers", ZS_BREAKS_MAX_TIERS), -1;
    for (size_t i = 0; i < nt; i++) {
        json_object *t = json_object_array_get_idx(tiers, i);
        json_object *a = t && json_object_is_type(t, json_type_array) && json_object_array_length(t) == 2
                             ? json_object_array_get_idx(t, 0)
                             : NULL;
        json_object *b = a ? json_object_array_get_idx(t, 1) : NULL;
        if (!a || !b || !json_object_is_type(a, json_type_int) || !json_object_is_type(b, json_type_int))
            return zs_err_set(err, ZS_ERR_FAILED, "custom.tiers[%zu] must be [threshold, minutes]", i), -1;
        int64_t th = json_object_get_int64(a), mi = json_object_get_int64(b);
        if (th < 0 || th > 2880 || mi < 0 || mi > 1440)
            return zs_err_set(err, ZS_ERR_FAILED,
                              "custom.tiers[%zu]: threshold 0..2880 and minutes 0..1440", i), -1;
        if (i > 0 && th <= r->tiers[i - 1].threshold)
            return zs_err_set(err, ZS_ERR_FAILED, "custom.tiers must be in ascending threshold order"), -1;
        r->tiers[i] = (zs_breaks_tier){(int)th, (int)mi};
    }
    r->ntiers = (int)nt;
    if (int_member(c, "min_block", 0, 1440, &r->min_block, err) ||
        int_member(c, "max_consecutive", 0, 2880, &r->max_consecutive, err) ||
        int_member(c, "regular_daily", 0, 2880, &r->regular_daily, err) ||
        int_member(c, "max_daily", 0, 2880, &r->max_daily, err) ||
        int_member(c, "min_rest", 0, 2880, &r->min_rest, err))
        return -1;
    return 0;
}

static int parse_time(const char *what, json_object *v, zs_breaks_local *out, zs_err *err)
{
    if (!v || !json_object_is_type(v, json_type_string))
        return zs_err_set(err, ZS_ERR_FAILED, "%s must be a string \"YYYY-MM-DDTHH:MM\"", what), -1;
    const char *s = json_object_get_string(v);
    if (zs_breaks_local_parse(s, out) != 0)
        return zs_err_set(err, ZS_ERR_FAILED, "%s: \"%.40s\" is not a local time YYYY-MM-DDTHH:MM[+HH:MM]",
                          what, s),
               -1;
    return 0;
}

static void fmt_local(char *buf, size_t cap, int64_t t, int32_t off, int with_offset, int seconds)
{
    int64_t ls = t * 60 + off;
    int64_t days = zsb_floor_div(ls, 86400), sod = ls - days * 86400;
    int y, m, d;
    zsb_civil_from_days(days, &y, &m, &d);
    int n = snprintf(buf, cap, "%04d-%02d-%02dT%02d:%02d", y, m, d, (int)(sod / 3600), (int)(sod / 60 % 60));
    if (seconds)
        n += snprintf(buf + n, cap - (size_t)n, ":00");
    if (with_offset) {
        int32_t a = off < 0 ? -off : off;
        snprintf(buf + n, cap - (size_t)n, "%c%02d:%02d", off < 0 ? '-' : '+', a / 3600, a / 60 % 60);
    }
}

static void put_str(zs_buf *b, const char *s)
{
    zs_buf_puts(b, "\"");
    for (const unsigned char *p = (const unsigned char *)(s ? s : ""); *p; p++) {
        if (*p == '"' || *p == '\\')
            zs_buf_printf(b, "\\%c", *p);
        else if (*p < 0x20 || *p == 0x7f)
            zs_buf_printf(b, "\\u%04x", *p);
        else
            zs_buf_append(b, p, 1);
    }
    zs_buf_puts(b, "\"");
}

zs_rc zs_breaks_result_json(const zs_breaks_result *r, char **out_json, zs_err *err)
{
    zs_buf b;
    zs_buf_init(&b);
    char t1[48], t2[48];
    zs_buf_puts(&b, "{\"attendances\":[");
    for (size_t i = 0; i < r->nattendances; i++) {
        const zs_breaks_attendance *a = &r->attendances[i];
        fmt_local(t1, sizeof t1, a->start, a->start_off, 1, 0);
        fmt_local(t2, sizeof t2, a->end, a->end_off, 1, 0);
        zs_buf_printf(&b, "%s{\"date\":\"%04d-%02d-%02d\",\"start\":\"%s\",\"end\":\"%s\",\"break_minutes\":%lld,"
                          "\"net_minutes\":%lld,\"booking_ids\":[",
                      i ? "," : "", a->year, a->month, a->day, t1, t2, (long long)a->break_minutes,
                      (long long)a->net_minutes);
        for (size_t k = 0; k < a->nbooking_ids; k++) {
            if (k)
                zs_buf_puts(&b, ",");
            put_str(&b, a->booking_ids[k]);
        }
        zs_buf_puts(&b, "]}");
    }
    zs_buf_puts(&b, "],\"periods\":[");
    for (size_t i = 0; i < r->nperiods; i++) {
        const zs_breaks_period *p = &r->periods[i];
        fmt_local(t1, sizeof t1, p->start, p->start_off, 0, 1);
        fmt_local(t2, sizeof t2, p->end, p->end_off, 0, 1);
        zs_buf_printf(&b, "%s{\"type\":\"%s\",\"start\":\"%s\",\"end\":\"%s\"", i ? "," : "",
                      p->type == ZS_PERIOD_WORK ? "WORK" : "BREAK", t1, t2);
        if (p->booking_id) {
            zs_buf_puts(&b, ",\"booking_id\":");
            put_str(&b, p->booking_id);
        }
        if (p->project) {
            zs_buf_puts(&b, ",\"project\":");
            put_str(&b, p->project);
        }
        zs_buf_puts(&b, "}");
    }
    zs_buf_puts(&b, "],\"warnings\":[");
    for (size_t i = 0; i < r->nwarnings; i++) {
        const zs_breaks_warning *w = &r->warnings[i];
        zs_buf_printf(&b, "%s{\"code\":\"%s\",\"severity\":\"%s\"", i ? "," : "", zs_breaks_code_name(w->code),
                      zs_breaks_severity_name(zs_breaks_code_severity(w->code)));
        switch (w->code) {
        case ZS_W_BREAK_INSUFFICIENT:
            zs_buf_printf(&b, ",\"required\":%lld,\"credited\":%lld", (long long)w->minutes,
                          (long long)w->credited);
            break;
        case ZS_W_BREAK_DEDUCTED:
            zs_buf_printf(&b, ",\"minutes\":%lld,\"kind\":\"%s\"", (long long)w->minutes,
                          w->kind == ZS_KIND_CAP ? "CAP" : "MISSING");
            break;
        case ZS_W_NONEXISTENT_LOCAL_TIME:
        case ZS_W_AMBIGUOUS_LOCAL_TIME:
        case ZS_W_INVALID_BOOKING:
            zs_buf_puts(&b, ",\"booking_id\":");
            put_str(&b, w->booking_id);
            break;
        default:
            zs_buf_printf(&b, ",\"minutes\":%lld", (long long)w->minutes);
            if (w->has_date)
                zs_buf_printf(&b, ",\"date\":\"%04d-%02d-%02d\"", w->year, w->month, w->day);
        }
        zs_buf_puts(&b, "}");
    }
    zs_buf_puts(&b, "]}\n");
    if (b.oom) {
        zs_buf_release(&b);
        return zs_err_set(err, ZS_ERR_RETRY, "out of memory");
    }
    *out_json = zs_buf_steal(&b);
    return ZS_OK;
}

static zs_rc build_input(json_object *root, zs_tz_db *db, zs_breaks_input *in, zs_breaks_booking **bks,
                         zs_err *err)
{
    static const char *const rules_names[] = {"DE", "DE_MINOR", "AT", "CH", "custom"};
    static const char *const mode_names[] = {"daily", "individual"};
    static const char *const ded_names[] = {"floating", "none", "full"};
    static const char *const cap_names[] = {"warn", "truncate"};
    memset(in, 0, sizeof *in);
    *bks = NULL;
    if (!json_object_is_type(root, json_type_object))
        return zs_err_set(err, ZS_ERR_FAILED, "the request must be a JSON object");
    json_object_object_foreach(root, key, val)
    {
        (void)val;
        if (pick(key, top_keys, (int)(sizeof top_keys / sizeof *top_keys)) < 0)
            return zs_err_set(err, ZS_ERR_FAILED, "unknown field \"%.64s\"", key);
    }
    const char *tzname = "Europe/Berlin";
    if (opt_string(root, "timezone", &tzname) != 0)
        return zs_err_set(err, ZS_ERR_FAILED, "\"timezone\" must be a string");
    zs_rc rc = zs_tz_db_get(db, tzname, &in->tz, err);
    if (rc == ZS_ERR_NOTFOUND)
        return ZS_ERR_FAILED;
    if (rc != ZS_OK)
        return rc;

    int rules = 0, mode = 0, ded = 0, cap = 0;
    if (opt_enum(root, "rules", rules_names, 5, &rules, err) || opt_enum(root, "mode", mode_names, 2, &mode, err) ||
        opt_enum(root, "deduction", ded_names, 3, &ded, err) || opt_enum(root, "cap", cap_names, 2, &cap, err))
        return ZS_ERR_FAILED;
    in->mode = (zs_breaks_mode)mode;
    in->deduction = (zs_breaks_deduction)ded;
    in->cap = (zs_breaks_cap)cap;
    json_object *custom = NULL;
    int has_custom = json_object_object_get_ex(root, "custom", &custom) && custom;
    /* A "custom" block next to a preset is checked (a typo there is still a typo) but not used:
     * the issue's own example request carries one with "rules":"DE". */
    if (rules == 4 && !has_custom)
        return zs_err_set(err, ZS_ERR_FAILED, "\"rules\":\"custom\" needs a \"custom\" object");
    if (has_custom && parse_custom(custom, &in->rules, err) != 0)
        return ZS_ERR_FAILED;
    if (rules != 4)
        zs_breaks_rules_preset(rules_names[rules], &in->rules);

    json_object *v;
    if (json_object_object_get_ex(root, "holiday", &v) && v) {
        if (!json_object_is_type(v, json_type_boolean))
            return zs_err_set(err, ZS_ERR_FAILED, "\"holiday\" must be true or false");
        in->holiday = json_object_get_boolean(v);
    }
    if (json_object_object_get_ex(root, "prev_last_end", &v) && v) {
        if (parse_time("prev_last_end", v, &in->prev_last_end, err) != 0)
            return ZS_ERR_FAILED;
        int64_t t;
        if (zs_breaks_local_resolve(in->tz, &in->prev_last_end, 0, &t) == ZS_BREAKS_LOCAL_BAD_OFFSET)
            return zs_err_set(err, ZS_ERR_FAILED, "prev_last_end: the offset is not used in %s at that time",
                              tzname);
        in->has_prev_last_end = 1;
    }

    json_object *arr;
    if (!json_object_object_get_ex(root, "bookings", &arr) || !arr)
        return zs_err_set(err, ZS_ERR_FAILED, "\"bookings\" is required");
    if (!json_object_is_type(arr, json_type_array))
        return zs_err_set(err, ZS_ERR_FAILED, "\"bookings\" must be an array");
    size_t n = json_object_array_length(arr);
    if (n > ZS_BREAKS_MAX_BOOKINGS)
        return zs_err_set(err, ZS_ERR_FAILED, "too many bookings (%zu, at most %d)", n, ZS_BREAKS_MAX_BOOKINGS);
    zs_breaks_booking *b = calloc(n ? n : 1, sizeof *b);
    if (!b)
        return zs_err_set(err, ZS_ERR_RETRY, "out of memory");
    *bks = b;
    for (size_t i = 0; i < n; i++) {
        json_object *o = json_object_array_get_idx(arr, i), *s = NULL, *e = NULL;
        char what[64];
        if (!o || !json_object_is_type(o, json_type_object))
            return zs_err_set(err, ZS_ERR_FAILED, "bookings[%zu] must be an object", i);
        if (opt_string(o, "id", &b[i].id) != 0 || opt_string(o, "project", &b[i].project) != 0)
            return zs_err_set(err, ZS_ERR_FAILED, "bookings[%zu]: id and project must be strings", i);
        json_object_object_get_ex(o, "start", &s);
        json_object_object_get_ex(o, "end", &e);
        snprintf(what, sizeof what, "bookings[%zu].start", i);
        if (parse_time(what, s, &b[i].start, err) != 0)
            return ZS_ERR_FAILED;
        snprintf(what, sizeof what, "bookings[%zu].end", i);
        if (parse_time(what, e, &b[i].end, err) != 0)
            return ZS_ERR_FAILED;
        int64_t ts, te;
        zs_breaks_resolution rs = zs_breaks_local_resolve(in->tz, &b[i].start, 0, &ts);
        zs_breaks_resolution re = zs_breaks_local_resolve(in->tz, &b[i].end, 0, &te);
        if (re == ZS_BREAKS_LOCAL_AMBIGUOUS && te <= ts)
            zs_breaks_local_resolve(in->tz, &b[i].end, 1, &te);
        if (rs == ZS_BREAKS_LOCAL_BAD_OFFSET || re == ZS_BREAKS_LOCAL_BAD_OFFSET)
            return zs_err_set(err, ZS_ERR_FAILED, "bookings[%zu]: an offset that %s does not use at that time", i,
                              tzname);
        /* Equal ends are an empty booking (INVALID_BOOKING in the output); reversed ones are bad input. */
        if (te < ts) {
            /* Say what the times resolved to: in a spring gap a start can move past its end, and
             * "end 03:15 is before start 02:30" alone would read as nonsense. */
            char rs_txt[48], re_txt[48];
            fmt_local(rs_txt, sizeof rs_txt, ts, zs_tz_offset(in->tz, ts * 60), 1, 0);
            fmt_local(re_txt, sizeof re_txt, te, zs_tz_offset(in->tz, te * 60), 1, 0);
            return zs_err_set(err, ZS_ERR_FAILED, "bookings[%zu]: end %.40s (%s) is before start %.40s (%s)%s", i,
                              json_object_get_string(e), re_txt, json_object_get_string(s), rs_txt,
                              rs == ZS_BREAKS_LOCAL_NONEXISTENT || re == ZS_BREAKS_LOCAL_NONEXISTENT
                                  ? "; a time in the DST gap is moved forward by the gap"
                                  : "");
        }
    }
    in->bookings = b;
    in->nbookings = n;
    return ZS_OK;
}

static int is_alpha(char c)
{
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z');
}

/* json-c's strict mode still reads comments, single-quoted strings and NaN/Infinity: outside
 * double-quoted strings, refuse those, NUL bytes, and any word but true, false and null. */
static int plain_json(const char *s, size_t len)
{
    int in_str = 0;
    for (size_t i = 0; i < len; i++) {
        char c = s[i];
        if (in_str) {
            if (c == '\\')
                i++;
            else if (c == '"')
                in_str = 0;
        } else if (c == '"') {
            in_str = 1;
        } else if (c == '/' || c == '\'' || c == '\0') {
            return 0;
        } else if (is_alpha(c)) {
            if ((c == 'e' || c == 'E') && i > 0 && ((s[i - 1] >= '0' && s[i - 1] <= '9') || s[i - 1] == '.'))
                continue; /* exponent; the parser checks the number itself */
            size_t j = i;
            while (j < len && is_alpha(s[j]))
                j++;
            size_t n = j - i;
            if (!((n == 4 && memcmp(s + i, "true", 4) == 0) || (n == 5 && memcmp(s + i, "false", 5) == 0) ||
                  (n == 4 && memcmp(s + i, "null", 4) == 0)))
                return 0;
            i = j - 1;
        }
    }
    return 1;
}

zs_rc zs_breaks_json_eval(const char *json, size_t len, zs_tz_db *db, char **out_json, zs_err *err)
{
    *out_json = NULL;
    if (!json || len == 0)
        return zs_err_set(err, ZS_ERR_FAILED, "empty request: expected a JSON object");
    if (len > MAX_INPUT)
        return zs_err_set(err, ZS_ERR_FAILED, "request larger than %u bytes", MAX_INPUT);
    json_tokener *tok = json_tokener_new_ex(MAX_DEPTH);
    if (!tok)
        return zs_err_set(err, ZS_ERR_RETRY, "out of memory");
    /* Left to itself json-c also takes single quotes, trailing commas, comments, NaN, True and
     * invalid UTF-8, none of which is JSON; trailing whitespace is checked below. */
    json_tokener_set_flags(tok, JSON_TOKENER_STRICT | JSON_TOKENER_ALLOW_TRAILING_CHARS | JSON_TOKENER_VALIDATE_UTF8);
    json_object *root = json_tokener_parse_ex(tok, json, (int)len);
    enum json_tokener_error jerr = json_tokener_get_error(tok);
    size_t end = json_tokener_get_parse_end(tok);
    json_tokener_free(tok);
    if (jerr != json_tokener_success || !root) {
        json_object_put(root);
        return zs_err_set(err, ZS_ERR_FAILED, "not valid JSON: %s",
                          jerr == json_tokener_continue ? "unexpected end of input" : json_tokener_error_desc(jerr));
    }
    for (; end < len; end++) {
        if (json[end] != ' ' && json[end] != '\n' && json[end] != '\r' && json[end] != '\t') {
            json_object_put(root);
            return zs_err_set(err, ZS_ERR_FAILED, "not valid JSON: trailing data after the object");
        }
    }
    if (!plain_json(json, len)) {
        json_object_put(root);
        return zs_err_set(err, ZS_ERR_FAILED, "not valid JSON: a comment, a single quote, a NUL byte or a bare word");
    }
    zs_breaks_input in;
    zs_breaks_booking *bks = NULL;
    zs_rc rc = build_input(root, db, &in, &bks, err);
    if (rc == ZS_OK) {
        zs_breaks_result r;
        rc = zs_breaks_eval(&in, &r, err);
        if (rc == ZS_OK) {
            rc = zs_breaks_result_json(&r, out_json, err);
            zs_breaks_result_release(&r);
        }
    }
    free(bks);
    json_object_put(root);
    return rc;
}
