/*
 * Internal interface of zepsync-personio-sandbox: a local stand-in for the Personio API v2 that
 * hosts many companies in one process. See README.md in this folder for what is emulated.
 */
#ifndef SBX_H
#define SBX_H

#include "core/zs_json.h"

#include <json-c/json.h>
#include <pthread.h>
#include <stddef.h>

/* Rate-limit families: Personio's gateway keeps one token bucket per endpoint group. */
enum { FAM_PERSONS = 0, FAM_ATTENDANCE, FAM_ABSENCE, FAM_WEBHOOKS, FAM_N };

typedef struct sbx_rl {
    double rate;  /* tokens per second; <= 0 disables the bucket */
    double burst; /* capacity */
} sbx_rl;

typedef struct sbx_cfg {
    sbx_rl rl[FAM_N];
    int auth_per_min;          /* /v2/auth/token limit per company and minute; 0 = off */
    long token_ttl_s;
    int allow_overnight;       /* periods may cross midnight (Personio's overnight rollout) */
    int relative_links;        /* pre-2025 relative next links */
    char link_origin[256];     /* overrides the origin of links (tests of foreign-origin links) */
    long webhook_timeout_ms;
    long webhook_retry_ms;     /* first retry delay, doubled per attempt */
    int webhook_max_attempts;
    char state_path[1024];
} sbx_cfg;

typedef struct sbx_bucket {
    double tokens;
    double last;
} sbx_bucket;

typedef struct sbx_company {
    char id[32];
    char name[128];
    char client_id[256];
    char client_secret[256];
    char scopes[1024];
    char timezone[64];
    int approval_required; /* attendance approval rule configured */
    int hide_attributes;   /* the credential has no attribute whitelist: persons are id + employments */
    long token_ttl_s;      /* 0: the process default */
    long next_id;          /* numeric ids for persons and employments */
    json_object *persons, *employments, *attendance, *absence_types, *absences, *webhooks,
        *attributes, *deliveries;
    json_object *counts;   /* "METHOD /template" -> count */
    json_object *statuses; /* "429" -> count */
    json_object *idents;   /* "X-Personio-App-ID: VALUE" -> count */
    sbx_bucket bucket[FAM_N];
    double auth_win_start, auth_penalty_until, auth_last;
    int auth_count;
} sbx_company;

typedef struct sbx_kv {
    char *k, *v;
} sbx_kv;

typedef struct sbx_req {
    const char *method;
    const char *path;
    const char *body;
    size_t body_len;
    const char *content_type;
    const char *authorization;
    const char *partner_id;  /* X-Personio-Partner-ID (or the un-prefixed spelling) */
    const char *app_id;      /* X-Personio-App-ID */
    sbx_kv *args;
    int nargs;
    char origin[320];
    sbx_company *co;     /* the company of the bearer token (NULL until authenticated) */
    const char *scopes;  /* scopes of the token */
    int resumed;         /* second pass after an injected delay: already counted and faulted */
    int drop_after;      /* lose the answer after the request took effect */
} sbx_req;

typedef struct sbx_resp {
    int status;
    char *body;          /* malloc'd; NULL for an empty body */
    const char *ctype;
    int rl_set;
    double rl_rate, rl_burst, rl_remaining;
    int drop;
    char location[512];
} sbx_resp;

/* ---- util (sbx_util.c) ---- */
double sbx_now(void);                      /* wall clock seconds */
void sbx_stamp(char *out, size_t cap);     /* strictly increasing ISO-8601 UTC with millis */
void sbx_stamp_z(char *out, size_t cap);   /* same instant style with Z, for webhooks */
void sbx_uuid(char *out);                  /* 37 bytes */
/* "YYYY-MM-DDTHH:MM:SS" without offset -> seconds (naive, as if UTC). -1 on anything else. */
long long sbx_parse_local(const char *s);
/* Date, or date-time with optional fraction and offset/Z -> epoch ms; -1 on error. */
long long sbx_parse_instant(const char *s);
/* Dotted path as zs_json_at (core/zs_json.h), but only a string counts: NULL for any other type. */
const char *sbx_jstr(json_object *o, const char *path);
char *sbx_json_dump(json_object *o); /* malloc'd compact JSON */
const char *sbx_arg(const sbx_req *q, const char *k);
/* Values of k, split on commas, from every occurrence; returns count (max cap). */
int sbx_arg_list(const sbx_req *q, const char *k, const char **vals, char *buf, size_t bufcap, int cap);
char *sbx_form_value(const char *body, const char *key); /* malloc'd decoded value or NULL */
void sbx_cursor_make(long off, char *out, size_t cap);
long sbx_cursor_parse(const char *c); /* -1 when invalid */

/* ---- responses ---- */
void sbx_err_v2(sbx_resp *r, int status, const char *title, const char *detail, const char *code);
void sbx_json(sbx_resp *r, int status, json_object *o); /* takes ownership of o */

/* ---- store & API (sandbox.c) ---- */
extern sbx_cfg g_cfg;
extern pthread_mutex_t g_lock;
/* Handles one request under g_lock. When *delay_ms comes back > 0, the caller sleeps that long
 * without the lock and calls again with q->resumed = 1. */
void sbx_handle(sbx_req *q, sbx_resp *r, long *delay_ms);
int sbx_state_save(const char *path);
int sbx_state_load(const char *path);
void sbx_free_all(void);
/* Appends a delivery record to the company webhook activity (takes rec). Caller holds g_lock. */
void sbx_record_delivery(const char *company, json_object *rec);

/* ---- webhooks (sbx_webhook.c) ---- */
int sbx_webhook_start(void);
void sbx_webhook_stop(void);
/* Queues deliveries of one event to the matching webhooks of co. Caller holds g_lock. */
void sbx_webhook_emit(sbx_company *co, const char *event_name, json_object *payload);

#endif
