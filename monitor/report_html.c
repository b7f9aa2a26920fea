/*
 * The digest as one self-contained HTML page: inline CSS, inline SVG
 * charts (daily volume stacked by sentiment, 8-week net sentiment, share
 * of voice, alerts on a timeline), no script and no external resource,
 * so it opens the same from a mail, a file or an archive years later.
 * Every chart carries a title and a description for screen readers
 * (role="img", aria-labelledby) and sits beside the table of its numbers.
 * Sentiment colours are blue (positive), grey (neutral) and orange with
 * diagonal hatching (negative): told apart without red versus green, and
 * without colour at all thanks to the hatching, the legends and the
 * tables. Everything that came from the web is escaped, and only http(s)
 * links are printed.
 */
#include "monitor/report_int.h"

#include "core/vtime.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define C_POS "#1f5fa8"
#define C_NEU "#9a9a9a"
#define C_NEG "#e07b00"

/* One size for both drawings of a chart (report_int.h). */
#define CHART_W REPORT_CHART_W
#define CHART_H REPORT_CHART_H

static const char css[] =
    "body{font-family:system-ui,-apple-system,'Segoe UI',Roboto,sans-serif;"
    "color:#1a1a1a;max-width:980px;margin:0 auto;padding:16px;line-height:1.4}"
    "h1{margin-bottom:4px}h2{border-bottom:2px solid #1f5fa8;padding-bottom:4px;"
    "margin-top:40px}h3{margin-top:28px}"
    "table{border-collapse:collapse;font-size:14px}"
    "th,td{border:1px solid #ccc;padding:4px 8px;text-align:left}"
    "td.n,th.n{text-align:right;font-variant-numeric:tabular-nums}"
    ".chart{display:flex;flex-wrap:wrap;gap:16px;align-items:flex-start}"
    ".chart figure{margin:0}.note{color:#444;font-style:italic}"
    ".kpi td:first-child{font-weight:600}"
    ".status-met{font-weight:700}.status-off-track{font-weight:700;"
    "text-decoration:underline}"
    "blockquote{margin:4px 0 12px 0;padding-left:10px;border-left:3px solid #ccc}"
    ".meta{color:#555;font-size:13px}"
    "svg text{font-family:inherit}";

/* The mail mode (report_render_html_mail): each chart's SVG is written
 * to a scratch buffer instead of the page, then replaced by an <img>
 * of its PNG twin (report_png.c) carrying the SVG's title and
 * description as alt text. */
typedef struct mail_mode {
    const char *domain; /* Content-IDs are "chartN.<domain>" */
    vg_buf scratch;
    vg_buf *page;
    report_image *imgs;
    size_t n;
    vg_err err;
} mail_mode;

typedef struct ctx {
    vg_buf *out;
    report_locale l;
    int chart; /* unique ids within the page */
    const digest *d;
    mail_mode *mail; /* NULL: inline SVG for browsers */
} ctx;

static void esc(ctx *c, const char *s)
{
    report_html_escape(c->out, s);
}

static void num(ctx *c, double v, int dec)
{
    report_fmt_number(c->out, c->l, v, dec);
}

static void pct(ctx *c, double v)
{
    report_fmt_percent(c->out, c->l, v, 1);
}

static void date(ctx *c, int64_t t)
{
    report_fmt_date(c->out, c->l, t);
}

static const char *tr(ctx *c, report_msg m)
{
    return report_tr(c->l, m);
}

/* The fills: a solid colour, or the hatched orange for negative. */
static void defs(ctx *c, int id)
{
    vg_buf_printf(c->out,
                  "<defs><pattern id=\"hatch%d\" width=\"6\" height=\"6\""
                  " patternUnits=\"userSpaceOnUse\" patternTransform=\"rotate(45)\">"
                  "<rect width=\"6\" height=\"6\" fill=\"" C_NEG "\"/>"
                  "<line x1=\"0\" y1=\"0\" x2=\"0\" y2=\"6\" stroke=\"#7a3d00\""
                  " stroke-width=\"2\"/></pattern></defs>",
                  id);
}

static void legend(ctx *c, int id, int x, int y)
{
    vg_buf_printf(c->out,
                  "<g class=\"legend\" font-size=\"12\">"
                  "<rect x=\"%d\" y=\"%d\" width=\"12\" height=\"12\" fill=\"" C_POS "\"/>"
                  "<text x=\"%d\" y=\"%d\">",
                  x, y, x + 16, y + 10);
    esc(c, tr(c, M_POSITIVE));
    vg_buf_printf(c->out,
                  "</text><rect x=\"%d\" y=\"%d\" width=\"12\" height=\"12\" fill=\"" C_NEU "\"/>"
                  "<text x=\"%d\" y=\"%d\">",
                  x + 100, y, x + 116, y + 10);
    esc(c, tr(c, M_NEUTRAL));
    vg_buf_printf(c->out,
                  "</text><rect x=\"%d\" y=\"%d\" width=\"12\" height=\"12\""
                  " fill=\"url(#hatch%d)\"/><text x=\"%d\" y=\"%d\">",
                  x + 200, y, id, x + 216, y + 10);
    esc(c, tr(c, M_NEGATIVE));
    vg_buf_puts(c->out, "</text></g>");
}

static void svg_open(ctx *c, int id, int w, int h, report_msg title,
                     const char *brand)
{
    if (c->mail != NULL) {
        c->mail->page = c->out;
        vg_buf_reset(&c->mail->scratch);
        c->out = &c->mail->scratch;
    }
    vg_buf_printf(c->out,
                  "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"%d\" height=\"%d\""
                  " viewBox=\"0 0 %d %d\" role=\"img\" aria-labelledby=\"t%d d%d\">"
                  "<title id=\"t%d\">",
                  w, h, w, h, id, id, id);
    esc(c, tr(c, title));
    if (brand != NULL) {
        vg_buf_puts(c->out, " — ");
        esc(c, brand);
    }
    vg_buf_printf(c->out, "</title><desc id=\"d%d\">", id);
}

/* The text between open (found from the start of svg) and close. */
static void between(vg_buf *out, const char *svg, const char *open,
                    const char *close)
{
    const char *a = strstr(svg, open), *e;

    if (a == NULL || (a = strchr(a, '>')) == NULL || (e = strstr(a, close)) == NULL)
        return;
    vg_buf_append(out, a + 1, (size_t)(e - a - 1));
}

/* Ends a chart: "</svg>" for browsers; in mail mode the captured SVG
 * gives way to an <img> of the same chart drawn as PNG. */
static void svg_close(ctx *c, report_chart kind, const digest_brand *b)
{
    mail_mode *m = c->mail;
    report_image *img, *nv;
    const char *svg, *hp;
    vg_buf alt;
    int height = CHART_H;

    vg_buf_puts(c->out, "</svg>");
    if (m == NULL)
        return;
    c->out = m->page;
    svg = vg_buf_str(&m->scratch);
    hp = strstr(svg, " height=\"");
    if (hp != NULL)
        height = (int)strtol(hp + 9, NULL, 10);
    /* title and desc are escaped already, fit for an attribute as is. */
    vg_buf_init(&alt, REPORT_MAX_BYTES);
    between(&alt, svg, "<title id=", "</title>");
    vg_buf_puts(&alt, ". ");
    between(&alt, svg, "<desc id=", "</desc>");
    nv = realloc(m->imgs, (m->n + 1) * sizeof *nv);
    if (nv == NULL) {
        m->err = VG_ENOMEM;
        vg_buf_free(&alt);
        return;
    }
    m->imgs = nv;
    img = &m->imgs[m->n];
    memset(img, 0, sizeof *img);
    if (m->err == VG_OK)
        m->err = report_png_chart(c->d, b, kind, c->l, &img->png, &img->len);
    img->alt = vg_buf_detach(&alt);
    vg_buf_init(&alt, 512);
    vg_buf_printf(&alt, "chart%d.%s", c->chart, m->domain);
    img->cid = vg_buf_detach(&alt);
    m->n++;
    if (img->alt == NULL || img->cid == NULL)
        m->err = VG_ENOMEM;
    vg_buf_printf(c->out, "<img src=\"cid:%s\" alt=\"%s\" width=\"%d\" height=\"%d\">",
                  img->cid ? img->cid : "", img->alt ? img->alt : "", CHART_W, height);
}

/* ---- charts ---- */

static void daily_chart(ctx *c, const digest_brand *b)
{
    int id = ++c->chart;
    int64_t sum_pos = 0, sum_neu = 0, sum_neg = 0;
    report_plot p;

    report_daily_plot(&p, b, 24);
    for (size_t i = 0; i < b->n_days; i++) {
        const digest_day *x = &b->days[i];
        sum_pos += x->pos;
        sum_neu += x->neu;
        sum_neg += x->neg;
    }
    vg_buf_puts(c->out, "<div class=\"chart\"><figure>");
    svg_open(c, id, CHART_W, CHART_H, M_DAILY, b->name);
    /* The description says in words what the bars show. */
    num(c, (double)(sum_pos + sum_neu + sum_neg), 0);
    vg_buf_printf(c->out, " %s: ", tr(c, M_MENTIONS));
    num(c, (double)sum_pos, 0);
    vg_buf_printf(c->out, " %s, ", tr(c, M_POSITIVE));
    num(c, (double)sum_neu, 0);
    vg_buf_printf(c->out, " %s, ", tr(c, M_NEUTRAL));
    num(c, (double)sum_neg, 0);
    vg_buf_printf(c->out, " %s.</desc>", tr(c, M_NEGATIVE));
    defs(c, id);
    vg_buf_printf(c->out,
                  "<line x1=\"%d\" y1=\"%d\" x2=\"%d\" y2=\"%d\" stroke=\"#333\"/>",
                  p.left, p.top + p.ph, p.left + p.pw, p.top + p.ph);
    vg_buf_printf(c->out, "<text x=\"%d\" y=\"%d\" font-size=\"11\" text-anchor=\"end\">",
                  p.left - 4, p.top + 4);
    num(c, (double)p.max, 0);
    vg_buf_printf(c->out, "</text><text x=\"%d\" y=\"%d\" font-size=\"11\""
                          " text-anchor=\"end\">0</text>",
                  p.left - 4, p.top + p.ph);
    for (size_t i = 0; i < b->n_days; i++) {
        const digest_day *x = &b->days[i];
        const char *fills[3] = {NULL, C_NEU, C_POS};
        report_msg names[3] = {M_NEGATIVE, M_NEUTRAL, M_POSITIVE};
        report_bar bar;
        char iso[21];

        report_daily_bar(&p, x, i, &bar);
        for (int k = 0; k < 3; k++) {
            if (bar.v[k] == 0)
                continue;
            vg_buf_printf(c->out, "<rect x=\"%.1f\" y=\"%.1f\" width=\"%.1f\" height=\"%.1f\"",
                          bar.x, bar.y[k], bar.w, bar.h[k]);
            if (fills[k] != NULL)
                vg_buf_printf(c->out, " fill=\"%s\">", fills[k]);
            else
                vg_buf_printf(c->out, " fill=\"url(#hatch%d)\">", id);
            vg_buf_puts(c->out, "<title>");
            date(c, x->start);
            vg_buf_printf(c->out, " — %s: ", tr(c, names[k]));
            num(c, (double)bar.v[k], 0);
            vg_buf_puts(c->out, "</title></rect>");
        }
        vg_buf_printf(c->out, "<text x=\"%.1f\" y=\"%.1f\" font-size=\"11\""
                              " text-anchor=\"middle\">",
                      bar.x + bar.w / 2, bar.top - 3);
        num(c, (double)(x->pos + x->neu + x->neg), 0);
        vg_buf_printf(c->out, "</text><text x=\"%.1f\" y=\"%d\" font-size=\"10\""
                              " text-anchor=\"middle\">",
                      bar.x + bar.w / 2, p.top + p.ph + 14);
        vg_time_iso(x->start, iso);
        vg_buf_printf(c->out, "%.2s", iso + 8); /* day of month */
        vg_buf_puts(c->out, "</text>");
    }
    legend(c, id, p.left, CHART_H - 16);
    svg_close(c, REPORT_CHART_DAILY, b);
    vg_buf_puts(c->out, "</figure>");

    /* The numbers beside the chart. */
    vg_buf_printf(c->out, "<table class=\"numbers\"><thead><tr><th>%s</th>"
                          "<th class=\"n\">%s</th><th class=\"n\">%s</th>"
                          "<th class=\"n\">%s</th><th class=\"n\">%s</th></tr></thead><tbody>",
                  tr(c, M_DAY), tr(c, M_POSITIVE), tr(c, M_NEUTRAL), tr(c, M_NEGATIVE),
                  tr(c, M_TOTAL));
    for (size_t i = 0; i < b->n_days; i++) {
        const digest_day *x = &b->days[i];
        vg_buf_puts(c->out, "<tr><td>");
        date(c, x->start);
        vg_buf_puts(c->out, "</td><td class=\"n\">");
        num(c, (double)x->pos, 0);
        vg_buf_puts(c->out, "</td><td class=\"n\">");
        num(c, (double)x->neu, 0);
        vg_buf_puts(c->out, "</td><td class=\"n\">");
        num(c, (double)x->neg, 0);
        vg_buf_puts(c->out, "</td><td class=\"n\">");
        num(c, (double)(x->pos + x->neu + x->neg), 0);
        vg_buf_puts(c->out, "</td></tr>");
    }
    vg_buf_puts(c->out, "</tbody></table></div>");
}

static void trend_chart(ctx *c, const digest_brand *b)
{
    int id = ++c->chart;
    report_plot p;
    int open = 0;

    report_trend_plot(&p, 20);
    vg_buf_puts(c->out, "<div class=\"chart\"><figure>");
    svg_open(c, id, CHART_W, CHART_H, M_TREND, b->name);
    for (size_t i = 0; i < DIGEST_TREND_WEEKS; i++) {
        char wk[9];
        vg_time_isoweek(b->trend[i].start, wk);
        vg_buf_printf(c->out, "%s ", wk + 5);
        if (b->trend[i].total > 0)
            num(c, b->trend[i].net, 2);
        else
            vg_buf_puts(c->out, tr(c, M_NO_PREV));
        vg_buf_puts(c->out, i + 1 < DIGEST_TREND_WEEKS ? "; " : ".");
    }
    vg_buf_puts(c->out, "</desc>");
    /* Scale: net sentiment runs from -1 (bottom) to +1 (top). */
    vg_buf_printf(c->out,
                  "<line x1=\"%d\" y1=\"%d\" x2=\"%d\" y2=\"%d\" stroke=\"#999\""
                  " stroke-dasharray=\"4 3\"/>",
                  p.left, p.top + p.ph / 2, p.left + p.pw, p.top + p.ph / 2);
    vg_buf_printf(c->out,
                  "<text x=\"%d\" y=\"%d\" font-size=\"11\" text-anchor=\"end\">+1</text>"
                  "<text x=\"%d\" y=\"%d\" font-size=\"11\" text-anchor=\"end\">0</text>"
                  "<text x=\"%d\" y=\"%d\" font-size=\"11\" text-anchor=\"end\">",
                  p.left - 4, p.top + 4, p.left - 4, p.top + p.ph / 2 + 4, p.left - 4,
                  p.top + p.ph);
    num(c, -1.0, 0);
    vg_buf_puts(c->out, "</text>");
    /* The line joins consecutive weeks that have mentions. */
    for (size_t i = 0; i < DIGEST_TREND_WEEKS; i++) {
        const digest_week *w = &b->trend[i];
        double x, y;

        report_trend_point(&p, i, w->net, &x, &y);
        if (w->total == 0) {
            if (open)
                vg_buf_puts(c->out, "\"/>");
            open = 0;
            continue;
        }
        if (!open)
            vg_buf_printf(c->out, "<polyline fill=\"none\" stroke=\"" C_POS "\""
                                  " stroke-width=\"2\" points=\"");
        vg_buf_printf(c->out, "%.1f,%.1f ", x, y);
        open = 1;
    }
    if (open)
        vg_buf_puts(c->out, "\"/>");
    for (size_t i = 0; i < DIGEST_TREND_WEEKS; i++) {
        const digest_week *w = &b->trend[i];
        double x, y;
        char wk[9];

        report_trend_point(&p, i, w->net, &x, &y);
        vg_time_isoweek(w->start, wk);
        if (w->total > 0) {
            vg_buf_printf(c->out, "<circle cx=\"%.1f\" cy=\"%.1f\" r=\"4\" fill=\"" C_POS
                                  "\"><title>%s: ",
                          x, y, wk);
            num(c, w->net, 2);
            vg_buf_printf(c->out, "</title></circle><text x=\"%.1f\" y=\"%.1f\""
                                  " font-size=\"11\" text-anchor=\"middle\">",
                          x, y - 8);
            num(c, w->net, 2);
            vg_buf_puts(c->out, "</text>");
        }
        vg_buf_printf(c->out, "<text x=\"%.1f\" y=\"%d\" font-size=\"10\""
                              " text-anchor=\"middle\">%s</text>",
                      x, CHART_H - 8, wk + 5);
    }
    svg_close(c, REPORT_CHART_TREND, b);
    vg_buf_puts(c->out, "</figure>");
    vg_buf_printf(c->out, "<table class=\"numbers\"><thead><tr><th>%s</th>"
                          "<th class=\"n\">%s</th><th class=\"n\">%s</th></tr></thead><tbody>",
                  tr(c, M_WEEK_OF), tr(c, M_MENTIONS), tr(c, M_NET));
    for (size_t i = 0; i < DIGEST_TREND_WEEKS; i++) {
        const digest_week *w = &b->trend[i];
        vg_buf_puts(c->out, "<tr><td>");
        date(c, w->start);
        vg_buf_puts(c->out, "</td><td class=\"n\">");
        num(c, (double)w->total, 0);
        vg_buf_puts(c->out, "</td><td class=\"n\">");
        if (w->total > 0)
            num(c, w->net, 2);
        else
            vg_buf_puts(c->out, tr(c, M_NO_PREV));
        vg_buf_puts(c->out, "</td></tr>");
    }
    vg_buf_puts(c->out, "</tbody></table></div>");
}

static void sov_chart(ctx *c, const digest *d)
{
    int id = ++c->chart;
    const int left = 150, row = 28, pw = CHART_W - left - 70;
    int h = 10 + row * (int)d->n_voices;

    vg_buf_puts(c->out, "<div class=\"chart\"><figure>");
    svg_open(c, id, CHART_W, h, M_SOV, NULL);
    for (size_t i = 0; i < d->n_voices; i++) {
        esc(c, d->voices[i].name);
        vg_buf_puts(c->out, " ");
        pct(c, d->voices[i].share);
        vg_buf_puts(c->out, i + 1 < d->n_voices ? "; " : ".");
    }
    vg_buf_puts(c->out, "</desc>");
    for (size_t i = 0; i < d->n_voices; i++) {
        const digest_voice *v = &d->voices[i];
        int y = 6 + row * (int)i;
        double w = v->share * pw;

        vg_buf_printf(c->out, "<text x=\"%d\" y=\"%d\" font-size=\"13\" text-anchor=\"end\">",
                      left - 8, y + 15);
        esc(c, v->name);
        vg_buf_printf(c->out, "</text><rect x=\"%d\" y=\"%d\" width=\"%.1f\" height=\"20\""
                              " fill=\"" C_POS "\" fill-opacity=\"%s\"><title>",
                      left, y, w, i % 2 ? "0.6" : "1");
        esc(c, v->name);
        vg_buf_puts(c->out, ": ");
        pct(c, v->share);
        vg_buf_printf(c->out, "</title></rect><text x=\"%.1f\" y=\"%d\" font-size=\"13\">",
                      left + w + 6, y + 15);
        pct(c, v->share);
        vg_buf_puts(c->out, "</text>");
    }
    svg_close(c, REPORT_CHART_SOV, NULL);
    vg_buf_puts(c->out, "</figure>");
    vg_buf_printf(c->out, "<table class=\"numbers\"><thead><tr><th>%s</th>"
                          "<th class=\"n\">%s</th><th class=\"n\">%s</th>"
                          "<th class=\"n\">%s</th></tr></thead><tbody>",
                  tr(c, M_BRAND), tr(c, M_MENTIONS), tr(c, M_SHARE), tr(c, M_PREV_PERIOD));
    for (size_t i = 0; i < d->n_voices; i++) {
        vg_buf_puts(c->out, "<tr><td>");
        esc(c, d->voices[i].name);
        vg_buf_puts(c->out, "</td><td class=\"n\">");
        num(c, (double)d->voices[i].total, 0);
        vg_buf_puts(c->out, "</td><td class=\"n\">");
        pct(c, d->voices[i].share);
        vg_buf_puts(c->out, "</td><td class=\"n\">");
        pct(c, d->voices[i].prev_share);
        vg_buf_puts(c->out, "</td></tr>");
    }
    vg_buf_puts(c->out, "</tbody></table></div>");
}

static void alerts_timeline(ctx *c, const digest *d, const digest_brand *b)
{
    int id = ++c->chart;
    const int left = 10, pw = CHART_W - 20, h = 60;
    double span = (double)(d->to - d->from);

    svg_open(c, id, CHART_W, h, M_PERIOD_ALERTS, b->name);
    num(c, (double)b->cur.alerts, 0);
    vg_buf_puts(c->out, "</desc>");
    vg_buf_printf(c->out, "<line x1=\"%d\" y1=\"30\" x2=\"%d\" y2=\"30\" stroke=\"#333\"/>",
                  left, left + pw);
    for (size_t i = 0; i < b->n_alerts; i++) {
        double x = left + pw * (double)(b->alerts[i].bucket_start - d->from) / span;
        vg_buf_printf(c->out,
                      "<path d=\"M%.1f 22 L%.1f 30 L%.1f 38 L%.1f 30 Z\" fill=\"url(#hatch%d)\""
                      " stroke=\"#7a3d00\"><title>",
                      x, x + 8, x, x - 8, id);
        esc(c, b->alerts[i].metric);
        vg_buf_puts(c->out, "</title></path>");
        vg_buf_printf(c->out, "<text x=\"%.1f\" y=\"54\" font-size=\"11\""
                              " text-anchor=\"middle\">%zu</text>",
                      x, i + 1);
    }
    defs(c, id);
    svg_close(c, REPORT_CHART_ALERTS, b);
}

static void mention_list(ctx *c, const digest_mention *v, size_t n)
{
    if (n == 0) {
        vg_buf_printf(c->out, "<p>%s</p>", tr(c, M_NONE));
        return;
    }
    vg_buf_puts(c->out, "<ol class=\"mentions\">");
    for (size_t i = 0; i < n; i++) {
        vg_buf_puts(c->out, "<li><div class=\"meta\">");
        date(c, v[i].published_at);
        vg_buf_puts(c->out, " · ");
        esc(c, v[i].source);
        vg_buf_puts(c->out, " · ");
        report_fmt_signed(c->out, c->l, v[i].score, 2, NULL);
        if (v[i].corrected)
            vg_buf_printf(c->out, " (%s)", tr(c, M_CORRECTED));
        if (v[i].copies > 1) {
            vg_buf_puts(c->out, " · ");
            num(c, (double)v[i].copies, 0);
            vg_buf_printf(c->out, " %s", tr(c, M_COPIES));
        }
        vg_buf_puts(c->out, "</div>");
        if (report_url_safe(v[i].url)) {
            vg_buf_puts(c->out, "<a href=\"");
            esc(c, v[i].url);
            vg_buf_puts(c->out, "\">");
            esc(c, *v[i].title ? v[i].title : v[i].url);
            vg_buf_puts(c->out, "</a>");
        } else {
            esc(c, v[i].title);
        }
        vg_buf_puts(c->out, "<blockquote>");
        esc(c, v[i].snippet);
        vg_buf_puts(c->out, "</blockquote></li>");
    }
    vg_buf_puts(c->out, "</ol>");
}

static void kpi_row(ctx *c, report_msg name, const char *cur, const char *prev,
                    const digest_change *ch, double scale, int dec,
                    const char *suffix)
{
    vg_buf_printf(c->out, "<tr><td>%s</td><td class=\"n\">%s</td><td class=\"n\">%s</td>"
                          "<td class=\"n\">",
                  tr(c, name), cur, prev);
    if (ch == NULL)
        ;
    else if (!ch->defined)
        vg_buf_puts(c->out, tr(c, M_NO_PREV));
    else
        report_fmt_signed(c->out, c->l, ch->value * scale, dec, suffix);
    vg_buf_puts(c->out, "</td></tr>");
}

/* Formats into a small scratch buffer for kpi_row. */
static const char *fmt_val(vg_buf *s, report_locale l, int kind, double v,
                           int defined)
{
    vg_buf_reset(s);
    if (!defined)
        vg_buf_puts(s, report_tr(l, M_NO_PREV));
    else if (kind == 0)
        report_fmt_number(s, l, v, 0);
    else if (kind == 1)
        report_fmt_number(s, l, v, 2);
    else
        report_fmt_percent(s, l, v, 1);
    return vg_buf_str(s);
}

static void brand_section(ctx *c, const digest *d, const digest_brand *b,
                          int idx)
{
    vg_buf s1, s2;
    report_locale l = c->l;

    vg_buf_init(&s1, 256);
    vg_buf_init(&s2, 256);
    vg_buf_printf(c->out, "<section class=\"brand\" id=\"brand-%d\"><h2>", idx);
    esc(c, b->name);
    vg_buf_puts(c->out, "</h2>");
    if (b->added_mid_period) {
        vg_buf s;
        vg_buf_init(&s, 256);
        report_fmt_date(&s, l, b->since);
        vg_buf_puts(c->out, "<p class=\"note since\">");
        vg_buf_printf(c->out, tr(c, M_SINCE), vg_buf_str(&s));
        vg_buf_puts(c->out, "</p>");
        vg_buf_free(&s);
    }
    if (b->cur.total == 0)
        vg_buf_printf(c->out, "<p class=\"note empty\">%s</p>", tr(c, M_EMPTY));

    vg_buf_printf(c->out, "<table class=\"kpi\"><thead><tr><th></th><th class=\"n\">%s</th>"
                          "<th class=\"n\">%s</th><th class=\"n\">%s</th></tr></thead><tbody>",
                  tr(c, M_THIS_PERIOD), tr(c, M_PREV_PERIOD), tr(c, M_CHANGE));
    {
        /* Two scratch buffers: both cells are formatted before the row. */
        char cur[128], prev[128];
        snprintf(cur, sizeof cur, "%s", fmt_val(&s1, l, 0, (double)b->cur.total, 1));
        snprintf(prev, sizeof prev, "%s", fmt_val(&s2, l, 0, (double)b->prev.total, 1));
        kpi_row(c, M_MENTIONS, cur, prev, &b->mentions_pct, 1.0, 1,
                l == REPORT_FR ? "\xc2\xa0%" : "%");
        snprintf(cur, sizeof cur, "%s", fmt_val(&s1, l, 1, b->cur.net, b->cur.total > 0));
        snprintf(prev, sizeof prev, "%s", fmt_val(&s2, l, 1, b->prev.net, b->prev.total > 0));
        kpi_row(c, M_NET, cur, prev, &b->net_change, 1.0, 2, NULL);
        snprintf(cur, sizeof cur, "%s", fmt_val(&s1, l, 2, b->cur.neg_share, b->cur.total > 0));
        snprintf(prev, sizeof prev, "%s",
                 fmt_val(&s2, l, 2, b->prev.neg_share, b->prev.total > 0));
        kpi_row(c, M_NEG_SHARE, cur, prev, &b->neg_share_change, 100.0, 1,
                report_tr(l, M_PTS));
        snprintf(cur, sizeof cur, "%s", fmt_val(&s1, l, 0, (double)b->cur.sources, 1));
        snprintf(prev, sizeof prev, "%s", fmt_val(&s2, l, 0, (double)b->prev.sources, 1));
        kpi_row(c, M_SOURCES, cur, prev, NULL, 1.0, 0, NULL);
        snprintf(cur, sizeof cur, "%s", fmt_val(&s1, l, 0, (double)b->cur.alerts, 1));
        snprintf(prev, sizeof prev, "%s", fmt_val(&s2, l, 0, (double)b->prev.alerts, 1));
        kpi_row(c, M_ALERTS, cur, prev, NULL, 1.0, 0, NULL);
        snprintf(cur, sizeof cur, "%s", fmt_val(&s1, l, 2, b->sov, 1));
        snprintf(prev, sizeof prev, "%s", fmt_val(&s2, l, 2, b->sov_prev, 1));
        kpi_row(c, M_SOV, cur, prev, NULL, 1.0, 0, NULL);
    }
    vg_buf_puts(c->out, "</tbody></table>");

    vg_buf_printf(c->out, "<h3>%s</h3>", tr(c, M_DAILY));
    daily_chart(c, b);
    vg_buf_printf(c->out, "<h3>%s</h3>", tr(c, M_TREND));
    trend_chart(c, b);

    vg_buf_printf(c->out, "<h3>%s</h3>", tr(c, M_TOP_SOURCES));
    if (b->n_sources == 0) {
        vg_buf_printf(c->out, "<p>%s</p>", tr(c, M_NONE));
    } else {
        vg_buf_printf(c->out, "<table><thead><tr><th>%s</th><th class=\"n\">%s</th>"
                              "<th class=\"n\">%s</th><th class=\"n\">%s</th>"
                              "<th class=\"n\">%s</th></tr></thead><tbody>",
                      tr(c, M_SOURCE), tr(c, M_MENTIONS), tr(c, M_POSITIVE),
                      tr(c, M_NEUTRAL), tr(c, M_NEGATIVE));
        for (size_t i = 0; i < b->n_sources; i++) {
            const digest_source *x = &b->sources[i];
            vg_buf_puts(c->out, "<tr><td>");
            esc(c, x->name);
            vg_buf_puts(c->out, "</td><td class=\"n\">");
            num(c, (double)x->total, 0);
            vg_buf_puts(c->out, "</td><td class=\"n\">");
            num(c, (double)x->pos, 0);
            vg_buf_puts(c->out, "</td><td class=\"n\">");
            num(c, (double)x->neu, 0);
            vg_buf_puts(c->out, "</td><td class=\"n\">");
            num(c, (double)x->neg, 0);
            vg_buf_puts(c->out, "</td></tr>");
        }
        vg_buf_puts(c->out, "</tbody></table>");
    }

    vg_buf_printf(c->out, "<h3>%s</h3>", tr(c, M_MOST_POS));
    mention_list(c, b->top_pos, b->n_pos);
    vg_buf_printf(c->out, "<h3>%s</h3>", tr(c, M_MOST_NEG));
    mention_list(c, b->top_neg, b->n_neg);

    vg_buf_printf(c->out, "<h3>%s</h3><p class=\"note\">%s</p>", tr(c, M_EMERGING),
                  tr(c, M_TERMS_NOTE));
    if (b->n_terms == 0) {
        vg_buf_printf(c->out, "<p>%s</p>", tr(c, M_NO_TERMS));
    } else {
        vg_buf_printf(c->out, "<table><thead><tr><th>%s</th><th class=\"n\">%s</th>"
                              "<th class=\"n\">%s</th><th class=\"n\">G²</th></tr>"
                              "</thead><tbody>",
                      tr(c, M_TERM), tr(c, M_THIS_PERIOD), tr(c, M_PREV4));
        for (size_t i = 0; i < b->n_terms; i++) {
            vg_buf_puts(c->out, "<tr><td>");
            esc(c, b->terms[i].term);
            vg_buf_puts(c->out, "</td><td class=\"n\">");
            num(c, (double)b->terms[i].count, 0);
            vg_buf_puts(c->out, "</td><td class=\"n\">");
            num(c, (double)b->terms[i].ref_count, 0);
            vg_buf_puts(c->out, "</td><td class=\"n\">");
            num(c, b->terms[i].g2, 1);
            vg_buf_puts(c->out, "</td></tr>");
        }
        vg_buf_puts(c->out, "</tbody></table>");
    }

    vg_buf_printf(c->out, "<h3>%s</h3>", tr(c, M_PERIOD_ALERTS));
    if (b->cur.alerts == 0) {
        vg_buf_printf(c->out, "<p>%s</p>", tr(c, M_NO_ALERTS));
    } else {
        alerts_timeline(c, d, b);
        vg_buf_puts(c->out, "<ol class=\"alerts\">");
        for (size_t i = 0; i < b->n_alerts; i++) {
            const digest_alert *a = &b->alerts[i];
            char iso[21];
            vg_time_iso(a->bucket_start, iso);
            vg_buf_puts(c->out, "<li>");
            date(c, a->bucket_start);
            vg_buf_printf(c->out, " %.5s UTC · ", iso + 11);
            esc(c, a->metric);
            vg_buf_puts(c->out, " · ");
            esc(c, a->severity);
            vg_buf_printf(c->out, " · %s ", tr(c, M_OBSERVED));
            num(c, a->observed, 2);
            vg_buf_printf(c->out, ", %s ", tr(c, M_EXPECTED));
            num(c, a->expected, 2);
            vg_buf_puts(c->out, "</li>");
        }
        vg_buf_puts(c->out, "</ol>");
    }

    vg_buf_printf(c->out, "<h3>%s</h3>", tr(c, M_GOALS));
    if (b->n_goals == 0) {
        vg_buf_printf(c->out, "<p>%s</p>", tr(c, M_NO_GOALS));
    } else {
        vg_buf_printf(c->out, "<table class=\"goals\"><thead><tr><th>%s</th>"
                              "<th class=\"n\">%s</th><th class=\"n\">%s</th><th>%s</th>"
                              "<th>%s</th></tr></thead><tbody>",
                      tr(c, M_METRIC), tr(c, M_TARGET), tr(c, M_CURRENT), tr(c, M_BY),
                      tr(c, M_STATUS));
        for (size_t i = 0; i < b->n_goals; i++) {
            const digest_goal *g = &b->goals[i];
            int kind = strcmp(g->metric, "volume") == 0          ? 0
                       : strcmp(g->metric, "net-sentiment") == 0 ? 1
                                                                 : 2;
            vg_buf_printf(c->out, "<tr><td>%s</td><td class=\"n\">",
                          report_metric_name(l, g->metric));
            vg_buf_puts(c->out, fmt_val(&s1, l, kind, g->target, 1));
            vg_buf_puts(c->out, "</td><td class=\"n\">");
            vg_buf_puts(c->out, fmt_val(&s1, l, kind, g->current, g->has_current));
            vg_buf_puts(c->out, "</td><td>");
            if (g->by)
                date(c, g->by);
            vg_buf_printf(c->out, "</td><td class=\"status-%s\">%s</td></tr>",
                          digest_goal_status_name(g->status),
                          report_status_name(l, g->status));
        }
        vg_buf_puts(c->out, "</tbody></table>");
    }
    vg_buf_puts(c->out, "</section>");
    vg_buf_free(&s1);
    vg_buf_free(&s2);
}

static vg_err render_page(const digest *d, report_locale l, vg_buf *out,
                          mail_mode *mail)
{
    ctx c = {out, l, 0, d, mail};

    vg_buf_printf(out, "<!DOCTYPE html>\n<html lang=\"%s\"><head><meta charset=\"utf-8\">"
                       "<meta name=\"viewport\" content=\"width=device-width,initial-scale=1\">"
                       "<title>",
                  report_locale_name(l));
    esc(&c, tr(&c, M_TITLE));
    vg_buf_puts(out, " — ");
    date(&c, d->from);
    vg_buf_printf(out, "</title><style>%s</style></head><body><header><h1>", css);
    esc(&c, tr(&c, M_TITLE));
    vg_buf_printf(out, "</h1><p class=\"period\">%s%s ", tr(&c, M_PERIOD),
                  l == REPORT_FR ? "\xc2\xa0:" : ":");
    date(&c, d->from);
    vg_buf_puts(out, " – ");
    date(&c, d->to - 1);
    vg_buf_printf(out, " <span class=\"meta\">(%s ", tr(&c, M_PREVIOUS));
    date(&c, d->prev_from);
    vg_buf_puts(out, " – ");
    date(&c, d->prev_to - 1);
    vg_buf_puts(out, ")</span></p></header><main>");

    if (d->n_brands == 0)
        vg_buf_printf(out, "<p class=\"note empty\">%s</p>", tr(&c, M_NO_BRANDS));
    else if (d->mentions == 0)
        vg_buf_printf(out, "<p class=\"note empty\">%s</p>", tr(&c, M_EMPTY));
    if (d->n_voices > 0) {
        vg_buf_printf(out, "<section class=\"sov\"><h2>%s</h2>", tr(&c, M_SOV));
        sov_chart(&c, d);
        vg_buf_puts(out, "</section>");
    }
    for (size_t i = 0; i < d->n_brands; i++)
        brand_section(&c, d, &d->brands[i], (int)i + 1);

    vg_buf_printf(out, "<section class=\"method\"><h2>%s</h2><p>", tr(&c, M_METHOD));
    esc(&c, tr(&c, M_METHOD_NOTE));
    vg_buf_puts(out, " <strong>");
    num(&c, (double)d->corrected, 0);
    vg_buf_puts(out, "</strong> ");
    esc(&c, tr(&c, M_CORRECTED_NOTE));
    vg_buf_puts(out, "</p></section></main></body></html>\n");
    return out->err;
}

vg_err report_render_html(const digest *d, report_locale l, vg_buf *out)
{
    return render_page(d, l, out, NULL);
}

vg_err report_render_html_mail(const digest *d, report_locale l,
                               const char *cid_domain, vg_buf *out,
                               report_image **imgs, size_t *n)
{
    mail_mode m;
    vg_err err;

    memset(&m, 0, sizeof m);
    m.domain = cid_domain != NULL ? cid_domain : "digest.vigie";
    vg_buf_init(&m.scratch, REPORT_MAX_BYTES);
    err = render_page(d, l, out, &m);
    if (err == VG_OK && m.err != VG_OK)
        err = m.err == VG_ENOMEM ? vg_error_set(VG_ENOMEM, "report: out of memory")
                                 : m.err; /* report_png_chart set the message */
    vg_buf_free(&m.scratch);
    *imgs = m.imgs;
    *n = m.n;
    return err;
}
