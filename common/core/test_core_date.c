#include "core/zs_date.h"
#include "zs_test.h"

#include <stdint.h>
#include <string.h>
#include <time.h>

static void test_leap_and_month_lengths(void)
{
    ZT_CHECK(zs_date_is_leap(2024));
    ZT_CHECK(zs_date_is_leap(2000));
    ZT_CHECK(zs_date_is_leap(0));
    ZT_CHECK(!zs_date_is_leap(1900));
    ZT_CHECK(!zs_date_is_leap(2023));
    ZT_CHECK(!zs_date_is_leap(2100));
    ZT_EQ_INT(zs_date_month_days(2024, 2), 29);
    ZT_EQ_INT(zs_date_month_days(2023, 2), 28);
    ZT_EQ_INT(zs_date_month_days(1900, 2), 28);
    ZT_EQ_INT(zs_date_month_days(2023, 4), 30);
    ZT_EQ_INT(zs_date_month_days(2023, 12), 31);
    ZT_EQ_INT(zs_date_month_days(2023, 0), 0);
    ZT_EQ_INT(zs_date_month_days(2023, 13), 0);
}

static void test_day_numbers(void)
{
    ZT_EQ_INT(zs_date_days_from_civil(1970, 1, 1), 0);
    ZT_EQ_INT(zs_date_days_from_civil(1969, 12, 31), -1);
    ZT_EQ_INT(zs_date_days_from_civil(2000, 3, 1), 11017);
    ZT_EQ_INT(zs_date_days_from_civil(0, 3, 1), -719468);
    ZT_EQ_INT(zs_date_days_from_civil(9999, 12, 31), 2932896);
    /* a day past the month's end counts on, so date arithmetic is an addition */
    ZT_EQ_INT(zs_date_days_from_civil(2024, 2, 30), zs_date_days_from_civil(2024, 3, 1));
    ZT_EQ_INT(zs_date_days_from_civil(2023, 12, 32), zs_date_days_from_civil(2024, 1, 1));

    ZT_EQ_INT(zs_date_weekday(0), 4); /* Thursday */
    ZT_EQ_INT(zs_date_weekday(-1), 3);
    ZT_EQ_INT(zs_date_weekday(zs_date_days_from_civil(2024, 12, 25)), 3);
    ZT_EQ_INT(zs_date_weekday(zs_date_days_from_civil(2026, 12, 4)), 5);

    zs_date d = {1, 1, 1};
    ZT_EQ_INT(zs_date_civil_from_days(INT64_MAX, &d), -1);
    ZT_EQ_INT(d.year + d.month + d.day, 0);
    ZT_EQ_INT(zs_date_civil_from_days(INT64_MIN, &d), -1);
    ZT_EQ_INT(zs_date_civil_from_days(-719469, &d), 0); /* before year 0 */
    ZT_EQ_INT(d.year, 0);
    ZT_EQ_INT(d.month, 2);
    ZT_EQ_INT(d.day, 29);
    ZT_EQ_INT(zs_date_civil_from_days(-719529, &d), 0);
    ZT_EQ_INT(d.year, -1);
    ZT_EQ_INT(d.month, 12);
    ZT_EQ_INT(d.day, 31);
}

/* Every day of years 0..9999: the day number round-trips and the next day is the calendar's next. */
static void test_every_day_round_trips(void)
{
    int64_t first = zs_date_days_from_civil(0, 1, 1), last = zs_date_days_from_civil(9999, 12, 31);
    zs_date prev;
    ZT_EQ_INT(zs_date_civil_from_days(first, &prev), 0);
    ZT_CHECK(prev.year == 0 && prev.month == 1 && prev.day == 1);
    long bad = 0;
    for (int64_t z = first + 1; z <= last; z++) {
        zs_date d;
        if (zs_date_civil_from_days(z, &d) != 0 || zs_date_days_from_civil(d.year, d.month, d.day) != z) {
            bad++;
            continue;
        }
        int next_ok = (d.year == prev.year && d.month == prev.month && d.day == prev.day + 1) ||
                      (d.year == prev.year && d.month == prev.month + 1 && d.day == 1 &&
                       prev.day == zs_date_month_days(prev.year, prev.month)) ||
                      (d.year == prev.year + 1 && d.month == 1 && d.day == 1 && prev.month == 12 &&
                       prev.day == 31);
        bad += !next_ok;
        prev = d;
    }
    ZT_EQ_INT(bad, 0);
    ZT_CHECK(prev.year == 9999 && prev.month == 12 && prev.day == 31);
}

/* An independent oracle: the C library's timegm over many dates. */
static void test_days_agree_with_timegm(void)
{
    uint32_t x = 12345;
    long bad = 0;
    for (int i = 0; i < 20000; i++) {
        x = x * 1664525u + 1013904223u;
        int y = 1900 + (int)(x >> 8) % 8100;
        int m = 1 + (int)(x >> 4) % 12;
        int d = 1 + (int)(x >> 16) % zs_date_month_days(y, m);
        struct tm tm = {.tm_year = y - 1900, .tm_mon = m - 1, .tm_mday = d};
        time_t t = timegm(&tm);
        bad += (int64_t)t != zs_date_days_from_civil(y, m, d) * 86400;
    }
    ZT_EQ_INT(bad, 0);
}

static void test_parse_date(void)
{
    zs_date d;
    ZT_EQ_INT(zs_date_parse("2024-02-29", &d), 0);
    ZT_CHECK(d.year == 2024 && d.month == 2 && d.day == 29);
    ZT_EQ_INT(zs_date_parse("2000-02-29", NULL), 0);
    ZT_EQ_INT(zs_date_parse("0000-01-01", NULL), 0);
    ZT_EQ_INT(zs_date_parse("9999-12-31", NULL), 0);
    static const char *const bad[] = {
        "2023-02-29", "1900-02-29", "2024-04-31", "2024-13-01", "2024-00-10", "2024-01-00",
        "2024-01-32", "2024-1-01",  "2024-01-1",  "2024/01/01", "2024-01-01x", "2024-01-01 ",
        " 2024-01-01", "2024-01-0", "24-01-01",  "",           "2024-01-01T00:00", "+2024-01-01",
        "2024-0a-01", "２024-01-01"};
    for (size_t i = 0; i < sizeof bad / sizeof *bad; i++) {
        d = (zs_date){9, 9, 9};
        if (zs_date_parse(bad[i], &d) != -1)
            zt_fail(__FILE__, __LINE__, "date \"%s\" was accepted", bad[i]);
        ZT_CHECK(d.year == 0 && d.month == 0 && d.day == 0);
    }
    ZT_EQ_INT(zs_date_parse(NULL, &d), -1);
}

static void test_parse_clock(void)
{
    int sod = -1;
    ZT_EQ_INT(zs_date_parse_clock("08:00", 0, &sod), 0);
    ZT_EQ_INT(sod, 8 * 3600);
    ZT_EQ_INT(zs_date_parse_clock("23:59:59", 0, &sod), 0);
    ZT_EQ_INT(sod, 86399);
    ZT_EQ_INT(zs_date_parse_clock("00:00", 0, &sod), 0);
    ZT_EQ_INT(sod, 0);
    /* 24:00 closes a day only where the caller says it may */
    ZT_EQ_INT(zs_date_parse_clock("24:00", 0, &sod), -1);
    ZT_EQ_INT(zs_date_parse_clock("24:00", ZS_DATE_END_OF_DAY, &sod), 0);
    ZT_EQ_INT(sod, 86400);
    ZT_EQ_INT(zs_date_parse_clock("24:00:00", ZS_DATE_END_OF_DAY, NULL), 0);
    static const char *const bad[] = {"24:01", "24:00:01", "25:00", "12:60", "12:00:60", "8:00",
                                      "12:00:", "12:00:5", "12:0", "1200",  "12:00Z",   "",
                                      "12:00 ", "T12:00", "12-00", "12:00:00.5"};
    for (size_t i = 0; i < sizeof bad / sizeof *bad; i++) {
        sod = 7;
        if (zs_date_parse_clock(bad[i], ZS_DATE_END_OF_DAY, &sod) != -1)
            zt_fail(__FILE__, __LINE__, "clock \"%s\" was accepted", bad[i]);
        ZT_EQ_INT(sod, 0);
    }
    ZT_EQ_INT(zs_date_parse_clock(NULL, 0, &sod), -1);
}

static void test_parse_local(void)
{
    zs_datetime t;
    ZT_EQ_INT(zs_date_parse_local("2024-03-01T08:30", 0, &t), 0);
    ZT_CHECK(t.date.year == 2024 && t.date.month == 3 && t.date.day == 1);
    ZT_CHECK(t.hour == 8 && t.minute == 30 && t.second == 0 && !t.has_offset);
    ZT_EQ_INT(zs_date_parse_local("2024-03-01T08:30:15", 0, &t), 0);
    ZT_EQ_INT(t.second, 15);
    ZT_EQ_INT(zs_date_parse_local("2024-03-01t08:30", 0, NULL), -1);
    ZT_EQ_INT(zs_date_parse_local("2024-03-01t08:30", ZS_DATE_ANY_CASE, NULL), 0);
    ZT_EQ_INT(zs_date_parse_local("2024-03-01T24:00", 0, NULL), -1);
    ZT_EQ_INT(zs_date_parse_local("2024-03-01T24:00", ZS_DATE_END_OF_DAY, &t), 0);
    ZT_EQ_INT(t.hour, 24);
    static const char *const bad[] = {"2024-03-01 08:30",    "2024-03-01T08:30Z", "2024-03-01T08:30+01:00",
                                      "2024-03-01T08:30:60", "2024-02-30T08:30",  "2024-03-01T8:30",
                                      "2024-03-01T08",       "2024-03-01",        "2024-03-01T08:30:00.5",
                                      "2024-03-01T24:30"};
    for (size_t i = 0; i < sizeof bad / sizeof *bad; i++) {
        t.hour = 5;
        if (zs_date_parse_local(bad[i], ZS_DATE_END_OF_DAY, &t) != -1)
            zt_fail(__FILE__, __LINE__, "local \"%s\" was accepted", bad[i]);
        ZT_EQ_INT(t.hour, 0);
    }
}

static void test_parse_time(void)
{
    zs_datetime t;
    ZT_EQ_INT(zs_date_parse_time("12:00:00Z", 0, &t), 0);
    ZT_CHECK(t.hour == 12 && t.has_offset && t.offset_min == 0 && t.date.year == 0);
    ZT_EQ_INT(zs_date_parse_time("23:59:60+01:00", 0, &t), 0);
    ZT_CHECK(t.second == 60 && t.offset_min == 60);
    ZT_EQ_INT(zs_date_parse_time("07:05:00.5-03:30", 0, &t), 0);
    ZT_CHECK(t.nanos == 500000000 && t.offset_min == -210);
    ZT_EQ_INT(zs_date_parse_time("00:00:00+23:59", 0, NULL), 0);
    ZT_EQ_INT(zs_date_parse_time("12:00:00z", 0, NULL), -1);
    ZT_EQ_INT(zs_date_parse_time("12:00:00z", ZS_DATE_ANY_CASE, NULL), 0);
    static const char *const bad[] = {"12:00:00",       "12:00Z",         "12:00:00.Z",    "12:00:00+24:00",
                                      "12:00:00+01:60", "12:00:00+0100",  "12:00:00+01",   "24:00:00Z",
                                      "12:60:00Z",      "12:00:61Z",      "12:00:00Z ",    "12:00:00+01:00:00",
                                      "12:00:00 Z",     "12:00:00.5.5Z",  "12:00:00UTC",   ""};
    for (size_t i = 0; i < sizeof bad / sizeof *bad; i++)
        if (zs_date_parse_time(bad[i], ZS_DATE_ANY_CASE, NULL) != -1)
            zt_fail(__FILE__, __LINE__, "time \"%s\" was accepted", bad[i]);
}

static void test_parse_rfc3339(void)
{
    zs_datetime t;
    ZT_EQ_INT(zs_date_parse_rfc3339("2024-06-30T23:59:60Z", 0, &t), 0);
    ZT_CHECK(t.date.year == 2024 && t.date.month == 6 && t.date.day == 30 && t.second == 60);
    ZT_EQ_INT(zs_date_parse_rfc3339("2024-01-01T00:00:00.1234567891234Z", 0, &t), 0);
    ZT_EQ_INT(t.nanos, 123456789);
    ZT_EQ_INT(zs_date_parse_rfc3339("2024-01-01T00:00:00.000001+05:45", 0, &t), 0);
    ZT_CHECK(t.nanos == 1000 && t.offset_min == 345);
    ZT_EQ_INT(zs_date_parse_rfc3339("2024-01-01T00:00:00-00:00", 0, &t), 0);
    ZT_CHECK(t.has_offset && t.offset_min == 0);
    /* the event codec is strict about case; the schema validator follows RFC 3339's note */
    ZT_EQ_INT(zs_date_parse_rfc3339("2024-01-01t00:00:00Z", 0, NULL), -1);
    ZT_EQ_INT(zs_date_parse_rfc3339("2024-01-01T00:00:00z", 0, NULL), -1);
    ZT_EQ_INT(zs_date_parse_rfc3339("2024-01-01t00:00:00z", ZS_DATE_ANY_CASE, NULL), 0);
    static const char *const bad[] = {
        "2024-01-01T00:00:00",       "2024-01-01 00:00:00Z",  "2024-02-30T00:00:00Z", "2024-01-01T24:00:00Z",
        "2024-01-01T00:00Z",         "2024-01-01T00:00:00.Z", "2024-01-01Z",          "2024-01-01T00:00:00+1:00",
        "2024-01-01T00:00:00Z\n",    "2024-1-01T00:00:00Z",   "20240101T000000Z",     ""};
    for (size_t i = 0; i < sizeof bad / sizeof *bad; i++) {
        t.second = 9;
        if (zs_date_parse_rfc3339(bad[i], ZS_DATE_ANY_CASE | ZS_DATE_END_OF_DAY, &t) != -1)
            zt_fail(__FILE__, __LINE__, "date-time \"%s\" was accepted", bad[i]);
        ZT_EQ_INT(t.second, 0);
    }
    ZT_EQ_INT(zs_date_parse_rfc3339(NULL, 0, &t), -1);
}

static void test_to_unix(void)
{
    zs_datetime t;
    int64_t s = 42;
    ZT_EQ_INT(zs_date_parse_rfc3339("1970-01-01T00:00:00Z", 0, &t), 0);
    ZT_EQ_INT(zs_date_to_unix(&t, &s), 0);
    ZT_EQ_INT(s, 0);
    ZT_EQ_INT(zs_date_parse_rfc3339("2024-01-01T01:00:00+01:00", 0, &t), 0);
    ZT_EQ_INT(zs_date_to_unix(&t, &s), 0);
    ZT_EQ_INT(s, 1704067200);
    ZT_EQ_INT(zs_date_parse_rfc3339("2023-12-31T20:30:00-03:30", 0, &t), 0);
    ZT_EQ_INT(zs_date_to_unix(&t, &s), 0);
    ZT_EQ_INT(s, 1704067200);
    ZT_EQ_INT(zs_date_parse_rfc3339("1969-12-31T23:59:59Z", 0, &t), 0);
    ZT_EQ_INT(zs_date_to_unix(&t, &s), 0);
    ZT_EQ_INT(s, -1);
    ZT_EQ_INT(zs_date_parse_rfc3339("2016-12-31T23:59:60Z", 0, &t), 0);
    ZT_EQ_INT(zs_date_to_unix(&t, &s), 0);
    ZT_EQ_INT(s, 1483228800);
    ZT_EQ_INT(zs_date_parse_local("2024-01-01T00:00", 0, &t), 0);
    ZT_EQ_INT(zs_date_to_unix(&t, &s), -1);
    ZT_EQ_INT(zs_date_to_unix(NULL, &s), -1);
}

static void test_format(void)
{
    char b[ZS_DATE_RFC3339_MAX];
    ZT_EQ_INT(zs_date_format(&(zs_date){2024, 2, 9}, b, sizeof b), 10);
    ZT_EQ_STR(b, "2024-02-09");
    ZT_EQ_INT(zs_date_format(&(zs_date){2023, 2, 29}, b, sizeof b), -1);
    ZT_EQ_STR(b, "");
    ZT_EQ_INT(zs_date_format(&(zs_date){10000, 1, 1}, b, sizeof b), -1);
    ZT_EQ_INT(zs_date_format(&(zs_date){-1, 1, 1}, b, sizeof b), -1);
    ZT_EQ_INT(zs_date_format(&(zs_date){2024, 2, 9}, b, 10), -1);
    ZT_EQ_STR(b, "");

    zs_datetime t = {.date = {2024, 3, 1}, .hour = 8, .minute = 5};
    ZT_EQ_INT(zs_date_format_local(&t, b, sizeof b), 19);
    ZT_EQ_STR(b, "2024-03-01T08:05:00");
    ZT_EQ_INT(zs_date_format_rfc3339(&t, b, sizeof b), -1); /* local: no instant */
    t.has_offset = 1;
    ZT_EQ_INT(zs_date_format_rfc3339(&t, b, sizeof b), 20);
    ZT_EQ_STR(b, "2024-03-01T08:05:00Z");
    t.offset_min = -210;
    t.nanos = 120000000;
    ZT_EQ_INT(zs_date_format_rfc3339(&t, b, sizeof b), 28);
    ZT_EQ_STR(b, "2024-03-01T08:05:00.12-03:30");
    t.nanos = 999999999;
    t.offset_min = 23 * 60 + 59;
    t.second = 60;
    ZT_EQ_INT(zs_date_format_rfc3339(&t, b, sizeof b), ZS_DATE_RFC3339_MAX - 1);
    ZT_EQ_STR(b, "2024-03-01T08:05:60.999999999+23:59");
    ZT_EQ_INT(zs_date_format_local(&t, b, sizeof b), -1); /* no leap second on a wall clock */
    t.offset_min = 24 * 60;
    ZT_EQ_INT(zs_date_format_rfc3339(&t, b, sizeof b), -1);

    zs_datetime eod = {.date = {2024, 3, 1}, .hour = 24};
    ZT_EQ_INT(zs_date_format_local(&eod, b, sizeof b), 19);
    ZT_EQ_STR(b, "2024-03-01T24:00:00");
    eod.minute = 1;
    ZT_EQ_INT(zs_date_format_local(&eod, b, sizeof b), -1);
}

/* What the formatters write, the parsers read back to the same fields. */
static void test_format_parse_round_trip(void)
{
    uint32_t x = 777;
    long bad = 0;
    for (int i = 0; i < 20000; i++) {
        x = x * 1664525u + 1013904223u;
        zs_datetime t = {0}, back;
        if (zs_date_civil_from_days((int64_t)(x % 3652425u) - 719528, &t.date) != 0) {
            bad++;
            continue;
        }
        x = x * 1664525u + 1013904223u;
        t.hour = (int)(x % 24);
        t.minute = (int)(x >> 8) % 60;
        t.second = (int)(x >> 16) % 61;
        t.nanos = i % 3 ? 0 : (int)(x % 1000000000u);
        t.has_offset = 1;
        t.offset_min = (int)((x >> 4) % 2879) - 1439;
        char b[ZS_DATE_RFC3339_MAX];
        if (zs_date_format_rfc3339(&t, b, sizeof b) < 0 || zs_date_parse_rfc3339(b, 0, &back) != 0 ||
            memcmp(&t, &back, sizeof t) != 0) {
            bad++;
            continue;
        }
        t.second %= 60;
        t.nanos = 0;
        t.has_offset = 0;
        t.offset_min = 0;
        if (zs_date_format_local(&t, b, sizeof b) != 19 || zs_date_parse_local(b, 0, &back) != 0 ||
            memcmp(&t, &back, sizeof t) != 0)
            bad++;
    }
    ZT_EQ_INT(bad, 0);
}

int main(void)
{
    ZT_RUN(test_leap_and_month_lengths);
    ZT_RUN(test_day_numbers);
    ZT_RUN(test_every_day_round_trips);
    ZT_RUN(test_days_agree_with_timegm);
    ZT_RUN(test_parse_date);
    ZT_RUN(test_parse_clock);
    ZT_RUN(test_parse_local);
    ZT_RUN(test_parse_time);
    ZT_RUN(test_parse_rfc3339);
    ZT_RUN(test_to_unix);
    ZT_RUN(test_format);
    ZT_RUN(test_format_parse_round_trip);
    return zt_summary();
}
