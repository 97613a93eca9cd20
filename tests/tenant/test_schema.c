/* Unit tests of zs_schema: one case per keyword, each asserting the JSON pointer in the message. */
#include "schema/zs_schema.h"
#include "zs_test.h"

#include <stdlib.h>

/* Validates doc against schema text; returns the first error ("" when valid). Static buffer. */
static const char *check(const char *schema, const char *doc)
{
    static char out[ZS_ERR_MSG_MAX + 32];
    zs_err err = {{0}};
    zs_schema *s = NULL;
    if (zs_schema_load_string(schema, "t", &s, &err) != ZS_OK) {
        snprintf(out, sizeof out, "LOAD: %s", err.msg);
        return out;
    }
    json_object *d = NULL;
    if (zs_schema_parse_json(doc, strlen(doc), &d, &err) != ZS_OK) {
        zs_schema_free(s);
        snprintf(out, sizeof out, "PARSE: %s", err.msg);
        return out;
    }
    zs_rc rc = zs_schema_validate(s, d, &err);
    snprintf(out, sizeof out, "%s", rc == ZS_OK ? "" : err.msg);
    json_object_put(d);
    zs_schema_free(s);
    return out;
}

static void test_type(void)
{
    ZT_EQ_STR(check("{\"type\":\"object\"}", "{}"), "");
    ZT_EQ_STR(check("{\"type\":\"object\"}", "[]"), "(root): expected object, got array");
    ZT_EQ_STR(check("{\"type\":\"integer\"}", "3"), "");
    ZT_EQ_STR(check("{\"type\":\"integer\"}", "3.0"), "");
    ZT_EQ_STR(check("{\"type\":\"integer\"}", "3.5"), "(root): expected integer, got number");
    ZT_EQ_STR(check("{\"type\":\"number\"}", "3"), "");
    ZT_EQ_STR(check("{\"type\":\"null\"}", "null"), "");
    ZT_EQ_STR(check("{\"type\":\"string\"}", "null"), "(root): expected string, got null");
    ZT_EQ_STR(check("{\"type\":[\"string\",\"null\"]}", "null"), "");
    ZT_EQ_STR(check("{\"type\":[\"string\",\"null\"]}", "true"),
              "(root): expected \"string\", \"null\", got boolean");
}

static void test_properties_required_additional(void)
{
    const char *s = "{\"type\":\"object\",\"required\":[\"personio\"],\"additionalProperties\":false,"
                    "\"properties\":{\"personio\":{\"type\":\"object\",\"required\":[\"base_url\"],"
                    "\"properties\":{\"base_url\":{\"type\":\"string\"}}}}}";
    ZT_EQ_STR(check(s, "{\"personio\":{\"base_url\":\"x\"}}"), "");
    ZT_EQ_STR(check(s, "{\"personio\":{}}"), "/personio/base_url: required");
    ZT_EQ_STR(check(s, "{}"), "/personio: required");
    ZT_EQ_STR(check(s, "{\"personio\":{\"base_url\":1}}"),
              "/personio/base_url: expected string, got integer");
    ZT_EQ_STR(check(s, "{\"personio\":{\"base_url\":\"x\"},\"extra\":1}"), "/extra: unknown property");
    /* JSON pointer escaping of ~ and / in member names */
    ZT_EQ_STR(check("{\"additionalProperties\":false}", "{\"a/b~c\":1}"),
              "/a~1b~0c: unknown property");
    ZT_EQ_STR(check("{\"additionalProperties\":{\"type\":\"string\"}}", "{\"k\":1}"),
              "/k: expected string, got integer");
    ZT_EQ_STR(check("{\"properties\":{\"x\":false}}", "{\"x\":1}"), "/x: not allowed");
}

static void test_pattern_properties_dependent(void)
{
    const char *s = "{\"patternProperties\":{\"^dynamic_[0-9]+$\":{\"type\":\"string\"}},"
                    "\"additionalProperties\":false}";
    ZT_EQ_STR(check(s, "{\"dynamic_12\":\"v\"}"), "");
    ZT_EQ_STR(check(s, "{\"dynamic_12\":3}"), "/dynamic_12: expected string, got integer");
    ZT_EQ_STR(check(s, "{\"dynamic_x\":\"v\"}"), "/dynamic_x: unknown property");
    const char *d = "{\"dependentRequired\":{\"a\":[\"b\"]}}";
    ZT_EQ_STR(check(d, "{\"a\":1,\"b\":2}"), "");
    ZT_EQ_STR(check(d, "{\"b\":2}"), "");
    ZT_EQ_STR(check(d, "{\"a\":1}"), "/b: required when \"a\" is present");
    ZT_EQ_STR(check("{\"minProperties\":1}", "{}"), "(root): must have at least 1 properties");
    ZT_EQ_STR(check("{\"maxProperties\":1}", "{\"a\":1,\"b\":2}"),
              "(root): must have at most 1 properties");
}

static void test_items_and_array_bounds(void)
{
    const char *s = "{\"type\":\"array\",\"minItems\":1,\"maxItems\":3,\"uniqueItems\":true,"
                    "\"items\":{\"type\":\"object\",\"required\":[\"zep\"]}}";
    ZT_EQ_STR(check(s, "[{\"zep\":\"UB\"}]"), "");
    ZT_EQ_STR(check(s, "[]"), "(root): must have at least 1 items");
    ZT_EQ_STR(check(s, "[{\"zep\":1},{\"zep\":2},{\"zep\":3},{\"zep\":4}]"),
              "(root): must have at most 3 items");
    ZT_EQ_STR(check(s, "[{\"zep\":\"UB\"},{}]"), "/1/zep: required");
    ZT_EQ_STR(check(s, "[{\"zep\":1},{\"zep\":1.0}]"), "/1: duplicate of item 0");
}

static void test_enum_const(void)
{
    const char *s = "{\"properties\":{\"mode\":{\"enum\":[\"daily\",\"individual\"]}}}";
    ZT_EQ_STR(check(s, "{\"mode\":\"daily\"}"), "");
    ZT_EQ_STR(check(s, "{\"mode\":\"weekly\"}"), "/mode: must be one of \"daily\", \"individual\"");
    ZT_EQ_STR(check("{\"const\":{\"a\":[1,2]}}", "{\"a\":[1,2.0]}"), "");
    ZT_EQ_STR(check("{\"const\":1.0}", "2"), "(root): must be 1.0");
    ZT_EQ_STR(check("{\"const\":\"1.0\"}", "\"1.00\""), "(root): must be \"1.0\"");
}

static void test_string_keywords(void)
{
    ZT_EQ_STR(check("{\"minLength\":2}", "\"a\""), "(root): must be at least 2 characters long");
    /* code points, not bytes: "äö" is 4 bytes, 2 characters */
    ZT_EQ_STR(check("{\"maxLength\":2}", "\"\xc3\xa4\xc3\xb6\""), "");
    ZT_EQ_STR(check("{\"maxLength\":1}", "\"\xc3\xa4\xc3\xb6\""),
              "(root): must be at most 1 characters long");
    /* unanchored like JSON Schema: "b" matches inside "abc" */
    ZT_EQ_STR(check("{\"pattern\":\"b\"}", "\"abc\""), "");
    ZT_EQ_STR(check("{\"pattern\":\"^[A-Z][A-Z0-9_]*$\"}", "\"ZEPSYNC_1\""), "");
    ZT_EQ_STR(check("{\"pattern\":\"^[A-Z][A-Z0-9_]*$\"}", "\"Zepsync\""),
              "(root): does not match pattern ^[A-Z][A-Z0-9_]*$");
    ZT_EQ_STR(check("{\"pattern\":\"^\\\\d{4}-\\\\d{2}$\"}", "\"2026-01\""), "");
    ZT_EQ_STR(check("{\"pattern\":\"^\\\\d{4}-\\\\d{2}$\"}", "\"2026-1x\""),
              "(root): does not match pattern ^\\d{4}-\\d{2}$");
    ZT_EQ_STR(check("{\"pattern\":\"^[\\\\w.-]+$\"}", "\"a_b.c-d\""), "");
    ZT_EQ_STR(check("{\"pattern\":\"^\\\\S+$\"}", "\"a b\""), "(root): does not match pattern ^\\S+$");
    /* A \u0000 would end the C string early: "ab" matches the pattern, "ab\0;rm" must not. */
    ZT_EQ_STR(check("{\"pattern\":\"^[a-z]+$\"}", "\"ab\\u0000;rm\""),
              "(root): does not match pattern ^[a-z]+$");
    ZT_EQ_STR(check("{\"pattern\":\"^[a-z]+$\"}", "\"ab\""), "");
    /* constraints of another type are ignored */
    ZT_EQ_STR(check("{\"minLength\":5,\"minimum\":3}", "true"), "");
}

static void test_formats(void)
{
    ZT_EQ_STR(check("{\"format\":\"date\"}", "\"2024-02-29\""), "");
    ZT_EQ_STR(check("{\"format\":\"date\"}", "\"2025-02-29\""), "(root): is not a valid date");
    ZT_EQ_STR(check("{\"format\":\"date\"}", "\"2025-13-01\""), "(root): is not a valid date");
    ZT_EQ_STR(check("{\"format\":\"date\"}", "\"2025-1-01\""), "(root): is not a valid date");
    ZT_EQ_STR(check("{\"format\":\"date-time\"}", "\"2026-03-29T02:30:00Z\""), "");
    ZT_EQ_STR(check("{\"format\":\"date-time\"}", "\"2026-03-29T02:30:00.125+02:00\""), "");
    ZT_EQ_STR(check("{\"format\":\"date-time\"}", "\"2026-03-29T02:30:00\""),
              "(root): is not a valid date-time");
    ZT_EQ_STR(check("{\"format\":\"date-time\"}", "\"2026-03-29 02:30:00Z\""),
              "(root): is not a valid date-time");
    ZT_EQ_STR(check("{\"format\":\"date-time\"}", "\"2026-03-29T24:00:00Z\""),
              "(root): is not a valid date-time");
    ZT_EQ_STR(check("{\"format\":\"uuid\"}", "\"3f2a6c1e-8b0d-4b7a-9f43-2c1d5e6f7a80\""), "");
    ZT_EQ_STR(check("{\"format\":\"uuid\"}", "\"3f2a6c1e8b0d4b7a9f432c1d5e6f7a80\""),
              "(root): is not a valid uuid");
    ZT_EQ_STR(check("{\"format\":\"email\"}", "\"a@b.de\""), "");
    ZT_EQ_STR(check("{\"format\":\"email\"}", "\"a b@c\""), "(root): is not a valid email");
    ZT_EQ_STR(check("{\"format\":\"uri\"}", "\"/v2/persons\""), "(root): is not a valid uri");
    /* an unknown format is an annotation */
    ZT_EQ_STR(check("{\"format\":\"hostname\"}", "\"!!\""), "");
}

static void test_numbers(void)
{
    const char *s = "{\"minimum\":0,\"maximum\":1440}";
    ZT_EQ_STR(check(s, "0"), "");
    ZT_EQ_STR(check(s, "1440"), "");
    ZT_EQ_STR(check(s, "-1"), "(root): must be >= 0");
    ZT_EQ_STR(check(s, "1440.5"), "(root): must be <= 1440");
    ZT_EQ_STR(check("{\"exclusiveMinimum\":0}", "0"), "(root): must be > 0");
    ZT_EQ_STR(check("{\"exclusiveMaximum\":1.5}", "1.5"), "(root): must be < 1.5");
    ZT_EQ_STR(check("{\"minimum\":9007199254740993}", "9007199254740992"),
              "(root): must be >= 9007199254740993");
}

static void test_ref(void)
{
    const char *s = "{\"properties\":{\"a\":{\"$ref\":\"#/$defs/min\"},\"t\":{\"$ref\":\"#/$defs/a~1b\"}},"
                    "\"$defs\":{\"min\":{\"type\":\"integer\",\"minimum\":0},\"a/b\":{\"const\":1}}}";
    ZT_EQ_STR(check(s, "{\"a\":5,\"t\":1}"), "");
    ZT_EQ_STR(check(s, "{\"a\":-5}"), "/a: must be >= 0");
    ZT_EQ_STR(check(s, "{\"t\":2}"), "/t: must be 1");
    /* recursive schema through "#" */
    const char *tree = "{\"type\":\"object\",\"properties\":{\"kids\":{\"type\":\"array\","
                       "\"items\":{\"$ref\":\"#\"}},\"n\":{\"type\":\"integer\"}}}";
    ZT_EQ_STR(check(tree, "{\"kids\":[{\"kids\":[{\"n\":1}]}]}"), "");
    ZT_EQ_STR(check(tree, "{\"kids\":[{\"kids\":[{\"n\":\"x\"}]}]}"),
              "/kids/0/kids/0/n: expected integer, got string");
    /* a $ref loop without progress is cut off instead of overflowing the stack */
    ZT_CONTAINS(check("{\"$defs\":{\"a\":{\"$ref\":\"#/$defs/a\"}},\"$ref\":\"#/$defs/a\"}", "1"),
                "recursion too deep");
}

static void test_combinators(void)
{
    const char *any = "{\"items\":{\"anyOf\":[{\"enum\":[\"email\",\"hire_date\"]},"
                      "{\"type\":\"string\",\"pattern\":\"^dynamic_[0-9]+$\"}]}}";
    ZT_EQ_STR(check(any, "[\"email\",\"dynamic_1\"]"), "");
    const char *e = check(any, "[\"email\",\"dynamic_x\"]");
    ZT_CONTAINS(e, "/1: matches none of the anyOf alternatives; closest: /1: ");
    const char *one = "{\"oneOf\":[{\"required\":[\"token_file\"]},{\"required\":[\"token_env\"]}]}";
    ZT_EQ_STR(check(one, "{\"token_file\":\"/x\"}"), "");
    ZT_CONTAINS(check(one, "{}"), "(root): matches none of the oneOf alternatives");
    ZT_EQ_STR(check(one, "{\"token_file\":\"/x\",\"token_env\":\"X\"}"),
              "(root): matches more than one oneOf alternative (0 and 1)");
    const char *all = "{\"allOf\":[{\"required\":[\"a\"]},{\"required\":[\"b\"]}]}";
    ZT_EQ_STR(check(all, "{\"a\":1}"), "/b: required");
    ZT_EQ_STR(check("{\"not\":{\"required\":[\"a\",\"b\"]}}", "{\"a\":1,\"b\":1}"),
              "(root): must not match the schema under \"not\"");
    ZT_EQ_STR(check("{\"not\":{\"required\":[\"a\",\"b\"]}}", "{\"a\":1}"), "");
    const char *cond = "{\"if\":{\"properties\":{\"rules\":{\"const\":\"custom\"}},\"required\":[\"rules\"]},"
                       "\"then\":{\"required\":[\"custom_rules\"]},\"else\":{\"properties\":{\"custom_rules\":false}}}";
    ZT_EQ_STR(check(cond, "{\"rules\":\"custom\",\"custom_rules\":{}}"), "");
    ZT_EQ_STR(check(cond, "{\"rules\":\"custom\"}"), "/custom_rules: required");
    ZT_EQ_STR(check(cond, "{\"rules\":\"DE\",\"custom_rules\":{}}"), "/custom_rules: not allowed");
    ZT_EQ_STR(check(cond, "{\"rules\":\"DE\"}"), "");
    ZT_EQ_STR(check("false", "1"), "(root): not allowed");
    ZT_EQ_STR(check("true", "1"), "");
}

static void test_schema_load_errors(void)
{
    ZT_CONTAINS(check("{\"type\":\"object\",\"propertiez\":{}}", "{}"),
                "LOAD: t: schema (root): unsupported keyword \"propertiez\"");
    ZT_CONTAINS(check("{\"properties\":{\"a\":{\"type\":\"str\"}}}", "{}"),
                "schema /properties/a/type: unknown type");
    ZT_CONTAINS(check("{\"$ref\":\"#/$defs/missing\"}", "{}"), "does not resolve");
    ZT_CONTAINS(check("{\"$ref\":\"other.json#/x\"}", "{}"), "does not resolve");
    ZT_CONTAINS(check("{\"pattern\":\"(\"}", "\"\""), "LOAD: t: schema /pattern: pattern (:");
    ZT_CONTAINS(check("{\"pattern\":\"\\\\bword\"}", "\"\""), "unsupported escape");
    /* Bounded repetitions that glibc would expand into gigabytes are refused at load... */
    ZT_CONTAINS(check("{\"pattern\":\"a{1,32767}\"}", "\"\""), "repetition too large");
    ZT_CONTAINS(check("{\"pattern\":\"((a{100}){100}){100}\"}", "\"\""), "repetition too large");
    ZT_CONTAINS(check("{\"pattern\":\"(x|[a-z]{50}){300}\"}", "\"\""), "repetition too large");
    ZT_CONTAINS(check("{\"pattern\":\"a++++++++++++++++++++++++++++++\"}", "\"\""), "repetition too large");
    ZT_CONTAINS(check("{\"pattern\":\"(*a)\"}", "\"\""), "repetition too large");
    ZT_CONTAINS(check("{\"pattern\":\"a*{2}\"}", "\"\""), "repetition too large");
    /* ...while the sizes real schemas use load and match, and so does a lazy quantifier. */
    ZT_EQ_STR(check("{\"pattern\":\"^a+?b$\"}", "\"aab\""), "");
    ZT_EQ_STR(check("{\"pattern\":\"^[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}$\"}",
                    "\"0123abcd-0000-0123456789ab\""), "");
    ZT_EQ_STR(check("{\"pattern\":\"^[a-z0-9][a-z0-9_-]{0,62}$\"}", "\"acme\""), "");
    ZT_EQ_STR(check("{\"pattern\":\"^a{1,1000}$\"}", "\"aaa\""), "");
    ZT_EQ_STR(check("{\"pattern\":\"^[[:alpha:]]{2}[]x]{3}$\"}", "\"ab]x]\""), "");
    ZT_CONTAINS(check("{\"minLength\":-1}", "\"\""), "schema /minLength: must be a non-negative integer");
    ZT_CONTAINS(check("{\"anyOf\":[]}", "1"), "must be a non-empty array");
    ZT_CONTAINS(check("{\"type\":\"object\",}", "{}"), "LOAD: t: invalid JSON at line 1");
    ZT_CONTAINS(check("[1]", "1"), "must be an object or a boolean");
}

static void test_parse_json_errors(void)
{
    zs_err err = {{0}};
    json_object *o = NULL;
    const char *bad = "{\n  \"id\": \"acme\",\n  \"x\": [1, 2,\n}";
    ZT_EQ_INT(zs_schema_parse_json(bad, strlen(bad), &o, &err), ZS_ERR_FAILED);
    ZT_CONTAINS(err.msg, "invalid JSON at line 4, column 1");
    ZT_CHECK(o == NULL);
    ZT_EQ_INT(zs_schema_parse_json("{\"a\":1", 6, &o, &err), ZS_ERR_FAILED);
    ZT_CONTAINS(err.msg, "line 1, column 7: unexpected end of");
    ZT_EQ_INT(zs_schema_parse_json("{} {}", 5, &o, &err), ZS_ERR_FAILED);
    ZT_CONTAINS(err.msg, "line 1, column 4: ");
    ZT_EQ_INT(zs_schema_parse_json("", 0, &o, &err), ZS_ERR_FAILED);
    ZT_EQ_INT(zs_schema_parse_json("[1,]", 4, &o, &err), ZS_ERR_FAILED);
    ZT_EQ_INT(zs_schema_parse_json("42", 2, &o, &err), ZS_OK);
    ZT_EQ_INT(json_object_get_int(o), 42);
    json_object_put(o);
    const char *ok = " {\"a\":[true]}\n";
    ZT_EQ_INT(zs_schema_parse_json(ok, strlen(ok), &o, &err), ZS_OK);
    ZT_CHECK(json_object_is_type(o, json_type_object));
    json_object_put(o);
}

static void test_validate_all_collects_every_error(void)
{
    zs_err err = {{0}};
    zs_schema *s = NULL;
    ZT_EQ_INT(zs_schema_load_string("{\"required\":[\"a\",\"b\",\"c\"],\"properties\":{\"d\":{\"type\":\"string\"}}}",
                                    "t", &s, &err),
              ZS_OK);
    json_object *d = json_tokener_parse("{\"d\":1}");
    zs_buf all;
    zs_buf_init(&all);
    size_t n = 0;
    ZT_EQ_INT(zs_schema_validate_all(s, d, &all, 0, &n, &err), ZS_ERR_FAILED);
    ZT_EQ_INT(n, 4);
    ZT_EQ_STR(zs_buf_str(&all), "/a: required\n/b: required\n/c: required\n/d: expected string, got integer\n");
    ZT_EQ_STR(err.msg, "/a: required");
    zs_buf_reset(&all);
    ZT_EQ_INT(zs_schema_validate_all(s, d, &all, 2, &n, &err), ZS_ERR_FAILED);
    ZT_EQ_STR(zs_buf_str(&all), "/a: required\n/b: required\n");
    zs_buf_release(&all);
    json_object_put(d);
    zs_schema_free(s);
}

static void test_values_never_echoed(void)
{
    /* A secret pasted into a constrained field must not come back in the message. */
    const char *e = check("{\"properties\":{\"token_file\":{\"type\":\"string\",\"pattern\":\"^/\"}}}",
                          "{\"token_file\":\"papi-SECRET-123\"}");
    ZT_EQ_STR(e, "/token_file: does not match pattern ^/");
    ZT_CHECK(strstr(e, "SECRET") == NULL);
    e = check("{\"enum\":[\"a\"]}", "\"papi-SECRET\"");
    ZT_CHECK(strstr(e, "SECRET") == NULL);
}

static void test_load_named_and_default_dir(void)
{
    zs_err err = {{0}};
    zs_schema *s = NULL;
    ZT_EQ_INT(zs_schema_load_named(ZS_SOURCE_DIR "/schemas", "tenant.v1", &s, &err), ZS_OK);
    ZT_CONTAINS(zs_schema_id(s), "tenant.v1.json");
    zs_schema_free(s);
    ZT_EQ_INT(zs_schema_load_named(ZS_SOURCE_DIR "/schemas", "nope.v9", &s, &err), ZS_ERR_FAILED);
    ZT_CONTAINS(err.msg, "nope.v9.json: No such file");
    setenv("ZS_SCHEMAS_DIR", "/nonexistent-zs", 1);
    ZT_EQ_STR(zs_schema_default_dir(), "/nonexistent-zs");
    unsetenv("ZS_SCHEMAS_DIR");
    ZT_EQ_INT(zs_schema_load_named(NULL, "tenant.v1", &s, &err), ZS_OK);
    zs_schema_free(s);
}

int main(void)
{
    ZT_RUN(test_type);
    ZT_RUN(test_properties_required_additional);
    ZT_RUN(test_pattern_properties_dependent);
    ZT_RUN(test_items_and_array_bounds);
    ZT_RUN(test_enum_const);
    ZT_RUN(test_string_keywords);
    ZT_RUN(test_formats);
    ZT_RUN(test_numbers);
    ZT_RUN(test_ref);
    ZT_RUN(test_combinators);
    ZT_RUN(test_schema_load_errors);
    ZT_RUN(test_parse_json_errors);
    ZT_RUN(test_validate_all_collects_every_error);
    ZT_RUN(test_values_never_echoed);
    ZT_RUN(test_load_named_and_default_dir);
    return zt_summary();
}
