/*
 * Contract suite: the zs_personio client against a spawned sandbox, for every call and every
 * documented error class. Vendor-call counts come from the sandbox's /_sandbox/requests, so the
 * tests see what really went over the wire.
 */
#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "personio/zs_personio.h"
#include "sbx_helper.h"

static sbx S;
static const char *JSONH[] = {"Content-Type: application/json", NULL};

static zs_personio *client_for(const sbx *s, const char *cid, const char *secret)
{
    zs_personio_opts o = {.base_url = s->url, .tenant = cid, .client_id = cid, .client_secret = secret,
                          .app_id = "ZEPSYNC", .partner_id = "ZEPSYNC_TESTS",
                          .backoff_base_ms = 50, .backoff_cap_ms = 200, .pace_ms = 600};
    zs_err err;
    zs_personio *p = zs_personio_new(&o, &err);
    if (!p)
        printf("  zs_personio_new: %s\n", err.msg);
    return p;
}

static long lookup_ident(const sbx *s, const char *company, const char *key)
{
    zt_http_resp r;
    char path[400];
    snprintf(path, sizeof path, "companies.%s.identification", company);
    long n = -1;
    if (sbx_req(s, "GET", "/_sandbox/requests", NULL, NULL, &r) == 200) {
        /* keys contain ": " and dots are not in them, so look the key up in the sub-object text */
        char sub[4096];
        if (sbx_jstr(r.body, path, sub, sizeof sub)) {
            char pat[256];
            snprintf(pat, sizeof pat, "\"%s\":", key);
            const char *at = strstr(sub, pat);
            n = at ? atol(at + strlen(pat)) : 0;
        }
    }
    zt_http_resp_free(&r);
    return n;
}

static void fault(const sbx *s, const char *json)
{
    ZT_EQ_INT(sbx_req(s, "POST", "/_sandbox/faults", JSONH, json, NULL), 204);
}

static void make_person(zs_personio *p, const char *first, const char *email, char id[32])
{
    zs_personio_person in = {0};
    snprintf(in.first_name, sizeof in.first_name, "%s", first);
    snprintf(in.last_name, sizeof in.last_name, "Contract");
    snprintf(in.email, sizeof in.email, "%s", email);
    zs_err err;
    id[0] = '\0';
    zs_rc rc = zs_personio_person_create(p, &in, NULL, id, &err);
    ZT_EQ_INT(rc, ZS_OK);
    if (rc != ZS_OK)
        printf("  create person: %s\n", err.msg);
}

static zs_personio_attendance period(const char *pid, const char *type, const char *start,
                                     const char *end, const char *comment)
{
    zs_personio_attendance a = {0};
    snprintf(a.person_id, sizeof a.person_id, "%s", pid);
    snprintf(a.type, sizeof a.type, "%s", type);
    snprintf(a.start, sizeof a.start, "%s", start);
    snprintf(a.end, sizeof a.end, "%s", end);
    snprintf(a.comment, sizeof a.comment, "%s", comment);
    return a;
}

static void test_bad_credentials_do_not_hammer_auth(void)
{
    zs_personio *p = client_for(&S, "c-acme", "wrong-secret");
    zs_err err;
    zs_personio_persons l;
    ZT_EQ_INT(zs_personio_persons_list(p, NULL, &l, &err), ZS_ERR_AUTH);
    ZT_CONTAINS(err.msg, "Invalid Credentials");
    ZT_EQ_INT(zs_personio_persons_list(p, NULL, &l, &err), ZS_ERR_AUTH);
    ZT_EQ_INT(zs_personio_authenticate(p, &err), ZS_ERR_AUTH);
    /* one real attempt, the rest answered from the cool-down */
    ZT_EQ_INT(sbx_count(&S, "c-acme", "POST /v2/auth/token"), 1);
    ZT_EQ_INT(sbx_count(&S, "c-acme", "GET /v2/persons"), 0);
    zs_personio_free(p);
}

static void test_token_cached_per_tenant_across_handles(void)
{
    zs_personio_token_cache_clear();
    zs_personio *a = client_for(&S, "c-acme", "s-acme");
    zs_personio *b = client_for(&S, "c-acme", "s-acme");
    zs_personio *o = client_for(&S, "c-other", "s-other");
    zs_err err;
    long before = sbx_count(&S, "c-acme", "POST /v2/auth/token");
    zs_personio_absence_types t;
    for (int i = 0; i < 3; i++) {
        ZT_EQ_INT(zs_personio_absence_types_list(a, &t, &err), ZS_OK);
        zs_personio_absence_types_release(&t);
        ZT_EQ_INT(zs_personio_absence_types_list(b, &t, &err), ZS_OK);
        zs_personio_absence_types_release(&t);
    }
    ZT_EQ_INT(zs_personio_absence_types_list(o, &t, &err), ZS_OK);
    ZT_EQ_INT(t.n, 3);
    zs_personio_absence_types_release(&t);
    ZT_EQ_INT(sbx_count(&S, "c-acme", "POST /v2/auth/token") - before, 1);
    ZT_CHECK(lookup_ident(&S, "c-acme", "X-Personio-App-ID: ZEPSYNC") >= 6);
    ZT_CHECK(lookup_ident(&S, "c-acme", "X-Personio-Partner-ID: ZEPSYNC_TESTS") >= 6);
    ZT_EQ_INT(sbx_count(&S, "c-other", "POST /v2/auth/token"), 1);
    ZT_EQ_INT(zs_personio_auth_calls(), 2);
    zs_personio_free(a);
    zs_personio_free(b);
    zs_personio_free(o);
}

static int mt_ok;
static pthread_mutex_t mt_lock = PTHREAD_MUTEX_INITIALIZER;

static void *mt_run(void *arg)
{
    zs_personio *p = arg;
    zs_err err;
    zs_personio_absence_types t;
    int ok = zs_personio_absence_types_list(p, &t, &err) == ZS_OK;
    zs_personio_absence_types_release(&t);
    pthread_mutex_lock(&mt_lock);
    mt_ok += ok;
    pthread_mutex_unlock(&mt_lock);
    return NULL;
}

static void test_concurrent_handles_share_one_token_fetch(void)
{
    zs_personio_token_cache_clear();
    long before = sbx_count(&S, "c-other", "POST /v2/auth/token");
    /* the fetch is slow, so every thread arrives while it is in flight */
    fault(&S, "{\"path_prefix\":\"/v2/auth/token\",\"company\":\"c-other\",\"delay_ms\":300}");
    zs_personio *p[4];
    pthread_t t[4];
    mt_ok = 0;
    for (int i = 0; i < 4; i++)
        p[i] = client_for(&S, "c-other", "s-other");
    for (int i = 0; i < 4; i++)
        pthread_create(&t[i], NULL, mt_run, p[i]);
    for (int i = 0; i < 4; i++)
        pthread_join(t[i], NULL);
    ZT_EQ_INT(mt_ok, 4);
    ZT_EQ_INT(sbx_count(&S, "c-other", "POST /v2/auth/token") - before, 1);
    for (int i = 0; i < 4; i++)
        zs_personio_free(p[i]);
}

static void test_expired_token_reauthenticates_once(void)
{
    zs_personio *p = client_for(&S, "c-acme", "s-acme");
    zs_err err;
    ZT_EQ_INT(zs_personio_authenticate(p, &err), ZS_OK);
    long auth0 = sbx_count(&S, "c-acme", "POST /v2/auth/token");
    long s401 = sbx_status_count(&S, "c-acme", 401);
    ZT_EQ_INT(sbx_req(&S, "POST", "/_sandbox/expire-tokens", JSONH, "{\"company\":\"c-acme\"}", NULL), 204);
    zs_personio_persons l;
    ZT_EQ_INT(zs_personio_persons_list(p, NULL, &l, &err), ZS_OK);
    zs_personio_persons_release(&l);
    ZT_EQ_INT(sbx_count(&S, "c-acme", "POST /v2/auth/token") - auth0, 1);
    ZT_EQ_INT(sbx_status_count(&S, "c-acme", 401) - s401, 1);

    /* a 401 that persists after the fresh token is an auth failure, not a loop */
    fault(&S, "{\"method\":\"GET\",\"path_prefix\":\"/v2/persons\",\"count\":2,\"status\":401}");
    ZT_EQ_INT(zs_personio_persons_list(p, NULL, &l, &err), ZS_ERR_AUTH);
    ZT_EQ_INT(zs_personio_last_status(p)->http_status, 401);
    ZT_EQ_INT(sbx_count(&S, "c-acme", "POST /v2/auth/token") - auth0, 2);
    zs_personio_free(p);
}

static void test_short_ttl_refreshes_before_expiry(void)
{
    ZT_EQ_INT(sbx_company(&S, "{\"name\":\"c-ttl\",\"client_id\":\"c-ttl\",\"client_secret\":\"s\",\"token_ttl\":2}"), 201);
    zs_personio *p = client_for(&S, "c-ttl", "s");
    zs_err err;
    zs_personio_absence_types t;
    ZT_EQ_INT(zs_personio_absence_types_list(p, &t, &err), ZS_OK);
    zs_personio_absence_types_release(&t);
    usleep(1200000);
    ZT_EQ_INT(zs_personio_absence_types_list(p, &t, &err), ZS_OK);
    zs_personio_absence_types_release(&t);
    ZT_EQ_INT(sbx_count(&S, "c-ttl", "POST /v2/auth/token"), 2);
    ZT_EQ_INT(sbx_status_count(&S, "c-ttl", 401), 0);
    zs_personio_free(p);
}

static void test_get_retried_on_429_and_500(void)
{
    zs_personio *p = client_for(&S, "c-acme", "s-acme");
    zs_err err;
    zs_personio_persons l;
    long before = sbx_count(&S, "c-acme", "GET /v2/persons");
    fault(&S, "{\"method\":\"GET\",\"path_prefix\":\"/v2/persons\",\"count\":1,\"status\":429}");
    struct timespec t0, t1;
    clock_gettime(CLOCK_MONOTONIC, &t0);
    ZT_EQ_INT(zs_personio_persons_list(p, NULL, &l, &err), ZS_OK);
    clock_gettime(CLOCK_MONOTONIC, &t1);
    ZT_EQ_INT(zs_personio_last_status(p)->attempts, 2);
    /* A 429 without Retry-After waits at least the second Personio asks for, although this
     * handle's backoff cap is 200 ms (a lower bound only: a loaded machine can only add time). */
    long waited_ms = (t1.tv_sec - t0.tv_sec) * 1000L + (t1.tv_nsec - t0.tv_nsec) / 1000000L;
    ZT_CHECK(waited_ms >= 990);
    zs_personio_persons_release(&l);
    fault(&S, "{\"method\":\"GET\",\"path_prefix\":\"/v2/persons\",\"count\":2,\"status\":500}");
    ZT_EQ_INT(zs_personio_persons_list(p, NULL, &l, &err), ZS_OK);
    ZT_EQ_INT(zs_personio_last_status(p)->attempts, 3);
    zs_personio_persons_release(&l);
    ZT_EQ_INT(sbx_count(&S, "c-acme", "GET /v2/persons") - before, 5);
    /* a dropped connection is retried too */
    fault(&S, "{\"method\":\"GET\",\"path_prefix\":\"/v2/persons\",\"count\":1,\"drop\":true}");
    ZT_EQ_INT(zs_personio_persons_list(p, NULL, &l, &err), ZS_OK);
    zs_personio_persons_release(&l);
    /* the budget runs out: retry later */
    fault(&S, "{\"method\":\"GET\",\"path_prefix\":\"/v2/persons\",\"count\":4,\"status\":503}");
    ZT_EQ_INT(zs_personio_persons_list(p, NULL, &l, &err), ZS_ERR_RETRY);
    ZT_CONTAINS(err.msg, "503");
    ZT_CONTAINS(err.msg, "temporarily unavailable");
    zs_personio_free(p);
}

static char PID[32];

static void test_writes_retry_only_on_429_and_verify(void)
{
    zs_personio *p = client_for(&S, "c-acme", "s-acme");
    make_person(p, "Writer", "writer@c.example", PID);
    zs_err err;
    char id[40];
    int adopted = -1;
    long posts = sbx_count(&S, "c-acme", "POST /v2/attendance-periods");

    /* 429: the gateway did not run it, so it is sent again and created once */
    fault(&S, "{\"method\":\"POST\",\"path_prefix\":\"/v2/attendance-periods\",\"count\":1,\"status\":429}");
    zs_personio_attendance a = period(PID, "WORK", "2026-11-10T09:00:00", "2026-11-10T12:00:00", "zs:1");
    ZT_EQ_INT(zs_personio_attendance_create(p, &a, 1, id, &adopted, &err), ZS_OK);
    ZT_EQ_INT(adopted, 0);
    ZT_EQ_INT(sbx_count(&S, "c-acme", "POST /v2/attendance-periods") - posts, 2);

    /* 500 on a write: not repeated; the verify read finds nothing, so retry later */
    fault(&S, "{\"method\":\"POST\",\"path_prefix\":\"/v2/attendance-periods\",\"count\":1,\"status\":500}");
    zs_personio_attendance b = period(PID, "WORK", "2026-11-10T13:00:00", "2026-11-10T17:00:00", "zs:2");
    ZT_EQ_INT(zs_personio_attendance_create(p, &b, 1, id, &adopted, &err), ZS_ERR_RETRY);
    ZT_EQ_INT(sbx_count(&S, "c-acme", "POST /v2/attendance-periods") - posts, 3);

    /* applied but the answer was lost: the verify read adopts it instead of double-inserting */
    fault(&S, "{\"method\":\"POST\",\"path_prefix\":\"/v2/attendance-periods\",\"count\":1,\"drop_after\":true}");
    /* a fresh handle: the first request on a new connection */
    zs_personio *fresh = client_for(&S, "c-acme", "s-acme");
    ZT_EQ_INT(zs_personio_attendance_create(fresh, &b, 1, id, &adopted, &err), ZS_OK);
    ZT_EQ_INT(adopted, 1);
    zs_personio_free(fresh);
    ZT_EQ_INT(sbx_count(&S, "c-acme", "POST /v2/attendance-periods") - posts, 4);

    /* a handle whose connection was used before: zs_http sends every POST on a new connection,
     * so libcurl cannot re-send it by itself; the POST goes once and the verify read adopts it */
    zs_personio_attendance c2 = period(PID, "WORK", "2026-11-10T18:00:00", "2026-11-10T19:00:00", "zs:3");
    fault(&S, "{\"method\":\"POST\",\"path_prefix\":\"/v2/attendance-periods\",\"count\":1,\"drop_after\":true}");
    zs_rc c2rc = zs_personio_attendance_create(p, &c2, 1, id, &adopted, &err);
    ZT_EQ_INT(c2rc, ZS_OK);
    ZT_EQ_INT(adopted, 1);
    ZT_EQ_INT(sbx_count(&S, "c-acme", "POST /v2/attendance-periods") - posts, 5);
    const char *pids[] = {PID};
    zs_personio_attendance_filter f = {.person_ids = pids, .n_person_ids = 1,
                                       .attribution_date_gte = "2026-11-10", .attribution_date_lte = "2026-11-10"};
    zs_personio_attendances l;
    ZT_EQ_INT(zs_personio_attendances_list(p, &f, &l, &err), ZS_OK);
    ZT_EQ_INT(l.n, 3);
    if (l.n == 3) {
        ZT_EQ_STR(l.v[2].id, id);
        ZT_EQ_STR(l.v[1].comment, "zs:2");
        ZT_EQ_STR(l.v[0].status, "CONFIRMED");
    }
    zs_personio_attendances_release(&l);
    zs_personio_free(p);
}

static void test_attendance_errors_and_crud(void)
{
    zs_personio *p = client_for(&S, "c-acme", "s-acme");
    zs_err err;
    char id[40], id2[40];
    int adopted;
    zs_personio_attendance a = period(PID, "WORK", "2026-11-11T09:00:00", "2026-11-11T12:00:00", "zs:a");
    ZT_EQ_INT(zs_personio_attendance_create(p, &a, 0, id, &adopted, &err), ZS_OK);

    /* the same period again is ours: adopted, no duplicate */
    ZT_EQ_INT(zs_personio_attendance_create(p, &a, 0, id2, &adopted, &err), ZS_OK);
    ZT_EQ_INT(adopted, 1);
    ZT_EQ_STR(id2, id);
    ZT_EQ_INT(zs_personio_get_stats(p).adopted, 1);

    /* Only our own record is adopted: the same times under another comment (someone else's
     * entry, or another booking's marker) or with another project are a conflict. */
    zs_personio_attendance foreign = period(PID, "WORK", "2026-11-11T09:00:00", "2026-11-11T12:00:00", "typed by hand");
    ZT_EQ_INT(zs_personio_attendance_create(p, &foreign, 0, id2, &adopted, &err), ZS_ERR_CONFLICT);
    ZT_EQ_INT(adopted, 0);
    zs_personio_attendance otherproj = a;
    snprintf(otherproj.project_id, sizeof otherproj.project_id, "proj-other");
    ZT_EQ_INT(zs_personio_attendance_create(p, &otherproj, 0, id2, &adopted, &err), ZS_ERR_CONFLICT);
    ZT_EQ_INT(adopted, 0);
    ZT_EQ_INT(zs_personio_get_stats(p).adopted, 1);

    zs_personio_attendance o = period(PID, "WORK", "2026-11-11T11:00:00", "2026-11-11T13:00:00", "other");
    ZT_EQ_INT(zs_personio_attendance_create(p, &o, 0, id2, &adopted, &err), ZS_ERR_CONFLICT);
    ZT_CONTAINS(err.msg, "409 Overlapping attendance periods");
    ZT_EQ_INT(zs_personio_last_status(p)->http_status, 409);

    zs_personio_attendance m = period(PID, "WORK", "2026-11-11T22:00:00", "2026-11-12T02:00:00", "");
    ZT_EQ_INT(zs_personio_attendance_create(p, &m, 0, id2, &adopted, &err), ZS_ERR_FAILED);
    ZT_CONTAINS(err.msg, "Period crosses midnight");
    ZT_EQ_INT(zs_personio_last_status(p)->http_status, 422);

    zs_personio_attendance z = period(PID, "WORK", "2026-11-11T14:00:00Z", "2026-11-11T15:00:00", "");
    ZT_EQ_INT(zs_personio_attendance_create(p, &z, 0, id2, &adopted, &err), ZS_ERR_FAILED);
    ZT_CONTAINS(err.msg, "400 Invalid request: Invalid request content");
    zs_personio_attendance off = period(PID, "WORK", "2026-11-11T14:00:00+01:00", "2026-11-11T15:00:00", "");
    ZT_EQ_INT(zs_personio_attendance_create(p, &off, 0, id2, &adopted, &err), ZS_ERR_FAILED);
    ZT_EQ_STR(zs_personio_last_status(p)->detail, "Invalid request content");

    zs_personio_attendance br = period(PID, "BREAK", "2026-11-11T12:00:00", "2026-11-11T12:30:00", "zs:b");
    ZT_EQ_INT(zs_personio_attendance_create(p, &br, 0, id2, &adopted, &err), ZS_OK);

    zs_personio_attendance got;
    ZT_EQ_INT(zs_personio_attendance_get(p, id2, &got, &err), ZS_OK);
    ZT_EQ_STR(got.type, "BREAK");
    ZT_EQ_STR(got.end, "2026-11-11T12:30:00");
    ZT_EQ_STR(got.attribution_date, "2026-11-11");
    ZT_EQ_STR(got.person_id, PID);

    zs_personio_attendance ch = got;
    snprintf(ch.end, sizeof ch.end, "2026-11-11T12:45:00");
    snprintf(ch.comment, sizeof ch.comment, "zs:b2");
    ZT_EQ_INT(zs_personio_attendance_patch(p, id2, &ch, ZS_PA_END | ZS_PA_COMMENT, 0, &err), ZS_OK);
    ZT_EQ_INT(zs_personio_attendance_get(p, id2, &got, &err), ZS_OK);
    ZT_EQ_STR(got.end, "2026-11-11T12:45:00");
    ZT_EQ_STR(got.comment, "zs:b2");
    snprintf(ch.start, sizeof ch.start, "2026-11-11T11:30:00");
    ZT_EQ_INT(zs_personio_attendance_patch(p, id2, &ch, ZS_PA_START, 0, &err), ZS_ERR_CONFLICT);

    /* A PATCH without an answer is verified by reading back every field it sent, the project
     * too: here it never arrived, so the old project is still there and this is retry-later.
     * (A fresh handle: on a reused connection libcurl would quietly re-send the PATCH.) */
    zs_personio_attendance pj = a;
    snprintf(pj.project_id, sizeof pj.project_id, "proj-7");
    zs_personio *fresh = client_for(&S, "c-acme", "s-acme");
    fault(&S, "{\"method\":\"PATCH\",\"path_prefix\":\"/v2/attendance-periods\",\"count\":1,\"drop\":true}");
    ZT_EQ_INT(zs_personio_attendance_patch(fresh, id, &pj, ZS_PA_PROJECT, 0, &err), ZS_ERR_RETRY);
    zs_personio_free(fresh);
    ZT_EQ_INT(zs_personio_attendance_get(p, id, &got, &err), ZS_OK);
    ZT_EQ_STR(got.project_id, "");
    ZT_EQ_INT(zs_personio_attendance_patch(p, id, &pj, ZS_PA_PROJECT, 0, &err), ZS_OK);
    ZT_EQ_INT(zs_personio_attendance_get(p, id, &got, &err), ZS_OK);
    ZT_EQ_STR(got.project_id, "proj-7");

    ZT_EQ_INT(zs_personio_attendance_delete(p, id2, &err), ZS_OK);
    ZT_EQ_INT(zs_personio_attendance_get(p, id2, &got, &err), ZS_ERR_NOTFOUND);
    ZT_CONTAINS(err.msg, "Resource not found");
    ZT_EQ_INT(zs_personio_attendance_delete(p, id2, &err), ZS_OK);
    ZT_EQ_INT(zs_personio_attendance_get(p, "../persons", &got, &err), ZS_ERR_FAILED);
    zs_personio_free(p);
}

static void test_absences_conflict_and_crud(void)
{
    zs_personio *p = client_for(&S, "c-acme", "s-acme");
    zs_err err;
    zs_personio_absence_types t;
    ZT_EQ_INT(zs_personio_absence_types_list(p, &t, &err), ZS_OK);
    ZT_EQ_INT(t.n, 3);
    char vac[40] = "";
    for (size_t i = 0; i < t.n; i++)
        if (strcmp(t.v[i].category, "paid_vacation") == 0)
            snprintf(vac, sizeof vac, "%s", t.v[i].id);
    ZT_CHECK(vac[0] != '\0');
    zs_personio_absence_types_release(&t);

    zs_personio_absence a = {0};
    snprintf(a.person_id, sizeof a.person_id, "%s", PID);
    snprintf(a.absence_type_id, sizeof a.absence_type_id, "%s", vac);
    snprintf(a.start, sizeof a.start, "2026-12-28T00:00:00");
    snprintf(a.end, sizeof a.end, "2026-12-30T00:00:00");
    snprintf(a.end_half, sizeof a.end_half, "FIRST_HALF");
    snprintf(a.comment, sizeof a.comment, "zs:abs");
    char id[40], id2[40];
    int adopted;
    ZT_EQ_INT(zs_personio_absence_create(p, &a, 1, id, &adopted, &err), ZS_OK);
    ZT_EQ_INT(adopted, 0);
    ZT_EQ_INT(zs_personio_absence_create(p, &a, 1, id2, &adopted, &err), ZS_OK);
    ZT_EQ_INT(adopted, 1);
    ZT_EQ_STR(id2, id);
    /* The same range under a foreign comment, or with another half day, is not ours to adopt. */
    zs_personio_absence hand = a;
    snprintf(hand.comment, sizeof hand.comment, "typed by hand");
    ZT_EQ_INT(zs_personio_absence_create(p, &hand, 1, id2, &adopted, &err), ZS_ERR_CONFLICT);
    ZT_EQ_INT(adopted, 0);
    zs_personio_absence whole = a;
    whole.end_half[0] = '\0';
    ZT_EQ_INT(zs_personio_absence_create(p, &whole, 1, id2, &adopted, &err), ZS_ERR_CONFLICT);
    ZT_EQ_INT(adopted, 0);

    zs_personio_absence b = a;
    snprintf(b.start, sizeof b.start, "2026-12-29T00:00:00");
    snprintf(b.end, sizeof b.end, "2026-12-29T00:00:00");
    b.end_half[0] = '\0';
    snprintf(b.comment, sizeof b.comment, "someone else");
    ZT_EQ_INT(zs_personio_absence_create(p, &b, 1, id2, &adopted, &err), ZS_ERR_CONFLICT);
    ZT_CONTAINS(err.msg, "409 Absence period conflict");

    const char *pids[] = {PID};
    zs_personio_absence_filter f = {.person_ids = pids, .n_person_ids = 1,
                                    .from = "2026-12-29T00:00:00", .to = "2026-12-29T23:59:59"};
    zs_personio_absences l;
    ZT_EQ_INT(zs_personio_absences_list(p, &f, &l, &err), ZS_OK);
    ZT_EQ_INT(l.n, 1);
    if (l.n == 1) {
        ZT_EQ_STR(l.v[0].id, id);
        ZT_EQ_STR(l.v[0].end_half, "FIRST_HALF");
        ZT_EQ_STR(l.v[0].status, "APPROVED");
        ZT_EQ_STR(l.v[0].timezone_id, "Europe/Berlin");
    }
    zs_personio_absences_release(&l);

    snprintf(a.end, sizeof a.end, "2026-12-28T00:00:00");
    a.end_half[0] = '\0';
    ZT_EQ_INT(zs_personio_absence_patch(p, id, &a, &err), ZS_OK);
    zs_personio_absence got;
    ZT_EQ_INT(zs_personio_absence_get(p, id, &got, &err), ZS_OK);
    ZT_EQ_STR(got.end, "2026-12-28T00:00:00");
    /* now the 29th is free */
    ZT_EQ_INT(zs_personio_absence_create(p, &b, 0, id2, &adopted, &err), ZS_OK);
    ZT_EQ_INT(zs_personio_absence_get(p, id2, &got, &err), ZS_OK);
    ZT_EQ_STR(got.status, "PENDING");
    ZT_EQ_INT(zs_personio_absence_delete(p, id2, &err), ZS_OK);
    ZT_EQ_INT(zs_personio_absence_get(p, id2, &got, &err), ZS_ERR_NOTFOUND);
    ZT_EQ_INT(zs_personio_absence_delete(p, id2, &err), ZS_OK);
    zs_personio_free(p);
}

static void test_persons_typed_and_filters(void)
{
    zs_personio *p = client_for(&S, "c-acme", "s-acme");
    zs_err err;
    zs_personio_person in = {0};
    snprintf(in.first_name, sizeof in.first_name, "Typed");
    snprintf(in.last_name, sizeof in.last_name, "Person");
    snprintf(in.email, sizeof in.email, "typed@c.example");
    snprintf(in.gender, sizeof in.gender, "FEMALE");
    zs_personio_attr at = {.id = "dynamic_2001"};
    at.value = "4711";
    in.attrs = &at;
    in.n_attrs = 1;
    zs_personio_cost_center cc = {.id = "cc-9", .weight = 100};
    zs_personio_employment emp = {.weekly_working_hours = 32, .full_time_weekly_working_hours = 40,
                                  .type = "INTERNAL", .start_date = "2026-01-01", .cost_centers = &cc,
                                  .n_cost_centers = 1};
    char id[32];
    ZT_EQ_INT(zs_personio_person_create(p, &in, &emp, id, &err), ZS_OK);
    zs_personio_person got;
    ZT_EQ_INT(zs_personio_person_get(p, id, &got, &err), ZS_OK);
    ZT_EQ_STR(got.email, "typed@c.example");
    ZT_EQ_STR(got.gender, "FEMALE");
    ZT_EQ_INT(got.n_attrs, 1);
    if (got.n_attrs == 1) {
        ZT_EQ_STR(got.attrs[0].label, "Personalnummer");
        ZT_EQ_STR(got.attrs[0].value, "4711");
    }
    ZT_EQ_INT(got.n_employments, 1);
    char since[40];
    snprintf(since, sizeof since, "%s", got.updated_at);
    zs_personio_person_release(&got);

    zs_personio_employments e;
    ZT_EQ_INT(zs_personio_employments_list(p, id, &e, &err), ZS_OK);
    ZT_EQ_INT(e.n, 1);
    if (e.n == 1) {
        ZT_CHECK(e.v[0].weekly_working_hours == 32);
        ZT_EQ_STR(e.v[0].start_date, "2026-01-01");
        ZT_EQ_INT(e.v[0].n_cost_centers, 1);
        ZT_EQ_STR(e.v[0].cost_centers[0].id, "cc-9");
        ZT_EQ_STR(e.v[0].person_id, id);
        ZT_EQ_INT(zs_personio_employment_patch_json(p, id, e.v[0].id, "{\"weekly_working_hours\":20}", &err), ZS_OK);
    }
    zs_personio_employments_release(&e);

    zs_personio_person_filter f = {.email = "typed@c.example"};
    zs_personio_persons l;
    ZT_EQ_INT(zs_personio_persons_list(p, &f, &l, &err), ZS_OK);
    ZT_EQ_INT(l.n, 1);
    zs_personio_persons_release(&l);
    zs_personio_person_filter g = {.updated_at_gt = since};
    ZT_EQ_INT(zs_personio_persons_list(p, &g, &l, &err), ZS_OK);
    ZT_EQ_INT(l.n, 0);
    zs_personio_persons_release(&l);
    ZT_EQ_INT(zs_personio_person_patch_json(p, id, "{\"preferred_name\":\"Ty\"}", &err), ZS_OK);
    ZT_EQ_INT(zs_personio_persons_list(p, &g, &l, &err), ZS_OK);
    ZT_EQ_INT(l.n, 1);
    if (l.n == 1)
        ZT_EQ_STR(l.v[0].preferred_name, "Ty");
    zs_personio_persons_release(&l);

    /* a lost answer to a create is resolved by the unique e-mail */
    fault(&S, "{\"method\":\"POST\",\"path_prefix\":\"/v2/persons\",\"count\":1,\"drop_after\":true}");
    zs_personio_person lost = {0};
    snprintf(lost.first_name, sizeof lost.first_name, "Lost");
    snprintf(lost.last_name, sizeof lost.last_name, "Answer");
    snprintf(lost.email, sizeof lost.email, "lost@c.example");
    char lost_id[32] = "";
    /* the loss reaches the client (one attempt), which finds the person by the unique e-mail */
    zs_personio *fresh = client_for(&S, "c-acme", "s-acme");
    ZT_EQ_INT(zs_personio_person_create(fresh, &lost, NULL, lost_id, &err), ZS_OK);
    ZT_EQ_INT(zs_personio_last_status(fresh)->attempts, 1);
    zs_personio_free(fresh);
    zs_personio_person_filter lf = {.email = "lost@c.example"};
    ZT_EQ_INT(zs_personio_persons_list(p, &lf, &l, &err), ZS_OK);
    ZT_EQ_INT(l.n, 1);
    if (l.n == 1)
        ZT_EQ_STR(l.v[0].id, lost_id);
    zs_personio_persons_release(&l);
    ZT_EQ_INT(zs_personio_person_patch_json(p, id, "{\"gender\":\"ROBOT\"}", &err), ZS_ERR_FAILED);
    ZT_EQ_INT(zs_personio_person_get(p, "99999999", &got, &err), ZS_ERR_NOTFOUND);
    ZT_EQ_INT(zs_personio_person_delete(p, id, &err), ZS_OK);
    ZT_EQ_INT(zs_personio_person_get(p, id, &got, &err), ZS_ERR_NOTFOUND);
    ZT_EQ_INT(zs_personio_person_delete(p, id, &err), ZS_OK);
    ZT_EQ_INT(zs_personio_person_delete(p, "../x", &err), ZS_ERR_FAILED);
    zs_personio_free(p);
}

static void test_pagination_three_pages_and_invalid_cursor(void)
{
    ZT_EQ_INT(sbx_company(&S, "{\"name\":\"c-many\",\"client_id\":\"c-many\",\"client_secret\":\"s\",\"generate_persons\":120}"), 201);
    zs_personio *p = client_for(&S, "c-many", "s");
    zs_err err;
    zs_personio_persons l;
    ZT_EQ_INT(zs_personio_persons_list(p, NULL, &l, &err), ZS_OK);
    ZT_EQ_INT(l.n, 120);
    ZT_EQ_INT(sbx_count(&S, "c-many", "GET /v2/persons"), 3);
    /* no duplicates and none missing across pages */
    int dup = 0;
    for (size_t i = 1; i < l.n; i++)
        if (strcmp(l.v[i].id, l.v[i - 1].id) == 0)
            dup = 1;
    ZT_EQ_INT(dup, 0);
    zs_personio_persons_release(&l);

    fault(&S, "{\"method\":\"GET\",\"path_prefix\":\"/v2/persons\",\"with_arg\":\"cursor\",\"count\":1,"
              "\"status\":400,\"title\":\"Invalid request\",\"detail\":\"Invalid cursor\"}");
    ZT_EQ_INT(zs_personio_persons_list(p, NULL, &l, &err), ZS_ERR_FAILED);
    ZT_CONTAINS(err.msg, "Invalid cursor");
    ZT_EQ_INT(l.n, 0);
    zs_personio_free(p);
}

static void test_foreign_and_relative_next_links(void)
{
    sbx foreign;
    const char *fx[] = {"--link-origin", "http://foreign.invalid:1", NULL};
    ZT_EQ_INT(sbx_start(&foreign, fx), 0);
    ZT_EQ_INT(sbx_company(&foreign, "{\"name\":\"f\",\"client_id\":\"c-f\",\"client_secret\":\"s\",\"generate_persons\":60}"), 201);
    zs_personio *p = client_for(&foreign, "c-f", "s");
    zs_err err;
    zs_personio_persons l;
    ZT_EQ_INT(zs_personio_persons_list(p, NULL, &l, &err), ZS_ERR_FAILED);
    ZT_CONTAINS(err.msg, "refusing next link");
    ZT_EQ_INT(sbx_count(&foreign, "f", "GET /v2/persons"), 1);
    zs_personio_free(p);
    sbx_stop(&foreign);

    sbx rel;
    const char *rx[] = {"--relative-links", NULL};
    ZT_EQ_INT(sbx_start(&rel, rx), 0);
    ZT_EQ_INT(sbx_company(&rel, "{\"name\":\"r\",\"client_id\":\"c-r\",\"client_secret\":\"s\",\"generate_persons\":60}"), 201);
    p = client_for(&rel, "c-r", "s");
    ZT_EQ_INT(zs_personio_persons_list(p, NULL, &l, &err), ZS_OK);
    ZT_EQ_INT(l.n, 60);
    zs_personio_persons_release(&l);
    zs_personio_free(p);
    sbx_stop(&rel);
}

static void test_pacing_from_ratelimit_headers(void)
{
    sbx rl;
    const char *x[] = {"--rl-persons", "2:2", NULL};
    ZT_EQ_INT(sbx_start(&rl, x), 0);
    ZT_EQ_INT(sbx_company(&rl, "{\"name\":\"rl\",\"client_id\":\"c-rl\",\"client_secret\":\"s\",\"generate_persons\":25}"), 201);
    zs_personio *p = client_for(&rl, "c-rl", "s");
    zs_err err;
    zs_personio_person_filter f = {.limit = 5};
    zs_personio_persons l;
    /* 5 pages against a bucket of 2 refilled at 2/s: pacing on x-ratelimit-remaining avoids 429s */
    ZT_EQ_INT(zs_personio_persons_list(p, &f, &l, &err), ZS_OK);
    ZT_EQ_INT(l.n, 25);
    zs_personio_persons_release(&l);
    ZT_EQ_INT(sbx_count(&rl, "rl", "GET /v2/persons"), 5);
    ZT_EQ_INT(sbx_status_count(&rl, "rl", 429), 0);
    zs_personio_free(p);
    sbx_stop(&rl);
}

static void test_tenant_isolation(void)
{
    zs_personio *a = client_for(&S, "c-acme", "s-acme");
    zs_personio *b = client_for(&S, "c-other", "s-other");
    zs_err err;
    char id[32];
    make_person(a, "Mine", "mine@c.example", id);
    zs_personio_person got;
    ZT_EQ_INT(zs_personio_person_get(b, id, &got, &err), ZS_ERR_NOTFOUND);
    ZT_EQ_INT(zs_personio_person_patch_json(b, id, "{\"last_name\":\"Stolen\"}", &err), ZS_ERR_NOTFOUND);
    zs_personio_attendance x = period(id, "WORK", "2026-11-20T09:00:00", "2026-11-20T10:00:00", "");
    char aid[40];
    int adopted;
    ZT_EQ_INT(zs_personio_attendance_create(b, &x, 0, aid, &adopted, &err), ZS_ERR_FAILED);
    ZT_EQ_INT(zs_personio_last_status(b)->http_status, 422);
    zs_personio_persons l;
    zs_personio_person_filter f = {.email = "mine@c.example"};
    ZT_EQ_INT(zs_personio_persons_list(b, &f, &l, &err), ZS_OK);
    ZT_EQ_INT(l.n, 0);
    zs_personio_persons_release(&l);
    ZT_EQ_INT(zs_personio_persons_list(a, &f, &l, &err), ZS_OK);
    ZT_EQ_INT(l.n, 1);
    if (l.n == 1)
        ZT_EQ_STR(l.v[0].last_name, "Contract");
    zs_personio_persons_release(&l);
    zs_personio_free(a);
    zs_personio_free(b);
}

static void test_webhooks_and_stats(void)
{
    zs_personio *p = client_for(&S, "c-other", "s-other");
    zs_err err;
    const char *ev[] = {"person.created", "employment.updated"};
    char id[40];
    ZT_EQ_INT(zs_personio_webhook_create(p, "https://zepsync.example/hooks/personio", "Bearer t0k",
                                         "zepsync", ev, 2, id, &err), ZS_OK);
    ZT_EQ_INT(zs_personio_webhook_create(p, "gopher://x", NULL, NULL, NULL, 0, id, &err), ZS_ERR_FAILED);
    ZT_CONTAINS(err.msg, "Invalid URL");
    zs_personio_webhooks l;
    ZT_EQ_INT(zs_personio_webhooks_list(p, &l, &err), ZS_OK);
    ZT_EQ_INT(l.n, 1);
    if (l.n == 1) {
        ZT_EQ_STR(l.v[0].status, "ENABLED");
        ZT_EQ_STR(l.v[0].auth_type, "TOKEN");
        ZT_EQ_STR(l.v[0].url, "https://zepsync.example/hooks/personio");
        ZT_EQ_STR(l.v[0].id, id);
    }
    zs_personio_webhooks_release(&l);
    ZT_EQ_INT(zs_personio_webhook_delete(p, id, &err), ZS_OK);
    ZT_EQ_INT(zs_personio_webhook_delete(p, id, &err), ZS_OK);
    ZT_EQ_INT(zs_personio_webhooks_list(p, &l, &err), ZS_OK);
    ZT_EQ_INT(l.n, 0);
    zs_personio_webhooks_release(&l);

    fault(&S, "{\"method\":\"GET\",\"path_prefix\":\"/v2/webhooks\",\"count\":1,\"status\":429}");
    ZT_EQ_INT(zs_personio_webhooks_list(p, &l, &err), ZS_OK);
    zs_personio_webhooks_release(&l);
    zs_personio_stats st = zs_personio_get_stats(p);
    ZT_EQ_INT(st.requests, 8);
    ZT_EQ_INT(st.throttled, 1);
    ZT_EQ_INT(st.retries, 1);
    ZT_EQ_INT(st.reauths, 0);
    zs_personio_free(p);
}

static void test_hidden_attributes_decode_to_empty_fields(void)
{
    ZT_EQ_INT(sbx_company(&S, "{\"name\":\"c-hidden\",\"client_id\":\"c-hidden\",\"client_secret\":\"s\","
                              "\"hide_attributes\":true,\"persons\":[{\"first_name\":\"Hid\",\"last_name\":\"Den\",\"email\":\"h@x.example\"}]}"), 201);
    zs_personio *p = client_for(&S, "c-hidden", "s");
    zs_err err;
    zs_personio_persons l;
    ZT_EQ_INT(zs_personio_persons_list(p, NULL, &l, &err), ZS_OK);
    ZT_EQ_INT(l.n, 1);
    if (l.n == 1) {
        /* callers see the missing whitelist as empty fields, not as garbage */
        ZT_CHECK(l.v[0].id[0] != '\0');
        ZT_EQ_STR(l.v[0].email, "");
        ZT_EQ_STR(l.v[0].last_name, "");
        ZT_EQ_INT(l.v[0].n_employments, 1);
    }
    zs_personio_persons_release(&l);
    zs_personio_free(p);
}

/* A port nobody can take while the test runs: bound but never listening, so a connection is
 * refused at once (a port from zt_free_port could be picked up by a parallel test meanwhile). */
static int closed_port(int *fd)
{
    struct sockaddr_in a = {.sin_family = AF_INET, .sin_addr.s_addr = htonl(INADDR_LOOPBACK)};
    socklen_t len = sizeof a;
    *fd = socket(AF_INET, SOCK_STREAM, 0);
    if (*fd < 0 || bind(*fd, (struct sockaddr *)&a, sizeof a) != 0 ||
        getsockname(*fd, (struct sockaddr *)&a, &len) != 0) {
        if (*fd >= 0)
            close(*fd);
        *fd = -1;
        return zt_free_port();
    }
    return ntohs(a.sin_port);
}

static void test_unreachable_is_retry(void)
{
    char url[64];
    int fd;
    snprintf(url, sizeof url, "http://127.0.0.1:%d", closed_port(&fd));
    zs_personio_opts o = {.base_url = url, .client_id = "x", .client_secret = "y", .max_attempts = 2,
                          .backoff_base_ms = 10, .backoff_cap_ms = 20};
    zs_err err;
    zs_personio *p = zs_personio_new(&o, &err);
    ZT_CHECK(p != NULL);
    zs_personio_persons l;
    ZT_EQ_INT(zs_personio_persons_list(p, NULL, &l, &err), ZS_ERR_RETRY);
    zs_personio_free(p);
    if (fd >= 0)
        close(fd);
}

int main(void)
{
    srand((unsigned)getpid() ^ (unsigned)time(NULL));
    if (sbx_start(&S, NULL) != 0) {
        printf("FAIL cannot start %s\n", zt_bin("zepsync-personio-sandbox"));
        return 1;
    }
    ZT_EQ_INT(sbx_company(&S, "{\"name\":\"c-acme\",\"client_id\":\"c-acme\",\"client_secret\":\"s-acme\","
                              "\"attributes\":[{\"id\":\"dynamic_2001\",\"label\":\"Personalnummer\",\"type\":\"string\"}]}"), 201);
    ZT_EQ_INT(sbx_company(&S, "{\"name\":\"c-other\",\"client_id\":\"c-other\",\"client_secret\":\"s-other\"}"), 201);
    ZT_RUN(test_bad_credentials_do_not_hammer_auth);
    ZT_RUN(test_token_cached_per_tenant_across_handles);
    ZT_RUN(test_concurrent_handles_share_one_token_fetch);
    ZT_RUN(test_expired_token_reauthenticates_once);
    ZT_RUN(test_short_ttl_refreshes_before_expiry);
    ZT_RUN(test_get_retried_on_429_and_500);
    ZT_RUN(test_writes_retry_only_on_429_and_verify);
    ZT_RUN(test_attendance_errors_and_crud);
    ZT_RUN(test_absences_conflict_and_crud);
    ZT_RUN(test_persons_typed_and_filters);
    ZT_RUN(test_pagination_three_pages_and_invalid_cursor);
    ZT_RUN(test_foreign_and_relative_next_links);
    ZT_RUN(test_pacing_from_ratelimit_headers);
    ZT_RUN(test_tenant_isolation);
    ZT_RUN(test_webhooks_and_stats);
    ZT_RUN(test_hidden_attributes_decode_to_empty_fields);
    ZT_RUN(test_unreachable_is_retry);
    sbx_stop(&S);
    zs_personio_token_cache_clear();
    return zt_summary();
}
