#include "svc/zs_metrics.h"

#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define NBUCKETS 11
static const double bucket_le[NBUCKETS] = {0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10};

typedef struct series {
    char *labels;
    double value;             /* counter / gauge; histogram: sum */
    unsigned long long count; /* histogram */
    unsigned long long buckets[NBUCKETS];
} series;

typedef struct family {
    char *name;
    char *help;
    zs_metric_type type;
    series *s;
    size_t ns, cap;
} family;

struct zs_metrics {
    pthread_mutex_t mu;
    family *f;
    size_t nf, cap;
};

zs_metrics *zs_metrics_new(void)
{
    zs_metrics *m = calloc(1, sizeof *m);
    if (m && pthread_mutex_init(&m->mu, NULL) != 0) {
        free(m);
        return NULL;
    }
    return m;
}

void zs_metrics_free(zs_metrics *m)
{
    if (!m)
        return;
    for (size_t i = 0; i < m->nf; i++) {
        for (size_t j = 0; j < m->f[i].ns; j++)
            free(m->f[i].s[j].labels);
        free(m->f[i].s);
        free(m->f[i].name);
        free(m->f[i].help);
    }
    free(m->f);
    pthread_mutex_destroy(&m->mu);
    free(m);
}

static family *find_family(zs_metrics *m, const char *name, zs_metric_type type, const char *help)
{
    for (size_t i = 0; i < m->nf; i++)
        if (strcmp(m->f[i].name, name) == 0)
            return &m->f[i];
    if (m->nf == m->cap) {
        size_t cap = m->cap ? m->cap * 2 : 16;
        family *f = realloc(m->f, cap * sizeof *f);
        if (!f)
            return NULL;
        m->f = f;
        m->cap = cap;
    }
    family *f = &m->f[m->nf];
    memset(f, 0, sizeof *f);
    f->name = strdup(name);
    f->help = strdup(help ? help : name);
    f->type = type;
    if (!f->name || !f->help) {
        free(f->name);
        free(f->help);
        return NULL;
    }
    m->nf++;
    return f;
}

static series *find_series(family *f, const char *labels)
{
    if (!labels)
        labels = "";
    for (size_t i = 0; i < f->ns; i++)
        if (strcmp(f->s[i].labels, labels) == 0)
            return &f->s[i];
    if (f->ns == f->cap) {
        size_t cap = f->cap ? f->cap * 2 : 8;
        series *s = realloc(f->s, cap * sizeof *s);
        if (!s)
            return NULL;
        f->s = s;
        f->cap = cap;
    }
    series *s = &f->s[f->ns];
    memset(s, 0, sizeof *s);
    s->labels = strdup(labels);
    if (!s->labels)
        return NULL;
    f->ns++;
    return s;
}

int zs_metrics_declare(zs_metrics *m, const char *name, zs_metric_type type, const char *help)
{
    pthread_mutex_lock(&m->mu);
    family *f = find_family(m, name, type, help);
    pthread_mutex_unlock(&m->mu);
    return f ? 0 : -1;
}

static int update(zs_metrics *m, const char *name, const char *labels, zs_metric_type type, double v,
                  int op)
{
    pthread_mutex_lock(&m->mu);
    family *f = find_family(m, name, type, NULL);
    series *s = f ? find_series(f, labels) : NULL;
    if (s) {
        if (op == 0)
            s->value += v;
        else if (op == 1)
            s->value = v;
        else {
            s->value += v;
            s->count++;
            for (int i = 0; i < NBUCKETS; i++)
                if (v <= bucket_le[i])
                    s->buckets[i]++;
        }
    }
    pthread_mutex_unlock(&m->mu);
    return s ? 0 : -1;
}

int zs_metrics_add(zs_metrics *m, const char *n, const char *l, double d) { return update(m, n, l, ZS_COUNTER, d, 0); }
int zs_metrics_set(zs_metrics *m, const char *n, const char *l, double v) { return update(m, n, l, ZS_GAUGE, v, 1); }
int zs_metrics_observe(zs_metrics *m, const char *n, const char *l, double v) { return update(m, n, l, ZS_HISTOGRAM, v, 2); }

double zs_metrics_get(zs_metrics *m, const char *name, const char *labels)
{
    double v = 0;
    pthread_mutex_lock(&m->mu);
    for (size_t i = 0; i < m->nf; i++) {
        if (strcmp(m->f[i].name, name) != 0)
            continue;
        for (size_t j = 0; j < m->f[i].ns; j++)
            if (strcmp(m->f[i].s[j].labels, labels ? labels : "") == 0)
                v = m->f[i].s[j].value;
    }
    pthread_mutex_unlock(&m->mu);
    return v;
}

static void render_labels(zs_buf *out, const char *labels, const char *extra)
{
    int has = labels && *labels;
    if (!has && !extra)
        return;
    zs_buf_printf(out, "{%s%s%s}", has ? labels : "", has && extra ? "," : "", extra ? extra : "");
}

int zs_metrics_render(zs_metrics *m, zs_buf *out)
{
    static const char *tn[] = {"counter", "gauge", "histogram"};
    pthread_mutex_lock(&m->mu);
    for (size_t i = 0; i < m->nf; i++) {
        family *f = &m->f[i];
        zs_buf_printf(out, "# HELP %s %s\n# TYPE %s %s\n", f->name, f->help, f->name, tn[f->type]);
        for (size_t j = 0; j < f->ns; j++) {
            series *s = &f->s[j];
            if (f->type != ZS_HISTOGRAM) {
                zs_buf_puts(out, f->name);
                render_labels(out, s->labels, NULL);
                zs_buf_printf(out, " %.17g\n", s->value);
                continue;
            }
            for (int b = 0; b <= NBUCKETS; b++) {
                char le[32];
                if (b < NBUCKETS)
                    snprintf(le, sizeof le, "le=\"%g\"", bucket_le[b]);
                else
                    snprintf(le, sizeof le, "le=\"+Inf\"");
                zs_buf_printf(out, "%s_bucket", f->name);
                render_labels(out, s->labels, le);
                zs_buf_printf(out, " %llu\n", b < NBUCKETS ? s->buckets[b] : s->count);
            }
            zs_buf_printf(out, "%s_sum", f->name);
            render_labels(out, s->labels, NULL);
            zs_buf_printf(out, " %.17g\n%s_count", s->value, f->name);
            render_labels(out, s->labels, NULL);
            zs_buf_printf(out, " %llu\n", s->count);
        }
    }
    pthread_mutex_unlock(&m->mu);
    return out->oom ? -1 : 0;
}
