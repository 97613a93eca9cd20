/* Webhook delivery: a queue of due deliveries drained by one thread with libcurl. */
#include "sbx.h"

#include <curl/curl.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

typedef struct delivery {
    struct delivery *next;
    char *url, *body, *auth, *custom; /* custom: JSON object of extra headers, or NULL */
    char company[128], webhook_id[40], event[64];
    int attempt;
    double due;
} delivery;

static pthread_mutex_t q_lock = PTHREAD_MUTEX_INITIALIZER;
static pthread_cond_t q_cond = PTHREAD_COND_INITIALIZER;
static delivery *q_head;
static int q_stop;
static pthread_t q_thread;
static int q_started;

static void delivery_free(delivery *d)
{
    if (!d)
        return;
    free(d->url);
    free(d->body);
    free(d->auth);
    free(d->custom);
    free(d);
}

static void enqueue(delivery *d)
{
    pthread_mutex_lock(&q_lock);
    delivery **pp = &q_head;
    while (*pp && (*pp)->due <= d->due)
        pp = &(*pp)->next;
    d->next = *pp;
    *pp = d;
    pthread_cond_signal(&q_cond);
    pthread_mutex_unlock(&q_lock);
}

static int subscribed(json_object *w, const char *event)
{
    json_object *ev = zs_json_at(w, "enabled_events");
    size_t n = ev ? json_object_array_length(ev) : 0;
    for (size_t i = 0; i < n; i++) {
        const char *e = json_object_get_string(json_object_array_get_idx(ev, i));
        if (e && strcmp(e, event) == 0)
            return 1;
    }
    return 0;
}

void sbx_webhook_emit(sbx_company *co, const char *event_name, json_object *payload)
{
    const char *only = sbx_jstr(payload, "_only");
    char only_id[40] = "";
    if (only) {
        snprintf(only_id, sizeof only_id, "%s", only);
        json_object_object_del(payload, "_only");
    }
    char ts[48];
    sbx_stamp_z(ts, sizeof ts);
    json_object *env = json_object_new_object();
    json_object_object_add(env, "company_id", json_object_new_string(co->id));
    json_object_object_add(env, "event_name", json_object_new_string(event_name));
    json_object_object_add(env, "occurred_at", json_object_new_string(ts));
    json_object_object_add(env, "payload", payload);
    json_object_object_add(env, "meta", json_object_new_object());
    char *body = sbx_json_dump(env);
    json_object_put(env);
    if (!body)
        return;
    size_t n = json_object_array_length(co->webhooks);
    for (size_t i = 0; i < n; i++) {
        json_object *w = json_object_array_get_idx(co->webhooks, i);
        const char *id = sbx_jstr(w, "id");
        if (only_id[0]) {
            if (!id || strcmp(id, only_id) != 0)
                continue;
        } else if (strcmp(sbx_jstr(w, "status") ? sbx_jstr(w, "status") : "", "ENABLED") != 0 ||
                   !subscribed(w, event_name)) {
            continue;
        }
        delivery *d = calloc(1, sizeof *d);
        if (!d)
            continue;
        const char *at = sbx_jstr(w, "auth_type");
        d->url = strdup(sbx_jstr(w, "url") ? sbx_jstr(w, "url") : "");
        d->body = strdup(body);
        if (at && strcmp(at, "TOKEN") == 0 && sbx_jstr(w, "token"))
            d->auth = strdup(sbx_jstr(w, "token"));
        if (at && strcmp(at, "CUSTOM") == 0 && zs_json_at(w, "custom_headers"))
            d->custom = sbx_json_dump(zs_json_at(w, "custom_headers"));
        if (!d->url || !d->body) {
            delivery_free(d);
            continue;
        }
        snprintf(d->company, sizeof d->company, "%s", co->name);
        snprintf(d->webhook_id, sizeof d->webhook_id, "%s", id ? id : "");
        snprintf(d->event, sizeof d->event, "%s", event_name);
        d->due = sbx_now();
        enqueue(d);
    }
    free(body);
}

static size_t discard(char *p, size_t s, size_t n, void *u)
{
    (void)p;
    (void)u;
    return s * n;
}

/* One attempt. Returns the HTTP status, or 0 when no response arrived (timeout, refused). */
static long post_once(CURL *c, delivery *d)
{
    struct curl_slist *h = curl_slist_append(NULL, "Content-Type: application/json");
    char line[2048];
    if (d->auth) {
        /* the configured token goes out verbatim: Personio adds no scheme prefix */
        snprintf(line, sizeof line, "Authorization: %s", d->auth);
        h = curl_slist_append(h, line);
    }
    json_object *ch = d->custom ? json_tokener_parse(d->custom) : NULL;
    if (ch) {
        json_object_object_foreach(ch, k, v)
        {
            snprintf(line, sizeof line, "%s: %s", k, json_object_get_string(v));
            h = curl_slist_append(h, line);
        }
        json_object_put(ch);
    }
    curl_easy_reset(c);
    curl_easy_setopt(c, CURLOPT_URL, d->url);
    curl_easy_setopt(c, CURLOPT_POST, 1L);
    curl_easy_setopt(c, CURLOPT_POSTFIELDS, d->body);
    curl_easy_setopt(c, CURLOPT_HTTPHEADER, h);
    curl_easy_setopt(c, CURLOPT_TIMEOUT_MS, g_cfg.webhook_timeout_ms);
    curl_easy_setopt(c, CURLOPT_FOLLOWLOCATION, 0L);
    curl_easy_setopt(c, CURLOPT_NOSIGNAL, 1L);
    curl_easy_setopt(c, CURLOPT_WRITEFUNCTION, discard);
    curl_easy_setopt(c, CURLOPT_USERAGENT, "Personio-Webhooks (zepsync sandbox)");
    long status = 0;
    if (curl_easy_perform(c) == CURLE_OK)
        curl_easy_getinfo(c, CURLINFO_RESPONSE_CODE, &status);
    curl_slist_free_all(h);
    return status;
}

static void *worker(void *arg)
{
    (void)arg;
    CURL *c = curl_easy_init();
    if (!c)
        return NULL;
    pthread_mutex_lock(&q_lock);
    while (!q_stop) {
        if (!q_head) {
            pthread_cond_wait(&q_cond, &q_lock);
            continue;
        }
        double now = sbx_now();
        if (q_head->due > now) {
            double t = q_head->due;
            struct timespec ts = {.tv_sec = (time_t)t, .tv_nsec = (long)((t - (double)(time_t)t) * 1e9)};
            pthread_cond_timedwait(&q_cond, &q_lock, &ts);
            continue;
        }
        delivery *d = q_head;
        q_head = d->next;
        pthread_mutex_unlock(&q_lock);

        d->attempt++;
        long st = post_once(c, d);
        int ok = st >= 200 && st < 300;
        /* Personio retries on no answer and on 5xx except 501; a 4xx is the receiver's final word. */
        int retry = !ok && (st == 0 || (st >= 500 && st != 501)) &&
                    d->attempt < g_cfg.webhook_max_attempts;
        char ts[48];
        sbx_stamp_z(ts, sizeof ts);
        json_object *rec = json_object_new_object();
        json_object_object_add(rec, "webhook_id", json_object_new_string(d->webhook_id));
        json_object_object_add(rec, "event_name", json_object_new_string(d->event));
        json_object_object_add(rec, "attempt", json_object_new_int(d->attempt));
        json_object_object_add(rec, "status_code", json_object_new_int64(st));
        json_object_object_add(rec, "delivered", json_object_new_boolean(ok));
        json_object_object_add(rec, "will_retry", json_object_new_boolean(retry));
        json_object_object_add(rec, "attempted_at", json_object_new_string(ts));
        pthread_mutex_lock(&g_lock);
        sbx_record_delivery(d->company, rec);
        pthread_mutex_unlock(&g_lock);
        if (retry) {
            double delay = (double)g_cfg.webhook_retry_ms / 1000.0;
            for (int i = 1; i < d->attempt; i++)
                delay *= 2;
            d->due = sbx_now() + delay;
            enqueue(d);
        } else {
            delivery_free(d);
        }
        pthread_mutex_lock(&q_lock);
    }
    pthread_mutex_unlock(&q_lock);
    curl_easy_cleanup(c);
    return NULL;
}

int sbx_webhook_start(void)
{
    if (pthread_create(&q_thread, NULL, worker, NULL) != 0)
        return -1;
    q_started = 1;
    return 0;
}

void sbx_webhook_stop(void)
{
    if (!q_started)
        return;
    pthread_mutex_lock(&q_lock);
    q_stop = 1;
    pthread_cond_broadcast(&q_cond);
    pthread_mutex_unlock(&q_lock);
    pthread_join(q_thread, NULL);
    q_started = 0;
    while (q_head) {
        delivery *d = q_head;
        q_head = d->next;
        delivery_free(d);
    }
}
