/* Pure helpers both sandboxes use: request counters and strict calendar dates. */
#include "zs_sbx.h"

#include <ctype.h>

void zs_sbx_count(json_object *counts, const char *key)
{
    if (!counts)
        return;
    json_object *v = NULL;
    int64_t n = json_object_object_get_ex(counts, key, &v) ? json_object_get_int64(v) : 0;
    json_object_object_add(counts, key, json_object_new_int64(n + 1));
}

int zs_sbx_digits(const char *s, int n, int *v)
{
    int x = 0;
    for (int i = 0; i < n; i++) {
        if (!isdigit((unsigned char)s[i]))
            return -1;
        x = x * 10 + (s[i] - '0');
    }
    *v = x;
    return 0;
}

static int month_days(int y, int m)
{
    static const int n[] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
    if (m == 2 && ((y % 4 == 0 && y % 100 != 0) || y % 400 == 0))
        return 29;
    return n[m - 1];
}

/* Howard Hinnant's days_from_civil: exact for every proleptic Gregorian date. */
static long long days_from_civil(int y, int m, int d)
{
    y -= m <= 2;
    long long era = (y >= 0 ? y : y - 399) / 400;
    long long yoe = y - era * 400;
    long long doy = (153 * (m + (m > 2 ? -3 : 9)) + 2) / 5 + d - 1;
    long long doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    return era * 146097 + doe - 719468;
}

int zs_sbx_date_parse(const char *s, long long *days)
{
    int y, m, d;
    if (!s || zs_sbx_digits(s, 4, &y) || s[4] != '-' || zs_sbx_digits(s + 5, 2, &m) || s[7] != '-' ||
        zs_sbx_digits(s + 8, 2, &d))
        return -1;
    if (m < 1 || m > 12 || d < 1 || d > month_days(y, m))
        return -1;
    *days = days_from_civil(y, m, d);
    return 0;
}
