/*
 * zs_config: process configuration from ZS_* environment variables.
 *
 * Every program reads the same variables, so one container image runs against the embedded
 * broker, a SASL/TLS Kafka cluster, Redis or Redis Cluster just by its environment:
 *
 *   ZS_KAFKA_BROKERS     bootstrap list host:port[,host:port]        127.0.0.1:9092
 *   ZS_KAFKA_GROUP_ID    consumer group prefix: "<prefix>.<consumer>" zepsync
 *   ZS_KAFKA_<PROPERTY>  any librdkafka property, passed through: the name is lower-cased and
 *                        '_' becomes '.' ("__" gives a literal '_'), e.g.
 *                        ZS_KAFKA_SECURITY_PROTOCOL=SASL_SSL -> security.protocol=SASL_SSL
 *   ZS_REDIS_URL         redis://[user:pass@]host[:port][/db], rediss://…, unix:///path
 *                                                                    redis://127.0.0.1:6379/0
 *   ZS_TENANTS_DIR       directory of <tenant>.json files             /etc/zepsync/tenants
 *   ZS_SCHEMAS_DIR       directory of the JSON Schemas                <source tree>/schemas
 *   ZS_LOG_LEVEL         debug | info | warn | error                  info
 *   ZS_HTTP_LISTEN       [host]:port of /metrics, /healthz, /readyz   0.0.0.0:9464 (port 0: any)
 *   ZS_EVENT_MAX_BYTES   largest event accepted/produced (K/M = KiB/MiB) 262144
 *   ZS_INSTANCE_ID       stable identity of this replica (Kafka static membership, lease owner);
 *                        unset by default
 *
 * An empty variable counts as unset (compose files often write VAR=). Values are validated; all
 * problems are reported at once. No I/O: the environment comes in as an envp array (tests pass
 * their own), and nothing here touches files or the network.
 */
#ifndef ZS_CONFIG_H
#define ZS_CONFIG_H

#include <stddef.h>

#include "core/zs_buf.h"
#include "core/zs_err.h"
#include "log/zs_log.h"

#define ZS_CONFIG_DEFAULT_BROKERS "127.0.0.1:9092"
#define ZS_CONFIG_DEFAULT_GROUP_PREFIX "zepsync"
#define ZS_CONFIG_DEFAULT_REDIS_URL "redis://127.0.0.1:6379/0"
#define ZS_CONFIG_DEFAULT_TENANTS_DIR "/etc/zepsync/tenants"
#define ZS_CONFIG_DEFAULT_HTTP_LISTEN "0.0.0.0:9464"
#define ZS_CONFIG_DEFAULT_EVENT_MAX_BYTES (256u * 1024u)

typedef struct zs_config {
    /* All strings are owned by the config and live until zs_config_release(). */
    const char *kafka_brokers;
    const char *kafka_group_prefix;
    const char *redis_url;
    const char *tenants_dir;
    const char *schemas_dir;
    zs_log_level log_level;
    const char *http_listen;
    const char *http_host; /* "" = every interface */
    int http_port;         /* 0 = pick a free port */
    size_t event_max_bytes;
    const char *instance_id; /* NULL when unset */
    /*
     * librdkafka properties: NULL-terminated, alternating name and value, bootstrap.servers
     * first, then the pass-through ones sorted by name. Hand it to the Kafka wrappers as is.
     */
    const char **kafka_props;
    size_t n_kafka_props; /* pairs */
    /* ZS_* variables that no setting reads (likely typos), NULL-terminated; log them as warnings. */
    const char **unknown;
} zs_config;

/*
 * Reads envp (NULL: the process environment). On failure the config holds nothing, the result is
 * ZS_ERR_FAILED and err lists every bad variable: "ZS_LOG_LEVEL: unknown level \"loud\"; …".
 */
zs_rc zs_config_load(zs_config *cfg, char *const envp[], zs_err *err);
void zs_config_release(zs_config *cfg);

/* The value of name in envp (NULL: the process environment), or NULL. First occurrence wins. */
const char *zs_config_env(char *const envp[], const char *name);

/* "ZS_KAFKA_SASL_MECHANISM" -> "sasl.mechanism" into out; -1 if the name does not map. */
int zs_config_kafka_property(const char *env_name, char *out, size_t cap);

/* The librdkafka property value of name, or NULL. */
const char *zs_config_kafka_get(const zs_config *cfg, const char *name);

/* "<prefix>.<consumer>", e.g. "zepsync.booking-worker". */
zs_rc zs_config_group_id(const zs_config *cfg, const char *consumer, char *out, size_t cap,
                         zs_err *err);

/* 1 when a librdkafka property holds a secret (passwords, keys, tokens, JAAS config). */
int zs_config_kafka_is_secret(const char *name);

/* One line for the startup log: every setting, with secrets and URL credentials masked. */
int zs_config_describe(const zs_config *cfg, zs_buf *out);

#endif
