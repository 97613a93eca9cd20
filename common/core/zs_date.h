/*
 * zs_date: calendar dates and date-times as the vendors and the event schemas write them.
 *
 * One grammar for the whole tree, so the codec, the schema validator and the clients cannot drift
 * apart on what "a date" is. Pure: no I/O, no locale, no time zone database, no clock. The calendar
 * is the proleptic Gregorian one; parsed years are 0000..9999 (four digits, as RFC 3339 writes them).
 *
 * Grammars (every parser needs the whole string: trailing characters are an error):
 *   date      YYYY-MM-DD                       a real calendar date (2023-02-29 is rejected)
 *   clock     HH:MM | HH:MM:SS                 a wall-clock time without a date
 *   local     YYYY-MM-DDTHH:MM[:SS]            a local date-time without offset (Personio periods)
 *   time      HH:MM:SS[.frac](Z|+HH:MM|-HH:MM) RFC 3339 full-time
 *   rfc3339   YYYY-MM-DDT<time>                RFC 3339 date-time; the offset is mandatory
 *
 * Parsers return 0 and fill *out (out may be NULL to only validate), or -1 and leave *out zeroed.
 * Second 60 is accepted where RFC 3339 allows a leap second (time, rfc3339), not on a clock.
 */
#ifndef ZS_DATE_H
#define ZS_DATE_H

#include <stddef.h>
#include <stdint.h>

typedef struct zs_date {
    int year;  /* 0..9999 when parsed */
    int month; /* 1..12 */
    int day;   /* 1..zs_date_month_days(year, month) */
} zs_date;

typedef struct zs_datetime {
    zs_date date;     /* zero for a parsed time without date */
    int hour;         /* 0..23; 24 only with ZS_DATE_END_OF_DAY, then minute = second = 0 */
    int minute;       /* 0..59 */
    int second;       /* 0..59, or 60 (leap second) in time and rfc3339 */
    int nanos;        /* the fraction, first 9 digits; further digits are dropped */
    int has_offset;   /* 1: rfc3339 or time (offset_min is meaningful); 0: a local date-time */
    int offset_min;   /* east of UTC: "+02:00" = 120, "-03:30" = -210, "Z" = 0 */
} zs_datetime;

/* Parser flags. */
enum {
    /* Also accept 't' and 'z' (RFC 3339 section 5.6 allows them; the event codec does not). */
    ZS_DATE_ANY_CASE = 1u << 0,
    /* Accept 24:00[:00] as the end of a day (clock, local), as booking end times use it. */
    ZS_DATE_END_OF_DAY = 1u << 1,
};

/* ---- calendar arithmetic (exact for any |year| below 10^12) ---- */

int zs_date_is_leap(int64_t year);
/* 28..31, or 0 when month is not 1..12. */
int zs_date_month_days(int64_t year, int month);
/* Days since 1970-01-01 (negative before). month must be 1..12; a day past the month's end counts
 * on (2024-02-30 = 2024-03-01), which makes "date + n days" a plain addition. */
int64_t zs_date_days_from_civil(int64_t year, int month, int day);
/* The date of a day number; -1 when its year does not fit an int. */
int zs_date_civil_from_days(int64_t days, zs_date *out);
/* 0 = Sunday .. 6 = Saturday (as struct tm's tm_wday). */
int zs_date_weekday(int64_t days);

/* ---- parsing ---- */

int zs_date_parse(const char *s, zs_date *out);
/* *seconds_of_day = h*3600 + m*60 + s (86400 for 24:00). */
int zs_date_parse_clock(const char *s, unsigned flags, int *seconds_of_day);
int zs_date_parse_local(const char *s, unsigned flags, zs_datetime *out);
int zs_date_parse_time(const char *s, unsigned flags, zs_datetime *out);
int zs_date_parse_rfc3339(const char *s, unsigned flags, zs_datetime *out);

/* Seconds since the epoch (UTC) of a date-time with offset; a leap second counts as the next
 * second. -1 for a local date-time (it has no instant without a zone) or invalid fields. */
int zs_date_to_unix(const zs_datetime *t, int64_t *secs);

/* ---- formatting: NUL-terminated into out; the length written, or -1 (fields out of range or
 * cap too small, out then holds ""). Output always parses back to the same fields. ---- */

/* "YYYY-MM-DD" (11 bytes with NUL). */
int zs_date_format(const zs_date *d, char *out, size_t cap);
/* "YYYY-MM-DDTHH:MM:SS" (20 bytes); has_offset and nanos are ignored. */
int zs_date_format_local(const zs_datetime *t, char *out, size_t cap);
/* "YYYY-MM-DDTHH:MM:SS[.f]Z" or "...±HH:MM" (at most 36 bytes); the fraction without trailing
 * zeros, left out when nanos = 0; -1 for a local date-time. */
int zs_date_format_rfc3339(const zs_datetime *t, char *out, size_t cap);

#define ZS_DATE_RFC3339_MAX 36

#endif
