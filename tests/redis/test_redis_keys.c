/* Unit tests of the pure half of zs_redis: URL parsing, tenant and key rules, error classes. */
#include "redis/zs_redis.h"
#include "zs_test.h"

#include <unistd.h>

static void test_url_defaults_and_full_form(void)
{
    zs_redis_url u;
    zs_err err;
    ZT_EQ_INT(zs_redis_url_parse("redis://localhost", &u, &err), ZS_OK);
    ZT_EQ_STR(u.host, "localhost");
    ZT_EQ_INT(u.port, 6379);
    ZT_EQ_INT(u.db, 0);
    ZT_EQ_STR(u.password, "");
    ZT_EQ_STR(u.user, "");

    ZT_EQ_INT(zs_redis_url_parse("redis://127.0.0.1:6390/3", &u, &err), ZS_OK);
    ZT_EQ_STR(u.host, "127.0.0.1");
    ZT_EQ_INT(u.port, 6390);
    ZT_EQ_INT(u.db, 3);

    ZT_EQ_INT(zs_redis_url_parse("REDIS://worker:s%40cr%3At@redis.internal:7000/12", &u, &err), ZS_OK);
    ZT_EQ_STR(u.user, "worker");
    ZT_EQ_STR(u.password, "s@cr:t");
    ZT_EQ_STR(u.host, "redis.internal");
    ZT_EQ_INT(u.port, 7000);
    ZT_EQ_INT(u.db, 12);

    /* ":password@" is the default user; "password@" is the legacy password-only form. */
    ZT_EQ_INT(zs_redis_url_parse("redis://:pw@h/", &u, &err), ZS_OK);
    ZT_EQ_STR(u.user, "");
    ZT_EQ_STR(u.password, "pw");
    ZT_EQ_INT(u.db, 0);
    ZT_EQ_INT(zs_redis_url_parse("redis://onlypw@h", &u, &err), ZS_OK);
    ZT_EQ_STR(u.password, "onlypw");
    ZT_EQ_STR(u.user, "");
    /* A raw '@' in the password: the last '@' ends the userinfo. */
    ZT_EQ_INT(zs_redis_url_parse("redis://:a@b@h:1", &u, &err), ZS_OK);
    ZT_EQ_STR(u.password, "a@b");
    ZT_EQ_STR(u.host, "h");
    ZT_EQ_INT(u.port, 1);

    ZT_EQ_INT(zs_redis_url_parse("redis://[::1]:6400/2", &u, &err), ZS_OK);
    ZT_EQ_STR(u.host, "::1");
    ZT_EQ_INT(u.port, 6400);
    ZT_EQ_INT(u.db, 2);
    ZT_EQ_INT(zs_redis_url_parse("redis://[::1]", &u, &err), ZS_OK);
    ZT_EQ_INT(u.port, 6379);
}

static void test_url_rejects(void)
{
    static const char *const bad[] = {
        "",
        "http://h:6379",
        "redis://",
        "redis://:6379",
        "redis://h:0",
        "redis://h:65536",
        "redis://h:12ab",
        "redis://h:",
        "redis://h/db1",
        "redis://h/-1",
        "redis://h?timeout=1",
        "redis://h#x",
        "redis://[::1",
        "redis://[]:1",
        "redis://[::1]x",
        "redis://:p%4@h",
        "redis://:p%00@h",
        "redis://h st",
    };
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        zs_redis_url u;
        zs_err err = {{0}};
        zs_rc rc = zs_redis_url_parse(bad[i], &u, &err);
        if (rc != ZS_ERR_FAILED)
            zt_fail(__FILE__, __LINE__, "accepted bad url \"%s\"", bad[i]);
        zt_checks++;
        ZT_CONTAINS(err.msg, "redis url");
    }
    zs_redis_url u;
    zs_err err;
    ZT_EQ_INT(zs_redis_url_parse(NULL, &u, &err), ZS_ERR_FAILED);
    ZT_EQ_INT(zs_redis_url_parse("rediss://h", &u, &err), ZS_ERR_FAILED);
    ZT_CONTAINS(err.msg, "TLS");
}

static void test_url_error_never_echoes_password(void)
{
    zs_redis_url u;
    zs_err err;
    ZT_EQ_INT(zs_redis_url_parse("redis://:hunter2@h:99999", &u, &err), ZS_ERR_FAILED);
    ZT_CHECK(strstr(err.msg, "hunter2") == NULL);
    ZT_EQ_INT(zs_redis_url_parse("redis://:hunter2%zz@h", &u, &err), ZS_ERR_FAILED);
    ZT_CHECK(strstr(err.msg, "hunter2") == NULL);
    ZT_EQ_STR(u.password, "");
}

static void test_tenant_names(void)
{
    ZT_CHECK(zs_redis_tenant_valid("acme"));
    ZT_CHECK(zs_redis_tenant_valid("a"));
    ZT_CHECK(zs_redis_tenant_valid("7eleven"));
    ZT_CHECK(zs_redis_tenant_valid("acme-gmbh_2"));
    char max[ZS_REDIS_TENANT_MAX + 2];
    memset(max, 'a', ZS_REDIS_TENANT_MAX);
    max[ZS_REDIS_TENANT_MAX] = '\0';
    ZT_CHECK(zs_redis_tenant_valid(max));
    max[ZS_REDIS_TENANT_MAX] = 'a';
    max[ZS_REDIS_TENANT_MAX + 1] = '\0';
    ZT_CHECK(!zs_redis_tenant_valid(max));

    static const char *const bad[] = {"",     "Acme", "-acme", "_x",  "ac me", "ac:me",
                                      "a{b}", "a}",   "a{",    "ä",   "a/b",   "a.b",
                                      "a\n",  "a*"};
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        zt_checks++;
        if (zs_redis_tenant_valid(bad[i]))
            zt_fail(__FILE__, __LINE__, "accepted bad tenant \"%s\"", bad[i]);
    }
    ZT_CHECK(!zs_redis_tenant_valid(NULL));
}

static void test_key_layout(void)
{
    char k[ZS_REDIS_KEY_MAX + 1];
    zs_err err;
    ZT_EQ_INT(zs_redis_keyf(k, sizeof k, &err, "acme", "idem", "booking-recorded",
                            "1b4e28ba-2fa1-11d2-883f-0016d3cca427", NULL),
              ZS_OK);
    ZT_EQ_STR(k, "zs:{acme}:idem:booking-recorded:1b4e28ba-2fa1-11d2-883f-0016d3cca427");
    ZT_EQ_INT(zs_redis_keyf(k, sizeof k, &err, "t1", "hash", "employee", "42", NULL), ZS_OK);
    ZT_EQ_STR(k, "zs:{t1}:hash:employee:42");
    const char *ids[] = {"17", "2026-03-01"};
    ZT_EQ_INT(zs_redis_key(k, sizeof k, "acme", "day", ids, 2, &err), ZS_OK);
    ZT_EQ_STR(k, "zs:{acme}:day:17:2026-03-01");
    /* Emails and braces in ids are fine: only the first {...} is the Cluster hash tag. */
    ZT_EQ_INT(zs_redis_keyf(k, sizeof k, &err, "acme", "email", "a.b@x.de", "{x}", NULL), ZS_OK);
    ZT_EQ_STR(k, "zs:{acme}:email:a.b@x.de:{x}");
}

static void test_key_rejects(void)
{
    char k[64];
    zs_err err;
    ZT_EQ_INT(zs_redis_keyf(k, sizeof k, &err, "Bad", "idem", "x", NULL), ZS_ERR_FAILED);
    ZT_CONTAINS(err.msg, "tenant");
    ZT_EQ_STR(k, "");
    ZT_EQ_INT(zs_redis_keyf(k, sizeof k, &err, "acme", "Idem", "x", NULL), ZS_ERR_FAILED);
    ZT_CONTAINS(err.msg, "kind");
    ZT_EQ_INT(zs_redis_keyf(k, sizeof k, &err, "acme", "", "x", NULL), ZS_ERR_FAILED);
    /* kinds are 1-32 characters: the longest passes, one more does not */
    char kind32[33], kind33[34], kbig[128];
    memset(kind32, 'k', 32);
    kind32[32] = '\0';
    memset(kind33, 'k', 33);
    kind33[33] = '\0';
    ZT_EQ_INT(zs_redis_keyf(kbig, sizeof kbig, &err, "acme", kind32, "x", NULL), ZS_OK);
    ZT_EQ_INT(zs_redis_keyf(kbig, sizeof kbig, &err, "acme", kind33, "x", NULL), ZS_ERR_FAILED);
    ZT_CONTAINS(err.msg, "kind");
    /* DEL (0x7f) is a control character too */
    ZT_EQ_INT(zs_redis_keyf(k, sizeof k, &err, "acme", "idem", "a\x7f", NULL), ZS_ERR_FAILED);
    ZT_EQ_INT(zs_redis_keyf(k, sizeof k, &err, "acme", "idem", NULL), ZS_ERR_FAILED);
    ZT_CONTAINS(err.msg, "at least one id");
    ZT_EQ_INT(zs_redis_keyf(k, sizeof k, &err, "acme", "idem", "a:b", NULL), ZS_ERR_FAILED);
    ZT_CONTAINS(err.msg, "id 0");
    ZT_EQ_INT(zs_redis_keyf(k, sizeof k, &err, "acme", "idem", "ok", "", NULL), ZS_ERR_FAILED);
    ZT_CONTAINS(err.msg, "id 1");
    ZT_EQ_INT(zs_redis_keyf(k, sizeof k, &err, "acme", "idem", "a b", NULL), ZS_ERR_FAILED);
    ZT_EQ_INT(zs_redis_keyf(k, sizeof k, &err, "acme", "idem", "a\tb", NULL), ZS_ERR_FAILED);
    ZT_EQ_STR(k, "");

    /* Too long for the buffer: an error and an empty string, never a truncated key. */
    ZT_EQ_INT(zs_redis_keyf(k, 20, &err, "acme", "idem", "0123456789", NULL), ZS_ERR_FAILED);
    ZT_CONTAINS(err.msg, "longer than");
    ZT_EQ_STR(k, "");
    ZT_EQ_INT(zs_redis_keyf(k, 26, &err, "acme", "idem", "0123456789", NULL), ZS_OK);
    ZT_EQ_STR(k, "zs:{acme}:idem:0123456789");
    ZT_EQ_INT(zs_redis_keyf(k, 25, &err, "acme", "idem", "0123456789", NULL), ZS_ERR_FAILED);

    char big[2048];
    char id[600];
    memset(id, 'x', sizeof id - 1);
    id[sizeof id - 1] = '\0';
    ZT_EQ_INT(zs_redis_keyf(big, sizeof big, &err, "acme", "idem", id, NULL), ZS_ERR_FAILED);
    ZT_CONTAINS(err.msg, "longer than 512");
}

static void test_error_classes(void)
{
    ZT_EQ_INT(zs_redis_classify_error("LOADING Redis is loading the dataset in memory"), ZS_ERR_RETRY);
    ZT_EQ_INT(zs_redis_classify_error("BUSY Redis is busy running a script."), ZS_ERR_RETRY);
    ZT_EQ_INT(zs_redis_classify_error("TRYAGAIN Multiple keys request during rehashing of slot"),
              ZS_ERR_RETRY);
    ZT_EQ_INT(zs_redis_classify_error("CLUSTERDOWN The cluster is down"), ZS_ERR_RETRY);
    ZT_EQ_INT(zs_redis_classify_error("MASTERDOWN Link with MASTER is down"), ZS_ERR_RETRY);
    ZT_EQ_INT(zs_redis_classify_error("READONLY You can't write against a read only replica."),
              ZS_ERR_RETRY);
    ZT_EQ_INT(zs_redis_classify_error("OOM command not allowed when used memory > 'maxmemory'."),
              ZS_ERR_RETRY);
    ZT_EQ_INT(zs_redis_classify_error("NOAUTH Authentication required."), ZS_ERR_AUTH);
    ZT_EQ_INT(zs_redis_classify_error("WRONGPASS invalid username-password pair"), ZS_ERR_AUTH);
    ZT_EQ_INT(zs_redis_classify_error("NOPERM this user has no permissions"), ZS_ERR_AUTH);
    ZT_EQ_INT(zs_redis_classify_error("ERR invalid password"), ZS_ERR_AUTH);
    ZT_EQ_INT(zs_redis_classify_error("WRONGTYPE Operation against a key holding the wrong kind"),
              ZS_ERR_FAILED);
    ZT_EQ_INT(zs_redis_classify_error("ERR unknown command 'FOO'"), ZS_ERR_FAILED);
    ZT_EQ_INT(zs_redis_classify_error("BUSYKEY Target key name already exists."), ZS_ERR_FAILED);
    ZT_EQ_INT(zs_redis_classify_error("MOVED 3999 127.0.0.1:6381"), ZS_ERR_FAILED);
    ZT_EQ_INT(zs_redis_classify_error(NULL), ZS_ERR_FAILED);
}

static void test_hashtag(void)
{
    const char *tag;
    size_t len;
    zs_redis_key_hashtag("zs:{acme}:idem:x", &tag, &len);
    ZT_CHECK(len == 4 && memcmp(tag, "acme", 4) == 0);
    zs_redis_key_hashtag("zs:{acme}:email:{x}", &tag, &len);
    ZT_CHECK(len == 4 && memcmp(tag, "acme", 4) == 0);
    zs_redis_key_hashtag("plain", &tag, &len);
    ZT_CHECK(len == 5 && memcmp(tag, "plain", 5) == 0);
    /* Redis hashes the whole key when the braces are empty or unclosed. */
    zs_redis_key_hashtag("a{}b", &tag, &len);
    ZT_EQ_INT(len, 4);
    zs_redis_key_hashtag("a{b", &tag, &len);
    ZT_EQ_INT(len, 3);
}

static void test_owner_tokens_differ(void)
{
    char a[128], b[128], small[8];
    ZT_EQ_INT(zs_redis_owner_make(a, sizeof a), 0);
    ZT_EQ_INT(zs_redis_owner_make(b, sizeof b), 0);
    ZT_CHECK(strcmp(a, b) != 0);
    char pid[32];
    snprintf(pid, sizeof pid, ":%d:", (int)getpid());
    ZT_CONTAINS(a, pid);
    ZT_EQ_INT(strlen(strrchr(a, ':') + 1), 16);
    ZT_EQ_INT(zs_redis_owner_make(small, sizeof small), -1);
    ZT_EQ_STR(small, "");
}

static void test_new_validates_url_without_connecting(void)
{
    zs_err err;
    zs_redis *r = zs_redis_new(&(zs_redis_opts){.url = "redis://nowhere.invalid:1/0"}, &err);
    ZT_CHECK(r != NULL);
    ZT_CHECK(r && !zs_redis_connected(r));
    ZT_EQ_STR(r ? zs_redis_target(r) : NULL, "nowhere.invalid:1/0");
    zs_redis_free(r);
    r = zs_redis_new(&(zs_redis_opts){.url = "redis://:secret@[::1]:7/1"}, &err);
    ZT_EQ_STR(r ? zs_redis_target(r) : NULL, "[::1]:7/1");
    zs_redis_free(r);
    ZT_CHECK(zs_redis_new(&(zs_redis_opts){.url = "redis://h:x"}, &err) == NULL);
    ZT_CONTAINS(err.msg, "port");
}

int main(void)
{
    ZT_RUN(test_url_defaults_and_full_form);
    ZT_RUN(test_url_rejects);
    ZT_RUN(test_url_error_never_echoes_password);
    ZT_RUN(test_tenant_names);
    ZT_RUN(test_key_layout);
    ZT_RUN(test_key_rejects);
    ZT_RUN(test_error_classes);
    ZT_RUN(test_hashtag);
    ZT_RUN(test_owner_tokens_differ);
    ZT_RUN(test_new_validates_url_without_connecting);
    return zt_summary();
}
