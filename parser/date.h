/*
 * Dates as feeds write them: RFC 822 (every zone form), RFC 3339 / ISO
 * 8601 and their common variants, normalised to UTC unix seconds.
 */
#ifndef VG_DATE_H
#define VG_DATE_H

#include "core/vg.h"

#include <stdint.h>

/* Parses s into *out. VG_EPARSE when it is not a date we understand:
 * never guess a date. Thread-safe. */
vg_err date_parse(const char *s, int64_t *out);

#endif
