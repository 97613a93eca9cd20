/* zs_buf: a growable byte buffer, always NUL-terminated, for building request bodies and output. */
#ifndef ZS_BUF_H
#define ZS_BUF_H

#include <stdarg.h>
#include <stddef.h>

typedef struct zs_buf {
    char *data; /* NUL-terminated; NULL until the first append */
    size_t len;
    size_t cap;
    int oom;    /* set once an allocation failed; later appends are no-ops */
} zs_buf;

void zs_buf_init(zs_buf *b);
void zs_buf_release(zs_buf *b);
void zs_buf_reset(zs_buf *b);
/* Each returns 0, or -1 when memory ran out (and sets b->oom). */
int zs_buf_append(zs_buf *b, const void *p, size_t n);
int zs_buf_puts(zs_buf *b, const char *s);
int zs_buf_printf(zs_buf *b, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
int zs_buf_vprintf(zs_buf *b, const char *fmt, va_list ap);
/* Hands the string to the caller (who frees it) and leaves b empty; "" when nothing was appended. */
char *zs_buf_steal(zs_buf *b);
const char *zs_buf_str(const zs_buf *b);

#endif
