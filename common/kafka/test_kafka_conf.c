/* Configuration checks of the Kafka wrappers that refuse before any connection is attempted. */
#include "kafka/zs_kafka.h"
#include "zs_test.h"

static zs_kafka_verdict never(const zs_kafka_msg *m, void *opaque)
{
    (void)m;
    (void)opaque;
    return ZS_KAFKA_FATAL;
}

static void test_consumer_refuses_what_breaks_the_offset_discipline(void)
{
    zs_err err;
    zs_kafka_consumer *c = (zs_kafka_consumer *)&err; /* must be reset to NULL on failure */
    const char *topics[] = {"employee-changed", NULL};
    const char *store_on[] = {"enable.auto.offset.store", "true", NULL};
    zs_kafka_consumer_opts o = {.brokers = "127.0.0.1:1", .group_id = "g", .topics = topics,
                                .handler = never, .props = store_on};
    ZT_EQ_INT(zs_kafka_consumer_new(&c, &o, &err), ZS_ERR_FAILED);
    ZT_CONTAINS(err.msg, "enable.auto.offset.store must stay false");
    ZT_CHECK(c == NULL);
    /* The last occurrence counts, as it does for librdkafka. */
    const char *store_late[] = {"enable.auto.offset.store", "false", "enable.auto.offset.store",
                                "true", NULL};
    o.props = store_late;
    ZT_EQ_INT(zs_kafka_consumer_new(&c, &o, &err), ZS_ERR_FAILED);
    const char *commit_off[] = {"enable.auto.commit", "false", NULL};
    o.props = commit_off;
    ZT_EQ_INT(zs_kafka_consumer_new(&c, &o, &err), ZS_ERR_FAILED);
    ZT_CONTAINS(err.msg, "enable.auto.commit must stay true");
    o.props = NULL;
    o.group_id = "";
    ZT_EQ_INT(zs_kafka_consumer_new(&c, &o, &err), ZS_ERR_FAILED);
    o.group_id = "g";
    o.handler = NULL;
    ZT_EQ_INT(zs_kafka_consumer_new(&c, &o, &err), ZS_ERR_FAILED);
    o.handler = never;
    const char *none[] = {NULL};
    o.topics = none;
    ZT_EQ_INT(zs_kafka_consumer_new(&c, &o, &err), ZS_ERR_FAILED);
    ZT_EQ_INT(zs_kafka_consumer_new(&c, NULL, &err), ZS_ERR_FAILED);
}

static void test_producer_config_errors_name_the_property_not_the_value(void)
{
    zs_err err;
    zs_kafka_producer *p = NULL;
    const char *acks1[] = {"acks", "1", NULL};
    ZT_EQ_INT(zs_kafka_producer_new(&p, "127.0.0.1:1", acks1, &err), ZS_ERR_FAILED);
    ZT_CONTAINS(err.msg, "acks"); /* librdkafka: idempotence needs acks=all */
    const char *typo[] = {"sasl.pasword", "s3cret-value", NULL};
    ZT_EQ_INT(zs_kafka_producer_new(&p, "127.0.0.1:1", typo, &err), ZS_ERR_FAILED);
    ZT_CONTAINS(err.msg, "'sasl.pasword'");
    ZT_CHECK(strstr(err.msg, "s3cret") == NULL);
    const char *bad_value[] = {"linger.ms", "soon-ish", NULL};
    ZT_EQ_INT(zs_kafka_producer_new(&p, "127.0.0.1:1", bad_value, &err), ZS_ERR_FAILED);
    ZT_CONTAINS(err.msg, "'linger.ms' rejected");
    ZT_CHECK(strstr(err.msg, "soon-ish") == NULL);
    const char *dangling[] = {"linger.ms", NULL};
    ZT_EQ_INT(zs_kafka_producer_new(&p, "127.0.0.1:1", dangling, &err), ZS_ERR_FAILED);
    ZT_CONTAINS(err.msg, "has no value");
    ZT_EQ_INT(zs_kafka_producer_new(&p, NULL, NULL, &err), ZS_ERR_FAILED);
    ZT_CONTAINS(err.msg, "bootstrap.servers");
    ZT_CHECK(p == NULL);
}

int main(void)
{
    ZT_RUN(test_consumer_refuses_what_breaks_the_offset_discipline);
    ZT_RUN(test_producer_config_errors_name_the_property_not_the_value);
    return zt_summary();
}
