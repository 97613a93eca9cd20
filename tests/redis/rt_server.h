/* A private redis-server for tests that must own the server (restart it, set a password). */
#ifndef RT_SERVER_H
#define RT_SERVER_H

#include <sys/types.h>

typedef struct rt_server {
    pid_t pid;
    int port;
    char dir[256];
    char log[300];
    char password[64]; /* "" for none */
} rt_server;

/* Starts redis-server on s->port (0: a free port is chosen) and waits until it accepts. 0 on success. */
int rt_server_start(rt_server *s);
/* Stops it with sig (SIGKILL for a crash, SIGTERM for a clean shutdown). The port stays in s. */
void rt_server_stop(rt_server *s, int sig);
/* Removes the scratch dir; call once at the end. */
void rt_server_cleanup(rt_server *s);
/* Writes redis://[:password@]127.0.0.1:port/db into out. */
void rt_server_url(const rt_server *s, int db, char *out, size_t cap);

#endif
