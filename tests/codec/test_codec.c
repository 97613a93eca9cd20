/* Unit tests of zs_codec: round trips, the examples in schemas/, every malformed case, ids, keys. */
#include "codec/zs_codec.h"
#include "codec_fixtures.h"
#include "zs_test.h"

#include <json-c/json.h>
#include <math.h>
#include <stdlib.h>
#include <uuid/uuid.h>

static char *build_ok(zs_event *ev)
{
    char *out = NULL;
    zs_err err = {{0}};
    zs_rc rc = zs_codec_build(ev, 0, &out, &err);
    ZT_EQ_INT(rc, ZS_OK);
    if (rc != ZS_OK)
        fprintf(stderr, "build: %s\n", err.msg);
    return out;
}

/* ---- names ---- */

static void test_type_names(void)
{
    ZT_EQ_STR(zs_codec_type_name(ZS_EVENT_EMPLOYEE_CHANGED), "de.zepsync.employee.changed.v1");
    ZT_EQ_STR(zs_codec_type_name(ZS_EVENT_BOOKING_RECORDED), "de.zepsync.booking.recorded.v1");
    ZT_EQ_STR(zs_codec_type_name(ZS_EVENT_ABSENCE_APPROVED), "de.zepsync.absence.approved.v1");
    ZT_CHECK(zs_codec_type_name(ZS_EVENT_NONE) == NULL);
    ZT_EQ_INT(zs_codec_type_parse("de.zepsync.booking.recorded.v1"), ZS_EVENT_BOOKING_RECORDED);
    ZT_EQ_INT(zs_codec_type_parse("de.zepsync.booking.recorded.v2"), ZS_EVENT_NONE);
    ZT_EQ_INT(zs_codec_type_parse(NULL), ZS_EVENT_NONE);
    ZT_EQ_STR(zs_codec_topic(ZS_EVENT_ABSENCE_APPROVED), "absence-approved");
    ZT_EQ_STR(zs_codec_dataschema(ZS_EVENT_EMPLOYEE_CHANGED),
              "https://zepsync.de/schemas/employee-changed.v1.json");
    ZT_EQ_STR(zs_codec_action_name(ZS_ACTION_CANCELLED), "cancelled");
    ZT_EQ_STR(zs_codec_system_name(ZS_SYSTEM_ZEP), "zep");
}

/* ---- round trips ---- */

static void test_roundtrip_employee(void)
{
    zs_event ev;
    employee(&ev);
    char *txt = build_ok(&ev);
    ZT_CONTAINS(txt, "\"type\":\"de.zepsync.employee.changed.v1\"");
    ZT_CONTAINS(txt, "\"subject\":\"personio.person/5005\"");
    ZT_CONTAINS(txt, "\"source\":\"/zepsync/personio/acme\"");
    ZT_CONTAINS(txt, "\"weekly_working_hours\":37.5");
    ZT_CONTAINS(txt, "{\"id\":\"dynamic_9001\",\"value\":null}");
    zs_event p;
    zs_err err = {{0}};
    ZT_EQ_INT(zs_codec_parse(txt, strlen(txt), 0, &p, &err), ZS_OK);
    ZT_EQ_INT(p.kind, ZS_EVENT_EMPLOYEE_CHANGED);
    ZT_EQ_STR(p.id, ev.id);
    ZT_EQ_STR(p.tenant, "acme");
    ZT_EQ_STR(p.time, ev.time);
    ZT_EQ_INT(p.action, ZS_ACTION_UPSERTED);
    ZT_EQ_INT(p.system, ZS_SYSTEM_PERSONIO);
    ZT_EQ_STR(p.person.id, "5005");
    ZT_EQ_STR(p.person.last_name, "Koch");
    ZT_CHECK(p.person.preferred_name == NULL);
    ZT_EQ_INT(p.person.n_attributes, 2);
    ZT_EQ_STR(p.person.attributes[0].value, "P-0042");
    ZT_CHECK(p.person.attributes[1].value == NULL);
    ZT_EQ_INT(p.employment.present, 1);
    ZT_EQ_INT(p.employment.has_weekly_working_hours, 1);
    ZT_CHECK(p.employment.weekly_working_hours == 37.5);
    ZT_EQ_INT(p.employment.has_full_time_weekly_working_hours, 0);
    ZT_EQ_STR(zs_codec_employee(&p), "5005");
    char *again = build_ok(&p);
    ZT_EQ_STR(again, txt);
    free(again);
    zs_event_release(&p);

    /* A deletion carries no employment: it travels as null and comes back as absent. */
    ev.employment.present = 0;
    ev.action = ZS_ACTION_DELETED;
    ev.id[0] = '\0';
    free(txt);
    txt = build_ok(&ev);
    ZT_CONTAINS(txt, "\"employment\":null");
    ZT_EQ_INT(zs_codec_parse(txt, strlen(txt), 0, &p, &err), ZS_OK);
    ZT_EQ_INT(p.employment.present, 0);
    ZT_EQ_INT(p.action, ZS_ACTION_DELETED);
    zs_event_release(&p);
    free(txt);
}

static void test_roundtrip_booking(void)
{
    zs_event ev;
    booking(&ev);
    char *txt = build_ok(&ev);
    ZT_CONTAINS(txt, "\"note\":\"Ümlaut \\\"quoted\\\" / slash\"");
    ZT_CONTAINS(txt, "\"duration_hours\":4.25");
    ZT_CONTAINS(txt, "\"billable\":false");
    ZT_CHECK(strchr(txt, '\n') == NULL);
    zs_event p;
    zs_err err = {{0}};
    ZT_EQ_INT(zs_codec_parse(txt, strlen(txt), 0, &p, &err), ZS_OK);
    ZT_EQ_STR(p.booking.id, "4711");
    ZT_EQ_STR(p.booking.employee_id, "lkoch");
    ZT_EQ_STR(p.booking.date, "2026-11-30");
    ZT_EQ_STR(p.booking.from, "08:00:00");
    ZT_EQ_STR(p.booking.to, "12:15:00");
    ZT_CHECK(p.booking.duration_hours == 4.25);
    ZT_EQ_INT(p.booking.has_billable, 1);
    ZT_EQ_INT(p.booking.billable, 0);
    ZT_EQ_STR(p.booking.note, ev.booking.note);
    ZT_CHECK(p.booking.project_task_id == NULL);
    ZT_EQ_STR(zs_codec_entity_kind(&p), "zep.booking");
    char *again = build_ok(&p);
    ZT_EQ_STR(again, txt);
    free(again);
    zs_event_release(&p);
    free(txt);

    /* Decimal hours as ZEP sends them survive exactly, not as 5.0166666666999999. */
    booking(&ev);
    ev.booking.duration_hours = 5.0166666667;
    txt = build_ok(&ev);
    ZT_CONTAINS(txt, "\"duration_hours\":5.0166666667,");
    free(txt);
}

static void test_roundtrip_absence(void)
{
    zs_event ev;
    absence(&ev);
    ev.source = "urn:zepsync:test";
    ev.subject = "custom-subject";
    char *txt = build_ok(&ev);
    ZT_CONTAINS(txt, "\"source\":\"urn:zepsync:test\",");
    ZT_CONTAINS(txt, "\"subject\":\"custom-subject\",");
    zs_event p;
    zs_err err = {{0}};
    ZT_EQ_INT(zs_codec_parse(txt, strlen(txt), 0, &p, &err), ZS_OK);
    ZT_EQ_INT(p.action, ZS_ACTION_CANCELLED);
    ZT_EQ_INT(p.system, ZS_SYSTEM_ZEP);
    ZT_EQ_STR(p.absence.type_id, "UB");
    ZT_EQ_INT(p.absence.half_day_start, 1);
    ZT_EQ_INT(p.absence.half_day_end, 0);
    ZT_EQ_STR(p.absence.end_date, "2026-12-24");
    ZT_EQ_STR(p.absence.status, "cancelled");
    ZT_CHECK(p.absence.hours == 28);
    ZT_EQ_STR(zs_codec_entity_kind(&p), "zep.absence");
    ZT_EQ_STR(p.source, "urn:zepsync:test");
    char *again = build_ok(&p);
    ZT_EQ_STR(again, txt);
    free(again);
    zs_event_release(&p);
    free(txt);
}

/* ---- the examples in schemas/examples are events the codec accepts, in its canonical form ---- */

static char *slurp(const char *path, size_t *len)
{
    FILE *f = fopen(path, "rb");
    if (!f)
        return NULL;
    char *buf = malloc(1 << 20);
    size_t n = buf ? fread(buf, 1, (1 << 20) - 1, f) : 0;
    fclose(f);
    if (buf)
        buf[n] = '\0';
    *len = n;
    return buf;
}

static void check_example(const char *name, zs_event_kind kind)
{
    char path[512];
    snprintf(path, sizeof path, "%s/schemas/examples/%s.v1.example.json", ZS_SOURCE_DIR, name);
    size_t len = 0;
    char *txt = slurp(path, &len);
    ZT_CHECK(txt != NULL);
    if (!txt)
        return;
    zs_event ev;
    zs_err err = {{0}};
    zs_rc rc = zs_codec_parse(txt, len, 0, &ev, &err);
    ZT_EQ_INT(rc, ZS_OK);
    if (rc != ZS_OK) {
        fprintf(stderr, "%s: %s\n", path, err.msg);
        free(txt);
        return;
    }
    ZT_EQ_INT(ev.kind, kind);
    char id[ZS_CODEC_UUID_LEN + 1];
    ZT_EQ_INT(zs_codec_event_id_of(&ev, id, &err), ZS_OK);
    ZT_EQ_STR(ev.id, id);
    char *built = build_ok(&ev);
    json_object *a = json_tokener_parse(txt), *b = built ? json_tokener_parse(built) : NULL;
    ZT_CHECK(a && b && json_object_equal(a, b));
    json_object_put(a);
    json_object_put(b);
    free(built);
    zs_event_release(&ev);
    free(txt);
}

static void test_examples(void)
{
    check_example("employee-changed", ZS_EVENT_EMPLOYEE_CHANGED);
    check_example("booking-recorded", ZS_EVENT_BOOKING_RECORDED);
    check_example("absence-approved", ZS_EVENT_ABSENCE_APPROVED);
}

/* ---- malformed input ---- */

static void expect_fail(const char *txt, size_t len, size_t max, const char *want)
{
    zs_event ev;
    zs_err err = {{0}};
    zs_rc rc = zs_codec_parse(txt, len, max, &ev, &err);
    ZT_EQ_INT(rc, ZS_ERR_FAILED);
    ZT_CONTAINS(err.msg, want);
    ZT_CHECK(ev.priv_ == NULL && ev.kind == ZS_EVENT_NONE);
    zs_event_release(&ev);
}

/* Sets (val != NULL) or deletes the member at a JSON pointer like "/data/booking/date". */
static void mutate(json_object *root, const char *ptr, json_object *val, int set_null)
{
    char buf[256];
    snprintf(buf, sizeof buf, "%s", ptr + 1);
    json_object *o = root;
    char *save = NULL, *tok = strtok_r(buf, "/", &save);
    while (tok) {
        char *next = strtok_r(NULL, "/", &save);
        if (!next) {
            if (val || set_null)
                json_object_object_add(o, tok, val);
            else
                json_object_object_del(o, tok);
            return;
        }
        json_object_object_get_ex(o, tok, &o);
        tok = next;
    }
}

static void expect_mutation_fails(void (*fixture)(zs_event *), const char *ptr, json_object *val,
                                  int set_null, const char *want)
{
    zs_event ev;
    fixture(&ev);
    char *txt = build_ok(&ev);
    json_object *root = json_tokener_parse(txt);
    mutate(root, ptr, val, set_null);
    const char *bad = json_object_to_json_string_ext(root, JSON_C_TO_STRING_PLAIN);
    expect_fail(bad, strlen(bad), 0, want);
    json_object_put(root);
    free(txt);
}

static void test_not_json(void)
{
    expect_fail("", 0, 0, "not valid JSON");
    expect_fail("{\"specversion\":", 15, 0, "not valid JSON: unexpected end of input");
    expect_fail("{'a':1}", 7, 0, "not valid JSON: unexpected character at byte 1");
    expect_fail("{\"a\":NaN}", 9, 0, "not valid JSON: unexpected character at byte 5");
    expect_fail("{\"a\":-Infinity}", 15, 0, "not valid JSON");
    expect_fail("{\"a\":tru}", 9, 0, "not valid JSON");
    expect_fail("{\"a\":1,}", 8, 0, "not valid JSON");
    expect_fail("{\"a\":1} x", 9, 0, "not valid JSON: unexpected character at byte 8");
    expect_fail("", 0, 0, "not valid JSON: empty input");
    expect_fail("{\"a\":\"\xff\xfe\"}", 10, 0, "not valid JSON");
    expect_fail("[1,2]", 5, 0, "event is a JSON array, want an object");
    expect_fail("{}", 2, 0, "/specversion: missing required field");
}

static void test_missing_fields(void)
{
    static const char *const envelope[] = {"specversion", "id", "source", "type", "subject",
                                           "time", "datacontenttype", "dataschema", "tenantid",
                                           "data"};
    char want[128];
    for (size_t i = 0; i < sizeof envelope / sizeof envelope[0]; i++) {
        snprintf(want, sizeof want, "/%s: missing required field", envelope[i]);
        char ptr[64];
        snprintf(ptr, sizeof ptr, "/%s", envelope[i]);
        expect_mutation_fails(booking, ptr, NULL, 0, want);
    }
    expect_mutation_fails(booking, "/data/action", NULL, 0, "/data/action: missing required field");
    expect_mutation_fails(booking, "/data/source_version", NULL, 0,
                          "/data/source_version: missing required field");
    expect_mutation_fails(booking, "/data/booking", NULL, 0, "/data/booking: missing required field");
    expect_mutation_fails(booking, "/data/booking/date", NULL, 0,
                          "/data/booking/date: missing required field");
    expect_mutation_fails(booking, "/data/booking/employee_id", NULL, 1,
                          "/data/booking/employee_id: missing required field");
    expect_mutation_fails(employee, "/data/person/id", NULL, 0,
                          "/data/person/id: missing required field");
    expect_mutation_fails(employee, "/data/employment/id", NULL, 0,
                          "/data/employment/id: missing required field");
    expect_mutation_fails(absence, "/data/absence/half_day_end", NULL, 0,
                          "/data/absence/half_day_end: missing required field");
    expect_mutation_fails(absence, "/data/absence/status", NULL, 0,
                          "/data/absence/status: missing required field");
    expect_mutation_fails(booking, "/data/booking/id", json_object_new_string(""), 0,
                          "/data/booking/id: must not be empty");
}

static void test_wrong_types(void)
{
    expect_mutation_fails(booking, "/time", json_object_new_int(1700000000), 0,
                          "/time: wrong type: want string, got number");
    expect_mutation_fails(booking, "/data", json_object_new_string("x"), 0,
                          "/data: wrong type: want object, got string");
    expect_mutation_fails(booking, "/data/booking/duration_hours", json_object_new_string("4.25"), 0,
                          "/data/booking/duration_hours: wrong type: want number, got string");
    expect_mutation_fails(booking, "/data/booking/billable", json_object_new_int(1), 0,
                          "/data/booking/billable: wrong type: want boolean, got number");
    expect_mutation_fails(absence, "/data/absence/half_day_start", json_object_new_string("yes"), 0,
                          "/data/absence/half_day_start: wrong type: want boolean, got string");
    expect_mutation_fails(employee, "/data/person", json_object_new_array(), 0,
                          "/data/person: wrong type: want object, got array");
    expect_mutation_fails(employee, "/data/person/custom_attributes", json_object_new_string("a"), 0,
                          "/data/person/custom_attributes: wrong type: want array, got string");
    expect_mutation_fails(employee, "/data/person/id", json_object_new_int(5005), 0,
                          "/data/person/id: wrong type: want string, got number");
}

/* The same mutation as expect_mutation_fails, for a value at the edge of what is allowed. */
static void expect_mutation_parses(void (*fixture)(zs_event *), const char *ptr, json_object *val)
{
    zs_event ev, got;
    fixture(&ev);
    char *txt = build_ok(&ev);
    json_object *root = json_tokener_parse(txt);
    mutate(root, ptr, val, 0);
    const char *ok = json_object_to_json_string_ext(root, JSON_C_TO_STRING_PLAIN);
    zs_err err = {{0}};
    zs_rc rc = zs_codec_parse(ok, strlen(ok), 0, &got, &err);
    ZT_EQ_INT(rc, ZS_OK);
    if (rc != ZS_OK)
        printf("  %s: %s\n", ptr, err.msg);
    else
        zs_event_release(&got);
    json_object_put(root);
    free(txt);
}

static void test_bad_values(void)
{
    expect_mutation_fails(booking, "/type", json_object_new_string("de.zepsync.booking.deleted.v1"), 0,
                          "/type: unknown event type \"de.zepsync.booking.deleted.v1\"");
    expect_mutation_fails(booking, "/specversion", json_object_new_string("0.3"), 0,
                          "/specversion: unknown value \"0.3\"");
    expect_mutation_fails(booking, "/id", json_object_new_string("not-a-uuid"), 0,
                          "/id: \"not-a-uuid\" is not a UUID");
    expect_mutation_fails(booking, "/tenantid", json_object_new_string("acme:x"), 0,
                          "/tenantid: \"acme:x\" is not a tenant id");
    expect_mutation_fails(booking, "/tenantid", json_object_new_string("Acme"), 0, "/tenantid:");
    /* The schema's ^[a-z0-9][a-z0-9_-]{0,62}$: no leading '-' or '_', at most 63 characters. */
    expect_mutation_fails(booking, "/tenantid", json_object_new_string("-acme"), 0,
                          "/tenantid: \"-acme\" is not a tenant id");
    expect_mutation_fails(booking, "/tenantid", json_object_new_string("_acme"), 0, "/tenantid:");
    char t63[64], t64[65];
    memset(t63, 'a', 63);
    t63[63] = '\0';
    memset(t64, 'a', 64);
    t64[64] = '\0';
    expect_mutation_parses(booking, "/tenantid", json_object_new_string(t63));
    expect_mutation_parses(booking, "/tenantid", json_object_new_string("a-b_c"));
    expect_mutation_fails(booking, "/tenantid", json_object_new_string(t64), 0, "/tenantid:");
    expect_mutation_fails(booking, "/time", json_object_new_string("2026-11-30 11:21:00"), 0,
                          "/time: \"2026-11-30 11:21:00\" is not an RFC 3339 date-time");
    expect_mutation_fails(booking, "/time", json_object_new_string("2026-11-30T11:21:00"), 0,
                          "is not an RFC 3339");
    expect_mutation_fails(booking, "/datacontenttype", json_object_new_string("text/plain"), 0,
                          "/datacontenttype: unknown value");
    expect_mutation_fails(booking, "/dataschema",
                          json_object_new_string("https://zepsync.de/schemas/employee-changed.v1.json"),
                          0, "/dataschema: unknown value");
    expect_mutation_fails(booking, "/data/booking/date", json_object_new_string("2026-02-29"), 0,
                          "/data/booking/date: \"2026-02-29\" is not a date YYYY-MM-DD");
    expect_mutation_fails(booking, "/data/booking/to", json_object_new_string("25:00"), 0,
                          "/data/booking/to: \"25:00\" is not a time");
    expect_mutation_fails(booking, "/data/booking/employee_id", json_object_new_string("l koch"), 0,
                          "/data/booking/employee_id: \"l koch\" is not an id");
    /* ':' would split the Kafka key and '/' the subject path. */
    expect_mutation_fails(booking, "/data/booking/employee_id", json_object_new_string("l:koch"), 0,
                          "/data/booking/employee_id: \"l:koch\" is not an id");
    expect_mutation_fails(booking, "/data/booking/employee_id", json_object_new_string("l/koch"), 0,
                          "/data/booking/employee_id: \"l/koch\" is not an id");
    expect_mutation_parses(booking, "/data/booking/employee_id", json_object_new_string("l.koch-2_x"));
    expect_mutation_fails(booking, "/data/booking/duration_hours", json_object_new_double(25), 0,
                          "/data/booking/duration_hours: 25 is outside 0..24");
    expect_mutation_fails(booking, "/data/action", json_object_new_string("cancelled"), 0,
                          "/data/action: \"cancelled\" is not allowed for de.zepsync.booking.recorded.v1");
    expect_mutation_fails(booking, "/data/action", json_object_new_string("created"), 0,
                          "/data/action: unknown value \"created\"");
    expect_mutation_fails(employee, "/data/source_system", json_object_new_string("zep"), 0,
                          "/data/source_system: \"zep\" is not allowed");
    expect_mutation_fails(employee, "/data/employment/status", json_object_new_string("active"), 0,
                          "/data/employment/status: unknown value \"active\"");
    expect_mutation_fails(absence, "/data/absence/unit", json_object_new_string("week"), 0,
                          "/data/absence/unit: unknown value");
    expect_mutation_fails(absence, "/data/absence/end_date", json_object_new_string("2026-12-20"), 0,
                          "/data/absence/end_date: before start_date");
    expect_mutation_fails(booking, "/data/booking/note", json_object_new_string_len("a\0b", 3), 0,
                          "/data/booking/note: contains a NUL character");
    /* Long hostile values are quoted shortened, so messages stay one readable line. */
    char big[400];
    memset(big, 'x', sizeof big - 1);
    big[sizeof big - 1] = '\0';
    expect_mutation_fails(booking, "/data/booking/id", json_object_new_string(big), 0,
                          "/data/booking/id: longer than 255 bytes");
}

static void test_custom_attribute_items(void)
{
    zs_event ev;
    employee(&ev);
    char *txt = build_ok(&ev);
    json_object *root = json_tokener_parse(txt);
    json_object *data, *person, *arr;
    json_object_object_get_ex(root, "data", &data);
    json_object_object_get_ex(data, "person", &person);
    json_object_object_get_ex(person, "custom_attributes", &arr);
    json_object_object_del(json_object_array_get_idx(arr, 1), "id");
    const char *bad = json_object_to_json_string(root);
    expect_fail(bad, strlen(bad), 0, "/data/person/custom_attributes/1/id: missing required field");
    json_object_array_put_idx(arr, 0, json_object_new_int(3));
    bad = json_object_to_json_string(root);
    expect_fail(bad, strlen(bad), 0,
                "/data/person/custom_attributes/0: wrong type: want object, got number");
    json_object_put(root);
    free(txt);
}

static void test_oversize(void)
{
    zs_event ev;
    booking(&ev);
    char *txt = build_ok(&ev);
    size_t len = strlen(txt);
    char want[96];
    snprintf(want, sizeof want, "event is %zu bytes, over the limit of %zu", len, len - 1);
    expect_fail(txt, len, len - 1, want);
    /* Exactly at the limit is fine. */
    zs_event p;
    zs_err err = {{0}};
    ZT_EQ_INT(zs_codec_parse(txt, len, len, &p, &err), ZS_OK);
    zs_event_release(&p);

    /* The default limit is 256 KiB, checked before any parsing (padding is valid JSON). */
    size_t big = ZS_CODEC_DEFAULT_MAX_BYTES + 1;
    char *pad = malloc(big);
    memcpy(pad, txt, len);
    memset(pad + len, ' ', big - len);
    expect_fail(pad, big, 0, "event is 262145 bytes, over the limit of 262144");
    ZT_EQ_INT(zs_codec_parse(pad, big - 1, 0, &p, &err), ZS_OK);
    zs_event_release(&p);
    free(pad);
    free(txt);

    /* build refuses what parse would refuse. */
    char *note = malloc(8000);
    memset(note, 'n', 7999);
    note[7999] = '\0';
    booking(&ev);
    ev.booking.note = note;
    char *out = NULL;
    ZT_EQ_INT(zs_codec_build(&ev, 4096, &out, &err), ZS_ERR_FAILED);
    ZT_CONTAINS(err.msg, "over the limit of 4096");
    ZT_CHECK(out == NULL);
    free(note);
}

static void test_build_rejects_bad_structs(void)
{
    zs_event ev;
    char *out = NULL;
    zs_err err = {{0}};
    booking(&ev);
    ev.booking.date = NULL;
    ZT_EQ_INT(zs_codec_build(&ev, 0, &out, &err), ZS_ERR_FAILED);
    ZT_CONTAINS(err.msg, "/data/booking/date: missing required field");
    booking(&ev);
    ev.booking.duration_hours = NAN;
    ZT_EQ_INT(zs_codec_build(&ev, 0, &out, &err), ZS_ERR_FAILED);
    ZT_CONTAINS(err.msg, "/data/booking/duration_hours: not a finite number");
    booking(&ev);
    ev.tenant = NULL;
    ZT_EQ_INT(zs_codec_build(&ev, 0, &out, &err), ZS_ERR_FAILED);
    ZT_CONTAINS(err.msg, "tenant is empty");
    booking(&ev);
    ev.action = ZS_ACTION_CANCELLED;
    ZT_EQ_INT(zs_codec_build(&ev, 0, &out, &err), ZS_ERR_FAILED);
    ZT_CONTAINS(err.msg, "not allowed");
    employee(&ev);
    ev.system = ZS_SYSTEM_ZEP;
    ZT_EQ_INT(zs_codec_build(&ev, 0, &out, &err), ZS_ERR_FAILED);
    ZT_CONTAINS(err.msg, "/data/source_system");
    zs_event_init(&ev, ZS_EVENT_NONE);
    ZT_EQ_INT(zs_codec_build(&ev, 0, &out, &err), ZS_ERR_FAILED);
    ZT_CONTAINS(err.msg, "unknown event kind");
    ZT_CHECK(out == NULL);
}

/* ---- ids and keys ---- */

static void test_namespace_is_v5_of_dns_name(void)
{
    uuid_t dns, ns;
    char txt[37];
    memcpy(dns, *uuid_get_template("dns"), sizeof dns);
    uuid_generate_sha1(ns, dns, "zepsync.de", strlen("zepsync.de"));
    uuid_unparse_lower(ns, txt);
    ZT_EQ_STR(txt, ZS_CODEC_NAMESPACE);
}

static void test_event_id(void)
{
    char a[37], b[37];
    zs_err err = {{0}};
    const char *v = "2026-11-30T11:20:41.000000Z";
    ZT_EQ_INT(zs_codec_event_id("acme", "zep.booking", "4711", v, ZS_ACTION_UPSERTED, a, &err), ZS_OK);
    /* Computed independently (Python uuid.uuid5 over the NUL-joined tuple). */
    ZT_EQ_STR(a, "f7553584-58da-5563-8a4a-dc98712d939d");
    ZT_EQ_INT(a[14], '5');
    ZT_EQ_INT(zs_codec_event_id("acme", "zep.booking", "4711", v, ZS_ACTION_UPSERTED, b, &err), ZS_OK);
    ZT_EQ_STR(a, b);
    ZT_EQ_INT(zs_codec_event_id("acme", "zep.booking", "4711", v, ZS_ACTION_DELETED, b, &err), ZS_OK);
    ZT_EQ_STR(b, "890c6aa1-85fa-5cde-af59-b5abc2a61eba");

    /* Each input moves the id. */
    const char *in[][4] = {
        {"acme2", "zep.booking", "4711", v},
        {"acme", "zep.absence", "4711", v},
        {"acme", "zep.booking", "4712", v},
        {"acme", "zep.booking", "4711", "2026-11-30T11:20:42.000000Z"},
        /* The separator keeps shifted boundaries apart: "acme"+"zep.booking4" ≠ "acme"+"zep.booking"+"4". */
        {"acm", "ezep.booking", "4711", v},
    };
    for (size_t i = 0; i < sizeof in / sizeof in[0]; i++) {
        ZT_EQ_INT(zs_codec_event_id(in[i][0], in[i][1], in[i][2], in[i][3], ZS_ACTION_UPSERTED, b,
                                    &err),
                  ZS_OK);
        ZT_CHECK(strcmp(a, b) != 0);
    }
    ZT_EQ_INT(zs_codec_event_id("acme", "zep.booking", "4711", v, ZS_ACTION_CANCELLED, b, &err), ZS_OK);
    ZT_CHECK(strcmp(a, b) != 0);
    ZT_EQ_INT(zs_codec_event_id("", "zep.booking", "4711", v, ZS_ACTION_UPSERTED, b, &err),
              ZS_ERR_FAILED);
    ZT_CONTAINS(err.msg, "tenant is empty");
    ZT_EQ_INT(zs_codec_event_id("acme", "zep.booking", "4711", NULL, ZS_ACTION_UPSERTED, b, &err),
              ZS_ERR_FAILED);
    ZT_CONTAINS(err.msg, "version is empty");
    ZT_EQ_INT(zs_codec_event_id("acme", "zep.booking", "4711", v, ZS_ACTION_NONE, b, &err),
              ZS_ERR_FAILED);
}

static void test_build_uses_deterministic_id(void)
{
    zs_event e1, e2;
    booking(&e1);
    booking(&e2);
    e2.time = "2026-12-01T00:00:00Z"; /* a later re-poll of the same version */
    e2.booking.note = "edited note, same version";
    char *t1 = build_ok(&e1), *t2 = build_ok(&e2);
    ZT_EQ_STR(e1.id, "f7553584-58da-5563-8a4a-dc98712d939d");
    ZT_EQ_STR(e1.id, e2.id);
    e2.source_version = "2026-12-01T00:00:00.000000Z";
    e2.id[0] = '\0';
    char *t3 = build_ok(&e2);
    ZT_CHECK(strcmp(e1.id, e2.id) != 0);
    /* A caller-given id is kept (re-drives and replays carry the original). */
    strcpy(e2.id, "00000000-0000-4000-8000-000000000000");
    char *t4 = build_ok(&e2);
    ZT_CONTAINS(t4, "\"id\":\"00000000-0000-4000-8000-000000000000\"");
    /* Same kind and id from the other system is a different entity. */
    zs_event a1, a2;
    absence(&a1);
    absence(&a2);
    a2.system = ZS_SYSTEM_PERSONIO;
    char id1[37], id2[37];
    zs_err err = {{0}};
    ZT_EQ_INT(zs_codec_event_id_of(&a1, id1, &err), ZS_OK);
    ZT_EQ_INT(zs_codec_event_id_of(&a2, id2, &err), ZS_OK);
    ZT_CHECK(strcmp(id1, id2) != 0);
    free(t1);
    free(t2);
    free(t3);
    free(t4);
}

static void test_key(void)
{
    char key[64];
    zs_err err = {{0}};
    ZT_EQ_INT(zs_codec_key("acme", "5005", key, sizeof key, &err), ZS_OK);
    ZT_EQ_STR(key, "acme:5005");
    zs_event ev;
    booking(&ev);
    ZT_EQ_INT(zs_codec_key(ev.tenant, zs_codec_employee(&ev), key, sizeof key, &err), ZS_OK);
    ZT_EQ_STR(key, "acme:lkoch");
    absence(&ev);
    ZT_EQ_STR(zs_codec_employee(&ev), "lkoch");
    ZT_EQ_INT(zs_codec_key("acme", "a:b", key, sizeof key, &err), ZS_ERR_FAILED);
    ZT_CONTAINS(err.msg, "':'");
    ZT_EQ_INT(zs_codec_key("acme", "", key, sizeof key, &err), ZS_ERR_FAILED);
    ZT_EQ_INT(zs_codec_key(NULL, "5005", key, sizeof key, &err), ZS_ERR_FAILED);
    ZT_EQ_INT(zs_codec_key("acme", "5005", key, 9, &err), ZS_ERR_FAILED);
    ZT_CONTAINS(err.msg, "longer than 8 bytes");
    ZT_EQ_INT(zs_codec_key("acme", "5005", key, 10, &err), ZS_OK);
}

static void test_format_time(void)
{
    char out[32];
    struct timespec ts = {.tv_sec = 1796392800, .tv_nsec = 123456789};
    ZT_EQ_STR(zs_codec_format_time(ts, out, sizeof out), "2026-12-04T14:00:00.123Z");
    ZT_EQ_STR(zs_codec_format_time(ts, out, 10), "");
}

/* ---- random damage: never a crash or a leak, and whatever parses can be rebuilt ---- */

static unsigned long long rng_state = 0x9e3779b97f4a7c15ull;

static unsigned rnd(unsigned n)
{
    rng_state ^= rng_state << 13;
    rng_state ^= rng_state >> 7;
    rng_state ^= rng_state << 17;
    return (unsigned)(rng_state % n);
}

static void test_random_damage(void)
{
    void (*fixtures[])(zs_event *) = {employee, booking, absence};
    static const char alphabet[] = "{}[]\",:0123456789.-eE truefalsnl\\\x01\xc3\xa4\xff";
    unsigned accepted = 0, rejected = 0, rebuilt = 0;
    for (int f = 0; f < 3; f++) {
        zs_event ev;
        fixtures[f](&ev);
        char *txt = build_ok(&ev);
        if (!txt)
            continue;
        size_t len = strlen(txt);
        char *buf = malloc(len + 8);
        for (int iter = 0; iter < 4000; iter++) {
            memcpy(buf, txt, len + 1);
            size_t n = len;
            int edits = 1 + (int)rnd(3);
            for (int e = 0; e < edits; e++) {
                size_t at = rnd((unsigned)n);
                switch (rnd(3)) {
                case 0: buf[at] = alphabet[rnd(sizeof alphabet - 1)]; break;
                case 1: n = at; break; /* truncate */
                default: memmove(buf + at, buf + at + 1, n - at), n--; break; /* delete a byte */
                }
                if (n == 0)
                    n = 1;
            }
            zs_event p;
            zs_err err = {{0}};
            zs_rc rc = zs_codec_parse(buf, n, 0, &p, &err);
            zt_checks++;
            if (rc != ZS_OK && rc != ZS_ERR_FAILED)
                zt_fail(__FILE__, __LINE__, "parse returned %d: %s", (int)rc, err.msg);
            if (rc != ZS_OK) {
                rejected++;
                continue;
            }
            accepted++;
            /* An accepted event must survive a rebuild (a DLQ re-drive re-renders it). */
            char *again = NULL;
            zs_rc brc = zs_codec_build(&p, 0, &again, &err);
            zt_checks++;
            if (brc != ZS_OK) {
                zt_fail(__FILE__, __LINE__, "accepted but not rebuildable: %s\n%.*s", err.msg, (int)n,
                        buf);
            } else {
                zs_event q;
                ZT_EQ_INT(zs_codec_parse(again, strlen(again), 0, &q, &err), ZS_OK);
                ZT_EQ_STR(q.id, p.id);
                zs_event_release(&q);
                rebuilt++;
            }
            free(again);
            zs_event_release(&p);
        }
        free(buf);
        free(txt);
    }
    printf("     random damage: %u rejected, %u accepted, %u rebuilt\n", rejected, accepted, rebuilt);
    ZT_CHECK(rejected > 0 && accepted > 0);
}

int main(void)
{
    ZT_RUN(test_type_names);
    ZT_RUN(test_roundtrip_employee);
    ZT_RUN(test_roundtrip_booking);
    ZT_RUN(test_roundtrip_absence);
    ZT_RUN(test_examples);
    ZT_RUN(test_not_json);
    ZT_RUN(test_missing_fields);
    ZT_RUN(test_wrong_types);
    ZT_RUN(test_bad_values);
    ZT_RUN(test_custom_attribute_items);
    ZT_RUN(test_oversize);
    ZT_RUN(test_build_rejects_bad_structs);
    ZT_RUN(test_namespace_is_v5_of_dns_name);
    ZT_RUN(test_event_id);
    ZT_RUN(test_build_uses_deterministic_id);
    ZT_RUN(test_key);
    ZT_RUN(test_format_time);
    ZT_RUN(test_random_damage);
    return zt_summary();
}
