/* Listener start-up, stop signals and request-body gathering for the sandboxes. */
#include "zs_sbx.h"

#include <arpa/inet.h>
#include <errno.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

int zs_sbx_body_collect(void **con_cls, const char *upload, size_t *upload_size, size_t max,
                        zs_sbx_body **out)
{
    zs_sbx_body *b = *con_cls;
    if (!b) {
        /* libmicrohttpd calls first with the headers only; the body follows in later calls */
        b = calloc(1, sizeof *b);
        if (!b)
            return -1;
        zs_buf_init(&b->buf);
        *con_cls = b;
        return 1;
    }
    if (*upload_size) {
        if (b->buf.len + *upload_size > max)
            b->too_big = 1;
        else if (zs_buf_append(&b->buf, upload, *upload_size) < 0)
            return -1;
        *upload_size = 0;
        return 1;
    }
    *out = b;
    return 0;
}

void zs_sbx_body_completed(void *cls, struct MHD_Connection *conn, void **con_cls,
                           enum MHD_RequestTerminationCode toe)
{
    (void)cls, (void)conn, (void)toe;
    zs_sbx_body *b = *con_cls;
    if (b) {
        zs_buf_release(&b->buf);
        free(b);
        *con_cls = NULL;
    }
}

int zs_sbx_listen_parse(const char *spec, char *host, size_t hostcap, struct sockaddr_in *sa)
{
    const char *colon = spec ? strrchr(spec, ':') : NULL;
    if (!colon || (size_t)(colon - spec) >= hostcap || !colon[1])
        return -1;
    char *end;
    errno = 0;
    long port = strtol(colon + 1, &end, 10);
    if (*end || errno || port < 0 || port > 65535)
        return -1;
    memcpy(host, spec, (size_t)(colon - spec));
    host[colon - spec] = '\0';
    memset(sa, 0, sizeof *sa);
    sa->sin_family = AF_INET;
    sa->sin_port = htons((uint16_t)port);
    if (inet_pton(AF_INET, host, &sa->sin_addr) != 1)
        return -2;
    return 0;
}

int zs_sbx_signals_block(zs_sbx_server *s)
{
    memset(s, 0, sizeof *s);
    if (sigemptyset(&s->stop) || sigaddset(&s->stop, SIGTERM) || sigaddset(&s->stop, SIGINT))
        return -1;
    if (pthread_sigmask(SIG_BLOCK, &s->stop, NULL) != 0)
        return -1;
    /* a client that hangs up mid-answer must not kill the process */
    if (signal(SIGPIPE, SIG_IGN) == SIG_ERR)
        return -1;
    return 0;
}

static int port_file_write(const char *path, const char *url)
{
    char tmp[4096];
    if ((size_t)snprintf(tmp, sizeof tmp, "%s.tmp", path) >= sizeof tmp)
        return -1;
    FILE *f = fopen(tmp, "w");
    if (!f)
        return -1;
    int bad = fprintf(f, "%s\n", url) < 0;
    if (fclose(f) != 0 || bad || rename(tmp, path) != 0) {
        remove(tmp);
        return -1;
    }
    return 0;
}

int zs_sbx_server_start(zs_sbx_server *s, const char *host, const struct sockaddr_in *sa,
                        unsigned timeout_s, MHD_AccessHandlerCallback handler, void *cls,
                        const char *port_file)
{
    s->daemon = MHD_start_daemon(
        MHD_USE_INTERNAL_POLLING_THREAD | MHD_USE_THREAD_PER_CONNECTION | MHD_USE_POLL | MHD_USE_ERROR_LOG, 0,
        NULL, NULL, handler, cls, MHD_OPTION_SOCK_ADDR, (const struct sockaddr *)sa,
        MHD_OPTION_NOTIFY_COMPLETED, zs_sbx_body_completed, NULL, MHD_OPTION_CONNECTION_TIMEOUT, timeout_s,
        MHD_OPTION_END);
    if (!s->daemon)
        return -1;
    const union MHD_DaemonInfo *info = MHD_get_daemon_info(s->daemon, MHD_DAEMON_INFO_BIND_PORT);
    s->port = info ? info->port : ntohs(sa->sin_port);
    snprintf(s->url, sizeof s->url, "http://%s:%u", host, s->port);
    if (port_file && port_file_write(port_file, s->url) < 0) {
        zs_sbx_server_stop(s);
        return -2;
    }
    return 0;
}

int zs_sbx_server_wait(zs_sbx_server *s)
{
    int sig = 0;
    while (sigwait(&s->stop, &sig) != 0) {
    }
    return sig;
}

void zs_sbx_server_stop(zs_sbx_server *s)
{
    if (s->daemon)
        MHD_stop_daemon(s->daemon);
    s->daemon = NULL;
}
