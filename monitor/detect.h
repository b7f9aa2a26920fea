/*
 * The streaming spike detector: one value per time bucket in, one
 * verdict per bucket out (how unusual, whether to alert, what was
 * expected). It is causal and keeps O(1) state, so the monitor runs one
 * per brand and metric, and `vigie detect` runs one over a CSV file.
 * docs/alerts.md explains the model and its few parameters.
 */
#ifndef VG_DETECT_H
#define VG_DETECT_H

#include "core/vg.h"

#include <stdint.h>

/* Tunables. Start from DETECT_PARAMS_INIT; every field has a meaning
 * that does not depend on the series (no per-series numbers). */
typedef struct detect_params {
    double baseline_halflife; /* seconds: memory of the level (default 1 day) */
    double profile_halflife;  /* seconds: memory of the hour-of-day profile (default 7 days) */
    double threshold;         /* z (in noise units) at which a bucket alerts (default 5) */
    double min_excess;        /* an alert needs at least this many counts above expected in
                               * the span judged, the last quarter-hour (default 8) */
    double quiet;             /* seconds below the exit level that end a storm (default 6 h) */
    double warmup;            /* seconds of history before any alert (default 1 day) */
    double memory;            /* seconds: half-life of the series' past surprises (default 14 days) */
} detect_params;

#define DETECT_PARAMS_INIT {86400.0, 7 * 86400.0, 5.0, 8.0, 6 * 3600.0, 86400.0, 14 * 86400.0}

typedef enum detect_severity {
    DETECT_NONE = 0,
    DETECT_LOW = 1,
    DETECT_MEDIUM = 2,
    DETECT_HIGH = 3
} detect_severity;

/* The verdict on one bucket. */
typedef struct detect_result {
    double score;      /* in [0, 1]; >= 0.5 exactly when alert is set */
    int alert;         /* 1 at the start of a storm, or when it worsens */
    int in_storm;      /* 1 while the series is unusually high */
    double z;          /* noise units above expected, on the most unusual time scale */
    double expected;   /* expected value of this bucket */
    double low, high;  /* usual range of this bucket (about +-3 noise units, judged
                        * on the last quarter-hour and divided back to one bucket) */
    detect_severity severity;
} detect_result;

typedef struct detect detect;

/* Creates a detector with params (NULL: defaults). VG_EINVAL on a
 * nonsensical parameter, VG_ENOMEM. The caller frees *out with
 * detect_free. */
vg_err detect_new(const detect_params *params, detect **out);

/* Frees d; NULL is fine. */
void detect_free(detect *d);

/* Feeds the value of the bucket starting at t (UTC seconds; buckets in
 * increasing time order, gaps allowed) and writes the verdict to *out.
 * Negative or non-finite values count as 0. O(1) time, never fails.
 * Not thread-safe: one detector per thread or per lock. */
void detect_push(detect *d, int64_t t, double value, detect_result *out);

/* The verdict detect_push would give for (t, value), without learning
 * from it: for a bucket still filling up (the monitor judges the current
 * hour as mentions arrive, then pushes it once complete). O(1). */
void detect_peek(const detect *d, int64_t t, double value, detect_result *out);

/* "low", "medium", "high" or "none". Returns a static string. */
const char *detect_severity_name(detect_severity s);

/* Parses "low", "medium" or "high"; -1 when unknown. */
int detect_severity_parse(const char *s);

#endif
