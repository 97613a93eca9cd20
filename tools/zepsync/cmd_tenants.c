/*
 * zepsync tenants: what the tenant registry makes of a tenants directory, so an operator sees a bad
 * file (and which field is wrong) before a worker is pointed at it or sent a SIGHUP.
 */
#include "config/zs_config.h"
#include "core/zs_buf.h"
#include "core/zs_json.h"
#include "log/zs_log.h"
#include "tenant/zs_tenant.h"
#include "zepsync_cmd.h"

#include <dirent.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

void zepsync_cmd_tenants_help(void)
{
    printf("usage: zepsync tenants [--dir DIR] [--json]\n\n"
           "Loads the tenant registry the way the workers do (schema check, secrets resolved from\n"
           "their *_file / *_env sources) and lists what it got. Secrets are never printed: --json\n"
           "shows each one only by its source (\"file:/run/secrets/x\", \"env:NAME\").\n\n"
           "stdout: one line per loaded tenant, sorted by id:\n"
           "  <id> personio=<base url> zep=<base url> attendances=<mode>/<rules> absences=<leader>\n"
           "stderr: one line per file that did not load: <path>: <json pointer>: <reason>\n\n"
           "options:\n"
           "  --dir DIR  the tenants directory (default: $ZS_TENANTS_DIR, else %s)\n"
           "  --json     print each loaded tenant's settings as one JSON object per line\n"
           "  --help     this text\n\n"
           "The schema comes from $ZS_SCHEMAS_DIR, else the source tree's schemas/.\n\n"
           "exit status: 0 every file loaded, 1 some file did not load (the others are still listed)\n"
           "             or another failure, 2 bad usage or the directory cannot be read\n",
           ZS_CONFIG_DEFAULT_TENANTS_DIR);
}

static const char *mode_name(zs_tenant_att_mode m)
{
    return m == ZS_ATT_INDIVIDUAL ? "individual" : "daily";
}

/* A base URL may carry user:password@ (the schema allows any authority); that is a secret too. */
static int print_line(const zs_tenant *t)
{
    char p_url[2100], z_url[2100];
    zs_log_redact_url(t->personio.base_url, p_url, sizeof p_url);
    zs_log_redact_url(t->zep.base_url, z_url, sizeof z_url);
    return printf("%s personio=%s zep=%s attendances=%s/%s absences=%s\n", t->id, p_url, z_url,
                  mode_name(t->attendances.mode), zs_tenant_rules_name(t->attendances.rules),
                  zs_tenant_leader_name(t->absences.leader)) < 0
               ? -1
               : 0;
}

static int redact_member_url(json_object *root, const char *obj_key)
{
    json_object *obj = NULL, *url = NULL;
    if (!json_object_object_get_ex(root, obj_key, &obj) ||
        !json_object_object_get_ex(obj, "base_url", &url) || !json_object_is_type(url, json_type_string))
        return 0;
    char clean[2100];
    zs_log_redact_url(json_object_get_string(url), clean, sizeof clean);
    if (strcmp(clean, json_object_get_string(url)) == 0)
        return 0;
    return json_object_set_string(url, clean) ? 0 : -1;
}

/* 0 printed, -1 out of memory or a write error (err says which). */
static int print_json(const zs_tenant *t, zs_err *err)
{
    zs_buf b;
    zs_buf_init(&b);
    if (zs_tenant_describe(t, &b) != 0) {
        zs_buf_release(&b);
        zs_err_set(err, ZS_ERR_FAILED, "out of memory describing tenant %s", t->id);
        return -1;
    }
    /* Re-rendered rather than printed as is, so the base URLs go through the same redaction. */
    json_object *o = zs_json_parse_object(zs_buf_str(&b));
    zs_buf_release(&b);
    if (!o) {
        zs_err_set(err, ZS_ERR_FAILED, "tenant %s: settings do not render as JSON", t->id);
        return -1;
    }
    int rc = 0;
    const char *text = NULL;
    if (redact_member_url(o, "personio") != 0 || redact_member_url(o, "zep") != 0 ||
        !(text = zs_json_text(o))) {
        zs_err_set(err, ZS_ERR_FAILED, "out of memory describing tenant %s", t->id);
        rc = -1;
    } else if (printf("%s\n", text) < 0) {
        zs_err_set(err, ZS_ERR_FAILED, "cannot write to stdout");
        rc = -1;
    }
    json_object_put(o);
    return rc;
}

/* Prints the loaded tenants; 0, or -1 with err set. */
static int list_tenants(zs_tenant_registry *reg, int json, zs_err *err)
{
    size_t n = zs_tenant_registry_count(reg);
    if (n == 0)
        return 0;
    char(*ids)[ZS_TENANT_ID_MAX] = calloc(n, sizeof *ids);
    if (!ids) {
        zs_err_set(err, ZS_ERR_FAILED, "out of memory");
        return -1;
    }
    /* Single-threaded and no reload in between: the count cannot change under us. */
    size_t got = zs_tenant_registry_ids(reg, ids, n);
    if (got > n)
        got = n;
    int rc = 0;
    for (size_t i = 0; rc == 0 && i < got; i++) {
        const zs_tenant *t = zs_tenant_registry_get(reg, ids[i]);
        if (!t)
            continue;
        if (json)
            rc = print_json(t, err);
        else if ((rc = print_line(t)) != 0)
            zs_err_set(err, ZS_ERR_FAILED, "cannot write to stdout");
    }
    free(ids);
    return rc;
}

/* Prints the problem files on stderr; returns how many there were, or -1 when out of memory. */
static long report_problems(zs_tenant_registry *reg)
{
    size_t n = zs_tenant_registry_problems(reg, NULL, 0);
    if (n == 0)
        return 0;
    zs_tenant_problem *pr = calloc(n, sizeof *pr);
    if (!pr)
        return -1;
    size_t got = zs_tenant_registry_problems(reg, pr, n);
    if (got > n)
        got = n;
    for (size_t i = 0; i < got; i++)
        fprintf(stderr, "%s\n", pr[i].msg);
    free(pr);
    return (long)n;
}

int zepsync_cmd_tenants(int argc, char **argv)
{
    const char *dir = NULL;
    int json = 0;
    for (int i = 1; i < argc; i++) {
        if (strcmp(argv[i], "--help") == 0 || strcmp(argv[i], "-h") == 0) {
            zepsync_cmd_tenants_help();
            return 0;
        } else if (strcmp(argv[i], "--json") == 0) {
            json = 1;
        } else if (strcmp(argv[i], "--dir") == 0 && i + 1 < argc) {
            dir = argv[++i];
        } else if (strncmp(argv[i], "--dir=", 6) == 0) {
            dir = argv[i] + 6;
        } else {
            fprintf(stderr, "zepsync tenants: unknown option \"%s\" (see --help)\n", argv[i]);
            return 2;
        }
    }
    if (dir && !*dir) {
        fprintf(stderr, "zepsync tenants: --dir needs a directory\n");
        return 2;
    }

    /*
     * The environment is read only when it has to name the directory: with --dir, a typo in some
     * unrelated ZS_* variable of the operator's shell should not stop a look at the files.
     */
    zs_config cfg;
    int have_cfg = 0;
    zs_err err;
    zs_err_clear(&err);
    const char *schemas_dir = NULL;
    if (!dir) {
        if (zs_config_load(&cfg, NULL, &err) != ZS_OK) {
            fprintf(stderr, "zepsync tenants: %s\n", err.msg);
            return 2;
        }
        have_cfg = 1;
        dir = cfg.tenants_dir;
        schemas_dir = cfg.schemas_dir;
    }

    int status = 0;
    zs_tenant_registry *reg = NULL;
    /*
     * The registry fails the same way for an unreadable directory and an unreadable schema; the
     * first is the operator's input (2), the second a broken installation (1), so look first.
     */
    DIR *d = opendir(dir);
    if (!d) {
        fprintf(stderr, "zepsync tenants: cannot read tenants directory %s: %s\n", dir,
                strerror(errno));
        status = 2;
        goto out;
    }
    closedir(d);

    /* Problems are printed below in their plain form; the registry's JSON log lines would repeat
     * every one of them, so the library stays quiet. */
    zs_log_set_level(ZS_LOG_OFF);
    if (zs_tenant_registry_open(dir, schemas_dir, &reg, &err) != ZS_OK) {
        fprintf(stderr, "zepsync tenants: %s\n", err.msg);
        status = 1;
        goto out;
    }
    if (list_tenants(reg, json, &err) != 0) {
        fprintf(stderr, "zepsync tenants: %s\n", err.msg);
        status = 1;
    }
    long np = report_problems(reg);
    if (np < 0)
        fprintf(stderr, "zepsync tenants: out of memory listing the problem files\n");
    if (np != 0)
        status = 1;
    if (fflush(stdout) != 0) {
        fprintf(stderr, "zepsync tenants: cannot write to stdout\n");
        status = 1;
    }

out:
    zs_tenant_registry_free(reg);
    if (have_cfg)
        zs_config_release(&cfg);
    return status;
}
