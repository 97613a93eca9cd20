#include "config/zs_config.h"

#include <ctype.h>
#include <errno.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

extern char **environ;

#ifndef ZS_SOURCE_DIR
#define ZS_SOURCE_DIR "/usr/share/zepsync"
#endif
#define DEFAULT_SCHEMAS_DIR ZS_SOURCE_DIR "/schemas"

#define KAFKA_PREFIX "ZS_KAFKA_"
#define MAX_EVENT_BYTES (16u * 1024u * 1024u)
#define MIN_EVENT_BYTES 1024u

/* The typed settings; every other ZS_KAFKA_* is a librdkafka property. */
static const char *const known[] = {
    "ZS_KAFKA_BROKERS", "ZS_KAFKA_GROUP_ID", "ZS_REDIS_URL",     "ZS_TENANTS_DIR",
    "ZS_SCHEMAS_DIR",   "ZS_LOG_LEVEL",      "ZS_HTTP_LISTEN",   "ZS_EVENT_MAX_BYTES",
    "ZS_INSTANCE_ID",   NULL,
};

const char *zs_config_env(char *const envp[], const char *name)
{
    char *const *e = envp ? envp : environ;
    size_t n = strlen(name);
    for (; e && *e; e++)
        if (strncmp(*e, name, n) == 0 && (*e)[n] == '=')
            return *e + n + 1;
    return NULL;
}

/* Unset and empty are the same thing to us. */
static const char *env_value(char *const envp[], const char *name)
{
    const char *v = zs_config_env(envp, name);
    return v && *v ? v : NULL;
}

/* ---- problem list: every bad variable is reported, joined with "; " ---- */

typedef struct problems {
    zs_buf msg;
    int count;
} problems;

static void problem(problems *p, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static void problem(problems *p, const char *fmt, ...)
{
    if (p->count++)
        zs_buf_puts(&p->msg, "; ");
    va_list ap;
    va_start(ap, fmt);
    zs_buf_vprintf(&p->msg, fmt, ap);
    va_end(ap);
}

/* ---- validators ---- */

static int parse_port(const char *s, size_t n, int allow_zero)
{
    if (n == 0 || n > 5)
        return -1;
    int v = 0;
    for (size_t i = 0; i < n; i++) {
        if (!isdigit((unsigned char)s[i]))
            return -1;
        v = v * 10 + (s[i] - '0');
    }
    if (v > 65535 || (v == 0 && !allow_zero))
        return -1;
    return v;
}

/*
 * Splits "host:port", "[v6]:port" or ":port" (needs_port) or also "host" alone. Returns 0 and
 * fills host (may be empty) and *port (-1 when absent), or -1.
 */
static int split_host_port(const char *s, size_t n, int needs_port, int allow_zero, char *host,
                           size_t hcap, int *port)
{
    const char *h = s, *colon = NULL;
    size_t hl;
    if (n && s[0] == '[') {
        const char *close = memchr(s, ']', n);
        if (!close)
            return -1;
        h = s + 1;
        hl = (size_t)(close - s) - 1;
        if (close + 1 < s + n) {
            if (close[1] != ':')
                return -1;
            colon = close + 1;
        }
    } else {
        for (size_t i = 0; i < n; i++)
            if (s[i] == ':')
                colon = s + i;
        hl = colon ? (size_t)(colon - s) : n;
        if (colon && memchr(s, ':', hl))
            return -1; /* bare IPv6 without brackets is ambiguous */
    }
    for (size_t i = 0; i < hl; i++)
        if (isspace((unsigned char)h[i]) || h[i] == '/' || h[i] == ',' || h[i] == '@')
            return -1;
    if (hl >= hcap)
        return -1;
    memcpy(host, h, hl);
    host[hl] = '\0';
    *port = -1;
    if (colon) {
        *port = parse_port(colon + 1, (size_t)(s + n - colon - 1), allow_zero);
        if (*port < 0)
            return -1;
    } else if (needs_port) {
        return -1;
    }
    return 0;
}

/* "host:port[,host:port]", each optionally "proto://…" as librdkafka allows. */
static int brokers_ok(const char *s, char *why, size_t cap)
{
    const char *p = s;
    int idx = 0;
    for (;;) {
        const char *end = strchr(p, ',');
        size_t n = end ? (size_t)(end - p) : strlen(p);
        const char *item = p;
        const char *scheme = NULL;
        for (size_t i = 0; i + 2 < n; i++)
            if (item[i] == ':' && item[i + 1] == '/' && item[i + 2] == '/') {
                scheme = item + i;
                break;
            }
        if (scheme) {
            n -= (size_t)(scheme + 3 - item);
            item = scheme + 3;
        }
        char host[256];
        int port;
        if (n == 0 || split_host_port(item, n, 0, 0, host, sizeof host, &port) < 0 || !host[0]) {
            snprintf(why, cap, "entry %d \"%.*s\" is not host[:port]", idx + 1,
                     (int)(n > 64 ? 64 : n), item);
            return 0;
        }
        idx++;
        if (!end)
            return 1;
        p = end + 1;
    }
}

static int redis_url_ok(const char *s, char *why, size_t cap)
{
    if (strncmp(s, "unix://", 7) == 0) {
        if (s[7] != '/') {
            snprintf(why, cap, "unix:// needs an absolute socket path");
            return 0;
        }
        return 1;
    }
    const char *rest;
    if (strncmp(s, "redis://", 8) == 0)
        rest = s + 8;
    else if (strncmp(s, "rediss://", 9) == 0)
        rest = s + 9;
    else {
        snprintf(why, cap, "want redis://, rediss:// or unix://");
        return 0;
    }
    const char *slash = strchr(rest, '/');
    size_t n = slash ? (size_t)(slash - rest) : strlen(rest);
    /* The last '@' ends the userinfo: passwords may contain '@' if not percent-encoded. */
    const char *auth = NULL;
    for (size_t i = 0; i < n; i++)
        if (rest[i] == '@')
            auth = rest + i;
    const char *hp = auth ? auth + 1 : rest;
    size_t hn = n - (size_t)(hp - rest);
    char host[256];
    int port;
    if (hn == 0 || split_host_port(hp, hn, 0, 0, host, sizeof host, &port) < 0 || !host[0]) {
        snprintf(why, cap, "no valid host[:port]");
        return 0;
    }
    if (slash && slash[1]) {
        const char *db = slash + 1;
        size_t dl = strcspn(db, "?");
        if (dl == 0 || dl > 5 || strspn(db, "0123456789") != dl) {
            snprintf(why, cap, "the database after '/' must be a number");
            return 0;
        }
    }
    return 1;
}

static int name_ok(const char *s, size_t max)
{
    size_t n = strlen(s);
    if (n == 0 || n > max)
        return 0;
    for (size_t i = 0; i < n; i++)
        if (!isalnum((unsigned char)s[i]) && s[i] != '.' && s[i] != '_' && s[i] != '-')
            return 0;
    return 1;
}

static int parse_size(const char *s, size_t *out)
{
    errno = 0;
    char *end;
    if (!isdigit((unsigned char)s[0]))
        return -1;
    unsigned long long v = strtoull(s, &end, 10);
    if (errno)
        return -1;
    unsigned long long mul = 1;
    if (*end == 'K' || *end == 'k')
        mul = 1024, end++;
    else if (*end == 'M' || *end == 'm')
        mul = 1024 * 1024, end++;
    if (mul > 1 && (strcmp(end, "iB") == 0 || strcmp(end, "B") == 0))
        end += strlen(end);
    if (*end || v > SIZE_MAX / mul)
        return -1;
    *out = (size_t)(v * mul);
    return 0;
}

/* ---- librdkafka pass-through ---- */

int zs_config_kafka_property(const char *env_name, char *out, size_t cap)
{
    size_t pl = strlen(KAFKA_PREFIX);
    if (strncmp(env_name, KAFKA_PREFIX, pl) != 0)
        return -1;
    const char *s = env_name + pl;
    size_t o = 0;
    if (!*s)
        return -1;
    for (; *s; s++) {
        char c;
        if (s[0] == '_' && s[1] == '_') {
            c = '_';
            s++;
        } else if (*s == '_') {
            c = '.';
        } else if (isupper((unsigned char)*s) || isdigit((unsigned char)*s)) {
            c = (char)tolower((unsigned char)*s);
        } else {
            return -1; /* lower case or punctuation in an env name: surely a mistake */
        }
        if (o + 1 >= cap)
            return -1;
        out[o++] = c;
    }
    out[o] = '\0';
    if (out[0] == '.' || out[o - 1] == '.' || strstr(out, ".."))
        return -1;
    return 0;
}

int zs_config_kafka_is_secret(const char *name)
{
    static const char *const words[] = {"password", "secret", "jaas", "token", "key.pem",
                                        "keystore", "credentials", NULL};
    for (const char *const *w = words; *w; w++)
        if (strstr(name, *w))
            return 1;
    return strcmp(name, "ssl.key.pem") == 0 || strcmp(name, "ssl_key") == 0;
}

typedef struct prop {
    char *name;
    char *value;
    const char *env;
} prop;

static int prop_cmp(const void *a, const void *b)
{
    return strcmp(((const prop *)a)->name, ((const prop *)b)->name);
}

/* ---- load ---- */

static char *dup_or_null(const char *s, int *oom)
{
    if (!s)
        return NULL;
    char *d = strdup(s);
    if (!d)
        *oom = 1;
    return d;
}

void zs_config_release(zs_config *cfg)
{
    free((char *)cfg->kafka_brokers);
    free((char *)cfg->kafka_group_prefix);
    free((char *)cfg->redis_url);
    free((char *)cfg->tenants_dir);
    free((char *)cfg->schemas_dir);
    free((char *)cfg->http_listen);
    free((char *)cfg->http_host);
    free((char *)cfg->instance_id);
    if (cfg->kafka_props) {
        /* Index 0 and 1 ("bootstrap.servers" and the brokers) are not separately owned. */
        for (size_t i = 2; cfg->kafka_props[i]; i++)
            free((char *)cfg->kafka_props[i]);
        free(cfg->kafka_props);
    }
    if (cfg->unknown) {
        for (size_t i = 0; cfg->unknown[i]; i++)
            free((char *)cfg->unknown[i]);
        free(cfg->unknown);
    }
    memset(cfg, 0, sizeof *cfg);
}

static int is_known(const char *env, size_t name_len)
{
    for (const char *const *k = known; *k; k++)
        if (strlen(*k) == name_len && strncmp(env, *k, name_len) == 0)
            return 1;
    return 0;
}

/* Collects the pass-through properties and the unknown ZS_* names. */
static int scan(char *const envp[], problems *pr, prop **props_out, size_t *n_props,
                char ***unknown_out)
{
    char *const *e = envp ? envp : environ;
    size_t cap = 0, n = 0, ucap = 0, un = 0;
    prop *props = NULL;
    char **unknown = NULL;
    int oom = 0;
    for (; e && *e && !oom; e++) {
        const char *eq = strchr(*e, '=');
        if (!eq || strncmp(*e, "ZS_", 3) != 0)
            continue;
        size_t nl = (size_t)(eq - *e);
        char name[256];
        if (nl >= sizeof name)
            continue;
        memcpy(name, *e, nl);
        name[nl] = '\0';
        if (zs_config_env(envp, name) != eq + 1)
            continue; /* a repeated name: the first one counts, as with getenv */
        if (is_known(*e, nl) || strncmp(name, "ZS_TEST_", 8) == 0)
            continue;
        if (strncmp(name, KAFKA_PREFIX, strlen(KAFKA_PREFIX)) != 0) {
            if (un + 2 > ucap) {
                size_t nc = ucap ? ucap * 2 : 8;
                char **u = realloc(unknown, nc * sizeof *u);
                if (!u) {
                    oom = 1;
                    break;
                }
                unknown = u;
                ucap = nc;
            }
            if (!(unknown[un] = strdup(name)))
                oom = 1;
            else
                unknown[++un] = NULL;
            continue;
        }
        if (!eq[1])
            continue;
        char pname[256];
        if (zs_config_kafka_property(name, pname, sizeof pname) < 0) {
            problem(pr, "%s: does not name a librdkafka property (use A-Z, 0-9 and _)", name);
            continue;
        }
        if (strcmp(pname, "enable.auto.offset.store") == 0) {
            /* DESIGN §4: offsets are stored only after an event's effect is durable. */
            problem(pr, "%s: zepsync manages offset storing itself; it cannot be overridden", name);
            continue;
        }
        if (n == cap) {
            size_t nc = cap ? cap * 2 : 8;
            prop *p = realloc(props, nc * sizeof *p);
            if (!p) {
                oom = 1;
                break;
            }
            props = p;
            cap = nc;
        }
        props[n].name = strdup(pname);
        props[n].value = strdup(eq + 1);
        props[n].env = *e;
        if (!props[n].name || !props[n].value) {
            free(props[n].name);
            free(props[n].value);
            oom = 1;
            break;
        }
        n++;
    }
    if (props)
        qsort(props, n, sizeof *props, prop_cmp);
    *props_out = props;
    *n_props = n;
    if (!unknown && !oom) {
        unknown = calloc(1, sizeof *unknown);
        if (!unknown)
            oom = 1;
    }
    *unknown_out = unknown;
    return oom ? -1 : 0;
}

static void free_props(prop *props, size_t n)
{
    for (size_t i = 0; i < n; i++) {
        free(props[i].name);
        free(props[i].value);
    }
    free(props);
}

zs_rc zs_config_load(zs_config *cfg, char *const envp[], zs_err *err)
{
    memset(cfg, 0, sizeof *cfg);
    problems pr;
    zs_buf_init(&pr.msg);
    pr.count = 0;
    char why[160];
    int oom = 0;

    prop *props = NULL;
    size_t n_props = 0;
    char **unknown = NULL;
    if (scan(envp, &pr, &props, &n_props, &unknown) < 0)
        oom = 1;

    /* Brokers: ZS_KAFKA_BROKERS, or the pass-through spelling of the same property. */
    const char *brokers = env_value(envp, "ZS_KAFKA_BROKERS");
    const char *brokers_var = "ZS_KAFKA_BROKERS";
    prop *bs = NULL;
    for (size_t i = 0; i < n_props; i++)
        if (strcmp(props[i].name, "bootstrap.servers") == 0)
            bs = &props[i];
    if (bs && brokers)
        problem(&pr, "ZS_KAFKA_BROKERS and ZS_KAFKA_BOOTSTRAP_SERVERS are both set; use one");
    else if (bs) {
        brokers = bs->value;
        brokers_var = "ZS_KAFKA_BOOTSTRAP_SERVERS";
    }
    if (!brokers)
        brokers = ZS_CONFIG_DEFAULT_BROKERS;
    if (!brokers_ok(brokers, why, sizeof why))
        problem(&pr, "%s: %s", brokers_var, why);

    const char *group = env_value(envp, "ZS_KAFKA_GROUP_ID");
    if (!group)
        group = ZS_CONFIG_DEFAULT_GROUP_PREFIX;
    /* Kafka allows 249 bytes for a group id; leave room for ".<consumer>". */
    if (!name_ok(group, 200))
        problem(&pr, "ZS_KAFKA_GROUP_ID: \"%.64s\" must be 1..200 of A-Z a-z 0-9 . _ -", group);

    const char *redis = env_value(envp, "ZS_REDIS_URL");
    if (!redis)
        redis = ZS_CONFIG_DEFAULT_REDIS_URL;
    if (!redis_url_ok(redis, why, sizeof why))
        problem(&pr, "ZS_REDIS_URL: %s", why); /* never echo the URL: it may hold a password */

    const char *tenants = env_value(envp, "ZS_TENANTS_DIR");
    if (!tenants)
        tenants = ZS_CONFIG_DEFAULT_TENANTS_DIR;
    const char *schemas = env_value(envp, "ZS_SCHEMAS_DIR");
    if (!schemas)
        schemas = DEFAULT_SCHEMAS_DIR;

    const char *lvl = env_value(envp, "ZS_LOG_LEVEL");
    int level = ZS_LOG_INFO;
    if (lvl && (level = zs_log_level_parse(lvl)) < 0) {
        problem(&pr, "ZS_LOG_LEVEL: unknown level \"%.32s\" (debug, info, warn, error)", lvl);
        level = ZS_LOG_INFO;
    }

    const char *listen = env_value(envp, "ZS_HTTP_LISTEN");
    if (!listen)
        listen = ZS_CONFIG_DEFAULT_HTTP_LISTEN;
    char host[256] = "";
    int port = -1;
    if (split_host_port(listen, strlen(listen), 1, 1, host, sizeof host, &port) < 0)
        problem(&pr, "ZS_HTTP_LISTEN: \"%.64s\" is not [host]:port with port 0..65535", listen);

    size_t max_bytes = ZS_CONFIG_DEFAULT_EVENT_MAX_BYTES;
    const char *mb = env_value(envp, "ZS_EVENT_MAX_BYTES");
    if (mb && (parse_size(mb, &max_bytes) < 0 || max_bytes < MIN_EVENT_BYTES ||
               max_bytes > MAX_EVENT_BYTES))
        problem(&pr, "ZS_EVENT_MAX_BYTES: \"%.32s\" must be a size from %u to %u (K and M suffixes)",
                mb, MIN_EVENT_BYTES, MAX_EVENT_BYTES);

    const char *inst = env_value(envp, "ZS_INSTANCE_ID");
    if (inst && !name_ok(inst, 249))
        problem(&pr, "ZS_INSTANCE_ID: \"%.64s\" must be 1..249 of A-Z a-z 0-9 . _ -", inst);

    if (!oom && pr.count == 0) {
        cfg->kafka_brokers = dup_or_null(brokers, &oom);
        cfg->kafka_group_prefix = dup_or_null(group, &oom);
        cfg->redis_url = dup_or_null(redis, &oom);
        cfg->tenants_dir = dup_or_null(tenants, &oom);
        cfg->schemas_dir = dup_or_null(schemas, &oom);
        cfg->log_level = (zs_log_level)level;
        cfg->http_listen = dup_or_null(listen, &oom);
        cfg->http_host = dup_or_null(host, &oom);
        cfg->http_port = port;
        cfg->event_max_bytes = max_bytes;
        cfg->instance_id = dup_or_null(inst, &oom);
        size_t extra = n_props - (bs ? 1 : 0);
        cfg->kafka_props = calloc(2 * (extra + 1) + 1, sizeof *cfg->kafka_props);
        if (!cfg->kafka_props)
            oom = 1;
        else {
            cfg->kafka_props[0] = "bootstrap.servers";
            cfg->kafka_props[1] = cfg->kafka_brokers;
            size_t o = 2;
            /* Ownership moves to the array; the names are sorted, which keeps output stable. */
            for (size_t i = 0; i < n_props; i++) {
                if (&props[i] == bs)
                    continue;
                cfg->kafka_props[o++] = props[i].name;
                cfg->kafka_props[o++] = props[i].value;
                props[i].name = props[i].value = NULL;
            }
            cfg->n_kafka_props = extra + 1;
        }
        cfg->unknown = (const char **)unknown;
        unknown = NULL;
    }
    free_props(props, n_props);
    if (unknown) {
        for (size_t i = 0; unknown[i]; i++)
            free(unknown[i]);
        free(unknown);
    }
    if (oom || pr.msg.oom) {
        zs_buf_release(&pr.msg);
        zs_config_release(cfg);
        return zs_err_set(err, ZS_ERR_RETRY, "config: out of memory");
    }
    if (pr.count) {
        zs_err_set(err, ZS_ERR_FAILED, "config: %s", zs_buf_str(&pr.msg));
        zs_buf_release(&pr.msg);
        zs_config_release(cfg);
        return ZS_ERR_FAILED;
    }
    zs_buf_release(&pr.msg);
    return ZS_OK;
}

const char *zs_config_kafka_get(const zs_config *cfg, const char *name)
{
    for (size_t i = 0; cfg->kafka_props && cfg->kafka_props[i]; i += 2)
        if (strcmp(cfg->kafka_props[i], name) == 0)
            return cfg->kafka_props[i + 1];
    return NULL;
}

zs_rc zs_config_group_id(const zs_config *cfg, const char *consumer, char *out, size_t cap,
                         zs_err *err)
{
    if (!consumer || !name_ok(consumer, 48))
        return zs_err_set(err, ZS_ERR_FAILED, "group id: consumer name must be 1..48 of A-Z a-z 0-9 . _ -");
    int n = snprintf(out, cap, "%s.%s", cfg->kafka_group_prefix, consumer);
    if (n < 0 || (size_t)n >= cap)
        return zs_err_set(err, ZS_ERR_FAILED, "group id: longer than %zu bytes", cap ? cap - 1 : 0);
    return ZS_OK;
}

int zs_config_describe(const zs_config *cfg, zs_buf *out)
{
    static const char *const levels[] = {"debug", "info", "warn", "error"};
    char redis[512];
    /* redis://:secret@host has no user, which zs_log_redact_url masks the same as user:pass. */
    zs_log_redact_url(cfg->redis_url, redis, sizeof redis);
    zs_buf_printf(out,
                  "kafka_brokers=%s kafka_group_prefix=%s redis_url=%s tenants_dir=%s "
                  "schemas_dir=%s log_level=%s http_listen=%s event_max_bytes=%zu instance_id=%s",
                  cfg->kafka_brokers, cfg->kafka_group_prefix, redis, cfg->tenants_dir,
                  cfg->schemas_dir, levels[cfg->log_level & 3], cfg->http_listen, cfg->event_max_bytes,
                  cfg->instance_id ? cfg->instance_id : "-");
    for (size_t i = 2; cfg->kafka_props && cfg->kafka_props[i]; i += 2)
        zs_buf_printf(out, " kafka.%s=%s", cfg->kafka_props[i],
                      zs_config_kafka_is_secret(cfg->kafka_props[i]) ? "***" : cfg->kafka_props[i + 1]);
    return out->oom ? -1 : 0;
}
