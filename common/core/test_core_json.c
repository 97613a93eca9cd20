/* zs_json: dotted paths, null and absent fields, numbers as strings, request text. */
#include "core/zs_json.h"
#include "zs_test.h"

static const char *DOC =
    "{\"id\":17,\"name\":\"Koch\",\"gone\":null,\"person\":{\"id\":\"p-1\",\"type\":{\"x\":1}},"
    "\"hours\":\"4.7500000000\",\"junk\":\"4.75h\",\"n\":2.5,\"t\":true,\"s1\":\"1\",\"sno\":\"yes\","
    "\"list\":[1,2],\"url\":\"a/b\"}";

static void test_paths_and_absence(void)
{
    json_object *o = zs_json_parse_object(DOC);
    ZT_CHECK(o != NULL);
    ZT_EQ_STR(zs_json_str(o, "name"), "Koch");
    ZT_EQ_STR(zs_json_str(o, "id"), "17");
    ZT_EQ_STR(zs_json_str(o, "person.id"), "p-1");
    ZT_CHECK(zs_json_str(o, "gone") == NULL);
    ZT_CHECK(zs_json_at(o, "gone") == NULL);
    ZT_CHECK(zs_json_str(o, "missing") == NULL);
    ZT_CHECK(zs_json_str(o, "person.type") == NULL); /* an object is not a field value */
    ZT_CHECK(zs_json_str(o, "list") == NULL);
    ZT_CHECK(zs_json_str(o, "name.first") == NULL);  /* stepping into a string */
    ZT_CHECK(zs_json_at(o, "person.type.x") != NULL);
    ZT_CHECK(zs_json_str(NULL, "id") == NULL);
    char longseg[100];
    memset(longseg, 'a', sizeof longseg - 1);
    longseg[sizeof longseg - 1] = '\0';
    ZT_CHECK(zs_json_at(o, longseg) == NULL);
    json_object_put(o);

    /* Segments up to 63 bytes are looked up; 64 is refused, right at the edge of the buffer. */
    char k63[64], k64[65], doc[300];
    memset(k63, 'k', 63);
    k63[63] = '\0';
    memset(k64, 'k', 64);
    k64[64] = '\0';
    snprintf(doc, sizeof doc, "{\"%s\":\"v63\",\"%s\":\"v64\"}", k63, k64);
    o = zs_json_parse_object(doc);
    ZT_CHECK(o != NULL);
    ZT_EQ_STR(zs_json_str(o, k63), "v63");
    ZT_CHECK(zs_json_str(o, k64) == NULL);
    json_object_put(o);
}

static void test_copy_truncates_and_empties(void)
{
    json_object *o = zs_json_parse_object(DOC);
    char small[4] = "xxx", big[32] = "old";
    zs_json_copy(small, sizeof small, o, "name");
    ZT_EQ_STR(small, "Koc");
    zs_json_copy(big, sizeof big, o, "gone");
    ZT_EQ_STR(big, "");
    zs_json_copy(big, sizeof big, o, "person.id");
    ZT_EQ_STR(big, "p-1");
    json_object_put(o);
}

static void test_numbers_and_bools(void)
{
    json_object *o = zs_json_parse_object(DOC);
    ZT_CHECK(zs_json_num(o, "hours", -1) == 4.75);
    ZT_CHECK(zs_json_num(o, "junk", -1) == -1);
    ZT_CHECK(zs_json_num(o, "url", -1) == -1);
    ZT_CHECK(zs_json_num(o, "n", -1) == 2.5);
    ZT_CHECK(zs_json_num(o, "id", -1) == 17);
    ZT_CHECK(zs_json_num(o, "gone", -1) == -1);
    ZT_CHECK(zs_json_num(o, "person", -1) == -1);
    /* an empty string is no number (strtod would read it as 0) */
    json_object *e = zs_json_parse_object("{\"empty\":\"\",\"sp\":\" \"}");
    ZT_CHECK(zs_json_num(e, "empty", -1) == -1);
    ZT_CHECK(zs_json_num(e, "sp", -1) == -1);
    json_object_put(e);
    ZT_EQ_INT(zs_json_bool(o, "t"), 1);
    ZT_EQ_INT(zs_json_bool(o, "s1"), 1);
    ZT_EQ_INT(zs_json_bool(o, "sno"), 0);
    ZT_EQ_INT(zs_json_bool(o, "id"), 1);
    ZT_EQ_INT(zs_json_bool(o, "person"), 0);
    ZT_EQ_INT(zs_json_bool(o, "missing"), 0);
    json_object_put(o);
}

static void test_parse_object_and_text(void)
{
    ZT_CHECK(zs_json_parse_object("[1,2]") == NULL);
    ZT_CHECK(zs_json_parse_object("\"s\"") == NULL);
    ZT_CHECK(zs_json_parse_object("{oops") == NULL);
    ZT_CHECK(zs_json_parse_object(NULL) == NULL);
    json_object *o = zs_json_parse_object("{ \"url\" : \"a/b\", \"k\": [ 1 ] }");
    ZT_EQ_STR(zs_json_text(o), "{\"url\":\"a/b\",\"k\":[1]}");
    json_object_put(o);
}

static void test_setters_record_failures(void)
{
    int bad = 0;
    json_object *o = json_object_new_object(), *arr = json_object_new_array();
    zs_json_set(o, "a", json_object_new_string("x"), &bad);
    zs_json_set_null(o, "b", &bad);
    zs_json_push(arr, json_object_new_int(1), &bad);
    zs_json_set(o, "l", arr, &bad);
    ZT_EQ_INT(bad, 0);
    ZT_EQ_STR(zs_json_text(o), "{\"a\":\"x\",\"b\":null,\"l\":[1]}");
    zs_json_set(o, "c", NULL, &bad); /* what a failed json_object_new_* hands over */
    ZT_EQ_INT(bad, 1);
    ZT_CHECK(zs_json_at(o, "c") == NULL && !json_object_object_get_ex(o, "c", NULL));
    bad = 0;
    zs_json_push(NULL, json_object_new_int(2), &bad);
    ZT_EQ_INT(bad, 1);
    bad = 0;
    zs_json_set_null(NULL, "x", &bad);
    ZT_EQ_INT(bad, 1);
    json_object_put(o);
}

int main(void)
{
    ZT_RUN(test_paths_and_absence);
    ZT_RUN(test_copy_truncates_and_empties);
    ZT_RUN(test_numbers_and_bools);
    ZT_RUN(test_parse_object_and_text);
    ZT_RUN(test_setters_record_failures);
    return zt_summary();
}
