/* REST "ZEP next" /{instance}/next/api/v1/... routes of the sandbox. */
#include "sandbox.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define MAX_SEGS 6

typedef struct rctx {
    sb_inst *in;
    const char *method;
    const char *subpath; /* "/employees/jdoe" */
    void *conn;
    const char *base_url; /* "http://host:port/inst/next/api/v1" */
    sb_resp *r;
    char *seg[MAX_SEGS];
    int nseg;
} rctx;

static void route_404(rctx *c)
{
    sb_resp_msg(c->r, 404, "The route %s/next/api/v1%s could not be found.", c->in->name, c->subpath);
}

static void not_allowed(rctx *c, const char *allowed)
{
    sb_resp_msg(c->r, 405, "The %s method is not supported for route %s/next/api/v1%s. Supported methods: %s.",
                c->method, c->in->name, c->subpath, allowed);
}

static void entity_404(rctx *c) { sb_resp_msg(c->r, 404, "Entity not found."); }

static void verr_resp(rctx *c, const sb_verr *ve)
{
    if (ve->status != 422) {
        sb_resp_msg(c->r, ve->status, "%s", ve->msg);
        return;
    }
    /* Laravel's validation shape: the first message, repeated per field under "errors". */
    json_object *o = json_object_new_object(), *errs = json_object_new_object(), *list = json_object_new_array();
    json_object_array_add(list, json_object_new_string(ve->msg));
    json_object_object_add(errs, ve->field[0] ? ve->field : "input", list);
    json_object_object_add(o, "message", json_object_new_string(ve->msg));
    json_object_object_add(o, "errors", errs);
    sb_resp_json(c->r, 422, o);
    json_object_put(o);
}

static int is_get(rctx *c) { return !strcmp(c->method, "GET") || !strcmp(c->method, "HEAD"); }

typedef json_object *(*render_fn)(sb_inst *in, json_object *stored);

static json_object *render_public(sb_inst *in, json_object *o)
{
    (void)in;
    return sb_public_copy(o);
}

/* Writes the Laravel LengthAwarePaginator envelope around items (consumed: an array of stored
 * objects); only the requested page is rendered. */
static void paginate(rctx *c, json_object *items, int honour_limit, render_fn render)
{
    long page = 1, limit = 15;
    const char *ps = sb_query(c->conn, "page"), *ls = sb_query(c->conn, "limit");
    if (ps) {
        char *end;
        page = strtol(ps, &end, 10);
        if (*end || page < 1)
            page = 1; /* Laravel falls back to the first page */
        if (page > 1000000000L)
            page = 1000000000L; /* far past the end either way; keeps (page - 1) * limit in range */
    }
    if (ls && honour_limit) {
        char *end;
        limit = strtol(ls, &end, 10);
        if (*end || !*ls || limit < 1 || limit > 100) {
            sb_verr ve;
            sb_verr_set(&ve, 422, "limit", "The limit must be an integer between 1 and 100.");
            verr_resp(c, &ve);
            json_object_put(items);
            return;
        }
    }
    long total = (long)json_object_array_length(items);
    long last = total ? (total + limit - 1) / limit : 1;
    long from = (page - 1) * limit;
    json_object *data = json_object_new_array();
    for (long i = from; i < total && i < from + limit; i++)
        json_object_array_add(data, render(c->in, json_object_array_get_idx(items, (size_t)i)));
    long n = (long)json_object_array_length(data);
    char path[1024], u[1100];
    snprintf(path, sizeof path, "%s%s", c->base_url, c->subpath);
#define PAGE_URL(p) (snprintf(u, sizeof u, "%s?page=%ld", path, (long)(p)), json_object_new_string(u))
    json_object *links = json_object_new_object();
    json_object_object_add(links, "first", PAGE_URL(1));
    json_object_object_add(links, "last", PAGE_URL(last));
    json_object_object_add(links, "prev", page > 1 ? PAGE_URL(page - 1) : NULL);
    json_object_object_add(links, "next", page < last ? PAGE_URL(page + 1) : NULL);

    /* meta.links: Laravel's UrlWindow with onEachSide = 3. */
    json_object *ml = json_object_new_array();
    json_object *l = json_object_new_object();
    json_object_object_add(l, "url", page > 1 ? PAGE_URL(page - 1) : NULL);
    json_object_object_add(l, "label", json_object_new_string("&laquo; Previous"));
    json_object_object_add(l, "active", json_object_new_boolean(0));
    json_object_array_add(ml, l);
    long ranges[3][2] = {{1, last}, {0, -1}, {0, -1}};
    if (last >= 14) {
        if (page <= 7) {
            ranges[0][0] = 1, ranges[0][1] = 10, ranges[1][0] = last - 1, ranges[1][1] = last;
        } else if (page > last - 7) {
            ranges[0][0] = 1, ranges[0][1] = 2, ranges[1][0] = last - 9, ranges[1][1] = last;
        } else {
            ranges[0][0] = 1, ranges[0][1] = 2, ranges[1][0] = page - 3, ranges[1][1] = page + 3;
            ranges[2][0] = last - 1, ranges[2][1] = last;
        }
    }
    for (int k = 0; k < 3; k++) {
        if (ranges[k][1] < ranges[k][0])
            continue;
        if (k > 0) {
            l = json_object_new_object();
            json_object_object_add(l, "url", NULL);
            json_object_object_add(l, "label", json_object_new_string("..."));
            json_object_object_add(l, "active", json_object_new_boolean(0));
            json_object_array_add(ml, l);
        }
        for (long p = ranges[k][0]; p <= ranges[k][1]; p++) {
            char lab[24];
            snprintf(lab, sizeof lab, "%ld", p);
            l = json_object_new_object();
            json_object_object_add(l, "url", PAGE_URL(p));
            json_object_object_add(l, "label", json_object_new_string(lab));
            json_object_object_add(l, "active", json_object_new_boolean(p == page));
            json_object_array_add(ml, l);
        }
    }
    l = json_object_new_object();
    json_object_object_add(l, "url", page < last ? PAGE_URL(page + 1) : NULL);
    json_object_object_add(l, "label", json_object_new_string("Next &raquo;"));
    json_object_object_add(l, "active", json_object_new_boolean(0));
    json_object_array_add(ml, l);
#undef PAGE_URL

    json_object *meta = json_object_new_object();
    json_object_object_add(meta, "current_page", json_object_new_int64(page));
    json_object_object_add(meta, "from", n ? json_object_new_int64(from + 1) : NULL);
    json_object_object_add(meta, "last_page", json_object_new_int64(last));
    json_object_object_add(meta, "links", ml);
    json_object_object_add(meta, "path", json_object_new_string(path));
    json_object_object_add(meta, "per_page", json_object_new_int64(limit));
    json_object_object_add(meta, "to", n ? json_object_new_int64(from + n) : NULL);
    json_object_object_add(meta, "total", json_object_new_int64(total));
    json_object *env = json_object_new_object();
    json_object_object_add(env, "data", data);
    json_object_object_add(env, "links", links);
    json_object_object_add(env, "meta", meta);
    sb_resp_json(c->r, 200, env);
    json_object_put(env);
    json_object_put(items);
}

static void single(rctx *c, int status, json_object *obj) /* consumes obj */
{
    json_object *env = json_object_new_object();
    json_object_object_add(env, "data", obj);
    sb_resp_json(c->r, status, env);
    json_object_put(env);
}

static json_object *parse_body(rctx *c, const char *body, size_t len)
{
    enum json_tokener_error jerr;
    json_object *o = NULL;
    if (len)
        o = json_tokener_parse_verbose(body, &jerr);
    if (!o || !json_object_is_type(o, json_type_object)) {
        json_object_put(o);
        sb_resp_msg(c->r, 400, "Invalid input");
        return NULL;
    }
    return o;
}

static int bad_date_filter(rctx *c, const char *name)
{
    const char *v = sb_query(c->conn, name);
    if (v && !sb_valid_date(v)) {
        sb_verr ve;
        sb_verr_set(&ve, 422, name, "The %s does not match the format Y-m-d.", name);
        verr_resp(c, &ve);
        return 1;
    }
    return 0;
}

/* ---------------------------------------------------------------- employees */

static void employees(rctx *c, const char *body, size_t len)
{
    sb_inst *in = c->in;
    if (c->nseg == 1) {
        if (is_get(c)) {
            json_object *want = sb_query_all(c->conn, "personal_number[]");
            const char *one = sb_query(c->conn, "personal_number");
            if (one && want)
                json_object_array_add(want, json_object_new_string(one));
            size_t nwant = want ? json_object_array_length(want) : 0;
            json_object *items = json_object_new_array(), *a = sb_arr(in, "employees");
            for (size_t i = 0; i < json_object_array_length(a); i++) {
                json_object *e = json_object_array_get_idx(a, i);
                int keep = nwant == 0;
                const char *pn = sb_jstr(e, "personal_number");
                for (size_t k = 0; !keep && pn && k < nwant; k++)
                    keep = !strcmp(pn, json_object_get_string(json_object_array_get_idx(want, k)));
                if (keep)
                    json_object_array_add(items, json_object_get(e));
            }
            json_object_put(want);
            paginate(c, items, 1, sb_emp_render);
        } else if (!strcmp(c->method, "POST")) {
            json_object *b = parse_body(c, body, len);
            if (!b)
                return;
            sb_verr ve;
            json_object *e = sb_emp_create(in, b, &ve);
            json_object_put(b);
            if (!e) {
                verr_resp(c, &ve);
                return;
            }
            /* Write responses echo plain strings where GET has {id,name} objects. */
            json_object *o = sb_emp_render(in, e);
            json_object *v;
            json_object_object_add(o, "id", json_object_new_int64(sb_jint(e, "_id", 0)));
            if (json_object_object_get_ex(e, "rights", &v))
                json_object_object_add(o, "rights", json_object_new_string(json_object_get_string(json_object_object_get(v, "id"))));
            if (json_object_object_get_ex(e, "employment", &v))
                json_object_object_add(o, "employment", json_object_new_string(json_object_get_string(json_object_object_get(v, "id"))));
            single(c, 201, o);
        } else {
            not_allowed(c, "GET, HEAD, POST");
        }
        return;
    }
    json_object *e = sb_emp_find(in, c->seg[1]);
    if (c->nseg == 2) {
        if (is_get(c)) {
            if (!e)
                return entity_404(c);
            json_object *o = sb_emp_render(in, e);
            long n = 0;
            json_object *a = sb_arr(in, "absences");
            for (size_t i = 0; i < json_object_array_length(a); i++)
                n += !strcmp(sb_jstr(json_object_array_get_idx(a, i), "employee_id"), c->seg[1]);
            json_object_object_add(o, "absences_count", json_object_new_int64(n));
            single(c, 200, o);
        } else if (!strcmp(c->method, "PUT")) {
            if (!e)
                return entity_404(c);
            json_object *b = parse_body(c, body, len);
            if (!b)
                return;
            sb_verr ve;
            json_object *res = sb_emp_replace(in, e, b, &ve);
            json_object_put(b);
            if (!res)
                return verr_resp(c, &ve);
            single(c, 200, sb_emp_render(in, e));
        } else {
            not_allowed(c, "GET, HEAD, PUT");
        }
        return;
    }
    const char *sub = c->seg[2];
    int periods = !strcmp(sub, "employment-periods"), rwt = !strcmp(sub, "regular-working-times"),
        abs = !strcmp(sub, "absences");
    if ((!periods && !rwt && !abs) || c->nseg > 4 || (abs && c->nseg > 3))
        return route_404(c);
    if (!e)
        return entity_404(c);
    const char *arr = periods ? "employment_periods" : rwt ? "regular_working_times" : "absences";
    if (c->nseg == 3) {
        if (is_get(c)) {
            if (abs && (bad_date_filter(c, "start_date") || bad_date_filter(c, "end_date")))
                return;
            const char *sd = abs ? sb_query(c->conn, "start_date") : NULL;
            const char *ed = abs ? sb_query(c->conn, "end_date") : NULL;
            json_object *items = json_object_new_array(), *a = sb_arr(in, arr);
            for (size_t i = 0; i < json_object_array_length(a); i++) {
                json_object *o = json_object_array_get_idx(a, i);
                if (strcmp(sb_jstr(o, "employee_id"), c->seg[1]))
                    continue;
                if (sd && strncmp(sb_jstr(o, "end_date"), sd, 10) < 0)
                    continue;
                if (ed && strncmp(sb_jstr(o, "start_date"), ed, 10) > 0)
                    continue;
                json_object_array_add(items, json_object_get(o));
            }
            /* observed quirk: the per-employee absence list ignores `limit` */
            paginate(c, items, !abs, abs ? sb_absence_render : render_public);
        } else if (!strcmp(c->method, "POST") && !abs) {
            json_object *b = parse_body(c, body, len);
            if (!b)
                return;
            sb_verr ve;
            json_object *o = periods ? sb_period_create(in, c->seg[1], b, &ve) : sb_rwt_create(in, c->seg[1], b, &ve);
            json_object_put(b);
            if (!o)
                return verr_resp(c, &ve);
            single(c, 201, sb_public_copy(o));
        } else {
            not_allowed(c, abs ? "GET, HEAD" : "GET, HEAD, POST");
        }
        return;
    }
    char *end;
    long long id = strtoll(c->seg[3], &end, 10);
    json_object *o = *end ? NULL : sb_find_id(in, arr, id);
    if (o && strcmp(sb_jstr(o, "employee_id"), c->seg[1]))
        o = NULL;
    if (is_get(c)) {
        if (!o)
            return entity_404(c);
        single(c, 200, sb_public_copy(o));
    } else if (!strcmp(c->method, "PUT") && periods) {
        if (!o)
            return entity_404(c);
        json_object *b = parse_body(c, body, len);
        if (!b)
            return;
        sb_verr ve;
        json_object *res = sb_period_update(in, o, b, &ve);
        json_object_put(b);
        if (!res)
            return verr_resp(c, &ve);
        single(c, 200, sb_public_copy(o));
    } else {
        not_allowed(c, periods ? "GET, HEAD, PUT" : "GET, HEAD");
    }
}

/* ---------------------------------------------------------------- attendances, absences */

static void dated_list(rctx *c, const char *arr, int overlap)
{
    if (bad_date_filter(c, "start_date") || bad_date_filter(c, "end_date"))
        return;
    const char *emp = sb_query(c->conn, "employee_id");
    const char *sd = sb_query(c->conn, "start_date"), *ed = sb_query(c->conn, "end_date");
    json_object *items = json_object_new_array(), *a = sb_arr(c->in, arr);
    for (size_t i = 0; i < json_object_array_length(a); i++) {
        json_object *o = json_object_array_get_idx(a, i);
        if (emp && strcmp(sb_jstr(o, "employee_id"), emp))
            continue;
        const char *s = sb_jstr(o, overlap ? "start_date" : "date");
        const char *e = sb_jstr(o, overlap ? "end_date" : "date");
        if (sd && strncmp(e, sd, 10) < 0)
            continue;
        if (ed && strncmp(s, ed, 10) > 0)
            continue;
        json_object_array_add(items, json_object_get(o));
    }
    paginate(c, items, 1, overlap ? sb_absence_render : render_public);
}

static void attendances(rctx *c, const char *body, size_t len)
{
    if (c->nseg == 1) {
        if (is_get(c))
            return dated_list(c, "attendances", 0);
        if (strcmp(c->method, "POST"))
            return not_allowed(c, "GET, HEAD, POST");
        json_object *b = parse_body(c, body, len);
        if (!b)
            return;
        sb_verr ve;
        json_object *o = sb_booking_create(c->in, b, &ve);
        json_object_put(b);
        if (!o)
            return verr_resp(c, &ve);
        json_object *arr = json_object_new_array(); /* POST answers with a one-element array */
        json_object_array_add(arr, sb_public_copy(o));
        single(c, 201, arr);
        return;
    }
    if (c->nseg > 2)
        return route_404(c);
    if (!is_get(c))
        return not_allowed(c, "GET, HEAD");
    char *end;
    long long id = strtoll(c->seg[1], &end, 10);
    json_object *o = *end ? NULL : sb_find_id(c->in, "attendances", id);
    if (!o)
        return entity_404(c);
    single(c, 200, sb_public_copy(o));
}

static void absences(rctx *c, const char *body, size_t len)
{
    if (c->nseg == 1) {
        if (is_get(c))
            return dated_list(c, "absences", 1);
        if (strcmp(c->method, "POST"))
            return not_allowed(c, "GET, HEAD, POST");
        json_object *b = parse_body(c, body, len);
        if (!b)
            return;
        /* v7.7 write body: type 1 = FULL_DAY (default), 2 = HOURS; approved = !planned */
        int64_t t = sb_jint(b, "type", 1);
        sb_verr ve;
        if (t != 1 && t != 2) {
            json_object_put(b);
            sb_verr_set(&ve, 422, "type", "The selected type is invalid.");
            return verr_resp(c, &ve);
        }
        int planned = sb_jbool(b, "planned", 0);
        json_object_object_add(b, "type", json_object_new_int(t == 2 ? 2 : 0));
        json_object_object_add(b, "approved", json_object_new_boolean(!planned));
        json_object *o = sb_absence_create(c->in, b, &ve);
        json_object_put(b);
        if (!o)
            return verr_resp(c, &ve);
        json_object *w = sb_public_copy(o);
        json_object_object_del(w, "approved");
        json_object_object_add(w, "type", json_object_new_int(t == 2 ? 2 : 1));
        json_object_object_add(w, "planned", json_object_new_int(planned));
        json_object_object_add(w, "leave_approval_application_id", NULL);
        single(c, 201, w);
        return;
    }
    if (c->nseg > 2)
        return route_404(c); /* /absences/{id}/approve etc. do not exist */
    if (!is_get(c))
        return not_allowed(c, "GET, HEAD");
    char *end;
    long long id = strtoll(c->seg[1], &end, 10);
    json_object *o = *end ? NULL : sb_find_id(c->in, "absences", id);
    if (!o)
        return entity_404(c);
    single(c, 200, sb_absence_render(c->in, o));
}

static int module_off(sb_inst *in, const char *seg)
{
    json_object *a;
    if (!json_object_object_get_ex(in->d, "modules_off", &a) || !json_object_is_type(a, json_type_array))
        return 0;
    for (size_t i = 0; i < json_object_array_length(a); i++)
        if (!strcmp(json_object_get_string(json_object_array_get_idx(a, i)), seg))
            return 1;
    return 0;
}

void sb_rest_handle(sb_inst *in, const char *method, const char *subpath, void *conn,
                    const char *body, size_t body_len, const char *base_url, sb_resp *r)
{
    rctx c = {.in = in, .method = method, .subpath = subpath, .conn = conn, .base_url = base_url, .r = r};
    char copy[1024];
    snprintf(copy, sizeof copy, "%s", subpath);
    char *save = NULL;
    for (char *t = strtok_r(copy, "/", &save); t; t = strtok_r(NULL, "/", &save)) {
        if (c.nseg == MAX_SEGS)
            return route_404(&c);
        c.seg[c.nseg++] = t;
    }
    if (c.nseg == 0 || module_off(in, c.seg[0]))
        return route_404(&c);
    if (!strcmp(c.seg[0], "employees"))
        employees(&c, body, body_len);
    else if (!strcmp(c.seg[0], "attendances"))
        attendances(&c, body, body_len);
    else if (!strcmp(c.seg[0], "absences"))
        absences(&c, body, body_len);
    else if (!strcmp(c.seg[0], "absence-reasons") && c.nseg == 1) {
        if (!is_get(&c))
            return not_allowed(&c, "GET, HEAD");
        json_object *items = json_object_new_array(), *a = sb_arr(in, "absence_reasons");
        for (size_t i = 0; items && i < json_object_array_length(a); i++)
            json_object_array_add(items, json_object_get(json_object_array_get_idx(a, i)));
        paginate(&c, items ? items : json_object_new_array(), 1, render_public);
    } else
        route_404(&c);
}
