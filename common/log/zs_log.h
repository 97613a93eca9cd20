/*
 * zs_log: JSON lines on stderr, one object per event:
 *   {"ts":"2026-12-04T14:00:00.123Z","level":"info","component":"booking-worker",
 *    "tenant":"acme","event_id":"…","msg":"…", …extra fields}
 * Thread-safe (one write(2) per line). Secrets must never be passed in; zs_log_redact() helps
 * callers that log URLs or headers.
 */
#ifndef ZS_LOG_H
#define ZS_LOG_H

/* ZS_LOG_OFF is only a threshold (zs_log_set_level): nothing is ever logged at it. */
typedef enum zs_log_level { ZS_LOG_DEBUG = 0, ZS_LOG_INFO, ZS_LOG_WARN, ZS_LOG_ERROR, ZS_LOG_OFF } zs_log_level;

/* Sets the process-wide component name and minimum level. */
void zs_log_init(const char *component, zs_log_level min_level);
/* "debug|info|warn|error" → level; returns -1 for anything else. */
int zs_log_level_parse(const char *s);
void zs_log_set_level(zs_log_level lvl);
int zs_log_enabled(zs_log_level lvl);

/* tenant and event_id may be NULL. */
void zs_log(zs_log_level lvl, const char *tenant, const char *event_id, const char *fmt, ...)
    __attribute__((format(printf, 4, 5)));

/*
 * Like zs_log, with extra fields given as a pre-rendered JSON fragment of members, e.g.
 * "\"topic\":\"booking-recorded\",\"partition\":3" (NULL for none). Use zs_log_json_str for values.
 */
void zs_log_kv(zs_log_level lvl, const char *tenant, const char *event_id, const char *fields,
               const char *fmt, ...) __attribute__((format(printf, 5, 6)));

#define zs_debug(...) zs_log(ZS_LOG_DEBUG, NULL, NULL, __VA_ARGS__)
#define zs_info(...) zs_log(ZS_LOG_INFO, NULL, NULL, __VA_ARGS__)
#define zs_warn(...) zs_log(ZS_LOG_WARN, NULL, NULL, __VA_ARGS__)
#define zs_error(...) zs_log(ZS_LOG_ERROR, NULL, NULL, __VA_ARGS__)

/* Writes s as JSON string content (without quotes) into out; truncates safely. Returns out. */
char *zs_log_json_escape(const char *s, char *out, unsigned cap);

/* Copies url into out with any userinfo, token= / secret= / password= query values replaced by "***". */
char *zs_log_redact_url(const char *url, char *out, unsigned cap);

#endif
