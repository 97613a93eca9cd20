/*
 * zs_metrics: a small thread-safe Prometheus registry (counters, gauges, histograms) rendered in
 * the text exposition format 0.0.4. Series are identified by name plus a pre-rendered label set
 * such as `topic="booking-recorded",outcome="done"`; keep label values low-cardinality (no
 * employee ids).
 */
#ifndef ZS_METRICS_H
#define ZS_METRICS_H

#include "core/zs_buf.h"

typedef struct zs_metrics zs_metrics;

typedef enum zs_metric_type { ZS_COUNTER, ZS_GAUGE, ZS_HISTOGRAM } zs_metric_type;

zs_metrics *zs_metrics_new(void);
void zs_metrics_free(zs_metrics *m);

/* Declares a family (HELP and TYPE lines). Declaring twice is harmless. Returns 0 or -1 (OOM). */
int zs_metrics_declare(zs_metrics *m, const char *name, zs_metric_type type, const char *help);

/* labels may be NULL or "". An undeclared name is declared on first use as the call's type. */
int zs_metrics_add(zs_metrics *m, const char *name, const char *labels, double delta);
int zs_metrics_set(zs_metrics *m, const char *name, const char *labels, double value);
/* Buckets (seconds): 0.005 … 10, the Prometheus client defaults. */
int zs_metrics_observe(zs_metrics *m, const char *name, const char *labels, double value);

/* Current value of a counter or gauge series (0 when absent), for tests and status output. */
double zs_metrics_get(zs_metrics *m, const char *name, const char *labels);

int zs_metrics_render(zs_metrics *m, zs_buf *out);

#endif
