#include "sbx.h"
#include "core/zs_date.h"

#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <uuid/uuid.h>

double sbx_now(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_REALTIME, &ts);
    return (double)ts.tv_sec + ts.tv_nsec / 1e9;
}

static pthread_mutex_t stamp_lock = PTHREAD_MUTEX_INITIALIZER;
static long long last_stamp_ms;

/* updated_at.gt polling must never miss a change made in the same millisecond as the last one, so
 * stamps are strictly increasing even when the clock is not. */
static long long next_stamp_ms(void)
{
    long long ms = (long long)(sbx_now() * 1000.0);
    pthread_mutex_lock(&stamp_lock);
    if (ms <= last_stamp_ms)
        ms = last_stamp_ms + 1;
    last_stamp_ms = ms;
    pthread_mutex_unlock(&stamp_lock);
    return ms;
}

static void fmt_ms(long long ms, const char *suffix, char *out, size_t cap)
{
    time_t s = (time_t)(ms / 1000);
    struct tm tm;
    gmtime_r(&s, &tm);
    char buf[32];
    strftime(buf, sizeof buf, "%Y-%m-%dT%H:%M:%S", &tm);
    snprintf(out, cap, "%s.%03lld%s", buf, ms % 1000, suffix);
}

void sbx_stamp(char *out, size_t cap)
{
    fmt_ms(next_stamp_ms(), "+00:00", out, cap);
}

void sbx_stamp_z(char *out, size_t cap)
{
    fmt_ms((long long)(sbx_now() * 1000.0), "Z", out, cap);
}

void sbx_uuid(char *out)
{
    uuid_t u;
    uuid_generate_random(u);
    uuid_unparse_lower(u, out);
}

static int digits(const char *s, int n, int *v)
{
    int x = 0;
    for (int i = 0; i < n; i++) {
        if (!isdigit((unsigned char)s[i]))
            return -1;
        x = x * 10 + (s[i] - '0');
    }
    *v = x;
    return 0;
}

/* "YYYY-MM-DD" at the start of s (more may follow) -> days since 1970-01-01; 0 or -1. */
static int date_prefix(const char *s, long long *days)
{
    char ymd[11];
    zs_date d;
    if (strnlen(s, 10) < 10)
        return -1;
    memcpy(ymd, s, 10);
    ymd[10] = '\0';
    if (zs_date_parse(ymd, &d))
        return -1;
    *days = zs_date_days_from_civil(d.year, d.month, d.day);
    return 0;
}

static int parse_hms(const char *s, int *sec)
{
    int h, mi, se;
    if (digits(s, 2, &h) || s[2] != ':' || digits(s + 3, 2, &mi) || s[5] != ':' ||
        digits(s + 6, 2, &se))
        return -1;
    if (h > 23 || mi > 59 || se > 59)
        return -1;
    *sec = h * 3600 + mi * 60 + se;
    return 0;
}

long long sbx_parse_local(const char *s)
{
    zs_datetime t;
    if (!s || strlen(s) != 19 || zs_date_parse_local(s, 0, &t))
        return -1;
    return zs_date_days_from_civil(t.date.year, t.date.month, t.date.day) * 86400 + t.hour * 3600 +
           t.minute * 60 + t.second;
}

long long sbx_parse_instant(const char *s)
{
    int sec;
    long long d;
    if (!s || date_prefix(s, &d))
        return -1;
    if (s[10] == '\0')
        return d * 86400000LL;
    if (s[10] != 'T' || parse_hms(s + 11, &sec))
        return -1;
    long long ms = (d * 86400 + sec) * 1000LL;
    const char *p = s + 19;
    if (*p == '.') {
        p++;
        int n = 0, frac = 0;
        while (isdigit((unsigned char)*p)) {
            if (n < 3)
                frac = frac * 10 + (*p - '0');
            n++;
            p++;
        }
        if (n == 0)
            return -1;
        for (int i = n; i < 3; i++)
            frac *= 10;
        ms += frac;
    }
    if (*p == 'Z' && p[1] == '\0')
        return ms;
    if (*p == '\0')
        return ms;
    if ((*p == '+' || *p == '-') && strlen(p) >= 5) {
        int oh, om;
        const char *q = p + 1;
        if (digits(q, 2, &oh))
            return -1;
        q += 2;
        if (*q == ':')
            q++;
        if (digits(q, 2, &om) || q[2] != '\0')
            return -1;
        long long off = (oh * 60LL + om) * 60000LL;
        return *p == '+' ? ms - off : ms + off;
    }
    return -1;
}

const char *sbx_jstr(json_object *o, const char *path)
{
    json_object *v = zs_json_at(o, path);
    return v && json_object_is_type(v, json_type_string) ? json_object_get_string(v) : NULL;
}

char *sbx_json_dump(json_object *o)
{
    const char *s = zs_json_text(o);
    return strdup(s ? s : "null");
}

const char *sbx_arg(const sbx_req *q, const char *k)
{
    for (int i = 0; i < q->nargs; i++)
        if (strcmp(q->args[i].k, k) == 0)
            return q->args[i].v ? q->args[i].v : "";
    return NULL;
}

int sbx_arg_list(const sbx_req *q, const char *k, const char **vals, char *buf, size_t bufcap, int cap)
{
    int n = 0;
    size_t used = 0;
    for (int i = 0; i < q->nargs; i++) {
        if (strcmp(q->args[i].k, k) != 0 || !q->args[i].v)
            continue;
        size_t len = strlen(q->args[i].v);
        if (used + len + 1 > bufcap)
            break;
        char *copy = buf + used;
        memcpy(copy, q->args[i].v, len + 1);
        used += len + 1;
        for (char *save = NULL, *t = strtok_r(copy, ",", &save); t && n < cap;
             t = strtok_r(NULL, ",", &save))
            vals[n++] = t;
    }
    return n;
}

static int hexval(int c)
{
    if (c >= '0' && c <= '9')
        return c - '0';
    c = tolower(c);
    if (c >= 'a' && c <= 'f')
        return c - 'a' + 10;
    return -1;
}

char *sbx_form_value(const char *body, const char *key)
{
    size_t kl = strlen(key);
    for (const char *p = body; p && *p;) {
        const char *amp = strchr(p, '&');
        size_t len = amp ? (size_t)(amp - p) : strlen(p);
        if (len > kl && strncmp(p, key, kl) == 0 && p[kl] == '=') {
            const char *v = p + kl + 1;
            size_t vl = len - kl - 1;
            char *out = malloc(vl + 1);
            if (!out)
                return NULL;
            size_t o = 0;
            for (size_t i = 0; i < vl; i++) {
                if (v[i] == '+')
                    out[o++] = ' ';
                else if (v[i] == '%' && i + 2 < vl + 1 && hexval(v[i + 1]) >= 0 &&
                         hexval(v[i + 2]) >= 0) {
                    out[o++] = (char)(hexval(v[i + 1]) * 16 + hexval(v[i + 2]));
                    i += 2;
                } else
                    out[o++] = v[i];
            }
            out[o] = '\0';
            return out;
        }
        p = amp ? amp + 1 : NULL;
    }
    return NULL;
}

/* Cursors are opaque to clients; the check value makes a hand-edited or truncated cursor fail the
 * way Personio's does ("Invalid cursor") instead of silently restarting the list. */
static unsigned long cursor_check(long off)
{
    return ((unsigned long)off * 2654435761UL ^ 0x5eedUL) & 0xffffffUL;
}

void sbx_cursor_make(long off, char *out, size_t cap)
{
    snprintf(out, cap, "c%lxk%06lx", off, cursor_check(off));
}

long sbx_cursor_parse(const char *c)
{
    if (!c || c[0] != 'c')
        return -1;
    char *end;
    long off = strtol(c + 1, &end, 16);
    if (end == c + 1 || *end != 'k' || off < 0)
        return -1;
    char *end2;
    unsigned long chk = strtoul(end + 1, &end2, 16);
    if (*end2 != '\0' || end2 - (end + 1) != 6 || chk != cursor_check(off))
        return -1;
    return off;
}

void sbx_json(sbx_resp *r, int status, json_object *o)
{
    r->status = status;
    r->ctype = "application/json";
    free(r->body);
    r->body = o ? sbx_json_dump(o) : NULL;
    json_object_put(o);
}

void sbx_err_v2(sbx_resp *r, int status, const char *title, const char *detail, const char *code)
{
    char trace[40], ts[40], type[256];
    sbx_uuid(trace);
    time_t now = time(NULL);
    struct tm tm;
    gmtime_r(&now, &tm);
    strftime(ts, sizeof ts, "%Y-%m-%dT%H:%M:%S+00:00", &tm);
    snprintf(type, sizeof type, "https://developer.personio.de/reference/errors#%s", code);
    json_object *o = json_object_new_object();
    json_object_object_add(o, "personio_trace_id", json_object_new_string(trace));
    json_object_object_add(o, "timestamp", json_object_new_string(ts));
    json_object *errs = json_object_new_array();
    json_object *e = json_object_new_object();
    json_object_object_add(e, "title", json_object_new_string(title));
    json_object_object_add(e, "detail", json_object_new_string(detail));
    json_object_object_add(e, "type", json_object_new_string(type));
    json_object_object_add(e, "_meta", json_object_new_object());
    json_object_array_add(errs, e);
    json_object_object_add(o, "errors", errs);
    sbx_json(r, status, o);
    r->ctype = "application/problem+json";
}
