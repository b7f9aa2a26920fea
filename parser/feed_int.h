/*
 * Private to parser/feed*.c and parser/opml.c: the one place where
 * libxml2 is configured for untrusted documents, and the tree readers
 * that never expand entities. Nothing outside parser/ includes this.
 */
#ifndef VG_FEED_INT_H
#define VG_FEED_INT_H

#include "core/buf.h"
#include "core/vg.h"

#include <libxml/parser.h>
#include <libxml/tree.h>
#include <stddef.h>

/* The parse result of one untrusted XML document. */
typedef struct xml_result {
    xmlDocPtr doc;      /* NULL when nothing could be recovered */
    int bozo;           /* the document was not well-formed */
    int entities_rewritten; /* undeclared HTML entities were decoded */
    int literal_amp;    /* an unknown entity or a bare '&' was kept as text
                           (not well-formed: the caller flags it) */
    char first_error[200]; /* libxml2's first complaint, "line N: ..." */
} xml_result;

/* Parses data with network, DTD loading and entity substitution off and
 * recovery on. HTML named entities (&nbsp;, &eacute;, ...) outside CDATA
 * are rewritten to character references first, since feeds use them
 * without declaring them. encoding (may be NULL) overrides the document's
 * own declaration unless the data starts with a BOM. Errors are recorded
 * in *r, never printed. r->doc is freed with xmlFreeDoc. Returns
 * VG_ENOMEM or VG_OK (check r->doc). Thread-safe. */
vg_err feed_xml_read(const char *data, size_t len, const char *encoding,
                     xml_result *r);

/* Appends the text of node's subtree (text and CDATA) to b, without
 * expanding entities except flat internal ones (see feed_xml.c).
 * Iterative: document depth cannot exhaust the stack. */
void feed_xml_text(const xmlNode *node, vg_buf *b);

/* The value of attribute name (namespace ns_href, or none when NULL) as
 * a malloc'd string, NULL when absent. When ns_href is NULL the name is
 * matched case-insensitively whatever its namespace. */
char *feed_xml_attr(const xmlNode *node, const char *name, const char *ns_href);

/* Lower-case-insensitive local name comparison of an element. */
int feed_xml_is(const xmlNode *node, const char *local);

/* Converts an HTML fragment to plain text with libxml2's HTML parser
 * (tags dropped, entities decoded, block elements as line breaks,
 * whitespace collapsed). *out malloc'd; NULL when the text is empty. */
vg_err feed_html_text(const char *html, size_t len, int single_line, char **out);

/* Collapses whitespace runs (including U+00A0) in s to one space, or to
 * one newline when the run holds a newline and !single_line; trims.
 * Returns a malloc'd string, or NULL when empty (or out of memory:
 * *err then VG_ENOMEM). */
char *feed_text_normalize(const char *s, size_t len, int single_line, vg_err *err);

/* Converts an element tree (XHTML content) to plain text the same way. */
vg_err feed_tree_text(const xmlNode *node, int single_line, char **out);

#endif
