#include "zep_sb.h"

#include <json-c/json.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

int zep_sb_start(zep_sb *sb, const char *tag, const char *const *extra)
{
    memset(sb, 0, sizeof *sb);
    const char *base = zt_env("ZS_TEST_WORKDIR");
    snprintf(sb->dir, sizeof sb->dir, "%s/zep-%s-%d", base ? base : "/tmp", tag, (int)getpid());
    char cmd[700], pf[600], log[600], listen[64];
    snprintf(cmd, sizeof cmd, "mkdir -p '%s'", sb->dir);
    if (zt_sh(cmd, NULL, 0) != 0)
        return -1;
    snprintf(pf, sizeof pf, "%s/url", sb->dir);
    snprintf(log, sizeof log, "%s/sandbox.log", sb->dir);
    unlink(pf);
    /* Port 0: the sandbox binds a free port itself and reports it in the port file, so no other
     * test running in parallel can take the port between choosing and binding it. */
    snprintf(listen, sizeof listen, "127.0.0.1:0");
    char *argv[32];
    int n = 0;
    argv[n++] = (char *)zt_bin("zepsync-zep-sandbox");
    argv[n++] = "--listen";
    argv[n++] = listen;
    argv[n++] = "--port-file";
    argv[n++] = pf;
    for (int i = 0; extra && extra[i] && n < 30; i++)
        argv[n++] = (char *)extra[i];
    argv[n] = NULL;
    char *argv_copy[32];
    memcpy(argv_copy, argv, sizeof argv);
    sb->pid = zt_spawn(argv_copy, log);
    if (sb->pid < 0 || zt_wait_file(pf, 10000) != 0)
        return -1;
    FILE *f = fopen(pf, "r");
    if (!f)
        return -1;
    int ok = fgets(sb->url, sizeof sb->url, f) != NULL;
    fclose(f);
    sb->url[strcspn(sb->url, "\n")] = '\0';
    return ok ? 0 : -1;
}

void zep_sb_stop(zep_sb *sb)
{
    if (sb->pid > 0) {
        int st = zt_stop(sb->pid, SIGTERM);
        /* A clean stop exits 0; a sanitizer finding (leak, UB) in the sandbox makes it exit
         * non-zero, and without this check it would pass unseen. */
        ZT_CHECK(WIFEXITED(st) && WEXITSTATUS(st) == 0);
        if (!(WIFEXITED(st) && WEXITSTATUS(st) == 0)) {
            char cmd[700], out[8192];
            snprintf(cmd, sizeof cmd, "tail -40 '%s/sandbox.log'", sb->dir);
            zt_sh(cmd, out, sizeof out);
            printf("zep sandbox exit status %d, log tail:\n%s\n", st, out);
        }
    }
    sb->pid = 0;
}

long zep_sb_ctl(const zep_sb *sb, const char *method, const char *path, const char *body, char *out, size_t cap)
{
    char url[512];
    snprintf(url, sizeof url, "%s/_sandbox/%s", sb->url, path);
    const char *h[] = {"Content-Type: application/json", NULL};
    zt_http_resp r;
    if (zt_http(method, url, h, body, &r) != 0)
        return -1;
    if (out && cap)
        snprintf(out, cap, "%s", r.body ? r.body : "");
    long st = r.status;
    zt_http_resp_free(&r);
    return st;
}

long zep_sb_instance(const zep_sb *sb, const char *name, const char *extra)
{
    char body[1024];
    snprintf(body, sizeof body, "{\"name\":\"%s\",\"rest_token\":\"%s-rest\",\"soap_token\":\"%s-soap\"%s%s}", name,
             name, name, extra ? "," : "", extra ? extra : "");
    return zep_sb_ctl(sb, "POST", "instances", body, NULL, 0);
}

long zep_sb_count(const zep_sb *sb, const char *instance, const char *key)
{
    char path[256], *buf = malloc(1 << 16);
    if (!buf)
        return -1;
    snprintf(path, sizeof path, "requests?instance=%s", instance);
    long st = zep_sb_ctl(sb, "GET", path, NULL, buf, 1 << 16);
    json_object *o = st == 200 ? json_tokener_parse(buf) : NULL, *v;
    free(buf);
    long n = -1;
    char p[512];
    snprintf(p, sizeof p, "%s", instance);
    if (o && json_object_object_get_ex(o, "instances", &v) && json_object_object_get_ex(v, p, &v) &&
        json_object_object_get_ex(v, key ? "requests" : "total", &v)) {
        if (!key)
            n = json_object_get_int64(v);
        else
            n = json_object_object_get_ex(v, key, &v) ? json_object_get_int64(v) : 0;
    }
    json_object_put(o);
    return n;
}
