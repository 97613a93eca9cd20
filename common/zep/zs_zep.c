/* ZEP client: handle, pacing, transport, and the REST "ZEP next" v1 calls. */
#include "zep_internal.h"

#include <ctype.h>
#include <errno.h>
#include <json-c/json.h>
#include <libxml/parser.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>

/* ---------------------------------------------------------------- small helpers */

long long zep_now_ms(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (long long)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

void zep_sleep_ms(long ms)
{
    struct timespec ts = {ms / 1000, (ms % 1000) * 1000000L};
    while (nanosleep(&ts, &ts) != 0 && errno == EINTR) {
    }
}

void zep_copy(char *dst, size_t cap, const char *src)
{
    snprintf(dst, cap, "%s", src ? src : "");
}

void *zep_list_push(void **items, size_t *n, size_t *cap, size_t elem)
{
    if (*n == *cap) {
        size_t nc = *cap ? *cap * 2 : 16;
        void *grown = realloc(*items, nc * elem);
        if (!grown)
            return NULL;
        *items = grown;
        *cap = nc;
    }
    void *slot = (char *)*items + (*n)++ * elem;
    memset(slot, 0, elem);
    return slot;
}

#define LIST_RELEASE(N)                                                                            \
    void N##_release(N *l)                                                                         \
    {                                                                                              \
        if (!l)                                                                                    \
            return;                                                                                \
        free(l->items);                                                                            \
        l->items = NULL;                                                                           \
        l->n = l->cap = 0;                                                                         \
    }
LIST_RELEASE(zs_zep_employee_vec)
LIST_RELEASE(zs_zep_period_vec)
LIST_RELEASE(zs_zep_working_time_vec)
LIST_RELEASE(zs_zep_booking_vec)
LIST_RELEASE(zs_zep_absence_vec)
LIST_RELEASE(zs_zep_reason_vec)

/* ---------------------------------------------------------------- pacing */

long zs_zep_gcra(long long *tat_ms, long long now_ms, long rate, long period_ms, long burst)
{
    if (rate < 1 || period_ms < 1 || burst < 1)
        return -1;
    long long interval = period_ms / rate;
    if (interval < 1)
        interval = 1;
    long long tat = *tat_ms > now_ms ? *tat_ms : now_ms;
    long long allow_at = tat - (long long)(burst - 1) * interval;
    if (allow_at > now_ms)
        return (long)(allow_at - now_ms);
    *tat_ms = tat + interval;
    return 0;
}

struct zs_zep_local_pacer {
    pthread_mutex_t mu;
    long long tat_ms;
    long rate, period_ms, burst;
    long long blocked_until_ms;
};

zs_zep_local_pacer *zs_zep_local_pacer_new(long rate, long period_ms, long burst, zs_err *err)
{
    if (rate < 1 || period_ms < 1 || burst < 1) {
        zs_err_set(err, ZS_ERR_FAILED, "zep pacer: rate, period and burst must be >= 1");
        return NULL;
    }
    zs_zep_local_pacer *p = calloc(1, sizeof *p);
    if (!p) {
        zs_err_set(err, ZS_ERR_FAILED, "zep pacer: out of memory");
        return NULL;
    }
    pthread_mutex_init(&p->mu, NULL);
    p->rate = rate;
    p->period_ms = period_ms;
    p->burst = burst;
    return p;
}

void zs_zep_local_pacer_free(zs_zep_local_pacer *p)
{
    if (!p)
        return;
    pthread_mutex_destroy(&p->mu);
    free(p);
}

static long local_acquire(void *ctx, const char *tenant, zs_err *err)
{
    (void)tenant, (void)err;
    zs_zep_local_pacer *p = ctx;
    pthread_mutex_lock(&p->mu);
    long long now = zep_now_ms();
    long wait = now < p->blocked_until_ms ? (long)(p->blocked_until_ms - now)
                                          : zs_zep_gcra(&p->tat_ms, now, p->rate, p->period_ms, p->burst);
    pthread_mutex_unlock(&p->mu);
    return wait;
}

static void local_blocked(void *ctx, const char *tenant, long block_ms)
{
    (void)tenant;
    zs_zep_local_pacer *p = ctx;
    pthread_mutex_lock(&p->mu);
    long long until = zep_now_ms() + block_ms;
    if (until > p->blocked_until_ms)
        p->blocked_until_ms = until;
    pthread_mutex_unlock(&p->mu);
}

zs_zep_pacer zs_zep_local_pacer_iface(zs_zep_local_pacer *p)
{
    zs_zep_pacer i = {local_acquire, local_blocked, p};
    return i;
}

/* ---------------------------------------------------------------- handle */

static char *dup_or_null(const char *s, int *oom)
{
    if (!s)
        return NULL;
    char *d = strdup(s);
    if (!d)
        *oom = 1;
    return d;
}

zs_zep *zs_zep_new(const zs_zep_cfg *cfg, zs_err *err)
{
    if (!cfg || !cfg->base_url || !cfg->instance || !*cfg->instance) {
        zs_err_set(err, ZS_ERR_FAILED, "zep: base_url and instance are required");
        return NULL;
    }
    for (const char *s = cfg->instance; *s; s++)
        if (!isalnum((unsigned char)*s) && *s != '_' && *s != '-') {
            zs_err_set(err, ZS_ERR_FAILED, "zep: instance must be a single path segment");
            return NULL;
        }
    /* libxml2's global init is not thread-safe on first use; handles are made before the work */
    xmlInitParser();
    zs_zep *z = calloc(1, sizeof *z);
    if (!z) {
        zs_err_set(err, ZS_ERR_FAILED, "zep: out of memory");
        return NULL;
    }
    int oom = 0;
    z->base_url = dup_or_null(cfg->base_url, &oom);
    z->instance = dup_or_null(cfg->instance, &oom);
    z->rest_token = dup_or_null(cfg->rest_token, &oom);
    z->soap_token = dup_or_null(cfg->soap_token, &oom);
    z->tenant = dup_or_null(cfg->tenant ? cfg->tenant : cfg->instance, &oom);
    if (oom) {
        zs_zep_free(z);
        zs_err_set(err, ZS_ERR_FAILED, "zep: out of memory");
        return NULL;
    }
    size_t bl = strlen(z->base_url);
    while (bl && z->base_url[bl - 1] == '/')
        z->base_url[--bl] = '\0';
    z->max_pace_wait_ms = cfg->max_pace_wait_ms > 0 ? cfg->max_pace_wait_ms : 10000;
    z->block_default_ms = cfg->block_default_ms > 0 ? cfg->block_default_ms : 60000;
    z->get_retries = cfg->get_retries > 0 ? cfg->get_retries : (cfg->get_retries < 0 ? 0 : 2);
    z->retry_base_ms = cfg->retry_base_ms > 0 ? cfg->retry_base_ms : 200;
    if (cfg->pacer.acquire) {
        z->pacer = cfg->pacer;
    } else {
        z->own_pacer = zs_zep_local_pacer_new(ZS_ZEP_PACE_RATE, ZS_ZEP_PACE_PERIOD_MS, ZS_ZEP_PACE_BURST, err);
        if (!z->own_pacer) {
            zs_zep_free(z);
            return NULL;
        }
        z->pacer = zs_zep_local_pacer_iface(z->own_pacer);
    }
    z->http = zs_http_new(cfg->http, err);
    if (!z->http) {
        zs_zep_free(z);
        return NULL;
    }
    return z;
}

void zs_zep_free(zs_zep *z)
{
    if (!z)
        return;
    zs_http_free(z->http);
    zs_zep_local_pacer_free(z->own_pacer);
    free(z->base_url);
    free(z->instance);
    free(z->rest_token);
    free(z->soap_token);
    free(z->tenant);
    free(z);
}

long zs_zep_last_status(const zs_zep *z) { return z->last_status; }
long zs_zep_requests_sent(const zs_zep *z) { return z->sent; }

long zs_zep_blocked_ms(const zs_zep *z)
{
    long long left = z->blocked_until_ms - zep_now_ms();
    return left > 0 ? (long)left : 0;
}

/* ---------------------------------------------------------------- transport */

static zs_rc pace(zs_zep *z, zs_err *err)
{
    long waited = 0;
    for (;;) {
        zs_err perr = {{0}};
        long w = z->pacer.acquire(z->pacer.ctx, z->tenant, &perr);
        if (w == 0)
            return ZS_OK;
        if (w < 0)
            return zs_err_set(err, ZS_ERR_RETRY, "zep pacer: %s", perr.msg[0] ? perr.msg : "error");
        if (waited + w > z->max_pace_wait_ms)
            return zs_err_set(err, ZS_ERR_RETRY, "zep pacer: next request allowed in %ld ms (over the %ld ms wait budget)",
                              w, z->max_pace_wait_ms);
        zep_sleep_ms(w);
        waited += w;
    }
}

zs_rc zep_send(zs_zep *z, const char *method, const char *url, const char *const *headers, const char *body,
               size_t len, int retry, zs_http_resp *resp, zs_err *err)
{
    memset(resp, 0, sizeof *resp);
    z->last_status = 0;
    for (int attempt = 0;; attempt++) {
        long blocked = zs_zep_blocked_ms(z);
        if (blocked > 0)
            return zs_err_set(err, ZS_ERR_RETRY, "zep: rate-limit block, %ld ms left", blocked);
        zs_rc rc = pace(z, err);
        if (rc != ZS_OK)
            return rc;
        rc = zs_http_request(z->http, method, url, headers, body, len, resp, err);
        z->sent++;
        z->last_status = resp->status;
        if (rc == ZS_ERR_FAILED) {
            zs_http_resp_release(resp);
            return rc;
        }
        if (resp->status == 429) {
            long block = resp->retry_after_s > 0 ? resp->retry_after_s * 1000 : z->block_default_ms;
            z->blocked_until_ms = zep_now_ms() + block;
            if (z->pacer.blocked)
                z->pacer.blocked(z->pacer.ctx, z->tenant, block);
            zs_http_resp_release(resp);
            return zs_err_set(err, ZS_ERR_RETRY, "zep: HTTP 429 rate limit, blocked for %ld ms", block);
        }
        int transient = (rc == ZS_ERR_RETRY && (retry & ZEP_RETRY_NET)) ||
                        (rc == ZS_OK && resp->status >= 500 && (retry & ZEP_RETRY_5XX));
        if (transient && attempt < z->get_retries) {
            long d = zs_http_backoff_ms(attempt, z->retry_base_ms, 5000, resp->retry_after_s,
                                        (double)rand() / ((double)RAND_MAX + 1.0));
            zs_http_resp_release(resp);
            zep_sleep_ms(d);
            continue;
        }
        if (rc == ZS_ERR_RETRY) {
            zs_http_resp_release(resp);
            return rc;
        }
        return ZS_OK;
    }
}

/* ---------------------------------------------------------------- REST core */

static int is_html(const zs_http_resp *r)
{
    return strstr(r->content_type, "html") || (r->body && !strncasecmp(r->body, "<!DOCTYPE html", 14));
}

static zs_rc status_rc(long status)
{
    if (status == 401 || status == 403)
        return ZS_ERR_AUTH;
    if (status == 404)
        return ZS_ERR_NOTFOUND;
    if (status == 409)
        return ZS_ERR_CONFLICT;
    if (status == 408 || status == 425 || status == 429 || status >= 500)
        return ZS_ERR_RETRY;
    return ZS_ERR_FAILED;
}

/*
 * method + path (below /next/api/v1, with query) + optional JSON body → *env (the parsed 2xx
 * document, caller puts it). Non-2xx answers become a zs_rc with ZEP's message.
 */
static zs_rc rest_call(zs_zep *z, const char *method, const char *path, json_object *body, json_object **env,
                       zs_err *err)
{
    *env = NULL;
    if (!z->rest_token)
        return zs_err_set(err, ZS_ERR_AUTH, "zep: no REST token configured");
    char url[2048], auth[1024];
    if ((size_t)snprintf(url, sizeof url, "%s/%s/next/api/v1%s", z->base_url, z->instance, path) >= sizeof url)
        return zs_err_set(err, ZS_ERR_FAILED, "zep: URL too long");
    snprintf(auth, sizeof auth, "Authorization: Bearer %s", z->rest_token);
    const char *hdrs[] = {auth, "Accept: application/json", body ? "Content-Type: application/json" : NULL, NULL};
    const char *b = body ? json_object_to_json_string_ext(body, JSON_C_TO_STRING_PLAIN | JSON_C_TO_STRING_NOSLASHESCAPE)
                         : NULL;
    if (body && !b)
        return zs_err_set(err, ZS_ERR_FAILED, "zep: out of memory");
    int retry = !strcmp(method, "GET") ? ZEP_RETRY_NET | ZEP_RETRY_5XX : 0;
    zs_http_resp r;
    zs_rc rc = zep_send(z, method, url, hdrs, b, b ? strlen(b) : 0, retry, &r, err);
    if (rc != ZS_OK)
        return zs_err_wrap(err, rc, "zep %s %s", method, path);
    if (r.status >= 200 && r.status < 300) {
        json_object *o = r.body_len ? json_tokener_parse(r.body) : json_object_new_object();
        int html = is_html(&r);
        zs_http_resp_release(&r);
        if (!o || !json_object_is_type(o, json_type_object)) {
            json_object_put(o);
            if (html)
                return zs_err_set(err, ZS_ERR_FAILED, "zep %s %s: HTML page instead of JSON (unknown ZEP instance '%s'?)",
                                  method, path, z->instance);
            return zs_err_set(err, ZS_ERR_RETRY, "zep %s %s: unparseable JSON response", method, path);
        }
        *env = o;
        return ZS_OK;
    }
    long st = r.status;
    if (is_html(&r)) {
        zs_http_resp_release(&r);
        return zs_err_set(err, ZS_ERR_FAILED, "zep %s %s: HTTP %ld HTML page (unknown ZEP instance '%s'?)", method,
                          path, st, z->instance);
    }
    char msg[400] = "", detail[300] = "";
    json_object *o = json_tokener_parse(r.body), *v, *errs;
    if (o && json_object_object_get_ex(o, "message", &v))
        zep_copy(msg, sizeof msg, json_object_get_string(v));
    if (o && json_object_object_get_ex(o, "errors", &errs) && json_object_is_type(errs, json_type_object)) {
        json_object_object_foreach(errs, field, list)
        {
            json_object *first = json_object_is_type(list, json_type_array) ? json_object_array_get_idx(list, 0) : list;
            snprintf(detail, sizeof detail, " [%s: %s]", field, first ? json_object_get_string(first) : "");
            break;
        }
    }
    json_object_put(o);
    if (!msg[0])
        snprintf(msg, sizeof msg, "%.200s", r.body ? r.body : "");
    zs_http_resp_release(&r);
    return zs_err_set(err, status_rc(st), "zep %s %s: HTTP %ld: %s%s", method, path, st, msg, detail);
}

/* ---------------------------------------------------------------- JSON → structs */

static void jcpy(json_object *o, const char *key, char *dst, size_t cap)
{
    json_object *v;
    dst[0] = '\0';
    if (o && json_object_object_get_ex(o, key, &v) && v)
        zep_copy(dst, cap, json_object_get_string(v));
}

/* Dates arrive as "2024-07-20T00:00:00.000000Z" or "2024-07-20"; we keep the day. */
static void jdate(json_object *o, const char *key, char *dst, size_t cap)
{
    char b[64];
    jcpy(o, key, b, sizeof b);
    snprintf(dst, cap, "%.10s", b);
}

static double jnum(json_object *o, const char *key, double dflt)
{
    json_object *v;
    if (!o || !json_object_object_get_ex(o, key, &v) || !v)
        return dflt;
    if (json_object_is_type(v, json_type_string)) { /* decimals often come as "4.7500000000" */
        char *end;
        const char *s = json_object_get_string(v);
        double d = strtod(s, &end);
        return *s && !*end ? d : dflt;
    }
    return json_object_get_double(v);
}

/* {"id":1,"name":…} on GET, a plain "1" on write responses. */
static int jidobj(json_object *o, const char *key, int dflt)
{
    json_object *v, *id;
    if (!o || !json_object_object_get_ex(o, key, &v) || !v)
        return dflt;
    if (json_object_is_type(v, json_type_object))
        return json_object_object_get_ex(v, "id", &id) ? json_object_get_int(id) : dflt;
    return json_object_get_int(v);
}

static int jbool(json_object *o, const char *key)
{
    json_object *v;
    if (!o || !json_object_object_get_ex(o, key, &v) || !v)
        return 0;
    if (json_object_is_type(v, json_type_object)) { /* v6: {"id":2,"name":"Billable"} */
        json_object *id;
        return json_object_object_get_ex(v, "id", &id) && json_object_get_int(id) == 2;
    }
    if (json_object_is_type(v, json_type_string))
        return !strcmp(json_object_get_string(v), "true") || !strcmp(json_object_get_string(v), "1");
    return json_object_get_boolean(v);
}

static void parse_employee(json_object *o, zs_zep_employee *e)
{
    memset(e, 0, sizeof *e);
    jcpy(o, "username", e->username, sizeof e->username);
    jcpy(o, "firstname", e->firstname, sizeof e->firstname);
    jcpy(o, "lastname", e->lastname, sizeof e->lastname);
    jcpy(o, "email", e->email, sizeof e->email);
    jcpy(o, "personal_number", e->personal_number, sizeof e->personal_number);
    jcpy(o, "personio_id", e->personio_id, sizeof e->personio_id);
    jcpy(o, "cost_bearer", e->cost_bearer, sizeof e->cost_bearer);
    jcpy(o, "price_group", e->price_group, sizeof e->price_group);
    jdate(o, "birthdate", e->birthdate, sizeof e->birthdate);
    json_object *s;
    if (json_object_object_get_ex(o, "salutation", &s) && s)
        jcpy(json_object_is_type(s, json_type_object) ? s : o, json_object_is_type(s, json_type_object) ? "id" : "salutation",
             e->salutation, sizeof e->salutation);
    e->employment = jidobj(o, "employment", 0);
    e->rights = jidobj(o, "rights", 0);
    e->department_id = (long)jnum(o, "department_id", -1);
    jcpy(o, "created", e->created, sizeof e->created);
    jcpy(o, "modified", e->modified, sizeof e->modified);
}

static void parse_period(json_object *o, zs_zep_employment_period *p)
{
    memset(p, 0, sizeof *p);
    p->id = (long)jnum(o, "id", 0);
    jcpy(o, "employee_id", p->employee_id, sizeof p->employee_id);
    jdate(o, "start_date", p->start_date, sizeof p->start_date);
    jdate(o, "end_date", p->end_date, sizeof p->end_date);
    jcpy(o, "note", p->note, sizeof p->note);
    p->annual_leave_entitlement = jnum(o, "annual_leave_entitlement", 0);
    jcpy(o, "created", p->created, sizeof p->created);
    jcpy(o, "modified", p->modified, sizeof p->modified);
}

static const char *weekdays[7] = {"monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday"};

static void parse_working_time(json_object *o, zs_zep_working_time *w)
{
    memset(w, 0, sizeof *w);
    w->id = (long)jnum(o, "id", 0);
    jcpy(o, "employee_id", w->employee_id, sizeof w->employee_id);
    jdate(o, "start_date", w->start_date, sizeof w->start_date);
    for (int i = 0; i < 7; i++)
        w->hours[i] = jnum(o, weekdays[i], -1);
    w->is_monthly = jbool(o, "is_monthly");
    w->monthly_hours = jnum(o, "monthly_hours", -1);
}

static void parse_booking(json_object *o, zs_zep_booking *b)
{
    memset(b, 0, sizeof *b);
    b->id = (long)jnum(o, "id", 0);
    jcpy(o, "employee_id", b->employee_id, sizeof b->employee_id);
    jdate(o, "date", b->date, sizeof b->date);
    jcpy(o, "from", b->from, sizeof b->from);
    jcpy(o, "to", b->to, sizeof b->to);
    b->duration = jnum(o, "duration", 0);
    jcpy(o, "note", b->note, sizeof b->note);
    b->billable = jbool(o, "billable");
    jcpy(o, "project_id", b->project_id, sizeof b->project_id);
    jcpy(o, "project_task_id", b->project_task_id, sizeof b->project_task_id);
    jcpy(o, "activity_id", b->activity_id, sizeof b->activity_id);
    jcpy(o, "created", b->created, sizeof b->created);
    jcpy(o, "modified", b->modified, sizeof b->modified);
}

static void parse_absence(json_object *o, zs_zep_absence *a)
{
    memset(a, 0, sizeof *a);
    a->id = (long)jnum(o, "id", 0);
    jcpy(o, "employee_id", a->employee_id, sizeof a->employee_id);
    jcpy(o, "absence_reason_id", a->reason, sizeof a->reason);
    int t = (int)jnum(o, "type", 0);
    a->kind = t == 2 ? ZS_ZEP_ABS_HOURS : t == 1 ? ZS_ZEP_ABS_HALF_DAY : ZS_ZEP_ABS_FULL_DAY;
    jdate(o, "start_date", a->start_date, sizeof a->start_date);
    jdate(o, "end_date", a->end_date, sizeof a->end_date);
    a->hours = jnum(o, "hours", -1);
    jcpy(o, "from", a->from, sizeof a->from);
    jcpy(o, "to", a->to, sizeof a->to);
    jcpy(o, "note", a->note, sizeof a->note);
    jcpy(o, "timezone", a->timezone, sizeof a->timezone);
    json_object *v;
    if (json_object_object_get_ex(o, "approved", &v) && v)
        a->approved = jbool(o, "approved");
    else
        a->approved = !jbool(o, "planned"); /* write responses carry planned instead */
    jcpy(o, "created", a->created, sizeof a->created);
    jcpy(o, "modified", a->modified, sizeof a->modified);
}

static void parse_reason(json_object *o, zs_zep_absence_reason *r)
{
    memset(r, 0, sizeof *r);
    jcpy(o, "name", r->name, sizeof r->name);
    char c[256];
    jcpy(o, "comment", c, sizeof c);
    char *bar = strchr(c, '|'); /* "Urlaub|en:Holiday|…": the first part is the tenant language */
    if (bar)
        *bar = '\0';
    zep_copy(r->label, sizeof r->label, c);
    r->needs_approval = jbool(o, "approve");
    r->allow_half_day = jbool(o, "allow_half_day_holiday");
    r->allow_hours = jbool(o, "allow_hours_of_vacation");
    r->type_id = jidobj(o, "type", 0);
}

/* ---------------------------------------------------------------- paging */

typedef int (*item_fn)(json_object *item, void *ctx); /* 0 go on, 1 stop paging, -1 out of memory */

static zs_rc rest_each(zs_zep *z, const char *path, const char *query, item_fn fn, void *ctx, zs_err *err)
{
    long last = 1;
    for (long page = 1; page <= last; page++) {
        char p[1800];
        snprintf(p, sizeof p, "%s?%s%spage=%ld&limit=100", path, query ? query : "", query && *query ? "&" : "", page);
        json_object *env;
        zs_rc rc = rest_call(z, "GET", p, NULL, &env, err);
        if (rc != ZS_OK)
            return rc;
        json_object *data, *meta, *lp;
        if (!json_object_object_get_ex(env, "data", &data) || !json_object_is_type(data, json_type_array)) {
            json_object_put(env);
            return zs_err_set(err, ZS_ERR_FAILED, "zep GET %s: response without a data array", path);
        }
        int stop = 0;
        for (size_t i = 0; !stop && i < json_object_array_length(data); i++) {
            stop = fn(json_object_array_get_idx(data, i), ctx);
            if (stop < 0) {
                json_object_put(env);
                return zs_err_set(err, ZS_ERR_FAILED, "zep: out of memory");
            }
        }
        if (stop) {
            json_object_put(env);
            return ZS_OK;
        }
        /* follow page numbers, not links.next: the links drop the filter parameters */
        if (json_object_object_get_ex(env, "meta", &meta) && json_object_object_get_ex(meta, "last_page", &lp))
            last = json_object_get_int64(lp);
        json_object_put(env);
        if (last > 100000)
            return zs_err_set(err, ZS_ERR_FAILED, "zep GET %s: implausible last_page %ld", path, last);
    }
    return ZS_OK;
}

#define PUSHER(NAME, LIST, T, PARSE)                                                               \
    static int NAME(json_object *item, void *ctx)                                                  \
    {                                                                                              \
        LIST *l = ctx;                                                                             \
        T *slot = zep_list_push((void **)&l->items, &l->n, &l->cap, sizeof *l->items);             \
        if (!slot)                                                                                 \
            return -1;                                                                             \
        PARSE(item, slot);                                                                         \
        return 0;                                                                                  \
    }
PUSHER(push_employee, zs_zep_employee_vec, zs_zep_employee, parse_employee)
PUSHER(push_period, zs_zep_period_vec, zs_zep_employment_period, parse_period)
PUSHER(push_working_time, zs_zep_working_time_vec, zs_zep_working_time, parse_working_time)
PUSHER(push_booking, zs_zep_booking_vec, zs_zep_booking, parse_booking)
PUSHER(push_absence, zs_zep_absence_vec, zs_zep_absence, parse_absence)
PUSHER(push_reason, zs_zep_reason_vec, zs_zep_absence_reason, parse_reason)

static int enc(const char *s, char *out, size_t cap) { return zs_http_urlencode(s, out, cap); }

static zs_rc seg_check(const char *s, char *enc_out, size_t cap, zs_err *err)
{
    if (!s || !*s || enc(s, enc_out, cap))
        return zs_err_set(err, ZS_ERR_FAILED, "zep: empty or oversized path segment");
    return ZS_OK;
}

/* The single object under "data"; for POST /attendances, the first element of the array. */
static json_object *data_of(json_object *env)
{
    json_object *d;
    if (!json_object_object_get_ex(env, "data", &d) || !d)
        return NULL;
    if (json_object_is_type(d, json_type_array))
        return json_object_array_length(d) ? json_object_array_get_idx(d, 0) : NULL;
    return json_object_is_type(d, json_type_object) ? d : NULL;
}

#define ONE(call_rc, env, PARSE, out, what)                                                        \
    do {                                                                                           \
        if ((call_rc) != ZS_OK)                                                                    \
            return call_rc;                                                                        \
        json_object *d_ = data_of(env);                                                            \
        if (!d_) {                                                                                 \
            json_object_put(env);                                                                  \
            return zs_err_set(err, ZS_ERR_FAILED, "zep: %s response without data", what);        \
        }                                                                                          \
        if (out)                                                                                   \
            PARSE(d_, out);                                                                        \
        json_object_put(env);                                                                      \
        return ZS_OK;                                                                              \
    } while (0)

/* ---------------------------------------------------------------- employees */

zs_rc zs_zep_employee_list(zs_zep *z, const char *personal_number, zs_zep_employee_vec *out, zs_err *err)
{
    char q[300] = "", e[256];
    if (personal_number) {
        if (enc(personal_number, e, sizeof e))
            return zs_err_set(err, ZS_ERR_FAILED, "zep: personal number too long");
        snprintf(q, sizeof q, "personal_number=%s", e);
    }
    return rest_each(z, "/employees", q, push_employee, out, err);
}

zs_rc zs_zep_employee_get(zs_zep *z, const char *username, zs_zep_employee *out, zs_err *err)
{
    char u[200], p[300];
    if (seg_check(username, u, sizeof u, err))
        return ZS_ERR_FAILED;
    snprintf(p, sizeof p, "/employees/%s", u);
    json_object *env;
    zs_rc rc = rest_call(z, "GET", p, NULL, &env, err);
    ONE(rc, env, parse_employee, out, "employee");
}

struct find_field {
    const char *field, *value;
    int nocase;
    zs_zep_employee *out;
    int found;
};

static int match_field(json_object *item, void *ctx)
{
    struct find_field *f = ctx;
    json_object *v;
    if (!f->found && json_object_object_get_ex(item, f->field, &v) && v) {
        const char *s = json_object_get_string(v);
        if (f->nocase ? !strcasecmp(s, f->value) : !strcmp(s, f->value)) {
            parse_employee(item, f->out);
            f->found = 1;
        }
    }
    return f->found; /* no need to read the remaining pages */
}

/* REST filters neither e-mail nor personio_id: page through everyone until one matches. */
static zs_rc find_employee(zs_zep *z, const char *field, const char *value, int nocase, zs_zep_employee *out,
                           zs_err *err)
{
    zs_zep_employee tmp;
    struct find_field f = {field, value, nocase, out ? out : &tmp, 0};
    if (!value || !*value)
        return zs_err_set(err, ZS_ERR_FAILED, "zep: empty %s", field);
    zs_rc rc = rest_each(z, "/employees", NULL, match_field, &f, err);
    if (rc != ZS_OK)
        return rc;
    return f.found ? ZS_OK : zs_err_set(err, ZS_ERR_NOTFOUND, "zep: no employee with %s %s", field, value);
}

zs_rc zs_zep_employee_find_email(zs_zep *z, const char *email, zs_zep_employee *out, zs_err *err)
{
    return find_employee(z, "email", email, 1, out, err);
}

zs_rc zs_zep_employee_find_personio_id(zs_zep *z, const char *personio_id, zs_zep_employee *out, zs_err *err)
{
    return find_employee(z, "personio_id", personio_id, 0, out, err);
}

static void put_str(json_object *o, const char *k, const char *v)
{
    json_object_object_add(o, k, v && *v ? json_object_new_string(v) : NULL);
}

static void put_int_str(json_object *o, const char *k, int v)
{
    char b[16];
    snprintf(b, sizeof b, "%d", v);
    json_object_object_add(o, k, json_object_new_string(b));
}

static void employee_fields(json_object *o, const zs_zep_employee *e, unsigned mask)
{
    if (mask & ZS_ZEP_EMP_FIRSTNAME)
        put_str(o, "firstname", e->firstname);
    if (mask & ZS_ZEP_EMP_LASTNAME)
        put_str(o, "lastname", e->lastname);
    if (mask & ZS_ZEP_EMP_EMAIL)
        put_str(o, "email", e->email);
    if (mask & ZS_ZEP_EMP_PERSONAL_NUMBER)
        put_str(o, "personal_number", e->personal_number);
    if (mask & ZS_ZEP_EMP_PERSONIO_ID)
        put_str(o, "personio_id", e->personio_id);
    if (mask & ZS_ZEP_EMP_COST_BEARER)
        put_str(o, "cost_bearer", e->cost_bearer);
    if (mask & ZS_ZEP_EMP_PRICE_GROUP)
        put_str(o, "price_group", e->price_group);
    if (mask & ZS_ZEP_EMP_BIRTHDATE)
        put_str(o, "birthdate", e->birthdate);
    if (mask & ZS_ZEP_EMP_SALUTATION)
        put_str(o, "salutation", e->salutation);
    if (mask & ZS_ZEP_EMP_EMPLOYMENT)
        put_int_str(o, "employment", e->employment);
    if (mask & ZS_ZEP_EMP_DEPARTMENT)
        json_object_object_add(o, "department_id", e->department_id >= 0 ? json_object_new_int64(e->department_id) : NULL);
}

zs_rc zs_zep_employee_create(zs_zep *z, const zs_zep_employee *e, const char *password, zs_zep_employee *out,
                             zs_err *err)
{
    json_object *b = json_object_new_object();
    if (!b)
        return zs_err_set(err, ZS_ERR_FAILED, "zep: out of memory");
    put_str(b, "username", e->username);
    put_str(b, "password", password);
    employee_fields(b, e, ~0u);
    put_int_str(b, "rights", e->rights);
    json_object *env;
    zs_rc rc = rest_call(z, "POST", "/employees", b, &env, err);
    json_object_put(b);
    ONE(rc, env, parse_employee, out, "employee");
}

/* GET shape → PUT body: {id,name} objects become their id, read-only fields go. */
static json_object *employee_write_body(json_object *cur)
{
    static const char *ro[] = {"id", "created", "modified", "absences_count", "language", "username"};
    json_object *b = json_object_new_object();
    if (!b)
        return NULL;
    json_object_object_foreach(cur, k, v)
    {
        int skip = 0;
        for (size_t i = 0; i < sizeof ro / sizeof *ro; i++)
            skip |= !strcmp(k, ro[i]);
        if (skip)
            continue;
        if (v && json_object_is_type(v, json_type_object) && (!strcmp(k, "salutation") || !strcmp(k, "employment") ||
                                                              !strcmp(k, "rights"))) {
            json_object *id;
            if (json_object_object_get_ex(v, "id", &id) && id)
                json_object_object_add(b, k, json_object_new_string(json_object_get_string(id)));
            continue;
        }
        if (!strcmp(k, "birthdate") && v && json_object_is_type(v, json_type_string)) {
            char d[11];
            snprintf(d, sizeof d, "%.10s", json_object_get_string(v));
            json_object_object_add(b, k, d[0] ? json_object_new_string(d) : NULL);
            continue;
        }
        json_object_object_add(b, k, json_object_get(v));
    }
    return b;
}

zs_rc zs_zep_employee_update(zs_zep *z, const char *username, const zs_zep_employee *values, unsigned mask,
                             zs_zep_employee *out, zs_err *err)
{
    char u[200], p[300];
    if (seg_check(username, u, sizeof u, err))
        return ZS_ERR_FAILED;
    snprintf(p, sizeof p, "/employees/%s", u);
    json_object *env;
    zs_rc rc = rest_call(z, "GET", p, NULL, &env, err);
    if (rc != ZS_OK)
        return rc;
    json_object *cur = data_of(env);
    json_object *b = cur ? employee_write_body(cur) : NULL;
    json_object_put(env);
    if (!b)
        return zs_err_set(err, ZS_ERR_FAILED, "zep: cannot build the PUT body for %s", username);
    employee_fields(b, values, mask);
    rc = rest_call(z, "PUT", p, b, &env, err);
    json_object_put(b);
    ONE(rc, env, parse_employee, out, "employee");
}

/* ---------------------------------------------------------------- periods, working times */

static json_object *period_body(const zs_zep_employment_period *pd)
{
    json_object *b = json_object_new_object();
    if (!b)
        return NULL;
    put_str(b, "start_date", pd->start_date);
    put_str(b, "end_date", pd->end_date);
    put_str(b, "note", pd->note);
    json_object_object_add(b, "annual_leave_entitlement", json_object_new_double(pd->annual_leave_entitlement));
    return b;
}

zs_rc zs_zep_period_list(zs_zep *z, const char *username, zs_zep_period_vec *out, zs_err *err)
{
    char u[200], p[300];
    if (seg_check(username, u, sizeof u, err))
        return ZS_ERR_FAILED;
    snprintf(p, sizeof p, "/employees/%s/employment-periods", u);
    return rest_each(z, p, NULL, push_period, out, err);
}

zs_rc zs_zep_period_create(zs_zep *z, const char *username, const zs_zep_employment_period *pd,
                           zs_zep_employment_period *out, zs_err *err)
{
    char u[200], p[300];
    if (seg_check(username, u, sizeof u, err))
        return ZS_ERR_FAILED;
    snprintf(p, sizeof p, "/employees/%s/employment-periods", u);
    json_object *b = period_body(pd), *env;
    if (!b)
        return zs_err_set(err, ZS_ERR_FAILED, "zep: out of memory");
    zs_rc rc = rest_call(z, "POST", p, b, &env, err);
    json_object_put(b);
    ONE(rc, env, parse_period, out, "employment period");
}

zs_rc zs_zep_period_update(zs_zep *z, const char *username, const zs_zep_employment_period *pd,
                           zs_zep_employment_period *out, zs_err *err)
{
    char u[200], p[300];
    if (seg_check(username, u, sizeof u, err))
        return ZS_ERR_FAILED;
    snprintf(p, sizeof p, "/employees/%s/employment-periods/%ld", u, pd->id);
    json_object *b = period_body(pd), *env;
    if (!b)
        return zs_err_set(err, ZS_ERR_FAILED, "zep: out of memory");
    if (!pd->end_date[0])
        json_object_object_add(b, "end_date", NULL); /* explicit null re-opens the period */
    zs_rc rc = rest_call(z, "PUT", p, b, &env, err);
    json_object_put(b);
    ONE(rc, env, parse_period, out, "employment period");
}

zs_rc zs_zep_working_time_list(zs_zep *z, const char *username, zs_zep_working_time_vec *out, zs_err *err)
{
    char u[200], p[300];
    if (seg_check(username, u, sizeof u, err))
        return ZS_ERR_FAILED;
    snprintf(p, sizeof p, "/employees/%s/regular-working-times", u);
    return rest_each(z, p, NULL, push_working_time, out, err);
}

zs_rc zs_zep_working_time_create(zs_zep *z, const char *username, const zs_zep_working_time *w,
                                 zs_zep_working_time *out, zs_err *err)
{
    char u[200], p[300];
    if (seg_check(username, u, sizeof u, err))
        return ZS_ERR_FAILED;
    snprintf(p, sizeof p, "/employees/%s/regular-working-times", u);
    json_object *b = json_object_new_object(), *env;
    if (!b)
        return zs_err_set(err, ZS_ERR_FAILED, "zep: out of memory");
    put_str(b, "start_date", w->start_date);
    for (int i = 0; i < 7; i++)
        json_object_object_add(b, weekdays[i], w->hours[i] >= 0 ? json_object_new_double(w->hours[i]) : NULL);
    json_object_object_add(b, "is_monthly", json_object_new_boolean(w->is_monthly));
    if (w->monthly_hours >= 0)
        json_object_object_add(b, "monthly_hours", json_object_new_double(w->monthly_hours));
    zs_rc rc = rest_call(z, "POST", p, b, &env, err);
    json_object_put(b);
    ONE(rc, env, parse_working_time, out, "regular working time");
}

/* ---------------------------------------------------------------- bookings, absences */

static zs_rc dated_query(const char *employee, const char *start, const char *end, char *q, size_t cap, zs_err *err)
{
    char e[200];
    size_t len = 0;
    q[0] = '\0';
    const char *names[] = {"employee_id", "start_date", "end_date"}, *vals[] = {employee, start, end};
    for (int i = 0; i < 3; i++) {
        if (!vals[i])
            continue;
        if (enc(vals[i], e, sizeof e))
            return zs_err_set(err, ZS_ERR_FAILED, "zep: %s too long", names[i]);
        if (len >= cap)
            break;
        len += (size_t)snprintf(q + len, cap - len, "%s%s=%s", len ? "&" : "", names[i], e);
    }
    return len < cap ? ZS_OK : zs_err_set(err, ZS_ERR_FAILED, "zep: query too long");
}

zs_rc zs_zep_booking_list(zs_zep *z, const char *employee, const char *start_date, const char *end_date,
                          zs_zep_booking_vec *out, zs_err *err)
{
    char q[700];
    if (dated_query(employee, start_date, end_date, q, sizeof q, err))
        return ZS_ERR_FAILED;
    return rest_each(z, "/attendances", q, push_booking, out, err);
}

zs_rc zs_zep_booking_get(zs_zep *z, long id, zs_zep_booking *out, zs_err *err)
{
    char p[64];
    snprintf(p, sizeof p, "/attendances/%ld", id);
    json_object *env;
    zs_rc rc = rest_call(z, "GET", p, NULL, &env, err);
    ONE(rc, env, parse_booking, out, "booking");
}

/* ZEP's ids are integers; keep codes like "be" as strings. */
static void put_ref(json_object *o, const char *k, const char *v)
{
    if (!v || !*v)
        return;
    char *end;
    long long n = strtoll(v, &end, 10);
    json_object_object_add(o, k, *end ? json_object_new_string(v) : json_object_new_int64(n));
}

zs_rc zs_zep_booking_create(zs_zep *z, const zs_zep_booking *bk, zs_zep_booking *out, zs_err *err)
{
    json_object *b = json_object_new_object(), *env;
    if (!b)
        return zs_err_set(err, ZS_ERR_FAILED, "zep: out of memory");
    put_str(b, "employee_id", bk->employee_id);
    put_str(b, "date", bk->date);
    put_str(b, "from", bk->from);
    put_str(b, "to", bk->to);
    put_ref(b, "project_id", bk->project_id);
    put_ref(b, "project_task_id", bk->project_task_id);
    json_object_object_add(b, "activity_id", bk->activity_id[0] ? json_object_new_string(bk->activity_id) : NULL);
    if (bk->note[0])
        put_str(b, "note", bk->note);
    json_object_object_add(b, "billable", json_object_new_boolean(bk->billable));
    if (bk->duration > 0)
        json_object_object_add(b, "duration", json_object_new_double(bk->duration));
    zs_rc rc = rest_call(z, "POST", "/attendances", b, &env, err);
    json_object_put(b);
    ONE(rc, env, parse_booking, out, "booking");
}

zs_rc zs_zep_absence_list(zs_zep *z, const char *employee, const char *start_date, const char *end_date,
                          zs_zep_absence_vec *out, zs_err *err)
{
    char q[700];
    if (dated_query(employee, start_date, end_date, q, sizeof q, err))
        return ZS_ERR_FAILED;
    return rest_each(z, "/absences", q, push_absence, out, err);
}

zs_rc zs_zep_absence_get(zs_zep *z, long id, zs_zep_absence *out, zs_err *err)
{
    char p[64];
    snprintf(p, sizeof p, "/absences/%ld", id);
    json_object *env;
    zs_rc rc = rest_call(z, "GET", p, NULL, &env, err);
    ONE(rc, env, parse_absence, out, "absence");
}

zs_rc zs_zep_absence_create(zs_zep *z, const zs_zep_absence *a, zs_zep_absence *out, zs_err *err)
{
    if (a->kind == ZS_ZEP_ABS_HALF_DAY)
        return zs_err_set(err, ZS_ERR_FAILED, "zep: REST cannot create half-day absences; use SOAP createFehlzeit");
    json_object *b = json_object_new_object(), *env;
    if (!b)
        return zs_err_set(err, ZS_ERR_FAILED, "zep: out of memory");
    put_str(b, "employee_id", a->employee_id);
    put_str(b, "absence_reason_id", a->reason);
    put_str(b, "start_date", a->start_date);
    put_str(b, "end_date", a->end_date[0] ? a->end_date : a->start_date);
    json_object_object_add(b, "type", json_object_new_int(a->kind == ZS_ZEP_ABS_HOURS ? 2 : 1));
    if (a->kind == ZS_ZEP_ABS_HOURS) {
        if (a->hours >= 0)
            json_object_object_add(b, "hours", json_object_new_double(a->hours));
        if (a->from[0])
            put_str(b, "from", a->from);
        if (a->to[0])
            put_str(b, "to", a->to);
    }
    if (a->note[0])
        put_str(b, "note", a->note);
    if (a->timezone[0])
        put_str(b, "timezone", a->timezone);
    json_object_object_add(b, "planned", json_object_new_boolean(!a->approved));
    zs_rc rc = rest_call(z, "POST", "/absences", b, &env, err);
    json_object_put(b);
    ONE(rc, env, parse_absence, out, "absence");
}

zs_rc zs_zep_reason_list(zs_zep *z, zs_zep_reason_vec *out, zs_err *err)
{
    return rest_each(z, "/absence-reasons", NULL, push_reason, out, err);
}

zs_rc zs_zep_rest_raw(zs_zep *z, const char *method, const char *path, const char *body_json, char **resp_json,
                      zs_err *err)
{
    *resp_json = NULL;
    json_object *b = NULL, *env;
    if (body_json && !(b = json_tokener_parse(body_json)))
        return zs_err_set(err, ZS_ERR_FAILED, "zep: request body is not JSON");
    zs_rc rc = rest_call(z, method, path, b, &env, err);
    json_object_put(b);
    if (rc != ZS_OK)
        return rc;
    const char *s = json_object_to_json_string_ext(env, JSON_C_TO_STRING_PLAIN | JSON_C_TO_STRING_NOSLASHESCAPE);
    *resp_json = s ? strdup(s) : NULL;
    json_object_put(env);
    return *resp_json ? ZS_OK : zs_err_set(err, ZS_ERR_FAILED, "zep: out of memory");
}
