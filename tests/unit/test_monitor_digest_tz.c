/*
 * Time zones of digest schedules (monitor/digest_tz.c): the weekly
 * occurrence a schedule last reached, in its zone, across daylight
 * saving changes (skipped and repeated hours), in both hemispheres, with
 * half-hour offsets, and past the files' transition tables (the POSIX
 * rule of the footer). Expected instants were computed independently
 * with Python's zoneinfo. Also: offsets, refused names, damaged files,
 * and weekday names.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "core/vtime.h"
#include "monitor/digest_schedule.h"

static void last_weekly_occurrence_in_the_zone(void **state)
{
    (void)state;
    static const struct {
        const char *tz;
        int weekday, hour;
        int64_t now, want;
        const char *why;
    } cases[] = {
        {"Europe/Paris", 1, 8, 1795419000, 1795417200, "Monday 08:30 CET: today 07:00Z"},
        {"Europe/Paris", 1, 8, 1795417140, 1794812400, "07:59 CET: last week"},
        {"Europe/Paris", 1, 8, 1783319400, 1783317600, "summer: 06:00Z"},
        {"Europe/Paris", 1, 8, 1774850400, 1774850400, "the Monday after the jump, at once"},
        {"Europe/Paris", 1, 8, 1774850340, 1774249200, "a minute before: winter week"},
        {"Europe/Paris", 7, 2, 1774753200, 1774746000, "02:00 skipped: at the jump"},
        {"Europe/Paris", 7, 2, 1792897200, 1792886400, "02:00 twice: the first"},
        {"America/New_York", 5, 17, 1795820400, 1795816800, "Friday 17:00 EST"},
        {"Australia/Sydney", 1, 9, 1799020800, 1799013600, "southern summer"},
        {"UTC", 3, 0, 1795564800, 1795564800, "UTC midnight, inclusive"},
        {"Europe/Paris", 1, 8, 2382696000, 2382674400, "2045 summer: footer rule"},
        {"Europe/Paris", 1, 8, 2396001600, 2395983600, "2045 winter: footer rule"},
        {"Australia/Sydney", 1, 9, 2367532800, 2367525600, "2045 southern: footer rule"},
        {"Asia/Kolkata", 2, 10, 1795496400, 1795494600, "half-hour offset"},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        digest_tz *z = NULL;
        assert_int_equal(digest_tz_open(cases[i].tz, &z), VG_OK);
        int64_t got = digest_tz_last_weekly(z, cases[i].weekday, cases[i].hour, cases[i].now);
        if (got != cases[i].want)
            fail_msg("%s (%s): got %lld, want %lld", cases[i].tz, cases[i].why,
                     (long long)got, (long long)cases[i].want);
        digest_tz_close(z);
    }
}

static void offsets_follow_transitions_and_rules(void **state)
{
    (void)state;
    static const struct {
        const char *tz;
        int64_t t;
        int32_t off;
    } cases[] = {
        {"Europe/Paris", 2540246400, 7200},          /* 2050: the footer */
        {"America/Sao_Paulo", 1767225600, -10800},   /* no DST any more */
        {"Australia/Lord_Howe", 1767225600, 39600},  /* half-hour DST */
        {"Europe/Dublin", 1767225600, 0},            /* "negative" DST */
        {"Europe/Dublin", 2855865600, 3600},         /* 2060 summer, footer */
        {"UTC", 0, 0},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        digest_tz *z = NULL;
        assert_int_equal(digest_tz_open(cases[i].tz, &z), VG_OK);
        if (digest_tz_offset(z, cases[i].t) != cases[i].off)
            fail_msg("%s at %lld: %d, want %d", cases[i].tz, (long long)cases[i].t,
                     digest_tz_offset(z, cases[i].t), cases[i].off);
        digest_tz_close(z);
    }
}

static void bad_zone_names_are_refused(void **state)
{
    (void)state;
    static const struct {
        const char *name;
        vg_err err;
    } cases[] = {
        {"", VG_EINVAL},          {"/etc/localtime", VG_EINVAL}, {"../../etc/passwd", VG_EINVAL},
        {"Europe/Paris ", VG_EINVAL}, {"Mars/Olympus", VG_ENOTFOUND},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        digest_tz *z = (digest_tz *)1;
        assert_int_equal(digest_tz_open(cases[i].name, &z), cases[i].err);
        assert_null(z);
    }
}

static void damaged_zone_files_are_parse_errors(void **state)
{
    (void)state;
    char dir[] = "/tmp/vigie-tz-XXXXXX";
    char path[64];
    static const struct {
        const char *name;
        const char *data;
        size_t len;
    } cases[] = {
        {"Empty", "", 0},
        {"NotTZif", "This is not a zone file at all, sorry, not at all, no.", 55},
        {"Short", NULL, 44}, /* filled below */
    };
    /* A header claiming 4 transitions and a type, with no data after. */
    unsigned char short_hdr[44] = "TZif2";
    short_hdr[20 + 12 + 3] = 4; /* timecnt */
    short_hdr[20 + 16 + 3] = 1; /* typecnt */

    assert_non_null(mkdtemp(dir));
    setenv("TZDIR", dir, 1);
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        digest_tz *z = NULL;
        snprintf(path, sizeof path, "%s/%s", dir, cases[i].name);
        FILE *f = fopen(path, "wb");
        assert_non_null(f);
        fwrite(cases[i].data ? (const void *)cases[i].data : short_hdr, 1, cases[i].len, f);
        fclose(f);
        assert_int_equal(digest_tz_open(cases[i].name, &z), VG_EPARSE);
        assert_null(z);
        unlink(path);
    }
    unsetenv("TZDIR");
    rmdir(dir);
}

static void weekdays_parse_and_print(void **state)
{
    (void)state;
    static const struct {
        const char *in;
        int want;
    } cases[] = {{"mon", 1}, {"Monday", 1}, {"SUN", 7}, {"sunday", 7}, {"3", 3},
                 {"wed", 3}, {"0", -1},     {"8", -1},  {"lun", -1},   {"", -1}};
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++)
        assert_int_equal(digest_weekday_parse(cases[i].in), cases[i].want);
    assert_string_equal(digest_weekday_name(1), "mon");
    assert_string_equal(digest_weekday_name(7), "sun");
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(last_weekly_occurrence_in_the_zone),
        cmocka_unit_test(offsets_follow_transitions_and_rules),
        cmocka_unit_test(bad_zone_names_are_refused),
        cmocka_unit_test(damaged_zone_files_are_parse_errors),
        cmocka_unit_test(weekdays_parse_and_print),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
