/*
 * zs_kafka: the producer and consumer every zepsync process uses (librdkafka underneath).
 *
 * Configuration is a NULL-terminated array of alternating librdkafka property names and values
 * ({"bootstrap.servers", "127.0.0.1:9092", "security.protocol", "SASL_SSL", NULL}), applied after
 * the wrapper's defaults, so whatever the config module collects from ZS_KAFKA_<property> reaches
 * librdkafka unchanged. Values are never logged or put into error messages (they may be passwords).
 *
 * Producer: idempotent (enable.idempotence=true), every delivery report is checked. Asynchronous
 * produce reports through an optional callback and a failure counter; zs_kafka_produce_sync()
 * waits for the broker's acknowledgement. Closing flushes.
 *
 * Consumer (DESIGN.md §4): enable.auto.offset.store=false with auto commit on; a message's offset
 * is stored only after the handler says its effect is durable, so a crash replays and never skips.
 * One message is in flight at a time and it is handled inside the poll loop, so a rebalance can
 * never revoke a partition under a running handler. Assignment is cooperative-sticky with
 * incremental assign/unassign. The loop stops when *stop becomes non-zero (set it from SIGTERM):
 * the message in flight is finished and stored, then the consumer is closed (final commit, leave
 * group). A fatal librdkafka error ends the loop with ZS_ERR_FAILED.
 *
 * Group timeouts (session.timeout.ms, heartbeat.interval.ms, max.poll.interval.ms) are left at
 * librdkafka's defaults; pass them in props. Against the devbroker use 6000/500/10000, or the mock
 * cluster takes tens of seconds to rebalance (reference/pipeline.md §1.10).
 */
#ifndef ZS_KAFKA_H
#define ZS_KAFKA_H

#include <signal.h>
#include <stddef.h>
#include <stdint.h>

#include "core/zs_err.h"

/* ---- topic names ---- */

/* The three main topics, NULL-terminated. */
extern const char *const zs_kafka_main_topics[];

#define ZS_KAFKA_RETRY_SUFFIX ".retry"
#define ZS_KAFKA_DLQ_SUFFIX ".dlq"
#define ZS_KAFKA_TOPIC_MAX 250 /* Kafka's own limit is 249 characters */

/* "<topic>.retry" / "<topic>.dlq" into out. ZS_ERR_FAILED when it does not fit or topic is a
 * derived topic already (a retry of a retry would break the derivation). */
zs_rc zs_kafka_topic_retry(const char *topic, char *out, size_t cap, zs_err *err);
zs_rc zs_kafka_topic_dlq(const char *topic, char *out, size_t cap, zs_err *err);
/* The main topic a name derives from ("booking-recorded.dlq" -> "booking-recorded"); a main topic
 * maps to itself. */
zs_rc zs_kafka_topic_base(const char *topic, char *out, size_t cap, zs_err *err);
int zs_kafka_topic_is_retry(const char *topic);
int zs_kafka_topic_is_dlq(const char *topic);

/* ---- headers ---- */

typedef struct zs_kafka_header {
    const char *name;
    const void *value; /* may be NULL (a header without value) */
    size_t len;
} zs_kafka_header;

/* ---- producer ---- */

typedef struct zs_kafka_producer zs_kafka_producer;

/* Result of one delivery, as the broker acknowledged it (or not). */
typedef struct zs_kafka_delivery {
    zs_rc rc;          /* ZS_OK when the broker has the message */
    const char *error; /* librdkafka's reason when rc != ZS_OK */
    const char *topic;
    int32_t partition;
    int64_t offset;
} zs_kafka_delivery;

/* Called from zs_kafka_producer_poll/flush/close on the calling thread. */
typedef void (*zs_kafka_delivery_fn)(const zs_kafka_delivery *d, void *opaque);

/* brokers may be NULL when props carry bootstrap.servers. */
zs_rc zs_kafka_producer_new(zs_kafka_producer **out, const char *brokers,
                            const char *const *props, zs_err *err);

/*
 * Queues one message; key and headers are optional (NULL/0). The delivery is reported to cb (may
 * be NULL) during a later poll/flush. ZS_ERR_RETRY when the local queue stays full for
 * queue_wait_ms (default 1000 ms, see zs_kafka_producer_set_queue_wait), ZS_ERR_FAILED for a fatal
 * producer or a message the client refuses (too large, unknown topic).
 */
zs_rc zs_kafka_produce(zs_kafka_producer *p, const char *topic, const void *key, size_t key_len,
                       const void *value, size_t value_len, const zs_kafka_header *headers,
                       size_t n_headers, zs_kafka_delivery_fn cb, void *opaque, zs_err *err);

/*
 * Produces and waits up to timeout_ms for the acknowledgement. ZS_OK means the message is in the
 * log (acks=all); partition/offset receive its place when non-NULL. ZS_ERR_RETRY on a timeout or
 * retriable failure: the message may still land later, which is safe for idempotent consumers.
 * The wait includes linger.ms (5 ms by default); pass linger.ms=0 where acknowledgement latency
 * matters more than batching.
 */
zs_rc zs_kafka_produce_sync(zs_kafka_producer *p, const char *topic, const void *key,
                            size_t key_len, const void *value, size_t value_len,
                            const zs_kafka_header *headers, size_t n_headers, int timeout_ms,
                            int32_t *partition, int64_t *offset, zs_err *err);

/* Serves delivery reports for up to timeout_ms. Returns how many were served. */
int zs_kafka_producer_poll(zs_kafka_producer *p, int timeout_ms);
void zs_kafka_producer_set_queue_wait(zs_kafka_producer *p, int ms);

/* Waits until every queued message is acknowledged or failed. ZS_ERR_RETRY when messages are
 * still outstanding after timeout_ms; ZS_ERR_FAILED when deliveries failed since the last flush. */
zs_rc zs_kafka_producer_flush(zs_kafka_producer *p, int timeout_ms, zs_err *err);

/* Counters since creation: acknowledged and failed deliveries. */
uint64_t zs_kafka_producer_delivered(const zs_kafka_producer *p);
uint64_t zs_kafka_producer_failed(const zs_kafka_producer *p);

/* Flushes (up to timeout_ms) and destroys. Returns the flush result; p is freed either way. */
zs_rc zs_kafka_producer_close(zs_kafka_producer *p, int timeout_ms, zs_err *err);

/* ---- consumer ---- */

typedef struct zs_kafka_msg {
    const char *topic;
    int32_t partition;
    int64_t offset;
    const void *key; /* NULL when the message has no key */
    size_t key_len;
    const void *value;
    size_t value_len;
    int64_t timestamp_ms; /* -1 when unknown */
    const void *raw;      /* the rd_kafka_message_t, for zs_kafka_msg_header */
} zs_kafka_msg;

/* Last header called name: 0 with value and len set, or -1 when absent. */
int zs_kafka_msg_header(const zs_kafka_msg *m, const char *name, const void **value, size_t *len);

typedef enum zs_kafka_verdict {
    ZS_KAFKA_DURABLE = 0,   /* the effect is durable (applied or parked): store the offset */
    ZS_KAFKA_REDELIVER = 1, /* not durable: rewind the partition and hand it over again later */
    ZS_KAFKA_FATAL = 2,     /* give up: stop the loop without storing, run() returns FAILED */
} zs_kafka_verdict;

typedef zs_kafka_verdict (*zs_kafka_handler_fn)(const zs_kafka_msg *m, void *opaque);

typedef struct zs_kafka_consumer_opts {
    const char *brokers;             /* may be NULL when props carry bootstrap.servers */
    const char *group_id;            /* required */
    const char *const *topics;       /* NULL-terminated, required */
    const char *const *props;        /* NULL-terminated name/value pairs, may be NULL */
    zs_kafka_handler_fn handler;     /* required */
    void *opaque;
    volatile sig_atomic_t *stop;     /* loop ends when *stop != 0; may be NULL */
    int poll_ms;                     /* poll granularity, default 100 */
    int redeliver_backoff_ms;        /* pause after REDELIVER, default 1000 */
    /* End run() with ZS_OK once partitions are assigned and no message arrived for this long
     * (0 = never). For replay tools and tests: "consume what is there, then stop". */
    int idle_exit_ms;
    /* How long close() keeps retrying the final commit while the group rebalances, default
     * 10000. Past it the close goes on and the next owner replays from the last commit. */
    int close_commit_ms;
} zs_kafka_consumer_opts;

typedef struct zs_kafka_consumer_stats {
    uint64_t handled;      /* handler calls */
    uint64_t stored;       /* offsets stored after DURABLE */
    uint64_t redelivered;  /* REDELIVER verdicts */
    uint64_t rebalances;   /* assign + revoke callbacks */
    int assigned;          /* partitions currently assigned */
} zs_kafka_consumer_stats;

typedef struct zs_kafka_consumer zs_kafka_consumer;

/* Creates the client and subscribes. Refuses props that would break the offset discipline
 * (enable.auto.offset.store=true, enable.auto.commit=false). */
zs_rc zs_kafka_consumer_new(zs_kafka_consumer **out, const zs_kafka_consumer_opts *opts,
                            zs_err *err);

/* Runs the poll loop until *stop, idle exit, or a fatal error (ZS_ERR_FAILED). */
zs_rc zs_kafka_consumer_run(zs_kafka_consumer *c, zs_err *err);

void zs_kafka_consumer_get_stats(const zs_kafka_consumer *c, zs_kafka_consumer_stats *out);

/* Commits the stored offsets (retrying through a rebalance, see close_commit_ms), leaves the
 * group and frees. The consumer keeps its own copy of what it stored, so a commit that races a
 * join (and makes librdkafka drop its store as a lost assignment) is repeated with the same
 * offsets once the group has settled; that can take a join round or two. ZS_ERR_RETRY when the final commit did not go through. NULL is a no-op. */
zs_rc zs_kafka_consumer_close(zs_kafka_consumer *c, zs_err *err);

/* ---- parking: moving a message to its retry or dead-letter topic ---- */

typedef enum zs_kafka_park_kind {
    ZS_KAFKA_PARK_RETRY = 0, /* <main topic>.retry, to be tried again at due_ms */
    ZS_KAFKA_PARK_DLQ = 1,   /* <main topic>.dlq, never retried blindly */
} zs_kafka_park_kind;

/* Headers zs_kafka_park() sets; the first three keep the very first origin across retries. */
#define ZS_KAFKA_H_ORIGIN_TOPIC "zs-origin-topic"
#define ZS_KAFKA_H_ORIGIN_PARTITION "zs-origin-partition"
#define ZS_KAFKA_H_ORIGIN_OFFSET "zs-origin-offset"
#define ZS_KAFKA_H_REASON "zs-reason"
#define ZS_KAFKA_H_ATTEMPT "zs-attempt" /* 1 on the first park, +1 on each further one */
#define ZS_KAFKA_H_DUE_MS "zs-due-ms"   /* retry only: epoch milliseconds */

/*
 * Copies m (same key, value and headers) to the retry or dead-letter topic derived from m's main
 * topic (a message read from booking-recorded.retry parks to booking-recorded.retry/.dlq again)
 * and waits for the acknowledgement, so a handler may answer DURABLE once this returned ZS_OK:
 * DESIGN §4's "parked in retry/dead-letter". reason must not contain secrets.
 */
zs_rc zs_kafka_park(zs_kafka_producer *p, const zs_kafka_msg *m, zs_kafka_park_kind kind,
                    const char *reason, int64_t due_ms, int timeout_ms, zs_err *err);

/* ---- test seams ---- */

/* Fabricate a fatal librdkafka error (rd_kafka_test_fatal_error), as fencing or a broken
 * idempotent session would raise it, so tests can check the fatal paths. 0 when triggered. */
int zs_kafka_consumer_test_fatal(zs_kafka_consumer *c, const char *reason);
int zs_kafka_producer_test_fatal(zs_kafka_producer *p, const char *reason);

/* Installs SIGTERM and SIGINT handlers that set *flag (sigaction, no SA_RESTART). 0 or -1. */
int zs_kafka_stop_on_signals(volatile sig_atomic_t *flag);

#endif
