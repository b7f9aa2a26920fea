/*
 * OPML: how feed lists travel between readers. Import reads every outline
 * with an xmlUrl (nested folders included); export writes OPML 2.0.
 */
#ifndef VG_OPML_H
#define VG_OPML_H

#include "core/buf.h"
#include "core/vg.h"

#include <stddef.h>

typedef struct opml_outline {
    char *url;    /* xmlUrl, never NULL */
    char *title;  /* title or text attribute, may be NULL */
    char *html_url; /* htmlUrl, may be NULL */
} opml_outline;

/* Parses an OPML document. *out (array of *n) freed with opml_free.
 * VG_EPARSE when the document is not OPML. */
vg_err opml_parse(const char *data, size_t len, opml_outline **out, size_t *n);

void opml_free(opml_outline *v, size_t n);

/* Appends an OPML 2.0 document listing the outlines to out (XML-escaped). */
vg_err opml_write(const opml_outline *v, size_t n, const char *title,
                  vg_buf *out);

#endif
