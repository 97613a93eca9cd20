/*
 * zepsync-bench-kafka: prints throughput and latency figures of the zs_kafka wrappers against a devbroker
 * (started here on loopback unless --brokers is given). A measurement, never an assertion.
 *
 *   zepsync-bench-kafka [--brokers LIST] [--messages N] [--size BYTES] [--sync N] [--linger MS]
 */
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "kafka/zs_kafka.h"
#include "kt_common.h"
#include "log/zs_log.h"
#include "zs_test.h"

static double now_s(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

typedef struct tally {
    long n;
    double first_s;
} tally;

static zs_kafka_verdict count(const zs_kafka_msg *m, void *opaque)
{
    (void)m;
    tally *t = opaque;
    if (t->n++ == 0)
        t->first_s = now_s();
    return ZS_KAFKA_DURABLE;
}

static int cmp_double(const void *a, const void *b)
{
    double x = *(const double *)a, y = *(const double *)b;
    return x < y ? -1 : x > y;
}

int main(int argc, char **argv)
{
    const char *brokers = NULL;
    long n = 50000, size = 230, n_sync = 200;
    const char *linger = "5";
    for (int i = 1; i < argc; i++) {
        if (strcmp(argv[i], "--help") == 0) {
            puts("usage: zepsync-bench-kafka [--brokers LIST] [--messages N] [--size BYTES] [--sync N] "
                 "[--linger MS]");
            return 0;
        } else if (i + 1 < argc && strcmp(argv[i], "--brokers") == 0) {
            brokers = argv[++i];
        } else if (i + 1 < argc && strcmp(argv[i], "--messages") == 0) {
            n = atol(argv[++i]);
        } else if (i + 1 < argc && strcmp(argv[i], "--size") == 0) {
            size = atol(argv[++i]);
        } else if (i + 1 < argc && strcmp(argv[i], "--linger") == 0) {
            linger = argv[++i];
        } else if (i + 1 < argc && strcmp(argv[i], "--sync") == 0) {
            n_sync = atol(argv[++i]);
        } else {
            fprintf(stderr, "unknown option %s\n", argv[i]);
            return 2;
        }
    }
    if (n < 1 || size < 1 || size > 1000000 || n_sync < 1) {
        fprintf(stderr, "bad numbers\n");
        return 2;
    }
    zs_log_init("kafka-bench", ZS_LOG_WARN);
    kt_broker b = {0};
    char dir[512];
    if (!brokers) {
        if (kt_workdir("kafka-bench", dir, sizeof dir) || kt_broker_start(&b, dir)) {
            fprintf(stderr, "cannot start devbroker\n");
            kt_broker_stop(&b);
            return 1;
        }
        brokers = b.bootstrap;
    }
    char *payload = malloc((size_t)size);
    double *lat = calloc((size_t)n_sync, sizeof *lat);
    if (!payload || !lat)
        return 1;
    memset(payload, 'x', (size_t)size);
    zs_err err;
    zs_kafka_producer *p;
    int status = 1;
    const char *pprops[] = {"linger.ms", linger, NULL};
    if (zs_kafka_producer_new(&p, brokers, pprops, &err) != ZS_OK) {
        fprintf(stderr, "%s\n", err.msg);
        goto out;
    }
    const char *topic = "booking-recorded";
    double t0 = now_s();
    for (long i = 0; i < n; i++) {
        char key[32];
        int kl = snprintf(key, sizeof key, "t1:e%ld", i % 1000);
        if (zs_kafka_produce(p, topic, key, (size_t)kl, payload, (size_t)size, NULL, 0, NULL, NULL,
                             &err) != ZS_OK) {
            fprintf(stderr, "produce: %s\n", err.msg);
            zs_kafka_producer_close(p, 10000, &err);
            goto out;
        }
    }
    zs_rc frc = zs_kafka_producer_flush(p, 60000, &err);
    double t1 = now_s();
    printf("produce async: %ld msgs of %ld bytes in %.2f s = %.0f msgs/s (flush %s)\n", n, size,
           t1 - t0, (double)n / (t1 - t0), zs_rc_name(frc));
    for (long i = 0; i < n_sync; i++) {
        double s = now_s();
        if (zs_kafka_produce_sync(p, topic, "t1:sync", 7, payload, (size_t)size, NULL, 0, 10000,
                                  NULL, NULL, &err) != ZS_OK) {
            fprintf(stderr, "produce_sync: %s\n", err.msg);
            break;
        }
        lat[i] = (now_s() - s) * 1000.0;
    }
    qsort(lat, (size_t)n_sync, sizeof *lat, cmp_double);
    printf("produce sync (linger.ms=%s): %ld acks, median %.2f ms, p99 %.2f ms\n", linger, n_sync,
           lat[n_sync / 2], lat[(n_sync * 99) / 100 < n_sync ? (n_sync * 99) / 100 : n_sync - 1]);
    zs_kafka_producer_close(p, 10000, &err);

    const char *topics[] = {topic, NULL};
    const char *props[] = {"session.timeout.ms", "6000", "heartbeat.interval.ms", "500",
                           "max.poll.interval.ms", "10000", NULL};
    tally got = {0};
    char group[64];
    snprintf(group, sizeof group, "bench-%d", (int)getpid());
    zs_kafka_consumer_opts o = {.brokers = brokers, .group_id = group, .topics = topics,
                                .props = props, .handler = count, .opaque = &got,
                                .idle_exit_ms = 1000};
    zs_kafka_consumer *c;
    if (zs_kafka_consumer_new(&c, &o, &err) != ZS_OK) {
        fprintf(stderr, "%s\n", err.msg);
        goto out;
    }
    double c0 = now_s();
    zs_rc rc = zs_kafka_consumer_run(c, &err);
    double c1 = now_s() - 1.0; /* minus the idle wait that ends the run */
    zs_kafka_consumer_close(c, &err);
    printf("consume: group join %.2f s, then %ld msgs in %.2f s = %.0f msgs/s, offset stored "
           "per message (%s)\n",
           got.first_s - c0, got.n, c1 - got.first_s, (double)got.n / (c1 - got.first_s),
           zs_rc_name(rc));
    status = 0;
out:
    free(payload);
    free(lat);
    if (b.pid)
        kt_broker_stop(&b);
    return status;
}
