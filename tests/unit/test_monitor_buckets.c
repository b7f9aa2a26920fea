/*
 * Per-brand buckets: UTC alignment for every width, the figures of a
 * bucket (volume, negative share, net sentiment), late mentions ignored,
 * brands kept apart, a negative storm alerting once on volume and
 * negatives while the share waits for enough volume, and bad widths
 * refused. Detection only (no store).
 */
#include "monitor/buckets.h"

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>

#include <cmocka.h>

#define T0 1767225600 /* 2026-01-01T00:00Z */

static void bucket_boundaries_are_utc_aligned(void **state)
{
    (void)state;
    static const struct {
        int64_t t, width, start;
    } cases[] = {
        {T0 + 3599, 3600, T0},
        {T0 + 3600, 3600, T0 + 3600},
        {T0 + 299, 300, T0},
        {T0 + 301, 300, T0 + 300},
        {T0 + 86399, 86400, T0},
        {T0 + 7 * 3600 + 5, 21600, T0 + 21600},
        {-1, 3600, -3600},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++)
        assert_int_equal(bucket_start(cases[i].t, cases[i].width), cases[i].start);
}

static void bucket_figures_count_volume_negative_share_and_net_sentiment(void **state)
{
    (void)state;
    bucket_monitor *m = NULL;
    assert_int_equal(bucket_monitor_new(NULL, &m), VG_OK);
    static const int labels[] = {-1, -1, -1, 0, 1, 1, 0, -1};
    for (size_t i = 0; i < 8; i++)
        assert_int_equal(bucket_add_mention(m, NULL, 7, T0 + 60 * (int64_t)i, labels[i], T0, NULL),
                         VG_OK);
    /* another brand does not mix in */
    assert_int_equal(bucket_add_mention(m, NULL, 8, T0 + 10, -1, T0, NULL), VG_OK);
    bucket_stats s;
    bucket_current(m, 7, &s);
    assert_int_equal(s.start, T0);
    assert_int_equal(s.volume, 8);
    assert_int_equal(s.negative, 4);
    assert_int_equal(s.positive, 2);
    assert_float_equal(s.negative_share, 0.5, 1e-12);
    assert_float_equal(s.net_sentiment, -0.25, 1e-12);
    /* a later mention opens the next bucket; a late one is not counted */
    assert_int_equal(bucket_add_mention(m, NULL, 7, T0 + 3600, 1, T0, NULL), VG_OK);
    assert_int_equal(bucket_add_mention(m, NULL, 7, T0 + 30, -1, T0, NULL), VG_OK);
    bucket_current(m, 7, &s);
    assert_int_equal(s.start, T0 + 3600);
    assert_int_equal(s.volume, 1);
    assert_int_equal(s.negative, 0);
    bucket_current(m, 99, &s);
    assert_int_equal(s.volume, 0);
    bucket_monitor_free(m);
}

static void negative_storm_alerts_once_per_metric_as_it_rises(void **state)
{
    (void)state;
    bucket_monitor *m = NULL;
    assert_int_equal(bucket_monitor_new(NULL, &m), VG_OK);
    int total = 0, first_at = -1;
    /* two quiet days: 20 mentions an hour, 2 of them negative */
    for (int h = 0; h < 48; h++)
        for (int i = 0; i < 20; i++) {
            int a = 0;
            assert_int_equal(bucket_add_mention(m, NULL, 1, T0 + h * 3600 + i * 180,
                                                i < 2 ? -1 : 0, T0, &a),
                             VG_OK);
            total += a;
        }
    assert_int_equal(total, 0);
    /* then an hour of 150 mentions, all negative: alerts while rising */
    for (int i = 0; i < 150; i++) {
        int a = 0;
        assert_int_equal(bucket_add_mention(m, NULL, 1, T0 + 48 * 3600 + i * 20, -1, T0, &a),
                         VG_OK);
        if (a && first_at < 0)
            first_at = i;
        total += a;
    }
    /* closing the hour does not repeat them */
    int a = 0;
    assert_int_equal(bucket_add_mention(m, NULL, 1, T0 + 49 * 3600, 0, T0, &a), VG_OK);
    total += a;
    /* volume, negative and negative share: one alert each */
    assert_int_equal(total, 3);
    /* the storm was seen well before the hour was over */
    assert_in_range(first_at, 0, 60);
    bucket_monitor_free(m);
}

static void bad_widths_are_refused(void **state)
{
    (void)state;
    static const int64_t widths[] = {0, 60, 7000, 172800};
    for (size_t i = 0; i < 4; i++) {
        bucket_params p = BUCKET_PARAMS_INIT;
        bucket_monitor *m = NULL;
        p.width = widths[i];
        assert_int_equal(bucket_monitor_new(&p, &m), VG_EINVAL);
        assert_null(m);
    }
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(bucket_boundaries_are_utc_aligned),
        cmocka_unit_test(bucket_figures_count_volume_negative_share_and_net_sentiment),
        cmocka_unit_test(negative_storm_alerts_once_per_metric_as_it_rises),
        cmocka_unit_test(bad_widths_are_refused),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
