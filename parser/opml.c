/*
 * OPML import and export. Readers export subscriptions as OPML with
 * folders as nested outlines; `vigie source import` flattens them to the
 * outlines that carry an xmlUrl. The document is untrusted input (users
 * import files they downloaded), so it goes through the same hardened
 * libxml2 set-up as feeds (feed_xml.c). Export writes OPML 2.0.
 */
#include "parser/opml.h"

#include "parser/feed_int.h"

#include <stdlib.h>
#include <string.h>
#include <strings.h>

static void free_outline(opml_outline *o)
{
    free(o->url);
    free(o->title);
    free(o->html_url);
}

/* An attribute with surrounding whitespace trimmed; NULL when empty. */
static char *attr_trimmed(const xmlNode *n, const char *name, vg_err *err)
{
    char *raw = feed_xml_attr(n, name, NULL);
    if (!raw)
        return NULL;
    char *v = feed_text_normalize(raw, strlen(raw), 1, err);
    free(raw);
    return v;
}

vg_err opml_parse(const char *data, size_t len, opml_outline **out, size_t *n)
{
    xml_result xr = {0};
    opml_outline *v = NULL;
    size_t count = 0, cap = 0;
    vg_err rc = VG_OK;
    *out = NULL;
    *n = 0;
    if (!data && len)
        return vg_error_set(VG_EINVAL, "opml_parse: NULL data");
    if (len > OPML_MAX_BYTES)
        return vg_error_set(VG_ETOOBIG, "OPML of %zu bytes is over the limit", len);
    if (len == 0)
        return vg_error_set(VG_EPARSE, "not OPML: empty document");
    rc = feed_xml_read(data, len, NULL, &xr);
    if (rc != VG_OK)
        goto cleanup;
    const xmlNode *root = xr.doc ? xmlDocGetRootElement(xr.doc) : NULL;
    if (!root || !feed_xml_is(root, "opml")) {
        rc = vg_error_set(VG_EPARSE, "not OPML: %s",
                          root ? "root element is not <opml>"
                               : (xr.first_error[0] ? xr.first_error : "no XML"));
        goto cleanup;
    }
    /* Folders nest to any depth: walk the tree without recursion. */
    const xmlNode *node = root->children;
    while (node) {
        if (feed_xml_is(node, "outline")) {
            char *url = attr_trimmed(node, "xmlUrl", &rc);
            if (url) {
                if (count == OPML_MAX_OUTLINES) {
                    free(url);
                    break;
                }
                if (count == cap) {
                    size_t ncap = cap ? cap * 2 : 16;
                    opml_outline *nv = realloc(v, ncap * sizeof *nv);
                    if (!nv) {
                        free(url);
                        rc = VG_ENOMEM;
                        goto cleanup;
                    }
                    v = nv;
                    cap = ncap;
                }
                opml_outline *o = &v[count++];
                o->url = url;
                o->title = attr_trimmed(node, "title", &rc);
                if (!o->title)
                    o->title = attr_trimmed(node, "text", &rc);
                o->html_url = attr_trimmed(node, "htmlUrl", &rc);
                char *ft = attr_trimmed(node, "fullText", &rc);
                o->full_text = ft && (strcmp(ft, "true") == 0 || strcmp(ft, "1") == 0);
                free(ft);
            }
            if (rc != VG_OK)
                goto cleanup;
        }
        if (node->type == XML_ELEMENT_NODE && node->children) {
            node = node->children;
            continue;
        }
        while (node && !node->next) {
            node = node->parent;
            if (node == root)
                node = NULL;
        }
        if (node)
            node = node->next;
    }
    *out = v;
    *n = count;
    v = NULL;
    count = 0;
cleanup:
    for (size_t i = 0; i < count; i++)
        free_outline(&v[i]);
    free(v);
    if (xr.doc)
        xmlFreeDoc(xr.doc);
    return rc;
}

void opml_free(opml_outline *v, size_t n)
{
    if (!v)
        return;
    for (size_t i = 0; i < n; i++)
        free_outline(&v[i]);
    free(v);
}

/* XML-escapes s for an attribute value or text. Control characters other
 * than tab and line breaks are not allowed in XML 1.0 and are dropped;
 * tab and line breaks are written as references so attribute value
 * normalisation does not turn them into spaces. */
static void put_escaped(vg_buf *b, const char *s)
{
    for (const unsigned char *p = (const unsigned char *)s; *p; p++) {
        switch (*p) {
        case '&': vg_buf_puts(b, "&amp;"); break;
        case '<': vg_buf_puts(b, "&lt;"); break;
        case '>': vg_buf_puts(b, "&gt;"); break;
        case '"': vg_buf_puts(b, "&quot;"); break;
        case '\'': vg_buf_puts(b, "&apos;"); break;
        case '\t': vg_buf_puts(b, "&#9;"); break;
        case '\n': vg_buf_puts(b, "&#10;"); break;
        case '\r': vg_buf_puts(b, "&#13;"); break;
        default:
            if (*p >= 0x20)
                vg_buf_putc(b, (char)*p);
        }
    }
}

vg_err opml_write(const opml_outline *v, size_t n, const char *title, vg_buf *out)
{
    if (!out || (n && !v))
        return vg_error_set(VG_EINVAL, "opml_write: bad arguments");
    vg_buf_puts(out, "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n"
                     "<opml version=\"2.0\">\n  <head>\n    <title>");
    put_escaped(out, title ? title : "vigie sources");
    vg_buf_puts(out, "</title>\n  </head>\n  <body>\n");
    for (size_t i = 0; i < n; i++) {
        if (!v[i].url)
            continue;
        /* OPML 2.0 requires text on every outline. */
        const char *text = v[i].title ? v[i].title : v[i].url;
        vg_buf_puts(out, "    <outline type=\"rss\" text=\"");
        put_escaped(out, text);
        if (v[i].title) {
            vg_buf_puts(out, "\" title=\"");
            put_escaped(out, v[i].title);
        }
        vg_buf_puts(out, "\" xmlUrl=\"");
        put_escaped(out, v[i].url);
        if (v[i].html_url) {
            vg_buf_puts(out, "\" htmlUrl=\"");
            put_escaped(out, v[i].html_url);
        }
        if (v[i].full_text)
            vg_buf_puts(out, "\" fullText=\"true");
        vg_buf_puts(out, "\"/>\n");
    }
    vg_buf_puts(out, "  </body>\n</opml>\n");
    if (out->err != VG_OK)
        return out->err == VG_ENOMEM ? VG_ENOMEM
                                     : vg_error_set(out->err, "OPML output over its cap");
    return VG_OK;
}
