#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "kafka/zs_kafka_int.h"

/* Headers park() rewrites on every hop; everything else travels unchanged. */
static int is_hop_header(const char *name)
{
    return strcmp(name, ZS_KAFKA_H_REASON) == 0 || strcmp(name, ZS_KAFKA_H_ATTEMPT) == 0 ||
           strcmp(name, ZS_KAFKA_H_DUE_MS) == 0;
}

zs_rc zs_kafka_park(zs_kafka_producer *p, const zs_kafka_msg *m, zs_kafka_park_kind kind,
                    const char *reason, int64_t due_ms, int timeout_ms, zs_err *err)
{
    char base[ZS_KAFKA_TOPIC_MAX], target[ZS_KAFKA_TOPIC_MAX];
    zs_rc rc = zs_kafka_topic_base(m->topic, base, sizeof base, err);
    if (rc == ZS_OK)
        rc = kind == ZS_KAFKA_PARK_DLQ ? zs_kafka_topic_dlq(base, target, sizeof target, err)
                                       : zs_kafka_topic_retry(base, target, sizeof target, err);
    if (rc != ZS_OK)
        return rc;

    rd_kafka_headers_t *in = NULL;
    if (m->raw)
        rd_kafka_message_headers((const rd_kafka_message_t *)m->raw, &in);
    size_t n_in = in ? rd_kafka_header_cnt(in) : 0;
    zs_kafka_header *out = calloc(n_in + 6, sizeof *out);
    if (!out)
        return zs_err_set(err, ZS_ERR_FAILED, "out of memory");
    size_t n = 0;
    int has_origin = 0;
    long attempt = 0;
    for (size_t i = 0; i < n_in; i++) {
        const char *name;
        const void *v;
        size_t len;
        if (rd_kafka_header_get_all(in, i, &name, &v, &len))
            break;
        if (strcmp(name, ZS_KAFKA_H_ORIGIN_TOPIC) == 0)
            has_origin = 1;
        if (strcmp(name, ZS_KAFKA_H_ATTEMPT) == 0 && v && len < 20) {
            char num[24];
            memcpy(num, v, len);
            num[len] = '\0';
            attempt = strtol(num, NULL, 10);
        }
        if (!is_hop_header(name))
            out[n++] = (zs_kafka_header){name, v, len};
    }
    char part[16], off[24], att[24], due[24];
    if (!has_origin) {
        snprintf(part, sizeof part, "%d", (int)m->partition);
        snprintf(off, sizeof off, "%lld", (long long)m->offset);
        out[n++] = (zs_kafka_header){ZS_KAFKA_H_ORIGIN_TOPIC, m->topic, strlen(m->topic)};
        out[n++] = (zs_kafka_header){ZS_KAFKA_H_ORIGIN_PARTITION, part, strlen(part)};
        out[n++] = (zs_kafka_header){ZS_KAFKA_H_ORIGIN_OFFSET, off, strlen(off)};
    }
    snprintf(att, sizeof att, "%ld", attempt + 1);
    out[n++] = (zs_kafka_header){ZS_KAFKA_H_ATTEMPT, att, strlen(att)};
    if (reason)
        out[n++] = (zs_kafka_header){ZS_KAFKA_H_REASON, reason, strlen(reason)};
    if (kind == ZS_KAFKA_PARK_RETRY) {
        snprintf(due, sizeof due, "%lld", (long long)due_ms);
        out[n++] = (zs_kafka_header){ZS_KAFKA_H_DUE_MS, due, strlen(due)};
    }
    rc = zs_kafka_produce_sync(p, target, m->key, m->key_len, m->value, m->value_len, out, n,
                               timeout_ms, NULL, NULL, err);
    free(out);
    if (rc != ZS_OK)
        return zs_err_wrap(err, rc, "park %s[%d]@%lld", m->topic, (int)m->partition,
                           (long long)m->offset);
    return ZS_OK;
}
