/*
 * zs_personio: the Personio API v2 client the producers and workers use.
 *
 * One handle per tenant and thread (it owns a zs_http handle). Access tokens are cached in-process
 * per (base URL, client id), shared by every handle of that tenant, refreshed refresh_margin_s
 * before they expire, and re-requested once when a call answers 401. A rejected credential is not
 * retried for auth_cooldown_s, so a broken tenant never hammers /v2/auth/token.
 *
 * Retries: GETs are repeated on 429, 5xx and transport errors; writes only on 429 (the gateway
 * rejected them before they ran). A write whose outcome is unknown (timeout, 5xx) is verified by
 * reading the target where a read can tell: attendance and absence creates (also on an overlap)
 * adopt an identical record (same person, type, times, comment) and report success with
 * `adopted` set; a person create finds its unique e-mail; an attendance PATCH compares the fields
 * it sent and an attendance DELETE looks for the record. The other writes (person, employment
 * and absence PATCH, person, absence and webhook DELETE, webhook create) return ZS_ERR_RETRY:
 * PATCH and DELETE are safe to repeat, a webhook create is not (list the webhooks first).
 *
 * Pacing: every v2 response carries x-ratelimit-remaining for its endpoint family; once it reaches
 * 0 the next call of that family waits pace_ms, and a 429 backs off at least one second.
 *
 * Errors map to zs_rc: ZS_ERR_RETRY (429, 5xx, network, outcome unknown), ZS_ERR_FAILED (400/422 and
 * other 4xx, foreign next link), ZS_ERR_CONFLICT (409: overlapping record that is not ours),
 * ZS_ERR_NOTFOUND (404), ZS_ERR_AUTH (credentials or scope rejected). The message quotes Personio's
 * error title and detail; zs_personio_last_status() gives the HTTP status and the same texts.
 *
 * Date-times are Personio's local form "YYYY-MM-DDTHH:MM:SS" (no offset).
 */
#ifndef ZS_PERSONIO_H
#define ZS_PERSONIO_H

#include <stddef.h>

#include "core/zs_err.h"
#include "http/zs_http.h"

typedef struct zs_personio_opts {
    const char *base_url;      /* e.g. "https://api.personio.de" (no trailing slash needed) */
    const char *tenant;        /* for log lines only */
    const char *client_id;
    const char *client_secret;
    const char *scope;         /* optional space-separated scopes; NULL = all granted */
    const char *partner_id;    /* optional X-Personio-Partner-ID (UPPER_SNAKE_CASE) */
    const char *app_id;        /* optional X-Personio-App-ID */
    int max_attempts;          /* per call, default 4 */
    long backoff_base_ms;      /* default 500 */
    long backoff_cap_ms;       /* default 8000 */
    long refresh_margin_s;     /* default 300 */
    long auth_cooldown_s;      /* default 30 */
    long pace_ms;              /* default 1000 */
    zs_http_opts http;
} zs_personio_opts;

typedef struct zs_personio zs_personio;

/* ---- records (fixed-size text fields, "" when absent) ---- */

typedef struct zs_personio_attr {
    char id[64];     /* "dynamic_1234" */
    char label[128];
    char type[32];
    char *value;     /* the string value, or the JSON text of a non-string value; NULL for null */
} zs_personio_attr;

typedef struct zs_personio_person {
    char id[32];
    char email[256];
    char first_name[128];
    char last_name[128];
    char preferred_name[128];
    char gender[16];        /* UNSPECIFIED|MALE|FEMALE|DIVERSE */
    char language_code[16];
    char status[16];        /* ACTIVE|INACTIVE|UNSPECIFIED */
    char created_at[40];
    char updated_at[40];
    zs_personio_attr *attrs;
    size_t n_attrs;
    char (*employment_ids)[32];
    size_t n_employments;
} zs_personio_person;

typedef struct zs_personio_cost_center {
    char id[64];
    double weight;
} zs_personio_cost_center;

typedef struct zs_personio_employment {
    char id[32];
    char person_id[32];
    char status[16];        /* ACTIVE|INACTIVE|ONBOARDING|LEAVE|UNSPECIFIED */
    char type[16];          /* INTERNAL|EXTERNAL|UNSPECIFIED */
    char position[128];
    double weekly_working_hours;          /* -1 when absent */
    double full_time_weekly_working_hours; /* -1 when absent */
    char start_date[16], end_date[16], contract_end_date[16];
    char termination_date[16], last_working_day[16];
    char supervisor_id[32], office_id[32], legal_entity_id[32];
    zs_personio_cost_center *cost_centers;
    size_t n_cost_centers;
    char created_at[40];
    char updated_at[40];
} zs_personio_employment;

typedef struct zs_personio_attendance {
    char id[40];
    char person_id[32];
    char type[8];            /* WORK|BREAK */
    char start[24];          /* local date-time */
    char end[24];            /* "" = open period */
    char attribution_date[16];
    char status[16];         /* PENDING|CONFIRMED|REJECTED */
    char comment[512];
    char project_id[40];
    char created_at[40];
    char updated_at[40];
} zs_personio_attendance;

typedef struct zs_personio_absence_type {
    char id[40];
    char name[128];
    char category[64];
    char unit[8];            /* DAY|HOUR */
} zs_personio_absence_type;

typedef struct zs_personio_absence {
    char id[40];
    char person_id[32];
    char absence_type_id[40];
    char start[24];          /* starts_from.date_time */
    char start_half[16];     /* "" | FIRST_HALF | SECOND_HALF */
    char end[24];            /* "" = open-ended */
    char end_half[16];
    char timezone_id[64];
    char comment[512];
    char status[24];         /* PENDING|APPROVED|REJECTED|... */
    char created_at[40];
    char updated_at[40];
} zs_personio_absence;

/* Lists own their items; release with the matching *_release. */
typedef struct zs_personio_persons { zs_personio_person *v; size_t n; } zs_personio_persons;
typedef struct zs_personio_employments { zs_personio_employment *v; size_t n; } zs_personio_employments;
typedef struct zs_personio_attendances { zs_personio_attendance *v; size_t n; } zs_personio_attendances;
typedef struct zs_personio_absence_types { zs_personio_absence_type *v; size_t n; } zs_personio_absence_types;
typedef struct zs_personio_absences { zs_personio_absence *v; size_t n; } zs_personio_absences;

void zs_personio_person_release(zs_personio_person *p);
void zs_personio_employment_release(zs_personio_employment *e);
void zs_personio_persons_release(zs_personio_persons *l);
void zs_personio_employments_release(zs_personio_employments *l);
void zs_personio_attendances_release(zs_personio_attendances *l);
void zs_personio_absence_types_release(zs_personio_absence_types *l);
void zs_personio_absences_release(zs_personio_absences *l);

/* ---- filters (NULL/0 fields are not sent) ---- */

typedef struct zs_personio_person_filter {
    const char *const *ids; size_t n_ids;
    const char *email;
    const char *updated_at_gt; /* date or date-time */
    const char *updated_at_lt;
    const char *created_at_gt;
    int limit;                 /* page size 1..50, default 50 */
} zs_personio_person_filter;

typedef struct zs_personio_attendance_filter {
    const char *const *person_ids; size_t n_person_ids;
    const char *attribution_date_gte; /* YYYY-MM-DD */
    const char *attribution_date_lte;
    const char *updated_at_gte;
    const char *updated_at_lte;
    const char *status;
    int limit;                 /* 1..100, default 100 */
} zs_personio_attendance_filter;

typedef struct zs_personio_absence_filter {
    const char *const *person_ids; size_t n_person_ids;
    const char *const *absence_type_ids; size_t n_absence_type_ids;
    const char *from;          /* local date-time: absences overlapping [from, to] */
    const char *to;
    const char *updated_at_gte;
    int limit;                 /* 1..100, default 100 */
} zs_personio_absence_filter;

/* ---- life cycle ---- */

zs_personio *zs_personio_new(const zs_personio_opts *opts, zs_err *err);
void zs_personio_free(zs_personio *p);

/* HTTP status and Personio's error title/detail of the last call (status 0: no response). */
typedef struct zs_personio_status {
    long http_status;
    char title[160];
    char detail[400];
    int attempts;      /* HTTP requests the last call made, auth excluded */
} zs_personio_status;
const zs_personio_status *zs_personio_last_status(const zs_personio *p);

/* Drops the cached token of this tenant (the next call authenticates again). */
void zs_personio_token_invalidate(zs_personio *p);
/* Forgets every cached token of the process (tests). */
void zs_personio_token_cache_clear(void);
/* Ensures a valid token is cached; mostly for health checks. */
zs_rc zs_personio_authenticate(zs_personio *p, zs_err *err);
/* How many times this process called /v2/auth/token (all tenants). */
long zs_personio_auth_calls(void);

/* ---- persons & employments ---- */

zs_rc zs_personio_persons_list(zs_personio *p, const zs_personio_person_filter *f,
                               zs_personio_persons *out, zs_err *err);
zs_rc zs_personio_person_get(zs_personio *p, const char *id, zs_personio_person *out, zs_err *err);
/* Creates a person (and, if emp != NULL, its first employment). id_out gets the new id. */
zs_rc zs_personio_person_create(zs_personio *p, const zs_personio_person *in,
                                const zs_personio_employment *emp, char id_out[32], zs_err *err);
/* Patches with a JSON object body, e.g. {"last_name":"Koch"}. */
zs_rc zs_personio_person_patch_json(zs_personio *p, const char *id, const char *json, zs_err *err);
/* A person that is already gone counts as deleted (ZS_OK), as for every delete here: a delete
 * repeated after a lost answer must not look like a failure. */
zs_rc zs_personio_person_delete(zs_personio *p, const char *id, zs_err *err);
zs_rc zs_personio_employments_list(zs_personio *p, const char *person_id,
                                   zs_personio_employments *out, zs_err *err);
zs_rc zs_personio_employment_patch_json(zs_personio *p, const char *person_id, const char *id,
                                        const char *json, zs_err *err);

/* ---- attendance periods ---- */

enum { ZS_PA_START = 1, ZS_PA_END = 2, ZS_PA_COMMENT = 4, ZS_PA_PROJECT = 8 };

zs_rc zs_personio_attendances_list(zs_personio *p, const zs_personio_attendance_filter *f,
                                   zs_personio_attendances *out, zs_err *err);
zs_rc zs_personio_attendance_get(zs_personio *p, const char *id, zs_personio_attendance *out,
                                 zs_err *err);
/* in: person_id, type, start, end ("" = open), comment, project_id. On success id_out holds the id;
 * *adopted (may be NULL) is 1 when an identical existing period was found instead of creating. */
zs_rc zs_personio_attendance_create(zs_personio *p, const zs_personio_attendance *in,
                                    int skip_approval, char id_out[40], int *adopted, zs_err *err);
/* Sends the fields named in `fields` (ZS_PA_*) from in. */
zs_rc zs_personio_attendance_patch(zs_personio *p, const char *id, const zs_personio_attendance *in,
                                   unsigned fields, int skip_approval, zs_err *err);
/* A period that is already gone counts as deleted (ZS_OK). */
zs_rc zs_personio_attendance_delete(zs_personio *p, const char *id, zs_err *err);

/* ---- absences ---- */

zs_rc zs_personio_absence_types_list(zs_personio *p, zs_personio_absence_types *out, zs_err *err);
zs_rc zs_personio_absences_list(zs_personio *p, const zs_personio_absence_filter *f,
                                zs_personio_absences *out, zs_err *err);
zs_rc zs_personio_absence_get(zs_personio *p, const char *id, zs_personio_absence *out, zs_err *err);
/* in: person_id, absence_type_id, start(+start_half), end(+end_half, "" = open), comment. */
zs_rc zs_personio_absence_create(zs_personio *p, const zs_personio_absence *in, int skip_approval,
                                 char id_out[40], int *adopted, zs_err *err);
/* Sends starts_from, ends_at and comment from in. */
zs_rc zs_personio_absence_patch(zs_personio *p, const char *id, const zs_personio_absence *in,
                                zs_err *err);
zs_rc zs_personio_absence_delete(zs_personio *p, const char *id, zs_err *err);

/* ---- webhooks (management; deliveries are received by the producer) ---- */

typedef struct zs_personio_webhook {
    char id[40];
    char url[512];
    char status[16];     /* ENABLED|DISABLED */
    char auth_type[16];  /* TOKEN|CUSTOM|NONE */
    char description[256];
} zs_personio_webhook;
typedef struct zs_personio_webhooks { zs_personio_webhook *v; size_t n; } zs_personio_webhooks;
void zs_personio_webhooks_release(zs_personio_webhooks *l);

/* Registers an ENABLED webhook with auth_type TOKEN: Personio sends `token` verbatim as the
 * Authorization header of every delivery (include the scheme, e.g. "Bearer ..."). events may be
 * NULL/0 for all events. */
zs_rc zs_personio_webhook_create(zs_personio *p, const char *url, const char *token,
                                 const char *description, const char *const *events, size_t n_events,
                                 char id_out[40], zs_err *err);
zs_rc zs_personio_webhooks_list(zs_personio *p, zs_personio_webhooks *out, zs_err *err);
/* A webhook that is already gone counts as deleted (ZS_OK). */
zs_rc zs_personio_webhook_delete(zs_personio *p, const char *id, zs_err *err);

/* ---- counters for /metrics (this handle, since zs_personio_new) ---- */

typedef struct zs_personio_stats {
    long requests;   /* HTTP requests sent (auth excluded) */
    long retries;    /* requests repeated after 429/5xx/transport errors */
    long throttled;  /* 429 answers */
    long reauths;    /* fresh tokens fetched after a 401 */
    long paced_ms;   /* time spent waiting on x-ratelimit-remaining */
    long adopted;    /* writes resolved by finding our own record */
} zs_personio_stats;
zs_personio_stats zs_personio_get_stats(const zs_personio *p);

/* ---- pure helpers (no I/O; unit-tested) ---- */

/* Resolves a pagination link against base_url: absolute links must share base_url's origin
 * (scheme, host, port), relative ones ("/v2/...") are joined. 0, or -1 (foreign or malformed). */
int zs_personio_resolve_link(const char *base_url, const char *href, char *out, size_t cap);
/* Personio's error body (problem+json "errors", RFC 7807, OAuth or v1) → "title: detail". */
void zs_personio_decode_error(const char *body, char *title, size_t tcap, char *detail, size_t dcap);
/* HTTP status (after retries) → zs_rc. */
zs_rc zs_personio_classify(long status);

#endif
