#include "redis/zs_redis.h"

#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/random.h>
#include <sys/time.h>
#include <unistd.h>

#include "log/zs_log.h"

/*
 * The idempotency scripts. Lease values are "P:<owner>", done values "D:<value>", so one GET
 * tells the three states apart. Every key is passed in KEYS, as Redis Cluster requires.
 */
static const char CLAIM_LUA[] =
    "local v = redis.call('GET', KEYS[1])\n"
    "local mine = 'P:' .. ARGV[1]\n"
    "if not v then\n"
    "  redis.call('SET', KEYS[1], mine, 'PX', ARGV[2])\n"
    "  return 'CLAIMED'\n"
    "end\n"
    "if string.sub(v, 1, 2) == 'D:' then return 'DONE:' .. string.sub(v, 3) end\n"
    "if v == mine then\n"
    "  redis.call('PEXPIRE', KEYS[1], ARGV[2])\n"
    "  return 'CLAIMED'\n"
    "end\n"
    "return 'BUSY'\n";

static const char DONE_LUA[] =
    "local v = redis.call('GET', KEYS[1])\n"
    "local d = 'D:' .. ARGV[2]\n"
    "if v == d then return 1 end\n"
    "if v ~= 'P:' .. ARGV[1] then return 0 end\n"
    "if tonumber(ARGV[3]) > 0 then\n"
    "  redis.call('SET', KEYS[1], d, 'PX', ARGV[3])\n"
    "else\n"
    "  redis.call('SET', KEYS[1], d)\n"
    "end\n"
    "return 1\n";

static const char RELEASE_LUA[] =
    "if redis.call('GET', KEYS[1]) == 'P:' .. ARGV[1] then\n"
    "  redis.call('DEL', KEYS[1])\n"
    "  return 1\n"
    "end\n"
    "return 0\n";

static const char HASH_CAS_LUA[] =
    "local v = redis.call('GET', KEYS[1])\n"
    "local ttl = tonumber(ARGV[2])\n"
    "if v == ARGV[1] then\n"
    "  if ttl > 0 then redis.call('PEXPIRE', KEYS[1], ttl) end\n"
    "  return 0\n"
    "end\n"
    "if ttl > 0 then\n"
    "  redis.call('SET', KEYS[1], ARGV[1], 'PX', ttl)\n"
    "else\n"
    "  redis.call('SET', KEYS[1], ARGV[1])\n"
    "end\n"
    "return 1\n";

/*
 * GCRA with the theoretical arrival time (TAT) in microseconds of server time. ARGV[1] is the
 * emission interval T, ARGV[2] the tolerance burst*T: a request is allowed when the new TAT is no
 * further than the tolerance ahead of now. Numbers stay below 2^53, exact in Lua's doubles; %d
 * keeps them out of exponent notation. Redis < 5 needs effects replication before a write that
 * follows TIME; later versions do it always and keep the call as a no-op.
 */
static const char GCRA_LUA[] =
    "if redis.replicate_commands then redis.replicate_commands() end\n"
    "local t = redis.call('TIME')\n"
    "local now = tonumber(t[1]) * 1000000 + tonumber(t[2])\n"
    "local T = tonumber(ARGV[1])\n"
    "local tol = tonumber(ARGV[2])\n"
    "local tat = tonumber(redis.call('GET', KEYS[1]) or '0') or 0\n"
    "if tat < now then tat = now end\n"
    "local new = tat + T\n"
    "local ahead = new - now\n"
    "if ahead > tol then return {0, ahead - tol} end\n"
    "redis.call('SET', KEYS[1], string.format('%d', new), 'PX', string.format('%d', math.ceil(ahead / 1000) + 1))\n"
    "return {1, 0}\n";

enum { S_CLAIM, S_DONE, S_RELEASE, S_HASH_CAS, S_GCRA, S_COUNT };

struct zs_redis {
    zs_redis_url url;
    long connect_timeout_ms;
    long command_timeout_ms;
    char client_name[65];
    redisContext *c;
    size_t pending;
    int down_logged; /* a failure was logged and no success since: keeps a dead Redis from flooding the log */
    zs_redis_stats stats;
    char target[300];
    /* Per handle, so threads with their own handles never write a shared SHA. */
    zs_redis_script scripts[S_COUNT];
};

static struct timeval ms_tv(long ms)
{
    struct timeval tv = {.tv_sec = ms / 1000, .tv_usec = (ms % 1000) * 1000};
    return tv;
}

/*
 * hiredis writes with write(2), so a write to a connection the server already closed raises
 * SIGPIPE, whose default action would kill the worker instead of yielding ZS_ERR_RETRY.
 */
static void ignore_sigpipe(void)
{
    struct sigaction old;
    if (sigaction(SIGPIPE, NULL, &old) == 0 && old.sa_handler == SIG_DFL) {
        struct sigaction ign;
        memset(&ign, 0, sizeof ign);
        ign.sa_handler = SIG_IGN;
        sigemptyset(&ign.sa_mask);
        sigaction(SIGPIPE, &ign, NULL);
    }
}

zs_redis *zs_redis_new(const zs_redis_opts *opts, zs_err *err)
{
    ignore_sigpipe();
    zs_redis *r = calloc(1, sizeof *r);
    if (!r) {
        zs_err_set(err, ZS_ERR_FAILED, "redis: out of memory");
        return NULL;
    }
    const char *url = opts && opts->url ? opts->url : "redis://127.0.0.1:6379/0";
    if (zs_redis_url_parse(url, &r->url, err) != ZS_OK) {
        zs_redis_free(r);
        return NULL;
    }
    r->connect_timeout_ms = opts && opts->connect_timeout_ms > 0 ? opts->connect_timeout_ms : 2000;
    r->command_timeout_ms = opts && opts->command_timeout_ms > 0 ? opts->command_timeout_ms : 2000;
    if (opts && opts->client_name && opts->client_name[0]) {
        const char *n = opts->client_name;
        size_t len = strlen(n);
        int ok = len < sizeof r->client_name;
        for (size_t i = 0; ok && i < len; i++)
            ok = n[i] > ' ' && n[i] < 0x7f;
        if (!ok) {
            zs_redis_free(r);
            zs_err_set(err, ZS_ERR_FAILED, "redis: client name must be 1-64 printable characters without spaces");
            return NULL;
        }
        memcpy(r->client_name, n, len + 1);
    }
    int ipv6 = strchr(r->url.host, ':') != NULL;
    snprintf(r->target, sizeof r->target, "%s%s%s:%d/%d", ipv6 ? "[" : "", r->url.host,
             ipv6 ? "]" : "", r->url.port, r->url.db);
    const char *src[S_COUNT] = {CLAIM_LUA, DONE_LUA, RELEASE_LUA, HASH_CAS_LUA, GCRA_LUA};
    for (int i = 0; i < S_COUNT; i++)
        r->scripts[i] = (zs_redis_script)ZS_REDIS_SCRIPT(src[i]);
    return r;
}

void zs_redis_disconnect(zs_redis *r)
{
    if (r && r->c) {
        redisFree(r->c);
        r->c = NULL;
    }
    if (r)
        r->pending = 0;
}

void zs_redis_free(zs_redis *r)
{
    if (!r)
        return;
    zs_redis_disconnect(r);
    /* The password lived in this struct; do not leave it in freed heap memory. explicit_bzero,
     * because a plain memset before free() is a dead store the compiler may drop. */
    explicit_bzero(&r->url, sizeof r->url);
    free(r);
}

int zs_redis_connected(const zs_redis *r) { return r && r->c != NULL; }

zs_redis_stats zs_redis_get_stats(const zs_redis *r) { return r->stats; }

const char *zs_redis_target(const zs_redis *r) { return r->target; }

/* Records a lost connection: hiredis cannot reuse a context after an error. */
static zs_rc io_failure(zs_redis *r, const char *what, zs_err *err)
{
    char why[160];
    snprintf(why, sizeof why, "%s", r->c && r->c->errstr[0] ? r->c->errstr : "connection lost");
    r->stats.io_errors++;
    zs_redis_disconnect(r);
    if (!r->down_logged) {
        zs_warn("redis %s: %s failed: %s; reconnecting on next use", r->target, what, why);
        r->down_logged = 1;
    }
    return zs_err_set(err, ZS_ERR_RETRY, "redis %s: %s: %s", r->target, what, why);
}

/* One command on a fresh context during the handshake; NULL reply means the socket failed. */
static zs_rc handshake(zs_redis *r, redisContext *c, int argc, const char **argv, const char *what,
                       zs_err *err)
{
    redisReply *rep = redisCommandArgv(c, argc, argv, NULL);
    if (!rep)
        return zs_err_set(err, ZS_ERR_RETRY, "redis %s: %s: %s", r->target, what,
                          c->errstr[0] ? c->errstr : "connection lost");
    zs_rc rc = ZS_OK;
    if (rep->type == REDIS_REPLY_ERROR)
        rc = zs_err_set(err, zs_redis_classify_error(rep->str), "redis %s: %s rejected: %s", r->target,
                        what, rep->str);
    freeReplyObject(rep);
    return rc;
}

zs_rc zs_redis_connect(zs_redis *r, zs_err *err)
{
    if (r->c)
        return ZS_OK;
    redisContext *c = redisConnectWithTimeout(r->url.host, r->url.port, ms_tv(r->connect_timeout_ms));
    zs_rc rc = ZS_OK;
    if (!c) {
        rc = zs_err_set(err, ZS_ERR_RETRY, "redis %s: connect: out of memory", r->target);
    } else if (c->err) {
        rc = zs_err_set(err, ZS_ERR_RETRY, "redis %s: connect: %s", r->target, c->errstr);
    } else if (redisSetTimeout(c, ms_tv(r->command_timeout_ms)) != REDIS_OK) {
        rc = zs_err_set(err, ZS_ERR_RETRY, "redis %s: set timeout: %s", r->target, c->errstr);
    } else {
        /* Keepalive finds a peer that vanished without a FIN (host died, NAT dropped state). */
        redisEnableKeepAlive(c);
        if (r->url.password[0]) {
            const char *auth[3] = {"AUTH", r->url.user[0] ? r->url.user : r->url.password,
                                   r->url.password};
            rc = handshake(r, c, r->url.user[0] ? 3 : 2, auth, "AUTH", err);
        }
        if (rc == ZS_OK && r->url.db != 0) {
            char db[16];
            snprintf(db, sizeof db, "%d", r->url.db);
            const char *sel[2] = {"SELECT", db};
            rc = handshake(r, c, 2, sel, "SELECT", err);
        }
        if (rc == ZS_OK && r->client_name[0]) {
            const char *name[3] = {"CLIENT", "SETNAME", r->client_name};
            rc = handshake(r, c, 3, name, "CLIENT SETNAME", err);
        }
    }
    if (rc != ZS_OK) {
        if (c)
            redisFree(c);
        r->stats.connect_errors++;
        if (!r->down_logged) {
            zs_warn("%s", err ? err->msg : "redis: connect failed");
            r->down_logged = 1;
        }
        return rc;
    }
    r->c = c;
    r->pending = 0;
    r->stats.connects++;
    if (r->down_logged) {
        zs_info("redis %s: connected again", r->target);
        r->down_logged = 0;
    }
    return ZS_OK;
}

/* Runs a command and hands back any reply, error replies included. */
static zs_rc raw_cmd(zs_redis *r, int argc, const char **argv, const size_t *lens, redisReply **out,
                     zs_err *err)
{
    *out = NULL;
    if (r->pending)
        return zs_err_set(err, ZS_ERR_FAILED,
                          "redis: %zu pipelined commands are queued; zs_redis_pipe_exec first",
                          r->pending);
    zs_rc rc = zs_redis_connect(r, err);
    if (rc != ZS_OK)
        return rc;
    redisReply *rep = redisCommandArgv(r->c, argc, argv, lens);
    if (!rep)
        return io_failure(r, argc > 0 ? argv[0] : "command", err);
    *out = rep;
    return ZS_OK;
}

/* Turns an error reply into a classified rc (and frees it); other replies pass through. */
static zs_rc take_reply(redisReply *rep, redisReply **reply, zs_err *err)
{
    if (rep->type == REDIS_REPLY_ERROR) {
        zs_rc rc = zs_err_set(err, zs_redis_classify_error(rep->str), "redis: %s", rep->str);
        freeReplyObject(rep);
        return rc;
    }
    if (reply)
        *reply = rep;
    else
        freeReplyObject(rep);
    return ZS_OK;
}

zs_rc zs_redis_cmd(zs_redis *r, int argc, const char **argv, const size_t *argvlen,
                   redisReply **reply, zs_err *err)
{
    if (reply)
        *reply = NULL;
    if (argc <= 0)
        return zs_err_set(err, ZS_ERR_FAILED, "redis: empty command");
    redisReply *rep;
    zs_rc rc = raw_cmd(r, argc, argv, argvlen, &rep, err);
    if (rc != ZS_OK)
        return rc;
    return take_reply(rep, reply, err);
}

zs_rc zs_redis_cmdv(zs_redis *r, redisReply **reply, zs_err *err, ...)
{
    if (reply)
        *reply = NULL;
    va_list ap;
    va_start(ap, err);
    int argc = 0;
    while (va_arg(ap, const char *) != NULL)
        argc++;
    va_end(ap);
    if (argc == 0)
        return zs_err_set(err, ZS_ERR_FAILED, "redis: empty command");
    const char **argv = malloc((size_t)argc * sizeof *argv);
    if (!argv)
        return zs_err_set(err, ZS_ERR_FAILED, "redis: out of memory");
    va_start(ap, err);
    for (int i = 0; i < argc; i++)
        argv[i] = va_arg(ap, const char *);
    va_end(ap);
    zs_rc rc = zs_redis_cmd(r, argc, argv, NULL, reply, err);
    free(argv);
    return rc;
}

void zs_redis_reply_free(redisReply *reply)
{
    if (reply)
        freeReplyObject(reply);
}

zs_rc zs_redis_ping(zs_redis *r, zs_err *err)
{
    redisReply *rep;
    zs_rc rc = zs_redis_cmdv(r, &rep, err, "PING", NULL);
    if (rc != ZS_OK)
        return rc;
    int ok = rep->type == REDIS_REPLY_STATUS && strcmp(rep->str, "PONG") == 0;
    freeReplyObject(rep);
    return ok ? ZS_OK : zs_err_set(err, ZS_ERR_FAILED, "redis %s: unexpected PING reply", r->target);
}

/* ---- pipelining ---- */

zs_rc zs_redis_pipe_append(zs_redis *r, int argc, const char **argv, const size_t *argvlen,
                           zs_err *err)
{
    if (argc <= 0)
        return zs_err_set(err, ZS_ERR_FAILED, "redis: empty command");
    zs_rc rc = zs_redis_connect(r, err);
    if (rc != ZS_OK)
        return rc;
    if (redisAppendCommandArgv(r->c, argc, argv, argvlen) != REDIS_OK)
        return io_failure(r, "pipeline append", err);
    r->pending++;
    return ZS_OK;
}

size_t zs_redis_pipe_pending(const zs_redis *r) { return r->pending; }

void zs_redis_replies_free(redisReply **replies, size_t n)
{
    if (!replies)
        return;
    for (size_t i = 0; i < n; i++)
        if (replies[i])
            freeReplyObject(replies[i]);
    free(replies);
}

zs_rc zs_redis_pipe_exec(zs_redis *r, redisReply ***replies, size_t *n, zs_err *err)
{
    *replies = NULL;
    *n = 0;
    if (r->pending == 0)
        return ZS_OK;
    if (!r->c) {
        r->pending = 0;
        return zs_err_set(err, ZS_ERR_RETRY, "redis %s: connection lost before the pipeline ran",
                          r->target);
    }
    size_t want = r->pending;
    redisReply **out = calloc(want, sizeof *out);
    if (!out) {
        /* The replies would arrive with no one to read them: start over on a new connection. */
        zs_redis_disconnect(r);
        return zs_err_set(err, ZS_ERR_FAILED, "redis: out of memory for %zu replies", want);
    }
    for (size_t i = 0; i < want; i++) {
        void *rep = NULL;
        if (redisGetReply(r->c, &rep) != REDIS_OK || !rep) {
            zs_redis_replies_free(out, i);
            if (rep)
                freeReplyObject(rep);
            return io_failure(r, "pipeline", err);
        }
        out[i] = rep;
    }
    r->pending = 0;
    *replies = out;
    *n = want;
    return ZS_OK;
}

/* ---- scripts ---- */

static zs_rc script_load(zs_redis *r, zs_redis_script *s, zs_err *err)
{
    redisReply *rep;
    zs_rc rc = zs_redis_cmdv(r, &rep, err, "SCRIPT", "LOAD", s->src, NULL);
    if (rc != ZS_OK)
        return zs_err_wrap(err, rc, "SCRIPT LOAD");
    r->stats.script_loads++;
    if (rep->type != REDIS_REPLY_STRING || rep->len != 40) {
        freeReplyObject(rep);
        return zs_err_set(err, ZS_ERR_FAILED, "redis %s: SCRIPT LOAD gave no SHA1", r->target);
    }
    memcpy(s->sha, rep->str, 40);
    s->sha[40] = '\0';
    freeReplyObject(rep);
    return ZS_OK;
}

zs_rc zs_redis_eval(zs_redis *r, zs_redis_script *script, int nkeys, const char *const *keys,
                    int nargs, const char *const *args, const size_t *argslen, redisReply **reply,
                    zs_err *err)
{
    if (reply)
        *reply = NULL;
    if (nkeys < 0 || nargs < 0 || !script || !script->src)
        return zs_err_set(err, ZS_ERR_FAILED, "redis eval: bad arguments");
    const char *tag0 = NULL;
    size_t len0 = 0;
    for (int i = 0; i < nkeys; i++) {
        const char *tag;
        size_t len;
        zs_redis_key_hashtag(keys[i], &tag, &len);
        if (i == 0) {
            tag0 = tag;
            len0 = len;
        } else if (len != len0 || memcmp(tag, tag0, len) != 0) {
            return zs_err_set(err, ZS_ERR_FAILED,
                              "redis eval: keys 0 and %d have different hash tags (Cluster would refuse)", i);
        }
    }
    int argc = 3 + nkeys + nargs;
    const char **argv = malloc((size_t)argc * sizeof *argv);
    size_t *lens = malloc((size_t)argc * sizeof *lens);
    if (!argv || !lens) {
        free(argv);
        free(lens);
        return zs_err_set(err, ZS_ERR_FAILED, "redis: out of memory");
    }
    char nk[16];
    snprintf(nk, sizeof nk, "%d", nkeys);
    argv[0] = "EVALSHA";
    argv[1] = script->sha;
    argv[2] = nk;
    for (int i = 0; i < nkeys; i++)
        argv[3 + i] = keys[i];
    for (int i = 0; i < nargs; i++)
        argv[3 + nkeys + i] = args[i];
    for (int i = 0; i < argc; i++)
        lens[i] = i >= 3 + nkeys && argslen ? argslen[i - 3 - nkeys] : strlen(argv[i]);

    zs_rc rc = ZS_OK;
    if (!script->sha[0])
        rc = script_load(r, script, err);
    for (int attempt = 0; rc == ZS_OK; attempt++) {
        lens[1] = strlen(script->sha);
        redisReply *rep;
        rc = raw_cmd(r, argc, argv, lens, &rep, err);
        if (rc != ZS_OK)
            break;
        /* NOSCRIPT: the server's cache is empty (restart, failover, SCRIPT FLUSH) and nothing ran. */
        if (rep->type == REDIS_REPLY_ERROR && strncmp(rep->str, "NOSCRIPT", 8) == 0 && attempt == 0) {
            freeReplyObject(rep);
            r->stats.noscript++;
            rc = script_load(r, script, err);
            continue;
        }
        rc = take_reply(rep, reply, err);
        break;
    }
    free(argv);
    free(lens);
    return rc;
}

/* ---- the idempotency scripts ---- */

static int is_str(const redisReply *rep)
{
    return rep->type == REDIS_REPLY_STRING || rep->type == REDIS_REPLY_STATUS;
}

static zs_rc bad_reply(zs_redis *r, redisReply *rep, const char *what, zs_err *err)
{
    zs_redis_reply_free(rep);
    return zs_err_set(err, ZS_ERR_FAILED, "redis %s: unexpected reply to %s", r->target, what);
}

static zs_rc check_key_owner(const char *key, const char *owner, zs_err *err)
{
    if (!key || !*key)
        return zs_err_set(err, ZS_ERR_FAILED, "redis: empty key");
    if (owner && !*owner)
        return zs_err_set(err, ZS_ERR_FAILED, "redis: empty owner token");
    return ZS_OK;
}

zs_rc zs_redis_claim(zs_redis *r, const char *key, const char *owner, long lease_ms,
                     zs_redis_claim_state *state, zs_buf *done_value, zs_err *err)
{
    zs_rc rc = check_key_owner(key, owner, err);
    if (rc != ZS_OK)
        return rc;
    if (lease_ms <= 0)
        return zs_err_set(err, ZS_ERR_FAILED, "redis claim: lease must be > 0 ms");
    char lease[24];
    snprintf(lease, sizeof lease, "%ld", lease_ms);
    const char *args[2] = {owner, lease};
    redisReply *rep;
    rc = zs_redis_eval(r, &r->scripts[S_CLAIM], 1, &key, 2, args, NULL, &rep, err);
    if (rc != ZS_OK)
        return rc;
    if (!is_str(rep))
        return bad_reply(r, rep, "claim", err);
    if (rep->len == 7 && memcmp(rep->str, "CLAIMED", 7) == 0) {
        *state = ZS_CLAIM_CLAIMED;
    } else if (rep->len == 4 && memcmp(rep->str, "BUSY", 4) == 0) {
        *state = ZS_CLAIM_BUSY;
    } else if (rep->len >= 5 && memcmp(rep->str, "DONE:", 5) == 0) {
        *state = ZS_CLAIM_DONE;
        if (done_value) {
            zs_buf_reset(done_value);
            if (zs_buf_append(done_value, rep->str + 5, rep->len - 5) < 0) {
                freeReplyObject(rep);
                return zs_err_set(err, ZS_ERR_FAILED, "redis claim: out of memory");
            }
        }
    } else {
        return bad_reply(r, rep, "claim", err);
    }
    freeReplyObject(rep);
    return ZS_OK;
}

zs_rc zs_redis_done(zs_redis *r, const char *key, const char *owner, const char *value,
                    size_t value_len, long ttl_ms, zs_err *err)
{
    zs_rc rc = check_key_owner(key, owner, err);
    if (rc != ZS_OK)
        return rc;
    if (ttl_ms < 0)
        return zs_err_set(err, ZS_ERR_FAILED, "redis done: ttl must be >= 0 ms");
    char ttl[24];
    snprintf(ttl, sizeof ttl, "%ld", ttl_ms);
    const char *args[3] = {owner, value ? value : "", ttl};
    size_t lens[3] = {strlen(owner), value ? value_len : 0, strlen(ttl)};
    redisReply *rep;
    rc = zs_redis_eval(r, &r->scripts[S_DONE], 1, &key, 3, args, lens, &rep, err);
    if (rc != ZS_OK)
        return rc;
    if (rep->type != REDIS_REPLY_INTEGER)
        return bad_reply(r, rep, "done", err);
    long long stored = rep->integer;
    freeReplyObject(rep);
    if (!stored)
        return zs_err_set(err, ZS_ERR_CONFLICT, "redis done: lease on %s is no longer held by this owner",
                          key);
    return ZS_OK;
}

zs_rc zs_redis_release(zs_redis *r, const char *key, const char *owner, int *released,
                       zs_err *err)
{
    if (released)
        *released = 0;
    zs_rc rc = check_key_owner(key, owner, err);
    if (rc != ZS_OK)
        return rc;
    redisReply *rep;
    rc = zs_redis_eval(r, &r->scripts[S_RELEASE], 1, &key, 1, &owner, NULL, &rep, err);
    if (rc != ZS_OK)
        return rc;
    if (rep->type != REDIS_REPLY_INTEGER)
        return bad_reply(r, rep, "release", err);
    if (released)
        *released = rep->integer == 1;
    freeReplyObject(rep);
    return ZS_OK;
}

/* ---- content hashes ---- */

zs_rc zs_redis_hash_cas(zs_redis *r, const char *key, const char *hash, long ttl_ms, int *changed,
                        zs_err *err)
{
    zs_rc rc = check_key_owner(key, NULL, err);
    if (rc != ZS_OK)
        return rc;
    if (!hash || !*hash || ttl_ms < 0)
        return zs_err_set(err, ZS_ERR_FAILED, "redis hash: empty hash or negative ttl");
    char ttl[24];
    snprintf(ttl, sizeof ttl, "%ld", ttl_ms);
    const char *args[2] = {hash, ttl};
    redisReply *rep;
    rc = zs_redis_eval(r, &r->scripts[S_HASH_CAS], 1, &key, 2, args, NULL, &rep, err);
    if (rc != ZS_OK)
        return rc;
    if (rep->type != REDIS_REPLY_INTEGER)
        return bad_reply(r, rep, "hash compare-and-set", err);
    if (changed)
        *changed = rep->integer == 1;
    freeReplyObject(rep);
    return ZS_OK;
}

zs_rc zs_redis_hash_same(zs_redis *r, const char *key, const char *hash, int *same, zs_err *err)
{
    *same = 0;
    zs_rc rc = check_key_owner(key, NULL, err);
    if (rc != ZS_OK)
        return rc;
    if (!hash)
        return zs_err_set(err, ZS_ERR_FAILED, "redis hash: missing hash");
    redisReply *rep;
    rc = zs_redis_cmdv(r, &rep, err, "GET", key, NULL);
    if (rc != ZS_OK)
        return rc;
    if (rep->type == REDIS_REPLY_STRING)
        *same = rep->len == strlen(hash) && memcmp(rep->str, hash, rep->len) == 0;
    else if (rep->type != REDIS_REPLY_NIL)
        return bad_reply(r, rep, "GET of a hash", err);
    freeReplyObject(rep);
    return ZS_OK;
}

/* ---- rate limiting ---- */

zs_rc zs_redis_gcra_take(zs_redis *r, const char *key, long rate, long period_ms, long burst,
                         long *wait_ms, zs_err *err)
{
    *wait_ms = 0;
    zs_rc rc = check_key_owner(key, NULL, err);
    if (rc != ZS_OK)
        return rc;
    if (rate <= 0 || period_ms <= 0 || burst <= 0 || burst > 1000000 || period_ms > 86400000L * 366)
        return zs_err_set(err, ZS_ERR_FAILED,
                          "redis gcra: need rate > 0, 0 < period <= 366 days, 1 <= burst <= 1000000");
    /* Rounded up, so rounding can only make the limiter stricter than configured, never looser. */
    long long interval_us = ((long long)period_ms * 1000 + rate - 1) / rate;
    if (interval_us < 1)
        interval_us = 1;
    /* Lua numbers are doubles: keep the tolerance where they are exact. */
    if (interval_us > (1LL << 52) / burst)
        return zs_err_set(err, ZS_ERR_FAILED, "redis gcra: period/rate * burst is too large");
    char t[32], tol[32];
    snprintf(t, sizeof t, "%lld", interval_us);
    snprintf(tol, sizeof tol, "%lld", interval_us * burst);
    const char *args[2] = {t, tol};
    redisReply *rep;
    rc = zs_redis_eval(r, &r->scripts[S_GCRA], 1, &key, 2, args, NULL, &rep, err);
    if (rc != ZS_OK)
        return rc;
    if (rep->type != REDIS_REPLY_ARRAY || rep->elements != 2 ||
        rep->element[0]->type != REDIS_REPLY_INTEGER || rep->element[1]->type != REDIS_REPLY_INTEGER)
        return bad_reply(r, rep, "gcra", err);
    if (rep->element[0]->integer != 1) {
        long long us = rep->element[1]->integer;
        *wait_ms = (long)((us + 999) / 1000);
        if (*wait_ms < 1)
            *wait_ms = 1;
    }
    freeReplyObject(rep);
    return ZS_OK;
}

/* ---- owner tokens and offboarding ---- */

int zs_redis_owner_make(char *out, size_t cap)
{
    unsigned char rnd[8];
    size_t got = 0;
    while (got < sizeof rnd) {
        ssize_t n = getrandom(rnd + got, sizeof rnd - got, 0);
        if (n <= 0)
            return -1;
        got += (size_t)n;
    }
    char host[256];
    if (gethostname(host, sizeof host) != 0)
        snprintf(host, sizeof host, "unknown");
    host[sizeof host - 1] = '\0';
    /* Keep the host part short so the token fits any sane buffer. */
    host[32] = '\0';
    int n = snprintf(out, cap, "%s:%d:%02x%02x%02x%02x%02x%02x%02x%02x", host, (int)getpid(), rnd[0],
                     rnd[1], rnd[2], rnd[3], rnd[4], rnd[5], rnd[6], rnd[7]);
    if (n < 0 || (size_t)n >= cap) {
        if (cap)
            out[0] = '\0';
        return -1;
    }
    return 0;
}

zs_rc zs_redis_purge(zs_redis *r, const char *tenant, const char *kind, long long *deleted,
                     zs_err *err)
{
    if (deleted)
        *deleted = 0;
    char pattern[ZS_REDIS_KEY_MAX + 1];
    /* Building a real key validates tenant and kind; its last part is then swapped for the glob. */
    zs_rc rc = zs_redis_keyf(pattern, sizeof pattern, err, tenant, kind ? kind : "x", "x", NULL);
    if (rc != ZS_OK)
        return rc;
    if (kind)
        pattern[strlen(pattern) - 1] = '*';
    else
        snprintf(pattern, sizeof pattern, "zs:{%s}:*", tenant);
    char cursor[32] = "0";
    do {
        redisReply *rep;
        rc = zs_redis_cmdv(r, &rep, err, "SCAN", cursor, "MATCH", pattern, "COUNT", "1000", NULL);
        if (rc != ZS_OK)
            return rc;
        if (rep->type != REDIS_REPLY_ARRAY || rep->elements != 2 ||
            rep->element[0]->type != REDIS_REPLY_STRING || rep->element[1]->type != REDIS_REPLY_ARRAY ||
            rep->element[0]->len >= sizeof cursor)
            return bad_reply(r, rep, "SCAN", err);
        memcpy(cursor, rep->element[0]->str, rep->element[0]->len);
        cursor[rep->element[0]->len] = '\0';
        redisReply *keys = rep->element[1];
        if (keys->elements > 0) {
            size_t n = keys->elements + 1;
            const char **argv = malloc(n * sizeof *argv);
            size_t *lens = malloc(n * sizeof *lens);
            if (!argv || !lens) {
                free(argv);
                free(lens);
                freeReplyObject(rep);
                return zs_err_set(err, ZS_ERR_FAILED, "redis purge: out of memory");
            }
            argv[0] = "UNLINK";
            lens[0] = 6;
            for (size_t i = 0; i < keys->elements; i++) {
                argv[i + 1] = keys->element[i]->str;
                lens[i + 1] = keys->element[i]->len;
            }
            redisReply *del;
            rc = zs_redis_cmd(r, (int)n, argv, lens, &del, err);
            free(argv);
            free(lens);
            if (rc == ZS_OK) {
                if (deleted && del->type == REDIS_REPLY_INTEGER)
                    *deleted += del->integer;
                freeReplyObject(del);
            }
        }
        freeReplyObject(rep);
        if (rc != ZS_OK)
            return rc;
    } while (strcmp(cursor, "0") != 0);
    return ZS_OK;
}
