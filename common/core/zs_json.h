/*
 * zs_json: reading fields out of json-c documents, the way both vendor clients need it.
 *
 * Vendor answers leave fields out, send null, nest them ("person.id") or send numbers as strings
 * ("4.7500000000"); these helpers fold all of that into "absent", so record decoders are a plain
 * list of field copies. Pure: no I/O, no allocation except inside json-c.
 */
#ifndef ZS_JSON_H
#define ZS_JSON_H

#include <json-c/json.h>
#include <stddef.h>

/* The value at a dotted path ("termination.last_working_day"); NULL when a step is missing or
 * not an object, or the value is null. A path segment is at most 63 bytes. */
json_object *zs_json_at(json_object *o, const char *path);

/* The text of a scalar at path (numbers and booleans as json-c prints them); NULL when absent,
 * null, an object or an array. */
const char *zs_json_str(json_object *o, const char *path);

/* zs_json_str copied into dst (cap bytes, truncated), "" when there is none. */
void zs_json_copy(char *dst, size_t cap, json_object *o, const char *path);

/* The number at path, also from a string that is a whole decimal number; dflt when absent, null
 * or not a number. */
double zs_json_num(json_object *o, const char *path, double dflt);

/* 1 for true, a non-zero number, "true" or "1"; 0 otherwise (absent included). */
int zs_json_bool(json_object *o, const char *path);

/* Parses text and keeps it only if it is a JSON object; NULL otherwise (caller puts it). */
json_object *zs_json_parse_object(const char *text);

/* Compact text without escaped slashes, as request bodies are sent; owned by o, NULL when out of
 * memory. */
const char *zs_json_text(json_object *o);

/*
 * Building request bodies in straight lines: a setter that gets v == NULL (a json_object_new_*
 * that ran out of memory) or cannot add marks *bad and drops v, so the caller checks once before
 * sending instead of after every call. Explicit JSON nulls go through zs_json_set_null.
 */
void zs_json_set(json_object *o, const char *key, json_object *v, int *bad);
void zs_json_set_null(json_object *o, const char *key, int *bad);
void zs_json_push(json_object *arr, json_object *v, int *bad);

#endif
