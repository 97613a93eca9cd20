#include "tenant/zs_tenant.h"

#include <dirent.h>
#include <errno.h>
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>

#include <json-c/json.h>

#include "core/zs_buf.h"
#include "log/zs_log.h"
#include "schema/zs_schema.h"

#define TENANT_FILE_MAX (1u << 20)
#define SECRET_MAX (64u << 10)
#define SCHEMA_NAME "tenant.v1"
#define ZONEINFO "/usr/share/zoneinfo"

static const char *const k_default_attributes[] = {
    "first_name",    "last_name",        "email",     "personnel_number",
    "cost_center",   "employment_type",  "weekly_working_hours",
    "hire_date",     "termination_date", "status",    NULL};

/* Key names that would hold a secret in the clear; anywhere in the document they are refused. */
static const char *const k_literal_secret_keys[] = {"client_secret", "token",    "soap_token",
                                                    "secret",        "password", "api_key", NULL};

/* ------------------------------------------------------------------------------------------ */
/* Small helpers                                                                               */

static zs_rc read_file(const char *path, size_t max, zs_buf *out, zs_err *err)
{
    FILE *f = fopen(path, "rb");
    if (!f)
        return zs_err_set(err, ZS_ERR_FAILED, "cannot read %s: %s", path, strerror(errno));
    char chunk[8192];
    size_t n;
    while ((n = fread(chunk, 1, sizeof chunk, f)) > 0) {
        if (out->len + n > max) {
            fclose(f);
            return zs_err_set(err, ZS_ERR_FAILED, "%s is larger than %zu bytes", path, max);
        }
        zs_buf_append(out, chunk, n);
    }
    int bad = ferror(f);
    fclose(f);
    if (bad)
        return zs_err_set(err, ZS_ERR_FAILED, "cannot read %s", path);
    if (out->oom)
        return zs_err_set(err, ZS_ERR_FAILED, "out of memory reading %s", path);
    return ZS_OK;
}

static void wipe_free(char *s)
{
    if (!s)
        return;
    explicit_bzero(s, strlen(s));
    free(s);
}

static json_object *jget(json_object *o, const char *k)
{
    json_object *v = NULL;
    if (o && json_object_is_type(o, json_type_object) && json_object_object_get_ex(o, k, &v))
        return v;
    return NULL;
}

static const char *jstr(json_object *o, const char *k)
{
    json_object *v = jget(o, k);
    return v && json_object_is_type(v, json_type_string) ? json_object_get_string(v) : NULL;
}

static bool jbool(json_object *o, const char *k, bool def)
{
    json_object *v = jget(o, k);
    return v && json_object_is_type(v, json_type_boolean) ? json_object_get_boolean(v) : def;
}

static int jint(json_object *o, const char *k, int def)
{
    json_object *v = jget(o, k);
    return v && (json_object_is_type(v, json_type_int) || json_object_is_type(v, json_type_double))
               ? (int)json_object_get_int64(v)
               : def;
}

/* Duplicates s (or def when s is NULL); sets *oom when memory ran out. NULL when both are NULL. */
static char *dup_or(const char *s, const char *def, int *oom)
{
    if (!s)
        s = def;
    if (!s)
        return NULL;
    char *d = strdup(s);
    if (!d)
        *oom = 1;
    return d;
}

static int lookup(const char *const *names, const char *s, int def)
{
    if (!s)
        return def;
    for (int i = 0; names[i]; i++)
        if (strcmp(names[i], s) == 0)
            return i;
    return def;
}

static const char *const k_modes[] = {"daily", "individual", NULL};
static const char *const k_rules[] = {"DE", "DE_MINOR", "AT", "CH", "custom", NULL};
static const char *const k_deductions[] = {"none", "floating", "full", NULL};
static const char *const k_caps[] = {"warn", "truncate", NULL};
static const char *const k_leaders[] = {"off", "personio", "zep", NULL};

const char *zs_tenant_rules_name(zs_tenant_rules r)
{
    return (unsigned)r < 5 ? k_rules[r] : "?";
}

const char *zs_tenant_deduction_name(zs_tenant_deduction d)
{
    return (unsigned)d < 3 ? k_deductions[d] : "?";
}

const char *zs_tenant_leader_name(zs_tenant_leader l)
{
    return (unsigned)l < 3 ? k_leaders[l] : "?";
}

/* ------------------------------------------------------------------------------------------ */
/* One tenant                                                                                  */

static void tenant_free(zs_tenant *t)
{
    if (!t)
        return;
    free(t->path);
    free(t->personio.base_url);
    free(t->personio.client_id);
    wipe_free(t->personio.client_secret);
    free(t->personio.client_secret_src);
    free(t->personio.webhook_token_src);
    free(t->zep.token_src);
    free(t->zep.soap_token_src);
    free(t->personio.partner_id);
    free(t->personio.app_id);
    wipe_free(t->personio.webhook_token);
    free(t->zep.base_url);
    wipe_free(t->zep.token);
    wipe_free(t->zep.soap_token);
    free(t->employees.default_price_group);
    free(t->employees.exclude_attribute);
    for (size_t i = 0; i < t->employees.n_exclude_values; i++)
        free(t->employees.exclude_values[i]);
    free(t->employees.exclude_values);
    free(t->employees.personnel_number_attribute);
    for (size_t i = 0; i < t->employees.n_attributes; i++)
        free(t->employees.attributes[i]);
    free(t->employees.attributes);
    for (size_t i = 0; i < t->absences.n_types; i++) {
        free(t->absences.types[i].personio);
        free(t->absences.types[i].zep);
        free(t->absences.types[i].name);
    }
    free(t->absences.types);
    free(t);
}

void zs_tenant_release(zs_tenant *t)
{
    if (t && __atomic_sub_fetch(&t->refs_, 1, __ATOMIC_ACQ_REL) == 0)
        tenant_free(t);
}

static zs_tenant *tenant_ref(zs_tenant *t)
{
    __atomic_add_fetch(&t->refs_, 1, __ATOMIC_RELAXED);
    return t;
}

/* Finds a key that would carry a literal secret; writes its JSON pointer into ptr. */
static int find_literal_secret(json_object *o, char *ptr, size_t cap, size_t len)
{
    if (!o)
        return 0;
    if (json_object_is_type(o, json_type_array)) {
        for (size_t i = 0; i < json_object_array_length(o); i++) {
            int w = snprintf(ptr + len, cap - len, "/%zu", i);
            if (w > 0 && (size_t)w < cap - len &&
                find_literal_secret(json_object_array_get_idx(o, i), ptr, cap, len + (size_t)w))
                return 1;
        }
        ptr[len] = '\0';
        return 0;
    }
    if (!json_object_is_type(o, json_type_object))
        return 0;
    json_object_object_foreach(o, key, val)
    {
        int w = snprintf(ptr + len, cap - len, "/%s", key);
        if (w <= 0 || (size_t)w >= cap - len)
            continue;
        for (int i = 0; k_literal_secret_keys[i]; i++)
            if (strcmp(key, k_literal_secret_keys[i]) == 0)
                return 1;
        if (find_literal_secret(val, ptr, cap, len + (size_t)w))
            return 1;
    }
    ptr[len] = '\0';
    return 0;
}

/*
 * Resolves secret <name> of section obj (at JSON pointer base): <name>_file or <name>_env.
 * *out stays NULL when neither is given and the secret is optional.
 */
static zs_rc resolve_secret(json_object *obj, const char *base, const char *name, int required,
                            char **out, char **src, zs_err *err)
{
    char key[64];
    *out = NULL;
    *src = NULL;
    snprintf(key, sizeof key, "%s_file", name);
    const char *file = jstr(obj, key);
    snprintf(key, sizeof key, "%s_env", name);
    const char *env = jstr(obj, key);
    if (file) {
        zs_buf b;
        zs_buf_init(&b);
        zs_err rerr;
        if (read_file(file, SECRET_MAX, &b, &rerr) != ZS_OK) {
            if (b.data)
                explicit_bzero(b.data, b.len);
            zs_buf_release(&b);
            return zs_err_set(err, ZS_ERR_FAILED, "%s/%s_file: %s", base, name, rerr.msg);
        }
        while (b.len > 0 && (b.data[b.len - 1] == '\n' || b.data[b.len - 1] == '\r'))
            b.data[--b.len] = '\0';
        if (b.len == 0 || memchr(b.data, '\0', b.len) || memchr(b.data, '\n', b.len)) {
            int empty = b.len == 0;
            if (b.data)
                explicit_bzero(b.data, b.len);
            zs_buf_release(&b);
            return zs_err_set(err, ZS_ERR_FAILED, "%s/%s_file: secret file %s %s", base, name,
                              file, empty ? "is empty" : "holds more than one line");
        }
        *out = zs_buf_steal(&b);
        if (!*out || asprintf(src, "file:%s", file) < 0) {
            *src = NULL;
            return zs_err_set(err, ZS_ERR_FAILED, "out of memory");
        }
        return ZS_OK;
    }
    if (env) {
        const char *v = getenv(env);
        if (!v)
            return zs_err_set(err, ZS_ERR_FAILED, "%s/%s_env: environment variable %s is not set",
                              base, name, env);
        if (!*v)
            return zs_err_set(err, ZS_ERR_FAILED, "%s/%s_env: environment variable %s is empty",
                              base, name, env);
        *out = strdup(v);
        if (!*out || asprintf(src, "env:%s", env) < 0) {
            *src = NULL;
            return zs_err_set(err, ZS_ERR_FAILED, "out of memory");
        }
        return ZS_OK;
    }
    if (required)
        return zs_err_set(err, ZS_ERR_FAILED, "%s/%s_file: required (or %s_env)", base, name, name);
    return ZS_OK;
}

static char **dup_string_array(json_object *arr, size_t *n, int *oom)
{
    *n = 0;
    if (!arr || !json_object_is_type(arr, json_type_array))
        return NULL;
    size_t len = json_object_array_length(arr);
    char **v = calloc(len ? len : 1, sizeof *v);
    if (!v) {
        *oom = 1;
        return NULL;
    }
    for (size_t i = 0; i < len; i++) {
        v[i] = dup_or(json_object_get_string(json_object_array_get_idx(arr, i)), NULL, oom);
        *n = i + 1;
    }
    return v;
}

static int parse_clock(const char *s, int def)
{
    if (!s || strlen(s) != 5)
        return def;
    return ((s[0] - '0') * 10 + (s[1] - '0')) * 60 + (s[3] - '0') * 10 + (s[4] - '0');
}

static zs_rc fill_custom_rules(zs_tenant_rule_set *rs, json_object *o, zs_err *err)
{
    json_object *tiers = jget(o, "tiers");
    size_t n = tiers ? json_object_array_length(tiers) : 0;
    if (n > ZS_TENANT_TIERS_MAX)
        n = ZS_TENANT_TIERS_MAX; /* the schema caps it; belt and braces */
    for (size_t i = 0; i < n; i++) {
        json_object *t = json_object_array_get_idx(tiers, i);
        rs->tiers[i].net_over = jint(t, "net_over", 0);
        rs->tiers[i].brk = jint(t, "break", 0);
        if (i > 0 && rs->tiers[i].net_over <= rs->tiers[i - 1].net_over)
            return zs_err_set(err, ZS_ERR_FAILED,
                              "/attendances/custom_rules/tiers/%zu/net_over: tiers must be in "
                              "ascending order of net_over",
                              i);
        if (i > 0 && rs->tiers[i].brk < rs->tiers[i - 1].brk)
            return zs_err_set(err, ZS_ERR_FAILED,
                              "/attendances/custom_rules/tiers/%zu/break: a longer day cannot "
                              "require a shorter break",
                              i);
    }
    rs->n_tiers = n;
    rs->min_block = jint(o, "min_block", 15);
    rs->max_consecutive = jint(o, "max_consecutive", 0);
    rs->regular_daily = jint(o, "regular_daily", 0);
    rs->max_daily = jint(o, "max_daily", 0);
    rs->min_rest = jint(o, "min_rest", 0);
    json_object *minor = jget(o, "minor");
    rs->has_minor = minor != NULL;
    rs->minor.span_max = jint(minor, "span_max", 600);
    rs->minor.window = jint(minor, "window", 60);
    rs->minor.night_from = parse_clock(jstr(minor, "night_from"), 20 * 60);
    rs->minor.night_to = parse_clock(jstr(minor, "night_to"), 6 * 60);
    return ZS_OK;
}

static zs_rc check_timezone(const char *tz, zs_err *err)
{
    struct stat st;
    if (strcmp(tz, "UTC") == 0)
        return ZS_OK;
    /* Without tzdata installed there is nothing to check against; the engine reports it later. */
    if (stat(ZONEINFO, &st) != 0 || !S_ISDIR(st.st_mode))
        return ZS_OK;
    char path[256];
    snprintf(path, sizeof path, "%s/%s", ZONEINFO, tz);
    if (stat(path, &st) != 0 || !S_ISREG(st.st_mode))
        return zs_err_set(err, ZS_ERR_FAILED, "/attendances/timezone: unknown time zone");
    return ZS_OK;
}

/* The id a file must carry: its base name without ".json". -1 when the name is unusable. */
static int stem_of(const char *path, char *stem, size_t cap)
{
    const char *base = strrchr(path, '/');
    base = base ? base + 1 : path;
    size_t n = strlen(base);
    if (n <= 5 || strcmp(base + n - 5, ".json") != 0 || n - 5 >= cap)
        return -1;
    memcpy(stem, base, n - 5);
    stem[n - 5] = '\0';
    return 0;
}

/* Everything after schema validation: typed fields, cross-field rules, secrets. */
static zs_rc tenant_build(json_object *doc, const char *path, zs_tenant *t, zs_err *err)
{
    int oom = 0;
    json_object *p = jget(doc, "personio"), *z = jget(doc, "zep"), *e = jget(doc, "employees"),
                *a = jget(doc, "attendances"), *ab = jget(doc, "absences");

    snprintf(t->id, sizeof t->id, "%s", jstr(doc, "id"));
    t->path = dup_or(path, NULL, &oom);
    snprintf(t->sync_start_date, sizeof t->sync_start_date, "%s", jstr(doc, "sync_start_date"));

    t->personio.base_url = dup_or(jstr(p, "base_url"), NULL, &oom);
    t->personio.client_id = dup_or(jstr(p, "client_id"), NULL, &oom);
    t->personio.partner_id = dup_or(jstr(p, "partner_id"), "ZEPSYNC", &oom);
    t->personio.app_id = dup_or(jstr(p, "app_id"), "ZEPSYNC", &oom);
    t->zep.base_url = dup_or(jstr(z, "base_url"), NULL, &oom);
    t->zep.max_requests_per_5min = jint(z, "max_requests_per_5min", 900);

    t->employees.create_new = jbool(e, "create_new", false);
    t->employees.match_by_email = jbool(e, "match_by_email", true);
    t->employees.default_price_group = dup_or(jstr(e, "default_price_group"), NULL, &oom);
    t->employees.exclude_attribute = dup_or(jstr(e, "exclude_attribute"), NULL, &oom);
    t->employees.exclude_values =
        dup_string_array(jget(e, "exclude_values"), &t->employees.n_exclude_values, &oom);
    t->employees.personnel_number_attribute =
        dup_or(jstr(e, "personnel_number_attribute"), NULL, &oom);
    json_object *attrs = jget(e, "attributes");
    if (attrs) {
        t->employees.attributes = dup_string_array(attrs, &t->employees.n_attributes, &oom);
    } else {
        size_t n = 0;
        while (k_default_attributes[n])
            n++;
        t->employees.attributes = calloc(n, sizeof(char *));
        if (!t->employees.attributes)
            oom = 1;
        for (size_t i = 0; t->employees.attributes && i < n; i++) {
            t->employees.attributes[i] = dup_or(k_default_attributes[i], NULL, &oom);
            t->employees.n_attributes = i + 1;
        }
    }

    t->attendances.mode = (zs_tenant_att_mode)lookup(k_modes, jstr(a, "mode"), ZS_ATT_DAILY);
    t->attendances.rules = (zs_tenant_rules)lookup(k_rules, jstr(a, "rules"), ZS_RULES_DE);
    t->attendances.deduction =
        (zs_tenant_deduction)lookup(k_deductions, jstr(a, "deduction"), ZS_DEDUCT_FLOATING);
    t->attendances.cap = (zs_tenant_cap)lookup(k_caps, jstr(a, "cap"), ZS_CAP_WARN);
    const char *tz = jstr(a, "timezone");
    snprintf(t->attendances.timezone, sizeof t->attendances.timezone, "%s",
             tz ? tz : "Europe/Berlin");
    if (check_timezone(t->attendances.timezone, err) != ZS_OK)
        return ZS_ERR_FAILED;
    if (t->attendances.rules == ZS_RULES_CUSTOM &&
        fill_custom_rules(&t->attendances.custom, jget(a, "custom_rules"), err) != ZS_OK)
        return ZS_ERR_FAILED;

    t->absences.leader = (zs_tenant_leader)lookup(k_leaders, jstr(ab, "leader"), ZS_LEADER_OFF);
    json_object *types = jget(ab, "types");
    size_t nt = types ? json_object_array_length(types) : 0;
    if (nt) {
        t->absences.types = calloc(nt, sizeof *t->absences.types);
        if (!t->absences.types)
            return zs_err_set(err, ZS_ERR_FAILED, "out of memory");
        for (size_t i = 0; i < nt; i++) {
            json_object *ty = json_object_array_get_idx(types, i);
            zs_tenant_absence_type *dst = &t->absences.types[i];
            dst->personio = dup_or(jstr(ty, "personio"), NULL, &oom);
            dst->zep = dup_or(jstr(ty, "zep"), NULL, &oom);
            dst->name = dup_or(jstr(ty, "name"), NULL, &oom);
            t->absences.n_types = i + 1;
            if (oom)
                break;
            for (size_t j = 0; j < i; j++) {
                /* The mapping must be a function in the direction it is used. */
                if (strcmp(t->absences.types[j].personio, dst->personio) == 0)
                    return zs_err_set(err, ZS_ERR_FAILED,
                                      "/absences/types/%zu/personio: duplicate of item %zu", i, j);
                if (t->absences.leader == ZS_LEADER_ZEP &&
                    strcmp(t->absences.types[j].zep, dst->zep) == 0)
                    return zs_err_set(err, ZS_ERR_FAILED,
                                      "/absences/types/%zu/zep: duplicate of item %zu (ZEP leads, "
                                      "so each ZEP reason must map to one Personio type)",
                                      i, j);
            }
        }
    }
    if (oom)
        return zs_err_set(err, ZS_ERR_FAILED, "out of memory");

    if (resolve_secret(p, "/personio", "client_secret", 1, &t->personio.client_secret,
                       &t->personio.client_secret_src, err) != ZS_OK ||
        resolve_secret(z, "/zep", "token", 1, &t->zep.token, &t->zep.token_src, err) != ZS_OK ||
        resolve_secret(z, "/zep", "soap_token", 0, &t->zep.soap_token, &t->zep.soap_token_src,
                       err) != ZS_OK)
        return ZS_ERR_FAILED;
    json_object *wh = jget(p, "webhook");
    if (wh) {
        t->personio.webhook_enabled = jbool(wh, "enabled", true);
        /* A disabled receiver needs no token, so it can be switched off before the secret exists. */
        if (t->personio.webhook_enabled &&
            resolve_secret(wh, "/personio/webhook", "token", 1, &t->personio.webhook_token,
                           &t->personio.webhook_token_src, err) != ZS_OK)
            return ZS_ERR_FAILED;
    }
    return ZS_OK;
}

/*
 * Each secret needs exactly one source. The schema says so too, but through oneOf, whose message
 * is generic; this names the keys an operator has to write.
 */
static zs_rc check_secret_sources(json_object *doc, zs_err *err)
{
    static const struct {
        const char *section, *sub, *name, *where;
        int required;
    } k[] = {
        {"personio", NULL, "client_secret", "/personio", 1},
        {"personio", "webhook", "token", "/personio/webhook", 1},
        {"zep", NULL, "token", "/zep", 1},
        {"zep", NULL, "soap_token", "/zep", 0},
    };
    for (size_t i = 0; i < sizeof k / sizeof k[0]; i++) {
        json_object *o = jget(doc, k[i].section);
        if (k[i].sub)
            o = jget(o, k[i].sub);
        if (!o || !json_object_is_type(o, json_type_object))
            continue;
        if (k[i].sub && !jbool(o, "enabled", true))
            continue;
        char fk[64], ek[64];
        snprintf(fk, sizeof fk, "%s_file", k[i].name);
        snprintf(ek, sizeof ek, "%s_env", k[i].name);
        int has_f = json_object_object_get_ex(o, fk, NULL);
        int has_e = json_object_object_get_ex(o, ek, NULL);
        if (has_f && has_e)
            return zs_err_set(err, ZS_ERR_FAILED, "%s: give %s or %s, not both", k[i].where, fk, ek);
        if (k[i].required && !has_f && !has_e)
            return zs_err_set(err, ZS_ERR_FAILED, "%s/%s: required (or %s)", k[i].where, fk, ek);
    }
    return ZS_OK;
}

/* Loads one file with an already loaded schema. */
static zs_rc tenant_load(const char *path, const zs_schema *schema, zs_tenant **out, zs_err *err)
{
    *out = NULL;
    char stem[ZS_TENANT_ID_MAX];
    if (stem_of(path, stem, sizeof stem) != 0)
        return zs_err_set(err, ZS_ERR_FAILED, "%s: file name must be <tenant id>.json (id up to %d "
                          "characters)", path, ZS_TENANT_ID_MAX - 1);
    zs_buf text;
    zs_buf_init(&text);
    zs_err e;
    if (read_file(path, TENANT_FILE_MAX, &text, &e) != ZS_OK) {
        zs_buf_release(&text);
        return zs_err_set(err, ZS_ERR_FAILED, "%s: %s", path, e.msg);
    }
    json_object *doc = NULL;
    zs_rc rc = zs_schema_parse_json(zs_buf_str(&text), text.len, &doc, &e);
    zs_buf_release(&text);
    if (rc != ZS_OK)
        return zs_err_set(err, ZS_ERR_FAILED, "%s: %s", path, e.msg);

    char ptr[512] = "";
    if (find_literal_secret(doc, ptr, sizeof ptr, 0)) {
        const char *key = strrchr(ptr, '/') + 1;
        json_object_put(doc);
        return zs_err_set(err, ZS_ERR_FAILED,
                          "%s: %s: literal secrets are not allowed in tenant files; name a file "
                          "(%s_file) or an environment variable (%s_env) instead",
                          path, ptr, key, key);
    }
    if (check_secret_sources(doc, &e) != ZS_OK) {
        json_object_put(doc);
        return zs_err_set(err, ZS_ERR_FAILED, "%s: %s", path, e.msg);
    }
    size_t nerr = 0;
    if (zs_schema_validate_all(schema, doc, NULL, 0, &nerr, &e) != ZS_OK) {
        json_object_put(doc);
        if (nerr > 1)
            return zs_err_set(err, ZS_ERR_FAILED, "%s: %s (and %zu more)", path, e.msg, nerr - 1);
        return zs_err_set(err, ZS_ERR_FAILED, "%s: %s", path, e.msg);
    }
    const char *id = jstr(doc, "id");
    if (strcmp(id, stem) != 0) {
        json_object_put(doc);
        return zs_err_set(err, ZS_ERR_FAILED, "%s: /id: must equal the file name \"%s\"", path,
                          stem);
    }
    zs_tenant *t = calloc(1, sizeof *t);
    if (!t) {
        json_object_put(doc);
        return zs_err_set(err, ZS_ERR_FAILED, "%s: out of memory", path);
    }
    t->refs_ = 1;
    rc = tenant_build(doc, path, t, &e);
    json_object_put(doc);
    if (rc != ZS_OK) {
        tenant_free(t);
        return zs_err_set(err, ZS_ERR_FAILED, "%s: %s", path, e.msg);
    }
    *out = t;
    return ZS_OK;
}

zs_rc zs_tenant_load_file(const char *path, const char *schemas_dir, zs_tenant **out, zs_err *err)
{
    *out = NULL;
    zs_schema *schema = NULL;
    if (zs_schema_load_named(schemas_dir, SCHEMA_NAME, &schema, err) != ZS_OK)
        return ZS_ERR_FAILED;
    zs_rc rc = tenant_load(path, schema, out, err);
    zs_schema_free(schema);
    return rc;
}

const char *zs_tenant_absence_zep_for(const zs_tenant *t, const char *personio_type_id)
{
    for (size_t i = 0; t && personio_type_id && i < t->absences.n_types; i++)
        if (strcmp(t->absences.types[i].personio, personio_type_id) == 0)
            return t->absences.types[i].zep;
    return NULL;
}

const char *zs_tenant_absence_personio_for(const zs_tenant *t, const char *zep_reason)
{
    for (size_t i = 0; t && zep_reason && i < t->absences.n_types; i++)
        if (strcmp(t->absences.types[i].zep, zep_reason) == 0)
            return t->absences.types[i].personio;
    return NULL;
}

int zs_tenant_employee_excluded(const zs_tenant *t, const char *attribute_value)
{
    if (!t || !t->employees.exclude_attribute || !attribute_value)
        return 0;
    for (size_t i = 0; i < t->employees.n_exclude_values; i++)
        if (strcasecmp(t->employees.exclude_values[i], attribute_value) == 0)
            return 1;
    return 0;
}

int zs_tenant_attribute_enabled(const zs_tenant *t, const char *attribute)
{
    for (size_t i = 0; t && attribute && i < t->employees.n_attributes; i++)
        if (strcmp(t->employees.attributes[i], attribute) == 0)
            return 1;
    return 0;
}

int zs_tenant_webhook_token_ok(const zs_tenant *t, const char *presented)
{
    if (!t || !t->personio.webhook_enabled || !t->personio.webhook_token || !presented)
        return 0;
    /* Walk the full length of both so the time depends on the lengths only, not the content. */
    const unsigned char *a = (const unsigned char *)t->personio.webhook_token;
    const unsigned char *b = (const unsigned char *)presented;
    size_t la = strlen((const char *)a), lb = strlen((const char *)b);
    size_t n = la > lb ? la : lb;
    unsigned diff = (unsigned)(la ^ lb);
    for (size_t i = 0; i < n; i++) {
        unsigned char x = i < la ? a[i] : 0, y = i < lb ? b[i] : 0;
        diff |= (unsigned)(x ^ y);
    }
    return diff == 0;
}

static void put_str(zs_buf *out, const char *key, const char *v, int comma)
{
    char esc[2048];
    zs_buf_printf(out, "%s\"%s\":", comma ? "," : "", key);
    if (v)
        zs_buf_printf(out, "\"%s\"", zs_log_json_escape(v, esc, sizeof esc));
    else
        zs_buf_puts(out, "null");
}

static void put_str_array(zs_buf *out, const char *key, char *const *v, size_t n)
{
    char esc[512];
    zs_buf_printf(out, ",\"%s\":[", key);
    for (size_t i = 0; i < n; i++)
        zs_buf_printf(out, "%s\"%s\"", i ? "," : "", zs_log_json_escape(v[i], esc, sizeof esc));
    zs_buf_puts(out, "]");
}

int zs_tenant_describe(const zs_tenant *t, zs_buf *out)
{
    zs_buf_puts(out, "{");
    put_str(out, "id", t->id, 0);
    put_str(out, "path", t->path, 1);
    zs_buf_puts(out, ",\"personio\":{");
    put_str(out, "base_url", t->personio.base_url, 0);
    put_str(out, "client_id", t->personio.client_id, 1);
    put_str(out, "client_secret", t->personio.client_secret_src, 1);
    put_str(out, "partner_id", t->personio.partner_id, 1);
    put_str(out, "app_id", t->personio.app_id, 1);
    zs_buf_printf(out, ",\"webhook_enabled\":%s", t->personio.webhook_enabled ? "true" : "false");
    put_str(out, "webhook_token", t->personio.webhook_token_src, 1);
    zs_buf_puts(out, "},\"zep\":{");
    put_str(out, "base_url", t->zep.base_url, 0);
    put_str(out, "token", t->zep.token_src, 1);
    put_str(out, "soap_token", t->zep.soap_token_src, 1);
    zs_buf_printf(out, ",\"max_requests_per_5min\":%d}", t->zep.max_requests_per_5min);
    put_str(out, "sync_start_date", t->sync_start_date, 1);
    zs_buf_printf(out, ",\"employees\":{\"create_new\":%s,\"match_by_email\":%s",
                  t->employees.create_new ? "true" : "false",
                  t->employees.match_by_email ? "true" : "false");
    put_str(out, "default_price_group", t->employees.default_price_group, 1);
    put_str(out, "exclude_attribute", t->employees.exclude_attribute, 1);
    put_str_array(out, "exclude_values", t->employees.exclude_values, t->employees.n_exclude_values);
    put_str(out, "personnel_number_attribute", t->employees.personnel_number_attribute, 1);
    put_str_array(out, "attributes", t->employees.attributes, t->employees.n_attributes);
    zs_buf_printf(out, "},\"attendances\":{\"mode\":\"%s\",\"rules\":\"%s\",\"deduction\":\"%s\","
                       "\"cap\":\"%s\"",
                  k_modes[t->attendances.mode], zs_tenant_rules_name(t->attendances.rules),
                  zs_tenant_deduction_name(t->attendances.deduction), k_caps[t->attendances.cap]);
    put_str(out, "timezone", t->attendances.timezone, 1);
    if (t->attendances.rules == ZS_RULES_CUSTOM) {
        const zs_tenant_rule_set *rs = &t->attendances.custom;
        zs_buf_puts(out, ",\"custom_rules\":{\"tiers\":[");
        for (size_t i = 0; i < rs->n_tiers; i++)
            zs_buf_printf(out, "%s{\"net_over\":%d,\"break\":%d}", i ? "," : "",
                          rs->tiers[i].net_over, rs->tiers[i].brk);
        zs_buf_printf(out, "],\"min_block\":%d,\"max_consecutive\":%d,\"regular_daily\":%d,"
                           "\"max_daily\":%d,\"min_rest\":%d",
                      rs->min_block, rs->max_consecutive, rs->regular_daily, rs->max_daily,
                      rs->min_rest);
        if (rs->has_minor)
            zs_buf_printf(out, ",\"minor\":{\"span_max\":%d,\"window\":%d,\"night_from\":"
                               "\"%02d:%02d\",\"night_to\":\"%02d:%02d\"}",
                          rs->minor.span_max, rs->minor.window, rs->minor.night_from / 60,
                          rs->minor.night_from % 60, rs->minor.night_to / 60,
                          rs->minor.night_to % 60);
        zs_buf_puts(out, "}");
    }
    zs_buf_printf(out, "},\"absences\":{\"leader\":\"%s\",\"types\":[",
                  zs_tenant_leader_name(t->absences.leader));
    for (size_t i = 0; i < t->absences.n_types; i++) {
        zs_buf_puts(out, i ? ",{" : "{");
        put_str(out, "personio", t->absences.types[i].personio, 0);
        put_str(out, "zep", t->absences.types[i].zep, 1);
        if (t->absences.types[i].name)
            put_str(out, "name", t->absences.types[i].name, 1);
        zs_buf_puts(out, "}");
    }
    zs_buf_puts(out, "]}}");
    return out->oom ? -1 : 0;
}

/* ------------------------------------------------------------------------------------------ */
/* Registry                                                                                    */

struct zs_tenant_registry {
    pthread_mutex_t mu;        /* guards items and problems */
    pthread_mutex_t reload_mu; /* one reload at a time */
    char *dir;
    char *schemas_dir; /* NULL: zs_schema_default_dir() at each reload */
    zs_tenant **items; /* sorted by id */
    size_t n;
    zs_tenant_problem *problems;
    size_t n_problems;
    unsigned long generation;
};

static int cmp_tenant(const void *a, const void *b)
{
    return strcmp((*(zs_tenant *const *)a)->id, (*(zs_tenant *const *)b)->id);
}

static int cmp_str(const void *a, const void *b)
{
    return strcmp(*(char *const *)a, *(char *const *)b);
}

/* Index of id in a sorted array, or -1. */
static long find_sorted(zs_tenant **items, size_t n, const char *id)
{
    size_t lo = 0, hi = n;
    while (lo < hi) {
        size_t mid = lo + (hi - lo) / 2;
        int c = strcmp(items[mid]->id, id);
        if (c == 0)
            return (long)mid;
        if (c < 0)
            lo = mid + 1;
        else
            hi = mid;
    }
    return -1;
}

/* The *.json entries of dir (regular files after following symlinks), sorted. */
static zs_rc list_dir(const char *dir, char ***names, size_t *n, zs_err *err)
{
    *names = NULL;
    *n = 0;
    DIR *d = opendir(dir);
    if (!d)
        return zs_err_set(err, ZS_ERR_FAILED, "tenants directory %s: %s", dir, strerror(errno));
    size_t cap = 0;
    struct dirent *e;
    zs_rc rc = ZS_OK;
    while ((e = readdir(d))) {
        const char *fn = e->d_name;
        size_t len = strlen(fn);
        /* Dot entries include Kubernetes' ..data indirection of mounted ConfigMaps. */
        if (fn[0] == '.' || len <= 5 || strcmp(fn + len - 5, ".json") != 0)
            continue;
        char path[4096];
        struct stat st;
        if ((size_t)snprintf(path, sizeof path, "%s/%s", dir, fn) >= sizeof path ||
            stat(path, &st) != 0 || !S_ISREG(st.st_mode))
            continue;
        if (*n == cap) {
            size_t nc = cap ? cap * 2 : 16;
            char **nn = realloc(*names, nc * sizeof *nn);
            if (!nn) {
                rc = zs_err_set(err, ZS_ERR_FAILED, "out of memory");
                break;
            }
            *names = nn;
            cap = nc;
        }
        if (!((*names)[*n] = strdup(fn))) {
            rc = zs_err_set(err, ZS_ERR_FAILED, "out of memory");
            break;
        }
        (*n)++;
    }
    closedir(d);
    if (rc != ZS_OK) {
        for (size_t i = 0; i < *n; i++)
            free((*names)[i]);
        free(*names);
        *names = NULL;
        *n = 0;
        return rc;
    }
    if (*n)
        qsort(*names, *n, sizeof **names, cmp_str);
    return ZS_OK;
}

zs_rc zs_tenant_registry_reload(zs_tenant_registry *r, zs_tenant_reload_stats *stats, zs_err *err)
{
    zs_tenant_reload_stats st = {0};
    pthread_mutex_lock(&r->reload_mu);
    zs_schema *schema = NULL;
    char **names = NULL;
    size_t nn = 0;
    zs_tenant **items = NULL;
    zs_tenant_problem *probs = NULL;
    size_t n_items = 0, n_probs = 0;
    zs_rc rc = zs_schema_load_named(r->schemas_dir, SCHEMA_NAME, &schema, err);
    if (rc == ZS_OK)
        rc = list_dir(r->dir, &names, &nn, err);
    if (rc == ZS_OK && nn) {
        items = calloc(nn, sizeof *items);
        probs = calloc(nn, sizeof *probs);
        if (!items || !probs)
            rc = zs_err_set(err, ZS_ERR_FAILED, "out of memory");
    }
    for (size_t i = 0; rc == ZS_OK && i < nn; i++) {
        char path[4096], stem[ZS_TENANT_ID_MAX] = "";
        snprintf(path, sizeof path, "%s/%s", r->dir, names[i]);
        zs_tenant *t = NULL;
        zs_err e;
        if (tenant_load(path, schema, &t, &e) == ZS_OK) {
            items[n_items++] = t;
            st.loaded++;
            continue;
        }
        zs_tenant_problem *pr = &probs[n_probs++];
        if ((size_t)snprintf(pr->path, sizeof pr->path, "%s", path) >= sizeof pr->path)
            memcpy(pr->path + sizeof pr->path - 4, "...", 4);
        snprintf(pr->msg, sizeof pr->msg, "%s", e.msg);
        st.failed++;
        /* Keep the running version only if the file still names the same tenant. */
        if (stem_of(path, stem, sizeof stem) == 0) {
            pthread_mutex_lock(&r->mu);
            long k = find_sorted(r->items, r->n, stem);
            if (k >= 0) {
                items[n_items++] = tenant_ref(r->items[k]);
                pr->kept_previous = true;
                st.kept++;
            }
            pthread_mutex_unlock(&r->mu);
        }
    }
    for (size_t i = 0; i < nn; i++)
        free(names[i]);
    free(names);
    zs_schema_free(schema);
    if (rc != ZS_OK) {
        for (size_t i = 0; i < n_items; i++)
            zs_tenant_release(items[i]);
        free(items);
        free(probs);
        pthread_mutex_unlock(&r->reload_mu);
        return rc;
    }
    if (n_items)
        qsort(items, n_items, sizeof *items, cmp_tenant);

    pthread_mutex_lock(&r->mu);
    zs_tenant **old = r->items;
    size_t n_old = r->n;
    for (size_t i = 0; i < n_old; i++)
        if (find_sorted(items, n_items, old[i]->id) < 0)
            st.removed++;
    free(r->problems);
    r->items = items;
    r->n = n_items;
    r->problems = probs;
    r->n_problems = n_probs;
    r->generation++;
    pthread_mutex_unlock(&r->mu);

    for (size_t i = 0; i < n_old; i++)
        zs_tenant_release(old[i]);
    free(old);

    for (size_t i = 0; i < n_probs; i++) {
        char stem[ZS_TENANT_ID_MAX] = "";
        stem_of(probs[i].path, stem, sizeof stem);
        zs_log(ZS_LOG_ERROR, stem[0] ? stem : NULL, NULL, "tenant file not loaded%s: %s",
               probs[i].kept_previous ? " (previous version stays active)" : "", probs[i].msg);
    }
    zs_log(ZS_LOG_INFO, NULL, NULL,
           "tenants loaded from %s: %zu active, %zu files loaded, %zu failed (%zu kept their "
           "previous version), %zu removed",
           r->dir, n_items, st.loaded, st.failed, st.kept, st.removed);
    pthread_mutex_unlock(&r->reload_mu);
    if (stats)
        *stats = st;
    return ZS_OK;
}

zs_rc zs_tenant_registry_open(const char *dir, const char *schemas_dir, zs_tenant_registry **out,
                              zs_err *err)
{
    *out = NULL;
    zs_tenant_registry *r = calloc(1, sizeof *r);
    if (!r)
        return zs_err_set(err, ZS_ERR_FAILED, "out of memory");
    pthread_mutex_init(&r->mu, NULL);
    pthread_mutex_init(&r->reload_mu, NULL);
    r->dir = strdup(dir);
    r->schemas_dir = schemas_dir ? strdup(schemas_dir) : NULL;
    if (!r->dir || (schemas_dir && !r->schemas_dir)) {
        zs_tenant_registry_free(r);
        return zs_err_set(err, ZS_ERR_FAILED, "out of memory");
    }
    if (zs_tenant_registry_reload(r, NULL, err) != ZS_OK) {
        zs_tenant_registry_free(r);
        return ZS_ERR_FAILED;
    }
    *out = r;
    return ZS_OK;
}

void zs_tenant_registry_free(zs_tenant_registry *r)
{
    if (!r)
        return;
    for (size_t i = 0; i < r->n; i++)
        zs_tenant_release(r->items[i]);
    free(r->items);
    free(r->problems);
    free(r->dir);
    free(r->schemas_dir);
    pthread_mutex_destroy(&r->mu);
    pthread_mutex_destroy(&r->reload_mu);
    free(r);
}

size_t zs_tenant_registry_count(zs_tenant_registry *r)
{
    pthread_mutex_lock(&r->mu);
    size_t n = r->n;
    pthread_mutex_unlock(&r->mu);
    return n;
}

const zs_tenant *zs_tenant_registry_get(zs_tenant_registry *r, const char *id)
{
    if (!id)
        return NULL;
    pthread_mutex_lock(&r->mu);
    long k = find_sorted(r->items, r->n, id);
    const zs_tenant *t = k >= 0 ? r->items[k] : NULL;
    pthread_mutex_unlock(&r->mu);
    return t;
}

zs_tenant *zs_tenant_registry_acquire(zs_tenant_registry *r, const char *id)
{
    if (!id)
        return NULL;
    pthread_mutex_lock(&r->mu);
    long k = find_sorted(r->items, r->n, id);
    zs_tenant *t = k >= 0 ? tenant_ref(r->items[k]) : NULL;
    pthread_mutex_unlock(&r->mu);
    return t;
}

size_t zs_tenant_registry_ids(zs_tenant_registry *r, char (*ids)[ZS_TENANT_ID_MAX], size_t cap)
{
    pthread_mutex_lock(&r->mu);
    for (size_t i = 0; i < r->n && i < cap; i++)
        memcpy(ids[i], r->items[i]->id, ZS_TENANT_ID_MAX);
    size_t n = r->n;
    pthread_mutex_unlock(&r->mu);
    return n;
}

unsigned long zs_tenant_registry_generation(zs_tenant_registry *r)
{
    pthread_mutex_lock(&r->mu);
    unsigned long g = r->generation;
    pthread_mutex_unlock(&r->mu);
    return g;
}

size_t zs_tenant_registry_problems(zs_tenant_registry *r, zs_tenant_problem *out, size_t cap)
{
    pthread_mutex_lock(&r->mu);
    for (size_t i = 0; i < r->n_problems && i < cap; i++)
        out[i] = r->problems[i];
    size_t n = r->n_problems;
    pthread_mutex_unlock(&r->mu);
    return n;
}

/* ------------------------------------------------------------------------------------------ */
/* SIGHUP                                                                                      */

static volatile sig_atomic_t g_hup;

static void on_hup(int sig)
{
    (void)sig;
    g_hup = 1;
}

int zs_tenant_sighup_install(void)
{
    struct sigaction sa;
    memset(&sa, 0, sizeof sa);
    sa.sa_handler = on_hup;
    sigemptyset(&sa.sa_mask);
    /* Restart interrupted calls: the main loop polls with a timeout and sees the flag anyway. */
    sa.sa_flags = SA_RESTART;
    return sigaction(SIGHUP, &sa, NULL);
}

int zs_tenant_sighup_take(void)
{
    /* Clearing before the reload reads the files means a SIGHUP that lands during the reload
     * triggers another one, so no edit is missed. */
    if (!g_hup)
        return 0;
    g_hup = 0;
    return 1;
}

int zs_tenant_registry_reload_if_requested(zs_tenant_registry *r, zs_err *err)
{
    if (!zs_tenant_sighup_take())
        return 0;
    zs_log(ZS_LOG_INFO, NULL, NULL, "SIGHUP: reloading tenants");
    zs_rc rc = zs_tenant_registry_reload(r, NULL, err);
    if (rc != ZS_OK) {
        zs_log(ZS_LOG_ERROR, NULL, NULL, "tenant reload failed, keeping the current set: %s",
               err ? err->msg : "");
        return rc;
    }
    return 1;
}
