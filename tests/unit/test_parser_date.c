/*
 * parser/date.c: the date forms feeds write (RFC 822 and its relatives,
 * ISO 8601 / RFC 3339, French month and day names) map to the right UTC
 * instant, and nonsense is rejected rather than guessed.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <stdio.h>

#include "parser/date.h"

/* 2026-11-23T09:00:00Z, the instant most rows describe. */
#define B INT64_C(1795424400)
#define H INT64_C(3600)
#define MIDNIGHT (B - 9 * H)

typedef struct {
    const char *in;
    int64_t want;
} vector;

static const vector accepted[] = {
    /* RFC 822 / 1123 and every zone form */
    {"Mon, 23 Nov 2026 09:00:00 +0100", B - H},
    {"Mon, 23 Nov 2026 09:00:00 -0230", B + 2 * H + 30 * 60},
    {"Mon, 23 Nov 2026 09:00:00 GMT", B},
    {"Mon, 23 Nov 2026 09:00:00 UT", B},
    {"Mon, 23 Nov 2026 09:00:00 UTC", B},
    {"Mon, 23 Nov 2026 09:00:00 EST", B + 5 * H},
    {"Mon, 23 Nov 2026 09:00:00 EDT", B + 4 * H},
    {"Mon, 23 Nov 2026 09:00:00 CST", B + 6 * H},
    {"Mon, 23 Nov 2026 09:00:00 CDT", B + 5 * H},
    {"Mon, 23 Nov 2026 09:00:00 MST", B + 7 * H},
    {"Mon, 23 Nov 2026 09:00:00 MDT", B + 6 * H},
    {"Mon, 23 Nov 2026 09:00:00 PST", B + 8 * H},
    {"Mon, 23 Nov 2026 09:00:00 PDT", B + 7 * H},
    {"Mon, 23 Nov 2026 09:00:00 CET", B - H},
    {"Mon, 23 Nov 2026 09:00:00 GMT+0100", B - H},
    /* military letters, with RFC 822's signs */
    {"Mon, 23 Nov 2026 09:00:00 Z", B},
    {"Mon, 23 Nov 2026 09:00:00 A", B + H},
    {"Mon, 23 Nov 2026 09:00:00 N", B - H},
    {"Mon, 23 Nov 2026 09:00:00 Y", B - 12 * H},
    /* missing pieces and old variants */
    {"Mon, 23 Nov 2026 09:00 +0000", B},
    {"23 Nov 2026 09:00:00 -0500", B + 5 * H},
    {"Mon, 23 Nov 26 09:00:00 GMT", B},
    {"Fri, 31 Dec 99 23:59:59 GMT", INT64_C(946684799)},
    {"23 Nov 2026 09:00:00 +0100 (CET)", B - H},
    {"Monday, 23-Nov-26 09:00:00 GMT", B},
    {"Mon Nov 23 09:00:00 2026", B},
    {"Nov 23, 2026", MIDNIGHT},
    {"  Mon, 23 Nov 2026 09:00:00 GMT \n", B},
    {"Mon, 23 Nov 2026 09:00:00", B},
    /* ISO 8601 / RFC 3339 */
    {"2026-11-23T09:00:00Z", B},
    {"2026-11-23T10:00:00+01:00", B},
    {"2026-11-23T04:00:00-0500", B},
    {"2026-11-23T09:00:00.123456Z", B},
    {"2026-11-23 09:00:00", B},
    {"2026-11-23", MIDNIGHT},
    {"2026-11-23T09:00Z", B},
    {"2026-11-23t09:00:00z", B},
    {"2026-11-23 09:00:00 UTC", B},
    {"2026-11-23 10:00:00 +0100", B},
    {"2024-02-29T12:00:00Z", INT64_C(1709208000)},
    /* French */
    {"lun., 23 nov. 2026 10:00:00 +0100", B},
    {"23 novembre 2026", MIDNIGHT},
    {"mar., 24 nov. 2026 10:00:00 +0100", B + 24 * H},
    {"lundi 23 novembre 2026 10h00 +0100", B},
    {"le 23 novembre 2026 \xc3\xa0 09:00", B},
    {"Mer, 2 D\xc3\x89" "C 2026 09:00:00 GMT", B + 9 * 24 * H},
    {"1er d\xc3\xa9" "cembre 2026", MIDNIGHT + 8 * 24 * H},
    {"23 mars 2026", INT64_C(1774224000)},
    {"mar 24 mars 2026", INT64_C(1774310400)},
    {"23 ao\xc3\xbbt 2026 09:00:00 +0200", INT64_C(1787468400)},
};

static const char *const rejected[] = {
    "",
    "   ",
    "2026-13-01T00:00:00Z",          /* month 13 */
    "2026-11-23T25:00:00Z",          /* hour 25 */
    "Mon, 23 Nov 2026 25:00:00 GMT", /* hour 25 */
    "Mon, 23 Nov 2026 09:60:00 GMT", /* minute 60 */
    "Mon, 32 Nov 2026 09:00:00 GMT", /* day 32 */
    "31 Nov 2026",                   /* November has 30 days */
    "2026-02-29",                    /* not a leap year */
    "yesterday",
    "Mon, 23 Foo 2026 09:00:00 GMT", /* unknown month */
    "23 Nov",                        /* no year */
    "Nov 2026",                      /* no day */
    "2026-11-23T09:00:00+25:00",     /* zone out of range */
    "2026-11-23T09:00:00Zjunk",
    "Mon, 23 Nov 2026 09:00:00 XYZ", /* unknown zone */
    "12/11/2026",                    /* day/month order unknowable */
    "1795424400",                    /* unix seconds are not a feed date */
    "2026-11",                       /* no day: not invented */
    "23 Nov 2026 9:00:00:00",
};

static void date_vectors_map_to_the_right_utc_instant(void **state)
{
    (void)state;
    for (size_t i = 0; i < sizeof accepted / sizeof accepted[0]; i++) {
        int64_t got = -1;
        vg_err rc = date_parse(accepted[i].in, &got);
        if (rc != VG_OK || got != accepted[i].want) {
            print_error("row %zu '%s': rc=%d got=%lld want=%lld\n", i, accepted[i].in,
                        rc, (long long)got, (long long)accepted[i].want);
            fail();
        }
    }
}

static void date_nonsense_is_rejected_and_out_left_alone(void **state)
{
    (void)state;
    for (size_t i = 0; i < sizeof rejected / sizeof rejected[0]; i++) {
        int64_t got = 42;
        vg_err rc = date_parse(rejected[i], &got);
        if (rc != VG_EPARSE || got != 42) {
            print_error("row %zu '%s' was accepted as %lld\n", i, rejected[i],
                        (long long)got);
            fail();
        }
    }
    int64_t got = 42;
    assert_int_equal(date_parse(NULL, &got), VG_EPARSE);
    assert_int_equal(got, 42);
}

static void date_overlong_input_is_rejected_even_when_it_starts_well(void **state)
{
    (void)state;
    char s[300];
    int64_t got = 0;
    snprintf(s, sizeof s, "Mon, 23 Nov 2026 09:00:00 GMT (%s)", "short comment");
    assert_int_equal(date_parse(s, &got), VG_OK);
    assert_int_equal(got, B);
    snprintf(s, sizeof s, "Mon, 23 Nov 2026 09:00:00 GMT (%0200d)", 7);
    assert_int_equal(date_parse(s, &got), VG_EPARSE);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(date_vectors_map_to_the_right_utc_instant),
        cmocka_unit_test(date_nonsense_is_rejected_and_out_left_alone),
        cmocka_unit_test(date_overlong_input_is_rejected_even_when_it_starts_well),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
