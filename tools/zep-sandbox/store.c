/* The sandbox's data model: instances and the entities REST and SOAP share. */
#include "sandbox.h"
#include "core/zs_date.h"

#include <ctype.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

long sb_default_rate_limit = 1000, sb_default_rate_window_s = 300, sb_default_rate_block_s = 60;

static sb_inst **insts;
static size_t n_insts;
static int64_t clock_offset_us;

/* ---------------------------------------------------------------- clock */

int64_t sb_now_us(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_REALTIME, &ts);
    return (int64_t)ts.tv_sec * 1000000 + ts.tv_nsec / 1000 + clock_offset_us;
}

void sb_clock_advance(int64_t us) { clock_offset_us += us; }

static void fmt_tm(int64_t us, const char *fmt, char *out, size_t cap)
{
    time_t t = (time_t)(us / 1000000);
    struct tm tm;
    gmtime_r(&t, &tm);
    strftime(out, cap, fmt, &tm);
}

void sb_fmt_rest_ts(int64_t us, char *out, size_t cap) { fmt_tm(us, "%Y-%m-%dT%H:%M:%S.000000Z", out, cap); }
void sb_fmt_soap_ts(int64_t us, char *out, size_t cap) { fmt_tm(us, "%Y-%m-%d %H:%M:%S", out, cap); }
void sb_fmt_date(int64_t us, char *out, size_t cap) { fmt_tm(us, "%Y-%m-%d", out, cap); }

int sb_valid_date(const char *s)
{
    return zs_date_parse(s, NULL) == 0;
}

int sb_parse_time(const char *s, int *secs)
{
    int h, m, sec = 0, n = 0;
    if (!s)
        return -1;
    if (sscanf(s, "%2d:%2d:%2d%n", &h, &m, &sec, &n) == 3 && s[n] == '\0') {
    } else if (sscanf(s, "%2d:%2d%n", &h, &m, &n) == 2 && s[n] == '\0') {
        sec = 0;
    } else {
        return -1;
    }
    if (h < 0 || h > 24 || m < 0 || m > 59 || sec < 0 || sec > 59 || (h == 24 && (m || sec)))
        return -1;
    *secs = h * 3600 + m * 60 + sec;
    return 0;
}

int sb_parse_soap_ts(const char *s, int64_t *us)
{
    struct tm tm = {0};
    int n = 0;
    if (!s)
        return -1;
    int k = sscanf(s, "%4d-%2d-%2d%*[ T]%2d:%2d:%2d%n", &tm.tm_year, &tm.tm_mon, &tm.tm_mday,
                   &tm.tm_hour, &tm.tm_min, &tm.tm_sec, &n);
    if (k != 6) {
        tm.tm_sec = 0;
        n = 0;
        k = sscanf(s, "%4d-%2d-%2d%*[ T]%2d:%2d%n", &tm.tm_year, &tm.tm_mon, &tm.tm_mday,
                   &tm.tm_hour, &tm.tm_min, &n);
        if (k != 5)
            return -1;
    }
    if (s[n] != '\0')
        return -1;
    tm.tm_year -= 1900;
    tm.tm_mon -= 1;
    *us = (int64_t)timegm(&tm) * 1000000;
    return 0;
}

/* ---------------------------------------------------------------- json helpers */

const char *sb_jstr(json_object *o, const char *key)
{
    json_object *v;
    if (!o || !json_object_object_get_ex(o, key, &v) || !json_object_is_type(v, json_type_string))
        return NULL;
    return json_object_get_string(v);
}

int sb_jhas(json_object *o, const char *key)
{
    json_object *v;
    return o && json_object_object_get_ex(o, key, &v) && v != NULL;
}

int64_t sb_jint(json_object *o, const char *key, int64_t dflt)
{
    json_object *v;
    if (!o || !json_object_object_get_ex(o, key, &v) || !v)
        return dflt;
    if (json_object_is_type(v, json_type_string)) {
        const char *s = json_object_get_string(v);
        char *end;
        long long x = strtoll(s, &end, 10);
        return (*s && *end == '\0') ? x : dflt;
    }
    return json_object_get_int64(v);
}

double sb_jdouble(json_object *o, const char *key, double dflt)
{
    json_object *v;
    if (!o || !json_object_object_get_ex(o, key, &v) || !v)
        return dflt;
    if (json_object_is_type(v, json_type_string)) {
        const char *s = json_object_get_string(v);
        char *end;
        double x = strtod(s, &end);
        return (*s && *end == '\0') ? x : dflt;
    }
    return json_object_get_double(v);
}

int sb_jbool(json_object *o, const char *key, int dflt)
{
    json_object *v;
    if (!o || !json_object_object_get_ex(o, key, &v) || !v)
        return dflt;
    if (json_object_is_type(v, json_type_string)) {
        const char *s = json_object_get_string(v);
        if (!strcmp(s, "true") || !strcmp(s, "1"))
            return 1;
        if (!strcmp(s, "false") || !strcmp(s, "0"))
            return 0;
        return dflt;
    }
    return json_object_get_boolean(v);
}

json_object *sb_arr(sb_inst *in, const char *key)
{
    json_object *a;
    if (!json_object_object_get_ex(in->d, key, &a)) {
        a = json_object_new_array();
        json_object_object_add(in->d, key, a);
    }
    return a;
}

json_object *sb_public_copy(json_object *o)
{
    json_object *c = json_object_new_object();
    if (!c)
        return NULL;
    json_object_object_foreach(o, k, v)
    {
        if (k[0] != '_')
            json_object_object_add(c, k, json_object_get(v));
    }
    return c;
}

void sb_verr_set(sb_verr *ve, int status, const char *field, const char *fmt, ...)
{
    va_list ap;
    ve->status = status;
    snprintf(ve->field, sizeof ve->field, "%s", field ? field : "");
    va_start(ap, fmt);
    vsnprintf(ve->msg, sizeof ve->msg, fmt, ap);
    va_end(ap);
}

static int64_t next_id(sb_inst *in)
{
    int64_t id = sb_jint(in->d, "next_id", 1000);
    json_object_object_add(in->d, "next_id", json_object_new_int64(id + 1));
    return id;
}

/* created/modified in the REST format plus µs copies for modifiedSince comparisons. */
static void touch(json_object *o, int created)
{
    char ts[40];
    int64_t now = sb_now_us();
    sb_fmt_rest_ts(now, ts, sizeof ts);
    if (created) {
        json_object_object_add(o, "created", json_object_new_string(ts));
        json_object_object_add(o, "_cre", json_object_new_int64(now));
    }
    json_object_object_add(o, "modified", json_object_new_string(ts));
    json_object_object_add(o, "_mod", json_object_new_int64(now));
}

static json_object *str_or_null(const char *s) { return s ? json_object_new_string(s) : NULL; }

static json_object *date_ts(const char *ymd)
{
    char b[40];
    snprintf(b, sizeof b, "%.10sT00:00:00.000000Z", ymd);
    return json_object_new_string(b);
}

/* ---------------------------------------------------------------- instances */

static int valid_name(const char *s)
{
    if (!s || !*s || strlen(s) >= 64)
        return 0;
    for (; *s; s++)
        if (!islower((unsigned char)*s) && !isdigit((unsigned char)*s) && *s != '_' && *s != '-')
            return 0;
    return 1;
}

static json_object *default_reasons(void)
{
    static const char *js =
        "[{\"name\":\"UB\",\"comment\":\"Urlaub bezahlt|en:Paid holiday\",\"approve\":1,"
        "\"allow_self_entry\":1,\"allow_half_day_holiday\":1,\"allow_hours_of_vacation\":1,"
        "\"anyone_can_see_name\":1,\"color\":\"#4caf50\",\"type\":{\"id\":0,\"name\":\"annual holiday\"}},"
        "{\"name\":\"KR\",\"comment\":\"Krank mit Lohnfortzahlung|en:Sick with pay\",\"approve\":0,"
        "\"allow_self_entry\":1,\"allow_half_day_holiday\":1,\"allow_hours_of_vacation\":0,"
        "\"anyone_can_see_name\":0,\"color\":\"#f44336\",\"type\":{\"id\":1,\"name\":\"paid absence\"}},"
        "{\"name\":\"FA\",\"comment\":\"Freizeitausgleich|en:Time off in lieu\",\"approve\":1,"
        "\"allow_self_entry\":1,\"allow_half_day_holiday\":1,\"allow_hours_of_vacation\":1,"
        "\"anyone_can_see_name\":1,\"color\":\"#2196f3\",\"type\":{\"id\":3,\"name\":\"flexitime\"}}]";
    return json_tokener_parse(js);
}

static sb_inst *inst_wrap(const char *name, json_object *d)
{
    sb_inst *in = calloc(1, sizeof *in);
    if (!in)
        return NULL;
    snprintf(in->name, sizeof in->name, "%s", name);
    in->d = d;
    in->counts = json_object_new_object();
    in->statuses = json_object_new_object();
    in->ring_cap = sb_jint(d, "rate_limit", sb_default_rate_limit);
    if (in->ring_cap < 1)
        in->ring_cap = 1;
    in->ring = calloc((size_t)in->ring_cap, sizeof *in->ring);
    sb_inst **grown = realloc(insts, (n_insts + 1) * sizeof *insts);
    if (!in->ring || !in->counts || !in->statuses || !grown) {
        free(in->ring);
        json_object_put(in->counts);
        json_object_put(in->statuses);
        free(in);
        if (grown)
            insts = grown;
        return NULL;
    }
    insts = grown;
    insts[n_insts++] = in;
    return in;
}

sb_inst *sb_inst_find(const char *name)
{
    for (size_t i = 0; i < n_insts; i++)
        if (!strcmp(insts[i]->name, name))
            return insts[i];
    return NULL;
}

sb_inst *sb_inst_create(json_object *spec, sb_verr *ve)
{
    const char *name = sb_jstr(spec, "name");
    const char *rt = sb_jstr(spec, "rest_token"), *st = sb_jstr(spec, "soap_token");
    if (!valid_name(name)) {
        sb_verr_set(ve, 422, "name", "name must be 1-63 chars of [a-z0-9_-]");
        return NULL;
    }
    if (!rt || !*rt || !st || !*st) {
        sb_verr_set(ve, 422, "rest_token", "rest_token and soap_token are required");
        return NULL;
    }
    if (sb_inst_find(name)) {
        sb_verr_set(ve, 409, "name", "instance %s already exists", name);
        return NULL;
    }
    json_object *d = json_object_new_object();
    if (!d) {
        sb_verr_set(ve, 500, NULL, "out of memory");
        return NULL;
    }
    json_object_object_add(d, "rest_token", json_object_new_string(rt));
    json_object_object_add(d, "soap_token", json_object_new_string(st));
    json_object_object_add(d, "minute_grid", json_object_new_int64(sb_jint(spec, "minute_grid", 1)));
    json_object_object_add(d, "rate_limit",
                           json_object_new_int64(sb_jint(spec, "rate_limit", sb_default_rate_limit)));
    json_object_object_add(d, "rate_window_s",
                           json_object_new_int64(sb_jint(spec, "rate_window_s", sb_default_rate_window_s)));
    json_object_object_add(d, "rate_block_s",
                           json_object_new_int64(sb_jint(spec, "rate_block_s", sb_default_rate_block_s)));
    json_object *v;
    if (json_object_object_get_ex(spec, "absence_reasons", &v) && json_object_is_type(v, json_type_array)) {
        json_object *copy = NULL;
        json_object_deep_copy(v, &copy, NULL);
        json_object_object_add(d, "absence_reasons", copy);
    } else {
        json_object_object_add(d, "absence_reasons", default_reasons());
    }
    if (json_object_object_get_ex(spec, "modules_off", &v) && json_object_is_type(v, json_type_array)) {
        json_object *copy = NULL;
        json_object_deep_copy(v, &copy, NULL);
        json_object_object_add(d, "modules_off", copy);
    }
    sb_inst *in = inst_wrap(name, d);
    if (!in) {
        json_object_put(d);
        sb_verr_set(ve, 500, NULL, "out of memory");
    }
    return in;
}

int sb_inst_reset_data(sb_inst *in)
{
    static const char *arrs[] = {"employees", "employment_periods", "regular_working_times",
                                 "attendances", "absences"};
    for (size_t i = 0; i < sizeof arrs / sizeof *arrs; i++)
        json_object_object_del(in->d, arrs[i]);
    json_object_object_del(in->d, "next_id");
    in->ring_n = in->ring_head = 0;
    in->blocked_until_us = 0;
    json_object_put(in->counts);
    json_object_put(in->statuses);
    in->counts = json_object_new_object();
    in->statuses = json_object_new_object();
    in->total = 0;
    return in->counts && in->statuses ? 0 : -1;
}

static void inst_free(sb_inst *in)
{
    json_object_put(in->d);
    json_object_put(in->counts);
    json_object_put(in->statuses);
    free(in->ring);
    free(in);
}

void sb_inst_reset_all(void)
{
    for (size_t i = 0; i < n_insts; i++)
        inst_free(insts[i]);
    n_insts = 0;
    clock_offset_us = 0;
}

void sb_inst_free_all(void)
{
    sb_inst_reset_all();
    free(insts);
    insts = NULL;
}

json_object *sb_inst_list(void)
{
    json_object *a = json_object_new_array();
    for (size_t i = 0; a && i < n_insts; i++)
        json_object_array_add(a, json_object_new_string(insts[i]->name));
    return a;
}

int sb_state_save(const char *path)
{
    json_object *root = json_object_new_object();
    if (!root)
        return -1;
    for (size_t i = 0; i < n_insts; i++)
        json_object_object_add(root, insts[i]->name, json_object_get(insts[i]->d));
    char tmp[4096];
    snprintf(tmp, sizeof tmp, "%s.tmp", path);
    int rc = json_object_to_file_ext(tmp, root, JSON_C_TO_STRING_PLAIN);
    json_object_put(root);
    if (rc == 0 && rename(tmp, path) != 0)
        rc = -1;
    return rc;
}

int sb_state_load(const char *path)
{
    FILE *f = fopen(path, "r");
    if (!f)
        return 1; /* no state yet: start empty */
    fclose(f);
    json_object *root = json_object_from_file(path);
    if (!root || !json_object_is_type(root, json_type_object)) {
        json_object_put(root);
        return -1;
    }
    int rc = 0;
    json_object_object_foreach(root, k, v)
    {
        if (!valid_name(k) || sb_inst_find(k) || !inst_wrap(k, json_object_get(v))) {
            rc = -1;
            break;
        }
    }
    json_object_put(root);
    return rc;
}

/* ---------------------------------------------------------------- lookups */

json_object *sb_find_id(sb_inst *in, const char *arr, int64_t id)
{
    json_object *a = sb_arr(in, arr);
    for (size_t i = 0; i < json_object_array_length(a); i++) {
        json_object *o = json_object_array_get_idx(a, i);
        if (sb_jint(o, "id", -1) == id)
            return o;
    }
    return NULL;
}

int sb_delete_id(sb_inst *in, const char *arr, int64_t id)
{
    json_object *a = sb_arr(in, arr);
    for (size_t i = 0; i < json_object_array_length(a); i++)
        if (sb_jint(json_object_array_get_idx(a, i), "id", -1) == id)
            return json_object_array_del_idx(a, i, 1);
    return -1;
}

json_object *sb_emp_find(sb_inst *in, const char *username)
{
    json_object *a = sb_arr(in, "employees");
    for (size_t i = 0; username && i < json_object_array_length(a); i++) {
        json_object *o = json_object_array_get_idx(a, i);
        const char *u = sb_jstr(o, "username");
        if (u && !strcmp(u, username))
            return o;
    }
    return NULL;
}

json_object *sb_emp_find_email(sb_inst *in, const char *email, json_object *except)
{
    json_object *a = sb_arr(in, "employees");
    for (size_t i = 0; email && i < json_object_array_length(a); i++) {
        json_object *o = json_object_array_get_idx(a, i);
        const char *e = sb_jstr(o, "email");
        if (o != except && e && !strcasecmp(e, email))
            return o;
    }
    return NULL;
}

json_object *sb_reason_find(sb_inst *in, const char *code)
{
    json_object *a = sb_arr(in, "absence_reasons");
    for (size_t i = 0; code && i < json_object_array_length(a); i++) {
        json_object *o = json_object_array_get_idx(a, i);
        const char *n = sb_jstr(o, "name");
        if (n && !strcmp(n, code))
            return o;
    }
    return NULL;
}

/* ---------------------------------------------------------------- employees */

static const char *emp_str_fields[] = {
    "firstname", "lastname", "email", "personal_number", "street", "zip", "city", "country",
    "abbreviation", "title", "phone", "mobile", "fax", "private_phone", "iban", "bic",
    "account_no", "bank_name", "bank_code", "currency", "price_group", "personio_id",
    "cost_bearer", "tax_id", "creditor_number", "approval_date", "vat"};

static const char *employment_name(int id)
{
    static const char *n[] = {"Mitarbeiter/in", "Freelancer", "Freelancer mit Gutschrift"};
    return id >= 0 && id <= 2 ? n[id] : "?";
}

static const char *rights_name(int id)
{
    static const char *n[] = {"User", "Administrator", "Controller", "User mit zusätzlichen Berechtigungen",
                              "Projekt-Controller"};
    return id >= 0 && id <= 4 ? n[id] : "?";
}

static json_object *id_name(int id, const char *name)
{
    json_object *o = json_object_new_object();
    json_object_object_add(o, "id", json_object_new_int(id));
    json_object_object_add(o, "name", json_object_new_string(name));
    return o;
}

static int valid_email(const char *e)
{
    const char *at = e ? strchr(e, '@') : NULL;
    return at && at != e && strchr(at + 1, '.') && !strchr(at + 1, '@') && !strchr(e, ' ');
}

static int required_str(json_object *body, const char *f, sb_verr *ve)
{
    const char *s = sb_jstr(body, f);
    if (!s || !*s) {
        sb_verr_set(ve, 422, f, "The %s field is required.", f);
        return -1;
    }
    if (strlen(s) > 255) {
        sb_verr_set(ve, 422, f, "The %s must not be greater than 255 characters.", f);
        return -1;
    }
    return 0;
}

/* Checks and copies every writable field; absent ones become null (PUT replaces). */
static int emp_apply(sb_inst *in, json_object *emp, json_object *self, json_object *body, sb_verr *ve)
{
    if (required_str(body, "firstname", ve) || required_str(body, "lastname", ve) ||
        required_str(body, "email", ve) || required_str(body, "price_group", ve))
        return -1;
    const char *email = sb_jstr(body, "email");
    if (!valid_email(email)) {
        sb_verr_set(ve, 422, "email", "The email must be a valid email address.");
        return -1;
    }
    if (sb_emp_find_email(in, email, self)) {
        sb_verr_set(ve, 409, "email", "The email has already been taken.");
        return -1;
    }
    const char *pn = sb_jstr(body, "personal_number");
    if (pn && *pn) {
        json_object *a = sb_arr(in, "employees");
        for (size_t i = 0; i < json_object_array_length(a); i++) {
            json_object *o = json_object_array_get_idx(a, i);
            const char *opn = sb_jstr(o, "personal_number");
            if (o != self && opn && !strcmp(opn, pn)) {
                sb_verr_set(ve, 422, "personal_number", "The personal number has already been taken.");
                return -1;
            }
        }
    }
    const char *bd = sb_jstr(body, "birthdate");
    if (bd && *bd && !sb_valid_date(bd)) {
        sb_verr_set(ve, 422, "birthdate", "The birthdate does not match the format Y-m-d.");
        return -1;
    }
    int64_t employment = sb_jint(body, "employment", 0), rights = sb_jint(body, "rights", 0);
    if (employment < 0 || employment > 2) {
        sb_verr_set(ve, 422, "employment", "The selected employment is invalid.");
        return -1;
    }
    if (rights < 0 || rights > 4) {
        sb_verr_set(ve, 422, "rights", "The selected rights is invalid.");
        return -1;
    }
    const char *sal = sb_jstr(body, "salutation");
    if (sal && *sal && strcmp(sal, "Herr") && strcmp(sal, "Frau")) {
        sb_verr_set(ve, 422, "salutation", "The selected salutation is invalid.");
        return -1;
    }
    for (size_t i = 0; i < sizeof emp_str_fields / sizeof *emp_str_fields; i++) {
        const char *s = sb_jstr(body, emp_str_fields[i]);
        json_object_object_add(emp, emp_str_fields[i], str_or_null(s && *s ? s : NULL));
    }
    json_object_object_add(emp, "birthdate", bd && *bd ? date_ts(bd) : NULL);
    json_object_object_add(emp, "salutation", NULL);
    if (sal && *sal) {
        json_object *so = json_object_new_object();
        json_object_object_add(so, "id", json_object_new_string(sal));
        json_object_object_add(so, "name", json_object_new_string(sal));
        json_object_object_add(emp, "salutation", so);
    }
    json_object_object_add(emp, "employment", id_name((int)employment, employment_name((int)employment)));
    json_object_object_add(emp, "rights", id_name((int)rights, rights_name((int)rights)));
    int64_t dep = sb_jint(body, "department_id", -1);
    json_object_object_add(emp, "department_id", dep >= 0 ? json_object_new_int64(dep) : NULL);
    json_object_object_add(emp, "language", NULL);
    json_object *v;
    json_object_object_add(emp, "categories",
                           json_object_object_get_ex(body, "categories", &v) && json_object_is_type(v, json_type_array)
                               ? json_object_get(v)
                               : json_object_new_array());
    json_object_object_add(emp, "dynamicAttributes",
                           json_object_object_get_ex(body, "dynamicAttributes", &v) &&
                                   json_object_is_type(v, json_type_array)
                               ? json_object_get(v)
                               : json_object_new_array());
    return 0;
}

static int valid_username(const char *u)
{
    size_t n = u ? strlen(u) : 0;
    if (n < 5 || n > 32)
        return 0;
    for (; *u; u++)
        if (!isalnum((unsigned char)*u) && *u != '-' && *u != '_' && *u != '.')
            return 0;
    return 1;
}

json_object *sb_emp_create(sb_inst *in, json_object *body, sb_verr *ve)
{
    const char *u = sb_jstr(body, "username"), *pw = sb_jstr(body, "password");
    if (!u || !*u) {
        sb_verr_set(ve, 422, "username", "The username field is required.");
        return NULL;
    }
    if (!valid_username(u)) {
        sb_verr_set(ve, 422, "username",
                    "The username must be 5 to 32 characters of letters, digits, '-', '_' and '.'.");
        return NULL;
    }
    if (sb_emp_find(in, u)) {
        sb_verr_set(ve, 409, "username", "The username has already been taken.");
        return NULL;
    }
    if (!pw || !*pw) {
        sb_verr_set(ve, 422, "password", "The password field is required.");
        return NULL;
    }
    if (strlen(pw) < 8 || strlen(pw) > 48) {
        sb_verr_set(ve, 422, "password", "The password must be between 8 and 48 characters.");
        return NULL;
    }
    json_object *emp = json_object_new_object();
    if (!emp) {
        sb_verr_set(ve, 500, NULL, "out of memory");
        return NULL;
    }
    json_object_object_add(emp, "username", json_object_new_string(u));
    if (emp_apply(in, emp, NULL, body, ve)) {
        json_object_put(emp);
        return NULL;
    }
    json_object_object_add(emp, "_id", json_object_new_int64(next_id(in)));
    touch(emp, 1);
    json_object_array_add(sb_arr(in, "employees"), emp);
    /* ZEP opens an employment period on the creation day; the caller moves it to the hire date. */
    char today[16];
    sb_fmt_date(sb_now_us(), today, sizeof today);
    json_object *pb = json_object_new_object();
    json_object_object_add(pb, "start_date", json_object_new_string(today));
    json_object_object_add(pb, "annual_leave_entitlement", json_object_new_int(0));
    sb_verr pe;
    json_object *per = sb_period_create(in, u, pb, &pe);
    json_object_put(pb);
    if (!per) {
        *ve = pe;
        return NULL;
    }
    return emp;
}

json_object *sb_emp_replace(sb_inst *in, json_object *emp, json_object *body, sb_verr *ve)
{
    const char *u = sb_jstr(body, "username");
    if (u && strcmp(u, sb_jstr(emp, "username"))) {
        sb_verr_set(ve, 422, "username", "The username cannot be changed.");
        return NULL;
    }
    /* Validate against a scratch copy so a rejected PUT leaves the record as it was. */
    json_object *scratch = NULL;
    if (json_object_deep_copy(emp, &scratch, NULL) != 0) {
        sb_verr_set(ve, 500, NULL, "out of memory");
        return NULL;
    }
    if (emp_apply(in, scratch, emp, body, ve)) {
        json_object_put(scratch);
        return NULL;
    }
    json_object_object_foreach(scratch, k, v) json_object_object_add(emp, k, json_object_get(v));
    json_object_put(scratch);
    touch(emp, 0);
    return emp;
}

json_object *sb_emp_render(sb_inst *in, json_object *emp)
{
    (void)in;
    return sb_public_copy(emp);
}

/* ---------------------------------------------------------------- employment periods, RWT */

static int period_overlaps(sb_inst *in, const char *user, json_object *self, const char *s, const char *e)
{
    json_object *a = sb_arr(in, "employment_periods");
    for (size_t i = 0; i < json_object_array_length(a); i++) {
        json_object *o = json_object_array_get_idx(a, i);
        const char *ou = sb_jstr(o, "employee_id");
        if (o == self || !ou || strcmp(ou, user))
            continue;
        const char *os = sb_jstr(o, "start_date"), *oe = sb_jstr(o, "end_date");
        if (!e && !oe)
            return 2;
        if (strncmp(s, oe ? oe : "9999-12-31", 10) <= 0 && strncmp(os, e ? e : "9999-12-31", 10) <= 0)
            return 1;
    }
    return 0;
}

static int period_fill(sb_inst *in, const char *user, json_object *per, json_object *body, sb_verr *ve)
{
    const char *s = sb_jstr(body, "start_date"), *e = sb_jstr(body, "end_date");
    if (!s) {
        sb_verr_set(ve, 422, "start_date", "The start date field is required.");
        return -1;
    }
    if (!sb_valid_date(s)) {
        sb_verr_set(ve, 422, "start_date", "The start date does not match the format Y-m-d.");
        return -1;
    }
    if (e && *e && !sb_valid_date(e)) {
        sb_verr_set(ve, 422, "end_date", "The end date does not match the format Y-m-d.");
        return -1;
    }
    if (e && !*e)
        e = NULL;
    if (e && strcmp(e, s) < 0) {
        sb_verr_set(ve, 422, "end_date", "The end date must be a date after or equal to start date.");
        return -1;
    }
    if (!sb_jhas(body, "annual_leave_entitlement") || sb_jdouble(body, "annual_leave_entitlement", -1) < 0) {
        sb_verr_set(ve, 422, "annual_leave_entitlement",
                    "The annual leave entitlement field is required and must be at least 0.");
        return -1;
    }
    int ov = period_overlaps(in, user, per, s, e);
    if (ov) {
        sb_verr_set(ve, 422, "end_date",
                    ov == 2 ? "Only one open-ended employment period is allowed."
                            : "The employment period overlaps another employment period.");
        return -1;
    }
    json_object_object_add(per, "start_date", date_ts(s));
    json_object_object_add(per, "end_date", e ? date_ts(e) : NULL);
    const char *note = sb_jstr(body, "note");
    json_object_object_add(per, "note", str_or_null(note));
    json_object_object_add(per, "annual_leave_entitlement",
                           json_object_new_double(sb_jdouble(body, "annual_leave_entitlement", 0)));
    static const char *opt[] = {"beginning_of_year", "period_holiday_entitlement", "is_holiday_per_year",
                                "day_absent_in_hours"};
    for (size_t i = 0; i < 4; i++) {
        json_object *v;
        json_object_object_add(per, opt[i],
                               json_object_object_get_ex(body, opt[i], &v) ? json_object_get(v) : NULL);
    }
    return 0;
}

json_object *sb_period_create(sb_inst *in, const char *username, json_object *body, sb_verr *ve)
{
    json_object *per = json_object_new_object();
    if (!per) {
        sb_verr_set(ve, 500, NULL, "out of memory");
        return NULL;
    }
    if (period_fill(in, username, per, body, ve)) {
        json_object_put(per);
        return NULL;
    }
    json_object_object_add(per, "id", json_object_new_int64(next_id(in)));
    json_object_object_add(per, "employee_id", json_object_new_string(username));
    touch(per, 1);
    json_object_array_add(sb_arr(in, "employment_periods"), per);
    return per;
}

json_object *sb_period_update(sb_inst *in, json_object *per, json_object *body, sb_verr *ve)
{
    /* PUT on a period: omitted fields keep their value (the id and employee are fixed). */
    json_object *merged = sb_public_copy(per);
    if (!merged) {
        sb_verr_set(ve, 500, NULL, "out of memory");
        return NULL;
    }
    const char *s = sb_jstr(merged, "start_date"), *e = sb_jstr(merged, "end_date");
    char sb[11] = "", eb[11] = "";
    if (s)
        snprintf(sb, sizeof sb, "%.10s", s);
    if (e)
        snprintf(eb, sizeof eb, "%.10s", e);
    json_object_object_add(merged, "start_date", json_object_new_string(sb));
    json_object_object_add(merged, "end_date", e ? json_object_new_string(eb) : NULL);
    json_object_object_foreach(body, k, v) json_object_object_add(merged, k, json_object_get(v));
    /* period_fill validates everything before it writes, so a rejected PUT changes nothing */
    int rc = period_fill(in, sb_jstr(per, "employee_id"), per, merged, ve);
    json_object_put(merged);
    if (rc)
        return NULL;
    touch(per, 0);
    return per;
}

json_object *sb_rwt_create(sb_inst *in, const char *username, json_object *body, sb_verr *ve)
{
    static const char *days[] = {"monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday"};
    const char *s = sb_jstr(body, "start_date");
    if (s && *s && !sb_valid_date(s)) {
        sb_verr_set(ve, 422, "start_date", "The start date does not match the format Y-m-d.");
        return NULL;
    }
    json_object *o = json_object_new_object();
    if (!o) {
        sb_verr_set(ve, 500, NULL, "out of memory");
        return NULL;
    }
    for (int i = 0; i < 7; i++) {
        double h = sb_jdouble(body, days[i], -1);
        if (sb_jhas(body, days[i]) && (h < 0 || h > 24)) {
            sb_verr_set(ve, 422, days[i], "The %s must be between 0 and 24.", days[i]);
            json_object_put(o);
            return NULL;
        }
        json_object_object_add(o, days[i], h >= 0 ? json_object_new_double(h) : NULL);
    }
    json_object_object_add(o, "id", json_object_new_int64(next_id(in)));
    json_object_object_add(o, "employee_id", json_object_new_string(username));
    json_object_object_add(o, "start_date", s && *s ? date_ts(s) : NULL);
    json_object_object_add(o, "is_monthly", json_object_new_boolean(sb_jbool(body, "is_monthly", 0)));
    json_object_object_add(o, "monthly_hours",
                           sb_jhas(body, "monthly_hours") ? json_object_new_double(sb_jdouble(body, "monthly_hours", 0)) : NULL);
    json_object_object_add(o, "max_hours_in_month", NULL);
    json_object_object_add(o, "max_hours_in_week", NULL);
    json_object_object_add(o, "holidayCalendar", NULL);
    json_object_object_add(o, "breakRegulationType", json_tokener_parse("{\"id\":1,\"name\":\"Standard\"}"));
    touch(o, 1);
    json_object_array_add(sb_arr(in, "regular_working_times"), o);
    return o;
}

/* ---------------------------------------------------------------- bookings */

/* Validates body into a new record of arr. The placeholder keeps "id" the first key of the
 * answer; the real id is drawn only after the fill succeeded, so a rejected create uses none. */
typedef int (*record_fill)(sb_inst *in, json_object *rec, json_object *body, sb_verr *ve);

static json_object *record_create(sb_inst *in, const char *arr, record_fill fill, json_object *body,
                                  sb_verr *ve)
{
    json_object *rec = json_object_new_object();
    if (!rec) {
        sb_verr_set(ve, 500, NULL, "out of memory");
        return NULL;
    }
    json_object_object_add(rec, "id", json_object_new_int64(0));
    if (fill(in, rec, body, ve)) {
        json_object_put(rec);
        return NULL;
    }
    json_object_object_add(rec, "id", json_object_new_int64(next_id(in)));
    touch(rec, 1);
    json_object_array_add(sb_arr(in, arr), rec);
    return rec;
}

/* PUT: body over the current fields (less forget, a derived field to recompute), validated into
 * a scratch object first, so a rejected update changes nothing. */
static json_object *record_update(sb_inst *in, json_object *rec, record_fill fill, json_object *body,
                                  const char *forget, sb_verr *ve)
{
    json_object *merged = sb_public_copy(rec);
    if (!merged) {
        sb_verr_set(ve, 500, NULL, "out of memory");
        return NULL;
    }
    if (forget)
        json_object_object_del(merged, forget);
    json_object_object_foreach(body, k, v) json_object_object_add(merged, k, json_object_get(v));
    json_object *scratch = json_object_new_object();
    int rc = scratch ? fill(in, scratch, merged, ve) : -1;
    json_object_put(merged);
    if (rc) {
        json_object_put(scratch);
        return NULL;
    }
    json_object_object_foreach(scratch, k2, v2) json_object_object_add(rec, k2, json_object_get(v2));
    json_object_put(scratch);
    touch(rec, 0);
    return rec;
}

static void hms(int secs, char *out, size_t cap)
{
    snprintf(out, cap, "%02d:%02d:%02d", secs / 3600, secs / 60 % 60, secs % 60);
}

/* body holds the full desired state (REST names); b is filled when everything checks out. */
static int booking_fill(sb_inst *in, json_object *b, json_object *body, sb_verr *ve)
{
    static const char *req[] = {"employee_id", "date", "from", "to", "project_id", "project_task_id",
                                "activity_id"};
    for (size_t i = 0; i < sizeof req / sizeof *req; i++) {
        json_object *v;
        if (!json_object_object_get_ex(body, req[i], &v) || !v ||
            (json_object_is_type(v, json_type_string) && !*json_object_get_string(v))) {
            sb_verr_set(ve, 422, req[i], "The %s field is required.", req[i]);
            return -1;
        }
    }
    const char *user = sb_jstr(body, "employee_id");
    json_object *emp = sb_emp_find(in, user);
    if (!emp) {
        sb_verr_set(ve, 422, "employee_id", "The selected employee id is invalid.");
        return -1;
    }
    const char *date = sb_jstr(body, "date");
    char d10[11] = "";
    if (date)
        snprintf(d10, sizeof d10, "%.10s", date);
    if (!sb_valid_date(d10) || (strlen(date) != 10 && strncmp(date + 10, "T00:00:00", 9))) {
        sb_verr_set(ve, 422, "date", "The date does not match the format Y-m-d.");
        return -1;
    }
    int f, t;
    if (sb_parse_time(sb_jstr(body, "from"), &f)) {
        sb_verr_set(ve, 422, "from", "The from does not match the format H:i:s.");
        return -1;
    }
    if (sb_parse_time(sb_jstr(body, "to"), &t)) {
        sb_verr_set(ve, 422, "to", "The to does not match the format H:i:s.");
        return -1;
    }
    if (t <= f) {
        sb_verr_set(ve, 422, "to", "The to must be a date after from.");
        return -1;
    }
    int64_t grid = sb_jint(in->d, "minute_grid", 1);
    if (grid > 1 && (f % (int)(grid * 60) || t % (int)(grid * 60))) {
        sb_verr_set(ve, 422, "from", "The times must match the minute grid of %lld minutes.", (long long)grid);
        return -1;
    }
    if (grid >= 1 && (f % 60 || t % 60)) {
        sb_verr_set(ve, 422, "from", "The times must be whole minutes.");
        return -1;
    }
    char fb[16], tb[16];
    hms(f, fb, sizeof fb);
    hms(t, tb, sizeof tb);
    double dur = sb_jhas(body, "duration") ? sb_jdouble(body, "duration", -1) : (t - f) / 3600.0;
    if (dur < 0 || dur > 24) {
        sb_verr_set(ve, 422, "duration", "The duration must be between 0 and 24.");
        return -1;
    }
    json_object_object_add(b, "date", date_ts(d10));
    json_object_object_add(b, "from", json_object_new_string(fb));
    json_object_object_add(b, "to", json_object_new_string(tb));
    json_object_object_add(b, "employee_id", json_object_new_string(user));
    json_object_object_add(b, "duration", json_object_new_double(dur));
    const char *note = sb_jstr(body, "note");
    json_object_object_add(b, "note", str_or_null(note));
    json_object_object_add(b, "billable", json_object_new_boolean(sb_jbool(body, "billable", 0)));
    json_object *v;
    static const char *refs[] = {"project_id", "project_task_id", "activity_id"};
    for (int i = 0; i < 3; i++) {
        json_object_object_get_ex(body, refs[i], &v);
        json_object_object_add(b, refs[i], json_object_get(v));
    }
    json_object_object_add(b, "work_location_id", NULL);
    json_object *dep = NULL;
    json_object_object_get_ex(emp, "department_id", &dep);
    json_object_object_add(b, "department_id", json_object_get(dep));
    return 0;
}

json_object *sb_booking_create(sb_inst *in, json_object *body, sb_verr *ve)
{
    return record_create(in, "attendances", booking_fill, body, ve);
}

json_object *sb_booking_update(sb_inst *in, json_object *b, json_object *body, sb_verr *ve)
{
    /* A changed time span recomputes the duration unless the caller sets one. */
    int respan = (sb_jhas(body, "from") || sb_jhas(body, "to")) && !sb_jhas(body, "duration");
    return record_update(in, b, booking_fill, body, respan ? "duration" : NULL, ve);
}

/* ---------------------------------------------------------------- absences */

/* body: employee_id, absence_reason_id, start_date, end_date, type (0 full, 1 half, 2 hours),
 * hours, from, to, note, timezone, approved. */
static int absence_fill(sb_inst *in, json_object *a, json_object *body, sb_verr *ve)
{
    const char *user = sb_jstr(body, "employee_id"), *code = sb_jstr(body, "absence_reason_id");
    if (!user || !*user) {
        sb_verr_set(ve, 422, "employee_id", "The employee id field is required.");
        return -1;
    }
    if (!sb_emp_find(in, user)) {
        sb_verr_set(ve, 422, "employee_id", "The selected employee id is invalid.");
        return -1;
    }
    if (!code || !*code) {
        sb_verr_set(ve, 422, "absence_reason_id", "The absence reason id field is required.");
        return -1;
    }
    json_object *reason = sb_reason_find(in, code);
    if (!reason) {
        sb_verr_set(ve, 422, "absence_reason_id", "The selected absence reason id is invalid.");
        return -1;
    }
    char s[11] = "", e[11] = "";
    const char *ss = sb_jstr(body, "start_date"), *es = sb_jstr(body, "end_date");
    if (ss)
        snprintf(s, sizeof s, "%.10s", ss);
    if (es && *es)
        snprintf(e, sizeof e, "%.10s", es);
    else
        snprintf(e, sizeof e, "%s", s);
    if (!sb_valid_date(s)) {
        sb_verr_set(ve, 422, "start_date", "The start date field is required (format Y-m-d).");
        return -1;
    }
    if (!sb_valid_date(e) || strcmp(e, s) < 0) {
        sb_verr_set(ve, 422, "end_date", "The end date must be a date after or equal to start date.");
        return -1;
    }
    int64_t type = sb_jint(body, "type", 0);
    if (type < 0 || type > 2) {
        sb_verr_set(ve, 422, "type", "The selected type is invalid.");
        return -1;
    }
    if (type == 1 && (strcmp(s, e) || !sb_jint(reason, "allow_half_day_holiday", 1))) {
        sb_verr_set(ve, 422, "type", "A half day absence must be a single day of a reason that allows half days.");
        return -1;
    }
    json_object *hours = NULL, *from = NULL, *to = NULL;
    if (type == 2) {
        int f = 0, t = 0;
        int have_ft = sb_jhas(body, "from") || sb_jhas(body, "to");
        if (have_ft && (sb_parse_time(sb_jstr(body, "from"), &f) || sb_parse_time(sb_jstr(body, "to"), &t) ||
                        t <= f)) {
            sb_verr_set(ve, 422, "to", "The to must be a time after from.");
            return -1;
        }
        double h = sb_jhas(body, "hours") ? sb_jdouble(body, "hours", -1) : (have_ft ? (t - f) / 3600.0 : -1);
        if (h < 0) {
            sb_verr_set(ve, 422, "hours", "The hours field is required when type is HOURS.");
            return -1;
        }
        char b[32];
        snprintf(b, sizeof b, "%.10f", h);
        hours = json_object_new_string(b);
        if (have_ft) {
            char fb[16], tb[16];
            hms(f, fb, sizeof fb);
            hms(t, tb, sizeof tb);
            from = json_object_new_string(fb);
            to = json_object_new_string(tb);
        }
    }
    json_object_object_add(a, "employee_id", json_object_new_string(user));
    json_object_object_add(a, "type", json_object_new_int((int)type));
    json_object_object_add(a, "start_date", date_ts(s));
    json_object_object_add(a, "end_date", date_ts(e));
    json_object_object_add(a, "hours", hours);
    json_object_object_add(a, "from", from);
    json_object_object_add(a, "to", to);
    json_object_object_add(a, "note", str_or_null(sb_jstr(body, "note")));
    json_object_object_add(a, "approved", json_object_new_boolean(sb_jbool(body, "approved", 1)));
    json_object_object_add(a, "timezone", str_or_null(sb_jstr(body, "timezone")));
    json_object_object_add(a, "absence_reason_id", json_object_new_string(code));
    return 0;
}

json_object *sb_absence_create(sb_inst *in, json_object *body, sb_verr *ve)
{
    return record_create(in, "absences", absence_fill, body, ve);
}

json_object *sb_absence_update(sb_inst *in, json_object *a, json_object *body, sb_verr *ve)
{
    return record_update(in, a, absence_fill, body, NULL, ve);
}

json_object *sb_absence_render(sb_inst *in, json_object *a)
{
    json_object *o = sb_public_copy(a);
    if (!o)
        return NULL;
    json_object *r = sb_reason_find(in, sb_jstr(a, "absence_reason_id"));
    json_object_object_add(o, "absenceReason", r ? json_object_get(r) : NULL);
    json_object_object_add(o, "leaveApprovalApplication", NULL);
    return o;
}
