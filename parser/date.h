/*
 * Dates as feeds write them: RFC 822 (every zone form), RFC 3339 / ISO
 * 8601 and their common variants, normalised to UTC unix seconds.
 */
#ifndef VG_DATE_H
#define VG_DATE_H

#include "core/vg.h"

#include <stddef.h>
#include <stdint.h>

/* Parses s into *out. VG_EPARSE when it is not a date we understand:
 * never guess a date. Thread-safe. */
vg_err date_parse(const char *s, int64_t *out);

/* date_parse_flags flags. */
enum {
    /* Also accept ISO 8601 reduced precision ("2003", "2003-12",
     * "-0312"), read as the first instant of the period. */
    DATE_REDUCED = 1
};

/* date_parse with flags (DATE_REDUCED). Thread-safe. */
vg_err date_parse_flags(const char *s, int flags, int64_t *out);

/* Writes t (UTC unix seconds) as "YYYY-MM-DDTHH:MM:SSZ" into out (cap
 * at least 21 bytes). VG_EINVAL when cap is too small or the year falls
 * outside 0..9999. Thread-safe. */
vg_err date_format_utc(int64_t t, char *out, size_t cap);

#endif
