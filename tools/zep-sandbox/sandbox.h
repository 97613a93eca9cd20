/*
 * zepsync-zep-sandbox internals: one process hosts many emulated ZEP instances. All state lives
 * in json-c objects (so --state can save and load it verbatim) guarded by one mutex; the HTTP
 * layer (main.c) resolves the instance and hands the request to rest.c, soap.c or control.
 */
#ifndef ZEP_SANDBOX_H
#define ZEP_SANDBOX_H

#include <json-c/json.h>
#include <stdint.h>

#include "core/zs_buf.h"

typedef struct sb_inst {
    char name[64];
    json_object *d; /* settings + entity arrays; the persisted part */
    /* runtime only: rolling rate window (timestamps in µs) and request counts */
    int64_t *ring;
    long ring_cap, ring_head, ring_n;
    int64_t blocked_until_us;
    json_object *counts;   /* "METHOD /template" or "SOAP op" → n */
    json_object *statuses; /* HTTP status of the sandbox's own answers → n (injected ones excluded) */
    long total;
} sb_inst;

typedef struct sb_resp {
    int status;
    const char *ctype;
    zs_buf body;
    char retry_after[24];
    int drop; /* close the connection without a response */
} sb_resp;

/* A validation/lookup failure of the store layer; REST and SOAP render it their own way. */
typedef struct sb_verr {
    int status;      /* 404, 409, 422 */
    char field[64];  /* "" when not about one field */
    char msg[256];
} sb_verr;

/* ---- clock (wall clock plus a test-controlled offset) ---- */
int64_t sb_now_us(void);
void sb_clock_advance(int64_t us);
void sb_fmt_rest_ts(int64_t us, char *out, size_t cap);  /* 2024-07-20T11:30:00.000000Z */
void sb_fmt_soap_ts(int64_t us, char *out, size_t cap);  /* 2024-07-20 11:30:00 */
void sb_fmt_date(int64_t us, char *out, size_t cap);     /* 2024-07-20 */
int sb_parse_soap_ts(const char *s, int64_t *us);         /* IsoDateTime with space or T */
int sb_valid_date(const char *s);                         /* strict YYYY-MM-DD */
int sb_parse_time(const char *s, int *secs);              /* H:MM or HH:MM[:SS] → seconds */

/* ---- instances ---- */
sb_inst *sb_inst_find(const char *name);
sb_inst *sb_inst_create(json_object *spec, sb_verr *ve); /* takes nothing, copies what it needs */
void sb_inst_reset_all(void);
int sb_inst_reset_data(sb_inst *in);
void sb_inst_free_all(void);
json_object *sb_inst_list(void);
int sb_state_save(const char *path);
int sb_state_load(const char *path);
extern long sb_default_rate_limit, sb_default_rate_window_s, sb_default_rate_block_s;

/* ---- json helpers ---- */
const char *sb_jstr(json_object *o, const char *key);   /* NULL when absent, null or not a string */
int sb_jhas(json_object *o, const char *key);           /* present and not null */
int64_t sb_jint(json_object *o, const char *key, int64_t dflt);
double sb_jdouble(json_object *o, const char *key, double dflt);
int sb_jbool(json_object *o, const char *key, int dflt); /* bool, 0/1, "true"/"false", "0"/"1" */
json_object *sb_arr(sb_inst *in, const char *key);
json_object *sb_public_copy(json_object *o);             /* drops the internal "_" keys */
void sb_verr_set(sb_verr *ve, int status, const char *field, const char *fmt, ...)
    __attribute__((format(printf, 4, 5)));

/* ---- store: the entities both APIs share; inputs use REST field names ---- */
json_object *sb_emp_find(sb_inst *in, const char *username);
json_object *sb_emp_find_email(sb_inst *in, const char *email, json_object *except);
json_object *sb_emp_create(sb_inst *in, json_object *body, sb_verr *ve);
json_object *sb_emp_replace(sb_inst *in, json_object *emp, json_object *body, sb_verr *ve);
json_object *sb_emp_render(sb_inst *in, json_object *emp); /* GET shape, new reference */
json_object *sb_period_create(sb_inst *in, const char *username, json_object *body, sb_verr *ve);
json_object *sb_period_update(sb_inst *in, json_object *per, json_object *body, sb_verr *ve);
json_object *sb_rwt_create(sb_inst *in, const char *username, json_object *body, sb_verr *ve);
json_object *sb_find_id(sb_inst *in, const char *arr, int64_t id);
int sb_delete_id(sb_inst *in, const char *arr, int64_t id);
json_object *sb_booking_create(sb_inst *in, json_object *body, sb_verr *ve);
json_object *sb_booking_update(sb_inst *in, json_object *b, json_object *body, sb_verr *ve);
json_object *sb_absence_create(sb_inst *in, json_object *body, sb_verr *ve);
json_object *sb_absence_update(sb_inst *in, json_object *a, json_object *body, sb_verr *ve);
json_object *sb_absence_render(sb_inst *in, json_object *a);
json_object *sb_reason_find(sb_inst *in, const char *code);

/* ---- request handlers (called with the state lock held) ---- */
void sb_rest_handle(sb_inst *in, const char *method, const char *subpath, void *conn,
                    const char *body, size_t body_len, const char *base_url, sb_resp *r);
void sb_soap_handle(sb_inst *in, const char *body, size_t body_len, const char *endpoint,
                    sb_resp *r);
/* The operation name of a SOAP body ("readProjektzeiten"), for fault matching and counts. */
int sb_soap_operation(const char *body, size_t len, char *out, size_t cap);
void sb_soap_wsdl(const char *endpoint, sb_resp *r);
/* libxml2's global setup must run before the connection threads parse anything. */
void sb_soap_init(void);
void sb_soap_cleanup(void);

/* Query-string access for rest.c (main.c owns the MHD connection). */
const char *sb_query(void *conn, const char *key);
/* Collects every value of a repeated key (e.g. personal_number[]) into a new json array. */
json_object *sb_query_all(void *conn, const char *key);

void sb_resp_json(sb_resp *r, int status, json_object *o);  /* does not take o */
void sb_resp_msg(sb_resp *r, int status, const char *fmt, ...) __attribute__((format(printf, 3, 4)));

#endif
