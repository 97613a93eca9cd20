/*
 * zs_redis: the Redis client of every zepsync process (hiredis underneath, blocking API).
 *
 * Redis is an accelerator in front of idempotent sinks (DESIGN.md §4), so this module is built
 * around one promise: a Redis problem never turns into a wrong answer, only into ZS_ERR_RETRY.
 *
 * - A zs_redis handle owns at most one hiredis redisContext. hiredis contexts cannot be reused
 *   after an I/O error, so on any such error the context is dropped and the call returns
 *   ZS_ERR_RETRY; the next call connects afresh (AUTH and SELECT again). A failed command is never
 *   resent behind the caller's back: it may or may not have run on the server, and only the caller
 *   knows whether repeating it is safe. Handles are not thread-safe: one per thread.
 * - Connecting is lazy: zs_redis_new() only checks the URL, so a process can start while Redis is
 *   down and becomes ready once it is reachable (zs_redis_ping() for /readyz).
 * - Keys are zs:{<tenant>}:<kind>:<id>[:<id>...]. The tenant sits in a Cluster hash tag, so every
 *   key of one tenant lands in one slot and multi-key scripts stay legal under Redis Cluster.
 * - Scripts are loaded with SCRIPT LOAD the first time they are used and then called by EVALSHA.
 *   A NOSCRIPT reply (a restarted or failed-over server has an empty script cache) reloads the
 *   script and runs it once more; that retry is safe because NOSCRIPT means nothing ran.
 */
#ifndef ZS_REDIS_H
#define ZS_REDIS_H

#include <hiredis/hiredis.h>
#include <stddef.h>
#include <stdint.h>

#include "core/zs_buf.h"
#include "core/zs_err.h"

/* ---- URL ---- */

typedef struct zs_redis_url {
    char host[256];
    int port;           /* default 6379 */
    int db;             /* default 0 */
    char user[128];     /* ACL user (Redis 6+), "" for the default user */
    char password[256]; /* "" for none; never log it */
} zs_redis_url;

/*
 * Parses redis://[[user]:password@]host[:port][/db]. The host may be an IPv6 literal in brackets.
 * Userinfo is percent-decoded. Returns ZS_OK or ZS_ERR_FAILED with a message that names the
 * problem (never echoing the password). Pure.
 */
zs_rc zs_redis_url_parse(const char *url, zs_redis_url *out, zs_err *err);

/* ---- keys (pure) ---- */

#define ZS_REDIS_TENANT_MAX 63
#define ZS_REDIS_KEY_MAX 512

/*
 * 1 if tenant may be used in keys: 1..63 characters of [a-z0-9_-], starting with a letter or
 * digit. Braces, colons and spaces are excluded so the hash tag and the key layout stay
 * unambiguous.
 */
int zs_redis_tenant_valid(const char *tenant);

/*
 * Writes zs:{<tenant>}:<kind>:<id>... into out. kind is 1..32 of [a-z0-9_-]; each id is a
 * non-empty string without ':', whitespace or control characters (event ids, employee ids,
 * dates). At least one id. Returns ZS_OK, or ZS_ERR_FAILED for an invalid part or when the key
 * does not fit (cap is at most ZS_REDIS_KEY_MAX useful bytes).
 */
zs_rc zs_redis_key(char *out, size_t cap, const char *tenant, const char *kind,
                   const char *const *ids, size_t n_ids, zs_err *err);

/* Same, with the ids as a NULL-terminated argument list: zs_redis_keyf(k, sizeof k, "acme", "idem", topic, id, NULL). */
zs_rc zs_redis_keyf(char *out, size_t cap, zs_err *err, const char *tenant, const char *kind, ...)
    __attribute__((sentinel));

/*
 * The Cluster hash tag of key: the bytes between the first '{' and the next '}', if that span is
 * non-empty; otherwise the whole key. Sets *tag and *len. Pure.
 */
void zs_redis_key_hashtag(const char *key, const char **tag, size_t *len);

/*
 * Writes a lease owner token, "<hostname>:<pid>:<16 hex random>", unique per process start, so a
 * restarted worker never mistakes an old lease of its predecessor for its own. 0, or -1 when cap
 * is too small (at least 64 is always enough for the random part) or no randomness was available.
 */
int zs_redis_owner_make(char *out, size_t cap);

/*
 * How an error reply from the server should be treated: ZS_ERR_RETRY for transient server states
 * (LOADING, BUSY, TRYAGAIN, CLUSTERDOWN, MASTERDOWN, READONLY, NOREPLICAS, OOM), ZS_ERR_AUTH for
 * NOAUTH/WRONGPASS/NOPERM, ZS_ERR_FAILED for everything else. Pure.
 */
zs_rc zs_redis_classify_error(const char *reply_error);

/* ---- connection ---- */

typedef struct zs_redis_opts {
    const char *url;         /* redis://...; NULL means redis://127.0.0.1:6379/0 */
    long connect_timeout_ms; /* default 2000 */
    long command_timeout_ms; /* default 2000; a reply slower than this drops the connection */
    const char *client_name; /* optional CLIENT SETNAME (e.g. "booking-worker-1"), so CLIENT LIST
                                shows who holds a connection; printable, no spaces, <= 64 bytes */
} zs_redis_opts;

typedef struct zs_redis zs_redis;

typedef struct zs_redis_stats {
    uint64_t connects;       /* successful connections (the first one included) */
    uint64_t connect_errors; /* attempts that failed (unreachable, AUTH, SELECT) */
    uint64_t io_errors;      /* established connections lost during a command */
    uint64_t script_loads;   /* SCRIPT LOAD calls */
    uint64_t noscript;       /* NOSCRIPT replies handled by reloading */
} zs_redis_stats;

/*
 * Validates the URL and returns a handle that is not yet connected; NULL with err on failure.
 * If SIGPIPE still has its default action it is set to ignored (process-wide): hiredis writes
 * with write(2), and a server that went away must cost a ZS_ERR_RETRY, not the process.
 */
zs_redis *zs_redis_new(const zs_redis_opts *opts, zs_err *err);
void zs_redis_free(zs_redis *r);

/* Connects now if not connected (AUTH, SELECT). ZS_ERR_RETRY when unreachable, ZS_ERR_AUTH when rejected. */
zs_rc zs_redis_connect(zs_redis *r, zs_err *err);
/* 1 while a context is held (it may still turn out to be broken on the next command). */
int zs_redis_connected(const zs_redis *r);
/* Drops the connection; the next call reconnects. */
void zs_redis_disconnect(zs_redis *r);
/* PING, for readiness checks. */
zs_rc zs_redis_ping(zs_redis *r, zs_err *err);
zs_redis_stats zs_redis_get_stats(const zs_redis *r);
/* "host:port/db" of the target, without credentials, for logs. */
const char *zs_redis_target(const zs_redis *r);

/* ---- commands ---- */

/*
 * Runs one command, binary-safe: argvlen[i] is the length of argv[i] (argvlen NULL: all are
 * NUL-terminated strings). On ZS_OK *reply holds the reply (never an error reply); free it with
 * zs_redis_reply_free. An error reply is classified with zs_redis_classify_error and its text put
 * into err; *reply is NULL then. reply may be NULL when the caller does not need it.
 */
zs_rc zs_redis_cmd(zs_redis *r, int argc, const char **argv, const size_t *argvlen,
                   redisReply **reply, zs_err *err);

/* Same, with NUL-terminated string arguments ending in NULL: zs_redis_cmdv(r, &rep, err, "GET", key, NULL). */
zs_rc zs_redis_cmdv(zs_redis *r, redisReply **reply, zs_err *err, ...) __attribute__((sentinel));

void zs_redis_reply_free(redisReply *reply);

/* ---- pipelining ---- */

/*
 * Queues a command without waiting for its reply. Nothing is sent until zs_redis_pipe_exec.
 * Queued commands are lost (and ZS_ERR_RETRY returned) if the connection drops before or during
 * the exchange.
 */
zs_rc zs_redis_pipe_append(zs_redis *r, int argc, const char **argv, const size_t *argvlen,
                           zs_err *err);
/* Number of commands queued and not yet read. */
size_t zs_redis_pipe_pending(const zs_redis *r);
/*
 * Sends everything queued and reads one reply per command, in order, into a new array of
 * *n replies (error replies included as REDIS_REPLY_ERROR: each command's failure is the caller's
 * to judge). Free with zs_redis_replies_free. On an I/O error nothing is returned: ZS_ERR_RETRY.
 */
zs_rc zs_redis_pipe_exec(zs_redis *r, redisReply ***replies, size_t *n, zs_err *err);
void zs_redis_replies_free(redisReply **replies, size_t n);

/* ---- scripts ---- */

/*
 * A Lua script known by its source. Define one as a static for the process lifetime:
 *   static zs_redis_script s = ZS_REDIS_SCRIPT("return redis.call('GET', KEYS[1])");
 * The SHA is learned from the first SCRIPT LOAD and kept per script, across connections; it is
 * stable because it is the SHA1 of the source. zs_redis_eval writes script->sha, so threads need
 * a script object each (the built-in scripts below are kept per handle for that reason).
 */
typedef struct zs_redis_script {
    const char *src;
    char sha[41]; /* "" until loaded once */
} zs_redis_script;
#define ZS_REDIS_SCRIPT(source) {.src = (source), .sha = ""}

/*
 * EVALSHA with nkeys keys (all with one hash tag, so the script is legal under Redis Cluster;
 * keys with different tags are refused with ZS_ERR_FAILED before anything is sent) followed by nargs arguments (arguments NUL-terminated strings, argvlen
 * semantics as in zs_redis_cmd for the arguments only: NULL means strlen). NOSCRIPT is handled by
 * reloading. Reply handling as zs_redis_cmd.
 */
zs_rc zs_redis_eval(zs_redis *r, zs_redis_script *script, int nkeys, const char *const *keys,
                    int nargs, const char *const *args, const size_t *argslen, redisReply **reply,
                    zs_err *err);

/* ---- the idempotency scripts (pipeline.md §2.2) ----
 *
 * A consumer handles one event like this (owner from zs_redis_owner_make, once per process):
 *
 *   zs_redis_keyf(k, sizeof k, &err, tenant, "idem", topic, event_id, NULL);
 *   rc = zs_redis_claim(r, k, owner, lease_ms, &st, &done, &err);
 *   RETRY        -> Redis is down: back off; or go on without the fast path (the sink reconciles)
 *   DONE         -> skip the vendor call (done holds e.g. the remote id); store the offset
 *   BUSY         -> another consumer is on it (rebalance handover): back off, do not store the offset
 *   CLAIMED      -> write the target, then zs_redis_done(r, k, owner, remote_id, len, ttl, &err);
 *                   on a failed write zs_redis_release() so a retry need not wait for the lease
 *
 * The lease must outlast the worst-case vendor call (timeout x attempts); ZS_ERR_CONFLICT from
 * done means the lease ran out meanwhile and someone else may have written too, so verify the
 * target before trusting either write.
 */

typedef enum zs_redis_claim_state {
    ZS_CLAIM_CLAIMED = 0, /* the caller owns the lease now: do the work, then done or release */
    ZS_CLAIM_DONE = 1,    /* someone finished it already; the stored done value is returned */
    ZS_CLAIM_BUSY = 2,    /* another owner holds a live lease: back off, do not store the offset */
} zs_redis_claim_state;

/*
 * Takes the owner lease on key for lease_ms (> 0), unless the key is done or leased by another
 * owner. A claim by the current owner renews its lease (so a retried claim and a long job's
 * heartbeat both work). When DONE and done_value is not NULL, the done value is copied into it.
 */
zs_rc zs_redis_claim(zs_redis *r, const char *key, const char *owner, long lease_ms,
                     zs_redis_claim_state *state, zs_buf *done_value, zs_err *err);

/*
 * Marks key done with value (binary-safe, value_len bytes) and a TTL of ttl_ms (0: no expiry), but
 * only while owner still holds the lease. ZS_OK when stored (also when the key already holds this
 * exact done value, so a repeated call after a lost reply succeeds); ZS_ERR_CONFLICT when the lease
 * was lost (expired, or taken over by another owner, or done with another value).
 */
zs_rc zs_redis_done(zs_redis *r, const char *key, const char *owner, const char *value,
                    size_t value_len, long ttl_ms, zs_err *err);

/* Deletes the lease if owner holds it (after a failure, so another attempt may start at once). *released (may be NULL) tells whether it did. */
zs_rc zs_redis_release(zs_redis *r, const char *key, const char *owner, int *released,
                       zs_err *err);

/* ---- applied content hashes (pipeline.md §2.4) ---- */

/*
 * Stores hash at key if it differs from the stored one (ttl_ms 0: no expiry, otherwise the TTL is
 * refreshed either way). *changed is 1 when it was different (or absent) and 0 when equal.
 * Call it after the target accepted the write.
 */
zs_rc zs_redis_hash_cas(zs_redis *r, const char *key, const char *hash, long ttl_ms, int *changed,
                        zs_err *err);
/* *same is 1 when key holds exactly hash: the change was applied already, skip the vendor call. */
zs_rc zs_redis_hash_same(zs_redis *r, const char *key, const char *hash, int *same, zs_err *err);

/* ---- rate limiting (pipeline.md §3.4) ---- */

/*
 * GCRA: at most `rate` requests per `period_ms`, with up to `burst` (1..1000000) requests at once.
 * One request is taken if allowed, and *wait_ms is 0; otherwise nothing is taken and *wait_ms is
 * how long until one request would be allowed. The clock is the server's (redis TIME), so every
 * replica and connection using the same key shares one budget.
 */
zs_rc zs_redis_gcra_take(zs_redis *r, const char *key, long rate, long period_ms, long burst,
                         long *wait_ms, zs_err *err);

/* ---- tenant offboarding (pipeline.md §5) ---- */

/*
 * Deletes (UNLINK) every key of tenant, or only those of one kind when kind is not NULL, walking
 * the keyspace with SCAN so the server is never blocked. *deleted (may be NULL) counts the keys
 * removed. Keys written concurrently may survive: stop the tenant's workers first.
 */
zs_rc zs_redis_purge(zs_redis *r, const char *tenant, const char *kind, long long *deleted,
                     zs_err *err);

#endif
