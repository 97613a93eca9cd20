/* The client's pure helpers: next-link resolution, error decoding, status classification. */
#include <string.h>

#include "personio/zs_personio.h"
#include "zs_test.h"

static void test_resolve_link(void)
{
    char out[512];
    ZT_EQ_INT(zs_personio_resolve_link("https://api.personio.de", "https://api.personio.de/v2/persons?cursor=a", out, sizeof out), 0);
    ZT_EQ_STR(out, "https://api.personio.de/v2/persons?cursor=a");
    ZT_EQ_INT(zs_personio_resolve_link("https://api.personio.de/", "/v2/attendance-periods?cursor=b", out, sizeof out), 0);
    ZT_EQ_STR(out, "https://api.personio.de/v2/attendance-periods?cursor=b");
    ZT_EQ_INT(zs_personio_resolve_link("https://API.personio.de", "https://api.personio.de/v2/x", out, sizeof out), 0);
    ZT_EQ_INT(zs_personio_resolve_link("https://api.personio.de", "https://evil.example/v2/persons", out, sizeof out), -1);
    ZT_EQ_INT(zs_personio_resolve_link("https://api.personio.de", "http://api.personio.de/v2/persons", out, sizeof out), -1);
    ZT_EQ_INT(zs_personio_resolve_link("https://api.personio.de", "https://api.personio.de.evil.example/v2", out, sizeof out), -1);
    ZT_EQ_INT(zs_personio_resolve_link("https://api.personio.de", "https://api.personio.de:8443/v2", out, sizeof out), -1);
    ZT_EQ_INT(zs_personio_resolve_link("http://127.0.0.1:8080", "http://127.0.0.1:8081/v2", out, sizeof out), -1);
    ZT_EQ_INT(zs_personio_resolve_link("https://api.personio.de", "//evil.example/v2", out, sizeof out), -1);
    ZT_EQ_INT(zs_personio_resolve_link("https://api.personio.de", "v2/persons", out, sizeof out), -1);
    ZT_EQ_INT(zs_personio_resolve_link("https://api.personio.de", "/v2/persons", out, 10), -1);
}

static void test_decode_error_shapes(void)
{
    char t[160], d[400];
    zs_personio_decode_error("{\"personio_trace_id\":\"x\",\"errors\":[{\"title\":\"Resource not found\",\"detail\":\"gone\",\"type\":\"t\",\"_meta\":{}}]}",
                             t, sizeof t, d, sizeof d);
    ZT_EQ_STR(t, "Resource not found");
    ZT_EQ_STR(d, "gone");
    zs_personio_decode_error("{\"error\":\"invalid_client\",\"error_description\":\"Invalid Credentials\"}", t, sizeof t, d, sizeof d);
    ZT_EQ_STR(t, "invalid_client");
    ZT_EQ_STR(d, "Invalid Credentials");
    zs_personio_decode_error("{\"type\":\"about:blank\",\"title\":\"Bad Request\",\"status\":400,\"detail\":\"nope\"}", t, sizeof t, d, sizeof d);
    ZT_EQ_STR(t, "Bad Request");
    ZT_EQ_STR(d, "nope");
    zs_personio_decode_error("{\"success\":false,\"error\":{\"code\":500,\"message\":\"Something went wrong\"}}", t, sizeof t, d, sizeof d);
    ZT_EQ_STR(t, "Something went wrong");
    /* a null title keeps the detail; an empty error list falls back to the body text */
    zs_personio_decode_error("{\"title\":null,\"detail\":\"only detail\"}", t, sizeof t, d, sizeof d);
    ZT_EQ_STR(t, "");
    ZT_EQ_STR(d, "only detail");
    zs_personio_decode_error("{\"errors\":[]}", t, sizeof t, d, sizeof d);
    ZT_EQ_STR(t, "{\"errors\":[]}");
    ZT_EQ_STR(d, "");
    zs_personio_decode_error("<html>502 Bad Gateway</html>", t, sizeof t, d, sizeof d);
    ZT_EQ_STR(t, "<html>502 Bad Gateway</html>");
    zs_personio_decode_error("", t, sizeof t, d, sizeof d);
    ZT_EQ_STR(t, "");
    zs_personio_decode_error(NULL, t, sizeof t, d, sizeof d);
    ZT_EQ_STR(d, "");
}

static void test_classify(void)
{
    ZT_EQ_INT(zs_personio_classify(200), ZS_OK);
    ZT_EQ_INT(zs_personio_classify(204), ZS_OK);
    ZT_EQ_INT(zs_personio_classify(0), ZS_ERR_RETRY);
    ZT_EQ_INT(zs_personio_classify(429), ZS_ERR_RETRY);
    ZT_EQ_INT(zs_personio_classify(502), ZS_ERR_RETRY);
    ZT_EQ_INT(zs_personio_classify(400), ZS_ERR_FAILED);
    ZT_EQ_INT(zs_personio_classify(422), ZS_ERR_FAILED);
    ZT_EQ_INT(zs_personio_classify(401), ZS_ERR_AUTH);
    ZT_EQ_INT(zs_personio_classify(403), ZS_ERR_AUTH);
    ZT_EQ_INT(zs_personio_classify(404), ZS_ERR_NOTFOUND);
    ZT_EQ_INT(zs_personio_classify(409), ZS_ERR_CONFLICT);
}

static void test_new_validates_options(void)
{
    zs_err err;
    zs_personio_opts o = {.base_url = "api.personio.de", .client_id = "a", .client_secret = "b"};
    ZT_CHECK(zs_personio_new(&o, &err) == NULL);
    ZT_CONTAINS(err.msg, "absolute");
    zs_personio_opts o2 = {.base_url = "https://api.personio.de"};
    ZT_CHECK(zs_personio_new(&o2, &err) == NULL);
    ZT_CONTAINS(err.msg, "client_id");
}

int main(void)
{
    ZT_RUN(test_resolve_link);
    ZT_RUN(test_decode_error_shapes);
    ZT_RUN(test_classify);
    ZT_RUN(test_new_validates_options);
    return zt_summary();
}
