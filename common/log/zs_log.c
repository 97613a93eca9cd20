#include "log/zs_log.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>
#include <unistd.h>

static char g_component[64] = "zepsync";
static volatile int g_min = ZS_LOG_INFO;

static const char *level_names[] = {"debug", "info", "warn", "error"};

void zs_log_init(const char *component, zs_log_level min_level)
{
    snprintf(g_component, sizeof g_component, "%s", component ? component : "zepsync");
    g_min = min_level;
}

int zs_log_level_parse(const char *s)
{
    if (!s)
        return -1;
    for (int i = 0; i < 4; i++)
        if (strcasecmp(s, level_names[i]) == 0)
            return i;
    if (strcasecmp(s, "warning") == 0)
        return ZS_LOG_WARN;
    return -1;
}

void zs_log_set_level(zs_log_level lvl) { g_min = lvl; }
int zs_log_enabled(zs_log_level lvl) { return lvl < ZS_LOG_OFF && (int)lvl >= g_min; }

char *zs_log_json_escape(const char *s, char *out, unsigned cap)
{
    unsigned n = 0;
    if (!cap)
        return out;
    for (; s && *s && n + 7 < cap; s++) {
        unsigned char c = (unsigned char)*s;
        if (c == '"' || c == '\\') {
            out[n++] = '\\';
            out[n++] = (char)c;
        } else if (c == '\n') {
            out[n++] = '\\';
            out[n++] = 'n';
        } else if (c < 0x20) {
            n += (unsigned)snprintf(out + n, cap - n, "\\u%04x", c);
        } else {
            out[n++] = (char)c;
        }
    }
    out[n] = '\0';
    return out;
}

static void vlog(zs_log_level lvl, const char *tenant, const char *event_id, const char *fields,
                 const char *fmt, va_list ap)
{
    if (!zs_log_enabled(lvl))
        return;
    char msg[2048], emsg[4096], et[256], ee[128];
    vsnprintf(msg, sizeof msg, fmt, ap);
    struct timespec ts;
    clock_gettime(CLOCK_REALTIME, &ts);
    struct tm tm;
    gmtime_r(&ts.tv_sec, &tm);
    char tbuf[40];
    strftime(tbuf, sizeof tbuf, "%Y-%m-%dT%H:%M:%S", &tm);
    char line[8192];
    int n = snprintf(line, sizeof line, "{\"ts\":\"%s.%03ldZ\",\"level\":\"%s\",\"component\":\"%s\"",
                     tbuf, ts.tv_nsec / 1000000L, level_names[lvl], g_component);
    if (tenant && n < (int)sizeof line)
        n += snprintf(line + n, sizeof line - (size_t)n, ",\"tenant\":\"%s\"",
                      zs_log_json_escape(tenant, et, sizeof et));
    if (event_id && n < (int)sizeof line)
        n += snprintf(line + n, sizeof line - (size_t)n, ",\"event_id\":\"%s\"",
                      zs_log_json_escape(event_id, ee, sizeof ee));
    if (fields && *fields && n < (int)sizeof line)
        n += snprintf(line + n, sizeof line - (size_t)n, ",%s", fields);
    if (n < (int)sizeof line)
        n += snprintf(line + n, sizeof line - (size_t)n, ",\"msg\":\"%s\"}\n",
                      zs_log_json_escape(msg, emsg, sizeof emsg));
    if (n >= (int)sizeof line) {
        n = (int)sizeof line - 1;
        line[n - 2] = '}';
        line[n - 1] = '\n';
    }
    ssize_t w = write(2, line, (size_t)n);
    (void)w;
}

void zs_log(zs_log_level lvl, const char *tenant, const char *event_id, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    vlog(lvl, tenant, event_id, NULL, fmt, ap);
    va_end(ap);
}

void zs_log_kv(zs_log_level lvl, const char *tenant, const char *event_id, const char *fields,
               const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    vlog(lvl, tenant, event_id, fields, fmt, ap);
    va_end(ap);
}

/* Works on a private copy with room to grow: a short secret still becomes "***", and the
 * redaction sees the whole URL before it is cut to fit out (a cut could hide the '@' that marks
 * userinfo and leave a password prefix in the output). */
char *zs_log_redact_url(const char *url, char *out, unsigned cap)
{
    if (!cap)
        return out;
    const char *src = url ? url : "";
    size_t n = strlen(src);
    /* each key is at least 6 bytes and a value grows by at most 3: twice the length is enough */
    char *w = n < ((size_t)-1) / 2 - 8 ? malloc(2 * n + 8) : NULL;
    if (!w) {
        snprintf(out, cap, "%s", "(url withheld)");
        return out;
    }
    memcpy(w, src, n + 1);
    /* userinfo (user:pass before the host) becomes three stars */
    char *scheme = strstr(w, "://");
    if (scheme) {
        char *host = scheme + 3;
        char *at = strchr(host, '@');
        char *slash = strchr(host, '/');
        if (at && (!slash || at < slash)) {
            memmove(host + 3, at, strlen(at) + 1);
            memcpy(host, "***", 3);
        }
    }
    static const char *keys[] = {"token=", "secret=", "password=", "client_secret=", "access_token="};
    for (size_t k = 0; k < sizeof keys / sizeof *keys; k++) {
        char *p = w;
        while ((p = strcasestr(p, keys[k])) != NULL) {
            if (p != w && p[-1] != '?' && p[-1] != '&') {
                p++;
                continue;
            }
            char *v = p + strlen(keys[k]);
            char *e = v + strcspn(v, "&#");
            if (e > v && (e - v != 3 || memcmp(v, "***", 3) != 0)) {
                memmove(v + 3, e, strlen(e) + 1);
                memcpy(v, "***", 3);
            }
            p = v;
        }
    }
    snprintf(out, cap, "%s", w);
    free(w);
    return out;
}
