/*
 * `zepsync tenants` end to end: the real binary from build/bin on scratch directories with real
 * secret files and environment variables. Every run's stdout and stderr are checked for every
 * secret value this program ever wrote, because the command's one promise beyond listing is that
 * it never shows one.
 */
#include "zs_test.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <spawn.h>
#include <stdarg.h>
#include <stdlib.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <json-c/json.h>

extern char **environ;

/* ---- secrets: every value written anywhere by this program ---- */

#define MAX_SECRETS 32
static char g_secrets[MAX_SECRETS][128];
static int g_nsecrets;

/* A secret value unique to this process, remembered for the leak check. */
static const char *new_secret(const char *what)
{
    if (g_nsecrets == MAX_SECRETS) {
        zt_fail(__FILE__, __LINE__, "too many secrets");
        return "unused";
    }
    char *s = g_secrets[g_nsecrets++];
    snprintf(s, sizeof g_secrets[0], "S3CRET-%s-%d-%d", what, (int)getpid(), g_nsecrets);
    return s;
}

static void check_no_secret(const char *where, const char *text)
{
    for (int i = 0; i < g_nsecrets; i++) {
        zt_checks++;
        if (text && strstr(text, g_secrets[i]))
            zt_fail(__FILE__, __LINE__, "%s shows the secret %s: %s", where, g_secrets[i], text);
    }
}

/* ---- files ---- */

static char *scratch_dir(void)
{
    const char *base = zt_env("ZS_TEST_WORKDIR");
    char tmpl[PATH_MAX];
    snprintf(tmpl, sizeof tmpl, "%s/zs-tenants-cmd-XXXXXX", base && *base ? base : "/tmp");
    if (!mkdtemp(tmpl)) {
        zt_fail(__FILE__, __LINE__, "mkdtemp: %s", strerror(errno));
        return NULL;
    }
    /* Secret paths in tenant files must be absolute. */
    char *abs = realpath(tmpl, NULL);
    if (!abs)
        zt_fail(__FILE__, __LINE__, "realpath: %s", strerror(errno));
    return abs;
}

static void rm_rf(char *dir)
{
    if (!dir)
        return;
    char cmd[PATH_MAX + 32];
    snprintf(cmd, sizeof cmd, "rm -rf '%s'", dir);
    zt_sh(cmd, NULL, 0);
    free(dir);
}

static void write_file(const char *dir, const char *name, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));
static void write_file(const char *dir, const char *name, const char *fmt, ...)
{
    char path[PATH_MAX];
    snprintf(path, sizeof path, "%s/%s", dir, name);
    FILE *f = fopen(path, "w");
    ZT_CHECK(f != NULL);
    if (!f)
        return;
    va_list ap;
    va_start(ap, fmt);
    vfprintf(f, fmt, ap);
    va_end(ap);
    ZT_CHECK(fclose(f) == 0);
}

static char *read_file(const char *path)
{
    FILE *f = fopen(path, "rb");
    if (!f)
        return strdup("");
    size_t cap = 4096, n = 0;
    char *buf = malloc(cap);
    size_t got;
    while (buf && (got = fread(buf + n, 1, cap - n - 1, f)) > 0) {
        n += got;
        if (n + 1 == cap) {
            char *nb = realloc(buf, cap * 2);
            if (!nb) {
                free(buf);
                buf = NULL;
                break;
            }
            buf = nb;
            cap *= 2;
        }
    }
    fclose(f);
    if (buf)
        buf[n] = '\0';
    return buf;
}

/* ---- running the binary ---- */

typedef struct run_result {
    int status; /* exit code, or -1 when it did not exit normally */
    char *out, *err;
} run_result;

static void run_free(run_result *r)
{
    free(r->out);
    free(r->err);
    r->out = r->err = NULL;
}

static int env_overridden(const char *entry, char *const *extra)
{
    /* The test decides these; the ones of the shell that started ctest must not leak in. */
    static const char *const owned[] = {"ZS_TENANTS_DIR=", "ZS_SCHEMAS_DIR=", "ZS_LOG_LEVEL=", NULL};
    for (int i = 0; owned[i]; i++)
        if (strncmp(entry, owned[i], strlen(owned[i])) == 0)
            return 1;
    for (int i = 0; extra && extra[i]; i++) {
        const char *eq = strchr(extra[i], '=');
        size_t n = eq ? (size_t)(eq - extra[i]) + 1 : strlen(extra[i]);
        if (strncmp(entry, extra[i], n) == 0)
            return 1;
    }
    return 0;
}

/*
 * Runs `zepsync <args...>` with the process environment plus extra ("NAME=VALUE"; a bare "NAME"
 * removes it), stdout and stderr captured through files in work. Every output is leak-checked.
 */
static run_result run_cli(const char *work, char *const *extra, char *const *args)
{
    run_result r = {-1, NULL, NULL};
    size_t n_env = 0, n_extra = 0, n_args = 0;
    while (environ[n_env])
        n_env++;
    while (extra && extra[n_extra])
        n_extra++;
    while (args[n_args])
        n_args++;
    char **envp = calloc(n_env + n_extra + 1, sizeof *envp);
    char **argv = calloc(n_args + 2, sizeof *argv);
    if (!envp || !argv) {
        zt_fail(__FILE__, __LINE__, "out of memory");
        free(envp);
        free(argv);
        return r;
    }
    size_t k = 0;
    for (size_t i = 0; i < n_env; i++)
        if (!env_overridden(environ[i], extra))
            envp[k++] = environ[i];
    for (size_t i = 0; i < n_extra; i++)
        if (strchr(extra[i], '='))
            envp[k++] = extra[i];
    argv[0] = (char *)zt_bin("zepsync");
    for (size_t i = 0; i < n_args; i++)
        argv[i + 1] = args[i];

    char out_path[PATH_MAX], err_path[PATH_MAX];
    snprintf(out_path, sizeof out_path, "%s/.stdout", work);
    snprintf(err_path, sizeof err_path, "%s/.stderr", work);
    posix_spawn_file_actions_t fa;
    posix_spawn_file_actions_init(&fa);
    posix_spawn_file_actions_addopen(&fa, 1, out_path, O_WRONLY | O_CREAT | O_TRUNC, 0600);
    posix_spawn_file_actions_addopen(&fa, 2, err_path, O_WRONLY | O_CREAT | O_TRUNC, 0600);
    posix_spawn_file_actions_addopen(&fa, 0, "/dev/null", O_RDONLY, 0);
    pid_t pid;
    int e = posix_spawn(&pid, argv[0], &fa, NULL, argv, envp);
    posix_spawn_file_actions_destroy(&fa);
    free(envp);
    free(argv);
    if (e != 0) {
        zt_fail(__FILE__, __LINE__, "posix_spawn %s: %s", zt_bin("zepsync"), strerror(e));
        return r;
    }
    int st;
    while (waitpid(pid, &st, 0) < 0 && errno == EINTR)
        ;
    r.status = WIFEXITED(st) ? WEXITSTATUS(st) : -1;
    r.out = read_file(out_path);
    r.err = read_file(err_path);
    if (!r.out || !r.err)
        zt_fail(__FILE__, __LINE__, "cannot read the captured output");
    check_no_secret("stdout", r.out);
    check_no_secret("stderr", r.err);
    unlink(out_path);
    unlink(err_path);
    return r;
}

static int count_lines(const char *s)
{
    int n = 0;
    for (; s && *s; s++)
        n += *s == '\n';
    return n;
}

/* The n-th line (0-based) without its newline, into buf; "" when there is none. */
static const char *line_at(const char *s, int n, char *buf, size_t cap)
{
    buf[0] = '\0';
    for (; s && *s && n > 0; s++)
        if (*s == '\n')
            n--;
    if (!s || !*s)
        return buf;
    size_t len = strcspn(s, "\n");
    if (len >= cap)
        len = cap - 1;
    memcpy(buf, s, len);
    buf[len] = '\0';
    return buf;
}

/* ---- tenant fixtures ---- */

typedef struct fixture {
    char *dir;  /* the tenants directory */
    char *sec;  /* secret files live outside it, as they would under /run/secrets */
    char zep_env[64], wh_env[64];
    char env_zep[256], env_wh[256]; /* "NAME=VALUE" for the child */
} fixture;

/*
 * acme: every secret source kind (client secret and SOAP token from files, REST token and webhook
 * token from the environment), custom rules, individual mode, ZEP leading absences.
 */
static void write_acme(fixture *fx)
{
    const char *ps = new_secret("personio");
    const char *soap = new_secret("soap");
    write_file(fx->sec, "acme-personio", "%s\n", ps);
    write_file(fx->sec, "acme-soap", "%s\r\n", soap);
    snprintf(fx->zep_env, sizeof fx->zep_env, "ZT_TCMD_ZEP_%d", (int)getpid());
    snprintf(fx->wh_env, sizeof fx->wh_env, "ZT_TCMD_WH_%d", (int)getpid());
    snprintf(fx->env_zep, sizeof fx->env_zep, "%s=%s", fx->zep_env, new_secret("zep"));
    snprintf(fx->env_wh, sizeof fx->env_wh, "%s=%s", fx->wh_env, new_secret("webhook"));
    write_file(fx->dir, "acme.json",
               "{\"id\":\"acme\",\n"
               " \"personio\":{\"base_url\":\"https://api.personio.de\",\"client_id\":\"papi-acme\","
               "\"client_secret_file\":\"%s/acme-personio\","
               "\"webhook\":{\"enabled\":true,\"token_env\":\"%s\"}},\n"
               " \"zep\":{\"base_url\":\"https://www.zep-online.de/zepacme\",\"token_env\":\"%s\","
               "\"soap_token_file\":\"%s/acme-soap\"},\n"
               " \"sync_start_date\":\"2026-01-01\",\n"
               " \"attendances\":{\"mode\":\"individual\",\"rules\":\"custom\",\"custom_rules\":{"
               "\"tiers\":[{\"net_over\":360,\"break\":30}],\"min_block\":15}},\n"
               " \"absences\":{\"leader\":\"zep\",\"types\":[{\"personio\":\"uuid-vac\",\"zep\":\"UB\"}]}}\n",
               fx->sec, fx->wh_env, fx->zep_env, fx->sec);
}

/* beta: the minimum, with the defaults showing (daily, DE, no absence sync). */
static void write_beta(fixture *fx)
{
    const char *ps = new_secret("beta-personio");
    const char *zt = new_secret("beta-zep");
    write_file(fx->sec, "beta-personio", "%s\n", ps);
    write_file(fx->sec, "beta-zep", "%s", zt);
    write_file(fx->dir, "beta.json",
               "{\"id\":\"beta\",\n"
               " \"personio\":{\"base_url\":\"http://127.0.0.1:8081\",\"client_id\":\"papi-beta\","
               "\"client_secret_file\":\"%s/beta-personio\"},\n"
               " \"zep\":{\"base_url\":\"http://127.0.0.1:8082/zepbeta\",\"token_file\":\"%s/beta-zep\"},\n"
               " \"sync_start_date\":\"2026-03-01\"}\n",
               fx->sec, fx->sec);
}

static int fixture_init(fixture *fx)
{
    memset(fx, 0, sizeof *fx);
    fx->sec = scratch_dir();
    if (!fx->sec)
        return -1;
    char d[PATH_MAX];
    snprintf(d, sizeof d, "%s/tenants", fx->sec);
    if (mkdir(d, 0700) != 0 || !(fx->dir = strdup(d))) {
        zt_fail(__FILE__, __LINE__, "mkdir %s: %s", d, strerror(errno));
        return -1;
    }
    return 0;
}

static void fixture_release(fixture *fx)
{
    free(fx->dir);
    rm_rf(fx->sec);
}

#define ARGS(...) ((char *const[]){__VA_ARGS__, NULL})
#define ENV(...) ((char *const[]){__VA_ARGS__, NULL})

/* ---- cases ---- */

static void test_good_tenants_listed(void)
{
    fixture fx;
    if (fixture_init(&fx) != 0) {
        fixture_release(&fx);
        return;
    }
    write_acme(&fx);
    write_beta(&fx);
    run_result r = run_cli(fx.sec, ENV(fx.env_zep, fx.env_wh), ARGS("tenants", "--dir", fx.dir));
    ZT_EQ_INT(r.status, 0);
    ZT_EQ_STR(r.err, "");
    ZT_EQ_STR(r.out, "acme personio=https://api.personio.de zep=https://www.zep-online.de/zepacme "
                     "attendances=individual/custom absences=zep\n"
                     "beta personio=http://127.0.0.1:8081 zep=http://127.0.0.1:8082/zepbeta "
                     "attendances=daily/DE absences=off\n");
    run_free(&r);

    /* a listing that could not be written is not a success (the same run into /dev/null is) */
    const char *sinks[] = {"/dev/null", "/dev/full"}, *want[] = {"0\n", "1\n"};
    for (int i = 0; i < 2; i++) {
        char cmd[PATH_MAX * 2], status[16] = "";
        snprintf(cmd, sizeof cmd, "%s=%s %s=%s '%s' tenants --dir '%s' >%s 2>/dev/null; echo $?",
                 fx.zep_env, strchr(fx.env_zep, '=') + 1, fx.wh_env, strchr(fx.env_wh, '=') + 1,
                 zt_bin("zepsync"), fx.dir, sinks[i]);
        zt_sh(cmd, status, sizeof status);
        ZT_EQ_STR(status, want[i]);
    }
    fixture_release(&fx);
}

static json_object *member(json_object *o, const char *a, const char *b)
{
    json_object *v = NULL;
    if (!json_object_object_get_ex(o, a, &v))
        return NULL;
    if (b && !json_object_object_get_ex(v, b, &v))
        return NULL;
    return v;
}

static const char *member_str(json_object *o, const char *a, const char *b)
{
    json_object *v = member(o, a, b);
    return v && json_object_is_type(v, json_type_string) ? json_object_get_string(v) : NULL;
}

static void test_json_shows_sources_only(void)
{
    fixture fx;
    if (fixture_init(&fx) != 0) {
        fixture_release(&fx);
        return;
    }
    write_acme(&fx);
    write_beta(&fx);
    run_result r = run_cli(fx.sec, ENV(fx.env_zep, fx.env_wh), ARGS("tenants", "--json", "--dir", fx.dir));
    ZT_EQ_INT(r.status, 0);
    ZT_EQ_STR(r.err, "");
    ZT_EQ_INT(count_lines(r.out), 2);
    char line[8192], want[PATH_MAX + 64];
    json_object *a = json_tokener_parse(line_at(r.out, 0, line, sizeof line));
    json_object *b = json_tokener_parse(line_at(r.out, 1, line, sizeof line));
    ZT_CHECK(a && json_object_is_type(a, json_type_object));
    ZT_CHECK(b && json_object_is_type(b, json_type_object));
    if (a) {
        ZT_EQ_STR(member_str(a, "id", NULL), "acme");
        snprintf(want, sizeof want, "%s/acme.json", fx.dir);
        ZT_EQ_STR(member_str(a, "path", NULL), want);
        snprintf(want, sizeof want, "file:%s/acme-personio", fx.sec);
        ZT_EQ_STR(member_str(a, "personio", "client_secret"), want);
        snprintf(want, sizeof want, "env:%s", fx.wh_env);
        ZT_EQ_STR(member_str(a, "personio", "webhook_token"), want);
        snprintf(want, sizeof want, "env:%s", fx.zep_env);
        ZT_EQ_STR(member_str(a, "zep", "token"), want);
        snprintf(want, sizeof want, "file:%s/acme-soap", fx.sec);
        ZT_EQ_STR(member_str(a, "zep", "soap_token"), want);
        ZT_EQ_STR(member_str(a, "zep", "base_url"), "https://www.zep-online.de/zepacme");
        ZT_EQ_STR(member_str(a, "attendances", "rules"), "custom");
        ZT_EQ_STR(member_str(a, "attendances", "mode"), "individual");
        ZT_EQ_STR(member_str(a, "absences", "leader"), "zep");
        ZT_CHECK(member(a, "attendances", "custom_rules") != NULL);
    }
    if (b) {
        ZT_EQ_STR(member_str(b, "id", NULL), "beta");
        snprintf(want, sizeof want, "file:%s/beta-zep", fx.sec);
        ZT_EQ_STR(member_str(b, "zep", "token"), want);
        /* not configured: null, not an empty source */
        ZT_CHECK(member(b, "zep", "soap_token") == NULL ||
                 json_object_is_type(member(b, "zep", "soap_token"), json_type_null));
        ZT_EQ_STR(member_str(b, "attendances", "rules"), "DE");
        ZT_EQ_STR(member_str(b, "absences", "leader"), "off");
    }
    json_object_put(a);
    json_object_put(b);
    run_free(&r);
    fixture_release(&fx);
}

static void test_bad_files_reported_good_still_listed(void)
{
    fixture fx;
    if (fixture_init(&fx) != 0) {
        fixture_release(&fx);
        return;
    }
    write_beta(&fx);
    /* a literal secret in the file: rejected, and its value must not be quoted back */
    const char *lit = new_secret("literal");
    write_file(fx.dir, "lit.json",
               "{\"id\":\"lit\",\"personio\":{\"base_url\":\"http://127.0.0.1:8081\","
               "\"client_id\":\"c\",\"client_secret\":\"%s\"},\"zep\":{\"base_url\":"
               "\"http://127.0.0.1:8082/z\",\"token_file\":\"%s/beta-zep\"},"
               "\"sync_start_date\":\"2026-01-01\"}\n",
               lit, fx.sec);
    /* a secret file of two lines: rejected without showing either line */
    const char *l1 = new_secret("line1"), *l2 = new_secret("line2");
    write_file(fx.sec, "multi", "%s\n%s\n", l1, l2);
    write_file(fx.dir, "multi.json",
               "{\"id\":\"multi\",\"personio\":{\"base_url\":\"http://127.0.0.1:8081\","
               "\"client_id\":\"c\",\"client_secret_file\":\"%s/multi\"},\"zep\":{\"base_url\":"
               "\"http://127.0.0.1:8082/z\",\"token_file\":\"%s/beta-zep\"},"
               "\"sync_start_date\":\"2026-01-01\"}\n",
               fx.sec, fx.sec);
    /* the environment variable it names is not set in the child */
    write_file(fx.dir, "noenv.json",
               "{\"id\":\"noenv\",\"personio\":{\"base_url\":\"http://127.0.0.1:8081\","
               "\"client_id\":\"c\",\"client_secret_file\":\"%s/beta-personio\"},\"zep\":{\"base_url\":"
               "\"http://127.0.0.1:8082/z\",\"token_env\":\"ZT_TCMD_UNSET_%d\"},"
               "\"sync_start_date\":\"2026-01-01\"}\n",
               fx.sec, (int)getpid());
    /* not JSON at all */
    write_file(fx.dir, "broken.json", "{\"id\":\"broken\",\n");

    run_result r = run_cli(fx.sec, NULL, ARGS("tenants", "--dir", fx.dir));
    ZT_EQ_INT(r.status, 1);
    ZT_EQ_STR(r.out, "beta personio=http://127.0.0.1:8081 zep=http://127.0.0.1:8082/zepbeta "
                     "attendances=daily/DE absences=off\n");
    ZT_EQ_INT(count_lines(r.err), 4);
    /* sorted by file name, each "<path>: <pointer>: <reason>" */
    const char *files[] = {"broken.json", "lit.json", "multi.json", "noenv.json"};
    const char *pointers[] = {NULL, ": /personio/client_secret: ",
                              ": /personio/client_secret_file: ", ": /zep/token_env: "};
    for (int i = 0; i < 4; i++) {
        char line[2048], prefix[PATH_MAX + 64];
        line_at(r.err, i, line, sizeof line);
        snprintf(prefix, sizeof prefix, "%s/%s: ", fx.dir, files[i]);
        zt_checks++;
        if (strncmp(line, prefix, strlen(prefix)) != 0)
            zt_fail(__FILE__, __LINE__, "stderr line %d \"%s\" does not start with \"%s\"", i, line,
                    prefix);
        if (pointers[i])
            ZT_CONTAINS(line, pointers[i]);
    }
    char noenv[64];
    snprintf(noenv, sizeof noenv, "ZT_TCMD_UNSET_%d", (int)getpid());
    ZT_CONTAINS(r.err, noenv);
    /* no JSON log lines from the library on top of the plain ones */
    ZT_CHECK(strstr(r.err, "\"level\"") == NULL);
    run_free(&r);

    /* --json: the same split */
    r = run_cli(fx.sec, NULL, ARGS("tenants", "--dir", fx.dir, "--json"));
    ZT_EQ_INT(r.status, 1);
    ZT_EQ_INT(count_lines(r.out), 1);
    ZT_CONTAINS(r.out, "\"id\":\"beta\"");
    ZT_EQ_INT(count_lines(r.err), 4);
    run_free(&r);
    fixture_release(&fx);
}

static void test_empty_and_missing_dirs(void)
{
    fixture fx;
    if (fixture_init(&fx) != 0) {
        fixture_release(&fx);
        return;
    }
    /* files the registry does not treat as tenants do not count as problems */
    write_file(fx.dir, "README.txt", "not a tenant\n");
    write_file(fx.dir, ".hidden.json", "{");
    run_result r = run_cli(fx.sec, NULL, ARGS("tenants", "--dir", fx.dir));
    ZT_EQ_INT(r.status, 0);
    ZT_EQ_STR(r.out, "");
    ZT_EQ_STR(r.err, "");
    run_free(&r);

    char missing[PATH_MAX];
    snprintf(missing, sizeof missing, "%s/does-not-exist", fx.sec);
    r = run_cli(fx.sec, NULL, ARGS("tenants", "--dir", missing));
    ZT_EQ_INT(r.status, 2);
    ZT_EQ_STR(r.out, "");
    ZT_CONTAINS(r.err, "cannot read tenants directory");
    ZT_CONTAINS(r.err, missing);
    run_free(&r);

    /* a file where the directory should be */
    char file[PATH_MAX];
    snprintf(file, sizeof file, "%s/README.txt", fx.dir);
    r = run_cli(fx.sec, NULL, ARGS("tenants", "--json", "--dir", file));
    ZT_EQ_INT(r.status, 2);
    ZT_EQ_STR(r.out, "");
    ZT_CONTAINS(r.err, "cannot read tenants directory");
    run_free(&r);
    fixture_release(&fx);
}

static void test_directory_from_environment(void)
{
    fixture fx;
    if (fixture_init(&fx) != 0) {
        fixture_release(&fx);
        return;
    }
    write_beta(&fx);
    char env_dir[PATH_MAX + 32];
    snprintf(env_dir, sizeof env_dir, "ZS_TENANTS_DIR=%s", fx.dir);
    run_result r = run_cli(fx.sec, ENV(env_dir), ARGS("tenants"));
    ZT_EQ_INT(r.status, 0);
    ZT_CONTAINS(r.out, "beta personio=http://127.0.0.1:8081 ");
    ZT_EQ_INT(count_lines(r.out), 1);
    ZT_EQ_STR(r.err, "");
    run_free(&r);

    /* --dir wins over the environment */
    char other[PATH_MAX];
    snprintf(other, sizeof other, "%s/other", fx.sec);
    ZT_CHECK(mkdir(other, 0700) == 0);
    r = run_cli(fx.sec, ENV(env_dir), ARGS("tenants", "--dir", other));
    ZT_EQ_INT(r.status, 0);
    ZT_EQ_STR(r.out, "");
    run_free(&r);

    /* the environment names a missing directory */
    char env_missing[PATH_MAX + 32];
    snprintf(env_missing, sizeof env_missing, "ZS_TENANTS_DIR=%s/nowhere", fx.sec);
    r = run_cli(fx.sec, ENV(env_missing), ARGS("tenants"));
    ZT_EQ_INT(r.status, 2);
    ZT_CONTAINS(r.err, "/nowhere");
    run_free(&r);

    /* a broken configuration is a usage error when it has to name the directory ... */
    r = run_cli(fx.sec, ENV(env_dir, "ZS_LOG_LEVEL=loud"), ARGS("tenants"));
    ZT_EQ_INT(r.status, 2);
    ZT_EQ_STR(r.out, "");
    ZT_CONTAINS(r.err, "ZS_LOG_LEVEL");
    run_free(&r);
    /* ... and does not matter when --dir names it */
    r = run_cli(fx.sec, ENV("ZS_LOG_LEVEL=loud"), ARGS("tenants", "--dir", fx.dir));
    ZT_EQ_INT(r.status, 0);
    ZT_EQ_INT(count_lines(r.out), 1);
    run_free(&r);

    /* an unreadable schema is a broken installation, not the operator's input */
    char env_schemas[PATH_MAX + 32];
    snprintf(env_schemas, sizeof env_schemas, "ZS_SCHEMAS_DIR=%s/no-schemas", fx.sec);
    r = run_cli(fx.sec, ENV(env_schemas), ARGS("tenants", "--dir", fx.dir));
    ZT_EQ_INT(r.status, 1);
    ZT_EQ_STR(r.out, "");
    ZT_CONTAINS(r.err, "no-schemas");
    run_free(&r);
    fixture_release(&fx);
}

static void test_url_credentials_redacted(void)
{
    fixture fx;
    if (fixture_init(&fx) != 0) {
        fixture_release(&fx);
        return;
    }
    write_beta(&fx);
    const char *pw = new_secret("urlpw");
    const char *tok = new_secret("urltok");
    write_file(fx.dir, "creds.json",
               "{\"id\":\"creds\",\"personio\":{\"base_url\":\"https://ops:%s@personio.example\","
               "\"client_id\":\"c\",\"client_secret_file\":\"%s/beta-personio\"},\"zep\":{\"base_url\":"
               "\"https://zep.example/zepx?token=%s\",\"token_file\":\"%s/beta-zep\"},"
               "\"sync_start_date\":\"2026-01-01\"}\n",
               pw, fx.sec, tok, fx.sec);
    run_result r = run_cli(fx.sec, NULL, ARGS("tenants", "--dir", fx.dir));
    ZT_EQ_INT(r.status, 0);
    ZT_CONTAINS(r.out, "creds personio=https://***@personio.example zep=https://zep.example/zepx?token=***");
    run_free(&r);
    r = run_cli(fx.sec, NULL, ARGS("tenants", "--dir", fx.dir, "--json"));
    ZT_EQ_INT(r.status, 0);
    ZT_CONTAINS(r.out, "\"base_url\":\"https://***@personio.example\"");
    ZT_CONTAINS(r.out, "\"base_url\":\"https://zep.example/zepx?token=***\"");
    run_free(&r);
    fixture_release(&fx);
}

static void test_usage(void)
{
    char *work = scratch_dir();
    if (!work)
        return;
    run_result r = run_cli(work, NULL, ARGS("tenants", "--help"));
    ZT_EQ_INT(r.status, 0);
    ZT_CONTAINS(r.out, "usage: zepsync tenants [--dir DIR] [--json]");
    ZT_CONTAINS(r.out, "exit status");
    ZT_EQ_STR(r.err, "");
    run_free(&r);

    r = run_cli(work, NULL, ARGS("help", "tenants"));
    ZT_EQ_INT(r.status, 0);
    ZT_CONTAINS(r.out, "usage: zepsync tenants");
    run_free(&r);

    r = run_cli(work, NULL, ARGS("--help"));
    ZT_EQ_INT(r.status, 0);
    ZT_CONTAINS(r.out, "\n  tenants ");
    ZT_CONTAINS(r.out, "\n  breaks ");
    run_free(&r);

    r = run_cli(work, NULL, ARGS("tenants", "--bogus"));
    ZT_EQ_INT(r.status, 2);
    ZT_EQ_STR(r.out, "");
    ZT_CONTAINS(r.err, "--bogus");
    run_free(&r);

    r = run_cli(work, NULL, ARGS("tenants", "--dir"));
    ZT_EQ_INT(r.status, 2);
    ZT_EQ_STR(r.out, "");
    run_free(&r);

    r = run_cli(work, NULL, ARGS("tenants", "--dir", ""));
    ZT_EQ_INT(r.status, 2);
    ZT_EQ_STR(r.out, "");
    run_free(&r);
    rm_rf(work);
}

int main(void)
{
    ZT_RUN(test_good_tenants_listed);
    ZT_RUN(test_json_shows_sources_only);
    ZT_RUN(test_bad_files_reported_good_still_listed);
    ZT_RUN(test_empty_and_missing_dirs);
    ZT_RUN(test_directory_from_environment);
    ZT_RUN(test_url_credentials_redacted);
    ZT_RUN(test_usage);
    return zt_summary();
}
