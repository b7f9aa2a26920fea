/*
 * The streaming spike detector on constructed series: flat, seasonal,
 * sparse, step, spike, a slow build-up, cold start and a worsening storm,
 * each with the exact buckets that must (and must not) alert. Noise is a
 * seeded Poisson draw so every run sees the same series.
 */
#include "monitor/detect.h"

#include <math.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>

#include <cmocka.h>

#define STEP 300         /* 5-minute buckets */
#define DAY (86400 / STEP)
#define T0 1420070400    /* 2015-01-01T00:00Z, a Thursday */

/* A small deterministic generator (xorshift) and a Poisson draw. */
static uint64_t rng_state;

static double uniform(void)
{
    rng_state ^= rng_state << 13;
    rng_state ^= rng_state >> 7;
    rng_state ^= rng_state << 17;
    return (double)(rng_state >> 11) / 9007199254740992.0;
}

static double poisson(double mean)
{
    if (mean <= 0)
        return 0;
    if (mean > 60) /* normal approximation keeps the loop short */
        return floor(mean + sqrt(mean) * sqrt(-2 * log(uniform() + 1e-300)) *
                                cos(6.283185307179586 * uniform()) + 0.5);
    double l = exp(-mean), p = 1.0;
    int k = 0;
    do {
        k++;
        p *= uniform();
    } while (p > l);
    return k - 1;
}

typedef double (*mean_fn)(int i);

/* Runs n buckets of Poisson(mean(i)) noise plus extra(i) and records
 * which buckets alerted; returns the number of alerts. */
static int run(mean_fn mean, double (*extra)(int i), int n, int *alerts, int max_alerts,
               detect_result *last)
{
    detect *d = NULL;
    assert_int_equal(detect_new(NULL, &d), VG_OK);
    rng_state = 0x9e3779b97f4a7c15ULL;
    int count = 0;
    for (int i = 0; i < n; i++) {
        detect_result r;
        double v = poisson(mean(i)) + (extra ? extra(i) : 0);
        detect_push(d, T0 + (int64_t)i * STEP, v, &r);
        assert_true(r.score >= 0.0 && r.score <= 1.0);
        assert_int_equal(r.score >= 0.5, r.alert);
        assert_true(r.low <= r.expected && r.expected <= r.high);
        if (r.alert) {
            if (getenv("DETECT_TEST_VERBOSE"))
                printf("alert at %d: v=%g expected=%g z=%g\n", i, v, r.expected, r.z);
            if (count < max_alerts)
                alerts[count] = i;
            count++;
        }
        if (last)
            *last = r;
    }
    detect_free(d);
    return count;
}

static double flat50(int i) { (void)i; return 50; }
static double sparse(int i) { (void)i; return 0.15; }

/* Busy days, quiet nights, quieter weekends. */
static double seasonal(int i)
{
    double h = (double)(i % DAY) / DAY;
    int dow = (i / DAY + 4) % 7; /* 0 = Sunday */
    double week = dow == 0 || dow == 6 ? 0.6 : 1.0;
    return week * (30 + 25 * sin(6.283185307179586 * (h - 0.3)));
}

static double step_at_5d(int i) { return i >= 5 * DAY ? 15 : 3; }
static double spike_at_6d(int i) { return i == 6 * DAY + 100 ? 25 : 0; }
static double zero(int i) { (void)i; return 0; }

static void flat_series_never_alerts(void **state)
{
    (void)state;
    int a[4];
    detect_result last;
    assert_int_equal(run(flat50, NULL, 14 * DAY, a, 4, &last), 0);
    assert_true(fabs(last.expected - 50) < 3);
}

static void seasonal_series_with_weekends_never_alerts(void **state)
{
    (void)state;
    int a[4];
    assert_int_equal(run(seasonal, NULL, 28 * DAY, a, 4, NULL), 0);
}

static void sparse_counts_never_alert(void **state)
{
    (void)state;
    int a[4];
    detect_result last;
    assert_int_equal(run(sparse, NULL, 14 * DAY, a, 4, &last), 0);
    assert_true(last.expected < 1);
}

static void sparse_counts_alert_on_a_burst_of_volume(void **state)
{
    (void)state;
    int a[4];
    /* 25 extra mentions in one bucket of a brand with ~0.15 per bucket. */
    double (*extra)(int) = spike_at_6d;
    int n = run(sparse, extra, 8 * DAY, a, 4, NULL);
    assert_int_equal(n, 1);
    assert_int_equal(a[0], 6 * DAY + 100);
}

static void step_up_alerts_then_is_learnt(void **state)
{
    (void)state;
    int a[4];
    detect_result last;
    int n = run(step_at_5d, zero, 20 * DAY, a, 4, &last);
    /* the rise alerts within a quarter of an hour (the sum of three
     * buckets carries it), once more within the hour as its severity
     * rises while the model holds still, then never again */
    assert_int_equal(n, 2);
    assert_int_equal(a[0], 5 * DAY + 2);
    assert_int_equal(a[1], 5 * DAY + 12);
    /* fifteen days later the new level is the normal */
    assert_true(last.expected > 6);
}

static double spike_baseline(int i) { return i < 0 ? 0 : 20; }

static void spike_alerts_at_its_bucket_and_leaves_the_baseline_alone(void **state)
{
    (void)state;
    int a[4];
    detect *d = NULL;
    assert_int_equal(detect_new(NULL, &d), VG_OK);
    rng_state = 0x12345678ULL;
    double before = 0, after = 0;
    int count = 0;
    for (int i = 0; i < 9 * DAY; i++) {
        detect_result r;
        double v = poisson(spike_baseline(i));
        if (i >= 6 * DAY + 100 && i < 6 * DAY + 112)
            v += 500; /* an hour-long storm */
        detect_push(d, T0 + (int64_t)i * STEP, v, &r);
        if (r.alert && count < 4)
            a[count++] = i;
        if (i == 6 * DAY + 99)
            before = r.expected;
        if (i == 7 * DAY + 99)
            after = r.expected;
    }
    detect_free(d);
    assert_int_equal(count, 1);
    assert_int_equal(a[0], 6 * DAY + 100);
    /* a day later the expected value is where it was before the storm */
    assert_true(fabs(after - before) < 0.15 * before);
}

/* 20 per bucket, then a storm that builds up over six hours to three
 * times the usual volume: no bucket is striking on its own. */
static double slow_build_up(int i)
{
    int start = 6 * DAY;
    if (i < start)
        return 20;
    double h = (double)(i - start) / 12.0; /* hours into the storm */
    return h < 6 ? 20 + 40 * h / 6 : 60;
}

static void slow_build_up_alerts_while_it_grows_and_is_not_absorbed(void **state)
{
    (void)state;
    int a[4];
    detect_result last;
    int n = run(slow_build_up, NULL, 7 * DAY, a, 4, &last);
    if (getenv("DETECT_TEST_VERBOSE"))
        for (int k = 0; k < n && k < 4; k++)
            printf("slow build-up alert at %d\n", a[k]);
    /* the two-hour average catches it in under two hours, at +50%, while
     * the volume is still rising; it alerts again only as the storm's
     * severity rises (medium, then high), and the model has not taken
     * the storm for the new normal half a day later */
    assert_int_equal(n, 3);
    assert_int_equal(a[0], 6 * DAY + 17);
    assert_int_equal(a[1], 6 * DAY + 33);
    assert_int_equal(a[2], 6 * DAY + 68);
    assert_true(last.expected < 35);
}

static void cold_start_waits_for_warmup_then_alerts(void **state)
{
    (void)state;
    detect *d = NULL;
    assert_int_equal(detect_new(NULL, &d), VG_OK);
    int first = -1;
    for (int i = 0; i < 2 * DAY; i++) {
        detect_result r;
        /* a spike before a whole day is seen is not judged: the detector
         * cannot yet tell a spike from the day's rhythm */
        double v = i == 6 || i == 200 || i == DAY + 30 ? 300 : 10;
        detect_push(d, T0 + (int64_t)i * STEP, v, &r);
        if (r.alert && first < 0)
            first = i;
    }
    detect_free(d);
    assert_int_equal(first, DAY + 30);
}

static void worsening_storm_alerts_again_only_when_severity_rises(void **state)
{
    (void)state;
    detect *d = NULL;
    assert_int_equal(detect_new(NULL, &d), VG_OK);
    int alerts[8], n = 0;
    detect_severity sev[8];
    rng_state = 0x5eedULL;
    for (int i = 0; i < 3 * DAY; i++) {
        detect_result r;
        double v = poisson(100);
        if (i == 2 * DAY)
            v = 300; /* a first jolt */
        else if (i == 2 * DAY + 6)
            v = 310; /* as strong: same storm, same severity, no alert */
        else if (i == 2 * DAY + 12)
            v = 3000; /* the storm breaks */
        detect_push(d, T0 + (int64_t)i * STEP, v, &r);
        if (r.alert && n < 8) {
            sev[n] = r.severity;
            alerts[n++] = i;
        }
    }
    detect_free(d);
    if (getenv("DETECT_TEST_VERBOSE"))
        for (int k = 0; k < n && k < 8; k++)
            printf("alert at %d severity %d\n", alerts[k], (int)sev[k]);
    assert_int_equal(n, 2);
    assert_int_equal(alerts[0], 2 * DAY);
    assert_int_equal(alerts[1], 2 * DAY + 12);
    assert_true(sev[1] > sev[0]);
    assert_int_equal(sev[1], DETECT_HIGH);
}

static void bad_parameters_are_refused(void **state)
{
    (void)state;
    detect_params p = DETECT_PARAMS_INIT;
    detect *d = NULL;
    p.threshold = 0;
    assert_int_equal(detect_new(&p, &d), VG_EINVAL);
    assert_null(d);
    p = (detect_params)DETECT_PARAMS_INIT;
    p.baseline_halflife = -1;
    assert_int_equal(detect_new(&p, &d), VG_EINVAL);
    p = (detect_params)DETECT_PARAMS_INIT;
    p.memory = 0; /* past surprises need a half-life */
    assert_int_equal(detect_new(&p, &d), VG_EINVAL);
    assert_null(d);
    detect_free(NULL);
}

static void severity_names_round_trip(void **state)
{
    (void)state;
    for (int s = DETECT_LOW; s <= DETECT_HIGH; s++)
        assert_int_equal(detect_severity_parse(detect_severity_name((detect_severity)s)), s);
    assert_int_equal(detect_severity_parse("severe"), -1);
    assert_string_equal(detect_severity_name(DETECT_NONE), "none");
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(flat_series_never_alerts),
        cmocka_unit_test(seasonal_series_with_weekends_never_alerts),
        cmocka_unit_test(sparse_counts_never_alert),
        cmocka_unit_test(sparse_counts_alert_on_a_burst_of_volume),
        cmocka_unit_test(step_up_alerts_then_is_learnt),
        cmocka_unit_test(spike_alerts_at_its_bucket_and_leaves_the_baseline_alone),
        cmocka_unit_test(slow_build_up_alerts_while_it_grows_and_is_not_absorbed),
        cmocka_unit_test(cold_start_waits_for_warmup_then_alerts),
        cmocka_unit_test(worsening_storm_alerts_again_only_when_severity_rises),
        cmocka_unit_test(bad_parameters_are_refused),
        cmocka_unit_test(severity_names_round_trip),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
