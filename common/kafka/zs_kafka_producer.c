#include <errno.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "kafka/zs_kafka_int.h"
#include "log/zs_log.h"

/*
 * Every message carries one of these as its opaque, so each delivery report finds its way back:
 * to the caller's callback, or to a waiting zs_kafka_produce_sync(). A sync waiter that times out
 * marks it abandoned and the report frees it later, because librdkafka reports every message
 * exactly once, even after the caller stopped waiting.
 */
typedef struct dr_slot {
    zs_kafka_delivery_fn cb;
    void *opaque;
    int sync;
    int done;
    int abandoned;
    rd_kafka_resp_err_t err;
    int32_t partition;
    int64_t offset;
} dr_slot;

struct zs_kafka_producer {
    rd_kafka_t *rk;
    int queue_wait_ms;
    uint64_t delivered;
    uint64_t failed;
    uint64_t failed_at_flush; /* failed count when the last flush reported */
    char last_error[256];
    atomic_int fatal;
};

static const char *const producer_defaults[] = {
    "enable.idempotence", "true",
    /* A broker outage longer than this fails the delivery instead of queueing forever. */
    "message.timeout.ms", "60000",
    "linger.ms", "5",
    NULL,
};

static long now_ms(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return ts.tv_sec * 1000L + ts.tv_nsec / 1000000L;
}

/* Whether sending the same message again could succeed. */
static zs_rc classify(rd_kafka_resp_err_t e)
{
    switch (e) {
    case RD_KAFKA_RESP_ERR_NO_ERROR:
        return ZS_OK;
    case RD_KAFKA_RESP_ERR__FATAL:
    case RD_KAFKA_RESP_ERR_MSG_SIZE_TOO_LARGE:
    case RD_KAFKA_RESP_ERR_TOPIC_AUTHORIZATION_FAILED:
    case RD_KAFKA_RESP_ERR_INVALID_RECORD:
    case RD_KAFKA_RESP_ERR__UNKNOWN_TOPIC:
        return ZS_ERR_FAILED;
    default:
        /* Timed out, broker gone, not enough replicas: the same message may go through later. */
        return ZS_ERR_RETRY;
    }
}

static void dr_msg_cb(rd_kafka_t *rk, const rd_kafka_message_t *m, void *conf_opaque)
{
    (void)rk;
    zs_kafka_producer *p = conf_opaque;
    dr_slot *s = m->_private;
    if (m->err) {
        p->failed++;
        snprintf(p->last_error, sizeof p->last_error, "%s", rd_kafka_err2str(m->err));
    } else {
        p->delivered++;
    }
    if (!s)
        return;
    if (s->sync) {
        s->err = m->err;
        s->partition = m->partition;
        s->offset = m->offset;
        s->done = 1;
        if (s->abandoned)
            free(s);
        return;
    }
    if (s->cb) {
        zs_kafka_delivery d = {
            .rc = m->err ? classify(m->err) : ZS_OK,
            .error = m->err ? rd_kafka_err2str(m->err) : NULL,
            .topic = m->rkt ? rd_kafka_topic_name(m->rkt) : NULL,
            .partition = m->partition,
            .offset = m->offset,
        };
        s->cb(&d, s->opaque);
    }
    free(s);
}

static void error_cb(rd_kafka_t *rk, int err, const char *reason, void *opaque)
{
    zs_kafka_producer *p = opaque;
    if (err == RD_KAFKA_RESP_ERR__FATAL) {
        char buf[256];
        rd_kafka_resp_err_t orig = rd_kafka_fatal_error(rk, buf, sizeof buf);
        atomic_store(&p->fatal, 1);
        zs_log(ZS_LOG_ERROR, NULL, NULL, "kafka producer fatal error: %s: %s",
               rd_kafka_err2name(orig), buf);
        return;
    }
    /* librdkafka retries transport failures itself, and they already arrive through the log
     * callback (facility FAIL); the rest (all brokers down, auth) is worth a line of its own. */
    if (err == RD_KAFKA_RESP_ERR__TRANSPORT)
        return;
    zs_log(ZS_LOG_WARN, NULL, NULL, "kafka producer: %s: %s",
           rd_kafka_err2name((rd_kafka_resp_err_t)err), reason);
}

zs_rc zs_kafka_producer_new(zs_kafka_producer **out, const char *brokers,
                            const char *const *props, zs_err *err)
{
    *out = NULL;
    zs_kafka_producer *p = calloc(1, sizeof *p);
    if (!p)
        return zs_err_set(err, ZS_ERR_FAILED, "out of memory");
    p->queue_wait_ms = 1000;
    rd_kafka_conf_t *conf = rd_kafka_conf_new();
    if (!conf) {
        free(p);
        return zs_err_set(err, ZS_ERR_FAILED, "rd_kafka_conf_new failed");
    }
    zs_rc rc = zs_kafka_conf_apply(conf, producer_defaults, brokers, props, err);
    if (rc != ZS_OK) {
        rd_kafka_conf_destroy(conf);
        free(p);
        return rc;
    }
    rd_kafka_conf_set_opaque(conf, p);
    rd_kafka_conf_set_dr_msg_cb(conf, dr_msg_cb);
    rd_kafka_conf_set_error_cb(conf, error_cb);
    char errstr[512];
    p->rk = rd_kafka_new(RD_KAFKA_PRODUCER, conf, errstr, sizeof errstr);
    if (!p->rk) {
        rd_kafka_conf_destroy(conf);
        free(p);
        /* Typical cause: props contradicting idempotence (acks=1, max.in.flight>5). */
        return zs_err_set(err, ZS_ERR_FAILED, "kafka producer: %s", errstr);
    }
    *out = p;
    return ZS_OK;
}

void zs_kafka_producer_set_queue_wait(zs_kafka_producer *p, int ms)
{
    p->queue_wait_ms = ms < 0 ? 0 : ms;
}

static zs_rc produce_slot(zs_kafka_producer *p, const char *topic, const void *key, size_t key_len,
                          const void *value, size_t value_len, const zs_kafka_header *headers,
                          size_t n_headers, dr_slot *slot, zs_err *err)
{
    if (atomic_load(&p->fatal))
        return zs_err_set(err, ZS_ERR_FAILED, "kafka producer is in a fatal state");
    long deadline = now_ms() + p->queue_wait_ms;
    for (;;) {
        rd_kafka_headers_t *hdrs = NULL;
        if (n_headers) {
            hdrs = rd_kafka_headers_new(n_headers);
            if (!hdrs)
                return zs_err_set(err, ZS_ERR_FAILED, "out of memory");
            for (size_t i = 0; i < n_headers; i++) {
                if (rd_kafka_header_add(hdrs, headers[i].name, -1, headers[i].value,
                                        headers[i].value ? (ssize_t)headers[i].len : 0)) {
                    rd_kafka_headers_destroy(hdrs);
                    return zs_err_set(err, ZS_ERR_FAILED, "cannot add kafka header '%s'",
                                      headers[i].name);
                }
            }
        }
        rd_kafka_resp_err_t e = rd_kafka_producev(
            p->rk, RD_KAFKA_V_TOPIC(topic), RD_KAFKA_V_KEY((void *)key, key ? key_len : 0),
            RD_KAFKA_V_VALUE((void *)value, value_len), RD_KAFKA_V_MSGFLAGS(RD_KAFKA_MSG_F_COPY),
            RD_KAFKA_V_HEADERS(hdrs), RD_KAFKA_V_OPAQUE(slot), RD_KAFKA_V_END);
        if (e == RD_KAFKA_RESP_ERR_NO_ERROR)
            return ZS_OK; /* librdkafka owns hdrs now */
        if (hdrs)
            rd_kafka_headers_destroy(hdrs);
        if (e == RD_KAFKA_RESP_ERR__QUEUE_FULL && now_ms() < deadline) {
            /* Serving delivery reports is what frees queue space. */
            rd_kafka_poll(p->rk, 50);
            continue;
        }
        zs_rc rc = e == RD_KAFKA_RESP_ERR__QUEUE_FULL ? ZS_ERR_RETRY : ZS_ERR_FAILED;
        if (e == RD_KAFKA_RESP_ERR__FATAL)
            atomic_store(&p->fatal, 1);
        return zs_err_set(err, rc, "produce to '%s': %s", topic, rd_kafka_err2str(e));
    }
}

zs_rc zs_kafka_produce(zs_kafka_producer *p, const char *topic, const void *key, size_t key_len,
                       const void *value, size_t value_len, const zs_kafka_header *headers,
                       size_t n_headers, zs_kafka_delivery_fn cb, void *opaque, zs_err *err)
{
    dr_slot *s = NULL;
    if (cb) {
        s = calloc(1, sizeof *s);
        if (!s)
            return zs_err_set(err, ZS_ERR_FAILED, "out of memory");
        s->cb = cb;
        s->opaque = opaque;
    }
    zs_rc rc = produce_slot(p, topic, key, key_len, value, value_len, headers, n_headers, s, err);
    if (rc != ZS_OK)
        free(s);
    rd_kafka_poll(p->rk, 0);
    return rc;
}

zs_rc zs_kafka_produce_sync(zs_kafka_producer *p, const char *topic, const void *key,
                            size_t key_len, const void *value, size_t value_len,
                            const zs_kafka_header *headers, size_t n_headers, int timeout_ms,
                            int32_t *partition, int64_t *offset, zs_err *err)
{
    dr_slot *s = calloc(1, sizeof *s);
    if (!s)
        return zs_err_set(err, ZS_ERR_FAILED, "out of memory");
    s->sync = 1;
    zs_rc rc = produce_slot(p, topic, key, key_len, value, value_len, headers, n_headers, s, err);
    if (rc != ZS_OK) {
        free(s);
        return rc;
    }
    long deadline = now_ms() + timeout_ms;
    while (!s->done && now_ms() < deadline)
        rd_kafka_poll(p->rk, 20);
    if (!s->done) {
        s->abandoned = 1;
        return zs_err_set(err, ZS_ERR_RETRY, "produce to '%s': no acknowledgement within %d ms",
                          topic, timeout_ms);
    }
    rd_kafka_resp_err_t e = s->err;
    if (partition)
        *partition = s->partition;
    if (offset)
        *offset = s->offset;
    free(s);
    if (e == RD_KAFKA_RESP_ERR_NO_ERROR)
        return ZS_OK;
    zs_rc cls = atomic_load(&p->fatal) ? ZS_ERR_FAILED : classify(e);
    return zs_err_set(err, cls, "produce to '%s' not delivered: %s", topic, rd_kafka_err2str(e));
}

int zs_kafka_producer_poll(zs_kafka_producer *p, int timeout_ms)
{
    return rd_kafka_poll(p->rk, timeout_ms);
}

uint64_t zs_kafka_producer_delivered(const zs_kafka_producer *p)
{
    return p->delivered;
}

uint64_t zs_kafka_producer_failed(const zs_kafka_producer *p)
{
    return p->failed;
}

zs_rc zs_kafka_producer_flush(zs_kafka_producer *p, int timeout_ms, zs_err *err)
{
    rd_kafka_resp_err_t e = rd_kafka_flush(p->rk, timeout_ms);
    /* flush() serves the reports it waits for, but a last poll catches ones queued meanwhile. */
    rd_kafka_poll(p->rk, 0);
    if (e == RD_KAFKA_RESP_ERR__TIMED_OUT)
        return zs_err_set(err, ZS_ERR_RETRY, "kafka flush: %d messages still outstanding after %d ms",
                          rd_kafka_outq_len(p->rk), timeout_ms);
    if (p->failed != p->failed_at_flush) {
        uint64_t n = p->failed - p->failed_at_flush;
        p->failed_at_flush = p->failed;
        return zs_err_set(err, ZS_ERR_FAILED, "kafka: %llu deliveries failed, last: %s",
                          (unsigned long long)n, p->last_error);
    }
    return ZS_OK;
}

int zs_kafka_producer_test_fatal(zs_kafka_producer *p, const char *reason)
{
    return rd_kafka_test_fatal_error(p->rk, RD_KAFKA_RESP_ERR_OUT_OF_ORDER_SEQUENCE_NUMBER,
                                     reason)
               ? -1
               : 0;
}

zs_rc zs_kafka_producer_close(zs_kafka_producer *p, int timeout_ms, zs_err *err)
{
    if (!p)
        return ZS_OK;
    zs_rc rc = zs_kafka_producer_flush(p, timeout_ms, err);
    if (rc == ZS_ERR_RETRY) {
        /* What is still queued now is lost with the handle: say so, then make destroy quick. */
        zs_log(ZS_LOG_ERROR, NULL, NULL, "kafka producer closed with %d undelivered messages",
               rd_kafka_outq_len(p->rk));
        rd_kafka_purge(p->rk, RD_KAFKA_PURGE_F_QUEUE | RD_KAFKA_PURGE_F_INFLIGHT);
        /* Serves the purge reports, which frees their slots. */
        rd_kafka_flush(p->rk, 1000);
    }
    rd_kafka_destroy(p->rk);
    free(p);
    return rc;
}
