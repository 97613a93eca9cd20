/*
 * zs_breaks: the statutory break-rule engine (reference/break-rules.md §5) and its JSON front end.
 *
 * The engine turns the bookings of one employee and one local day into attendances (one per local
 * date, or one per booking piece), the Personio v2 WORK/BREAK periods of the same result, and
 * compliance warnings. It is pure: no I/O, no globals, no locale, no libc time-zone state, so it
 * is deterministic and safe to call from any thread. Time zones come in as a loaded zs_tz (the
 * system TZif file parsed once); zs_tz_db is the only part here that reads files.
 *
 * Instants are int64 minutes since 1970-01-01T00:00Z; every duration is real elapsed minutes.
 */
#ifndef ZS_BREAKS_H
#define ZS_BREAKS_H

#include "core/zs_err.h"

#include <stddef.h>
#include <stdint.h>

/* ---- time zones ---- */

typedef struct zs_tz zs_tz;

/* Parses TZif data (RFC 8536, v1..v4, with the POSIX footer for times after the table). Pure. */
zs_rc zs_tz_parse(const char *name, const unsigned char *data, size_t len, zs_tz **out, zs_err *err);
void zs_tz_free(zs_tz *tz);
const char *zs_tz_name(const zs_tz *tz);
/* UTC offset in seconds in force at the instant t (seconds since the epoch). */
int32_t zs_tz_offset(const zs_tz *tz, int64_t t);
/* The same, plus a span [*lo, *hi) around t over which that offset holds (callers cache it). */
int32_t zs_tz_offset_span(const zs_tz *tz, int64_t t, int64_t *lo, int64_t *hi);

/* A cache of zones loaded from a zoneinfo directory (NULL: $TZDIR or /usr/share/zoneinfo).
 * Thread-safe; zones stay valid until zs_tz_db_free. Names are IANA names such as "Europe/Berlin";
 * anything that could leave the directory is refused. ZS_ERR_NOTFOUND for an unknown zone. */
typedef struct zs_tz_db zs_tz_db;
zs_tz_db *zs_tz_db_new(const char *dir);
void zs_tz_db_free(zs_tz_db *db);
zs_rc zs_tz_db_get(zs_tz_db *db, const char *name, const zs_tz **out, zs_err *err);

/* ---- local wall-clock times ---- */

typedef struct zs_breaks_local {
    int year, month, day, hour, minute; /* hour 24 only with minute 0: the next day's 00:00 */
    int has_offset;                     /* an explicit "+02:00" picks one side of a fold */
    int offset_min;
} zs_breaks_local;

/* Parses "YYYY-MM-DDTHH:MM" with optional ":SS" (truncated) and optional "Z" / "+HH:MM" / "-HH:MM". */
int zs_breaks_local_parse(const char *s, zs_breaks_local *out);

typedef enum zs_breaks_resolution {
    ZS_BREAKS_LOCAL_OK = 0,
    ZS_BREAKS_LOCAL_NONEXISTENT, /* in a spring gap: shifted forward by the gap */
    ZS_BREAKS_LOCAL_AMBIGUOUS,   /* in an autumn fold: the earlier occurrence unless told otherwise */
    ZS_BREAKS_LOCAL_BAD_OFFSET,  /* an explicit offset the zone never uses at that wall-clock time */
    ZS_BREAKS_LOCAL_INVALID,     /* fields out of range (no such date or time) */
} zs_breaks_resolution;

/* Resolves a local time to an instant (minutes). later_side picks the second occurrence of a fold. */
zs_breaks_resolution zs_breaks_local_resolve(const zs_tz *tz, const zs_breaks_local *l, int later_side,
                                             int64_t *out);

/* ---- rules and options ---- */

#define ZS_BREAKS_MAX_TIERS 8
#define ZS_BREAKS_MAX_BOOKINGS 4096
/* A single booking longer than this cannot be one shift; it is rejected as INVALID_BOOKING. */
#define ZS_BREAKS_MAX_BOOKING_MIN (48 * 60)

typedef struct zs_breaks_tier {
    int threshold; /* net minutes strictly above which ... */
    int minutes;   /* ... this much break is required */
} zs_breaks_tier;

/* All in minutes; 0 disables a check. */
typedef struct zs_breaks_rules {
    int ntiers;
    zs_breaks_tier tiers[ZS_BREAKS_MAX_TIERS]; /* ascending threshold */
    int min_block;       /* shortest gap credited as a break */
    int max_consecutive; /* longest run without a credited break */
    int regular_daily;   /* OVER_REGULAR_HOURS (info) above this */
    int max_daily;       /* MAX_DAILY_EXCEEDED (error) above this */
    int min_rest;        /* minimum rest since the previous day's last end */
    int minor;           /* JArbSchG extras: break position, shift span, night work */
    int minor_span_max, minor_window, minor_day_from, minor_day_to; /* day_from/to: minute of day */
} zs_breaks_rules;

/* "DE", "DE_MINOR", "AT", "CH" (reference §3.1). Returns 0, or -1 for an unknown name. */
int zs_breaks_rules_preset(const char *name, zs_breaks_rules *out);

typedef enum { ZS_BREAKS_DAILY = 0, ZS_BREAKS_INDIVIDUAL } zs_breaks_mode;
typedef enum { ZS_BREAKS_FLOATING = 0, ZS_BREAKS_NONE, ZS_BREAKS_FULL } zs_breaks_deduction;
typedef enum { ZS_BREAKS_CAP_WARN = 0, ZS_BREAKS_CAP_TRUNCATE } zs_breaks_cap;

typedef struct zs_breaks_booking {
    const char *id;      /* borrowed; may be NULL */
    const char *project; /* borrowed; may be NULL */
    zs_breaks_local start, end;
} zs_breaks_booking;

typedef struct zs_breaks_input {
    const zs_tz *tz;
    zs_breaks_rules rules;
    zs_breaks_mode mode;
    zs_breaks_deduction deduction;
    zs_breaks_cap cap;
    int has_prev_last_end;
    zs_breaks_local prev_last_end;
    int holiday;
    const zs_breaks_booking *bookings;
    size_t nbookings;
} zs_breaks_input;

/* ---- result ---- */

/* Order is the canonical output order of warnings. */
typedef enum zs_breaks_code {
    ZS_W_BREAK_INSUFFICIENT,
    ZS_W_CONTINUOUS_WORK_EXCEEDED,
    ZS_W_MAX_DAILY_EXCEEDED,
    ZS_W_OVER_REGULAR_HOURS,
    ZS_W_REST_PERIOD_SHORT,
    ZS_W_SHORT_GAP_NOT_BREAK,
    ZS_W_OVERLAP_MERGED,
    ZS_W_BREAK_DEDUCTED,
    ZS_W_MAX_DAILY_TRUNCATED,
    ZS_W_CROSSES_MIDNIGHT,
    ZS_W_SUNDAY_WORK,
    ZS_W_HOLIDAY_WORK,
    ZS_W_DST_DAY,
    ZS_W_DST_WALLCLOCK_MISMATCH,
    ZS_W_NONEXISTENT_LOCAL_TIME,
    ZS_W_AMBIGUOUS_LOCAL_TIME,
    ZS_W_INVALID_BOOKING,
    ZS_W_MINOR_BREAK_POSITION,
    ZS_W_MINOR_SHIFT_SPAN_EXCEEDED,
    ZS_W_MINOR_NIGHT_WORK,
    ZS_W__COUNT
} zs_breaks_code;

typedef enum { ZS_SEV_ERROR, ZS_SEV_WARNING, ZS_SEV_INFO } zs_breaks_severity;

const char *zs_breaks_code_name(zs_breaks_code c);
zs_breaks_severity zs_breaks_code_severity(zs_breaks_code c);
const char *zs_breaks_severity_name(zs_breaks_severity s);

typedef enum { ZS_KIND_NONE = 0, ZS_KIND_CAP, ZS_KIND_MISSING } zs_breaks_kind;

typedef struct zs_breaks_warning {
    zs_breaks_code code;
    int64_t minutes;     /* the one figure (required for BREAK_INSUFFICIENT) */
    int64_t credited;    /* BREAK_INSUFFICIENT only */
    zs_breaks_kind kind; /* BREAK_DEDUCTED only */
    const char *booking_id; /* booking-level codes; borrowed from the input */
    int has_date;           /* DST_WALLCLOCK_MISMATCH: the attendance's date */
    int year, month, day;
} zs_breaks_warning;

typedef struct zs_breaks_attendance {
    int year, month, day; /* local date */
    int64_t start, end;   /* instants (minutes) */
    int32_t start_off, end_off; /* UTC offsets in seconds in force at start and end */
    int64_t break_minutes, net_minutes;
    /* Every booking with a kept minute on this date (double bookings included), in booking order;
     * borrowed strings, the array owned by the result. Individual mode: the piece's booking. */
    const char **booking_ids;
    size_t nbooking_ids;
} zs_breaks_attendance;

typedef enum { ZS_PERIOD_WORK, ZS_PERIOD_BREAK } zs_breaks_period_type;

typedef struct zs_breaks_period {
    zs_breaks_period_type type;
    int64_t start, end;
    int32_t start_off, end_off;
    const char *booking_id; /* WORK pieces that come from one booking; else NULL */
    const char *project;
} zs_breaks_period;

typedef struct zs_breaks_result {
    zs_breaks_attendance *attendances;
    size_t nattendances;
    zs_breaks_period *periods;
    size_t nperiods;
    zs_breaks_warning *warnings;
    size_t nwarnings;
    /* figures of the evaluation, for callers and tests */
    int64_t work_minutes;      /* W: booked union before deduction */
    int64_t credited_break;    /* Bq */
    int64_t required_break;    /* req */
    int64_t deducted;          /* D */
    int64_t truncated;
} zs_breaks_result;

/* Evaluates one employee-day. Fails only for a missing zone, too many bookings or out of memory;
 * bad bookings become INVALID_BOOKING warnings. The result borrows strings from the input. */
zs_rc zs_breaks_eval(const zs_breaks_input *in, zs_breaks_result *out, zs_err *err);
void zs_breaks_result_release(zs_breaks_result *r);

/* ---- JSON front end (the `zepsync breaks` interface, issue 5) ---- */

/* Parses the request, evaluates it and renders the response JSON (caller frees *out_json).
 * ZS_ERR_FAILED with a one-line message for bad input (the CLI's exit 2); ZS_ERR_RETRY only when
 * memory ran out. Pure except for zone loading through db. */
zs_rc zs_breaks_json_eval(const char *json, size_t len, zs_tz_db *db, char **out_json, zs_err *err);

/* Renders a result as the response JSON. */
zs_rc zs_breaks_result_json(const zs_breaks_result *r, char **out_json, zs_err *err);

#endif
