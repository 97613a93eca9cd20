#include "kafka/zs_kafka_int.h"

#include <stdio.h>
#include <string.h>

#include "log/zs_log.h"

const char *zs_kafka_props_get(const char *const *props, const char *name)
{
    const char *v = NULL;
    for (size_t i = 0; props && props[i] && props[i + 1]; i += 2)
        if (strcmp(props[i], name) == 0)
            v = props[i + 1];
    return v;
}

static zs_rc set_pairs(rd_kafka_conf_t *conf, const char *const *pairs, zs_err *err)
{
    char errstr[512];
    for (size_t i = 0; pairs && pairs[i]; i += 2) {
        if (!pairs[i + 1])
            return zs_err_set(err, ZS_ERR_FAILED, "kafka property '%s' has no value", pairs[i]);
        if (rd_kafka_conf_set(conf, pairs[i], pairs[i + 1], errstr, sizeof errstr) !=
            RD_KAFKA_CONF_OK)
            /* errstr from librdkafka may quote the value, which may be a secret: name only. */
            return zs_err_set(err, ZS_ERR_FAILED, "kafka property '%s' rejected by librdkafka",
                              pairs[i]);
    }
    return ZS_OK;
}

zs_rc zs_kafka_conf_apply(rd_kafka_conf_t *conf, const char *const *defaults, const char *brokers,
                          const char *const *props, zs_err *err)
{
    zs_rc rc = set_pairs(conf, defaults, err);
    if (rc != ZS_OK)
        return rc;
    if (brokers) {
        const char *b[] = {"bootstrap.servers", brokers, NULL};
        if ((rc = set_pairs(conf, b, err)) != ZS_OK)
            return rc;
    }
    if ((rc = set_pairs(conf, props, err)) != ZS_OK)
        return rc;
    if (!brokers && !zs_kafka_props_get(props, "bootstrap.servers") &&
        !zs_kafka_props_get(props, "test.mock.num.brokers"))
        return zs_err_set(err, ZS_ERR_FAILED, "no kafka brokers configured (bootstrap.servers)");
    rd_kafka_conf_set_log_cb(conf, zs_kafka_log_cb);
    return ZS_OK;
}

void zs_kafka_log_cb(const rd_kafka_t *rk, int level, const char *fac, const char *buf)
{
    /* syslog levels: 0-3 error, 4 warning, 5-6 info, 7 debug */
    zs_log_level lvl = level <= 3 ? ZS_LOG_ERROR : level == 4 ? ZS_LOG_WARN
                                               : level <= 6   ? ZS_LOG_INFO
                                                              : ZS_LOG_DEBUG;
    if (!zs_log_enabled(lvl))
        return;
    char f[300], n[300];
    char fields[700];
    snprintf(fields, sizeof fields, "\"client\":\"%s\",\"facility\":\"%s\"",
             zs_log_json_escape(rk ? rd_kafka_name(rk) : "", n, sizeof n),
             zs_log_json_escape(fac, f, sizeof f));
    zs_log_kv(lvl, NULL, NULL, fields, "librdkafka: %s", buf);
}
