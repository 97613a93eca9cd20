/* ZEP client, SOAP v10 half: requests built and responses read with libxml2's tree API. */
#include "zep_internal.h"

#include <libxml/parser.h>
#include <libxml/tree.h>
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define SOAP_ENV_NS "http://schemas.xmlsoap.org/soap/envelope/"
#define ZEP_NS "http://zep.provantis.de"

/* ---------------------------------------------------------------- building */

typedef struct soap_req {
    xmlDoc *doc;
    xmlNode *op; /* the <zep:XxxRequest> element */
    int oom;
} soap_req;

/* Children are unqualified (the schema has no elementFormDefault), so they get no namespace. */
static xmlNode *add(soap_req *q, xmlNode *parent, const char *name, const char *text)
{
    if (q->oom)
        return NULL;
    xmlNode *n = xmlNewDocRawNode(q->doc, NULL, (const xmlChar *)name, (const xmlChar *)text);
    if (!n || !xmlAddChild(parent, n)) {
        xmlFreeNode(n);
        q->oom = 1;
        return NULL;
    }
    return n;
}

static void add_opt(soap_req *q, xmlNode *parent, const char *name, const char *text)
{
    if (text && *text)
        add(q, parent, name, text);
}

static void addf(soap_req *q, xmlNode *parent, const char *name, const char *fmt, ...) __attribute__((format(printf, 4, 5)));
static void addf(soap_req *q, xmlNode *parent, const char *name, const char *fmt, ...)
{
    char b[256];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(b, sizeof b, fmt, ap);
    va_end(ap);
    add(q, parent, name, b);
}

static zs_rc req_begin(zs_zep *z, soap_req *q, const char *op, zs_err *err)
{
    memset(q, 0, sizeof *q);
    if (!z->soap_token)
        return zs_err_set(err, ZS_ERR_AUTH, "zep: no SOAP token configured");
    q->doc = xmlNewDoc((const xmlChar *)"1.0");
    xmlNode *env = q->doc ? xmlNewDocNode(q->doc, NULL, (const xmlChar *)"Envelope", NULL) : NULL;
    if (!env) {
        xmlFreeDoc(q->doc);
        q->doc = NULL;
        return zs_err_set(err, ZS_ERR_FAILED, "zep soap: out of memory");
    }
    xmlDocSetRootElement(q->doc, env);
    xmlNs *sns = xmlNewNs(env, (const xmlChar *)SOAP_ENV_NS, (const xmlChar *)"soapenv");
    xmlNs *zns = xmlNewNs(env, (const xmlChar *)ZEP_NS, (const xmlChar *)"zep");
    xmlSetNs(env, sns);
    xmlNewChild(env, sns, (const xmlChar *)"Header", NULL);
    xmlNode *body = xmlNewChild(env, sns, (const xmlChar *)"Body", NULL);
    char name[96];
    snprintf(name, sizeof name, "%c%sRequest", op[0] - 32, op + 1);
    q->op = body ? xmlNewChild(body, zns, (const xmlChar *)name, NULL) : NULL;
    if (!sns || !zns || !q->op) {
        xmlFreeDoc(q->doc);
        q->doc = NULL;
        return zs_err_set(err, ZS_ERR_FAILED, "zep soap: out of memory");
    }
    xmlNode *rh = add(q, q->op, "requestHeader", NULL);
    add(q, rh, "authorizationToken", z->soap_token);
    return ZS_OK;
}

/* ---------------------------------------------------------------- reading */

static xmlNode *child(xmlNode *n, const char *name)
{
    for (xmlNode *c = n ? n->children : NULL; c; c = c->next)
        if (c->type == XML_ELEMENT_NODE && !strcmp((const char *)c->name, name))
            return c;
    return NULL;
}

static void ctext(xmlNode *n, const char *name, char *out, size_t cap)
{
    xmlNode *c = child(n, name);
    out[0] = '\0';
    xmlChar *t = c ? xmlNodeGetContent(c) : NULL;
    if (t) {
        zep_copy(out, cap, (const char *)t);
        xmlFree(t);
    }
}

static int is_true(const char *s) { return !strcmp(s, "true") || !strcmp(s, "1"); }

/*
 * Sends the request and checks envelope, Fault and responseHeader/returnCode. On ZS_OK *doc_out
 * holds the response (caller frees) and *resp_el its <XxxResponse> element.
 */
static zs_rc req_send(zs_zep *z, soap_req *q, const char *op, int retry_net, xmlDoc **doc_out, xmlNode **resp_el,
                      zs_err *err)
{
    *doc_out = NULL;
    if (q->oom) {
        xmlFreeDoc(q->doc);
        return zs_err_set(err, ZS_ERR_FAILED, "zep soap %s: out of memory", op);
    }
    xmlChar *mem = NULL;
    int len = 0;
    xmlDocDumpMemoryEnc(q->doc, &mem, &len, "UTF-8");
    xmlFreeDoc(q->doc);
    q->doc = NULL;
    if (!mem)
        return zs_err_set(err, ZS_ERR_FAILED, "zep soap %s: out of memory", op);
    char url[2048];
    snprintf(url, sizeof url, "%s/%s/sync/soap.php?v=10", z->base_url, z->instance);
    const char *hdrs[] = {"Content-Type: text/xml; charset=utf-8", "SOAPAction: \"\"", NULL};
    zs_http_resp r;
    zs_rc rc = zep_send(z, "POST", url, hdrs, (const char *)mem, (size_t)len, retry_net ? ZEP_RETRY_NET : 0, &r, err);
    xmlFree(mem);
    if (rc != ZS_OK)
        return zs_err_wrap(err, rc, "zep soap %s", op);
    long st = r.status;
    xmlDoc *doc = r.body_len < (size_t)INT32_MAX
                      ? xmlReadMemory(r.body, (int)r.body_len, "response.xml", NULL,
                                      XML_PARSE_NONET | XML_PARSE_NOERROR | XML_PARSE_NOWARNING)
                      : NULL;
    char head[120];
    snprintf(head, sizeof head, "%.100s", r.body ? r.body : "");
    zs_http_resp_release(&r);
    xmlNode *env = doc ? xmlDocGetRootElement(doc) : NULL;
    xmlNode *body = NULL, *el = NULL;
    if (env && env->ns && !strcmp((const char *)env->ns->href, SOAP_ENV_NS))
        body = child(env, "Body");
    for (xmlNode *c = body ? body->children : NULL; c; c = c->next)
        if (c->type == XML_ELEMENT_NODE) {
            el = c;
            break;
        }
    if (!el) {
        xmlFreeDoc(doc);
        if (st >= 500 || st == 429 || st == 0)
            return zs_err_set(err, ZS_ERR_RETRY, "zep soap %s: HTTP %ld without a SOAP body", op, st);
        if (st == 404)
            return zs_err_set(err, ZS_ERR_FAILED, "zep soap %s: HTTP 404 (unknown ZEP instance '%s'?)", op, z->instance);
        return zs_err_set(err, st == 401 ? ZS_ERR_AUTH : ZS_ERR_FAILED, "zep soap %s: HTTP %ld, not a SOAP response: %s",
                          op, st, head);
    }
    if (!strcmp((const char *)el->name, "Fault")) {
        char code[128], msg[300];
        ctext(el, "faultcode", code, sizeof code);
        ctext(el, "faultstring", msg, sizeof msg);
        xmlFreeDoc(doc);
        /* Server faults are ZEP's trouble and may pass; Client faults mean our request is wrong. */
        zs_rc frc = strstr(code, "Server") ? ZS_ERR_RETRY : ZS_ERR_FAILED;
        return zs_err_set(err, frc, "zep soap %s: SOAP Fault %s: %s", op, code, msg);
    }
    xmlNode *rh = child(el, "responseHeader");
    char code[32], msg[300];
    ctext(rh, "returnCode", code, sizeof code);
    ctext(rh, "message", msg, sizeof msg);
    if (strcmp(code, "0") != 0) {
        xmlFreeDoc(doc);
        zs_rc brc = !strcmp(code, "1005") ? ZS_ERR_AUTH : !strcmp(code, "1014") ? ZS_ERR_NOTFOUND : ZS_ERR_FAILED;
        return zs_err_set(err, brc, "zep soap %s: returnCode %s: %s", op, code[0] ? code : "(none)", msg);
    }
    *doc_out = doc;
    *resp_el = el;
    return ZS_OK;
}

static long first_id(xmlNode *resp)
{
    char ids[256];
    ctext(resp, "ids", ids, sizeof ids);
    return atol(ids); /* "ids" is a comma list; the first one is the booking we sent */
}

/* ---------------------------------------------------------------- employees */

static void parse_mitarbeiter(xmlNode *m, zs_zep_employee *e)
{
    char b[64];
    ctext(m, "userId", e->username, sizeof e->username);
    ctext(m, "vorname", e->firstname, sizeof e->firstname);
    ctext(m, "nachname", e->lastname, sizeof e->lastname);
    ctext(m, "email", e->email, sizeof e->email);
    ctext(m, "personalNr", e->personal_number, sizeof e->personal_number);
    ctext(m, "personioId", e->personio_id, sizeof e->personio_id);
    ctext(m, "kostentraeger", e->cost_bearer, sizeof e->cost_bearer);
    ctext(m, "preisgruppe", e->price_group, sizeof e->price_group);
    ctext(m, "freelancer", b, sizeof b);
    e->employment = atoi(b);
    ctext(m, "rechte", b, sizeof b);
    e->rights = atoi(b);
    e->department_id = -1;
    ctext(m, "created", e->created, sizeof e->created);
    ctext(m, "modified", e->modified, sizeof e->modified);
}

static zs_rc read_mitarbeiter(zs_zep *z, const char *crit_name, const char *crit_value, zs_zep_employee_vec *out,
                              zs_err *err)
{
    soap_req q;
    zs_rc rc = req_begin(z, &q, "readMitarbeiter", err);
    if (rc)
        return rc;
    xmlNode *c = add(&q, q.op, "readMitarbeiterSearchCriteria", NULL);
    add_opt(&q, c, crit_name, crit_value);
    xmlDoc *doc;
    xmlNode *resp;
    if ((rc = req_send(z, &q, "readMitarbeiter", 1, &doc, &resp, err)))
        return rc;
    xmlNode *list = child(resp, "mitarbeiterListe");
    for (xmlNode *m = list ? list->children : NULL; m; m = m->next) {
        if (m->type != XML_ELEMENT_NODE || strcmp((const char *)m->name, "mitarbeiter"))
            continue;
        zs_zep_employee *e = zep_list_push((void **)&out->items, &out->n, &out->cap, sizeof *out->items);
        if (!e) {
            xmlFreeDoc(doc);
            return zs_err_set(err, ZS_ERR_FAILED, "zep soap: out of memory");
        }
        parse_mitarbeiter(m, e);
    }
    xmlFreeDoc(doc);
    return ZS_OK;
}

zs_rc zs_zep_soap_employees(zs_zep *z, const char *modified_since, zs_zep_employee_vec *out, zs_err *err)
{
    return read_mitarbeiter(z, "modifiedSince", modified_since, out, err);
}

zs_rc zs_zep_soap_employee_find_email(zs_zep *z, const char *email, zs_zep_employee *out, zs_err *err)
{
    if (!email || !*email)
        return zs_err_set(err, ZS_ERR_FAILED, "zep soap: empty e-mail");
    zs_zep_employee_vec v = {0};
    zs_rc rc = read_mitarbeiter(z, "email", email, &v, err);
    if (rc == ZS_OK && v.n == 0)
        rc = zs_err_set(err, ZS_ERR_NOTFOUND, "zep soap: no employee with e-mail %s", email);
    if (rc == ZS_OK && out)
        *out = v.items[0];
    zs_zep_employee_vec_release(&v);
    return rc;
}

zs_rc zs_zep_soap_employee_update(zs_zep *z, const char *username, const zs_zep_employee *values, unsigned mask,
                                  const char *new_username, zs_err *err)
{
    if (!username || !*username)
        return zs_err_set(err, ZS_ERR_FAILED, "zep soap updateMitarbeiter: username required");
    if (mask & ZS_ZEP_EMP_DEPARTMENT)
        return zs_err_set(err, ZS_ERR_FAILED, "zep soap updateMitarbeiter: SOAP names departments, use REST");
    soap_req q;
    zs_rc rc = req_begin(z, &q, "updateMitarbeiter", err);
    if (rc)
        return rc;
    xmlNode *m = add(&q, q.op, "mitarbeiter", NULL);
    add(&q, m, "userId", username);
    /* an element present but empty clears the field; absent ones stay as they are */
    if (mask & ZS_ZEP_EMP_FIRSTNAME)
        add(&q, m, "vorname", values->firstname);
    if (mask & ZS_ZEP_EMP_LASTNAME)
        add(&q, m, "nachname", values->lastname);
    if (mask & ZS_ZEP_EMP_EMAIL)
        add(&q, m, "email", values->email);
    if (mask & ZS_ZEP_EMP_PERSONAL_NUMBER)
        add(&q, m, "personalNr", values->personal_number);
    if (mask & ZS_ZEP_EMP_PERSONIO_ID)
        add(&q, m, "personioId", values->personio_id);
    if (mask & ZS_ZEP_EMP_COST_BEARER)
        add(&q, m, "kostentraeger", values->cost_bearer);
    if (mask & ZS_ZEP_EMP_PRICE_GROUP)
        add(&q, m, "preisgruppe", values->price_group);
    if (mask & ZS_ZEP_EMP_BIRTHDATE)
        add(&q, m, "geburtsdatum", values->birthdate);
    if (mask & ZS_ZEP_EMP_SALUTATION)
        add(&q, m, "anrede", values->salutation);
    if (mask & ZS_ZEP_EMP_EMPLOYMENT)
        addf(&q, m, "freelancer", "%d", values->employment);
    if (new_username && *new_username && strcmp(new_username, username)) {
        xmlNode *attrs = add(&q, m, "attributes", NULL);
        xmlNode *a = add(&q, attrs, "attribute", NULL);
        if (a && !xmlNewProp(a, (const xmlChar *)"name", (const xmlChar *)"rename-userId"))
            q.oom = 1;
        add(&q, a, "value", new_username);
    }
    xmlDoc *doc;
    xmlNode *resp;
    if ((rc = req_send(z, &q, "updateMitarbeiter", 1, &doc, &resp, err)))
        return rc;
    xmlFreeDoc(doc);
    return ZS_OK;
}

/* ---------------------------------------------------------------- bookings */

static void hhmm(const char *t, char *out, size_t cap) { snprintf(out, cap, "%.5s", t); }

static void parse_projektzeit(xmlNode *p, zs_zep_booking *b)
{
    char v[64];
    ctext(p, "id", v, sizeof v);
    b->id = atol(v);
    ctext(p, "userId", b->employee_id, sizeof b->employee_id);
    ctext(p, "datum", b->date, sizeof b->date);
    ctext(p, "von", v, sizeof v);
    snprintf(b->from, sizeof b->from, "%.5s:00", v);
    ctext(p, "bis", v, sizeof v);
    snprintf(b->to, sizeof b->to, "%.5s:00", v);
    ctext(p, "dauer", v, sizeof v);
    int h = 0, m = 0;
    if (sscanf(v, "%d:%d", &h, &m) == 2)
        b->duration = h + m / 60.0;
    ctext(p, "bemerkung", b->note, sizeof b->note);
    ctext(p, "istFakturierbar", v, sizeof v);
    b->billable = is_true(v);
    ctext(p, "projektNr", b->project_id, sizeof b->project_id);
    ctext(p, "vorgangNr", b->project_task_id, sizeof b->project_task_id);
    ctext(p, "taetigkeit", b->activity_id, sizeof b->activity_id);
    ctext(p, "created", b->created, sizeof b->created);
    ctext(p, "modified", b->modified, sizeof b->modified);
}

zs_rc zs_zep_soap_bookings(zs_zep *z, const zs_zep_booking_query *qr, zs_zep_booking_vec *out, zs_err *err)
{
    soap_req q;
    zs_rc rc = req_begin(z, &q, "readProjektzeiten", err);
    if (rc)
        return rc;
    xmlNode *c = add(&q, q.op, "readProjektzeitenSearchCriteria", NULL);
    if (qr->id > 0)
        addf(&q, c, "id", "%ld", qr->id);
    add_opt(&q, c, "von", qr->von);
    add_opt(&q, c, "bis", qr->bis);
    if (qr->users && qr->users[0]) {
        xmlNode *ul = add(&q, c, "userIdListe", NULL);
        for (const char *const *u = qr->users; *u; u++)
            add(&q, ul, "userId", *u);
    }
    add_opt(&q, c, "modifiedSince", qr->modified_since);
    add_opt(&q, c, "createdSince", qr->created_since);
    xmlDoc *doc;
    xmlNode *resp;
    if ((rc = req_send(z, &q, "readProjektzeiten", 1, &doc, &resp, err)))
        return rc;
    xmlNode *list = child(resp, "projektzeitListe");
    for (xmlNode *p = list ? list->children : NULL; p; p = p->next) {
        if (p->type != XML_ELEMENT_NODE || strcmp((const char *)p->name, "projektzeiten"))
            continue;
        zs_zep_booking *b = zep_list_push((void **)&out->items, &out->n, &out->cap, sizeof *out->items);
        if (!b) {
            xmlFreeDoc(doc);
            return zs_err_set(err, ZS_ERR_FAILED, "zep soap: out of memory");
        }
        parse_projektzeit(p, b);
    }
    xmlFreeDoc(doc);
    return ZS_OK;
}

static void projektzeit_fields(soap_req *q, xmlNode *p, const zs_zep_booking *b)
{
    char t[8];
    add_opt(q, p, "userId", b->employee_id);
    add_opt(q, p, "datum", b->date);
    hhmm(b->from, t, sizeof t);
    add_opt(q, p, "von", t);
    hhmm(b->to, t, sizeof t);
    add_opt(q, p, "bis", t);
    if (b->duration > 0) {
        long mins = lround(b->duration * 60);
        addf(q, p, "dauer", "%02ld:%02ld", mins / 60, mins % 60);
    }
    add(q, p, "istFakturierbar", b->billable ? "true" : "false");
    add_opt(q, p, "bemerkung", b->note);
    add_opt(q, p, "projektNr", b->project_id);
    add_opt(q, p, "vorgangNr", b->project_task_id);
    add_opt(q, p, "taetigkeit", b->activity_id);
}

zs_rc zs_zep_soap_booking_create(zs_zep *z, const zs_zep_booking *b, long *id_out, zs_err *err)
{
    soap_req q;
    zs_rc rc = req_begin(z, &q, "createProjektzeit", err);
    if (rc)
        return rc;
    projektzeit_fields(&q, add(&q, q.op, "projektzeit", NULL), b);
    xmlDoc *doc;
    xmlNode *resp;
    if ((rc = req_send(z, &q, "createProjektzeit", 0, &doc, &resp, err)))
        return rc;
    if (id_out)
        *id_out = first_id(resp);
    xmlFreeDoc(doc);
    return ZS_OK;
}

zs_rc zs_zep_soap_booking_update(zs_zep *z, const zs_zep_booking *b, zs_err *err)
{
    if (b->id <= 0)
        return zs_err_set(err, ZS_ERR_FAILED, "zep soap updateProjektzeit: id required");
    soap_req q;
    zs_rc rc = req_begin(z, &q, "updateProjektzeit", err);
    if (rc)
        return rc;
    xmlNode *p = add(&q, q.op, "projektzeit", NULL);
    addf(&q, p, "id", "%ld", b->id);
    projektzeit_fields(&q, p, b);
    xmlDoc *doc;
    xmlNode *resp;
    /* an update with the same content is idempotent, so a lost answer may be retried */
    if ((rc = req_send(z, &q, "updateProjektzeit", 1, &doc, &resp, err)))
        return rc;
    xmlFreeDoc(doc);
    return ZS_OK;
}

static zs_rc delete_by_id(zs_zep *z, const char *op, long id, zs_err *err)
{
    soap_req q;
    zs_rc rc = req_begin(z, &q, op, err);
    if (rc)
        return rc;
    addf(&q, q.op, "id", "%ld", id);
    xmlDoc *doc;
    xmlNode *resp;
    if ((rc = req_send(z, &q, op, 0, &doc, &resp, err)))
        return rc;
    xmlFreeDoc(doc);
    return ZS_OK;
}

zs_rc zs_zep_soap_booking_delete(zs_zep *z, long id, zs_err *err) { return delete_by_id(z, "deleteProjektzeit", id, err); }

/* ---------------------------------------------------------------- absences */

static void parse_fehlzeit(xmlNode *f, zs_zep_absence *a)
{
    char v[64];
    ctext(f, "id", v, sizeof v);
    a->id = atol(v);
    ctext(f, "userId", a->employee_id, sizeof a->employee_id);
    ctext(f, "fehlgrund", a->reason, sizeof a->reason);
    ctext(f, "startdatum", a->start_date, sizeof a->start_date);
    ctext(f, "enddatum", a->end_date, sizeof a->end_date);
    if (!a->end_date[0])
        zep_copy(a->end_date, sizeof a->end_date, a->start_date);
    ctext(f, "istHalberTag", v, sizeof v);
    a->kind = is_true(v) ? ZS_ZEP_ABS_HALF_DAY : ZS_ZEP_ABS_FULL_DAY;
    ctext(f, "vonZeit", v, sizeof v);
    a->hours = -1;
    if (v[0]) {
        a->kind = ZS_ZEP_ABS_HOURS;
        snprintf(a->from, sizeof a->from, "%.5s:00", v);
        ctext(f, "bisZeit", v, sizeof v);
        snprintf(a->to, sizeof a->to, "%.5s:00", v);
    }
    ctext(f, "genehmigt", v, sizeof v);
    a->approved = v[0] ? is_true(v) : 1; /* empty: the reason needs no approval */
    ctext(f, "bemerkung", a->note, sizeof a->note);
    ctext(f, "timezone", a->timezone, sizeof a->timezone);
    ctext(f, "created", a->created, sizeof a->created);
    ctext(f, "modified", a->modified, sizeof a->modified);
}

zs_rc zs_zep_soap_absences(zs_zep *z, const char *user, const char *start_date, const char *end_date,
                           const char *modified_since, zs_zep_absence_vec *out, zs_err *err)
{
    if (!user || !*user)
        return zs_err_set(err, ZS_ERR_FAILED, "zep soap readFehlzeit: user required");
    soap_req q;
    zs_rc rc = req_begin(z, &q, "readFehlzeit", err);
    if (rc)
        return rc;
    xmlNode *c = add(&q, q.op, "readFehlzeitSearchCriteria", NULL);
    add(&q, c, "userId", user);
    add_opt(&q, c, "startdatum", start_date);
    add_opt(&q, c, "enddatum", end_date);
    add_opt(&q, c, "modifiedSince", modified_since);
    xmlDoc *doc;
    xmlNode *resp;
    if ((rc = req_send(z, &q, "readFehlzeit", 1, &doc, &resp, err)))
        return rc;
    xmlNode *list = child(resp, "fehlzeitListe");
    for (xmlNode *f = list ? list->children : NULL; f; f = f->next) {
        if (f->type != XML_ELEMENT_NODE || strcmp((const char *)f->name, "fehlzeit"))
            continue;
        zs_zep_absence *a = zep_list_push((void **)&out->items, &out->n, &out->cap, sizeof *out->items);
        if (!a) {
            xmlFreeDoc(doc);
            return zs_err_set(err, ZS_ERR_FAILED, "zep soap: out of memory");
        }
        parse_fehlzeit(f, a);
    }
    xmlFreeDoc(doc);
    return ZS_OK;
}

static void fehlzeit_fields(soap_req *q, xmlNode *f, const zs_zep_absence *a)
{
    char t[8];
    add_opt(q, f, "userId", a->employee_id);
    add_opt(q, f, "startdatum", a->start_date);
    add_opt(q, f, "enddatum", a->end_date[0] ? a->end_date : a->start_date);
    add_opt(q, f, "fehlgrund", a->reason);
    add(q, f, "istHalberTag", a->kind == ZS_ZEP_ABS_HALF_DAY ? "true" : "false");
    if (a->kind == ZS_ZEP_ABS_HOURS) {
        hhmm(a->from, t, sizeof t);
        add_opt(q, f, "vonZeit", t);
        hhmm(a->to, t, sizeof t);
        add_opt(q, f, "bisZeit", t);
    }
    add_opt(q, f, "timezone", a->timezone);
    add(q, f, "genehmigt", a->approved ? "true" : "false");
    add_opt(q, f, "bemerkung", a->note);
    /* zepsync mirrors absences; the employee was notified by the leading system already */
    add(q, f, "mailversandUnterdruecken", "true");
}

zs_rc zs_zep_soap_absence_create(zs_zep *z, const zs_zep_absence *a, long *id_out, zs_err *err)
{
    soap_req q;
    zs_rc rc = req_begin(z, &q, "createFehlzeit", err);
    if (rc)
        return rc;
    fehlzeit_fields(&q, add(&q, q.op, "fehlzeit", NULL), a);
    xmlDoc *doc;
    xmlNode *resp;
    if ((rc = req_send(z, &q, "createFehlzeit", 0, &doc, &resp, err)))
        return rc;
    if (id_out)
        *id_out = first_id(resp);
    xmlFreeDoc(doc);
    return ZS_OK;
}

zs_rc zs_zep_soap_absence_update(zs_zep *z, const zs_zep_absence *a, zs_err *err)
{
    if (a->id <= 0)
        return zs_err_set(err, ZS_ERR_FAILED, "zep soap updateFehlzeit: id required");
    soap_req q;
    zs_rc rc = req_begin(z, &q, "updateFehlzeit", err);
    if (rc)
        return rc;
    xmlNode *f = add(&q, q.op, "fehlzeit", NULL);
    addf(&q, f, "id", "%ld", a->id);
    fehlzeit_fields(&q, f, a);
    xmlDoc *doc;
    xmlNode *resp;
    if ((rc = req_send(z, &q, "updateFehlzeit", 1, &doc, &resp, err)))
        return rc;
    xmlFreeDoc(doc);
    return ZS_OK;
}

zs_rc zs_zep_soap_absence_delete(zs_zep *z, long id, zs_err *err) { return delete_by_id(z, "deleteFehlzeit", id, err); }

zs_rc zs_zep_soap_reasons(zs_zep *z, zs_zep_reason_vec *out, zs_err *err)
{
    soap_req q;
    zs_rc rc = req_begin(z, &q, "readFehlgrund", err);
    if (rc)
        return rc;
    add(&q, q.op, "readFehlgrundSearchCriteria", NULL);
    xmlDoc *doc;
    xmlNode *resp;
    if ((rc = req_send(z, &q, "readFehlgrund", 1, &doc, &resp, err)))
        return rc;
    xmlNode *list = child(resp, "fehlgrundListe");
    for (xmlNode *g = list ? list->children : NULL; g; g = g->next) {
        if (g->type != XML_ELEMENT_NODE || strcmp((const char *)g->name, "fehlgrund"))
            continue;
        zs_zep_absence_reason *r = zep_list_push((void **)&out->items, &out->n, &out->cap, sizeof *out->items);
        if (!r) {
            xmlFreeDoc(doc);
            return zs_err_set(err, ZS_ERR_FAILED, "zep soap: out of memory");
        }
        char v[64];
        ctext(g, "kurzform", r->name, sizeof r->name);
        ctext(g, "bezeichnung", r->label, sizeof r->label);
        ctext(g, "genehmigungspflichtig", v, sizeof v);
        r->needs_approval = is_true(v);
        xmlNode *fd = child(g, "fehldauer");
        ctext(fd, "halberTag", v, sizeof v);
        r->allow_half_day = is_true(v);
        ctext(fd, "stunden", v, sizeof v);
        r->allow_hours = is_true(v);
        ctext(g, "art", v, sizeof v);
        r->type_id = atoi(v);
    }
    xmlFreeDoc(doc);
    return ZS_OK;
}
