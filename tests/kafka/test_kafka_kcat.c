/*
 * kcat, a Kafka client none of us wrote, against the devbroker and our wrappers: what kcat
 * produces our consumer reads (keys, values, headers, per-key order), what our producer writes
 * kcat reads back at the partition and offset the delivery report named.
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

static void test_kcat_lists_the_zepsync_topics(void)
{
    char cmd[1024], out[16384];
    snprintf(cmd, sizeof cmd, "kcat -b '%s' -L -J 2>&1", broker.bootstrap);
    ZT_EQ_INT(zt_sh(cmd, out, sizeof out), 0);
    ZT_CONTAINS(out, "\"topic\":\"employee-changed\"");
    ZT_CONTAINS(out, "\"topic\":\"booking-recorded.retry\"");
    ZT_CONTAINS(out, "\"topic\":\"absence-approved.dlq\"");
    ZT_CONTAINS(out, "{\"id\":3,\"name\""); /* three brokers, as asked */
}

/* kcat producer -> kafka_test_worker (zs_kafka consumer): all handled, per-key order kept. */
static void test_kcat_produces_worker_consumes(void)
{
    char input[600], cmd[2048], record[600], log[600];
    snprintf(input, sizeof input, "%s/kcat-input", dir);
    FILE *f = fopen(input, "w");
    ZT_CHECK(f != NULL);
    if (!f)
        return;
    for (int s = 0; s < 25; s++)
        for (int k = 0; k < 8; k++)
            fprintf(f, "t1:e%d|%d:%d\n", k, k, s);
    fclose(f);
    snprintf(cmd, sizeof cmd, "kcat -b '%s' -P -t employee-changed -K '|' -l '%s' 2>&1",
             broker.bootstrap, input);
    ZT_EQ_INT(zt_sh(cmd, NULL, 0), 0);

    snprintf(record, sizeof record, "%s/kcat-record", dir);
    snprintf(log, sizeof log, "%s/kcat-worker.log", dir);
    const char *extra[] = {"--idle-exit-ms", "3000", NULL}; /* generous: loaded CI */
    pid_t w = kt_worker_start(broker.bootstrap, "kk-1", "employee-changed", record, log, extra);
    int st = -1;
    zt_wait_exit(w, 40000, &st);
    ZT_CHECK(WIFEXITED(st) && WEXITSTATUS(st) == 0);
    kt_check c;
    ZT_EQ_INT(kt_verify(record, 8, 25, &c), 0);
    ZT_EQ_STR(c.why, "");
    ZT_EQ_INT(c.records, 200);
}

/* zs_kafka producer (sync, with headers) -> kcat consumer, at the acknowledged positions. */
static void test_producer_sync_kcat_reads_back(void)
{
    zs_kafka_producer *p;
    zs_err err;
    ZT_EQ_INT(zs_kafka_producer_new(&p, broker.bootstrap, NULL, &err), ZS_OK);
    char expect[20][256];
    for (int i = 0; i < 20; i++) {
        char key[32], val[64];
        snprintf(key, sizeof key, "acme:p%d", i % 4);
        snprintf(val, sizeof val, "{\"n\":%d}", i);
        zs_kafka_header h[] = {{"tenantid", "acme", 4}, {"ce_type", "absence-approved", 16}};
        int32_t part = -1;
        int64_t off = -1;
        ZT_EQ_INT(zs_kafka_produce_sync(p, "absence-approved", key, strlen(key), val, strlen(val),
                                        h, 2, 10000, &part, &off, &err),
                  ZS_OK);
        ZT_CHECK(part >= 0 && part < 6 && off >= 0);
        snprintf(expect[i], sizeof expect[i], "%s|%s|%d|%lld|tenantid=acme,ce_type=absence-approved",
                 key, val, (int)part, (long long)off);
    }
    ZT_EQ_INT(zs_kafka_producer_delivered(p), 20);
    ZT_EQ_INT(zs_kafka_producer_close(p, 5000, &err), ZS_OK);

    char cmd[1024];
    static char out[65536];
    snprintf(cmd, sizeof cmd,
             "kcat -b '%s' -C -t absence-approved -o beginning -e -q -f '%%k|%%s|%%p|%%o|%%h\\n' 2>&1",
             broker.bootstrap);
    ZT_EQ_INT(zt_sh(cmd, out, sizeof out), 0);
    for (int i = 0; i < 20; i++)
        ZT_CONTAINS(out, expect[i]);
}

typedef struct seen {
    int n;
    int with_header;
    char last_key[64];
} seen;

static zs_kafka_verdict collect(const zs_kafka_msg *m, void *opaque)
{
    seen *s = opaque;
    const void *v;
    size_t len;
    if (zs_kafka_msg_header(m, "tenantid", &v, &len) == 0 && len == 5 && memcmp(v, "globx", 5) == 0)
        s->with_header++;
    snprintf(s->last_key, sizeof s->last_key, "%.*s", (int)m->key_len, (const char *)m->key);
    s->n++;
    return ZS_KAFKA_DURABLE;
}

/* kcat with headers -> the in-process consumer API (zs_kafka_msg_header, idle exit, stats). */
static void test_kcat_headers_reach_consumer(void)
{
    char cmd[1024];
    snprintf(cmd, sizeof cmd,
             "seq 1 30 | sed 's/^/globx:e1|/' | kcat -b '%s' -P -t booking-recorded.retry -K '|' "
             "-H tenantid=globx 2>&1",
             broker.bootstrap);
    ZT_EQ_INT(zt_sh(cmd, NULL, 0), 0);
    const char *props[] = {"session.timeout.ms", "6000", "heartbeat.interval.ms", "500",
                           "max.poll.interval.ms", "10000", NULL};
    const char *topics[] = {"booking-recorded.retry", NULL};
    seen s = {0};
    zs_kafka_consumer_opts o = {.brokers = broker.bootstrap, .group_id = "kk-hdr", .topics = topics,
                                .props = props, .handler = collect, .opaque = &s,
                                .idle_exit_ms = 3000};
    zs_kafka_consumer *c = NULL;
    zs_err err;
    ZT_EQ_INT(zs_kafka_consumer_new(&c, &o, &err), ZS_OK);
    if (!c)
        return;
    ZT_EQ_INT(zs_kafka_consumer_run(c, &err), ZS_OK);
    zs_kafka_consumer_stats st;
    zs_kafka_consumer_get_stats(c, &st);
    ZT_EQ_INT(zs_kafka_consumer_close(c, &err), ZS_OK);
    ZT_EQ_INT(s.n, 30);
    ZT_EQ_INT(s.with_header, 30);
    ZT_EQ_STR(s.last_key, "globx:e1");
    ZT_EQ_INT(st.handled, 30);
    ZT_EQ_INT(st.stored, 30);
    ZT_CHECK(st.rebalances >= 1);

    /* The close committed offset 30: kcat in the same group (starting at the earliest offset
     * if nothing were committed) finds nothing left to read. */
    snprintf(cmd, sizeof cmd,
             "kcat -b '%s' -C -G kk-hdr booking-recorded.retry -e -q -f '%%s\\n' "
             "-X session.timeout.ms=6000 -X heartbeat.interval.ms=500 -X auto.offset.reset=earliest "
             "2>&1 | wc -l",
             broker.bootstrap);
    char out[64];
    ZT_EQ_INT(zt_sh(cmd, out, sizeof out), 0);
    ZT_EQ_INT(atoi(out), 0);
}

/* The devbroker's own flags: sizes, extra topics, bad input, SIGINT. */
static void test_devbroker_cli(void)
{
    char cmd[2048], out[16384], boot[600], log[600], bin[1024];
    snprintf(bin, sizeof bin, "%s", zt_bin("zepsync-devbroker"));
    snprintf(cmd, sizeof cmd, "'%s' --help", bin);
    ZT_EQ_INT(zt_sh(cmd, out, sizeof out), 0);
    ZT_CONTAINS(out, "--bootstrap-file FILE");
    snprintf(cmd, sizeof cmd, "'%s' --brokers 0 2>&1", bin);
    ZT_EQ_INT(zt_sh(cmd, out, sizeof out), 2);
    snprintf(cmd, sizeof cmd, "'%s' --partitions 2 --frobnicate 2>&1", bin);
    ZT_EQ_INT(zt_sh(cmd, out, sizeof out), 2);
    ZT_CONTAINS(out, "--frobnicate");
    snprintf(cmd, sizeof cmd, "'%s' --control nohost 2>&1", bin);
    ZT_CHECK(zt_sh(cmd, out, sizeof out) != 0);

    snprintf(boot, sizeof boot, "%s/small-bootstrap", dir);
    snprintf(log, sizeof log, "%s/small-devbroker.log", dir);
    char *argv[] = {bin, "--brokers", "1", "--partitions", "2", "--topic", "zz-extra",
                    "--bootstrap-file", boot, "--die-with-parent", NULL};
    pid_t pid = zt_spawn(argv, log);
    ZT_EQ_INT(zt_wait_file(boot, 15000), 0);
    FILE *f = fopen(boot, "r");
    char bs[512] = "";
    if (f) {
        if (!fgets(bs, sizeof bs, f))
            bs[0] = '\0';
        fclose(f);
    }
    bs[strcspn(bs, "\r\n")] = '\0';
    ZT_CHECK(strchr(bs, ',') == NULL); /* one broker, one address */
    snprintf(cmd, sizeof cmd, "kcat -b '%s' -L 2>&1", bs);
    ZT_EQ_INT(zt_sh(cmd, out, sizeof out), 0);
    ZT_CONTAINS(out, " 1 brokers:");
    ZT_CONTAINS(out, "topic \"zz-extra\" with 2 partitions");
    ZT_CONTAINS(out, "topic \"absence-approved.dlq\" with 2 partitions");
    int st = zt_stop(pid, SIGINT);
    ZT_CHECK(WIFEXITED(st) && WEXITSTATUS(st) == 0);
    /* What it printed on stdout is the same list as in the file. */
    f = fopen(log, "r");
    char line[512];
    int seen = 0;
    while (f && fgets(line, sizeof line, f))
        seen |= strncmp(line, bs, strlen(bs)) == 0 && line[strlen(bs)] == '\n';
    if (f)
        fclose(f);
    ZT_CHECK(seen);
}

typedef struct parker {
    zs_kafka_producer *p;
    int parked;
    int failed;
} parker;

/* "dlq..." values go to the dead-letter topic, everything else to retry (again). */
static zs_kafka_verdict park_all(const zs_kafka_msg *m, void *opaque)
{
    parker *k = opaque;
    zs_err err;
    const void *att;
    size_t att_len;
    /* Park each message at most twice, or the retry consumer would feed on its own output. */
    if (zs_kafka_msg_header(m, ZS_KAFKA_H_ATTEMPT, &att, &att_len) == 0 && att_len == 1 &&
        *(const char *)att >= '2')
        return ZS_KAFKA_DURABLE;
    int dlq = m->value_len >= 3 && memcmp(m->value, "dlq", 3) == 0;
    if (zs_kafka_park(k->p, m, dlq ? ZS_KAFKA_PARK_DLQ : ZS_KAFKA_PARK_RETRY,
                      dlq ? "unknown employee" : "429 from personio", 1796400000000LL, 10000,
                      &err) != ZS_OK) {
        printf("  park: %s\n", err.msg);
        k->failed++;
        return ZS_KAFKA_REDELIVER;
    }
    k->parked++;
    return ZS_KAFKA_DURABLE;
}

static int run_parker(const char *topic, const char *group, parker *k)
{
    const char *props[] = {"session.timeout.ms", "6000", "heartbeat.interval.ms", "500",
                           "max.poll.interval.ms", "10000", NULL};
    const char *topics[] = {topic, NULL};
    zs_kafka_consumer_opts o = {.brokers = broker.bootstrap, .group_id = group, .topics = topics,
                                .props = props, .handler = park_all, .opaque = k,
                                .idle_exit_ms = 3000};
    zs_kafka_consumer *c = NULL;
    zs_err err;
    if (zs_kafka_consumer_new(&c, &o, &err) != ZS_OK)
        return -1;
    zs_rc rc = zs_kafka_consumer_run(c, &err);
    zs_rc crc = zs_kafka_consumer_close(c, &err);
    return rc == ZS_OK && crc == ZS_OK ? 0 : -1;
}

/* zs_kafka_park: main -> .dlq / .retry with origin, reason, attempt, due; retry -> retry again. */
static void test_park_to_dlq_and_retry(void)
{
    char cmd[1024];
    static char out[65536];
    snprintf(cmd, sizeof cmd,
             "printf 'acme:e7|dlq-me\\nacme:e7|retry-me\\n' | kcat -b '%s' -P -t "
             "booking-recorded -K '|' -H tenantid=acme 2>&1",
             broker.bootstrap);
    ZT_EQ_INT(zt_sh(cmd, NULL, 0), 0);
    parker k = {0};
    zs_err err;
    ZT_EQ_INT(zs_kafka_producer_new(&k.p, broker.bootstrap, NULL, &err), ZS_OK);
    ZT_EQ_INT(run_parker("booking-recorded", "kk-park", &k), 0);
    ZT_EQ_INT(k.parked, 2);

    snprintf(cmd, sizeof cmd,
             "kcat -b '%s' -C -t booking-recorded.dlq -o beginning -e -q -f '%%k|%%s|%%h\n' 2>&1",
             broker.bootstrap);
    ZT_EQ_INT(zt_sh(cmd, out, sizeof out), 0);
    ZT_CONTAINS(out, "acme:e7|dlq-me|tenantid=acme,zs-origin-topic=booking-recorded,"
                     "zs-origin-partition=");
    ZT_CONTAINS(out, ",zs-attempt=1,zs-reason=unknown employee\n");
    ZT_CHECK(strstr(out, "zs-due-ms") == NULL);

    /* Second hop from the retry topic: origin kept, attempt counted up, reason replaced. */
    parker k2 = {.p = k.p};
    ZT_EQ_INT(run_parker("booking-recorded.retry", "kk-park-2", &k2), 0);
    snprintf(cmd, sizeof cmd,
             "kcat -b '%s' -C -t booking-recorded.retry -o beginning -e -q -f '%%k|%%s|%%h\n' "
             "2>&1 | grep retry-me",
             broker.bootstrap);
    ZT_EQ_INT(zt_sh(cmd, out, sizeof out), 0);
    ZT_CONTAINS(out, "acme:e7|retry-me|tenantid=acme,zs-origin-topic=booking-recorded,");
    ZT_CONTAINS(out, ",zs-attempt=1,zs-reason=429 from personio,zs-due-ms=1796400000000\n");
    ZT_CONTAINS(out, ",zs-attempt=2,zs-reason=429 from personio,zs-due-ms=1796400000000\n");
    ZT_CHECK(strstr(out, "zs-origin-topic=booking-recorded.retry") == NULL);
    ZT_EQ_INT(zs_kafka_producer_close(k.p, 5000, &err), ZS_OK);
}

int main(void)
{
    if (kt_setup("kafka-kcat", dir, sizeof dir, &broker) != 0) {
        printf("cannot start devbroker\n");
        return 1;
    }
    ZT_RUN(test_kcat_lists_the_zepsync_topics);
    ZT_RUN(test_devbroker_cli);
    ZT_RUN(test_kcat_produces_worker_consumes);
    ZT_RUN(test_producer_sync_kcat_reads_back);
    ZT_RUN(test_kcat_headers_reach_consumer);
    ZT_RUN(test_park_to_dlq_and_retry);
    ZT_CHECK(kt_broker_stop(&broker));
    if (zt_failures == 0)
        kt_workdir_remove(dir);
    return zt_summary();
}
