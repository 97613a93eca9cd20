/*
 * zs_http: the one HTTP client every vendor client uses (libcurl underneath).
 *
 * A zs_http handle owns one curl easy handle, so consecutive requests to the same host reuse the
 * connection (keep-alive). Handles are not thread-safe: one per thread. TLS verification is always
 * on; there is no switch to turn it off.
 *
 * zs_http_request() performs exactly one request and classifies the outcome; retry loops live in
 * the callers (they know whether a write may be repeated). zs_http_backoff_ms() gives the delay.
 * A POST is sent exactly once: it always opens a fresh connection, because libcurl would re-send
 * it on a reused connection that died before answering (a duplicate write). A POST that returns
 * ZS_ERR_RETRY may or may not have been applied: verify by reading before writing again.
 * GET/PUT/PATCH/DELETE keep connection reuse; libcurl may re-send them after such a lost answer,
 * which is harmless because they are idempotent. (SOAP reads travel as POST and so also pay for a
 * fresh connection each; acceptable at ZEP's request budget.)
 */
#ifndef ZS_HTTP_H
#define ZS_HTTP_H

#include <stddef.h>

#include "core/zs_err.h"

typedef enum zs_http_class {
    ZS_HTTP_OK = 0,          /* 2xx */
    ZS_HTTP_RETRY_LATER = 1, /* 408, 425, 429, 5xx, timeout, connection error */
    ZS_HTTP_FAILED = 2,      /* every other status: do not repeat the same request */
} zs_http_class;

typedef struct zs_http_opts {
    long connect_timeout_ms; /* default 5000 */
    long total_timeout_ms;   /* default 30000 */
    const char *user_agent;  /* default "zepsync/<version>" */
    const char *ca_file;     /* optional extra CA bundle (tests with a private CA) */
} zs_http_opts;

typedef struct zs_http zs_http;

typedef struct zs_http_resp {
    long status;           /* 0 when no response arrived */
    int curl_code;         /* CURLcode of the transfer, 0 on success */
    zs_http_class cls;
    char *body;            /* NUL-terminated, never NULL after a request; freed by zs_http_resp_release */
    size_t body_len;
    char content_type[128];
    char location[1024];
    long retry_after_s;    /* Retry-After (seconds or HTTP-date), -1 when absent */
    long rl_limit;         /* x-ratelimit-limit, -1 when absent */
    long rl_remaining;     /* x-ratelimit-remaining, -1 when absent */
    long rl_reset;         /* x-ratelimit-reset (seconds), -1 when absent */
    double total_s;        /* transfer time */
} zs_http_resp;

zs_http *zs_http_new(const zs_http_opts *opts, zs_err *err);
void zs_http_free(zs_http *h);

/*
 * One request. headers: NULL-terminated "Name: value" strings (may be NULL). body may be NULL.
 * Returns ZS_OK when a response (any status) arrived, ZS_ERR_RETRY when the transfer failed
 * (timeout, refused, reset) and ZS_ERR_FAILED for local errors (bad URL, out of memory).
 * Either way resp is filled (status 0 without a response) and must be released.
 */
zs_rc zs_http_request(zs_http *h, const char *method, const char *url, const char *const *headers,
                      const char *body, size_t body_len, zs_http_resp *resp, zs_err *err);

void zs_http_resp_release(zs_http_resp *r);

/* The classification table, pure: status (0 = no response) and curl code → class. */
zs_http_class zs_http_classify(long status, int curl_code);

/*
 * Delay before retry `attempt` (0-based): full-jitter exponential backoff, base·2^attempt capped at
 * cap_ms, times a factor in [0.5, 1.0) drawn from rnd (0 ≤ rnd < 1); a Retry-After (seconds, ≥ 0)
 * raises the floor, itself capped at cap_ms. Pure, so tests can pin it.
 */
long zs_http_backoff_ms(int attempt, long base_ms, long cap_ms, long retry_after_s, double rnd);

/* Percent-encodes s for a query component into out (cap bytes). Returns 0, -1 if it did not fit. */
int zs_http_urlencode(const char *s, char *out, size_t cap);

#endif
