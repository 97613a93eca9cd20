#include "zs_buf.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

void zs_buf_init(zs_buf *b) { memset(b, 0, sizeof *b); }

void zs_buf_release(zs_buf *b)
{
    free(b->data);
    zs_buf_init(b);
}

void zs_buf_reset(zs_buf *b)
{
    b->len = 0;
    if (b->data)
        b->data[0] = '\0';
}

static int grow(zs_buf *b, size_t need)
{
    if (b->oom)
        return -1;
    if (b->len + need + 1 <= b->cap)
        return 0;
    size_t cap = b->cap ? b->cap : 256;
    while (cap < b->len + need + 1)
        cap *= 2;
    char *p = realloc(b->data, cap);
    if (!p) {
        b->oom = 1;
        return -1;
    }
    b->data = p;
    b->cap = cap;
    return 0;
}

int zs_buf_append(zs_buf *b, const void *p, size_t n)
{
    if (grow(b, n) < 0)
        return -1;
    if (n)
        memcpy(b->data + b->len, p, n);
    b->len += n;
    b->data[b->len] = '\0';
    return 0;
}

int zs_buf_puts(zs_buf *b, const char *s) { return zs_buf_append(b, s, strlen(s)); }

int zs_buf_vprintf(zs_buf *b, const char *fmt, va_list ap)
{
    va_list cp;
    va_copy(cp, ap);
    int n = vsnprintf(NULL, 0, fmt, cp);
    va_end(cp);
    if (n < 0 || grow(b, (size_t)n) < 0)
        return -1;
    vsnprintf(b->data + b->len, (size_t)n + 1, fmt, ap);
    b->len += (size_t)n;
    return 0;
}

int zs_buf_printf(zs_buf *b, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    int rc = zs_buf_vprintf(b, fmt, ap);
    va_end(ap);
    return rc;
}

char *zs_buf_steal(zs_buf *b)
{
    char *s = b->data;
    if (!s)
        s = calloc(1, 1);
    zs_buf_init(b);
    return s;
}

const char *zs_buf_str(const zs_buf *b) { return b->data ? b->data : ""; }
