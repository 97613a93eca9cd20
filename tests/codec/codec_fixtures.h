/* Valid events of each kind, shared by the codec tests. Strings are static: nothing to free. */
#ifndef CODEC_FIXTURES_H
#define CODEC_FIXTURES_H

#include "codec/zs_codec.h"

static const zs_attr attrs[] = {{"dynamic_9002", "P-0042"}, {"dynamic_9001", NULL}};

static inline void employee(zs_event *ev)
{
    zs_event_init(ev, ZS_EVENT_EMPLOYEE_CHANGED);
    ev->tenant = "acme";
    ev->time = "2026-11-28T08:15:00.000Z";
    ev->action = ZS_ACTION_UPSERTED;
    ev->system = ZS_SYSTEM_PERSONIO;
    ev->source_version = "2026-11-28T09:14:02+01:00";
    ev->person = (zs_person){.id = "5005", .email = "lena.koch@acme.example", .first_name = "Lena",
                             .last_name = "Koch", .status = "ACTIVE", .personnel_number = "P-0042",
                             .updated_at = "2026-11-28T09:14:02+01:00", .attributes = attrs,
                             .n_attributes = 2};
    ev->employment = (zs_employment){.present = 1, .id = "88123", .status = "ACTIVE",
                                     .type = "INTERNAL", .cost_center = "CC-7",
                                     .start_date = "2020-02-01", .has_weekly_working_hours = 1,
                                     .weekly_working_hours = 37.5};
}

static inline void booking(zs_event *ev)
{
    zs_event_init(ev, ZS_EVENT_BOOKING_RECORDED);
    ev->tenant = "acme";
    ev->time = "2026-11-30T11:21:00.000Z";
    ev->action = ZS_ACTION_UPSERTED;
    ev->system = ZS_SYSTEM_ZEP;
    ev->source_version = "2026-11-30T11:20:41.000000Z";
    ev->booking = (zs_booking){.id = "4711", .employee_id = "lkoch", .date = "2026-11-30",
                               .from = "08:00:00", .to = "12:15:00", .has_duration_hours = 1,
                               .duration_hours = 4.25, .project_id = "1001", .activity_id = "be",
                               .has_billable = 1, .billable = 0, .note = "Ümlaut \"quoted\" / slash",
                               .modified = "2026-11-30T11:20:41.000000Z"};
}

static inline void absence(zs_event *ev)
{
    zs_event_init(ev, ZS_EVENT_ABSENCE_APPROVED);
    ev->tenant = "acme";
    ev->time = "2026-11-29T17:05:00.000Z";
    ev->action = ZS_ACTION_CANCELLED;
    ev->system = ZS_SYSTEM_ZEP;
    ev->source_version = "2026-11-29T17:03:12.000000Z";
    ev->absence = (zs_absence){.id = "991", .employee_id = "lkoch", .type_id = "UB",
                               .start_date = "2026-12-21", .end_date = "2026-12-24",
                               .half_day_start = 1, .half_day_end = 0, .unit = "day",
                               .status = "cancelled", .has_hours = 1, .hours = 28,
                               .timezone = "Europe/Berlin"};
}

#endif
