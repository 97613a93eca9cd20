/* zepsync-eventcat as an operator runs it: a file of JSON lines in, one verdict per line out. */
#include "codec/zs_codec.h"
#include "zs_test.h"

#include <stdlib.h>
#include <unistd.h>

static char dir[256];

static char *booking_line(const char *id, const char *version)
{
    zs_event ev;
    zs_event_init(&ev, ZS_EVENT_BOOKING_RECORDED);
    ev.tenant = "acme";
    ev.time = "2026-11-30T11:21:00.000Z";
    ev.action = ZS_ACTION_UPSERTED;
    ev.system = ZS_SYSTEM_ZEP;
    ev.source_version = version;
    ev.booking = (zs_booking){.id = id, .employee_id = "lkoch", .date = "2026-11-30",
                              .from = "08:00", .to = "12:00"};
    char *out = NULL;
    zs_err err;
    ZT_EQ_INT(zs_codec_build(&ev, 0, &out, &err), ZS_OK);
    return out;
}

static void write_file(const char *path, const char *content)
{
    FILE *f = fopen(path, "w");
    ZT_CHECK(f != NULL);
    if (!f)
        return;
    fputs(content, f);
    fclose(f);
}

static int run(const char *args, char *out, size_t cap)
{
    char cmd[2048];
    snprintf(cmd, sizeof cmd, "%s %s 2>%s/stderr", zt_bin("zepsync-eventcat"), args, dir);
    return zt_sh(cmd, out, cap);
}

static void test_mixed_file(void)
{
    char *good1 = booking_line("4711", "2026-11-30T11:20:41.000000Z");
    char *good2 = booking_line("4712", "2026-11-30T11:20:42.000000Z");
    char content[8192];
    snprintf(content, sizeof content,
             "%s\n"
             "\n"
             "{\"specversion\":\"1.0\",\n"
             "%s\n"
             "{\"specversion\":\"1.0\",\"type\":\"de.zepsync.nope.v1\"}\n"
             "[]\n",
             good1, good2);
    char path[300];
    snprintf(path, sizeof path, "%s/events.jsonl", dir);
    write_file(path, content);
    char out[8192], args[600];
    snprintf(args, sizeof args, "%s", path);
    ZT_EQ_INT(run(args, out, sizeof out), 1);
    char want[512];
    zs_event ev;
    zs_err err;
    ZT_EQ_INT(zs_codec_parse(good1, strlen(good1), 0, &ev, &err), ZS_OK);
    snprintf(want, sizeof want, "%s:1: ok de.zepsync.booking.recorded.v1 id=%s key=acme:lkoch\n", path,
             ev.id);
    zs_event_release(&ev);
    ZT_CONTAINS(out, want);
    snprintf(want, sizeof want, "%s:3: error: not valid JSON", path);
    ZT_CONTAINS(out, want);
    snprintf(want, sizeof want, "%s:4: ok de.zepsync.booking.recorded.v1", path);
    ZT_CONTAINS(out, want);
    snprintf(want, sizeof want, "%s:5: error: /type: unknown event type \"de.zepsync.nope.v1\"", path);
    ZT_CONTAINS(out, want);
    snprintf(want, sizeof want, "%s:6: error: event is a JSON array", path);
    ZT_CONTAINS(out, want);
    ZT_CHECK(strstr(out, ":2:") == NULL); /* the blank line */
    char summary[512], cmd[400];
    snprintf(cmd, sizeof cmd, "cat %s/stderr", dir);
    zt_sh(cmd, summary, sizeof summary);
    ZT_CONTAINS(summary, "5 events, 2 ok, 3 invalid");

    /* Only valid events: exit 0; --quiet prints nothing; stdin works too. */
    snprintf(content, sizeof content, "%s\n%s\n", good1, good2);
    write_file(path, content);
    ZT_EQ_INT(run(args, out, sizeof out), 0);
    snprintf(args, sizeof args, "--quiet < %s", path);
    ZT_EQ_INT(run(args, out, sizeof out), 0);
    ZT_EQ_STR(out, "");
    snprintf(args, sizeof args, "- < %s", path);
    ZT_EQ_INT(run(args, out, sizeof out), 0);
    ZT_CONTAINS(out, "-:2: ok");

    /* Size limit and id checks. */
    snprintf(args, sizeof args, "--max-bytes 100 %s", path);
    ZT_EQ_INT(run(args, out, sizeof out), 1);
    ZT_CONTAINS(out, "over the limit of 100");
    char *forged = booking_line("4711", "2026-11-30T11:20:41.000000Z");
    char *p = strstr(forged, "\"id\":\"");
    if (p)
        memcpy(p + 6, "00000000", 8);
    snprintf(content, sizeof content, "%s\n", forged);
    write_file(path, content);
    snprintf(args, sizeof args, "%s", path);
    ZT_EQ_INT(run(args, out, sizeof out), 0);
    snprintf(args, sizeof args, "--strict-ids %s", path);
    ZT_EQ_INT(run(args, out, sizeof out), 1);
    ZT_CONTAINS(out, "is not the deterministic id");
    free(forged);
    free(good1);
    free(good2);
    unlink(path);
}

static void test_examples_and_cli(void)
{
    char out[8192], args[1024];
    /* The shipped examples are pretty-printed; one event per line is the operator format. */
    snprintf(args, sizeof args,
             "--help");
    ZT_EQ_INT(run(args, out, sizeof out), 0);
    ZT_CONTAINS(out, "usage: zepsync-eventcat");
    ZT_EQ_INT(run("--bogus", out, sizeof out), 2);
    ZT_EQ_INT(run("--max-bytes x", out, sizeof out), 2);
    snprintf(args, sizeof args, "%s/does-not-exist.jsonl", dir);
    ZT_EQ_INT(run(args, out, sizeof out), 2);
    char cmd[1024];
    snprintf(cmd, sizeof cmd,
             "for f in %s/schemas/examples/*.v1.example.json; do tr -d '\\n' < $f; echo; done | %s 2>/dev/null",
             ZS_SOURCE_DIR, zt_bin("zepsync-eventcat"));
    ZT_EQ_INT(zt_sh(cmd, out, sizeof out), 0);
    ZT_CONTAINS(out, "ok de.zepsync.absence.approved.v1");
    ZT_CONTAINS(out, "ok de.zepsync.booking.recorded.v1");
    ZT_CONTAINS(out, "ok de.zepsync.employee.changed.v1");
}

int main(void)
{
    const char *w = zt_env("ZS_TEST_WORKDIR");
    snprintf(dir, sizeof dir, "%s/eventcat-XXXXXX", w ? w : "/tmp");
    if (!mkdtemp(dir)) {
        perror("mkdtemp");
        return 1;
    }
    ZT_RUN(test_mixed_file);
    ZT_RUN(test_examples_and_cli);
    char cmd[400];
    snprintf(cmd, sizeof cmd, "rm -rf %s", dir);
    zt_sh(cmd, NULL, 0);
    return zt_summary();
}
