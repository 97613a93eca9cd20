/* Shared between the REST (zs_zep.c) and SOAP (zs_zep_soap.c) halves of the ZEP client. */
#ifndef ZEP_INTERNAL_H
#define ZEP_INTERNAL_H

#include "zep/zs_zep.h"

struct zs_zep {
    char *base_url, *instance, *soap_token, *tenant;
    char *rest_auth; /* "Authorization: Bearer <REST token>", NULL without a REST token */
    zs_zep_pacer pacer;
    zs_zep_local_pacer *own_pacer;
    long max_pace_wait_ms, block_default_ms, retry_base_ms;
    int get_retries;
    zs_http *http;
    long last_status;
    long long blocked_until_ms;
    long sent;
    unsigned rnd; /* backoff jitter, per handle so no global rand() state is shared */
};

long long zep_now_ms(void);
void zep_sleep_ms(long ms);

/*
 * One logical request: waits for the pacer, refuses while blocked after a 429, sends, and
 * retries as `retry` allows (ZEP_RETRY_NET: transfer errors, ZEP_RETRY_5XX: 5xx answers; SOAP
 * reads use only NET because a SOAP Fault arrives as HTTP 500). ZS_OK means a response arrived (any status; resp
 * filled, caller releases it); otherwise err is set and resp is released.
 */
zs_rc zep_send(zs_zep *z, const char *method, const char *url, const char *const *headers, const char *body,
               size_t len, int retry, zs_http_resp *resp, zs_err *err);
enum { ZEP_RETRY_NET = 1, ZEP_RETRY_5XX = 2 };

/* Appends one zeroed element to a list; NULL when memory ran out. */
void *zep_list_push(void **items, size_t *n, size_t *cap, size_t elem);

void zep_copy(char *dst, size_t cap, const char *src);

#endif
