#include "http/zs_http.h"

#include <curl/curl.h>
#include <ctype.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

struct zs_http {
    CURL *curl;
    zs_http_opts opts;
    char ua[96];
};

static pthread_once_t g_once = PTHREAD_ONCE_INIT;
static CURLcode g_init_rc = CURLE_OK;

/* curl_global_init is not thread-safe in 7.88; run it exactly once per process. */
static void global_init(void) { g_init_rc = curl_global_init(CURL_GLOBAL_DEFAULT); }

zs_http *zs_http_new(const zs_http_opts *opts, zs_err *err)
{
    pthread_once(&g_once, global_init);
    if (g_init_rc != CURLE_OK) {
        zs_err_set(err, ZS_ERR_FAILED, "curl_global_init: %s", curl_easy_strerror(g_init_rc));
        return NULL;
    }
    zs_http *h = calloc(1, sizeof *h);
    if (!h) {
        zs_err_set(err, ZS_ERR_FAILED, "out of memory");
        return NULL;
    }
    if (opts)
        h->opts = *opts;
    if (h->opts.connect_timeout_ms <= 0)
        h->opts.connect_timeout_ms = 5000;
    if (h->opts.total_timeout_ms <= 0)
        h->opts.total_timeout_ms = 30000;
    snprintf(h->ua, sizeof h->ua, "%s", h->opts.user_agent ? h->opts.user_agent : "zepsync/0.1");
    h->opts.user_agent = h->ua;
    h->curl = curl_easy_init();
    if (!h->curl) {
        free(h);
        zs_err_set(err, ZS_ERR_FAILED, "curl_easy_init failed");
        return NULL;
    }
    return h;
}

void zs_http_free(zs_http *h)
{
    if (!h)
        return;
    curl_easy_cleanup(h->curl);
    free(h);
}

void zs_http_resp_release(zs_http_resp *r)
{
    if (!r)
        return;
    free(r->body);
    memset(r, 0, sizeof *r);
}

zs_http_class zs_http_classify(long status, int curl_code)
{
    if (status == 0 || curl_code != 0) {
        /* No usable response: the network or the server's availability, never the request. Local
         * misuse (bad URL, unsupported protocol) is reported by zs_http_request as FAILED. */
        switch (curl_code) {
        case CURLE_UNSUPPORTED_PROTOCOL:
        case CURLE_URL_MALFORMAT:
        case CURLE_OUT_OF_MEMORY:
        case CURLE_BAD_FUNCTION_ARGUMENT:
            return ZS_HTTP_FAILED;
        default:
            return ZS_HTTP_RETRY_LATER;
        }
    }
    if (status >= 200 && status < 300)
        return ZS_HTTP_OK;
    if (status == 408 || status == 425 || status == 429 || status >= 500)
        return ZS_HTTP_RETRY_LATER;
    return ZS_HTTP_FAILED;
}

long zs_http_backoff_ms(int attempt, long base_ms, long cap_ms, long retry_after_s, double rnd)
{
    if (attempt < 0)
        attempt = 0;
    if (base_ms <= 0)
        base_ms = 1;
    if (cap_ms < base_ms)
        cap_ms = base_ms;
    long d = base_ms;
    for (int i = 0; i < attempt && d < cap_ms; i++)
        d *= 2;
    if (d > cap_ms)
        d = cap_ms;
    if (rnd < 0)
        rnd = 0;
    if (rnd >= 1)
        rnd = 0.999999;
    /* Jitter in [0.5, 1.0): spreads replicas that failed together without ever retrying at once. */
    long j = (long)((double)d * (0.5 + rnd / 2.0));
    if (retry_after_s >= 0) {
        long ra = retry_after_s * 1000L;
        if (ra > cap_ms)
            ra = cap_ms;
        if (j < ra)
            j = ra;
    }
    return j;
}

int zs_http_urlencode(const char *s, char *out, size_t cap)
{
    static const char hex[] = "0123456789ABCDEF";
    size_t n = 0;
    for (; *s; s++) {
        unsigned char c = (unsigned char)*s;
        if (isalnum(c) || c == '-' || c == '_' || c == '.' || c == '~') {
            if (n + 1 >= cap)
                return -1;
            out[n++] = (char)c;
        } else {
            if (n + 3 >= cap)
                return -1;
            out[n++] = '%';
            out[n++] = hex[c >> 4];
            out[n++] = hex[c & 15];
        }
    }
    if (n >= cap)
        return -1;
    out[n] = '\0';
    return 0;
}

struct body_sink {
    char *p;
    size_t n;
    int oom;
};

static size_t write_cb(char *d, size_t sz, size_t nm, void *u)
{
    struct body_sink *b = u;
    size_t add = sz * nm;
    char *q = realloc(b->p, b->n + add + 1);
    if (!q) {
        b->oom = 1;
        return 0;
    }
    memcpy(q + b->n, d, add);
    b->n += add;
    q[b->n] = '\0';
    b->p = q;
    return add;
}

static long header_long(const char *v)
{
    while (*v == ' ')
        v++;
    if (!isdigit((unsigned char)*v))
        return -1;
    return strtol(v, NULL, 10);
}

static size_t header_cb(char *d, size_t sz, size_t nm, void *u)
{
    zs_http_resp *r = u;
    size_t len = sz * nm;
    char line[1200];
    size_t n = len < sizeof line - 1 ? len : sizeof line - 1;
    memcpy(line, d, n);
    line[n] = '\0';
    line[strcspn(line, "\r\n")] = '\0';
    /* A new status line (redirect, 100-continue) starts a new header set. */
    if (strncmp(line, "HTTP/", 5) == 0) {
        r->rl_limit = r->rl_remaining = r->rl_reset = -1;
        r->location[0] = '\0';
        return len;
    }
    char *colon = strchr(line, ':');
    if (!colon)
        return len;
    *colon = '\0';
    const char *v = colon + 1;
    while (*v == ' ')
        v++;
    if (strcasecmp(line, "x-ratelimit-limit") == 0)
        r->rl_limit = header_long(v);
    else if (strcasecmp(line, "x-ratelimit-remaining") == 0)
        r->rl_remaining = header_long(v);
    else if (strcasecmp(line, "x-ratelimit-reset") == 0)
        r->rl_reset = header_long(v);
    else if (strcasecmp(line, "location") == 0)
        snprintf(r->location, sizeof r->location, "%s", v);
    return len;
}

zs_rc zs_http_request(zs_http *h, const char *method, const char *url, const char *const *headers,
                      const char *body, size_t body_len, zs_http_resp *resp, zs_err *err)
{
    memset(resp, 0, sizeof *resp);
    resp->retry_after_s = resp->rl_limit = resp->rl_remaining = resp->rl_reset = -1;
    CURL *c = h->curl;
    /* Reset keeps the connection cache, so keep-alive survives between requests. */
    curl_easy_reset(c);
    struct curl_slist *hl = NULL;
    for (size_t i = 0; headers && headers[i]; i++) {
        struct curl_slist *n = curl_slist_append(hl, headers[i]);
        if (!n) {
            curl_slist_free_all(hl);
            resp->body = calloc(1, 1);
            return zs_err_set(err, ZS_ERR_FAILED, "out of memory building headers");
        }
        hl = n;
    }
    /* libcurl adds "Expect: 100-continue" for large bodies; vendors answer it inconsistently. */
    struct curl_slist *n = curl_slist_append(hl, "Expect:");
    if (n)
        hl = n;
    struct body_sink sink = {0};
    int ok = 1;
    ok &= curl_easy_setopt(c, CURLOPT_URL, url) == CURLE_OK;
    ok &= curl_easy_setopt(c, CURLOPT_CUSTOMREQUEST, method) == CURLE_OK;
    ok &= curl_easy_setopt(c, CURLOPT_HTTPHEADER, hl) == CURLE_OK;
    ok &= curl_easy_setopt(c, CURLOPT_WRITEFUNCTION, write_cb) == CURLE_OK;
    ok &= curl_easy_setopt(c, CURLOPT_WRITEDATA, &sink) == CURLE_OK;
    ok &= curl_easy_setopt(c, CURLOPT_HEADERFUNCTION, header_cb) == CURLE_OK;
    ok &= curl_easy_setopt(c, CURLOPT_HEADERDATA, resp) == CURLE_OK;
    ok &= curl_easy_setopt(c, CURLOPT_CONNECTTIMEOUT_MS, h->opts.connect_timeout_ms) == CURLE_OK;
    ok &= curl_easy_setopt(c, CURLOPT_TIMEOUT_MS, h->opts.total_timeout_ms) == CURLE_OK;
    ok &= curl_easy_setopt(c, CURLOPT_NOSIGNAL, 1L) == CURLE_OK;
    ok &= curl_easy_setopt(c, CURLOPT_USERAGENT, h->opts.user_agent) == CURLE_OK;
    ok &= curl_easy_setopt(c, CURLOPT_SSL_VERIFYPEER, 1L) == CURLE_OK;
    ok &= curl_easy_setopt(c, CURLOPT_SSL_VERIFYHOST, 2L) == CURLE_OK;
    ok &= curl_easy_setopt(c, CURLOPT_PROTOCOLS_STR, "http,https") == CURLE_OK;
    ok &= curl_easy_setopt(c, CURLOPT_ACCEPT_ENCODING, "") == CURLE_OK;
    if (h->opts.ca_file)
        ok &= curl_easy_setopt(c, CURLOPT_CAINFO, h->opts.ca_file) == CURLE_OK;
    if (strcasecmp(method, "HEAD") == 0)
        ok &= curl_easy_setopt(c, CURLOPT_NOBODY, 1L) == CURLE_OK;
    /* libcurl re-sends a request, silently, when a reused connection dies before any answer,
     * even if the server had already acted on it. For POST (not idempotent) that second send is
     * a duplicate write, so POSTs get a connection of their own and a lost answer surfaces as
     * retry-later for the caller to verify. PUT/PATCH/DELETE are idempotent and keep reuse. */
    if (strcasecmp(method, "POST") == 0)
        ok &= curl_easy_setopt(c, CURLOPT_FRESH_CONNECT, 1L) == CURLE_OK;
    if (body) {
        ok &= curl_easy_setopt(c, CURLOPT_POSTFIELDS, body) == CURLE_OK;
        ok &= curl_easy_setopt(c, CURLOPT_POSTFIELDSIZE_LARGE, (curl_off_t)body_len) == CURLE_OK;
    }
    if (!ok) {
        curl_slist_free_all(hl);
        resp->body = calloc(1, 1);
        return zs_err_set(err, ZS_ERR_FAILED, "%s: curl option rejected", method);
    }
    CURLcode cc = curl_easy_perform(c);
    curl_slist_free_all(hl);
    resp->curl_code = (int)cc;
    curl_easy_getinfo(c, CURLINFO_RESPONSE_CODE, &resp->status);
    curl_easy_getinfo(c, CURLINFO_TOTAL_TIME, &resp->total_s);
    curl_off_t ra = -1;
    if (curl_easy_getinfo(c, CURLINFO_RETRY_AFTER, &ra) == CURLE_OK && ra > 0)
        resp->retry_after_s = (long)ra;
    char *ct = NULL;
    if (curl_easy_getinfo(c, CURLINFO_CONTENT_TYPE, &ct) == CURLE_OK && ct)
        snprintf(resp->content_type, sizeof resp->content_type, "%s", ct);
    resp->body = sink.p ? sink.p : calloc(1, 1);
    resp->body_len = sink.n;
    if (!resp->body || sink.oom)
        return zs_err_set(err, ZS_ERR_FAILED, "out of memory reading response");
    resp->cls = zs_http_classify(resp->status, (int)cc);
    if (cc != CURLE_OK) {
        zs_rc rc = resp->cls == ZS_HTTP_FAILED ? ZS_ERR_FAILED : ZS_ERR_RETRY;
        return zs_err_set(err, rc, "%s: %s", method, curl_easy_strerror(cc));
    }
    return ZS_OK;
}
