/* Contract suite: the zs_zep client against a spawned zepsync-zep-sandbox, every call and error. */
#include <json-c/json.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "zep/zs_zep.h"
#include "zep_sb.h"

static zep_sb sb;

/* A pacer that always allows and counts how often it was asked. */
static long pacer_calls;
static long count_acquire(void *ctx, const char *tenant, zs_err *err)
{
    (void)ctx, (void)err;
    if (!strcmp(tenant, "tenant-acme")) /* the configured tenant, not the instance, keys the pacer */
        pacer_calls++;
    return 0;
}

static zs_zep *client(const char *inst, const char *rest_token, const char *soap_token)
{
    zs_zep_cfg cfg = {.base_url = sb.url, .instance = inst, .rest_token = rest_token, .soap_token = soap_token,
                      .tenant = "tenant-acme", .retry_base_ms = 10};
    cfg.pacer.acquire = count_acquire;
    zs_err err = {{0}};
    zs_zep *z = zs_zep_new(&cfg, &err);
    if (!z)
        fprintf(stderr, "zs_zep_new: %s\n", err.msg);
    return z;
}

static zs_zep *acme(void)
{
    return client("zcacme", "zcacme-rest", "zcacme-soap");
}

static void fill_employee(zs_zep_employee *e, const char *user, const char *email)
{
    memset(e, 0, sizeof *e);
    snprintf(e->username, sizeof e->username, "%s", user);
    snprintf(e->firstname, sizeof e->firstname, "Max");
    snprintf(e->lastname, sizeof e->lastname, "Muster");
    snprintf(e->email, sizeof e->email, "%s", email);
    snprintf(e->price_group, sizeof e->price_group, "01");
    snprintf(e->personal_number, sizeof e->personal_number, "PN-%s", user);
    snprintf(e->personio_id, sizeof e->personio_id, "9001");
    snprintf(e->cost_bearer, sizeof e->cost_bearer, "KST-1");
    e->department_id = -1;
}

static void fill_booking(zs_zep_booking *b, const char *user, const char *date, const char *from, const char *to)
{
    memset(b, 0, sizeof *b);
    snprintf(b->employee_id, sizeof b->employee_id, "%s", user);
    snprintf(b->date, sizeof b->date, "%s", date);
    snprintf(b->from, sizeof b->from, "%s", from);
    snprintf(b->to, sizeof b->to, "%s", to);
    snprintf(b->project_id, sizeof b->project_id, "10");
    snprintf(b->project_task_id, sizeof b->project_task_id, "20");
    snprintf(b->activity_id, sizeof b->activity_id, "be");
}

static void setup(void)
{
    ZT_EQ_INT(zep_sb_instance(&sb, "zcacme", NULL), 201);
    ZT_EQ_INT(zep_sb_instance(&sb, "zcother", NULL), 201);
    ZT_EQ_INT(zep_sb_instance(&sb, "zcrate", "\"rate_limit\":4,\"rate_window_s\":300,\"rate_block_s\":2"), 201);
}

static void test_employee_lifecycle(void)
{
    zs_zep *z = acme();
    zs_err err = {{0}};
    zs_zep_employee e, got;
    fill_employee(&e, "max.muster", "max@example.com");
    ZT_EQ_INT(zs_zep_employee_create(z, &e, "secret-pass", &got, &err), ZS_OK);
    ZT_EQ_STR(got.username, "max.muster");
    ZT_EQ_STR(got.personio_id, "9001");
    ZT_EQ_INT(zs_zep_last_status(z), 201);

    /* duplicate username and duplicate e-mail: conflict, with ZEP's message */
    ZT_EQ_INT(zs_zep_employee_create(z, &e, "secret-pass", NULL, &err), ZS_ERR_CONFLICT);
    ZT_CONTAINS(err.msg, "The username has already been taken.");
    ZT_EQ_INT(zs_zep_last_status(z), 409);
    zs_zep_employee e2;
    fill_employee(&e2, "erika.m", "MAX@example.com");
    ZT_EQ_INT(zs_zep_employee_create(z, &e2, "secret-pass", NULL, &err), ZS_ERR_CONFLICT);
    ZT_CONTAINS(err.msg, "email has already been taken");
    /* validation: a failed, not retried, with the field named */
    fill_employee(&e2, "erika.m", "erika@example.com");
    ZT_EQ_INT(zs_zep_employee_create(z, &e2, "short", NULL, &err), ZS_ERR_FAILED);
    ZT_CONTAINS(err.msg, "HTTP 422");
    ZT_CONTAINS(err.msg, "[password:");
    ZT_EQ_INT(zs_zep_employee_create(z, &e2, "secret-pass", NULL, &err), ZS_OK);

    /* read-merge-write: only the masked field changes, the rest survives the full-replace PUT */
    zs_zep_employee v = {0};
    snprintf(v.cost_bearer, sizeof v.cost_bearer, "KST-2");
    snprintf(v.firstname, sizeof v.firstname, "IGNORED");
    ZT_EQ_INT(zs_zep_employee_update(z, "max.muster", &v, ZS_ZEP_EMP_COST_BEARER, &got, &err), ZS_OK);
    ZT_EQ_STR(got.cost_bearer, "KST-2");
    ZT_EQ_STR(got.firstname, "Max");
    ZT_EQ_STR(got.personio_id, "9001");
    ZT_EQ_STR(got.personal_number, "PN-max.muster");
    ZT_EQ_INT(zs_zep_employee_get(z, "max.muster", &got, &err), ZS_OK);
    ZT_EQ_STR(got.cost_bearer, "KST-2");
    ZT_EQ_STR(got.email, "max@example.com");
    ZT_EQ_INT(got.employment, 0);
    /* an update that takes a colleague's e-mail is a conflict */
    snprintf(v.email, sizeof v.email, "erika@example.com");
    ZT_EQ_INT(zs_zep_employee_update(z, "max.muster", &v, ZS_ZEP_EMP_EMAIL, NULL, &err), ZS_ERR_CONFLICT);

    ZT_EQ_INT(zs_zep_employee_get(z, "nobody.here", &got, &err), ZS_ERR_NOTFOUND);
    ZT_EQ_INT(zs_zep_employee_find_email(z, "ERIKA@example.com", &got, &err), ZS_OK);
    ZT_EQ_STR(got.username, "erika.m");
    ZT_EQ_INT(zs_zep_employee_find_email(z, "ghost@example.com", &got, &err), ZS_ERR_NOTFOUND);
    ZT_EQ_INT(zs_zep_employee_find_personio_id(z, "9001", &got, &err), ZS_OK);
    ZT_EQ_STR(got.username, "max.muster");
    ZT_EQ_INT(zs_zep_employee_find_personio_id(z, "1234", &got, &err), ZS_ERR_NOTFOUND);
    zs_zep_employee_vec list = {0};
    ZT_EQ_INT(zs_zep_employee_list(z, "PN-erika.m", &list, &err), ZS_OK);
    ZT_EQ_INT(list.n, 1);
    ZT_EQ_STR(list.n ? list.items[0].username : "", "erika.m");
    zs_zep_employee_vec_release(&list);
    zs_zep_free(z);
}

static void test_periods_and_working_times(void)
{
    zs_zep *z = acme();
    zs_err err = {{0}};
    zs_zep_period_vec pv = {0};
    ZT_EQ_INT(zs_zep_period_list(z, "max.muster", &pv, &err), ZS_OK);
    ZT_EQ_INT(pv.n, 1); /* ZEP opened one on the creation day */
    zs_zep_employment_period p = pv.n ? pv.items[0] : (zs_zep_employment_period){0}, got;
    ZT_EQ_STR(p.end_date, "");
    zs_zep_period_vec_release(&pv);
    /* move the open period to the hire date */
    snprintf(p.start_date, sizeof p.start_date, "2024-03-01");
    p.annual_leave_entitlement = 28;
    ZT_EQ_INT(zs_zep_period_update(z, "max.muster", &p, &got, &err), ZS_OK);
    ZT_EQ_STR(got.start_date, "2024-03-01");
    ZT_EQ_STR(got.end_date, "");
    /* a second open-ended period is refused */
    zs_zep_employment_period p2 = {0};
    snprintf(p2.start_date, sizeof p2.start_date, "2030-01-01");
    ZT_EQ_INT(zs_zep_period_create(z, "max.muster", &p2, NULL, &err), ZS_ERR_FAILED);
    ZT_CONTAINS(err.msg, "Only one open-ended employment period is allowed.");
    snprintf(p2.start_date, sizeof p2.start_date, "2020-01-01");
    snprintf(p2.end_date, sizeof p2.end_date, "2023-12-31");
    ZT_EQ_INT(zs_zep_period_create(z, "max.muster", &p2, &got, &err), ZS_OK);
    ZT_EQ_STR(got.end_date, "2023-12-31");
    ZT_CHECK(got.id > 0);

    zs_zep_working_time w = {0}, wg;
    snprintf(w.start_date, sizeof w.start_date, "2024-03-01");
    for (int i = 0; i < 7; i++)
        w.hours[i] = i < 5 ? 8 : -1;
    w.hours[4] = 6.5;
    w.monthly_hours = -1;
    ZT_EQ_INT(zs_zep_working_time_create(z, "max.muster", &w, &wg, &err), ZS_OK);
    zs_zep_working_time_vec wv = {0};
    ZT_EQ_INT(zs_zep_working_time_list(z, "max.muster", &wv, &err), ZS_OK);
    ZT_EQ_INT(wv.n, 1);
    if (wv.n) {
        ZT_CHECK(wv.items[0].hours[4] == 6.5);
        ZT_CHECK(wv.items[0].hours[5] < 0);
        ZT_EQ_STR(wv.items[0].start_date, "2024-03-01");
    }
    zs_zep_working_time_vec_release(&wv);
    ZT_EQ_INT(zs_zep_period_list(z, "nobody.here", &pv, &err), ZS_ERR_NOTFOUND);
    zs_zep_free(z);
}

static void test_bookings_rest_and_405(void)
{
    zs_zep *z = acme();
    zs_err err = {{0}};
    zs_zep_booking b, got;
    fill_booking(&b, "max.muster", "2026-02-02", "08:00:00", "12:30:00");
    snprintf(b.note, sizeof b.note, "Ümlaut & \"quotes\"");
    ZT_EQ_INT(zs_zep_booking_create(z, &b, &got, &err), ZS_OK);
    ZT_CHECK(got.id > 0);
    ZT_CHECK(got.duration == 4.5);
    ZT_EQ_STR(got.note, "Ümlaut & \"quotes\"");
    ZT_EQ_STR(got.project_id, "10");
    zs_zep_booking again;
    ZT_EQ_INT(zs_zep_booking_get(z, got.id, &again, &err), ZS_OK);
    ZT_EQ_STR(again.from, "08:00:00");
    ZT_EQ_STR(again.date, "2026-02-02");
    fill_booking(&b, "max.muster", "2026-02-02", "13:00:00", "12:00:00");
    ZT_EQ_INT(zs_zep_booking_create(z, &b, NULL, &err), ZS_ERR_FAILED);
    ZT_CONTAINS(err.msg, "[to:");
    /* REST has no booking update: 405 with the exact message, classified failed */
    char path[64], *resp = NULL;
    snprintf(path, sizeof path, "/attendances/%ld", got.id);
    ZT_EQ_INT(zs_zep_rest_raw(z, "PATCH", path, "{\"note\":\"x\"}", &resp, &err), ZS_ERR_FAILED);
    ZT_CONTAINS(err.msg, "HTTP 405: The PATCH method is not supported for route zcacme/next/api/v1/attendances/");
    ZT_CONTAINS(err.msg, "Supported methods: GET, HEAD.");
    ZT_CHECK(resp == NULL);
    ZT_EQ_INT(zs_zep_rest_raw(z, "GET", "/absence-reasons?limit=1", NULL, &resp, &err), ZS_OK);
    ZT_CONTAINS(resp, "\"per_page\":1");
    free(resp);
    ZT_EQ_INT(zs_zep_rest_raw(z, "GET", "/activities", NULL, &resp, &err), ZS_ERR_NOTFOUND);
    ZT_CONTAINS(err.msg, "could not be found");
    zs_zep_free(z);
}

static void test_pagination_three_pages(void)
{
    /* 230 bookings seeded directly, read back through pages of 100: 3 GETs */
    size_t cap = 230 * 200 + 256, len = 0;
    char *body = malloc(cap);
    len += (size_t)snprintf(body + len, cap - len, "{\"instance\":\"zcacme\",\"attendances\":[");
    for (int i = 0; i < 230; i++)
        len += (size_t)snprintf(body + len, cap - len,
                                "%s{\"employee_id\":\"erika.m\",\"date\":\"2026-01-%02d\",\"from\":\"%02d:00\","
                                "\"to\":\"%02d:30\",\"project_id\":1,\"project_task_id\":2,\"activity_id\":\"be\"}",
                                i ? "," : "", 1 + i % 28, 6 + i / 28 % 12, 6 + i / 28 % 12);
    snprintf(body + len, cap - len, "]}");
    ZT_EQ_INT(zep_sb_ctl(&sb, "POST", "seed", body, NULL, 0), 201);
    free(body);
    zs_zep *z = acme();
    zs_err err = {{0}};
    ZT_EQ_INT(zep_sb_ctl(&sb, "DELETE", "requests?instance=zcacme", NULL, NULL, 0), 200);
    zs_zep_booking_vec v = {0};
    ZT_EQ_INT(zs_zep_booking_list(z, "erika.m", "2026-01-01", "2026-01-31", &v, &err), ZS_OK);
    ZT_EQ_INT(v.n, 230);
    ZT_EQ_INT(zep_sb_count(&sb, "zcacme", "GET /attendances"), 3);
    int ids_increase = 1;
    for (size_t i = 1; i < v.n; i++)
        ids_increase &= v.items[i].id > v.items[i - 1].id;
    ZT_CHECK(ids_increase); /* no item twice, none skipped across page borders */
    zs_zep_booking_vec_release(&v);
    /* the filters survive paging (links.next would have dropped them) */
    ZT_EQ_INT(zs_zep_booking_list(z, "erika.m", "2026-01-01", "2026-01-01", &v, &err), ZS_OK);
    ZT_EQ_INT(v.n, 9);
    zs_zep_booking_vec_release(&v);
    zs_zep_free(z);
}

static void test_absences_rest_and_soap(void)
{
    zs_zep *z = acme();
    zs_err err = {{0}};
    zs_zep_absence a = {0}, got;
    snprintf(a.employee_id, sizeof a.employee_id, "max.muster");
    snprintf(a.reason, sizeof a.reason, "UB");
    snprintf(a.start_date, sizeof a.start_date, "2026-07-06");
    snprintf(a.end_date, sizeof a.end_date, "2026-07-10");
    a.approved = 1;
    ZT_EQ_INT(zs_zep_absence_create(z, &a, &got, &err), ZS_OK);
    ZT_CHECK(got.id > 0);
    ZT_EQ_INT(got.approved, 1);
    zs_zep_absence full;
    ZT_EQ_INT(zs_zep_absence_get(z, got.id, &full, &err), ZS_OK);
    ZT_EQ_INT(full.kind, ZS_ZEP_ABS_FULL_DAY);
    ZT_EQ_STR(full.end_date, "2026-07-10");
    ZT_EQ_INT(full.approved, 1);
    /* planned → not approved */
    snprintf(a.start_date, sizeof a.start_date, "2026-08-03");
    snprintf(a.end_date, sizeof a.end_date, "2026-08-03");
    a.approved = 0;
    a.kind = ZS_ZEP_ABS_HOURS;
    snprintf(a.from, sizeof a.from, "09:00:00");
    snprintf(a.to, sizeof a.to, "12:00:00");
    a.hours = 3;
    ZT_EQ_INT(zs_zep_absence_create(z, &a, &got, &err), ZS_OK);
    ZT_EQ_INT(zs_zep_absence_get(z, got.id, &full, &err), ZS_OK);
    ZT_EQ_INT(full.kind, ZS_ZEP_ABS_HOURS);
    ZT_EQ_INT(full.approved, 0);
    ZT_CHECK(full.hours == 3);
    snprintf(a.reason, sizeof a.reason, "NOPE");
    ZT_EQ_INT(zs_zep_absence_create(z, &a, NULL, &err), ZS_ERR_FAILED);
    ZT_CONTAINS(err.msg, "absence reason id is invalid");
    a.kind = ZS_ZEP_ABS_HALF_DAY;
    ZT_EQ_INT(zs_zep_absence_create(z, &a, NULL, &err), ZS_ERR_FAILED); /* no half days over REST */

    /* SOAP: half day create, update, delete */
    zs_zep_absence h = {0};
    snprintf(h.employee_id, sizeof h.employee_id, "max.muster");
    snprintf(h.reason, sizeof h.reason, "UB");
    snprintf(h.start_date, sizeof h.start_date, "2026-09-01");
    h.kind = ZS_ZEP_ABS_HALF_DAY;
    h.approved = 1;
    snprintf(h.note, sizeof h.note, "zepsync:abs-1 <&>");
    long id = 0;
    ZT_EQ_INT(zs_zep_soap_absence_create(z, &h, &id, &err), ZS_OK);
    ZT_CHECK(id > 0);
    ZT_EQ_INT(zs_zep_absence_get(z, id, &full, &err), ZS_OK);
    ZT_EQ_INT(full.kind, ZS_ZEP_ABS_HALF_DAY);
    ZT_EQ_STR(full.note, "zepsync:abs-1 <&>");
    h.id = id;
    h.kind = ZS_ZEP_ABS_FULL_DAY;
    snprintf(h.reason, sizeof h.reason, "KR");
    snprintf(h.end_date, sizeof h.end_date, "2026-09-02");
    ZT_EQ_INT(zs_zep_soap_absence_update(z, &h, &err), ZS_OK);
    zs_zep_absence_vec av = {0};
    ZT_EQ_INT(zs_zep_soap_absences(z, "max.muster", "2026-09-01", "2026-09-30", NULL, &av, &err), ZS_OK);
    ZT_EQ_INT(av.n, 1);
    if (av.n) {
        ZT_EQ_STR(av.items[0].reason, "KR");
        ZT_EQ_INT(av.items[0].kind, ZS_ZEP_ABS_FULL_DAY);
        ZT_EQ_STR(av.items[0].end_date, "2026-09-02");
        ZT_EQ_STR(av.items[0].note, "zepsync:abs-1 <&>");
    }
    zs_zep_absence_vec_release(&av);
    ZT_EQ_INT(zs_zep_soap_absence_delete(z, id, &err), ZS_OK);
    ZT_EQ_INT(zs_zep_absence_get(z, id, &full, &err), ZS_ERR_NOTFOUND);
    ZT_EQ_INT(zs_zep_soap_absence_delete(z, id, &err), ZS_ERR_NOTFOUND);
    ZT_CONTAINS(err.msg, "returnCode 1014");
    h.id = id;
    ZT_EQ_INT(zs_zep_soap_absence_update(z, &h, &err), ZS_ERR_NOTFOUND);
    /* REST list with the overlap window */
    ZT_EQ_INT(zs_zep_absence_list(z, "max.muster", "2026-07-08", "2026-08-31", &av, &err), ZS_OK);
    ZT_EQ_INT(av.n, 2);
    zs_zep_absence_vec_release(&av);

    zs_zep_reason_vec rv = {0}, sv = {0};
    ZT_EQ_INT(zs_zep_reason_list(z, &rv, &err), ZS_OK);
    ZT_EQ_INT(zs_zep_soap_reasons(z, &sv, &err), ZS_OK);
    ZT_EQ_INT(rv.n, 3);
    ZT_EQ_INT(sv.n, 3);
    if (rv.n == 3 && sv.n == 3) {
        ZT_EQ_STR(rv.items[0].name, "UB");
        ZT_EQ_STR(rv.items[0].label, "Urlaub bezahlt");
        ZT_EQ_INT(rv.items[0].needs_approval, 1);
        ZT_EQ_INT(rv.items[1].needs_approval, 0);
        ZT_EQ_STR(sv.items[1].name, "KR");
        ZT_EQ_STR(sv.items[1].label, rv.items[1].label);
        ZT_EQ_INT(sv.items[2].type_id, 3);
    }
    zs_zep_reason_vec_release(&rv);
    zs_zep_reason_vec_release(&sv);
    zs_zep_free(z);
}

/* "YYYY-MM-DD HH:MM:SS" of the sandbox clock. */
static void sandbox_now(char *out, size_t cap)
{
    char buf[256] = "";
    zep_sb_ctl(&sb, "GET", "clock", NULL, buf, sizeof buf);
    json_object *o = json_tokener_parse(buf), *v;
    snprintf(out, cap, "%s", o && json_object_object_get_ex(o, "now", &v) ? json_object_get_string(v) : "");
    json_object_put(o);
}

static void test_soap_bookings_modified_since(void)
{
    zs_zep *z = acme();
    zs_err err = {{0}};
    long ids[3] = {0};
    for (int i = 0; i < 3; i++) {
        zs_zep_booking b;
        char from[16], to[16];
        snprintf(from, sizeof from, "%02d:00:00", 8 + 2 * i);
        snprintf(to, sizeof to, "%02d:45:00", 8 + 2 * i);
        fill_booking(&b, "max.muster", "2026-10-05", from, to);
        ZT_EQ_INT(zs_zep_soap_booking_create(z, &b, &ids[i], &err), ZS_OK);
    }
    /* time passes; then the user edits one booking */
    ZT_EQ_INT(zep_sb_ctl(&sb, "POST", "clock", "{\"advance_s\":120}", NULL, 0), 200);
    char since[32];
    sandbox_now(since, sizeof since);
    zs_zep_booking up;
    fill_booking(&up, "max.muster", "2026-10-05", "10:00:00", "11:15:00");
    up.id = ids[1];
    snprintf(up.note, sizeof up.note, "edited");
    ZT_EQ_INT(zs_zep_soap_booking_update(z, &up, &err), ZS_OK);
    zs_zep_booking_query q = {.modified_since = since};
    zs_zep_booking_vec v = {0};
    ZT_EQ_INT(zs_zep_soap_bookings(z, &q, &v, &err), ZS_OK);
    ZT_EQ_INT(v.n, 1);
    if (v.n) {
        ZT_EQ_INT(v.items[0].id, ids[1]);
        ZT_EQ_STR(v.items[0].to, "11:15:00");
        ZT_EQ_STR(v.items[0].note, "edited");
        ZT_CHECK(v.items[0].duration == 1.25);
    }
    zs_zep_booking_vec_release(&v);
    /* createdSince sees none of the old ones */
    zs_zep_booking_query qc = {.created_since = since};
    ZT_EQ_INT(zs_zep_soap_bookings(z, &qc, &v, &err), ZS_OK);
    ZT_EQ_INT(v.n, 0);
    zs_zep_booking_vec_release(&v);
    /* a window read by user sees all three; REST sees the edit as well */
    const char *users[] = {"max.muster", NULL};
    zs_zep_booking_query qw = {.von = "2026-10-05", .bis = "2026-10-05", .users = users};
    ZT_EQ_INT(zs_zep_soap_bookings(z, &qw, &v, &err), ZS_OK);
    ZT_EQ_INT(v.n, 3);
    zs_zep_booking_vec_release(&v);
    zs_zep_booking rb;
    ZT_EQ_INT(zs_zep_booking_get(z, ids[1], &rb, &err), ZS_OK);
    ZT_EQ_STR(rb.note, "edited");
    /* delete one; it vanishes from both APIs (no tombstones: producers diff windows) */
    ZT_EQ_INT(zs_zep_soap_booking_delete(z, ids[2], &err), ZS_OK);
    ZT_EQ_INT(zs_zep_booking_get(z, ids[2], &rb, &err), ZS_ERR_NOTFOUND);
    ZT_EQ_INT(zs_zep_soap_bookings(z, &qw, &v, &err), ZS_OK);
    ZT_EQ_INT(v.n, 2);
    zs_zep_booking_vec_release(&v);
    /* SOAP fault: no criterion at all */
    zs_zep_booking_query none = {0};
    ZT_EQ_INT(zs_zep_soap_bookings(z, &none, &v, &err), ZS_ERR_FAILED);
    ZT_CONTAINS(err.msg, "SOAP Fault SOAP-ENV:Client: von and bis are mandatory");
    zs_zep_booking_vec_release(&v);
    /* business validation over SOAP */
    zs_zep_booking bad;
    fill_booking(&bad, "ghost.user", "2026-10-05", "08:00:00", "09:00:00");
    ZT_EQ_INT(zs_zep_soap_booking_create(z, &bad, NULL, &err), ZS_ERR_FAILED);
    ZT_CONTAINS(err.msg, "employee id is invalid");
    /* a create answered without ids cannot be found again by the caller: failed, not success with id 0 */
    ZT_EQ_INT(zep_sb_ctl(&sb, "POST", "faults",
                         "{\"instance\":\"zcacme\",\"soap_operation\":\"createProjektzeit\",\"status\":200,"
                         "\"body\":\"<?xml version=\\\"1.0\\\"?><soapenv:Envelope xmlns:soapenv="
                         "\\\"http://schemas.xmlsoap.org/soap/envelope/\\\"><soapenv:Body><ns1:createProjektzeitResponse "
                         "xmlns:ns1=\\\"http://zep.provantis.de\\\"><responseHeader><returnCode>0</returnCode>"
                         "</responseHeader></ns1:createProjektzeitResponse></soapenv:Body></soapenv:Envelope>\"}",
                         NULL, 0), 201);
    long no_id = -1;
    fill_booking(&bad, "max.muster", "2026-10-06", "08:00:00", "09:00:00");
    ZT_EQ_INT(zs_zep_soap_booking_create(z, &bad, &no_id, &err), ZS_ERR_FAILED);
    ZT_CONTAINS(err.msg, "answer without ids");
    /* an answer without responseHeader/returnCode says nothing about success: failed */
    ZT_EQ_INT(zep_sb_ctl(&sb, "POST", "faults",
                         "{\"instance\":\"zcacme\",\"soap_operation\":\"readFehlgrund\",\"status\":200,"
                         "\"body\":\"<?xml version=\\\"1.0\\\"?><soapenv:Envelope xmlns:soapenv="
                         "\\\"http://schemas.xmlsoap.org/soap/envelope/\\\"><soapenv:Body><ns1:readFehlgrundResponse "
                         "xmlns:ns1=\\\"http://zep.provantis.de\\\"><fehlgrundListe/></ns1:readFehlgrundResponse>"
                         "</soapenv:Body></soapenv:Envelope>\"}",
                         NULL, 0), 201);
    zs_zep_reason_vec nohdr = {0};
    ZT_EQ_INT(zs_zep_soap_reasons(z, &nohdr, &err), ZS_ERR_FAILED);
    ZT_CONTAINS(err.msg, "returnCode (none)");
    zs_zep_reason_vec_release(&nohdr);
    /* a SOAP Server fault is ZEP's trouble (retry later), a Client fault is ours (failed) */
    ZT_EQ_INT(zep_sb_ctl(&sb, "POST", "faults",
                         "{\"instance\":\"zcacme\",\"soap_operation\":\"readFehlgrund\",\"status\":500,"
                         "\"body\":\"<?xml version=\\\"1.0\\\"?><soapenv:Envelope xmlns:soapenv="
                         "\\\"http://schemas.xmlsoap.org/soap/envelope/\\\"><soapenv:Body><soapenv:Fault>"
                         "<faultcode>soapenv:Server</faultcode><faultstring>database gone</faultstring>"
                         "</soapenv:Fault></soapenv:Body></soapenv:Envelope>\"}",
                         NULL, 0), 201);
    ZT_EQ_INT(zs_zep_soap_reasons(z, &nohdr, &err), ZS_ERR_RETRY);
    ZT_CONTAINS(err.msg, "SOAP Fault soapenv:Server: database gone");
    zs_zep_reason_vec_release(&nohdr);
    ZT_EQ_INT(zep_sb_ctl(&sb, "POST", "faults",
                         "{\"instance\":\"zcacme\",\"soap_operation\":\"readFehlgrund\",\"status\":500,"
                         "\"body\":\"<?xml version=\\\"1.0\\\"?><soapenv:Envelope xmlns:soapenv="
                         "\\\"http://schemas.xmlsoap.org/soap/envelope/\\\"><soapenv:Body><soapenv:Fault>"
                         "<faultcode>soapenv:Client</faultcode><faultstring>bad element</faultstring>"
                         "</soapenv:Fault></soapenv:Body></soapenv:Envelope>\"}",
                         NULL, 0), 201);
    ZT_EQ_INT(zs_zep_soap_reasons(z, &nohdr, &err), ZS_ERR_FAILED);
    zs_zep_reason_vec_release(&nohdr);
    ZT_EQ_INT(zs_zep_soap_reasons(z, &nohdr, &err), ZS_OK);
    zs_zep_reason_vec_release(&nohdr);

    /* employees modifiedSince */
    ZT_EQ_INT(zep_sb_ctl(&sb, "POST", "clock", "{\"advance_s\":60}", NULL, 0), 200);
    sandbox_now(since, sizeof since);
    zs_zep_employee val = {0};
    snprintf(val.personio_id, sizeof val.personio_id, "9002");
    ZT_EQ_INT(zs_zep_employee_update(z, "erika.m", &val, ZS_ZEP_EMP_PERSONIO_ID, NULL, &err), ZS_OK);
    zs_zep_employee_vec ev = {0};
    ZT_EQ_INT(zs_zep_soap_employees(z, since, &ev, &err), ZS_OK);
    ZT_EQ_INT(ev.n, 1);
    if (ev.n) {
        ZT_EQ_STR(ev.items[0].username, "erika.m");
        ZT_EQ_STR(ev.items[0].personio_id, "9002");
        ZT_EQ_STR(ev.items[0].email, "erika@example.com");
    }
    zs_zep_employee_vec_release(&ev);
    ZT_EQ_INT(zs_zep_soap_employees(z, NULL, &ev, &err), ZS_OK);
    ZT_EQ_INT(ev.n, 2);
    zs_zep_employee_vec_release(&ev);
    zs_zep_free(z);
}

static void test_soap_employee_writes(void)
{
    zs_zep *z = acme();
    zs_err err = {{0}};
    zs_zep_employee e;
    ZT_EQ_INT(zep_sb_ctl(&sb, "DELETE", "requests?instance=zcacme", NULL, NULL, 0), 200);
    ZT_EQ_INT(zs_zep_soap_employee_find_email(z, "erika@example.com", &e, &err), ZS_OK);
    ZT_EQ_STR(e.username, "erika.m");
    ZT_EQ_INT(zep_sb_count(&sb, "zcacme", NULL), 1);
    ZT_EQ_INT(zs_zep_soap_employee_find_email(z, "nobody@example.com", &e, &err), ZS_ERR_NOTFOUND);
    /* partial update and rename in one request; the rest of the record is untouched */
    zs_zep_employee val = {0};
    snprintf(val.personio_id, sizeof val.personio_id, "9003");
    ZT_EQ_INT(zs_zep_soap_employee_update(z, "erika.m", &val, ZS_ZEP_EMP_PERSONIO_ID, "erika.r", &err), ZS_OK);
    ZT_EQ_INT(zs_zep_employee_get(z, "erika.m", &e, &err), ZS_ERR_NOTFOUND);
    ZT_EQ_INT(zs_zep_employee_get(z, "erika.r", &e, &err), ZS_OK);
    ZT_EQ_STR(e.personio_id, "9003");
    ZT_EQ_STR(e.email, "erika@example.com");
    ZT_EQ_STR(e.personal_number, "PN-erika.m");
    /* her bookings follow the new username */
    zs_zep_booking_vec v = {0};
    ZT_EQ_INT(zs_zep_booking_list(z, "erika.r", "2026-01-01", "2026-01-31", &v, &err), ZS_OK);
    ZT_EQ_INT(v.n, 230);
    zs_zep_booking_vec_release(&v);
    /* taking a colleague's e-mail is refused; an unknown user is not found */
    snprintf(val.email, sizeof val.email, "max@example.com");
    ZT_EQ_INT(zs_zep_soap_employee_update(z, "erika.r", &val, ZS_ZEP_EMP_EMAIL, NULL, &err), ZS_ERR_FAILED);
    ZT_CONTAINS(err.msg, "email has already been taken");
    ZT_EQ_INT(zs_zep_soap_employee_update(z, "ghost.user", &val, ZS_ZEP_EMP_PERSONIO_ID, NULL, &err), ZS_ERR_NOTFOUND);
    ZT_EQ_INT(zs_zep_soap_employee_update(z, "erika.r", &val, ZS_ZEP_EMP_DEPARTMENT, NULL, &err), ZS_ERR_FAILED);

    /* a field update whose answer was lost is the same request again: repeated, and it succeeds */
    const char *lost = "{\"instance\":\"zcacme\",\"soap_operation\":\"updateMitarbeiter\",\"drop_after\":true}";
    ZT_EQ_INT(zep_sb_ctl(&sb, "DELETE", "requests?instance=zcacme", NULL, NULL, 0), 200);
    ZT_EQ_INT(zep_sb_ctl(&sb, "POST", "faults", lost, NULL, 0), 201);
    ZT_EQ_INT(zs_zep_soap_employee_update(z, "erika.r", &val, ZS_ZEP_EMP_PERSONIO_ID, NULL, &err), ZS_OK);
    ZT_EQ_INT(zep_sb_count(&sb, "zcacme", "SOAP updateMitarbeiter"), 2);
    /* a rename is not: the repeat would look for the old username and call the rename that
     * worked "not found". RETRY, sent once, and the new name is there for the caller to see. */
    ZT_EQ_INT(zep_sb_ctl(&sb, "POST", "faults", lost, NULL, 0), 201);
    ZT_EQ_INT(zs_zep_soap_employee_update(z, "erika.r", &val, 0, "erika.s", &err), ZS_ERR_RETRY);
    ZT_EQ_INT(zep_sb_count(&sb, "zcacme", "SOAP updateMitarbeiter"), 3);
    ZT_EQ_INT(zs_zep_employee_get(z, "erika.s", &e, &err), ZS_OK);
    ZT_EQ_INT(zs_zep_soap_employee_update(z, "erika.s", &val, 0, "erika.r", &err), ZS_OK);
    zs_zep_free(z);
}

static void test_bad_tokens_and_unknown_instance(void)
{
    zs_err err = {{0}};
    zs_zep *z = client("zcacme", "wrong", "wrong");
    zs_zep_employee e;
    ZT_EQ_INT(zs_zep_employee_get(z, "max.muster", &e, &err), ZS_ERR_AUTH);
    ZT_CONTAINS(err.msg, "HTTP 401: Unauthenticated.");
    zs_zep_reason_vec rv = {0};
    ZT_EQ_INT(zs_zep_soap_reasons(z, &rv, &err), ZS_ERR_AUTH);
    ZT_CONTAINS(err.msg, "returnCode 1005: Missing or invalid SOAP authorization token");
    zs_zep_free(z);
    /* isolation: the other instance's tokens see nothing of acme */
    z = client("zcother", "zcother-rest", "zcother-soap");
    ZT_EQ_INT(zs_zep_employee_get(z, "max.muster", &e, &err), ZS_ERR_NOTFOUND);
    zs_zep_employee_vec ev = {0};
    ZT_EQ_INT(zs_zep_soap_employees(z, NULL, &ev, &err), ZS_OK);
    ZT_EQ_INT(ev.n, 0);
    zs_zep_employee_vec_release(&ev);
    zs_zep_free(z);
    z = client("zcother", "zcacme-rest", "zcacme-soap");
    ZT_EQ_INT(zs_zep_employee_get(z, "max.muster", &e, &err), ZS_ERR_AUTH);
    ZT_EQ_INT(zs_zep_soap_employees(z, NULL, &ev, &err), ZS_ERR_AUTH);
    zs_zep_free(z);
    /* A token without the right (403) is an auth problem for the tenant, not a bad request. */
    z = client("zcacme", "zcacme-rest", "zcacme-soap");
    ZT_EQ_INT(zep_sb_ctl(&sb, "POST", "faults", "{\"instance\":\"zcacme\",\"method\":\"GET\",\"status\":403}", NULL, 0), 201);
    ZT_EQ_INT(zs_zep_employee_get(z, "max.muster", &e, &err), ZS_ERR_AUTH);
    ZT_EQ_INT(zs_zep_last_status(z), 403);
    ZT_EQ_INT(zs_zep_employee_get(z, "max.muster", &e, &err), ZS_OK);
    zs_zep_free(z);
    z = client("zcmissing", "x", "y");
    ZT_EQ_INT(zs_zep_employee_get(z, "max.muster", &e, &err), ZS_ERR_FAILED);
    ZT_CONTAINS(err.msg, "unknown ZEP instance 'zcmissing'");
    ZT_EQ_INT(zs_zep_soap_reasons(z, &rv, &err), ZS_ERR_FAILED);
    zs_zep_free(z);
}

static void test_rate_limit_block_honoured(void)
{
    zs_err err = {{0}};
    zs_zep *z = client("zcrate", "zcrate-rest", "zcrate-soap");
    zs_zep_reason_vec rv = {0};
    int ok = 0;
    zs_rc rc = ZS_OK;
    for (int i = 0; i < 10 && (rc = zs_zep_reason_list(z, &rv, &err)) == ZS_OK; i++)
        ok++;
    zs_zep_reason_vec_release(&rv);
    ZT_EQ_INT(ok, 4);
    ZT_EQ_INT(rc, ZS_ERR_RETRY);
    ZT_CONTAINS(err.msg, "HTTP 429");
    ZT_EQ_INT(zs_zep_last_status(z), 429);
    long blocked = zs_zep_blocked_ms(z);
    ZT_CHECK(blocked > 1000 && blocked <= 2000); /* the sandbox's Retry-After: 2 */
    /* while blocked, nothing is sent at all */
    long sent = zs_zep_requests_sent(z), counted = zep_sb_count(&sb, "zcrate", NULL);
    ZT_EQ_INT(zs_zep_reason_list(z, &rv, &err), ZS_ERR_RETRY);
    ZT_CONTAINS(err.msg, "rate-limit block");
    ZT_EQ_INT(zs_zep_requests_sent(z), sent);
    ZT_EQ_INT(zep_sb_count(&sb, "zcrate", NULL), counted);
    usleep((useconds_t)(zs_zep_blocked_ms(z) + 150) * 1000);
    ZT_EQ_INT(zs_zep_reason_list(z, &rv, &err), ZS_OK);
    zs_zep_reason_vec_release(&rv);
    zs_zep_free(z);
}

static void test_retries_and_pacer_hook(void)
{
    zs_err err = {{0}};
    zs_zep *z = acme();
    /* GET: a 503 is retried in-process and succeeds */
    ZT_EQ_INT(zep_sb_ctl(&sb, "DELETE", "requests?instance=zcacme", NULL, NULL, 0), 200);
    ZT_EQ_INT(zep_sb_ctl(&sb, "POST", "faults", "{\"instance\":\"zcacme\",\"method\":\"GET\",\"status\":503}", NULL, 0), 201);
    long before = pacer_calls;
    zs_zep_employee e;
    ZT_EQ_INT(zs_zep_employee_get(z, "max.muster", &e, &err), ZS_OK);
    ZT_EQ_INT(zep_sb_count(&sb, "zcacme", "GET /employees/{username}"), 2);
    ZT_EQ_INT(pacer_calls - before, 2); /* the pacer is asked for every request, retries too */
    /* POST: never repeated blindly */
    ZT_EQ_INT(zep_sb_ctl(&sb, "POST", "faults", "{\"instance\":\"zcacme\",\"method\":\"POST\",\"status\":503}", NULL, 0), 201);
    zs_zep_booking b;
    fill_booking(&b, "max.muster", "2026-11-02", "08:00:00", "09:00:00");
    ZT_EQ_INT(zs_zep_booking_create(z, &b, NULL, &err), ZS_ERR_RETRY);
    ZT_EQ_INT(zep_sb_count(&sb, "zcacme", "POST /attendances"), 1);
    /* a dropped connection on a GET is retried too */
    ZT_EQ_INT(zep_sb_ctl(&sb, "POST", "faults", "{\"instance\":\"zcacme\",\"method\":\"GET\",\"drop\":true}", NULL, 0), 201);
    ZT_EQ_INT(zs_zep_employee_get(z, "max.muster", &e, &err), ZS_OK);
    /* a lost answer to a POST: RETRY, and the caller must look before it writes again */
    ZT_EQ_INT(zep_sb_ctl(&sb, "POST", "faults", "{\"instance\":\"zcacme\",\"method\":\"POST\",\"drop_after\":true}",
                         NULL, 0), 201);
    fill_booking(&b, "max.muster", "2026-11-03", "08:00:00", "09:00:00");
    /* on this handle's used connection too: zs_http sends every POST on a new connection, so
     * libcurl cannot re-send it by itself and exactly one booking exists */
    ZT_EQ_INT(zs_zep_booking_create(z, &b, NULL, &err), ZS_ERR_RETRY);
    ZT_EQ_INT(zep_sb_count(&sb, "zcacme", "POST /attendances"), 2);
    zs_zep_booking_vec lost = {0};
    ZT_EQ_INT(zs_zep_booking_list(z, "max.muster", "2026-11-03", "2026-11-03", &lost, &err), ZS_OK);
    ZT_EQ_INT(lost.n, 1);
    zs_zep_booking_vec_release(&lost);
    /* a SOAP Fault (HTTP 500) is not retried */
    ZT_EQ_INT(zep_sb_ctl(&sb, "DELETE", "requests?instance=zcacme", NULL, NULL, 0), 200);
    zs_zep_booking_query none = {0};
    zs_zep_booking_vec v = {0};
    ZT_EQ_INT(zs_zep_soap_bookings(z, &none, &v, &err), ZS_ERR_FAILED);
    ZT_EQ_INT(zep_sb_count(&sb, "zcacme", "SOAP readProjektzeiten"), 1);
    zs_zep_free(z);
}

/* A pacer that makes the caller wait once, then refuses beyond the wait budget. */
static int slow_calls;
static long slow_acquire(void *ctx, const char *tenant, zs_err *err)
{
    (void)ctx, (void)tenant, (void)err;
    return slow_calls++ == 0 ? 30 : (slow_calls > 2 ? 60000 : 0);
}

/* Older tenants answer in v6 shapes: plain dates, decimals as strings, objects for enums, "\/". */
static void test_format_quirks(void)
{
    zs_zep *z = acme();
    zs_err err = {{0}};
    const char *fault =
        "{\"instance\":\"zcacme\",\"method\":\"GET\",\"path_prefix\":\"/attendances/5\",\"status\":200,"
        "\"body\":\"{\\\"data\\\":{\\\"id\\\":5,\\\"date\\\":\\\"2018-12-11\\\",\\\"from\\\":\\\"08:00:00\\\","
        "\\\"to\\\":\\\"12:45:00\\\",\\\"employee_id\\\":\\\"max.muster\\\",\\\"duration\\\":\\\"4.7500000000\\\","
        "\\\"billable\\\":{\\\"id\\\":2,\\\"name\\\":\\\"Billable\\\"},\\\"note\\\":\\\"a\\\\/b\\\","
        "\\\"project_id\\\":null}}\"}";
    ZT_EQ_INT(zep_sb_ctl(&sb, "POST", "faults", fault, NULL, 0), 201);
    zs_zep_booking b;
    ZT_EQ_INT(zs_zep_booking_get(z, 5, &b, &err), ZS_OK);
    ZT_EQ_STR(b.date, "2018-12-11");
    ZT_CHECK(b.duration == 4.75);
    ZT_EQ_INT(b.billable, 1);
    ZT_EQ_STR(b.note, "a/b");
    ZT_EQ_STR(b.project_id, "");
    /* a 200 that is an HTML page (wrong tenant segment on some deployments) is not data */
    ZT_EQ_INT(zep_sb_ctl(&sb, "POST", "faults",
                         "{\"instance\":\"zcacme\",\"path_prefix\":\"/attendances/6\",\"status\":200,"
                         "\"body\":\"<!DOCTYPE html><html><title>Page not found</title></html>\"}", NULL, 0), 201);
    ZT_EQ_INT(zs_zep_booking_get(z, 6, &b, &err), ZS_ERR_FAILED);
    ZT_CONTAINS(err.msg, "HTML page instead of JSON");
    zs_zep_free(z);
}

static void test_timeout_is_retry(void)
{
    zs_http_opts ho = {.total_timeout_ms = 300};
    zs_zep_cfg cfg = {.base_url = sb.url, .instance = "zcacme", .rest_token = "zcacme-rest", .get_retries = -1,
                      .http = &ho};
    zs_err err = {{0}};
    zs_zep *z = zs_zep_new(&cfg, &err);
    ZT_EQ_INT(zep_sb_ctl(&sb, "POST", "faults", "{\"instance\":\"zcacme\",\"method\":\"GET\",\"delay_ms\":1000}",
                         NULL, 0), 201);
    zs_zep_employee e;
    ZT_EQ_INT(zs_zep_employee_get(z, "max.muster", &e, &err), ZS_ERR_RETRY);
    ZT_EQ_INT(zs_zep_last_status(z), 0);
    ZT_EQ_INT(zs_zep_employee_get(z, "max.muster", &e, &err), ZS_OK);
    zs_zep_free(z);
}

static void test_pacer_waits_and_budget(void)
{
    zs_zep_cfg cfg = {.base_url = sb.url, .instance = "zcacme", .rest_token = "zcacme-rest", .max_pace_wait_ms = 1000};
    cfg.pacer.acquire = slow_acquire;
    zs_err err = {{0}};
    zs_zep *z = zs_zep_new(&cfg, &err);
    zs_zep_employee e;
    ZT_EQ_INT(zs_zep_employee_get(z, "max.muster", &e, &err), ZS_OK); /* waited 30 ms, then sent */
    ZT_EQ_INT(slow_calls, 2);
    ZT_EQ_INT(zs_zep_employee_get(z, "max.muster", &e, &err), ZS_ERR_RETRY);
    ZT_CONTAINS(err.msg, "zep pacer: next request allowed in 60000 ms");
    ZT_EQ_INT(zs_zep_requests_sent(z), 1);
    zs_zep_free(z);
    /* the default in-process pacer lets a burst through at once: with a 1 ms wait budget any
     * pacing wait would fail the call, so this passes only if a whole ZS_ZEP_PACE_BURST goes
     * straight through and the pacer stops the calls soon after */
    zs_zep_cfg dflt = {.base_url = sb.url, .instance = "zcacme", .rest_token = "zcacme-rest", .max_pace_wait_ms = 1};
    z = zs_zep_new(&dflt, &err);
    int straight = 0;
    while (straight < ZS_ZEP_PACE_BURST + 5 && zs_zep_employee_get(z, "max.muster", &e, &err) == ZS_OK)
        straight++;
    ZT_CHECK(straight >= ZS_ZEP_PACE_BURST); /* one more may pass if the burst took 1/rate s */
    ZT_CHECK(straight < ZS_ZEP_PACE_BURST + 5);
    ZT_CONTAINS(err.msg, "zep pacer: next request allowed in");
    zs_zep_free(z);
}

int main(void)
{
    if (zep_sb_start(&sb, "client", NULL) != 0) {
        fprintf(stderr, "cannot start zepsync-zep-sandbox\n");
        return 1;
    }
    ZT_RUN(setup);
    ZT_RUN(test_employee_lifecycle);
    ZT_RUN(test_periods_and_working_times);
    ZT_RUN(test_bookings_rest_and_405);
    ZT_RUN(test_pagination_three_pages);
    ZT_RUN(test_absences_rest_and_soap);
    ZT_RUN(test_soap_bookings_modified_since);
    ZT_RUN(test_soap_employee_writes);
    ZT_RUN(test_bad_tokens_and_unknown_instance);
    ZT_RUN(test_rate_limit_block_honoured);
    ZT_RUN(test_retries_and_pacer_hook);
    ZT_RUN(test_format_quirks);
    ZT_RUN(test_timeout_is_retry);
    ZT_RUN(test_pacer_waits_and_budget);
    zep_sb_stop(&sb);
    return zt_summary();
}
