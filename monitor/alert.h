/*
 * Alert delivery: turns a queued delivery (store/alerts.c's outbox) into
 * a message on its channel and records the outcome. Channels:
 * "webhook:URL" (a JSON POST with a `text` field, an Idempotency-Key
 * header and, when the rule has a secret, X-Vigie-Signature:
 * sha256=HMAC-SHA256(secret, body) in hex), "exec:COMMAND" (the JSON on
 * the command's standard input, success = exit status 0), "smtp://" and
 * "smtps://" (a mail with a text and an HTML part, the key in an
 * X-Vigie-Alert-Key header; channel syntax in mail.h; a rule's secret is
 * the SMTP password when the channel names only a user) and "log".
 * Secrets are never logged or returned in errors.
 */
#ifndef VG_ALERT_H
#define VG_ALERT_H

#include "core/vg.h"
#include "store/store.h"

#include <stdint.h>

typedef struct alert_deliver_opts {
    int64_t backoff_base;  /* seconds before the first retry (default 30) */
    int64_t backoff_max;   /* cap of the doubling backoff (default 1 h) */
    long timeout_ms;       /* per attempt (default 10 s) */
    int limit;             /* deliveries per call at most (default 50) */
} alert_deliver_opts;

#define ALERT_DELIVER_OPTS_INIT {30, 3600, 10000, 50}

/* Parses and checks a channel string; VG_EINVAL with a message naming
 * what is wrong. */
vg_err alert_channel_check(const char *channel);

/* The JSON document of a delivery (malloc'd, NUL-terminated; free()).
 * Holds brand, metric, severity, observed, expected, range, score,
 * bucket, idempotency key and a readable `text`. VG_ENOMEM. */
vg_err alert_render_json(const store_delivery *d, char **out);

/* Sends one document on channel (secret may be NULL). VG_ENET with a
 * message (never containing the secret) on failure. */
vg_err alert_send(const char *channel, const char *secret, const char *idem_key,
                  const char *json, long timeout_ms);

/* Delivers what is due at now: each success is marked delivered, each
 * failure is retried later with a doubling backoff (base * 2^attempts,
 * capped), so a dead receiver never blocks the caller for longer than
 * limit * timeout and an alert is never dropped. A crash between a send
 * and its record re-sends with the same idempotency key, which receivers
 * use to drop the duplicate. Counts go to *delivered and *failed (may be
 * NULL). Meant for its own thread with its own store handle (SQLite
 * connections are not shared between threads). VG_EDB on store errors. */
vg_err alert_deliver_pending(store *st, const alert_deliver_opts *opts, int64_t now,
                             int *delivered, int *failed);

/* The detail of an alert on brand_id's bucket [from, to), as compact JSON
 * (malloc'd; free()): {"bucket_mentions", "reference_mentions",
 * "top_terms": [{"term", "count", "reference_count"}] (at most 5 words or
 * phrases whose share rose most against the brand's two weeks before,
 * by G²), "negative_mentions": [{"score", "snippet", "url", "title",
 * "published_at"}] (at most 3, most negative first)}. Reads the store
 * inside the caller's transaction and writes nothing. VG_EDB, VG_ENOMEM.
 * (monitor/alert_detail.c) */
vg_err alert_detail_build(store *st, int64_t brand_id, int64_t from, int64_t to, char **out);

#endif
