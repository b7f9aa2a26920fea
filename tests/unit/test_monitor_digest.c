/*
 * The digest's pure parts, without a database: ISO weeks, the G² test,
 * stop words, term counting and ranking, and locale formatting of
 * numbers and dates.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <math.h>
#include <string.h>

#include "core/vtime.h"
#include "monitor/digest.h"
#include "monitor/report.h"

static void iso_weeks_parse_to_monday_utc(void **state)
{
    (void)state;
    static const struct {
        const char *in;
        int y, m, d;
    } cases[] = {
        {"2026-W47", 2026, 11, 16}, {"2026-W01", 2025, 12, 29}, {"2020-W53", 2020, 12, 28},
        {"2021-W01", 2021, 1, 4},   {"2027-w01", 2027, 1, 4},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        int64_t from = 0, to = 0;
        assert_int_equal(digest_week_parse(cases[i].in, &from, &to), VG_OK);
        assert_int_equal(from, vg_timegm(cases[i].y, cases[i].m, cases[i].d, 0, 0, 0));
        assert_int_equal(to - from, DIGEST_WEEK);
    }
    static const char *const bad[] = {"2026-W00", "2026-W54", "2025-W53", "2026W47",
                                      "26-W47",   "2026-W4x", "",         "2026-W470"};
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        int64_t from, to;
        assert_int_equal(digest_week_parse(bad[i], &from, &to), VG_EINVAL);
    }
}

static void last_week_is_the_iso_week_before(void **state)
{
    (void)state;
    int64_t from, to;
    /* Monday 23 November 2026, 10:00 -> the week of 16 November. */
    digest_last_week(vg_timegm(2026, 11, 23, 10, 0, 0), &from, &to);
    assert_int_equal(from, vg_timegm(2026, 11, 16, 0, 0, 0));
    /* Sunday 22 November, 23:59 -> the week of 9 November. */
    digest_last_week(vg_timegm(2026, 11, 22, 23, 59, 0), &from, &to);
    assert_int_equal(from, vg_timegm(2026, 11, 9, 0, 0, 0));
    digest_week_of(vg_timegm(2026, 11, 22, 23, 59, 0), &from, &to);
    assert_int_equal(to, vg_timegm(2026, 11, 23, 0, 0, 0));
}

static void g2_matches_the_formula_and_guards_zeros(void **state)
{
    (void)state;
    /* a=10 in 100, b=2 in 200: E1 = 100*12/300 = 4, E2 = 8. */
    double want = 2.0 * (10 * log(10.0 / 4.0) + 2 * log(2.0 / 8.0));
    assert_true(fabs(digest_g2(10, 2, 100, 200) - want) < 1e-12);
    assert_true(digest_g2(0, 0, 100, 200) == 0.0);
    assert_true(digest_g2(5, 0, 0, 0) == 0.0);
    assert_true(digest_g2(5, 0, 50, 0) == 0.0); /* no reference: nothing emerges */
    assert_true(digest_g2(5, 5, 50, 50) == 0.0);
}

static void stop_words_of_both_languages(void **state)
{
    (void)state;
    static const char *const stop[] = {"the", "and", "with", "dans", "pour", "tres", "etait"};
    static const char *const keep[] = {"panne", "outage", "fibre", "refund"};
    for (size_t i = 0; i < sizeof stop / sizeof stop[0]; i++)
        assert_true(digest_stopword(stop[i]));
    for (size_t i = 0; i < sizeof keep / sizeof keep[0]; i++)
        assert_false(digest_stopword(keep[i]));
}

static void emerging_terms_rank_rises_and_skip_the_brand(void **state)
{
    (void)state;
    digest_counter *cur = digest_counter_new(), *ref = digest_counter_new();
    const char *const exclude[] = {"acme", NULL};
    static const char *const now[] = {
        "Acme: grosse panne réseau à Lyon", "La panne réseau continue chez Acme",
        "Panne réseau, service client injoignable", "Nice weather for the match"};
    static const char *const before[] = {"Nice weather in Lyon", "Service client rapide",
                                         "Nice weather again", "Lyon match tonight"};
    for (size_t i = 0; i < 4; i++) {
        assert_int_equal(digest_counter_add(cur, now[i], strlen(now[i]), exclude), VG_OK);
        assert_int_equal(digest_counter_add(ref, before[i], strlen(before[i]), exclude), VG_OK);
    }
    digest_term t[5];
    size_t n = digest_emerging(cur, ref, 3, t, 5);
    /* "panne", "reseau" and "panne reseau" appear 3 times now, never before;
     * acme (the brand) and stop words never count. */
    assert_int_equal(n, 3);
    assert_string_equal(t[0].term, "panne");
    assert_string_equal(t[1].term, "panne reseau");
    assert_string_equal(t[2].term, "reseau");
    assert_int_equal(t[0].count, 3);
    assert_int_equal(t[0].ref_count, 0);
    assert_true(t[0].g2 > 0.0);
    assert_int_equal(digest_emerging(cur, ref, 3, t, 1), 1);
    assert_string_equal(t[0].term, "panne");
    digest_counter_free(cur);
    digest_counter_free(ref);
}

static void numbers_and_dates_follow_the_locale(void **state)
{
    (void)state;
    static const struct {
        int loc;
        double v;
        int dec;
        const char *want;
    } nums[] = {
        {REPORT_EN, 1234.5, 1, "1,234.5"},
        {REPORT_FR, 1234.5, 1, "1\xe2\x80\xaf" "234,5"},
        {REPORT_EN, 1234567, 0, "1,234,567"},
        {REPORT_EN, 999, 0, "999"},
        {REPORT_EN, -0.0001, 2, "0.00"},
        {REPORT_EN, -0.25, 2, "-0.25"},
        {REPORT_FR, -0.25, 2, "\xe2\x88\x92" "0,25"},
        {REPORT_EN, NAN, 1, "0.0"},
    };
    vg_buf b;
    vg_buf_init(&b, 1024);
    for (size_t i = 0; i < sizeof nums / sizeof nums[0]; i++) {
        vg_buf_reset(&b);
        report_fmt_number(&b, nums[i].loc, nums[i].v, nums[i].dec);
        assert_string_equal(vg_buf_str(&b), nums[i].want);
    }
    vg_buf_reset(&b);
    report_fmt_percent(&b, REPORT_FR, 0.125, 1);
    assert_string_equal(vg_buf_str(&b), "12,5\xc2\xa0%");
    vg_buf_reset(&b);
    report_fmt_percent(&b, REPORT_EN, 0.125, 1);
    assert_string_equal(vg_buf_str(&b), "12.5%");
    vg_buf_reset(&b);
    report_fmt_signed(&b, REPORT_EN, 12.5, 1, "%");
    assert_string_equal(vg_buf_str(&b), "+12.5%");
    vg_buf_reset(&b);
    report_fmt_date(&b, REPORT_FR, vg_timegm(2026, 11, 22, 15, 0, 0));
    assert_string_equal(vg_buf_str(&b), "22 nov. 2026");
    vg_buf_reset(&b);
    report_fmt_date(&b, REPORT_EN, vg_timegm(2026, 11, 22, 15, 0, 0));
    assert_string_equal(vg_buf_str(&b), "Nov 22, 2026");
    vg_buf_reset(&b);
    report_fmt_date(&b, REPORT_FR, vg_timegm(2024, 2, 29, 0, 0, 0));
    assert_string_equal(vg_buf_str(&b), "29 févr. 2024");
    vg_buf_free(&b);
}

static void formats_and_locales_parse(void **state)
{
    (void)state;
    assert_int_equal(report_format_parse("html"), REPORT_HTML);
    assert_int_equal(report_format_parse("json"), REPORT_JSON);
    assert_int_equal(report_format_parse("pdf"), -1);
    assert_int_equal(report_locale_parse("fr_FR.UTF-8"), REPORT_FR);
    assert_int_equal(report_locale_parse("en"), REPORT_EN);
    assert_int_equal(report_locale_parse("de"), -1);
    assert_int_equal(report_locale_parse("french"), -1);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(iso_weeks_parse_to_monday_utc),
        cmocka_unit_test(last_week_is_the_iso_week_before),
        cmocka_unit_test(g2_matches_the_formula_and_guards_zeros),
        cmocka_unit_test(stop_words_of_both_languages),
        cmocka_unit_test(emerging_terms_rank_rises_and_skip_the_brand),
        cmocka_unit_test(numbers_and_dates_follow_the_locale),
        cmocka_unit_test(formats_and_locales_parse),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
