/*
 * Private to monitor/report_*.c: the translated strings every renderer
 * shares and small helpers.
 */
#ifndef VG_REPORT_INT_H
#define VG_REPORT_INT_H

#include "monitor/report.h"

typedef enum report_msg {
    M_TITLE, M_PERIOD, M_PREVIOUS, M_GENERATED, M_MENTIONS, M_NET,
    M_NEG_SHARE, M_SOURCES, M_ALERTS, M_THIS_PERIOD, M_PREV_PERIOD, M_CHANGE,
    M_DAILY, M_TREND, M_SOV, M_TOP_SOURCES, M_MOST_POS, M_MOST_NEG,
    M_EMERGING, M_PERIOD_ALERTS, M_GOALS, M_METHOD, M_POSITIVE, M_NEUTRAL,
    M_NEGATIVE, M_EMPTY, M_NO_ALERTS, M_SINCE, M_NO_PREV, M_MET, M_ON_TRACK,
    M_OFF_TRACK, M_NO_DATA, M_METHOD_NOTE, M_CORRECTED_NOTE, M_TERMS_NOTE,
    M_NO_TERMS, M_COPIES, M_TERM, M_PREV4, M_METRIC, M_TARGET, M_CURRENT,
    M_BY, M_STATUS, M_DAY, M_WEEK_OF, M_TOTAL, M_BRAND, M_SHARE, M_SOURCE,
    M_DATE, M_SCORE, M_SEVERITY, M_OBSERVED, M_EXPECTED, M_NO_BRANDS,
    M_NONE, M_PTS, M_M_NET, M_M_NEG, M_M_VOLUME, M_M_SOV, M_CORRECTED,
    M_NO_GOALS, M__COUNT
} report_msg;

/* The string for m in l (static). */
const char *report_tr(report_locale l, report_msg m);

/* Display name of a goal metric ("net-sentiment" -> "Net sentiment"). */
const char *report_metric_name(report_locale l, const char *metric);

/* Display name of a goal status. */
const char *report_status_name(report_locale l, digest_goal_status s);

/* Appends s with &, <, >, " and ' escaped for HTML text and attributes. */
void report_html_escape(vg_buf *out, const char *s);

/* Non-zero when url is http(s):, the only links a digest prints: a
 * hostile feed could carry javascript: URLs. */
int report_url_safe(const char *url);

#endif
