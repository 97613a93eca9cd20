/*
 * Property test of the tenant loader: the example tenant, truncated at every byte and mutated at
 * random (seeded, so reproducible), must either load completely or fail with "<path>: <reason>";
 * never crash, leak (ASan build) or quote a secret. A cheap stand-in for a fuzzer in the unit run.
 */
#include "tenant/zs_tenant.h"
#include "zs_test.h"

#include <errno.h>
#include <json-c/json.h>
#include <stdlib.h>
#include <unistd.h>

#define SCHEMAS ZS_SOURCE_DIR "/schemas"
#define ITERATIONS 1500

static unsigned long long rng = 0x5eed2026ULL;
static unsigned rnd(unsigned n)
{
    rng = rng * 6364136223846793005ULL + 1442695040888963407ULL;
    return (unsigned)((rng >> 33) % n);
}

static char g_dir[1024], g_path[1200];

static void write_text(const char *text, size_t len)
{
    FILE *f = fopen(g_path, "w");
    ZT_CHECK(f != NULL);
    if (!f)
        return;
    fwrite(text, 1, len, f);
    fclose(f);
}

/* Loads g_path and checks the outcome's shape. Returns the rc. */
static zs_rc load_and_check(void)
{
    zs_err err = {{0}};
    zs_tenant *t = NULL;
    zs_rc rc = zs_tenant_load_file(g_path, SCHEMAS, &t, &err);
    if (rc == ZS_OK) {
        ZT_CHECK(t != NULL);
        if (!t)
            return rc;
        ZT_EQ_STR(t->id, "acme");
        ZT_CHECK(t->personio.base_url && t->personio.client_id && t->zep.base_url);
        ZT_EQ_STR(t->personio.client_secret, "MUT-SECRET-P");
        ZT_EQ_STR(t->zep.token, "MUT-SECRET-Z");
        ZT_CHECK(t->employees.n_attributes > 0);
        zs_tenant_release(t);
    } else {
        ZT_CHECK(t == NULL);
        ZT_CHECK(strncmp(err.msg, g_path, strlen(g_path)) == 0);
        ZT_CHECK(strlen(err.msg) > strlen(g_path) + 2);
        ZT_CHECK(strstr(err.msg, "MUT-SECRET") == NULL);
    }
    return rc;
}

static json_object *load_example(void)
{
    json_object *doc = json_object_from_file(SCHEMAS "/examples/tenant.example.json");
    ZT_CHECK(doc != NULL);
    if (!doc)
        return NULL;
    char p[1200];
    json_object *personio = json_object_object_get(doc, "personio");
    json_object *zep = json_object_object_get(doc, "zep");
    snprintf(p, sizeof p, "%s/p.secret", g_dir);
    json_object_object_add(personio, "client_secret_file", json_object_new_string(p));
    json_object_object_del(personio, "webhook");
    snprintf(p, sizeof p, "%s/z.secret", g_dir);
    json_object_object_add(zep, "token_file", json_object_new_string(p));
    json_object_object_add(zep, "soap_token_file", json_object_new_string(p));
    return doc;
}

typedef struct slot {
    json_object *parent;
    const char *key; /* NULL for an array element */
    size_t idx;
} slot;

static void collect(json_object *o, slot *out, size_t *n, size_t cap)
{
    if (json_object_is_type(o, json_type_object)) {
        json_object_object_foreach(o, k, v)
        {
            if (*n < cap)
                out[(*n)++] = (slot){o, k, 0};
            collect(v, out, n, cap);
        }
    } else if (json_object_is_type(o, json_type_array)) {
        for (size_t i = 0; i < json_object_array_length(o); i++) {
            if (*n < cap)
                out[(*n)++] = (slot){o, NULL, i};
            collect(json_object_array_get_idx(o, i), out, n, cap);
        }
    }
}

static json_object *random_value(void)
{
    switch (rnd(9)) {
    case 0: return json_object_new_int(rnd(3000) - 100);
    case 1: return json_object_new_string("x");
    case 2: return json_object_new_string("");
    case 3: return json_object_new_boolean(rnd(2));
    case 4: return NULL;
    case 5: return json_object_new_array();
    case 6: return json_object_new_object();
    case 7: return json_object_new_double(1.5);
    default: return json_object_new_string("custom");
    }
}

static void test_truncated_at_every_byte(void)
{
    json_object *doc = load_example();
    if (!doc)
        return;
    const char *text = json_object_to_json_string_ext(doc, JSON_C_TO_STRING_PRETTY);
    size_t len = strlen(text);
    write_text(text, len);
    ZT_EQ_INT(load_and_check(), ZS_OK);
    int ok = 0;
    for (size_t cut = 0; cut < len; cut++) {
        write_text(text, cut);
        ok += load_and_check() == ZS_OK;
    }
    ZT_EQ_INT(ok, 0); /* the closing brace is the last byte: every cut is invalid */
    printf("  %zu truncations rejected\n", len);
    json_object_put(doc);
}

static void test_random_mutations(void)
{
    int loaded = 0, failed = 0;
    for (int it = 0; it < ITERATIONS; it++) {
        json_object *doc = load_example();
        if (!doc)
            return;
        int edits = 1 + (int)rnd(3);
        for (int e = 0; e < edits; e++) {
            slot slots[512];
            size_t n = 0;
            collect(doc, slots, &n, 512);
            if (!n)
                break;
            slot s = slots[rnd((unsigned)n)];
            int del = rnd(3) == 0;
            if (s.key) {
                if (del)
                    json_object_object_del(s.parent, s.key);
                else
                    json_object_object_add(s.parent, s.key, random_value());
            } else {
                if (del)
                    json_object_array_del_idx(s.parent, s.idx, 1);
                else
                    json_object_array_put_idx(s.parent, s.idx, random_value());
            }
        }
        const char *text = json_object_to_json_string_ext(doc, JSON_C_TO_STRING_PLAIN);
        write_text(text, strlen(text));
        if (load_and_check() == ZS_OK)
            loaded++;
        else
            failed++;
        json_object_put(doc);
    }
    printf("  %d mutations: %d loaded, %d rejected\n", ITERATIONS, loaded, failed);
    ZT_CHECK(failed > ITERATIONS / 2); /* most random edits break a rule */
    ZT_CHECK(loaded > 0);              /* and some are harmless (e.g. dropping an optional key) */
}

int main(void)
{
    const char *base = zt_env("ZS_TEST_WORKDIR");
    snprintf(g_dir, sizeof g_dir, "%s/zs-tenant-mut-XXXXXX", base && *base ? base : "/tmp");
    if (!mkdtemp(g_dir)) {
        fprintf(stderr, "mkdtemp: %s\n", strerror(errno));
        return 1;
    }
    snprintf(g_path, sizeof g_path, "%s/acme.json", g_dir);
    char p[1200];
    snprintf(p, sizeof p, "%s/p.secret", g_dir);
    FILE *f = fopen(p, "w");
    if (f) {
        fputs("MUT-SECRET-P\n", f);
        fclose(f);
    }
    snprintf(p, sizeof p, "%s/z.secret", g_dir);
    f = fopen(p, "w");
    if (f) {
        fputs("MUT-SECRET-Z\n", f);
        fclose(f);
    }
    ZT_RUN(test_truncated_at_every_byte);
    ZT_RUN(test_random_mutations);
    char cmd[1200];
    snprintf(cmd, sizeof cmd, "rm -rf '%s'", g_dir);
    zt_sh(cmd, NULL, 0);
    return zt_summary();
}
