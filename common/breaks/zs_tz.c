/*
 * zs_tz: time zones read straight from the system's TZif files.
 *
 * localtime_r/mktime depend on the process-global TZ variable and handle gaps and folds differently
 * across platforms, so the engine never calls them: it looks offsets up in the parsed transition
 * table, and beyond the table (tzdata may be "slim") in the POSIX rule of the file's footer.
 */
#include "breaks/zs_breaks.h"
#include "zs_breaks_int.h"

#include <errno.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

typedef struct zs_tz_rule {
    int kind;  /* 'J' Julian 1..365 without Feb 29, 'D' zero-based day of year, 'M' month.week.day */
    int m, w, d, n;
    int32_t time; /* seconds after local midnight, may be negative or > 24 h (TZif v3) */
} zs_tz_rule;

struct zs_tz {
    char *name;
    size_t ntrans;
    int64_t *trans;
    unsigned char *idx;
    size_t ntypes;
    int32_t *utoff;
    int has_footer; /* footer rule parsed */
    int32_t std_off, dst_off; /* UTC offsets (east positive) */
    int has_dst;
    zs_tz_rule start, end;
};

const char *zs_tz_name(const zs_tz *tz)
{
    return tz ? tz->name : "";
}

void zs_tz_free(zs_tz *tz)
{
    if (!tz)
        return;
    free(tz->name);
    free(tz->trans);
    free(tz->idx);
    free(tz->utoff);
    free(tz);
}

/* ---- POSIX TZ strings (the footer) ---- */

static const char *posix_name(const char *p)
{
    if (*p == '<') {
        const char *q = strchr(p, '>');
        return q ? q + 1 : NULL;
    }
    const char *s = p;
    while ((*p >= 'A' && *p <= 'Z') || (*p >= 'a' && *p <= 'z'))
        p++;
    return p - s >= 3 ? p : NULL;
}

/* [+-]hh[:mm[:ss]] with hours up to max_h; seconds into *out. */
static const char *posix_hms(const char *p, int max_h, int32_t *out)
{
    int sign = 1;
    if (*p == '+' || *p == '-') {
        if (*p == '-')
            sign = -1;
        p++;
    }
    if (*p < '0' || *p > '9')
        return NULL;
    int h = 0, m = 0, s = 0, nd = 0;
    while (*p >= '0' && *p <= '9' && nd < 3) {
        h = h * 10 + (*p++ - '0');
        nd++;
    }
    if (h > max_h)
        return NULL;
    for (int part = 0; part < 2 && *p == ':'; part++) {
        p++;
        if (p[0] < '0' || p[0] > '9' || p[1] < '0' || p[1] > '9')
            return NULL;
        int v = (p[0] - '0') * 10 + (p[1] - '0');
        if (v > 59)
            return NULL;
        if (part == 0)
            m = v;
        else
            s = v;
        p += 2;
    }
    *out = sign * (h * 3600 + m * 60 + s);
    return p;
}

static const char *posix_num(const char *p, int lo, int hi, int *out)
{
    if (*p < '0' || *p > '9')
        return NULL;
    int v = 0, nd = 0;
    while (*p >= '0' && *p <= '9') {
        if (++nd > 4)
            return NULL;
        v = v * 10 + (*p++ - '0');
    }
    if (v < lo || v > hi)
        return NULL;
    *out = v;
    return p;
}

static const char *posix_rule(const char *p, zs_tz_rule *r)
{
    memset(r, 0, sizeof *r);
    r->time = 7200;
    if (*p == 'M') {
        r->kind = 'M';
        if (!(p = posix_num(p + 1, 1, 12, &r->m)) || *p++ != '.' || !(p = posix_num(p, 1, 5, &r->w)) ||
            *p++ != '.' || !(p = posix_num(p, 0, 6, &r->d)))
            return NULL;
    } else if (*p == 'J') {
        r->kind = 'J';
        if (!(p = posix_num(p + 1, 1, 365, &r->n)))
            return NULL;
    } else {
        r->kind = 'D';
        if (!(p = posix_num(p, 0, 365, &r->n)))
            return NULL;
    }
    if (*p == '/' && !(p = posix_hms(p + 1, 167, &r->time)))
        return NULL;
    return p;
}

static int posix_parse(zs_tz *tz, const char *s)
{
    const char *p = posix_name(s);
    int32_t off;
    if (!p || !(p = posix_hms(p, 24, &off)))
        return -1;
    tz->std_off = -off; /* POSIX counts west as positive */
    tz->has_dst = 0;
    if (*p == '\0')
        return 0;
    if (!(p = posix_name(p)))
        return -1;
    tz->dst_off = tz->std_off + 3600;
    if (*p && *p != ',') {
        if (!(p = posix_hms(p, 24, &off)))
            return -1;
        tz->dst_off = -off;
    }
    if (*p == '\0') {
        /* POSIX leaves the default rule to the implementation; glibc uses the US one. */
        p = ",M3.2.0,M11.1.0";
    }
    if (*p++ != ',' || !(p = posix_rule(p, &tz->start)) || *p++ != ',' || !(p = posix_rule(p, &tz->end)) ||
        *p != '\0')
        return -1;
    tz->has_dst = 1;
    return 0;
}

/* Local seconds since the epoch (wall clock read as UTC) at which rule r fires in year y. */
static int64_t rule_local(const zs_tz_rule *r, int64_t y)
{
    int64_t days;
    if (r->kind == 'J') {
        days = zsb_days_from_civil(y, 1, 1) + r->n - 1 + (zsb_is_leap(y) && r->n >= 60);
    } else if (r->kind == 'D') {
        days = zsb_days_from_civil(y, 1, 1) + r->n;
    } else {
        int64_t first = zsb_days_from_civil(y, r->m, 1);
        int md = 1 + (r->d - zsb_weekday(first) + 7) % 7 + (r->w - 1) * 7;
        while (md > zsb_month_days(y, r->m))
            md -= 7;
        days = first + md - 1;
    }
    return days * 86400 + r->time;
}

static int32_t footer_offset(const zs_tz *tz, int64_t t)
{
    if (!tz->has_dst)
        return tz->std_off;
    int y, m, d;
    zsb_civil_from_days(zsb_floor_div(t + tz->std_off, 86400), &y, &m, &d);
    /* Check the neighbouring years too: a rule time beyond 24 h can move a switch across New Year. */
    int in_dst = 0;
    int64_t best = INT64_MIN;
    for (int64_t yy = (int64_t)y - 1; yy <= (int64_t)y + 1; yy++) {
        int64_t s = rule_local(&tz->start, yy) - tz->std_off;
        int64_t e = rule_local(&tz->end, yy) - tz->dst_off;
        if (s <= t && s > best) {
            best = s;
            in_dst = 1;
        }
        if (e <= t && e > best) {
            best = e;
            in_dst = 0;
        }
    }
    return in_dst ? tz->dst_off : tz->std_off;
}

int32_t zs_tz_offset_span(const zs_tz *tz, int64_t t, int64_t *span_lo, int64_t *span_hi)
{
    /* Footer answers are not cached (a one-second span): they are rare, years past the table. */
    *span_lo = t;
    *span_hi = t + 1;
    if (!tz)
        return 0;
    if (tz->ntrans == 0 || t < tz->trans[0]) {
        if (tz->ntrans == 0 && tz->has_footer)
            return footer_offset(tz, t);
        *span_lo = INT64_MIN;
        *span_hi = tz->ntrans ? tz->trans[0] : INT64_MAX;
        return tz->ntypes ? tz->utoff[0] : 0;
    }
    if (t >= tz->trans[tz->ntrans - 1] && tz->has_footer)
        return footer_offset(tz, t);
    size_t lo = 0, hi = tz->ntrans; /* last transition <= t is in [lo, hi) */
    while (hi - lo > 1) {
        size_t mid = lo + (hi - lo) / 2;
        if (tz->trans[mid] <= t)
            lo = mid;
        else
            hi = mid;
    }
    *span_lo = tz->trans[lo];
    *span_hi = lo + 1 < tz->ntrans ? tz->trans[lo + 1] : INT64_MAX;
    return tz->utoff[tz->idx[lo]];
}

int32_t zs_tz_offset(const zs_tz *tz, int64_t t)
{
    int64_t lo, hi;
    return zs_tz_offset_span(tz, t, &lo, &hi);
}

/* ---- TZif ---- */

static uint32_t be32(const unsigned char *p)
{
    return (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 | (uint32_t)p[2] << 8 | p[3];
}

static int64_t be64(const unsigned char *p)
{
    return (int64_t)((uint64_t)be32(p) << 32 | be32(p + 4));
}

typedef struct tzif_hdr {
    uint32_t isutcnt, isstdcnt, leapcnt, timecnt, typecnt, charcnt;
} tzif_hdr;

static int read_hdr(const unsigned char *p, size_t len, tzif_hdr *h, int *version)
{
    if (len < 44 || memcmp(p, "TZif", 4) != 0)
        return -1;
    *version = p[4];
    h->isutcnt = be32(p + 20);
    h->isstdcnt = be32(p + 24);
    h->leapcnt = be32(p + 28);
    h->timecnt = be32(p + 32);
    h->typecnt = be32(p + 36);
    h->charcnt = be32(p + 40);
    /* Bounds keep every size computation below far from overflow. */
    if (h->timecnt > 1000000 || h->typecnt > 256 || h->charcnt > 65536 || h->leapcnt > 100000 ||
        h->isutcnt > 256 || h->isstdcnt > 256)
        return -1;
    return 0;
}

static size_t data_len(const tzif_hdr *h, size_t tsize)
{
    return (size_t)h->timecnt * tsize + h->timecnt + (size_t)h->typecnt * 6 + h->charcnt +
           (size_t)h->leapcnt * (tsize + 4) + h->isstdcnt + h->isutcnt;
}

zs_rc zs_tz_parse(const char *name, const unsigned char *data, size_t len, zs_tz **out, zs_err *err)
{
    *out = NULL;
    tzif_hdr h;
    int version;
    if (read_hdr(data, len, &h, &version) != 0)
        return zs_err_set(err, ZS_ERR_FAILED, "time zone %s: not a TZif file", name);
    size_t tsize = 4;
    const unsigned char *p = data + 44;
    size_t left = len - 44;
    if (version >= '2') {
        size_t skip = data_len(&h, 4);
        if (skip > left)
            return zs_err_set(err, ZS_ERR_FAILED, "time zone %s: truncated TZif file", name);
        p += skip;
        left -= skip;
        if (read_hdr(p, left, &h, &version) != 0)
            return zs_err_set(err, ZS_ERR_FAILED, "time zone %s: bad TZif v2 header", name);
        p += 44;
        left -= 44;
        tsize = 8;
    }
    if (data_len(&h, tsize) > left)
        return zs_err_set(err, ZS_ERR_FAILED, "time zone %s: truncated TZif file", name);
    if (h.typecnt == 0)
        return zs_err_set(err, ZS_ERR_FAILED, "time zone %s: no local time types", name);
    if (h.leapcnt != 0)
        return zs_err_set(err, ZS_ERR_FAILED, "time zone %s: leap-second zones are not supported", name);

    zs_tz *tz = calloc(1, sizeof *tz);
    if (!tz)
        return zs_err_set(err, ZS_ERR_RETRY, "out of memory");
    tz->name = strdup(name);
    tz->ntrans = h.timecnt;
    tz->ntypes = h.typecnt;
    tz->trans = calloc(h.timecnt ? h.timecnt : 1, sizeof *tz->trans);
    tz->idx = calloc(h.timecnt ? h.timecnt : 1, 1);
    tz->utoff = calloc(h.typecnt, sizeof *tz->utoff);
    if (!tz->name || !tz->trans || !tz->idx || !tz->utoff) {
        zs_tz_free(tz);
        return zs_err_set(err, ZS_ERR_RETRY, "out of memory");
    }
    for (size_t i = 0; i < h.timecnt; i++) {
        tz->trans[i] = tsize == 8 ? be64(p + i * 8) : (int64_t)(int32_t)be32(p + i * 4);
        if (i > 0 && tz->trans[i] <= tz->trans[i - 1]) {
            zs_tz_free(tz);
            return zs_err_set(err, ZS_ERR_FAILED, "time zone %s: transitions out of order", name);
        }
    }
    p += (size_t)h.timecnt * tsize;
    for (size_t i = 0; i < h.timecnt; i++) {
        tz->idx[i] = p[i];
        if (p[i] >= h.typecnt) {
            zs_tz_free(tz);
            return zs_err_set(err, ZS_ERR_FAILED, "time zone %s: bad type index", name);
        }
    }
    p += h.timecnt;
    for (size_t i = 0; i < h.typecnt; i++) {
        int32_t off = (int32_t)be32(p + i * 6);
        if (off < -26 * 3600 || off > 26 * 3600) {
            zs_tz_free(tz);
            return zs_err_set(err, ZS_ERR_FAILED, "time zone %s: offset out of range", name);
        }
        tz->utoff[i] = off;
    }
    p += (size_t)h.typecnt * 6;
    p += h.charcnt + (size_t)h.leapcnt * (tsize + 4) + h.isstdcnt + h.isutcnt;
    left = len - (size_t)(p - data);
    if (version >= '2' && left >= 2 && p[0] == '\n') {
        const unsigned char *nl = memchr(p + 1, '\n', left - 1);
        if (nl && nl - p - 1 < 256 && nl - p > 1) {
            char footer[256];
            memcpy(footer, p + 1, (size_t)(nl - p - 1));
            footer[nl - p - 1] = '\0';
            if (posix_parse(tz, footer) != 0) {
                zs_tz_free(tz);
                return zs_err_set(err, ZS_ERR_FAILED, "time zone %s: bad footer rule", name);
            }
            tz->has_footer = 1;
        }
    }
    *out = tz;
    return ZS_OK;
}

/* ---- the cache ---- */

typedef struct tz_node {
    zs_tz *tz;
    struct tz_node *next;
} tz_node;

struct zs_tz_db {
    char *dir;
    pthread_mutex_t mu;
    tz_node *zones;
};

zs_tz_db *zs_tz_db_new(const char *dir)
{
    if (!dir || !*dir)
        dir = getenv("TZDIR");
    if (!dir || !*dir)
        dir = "/usr/share/zoneinfo";
    zs_tz_db *db = calloc(1, sizeof *db);
    if (!db)
        return NULL;
    db->dir = strdup(dir);
    if (!db->dir || pthread_mutex_init(&db->mu, NULL) != 0) {
        free(db->dir);
        free(db);
        return NULL;
    }
    return db;
}

void zs_tz_db_free(zs_tz_db *db)
{
    if (!db)
        return;
    for (tz_node *n = db->zones, *next; n; n = next) {
        next = n->next;
        zs_tz_free(n->tz);
        free(n);
    }
    pthread_mutex_destroy(&db->mu);
    free(db->dir);
    free(db);
}

/* IANA names are letters, digits and "/_+-"; no empty or dot-led component, so no "..". */
static int name_ok(const char *name)
{
    size_t n = strlen(name);
    if (n == 0 || n > 128)
        return 0;
    int comp_start = 1;
    for (const char *p = name; *p; p++) {
        char c = *p;
        if (c == '/') {
            if (comp_start)
                return 0;
            comp_start = 1;
            continue;
        }
        if (comp_start && (c == '.' || c == '-'))
            return 0;
        comp_start = 0;
        if (!((c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '_' ||
              c == '+' || c == '-' || c == '.'))
            return 0;
    }
    return !comp_start;
}

static zs_rc load_file(const char *path, const char *name, zs_tz **out, zs_err *err)
{
    FILE *f = fopen(path, "rb");
    if (!f)
        return zs_err_set(err, ZS_ERR_NOTFOUND, "unknown time zone \"%s\"", name);
    enum { MAX = 1 << 20 };
    unsigned char *buf = malloc(MAX);
    if (!buf) {
        fclose(f);
        return zs_err_set(err, ZS_ERR_RETRY, "out of memory");
    }
    size_t n = fread(buf, 1, MAX, f);
    int bad = ferror(f);
    fclose(f);
    zs_rc rc;
    if (bad || n == 0 || n == MAX)
        rc = zs_err_set(err, ZS_ERR_NOTFOUND, "unknown time zone \"%s\"", name);
    else {
        zs_err why;
        zs_err_clear(&why);
        rc = zs_tz_parse(name, buf, n, out, &why);
        if (rc == ZS_ERR_FAILED)
            rc = zs_err_set(err, ZS_ERR_NOTFOUND, "unknown time zone \"%s\" (%s)", name, why.msg);
        else if (rc != ZS_OK)
            rc = zs_err_set(err, rc, "%s", why.msg);
    }
    free(buf);
    return rc;
}

zs_rc zs_tz_db_get(zs_tz_db *db, const char *name, const zs_tz **out, zs_err *err)
{
    *out = NULL;
    if (!db || !name || !name_ok(name))
        return zs_err_set(err, ZS_ERR_NOTFOUND, "unknown time zone \"%.64s\"", name ? name : "");
    pthread_mutex_lock(&db->mu);
    for (tz_node *n = db->zones; n; n = n->next) {
        if (strcmp(n->tz->name, name) == 0) {
            *out = n->tz;
            pthread_mutex_unlock(&db->mu);
            return ZS_OK;
        }
    }
    char path[1024];
    zs_rc rc;
    zs_tz *tz = NULL;
    if ((size_t)snprintf(path, sizeof path, "%s/%s", db->dir, name) >= sizeof path) {
        rc = zs_err_set(err, ZS_ERR_NOTFOUND, "unknown time zone \"%.64s\"", name);
    } else if ((rc = load_file(path, name, &tz, err)) == ZS_OK) {
        tz_node *node = malloc(sizeof *node);
        if (!node) {
            zs_tz_free(tz);
            rc = zs_err_set(err, ZS_ERR_RETRY, "out of memory");
        } else {
            node->tz = tz;
            node->next = db->zones;
            db->zones = node;
            *out = tz;
        }
    }
    pthread_mutex_unlock(&db->mu);
    return rc;
}
