#include "svc/zs_svc.h"
#include "zs_test.h"

#include <stdlib.h>
#include <unistd.h>

static void test_metrics_text_format(void)
{
    zs_metrics *m = zs_metrics_new();
    zs_metrics_declare(m, "zepsync_messages_total", ZS_COUNTER, "Messages handled by outcome.");
    zs_metrics_add(m, "zepsync_messages_total", "topic=\"booking-recorded\",outcome=\"done\"", 2);
    zs_metrics_add(m, "zepsync_messages_total", "topic=\"booking-recorded\",outcome=\"done\"", 1);
    zs_metrics_set(m, "zepsync_ready", NULL, 1);
    zs_metrics_observe(m, "zepsync_http_request_duration_seconds", "target=\"zep\"", 0.2);
    zs_metrics_observe(m, "zepsync_http_request_duration_seconds", "target=\"zep\"", 20);
    ZT_EQ_INT((long)zs_metrics_get(m, "zepsync_messages_total", "topic=\"booking-recorded\",outcome=\"done\""), 3);
    zs_buf b;
    zs_buf_init(&b);
    ZT_EQ_INT(zs_metrics_render(m, &b), 0);
    const char *t = zs_buf_str(&b);
    ZT_CONTAINS(t, "# HELP zepsync_messages_total Messages handled by outcome.\n# TYPE zepsync_messages_total counter\n");
    ZT_CONTAINS(t, "zepsync_messages_total{topic=\"booking-recorded\",outcome=\"done\"} 3\n");
    ZT_CONTAINS(t, "# TYPE zepsync_ready gauge\nzepsync_ready 1\n");
    ZT_CONTAINS(t, "zepsync_http_request_duration_seconds_bucket{target=\"zep\",le=\"0.1\"} 0\n");
    ZT_CONTAINS(t, "zepsync_http_request_duration_seconds_bucket{target=\"zep\",le=\"0.25\"} 1\n");
    ZT_CONTAINS(t, "zepsync_http_request_duration_seconds_bucket{target=\"zep\",le=\"+Inf\"} 2\n");
    ZT_CONTAINS(t, "zepsync_http_request_duration_seconds_count{target=\"zep\"} 2\n");
    ZT_CHECK(b.len > 0 && t[b.len - 1] == '\n');
    zs_buf_release(&b);
    zs_metrics_free(m);
}

static void test_endpoints_over_http(void)
{
    zs_err err;
    zs_metrics *m = zs_metrics_new();
    zs_metrics_add(m, "zepsync_test_total", NULL, 5);
    zs_svc *s = zs_svc_start("127.0.0.1:0", m, 1000, &err);
    ZT_CHECK(s != NULL);
    if (!s)
        return;
    char url[128];
    zt_http_resp r;
    snprintf(url, sizeof url, "http://127.0.0.1:%d/metrics", zs_svc_port(s));
    ZT_EQ_INT(zt_http("GET", url, NULL, NULL, &r), 0);
    ZT_EQ_INT(r.status, 200);
    ZT_CONTAINS(r.body, "zepsync_test_total 5\n");
    char ct[128] = "";
    zt_http_header(&r, "Content-Type", ct, sizeof ct);
    ZT_EQ_STR(ct, "text/plain; version=0.0.4; charset=utf-8");
    zt_http_resp_free(&r);

    snprintf(url, sizeof url, "http://127.0.0.1:%d/readyz", zs_svc_port(s));
    ZT_EQ_INT(zt_http("GET", url, NULL, NULL, &r), 0);
    ZT_EQ_INT(r.status, 503);
    ZT_EQ_STR(r.body, "starting\n");
    zt_http_resp_free(&r);
    zs_svc_set_ready(s, 1, NULL);
    ZT_EQ_INT(zt_http("GET", url, NULL, NULL, &r), 0);
    ZT_EQ_INT(r.status, 200);
    ZT_EQ_STR(r.body, "ready\n");
    zt_http_resp_free(&r);
    /* Readiness can be withdrawn, and the reason is what the probe shows. */
    zs_svc_set_ready(s, 0, "kafka unreachable");
    ZT_EQ_INT(zt_http("GET", url, NULL, NULL, &r), 0);
    ZT_EQ_INT(r.status, 503);
    ZT_EQ_STR(r.body, "kafka unreachable\n");
    zt_http_resp_free(&r);
    zs_svc_set_ready(s, 1, NULL);

    snprintf(url, sizeof url, "http://127.0.0.1:%d/healthz", zs_svc_port(s));
    zs_svc_heartbeat(s);
    zt_http("GET", url, NULL, NULL, &r);
    ZT_EQ_INT(r.status, 200);
    zt_http_resp_free(&r);
    /* No heartbeat for longer than stale_ms; stale_ms is long enough that the request right
     * after a heartbeat never counts as stale on a loaded machine. */
    usleep(1300 * 1000);
    zt_http("GET", url, NULL, NULL, &r);
    ZT_EQ_INT(r.status, 503);
    ZT_CONTAINS(r.body, "stalled");
    zt_http_resp_free(&r);

    snprintf(url, sizeof url, "http://127.0.0.1:%d/nope", zs_svc_port(s));
    zt_http("GET", url, NULL, NULL, &r);
    ZT_EQ_INT(r.status, 404);
    zt_http_resp_free(&r);
    zs_svc_stop(s);
    zs_metrics_free(m);
}

static void test_bad_listen(void)
{
    zs_err err;
    ZT_CHECK(zs_svc_start("nonsense", NULL, 0, &err) == NULL);
    ZT_CONTAINS(err.msg, "not HOST:PORT");
    char host[64];
    int port;
    ZT_EQ_INT(zs_svc_parse_listen("0.0.0.0:9100", host, sizeof host, &port), 0);
    ZT_EQ_STR(host, "0.0.0.0");
    ZT_EQ_INT(port, 9100);
    ZT_EQ_INT(zs_svc_parse_listen("h:70000", host, sizeof host, &port), -1);
}

int main(void)
{
    ZT_RUN(test_metrics_text_format);
    ZT_RUN(test_endpoints_over_http);
    ZT_RUN(test_bad_listen);
    return zt_summary();
}
