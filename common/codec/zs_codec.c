#include "codec/zs_codec.h"

#include "core/zs_date.h"

#include <json-c/json.h>
#include <math.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <uuid/uuid.h>

#define SHORT_MAX 255u
#define TEXT_MAX 8192u
#define MAX_ATTRIBUTES 512u

/* ------------------------------------------------------------------------------------------ */
/* names */

static const struct kind_info {
    const char *type;
    const char *topic;
    const char *schema;
} kinds[] = {
    [ZS_EVENT_EMPLOYEE_CHANGED] = {"de.zepsync.employee.changed.v1", "employee-changed",
                                   "https://zepsync.de/schemas/employee-changed.v1.json"},
    [ZS_EVENT_BOOKING_RECORDED] = {"de.zepsync.booking.recorded.v1", "booking-recorded",
                                   "https://zepsync.de/schemas/booking-recorded.v1.json"},
    [ZS_EVENT_ABSENCE_APPROVED] = {"de.zepsync.absence.approved.v1", "absence-approved",
                                   "https://zepsync.de/schemas/absence-approved.v1.json"},
};

static int kind_ok(zs_event_kind k)
{
    return k == ZS_EVENT_EMPLOYEE_CHANGED || k == ZS_EVENT_BOOKING_RECORDED ||
           k == ZS_EVENT_ABSENCE_APPROVED;
}

const char *zs_codec_type_name(zs_event_kind kind) { return kind_ok(kind) ? kinds[kind].type : NULL; }
const char *zs_codec_topic(zs_event_kind kind) { return kind_ok(kind) ? kinds[kind].topic : NULL; }
const char *zs_codec_dataschema(zs_event_kind kind)
{
    return kind_ok(kind) ? kinds[kind].schema : NULL;
}

zs_event_kind zs_codec_type_parse(const char *type)
{
    for (int k = ZS_EVENT_EMPLOYEE_CHANGED; k <= ZS_EVENT_ABSENCE_APPROVED; k++)
        if (type && strcmp(type, kinds[k].type) == 0)
            return (zs_event_kind)k;
    return ZS_EVENT_NONE;
}

static const char *const action_names[] = {NULL, "upserted", "deleted", "cancelled", NULL};
static const char *const system_names[] = {NULL, "personio", "zep", NULL};

const char *zs_codec_action_name(zs_event_action a)
{
    return a >= ZS_ACTION_UPSERTED && a <= ZS_ACTION_CANCELLED ? action_names[a] : NULL;
}

const char *zs_codec_system_name(zs_source_system s)
{
    return s >= ZS_SYSTEM_PERSONIO && s <= ZS_SYSTEM_ZEP ? system_names[s] : NULL;
}

/* The actions and systems each kind admits (the schema's enums say the same). */
static int action_allowed(zs_event_kind k, zs_event_action a)
{
    if (a == ZS_ACTION_UPSERTED || a == ZS_ACTION_DELETED)
        return 1;
    return a == ZS_ACTION_CANCELLED && k == ZS_EVENT_ABSENCE_APPROVED;
}

static int system_allowed(zs_event_kind k, zs_source_system s)
{
    switch (k) {
    case ZS_EVENT_EMPLOYEE_CHANGED: return s == ZS_SYSTEM_PERSONIO;
    case ZS_EVENT_BOOKING_RECORDED: return s == ZS_SYSTEM_ZEP;
    case ZS_EVENT_ABSENCE_APPROVED: return s == ZS_SYSTEM_PERSONIO || s == ZS_SYSTEM_ZEP;
    default: return 0;
    }
}

const char *zs_codec_entity_kind(const zs_event *ev)
{
    switch (ev->kind) {
    case ZS_EVENT_EMPLOYEE_CHANGED: return "personio.person";
    case ZS_EVENT_BOOKING_RECORDED: return "zep.booking";
    case ZS_EVENT_ABSENCE_APPROVED:
        /* Personio and ZEP number their absences independently: keep the id spaces apart. */
        if (ev->system == ZS_SYSTEM_PERSONIO)
            return "personio.absence";
        if (ev->system == ZS_SYSTEM_ZEP)
            return "zep.absence";
        return NULL;
    default: return NULL;
    }
}

const char *zs_codec_entity_id(const zs_event *ev)
{
    switch (ev->kind) {
    case ZS_EVENT_EMPLOYEE_CHANGED: return ev->person.id;
    case ZS_EVENT_BOOKING_RECORDED: return ev->booking.id;
    case ZS_EVENT_ABSENCE_APPROVED: return ev->absence.id;
    default: return NULL;
    }
}

const char *zs_codec_employee(const zs_event *ev)
{
    switch (ev->kind) {
    case ZS_EVENT_EMPLOYEE_CHANGED: return ev->person.id;
    case ZS_EVENT_BOOKING_RECORDED: return ev->booking.employee_id;
    case ZS_EVENT_ABSENCE_APPROVED: return ev->absence.employee_id;
    default: return NULL;
    }
}

/* ------------------------------------------------------------------------------------------ */
/* lexical checks (the schema patterns, spelled out) */

/* Date-times take 'T' and 'Z' in upper case only: stricter than RFC 3339 and than the schema
 * validator's date-time format, as the codec has always been. */
static int is_date(const char *s) { return zs_date_parse(s, NULL) == 0; }

/* HH:MM or HH:MM:SS; 24:00[:00] is admitted as the end of a day. */
static int is_clock(const char *s) { return zs_date_parse_clock(s, ZS_DATE_END_OF_DAY, NULL) == 0; }

/* RFC 3339 date-time with a mandatory offset ("Z" or ±HH:MM), optional fraction. */
static int is_datetime(const char *s) { return zs_date_parse_rfc3339(s, 0, NULL) == 0; }

static int is_hex(char c)
{
    return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'f') || (c >= 'A' && c <= 'F');
}

static int is_uuid(const char *s)
{
    if (strlen(s) != ZS_CODEC_UUID_LEN)
        return 0;
    for (int i = 0; i < ZS_CODEC_UUID_LEN; i++) {
        if (i == 8 || i == 13 || i == 18 || i == 23) {
            if (s[i] != '-')
                return 0;
        } else if (!is_hex(s[i])) {
            return 0;
        }
    }
    return 1;
}

/* Tenant ids end up in Kafka keys (":" separates) and Redis hash tags ("{}"): keep them plain. */
static int is_tenant(const char *s)
{
    size_t n = strlen(s);
    if (n < 1 || n > 63)
        return 0;
    for (size_t i = 0; i < n; i++) {
        char c = s[i];
        int ok = (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || (i > 0 && (c == '-' || c == '_'));
        if (!ok)
            return 0;
    }
    return 1;
}

/*
 * An id that becomes the employee part of a key and the tail of a subject: printable ASCII
 * without ' ', ':' or '/' (Personio ids are digits or UUIDs, ZEP usernames letters, digits, -_.).
 */
static int is_ident(const char *s)
{
    if (!*s)
        return 0;
    for (const unsigned char *p = (const unsigned char *)s; *p; p++)
        if (*p <= ' ' || *p >= 0x7f || *p == ':' || *p == '/')
            return 0;
    return 1;
}

/* ------------------------------------------------------------------------------------------ */
/* field tables: one description drives parsing, validation and building */

enum { FS_STR, FS_NUM, FS_BOOL };
#define NO_HAS ((size_t)-1)

typedef struct fspec {
    const char *name;
    int kind;
    int required;
    size_t off;     /* of the const char * / double / int value */
    size_t has_off; /* of the int presence flag for optional numbers and booleans */
    int (*check)(const char *);
    const char *what; /* what check() wants, for the message */
    const char *const *enums;
    size_t max_len;
    double min, max; /* numbers */
} fspec;

#define STR(st, f, req, chk, what, en, maxl)                                                       \
    {#f, FS_STR, req, offsetof(st, f), NO_HAS, chk, what, en, maxl, 0, 0}
#define NUM(st, f, req, lo, hi)                                                                    \
    {#f, FS_NUM, req, offsetof(st, f), offsetof(st, has_##f), NULL, NULL, NULL, 0, lo, hi}
#define BOOL_OPT(st, f) {#f, FS_BOOL, 0, offsetof(st, f), offsetof(st, has_##f), NULL, NULL, NULL, 0, 0, 0}
#define BOOL_REQ(st, f) {#f, FS_BOOL, 1, offsetof(st, f), NO_HAS, NULL, NULL, NULL, 0, 0, 0}

#define W_DATE "a date YYYY-MM-DD"
#define W_DT "an RFC 3339 date-time with offset"
#define W_CLOCK "a time HH:MM or HH:MM:SS"
#define W_IDENT "an id of printable ASCII without spaces, ':' or '/'"

static const char *const person_status[] = {"ACTIVE", "INACTIVE", "UNSPECIFIED", NULL};
static const char *const employment_status[] = {"ACTIVE", "INACTIVE", "ONBOARDING", "LEAVE",
                                                "UNSPECIFIED", NULL};
static const char *const employment_type[] = {"INTERNAL", "EXTERNAL", "UNSPECIFIED", NULL};
static const char *const absence_unit[] = {"day", "hour", NULL};
static const char *const absence_status[] = {"approved", "pending", "rejected", "cancelled",
                                             "deletion_pending", NULL};

static const fspec person_fields[] = {
    STR(zs_person, id, 1, is_ident, W_IDENT, NULL, SHORT_MAX),
    STR(zs_person, email, 0, NULL, NULL, NULL, SHORT_MAX),
    STR(zs_person, first_name, 0, NULL, NULL, NULL, SHORT_MAX),
    STR(zs_person, last_name, 0, NULL, NULL, NULL, SHORT_MAX),
    STR(zs_person, preferred_name, 0, NULL, NULL, NULL, SHORT_MAX),
    STR(zs_person, status, 0, NULL, NULL, person_status, SHORT_MAX),
    STR(zs_person, personnel_number, 0, NULL, NULL, NULL, SHORT_MAX),
    STR(zs_person, created_at, 0, is_datetime, W_DT, NULL, SHORT_MAX),
    STR(zs_person, updated_at, 0, is_datetime, W_DT, NULL, SHORT_MAX),
};

static const fspec employment_fields[] = {
    STR(zs_employment, id, 1, NULL, NULL, NULL, SHORT_MAX),
    STR(zs_employment, status, 0, NULL, NULL, employment_status, SHORT_MAX),
    STR(zs_employment, type, 0, NULL, NULL, employment_type, SHORT_MAX),
    STR(zs_employment, position_title, 0, NULL, NULL, NULL, SHORT_MAX),
    STR(zs_employment, cost_center, 0, NULL, NULL, NULL, SHORT_MAX),
    STR(zs_employment, supervisor_id, 0, NULL, NULL, NULL, SHORT_MAX),
    STR(zs_employment, start_date, 0, is_date, W_DATE, NULL, SHORT_MAX),
    STR(zs_employment, end_date, 0, is_date, W_DATE, NULL, SHORT_MAX),
    STR(zs_employment, termination_date, 0, is_date, W_DATE, NULL, SHORT_MAX),
    NUM(zs_employment, weekly_working_hours, 0, 0, 168),
    NUM(zs_employment, full_time_weekly_working_hours, 0, 0, 168),
    STR(zs_employment, updated_at, 0, is_datetime, W_DT, NULL, SHORT_MAX),
};

static const fspec booking_fields[] = {
    STR(zs_booking, id, 1, is_ident, W_IDENT, NULL, SHORT_MAX),
    STR(zs_booking, employee_id, 1, is_ident, W_IDENT, NULL, SHORT_MAX),
    STR(zs_booking, date, 1, is_date, W_DATE, NULL, SHORT_MAX),
    STR(zs_booking, from, 1, is_clock, W_CLOCK, NULL, SHORT_MAX),
    STR(zs_booking, to, 1, is_clock, W_CLOCK, NULL, SHORT_MAX),
    NUM(zs_booking, duration_hours, 0, 0, 24),
    STR(zs_booking, project_id, 0, NULL, NULL, NULL, SHORT_MAX),
    STR(zs_booking, project_task_id, 0, NULL, NULL, NULL, SHORT_MAX),
    STR(zs_booking, activity_id, 0, NULL, NULL, NULL, SHORT_MAX),
    BOOL_OPT(zs_booking, billable),
    STR(zs_booking, note, 0, NULL, NULL, NULL, TEXT_MAX),
    STR(zs_booking, created, 0, is_datetime, W_DT, NULL, SHORT_MAX),
    STR(zs_booking, modified, 0, is_datetime, W_DT, NULL, SHORT_MAX),
};

static const fspec absence_fields[] = {
    STR(zs_absence, id, 1, is_ident, W_IDENT, NULL, SHORT_MAX),
    STR(zs_absence, employee_id, 1, is_ident, W_IDENT, NULL, SHORT_MAX),
    STR(zs_absence, type_id, 1, NULL, NULL, NULL, SHORT_MAX),
    STR(zs_absence, type_name, 0, NULL, NULL, NULL, SHORT_MAX),
    STR(zs_absence, start_date, 1, is_date, W_DATE, NULL, SHORT_MAX),
    STR(zs_absence, end_date, 0, is_date, W_DATE, NULL, SHORT_MAX),
    BOOL_REQ(zs_absence, half_day_start),
    BOOL_REQ(zs_absence, half_day_end),
    STR(zs_absence, unit, 1, NULL, NULL, absence_unit, SHORT_MAX),
    STR(zs_absence, from_time, 0, is_clock, W_CLOCK, NULL, SHORT_MAX),
    STR(zs_absence, to_time, 0, is_clock, W_CLOCK, NULL, SHORT_MAX),
    NUM(zs_absence, hours, 0, 0, 1e6),
    STR(zs_absence, status, 1, NULL, NULL, absence_status, SHORT_MAX),
    STR(zs_absence, timezone, 0, NULL, NULL, NULL, SHORT_MAX),
    STR(zs_absence, note, 0, NULL, NULL, NULL, TEXT_MAX),
    STR(zs_absence, updated_at, 0, is_datetime, W_DT, NULL, SHORT_MAX),
};

#define NFIELDS(t) (sizeof(t) / sizeof((t)[0]))

/* ------------------------------------------------------------------------------------------ */
/* validation of a parsed document */

static const char *jtype(json_object *o)
{
    switch (json_object_get_type(o)) {
    case json_type_null: return "null";
    case json_type_boolean: return "boolean";
    case json_type_double:
    case json_type_int: return "number";
    case json_type_object: return "object";
    case json_type_array: return "array";
    case json_type_string: return "string";
    }
    return "unknown";
}

static zs_rc missing(zs_err *err, const char *path, const char *name)
{
    return zs_err_set(err, ZS_ERR_FAILED, "%s/%s: missing required field", path, name);
}

static zs_rc wrong_type(zs_err *err, const char *path, const char *name, const char *want,
                        json_object *got)
{
    return zs_err_set(err, ZS_ERR_FAILED, "%s/%s: wrong type: want %s, got %s", path, name, want,
                      jtype(got));
}

static int in_enum(const char *s, const char *const *en)
{
    for (; *en; en++)
        if (strcmp(s, *en) == 0)
            return 1;
    return 0;
}

/* Quotes at most 64 bytes of a bad value, so a message never balloons with hostile input. */
static void quote(const char *s, char *out, size_t cap)
{
    snprintf(out, cap, "%.64s%s", s, strlen(s) > 64 ? "…" : "");
}

/*
 * Member `name` of obj as a string: *out = NULL when absent or null (an error when required).
 * Checks length, non-emptiness of required values, the lexical check and the enum.
 */
static zs_rc get_str(json_object *obj, const char *path, const char *name, int required,
                     int (*check)(const char *), const char *what, const char *const *en,
                     size_t max_len, const char **out, zs_err *err)
{
    json_object *v = NULL;
    *out = NULL;
    if (!json_object_object_get_ex(obj, name, &v) || v == NULL)
        return required ? missing(err, path, name) : ZS_OK;
    if (!json_object_is_type(v, json_type_string))
        return wrong_type(err, path, name, "string", v);
    const char *s = json_object_get_string(v);
    size_t n = (size_t)json_object_get_string_len(v);
    char q[80];
    if (strlen(s) != n)
        return zs_err_set(err, ZS_ERR_FAILED, "%s/%s: contains a NUL character", path, name);
    if (required && n == 0)
        return zs_err_set(err, ZS_ERR_FAILED, "%s/%s: must not be empty", path, name);
    if (n > max_len)
        return zs_err_set(err, ZS_ERR_FAILED, "%s/%s: longer than %zu bytes", path, name, max_len);
    if (check && !check(s)) {
        quote(s, q, sizeof q);
        return zs_err_set(err, ZS_ERR_FAILED, "%s/%s: \"%s\" is not %s", path, name, q, what);
    }
    if (en && !in_enum(s, en)) {
        quote(s, q, sizeof q);
        return zs_err_set(err, ZS_ERR_FAILED, "%s/%s: unknown value \"%s\"", path, name, q);
    }
    *out = s;
    return ZS_OK;
}

static zs_rc parse_fields(json_object *obj, const char *path, const fspec *t, size_t n, void *base,
                          zs_err *err)
{
    char *b = base;
    for (size_t i = 0; i < n; i++) {
        const fspec *f = &t[i];
        if (f->kind == FS_STR) {
            zs_rc rc = get_str(obj, path, f->name, f->required, f->check, f->what, f->enums,
                               f->max_len, (const char **)(void *)(b + f->off), err);
            if (rc != ZS_OK)
                return rc;
            continue;
        }
        json_object *v = NULL;
        int present = json_object_object_get_ex(obj, f->name, &v) && v != NULL;
        if (!present) {
            if (f->required)
                return missing(err, path, f->name);
            if (f->has_off != NO_HAS)
                *(int *)(void *)(b + f->has_off) = 0;
            continue;
        }
        if (f->kind == FS_NUM) {
            if (!json_object_is_type(v, json_type_double) && !json_object_is_type(v, json_type_int))
                return wrong_type(err, path, f->name, "number", v);
            double d = json_object_get_double(v);
            if (!isfinite(d) || d < f->min || d > f->max)
                return zs_err_set(err, ZS_ERR_FAILED, "%s/%s: %g is outside %g..%g", path, f->name,
                                  d, f->min, f->max);
            *(double *)(void *)(b + f->off) = d;
        } else {
            if (!json_object_is_type(v, json_type_boolean))
                return wrong_type(err, path, f->name, "boolean", v);
            *(int *)(void *)(b + f->off) = json_object_get_boolean(v) ? 1 : 0;
        }
        if (f->has_off != NO_HAS)
            *(int *)(void *)(b + f->has_off) = 1;
    }
    return ZS_OK;
}

/* Member `name` as an object; *out = NULL when absent or null and allowed to be. */
static zs_rc get_obj(json_object *obj, const char *path, const char *name, int required,
                     json_object **out, zs_err *err)
{
    json_object *v = NULL;
    *out = NULL;
    if (!json_object_object_get_ex(obj, name, &v) || v == NULL)
        return required ? missing(err, path, name) : ZS_OK;
    if (!json_object_is_type(v, json_type_object))
        return wrong_type(err, path, name, "object", v);
    *out = v;
    return ZS_OK;
}

static zs_rc parse_attributes(json_object *person, zs_person *p, zs_attr **owned, zs_err *err)
{
    json_object *arr = NULL;
    if (!json_object_object_get_ex(person, "custom_attributes", &arr) || arr == NULL)
        return ZS_OK;
    if (!json_object_is_type(arr, json_type_array))
        return wrong_type(err, "/data/person", "custom_attributes", "array", arr);
    size_t n = json_object_array_length(arr);
    if (n > MAX_ATTRIBUTES)
        return zs_err_set(err, ZS_ERR_FAILED, "/data/person/custom_attributes: more than %u items",
                          MAX_ATTRIBUTES);
    if (n == 0)
        return ZS_OK;
    zs_attr *a = calloc(n, sizeof *a);
    if (!a)
        return zs_err_set(err, ZS_ERR_RETRY, "out of memory");
    *owned = a;
    for (size_t i = 0; i < n; i++) {
        json_object *it = json_object_array_get_idx(arr, i);
        char path[64];
        snprintf(path, sizeof path, "/data/person/custom_attributes/%zu", i);
        if (!it || !json_object_is_type(it, json_type_object))
            return zs_err_set(err, ZS_ERR_FAILED, "%s: wrong type: want object, got %s", path,
                              it ? jtype(it) : "null");
        zs_rc rc = get_str(it, path, "id", 1, NULL, NULL, NULL, SHORT_MAX, &a[i].id, err);
        if (rc == ZS_OK)
            rc = get_str(it, path, "value", 0, NULL, NULL, NULL, TEXT_MAX, &a[i].value, err);
        if (rc != ZS_OK)
            return rc;
    }
    p->attributes = a;
    p->n_attributes = n;
    return ZS_OK;
}

/* Private part of a parsed event: the document that its strings point into. */
typedef struct parsed {
    json_object *root;
    zs_attr *attributes;
} parsed;

static zs_rc parse_data(json_object *data, zs_event *ev, zs_attr **attrs, zs_err *err)
{
    const char *s;
    zs_rc rc = get_str(data, "/data", "action", 1, NULL, NULL, action_names + 1, SHORT_MAX, &s, err);
    if (rc != ZS_OK)
        return rc;
    for (int a = ZS_ACTION_UPSERTED; a <= ZS_ACTION_CANCELLED; a++)
        if (strcmp(s, action_names[a]) == 0)
            ev->action = (zs_event_action)a;
    if (!action_allowed(ev->kind, ev->action))
        return zs_err_set(err, ZS_ERR_FAILED, "/data/action: \"%s\" is not allowed for %s", s,
                          kinds[ev->kind].type);
    rc = get_str(data, "/data", "source_system", 1, NULL, NULL, system_names + 1, SHORT_MAX, &s, err);
    if (rc != ZS_OK)
        return rc;
    ev->system = strcmp(s, "personio") == 0 ? ZS_SYSTEM_PERSONIO : ZS_SYSTEM_ZEP;
    if (!system_allowed(ev->kind, ev->system))
        return zs_err_set(err, ZS_ERR_FAILED, "/data/source_system: \"%s\" is not allowed for %s", s,
                          kinds[ev->kind].type);
    rc = get_str(data, "/data", "source_version", 1, NULL, NULL, NULL, SHORT_MAX, &ev->source_version,
                 err);
    if (rc != ZS_OK)
        return rc;

    json_object *o = NULL;
    switch (ev->kind) {
    case ZS_EVENT_EMPLOYEE_CHANGED:
        if ((rc = get_obj(data, "/data", "person", 1, &o, err)) != ZS_OK ||
            (rc = parse_fields(o, "/data/person", person_fields, NFIELDS(person_fields), &ev->person,
                               err)) != ZS_OK ||
            (rc = parse_attributes(o, &ev->person, attrs, err)) != ZS_OK)
            return rc;
        if ((rc = get_obj(data, "/data", "employment", 0, &o, err)) != ZS_OK)
            return rc;
        if (o) {
            ev->employment.present = 1;
            rc = parse_fields(o, "/data/employment", employment_fields, NFIELDS(employment_fields),
                              &ev->employment, err);
        }
        return rc;
    case ZS_EVENT_BOOKING_RECORDED:
        if ((rc = get_obj(data, "/data", "booking", 1, &o, err)) != ZS_OK)
            return rc;
        return parse_fields(o, "/data/booking", booking_fields, NFIELDS(booking_fields), &ev->booking,
                            err);
    case ZS_EVENT_ABSENCE_APPROVED:
        if ((rc = get_obj(data, "/data", "absence", 1, &o, err)) != ZS_OK)
            return rc;
        rc = parse_fields(o, "/data/absence", absence_fields, NFIELDS(absence_fields), &ev->absence,
                          err);
        if (rc == ZS_OK && ev->absence.end_date &&
            strcmp(ev->absence.end_date, ev->absence.start_date) < 0)
            return zs_err_set(err, ZS_ERR_FAILED, "/data/absence/end_date: before start_date");
        return rc;
    default: return zs_err_set(err, ZS_ERR_FAILED, "internal: no kind");
    }
}

/* Validates root and fills ev (strings point into root). ev must be zeroed. */
static zs_rc parse_root(json_object *root, zs_event *ev, zs_attr **attrs, zs_err *err)
{
    if (!json_object_is_type(root, json_type_object))
        return zs_err_set(err, ZS_ERR_FAILED, "event is a JSON %s, want an object", jtype(root));
    const char *s;
    static const char *const v1[] = {"1.0", NULL};
    zs_rc rc = get_str(root, "", "specversion", 1, NULL, NULL, v1, SHORT_MAX, &s, err);
    if (rc != ZS_OK)
        return rc;
    if ((rc = get_str(root, "", "type", 1, NULL, NULL, NULL, SHORT_MAX, &s, err)) != ZS_OK)
        return rc;
    ev->kind = zs_codec_type_parse(s);
    if (ev->kind == ZS_EVENT_NONE) {
        char q[80];
        quote(s, q, sizeof q);
        return zs_err_set(err, ZS_ERR_FAILED, "/type: unknown event type \"%s\"", q);
    }
    if ((rc = get_str(root, "", "id", 1, is_uuid, "a UUID", NULL, SHORT_MAX, &s, err)) != ZS_OK)
        return rc;
    memcpy(ev->id, s, ZS_CODEC_UUID_LEN + 1);
    const char *const ctype[] = {"application/json", NULL};
    const char *const dschema[] = {kinds[ev->kind].schema, NULL};
    if ((rc = get_str(root, "", "source", 1, NULL, NULL, NULL, 1024, &ev->source, err)) != ZS_OK ||
        (rc = get_str(root, "", "subject", 1, NULL, NULL, NULL, 1024, &ev->subject, err)) != ZS_OK ||
        (rc = get_str(root, "", "time", 1, is_datetime, W_DT, NULL, SHORT_MAX, &ev->time, err)) !=
            ZS_OK ||
        (rc = get_str(root, "", "datacontenttype", 1, NULL, NULL, ctype, SHORT_MAX, &s, err)) !=
            ZS_OK ||
        (rc = get_str(root, "", "dataschema", 1, NULL, NULL, dschema, SHORT_MAX, &s, err)) != ZS_OK ||
        (rc = get_str(root, "", "tenantid", 1, is_tenant,
                      "a tenant id (a-z, 0-9, '-', '_'; 1..63, starting with a letter or digit)",
                      NULL, SHORT_MAX, &ev->tenant, err)) != ZS_OK)
        return rc;
    json_object *data = NULL;
    if ((rc = get_obj(root, "", "data", 1, &data, err)) != ZS_OK)
        return rc;
    return parse_data(data, ev, attrs, err);
}

void zs_event_init(zs_event *ev, zs_event_kind kind)
{
    memset(ev, 0, sizeof *ev);
    ev->kind = kind;
}

void zs_event_release(zs_event *ev)
{
    parsed *p = ev->priv_;
    if (p) {
        json_object_put(p->root);
        free(p->attributes);
        free(p);
    }
    memset(ev, 0, sizeof *ev);
}

/*
 * json-c's strict mode still takes 'single quotes', NaN and Infinity. Outside strings JSON has
 * only punctuation, numbers and the words true, false and null: return the offset of the first
 * byte that breaks this, or len when there is none.
 */
static size_t first_non_json(const char *s, size_t len)
{
    size_t i = 0;
    while (i < len) {
        char c = s[i];
        if (c == '"') {
            for (i++; i < len && s[i] != '"'; i++)
                if (s[i] == '\\')
                    i++;
            i++;
        } else if (c >= 'a' && c <= 'z') {
            size_t j = i;
            while (j < len && s[j] >= 'a' && s[j] <= 'z')
                j++;
            size_t n = j - i;
            if (!((n == 4 && (memcmp(s + i, "true", 4) == 0 || memcmp(s + i, "null", 4) == 0)) ||
                  (n == 5 && memcmp(s + i, "false", 5) == 0)) &&
                !(n == 1 && c == 'e'))
                return i;
            i = j;
        } else if (strchr("{}[]:,-+.0123456789E \t\r\n", c) && c != '\0') {
            i++;
        } else {
            return i;
        }
    }
    return len;
}

zs_rc zs_codec_parse(const char *json, size_t len, size_t max_bytes, zs_event *ev, zs_err *err)
{
    zs_event_init(ev, ZS_EVENT_NONE);
    if (max_bytes == 0)
        max_bytes = ZS_CODEC_DEFAULT_MAX_BYTES;
    if (!json || len == 0)
        return zs_err_set(err, ZS_ERR_FAILED, "not valid JSON: empty input");
    if (len > max_bytes)
        return zs_err_set(err, ZS_ERR_FAILED, "event is %zu bytes, over the limit of %zu", len,
                          max_bytes);
    if (len > (size_t)INT32_MAX)
        return zs_err_set(err, ZS_ERR_FAILED, "event too large");
    json_tokener *tok = json_tokener_new_ex(JSON_TOKENER_DEFAULT_DEPTH);
    if (!tok)
        return zs_err_set(err, ZS_ERR_RETRY, "out of memory");
    json_tokener_set_flags(tok, JSON_TOKENER_STRICT | JSON_TOKENER_VALIDATE_UTF8);
    json_object *root = json_tokener_parse_ex(tok, json, (int)len);
    enum json_tokener_error jerr = json_tokener_get_error(tok);
    size_t used = json_tokener_get_parse_end(tok);
    json_tokener_free(tok);
    if (jerr == json_tokener_continue)
        return zs_err_set(err, ZS_ERR_FAILED, "not valid JSON: unexpected end of input");
    if (jerr != json_tokener_success || !root) {
        json_object_put(root);
        return zs_err_set(err, ZS_ERR_FAILED, "not valid JSON: %s at byte %zu",
                          json_tokener_error_desc(jerr), used);
    }
    for (size_t i = used; i < len; i++) {
        if (json[i] != ' ' && json[i] != '\t' && json[i] != '\n' && json[i] != '\r') {
            json_object_put(root);
            return zs_err_set(err, ZS_ERR_FAILED, "not valid JSON: trailing data at byte %zu", i);
        }
    }
    size_t bad = first_non_json(json, len);
    if (bad < len) {
        json_object_put(root);
        return zs_err_set(err, ZS_ERR_FAILED, "not valid JSON: unexpected character at byte %zu",
                          bad);
    }
    parsed *p = calloc(1, sizeof *p);
    if (!p) {
        json_object_put(root);
        return zs_err_set(err, ZS_ERR_RETRY, "out of memory");
    }
    p->root = root;
    zs_rc rc = parse_root(root, ev, &p->attributes, err);
    ev->priv_ = p;
    if (rc != ZS_OK)
        zs_event_release(ev);
    return rc;
}

/* ------------------------------------------------------------------------------------------ */
/* ids, keys, time */

zs_rc zs_codec_event_id(const char *tenant, const char *entity_kind, const char *entity_id,
                        const char *version, zs_event_action action, char *out, zs_err *err)
{
    const char *parts[5] = {tenant, entity_kind, entity_id, version,
                            action == ZS_ACTION_UPSERTED ? NULL : zs_codec_action_name(action)};
    static const char *const names[] = {"tenant", "entity kind", "entity id", "version"};
    for (int i = 0; i < 4; i++)
        if (!parts[i] || !*parts[i])
            return zs_err_set(err, ZS_ERR_FAILED, "event id: %s is empty", names[i]);
    if (action != ZS_ACTION_UPSERTED && !parts[4])
        return zs_err_set(err, ZS_ERR_FAILED, "event id: unknown action");
    /* NUL-separated: no C string contains NUL, so distinct tuples never share a name. */
    size_t len = 0;
    for (int i = 0; i < 5 && parts[i]; i++)
        len += strlen(parts[i]) + 1;
    char *name = malloc(len);
    if (!name)
        return zs_err_set(err, ZS_ERR_RETRY, "out of memory");
    size_t o = 0;
    for (int i = 0; i < 5 && parts[i]; i++) {
        size_t n = strlen(parts[i]) + 1;
        memcpy(name + o, parts[i], n);
        o += n;
    }
    uuid_t ns, id;
    if (uuid_parse(ZS_CODEC_NAMESPACE, ns) != 0) {
        free(name);
        return zs_err_set(err, ZS_ERR_FAILED, "internal: bad namespace uuid");
    }
    uuid_generate_sha1(id, ns, name, len - 1);
    free(name);
    uuid_unparse_lower(id, out);
    return ZS_OK;
}

zs_rc zs_codec_event_id_of(const zs_event *ev, char *out, zs_err *err)
{
    return zs_codec_event_id(ev->tenant, zs_codec_entity_kind(ev), zs_codec_entity_id(ev),
                             ev->source_version, ev->action, out, err);
}

zs_rc zs_codec_key(const char *tenant, const char *employee, char *out, size_t cap, zs_err *err)
{
    if (!tenant || !*tenant || !employee || !*employee)
        return zs_err_set(err, ZS_ERR_FAILED, "kafka key: tenant and employee must not be empty");
    if (strchr(tenant, ':') || strchr(employee, ':'))
        return zs_err_set(err, ZS_ERR_FAILED, "kafka key: ':' is the separator and may not appear");
    int n = snprintf(out, cap, "%s:%s", tenant, employee);
    if (n < 0 || (size_t)n >= cap)
        return zs_err_set(err, ZS_ERR_FAILED, "kafka key: longer than %zu bytes", cap ? cap - 1 : 0);
    return ZS_OK;
}

char *zs_codec_format_time(struct timespec ts, char *out, size_t cap)
{
    struct tm tm;
    if (cap < 25 || !gmtime_r(&ts.tv_sec, &tm)) {
        if (cap)
            out[0] = '\0';
        return out;
    }
    snprintf(out, cap, "%04d-%02d-%02dT%02d:%02d:%02d.%03ldZ", tm.tm_year + 1900, tm.tm_mon + 1,
             tm.tm_mday, tm.tm_hour, tm.tm_min, tm.tm_sec, (long)(ts.tv_nsec / 1000000) % 1000);
    return out;
}

/* ------------------------------------------------------------------------------------------ */
/* building */

static int add(json_object *obj, const char *key, json_object *val)
{
    if (!val)
        return -1;
    if (json_object_object_add(obj, key, val) != 0) {
        json_object_put(val);
        return -1;
    }
    return 0;
}

static int add_str(json_object *obj, const char *key, const char *s)
{
    return s ? add(obj, key, json_object_new_string(s)) : 0;
}

/* %.15g round-trips every decimal the vendors send and keeps 0.1 from printing as 0.1000…01. */
static json_object *new_number(double d)
{
    char txt[40];
    snprintf(txt, sizeof txt, "%.15g", d);
    return json_object_new_double_s(d, txt);
}

/* Emits the fields of base; returns -1 on OOM and +1 (with err set) on a value JSON cannot carry. */
static int emit_fields(json_object *obj, const char *path, const fspec *t, size_t n, const void *base,
                       zs_err *err)
{
    const char *b = base;
    for (size_t i = 0; i < n; i++) {
        const fspec *f = &t[i];
        if (f->kind == FS_STR) {
            if (add_str(obj, f->name, *(const char *const *)(const void *)(b + f->off)) < 0)
                return -1;
            continue;
        }
        if (f->has_off != NO_HAS && !*(const int *)(const void *)(b + f->has_off))
            continue;
        if (f->kind == FS_NUM) {
            double d = *(const double *)(const void *)(b + f->off);
            if (!isfinite(d)) {
                zs_err_set(err, ZS_ERR_FAILED, "%s/%s: not a finite number", path, f->name);
                return 1;
            }
            if (add(obj, f->name, new_number(d)) < 0)
                return -1;
        } else if (add(obj, f->name,
                       json_object_new_boolean(*(const int *)(const void *)(b + f->off) ? 1 : 0)) < 0) {
            return -1;
        }
    }
    return 0;
}

static int emit_attributes(json_object *person, const zs_person *p)
{
    if (!p->n_attributes)
        return 0;
    if (!p->attributes)
        return -2;
    json_object *arr = json_object_new_array();
    if (add(person, "custom_attributes", arr) < 0)
        return -1;
    for (size_t i = 0; i < p->n_attributes; i++) {
        json_object *it = json_object_new_object();
        if (!it || json_object_array_add(arr, it) != 0) {
            json_object_put(it);
            return -1;
        }
        if (add_str(it, "id", p->attributes[i].id) < 0)
            return -1;
        int r = p->attributes[i].value
                    ? add(it, "value", json_object_new_string(p->attributes[i].value))
                    : json_object_object_add(it, "value", NULL); /* NULL member = JSON null */
        if (r != 0)
            return -1;
    }
    return 0;
}

static json_object *new_child(json_object *parent, const char *key)
{
    json_object *o = json_object_new_object();
    return add(parent, key, o) < 0 ? NULL : o;
}

/* Returns 0, -1 on OOM, +1 with err set on an unrepresentable value. */
static int emit(zs_event *ev, json_object *root, zs_err *err)
{
    char source[512], subject[512];
    const char *kind = zs_codec_entity_kind(ev), *eid = zs_codec_entity_id(ev);
    const char *src = ev->source, *subj = ev->subject;
    if (!src) {
        snprintf(source, sizeof source, "/zepsync/%s/%s",
                 zs_codec_system_name(ev->system) ? zs_codec_system_name(ev->system) : "unknown",
                 ev->tenant ? ev->tenant : "");
        src = source;
    }
    if (!subj && kind && eid) {
        snprintf(subject, sizeof subject, "%s/%s", kind, eid);
        subj = subject;
    }
    if (add_str(root, "specversion", "1.0") < 0 || add_str(root, "id", ev->id) < 0 ||
        add_str(root, "source", src) < 0 || add_str(root, "type", zs_codec_type_name(ev->kind)) < 0 ||
        add_str(root, "subject", subj) < 0 || add_str(root, "time", ev->time) < 0 ||
        add_str(root, "datacontenttype", "application/json") < 0 ||
        add_str(root, "dataschema", zs_codec_dataschema(ev->kind)) < 0 ||
        add_str(root, "tenantid", ev->tenant) < 0)
        return -1;
    json_object *data = new_child(root, "data");
    if (!data || add_str(data, "action", zs_codec_action_name(ev->action)) < 0 ||
        add_str(data, "source_system", zs_codec_system_name(ev->system)) < 0 ||
        add_str(data, "source_version", ev->source_version) < 0)
        return -1;
    json_object *o;
    int rc;
    switch (ev->kind) {
    case ZS_EVENT_EMPLOYEE_CHANGED:
        if (!(o = new_child(data, "person")))
            return -1;
        if ((rc = emit_fields(o, "/data/person", person_fields, NFIELDS(person_fields), &ev->person,
                              err)) != 0)
            return rc;
        if ((rc = emit_attributes(o, &ev->person)) == -2) {
            zs_err_set(err, ZS_ERR_FAILED, "/data/person/custom_attributes: count without array");
            return 1;
        }
        if (rc < 0)
            return rc;
        if (!ev->employment.present) {
            if (json_object_object_add(data, "employment", NULL) != 0)
                return -1;
            return 0;
        }
        if (!(o = new_child(data, "employment")))
            return -1;
        return emit_fields(o, "/data/employment", employment_fields, NFIELDS(employment_fields),
                           &ev->employment, err);
    case ZS_EVENT_BOOKING_RECORDED:
        if (!(o = new_child(data, "booking")))
            return -1;
        return emit_fields(o, "/data/booking", booking_fields, NFIELDS(booking_fields), &ev->booking,
                           err);
    case ZS_EVENT_ABSENCE_APPROVED:
        if (!(o = new_child(data, "absence")))
            return -1;
        return emit_fields(o, "/data/absence", absence_fields, NFIELDS(absence_fields), &ev->absence,
                           err);
    default: return 0;
    }
}

zs_rc zs_codec_build(zs_event *ev, size_t max_bytes, char **out, zs_err *err)
{
    *out = NULL;
    if (max_bytes == 0)
        max_bytes = ZS_CODEC_DEFAULT_MAX_BYTES;
    if (!kind_ok(ev->kind))
        return zs_err_set(err, ZS_ERR_FAILED, "build: unknown event kind %d", (int)ev->kind);
    if (!ev->id[0]) {
        zs_rc rc = zs_codec_event_id_of(ev, ev->id, err);
        if (rc != ZS_OK)
            return zs_err_wrap(err, rc, "build");
    }
    json_object *root = json_object_new_object();
    if (!root)
        return zs_err_set(err, ZS_ERR_RETRY, "out of memory");
    int e = emit(ev, root, err);
    if (e != 0) {
        json_object_put(root);
        return e < 0 ? zs_err_set(err, ZS_ERR_RETRY, "out of memory")
                     : zs_err_wrap(err, ZS_ERR_FAILED, "build");
    }
    /* The same checks a reader applies, so nothing leaves here that a consumer would refuse. */
    zs_event check;
    zs_attr *attrs = NULL;
    zs_event_init(&check, ZS_EVENT_NONE);
    zs_rc rc = parse_root(root, &check, &attrs, err);
    free(attrs);
    if (rc != ZS_OK) {
        json_object_put(root);
        return zs_err_wrap(err, rc, "build");
    }
    const char *txt = json_object_to_json_string_ext(root, JSON_C_TO_STRING_PLAIN |
                                                               JSON_C_TO_STRING_NOSLASHESCAPE);
    if (!txt) {
        json_object_put(root);
        return zs_err_set(err, ZS_ERR_RETRY, "out of memory");
    }
    size_t len = strlen(txt);
    if (len > max_bytes) {
        json_object_put(root);
        return zs_err_set(err, ZS_ERR_FAILED, "build: event is %zu bytes, over the limit of %zu", len,
                          max_bytes);
    }
    *out = strdup(txt);
    json_object_put(root);
    if (!*out)
        return zs_err_set(err, ZS_ERR_RETRY, "out of memory");
    return ZS_OK;
}
