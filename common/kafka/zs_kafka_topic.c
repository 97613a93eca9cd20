#include "kafka/zs_kafka.h"

#include <stdio.h>
#include <string.h>

const char *const zs_kafka_main_topics[] = {"employee-changed", "booking-recorded", "absence-approved",
                                            NULL};

static int ends_with(const char *s, const char *suffix)
{
    size_t n = strlen(s), m = strlen(suffix);
    return n > m && memcmp(s + n - m, suffix, m) == 0;
}

int zs_kafka_topic_is_retry(const char *topic)
{
    return topic && ends_with(topic, ZS_KAFKA_RETRY_SUFFIX);
}

int zs_kafka_topic_is_dlq(const char *topic)
{
    return topic && ends_with(topic, ZS_KAFKA_DLQ_SUFFIX);
}

static zs_rc derive(const char *topic, const char *suffix, char *out, size_t cap, zs_err *err)
{
    if (!topic || !*topic)
        return zs_err_set(err, ZS_ERR_FAILED, "empty topic name");
    if (zs_kafka_topic_is_retry(topic) || zs_kafka_topic_is_dlq(topic))
        return zs_err_set(err, ZS_ERR_FAILED, "topic '%s' is already a derived topic", topic);
    int n = snprintf(out, cap, "%s%s", topic, suffix);
    if (n < 0 || (size_t)n >= cap || n >= ZS_KAFKA_TOPIC_MAX)
        return zs_err_set(err, ZS_ERR_FAILED, "derived topic name for '%s' is too long", topic);
    return ZS_OK;
}

zs_rc zs_kafka_topic_retry(const char *topic, char *out, size_t cap, zs_err *err)
{
    return derive(topic, ZS_KAFKA_RETRY_SUFFIX, out, cap, err);
}

zs_rc zs_kafka_topic_dlq(const char *topic, char *out, size_t cap, zs_err *err)
{
    return derive(topic, ZS_KAFKA_DLQ_SUFFIX, out, cap, err);
}

zs_rc zs_kafka_topic_base(const char *topic, char *out, size_t cap, zs_err *err)
{
    if (!topic || !*topic)
        return zs_err_set(err, ZS_ERR_FAILED, "empty topic name");
    size_t n = strlen(topic);
    if (zs_kafka_topic_is_retry(topic))
        n -= strlen(ZS_KAFKA_RETRY_SUFFIX);
    else if (zs_kafka_topic_is_dlq(topic))
        n -= strlen(ZS_KAFKA_DLQ_SUFFIX);
    if (n + 1 > cap)
        return zs_err_set(err, ZS_ERR_FAILED, "topic name '%s' does not fit", topic);
    memcpy(out, topic, n);
    out[n] = '\0';
    return ZS_OK;
}
