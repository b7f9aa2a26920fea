/*
 * Time zones for digest schedules, read straight from the tz database's
 * compiled files (TZif, RFC 8536) under $TZDIR or /usr/share/zoneinfo.
 *
 * Why not the C library: its only way to convert in a named zone is to
 * set TZ and call tzset(), which changes the whole process. In `vigie
 * run` the schedules are evaluated on the delivery thread while the
 * fetcher thread runs libcurl, which reads the environment (proxy
 * variables) on every transfer: setenv there is a data race, and the
 * process's local zone would flip under anyone else. A parsed zone is
 * an immutable value, so any thread may use its own.
 *
 * What is read: the 64-bit (version 2+) transition table, the local
 * time types, and the POSIX TZ string of the footer, which gives the
 * rule for instants after the last transition (slim files stop their
 * tables early; fat ones at 2037). Leap seconds are ignored, as the
 * "right/" zones are not what anyone schedules mail in.
 */
#include "monitor/digest_schedule.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define TZ_MAX_FILE (512 * 1024)
#define TZ_MAX_TYPES 256

/* A POSIX TZ rule: "CET-1CEST,M3.5.0,M10.5.0/3". */
typedef struct tz_rule {
    int valid, has_dst;
    int32_t std_off, dst_off;   /* seconds east of UTC */
    int start_m, start_w, start_d;
    int32_t start_time;         /* seconds after local midnight, std time */
    int end_m, end_w, end_d;
    int32_t end_time;           /* in dst time */
} tz_rule;

struct digest_tz {
    int64_t *times;             /* transitions, ascending */
    unsigned char *idx;         /* type after each transition */
    size_t n;
    int32_t offs[TZ_MAX_TYPES];
    size_t ntypes;
    tz_rule rule;
};

static int name_ok(const char *s)
{
    if (s == NULL || *s == '\0' || *s == '/' || strlen(s) > 200 || strstr(s, ".."))
        return 0;
    for (; *s; s++)
        if (!((*s >= 'a' && *s <= 'z') || (*s >= 'A' && *s <= 'Z') || (*s >= '0' && *s <= '9')
              || *s == '/' || *s == '_' || *s == '-' || *s == '+'))
            return 0;
    return 1;
}

static uint32_t be32(const unsigned char *p)
{
    return (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 | (uint32_t)p[2] << 8 | p[3];
}

static int64_t be64(const unsigned char *p)
{
    return (int64_t)((uint64_t)be32(p) << 32 | be32(p + 4));
}

/* ---- the POSIX TZ string ---- */

static const char *rule_name(const char *p)
{
    if (*p == '<') {
        while (*p && *p != '>')
            p++;
        return *p == '>' ? p + 1 : NULL;
    }
    const char *s = p;
    while ((*p >= 'a' && *p <= 'z') || (*p >= 'A' && *p <= 'Z'))
        p++;
    return p - s >= 3 ? p : NULL;
}

/* [+-]hh[:mm[:ss]] into seconds; hours up to 167 (RFC 8536 3.3.1). */
static const char *rule_time(const char *p, int32_t *out)
{
    int sign = 1, part = 0;
    long v[3] = {0, 0, 0};

    if (*p == '+' || *p == '-')
        sign = *p++ == '-' ? -1 : 1;
    if (*p < '0' || *p > '9')
        return NULL;
    for (;;) {
        int digits = 0;
        while (*p >= '0' && *p <= '9' && digits < 3) {
            v[part] = v[part] * 10 + (*p++ - '0');
            digits++;
        }
        if (digits == 0 || part == 2 || *p != ':')
            break;
        p++;
        part++;
    }
    if (v[0] > 167 || v[1] > 59 || v[2] > 59)
        return NULL;
    *out = (int32_t)(sign * (v[0] * 3600 + v[1] * 60 + v[2]));
    return p;
}

/* ",Mm.w.d[/time]": only the M form, which every tz zone uses. */
static const char *rule_date(const char *p, int *m, int *w, int *d, int32_t *t)
{
    char *end;

    if (*p++ != ',' || *p++ != 'M')
        return NULL;
    *m = (int)strtol(p, &end, 10);
    if (end == p || *end != '.' || *m < 1 || *m > 12)
        return NULL;
    p = end + 1;
    *w = (int)strtol(p, &end, 10);
    if (end == p || *end != '.' || *w < 1 || *w > 5)
        return NULL;
    p = end + 1;
    *d = (int)strtol(p, &end, 10);
    if (end == p || *d < 0 || *d > 6)
        return NULL;
    p = end;
    *t = 7200;
    if (*p == '/')
        p = rule_time(p + 1, t);
    return p;
}

static void rule_parse(const char *s, tz_rule *r)
{
    const char *p = rule_name(s);
    int32_t off;

    memset(r, 0, sizeof *r);
    if (p == NULL || (p = rule_time(p, &off)) == NULL)
        return;
    r->std_off = -off; /* POSIX counts west of UTC */
    if (*p == '\0') {
        r->valid = 1;
        return;
    }
    if ((p = rule_name(p)) == NULL)
        return;
    r->dst_off = r->std_off + 3600;
    if (*p != ',' && *p != '\0') {
        if ((p = rule_time(p, &off)) == NULL)
            return;
        r->dst_off = -off;
    }
    if (*p == '\0')
        return; /* no rule given: POSIX leaves it to the implementation */
    if ((p = rule_date(p, &r->start_m, &r->start_w, &r->start_d, &r->start_time)) == NULL)
        return;
    if ((p = rule_date(p, &r->end_m, &r->end_w, &r->end_d, &r->end_time)) == NULL || *p)
        return;
    r->has_dst = 1;
    r->valid = 1;
}

/* Days since 1970-01-01 of a civil date (proleptic Gregorian). */
static int64_t days_from_civil(int64_t y, int m, int d)
{
    y -= m <= 2;
    int64_t era = (y >= 0 ? y : y - 399) / 400;
    int64_t yoe = y - era * 400;
    int64_t doy = (153 * (m + (m > 2 ? -3 : 9)) + 2) / 5 + d - 1;
    int64_t doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    return era * 146097 + doe - 719468;
}

static int64_t floor_div(int64_t a, int64_t b)
{
    return a / b - (a % b != 0 && (a < 0) != (b < 0));
}

static int64_t year_of(int64_t t)
{
    int64_t z = floor_div(t, 86400) + 719468;
    int64_t era = (z >= 0 ? z : z - 146096) / 146097;
    int64_t doe = z - era * 146097;
    int64_t yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
    int64_t doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    int64_t mp = (5 * doy + 2) / 153;
    return yoe + era * 400 + (mp >= 10);
}

/* Local midnight (as seconds since the epoch, in local terms) of the
 * day-th weekday of week w (5: the last) of month m of year y. */
static int64_t rule_day(int64_t y, int m, int w, int d)
{
    static const int mdays[12] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
    int64_t first = days_from_civil(y, m, 1);
    int wday_first = (int)((first % 7 + 7 + 4) % 7); /* 1970-01-01 was a Thursday */
    int dim = mdays[m - 1] + (m == 2 && ((y % 4 == 0 && y % 100 != 0) || y % 400 == 0));
    int day = 1 + (d - wday_first + 7) % 7 + (w - 1) * 7;

    while (day > dim)
        day -= 7;
    return (first + day - 1) * 86400;
}

static int32_t rule_offset(const tz_rule *r, int64_t utc)
{
    int64_t y, start, end;

    if (!r->has_dst)
        return r->std_off;
    y = year_of(utc + r->std_off);
    start = rule_day(y, r->start_m, r->start_w, r->start_d) + r->start_time - r->std_off;
    end = rule_day(y, r->end_m, r->end_w, r->end_d) + r->end_time - r->dst_off;
    if (start < end)
        return utc >= start && utc < end ? r->dst_off : r->std_off;
    /* Southern hemisphere: summer time spans the new year. */
    return utc >= end && utc < start ? r->std_off : r->dst_off;
}

/* ---- the file ---- */

static vg_err parse(const unsigned char *p, size_t len, digest_tz *z)
{
    const unsigned char *end = p + len, *h = p;
    uint32_t c[6];
    size_t tsize = 4;

    if (len < 44 || memcmp(p, "TZif", 4) != 0)
        return vg_error_set(VG_EPARSE, "not a TZif file");
    for (int pass = 0;; pass++) {
        size_t need;
        for (int i = 0; i < 6; i++)
            c[i] = be32(h + 20 + 4 * i);
        /* isutcnt, isstdcnt, leapcnt, timecnt, typecnt, charcnt */
        need = (size_t)c[3] * (tsize + 1) + (size_t)c[4] * 6 + c[5] + (size_t)c[2] * (tsize + 4)
               + c[1] + c[0];
        if (c[4] == 0 || c[4] > TZ_MAX_TYPES || (size_t)(end - h) < 44 + need)
            return vg_error_set(VG_EPARSE, "damaged TZif file");
        if (pass == 0 && h[4] >= '2') {
            /* Skip the 32-bit block: the 64-bit one follows. */
            h += 44 + need;
            tsize = 8;
            if ((size_t)(end - h) < 44 || memcmp(h, "TZif", 4) != 0)
                return vg_error_set(VG_EPARSE, "damaged TZif file");
            continue;
        }
        break;
    }
    const unsigned char *q = h + 44;
    z->n = c[3];
    z->times = calloc(z->n ? z->n : 1, sizeof *z->times);
    z->idx = calloc(z->n ? z->n : 1, 1);
    if (z->times == NULL || z->idx == NULL)
        return vg_error_set(VG_ENOMEM, "time zone: out of memory");
    for (size_t i = 0; i < z->n; i++, q += tsize)
        z->times[i] = tsize == 8 ? be64(q) : (int64_t)(int32_t)be32(q);
    for (size_t i = 0; i < z->n; i++, q++) {
        if (*q >= c[4])
            return vg_error_set(VG_EPARSE, "damaged TZif file");
        z->idx[i] = *q;
    }
    z->ntypes = c[4];
    for (size_t i = 0; i < z->ntypes; i++, q += 6)
        z->offs[i] = (int32_t)be32(q);
    q += c[5] + (size_t)c[2] * (tsize + 4) + c[1] + c[0];
    /* The footer: "\n<POSIX TZ>\n" (version 2+ only). */
    if (tsize == 8 && q < end && *q == '\n') {
        const unsigned char *e = memchr(q + 1, '\n', (size_t)(end - q - 1));
        if (e != NULL && e - q - 1 < 128) {
            char rule[128];
            memcpy(rule, q + 1, (size_t)(e - q - 1));
            rule[e - q - 1] = '\0';
            rule_parse(rule, &z->rule);
        }
    }
    return VG_OK;
}

vg_err digest_tz_open(const char *name, digest_tz **out)
{
    const char *dir = getenv("TZDIR");
    char path[512];
    unsigned char *data = NULL;
    size_t len = 0;
    digest_tz *z = NULL;
    FILE *f = NULL;
    vg_err err;

    *out = NULL;
    if (!name_ok(name))
        return vg_error_set(VG_EINVAL, "bad time zone name '%s'", name ? name : "");
    if (dir == NULL || *dir == '\0')
        dir = "/usr/share/zoneinfo";
    snprintf(path, sizeof path, "%s/%s", dir, name);
    f = fopen(path, "rb");
    if (f == NULL)
        return vg_error_set(errno == ENOENT ? VG_ENOTFOUND : VG_EIO, "unknown time zone '%s'",
                            name);
    data = malloc(TZ_MAX_FILE);
    if (data == NULL) {
        err = vg_error_set(VG_ENOMEM, "time zone: out of memory");
        goto cleanup;
    }
    len = fread(data, 1, TZ_MAX_FILE, f);
    if (ferror(f) || len == TZ_MAX_FILE) {
        err = vg_error_set(VG_EPARSE, "time zone '%s': unreadable or too large", name);
        goto cleanup;
    }
    z = calloc(1, sizeof *z);
    if (z == NULL) {
        err = vg_error_set(VG_ENOMEM, "time zone: out of memory");
        goto cleanup;
    }
    if ((err = parse(data, len, z)) != VG_OK) {
        if (err == VG_EPARSE)
            err = vg_error_set(VG_EPARSE, "time zone '%s': %s", name, vg_error_last());
        goto cleanup;
    }
    *out = z;
    z = NULL;

cleanup:
    digest_tz_close(z);
    free(data);
    fclose(f);
    return err;
}

void digest_tz_close(digest_tz *z)
{
    if (z == NULL)
        return;
    free(z->times);
    free(z->idx);
    free(z);
}

int32_t digest_tz_offset(const digest_tz *z, int64_t utc)
{
    size_t lo = 0, hi = z->n;

    /* Before the first transition: type 0 (RFC 8536 3.2). */
    if (z->n == 0 || utc < z->times[0])
        return z->n == 0 && z->rule.valid ? rule_offset(&z->rule, utc) : z->offs[0];
    if (utc >= z->times[z->n - 1] && z->rule.valid)
        return rule_offset(&z->rule, utc);
    /* The last transition at or before utc. */
    while (hi - lo > 1) {
        size_t mid = lo + (hi - lo) / 2;
        if (z->times[mid] <= utc)
            lo = mid;
        else
            hi = mid;
    }
    return z->offs[z->idx[lo]];
}

/* The instant when the wall clock reads local (seconds since the epoch
 * in local terms), by the rules of digest_tz_last_weekly. Offsets change
 * at most once in 28 hours in every real zone, so the offsets 14 hours
 * either side are the only two candidates. */
static int64_t from_local(const digest_tz *z, int64_t local)
{
    int32_t before = digest_tz_offset(z, local - 14 * 3600);
    int32_t after = digest_tz_offset(z, local + 14 * 3600);
    int64_t a = local - before, b = local - after;
    int a_ok = a + digest_tz_offset(z, a) == local;
    int b_ok = b + digest_tz_offset(z, b) == local;

    if (a_ok && b_ok)
        return a < b ? a : b;
    if (a_ok)
        return a;
    if (b_ok)
        return b;
    return a; /* skipped: the old offset lands just after the jump */
}

int64_t digest_tz_last_weekly(const digest_tz *z, int weekday, int hour,
                              int64_t now)
{
    int64_t local_now = now + digest_tz_offset(z, now);
    int64_t day = floor_div(local_now, 86400);
    int wday = (int)((day % 7 + 7 + 4) % 7); /* 0 Sunday */
    int back = (wday - weekday % 7 + 7) % 7;
    int64_t t = 0;

    for (int k = 0; k < 3; k++) {
        t = from_local(z, (day - back - 7 * k) * 86400 + (int64_t)hour * 3600);
        if (t <= now)
            break;
    }
    return t;
}
