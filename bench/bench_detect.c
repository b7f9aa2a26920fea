/*
 * Spike detector throughput: pushes generated 5-minute counts (a daily
 * rhythm, sparse stretches and bursts, built here from a seeded
 * generator) through detect_push on one thread and prints points per
 * second per core, for a dense series and a mostly-zero one. Target
 * (issue 5): over 10 million points/s/core. Timed in thread CPU time,
 * best of several rounds, as a shared machine's load only ever slows a
 * round down.
 */
#include "monitor/detect.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <time.h>

#define POINTS 4000000
#define ROUNDS 5

/* The thread's CPU time, not the wall clock: on a shared machine other
 * processes take the core away for whole time slices, which says
 * nothing of the detector's speed per core. */
static double now(clockid_t clock)
{
    struct timespec ts;
    clock_gettime(clock, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

/* Counts generated up front, so only the detector is timed. */
static double *make_series(size_t n, double scale)
{
    double *v = malloc(n * sizeof *v);
    if (!v)
        return NULL;
    uint64_t s = 0x2545f4914f6cdd1dULL;
    for (size_t i = 0; i < n; i++) {
        s ^= s << 13;
        s ^= s >> 7;
        s ^= s << 17;
        double u = (double)(s >> 11) / 9007199254740992.0;
        double day = 1.0 + 0.6 * sin(6.283185307179586 * (double)(i % 288) / 288.0);
        double x = floor(scale * day * (0.5 + u));
        if (i % 5000 < 12)
            x += 40 * scale + 20; /* a burst now and then */
        v[i] = x;
    }
    return v;
}

/* Best of ROUNDS, in points per CPU second; *wall gets the best rate by
 * the wall clock (what the machine's current load leaves), *alerts
 * counts alerts to keep the work observable. */
static double measure(const double *v, size_t n, long *alerts, double *wall)
{
    double best = 0;
    *wall = 0;
    for (int round = 0; round < ROUNDS; round++) {
        detect *d = NULL;
        if (detect_new(NULL, &d) != VG_OK)
            return 0;
        long a = 0;
        double t0 = now(CLOCK_THREAD_CPUTIME_ID), w0 = now(CLOCK_MONOTONIC);
        for (size_t i = 0; i < n; i++) {
            detect_result r;
            detect_push(d, 1420070400 + (int64_t)i * 300, v[i], &r);
            a += r.alert;
        }
        double rate = (double)n / (now(CLOCK_THREAD_CPUTIME_ID) - t0);
        double wrate = (double)n / (now(CLOCK_MONOTONIC) - w0);
        if (wrate > *wall)
            *wall = wrate;
        detect_free(d);
        if (rate > best)
            best = rate;
        *alerts = a;
    }
    return best;
}

int main(void)
{
    double *dense = make_series(POINTS, 40.0);
    double *sparse = make_series(POINTS, 0.3);
    if (!dense || !sparse) {
        fprintf(stderr, "bench_detect: out of memory\n");
        free(dense);
        free(sparse);
        return 1;
    }
    long a1 = 0, a2 = 0;
    double w1, w2;
    double r1 = measure(dense, POINTS, &a1, &w1);
    double r2 = measure(sparse, POINTS, &a2, &w2);
    printf("detect dense  (mean ~40/bucket): %.1f M points/s/core (wall clock %.1f M/s; "
           "%ld alerts in %d points)\n",
           r1 / 1e6, w1 / 1e6, a1, POINTS);
    printf("detect sparse (mean ~0.3/bucket): %.1f M points/s/core (wall clock %.1f M/s; "
           "%ld alerts in %d points)\n",
           r2 / 1e6, w2 / 1e6, a2, POINTS);
    printf("target 10 M points/s/core: dense x%.2f, sparse x%.2f\n", r1 / 1e7, r2 / 1e7);
    free(dense);
    free(sparse);
    return 0;
}
