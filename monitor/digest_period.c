/*
 * Digest periods: ISO 8601 weeks (Monday 00:00 UTC to the next Monday),
 * which is what `--week 2026-W47` names and what a Monday-morning report
 * covers.
 */
#include "monitor/digest.h"

#include "core/vtime.h"

#include <ctype.h>
#include <string.h>

static int64_t floor_day(int64_t t)
{
    return t >= 0 ? t / DIGEST_DAY : -((-t + DIGEST_DAY - 1) / DIGEST_DAY);
}

/* Monday 00:00 UTC of the ISO week holding day number d (days since the
 * epoch, which was a Thursday). */
static int64_t monday_of_day(int64_t d)
{
    int64_t wd = ((d + 3) % 7 + 7) % 7; /* 0 = Monday */

    return (d - wd) * DIGEST_DAY;
}

/* Monday of ISO week 1 of year y: the week holding 4 January. */
static int64_t week1(int y)
{
    return monday_of_day(floor_day(vg_timegm(y, 1, 4, 0, 0, 0)));
}

vg_err digest_week_parse(const char *s, int64_t *from, int64_t *to)
{
    int y = 0, w = 0;
    size_t i;

    if (s == NULL || strlen(s) < 7 || strlen(s) > 8)
        goto bad;
    for (i = 0; i < 4; i++) {
        if (!isdigit((unsigned char)s[i]))
            goto bad;
        y = y * 10 + (s[i] - '0');
    }
    if (s[4] != '-' || (s[5] != 'W' && s[5] != 'w'))
        goto bad;
    for (i = 6; s[i]; i++) {
        if (!isdigit((unsigned char)s[i]))
            goto bad;
        w = w * 10 + (s[i] - '0');
    }
    if (y < 1971 || w < 1 || w > 53)
        goto bad;
    if (week1(y) + (int64_t)(w - 1) * DIGEST_WEEK >= week1(y + 1))
        goto bad; /* week 53 of a 52-week year */
    *from = week1(y) + (int64_t)(w - 1) * DIGEST_WEEK;
    *to = *from + DIGEST_WEEK;
    return VG_OK;
bad:
    return vg_error_set(VG_EINVAL, "bad week '%s' (use YYYY-Www, e.g. 2026-W47)",
                        s ? s : "");
}

void digest_week_of(int64_t t, int64_t *from, int64_t *to)
{
    *from = monday_of_day(floor_day(t));
    *to = *from + DIGEST_WEEK;
}

void digest_last_week(int64_t t, int64_t *from, int64_t *to)
{
    digest_week_of(t, from, to);
    *from -= DIGEST_WEEK;
    *to -= DIGEST_WEEK;
}
