/*
 * zs_schema: a small JSON Schema (draft 2020-12) validator over json-c.
 *
 * It implements the subset of keywords zepsync's own schemas use, and refuses to load a schema
 * that uses anything else: a keyword that is silently ignored would look like a guarantee that is
 * not there. Supported:
 *   type (string or array), enum, const,
 *   properties, required, additionalProperties (bool or schema), patternProperties,
 *   dependentRequired, minProperties, maxProperties,
 *   items, minItems, maxItems, uniqueItems,
 *   minLength, maxLength (Unicode code points), pattern,
 *   minimum, maximum, exclusiveMinimum, exclusiveMaximum,
 *   format (checked: date, date-time, time, uuid, email, uri; other names are annotations),
 *   $ref (only local: "#" and "#/..." JSON pointers, e.g. "#/$defs/tier"),
 *   allOf, anyOf, oneOf, not, if/then/else, boolean schemas (true/false),
 *   and the annotations $schema, $id, $comment, title, description, default, examples,
 *   deprecated, readOnly, writeOnly, $defs (container for $ref targets).
 *
 * Patterns are ECMA-262 in the standard; here they are compiled as POSIX extended regular
 * expressions (regcomp, REG_EXTENDED), unanchored as in JSON Schema, with \d \w \s (and \D \W \S
 * outside brackets) translated. Write schema patterns in the common subset of both.
 *
 * Error messages name the JSON pointer of the failing instance location, e.g.
 *   "/personio/base_url: required"
 *   "/attendances/mode: must be one of \"daily\", \"individual\""
 *   "(root): expected object, got array"
 * Instance values are never echoed into messages (a misplaced secret must not reach a log).
 *
 * A loaded zs_schema is immutable; one schema may validate from many threads at once.
 */
#ifndef ZS_SCHEMA_H
#define ZS_SCHEMA_H

#include <stddef.h>

#include <json-c/json.h>

#include "core/zs_buf.h"
#include "core/zs_err.h"

typedef struct zs_schema zs_schema;

/* Loads and checks a schema document. name is used in load errors (e.g. the file path). */
zs_rc zs_schema_load_string(const char *text, const char *name, zs_schema **out, zs_err *err);
zs_rc zs_schema_load_file(const char *path, zs_schema **out, zs_err *err);
/* Loads <dir>/<name>.json, e.g. name "tenant.v1". dir NULL means zs_schema_default_dir(). */
zs_rc zs_schema_load_named(const char *dir, const char *name, zs_schema **out, zs_err *err);
void zs_schema_free(zs_schema *s);

/* The schema's "$id" (or "" when it has none). */
const char *zs_schema_id(const zs_schema *s);

/*
 * Where the schemas live: $ZS_SCHEMAS_DIR if set and non-empty, else the source tree's schemas/
 * compiled in, else (when that is gone, e.g. in a container image) the installed copy under
 * <prefix>/share/zepsync/schemas.
 */
const char *zs_schema_default_dir(void);

/*
 * Validates doc (NULL is JSON null). ZS_OK, or ZS_ERR_FAILED with the first error in err.
 */
zs_rc zs_schema_validate(const zs_schema *s, json_object *doc, zs_err *err);

/*
 * Like zs_schema_validate, and also appends every error (up to max_errors, 0 = no limit), one
 * per line, to all (may be NULL). Returns the number of errors found through *n_errors (may be NULL).
 */
zs_rc zs_schema_validate_all(const zs_schema *s, json_object *doc, zs_buf *all, size_t max_errors,
                             size_t *n_errors, zs_err *err);

/*
 * Parses JSON text strictly (one value, nothing but whitespace after it). Errors name the line and
 * column: "invalid JSON at line 3, column 7: unexpected character". *out is owned by the caller.
 */
zs_rc zs_schema_parse_json(const char *text, size_t len, json_object **out, zs_err *err);

/* Format checks, exposed for callers that parse the same fields (pure). 1 = valid. */
int zs_schema_is_date(const char *s);      /* YYYY-MM-DD, a real calendar date */
int zs_schema_is_date_time(const char *s); /* RFC 3339 date-time with Z or offset */
int zs_schema_is_uuid(const char *s);

#endif
