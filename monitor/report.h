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

/* ---- charts as PNG and the digest as a mail (report_png.c,
 * report_mail.c) ---- */

/* The charts a digest draws; each has an SVG form (report_html.c) and a
 * PNG form for mail clients that show no inline SVG. */
typedef enum report_chart {
    REPORT_CHART_DAILY,  /* b's daily volume stacked by sentiment */
    REPORT_CHART_TREND,  /* b's net sentiment over DIGEST_TREND_WEEKS */
    REPORT_CHART_SOV,    /* share of voice among d's brands (b unused) */
    REPORT_CHART_ALERTS  /* b's alerts on a timeline of d's period */
} report_chart;

/* Largest PNG of one chart. */
#define REPORT_PNG_MAX_BYTES (4u * 1024 * 1024)

/* Draws chart kind of d (and brand b, NULL for REPORT_CHART_SOV) with
 * cairo into a PNG in memory, with the palette, legends and numbers of
 * the SVG version. *out (malloc'd, free()) receives len bytes.
 * VG_ENOMEM, VG_ETOOBIG, VG_EINVAL (b missing), VG_EIO (cairo failed).
 * Thread-safe: cairo's toy text API is the only shared state it uses. */
vg_err report_png_chart(const digest *d, const digest_brand *b,
                        report_chart kind, report_locale l,
                        unsigned char **out, size_t *len);

/* Releases what cairo and fontconfig cache for the whole process (font
 * faces, the font configuration), so a leak checker sees a clean exit.
 * Call once before exiting, when no thread draws any more; drawing again
 * afterwards reloads them. */
void report_png_release(void);

/* One chart image of a mail: the PNG, the Content-ID it is referenced by
 * (without angle brackets) and its alternative text. */
typedef struct report_image {
    char *cid, *alt;
    unsigned char *png;
    size_t len;
} report_image;

/* Frees the n images of v (their strings and PNGs) and v; NULL is fine. */
void report_image_array_free(report_image *v, size_t n);

/* The HTML digest for mail: as report_render_html, but every chart is an
 * <img src="cid:..." alt="..."> whose PNG is appended to *imgs / *n
 * (the caller frees them with report_image_array_free, also on error).
 * cid_domain makes the Content-IDs unique ("chart3.<cid_domain>"). */
vg_err report_render_html_mail(const digest *d, report_locale l,
                               const char *cid_domain, vg_buf *out,
                               report_image **imgs, size_t *n);

/* Largest mail built. */
#define REPORT_MAIL_MAX_BYTES (32u * 1024 * 1024)

typedef struct report_mail_options {
    const char *from;            /* envelope and header address, required */
    const char *const *to;       /* nto addresses, at least one */
    size_t nto;
    int64_t date;                /* Date: header; 0 = vg_now() */
    const char *brand;           /* the digest's brand for the subject, NULL = all */
} report_mail_options;

#define REPORT_MAIL_OPTIONS_INIT {NULL, NULL, 0, 0, NULL}

/* Builds the digest d as an RFC 5322 message: multipart/related holding a
 * multipart/alternative (text/plain: the txt digest; text/html: the mail
 * HTML) and each chart as a base64 image/png with its Content-ID. From,
 * To, Subject (RFC 2047 when not ASCII, in l's language), Date,
 * Message-ID and MIME-Version headers; CRLF line ends; base64 lines of
 * 76 characters. *out (malloc'd, NUL-terminated, free()) and *len.
 * VG_EINVAL for a missing or unsafe address (CR, LF, <, >, comma),
 * VG_ENOMEM, VG_ETOOBIG, errors of the renderers. */
vg_err report_mail_build(const digest *d, report_locale l,
                         const report_mail_options *o, char **out,
                         size_t *len);

/* The subject of d's mail in l, UTF-8 and not yet encoded: "Weekly
 * digest — Fibrelia — Nov 16 – Nov 22, 2026". *out malloc'd (free()). */
vg_err report_mail_subject(const digest *d, report_locale l,
                           const char *brand, char **out);

#endif
