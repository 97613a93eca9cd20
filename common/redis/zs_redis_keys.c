/* The pure half of zs_redis: URL parsing, key building, error classification. No I/O here. */
#include "redis/zs_redis.h"

#include <ctype.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

static int hexval(int c)
{
    if (c >= '0' && c <= '9')
        return c - '0';
    c = tolower(c);
    if (c >= 'a' && c <= 'f')
        return c - 'a' + 10;
    return -1;
}

/* Percent-decodes [s, s+n) into out; -1 on a bad escape, an embedded NUL or overflow. */
static int pct_decode(const char *s, size_t n, char *out, size_t cap)
{
    size_t o = 0;
    for (size_t i = 0; i < n; i++) {
        int c = (unsigned char)s[i];
        if (c == '%') {
            int hi = i + 1 < n ? hexval(s[i + 1]) : -1;
            int lo = i + 2 < n ? hexval(s[i + 2]) : -1;
            if (hi < 0 || lo < 0)
                return -1;
            c = hi * 16 + lo;
            if (c == 0)
                return -1;
            i += 2;
        }
        if (o + 1 >= cap)
            return -1;
        out[o++] = (char)c;
    }
    out[o] = '\0';
    return 0;
}

/* Parses all of [s, s+n) as a decimal number in [min, max]; -1 otherwise. */
static long parse_num(const char *s, size_t n, long min, long max)
{
    if (n == 0 || n > 10)
        return -1;
    long v = 0;
    for (size_t i = 0; i < n; i++) {
        if (!isdigit((unsigned char)s[i]))
            return -1;
        v = v * 10 + (s[i] - '0');
    }
    return v < min || v > max ? -1 : v;
}

zs_rc zs_redis_url_parse(const char *url, zs_redis_url *out, zs_err *err)
{
    memset(out, 0, sizeof *out);
    out->port = 6379;
    if (!url)
        return zs_err_set(err, ZS_ERR_FAILED, "redis url: missing");
    if (strncasecmp(url, "rediss://", 9) == 0)
        return zs_err_set(err, ZS_ERR_FAILED, "redis url: rediss:// (TLS) is not supported by this build");
    if (strncasecmp(url, "redis://", 8) != 0)
        return zs_err_set(err, ZS_ERR_FAILED, "redis url: must start with redis://");
    const char *p = url + 8;
    const char *end = p + strcspn(p, "/?#");
    if (*end == '?' || *end == '#')
        return zs_err_set(err, ZS_ERR_FAILED, "redis url: query and fragment are not supported");

    /* The last '@' ends the userinfo: a password may itself contain an unescaped '@'. */
    const char *at = NULL;
    for (const char *q = p; q < end; q++)
        if (*q == '@')
            at = q;
    if (at) {
        const char *colon = memchr(p, ':', (size_t)(at - p));
        int bad;
        if (colon) {
            bad = pct_decode(p, (size_t)(colon - p), out->user, sizeof out->user) < 0 ||
                  pct_decode(colon + 1, (size_t)(at - colon - 1), out->password,
                             sizeof out->password) < 0;
        } else {
            /* redis://secret@host: the legacy form where the userinfo is the password alone. */
            bad = pct_decode(p, (size_t)(at - p), out->password, sizeof out->password) < 0;
        }
        if (bad) {
            memset(out, 0, sizeof *out);
            return zs_err_set(err, ZS_ERR_FAILED, "redis url: bad or too long user/password");
        }
        p = at + 1;
    }

    const char *host_end;
    const char *port_start = NULL;
    if (*p == '[') {
        const char *rb = memchr(p, ']', (size_t)(end - p));
        if (!rb)
            return zs_err_set(err, ZS_ERR_FAILED, "redis url: unterminated [ipv6] host");
        if ((size_t)(rb - p - 1) >= sizeof out->host || rb == p + 1)
            return zs_err_set(err, ZS_ERR_FAILED, "redis url: bad [ipv6] host");
        memcpy(out->host, p + 1, (size_t)(rb - p - 1));
        out->host[rb - p - 1] = '\0';
        host_end = rb + 1;
        if (host_end < end) {
            if (*host_end != ':')
                return zs_err_set(err, ZS_ERR_FAILED, "redis url: junk after [ipv6] host");
            port_start = host_end + 1;
        }
    } else {
        const char *colon = memchr(p, ':', (size_t)(end - p));
        host_end = colon ? colon : end;
        if (host_end == p)
            return zs_err_set(err, ZS_ERR_FAILED, "redis url: missing host");
        if ((size_t)(host_end - p) >= sizeof out->host)
            return zs_err_set(err, ZS_ERR_FAILED, "redis url: host too long");
        for (const char *q = p; q < host_end; q++)
            if (!isalnum((unsigned char)*q) && *q != '.' && *q != '-' && *q != '_')
                return zs_err_set(err, ZS_ERR_FAILED, "redis url: bad character in host");
        memcpy(out->host, p, (size_t)(host_end - p));
        out->host[host_end - p] = '\0';
        if (colon)
            port_start = colon + 1;
    }
    if (port_start) {
        long port = parse_num(port_start, (size_t)(end - port_start), 1, 65535);
        if (port < 0)
            return zs_err_set(err, ZS_ERR_FAILED, "redis url: port must be 1..65535");
        out->port = (int)port;
    }
    if (*end == '/' && end[1]) {
        long db = parse_num(end + 1, strlen(end + 1), 0, 1000000);
        if (db < 0)
            return zs_err_set(err, ZS_ERR_FAILED, "redis url: database must be a number");
        out->db = (int)db;
    }
    return ZS_OK;
}

int zs_redis_tenant_valid(const char *t)
{
    if (!t || !*t || !(islower((unsigned char)t[0]) || isdigit((unsigned char)t[0])))
        return 0;
    size_t n = 0;
    for (; t[n]; n++) {
        unsigned char c = (unsigned char)t[n];
        if (!(islower(c) || isdigit(c) || c == '-' || c == '_'))
            return 0;
        if (n >= ZS_REDIS_TENANT_MAX)
            return 0;
    }
    return 1;
}

static int kind_valid(const char *k)
{
    if (!k || !*k)
        return 0;
    size_t n = 0;
    for (; k[n]; n++) {
        unsigned char c = (unsigned char)k[n];
        if (!(islower(c) || isdigit(c) || c == '-' || c == '_') || n >= 32)
            return 0;
    }
    return 1;
}

static int id_valid(const char *id)
{
    if (!id || !*id)
        return 0;
    for (const unsigned char *p = (const unsigned char *)id; *p; p++)
        if (*p == ':' || *p <= ' ' || *p == 0x7f)
            return 0;
    return 1;
}

zs_rc zs_redis_key(char *out, size_t cap, const char *tenant, const char *kind,
                   const char *const *ids, size_t n_ids, zs_err *err)
{
    if (cap)
        out[0] = '\0';
    if (!zs_redis_tenant_valid(tenant))
        return zs_err_set(err, ZS_ERR_FAILED,
                          "redis key: invalid tenant name (1-63 of a-z 0-9 - _, starting alphanumeric)");
    if (!kind_valid(kind))
        return zs_err_set(err, ZS_ERR_FAILED, "redis key: invalid kind (1-32 of a-z 0-9 - _)");
    if (n_ids == 0)
        return zs_err_set(err, ZS_ERR_FAILED, "redis key: at least one id is needed");
    if (cap > ZS_REDIS_KEY_MAX + 1)
        cap = ZS_REDIS_KEY_MAX + 1;
    int n = snprintf(out, cap, "zs:{%s}:%s", tenant, kind);
    size_t len = n < 0 ? cap : (size_t)n;
    for (size_t i = 0; i < n_ids && len < cap; i++) {
        if (!id_valid(ids[i])) {
            out[0] = '\0';
            return zs_err_set(err, ZS_ERR_FAILED,
                              "redis key: id %zu is empty or has ':', whitespace or control characters", i);
        }
        n = snprintf(out + len, cap - len, ":%s", ids[i]);
        len = n < 0 ? cap : len + (size_t)n;
    }
    if (len >= cap) {
        if (cap)
            out[0] = '\0';
        return zs_err_set(err, ZS_ERR_FAILED, "redis key: longer than %zu bytes",
                          cap ? cap - 1 : (size_t)0);
    }
    return ZS_OK;
}

zs_rc zs_redis_keyf(char *out, size_t cap, zs_err *err, const char *tenant, const char *kind, ...)
{
    const char *ids[16];
    size_t n = 0;
    va_list ap;
    va_start(ap, kind);
    const char *s;
    while ((s = va_arg(ap, const char *)) != NULL) {
        if (n == sizeof ids / sizeof ids[0]) {
            va_end(ap);
            if (cap)
                out[0] = '\0';
            return zs_err_set(err, ZS_ERR_FAILED, "redis key: more than 16 ids");
        }
        ids[n++] = s;
    }
    va_end(ap);
    return zs_redis_key(out, cap, tenant, kind, ids, n, err);
}

void zs_redis_key_hashtag(const char *key, const char **tag, size_t *len)
{
    *tag = key;
    *len = strlen(key);
    const char *open = strchr(key, '{');
    if (!open)
        return;
    const char *close = strchr(open + 1, '}');
    if (!close || close == open + 1)
        return;
    *tag = open + 1;
    *len = (size_t)(close - open - 1);
}

/* True when the reply text starts with the error code word (the part before the first space). */
static int code_is(const char *msg, const char *code)
{
    size_t n = strlen(code);
    return strncmp(msg, code, n) == 0 && (msg[n] == ' ' || msg[n] == '\0');
}

zs_rc zs_redis_classify_error(const char *msg)
{
    if (!msg)
        return ZS_ERR_FAILED;
    static const char *const transient[] = {"LOADING", "BUSY", "TRYAGAIN", "CLUSTERDOWN",
                                            "MASTERDOWN", "READONLY", "NOREPLICAS", "OOM"};
    for (size_t i = 0; i < sizeof transient / sizeof transient[0]; i++)
        if (code_is(msg, transient[i]))
            return ZS_ERR_RETRY;
    if (code_is(msg, "NOAUTH") || code_is(msg, "WRONGPASS") || code_is(msg, "NOPERM"))
        return ZS_ERR_AUTH;
    /* Redis < 6 answers a wrong password with a plain ERR. */
    if (strncmp(msg, "ERR invalid password", 20) == 0 ||
        strncmp(msg, "ERR AUTH <password> called without", 34) == 0)
        return ZS_ERR_AUTH;
    return ZS_ERR_FAILED;
}
