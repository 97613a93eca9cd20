#include "zs_test.h"

#include <arpa/inet.h>
#include <curl/curl.h>
#include <errno.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <signal.h>
#include <stdarg.h>
#include <stdlib.h>
#include <strings.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

int zt_failures;
int zt_checks;
const char *zt_current = "";

void zt_fail(const char *file, int line, const char *fmt, ...)
{
    zt_failures++;
    fprintf(stdout, "  %s:%d: [%s] ", file, line, zt_current);
    va_list ap;
    va_start(ap, fmt);
    vfprintf(stdout, fmt, ap);
    va_end(ap);
    fputc('\n', stdout);
    fflush(stdout);
}

int zt_summary(void)
{
    printf("%d checks, %d failed\n", zt_checks, zt_failures);
    return zt_failures ? 1 : 0;
}

const char *zt_env(const char *name)
{
    const char *v = getenv(name);
    return v && *v ? v : NULL;
}

long zt_now_ms(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return ts.tv_sec * 1000L + ts.tv_nsec / 1000000L;
}

int zt_free_port(void)
{
    int fd = socket(AF_INET, SOCK_STREAM, 0);
    if (fd < 0)
        return -1;
    struct sockaddr_in a = {.sin_family = AF_INET, .sin_port = 0};
    a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    socklen_t len = sizeof a;
    int port = -1;
    if (bind(fd, (struct sockaddr *)&a, sizeof a) == 0 &&
        getsockname(fd, (struct sockaddr *)&a, &len) == 0)
        port = ntohs(a.sin_port);
    close(fd);
    return port;
}

pid_t zt_spawn(char *const argv[], const char *log_path)
{
    fflush(stdout);
    fflush(stderr);
    pid_t pid = fork();
    if (pid < 0)
        return -1;
    if (pid == 0) {
        if (log_path) {
            int fd = open(log_path, O_WRONLY | O_CREAT | O_APPEND, 0644);
            if (fd >= 0) {
                dup2(fd, 1);
                dup2(fd, 2);
                close(fd);
            }
        }
        setpgid(0, 0);
        execv(argv[0], argv);
        fprintf(stderr, "exec %s: %s\n", argv[0], strerror(errno));
        _exit(127);
    }
    return pid;
}

int zt_wait_port(int port, int timeout_ms)
{
    long end = zt_now_ms() + timeout_ms;
    while (zt_now_ms() < end) {
        int fd = socket(AF_INET, SOCK_STREAM, 0);
        if (fd < 0)
            return -1;
        struct sockaddr_in a = {.sin_family = AF_INET, .sin_port = htons((uint16_t)port)};
        a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
        int ok = connect(fd, (struct sockaddr *)&a, sizeof a) == 0;
        close(fd);
        if (ok)
            return 0;
        usleep(20000);
    }
    return -1;
}

int zt_wait_file(const char *path, int timeout_ms)
{
    long end = zt_now_ms() + timeout_ms;
    while (zt_now_ms() < end) {
        struct stat st;
        if (stat(path, &st) == 0 && st.st_size > 0)
            return 0;
        usleep(20000);
    }
    return -1;
}

int zt_wait_exit(pid_t pid, int timeout_ms, int *status)
{
    long end = zt_now_ms() + timeout_ms;
    while (zt_now_ms() < end) {
        if (waitpid(pid, status, WNOHANG) == pid)
            return 0;
        usleep(50000);
    }
    *status = zt_stop(pid, SIGKILL);
    return -1;
}

int zt_stop(pid_t pid, int sig)
{
    int status = 0;
    if (pid <= 0)
        return -1;
    kill(pid, sig);
    long end = zt_now_ms() + 10000;
    while (zt_now_ms() < end) {
        pid_t r = waitpid(pid, &status, WNOHANG);
        if (r == pid)
            return status;
        if (r < 0)
            return -1;
        usleep(10000);
    }
    kill(pid, SIGKILL);
    waitpid(pid, &status, 0);
    return status;
}

int zt_sh(const char *cmd, char *out, size_t cap)
{
    fflush(stdout);
    FILE *p = popen(cmd, "r");
    if (!p)
        return -1;
    size_t n = 0;
    char tmp[4096];
    size_t got;
    while ((got = fread(tmp, 1, sizeof tmp, p)) > 0) {
        if (out && n + 1 < cap) {
            size_t take = got < cap - 1 - n ? got : cap - 1 - n;
            memcpy(out + n, tmp, take);
            n += take;
        }
    }
    if (out && cap)
        out[n] = '\0';
    int st = pclose(p);
    return WIFEXITED(st) ? WEXITSTATUS(st) : -1;
}

const char *zt_bin(const char *name)
{
    static char path[1024];
    snprintf(path, sizeof path, "%s/%s", ZS_BIN_DIR, name);
    return path;
}

struct grow {
    char *p;
    size_t n;
};

static size_t grow_cb(char *d, size_t s, size_t n, void *u)
{
    struct grow *g = u;
    size_t add = s * n;
    char *q = realloc(g->p, g->n + add + 1);
    if (!q)
        return 0;
    memcpy(q + g->n, d, add);
    g->n += add;
    q[g->n] = '\0';
    g->p = q;
    return add;
}

int zt_http(const char *method, const char *url, const char *const *headers, const char *body,
            zt_http_resp *out)
{
    memset(out, 0, sizeof *out);
    CURL *c = curl_easy_init();
    if (!c)
        return -1;
    struct grow b = {0}, h = {0};
    struct curl_slist *hl = NULL;
    for (size_t i = 0; headers && headers[i]; i++)
        hl = curl_slist_append(hl, headers[i]);
    curl_easy_setopt(c, CURLOPT_URL, url);
    curl_easy_setopt(c, CURLOPT_CUSTOMREQUEST, method);
    curl_easy_setopt(c, CURLOPT_HTTPHEADER, hl);
    curl_easy_setopt(c, CURLOPT_WRITEFUNCTION, grow_cb);
    curl_easy_setopt(c, CURLOPT_WRITEDATA, &b);
    curl_easy_setopt(c, CURLOPT_HEADERFUNCTION, grow_cb);
    curl_easy_setopt(c, CURLOPT_HEADERDATA, &h);
    curl_easy_setopt(c, CURLOPT_TIMEOUT, 30L);
    curl_easy_setopt(c, CURLOPT_NOSIGNAL, 1L);
    if (strcmp(method, "HEAD") == 0)
        curl_easy_setopt(c, CURLOPT_NOBODY, 1L);
    if (body)
        curl_easy_setopt(c, CURLOPT_POSTFIELDS, body);
    CURLcode rc = curl_easy_perform(c);
    curl_easy_getinfo(c, CURLINFO_RESPONSE_CODE, &out->status);
    curl_slist_free_all(hl);
    curl_easy_cleanup(c);
    out->body = b.p ? b.p : calloc(1, 1);
    out->headers = h.p ? h.p : calloc(1, 1);
    return rc == CURLE_OK ? 0 : -1;
}

void zt_http_resp_free(zt_http_resp *r)
{
    free(r->body);
    free(r->headers);
    memset(r, 0, sizeof *r);
}

int zt_http_header(const zt_http_resp *r, const char *name, char *out, size_t cap)
{
    size_t nl = strlen(name);
    for (const char *line = r->headers; line && *line;) {
        const char *eol = strstr(line, "\r\n");
        size_t len = eol ? (size_t)(eol - line) : strlen(line);
        if (len > nl && strncasecmp(line, name, nl) == 0 && line[nl] == ':') {
            const char *v = line + nl + 1;
            while (*v == ' ')
                v++;
            size_t vl = len - (size_t)(v - line);
            if (vl >= cap)
                vl = cap - 1;
            memcpy(out, v, vl);
            out[vl] = '\0';
            return 0;
        }
        line = eol ? eol + 2 : NULL;
    }
    return -1;
}
