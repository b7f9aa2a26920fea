/*
 * The digest's charts as PNG images, for mail: Gmail and Outlook strip
 * inline SVG, so the mail version of the HTML digest (report_mail.c)
 * references these images by Content-ID instead. Each chart mirrors its
 * SVG twin in report_html.c: same geometry, same palette (blue positive,
 * grey neutral, orange with diagonal hatching negative, so nothing rests
 * on red versus green), the numbers printed on the chart, a legend.
 * Drawn with cairo on an image surface at twice the size (sharp on high
 * density screens) and encoded to PNG in memory; text uses cairo's toy
 * font API with the generic "sans-serif" face, which fontconfig maps to
 * whatever sans font the machine has, so no font file ships with vigie.
 */
#include "monitor/report_int.h"

#include "core/vtime.h"

#include <cairo.h>
#include <fontconfig/fontconfig.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* One size for both drawings of a chart (report_int.h). */
#define CHART_W REPORT_CHART_W
#define CHART_H REPORT_CHART_H
#define SCALE 2.0

/* The palette of report_html.c, as cairo's 0..1 components. */
#define RGB_POS 0x1f / 255.0, 0x5f / 255.0, 0xa8 / 255.0
#define RGB_NEU 0x9a / 255.0, 0x9a / 255.0, 0x9a / 255.0
#define RGB_NEG 0xe0 / 255.0, 0x7b / 255.0, 0x00 / 255.0
#define RGB_HATCH 0x7a / 255.0, 0x3d / 255.0, 0x00 / 255.0
#define RGB_INK 0x1a / 255.0, 0x1a / 255.0, 0x1a / 255.0

typedef struct png_ctx {
    cairo_t *cr;
    cairo_pattern_t *hatch;
    report_locale l;
    vg_buf tmp; /* scratch for formatted numbers */
} png_ctx;

/* ---- small drawing helpers ---- */

/* Text anchored like SVG's text-anchor: 0 start, 1 middle, 2 end; y is
 * the baseline. */
static void text_at(png_ctx *c, double x, double y, double size, int anchor,
                    const char *s)
{
    cairo_text_extents_t ext;

    cairo_set_font_size(c->cr, size);
    cairo_text_extents(c->cr, s, &ext);
    if (anchor == 1)
        x -= ext.x_advance / 2;
    else if (anchor == 2)
        x -= ext.x_advance;
    cairo_move_to(c->cr, x, y);
    cairo_show_text(c->cr, s);
}

static const char *fmt_num(png_ctx *c, double v, int dec)
{
    vg_buf_reset(&c->tmp);
    report_fmt_number(&c->tmp, c->l, v, dec);
    return vg_buf_str(&c->tmp);
}

static const char *fmt_pct(png_ctx *c, double v)
{
    vg_buf_reset(&c->tmp);
    report_fmt_percent(&c->tmp, c->l, v, 1);
    return vg_buf_str(&c->tmp);
}

static void ink(png_ctx *c)
{
    cairo_set_source_rgb(c->cr, RGB_INK);
}

/* The negative fill: orange with dark diagonal stripes, repeated. The
 * tile is drawn once; the pattern's matrix rotates it by 45 degrees as
 * SVG's patternTransform does. */
static cairo_pattern_t *hatch_new(void)
{
    cairo_surface_t *tile = cairo_image_surface_create(CAIRO_FORMAT_RGB24, 6, 6);
    cairo_t *t = cairo_create(tile);
    cairo_pattern_t *p;
    cairo_matrix_t m;

    cairo_set_source_rgb(t, RGB_NEG);
    cairo_paint(t);
    cairo_set_source_rgb(t, RGB_HATCH);
    cairo_rectangle(t, 0, 0, 1.5, 6);
    cairo_fill(t);
    cairo_destroy(t);
    p = cairo_pattern_create_for_surface(tile);
    cairo_surface_destroy(tile);
    cairo_pattern_set_extend(p, CAIRO_EXTEND_REPEAT);
    cairo_matrix_init_rotate(&m, -0.785398163); /* pattern space is inverted */
    cairo_pattern_set_matrix(p, &m);
    return p;
}

static void fill_kind(png_ctx *c, int k)
{
    if (k == 0)
        cairo_set_source(c->cr, c->hatch);
    else if (k == 1)
        cairo_set_source_rgb(c->cr, RGB_NEU);
    else
        cairo_set_source_rgb(c->cr, RGB_POS);
}

static void legend(png_ctx *c, double x, double y)
{
    static const report_msg names[3] = {M_POSITIVE, M_NEUTRAL, M_NEGATIVE};
    static const int kinds[3] = {2, 1, 0};

    for (int i = 0; i < 3; i++) {
        double lx = x + 100.0 * i;
        cairo_rectangle(c->cr, lx, y, 12, 12);
        fill_kind(c, kinds[i]);
        cairo_fill(c->cr);
        ink(c);
        text_at(c, lx + 16, y + 10, 12, 0, report_tr(c->l, names[i]));
    }
}

static void title(png_ctx *c, report_msg m, const char *brand, double w)
{
    vg_buf t;

    vg_buf_init(&t, 1024);
    vg_buf_puts(&t, report_tr(c->l, m));
    if (brand != NULL) {
        vg_buf_puts(&t, " — ");
        vg_buf_puts(&t, brand);
    }
    ink(c);
    cairo_select_font_face(c->cr, "sans-serif", CAIRO_FONT_SLANT_NORMAL,
                           CAIRO_FONT_WEIGHT_BOLD);
    text_at(c, w / 2, 14, 13, 1, vg_buf_str(&t));
    cairo_select_font_face(c->cr, "sans-serif", CAIRO_FONT_SLANT_NORMAL,
                           CAIRO_FONT_WEIGHT_NORMAL);
    vg_buf_free(&t);
}

/* ---- the charts ---- */

static void daily(png_ctx *c, const digest_brand *b)
{
    cairo_t *cr = c->cr;
    report_plot p;

    report_daily_plot(&p, b, 40); /* the title stands above */
    title(c, M_DAILY, b->name, CHART_W);
    ink(c);
    cairo_set_line_width(cr, 1);
    cairo_move_to(cr, p.left, p.top + p.ph + 0.5);
    cairo_line_to(cr, p.left + p.pw, p.top + p.ph + 0.5);
    cairo_stroke(cr);
    text_at(c, p.left - 4, p.top + 4, 11, 2, fmt_num(c, (double)p.max, 0));
    text_at(c, p.left - 4, p.top + p.ph, 11, 2, "0");
    for (size_t i = 0; i < b->n_days; i++) {
        const digest_day *x = &b->days[i];
        report_bar bar;
        char iso[21];

        report_daily_bar(&p, x, i, &bar);
        for (int k = 0; k < 3; k++) {
            if (bar.v[k] == 0)
                continue;
            cairo_rectangle(cr, bar.x, bar.y[k], bar.w, bar.h[k]);
            fill_kind(c, k);
            cairo_fill(cr);
        }
        ink(c);
        text_at(c, bar.x + bar.w / 2, bar.top - 3, 11, 1,
                fmt_num(c, (double)(x->pos + x->neu + x->neg), 0));
        vg_time_iso(x->start, iso);
        iso[10] = '\0';
        text_at(c, bar.x + bar.w / 2, p.top + p.ph + 14, 10, 1, iso + 8); /* day of month */
    }
    legend(c, p.left, CHART_H - 16);
}

static void trend(png_ctx *c, const digest_brand *b)
{
    cairo_t *cr = c->cr;
    report_plot p;
    int open = 0;
    static const double dash[2] = {4, 3};

    report_trend_plot(&p, 34);
    title(c, M_TREND, b->name, CHART_W);
    /* Scale: net sentiment runs from -1 (bottom) to +1 (top). */
    cairo_set_source_rgb(cr, 0.6, 0.6, 0.6);
    cairo_set_line_width(cr, 1);
    cairo_set_dash(cr, dash, 2, 0);
    cairo_move_to(cr, p.left, p.top + p.ph / 2 + 0.5);
    cairo_line_to(cr, p.left + p.pw, p.top + p.ph / 2 + 0.5);
    cairo_stroke(cr);
    cairo_set_dash(cr, NULL, 0, 0);
    ink(c);
    text_at(c, p.left - 4, p.top + 4, 11, 2, "+1");
    text_at(c, p.left - 4, p.top + p.ph / 2 + 4, 11, 2, "0");
    text_at(c, p.left - 4, p.top + p.ph, 11, 2, fmt_num(c, -1.0, 0));

    /* The line joins consecutive weeks that have mentions. */
    cairo_set_source_rgb(cr, RGB_POS);
    cairo_set_line_width(cr, 2);
    for (size_t i = 0; i < DIGEST_TREND_WEEKS; i++) {
        const digest_week *w = &b->trend[i];
        double x, y;

        report_trend_point(&p, i, w->net, &x, &y);
        if (w->total == 0) {
            if (open)
                cairo_stroke(cr);
            open = 0;
            continue;
        }
        if (!open)
            cairo_move_to(cr, x, y);
        else
            cairo_line_to(cr, x, y);
        open = 1;
    }
    if (open)
        cairo_stroke(cr);
    cairo_new_path(cr);
    for (size_t i = 0; i < DIGEST_TREND_WEEKS; i++) {
        const digest_week *w = &b->trend[i];
        double x, y;
        char wk[9];

        report_trend_point(&p, i, w->net, &x, &y);
        vg_time_isoweek(w->start, wk);
        if (w->total > 0) {
            cairo_set_source_rgb(cr, RGB_POS);
            cairo_arc(cr, x, y, 4, 0, 6.283185307);
            cairo_fill(cr);
            ink(c);
            text_at(c, x, y - 8, 11, 1, fmt_num(c, w->net, 2));
        }
        ink(c);
        text_at(c, x, CHART_H - 8, 10, 1, wk + 5);
    }
}

static int sov_height(const digest *d)
{
    return 10 + 28 * (int)d->n_voices + 22; /* + the title line */
}

static void sov(png_ctx *c, const digest *d)
{
    cairo_t *cr = c->cr;
    const int left = 150, row = 28, pw = CHART_W - left - 70, top = 22;

    title(c, M_SOV, NULL, CHART_W);
    for (size_t i = 0; i < d->n_voices; i++) {
        const digest_voice *v = &d->voices[i];
        int y = top + 6 + row * (int)i;
        double w = v->share * pw;

        ink(c);
        text_at(c, left - 8, y + 15, 13, 2, v->name);
        /* Alternate opacity, as the SVG does, tells neighbours apart. */
        cairo_set_source_rgba(cr, RGB_POS, i % 2 ? 0.6 : 1.0);
        cairo_rectangle(cr, left, y, w, 20);
        cairo_fill(cr);
        ink(c);
        text_at(c, left + w + 6, y + 15, 13, 0, fmt_pct(c, v->share));
    }
}

static void alerts(png_ctx *c, const digest *d, const digest_brand *b)
{
    cairo_t *cr = c->cr;
    const int left = 10, pw = CHART_W - 20, mid = 22 + 30;
    double span = (double)(d->to - d->from);
    size_t group = 0; /* first alert of the current label */

    title(c, M_PERIOD_ALERTS, b->name, CHART_W);
    ink(c);
    cairo_set_line_width(cr, 1);
    cairo_move_to(cr, left, mid + 0.5);
    cairo_line_to(cr, left + pw, mid + 0.5);
    cairo_stroke(cr);
    for (size_t i = 0; i < b->n_alerts; i++) {
        double x = left + pw * (double)(b->alerts[i].bucket_start - d->from) / span;
        double next = i + 1 < b->n_alerts
                          ? left + pw * (double)(b->alerts[i + 1].bucket_start - d->from) / span
                          : x + 100;
        char n[48];

        cairo_move_to(cr, x, mid - 8);
        cairo_line_to(cr, x + 8, mid);
        cairo_line_to(cr, x, mid + 8);
        cairo_line_to(cr, x - 8, mid);
        cairo_close_path(cr);
        cairo_set_source(cr, c->hatch);
        cairo_fill_preserve(cr);
        cairo_set_source_rgb(cr, RGB_HATCH);
        cairo_stroke(cr);
        /* Alerts too close to label apart share one label: "1–3". */
        if (next - x < 16)
            continue;
        ink(c);
        if (group + 1 < i + 1)
            snprintf(n, sizeof n, "%zu–%zu", group + 1, i + 1);
        else
            snprintf(n, sizeof n, "%zu", i + 1);
        text_at(c, x, mid + 24, 11, 1, n);
        group = i + 1;
    }
}

static cairo_status_t write_png(void *closure, const unsigned char *data,
                                unsigned int length)
{
    vg_buf *b = closure;

    return vg_buf_append(b, data, length) == VG_OK ? CAIRO_STATUS_SUCCESS
                                                   : CAIRO_STATUS_WRITE_ERROR;
}

vg_err report_png_chart(const digest *d, const digest_brand *b,
                        report_chart kind, report_locale l,
                        unsigned char **out, size_t *len)
{
    cairo_surface_t *surf = NULL;
    png_ctx c;
    vg_buf png;
    int h = CHART_H;
    vg_err err = VG_OK;

    *out = NULL;
    *len = 0;
    memset(&c, 0, sizeof c);
    c.l = l;
    vg_buf_init(&c.tmp, 256);
    vg_buf_init(&png, REPORT_PNG_MAX_BYTES);
    if (d == NULL || (kind != REPORT_CHART_SOV && b == NULL))
        return vg_error_set(VG_EINVAL, "chart: no data to draw");
    if (kind == REPORT_CHART_SOV)
        h = sov_height(d);
    else if (kind == REPORT_CHART_ALERTS)
        h = 22 + 60;

    surf = cairo_image_surface_create(CAIRO_FORMAT_RGB24, (int)(CHART_W * SCALE),
                                      (int)(h * SCALE));
    c.cr = cairo_create(surf);
    c.hatch = hatch_new();
    cairo_scale(c.cr, SCALE, SCALE);
    cairo_set_source_rgb(c.cr, 1, 1, 1);
    cairo_paint(c.cr);
    cairo_select_font_face(c.cr, "sans-serif", CAIRO_FONT_SLANT_NORMAL,
                           CAIRO_FONT_WEIGHT_NORMAL);
    switch (kind) {
    case REPORT_CHART_DAILY: daily(&c, b); break;
    case REPORT_CHART_TREND: trend(&c, b); break;
    case REPORT_CHART_SOV: sov(&c, d); break;
    case REPORT_CHART_ALERTS: alerts(&c, d, b); break;
    }
    /* cairo errors are sticky on the context and the surface: one check. */
    if (cairo_status(c.cr) != CAIRO_STATUS_SUCCESS) {
        err = vg_error_set(VG_EIO, "chart: %s",
                           cairo_status_to_string(cairo_status(c.cr)));
        goto cleanup;
    }
    cairo_surface_flush(surf);
    if (cairo_surface_write_to_png_stream(surf, write_png, &png)
        != CAIRO_STATUS_SUCCESS) {
        err = png.err != VG_OK ? vg_error_set(png.err, "chart: PNG too large or out of memory")
                               : vg_error_set(VG_EIO, "chart: PNG encoding failed");
        goto cleanup;
    }
    *len = png.len;
    *out = (unsigned char *)vg_buf_detach(&png);
    if (*out == NULL) {
        *len = 0;
        err = vg_error_set(VG_ENOMEM, "chart: out of memory");
    }

cleanup:
    cairo_pattern_destroy(c.hatch);
    cairo_destroy(c.cr);
    cairo_surface_destroy(surf);
    vg_buf_free(&png);
    vg_buf_free(&c.tmp);
    return err;
}

void report_image_array_free(report_image *v, size_t n)
{
    for (size_t i = 0; v != NULL && i < n; i++) {
        free(v[i].cid);
        free(v[i].alt);
        free(v[i].png);
    }
    free(v);
}

void report_png_release(void)
{
    /* cairo keeps font faces and fontconfig its configuration for the
     * life of the process; both let go only when asked. */
    cairo_debug_reset_static_data();
    FcFini();
}
