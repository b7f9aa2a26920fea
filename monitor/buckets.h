/*
 * Per-brand time buckets and the detectors that watch them: the writer
 * reports each committed mention, the monitor counts it into its brand's
 * current bucket (volume, negative mentions, negative share, net
 * sentiment), judges the bucket as it fills, and records any alert in
 * the store inside the writer's open transaction (the outbox).
 */
#ifndef VG_BUCKETS_H
#define VG_BUCKETS_H

#include "core/vg.h"
#include "monitor/detect.h"
#include "store/store.h"

#include <stdint.h>

/* Longest silence filled with empty buckets; after a longer one the
 * detector starts again (its history no longer describes the brand). */
#define BUCKET_MAX_GAP (14 * 86400)

typedef struct bucket_params {
    int64_t width;          /* seconds, 300 .. 86400, UTC-aligned (default 1 h) */
    int min_volume;         /* below this, the negative share is not judged (default 10) */
    detect_params detect;   /* detector settings for every metric */
} bucket_params;

#define BUCKET_PARAMS_INIT {3600, 10, DETECT_PARAMS_INIT}

/* One bucket's figures. */
typedef struct bucket_stats {
    int64_t start;
    int volume, negative, positive;
    double negative_share;  /* negative / volume, 0 when empty */
    double net_sentiment;   /* (positive - negative) / volume, 0 when empty */
} bucket_stats;

typedef struct bucket_monitor bucket_monitor;

/* Creates a monitor; params NULL for defaults. VG_EINVAL on a bad width,
 * VG_ENOMEM. Free with bucket_monitor_free. */
vg_err bucket_monitor_new(const bucket_params *params, bucket_monitor **out);
void bucket_monitor_free(bucket_monitor *m);

/* Counts one committed mention of brand_id published at published_at
 * (0: now) with sentiment label -1/0/1, then judges the brand's current
 * bucket for volume and negative mentions (the negative share when the
 * bucket closes, i.e. at the first mention of a later one). Alerts are recorded
 * with store_alert_record on st, in the caller's open transaction, so
 * they commit or roll back with the mention (st may be NULL to detect
 * without recording). A mention older than the current bucket is
 * counted nowhere (history, not news). *alerts_out (may be NULL) gets
 * the number of alerts recorded. Not thread-safe: the writer's thread
 * only. */
vg_err bucket_add_mention(bucket_monitor *m, store *st, int64_t brand_id,
                          int64_t published_at, int label, int64_t now,
                          int *alerts_out);

/* Replays the stored mentions published since `since` (every enabled
 * brand, oldest first) into the detectors without recording alerts, so
 * a restarted daemon judges with its history instead of warming up for
 * a day; the current bucket is marked as already judged for whatever it
 * alerted on then (the outbox holds those alerts). Call once, before the
 * writer reports new mentions. VG_EDB, VG_ENOMEM. */
vg_err bucket_monitor_prime(bucket_monitor *m, store *st, int64_t since, int64_t now);

/* The brand's current bucket (all zero when the brand was never seen). */
void bucket_current(const bucket_monitor *m, int64_t brand_id, bucket_stats *out);

/* The UTC-aligned start of the bucket holding t. */
int64_t bucket_start(int64_t t, int64_t width);

#endif
