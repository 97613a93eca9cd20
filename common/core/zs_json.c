#include "core/zs_json.h"

#include <stdlib.h>
#include <string.h>

json_object *zs_json_at(json_object *o, const char *path)
{
    char part[64];
    while (o && path && *path) {
        const char *dot = strchr(path, '.');
        size_t n = dot ? (size_t)(dot - path) : strlen(path);
        if (n >= sizeof part)
            return NULL;
        memcpy(part, path, n);
        part[n] = '\0';
        json_object *next = NULL;
        if (!json_object_is_type(o, json_type_object) || !json_object_object_get_ex(o, part, &next))
            return NULL;
        o = next;
        path = dot ? dot + 1 : NULL;
    }
    return o;
}

const char *zs_json_str(json_object *o, const char *path)
{
    json_object *v = zs_json_at(o, path);
    if (!v || json_object_is_type(v, json_type_object) || json_object_is_type(v, json_type_array))
        return NULL;
    return json_object_get_string(v);
}

void zs_json_copy(char *dst, size_t cap, json_object *o, const char *path)
{
    if (cap == 0)
        return;
    const char *s = zs_json_str(o, path);
    size_t n = s ? strlen(s) : 0;
    if (n >= cap)
        n = cap - 1;
    memcpy(dst, s ? s : "", n);
    dst[n] = '\0';
}

double zs_json_num(json_object *o, const char *path, double dflt)
{
    json_object *v = zs_json_at(o, path);
    if (!v)
        return dflt;
    switch (json_object_get_type(v)) {
    case json_type_int:
    case json_type_double:
    case json_type_boolean:
        return json_object_get_double(v);
    case json_type_string: {
        const char *s = json_object_get_string(v);
        char *end;
        double d = strtod(s, &end);
        return *s && !*end ? d : dflt;
    }
    default:
        return dflt;
    }
}

int zs_json_bool(json_object *o, const char *path)
{
    json_object *v = zs_json_at(o, path);
    if (!v)
        return 0;
    if (json_object_is_type(v, json_type_string)) {
        const char *s = json_object_get_string(v);
        return !strcmp(s, "true") || !strcmp(s, "1");
    }
    if (json_object_is_type(v, json_type_object) || json_object_is_type(v, json_type_array))
        return 0;
    return json_object_get_boolean(v);
}

json_object *zs_json_parse_object(const char *text)
{
    json_object *o = text ? json_tokener_parse(text) : NULL;
    if (o && !json_object_is_type(o, json_type_object)) {
        json_object_put(o);
        return NULL;
    }
    return o;
}

const char *zs_json_text(json_object *o)
{
    return json_object_to_json_string_ext(o, JSON_C_TO_STRING_PLAIN | JSON_C_TO_STRING_NOSLASHESCAPE);
}

void zs_json_set(json_object *o, const char *key, json_object *v, int *bad)
{
    if (!o || !v || json_object_object_add(o, key, v) != 0) {
        json_object_put(v);
        *bad = 1;
    }
}

void zs_json_set_null(json_object *o, const char *key, int *bad)
{
    if (!o || json_object_object_add(o, key, NULL) != 0)
        *bad = 1;
}

void zs_json_push(json_object *arr, json_object *v, int *bad)
{
    if (!arr || !v || json_object_array_add(arr, v) != 0) {
        json_object_put(v);
        *bad = 1;
    }
}
