/*
 * kafka_test_worker: a consumer-group member for the Kafka integration tests. It runs the
 * zs_kafka consumer and, for every message, appends one line to a record file and fsyncs it before
 * answering DURABLE, which is exactly the contract a real sink has: the effect is on disk before
 * the offset may be stored. Tests SIGKILL it at arbitrary points and read the file afterwards.
 *
 * Record line: "H <topic> <partition> <offset> <key> <value> <pid>\n" (one write(2), O_APPEND, so
 * several workers can share one file and its order is the order the effects became durable).
 */
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <unistd.h>

#include "kafka/zs_kafka.h"
#include "log/zs_log.h"

#define MAX_PROPS 64
#define MAX_TOPICS 8

static const char usage[] =
    "usage: kafka_test_worker --brokers LIST --group ID --topic T [--topic T2] --record FILE\n"
    "                         [--delay-ms N] [--redeliver-every N] [--idle-exit-ms N]\n"
    "                         [--close-commit-ms N]\n"
    "                         [-X librdkafka.property=value]...\n"
    "\n"
    "Consumes with the zs_kafka consumer and appends each handled message to FILE (fsync)\n"
    "before reporting it durable. --redeliver-every N answers REDELIVER the first time it sees\n"
    "an offset divisible by N. SIGTERM stops cleanly (exit 0); prints its counters at exit.\n";

typedef struct worker {
    int fd;
    int delay_ms;
    long redeliver_every;
    /* Offsets already refused once, so each is refused exactly one time per process. */
    struct {
        int32_t partition;
        int64_t offset;
        char topic[64];
    } refused[512];
    int n_refused;
} worker;

static int refused_before(worker *w, const zs_kafka_msg *m)
{
    for (int i = 0; i < w->n_refused; i++)
        if (w->refused[i].partition == m->partition && w->refused[i].offset == m->offset &&
            strcmp(w->refused[i].topic, m->topic) == 0)
            return 1;
    return 0;
}

static zs_kafka_verdict handle(const zs_kafka_msg *m, void *opaque)
{
    worker *w = opaque;
    if (w->redeliver_every > 0 && m->offset % w->redeliver_every == 0 && !refused_before(w, m) &&
        w->n_refused < (int)(sizeof w->refused / sizeof w->refused[0])) {
        int i = w->n_refused++;
        w->refused[i].partition = m->partition;
        w->refused[i].offset = m->offset;
        snprintf(w->refused[i].topic, sizeof w->refused[i].topic, "%s", m->topic);
        return ZS_KAFKA_REDELIVER;
    }
    char line[1024];
    int n = snprintf(line, sizeof line, "H %s %d %lld %.*s %.*s %d\n", m->topic, (int)m->partition,
                     (long long)m->offset, m->key ? (int)m->key_len : 1,
                     m->key ? (const char *)m->key : "-", (int)m->value_len,
                     (const char *)m->value, (int)getpid());
    if (n < 0 || n >= (int)sizeof line)
        return ZS_KAFKA_FATAL;
    if (write(w->fd, line, (size_t)n) != n || fsync(w->fd) != 0) {
        zs_error("record write: %s", strerror(errno));
        return ZS_KAFKA_REDELIVER;
    }
    if (w->delay_ms)
        usleep((useconds_t)w->delay_ms * 1000);
    return ZS_KAFKA_DURABLE;
}

int main(int argc, char **argv)
{
    const char *brokers = NULL, *group = NULL, *record = NULL;
    const char *topics[MAX_TOPICS + 1] = {0};
    const char *props[MAX_PROPS * 2 + 1] = {0};
    char *prop_store[MAX_PROPS] = {0};
    int n_topics = 0, n_props = 0;
    long idle_exit_ms = 0, close_commit_ms = 0;
    static worker w;
    const char *lvl = getenv("ZS_LOG_LEVEL");
    int level = lvl ? zs_log_level_parse(lvl) : -1;
    zs_log_init("kafka-test-worker", level >= 0 ? (zs_log_level)level : ZS_LOG_INFO);
    for (int i = 1; i < argc; i++) {
        const char *a = argv[i], *v = i + 1 < argc ? argv[i + 1] : NULL;
        if (strcmp(a, "--help") == 0) {
            fputs(usage, stdout);
            return 0;
        }
        if (!v) {
            fprintf(stderr, "option '%s' needs a value\n%s", a, usage);
            return 2;
        }
        i++;
        if (strcmp(a, "--brokers") == 0) {
            brokers = v;
        } else if (strcmp(a, "--group") == 0) {
            group = v;
        } else if (strcmp(a, "--topic") == 0 && n_topics < MAX_TOPICS) {
            topics[n_topics++] = v;
        } else if (strcmp(a, "--record") == 0) {
            record = v;
        } else if (strcmp(a, "--delay-ms") == 0) {
            w.delay_ms = atoi(v);
        } else if (strcmp(a, "--redeliver-every") == 0) {
            w.redeliver_every = atol(v);
        } else if (strcmp(a, "--idle-exit-ms") == 0) {
            idle_exit_ms = atol(v);
        } else if (strcmp(a, "--close-commit-ms") == 0) {
            close_commit_ms = atol(v);
        } else if (strcmp(a, "-X") == 0 && n_props < MAX_PROPS) {
            char *eq = strchr(v, '=');
            if (!eq || !(prop_store[n_props] = strdup(v))) {
                fprintf(stderr, "-X wants name=value\n");
                return 2;
            }
            char *copy = prop_store[n_props];
            copy[eq - v] = '\0';
            props[2 * n_props] = copy;
            props[2 * n_props + 1] = copy + (eq - v) + 1;
            n_props++;
        } else {
            fprintf(stderr, "unknown option '%s'\n%s", a, usage);
            return 2;
        }
    }
    if (!brokers || !group || !n_topics || !record) {
        fputs(usage, stderr);
        return 2;
    }
    /* A test that dies (timeout) takes its workers with it. */
    if (prctl(PR_SET_PDEATHSIG, SIGKILL) != 0)
        return 1;
    w.fd = open(record, O_WRONLY | O_CREAT | O_APPEND, 0644);
    if (w.fd < 0) {
        fprintf(stderr, "open %s: %s\n", record, strerror(errno));
        return 1;
    }
    static volatile sig_atomic_t stop;
    if (zs_kafka_stop_on_signals(&stop) != 0)
        return 1;
    zs_kafka_consumer_opts o = {
        .brokers = brokers,
        .group_id = group,
        .topics = topics,
        .props = props,
        .handler = handle,
        .opaque = &w,
        .stop = &stop,
        .redeliver_backoff_ms = 200,
        .idle_exit_ms = (int)idle_exit_ms,
        .close_commit_ms = (int)close_commit_ms,
    };
    zs_err err = {{0}};
    zs_kafka_consumer *c = NULL;
    zs_rc rc = zs_kafka_consumer_new(&c, &o, &err);
    if (rc == ZS_OK)
        rc = zs_kafka_consumer_run(c, &err);
    zs_kafka_consumer_stats st = {0};
    if (c)
        zs_kafka_consumer_get_stats(c, &st);
    zs_err cerr = {{0}};
    zs_rc crc = zs_kafka_consumer_close(c, &cerr);
    if (rc != ZS_OK)
        fprintf(stderr, "worker: %s\n", err.msg);
    if (crc != ZS_OK)
        fprintf(stderr, "worker close: %s\n", cerr.msg);
    printf("handled=%llu stored=%llu redelivered=%llu rebalances=%llu\n",
           (unsigned long long)st.handled, (unsigned long long)st.stored,
           (unsigned long long)st.redelivered, (unsigned long long)st.rebalances);
    close(w.fd);
    for (int i = 0; i < n_props; i++)
        free(prop_store[i]);
    return rc == ZS_OK && crc == ZS_OK ? 0 : 1;
}
