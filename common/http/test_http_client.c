/*
 * zs_http against a real local HTTP server (libmicrohttpd in this process, spoken to over TCP):
 * status classification, Retry-After in both forms, x-ratelimit-* headers, timeouts, refused
 * connections, request bodies, and connection reuse across requests.
 */
#include "http/zs_http.h"
#include "zs_test.h"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <microhttpd.h>
#include <stdatomic.h>
#include <stdlib.h>
#include <unistd.h>

static atomic_int g_connections;
static atomic_int g_drop_hits;
static char g_last_body[300];
static char g_last_auth[128];

struct upload {
    char buf[256];
    size_t n;
};

static enum MHD_Result reply(struct MHD_Connection *c, unsigned status, const char *body,
                             const char *h1, const char *v1, const char *h2, const char *v2)
{
    struct MHD_Response *r =
        MHD_create_response_from_buffer(strlen(body), (void *)body, MHD_RESPMEM_MUST_COPY);
    if (!r)
        return MHD_NO;
    MHD_add_response_header(r, "Content-Type", "application/json");
    if (h1)
        MHD_add_response_header(r, h1, v1);
    if (h2)
        MHD_add_response_header(r, h2, v2);
    enum MHD_Result ret = MHD_queue_response(c, status, r);
    MHD_destroy_response(r);
    return ret;
}

static enum MHD_Result handler(void *cls, struct MHD_Connection *c, const char *url,
                               const char *method, const char *version, const char *data,
                               size_t *data_size, void **ctx)
{
    (void)cls, (void)version;
    if (!*ctx) {
        struct upload *u = calloc(1, sizeof *u);
        if (!u)
            return MHD_NO;
        *ctx = u;
        return MHD_YES;
    }
    struct upload *u = *ctx;
    if (*data_size) {
        size_t take = *data_size < sizeof u->buf - 1 - u->n ? *data_size : sizeof u->buf - 1 - u->n;
        memcpy(u->buf + u->n, data, take);
        u->n += take;
        *data_size = 0;
        return MHD_YES;
    }
    snprintf(g_last_body, sizeof g_last_body, "%s %s", method, u->buf);
    const char *auth = MHD_lookup_connection_value(c, MHD_HEADER_KIND, "Authorization");
    snprintf(g_last_auth, sizeof g_last_auth, "%s", auth ? auth : "");
    if (strcmp(url, "/ok") == 0)
        return reply(c, 200, "{\"ok\":true}", "x-ratelimit-limit", "300", "x-ratelimit-remaining", "299");
    if (strcmp(url, "/okcase") == 0)
        return reply(c, 200, "{}", "X-RateLimit-Limit", "60", "X-RATELIMIT-REMAINING", "59");
    if (strcmp(url, "/429case") == 0)
        return reply(c, 429, "{}", "retry-after", "3", NULL, NULL);
    if (strcmp(url, "/429") == 0)
        return reply(c, 429, "{\"error\":\"slow down\"}", "Retry-After", "7", "x-ratelimit-reset", "42");
    if (strcmp(url, "/429date") == 0)
        return reply(c, 429, "{}", "Retry-After", "Wed, 01 Jan 2098 00:00:00 GMT", NULL, NULL);
    if (strcmp(url, "/500") == 0)
        return reply(c, 500, "{\"error\":\"boom\"}", NULL, NULL, NULL, NULL);
    if (strcmp(url, "/404") == 0)
        return reply(c, 404, "{\"error\":\"nope\"}", NULL, NULL, NULL, NULL);
    if (strcmp(url, "/drop") == 0) {
        /* The request was handled, then the connection dies without an answer. */
        atomic_fetch_add(&g_drop_hits, 1);
        return MHD_NO;
    }
    if (strcmp(url, "/slow") == 0) {
        usleep(1500 * 1000);
        return reply(c, 200, "{}", NULL, NULL, NULL, NULL);
    }
    return reply(c, 404, "{}", NULL, NULL, NULL, NULL);
}

static void completed(void *cls, struct MHD_Connection *c, void **ctx, enum MHD_RequestTerminationCode t)
{
    (void)cls, (void)c, (void)t;
    free(*ctx);
    *ctx = NULL;
}

static void conn_notify(void *cls, struct MHD_Connection *c, void **sock_ctx,
                        enum MHD_ConnectionNotificationCode code)
{
    (void)cls, (void)c, (void)sock_ctx;
    if (code == MHD_CONNECTION_NOTIFY_STARTED)
        atomic_fetch_add(&g_connections, 1);
}

static int g_port;
static char g_base[64];

static void url(char *out, size_t cap, const char *path) { snprintf(out, cap, "%s%s", g_base, path); }

static void test_ok_with_ratelimit_headers_and_reuse(void)
{
    zs_err err;
    zs_http *h = zs_http_new(NULL, &err);
    ZT_CHECK(h != NULL);
    int before = atomic_load(&g_connections);
    char u[128];
    url(u, sizeof u, "/ok");
    for (int i = 0; i < 5; i++) {
        zs_http_resp r;
        const char *hdr[] = {"Authorization: Bearer t0k", NULL};
        ZT_EQ_INT(zs_http_request(h, "GET", u, hdr, NULL, 0, &r, &err), ZS_OK);
        ZT_EQ_INT(r.status, 200);
        ZT_EQ_INT(r.cls, ZS_HTTP_OK);
        ZT_EQ_STR(r.body, "{\"ok\":true}");
        ZT_EQ_INT(r.rl_limit, 300);
        ZT_EQ_INT(r.rl_remaining, 299);
        ZT_EQ_INT(r.rl_reset, -1);
        ZT_EQ_INT(r.retry_after_s, -1);
        ZT_CONTAINS(r.content_type, "application/json");
        zs_http_resp_release(&r);
    }
    ZT_EQ_STR(g_last_auth, "Bearer t0k");
    /* Five requests, one TCP connection: keep-alive works. */
    ZT_EQ_INT(atomic_load(&g_connections) - before, 1);
    zs_http_free(h);
}

/* Header names are case-insensitive (RFC 9110): vendors and proxies differ in how they spell them. */
static void test_header_names_any_case(void)
{
    zs_err err;
    zs_http *h = zs_http_new(NULL, &err);
    ZT_CHECK(h != NULL);
    if (!h)
        return;
    char u[128];
    zs_http_resp r;
    url(u, sizeof u, "/okcase");
    ZT_EQ_INT(zs_http_request(h, "GET", u, NULL, NULL, 0, &r, &err), ZS_OK);
    ZT_EQ_INT(r.rl_limit, 60);
    ZT_EQ_INT(r.rl_remaining, 59);
    zs_http_resp_release(&r);
    url(u, sizeof u, "/429case");
    ZT_EQ_INT(zs_http_request(h, "GET", u, NULL, NULL, 0, &r, &err), ZS_OK);
    ZT_EQ_INT(r.cls, ZS_HTTP_RETRY_LATER);
    ZT_EQ_INT(r.retry_after_s, 3);
    zs_http_resp_release(&r);
    zs_http_free(h);
}

static void test_post_body_arrives(void)
{
    zs_err err;
    zs_http *h = zs_http_new(NULL, &err);
    char u[128];
    url(u, sizeof u, "/ok");
    zs_http_resp r;
    const char *body = "{\"person\":{\"id\":\"1\"}}";
    const char *hdr[] = {"Content-Type: application/json", NULL};
    ZT_EQ_INT(zs_http_request(h, "POST", u, hdr, body, strlen(body), &r, &err), ZS_OK);
    ZT_EQ_INT(r.status, 200);
    ZT_EQ_STR(g_last_body, "POST {\"person\":{\"id\":\"1\"}}");
    zs_http_resp_release(&r);
    zs_http_free(h);
}

static void test_retry_classes(void)
{
    zs_err err;
    zs_http *h = zs_http_new(NULL, &err);
    char u[128];
    zs_http_resp r;

    url(u, sizeof u, "/429");
    ZT_EQ_INT(zs_http_request(h, "GET", u, NULL, NULL, 0, &r, &err), ZS_OK);
    ZT_EQ_INT(r.status, 429);
    ZT_EQ_INT(r.cls, ZS_HTTP_RETRY_LATER);
    ZT_EQ_INT(r.retry_after_s, 7);
    ZT_EQ_INT(r.rl_reset, 42);
    zs_http_resp_release(&r);

    url(u, sizeof u, "/429date");
    ZT_EQ_INT(zs_http_request(h, "GET", u, NULL, NULL, 0, &r, &err), ZS_OK);
    ZT_EQ_INT(r.cls, ZS_HTTP_RETRY_LATER);
    ZT_CHECK(r.retry_after_s > 3600); /* an HTTP-date far ahead becomes many seconds */
    zs_http_resp_release(&r);

    url(u, sizeof u, "/500");
    ZT_EQ_INT(zs_http_request(h, "GET", u, NULL, NULL, 0, &r, &err), ZS_OK);
    ZT_EQ_INT(r.cls, ZS_HTTP_RETRY_LATER);
    ZT_EQ_STR(r.body, "{\"error\":\"boom\"}");
    zs_http_resp_release(&r);

    url(u, sizeof u, "/404");
    ZT_EQ_INT(zs_http_request(h, "GET", u, NULL, NULL, 0, &r, &err), ZS_OK);
    ZT_EQ_INT(r.cls, ZS_HTTP_FAILED);
    zs_http_resp_release(&r);
    zs_http_free(h);
}

/* A port nobody can take while the test runs: bound but never listening, so a connection is
 * refused at once (a port from zt_free_port could be picked up by a parallel test meanwhile). */
static int closed_port(int *fd)
{
    struct sockaddr_in a = {.sin_family = AF_INET, .sin_addr.s_addr = htonl(INADDR_LOOPBACK)};
    socklen_t len = sizeof a;
    *fd = socket(AF_INET, SOCK_STREAM, 0);
    if (*fd < 0 || bind(*fd, (struct sockaddr *)&a, sizeof a) != 0 ||
        getsockname(*fd, (struct sockaddr *)&a, &len) != 0) {
        if (*fd >= 0)
            close(*fd);
        *fd = -1;
        return zt_free_port();
    }
    return ntohs(a.sin_port);
}

static void test_timeout_and_refused_are_retry_later(void)
{
    zs_err err;
    zs_http_opts o = {.connect_timeout_ms = 500, .total_timeout_ms = 300};
    zs_http *h = zs_http_new(&o, &err);
    char u[128];
    zs_http_resp r;
    url(u, sizeof u, "/slow");
    ZT_EQ_INT(zs_http_request(h, "GET", u, NULL, NULL, 0, &r, &err), ZS_ERR_RETRY);
    ZT_EQ_INT(r.status, 0);
    ZT_EQ_INT(r.cls, ZS_HTTP_RETRY_LATER);
    ZT_CONTAINS(err.msg, "GET: ");
    zs_http_resp_release(&r);

    int fd, dead = closed_port(&fd);
    snprintf(u, sizeof u, "http://127.0.0.1:%d/ok", dead);
    ZT_EQ_INT(zs_http_request(h, "GET", u, NULL, NULL, 0, &r, &err), ZS_ERR_RETRY);
    ZT_EQ_INT(r.cls, ZS_HTTP_RETRY_LATER);
    zs_http_resp_release(&r);
    if (fd >= 0)
        close(fd);

    ZT_EQ_INT(zs_http_request(h, "GET", "gopher://127.0.0.1/", NULL, NULL, 0, &r, &err), ZS_ERR_FAILED);
    zs_http_resp_release(&r);
    zs_http_free(h);
}

/* libcurl silently re-sends a request whose reused connection died before any answer; for a POST
 * that would be a second write. zs_http must send it once and report retry-later. */
static void test_lost_answer_post_is_sent_once(void)
{
    zs_err err;
    zs_http *h = zs_http_new(NULL, &err);
    char u[128];
    zs_http_resp r;
    url(u, sizeof u, "/ok");
    ZT_EQ_INT(zs_http_request(h, "GET", u, NULL, NULL, 0, &r, &err), ZS_OK); /* warm connection */
    zs_http_resp_release(&r);
    int before = atomic_load(&g_drop_hits);
    url(u, sizeof u, "/drop");
    ZT_EQ_INT(zs_http_request(h, "POST", u, NULL, "{}", 2, &r, &err), ZS_ERR_RETRY);
    ZT_EQ_INT(r.cls, ZS_HTTP_RETRY_LATER);
    ZT_EQ_INT(atomic_load(&g_drop_hits) - before, 1);
    zs_http_resp_release(&r);
    /* The handle stays usable afterwards. */
    url(u, sizeof u, "/ok");
    ZT_EQ_INT(zs_http_request(h, "GET", u, NULL, NULL, 0, &r, &err), ZS_OK);
    ZT_EQ_INT(r.status, 200);
    zs_http_resp_release(&r);
    zs_http_free(h);
}

int main(void)
{
    g_port = zt_free_port();
    struct MHD_Daemon *d = MHD_start_daemon(
        MHD_USE_INTERNAL_POLLING_THREAD | MHD_USE_THREAD_PER_CONNECTION | MHD_USE_ERROR_LOG,
        (uint16_t)g_port, NULL, NULL, handler, NULL, MHD_OPTION_NOTIFY_COMPLETED, completed, NULL,
        MHD_OPTION_NOTIFY_CONNECTION, conn_notify, NULL, MHD_OPTION_END);
    if (!d) {
        printf("could not start test server on %d\n", g_port);
        return 1;
    }
    snprintf(g_base, sizeof g_base, "http://127.0.0.1:%d", g_port);
    ZT_RUN(test_ok_with_ratelimit_headers_and_reuse);
    ZT_RUN(test_header_names_any_case);
    ZT_RUN(test_post_body_arrives);
    ZT_RUN(test_retry_classes);
    ZT_RUN(test_timeout_and_refused_are_retry_later);
    ZT_RUN(test_lost_answer_post_is_sent_once);
    MHD_stop_daemon(d);
    return zt_summary();
}
