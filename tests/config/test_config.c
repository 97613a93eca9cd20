/* Unit tests of zs_config: defaults, overrides, bad values, librdkafka pass-through. */
#include "config/zs_config.h"
#include "zs_test.h"

#include <stdlib.h>

static zs_rc load(zs_config *cfg, char *const *env, zs_err *err)
{
    memset(err, 0, sizeof *err);
    return zs_config_load(cfg, env, err);
}

static void test_defaults(void)
{
    char *env[] = {"PATH=/usr/bin", "HOME=/root", NULL};
    zs_config cfg;
    zs_err err;
    ZT_EQ_INT(load(&cfg, env, &err), ZS_OK);
    ZT_EQ_STR(cfg.kafka_brokers, "127.0.0.1:9092");
    ZT_EQ_STR(cfg.kafka_group_prefix, "zepsync");
    ZT_EQ_STR(cfg.redis_url, "redis://127.0.0.1:6379/0");
    ZT_EQ_STR(cfg.tenants_dir, "/etc/zepsync/tenants");
    ZT_EQ_STR(cfg.schemas_dir, ZS_SOURCE_DIR "/schemas");
    ZT_EQ_INT(cfg.log_level, ZS_LOG_INFO);
    ZT_EQ_STR(cfg.http_listen, "0.0.0.0:9464");
    ZT_EQ_STR(cfg.http_host, "0.0.0.0");
    ZT_EQ_INT(cfg.http_port, 9464);
    ZT_EQ_INT(cfg.event_max_bytes, 262144);
    ZT_CHECK(cfg.instance_id == NULL);
    ZT_EQ_INT(cfg.n_kafka_props, 1);
    ZT_EQ_STR(cfg.kafka_props[0], "bootstrap.servers");
    ZT_EQ_STR(cfg.kafka_props[1], "127.0.0.1:9092");
    ZT_CHECK(cfg.kafka_props[2] == NULL);
    ZT_CHECK(cfg.unknown && cfg.unknown[0] == NULL);
    zs_config_release(&cfg);
    ZT_CHECK(cfg.kafka_props == NULL);
}

static void test_overrides(void)
{
    char *env[] = {"ZS_KAFKA_BROKERS=k1:9093,SASL_SSL://k2.example:9094,[::1]:9095",
                   "ZS_KAFKA_GROUP_ID=zs-staging",
                   "ZS_REDIS_URL=rediss://app:s3cr3t@redis.example:6380/2",
                   "ZS_TENANTS_DIR=/srv/tenants",
                   "ZS_SCHEMAS_DIR=/usr/share/zepsync/schemas",
                   "ZS_LOG_LEVEL=DEBUG",
                   "ZS_HTTP_LISTEN=:0",
                   "ZS_EVENT_MAX_BYTES=1MiB",
                   "ZS_INSTANCE_ID=booking-worker-0",
                   NULL};
    zs_config cfg;
    zs_err err;
    ZT_EQ_INT(load(&cfg, env, &err), ZS_OK);
    ZT_EQ_STR(cfg.kafka_brokers, "k1:9093,SASL_SSL://k2.example:9094,[::1]:9095");
    ZT_EQ_STR(zs_config_kafka_get(&cfg, "bootstrap.servers"), cfg.kafka_brokers);
    ZT_EQ_STR(cfg.redis_url, "rediss://app:s3cr3t@redis.example:6380/2");
    ZT_EQ_STR(cfg.tenants_dir, "/srv/tenants");
    ZT_EQ_STR(cfg.schemas_dir, "/usr/share/zepsync/schemas");
    ZT_EQ_INT(cfg.log_level, ZS_LOG_DEBUG);
    ZT_EQ_STR(cfg.http_host, "");
    ZT_EQ_INT(cfg.http_port, 0);
    ZT_EQ_INT(cfg.event_max_bytes, 1048576);
    ZT_EQ_STR(cfg.instance_id, "booking-worker-0");
    char gid[64];
    ZT_EQ_INT(zs_config_group_id(&cfg, "booking-worker", gid, sizeof gid, &err), ZS_OK);
    ZT_EQ_STR(gid, "zs-staging.booking-worker");
    ZT_EQ_INT(zs_config_group_id(&cfg, "bad name", gid, sizeof gid, &err), ZS_ERR_FAILED);
    ZT_EQ_INT(zs_config_group_id(&cfg, "booking-worker", gid, 8, &err), ZS_ERR_FAILED);
    zs_config_release(&cfg);

    char *env2[] = {"ZS_HTTP_LISTEN=[::]:9100", "ZS_EVENT_MAX_BYTES=4096", "ZS_REDIS_URL=unix:///run/redis.sock",
                    "ZS_LOG_LEVEL=", /* empty = unset */ NULL};
    ZT_EQ_INT(load(&cfg, env2, &err), ZS_OK);
    ZT_EQ_STR(cfg.http_host, "::");
    ZT_EQ_INT(cfg.http_port, 9100);
    ZT_EQ_INT(cfg.event_max_bytes, 4096);
    ZT_EQ_INT(cfg.log_level, ZS_LOG_INFO);
    zs_config_release(&cfg);
}

static void expect_bad(char *const *env, const char *want)
{
    zs_config cfg;
    zs_err err;
    ZT_EQ_INT(load(&cfg, env, &err), ZS_ERR_FAILED);
    ZT_CONTAINS(err.msg, want);
    ZT_CHECK(cfg.kafka_brokers == NULL && cfg.kafka_props == NULL);
}

static void test_bad_values(void)
{
    char *e1[] = {"ZS_LOG_LEVEL=loud", NULL};
    expect_bad(e1, "ZS_LOG_LEVEL: unknown level \"loud\"");
    char *e2[] = {"ZS_HTTP_LISTEN=9464", NULL};
    expect_bad(e2, "ZS_HTTP_LISTEN: \"9464\" is not [host]:port");
    char *e3[] = {"ZS_HTTP_LISTEN=0.0.0.0:70000", NULL};
    expect_bad(e3, "ZS_HTTP_LISTEN:");
    char *e4[] = {"ZS_KAFKA_BROKERS=k1:9092,,k2:9092", NULL};
    expect_bad(e4, "ZS_KAFKA_BROKERS: entry 2 \"\" is not host[:port]");
    char *e5[] = {"ZS_KAFKA_BROKERS=k1:port", NULL};
    expect_bad(e5, "ZS_KAFKA_BROKERS: entry 1 \"k1:port\"");
    char *e6[] = {"ZS_REDIS_URL=http://redis:6379", NULL};
    expect_bad(e6, "ZS_REDIS_URL: want redis://, rediss:// or unix://");
    char *e7[] = {"ZS_REDIS_URL=redis://:pw@redis:6379/x", NULL};
    expect_bad(e7, "ZS_REDIS_URL: the database after '/' must be a number");
    char *e8[] = {"ZS_REDIS_URL=redis://user:topsecret@/0", NULL};
    expect_bad(e8, "ZS_REDIS_URL: no valid host[:port]");
    char *e9[] = {"ZS_EVENT_MAX_BYTES=12", NULL};
    expect_bad(e9, "ZS_EVENT_MAX_BYTES: \"12\" must be a size from 1024 to 16777216");
    char *e10[] = {"ZS_EVENT_MAX_BYTES=lots", NULL};
    expect_bad(e10, "ZS_EVENT_MAX_BYTES:");
    char *e11[] = {"ZS_KAFKA_GROUP_ID=my group", NULL};
    expect_bad(e11, "ZS_KAFKA_GROUP_ID: \"my group\"");
    char *e12[] = {"ZS_INSTANCE_ID=pod/1", NULL};
    expect_bad(e12, "ZS_INSTANCE_ID:");
    /* The last port number and one past it. */
    char *e13[] = {"ZS_KAFKA_BROKERS=k1:65536", NULL};
    expect_bad(e13, "ZS_KAFKA_BROKERS: entry 1 \"k1:65536\"");
    char *e14[] = {"ZS_HTTP_LISTEN=127.0.0.1:65536", NULL};
    expect_bad(e14, "ZS_HTTP_LISTEN:");
    zs_config edge;
    zs_err eerr;
    char *top[] = {"ZS_KAFKA_BROKERS=k1:65535", "ZS_HTTP_LISTEN=127.0.0.1:65535", NULL};
    zs_rc erc = load(&edge, top, &eerr);
    ZT_EQ_INT(erc, ZS_OK);
    if (erc == ZS_OK)
        zs_config_release(&edge);

    /* A secret in a bad URL never reaches the message. */
    zs_config cfg;
    zs_err err;
    ZT_EQ_INT(load(&cfg, e8, &err), ZS_ERR_FAILED);
    ZT_CHECK(strstr(err.msg, "topsecret") == NULL);

    /* Every problem is reported, not just the first. */
    char *many[] = {"ZS_LOG_LEVEL=loud", "ZS_HTTP_LISTEN=x", "ZS_KAFKA_lower=1", NULL};
    ZT_EQ_INT(load(&cfg, many, &err), ZS_ERR_FAILED);
    ZT_CONTAINS(err.msg, "ZS_LOG_LEVEL");
    ZT_CONTAINS(err.msg, "; ZS_HTTP_LISTEN");
    ZT_CONTAINS(err.msg, "ZS_KAFKA_lower: does not name a librdkafka property");
}

static void test_passthrough(void)
{
    char *env[] = {"ZS_KAFKA_SECURITY_PROTOCOL=SASL_SSL",
                   "ZS_KAFKA_SASL_MECHANISM=PLAIN",
                   "ZS_KAFKA_SASL_USERNAME=zepsync",
                   "ZS_KAFKA_SASL_PASSWORD=hunter2",
                   "ZS_KAFKA_SSL_CA_LOCATION=/etc/ssl/kafka-ca.pem",
                   "ZS_KAFKA_SESSION_TIMEOUT_MS=6000",
                   "ZS_KAFKA_SSL__KEY=odd-underscore-name",
                   "ZS_KAFKA_STATISTICS_INTERVAL_MS=", /* empty: not passed */
                   "ZS_KAFKA_BROKERS=broker:9092",
                   "ZS_KAFKA_SASL_MECHANISM=SCRAM-SHA-512", /* repeated: the first wins */
                   "ZS_REDIS_ULR=redis://typo:6379",
                   "ZS_TEST_REDIS_URL=redis://127.0.0.1:1/0",
                   "OTHER=1",
                   NULL};
    zs_config cfg;
    zs_err err;
    ZT_EQ_INT(load(&cfg, env, &err), ZS_OK);
    if (!cfg.kafka_props)
        return;
    /* bootstrap first, then sorted by property name. */
    const char *want[] = {"bootstrap.servers", "broker:9092",
                          "sasl.mechanism", "PLAIN",
                          "sasl.password", "hunter2",
                          "sasl.username", "zepsync",
                          "security.protocol", "SASL_SSL",
                          "session.timeout.ms", "6000",
                          "ssl.ca.location", "/etc/ssl/kafka-ca.pem",
                          "ssl_key", "odd-underscore-name",
                          NULL};
    size_t i = 0;
    for (; want[i]; i++) {
        ZT_CHECK(cfg.kafka_props[i] != NULL);
        if (!cfg.kafka_props[i])
            break;
        ZT_EQ_STR(cfg.kafka_props[i], want[i]);
    }
    ZT_CHECK(cfg.kafka_props[i] == NULL);
    ZT_EQ_INT(cfg.n_kafka_props, 8);
    ZT_CHECK(zs_config_kafka_get(&cfg, "statistics.interval.ms") == NULL);
    ZT_EQ_STR(cfg.unknown[0], "ZS_REDIS_ULR");
    ZT_CHECK(cfg.unknown[1] == NULL);

    zs_buf line;
    zs_buf_init(&line);
    ZT_EQ_INT(zs_config_describe(&cfg, &line), 0);
    ZT_CONTAINS(zs_buf_str(&line), "kafka.sasl.password=***");
    ZT_CONTAINS(zs_buf_str(&line), "kafka.sasl.mechanism=PLAIN");
    ZT_CHECK(strstr(zs_buf_str(&line), "hunter2") == NULL);
    zs_buf_release(&line);
    zs_config_release(&cfg);
}

static void test_passthrough_rules(void)
{
    char prop[64];
    ZT_EQ_INT(zs_config_kafka_property("ZS_KAFKA_SASL_MECHANISM", prop, sizeof prop), 0);
    ZT_EQ_STR(prop, "sasl.mechanism");
    ZT_EQ_INT(zs_config_kafka_property("ZS_KAFKA_SSL_CA_LOCATION", prop, sizeof prop), 0);
    ZT_EQ_STR(prop, "ssl.ca.location");
    ZT_EQ_INT(zs_config_kafka_property("ZS_KAFKA_", prop, sizeof prop), -1);
    ZT_EQ_INT(zs_config_kafka_property("ZS_KAFKA_A-B", prop, sizeof prop), -1);
    ZT_EQ_INT(zs_config_kafka_property("ZS_KAFKA__ACKS", prop, sizeof prop), -1);
    ZT_EQ_INT(zs_config_kafka_property("ZS_KAFKA_SSL__KEY", prop, sizeof prop), 0);
    ZT_EQ_STR(prop, "ssl_key");
    ZT_EQ_INT(zs_config_kafka_property("ZS_KAFKA_ACKS_", prop, sizeof prop), -1);
    ZT_EQ_INT(zs_config_kafka_property("ZS_REDIS_URL", prop, sizeof prop), -1);
    ZT_EQ_INT(zs_config_kafka_property("ZS_KAFKA_SESSION_TIMEOUT_MS", prop, 8), -1);
    ZT_EQ_INT(zs_config_kafka_is_secret("sasl.password"), 1);
    ZT_EQ_INT(zs_config_kafka_is_secret("sasl.oauthbearer.client.secret"), 1);
    ZT_EQ_INT(zs_config_kafka_is_secret("ssl.key.password"), 1);
    ZT_EQ_INT(zs_config_kafka_is_secret("ssl.ca.location"), 0);

    /* The brokers may come through the pass-through spelling, but not both ways at once. */
    char *e1[] = {"ZS_KAFKA_BOOTSTRAP_SERVERS=b1:9092", NULL};
    zs_config cfg;
    zs_err err;
    ZT_EQ_INT(load(&cfg, e1, &err), ZS_OK);
    ZT_EQ_STR(cfg.kafka_brokers, "b1:9092");
    ZT_EQ_INT(cfg.n_kafka_props, 1);
    ZT_CHECK(cfg.kafka_props[2] == NULL);
    zs_config_release(&cfg);
    char *e2[] = {"ZS_KAFKA_BOOTSTRAP_SERVERS=b1:9092", "ZS_KAFKA_BROKERS=b2:9092", NULL};
    expect_bad(e2, "ZS_KAFKA_BROKERS and ZS_KAFKA_BOOTSTRAP_SERVERS are both set");
    char *e3[] = {"ZS_KAFKA_BOOTSTRAP_SERVERS=,", NULL};
    expect_bad(e3, "ZS_KAFKA_BOOTSTRAP_SERVERS: entry 1");
    /* The offset discipline of DESIGN §4 is not a knob. */
    char *e4[] = {"ZS_KAFKA_ENABLE_AUTO_OFFSET_STORE=true", NULL};
    expect_bad(e4, "ZS_KAFKA_ENABLE_AUTO_OFFSET_STORE: zepsync manages offset storing itself");
    /* ZS_KAFKA_GROUP_ID is the prefix setting, never passed through as group.id. */
    char *e5[] = {"ZS_KAFKA_GROUP_ID=g", NULL};
    ZT_EQ_INT(load(&cfg, e5, &err), ZS_OK);
    ZT_CHECK(zs_config_kafka_get(&cfg, "group.id") == NULL);
    zs_config_release(&cfg);
}

static void test_process_environment(void)
{
    /* NULL reads the real environment; the test only reads it, never changes it. */
    zs_config cfg;
    zs_err err;
    const char *brokers = zs_config_env(NULL, "ZS_KAFKA_BROKERS");
    zs_rc rc = load(&cfg, NULL, &err);
    if (rc == ZS_OK) {
        ZT_EQ_STR(cfg.kafka_brokers, brokers && *brokers ? brokers : "127.0.0.1:9092");
        zs_config_release(&cfg);
    } else {
        ZT_CONTAINS(err.msg, "config: ");
    }
    char *env[] = {"A=1", "ZS_X=first", "ZS_X=second", "ZS_XY=3", NULL};
    ZT_EQ_STR(zs_config_env(env, "ZS_X"), "first");
    ZT_CHECK(zs_config_env(env, "ZS_") == NULL);
    ZT_CHECK(zs_config_env(env, "B") == NULL);
}

int main(void)
{
    ZT_RUN(test_defaults);
    ZT_RUN(test_overrides);
    ZT_RUN(test_bad_values);
    ZT_RUN(test_passthrough);
    ZT_RUN(test_passthrough_rules);
    ZT_RUN(test_process_environment);
    return zt_summary();
}
