/* zepsync-personio-sandbox: HTTP front (libmicrohttpd), flags and process life cycle. */
#include "log/zs_log.h"
#include "sbx.h"

#include "zs_sbx.h"

#include <curl/curl.h>
#include <errno.h>
#include <microhttpd.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#define MAX_BODY (1024 * 1024)

static const char *const USAGE =
    "usage: zepsync-personio-sandbox [options]\n"
    "Local emulator of the Personio API v2 for many companies (see tools/personio-sandbox/README.md).\n"
    "  --listen HOST:PORT        address to listen on (default 127.0.0.1:0 = any free port)\n"
    "  --port-file FILE          write the base URL (http://HOST:PORT) to FILE once listening\n"
    "  --state FILE              load companies from FILE at start, save them there on SIGTERM\n"
    "  --token-ttl SECONDS       access token lifetime (default 86400)\n"
    "  --rl-persons RATE:BURST   token bucket for /v2/persons* (default 30:30)\n"
    "  --rl-attendance RATE:BURST  for /v2/attendance-periods* (default 30:30)\n"
    "  --rl-absence RATE:BURST   for /v2/absence-* (default 10:10)\n"
    "  --rl-webhooks RATE:BURST  for /v2/webhooks* (default 10:10)\n"
    "  --rl-auth N               /v2/auth/token requests per company and minute (default 150)\n"
    "  --no-rate-limit           disable all buckets (benchmarks)\n"
    "  --allow-overnight         attendance periods may cross midnight\n"
    "  --relative-links          emit relative next links (the pre-2025 behaviour)\n"
    "  --link-origin URL         origin for links instead of the request's Host\n"
    "  --webhook-timeout-ms MS   receiver must answer within MS (default 3000)\n"
    "  --webhook-retry-ms MS     first retry delay, doubled per attempt (default 1000)\n"
    "  --webhook-max-attempts N  attempts per delivery (default 6)\n"
    "  --log-level LEVEL         debug|info|warn|error (default info)\n"
    "  --help                    this text\n";

static enum MHD_Result collect_arg(void *cls, enum MHD_ValueKind kind, const char *key,
                                   const char *value)
{
    (void)kind;
    sbx_req *q = cls;
    if (q->nargs >= 128)
        return MHD_NO;
    char *k = strdup(key), *v = value ? strdup(value) : NULL;
    if (!k || (value && !v)) {
        free(k);
        free(v);
        return MHD_NO;
    }
    q->args[q->nargs].k = k;
    q->args[q->nargs].v = v;
    q->nargs++;
    return MHD_YES;
}

static void add_rl_headers(struct MHD_Response *resp, const sbx_resp *r)
{
    if (!r->rl_set)
        return;
    char v[32];
    snprintf(v, sizeof v, "%.0f", r->rl_rate);
    MHD_add_response_header(resp, "x-ratelimit-replenish-rate", v);
    snprintf(v, sizeof v, "%.0f", r->rl_burst);
    MHD_add_response_header(resp, "x-ratelimit-burst-capacity", v);
    MHD_add_response_header(resp, "x-ratelimit-requested-tokens", "1");
    snprintf(v, sizeof v, "%ld", r->rl_remaining < 1 ? 0L : (long)r->rl_remaining);
    MHD_add_response_header(resp, "x-ratelimit-remaining", v);
}

static enum MHD_Result on_request(void *cls, struct MHD_Connection *conn, const char *url,
                                  const char *method, const char *version, const char *upload,
                                  size_t *upload_size, void **con_cls)
{
    (void)cls;
    (void)version;
    zs_sbx_body *ctx = NULL;
    int more = zs_sbx_body_collect(con_cls, upload, upload_size, MAX_BODY, &ctx);
    if (more != 0)
        return more > 0 ? MHD_YES : MHD_NO;

    sbx_kv args[128];
    sbx_req q = {.method = method, .path = url, .body = ctx->buf.data, .body_len = ctx->buf.len, .args = args};
    q.content_type = MHD_lookup_connection_value(conn, MHD_HEADER_KIND, "Content-Type");
    q.authorization = MHD_lookup_connection_value(conn, MHD_HEADER_KIND, "Authorization");
    q.partner_id = MHD_lookup_connection_value(conn, MHD_HEADER_KIND, "X-Personio-Partner-ID");
    if (!q.partner_id)
        q.partner_id = MHD_lookup_connection_value(conn, MHD_HEADER_KIND, "Personio-Partner-ID");
    q.app_id = MHD_lookup_connection_value(conn, MHD_HEADER_KIND, "X-Personio-App-ID");
    if (!q.app_id)
        q.app_id = MHD_lookup_connection_value(conn, MHD_HEADER_KIND, "Personio-App-ID");
    const char *host = MHD_lookup_connection_value(conn, MHD_HEADER_KIND, "Host");
    snprintf(q.origin, sizeof q.origin, "http://%s", host ? host : "127.0.0.1");
    MHD_get_connection_values(conn, MHD_GET_ARGUMENT_KIND, collect_arg, &q);

    sbx_resp r = {.status = 500};
    long delay = 0;
    if (ctx->too_big) {
        sbx_err_v2(&r, 413, "Payload too large", "Request body too large", "common.payload_too_large");
    } else {
        pthread_mutex_lock(&g_lock);
        sbx_handle(&q, &r, &delay);
        pthread_mutex_unlock(&g_lock);
        if (delay > 0) {
            /* the injected delay happens outside the lock so other clients keep being served */
            usleep((useconds_t)(delay * 1000));
            free(r.body);
            memset(&r, 0, sizeof r);
            r.status = 500;
            q.resumed = 1;
            long again = 0;
            pthread_mutex_lock(&g_lock);
            sbx_handle(&q, &r, &again);
            pthread_mutex_unlock(&g_lock);
        }
    }
    for (int i = 0; i < q.nargs; i++) {
        free(args[i].k);
        free(args[i].v);
    }
    zs_log_kv(ZS_LOG_DEBUG, NULL, NULL, NULL, "%s %s -> %d", method, url, r.status);
    if (r.drop) {
        free(r.body);
        return MHD_NO;
    }
    size_t blen = r.body ? strlen(r.body) : 0;
    struct MHD_Response *resp =
        MHD_create_response_from_buffer(blen, r.body ? r.body : (void *)"", r.body ? MHD_RESPMEM_MUST_FREE : MHD_RESPMEM_PERSISTENT);
    if (!resp) {
        free(r.body);
        return MHD_NO;
    }
    if (r.body)
        MHD_add_response_header(resp, "Content-Type", r.ctype ? r.ctype : "application/json");
    if (strcmp(url, "/v2/auth/token") == 0)
        MHD_add_response_header(resp, "Cache-Control", "no-store");
    add_rl_headers(resp, &r);
    enum MHD_Result ret = MHD_queue_response(conn, (unsigned)r.status, resp);
    MHD_destroy_response(resp);
    return ret;
}

static int parse_rl(const char *s, sbx_rl *out)
{
    char *end;
    double rate = strtod(s, &end);
    double burst = rate;
    if (end == s || rate < 0)
        return -1;
    if (*end == ':') {
        const char *b = end + 1;
        burst = strtod(b, &end);
        if (end == b || burst < 1)
            return -1;
    }
    if (*end)
        return -1;
    out->rate = rate;
    out->burst = burst < 1 ? 1 : burst;
    return 0;
}

int main(int argc, char **argv)
{
    char listen_host[64] = "127.0.0.1";
    struct sockaddr_in sa = {.sin_family = AF_INET, .sin_addr.s_addr = htonl(INADDR_LOOPBACK)};
    const char *port_file = NULL;
    int log_level = ZS_LOG_INFO;
    g_cfg.rl[FAM_PERSONS] = (sbx_rl){30, 30};
    g_cfg.rl[FAM_ATTENDANCE] = (sbx_rl){30, 30};
    g_cfg.rl[FAM_ABSENCE] = (sbx_rl){10, 10};
    g_cfg.rl[FAM_WEBHOOKS] = (sbx_rl){10, 10};
    g_cfg.auth_per_min = 150;
    g_cfg.token_ttl_s = 86400;
    g_cfg.webhook_timeout_ms = 3000;
    g_cfg.webhook_retry_ms = 1000;
    g_cfg.webhook_max_attempts = 6;

    for (int i = 1; i < argc; i++) {
        const char *a = argv[i];
        const char *v = i + 1 < argc ? argv[i + 1] : NULL;
        int need = 1;
        if (strcmp(a, "--help") == 0 || strcmp(a, "-h") == 0) {
            fputs(USAGE, stdout);
            return 0;
        } else if (strcmp(a, "--no-rate-limit") == 0) {
            for (int f = 0; f < FAM_N; f++)
                g_cfg.rl[f].rate = 0;
            g_cfg.auth_per_min = 0;
            need = 0;
        } else if (strcmp(a, "--allow-overnight") == 0) {
            g_cfg.allow_overnight = 1;
            need = 0;
        } else if (strcmp(a, "--relative-links") == 0) {
            g_cfg.relative_links = 1;
            need = 0;
        } else if (!v) {
            fprintf(stderr, "zepsync-personio-sandbox: %s needs a value (or is unknown)\n%s", a, USAGE);
            return 2;
        } else if (strcmp(a, "--listen") == 0) {
            int bad = zs_sbx_listen_parse(v, listen_host, sizeof listen_host, &sa);
            if (bad == -2) {
                fprintf(stderr, "zepsync-personio-sandbox: bad listen address %s (IPv4 expected)\n", v);
                return 2;
            } else if (bad) {
                fprintf(stderr, "zepsync-personio-sandbox: bad --listen %s (want HOST:PORT)\n", v);
                return 2;
            }
        } else if (strcmp(a, "--port-file") == 0) {
            port_file = v;
        } else if (strcmp(a, "--state") == 0) {
            snprintf(g_cfg.state_path, sizeof g_cfg.state_path, "%s", v);
        } else if (strcmp(a, "--token-ttl") == 0) {
            g_cfg.token_ttl_s = atol(v);
        } else if (strcmp(a, "--rl-persons") == 0 || strcmp(a, "--rl-attendance") == 0 ||
                   strcmp(a, "--rl-absence") == 0 || strcmp(a, "--rl-webhooks") == 0) {
            int f = a[5] == 'p' ? FAM_PERSONS : a[6] == 't' ? FAM_ATTENDANCE : a[5] == 'a' ? FAM_ABSENCE : FAM_WEBHOOKS;
            if (parse_rl(v, &g_cfg.rl[f]) < 0) {
                fprintf(stderr, "zepsync-personio-sandbox: bad %s %s (want RATE[:BURST])\n", a, v);
                return 2;
            }
        } else if (strcmp(a, "--rl-auth") == 0) {
            g_cfg.auth_per_min = atoi(v);
        } else if (strcmp(a, "--link-origin") == 0) {
            snprintf(g_cfg.link_origin, sizeof g_cfg.link_origin, "%s", v);
        } else if (strcmp(a, "--webhook-timeout-ms") == 0) {
            g_cfg.webhook_timeout_ms = atol(v);
        } else if (strcmp(a, "--webhook-retry-ms") == 0) {
            g_cfg.webhook_retry_ms = atol(v);
        } else if (strcmp(a, "--webhook-max-attempts") == 0) {
            g_cfg.webhook_max_attempts = atoi(v);
        } else if (strcmp(a, "--log-level") == 0) {
            log_level = zs_log_level_parse(v);
            if (log_level < 0) {
                fprintf(stderr, "zepsync-personio-sandbox: bad --log-level %s\n", v);
                return 2;
            }
        } else {
            fprintf(stderr, "zepsync-personio-sandbox: unknown option %s\n%s", a, USAGE);
            return 2;
        }
        if (need)
            i++;
    }
    if (g_cfg.token_ttl_s <= 0 || g_cfg.webhook_max_attempts < 1 || g_cfg.webhook_timeout_ms < 1) {
        fprintf(stderr, "zepsync-personio-sandbox: --token-ttl, --webhook-* must be positive\n");
        return 2;
    }
    zs_log_init("personio-sandbox", (zs_log_level)log_level);
    if (curl_global_init(CURL_GLOBAL_DEFAULT) != CURLE_OK) {
        zs_error("curl_global_init failed");
        return 1;
    }
    if (g_cfg.state_path[0] && sbx_state_load(g_cfg.state_path) < 0) {
        zs_error("cannot load state file %s", g_cfg.state_path);
        return 1;
    }

    zs_sbx_server srv;
    if (zs_sbx_signals_block(&srv) < 0) {
        zs_error("cannot block the stop signals");
        return 1;
    }
    if (sbx_webhook_start() < 0) {
        zs_error("cannot start the webhook thread");
        return 1;
    }
    int started = zs_sbx_server_start(&srv, listen_host, &sa, 60u, on_request, NULL, port_file);
    if (started < 0) {
        if (started == -2)
            zs_error("cannot write --port-file %s", port_file);
        else
            zs_error("cannot listen on %s:%u: %s", listen_host, (unsigned)ntohs(sa.sin_port), strerror(errno));
        sbx_webhook_stop();
        return 1;
    }
    zs_log_kv(ZS_LOG_INFO, NULL, NULL, NULL, "listening on %s", srv.url);

    int sig = zs_sbx_server_wait(&srv);
    zs_info("signal %d: stopping", sig);
    zs_sbx_server_stop(&srv);
    sbx_webhook_stop();
    int rc = 0;
    if (g_cfg.state_path[0]) {
        pthread_mutex_lock(&g_lock);
        if (sbx_state_save(g_cfg.state_path) < 0) {
            zs_error("cannot save state to %s", g_cfg.state_path);
            rc = 1;
        }
        pthread_mutex_unlock(&g_lock);
    }
    sbx_free_all();
    curl_global_cleanup();
    return rc;
}
