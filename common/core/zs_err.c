#include "zs_err.h"

#include <stdarg.h>
#include <stdio.h>
#include <string.h>

zs_rc zs_err_set(zs_err *err, zs_rc rc, const char *fmt, ...)
{
    if (err) {
        va_list ap;
        va_start(ap, fmt);
        vsnprintf(err->msg, sizeof err->msg, fmt, ap);
        va_end(ap);
    }
    return rc;
}

zs_rc zs_err_wrap(zs_err *err, zs_rc rc, const char *fmt, ...)
{
    if (!err)
        return rc;
    char old[ZS_ERR_MSG_MAX];
    memcpy(old, err->msg, sizeof old);
    char ctx[ZS_ERR_MSG_MAX];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(ctx, sizeof ctx, fmt, ap);
    va_end(ap);
    /* Truncation is acceptable: the context and the start of the cause are what matter. */
    size_t n = strnlen(ctx, sizeof ctx - 1);
    if (n > sizeof err->msg - 3)
        n = sizeof err->msg - 3;
    memcpy(err->msg, ctx, n);
    memcpy(err->msg + n, ": ", 2);
    size_t room = sizeof err->msg - n - 3;
    size_t o = strnlen(old, room);
    memcpy(err->msg + n + 2, old, o);
    err->msg[n + 2 + o] = '\0';
    return rc;
}

void zs_err_clear(zs_err *err)
{
    if (err)
        err->msg[0] = '\0';
}

const char *zs_rc_name(zs_rc rc)
{
    switch (rc) {
    case ZS_OK: return "ok";
    case ZS_ERR_RETRY: return "retry";
    case ZS_ERR_FAILED: return "failed";
    case ZS_ERR_CONFLICT: return "conflict";
    case ZS_ERR_NOTFOUND: return "not-found";
    case ZS_ERR_AUTH: return "auth";
    }
    return "unknown";
}
