/*
 * zepsync-redis-bench: prints how fast the zs_redis primitives run against a given Redis, so
 * capacity planning has numbers (one round trip per claim, what pipelining buys). Figures only,
 * no assertions.
 */
#include "redis/zs_redis.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

static double now_s(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static void usage(FILE *f)
{
    fprintf(f,
            "usage: zepsync-redis-bench [--url redis://host:port/db] [-n COUNT] [--batch SIZE]\n"
            "\n"
            "Measures zs_redis against a running Redis: plain SET round trips, the claim+done\n"
            "scripts, the GCRA limiter, and SET in pipelined batches. Keys live under the tenant\n"
            "bench-<pid> and are deleted afterwards. Defaults: --url $ZS_REDIS_URL or\n"
            "redis://127.0.0.1:6379/0, -n 5000, --batch 1000.\n");
}

static void report(const char *what, long n, double secs)
{
    printf("%-28s %8ld ops  %8.3f s  %10.0f ops/s  %8.1f us/op\n", what, n, secs,
           secs > 0 ? (double)n / secs : 0.0, secs > 0 ? secs * 1e6 / (double)n : 0.0);
}

int main(int argc, char **argv)
{
    const char *url = getenv("ZS_REDIS_URL");
    long n = 5000, batch = 1000;
    for (int i = 1; i < argc; i++) {
        if (!strcmp(argv[i], "--help") || !strcmp(argv[i], "-h")) {
            usage(stdout);
            return 0;
        } else if (!strcmp(argv[i], "--url") && i + 1 < argc) {
            url = argv[++i];
        } else if (!strcmp(argv[i], "-n") && i + 1 < argc) {
            n = strtol(argv[++i], NULL, 10);
        } else if (!strcmp(argv[i], "--batch") && i + 1 < argc) {
            batch = strtol(argv[++i], NULL, 10);
        } else {
            usage(stderr);
            return 2;
        }
    }
    if (n <= 0 || n > 10000000 || batch <= 0 || batch > 100000) {
        fprintf(stderr, "zepsync-redis-bench: -n must be 1..10000000 and --batch 1..100000\n");
        return 2;
    }
    zs_err err;
    zs_redis *r = zs_redis_new(&(zs_redis_opts){.url = url}, &err);
    if (!r) {
        fprintf(stderr, "zepsync-redis-bench: %s\n", err.msg);
        return 2;
    }
    if (zs_redis_ping(r, &err) != ZS_OK) {
        fprintf(stderr, "zepsync-redis-bench: %s\n", err.msg);
        zs_redis_free(r);
        return 1;
    }
    char tenant[32];
    snprintf(tenant, sizeof tenant, "bench-%d", (int)getpid());
    printf("redis %s, tenant %s\n", zs_redis_target(r), tenant);
    int status = 0;
    char k[128], id[32];

    double t0 = now_s();
    for (long i = 0; i < n && !status; i++) {
        snprintf(id, sizeof id, "%ld", i);
        zs_redis_keyf(k, sizeof k, &err, tenant, "set", id, NULL);
        status = zs_redis_cmdv(r, NULL, &err, "SET", k, "v", "PX", "600000", NULL) != ZS_OK;
    }
    if (!status)
        report("SET (round trip each)", n, now_s() - t0);

    t0 = now_s();
    for (long i = 0; i < n && !status; i++) {
        snprintf(id, sizeof id, "%ld", i);
        zs_redis_keyf(k, sizeof k, &err, tenant, "idem", id, NULL);
        zs_redis_claim_state st;
        status = zs_redis_claim(r, k, "bench", 30000, &st, NULL, &err) != ZS_OK ||
                 zs_redis_done(r, k, "bench", "remote", 6, 600000, &err) != ZS_OK;
    }
    if (!status)
        report("claim + done (2 EVALSHA)", n, now_s() - t0);

    t0 = now_s();
    for (long i = 0; i < n && !status; i++) {
        snprintf(id, sizeof id, "%ld", i);
        zs_redis_keyf(k, sizeof k, &err, tenant, "idem", id, NULL);
        zs_redis_claim_state st;
        status = zs_redis_claim(r, k, "other", 30000, &st, NULL, &err) != ZS_OK ||
                 st != ZS_CLAIM_DONE;
    }
    if (!status)
        report("claim of a done event", n, now_s() - t0);

    zs_redis_keyf(k, sizeof k, &err, tenant, "rl", "bench", NULL);
    t0 = now_s();
    long allowed = 0;
    for (long i = 0; i < n && !status; i++) {
        long wait;
        status = zs_redis_gcra_take(r, k, 1000000, 1000, 1000, &wait, &err) != ZS_OK;
        allowed += wait == 0;
    }
    if (!status) {
        report("gcra_take", n, now_s() - t0);
        printf("%-28s %ld of %ld allowed at 1e6/s, burst 1000\n", "", allowed, n);
    }

    t0 = now_s();
    long sent = 0;
    while (sent < n && !status) {
        long m = n - sent < batch ? n - sent : batch;
        for (long j = 0; j < m && !status; j++) {
            snprintf(id, sizeof id, "%ld", sent + j);
            zs_redis_keyf(k, sizeof k, &err, tenant, "pipe", id, NULL);
            const char *a[5] = {"SET", k, "v", "PX", "600000"};
            status = zs_redis_pipe_append(r, 5, a, NULL, &err) != ZS_OK;
        }
        redisReply **reps;
        size_t got;
        if (!status)
            status = zs_redis_pipe_exec(r, &reps, &got, &err) != ZS_OK;
        if (!status)
            zs_redis_replies_free(reps, got);
        sent += m;
    }
    if (!status) {
        char what[64];
        snprintf(what, sizeof what, "SET pipelined (batch %ld)", batch);
        report(what, n, now_s() - t0);
    }

    /* Clean up with the same pipelining, by the key patterns written above. */
    static const char *const kinds[] = {"set", "idem", "pipe"};
    for (size_t kind = 0; kind < 3 && !status; kind++) {
        for (long i = 0; i < n && !status;) {
            long m = n - i < batch ? n - i : batch;
            for (long j = 0; j < m && !status; j++, i++) {
                snprintf(id, sizeof id, "%ld", i);
                zs_redis_keyf(k, sizeof k, &err, tenant, kinds[kind], id, NULL);
                const char *a[2] = {"UNLINK", k};
                status = zs_redis_pipe_append(r, 2, a, NULL, &err) != ZS_OK;
            }
            redisReply **reps;
            size_t got;
            if (!status && zs_redis_pipe_exec(r, &reps, &got, &err) == ZS_OK)
                zs_redis_replies_free(reps, got);
        }
    }
    zs_redis_keyf(k, sizeof k, &err, tenant, "rl", "bench", NULL);
    if (!status)
        zs_redis_cmdv(r, NULL, &err, "UNLINK", k, NULL);
    if (status)
        fprintf(stderr, "zepsync-redis-bench: %s\n", err.msg);
    zs_redis_free(r);
    return status;
}
