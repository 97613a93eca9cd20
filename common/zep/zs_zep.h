/*
 * zs_zep: the ZEP client. REST "ZEP next" v1 for employees, employment periods, regular working
 * times, bookings (REST calls them attendances), absences and absence reasons; SOAP v10 (libxml2)
 * for what REST lacks: modifiedSince change queries and booking/absence update and delete.
 *
 * One zs_zep handle = one ZEP instance with its tokens; not thread-safe (one per thread). Create
 * handles before starting threads (zs_zep_new initialises libxml2).
 *
 * Pacing: ZEP allows 1000 requests per 5 minutes and then blocks the token for 60 s. Every request
 * (REST and SOAP) first asks the pacer "may I send one now?"; the pacer answers 0 or a wait in ms.
 * The worker plugs in the Redis GCRA limiter so all replicas of a tenant share one budget; without
 * one the handle uses an in-process GCRA (zs_zep_local_pacer) at the default 900 / 5 min. A 429
 * blocks the handle for Retry-After (or 60 s) and tells the pacer, so no request is wasted on a
 * blocked token.
 *
 * Errors: ZS_ERR_RETRY (429, 5xx, network, SOAP Server fault, pacer wait too long), ZS_ERR_AUTH
 * (401, SOAP 1005), ZS_ERR_NOTFOUND (404 entity or route, SOAP 1014), ZS_ERR_CONFLICT (409),
 * ZS_ERR_FAILED (400/405/422, SOAP Client fault or other return codes, unknown instance).
 * err->msg carries ZEP's own message; tokens never appear in it.
 *
 * Writes: creates (REST POST, SOAP create*), REST PUTs and SOAP deletes are sent once. A write that
 * returns ZS_ERR_RETRY may have been applied (timeout, lost answer, 5xx): look the record up
 * before writing it again (DESIGN §4, step 3).
 */
#ifndef ZS_ZEP_H
#define ZS_ZEP_H

#include <stddef.h>

#include "core/zs_err.h"
#include "http/zs_http.h"

/* ---------------------------------------------------------------- pacing */

typedef struct zs_zep_pacer {
    /* 0: send now (one request is taken); > 0: ask again after that many ms; < 0: pacer error
     * (the call fails with ZS_ERR_RETRY). */
    long (*acquire)(void *ctx, const char *tenant, zs_err *err);
    /* Optional: ZEP blocked the token for block_ms; a shared pacer spreads that to all replicas. */
    void (*blocked)(void *ctx, const char *tenant, long block_ms);
    void *ctx;
} zs_zep_pacer;

/* Default budget: below the published 1000 / 5 min, leaving room for the operator and the UI. */
#define ZS_ZEP_PACE_RATE 900
#define ZS_ZEP_PACE_PERIOD_MS 300000L
#define ZS_ZEP_PACE_BURST 20

/* Pure GCRA step: *tat_ms is the theoretical arrival time. Returns 0 and advances *tat_ms when a
 * request may go at now_ms, else the wait in ms (state unchanged). */
long zs_zep_gcra(long long *tat_ms, long long now_ms, long rate, long period_ms, long burst);

/* In-process pacer (mutex-protected; share one between handles of the same tenant). */
typedef struct zs_zep_local_pacer zs_zep_local_pacer;
zs_zep_local_pacer *zs_zep_local_pacer_new(long rate, long period_ms, long burst, zs_err *err);
void zs_zep_local_pacer_free(zs_zep_local_pacer *p);
zs_zep_pacer zs_zep_local_pacer_iface(zs_zep_local_pacer *p);

/*
 * Redis-shared pacer: every replica of a tenant draws from one GCRA budget in Redis
 * (zs_redis_gcra_take on zs:{tenant}:ratelimit:zep), and a 429 block is stored as
 * zs:{tenant}:ratelimit:zep-block with the block time as TTL, so the other replicas stop too.
 * If Redis cannot be asked, acquire fails and the call returns ZS_ERR_RETRY: pacing fails closed,
 * because a burst from every replica at once would cost a 60 s block for the whole tenant.
 * The zs_redis handle is the caller's (one per thread, like zs_zep).
 */
struct zs_redis;
typedef struct zs_zep_redis_pacer {
    struct zs_redis *redis;
    long rate, period_ms, burst; /* 0: ZS_ZEP_PACE_* defaults */
} zs_zep_redis_pacer;
zs_zep_pacer zs_zep_redis_pacer_iface(zs_zep_redis_pacer *p);

/* ---------------------------------------------------------------- handle */

typedef struct zs_zep_cfg {
    const char *base_url;   /* "https://www.zep-online.de" (or a sandbox URL), no trailing slash */
    const char *instance;   /* the path segment, e.g. "zepacme" */
    const char *rest_token; /* REST bearer token (may be NULL if only SOAP is used) */
    const char *soap_token; /* SOAP authorizationToken (may be NULL if only REST is used) */
    const char *tenant;     /* zepsync tenant id, for pacer keys and logs (default: instance) */
    zs_zep_pacer pacer;     /* .acquire NULL: an own in-process pacer with the defaults */
    long max_pace_wait_ms;  /* longest a call waits for the pacer before ZS_ERR_RETRY (default 10000) */
    long block_default_ms;  /* block after a 429 without Retry-After (default 60000) */
    int get_retries;        /* extra attempts for REST GETs (5xx, network) and SOAP reads and updates
                               (network only; not for a renaming updateMitarbeiter); 0 = default 2,
                               -1 = none */
    long retry_base_ms;     /* backoff base for those (default 200) */
    const zs_http_opts *http;
} zs_zep_cfg;

typedef struct zs_zep zs_zep;

zs_zep *zs_zep_new(const zs_zep_cfg *cfg, zs_err *err);
void zs_zep_free(zs_zep *z);

/* HTTP status of the last response (0 when none arrived or the call never left the process). */
long zs_zep_last_status(const zs_zep *z);
/* Milliseconds the handle is still blocked after a 429 (0 when not blocked). */
long zs_zep_blocked_ms(const zs_zep *z);
/* Requests actually sent by this handle (REST + SOAP, retries included). */
long zs_zep_requests_sent(const zs_zep *z);

/* ---------------------------------------------------------------- entities */

/* Strings are "" when ZEP has null/empty; dates are YYYY-MM-DD, times HH:MM:SS. */
typedef struct zs_zep_employee {
    char username[64];
    char firstname[128];
    char lastname[128];
    char email[256];
    char personal_number[64];
    char personio_id[64];
    char cost_bearer[64];
    char price_group[32];
    char birthdate[11];
    char salutation[8];    /* "Herr", "Frau" or "" */
    int employment;        /* 0 employee, 1 freelancer, 2 freelancer with credit note */
    int rights;            /* 0 user … 4 project controller */
    long department_id;    /* -1 = none */
    char created[32];      /* REST timestamp as given */
    char modified[32];
} zs_zep_employee;

/* Field mask for zs_zep_employee_update: only these are taken from the caller's values. */
enum {
    ZS_ZEP_EMP_FIRSTNAME = 1 << 0,
    ZS_ZEP_EMP_LASTNAME = 1 << 1,
    ZS_ZEP_EMP_EMAIL = 1 << 2,
    ZS_ZEP_EMP_PERSONAL_NUMBER = 1 << 3,
    ZS_ZEP_EMP_PERSONIO_ID = 1 << 4,
    ZS_ZEP_EMP_COST_BEARER = 1 << 5,
    ZS_ZEP_EMP_PRICE_GROUP = 1 << 6,
    ZS_ZEP_EMP_BIRTHDATE = 1 << 7,
    ZS_ZEP_EMP_EMPLOYMENT = 1 << 8,
    ZS_ZEP_EMP_DEPARTMENT = 1 << 9,
    ZS_ZEP_EMP_SALUTATION = 1 << 10,
};

typedef struct zs_zep_employment_period {
    long id;
    char employee_id[64];
    char start_date[11];
    char end_date[11]; /* "" = open-ended */
    char note[256];
    double annual_leave_entitlement;
    char created[32];
    char modified[32];
} zs_zep_employment_period;

typedef struct zs_zep_working_time {
    long id;
    char employee_id[64];
    char start_date[11]; /* "" = since the employment start */
    double hours[7];     /* Monday..Sunday; < 0 = no workday */
    int is_monthly;
    double monthly_hours; /* < 0 = unset */
} zs_zep_working_time;

typedef struct zs_zep_booking {
    long id;
    char employee_id[64];
    char date[11];
    char from[9];
    char to[9];
    double duration; /* decimal hours */
    char note[512];
    int billable;
    char project_id[64];
    char project_task_id[64];
    char activity_id[64];
    char created[32]; /* REST: 2024-07-20T11:30:00.000000Z; SOAP: 2024-07-20 11:30:00 */
    char modified[32];
} zs_zep_booking;

typedef enum zs_zep_absence_kind { ZS_ZEP_ABS_FULL_DAY = 0, ZS_ZEP_ABS_HALF_DAY = 1, ZS_ZEP_ABS_HOURS = 2 } zs_zep_absence_kind;

typedef struct zs_zep_absence {
    long id;
    char employee_id[64];
    char reason[16]; /* absence_reason_id / fehlgrund (Kurzform), e.g. "UB" */
    zs_zep_absence_kind kind;
    char start_date[11];
    char end_date[11];
    double hours; /* HOURS kind; < 0 when unset */
    char from[9]; /* HOURS kind, optional */
    char to[9];
    char note[512];
    char timezone[64];
    int approved;
    char created[32];
    char modified[32];
} zs_zep_absence;

typedef struct zs_zep_absence_reason {
    char name[16]; /* Kurzform */
    char label[256];
    int needs_approval;
    int allow_half_day;
    int allow_hours;
    int type_id; /* 0 annual holiday, 1 paid absence, 3 flexitime, … */
} zs_zep_absence_reason;

/* Growable result lists; release with the matching _release (safe on zeroed structs). */
#define ZS_ZEP_LIST(T, N)                                                                          \
    typedef struct N {                                                                             \
        T *items;                                                                                  \
        size_t n, cap;                                                                             \
    } N;                                                                                           \
    void N##_release(N *l);
ZS_ZEP_LIST(zs_zep_employee, zs_zep_employee_vec)
ZS_ZEP_LIST(zs_zep_employment_period, zs_zep_period_vec)
ZS_ZEP_LIST(zs_zep_working_time, zs_zep_working_time_vec)
ZS_ZEP_LIST(zs_zep_booking, zs_zep_booking_vec)
ZS_ZEP_LIST(zs_zep_absence, zs_zep_absence_vec)
ZS_ZEP_LIST(zs_zep_absence_reason, zs_zep_reason_vec)
#undef ZS_ZEP_LIST

/* ---------------------------------------------------------------- REST */

/* List calls append to *out; after an error it may hold the pages read so far: release it anyway. */

/* All pages (limit 100) are read. personal_number may be NULL (no filter). */
zs_rc zs_zep_employee_list(zs_zep *z, const char *personal_number, zs_zep_employee_vec *out, zs_err *err);
zs_rc zs_zep_employee_get(zs_zep *z, const char *username, zs_zep_employee *out, zs_err *err);
/* REST has no e-mail filter: pages through all employees, case-insensitive match. NOTFOUND if none. */
zs_rc zs_zep_employee_find_email(zs_zep *z, const char *email, zs_zep_employee *out, zs_err *err);
/* Same for personio_id (exact match): the reconcile step's first lookup. */
zs_rc zs_zep_employee_find_personio_id(zs_zep *z, const char *personio_id, zs_zep_employee *out, zs_err *err);
/* POST /employees; username, firstname, lastname, email, price_group and password are required.
 * out (may be NULL) receives the created employee. ZS_ERR_CONFLICT on a taken username/e-mail. */
zs_rc zs_zep_employee_create(zs_zep *z, const zs_zep_employee *e, const char *password, zs_zep_employee *out,
                             zs_err *err);
/* PUT replaces the whole record, so this reads it, overlays the fields in mask and writes it back. */
zs_rc zs_zep_employee_update(zs_zep *z, const char *username, const zs_zep_employee *values, unsigned mask,
                             zs_zep_employee *out, zs_err *err);

zs_rc zs_zep_period_list(zs_zep *z, const char *username, zs_zep_period_vec *out, zs_err *err);
zs_rc zs_zep_period_create(zs_zep *z, const char *username, const zs_zep_employment_period *p,
                           zs_zep_employment_period *out, zs_err *err);
/* PUT /employees/{u}/employment-periods/{id} with start, end, note and entitlement of p. */
zs_rc zs_zep_period_update(zs_zep *z, const char *username, const zs_zep_employment_period *p,
                           zs_zep_employment_period *out, zs_err *err);

zs_rc zs_zep_working_time_list(zs_zep *z, const char *username, zs_zep_working_time_vec *out, zs_err *err);
zs_rc zs_zep_working_time_create(zs_zep *z, const char *username, const zs_zep_working_time *w,
                                 zs_zep_working_time *out, zs_err *err);

/* GET /attendances; employee, start and end (inclusive) may be NULL. */
zs_rc zs_zep_booking_list(zs_zep *z, const char *employee, const char *start_date, const char *end_date,
                          zs_zep_booking_vec *out, zs_err *err);
zs_rc zs_zep_booking_get(zs_zep *z, long id, zs_zep_booking *out, zs_err *err);
/* POST /attendances (project_id, project_task_id, activity_id required by ZEP); duration ≤ 0 = from/to. */
zs_rc zs_zep_booking_create(zs_zep *z, const zs_zep_booking *b, zs_zep_booking *out, zs_err *err);

zs_rc zs_zep_absence_list(zs_zep *z, const char *employee, const char *start_date, const char *end_date,
                          zs_zep_absence_vec *out, zs_err *err);
zs_rc zs_zep_absence_get(zs_zep *z, long id, zs_zep_absence *out, zs_err *err);
/* POST /absences: FULL_DAY or HOURS (REST has no half day: use zs_zep_soap_absence_create);
 * planned = !approved. */
zs_rc zs_zep_absence_create(zs_zep *z, const zs_zep_absence *a, zs_zep_absence *out, zs_err *err);

zs_rc zs_zep_reason_list(zs_zep *z, zs_zep_reason_vec *out, zs_err *err);

/* Escape hatch for endpoints without a typed call: path below /next/api/v1 (query included),
 * body JSON text or NULL. On ZS_OK *resp_json (caller frees) holds the 2xx document. Same pacing,
 * block handling and error decoding as the typed calls. */
zs_rc zs_zep_rest_raw(zs_zep *z, const char *method, const char *path, const char *body_json, char **resp_json,
                      zs_err *err);

/* ---------------------------------------------------------------- SOAP v10 */

/* readMitarbeiter modifiedSince ("YYYY-MM-DD HH:MM:SS"; NULL = all). Employees carry no created/
 * personio data beyond what SOAP returns: username, names, e-mail, personal number, personio id,
 * cost bearer, price group, modified. */
zs_rc zs_zep_soap_employees(zs_zep *z, const char *modified_since, zs_zep_employee_vec *out, zs_err *err);

/* readMitarbeiter by e-mail: one request where REST has to page through every employee.
 * NOTFOUND when nobody has it. (SOAP fields only, see zs_zep_soap_employees.) */
zs_rc zs_zep_soap_employee_find_email(zs_zep *z, const char *email, zs_zep_employee *out, zs_err *err);
/* updateMitarbeiter: a true partial update (only the fields in mask are sent; an empty value
 * clears the field), one request instead of REST's GET + PUT. new_username (NULL = keep) renames
 * the user via the rename-userId attribute. ZS_ZEP_EMP_DEPARTMENT is refused (SOAP wants names). */
zs_rc zs_zep_soap_employee_update(zs_zep *z, const char *username, const zs_zep_employee *values, unsigned mask,
                                  const char *new_username, zs_err *err);

typedef struct zs_zep_booking_query {
    const char *von, *bis;            /* IsoDate, both or neither */
    const char *const *users;         /* NULL-terminated user ids, or NULL */
    const char *modified_since;       /* IsoDateTime or NULL */
    const char *created_since;        /* IsoDateTime or NULL */
    long id;                          /* 0 = any */
} zs_zep_booking_query;

zs_rc zs_zep_soap_bookings(zs_zep *z, const zs_zep_booking_query *q, zs_zep_booking_vec *out, zs_err *err);
/* createProjektzeit / updateProjektzeit (b->id required) / deleteProjektzeit. *id_out gets the id. */
zs_rc zs_zep_soap_booking_create(zs_zep *z, const zs_zep_booking *b, long *id_out, zs_err *err);
zs_rc zs_zep_soap_booking_update(zs_zep *z, const zs_zep_booking *b, zs_err *err);
zs_rc zs_zep_soap_booking_delete(zs_zep *z, long id, zs_err *err);

/* readFehlzeit: user required; start/end/modified_since may be NULL. */
zs_rc zs_zep_soap_absences(zs_zep *z, const char *user, const char *start_date, const char *end_date,
                           const char *modified_since, zs_zep_absence_vec *out, zs_err *err);
zs_rc zs_zep_soap_absence_create(zs_zep *z, const zs_zep_absence *a, long *id_out, zs_err *err);
/* updateFehlzeit: a full description of the absence (a->id required). */
zs_rc zs_zep_soap_absence_update(zs_zep *z, const zs_zep_absence *a, zs_err *err);
zs_rc zs_zep_soap_absence_delete(zs_zep *z, long id, zs_err *err);
zs_rc zs_zep_soap_reasons(zs_zep *z, zs_zep_reason_vec *out, zs_err *err);

#endif
