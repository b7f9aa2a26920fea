/*
 * Chart geometry shared by the digest's two drawings of each chart: the
 * inline SVG of report_html.c and the PNG of report_png.c (for mail
 * clients that strip SVG). Both ask here where the plot area, the bars
 * and the points go, so the image a mail reader sees cannot drift from
 * the chart a browser shows. Only numbers: no output format here.
 */
#include "monitor/report_int.h"

void report_daily_plot(report_plot *p, const digest_brand *b, int top)
{
    p->left = 36;
    p->top = top;
    p->pw = REPORT_CHART_W - p->left - 8;
    p->ph = REPORT_CHART_H - top - 44; /* room below for days and legend */
    p->slot = b->n_days ? (double)p->pw / (double)b->n_days : p->pw;
    p->max = 1;
    for (size_t i = 0; i < b->n_days; i++) {
        int64_t t = b->days[i].pos + b->days[i].neu + b->days[i].neg;
        if (t > p->max)
            p->max = t;
    }
}

void report_daily_bar(const report_plot *p, const digest_day *day, size_t i,
                      report_bar *bar)
{
    double y = p->top + p->ph;

    bar->w = p->slot * 0.7;
    bar->x = p->left + p->slot * (double)i + p->slot * 0.15;
    bar->v[0] = day->neg;
    bar->v[1] = day->neu;
    bar->v[2] = day->pos;
    for (int k = 0; k < 3; k++) {
        bar->h[k] = (double)bar->v[k] * p->ph / (double)p->max;
        if (bar->v[k] != 0)
            y -= bar->h[k];
        bar->y[k] = y;
    }
    bar->top = y;
}

void report_trend_plot(report_plot *p, int top)
{
    p->left = 36;
    p->top = top;
    p->pw = REPORT_CHART_W - p->left - 20;
    p->ph = REPORT_CHART_H - top - 30; /* room below for week labels */
    p->slot = (double)p->pw / DIGEST_TREND_WEEKS;
    p->max = 0;
}

void report_trend_point(const report_plot *p, size_t i, double net, double *x,
                        double *y)
{
    *x = p->left + p->slot * ((double)i + 0.5);
    *y = p->top + (1.0 - net) * p->ph / 2.0;
}
