#include "log/zs_log.h"
#include "zs_test.h"

#include <fcntl.h>
#include <stdlib.h>
#include <unistd.h>

/* Captures what zs_log writes to stderr by pointing fd 2 at a temp file. */
static char *capture(void (*fn)(void))
{
    char path[] = "/tmp/zs-log-XXXXXX";
    int fd = mkstemp(path);
    int saved = dup(2);
    dup2(fd, 2);
    fn();
    dup2(saved, 2);
    close(saved);
    lseek(fd, 0, SEEK_SET);
    static char buf[8192];
    ssize_t n = read(fd, buf, sizeof buf - 1);
    buf[n > 0 ? n : 0] = '\0';
    close(fd);
    unlink(path);
    return buf;
}

static void emit(void)
{
    zs_log_init("booking-worker", ZS_LOG_INFO);
    zs_log(ZS_LOG_DEBUG, "acme", NULL, "hidden");
    zs_log_kv(ZS_LOG_WARN, "acme", "e-1", "\"partition\":3", "quote \" and\nnewline");
}

static void test_json_line_fields_and_level_filter(void)
{
    char *out = capture(emit);
    ZT_CHECK(strstr(out, "hidden") == NULL);
    ZT_CONTAINS(out, "\"level\":\"warn\",\"component\":\"booking-worker\",\"tenant\":\"acme\"");
    ZT_CONTAINS(out, "\"event_id\":\"e-1\",\"partition\":3,\"msg\":\"quote \\\" and\\nnewline\"}\n");
    ZT_CHECK(strncmp(out, "{\"ts\":\"20", 9) == 0);
}

static void silent(void)
{
    zs_log_init("x", ZS_LOG_DEBUG);
    zs_log_set_level(ZS_LOG_OFF);
    zs_log(ZS_LOG_ERROR, NULL, NULL, "must not appear");
    zs_log(ZS_LOG_OFF, NULL, NULL, "nor this");
}

static void test_off_silences_everything(void)
{
    ZT_EQ_STR(capture(silent), "");
    ZT_CHECK(!zs_log_enabled(ZS_LOG_ERROR));
    zs_log_set_level(ZS_LOG_INFO);
    ZT_CHECK(zs_log_enabled(ZS_LOG_ERROR));
}

static void test_level_parse(void)
{
    ZT_EQ_INT(zs_log_level_parse("debug"), ZS_LOG_DEBUG);
    ZT_EQ_INT(zs_log_level_parse("WARNING"), ZS_LOG_WARN);
    ZT_EQ_INT(zs_log_level_parse("loud"), -1);
}

static void test_redact_url(void)
{
    char out[256];
    ZT_EQ_STR(zs_log_redact_url("https://u:pw@h.example/x?a=1&token=abcdef&b=2", out, sizeof out),
              "https://***@h.example/x?a=1&token=***&b=2");
    ZT_EQ_STR(zs_log_redact_url("http://h/p?mytoken=abc", out, sizeof out), "http://h/p?mytoken=abc");
    /* Parameter names in any case, each key, and a fragment ends the value like '&' does. */
    ZT_EQ_STR(zs_log_redact_url("https://h/t?Client_Secret=s3cr3t&ACCESS_TOKEN=tok1#frag", out, sizeof out),
              "https://h/t?Client_Secret=***&ACCESS_TOKEN=***#frag");
    ZT_EQ_STR(zs_log_redact_url("https://h/t?password=hunter2#secret=x", out, sizeof out),
              "https://h/t?password=***#secret=x");
    /* A password without a user name, as in redis://:pw@host, is userinfo too. */
    ZT_EQ_STR(zs_log_redact_url("redis://:hunter2@10.0.0.1:6379/0", out, sizeof out),
              "redis://***@10.0.0.1:6379/0");
    /* ... also when nothing follows the authority */
    ZT_EQ_STR(zs_log_redact_url("https://user:pw@h.example", out, sizeof out), "https://***@h.example");
    /* An @ after the path starts is not userinfo. */
    ZT_EQ_STR(zs_log_redact_url("https://h.example/a@b?x=1", out, sizeof out), "https://h.example/a@b?x=1");
    /* Short secrets are secrets too: no value of a secret key survives, whatever its length. */
    zs_log_redact_url("https://h/t?token=ab&secret=c", out, sizeof out);
    ZT_CHECK(strstr(out, "token=ab") == NULL);
    ZT_CHECK(strstr(out, "secret=c") == NULL);
    ZT_CONTAINS(out, "https://h/t?token=");
    /* Too small an output buffer truncates, but never past its end and never unredacted. */
    char small[24];
    memset(small, 'X', sizeof small);
    zs_log_redact_url("https://user:verylongpassword@h.example/", small, sizeof small);
    ZT_EQ_INT(strlen(small) < sizeof small, 1);
    ZT_CHECK(strstr(small, "verylong") == NULL);
    ZT_EQ_STR(zs_log_redact_url(NULL, out, sizeof out), "");
}

int main(void)
{
    ZT_RUN(test_json_line_fields_and_level_filter);
    ZT_RUN(test_off_silences_everything);
    ZT_RUN(test_level_parse);
    ZT_RUN(test_redact_url);
    return zt_summary();
}
