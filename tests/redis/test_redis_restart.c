/*
 * A private redis-server (password, database 2) is killed and started again on the same port in
 * the middle of the work. The wrapper must report ZS_ERR_RETRY while it is gone, reconnect on its
 * own (AUTH and SELECT again) once it is back, and run every script again although the restarted
 * server's script cache is empty (NOSCRIPT handled by reloading).
 */
#include "redis/zs_redis.h"
#include "rt_server.h"
#include "zs_test.h"

#include <signal.h>
#include <stdlib.h>
#include <time.h>
#include <unistd.h>

static rt_server srv = {.password = "s3cret-Pw"};
static char url[256];

static long now_ms(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return ts.tv_sec * 1000L + ts.tv_nsec / 1000000L;
}

/* Retries a ping as a worker's backoff loop would; returns the number of failed attempts, or -1. */
static int ping_until_ok(zs_redis *r, long timeout_ms)
{
    long end = now_ms() + timeout_ms;
    int failures = 0;
    zs_err err;
    while (now_ms() < end) {
        zs_rc rc = zs_redis_ping(r, &err);
        if (rc == ZS_OK)
            return failures;
        if (rc != ZS_ERR_RETRY) {
            zt_fail(__FILE__, __LINE__, "ping gave %s: %s", zs_rc_name(rc), err.msg);
            return -1;
        }
        failures++;
        usleep(50 * 1000);
    }
    return -1;
}

static void use_every_script(zs_redis *r, const char *tag, const char *owner,
                             zs_redis_claim_state want_claim)
{
    zs_err err;
    char k[128], h[128], rl[128], tmp[128];
    zs_redis_keyf(k, sizeof k, &err, "t-restart", "idem", tag, NULL);
    zs_redis_keyf(h, sizeof h, &err, "t-restart", "hash", tag, NULL);
    zs_redis_keyf(rl, sizeof rl, &err, "t-restart", "rl", tag, NULL);
    zs_redis_keyf(tmp, sizeof tmp, &err, "t-restart", "idem", tag, "tmp", NULL);
    zs_redis_claim_state st = -1;
    ZT_EQ_INT(zs_redis_claim(r, k, owner, 30000, &st, NULL, &err), ZS_OK);
    ZT_EQ_INT(st, want_claim);
    ZT_EQ_INT(zs_redis_done(r, k, owner, "remote-1", 8, 60000, &err), ZS_OK);
    ZT_EQ_INT(zs_redis_claim(r, tmp, owner, 30000, &st, NULL, &err), ZS_OK);
    int released = -1;
    ZT_EQ_INT(zs_redis_release(r, tmp, owner, &released, &err), ZS_OK);
    ZT_EQ_INT(released, 1);
    int changed = -1;
    ZT_EQ_INT(zs_redis_hash_cas(r, h, "abc", 0, &changed, &err), ZS_OK);
    ZT_EQ_INT(changed, 1);
    long wait = -1;
    ZT_EQ_INT(zs_redis_gcra_take(r, rl, 10, 1000, 1, &wait, &err), ZS_OK);
    ZT_EQ_INT(wait, 0);
    ZT_EQ_INT(zs_redis_gcra_take(r, rl, 10, 1000, 1, &wait, &err), ZS_OK);
    ZT_CHECK(wait > 0);
}

static void test_restart_in_the_middle(void)
{
    zs_err err;
    zs_redis *r = zs_redis_new(&(zs_redis_opts){.url = url, .connect_timeout_ms = 500,
                                                .command_timeout_ms = 1000,
                                                .client_name = "restart-test"},
                               &err);
    if (!r) {
        zt_fail(__FILE__, __LINE__, "new: %s", err.msg);
        return;
    }
    use_every_script(r, "before", "owner-a", ZS_CLAIM_CLAIMED);
    zs_redis_stats st = zs_redis_get_stats(r);
    ZT_EQ_INT(st.connects, 1);
    ZT_EQ_INT(st.script_loads, 5);
    ZT_EQ_INT(st.noscript, 0);

    char k[128];
    zs_redis_keyf(k, sizeof k, &err, "t-restart", "idem", "before", NULL);
    zs_redis_claim_state cs = -1;
    zs_buf v;
    zs_buf_init(&v);
    ZT_EQ_INT(zs_redis_claim(r, k, "owner-b", 30000, &cs, &v, &err), ZS_OK);
    ZT_EQ_INT(cs, ZS_CLAIM_DONE);
    ZT_EQ_STR(zs_buf_str(&v), "remote-1");

    /* Crash the server with a pipeline queued: the batch is reported lost, not half-read. */
    const char *argv[3] = {"SET", k, "x"};
    for (int i = 0; i < 50; i++)
        ZT_EQ_INT(zs_redis_pipe_append(r, 3, argv, NULL, &err), ZS_OK);
    rt_server_stop(&srv, SIGKILL);
    redisReply **reps = NULL;
    size_t n = 99;
    ZT_EQ_INT(zs_redis_pipe_exec(r, &reps, &n, &err), ZS_ERR_RETRY);
    ZT_CHECK(reps == NULL && n == 0);
    ZT_EQ_INT(zs_redis_pipe_pending(r), 0);
    ZT_EQ_INT(zs_redis_connected(r), 0);

    /* While it is down every call is a plain retry-later. */
    ZT_EQ_INT(zs_redis_claim(r, k, "owner-b", 30000, &cs, NULL, &err), ZS_ERR_RETRY);
    ZT_EQ_INT(zs_redis_ping(r, &err), ZS_ERR_RETRY);
    ZT_CONTAINS(err.msg, "connect");
    ZT_CHECK(strstr(err.msg, srv.password) == NULL);

    ZT_EQ_INT(rt_server_start(&srv), 0);
    int failures = ping_until_ok(r, 5000);
    ZT_CHECK(failures >= 0);
    st = zs_redis_get_stats(r);
    ZT_EQ_INT(st.connects, 2);

    /* The restarted server lost everything (no persistence): Redis is no source of truth, so the
     * event is claimable again; the sink's reconcile step is what prevents a duplicate. */
    use_every_script(r, "before", "owner-b", ZS_CLAIM_CLAIMED);
    st = zs_redis_get_stats(r);
    ZT_EQ_INT(st.noscript, 5);
    ZT_EQ_INT(st.script_loads, 10);
    ZT_EQ_INT(zs_redis_claim(r, k, "owner-a", 30000, &cs, &v, &err), ZS_OK);
    ZT_EQ_INT(cs, ZS_CLAIM_DONE);

    /* Second round with a clean shutdown, and a stale connection that must be noticed. */
    rt_server_stop(&srv, SIGTERM);
    ZT_EQ_INT(rt_server_start(&srv), 0);
    ZT_EQ_INT(zs_redis_connected(r), 1); /* the context does not know yet */
    ZT_EQ_INT(zs_redis_claim(r, k, "owner-a", 30000, &cs, NULL, &err), ZS_ERR_RETRY);
    ZT_EQ_INT(zs_redis_connected(r), 0);
    ZT_EQ_INT(zs_redis_claim(r, k, "owner-a", 30000, &cs, NULL, &err), ZS_OK);
    ZT_EQ_INT(cs, ZS_CLAIM_CLAIMED);
    st = zs_redis_get_stats(r);
    ZT_EQ_INT(st.connects, 3);
    ZT_EQ_INT(st.noscript, 6);

    /* It really is database 2 and an authenticated session after each reconnect. */
    redisReply *rep = NULL;
    ZT_EQ_INT(zs_redis_cmdv(r, &rep, &err, "CLIENT", "INFO", NULL), ZS_OK);
    ZT_CHECK(rep && rep->type == REDIS_REPLY_STRING && strstr(rep->str, " db=2 "));
    ZT_CHECK(rep && rep->type == REDIS_REPLY_STRING && strstr(rep->str, " name=restart-test "));
    zs_redis_reply_free(rep);
    zs_buf_release(&v);
    zs_redis_free(r);
}

static void test_script_flush_reloads(void)
{
    zs_err err;
    zs_redis *r = zs_redis_new(&(zs_redis_opts){.url = url}, &err);
    if (!r)
        return;
    char k[128];
    zs_redis_keyf(k, sizeof k, &err, "t-restart", "hash", "flush", NULL);
    int changed = -1;
    ZT_EQ_INT(zs_redis_hash_cas(r, k, "one", 0, &changed, &err), ZS_OK);
    ZT_EQ_INT(zs_redis_cmdv(r, NULL, &err, "SCRIPT", "FLUSH", NULL), ZS_OK);
    ZT_EQ_INT(zs_redis_hash_cas(r, k, "one", 0, &changed, &err), ZS_OK);
    ZT_EQ_INT(changed, 0);
    ZT_EQ_INT(zs_redis_get_stats(r).noscript, 1);
    ZT_EQ_INT(zs_redis_get_stats(r).connects, 1);

    /* A custom script through the same machinery, binary-safe arguments included. */
    static zs_redis_script echo = ZS_REDIS_SCRIPT("return {KEYS[1], ARGV[1], #ARGV[1]}");
    const char arg[] = {'a', '\0', 'b'};
    size_t len = sizeof arg;
    const char *args[1] = {arg};
    const char *keys[1] = {k};
    redisReply *rep = NULL;
    ZT_EQ_INT(zs_redis_eval(r, &echo, 1, keys, 1, args, &len, &rep, &err), ZS_OK);
    ZT_CHECK(rep && rep->type == REDIS_REPLY_ARRAY && rep->elements == 3 &&
             strcmp(rep->element[0]->str, k) == 0 && rep->element[1]->len == 3 &&
             rep->element[2]->integer == 3);
    zs_redis_reply_free(rep);
    static zs_redis_script broken = ZS_REDIS_SCRIPT("return redis.call('NOSUCHCMD')");
    ZT_EQ_INT(zs_redis_eval(r, &broken, 0, NULL, 0, NULL, NULL, &rep, &err), ZS_ERR_FAILED);
    ZT_CHECK(rep == NULL);
    zs_redis_free(r);
}

static void test_auth_forms(void)
{
    zs_err err;
    /* An ACL user (Redis 6+ "AUTH user pass") limited to zepsync's key space. */
    zs_redis *admin = zs_redis_new(&(zs_redis_opts){.url = url}, &err);
    if (!admin)
        return;
    ZT_EQ_INT(zs_redis_cmdv(admin, NULL, &err, "ACL", "SETUSER", "worker", "on", ">w0rker%pw",
                            "~zs:*", "+@all", NULL),
              ZS_OK);
    zs_redis_free(admin);
    char u[256];
    snprintf(u, sizeof u, "redis://worker:w0rker%%25pw@127.0.0.1:%d/0", srv.port);
    zs_redis *r = zs_redis_new(&(zs_redis_opts){.url = u}, &err);
    if (!r)
        return;
    ZT_EQ_INT(zs_redis_ping(r, &err), ZS_OK);
    int changed = -1;
    ZT_EQ_INT(zs_redis_hash_cas(r, "zs:{t-acl}:hash:1", "h", 0, &changed, &err), ZS_OK);
    ZT_EQ_INT(changed, 1);
    /* Outside its key pattern the server refuses, and that is an auth problem, not a retry. */
    ZT_EQ_INT(zs_redis_cmdv(r, NULL, &err, "SET", "other:key", "1", NULL), ZS_ERR_AUTH);
    ZT_CONTAINS(err.msg, "NOPERM");
    ZT_EQ_INT(zs_redis_connected(r), 1);
    zs_redis_free(r);
    ZT_CHECK(zs_redis_new(&(zs_redis_opts){.url = url, .client_name = "has space"}, &err) == NULL);
}

static void test_wrong_password_is_auth(void)
{
    char bad[256];
    snprintf(bad, sizeof bad, "redis://:wrong@127.0.0.1:%d/0", srv.port);
    zs_err err;
    zs_redis *r = zs_redis_new(&(zs_redis_opts){.url = bad}, &err);
    if (!r)
        return;
    ZT_EQ_INT(zs_redis_ping(r, &err), ZS_ERR_AUTH);
    ZT_CHECK(strstr(err.msg, "wrong") == NULL || strstr(err.msg, "WRONGPASS") != NULL);
    ZT_EQ_INT(zs_redis_connected(r), 0);
    zs_redis_free(r);

    snprintf(bad, sizeof bad, "redis://127.0.0.1:%d/0", srv.port);
    r = zs_redis_new(&(zs_redis_opts){.url = bad}, &err);
    if (!r)
        return;
    ZT_EQ_INT(zs_redis_ping(r, &err), ZS_ERR_AUTH);
    ZT_CONTAINS(err.msg, "NOAUTH");
    zs_redis_free(r);
}

int main(void)
{
    if (rt_server_start(&srv) != 0) {
        printf("could not start redis-server\n");
        rt_server_cleanup(&srv);
        return 1;
    }
    rt_server_url(&srv, 2, url, sizeof url);
    ZT_RUN(test_restart_in_the_middle);
    ZT_RUN(test_script_flush_reloads);
    ZT_RUN(test_wrong_password_is_auth);
    ZT_RUN(test_auth_forms);
    rt_server_cleanup(&srv);
    return zt_summary();
}
