#include "svc/zs_svc.h"

#include <arpa/inet.h>
#include <microhttpd.h>
#include <netinet/in.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

struct zs_svc {
    struct MHD_Daemon *d;
    zs_metrics *metrics;
    long stale_ms;
    int port;
    pthread_mutex_t mu;
    long last_beat_ms;
    int ready;
    char reason[256];
};

static long mono_ms(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return ts.tv_sec * 1000L + ts.tv_nsec / 1000000L;
}

int zs_svc_parse_listen(const char *listen, char *host, unsigned host_cap, int *port)
{
    const char *colon = listen ? strrchr(listen, ':') : NULL;
    if (!colon || colon == listen || (unsigned)(colon - listen) >= host_cap)
        return -1;
    char *end;
    long p = strtol(colon + 1, &end, 10);
    if (*end || end == colon + 1 || p < 0 || p > 65535)
        return -1;
    memcpy(host, listen, (size_t)(colon - listen));
    host[colon - listen] = '\0';
    *port = (int)p;
    return 0;
}

static enum MHD_Result send_text(struct MHD_Connection *c, unsigned status, const char *ctype,
                                 char *body, enum MHD_ResponseMemoryMode mode)
{
    struct MHD_Response *r = MHD_create_response_from_buffer(strlen(body), body, mode);
    if (!r)
        return MHD_NO;
    MHD_add_response_header(r, "Content-Type", ctype);
    enum MHD_Result ret = MHD_queue_response(c, status, r);
    MHD_destroy_response(r);
    return ret;
}

static enum MHD_Result handle(void *cls, struct MHD_Connection *c, const char *url,
                              const char *method, const char *version, const char *data,
                              size_t *data_size, void **ctx)
{
    (void)version, (void)data, (void)data_size, (void)ctx;
    zs_svc *s = cls;
    if (strcmp(method, "GET") != 0 && strcmp(method, "HEAD") != 0)
        return send_text(c, 405, "text/plain", "method not allowed\n", MHD_RESPMEM_PERSISTENT);
    if (strcmp(url, "/metrics") == 0) {
        zs_buf b;
        zs_buf_init(&b);
        if (zs_metrics_render(s->metrics, &b) < 0) {
            zs_buf_release(&b);
            return send_text(c, 500, "text/plain", "out of memory\n", MHD_RESPMEM_PERSISTENT);
        }
        return send_text(c, 200, "text/plain; version=0.0.4; charset=utf-8", zs_buf_steal(&b),
                         MHD_RESPMEM_MUST_FREE);
    }
    if (strcmp(url, "/healthz") == 0) {
        pthread_mutex_lock(&s->mu);
        long age = mono_ms() - s->last_beat_ms;
        pthread_mutex_unlock(&s->mu);
        if (s->stale_ms > 0 && age > s->stale_ms) {
            char msg[96];
            snprintf(msg, sizeof msg, "main loop stalled for %ld ms\n", age);
            return send_text(c, 503, "text/plain", msg, MHD_RESPMEM_MUST_COPY);
        }
        return send_text(c, 200, "text/plain", "ok\n", MHD_RESPMEM_PERSISTENT);
    }
    if (strcmp(url, "/readyz") == 0) {
        char msg[300];
        pthread_mutex_lock(&s->mu);
        int ready = s->ready;
        snprintf(msg, sizeof msg, "%s\n", ready ? "ready" : s->reason);
        pthread_mutex_unlock(&s->mu);
        return send_text(c, ready ? 200 : 503, "text/plain", msg, MHD_RESPMEM_MUST_COPY);
    }
    return send_text(c, 404, "text/plain", "not found\n", MHD_RESPMEM_PERSISTENT);
}

zs_svc *zs_svc_start(const char *listen, zs_metrics *metrics, long stale_ms, zs_err *err)
{
    char host[128];
    int port;
    if (zs_svc_parse_listen(listen, host, sizeof host, &port) < 0) {
        zs_err_set(err, ZS_ERR_FAILED, "listen address \"%s\" is not HOST:PORT", listen ? listen : "");
        return NULL;
    }
    struct sockaddr_in addr = {.sin_family = AF_INET, .sin_port = htons((uint16_t)port)};
    if (inet_pton(AF_INET, strcmp(host, "localhost") == 0 ? "127.0.0.1" : host, &addr.sin_addr) != 1) {
        zs_err_set(err, ZS_ERR_FAILED, "listen host \"%s\" is not an IPv4 address", host);
        return NULL;
    }
    zs_svc *s = calloc(1, sizeof *s);
    if (!s) {
        zs_err_set(err, ZS_ERR_FAILED, "out of memory");
        return NULL;
    }
    pthread_mutex_init(&s->mu, NULL);
    s->metrics = metrics;
    s->stale_ms = stale_ms;
    s->last_beat_ms = mono_ms();
    snprintf(s->reason, sizeof s->reason, "starting");
    s->d = MHD_start_daemon(MHD_USE_INTERNAL_POLLING_THREAD | MHD_USE_EPOLL_INTERNAL_THREAD, 0, NULL,
                            NULL, handle, s, MHD_OPTION_SOCK_ADDR, &addr,
                            MHD_OPTION_CONNECTION_TIMEOUT, (unsigned)10, MHD_OPTION_END);
    if (!s->d) {
        zs_err_set(err, ZS_ERR_FAILED, "cannot listen on %s", listen);
        pthread_mutex_destroy(&s->mu);
        free(s);
        return NULL;
    }
    const union MHD_DaemonInfo *info = MHD_get_daemon_info(s->d, MHD_DAEMON_INFO_BIND_PORT);
    s->port = info ? info->port : port;
    return s;
}

void zs_svc_stop(zs_svc *s)
{
    if (!s)
        return;
    MHD_stop_daemon(s->d);
    pthread_mutex_destroy(&s->mu);
    free(s);
}

int zs_svc_port(const zs_svc *s) { return s->port; }

void zs_svc_heartbeat(zs_svc *s)
{
    pthread_mutex_lock(&s->mu);
    s->last_beat_ms = mono_ms();
    pthread_mutex_unlock(&s->mu);
}

void zs_svc_set_ready(zs_svc *s, int ready, const char *reason)
{
    pthread_mutex_lock(&s->mu);
    s->ready = ready;
    snprintf(s->reason, sizeof s->reason, "%s", reason ? reason : (ready ? "ready" : "not ready"));
    pthread_mutex_unlock(&s->mu);
}
