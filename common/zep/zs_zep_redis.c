/* The Redis-shared pacer for zs_zep (see zs_zep.h). */
#include <stdio.h>

#include "redis/zs_redis.h"
#include "zep/zs_zep.h"

static long redis_acquire(void *ctx, const char *tenant, zs_err *err)
{
    zs_zep_redis_pacer *p = ctx;
    char block_key[ZS_REDIS_KEY_MAX], key[ZS_REDIS_KEY_MAX];
    if (zs_redis_keyf(block_key, sizeof block_key, err, tenant, "ratelimit", "zep-block", NULL) != ZS_OK ||
        zs_redis_keyf(key, sizeof key, err, tenant, "ratelimit", "zep", NULL) != ZS_OK)
        return -1;
    redisReply *rep = NULL;
    if (zs_redis_cmdv(p->redis, &rep, err, "PTTL", block_key, NULL) != ZS_OK)
        return -1;
    long long ttl = rep && rep->type == REDIS_REPLY_INTEGER ? rep->integer : -2;
    zs_redis_reply_free(rep);
    if (ttl > 0)
        return (long)ttl; /* another replica was told to back off */
    long wait = 0;
    if (zs_redis_gcra_take(p->redis, key, p->rate > 0 ? p->rate : ZS_ZEP_PACE_RATE,
                           p->period_ms > 0 ? p->period_ms : ZS_ZEP_PACE_PERIOD_MS,
                           p->burst > 0 ? p->burst : ZS_ZEP_PACE_BURST, &wait, err) != ZS_OK)
        return -1;
    return wait;
}

static void redis_blocked(void *ctx, const char *tenant, long block_ms)
{
    zs_zep_redis_pacer *p = ctx;
    zs_err err;
    char key[ZS_REDIS_KEY_MAX], px[32];
    if (block_ms <= 0 || zs_redis_keyf(key, sizeof key, &err, tenant, "ratelimit", "zep-block", NULL) != ZS_OK)
        return;
    snprintf(px, sizeof px, "%ld", block_ms);
    redisReply *rep = NULL;
    /* best effort: this replica blocks itself anyway; the others learn it if Redis is up */
    if (zs_redis_cmdv(p->redis, &rep, &err, "SET", key, "1", "PX", px, NULL) == ZS_OK)
        zs_redis_reply_free(rep);
}

zs_zep_pacer zs_zep_redis_pacer_iface(zs_zep_redis_pacer *p)
{
    zs_zep_pacer i = {redis_acquire, redis_blocked, p};
    return i;
}
