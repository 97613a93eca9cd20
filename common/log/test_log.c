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
}

int main(void)
{
    ZT_RUN(test_json_line_fields_and_level_filter);
    ZT_RUN(test_level_parse);
    ZT_RUN(test_redact_url);
    return zt_summary();
}
