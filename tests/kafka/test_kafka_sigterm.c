/*
 * SIGTERM while the worker is busy (DESIGN §9: finish the message in flight, store, commit,
 * close). The stream is still flowing and some partitions are paused after REDELIVER when the
 * signal lands. The worker must exit 0 within zt_stop's 10 s, and the group's committed offsets
 * must cover exactly what it made durable: a second member handles the rest, with no event
 * skipped, none reordered and none handled twice (a duplicate after a clean stop means a stored
 * offset was never committed).
 */
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "kt_common.h"
#include "zs_test.h"

#define N_KEYS 20
#define PER_KEY 40 /* 800 events */

static void test_sigterm_mid_stream_commits_what_was_handled(void)
{
    char dir[512], record[600], log[600], log2[600];
    kt_broker b;
    if (kt_setup("kafka-sigterm", dir, sizeof dir, &b) != 0) {
        ZT_CHECK(!"devbroker started");
        return;
    }
    const char *topic = "absence-approved";
    ZT_EQ_INT(kt_produce_events(b.bootstrap, topic, N_KEYS, PER_KEY), 0);
    snprintf(record, sizeof record, "%s/record", dir);
    snprintf(log, sizeof log, "%s/worker.log", dir);
    snprintf(log2, sizeof log2, "%s/worker2.log", dir);
    /* Slow handler, and a refusal every 5th offset with a long backoff, so that partitions are
     * paused after a rewind when the signal arrives. */
    const char *extra[] = {"--delay-ms", "10", "--redeliver-every", "5", NULL};
    pid_t w = kt_worker_start(b.bootstrap, "ks-1", topic, record, log, extra);
    ZT_CHECK(w > 0);
    ZT_EQ_INT(kt_wait_distinct(record, N_KEYS, PER_KEY, 150, 60000), 0);
    long t0 = zt_now_ms();
    kill(w, SIGTERM);
    int st = -1;
    ZT_EQ_INT(zt_wait_exit(w, 10000, &st), 0);
    long took = zt_now_ms() - t0;
    ZT_CHECK(WIFEXITED(st) && WEXITSTATUS(st) == 0);
    size_t first = kt_count_lines(record);
    printf("  stopped after %zu records in %ld ms\n", first, took);
    ZT_CHECK(first < (size_t)N_KEYS * PER_KEY); /* the stop really was mid-stream */

    const char *idle[] = {"--idle-exit-ms", "4000", NULL};
    pid_t w2 = kt_worker_start(b.bootstrap, "ks-1", topic, record, log2, idle);
    ZT_EQ_INT(zt_wait_exit(w2, 60000, &st), 0);
    ZT_CHECK(WIFEXITED(st) && WEXITSTATUS(st) == 0);
    kt_check c;
    int ok = kt_verify(record, N_KEYS, PER_KEY, &c);
    printf("  %zu records for %d events, %zu duplicates%s%s\n", c.records, N_KEYS * PER_KEY,
           c.duplicates, c.why[0] ? ": " : "", c.why);
    ZT_EQ_INT(ok, 0);
    ZT_EQ_INT(c.duplicates, 0);
    ZT_CHECK(kt_broker_stop(&b));
    if (zt_failures == 0 && !getenv("KT_KEEP"))
        kt_workdir_remove(dir);
}

/*
 * The same stop while the worker is rejoining its group: a member subscribed to another topic
 * joins, so every partition comes back to the worker, but the final commit meets the join in
 * flight. A commit sent then is answered with a stale generation and librdkafka drops the stored
 * offsets as "lost"; the durable ones must still be committed once the group has settled, so a
 * third member handles each remaining event exactly once.
 */
static void test_sigterm_during_rejoin_commits_what_was_handled(void)
{
    char dir[512], record[600], log[600], log2[600], log3[600], rec2[600];
    kt_broker b;
    if (kt_setup("kafka-sigterm-join", dir, sizeof dir, &b) != 0) {
        ZT_CHECK(!"devbroker started");
        return;
    }
    const char *topic = "employee-changed";
    ZT_EQ_INT(kt_produce_events(b.bootstrap, topic, N_KEYS, PER_KEY), 0);
    snprintf(record, sizeof record, "%s/record", dir);
    snprintf(rec2, sizeof rec2, "%s/record-other-topic", dir);
    snprintf(log, sizeof log, "%s/worker.log", dir);
    snprintf(log2, sizeof log2, "%s/worker2.log", dir);
    snprintf(log3, sizeof log3, "%s/worker3.log", dir);
    /* The commit budget leaves room for two join rounds of the mock (about 5 s each). */
    const char *extra[] = {"--delay-ms", "10", "--close-commit-ms", "20000", NULL};
    pid_t w = kt_worker_start(b.bootstrap, "ks-2", topic, record, log, extra);
    ZT_EQ_INT(kt_wait_distinct(record, N_KEYS, PER_KEY, 100, 60000), 0);
    pid_t other = kt_worker_start(b.bootstrap, "ks-2", "booking-recorded.dlq", rec2, log2, NULL);
    /* Past the other member's JoinGroup and the worker's next heartbeat, inside its rejoin. */
    usleep(1500000);
    long t0 = zt_now_ms();
    kill(w, SIGTERM);
    int st = -1;
    ZT_EQ_INT(zt_wait_exit(w, 30000, &st), 0);
    long took = zt_now_ms() - t0;
    ZT_CHECK(WIFEXITED(st) && WEXITSTATUS(st) == 0);
    printf("  worker stopped in %ld ms after %zu records\n", took, kt_count_lines(record));
    const char *idle[] = {"--idle-exit-ms", "4000", NULL};
    pid_t w3 = kt_worker_start(b.bootstrap, "ks-2", topic, record, log3, idle);
    ZT_EQ_INT(zt_wait_exit(w3, 90000, &st), 0);
    ZT_CHECK(WIFEXITED(st) && WEXITSTATUS(st) == 0);
    st = zt_stop(other, SIGTERM);
    ZT_CHECK(WIFEXITED(st) && WEXITSTATUS(st) == 0);
    kt_check c;
    int ok = kt_verify(record, N_KEYS, PER_KEY, &c);
    printf("  %zu records for %d events, %zu duplicates%s%s\n", c.records, N_KEYS * PER_KEY,
           c.duplicates, c.why[0] ? ": " : "", c.why);
    ZT_EQ_INT(ok, 0);
    ZT_EQ_INT(c.duplicates, 0);
    ZT_CHECK(kt_broker_stop(&b));
    if (zt_failures == 0 && !getenv("KT_KEEP"))
        kt_workdir_remove(dir);
}

int main(void)
{
    ZT_RUN(test_sigterm_mid_stream_commits_what_was_handled);
    ZT_RUN(test_sigterm_during_rejoin_commits_what_was_handled);
    return zt_summary();
}
