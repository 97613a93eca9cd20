/* ZEP client, SOAP v10 half: requests built and responses read with libxml2's tree API. */
#include "zep_internal.h"

#include <libxml/parser.h>
#include <libxml/tree.h>
#include <math.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define SOAP_ENV_NS "http://schemas.xmlsoap.org/soap/envelope/"
#define ZEP_NS "http://zep.provantis.de"

/* ---------------------------------------------------------------- building */

typedef struct soap_req {
    const char *name; /* the operation, e.g. "readFehlzeit" */
    xmlDoc *doc;
    xmlNode *op;      /* the <zep:XxxRequest> element */
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
    q->name = op;
    if (!z->soap_token)
        return zs_err_set(err, ZS_ERR_AUTH, "zep: no SOAP token configured");
    q->doc = xmlNewDoc((const xmlChar *)"1.0");
    xmlNode *env = q->doc ? xmlNewDocNode(q->doc, NULL, (const xmlChar *)"Envelope", NULL) : NULL;
    if (env)
        xmlDocSetRootElement(q->doc, env);
    xmlNs *sns = env ? xmlNewNs(env, (const xmlChar *)SOAP_ENV_NS, (const xmlChar *)"soapenv") : NULL;
    xmlNs *zns = env ? xmlNewNs(env, (const xmlChar *)ZEP_NS, (const xmlChar *)"zep") : NULL;
    xmlSetNs(env, sns);
    xmlNode *head = sns && zns ? xmlNewChild(env, sns, (const xmlChar *)"Header", NULL) : NULL;
    xmlNode *body = head ? xmlNewChild(env, sns, (const xmlChar *)"Body", NULL) : NULL;
    char name[96];
    snprintf(name, sizeof name, "%c%sRequest", op[0] - 32, op + 1);
    q->op = body ? xmlNewChild(body, zns, (const xmlChar *)name, NULL) : NULL;
    if (!q->op) {
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

#define CT(n, name, dst) ctext((n), (name), (dst), sizeof(dst))

static int is_true(const char *s) { return !strcmp(s, "true") || !strcmp(s, "1"); }

/*
 * Sends the request and checks envelope, Fault and responseHeader/returnCode. On ZS_OK *doc_out
 * holds the response (caller frees) and *resp_el its <XxxResponse> element.
 */
static zs_rc req_send(zs_zep *z, soap_req *q, int retry_net, xmlDoc **doc_out, xmlNode **resp_el, zs_err *err)
{
    const char *op = q->name;
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
        CT(el, "faultcode", code);
        CT(el, "faultstring", msg);
        xmlFreeDoc(doc);
        /* Server faults are ZEP's trouble and may pass; Client faults mean our request is wrong. */
        zs_rc frc = strstr(code, "Server") ? ZS_ERR_RETRY : ZS_ERR_FAILED;
        return zs_err_set(err, frc, "zep soap %s: SOAP Fault %s: %s", op, code, msg);
    }
    xmlNode *rh = child(el, "responseHeader");
    char code[32], msg[300];
    CT(rh, "returnCode", code);
    CT(rh, "message", msg);
    if (strcmp(code, "0") != 0) {
        xmlFreeDoc(doc);
        zs_rc brc = !strcmp(code, "1005") ? ZS_ERR_AUTH : !strcmp(code, "1014") ? ZS_ERR_NOTFOUND : ZS_ERR_FAILED;
        return zs_err_set(err, brc, "zep soap %s: returnCode %s: %s", op, code[0] ? code : "(none)", msg);
    }
    *doc_out = doc;
    *resp_el = el;
    return ZS_OK;
}

/* A write: sends q and keeps only the new id ("ids" is a comma list, the first one is ours). */
static zs_rc req_write(zs_zep *z, soap_req *q, int retry_net, long *id_out, zs_err *err)
{
    xmlDoc *doc;
    xmlNode *resp;
    zs_rc rc = req_send(z, q, retry_net, &doc, &resp, err);
    if (rc != ZS_OK)
        return rc;
    if (id_out) {
        char ids[256];
        CT(resp, "ids", ids);
        *id_out = atol(ids);
        /* applied, but the caller cannot find it again: not worth a blind retry either */
        if (*id_out <= 0)
            rc = zs_err_set(err, ZS_ERR_FAILED, "zep soap %s: answer without ids", q->name);
    }
    xmlFreeDoc(doc);
    return rc;
}

/* A read: the <item> children of the response's <list> appended to a result list. */
typedef struct xsink {
    void **items;
    size_t *n, *cap;
    size_t elem;
    void (*parse)(xmlNode *x, void *out); /* fills a zeroed slot */
} xsink;
#define XSINK(list, parse) (&(xsink){(void **)&(list)->items, &(list)->n, &(list)->cap, sizeof *(list)->items, (parse)})

static zs_rc req_read(zs_zep *z, soap_req *q, const char *list, const char *item, xsink *s, zs_err *err)
{
    xmlDoc *doc;
    xmlNode *resp;
    zs_rc rc = req_send(z, q, 1, &doc, &resp, err);
    if (rc != ZS_OK)
        return rc;
    xmlNode *l = child(resp, list);
    for (xmlNode *x = l ? l->children : NULL; x && rc == ZS_OK; x = x->next) {
        if (x->type != XML_ELEMENT_NODE || strcmp((const char *)x->name, item))
            continue;
        void *slot = zep_list_push(s->items, s->n, s->cap, s->elem);
        if (slot)
            s->parse(x, slot);
        else
            rc = zs_err_set(err, ZS_ERR_FAILED, "zep soap: out of memory");
    }
    xmlFreeDoc(doc);
    return rc;
}

/* ---------------------------------------------------------------- employees */

static void parse_mitarbeiter(xmlNode *m, void *out)
{
    zs_zep_employee *e = out;
    char b[64];
    CT(m, "userId", e->username);
    CT(m, "vorname", e->firstname);
    CT(m, "nachname", e->lastname);
    CT(m, "email", e->email);
    CT(m, "personalNr", e->personal_number);
    CT(m, "personioId", e->personio_id);
    CT(m, "kostentraeger", e->cost_bearer);
    CT(m, "preisgruppe", e->price_group);
    CT(m, "freelancer", b);
    e->employment = atoi(b);
    CT(m, "rechte", b);
    e->rights = atoi(b);
    e->department_id = -1;
    CT(m, "created", e->created);
    CT(m, "modified", e->modified);
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
    return req_read(z, &q, "mitarbeiterListe", "mitarbeiter", XSINK(out, parse_mitarbeiter), err);
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
    static const struct {
        unsigned bit;
        const char *name;
        size_t off;
    } text[] = {
        {ZS_ZEP_EMP_FIRSTNAME, "vorname", offsetof(zs_zep_employee, firstname)},
        {ZS_ZEP_EMP_LASTNAME, "nachname", offsetof(zs_zep_employee, lastname)},
        {ZS_ZEP_EMP_EMAIL, "email", offsetof(zs_zep_employee, email)},
        {ZS_ZEP_EMP_PERSONAL_NUMBER, "personalNr", offsetof(zs_zep_employee, personal_number)},
        {ZS_ZEP_EMP_PERSONIO_ID, "personioId", offsetof(zs_zep_employee, personio_id)},
        {ZS_ZEP_EMP_COST_BEARER, "kostentraeger", offsetof(zs_zep_employee, cost_bearer)},
        {ZS_ZEP_EMP_PRICE_GROUP, "preisgruppe", offsetof(zs_zep_employee, price_group)},
        {ZS_ZEP_EMP_BIRTHDATE, "geburtsdatum", offsetof(zs_zep_employee, birthdate)},
        {ZS_ZEP_EMP_SALUTATION, "anrede", offsetof(zs_zep_employee, salutation)},
    };
    soap_req q;
    zs_rc rc = req_begin(z, &q, "updateMitarbeiter", err);
    if (rc)
        return rc;
    xmlNode *m = add(&q, q.op, "mitarbeiter", NULL);
    add(&q, m, "userId", username);
    /* an element present but empty clears the field; absent ones stay as they are */
    for (size_t i = 0; i < sizeof text / sizeof *text; i++)
        if (mask & text[i].bit)
            add(&q, m, text[i].name, (const char *)values + text[i].off);
    if (mask & ZS_ZEP_EMP_EMPLOYMENT)
        addf(&q, m, "freelancer", "%d", values->employment);
    int rename = new_username && *new_username && strcmp(new_username, username);
    if (rename) {
        xmlNode *attrs = add(&q, m, "attributes", NULL);
        xmlNode *a = add(&q, attrs, "attribute", NULL);
        if (a && !xmlNewProp(a, (const xmlChar *)"name", (const xmlChar *)"rename-userId"))
            q.oom = 1;
        add(&q, a, "value", new_username);
    }
    /* Setting fields again is harmless after a lost answer; a rename is not: the repeat would
     * look for the old username and report a rename that worked as "not found". */
    return req_write(z, &q, !rename, NULL, err);
}

/* ---------------------------------------------------------------- bookings */

static void hhmm(const char *t, char *out, size_t cap) { snprintf(out, cap, "%.5s", t); }

static void parse_projektzeit(xmlNode *p, void *out)
{
    zs_zep_booking *b = out;
    char v[64];
    CT(p, "id", v);
    b->id = atol(v);
    CT(p, "userId", b->employee_id);
    CT(p, "datum", b->date);
    CT(p, "von", v);
    snprintf(b->from, sizeof b->from, "%.5s:00", v);
    CT(p, "bis", v);
    snprintf(b->to, sizeof b->to, "%.5s:00", v);
    CT(p, "dauer", v);
    int h = 0, m = 0;
    if (sscanf(v, "%d:%d", &h, &m) == 2)
        b->duration = h + m / 60.0;
    CT(p, "bemerkung", b->note);
    CT(p, "istFakturierbar", v);
    b->billable = is_true(v);
    CT(p, "projektNr", b->project_id);
    CT(p, "vorgangNr", b->project_task_id);
    CT(p, "taetigkeit", b->activity_id);
    CT(p, "created", b->created);
    CT(p, "modified", b->modified);
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
    return req_read(z, &q, "projektzeitListe", "projektzeiten", XSINK(out, parse_projektzeit), err);
}

static void projektzeit_fields(soap_req *q, xmlNode *p, const void *in)
{
    const zs_zep_booking *b = in;
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

typedef void (*fields_fn)(soap_req *q, xmlNode *el, const void *in);

/*
 * create<Entity> (id 0) or update<Entity> (id > 0) with one <elem> filled by fields. A create is
 * sent once (a lost answer may have been applied: the caller looks before writing again); an
 * update that describes the whole record is idempotent, so a lost answer may be retried.
 */
static zs_rc write_entity(zs_zep *z, const char *op, const char *elem, long id, fields_fn fields, const void *in,
                          long *id_out, zs_err *err)
{
    soap_req q;
    zs_rc rc = req_begin(z, &q, op, err);
    if (rc)
        return rc;
    xmlNode *el = add(&q, q.op, elem, NULL);
    if (id > 0)
        addf(&q, el, "id", "%ld", id);
    fields(&q, el, in);
    return req_write(z, &q, id > 0, id_out, err);
}

zs_rc zs_zep_soap_booking_create(zs_zep *z, const zs_zep_booking *b, long *id_out, zs_err *err)
{
    return write_entity(z, "createProjektzeit", "projektzeit", 0, projektzeit_fields, b, id_out, err);
}

zs_rc zs_zep_soap_booking_update(zs_zep *z, const zs_zep_booking *b, zs_err *err)
{
    if (b->id <= 0)
        return zs_err_set(err, ZS_ERR_FAILED, "zep soap updateProjektzeit: id required");
    return write_entity(z, "updateProjektzeit", "projektzeit", b->id, projektzeit_fields, b, NULL, err);
}

static zs_rc delete_by_id(zs_zep *z, const char *op, long id, zs_err *err)
{
    soap_req q;
    zs_rc rc = req_begin(z, &q, op, err);
    if (rc)
        return rc;
    addf(&q, q.op, "id", "%ld", id);
    return req_write(z, &q, 0, NULL, err);
}

zs_rc zs_zep_soap_booking_delete(zs_zep *z, long id, zs_err *err) { return delete_by_id(z, "deleteProjektzeit", id, err); }

/* ---------------------------------------------------------------- absences */

static void parse_fehlzeit(xmlNode *f, void *out)
{
    zs_zep_absence *a = out;
    char v[64];
    CT(f, "id", v);
    a->id = atol(v);
    CT(f, "userId", a->employee_id);
    CT(f, "fehlgrund", a->reason);
    CT(f, "startdatum", a->start_date);
    CT(f, "enddatum", a->end_date);
    if (!a->end_date[0])
        zep_copy(a->end_date, sizeof a->end_date, a->start_date);
    CT(f, "istHalberTag", v);
    a->kind = is_true(v) ? ZS_ZEP_ABS_HALF_DAY : ZS_ZEP_ABS_FULL_DAY;
    CT(f, "vonZeit", v);
    a->hours = -1;
    if (v[0]) {
        a->kind = ZS_ZEP_ABS_HOURS;
        snprintf(a->from, sizeof a->from, "%.5s:00", v);
        CT(f, "bisZeit", v);
        snprintf(a->to, sizeof a->to, "%.5s:00", v);
    }
    CT(f, "genehmigt", v);
    a->approved = v[0] ? is_true(v) : 1; /* empty: the reason needs no approval */
    CT(f, "bemerkung", a->note);
    CT(f, "timezone", a->timezone);
    CT(f, "created", a->created);
    CT(f, "modified", a->modified);
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
    return req_read(z, &q, "fehlzeitListe", "fehlzeit", XSINK(out, parse_fehlzeit), err);
}

static void fehlzeit_fields(soap_req *q, xmlNode *f, const void *in)
{
    const zs_zep_absence *a = in;
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
    return write_entity(z, "createFehlzeit", "fehlzeit", 0, fehlzeit_fields, a, id_out, err);
}

zs_rc zs_zep_soap_absence_update(zs_zep *z, const zs_zep_absence *a, zs_err *err)
{
    if (a->id <= 0)
        return zs_err_set(err, ZS_ERR_FAILED, "zep soap updateFehlzeit: id required");
    return write_entity(z, "updateFehlzeit", "fehlzeit", a->id, fehlzeit_fields, a, NULL, err);
}

zs_rc zs_zep_soap_absence_delete(zs_zep *z, long id, zs_err *err) { return delete_by_id(z, "deleteFehlzeit", id, err); }

static void parse_fehlgrund(xmlNode *g, void *out)
{
    zs_zep_absence_reason *r = out;
    char v[64];
    CT(g, "kurzform", r->name);
    CT(g, "bezeichnung", r->label);
    CT(g, "genehmigungspflichtig", v);
    r->needs_approval = is_true(v);
    xmlNode *fd = child(g, "fehldauer");
    CT(fd, "halberTag", v);
    r->allow_half_day = is_true(v);
    CT(fd, "stunden", v);
    r->allow_hours = is_true(v);
    CT(g, "art", v);
    r->type_id = atoi(v);
}

zs_rc zs_zep_soap_reasons(zs_zep *z, zs_zep_reason_vec *out, zs_err *err)
{
    soap_req q;
    zs_rc rc = req_begin(z, &q, "readFehlgrund", err);
    if (rc)
        return rc;
    add(&q, q.op, "readFehlgrundSearchCriteria", NULL);
    return req_read(z, &q, "fehlgrundListe", "fehlgrund", XSINK(out, parse_fehlgrund), err);
}
