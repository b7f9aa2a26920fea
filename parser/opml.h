/*
 * OPML: how feed lists travel between readers. Import reads every outline
 * with an xmlUrl (nested folders included); export writes OPML 2.0.
 */
#ifndef VG_OPML_H
#define VG_OPML_H

#include "core/buf.h"
#include "core/vg.h"

#include <stddef.h>

/* Largest OPML document accepted (VG_ETOOBIG), and the most outlines
 * kept from one (the rest are ignored). */
#define OPML_MAX_BYTES (8u * 1024 * 1024)
#define OPML_MAX_OUTLINES 100000

typedef struct opml_outline {
    char *url;    /* xmlUrl, never NULL */
    char *title;  /* title or text attribute, may be NULL */
    char *html_url; /* htmlUrl, may be NULL */
    int full_text;  /* vigie's own fullText="true": fetch each entry's page;
                       other readers ignore the attribute */
} opml_outline;

/* Parses an OPML document: every outline with an xmlUrl, at any folder
 * depth, in document order. *out (array of *n, NULL when none) is freed
 * with opml_free. VG_EPARSE when the document is not OPML, VG_ETOOBIG
 * over OPML_MAX_BYTES. Thread-safe after feed_global_init(). */
vg_err opml_parse(const char *data, size_t len, opml_outline **out, size_t *n);

/* Frees the array from opml_parse (NULL accepted). */
void opml_free(opml_outline *v, size_t n);

/* Appends an OPML 2.0 document listing the outlines to out (XML-escaped;
 * title may be NULL). Returns out's sticky error: VG_ENOMEM, or
 * VG_ETOOBIG past the buffer's cap. */
vg_err opml_write(const opml_outline *v, size_t n, const char *title,
                  vg_buf *out);

#endif
