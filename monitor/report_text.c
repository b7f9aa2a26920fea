/*
 * The digest as Markdown (for wikis and chat tools) or plain text (for
 * terminals and the text part of a mail). Both print the same sections
 * as the HTML, with every chart given as its table of numbers.
 */
#include "monitor/report_int.h"

#include "core/vtime.h"

#include <stdlib.h>
#include <string.h>

#define MAX_COLS 6
#define MAX_ROWS 64
#define CELL 256

/* A small table, rendered as a Markdown table or aligned text columns. */
typedef struct table {
    int cols, rows;
    char cell[MAX_ROWS][MAX_COLS][CELL];
} table;

static size_t width(const char *s)
{
    size_t w = 0;

    for (; *s; s++)
        w += ((unsigned char)*s & 0xC0) != 0x80; /* count code points */
    return w;
}

static void cell_set(table *t, int r, int c, const char *s)
{
    size_t n = strlen(s);

    if (r >= MAX_ROWS || c >= MAX_COLS)
        return;
    if (n >= CELL) {
        n = CELL - 1;
        while (n > 0 && ((unsigned char)s[n] & 0xC0) == 0x80)
            n--; /* never cut inside a character */
    }
    memcpy(t->cell[r][c], s, n);
    t->cell[r][c][n] = '\0';
    /* Pipes and newlines would break a Markdown row. */
    for (char *p = t->cell[r][c]; *p; p++)
        if (*p == '|' || *p == '\n' || *p == '\r')
            *p = ' ';
}

static void table_emit(const table *t, int md, vg_buf *out)
{
    size_t w[MAX_COLS] = {0};

    for (int r = 0; r < t->rows && r < MAX_ROWS; r++)
        for (int c = 0; c < t->cols; c++)
            if (width(t->cell[r][c]) > w[c])
                w[c] = width(t->cell[r][c]);
    for (int r = 0; r < t->rows && r < MAX_ROWS; r++) {
        vg_buf_puts(out, md ? "| " : "  ");
        for (int c = 0; c < t->cols; c++) {
            vg_buf_puts(out, t->cell[r][c]);
            if (c + 1 < t->cols || md)
                for (size_t k = width(t->cell[r][c]); k < w[c]; k++)
                    vg_buf_putc(out, ' ');
            if (c + 1 < t->cols)
                vg_buf_puts(out, md ? " | " : "  ");
        }
        vg_buf_puts(out, md ? " |\n" : "\n");
        if (r == 0) {
            vg_buf_puts(out, md ? "|" : "  ");
            for (int c = 0; c < t->cols; c++) {
                for (size_t k = 0; k < w[c] + (md ? 2 : 0); k++)
                    vg_buf_putc(out, '-');
                vg_buf_puts(out, md ? "|" : (c + 1 < t->cols ? "  " : ""));
            }
            vg_buf_putc(out, '\n');
        }
    }
    vg_buf_putc(out, '\n');
}

/* Formats through a scratch buffer into a table cell. */
typedef struct fmt {
    vg_buf b;
} fmt;

static const char *f_num(fmt *f, report_locale l, double v, int dec)
{
    vg_buf_reset(&f->b);
    report_fmt_number(&f->b, l, v, dec);
    return vg_buf_str(&f->b);
}

static const char *f_pct(fmt *f, report_locale l, double v)
{
    vg_buf_reset(&f->b);
    report_fmt_percent(&f->b, l, v, 1);
    return vg_buf_str(&f->b);
}

static const char *f_date(fmt *f, report_locale l, int64_t t)
{
    vg_buf_reset(&f->b);
    report_fmt_date(&f->b, l, t);
    return vg_buf_str(&f->b);
}

static void heading(vg_buf *out, int md, int level, const char *s)
{
    if (md) {
        for (int i = 0; i < level; i++)
            vg_buf_putc(out, '#');
        vg_buf_printf(out, " %s\n\n", s);
        return;
    }
    vg_buf_printf(out, "%s\n", s);
    for (size_t i = 0, n = width(s); i < n; i++)
        vg_buf_putc(out, level == 1 ? '=' : level == 2 ? '-' : '.');
    vg_buf_puts(out, "\n\n");
}

static void change_cell(table *t, int r, int c, fmt *f, report_locale l,
                        const digest_change *ch, double scale, int dec,
                        const char *suffix)
{
    if (!ch->defined) {
        cell_set(t, r, c, report_tr(l, M_NO_PREV));
        return;
    }
    vg_buf_reset(&f->b);
    report_fmt_signed(&f->b, l, ch->value * scale, dec, suffix);
    cell_set(t, r, c, vg_buf_str(&f->b));
}

static void mention_list(vg_buf *out, int md, fmt *f, report_locale l,
                         const digest_mention *v, size_t n)
{
    if (n == 0) {
        vg_buf_printf(out, "%s\n\n", report_tr(l, M_NONE));
        return;
    }
    for (size_t i = 0; i < n; i++) {
        vg_buf_printf(out, "%s %s · %s · ", md ? "-" : "  *",
                      f_date(f, l, v[i].published_at), v[i].source);
        vg_buf_reset(&f->b);
        report_fmt_signed(&f->b, l, v[i].score, 2, NULL);
        vg_buf_puts(out, vg_buf_str(&f->b));
        if (v[i].corrected)
            vg_buf_printf(out, " (%s)", report_tr(l, M_CORRECTED));
        if (v[i].copies > 1)
            vg_buf_printf(out, " · %lld %s", (long long)v[i].copies,
                          report_tr(l, M_COPIES));
        vg_buf_printf(out, "\n%s  %s\n", md ? "" : "  ", v[i].snippet);
        if (report_url_safe(v[i].url))
            vg_buf_printf(out, md ? "  <%s>\n" : "    %s\n", v[i].url);
    }
    vg_buf_putc(out, '\n');
}

static void brand_section(const digest *d, const digest_brand *b,
                          report_locale l, int md, table *t, fmt *f,
                          vg_buf *out)
{
    heading(out, md, 2, b->name);
    if (b->added_mid_period) {
        vg_buf_printf(out, report_tr(l, M_SINCE), f_date(f, l, b->since));
        vg_buf_puts(out, "\n\n");
    }
    if (b->cur.total == 0)
        vg_buf_printf(out, "%s\n\n", report_tr(l, M_EMPTY));

    memset(t, 0, sizeof *t);
    t->cols = 4;
    cell_set(t, 0, 0, "");
    cell_set(t, 0, 1, report_tr(l, M_THIS_PERIOD));
    cell_set(t, 0, 2, report_tr(l, M_PREV_PERIOD));
    cell_set(t, 0, 3, report_tr(l, M_CHANGE));
    cell_set(t, 1, 0, report_tr(l, M_MENTIONS));
    cell_set(t, 1, 1, f_num(f, l, (double)b->cur.total, 0));
    cell_set(t, 1, 2, f_num(f, l, (double)b->prev.total, 0));
    change_cell(t, 1, 3, f, l, &b->mentions_pct, 1.0, 1, l == REPORT_FR ? "\xc2\xa0%" : "%");
    cell_set(t, 2, 0, report_tr(l, M_NET));
    cell_set(t, 2, 1, b->cur.total ? f_num(f, l, b->cur.net, 2) : report_tr(l, M_NO_PREV));
    cell_set(t, 2, 2, b->prev.total ? f_num(f, l, b->prev.net, 2) : report_tr(l, M_NO_PREV));
    change_cell(t, 2, 3, f, l, &b->net_change, 1.0, 2, NULL);
    cell_set(t, 3, 0, report_tr(l, M_NEG_SHARE));
    cell_set(t, 3, 1, b->cur.total ? f_pct(f, l, b->cur.neg_share) : report_tr(l, M_NO_PREV));
    cell_set(t, 3, 2, b->prev.total ? f_pct(f, l, b->prev.neg_share) : report_tr(l, M_NO_PREV));
    change_cell(t, 3, 3, f, l, &b->neg_share_change, 100.0, 1, report_tr(l, M_PTS));
    cell_set(t, 4, 0, report_tr(l, M_SOURCES));
    cell_set(t, 4, 1, f_num(f, l, (double)b->cur.sources, 0));
    cell_set(t, 4, 2, f_num(f, l, (double)b->prev.sources, 0));
    cell_set(t, 5, 0, report_tr(l, M_ALERTS));
    cell_set(t, 5, 1, f_num(f, l, (double)b->cur.alerts, 0));
    cell_set(t, 5, 2, f_num(f, l, (double)b->prev.alerts, 0));
    cell_set(t, 6, 0, report_tr(l, M_SOV));
    cell_set(t, 6, 1, f_pct(f, l, b->sov));
    cell_set(t, 6, 2, f_pct(f, l, b->sov_prev));
    t->rows = 7;
    table_emit(t, md, out);

    heading(out, md, 3, report_tr(l, M_DAILY));
    memset(t, 0, sizeof *t);
    t->cols = 5;
    cell_set(t, 0, 0, report_tr(l, M_DAY));
    cell_set(t, 0, 1, report_tr(l, M_POSITIVE));
    cell_set(t, 0, 2, report_tr(l, M_NEUTRAL));
    cell_set(t, 0, 3, report_tr(l, M_NEGATIVE));
    cell_set(t, 0, 4, report_tr(l, M_TOTAL));
    t->rows = 1;
    for (size_t i = 0; i < b->n_days && t->rows < MAX_ROWS; i++, t->rows++) {
        const digest_day *x = &b->days[i];
        cell_set(t, t->rows, 0, f_date(f, l, x->start));
        cell_set(t, t->rows, 1, f_num(f, l, (double)x->pos, 0));
        cell_set(t, t->rows, 2, f_num(f, l, (double)x->neu, 0));
        cell_set(t, t->rows, 3, f_num(f, l, (double)x->neg, 0));
        cell_set(t, t->rows, 4, f_num(f, l, (double)(x->pos + x->neu + x->neg), 0));
    }
    table_emit(t, md, out);

    heading(out, md, 3, report_tr(l, M_TREND));
    memset(t, 0, sizeof *t);
    t->cols = 3;
    cell_set(t, 0, 0, report_tr(l, M_WEEK_OF));
    cell_set(t, 0, 1, report_tr(l, M_MENTIONS));
    cell_set(t, 0, 2, report_tr(l, M_NET));
    t->rows = 1;
    for (size_t i = 0; i < DIGEST_TREND_WEEKS; i++, t->rows++) {
        const digest_week *w = &b->trend[i];
        cell_set(t, t->rows, 0, f_date(f, l, w->start));
        cell_set(t, t->rows, 1, f_num(f, l, (double)w->total, 0));
        cell_set(t, t->rows, 2, w->total ? f_num(f, l, w->net, 2) : report_tr(l, M_NO_PREV));
    }
    table_emit(t, md, out);

    heading(out, md, 3, report_tr(l, M_TOP_SOURCES));
    if (b->n_sources == 0) {
        vg_buf_printf(out, "%s\n\n", report_tr(l, M_NONE));
    } else {
        memset(t, 0, sizeof *t);
        t->cols = 5;
        cell_set(t, 0, 0, report_tr(l, M_SOURCE));
        cell_set(t, 0, 1, report_tr(l, M_MENTIONS));
        cell_set(t, 0, 2, report_tr(l, M_POSITIVE));
        cell_set(t, 0, 3, report_tr(l, M_NEUTRAL));
        cell_set(t, 0, 4, report_tr(l, M_NEGATIVE));
        t->rows = 1;
        for (size_t i = 0; i < b->n_sources; i++, t->rows++) {
            const digest_source *x = &b->sources[i];
            cell_set(t, t->rows, 0, x->name);
            cell_set(t, t->rows, 1, f_num(f, l, (double)x->total, 0));
            cell_set(t, t->rows, 2, f_num(f, l, (double)x->pos, 0));
            cell_set(t, t->rows, 3, f_num(f, l, (double)x->neu, 0));
            cell_set(t, t->rows, 4, f_num(f, l, (double)x->neg, 0));
        }
        table_emit(t, md, out);
    }

    heading(out, md, 3, report_tr(l, M_MOST_POS));
    mention_list(out, md, f, l, b->top_pos, b->n_pos);
    heading(out, md, 3, report_tr(l, M_MOST_NEG));
    mention_list(out, md, f, l, b->top_neg, b->n_neg);

    heading(out, md, 3, report_tr(l, M_EMERGING));
    vg_buf_printf(out, "%s\n\n", report_tr(l, M_TERMS_NOTE));
    if (b->n_terms == 0) {
        vg_buf_printf(out, "%s\n\n", report_tr(l, M_NO_TERMS));
    } else {
        memset(t, 0, sizeof *t);
        t->cols = 4;
        cell_set(t, 0, 0, report_tr(l, M_TERM));
        cell_set(t, 0, 1, report_tr(l, M_THIS_PERIOD));
        cell_set(t, 0, 2, report_tr(l, M_PREV4));
        cell_set(t, 0, 3, "G²");
        t->rows = 1;
        for (size_t i = 0; i < b->n_terms; i++, t->rows++) {
            cell_set(t, t->rows, 0, b->terms[i].term);
            cell_set(t, t->rows, 1, f_num(f, l, (double)b->terms[i].count, 0));
            cell_set(t, t->rows, 2, f_num(f, l, (double)b->terms[i].ref_count, 0));
            cell_set(t, t->rows, 3, f_num(f, l, b->terms[i].g2, 1));
        }
        table_emit(t, md, out);
    }

    heading(out, md, 3, report_tr(l, M_PERIOD_ALERTS));
    if (b->cur.alerts == 0)
        vg_buf_printf(out, "%s\n\n", report_tr(l, M_NO_ALERTS));
    for (size_t i = 0; i < b->n_alerts; i++) {
        const digest_alert *a = &b->alerts[i];
        char when[21];
        vg_time_iso(a->bucket_start, when);
        vg_buf_printf(out, "%s %s %s · %s · %s ", md ? "-" : "  *", f_date(f, l, a->bucket_start),
                      when + 11, a->metric, a->severity);
        vg_buf_printf(out, "(%s ", report_tr(l, M_OBSERVED));
        vg_buf_puts(out, f_num(f, l, a->observed, 2));
        vg_buf_printf(out, ", %s ", report_tr(l, M_EXPECTED));
        vg_buf_puts(out, f_num(f, l, a->expected, 2));
        vg_buf_puts(out, ")\n");
        if (i + 1 == b->n_alerts)
            vg_buf_putc(out, '\n');
    }

    heading(out, md, 3, report_tr(l, M_GOALS));
    if (b->n_goals == 0) {
        vg_buf_printf(out, "%s\n\n", report_tr(l, M_NO_GOALS));
    } else {
        memset(t, 0, sizeof *t);
        t->cols = 5;
        cell_set(t, 0, 0, report_tr(l, M_METRIC));
        cell_set(t, 0, 1, report_tr(l, M_TARGET));
        cell_set(t, 0, 2, report_tr(l, M_CURRENT));
        cell_set(t, 0, 3, report_tr(l, M_BY));
        cell_set(t, 0, 4, report_tr(l, M_STATUS));
        t->rows = 1;
        for (size_t i = 0; i < b->n_goals && t->rows < MAX_ROWS; i++, t->rows++) {
            const digest_goal *g = &b->goals[i];
            int vol = strcmp(g->metric, "volume") == 0;
            int net = strcmp(g->metric, "net-sentiment") == 0;
            cell_set(t, t->rows, 0, report_metric_name(l, g->metric));
            cell_set(t, t->rows, 1, vol ? f_num(f, l, g->target, 0)
                                        : net ? f_num(f, l, g->target, 2)
                                              : f_pct(f, l, g->target));
            cell_set(t, t->rows, 2, !g->has_current ? report_tr(l, M_NO_PREV)
                                    : vol ? f_num(f, l, g->current, 0)
                                    : net ? f_num(f, l, g->current, 2)
                                          : f_pct(f, l, g->current));
            cell_set(t, t->rows, 3, g->by ? f_date(f, l, g->by) : "");
            cell_set(t, t->rows, 4, report_status_name(l, g->status));
        }
        table_emit(t, md, out);
    }
    (void)d;
}

vg_err report_render_text(const digest *d, report_locale l, int md, vg_buf *out)
{
    table *t = calloc(1, sizeof *t);
    fmt f;

    if (t == NULL)
        return vg_error_set(VG_ENOMEM, "report: out of memory");
    vg_buf_init(&f.b, 4096);
    heading(out, md, 1, report_tr(l, M_TITLE));
    vg_buf_printf(out, "%s%s ", report_tr(l, M_PERIOD), l == REPORT_FR ? "\xc2\xa0:" : ":");
    vg_buf_puts(out, f_date(&f, l, d->from));
    vg_buf_puts(out, " – ");
    vg_buf_puts(out, f_date(&f, l, d->to - 1));
    vg_buf_printf(out, " (%s ", report_tr(l, M_PREVIOUS));
    vg_buf_puts(out, f_date(&f, l, d->prev_from));
    vg_buf_puts(out, " – ");
    vg_buf_puts(out, f_date(&f, l, d->prev_to - 1));
    vg_buf_puts(out, ")\n\n");

    if (d->n_brands == 0)
        vg_buf_printf(out, "%s\n\n", report_tr(l, M_NO_BRANDS));
    else if (d->mentions == 0)
        vg_buf_printf(out, "%s\n\n", report_tr(l, M_EMPTY));

    if (d->n_voices > 0) {
        heading(out, md, 2, report_tr(l, M_SOV));
        memset(t, 0, sizeof *t);
        t->cols = 4;
        cell_set(t, 0, 0, report_tr(l, M_BRAND));
        cell_set(t, 0, 1, report_tr(l, M_MENTIONS));
        cell_set(t, 0, 2, report_tr(l, M_SHARE));
        cell_set(t, 0, 3, report_tr(l, M_PREV_PERIOD));
        t->rows = 1;
        for (size_t i = 0; i < d->n_voices && t->rows < MAX_ROWS; i++, t->rows++) {
            cell_set(t, t->rows, 0, d->voices[i].name);
            cell_set(t, t->rows, 1, f_num(&f, l, (double)d->voices[i].total, 0));
            cell_set(t, t->rows, 2, f_pct(&f, l, d->voices[i].share));
            cell_set(t, t->rows, 3, f_pct(&f, l, d->voices[i].prev_share));
        }
        table_emit(t, md, out);
    }
    for (size_t i = 0; i < d->n_brands; i++)
        brand_section(d, &d->brands[i], l, md, t, &f, out);

    heading(out, md, 2, report_tr(l, M_METHOD));
    vg_buf_printf(out, "%s ", report_tr(l, M_METHOD_NOTE));
    vg_buf_puts(out, f_num(&f, l, (double)d->corrected, 0));
    vg_buf_printf(out, " %s\n", report_tr(l, M_CORRECTED_NOTE));
    vg_buf_free(&f.b);
    free(t);
    return out->err;
}
