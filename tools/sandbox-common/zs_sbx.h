/*
 * zs_sbx: what zepsync-personio-sandbox and zepsync-zep-sandbox share. Each sandbox keeps its own
 * API, store, fault rules and rate limits; this is only the process and HTTP plumbing around them.
 */
#ifndef ZS_SBX_H
#define ZS_SBX_H

#include <json-c/json.h>
#include <microhttpd.h>
#include <netinet/in.h>
#include <signal.h>
#include <stddef.h>

#include "core/zs_buf.h"

/* ---- request bodies ---- */

/* The body of one request, gathered over libmicrohttpd's repeated access-handler calls. */
typedef struct zs_sbx_body {
    zs_buf buf;  /* NUL-terminated; data stays NULL for an empty body */
    int too_big; /* more than the limit arrived; the rest was discarded */
} zs_sbx_body;

/* Call at the top of the access handler. Returns 1 while the body is still arriving (answer
 * MHD_YES), 0 once it is complete (*out is set), -1 when memory ran out (answer MHD_NO). */
int zs_sbx_body_collect(void **con_cls, const char *upload, size_t *upload_size, size_t max,
                        zs_sbx_body **out);
/* MHD_OPTION_NOTIFY_COMPLETED callback that frees what zs_sbx_body_collect kept. */
void zs_sbx_body_completed(void *cls, struct MHD_Connection *conn, void **con_cls,
                           enum MHD_RequestTerminationCode toe);

/* ---- process and listener ---- */

/* "HOST:PORT" with an IPv4 HOST. Returns 0; -1 when it is not HOST:PORT with PORT 0..65535 (or
 * HOST does not fit hostcap); -2 when HOST is not an IPv4 address. */
int zs_sbx_listen_parse(const char *spec, char *host, size_t hostcap, struct sockaddr_in *sa);

typedef struct zs_sbx_server {
    struct MHD_Daemon *daemon;
    sigset_t stop;    /* SIGTERM and SIGINT, blocked in every thread */
    unsigned port;    /* the bound port (the asked-for one may be 0) */
    char url[320];    /* http://HOST:PORT */
} zs_sbx_server;

/* Clears s, blocks SIGTERM/SIGINT and ignores SIGPIPE. Call first, before any thread starts, so
 * the threads inherit the mask and only zs_sbx_server_wait sees the stop signals. */
int zs_sbx_signals_block(zs_sbx_server *s);
/* A thread-per-connection daemon on sa; connections idle for timeout_s are closed. Once it
 * listens, writes "URL\n" to port_file (unless NULL) through a rename, so a waiting test never
 * reads half a line. 0; -1 when it cannot listen (errno from the bind); -2 when the port file
 * cannot be written (the daemon is stopped again). */
int zs_sbx_server_start(zs_sbx_server *s, const char *host, const struct sockaddr_in *sa,
                        unsigned timeout_s, MHD_AccessHandlerCallback handler, void *cls,
                        const char *port_file);
/* Waits for SIGTERM or SIGINT and returns its number. */
int zs_sbx_server_wait(zs_sbx_server *s);
void zs_sbx_server_stop(zs_sbx_server *s);

/* ---- small shared pieces ---- */

/* counts[key] += 1 (a json object of int64 counters, as the /_sandbox/requests answers show). */
void zs_sbx_count(json_object *counts, const char *key);

#endif
