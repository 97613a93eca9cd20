/* Raw-HTTP tests of zepsync-zep-sandbox: exact status codes and bodies, REST and SOAP. */
#include <json-c/json.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "zep_sb.h"

static zep_sb sb;

static long rest(const char *method, const char *inst, const char *path, const char *token, const char *body,
                 zt_http_resp *r)
{
    char url[1024], auth[256];
    snprintf(url, sizeof url, "%s/%s/next/api/v1%s", sb.url, inst, path);
    snprintf(auth, sizeof auth, "Authorization: Bearer %s", token);
    const char *h[] = {auth, "Accept: application/json", "Content-Type: application/json", NULL};
    if (zt_http(method, url, token ? h : h + 1, body, r) != 0)
        return -1;
    return r->status;
}

static long rest_body(const char *method, const char *inst, const char *path, const char *token, const char *body,
                      char *out, size_t cap)
{
    zt_http_resp r;
    long st = rest(method, inst, path, token, body, &r);
    snprintf(out, cap, "%s", r.body ? r.body : "");
    zt_http_resp_free(&r);
    return st;
}

static long soap(const char *inst, const char *xml, zt_http_resp *r)
{
    char url[512];
    snprintf(url, sizeof url, "%s/%s/sync/soap.php?v=10", sb.url, inst);
    const char *h[] = {"Content-Type: text/xml; charset=utf-8", "SOAPAction: \"\"", NULL};
    if (zt_http("POST", url, h, xml, r) != 0)
        return -1;
    return r->status;
}

#define ENV_OPEN                                                                                    \
    "<soapenv:Envelope xmlns:soapenv=\"http://schemas.xmlsoap.org/soap/envelope/\" "               \
    "xmlns:zep=\"http://zep.provantis.de\"><soapenv:Header/><soapenv:Body>"
#define ENV_CLOSE "</soapenv:Body></soapenv:Envelope>"

static const char *EMP1 = "{\"username\":\"anna.test\",\"firstname\":\"Anna\",\"lastname\":\"Test\","
                          "\"email\":\"anna@example.com\",\"password\":\"secret-123\",\"price_group\":\"01\","
                          "\"personal_number\":\"P-1\",\"personio_id\":\"4711\",\"employment\":\"0\"}";

static void setup(void)
{
    ZT_EQ_INT(zep_sb_instance(&sb, "zepalpha", NULL), 201);
    ZT_EQ_INT(zep_sb_instance(&sb, "zepbeta", NULL), 201);
    ZT_EQ_INT(zep_sb_instance(&sb, "zepgrid", "\"minute_grid\":15"), 201);
    ZT_EQ_INT(zep_sb_instance(&sb, "zeprate", "\"rate_limit\":3,\"rate_window_s\":300,\"rate_block_s\":60"), 201);
    ZT_EQ_INT(zep_sb_instance(&sb, "zepalpha", NULL), 409);
    char out[512];
    ZT_EQ_INT(rest_body("POST", "zepalpha", "/employees", "zepalpha-rest", EMP1, out, sizeof out), 201);
}

static void test_auth_and_unknown(void)
{
    char out[2048];
    ZT_EQ_INT(rest_body("GET", "zepalpha", "/employees", NULL, NULL, out, sizeof out), 401);
    ZT_EQ_STR(out, "{\"message\":\"Unauthenticated.\"}");
    ZT_EQ_INT(rest_body("GET", "zepalpha", "/employees", "wrong", NULL, out, sizeof out), 401);
    zt_http_resp r;
    ZT_EQ_INT(rest("GET", "zepnobody", "/employees", "x", NULL, &r), 404);
    ZT_CONTAINS(r.body, "<title>Page not found</title>");
    char ct[128] = "";
    zt_http_header(&r, "Content-Type", ct, sizeof ct);
    ZT_CONTAINS(ct, "text/html");
    zt_http_resp_free(&r);
    ZT_EQ_INT(rest_body("GET", "zepalpha", "/activities", "zepalpha-rest", NULL, out, sizeof out), 404);
    ZT_EQ_STR(out, "{\"message\":\"The route zepalpha/next/api/v1/activities could not be found.\"}");
    ZT_EQ_INT(rest_body("GET", "zepalpha", "/employees/nobody", "zepalpha-rest", NULL, out, sizeof out), 404);
    ZT_EQ_STR(out, "{\"message\":\"Entity not found.\"}");
}

static void test_employee_errors(void)
{
    char out[2048];
    ZT_EQ_INT(rest_body("POST", "zepalpha", "/employees", "zepalpha-rest", EMP1, out, sizeof out), 409);
    ZT_EQ_STR(out, "{\"message\":\"The username has already been taken.\"}");
    const char *dup_mail = "{\"username\":\"other.one\",\"firstname\":\"O\",\"lastname\":\"One\","
                           "\"email\":\"ANNA@example.com\",\"password\":\"secret-123\",\"price_group\":\"01\"}";
    ZT_EQ_INT(rest_body("POST", "zepalpha", "/employees", "zepalpha-rest", dup_mail, out, sizeof out), 409);
    ZT_EQ_STR(out, "{\"message\":\"The email has already been taken.\"}");
    const char *no_first = "{\"username\":\"third.one\",\"lastname\":\"One\",\"email\":\"t@example.com\","
                           "\"password\":\"secret-123\",\"price_group\":\"01\"}";
    ZT_EQ_INT(rest_body("POST", "zepalpha", "/employees", "zepalpha-rest", no_first, out, sizeof out), 422);
    ZT_EQ_STR(out, "{\"message\":\"The firstname field is required.\",\"errors\":{\"firstname\":"
                   "[\"The firstname field is required.\"]}}");
    ZT_EQ_INT(rest_body("POST", "zepalpha", "/employees", "zepalpha-rest", "not json", out, sizeof out), 400);
    ZT_EQ_STR(out, "{\"message\":\"Invalid input\"}");
    /* GET shape: objects for employment/rights, write shape echoed plain strings */
    ZT_EQ_INT(rest_body("GET", "zepalpha", "/employees/anna.test", "zepalpha-rest", NULL, out, sizeof out), 200);
    ZT_CONTAINS(out, "\"employment\":{\"id\":0,\"name\":\"Mitarbeiter/in\"}");
    ZT_CONTAINS(out, "\"personio_id\":\"4711\"");
    ZT_CONTAINS(out, "\"absences_count\":0");
    ZT_CHECK(strstr(out, "password") == NULL);
    /* PUT cannot rename */
    ZT_EQ_INT(rest_body("PUT", "zepalpha", "/employees/anna.test", "zepalpha-rest",
                        "{\"username\":\"anna.renamed\",\"firstname\":\"A\",\"lastname\":\"T\","
                        "\"email\":\"anna@example.com\",\"price_group\":\"01\"}",
                        out, sizeof out),
              422);
    ZT_CONTAINS(out, "cannot be changed");
    /* PUT is a full replace: what the body leaves out becomes null */
    ZT_EQ_INT(rest_body("PUT", "zepalpha", "/employees/anna.test", "zepalpha-rest",
                        "{\"firstname\":\"Anna\",\"lastname\":\"Test\",\"email\":\"anna@example.com\","
                        "\"price_group\":\"02\",\"personal_number\":\"P-1\"}",
                        out, sizeof out),
              200);
    ZT_CONTAINS(out, "\"price_group\":\"02\"");
    ZT_CONTAINS(out, "\"personio_id\":null");
    ZT_EQ_INT(rest_body("DELETE", "zepalpha", "/employees/anna.test", "zepalpha-rest", NULL, out, sizeof out), 405);
    ZT_EQ_STR(out, "{\"message\":\"The DELETE method is not supported for route zepalpha/next/api/v1/employees/"
                   "anna.test. Supported methods: GET, HEAD, PUT.\"}");
    /* personal_number filter */
    ZT_EQ_INT(rest_body("GET", "zepalpha", "/employees?personal_number=P-1", "zepalpha-rest", NULL, out, sizeof out), 200);
    ZT_CONTAINS(out, "\"total\":1");
    ZT_EQ_INT(rest_body("GET", "zepalpha", "/employees?personal_number=P-9", "zepalpha-rest", NULL, out, sizeof out), 200);
    ZT_CONTAINS(out, "\"data\":[]");
    ZT_CONTAINS(out, "\"from\":null");
}

static void test_employment_periods(void)
{
    char out[4096];
    ZT_EQ_INT(rest_body("GET", "zepalpha", "/employees/anna.test/employment-periods", "zepalpha-rest", NULL, out,
                        sizeof out), 200);
    ZT_CONTAINS(out, "\"end_date\":null"); /* the default period opened at creation */
    ZT_EQ_INT(rest_body("POST", "zepalpha", "/employees/anna.test/employment-periods", "zepalpha-rest",
                        "{\"start_date\":\"2030-01-01\",\"annual_leave_entitlement\":30}", out, sizeof out), 422);
    ZT_CONTAINS(out, "Only one open-ended employment period is allowed.");
    ZT_EQ_INT(rest_body("POST", "zepalpha", "/employees/anna.test/employment-periods", "zepalpha-rest",
                        "{\"start_date\":\"2020-01-01\",\"end_date\":\"2020-12-31\",\"annual_leave_entitlement\":30}",
                        out, sizeof out), 201);
    ZT_CONTAINS(out, "\"start_date\":\"2020-01-01T00:00:00.000000Z\"");
    ZT_EQ_INT(rest_body("POST", "zepalpha", "/employees/anna.test/employment-periods", "zepalpha-rest",
                        "{\"start_date\":\"2020-06-01\",\"end_date\":\"2021-01-31\",\"annual_leave_entitlement\":30}",
                        out, sizeof out), 422);
    ZT_CONTAINS(out, "overlaps");
    /* dates are inclusive: starting on the other period's last day overlaps, the day after not */
    ZT_EQ_INT(rest_body("POST", "zepalpha", "/employees/anna.test/employment-periods", "zepalpha-rest",
                        "{\"start_date\":\"2020-12-31\",\"end_date\":\"2021-03-31\",\"annual_leave_entitlement\":30}",
                        out, sizeof out), 422);
    ZT_CONTAINS(out, "overlaps");
    ZT_EQ_INT(rest_body("POST", "zepalpha", "/employees/anna.test/employment-periods", "zepalpha-rest",
                        "{\"start_date\":\"2021-01-01\",\"end_date\":\"2021-03-31\",\"annual_leave_entitlement\":30}",
                        out, sizeof out), 201);
    ZT_EQ_INT(rest_body("POST", "zepalpha", "/employees/anna.test/regular-working-times", "zepalpha-rest",
                        "{\"start_date\":\"2020-01-01\",\"monday\":8,\"tuesday\":8,\"wednesday\":8,\"thursday\":8,"
                        "\"friday\":6}", out, sizeof out), 201);
    ZT_CONTAINS(out, "\"friday\":6");
    ZT_CONTAINS(out, "\"saturday\":null");
    ZT_CONTAINS(out, "\"breakRegulationType\":{\"id\":1,\"name\":\"Standard\"}");
}

static void test_pagination_envelope(void)
{
    /* 19 more employees through the seed API: 20 in total */
    char body[8192];
    size_t len = (size_t)snprintf(body, sizeof body, "{\"instance\":\"zepalpha\",\"employees\":[");
    for (int i = 0; i < 19; i++)
        len += (size_t)snprintf(body + len, sizeof body - len,
                                "%s{\"username\":\"user.%02d\",\"firstname\":\"U\",\"lastname\":\"%02d\","
                                "\"email\":\"u%02d@example.com\",\"password\":\"secret-123\",\"price_group\":\"01\"}",
                                i ? "," : "", i, i, i);
    snprintf(body + len, sizeof body - len, "]}");
    ZT_EQ_INT(zep_sb_ctl(&sb, "POST", "seed", body, NULL, 0), 201);
    char *out = malloc(1 << 16);
    ZT_EQ_INT(rest_body("GET", "zepalpha", "/employees?limit=5&page=2", "zepalpha-rest", NULL, out, 1 << 16), 200);
    json_object *o = json_tokener_parse(out), *meta, *links, *v;
    ZT_CHECK(o != NULL);
    ZT_CHECK(json_object_object_get_ex(o, "meta", &meta));
    ZT_CHECK(json_object_object_get_ex(o, "links", &links));
    json_object_object_get_ex(meta, "current_page", &v);
    ZT_EQ_INT(json_object_get_int(v), 2);
    json_object_object_get_ex(meta, "last_page", &v);
    ZT_EQ_INT(json_object_get_int(v), 4);
    json_object_object_get_ex(meta, "from", &v);
    ZT_EQ_INT(json_object_get_int(v), 6);
    json_object_object_get_ex(meta, "to", &v);
    ZT_EQ_INT(json_object_get_int(v), 10);
    json_object_object_get_ex(meta, "total", &v);
    ZT_EQ_INT(json_object_get_int(v), 20);
    json_object_object_get_ex(meta, "per_page", &v);
    ZT_EQ_INT(json_object_get_int(v), 5);
    json_object_object_get_ex(links, "next", &v);
    char want[256];
    snprintf(want, sizeof want, "%s/zepalpha/next/api/v1/employees?page=3", sb.url);
    ZT_EQ_STR(json_object_get_string(v), want);
    json_object_object_get_ex(meta, "links", &v);
    ZT_EQ_INT(json_object_array_length(v), 6); /* prev, 1..4, next */
    ZT_EQ_STR(json_object_get_string(json_object_object_get(json_object_array_get_idx(v, 0), "label")), "&laquo; Previous");
    ZT_EQ_STR(json_object_get_string(json_object_object_get(json_object_array_get_idx(v, 5), "label")), "Next &raquo;");
    ZT_CHECK(json_object_get_boolean(json_object_object_get(json_object_array_get_idx(v, 2), "active")));
    json_object_object_get_ex(o, "data", &v);
    ZT_EQ_INT(json_object_array_length(v), 5);
    json_object_put(o);
    /* the last page has no next link (a client following it would loop or run past the end) */
    ZT_EQ_INT(rest_body("GET", "zepalpha", "/employees?limit=5&page=4", "zepalpha-rest", NULL, out, 1 << 16), 200);
    o = json_tokener_parse(out);
    ZT_CHECK(o != NULL && json_object_object_get_ex(o, "links", &links));
    ZT_CHECK(json_object_object_get_ex(links, "next", &v) && v == NULL);
    ZT_CHECK(json_object_object_get_ex(o, "meta", &meta) && json_object_object_get_ex(meta, "links", &v));
    ZT_CHECK(json_object_object_get(json_object_array_get_idx(v, json_object_array_length(v) - 1), "url") == NULL);
    json_object_object_get_ex(o, "data", &v);
    ZT_EQ_INT(json_object_array_length(v), 5);
    json_object_put(o);
    ZT_EQ_INT(rest_body("GET", "zepalpha", "/employees", "zepalpha-rest", NULL, out, 1 << 16), 200);
    ZT_CONTAINS(out, "\"per_page\":15");
    ZT_CONTAINS(out, "\"last_page\":2");
    ZT_EQ_INT(rest_body("GET", "zepalpha", "/employees?limit=101", "zepalpha-rest", NULL, out, 1 << 16), 422);
    ZT_CONTAINS(out, "\"errors\":{\"limit\":");
    ZT_EQ_INT(rest_body("GET", "zepalpha", "/employees?limit=5&page=9", "zepalpha-rest", NULL, out, 1 << 16), 200);
    ZT_CONTAINS(out, "\"data\":[]");
    ZT_CONTAINS(out, "\"next\":null");
    free(out);
}

static void test_attendances(void)
{
    char out[4096];
    const char *b = "{\"employee_id\":\"anna.test\",\"date\":\"2026-03-02\",\"from\":\"08:00:00\",\"to\":\"12:15:00\","
                    "\"project_id\":1,\"project_task_id\":2,\"activity_id\":\"be\",\"note\":\"n\"}";
    ZT_EQ_INT(rest_body("POST", "zepalpha", "/attendances", "zepalpha-rest", b, out, sizeof out), 201);
    ZT_CHECK(strncmp(out, "{\"data\":[{\"id\":", 15) == 0); /* one-element array */
    ZT_CONTAINS(out, "\"duration\":4.25");
    ZT_CONTAINS(out, "\"date\":\"2026-03-02T00:00:00.000000Z\"");
    long id = atol(out + 15);
    char path[64];
    snprintf(path, sizeof path, "/attendances/%ld", id);
    const char *methods[] = {"PUT", "PATCH", "DELETE"};
    for (int i = 0; i < 3; i++) {
        char want[300];
        ZT_EQ_INT(rest_body(methods[i], "zepalpha", path, "zepalpha-rest", b, out, sizeof out), 405);
        snprintf(want, sizeof want, "{\"message\":\"The %s method is not supported for route zepalpha/next/api/v1"
                                    "/attendances/%ld. Supported methods: GET, HEAD.\"}", methods[i], id);
        ZT_EQ_STR(out, want);
    }
    const char *backwards = "{\"employee_id\":\"anna.test\",\"date\":\"2026-03-02\",\"from\":\"12:00:00\","
                            "\"to\":\"08:00:00\",\"project_id\":1,\"project_task_id\":2,\"activity_id\":\"be\"}";
    ZT_EQ_INT(rest_body("POST", "zepalpha", "/attendances", "zepalpha-rest", backwards, out, sizeof out), 422);
    ZT_CONTAINS(out, "\"errors\":{\"to\":");
    const char *unknown = "{\"employee_id\":\"ghost.user\",\"date\":\"2026-03-02\",\"from\":\"08:00:00\","
                          "\"to\":\"09:00:00\",\"project_id\":1,\"project_task_id\":2,\"activity_id\":\"be\"}";
    ZT_EQ_INT(rest_body("POST", "zepalpha", "/attendances", "zepalpha-rest", unknown, out, sizeof out), 422);
    ZT_CONTAINS(out, "The selected employee id is invalid.");
    /* filters: employee_id and the inclusive date window */
    ZT_EQ_INT(rest_body("GET", "zepalpha", "/attendances?employee_id=anna.test&start_date=2026-03-02&end_date=2026-03-02",
                        "zepalpha-rest", NULL, out, sizeof out), 200);
    ZT_CONTAINS(out, "\"total\":1");
    ZT_EQ_INT(rest_body("GET", "zepalpha", "/attendances?start_date=2026-03-03", "zepalpha-rest", NULL, out, sizeof out), 200);
    ZT_CONTAINS(out, "\"total\":0");
    ZT_EQ_INT(rest_body("GET", "zepalpha", "/attendances?start_date=03.03.2026", "zepalpha-rest", NULL, out, sizeof out), 422);
    /* the minute grid of zepgrid is 15 */
    ZT_EQ_INT(rest_body("POST", "zepgrid", "/employees", "zepgrid-rest", EMP1, out, sizeof out), 201);
    const char *offgrid = "{\"employee_id\":\"anna.test\",\"date\":\"2026-03-02\",\"from\":\"08:00:00\","
                          "\"to\":\"09:10:00\",\"project_id\":1,\"project_task_id\":2,\"activity_id\":\"be\"}";
    ZT_EQ_INT(rest_body("POST", "zepgrid", "/attendances", "zepgrid-rest", offgrid, out, sizeof out), 422);
    ZT_CONTAINS(out, "minute grid of 15 minutes");
}

static void test_absences(void)
{
    char out[4096];
    const char *b = "{\"employee_id\":\"anna.test\",\"absence_reason_id\":\"UB\",\"start_date\":\"2026-04-01\","
                    "\"end_date\":\"2026-04-03\",\"planned\":true,\"note\":\"trip\"}";
    ZT_EQ_INT(rest_body("POST", "zepalpha", "/absences", "zepalpha-rest", b, out, sizeof out), 201);
    ZT_CONTAINS(out, "\"planned\":1");
    ZT_CONTAINS(out, "\"type\":1");
    long id = atol(strstr(out, "\"id\":") + 5);
    char path[64];
    snprintf(path, sizeof path, "/absences/%ld", id);
    ZT_EQ_INT(rest_body("GET", "zepalpha", path, "zepalpha-rest", NULL, out, sizeof out), 200);
    ZT_CONTAINS(out, "\"approved\":false");
    ZT_CONTAINS(out, "\"type\":0");
    ZT_CONTAINS(out, "\"absenceReason\":{\"name\":\"UB\"");
    ZT_CONTAINS(out, "\"end_date\":\"2026-04-03T00:00:00.000000Z\"");
    snprintf(path, sizeof path, "/absences/%ld/approve", id);
    ZT_EQ_INT(rest_body("POST", "zepalpha", path, "zepalpha-rest", NULL, out, sizeof out), 404);
    char want[200];
    snprintf(want, sizeof want, "The route zepalpha/next/api/v1/absences/%ld/approve could not be found.", id);
    ZT_CONTAINS(out, want);
    snprintf(path, sizeof path, "/absences/%ld", id);
    ZT_EQ_INT(rest_body("DELETE", "zepalpha", path, "zepalpha-rest", NULL, out, sizeof out), 405);
    ZT_CONTAINS(out, "Supported methods: GET, HEAD.");
    ZT_EQ_INT(rest_body("POST", "zepalpha", "/absences", "zepalpha-rest",
                        "{\"employee_id\":\"anna.test\",\"absence_reason_id\":\"XX\",\"start_date\":\"2026-04-01\","
                        "\"end_date\":\"2026-04-01\"}", out, sizeof out), 422);
    ZT_CONTAINS(out, "The selected absence reason id is invalid.");
    /* overlap semantics of the window filter */
    ZT_EQ_INT(rest_body("GET", "zepalpha", "/absences?start_date=2026-04-03&end_date=2026-04-30", "zepalpha-rest",
                        NULL, out, sizeof out), 200);
    ZT_CONTAINS(out, "\"total\":1");
    ZT_EQ_INT(rest_body("GET", "zepalpha", "/absence-reasons", "zepalpha-rest", NULL, out, sizeof out), 200);
    ZT_CONTAINS(out, "\"total\":3");
}

static void test_rate_limit_block(void)
{
    char out[512];
    ZT_EQ_INT(rest_body("POST", "zeprate", "/employees", "zeprate-rest", EMP1, out, sizeof out), 201);
    ZT_EQ_INT(rest_body("GET", "zeprate", "/employees", "zeprate-rest", NULL, out, sizeof out), 200);
    ZT_EQ_INT(rest_body("GET", "zeprate", "/employees", "zeprate-rest", NULL, out, sizeof out), 200);
    zt_http_resp r;
    ZT_EQ_INT(rest("GET", "zeprate", "/employees", "zeprate-rest", NULL, &r), 429);
    ZT_EQ_STR(r.body, "{\"message\":\"Too Many Attempts.\"}");
    char ra[32] = "";
    ZT_EQ_INT(zt_http_header(&r, "Retry-After", ra, sizeof ra), 0);
    ZT_EQ_STR(ra, "60");
    zt_http_resp_free(&r);
    /* blocked for 60 s, not just until the window has room */
    ZT_EQ_INT(zep_sb_ctl(&sb, "POST", "clock", "{\"advance_s\":30}", NULL, 0), 200);
    ZT_EQ_INT(rest_body("GET", "zeprate", "/employees", "zeprate-rest", NULL, out, sizeof out), 429);
    /* other instances (other tokens) are not affected */
    ZT_EQ_INT(rest_body("GET", "zepbeta", "/employees", "zepbeta-rest", NULL, out, sizeof out), 200);
    ZT_EQ_INT(zep_sb_ctl(&sb, "POST", "clock", "{\"advance_s\":31}", NULL, 0), 200);
    ZT_EQ_INT(rest_body("GET", "zeprate", "/employees", "zeprate-rest", NULL, out, sizeof out), 200);
}

static void test_isolation(void)
{
    char out[4096];
    ZT_EQ_INT(rest_body("GET", "zepbeta", "/employees", "zepalpha-rest", NULL, out, sizeof out), 401);
    ZT_EQ_INT(rest_body("GET", "zepbeta", "/employees/anna.test", "zepbeta-rest", NULL, out, sizeof out), 404);
    ZT_EQ_INT(rest_body("GET", "zepbeta", "/attendances", "zepbeta-rest", NULL, out, sizeof out), 200);
    ZT_CONTAINS(out, "\"total\":0");
    zt_http_resp r;
    ZT_EQ_INT(soap("zepbeta", ENV_OPEN "<zep:ReadMitarbeiterRequest><requestHeader><authorizationToken>zepalpha-soap"
                              "</authorizationToken></requestHeader><readMitarbeiterSearchCriteria/>"
                              "</zep:ReadMitarbeiterRequest>" ENV_CLOSE, &r), 200);
    ZT_CONTAINS(r.body, "<returnCode>1005</returnCode>");
    ZT_CHECK(strstr(r.body, "anna") == NULL);
    zt_http_resp_free(&r);
    ZT_EQ_INT(soap("zepbeta", ENV_OPEN "<zep:ReadMitarbeiterRequest><requestHeader><authorizationToken>zepbeta-soap"
                              "</authorizationToken></requestHeader><readMitarbeiterSearchCriteria/>"
                              "</zep:ReadMitarbeiterRequest>" ENV_CLOSE, &r), 200);
    ZT_CONTAINS(r.body, "<mitarbeiterListe length=\"0\"/>");
    zt_http_resp_free(&r);
}

static void test_soap(void)
{
    zt_http_resp r;
    ZT_EQ_INT(soap("zepalpha", ENV_OPEN "<zep:ReadProjektzeitenRequest><requestHeader><authorizationToken>nope"
                               "</authorizationToken></requestHeader></zep:ReadProjektzeitenRequest>" ENV_CLOSE, &r), 200);
    ZT_CONTAINS(r.body, "<ns1:ReadProjektzeitenResponse xmlns:ns1=\"http://zep.provantis.de\"><responseHeader>"
                        "<version>10.0</version><returnCode>1005</returnCode><message>Missing or invalid SOAP "
                        "authorization token</message></responseHeader></ns1:ReadProjektzeitenResponse>");
    zt_http_resp_free(&r);
    ZT_EQ_INT(soap("zepalpha", "<not-xml", &r), 500);
    ZT_CONTAINS(r.body, "<SOAP-ENV:Fault><faultcode>SOAP-ENV:Client</faultcode><faultstring>malformed XML request");
    zt_http_resp_free(&r);
    ZT_EQ_INT(soap("zepalpha", ENV_OPEN "<zep:FlyRequest><requestHeader><authorizationToken>zepalpha-soap"
                               "</authorizationToken></requestHeader></zep:FlyRequest>" ENV_CLOSE, &r), 500);
    ZT_CONTAINS(r.body, "<faultstring>unknown operation</faultstring>");
    zt_http_resp_free(&r);
    ZT_EQ_INT(soap("zepalpha", ENV_OPEN "<zep:ReadProjektzeitenRequest><requestHeader><authorizationToken>zepalpha-soap"
                               "</authorizationToken></requestHeader><readProjektzeitenSearchCriteria/>"
                               "</zep:ReadProjektzeitenRequest>" ENV_CLOSE, &r), 500);
    ZT_CONTAINS(r.body, "von and bis are mandatory");
    zt_http_resp_free(&r);
    /* create through SOAP, see it through REST and SOAP */
    ZT_EQ_INT(soap("zepalpha", ENV_OPEN "<zep:CreateProjektzeitRequest><requestHeader><authorizationToken>zepalpha-soap"
                               "</authorizationToken></requestHeader><projektzeit><userId>anna.test</userId>"
                               "<datum>2026-05-04</datum><von>09:00</von><bis>10:30</bis><projektNr>1</projektNr>"
                               "<vorgangNr>2</vorgangNr><taetigkeit>be</taetigkeit><bemerkung>a &amp; b</bemerkung>"
                               "</projektzeit></zep:CreateProjektzeitRequest>" ENV_CLOSE, &r), 200);
    ZT_CONTAINS(r.body, "<returnCode>0</returnCode></responseHeader><ids>");
    long id = atol(strstr(r.body, "<ids>") + 5);
    zt_http_resp_free(&r);
    char path[64], out[4096];
    snprintf(path, sizeof path, "/attendances/%ld", id);
    ZT_EQ_INT(rest_body("GET", "zepalpha", path, "zepalpha-rest", NULL, out, sizeof out), 200);
    ZT_CONTAINS(out, "\"from\":\"09:00:00\",\"to\":\"10:30:00\"");
    ZT_CONTAINS(out, "\"duration\":1.5");
    ZT_CONTAINS(out, "\"note\":\"a & b\"");
    ZT_EQ_INT(soap("zepalpha", ENV_OPEN "<zep:ReadProjektzeitenRequest><requestHeader><authorizationToken>zepalpha-soap"
                               "</authorizationToken></requestHeader><readProjektzeitenSearchCriteria><von>2026-05-04"
                               "</von><bis>2026-05-04</bis><userIdListe><userId>anna.test</userId></userIdListe>"
                               "</readProjektzeitenSearchCriteria></zep:ReadProjektzeitenRequest>" ENV_CLOSE, &r), 200);
    ZT_CONTAINS(r.body, "<projektzeitListe length=\"1\"><projektzeiten><id>");
    ZT_CONTAINS(r.body, "<von>09:00</von><bis>10:30</bis><dauer>01:30</dauer>");
    ZT_CONTAINS(r.body, "<bemerkung>a &amp; b</bemerkung>");
    zt_http_resp_free(&r);
    /* delete through SOAP; REST sees it gone; a second delete is a business error */
    char del[1024];
    snprintf(del, sizeof del, ENV_OPEN "<zep:DeleteProjektzeitRequest><requestHeader><authorizationToken>zepalpha-soap"
                                       "</authorizationToken></requestHeader><id>%ld</id></zep:DeleteProjektzeitRequest>"
                                       ENV_CLOSE, id);
    ZT_EQ_INT(soap("zepalpha", del, &r), 200);
    ZT_CONTAINS(r.body, "<returnCode>0</returnCode>");
    zt_http_resp_free(&r);
    ZT_EQ_INT(rest_body("GET", "zepalpha", path, "zepalpha-rest", NULL, out, sizeof out), 404);
    ZT_EQ_INT(soap("zepalpha", del, &r), 200);
    ZT_CONTAINS(r.body, "<returnCode>1014</returnCode>");
    zt_http_resp_free(&r);
    /* absences: half day through SOAP, the REST view says type 1 */
    ZT_EQ_INT(soap("zepalpha", ENV_OPEN "<zep:CreateFehlzeitRequest><requestHeader><authorizationToken>zepalpha-soap"
                               "</authorizationToken></requestHeader><fehlzeit><userId>anna.test</userId>"
                               "<startdatum>2026-06-01</startdatum><fehlgrund>UB</fehlgrund><istHalberTag>true"
                               "</istHalberTag><genehmigt>true</genehmigt></fehlzeit></zep:CreateFehlzeitRequest>"
                               ENV_CLOSE, &r), 200);
    long aid = atol(strstr(r.body, "<ids>") + 5);
    zt_http_resp_free(&r);
    snprintf(path, sizeof path, "/absences/%ld", aid);
    ZT_EQ_INT(rest_body("GET", "zepalpha", path, "zepalpha-rest", NULL, out, sizeof out), 200);
    ZT_CONTAINS(out, "\"type\":1");
    ZT_CONTAINS(out, "\"approved\":true");
    ZT_EQ_INT(soap("zepalpha", ENV_OPEN "<zep:ReadFehlzeitRequest><requestHeader><authorizationToken>zepalpha-soap"
                               "</authorizationToken></requestHeader><readFehlzeitSearchCriteria/>"
                               "</zep:ReadFehlzeitRequest>" ENV_CLOSE, &r), 500);
    ZT_CONTAINS(r.body, "userId is mandatory");
    zt_http_resp_free(&r);
    ZT_EQ_INT(soap("zepalpha", ENV_OPEN "<zep:ReadFehlgrundRequest><requestHeader><authorizationToken>zepalpha-soap"
                               "</authorizationToken></requestHeader></zep:ReadFehlgrundRequest>" ENV_CLOSE, &r), 200);
    ZT_CONTAINS(r.body, "<fehlgrundListe length=\"3\"><fehlgrund><kurzform>UB</kurzform><bezeichnung>Urlaub bezahlt"
                        "</bezeichnung><genehmigungspflichtig>true</genehmigungspflichtig>");
    zt_http_resp_free(&r);
    /* createMitarbeiter: no password needed; REST sees the new user */
    ZT_EQ_INT(soap("zepalpha", ENV_OPEN "<zep:CreateMitarbeiterRequest><requestHeader><authorizationToken>zepalpha-soap"
                               "</authorizationToken></requestHeader><mitarbeiter><userId>soap.user</userId>"
                               "<vorname>So</vorname><nachname>Ap</nachname><email>soap@example.com</email>"
                               "<preisgruppe>01</preisgruppe><personioId>77</personioId></mitarbeiter>"
                               "</zep:CreateMitarbeiterRequest>" ENV_CLOSE, &r), 200);
    ZT_CONTAINS(r.body, "<returnCode>0</returnCode></responseHeader><userId>soap.user</userId>");
    zt_http_resp_free(&r);
    ZT_EQ_INT(rest_body("GET", "zepalpha", "/employees/soap.user", "zepalpha-rest", NULL, out, sizeof out), 200);
    ZT_CONTAINS(out, "\"personio_id\":\"77\"");
    ZT_EQ_INT(soap("zepalpha", ENV_OPEN "<zep:CreateMitarbeiterRequest><requestHeader><authorizationToken>zepalpha-soap"
                               "</authorizationToken></requestHeader><mitarbeiter><userId>soap.two</userId>"
                               "<vorname>So</vorname><email>two@example.com</email><preisgruppe>01</preisgruppe>"
                               "</mitarbeiter></zep:CreateMitarbeiterRequest>" ENV_CLOSE, &r), 200);
    ZT_CONTAINS(r.body, "<returnCode>1</returnCode><message>The lastname field is required.</message>");
    zt_http_resp_free(&r);
    char url[256];
    snprintf(url, sizeof url, "%s/zepalpha/sync/soap.php?v=10&wsdl", sb.url);
    ZT_EQ_INT(zt_http("GET", url, NULL, NULL, &r), 0);
    ZT_EQ_INT(r.status, 200);
    ZT_CONTAINS(r.body, "<service name=\"ZepSoap\"><port name=\"ZepSOAP\"");
    ZT_CONTAINS(r.body, "<soap:operation soapAction=\"\"/>");
    zt_http_resp_free(&r);
}

static void test_faults_and_counts(void)
{
    char out[1024];
    ZT_EQ_INT(zep_sb_ctl(&sb, "POST", "faults",
                         "{\"instance\":\"zepbeta\",\"method\":\"GET\",\"path_prefix\":\"/employees\",\"status\":503,"
                         "\"count\":2}", NULL, 0), 201);
    ZT_EQ_INT(rest_body("GET", "zepbeta", "/attendances", "zepbeta-rest", NULL, out, sizeof out), 200);
    ZT_EQ_INT(rest_body("GET", "zepbeta", "/employees", "zepbeta-rest", NULL, out, sizeof out), 503);
    ZT_EQ_INT(rest_body("GET", "zepbeta", "/employees", "zepbeta-rest", NULL, out, sizeof out), 503);
    ZT_EQ_INT(rest_body("GET", "zepbeta", "/employees", "zepbeta-rest", NULL, out, sizeof out), 200);
    ZT_EQ_INT(zep_sb_ctl(&sb, "POST", "faults", "{\"instance\":\"zepbeta\",\"drop\":true}", NULL, 0), 201);
    zt_http_resp r;
    ZT_EQ_INT(rest("GET", "zepbeta", "/employees", "zepbeta-rest", NULL, &r), -1); /* no response at all */
    zt_http_resp_free(&r);
    ZT_EQ_INT(zep_sb_ctl(&sb, "POST", "faults", "{\"instance\":\"zepbeta\",\"soap_operation\":\"readFehlgrund\","
                                               "\"status\":500}", NULL, 0), 201);
    ZT_EQ_INT(soap("zepbeta", ENV_OPEN "<zep:ReadFehlgrundRequest><requestHeader><authorizationToken>zepbeta-soap"
                              "</authorizationToken></requestHeader></zep:ReadFehlgrundRequest>" ENV_CLOSE, &r), 500);
    zt_http_resp_free(&r);
    ZT_EQ_INT(zep_sb_count(&sb, "zepbeta", "GET /employees"), 6);
    ZT_EQ_INT(zep_sb_count(&sb, "zepbeta", "SOAP readFehlgrund"), 1);
    ZT_EQ_INT(zep_sb_count(&sb, "zepbeta", "SOAP readMitarbeiter"), 2);
    ZT_EQ_INT(zep_sb_count(&sb, "zepalpha", "GET /attendances/{id}"), 2);
    ZT_EQ_INT(zep_sb_ctl(&sb, "POST", "faults", "{\"status\":0}", out, sizeof out), 422);
    /* drop_after: the write happens, the answer is lost */
    ZT_EQ_INT(rest_body("POST", "zepbeta", "/employees", "zepbeta-rest", EMP1, out, sizeof out), 201);
    ZT_EQ_INT(zep_sb_ctl(&sb, "POST", "faults", "{\"instance\":\"zepbeta\",\"method\":\"POST\","
                                               "\"path_prefix\":\"/attendances\",\"drop_after\":true}", NULL, 0), 201);
    const char *b = "{\"employee_id\":\"anna.test\",\"date\":\"2026-03-09\",\"from\":\"08:00:00\","
                    "\"to\":\"09:00:00\",\"project_id\":1,\"project_task_id\":2,\"activity_id\":\"be\"}";
    ZT_EQ_INT(rest("POST", "zepbeta", "/attendances", "zepbeta-rest", b, &r), -1);
    zt_http_resp_free(&r);
    ZT_EQ_INT(rest_body("GET", "zepbeta", "/attendances?start_date=2026-03-09&end_date=2026-03-09", "zepbeta-rest",
                        NULL, out, sizeof out), 200);
    ZT_CONTAINS(out, "\"total\":1");
    /* statuses of the sandbox's own answers (the injected 503s are not among them) */
    ZT_EQ_INT(zep_sb_ctl(&sb, "GET", "requests?instance=zepbeta", NULL, out, sizeof out), 200);
    ZT_CONTAINS(out, "\"statuses\":{");
    ZT_CONTAINS(out, "\"401\":1");
    ZT_EQ_INT(zep_sb_ctl(&sb, "DELETE", "requests", NULL, NULL, 0), 200);
    ZT_EQ_INT(zep_sb_count(&sb, "zepbeta", NULL), 0);
}

static void test_instance_settings(void)
{
    char out[4096];
    ZT_EQ_INT(zep_sb_instance(&sb, "zepcustom",
                              "\"modules_off\":[\"attendances\"],\"absence_reasons\":[{\"name\":\"SU\","
                              "\"comment\":\"Sonderurlaub|en:Special leave\",\"approve\":0,\"allow_half_day_holiday\":0,"
                              "\"type\":{\"id\":1,\"name\":\"paid absence\"}}]"), 201);
    ZT_EQ_INT(rest_body("GET", "zepcustom", "/attendances", "zepcustom-rest", NULL, out, sizeof out), 404);
    ZT_EQ_STR(out, "{\"message\":\"The route zepcustom/next/api/v1/attendances could not be found.\"}");
    ZT_EQ_INT(rest_body("GET", "zepcustom", "/absence-reasons", "zepcustom-rest", NULL, out, sizeof out), 200);
    ZT_CONTAINS(out, "\"total\":1");
    ZT_CONTAINS(out, "\"name\":\"SU\"");
    ZT_EQ_INT(rest_body("POST", "zepcustom", "/employees", "zepcustom-rest", EMP1, out, sizeof out), 201);
    ZT_EQ_INT(rest_body("POST", "zepcustom", "/absences", "zepcustom-rest",
                        "{\"employee_id\":\"anna.test\",\"absence_reason_id\":\"UB\",\"start_date\":\"2026-04-01\","
                        "\"end_date\":\"2026-04-01\"}", out, sizeof out), 422);
    ZT_EQ_INT(rest_body("POST", "zepcustom", "/absences", "zepcustom-rest",
                        "{\"employee_id\":\"anna.test\",\"absence_reason_id\":\"SU\",\"start_date\":\"2026-04-01\","
                        "\"end_date\":\"2026-04-01\"}", out, sizeof out), 201);
    /* HEAD answers like GET without a body */
    zt_http_resp r;
    ZT_EQ_INT(rest("HEAD", "zepcustom", "/employees", "zepcustom-rest", NULL, &r), 200);
    ZT_CHECK(!r.body || !r.body[0]);
    zt_http_resp_free(&r);
    /* instance reset keeps the instance and its tokens, drops its data */
    ZT_EQ_INT(zep_sb_ctl(&sb, "POST", "reset", "{\"instance\":\"zepcustom\"}", NULL, 0), 200);
    ZT_EQ_INT(rest_body("GET", "zepcustom", "/employees", "zepcustom-rest", NULL, out, sizeof out), 200);
    ZT_CONTAINS(out, "\"total\":0");
    ZT_EQ_INT(rest_body("GET", "zepalpha", "/employees/anna.test", "zepalpha-rest", NULL, out, sizeof out), 200);
    ZT_EQ_INT(zep_sb_ctl(&sb, "POST", "instances", "{\"name\":\"Bad Name\",\"rest_token\":\"a\",\"soap_token\":\"b\"}",
                         NULL, 0), 422);
}

static void test_state_persistence(void)
{
    zep_sb s2;
    char state[700];
    snprintf(state, sizeof state, "%s/state.json", sb.dir);
    const char *args[] = {"--state", state, "--instance", "zepkeep:rk:sk", NULL};
    ZT_EQ_INT(zep_sb_start(&s2, "state", args), 0);
    zep_sb keep = sb;
    sb = s2;
    char out[2048];
    ZT_EQ_INT(rest_body("POST", "zepkeep", "/employees", "rk", EMP1, out, sizeof out), 201);
    zep_sb_stop(&s2);
    ZT_EQ_INT(zep_sb_start(&s2, "state", args), 0);
    sb = s2;
    ZT_EQ_INT(rest_body("GET", "zepkeep", "/employees/anna.test", "rk", NULL, out, sizeof out), 200);
    ZT_CONTAINS(out, "\"email\":\"anna@example.com\"");
    zep_sb_stop(&s2);
    sb = keep;
}

int main(void)
{
    if (zep_sb_start(&sb, "raw", NULL) != 0) {
        fprintf(stderr, "cannot start zepsync-zep-sandbox\n");
        return 1;
    }
    ZT_RUN(setup);
    ZT_RUN(test_auth_and_unknown);
    ZT_RUN(test_employee_errors);
    ZT_RUN(test_employment_periods);
    ZT_RUN(test_pagination_envelope);
    ZT_RUN(test_attendances);
    ZT_RUN(test_absences);
    ZT_RUN(test_rate_limit_block);
    ZT_RUN(test_isolation);
    ZT_RUN(test_soap);
    ZT_RUN(test_faults_and_counts);
    ZT_RUN(test_instance_settings);
    ZT_RUN(test_state_persistence);
    zep_sb_stop(&sb);
    return zt_summary();
}
