/*
 * zs_codec: the three zepsync events as typed C structs, and their wire form.
 *
 * Wire form: a CloudEvents 1.0 envelope in structured JSON mode with the extension attribute
 * `tenantid`; the entity sits in `data` together with the action and the source version. The
 * contract is schemas/<name>.v1.json; this module checks the same rules in C so a process can
 * reject a bad event without loading the schema files (and without any I/O: pure functions).
 *
 * Strings in a zs_event are borrowed. When the caller builds an event, they point at the caller's
 * memory; after zs_codec_parse() they point into the parsed document, which the event owns until
 * zs_event_release(). A NULL string means "absent"; parsing maps JSON null to NULL as well.
 */
#ifndef ZS_CODEC_H
#define ZS_CODEC_H

#include <stddef.h>
#include <time.h>

#include "core/zs_err.h"

#define ZS_CODEC_DEFAULT_MAX_BYTES (256u * 1024u)
#define ZS_CODEC_UUID_LEN 36
/* v5(DNS namespace, "zepsync.de"): fixed forever, or every event id changes. */
#define ZS_CODEC_NAMESPACE "95b62b64-4998-5922-b594-bc04fe2f1aa6"

typedef enum zs_event_kind {
    ZS_EVENT_NONE = 0,
    ZS_EVENT_EMPLOYEE_CHANGED,
    ZS_EVENT_BOOKING_RECORDED,
    ZS_EVENT_ABSENCE_APPROVED,
} zs_event_kind;

typedef enum zs_event_action {
    ZS_ACTION_NONE = 0,
    ZS_ACTION_UPSERTED,
    ZS_ACTION_DELETED,
    ZS_ACTION_CANCELLED, /* absences only: withdrawn or revoked after approval */
} zs_event_action;

typedef enum zs_source_system {
    ZS_SYSTEM_NONE = 0,
    ZS_SYSTEM_PERSONIO,
    ZS_SYSTEM_ZEP,
} zs_source_system;

/* A Personio custom attribute as read; lists are flattened to one string by the producer. */
typedef struct zs_attr {
    const char *id;    /* e.g. "dynamic_9002" */
    const char *value; /* NULL when the attribute is empty */
} zs_attr;

/* Personio v2 person (the fields zepsync uses; unknown ones are dropped by the producer). */
typedef struct zs_person {
    const char *id; /* required */
    const char *email;
    const char *first_name;
    const char *last_name;
    const char *preferred_name;
    const char *status; /* ACTIVE | INACTIVE | UNSPECIFIED */
    const char *personnel_number; /* resolved from the tenant's personnel-number attribute */
    const char *created_at;
    const char *updated_at;
    const zs_attr *attributes;
    size_t n_attributes;
} zs_person;

/* Personio v2 employment (the most recent one of the person). */
typedef struct zs_employment {
    int present;    /* 0: the event carries no employment ("employment": null) */
    const char *id; /* required when present */
    const char *status; /* ACTIVE | INACTIVE | ONBOARDING | LEAVE | UNSPECIFIED */
    const char *type;   /* INTERNAL | EXTERNAL | UNSPECIFIED */
    const char *position_title;
    const char *cost_center;
    const char *supervisor_id;
    const char *start_date; /* YYYY-MM-DD */
    const char *end_date;
    const char *termination_date;
    int has_weekly_working_hours;
    double weekly_working_hours;
    int has_full_time_weekly_working_hours;
    double full_time_weekly_working_hours;
    const char *updated_at;
} zs_employment;

/* ZEP project-time booking (REST /attendances). ZEP's numeric ids travel as strings. */
typedef struct zs_booking {
    const char *id;          /* required */
    const char *employee_id; /* required: ZEP username */
    const char *date;        /* required: YYYY-MM-DD, local date of the booking */
    const char *from;        /* required: HH:MM or HH:MM:SS, local time */
    const char *to;          /* required */
    int has_duration_hours;
    double duration_hours;
    const char *project_id;
    const char *project_task_id;
    const char *activity_id;
    int has_billable;
    int billable;
    const char *note;
    const char *created;
    const char *modified;
} zs_booking;

/* An absence as read from its source (Personio absence period or ZEP Fehlzeit). */
typedef struct zs_absence {
    const char *id;          /* required */
    const char *employee_id; /* required: Personio person id or ZEP username */
    const char *type_id;     /* required: Personio absence type id or ZEP reason code ("UB") */
    const char *type_name;
    const char *start_date;  /* required: YYYY-MM-DD */
    const char *end_date;    /* YYYY-MM-DD inclusive; NULL = open-ended */
    int half_day_start;      /* the first day is a half day */
    int half_day_end;        /* the last day is a half day */
    const char *unit;        /* required: "day" | "hour" */
    const char *from_time;   /* hour unit: HH:MM[:SS] local */
    const char *to_time;
    int has_hours;
    double hours;
    const char *status; /* required: approved | pending | rejected | cancelled | deletion_pending */
    const char *timezone;
    const char *note;
    const char *updated_at;
} zs_absence;

typedef struct zs_event {
    zs_event_kind kind;
    /* envelope */
    char id[ZS_CODEC_UUID_LEN + 1]; /* zs_codec_build() fills it when empty */
    const char *tenant;  /* required: the `tenantid` extension */
    const char *time;    /* required: RFC 3339, when the producer observed the change */
    const char *source;  /* NULL: zs_codec_build() uses "/zepsync/<system>/<tenant>" */
    const char *subject; /* NULL: zs_codec_build() uses "<entity kind>/<entity id>" */
    /* data */
    zs_event_action action;
    zs_source_system system;
    const char *source_version; /* required: updated_at / modified (or a producer-made version) */
    zs_person person;           /* ZS_EVENT_EMPLOYEE_CHANGED */
    zs_employment employment;   /* ZS_EVENT_EMPLOYEE_CHANGED */
    zs_booking booking;         /* ZS_EVENT_BOOKING_RECORDED */
    zs_absence absence;         /* ZS_EVENT_ABSENCE_APPROVED */
    void *priv_;                /* the parsed document; owned */
} zs_event;

void zs_event_init(zs_event *ev, zs_event_kind kind);
/* Frees what zs_codec_parse() allocated; a built event holds nothing, releasing it is harmless. */
void zs_event_release(zs_event *ev);

/* "de.zepsync.employee.changed.v1" … ; NULL for ZS_EVENT_NONE. */
const char *zs_codec_type_name(zs_event_kind kind);
zs_event_kind zs_codec_type_parse(const char *type);
/* "employee-changed" … : the Kafka topic and the schema file stem. */
const char *zs_codec_topic(zs_event_kind kind);
/* "https://zepsync.de/schemas/employee-changed.v1.json" … : the dataschema and the schema $id. */
const char *zs_codec_dataschema(zs_event_kind kind);
/* "upserted" | "deleted" | "cancelled" and "personio" | "zep". */
const char *zs_codec_action_name(zs_event_action action);
const char *zs_codec_system_name(zs_source_system system);

/* "personio.person", "zep.booking", "personio.absence", "zep.absence": the id namespace of the entity. */
const char *zs_codec_entity_kind(const zs_event *ev);
const char *zs_codec_entity_id(const zs_event *ev);
/* The employee part of the Kafka key: person id, booking or absence employee. */
const char *zs_codec_employee(const zs_event *ev);

/*
 * Deterministic event id: UUIDv5 in ZS_CODEC_NAMESPACE over tenant, entity kind, entity id and
 * source version (and the action when it is not "upserted", so that a deletion noticed at the
 * version last seen does not collide with that version's upsert). out must hold 37 bytes.
 */
zs_rc zs_codec_event_id(const char *tenant, const char *entity_kind, const char *entity_id,
                        const char *version, zs_event_action action, char *out, zs_err *err);
/* The same for an event's own fields. */
zs_rc zs_codec_event_id_of(const zs_event *ev, char *out, zs_err *err);

/* "<tenant>:<employee>" into out; ZS_ERR_FAILED when a part is empty, contains ':' or does not fit. */
zs_rc zs_codec_key(const char *tenant, const char *employee, char *out, size_t cap, zs_err *err);

/* RFC 3339 UTC with milliseconds ("2026-12-04T14:00:00.123Z"); out must hold 25 bytes. */
char *zs_codec_format_time(struct timespec ts, char *out, size_t cap);

/*
 * Renders ev as one line of JSON (no trailing newline) into *out (caller frees). The result passes
 * zs_codec_parse() with the same max_bytes (0 = ZS_CODEC_DEFAULT_MAX_BYTES), or the build fails
 * with the reason: the codec never emits an event it would refuse to read.
 */
zs_rc zs_codec_build(zs_event *ev, size_t max_bytes, char **out, zs_err *err);

/*
 * Parses and validates len bytes of JSON into ev (which it initialises). On failure ev holds
 * nothing and err says why, naming the field by its JSON pointer: "not valid JSON: …",
 * "/data/booking/date: missing required field", "/time: wrong type: want string, got number",
 * "/type: unknown event type \"…\"", "event is 300000 bytes, over the limit of 262144".
 * Every failure is ZS_ERR_FAILED (the same bytes will never parse): dead-letter, do not retry.
 */
zs_rc zs_codec_parse(const char *json, size_t len, size_t max_bytes, zs_event *ev, zs_err *err);

#endif
