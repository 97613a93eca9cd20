/*
 * Every schema in schemas/ loads with the C validator, and every example in schemas/examples/
 * validates against its schema. An example <name>.example.json belongs to schemas/<name>.json, or,
 * when the example name carries no version (tenant.example.json), to the highest
 * schemas/<name>.v<N>.json. New schemas and examples are picked up without touching this test.
 */
#include "schema/zs_schema.h"
#include "zs_test.h"

#include <dirent.h>
#include <stdlib.h>

#define SCHEMAS ZS_SOURCE_DIR "/schemas"

static int ends_with(const char *s, const char *suffix)
{
    size_t n = strlen(s), m = strlen(suffix);
    return n >= m && strcmp(s + n - m, suffix) == 0;
}

/* Finds the schema file for example stem `name`; 0 and path filled when found. */
static int schema_for(const char *name, char *path, size_t cap)
{
    snprintf(path, cap, "%s/%s.json", SCHEMAS, name);
    FILE *f = fopen(path, "r");
    if (f) {
        fclose(f);
        return 0;
    }
    DIR *d = opendir(SCHEMAS);
    if (!d)
        return -1;
    long best = -1;
    struct dirent *e;
    size_t nl = strlen(name);
    while ((e = readdir(d))) {
        const char *n = e->d_name;
        if (strncmp(n, name, nl) != 0 || strncmp(n + nl, ".v", 2) != 0 || !ends_with(n, ".json"))
            continue;
        char *end;
        long v = strtol(n + nl + 2, &end, 10);
        if (strcmp(end, ".json") == 0 && v > best) {
            best = v;
            snprintf(path, cap, "%s/%s", SCHEMAS, n);
        }
    }
    closedir(d);
    return best >= 0 ? 0 : -1;
}

static void test_every_schema_loads(void)
{
    DIR *d = opendir(SCHEMAS);
    ZT_CHECK(d != NULL);
    if (!d)
        return;
    int n = 0;
    struct dirent *e;
    while ((e = readdir(d))) {
        if (!ends_with(e->d_name, ".json"))
            continue;
        char path[4096];
        snprintf(path, sizeof path, "%s/%s", SCHEMAS, e->d_name);
        zs_err err = {{0}};
        zs_schema *s = NULL;
        zs_rc rc = zs_schema_load_file(path, &s, &err);
        if (rc != ZS_OK)
            zt_fail(__FILE__, __LINE__, "%s", err.msg);
        ZT_EQ_INT(rc, ZS_OK);
        zs_schema_free(s);
        n++;
    }
    closedir(d);
    printf("  %d schemas loaded\n", n);
    ZT_CHECK(n >= 4);
}

static void test_every_example_validates(void)
{
    DIR *d = opendir(SCHEMAS "/examples");
    ZT_CHECK(d != NULL);
    if (!d)
        return;
    int n = 0, tenant_seen = 0;
    struct dirent *e;
    while ((e = readdir(d))) {
        const char *fn = e->d_name;
        if (!ends_with(fn, ".example.json"))
            continue;
        char name[256], spath[4096], epath[4096];
        snprintf(name, sizeof name, "%.*s", (int)(strlen(fn) - strlen(".example.json")), fn);
        snprintf(epath, sizeof epath, "%s/examples/%s", SCHEMAS, fn);
        if (schema_for(name, spath, sizeof spath) != 0) {
            zt_fail(__FILE__, __LINE__, "%s: no schema schemas/%s.json or %s.v<N>.json", fn, name,
                    name);
            continue;
        }
        zs_err err = {{0}};
        zs_schema *s = NULL;
        if (zs_schema_load_file(spath, &s, &err) != ZS_OK) {
            zt_fail(__FILE__, __LINE__, "%s", err.msg);
            continue;
        }
        json_object *doc = json_object_from_file(epath);
        ZT_CHECK(doc != NULL);
        zs_buf all;
        zs_buf_init(&all);
        size_t nerr = 0;
        zs_rc rc = zs_schema_validate_all(s, doc, &all, 20, &nerr, &err);
        if (rc != ZS_OK)
            zt_fail(__FILE__, __LINE__, "%s against %s:\n%s", fn, spath, zs_buf_str(&all));
        ZT_EQ_INT(rc, ZS_OK);
        printf("  %s valid against %s\n", fn, strrchr(spath, '/') + 1);
        if (strcmp(name, "tenant") == 0)
            tenant_seen = 1;
        zs_buf_release(&all);
        json_object_put(doc);
        zs_schema_free(s);
        n++;
    }
    closedir(d);
    ZT_CHECK(tenant_seen);
    /* the three event examples and the tenant example: a loop that skipped files would pass the
     * rest of this test */
    ZT_CHECK(n >= 4);
}

int main(void)
{
    ZT_RUN(test_every_schema_loads);
    ZT_RUN(test_every_example_validates);
    return zt_summary();
}
