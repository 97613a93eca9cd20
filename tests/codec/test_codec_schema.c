/*
 * The codec and the JSON Schemas in schemas/ are two statements of one contract. This test holds
 * them to each other with the schema validator of common/schema: the examples and every event the
 * codec builds are schema-valid, and for systematic damage to each member of each event (removed,
 * null, or a value of another type) the codec and the schema give the same verdict.
 */
#include "codec/zs_codec.h"
#include "codec_fixtures.h"
#include "schema/zs_schema.h"
#include "zs_test.h"

#include <stdlib.h>

static zs_schema *schemas[4];

static void load_schemas(void)
{
    for (int k = ZS_EVENT_EMPLOYEE_CHANGED; k <= ZS_EVENT_ABSENCE_APPROVED; k++) {
        char name[64];
        snprintf(name, sizeof name, "%s.v1", zs_codec_topic((zs_event_kind)k));
        zs_err err = {{0}};
        zs_rc rc = zs_schema_load_named(ZS_SOURCE_DIR "/schemas", name, &schemas[k], &err);
        ZT_EQ_INT(rc, ZS_OK);
        if (rc != ZS_OK)
            fprintf(stderr, "%s: %s\n", name, err.msg);
        else
            ZT_EQ_STR(zs_schema_id(schemas[k]), zs_codec_dataschema((zs_event_kind)k));
    }
}

static int schema_ok(zs_event_kind k, json_object *doc, zs_err *err)
{
    return schemas[k] && zs_schema_validate(schemas[k], doc, err) == ZS_OK;
}

static void test_examples_validate(void)
{
    for (int k = ZS_EVENT_EMPLOYEE_CHANGED; k <= ZS_EVENT_ABSENCE_APPROVED; k++) {
        char path[512];
        snprintf(path, sizeof path, "%s/schemas/examples/%s.v1.example.json", ZS_SOURCE_DIR,
                 zs_codec_topic((zs_event_kind)k));
        json_object *doc = json_object_from_file(path);
        ZT_CHECK(doc != NULL);
        zs_err err = {{0}};
        int ok = schema_ok((zs_event_kind)k, doc, &err);
        ZT_CHECK(ok);
        if (!ok)
            fprintf(stderr, "%s: %s\n", path, err.msg);
        json_object_put(doc);
    }
}

typedef void (*fixture_fn)(zs_event *);

static const struct variant {
    const char *name;
    fixture_fn fn;
    void (*tweak)(zs_event *);
} variants[];

static void no_employment(zs_event *ev) { ev->employment.present = 0, ev->action = ZS_ACTION_DELETED; }
static void personio_absence(zs_event *ev)
{
    ev->system = ZS_SYSTEM_PERSONIO;
    ev->action = ZS_ACTION_UPSERTED;
    ev->absence.status = "approved";
    ev->absence.end_date = NULL;
    ev->absence.unit = "hour";
    ev->absence.from_time = "09:00";
    ev->absence.to_time = "13:30:00";
}

static const struct variant variants[] = {
    {"employee", employee, NULL},
    {"employee without employment", employee, no_employment},
    {"booking", booking, NULL},
    {"absence", absence, NULL},
    {"personio hourly absence", absence, personio_absence},
};
#define N_VARIANTS (sizeof variants / sizeof variants[0])

static char *build_variant(const struct variant *v, zs_event *ev)
{
    v->fn(ev);
    if (v->tweak)
        v->tweak(ev);
    char *txt = NULL;
    zs_err err = {{0}};
    ZT_EQ_INT(zs_codec_build(ev, 0, &txt, &err), ZS_OK);
    return txt;
}

static void test_built_events_validate(void)
{
    for (size_t i = 0; i < N_VARIANTS; i++) {
        zs_event ev;
        char *txt = build_variant(&variants[i], &ev);
        json_object *doc = txt ? json_tokener_parse(txt) : NULL;
        zs_err err = {{0}};
        int ok = doc && schema_ok(ev.kind, doc, &err);
        ZT_CHECK(ok);
        if (!ok)
            fprintf(stderr, "%s: %s\n", variants[i].name, err.msg);
        json_object_put(doc);
        free(txt);
    }
}

/* ---- differential: damage every member, compare verdicts ---- */

typedef struct member {
    char ptr[256];
} member;

/* Collects the JSON pointers of every object member and array item below o. */
static void collect(json_object *o, const char *prefix, member *out, size_t *n, size_t cap)
{
    if (json_object_is_type(o, json_type_object)) {
        json_object_object_foreach(o, key, val)
        {
            if (*n < cap)
                snprintf(out[(*n)++].ptr, sizeof out[0].ptr, "%s/%s", prefix, key);
            char sub[256];
            snprintf(sub, sizeof sub, "%s/%s", prefix, key);
            collect(val, sub, out, n, cap);
        }
    } else if (json_object_is_type(o, json_type_array)) {
        for (size_t i = 0; i < json_object_array_length(o); i++) {
            char sub[256];
            snprintf(sub, sizeof sub, "%s/%zu", prefix, i);
            if (*n < cap)
                snprintf(out[(*n)++].ptr, sizeof out[0].ptr, "%s", sub);
            collect(json_object_array_get_idx(o, i), sub, out, n, cap);
        }
    }
}

enum damage {
    REMOVE, SET_NULL, SET_NUMBER, SET_STRING, SET_BOOL, SET_OBJECT, SET_ARRAY,
    SET_EMPTY, SET_LONG, SET_NEGATIVE, SET_HUGE, SET_BAD_DATE, SET_SPACE, N_DAMAGE
};
static const char *const damage_names[] = {"remove", "null", "7", "\"x\"", "true", "{}", "[]",
                                           "\"\"", "<300 x>", "-1", "1e7", "\"2026-02-30\"",
                                           "\"a b\""};

static json_object *damage_value(enum damage d)
{
    switch (d) {
    case SET_NUMBER: return json_object_new_int(7);
    case SET_STRING: return json_object_new_string("x");
    case SET_BOOL: return json_object_new_boolean(1);
    case SET_OBJECT: return json_object_new_object();
    case SET_ARRAY: return json_object_new_array();
    case SET_EMPTY: return json_object_new_string("");
    case SET_LONG: {
        char big[301];
        memset(big, 'x', 300);
        big[300] = '\0';
        return json_object_new_string(big);
    }
    case SET_NEGATIVE: return json_object_new_int(-1);
    case SET_HUGE: return json_object_new_double(1e7);
    case SET_BAD_DATE: return json_object_new_string("2026-02-30");
    case SET_SPACE: return json_object_new_string("a b");
    default: return NULL;
    }
}

/* Applies d at ptr in root (a fresh copy). Returns 0 if the pointer did not resolve. */
static int apply(json_object *root, const char *ptr, enum damage d)
{
    char buf[256];
    snprintf(buf, sizeof buf, "%s", ptr);
    char *last = strrchr(buf, '/');
    *last = '\0';
    const char *leaf = last + 1;
    json_object *parent = root;
    if (buf[0] && json_pointer_get(root, buf, &parent) != 0)
        return 0;
    if (json_object_is_type(parent, json_type_array)) {
        size_t idx = (size_t)atoi(leaf);
        if (d == REMOVE)
            return json_object_array_del_idx(parent, idx, 1) == 0;
        return json_object_array_put_idx(parent, idx, damage_value(d)) == 0;
    }
    if (d == REMOVE) {
        json_object_object_del(parent, leaf);
        return 1;
    }
    return json_object_object_add(parent, leaf, damage_value(d)) == 0;
}

static void test_codec_and_schema_agree(void)
{
    size_t cases = 0, rejected = 0;
    for (size_t v = 0; v < N_VARIANTS; v++) {
        zs_event ev;
        char *txt = build_variant(&variants[v], &ev);
        if (!txt)
            continue;
        zs_event_kind kind = ev.kind;
        json_object *orig = json_tokener_parse(txt);
        static member members[512];
        size_t n = 0;
        collect(orig, "", members, &n, 512);
        for (size_t m = 0; m < n; m++) {
            for (int d = 0; d < N_DAMAGE; d++) {
                json_object *doc = json_tokener_parse(txt);
                if (!apply(doc, members[m].ptr, (enum damage)d)) {
                    json_object_put(doc);
                    continue;
                }
                const char *bad = json_object_to_json_string_ext(doc, JSON_C_TO_STRING_PLAIN);
                zs_event p;
                zs_err cerr = {{0}}, serr = {{0}};
                int codec = zs_codec_parse(bad, strlen(bad), 0, &p, &cerr) == ZS_OK;
                zs_event_release(&p);
                int schema = schema_ok(kind, doc, &serr);
                cases++;
                rejected += !codec;
                zt_checks++;
                if (codec != schema)
                    zt_fail(__FILE__, __LINE__, "%s %s=%s: codec %s (%s), schema %s (%s)",
                            variants[v].name, members[m].ptr, damage_names[d],
                            codec ? "accepts" : "rejects", cerr.msg, schema ? "accepts" : "rejects",
                            serr.msg);
                json_object_put(doc);
            }
        }
        json_object_put(orig);
        free(txt);
    }
    printf("     %zu damaged events compared, %zu rejected by both\n", cases, rejected);
    ZT_CHECK(cases > 1000);
}

int main(void)
{
    load_schemas();
    ZT_RUN(test_examples_validate);
    ZT_RUN(test_built_events_validate);
    ZT_RUN(test_codec_and_schema_agree);
    for (int k = 0; k < 4; k++)
        zs_schema_free(schemas[k]);
    return zt_summary();
}
