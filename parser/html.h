/*
 * HTML pages with Gumbo: title, main visible text, language, canonical URL
 * and feed links; and markup-to-text for feed summaries.
 *
 * Thread-safe, no I/O.
 */
#ifndef VG_HTML_H
#define VG_HTML_H

#include "core/vg.h"

#include <stddef.h>
#include <stdint.h>

#define HTML_MAX_BYTES (16u * 1024 * 1024)

typedef struct html_doc {
    char *title;        /* cleaned title, may be NULL */
    char *text;         /* main text, paragraphs separated by "\n\n"; never NULL */
    char *lang;         /* from <html lang>, may be NULL */
    char *canonical;    /* absolute <link rel=canonical>, may be NULL */
    char *author;       /* may be NULL */
    int64_t published;  /* 0 when unknown */
    char **feed_links;  /* absolute URLs of <link rel=alternate> feeds */
    size_t n_feed_links;
} html_doc;

/* Extracts a page. base_url resolves relative URLs (may be NULL);
 * content_type may carry a charset (may be NULL). *out is freed with
 * html_doc_free. VG_ETOOBIG over HTML_MAX_BYTES, VG_ENOMEM. */
vg_err html_extract(const char *data, size_t len, const char *base_url,
                    const char *content_type, html_doc **out);

void html_doc_free(html_doc *d);

/* Converts an HTML fragment (a feed summary) to plain text: tags removed,
 * entities decoded, block elements become line breaks, whitespace
 * collapsed. *out is malloc'd (free()). */
vg_err html_to_text(const char *data, size_t len, char **out);

#endif
