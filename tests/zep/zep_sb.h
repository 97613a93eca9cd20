/* Spawning and driving a private zepsync-zep-sandbox for the ZEP test programs. */
#ifndef ZEP_SB_H
#define ZEP_SB_H

#include <sys/types.h>

#include "zs_test.h"

typedef struct zep_sb {
    pid_t pid;
    char url[128];      /* http://127.0.0.1:PORT */
    char dir[512];      /* scratch directory of this sandbox */
} zep_sb;

/* Starts the sandbox on a free port with extra args (NULL-terminated, may be NULL). 0 on success. */
int zep_sb_start(zep_sb *sb, const char *tag, const char *const *extra);
void zep_sb_stop(zep_sb *sb);

/* Control API: method + path below /_sandbox/ with an optional JSON body. Returns the status;
 * the body is copied to out (cap bytes) when out is not NULL. */
long zep_sb_ctl(const zep_sb *sb, const char *method, const char *path, const char *body, char *out, size_t cap);

/* Creates an instance with tokens "<name>-rest" and "<name>-soap" plus extra JSON members
 * (e.g. "\"minute_grid\":15"), or NULL. Returns the status (201 expected). */
long zep_sb_instance(const zep_sb *sb, const char *name, const char *extra);

/* How many requests the sandbox counted for instance and key ("GET /employees"); -1 on error. */
long zep_sb_count(const zep_sb *sb, const char *instance, const char *key);

#endif
