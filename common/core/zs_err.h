/*
 * zs_err: the error convention of every zepsync module.
 *
 * Functions return a zs_rc (0 on success, negative otherwise) and, on failure, fill a caller's
 * zs_err with a one-line message. The code tells the caller what to do next: ZS_ERR_RETRY means
 * "the same call may succeed later" (network, 429, 5xx, Redis down); ZS_ERR_FAILED means "do not
 * retry blindly" (bad input, 4xx validation). The other codes refine FAILED for callers that care.
 */
#ifndef ZS_ERR_H
#define ZS_ERR_H

#include <stddef.h>

typedef enum zs_rc {
    ZS_OK = 0,
    ZS_ERR_RETRY = -1,    /* transient: retry later with backoff */
    ZS_ERR_FAILED = -2,   /* permanent for this input: dead-letter, do not retry */
    ZS_ERR_CONFLICT = -3, /* target already has a conflicting record: verify and adopt */
    ZS_ERR_NOTFOUND = -4, /* the entity does not exist in the target */
    ZS_ERR_AUTH = -5,     /* credentials rejected: refresh once, then open the breaker */
} zs_rc;

#define ZS_ERR_MSG_MAX 512

typedef struct zs_err {
    char msg[ZS_ERR_MSG_MAX];
} zs_err;

/* Sets err->msg (err may be NULL) and returns rc, so callers can write `return zs_err_set(...)`. */
zs_rc zs_err_set(zs_err *err, zs_rc rc, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

/* Prefixes an existing message: "context: old message". Returns rc. */
zs_rc zs_err_wrap(zs_err *err, zs_rc rc, const char *fmt, ...) __attribute__((format(printf, 3, 4)));

void zs_err_clear(zs_err *err);

/* "ok", "retry", "failed", "conflict", "not-found", "auth" */
const char *zs_rc_name(zs_rc rc);

#endif
