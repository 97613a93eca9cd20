/*
 * zepsync-bench-schema: how fast zs_schema validates the schema examples and how long the tenant
 * registry takes to load a directory of tenants. Prints figures; asserts nothing.
 */
#include "schema/zs_schema.h"
#include "tenant/zs_tenant.h"

#include <dirent.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

static double now_s(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static int bench_example(const char *dir, const char *example, const char *schema_name, long n)
{
    char path[4096];
    snprintf(path, sizeof path, "%s/examples/%s", dir, example);
    json_object *doc = json_object_from_file(path);
    zs_schema *s = NULL;
    zs_err err = {{0}};
    if (!doc || zs_schema_load_named(dir, schema_name, &s, &err) != ZS_OK) {
        fprintf(stderr, "%s: %s\n", example, doc ? err.msg : "cannot parse");
        json_object_put(doc);
        return 1;
    }
    double t0 = now_s();
    long bad = 0;
    for (long i = 0; i < n; i++)
        bad += zs_schema_validate(s, doc, &err) != ZS_OK;
    double dt = now_s() - t0;
    printf("validate %-36s %8ld x  %8.0f/s  %6.2f us each%s\n", example, n, (double)n / dt,
           dt * 1e6 / (double)n, bad ? "  (INVALID)" : "");
    zs_schema_free(s);
    json_object_put(doc);
    return bad != 0;
}

int main(int argc, char **argv)
{
    long n = 20000, tenants = 200;
    const char *dir = zs_schema_default_dir();
    for (int i = 1; i < argc; i++) {
        if (strcmp(argv[i], "--help") == 0 || strcmp(argv[i], "-h") == 0) {
            printf("usage: zepsync-bench-schema [--iterations N] [--tenants N] [--schemas DIR]\n"
                   "Validates every schemas/examples/<name>.example.json N times (default 20000)\n"
                   "and loads a scratch directory of N tenant files (default 200); prints rates.\n");
            return 0;
        } else if (strcmp(argv[i], "--iterations") == 0 && i + 1 < argc) {
            n = atol(argv[++i]);
        } else if (strcmp(argv[i], "--tenants") == 0 && i + 1 < argc) {
            tenants = atol(argv[++i]);
        } else if (strcmp(argv[i], "--schemas") == 0 && i + 1 < argc) {
            dir = argv[++i];
        } else {
            fprintf(stderr, "unknown argument %s (see --help)\n", argv[i]);
            return 2;
        }
    }
    if (n <= 0 || tenants <= 0) {
        fprintf(stderr, "counts must be positive\n");
        return 2;
    }
    int rc = 0;
    char exdir[4096];
    snprintf(exdir, sizeof exdir, "%s/examples", dir);
    DIR *d = opendir(exdir);
    if (!d) {
        fprintf(stderr, "%s: %s\n", exdir, strerror(errno));
        return 1;
    }
    struct dirent *e;
    while ((e = readdir(d))) {
        const char *fn = e->d_name;
        size_t len = strlen(fn), sl = strlen(".example.json");
        if (len <= sl || strcmp(fn + len - sl, ".example.json") != 0)
            continue;
        char name[256];
        snprintf(name, sizeof name, "%.*s", (int)(len - sl), fn);
        if (strcmp(name, "tenant") == 0)
            snprintf(name, sizeof name, "tenant.v1");
        rc |= bench_example(dir, fn, name, n);
    }
    closedir(d);

    char tmpl[] = "/tmp/zs-bench-tenants-XXXXXX";
    char *td = mkdtemp(tmpl);
    if (!td) {
        perror("mkdtemp");
        return 1;
    }
    char path[4096];
    snprintf(path, sizeof path, "%s/secret", td);
    FILE *f = fopen(path, "w");
    if (!f)
        return 1;
    fputs("bench-secret\n", f);
    fclose(f);
    for (long i = 0; i < tenants; i++) {
        snprintf(path, sizeof path, "%s/t%05ld.json", td, i);
        f = fopen(path, "w");
        if (!f)
            return 1;
        fprintf(f,
                "{\"id\":\"t%05ld\",\"personio\":{\"base_url\":\"http://127.0.0.1:8081\","
                "\"client_id\":\"c\",\"client_secret_file\":\"%s/secret\"},\"zep\":{\"base_url\":"
                "\"http://127.0.0.1:8082/zep%ld\",\"token_file\":\"%s/secret\"},"
                "\"sync_start_date\":\"2026-01-01\",\"attendances\":{\"mode\":\"daily\"},"
                "\"absences\":{\"leader\":\"personio\",\"types\":[{\"personio\":\"a\",\"zep\":\"UB\"}]}}\n",
                i, td, i, td);
        fclose(f);
    }
    zs_err err = {{0}};
    zs_tenant_registry *r = NULL;
    double t0 = now_s();
    /* keep the per-load info lines out of the figures */
    if (zs_tenant_registry_open(td, dir, &r, &err) != ZS_OK) {
        fprintf(stderr, "%s\n", err.msg);
        rc = 1;
    } else {
        double t1 = now_s();
        zs_tenant_registry_reload(r, NULL, &err);
        double t2 = now_s();
        printf("registry open  %ld tenants: %.1f ms; reload: %.1f ms (%zu active)\n", tenants,
               (t1 - t0) * 1e3, (t2 - t1) * 1e3, zs_tenant_registry_count(r));
        zs_tenant_registry_free(r);
    }
    char cmd[4200];
    snprintf(cmd, sizeof cmd, "rm -rf '%s'", td);
    if (system(cmd) != 0)
        fprintf(stderr, "could not remove %s\n", td);
    return rc;
}
