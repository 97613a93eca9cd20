/*
 * zs_test: the small assertion and process toolkit every zepsync test program uses.
 *
 * A test program is a main() that calls ZT_RUN(fn) for each case and returns zt_summary().
 * Checks record a failure and continue, so one run reports every broken expectation.
 */
#ifndef ZS_TEST_H
#define ZS_TEST_H

#include <stddef.h>
#include <stdio.h>
#include <string.h>
#include <sys/types.h>

extern int zt_failures;
extern int zt_checks;
extern const char *zt_current;

void zt_fail(const char *file, int line, const char *fmt, ...) __attribute__((format(printf, 3, 4)));

#define ZT_CHECK(cond)                                                                             \
    do {                                                                                           \
        zt_checks++;                                                                               \
        if (!(cond))                                                                               \
            zt_fail(__FILE__, __LINE__, "check failed: %s", #cond);                              \
    } while (0)

#define ZT_EQ_INT(got, want)                                                                       \
    do {                                                                                           \
        long long zt_g = (long long)(got), zt_w = (long long)(want);                               \
        zt_checks++;                                                                               \
        if (zt_g != zt_w)                                                                          \
            zt_fail(__FILE__, __LINE__, "%s == %lld, want %lld", #got, zt_g, zt_w);               \
    } while (0)

#define ZT_EQ_STR(got, want)                                                                       \
    do {                                                                                           \
        const char *zt_g = (got), *zt_w = (want);                                                  \
        zt_checks++;                                                                               \
        if (!zt_g || !zt_w || strcmp(zt_g, zt_w) != 0)                                             \
            zt_fail(__FILE__, __LINE__, "%s == \"%s\", want \"%s\"", #got, zt_g ? zt_g : "(null)", \
                    zt_w ? zt_w : "(null)");                                                       \
    } while (0)

#define ZT_CONTAINS(hay, needle)                                                                   \
    do {                                                                                           \
        const char *zt_h = (hay), *zt_n = (needle);                                                \
        zt_checks++;                                                                               \
        if (!zt_h || !strstr(zt_h, zt_n))                                                          \
            zt_fail(__FILE__, __LINE__, "%s does not contain \"%s\": \"%s\"", #hay, zt_n,         \
                    zt_h ? zt_h : "(null)");                                                       \
    } while (0)

#define ZT_RUN(fn)                                                                                 \
    do {                                                                                           \
        zt_current = #fn;                                                                          \
        int zt_before = zt_failures;                                                               \
        fn();                                                                                      \
        printf("%s %s\n", zt_failures == zt_before ? "ok  " : "FAIL", #fn);                        \
        fflush(stdout);                                                                            \
    } while (0)

/* Prints "<checks> checks, <failures> failed" and returns the exit status for main. */
int zt_summary(void);

/* Environment helpers: the value or NULL; zt_skip_unless_env prints a notice and returns 0 if unset. */
const char *zt_env(const char *name);

/* Monotonic milliseconds, for deadlines in tests. */
long zt_now_ms(void);

/* ---- processes ---- */

/* A free TCP port on 127.0.0.1 (bound and released; racy by nature, fine for tests). */
int zt_free_port(void);

/* Starts argv[0] (a path) with argv; stdout and stderr go to log_path (NULL: inherit). Returns pid or -1. */
pid_t zt_spawn(char *const argv[], const char *log_path);

/* Waits up to timeout_ms until 127.0.0.1:port accepts a connection. 0 on success. */
int zt_wait_port(int port, int timeout_ms);

/* Waits up to timeout_ms until a file exists and is non-empty. 0 on success. */
int zt_wait_file(const char *path, int timeout_ms);

/* Waits up to timeout_ms for the child to exit by itself; on timeout kills it (SIGKILL). *status
 * receives the wait status either way. Returns 0 when it exited in time, -1 otherwise. */
int zt_wait_exit(pid_t pid, int timeout_ms, int *status);

/* Sends sig and waits for the child (up to 10 s, then SIGKILL). Returns the wait status. */
int zt_stop(pid_t pid, int sig);

/* Runs a shell command, captures up to cap-1 bytes of stdout into out (may be NULL). Returns exit code. */
int zt_sh(const char *cmd, char *out, size_t cap);

/* Path of a program built into build/bin (ZS_BIN_DIR), e.g. zt_bin("zepsync-devbroker"). Static buffer. */
const char *zt_bin(const char *name);

/* ---- raw HTTP (libcurl, no zepsync code involved) ---- */
typedef struct zt_http_resp {
    long status;
    char *body;        /* NUL-terminated, caller frees with zt_http_resp_free */
    char *headers;     /* raw response header block */
} zt_http_resp;

/* headers: NULL-terminated array of "Name: value" strings, or NULL. body may be NULL. */
int zt_http(const char *method, const char *url, const char *const *headers, const char *body,
            zt_http_resp *out);
void zt_http_resp_free(zt_http_resp *r);
/* Value of a response header (case-insensitive) copied to out; 0 if found. */
int zt_http_header(const zt_http_resp *r, const char *name, char *out, size_t cap);

#endif
