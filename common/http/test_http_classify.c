#include "http/zs_http.h"
#include "zs_test.h"

#include <curl/curl.h>

static void test_classification_table(void)
{
    static const struct { long status; int curl; zs_http_class want; } rows[] = {
        {200, 0, ZS_HTTP_OK},           {201, 0, ZS_HTTP_OK},
        {204, 0, ZS_HTTP_OK},           {301, 0, ZS_HTTP_FAILED},
        {400, 0, ZS_HTTP_FAILED},       {401, 0, ZS_HTTP_FAILED},
        {403, 0, ZS_HTTP_FAILED},       {404, 0, ZS_HTTP_FAILED},
        {405, 0, ZS_HTTP_FAILED},       {408, 0, ZS_HTTP_RETRY_LATER},
        {409, 0, ZS_HTTP_FAILED},       {422, 0, ZS_HTTP_FAILED},
        {425, 0, ZS_HTTP_RETRY_LATER},  {429, 0, ZS_HTTP_RETRY_LATER},
        {500, 0, ZS_HTTP_RETRY_LATER},  {502, 0, ZS_HTTP_RETRY_LATER},
        {503, 0, ZS_HTTP_RETRY_LATER},  {504, 0, ZS_HTTP_RETRY_LATER},
        {0, CURLE_OPERATION_TIMEDOUT, ZS_HTTP_RETRY_LATER},
        {0, CURLE_COULDNT_CONNECT, ZS_HTTP_RETRY_LATER},
        {0, CURLE_COULDNT_RESOLVE_HOST, ZS_HTTP_RETRY_LATER},
        {0, CURLE_GOT_NOTHING, ZS_HTTP_RETRY_LATER},
        {0, CURLE_RECV_ERROR, ZS_HTTP_RETRY_LATER},
        {0, CURLE_URL_MALFORMAT, ZS_HTTP_FAILED},
        {0, CURLE_UNSUPPORTED_PROTOCOL, ZS_HTTP_FAILED},
        /* A transfer cut off mid-body still failed, whatever status line arrived first. */
        {200, CURLE_PARTIAL_FILE, ZS_HTTP_RETRY_LATER},
    };
    for (size_t i = 0; i < sizeof rows / sizeof *rows; i++) {
        zs_http_class got = zs_http_classify(rows[i].status, rows[i].curl);
        if (got != rows[i].want)
            zt_fail(__FILE__, __LINE__, "status %ld curl %d: class %d, want %d", rows[i].status,
                    rows[i].curl, got, rows[i].want);
        zt_checks++;
    }
}

static void test_backoff_bounds_and_retry_after(void)
{
    /* rnd 0 → half the exponential step, rnd → 1 → the full step. */
    ZT_EQ_INT(zs_http_backoff_ms(0, 100, 10000, -1, 0.0), 50);
    ZT_EQ_INT(zs_http_backoff_ms(0, 100, 10000, -1, 0.999999), 99);
    ZT_EQ_INT(zs_http_backoff_ms(3, 100, 10000, -1, 0.0), 400);
    ZT_EQ_INT(zs_http_backoff_ms(30, 100, 10000, -1, 0.0), 5000);
    ZT_CHECK(zs_http_backoff_ms(30, 100, 10000, -1, 0.999999) <= 10000);
    /* Retry-After raises the floor, but never beyond the cap. */
    ZT_EQ_INT(zs_http_backoff_ms(0, 100, 10000, 3, 0.0), 3000);
    ZT_EQ_INT(zs_http_backoff_ms(0, 100, 10000, 3600, 0.0), 10000);
    ZT_EQ_INT(zs_http_backoff_ms(5, 100, 10000, 0, 0.0), 1600);
    for (int a = 0; a < 40; a++) {
        long d = zs_http_backoff_ms(a, 250, 60000, -1, 0.5);
        ZT_CHECK(d > 0 && d <= 60000);
    }
}

static void test_urlencode(void)
{
    char out[64];
    ZT_EQ_INT(zs_http_urlencode("2026-01-01T10:00:00+02:00", out, sizeof out), 0);
    ZT_EQ_STR(out, "2026-01-01T10%3A00%3A00%2B02%3A00");
    ZT_EQ_INT(zs_http_urlencode("a b&c=d", out, sizeof out), 0);
    ZT_EQ_STR(out, "a%20b%26c%3Dd");
    ZT_EQ_INT(zs_http_urlencode("abcdef", out, 4), -1);
}

int main(void)
{
    ZT_RUN(test_classification_table);
    ZT_RUN(test_backoff_bounds_and_retry_after);
    ZT_RUN(test_urlencode);
    return zt_summary();
}
