/* ZEP client: handle, pacing, transport, and the REST "ZEP next" v1 calls. */
#include "zep_internal.h"

#include "core/zs_json.h"

#include <ctype.h>
#include <errno.h>
#include <json-c/json.h>
#include <libxml/parser.h>
#include <pthread.h>
#include <stddef.h>
#include <stdint.h>
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

/* Secrets should not linger in freed memory. */
static void free_secret(char *s)
{
    if (s)
        memset(s, 0, strlen(s));
    free(s);
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
    if (cfg->rest_token && asprintf(&z->rest_auth, "Authorization: Bearer %s", cfg->rest_token) < 0) {
        z->rest_auth = NULL;
        oom = 1;
    }
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
    z->rnd = (unsigned)time(NULL) ^ (unsigned)(uintptr_t)z;
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
    free_secret(z->rest_auth);
    free_secret(z->soap_token);
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
            z->rnd = z->rnd * 1103515245u + 12345u;
            long d = zs_http_backoff_ms(attempt, z->retry_base_ms, 5000, resp->retry_after_s,
                                        (double)((z->rnd >> 8) & 0xffffff) / 16777216.0);
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
    if (!z->rest_auth)
        return zs_err_set(err, ZS_ERR_AUTH, "zep: no REST token configured");
    char url[2048];
    if ((size_t)snprintf(url, sizeof url, "%s/%s/next/api/v1%s", z->base_url, z->instance, path) >= sizeof url)
        return zs_err_set(err, ZS_ERR_FAILED, "zep: URL too long");
    const char *hdrs[] = {z->rest_auth, "Accept: application/json", body ? "Content-Type: application/json" : NULL, NULL};
    const char *b = body ? zs_json_text(body) : NULL;
    if (body && !b)
        return zs_err_set(err, ZS_ERR_FAILED, "zep: out of memory");
    int retry = !strcmp(method, "GET") ? ZEP_RETRY_NET | ZEP_RETRY_5XX : 0;
    zs_http_resp r;
    zs_rc rc = zep_send(z, method, url, hdrs, b, b ? strlen(b) : 0, retry, &r, err);
    if (rc != ZS_OK)
        return zs_err_wrap(err, rc, "zep %s %s", method, path);
    if (r.status >= 200 && r.status < 300) {
        json_object *o = r.body_len ? zs_json_parse_object(r.body) : json_object_new_object();
        int html = is_html(&r);
        zs_http_resp_release(&r);
        if (!o) {
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
    json_object *o = zs_json_parse_object(r.body), *errs = zs_json_at(o, "errors");
    zs_json_copy(msg, sizeof msg, o, "message");
    if (json_object_is_type(errs, json_type_object)) {
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

#define CP(dst, o, key) zs_json_copy((dst), sizeof(dst), (o), (key))

/* Dates arrive as "2024-07-20T00:00:00.000000Z" or "2024-07-20"; we keep the day. */
static void jdate(json_object *o, const char *key, char *dst, size_t cap)
{
    const char *s = zs_json_str(o, key);
    snprintf(dst, cap, "%.10s", s ? s : "");
}

/* {"id":1,"name":…} on GET, a plain "1" on write responses. */
static int jidobj(json_object *o, const char *key, int dflt)
{
    json_object *v = zs_json_at(o, key);
    if (json_object_is_type(v, json_type_object))
        return (int)zs_json_num(v, "id", dflt);
    return (int)zs_json_num(o, key, dflt);
}

static int jbool(json_object *o, const char *key)
{
    json_object *v = zs_json_at(o, key);
    if (json_object_is_type(v, json_type_object)) /* v6: {"id":2,"name":"Billable"} */
        return zs_json_num(v, "id", 0) == 2;
    return zs_json_bool(o, key);
}

/* Parsers fill a record from one JSON object; out is overwritten completely. */
typedef void (*parse_fn)(json_object *o, void *out);

static void parse_employee(json_object *o, void *out)
{
    zs_zep_employee *e = out;
    memset(e, 0, sizeof *e);
    CP(e->username, o, "username");
    CP(e->firstname, o, "firstname");
    CP(e->lastname, o, "lastname");
    CP(e->email, o, "email");
    CP(e->personal_number, o, "personal_number");
    CP(e->personio_id, o, "personio_id");
    CP(e->cost_bearer, o, "cost_bearer");
    CP(e->price_group, o, "price_group");
    jdate(o, "birthdate", e->birthdate, sizeof e->birthdate);
    const char *sal = zs_json_str(o, "salutation.id"); /* {id,name} on GET, the code on writes */
    zep_copy(e->salutation, sizeof e->salutation, sal ? sal : zs_json_str(o, "salutation"));
    e->employment = jidobj(o, "employment", 0);
    e->rights = jidobj(o, "rights", 0);
    e->department_id = (long)zs_json_num(o, "department_id", -1);
    CP(e->created, o, "created");
    CP(e->modified, o, "modified");
}

static void parse_period(json_object *o, void *out)
{
    zs_zep_employment_period *p = out;
    memset(p, 0, sizeof *p);
    p->id = (long)zs_json_num(o, "id", 0);
    CP(p->employee_id, o, "employee_id");
    jdate(o, "start_date", p->start_date, sizeof p->start_date);
    jdate(o, "end_date", p->end_date, sizeof p->end_date);
    CP(p->note, o, "note");
    p->annual_leave_entitlement = zs_json_num(o, "annual_leave_entitlement", 0);
    CP(p->created, o, "created");
    CP(p->modified, o, "modified");
}

static const char *weekdays[7] = {"monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday"};

static void parse_working_time(json_object *o, void *out)
{
    zs_zep_working_time *w = out;
    memset(w, 0, sizeof *w);
    w->id = (long)zs_json_num(o, "id", 0);
    CP(w->employee_id, o, "employee_id");
    jdate(o, "start_date", w->start_date, sizeof w->start_date);
    for (int i = 0; i < 7; i++)
        w->hours[i] = zs_json_num(o, weekdays[i], -1);
    w->is_monthly = jbool(o, "is_monthly");
    w->monthly_hours = zs_json_num(o, "monthly_hours", -1);
}

static void parse_booking(json_object *o, void *out)
{
    zs_zep_booking *b = out;
    memset(b, 0, sizeof *b);
    b->id = (long)zs_json_num(o, "id", 0);
    CP(b->employee_id, o, "employee_id");
    jdate(o, "date", b->date, sizeof b->date);
    CP(b->from, o, "from");
    CP(b->to, o, "to");
    b->duration = zs_json_num(o, "duration", 0);
    CP(b->note, o, "note");
    b->billable = jbool(o, "billable");
    CP(b->project_id, o, "project_id");
    CP(b->project_task_id, o, "project_task_id");
    CP(b->activity_id, o, "activity_id");
    CP(b->created, o, "created");
    CP(b->modified, o, "modified");
}

static void parse_absence(json_object *o, void *out)
{
    zs_zep_absence *a = out;
    memset(a, 0, sizeof *a);
    a->id = (long)zs_json_num(o, "id", 0);
    CP(a->employee_id, o, "employee_id");
    CP(a->reason, o, "absence_reason_id");
    int t = (int)zs_json_num(o, "type", 0);
    a->kind = t == 2 ? ZS_ZEP_ABS_HOURS : t == 1 ? ZS_ZEP_ABS_HALF_DAY : ZS_ZEP_ABS_FULL_DAY;
    jdate(o, "start_date", a->start_date, sizeof a->start_date);
    jdate(o, "end_date", a->end_date, sizeof a->end_date);
    a->hours = zs_json_num(o, "hours", -1);
    CP(a->from, o, "from");
    CP(a->to, o, "to");
    CP(a->note, o, "note");
    CP(a->timezone, o, "timezone");
    /* write responses carry planned instead of approved */
    a->approved = zs_json_at(o, "approved") ? jbool(o, "approved") : !jbool(o, "planned");
    CP(a->created, o, "created");
    CP(a->modified, o, "modified");
}

static void parse_reason(json_object *o, void *out)
{
    zs_zep_absence_reason *r = out;
    memset(r, 0, sizeof *r);
    CP(r->name, o, "name");
    CP(r->label, o, "comment");
    char *bar = strchr(r->label, '|'); /* "Urlaub|en:Holiday|…": the first part is the tenant language */
    if (bar)
        *bar = '\0';
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
        json_object *data = zs_json_at(env, "data");
        if (!json_object_is_type(data, json_type_array)) {
            json_object_put(env);
            return zs_err_set(err, ZS_ERR_FAILED, "zep GET %s: response without a data array", path);
        }
        int stop = 0;
        for (size_t i = 0; !stop && i < json_object_array_length(data); i++)
            stop = fn(json_object_array_get_idx(data, i), ctx);
        /* follow page numbers, not links.next: the links drop the filter parameters */
        last = (long)zs_json_num(env, "meta.last_page", (double)last);
        json_object_put(env);
        if (stop < 0)
            return zs_err_set(err, ZS_ERR_FAILED, "zep: out of memory");
        if (stop)
            return ZS_OK;
        if (last > 100000)
            return zs_err_set(err, ZS_ERR_FAILED, "zep GET %s: implausible last_page %ld", path, last);
    }
    return ZS_OK;
}

/* A result list being filled: the caller's {items, n, cap} and the parser of one item. */
typedef struct sink {
    void **items;
    size_t *n, *cap;
    size_t elem;
    parse_fn parse;
} sink;
#define SINK(list, parse) (&(sink){(void **)&(list)->items, &(list)->n, &(list)->cap, sizeof *(list)->items, (parse)})

static int push_item(json_object *item, void *ctx)
{
    sink *s = ctx;
    void *slot = zep_list_push(s->items, s->n, s->cap, s->elem);
    if (!slot)
        return -1;
    s->parse(item, slot);
    return 0;
}

static int enc(const char *s, char *out, size_t cap) { return zs_http_urlencode(s, out, cap); }

/* "/employees/<username><suffix>" with the username encoded as one path segment. */
static zs_rc emp_path(char *out, size_t cap, const char *username, const char *suffix, zs_err *err)
{
    char u[200];
    if (!username || !*username || enc(username, u, sizeof u))
        return zs_err_set(err, ZS_ERR_FAILED, "zep: empty or oversized path segment");
    snprintf(out, cap, "/employees/%s%s", u, suffix);
    return ZS_OK;
}

/* The single object under "data"; for POST /attendances, the first element of the array. */
static json_object *data_of(json_object *env)
{
    json_object *d = zs_json_at(env, "data");
    if (json_object_is_type(d, json_type_array))
        return json_object_array_length(d) ? json_object_array_get_idx(d, 0) : NULL;
    return json_object_is_type(d, json_type_object) ? d : NULL;
}

/* One request whose answer is one record: parsed into out (may be NULL). Takes body. */
static zs_rc rest_one(zs_zep *z, const char *method, const char *path, json_object *body, parse_fn parse,
                      void *out, const char *what, zs_err *err)
{
    json_object *env;
    zs_rc rc = rest_call(z, method, path, body, &env, err);
    json_object_put(body);
    if (rc != ZS_OK)
        return rc;
    json_object *d = data_of(env);
    if (!d)
        rc = zs_err_set(err, ZS_ERR_FAILED, "zep: %s response without data", what);
    else if (out)
        parse(d, out);
    json_object_put(env);
    return rc;
}

static zs_rc oom(zs_err *err) { return zs_err_set(err, ZS_ERR_FAILED, "zep: out of memory"); }

/* ---------------------------------------------------------------- employees */

zs_rc zs_zep_employee_list(zs_zep *z, const char *personal_number, zs_zep_employee_vec *out, zs_err *err)
{
    char q[300] = "", e[256];
    if (personal_number) {
        if (enc(personal_number, e, sizeof e))
            return zs_err_set(err, ZS_ERR_FAILED, "zep: personal number too long");
        snprintf(q, sizeof q, "personal_number=%s", e);
    }
    return rest_each(z, "/employees", q, push_item, SINK(out, parse_employee), err);
}

zs_rc zs_zep_employee_get(zs_zep *z, const char *username, zs_zep_employee *out, zs_err *err)
{
    char p[300];
    if (emp_path(p, sizeof p, username, "", err))
        return ZS_ERR_FAILED;
    return rest_one(z, "GET", p, NULL, parse_employee, out, "employee", err);
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
    const char *s = zs_json_str(item, f->field);
    if (s && (f->nocase ? !strcasecmp(s, f->value) : !strcmp(s, f->value))) {
        parse_employee(item, f->out);
        f->found = 1;
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

/* A request body being built; bad records a failed allocation (zs_json_set), checked once. */
typedef struct jb {
    json_object *o;
    int bad;
} jb;

static jb jb_new(void) { return (jb){json_object_new_object(), 0}; }

/* The finished body, or NULL (and nothing left to free) when any part of it failed. */
static json_object *jb_take(jb *b)
{
    if (b->o && !b->bad)
        return b->o;
    json_object_put(b->o);
    return NULL;
}

static void put(jb *b, const char *k, json_object *v) { zs_json_set(b->o, k, v, &b->bad); }

/* number when has, else null */
static void put_num(jb *b, const char *k, int has, double v)
{
    if (has)
        put(b, k, json_object_new_double(v));
    else
        zs_json_set_null(b->o, k, &b->bad);
}

/* "" is sent as null */
static void put_str(jb *b, const char *k, const char *v)
{
    if (v && *v)
        put(b, k, json_object_new_string(v));
    else
        zs_json_set_null(b->o, k, &b->bad);
}

/* "" is left out */
static void put_opt(jb *b, const char *k, const char *v)
{
    if (v && *v)
        put_str(b, k, v);
}

static void put_int_str(jb *b, const char *k, int v)
{
    char s[16];
    snprintf(s, sizeof s, "%d", v);
    put(b, k, json_object_new_string(s));
}

/* Employee fields by mask bit: the REST name and the record's text field. */
static const struct {
    unsigned bit;
    const char *key;
    size_t off;
} emp_text[] = {
    {ZS_ZEP_EMP_FIRSTNAME, "firstname", offsetof(zs_zep_employee, firstname)},
    {ZS_ZEP_EMP_LASTNAME, "lastname", offsetof(zs_zep_employee, lastname)},
    {ZS_ZEP_EMP_EMAIL, "email", offsetof(zs_zep_employee, email)},
    {ZS_ZEP_EMP_PERSONAL_NUMBER, "personal_number", offsetof(zs_zep_employee, personal_number)},
    {ZS_ZEP_EMP_PERSONIO_ID, "personio_id", offsetof(zs_zep_employee, personio_id)},
    {ZS_ZEP_EMP_COST_BEARER, "cost_bearer", offsetof(zs_zep_employee, cost_bearer)},
    {ZS_ZEP_EMP_PRICE_GROUP, "price_group", offsetof(zs_zep_employee, price_group)},
    {ZS_ZEP_EMP_BIRTHDATE, "birthdate", offsetof(zs_zep_employee, birthdate)},
    {ZS_ZEP_EMP_SALUTATION, "salutation", offsetof(zs_zep_employee, salutation)},
};

static void employee_fields(jb *b, const zs_zep_employee *e, unsigned mask)
{
    for (size_t i = 0; i < sizeof emp_text / sizeof *emp_text; i++)
        if (mask & emp_text[i].bit)
            put_str(b, emp_text[i].key, (const char *)e + emp_text[i].off);
    if (mask & ZS_ZEP_EMP_EMPLOYMENT)
        put_int_str(b, "employment", e->employment);
    if (mask & ZS_ZEP_EMP_DEPARTMENT)
        put_num(b, "department_id", e->department_id >= 0, (double)e->department_id);
}

zs_rc zs_zep_employee_create(zs_zep *z, const zs_zep_employee *e, const char *password, zs_zep_employee *out,
                             zs_err *err)
{
    jb b = jb_new();
    put_str(&b, "username", e->username);
    put_str(&b, "password", password);
    employee_fields(&b, e, ~0u);
    put_int_str(&b, "rights", e->rights);
    json_object *body = jb_take(&b);
    if (!body)
        return oom(err);
    return rest_one(z, "POST", "/employees", body, parse_employee, out, "employee", err);
}

/* GET shape → PUT body: {id,name} objects become their id, read-only fields go. */
static jb employee_write_body(json_object *cur)
{
    static const char *ro[] = {"id", "created", "modified", "absences_count", "language", "username"};
    jb b = jb_new();
    json_object_object_foreach(cur, k, v)
    {
        int skip = 0;
        for (size_t i = 0; i < sizeof ro / sizeof *ro; i++)
            skip |= !strcmp(k, ro[i]);
        if (skip)
            continue;
        if (json_object_is_type(v, json_type_object) &&
            (!strcmp(k, "salutation") || !strcmp(k, "employment") || !strcmp(k, "rights"))) {
            const char *id = zs_json_str(v, "id");
            if (id)
                put(&b, k, json_object_new_string(id));
            continue;
        }
        if (!strcmp(k, "birthdate") && json_object_is_type(v, json_type_string)) {
            char d[11];
            snprintf(d, sizeof d, "%.10s", json_object_get_string(v));
            put_str(&b, k, d);
            continue;
        }
        if (v)
            put(&b, k, json_object_get(v));
        else
            zs_json_set_null(b.o, k, &b.bad);
    }
    return b;
}

zs_rc zs_zep_employee_update(zs_zep *z, const char *username, const zs_zep_employee *values, unsigned mask,
                             zs_zep_employee *out, zs_err *err)
{
    char p[300];
    if (emp_path(p, sizeof p, username, "", err))
        return ZS_ERR_FAILED;
    json_object *env;
    zs_rc rc = rest_call(z, "GET", p, NULL, &env, err);
    if (rc != ZS_OK)
        return rc;
    json_object *cur = data_of(env);
    if (!cur) {
        json_object_put(env);
        return zs_err_set(err, ZS_ERR_FAILED, "zep: employee %s read without data", username);
    }
    jb b = employee_write_body(cur);
    json_object_put(env);
    employee_fields(&b, values, mask);
    json_object *body = jb_take(&b);
    if (!body)
        return oom(err);
    return rest_one(z, "PUT", p, body, parse_employee, out, "employee", err);
}

/* ---------------------------------------------------------------- periods, working times */

/* NULL when out of memory. */
static json_object *period_body(const zs_zep_employment_period *pd)
{
    jb b = jb_new();
    put_str(&b, "start_date", pd->start_date);
    put_str(&b, "end_date", pd->end_date); /* an explicit null keeps or re-opens an open period */
    put_str(&b, "note", pd->note);
    put_num(&b, "annual_leave_entitlement", 1, pd->annual_leave_entitlement);
    return jb_take(&b);
}

zs_rc zs_zep_period_list(zs_zep *z, const char *username, zs_zep_period_vec *out, zs_err *err)
{
    char p[300];
    if (emp_path(p, sizeof p, username, "/employment-periods", err))
        return ZS_ERR_FAILED;
    return rest_each(z, p, NULL, push_item, SINK(out, parse_period), err);
}

/* POST a new period, or PUT the one with pd->id: the same body either way. */
static zs_rc period_write(zs_zep *z, const char *method, const char *username, const zs_zep_employment_period *pd,
                          zs_zep_employment_period *out, zs_err *err)
{
    char p[300], suffix[64] = "/employment-periods";
    if (!strcmp(method, "PUT"))
        snprintf(suffix, sizeof suffix, "/employment-periods/%ld", pd->id);
    if (emp_path(p, sizeof p, username, suffix, err))
        return ZS_ERR_FAILED;
    json_object *b = period_body(pd);
    if (!b)
        return oom(err);
    return rest_one(z, method, p, b, parse_period, out, "employment period", err);
}

zs_rc zs_zep_period_create(zs_zep *z, const char *username, const zs_zep_employment_period *pd,
                           zs_zep_employment_period *out, zs_err *err)
{
    return period_write(z, "POST", username, pd, out, err);
}

zs_rc zs_zep_period_update(zs_zep *z, const char *username, const zs_zep_employment_period *pd,
                           zs_zep_employment_period *out, zs_err *err)
{
    return period_write(z, "PUT", username, pd, out, err);
}

zs_rc zs_zep_working_time_list(zs_zep *z, const char *username, zs_zep_working_time_vec *out, zs_err *err)
{
    char p[300];
    if (emp_path(p, sizeof p, username, "/regular-working-times", err))
        return ZS_ERR_FAILED;
    return rest_each(z, p, NULL, push_item, SINK(out, parse_working_time), err);
}

zs_rc zs_zep_working_time_create(zs_zep *z, const char *username, const zs_zep_working_time *w,
                                 zs_zep_working_time *out, zs_err *err)
{
    char p[300];
    if (emp_path(p, sizeof p, username, "/regular-working-times", err))
        return ZS_ERR_FAILED;
    jb b = jb_new();
    put_str(&b, "start_date", w->start_date);
    for (int i = 0; i < 7; i++)
        put_num(&b, weekdays[i], w->hours[i] >= 0, w->hours[i]);
    put(&b, "is_monthly", json_object_new_boolean(w->is_monthly));
    if (w->monthly_hours >= 0)
        put_num(&b, "monthly_hours", 1, w->monthly_hours);
    json_object *body = jb_take(&b);
    if (!body)
        return oom(err);
    return rest_one(z, "POST", p, body, parse_working_time, out, "regular working time", err);
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
    return rest_each(z, "/attendances", q, push_item, SINK(out, parse_booking), err);
}

zs_rc zs_zep_booking_get(zs_zep *z, long id, zs_zep_booking *out, zs_err *err)
{
    char p[64];
    snprintf(p, sizeof p, "/attendances/%ld", id);
    return rest_one(z, "GET", p, NULL, parse_booking, out, "booking", err);
}

/* ZEP's ids are integers; keep codes like "be" as strings. */
static void put_ref(jb *b, const char *k, const char *v)
{
    if (!v || !*v)
        return;
    char *end;
    long long n = strtoll(v, &end, 10);
    put(b, k, *end ? json_object_new_string(v) : json_object_new_int64(n));
}

zs_rc zs_zep_booking_create(zs_zep *z, const zs_zep_booking *bk, zs_zep_booking *out, zs_err *err)
{
    jb b = jb_new();
    put_str(&b, "employee_id", bk->employee_id);
    put_str(&b, "date", bk->date);
    put_str(&b, "from", bk->from);
    put_str(&b, "to", bk->to);
    put_ref(&b, "project_id", bk->project_id);
    put_ref(&b, "project_task_id", bk->project_task_id);
    put_str(&b, "activity_id", bk->activity_id);
    put_opt(&b, "note", bk->note);
    put(&b, "billable", json_object_new_boolean(bk->billable));
    if (bk->duration > 0)
        put_num(&b, "duration", 1, bk->duration);
    json_object *body = jb_take(&b);
    if (!body)
        return oom(err);
    return rest_one(z, "POST", "/attendances", body, parse_booking, out, "booking", err);
}

zs_rc zs_zep_absence_list(zs_zep *z, const char *employee, const char *start_date, const char *end_date,
                          zs_zep_absence_vec *out, zs_err *err)
{
    char q[700];
    if (dated_query(employee, start_date, end_date, q, sizeof q, err))
        return ZS_ERR_FAILED;
    return rest_each(z, "/absences", q, push_item, SINK(out, parse_absence), err);
}

zs_rc zs_zep_absence_get(zs_zep *z, long id, zs_zep_absence *out, zs_err *err)
{
    char p[64];
    snprintf(p, sizeof p, "/absences/%ld", id);
    return rest_one(z, "GET", p, NULL, parse_absence, out, "absence", err);
}

zs_rc zs_zep_absence_create(zs_zep *z, const zs_zep_absence *a, zs_zep_absence *out, zs_err *err)
{
    if (a->kind == ZS_ZEP_ABS_HALF_DAY)
        return zs_err_set(err, ZS_ERR_FAILED, "zep: REST cannot create half-day absences; use SOAP createFehlzeit");
    jb b = jb_new();
    put_str(&b, "employee_id", a->employee_id);
    put_str(&b, "absence_reason_id", a->reason);
    put_str(&b, "start_date", a->start_date);
    put_str(&b, "end_date", a->end_date[0] ? a->end_date : a->start_date);
    put(&b, "type", json_object_new_int(a->kind == ZS_ZEP_ABS_HOURS ? 2 : 1));
    if (a->kind == ZS_ZEP_ABS_HOURS) {
        if (a->hours >= 0)
            put_num(&b, "hours", 1, a->hours);
        put_opt(&b, "from", a->from);
        put_opt(&b, "to", a->to);
    }
    put_opt(&b, "note", a->note);
    put_opt(&b, "timezone", a->timezone);
    put(&b, "planned", json_object_new_boolean(!a->approved));
    json_object *body = jb_take(&b);
    if (!body)
        return oom(err);
    return rest_one(z, "POST", "/absences", body, parse_absence, out, "absence", err);
}

zs_rc zs_zep_reason_list(zs_zep *z, zs_zep_reason_vec *out, zs_err *err)
{
    return rest_each(z, "/absence-reasons", NULL, push_item, SINK(out, parse_reason), err);
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
    const char *s = zs_json_text(env);
    *resp_json = s ? strdup(s) : NULL;
    json_object_put(env);
    return *resp_json ? ZS_OK : oom(err);
}
