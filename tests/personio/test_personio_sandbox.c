/*
 * The Personio sandbox over raw HTTP (libcurl through zt_http, no zepsync client code): pins the
 * status codes, error shapes and messages the client and the workers rely on.
 */
#include <microhttpd.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "sbx_helper.h"

static sbx S;
static char TOK[256], AUTH[300];
static const char *JH[3]; /* Authorization + JSON content type */
static const char *FORM[] = {"Content-Type: application/x-www-form-urlencoded", NULL};

#define J(body, path) sbx_jstr((body), (path), jbuf, sizeof jbuf)

static char jbuf[4096];

static void setup_company(void)
{
    ZT_EQ_INT(sbx_company(&S, "{\"name\":\"raw-acme\",\"client_id\":\"raw-cid\",\"client_secret\":\"raw-sec\","
                              "\"approval_required\":true,"
                              "\"attributes\":[{\"id\":\"dynamic_1001\",\"label\":\"Personalnummer\",\"type\":\"string\"}]}"),
              201);
    ZT_EQ_INT(sbx_token(&S, "raw-cid", "raw-sec", TOK, sizeof TOK), 0);
    snprintf(AUTH, sizeof AUTH, "Authorization: Bearer %s", TOK);
    JH[0] = AUTH;
    JH[1] = "Content-Type: application/json";
    JH[2] = NULL;
}

static long post_person(const char *first, const char *last, const char *email, char *id, size_t cap)
{
    char body[512];
    snprintf(body, sizeof body,
             "{\"first_name\":\"%s\",\"last_name\":\"%s\",\"email\":\"%s\","
             "\"custom_attributes\":[{\"id\":\"dynamic_1001\",\"value\":\"P-%s\"}],"
             "\"employments\":[{\"weekly_working_hours\":30,\"cost_centers\":[{\"id\":\"cc-1\",\"weight\":100}]}]}",
             first, last, email, first);
    zt_http_resp r;
    long st = sbx_req(&S, "POST", "/v2/persons", JH, body, &r);
    if (id)
        sbx_cpy(id, cap, J(r.body, "id") ? jbuf : "");
    zt_http_resp_free(&r);
    return st;
}

static void test_auth_token_success_shape(void)
{
    zt_http_resp r;
    ZT_EQ_INT(sbx_req(&S, "POST", "/v2/auth/token", FORM,
                      "grant_type=client_credentials&client_id=raw-cid&client_secret=raw-sec", &r), 200);
    ZT_EQ_STR(J(r.body, "token_type"), "Bearer");
    ZT_EQ_STR(J(r.body, "expires_in"), "86400");
    ZT_CHECK(J(r.body, "access_token") && strncmp(jbuf, "papi-", 5) == 0);
    ZT_CONTAINS(J(r.body, "scope"), "personio:attendances:write");
    char cc[64];
    ZT_EQ_INT(zt_http_header(&r, "Cache-Control", cc, sizeof cc), 0);
    ZT_EQ_STR(cc, "no-store");
    zt_http_resp_free(&r);
}

static void test_auth_token_errors(void)
{
    zt_http_resp r;
    const char *jsonh[] = {"Content-Type: application/json", NULL};
    ZT_EQ_INT(sbx_req(&S, "POST", "/v2/auth/token", jsonh,
                      "{\"grant_type\":\"client_credentials\",\"client_id\":\"raw-cid\",\"client_secret\":\"raw-sec\"}", &r), 400);
    ZT_EQ_STR(J(r.body, "error"), "invalid_request");
    ZT_CHECK(J(r.body, "trace_id") != NULL);
    zt_http_resp_free(&r);

    ZT_EQ_INT(sbx_req(&S, "POST", "/v2/auth/token", FORM,
                      "grant_type=password&client_id=raw-cid&client_secret=raw-sec", &r), 400);
    ZT_EQ_STR(J(r.body, "error"), "unsupported_grant_type");
    ZT_EQ_STR(J(r.body, "error_description"), "Unsupported Grant Type");
    zt_http_resp_free(&r);

    ZT_EQ_INT(sbx_req(&S, "POST", "/v2/auth/token", FORM,
                      "grant_type=client_credentials&client_id=raw-cid&client_secret=wrong", &r), 401);
    ZT_EQ_STR(J(r.body, "error"), "invalid_client");
    ZT_EQ_STR(J(r.body, "error_description"), "Invalid Credentials");
    zt_http_resp_free(&r);

    ZT_EQ_INT(sbx_req(&S, "POST", "/v2/auth/token", FORM, "grant_type=client_credentials&client_id=raw-cid", &r), 400);
    ZT_EQ_STR(J(r.body, "error_description"), "Required Parameters Missing");
    zt_http_resp_free(&r);

    ZT_EQ_INT(sbx_req(&S, "POST", "/v2/auth/token", FORM,
                      "grant_type=client_credentials&client_id=raw-cid&client_secret=raw-sec&scope=personio%3Apayroll%3Aread", &r), 400);
    ZT_EQ_STR(J(r.body, "error"), "invalid_scope");
    zt_http_resp_free(&r);
}

static void test_bearer_required(void)
{
    zt_http_resp r;
    ZT_EQ_INT(sbx_req(&S, "GET", "/v2/persons", NULL, NULL, &r), 401);
    ZT_EQ_STR(J(r.body, "errors.0.detail"), "Authorization is not provided");
    char ct[128];
    zt_http_header(&r, "Content-Type", ct, sizeof ct);
    ZT_EQ_STR(ct, "application/problem+json");
    ZT_CHECK(J(r.body, "personio_trace_id") != NULL);
    zt_http_resp_free(&r);

    const char *bad[] = {"Authorization: Bearer papi-not-a-token", NULL};
    ZT_EQ_INT(sbx_req(&S, "GET", "/v2/persons", bad, NULL, &r), 401);
    ZT_EQ_STR(J(r.body, "errors.0.detail"), "Provided authorization is not valid");
    ZT_EQ_STR(J(r.body, "errors.0.title"), "Unauthorized Request");
    zt_http_resp_free(&r);
}

static void test_revoke_and_expire(void)
{
    char t[256], a[300];
    ZT_EQ_INT(sbx_token(&S, "raw-cid", "raw-sec", t, sizeof t), 0);
    snprintf(a, sizeof a, "Authorization: Bearer %s", t);
    const char *h[] = {a, NULL};
    ZT_EQ_INT(sbx_req(&S, "GET", "/v2/absence-types", h, NULL, NULL), 200);
    char body[400];
    snprintf(body, sizeof body, "token=%s", t);
    ZT_EQ_INT(sbx_req(&S, "POST", "/v2/auth/revoke", FORM, body, NULL), 200);
    ZT_EQ_INT(sbx_req(&S, "GET", "/v2/absence-types", h, NULL, NULL), 401);

    ZT_EQ_INT(sbx_token(&S, "raw-cid", "raw-sec", t, sizeof t), 0);
    snprintf(a, sizeof a, "Authorization: Bearer %s", t);
    ZT_EQ_INT(sbx_req(&S, "GET", "/v2/absence-types", h, NULL, NULL), 200);
    const char *jh[] = {"Content-Type: application/json", NULL};
    ZT_EQ_INT(sbx_req(&S, "POST", "/_sandbox/expire-tokens", jh, "{\"company\":\"raw-isolated\"}", NULL), 404);
    ZT_EQ_INT(sbx_company(&S, "{\"name\":\"raw-expire\",\"client_id\":\"exp-cid\",\"client_secret\":\"s\"}"), 201);
    char t2[256], a2[300];
    ZT_EQ_INT(sbx_token(&S, "exp-cid", "s", t2, sizeof t2), 0);
    snprintf(a2, sizeof a2, "Authorization: Bearer %s", t2);
    const char *h2[] = {a2, NULL};
    ZT_EQ_INT(sbx_req(&S, "POST", "/_sandbox/expire-tokens", jh, "{\"company\":\"raw-expire\"}", NULL), 204);
    zt_http_resp r;
    ZT_EQ_INT(sbx_req(&S, "GET", "/v2/persons", h2, NULL, &r), 401);
    ZT_EQ_STR(J(r.body, "errors.0.detail"), "Provided authorization is not valid");
    zt_http_resp_free(&r);
    /* the other company's token is untouched */
    ZT_EQ_INT(sbx_req(&S, "GET", "/v2/absence-types", h, NULL, NULL), 200);
}

static void test_scope_forbidden(void)
{
    zt_http_resp r;
    ZT_EQ_INT(sbx_req(&S, "POST", "/v2/auth/token", FORM,
                      "grant_type=client_credentials&client_id=raw-cid&client_secret=raw-sec&scope=personio%3Apersons%3Aread", &r), 200);
    char a[300];
    snprintf(a, sizeof a, "Authorization: Bearer %s", J(r.body, "access_token"));
    zt_http_resp_free(&r);
    const char *h[] = {a, "Content-Type: application/json", NULL};
    ZT_EQ_INT(sbx_req(&S, "GET", "/v2/persons", h, NULL, NULL), 200);
    ZT_EQ_INT(sbx_req(&S, "POST", "/v2/attendance-periods", h, "{}", &r), 403);
    ZT_EQ_STR(J(r.body, "errors.0.title"), "Forbidden");
    zt_http_resp_free(&r);
    ZT_EQ_INT(sbx_req(&S, "POST", "/v2/auth/token", FORM,
                      "grant_type=client_credentials&client_id=raw-cid&client_secret=raw-sec&scope=personio%3Aattendances%3Aread", &r), 200);
    snprintf(a, sizeof a, "Authorization: Bearer %s", J(r.body, "access_token"));
    ZT_EQ_STR(J(r.body, "scope"), "personio:attendances:read");
    zt_http_resp_free(&r);
    ZT_EQ_INT(sbx_req(&S, "GET", "/v2/attendance-periods", h, NULL, NULL), 200);
    ZT_EQ_INT(sbx_req(&S, "GET", "/v2/persons", h, NULL, &r), 401);
    ZT_EQ_STR(J(r.body, "errors.0.title"), "Unauthorized Request");
    zt_http_resp_free(&r);
}

static void test_persons_create_get_and_404(void)
{
    char id[32];
    ZT_EQ_INT(post_person("Lena", "Koch", "lena@raw.example", id, sizeof id), 201);
    ZT_CHECK(id[0] != '\0');
    zt_http_resp r;
    char path[128];
    snprintf(path, sizeof path, "/v2/persons/%s", id);
    ZT_EQ_INT(sbx_req(&S, "GET", path, JH, NULL, &r), 200);
    ZT_EQ_STR(J(r.body, "first_name"), "Lena");
    ZT_EQ_STR(J(r.body, "status"), "ACTIVE");
    ZT_EQ_STR(J(r.body, "custom_attributes.0.id"), "dynamic_1001");
    ZT_EQ_STR(J(r.body, "custom_attributes.0.label"), "Personalnummer");
    ZT_EQ_STR(J(r.body, "custom_attributes.0.value"), "P-Lena");
    ZT_CHECK(J(r.body, "employments.0.id") != NULL);
    char eid[32];
    sbx_cpy(eid, sizeof eid, jbuf);
    ZT_CHECK(J(r.body, "_meta.links.employments.href") && strncmp(jbuf, S.url, strlen(S.url)) == 0);
    zt_http_resp_free(&r);

    snprintf(path, sizeof path, "/v2/persons/%s/employments", id);
    ZT_EQ_INT(sbx_req(&S, "GET", path, JH, NULL, &r), 200);
    ZT_EQ_STR(J(r.body, "_data.0.id"), eid);
    ZT_EQ_STR(J(r.body, "_data.0.person.id"), id);
    ZT_EQ_STR(J(r.body, "_data.0.weekly_working_hours"), "30");
    ZT_EQ_STR(J(r.body, "_data.0.cost_centers.0.id"), "cc-1");
    ZT_EQ_STR(J(r.body, "_data.0.type"), "INTERNAL");
    zt_http_resp_free(&r);

    ZT_EQ_INT(post_person("Dup", "Mail", "lena@raw.example", NULL, 0), 400);

    ZT_EQ_INT(sbx_req(&S, "GET", "/v2/persons/999999", JH, NULL, &r), 404);
    ZT_EQ_STR(J(r.body, "errors.0.title"), "Resource not found");
    ZT_EQ_STR(J(r.body, "errors.0.type"),
              "https://developer.personio.de/reference/errors#common.requested_resource_not_found");
    char ct[128];
    zt_http_header(&r, "Content-Type", ct, sizeof ct);
    ZT_EQ_STR(ct, "application/problem+json");
    zt_http_resp_free(&r);

    ZT_EQ_INT(sbx_req(&S, "POST", "/v2/persons", JH, "{\"first_name\":\"OnlyFirst\"}", &r), 400);
    zt_http_resp_free(&r);
    ZT_EQ_INT(sbx_req(&S, "POST", "/v2/persons", JH, "{not json", &r), 400);
    ZT_EQ_STR(J(r.body, "errors.0.detail"), "Invalid JSON");
    zt_http_resp_free(&r);
}

static void test_persons_limit_cursor_pagination(void)
{
    zt_http_resp r;
    ZT_EQ_INT(sbx_req(&S, "GET", "/v2/persons?limit=51", JH, NULL, &r), 400);
    ZT_EQ_STR(J(r.body, "errors.0.detail"), "Provided value for limit is not valid");
    zt_http_resp_free(&r);
    ZT_EQ_INT(sbx_req(&S, "GET", "/v2/persons?limit=0", JH, NULL, NULL), 400);
    ZT_EQ_INT(sbx_req(&S, "GET", "/v2/persons?limit=50", JH, NULL, NULL), 200);
    ZT_EQ_INT(sbx_req(&S, "GET", "/v2/persons?cursor=bogus", JH, NULL, &r), 400);
    ZT_EQ_STR(J(r.body, "errors.0.detail"), "Invalid cursor");
    zt_http_resp_free(&r);

    for (int i = 0; i < 5; i++) {
        char fn[32], em[64];
        snprintf(fn, sizeof fn, "Page%d", i);
        snprintf(em, sizeof em, "page%d@raw.example", i);
        ZT_EQ_INT(post_person(fn, "Pager", em, NULL, 0), 201);
    }
    /* 5 Pager persons at 2 per page: 3 pages; filters ride along in the absolute next link */
    char url[2048];
    snprintf(url, sizeof url, "%s/v2/persons?last_name=Pager&limit=2", S.url);
    int pages = 0, items = 0;
    while (url[0] && pages < 10) {
        ZT_EQ_INT(zt_http("GET", url, JH, NULL, &r), 0);
        ZT_EQ_INT(r.status, 200);
        items += sbx_jlen(r.body, "_data");
        pages++;
        if (J(r.body, "_meta.links.next.href")) {
            ZT_CHECK(strncmp(jbuf, S.url, strlen(S.url)) == 0);
            ZT_CONTAINS(jbuf, "last_name=Pager");
            ZT_CONTAINS(jbuf, "cursor=");
            sbx_cpy(url, sizeof url, jbuf);
        } else {
            url[0] = '\0';
        }
        zt_http_resp_free(&r);
    }
    ZT_EQ_INT(pages, 3);
    ZT_EQ_INT(items, 5);
}

static void test_persons_updated_at_filter_and_patch(void)
{
    char id[32];
    ZT_EQ_INT(post_person("Upd", "Ated", "upd@raw.example", id, sizeof id), 201);
    zt_http_resp r;
    char path[256], since[64];
    snprintf(path, sizeof path, "/v2/persons/%s", id);
    ZT_EQ_INT(sbx_req(&S, "GET", path, JH, NULL, &r), 200);
    sbx_cpy(since, sizeof since, J(r.body, "updated_at"));
    zt_http_resp_free(&r);
    char q[256];
    char enc[128];
    sbx_cpy(enc, sizeof enc, since);
    for (char *c = enc; *c; c++)
        if (*c == '+')
            *c = 'Z', c[1] = '\0'; /* ".123+00:00" -> ".123Z" for the query string */
    snprintf(q, sizeof q, "/v2/persons?updated_at.gt=%s&limit=50", enc);
    ZT_EQ_INT(sbx_req(&S, "GET", q, JH, NULL, &r), 200);
    ZT_EQ_INT(sbx_jlen(r.body, "_data"), 0);
    zt_http_resp_free(&r);
    ZT_EQ_INT(sbx_req(&S, "PATCH", path, JH, "{\"last_name\":\"Changed\"}", &r), 200);
    ZT_EQ_STR(J(r.body, "last_name"), "Changed");
    zt_http_resp_free(&r);
    ZT_EQ_INT(sbx_req(&S, "GET", q, JH, NULL, &r), 200);
    ZT_EQ_INT(sbx_jlen(r.body, "_data"), 1);
    ZT_EQ_STR(J(r.body, "_data.0.id"), id);
    zt_http_resp_free(&r);
    ZT_EQ_INT(sbx_req(&S, "PATCH", path, JH,
                      "{\"custom_attributes\":[{\"id\":\"dynamic_9\",\"value\":\"x\"}]}", NULL), 400);
}

static char PID[32];

static long post_period(const char *type, const char *start, const char *end, const char *extra,
                        const char *query, zt_http_resp *r)
{
    char body[600], path[128];
    snprintf(body, sizeof body,
             "{\"person\":{\"id\":\"%s\"},\"type\":\"%s\",\"start\":{\"date_time\":\"%s\"},"
             "\"end\":{\"date_time\":\"%s\"}%s}",
             PID, type, start, end, extra ? extra : "");
    snprintf(path, sizeof path, "/v2/attendance-periods%s", query ? query : "");
    return sbx_req(&S, "POST", path, JH, body, r);
}

static void expect_period_error(const char *start, const char *end, const char *type,
                                const char *extra, long status, const char *title_or_detail)
{
    zt_http_resp r;
    ZT_EQ_INT(post_period(type, start, end, extra, NULL, &r), status);
    char t[256] = "", d[256] = "";
    if (J(r.body, "errors.0.title"))
        sbx_cpy(t, sizeof t, jbuf);
    if (J(r.body, "errors.0.detail"))
        sbx_cpy(d, sizeof d, jbuf);
    ZT_CHECK(strcmp(t, title_or_detail) == 0 || strcmp(d, title_or_detail) == 0);
    if (strcmp(t, title_or_detail) != 0 && strcmp(d, title_or_detail) != 0)
        printf("  got %s / %s\n", t, d);
    zt_http_resp_free(&r);
}

static void test_attendance_rules(void)
{
    ZT_EQ_INT(post_person("Att", "Endee", "att@raw.example", PID, sizeof PID), 201);
    zt_http_resp r;
    ZT_EQ_INT(post_period("WORK", "2026-11-02T09:00:00", "2026-11-02T12:00:00", NULL, NULL, &r), 201);
    char id[64];
    sbx_cpy(id, sizeof id, J(r.body, "id") ? jbuf : "");
    ZT_EQ_INT(strlen(id), 36);
    zt_http_resp_free(&r);

    expect_period_error("2026-11-02T11:00:00", "2026-11-02T13:00:00", "WORK", NULL, 409,
                        "Overlapping attendance periods");
    expect_period_error("2026-11-02T12:00:00Z", "2026-11-02T13:00:00", "WORK", NULL, 400,
                        "Invalid request content");
    expect_period_error("2026-11-02T12:00:00+01:00", "2026-11-02T13:00:00", "WORK", NULL, 400,
                        "Invalid request content");
    expect_period_error("2026-11-02T15:00:00", "2026-11-02T14:00:00", "WORK", NULL, 422,
                        "Start date greater than end date");
    expect_period_error("2026-11-03T08:00:00", "2026-11-04T09:00:00", "WORK", NULL, 422,
                        "Period time range too long");
    expect_period_error("2026-11-03T22:00:00", "2026-11-04T01:00:00", "WORK", NULL, 422,
                        "Period crosses midnight");
    expect_period_error("2026-11-03T12:00:00", "2026-11-03T12:30:00", "BREAK",
                        ",\"project\":{\"id\":\"p1\"}", 422, "Break periods with project");
    expect_period_error("2026-11-03T12:00:00", "2026-11-03T12:30:00", "LUNCH", NULL, 400,
                        "Invalid type field");
    ZT_EQ_INT(sbx_req(&S, "POST", "/v2/attendance-periods", JH, "{\"type\":\"WORK\"}", &r), 400);
    ZT_EQ_STR(J(r.body, "errors.0.detail"), "Missing required parameters");
    zt_http_resp_free(&r);

    /* touching is not overlapping; ending at 00:00 belongs to the start day */
    ZT_EQ_INT(post_period("BREAK", "2026-11-02T12:00:00", "2026-11-02T12:30:00", NULL, NULL, NULL), 201);
    ZT_EQ_INT(post_period("WORK", "2026-11-02T21:00:00", "2026-11-03T00:00:00", NULL, NULL, NULL), 201);

    /* the company has an approval rule: default skip_approval=false leaves it PENDING */
    ZT_EQ_INT(post_period("WORK", "2026-11-05T09:00:00", "2026-11-05T10:00:00", NULL, NULL, &r), 201);
    char pend[64], path[128];
    sbx_cpy(pend, sizeof pend, J(r.body, "id"));
    zt_http_resp_free(&r);
    snprintf(path, sizeof path, "/v2/attendance-periods/%s", pend);
    ZT_EQ_INT(sbx_req(&S, "GET", path, JH, NULL, &r), 200);
    ZT_EQ_STR(J(r.body, "approval.status"), "PENDING");
    ZT_EQ_STR(J(r.body, "attribution_date"), "2026-11-05");
    zt_http_resp_free(&r);
    ZT_EQ_INT(post_period("WORK", "2026-11-05T11:00:00", "2026-11-05T12:00:00", NULL, "?skip_approval=true", &r), 201);
    snprintf(path, sizeof path, "/v2/attendance-periods/%s", J(r.body, "id"));
    zt_http_resp_free(&r);
    ZT_EQ_INT(sbx_req(&S, "GET", path, JH, NULL, &r), 200);
    ZT_EQ_STR(J(r.body, "approval.status"), "CONFIRMED");
    zt_http_resp_free(&r);

    /* filters: one person, one day */
    char q[256];
    snprintf(q, sizeof q, "/v2/attendance-periods?person.id=%s&attribution_date.gte=2026-11-02&attribution_date.lte=2026-11-02", PID);
    ZT_EQ_INT(sbx_req(&S, "GET", q, JH, NULL, &r), 200);
    ZT_EQ_INT(sbx_jlen(r.body, "_data"), 3);
    ZT_EQ_STR(J(r.body, "_data.0.start.date_time"), "2026-11-02T09:00:00");
    ZT_EQ_STR(J(r.body, "_data.1.type"), "BREAK");
    zt_http_resp_free(&r);
    ZT_EQ_INT(sbx_req(&S, "GET", "/v2/attendance-periods?start.date_time.gte=2026-11-02T09:00:00Z", JH, NULL, NULL), 400);
    ZT_EQ_INT(sbx_req(&S, "GET", "/v2/attendance-periods?limit=101", JH, NULL, NULL), 400);

    /* PATCH 204, type immutable, overlap with others checked, DELETE 204 then 404 */
    snprintf(path, sizeof path, "/v2/attendance-periods/%s", id);
    ZT_EQ_INT(sbx_req(&S, "PATCH", path, JH, "{\"end\":{\"date_time\":\"2026-11-02T11:30:00\"},\"comment\":\"c\"}", &r), 204);
    ZT_EQ_STR(r.body, "");
    zt_http_resp_free(&r);
    ZT_EQ_INT(sbx_req(&S, "PATCH", path, JH, "{\"type\":\"BREAK\"}", NULL), 400);
    ZT_EQ_INT(sbx_req(&S, "PATCH", path, JH, "{\"end\":{\"date_time\":\"2026-11-02T12:15:00\"}}", NULL), 409);
    ZT_EQ_INT(sbx_req(&S, "GET", path, JH, NULL, &r), 200);
    ZT_EQ_STR(J(r.body, "end.date_time"), "2026-11-02T11:30:00");
    ZT_EQ_STR(J(r.body, "comment"), "c");
    zt_http_resp_free(&r);
    ZT_EQ_INT(sbx_req(&S, "DELETE", path, JH, NULL, NULL), 204);
    ZT_EQ_INT(sbx_req(&S, "GET", path, JH, NULL, NULL), 404);
    ZT_EQ_INT(sbx_req(&S, "DELETE", path, JH, NULL, NULL), 404);

    snprintf(q, sizeof q, "/v2/attendance-periods?person.id=%s&sort=-start.date_time", PID);
    ZT_EQ_INT(sbx_req(&S, "GET", q, JH, NULL, &r), 200);
    ZT_EQ_STR(J(r.body, "_data.0.start.date_time"), "2026-11-05T11:00:00");
    zt_http_resp_free(&r);
    snprintf(q, sizeof q, "/v2/attendance-periods?person.id=%s&sort=status,-start.date_time", PID);
    ZT_EQ_INT(sbx_req(&S, "GET", q, JH, NULL, &r), 200);
    ZT_EQ_STR(J(r.body, "_data.0.approval.status"), "CONFIRMED");
    ZT_EQ_STR(J(r.body, "_data.0.start.date_time"), "2026-11-05T11:00:00");
    ZT_EQ_STR(J(r.body, "_data.1.approval.status"), "PENDING");
    ZT_EQ_STR(J(r.body, "_data.1.start.date_time"), "2026-11-05T09:00:00");
    ZT_EQ_STR(J(r.body, "_data.3.start.date_time"), "2026-11-02T12:00:00");
    zt_http_resp_free(&r);
    ZT_EQ_INT(sbx_req(&S, "GET", "/v2/attendance-periods?sort=colour", JH, NULL, NULL), 400);
    /* Touching from either side (here the second ends where the first starts) is no overlap,
     * a minute more is; on a person of its own so the listings above stay as they are. */
    char keep[sizeof PID];
    sbx_cpy(keep, sizeof keep, PID);
    ZT_EQ_INT(post_person("Touch", "Ing", "touch@raw.example", PID, sizeof PID), 201);
    ZT_EQ_INT(post_period("WORK", "2026-11-07T10:00:00", "2026-11-07T11:00:00", NULL, NULL, NULL), 201);
    ZT_EQ_INT(post_period("WORK", "2026-11-07T09:00:00", "2026-11-07T10:00:00", NULL, NULL, NULL), 201);
    expect_period_error("2026-11-07T08:00:00", "2026-11-07T09:01:00", "WORK", NULL, 409,
                        "Overlapping attendance periods");
    sbx_cpy(PID, sizeof PID, keep);
}

static void test_absences(void)
{
    char pid[32];
    ZT_EQ_INT(post_person("Abs", "Ent", "abs@raw.example", pid, sizeof pid), 201);
    zt_http_resp r;
    ZT_EQ_INT(sbx_req(&S, "GET", "/v2/absence-types", JH, NULL, &r), 200);
    char type[64];
    sbx_cpy(type, sizeof type, J(r.body, "_data.0.id"));
    ZT_EQ_STR(J(r.body, "_data.0.unit"), "DAY");
    zt_http_resp_free(&r);
    char body[700], id[64];
    snprintf(body, sizeof body,
             "{\"person\":{\"id\":\"%s\"},\"absence_type\":{\"id\":\"%s\"},"
             "\"starts_from\":{\"date_time\":\"2026-12-21T00:00:00\",\"type\":\"SECOND_HALF\"},"
             "\"ends_at\":{\"date_time\":\"2026-12-23T00:00:00\",\"type\":\"FIRST_HALF\"},\"comment\":null}",
             pid, type);
    ZT_EQ_INT(sbx_req(&S, "POST", "/v2/absence-periods?skip_approval=true", JH, body, &r), 201);
    sbx_cpy(id, sizeof id, J(r.body, "id"));
    zt_http_resp_free(&r);

    /* the morning of the 21st and the afternoon of the 23rd are still free */
    snprintf(body, sizeof body,
             "{\"person\":{\"id\":\"%s\"},\"absence_type\":{\"id\":\"%s\"},"
             "\"starts_from\":{\"date_time\":\"2026-12-23T00:00:00\",\"type\":\"SECOND_HALF\"},"
             "\"ends_at\":{\"date_time\":\"2026-12-23T00:00:00\"}}", pid, type);
    ZT_EQ_INT(sbx_req(&S, "POST", "/v2/absence-periods", JH, body, NULL), 201);
    snprintf(body, sizeof body,
             "{\"person\":{\"id\":\"%s\"},\"absence_type\":{\"id\":\"%s\"},"
             "\"starts_from\":{\"date_time\":\"2026-12-22T00:00:00\"},"
             "\"ends_at\":{\"date_time\":\"2026-12-22T00:00:00\"}}", pid, type);
    ZT_EQ_INT(sbx_req(&S, "POST", "/v2/absence-periods", JH, body, &r), 409);
    ZT_EQ_STR(J(r.body, "errors.0.title"), "Absence period conflict");
    zt_http_resp_free(&r);
    snprintf(body, sizeof body,
             "{\"person\":{\"id\":\"%s\"},\"absence_type\":{\"id\":\"%s\"},"
             "\"starts_from\":{\"date_time\":\"2026-12-22T00:00:00Z\"}}", pid, type);
    ZT_EQ_INT(sbx_req(&S, "POST", "/v2/absence-periods", JH, body, NULL), 400);

    char path[160], q[300];
    snprintf(path, sizeof path, "/v2/absence-periods/%s", id);
    ZT_EQ_INT(sbx_req(&S, "GET", path, JH, NULL, &r), 200);
    ZT_EQ_STR(J(r.body, "starts_from.type"), "SECOND_HALF");
    ZT_EQ_STR(J(r.body, "approval.status"), "APPROVED");
    ZT_EQ_STR(J(r.body, "timezone_id"), "Europe/Berlin");
    zt_http_resp_free(&r);

    /* a window inside the absence still finds it: filters match overlapping periods */
    snprintf(q, sizeof q, "/v2/absence-periods?person.id=%s&starts_from.date_time.gte=2026-12-22T00:00:00&ends_at.date_time.lte=2026-12-22T23:59:59", pid);
    ZT_EQ_INT(sbx_req(&S, "GET", q, JH, NULL, &r), 200);
    ZT_EQ_INT(sbx_jlen(r.body, "_data"), 1);
    ZT_EQ_STR(J(r.body, "_data.0.id"), id);
    zt_http_resp_free(&r);
    snprintf(q, sizeof q, "/v2/absence-periods?person.id=%s&starts_from.date_time.gte=2027-01-01T00:00:00", pid);
    ZT_EQ_INT(sbx_req(&S, "GET", q, JH, NULL, &r), 200);
    ZT_EQ_INT(sbx_jlen(r.body, "_data"), 0);
    zt_http_resp_free(&r);

    ZT_EQ_INT(sbx_req(&S, "DELETE", path, JH, NULL, NULL), 204);
    ZT_EQ_INT(sbx_req(&S, "GET", path, JH, NULL, NULL), 404);
    /* the range is free again */
    snprintf(body, sizeof body,
             "{\"person\":{\"id\":\"%s\"},\"absence_type\":{\"id\":\"%s\"},"
             "\"starts_from\":{\"date_time\":\"2026-12-22T00:00:00\"},"
             "\"ends_at\":{\"date_time\":\"2026-12-22T00:00:00\"}}", pid, type);
    ZT_EQ_INT(sbx_req(&S, "POST", "/v2/absence-periods", JH, body, &r), 201);
    char again[64];
    sbx_cpy(again, sizeof again, J(r.body, "id"));
    zt_http_resp_free(&r);
    /* a rejected absence no longer blocks its days; a pending one does */
    ZT_EQ_INT(sbx_req(&S, "POST", "/v2/absence-periods", JH, body, NULL), 409);
    snprintf(path, sizeof path, "/v2/absence-periods/%s", again);
    ZT_EQ_INT(sbx_req(&S, "PATCH", path, JH, "{\"approval\":{\"status\":\"REJECTED\"}}", &r), 200);
    ZT_EQ_STR(J(r.body, "approval.status"), "REJECTED");
    zt_http_resp_free(&r);
    ZT_EQ_INT(sbx_req(&S, "POST", "/v2/absence-periods", JH, body, NULL), 201);
}

static void test_tenant_isolation(void)
{
    ZT_EQ_INT(sbx_company(&S, "{\"name\":\"raw-other\",\"client_id\":\"other-cid\",\"client_secret\":\"other-sec\"}"), 201);
    char t[256], a[300];
    ZT_EQ_INT(sbx_token(&S, "other-cid", "other-sec", t, sizeof t), 0);
    snprintf(a, sizeof a, "Authorization: Bearer %s", t);
    const char *h[] = {a, "Content-Type: application/json", NULL};
    char pid[32];
    ZT_EQ_INT(post_person("Iso", "Lated", "iso@raw.example", pid, sizeof pid), 201);
    zt_http_resp r;
    ZT_EQ_INT(sbx_req(&S, "GET", "/v2/persons?limit=50", h, NULL, &r), 200);
    ZT_EQ_INT(sbx_jlen(r.body, "_data"), 0);
    zt_http_resp_free(&r);
    char path[128];
    snprintf(path, sizeof path, "/v2/persons/%s", pid);
    ZT_EQ_INT(sbx_req(&S, "GET", path, h, NULL, NULL), 404);
    ZT_EQ_INT(sbx_req(&S, "PATCH", path, h, "{\"last_name\":\"Hijack\"}", NULL), 404);
    ZT_EQ_INT(sbx_req(&S, "DELETE", path, h, NULL, NULL), 404);
    ZT_EQ_INT(sbx_req(&S, "GET", path, JH, NULL, &r), 200);
    ZT_EQ_STR(J(r.body, "last_name"), "Lated");
    zt_http_resp_free(&r);
    ZT_EQ_INT(sbx_req(&S, "GET", "/v2/attendance-periods", h, NULL, &r), 200);
    ZT_EQ_INT(sbx_jlen(r.body, "_data"), 0);
    zt_http_resp_free(&r);
    /* writing for a foreign person id is rejected like an unknown person */
    char body[300];
    snprintf(body, sizeof body, "{\"person\":{\"id\":\"%s\"},\"type\":\"WORK\",\"start\":{\"date_time\":\"2026-11-09T09:00:00\"},\"end\":{\"date_time\":\"2026-11-09T10:00:00\"}}", pid);
    ZT_EQ_INT(sbx_req(&S, "POST", "/v2/attendance-periods", h, body, NULL), 422);
    /* request counts are per company */
    ZT_EQ_INT(sbx_count(&S, "raw-other", "GET /v2/persons/{id}"), 1);
}

static void test_faults_and_counts(void)
{
    const char *jh[] = {"Content-Type: application/json", NULL};
    ZT_EQ_INT(sbx_req(&S, "POST", "/_sandbox/faults", jh,
                      "{\"method\":\"GET\",\"path_prefix\":\"/v2/absence-types\",\"count\":2,\"status\":503}", NULL), 204);
    long before = sbx_count(&S, "raw-acme", "GET /v2/absence-types");
    zt_http_resp r;
    ZT_EQ_INT(sbx_req(&S, "GET", "/v2/absence-types", JH, NULL, &r), 503);
    ZT_EQ_STR(J(r.body, "errors.0.detail"), "The server is temporarily unavailable. Please try again later.");
    zt_http_resp_free(&r);
    ZT_EQ_INT(sbx_req(&S, "GET", "/v2/absence-types", JH, NULL, NULL), 503);
    ZT_EQ_INT(sbx_req(&S, "GET", "/v2/absence-types", JH, NULL, NULL), 200);
    ZT_EQ_INT(sbx_count(&S, "raw-acme", "GET /v2/absence-types"), before + 3);

    ZT_EQ_INT(sbx_req(&S, "POST", "/_sandbox/faults", jh,
                      "{\"method\":\"GET\",\"path_prefix\":\"/v2/absence-types\",\"drop\":true}", NULL), 204);
    ZT_EQ_INT(sbx_req(&S, "GET", "/v2/absence-types", JH, NULL, NULL), 0);
    ZT_EQ_INT(sbx_req(&S, "GET", "/v2/absence-types", JH, NULL, NULL), 200);

    ZT_EQ_INT(sbx_req(&S, "POST", "/_sandbox/faults", jh,
                      "{\"path_prefix\":\"/v2/absence-types\",\"delay_ms\":300}", NULL), 204);
    char cmd[512], out[64];
    snprintf(cmd, sizeof cmd, "curl -s -o /dev/null -w '%%{time_total}' -H '%s' %s/v2/absence-types", AUTH, S.url);
    ZT_EQ_INT(zt_sh(cmd, out, sizeof out), 0);
    ZT_CHECK(atof(out) >= 0.29);
    ZT_EQ_INT(sbx_req(&S, "POST", "/_sandbox/faults", jh, "{\"path_prefix\":\"/v2\"}", NULL), 400);
}

/* ---- a small webhook receiver ---- */

static pthread_mutex_t rx_lock = PTHREAD_MUTEX_INITIALIZER;
static int rx_count, rx_fail_first;
static char rx_body[8][2048], rx_auth[8][256], rx_custom[8][256];

typedef struct rx_ctx {
    char buf[4096];
    size_t n;
} rx_ctx;

static enum MHD_Result rx_handler(void *cls, struct MHD_Connection *c, const char *url, const char *method,
                                  const char *ver, const char *up, size_t *up_size, void **con_cls)
{
    (void)cls;
    (void)url;
    (void)method;
    (void)ver;
    rx_ctx *x = *con_cls;
    if (!x) {
        x = calloc(1, sizeof *x);
        *con_cls = x;
        return x ? MHD_YES : MHD_NO;
    }
    if (*up_size) {
        size_t take = *up_size < sizeof x->buf - 1 - x->n ? *up_size : sizeof x->buf - 1 - x->n;
        memcpy(x->buf + x->n, up, take);
        x->n += take;
        *up_size = 0;
        return MHD_YES;
    }
    const char *auth = MHD_lookup_connection_value(c, MHD_HEADER_KIND, "Authorization");
    const char *custom = MHD_lookup_connection_value(c, MHD_HEADER_KIND, "X-My-Auth");
    pthread_mutex_lock(&rx_lock);
    int i = rx_count++;
    int fail = i < rx_fail_first;
    if (i < 8) {
        sbx_cpy(rx_body[i], sizeof rx_body[i], x->buf);
        sbx_cpy(rx_auth[i], sizeof rx_auth[i], auth ? auth : "");
        sbx_cpy(rx_custom[i], sizeof rx_custom[i], custom ? custom : "");
    }
    pthread_mutex_unlock(&rx_lock);
    free(x);
    *con_cls = NULL;
    struct MHD_Response *r = MHD_create_response_from_buffer(0, (void *)"", MHD_RESPMEM_PERSISTENT);
    enum MHD_Result ret = MHD_queue_response(c, fail ? 500 : 200, r);
    MHD_destroy_response(r);
    return ret;
}

static int rx_wait(int n, int ms)
{
    for (int t = 0; t < ms; t += 20) {
        pthread_mutex_lock(&rx_lock);
        int got = rx_count;
        pthread_mutex_unlock(&rx_lock);
        if (got >= n)
            return got;
        usleep(20000);
    }
    pthread_mutex_lock(&rx_lock);
    int got = rx_count;
    pthread_mutex_unlock(&rx_lock);
    return got;
}

static void test_webhook_delivery_and_retry(void)
{
    int port = zt_free_port();
    struct MHD_Daemon *d = MHD_start_daemon(MHD_USE_INTERNAL_POLLING_THREAD, (uint16_t)port, NULL, NULL,
                                            rx_handler, NULL, MHD_OPTION_END);
    ZT_CHECK(d != NULL);
    if (!d)
        return;
    char body[600];
    zt_http_resp r;
    /* disabled by default: registered but silent */
    snprintf(body, sizeof body, "{\"url\":\"http://127.0.0.1:%d/off\",\"auth_type\":\"TOKEN\",\"token\":\"Bearer off\"}", port);
    ZT_EQ_INT(sbx_req(&S, "POST", "/v2/webhooks", JH, body, &r), 201);
    ZT_EQ_STR(J(r.body, "status"), "DISABLED");
    ZT_CHECK(J(r.body, "token") == NULL);
    zt_http_resp_free(&r);
    snprintf(body, sizeof body,
             "{\"url\":\"http://127.0.0.1:%d/hook\",\"status\":\"ENABLED\",\"auth_type\":\"TOKEN\","
             "\"token\":\"Bearer wh-secret\",\"enabled_events\":[\"person.created\"]}", port);
    ZT_EQ_INT(sbx_req(&S, "POST", "/v2/webhooks", JH, body, &r), 201);
    char wid[64];
    sbx_cpy(wid, sizeof wid, J(r.body, "id"));
    zt_http_resp_free(&r);
    ZT_EQ_INT(sbx_req(&S, "POST", "/v2/webhooks", JH, "{\"url\":\"ftp://x\"}", &r), 422);
    ZT_EQ_STR(J(r.body, "errors.0.title"), "Invalid URL");
    zt_http_resp_free(&r);

    pthread_mutex_lock(&rx_lock);
    rx_count = 0;
    rx_fail_first = 2;
    pthread_mutex_unlock(&rx_lock);
    char pid[32];
    ZT_EQ_INT(post_person("Hook", "Ed", "hook@raw.example", pid, sizeof pid), 201);
    /* two 500s, then the third attempt is acknowledged */
    ZT_EQ_INT(rx_wait(3, 8000), 3);
    usleep(300000);
    ZT_EQ_INT(rx_wait(4, 0), 3);
    pthread_mutex_lock(&rx_lock);
    ZT_EQ_STR(rx_auth[2], "Bearer wh-secret");
    ZT_EQ_STR(J(rx_body[2], "event_name"), "person.created");
    ZT_EQ_STR(J(rx_body[2], "payload.id"), pid);
    ZT_CHECK(J(rx_body[2], "company_id") != NULL && jbuf[0]);
    ZT_CHECK(J(rx_body[2], "occurred_at") && strchr(jbuf, 'Z'));
    ZT_EQ_STR(rx_body[0], rx_body[2]);
    pthread_mutex_unlock(&rx_lock);
    char path[160];
    snprintf(path, sizeof path, "/v2/webhooks/%s/activity", wid);
    ZT_EQ_INT(sbx_req(&S, "GET", path, JH, NULL, &r), 200);
    ZT_EQ_INT(sbx_jlen(r.body, "_data"), 3);
    ZT_EQ_STR(J(r.body, "_data.0.status_code"), "500");
    ZT_EQ_STR(J(r.body, "_data.2.delivered"), "true");
    zt_http_resp_free(&r);
    /* an event it did not subscribe to is not delivered */
    snprintf(path, sizeof path, "/v2/persons/%s", pid);
    ZT_EQ_INT(sbx_req(&S, "PATCH", path, JH, "{\"first_name\":\"Hooked\"}", NULL), 200);
    usleep(300000);
    ZT_EQ_INT(rx_wait(4, 0), 3);

    /* CUSTOM auth headers, employment events carry the person, ping reaches a disabled hook */
    snprintf(body, sizeof body,
             "{\"url\":\"http://127.0.0.1:%d/emp\",\"status\":\"ENABLED\",\"auth_type\":\"CUSTOM\","
             "\"custom_headers\":{\"X-My-Auth\":\"abc\"},\"enabled_events\":[\"employment.updated\"]}", port);
    ZT_EQ_INT(sbx_req(&S, "POST", "/v2/webhooks", JH, body, NULL), 201);
    ZT_EQ_INT(sbx_req(&S, "POST", "/v2/webhooks", JH,
                      "{\"url\":\"http://127.0.0.1:1/x\",\"auth_type\":\"CUSTOM\",\"custom_headers\":{\"Host\":\"a\"}}", NULL), 422);
    ZT_EQ_INT(sbx_req(&S, "GET", path, JH, NULL, &r), 200);
    char eid[32], epath[200];
    sbx_cpy(eid, sizeof eid, J(r.body, "employments.0.id"));
    zt_http_resp_free(&r);
    snprintf(epath, sizeof epath, "/v2/persons/%s/employments/%s", pid, eid);
    ZT_EQ_INT(sbx_req(&S, "PATCH", epath, JH, "{\"weekly_working_hours\":20}", &r), 200);
    ZT_EQ_STR(J(r.body, "weekly_working_hours"), "20");
    zt_http_resp_free(&r);
    ZT_EQ_INT(rx_wait(4, 5000), 4);
    pthread_mutex_lock(&rx_lock);
    ZT_EQ_STR(J(rx_body[3], "event_name"), "employment.updated");
    ZT_EQ_STR(J(rx_body[3], "payload.id"), eid);
    ZT_EQ_STR(J(rx_body[3], "payload.person.id"), pid);
    ZT_EQ_STR(rx_custom[3], "abc");
    ZT_EQ_STR(rx_auth[3], "");
    pthread_mutex_unlock(&rx_lock);
    ZT_EQ_INT(sbx_req(&S, "GET", "/v2/webhooks", JH, NULL, &r), 200);
    char off_id[64];
    sbx_cpy(off_id, sizeof off_id, J(r.body, "_data.0.id"));
    ZT_EQ_STR(J(r.body, "_data.0.status"), "DISABLED");
    zt_http_resp_free(&r);
    snprintf(epath, sizeof epath, "/v2/webhooks/%s/ping", off_id);
    ZT_EQ_INT(sbx_req(&S, "POST", epath, JH, NULL, NULL), 204);
    ZT_EQ_INT(rx_wait(5, 5000), 5);
    pthread_mutex_lock(&rx_lock);
    ZT_EQ_STR(J(rx_body[4], "event_name"), "ping");
    ZT_EQ_STR(rx_auth[4], "Bearer off");
    pthread_mutex_unlock(&rx_lock);
    MHD_stop_daemon(d);
}

static void test_rate_limit_headers_and_429(void)
{
    sbx s2;
    const char *extra[] = {"--rl-persons", "1:2", NULL};
    ZT_EQ_INT(sbx_start(&s2, extra), 0);
    ZT_EQ_INT(sbx_company(&s2, "{\"name\":\"rl\",\"client_id\":\"rl-cid\",\"client_secret\":\"s\"}"), 201);
    char t[256], a[300];
    ZT_EQ_INT(sbx_token(&s2, "rl-cid", "s", t, sizeof t), 0);
    snprintf(a, sizeof a, "Authorization: Bearer %s", t);
    const char *h[] = {a, NULL};
    zt_http_resp r;
    char v[64];
    ZT_EQ_INT(sbx_req(&s2, "GET", "/v2/persons", h, NULL, &r), 200);
    ZT_EQ_INT(zt_http_header(&r, "x-ratelimit-remaining", v, sizeof v), 0);
    ZT_EQ_STR(v, "1");
    zt_http_header(&r, "x-ratelimit-burst-capacity", v, sizeof v);
    ZT_EQ_STR(v, "2");
    zt_http_header(&r, "x-ratelimit-replenish-rate", v, sizeof v);
    ZT_EQ_STR(v, "1");
    zt_http_header(&r, "x-ratelimit-requested-tokens", v, sizeof v);
    ZT_EQ_STR(v, "1");
    zt_http_resp_free(&r);
    ZT_EQ_INT(sbx_req(&s2, "GET", "/v2/persons", h, NULL, NULL), 200);
    ZT_EQ_INT(sbx_req(&s2, "GET", "/v2/persons", h, NULL, &r), 429);
    ZT_CHECK(zt_http_header(&r, "Retry-After", v, sizeof v) != 0);
    zt_http_header(&r, "x-ratelimit-remaining", v, sizeof v);
    ZT_EQ_STR(v, "0");
    zt_http_resp_free(&r);
    /* other families have their own bucket */
    ZT_EQ_INT(sbx_req(&s2, "GET", "/v2/absence-types", h, NULL, NULL), 200);
    usleep(1100000);
    ZT_EQ_INT(sbx_req(&s2, "GET", "/v2/persons", h, NULL, NULL), 200);
    ZT_EQ_INT(sbx_status_count(&s2, "rl", 429), 1);
    sbx_stop(&s2);
}

static void test_auth_rate_limit(void)
{
    sbx s2;
    const char *extra[] = {"--rl-auth", "3", NULL};
    ZT_EQ_INT(sbx_start(&s2, extra), 0);
    ZT_EQ_INT(sbx_company(&s2, "{\"name\":\"al\",\"client_id\":\"al-cid\",\"client_secret\":\"s\"}"), 201);
    char t[256];
    for (int i = 0; i < 3; i++)
        ZT_EQ_INT(sbx_token(&s2, "al-cid", "s", t, sizeof t), 0);
    zt_http_resp r;
    const char *body = "grant_type=client_credentials&client_id=al-cid&client_secret=s";
    ZT_EQ_INT(sbx_req(&s2, "POST", "/v2/auth/token", FORM, body, &r), 429);
    ZT_EQ_STR(J(r.body, "error"), "temporarily_unavailable");
    zt_http_resp_free(&r);
    ZT_EQ_INT(sbx_req(&s2, "POST", "/v2/auth/token", FORM, body, NULL), 429);
    /* in the cool-down minute one request per second gets through */
    usleep(1100000);
    ZT_EQ_INT(sbx_req(&s2, "POST", "/v2/auth/token", FORM, body, NULL), 200);
    ZT_EQ_INT(sbx_req(&s2, "POST", "/v2/auth/token", FORM, body, NULL), 429);
    sbx_stop(&s2);
}

static void test_state_file_survives_restart(void)
{
    const char *dir = zt_env("ZS_TEST_WORKDIR");
    char path[512];
    snprintf(path, sizeof path, "%s/personio-state-%d.json", dir ? dir : "/tmp", (int)getpid());
    unlink(path);
    const char *extra[] = {"--state", path, NULL};
    sbx s2;
    ZT_EQ_INT(sbx_start(&s2, extra), 0);
    ZT_EQ_INT(sbx_company(&s2, "{\"name\":\"st\",\"client_id\":\"st-cid\",\"client_secret\":\"s\","
                               "\"persons\":[{\"first_name\":\"Sta\",\"last_name\":\"Ted\"}]}"), 201);
    sbx_stop(&s2);
    ZT_EQ_INT(sbx_start(&s2, extra), 0);
    char t[256], a[300];
    ZT_EQ_INT(sbx_token(&s2, "st-cid", "s", t, sizeof t), 0);
    snprintf(a, sizeof a, "Authorization: Bearer %s", t);
    const char *h[] = {a, NULL};
    zt_http_resp r;
    ZT_EQ_INT(sbx_req(&s2, "GET", "/v2/persons", h, NULL, &r), 200);
    ZT_EQ_STR(J(r.body, "_data.0.last_name"), "Ted");
    zt_http_resp_free(&r);
    sbx_stop(&s2);
    unlink(path);
}

int main(void)
{
    srand((unsigned)getpid());
    if (sbx_start(&S, (const char *const[]){"--webhook-retry-ms", "100", "--rl-persons", "1000:1000",
                                           "--rl-attendance", "1000:1000", "--rl-absence", "1000:1000",
                                           "--rl-webhooks", "1000:1000", NULL}) != 0) {
        printf("FAIL cannot start %s\n", zt_bin("zepsync-personio-sandbox"));
        return 1;
    }
    setup_company();
    ZT_RUN(test_auth_token_success_shape);
    ZT_RUN(test_auth_token_errors);
    ZT_RUN(test_bearer_required);
    ZT_RUN(test_revoke_and_expire);
    ZT_RUN(test_scope_forbidden);
    ZT_RUN(test_persons_create_get_and_404);
    ZT_RUN(test_persons_limit_cursor_pagination);
    ZT_RUN(test_persons_updated_at_filter_and_patch);
    ZT_RUN(test_attendance_rules);
    ZT_RUN(test_absences);
    ZT_RUN(test_tenant_isolation);
    ZT_RUN(test_faults_and_counts);
    ZT_RUN(test_webhook_delivery_and_retry);
    ZT_RUN(test_rate_limit_headers_and_429);
    ZT_RUN(test_auth_rate_limit);
    ZT_RUN(test_state_file_survives_restart);
    sbx_stop(&S);
    return zt_summary();
}
