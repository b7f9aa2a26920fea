/*
 * Time helpers: durations and dates as users type them on the command line.
 */
#define _POSIX_C_SOURCE 200809L
#include "core/vtime.h"

#include <ctype.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

int64_t vg_now(void)
{
    return (int64_t)time(NULL);
}

int64_t vg_mono_ms(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

vg_err vg_duration_parse(const char *s, int64_t *out)
{
    if (!s || !*s)
        return vg_error_set(VG_EINVAL, "empty duration");
    errno = 0;
    char *end = NULL;
    long long n = strtoll(s, &end, 10);
    if (end == s || errno || n < 0)
        return vg_error_set(VG_EINVAL, "bad duration '%s' (try 15m, 6h, 7d)", s);
    int64_t unit;
    if (*end == '\0' || strcmp(end, "s") == 0)
        unit = 1;
    else if (strcmp(end, "m") == 0 || strcmp(end, "min") == 0)
        unit = 60;
    else if (strcmp(end, "h") == 0)
        unit = 3600;
    else if (strcmp(end, "d") == 0)
        unit = 86400;
    else if (strcmp(end, "w") == 0)
        unit = 7 * 86400;
    else
        return vg_error_set(VG_EINVAL, "bad duration '%s' (try 15m, 6h, 7d)", s);
    if (n > INT64_MAX / unit)
        return vg_error_set(VG_EINVAL, "duration '%s' too large", s);
    *out = (int64_t)n * unit;
    return VG_OK;
}

int64_t vg_timegm(int year, int month, int day, int hour, int min, int sec)
{
    /* Days from civil (Howard Hinnant's algorithm), valid for any year. */
    int64_t y = year;
    int64_t m = month;
    y += (m - 1) / 12;
    m = (m - 1) % 12 + 1;
    if (m <= 0) {
        m += 12;
        y--;
    }
    y -= m <= 2;
    int64_t era = (y >= 0 ? y : y - 399) / 400;
    int64_t yoe = y - era * 400;
    int64_t doy = (153 * (m + (m > 2 ? -3 : 9)) + 2) / 5 + day - 1;
    int64_t doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    int64_t days = era * 146097 + doe - 719468;
    return days * 86400 + (int64_t)hour * 3600 + (int64_t)min * 60 + sec;
}

vg_err vg_time_parse_cli(const char *s, int64_t now, int64_t *out)
{
    if (!s || !*s)
        return vg_error_set(VG_EINVAL, "empty time");
    if (s[0] == '@') {
        char *end = NULL;
        errno = 0;
        long long v = strtoll(s + 1, &end, 10);
        if (end == s + 1 || *end || errno)
            return vg_error_set(VG_EINVAL, "bad time '%s'", s);
        *out = v;
        return VG_OK;
    }
    int y, mo, d, h = 0, mi = 0, sec = 0, consumed = 0;
    if (sscanf(s, "%4d-%2d-%2d%n", &y, &mo, &d, &consumed) == 3 && consumed == 10) {
        const char *r = s + 10;
        if (*r == 'T' || *r == ' ') {
            int c2 = 0;
            if (sscanf(r + 1, "%2d:%2d%n", &h, &mi, &c2) != 2)
                return vg_error_set(VG_EINVAL, "bad time '%s'", s);
            r += 1 + c2;
            if (*r == ':') {
                int c3 = 0;
                if (sscanf(r + 1, "%2d%n", &sec, &c3) != 1)
                    return vg_error_set(VG_EINVAL, "bad time '%s'", s);
                r += 1 + c3;
            }
            if (*r == 'Z')
                r++;
        }
        if (*r || mo < 1 || mo > 12 || d < 1 || d > 31 || h > 23 || mi > 59 || sec > 60)
            return vg_error_set(VG_EINVAL, "bad date '%s' (use YYYY-MM-DD)", s);
        *out = vg_timegm(y, mo, d, h, mi, sec);
        return VG_OK;
    }
    int64_t dur;
    if (isdigit((unsigned char)s[0]) && vg_duration_parse(s, &dur) == VG_OK) {
        *out = now - dur;
        return VG_OK;
    }
    return vg_error_set(VG_EINVAL, "bad time '%s' (use 7d, 2026-11-01 or @unix)", s);
}

void vg_time_iso(int64_t t, char out[21])
{
    time_t tt = (time_t)t;
    struct tm tm;
    gmtime_r(&tt, &tm);
    strftime(out, 21, "%Y-%m-%dT%H:%M:%SZ", &tm);
}

void vg_time_isoweek(int64_t t, char out[9])
{
    time_t tt = (time_t)t;
    struct tm tm;
    gmtime_r(&tt, &tm);
    strftime(out, 9, "%G-W%V", &tm);
}
