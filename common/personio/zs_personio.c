#include "personio/zs_personio.h"

#include <errno.h>
#include <json-c/json.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>
#include <unistd.h>

#include "core/zs_buf.h"
#include "core/zs_json.h"
#include "log/zs_log.h"

enum { FAM_PERSONS, FAM_ATTENDANCE, FAM_ABSENCE, FAM_OTHER, FAM_N };

struct zs_personio {
    zs_personio_opts o;
    char base[512];
    char tenant[128];
    char client_id[256];
    char client_secret[256];
    char scope[512];
    char cache_key[1400]; /* this tenant's token cache entry, fixed for the handle's life */
    char partner_hdr[160];
    char app_hdr[160];
    zs_http *http;
    zs_personio_status last;
    zs_personio_stats stats;
    struct {
        long remaining;
        double at;
    } fam[FAM_N];
    unsigned rnd;
};

/* ------------------------------------------------------------------ token cache */

typedef struct tok_entry {
    struct tok_entry *next;
    char key[1400];
    char token[512];
    double expires;
    double cooldown_until; /* credentials were rejected: do not ask again before this */
    char cooldown_msg[720];
    pthread_mutex_t fetch; /* one fetch at a time per tenant */
} tok_entry;

static pthread_mutex_t cache_lock = PTHREAD_MUTEX_INITIALIZER;
static tok_entry *cache_head;
static long auth_calls;

static double now_s(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + ts.tv_nsec / 1e9;
}

static void cache_key_init(zs_personio *p)
{
    /* The secret's hash is part of the key so a rotated secret is not held back by the
     * cool-down of the old one; the secret itself never sits in the cache. */
    unsigned long long h = 1469598103934665603ULL;
    for (const char *c = p->client_secret; *c; c++)
        h = (h ^ (unsigned char)*c) * 1099511628211ULL;
    snprintf(p->cache_key, sizeof p->cache_key, "%s|%s|%s|%016llx", p->base, p->client_id, p->scope, h);
}

static tok_entry *cache_entry(const zs_personio *p)
{
    const char *key = p->cache_key;
    pthread_mutex_lock(&cache_lock);
    tok_entry *e = cache_head;
    while (e && strcmp(e->key, key) != 0)
        e = e->next;
    if (!e) {
        e = calloc(1, sizeof *e);
        if (e) {
            snprintf(e->key, sizeof e->key, "%s", key);
            pthread_mutex_init(&e->fetch, NULL);
            e->next = cache_head;
            cache_head = e;
        }
    }
    pthread_mutex_unlock(&cache_lock);
    return e;
}

void zs_personio_token_cache_clear(void)
{
    pthread_mutex_lock(&cache_lock);
    while (cache_head) {
        tok_entry *e = cache_head;
        cache_head = e->next;
        pthread_mutex_destroy(&e->fetch);
        free(e);
    }
    auth_calls = 0;
    pthread_mutex_unlock(&cache_lock);
}

long zs_personio_auth_calls(void)
{
    pthread_mutex_lock(&cache_lock);
    long n = auth_calls;
    pthread_mutex_unlock(&cache_lock);
    return n;
}

void zs_personio_token_invalidate(zs_personio *p)
{
    tok_entry *e = cache_entry(p);
    if (!e)
        return;
    pthread_mutex_lock(&e->fetch);
    e->token[0] = '\0';
    e->expires = 0;
    pthread_mutex_unlock(&e->fetch);
}

/* ------------------------------------------------------------------ pure helpers */

static size_t origin_len(const char *url)
{
    const char *s = strstr(url, "://");
    if (!s)
        return 0;
    const char *h = s + 3;
    size_t n = strcspn(h, "/?#");
    return (size_t)(h - url) + n;
}

int zs_personio_resolve_link(const char *base_url, const char *href, char *out, size_t cap)
{
    if (!base_url || !href || !*href)
        return -1;
    size_t bo = origin_len(base_url);
    if (bo == 0)
        return -1;
    int n;
    if (href[0] == '/' && href[1] != '/') {
        n = snprintf(out, cap, "%.*s%s", (int)bo, base_url, href);
    } else {
        size_t ho = origin_len(href);
        /* scheme and host compare case-insensitively; a missing or different port is foreign */
        if (ho == 0 || ho != bo || strncasecmp(href, base_url, bo) != 0)
            return -1;
        n = snprintf(out, cap, "%s", href);
    }
    return n < 0 || (size_t)n >= cap ? -1 : 0;
}

static void copy_str(char *dst, size_t cap, const char *src)
{
    snprintf(dst, cap, "%s", src ? src : "");
}

void zs_personio_decode_error(const char *body, char *title, size_t tcap, char *detail, size_t dcap)
{
    title[0] = detail[0] = '\0';
    json_object *o = zs_json_parse_object(body && *body ? body : NULL);
    json_object *errs = zs_json_at(o, "errors"), *e = zs_json_at(o, "error");
    if (json_object_is_type(errs, json_type_array) && json_object_array_length(errs) > 0) {
        /* v2 problem list: the first entry says enough */
        json_object *first = json_object_array_get_idx(errs, 0);
        zs_json_copy(title, tcap, first, "title");
        zs_json_copy(detail, dcap, first, "detail");
    } else if (json_object_is_type(e, json_type_string)) { /* OAuth */
        zs_json_copy(title, tcap, o, "error");
        zs_json_copy(detail, dcap, o, "error_description");
    } else if (json_object_is_type(e, json_type_object)) { /* v1 */
        const char *m = zs_json_str(e, "message");
        copy_str(title, tcap, m ? m : "error");
    } else { /* RFC 7807 */
        zs_json_copy(title, tcap, o, "title");
        zs_json_copy(detail, dcap, o, "detail");
    }
    if (!title[0] && !detail[0] && body && *body)
        snprintf(title, tcap, "%.120s", body);
    json_object_put(o);
}

zs_rc zs_personio_classify(long status)
{
    if (status >= 200 && status < 300)
        return ZS_OK;
    if (status == 0 || status == 408 || status == 425 || status == 429 || status >= 500)
        return ZS_ERR_RETRY;
    if (status == 401 || status == 403)
        return ZS_ERR_AUTH;
    if (status == 404)
        return ZS_ERR_NOTFOUND;
    if (status == 409)
        return ZS_ERR_CONFLICT;
    return ZS_ERR_FAILED;
}

/* ------------------------------------------------------------------ life cycle */

zs_personio *zs_personio_new(const zs_personio_opts *opts, zs_err *err)
{
    if (!opts || !opts->base_url || !opts->client_id || !opts->client_secret) {
        zs_err_set(err, ZS_ERR_FAILED, "personio: base_url, client_id and client_secret are required");
        return NULL;
    }
    zs_personio *p = calloc(1, sizeof *p);
    if (!p) {
        zs_err_set(err, ZS_ERR_FAILED, "personio: out of memory");
        return NULL;
    }
    p->o = *opts;
    copy_str(p->base, sizeof p->base, opts->base_url);
    size_t bl = strlen(p->base);
    while (bl > 0 && p->base[bl - 1] == '/')
        p->base[--bl] = '\0';
    if (origin_len(p->base) == 0) {
        free(p);
        zs_err_set(err, ZS_ERR_FAILED, "personio: base_url must be an absolute http(s) URL");
        return NULL;
    }
    copy_str(p->tenant, sizeof p->tenant, opts->tenant);
    copy_str(p->client_id, sizeof p->client_id, opts->client_id);
    copy_str(p->client_secret, sizeof p->client_secret, opts->client_secret);
    copy_str(p->scope, sizeof p->scope, opts->scope);
    cache_key_init(p);
    if (opts->partner_id && *opts->partner_id)
        snprintf(p->partner_hdr, sizeof p->partner_hdr, "X-Personio-Partner-ID: %s", opts->partner_id);
    if (opts->app_id && *opts->app_id)
        snprintf(p->app_hdr, sizeof p->app_hdr, "X-Personio-App-ID: %s", opts->app_id);
    p->o.base_url = p->o.tenant = p->o.client_id = p->o.client_secret = p->o.scope = NULL;
    p->o.partner_id = p->o.app_id = NULL;
    if (p->o.max_attempts <= 0)
        p->o.max_attempts = 4;
    if (p->o.backoff_base_ms <= 0)
        p->o.backoff_base_ms = 500;
    if (p->o.backoff_cap_ms <= 0)
        p->o.backoff_cap_ms = 8000;
    if (p->o.refresh_margin_s <= 0)
        p->o.refresh_margin_s = 300;
    if (p->o.auth_cooldown_s <= 0)
        p->o.auth_cooldown_s = 30;
    if (p->o.pace_ms <= 0)
        p->o.pace_ms = 1000;
    for (int i = 0; i < FAM_N; i++)
        p->fam[i].remaining = -1;
    p->rnd = (unsigned)time(NULL) ^ (unsigned)(uintptr_t)p;
    p->http = zs_http_new(&p->o.http, err);
    if (!p->http) {
        free(p);
        return NULL;
    }
    return p;
}

void zs_personio_free(zs_personio *p)
{
    if (!p)
        return;
    zs_http_free(p->http);
    /* the secret should not linger in freed memory */
    memset(p->client_secret, 0, sizeof p->client_secret);
    free(p);
}

const zs_personio_status *zs_personio_last_status(const zs_personio *p)
{
    return &p->last;
}

zs_personio_stats zs_personio_get_stats(const zs_personio *p)
{
    return p->stats;
}

static double rnd01(zs_personio *p)
{
    p->rnd = p->rnd * 1103515245u + 12345u;
    return (double)((p->rnd >> 8) & 0xffffff) / 16777216.0;
}

static void sleep_ms(long ms)
{
    if (ms <= 0)
        return;
    struct timespec ts = {.tv_sec = ms / 1000, .tv_nsec = (ms % 1000) * 1000000L};
    while (nanosleep(&ts, &ts) != 0 && errno == EINTR) {
    }
}

/* ------------------------------------------------------------------ auth */

static int form_add(zs_buf *b, const char *k, const char *v)
{
    char enc[1024];
    if (zs_http_urlencode(v, enc, sizeof enc) < 0)
        return -1;
    return zs_buf_printf(b, "%s%s=%s", b->len ? "&" : "", k, enc);
}

/* Asks /v2/auth/token. Caller holds e->fetch. */
static zs_rc fetch_token(zs_personio *p, tok_entry *e, zs_err *err)
{
    double now = now_s();
    if (now < e->cooldown_until)
        return zs_err_set(err, ZS_ERR_AUTH, "personio auth: %s (cached, not retried yet)", e->cooldown_msg);
    zs_buf b;
    zs_buf_init(&b);
    if (form_add(&b, "grant_type", "client_credentials") || form_add(&b, "client_id", p->client_id) ||
        form_add(&b, "client_secret", p->client_secret) || (p->scope[0] && form_add(&b, "scope", p->scope))) {
        zs_buf_release(&b);
        return zs_err_set(err, ZS_ERR_FAILED, "personio auth: credentials too long or out of memory");
    }
    char url[600];
    snprintf(url, sizeof url, "%s/v2/auth/token", p->base);
    const char *hdrs[5] = {"Content-Type: application/x-www-form-urlencoded", "Accept: application/json"};
    int nh = 2;
    if (p->partner_hdr[0])
        hdrs[nh++] = p->partner_hdr;
    if (p->app_hdr[0])
        hdrs[nh++] = p->app_hdr;
    hdrs[nh] = NULL;
    zs_rc rc = ZS_OK;
    for (int attempt = 0; attempt < p->o.max_attempts; attempt++) {
        zs_http_resp r;
        pthread_mutex_lock(&cache_lock);
        auth_calls++;
        pthread_mutex_unlock(&cache_lock);
        zs_rc hr = zs_http_request(p->http, "POST", url, hdrs, zs_buf_str(&b), b.len, &r, err);
        if (hr == ZS_ERR_FAILED) {
            zs_http_resp_release(&r);
            rc = ZS_ERR_FAILED;
            break;
        }
        if (hr == ZS_OK && r.status == 200) {
            json_object *o = zs_json_parse_object(r.body), *t = zs_json_at(o, "access_token");
            if (json_object_is_type(t, json_type_string)) {
                long ttl = (long)zs_json_num(o, "expires_in", 3600);
                copy_str(e->token, sizeof e->token, json_object_get_string(t));
                /* refresh early, but never schedule a refresh in the past for short TTLs */
                long margin = p->o.refresh_margin_s < ttl / 2 ? p->o.refresh_margin_s : ttl / 2;
                e->expires = now_s() + (double)(ttl - margin);
                json_object_put(o);
                zs_http_resp_release(&r);
                rc = ZS_OK;
                break;
            }
            json_object_put(o);
            zs_http_resp_release(&r);
            rc = zs_err_set(err, ZS_ERR_FAILED, "personio auth: 200 without access_token");
            break;
        }
        char title[160], detail[400];
        zs_personio_decode_error(r.body, title, sizeof title, detail, sizeof detail);
        long st = r.status;
        long ra = r.retry_after_s;
        zs_http_resp_release(&r);
        if (hr == ZS_OK && (st == 400 || st == 401 || st == 403)) {
            snprintf(e->cooldown_msg, sizeof e->cooldown_msg, "%ld %s: %s", st, title, detail);
            e->cooldown_until = now_s() + (double)p->o.auth_cooldown_s;
            rc = zs_err_set(err, ZS_ERR_AUTH, "personio auth: %s", e->cooldown_msg);
            zs_log(ZS_LOG_WARN, p->tenant[0] ? p->tenant : NULL, NULL, "personio auth rejected: %ld %s",
                   st, title);
            break;
        }
        if (hr == ZS_OK && zs_personio_classify(st) != ZS_ERR_RETRY) {
            rc = zs_err_set(err, ZS_ERR_FAILED, "personio auth: %ld %s: %s", st, title, detail);
            break;
        }
        rc = hr == ZS_OK ? zs_err_set(err, ZS_ERR_RETRY, "personio auth: %ld %s", st, title) : ZS_ERR_RETRY;
        if (attempt + 1 < p->o.max_attempts) {
            long d = zs_http_backoff_ms(attempt, p->o.backoff_base_ms, p->o.backoff_cap_ms, ra, rnd01(p));
            sleep_ms(st == 429 && d < 1000 ? 1000 : d);
        }
    }
    zs_buf_release(&b);
    return rc;
}

/* Copies a valid token into out, fetching one if needed. stale: a token that just got a 401. */
static zs_rc get_token(zs_personio *p, const char *stale, char *out, size_t cap, zs_err *err)
{
    tok_entry *e = cache_entry(p);
    if (!e)
        return zs_err_set(err, ZS_ERR_FAILED, "personio: out of memory");
    pthread_mutex_lock(&e->fetch);
    if (stale && strcmp(e->token, stale) == 0)
        e->token[0] = '\0';
    zs_rc rc = ZS_OK;
    if (!e->token[0] || now_s() >= e->expires)
        rc = fetch_token(p, e, err);
    if (rc == ZS_OK)
        copy_str(out, cap, e->token);
    pthread_mutex_unlock(&e->fetch);
    return rc;
}

zs_rc zs_personio_authenticate(zs_personio *p, zs_err *err)
{
    char tok[512];
    return get_token(p, NULL, tok, sizeof tok, err);
}

/* ------------------------------------------------------------------ the request loop */

static int family_of(const char *url)
{
    if (strstr(url, "/v2/persons"))
        return FAM_PERSONS;
    if (strstr(url, "/v2/attendance-periods"))
        return FAM_ATTENDANCE;
    if (strstr(url, "/v2/absence"))
        return FAM_ABSENCE;
    return FAM_OTHER;
}

typedef struct call_res {
    long status;
    char *body; /* owned */
    int unknown_outcome; /* a write got no definite answer */
} call_res;

static void call_res_release(call_res *c)
{
    free(c->body);
    c->body = NULL;
}

/*
 * One logical call with retries. url is absolute. On return c->status and c->body hold the final
 * answer; the rc is the classified outcome with err filled for failures.
 */
static zs_rc call(zs_personio *p, const char *method, const char *url, const char *body, call_res *c,
                  zs_err *err)
{
    memset(c, 0, sizeof *c);
    memset(&p->last, 0, sizeof p->last);
    int is_get = strcmp(method, "GET") == 0;
    int fam = family_of(url);
    int reauthed = 0;
    char tok[512], auth[600];
    const char *path = url + origin_len(url);
    zs_rc rc = ZS_ERR_RETRY;
    for (int attempt = 0; attempt < p->o.max_attempts;) {
        rc = get_token(p, NULL, tok, sizeof tok, err);
        if (rc != ZS_OK)
            return rc;
        if (p->fam[fam].remaining == 0) {
            long waited = (long)((now_s() - p->fam[fam].at) * 1000.0);
            if (p->o.pace_ms > waited) {
                sleep_ms(p->o.pace_ms - waited);
                p->stats.paced_ms += p->o.pace_ms - waited;
            }
            p->fam[fam].remaining = -1;
        }
        snprintf(auth, sizeof auth, "Authorization: Bearer %s", tok);
        const char *hdrs[6];
        int nh = 0;
        hdrs[nh++] = auth;
        hdrs[nh++] = "Accept: application/json";
        if (body)
            hdrs[nh++] = "Content-Type: application/json";
        if (p->partner_hdr[0])
            hdrs[nh++] = p->partner_hdr;
        if (p->app_hdr[0])
            hdrs[nh++] = p->app_hdr;
        hdrs[nh] = NULL;
        zs_http_resp r;
        zs_rc hr = zs_http_request(p->http, method, url, hdrs, body, body ? strlen(body) : 0, &r, err);
        p->last.attempts++;
        p->stats.requests++;
        if (attempt > 0)
            p->stats.retries++;
        attempt++;
        if (r.rl_remaining >= 0) {
            p->fam[fam].remaining = r.rl_remaining;
            p->fam[fam].at = now_s();
        }
        if (hr == ZS_ERR_FAILED) {
            zs_http_resp_release(&r);
            return ZS_ERR_FAILED;
        }
        long st = hr == ZS_OK ? r.status : 0;
        p->last.http_status = st;
        free(c->body);
        c->body = r.body;
        r.body = NULL;
        c->status = st;
        long ra = r.retry_after_s;
        zs_http_resp_release(&r);
        if (st == 429)
            p->stats.throttled++;
        if (st == 401 && !reauthed) {
            p->stats.reauths++;
            /* the token expired or was revoked early: one fresh token, and the retry is free */
            reauthed = 1;
            attempt--;
            zs_rc tr = get_token(p, tok, tok, sizeof tok, err);
            if (tr != ZS_OK)
                return tr;
            continue;
        }
        int retryable = st == 429 || (is_get && (st == 0 || st >= 500 || st == 408));
        if (!retryable) {
            if (!is_get && (st == 0 || st >= 500 || st == 408))
                c->unknown_outcome = 1;
            break;
        }
        if (attempt < p->o.max_attempts) {
            long d = zs_http_backoff_ms(attempt - 1, p->o.backoff_base_ms, p->o.backoff_cap_ms, ra, rnd01(p));
            /* Personio sends no Retry-After on 429 and asks for at least a second */
            if (st == 429 && d < 1000)
                d = 1000;
            zs_log(ZS_LOG_DEBUG, p->tenant[0] ? p->tenant : NULL, NULL,
                   "personio %s %s: %ld, retry in %ld ms", method, path, st, d);
            sleep_ms(d);
        }
    }
    rc = zs_personio_classify(c->status);
    if (rc == ZS_OK)
        return ZS_OK;
    zs_personio_decode_error(c->body, p->last.title, sizeof p->last.title, p->last.detail,
                             sizeof p->last.detail);
    if (c->status == 0)
        return zs_err_wrap(err, ZS_ERR_RETRY, "personio %s %s", method, path);
    return zs_err_set(err, rc, "personio %s %s: %ld %s%s%s", method, path, c->status, p->last.title,
                      p->last.detail[0] ? ": " : "", p->last.detail);
}

/* ------------------------------------------------------------------ JSON decoding */

#define CP(dst, o, path) zs_json_copy((dst), sizeof(dst), (o), (path))

void zs_personio_person_release(zs_personio_person *p)
{
    if (!p)
        return;
    for (size_t i = 0; i < p->n_attrs; i++)
        free(p->attrs[i].value);
    free(p->attrs);
    free(p->employment_ids);
    p->attrs = NULL;
    p->employment_ids = NULL;
    p->n_attrs = p->n_employments = 0;
}

void zs_personio_employment_release(zs_personio_employment *e)
{
    if (!e)
        return;
    free(e->cost_centers);
    e->cost_centers = NULL;
    e->n_cost_centers = 0;
}

/* Length of the array at key, 0 when it is absent or not an array. */
static size_t array_len(json_object *o, const char *key, json_object **arr)
{
    *arr = zs_json_at(o, key);
    return json_object_is_type(*arr, json_type_array) ? json_object_array_length(*arr) : 0;
}

/* Decoders fill a zeroed item; -1 means out of memory (the caller releases the item). */
static int decode_person(json_object *o, void *item)
{
    zs_personio_person *p = item;
    CP(p->id, o, "id");
    CP(p->email, o, "email");
    CP(p->first_name, o, "first_name");
    CP(p->last_name, o, "last_name");
    CP(p->preferred_name, o, "preferred_name");
    CP(p->gender, o, "gender");
    CP(p->language_code, o, "language_code");
    CP(p->status, o, "status");
    CP(p->created_at, o, "created_at");
    CP(p->updated_at, o, "updated_at");
    json_object *ca, *em;
    size_t n = array_len(o, "custom_attributes", &ca);
    if (n && !(p->attrs = calloc(n, sizeof *p->attrs)))
        return -1;
    for (size_t i = 0; i < n; i++) {
        json_object *a = json_object_array_get_idx(ca, i);
        zs_personio_attr *x = &p->attrs[p->n_attrs++];
        CP(x->id, a, "id");
        CP(x->label, a, "label");
        CP(x->type, a, "type");
        json_object *v = zs_json_at(a, "value");
        if (v) {
            /* non-string values (numbers, option objects) are kept as their JSON text */
            const char *s = json_object_is_type(v, json_type_string)
                                ? json_object_get_string(v)
                                : json_object_to_json_string_ext(v, JSON_C_TO_STRING_PLAIN);
            if (!s || !(x->value = strdup(s)))
                return -1;
        }
    }
    n = array_len(o, "employments", &em);
    if (n && !(p->employment_ids = calloc(n, sizeof *p->employment_ids)))
        return -1;
    for (size_t i = 0; i < n; i++)
        CP(p->employment_ids[p->n_employments++], json_object_array_get_idx(em, i), "id");
    return 0;
}

static int decode_employment(json_object *o, void *item)
{
    zs_personio_employment *e = item;
    CP(e->id, o, "id");
    CP(e->person_id, o, "person.id");
    CP(e->status, o, "status");
    CP(e->type, o, "type");
    CP(e->position, o, "position.title");
    e->weekly_working_hours = zs_json_num(o, "weekly_working_hours", -1);
    e->full_time_weekly_working_hours = zs_json_num(o, "full_time_weekly_working_hours", -1);
    CP(e->start_date, o, "employment_start_date");
    CP(e->end_date, o, "employment_end_date");
    CP(e->contract_end_date, o, "contract_end_date");
    CP(e->termination_date, o, "termination.termination_date");
    CP(e->last_working_day, o, "termination.last_working_day");
    CP(e->supervisor_id, o, "supervisor.id");
    CP(e->office_id, o, "office.id");
    CP(e->legal_entity_id, o, "legal_entity.id");
    CP(e->created_at, o, "created_at");
    CP(e->updated_at, o, "updated_at");
    json_object *cc;
    size_t n = array_len(o, "cost_centers", &cc);
    if (n && !(e->cost_centers = calloc(n, sizeof *e->cost_centers)))
        return -1;
    for (size_t i = 0; i < n; i++) {
        json_object *x = json_object_array_get_idx(cc, i);
        CP(e->cost_centers[i].id, x, "id");
        e->cost_centers[i].weight = zs_json_num(x, "weight", -1);
    }
    e->n_cost_centers = n;
    return 0;
}

static int decode_attendance(json_object *o, void *item)
{
    zs_personio_attendance *a = item;
    CP(a->id, o, "id");
    CP(a->person_id, o, "person.id");
    CP(a->type, o, "type");
    CP(a->start, o, "start.date_time");
    CP(a->end, o, "end.date_time");
    CP(a->attribution_date, o, "attribution_date");
    CP(a->status, o, "approval.status");
    CP(a->comment, o, "comment");
    CP(a->project_id, o, "project.id");
    CP(a->created_at, o, "created_at");
    CP(a->updated_at, o, "updated_at");
    return 0;
}

static int decode_absence_type(json_object *o, void *item)
{
    zs_personio_absence_type *t = item;
    CP(t->id, o, "id");
    CP(t->name, o, "name");
    CP(t->category, o, "category");
    CP(t->unit, o, "unit");
    return 0;
}

static int decode_absence(json_object *o, void *item)
{
    zs_personio_absence *a = item;
    CP(a->id, o, "id");
    CP(a->person_id, o, "person.id");
    CP(a->absence_type_id, o, "absence_type.id");
    CP(a->start, o, "starts_from.date_time");
    CP(a->start_half, o, "starts_from.type");
    CP(a->end, o, "ends_at.date_time");
    CP(a->end_half, o, "ends_at.type");
    CP(a->timezone_id, o, "timezone_id");
    CP(a->comment, o, "comment");
    CP(a->status, o, "approval.status");
    CP(a->created_at, o, "created_at");
    CP(a->updated_at, o, "updated_at");
    return 0;
}

static int decode_webhook(json_object *o, void *item)
{
    zs_personio_webhook *w = item;
    CP(w->id, o, "id");
    CP(w->url, o, "url");
    CP(w->status, o, "status");
    CP(w->auth_type, o, "auth_type");
    CP(w->description, o, "description");
    return 0;
}

static void rel_person(void *it) { zs_personio_person_release(it); }
static void rel_employment(void *it) { zs_personio_employment_release(it); }

/* ------------------------------------------------------------------ record kinds */

/* What the generic list, get and release code needs to know about one record type. */
typedef struct kind {
    size_t size;
    int (*dec)(json_object *o, void *item);
    void (*rel)(void *item); /* NULL: the item owns no memory */
    const char *what;        /* for messages */
} kind;

static const kind K_PERSON = {sizeof(zs_personio_person), decode_person, rel_person, "person"};
static const kind K_EMPLOYMENT = {sizeof(zs_personio_employment), decode_employment, rel_employment, "employment"};
static const kind K_ATTENDANCE = {sizeof(zs_personio_attendance), decode_attendance, NULL, "attendance period"};
static const kind K_ABSENCE_TYPE = {sizeof(zs_personio_absence_type), decode_absence_type, NULL, "absence type"};
static const kind K_ABSENCE = {sizeof(zs_personio_absence), decode_absence, NULL, "absence period"};
static const kind K_WEBHOOK = {sizeof(zs_personio_webhook), decode_webhook, NULL, "webhook"};

/* Decodes o into a zeroed item; on failure the item holds nothing. */
static int kind_decode(const kind *k, json_object *o, void *item)
{
    memset(item, 0, k->size);
    if (k->dec(o, item) == 0)
        return 0;
    if (k->rel)
        k->rel(item);
    return -1;
}

/* A list under construction: the caller's item array and count (every list struct is {v, n}). */
typedef struct vec {
    void **v;
    size_t *n;
    size_t cap;
    const kind *k;
} vec;

static int vec_push(vec *x, json_object *o)
{
    if (*x->n == x->cap) {
        size_t nc = x->cap ? x->cap * 2 : 16;
        void *nv = realloc(*x->v, nc * x->k->size);
        if (!nv)
            return -1;
        *x->v = nv;
        x->cap = nc;
    }
    if (kind_decode(x->k, o, (char *)*x->v + *x->n * x->k->size) < 0)
        return -1;
    (*x->n)++;
    return 0;
}

static void vec_release(void **v, size_t *n, const kind *k)
{
    for (size_t i = 0; k->rel && i < *n; i++)
        k->rel((char *)*v + i * k->size);
    free(*v);
    *v = NULL;
    *n = 0;
}

void zs_personio_persons_release(zs_personio_persons *l) { vec_release((void **)&l->v, &l->n, &K_PERSON); }
void zs_personio_employments_release(zs_personio_employments *l) { vec_release((void **)&l->v, &l->n, &K_EMPLOYMENT); }
void zs_personio_attendances_release(zs_personio_attendances *l) { vec_release((void **)&l->v, &l->n, &K_ATTENDANCE); }
void zs_personio_absence_types_release(zs_personio_absence_types *l) { vec_release((void **)&l->v, &l->n, &K_ABSENCE_TYPE); }
void zs_personio_absences_release(zs_personio_absences *l) { vec_release((void **)&l->v, &l->n, &K_ABSENCE); }
void zs_personio_webhooks_release(zs_personio_webhooks *l) { vec_release((void **)&l->v, &l->n, &K_WEBHOOK); }

/* Follows _meta.links.next through every page, decoding _data (or data) items into x. */
static zs_rc list_pages(zs_personio *p, const char *first_url, vec *x, zs_err *err)
{
    char url[4096];
    copy_str(url, sizeof url, first_url);
    int total_attempts = 0;
    zs_rc rc = ZS_OK;
    for (int pages = 1;; pages++) {
        if (pages > 10000) {
            rc = zs_err_set(err, ZS_ERR_FAILED, "personio: more than 10000 pages, giving up");
            break;
        }
        call_res c;
        rc = call(p, "GET", url, NULL, &c, err);
        total_attempts += p->last.attempts;
        json_object *o = rc == ZS_OK ? json_tokener_parse(c.body) : NULL;
        call_res_release(&c);
        if (rc != ZS_OK)
            break;
        json_object *data = zs_json_at(o, "_data");
        if (!data)
            data = zs_json_at(o, "data");
        if (!json_object_is_type(data, json_type_array)) {
            json_object_put(o);
            rc = zs_err_set(err, ZS_ERR_FAILED, "personio GET %s: response without _data", url + origin_len(url));
            break;
        }
        size_t n = json_object_array_length(data);
        for (size_t i = 0; rc == ZS_OK && i < n; i++)
            if (vec_push(x, json_object_array_get_idx(data, i)) < 0)
                rc = zs_err_set(err, ZS_ERR_FAILED, "personio: out of memory decoding a list");
        const char *next = zs_json_str(o, "_meta.links.next.href");
        if (!next)
            next = zs_json_str(o, "meta.links.next.href");
        char nu[4096];
        int more = next && *next; /* next points into o */
        if (rc == ZS_OK && more) {
            if (zs_personio_resolve_link(p->base, next, nu, sizeof nu) < 0)
                rc = zs_err_set(err, ZS_ERR_FAILED, "personio: refusing next link outside %s (%.200s)", p->base, next);
            else if (strcmp(nu, url) == 0)
                rc = zs_err_set(err, ZS_ERR_FAILED, "personio: next link repeats the current page");
        }
        json_object_put(o);
        if (rc != ZS_OK || !more)
            break;
        copy_str(url, sizeof url, nu);
    }
    p->last.attempts = total_attempts;
    return rc;
}

/* Every page of url into the caller's {v, n} list, which is empty again after a failure. */
static zs_rc list_into(zs_personio *p, const char *url, const kind *k, void **v, size_t *n, zs_err *err)
{
    *v = NULL;
    *n = 0;
    vec x = {v, n, 0, k};
    zs_rc rc = list_pages(p, url, &x, err);
    if (rc != ZS_OK)
        vec_release(v, n, k);
    return rc;
}

/* ------------------------------------------------------------------ query building */

typedef struct qb {
    zs_buf b;
    int fail;
} qb;

static void qb_init(qb *q, const zs_personio *p, const char *path)
{
    zs_buf_init(&q->b);
    q->fail = zs_buf_printf(&q->b, "%s%s", p->base, path) < 0;
}

static void qb_add(qb *q, const char *k, const char *v)
{
    if (!v || !*v)
        return;
    char enc[2048];
    if (zs_http_urlencode(v, enc, sizeof enc) < 0) {
        q->fail = 1;
        return;
    }
    if (zs_buf_printf(&q->b, "%c%s=%s", strchr(zs_buf_str(&q->b), '?') ? '&' : '?', k, enc) < 0)
        q->fail = 1;
}

static void qb_add_list(qb *q, const char *k, const char *const *v, size_t n)
{
    if (!n)
        return;
    zs_buf j;
    zs_buf_init(&j);
    for (size_t i = 0; i < n; i++)
        zs_buf_printf(&j, "%s%s", i ? "," : "", v[i]);
    if (j.oom)
        q->fail = 1;
    else
        qb_add(q, k, zs_buf_str(&j));
    zs_buf_release(&j);
}

/* Adds the page size (limit, or dflt when 0) and lists every page of the query into {v, n}. */
static zs_rc qb_list(zs_personio *p, qb *q, int limit, int dflt, const kind *k, void **v, size_t *n, zs_err *err)
{
    char s[16];
    snprintf(s, sizeof s, "%d", limit > 0 ? limit : dflt);
    qb_add(q, "limit", s);
    zs_rc rc;
    if (q->fail || q->b.oom) {
        *v = NULL;
        *n = 0;
        rc = zs_err_set(err, ZS_ERR_FAILED, "personio: query too long or out of memory");
    } else {
        rc = list_into(p, zs_buf_str(&q->b), k, v, n, err);
    }
    zs_buf_release(&q->b);
    return rc;
}

static int valid_id(const char *id)
{
    if (!id || !*id || strlen(id) > 64)
        return 0;
    for (const char *s = id; *s; s++)
        if (!((*s >= '0' && *s <= '9') || (*s >= 'a' && *s <= 'z') || (*s >= 'A' && *s <= 'Z') || *s == '-' || *s == '_'))
            return 0;
    return 1;
}

static zs_rc bad_id(zs_err *err, const char *what)
{
    return zs_err_set(err, ZS_ERR_FAILED, "personio: invalid %s id", what);
}

/* "<prefix>/<id>[suffix]" after checking that id is one path segment of safe characters. */
static zs_rc id_path(char *out, size_t cap, const char *prefix, const char *id, const char *suffix,
                     const char *what, zs_err *err)
{
    if (!valid_id(id))
        return bad_id(err, what);
    snprintf(out, cap, "%s/%s%s", prefix, id, suffix ? suffix : "");
    return ZS_OK;
}

/* GET prefix/id decoded as k into out (zeroed first, and holding nothing after a failure). */
static zs_rc get_one(zs_personio *p, const char *prefix, const char *id, const kind *k, void *out, zs_err *err)
{
    memset(out, 0, k->size);
    char path[160], url[1024];
    zs_rc rc = id_path(path, sizeof path, prefix, id, NULL, k->what, err);
    if (rc != ZS_OK)
        return rc;
    snprintf(url, sizeof url, "%s%s", p->base, path);
    call_res c;
    rc = call(p, "GET", url, NULL, &c, err);
    if (rc == ZS_OK) {
        json_object *o = json_tokener_parse(c.body);
        if (!o || kind_decode(k, o, out) < 0)
            rc = zs_err_set(err, ZS_ERR_FAILED, "personio GET %s: undecodable response", path);
        json_object_put(o);
    }
    call_res_release(&c);
    return rc;
}

/* Writes body with method; for answers with a new record copies its id. */
static zs_rc write_call(zs_personio *p, const char *method, const char *path, json_object *body,
                        char *id_out, size_t id_cap, int *unknown, zs_err *err)
{
    if (unknown)
        *unknown = 0;
    char url[1024];
    snprintf(url, sizeof url, "%s%s", p->base, path);
    const char *b = body ? zs_json_text(body) : NULL;
    if (body && !b)
        return zs_err_set(err, ZS_ERR_FAILED, "personio: out of memory");
    call_res c;
    zs_rc rc = call(p, method, url, b, &c, err);
    if (unknown)
        *unknown = c.unknown_outcome;
    if (rc == ZS_OK && id_out) {
        json_object *o = json_tokener_parse(c.body);
        const char *id = zs_json_str(o, "id");
        if (!id)
            rc = zs_err_set(err, ZS_ERR_FAILED, "personio %s %s: answer without id", method, path);
        else
            copy_str(id_out, id_cap, id);
        json_object_put(o);
    }
    call_res_release(&c);
    return rc;
}

/* DELETE prefix/id; a record that is already gone counts as deleted. */
static zs_rc delete_one(zs_personio *p, const char *prefix, const char *id, const char *what, int *unknown,
                        zs_err *err)
{
    char path[160];
    zs_rc rc = id_path(path, sizeof path, prefix, id, NULL, what, err);
    if (rc == ZS_OK)
        rc = write_call(p, "DELETE", path, NULL, NULL, 0, unknown, err);
    return rc == ZS_ERR_NOTFOUND ? ZS_OK : rc;
}

/*
 * A create that hit an overlap, or whose answer was lost, may have been our own earlier write:
 * find() looks for an identical record (1 = found, id copied). Found: adopted, ZS_OK. Not found:
 * the write's own rc and status stay what the caller sees.
 */
static zs_rc adopt_or(zs_personio *p, zs_rc rc, int (*find)(zs_personio *, const void *, char *, size_t),
                      const void *in, char *id_out, size_t id_cap, int *adopted)
{
    zs_personio_status keep = p->last;
    if (find(p, in, id_out, id_cap)) {
        if (adopted)
            *adopted = 1;
        p->stats.adopted++;
        return ZS_OK;
    }
    p->last = keep;
    return rc;
}

/* ------------------------------------------------------------------ JSON building */

/* Every builder records a failed allocation in *bad (zs_json_set); bodies are checked once. */
static void add_str(json_object *o, const char *k, const char *v, int *bad)
{
    if (v && *v)
        zs_json_set(o, k, json_object_new_string(v), bad);
}

static json_object *id_obj(const char *id, int *bad)
{
    json_object *o = json_object_new_object();
    add_str(o, "id", id, bad);
    return o;
}

static json_object *dt_obj(const char *dt, const char *half, int *bad)
{
    json_object *o = json_object_new_object();
    add_str(o, "date_time", dt, bad);
    add_str(o, "type", half, bad);
    return o;
}

/* key: the local date-time (with half), or null when dt is "" (an open end). */
static void set_dt(json_object *o, const char *key, const char *dt, const char *half, int *bad)
{
    if (dt[0])
        zs_json_set(o, key, dt_obj(dt, half, bad), bad);
    else
        zs_json_set_null(o, key, bad);
}

/* A body that was built with *bad set is not sent: it would say something else than meant. */
static zs_rc body_done(json_object *o, int bad, zs_err *err)
{
    if (o && !bad)
        return ZS_OK;
    json_object_put(o);
    return zs_err_set(err, ZS_ERR_FAILED, "personio: out of memory");
}

static const char *approval_query(int skip_approval)
{
    return skip_approval ? "?skip_approval=true" : "?skip_approval=false";
}

/* ------------------------------------------------------------------ persons */

zs_rc zs_personio_persons_list(zs_personio *p, const zs_personio_person_filter *f,
                               zs_personio_persons *out, zs_err *err)
{
    qb q;
    qb_init(&q, p, "/v2/persons");
    if (f) {
        qb_add_list(&q, "id", f->ids, f->n_ids);
        qb_add(&q, "email", f->email);
        qb_add(&q, "updated_at.gt", f->updated_at_gt);
        qb_add(&q, "updated_at.lt", f->updated_at_lt);
        qb_add(&q, "created_at.gt", f->created_at_gt);
    }
    return qb_list(p, &q, f ? f->limit : 0, 50, &K_PERSON, (void **)&out->v, &out->n, err);
}

zs_rc zs_personio_person_get(zs_personio *p, const char *id, zs_personio_person *out, zs_err *err)
{
    return get_one(p, "/v2/persons", id, &K_PERSON, out, err);
}

static json_object *employment_body(const zs_personio_employment *emp, int *bad)
{
    json_object *e = json_object_new_object();
    add_str(e, "status", emp->status, bad);
    add_str(e, "type", emp->type, bad);
    if (emp->position[0]) {
        json_object *pos = json_object_new_object();
        add_str(pos, "title", emp->position, bad);
        zs_json_set(e, "position", pos, bad);
    }
    if (emp->weekly_working_hours >= 0)
        zs_json_set(e, "weekly_working_hours", json_object_new_double(emp->weekly_working_hours), bad);
    if (emp->full_time_weekly_working_hours >= 0)
        zs_json_set(e, "full_time_weekly_working_hours", json_object_new_double(emp->full_time_weekly_working_hours),
                    bad);
    add_str(e, "employment_start_date", emp->start_date, bad);
    add_str(e, "employment_end_date", emp->end_date, bad);
    if (emp->supervisor_id[0])
        zs_json_set(e, "supervisor", id_obj(emp->supervisor_id, bad), bad);
    if (emp->n_cost_centers) {
        json_object *cc = json_object_new_array();
        for (size_t i = 0; i < emp->n_cost_centers; i++) {
            json_object *c = id_obj(emp->cost_centers[i].id, bad);
            zs_json_set(c, "weight", json_object_new_double(emp->cost_centers[i].weight), bad);
            zs_json_push(cc, c, bad);
        }
        zs_json_set(e, "cost_centers", cc, bad);
    }
    return e;
}

/* e-mails are unique per company, so a person with ours is the one we just created */
static int person_find_same(zs_personio *p, const void *in, char *id_out, size_t id_cap)
{
    const zs_personio_person *want = in;
    zs_personio_person_filter f = {.email = want->email};
    zs_personio_persons l;
    zs_err verr;
    int found = zs_personio_persons_list(p, &f, &l, &verr) == ZS_OK && l.n == 1;
    if (found)
        copy_str(id_out, id_cap, l.v[0].id);
    zs_personio_persons_release(&l);
    return found;
}

zs_rc zs_personio_person_create(zs_personio *p, const zs_personio_person *in,
                                const zs_personio_employment *emp, char id_out[32], zs_err *err)
{
    json_object *o = json_object_new_object();
    int bad = 0;
    add_str(o, "email", in->email, &bad);
    add_str(o, "first_name", in->first_name, &bad);
    add_str(o, "last_name", in->last_name, &bad);
    add_str(o, "preferred_name", in->preferred_name, &bad);
    add_str(o, "gender", in->gender, &bad);
    add_str(o, "language_code", in->language_code, &bad);
    if (in->n_attrs) {
        json_object *ca = json_object_new_array();
        for (size_t i = 0; i < in->n_attrs; i++) {
            json_object *a = id_obj(in->attrs[i].id, &bad);
            if (in->attrs[i].value)
                zs_json_set(a, "value", json_object_new_string(in->attrs[i].value), &bad);
            else
                zs_json_set_null(a, "value", &bad);
            zs_json_push(ca, a, &bad);
        }
        zs_json_set(o, "custom_attributes", ca, &bad);
    }
    if (emp) {
        json_object *arr = json_object_new_array();
        zs_json_push(arr, employment_body(emp, &bad), &bad);
        zs_json_set(o, "employments", arr, &bad);
    }
    zs_rc rc = body_done(o, bad, err);
    if (rc != ZS_OK)
        return rc;
    int unknown = 0;
    rc = write_call(p, "POST", "/v2/persons", o, id_out, 32, &unknown, err);
    json_object_put(o);
    if (unknown && in->email[0])
        rc = adopt_or(p, rc, person_find_same, in, id_out, 32, NULL);
    return rc;
}

static zs_rc patch_json(zs_personio *p, const char *path, const char *json, zs_err *err)
{
    json_object *o = zs_json_parse_object(json);
    if (!o)
        return zs_err_set(err, ZS_ERR_FAILED, "personio: patch body must be a JSON object");
    zs_rc rc = write_call(p, "PATCH", path, o, NULL, 0, NULL, err);
    json_object_put(o);
    return rc;
}

zs_rc zs_personio_person_patch_json(zs_personio *p, const char *id, const char *json, zs_err *err)
{
    char path[160];
    zs_rc rc = id_path(path, sizeof path, "/v2/persons", id, NULL, "person", err);
    return rc == ZS_OK ? patch_json(p, path, json, err) : rc;
}

zs_rc zs_personio_person_delete(zs_personio *p, const char *id, zs_err *err)
{
    return delete_one(p, "/v2/persons", id, "person", NULL, err);
}

zs_rc zs_personio_employments_list(zs_personio *p, const char *person_id,
                                   zs_personio_employments *out, zs_err *err)
{
    char path[160], url[1024];
    out->v = NULL;
    out->n = 0;
    zs_rc rc = id_path(path, sizeof path, "/v2/persons", person_id, "/employments?limit=50", "person", err);
    if (rc != ZS_OK)
        return rc;
    snprintf(url, sizeof url, "%s%s", p->base, path);
    return list_into(p, url, &K_EMPLOYMENT, (void **)&out->v, &out->n, err);
}

zs_rc zs_personio_employment_patch_json(zs_personio *p, const char *person_id, const char *id,
                                        const char *json, zs_err *err)
{
    if (!valid_id(person_id) || !valid_id(id))
        return bad_id(err, "employment");
    char path[200];
    snprintf(path, sizeof path, "/v2/persons/%s/employments/%s", person_id, id);
    return patch_json(p, path, json, err);
}

/* ------------------------------------------------------------------ attendance periods */

zs_rc zs_personio_attendances_list(zs_personio *p, const zs_personio_attendance_filter *f,
                                   zs_personio_attendances *out, zs_err *err)
{
    qb q;
    qb_init(&q, p, "/v2/attendance-periods");
    if (f) {
        qb_add_list(&q, "person.id", f->person_ids, f->n_person_ids);
        qb_add(&q, "attribution_date.gte", f->attribution_date_gte);
        qb_add(&q, "attribution_date.lte", f->attribution_date_lte);
        qb_add(&q, "updated_at.gte", f->updated_at_gte);
        qb_add(&q, "updated_at.lte", f->updated_at_lte);
        qb_add(&q, "status", f->status);
    }
    return qb_list(p, &q, f ? f->limit : 0, 100, &K_ATTENDANCE, (void **)&out->v, &out->n, err);
}

zs_rc zs_personio_attendance_get(zs_personio *p, const char *id, zs_personio_attendance *out,
                                 zs_err *err)
{
    return get_one(p, "/v2/attendance-periods", id, &K_ATTENDANCE, out, err);
}

/* A period of the same person, day, type, times, comment and project: our own earlier write. */
static int attendance_find_same(zs_personio *p, const void *in, char *id_out, size_t id_cap)
{
    const zs_personio_attendance *want = in;
    char day[16];
    snprintf(day, sizeof day, "%.10s", want->start);
    const char *pid[1] = {want->person_id};
    zs_personio_attendance_filter f = {.person_ids = pid, .n_person_ids = 1,
                                       .attribution_date_gte = day, .attribution_date_lte = day};
    zs_personio_attendances l;
    zs_err verr;
    int found = 0;
    if (zs_personio_attendances_list(p, &f, &l, &verr) != ZS_OK)
        return 0;
    const char *type = want->type[0] ? want->type : "WORK";
    for (size_t i = 0; !found && i < l.n; i++) {
        const zs_personio_attendance *a = &l.v[i];
        found = strcmp(a->type, type) == 0 && strcmp(a->start, want->start) == 0 &&
                strcmp(a->end, want->end) == 0 && strcmp(a->comment, want->comment) == 0 &&
                strcmp(a->project_id, want->project_id) == 0;
        if (found)
            copy_str(id_out, id_cap, a->id);
    }
    zs_personio_attendances_release(&l);
    return found;
}

zs_rc zs_personio_attendance_create(zs_personio *p, const zs_personio_attendance *in,
                                    int skip_approval, char id_out[40], int *adopted, zs_err *err)
{
    if (adopted)
        *adopted = 0;
    if (!valid_id(in->person_id))
        return bad_id(err, "person");
    json_object *o = json_object_new_object();
    int bad = 0;
    zs_json_set(o, "person", id_obj(in->person_id, &bad), &bad);
    add_str(o, "type", in->type[0] ? in->type : "WORK", &bad);
    zs_json_set(o, "start", dt_obj(in->start, NULL, &bad), &bad);
    set_dt(o, "end", in->end, NULL, &bad);
    add_str(o, "comment", in->comment, &bad);
    if (in->project_id[0])
        zs_json_set(o, "project", id_obj(in->project_id, &bad), &bad);
    zs_rc rc = body_done(o, bad, err);
    if (rc != ZS_OK)
        return rc;
    char path[64];
    snprintf(path, sizeof path, "/v2/attendance-periods%s", approval_query(skip_approval));
    int unknown = 0;
    rc = write_call(p, "POST", path, o, id_out, 40, &unknown, err);
    json_object_put(o);
    if (rc == ZS_ERR_CONFLICT || unknown)
        rc = adopt_or(p, rc, attendance_find_same, in, id_out, 40, adopted);
    return rc;
}

zs_rc zs_personio_attendance_patch(zs_personio *p, const char *id, const zs_personio_attendance *in,
                                   unsigned fields, int skip_approval, zs_err *err)
{
    char path[160];
    zs_rc rc = id_path(path, sizeof path, "/v2/attendance-periods", id, approval_query(skip_approval),
                       "attendance period", err);
    if (rc != ZS_OK)
        return rc;
    json_object *o = json_object_new_object();
    int bad = 0;
    if (fields & ZS_PA_START)
        zs_json_set(o, "start", dt_obj(in->start, NULL, &bad), &bad);
    if (fields & ZS_PA_END)
        set_dt(o, "end", in->end, NULL, &bad);
    if (fields & ZS_PA_COMMENT)
        zs_json_set(o, "comment", json_object_new_string(in->comment), &bad);
    if ((fields & ZS_PA_PROJECT) && in->project_id[0])
        zs_json_set(o, "project", id_obj(in->project_id, &bad), &bad);
    else if (fields & ZS_PA_PROJECT)
        zs_json_set_null(o, "project", &bad);
    if ((rc = body_done(o, bad, err)) != ZS_OK)
        return rc;
    int unknown = 0;
    rc = write_call(p, "PATCH", path, o, NULL, 0, &unknown, err);
    json_object_put(o);
    if (unknown) {
        /* A PATCH is idempotent in effect: read back and accept if the fields now match. */
        zs_personio_attendance cur;
        zs_err verr;
        zs_personio_status keep = p->last;
        if (zs_personio_attendance_get(p, id, &cur, &verr) == ZS_OK &&
            (!(fields & ZS_PA_START) || strcmp(cur.start, in->start) == 0) &&
            (!(fields & ZS_PA_END) || strcmp(cur.end, in->end) == 0) &&
            (!(fields & ZS_PA_COMMENT) || strcmp(cur.comment, in->comment) == 0) &&
            (!(fields & ZS_PA_PROJECT) || strcmp(cur.project_id, in->project_id) == 0))
            return ZS_OK;
        p->last = keep;
    }
    return rc;
}

zs_rc zs_personio_attendance_delete(zs_personio *p, const char *id, zs_err *err)
{
    int unknown = 0;
    zs_rc rc = delete_one(p, "/v2/attendance-periods", id, "attendance period", &unknown, err);
    if (unknown) {
        zs_personio_attendance cur;
        zs_err verr;
        if (zs_personio_attendance_get(p, id, &cur, &verr) == ZS_ERR_NOTFOUND)
            return ZS_OK;
    }
    return rc;
}

/* ------------------------------------------------------------------ absences */

zs_rc zs_personio_absence_types_list(zs_personio *p, zs_personio_absence_types *out, zs_err *err)
{
    char url[600];
    snprintf(url, sizeof url, "%s/v2/absence-types?limit=100", p->base);
    return list_into(p, url, &K_ABSENCE_TYPE, (void **)&out->v, &out->n, err);
}

zs_rc zs_personio_absences_list(zs_personio *p, const zs_personio_absence_filter *f,
                                zs_personio_absences *out, zs_err *err)
{
    qb q;
    qb_init(&q, p, "/v2/absence-periods");
    if (f) {
        qb_add_list(&q, "person.id", f->person_ids, f->n_person_ids);
        qb_add_list(&q, "absence_type.id", f->absence_type_ids, f->n_absence_type_ids);
        qb_add(&q, "starts_from.date_time.gte", f->from);
        qb_add(&q, "ends_at.date_time.lte", f->to);
        qb_add(&q, "updated_at.gte", f->updated_at_gte);
    }
    return qb_list(p, &q, f ? f->limit : 0, 100, &K_ABSENCE, (void **)&out->v, &out->n, err);
}

zs_rc zs_personio_absence_get(zs_personio *p, const char *id, zs_personio_absence *out, zs_err *err)
{
    return get_one(p, "/v2/absence-periods", id, &K_ABSENCE, out, err);
}

/* NULL when out of memory. */
static json_object *absence_body(const zs_personio_absence *in, int with_refs)
{
    json_object *o = json_object_new_object();
    int bad = 0;
    if (with_refs) {
        zs_json_set(o, "person", id_obj(in->person_id, &bad), &bad);
        zs_json_set(o, "absence_type", id_obj(in->absence_type_id, &bad), &bad);
    }
    zs_json_set(o, "starts_from", dt_obj(in->start, in->start_half, &bad), &bad);
    set_dt(o, "ends_at", in->end, in->end_half, &bad);
    if (in->comment[0])
        zs_json_set(o, "comment", json_object_new_string(in->comment), &bad);
    else
        zs_json_set_null(o, "comment", &bad);
    return body_done(o, bad, NULL) == ZS_OK ? o : NULL;
}

/* An absence of the same person, type, range, halves and comment: our own earlier write. */
static int absence_find_same(zs_personio *p, const void *in, char *id_out, size_t id_cap)
{
    const zs_personio_absence *want = in;
    const char *pid[1] = {want->person_id};
    zs_personio_absence_filter f = {.person_ids = pid, .n_person_ids = 1, .from = want->start,
                                    .to = want->end[0] ? want->end : NULL};
    zs_personio_absences l;
    zs_err verr;
    int found = 0;
    if (zs_personio_absences_list(p, &f, &l, &verr) != ZS_OK)
        return 0;
    for (size_t i = 0; !found && i < l.n; i++) {
        const zs_personio_absence *a = &l.v[i];
        found = strcmp(a->absence_type_id, want->absence_type_id) == 0 && strcmp(a->start, want->start) == 0 &&
                strcmp(a->end, want->end) == 0 && strcmp(a->start_half, want->start_half) == 0 &&
                strcmp(a->end_half, want->end_half) == 0 && strcmp(a->comment, want->comment) == 0;
        if (found)
            copy_str(id_out, id_cap, a->id);
    }
    zs_personio_absences_release(&l);
    return found;
}

zs_rc zs_personio_absence_create(zs_personio *p, const zs_personio_absence *in, int skip_approval,
                                 char id_out[40], int *adopted, zs_err *err)
{
    if (adopted)
        *adopted = 0;
    if (!valid_id(in->person_id) || !valid_id(in->absence_type_id))
        return bad_id(err, "person or absence type");
    json_object *o = absence_body(in, 1);
    if (!o)
        return zs_err_set(err, ZS_ERR_FAILED, "personio: out of memory");
    char path[64];
    snprintf(path, sizeof path, "/v2/absence-periods%s", approval_query(skip_approval));
    int unknown = 0;
    zs_rc rc = write_call(p, "POST", path, o, id_out, 40, &unknown, err);
    json_object_put(o);
    if (rc == ZS_ERR_CONFLICT || unknown)
        rc = adopt_or(p, rc, absence_find_same, in, id_out, 40, adopted);
    return rc;
}

zs_rc zs_personio_absence_patch(zs_personio *p, const char *id, const zs_personio_absence *in,
                                zs_err *err)
{
    char path[160];
    zs_rc rc = id_path(path, sizeof path, "/v2/absence-periods", id, NULL, "absence period", err);
    if (rc != ZS_OK)
        return rc;
    json_object *o = absence_body(in, 0);
    if (!o)
        return zs_err_set(err, ZS_ERR_FAILED, "personio: out of memory");
    rc = write_call(p, "PATCH", path, o, NULL, 0, NULL, err);
    json_object_put(o);
    return rc;
}

zs_rc zs_personio_absence_delete(zs_personio *p, const char *id, zs_err *err)
{
    return delete_one(p, "/v2/absence-periods", id, "absence period", NULL, err);
}

/* ------------------------------------------------------------------ webhooks */

zs_rc zs_personio_webhook_create(zs_personio *p, const char *url, const char *token,
                                 const char *description, const char *const *events, size_t n_events,
                                 char id_out[40], zs_err *err)
{
    if (!url || !*url)
        return zs_err_set(err, ZS_ERR_FAILED, "personio: webhook url required");
    json_object *o = json_object_new_object();
    int bad = 0;
    add_str(o, "url", url, &bad);
    add_str(o, "description", description, &bad);
    add_str(o, "status", "ENABLED", &bad);
    add_str(o, "auth_type", token && *token ? "TOKEN" : "NONE", &bad);
    add_str(o, "token", token, &bad);
    if (n_events) {
        json_object *ev = json_object_new_array();
        for (size_t i = 0; i < n_events; i++)
            zs_json_push(ev, json_object_new_string(events[i]), &bad);
        zs_json_set(o, "enabled_events", ev, &bad);
    }
    zs_rc rc = body_done(o, bad, err);
    if (rc != ZS_OK)
        return rc;
    rc = write_call(p, "POST", "/v2/webhooks", o, id_out, 40, NULL, err);
    json_object_put(o);
    return rc;
}

zs_rc zs_personio_webhooks_list(zs_personio *p, zs_personio_webhooks *out, zs_err *err)
{
    char url[600];
    snprintf(url, sizeof url, "%s/v2/webhooks?limit=100", p->base);
    return list_into(p, url, &K_WEBHOOK, (void **)&out->v, &out->n, err);
}

zs_rc zs_personio_webhook_delete(zs_personio *p, const char *id, zs_err *err)
{
    return delete_one(p, "/v2/webhooks", id, "webhook", NULL, err);
}
