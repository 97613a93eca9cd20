/* SOAP v10 (/{instance}/sync/soap.php?v=10): document/literal, unqualified child elements. */
#include "sandbox.h"

#include <libxml/parser.h>
#include <libxml/tree.h>
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define SOAP_ENV_NS "http://schemas.xmlsoap.org/soap/envelope/"
#define ZEP_NS "http://zep.provantis.de"

/* ---------------------------------------------------------------- reading */

static xmlNode *child(xmlNode *n, const char *name)
{
    for (xmlNode *c = n ? n->children : NULL; c; c = c->next)
        if (c->type == XML_ELEMENT_NODE && !strcmp((const char *)c->name, name))
            return c;
    return NULL;
}

/* Text of child `name`; returns 1 when the element is present and non-empty. */
static int ctext(xmlNode *n, const char *name, char *out, size_t cap)
{
    xmlNode *c = child(n, name);
    out[0] = '\0';
    if (!c)
        return 0;
    xmlChar *t = xmlNodeGetContent(c);
    if (!t)
        return 0;
    /* trim surrounding whitespace: pretty-printed requests are common */
    const char *s = (const char *)t;
    while (*s == ' ' || *s == '\n' || *s == '\r' || *s == '\t')
        s++;
    snprintf(out, cap, "%s", s);
    size_t l = strlen(out);
    while (l && (out[l - 1] == ' ' || out[l - 1] == '\n' || out[l - 1] == '\r' || out[l - 1] == '\t'))
        out[--l] = '\0';
    xmlFree(t);
    return out[0] != '\0';
}

static xmlDoc *parse(const char *body, size_t len)
{
    if (!len || len > (size_t)INT32_MAX)
        return NULL;
    return xmlReadMemory(body, (int)len, "request.xml", NULL, XML_PARSE_NONET | XML_PARSE_NOERROR | XML_PARSE_NOWARNING);
}

static int is_soap(xmlNode *n, const char *name)
{
    return n && n->type == XML_ELEMENT_NODE && !strcmp((const char *)n->name, name) && n->ns &&
           !strcmp((const char *)n->ns->href, SOAP_ENV_NS);
}

static xmlNode *request_element(xmlDoc *doc, xmlNode **header)
{
    xmlNode *env = doc ? xmlDocGetRootElement(doc) : NULL;
    if (!is_soap(env, "Envelope"))
        return NULL;
    xmlNode *body = NULL;
    for (xmlNode *c = env->children; c; c = c->next) {
        if (is_soap(c, "Body"))
            body = c;
        else if (is_soap(c, "Header") && header)
            *header = c;
    }
    for (xmlNode *c = body ? body->children : NULL; c; c = c->next)
        if (c->type == XML_ELEMENT_NODE)
            return c;
    return NULL;
}

static int op_name(xmlNode *req, char *out, size_t cap)
{
    const char *n = (const char *)req->name;
    size_t l = strlen(n);
    if (l <= 7 || strcmp(n + l - 7, "Request") || l - 7 >= cap || !req->ns || strcmp((const char *)req->ns->href, ZEP_NS))
        return -1;
    memcpy(out, n, l - 7);
    out[l - 7] = '\0';
    out[0] = (char)(out[0] >= 'A' && out[0] <= 'Z' ? out[0] + 32 : out[0]);
    return 0;
}

int sb_soap_operation(const char *body, size_t len, char *out, size_t cap)
{
    xmlDoc *doc = parse(body, len);
    xmlNode *req = request_element(doc, NULL);
    int rc = req ? op_name(req, out, cap) : -1;
    xmlFreeDoc(doc);
    return rc;
}

/* ---------------------------------------------------------------- writing */

typedef struct out {
    xmlDoc *doc;
    xmlNode *body;
    xmlNode *resp;
} out;

static xmlNode *add(out *o, xmlNode *parent, const char *name, const char *text)
{
    xmlNode *n = xmlNewDocRawNode(o->doc, NULL, (const xmlChar *)name, (const xmlChar *)text);
    if (n)
        xmlAddChild(parent, n);
    return n;
}

static void addf(out *o, xmlNode *parent, const char *name, const char *fmt, ...) __attribute__((format(printf, 4, 5)));
static void addf(out *o, xmlNode *parent, const char *name, const char *fmt, ...)
{
    char buf[512];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(buf, sizeof buf, fmt, ap);
    va_end(ap);
    add(o, parent, name, buf);
}

static int out_begin(out *o)
{
    o->doc = xmlNewDoc((const xmlChar *)"1.0");
    if (!o->doc)
        return -1;
    xmlNode *env = xmlNewDocNode(o->doc, NULL, (const xmlChar *)"Envelope", NULL);
    xmlNs *ns = xmlNewNs(env, (const xmlChar *)SOAP_ENV_NS, (const xmlChar *)"SOAP-ENV");
    xmlSetNs(env, ns);
    xmlDocSetRootElement(o->doc, env);
    o->body = xmlNewChild(env, ns, (const xmlChar *)"Body", NULL);
    return o->body ? 0 : -1;
}

static xmlNode *out_response(out *o, const char *op, const char *code, const char *msg)
{
    char name[96];
    snprintf(name, sizeof name, "%c%sResponse", op[0] >= 'a' && op[0] <= 'z' ? op[0] - 32 : op[0], op + 1);
    o->resp = xmlNewDocNode(o->doc, NULL, (const xmlChar *)name, NULL);
    xmlNs *ns = xmlNewNs(o->resp, (const xmlChar *)ZEP_NS, (const xmlChar *)"ns1");
    xmlSetNs(o->resp, ns);
    xmlAddChild(o->body, o->resp);
    xmlNode *h = add(o, o->resp, "responseHeader", NULL);
    add(o, h, "version", "10.0");
    add(o, h, "returnCode", code);
    if (msg)
        add(o, h, "message", msg);
    return o->resp;
}

static void out_finish(out *o, int status, sb_resp *r)
{
    xmlChar *mem = NULL;
    int n = 0;
    xmlDocDumpMemoryEnc(o->doc, &mem, &n, "UTF-8");
    r->status = status;
    r->ctype = "text/xml; charset=utf-8";
    zs_buf_reset(&r->body);
    if (mem)
        zs_buf_append(&r->body, mem, (size_t)n);
    else
        r->body.oom = 1;
    xmlFree(mem);
    xmlFreeDoc(o->doc);
    o->doc = NULL;
}

/* A read answer: envelope, response header with return code 0, and the empty list to fill. NULL
 * (and r marked out of memory) when libxml2 could not allocate. */
static xmlNode *list_begin(out *o, const char *op, const char *list_name, sb_resp *r)
{
    xmlNode *list = NULL;
    if (out_begin(o) == 0)
        list = add(o, out_response(o, op, "0", NULL), list_name, NULL);
    if (!list) {
        xmlFreeDoc(o->doc);
        o->doc = NULL;
        r->body.oom = 1;
    }
    return list;
}

/* The list's length attribute is its item count, as ZEP writes it. */
static void list_finish(out *o, xmlNode *list, long n, sb_resp *r)
{
    char buf[32];
    snprintf(buf, sizeof buf, "%ld", n);
    xmlNewProp(list, (const xmlChar *)"length", (const xmlChar *)buf);
    out_finish(o, 200, r);
}

static void fault(sb_resp *r, const char *code, const char *msg)
{
    out o = {0};
    if (out_begin(&o)) {
        r->body.oom = 1;
        return;
    }
    xmlNode *f = xmlNewChild(o.body, o.body->ns, (const xmlChar *)"Fault", NULL);
    addf(&o, f, "faultcode", "SOAP-ENV:%s", code);
    add(&o, f, "faultstring", msg);
    out_finish(&o, 500, r);
}

static void business_error(sb_resp *r, const char *op, const char *code, const char *msg)
{
    out o = {0};
    if (out_begin(&o)) {
        r->body.oom = 1;
        return;
    }
    out_response(&o, op, code, msg);
    out_finish(&o, 200, r);
}

/* ---------------------------------------------------------------- mapping */

static void soap_ts(json_object *o, const char *key, char *buf, size_t cap)
{
    int64_t us = sb_jint(o, key, 0);
    if (us)
        sb_fmt_soap_ts(us, buf, cap);
    else
        buf[0] = '\0';
}

static void put_booking(out *o, xmlNode *list, json_object *b)
{
    xmlNode *p = add(o, list, "projektzeiten", NULL);
    char buf[64];
    addf(o, p, "id", "%lld", (long long)sb_jint(b, "id", 0));
    add(o, p, "userId", sb_jstr(b, "employee_id"));
    addf(o, p, "datum", "%.10s", sb_jstr(b, "date"));
    addf(o, p, "von", "%.5s", sb_jstr(b, "from"));
    addf(o, p, "bis", "%.5s", sb_jstr(b, "to"));
    long mins = lround(sb_jdouble(b, "duration", 0) * 60);
    addf(o, p, "dauer", "%02ld:%02ld", mins / 60, mins % 60);
    add(o, p, "istFakturierbar", sb_jbool(b, "billable", 0) ? "true" : "false");
    if (sb_jstr(b, "note"))
        add(o, p, "bemerkung", sb_jstr(b, "note"));
    json_object *v;
    static const char *refs[][2] = {{"project_id", "projektNr"}, {"project_task_id", "vorgangNr"}, {"activity_id", "taetigkeit"}};
    for (int i = 0; i < 3; i++)
        if (json_object_object_get_ex(b, refs[i][0], &v) && v)
            add(o, p, refs[i][1], json_object_get_string(v));
    soap_ts(b, "_cre", buf, sizeof buf);
    add(o, p, "created", buf);
    soap_ts(b, "_mod", buf, sizeof buf);
    add(o, p, "modified", buf);
}

/* SOAP projektzeit → REST-named fields for the store; only the elements present. */
static json_object *booking_in(xmlNode *p)
{
    static const char *map[][2] = {{"userId", "employee_id"}, {"datum", "date"}, {"von", "from"}, {"bis", "to"},
                                   {"bemerkung", "note"}, {"projektNr", "project_id"}, {"vorgangNr", "project_task_id"},
                                   {"taetigkeit", "activity_id"}, {"istFakturierbar", "billable"}};
    json_object *b = json_object_new_object();
    char buf[1024];
    for (size_t i = 0; b && i < sizeof map / sizeof *map; i++)
        if (ctext(p, map[i][0], buf, sizeof buf))
            json_object_object_add(b, map[i][1], json_object_new_string(buf));
    int h, m, n = 0;
    if (b && ctext(p, "dauer", buf, sizeof buf) && sscanf(buf, "%d:%2d%n", &h, &m, &n) == 2 && !buf[n])
        json_object_object_add(b, "duration", json_object_new_double(h + m / 60.0));
    return b;
}

static void put_absence(out *o, xmlNode *list, json_object *a)
{
    xmlNode *f = add(o, list, "fehlzeit", NULL);
    char buf[64];
    int64_t type = sb_jint(a, "type", 0);
    addf(o, f, "id", "%lld", (long long)sb_jint(a, "id", 0));
    add(o, f, "userId", sb_jstr(a, "employee_id"));
    addf(o, f, "startdatum", "%.10s", sb_jstr(a, "start_date"));
    addf(o, f, "enddatum", "%.10s", sb_jstr(a, "end_date"));
    add(o, f, "fehlgrund", sb_jstr(a, "absence_reason_id"));
    add(o, f, "istHalberTag", type == 1 ? "true" : "false");
    if (type == 2 && sb_jstr(a, "from")) {
        addf(o, f, "vonZeit", "%.5s", sb_jstr(a, "from"));
        addf(o, f, "bisZeit", "%.5s", sb_jstr(a, "to"));
    }
    if (sb_jstr(a, "timezone"))
        add(o, f, "timezone", sb_jstr(a, "timezone"));
    add(o, f, "genehmigt", sb_jbool(a, "approved", 1) ? "true" : "false");
    if (sb_jstr(a, "note"))
        add(o, f, "bemerkung", sb_jstr(a, "note"));
    soap_ts(a, "_cre", buf, sizeof buf);
    add(o, f, "created", buf);
    soap_ts(a, "_mod", buf, sizeof buf);
    add(o, f, "modified", buf);
}

static json_object *absence_in(xmlNode *f, json_object *existing)
{
    static const char *map[][2] = {{"userId", "employee_id"}, {"startdatum", "start_date"}, {"enddatum", "end_date"},
                                   {"fehlgrund", "absence_reason_id"}, {"bemerkung", "note"}, {"timezone", "timezone"},
                                   {"genehmigt", "approved"}};
    json_object *b = json_object_new_object();
    char buf[1024];
    for (size_t i = 0; b && i < sizeof map / sizeof *map; i++)
        if (ctext(f, map[i][0], buf, sizeof buf))
            json_object_object_add(b, map[i][1], json_object_new_string(buf));
    if (!b)
        return NULL;
    char von[16], bis[16], half[16];
    int has_von = ctext(f, "vonZeit", von, sizeof von), has_bis = ctext(f, "bisZeit", bis, sizeof bis);
    int has_half = ctext(f, "istHalberTag", half, sizeof half);
    int is_half = has_half && (!strcmp(half, "true") || !strcmp(half, "1"));
    if (has_von || has_bis) {
        json_object_object_add(b, "type", json_object_new_int(2));
        json_object_object_add(b, "from", has_von ? json_object_new_string(von) : NULL);
        json_object_object_add(b, "to", has_bis ? json_object_new_string(bis) : NULL);
        json_object_object_add(b, "hours", NULL);
    } else if (has_half || !existing) {
        json_object_object_add(b, "type", json_object_new_int(is_half ? 1 : 0));
        json_object_object_add(b, "from", NULL);
        json_object_object_add(b, "to", NULL);
        json_object_object_add(b, "hours", NULL);
    }
    return b;
}

/* ---------------------------------------------------------------- operations */

static int in_list(xmlNode *list, const char *elem, const char *value)
{
    int any = 0;
    for (xmlNode *c = list ? list->children : NULL; c; c = c->next) {
        if (c->type != XML_ELEMENT_NODE || strcmp((const char *)c->name, elem))
            continue;
        any = 1;
        xmlChar *t = xmlNodeGetContent(c);
        int eq = t && value && !strcmp((const char *)t, value);
        xmlFree(t);
        if (eq)
            return 1;
    }
    return !any; /* an empty list does not filter */
}

static int since_filter(xmlNode *crit, const char *name, int64_t *us, sb_resp *r)
{
    char buf[64];
    if (!ctext(crit, name, buf, sizeof buf))
        return 0;
    if (sb_parse_soap_ts(buf, us)) {
        fault(r, "Client", "invalid IsoDateTime in search criteria");
        return -1;
    }
    return 1;
}

static void op_read_mitarbeiter(sb_inst *in, xmlNode *req, sb_resp *r)
{
    xmlNode *crit = child(req, "readMitarbeiterSearchCriteria");
    char user[128] = "", email[256] = "", von[16] = "", bis[16] = "";
    int64_t since = 0;
    int has_since = since_filter(crit, "modifiedSince", &since, r);
    if (has_since < 0)
        return;
    ctext(crit, "userId", user, sizeof user);
    ctext(crit, "email", email, sizeof email);
    ctext(crit, "von", von, sizeof von);
    ctext(crit, "bis", bis, sizeof bis);
    out o = {0};
    xmlNode *list = list_begin(&o, "readMitarbeiter", "mitarbeiterListe", r);
    if (!list)
        return;
    json_object *a = sb_arr(in, "employees"), *periods = sb_arr(in, "employment_periods");
    long n = 0;
    for (size_t i = 0; i < json_object_array_length(a); i++) {
        json_object *e = json_object_array_get_idx(a, i);
        const char *u = sb_jstr(e, "username");
        if ((user[0] && strcmp(user, u)) || (email[0] && strcasecmp(email, sb_jstr(e, "email"))) ||
            (has_since && sb_jint(e, "_mod", 0) < since))
            continue;
        int employed = !von[0] && !bis[0];
        for (size_t k = 0; !employed && k < json_object_array_length(periods); k++) {
            json_object *p = json_object_array_get_idx(periods, k);
            const char *ps = sb_jstr(p, "start_date"), *pe = sb_jstr(p, "end_date");
            employed = !strcmp(sb_jstr(p, "employee_id"), u) && (!bis[0] || strncmp(ps, bis, 10) <= 0) &&
                       (!von[0] || !pe || strncmp(pe, von, 10) >= 0);
        }
        if (!employed)
            continue;
        n++;
        xmlNode *m = add(&o, list, "mitarbeiter", NULL);
        static const char *map[][2] = {{"username", "userId"}, {"lastname", "nachname"}, {"firstname", "vorname"},
                                       {"email", "email"}, {"personal_number", "personalNr"},
                                       {"abbreviation", "kurzzeichen"}, {"cost_bearer", "kostentraeger"},
                                       {"price_group", "preisgruppe"}, {"personio_id", "personioId"}};
        for (size_t k = 0; k < sizeof map / sizeof *map; k++)
            if (sb_jstr(e, map[k][0]))
                add(&o, m, map[k][1], sb_jstr(e, map[k][0]));
        json_object *v;
        if (json_object_object_get_ex(e, "employment", &v) && v)
            addf(&o, m, "freelancer", "%lld", (long long)sb_jint(v, "id", 0));
        if (json_object_object_get_ex(e, "rights", &v) && v)
            addf(&o, m, "rechte", "%lld", (long long)sb_jint(v, "id", 0));
        xmlNode *pl = add(&o, m, "beschaeftigungszeitListe", NULL);
        long np = 0;
        for (size_t k = 0; k < json_object_array_length(periods); k++) {
            json_object *p = json_object_array_get_idx(periods, k);
            if (strcmp(sb_jstr(p, "employee_id"), u))
                continue;
            np++;
            xmlNode *b = add(&o, pl, "beschaeftigungszeit", NULL);
            addf(&o, b, "id", "%lld", (long long)sb_jint(p, "id", 0));
            add(&o, b, "userId", u);
            addf(&o, b, "startdatum", "%.10s", sb_jstr(p, "start_date"));
            if (sb_jstr(p, "end_date"))
                addf(&o, b, "enddatum", "%.10s", sb_jstr(p, "end_date"));
        }
        char buf[64];
        snprintf(buf, sizeof buf, "%ld", np);
        xmlNewProp(pl, (const xmlChar *)"length", (const xmlChar *)buf);
        soap_ts(e, "_cre", buf, sizeof buf);
        add(&o, m, "created", buf);
        soap_ts(e, "_mod", buf, sizeof buf);
        add(&o, m, "modified", buf);
    }
    list_finish(&o, list, n, r);
}

static void op_read_projektzeiten(sb_inst *in, xmlNode *req, sb_resp *r)
{
    xmlNode *crit = child(req, "readProjektzeitenSearchCriteria");
    if (!crit)
        return fault(r, "Client", "readProjektzeitenSearchCriteria is mandatory");
    char von[16] = "", bis[16] = "", idb[32] = "", fak[8] = "";
    int hv = ctext(crit, "von", von, sizeof von), hb = ctext(crit, "bis", bis, sizeof bis);
    int hid = ctext(crit, "id", idb, sizeof idb);
    ctext(crit, "fakturierbar", fak, sizeof fak);
    int64_t msince = 0, csince = 0;
    int hm = since_filter(crit, "modifiedSince", &msince, r);
    if (hm < 0)
        return;
    int hc = since_filter(crit, "createdSince", &csince, r);
    if (hc < 0)
        return;
    xmlNode *users = child(crit, "userIdListe"), *projects = child(crit, "projektNrListe");
    if (hv != hb || (hv && (!sb_valid_date(von) || !sb_valid_date(bis))))
        return fault(r, "Client", "von and bis must both be given as IsoDate");
    if (!hv && !hid && !hm && !hc && !users && !projects)
        return fault(r, "Client", "von and bis are mandatory when no other criterion is given");
    out o = {0};
    xmlNode *list = list_begin(&o, "readProjektzeiten", "projektzeitListe", r);
    if (!list)
        return;
    json_object *a = sb_arr(in, "attendances");
    long n = 0, want_id = hid ? atol(idb) : 0, billable = fak[0] ? atol(fak) : 0;
    for (size_t i = 0; i < json_object_array_length(a); i++) {
        json_object *b = json_object_array_get_idx(a, i);
        const char *d = sb_jstr(b, "date");
        json_object *pid = NULL;
        json_object_object_get_ex(b, "project_id", &pid);
        if ((hid && sb_jint(b, "id", 0) != want_id) || (hv && (strncmp(d, von, 10) < 0 || strncmp(d, bis, 10) > 0)) ||
            (hm && sb_jint(b, "_mod", 0) < msince) || (hc && sb_jint(b, "_cre", 0) < csince) ||
            !in_list(users, "userId", sb_jstr(b, "employee_id")) ||
            !in_list(projects, "projektNr", pid ? json_object_get_string(pid) : NULL) ||
            (billable == 2 && !sb_jbool(b, "billable", 0)) || (billable == 1 && sb_jbool(b, "billable", 0)))
            continue;
        n++;
        put_booking(&o, list, b);
    }
    list_finish(&o, list, n, r);
}

static void ids_response(sb_resp *r, const char *op, long long id)
{
    out o = {0};
    if (out_begin(&o)) {
        r->body.oom = 1;
        return;
    }
    xmlNode *resp = out_response(&o, op, "0", NULL);
    if (id > 0)
        addf(&o, resp, "ids", "%lld", id);
    out_finish(&o, 200, r);
}

static void op_write_booking(sb_inst *in, const char *op, xmlNode *req, sb_resp *r)
{
    xmlNode *p = child(req, "projektzeit");
    if (!p)
        return fault(r, "Client", "projektzeit is mandatory");
    char idb[32];
    int upd = !strcmp(op, "updateProjektzeit");
    json_object *existing = NULL;
    if (upd) {
        if (!ctext(p, "id", idb, sizeof idb))
            return fault(r, "Client", "projektzeit/id is mandatory for updateProjektzeit");
        existing = sb_find_id(in, "attendances", atoll(idb));
        if (!existing)
            return business_error(r, op, "1014", "Projektzeit nicht vorhanden");
    }
    json_object *b = booking_in(p);
    if (!b) {
        r->body.oom = 1;
        return;
    }
    sb_verr ve;
    json_object *res = upd ? sb_booking_update(in, existing, b, &ve) : sb_booking_create(in, b, &ve);
    json_object_put(b);
    if (!res)
        return business_error(r, op, "1", ve.msg);
    ids_response(r, op, (long long)sb_jint(res, "id", 0));
}

static void op_delete(sb_inst *in, const char *op, const char *arr, xmlNode *req, sb_resp *r)
{
    char idb[32];
    if (!ctext(req, "id", idb, sizeof idb))
        return fault(r, "Client", "id is mandatory");
    char *end;
    long long id = strtoll(idb, &end, 10);
    if (*end)
        return fault(r, "Client", "id must be an integer");
    if (sb_delete_id(in, arr, id))
        return business_error(r, op, "1014", "Element nicht vorhanden");
    ids_response(r, op, 0);
}

static void op_read_fehlzeit(sb_inst *in, xmlNode *req, sb_resp *r)
{
    xmlNode *crit = child(req, "readFehlzeitSearchCriteria");
    char user[128], s[16] = "", e[16] = "", reason[32] = "", idb[32] = "", gen[8] = "";
    if (!ctext(crit, "userId", user, sizeof user))
        return fault(r, "Client", "readFehlzeitSearchCriteria/userId is mandatory");
    ctext(crit, "startdatum", s, sizeof s);
    ctext(crit, "enddatum", e, sizeof e);
    ctext(crit, "fehlgrund", reason, sizeof reason);
    ctext(crit, "id", idb, sizeof idb);
    ctext(crit, "genehmigt", gen, sizeof gen);
    int64_t since = 0;
    int hm = since_filter(crit, "modifiedSince", &since, r);
    if (hm < 0)
        return;
    out o = {0};
    xmlNode *list = list_begin(&o, "readFehlzeit", "fehlzeitListe", r);
    if (!list)
        return;
    json_object *a = sb_arr(in, "absences");
    long n = 0;
    for (size_t i = 0; i < json_object_array_length(a); i++) {
        json_object *ab = json_object_array_get_idx(a, i);
        if (strcmp(sb_jstr(ab, "employee_id"), user) || (s[0] && strncmp(sb_jstr(ab, "end_date"), s, 10) < 0) ||
            (e[0] && strncmp(sb_jstr(ab, "start_date"), e, 10) > 0) ||
            (reason[0] && strcmp(reason, sb_jstr(ab, "absence_reason_id"))) ||
            (idb[0] && sb_jint(ab, "id", 0) != atoll(idb)) || (hm && sb_jint(ab, "_mod", 0) < since) ||
            (gen[0] && sb_jbool(ab, "approved", 1) != (!strcmp(gen, "true") || !strcmp(gen, "1"))))
            continue;
        n++;
        put_absence(&o, list, ab);
    }
    list_finish(&o, list, n, r);
}

static void op_write_fehlzeit(sb_inst *in, const char *op, xmlNode *req, sb_resp *r)
{
    xmlNode *f = child(req, "fehlzeit");
    if (!f)
        return fault(r, "Client", "fehlzeit is mandatory");
    int upd = !strcmp(op, "updateFehlzeit");
    json_object *existing = NULL;
    char idb[32];
    if (upd) {
        if (!ctext(f, "id", idb, sizeof idb))
            return fault(r, "Client", "fehlzeit/id is mandatory for updateFehlzeit");
        existing = sb_find_id(in, "absences", atoll(idb));
        if (!existing)
            return business_error(r, op, "1014", "Fehlzeit nicht vorhanden");
    }
    json_object *b = absence_in(f, existing);
    if (!b) {
        r->body.oom = 1;
        return;
    }
    sb_verr ve;
    json_object *res = upd ? sb_absence_update(in, existing, b, &ve) : sb_absence_create(in, b, &ve);
    json_object_put(b);
    if (!res)
        return business_error(r, op, "1", ve.msg);
    ids_response(r, op, (long long)sb_jint(res, "id", 0));
}

static void op_read_fehlgrund(sb_inst *in, xmlNode *req, sb_resp *r)
{
    xmlNode *crit = child(req, "readFehlgrundSearchCriteria");
    char code[32] = "";
    ctext(crit, "kurzform", code, sizeof code);
    out o = {0};
    xmlNode *list = list_begin(&o, "readFehlgrund", "fehlgrundListe", r);
    if (!list)
        return;
    json_object *a = sb_arr(in, "absence_reasons");
    long n = 0;
    for (size_t i = 0; i < json_object_array_length(a); i++) {
        json_object *g = json_object_array_get_idx(a, i);
        if (code[0] && strcmp(code, sb_jstr(g, "name")))
            continue;
        n++;
        xmlNode *x = add(&o, list, "fehlgrund", NULL);
        add(&o, x, "kurzform", sb_jstr(g, "name"));
        const char *c = sb_jstr(g, "comment");
        char bez[256];
        snprintf(bez, sizeof bez, "%s", c ? c : "");
        char *bar = strchr(bez, '|');
        if (bar)
            *bar = '\0';
        add(&o, x, "bezeichnung", bez);
        add(&o, x, "genehmigungspflichtig", sb_jint(g, "approve", 0) ? "true" : "false");
        add(&o, x, "selbstErfassen", sb_jint(g, "allow_self_entry", 0) ? "true" : "false");
        xmlNode *fd = add(&o, x, "fehldauer", NULL);
        add(&o, fd, "ganzerTag", "true");
        add(&o, fd, "halberTag", sb_jint(g, "allow_half_day_holiday", 0) ? "true" : "false");
        add(&o, fd, "stunden", sb_jint(g, "allow_hours_of_vacation", 0) ? "true" : "false");
        json_object *t;
        addf(&o, x, "art", "%lld", json_object_object_get_ex(g, "type", &t) ? (long long)sb_jint(t, "id", 0) : 0LL);
    }
    list_finish(&o, list, n, r);
}

/* ---------------------------------------------------------------- Mitarbeiter writes */

static const char *emp_map[][2] = {{"nachname", "lastname"},        {"vorname", "firstname"},
                                   {"email", "email"},              {"personalNr", "personal_number"},
                                   {"kurzzeichen", "abbreviation"}, {"kostentraeger", "cost_bearer"},
                                   {"preisgruppe", "price_group"},  {"personioId", "personio_id"},
                                   {"titel", "title"},              {"telefon", "phone"},
                                   {"mobil", "mobile"},             {"geburtsdatum", "birthdate"}};

/* REST write body of an existing employee: {id,name} objects become their id, dates their day. */
static json_object *emp_write_body(json_object *emp)
{
    json_object *b = sb_public_copy(emp);
    if (!b)
        return NULL;
    static const char *objs[] = {"employment", "rights", "salutation"};
    for (int i = 0; i < 3; i++) {
        json_object *v, *id;
        if (json_object_object_get_ex(b, objs[i], &v) && v && json_object_object_get_ex(v, "id", &id))
            json_object_object_add(b, objs[i], json_object_new_string(json_object_get_string(id)));
    }
    const char *bd = sb_jstr(b, "birthdate");
    if (bd) {
        char d[11];
        snprintf(d, sizeof d, "%.10s", bd);
        json_object_object_add(b, "birthdate", json_object_new_string(d));
    }
    return b;
}

static void emp_overlay(xmlNode *m, json_object *b)
{
    char buf[512];
    for (size_t i = 0; i < sizeof emp_map / sizeof *emp_map; i++)
        if (child(m, emp_map[i][0])) {
            ctext(m, emp_map[i][0], buf, sizeof buf);
            json_object_object_add(b, emp_map[i][1], buf[0] ? json_object_new_string(buf) : NULL);
        }
    if (ctext(m, "freelancer", buf, sizeof buf))
        json_object_object_add(b, "employment", json_object_new_string(buf));
    if (ctext(m, "rechte", buf, sizeof buf))
        json_object_object_add(b, "rights", json_object_new_string(buf));
}

/* <attributes><attribute name="rename-userId"><value>new</value></attribute></attributes> */
static int rename_target(xmlNode *m, char *out, size_t cap)
{
    xmlNode *attrs = child(m, "attributes");
    for (xmlNode *a = attrs ? attrs->children : NULL; a; a = a->next) {
        if (a->type != XML_ELEMENT_NODE || strcmp((const char *)a->name, "attribute"))
            continue;
        xmlChar *name = xmlGetProp(a, (const xmlChar *)"name");
        int hit = name && !strcmp((const char *)name, "rename-userId");
        xmlFree(name);
        if (hit)
            return ctext(a, "value", out, cap);
    }
    return 0;
}

static void rename_refs(sb_inst *in, const char *from, const char *to)
{
    static const char *arrs[] = {"employment_periods", "regular_working_times", "attendances", "absences"};
    for (int k = 0; k < 4; k++) {
        json_object *a = sb_arr(in, arrs[k]);
        for (size_t i = 0; i < json_object_array_length(a); i++) {
            json_object *o = json_object_array_get_idx(a, i);
            if (!strcmp(sb_jstr(o, "employee_id"), from))
                json_object_object_add(o, "employee_id", json_object_new_string(to));
        }
    }
}

static void op_write_mitarbeiter(sb_inst *in, const char *op, xmlNode *req, sb_resp *r)
{
    xmlNode *m = child(req, "mitarbeiter");
    char user[128];
    if (!m || !ctext(m, "userId", user, sizeof user))
        return fault(r, "Client", "mitarbeiter/userId is mandatory");
    sb_verr ve;
    if (!strcmp(op, "createMitarbeiter")) {
        json_object *b = json_object_new_object();
        if (!b) {
            r->body.oom = 1;
            return;
        }
        json_object_object_add(b, "username", json_object_new_string(user));
        /* SOAP creates without a password; the user sets one on first login */
        json_object_object_add(b, "password", json_object_new_string("soap-created-user"));
        emp_overlay(m, b);
        json_object *e = sb_emp_create(in, b, &ve);
        json_object_put(b);
        if (!e)
            return business_error(r, op, "1", ve.msg);
    } else {
        json_object *e = sb_emp_find(in, user);
        if (!e)
            return business_error(r, op, "1014", "Mitarbeiter nicht vorhanden");
        char to[128] = "";
        int rename = rename_target(m, to, sizeof to) && strcmp(to, user);
        if (rename && sb_emp_find(in, to))
            return business_error(r, op, "1", "The username has already been taken.");
        json_object *b = emp_write_body(e);
        if (!b) {
            r->body.oom = 1;
            return;
        }
        emp_overlay(m, b);
        json_object_object_del(b, "username");
        json_object *res = sb_emp_replace(in, e, b, &ve);
        json_object_put(b);
        if (!res)
            return business_error(r, op, "1", ve.msg);
        if (rename) {
            json_object_object_add(e, "username", json_object_new_string(to));
            rename_refs(in, user, to);
            snprintf(user, sizeof user, "%s", to);
        }
    }
    out o = {0};
    if (out_begin(&o)) {
        r->body.oom = 1;
        return;
    }
    xmlNode *resp = out_response(&o, op, "0", NULL);
    add(&o, resp, "userId", user);
    out_finish(&o, 200, r);
}

void sb_soap_handle(sb_inst *in, const char *body, size_t len, const char *endpoint, sb_resp *r)
{
    (void)endpoint;
    xmlDoc *doc = parse(body, len);
    if (!doc)
        return fault(r, "Client", "malformed XML request");
    xmlNode *header = NULL, *req = request_element(doc, &header);
    char op[64];
    if (!req || op_name(req, op, sizeof op)) {
        xmlFreeDoc(doc);
        return fault(r, "Client", req ? "unknown operation" : "not a SOAP 1.1 envelope with a body element");
    }
    xmlNode *rh = child(req, "requestHeader");
    if (!rh)
        rh = child(header, "requestHeader");
    char tok[256];
    if (!ctext(rh, "authorizationToken", tok, sizeof tok) || strcmp(tok, sb_jstr(in->d, "soap_token"))) {
        xmlFreeDoc(doc);
        return business_error(r, op, "1005", "Missing or invalid SOAP authorization token");
    }
    if (!strcmp(op, "readMitarbeiter"))
        op_read_mitarbeiter(in, req, r);
    else if (!strcmp(op, "readProjektzeiten"))
        op_read_projektzeiten(in, req, r);
    else if (!strcmp(op, "createProjektzeit") || !strcmp(op, "updateProjektzeit"))
        op_write_booking(in, op, req, r);
    else if (!strcmp(op, "deleteProjektzeit"))
        op_delete(in, op, "attendances", req, r);
    else if (!strcmp(op, "readFehlzeit"))
        op_read_fehlzeit(in, req, r);
    else if (!strcmp(op, "createFehlzeit") || !strcmp(op, "updateFehlzeit"))
        op_write_fehlzeit(in, op, req, r);
    else if (!strcmp(op, "deleteFehlzeit"))
        op_delete(in, op, "absences", req, r);
    else if (!strcmp(op, "readFehlgrund"))
        op_read_fehlgrund(in, req, r);
    else if (!strcmp(op, "createMitarbeiter") || !strcmp(op, "updateMitarbeiter"))
        op_write_mitarbeiter(in, op, req, r);
    else
        fault(r, "Client", "unknown operation");
    xmlFreeDoc(doc);
}

void sb_soap_wsdl(const char *endpoint, sb_resp *r)
{
    static const char *ops[] = {"readMitarbeiter", "createMitarbeiter", "updateMitarbeiter", "readProjektzeiten", "createProjektzeit", "updateProjektzeit",
                                "deleteProjektzeit", "readFehlzeit", "createFehlzeit", "updateFehlzeit",
                                "deleteFehlzeit", "readFehlgrund"};
    zs_buf *b = &r->body;
    zs_buf_reset(b);
    zs_buf_printf(b,
                  "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n"
                  "<definitions name=\"zep\" targetNamespace=\"" ZEP_NS "\" xmlns=\"http://schemas.xmlsoap.org/wsdl/\""
                  " xmlns:soap=\"http://schemas.xmlsoap.org/wsdl/soap/\" xmlns:tns=\"" ZEP_NS "\""
                  " xmlns:xsd=\"http://www.w3.org/2001/XMLSchema\">\n"
                  "<types><xsd:schema targetNamespace=\"" ZEP_NS "\">\n");
    for (size_t i = 0; i < sizeof ops / sizeof *ops; i++) {
        char up[64];
        snprintf(up, sizeof up, "%s", ops[i]);
        up[0] = (char)(up[0] - 32);
        zs_buf_printf(b, "<xsd:element name=\"%sRequest\" type=\"xsd:anyType\"/>"
                         "<xsd:element name=\"%sResponse\" type=\"xsd:anyType\"/>\n", up, up);
    }
    zs_buf_puts(b, "</xsd:schema></types>\n");
    for (size_t i = 0; i < sizeof ops / sizeof *ops; i++) {
        char up[64];
        snprintf(up, sizeof up, "%s", ops[i]);
        up[0] = (char)(up[0] - 32);
        zs_buf_printf(b, "<message name=\"%sRequest\"><part name=\"parameters\" element=\"tns:%sRequest\"/></message>"
                         "<message name=\"%sResponse\"><part name=\"parameters\" element=\"tns:%sResponse\"/></message>\n",
                      up, up, up, up);
    }
    zs_buf_puts(b, "<portType name=\"ZepSoapPortType\">\n");
    for (size_t i = 0; i < sizeof ops / sizeof *ops; i++) {
        char up[64];
        snprintf(up, sizeof up, "%s", ops[i]);
        up[0] = (char)(up[0] - 32);
        zs_buf_printf(b, "<operation name=\"%s\"><input message=\"tns:%sRequest\"/><output message=\"tns:%sResponse\"/></operation>\n",
                      ops[i], up, up);
    }
    zs_buf_puts(b, "</portType>\n<binding name=\"ZepSoapBinding\" type=\"tns:ZepSoapPortType\">"
                   "<soap:binding style=\"document\" transport=\"http://schemas.xmlsoap.org/soap/http\"/>\n");
    for (size_t i = 0; i < sizeof ops / sizeof *ops; i++)
        zs_buf_printf(b, "<operation name=\"%s\"><soap:operation soapAction=\"\"/><input><soap:body use=\"literal\"/></input>"
                         "<output><soap:body use=\"literal\"/></output></operation>\n", ops[i]);
    zs_buf_printf(b, "</binding>\n<service name=\"ZepSoap\"><port name=\"ZepSOAP\" binding=\"tns:ZepSoapBinding\">"
                     "<soap:address location=\"%s\"/></port></service>\n</definitions>\n", endpoint);
    r->status = 200;
    r->ctype = "text/xml; charset=utf-8";
}

void sb_soap_init(void) { xmlInitParser(); }
void sb_soap_cleanup(void) { xmlCleanupParser(); }
