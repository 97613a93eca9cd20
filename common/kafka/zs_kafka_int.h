/* Internals shared by the producer and consumer halves of zs_kafka. */
#ifndef ZS_KAFKA_INT_H
#define ZS_KAFKA_INT_H

#include <librdkafka/rdkafka.h>

#include "kafka/zs_kafka.h"

/*
 * Sets defaults (NULL-terminated name/value pairs), then brokers (if non-NULL), then the caller's
 * props on conf. Errors name the property but never the value: values may be secrets.
 */
zs_rc zs_kafka_conf_apply(rd_kafka_conf_t *conf, const char *const *defaults, const char *brokers,
                          const char *const *props, zs_err *err);

/* The value props gives for name (last one wins), or NULL. */
const char *zs_kafka_props_get(const char *const *props, const char *name);

/* Forwards librdkafka's log lines into zs_log (they carry no message payloads). */
void zs_kafka_log_cb(const rd_kafka_t *rk, int level, const char *fac, const char *buf);

#endif
