#include "core/zs_buf.h"
#include "core/zs_err.h"
#include "zs_test.h"

#include <stdlib.h>

static void test_buf_grows_and_formats(void)
{
    zs_buf b;
    zs_buf_init(&b);
    ZT_EQ_STR(zs_buf_str(&b), "");
    /* The same text built by hand: every printf must land whole, in order, across regrowths. */
    char want[4000];
    size_t wn = 0;
    for (int i = 0; i < 1000; i++) {
        ZT_EQ_INT(zs_buf_printf(&b, "%d,", i), 0);
        wn += (size_t)snprintf(want + wn, sizeof want - wn, "%d,", i);
    }
    ZT_EQ_INT(b.len, wn);
    ZT_EQ_INT(strlen(zs_buf_str(&b)), wn);
    ZT_EQ_STR(zs_buf_str(&b), want);
    ZT_CHECK(b.cap > b.len);
    ZT_EQ_INT(b.oom, 0);
    char *s = zs_buf_steal(&b);
    ZT_EQ_INT(b.len, 0);
    ZT_CHECK(b.data == NULL);
    ZT_EQ_STR(zs_buf_str(&b), "");
    ZT_EQ_STR(s, want);
    free(s);
    /* An empty buffer still steals a string the caller can free. */
    s = zs_buf_steal(&b);
    ZT_EQ_STR(s, "");
    free(s);
    zs_buf_release(&b);
}

static void test_buf_binary_and_reset(void)
{
    zs_buf b;
    zs_buf_init(&b);
    const char bin[] = {'a', '\0', 'b'};
    ZT_EQ_INT(zs_buf_append(&b, bin, sizeof bin), 0);
    ZT_EQ_INT(b.len, 3);
    ZT_CHECK(memcmp(b.data, bin, 3) == 0 && b.data[3] == '\0');
    ZT_EQ_INT(zs_buf_append(&b, NULL, 0), 0);
    ZT_EQ_INT(b.len, 3);
    ZT_EQ_INT(zs_buf_puts(&b, "xyz"), 0);
    ZT_EQ_INT(b.len, 6);
    ZT_CHECK(memcmp(b.data + 3, "xyz", 4) == 0);

    /* Reset keeps the memory but empties the text: the next write starts at the front. */
    char *mem = b.data;
    zs_buf_reset(&b);
    ZT_EQ_INT(b.len, 0);
    ZT_EQ_STR(zs_buf_str(&b), "");
    ZT_CHECK(b.data == mem);
    ZT_EQ_INT(zs_buf_printf(&b, "%s-%d", "n", 7), 0);
    ZT_EQ_STR(zs_buf_str(&b), "n-7");
    ZT_EQ_INT(b.len, 3);

    /* A write exactly filling the capacity still leaves room for the terminator. */
    zs_buf_reset(&b);
    char big[600];
    memset(big, 'q', sizeof big);
    ZT_EQ_INT(zs_buf_append(&b, big, b.cap - 1), 0);
    ZT_EQ_INT(b.len, b.cap - 1);
    ZT_EQ_INT(b.data[b.len], '\0');
    size_t at = b.len;
    ZT_EQ_INT(zs_buf_append(&b, big, sizeof big), 0);
    ZT_EQ_INT(b.len, at + sizeof big);
    ZT_CHECK(b.cap > b.len);
    ZT_EQ_INT(b.data[b.len], '\0');

    /* One printf far larger than the capacity lands whole. */
    zs_buf_reset(&b);
    char wide[3001];
    memset(wide, 'w', 3000);
    wide[3000] = '\0';
    ZT_EQ_INT(zs_buf_printf(&b, "<%s>", wide), 0);
    ZT_EQ_INT(b.len, 3002);
    ZT_EQ_INT(strlen(zs_buf_str(&b)), 3002);
    ZT_CHECK(b.data[0] == '<' && b.data[3001] == '>');

    /* Once an allocation failed the buffer refuses further writes instead of dropping text. */
    b.oom = 1;
    size_t len = b.len;
    ZT_EQ_INT(zs_buf_puts(&b, "more"), -1);
    ZT_EQ_INT(zs_buf_printf(&b, "%d", 1), -1);
    ZT_EQ_INT(b.len, len);
    zs_buf_release(&b);
    ZT_CHECK(b.data == NULL && b.len == 0 && b.cap == 0 && b.oom == 0);
}

static void test_err_set_and_wrap(void)
{
    zs_err e;
    zs_err_clear(&e);
    ZT_EQ_INT(zs_err_set(&e, ZS_ERR_RETRY, "HTTP %d", 503), ZS_ERR_RETRY);
    ZT_EQ_STR(e.msg, "HTTP 503");
    ZT_EQ_INT(zs_err_wrap(&e, ZS_ERR_FAILED, "GET %s", "/v2/persons"), ZS_ERR_FAILED);
    ZT_EQ_STR(e.msg, "GET /v2/persons: HTTP 503");
    ZT_EQ_STR(zs_rc_name(ZS_ERR_CONFLICT), "conflict");
    ZT_EQ_INT(zs_err_set(NULL, ZS_ERR_FAILED, "x"), ZS_ERR_FAILED);
}

int main(void)
{
    ZT_RUN(test_buf_grows_and_formats);
    ZT_RUN(test_buf_binary_and_reset);
    ZT_RUN(test_err_set_and_wrap);
    return zt_summary();
}
