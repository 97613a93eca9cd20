/*
 * zepsync-zep-sandbox: a local emulator of ZEP instances (REST "ZEP next" v1 and SOAP v10) with a
 * control API under /_sandbox/ for tests. See README.md for what is emulated and what is not.
 */
#include "sandbox.h"
#include "core/zs_json.h"
#include "zs_sbx.h"

#include <errno.h>
#include <getopt.h>
#include <microhttpd.h>
#include <pthread.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "log/zs_log.h"

#define MAX_BODY (4 * 1024 * 1024)

static pthread_mutex_t state_lock = PTHREAD_MUTEX_INITIALIZER;

typedef struct fault {
    char instance[64], method[16], path_prefix[256], soap_operation[64];
    int status;
    char *body;
    long delay_ms;
    int drop;       /* close the connection instead of answering */
    int drop_after; /* handle the request, then close without answering (a lost response) */
    long remaining;
} fault;

static fault *faults;
static size_t n_faults;

/* ---------------------------------------------------------------- response helpers */

void sb_resp_json(sb_resp *r, int status, json_object *o)
{
    r->status = status;
    r->ctype = "application/json";
    zs_buf_reset(&r->body);
    zs_buf_puts(&r->body, zs_json_text(o));
}

void sb_resp_msg(sb_resp *r, int status, const char *fmt, ...)
{
    char msg[1024];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(msg, sizeof msg, fmt, ap);
    va_end(ap);
    json_object *o = json_object_new_object();
    json_object_object_add(o, "message", json_object_new_string(msg));
    sb_resp_json(r, status, o);
    json_object_put(o);
}

static void resp_html_404(sb_resp *r)
{
    r->status = 404;
    r->ctype = "text/html; charset=UTF-8";
    zs_buf_reset(&r->body);
    zs_buf_puts(&r->body, "<!DOCTYPE html>\n<html><head><title>Page not found</title></head>"
                          "<body><h1>Page not found</h1><p>The requested page could not be found.</p>"
                          "</body></html>\n");
}

const char *sb_query(void *conn, const char *key)
{
    return MHD_lookup_connection_value((struct MHD_Connection *)conn, MHD_GET_ARGUMENT_KIND, key);
}

struct qall {
    const char *key;
    json_object *arr;
    int present;
};

static enum MHD_Result qall_it(void *cls, enum MHD_ValueKind kind, const char *k, const char *v)
{
    (void)kind;
    struct qall *q = cls;
    if (!strcmp(k, q->key)) {
        q->present = 1;
        if (v && q->arr)
            json_object_array_add(q->arr, json_object_new_string(v));
    }
    return MHD_YES;
}

json_object *sb_query_all(void *conn, const char *key)
{
    struct qall q = {key, json_object_new_array(), 0};
    MHD_get_connection_values((struct MHD_Connection *)conn, MHD_GET_ARGUMENT_KIND, qall_it, &q);
    return q.arr;
}

static int query_present(struct MHD_Connection *conn, const char *key)
{
    struct qall q = {key, NULL, 0};
    MHD_get_connection_values(conn, MHD_GET_ARGUMENT_KIND, qall_it, &q);
    return q.present;
}

/* ---------------------------------------------------------------- counts, faults, rate limit */

static void count(sb_inst *in, const char *key)
{
    zs_sbx_count(in->counts, key);
    in->total++;
}

/* "/employees/jdoe/employment-periods/7" → "/employees/{username}/employment-periods/{id}" */
static void rest_template(const char *sub, char *out, size_t cap)
{
    char copy[1024];
    snprintf(copy, sizeof copy, "%s", sub);
    out[0] = '\0';
    size_t len = 0;
    int i = 0, emp = 0;
    char *save = NULL;
    for (char *t = strtok_r(copy, "/", &save); t; t = strtok_r(NULL, "/", &save), i++) {
        if (i == 0)
            emp = !strcmp(t, "employees");
        const char *s = (i == 1) ? (emp ? "{username}" : "{id}") : (i == 3) ? "{id}" : t;
        if (len >= cap)
            break;
        len += (size_t)snprintf(out + len, cap - len, "/%s", s);
    }
    if (i == 0)
        snprintf(out, cap, "/");
}

/* Finds and consumes the first fault that matches; returns a copy in *out (body owned by out). */
static int take_fault(const char *inst, const char *method, const char *sub, const char *soap_op, fault *out)
{
    for (size_t i = 0; i < n_faults; i++) {
        fault *f = &faults[i];
        if (f->instance[0] && strcmp(f->instance, inst))
            continue;
        if (f->method[0] && strcasecmp(f->method, method))
            continue;
        if (f->path_prefix[0] && (!sub || strncmp(sub, f->path_prefix, strlen(f->path_prefix))))
            continue;
        if (f->soap_operation[0] && (!soap_op || strcmp(f->soap_operation, soap_op)))
            continue;
        *out = *f;
        out->body = f->body ? strdup(f->body) : NULL;
        if (--f->remaining <= 0) {
            free(f->body);
            memmove(f, f + 1, (n_faults - i - 1) * sizeof *f);
            n_faults--;
        }
        return 1;
    }
    return 0;
}

static void faults_clear(void)
{
    for (size_t i = 0; i < n_faults; i++)
        free(faults[i].body);
    free(faults);
    faults = NULL;
    n_faults = 0;
}

/* Rolling window per token; once over the limit every request is refused for the block time. */
static int rate_limited(sb_inst *in, sb_resp *r)
{
    int64_t now = sb_now_us();
    int64_t window = sb_jint(in->d, "rate_window_s", 300) * 1000000;
    int64_t block = sb_jint(in->d, "rate_block_s", 60) * 1000000;
    if (now < in->blocked_until_us) {
        sb_resp_msg(r, 429, "Too Many Attempts.");
        snprintf(r->retry_after, sizeof r->retry_after, "%lld",
                 (long long)((in->blocked_until_us - now + 999999) / 1000000));
        return 1;
    }
    while (in->ring_n > 0) {
        long tail = (in->ring_head - in->ring_n + in->ring_cap) % in->ring_cap;
        if (in->ring[tail] > now - window)
            break;
        in->ring_n--;
    }
    if (in->ring_n >= in->ring_cap) {
        in->blocked_until_us = now + block;
        in->ring_n = 0; /* the block replaces the window: afterwards the budget starts afresh */
        sb_resp_msg(r, 429, "Too Many Attempts.");
        snprintf(r->retry_after, sizeof r->retry_after, "%lld", (long long)(block / 1000000));
        return 1;
    }
    in->ring[in->ring_head] = now;
    in->ring_head = (in->ring_head + 1) % in->ring_cap;
    in->ring_n++;
    return 0;
}

/* ---------------------------------------------------------------- control API */

static json_object *parse_obj(const char *body, size_t len)
{
    json_object *o = len ? json_tokener_parse(body) : json_object_new_object();
    if (o && !json_object_is_type(o, json_type_object)) {
        json_object_put(o);
        return NULL;
    }
    return o;
}

static void seed(json_object *b, sb_resp *r)
{
    sb_inst *in = sb_inst_find(sb_jstr(b, "instance") ? sb_jstr(b, "instance") : "");
    if (!in)
        return sb_resp_msg(r, 404, "unknown instance");
    static const char *kinds[] = {"employees", "employment_periods", "regular_working_times", "attendances",
                                  "absences"};
    json_object *ids = json_object_new_object();
    for (int k = 0; k < 5; k++) {
        json_object *list, *out = json_object_new_array();
        json_object_object_add(ids, kinds[k], out);
        if (!json_object_object_get_ex(b, kinds[k], &list) || !json_object_is_type(list, json_type_array))
            continue;
        for (size_t i = 0; i < json_object_array_length(list); i++) {
            json_object *item = json_object_array_get_idx(list, i), *o = NULL;
            sb_verr ve;
            const char *user = sb_jstr(item, "employee_id");
            switch (k) {
            case 0: o = sb_emp_create(in, item, &ve); break;
            case 1: o = sb_emp_find(in, user) ? sb_period_create(in, user, item, &ve) : NULL; break;
            case 2: o = sb_emp_find(in, user) ? sb_rwt_create(in, user, item, &ve) : NULL; break;
            case 3: o = sb_booking_create(in, item, &ve); break;
            case 4: o = sb_absence_create(in, item, &ve); break;
            }
            if (!o) {
                if ((k == 1 || k == 2) && !sb_emp_find(in, user))
                    sb_verr_set(&ve, 422, "employee_id", "unknown employee");
                sb_resp_msg(r, ve.status, "%s[%zu]: %s", kinds[k], i, ve.msg);
                json_object_put(ids);
                return;
            }
            json_object_array_add(out, k == 0 ? json_object_new_string(sb_jstr(o, "username"))
                                              : json_object_new_int64(sb_jint(o, "id", 0)));
        }
    }
    json_object *res = json_object_new_object();
    json_object_object_add(res, "created", ids);
    sb_resp_json(r, 201, res);
    json_object_put(res);
}

static void add_fault(json_object *b, sb_resp *r)
{
    fault f = {0};
    snprintf(f.instance, sizeof f.instance, "%s", sb_jstr(b, "instance") ? sb_jstr(b, "instance") : "");
    snprintf(f.method, sizeof f.method, "%s", sb_jstr(b, "method") ? sb_jstr(b, "method") : "");
    snprintf(f.path_prefix, sizeof f.path_prefix, "%s", sb_jstr(b, "path_prefix") ? sb_jstr(b, "path_prefix") : "");
    snprintf(f.soap_operation, sizeof f.soap_operation, "%s",
             sb_jstr(b, "soap_operation") ? sb_jstr(b, "soap_operation") : "");
    f.status = (int)sb_jint(b, "status", 0);
    f.delay_ms = (long)sb_jint(b, "delay_ms", 0);
    f.drop = sb_jbool(b, "drop", 0);
    f.drop_after = sb_jbool(b, "drop_after", 0);
    f.remaining = (long)sb_jint(b, "count", 1);
    if ((f.status && (f.status < 100 || f.status > 599)) || f.delay_ms < 0 || f.remaining < 1 ||
        (!f.status && !f.delay_ms && !f.drop && !f.drop_after))
        return sb_resp_msg(r, 422, "a fault needs status 100-599, delay_ms > 0, drop or drop_after, and count >= 1");
    const char *body = sb_jstr(b, "body");
    if (body && !(f.body = strdup(body)))
        return sb_resp_msg(r, 500, "out of memory");
    fault *grown = realloc(faults, (n_faults + 1) * sizeof *faults);
    if (!grown) {
        free(f.body);
        return sb_resp_msg(r, 500, "out of memory");
    }
    faults = grown;
    faults[n_faults++] = f;
    sb_resp_msg(r, 201, "fault armed");
}

static void control(const char *method, const char *path, struct MHD_Connection *conn, const char *body,
                    size_t len, sb_resp *r)
{
    json_object *b = NULL;
    if (!strcmp(method, "POST") && !(b = parse_obj(body, len)))
        return sb_resp_msg(r, 400, "body must be a JSON object");
    if (!strcmp(path, "health")) {
        sb_resp_msg(r, 200, "ok");
    } else if (!strcmp(path, "reset") && b) {
        const char *name = sb_jstr(b, "instance");
        if (name) {
            sb_inst *in = sb_inst_find(name);
            if (!in)
                sb_resp_msg(r, 404, "unknown instance");
            else if (sb_inst_reset_data(in))
                sb_resp_msg(r, 500, "out of memory");
            else
                sb_resp_msg(r, 200, "instance reset");
        } else {
            sb_inst_reset_all();
            faults_clear();
            sb_resp_msg(r, 200, "sandbox reset");
        }
    } else if (!strcmp(path, "instances")) {
        if (b) {
            sb_verr ve;
            sb_inst *in = sb_inst_create(b, &ve);
            if (!in)
                sb_resp_msg(r, ve.status, "%s", ve.msg);
            else
                sb_resp_msg(r, 201, "instance %s created", in->name);
        } else if (!strcmp(method, "GET")) {
            json_object *o = json_object_new_object();
            json_object_object_add(o, "instances", sb_inst_list());
            sb_resp_json(r, 200, o);
            json_object_put(o);
        } else {
            sb_resp_msg(r, 405, "use GET or POST");
        }
    } else if (!strcmp(path, "seed") && b) {
        seed(b, r);
    } else if (!strcmp(path, "faults")) {
        if (b)
            add_fault(b, r);
        else if (!strcmp(method, "DELETE"))
            faults_clear(), sb_resp_msg(r, 200, "faults cleared");
        else
            sb_resp_msg(r, 405, "use POST or DELETE");
    } else if (!strcmp(path, "requests")) {
        const char *only = sb_query(conn, "instance");
        if (!strcmp(method, "DELETE")) {
            json_object *list = sb_inst_list();
            int hit = 0;
            for (size_t i = 0; i < json_object_array_length(list); i++) {
                sb_inst *in = sb_inst_find(json_object_get_string(json_object_array_get_idx(list, i)));
                if (only && strcmp(only, in->name))
                    continue;
                hit = 1;
                json_object_put(in->counts);
                json_object_put(in->statuses);
                in->counts = json_object_new_object();
                in->statuses = json_object_new_object();
                in->total = 0;
            }
            json_object_put(list);
            if (only && !hit)
                sb_resp_msg(r, 404, "unknown instance");
            else
                sb_resp_msg(r, 200, "counts cleared");
        } else {
            json_object *all = json_object_new_object(), *list = sb_inst_list();
            for (size_t i = 0; i < json_object_array_length(list); i++) {
                sb_inst *in = sb_inst_find(json_object_get_string(json_object_array_get_idx(list, i)));
                if (only && strcmp(only, in->name))
                    continue;
                json_object *o = json_object_new_object();
                json_object_object_add(o, "total", json_object_new_int64(in->total));
                json_object_object_add(o, "requests", json_object_get(in->counts));
                json_object_object_add(o, "statuses", json_object_get(in->statuses));
                json_object_object_add(all, in->name, o);
            }
            json_object_put(list);
            json_object *o = json_object_new_object();
            json_object_object_add(o, "instances", all);
            sb_resp_json(r, 200, o);
            json_object_put(o);
        }
    } else if (!strcmp(path, "clock")) {
        if (b)
            sb_clock_advance((int64_t)(sb_jdouble(b, "advance_s", 0) * 1e6));
        char ts[40];
        sb_fmt_soap_ts(sb_now_us(), ts, sizeof ts);
        json_object *o = json_object_new_object();
        json_object_object_add(o, "now", json_object_new_string(ts));
        sb_resp_json(r, 200, o);
        json_object_put(o);
    } else {
        sb_resp_msg(r, 404, "unknown control route /_sandbox/%s", path);
    }
    json_object_put(b);
}

/* ---------------------------------------------------------------- dispatch */

static void process(struct MHD_Connection *conn, const char *url, const char *method, const char *body,
                    size_t len, sb_resp *r)
{
    if (!strncmp(url, "/_sandbox/", 10)) {
        pthread_mutex_lock(&state_lock);
        control(method, url + 10, conn, body, len, r);
        pthread_mutex_unlock(&state_lock);
        return;
    }
    char name[64] = "";
    const char *rest = url + 1, *slash = strchr(rest, '/');
    size_t nlen = slash ? (size_t)(slash - rest) : strlen(rest);
    if (nlen == 0 || nlen >= sizeof name)
        return resp_html_404(r);
    memcpy(name, rest, nlen);
    rest += nlen;
    int is_rest = !strncmp(rest, "/next/api/v1", 12) && (rest[12] == '\0' || rest[12] == '/');
    int is_soap = !strcmp(rest, "/sync/soap.php");
    const char *sub = is_rest ? rest + 12 : NULL;
    char soap_op[64] = "";
    if (is_soap && !strcmp(method, "POST") && sb_soap_operation(body, len, soap_op, sizeof soap_op))
        snprintf(soap_op, sizeof soap_op, "?");

    pthread_mutex_lock(&state_lock);
    sb_inst *in = sb_inst_find(name);
    if (!in || (!is_rest && !is_soap)) {
        pthread_mutex_unlock(&state_lock);
        return resp_html_404(r);
    }
    char key[1200], tmpl[1024];
    if (is_rest) {
        rest_template(sub, tmpl, sizeof tmpl);
        snprintf(key, sizeof key, "%s %s", method, tmpl);
    } else {
        snprintf(key, sizeof key, "SOAP %s", soap_op[0] ? soap_op : method);
    }
    count(in, key);
    fault f;
    int faulted = take_fault(name, method, sub, soap_op[0] ? soap_op : NULL, &f);
    pthread_mutex_unlock(&state_lock);
    if (faulted) {
        if (f.delay_ms > 0) {
            struct timespec ts = {f.delay_ms / 1000, (f.delay_ms % 1000) * 1000000L};
            while (nanosleep(&ts, &ts) && errno == EINTR) {
            }
        }
        r->drop = f.drop_after; /* answer is computed below, then thrown away */
        if (f.drop || f.status) {
            r->drop = f.drop;
            if (f.status) {
                r->status = f.status;
                r->ctype = f.body && f.body[0] == '<' ? "text/xml; charset=utf-8" : "application/json";
                zs_buf_reset(&r->body);
                zs_buf_puts(&r->body, f.body ? f.body : "{\"message\":\"Injected fault\"}");
                if (f.status == 429)
                    snprintf(r->retry_after, sizeof r->retry_after, "1");
            }
            free(f.body);
            return;
        }
        free(f.body);
    }

    pthread_mutex_lock(&state_lock);
    in = sb_inst_find(name); /* a reset may have run while we slept */
    if (!in) {
        pthread_mutex_unlock(&state_lock);
        return resp_html_404(r);
    }
    if (is_rest) {
        const char *auth = MHD_lookup_connection_value(conn, MHD_HEADER_KIND, "Authorization");
        const char *tok = sb_jstr(in->d, "rest_token");
        if (!auth || strncasecmp(auth, "Bearer ", 7) || strcmp(auth + 7, tok)) {
            sb_resp_msg(r, 401, "Unauthenticated.");
        } else if (!rate_limited(in, r)) {
            const char *host = MHD_lookup_connection_value(conn, MHD_HEADER_KIND, "Host");
            char base[512];
            snprintf(base, sizeof base, "http://%s/%s/next/api/v1", host ? host : "localhost", name);
            sb_rest_handle(in, method, sub[0] ? sub : "/", conn, body, len, base, r);
        }
    } else {
        const char *host = MHD_lookup_connection_value(conn, MHD_HEADER_KIND, "Host");
        char endpoint[512];
        snprintf(endpoint, sizeof endpoint, "http://%s/%s/sync/soap.php?v=10", host ? host : "localhost", name);
        if (!strcmp(method, "GET") && query_present(conn, "wsdl"))
            sb_soap_wsdl(endpoint, r);
        else if (!strcmp(method, "POST"))
            sb_soap_handle(in, body, len, endpoint, r);
        else
            resp_html_404(r);
    }
    char st[16];
    snprintf(st, sizeof st, "%d", r->status);
    zs_sbx_count(in->statuses, st);
    pthread_mutex_unlock(&state_lock);
}

static enum MHD_Result on_request(void *cls, struct MHD_Connection *conn, const char *url, const char *method,
                                  const char *version, const char *upload, size_t *upload_size, void **con_cls)
{
    (void)cls, (void)version;
    zs_sbx_body *cc = NULL;
    int more = zs_sbx_body_collect(con_cls, upload, upload_size, MAX_BODY, &cc);
    if (more != 0)
        return more > 0 ? MHD_YES : MHD_NO;
    sb_resp r = {.status = 500, .ctype = "application/json"};
    zs_buf_init(&r.body);
    if (cc->too_big)
        sb_resp_msg(&r, 413, "Payload Too Large");
    else
        process(conn, url, method, cc->buf.data ? cc->buf.data : "", cc->buf.len, &r);
    if (r.drop || r.body.oom) {
        zs_buf_release(&r.body);
        return MHD_NO; /* closes the connection without an answer */
    }
    struct MHD_Response *resp =
        MHD_create_response_from_buffer(r.body.len, r.body.data ? r.body.data : (char *)"", MHD_RESPMEM_MUST_COPY);
    if (!resp) {
        zs_buf_release(&r.body);
        return MHD_NO;
    }
    MHD_add_response_header(resp, "Content-Type", r.ctype);
    if (r.retry_after[0])
        MHD_add_response_header(resp, "Retry-After", r.retry_after);
    enum MHD_Result ret = MHD_queue_response(conn, (unsigned)r.status, resp);
    MHD_destroy_response(resp);
    zs_buf_release(&r.body);
    return ret;
}

/* ---------------------------------------------------------------- main */

static void usage(FILE *f)
{
    fprintf(f,
            "usage: zepsync-zep-sandbox --listen HOST:PORT [options]\n"
            "  Emulates ZEP instances: REST /{instance}/next/api/v1/..., SOAP /{instance}/sync/soap.php?v=10,\n"
            "  control API /_sandbox/ (reset, instances, seed, faults, requests, clock).\n"
            "  --listen HOST:PORT     address to bind (PORT 0 = any free port)\n"
            "  --port-file FILE       write the base URL (http://HOST:PORT) to FILE once listening\n"
            "  --state FILE           load instances from FILE at start, save them there on SIGTERM/SIGINT\n"
            "  --instance N:REST:SOAP create instance N with the REST bearer and SOAP tokens (repeatable)\n"
            "  --rate-limit N         requests per window per token (default 1000)\n"
            "  --rate-window S        window in seconds (default 300)\n"
            "  --rate-block S         block after the limit is hit, seconds (default 60)\n"
            "  --log-level L          debug|info|warn|error (default info)\n"
            "  --help                 this text\n");
}

int main(int argc, char **argv)
{
    const char *listen_s = NULL, *port_file = NULL, *state = NULL, *level = "info";
    char **inst_specs = calloc((size_t)argc, sizeof *inst_specs);
    int n_specs = 0;
    if (!inst_specs)
        return 1;
    static struct option opts[] = {{"listen", 1, 0, 'l'},     {"port-file", 1, 0, 'p'}, {"state", 1, 0, 's'},
                                   {"instance", 1, 0, 'i'},   {"rate-limit", 1, 0, 'L'}, {"rate-window", 1, 0, 'W'},
                                   {"rate-block", 1, 0, 'B'}, {"log-level", 1, 0, 'v'}, {"help", 0, 0, 'h'},
                                   {0, 0, 0, 0}};
    int c;
    while ((c = getopt_long(argc, argv, "", opts, NULL)) != -1) {
        switch (c) {
        case 'l': listen_s = optarg; break;
        case 'p': port_file = optarg; break;
        case 's': state = optarg; break;
        case 'i': inst_specs[n_specs++] = optarg; break;
        case 'L': sb_default_rate_limit = atol(optarg); break;
        case 'W': sb_default_rate_window_s = atol(optarg); break;
        case 'B': sb_default_rate_block_s = atol(optarg); break;
        case 'v': level = optarg; break;
        case 'h': usage(stdout); free(inst_specs); return 0;
        default: usage(stderr); free(inst_specs); return 2;
        }
    }
    int lvl = zs_log_level_parse(level);
    if (!listen_s || optind != argc || lvl < 0 || sb_default_rate_limit < 1 || sb_default_rate_window_s < 1 ||
        sb_default_rate_block_s < 0) {
        usage(stderr);
        free(inst_specs);
        return 2;
    }
    zs_log_init("zep-sandbox", (zs_log_level)lvl);
    char host[256];
    struct sockaddr_in sa;
    int bad = zs_sbx_listen_parse(listen_s, host, sizeof host, &sa);
    if (bad) {
        if (bad == -2)
            fprintf(stderr, "zepsync-zep-sandbox: bad IPv4 address %s\n", host);
        else
            fprintf(stderr, "zepsync-zep-sandbox: --listen wants HOST:PORT\n");
        free(inst_specs);
        return 2;
    }
    if (state && sb_state_load(state) < 0) {
        zs_error("cannot load state file %s", state);
        free(inst_specs);
        return 1;
    }
    for (int i = 0; i < n_specs; i++) {
        char buf[512];
        snprintf(buf, sizeof buf, "%s", inst_specs[i]);
        char *rt = strchr(buf, ':'), *st = rt ? strchr(rt + 1, ':') : NULL;
        if (!st) {
            fprintf(stderr, "zepsync-zep-sandbox: --instance wants NAME:REST_TOKEN:SOAP_TOKEN\n");
            free(inst_specs);
            return 2;
        }
        *rt++ = '\0';
        *st++ = '\0';
        if (sb_inst_find(buf))
            continue; /* already loaded from --state */
        json_object *spec = json_object_new_object();
        json_object_object_add(spec, "name", json_object_new_string(buf));
        json_object_object_add(spec, "rest_token", json_object_new_string(rt));
        json_object_object_add(spec, "soap_token", json_object_new_string(st));
        sb_verr ve;
        sb_inst *in = sb_inst_create(spec, &ve);
        json_object_put(spec);
        if (!in) {
            fprintf(stderr, "zepsync-zep-sandbox: instance %s: %s\n", buf, ve.msg);
            free(inst_specs);
            return 2;
        }
    }
    free(inst_specs);

    zs_sbx_server srv;
    if (zs_sbx_signals_block(&srv) < 0) {
        zs_error("cannot block the stop signals");
        sb_inst_free_all();
        return 1;
    }
    sb_soap_init();
    int started = zs_sbx_server_start(&srv, host, &sa, 120u, on_request, NULL, port_file);
    if (started < 0) {
        if (started == -2)
            zs_error("cannot write port file %s", port_file);
        else
            zs_error("cannot listen on %s", listen_s);
        sb_inst_free_all();
        return 1;
    }
    zs_info("listening on %s", srv.url);
    int sig = zs_sbx_server_wait(&srv);
    zs_info("signal %d: stopping", sig);
    zs_sbx_server_stop(&srv);
    int rc = 0;
    if (state && sb_state_save(state) != 0) {
        zs_error("cannot save state to %s", state);
        rc = 1;
    }
    sb_inst_free_all();
    faults_clear();
    sb_soap_cleanup();
    return rc;
}
