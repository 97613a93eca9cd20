/* Pure helpers both sandboxes use. Dates are core/zs_date.h's, not repeated here. */
#include "zs_sbx.h"

void zs_sbx_count(json_object *counts, const char *key)
{
    if (!counts)
        return;
    json_object *v = NULL;
    int64_t n = json_object_object_get_ex(counts, key, &v) ? json_object_get_int64(v) : 0;
    json_object_object_add(counts, key, json_object_new_int64(n + 1));
}
