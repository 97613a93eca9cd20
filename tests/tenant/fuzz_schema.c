/*
 * libFuzzer target (cmake -DZS_FUZZ=ON, clang): arbitrary bytes as a tenant document validated
 * against schemas/tenant.v1.json, and as a schema of its own validating a fixed document.
 *   build-fuzz/tests/fuzz_schema -max_total_time=60 schemas/examples
 */
#include "schema/zs_schema.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

static zs_schema *g_tenant;

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    zs_err err;
    if (!g_tenant && zs_schema_load_named(ZS_SOURCE_DIR "/schemas", "tenant.v1", &g_tenant, &err) != ZS_OK)
        abort();
    json_object *doc = NULL;
    if (zs_schema_parse_json((const char *)data, size, &doc, &err) == ZS_OK) {
        zs_buf all;
        zs_buf_init(&all);
        zs_schema_validate_all(g_tenant, doc, &all, 0, NULL, &err);
        zs_buf_release(&all);
        json_object_put(doc);
    }
    char *text = malloc(size + 1);
    if (!text)
        return 0;
    memcpy(text, data, size);
    text[size] = '\0';
    zs_schema *s = NULL;
    if (zs_schema_load_string(text, "fuzz", &s, &err) == ZS_OK) {
        json_object *fixed = json_tokener_parse("{\"a\":[1,\"x\",{\"b\":null}],\"c\":2.5,\"d\":true}");
        zs_schema_validate(s, fixed, &err);
        json_object_put(fixed);
        zs_schema_free(s);
    }
    free(text);
    return 0;
}
