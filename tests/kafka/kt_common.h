/* Helpers shared by the Kafka integration tests: a private devbroker, the worker, record files. */
#ifndef KT_COMMON_H
#define KT_COMMON_H

#include <stddef.h>
#include <sys/types.h>

typedef struct kt_broker {
    pid_t pid;
    int control_port;
    char bootstrap[512];
    char dir[512];
} kt_broker;

/* Short group timeouts: the mock cluster needs them to rebalance within seconds
 * (reference/pipeline.md §1.10), plus quick reconnects after a broker comes back. */
extern const char *const kt_fast_props[];

/* A fresh scratch directory under ZS_TEST_WORKDIR (or /tmp) named after the test. */
int kt_workdir(const char *name, char *out, size_t cap);

/* Starts a devbroker of the test's own (3 brokers, 6 partitions, control on a free port). */
int kt_broker_start(kt_broker *b, const char *dir);
/* SIGTERM and wait; returns 1 when the devbroker exited cleanly (status 0, so no sanitizer
 * finding either). */
int kt_broker_stop(kt_broker *b);
/* A fresh work directory named after the test and a devbroker of its own in it: 0 when both are
 * up; otherwise whatever was started is stopped again and -1 is returned. */
int kt_setup(const char *name, char *dir, size_t cap, kt_broker *b);
/* One control request; returns the HTTP status (0 on transport failure), body copied to out. */
long kt_control(const kt_broker *b, const char *method, const char *path, char *out, size_t cap);

/* Starts kafka_test_worker in the group; extra is an optional NULL-terminated argv tail. */
pid_t kt_worker_start(const char *brokers, const char *group, const char *topic,
                      const char *record, const char *log, const char *const *extra);

/* Produces keys "t1:e<k>" (k < n_keys) with values "<k>:<seq>" (seq < per_key), interleaved. */
int kt_produce_events(const char *brokers, const char *topic, int n_keys, int per_key);

size_t kt_count_lines(const char *path);
/* pid in the last record line, or -1. */
pid_t kt_last_pid(const char *record);
/* Removes a scratch directory (after a passing test). */
void kt_workdir_remove(const char *dir);

typedef struct kt_check {
    size_t records;    /* lines in the record file */
    size_t duplicates; /* records of an event that had been handled before */
    char why[256];     /* first violation, empty when none */
} kt_check;

/* Reads the record file and checks: every event handled, per key the first handling of each
 * event in produce order (none skipped, order kept). 0 when all holds. */
int kt_verify(const char *record, int n_keys, int per_key, kt_check *out);
/* Number of distinct events handled so far (cheap progress probe). */
size_t kt_distinct(const char *record, int n_keys, int per_key);
/* Waits up to timeout_ms until the record holds at least `want` distinct events. 0 when it does. */
int kt_wait_distinct(const char *record, int n_keys, int per_key, size_t want, int timeout_ms);

#endif
