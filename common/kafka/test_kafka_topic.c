#include "kafka/zs_kafka.h"
#include "zs_test.h"

static void test_derived_names(void)
{
    char out[ZS_KAFKA_TOPIC_MAX];
    zs_err err;
    ZT_EQ_INT(zs_kafka_topic_retry("booking-recorded", out, sizeof out, &err), ZS_OK);
    ZT_EQ_STR(out, "booking-recorded.retry");
    ZT_EQ_INT(zs_kafka_topic_dlq("booking-recorded", out, sizeof out, &err), ZS_OK);
    ZT_EQ_STR(out, "booking-recorded.dlq");
    ZT_CHECK(zs_kafka_topic_is_retry("booking-recorded.retry"));
    ZT_CHECK(!zs_kafka_topic_is_retry("booking-recorded"));
    ZT_CHECK(!zs_kafka_topic_is_retry(".retry")); /* a suffix alone names no topic */
    ZT_CHECK(zs_kafka_topic_is_dlq("employee-changed.dlq"));
    ZT_CHECK(!zs_kafka_topic_is_dlq("employee-changed.retry"));
}

static void test_base_round_trip(void)
{
    char d[ZS_KAFKA_TOPIC_MAX], b[ZS_KAFKA_TOPIC_MAX];
    zs_err err;
    for (int i = 0; zs_kafka_main_topics[i]; i++) {
        const char *t = zs_kafka_main_topics[i];
        ZT_EQ_INT(zs_kafka_topic_base(t, b, sizeof b, &err), ZS_OK);
        ZT_EQ_STR(b, t);
        ZT_EQ_INT(zs_kafka_topic_retry(t, d, sizeof d, &err), ZS_OK);
        ZT_EQ_INT(zs_kafka_topic_base(d, b, sizeof b, &err), ZS_OK);
        ZT_EQ_STR(b, t);
        ZT_EQ_INT(zs_kafka_topic_dlq(t, d, sizeof d, &err), ZS_OK);
        ZT_EQ_INT(zs_kafka_topic_base(d, b, sizeof b, &err), ZS_OK);
        ZT_EQ_STR(b, t);
    }
    ZT_EQ_INT(zs_kafka_main_topics[3] == NULL, 1);
}

static void test_rejects(void)
{
    char small[10], out[ZS_KAFKA_TOPIC_MAX];
    zs_err err;
    ZT_EQ_INT(zs_kafka_topic_retry("booking-recorded", small, sizeof small, &err), ZS_ERR_FAILED);
    ZT_CONTAINS(err.msg, "too long");
    ZT_EQ_INT(zs_kafka_topic_dlq("booking-recorded.retry", out, sizeof out, &err), ZS_ERR_FAILED);
    ZT_CONTAINS(err.msg, "already a derived topic");
    ZT_EQ_INT(zs_kafka_topic_retry("", out, sizeof out, &err), ZS_ERR_FAILED);
    ZT_EQ_INT(zs_kafka_topic_base(NULL, out, sizeof out, &err), ZS_ERR_FAILED);
    char longname[300];
    memset(longname, 'a', 246); /* + ".dlq" = 250 characters, one over Kafka's limit */
    longname[246] = '\0';
    ZT_EQ_INT(zs_kafka_topic_dlq(longname, out, sizeof out, &err), ZS_ERR_FAILED);
}

int main(void)
{
    ZT_RUN(test_derived_names);
    ZT_RUN(test_base_round_trip);
    ZT_RUN(test_rejects);
    return zt_summary();
}
