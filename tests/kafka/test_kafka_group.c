/*
 * The consumer wrapper's offset discipline against a real (mock) cluster over TCP: two workers in a
 * group, one SIGKILLed part way and restarted. Every event must be handled at least once, none
 * skipped, per-key order kept; after a clean SIGTERM the group's committed offsets cover
 * everything, so a fresh member has nothing left to do.
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

#define N_KEYS 30
#define PER_KEY 60 /* 1800 events */

static void test_sigkill_restart_none_skipped_order_kept(void)
{
    char dir[512], record[600], log[600], log2[600], record2[600];
    kt_broker b;
    if (kt_setup("kafka-group", dir, sizeof dir, &b) != 0) {
        ZT_CHECK(!"devbroker started");
        return;
    }
    const char *topic = "booking-recorded";
    ZT_EQ_INT(kt_produce_events(b.bootstrap, topic, N_KEYS, PER_KEY), 0);
    snprintf(record, sizeof record, "%s/record", dir);
    snprintf(log, sizeof log, "%s/workers.log", dir);
    /* Slow enough per message that the kill lands mid-stream; refusals exercise the rewind. */
    const char *extra[] = {"--delay-ms", "3", "--redeliver-every", "41", NULL};
    pid_t w1 = kt_worker_start(b.bootstrap, "kg-1", topic, record, log, extra);
    pid_t w2 = kt_worker_start(b.bootstrap, "kg-1", topic, record, log, extra);
    ZT_CHECK(w1 > 0 && w2 > 0);

    ZT_EQ_INT(kt_wait_distinct(record, N_KEYS, PER_KEY, N_KEYS * PER_KEY / 4, 60000), 0);
    /* Kill the member that is handling right now, so the kill lands on real in-flight work. */
    pid_t victim = kt_last_pid(record);
    ZT_CHECK(victim == w1 || victim == w2);
    if (victim != w1 && victim != w2)
        victim = w1;
    kill(victim, SIGKILL);
    int st;
    waitpid(victim, &st, 0);
    size_t at_kill = kt_count_lines(record);
    printf("  killed worker %d after %zu records\n", (int)victim, at_kill);
    ZT_CHECK(at_kill < (size_t)N_KEYS * PER_KEY); /* the kill really was part way */
    pid_t restarted = kt_worker_start(b.bootstrap, "kg-1", topic, record, log, extra);
    if (victim == w1)
        w1 = restarted;
    else
        w2 = restarted;

    ZT_EQ_INT(kt_wait_distinct(record, N_KEYS, PER_KEY, N_KEYS * PER_KEY, 90000), 0);
    int s1 = zt_stop(w1, SIGTERM), s2 = zt_stop(w2, SIGTERM);
    ZT_CHECK(WIFEXITED(s1) && WEXITSTATUS(s1) == 0);
    ZT_CHECK(WIFEXITED(s2) && WEXITSTATUS(s2) == 0);

    kt_check c;
    int ok = kt_verify(record, N_KEYS, PER_KEY, &c);
    printf("  %zu records for %d events, %zu duplicates%s%s\n", c.records, N_KEYS * PER_KEY,
           c.duplicates, c.why[0] ? ": " : "", c.why);
    ZT_EQ_INT(ok, 0);

    /* A clean stop commits what was stored: a new member of the group finds nothing to do. */
    snprintf(record2, sizeof record2, "%s/record-after", dir);
    snprintf(log2, sizeof log2, "%s/worker-after.log", dir);
    const char *idle[] = {"--idle-exit-ms", "4000", NULL};
    pid_t w3 = kt_worker_start(b.bootstrap, "kg-1", topic, record2, log2, idle);
    int s3 = -1;
    zt_wait_exit(w3, 45000, &s3);
    ZT_CHECK(WIFEXITED(s3) && WEXITSTATUS(s3) == 0);
    ZT_EQ_INT(kt_count_lines(record2), 0);
    ZT_CHECK(kt_broker_stop(&b));
    if (zt_failures == 0)
        kt_workdir_remove(dir);
}

int main(void)
{
    ZT_RUN(test_sigkill_restart_none_skipped_order_kept);
    return zt_summary();
}
