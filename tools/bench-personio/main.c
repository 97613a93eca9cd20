/*
 * zepsync-bench-personio: how many requests per second the Personio sandbox serves on loopback,
 * for GET /v2/persons and POST /v2/attendance-periods, so pipeline benchmarks know whether the
 * sandbox could be their bottleneck. Prints figures; asserts nothing.
 */
#include <curl/curl.h>
#include <errno.h>
#include <json-c/json.h>
#include <limits.h>
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

static const char *const USAGE =
    "usage: zepsync-bench-personio [--url URL] [--seconds S] [--threads N] [--persons N]\n"
    "Measures requests/s of zepsync-personio-sandbox on loopback: GET /v2/persons and\n"
    "POST /v2/attendance-periods, each for S seconds (default 3) from N threads (default 2),\n"
    "every thread on its own keep-alive connection.\n"
    "  --url URL      use a running sandbox (it must allow /_sandbox/companies); by default the\n"
    "                 sandbox next to this program is started with --no-rate-limit and stopped\n"
    "  --persons N    persons seeded for the GET run (default 200; pages of 10 = the default limit)\n"
    "  --help         this text\n";

typedef struct bench {
    const char *base;
    char token[256];
    double seconds;
    int threads;
    int mode; /* 0 = GET persons, 1 = POST attendance */
    char person_ids[64][32];
    int npersons;
} bench;

typedef struct worker {
    bench *b;
    int idx;
    long ok, errors;
    double *lat;
    long nlat, cap;
} worker;

static double now_s(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + ts.tv_nsec / 1e9;
}

struct sink {
    char *p;
    size_t n;
};

static size_t sink_cb(char *d, size_t s, size_t n, void *u)
{
    struct sink *k = u;
    size_t add = s * n;
    char *q = realloc(k->p, k->n + add + 1);
    if (!q)
        return 0;
    memcpy(q + k->n, d, add);
    k->n += add;
    q[k->n] = '\0';
    k->p = q;
    return add;
}

/* One request on handle c; returns the status (0 on transport failure) and the body in *out. */
static long req(CURL *c, const char *method, const char *url, struct curl_slist *h, const char *body,
                char **out)
{
    struct sink k = {0};
    curl_easy_setopt(c, CURLOPT_URL, url);
    curl_easy_setopt(c, CURLOPT_CUSTOMREQUEST, method);
    curl_easy_setopt(c, CURLOPT_HTTPHEADER, h);
    curl_easy_setopt(c, CURLOPT_WRITEFUNCTION, sink_cb);
    curl_easy_setopt(c, CURLOPT_WRITEDATA, &k);
    curl_easy_setopt(c, CURLOPT_NOSIGNAL, 1L);
    curl_easy_setopt(c, CURLOPT_TIMEOUT, 30L);
    curl_easy_setopt(c, CURLOPT_POSTFIELDS, body);
    if (body)
        curl_easy_setopt(c, CURLOPT_POSTFIELDSIZE, (long)strlen(body));
    else
        curl_easy_setopt(c, CURLOPT_HTTPGET, 1L);
    long st = 0;
    if (curl_easy_perform(c) == CURLE_OK)
        curl_easy_getinfo(c, CURLINFO_RESPONSE_CODE, &st);
    if (out)
        *out = k.p;
    else
        free(k.p);
    return st;
}

static void *run(void *arg)
{
    worker *w = arg;
    bench *b = w->b;
    CURL *c = curl_easy_init();
    if (!c)
        return NULL;
    char auth[320], url[512], body[512];
    snprintf(auth, sizeof auth, "Authorization: Bearer %s", b->token);
    struct curl_slist *h = curl_slist_append(NULL, auth);
    struct curl_slist *h2 = h ? curl_slist_append(h, "Content-Type: application/json") : NULL;
    if (!h2) {
        curl_slist_free_all(h);
        curl_easy_cleanup(c);
        return NULL;
    }
    h = h2;
    double end = now_s() + b->seconds;
    long k = 0;
    while (now_s() < end) {
        double t0 = now_s();
        long st;
        if (b->mode == 0) {
            snprintf(url, sizeof url, "%s/v2/persons", b->base);
            st = req(c, "GET", url, h, NULL, NULL);
        } else {
            /* one-minute periods spread over the thread's own persons, never overlapping */
            long per = b->npersons / b->threads;
            int person = w->idx + b->threads * (int)(k % per);
            long slot = k / per;
            long day = slot / 1440, min = slot % 1440;
            struct tm tm = {.tm_year = 125, .tm_mon = 0, .tm_mday = 1 + (int)day, .tm_hour = (int)(min / 60),
                            .tm_min = (int)(min % 60)};
            time_t tt = timegm(&tm);
            gmtime_r(&tt, &tm);
            char s[24], e[24];
            strftime(s, sizeof s, "%Y-%m-%dT%H:%M:00", &tm);
            strftime(e, sizeof e, "%Y-%m-%dT%H:%M:59", &tm);
            snprintf(url, sizeof url, "%s/v2/attendance-periods?skip_approval=true", b->base);
            snprintf(body, sizeof body,
                     "{\"person\":{\"id\":\"%s\"},\"type\":\"WORK\",\"start\":{\"date_time\":\"%s\"},"
                     "\"end\":{\"date_time\":\"%s\"},\"comment\":\"bench\"}",
                     b->person_ids[person], s, e);
            st = req(c, "POST", url, h, body, NULL);
            k++;
        }
        double dt = now_s() - t0;
        if ((b->mode == 0 && st == 200) || (b->mode == 1 && st == 201))
            w->ok++;
        else
            w->errors++;
        if (w->nlat == w->cap) {
            long nc = w->cap ? w->cap * 2 : 4096;
            double *nl = realloc(w->lat, (size_t)nc * sizeof *nl);
            if (!nl)
                continue;
            w->lat = nl;
            w->cap = nc;
        }
        w->lat[w->nlat++] = dt;
    }
    curl_slist_free_all(h);
    curl_easy_cleanup(c);
    return NULL;
}

static int cmp_d(const void *a, const void *b)
{
    double x = *(const double *)a, y = *(const double *)b;
    return x < y ? -1 : x > y;
}

static int measure(bench *b, const char *label)
{
    worker *w = calloc((size_t)b->threads, sizeof *w);
    pthread_t *t = calloc((size_t)b->threads, sizeof *t);
    if (!w || !t) {
        free(w);
        free(t);
        fprintf(stderr, "out of memory\n");
        return -1;
    }
    double t0 = now_s();
    int started = 0;
    for (int i = 0; i < b->threads; i++) {
        w[i].b = b;
        w[i].idx = i;
        if (pthread_create(&t[i], NULL, run, &w[i]) != 0)
            break;
        started++;
    }
    for (int i = 0; i < started; i++)
        pthread_join(t[i], NULL);
    double el = now_s() - t0;
    long ok = 0, errors = 0, n = 0;
    for (int i = 0; i < started; i++) {
        ok += w[i].ok;
        errors += w[i].errors;
        n += w[i].nlat;
    }
    double *all = malloc((size_t)(n ? n : 1) * sizeof *all);
    long m = 0;
    for (int i = 0; all && i < started; i++) {
        memcpy(all + m, w[i].lat, (size_t)w[i].nlat * sizeof *all);
        m += w[i].nlat;
    }
    double p50 = 0, p99 = 0;
    if (all && m) {
        qsort(all, (size_t)m, sizeof *all, cmp_d);
        p50 = all[m / 2] * 1000;
        p99 = all[(m * 99) / 100] * 1000;
    }
    printf("%-44s %8ld ok %5ld errors  %9.1f req/s  p50 %.2f ms  p99 %.2f ms\n", label, ok, errors,
           (double)ok / el, p50, p99);
    fflush(stdout);
    free(all);
    for (int i = 0; i < b->threads; i++)
        free(w[i].lat);
    free(w);
    free(t);
    return started == b->threads ? 0 : -1;
}

static pid_t spawn_sandbox(const char *self, char *url, size_t cap)
{
    char dir[PATH_MAX], bin[PATH_MAX + 64], pf[128];
    ssize_t n = readlink("/proc/self/exe", dir, sizeof dir - 1);
    if (n <= 0)
        snprintf(dir, sizeof dir, "%s", self);
    else
        dir[n] = '\0';
    char *slash = strrchr(dir, '/');
    if (slash)
        *slash = '\0';
    else
        snprintf(dir, sizeof dir, ".");
    snprintf(bin, sizeof bin, "%s/zepsync-personio-sandbox", dir);
    snprintf(pf, sizeof pf, "/tmp/zs-bench-personio-%d.url", (int)getpid());
    unlink(pf);
    pid_t pid = fork();
    if (pid < 0)
        return -1;
    if (pid == 0) {
        execl(bin, bin, "--listen", "127.0.0.1:0", "--port-file", pf, "--no-rate-limit",
              "--log-level", "warn", (char *)NULL);
        fprintf(stderr, "exec %s: %s\n", bin, strerror(errno));
        _exit(127);
    }
    for (int i = 0; i < 200; i++) {
        FILE *f = fopen(pf, "r");
        if (f) {
            int ok = fgets(url, (int)cap, f) != NULL;
            fclose(f);
            if (ok) {
                url[strcspn(url, "\r\n")] = '\0';
                unlink(pf);
                return pid;
            }
        }
        usleep(25000);
    }
    kill(pid, SIGTERM);
    waitpid(pid, NULL, 0);
    return -1;
}

/* Creates the bench company with persons and fetches a token; ids of the first persons go to b. */
static int prepare(bench *b, int persons)
{
    CURL *c = curl_easy_init();
    if (!c)
        return -1;
    char url[512], body[512], name[64], *out = NULL;
    snprintf(name, sizeof name, "bench-%d-%ld", (int)getpid(), (long)time(NULL));
    struct curl_slist *jh = curl_slist_append(NULL, "Content-Type: application/json");
    snprintf(url, sizeof url, "%s/_sandbox/companies", b->base);
    snprintf(body, sizeof body, "{\"name\":\"%s\",\"client_id\":\"%s\",\"client_secret\":\"bench\",\"generate_persons\":%d}",
             name, name, persons < 64 ? 64 : persons);
    long st = req(c, "POST", url, jh, body, NULL);
    curl_slist_free_all(jh);
    if (st != 201) {
        fprintf(stderr, "creating the bench company failed: HTTP %ld\n", st);
        curl_easy_cleanup(c);
        return -1;
    }
    struct curl_slist *fh = curl_slist_append(NULL, "Content-Type: application/x-www-form-urlencoded");
    snprintf(url, sizeof url, "%s/v2/auth/token", b->base);
    snprintf(body, sizeof body, "grant_type=client_credentials&client_id=%s&client_secret=bench", name);
    st = req(c, "POST", url, fh, body, &out);
    curl_slist_free_all(fh);
    json_object *o = st == 200 && out ? json_tokener_parse(out) : NULL, *t = NULL;
    free(out);
    out = NULL;
    if (!o || !json_object_object_get_ex(o, "access_token", &t)) {
        json_object_put(o);
        fprintf(stderr, "token request failed: HTTP %ld\n", st);
        curl_easy_cleanup(c);
        return -1;
    }
    snprintf(b->token, sizeof b->token, "%s", json_object_get_string(t));
    json_object_put(o);
    char auth[320];
    snprintf(auth, sizeof auth, "Authorization: Bearer %s", b->token);
    struct curl_slist *ah = curl_slist_append(NULL, auth);
    snprintf(url, sizeof url, "%s/v2/persons?limit=50", b->base);
    st = req(c, "GET", url, ah, NULL, &out);
    curl_slist_free_all(ah);
    curl_easy_cleanup(c);
    o = st == 200 && out ? json_tokener_parse(out) : NULL;
    free(out);
    json_object *data = NULL;
    int n = 0;
    if (o && json_object_object_get_ex(o, "_data", &data))
        for (size_t i = 0; i < json_object_array_length(data) && n < 64; i++) {
            json_object *id = NULL;
            if (json_object_object_get_ex(json_object_array_get_idx(data, i), "id", &id))
                snprintf(b->person_ids[n++], sizeof b->person_ids[0], "%s", json_object_get_string(id));
        }
    json_object_put(o);
    b->npersons = n;
    if (n < b->threads) {
        fprintf(stderr, "could not read the seeded persons\n");
        return -1;
    }
    return 0;
}

int main(int argc, char **argv)
{
    const char *url_arg = NULL;
    double seconds = 3;
    int threads = 2, persons = 200;
    for (int i = 1; i < argc; i++) {
        if (strcmp(argv[i], "--help") == 0 || strcmp(argv[i], "-h") == 0) {
            fputs(USAGE, stdout);
            return 0;
        }
        if (i + 1 >= argc) {
            fprintf(stderr, "zepsync-bench-personio: %s needs a value\n%s", argv[i], USAGE);
            return 2;
        }
        if (strcmp(argv[i], "--url") == 0)
            url_arg = argv[++i];
        else if (strcmp(argv[i], "--seconds") == 0)
            seconds = atof(argv[++i]);
        else if (strcmp(argv[i], "--threads") == 0)
            threads = atoi(argv[++i]);
        else if (strcmp(argv[i], "--persons") == 0)
            persons = atoi(argv[++i]);
        else {
            fprintf(stderr, "zepsync-bench-personio: unknown option %s\n%s", argv[i], USAGE);
            return 2;
        }
    }
    if (seconds <= 0 || threads < 1 || threads > 64 || persons < 1) {
        fprintf(stderr, "zepsync-bench-personio: --seconds > 0, --threads 1..64, --persons >= 1\n");
        return 2;
    }
    if (curl_global_init(CURL_GLOBAL_DEFAULT) != CURLE_OK)
        return 1;
    char url[256];
    pid_t pid = -1;
    if (url_arg) {
        snprintf(url, sizeof url, "%s", url_arg);
    } else {
        pid = spawn_sandbox(argv[0], url, sizeof url);
        if (pid < 0) {
            fprintf(stderr, "zepsync-bench-personio: could not start the sandbox\n");
            return 1;
        }
    }
    bench b = {.base = url, .seconds = seconds, .threads = threads};
    int rc = prepare(&b, persons);
    if (rc == 0) {
        printf("sandbox %s, %d threads, %.1f s per run, %d persons (GET pages of 10)\n", url, threads,
               seconds, persons < 64 ? 64 : persons);
        b.mode = 0;
        rc |= measure(&b, "GET  /v2/persons (limit 10)");
        b.mode = 1;
        rc |= measure(&b, "POST /v2/attendance-periods (201)");
    }
    if (pid > 0) {
        kill(pid, SIGTERM);
        waitpid(pid, NULL, 0);
    }
    curl_global_cleanup();
    return rc == 0 ? 0 : 1;
}
