/* Starting a private zepsync-personio-sandbox for one test program, and its control API. */
#ifndef SBX_HELPER_H
#define SBX_HELPER_H

#include <sys/types.h>

#include "zs_test.h"

typedef struct sbx {
    pid_t pid;
    char url[128];
    char log[512];
} sbx;

/* Spawns the sandbox on a free port with extra flags (NULL-terminated). 0 on success. */
int sbx_start(sbx *s, const char *const *extra);
void sbx_stop(sbx *s);
/* POST/GET/DELETE url+path with an optional JSON body; returns status (0 on transport failure). */
long sbx_req(const sbx *s, const char *method, const char *path, const char *const *headers,
             const char *body, zt_http_resp *out);
/* Creates a company; json is the full control body. Returns the HTTP status. */
long sbx_company(const sbx *s, const char *json);
/* Access token for client credentials into out; 0 on success. */
int sbx_token(const sbx *s, const char *cid, const char *secret, char *out, size_t cap);
/* Count of "METHOD /template" requests of a company, from /_sandbox/requests; -1 on error. */
long sbx_count(const sbx *s, const char *company, const char *key);
/* Count of responses with a status for a company. */
long sbx_status_count(const sbx *s, const char *company, int status);

/* Value at a dotted path ("errors.0.detail") of a JSON text, as a string (JSON text for
 * non-strings) in out; NULL when absent. */
const char *sbx_jstr(const char *body, const char *path, char *out, size_t cap);
/* Length of the array at top-level key, -1 if none. */
int sbx_jlen(const char *body, const char *key);

/* Bounded copy (src NULL counts as ""). */
void sbx_cpy(char *dst, size_t cap, const char *src);

#endif
