/*
 * zepsync-bench-zep: how many requests per second zepsync-zep-sandbox sustains on loopback.
 * Starts its own sandbox (unless --url is given), seeds one instance, then drives REST GET
 * /employees, REST POST /attendances and SOAP readProjektzeiten from keep-alive connections
 * (zs_http) and prints requests/s and latency percentiles. Figures only, no pass/fail.
 */
#include <errno.h>
#include <getopt.h>
#include <limits.h>
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "http/zs_http.h"

/* SOAP reads run before the POSTs so their figure does not depend on how many bookings exist */
typedef enum { OP_GET, OP_SOAP, OP_POST } op_kind;
static const char *op_names[] = {"REST GET /employees?limit=15", "SOAP readProjektzeiten", "REST POST /attendances"};

typedef struct worker {
    pthread_t th;
    const char *base;
    op_kind op;
    int index;
    double seconds;
    long ok, errors;
    double *lat_ms;
    size_t nlat, cap;
} worker;

static double now_s(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + ts.tv_nsec / 1e9;
}

static const char *SOAP_BODY =
    "<soapenv:Envelope xmlns:soapenv=\"http://schemas.xmlsoap.org/soap/envelope/\" xmlns:zep=\"http://zep.provantis.de\">"
    "<soapenv:Body><zep:ReadProjektzeitenRequest><requestHeader><authorizationToken>bench-soap</authorizationToken>"
    "</requestHeader><readProjektzeitenSearchCriteria><von>2026-01-01</von><bis>2026-01-01</bis>"
    "</readProjektzeitenSearchCriteria></zep:ReadProjektzeitenRequest></soapenv:Body></soapenv:Envelope>";

static void *run(void *arg)
{
    worker *w = arg;
    zs_err err;
    zs_http *h = zs_http_new(NULL, &err);
    if (!h) {
        fprintf(stderr, "zs_http_new: %s\n", err.msg);
        return NULL;
    }
    char url[512], body[512];
    const char *rest_h[] = {"Authorization: Bearer bench-rest", "Accept: application/json",
                            "Content-Type: application/json", NULL};
    const char *soap_h[] = {"Content-Type: text/xml; charset=utf-8", "SOAPAction: \"\"", NULL};
    double end = now_s() + w->seconds;
    long i = 0;
    while (now_s() < end) {
        const char *method = "GET", *b = NULL;
        const char *const *hd = rest_h;
        switch (w->op) {
        case OP_GET:
            snprintf(url, sizeof url, "%s/bench/next/api/v1/employees?limit=15&page=%ld", w->base, 1 + i % 4);
            break;
        case OP_POST:
            /* distinct minutes per thread and request so no two bookings are identical */
            snprintf(url, sizeof url, "%s/bench/next/api/v1/attendances", w->base);
            snprintf(body, sizeof body,
                     "{\"employee_id\":\"bench.%02d\",\"date\":\"2026-02-%02ld\",\"from\":\"08:00:00\",\"to\":\"%02ld:%02ld:00\","
                     "\"project_id\":1,\"project_task_id\":2,\"activity_id\":\"be\"}",
                     w->index % 50, 1 + i % 28, 9 + (i / 28) % 10, (i / 280) % 60);
            method = "POST";
            b = body;
            break;
        case OP_SOAP:
            snprintf(url, sizeof url, "%s/bench/sync/soap.php?v=10", w->base);
            method = "POST";
            b = SOAP_BODY;
            hd = soap_h;
            break;
        }
        zs_http_resp r;
        double t0 = now_s();
        zs_rc rc = zs_http_request(h, method, url, hd, b, b ? strlen(b) : 0, &r, &err);
        double ms = (now_s() - t0) * 1000;
        if (rc == ZS_OK && r.status >= 200 && r.status < 300)
            w->ok++;
        else
            w->errors++;
        zs_http_resp_release(&r);
        if (w->nlat == w->cap) {
            size_t nc = w->cap ? w->cap * 2 : 4096;
            double *g = realloc(w->lat_ms, nc * sizeof *g);
            if (!g)
                break;
            w->lat_ms = g;
            w->cap = nc;
        }
        w->lat_ms[w->nlat++] = ms;
        i++;
    }
    zs_http_free(h);
    return NULL;
}

static int cmp_d(const void *a, const void *b)
{
    double x = *(const double *)a, y = *(const double *)b;
    return (x > y) - (x < y);
}

static int post_json(const char *url, const char *body)
{
    zs_err err;
    zs_http *h = zs_http_new(NULL, &err);
    if (!h)
        return -1;
    zs_http_resp r;
    const char *hd[] = {"Content-Type: application/json", NULL};
    zs_rc rc = zs_http_request(h, "POST", url, hd, body, strlen(body), &r, &err);
    long st = r.status;
    zs_http_resp_release(&r);
    zs_http_free(h);
    return rc == ZS_OK && st >= 200 && st < 300 ? 0 : -1;
}

static pid_t spawn_sandbox(char *url, size_t cap)
{
    char self[PATH_MAX], bin[PATH_MAX + 32], pf[64];
    ssize_t n = readlink("/proc/self/exe", self, sizeof self - 1);
    if (n <= 0)
        return -1;
    self[n] = '\0';
    char *slash = strrchr(self, '/');
    if (slash)
        *slash = '\0';
    snprintf(bin, sizeof bin, "%s/zepsync-zep-sandbox", self);
    snprintf(pf, sizeof pf, "/tmp/zepsync-bench-zep-%d.url", (int)getpid());
    unlink(pf);
    pid_t pid = fork();
    if (pid < 0)
        return -1;
    if (pid == 0) {
        char *argv[] = {bin, "--listen", "127.0.0.1:0", "--port-file", pf, "--rate-limit", "1000000",
                        "--rate-window", "1", "--log-level", "warn", NULL};
        execv(bin, argv);
        _exit(127);
    }
    for (int i = 0; i < 100; i++) {
        FILE *f = fopen(pf, "r");
        if (f) {
            int ok = fgets(url, (int)cap, f) != NULL;
            fclose(f);
            if (ok) {
                url[strcspn(url, "\n")] = '\0';
                unlink(pf);
                return pid;
            }
        }
        struct timespec ts = {0, 50000000};
        nanosleep(&ts, NULL);
    }
    kill(pid, SIGTERM);
    waitpid(pid, NULL, 0);
    return -1;
}

static void usage(FILE *f)
{
    fprintf(f, "usage: zepsync-bench-zep [--url URL] [--seconds S] [--threads N] [--op get|post|soap|all]\n"
               "  Measures requests/second of zepsync-zep-sandbox on loopback over keep-alive connections.\n"
               "  --url URL     an already running sandbox (default: start one from the same bin directory)\n"
               "  --seconds S   duration per operation (default 5)\n"
               "  --threads N   concurrent connections (default 2)\n"
               "  --op OP       which operation(s) to drive (default all)\n"
               "  --help        this text\n");
}

int main(int argc, char **argv)
{
    const char *url_arg = NULL, *op_arg = "all";
    double seconds = 5;
    int threads = 2;
    static struct option opts[] = {{"url", 1, 0, 'u'}, {"seconds", 1, 0, 's'}, {"threads", 1, 0, 't'},
                                   {"op", 1, 0, 'o'},  {"help", 0, 0, 'h'},    {0, 0, 0, 0}};
    int c;
    while ((c = getopt_long(argc, argv, "", opts, NULL)) != -1) {
        switch (c) {
        case 'u': url_arg = optarg; break;
        case 's': seconds = atof(optarg); break;
        case 't': threads = atoi(optarg); break;
        case 'o': op_arg = optarg; break;
        case 'h': usage(stdout); return 0;
        default: usage(stderr); return 2;
        }
    }
    if (seconds <= 0 || threads < 1 || threads > 64 || optind != argc) {
        usage(stderr);
        return 2;
    }
    char base[256];
    pid_t sb = 0;
    if (url_arg) {
        snprintf(base, sizeof base, "%s", url_arg);
    } else if ((sb = spawn_sandbox(base, sizeof base)) < 0) {
        fprintf(stderr, "zepsync-bench-zep: cannot start zepsync-zep-sandbox\n");
        return 1;
    }
    char u[512], body[2048];
    snprintf(u, sizeof u, "%s/_sandbox/instances", base);
    int rc = post_json(u, "{\"name\":\"bench\",\"rest_token\":\"bench-rest\",\"soap_token\":\"bench-soap\","
                          "\"rate_limit\":1000000,\"rate_window_s\":1}");
    snprintf(u, sizeof u, "%s/_sandbox/seed", base);
    for (int i = 0; rc == 0 && i < 50; i++) {
        snprintf(body, sizeof body,
                 "{\"instance\":\"bench\",\"employees\":[{\"username\":\"bench.%02d\",\"firstname\":\"B\","
                 "\"lastname\":\"%02d\",\"email\":\"b%02d@example.com\",\"password\":\"secret-123\",\"price_group\":\"01\"}],"
                 "\"attendances\":[{\"employee_id\":\"bench.%02d\",\"date\":\"2026-01-01\",\"from\":\"07:00\",\"to\":\"08:00\","
                 "\"project_id\":1,\"project_task_id\":2,\"activity_id\":\"be\"}]}",
                 i, i, i, i);
        rc = post_json(u, body);
    }
    if (rc) {
        fprintf(stderr, "zepsync-bench-zep: seeding the sandbox failed (instance 'bench' exists already?)\n");
        if (sb > 0) {
            kill(sb, SIGTERM);
            waitpid(sb, NULL, 0);
        }
        return 1;
    }
    printf("zepsync-bench-zep: sandbox %s, %d connection(s), %.1f s per operation\n", base, threads, seconds);
    int status = 0;
    for (op_kind op = OP_GET; op <= OP_POST; op++) {
        if (strcmp(op_arg, "all") && strcmp(op_arg, op == OP_GET ? "get" : op == OP_POST ? "post" : "soap"))
            continue;
        worker *ws = calloc((size_t)threads, sizeof *ws);
        if (!ws)
            return 1;
        double t0 = now_s();
        for (int i = 0; i < threads; i++) {
            ws[i] = (worker){.base = base, .op = op, .index = i, .seconds = seconds};
            if (pthread_create(&ws[i].th, NULL, run, &ws[i]) != 0) {
                fprintf(stderr, "pthread_create failed\n");
                return 1;
            }
        }
        long ok = 0, errors = 0;
        size_t nl = 0;
        for (int i = 0; i < threads; i++) {
            pthread_join(ws[i].th, NULL);
            ok += ws[i].ok;
            errors += ws[i].errors;
            nl += ws[i].nlat;
        }
        double elapsed = now_s() - t0;
        double *all = malloc((nl ? nl : 1) * sizeof *all);
        size_t k = 0;
        for (int i = 0; all && i < threads; i++) {
            memcpy(all + k, ws[i].lat_ms, ws[i].nlat * sizeof *all);
            k += ws[i].nlat;
            free(ws[i].lat_ms);
        }
        if (all && nl)
            qsort(all, nl, sizeof *all, cmp_d);
        printf("%-30s requests=%ld errors=%ld rps=%.0f p50=%.2fms p99=%.2fms\n", op_names[op], ok, errors,
               (ok + errors) / elapsed, all && nl ? all[nl / 2] : 0.0, all && nl ? all[(size_t)(nl * 0.99)] : 0.0);
        if (errors)
            status = 1;
        free(all);
        free(ws);
    }
    if (sb > 0) {
        kill(sb, SIGTERM);
        waitpid(sb, NULL, 0);
    }
    return status;
}
