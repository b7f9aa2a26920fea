/*
 * Rendering a digest (digest.h) for people and programs: HTML with inline
 * SVG charts for browsers, Markdown, plain text, and JSON with every
 * number. Dates and numbers follow the locale ("fr": 22 nov. 2026,
 * 1 234,5; "en": Nov 22, 2026, 1,234.5).
 *
 * Rendering lives in monitor/report_*.c rather than a report/ folder of
 * its own: the renderers only read a digest, and keeping them in the
 * monitor library spares the root CMakeLists and the app's link line an
 * edit while other work changes them (see ARCHITECTURE.md's layout).
 */
#ifndef VG_REPORT_H
#define VG_REPORT_H

#include "core/buf.h"
#include "core/vg.h"
#include "monitor/digest.h"

#include <stddef.h>
#include <stdint.h>

/* Largest report rendered: the lists are bounded, so this is generous. */
#define REPORT_MAX_BYTES (16u * 1024 * 1024)

typedef enum report_format {
    REPORT_HTML,
    REPORT_MD,
    REPORT_TXT,
    REPORT_JSON
} report_format;

typedef enum report_locale { REPORT_EN, REPORT_FR } report_locale;

/* Parses "html", "md", "txt", "json"; -1 when unknown. */
int report_format_parse(const char *s);
/* "html", "md", "txt" or "json". */
const char *report_format_name(report_format f);
/* Parses "en" or "fr" (also "en_US", "fr_FR.UTF-8"...); -1 otherwise. */
int report_locale_parse(const char *s);
const char *report_locale_name(report_locale l);

/* ---- locale formatting (report_locale.c), appended to out ---- */

/* v with `decimals` digits, grouped by thousands: "1,234.5" (en) or
 * "1 234,5" (fr, U+202F NARROW NO-BREAK SPACE between groups). */
void report_fmt_number(vg_buf *out, report_locale l, double v, int decimals);
/* A fraction as a percentage: 0.125 -> "12.5%" / "12,5 %" (fr: U+00A0). */
void report_fmt_percent(vg_buf *out, report_locale l, double frac, int decimals);
/* A signed change: "+12.5" / "−3,0" (U+2212 MINUS SIGN) with a suffix. */
void report_fmt_signed(vg_buf *out, report_locale l, double v, int decimals,
                       const char *suffix);
/* A UTC date: "Nov 22, 2026" (en) or "22 nov. 2026" (fr). */
void report_fmt_date(vg_buf *out, report_locale l, int64_t t);

/* ---- rendering ---- */

/* Renders d in format f and locale l into *out (malloc'd, NUL-terminated;
 * free()). VG_ENOMEM, VG_ETOOBIG past REPORT_MAX_BYTES. */
vg_err report_render(const digest *d, report_format f, report_locale l,
                     char **out);

/* Builds, renders and archives (store_digest_archive_add) the digest of
 * o's period; *out receives the body (free()), *id_out the archive id
 * (may be NULL). Errors of digest_build and of the store. */
vg_err report_produce(store *st, const digest_options *o, report_format f,
                      report_locale l, char **out, int64_t *id_out);

/* For `vigie demo`: opens db_path, takes the ISO week of the newest
 * mention, writes its HTML digest in locale ("fr" or "en"; NULL = "en")
 * to out_dir/digest-YYYY-Www.html (archived too) and puts the file's path
 * in path_out (cap bytes). VG_ENOTFOUND when there are no mentions,
 * VG_EIO when the file cannot be written. */
vg_err digest_demo_write(const char *db_path, const char *out_dir,
                         const char *locale, char *path_out, size_t cap);

/* Internal to the report_*.c files. */
vg_err report_render_html(const digest *d, report_locale l, vg_buf *out);
vg_err report_render_text(const digest *d, report_locale l, int markdown,
                          vg_buf *out);
vg_err report_render_json(const digest *d, vg_buf *out);

#endif
