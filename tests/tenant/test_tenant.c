/*
 * Tenant registry: real files in a scratch directory, real environment variables, real SIGHUP.
 * Every case uses its own directory and its own variable names, so parallel runs do not collide.
 */
#include "tenant/zs_tenant.h"
#include "zs_test.h"

#include <errno.h>
#include <pthread.h>
#include <signal.h>
#include <stdarg.h>
#include <stdlib.h>
#include <sys/stat.h>
#include <unistd.h>

#include <json-c/json.h>

#define SCHEMAS ZS_SOURCE_DIR "/schemas"

static char *scratch_dir(void)
{
    const char *base = zt_env("ZS_TEST_WORKDIR");
    char tmpl[1024];
    snprintf(tmpl, sizeof tmpl, "%s/zs-tenant-XXXXXX", base && *base ? base : "/tmp");
    char *d = mkdtemp(tmpl);
    if (!d) {
        zt_fail(__FILE__, __LINE__, "mkdtemp: %s", strerror(errno));
        return NULL;
    }
    return strdup(d);
}

static void rm_rf(const char *dir)
{
    char cmd[1200];
    snprintf(cmd, sizeof cmd, "rm -rf '%s'", dir);
    zt_sh(cmd, NULL, 0);
}

static void write_file(const char *dir, const char *name, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));
static void write_file(const char *dir, const char *name, const char *fmt, ...)
{
    char path[1200], tmp[1300];
    snprintf(path, sizeof path, "%s/%s", dir, name);
    /* write + rename, as an operator's editor or config management would */
    snprintf(tmp, sizeof tmp, "%s/.%s.tmp", dir, name);
    FILE *f = fopen(tmp, "w");
    ZT_CHECK(f != NULL);
    if (!f)
        return;
    va_list ap;
    va_start(ap, fmt);
    vfprintf(f, fmt, ap);
    va_end(ap);
    fclose(f);
    ZT_CHECK(rename(tmp, path) == 0);
}

static void remove_file(const char *dir, const char *name)
{
    char path[1200];
    snprintf(path, sizeof path, "%s/%s", dir, name);
    ZT_CHECK(unlink(path) == 0);
}

/* A minimal valid tenant whose secrets live in files in dir. extra is spliced in at the top. */
static void write_tenant(const char *dir, const char *file_id, const char *id, const char *zep_url,
                         const char *extra)
{
    write_file(dir, "personio.secret", "personio-secret-value\n");
    write_file(dir, "zep.secret", "zep-rest-token\n");
    char name[128];
    snprintf(name, sizeof name, "%s.json", file_id);
    write_file(dir, name,
               "{\"id\":\"%s\",%s\n"
               " \"personio\":{\"base_url\":\"http://127.0.0.1:8081\",\"client_id\":\"cid-%s\","
               "\"client_secret_file\":\"%s/personio.secret\"},\n"
               " \"zep\":{\"base_url\":\"%s\",\"token_file\":\"%s/zep.secret\"},\n"
               " \"sync_start_date\":\"2026-01-01\"}\n",
               id, extra ? extra : "", id, dir, zep_url, dir);
}

/* The problem message for file name (e.g. "bad.json"), or NULL. Static buffer. */
static const zs_tenant_problem *problem_for(zs_tenant_registry *r, const char *file)
{
    static zs_tenant_problem probs[64];
    size_t n = zs_tenant_registry_problems(r, probs, 64);
    for (size_t i = 0; i < n && i < 64; i++) {
        const char *base = strrchr(probs[i].path, '/');
        if (base && strcmp(base + 1, file) == 0)
            return &probs[i];
    }
    return NULL;
}

static void test_full_file_typed_fields(void)
{
    char *dir = scratch_dir();
    if (!dir)
        return;
    char env_name[64], wh_env[64];
    snprintf(env_name, sizeof env_name, "ZT_TENANT_ZEP_%d", (int)getpid());
    snprintf(wh_env, sizeof wh_env, "ZT_TENANT_WH_%d", (int)getpid());
    setenv(env_name, "zep-token-from-env", 1);
    setenv(wh_env, "Bearer webhook-token", 1);
    write_file(dir, "personio.secret", "s3cret\r\n");
    write_file(dir, "soap.secret", "soap-token-64hex\n\n");
    write_file(dir, "acme.json",
               "{\"id\":\"acme\",\n"
               " \"personio\":{\"base_url\":\"https://api.personio.de\",\"client_id\":\"papi-1\","
               "\"client_secret_file\":\"%s/personio.secret\",\"partner_id\":\"ACME\","
               "\"webhook\":{\"token_env\":\"%s\"}},\n"
               " \"zep\":{\"base_url\":\"https://www.zep-online.de/zepacme\",\"token_env\":\"%s\","
               "\"soap_token_file\":\"%s/soap.secret\",\"max_requests_per_5min\":4500},\n"
               " \"sync_start_date\":\"2026-02-01\",\n"
               " \"employees\":{\"create_new\":true,\"default_price_group\":\"01\","
               "\"match_by_email\":false,\"exclude_attribute\":\"dynamic_9001\","
               "\"exclude_values\":[\"true\",\"yes\"],\"personnel_number_attribute\":\"dynamic_9002\","
               "\"attributes\":[\"email\",\"hire_date\",\"dynamic_77\"]},\n"
               " \"attendances\":{\"mode\":\"individual\",\"rules\":\"custom\",\"deduction\":\"full\","
               "\"cap\":\"truncate\",\"timezone\":\"Europe/Vienna\",\"custom_rules\":{"
               "\"tiers\":[{\"net_over\":330,\"break\":15},{\"net_over\":420,\"break\":30}],"
               "\"min_block\":10,\"max_daily\":720,\"minor\":{\"span_max\":600,\"night_from\":\"21:30\"}}},\n"
               " \"absences\":{\"leader\":\"zep\",\"types\":[{\"personio\":\"uuid-vac\",\"zep\":\"UB\"},"
               "{\"personio\":\"uuid-sick\",\"zep\":\"KR\",\"name\":\"Sick\"}]}}\n",
               dir, wh_env, env_name, dir);
    zs_err err = {{0}};
    zs_tenant_registry *r = NULL;
    ZT_EQ_INT(zs_tenant_registry_open(dir, SCHEMAS, &r, &err), ZS_OK);
    if (!r) {
        zt_fail(__FILE__, __LINE__, "%s", err.msg);
        return;
    }
    ZT_EQ_INT(zs_tenant_registry_count(r), 1);
    ZT_EQ_INT(zs_tenant_registry_problems(r, NULL, 0), 0);
    const zs_tenant *t = zs_tenant_registry_get(r, "acme");
    ZT_CHECK(t != NULL);
    ZT_CHECK(zs_tenant_registry_get(r, "other") == NULL);
    if (t) {
        ZT_EQ_STR(t->id, "acme");
        ZT_CONTAINS(t->path, "/acme.json");
        ZT_EQ_STR(t->personio.base_url, "https://api.personio.de");
        ZT_EQ_STR(t->personio.client_id, "papi-1");
        ZT_EQ_STR(t->personio.client_secret, "s3cret");
        ZT_EQ_STR(t->personio.partner_id, "ACME");
        ZT_EQ_STR(t->personio.app_id, "ZEPSYNC");
        ZT_CHECK(t->personio.webhook_enabled);
        ZT_EQ_STR(t->personio.webhook_token, "Bearer webhook-token");
        ZT_EQ_STR(t->zep.base_url, "https://www.zep-online.de/zepacme");
        ZT_EQ_STR(t->zep.token, "zep-token-from-env");
        ZT_EQ_STR(t->zep.soap_token, "soap-token-64hex");
        ZT_EQ_INT(t->zep.max_requests_per_5min, 4500);
        ZT_EQ_STR(t->sync_start_date, "2026-02-01");
        ZT_CHECK(t->employees.create_new);
        ZT_CHECK(!t->employees.match_by_email);
        ZT_EQ_STR(t->employees.default_price_group, "01");
        ZT_EQ_STR(t->employees.exclude_attribute, "dynamic_9001");
        ZT_EQ_INT(t->employees.n_exclude_values, 2);
        ZT_EQ_STR(t->employees.personnel_number_attribute, "dynamic_9002");
        ZT_EQ_INT(t->employees.n_attributes, 3);
        ZT_CHECK(zs_tenant_attribute_enabled(t, "dynamic_77"));
        ZT_CHECK(!zs_tenant_attribute_enabled(t, "cost_center"));
        ZT_CHECK(zs_tenant_employee_excluded(t, "YES"));
        ZT_CHECK(!zs_tenant_employee_excluded(t, "no"));
        ZT_CHECK(!zs_tenant_employee_excluded(t, NULL));
        ZT_EQ_INT(t->attendances.mode, ZS_ATT_INDIVIDUAL);
        ZT_EQ_INT(t->attendances.rules, ZS_RULES_CUSTOM);
        ZT_EQ_INT(t->attendances.deduction, ZS_DEDUCT_FULL);
        ZT_EQ_INT(t->attendances.cap, ZS_CAP_TRUNCATE);
        ZT_EQ_STR(t->attendances.timezone, "Europe/Vienna");
        ZT_EQ_INT(t->attendances.custom.n_tiers, 2);
        ZT_EQ_INT(t->attendances.custom.tiers[1].net_over, 420);
        ZT_EQ_INT(t->attendances.custom.tiers[1].brk, 30);
        ZT_EQ_INT(t->attendances.custom.min_block, 10);
        ZT_EQ_INT(t->attendances.custom.max_daily, 720);
        ZT_EQ_INT(t->attendances.custom.max_consecutive, 0);
        ZT_CHECK(t->attendances.custom.has_minor);
        ZT_EQ_INT(t->attendances.custom.minor.night_from, 21 * 60 + 30);
        ZT_EQ_INT(t->attendances.custom.minor.night_to, 6 * 60);
        ZT_EQ_INT(t->absences.leader, ZS_LEADER_ZEP);
        ZT_EQ_INT(t->absences.n_types, 2);
        ZT_EQ_STR(zs_tenant_absence_zep_for(t, "uuid-sick"), "KR");
        ZT_EQ_STR(zs_tenant_absence_personio_for(t, "UB"), "uuid-vac");
        ZT_CHECK(zs_tenant_absence_zep_for(t, "uuid-none") == NULL);
        /* both directions find the row that matches, not just the first row */
        ZT_EQ_STR(zs_tenant_absence_zep_for(t, "uuid-vac"), "UB");
        ZT_EQ_STR(zs_tenant_absence_personio_for(t, "KR"), "uuid-sick");
        ZT_CHECK(zs_tenant_absence_personio_for(t, "uuid-sick") == NULL);
        ZT_CHECK(zs_tenant_absence_personio_for(t, NULL) == NULL);
        ZT_EQ_STR(t->absences.types[1].name, "Sick");
        ZT_CHECK(t->absences.types[0].name == NULL);
        ZT_EQ_STR(zs_tenant_rules_name(t->attendances.rules), "custom");
        /* webhook credential check */
        ZT_CHECK(zs_tenant_webhook_token_ok(t, "Bearer webhook-token"));
        ZT_CHECK(!zs_tenant_webhook_token_ok(t, "Bearer webhook-tokem"));
        ZT_CHECK(!zs_tenant_webhook_token_ok(t, "Bearer webhook-token2"));
        ZT_CHECK(!zs_tenant_webhook_token_ok(t, "Bearer webhook-toke"));
        ZT_CHECK(!zs_tenant_webhook_token_ok(t, ""));
        ZT_CHECK(!zs_tenant_webhook_token_ok(t, NULL));
        /* the operator view names secret sources, never values, and is valid JSON */
        zs_buf d;
        zs_buf_init(&d);
        ZT_EQ_INT(zs_tenant_describe(t, &d), 0);
        ZT_CHECK(strstr(zs_buf_str(&d), "s3cret") == NULL);
        ZT_CHECK(strstr(zs_buf_str(&d), "zep-token-from-env") == NULL);
        ZT_CHECK(strstr(zs_buf_str(&d), "webhook-token\"") == NULL);
        ZT_CONTAINS(zs_buf_str(&d), "\"client_secret\":\"file:");
        ZT_CONTAINS(zs_buf_str(&d), "/personio.secret\"");
        char want[128];
        snprintf(want, sizeof want, "\"token\":\"env:%s\"", env_name);
        ZT_CONTAINS(zs_buf_str(&d), want);
        ZT_CONTAINS(zs_buf_str(&d), "\"tiers\":[{\"net_over\":330,\"break\":15},{\"net_over\":420,\"break\":30}]");
        ZT_CONTAINS(zs_buf_str(&d), "\"night_from\":\"21:30\"");
        json_object *parsed = json_tokener_parse(zs_buf_str(&d));
        ZT_CHECK(parsed != NULL);
        ZT_EQ_STR(json_object_get_string(json_object_object_get(
                      json_object_object_get(parsed, "absences"), "leader")), "zep");
        json_object_put(parsed);
        zs_buf_release(&d);
        ZT_EQ_STR(zs_tenant_leader_name(t->absences.leader), "zep");
    }
    zs_tenant_registry_free(r);
    unsetenv(env_name);
    unsetenv(wh_env);
    rm_rf(dir);
    free(dir);
}

static void test_minimal_file_defaults(void)
{
    char *dir = scratch_dir();
    if (!dir)
        return;
    write_tenant(dir, "mini", "mini", "http://127.0.0.1:8082/zepmini", NULL);
    write_file(dir, "hookoff.json",
               "{\"id\":\"hookoff\",\"personio\":{\"base_url\":\"http://p\",\"client_id\":\"c\","
               "\"client_secret_file\":\"%s/personio.secret\",\"webhook\":{\"enabled\":false}},"
               "\"zep\":{\"base_url\":\"http://z/x\",\"token_file\":\"%s/zep.secret\"},"
               "\"sync_start_date\":\"2026-01-01\"}",
               dir, dir);
    /* neither non-.json files nor dot files are tenants */
    write_file(dir, "README.txt", "not a tenant");
    write_file(dir, ".hidden.json", "{");
    zs_err err = {{0}};
    zs_tenant *t = NULL;
    char path[1200];
    snprintf(path, sizeof path, "%s/mini.json", dir);
    ZT_EQ_INT(zs_tenant_load_file(path, SCHEMAS, &t, &err), ZS_OK);
    if (t) {
        ZT_EQ_STR(t->personio.client_secret, "personio-secret-value");
        ZT_EQ_STR(t->zep.token, "zep-rest-token");
        ZT_CHECK(t->zep.soap_token == NULL);
        ZT_EQ_INT(t->zep.max_requests_per_5min, 900);
        ZT_CHECK(t->personio.webhook_token == NULL);
        ZT_CHECK(!t->personio.webhook_enabled);
        ZT_CHECK(!zs_tenant_webhook_token_ok(t, ""));
        ZT_EQ_STR(t->personio.partner_id, "ZEPSYNC");
        ZT_CHECK(!t->employees.create_new);
        ZT_CHECK(t->employees.match_by_email);
        ZT_CHECK(t->employees.exclude_attribute == NULL);
        ZT_CHECK(!zs_tenant_employee_excluded(t, "true"));
        ZT_CHECK(zs_tenant_attribute_enabled(t, "email"));
        ZT_CHECK(zs_tenant_attribute_enabled(t, "weekly_working_hours"));
        ZT_EQ_INT(t->attendances.mode, ZS_ATT_DAILY);
        ZT_EQ_INT(t->attendances.rules, ZS_RULES_DE);
        ZT_EQ_INT(t->attendances.deduction, ZS_DEDUCT_FLOATING);
        ZT_EQ_INT(t->attendances.cap, ZS_CAP_WARN);
        ZT_EQ_STR(t->attendances.timezone, "Europe/Berlin");
        ZT_EQ_INT(t->absences.leader, ZS_LEADER_OFF);
        ZT_EQ_INT(t->absences.n_types, 0);
    }
    zs_tenant_release(t);
    zs_tenant_registry *r = NULL;
    ZT_EQ_INT(zs_tenant_registry_open(dir, SCHEMAS, &r, &err), ZS_OK);
    if (r) {
        ZT_EQ_INT(zs_tenant_registry_count(r), 2);
        ZT_EQ_INT(zs_tenant_registry_problems(r, NULL, 0), 0);
        const zs_tenant *h = zs_tenant_registry_get(r, "hookoff");
        ZT_CHECK(h && !h->personio.webhook_enabled && !h->personio.webhook_token);
        zs_tenant_registry_free(r);
    }
    rm_rf(dir);
    free(dir);
}

typedef struct bad_case {
    const char *id;    /* file is <id>.json */
    const char *extra; /* spliced into a valid tenant, or NULL with raw set */
    const char *raw;   /* whole file content (printf format with %s = dir), when not NULL */
    const char *want;  /* expected fragment of the message after the path */
} bad_case;

static void test_each_bad_file_reported_others_load(void)
{
    char *dir = scratch_dir();
    if (!dir)
        return;
    char unset_env[64];
    snprintf(unset_env, sizeof unset_env, "ZT_TENANT_UNSET_%d", (int)getpid());
    unsetenv(unset_env);
    char empty_env[64];
    snprintf(empty_env, sizeof empty_env, "ZT_TENANT_EMPTY_%d", (int)getpid());
    setenv(empty_env, "", 1);
    write_file(dir, "empty.secret", "\n");
    write_file(dir, "two.secret", "first-line\nsecond-line\n");

    char unset_json[1024], empty_json[1024], nofile_json[1024], emptyfile_json[1024], twoline_json[1024];
    /* Two lines are not one secret: a pasted file must not send half a credential, or both. */
    snprintf(twoline_json, sizeof twoline_json,
             "{\"id\":\"twoline\",\"personio\":{\"base_url\":\"http://p\",\"client_id\":\"c\","
             "\"client_secret_file\":\"%%s/two.secret\"},\"zep\":{\"base_url\":\"http://z/x\","
             "\"token_file\":\"%%s/zep.secret\"},\"sync_start_date\":\"2026-01-01\"}");
    snprintf(unset_json, sizeof unset_json,
             "{\"id\":\"unsetenv\",\"personio\":{\"base_url\":\"http://p\",\"client_id\":\"c\","
             "\"client_secret_file\":\"%%s/personio.secret\"},\"zep\":{\"base_url\":\"http://z/x\","
             "\"token_env\":\"%s\"},\"sync_start_date\":\"2026-01-01\"}",
             unset_env);
    snprintf(empty_json, sizeof empty_json,
             "{\"id\":\"emptyenv\",\"personio\":{\"base_url\":\"http://p\",\"client_id\":\"c\","
             "\"client_secret_env\":\"%s\"},\"zep\":{\"base_url\":\"http://z/x\","
             "\"token_file\":\"%%s/zep.secret\"},\"sync_start_date\":\"2026-01-01\"}",
             empty_env);
    snprintf(nofile_json, sizeof nofile_json,
             "{\"id\":\"nosecretfile\",\"personio\":{\"base_url\":\"http://p\",\"client_id\":\"c\","
             "\"client_secret_file\":\"%%s/missing.secret\"},\"zep\":{\"base_url\":\"http://z/x\","
             "\"token_file\":\"%%s/zep.secret\"},\"sync_start_date\":\"2026-01-01\"}");
    snprintf(emptyfile_json, sizeof emptyfile_json,
             "{\"id\":\"emptyfile\",\"personio\":{\"base_url\":\"http://p\",\"client_id\":\"c\","
             "\"client_secret_file\":\"%%s/personio.secret\"},\"zep\":{\"base_url\":\"http://z/x\","
             "\"token_file\":\"%%s/empty.secret\"},\"sync_start_date\":\"2026-01-01\"}");

    const bad_case cases[] = {
        {"badjson", NULL, "{\"id\": \"badjson\",\n \"personio\": {\n", "invalid JSON at line 3"},
        {"notobject", NULL, "[1,2]", "(root): expected object, got array"},
        {"missing", NULL,
         "{\"id\":\"missing\",\"personio\":{\"client_id\":\"c\",\"client_secret_env\":\"X\"},"
         "\"zep\":{\"base_url\":\"http://z/x\",\"token_env\":\"Y\"},\"sync_start_date\":\"2026-01-01\"}",
         ": /personio/base_url: required"},
        {"nodate", NULL,
         "{\"id\":\"nodate\",\"personio\":{\"base_url\":\"http://p\",\"client_id\":\"c\","
         "\"client_secret_env\":\"X\"},\"zep\":{\"base_url\":\"http://z/x\",\"token_env\":\"Y\"}}",
         ": /sync_start_date: required"},
        {"wrongtype", "\"employees\":{\"create_new\":\"yes\"},",
         NULL, ": /employees/create_new: expected boolean, got string"},
        {"badenum", "\"attendances\":{\"mode\":\"weekly\"},", NULL,
         ": /attendances/mode: must be one of \"daily\", \"individual\""},
        {"badleader", "\"absences\":{\"leader\":\"both\"},", NULL,
         ": /absences/leader: must be one of \"personio\", \"zep\", \"off\""},
        {"baddate", NULL,
         "{\"id\":\"baddate\",\"personio\":{\"base_url\":\"http://p\",\"client_id\":\"c\","
         "\"client_secret_env\":\"X\"},\"zep\":{\"base_url\":\"http://z/x\",\"token_env\":\"Y\"},"
         "\"sync_start_date\":\"2026-02-30\"}",
         ": /sync_start_date: is not a valid date"},
        {"unknownkey", "\"employes\":{},", NULL, ": /employes: unknown property"},
        {"literal", NULL,
         "{\"id\":\"literal\",\"personio\":{\"base_url\":\"http://p\",\"client_id\":\"c\","
         "\"client_secret\":\"papi-LITERAL-SECRET\"},\"zep\":{\"base_url\":\"http://z/x\","
         "\"token_env\":\"Y\"},\"sync_start_date\":\"2026-01-01\"}",
         ": /personio/client_secret: literal secrets are not allowed in tenant files; name a file "
         "(client_secret_file) or an environment variable (client_secret_env) instead"},
        {"literalzep", NULL,
         "{\"id\":\"literalzep\",\"personio\":{\"base_url\":\"http://p\",\"client_id\":\"c\","
         "\"client_secret_env\":\"X\"},\"zep\":{\"base_url\":\"http://z/x\","
         "\"token\":\"LITERAL-SECRET\"},\"sync_start_date\":\"2026-01-01\"}",
         ": /zep/token: literal secrets are not allowed"},
        {"literalsoap", NULL,
         "{\"id\":\"literalsoap\",\"personio\":{\"base_url\":\"http://p\",\"client_id\":\"c\","
         "\"client_secret_env\":\"X\"},\"zep\":{\"base_url\":\"http://z/x\",\"token_env\":\"Y\","
         "\"soap_token\":\"LITERAL-SECRET\"},\"sync_start_date\":\"2026-01-01\"}",
         ": /zep/soap_token: literal secrets are not allowed"},
        {"literalhook", NULL,
         "{\"id\":\"literalhook\",\"personio\":{\"base_url\":\"http://p\",\"client_id\":\"c\","
         "\"client_secret_env\":\"X\",\"webhook\":{\"token\":\"Bearer LITERAL-SECRET\"}},"
         "\"zep\":{\"base_url\":\"http://z/x\",\"token_env\":\"Y\"},\"sync_start_date\":\"2026-01-01\"}",
         ": /personio/webhook/token: literal secrets are not allowed"},
        {"nosecret", NULL,
         "{\"id\":\"nosecret\",\"personio\":{\"base_url\":\"http://p\",\"client_id\":\"c\"},"
         "\"zep\":{\"base_url\":\"http://z/x\",\"token_env\":\"Y\"},\"sync_start_date\":\"2026-01-01\"}",
         ": /personio/client_secret_file: required (or client_secret_env)"},
        {"twosecrets", NULL,
         "{\"id\":\"twosecrets\",\"personio\":{\"base_url\":\"http://p\",\"client_id\":\"c\","
         "\"client_secret_env\":\"X\",\"client_secret_file\":\"/x\"},"
         "\"zep\":{\"base_url\":\"http://z/x\",\"token_env\":\"Y\"},\"sync_start_date\":\"2026-01-01\"}",
         ": /personio: give client_secret_file or client_secret_env, not both"},
        {"nosecretfile", NULL, nofile_json,
         ": /personio/client_secret_file: cannot read "},
        {"emptyfile", NULL, emptyfile_json, "/zep/token_file: secret file "},
        {"twoline", NULL, twoline_json, "/personio/client_secret_file: secret file "},
        {"unsetenv", NULL, unset_json, ": /zep/token_env: environment variable ZT_TENANT_UNSET_"},
        {"emptyenv", NULL, empty_json, ": /personio/client_secret_env: environment variable ZT_TENANT_EMPTY_"},
        {"hooknotoken", NULL,
         "{\"id\":\"hooknotoken\",\"personio\":{\"base_url\":\"http://p\",\"client_id\":\"c\","
         "\"client_secret_env\":\"X\",\"webhook\":{}},"
         "\"zep\":{\"base_url\":\"http://z/x\",\"token_env\":\"Y\"},\"sync_start_date\":\"2026-01-01\"}",
         ": /personio/webhook/token_file: required (or token_env)"},
        {"twosoap", NULL,
         "{\"id\":\"twosoap\",\"personio\":{\"base_url\":\"http://p\",\"client_id\":\"c\","
         "\"client_secret_env\":\"X\"},\"zep\":{\"base_url\":\"http://z/x\",\"token_env\":\"Y\","
         "\"soap_token_env\":\"A\",\"soap_token_file\":\"/b\"},\"sync_start_date\":\"2026-01-01\"}",
         ": /zep: give soap_token_file or soap_token_env, not both"},
        {"mismatch", NULL,
         "{\"id\":\"other\",\"personio\":{\"base_url\":\"http://p\",\"client_id\":\"c\","
         "\"client_secret_env\":\"X\"},\"zep\":{\"base_url\":\"http://z/x\",\"token_env\":\"Y\"},"
         "\"sync_start_date\":\"2026-01-01\"}",
         ": /id: must equal the file name \"mismatch\""},
        {"BadCase", NULL,
         "{\"id\":\"BadCase\",\"personio\":{\"base_url\":\"http://p\",\"client_id\":\"c\","
         "\"client_secret_env\":\"X\"},\"zep\":{\"base_url\":\"http://z/x\",\"token_env\":\"Y\"},"
         "\"sync_start_date\":\"2026-01-01\"}",
         ": /id: does not match pattern"},
        {"nopricegroup", "\"employees\":{\"create_new\":true},", NULL,
         ": /employees/default_price_group: required"},
        {"excludenovalues", "\"employees\":{\"exclude_attribute\":\"dynamic_1\"},", NULL,
         ": /employees/exclude_values: required when \"exclude_attribute\" is present"},
        {"badattr", "\"employees\":{\"attributes\":[\"email\",\"shoe_size\"]},", NULL,
         ": /employees/attributes/1: matches none of the anyOf alternatives"},
        {"customnorules", "\"attendances\":{\"rules\":\"custom\"},", NULL,
         ": /attendances/custom_rules: required"},
        {"rulesnotcustom",
         "\"attendances\":{\"rules\":\"DE\",\"custom_rules\":{\"tiers\":[{\"net_over\":1,\"break\":1}]}},",
         NULL, ": /attendances/custom_rules: not allowed"},
        {"tiersorder",
         "\"attendances\":{\"rules\":\"custom\",\"custom_rules\":{\"tiers\":[{\"net_over\":540,"
         "\"break\":45},{\"net_over\":360,\"break\":30}]}},",
         NULL, ": /attendances/custom_rules/tiers/1/net_over: tiers must be in ascending order"},
        {"tierrange",
         "\"attendances\":{\"rules\":\"custom\",\"custom_rules\":{\"tiers\":[{\"net_over\":1441,"
         "\"break\":45}]}},",
         NULL, ": /attendances/custom_rules/tiers/0/net_over: must be <= 1440"},
        {"badzone", "\"attendances\":{\"timezone\":\"Europe/Atlantis\"},", NULL,
         ": /attendances/timezone: unknown time zone"},
        {"leadernotypes", "\"absences\":{\"leader\":\"personio\"},", NULL,
         ": /absences/types: required"},
        {"duptypes",
         "\"absences\":{\"leader\":\"personio\",\"types\":[{\"personio\":\"a\",\"zep\":\"UB\"},"
         "{\"personio\":\"a\",\"zep\":\"KR\"}]},",
         NULL, ": /absences/types/1/personio: duplicate of item 0"},
        {"badurl", NULL,
         "{\"id\":\"badurl\",\"personio\":{\"base_url\":\"ftp://p\",\"client_id\":\"c\","
         "\"client_secret_env\":\"X\"},\"zep\":{\"base_url\":\"http://z/x\",\"token_env\":\"Y\"},"
         "\"sync_start_date\":\"2026-01-01\"}",
         ": /personio/base_url: does not match pattern"},
        {"relsecret", NULL,
         "{\"id\":\"relsecret\",\"personio\":{\"base_url\":\"http://p\",\"client_id\":\"c\","
         "\"client_secret_file\":\"secrets/p\"},\"zep\":{\"base_url\":\"http://z/x\",\"token_env\":\"Y\"},"
         "\"sync_start_date\":\"2026-01-01\"}",
         ": /personio/client_secret_file: does not match pattern ^/"},
    };
    size_t n_cases = sizeof cases / sizeof cases[0];
    write_tenant(dir, "good", "good", "http://127.0.0.1:8082/zepgood", NULL);
    for (size_t i = 0; i < n_cases; i++) {
        char name[128];
        snprintf(name, sizeof name, "%s.json", cases[i].id);
        if (cases[i].raw) {
#pragma GCC diagnostic push
#pragma GCC diagnostic ignored "-Wformat-nonliteral"
            write_file(dir, name, cases[i].raw, dir, dir);
#pragma GCC diagnostic pop
        } else {
            write_tenant(dir, cases[i].id, cases[i].id, "http://127.0.0.1:8082/zepx", cases[i].extra);
        }
    }
    zs_err err = {{0}};
    zs_tenant_registry *r = NULL;
    ZT_EQ_INT(zs_tenant_registry_open(dir, SCHEMAS, &r, &err), ZS_OK);
    if (!r) {
        zt_fail(__FILE__, __LINE__, "%s", err.msg);
        return;
    }
    ZT_EQ_INT(zs_tenant_registry_count(r), 1);
    ZT_CHECK(zs_tenant_registry_get(r, "good") != NULL);
    ZT_EQ_INT(zs_tenant_registry_problems(r, NULL, 0), n_cases);
    for (size_t i = 0; i < n_cases; i++) {
        char name[128], want_path[1200];
        snprintf(name, sizeof name, "%s.json", cases[i].id);
        snprintf(want_path, sizeof want_path, "%s/%s", dir, name);
        const zs_tenant_problem *p = problem_for(r, name);
        if (!p) {
            zt_fail(__FILE__, __LINE__, "no problem reported for %s", name);
            continue;
        }
        ZT_CHECK(strncmp(p->msg, want_path, strlen(want_path)) == 0);
        ZT_CONTAINS(p->msg, cases[i].want);
        ZT_CHECK(!p->kept_previous);
        ZT_CHECK(strstr(p->msg, "LITERAL-SECRET") == NULL);
        ZT_CHECK(strstr(p->msg, "personio-secret-value") == NULL);
        ZT_CHECK(strstr(p->msg, "first-line") == NULL);
        ZT_CHECK(zs_tenant_registry_get(r, cases[i].id) == NULL);
    }
    zs_tenant_registry_free(r);
    unsetenv(empty_env);
    rm_rf(dir);
    free(dir);
}

static void test_open_failures(void)
{
    zs_err err = {{0}};
    zs_tenant_registry *r = NULL;
    ZT_EQ_INT(zs_tenant_registry_open("/nonexistent/zs-tenants", SCHEMAS, &r, &err), ZS_ERR_FAILED);
    ZT_CONTAINS(err.msg, "tenants directory /nonexistent/zs-tenants: No such file");
    ZT_CHECK(r == NULL);
    char *dir = scratch_dir();
    if (!dir)
        return;
    ZT_EQ_INT(zs_tenant_registry_open(dir, "/nonexistent/schemas", &r, &err), ZS_ERR_FAILED);
    ZT_CONTAINS(err.msg, "/nonexistent/schemas/tenant.v1.json");
    /* an empty directory is a valid (empty) registry */
    ZT_EQ_INT(zs_tenant_registry_open(dir, SCHEMAS, &r, &err), ZS_OK);
    if (r) {
        ZT_EQ_INT(zs_tenant_registry_count(r), 0);
        zs_tenant_registry_free(r);
    }
    rm_rf(dir);
    free(dir);
}

static void test_sighup_reload(void)
{
    char *dir = scratch_dir();
    if (!dir)
        return;
    write_tenant(dir, "alpha", "alpha", "http://127.0.0.1:8082/zep-alpha-v1", NULL);
    write_tenant(dir, "beta", "beta", "http://127.0.0.1:8082/zep-beta-v1", NULL);
    write_tenant(dir, "gone", "gone", "http://127.0.0.1:8082/zep-gone", NULL);
    zs_err err = {{0}};
    zs_tenant_registry *r = NULL;
    ZT_EQ_INT(zs_tenant_registry_open(dir, SCHEMAS, &r, &err), ZS_OK);
    if (!r) {
        zt_fail(__FILE__, __LINE__, "%s", err.msg);
        return;
    }
    ZT_EQ_INT(zs_tenant_registry_count(r), 3);
    ZT_EQ_INT(zs_tenant_sighup_install(), 0);
    ZT_EQ_INT(zs_tenant_registry_reload_if_requested(r, &err), 0); /* nothing requested yet */

    /* a worker holds alpha across the reload */
    zs_tenant *held = zs_tenant_registry_acquire(r, "alpha");
    ZT_CHECK(held != NULL);

    /* change a file, add a file, break a file, remove a file, add a broken new one */
    write_tenant(dir, "alpha", "alpha", "http://127.0.0.1:8082/zep-alpha-v2", NULL);
    write_tenant(dir, "gamma", "gamma", "http://127.0.0.1:8082/zep-gamma", NULL);
    write_file(dir, "beta.json", "{\"id\":\"beta\", \"personio\": ");
    remove_file(dir, "gone.json");
    write_tenant(dir, "delta", "delta", "http://127.0.0.1:8082/zep-delta",
                 "\"attendances\":{\"cap\":\"sometimes\"},");

    /* before the signal nothing changes: reloads happen only when asked */
    ZT_EQ_STR(zs_tenant_registry_get(r, "alpha")->zep.base_url, "http://127.0.0.1:8082/zep-alpha-v1");
    ZT_EQ_INT(raise(SIGHUP), 0);
    ZT_EQ_INT(zs_tenant_registry_reload_if_requested(r, &err), 1);
    ZT_EQ_INT(zs_tenant_registry_reload_if_requested(r, &err), 0); /* one signal, one reload */

    char ids[8][ZS_TENANT_ID_MAX];
    ZT_EQ_INT(zs_tenant_registry_ids(r, ids, 8), 3);
    ZT_EQ_STR(ids[0], "alpha");
    ZT_EQ_STR(ids[1], "beta");
    ZT_EQ_STR(ids[2], "gamma");
    const zs_tenant *a = zs_tenant_registry_get(r, "alpha");
    const zs_tenant *b = zs_tenant_registry_get(r, "beta");
    ZT_CHECK(a && b);
    if (a && b) {
        ZT_EQ_STR(a->zep.base_url, "http://127.0.0.1:8082/zep-alpha-v2");
        ZT_EQ_STR(b->zep.base_url, "http://127.0.0.1:8082/zep-beta-v1"); /* old good version */
    }
    ZT_EQ_STR(zs_tenant_registry_get(r, "gamma")->zep.base_url, "http://127.0.0.1:8082/zep-gamma");
    ZT_CHECK(zs_tenant_registry_get(r, "gone") == NULL);
    ZT_CHECK(zs_tenant_registry_get(r, "delta") == NULL);
    /* the held reference still reads the version it was acquired with */
    ZT_EQ_STR(held->zep.base_url, "http://127.0.0.1:8082/zep-alpha-v1");
    ZT_EQ_STR(held->personio.client_secret, "personio-secret-value");
    zs_tenant_release(held);

    ZT_EQ_INT(zs_tenant_registry_problems(r, NULL, 0), 2);
    const zs_tenant_problem *pb = problem_for(r, "beta.json");
    ZT_CHECK(pb != NULL);
    if (pb) {
        ZT_CHECK(pb->kept_previous);
        ZT_CONTAINS(pb->msg, "/beta.json: invalid JSON at line 1");
    }
    const zs_tenant_problem *pd = problem_for(r, "delta.json");
    ZT_CHECK(pd != NULL);
    if (pd) {
        ZT_CHECK(!pd->kept_previous);
        ZT_CONTAINS(pd->msg, "/attendances/cap: must be one of \"warn\", \"truncate\"");
    }

    /* fix beta and delta, rename alpha's id wrongly: alpha keeps its last good version */
    write_tenant(dir, "beta", "beta", "http://127.0.0.1:8082/zep-beta-v3", NULL);
    write_tenant(dir, "delta", "delta", "http://127.0.0.1:8082/zep-delta", NULL);
    write_tenant(dir, "alpha", "alpha2", "http://127.0.0.1:8082/zep-alpha-v3", NULL);
    ZT_EQ_INT(raise(SIGHUP), 0);
    ZT_EQ_INT(raise(SIGHUP), 0); /* a burst coalesces into one reload */
    zs_tenant_reload_stats st;
    ZT_EQ_INT(zs_tenant_sighup_take(), 1);
    ZT_EQ_INT(zs_tenant_sighup_take(), 0);
    ZT_EQ_INT(zs_tenant_registry_reload(r, &st, &err), ZS_OK);
    ZT_EQ_INT(st.loaded, 3);
    ZT_EQ_INT(st.failed, 1);
    ZT_EQ_INT(st.kept, 1);
    ZT_EQ_INT(st.removed, 0);
    ZT_EQ_INT(zs_tenant_registry_count(r), 4);
    ZT_EQ_STR(zs_tenant_registry_get(r, "beta")->zep.base_url, "http://127.0.0.1:8082/zep-beta-v3");
    ZT_EQ_STR(zs_tenant_registry_get(r, "alpha")->zep.base_url, "http://127.0.0.1:8082/zep-alpha-v2");
    ZT_CHECK(zs_tenant_registry_get(r, "delta") != NULL);
    const zs_tenant_problem *pa = problem_for(r, "alpha.json");
    ZT_CHECK(pa && pa->kept_previous);
    if (pa)
        ZT_CONTAINS(pa->msg, "/id: must equal the file name \"alpha\"");

    /* a SIGHUP from another process (as an operator's kill -HUP) is seen by the main loop */
    unsigned long gen = zs_tenant_registry_generation(r);
    write_tenant(dir, "epsilon", "epsilon", "http://127.0.0.1:8082/zep-epsilon", NULL);
    char cmd[64];
    snprintf(cmd, sizeof cmd, "kill -HUP %d", (int)getpid());
    ZT_EQ_INT(zt_sh(cmd, NULL, 0), 0);
    int reloaded = 0;
    for (int i = 0; i < 200 && !reloaded; i++) {
        reloaded = zs_tenant_registry_reload_if_requested(r, &err);
        if (!reloaded)
            usleep(10000);
    }
    ZT_EQ_INT(reloaded, 1);
    ZT_EQ_INT(zs_tenant_registry_generation(r), gen + 1);
    ZT_CHECK(zs_tenant_registry_get(r, "epsilon") != NULL);
    remove_file(dir, "epsilon.json");

    /* removing the broken file removes the tenant and its problem */
    remove_file(dir, "alpha.json");
    ZT_EQ_INT(zs_tenant_registry_reload(r, &st, &err), ZS_OK);
    ZT_EQ_INT(st.removed, 2);
    ZT_CHECK(zs_tenant_registry_get(r, "alpha") == NULL);
    ZT_EQ_INT(zs_tenant_registry_problems(r, NULL, 0), 0);

    /* a reload that cannot read the directory fails and keeps the current set */
    char moved[1300];
    snprintf(moved, sizeof moved, "%s.moved", dir);
    ZT_CHECK(rename(dir, moved) == 0);
    gen = zs_tenant_registry_generation(r);
    ZT_EQ_INT(zs_tenant_registry_reload(r, &st, &err), ZS_ERR_FAILED);
    ZT_CONTAINS(err.msg, "tenants directory");
    ZT_EQ_INT(zs_tenant_registry_generation(r), gen);
    ZT_EQ_INT(zs_tenant_registry_count(r), 3);
    ZT_CHECK(rename(moved, dir) == 0);

    zs_tenant_registry_free(r);
    signal(SIGHUP, SIG_DFL);
    rm_rf(dir);
    free(dir);
}

/* Lookups from other threads while the main thread reloads: under ASan a use-after-free or a
 * torn swap would show. */
typedef struct spin_arg {
    zs_tenant_registry *r;
    volatile int stop;
    long reads, misses, bad;
} spin_arg;

static void *spin(void *p)
{
    spin_arg *a = p;
    while (!a->stop) {
        zs_tenant *t = zs_tenant_registry_acquire(a->r, "alpha");
        if (!t) {
            a->misses++;
            continue;
        }
        if (strncmp(t->zep.base_url, "http://127.0.0.1:8082/zep-alpha-", 32) != 0 ||
            strcmp(t->zep.token, "zep-rest-token") != 0)
            a->bad++;
        a->reads++;
        zs_tenant_release(t);
    }
    return NULL;
}

static void test_concurrent_lookups_during_reload(void)
{
    char *dir = scratch_dir();
    if (!dir)
        return;
    write_tenant(dir, "alpha", "alpha", "http://127.0.0.1:8082/zep-alpha-0", NULL);
    zs_err err = {{0}};
    spin_arg a = {0};
    ZT_EQ_INT(zs_tenant_registry_open(dir, SCHEMAS, &a.r, &err), ZS_OK);
    if (!a.r)
        return;
    pthread_t th;
    ZT_EQ_INT(pthread_create(&th, NULL, spin, &a), 0);
    for (int i = 1; i <= 30; i++) {
        char url[128];
        snprintf(url, sizeof url, "http://127.0.0.1:8082/zep-alpha-%d", i);
        write_tenant(dir, "alpha", "alpha", url, NULL);
        ZT_EQ_INT(zs_tenant_registry_reload(a.r, NULL, &err), ZS_OK);
    }
    a.stop = 1;
    pthread_join(th, NULL);
    printf("  %ld lookups during 30 reloads\n", a.reads);
    ZT_EQ_INT(a.misses, 0);
    ZT_EQ_INT(a.bad, 0);
    ZT_EQ_STR(zs_tenant_registry_get(a.r, "alpha")->zep.base_url, "http://127.0.0.1:8082/zep-alpha-30");
    zs_tenant_registry_free(a.r);
    rm_rf(dir);
    free(dir);
}

int main(void)
{
    ZT_RUN(test_full_file_typed_fields);
    ZT_RUN(test_minimal_file_defaults);
    ZT_RUN(test_each_bad_file_reported_others_load);
    ZT_RUN(test_open_failures);
    ZT_RUN(test_sighup_reload);
    ZT_RUN(test_concurrent_lookups_during_reload);
    return zt_summary();
}
