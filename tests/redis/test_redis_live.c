/*
 * zs_redis against a real redis-server: commands, the idempotency scripts with two owners and
 * lease expiry, content-hash CAS, the GCRA limiter shared by two connections, pipelining, timeouts
 * and an unreachable server. Uses the shared server of tests/run.sh (ZS_TEST_REDIS_URL) with keys
 * under a tenant unique to this process, or starts its own when run alone.
 */
#include "redis/zs_redis.h"
#include "rt_server.h"
#include "zs_test.h"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <signal.h>
#include <stdlib.h>
#include <time.h>
#include <unistd.h>

static char url[256];
static char tenant[64];

static long now_ms(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return ts.tv_sec * 1000L + ts.tv_nsec / 1000000L;
}

static zs_redis *open_redis(void)
{
    zs_err err;
    zs_redis *r = zs_redis_new(&(zs_redis_opts){.url = url}, &err);
    if (!r)
        zt_fail(__FILE__, __LINE__, "zs_redis_new: %s", err.msg);
    return r;
}

static void key(char *out, size_t cap, const char *kind, const char *id)
{
    zs_err err;
    if (zs_redis_keyf(out, cap, &err, tenant, kind, id, NULL) != ZS_OK)
        zt_fail(__FILE__, __LINE__, "key: %s", err.msg);
}

static long long pttl(zs_redis *r, const char *k)
{
    redisReply *rep;
    zs_err err;
    if (zs_redis_cmdv(r, &rep, &err, "PTTL", k, NULL) != ZS_OK)
        return -100;
    long long v = rep->type == REDIS_REPLY_INTEGER ? rep->integer : -100;
    zs_redis_reply_free(rep);
    return v;
}

static void test_binary_safe_commands(void)
{
    zs_redis *r = open_redis();
    if (!r)
        return;
    zs_err err;
    char k[128];
    key(k, sizeof k, "bin", "1");
    const char val[] = {'a', '\0', 'b', '\r', '\n', 'c'};
    const char *argv[3] = {"SET", k, val};
    size_t lens[3] = {3, strlen(k), sizeof val};
    ZT_EQ_INT(zs_redis_cmd(r, 3, argv, lens, NULL, &err), ZS_OK);
    ZT_EQ_INT(zs_redis_connected(r), 1);
    redisReply *rep = NULL;
    ZT_EQ_INT(zs_redis_cmdv(r, &rep, &err, "GET", k, NULL), ZS_OK);
    ZT_CHECK(rep && rep->type == REDIS_REPLY_STRING && rep->len == sizeof val &&
             memcmp(rep->str, val, sizeof val) == 0);
    zs_redis_reply_free(rep);

    /* An error reply is an answer, not a broken connection: classified, and the link stays up. */
    ZT_EQ_INT(zs_redis_cmdv(r, &rep, &err, "LPUSH", k, "x", NULL), ZS_ERR_FAILED);
    ZT_CHECK(rep == NULL);
    ZT_CONTAINS(err.msg, "WRONGTYPE");
    ZT_EQ_INT(zs_redis_ping(r, &err), ZS_OK);
    zs_redis_stats st = zs_redis_get_stats(r);
    ZT_EQ_INT(st.connects, 1);
    ZT_EQ_INT(st.io_errors, 0);
    ZT_EQ_INT(zs_redis_cmdv(r, NULL, &err, "DEL", k, NULL), ZS_OK);
    ZT_EQ_INT(zs_redis_cmd(r, 0, argv, NULL, NULL, &err), ZS_ERR_FAILED);
    zs_redis_free(r);
}

static void test_claim_done_release_two_owners(void)
{
    zs_redis *a = open_redis(), *b = open_redis();
    if (!a || !b)
        goto out;
    zs_err err;
    char k[128];
    key(k, sizeof k, "idem", "evt-1");
    zs_redis_claim_state st = -1;
    zs_buf val;
    zs_buf_init(&val);

    ZT_EQ_INT(zs_redis_claim(a, k, "owner-a", 30000, &st, &val, &err), ZS_OK);
    ZT_EQ_INT(st, ZS_CLAIM_CLAIMED);
    ZT_EQ_INT(zs_redis_claim(b, k, "owner-b", 30000, &st, &val, &err), ZS_OK);
    ZT_EQ_INT(st, ZS_CLAIM_BUSY);
    /* B does not hold the lease: it can neither finish nor release it. */
    ZT_EQ_INT(zs_redis_done(b, k, "owner-b", "r-b", 3, 60000, &err), ZS_ERR_CONFLICT);
    ZT_CONTAINS(err.msg, "no longer held");
    int released = -1;
    ZT_EQ_INT(zs_redis_release(b, k, "owner-b", &released, &err), ZS_OK);
    ZT_EQ_INT(released, 0);
    /* The owner's own repeated claim renews the lease. */
    ZT_EQ_INT(zs_redis_cmdv(a, NULL, &err, "PEXPIRE", k, "5000", NULL), ZS_OK);
    ZT_EQ_INT(zs_redis_claim(a, k, "owner-a", 30000, &st, &val, &err), ZS_OK);
    ZT_EQ_INT(st, ZS_CLAIM_CLAIMED);
    ZT_CHECK(pttl(a, k) > 5000);

    const char done[] = {'z', 'e', 'p', '\0', '7', '7'};
    ZT_EQ_INT(zs_redis_done(a, k, "owner-a", done, sizeof done, 60000, &err), ZS_OK);
    long long t = pttl(a, k);
    ZT_CHECK(t > 50000 && t <= 60000);
    /* A repeat after a lost reply succeeds; a different value does not overwrite. */
    ZT_EQ_INT(zs_redis_done(a, k, "owner-a", done, sizeof done, 60000, &err), ZS_OK);
    ZT_EQ_INT(zs_redis_done(a, k, "owner-a", "other", 5, 60000, &err), ZS_ERR_CONFLICT);

    ZT_EQ_INT(zs_redis_claim(b, k, "owner-b", 30000, &st, &val, &err), ZS_OK);
    ZT_EQ_INT(st, ZS_CLAIM_DONE);
    ZT_EQ_INT(val.len, sizeof done);
    ZT_CHECK(val.data && memcmp(val.data, done, sizeof done) == 0);
    ZT_EQ_INT(zs_redis_claim(a, k, "owner-a", 30000, &st, NULL, &err), ZS_OK);
    ZT_EQ_INT(st, ZS_CLAIM_DONE);
    /* Release never deletes a done mark. */
    ZT_EQ_INT(zs_redis_release(a, k, "owner-a", &released, &err), ZS_OK);
    ZT_EQ_INT(released, 0);
    ZT_EQ_INT(zs_redis_claim(b, k, "owner-b", 30000, &st, NULL, &err), ZS_OK);
    ZT_EQ_INT(st, ZS_CLAIM_DONE);

    /* Release after a failed attempt hands the event to the next owner at once. */
    key(k, sizeof k, "idem", "evt-2");
    ZT_EQ_INT(zs_redis_claim(a, k, "owner-a", 30000, &st, NULL, &err), ZS_OK);
    ZT_EQ_INT(st, ZS_CLAIM_CLAIMED);
    ZT_EQ_INT(zs_redis_release(a, k, "owner-a", &released, &err), ZS_OK);
    ZT_EQ_INT(released, 1);
    ZT_EQ_INT(zs_redis_claim(b, k, "owner-b", 30000, &st, NULL, &err), ZS_OK);
    ZT_EQ_INT(st, ZS_CLAIM_CLAIMED);
    ZT_EQ_INT(zs_redis_done(b, k, "owner-b", "", 0, 0, &err), ZS_OK);
    ZT_EQ_INT(pttl(b, k), -1);
    ZT_EQ_INT(zs_redis_claim(a, k, "owner-a", 30000, &st, &val, &err), ZS_OK);
    ZT_EQ_INT(st, ZS_CLAIM_DONE);
    ZT_EQ_INT(val.len, 0);

    ZT_EQ_INT(zs_redis_claim(a, k, "", 30000, &st, NULL, &err), ZS_ERR_FAILED);
    ZT_EQ_INT(zs_redis_claim(a, k, "owner-a", 0, &st, NULL, &err), ZS_ERR_FAILED);
    ZT_EQ_INT(zs_redis_done(a, k, "owner-a", "x", 1, -1, &err), ZS_ERR_FAILED);

    zs_redis_stats s = zs_redis_get_stats(a);
    ZT_EQ_INT(s.script_loads, 3); /* claim, done, release: each loaded once for the handle */
    ZT_EQ_INT(s.noscript, 0);
    zs_buf_release(&val);
out:
    zs_redis_free(a);
    zs_redis_free(b);
}

static void test_lease_expiry_hands_over(void)
{
    zs_redis *a = open_redis(), *b = open_redis();
    if (!a || !b)
        goto out;
    zs_err err;
    char k[128];
    key(k, sizeof k, "idem", "evt-lease");
    zs_redis_claim_state st = -1;
    /* A lease long enough that B's claim right after A's cannot outlive it on a loaded machine. */
    ZT_EQ_INT(zs_redis_claim(a, k, "owner-a", 1000, &st, NULL, &err), ZS_OK);
    ZT_EQ_INT(st, ZS_CLAIM_CLAIMED);
    ZT_EQ_INT(zs_redis_claim(b, k, "owner-b", 1000, &st, NULL, &err), ZS_OK);
    ZT_EQ_INT(st, ZS_CLAIM_BUSY);
    usleep(1300 * 1000);
    /* A crashed (or slow) owner's lease ran out: B takes over, and A's late finish is refused. */
    ZT_EQ_INT(zs_redis_claim(b, k, "owner-b", 30000, &st, NULL, &err), ZS_OK);
    ZT_EQ_INT(st, ZS_CLAIM_CLAIMED);
    ZT_EQ_INT(zs_redis_done(a, k, "owner-a", "late", 4, 60000, &err), ZS_ERR_CONFLICT);
    int released = -1;
    ZT_EQ_INT(zs_redis_release(a, k, "owner-a", &released, &err), ZS_OK);
    ZT_EQ_INT(released, 0);
    ZT_EQ_INT(zs_redis_done(b, k, "owner-b", "b-won", 5, 60000, &err), ZS_OK);
    zs_buf v;
    zs_buf_init(&v);
    ZT_EQ_INT(zs_redis_claim(a, k, "owner-a", 30000, &st, &v, &err), ZS_OK);
    ZT_EQ_INT(st, ZS_CLAIM_DONE);
    ZT_EQ_STR(zs_buf_str(&v), "b-won");
    zs_buf_release(&v);
out:
    zs_redis_free(a);
    zs_redis_free(b);
}

static void test_hash_cas(void)
{
    zs_redis *r = open_redis();
    if (!r)
        return;
    zs_err err;
    char k[128];
    key(k, sizeof k, "hash", "employee-42");
    int changed = -1, same = -1;
    ZT_EQ_INT(zs_redis_hash_same(r, k, "h1", &same, &err), ZS_OK);
    ZT_EQ_INT(same, 0);
    ZT_EQ_INT(zs_redis_hash_cas(r, k, "h1", 0, &changed, &err), ZS_OK);
    ZT_EQ_INT(changed, 1);
    ZT_EQ_INT(zs_redis_hash_same(r, k, "h1", &same, &err), ZS_OK);
    ZT_EQ_INT(same, 1);
    ZT_EQ_INT(zs_redis_hash_same(r, k, "h", &same, &err), ZS_OK);
    ZT_EQ_INT(same, 0);
    ZT_EQ_INT(zs_redis_hash_cas(r, k, "h1", 0, &changed, &err), ZS_OK);
    ZT_EQ_INT(changed, 0);
    ZT_EQ_INT(pttl(r, k), -1);
    ZT_EQ_INT(zs_redis_hash_cas(r, k, "h2", 0, &changed, &err), ZS_OK);
    ZT_EQ_INT(changed, 1);
    ZT_EQ_INT(zs_redis_hash_same(r, k, "h1", &same, &err), ZS_OK);
    ZT_EQ_INT(same, 0);
    /* With a TTL the mark is refreshed even when unchanged. */
    ZT_EQ_INT(zs_redis_hash_cas(r, k, "h2", 90000, &changed, &err), ZS_OK);
    ZT_EQ_INT(changed, 0);
    ZT_CHECK(pttl(r, k) > 80000);
    ZT_EQ_INT(zs_redis_hash_cas(r, k, "", 0, &changed, &err), ZS_ERR_FAILED);
    ZT_EQ_INT(zs_redis_cmdv(r, NULL, &err, "DEL", k, NULL), ZS_OK);
    zs_redis_free(r);
}

static void test_gcra_burst_then_rate_shared(void)
{
    zs_redis *a = open_redis(), *b = open_redis();
    if (!a || !b)
        goto out;
    zs_err err;
    char k[128];
    key(k, sizeof k, "rl", "zep");
    /* 10 per second = one every 100 ms, 5 at once. The interval is what a scheduling delay
     * between two calls must stay below (ctest -j2 on 2 cores, ASan), hence not shorter. */
    const long rate = 10, period = 1000, burst = 5, interval = 100;
    long wait = -1;
    for (int i = 0; i < burst; i++) {
        ZT_EQ_INT(zs_redis_gcra_take(i % 2 ? a : b, k, rate, period, burst, &wait, &err), ZS_OK);
        ZT_EQ_INT(wait, 0);
    }
    /* The burst is spent for both connections: the budget lives in Redis, not in a process. */
    ZT_EQ_INT(zs_redis_gcra_take(a, k, rate, period, burst, &wait, &err), ZS_OK);
    ZT_CHECK(wait > 0 && wait <= interval);
    long wait_b = -1;
    ZT_EQ_INT(zs_redis_gcra_take(b, k, rate, period, burst, &wait_b, &err), ZS_OK);
    ZT_CHECK(wait_b > 0 && wait_b <= interval);
    /* A denied request takes nothing: after waiting exactly once, exactly one more is allowed
     * (the next is denied again unless the sleep overran by a whole interval). */
    usleep((useconds_t)wait_b * 1000 + 2000);
    ZT_EQ_INT(zs_redis_gcra_take(b, k, rate, period, burst, &wait, &err), ZS_OK);
    ZT_EQ_INT(wait, 0);
    ZT_EQ_INT(zs_redis_gcra_take(a, k, rate, period, burst, &wait, &err), ZS_OK);
    ZT_CHECK(wait > 0 && wait <= interval);

    /* Paced phase: two clients alternate and obey the waits for ~700 ms. */
    long start = now_ms();
    int allowed = 0, denied = 0;
    while (now_ms() - start < 700) {
        zs_redis *c = (allowed + denied) % 2 ? a : b;
        if (zs_redis_gcra_take(c, k, rate, period, burst, &wait, &err) != ZS_OK) {
            zt_fail(__FILE__, __LINE__, "gcra: %s", err.msg);
            break;
        }
        if (wait == 0)
            allowed++;
        else {
            denied++;
            usleep((useconds_t)(wait < 20 ? wait : 20) * 1000);
        }
    }
    long elapsed = now_ms() - start;
    /* The server cannot grant more than one per interval after the burst (plus the one in flight). */
    ZT_CHECK(allowed <= elapsed / interval + 1);
    ZT_CHECK(allowed >= elapsed / interval / 2);
    ZT_CHECK(denied > 0);
    printf("  gcra paced: %d allowed, %d denied in %ld ms (limit %ld/s)\n", allowed, denied, elapsed,
           rate);

    /* Idle for a whole burst's worth of intervals refills exactly the burst, no more. */
    usleep((useconds_t)(burst * interval + 30) * 1000);
    int run = 0;
    for (int i = 0; i < burst + 3; i++) {
        ZT_EQ_INT(zs_redis_gcra_take(i % 2 ? a : b, k, rate, period, burst, &wait, &err), ZS_OK);
        if (wait != 0)
            break;
        run++;
    }
    ZT_EQ_INT(run, burst);

    ZT_EQ_INT(zs_redis_gcra_take(a, k, 0, period, burst, &wait, &err), ZS_ERR_FAILED);
    ZT_EQ_INT(zs_redis_gcra_take(a, k, rate, period, 1000001, &wait, &err), ZS_ERR_FAILED);
    ZT_EQ_INT(zs_redis_gcra_take(a, k, 1, 86400000L * 300, 1000000, &wait, &err), ZS_ERR_FAILED);
    ZT_EQ_INT(zs_redis_gcra_take(a, k, rate, period, 0, &wait, &err), ZS_ERR_FAILED);
    ZT_EQ_INT(zs_redis_cmdv(a, NULL, &err, "DEL", k, NULL), ZS_OK);
out:
    zs_redis_free(a);
    zs_redis_free(b);
}

static void test_gcra_slow_limit_intervals(void)
{
    zs_redis *r = open_redis();
    if (!r)
        return;
    zs_err err;
    char k[128];
    key(k, sizeof k, "rl", "zep-5min");
    /* ZEP's published budget: 1000 per 5 minutes = one per 300 ms, here with a burst of 2. */
    long wait = -1;
    ZT_EQ_INT(zs_redis_gcra_take(r, k, 1000, 300000, 2, &wait, &err), ZS_OK);
    ZT_EQ_INT(wait, 0);
    ZT_EQ_INT(zs_redis_gcra_take(r, k, 1000, 300000, 2, &wait, &err), ZS_OK);
    ZT_EQ_INT(wait, 0);
    ZT_EQ_INT(zs_redis_gcra_take(r, k, 1000, 300000, 2, &wait, &err), ZS_OK);
    /* one interval (300 ms) minus the time the three calls took */
    ZT_CHECK(wait > 150 && wait <= 300);
    long long t = pttl(r, k);
    ZT_CHECK(t > 0 && t <= 601);
    zs_redis_cmdv(r, NULL, &err, "DEL", k, NULL);
    zs_redis_free(r);
}

static void test_pipeline_1000(void)
{
    zs_redis *r = open_redis();
    if (!r)
        return;
    zs_err err;
    enum { N = 1000 };
    char keys[N][64], vals[N][32];
    for (int i = 0; i < N; i++) {
        char id[16];
        snprintf(id, sizeof id, "p%d", i);
        key(keys[i], sizeof keys[i], "pipe", id);
        snprintf(vals[i], sizeof vals[i], "value-%d", i * 7);
        const char *argv[3] = {"SET", keys[i], vals[i]};
        if (zs_redis_pipe_append(r, 3, argv, NULL, &err) != ZS_OK) {
            zt_fail(__FILE__, __LINE__, "append %d: %s", i, err.msg);
            break;
        }
    }
    ZT_EQ_INT(zs_redis_pipe_pending(r), N);
    /* A plain command would read a queued reply as its own: refused until the pipeline ran. */
    ZT_EQ_INT(zs_redis_ping(r, &err), ZS_ERR_FAILED);
    ZT_CONTAINS(err.msg, "pipelined");
    redisReply **reps = NULL;
    size_t n = 0;
    ZT_EQ_INT(zs_redis_pipe_exec(r, &reps, &n, &err), ZS_OK);
    ZT_EQ_INT(n, N);
    int ok = 0;
    for (size_t i = 0; i < n; i++)
        ok += reps[i]->type == REDIS_REPLY_STATUS && strcmp(reps[i]->str, "OK") == 0;
    ZT_EQ_INT(ok, N);
    zs_redis_replies_free(reps, n);
    ZT_EQ_INT(zs_redis_pipe_pending(r), 0);

    /* Reads come back in order, with a failing command's error in its own slot. */
    for (int i = 0; i < N; i++) {
        const char *argv[2] = {i == 500 ? "INCR" : "GET", keys[i]};
        ZT_EQ_INT(zs_redis_pipe_append(r, 2, argv, NULL, &err), ZS_OK);
    }
    ZT_EQ_INT(zs_redis_pipe_exec(r, &reps, &n, &err), ZS_OK);
    ZT_EQ_INT(n, N);
    int match = 0;
    for (size_t i = 0; i < n; i++)
        if (i != 500)
            match += reps[i]->type == REDIS_REPLY_STRING && strcmp(reps[i]->str, vals[i]) == 0;
    ZT_EQ_INT(match, N - 1);
    ZT_CHECK(n == N && reps[500]->type == REDIS_REPLY_ERROR);
    zs_redis_replies_free(reps, n);

    for (int i = 0; i < N; i++) {
        const char *argv[2] = {"DEL", keys[i]};
        zs_redis_pipe_append(r, 2, argv, NULL, &err);
    }
    ZT_EQ_INT(zs_redis_pipe_exec(r, &reps, &n, &err), ZS_OK);
    long long deleted = 0;
    for (size_t i = 0; i < n; i++)
        deleted += reps[i]->type == REDIS_REPLY_INTEGER ? reps[i]->integer : 0;
    ZT_EQ_INT(deleted, N);
    zs_redis_replies_free(reps, n);
    ZT_EQ_INT(zs_redis_pipe_exec(r, &reps, &n, &err), ZS_OK); /* nothing queued */
    ZT_EQ_INT(n, 0);
    ZT_EQ_INT(zs_redis_get_stats(r).connects, 1);
    zs_redis_free(r);
}

static void test_command_timeout_drops_and_recovers(void)
{
    zs_err err;
    zs_redis *r = zs_redis_new(&(zs_redis_opts){.url = url, .command_timeout_ms = 200}, &err);
    if (!r) {
        zt_fail(__FILE__, __LINE__, "new: %s", err.msg);
        return;
    }
    char k[128];
    key(k, sizeof k, "q", "empty");
    /* BLPOP blocks only this connection, so the shared server stays responsive for others. */
    long t0 = now_ms();
    ZT_EQ_INT(zs_redis_cmdv(r, NULL, &err, "BLPOP", k, "2", NULL), ZS_ERR_RETRY);
    long took = now_ms() - t0;
    ZT_CHECK(took >= 150 && took < 1500);
    ZT_EQ_INT(zs_redis_connected(r), 0);
    ZT_EQ_INT(zs_redis_ping(r, &err), ZS_OK);
    zs_redis_stats st = zs_redis_get_stats(r);
    ZT_EQ_INT(st.io_errors, 1);
    ZT_EQ_INT(st.connects, 2);
    zs_redis_free(r);
}

/* A port nobody can take while the test runs: bound but never listening, so a connection is
 * refused at once (a port from zt_free_port could be picked up by a parallel test meanwhile). */
static int closed_port(int *fd)
{
    struct sockaddr_in a = {.sin_family = AF_INET, .sin_addr.s_addr = htonl(INADDR_LOOPBACK)};
    socklen_t len = sizeof a;
    *fd = socket(AF_INET, SOCK_STREAM, 0);
    if (*fd < 0 || bind(*fd, (struct sockaddr *)&a, sizeof a) != 0 ||
        getsockname(*fd, (struct sockaddr *)&a, &len) != 0) {
        if (*fd >= 0)
            close(*fd);
        *fd = -1;
        return zt_free_port();
    }
    return ntohs(a.sin_port);
}

static void test_unreachable_is_retry(void)
{
    int fd, port = closed_port(&fd);
    char u[128];
    snprintf(u, sizeof u, "redis://127.0.0.1:%d/0", port);
    zs_err err;
    zs_redis *r = zs_redis_new(&(zs_redis_opts){.url = u, .connect_timeout_ms = 500}, &err);
    ZT_CHECK(r != NULL);
    if (!r) {
        if (fd >= 0)
            close(fd);
        return;
    }
    ZT_EQ_INT(zs_redis_connect(r, &err), ZS_ERR_RETRY);
    ZT_CONTAINS(err.msg, "connect");
    zs_redis_claim_state st;
    ZT_EQ_INT(zs_redis_claim(r, "zs:{x}:idem:1", "o", 1000, &st, NULL, &err), ZS_ERR_RETRY);
    long wait;
    ZT_EQ_INT(zs_redis_gcra_take(r, "zs:{x}:rl:1", 1, 1000, 1, &wait, &err), ZS_ERR_RETRY);
    const char *argv[1] = {"PING"};
    ZT_EQ_INT(zs_redis_pipe_append(r, 1, argv, NULL, &err), ZS_ERR_RETRY);
    ZT_EQ_INT(zs_redis_pipe_pending(r), 0);
    ZT_EQ_INT(zs_redis_get_stats(r).connect_errors, 4);
    ZT_EQ_INT(zs_redis_get_stats(r).connects, 0);
    zs_redis_free(r);
    if (fd >= 0)
        close(fd);
}

static void test_database_selection(void)
{
    zs_redis_url u;
    zs_err err;
    if (zs_redis_url_parse(url, &u, &err) != ZS_OK) {
        zt_fail(__FILE__, __LINE__, "url: %s", err.msg);
        return;
    }
    char u5[1024];
    snprintf(u5, sizeof u5, "redis://%s%s%s%s%s:%d/%d", u.user, u.password[0] ? ":" : "",
             u.password, u.password[0] ? "@" : "", u.host, u.port, u.db == 5 ? 6 : 5);
    zs_redis *other = zs_redis_new(&(zs_redis_opts){.url = u5}, &err);
    zs_redis *mine = open_redis();
    if (!other || !mine)
        goto out;
    char k[128];
    key(k, sizeof k, "db", "1");
    ZT_EQ_INT(zs_redis_cmdv(other, NULL, &err, "SET", k, "x", "PX", "60000", NULL), ZS_OK);
    redisReply *rep = NULL;
    ZT_EQ_INT(zs_redis_cmdv(mine, &rep, &err, "EXISTS", k, NULL), ZS_OK);
    ZT_CHECK(rep && rep->type == REDIS_REPLY_INTEGER && rep->integer == 0);
    zs_redis_reply_free(rep);
    ZT_EQ_INT(zs_redis_cmdv(other, &rep, &err, "EXISTS", k, NULL), ZS_OK);
    ZT_CHECK(rep && rep->type == REDIS_REPLY_INTEGER && rep->integer == 1);
    zs_redis_reply_free(rep);
    zs_redis_cmdv(other, NULL, &err, "DEL", k, NULL);
out:
    zs_redis_free(other);
    zs_redis_free(mine);
}

static void test_purge_one_tenant_only(void)
{
    zs_redis *r = open_redis();
    if (!r)
        return;
    zs_err err;
    /* A tenant whose name extends ours must survive: the closing brace ends the match. */
    char longer[80];
    snprintf(longer, sizeof longer, "%s0", tenant);
    enum { N = 2500 };
    const char *kinds[3] = {"idem", "hash", "day"};
    char k[128], id[16];
    for (int i = 0; i < N; i++) {
        snprintf(id, sizeof id, "%d", i);
        zs_redis_keyf(k, sizeof k, &err, tenant, kinds[i % 3], "purge", id, NULL);
        const char *argv[3] = {"SET", k, "1"};
        ZT_CHECK(zs_redis_pipe_append(r, 3, argv, NULL, &err) == ZS_OK);
    }
    zs_redis_keyf(k, sizeof k, &err, longer, "idem", "purge", "x", NULL);
    const char *argv[5] = {"SET", k, "1", "PX", "60000"};
    ZT_CHECK(zs_redis_pipe_append(r, 5, argv, NULL, &err) == ZS_OK);
    redisReply **reps;
    size_t n;
    ZT_EQ_INT(zs_redis_pipe_exec(r, &reps, &n, &err), ZS_OK);
    zs_redis_replies_free(reps, n);

    long long deleted = -1;
    ZT_EQ_INT(zs_redis_purge(r, tenant, "hash", &deleted, &err), ZS_OK);
    ZT_EQ_INT(deleted, N / 3);
    ZT_EQ_INT(zs_redis_purge(r, tenant, NULL, &deleted, &err), ZS_OK);
    ZT_CHECK(deleted >= N - N / 3); /* plus what earlier cases left behind */
    ZT_EQ_INT(zs_redis_purge(r, tenant, NULL, &deleted, &err), ZS_OK);
    ZT_EQ_INT(deleted, 0);
    redisReply *rep = NULL;
    ZT_EQ_INT(zs_redis_cmdv(r, &rep, &err, "EXISTS", k, NULL), ZS_OK);
    ZT_CHECK(rep && rep->type == REDIS_REPLY_INTEGER && rep->integer == 1);
    zs_redis_reply_free(rep);
    ZT_EQ_INT(zs_redis_purge(r, longer, NULL, &deleted, &err), ZS_OK);
    ZT_EQ_INT(deleted, 1);
    ZT_EQ_INT(zs_redis_purge(r, "Bad{", NULL, &deleted, &err), ZS_ERR_FAILED);
    ZT_EQ_INT(zs_redis_purge(r, tenant, "Bad", &deleted, &err), ZS_ERR_FAILED);
    zs_redis_free(r);
}

static void test_eval_refuses_cross_slot_keys(void)
{
    zs_redis *r = open_redis();
    if (!r)
        return;
    zs_err err;
    static zs_redis_script two = ZS_REDIS_SCRIPT("return #KEYS");
    const char *same[2] = {"zs:{a}:x:1", "zs:{a}:y:2"};
    const char *diff[2] = {"zs:{a}:x:1", "zs:{b}:x:1"};
    redisReply *rep = NULL;
    ZT_EQ_INT(zs_redis_eval(r, &two, 2, same, 0, NULL, NULL, &rep, &err), ZS_OK);
    ZT_CHECK(rep && rep->type == REDIS_REPLY_INTEGER && rep->integer == 2);
    zs_redis_reply_free(rep);
    ZT_EQ_INT(zs_redis_eval(r, &two, 2, diff, 0, NULL, NULL, &rep, &err), ZS_ERR_FAILED);
    ZT_CONTAINS(err.msg, "hash tags");
    zs_redis_free(r);
}

static void test_localhost_name(void)
{
    zs_redis_url u;
    zs_err err;
    if (zs_redis_url_parse(url, &u, &err) != ZS_OK || strcmp(u.host, "127.0.0.1") != 0)
        return; /* only meaningful for a loopback server */
    char lu[1024];
    snprintf(lu, sizeof lu, "redis://%s%s%s%slocalhost:%d/%d", u.user, u.password[0] ? ":" : "",
             u.password, u.password[0] ? "@" : "", u.port, u.db);
    zs_redis *r = zs_redis_new(&(zs_redis_opts){.url = lu}, &err);
    ZT_CHECK(r != NULL);
    ZT_EQ_INT(r ? zs_redis_ping(r, &err) : ZS_ERR_FAILED, ZS_OK);
    zs_redis_free(r);
}

int main(void)
{
    rt_server own = {0};
    const char *shared = zt_env("ZS_TEST_REDIS_URL");
    if (shared) {
        snprintf(url, sizeof url, "%s", shared);
    } else {
        if (rt_server_start(&own) != 0) {
            printf("could not start redis-server\n");
            return 1;
        }
        rt_server_url(&own, 0, url, sizeof url);
    }
    snprintf(tenant, sizeof tenant, "t-live-%d", (int)getpid());

    ZT_RUN(test_binary_safe_commands);
    ZT_RUN(test_claim_done_release_two_owners);
    ZT_RUN(test_lease_expiry_hands_over);
    ZT_RUN(test_hash_cas);
    ZT_RUN(test_gcra_burst_then_rate_shared);
    ZT_RUN(test_gcra_slow_limit_intervals);
    ZT_RUN(test_pipeline_1000);
    ZT_RUN(test_command_timeout_drops_and_recovers);
    ZT_RUN(test_unreachable_is_retry);
    ZT_RUN(test_database_selection);
    ZT_RUN(test_eval_refuses_cross_slot_keys);
    ZT_RUN(test_localhost_name);
    ZT_RUN(test_purge_one_tenant_only);

    rt_server_cleanup(&own);
    return zt_summary();
}
