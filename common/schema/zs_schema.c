#include "schema/zs_schema.h"

#include "core/zs_date.h"

#include <ctype.h>
#include <errno.h>
#include <math.h>
#include <regex.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#ifndef ZS_SCHEMAS_DIR_DEFAULT
#define ZS_SCHEMAS_DIR_DEFAULT "schemas"
#endif

#define MAX_DEPTH 64
#define PTR_MAX 1024
#define SCHEMA_FILE_MAX (4u << 20)

/* A compiled pattern, keyed by the address of the pattern text inside the schema document (the
 * "pattern" string or a patternProperties key); both stay put while the document lives. */
typedef struct zs_rx {
    const char *key;
    regex_t re;
} zs_rx;

struct zs_schema {
    json_object *root;
    char *id;
    zs_rx *rx;
    size_t n_rx, cap_rx;
};

/* ------------------------------------------------------------------------------------------ */
/* JSON pointers                                                                               */

typedef struct zs_ptr {
    char s[PTR_MAX];
    size_t len;
} zs_ptr;

static size_t ptr_push(zs_ptr *p, const char *seg)
{
    size_t mark = p->len;
    if (p->len + 1 < PTR_MAX)
        p->s[p->len++] = '/';
    for (const char *c = seg; *c && p->len + 3 < PTR_MAX; c++) {
        if (*c == '~') {
            p->s[p->len++] = '~';
            p->s[p->len++] = '0';
        } else if (*c == '/') {
            p->s[p->len++] = '~';
            p->s[p->len++] = '1';
        } else {
            p->s[p->len++] = *c;
        }
    }
    p->s[p->len] = '\0';
    return mark;
}

static size_t ptr_push_index(zs_ptr *p, size_t i)
{
    char tmp[32];
    snprintf(tmp, sizeof tmp, "%zu", i);
    return ptr_push(p, tmp);
}

static void ptr_pop(zs_ptr *p, size_t mark)
{
    p->len = mark;
    p->s[mark] = '\0';
}

static const char *ptr_show(const zs_ptr *p)
{
    return p->len ? p->s : "(root)";
}

/* Resolves a local "$ref" ("#" or "#/a/b~1c") against root. NULL if it does not resolve. */
static json_object *ref_resolve(json_object *root, const char *ref, int *found)
{
    *found = 0;
    if (ref[0] != '#')
        return NULL;
    const char *p = ref + 1;
    json_object *cur = root;
    if (*p == '\0') {
        *found = 1;
        return cur;
    }
    if (*p != '/')
        return NULL;
    while (*p == '/') {
        p++;
        char seg[256];
        size_t n = 0;
        while (*p && *p != '/') {
            char ch = *p++;
            if (ch == '~' && (*p == '0' || *p == '1'))
                ch = *p++ == '0' ? '~' : '/';
            if (n + 1 >= sizeof seg)
                return NULL;
            seg[n++] = ch;
        }
        seg[n] = '\0';
        if (json_object_is_type(cur, json_type_object)) {
            json_object *next;
            if (!json_object_object_get_ex(cur, seg, &next))
                return NULL;
            cur = next;
        } else if (json_object_is_type(cur, json_type_array)) {
            char *end;
            errno = 0;
            unsigned long idx = strtoul(seg, &end, 10);
            if (errno || *end || end == seg || idx >= json_object_array_length(cur))
                return NULL;
            cur = json_object_array_get_idx(cur, idx);
        } else {
            return NULL;
        }
    }
    *found = 1;
    return cur;
}

/* ------------------------------------------------------------------------------------------ */
/* Regular expressions                                                                         */

/* Translates the ECMA-262 escapes our schemas use into POSIX ERE. NULL (and a reason) when the
 * pattern uses an escape with no POSIX equivalent, so it fails at load rather than mis-matching. */
static char *ecma_to_posix(const char *p, const char **why)
{
    zs_buf b;
    zs_buf_init(&b);
    int in_br = 0;
    size_t br_start = 0;
    for (size_t i = 0; p[i]; i++) {
        char c = p[i];
        if (c == '\\') {
            char e = p[++i];
            if (!e) {
                *why = "trailing backslash";
                zs_buf_release(&b);
                return NULL;
            }
            const char *rep = NULL;
            char lit[3] = {0};
            if (in_br) {
                switch (e) {
                case 'd': rep = "0-9"; break;
                case 'w': rep = "A-Za-z0-9_"; break;
                case 's': rep = "[:space:]"; break;
                case 'n': rep = "\n"; break;
                case 't': rep = "\t"; break;
                case '-':
                    if (p[i + 1] != ']') {
                        *why = "escaped '-' inside brackets must be last";
                        zs_buf_release(&b);
                        return NULL;
                    }
                    rep = "-";
                    break;
                case ']':
                case '^':
                    *why = "escaped ']' or '^' inside brackets";
                    zs_buf_release(&b);
                    return NULL;
                default:
                    if (isalnum((unsigned char)e)) {
                        *why = "unsupported escape";
                        zs_buf_release(&b);
                        return NULL;
                    }
                    lit[0] = e;
                    rep = lit;
                }
            } else {
                switch (e) {
                case 'd': rep = "[0-9]"; break;
                case 'D': rep = "[^0-9]"; break;
                case 'w': rep = "[A-Za-z0-9_]"; break;
                case 'W': rep = "[^A-Za-z0-9_]"; break;
                case 's': rep = "[[:space:]]"; break;
                case 'S': rep = "[^[:space:]]"; break;
                case 'n': rep = "\n"; break;
                case 't': rep = "\t"; break;
                case '/': rep = "/"; break;
                default:
                    if (isalnum((unsigned char)e)) {
                        *why = "unsupported escape";
                        zs_buf_release(&b);
                        return NULL;
                    }
                    lit[0] = '\\';
                    lit[1] = e;
                    rep = lit;
                }
            }
            zs_buf_puts(&b, rep);
            continue;
        }
        if (!in_br && c == '[') {
            in_br = 1;
            zs_buf_append(&b, &c, 1);
            br_start = i + 1;
            if (p[i + 1] == '^') {
                zs_buf_append(&b, "^", 1);
                i++;
                br_start = i + 1;
            }
            continue;
        }
        if (in_br && c == ']' && i != br_start)
            in_br = 0;
        zs_buf_append(&b, &c, 1);
    }
    if (b.oom) {
        *why = "out of memory";
        zs_buf_release(&b);
        return NULL;
    }
    return zs_buf_steal(&b);
}

/*
 * glibc's regcomp expands bounded repetitions into an automaton, so a pattern such as a{1,32767}
 * or ((a{100}){100}){100} costs gigabytes at load (the schema fuzzer hit 2 GB). Estimate the
 * expanded size (sequences add, alternatives add, x{m,n} multiplies x by max(m,n)) and refuse
 * patterns above ZS_RX_MAX_EXPANSION before regcomp sees them. Stacked quantifiers (a++++, a*{2})
 * are refused too: ECMA-262 rejects them ("nothing to repeat") and glibc compiles them in
 * exponential memory; one lazy '?' after a quantifier stays allowed (it matches the same strings).
 */
#define ZS_RX_MAX_EXPANSION 10000L
#define ZS_RX_MAX_DEPTH 32

static long rx_cap(long v) { return v > ZS_RX_MAX_EXPANSION * 10 ? ZS_RX_MAX_EXPANSION * 10 : v; }

static int rx_expansion_ok(const char *p)
{
    long total[ZS_RX_MAX_DEPTH + 1] = {0}, last[ZS_RX_MAX_DEPTH + 1] = {0};
    int d = 0;
    enum { AT_START, AFTER_ATOM, AFTER_QUANT, AFTER_LAZY } prev = AT_START;
    for (size_t i = 0; p[i]; i++) {
        char c = p[i];
        if (c == '*' || c == '+' || c == '?' || c == '{') {
            if (prev == AT_START || prev == AFTER_LAZY || (prev == AFTER_QUANT && c != '?'))
                return 0;
            prev = prev == AFTER_QUANT ? AFTER_LAZY : AFTER_QUANT;
        } else if (c == '(' || c == '|') {
            prev = AT_START;
        } else if (c != '^') {
            prev = AFTER_ATOM;
        }
        if (c == '(') {
            if (d == ZS_RX_MAX_DEPTH)
                return 0;
            d++;
            total[d] = last[d] = 0;
        } else if (c == ')' && d > 0) {
            long inner = rx_cap(total[d] + last[d]);
            d--;
            total[d] = rx_cap(total[d] + last[d]);
            last[d] = inner ? inner : 1;
        } else if (c == '|') {
            total[d] = rx_cap(total[d] + last[d]);
            last[d] = 0;
        } else if (c == '{') {
            char *end;
            long m = strtol(p + i + 1, &end, 10), n = m;
            if (*end == ',')
                n = end[1] == '}' ? m : strtol(end + 1, &end, 10);
            while (*end && *end != '}')
                end++;
            long k = n > m ? n : m;
            last[d] = rx_cap((last[d] ? last[d] : 1) * (k > 1 ? k : 1));
            i = (size_t)(end - p) - (*end ? 0 : 1);
        } else if (c == '*' || c == '+' || c == '?') {
            continue;
        } else {
            total[d] = rx_cap(total[d] + last[d]);
            last[d] = 1;
            if (c == '\\' && p[i + 1]) {
                i++;
            } else if (c == '[') {
                /* a bracket expression is one atom: skip to its closing ']' */
                size_t j = i + 1;
                if (p[j] == '^')
                    j++;
                if (p[j] == ']')
                    j++;
                while (p[j] && p[j] != ']') {
                    if (p[j] == '[' && p[j + 1] == ':') {
                        const char *close = strstr(p + j + 2, ":]");
                        j = close ? (size_t)(close - p) + 2 : j + 1;
                        continue;
                    }
                    j++;
                }
                i = p[j] ? j : j - 1;
            }
        }
        if (last[d] >= ZS_RX_MAX_EXPANSION || total[d] >= ZS_RX_MAX_EXPANSION)
            return 0;
    }
    return total[d] + last[d] < ZS_RX_MAX_EXPANSION;
}

static const regex_t *rx_find(const zs_schema *s, const char *key)
{
    for (size_t i = 0; i < s->n_rx; i++)
        if (s->rx[i].key == key)
            return &s->rx[i].re;
    return NULL;
}

static zs_rc rx_add(zs_schema *s, const char *key, const zs_ptr *where, zs_err *err)
{
    if (s->n_rx == s->cap_rx) {
        size_t cap = s->cap_rx ? s->cap_rx * 2 : 16;
        zs_rx *n = realloc(s->rx, cap * sizeof *n);
        if (!n)
            return zs_err_set(err, ZS_ERR_FAILED, "schema: out of memory");
        s->rx = n;
        s->cap_rx = cap;
    }
    const char *why = NULL;
    char *posix = ecma_to_posix(key, &why);
    if (!posix)
        return zs_err_set(err, ZS_ERR_FAILED, "schema %s: pattern %s: %s", ptr_show(where), key, why);
    if (!rx_expansion_ok(posix)) {
        free(posix);
        return zs_err_set(err, ZS_ERR_FAILED,
                          "schema %s: pattern %s: repetition too large (or quantifiers stacked)",
                          ptr_show(where), key);
    }
    int rc = regcomp(&s->rx[s->n_rx].re, posix, REG_EXTENDED | REG_NOSUB);
    free(posix);
    if (rc != 0) {
        char msg[128];
        regerror(rc, &s->rx[s->n_rx].re, msg, sizeof msg);
        return zs_err_set(err, ZS_ERR_FAILED, "schema %s: pattern %s: %s", ptr_show(where), key, msg);
    }
    s->rx[s->n_rx].key = key;
    s->n_rx++;
    return ZS_OK;
}

/* ------------------------------------------------------------------------------------------ */
/* Schema checking at load                                                                     */

static const char *const k_annotations[] = {"$schema", "$id", "$comment", "title", "description",
                                            "default", "examples", "deprecated", "readOnly",
                                            "writeOnly", "$anchor", NULL};
static const char *const k_types[] = {"null",  "boolean", "object", "array",
                                      "number", "integer", "string", NULL};

static int in_list(const char *const *list, const char *s)
{
    for (; *list; list++)
        if (strcmp(*list, s) == 0)
            return 1;
    return 0;
}

static int is_nonneg_int(json_object *v)
{
    return json_object_is_type(v, json_type_int) && json_object_get_int64(v) >= 0;
}

static int is_number(json_object *v)
{
    return json_object_is_type(v, json_type_int) || json_object_is_type(v, json_type_double);
}

static zs_rc check_schema(zs_schema *s, json_object *node, zs_ptr *sp, int depth, zs_err *err);

static zs_rc check_sub(zs_schema *s, json_object *node, zs_ptr *sp, const char *key, int depth,
                       zs_err *err)
{
    size_t m = ptr_push(sp, key);
    zs_rc rc = check_schema(s, node, sp, depth + 1, err);
    ptr_pop(sp, m);
    return rc;
}

static zs_rc check_schema_map(zs_schema *s, json_object *v, zs_ptr *sp, const char *kw, int depth,
                              int compile_keys, zs_err *err)
{
    if (!json_object_is_type(v, json_type_object))
        return zs_err_set(err, ZS_ERR_FAILED, "schema %s/%s: must be an object", sp->s, kw);
    size_t m = ptr_push(sp, kw);
    json_object_object_foreach(v, key, sub)
    {
        if (compile_keys && rx_add(s, key, sp, err) != ZS_OK) {
            ptr_pop(sp, m);
            return ZS_ERR_FAILED;
        }
        if (check_sub(s, sub, sp, key, depth, err) != ZS_OK) {
            ptr_pop(sp, m);
            return ZS_ERR_FAILED;
        }
    }
    ptr_pop(sp, m);
    return ZS_OK;
}

static zs_rc check_schema(zs_schema *s, json_object *node, zs_ptr *sp, int depth, zs_err *err)
{
    if (depth > MAX_DEPTH)
        return zs_err_set(err, ZS_ERR_FAILED, "schema %s: nested too deeply", ptr_show(sp));
    if (json_object_is_type(node, json_type_boolean))
        return ZS_OK;
    if (!json_object_is_type(node, json_type_object))
        return zs_err_set(err, ZS_ERR_FAILED, "schema %s: must be an object or a boolean",
                          ptr_show(sp));
    json_object_object_foreach(node, kw, v)
    {
        if (in_list(k_annotations, kw))
            continue;
        if (strcmp(kw, "type") == 0) {
            if (json_object_is_type(v, json_type_string)) {
                if (!in_list(k_types, json_object_get_string(v)))
                    return zs_err_set(err, ZS_ERR_FAILED, "schema %s/type: unknown type", sp->s);
            } else if (json_object_is_type(v, json_type_array) && json_object_array_length(v) > 0) {
                for (size_t i = 0; i < json_object_array_length(v); i++) {
                    json_object *t = json_object_array_get_idx(v, i);
                    if (!json_object_is_type(t, json_type_string) ||
                        !in_list(k_types, json_object_get_string(t)))
                        return zs_err_set(err, ZS_ERR_FAILED, "schema %s/type: unknown type",
                                          sp->s);
                }
            } else {
                return zs_err_set(err, ZS_ERR_FAILED,
                                  "schema %s/type: must be a string or a non-empty array", sp->s);
            }
        } else if (strcmp(kw, "properties") == 0 || strcmp(kw, "$defs") == 0 ||
                   strcmp(kw, "definitions") == 0) {
            if (check_schema_map(s, v, sp, kw, depth, 0, err) != ZS_OK)
                return ZS_ERR_FAILED;
        } else if (strcmp(kw, "patternProperties") == 0) {
            if (check_schema_map(s, v, sp, kw, depth, 1, err) != ZS_OK)
                return ZS_ERR_FAILED;
        } else if (strcmp(kw, "items") == 0 || strcmp(kw, "additionalProperties") == 0 ||
                   strcmp(kw, "not") == 0 || strcmp(kw, "if") == 0 || strcmp(kw, "then") == 0 ||
                   strcmp(kw, "else") == 0) {
            if (check_sub(s, v, sp, kw, depth, err) != ZS_OK)
                return ZS_ERR_FAILED;
        } else if (strcmp(kw, "allOf") == 0 || strcmp(kw, "anyOf") == 0 ||
                   strcmp(kw, "oneOf") == 0) {
            if (!json_object_is_type(v, json_type_array) || json_object_array_length(v) == 0)
                return zs_err_set(err, ZS_ERR_FAILED, "schema %s/%s: must be a non-empty array",
                                  sp->s, kw);
            size_t m = ptr_push(sp, kw);
            for (size_t i = 0; i < json_object_array_length(v); i++) {
                char idx[32];
                snprintf(idx, sizeof idx, "%zu", i);
                if (check_sub(s, json_object_array_get_idx(v, i), sp, idx, depth, err) != ZS_OK) {
                    ptr_pop(sp, m);
                    return ZS_ERR_FAILED;
                }
            }
            ptr_pop(sp, m);
        } else if (strcmp(kw, "required") == 0) {
            if (!json_object_is_type(v, json_type_array))
                return zs_err_set(err, ZS_ERR_FAILED, "schema %s/required: must be an array",
                                  sp->s);
            for (size_t i = 0; i < json_object_array_length(v); i++)
                if (!json_object_is_type(json_object_array_get_idx(v, i), json_type_string))
                    return zs_err_set(err, ZS_ERR_FAILED,
                                      "schema %s/required: must list strings", sp->s);
        } else if (strcmp(kw, "dependentRequired") == 0) {
            if (!json_object_is_type(v, json_type_object))
                return zs_err_set(err, ZS_ERR_FAILED,
                                  "schema %s/dependentRequired: must be an object", sp->s);
            json_object_object_foreach(v, dk, dv)
            {
                (void)dk;
                if (!json_object_is_type(dv, json_type_array))
                    return zs_err_set(err, ZS_ERR_FAILED,
                                      "schema %s/dependentRequired: values must be arrays", sp->s);
                for (size_t i = 0; i < json_object_array_length(dv); i++)
                    if (!json_object_is_type(json_object_array_get_idx(dv, i), json_type_string))
                        return zs_err_set(err, ZS_ERR_FAILED,
                                          "schema %s/dependentRequired: must list strings", sp->s);
            }
        } else if (strcmp(kw, "enum") == 0) {
            if (!json_object_is_type(v, json_type_array) || json_object_array_length(v) == 0)
                return zs_err_set(err, ZS_ERR_FAILED, "schema %s/enum: must be a non-empty array",
                                  sp->s);
        } else if (strcmp(kw, "const") == 0) {
            /* any value */
        } else if (strcmp(kw, "minLength") == 0 || strcmp(kw, "maxLength") == 0 ||
                   strcmp(kw, "minItems") == 0 || strcmp(kw, "maxItems") == 0 ||
                   strcmp(kw, "minProperties") == 0 || strcmp(kw, "maxProperties") == 0) {
            if (!is_nonneg_int(v))
                return zs_err_set(err, ZS_ERR_FAILED,
                                  "schema %s/%s: must be a non-negative integer", sp->s, kw);
        } else if (strcmp(kw, "minimum") == 0 || strcmp(kw, "maximum") == 0 ||
                   strcmp(kw, "exclusiveMinimum") == 0 || strcmp(kw, "exclusiveMaximum") == 0) {
            if (!is_number(v))
                return zs_err_set(err, ZS_ERR_FAILED, "schema %s/%s: must be a number", sp->s, kw);
        } else if (strcmp(kw, "uniqueItems") == 0) {
            if (!json_object_is_type(v, json_type_boolean))
                return zs_err_set(err, ZS_ERR_FAILED, "schema %s/uniqueItems: must be a boolean",
                                  sp->s);
        } else if (strcmp(kw, "pattern") == 0) {
            if (!json_object_is_type(v, json_type_string))
                return zs_err_set(err, ZS_ERR_FAILED, "schema %s/pattern: must be a string",
                                  sp->s);
            size_t m = ptr_push(sp, kw);
            zs_rc rc = rx_add(s, json_object_get_string(v), sp, err);
            ptr_pop(sp, m);
            if (rc != ZS_OK)
                return rc;
        } else if (strcmp(kw, "format") == 0) {
            if (!json_object_is_type(v, json_type_string))
                return zs_err_set(err, ZS_ERR_FAILED, "schema %s/format: must be a string", sp->s);
        } else if (strcmp(kw, "$ref") == 0) {
            int found;
            if (!json_object_is_type(v, json_type_string))
                return zs_err_set(err, ZS_ERR_FAILED, "schema %s/$ref: must be a string", sp->s);
            ref_resolve(s->root, json_object_get_string(v), &found);
            if (!found)
                return zs_err_set(err, ZS_ERR_FAILED,
                                  "schema %s/$ref: %s does not resolve (only local \"#/...\" "
                                  "references are supported)",
                                  sp->s, json_object_get_string(v));
        } else {
            return zs_err_set(err, ZS_ERR_FAILED, "schema %s: unsupported keyword \"%s\"",
                              ptr_show(sp), kw);
        }
    }
    return ZS_OK;
}

/* ------------------------------------------------------------------------------------------ */
/* Loading                                                                                     */

zs_rc zs_schema_parse_json(const char *text, size_t len, json_object **out, zs_err *err)
{
    *out = NULL;
    if (len > (size_t)INT32_MAX)
        return zs_err_set(err, ZS_ERR_FAILED, "invalid JSON: document too large");
    json_tokener *tok = json_tokener_new_ex(MAX_DEPTH);
    if (!tok)
        return zs_err_set(err, ZS_ERR_FAILED, "out of memory");
    json_tokener_set_flags(tok, JSON_TOKENER_STRICT);
    json_object *obj = json_tokener_parse_ex(tok, text, (int)len);
    enum json_tokener_error jerr = json_tokener_get_error(tok);
    size_t off = json_tokener_get_parse_end(tok);
    const char *why = NULL;
    if (jerr == json_tokener_continue) {
        /* A bare top-level number or literal waits for a delimiter: the NUL ends it. */
        off = len;
        obj = json_tokener_parse_ex(tok, "", 1);
        jerr = json_tokener_get_error(tok);
        if (jerr == json_tokener_continue)
            why = "unexpected end of input";
    }
    if (!why && jerr != json_tokener_success)
        why = json_tokener_error_desc(jerr);
    if (!why) {
        while (off < len && isspace((unsigned char)text[off]))
            off++;
        if (off < len)
            why = "trailing data after the value";
    }
    json_tokener_free(tok);
    if (why) {
        json_object_put(obj);
        int line = 1, col = 1;
        for (size_t i = 0; i < off && i < len; i++) {
            if (text[i] == '\n') {
                line++;
                col = 1;
            } else {
                col++;
            }
        }
        return zs_err_set(err, ZS_ERR_FAILED, "invalid JSON at line %d, column %d: %s", line, col,
                          why);
    }
    *out = obj;
    return ZS_OK;
}

zs_rc zs_schema_load_string(const char *text, const char *name, zs_schema **out, zs_err *err)
{
    *out = NULL;
    if (!name)
        name = "schema";
    json_object *root;
    if (zs_schema_parse_json(text, strlen(text), &root, err) != ZS_OK)
        return zs_err_wrap(err, ZS_ERR_FAILED, "%s", name);
    zs_schema *s = calloc(1, sizeof *s);
    if (!s) {
        json_object_put(root);
        return zs_err_set(err, ZS_ERR_FAILED, "%s: out of memory", name);
    }
    s->root = root;
    json_object *id;
    const char *ids = "";
    if (json_object_object_get_ex(root, "$id", &id) && json_object_is_type(id, json_type_string))
        ids = json_object_get_string(id);
    s->id = strdup(ids);
    if (!s->id) {
        zs_schema_free(s);
        return zs_err_set(err, ZS_ERR_FAILED, "%s: out of memory", name);
    }
    zs_ptr sp = {.len = 0};
    sp.s[0] = '\0';
    if (check_schema(s, root, &sp, 0, err) != ZS_OK) {
        zs_schema_free(s);
        return zs_err_wrap(err, ZS_ERR_FAILED, "%s", name);
    }
    *out = s;
    return ZS_OK;
}

zs_rc zs_schema_load_file(const char *path, zs_schema **out, zs_err *err)
{
    *out = NULL;
    FILE *f = fopen(path, "rb");
    if (!f)
        return zs_err_set(err, ZS_ERR_FAILED, "%s: %s", path, strerror(errno));
    zs_buf b;
    zs_buf_init(&b);
    char chunk[8192];
    size_t n;
    while ((n = fread(chunk, 1, sizeof chunk, f)) > 0) {
        if (b.len + n > SCHEMA_FILE_MAX) {
            fclose(f);
            zs_buf_release(&b);
            return zs_err_set(err, ZS_ERR_FAILED, "%s: larger than %u bytes", path,
                              SCHEMA_FILE_MAX);
        }
        zs_buf_append(&b, chunk, n);
    }
    int rerr = ferror(f);
    fclose(f);
    if (rerr || b.oom) {
        zs_buf_release(&b);
        return zs_err_set(err, ZS_ERR_FAILED, "%s: read failed", path);
    }
    zs_rc rc = zs_schema_load_string(zs_buf_str(&b), path, out, err);
    zs_buf_release(&b);
    return rc;
}

const char *zs_schema_default_dir(void)
{
    const char *e = getenv("ZS_SCHEMAS_DIR");
    if (e && *e)
        return e;
#ifdef ZS_SCHEMAS_DIR_INSTALLED
    /* A binary copied out of its build tree (a container image) finds the installed copy. */
    struct stat st;
    if (stat(ZS_SCHEMAS_DIR_DEFAULT, &st) != 0 && stat(ZS_SCHEMAS_DIR_INSTALLED, &st) == 0)
        return ZS_SCHEMAS_DIR_INSTALLED;
#endif
    return ZS_SCHEMAS_DIR_DEFAULT;
}

zs_rc zs_schema_load_named(const char *dir, const char *name, zs_schema **out, zs_err *err)
{
    char path[4096];
    if (!dir)
        dir = zs_schema_default_dir();
    if ((size_t)snprintf(path, sizeof path, "%s/%s.json", dir, name) >= sizeof path) {
        *out = NULL;
        return zs_err_set(err, ZS_ERR_FAILED, "schema path too long");
    }
    return zs_schema_load_file(path, out, err);
}

void zs_schema_free(zs_schema *s)
{
    if (!s)
        return;
    for (size_t i = 0; i < s->n_rx; i++)
        regfree(&s->rx[i].re);
    free(s->rx);
    free(s->id);
    json_object_put(s->root);
    free(s);
}

const char *zs_schema_id(const zs_schema *s)
{
    return s && s->id ? s->id : "";
}

/* ------------------------------------------------------------------------------------------ */
/* Formats                                                                                     */

int zs_schema_is_date(const char *s)
{
    return zs_date_parse(s, NULL) == 0;
}

/* RFC 3339 as written: 'T' and 'Z' may be lower case (section 5.6), unlike in the event codec.
 * full-time: HH:MM:SS[.frac](Z|+HH:MM|-HH:MM). */
static int full_time_ok(const char *s)
{
    return zs_date_parse_time(s, ZS_DATE_ANY_CASE, NULL) == 0;
}

int zs_schema_is_date_time(const char *s)
{
    return zs_date_parse_rfc3339(s, ZS_DATE_ANY_CASE, NULL) == 0;
}

int zs_schema_is_uuid(const char *s)
{
    if (!s || strlen(s) != 36)
        return 0;
    for (int i = 0; i < 36; i++) {
        if (i == 8 || i == 13 || i == 18 || i == 23) {
            if (s[i] != '-')
                return 0;
        } else if (!isxdigit((unsigned char)s[i])) {
            return 0;
        }
    }
    return 1;
}

static int is_email(const char *s)
{
    const char *at = strchr(s, '@');
    if (!at || at == s || !at[1] || strchr(at + 1, '@'))
        return 0;
    for (const char *c = s; *c; c++)
        if (isspace((unsigned char)*c) || iscntrl((unsigned char)*c))
            return 0;
    return 1;
}

static int is_uri(const char *s)
{
    if (!isalpha((unsigned char)*s))
        return 0;
    const char *c = s + 1;
    while (isalnum((unsigned char)*c) || *c == '+' || *c == '.' || *c == '-')
        c++;
    if (*c != ':' || !c[1])
        return 0;
    for (; *c; c++)
        if (isspace((unsigned char)*c) || iscntrl((unsigned char)*c))
            return 0;
    return 1;
}

/* 1 valid, 0 invalid, -1 unknown format (an annotation only). */
static int format_check(const char *fmt, const char *v)
{
    if (strcmp(fmt, "date") == 0)
        return zs_schema_is_date(v);
    if (strcmp(fmt, "date-time") == 0)
        return zs_schema_is_date_time(v);
    if (strcmp(fmt, "time") == 0)
        return full_time_ok(v);
    if (strcmp(fmt, "uuid") == 0)
        return zs_schema_is_uuid(v);
    if (strcmp(fmt, "email") == 0)
        return is_email(v);
    if (strcmp(fmt, "uri") == 0)
        return is_uri(v);
    return -1;
}

/* ------------------------------------------------------------------------------------------ */
/* Validation                                                                                  */

typedef struct vctx {
    const zs_schema *s;
    zs_buf *all;
    size_t max;
    size_t count;
    int quiet; /* probing an alternative: stop at the first error, record nothing */
    char first[ZS_ERR_MSG_MAX];
    zs_ptr ptr;
    int depth;
} vctx;

static void verr(vctx *c, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static void verr(vctx *c, const char *fmt, ...)
{
    c->count++;
    if (c->quiet)
        return;
    int want_all = c->all && (c->max == 0 || c->count <= c->max);
    if (c->count != 1 && !want_all)
        return;
    char msg[ZS_ERR_MSG_MAX];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(msg, sizeof msg, fmt, ap);
    va_end(ap);
    /* Messages longer than the buffer are cut; the pointer comes first so it always survives. */
    if (c->count == 1 &&
        snprintf(c->first, sizeof c->first, "%s: %s", ptr_show(&c->ptr), msg) >= (int)sizeof c->first)
        memcpy(c->first + sizeof c->first - 4, "...", 4);
    if (want_all)
        zs_buf_printf(c->all, "%s: %s\n", ptr_show(&c->ptr), msg);
}

static int stop(const vctx *c)
{
    return c->quiet && c->count > 0;
}

static const char *type_of(json_object *o)
{
    if (!o)
        return "null";
    switch (json_object_get_type(o)) {
    case json_type_boolean: return "boolean";
    case json_type_double: return "number";
    case json_type_int: return "integer";
    case json_type_object: return "object";
    case json_type_array: return "array";
    case json_type_string: return "string";
    default: return "null";
    }
}

static int type_is(const char *t, json_object *o)
{
    enum json_type jt = o ? json_object_get_type(o) : json_type_null;
    if (strcmp(t, "null") == 0)
        return jt == json_type_null;
    if (strcmp(t, "boolean") == 0)
        return jt == json_type_boolean;
    if (strcmp(t, "object") == 0)
        return jt == json_type_object;
    if (strcmp(t, "array") == 0)
        return jt == json_type_array;
    if (strcmp(t, "string") == 0)
        return jt == json_type_string;
    if (strcmp(t, "number") == 0)
        return jt == json_type_int || jt == json_type_double;
    if (strcmp(t, "integer") == 0) {
        if (jt == json_type_int)
            return 1;
        if (jt == json_type_double) {
            double d = json_object_get_double(o);
            return isfinite(d) && floor(d) == d;
        }
    }
    return 0;
}

/* JSON equality as JSON Schema defines it: 1 and 1.0 are equal, key order does not matter. */
static int json_eq(json_object *a, json_object *b)
{
    if (!a || !b)
        return !a && !b;
    enum json_type ta = json_object_get_type(a), tb = json_object_get_type(b);
    int na = ta == json_type_int || ta == json_type_double;
    int nb = tb == json_type_int || tb == json_type_double;
    if (na && nb) {
        if (ta == json_type_int && tb == json_type_int)
            return json_object_get_int64(a) == json_object_get_int64(b);
        return json_object_get_double(a) == json_object_get_double(b);
    }
    if (ta != tb)
        return 0;
    switch (ta) {
    case json_type_boolean:
        return !json_object_get_boolean(a) == !json_object_get_boolean(b);
    case json_type_string:
        return json_object_get_string_len(a) == json_object_get_string_len(b) &&
               memcmp(json_object_get_string(a), json_object_get_string(b),
                      (size_t)json_object_get_string_len(a)) == 0;
    case json_type_array: {
        size_t n = json_object_array_length(a);
        if (n != json_object_array_length(b))
            return 0;
        for (size_t i = 0; i < n; i++)
            if (!json_eq(json_object_array_get_idx(a, i), json_object_array_get_idx(b, i)))
                return 0;
        return 1;
    }
    case json_type_object: {
        if (json_object_object_length(a) != json_object_object_length(b))
            return 0;
        json_object_object_foreach(a, k, va)
        {
            json_object *vb;
            if (!json_object_object_get_ex(b, k, &vb) || !json_eq(va, vb))
                return 0;
        }
        return 1;
    }
    default:
        return 1;
    }
}

/* Renders schema values (never instance values) for messages, truncated. */
static void render(json_object *v, char *out, size_t cap)
{
    /* Serialising caches text inside the node; a private copy keeps the shared schema read-only
     * so that concurrent validations do not race on it. */
    json_object *copy = NULL;
    if (v && json_object_deep_copy(v, &copy, NULL) != 0)
        copy = NULL;
    const char *s = v ? (copy ? json_object_to_json_string_ext(copy, JSON_C_TO_STRING_PLAIN |
                                                                         JSON_C_TO_STRING_NOSLASHESCAPE)
                              : NULL)
                      : "null";
    if (!s)
        s = "?";
    size_t n = strlen(s);
    if (n < cap) {
        memcpy(out, s, n + 1);
    } else if (cap > 4) {
        memcpy(out, s, cap - 4);
        memcpy(out + cap - 4, "...", 4);
    } else if (cap) {
        out[0] = '\0';
    }
    json_object_put(copy);
}

static void render_enum(json_object *arr, char *out, size_t cap)
{
    size_t len = 0;
    out[0] = '\0';
    for (size_t i = 0; i < json_object_array_length(arr); i++) {
        char one[160];
        render(json_object_array_get_idx(arr, i), one, sizeof one);
        int w = snprintf(out + len, cap - len, "%s%s", i ? ", " : "", one);
        if (w < 0 || (size_t)w >= cap - len) {
            if (cap > 4)
                memcpy(out + cap - 4, "...", 4);
            return;
        }
        len += (size_t)w;
    }
}

static int cmp_num(json_object *a, json_object *b)
{
    if (json_object_is_type(a, json_type_int) && json_object_is_type(b, json_type_int)) {
        int64_t x = json_object_get_int64(a), y = json_object_get_int64(b);
        return x < y ? -1 : x > y;
    }
    double x = json_object_get_double(a), y = json_object_get_double(b);
    return x < y ? -1 : x > y;
}

static size_t utf8_len(const char *s, size_t n)
{
    size_t cps = 0;
    for (size_t i = 0; i < n; i++)
        if (((unsigned char)s[i] & 0xC0) != 0x80)
            cps++;
    return cps;
}

static void validate(vctx *c, json_object *schema, json_object *inst);

/* Runs schema against inst in a side context; returns its error count, copying its first message. */
static size_t probe(const vctx *c, json_object *schema, json_object *inst, int quiet, char *first,
                    size_t cap)
{
    vctx sub = {.s = c->s, .quiet = quiet, .depth = c->depth};
    memcpy(sub.ptr.s, c->ptr.s, c->ptr.len + 1);
    sub.ptr.len = c->ptr.len;
    sub.first[0] = '\0';
    validate(&sub, schema, inst);
    if (first && cap)
        snprintf(first, cap, "%s", sub.first);
    return sub.count;
}

static void alternatives_failed(vctx *c, json_object *arr, json_object *inst, const char *what)
{
    size_t best = SIZE_MAX;
    char best_msg[ZS_ERR_MSG_MAX] = "";
    if (!c->quiet) {
        for (size_t i = 0; i < json_object_array_length(arr); i++) {
            char msg[ZS_ERR_MSG_MAX];
            size_t n = probe(c, json_object_array_get_idx(arr, i), inst, 0, msg, sizeof msg);
            if (n < best) {
                best = n;
                snprintf(best_msg, sizeof best_msg, "%s", msg);
            }
        }
    }
    verr(c, "matches none of the %s alternatives; closest: %.300s", what, best_msg);
}

static void validate_object(vctx *c, json_object *schema, json_object *inst)
{
    json_object *v, *props = NULL, *pprops = NULL;
    if (json_object_object_get_ex(schema, "required", &v)) {
        for (size_t i = 0; i < json_object_array_length(v) && !stop(c); i++) {
            const char *name = json_object_get_string(json_object_array_get_idx(v, i));
            if (!json_object_object_get_ex(inst, name, NULL)) {
                size_t m = ptr_push(&c->ptr, name);
                verr(c, "required");
                ptr_pop(&c->ptr, m);
            }
        }
    }
    if (json_object_object_get_ex(schema, "dependentRequired", &v)) {
        json_object_object_foreach(v, key, needs)
        {
            if (!json_object_object_get_ex(inst, key, NULL))
                continue;
            for (size_t i = 0; i < json_object_array_length(needs) && !stop(c); i++) {
                const char *name = json_object_get_string(json_object_array_get_idx(needs, i));
                if (name && !json_object_object_get_ex(inst, name, NULL)) {
                    size_t m = ptr_push(&c->ptr, name);
                    verr(c, "required when \"%s\" is present", key);
                    ptr_pop(&c->ptr, m);
                }
            }
        }
    }
    int nprops = json_object_object_length(inst);
    if (json_object_object_get_ex(schema, "minProperties", &v) && nprops < json_object_get_int64(v))
        verr(c, "must have at least %lld properties", (long long)json_object_get_int64(v));
    if (json_object_object_get_ex(schema, "maxProperties", &v) && nprops > json_object_get_int64(v))
        verr(c, "must have at most %lld properties", (long long)json_object_get_int64(v));
    json_object_object_get_ex(schema, "properties", &props);
    json_object_object_get_ex(schema, "patternProperties", &pprops);
    json_object *addl = NULL;
    int has_addl = json_object_object_get_ex(schema, "additionalProperties", &addl);
    json_object_object_foreach(inst, key, val)
    {
        if (stop(c))
            return;
        int matched = 0;
        size_t m = ptr_push(&c->ptr, key);
        json_object *sub;
        if (props && json_object_object_get_ex(props, key, &sub)) {
            matched = 1;
            validate(c, sub, val);
        }
        if (pprops) {
            json_object_object_foreach(pprops, pat, psub)
            {
                const regex_t *re = rx_find(c->s, pat);
                if (re && regexec(re, key, 0, NULL, 0) == 0) {
                    matched = 1;
                    validate(c, psub, val);
                }
            }
        }
        if (!matched && has_addl) {
            if (json_object_is_type(addl, json_type_boolean)) {
                if (!json_object_get_boolean(addl))
                    verr(c, "unknown property");
            } else {
                validate(c, addl, val);
            }
        }
        ptr_pop(&c->ptr, m);
    }
}

static void validate_array(vctx *c, json_object *schema, json_object *inst)
{
    json_object *v;
    size_t n = json_object_array_length(inst);
    if (json_object_object_get_ex(schema, "minItems", &v) && (int64_t)n < json_object_get_int64(v))
        verr(c, "must have at least %lld items", (long long)json_object_get_int64(v));
    if (json_object_object_get_ex(schema, "maxItems", &v) && (int64_t)n > json_object_get_int64(v))
        verr(c, "must have at most %lld items", (long long)json_object_get_int64(v));
    if (json_object_object_get_ex(schema, "uniqueItems", &v) && json_object_get_boolean(v)) {
        for (size_t j = 1; j < n && !stop(c); j++)
            for (size_t i = 0; i < j; i++)
                if (json_eq(json_object_array_get_idx(inst, i), json_object_array_get_idx(inst, j))) {
                    size_t m = ptr_push_index(&c->ptr, j);
                    verr(c, "duplicate of item %zu", i);
                    ptr_pop(&c->ptr, m);
                    break;
                }
    }
    if (json_object_object_get_ex(schema, "items", &v)) {
        for (size_t i = 0; i < n && !stop(c); i++) {
            size_t m = ptr_push_index(&c->ptr, i);
            validate(c, v, json_object_array_get_idx(inst, i));
            ptr_pop(&c->ptr, m);
        }
    }
}

static void validate_string(vctx *c, json_object *schema, json_object *inst)
{
    json_object *v;
    const char *str = json_object_get_string(inst);
    size_t blen = (size_t)json_object_get_string_len(inst);
    size_t len = utf8_len(str, blen);
    if (json_object_object_get_ex(schema, "minLength", &v) && (int64_t)len < json_object_get_int64(v))
        verr(c, "must be at least %lld characters long", (long long)json_object_get_int64(v));
    if (json_object_object_get_ex(schema, "maxLength", &v) && (int64_t)len > json_object_get_int64(v))
        verr(c, "must be at most %lld characters long", (long long)json_object_get_int64(v));
    if (json_object_object_get_ex(schema, "pattern", &v)) {
        const regex_t *re = rx_find(c->s, json_object_get_string(v));
        /* An embedded NUL would end the match early; such a string cannot match a pattern. */
        if (re && (strlen(str) != blen || regexec(re, str, 0, NULL, 0) != 0))
            verr(c, "does not match pattern %.200s", json_object_get_string(v));
    }
    if (json_object_object_get_ex(schema, "format", &v) &&
        format_check(json_object_get_string(v), str) == 0)
        verr(c, "is not a valid %s", json_object_get_string(v));
}

static void validate_number(vctx *c, json_object *schema, json_object *inst)
{
    json_object *v;
    char lim[64];
    if (json_object_object_get_ex(schema, "minimum", &v) && cmp_num(inst, v) < 0) {
        render(v, lim, sizeof lim);
        verr(c, "must be >= %s", lim);
    }
    if (json_object_object_get_ex(schema, "maximum", &v) && cmp_num(inst, v) > 0) {
        render(v, lim, sizeof lim);
        verr(c, "must be <= %s", lim);
    }
    if (json_object_object_get_ex(schema, "exclusiveMinimum", &v) && cmp_num(inst, v) <= 0) {
        render(v, lim, sizeof lim);
        verr(c, "must be > %s", lim);
    }
    if (json_object_object_get_ex(schema, "exclusiveMaximum", &v) && cmp_num(inst, v) >= 0) {
        render(v, lim, sizeof lim);
        verr(c, "must be < %s", lim);
    }
}

static void validate(vctx *c, json_object *schema, json_object *inst)
{
    if (stop(c))
        return;
    if (c->depth > MAX_DEPTH) {
        verr(c, "schema recursion too deep");
        return;
    }
    if (json_object_is_type(schema, json_type_boolean)) {
        if (!json_object_get_boolean(schema))
            verr(c, "not allowed");
        return;
    }
    c->depth++;
    json_object *v;
    if (json_object_object_get_ex(schema, "type", &v)) {
        int ok = 0;
        if (json_object_is_type(v, json_type_string)) {
            ok = type_is(json_object_get_string(v), inst);
        } else {
            for (size_t i = 0; i < json_object_array_length(v) && !ok; i++)
                ok = type_is(json_object_get_string(json_object_array_get_idx(v, i)), inst);
        }
        if (!ok) {
            char want[128];
            if (json_object_is_type(v, json_type_string))
                snprintf(want, sizeof want, "%s", json_object_get_string(v));
            else
                render_enum(v, want, sizeof want);
            verr(c, "expected %s, got %s", want, type_of(inst));
            c->depth--;
            return;
        }
    }
    if (json_object_object_get_ex(schema, "enum", &v)) {
        int ok = 0;
        for (size_t i = 0; i < json_object_array_length(v) && !ok; i++)
            ok = json_eq(json_object_array_get_idx(v, i), inst);
        if (!ok) {
            char list[300];
            render_enum(v, list, sizeof list);
            verr(c, "must be one of %s", list);
        }
    }
    if (json_object_object_get_ex(schema, "const", &v) && !json_eq(v, inst)) {
        char one[200];
        render(v, one, sizeof one);
        verr(c, "must be %s", one);
    }
    if (inst && json_object_is_type(inst, json_type_object))
        validate_object(c, schema, inst);
    else if (inst && json_object_is_type(inst, json_type_array))
        validate_array(c, schema, inst);
    else if (inst && json_object_is_type(inst, json_type_string))
        validate_string(c, schema, inst);
    else if (inst && (json_object_is_type(inst, json_type_int) ||
                      json_object_is_type(inst, json_type_double)))
        validate_number(c, schema, inst);

    if (json_object_object_get_ex(schema, "$ref", &v) && !stop(c)) {
        int found;
        json_object *target = ref_resolve(c->s->root, json_object_get_string(v), &found);
        if (found)
            validate(c, target, inst);
    }
    if (json_object_object_get_ex(schema, "allOf", &v))
        for (size_t i = 0; i < json_object_array_length(v) && !stop(c); i++)
            validate(c, json_object_array_get_idx(v, i), inst);
    if (json_object_object_get_ex(schema, "anyOf", &v) && !stop(c)) {
        int ok = 0;
        for (size_t i = 0; i < json_object_array_length(v) && !ok; i++)
            ok = probe(c, json_object_array_get_idx(v, i), inst, 1, NULL, 0) == 0;
        if (!ok)
            alternatives_failed(c, v, inst, "anyOf");
    }
    if (json_object_object_get_ex(schema, "oneOf", &v) && !stop(c)) {
        size_t passed = 0, first = 0, second = 0;
        for (size_t i = 0; i < json_object_array_length(v); i++) {
            if (probe(c, json_object_array_get_idx(v, i), inst, 1, NULL, 0) == 0) {
                if (passed == 0)
                    first = i;
                else if (passed == 1)
                    second = i;
                passed++;
            }
        }
        if (passed == 0)
            alternatives_failed(c, v, inst, "oneOf");
        else if (passed > 1)
            verr(c, "matches more than one oneOf alternative (%zu and %zu)", first, second);
    }
    if (json_object_object_get_ex(schema, "not", &v) && !stop(c) &&
        probe(c, v, inst, 1, NULL, 0) == 0)
        verr(c, "must not match the schema under \"not\"");
    if (json_object_object_get_ex(schema, "if", &v) && !stop(c)) {
        json_object *branch = NULL;
        if (probe(c, v, inst, 1, NULL, 0) == 0)
            json_object_object_get_ex(schema, "then", &branch);
        else
            json_object_object_get_ex(schema, "else", &branch);
        if (branch)
            validate(c, branch, inst);
    }
    c->depth--;
}

zs_rc zs_schema_validate_all(const zs_schema *s, json_object *doc, zs_buf *all, size_t max_errors,
                             size_t *n_errors, zs_err *err)
{
    vctx c = {.s = s, .all = all, .max = max_errors};
    c.first[0] = '\0';
    c.ptr.s[0] = '\0';
    validate(&c, s->root, doc);
    if (n_errors)
        *n_errors = c.count;
    if (c.count == 0)
        return ZS_OK;
    return zs_err_set(err, ZS_ERR_FAILED, "%s", c.first);
}

zs_rc zs_schema_validate(const zs_schema *s, json_object *doc, zs_err *err)
{
    return zs_schema_validate_all(s, doc, NULL, 0, NULL, err);
}
