/*
 * Time helpers. Times are UTC unix seconds everywhere in vigie.
 */
#ifndef VG_VTIME_H
#define VG_VTIME_H

#include "core/vg.h"

#include <stdint.h>

/* Current wall-clock time, UTC unix seconds. */
int64_t vg_now(void);

/* Monotonic milliseconds, for measuring and pacing (not wall time). */
int64_t vg_mono_ms(void);

/* Parses a duration like "90s", "15m", "6h", "7d", "2w" or a bare number of
 * seconds into *out. VG_EINVAL (with a message) on anything else. */
vg_err vg_duration_parse(const char *s, int64_t *out);

/* Parses a point in time for CLI filters: a duration back from now ("7d"),
 * a date "YYYY-MM-DD" (midnight UTC), "YYYY-MM-DDTHH:MM[:SS][Z]", or unix
 * seconds "@1700000000". VG_EINVAL otherwise. */
vg_err vg_time_parse_cli(const char *s, int64_t now, int64_t *out);

/* Formats t as "YYYY-MM-DDTHH:MM:SSZ" into out (at least 21 bytes). */
void vg_time_iso(int64_t t, char out[21]);

/* Formats t's ISO 8601 week as "YYYY-Www" into out (at least 9 bytes). */
void vg_time_isoweek(int64_t t, char out[9]);

/* timegm without the non-portable libc call: civil UTC to unix seconds.
 * month 1..12, day 1..31; out-of-range fields are normalised. */
int64_t vg_timegm(int year, int month, int day, int hour, int min, int sec);

#endif
