#include "kt_common.h"

#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "kafka/zs_kafka.h"
#include "zs_test.h"

const char *const kt_fast_props[] = {
    "session.timeout.ms=6000", "heartbeat.interval.ms=500", "max.poll.interval.ms=10000",
    "reconnect.backoff.max.ms=1000", NULL,
};

int kt_workdir(const char *name, char *out, size_t cap)
{
    const char *base = zt_env("ZS_TEST_WORKDIR");
    if (snprintf(out, cap, "%s/%s.XXXXXX", base ? base : "/tmp", name) >= (int)cap)
        return -1;
    return mkdtemp(out) ? 0 : -1;
}

int kt_broker_start(kt_broker *b, const char *dir)
{
    memset(b, 0, sizeof *b);
    snprintf(b->dir, sizeof b->dir, "%s", dir);
    b->control_port = zt_free_port();
    char boot[600], log[600], ctl[64];
    snprintf(boot, sizeof boot, "%s/bootstrap", dir);
    snprintf(log, sizeof log, "%s/devbroker.log", dir);
    snprintf(ctl, sizeof ctl, "127.0.0.1:%d", b->control_port);
    unlink(boot);
    char bin[1024];
    snprintf(bin, sizeof bin, "%s", zt_bin("zepsync-devbroker"));
    char *argv[] = {bin, "--brokers", "3", "--partitions", "6", "--bootstrap-file", boot,
                    "--control", ctl, "--die-with-parent", NULL};
    b->pid = zt_spawn(argv, log);
    if (b->pid < 0 || zt_wait_file(boot, 15000) != 0 || zt_wait_port(b->control_port, 5000) != 0)
        return -1;
    FILE *f = fopen(boot, "r");
    if (!f)
        return -1;
    int ok = fgets(b->bootstrap, sizeof b->bootstrap, f) != NULL;
    fclose(f);
    b->bootstrap[strcspn(b->bootstrap, "\r\n")] = '\0';
    return ok && b->bootstrap[0] ? 0 : -1;
}

int kt_broker_stop(kt_broker *b)
{
    int st = -1;
    if (b->pid > 0)
        st = zt_stop(b->pid, SIGTERM);
    b->pid = 0;
    return WIFEXITED(st) && WEXITSTATUS(st) == 0;
}

void kt_workdir_remove(const char *dir)
{
    char cmd[1100];
    snprintf(cmd, sizeof cmd, "rm -rf '%s'", dir);
    zt_sh(cmd, NULL, 0);
}

pid_t kt_last_pid(const char *record)
{
    FILE *f = fopen(record, "r");
    if (!f)
        return -1;
    char line[1024], last[1024] = "";
    while (fgets(line, sizeof line, f))
        memcpy(last, line, sizeof last);
    fclose(f);
    const char *sp = strrchr(last, ' ');
    return sp ? (pid_t)atoi(sp + 1) : -1;
}

long kt_control(const kt_broker *b, const char *method, const char *path, char *out, size_t cap)
{
    char url[1024];
    snprintf(url, sizeof url, "http://127.0.0.1:%d%s", b->control_port, path);
    zt_http_resp r;
    int rc = zt_http(method, url, NULL, NULL, &r);
    long status = rc == 0 ? r.status : 0;
    if (out && cap)
        snprintf(out, cap, "%s", r.body ? r.body : "");
    zt_http_resp_free(&r);
    return status;
}

pid_t kt_worker_start(const char *brokers, const char *group, const char *topic,
                      const char *record, const char *log, const char *const *extra)
{
    char *argv[64];
    int n = 0;
    argv[n++] = (char *)KT_WORKER;
    argv[n++] = "--brokers";
    argv[n++] = (char *)brokers;
    argv[n++] = "--group";
    argv[n++] = (char *)group;
    argv[n++] = "--topic";
    argv[n++] = (char *)topic;
    argv[n++] = "--record";
    argv[n++] = (char *)record;
    for (int i = 0; kt_fast_props[i]; i++) {
        argv[n++] = "-X";
        argv[n++] = (char *)kt_fast_props[i];
    }
    for (int i = 0; extra && extra[i] && n < 62; i++)
        argv[n++] = (char *)extra[i];
    argv[n] = NULL;
    return zt_spawn(argv, log);
}

int kt_produce_events(const char *brokers, const char *topic, int n_keys, int per_key)
{
    zs_kafka_producer *p;
    zs_err err;
    if (zs_kafka_producer_new(&p, brokers, NULL, &err) != ZS_OK) {
        printf("  producer: %s\n", err.msg);
        return -1;
    }
    int bad = 0;
    for (int s = 0; s < per_key && !bad; s++)
        for (int k = 0; k < n_keys && !bad; k++) {
            char key[64], val[64];
            snprintf(key, sizeof key, "t1:e%d", k);
            snprintf(val, sizeof val, "%d:%d", k, s);
            if (zs_kafka_produce(p, topic, key, strlen(key), val, strlen(val), NULL, 0, NULL, NULL,
                                 &err) != ZS_OK) {
                printf("  produce: %s\n", err.msg);
                bad = 1;
            }
        }
    if (zs_kafka_producer_close(p, 30000, &err) != ZS_OK) {
        printf("  producer close: %s\n", err.msg);
        bad = 1;
    }
    return bad ? -1 : 0;
}

size_t kt_count_lines(const char *path)
{
    FILE *f = fopen(path, "r");
    if (!f)
        return 0;
    size_t n = 0;
    int ch;
    while ((ch = getc(f)) != EOF)
        n += ch == '\n';
    fclose(f);
    return n;
}

/* Walks the record file; next[k] is the next sequence number key k must show first. */
static int walk(const char *record, int n_keys, int per_key, kt_check *out, size_t *distinct)
{
    memset(out, 0, sizeof *out);
    *distinct = 0;
    int *next = calloc((size_t)n_keys, sizeof *next);
    if (!next)
        return -1;
    FILE *f = fopen(record, "r");
    char line[1024];
    while (f && fgets(line, sizeof line, f)) {
        char topic[256], key[128];
        int part, pid, k, s;
        long long off;
        if (sscanf(line, "H %255s %d %lld %127s %d:%d %d", topic, &part, &off, key, &k, &s, &pid) !=
                7 ||
            k < 0 || k >= n_keys || s < 0 || s >= per_key) {
            if (!out->why[0])
                snprintf(out->why, sizeof out->why, "bad record line: %.200s", line);
            continue;
        }
        out->records++;
        if (s == next[k]) {
            next[k]++;
            (*distinct)++;
        } else if (s < next[k]) {
            out->duplicates++;
        } else if (!out->why[0]) {
            snprintf(out->why, sizeof out->why,
                     "key t1:e%d: event %d handled before event %d (skipped or reordered)", k, s,
                     next[k]);
        }
    }
    if (f)
        fclose(f);
    for (int k = 0; k < n_keys && !out->why[0]; k++)
        if (next[k] != per_key)
            snprintf(out->why, sizeof out->why, "key t1:e%d: only %d of %d events handled", k,
                     next[k], per_key);
    free(next);
    return out->why[0] ? -1 : 0;
}

int kt_verify(const char *record, int n_keys, int per_key, kt_check *out)
{
    size_t d;
    return walk(record, n_keys, per_key, out, &d);
}

size_t kt_distinct(const char *record, int n_keys, int per_key)
{
    kt_check c;
    size_t d;
    walk(record, n_keys, per_key, &c, &d);
    return d;
}

int kt_wait_distinct(const char *record, int n_keys, int per_key, size_t want, int timeout_ms)
{
    long end = zt_now_ms() + timeout_ms;
    while (zt_now_ms() < end) {
        if (kt_distinct(record, n_keys, per_key) >= want)
            return 0;
        usleep(50000);
    }
    return -1;
}

int kt_setup(const char *name, char *dir, size_t cap, kt_broker *b)
{
    memset(b, 0, sizeof *b);
    if (kt_workdir(name, dir, cap) != 0 || kt_broker_start(b, dir) != 0) {
        kt_broker_stop(b);
        return -1;
    }
    return 0;
}
