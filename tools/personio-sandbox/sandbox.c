/* The emulated Personio API v2 and the /_sandbox control API, over an in-memory store. */
#include "sbx.h"
#include "http/zs_http.h"
#include "zs_sbx.h"

#include <ctype.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

sbx_cfg g_cfg;
pthread_mutex_t g_lock = PTHREAD_MUTEX_INITIALIZER;

static sbx_company **g_co;
static int g_nco;
static long g_next_company = 1000;

typedef struct token {
    char tok[64];
    sbx_company *co;
    double expires;
    int revoked;
    char scopes[1024];
} token;
static token *g_tok;
static int g_ntok;

typedef struct fault {
    char method[16], prefix[256], company[128], with_arg[64];
    char title[160], detail[256];
    int count, status, drop, drop_after;
    long delay_ms;
} fault;
static fault g_faults[64];
static int g_nfaults;
static json_object *g_anon_counts;

static const char *const ALL_SCOPES =
    "personio:persons:read personio:persons:write personio:attendances:read "
    "personio:attendances:write personio:absences:read personio:absences:write "
    "personio:webhooks:read personio:webhooks:write";

/* ------------------------------------------------------------------ helpers */

static json_object *jnew_str(const char *s)
{
    return s ? json_object_new_string(s) : NULL;
}

static void jset_str(json_object *o, const char *k, const char *v)
{
    json_object_object_add(o, k, jnew_str(v));
}

static json_object *jid_obj(const char *id)
{
    json_object *o = json_object_new_object();
    jset_str(o, "id", id);
    return o;
}

static int find_idx(json_object *arr, const char *id)
{
    size_t n = json_object_array_length(arr);
    for (size_t i = 0; i < n; i++) {
        const char *x = sbx_jstr(json_object_array_get_idx(arr, i), "id");
        if (x && strcmp(x, id) == 0)
            return (int)i;
    }
    return -1;
}

static json_object *find_by_id(json_object *arr, const char *id)
{
    int i = find_idx(arr, id);
    return i < 0 ? NULL : json_object_array_get_idx(arr, (size_t)i);
}

static void touch(json_object *o, int created)
{
    char ts[48];
    sbx_stamp(ts, sizeof ts);
    if (created)
        jset_str(o, "created_at", ts);
    jset_str(o, "updated_at", ts);
}

static json_object *parse_body(const sbx_req *q)
{
    if (!q->body || q->body_len == 0)
        return NULL;
    enum json_tokener_error jerr;
    json_object *o = json_tokener_parse_verbose(q->body, &jerr);
    if (o && !json_object_is_type(o, json_type_object)) {
        json_object_put(o);
        return NULL;
    }
    return o;
}

static void not_found(sbx_resp *r)
{
    sbx_err_v2(r, 404, "Resource not found",
               "The requested resource was not found. The resource could have been deleted or "
               "never existed in our system.",
               "common.requested_resource_not_found");
}

static void bad_request(sbx_resp *r, const char *title, const char *detail)
{
    sbx_err_v2(r, 400, title, detail, "common.invalid_request");
}

/* The request's JSON object body, or NULL after answering 400 "Invalid JSON". */
static json_object *json_body(const sbx_req *q, sbx_resp *r)
{
    json_object *o = parse_body(q);
    if (!o)
        bad_request(r, "Invalid request", "Invalid JSON");
    return o;
}

static void method_not_allowed(sbx_resp *r)
{
    sbx_err_v2(r, 405, "Method not allowed", "Method not allowed", "common.method_not_allowed");
}

/* The answer to a POST that made an attendance or absence period: its id, nothing else. */
static void created(sbx_resp *r, const char *id)
{
    json_object *o = json_object_new_object();
    jset_str(o, "id", id);
    json_object_object_add(o, "_meta", json_object_new_object());
    sbx_json(r, 201, o);
}

static void unprocessable(sbx_resp *r, const char *title, const char *detail)
{
    sbx_err_v2(r, 422, title, detail, "common.unprocessable_entity");
}

static void link_base(const sbx_req *q, char *out, size_t cap)
{
    if (g_cfg.relative_links)
        out[0] = '\0';
    else if (g_cfg.link_origin[0])
        snprintf(out, cap, "%s", g_cfg.link_origin);
    else
        snprintf(out, cap, "%s", q->origin);
}

static json_object *href_obj(const char *href)
{
    json_object *o = json_object_new_object();
    jset_str(o, "href", href);
    return o;
}

/* ------------------------------------------------------------------ companies and tokens */

static sbx_company *company_by_name(const char *name)
{
    for (int i = 0; name && i < g_nco; i++)
        if (strcmp(g_co[i]->name, name) == 0)
            return g_co[i];
    return NULL;
}

static sbx_company *company_by_client(const char *cid)
{
    for (int i = 0; cid && i < g_nco; i++)
        if (strcmp(g_co[i]->client_id, cid) == 0)
            return g_co[i];
    return NULL;
}

static void company_free(sbx_company *c)
{
    if (!c)
        return;
    json_object_put(c->persons);
    json_object_put(c->employments);
    json_object_put(c->attendance);
    json_object_put(c->absence_types);
    json_object_put(c->absences);
    json_object_put(c->webhooks);
    json_object_put(c->attributes);
    json_object_put(c->deliveries);
    json_object_put(c->counts);
    json_object_put(c->statuses);
    json_object_put(c->idents);
    free(c);
}

static void drop_tokens_of(sbx_company *c)
{
    int o = 0;
    for (int i = 0; i < g_ntok; i++)
        if (g_tok[i].co != c)
            g_tok[o++] = g_tok[i];
    g_ntok = o;
}

void sbx_free_all(void)
{
    for (int i = 0; i < g_nco; i++)
        company_free(g_co[i]);
    free(g_co);
    g_co = NULL;
    g_nco = 0;
    free(g_tok);
    g_tok = NULL;
    g_ntok = 0;
    g_nfaults = 0;
    json_object_put(g_anon_counts);
    g_anon_counts = NULL;
}

static json_object *arr_or_new(json_object *src, const char *k)
{
    json_object *v = zs_json_at(src, k);
    if (v && json_object_is_type(v, json_type_array))
        return json_object_get(v);
    return json_object_new_array();
}

static const char *str_or(json_object *o, const char *k, const char *def)
{
    const char *v = sbx_jstr(o, k);
    return v ? v : def;
}

static long long_or(json_object *o, const char *k, long def)
{
    json_object *v = zs_json_at(o, k);
    return v ? (long)json_object_get_int64(v) : def;
}

static int person_create(sbx_company *co, json_object *in, sbx_resp *r, char *id_out);

/* Builds a company from a control-API body or a saved state entry (with its stored collections). */
static sbx_company *company_from_json(json_object *in, int from_state, char *why, size_t whycap)
{
    const char *name = sbx_jstr(in, "name");
    const char *cid = sbx_jstr(in, "client_id");
    const char *sec = sbx_jstr(in, "client_secret");
    if (!name || !cid || !sec || !*name || !*cid) {
        snprintf(why, whycap, "name, client_id and client_secret are required");
        return NULL;
    }
    if (company_by_name(name) || company_by_client(cid)) {
        snprintf(why, whycap, "company name or client_id already exists");
        return NULL;
    }
    sbx_company *c = calloc(1, sizeof *c);
    if (!c) {
        snprintf(why, whycap, "out of memory");
        return NULL;
    }
    const char *id = sbx_jstr(in, "id");
    if (id)
        snprintf(c->id, sizeof c->id, "%s", id);
    else
        snprintf(c->id, sizeof c->id, "%ld", g_next_company++);
    snprintf(c->name, sizeof c->name, "%s", name);
    snprintf(c->client_id, sizeof c->client_id, "%s", cid);
    snprintf(c->client_secret, sizeof c->client_secret, "%s", sec);
    snprintf(c->scopes, sizeof c->scopes, "%s", str_or(in, "scopes", ALL_SCOPES));
    snprintf(c->timezone, sizeof c->timezone, "%s", str_or(in, "timezone", "Europe/Berlin"));
    c->approval_required = json_object_get_boolean(zs_json_at(in, "approval_required"));
    c->hide_attributes = json_object_get_boolean(zs_json_at(in, "hide_attributes"));
    c->token_ttl_s = long_or(in, "token_ttl", 0);
    c->next_id = long_or(in, "next_id", 1);
    c->attributes = arr_or_new(in, "attributes");
    c->absence_types = arr_or_new(in, "absence_types");
    c->persons = from_state ? arr_or_new(in, "persons") : json_object_new_array();
    c->employments = arr_or_new(in, "employments");
    c->attendance = arr_or_new(in, "attendance_periods");
    c->absences = arr_or_new(in, "absence_periods");
    c->webhooks = arr_or_new(in, "webhooks");
    c->deliveries = json_object_new_array();
    c->counts = json_object_new_object();
    c->statuses = json_object_new_object();
    c->idents = json_object_new_object();
    for (int f = 0; f < FAM_N; f++)
        c->bucket[f].tokens = -1; /* full on first use */
    if (!c->attributes || !c->absence_types || !c->persons || !c->employments || !c->attendance ||
        !c->absences || !c->webhooks || !c->deliveries || !c->counts || !c->statuses || !c->idents) {
        company_free(c);
        snprintf(why, whycap, "out of memory");
        return NULL;
    }
    /* Absence types carry uuids like Personio's; the control API may omit them. */
    size_t nt = json_object_array_length(c->absence_types);
    for (size_t i = 0; i < nt; i++) {
        json_object *t = json_object_array_get_idx(c->absence_types, i);
        if (!sbx_jstr(t, "id")) {
            char u[40];
            sbx_uuid(u);
            jset_str(t, "id", u);
        }
        if (!sbx_jstr(t, "unit"))
            jset_str(t, "unit", "DAY");
        if (!zs_json_at(t, "approval_required"))
            json_object_object_add(t, "approval_required", json_object_new_boolean(1));
    }
    if (nt == 0 && !from_state) {
        static const char *const def[][3] = {{"Paid vacation", "paid_vacation", "DAY"},
                                             {"Sick leave", "sick_leave", "DAY"},
                                             {"Overtime compensation", "other", "HOUR"}};
        for (size_t i = 0; i < 3; i++) {
            json_object *t = json_object_new_object();
            char u[40];
            sbx_uuid(u);
            jset_str(t, "id", u);
            jset_str(t, "name", def[i][0]);
            jset_str(t, "category", def[i][1]);
            jset_str(t, "unit", def[i][2]);
            json_object_object_add(t, "approval_required", json_object_new_boolean(1));
            json_object_array_add(c->absence_types, t);
        }
    }
    return c;
}

static int company_add(sbx_company *c)
{
    sbx_company **n = realloc(g_co, (size_t)(g_nco + 1) * sizeof *n);
    if (!n)
        return -1;
    g_co = n;
    g_co[g_nco++] = c;
    return 0;
}

static token *token_find(const char *t)
{
    for (int i = 0; t && i < g_ntok; i++)
        if (strcmp(g_tok[i].tok, t) == 0)
            return &g_tok[i];
    return NULL;
}

static int has_scope(const char *scopes, const char *want)
{
    size_t n = strlen(want);
    for (const char *p = scopes; p && (p = strstr(p, want)) != NULL; p += n)
        if ((p == scopes || p[-1] == ' ') && (p[n] == ' ' || p[n] == '\0'))
            return 1;
    return 0;
}

/* ------------------------------------------------------------------ auth */

static void oauth_err(sbx_resp *r, int status, const char *code, const char *desc)
{
    char ts[48], trace[40];
    sbx_stamp_z(ts, sizeof ts);
    sbx_uuid(trace);
    json_object *o = json_object_new_object();
    jset_str(o, "error", code);
    jset_str(o, "error_description", desc);
    json_object_object_add(o, "error_uri", NULL);
    jset_str(o, "timestamp", ts);
    jset_str(o, "trace_id", trace);
    json_object_object_add(o, "meta", json_object_new_object());
    sbx_json(r, status, o);
}

/* 150/min, then one request per second for the next 60 s: the documented v2 auth limit. */
static int auth_allowed(sbx_company *c, double now)
{
    if (g_cfg.auth_per_min <= 0)
        return 1;
    if (now < c->auth_penalty_until) {
        if (now - c->auth_last < 1.0)
            return 0;
        c->auth_last = now;
        return 1;
    }
    if (now - c->auth_win_start >= 60.0) {
        c->auth_win_start = now;
        c->auth_count = 0;
    }
    if (++c->auth_count > g_cfg.auth_per_min) {
        c->auth_penalty_until = now + 60.0;
        c->auth_last = now;
        return 0;
    }
    c->auth_last = now;
    return 1;
}

static void handle_token(sbx_req *q, sbx_resp *r)
{
    if (!q->content_type ||
        strncasecmp(q->content_type, "application/x-www-form-urlencoded", 33) != 0) {
        oauth_err(r, 400, "invalid_request",
                  "The request must be sent as application/x-www-form-urlencoded");
        return;
    }
    char *body = strndup(q->body ? q->body : "", q->body_len);
    char *grant = body ? sbx_form_value(body, "grant_type") : NULL;
    char *cid = body ? sbx_form_value(body, "client_id") : NULL;
    char *sec = body ? sbx_form_value(body, "client_secret") : NULL;
    char *scope = body ? sbx_form_value(body, "scope") : NULL;
    sbx_company *c = company_by_client(cid);
    if (!body) {
        oauth_err(r, 500, "server_error", "out of memory");
    } else if (!grant || !cid || !sec) {
        oauth_err(r, 400, "invalid_request", "Required Parameters Missing");
    } else if (strcmp(grant, "client_credentials") != 0) {
        oauth_err(r, 400, "unsupported_grant_type", "Unsupported Grant Type");
    } else if (!c || strcmp(c->client_secret, sec) != 0) {
        oauth_err(r, 401, "invalid_client", "Invalid Credentials");
    } else if (!auth_allowed(c, sbx_now())) {
        oauth_err(r, 429, "temporarily_unavailable", "Too many requests");
    } else {
        char granted[1024] = "";
        int bad_scope = 0;
        if (scope && *scope) {
            char tmp[1024];
            snprintf(tmp, sizeof tmp, "%s", scope);
            for (char *save = NULL, *t = strtok_r(tmp, " ", &save); t; t = strtok_r(NULL, " ", &save)) {
                if (!has_scope(c->scopes, t)) {
                    bad_scope = 1;
                    break;
                }
                size_t l = strlen(granted);
                snprintf(granted + l, sizeof granted - l, "%s%s", l ? " " : "", t);
            }
        } else {
            snprintf(granted, sizeof granted, "%s", c->scopes);
        }
        /* forget dead tokens so a long demo run does not grow the table forever */
        double now = sbx_now();
        int kept = 0;
        for (int i = 0; i < g_ntok; i++)
            if (!g_tok[i].revoked && g_tok[i].expires > now - 3600)
                g_tok[kept++] = g_tok[i];
        g_ntok = kept;
        token *nt = bad_scope ? NULL : realloc(g_tok, (size_t)(g_ntok + 1) * sizeof *g_tok);
        if (bad_scope) {
            oauth_err(r, 400, "invalid_scope", "Invalid Scope");
        } else if (!nt) {
            oauth_err(r, 500, "server_error", "out of memory");
        } else {
            g_tok = nt;
            token *t = &g_tok[g_ntok++];
            memset(t, 0, sizeof *t);
            char u[40];
            sbx_uuid(u);
            snprintf(t->tok, sizeof t->tok, "papi-%s", u);
            long ttl = c->token_ttl_s > 0 ? c->token_ttl_s : g_cfg.token_ttl_s;
            t->co = c;
            t->expires = sbx_now() + (double)ttl;
            snprintf(t->scopes, sizeof t->scopes, "%s", granted);
            json_object *o = json_object_new_object();
            jset_str(o, "access_token", t->tok);
            jset_str(o, "token_type", "Bearer");
            json_object_object_add(o, "expires_in", json_object_new_int64(ttl));
            jset_str(o, "scope", granted);
            sbx_json(r, 200, o);
        }
    }
    free(body);
    free(grant);
    free(cid);
    free(sec);
    free(scope);
}

static void handle_revoke(sbx_req *q, sbx_resp *r)
{
    char *body = strndup(q->body ? q->body : "", q->body_len);
    char *tok = body ? sbx_form_value(body, "token") : NULL;
    token *t = token_find(tok);
    if (!tok) {
        oauth_err(r, 400, "invalid_request", "Required Parameters Missing");
    } else {
        /* RFC 7009: revoking an unknown token is not an error. */
        if (t)
            t->revoked = 1;
        sbx_json(r, 200, json_object_new_object());
    }
    free(tok);
    free(body);
}

/* ------------------------------------------------------------------ lists and pagination */

/* Pages `items` (an array of borrowed matches) into the v2 envelope. out_fn may transform each. */
static void respond_list(sbx_req *q, sbx_resp *r, json_object *items, int def_limit, int max_limit,
                         json_object *(*out_fn)(sbx_req *, json_object *))
{
    long limit = def_limit;
    const char *ls = sbx_arg(q, "limit");
    if (ls) {
        char *end;
        limit = strtol(ls, &end, 10);
        if (!*ls || *end || limit < 1 || limit > max_limit) {
            bad_request(r, "Invalid request", "Provided value for limit is not valid");
            json_object_put(items);
            return;
        }
    }
    long off = 0;
    const char *cs = sbx_arg(q, "cursor");
    if (cs) {
        off = sbx_cursor_parse(cs);
        if (off < 0) {
            bad_request(r, "Invalid request", "Invalid cursor");
            json_object_put(items);
            return;
        }
    }
    long n = (long)json_object_array_length(items);
    json_object *data = json_object_new_array();
    for (long i = off; i < n && i < off + limit; i++) {
        json_object *it = json_object_array_get_idx(items, (size_t)i);
        json_object_array_add(data, out_fn ? out_fn(q, it) : json_object_get(it));
    }
    char base[320], qs[2048] = "", href[2600], enc[512];
    link_base(q, base, sizeof base);
    size_t ql = 0;
    for (int i = 0; i < q->nargs; i++) {
        if (strcmp(q->args[i].k, "cursor") == 0 || strcmp(q->args[i].k, "limit") == 0)
            continue;
        char ek[128];
        if (zs_http_urlencode(q->args[i].k, ek, sizeof ek) ||
            zs_http_urlencode(q->args[i].v ? q->args[i].v : "", enc, sizeof enc))
            continue;
        ql += (size_t)snprintf(qs + ql, sizeof qs - ql, "%s=%s&", ek, enc);
        if (ql >= sizeof qs)
            break;
    }
    json_object *meta = json_object_new_object(), *links = json_object_new_object();
    snprintf(href, sizeof href, "%s%s%s%s", base, q->path, q->nargs ? "?" : "", "");
    {
        /* self repeats the request as received */
        size_t hl = strlen(href);
        for (int i = 0; i < q->nargs && hl < sizeof href; i++) {
            char ek[128];
            if (zs_http_urlencode(q->args[i].k, ek, sizeof ek) ||
                zs_http_urlencode(q->args[i].v ? q->args[i].v : "", enc, sizeof enc))
                continue;
            hl += (size_t)snprintf(href + hl, sizeof href - hl, "%s%s=%s", i ? "&" : "", ek, enc);
        }
    }
    json_object_object_add(links, "self", href_obj(href));
    if (off + limit < n) {
        char cur[64];
        sbx_cursor_make(off + limit, cur, sizeof cur);
        snprintf(href, sizeof href, "%s%s?%slimit=%ld&cursor=%s", base, q->path, qs, limit, cur);
        json_object_object_add(links, "next", href_obj(href));
    }
    json_object_object_add(meta, "links", links);
    json_object *o = json_object_new_object();
    json_object_object_add(o, "_data", data);
    json_object_object_add(o, "_meta", meta);
    json_object_put(items);
    sbx_json(r, 200, o);
}

static int in_list(const char *v, const char **vals, int n)
{
    if (n == 0)
        return 1;
    for (int i = 0; v && i < n; i++)
        if (strcmp(v, vals[i]) == 0)
            return 1;
    return 0;
}

/* Compares the instant at field `path` of o with the bounds given as query args name.gt/.lt/.gte/.lte. */
static int time_filters_ok(sbx_req *q, json_object *o, const char *field, const char *argbase, int *bad)
{
    static const char *const ops[] = {"", ".gt", ".lt", ".gte", ".lte"};
    const char *v = sbx_jstr(o, field);
    long long t = v ? sbx_parse_instant(v) : -1;
    for (int i = 0; i < 5; i++) {
        char name[96];
        snprintf(name, sizeof name, "%s%s", argbase, ops[i]);
        const char *a = sbx_arg(q, name);
        if (!a)
            continue;
        long long b = sbx_parse_instant(a);
        if (b < 0) {
            *bad = 1;
            return 0;
        }
        int date_only = strlen(a) == 10;
        if (t < 0)
            return 0;
        switch (i) {
        case 0: if (date_only ? (t < b || t >= b + 86400000LL) : t != b) return 0; break;
        case 1: if (!(t > (date_only ? b + 86400000LL - 1 : b))) return 0; break;
        case 2: if (!(t < b)) return 0; break;
        case 3: if (!(t >= b)) return 0; break;
        case 4: if (!(t <= (date_only ? b + 86400000LL - 1 : b))) return 0; break;
        }
    }
    return 1;
}

/* ------------------------------------------------------------------ persons & employments */

static const char *const PERSON_WEBHOOK_FIELDS[] = {"first_name", "last_name", "gender",
                                                    "language_code", "email", "preferred_name"};

static json_object *person_out(sbx_req *q, json_object *p)
{
    json_object *o = NULL;
    if (q->co && q->co->hide_attributes) {
        /* documented pitfall: without whitelisted attributes only the ids come back */
        o = json_object_new_object();
        jset_str(o, "id", sbx_jstr(p, "id"));
        json_object *e = zs_json_at(p, "employments");
        json_object_object_add(o, "employments", e ? json_object_get(e) : json_object_new_array());
        return o;
    }
    if (json_object_deep_copy(p, &o, NULL) != 0)
        return json_object_get(p);
    char base[320], href[512];
    link_base(q, base, sizeof base);
    snprintf(href, sizeof href, "%s/v2/persons/%s/employments", base, str_or(p, "id", ""));
    json_object *meta = json_object_new_object(), *links = json_object_new_object();
    json_object_object_add(links, "employments", href_obj(href));
    json_object_object_add(meta, "links", links);
    json_object_object_add(o, "_meta", meta);
    return o;
}

static json_object *employment_out(sbx_req *q, json_object *e)
{
    json_object *o = NULL;
    if (json_object_deep_copy(e, &o, NULL) != 0)
        return json_object_get(e);
    char base[320], href[512];
    link_base(q, base, sizeof base);
    snprintf(href, sizeof href, "%s/v2/persons/%s/employments/%s", base,
             str_or(e, "person.id", ""), str_or(e, "id", ""));
    json_object *meta = json_object_new_object(), *links = json_object_new_object();
    json_object_object_add(links, "self", href_obj(href));
    json_object_object_add(meta, "links", links);
    json_object_object_add(o, "_meta", meta);
    return o;
}

static int enum_ok(const char *v, const char *const *allowed)
{
    for (; *allowed; allowed++)
        if (strcmp(v, *allowed) == 0)
            return 1;
    return 0;
}

static const char *const GENDERS[] = {"UNSPECIFIED", "MALE", "FEMALE", "DIVERSE", NULL};
static const char *const PSTATUS[] = {"UNSPECIFIED", "ACTIVE", "INACTIVE", NULL};
static const char *const ESTATUS[] = {"UNSPECIFIED", "ACTIVE", "INACTIVE", "ONBOARDING", "LEAVE", NULL};
static const char *const ETYPES[] = {"UNSPECIFIED", "INTERNAL", "EXTERNAL", NULL};

/* Applies custom attribute writes [{id, value}] using the company's attribute definitions. */
static int apply_custom(sbx_company *co, json_object *p, json_object *in, char *why, size_t cap,
                        int *changed)
{
    if (!json_object_is_type(in, json_type_array)) {
        snprintf(why, cap, "custom_attributes must be an array");
        return -1;
    }
    json_object *cur = zs_json_at(p, "custom_attributes");
    if (!cur) {
        cur = json_object_new_array();
        json_object_object_add(p, "custom_attributes", cur);
    }
    size_t n = json_object_array_length(in);
    for (size_t i = 0; i < n; i++) {
        json_object *a = json_object_array_get_idx(in, i);
        const char *id = sbx_jstr(a, "id");
        json_object *def = id ? find_by_id(co->attributes, id) : NULL;
        if (!def) {
            snprintf(why, cap, "Unknown custom attribute %s", id ? id : "(no id)");
            return -1;
        }
        json_object *val = zs_json_at(a, "value");
        json_object *existing = find_by_id(cur, id);
        if (existing) {
            json_object *old = zs_json_at(existing, "value");
            if (!json_object_equal(old, val)) {
                *changed = 1;
                json_object_object_add(existing, "value", val ? json_object_get(val) : NULL);
            }
        } else {
            json_object *na = json_object_new_object();
            jset_str(na, "id", id);
            jset_str(na, "global_id", str_or(def, "global_id", id + (strncmp(id, "dynamic_", 8) ? 0 : 8)));
            jset_str(na, "label", str_or(def, "label", id));
            jset_str(na, "type", str_or(def, "type", "string"));
            json_object_object_add(na, "value", val ? json_object_get(val) : NULL);
            json_object_array_add(cur, na);
            *changed = 1;
        }
    }
    return 0;
}

static int email_taken(sbx_company *co, const char *email, const char *except_id)
{
    size_t n = json_object_array_length(co->persons);
    for (size_t i = 0; email && i < n; i++) {
        json_object *p = json_object_array_get_idx(co->persons, i);
        const char *e = sbx_jstr(p, "email"), *id = sbx_jstr(p, "id");
        if (e && strcasecmp(e, email) == 0 && (!except_id || strcmp(id, except_id) != 0))
            return 1;
    }
    return 0;
}

/* Copies the writable employment fields of `in` onto e. Returns -1 with why on invalid input. */
static int employment_apply(json_object *e, json_object *in, char *why, size_t cap, int *cc_changed)
{
    static const char *const copy_keys[] = {"position", "weekly_working_hours",
        "full_time_weekly_working_hours", "employment_start_date", "employment_end_date",
        "contract_end_date", "probation_end_date", "supervisor", "office", "legal_entity",
        "org_units", "termination", NULL};
    const char *st = sbx_jstr(in, "status"), *ty = sbx_jstr(in, "type");
    if (st && !enum_ok(st, ESTATUS)) {
        snprintf(why, cap, "Invalid employment status %s", st);
        return -1;
    }
    if (ty && !enum_ok(ty, ETYPES)) {
        snprintf(why, cap, "Invalid employment type %s", ty);
        return -1;
    }
    if (st)
        jset_str(e, "status", st);
    if (ty)
        jset_str(e, "type", ty);
    for (int i = 0; copy_keys[i]; i++) {
        json_object *v;
        if (json_object_object_get_ex(in, copy_keys[i], &v))
            json_object_object_add(e, copy_keys[i], v ? json_object_get(v) : NULL);
    }
    json_object *cc;
    if (json_object_object_get_ex(in, "cost_centers", &cc)) {
        if (cc && !json_object_is_type(cc, json_type_array)) {
            snprintf(why, cap, "cost_centers must be an array");
            return -1;
        }
        if (!json_object_equal(cc, zs_json_at(e, "cost_centers")))
            *cc_changed = 1;
        json_object_object_add(e, "cost_centers", cc ? json_object_get(cc) : json_object_new_array());
    }
    return 0;
}

static json_object *employment_new(sbx_company *co, const char *pid)
{
    json_object *e = json_object_new_object();
    char id[32];
    snprintf(id, sizeof id, "%ld", co->next_id++);
    jset_str(e, "id", id);
    json_object_object_add(e, "person", jid_obj(pid));
    jset_str(e, "status", "ACTIVE");
    jset_str(e, "type", "INTERNAL");
    json_object_object_add(e, "weekly_working_hours", json_object_new_double(40));
    json_object_object_add(e, "full_time_weekly_working_hours", json_object_new_double(40));
    json_object_object_add(e, "employment_start_date", NULL);
    json_object_object_add(e, "employment_end_date", NULL);
    json_object_object_add(e, "cost_centers", json_object_new_array());
    json_object *term = json_object_new_object();
    json_object_object_add(term, "termination_date", NULL);
    json_object_object_add(term, "last_working_day", NULL);
    json_object_object_add(term, "terminated_at", NULL);
    jset_str(term, "type", "UNSPECIFIED");
    json_object_object_add(term, "reason", NULL);
    json_object_object_add(e, "termination", term);
    return e;
}

static json_object *id_payload(const char *id, const char *person_id)
{
    json_object *p = json_object_new_object();
    jset_str(p, "id", id);
    if (person_id)
        json_object_object_add(p, "person", jid_obj(person_id));
    return p;
}

/* Creates a person with employments from a POST /v2/persons body. 0, or -1 with r filled. */
static int person_create(sbx_company *co, json_object *in, sbx_resp *r, char *id_out)
{
    const char *fn = sbx_jstr(in, "first_name"), *ln = sbx_jstr(in, "last_name");
    const char *email = sbx_jstr(in, "email"), *g = sbx_jstr(in, "gender");
    const char *st = sbx_jstr(in, "status");
    char why[256] = "";
    if (!fn || !ln || !*fn || !*ln) {
        bad_request(r, "Invalid request", "Missing required parameters: first_name, last_name");
        return -1;
    }
    if (g && !enum_ok(g, GENDERS)) {
        bad_request(r, "Invalid request", "Invalid gender");
        return -1;
    }
    if (st && !enum_ok(st, PSTATUS)) {
        bad_request(r, "Invalid request", "Invalid status");
        return -1;
    }
    if (email_taken(co, email, NULL)) {
        bad_request(r, "Invalid request", "A person with this email already exists");
        return -1;
    }
    json_object *p = json_object_new_object();
    char id[32];
    snprintf(id, sizeof id, "%ld", co->next_id++);
    jset_str(p, "id", id);
    jset_str(p, "email", email);
    jset_str(p, "first_name", fn);
    jset_str(p, "last_name", ln);
    jset_str(p, "preferred_name", str_or(in, "preferred_name", ""));
    jset_str(p, "gender", g ? g : "UNSPECIFIED");
    jset_str(p, "language_code", str_or(in, "language_code", "de"));
    jset_str(p, "status", st ? st : "ACTIVE");
    json_object_object_add(p, "custom_attributes", json_object_new_array());
    int changed = 0;
    json_object *ca = zs_json_at(in, "custom_attributes");
    if (ca && apply_custom(co, p, ca, why, sizeof why, &changed) < 0) {
        json_object_put(p);
        bad_request(r, "Invalid request", why);
        return -1;
    }
    json_object *emps_in = zs_json_at(in, "employments");
    json_object *new_emps = json_object_new_array();
    size_t ne = emps_in && json_object_is_type(emps_in, json_type_array)
                    ? json_object_array_length(emps_in) : 0;
    /* Personio always creates one employment with a person. */
    for (size_t i = 0; i < (ne ? ne : 1); i++) {
        json_object *e = employment_new(co, id);
        int ccc = 0;
        if (ne && employment_apply(e, json_object_array_get_idx(emps_in, i), why, sizeof why, &ccc) < 0) {
            json_object_put(e);
            json_object_put(new_emps);
            json_object_put(p);
            bad_request(r, "Invalid request", why);
            return -1;
        }
        touch(e, 1);
        json_object_array_add(new_emps, e);
    }
    json_object *refs = json_object_new_array();
    size_t n = json_object_array_length(new_emps);
    for (size_t i = 0; i < n; i++) {
        json_object *e = json_object_array_get_idx(new_emps, i);
        json_object_array_add(refs, jid_obj(sbx_jstr(e, "id")));
        json_object_array_add(co->employments, json_object_get(e));
    }
    json_object_object_add(p, "employments", refs);
    touch(p, 1);
    json_object_array_add(co->persons, p);
    sbx_webhook_emit(co, "person.created", id_payload(id, NULL));
    for (size_t i = 0; i < n; i++)
        sbx_webhook_emit(co, "employment.created",
                         id_payload(sbx_jstr(json_object_array_get_idx(new_emps, i), "id"), id));
    json_object_put(new_emps);
    if (id_out)
        snprintf(id_out, 32, "%s", id);
    return 0;
}

static void persons_list(sbx_req *q, sbx_resp *r)
{
    const char *ids[64];
    char buf[2048];
    int nid = sbx_arg_list(q, "id", ids, buf, sizeof buf, 64);
    static const char *const exact[] = {"email", "first_name", "last_name", "preferred_name", NULL};
    json_object *m = json_object_new_array();
    size_t n = json_object_array_length(q->co->persons);
    int bad = 0;
    for (size_t i = 0; i < n && !bad; i++) {
        json_object *p = json_object_array_get_idx(q->co->persons, i);
        if (!in_list(sbx_jstr(p, "id"), ids, nid))
            continue;
        int ok = 1;
        for (int k = 0; exact[k] && ok; k++) {
            const char *a = sbx_arg(q, exact[k]);
            const char *v = sbx_jstr(p, exact[k]);
            if (a && (!v || strcasecmp(a, v) != 0))
                ok = 0;
        }
        if (ok && time_filters_ok(q, p, "updated_at", "updated_at", &bad) &&
            time_filters_ok(q, p, "created_at", "created_at", &bad))
            json_object_array_add(m, json_object_get(p));
    }
    if (bad) {
        json_object_put(m);
        bad_request(r, "Invalid request", "Invalid request content");
        return;
    }
    respond_list(q, r, m, 10, 50, person_out);
}

static void person_patch(sbx_req *q, sbx_resp *r, json_object *p)
{
    json_object *in = json_body(q, r);
    if (!in)
        return;
    char why[256];
    const char *g = sbx_jstr(in, "gender"), *st = sbx_jstr(in, "status"), *email = sbx_jstr(in, "email");
    if ((g && !enum_ok(g, GENDERS)) || (st && !enum_ok(st, PSTATUS))) {
        json_object_put(in);
        bad_request(r, "Invalid request", "Invalid enum value");
        return;
    }
    if (email && email_taken(q->co, email, sbx_jstr(p, "id"))) {
        json_object_put(in);
        bad_request(r, "Invalid request", "A person with this email already exists");
        return;
    }
    /* Validate custom attributes on a copy first so a bad attribute changes nothing. */
    json_object *work = NULL;
    if (json_object_deep_copy(p, &work, NULL) != 0) {
        json_object_put(in);
        sbx_err_v2(r, 500, "Internal server error", "out of memory", "common.internal_server_error");
        return;
    }
    int hook = 0, changed = 0;
    for (size_t i = 0; i < sizeof PERSON_WEBHOOK_FIELDS / sizeof *PERSON_WEBHOOK_FIELDS; i++) {
        const char *k = PERSON_WEBHOOK_FIELDS[i], *v = sbx_jstr(in, k);
        if (v && strcmp(v, str_or(work, k, "")) != 0) {
            jset_str(work, k, v);
            hook = changed = 1;
        }
    }
    if (st && strcmp(st, str_or(work, "status", "")) != 0) {
        jset_str(work, "status", st);
        changed = 1;
    }
    json_object *ca = zs_json_at(in, "custom_attributes");
    int cac = 0;
    if (ca && apply_custom(q->co, work, ca, why, sizeof why, &cac) < 0) {
        json_object_put(work);
        json_object_put(in);
        bad_request(r, "Invalid request", why);
        return;
    }
    json_object_put(in);
    if (cac)
        hook = changed = 1;
    if (changed)
        touch(work, 0);
    int idx = find_idx(q->co->persons, sbx_jstr(p, "id"));
    char pid[32];
    snprintf(pid, sizeof pid, "%s", sbx_jstr(p, "id"));
    json_object_array_put_idx(q->co->persons, (size_t)idx, work);
    if (hook)
        sbx_webhook_emit(q->co, "person.updated", id_payload(pid, NULL));
    sbx_json(r, 200, person_out(q, work));
}

static void person_delete(sbx_req *q, sbx_resp *r, const char *pid)
{
    char id[64];
    snprintf(id, sizeof id, "%s", pid);
    for (size_t i = json_object_array_length(q->co->employments); i-- > 0;) {
        const char *ep = sbx_jstr(json_object_array_get_idx(q->co->employments, i), "person.id");
        if (ep && strcmp(ep, id) == 0)
            json_object_array_del_idx(q->co->employments, i, 1);
    }
    json_object_array_del_idx(q->co->persons, (size_t)find_idx(q->co->persons, id), 1);
    sbx_webhook_emit(q->co, "person.deleted", id_payload(id, NULL));
    r->status = 204;
}

static void employments(sbx_req *q, sbx_resp *r, const char *pid, const char *eid)
{
    if (!find_by_id(q->co->persons, pid)) {
        not_found(r);
        return;
    }
    json_object *e = NULL;
    if (eid) {
        e = find_by_id(q->co->employments, eid);
        if (!e || strcmp(str_or(e, "person.id", ""), pid) != 0) {
            not_found(r);
            return;
        }
    }
    if (!eid && strcmp(q->method, "GET") == 0) {
        json_object *m = json_object_new_array();
        /* most recent first, as Personio documents */
        for (size_t i = json_object_array_length(q->co->employments); i-- > 0;) {
            json_object *x = json_object_array_get_idx(q->co->employments, i);
            if (strcmp(str_or(x, "person.id", ""), pid) == 0)
                json_object_array_add(m, json_object_get(x));
        }
        respond_list(q, r, m, 10, 50, employment_out);
    } else if (eid && strcmp(q->method, "GET") == 0) {
        sbx_json(r, 200, employment_out(q, e));
    } else if (eid && strcmp(q->method, "PATCH") == 0) {
        json_object *in = json_body(q, r);
        if (!in)
            return;
        json_object *work = NULL;
        char why[256];
        int cc = 0;
        if (json_object_deep_copy(e, &work, NULL) != 0 ||
            employment_apply(work, in, why, sizeof why, &cc) < 0) {
            json_object_put(in);
            json_object_put(work);
            bad_request(r, "Invalid request", why);
            return;
        }
        json_object_put(in);
        touch(work, 0);
        json_object_array_put_idx(q->co->employments, (size_t)find_idx(q->co->employments, eid), work);
        sbx_webhook_emit(q->co, "employment.updated", id_payload(eid, pid));
        if (cc)
            sbx_webhook_emit(q->co, "employment.updated.cost-centers", id_payload(eid, pid));
        sbx_json(r, 200, employment_out(q, work));
    } else {
        method_not_allowed(r);
    }
}

static void persons(sbx_req *q, sbx_resp *r, const char *pid)
{
    if (!pid) {
        if (strcmp(q->method, "GET") == 0) {
            persons_list(q, r);
        } else if (strcmp(q->method, "POST") == 0) {
            json_object *in = json_body(q, r);
            char id[32];
            if (!in)
                return;
            if (person_create(q->co, in, r, id) == 0) {
                json_object *p = find_by_id(q->co->persons, id);
                sbx_json(r, 201, person_out(q, p));
            }
            json_object_put(in);
        } else {
            method_not_allowed(r);
        }
        return;
    }
    json_object *p = find_by_id(q->co->persons, pid);
    if (!p) {
        not_found(r);
        return;
    }
    if (strcmp(q->method, "GET") == 0)
        sbx_json(r, 200, person_out(q, p));
    else if (strcmp(q->method, "PATCH") == 0)
        person_patch(q, r, p);
    else if (strcmp(q->method, "DELETE") == 0)
        person_delete(q, r, pid);
    else
        method_not_allowed(r);
}

/* ------------------------------------------------------------------ attendance periods */

static long long period_start(json_object *a)
{
    return sbx_parse_local(sbx_jstr(a, "start.date_time"));
}

static long long period_end(json_object *a)
{
    const char *e = sbx_jstr(a, "end.date_time");
    return e ? sbx_parse_local(e) : -1;
}

/* The documented sort keys; g_lock serialises requests, so the active order can be a global. */
enum { SK_PERSON, SK_START, SK_END, SK_UPDATED, SK_STATUS };
static struct { int key, desc; } g_sort[8];
static int g_nsort;

static int parse_sort(const char *s)
{
    static const char *const names[] = {"person.id", "start.date_time", "end.date_time", "updated_at", "status"};
    g_nsort = 0;
    if (!s) {
        g_sort[0].key = SK_PERSON, g_sort[1].key = SK_START, g_sort[2].key = SK_END;
        g_sort[0].desc = g_sort[1].desc = g_sort[2].desc = 0;
        g_nsort = 3;
        return 0;
    }
    char buf[256];
    snprintf(buf, sizeof buf, "%s", s);
    for (char *save = NULL, *t = strtok_r(buf, ",", &save); t; t = strtok_r(NULL, ",", &save)) {
        int desc = *t == '-';
        if (desc)
            t++;
        int k = -1;
        for (int i = 0; i < 5; i++)
            if (strcmp(t, names[i]) == 0)
                k = i;
        if (k < 0 || g_nsort >= 8)
            return -1;
        g_sort[g_nsort].key = k;
        g_sort[g_nsort].desc = desc;
        g_nsort++;
    }
    return g_nsort ? 0 : -1;
}

static int cmp_periods(const void *x, const void *y)
{
    json_object *a = *(json_object *const *)x, *b = *(json_object *const *)y;
    for (int i = 0; i < g_nsort; i++) {
        int c = 0;
        long long va, vb;
        switch (g_sort[i].key) {
        case SK_PERSON:
            va = atoll(str_or(a, "person.id", "0")), vb = atoll(str_or(b, "person.id", "0"));
            c = va < vb ? -1 : va > vb;
            break;
        case SK_START:
        case SK_END:
            va = g_sort[i].key == SK_START ? period_start(a) : period_end(a);
            vb = g_sort[i].key == SK_START ? period_start(b) : period_end(b);
            /* open ends sort last in ascending order */
            if (va < 0 || vb < 0)
                c = (va < 0) - (vb < 0);
            else
                c = va < vb ? -1 : va > vb;
            break;
        case SK_UPDATED:
            c = strcmp(str_or(a, "updated_at", ""), str_or(b, "updated_at", ""));
            break;
        case SK_STATUS:
            c = strcmp(str_or(a, "approval.status", ""), str_or(b, "approval.status", ""));
            break;
        }
        if (c)
            return g_sort[i].desc ? -c : c;
    }
    return strcmp(str_or(a, "id", ""), str_or(b, "id", ""));
}

/* Whether period o can clash with a new or changed period of person pid: same person, not the
 * period being changed (self_id), and not rejected (a rejected period no longer holds the time). */
static int overlap_candidate(json_object *o, const char *pid, const char *self_id)
{
    if (strcmp(str_or(o, "person.id", ""), pid) != 0)
        return 0;
    if (self_id && strcmp(str_or(o, "id", ""), self_id) == 0)
        return 0;
    return strcmp(str_or(o, "approval.status", ""), "REJECTED") != 0;
}

/* /v2/<kind>s/{id} for attendance and absence periods: answers what both kinds answer alike
 * (no id, unknown id, GET, DELETE, other methods) and returns the period only for a PATCH, with
 * its person id in pid. */
static json_object *period_for_patch(sbx_req *q, sbx_resp *r, json_object *arr, const char *id,
                                     const char *kind, char *pid, size_t pidcap)
{
    if (!id) {
        method_not_allowed(r);
        return NULL;
    }
    json_object *a = find_by_id(arr, id);
    if (!a) {
        not_found(r);
        return NULL;
    }
    snprintf(pid, pidcap, "%s", str_or(a, "person.id", ""));
    if (strcmp(q->method, "GET") == 0) {
        sbx_json(r, 200, json_object_get(a));
    } else if (strcmp(q->method, "DELETE") == 0) {
        /* id may point into the request; the event needs it after the period is gone */
        char idc[64], event[96];
        snprintf(idc, sizeof idc, "%s", id);
        snprintf(event, sizeof event, "%s.deleted", kind);
        json_object_array_del_idx(arr, (size_t)find_idx(arr, idc), 1);
        sbx_webhook_emit(q->co, event, id_payload(idc, pid));
        r->status = 204;
    } else if (strcmp(q->method, "PATCH") == 0) {
        return a;
    } else {
        method_not_allowed(r);
    }
    return NULL;
}

static json_object *attendance_out(sbx_req *q, json_object *a)
{
    (void)q;
    return json_object_get(a);
}

/* Validates a period's time range (start required, end optional) against the documented rules and
 * the person's other periods. Returns 0 or fills r. */
static int attendance_validate(sbx_req *q, sbx_resp *r, const char *pid, const char *self_id,
                               const char *type, const char *start, const char *end,
                               int has_project)
{
    long long s = sbx_parse_local(start);
    long long e = end ? sbx_parse_local(end) : -1;
    if (s < 0 || (end && e < 0)) {
        bad_request(r, "Invalid request", "Invalid request content");
        return -1;
    }
    if (strcmp(type, "BREAK") == 0 && has_project) {
        unprocessable(r, "Break periods with project", "Break periods cannot have a project");
        return -1;
    }
    if (end && e <= s) {
        unprocessable(r, "Start date greater than end date",
                      "The start of the period must be before its end");
        return -1;
    }
    if (end && e - s > 86400) {
        unprocessable(r, "Period time range too long", "A period can last at most 24 hours");
        return -1;
    }
    /* Ending exactly at 00:00 of the next day still belongs to the start day. */
    if (end && !g_cfg.allow_overnight && (e - 1) / 86400 != s / 86400) {
        unprocessable(r, "Period crosses midnight",
                      "Attendance periods must start and end on the same day; split at 00:00");
        return -1;
    }
    size_t n = json_object_array_length(q->co->attendance);
    for (size_t i = 0; i < n; i++) {
        json_object *o = json_object_array_get_idx(q->co->attendance, i);
        if (!overlap_candidate(o, pid, self_id))
            continue;
        long long os = period_start(o), oe = period_end(o);
        long long ae = end ? e : s + 1, be = oe < 0 ? os + 1 : oe;
        if (s < be && os < ae) {
            char det[200];
            snprintf(det, sizeof det, "The period overlaps with the existing attendance period %s",
                     str_or(o, "id", "?"));
            sbx_err_v2(r, 409, "Overlapping attendance periods", det, "attendance.overlap");
            return -1;
        }
    }
    return 0;
}

static void attendance_list(sbx_req *q, sbx_resp *r)
{
    const char *ids[64], *pids[256], *proj[64], *st[8];
    char b1[2048], b2[8192], b3[2048], b4[256];
    int nid = sbx_arg_list(q, "id", ids, b1, sizeof b1, 64);
    int np = sbx_arg_list(q, "person.id", pids, b2, sizeof b2, 256);
    int npr = sbx_arg_list(q, "project.id", proj, b3, sizeof b3, 64);
    int nst = sbx_arg_list(q, "status", st, b4, sizeof b4, 8);
    const char *ad_gte = sbx_arg(q, "attribution_date.gte"), *ad_lte = sbx_arg(q, "attribution_date.lte");
    static const char *const local_args[] = {"start.date_time.gte", "start.date_time.lte",
                                             "end.date_time.gte", "end.date_time.lte", NULL};
    long long lb[4];
    for (int i = 0; local_args[i]; i++) {
        const char *a = sbx_arg(q, local_args[i]);
        lb[i] = a ? sbx_parse_local(a) : -2;
        if (a && lb[i] < 0) {
            bad_request(r, "Invalid request", "Invalid request content");
            return;
        }
    }
    if ((ad_gte && sbx_parse_instant(ad_gte) < 0) || (ad_lte && sbx_parse_instant(ad_lte) < 0)) {
        bad_request(r, "Invalid request", "Invalid request content");
        return;
    }
    size_t n = json_object_array_length(q->co->attendance);
    json_object **v = calloc(n ? n : 1, sizeof *v);
    if (!v) {
        sbx_err_v2(r, 500, "Internal server error", "out of memory", "common.internal_server_error");
        return;
    }
    size_t m = 0;
    int bad = 0;
    for (size_t i = 0; i < n; i++) {
        json_object *a = json_object_array_get_idx(q->co->attendance, i);
        const char *ad = str_or(a, "attribution_date", "");
        long long s = period_start(a), e = period_end(a);
        if (!in_list(sbx_jstr(a, "id"), ids, nid) || !in_list(sbx_jstr(a, "person.id"), pids, np) ||
            !in_list(sbx_jstr(a, "project.id"), proj, npr) ||
            !in_list(sbx_jstr(a, "approval.status"), st, nst))
            continue;
        if ((ad_gte && strcmp(ad, ad_gte) < 0) || (ad_lte && strcmp(ad, ad_lte) > 0))
            continue;
        if ((lb[0] != -2 && s < lb[0]) || (lb[1] != -2 && s > lb[1]) ||
            (lb[2] != -2 && (e < 0 || e < lb[2])) || (lb[3] != -2 && (e < 0 || e > lb[3])))
            continue;
        if (!time_filters_ok(q, a, "updated_at", "updated_at", &bad))
            continue;
        v[m++] = a;
    }
    if (bad) {
        free(v);
        bad_request(r, "Invalid request", "Invalid request content");
        return;
    }
    if (parse_sort(sbx_arg(q, "sort")) < 0) {
        free(v);
        bad_request(r, "Invalid request", "Invalid sort field");
        return;
    }
    qsort(v, m, sizeof *v, cmp_periods);
    json_object *arr = json_object_new_array();
    for (size_t i = 0; i < m; i++)
        json_object_array_add(arr, json_object_get(v[i]));
    free(v);
    respond_list(q, r, arr, 100, 100, attendance_out);
}

static void attendance(sbx_req *q, sbx_resp *r, const char *aid)
{
    if (!aid && strcmp(q->method, "GET") == 0) {
        attendance_list(q, r);
        return;
    }
    const char *skip = sbx_arg(q, "skip_approval");
    int skip_approval = skip && strcmp(skip, "true") == 0;
    if (!aid && strcmp(q->method, "POST") == 0) {
        json_object *in = json_body(q, r);
        if (!in)
            return;
        const char *pid = sbx_jstr(in, "person.id"), *type = sbx_jstr(in, "type");
        json_object *startv = zs_json_at(in, "start.date_time");
        const char *start = sbx_jstr(in, "start.date_time"), *end = sbx_jstr(in, "end.date_time");
        json_object *endo = zs_json_at(in, "end");
        const char *proj = sbx_jstr(in, "project.id");
        if (!pid || !type || !startv) {
            bad_request(r, "Invalid request", "Missing required parameters");
        } else if (strcmp(type, "WORK") != 0 && strcmp(type, "BREAK") != 0) {
            bad_request(r, "Invalid request", "Invalid type field");
        } else if (!start || (endo && zs_json_at(endo, "date_time") && !end)) {
            bad_request(r, "Invalid request", "Invalid request content");
        } else if (!find_by_id(q->co->persons, pid)) {
            unprocessable(r, "Unprocessable request", "Person not found");
        } else if (attendance_validate(q, r, pid, NULL, type, start, end, proj != NULL) == 0) {
            json_object *a = json_object_new_object();
            char id[40], ad[11];
            sbx_uuid(id);
            jset_str(a, "id", id);
            jset_str(a, "type", type);
            json_object_object_add(a, "person", jid_obj(pid));
            json_object *so = json_object_new_object();
            jset_str(so, "date_time", start);
            json_object_object_add(a, "start", so);
            if (end) {
                json_object *eo = json_object_new_object();
                jset_str(eo, "date_time", end);
                json_object_object_add(a, "end", eo);
            } else {
                json_object_object_add(a, "end", NULL);
            }
            snprintf(ad, sizeof ad, "%.10s", start);
            jset_str(a, "attribution_date", ad);
            json_object *ap = json_object_new_object();
            jset_str(ap, "status",
                     q->co->approval_required && !skip_approval ? "PENDING" : "CONFIRMED");
            json_object_object_add(a, "approval", ap);
            jset_str(a, "comment", str_or(in, "comment", ""));
            json_object_object_add(a, "project", proj ? jid_obj(proj) : NULL);
            json_object_object_add(a, "is_auto_generated", json_object_new_boolean(0));
            json_object_object_add(a, "is_holiday", json_object_new_boolean(0));
            json_object_object_add(a, "is_on_time_off", json_object_new_boolean(0));
            touch(a, 1);
            json_object_array_add(q->co->attendance, a);
            sbx_webhook_emit(q->co, "attendance-period.created", id_payload(id, pid));
            created(r, id);
        }
        json_object_put(in);
        return;
    }
    char pid[64];
    json_object *a = period_for_patch(q, r, q->co->attendance, aid, "attendance-period", pid, sizeof pid);
    if (!a)
        return;
    json_object *in = json_body(q, r);
    if (!in)
        return;
    json_object *sv = zs_json_at(in, "start"), *ev = NULL;
    int has_end = json_object_object_get_ex(in, "end", &ev);
    const char *start = sv ? sbx_jstr(sv, "date_time") : str_or(a, "start.date_time", "");
    const char *end = has_end ? (ev ? sbx_jstr(ev, "date_time") : NULL) : sbx_jstr(a, "end.date_time");
    json_object *pv = NULL;
    int has_proj = json_object_object_get_ex(in, "project", &pv);
    int proj = has_proj ? pv != NULL : zs_json_at(a, "project") != NULL;
    if (zs_json_at(in, "type") && strcmp(str_or(in, "type", ""), str_or(a, "type", "")) != 0) {
        bad_request(r, "Invalid request", "Invalid type field");
    } else if (sv && !start) {
        bad_request(r, "Invalid request", "Invalid start field");
    } else if (has_end && ev && !end) {
        bad_request(r, "Invalid request", "Invalid end field");
    } else if (attendance_validate(q, r, pid, aid, str_or(a, "type", "WORK"), start, end, proj) == 0) {
        json_object *work = NULL;
        if (json_object_deep_copy(a, &work, NULL) == 0) {
            json_object *so = json_object_new_object();
            jset_str(so, "date_time", start);
            json_object_object_add(work, "start", so);
            if (end) {
                json_object *eo = json_object_new_object();
                jset_str(eo, "date_time", end);
                json_object_object_add(work, "end", eo);
            } else {
                json_object_object_add(work, "end", NULL);
            }
            char ad[11];
            snprintf(ad, sizeof ad, "%.10s", start);
            jset_str(work, "attribution_date", ad);
            if (sbx_jstr(in, "comment"))
                jset_str(work, "comment", sbx_jstr(in, "comment"));
            if (has_proj)
                json_object_object_add(work, "project", pv ? jid_obj(str_or(pv, "id", "")) : NULL);
            if (q->co->approval_required && !skip_approval)
                jset_str(zs_json_at(work, "approval"), "status", "PENDING");
            touch(work, 0);
            json_object_array_put_idx(q->co->attendance, (size_t)find_idx(q->co->attendance, aid), work);
            sbx_webhook_emit(q->co, "attendance-period.updated", id_payload(aid, pid));
            r->status = 204;
        } else {
            sbx_err_v2(r, 500, "Internal server error", "out of memory", "common.internal_server_error");
        }
    }
    json_object_put(in);
}

/* ------------------------------------------------------------------ absences */

/* Absence range as [start, end) in seconds of naive local time. Day units count whole days with
 * FIRST_HALF/SECOND_HALF cutting at noon; hour units use the times as given. */
static int absence_range(json_object *type, json_object *sf, json_object *ea, long long *s,
                         long long *e)
{
    const char *unit = str_or(type, "unit", "DAY");
    long long a = sbx_parse_local(sbx_jstr(sf, "date_time"));
    if (a < 0)
        return -1;
    long long b = LLONG_MAX;
    if (ea) {
        b = sbx_parse_local(sbx_jstr(ea, "date_time"));
        if (b < 0)
            return -1;
    }
    if (strcmp(unit, "DAY") == 0) {
        a = a / 86400 * 86400;
        if (strcmp(str_or(sf, "type", ""), "SECOND_HALF") == 0)
            a += 43200;
        if (ea) {
            b = b / 86400 * 86400 + 86400;
            if (strcmp(str_or(ea, "type", ""), "FIRST_HALF") == 0)
                b -= 43200;
        }
    }
    *s = a;
    *e = b;
    return 0;
}

static int half_ok(json_object *x)
{
    const char *t = sbx_jstr(x, "type");
    json_object *tv = zs_json_at(x, "type");
    if (!tv)
        return 1;
    return t && (strcmp(t, "FIRST_HALF") == 0 || strcmp(t, "SECOND_HALF") == 0);
}

static int absence_check(sbx_req *q, sbx_resp *r, const char *self_id, const char *pid,
                         json_object *type, json_object *sf, json_object *ea)
{
    const char *sfd = sbx_jstr(sf, "date_time"), *ead = ea ? sbx_jstr(ea, "date_time") : NULL;
    if (!sfd || (ea && !ead) || sbx_parse_local(sfd) < 0 || (ead && sbx_parse_local(ead) < 0)) {
        bad_request(r, "Invalid request", "Invalid request content");
        return -1;
    }
    if (!half_ok(sf) || (ea && !half_ok(ea))) {
        bad_request(r, "Invalid request", "Invalid request content");
        return -1;
    }
    long long s, e;
    if (absence_range(type, sf, ea, &s, &e) < 0 || e <= s) {
        unprocessable(r, "Unprocessable absence period request",
                      "The absence period must end after it starts");
        return -1;
    }
    size_t n = json_object_array_length(q->co->absences);
    for (size_t i = 0; i < n; i++) {
        json_object *o = json_object_array_get_idx(q->co->absences, i);
        if (!overlap_candidate(o, pid, self_id))
            continue;
        long long os, oe;
        json_object *ot = find_by_id(q->co->absence_types, str_or(o, "absence_type.id", ""));
        if (absence_range(ot, zs_json_at(o, "starts_from"), zs_json_at(o, "ends_at"), &os, &oe) < 0)
            continue;
        if (s < oe && os < e) {
            sbx_err_v2(r, 409, "Absence period conflict",
                       "The absence period overlaps with an existing absence period of the person",
                       "absence.period_conflict");
            return -1;
        }
    }
    return 0;
}

static void absence_list(sbx_req *q, sbx_resp *r)
{
    const char *ids[64], *pids[256], *types[64];
    char b1[2048], b2[8192], b3[4096];
    int nid = sbx_arg_list(q, "id", ids, b1, sizeof b1, 64);
    int np = sbx_arg_list(q, "person.id", pids, b2, sizeof b2, 256);
    int nt = sbx_arg_list(q, "absence_type.id", types, b3, sizeof b3, 64);
    /* The documented quirk: the date filters select absences that OVERLAP the window. */
    const char *lo_a = sbx_arg(q, "starts_from.date_time.gte");
    if (!lo_a)
        lo_a = sbx_arg(q, "ends_at.date_time.gte");
    const char *hi_a = sbx_arg(q, "ends_at.date_time.lte");
    if (!hi_a)
        hi_a = sbx_arg(q, "starts_from.date_time.lte");
    long long lo = lo_a ? sbx_parse_local(lo_a) : LLONG_MIN, hi = hi_a ? sbx_parse_local(hi_a) : LLONG_MAX;
    if ((lo_a && lo < 0) || (hi_a && hi < 0)) {
        bad_request(r, "Invalid request", "Invalid request content");
        return;
    }
    json_object *m = json_object_new_array();
    size_t n = json_object_array_length(q->co->absences);
    int bad = 0;
    for (size_t i = 0; i < n; i++) {
        json_object *a = json_object_array_get_idx(q->co->absences, i);
        if (!in_list(sbx_jstr(a, "id"), ids, nid) || !in_list(sbx_jstr(a, "person.id"), pids, np) ||
            !in_list(sbx_jstr(a, "absence_type.id"), types, nt))
            continue;
        long long s, e;
        json_object *t = find_by_id(q->co->absence_types, str_or(a, "absence_type.id", ""));
        if (absence_range(t, zs_json_at(a, "starts_from"), zs_json_at(a, "ends_at"), &s, &e) < 0)
            continue;
        if (!(s <= hi && e > lo))
            continue;
        if (!time_filters_ok(q, a, "updated_at", "updated_at", &bad))
            continue;
        json_object_array_add(m, json_object_get(a));
    }
    if (bad) {
        json_object_put(m);
        bad_request(r, "Invalid request", "Invalid request content");
        return;
    }
    respond_list(q, r, m, 100, 100, NULL);
}

static json_object *copy_point(json_object *x)
{
    json_object *o = json_object_new_object();
    jset_str(o, "date_time", sbx_jstr(x, "date_time"));
    const char *t = sbx_jstr(x, "type");
    if (t)
        jset_str(o, "type", t);
    return o;
}

static void absences(sbx_req *q, sbx_resp *r, const char *id)
{
    const char *skip = sbx_arg(q, "skip_approval");
    int skip_approval = skip && strcmp(skip, "true") == 0;
    if (!id && strcmp(q->method, "GET") == 0) {
        absence_list(q, r);
        return;
    }
    if (!id && strcmp(q->method, "POST") == 0) {
        json_object *in = json_body(q, r);
        if (!in)
            return;
        const char *pid = sbx_jstr(in, "person.id"), *tid = sbx_jstr(in, "absence_type.id");
        json_object *sf = zs_json_at(in, "starts_from"), *ea = zs_json_at(in, "ends_at");
        json_object *type = tid ? find_by_id(q->co->absence_types, tid) : NULL;
        if (!pid || !tid || !sf) {
            bad_request(r, "Invalid request", "Missing required parameters");
        } else if (!find_by_id(q->co->persons, pid)) {
            unprocessable(r, "Unprocessable absence period request", "Person not found");
        } else if (!type) {
            unprocessable(r, "Unprocessable absence period request", "Absence type not found");
        } else if (absence_check(q, r, NULL, pid, type, sf, ea) == 0) {
            json_object *a = json_object_new_object();
            char uid[40];
            sbx_uuid(uid);
            jset_str(a, "id", uid);
            json_object_object_add(a, "person", jid_obj(pid));
            json_object_object_add(a, "starts_from", copy_point(sf));
            json_object_object_add(a, "ends_at", ea ? copy_point(ea) : NULL);
            jset_str(a, "timezone_id", str_or(in, "timezone_id", q->co->timezone));
            json_object *c = zs_json_at(in, "comment");
            json_object_object_add(a, "comment", c ? json_object_get(c) : NULL);
            json_object_object_add(a, "absence_type", jid_obj(tid));
            json_object *ap = json_object_new_object();
            int need = json_object_get_boolean(zs_json_at(type, "approval_required"));
            jset_str(ap, "status", need && !skip_approval ? "PENDING" : "APPROVED");
            json_object_object_add(a, "approval", ap);
            json_object_object_add(a, "substitute", NULL);
            touch(a, 1);
            json_object_array_add(q->co->absences, a);
            sbx_webhook_emit(q->co, "absence-period.created", id_payload(uid, pid));
            created(r, uid);
        }
        json_object_put(in);
        return;
    }
    char aid[64], pid[64];
    json_object *a = period_for_patch(q, r, q->co->absences, id, "absence-period", pid, sizeof pid);
    if (!a)
        return;
    snprintf(aid, sizeof aid, "%s", id);
    json_object *in = json_body(q, r);
    if (!in)
        return;
    json_object *sf = zs_json_at(in, "starts_from"), *ea = NULL;
    int has_ea = json_object_object_get_ex(in, "ends_at", &ea);
    if (!sf)
        sf = zs_json_at(a, "starts_from");
    if (!has_ea)
        ea = zs_json_at(a, "ends_at");
    const char *tid = str_or(in, "absence_type.id", str_or(a, "absence_type.id", ""));
    json_object *type = find_by_id(q->co->absence_types, tid);
    const char *new_status = sbx_jstr(in, "approval.status");
    static const char *const ASTAT[] = {"PENDING", "APPROVED", "REJECTED", "DELETION_PENDING",
                                        "SUBSTITUTE_REQUESTED", NULL};
    if (!type) {
        unprocessable(r, "Unprocessable absence period request", "Absence type not found");
    } else if (new_status && !enum_ok(new_status, ASTAT)) {
        bad_request(r, "Invalid request", "Invalid request content");
    } else if (absence_check(q, r, aid, pid, type, sf, ea) == 0) {
        json_object *work = json_object_new_object();
        json_object_object_foreach(a, k, v) json_object_object_add(work, k, v ? json_object_get(v) : NULL);
        json_object *old_sf = zs_json_at(a, "starts_from"), *old_ea = zs_json_at(a, "ends_at");
        json_object *nsf = copy_point(sf), *nea = ea ? copy_point(ea) : NULL;
        int range = !json_object_equal(nsf, old_sf) || !json_object_equal(nea, old_ea);
        json_object_object_add(work, "starts_from", nsf);
        json_object_object_add(work, "ends_at", nea);
        json_object_object_add(work, "absence_type", jid_obj(tid));
        json_object *c;
        if (json_object_object_get_ex(in, "comment", &c))
            json_object_object_add(work, "comment", c ? json_object_get(c) : NULL);
        int status_changed = 0;
        if (new_status && strcmp(new_status, str_or(a, "approval.status", "")) != 0) {
            json_object *ap = json_object_new_object();
            jset_str(ap, "status", new_status);
            json_object_object_add(work, "approval", ap);
            status_changed = 1;
        }
        touch(work, 0);
        json_object_array_put_idx(q->co->absences, (size_t)find_idx(q->co->absences, aid), work);
        if (range)
            sbx_webhook_emit(q->co, "absence-period.updated.timerange", id_payload(aid, pid));
        if (status_changed)
            sbx_webhook_emit(q->co, "absence-period.updated.status", id_payload(aid, pid));
        sbx_json(r, 200, json_object_get(work));
    }
    json_object_put(in);
}

static void absence_types(sbx_req *q, sbx_resp *r, const char *id)
{
    if (strcmp(q->method, "GET") != 0) {
        method_not_allowed(r);
        return;
    }
    if (id) {
        json_object *t = find_by_id(q->co->absence_types, id);
        if (t)
            sbx_json(r, 200, json_object_get(t));
        else
            not_found(r);
        return;
    }
    json_object *m = json_object_new_array();
    size_t n = json_object_array_length(q->co->absence_types);
    for (size_t i = 0; i < n; i++)
        json_object_array_add(m, json_object_get(json_object_array_get_idx(q->co->absence_types, i)));
    respond_list(q, r, m, 100, 100, NULL);
}

/* ------------------------------------------------------------------ webhooks (management) */

static const char *const EVENTS[] = {"person.created", "person.updated", "person.deleted",
    "employment.created", "employment.updated", "employment.updated.cost-centers",
    "employment.deleted", "employment.started", "employment.terminated", "absence-period.created",
    "absence-period.updated.status", "absence-period.updated.timerange", "absence-period.deleted",
    "attendance-period.created", "attendance-period.updated", "attendance-period.deleted", NULL};

static json_object *webhook_out(sbx_req *q, json_object *w)
{
    (void)q;
    json_object *o = json_object_new_object();
    json_object_object_foreach(w, k, v)
    {
        if (strcmp(k, "token") != 0 && strcmp(k, "custom_headers") != 0)
            json_object_object_add(o, k, v ? json_object_get(v) : NULL);
    }
    return o;
}

static int webhook_fields(json_object *w, json_object *in, char *why, size_t cap)
{
    const char *url = sbx_jstr(in, "url");
    if (zs_json_at(in, "url")) {
        if (!url || (strncmp(url, "https://", 8) != 0 && strncmp(url, "http://", 7) != 0) ||
            strlen(url) < 10) {
            snprintf(why, cap, "Invalid URL");
            return -1;
        }
        jset_str(w, "url", url);
    }
    const char *st = sbx_jstr(in, "status");
    if (st) {
        if (strcmp(st, "ENABLED") != 0 && strcmp(st, "DISABLED") != 0) {
            snprintf(why, cap, "Invalid status");
            return -1;
        }
        jset_str(w, "status", st);
    }
    const char *at = sbx_jstr(in, "auth_type");
    if (at) {
        if (strcmp(at, "NONE") != 0 && strcmp(at, "TOKEN") != 0 && strcmp(at, "CUSTOM") != 0) {
            snprintf(why, cap, "Invalid auth_type");
            return -1;
        }
        jset_str(w, "auth_type", at);
    }
    if (sbx_jstr(in, "token"))
        jset_str(w, "token", sbx_jstr(in, "token"));
    if (sbx_jstr(in, "description"))
        jset_str(w, "description", sbx_jstr(in, "description"));
    json_object *ch = zs_json_at(in, "custom_headers");
    if (ch) {
        if (!json_object_is_type(ch, json_type_object) || json_object_object_length(ch) > 3) {
            snprintf(why, cap, "At most 3 custom headers");
            return -1;
        }
        static const char *const banned[] = {"host", "content-length", "transfer-encoding",
                                             "connection", "upgrade", "te", "trailer", "expect",
                                             "content-type", NULL};
        json_object_object_foreach(ch, k, v)
        {
            for (int i = 0; banned[i]; i++)
                if (strncasecmp(k, banned[i], strlen(banned[i])) == 0) {
                    snprintf(why, cap, "Custom header %s is not allowed", k);
                    return -1;
                }
            if (!json_object_is_type(v, json_type_string)) {
                snprintf(why, cap, "Custom header values must be strings");
                return -1;
            }
        }
        json_object_object_add(w, "custom_headers", json_object_get(ch));
    }
    json_object *ev = zs_json_at(in, "enabled_events");
    if (ev) {
        if (!json_object_is_type(ev, json_type_array)) {
            snprintf(why, cap, "enabled_events must be an array");
            return -1;
        }
        size_t n = json_object_array_length(ev);
        for (size_t i = 0; i < n; i++) {
            const char *e = json_object_get_string(json_object_array_get_idx(ev, i));
            if (!e || !enum_ok(e, EVENTS)) {
                snprintf(why, cap, "Unknown event %s", e ? e : "(null)");
                return -1;
            }
        }
        json_object_object_add(w, "enabled_events", json_object_get(ev));
    }
    return 0;
}

static void webhooks(sbx_req *q, sbx_resp *r, const char *id, const char *sub)
{
    char why[256];
    if (!id) {
        if (strcmp(q->method, "GET") == 0) {
            json_object *m = json_object_new_array();
            size_t n = json_object_array_length(q->co->webhooks);
            for (size_t i = 0; i < n; i++)
                json_object_array_add(m, json_object_get(json_object_array_get_idx(q->co->webhooks, i)));
            respond_list(q, r, m, 100, 100, webhook_out);
        } else if (strcmp(q->method, "POST") == 0) {
            json_object *in = json_body(q, r);
            if (!in)
                return;
            json_object *w = json_object_new_object();
            char uid[40];
            sbx_uuid(uid);
            jset_str(w, "id", uid);
            jset_str(w, "status", "DISABLED");
            jset_str(w, "auth_type", "TOKEN");
            jset_str(w, "description", "");
            if (!sbx_jstr(in, "url")) {
                json_object_put(w);
                bad_request(r, "Invalid request", "Missing required parameters: url");
            } else if (webhook_fields(w, in, why, sizeof why) < 0) {
                json_object_put(w);
                unprocessable(r, why, why);
            } else {
                if (!zs_json_at(w, "enabled_events")) {
                    json_object *all = json_object_new_array();
                    for (int i = 0; EVENTS[i]; i++)
                        json_object_array_add(all, json_object_new_string(EVENTS[i]));
                    json_object_object_add(w, "enabled_events", all);
                }
                touch(w, 1);
                json_object_array_add(q->co->webhooks, w);
                sbx_json(r, 201, webhook_out(q, w));
            }
            json_object_put(in);
        } else {
            method_not_allowed(r);
        }
        return;
    }
    json_object *w = find_by_id(q->co->webhooks, id);
    if (!w) {
        not_found(r);
        return;
    }
    if (sub && strcmp(sub, "ping") == 0 && strcmp(q->method, "POST") == 0) {
        /* a ping goes to this webhook even if disabled or not subscribed */
        json_object *p = json_object_new_object();
        jset_str(p, "webhook_id", id);
        json_object_object_add(p, "_only", json_object_new_string(id));
        sbx_webhook_emit(q->co, "ping", p);
        r->status = 204;
    } else if (sub && strcmp(sub, "activity") == 0 && strcmp(q->method, "GET") == 0) {
        json_object *m = json_object_new_array();
        size_t n = json_object_array_length(q->co->deliveries);
        for (size_t i = 0; i < n; i++) {
            json_object *d = json_object_array_get_idx(q->co->deliveries, i);
            if (strcmp(str_or(d, "webhook_id", ""), id) == 0)
                json_object_array_add(m, json_object_get(d));
        }
        respond_list(q, r, m, 100, 100, NULL);
    } else if (sub) {
        not_found(r);
    } else if (strcmp(q->method, "GET") == 0) {
        sbx_json(r, 200, webhook_out(q, w));
    } else if (strcmp(q->method, "PATCH") == 0) {
        json_object *in = json_body(q, r);
        if (!in)
            return;
        if (webhook_fields(w, in, why, sizeof why) < 0)
            unprocessable(r, why, why);
        else {
            touch(w, 0);
            sbx_json(r, 200, webhook_out(q, w));
        }
        json_object_put(in);
    } else if (strcmp(q->method, "DELETE") == 0) {
        json_object_array_del_idx(q->co->webhooks, (size_t)find_idx(q->co->webhooks, id), 1);
        r->status = 204;
    } else {
        method_not_allowed(r);
    }
}

/* ------------------------------------------------------------------ control API */

static json_object *company_summary(sbx_company *c)
{
    json_object *o = json_object_new_object();
    jset_str(o, "id", c->id);
    jset_str(o, "name", c->name);
    jset_str(o, "client_id", c->client_id);
    json_object_object_add(o, "persons", json_object_new_int64((int64_t)json_object_array_length(c->persons)));
    json_object_object_add(o, "absence_types", json_object_get(c->absence_types));
    json_object_object_add(o, "attributes", json_object_get(c->attributes));
    return o;
}

static void control(sbx_req *q, sbx_resp *r)
{
    const char *p = q->path + strlen("/_sandbox");
    json_object *in = parse_body(q);
    int post = strcmp(q->method, "POST") == 0;
    if (post && strcmp(p, "/reset") == 0) {
        const char *name = sbx_jstr(in, "company");
        if (name) {
            sbx_company *c = company_by_name(name);
            if (!c) {
                not_found(r);
            } else {
                drop_tokens_of(c);
                for (int i = 0; i < g_nco; i++)
                    if (g_co[i] == c) {
                        g_co[i] = g_co[--g_nco];
                        break;
                    }
                company_free(c);
                r->status = 204;
            }
        } else {
            sbx_free_all();
            r->status = 204;
        }
    } else if (post && strcmp(p, "/companies") == 0) {
        char why[256];
        sbx_company *c = in ? company_from_json(in, 0, why, sizeof why) : NULL;
        if (!in)
            bad_request(r, "Invalid request", "Invalid JSON");
        else if (!c)
            sbx_err_v2(r, strstr(why, "exists") ? 409 : 400, "Invalid company", why, "sandbox.company");
        else if (company_add(c) < 0) {
            company_free(c);
            sbx_err_v2(r, 500, "Internal server error", "out of memory", "common.internal_server_error");
        } else {
            json_object *seed = zs_json_at(in, "persons");
            size_t n = seed && json_object_is_type(seed, json_type_array) ? json_object_array_length(seed) : 0;
            int ok = 1;
            for (size_t i = 0; i < n && ok; i++)
                ok = person_create(c, json_object_array_get_idx(seed, i), r, NULL) == 0;
            long gen = long_or(in, "generate_persons", 0);
            for (long i = 0; i < gen && ok; i++) {
                json_object *pp = json_object_new_object();
                char fn[32], ln[32], em[200];
                snprintf(fn, sizeof fn, "Gen%ld", i);
                snprintf(ln, sizeof ln, "Person%ld", i);
                snprintf(em, sizeof em, "gen%ld@%s.example", i, c->name);
                jset_str(pp, "first_name", fn);
                jset_str(pp, "last_name", ln);
                jset_str(pp, "email", em);
                ok = person_create(c, pp, r, NULL) == 0;
                json_object_put(pp);
            }
            if (ok)
                sbx_json(r, 201, company_summary(c));
        }
    } else if (strcmp(q->method, "GET") == 0 && strcmp(p, "/companies") == 0) {
        json_object *a = json_object_new_array();
        for (int i = 0; i < g_nco; i++)
            json_object_array_add(a, company_summary(g_co[i]));
        sbx_json(r, 200, a);
    } else if (post && strcmp(p, "/faults") == 0) {
        if (!in || g_nfaults >= (int)(sizeof g_faults / sizeof *g_faults)) {
            bad_request(r, "Invalid request", in ? "Too many faults" : "Invalid JSON");
        } else {
            fault *f = &g_faults[g_nfaults];
            memset(f, 0, sizeof *f);
            snprintf(f->method, sizeof f->method, "%s", str_or(in, "method", ""));
            snprintf(f->prefix, sizeof f->prefix, "%s", str_or(in, "path_prefix", "/"));
            snprintf(f->company, sizeof f->company, "%s", str_or(in, "company", ""));
            f->count = (int)long_or(in, "count", 1);
            f->status = (int)long_or(in, "status", 0);
            f->delay_ms = long_or(in, "delay_ms", 0);
            f->drop = json_object_get_boolean(zs_json_at(in, "drop"));
            f->drop_after = json_object_get_boolean(zs_json_at(in, "drop_after"));
            snprintf(f->with_arg, sizeof f->with_arg, "%s", str_or(in, "with_arg", ""));
            snprintf(f->title, sizeof f->title, "%s", str_or(in, "title", ""));
            snprintf(f->detail, sizeof f->detail, "%s", str_or(in, "detail", ""));
            if (f->status == 0 && f->delay_ms == 0 && !f->drop && !f->drop_after)
                bad_request(r, "Invalid request", "A fault needs status, delay_ms or drop");
            else {
                g_nfaults++;
                r->status = 204;
            }
        }
    } else if (strcmp(q->method, "DELETE") == 0 && strcmp(p, "/faults") == 0) {
        g_nfaults = 0;
        r->status = 204;
    } else if (strcmp(p, "/requests") == 0 && (strcmp(q->method, "GET") == 0 || strcmp(q->method, "DELETE") == 0)) {
        int del = strcmp(q->method, "DELETE") == 0;
        const char *only = sbx_arg(q, "company");
        json_object *o = json_object_new_object(), *cs = json_object_new_object();
        long total = 0;
        for (int i = 0; i < g_nco; i++) {
            sbx_company *c = g_co[i];
            if (only && strcmp(only, c->name) != 0)
                continue;
            if (del) {
                json_object_put(c->counts);
                json_object_put(c->statuses);
                json_object_put(c->idents);
                c->counts = json_object_new_object();
                c->statuses = json_object_new_object();
                c->idents = json_object_new_object();
                continue;
            }
            json_object *e = json_object_new_object();
            json_object_object_foreach(c->counts, k, v)
            {
                (void)k;
                total += json_object_get_int64(v);
            }
            json_object_object_add(e, "requests", json_object_get(c->counts));
            json_object_object_add(e, "statuses", json_object_get(c->statuses));
            json_object_object_add(e, "identification", json_object_get(c->idents));
            json_object_object_add(cs, c->name, e);
        }
        if (del) {
            json_object_put(o);
            json_object_put(cs);
            r->status = 204;
        } else {
            json_object_object_add(o, "companies", cs);
            if (g_anon_counts && !only)
                json_object_object_add(o, "unauthenticated", json_object_get(g_anon_counts));
            json_object_object_add(o, "total", json_object_new_int64(total));
            sbx_json(r, 200, o);
        }
    } else if (post && strcmp(p, "/expire-tokens") == 0) {
        sbx_company *c = company_by_name(sbx_jstr(in, "company"));
        if (!c)
            not_found(r);
        else {
            for (int i = 0; i < g_ntok; i++)
                if (g_tok[i].co == c)
                    g_tok[i].expires = 0;
            r->status = 204;
        }
    } else if (post && strcmp(p, "/save") == 0) {
        if (!g_cfg.state_path[0])
            bad_request(r, "Invalid request", "started without --state");
        else if (sbx_state_save(g_cfg.state_path) < 0)
            sbx_err_v2(r, 500, "Internal server error", "could not write state", "common.internal_server_error");
        else
            r->status = 204;
    } else {
        not_found(r);
    }
    json_object_put(in);
}

/* ------------------------------------------------------------------ dispatch */

/* "/v2/persons/123/employments/9" -> "/v2/persons/{id}/employments/{id}" */
static void path_template(const char *path, char *out, size_t cap)
{
    size_t o = 0;
    int seg = 0;
    for (const char *p = path; *p && o + 5 < cap;) {
        if (*p == '/') {
            out[o++] = *p++;
            continue;
        }
        const char *end = strchr(p, '/');
        size_t n = end ? (size_t)(end - p) : strlen(p);
        int has_digit = 0;
        for (size_t i = 0; i < n; i++)
            if (isdigit((unsigned char)p[i]))
                has_digit = 1;
        if (seg > 0 && has_digit) {
            memcpy(out + o, "{id}", 4);
            o += 4;
        } else {
            size_t take = n < cap - o - 1 ? n : cap - o - 1;
            memcpy(out + o, p, take);
            o += take;
        }
        seg++;
        p += n;
    }
    out[o] = '\0';
}

static void count_status(sbx_company *c, int status)
{
    if (!c)
        return;
    char k[16];
    snprintf(k, sizeof k, "%d", status);
    zs_sbx_count(c->statuses, k);
}

static int family_of(const char *path)
{
    if (strncmp(path, "/v2/persons", 11) == 0)
        return FAM_PERSONS;
    if (strncmp(path, "/v2/attendance-periods", 22) == 0)
        return FAM_ATTENDANCE;
    if (strncmp(path, "/v2/absence", 11) == 0)
        return FAM_ABSENCE;
    return FAM_WEBHOOKS;
}

static const char *scope_family(int fam)
{
    switch (fam) {
    case FAM_PERSONS: return "persons";
    case FAM_ATTENDANCE: return "attendances";
    case FAM_ABSENCE: return "absences";
    default: return "webhooks";
    }
}

/* The gateway's token bucket: refill at rate, spend one token per request, 429 when empty. */
static int bucket_take(sbx_company *c, int fam, sbx_resp *r)
{
    sbx_rl *l = &g_cfg.rl[fam];
    if (l->rate <= 0)
        return 1;
    sbx_bucket *b = &c->bucket[fam];
    double now = sbx_now();
    if (b->tokens < 0) {
        b->tokens = l->burst;
        b->last = now;
    }
    b->tokens += (now - b->last) * l->rate;
    if (b->tokens > l->burst)
        b->tokens = l->burst;
    b->last = now;
    r->rl_set = 1;
    r->rl_rate = l->rate;
    r->rl_burst = l->burst;
    if (b->tokens < 1.0) {
        r->rl_remaining = 0;
        return 0;
    }
    b->tokens -= 1.0;
    r->rl_remaining = b->tokens;
    return 1;
}

static void count_request(sbx_company *c, const char *method, const char *path)
{
    char tmpl[300], key[320];
    path_template(path, tmpl, sizeof tmpl);
    snprintf(key, sizeof key, "%s %s", method, tmpl);
    json_object *counts = c ? c->counts : NULL;
    if (!c) {
        if (!g_anon_counts)
            g_anon_counts = json_object_new_object();
        counts = g_anon_counts;
    }
    zs_sbx_count(counts, key);
}

/* Personio asks integrations to identify themselves; tests check that zepsync does. */
static void count_idents(sbx_company *c, const sbx_req *q)
{
    const char *names[2] = {"X-Personio-Partner-ID", "X-Personio-App-ID"};
    const char *vals[2] = {q->partner_id, q->app_id};
    for (int i = 0; c && i < 2; i++) {
        if (!vals[i])
            continue;
        char key[200];
        snprintf(key, sizeof key, "%s: %.150s", names[i], vals[i]);
        zs_sbx_count(c->idents, key);
    }
}

static int fault_take(const sbx_req *q, sbx_company *c, fault *out)
{
    for (int i = 0; i < g_nfaults; i++) {
        fault *f = &g_faults[i];
        if (f->method[0] && strcasecmp(f->method, q->method) != 0)
            continue;
        if (strncmp(q->path, f->prefix, strlen(f->prefix)) != 0)
            continue;
        if (f->company[0] && (!c || strcmp(c->name, f->company) != 0))
            continue;
        if (f->with_arg[0] && !sbx_arg(q, f->with_arg))
            continue;
        *out = *f;
        if (--f->count <= 0) {
            g_faults[i] = g_faults[--g_nfaults];
        }
        return 1;
    }
    return 0;
}

static void fault_respond(sbx_resp *r, int status)
{
    switch (status) {
    case 500:
        sbx_err_v2(r, 500, "Internal server error",
                   "There was a problem while processing this request. Please try again later.",
                   "common.internal_server_error");
        break;
    case 502:
        sbx_err_v2(r, 502, "Bad gateway", "Bad gateway", "common.bad_gateway");
        break;
    case 503:
        sbx_err_v2(r, 503, "Service unavailable",
                   "The server is temporarily unavailable. Please try again later.",
                   "common.service_unavailable");
        break;
    case 504:
        sbx_err_v2(r, 504, "Gateway timeout", "Gateway timeout", "common.gateway_timeout");
        break;
    case 429:
        sbx_err_v2(r, 429, "Too many requests", "Rate limit exceeded", "common.too_many_requests");
        break;
    default:
        sbx_err_v2(r, status, "Injected fault", "Injected by /_sandbox/faults", "sandbox.fault");
    }
}

static void handle_inner(sbx_req *q, sbx_resp *r, long *delay_ms)
{
    *delay_ms = 0;
    if (strncmp(q->path, "/_sandbox/", 10) == 0) {
        control(q, r);
        return;
    }
    int is_auth = strcmp(q->path, "/v2/auth/token") == 0 || strcmp(q->path, "/v2/auth/revoke") == 0;
    token *t = NULL;
    sbx_company *c = NULL;
    if (is_auth) {
        char *body = strndup(q->body ? q->body : "", q->body_len);
        char *cid = body ? sbx_form_value(body, "client_id") : NULL;
        if (cid)
            c = company_by_client(cid);
        else if (body) {
            char *tok = sbx_form_value(body, "token");
            token *rt = token_find(tok);
            c = rt ? rt->co : NULL;
            free(tok);
        }
        free(cid);
        free(body);
    } else if (q->authorization && strncasecmp(q->authorization, "Bearer ", 7) == 0) {
        t = token_find(q->authorization + 7);
        if (t)
            c = t->co;
    }
    fault f;
    if (!q->resumed) {
        count_request(c, q->method, q->path);
        count_idents(c, q);
    }
    if (!q->resumed && fault_take(q, c, &f)) {
        if (f.drop) {
            r->drop = 1;
            return;
        }
        if (f.status && (f.title[0] || f.detail[0])) {
            sbx_err_v2(r, f.status, f.title[0] ? f.title : "Injected fault", f.detail, "sandbox.fault");
            count_status(c, r->status);
            return;
        }
        if (f.status) {
            fault_respond(r, f.status);
            if (f.status == 429)
                r->rl_set = 1, r->rl_rate = g_cfg.rl[family_of(q->path)].rate,
                r->rl_burst = g_cfg.rl[family_of(q->path)].burst, r->rl_remaining = 0;
            count_status(c, r->status);
            return;
        }
        /* the request takes effect, then the answer is lost: what a timeout looks like to clients */
        q->drop_after = f.drop_after;
        if (f.delay_ms > 0) {
            *delay_ms = f.delay_ms;
            return;
        }
    }
    if (strcmp(q->path, "/v2/auth/token") == 0 && strcmp(q->method, "POST") == 0) {
        handle_token(q, r);
        count_status(c, r->status);
        return;
    }
    if (strcmp(q->path, "/v2/auth/revoke") == 0 && strcmp(q->method, "POST") == 0) {
        handle_revoke(q, r);
        count_status(c, r->status);
        return;
    }
    if (strncmp(q->path, "/v2/", 4) != 0) {
        not_found(r);
        return;
    }
    if (!q->authorization || !*q->authorization) {
        sbx_err_v2(r, 401, "Unauthorized Request", "Authorization is not provided", "common.unauthorized");
        return;
    }
    if (!t || t->revoked || t->expires <= sbx_now()) {
        sbx_err_v2(r, 401, "Unauthorized Request", "Provided authorization is not valid",
                   "common.unauthorized");
        count_status(c, 401);
        return;
    }
    q->co = c;
    q->scopes = t->scopes;
    int fam = family_of(q->path);
    char want[96];
    snprintf(want, sizeof want, "personio:%s:%s", scope_family(fam),
             strcmp(q->method, "GET") == 0 ? "read" : "write");
    if (!has_scope(t->scopes, want) && fam == FAM_PERSONS && strcmp(q->method, "GET") == 0) {
        /* observed: reading persons without the scope answers 401, not 403 */
        sbx_err_v2(r, 401, "Unauthorized Request", "Unauthorized Request", "common.unauthorized");
        count_status(c, 401);
        return;
    }
    if (!has_scope(t->scopes, want)) {
        char det[160];
        snprintf(det, sizeof det, "The token lacks the scope %s", want);
        sbx_err_v2(r, 403, "Forbidden", det, "common.forbidden");
        count_status(c, 403);
        return;
    }
    if (!bucket_take(c, fam, r)) {
        sbx_err_v2(r, 429, "Too many requests", "Rate limit exceeded", "common.too_many_requests");
        count_status(c, 429);
        return;
    }
    /* Split the path into at most 4 segments after /v2. */
    char buf[512];
    snprintf(buf, sizeof buf, "%s", q->path + 4);
    char *seg[5] = {0};
    int ns = 0;
    for (char *save = NULL, *s = strtok_r(buf, "/", &save); s && ns < 5; s = strtok_r(NULL, "/", &save))
        seg[ns++] = s;
    if (ns >= 1 && strcmp(seg[0], "persons") == 0) {
        if (ns <= 2)
            persons(q, r, seg[1]);
        else if (strcmp(seg[2], "employments") == 0 && ns <= 4)
            employments(q, r, seg[1], seg[3]);
        else
            not_found(r);
    } else if (ns >= 1 && ns <= 2 && strcmp(seg[0], "attendance-periods") == 0) {
        attendance(q, r, seg[1]);
    } else if (ns >= 1 && ns <= 2 && strcmp(seg[0], "absence-periods") == 0) {
        absences(q, r, seg[1]);
    } else if (ns >= 1 && ns <= 2 && strcmp(seg[0], "absence-types") == 0) {
        absence_types(q, r, seg[1]);
    } else if (ns >= 1 && ns <= 3 && strcmp(seg[0], "webhooks") == 0) {
        webhooks(q, r, seg[1], seg[2]);
    } else {
        not_found(r);
    }
    count_status(c, r->status);
}

void sbx_record_delivery(const char *company, json_object *rec)
{
    sbx_company *c = company_by_name(company);
    if (!c) {
        json_object_put(rec);
        return;
    }
    /* keep the activity log bounded like Personio's 30-day window */
    if (json_object_array_length(c->deliveries) >= 500)
        json_object_array_del_idx(c->deliveries, 0, 1);
    json_object_array_add(c->deliveries, rec);
}

void sbx_handle(sbx_req *q, sbx_resp *r, long *delay_ms)
{
    handle_inner(q, r, delay_ms);
    if (*delay_ms == 0 && q->drop_after)
        r->drop = 1;
}

/* ------------------------------------------------------------------ state file */

int sbx_state_save(const char *path)
{
    json_object *all = json_object_new_array();
    for (int i = 0; i < g_nco; i++) {
        sbx_company *c = g_co[i];
        json_object *o = json_object_new_object();
        jset_str(o, "id", c->id);
        jset_str(o, "name", c->name);
        jset_str(o, "client_id", c->client_id);
        jset_str(o, "client_secret", c->client_secret);
        jset_str(o, "scopes", c->scopes);
        jset_str(o, "timezone", c->timezone);
        json_object_object_add(o, "approval_required", json_object_new_boolean(c->approval_required));
        json_object_object_add(o, "hide_attributes", json_object_new_boolean(c->hide_attributes));
        json_object_object_add(o, "token_ttl", json_object_new_int64(c->token_ttl_s));
        json_object_object_add(o, "next_id", json_object_new_int64(c->next_id));
        json_object_object_add(o, "attributes", json_object_get(c->attributes));
        json_object_object_add(o, "absence_types", json_object_get(c->absence_types));
        json_object_object_add(o, "persons", json_object_get(c->persons));
        json_object_object_add(o, "employments", json_object_get(c->employments));
        json_object_object_add(o, "attendance_periods", json_object_get(c->attendance));
        json_object_object_add(o, "absence_periods", json_object_get(c->absences));
        json_object_object_add(o, "webhooks", json_object_get(c->webhooks));
        json_object_array_add(all, o);
    }
    char tmp[1100];
    snprintf(tmp, sizeof tmp, "%s.tmp", path);
    int rc = json_object_to_file_ext(tmp, all, JSON_C_TO_STRING_PLAIN);
    json_object_put(all);
    if (rc != 0 || rename(tmp, path) != 0)
        return -1;
    return 0;
}

int sbx_state_load(const char *path)
{
    FILE *f = fopen(path, "r");
    if (!f)
        return 0; /* first start: nothing saved yet */
    fclose(f);
    json_object *all = json_object_from_file(path);
    if (!all || !json_object_is_type(all, json_type_array)) {
        json_object_put(all);
        return -1;
    }
    size_t n = json_object_array_length(all);
    for (size_t i = 0; i < n; i++) {
        char why[256];
        sbx_company *c = company_from_json(json_object_array_get_idx(all, i), 1, why, sizeof why);
        if (!c || company_add(c) < 0) {
            company_free(c);
            json_object_put(all);
            return -1;
        }
        long idn = atol(c->id);
        if (idn >= g_next_company)
            g_next_company = idn + 1;
    }
    json_object_put(all);
    return 0;
}
