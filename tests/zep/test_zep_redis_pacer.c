/* The Redis-shared pacer: two "replicas" (own zs_zep and zs_redis handles) share one budget and
 * one 429 block, against the shared redis-server of tests/run.sh and a private sandbox. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "redis/zs_redis.h"
#include "zep/zs_zep.h"
#include "zep_sb.h"

static zep_sb sb;
static char tenant_a[64], tenant_b[64];

typedef struct replica {
    zs_redis *redis;
    zs_zep_redis_pacer rp;
    zs_zep *zep;
} replica;

static int replica_open(replica *r, const char *inst, const char *tenant, long rate, long burst)
{
    zs_err err = {{0}};
    zs_redis_opts ro = {.url = zt_env("ZS_TEST_REDIS_URL")};
    memset(r, 0, sizeof *r);
    r->redis = zs_redis_new(&ro, &err);
    if (!r->redis)
        return -1;
    r->rp = (zs_zep_redis_pacer){.redis = r->redis, .rate = rate, .period_ms = 60000, .burst = burst};
    char rt[80], st[80];
    snprintf(rt, sizeof rt, "%s-rest", inst);
    snprintf(st, sizeof st, "%s-soap", inst);
    zs_zep_cfg cfg = {.base_url = sb.url, .instance = inst, .rest_token = rt, .soap_token = st, .tenant = tenant,
                      .max_pace_wait_ms = 50, .get_retries = -1};
    cfg.pacer = zs_zep_redis_pacer_iface(&r->rp);
    r->zep = zs_zep_new(&cfg, &err);
    return r->zep ? 0 : -1;
}

static void replica_close(replica *r)
{
    zs_zep_free(r->zep);
    zs_redis_free(r->redis);
}

static void purge(const char *tenant)
{
    zs_err err;
    zs_redis_opts ro = {.url = zt_env("ZS_TEST_REDIS_URL")};
    zs_redis *r = zs_redis_new(&ro, &err);
    char k1[ZS_REDIS_KEY_MAX], k2[ZS_REDIS_KEY_MAX];
    zs_redis_keyf(k1, sizeof k1, &err, tenant, "ratelimit", "zep", NULL);
    zs_redis_keyf(k2, sizeof k2, &err, tenant, "ratelimit", "zep-block", NULL);
    redisReply *rep = NULL;
    if (r && zs_redis_cmdv(r, &rep, &err, "DEL", k1, k2, NULL) == ZS_OK)
        zs_redis_reply_free(rep);
    zs_redis_free(r);
}

static void test_replicas_share_one_budget(void)
{
    replica a, b;
    ZT_EQ_INT(replica_open(&a, "zrshared", tenant_a, 6, 6), 0);
    ZT_EQ_INT(replica_open(&b, "zrshared", tenant_a, 6, 6), 0);
    zs_err err = {{0}};
    zs_zep_reason_vec v = {0};
    int ok = 0, refused = 0;
    for (int i = 0; i < 10; i++) {
        replica *r = i % 2 ? &b : &a;
        zs_rc rc = zs_zep_reason_list(r->zep, &v, &err);
        zs_zep_reason_vec_release(&v);
        if (rc == ZS_OK)
            ok++;
        else if (rc == ZS_ERR_RETRY && strstr(err.msg, "zep pacer"))
            refused++;
    }
    ZT_EQ_INT(ok, 6);
    ZT_EQ_INT(refused, 4);
    ZT_EQ_INT(zep_sb_count(&sb, "zrshared", "GET /absence-reasons"), 6);
    /* with a budget per process instead, each would have sent 5 */
    ZT_EQ_INT(zs_zep_requests_sent(a.zep) + zs_zep_requests_sent(b.zep), 6);
    replica_close(&a);
    replica_close(&b);
}

static void test_block_reaches_other_replica(void)
{
    replica a, b;
    ZT_EQ_INT(replica_open(&a, "zrblock", tenant_b, 1000, 100), 0);
    ZT_EQ_INT(replica_open(&b, "zrblock", tenant_b, 1000, 100), 0);
    zs_err err = {{0}};
    zs_zep_reason_vec v = {0};
    zs_rc rc = ZS_OK;
    for (int i = 0; i < 5 && rc == ZS_OK; i++) {
        rc = zs_zep_reason_list(a.zep, &v, &err);
        zs_zep_reason_vec_release(&v);
    }
    ZT_EQ_INT(rc, ZS_ERR_RETRY);
    ZT_EQ_INT(zs_zep_last_status(a.zep), 429);
    long counted = zep_sb_count(&sb, "zrblock", NULL);
    /* b never saw the 429 itself, yet it does not send while the block lasts */
    ZT_EQ_INT(zs_zep_reason_list(b.zep, &v, &err), ZS_ERR_RETRY);
    ZT_CONTAINS(err.msg, "zep pacer");
    ZT_EQ_INT(zs_zep_requests_sent(b.zep), 0);
    ZT_EQ_INT(zep_sb_count(&sb, "zrblock", NULL), counted);
    redisReply *rep = NULL;
    char key[ZS_REDIS_KEY_MAX];
    zs_redis_keyf(key, sizeof key, &err, tenant_b, "ratelimit", "zep-block", NULL);
    ZT_EQ_INT(zs_redis_cmdv(b.redis, &rep, &err, "PTTL", key, NULL), ZS_OK);
    ZT_CHECK(rep && rep->type == REDIS_REPLY_INTEGER && rep->integer > 0 && rep->integer <= 2000);
    zs_redis_reply_free(rep);
    usleep(2200 * 1000);
    ZT_EQ_INT(zs_zep_reason_list(b.zep, &v, &err), ZS_OK);
    zs_zep_reason_vec_release(&v);
    replica_close(&a);
    replica_close(&b);
}

int main(void)
{
    if (!zt_env("ZS_TEST_REDIS_URL")) {
        printf("ZS_TEST_REDIS_URL not set (tests/run.sh sets it): skipping\n");
        return 77;
    }
    snprintf(tenant_a, sizeof tenant_a, "zeppace-a-%d", (int)getpid());
    snprintf(tenant_b, sizeof tenant_b, "zeppace-b-%d", (int)getpid());
    if (zep_sb_start(&sb, "redis", NULL) != 0) {
        fprintf(stderr, "cannot start zepsync-zep-sandbox\n");
        return 1;
    }
    ZT_EQ_INT(zep_sb_instance(&sb, "zrshared", NULL), 201);
    ZT_EQ_INT(zep_sb_instance(&sb, "zrblock", "\"rate_limit\":3,\"rate_block_s\":2"), 201);
    ZT_RUN(test_replicas_share_one_budget);
    ZT_RUN(test_block_reaches_other_replica);
    purge(tenant_a);
    purge(tenant_b);
    zep_sb_stop(&sb);
    return zt_summary();
}
