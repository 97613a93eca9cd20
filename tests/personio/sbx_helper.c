#include "sbx_helper.h"

#include <json-c/json.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

int sbx_start(sbx *s, const char *const *extra)
{
    memset(s, 0, sizeof *s);
    const char *dir = zt_env("ZS_TEST_WORKDIR");
    char pf[400];
    snprintf(pf, sizeof pf, "%s/personio-sbx-%d-%d.url", dir ? dir : "/tmp", (int)getpid(), rand());
    snprintf(s->log, sizeof s->log, "%s.log", pf);
    unlink(pf);
    char *argv[40];
    int n = 0;
    argv[n++] = (char *)zt_bin("zepsync-personio-sandbox");
    argv[n++] = "--listen";
    argv[n++] = "127.0.0.1:0";
    argv[n++] = "--port-file";
    argv[n++] = pf;
    for (int i = 0; extra && extra[i] && n < 38; i++)
        argv[n++] = (char *)extra[i];
    argv[n] = NULL;
    s->pid = zt_spawn(argv, s->log);
    if (s->pid <= 0 || zt_wait_file(pf, 10000) != 0)
        return -1;
    FILE *f = fopen(pf, "r");
    if (!f)
        return -1;
    int ok = fgets(s->url, sizeof s->url, f) != NULL;
    fclose(f);
    unlink(pf);
    s->url[strcspn(s->url, "\r\n")] = '\0';
    return ok ? 0 : -1;
}

void sbx_stop(sbx *s)
{
    if (s->pid > 0) {
        int st = zt_stop(s->pid, SIGTERM);
        /* a sanitizer finding in the sandbox makes it exit non-zero: surface it */
        ZT_CHECK(WIFEXITED(st) && WEXITSTATUS(st) == 0);
        if (!(WIFEXITED(st) && WEXITSTATUS(st) == 0)) {
            char cmd[600], out[8192];
            snprintf(cmd, sizeof cmd, "tail -40 %s", s->log);
            zt_sh(cmd, out, sizeof out);
            printf("sandbox exit status %d, log tail:\n%s\n", st, out);
        }
    }
    unlink(s->log);
    s->pid = 0;
}

long sbx_req(const sbx *s, const char *method, const char *path, const char *const *headers,
             const char *body, zt_http_resp *out)
{
    char url[2048];
    snprintf(url, sizeof url, "%s%s", s->url, path);
    zt_http_resp tmp;
    zt_http_resp *r = out ? out : &tmp;
    zt_http(method, url, headers, body, r);
    long st = r->status;
    if (!out)
        zt_http_resp_free(&tmp);
    return st;
}

long sbx_company(const sbx *s, const char *json)
{
    const char *h[] = {"Content-Type: application/json", NULL};
    return sbx_req(s, "POST", "/_sandbox/companies", h, json, NULL);
}

int sbx_token(const sbx *s, const char *cid, const char *secret, char *out, size_t cap)
{
    char body[512];
    snprintf(body, sizeof body, "grant_type=client_credentials&client_id=%s&client_secret=%s", cid, secret);
    const char *h[] = {"Content-Type: application/x-www-form-urlencoded", NULL};
    zt_http_resp r;
    long st = sbx_req(s, "POST", "/v2/auth/token", h, body, &r);
    int rc = -1;
    json_object *o = st == 200 ? json_tokener_parse(r.body) : NULL, *t = NULL;
    if (o && json_object_object_get_ex(o, "access_token", &t)) {
        snprintf(out, cap, "%s", json_object_get_string(t));
        rc = 0;
    }
    json_object_put(o);
    zt_http_resp_free(&r);
    return rc;
}

static long lookup(const sbx *s, const char *company, const char *group, const char *key)
{
    zt_http_resp r;
    long st = sbx_req(s, "GET", "/_sandbox/requests", NULL, NULL, &r);
    long n = -1;
    json_object *o = st == 200 ? json_tokener_parse(r.body) : NULL, *c = NULL, *g = NULL, *v = NULL;
    if (o && json_object_object_get_ex(o, "companies", &c)) {
        n = 0;
        if (json_object_object_get_ex(c, company, &c) && json_object_object_get_ex(c, group, &g) &&
            json_object_object_get_ex(g, key, &v))
            n = (long)json_object_get_int64(v);
    }
    json_object_put(o);
    zt_http_resp_free(&r);
    return n;
}

long sbx_count(const sbx *s, const char *company, const char *key)
{
    return lookup(s, company, "requests", key);
}

long sbx_status_count(const sbx *s, const char *company, int status)
{
    char k[16];
    snprintf(k, sizeof k, "%d", status);
    return lookup(s, company, "statuses", k);
}

const char *sbx_jstr(const char *body, const char *path, char *out, size_t cap)
{
    out[0] = '\0';
    json_object *root = json_tokener_parse(body ? body : ""), *o = root;
    char part[128];
    while (o && path && *path) {
        const char *dot = strchr(path, '.');
        size_t n = dot ? (size_t)(dot - path) : strlen(path);
        if (n >= sizeof part) {
            o = NULL;
            break;
        }
        memcpy(part, path, n);
        part[n] = '\0';
        json_object *next = NULL;
        if (json_object_is_type(o, json_type_array)) {
            next = json_object_array_get_idx(o, (size_t)atoi(part));
        } else if (!json_object_object_get_ex(o, part, &next)) {
            next = NULL;
        }
        o = next;
        path = dot ? dot + 1 : NULL;
    }
    if (o)
        snprintf(out, cap, "%s", json_object_is_type(o, json_type_string) ? json_object_get_string(o)
                                 : json_object_to_json_string_ext(o, JSON_C_TO_STRING_PLAIN));
    json_object_put(root);
    return o ? out : NULL;
}

int sbx_jlen(const char *body, const char *key)
{
    json_object *root = json_tokener_parse(body ? body : ""), *a = NULL;
    int n = -1;
    if (root && json_object_object_get_ex(root, key, &a) && json_object_is_type(a, json_type_array))
        n = (int)json_object_array_length(a);
    json_object_put(root);
    return n;
}

void sbx_cpy(char *dst, size_t cap, const char *src)
{
    if (!cap)
        return;
    size_t n = src ? strlen(src) : 0;
    if (n >= cap)
        n = cap - 1;
    if (n)
        memcpy(dst, src, n);
    dst[n] = '\0';
}
