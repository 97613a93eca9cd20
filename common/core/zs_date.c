#include "core/zs_date.h"

#include <limits.h>
#include <stdio.h>
#include <string.h>

/* Byte tests, not <ctype.h>: the grammar is ASCII whatever the locale says. */
static int dig(char c) { return c >= '0' && c <= '9'; }

/* n ASCII digits at s into *v; stops at the first non-digit (so a NUL is never read past). */
static int digits(const char *s, int n, int *v)
{
    int x = 0;
    for (int i = 0; i < n; i++) {
        if (!dig(s[i]))
            return 0;
        x = x * 10 + (s[i] - '0');
    }
    *v = x;
    return 1;
}

static int is_t(char c, unsigned flags) { return c == 'T' || (c == 't' && (flags & ZS_DATE_ANY_CASE)); }
static int is_z(char c, unsigned flags) { return c == 'Z' || (c == 'z' && (flags & ZS_DATE_ANY_CASE)); }

/* ------------------------------------------------------------------------------------------ */
/* calendar */

int zs_date_is_leap(int64_t y)
{
    return (y % 4 == 0 && y % 100 != 0) || y % 400 == 0;
}

int zs_date_month_days(int64_t y, int m)
{
    static const int n[12] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
    if (m < 1 || m > 12)
        return 0;
    return m == 2 && zs_date_is_leap(y) ? 29 : n[m - 1];
}

/* Howard Hinnant's days_from_civil: eras of 400 years (146097 days) make it exact without loops. */
int64_t zs_date_days_from_civil(int64_t y, int m, int d)
{
    y -= m <= 2;
    int64_t era = (y >= 0 ? y : y - 399) / 400;
    int64_t yoe = y - era * 400;
    int64_t doy = (153 * (m > 2 ? m - 3 : m + 9) + 2) / 5 + d - 1;
    int64_t doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    return era * 146097 + doe - 719468;
}

int zs_date_civil_from_days(int64_t z, zs_date *out)
{
    if (out)
        memset(out, 0, sizeof *out);
    /* Far beyond any int year; the bound keeps z + 719468 and the era product from overflowing. */
    if (z > INT64_MAX / 4 || z < INT64_MIN / 4)
        return -1;
    z += 719468;
    int64_t era = (z >= 0 ? z : z - 146096) / 146097;
    int64_t doe = z - era * 146097;
    int64_t yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
    int64_t doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    int64_t mp = (5 * doy + 2) / 153;
    int d = (int)(doy - (153 * mp + 2) / 5 + 1);
    int m = (int)(mp < 10 ? mp + 3 : mp - 9);
    int64_t y = yoe + era * 400 + (m <= 2);
    if (y < INT_MIN || y > INT_MAX)
        return -1;
    if (out)
        *out = (zs_date){.year = (int)y, .month = m, .day = d};
    return 0;
}

int zs_date_weekday(int64_t days)
{
    int64_t w = (days + 4) % 7; /* 1970-01-01 was a Thursday */
    return (int)(w < 0 ? w + 7 : w);
}

/* ------------------------------------------------------------------------------------------ */
/* parsing */

/* YYYY-MM-DD at s (exactly 10 characters, what follows is the caller's). */
static int date_at(const char *s, zs_date *d)
{
    if (!digits(s, 4, &d->year) || s[4] != '-' || !digits(s + 5, 2, &d->month) || s[7] != '-' ||
        !digits(s + 8, 2, &d->day))
        return 0;
    return d->day >= 1 && d->day <= zs_date_month_days(d->year, d->month);
}

/* HH:MM[:SS] at s; returns the end or NULL. Seconds are optional only when opt_sec. */
static const char *hms_at(const char *s, int opt_sec, zs_datetime *t)
{
    if (!digits(s, 2, &t->hour) || s[2] != ':' || !digits(s + 3, 2, &t->minute))
        return NULL;
    s += 5;
    if (*s == ':' || !opt_sec) {
        if (*s != ':' || !digits(s + 1, 2, &t->second))
            return NULL;
        s += 3;
    }
    return s;
}

/* A wall clock: 24:00[:00] only with ZS_DATE_END_OF_DAY, no leap second. */
static int wall_ok(const zs_datetime *t, unsigned flags)
{
    if (t->hour == 24)
        return (flags & ZS_DATE_END_OF_DAY) && t->minute == 0 && t->second == 0;
    return t->hour < 24 && t->minute < 60 && t->second < 60;
}

/* RFC 3339 full-time at s, to the end of the string. */
static int full_time_at(const char *s, unsigned flags, zs_datetime *t)
{
    s = hms_at(s, 0, t);
    if (!s || t->hour > 23 || t->minute > 59 || t->second > 60)
        return 0;
    if (*s == '.') {
        s++;
        if (!dig(*s))
            return 0;
        int scale = 100000000;
        for (; dig(*s); s++, scale /= 10)
            t->nanos += (*s - '0') * scale;
    }
    if (is_z(*s, flags) && s[1] == '\0') {
        t->has_offset = 1;
        return 1;
    }
    int oh, om;
    if ((*s != '+' && *s != '-') || !digits(s + 1, 2, &oh) || s[3] != ':' || !digits(s + 4, 2, &om) ||
        s[6] != '\0' || oh > 23 || om > 59)
        return 0;
    t->has_offset = 1;
    t->offset_min = (*s == '-' ? -1 : 1) * (oh * 60 + om);
    return 1;
}

/* The parsers fill a local copy, so a failure leaves *out zeroed, never half-filled. */
static int deliver(int ok, const zs_datetime *t, zs_datetime *out)
{
    if (out)
        *out = ok ? *t : (zs_datetime){0};
    return ok ? 0 : -1;
}

int zs_date_parse(const char *s, zs_date *out)
{
    zs_date d = {0};
    int ok = s && date_at(s, &d) && s[10] == '\0';
    if (out)
        *out = ok ? d : (zs_date){0};
    return ok ? 0 : -1;
}

int zs_date_parse_clock(const char *s, unsigned flags, int *seconds_of_day)
{
    zs_datetime t = {0};
    const char *end = s ? hms_at(s, 1, &t) : NULL;
    int ok = end && *end == '\0' && wall_ok(&t, flags);
    if (seconds_of_day)
        *seconds_of_day = ok ? t.hour * 3600 + t.minute * 60 + t.second : 0;
    return ok ? 0 : -1;
}

int zs_date_parse_local(const char *s, unsigned flags, zs_datetime *out)
{
    zs_datetime t = {0};
    const char *end = s && date_at(s, &t.date) && is_t(s[10], flags) ? hms_at(s + 11, 1, &t) : NULL;
    int ok = end && *end == '\0' && wall_ok(&t, flags);
    return deliver(ok, &t, out);
}

int zs_date_parse_time(const char *s, unsigned flags, zs_datetime *out)
{
    zs_datetime t = {0};
    int ok = s && full_time_at(s, flags, &t);
    return deliver(ok, &t, out);
}

int zs_date_parse_rfc3339(const char *s, unsigned flags, zs_datetime *out)
{
    zs_datetime t = {0};
    int ok = s && date_at(s, &t.date) && is_t(s[10], flags) && full_time_at(s + 11, flags, &t);
    return deliver(ok, &t, out);
}

/* ------------------------------------------------------------------------------------------ */
/* checks shared by to_unix and the formatters */

static int date_ok(const zs_date *d)
{
    return d->year >= 0 && d->year <= 9999 && d->day >= 1 && d->day <= zs_date_month_days(d->year, d->month);
}

static int instant_ok(const zs_datetime *t)
{
    return t->has_offset && date_ok(&t->date) && t->hour >= 0 && t->hour <= 23 && t->minute >= 0 &&
           t->minute <= 59 && t->second >= 0 && t->second <= 60 && t->nanos >= 0 &&
           t->nanos <= 999999999 && t->offset_min > -24 * 60 && t->offset_min < 24 * 60;
}

int zs_date_to_unix(const zs_datetime *t, int64_t *secs)
{
    if (!t || !instant_ok(t))
        return -1;
    int64_t days = zs_date_days_from_civil(t->date.year, t->date.month, t->date.day);
    int64_t v = days * 86400 + t->hour * 3600 + t->minute * 60 + t->second - (int64_t)t->offset_min * 60;
    if (secs)
        *secs = v;
    return 0;
}

/* ------------------------------------------------------------------------------------------ */
/* formatting */

static int put(char *out, size_t cap, int n)
{
    if (n < 0 || (size_t)n >= cap) {
        if (out && cap)
            out[0] = '\0';
        return -1;
    }
    return n;
}

int zs_date_format(const zs_date *d, char *out, size_t cap)
{
    if (!d || !out || !date_ok(d))
        return put(out, cap, -1);
    return put(out, cap, snprintf(out, cap, "%04d-%02d-%02d", d->year, d->month, d->day));
}

int zs_date_format_local(const zs_datetime *t, char *out, size_t cap)
{
    /* What zs_date_parse_local reads back: a wall clock, 24:00 with ZS_DATE_END_OF_DAY. */
    if (!t || !out || !date_ok(&t->date) || t->hour < 0 || t->minute < 0 || t->second < 0 ||
        !wall_ok(t, ZS_DATE_END_OF_DAY))
        return put(out, cap, -1);
    return put(out, cap,
               snprintf(out, cap, "%04d-%02d-%02dT%02d:%02d:%02d", t->date.year, t->date.month, t->date.day,
                        t->hour, t->minute, t->second));
}

int zs_date_format_rfc3339(const zs_datetime *t, char *out, size_t cap)
{
    if (!t || !out || !instant_ok(t))
        return put(out, cap, -1);
    char frac[11] = "";
    if (t->nanos) {
        int ns = t->nanos, w = 9;
        while (ns % 10 == 0) {
            ns /= 10;
            w--;
        }
        snprintf(frac, sizeof frac, ".%0*d", w, ns);
    }
    char off[7] = "Z";
    if (t->offset_min) {
        /* by hand: instant_ok bounds the offset, which snprintf's truncation warning cannot see */
        int a = t->offset_min < 0 ? -t->offset_min : t->offset_min;
        off[0] = t->offset_min < 0 ? '-' : '+';
        off[1] = (char)('0' + a / 600);
        off[2] = (char)('0' + a / 60 % 10);
        off[3] = ':';
        off[4] = (char)('0' + a % 60 / 10);
        off[5] = (char)('0' + a % 10);
        off[6] = '\0';
    }
    return put(out, cap,
               snprintf(out, cap, "%04d-%02d-%02dT%02d:%02d:%02d%s%s", t->date.year, t->date.month,
                        t->date.day, t->hour, t->minute, t->second, frac, off));
}
