#include "rt_server.h"

#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "zs_test.h"

int rt_server_start(rt_server *s)
{
    if (!s->dir[0]) {
        const char *base = zt_env("ZS_TEST_WORKDIR");
        snprintf(s->dir, sizeof s->dir, "%s/zs-redis-XXXXXX", base ? base : "/tmp");
        if (!mkdtemp(s->dir)) {
            s->dir[0] = '\0';
            return -1;
        }
        snprintf(s->log, sizeof s->log, "%s/redis.log", s->dir);
    }
    if (s->port <= 0)
        s->port = zt_free_port();
    char bin[512] = "";
    if (zt_sh("command -v redis-server", bin, sizeof bin) != 0 || !bin[0])
        return -1;
    bin[strcspn(bin, "\n")] = '\0';
    char port[16];
    snprintf(port, sizeof port, "%d", s->port);
    char *argv[16];
    int n = 0;
    argv[n++] = bin;
    argv[n++] = "--port";
    argv[n++] = port;
    argv[n++] = "--bind";
    argv[n++] = "127.0.0.1";
    argv[n++] = "--save";
    argv[n++] = "";
    argv[n++] = "--appendonly";
    argv[n++] = "no";
    argv[n++] = "--dir";
    argv[n++] = s->dir;
    if (s->password[0]) {
        argv[n++] = "--requirepass";
        argv[n++] = s->password;
    }
    argv[n] = NULL;
    s->pid = zt_spawn(argv, s->log);
    if (s->pid <= 0 || zt_wait_port(s->port, 10000) != 0) {
        rt_server_stop(s, SIGKILL);
        return -1;
    }
    return 0;
}

void rt_server_stop(rt_server *s, int sig)
{
    if (s->pid > 0)
        zt_stop(s->pid, sig);
    s->pid = 0;
}

void rt_server_cleanup(rt_server *s)
{
    rt_server_stop(s, SIGKILL);
    if (s->dir[0]) {
        char cmd[600];
        snprintf(cmd, sizeof cmd, "rm -rf '%s'", s->dir);
        zt_sh(cmd, NULL, 0);
        s->dir[0] = '\0';
    }
}

void rt_server_url(const rt_server *s, int db, char *out, size_t cap)
{
    snprintf(out, cap, "redis://%s%s%s127.0.0.1:%d/%d", s->password[0] ? ":" : "", s->password,
             s->password[0] ? "@" : "", s->port, db);
}
