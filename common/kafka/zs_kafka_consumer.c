#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "kafka/zs_kafka_int.h"
#include "log/zs_log.h"

/* A partition paused after REDELIVER, resumed when its backoff is over. */
typedef struct paused {
    char topic[ZS_KAFKA_TOPIC_MAX];
    int32_t partition;
    long resume_at_ms;
} paused;

#define MAX_PAUSED 256

/*
 * The offset last stored per partition, kept by us as well as by librdkafka: a commit answered
 * with a stale generation (it raced a member's join) makes librdkafka treat the assignment as
 * lost and forget its stored offsets, although every one of them is durable. lost marks entries
 * whose partitions went away that way; they are committed again once the group has settled.
 */
typedef struct owned {
    char topic[ZS_KAFKA_TOPIC_MAX];
    int32_t partition;
    int64_t next; /* offset to commit: last durable message + 1 */
    int lost;
} owned;

#define MAX_OWNED 512

struct zs_kafka_consumer {
    rd_kafka_t *rk;
    zs_kafka_handler_fn handler;
    void *opaque;
    volatile sig_atomic_t *stop;
    int poll_ms;
    int backoff_ms;
    int idle_exit_ms;
    int close_commit_ms;
    int ever_assigned;
    long last_activity_ms;
    volatile sig_atomic_t fatal;
    zs_kafka_consumer_stats stats;
    paused paused[MAX_PAUSED];
    int n_paused;
    owned owned[MAX_OWNED];
    int n_owned;
    uint64_t assigns; /* assign callbacks: the group has settled on a generation */
};

static const char *const consumer_defaults[] = {
    /* DESIGN §4: the offset is stored by us, after the effect is durable; commit stays automatic
     * so no manual commit races a cooperative rebalance ("generation id is not valid"). */
    "enable.auto.offset.store", "false",
    "enable.auto.commit", "true",
    /* Short, so a crash replays seconds of work rather than the default five. */
    "auto.commit.interval.ms", "1000",
    "partition.assignment.strategy", "cooperative-sticky",
    /* A new group must see every event that is still retained, not only new ones. */
    "auto.offset.reset", "earliest",
    "enable.partition.eof", "false",
    NULL,
};

static long now_ms(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return ts.tv_sec * 1000L + ts.tv_nsec / 1000000L;
}

static void log_partitions(const char *what, const rd_kafka_topic_partition_list_t *parts)
{
    char list[1024] = "";
    size_t n = 0;
    for (int i = 0; i < parts->cnt && n + 64 < sizeof list; i++)
        n += (size_t)snprintf(list + n, sizeof list - n, "%s%s[%d]", i ? "," : "",
                              parts->elems[i].topic, (int)parts->elems[i].partition);
    char esc[1100], fields[1200];
    snprintf(fields, sizeof fields, "\"partitions\":\"%s\"", zs_log_json_escape(list, esc, sizeof esc));
    zs_log_kv(ZS_LOG_INFO, NULL, NULL, fields, "kafka %s %d partitions", what, parts->cnt);
}

static int resume_one(zs_kafka_consumer *c, const paused *p)
{
    rd_kafka_topic_partition_list_t *l = rd_kafka_topic_partition_list_new(1);
    if (!l)
        return -1;
    rd_kafka_topic_partition_list_add(l, p->topic, p->partition);
    rd_kafka_resp_err_t e = rd_kafka_resume_partitions(c->rk, l);
    if (!e)
        e = l->elems[0].err;
    rd_kafka_topic_partition_list_destroy(l);
    return e ? -1 : 0;
}

/* Forgets (and resumes) paused partitions that are being revoked, so a partition that comes back
 * later in another assignment does not stay paused with nobody to resume it. */
static void drop_paused(zs_kafka_consumer *c, const rd_kafka_topic_partition_list_t *parts)
{
    for (int i = 0; i < c->n_paused;) {
        int gone = 0;
        for (int j = 0; j < parts->cnt && !gone; j++)
            gone = parts->elems[j].partition == c->paused[i].partition &&
                   strcmp(parts->elems[j].topic, c->paused[i].topic) == 0;
        if (!gone) {
            i++;
            continue;
        }
        if (resume_one(c, &c->paused[i]) != 0)
            zs_log(ZS_LOG_ERROR, NULL, NULL, "kafka resume %s[%d] on revoke failed",
                   c->paused[i].topic, (int)c->paused[i].partition);
        c->paused[i] = c->paused[--c->n_paused];
    }
}

static int part_in(const rd_kafka_topic_partition_list_t *parts, const char *topic, int32_t part)
{
    for (int j = 0; j < parts->cnt; j++)
        if (parts->elems[j].partition == part && strcmp(parts->elems[j].topic, topic) == 0)
            return 1;
    return 0;
}

static void owned_remove_at(zs_kafka_consumer *c, int i)
{
    c->owned[i] = c->owned[--c->n_owned];
}

/* A regular revoke: librdkafka commits these itself on unassign, and they are someone else's
 * afterwards, so a later commit of ours must not rewind them. A lost one keeps its entries. */
static void owned_revoke(zs_kafka_consumer *c, const rd_kafka_topic_partition_list_t *parts,
                         int lost)
{
    for (int i = 0; i < c->n_owned;) {
        if (!part_in(parts, c->owned[i].topic, c->owned[i].partition)) {
            i++;
        } else if (lost) {
            c->owned[i++].lost = 1;
        } else {
            owned_remove_at(c, i);
        }
    }
}

/* Explicit offsets of the entries (all, or only the lost ones), NULL when there are none. */
static rd_kafka_topic_partition_list_t *owned_list(const zs_kafka_consumer *c, int only_lost)
{
    rd_kafka_topic_partition_list_t *l = NULL;
    for (int i = 0; i < c->n_owned; i++) {
        if (only_lost && !c->owned[i].lost)
            continue;
        if (!l && !(l = rd_kafka_topic_partition_list_new(c->n_owned)))
            return NULL;
        rd_kafka_topic_partition_list_add(l, c->owned[i].topic, c->owned[i].partition)->offset =
            c->owned[i].next;
    }
    return l;
}

/*
 * After an assignment was lost, once the group has settled (the next assign): partitions that
 * came back are stored again, so the regular commits carry them; the offsets of those that went
 * elsewhere are committed now, before their new owner has gone far. Committing a durable prefix
 * can only ever replay, never skip.
 */
static void owned_settle(zs_kafka_consumer *c, const rd_kafka_topic_partition_list_t *parts)
{
    rd_kafka_topic_partition_list_t *gone = NULL;
    for (int i = 0; i < c->n_owned;) {
        owned *o = &c->owned[i];
        if (!o->lost) {
            i++;
            continue;
        }
        if (part_in(parts, o->topic, o->partition)) {
            rd_kafka_topic_partition_list_t *l = rd_kafka_topic_partition_list_new(1);
            rd_kafka_resp_err_t e = RD_KAFKA_RESP_ERR__FAIL;
            if (l) {
                rd_kafka_topic_partition_list_add(l, o->topic, o->partition)->offset = o->next;
                e = rd_kafka_offsets_store(c->rk, l);
                if (!e)
                    e = l->elems[0].err;
                rd_kafka_topic_partition_list_destroy(l);
            }
            if (e)
                zs_log(ZS_LOG_WARN, NULL, NULL, "kafka offset re-store %s[%d]@%lld: %s",
                       o->topic, (int)o->partition, (long long)o->next, rd_kafka_err2str(e));
            o->lost = 0;
            i++;
            continue;
        }
        if (!gone)
            gone = rd_kafka_topic_partition_list_new(c->n_owned);
        if (gone)
            rd_kafka_topic_partition_list_add(gone, o->topic, o->partition)->offset = o->next;
        owned_remove_at(c, i);
    }
    if (gone) {
        /* Asynchronous: the rebalance callback must not block on the coordinator. */
        rd_kafka_resp_err_t e = rd_kafka_commit(c->rk, gone, 1);
        if (e)
            zs_log(ZS_LOG_WARN, NULL, NULL, "kafka commit of lost partitions: %s",
                   rd_kafka_err2str(e));
        rd_kafka_topic_partition_list_destroy(gone);
    }
}

static void rebalance_cb(rd_kafka_t *rk, rd_kafka_resp_err_t err,
                         rd_kafka_topic_partition_list_t *parts, void *opaque)
{
    zs_kafka_consumer *c = opaque;
    int coop = strcmp(rd_kafka_rebalance_protocol(rk), "COOPERATIVE") == 0;
    rd_kafka_error_t *error = NULL;
    rd_kafka_resp_err_t e = RD_KAFKA_RESP_ERR_NO_ERROR;
    c->stats.rebalances++;
    switch (err) {
    case RD_KAFKA_RESP_ERR__ASSIGN_PARTITIONS:
        log_partitions("assigned", parts);
        if (coop)
            error = rd_kafka_incremental_assign(rk, parts);
        else
            e = rd_kafka_assign(rk, parts);
        c->stats.assigned = coop ? c->stats.assigned + parts->cnt : parts->cnt;
        owned_settle(c, parts);
        c->assigns++;
        c->ever_assigned = 1;
        c->last_activity_ms = now_ms();
        break;
    case RD_KAFKA_RESP_ERR__REVOKE_PARTITIONS:
        /*
         * Handlers run inside the poll loop, so nothing is in flight here: every message handed
         * out has been settled and, if durable, stored. The final commit happens on unassign.
         */
        log_partitions(rd_kafka_assignment_lost(rk) ? "lost" : "revoked", parts);
        drop_paused(c, parts);
        owned_revoke(c, parts, rd_kafka_assignment_lost(rk));
        if (coop)
            error = rd_kafka_incremental_unassign(rk, parts);
        else
            e = rd_kafka_assign(rk, NULL);
        c->stats.assigned = coop ? c->stats.assigned - parts->cnt : 0;
        if (c->stats.assigned < 0)
            c->stats.assigned = 0;
        break;
    default:
        zs_log(ZS_LOG_ERROR, NULL, NULL, "kafka rebalance failed: %s", rd_kafka_err2str(err));
        e = rd_kafka_assign(rk, NULL);
        c->stats.assigned = 0;
        c->n_paused = 0;
        c->n_owned = 0;
        break;
    }
    if (error) {
        zs_log(ZS_LOG_ERROR, NULL, NULL, "kafka incremental (un)assign: %s",
               rd_kafka_error_string(error));
        rd_kafka_error_destroy(error);
    } else if (e) {
        zs_log(ZS_LOG_ERROR, NULL, NULL, "kafka assign: %s", rd_kafka_err2str(e));
    }
}

static void error_cb(rd_kafka_t *rk, int err, const char *reason, void *opaque)
{
    zs_kafka_consumer *c = opaque;
    if (err == RD_KAFKA_RESP_ERR__FATAL) {
        char buf[256];
        rd_kafka_resp_err_t orig = rd_kafka_fatal_error(rk, buf, sizeof buf);
        c->fatal = 1;
        zs_log(ZS_LOG_ERROR, NULL, NULL, "kafka consumer fatal error: %s: %s",
               rd_kafka_err2name(orig), buf);
        return;
    }
    /* Transport failures already arrive through the log callback (facility FAIL). */
    if (err == RD_KAFKA_RESP_ERR__TRANSPORT)
        return;
    zs_log(ZS_LOG_WARN, NULL, NULL, "kafka consumer: %s: %s",
           rd_kafka_err2name((rd_kafka_resp_err_t)err), reason);
}

zs_rc zs_kafka_consumer_new(zs_kafka_consumer **out, const zs_kafka_consumer_opts *o, zs_err *err)
{
    *out = NULL;
    if (!o || !o->group_id || !*o->group_id || !o->topics || !o->topics[0] || !o->handler)
        return zs_err_set(err, ZS_ERR_FAILED, "kafka consumer needs group_id, topics and handler");
    const char *store = zs_kafka_props_get(o->props, "enable.auto.offset.store");
    const char *commit = zs_kafka_props_get(o->props, "enable.auto.commit");
    if (store && strcmp(store, "false") != 0)
        return zs_err_set(err, ZS_ERR_FAILED,
                          "enable.auto.offset.store must stay false (offsets are stored after "
                          "the effect is durable)");
    if (commit && strcmp(commit, "true") != 0)
        return zs_err_set(err, ZS_ERR_FAILED,
                          "enable.auto.commit must stay true (stored offsets are committed by "
                          "librdkafka)");
    zs_kafka_consumer *c = calloc(1, sizeof *c);
    if (!c)
        return zs_err_set(err, ZS_ERR_FAILED, "out of memory");
    c->handler = o->handler;
    c->opaque = o->opaque;
    c->stop = o->stop;
    c->poll_ms = o->poll_ms > 0 ? o->poll_ms : 100;
    c->backoff_ms = o->redeliver_backoff_ms > 0 ? o->redeliver_backoff_ms : 1000;
    c->idle_exit_ms = o->idle_exit_ms > 0 ? o->idle_exit_ms : 0;
    c->close_commit_ms = o->close_commit_ms > 0 ? o->close_commit_ms : 10000;

    rd_kafka_conf_t *conf = rd_kafka_conf_new();
    if (!conf) {
        free(c);
        return zs_err_set(err, ZS_ERR_FAILED, "rd_kafka_conf_new failed");
    }
    char errstr[512];
    zs_rc rc = zs_kafka_conf_apply(conf, consumer_defaults, o->brokers, o->props, err);
    if (rc == ZS_OK &&
        rd_kafka_conf_set(conf, "group.id", o->group_id, errstr, sizeof errstr) != RD_KAFKA_CONF_OK)
        rc = zs_err_set(err, ZS_ERR_FAILED, "kafka group.id: %s", errstr);
    if (rc != ZS_OK) {
        rd_kafka_conf_destroy(conf);
        free(c);
        return rc;
    }
    rd_kafka_conf_set_opaque(conf, c);
    rd_kafka_conf_set_rebalance_cb(conf, rebalance_cb);
    rd_kafka_conf_set_error_cb(conf, error_cb);
    c->rk = rd_kafka_new(RD_KAFKA_CONSUMER, conf, errstr, sizeof errstr);
    if (!c->rk) {
        rd_kafka_conf_destroy(conf);
        free(c);
        return zs_err_set(err, ZS_ERR_FAILED, "kafka consumer: %s", errstr);
    }
    /* One queue for messages, rebalances and errors: everything is served by consumer_poll. */
    rd_kafka_poll_set_consumer(c->rk);
    rd_kafka_topic_partition_list_t *subs = rd_kafka_topic_partition_list_new(4);
    if (!subs) {
        rd_kafka_destroy(c->rk);
        free(c);
        return zs_err_set(err, ZS_ERR_FAILED, "out of memory");
    }
    for (size_t i = 0; o->topics[i]; i++)
        rd_kafka_topic_partition_list_add(subs, o->topics[i], RD_KAFKA_PARTITION_UA);
    rd_kafka_resp_err_t e = rd_kafka_subscribe(c->rk, subs);
    rd_kafka_topic_partition_list_destroy(subs);
    if (e) {
        rd_kafka_destroy(c->rk);
        free(c);
        return zs_err_set(err, ZS_ERR_FAILED, "kafka subscribe: %s", rd_kafka_err2str(e));
    }
    c->last_activity_ms = now_ms();
    *out = c;
    return ZS_OK;
}

int zs_kafka_msg_header(const zs_kafka_msg *m, const char *name, const void **value, size_t *len)
{
    rd_kafka_headers_t *hdrs = NULL;
    if (!m->raw || rd_kafka_message_headers((const rd_kafka_message_t *)m->raw, &hdrs) || !hdrs)
        return -1;
    const void *v = NULL;
    size_t n = 0;
    if (rd_kafka_header_get_last(hdrs, name, &v, &n))
        return -1;
    *value = v;
    *len = n;
    return 0;
}

static zs_rc store_offset(zs_kafka_consumer *c, const rd_kafka_message_t *m)
{
    rd_kafka_topic_partition_list_t *l = rd_kafka_topic_partition_list_new(1);
    if (!l)
        return ZS_ERR_FAILED;
    /* The committed offset is the next one to read, hence +1. */
    rd_kafka_topic_partition_list_add(l, rd_kafka_topic_name(m->rkt), m->partition)->offset =
        m->offset + 1;
    rd_kafka_resp_err_t e = rd_kafka_offsets_store(c->rk, l);
    if (!e)
        e = l->elems[0].err;
    rd_kafka_topic_partition_list_destroy(l);
    if (e) {
        /* __STATE: the partition is no longer ours; its new owner replays the message. */
        zs_log(ZS_LOG_WARN, NULL, NULL, "kafka offset store %s[%d]@%lld: %s",
               rd_kafka_topic_name(m->rkt), (int)m->partition, (long long)m->offset,
               rd_kafka_err2str(e));
        return ZS_ERR_RETRY;
    }
    c->stats.stored++;
    const char *topic = rd_kafka_topic_name(m->rkt);
    int i = 0;
    while (i < c->n_owned &&
           !(c->owned[i].partition == m->partition && strcmp(c->owned[i].topic, topic) == 0))
        i++;
    if (i == c->n_owned) {
        if (c->n_owned == MAX_OWNED)
            return ZS_OK; /* beyond the table only librdkafka's copy remains */
        c->n_owned++;
        snprintf(c->owned[i].topic, sizeof c->owned[i].topic, "%s", topic);
        c->owned[i].partition = m->partition;
    }
    c->owned[i].next = m->offset + 1;
    c->owned[i].lost = 0;
    return ZS_OK;
}

/* Rewinds the partition to m and pauses it, so m comes back after the backoff, still in order. */
static void rewind_partition(zs_kafka_consumer *c, const rd_kafka_message_t *m)
{
    const char *topic = rd_kafka_topic_name(m->rkt);
    rd_kafka_topic_partition_list_t *l = rd_kafka_topic_partition_list_new(1);
    if (!l) {
        c->fatal = 1;
        return;
    }
    rd_kafka_topic_partition_list_add(l, topic, m->partition)->offset = m->offset;
    /* Each partition is paused at most once (a paused one delivers nothing), so the table only
     * fills up beyond MAX_PAUSED assigned partitions; then the rewind happens without a pause. */
    int pause = c->n_paused < MAX_PAUSED;
    rd_kafka_resp_err_t e = pause ? rd_kafka_pause_partitions(c->rk, l) : RD_KAFKA_RESP_ERR_NO_ERROR;
    /* Seeking drops whatever was prefetched past m for this partition. */
    rd_kafka_error_t *error = rd_kafka_seek_partitions(c->rk, l, 5000);
    if (error || e || l->elems[0].err) {
        /* Without the rewind the next message of this partition would be stored over m. */
        zs_log(ZS_LOG_ERROR, NULL, NULL, "kafka rewind %s[%d]@%lld failed: %s", topic,
               (int)m->partition, (long long)m->offset,
               error ? rd_kafka_error_string(error) : rd_kafka_err2str(e ? e : l->elems[0].err));
        if (error)
            rd_kafka_error_destroy(error);
        c->fatal = 1;
    } else if (pause) {
        paused *p = &c->paused[c->n_paused++];
        snprintf(p->topic, sizeof p->topic, "%s", topic);
        p->partition = m->partition;
        p->resume_at_ms = now_ms() + c->backoff_ms;
    }
    rd_kafka_topic_partition_list_destroy(l);
}

static void resume_due(zs_kafka_consumer *c)
{
    long now = now_ms();
    for (int i = 0; i < c->n_paused;) {
        if (c->paused[i].resume_at_ms > now) {
            i++;
            continue;
        }
        /* A failed resume stays in the table and is tried again on the next round: forgetting
         * it would leave the partition paused for good. */
        if (resume_one(c, &c->paused[i]) != 0) {
            i++;
            continue;
        }
        c->paused[i] = c->paused[--c->n_paused];
    }
}

zs_rc zs_kafka_consumer_run(zs_kafka_consumer *c, zs_err *err)
{
    while (!(c->stop && *c->stop) && !c->fatal) {
        resume_due(c);
        rd_kafka_message_t *m = rd_kafka_consumer_poll(c->rk, c->poll_ms);
        if (!m) {
            if (c->idle_exit_ms && c->ever_assigned && c->n_paused == 0 &&
                now_ms() - c->last_activity_ms >= c->idle_exit_ms)
                return ZS_OK;
            continue;
        }
        if (m->err == RD_KAFKA_RESP_ERR__FATAL) {
            /* Consumers get fatal errors (fencing) as an error message, not via error_cb. */
            zs_log(ZS_LOG_ERROR, NULL, NULL, "kafka consumer: %s", rd_kafka_message_errstr(m));
            c->fatal = 1;
            rd_kafka_message_destroy(m);
            break;
        }
        if (m->err) {
            /* Informational: librdkafka recovers by itself (broker down, leader moved). */
            if (m->err != RD_KAFKA_RESP_ERR__PARTITION_EOF)
                zs_log(ZS_LOG_WARN, NULL, NULL, "kafka consumer: %s",
                       rd_kafka_message_errstr(m));
            rd_kafka_message_destroy(m);
            continue;
        }
        c->last_activity_ms = now_ms();
        zs_kafka_msg msg = {
            .topic = rd_kafka_topic_name(m->rkt),
            .partition = m->partition,
            .offset = m->offset,
            .key = m->key,
            .key_len = m->key_len,
            .value = m->payload ? m->payload : "",
            .value_len = m->len,
            .timestamp_ms = rd_kafka_message_timestamp(m, NULL),
            .raw = m,
        };
        zs_kafka_verdict v = c->handler(&msg, c->opaque);
        c->stats.handled++;
        if (v == ZS_KAFKA_DURABLE) {
            store_offset(c, m);
        } else if (v == ZS_KAFKA_REDELIVER) {
            c->stats.redelivered++;
            rewind_partition(c, m);
        } else {
            /* msg.topic lives in m's topic handle: use it before m goes. */
            zs_err_set(err, ZS_ERR_FAILED, "kafka handler gave up on %s[%d]@%lld", msg.topic,
                       (int)msg.partition, (long long)msg.offset);
            rd_kafka_message_destroy(m);
            return ZS_ERR_FAILED;
        }
        rd_kafka_message_destroy(m);
    }
    if (c->fatal) {
        char buf[256] = "";
        rd_kafka_resp_err_t e = rd_kafka_fatal_error(c->rk, buf, sizeof buf);
        return zs_err_set(err, ZS_ERR_FAILED, "kafka consumer fatal: %s",
                          e ? buf : "offset rewind failed");
    }
    return ZS_OK;
}

void zs_kafka_consumer_get_stats(const zs_kafka_consumer *c, zs_kafka_consumer_stats *out)
{
    *out = c->stats;
}

static int commit_retriable(rd_kafka_resp_err_t e)
{
    switch (e) {
    case RD_KAFKA_RESP_ERR_REBALANCE_IN_PROGRESS:
    case RD_KAFKA_RESP_ERR_ILLEGAL_GENERATION:
    case RD_KAFKA_RESP_ERR_UNKNOWN_MEMBER_ID:
    case RD_KAFKA_RESP_ERR_COORDINATOR_NOT_AVAILABLE:
    case RD_KAFKA_RESP_ERR_NOT_COORDINATOR:
    case RD_KAFKA_RESP_ERR_COORDINATOR_LOAD_IN_PROGRESS:
    case RD_KAFKA_RESP_ERR_REQUEST_TIMED_OUT:
    case RD_KAFKA_RESP_ERR__TRANSPORT:
    case RD_KAFKA_RESP_ERR__TIMED_OUT:
    case RD_KAFKA_RESP_ERR__WAIT_COORD:
        return 1;
    default:
        return 0;
    }
}

/* Answers that mean the group moved to another generation: only after the next assignment can
 * a commit go through. */
static int commit_needs_rejoin(rd_kafka_resp_err_t e)
{
    return e == RD_KAFKA_RESP_ERR_REBALANCE_IN_PROGRESS ||
           e == RD_KAFKA_RESP_ERR_ILLEGAL_GENERATION || e == RD_KAFKA_RESP_ERR_UNKNOWN_MEMBER_ID;
}

/*
 * Commits the stored offsets before leaving. The commit librdkafka does inside close fails when
 * the group is rebalancing at that moment (another member left or joined: "rebalance in
 * progress", "generation id is not valid"), and a clean stop would then replay everything since
 * the last timer commit. So commit here, our own copy of the offsets (see owned): a commit that
 * races a join is answered with a stale generation, librdkafka then declares the assignment lost
 * and forgets what was stored, and committing its (now empty) store again would report success
 * with nothing committed. When the group is rebalancing, keep polling until it has settled (the
 * next assign), then commit the same offsets again. Messages polled meanwhile are dropped
 * unstored: their next owner gets them.
 */
static zs_rc final_commit(zs_kafka_consumer *c, zs_err *err)
{
    long deadline = now_ms() + c->close_commit_ms;
    for (;;) {
        rd_kafka_resp_err_t e;
        if (c->n_owned == MAX_OWNED) {
            e = rd_kafka_commit(c->rk, NULL, 0); /* more partitions than the table holds */
        } else {
            rd_kafka_topic_partition_list_t *l = owned_list(c, 0);
            if (!l && c->n_owned)
                return zs_err_set(err, ZS_ERR_RETRY, "kafka final commit: out of memory");
            e = l ? rd_kafka_commit(c->rk, l, 0) : RD_KAFKA_RESP_ERR__NO_OFFSET;
            if (l)
                rd_kafka_topic_partition_list_destroy(l);
        }
        if (e == RD_KAFKA_RESP_ERR_NO_ERROR || e == RD_KAFKA_RESP_ERR__NO_OFFSET ||
            (e == RD_KAFKA_RESP_ERR__STATE && c->stats.assigned == 0))
            return ZS_OK;
        if (!commit_retriable(e) || c->fatal)
            return zs_err_set(err, ZS_ERR_RETRY, "kafka final commit: %s", rd_kafka_err2str(e));
        uint64_t seen = c->assigns;
        long until = commit_needs_rejoin(e) ? deadline : now_ms() + 200;
        while (c->assigns == seen && now_ms() < until && now_ms() < deadline && !c->fatal) {
            rd_kafka_message_t *m = rd_kafka_consumer_poll(c->rk, 100);
            if (m)
                rd_kafka_message_destroy(m);
        }
        if (now_ms() >= deadline || c->fatal)
            return zs_err_set(err, ZS_ERR_RETRY, "kafka final commit: %s (gave up after %d ms)",
                              rd_kafka_err2str(e), c->close_commit_ms);
    }
}

zs_rc zs_kafka_consumer_close(zs_kafka_consumer *c, zs_err *err)
{
    if (!c)
        return ZS_OK;
    zs_rc rc = c->fatal ? ZS_OK : final_commit(c, err);
    if (rc != ZS_OK)
        zs_log(ZS_LOG_WARN, NULL, NULL, "%s (the next owner replays from the last commit)",
               err ? err->msg : "kafka final commit failed");
    if (c->fatal) {
        /* A fenced or otherwise fatal consumer may not commit or leave any more, and a regular
         * close then never finishes (seen with librdkafka 2.0.2): tear it down directly. */
        rd_kafka_destroy_flags(c->rk, RD_KAFKA_DESTROY_F_NO_CONSUMER_CLOSE);
        free(c);
        return rc;
    }
    /* Revokes through rebalance_cb, commits once more and leaves the group. */
    rd_kafka_resp_err_t e = rd_kafka_consumer_close(c->rk);
    if (e && rc == ZS_OK)
        rc = zs_err_set(err, ZS_ERR_RETRY, "kafka consumer close: %s", rd_kafka_err2str(e));
    rd_kafka_destroy(c->rk);
    free(c);
    return rc;
}

int zs_kafka_consumer_test_fatal(zs_kafka_consumer *c, const char *reason)
{
    return rd_kafka_test_fatal_error(c->rk, RD_KAFKA_RESP_ERR_FENCED_INSTANCE_ID, reason) ? -1 : 0;
}

static volatile sig_atomic_t *stop_flag;

static void on_stop_signal(int sig)
{
    (void)sig;
    if (stop_flag)
        *stop_flag = 1;
}

int zs_kafka_stop_on_signals(volatile sig_atomic_t *flag)
{
    stop_flag = flag;
    struct sigaction sa;
    memset(&sa, 0, sizeof sa);
    sa.sa_handler = on_stop_signal;
    sigemptyset(&sa.sa_mask);
    if (sigaction(SIGTERM, &sa, NULL) != 0 || sigaction(SIGINT, &sa, NULL) != 0)
        return -1;
    return 0;
}
