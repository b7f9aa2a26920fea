/*
 * Digest schedules: "every Monday at 8:00 in Europe/Paris, mail last
 * week's digest to this channel". The rows live in the store
 * (store_digest_schedule_*); this module knows when each one is due, in
 * its own time zone with daylight saving time right (digest_tz.c reads
 * the system's compiled zone files itself, see there for why), and runs
 * the due ones: build, archive, mail, record (digest_schedule.c).
 */
#ifndef VG_DIGEST_SCHEDULE_H
#define VG_DIGEST_SCHEDULE_H

#include "core/vg.h"
#include "monitor/digest.h"
#include "monitor/report.h"
#include "store/store.h"

#include <stdint.h>

/* ---- time zones (digest_tz.c) ---- */

/* A time zone loaded from the tz database (TZif files under $TZDIR or
 * /usr/share/zoneinfo). Immutable once open: share it between threads. */
typedef struct digest_tz digest_tz;

/* Loads the zone named like "Europe/Paris" or "UTC". VG_EINVAL for a
 * name that is not a zone name (absolute, "..", odd characters),
 * VG_ENOTFOUND when no such zone is installed, VG_EPARSE for a damaged
 * file, VG_ENOMEM. *out freed with digest_tz_close. */
vg_err digest_tz_open(const char *name, digest_tz **out);
/* Frees z; NULL is fine. */
void digest_tz_close(digest_tz *z);

/* Seconds east of UTC in force at the instant utc. */
int32_t digest_tz_offset(const digest_tz *z, int64_t utc);

/* The last instant at or before now when the wall clock of z read
 * weekday (1 Monday .. 7 Sunday) at hour:00. A wall time skipped by a
 * DST jump counts at the instant the clocks jump (02:30 that never was
 * is 03:30 summer time); a wall time that happens twice counts the
 * first time. */
int64_t digest_tz_last_weekly(const digest_tz *z, int weekday, int hour,
                              int64_t now);

/* ---- running schedules (digest_schedule.c) ---- */

/* Parses "mon".."sun" (also full English names, or 1-7); -1 otherwise. */
int digest_weekday_parse(const char *s);
/* "mon".."sun" for 1..7. */
const char *digest_weekday_name(int weekday);

typedef struct digest_schedule_opts {
    long timeout_ms;      /* per SMTP delivery */
    int max_attempts;     /* sends tried per occurrence before giving up */
    int64_t retry_delay;  /* seconds before the first retry, doubled after */
} digest_schedule_opts;

#define DIGEST_SCHEDULE_OPTS_INIT {60000, 3, 300}

/* Builds the digest of o's period and mails it, in locale l, to channel
 * (an smtp:// channel of mail.h) within timeout_ms. Errors of
 * digest_build, mail_target_parse (VG_EINVAL), report_mail_build and
 * mail_send (VG_ENET). Archives nothing: the caller does. */
vg_err digest_mail_send(store *st, const digest_options *o, report_locale l,
                        const char *channel, long timeout_ms);

/* Runs every schedule due at now: for each, the last occurrence at or
 * before now (in the schedule's zone) that is later than both its
 * creation and the occurrence it last ran is claimed in the store
 * (atomically, before anything is sent), the digest of the ISO week
 * before that occurrence is built, archived (html) and mailed to the
 * schedule's channel (multipart text/HTML/PNG, report_mail_build), and
 * the outcome is recorded. A schedule missed while vigie was stopped is
 * thus sent once at the next call; an occurrence is never sent twice: a
 * send refused by the server is retried (max_attempts, growing delay),
 * a send interrupted by a crash is not. Older missed occurrences are not
 * caught up: only the latest one is sent.
 *
 * sent and failed (may be NULL) count this call's outcomes; per-schedule
 * failures are stored (digest schedule list) and do not stop the others.
 * Returns VG_EDB when the schedules cannot be read. Blocks for the SMTP
 * exchanges: call it from a thread that may wait (vigie run: the
 * delivery thread), with a store handle of that thread. */
vg_err digest_schedule_run_due(store *st, int64_t now,
                               const digest_schedule_opts *o, int *sent,
                               int *failed);

#endif
