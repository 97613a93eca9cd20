#include "core/zs_buf.h"
#include "core/zs_err.h"
#include "zs_test.h"

#include <stdlib.h>

static void test_buf_grows_and_formats(void)
{
    zs_buf b;
    zs_buf_init(&b);
    ZT_EQ_STR(zs_buf_str(&b), "");
    for (int i = 0; i < 1000; i++)
        ZT_EQ_INT(zs_buf_printf(&b, "%d,", i), 0);
    ZT_CHECK(b.len > 3000);
    ZT_CHECK(strncmp(b.data, "0,1,2,", 6) == 0);
    char *s = zs_buf_steal(&b);
    ZT_EQ_INT(b.len, 0);
    ZT_CHECK(strstr(s, "999,") != NULL);
    free(s);
    zs_buf_release(&b);
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
    ZT_RUN(test_err_set_and_wrap);
    return zt_summary();
}
