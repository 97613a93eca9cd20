/*
 * zs_svc: the operations endpoint every long-running zepsync process serves (libmicrohttpd):
 *   GET /metrics  Prometheus text format from a zs_metrics registry
 *   GET /healthz  200 "ok" while the main loop is alive (it calls zs_svc_heartbeat), else 503
 *   GET /readyz   200 when the process declared itself ready (zs_svc_set_ready), else 503 with
 *                 the reason given
 * Liveness deliberately ignores downstream vendor outages: restarting would not fix them.
 */
#ifndef ZS_SVC_H
#define ZS_SVC_H

#include "core/zs_err.h"
#include "svc/zs_metrics.h"

typedef struct zs_svc zs_svc;

/* listen: "HOST:PORT" (PORT 0 picks a free port; see zs_svc_port). stale_ms: a heartbeat older
 * than this makes /healthz fail (0 = never). */
zs_svc *zs_svc_start(const char *listen, zs_metrics *metrics, long stale_ms, zs_err *err);
void zs_svc_stop(zs_svc *s);
int zs_svc_port(const zs_svc *s);
void zs_svc_heartbeat(zs_svc *s);
/* reason is shown by /readyz when not ready (copied). */
void zs_svc_set_ready(zs_svc *s, int ready, const char *reason);

/* "HOST:PORT" → parts; 0 on success. */
int zs_svc_parse_listen(const char *listen, char *host, unsigned host_cap, int *port);

#endif
