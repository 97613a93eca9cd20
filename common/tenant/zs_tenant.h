/*
 * zs_tenant: the tenant registry (DESIGN.md §6).
 *
 * A tenants directory holds one <id>.json per tenant, validated against schemas/tenant.v1.json.
 * Secrets are never written in the file: each is named by <name>_file (a file whose content, minus
 * trailing newlines, is the secret) or <name>_env (an environment variable). A literal
 * client_secret / token / soap_token / webhook token in the file is rejected.
 *
 * Loading is per file: a bad file is reported (path and failing field) and the other tenants load.
 *
 * Reload (SIGHUP): zs_tenant_sighup_install() sets a signal handler that only raises a flag; the
 * main loop calls zs_tenant_registry_reload_if_requested() (or _reload() directly). A reload
 * re-reads the whole directory and swaps in the new set at once, under these rules:
 *   - a file that loads replaces (or adds) its tenant;
 *   - a file that no longer loads keeps the previous good version of that tenant running, and the
 *     error is reported and kept in zs_tenant_registry_problems() until the file is fixed, because
 *     a typo during an edit must not stop a live tenant's sync;
 *   - a tenant whose file was removed from the directory is removed.
 *
 * Threads: lookups and reloads may run concurrently. zs_tenant_registry_acquire() returns a
 * counted reference that stays valid across reloads until zs_tenant_release(). The plain
 * zs_tenant_registry_get() is for single-threaded loops: its pointer is valid until the next
 * reload of that registry.
 */
#ifndef ZS_TENANT_H
#define ZS_TENANT_H

#include <stdbool.h>
#include <stddef.h>

#include "core/zs_buf.h"
#include "core/zs_err.h"

#define ZS_TENANT_ID_MAX 64

typedef enum zs_tenant_att_mode { ZS_ATT_DAILY = 0, ZS_ATT_INDIVIDUAL } zs_tenant_att_mode;
typedef enum zs_tenant_rules {
    ZS_RULES_DE = 0,
    ZS_RULES_DE_MINOR,
    ZS_RULES_AT,
    ZS_RULES_CH,
    ZS_RULES_CUSTOM,
} zs_tenant_rules;
typedef enum zs_tenant_deduction {
    ZS_DEDUCT_NONE = 0,
    ZS_DEDUCT_FLOATING,
    ZS_DEDUCT_FULL,
} zs_tenant_deduction;
typedef enum zs_tenant_cap { ZS_CAP_WARN = 0, ZS_CAP_TRUNCATE } zs_tenant_cap;
typedef enum zs_tenant_leader {
    ZS_LEADER_OFF = 0,
    ZS_LEADER_PERSONIO,
    ZS_LEADER_ZEP,
} zs_tenant_leader;

#define ZS_TENANT_TIERS_MAX 8

/* Custom break rules (attendances.rules = "custom"); minutes, 0 disables a check. */
typedef struct zs_tenant_rule_set {
    struct {
        int net_over; /* net work above this ... */
        int brk;      /* ... requires this much break */
    } tiers[ZS_TENANT_TIERS_MAX];
    size_t n_tiers; /* ascending by net_over (the loader rejects any other order) */
    int min_block, max_consecutive, regular_daily, max_daily, min_rest;
    bool has_minor;
    struct {
        int span_max, window;
        int night_from, night_to; /* minutes after local midnight */
    } minor;
} zs_tenant_rule_set;

typedef struct zs_tenant_absence_type {
    char *personio; /* Personio absence type id */
    char *zep;      /* ZEP absence reason short name */
    char *name;     /* optional label, NULL when absent */
} zs_tenant_absence_type;

typedef struct zs_tenant {
    char id[ZS_TENANT_ID_MAX];
    char *path; /* the file it came from */

    struct {
        char *base_url;
        char *client_id;
        char *client_secret; /* resolved secret */
        char *client_secret_src; /* where it came from: "file:<path>" or "env:<NAME>" */
        char *partner_id;    /* default "ZEPSYNC" */
        char *app_id;        /* default "ZEPSYNC" */
        bool webhook_enabled;
        char *webhook_token; /* resolved secret; NULL when no webhook is configured */
        char *webhook_token_src;
    } personio;

    struct {
        char *base_url;   /* instance root, e.g. https://www.zep-online.de/zepacme */
        char *token;      /* REST bearer token (resolved secret) */
        char *soap_token; /* SOAP token (resolved secret); NULL when not configured */
        char *token_src, *soap_token_src;
        int max_requests_per_5min; /* default 900, below ZEP's 1000 */
    } zep;

    char sync_start_date[11]; /* YYYY-MM-DD */

    struct {
        bool create_new;           /* default false */
        bool match_by_email;       /* default true */
        char *default_price_group; /* NULL when not set (required with create_new) */
        char *exclude_attribute;   /* NULL: nobody is excluded */
        char **exclude_values;
        size_t n_exclude_values;
        char *personnel_number_attribute; /* NULL when not set */
        char **attributes;                /* default: the standard master-data set */
        size_t n_attributes;
    } employees;

    struct {
        zs_tenant_att_mode mode;      /* default daily */
        zs_tenant_rules rules;        /* default DE */
        zs_tenant_deduction deduction; /* default floating */
        zs_tenant_cap cap;            /* default warn */
        char timezone[64];            /* IANA name, default Europe/Berlin */
        zs_tenant_rule_set custom;    /* filled only when rules == ZS_RULES_CUSTOM */
    } attendances;

    struct {
        zs_tenant_leader leader; /* default off */
        zs_tenant_absence_type *types;
        size_t n_types;
    } absences;

    int refs_; /* private: reference count */
} zs_tenant;

/*
 * Loads one tenant file. schemas_dir NULL means zs_schema_default_dir(). The id must equal the
 * file name without ".json". On failure err reads "<path>: <pointer>: <reason>".
 */
zs_rc zs_tenant_load_file(const char *path, const char *schemas_dir, zs_tenant **out, zs_err *err);
/* Drops a reference (a tenant from zs_tenant_load_file has one). Secrets are wiped on free. */
void zs_tenant_release(zs_tenant *t);

/* Mapping helpers (pure). NULL when the type is not in the table. */
const char *zs_tenant_absence_zep_for(const zs_tenant *t, const char *personio_type_id);
const char *zs_tenant_absence_personio_for(const zs_tenant *t, const char *zep_reason);
/* 1 when the value of the exclusion attribute excludes the person (case-insensitive match). */
int zs_tenant_employee_excluded(const zs_tenant *t, const char *attribute_value);
/* 1 when a master-data attribute ("email", "dynamic_9003", ...) is enabled for sync. */
int zs_tenant_attribute_enabled(const zs_tenant *t, const char *attribute);

/*
 * Compares a presented webhook credential (the Authorization header value) with the configured
 * token in time independent of where they differ. 0 when no webhook token is configured or the
 * receiver is disabled.
 */
int zs_tenant_webhook_token_ok(const zs_tenant *t, const char *presented);

/*
 * Appends the tenant's settings as one JSON object for operators (`zepsync tenants`), with every
 * secret shown only by its source ("file:/run/secrets/x", "env:NAME"), never by value.
 * Returns 0, or -1 when memory ran out.
 */
int zs_tenant_describe(const zs_tenant *t, zs_buf *out);

const char *zs_tenant_rules_name(zs_tenant_rules r);         /* "DE", ..., "custom" */
const char *zs_tenant_deduction_name(zs_tenant_deduction d); /* "none", "floating", "full" */
const char *zs_tenant_leader_name(zs_tenant_leader l);       /* "off", "personio", "zep" */

/* ---- the registry ---- */

typedef struct zs_tenant_registry zs_tenant_registry;

/* A file that failed to load at the last (re)load. */
typedef struct zs_tenant_problem {
    char path[1024];
    char msg[ZS_ERR_MSG_MAX]; /* "<path>: <pointer>: <reason>" */
    bool kept_previous;       /* the tenant keeps running on its previous good version */
} zs_tenant_problem;

typedef struct zs_tenant_reload_stats {
    size_t loaded;  /* files that loaded (new or changed or unchanged) */
    size_t failed;  /* files that did not load */
    size_t kept;    /* of the failed, those whose previous version stays */
    size_t removed; /* tenants whose file disappeared */
} zs_tenant_reload_stats;

/*
 * Opens a registry on dir and loads it. Fails only when the directory cannot be read or the
 * schema cannot be loaded; bad tenant files are problems, not failures (see above).
 * schemas_dir NULL means zs_schema_default_dir().
 */
zs_rc zs_tenant_registry_open(const char *dir, const char *schemas_dir, zs_tenant_registry **out,
                              zs_err *err);
void zs_tenant_registry_free(zs_tenant_registry *r);

/* Re-reads the directory (rules above). stats may be NULL. Errors as for _open. */
zs_rc zs_tenant_registry_reload(zs_tenant_registry *r, zs_tenant_reload_stats *stats, zs_err *err);

size_t zs_tenant_registry_count(zs_tenant_registry *r);
/* Borrowed pointer, valid until the next reload (single-threaded use). NULL when unknown. */
const zs_tenant *zs_tenant_registry_get(zs_tenant_registry *r, const char *id);
/* Counted reference, valid until zs_tenant_release(). NULL when unknown. */
zs_tenant *zs_tenant_registry_acquire(zs_tenant_registry *r, const char *id);
/* Copies up to cap ids (sorted) into ids[][ZS_TENANT_ID_MAX]; returns the total count. */
size_t zs_tenant_registry_ids(zs_tenant_registry *r, char (*ids)[ZS_TENANT_ID_MAX], size_t cap);
/* Counts successful (re)loads, starting at 1 after open: lets callers notice a swap cheaply. */
unsigned long zs_tenant_registry_generation(zs_tenant_registry *r);
/* Problems of the last (re)load: copies up to cap into out; returns the total count. */
size_t zs_tenant_registry_problems(zs_tenant_registry *r, zs_tenant_problem *out, size_t cap);

/* ---- SIGHUP ---- */

/* Installs a SIGHUP handler that only sets a flag (async-signal-safe). 0, or -1 with errno. */
int zs_tenant_sighup_install(void);
/* Returns 1 once per received SIGHUP burst and clears the flag; 0 when none arrived. */
int zs_tenant_sighup_take(void);
/*
 * For the main loop: when a SIGHUP arrived since the last call, reloads and logs the outcome.
 * Returns 1 when a reload ran, 0 when none was requested, or a negative zs_rc when it failed.
 */
int zs_tenant_registry_reload_if_requested(zs_tenant_registry *r, zs_err *err);

#endif
