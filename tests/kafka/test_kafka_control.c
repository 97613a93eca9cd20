/*
 * The devbroker's control interface and what the wrappers do under the faults it injects: a
 * broker down and up again (plus injected Fetch/OffsetCommit errors) must not cost the consumer a
 * single event; an unreachable cluster must surface as failed deliveries, not silence.
 */
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "kafka/zs_kafka.h"
#include "kt_common.h"
#include "zs_test.h"

static kt_broker broker;
static char dir[512];

static void test_control_api(void)
{
    char out[8192];
    ZT_EQ_INT(kt_control(&broker, "GET", "/healthz", out, sizeof out), 200);
    ZT_EQ_INT(kt_control(&broker, "GET", "/status", out, sizeof out), 200);
    ZT_CONTAINS(out, broker.bootstrap);
    ZT_CONTAINS(out, "\"booking-recorded.dlq\"");
    ZT_CONTAINS(out, "{\"id\":2,\"up\":true,\"rtt_ms\":0}");
    ZT_EQ_INT(kt_control(&broker, "POST", "/brokers/9/down", out, sizeof out), 400);
    ZT_EQ_INT(kt_control(&broker, "POST", "/brokers/2/sideways", out, sizeof out), 404);
    ZT_EQ_INT(kt_control(&broker, "GET", "/nope", out, sizeof out), 404);
    ZT_EQ_INT(kt_control(&broker, "POST", "/errors?api=Bogus&count=1&code=1", out, sizeof out), 400);
    ZT_EQ_INT(kt_control(&broker, "POST", "/errors?api=Fetch&count=0&code=1", out, sizeof out), 400);
    ZT_EQ_INT(kt_control(&broker, "POST", "/errors?api=Metadata&count=1&code=NO_SUCH_ERROR", out,
                         sizeof out),
              400);
    ZT_EQ_INT(kt_control(&broker, "POST", "/brokers/3/rtt?ms=25", out, sizeof out), 200);
    ZT_CONTAINS(out, "{\"id\":3,\"up\":true,\"rtt_ms\":25}");
    ZT_EQ_INT(kt_control(&broker, "POST", "/brokers/3/rtt?ms=0", out, sizeof out), 200);
    ZT_EQ_INT(kt_control(&broker, "POST", "/brokers/2/errors?api=Produce&count=2&code=_TRANSPORT",
                         out, sizeof out),
              200);
    ZT_EQ_INT(kt_control(&broker, "GET", "/brokers/2/errors?api=Produce", out, sizeof out), 200);
    ZT_CONTAINS(out, "\"remaining\":2}");
    ZT_EQ_INT(kt_control(&broker, "GET", "/brokers/2/down", out, sizeof out), 404);

    /* A topic created over the control API is real: kcat sees its two partitions. */
    ZT_EQ_INT(kt_control(&broker, "POST", "/topics?name=kc-extra&partitions=2", out, sizeof out), 200);
    ZT_CONTAINS(out, "\"kc-extra\"");
    char cmd[1024], meta[8192];
    snprintf(cmd, sizeof cmd, "kcat -b '%s' -L -t kc-extra 2>&1", broker.bootstrap);
    ZT_EQ_INT(zt_sh(cmd, meta, sizeof meta), 0);
    ZT_CONTAINS(meta, "topic \"kc-extra\" with 2 partitions");

    ZT_EQ_INT(kt_control(&broker, "POST", "/leader?topic=kc-extra&partition=1&broker=3", out,
                         sizeof out),
              200);
    ZT_EQ_INT(kt_control(&broker, "POST", "/leader?topic=kc-extra&partition=1&broker=7", out,
                         sizeof out),
              400);
    ZT_EQ_INT(zt_sh(cmd, meta, sizeof meta), 0);
    ZT_CONTAINS(meta, "partition 1, leader 3,");
}

static void test_broker_down_up_consumer_completes(void)
{
    enum { KEYS = 20, PER = 40 };
    const char *topic = "employee-changed";
    char record[600], log[600], out[4096];
    /* Leaders are placed at random: make sure broker 2 leads something before it goes down,
     * and broker 1 (which gets the injected Fetch errors) leads something to fetch from. */
    ZT_EQ_INT(kt_control(&broker, "POST", "/leader?topic=employee-changed&partition=1&broker=1",
                         out, sizeof out),
              200);
    ZT_EQ_INT(kt_control(&broker, "POST", "/leader?topic=employee-changed&partition=0&broker=2",
                         out, sizeof out),
              200);
    ZT_EQ_INT(kt_control(&broker, "POST", "/leader?topic=employee-changed&partition=3&broker=2",
                         out, sizeof out),
              200);
    ZT_EQ_INT(kt_produce_events(broker.bootstrap, topic, KEYS, PER), 0);
    snprintf(record, sizeof record, "%s/down-record", dir);
    snprintf(log, sizeof log, "%s/down-worker.log", dir);
    const char *extra[] = {"--delay-ms", "5", NULL};
    pid_t w = kt_worker_start(broker.bootstrap, "kc-down", topic, record, log, extra);
    ZT_EQ_INT(kt_wait_distinct(record, KEYS, PER, 100, 30000), 0);

    /* Broker 2 leads some partitions (the mock does not move leaders): those stall meanwhile. */
    ZT_EQ_INT(kt_control(&broker, "POST", "/brokers/2/down", out, sizeof out), 200);
    ZT_CONTAINS(out, "{\"id\":2,\"up\":false");
    ZT_EQ_INT(kt_control(&broker, "POST", "/errors?api=OffsetCommit&count=3&code=REBALANCE_IN_PROGRESS",
                         out, sizeof out),
              200);
    ZT_EQ_INT(kt_control(&broker, "POST", "/brokers/1/errors?api=Fetch&count=2&code=_TRANSPORT&rtt=50",
                         out, sizeof out),
              200);
    sleep(3);
    ZT_EQ_INT(kt_control(&broker, "GET", "/brokers/1/errors?api=Fetch", out, sizeof out), 200);
    ZT_CONTAINS(out, "\"remaining\":0}"); /* the consumer's fetches really hit the errors */
    size_t during = kt_distinct(record, KEYS, PER);
    ZT_EQ_INT(kt_control(&broker, "POST", "/brokers/2/up", out, sizeof out), 200);
    printf("  %zu of %d events handled while broker 2 was down\n", during, KEYS * PER);
    ZT_CHECK(during < (size_t)KEYS * PER); /* the outage really held something back */

    ZT_EQ_INT(kt_wait_distinct(record, KEYS, PER, KEYS * PER, 60000), 0);
    int st = zt_stop(w, SIGTERM);
    ZT_CHECK(WIFEXITED(st) && WEXITSTATUS(st) == 0);
    kt_check c;
    ZT_EQ_INT(kt_verify(record, KEYS, PER, &c), 0);
    ZT_EQ_STR(c.why, "");
}

static int failed_cb_calls, failed_cb_retry;

static void on_delivery(const zs_kafka_delivery *d, void *opaque)
{
    (void)opaque;
    if (d->rc != ZS_OK) {
        failed_cb_calls++;
        failed_cb_retry += d->rc == ZS_ERR_RETRY;
    }
}

static void test_unreachable_cluster_fails_deliveries(void)
{
    const char *props[] = {"message.timeout.ms", "1500", "reconnect.backoff.max.ms", "500", NULL};
    zs_kafka_producer *p;
    zs_err err;
    char out[4096];
    ZT_EQ_INT(zs_kafka_producer_new(&p, broker.bootstrap, props, &err), ZS_OK);
    /* Warm up so the failure below is the outage, not a missing connection. */
    ZT_EQ_INT(zs_kafka_produce_sync(p, "absence-approved", "k", 1, "warm", 4, NULL, 0, 10000, NULL,
                                    NULL, &err),
              ZS_OK);
    ZT_EQ_INT(kt_control(&broker, "POST", "/brokers/all/down", out, sizeof out), 200);
    ZT_EQ_INT(zs_kafka_produce_sync(p, "absence-approved", "k", 1, "lost", 4, NULL, 0, 10000, NULL,
                                    NULL, &err),
              ZS_ERR_RETRY);
    ZT_CONTAINS(err.msg, "timed out");
    ZT_EQ_INT(zs_kafka_produce(p, "absence-approved", "k", 1, "async", 5, NULL, 0, on_delivery,
                               NULL, &err),
              ZS_OK);
    ZT_EQ_INT(zs_kafka_producer_flush(p, 10000, &err), ZS_ERR_FAILED);
    ZT_CONTAINS(err.msg, "deliveries failed");
    ZT_EQ_INT(failed_cb_calls, 1);
    ZT_EQ_INT(failed_cb_retry, 1);
    ZT_EQ_INT(zs_kafka_producer_failed(p), 2);

    ZT_EQ_INT(kt_control(&broker, "POST", "/brokers/all/up", out, sizeof out), 200);
    /* After the outage the same producer works again (idempotent epoch bumped, not fatal). */
    ZT_EQ_INT(zs_kafka_produce_sync(p, "absence-approved", "k", 1, "back", 4, NULL, 0, 15000, NULL,
                                    NULL, &err),
              ZS_OK);
    ZT_EQ_INT(zs_kafka_producer_close(p, 5000, &err), ZS_OK);
}

/* An RTT set on every broker shows up in the acknowledgement time of a synchronous produce. */
static void test_rtt_slows_acknowledgements(void)
{
    zs_kafka_producer *p;
    zs_err err;
    char out[4096];
    const char *props[] = {"linger.ms", "0", NULL};
    ZT_EQ_INT(zs_kafka_producer_new(&p, broker.bootstrap, props, &err), ZS_OK);
    ZT_EQ_INT(zs_kafka_produce_sync(p, "employee-changed.retry", "k", 1, "v", 1, NULL, 0, 10000,
                                    NULL, NULL, &err),
              ZS_OK);
    long t0 = zt_now_ms();
    ZT_EQ_INT(zs_kafka_produce_sync(p, "employee-changed.retry", "k", 1, "v", 1, NULL, 0, 10000,
                                    NULL, NULL, &err),
              ZS_OK);
    long fast = zt_now_ms() - t0;
    ZT_EQ_INT(kt_control(&broker, "POST", "/brokers/all/rtt?ms=400", out, sizeof out), 200);
    t0 = zt_now_ms();
    ZT_EQ_INT(zs_kafka_produce_sync(p, "employee-changed.retry", "k", 1, "v", 1, NULL, 0, 10000,
                                    NULL, NULL, &err),
              ZS_OK);
    long slow = zt_now_ms() - t0;
    ZT_EQ_INT(kt_control(&broker, "POST", "/brokers/all/rtt?ms=0", out, sizeof out), 200);
    printf("  ack without rtt %ld ms, with rtt=400 %ld ms\n", fast, slow);
    ZT_CHECK(slow >= 400);
    ZT_EQ_INT(zs_kafka_producer_close(p, 5000, &err), ZS_OK);
}

/* (The refusals themselves are unit-tested in common/kafka/test_kafka_conf.c.) */
static void test_brokers_through_props_alone(void)
{
    zs_err err;
    zs_kafka_producer *p = NULL;
    /* Brokers may come through the pass-through list alone (ZS_KAFKA_bootstrap.servers). */
    const char *via_props[] = {"bootstrap.servers", broker.bootstrap, NULL};
    ZT_EQ_INT(zs_kafka_producer_new(&p, NULL, via_props, &err), ZS_OK);
    ZT_EQ_INT(zs_kafka_produce_sync(p, "employee-changed.dlq", NULL, 0, "x", 1, NULL, 0, 10000,
                                    NULL, NULL, &err),
              ZS_OK);
    ZT_EQ_INT(zs_kafka_producer_close(p, 5000, &err), ZS_OK);
}

typedef struct fataler {
    zs_kafka_consumer *c;
    int handled;
} fataler;

static zs_kafka_verdict fatal_at_fifth(const zs_kafka_msg *m, void *opaque)
{
    (void)m;
    fataler *f = opaque;
    if (++f->handled == 5)
        zs_kafka_consumer_test_fatal(f->c, "fenced by a newer member");
    return ZS_KAFKA_DURABLE;
}

/* A fatal client error ends the loop with FAILED (the process exits non-zero and gets restarted)
 * instead of polling on in a broken state; the producer refuses further messages. */
static void test_fatal_errors_surface(void)
{
    const char *topics[] = {"employee-changed", NULL};
    const char *props[] = {"session.timeout.ms", "6000", "heartbeat.interval.ms", "500",
                           "max.poll.interval.ms", "10000", NULL};
    fataler f = {0};
    zs_kafka_consumer_opts o = {.brokers = broker.bootstrap, .group_id = "kc-fatal",
                                .topics = topics, .props = props, .handler = fatal_at_fifth,
                                .opaque = &f};
    zs_err err;
    ZT_EQ_INT(zs_kafka_consumer_new(&f.c, &o, &err), ZS_OK);
    if (!f.c)
        return;
    long t0 = zt_now_ms();
    ZT_EQ_INT(zs_kafka_consumer_run(f.c, &err), ZS_ERR_FAILED);
    ZT_CONTAINS(err.msg, "fatal");
    ZT_CONTAINS(err.msg, "fenced by a newer member");
    ZT_CHECK(f.handled >= 5 && f.handled < 800); /* stopped soon after, not at the end */
    zs_kafka_consumer_close(f.c, &err);
    ZT_CHECK(zt_now_ms() - t0 < 30000);

    zs_kafka_producer *p;
    ZT_EQ_INT(zs_kafka_producer_new(&p, broker.bootstrap, NULL, &err), ZS_OK);
    ZT_EQ_INT(zs_kafka_producer_test_fatal(p, "sequence gap"), 0);
    zs_kafka_producer_poll(p, 100); /* serves the error callback that records the state */
    ZT_EQ_INT(zs_kafka_produce(p, "employee-changed", "k", 1, "v", 1, NULL, 0, NULL, NULL, &err),
              ZS_ERR_FAILED);
    ZT_CONTAINS(err.msg, "fatal");
    zs_kafka_producer_close(p, 1000, &err);
}

int main(void)
{
    if (kt_setup("kafka-control", dir, sizeof dir, &broker) != 0) {
        printf("cannot start devbroker\n");
        return 1;
    }
    ZT_RUN(test_control_api);
    ZT_RUN(test_brokers_through_props_alone);
    ZT_RUN(test_rtt_slows_acknowledgements);
    ZT_RUN(test_unreachable_cluster_fails_deliveries);
    ZT_RUN(test_broker_down_up_consumer_completes);
    ZT_RUN(test_fatal_errors_surface);
    ZT_CHECK(kt_broker_stop(&broker));
    if (zt_failures == 0)
        kt_workdir_remove(dir);
    return zt_summary();
}
