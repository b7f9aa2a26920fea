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

/* ---- chart geometry (report_chart.c), shared by the SVG and PNG
 * renderers so both draw each chart the same way ---- */

/* Every chart's width, and the height of the daily and trend charts,
 * in CSS pixels (the PNG draws at a multiple of these). */
#define REPORT_CHART_W 560
#define REPORT_CHART_H 220

/* A chart's plot area: left/top corner, width and height; slot is the
 * horizontal room per bar or point, max the value the full height
 * stands for (daily chart only). */
typedef struct report_plot {
    int left, top, pw, ph;
    double slot;
    int64_t max;
} report_plot;

/* The daily chart's plot area below y = top, scaled to b's largest day
 * (at least 1, so an empty period draws no bars). */
void report_daily_plot(report_plot *p, const digest_brand *b, int top);

/* Day i's bar: x and w its left edge and width; segment k (0 negative,
 * 1 neutral, 2 positive, stacked from the bottom in that order) holds
 * v[k] mentions from y[k] down by h[k]; top is where the stack ends
 * (the total's label goes above it). A segment with v[k] == 0 is not
 * drawn. */
typedef struct report_bar {
    double x, w, top;
    int64_t v[3];
    double y[3], h[3];
} report_bar;

void report_daily_bar(const report_plot *p, const digest_day *day, size_t i,
                      report_bar *bar);

/* The trend chart's plot area below y = top: net sentiment runs from
 * +1 at the top to -1 at the bottom, one point per week. */
void report_trend_plot(report_plot *p, int top);

/* Where week i's point of net sentiment net stands. */
void report_trend_point(const report_plot *p, size_t i, double net, double *x,
                        double *y);

#endif
