/*
 * RSS and Atom documents to the normalised feed model (parser/feed.h).
 * feed_xml.c turns the bytes into a libxml2 tree safely; this file knows
 * the vocabularies: RSS 0.9x/2.0 (channel/item), RSS 0.90/1.0 as RDF
 * (items beside the channel), Atom 0.3 and 1.0 (feed/entry), and the
 * modules feeds mix in (Dublin Core, content:encoded, atom:link in RSS).
 * Text that is HTML by convention or by declaration becomes plain text,
 * links become absolute through xml:base and the document URL, and dates
 * go through date_parse. A document that parsed with errors still yields
 * the entries that were recovered, flagged bozo.
 */
#include "parser/feed.h"

#include "core/buf.h"
#include "core/url.h"
#include "parser/date.h"
#include "parser/feed_int.h"

#include <ctype.h>
#include <libxml/encoding.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#define NS_ATOM10 "http://www.w3.org/2005/Atom"
#define NS_ATOM03 "http://purl.org/atom/ns#"
#define NS_RSS10 "http://purl.org/rss/1.0/"
#define NS_RSS090 "http://my.netscape.com/rdf/simple/0.9/"
#define NS_RSS_USERLAND "http://backend.userland.com/rss2"
#define NS_RDF "http://www.w3.org/1999/02/22-rdf-syntax-ns#"
#define NS_DC "http://purl.org/dc/elements/1.1/"
#define NS_DCTERMS "http://purl.org/dc/terms/"
#define NS_CONTENT "http://purl.org/rss/1.0/modules/content/"
#define NS_XML "http://www.w3.org/XML/1998/namespace"

/* How much of the document feed_sniff looks at. */
#define SNIFF_BYTES 8192
/* Nested xml:base attributes taken into account for one link. */
#define MAX_XML_BASES 16

/* Which vocabulary an element belongs to. */
typedef enum {
    K_NONE,    /* no namespace */
    K_RSS,     /* RSS 1.0 / 0.90 / userland RSS 2 namespace */
    K_ATOM,
    K_DC,
    K_DCTERMS,
    K_CONTENT,
    K_RDF,
    K_OTHER
} ns_kind;

typedef struct ctx {
    const char *base_url;
    int atom03;
    vg_err err;        /* sticky: first allocation failure */
} ctx;

/* The local name and vocabulary of an element. An undeclared prefix
 * ("dc:creator" with no xmlns:dc, a common mistake) leaves libxml2 with
 * the prefixed name and no namespace: the usual prefixes are honoured. */
static const char *local_name(const xmlNode *n, ns_kind *kind)
{
    const char *name = (const char *)n->name;
    *kind = K_OTHER;
    if (!name)
        return "";
    if (n->ns && n->ns->href) {
        const char *h = (const char *)n->ns->href;
        if (strcmp(h, NS_ATOM10) == 0 || strcmp(h, NS_ATOM03) == 0)
            *kind = K_ATOM;
        else if (strcmp(h, NS_RSS10) == 0 || strcmp(h, NS_RSS090) == 0 ||
                 strcmp(h, NS_RSS_USERLAND) == 0)
            *kind = K_RSS;
        else if (strcmp(h, NS_DC) == 0)
            *kind = K_DC;
        else if (strcmp(h, NS_DCTERMS) == 0)
            *kind = K_DCTERMS;
        else if (strcmp(h, NS_CONTENT) == 0)
            *kind = K_CONTENT;
        else if (strcmp(h, NS_RDF) == 0)
            *kind = K_RDF;
        return name;
    }
    const char *colon = strchr(name, ':');
    if (!colon) {
        *kind = K_NONE;
        return name;
    }
    size_t plen = (size_t)(colon - name);
    static const struct {
        const char *prefix;
        ns_kind kind;
    } prefixes[] = {{"dc", K_DC},         {"dcterms", K_DCTERMS},
                    {"content", K_CONTENT}, {"atom", K_ATOM},
                    {"rdf", K_RDF},       {NULL, K_OTHER}};
    for (int i = 0; prefixes[i].prefix; i++)
        if (strlen(prefixes[i].prefix) == plen &&
            strncmp(prefixes[i].prefix, name, plen) == 0)
            *kind = prefixes[i].kind;
    return colon + 1;
}

static int is_elem(const xmlNode *n)
{
    return n && n->type == XML_ELEMENT_NODE;
}

/* Elements of the format's own vocabulary: RSS 2.0 has no namespace,
 * RSS 1.0 and Atom have theirs, and sloppy feeds drop them. */
static int core_kind(ns_kind k, int atom)
{
    return k == K_NONE || (atom ? k == K_ATOM : k == K_RSS);
}

static void keep(char **dst, char *v)
{
    if (*dst || !v) {
        free(v);
        return;
    }
    *dst = v;
}

static char *dup_or_fail(ctx *c, const char *s)
{
    char *d = vg_strdup(s);
    if (s && !d)
        c->err = VG_ENOMEM;
    return d;
}

/* The element's text, whitespace collapsed, NULL when empty. */
static char *plain(ctx *c, const xmlNode *n, int single_line)
{
    vg_buf b;
    vg_buf_init(&b, FEED_MAX_BYTES);
    feed_xml_text(n, &b);
    char *v = NULL;
    if (b.err == VG_ENOMEM)
        c->err = VG_ENOMEM;
    else if (b.len)
        v = feed_text_normalize(b.ptr, b.len, single_line, &c->err);
    vg_buf_free(&b);
    return v;
}

/* The element's text read as HTML (escaped or CDATA markup). */
static char *html(ctx *c, const xmlNode *n, int single_line)
{
    vg_buf b;
    vg_buf_init(&b, FEED_MAX_BYTES);
    feed_xml_text(n, &b);
    char *v = NULL;
    if (b.err == VG_ENOMEM) {
        c->err = VG_ENOMEM;
    } else if (b.len) {
        vg_err rc = feed_html_text(b.ptr, b.len, single_line, &v);
        if (rc == VG_ENOMEM)
            c->err = rc;
    }
    vg_buf_free(&b);
    return v;
}

/* An Atom text construct or content element, by its declared type
 * (Atom 1.0: text/html/xhtml or a MIME type; Atom 0.3: a MIME type plus
 * mode=xml/escaped/base64). Base64 and out-of-line (src=) content carry
 * no text we can use. */
static char *atom_text(ctx *c, const xmlNode *n, int single_line)
{
    char *type = feed_xml_attr(n, "type", NULL);
    char *mode = feed_xml_attr(n, "mode", NULL);
    char *src = feed_xml_attr(n, "src", NULL);
    char *v = NULL;
    const char *t = type ? type : "text";
    if (src || (mode && strcasecmp(mode, "base64") == 0))
        goto cleanup;
    if (mode && strcasecmp(mode, "escaped") == 0) {
        v = strcasecmp(t, "text/plain") == 0 ? plain(c, n, single_line)
                                              : html(c, n, single_line);
    } else if (strcasecmp(t, "html") == 0 || strcasecmp(t, "text/html") == 0) {
        v = html(c, n, single_line);
    } else if (strcasecmp(t, "xhtml") == 0 || strcasecmp(t, "application/xhtml+xml") == 0 ||
               (mode && strcasecmp(mode, "xml") == 0)) {
        /* Inline markup: the children are elements, walk them directly. */
        vg_err rc = feed_tree_text(n, single_line, &v);
        if (rc == VG_ENOMEM)
            c->err = rc;
    } else if (strcasecmp(t, "text") == 0 || strncasecmp(t, "text/", 5) == 0) {
        v = plain(c, n, single_line);
    } else if (strlen(t) > 4 && (strcasecmp(t + strlen(t) - 4, "+xml") == 0 ||
                                 strcasecmp(t + strlen(t) - 4, "/xml") == 0)) {
        vg_err rc = feed_tree_text(n, single_line, &v);
        if (rc == VG_ENOMEM)
            c->err = rc;
    }
cleanup:
    free(type);
    free(mode);
    free(src);
    return v;
}

/* RSS titles are plain text in theory and HTML-escaped in practice. */
static char *rss_title(ctx *c, const xmlNode *n)
{
    return html(c, n, 1);
}

/* Resolves ref against the xml:base attributes in scope at n (nearest
 * last), then against the document URL. NULL when no absolute http(s)
 * URL results. */
static char *resolve(ctx *c, const xmlNode *n, const char *ref)
{
    if (!ref || !*ref)
        return NULL;
    const xmlNode *with_base[MAX_XML_BASES];
    int nb = 0;
    for (const xmlNode *p = n; p && p->type == XML_ELEMENT_NODE; p = p->parent) {
        if (xmlHasNsProp(p, BAD_CAST "base", BAD_CAST NS_XML)) {
            if (nb == MAX_XML_BASES)
                break;
            with_base[nb++] = p;
        }
    }
    char *base = NULL, *out = NULL;
    if (c->base_url && !(base = vg_strdup(c->base_url))) {
        c->err = VG_ENOMEM;
        return NULL;
    }
    for (int i = nb - 1; i >= 0; i--) {
        char *xb = feed_xml_attr(with_base[i], "base", NS_XML);
        char *next = NULL;
        /* An unusable xml:base is skipped rather than fatal. */
        if (xb && vg_url_resolve(base, xb, &next) == VG_OK) {
            free(base);
            base = next;
        }
        free(xb);
    }
    if (vg_url_resolve(base, ref, &out) != VG_OK)
        out = NULL;
    free(base);
    return out;
}

/* <link rel=... href=...> (Atom, or atom:link inside RSS): a score, the
 * higher the better, for picking the entry's page. */
static int link_score(const xmlNode *n)
{
    char *rel = feed_xml_attr(n, "rel", NULL);
    char *type = feed_xml_attr(n, "type", NULL);
    int score = 0;
    if (!rel || strcasecmp(rel, "alternate") == 0 ||
        strcmp(rel, "http://www.iana.org/assignments/relation/alternate") == 0) {
        score = 2;
        if (!type || strncasecmp(type, "text/html", 9) == 0 ||
            strncasecmp(type, "application/xhtml+xml", 21) == 0)
            score = 3;
    }
    free(rel);
    free(type);
    return score;
}

/* Best alternate link among n's <link> children of the given kinds. */
static char *best_link(ctx *c, const xmlNode *parent, int atom)
{
    const xmlNode *best = NULL;
    int best_score = 0;
    for (const xmlNode *n = parent->children; n; n = n->next) {
        ns_kind k;
        if (!is_elem(n) || strcmp(local_name(n, &k), "link") != 0)
            continue;
        if (!(k == K_ATOM || (atom && k == K_NONE)))
            continue;
        int s = link_score(n);
        if (s > best_score) {
            best = n;
            best_score = s;
        }
    }
    if (!best)
        return NULL;
    char *href = feed_xml_attr(best, "href", NULL);
    char *v = resolve(c, best, href);
    free(href);
    return v;
}

static int64_t parse_date(const char *raw)
{
    int64_t t = 0;
    if (!raw || date_parse(raw, &t) != VG_OK)
        return 0;
    return t;
}

/* "jdoe@example.com (Jane Doe)" -> "Jane Doe": RSS's author element is
 * an e-mail address with the name in a comment. */
static char *rss_author(ctx *c, const xmlNode *n)
{
    char *v = plain(c, n, 1);
    if (!v)
        return NULL;
    char *open = strchr(v, '(');
    char *close = open ? strrchr(open, ')') : NULL;
    if (open && close && close > open + 1 && strchr(v, '@') && strchr(v, '@') < open) {
        char *name = vg_strndup(open + 1, (size_t)(close - open - 1));
        if (!name) {
            c->err = VG_ENOMEM;
        } else {
            free(v);
            v = name;
        }
    }
    return v;
}

static feed_entry *new_entry(ctx *c, feed *f, size_t *cap)
{
    if (f->n_entries >= FEED_MAX_ENTRIES)
        return NULL;
    if (f->n_entries == *cap) {
        size_t ncap = *cap ? *cap * 2 : 16;
        feed_entry *v = realloc(f->entries, ncap * sizeof *v);
        if (!v) {
            c->err = VG_ENOMEM;
            return NULL;
        }
        f->entries = v;
        *cap = ncap;
    }
    feed_entry *e = &f->entries[f->n_entries++];
    memset(e, 0, sizeof *e);
    return e;
}

static void entry_clear(feed_entry *e)
{
    free(e->title);
    free(e->link);
    free(e->id);
    free(e->author);
    free(e->summary);
    free(e->content);
    free(e->published_raw);
}

/* An element that produced nothing usable is not an entry. */
static void drop_if_empty(feed *f, feed_entry *e)
{
    if (!e->title && !e->link && !e->id && !e->summary && !e->content) {
        entry_clear(e);
        f->n_entries--;
    }
}

/* One RSS <item> (any version, RDF included). */
static void rss_item(ctx *c, feed *f, size_t *cap, const xmlNode *item)
{
    feed_entry *e = new_entry(c, f, cap);
    if (!e)
        return;
    char *link = NULL, *guid_link = NULL, *pub = NULL, *dcdate = NULL;
    char *upd = NULL, *author = NULL;
    char *about = feed_xml_attr(item, "about", NS_RDF);
    for (const xmlNode *n = item->children; n && c->err == VG_OK; n = n->next) {
        ns_kind k;
        if (!is_elem(n))
            continue;
        const char *name = local_name(n, &k);
        if (core_kind(k, 0)) {
            if (strcmp(name, "title") == 0) {
                keep(&e->title, rss_title(c, n));
            } else if (strcmp(name, "link") == 0) {
                keep(&link, plain(c, n, 1));
            } else if (strcmp(name, "guid") == 0) {
                char *g = plain(c, n, 1);
                char *perma = feed_xml_attr(n, "isPermaLink", NULL);
                /* RSS 2.0: a guid is the item's URL unless it says not. */
                if (g && !(perma && strcasecmp(perma, "false") == 0))
                    keep(&guid_link, dup_or_fail(c, g));
                free(perma);
                keep(&e->id, g);
            } else if (strcmp(name, "description") == 0) {
                keep(&e->summary, html(c, n, 0));
            } else if (strcmp(name, "pubDate") == 0) {
                keep(&pub, plain(c, n, 1));
            } else if (strcmp(name, "author") == 0) {
                keep(&author, rss_author(c, n));
            }
        } else if (k == K_DC) {
            if (strcmp(name, "creator") == 0)
                keep(&e->author, plain(c, n, 1));
            else if (strcmp(name, "date") == 0)
                keep(&dcdate, plain(c, n, 1));
        } else if (k == K_DCTERMS) {
            if (strcmp(name, "modified") == 0)
                keep(&upd, plain(c, n, 1));
            else if (strcmp(name, "created") == 0 || strcmp(name, "issued") == 0)
                keep(&dcdate, plain(c, n, 1));
        } else if (k == K_CONTENT) {
            if (strcmp(name, "encoded") == 0)
                keep(&e->content, html(c, n, 0));
        } else if (k == K_ATOM) {
            if (strcmp(name, "updated") == 0)
                keep(&upd, plain(c, n, 1));
            else if (strcmp(name, "published") == 0)
                keep(&dcdate, plain(c, n, 1));
        }
    }
    if (c->err != VG_OK)
        goto cleanup;
    keep(&e->author, author);
    author = NULL;
    e->link = resolve(c, item, link);
    if (!e->link)
        e->link = resolve(c, item, guid_link);
    if (!e->link)
        e->link = best_link(c, item, 0);
    if (!e->link && about)
        e->link = resolve(c, item, about);
    if (!e->id && about) {
        e->id = about;
        about = NULL;
    }
    e->published_raw = pub ? pub : dcdate;
    if (pub)
        pub = NULL;
    else
        dcdate = NULL;
    e->published = parse_date(e->published_raw);
    e->updated = parse_date(upd);
    drop_if_empty(f, e);
cleanup:
    free(link);
    free(guid_link);
    free(pub);
    free(dcdate);
    free(upd);
    free(author);
    free(about);
}

/* The Atom <author><name> (or Atom 0.3 the same), or dc:creator. */
static char *atom_author(ctx *c, const xmlNode *author)
{
    for (const xmlNode *n = author->children; n; n = n->next) {
        ns_kind k;
        if (is_elem(n) && strcmp(local_name(n, &k), "name") == 0 && core_kind(k, 1))
            return plain(c, n, 1);
    }
    return NULL;
}

static void atom_entry(ctx *c, feed *f, size_t *cap, const xmlNode *entry,
                       const char *feed_author)
{
    feed_entry *e = new_entry(c, f, cap);
    if (!e)
        return;
    /* Preference order: Atom 1.0 names first, then Atom 0.3's. */
    char *published = NULL, *issued = NULL, *created = NULL;
    char *updated = NULL, *modified = NULL, *dcdate = NULL, *creator = NULL;
    for (const xmlNode *n = entry->children; n && c->err == VG_OK; n = n->next) {
        ns_kind k;
        if (!is_elem(n))
            continue;
        const char *name = local_name(n, &k);
        if (core_kind(k, 1)) {
            if (strcmp(name, "title") == 0)
                keep(&e->title, atom_text(c, n, 1));
            else if (strcmp(name, "id") == 0)
                keep(&e->id, plain(c, n, 1));
            else if (strcmp(name, "author") == 0)
                keep(&e->author, atom_author(c, n));
            else if (strcmp(name, "summary") == 0)
                keep(&e->summary, atom_text(c, n, 0));
            else if (strcmp(name, "content") == 0)
                keep(&e->content, atom_text(c, n, 0));
            else if (strcmp(name, "published") == 0)
                keep(&published, plain(c, n, 1));
            else if (strcmp(name, "issued") == 0)
                keep(&issued, plain(c, n, 1));
            else if (strcmp(name, "created") == 0)
                keep(&created, plain(c, n, 1));
            else if (strcmp(name, "updated") == 0)
                keep(&updated, plain(c, n, 1));
            else if (strcmp(name, "modified") == 0)
                keep(&modified, plain(c, n, 1));
        } else if (k == K_DC) {
            if (strcmp(name, "creator") == 0)
                keep(&creator, plain(c, n, 1));
            else if (strcmp(name, "date") == 0)
                keep(&dcdate, plain(c, n, 1));
        }
    }
    if (c->err != VG_OK)
        goto cleanup;
    e->link = best_link(c, entry, 1);
    keep(&e->author, creator);
    creator = NULL;
    if (!e->author && feed_author)
        e->author = dup_or_fail(c, feed_author);
    char **pub = published ? &published : issued ? &issued : created ? &created : &dcdate;
    e->published_raw = *pub;
    *pub = NULL;
    e->published = parse_date(e->published_raw);
    e->updated = parse_date(updated ? updated : modified);
    drop_if_empty(f, e);
cleanup:
    free(published);
    free(issued);
    free(created);
    free(updated);
    free(modified);
    free(dcdate);
    free(creator);
}

/* xml:lang in scope at n. */
static char *xml_lang(ctx *c, const xmlNode *n)
{
    for (; n && n->type == XML_ELEMENT_NODE; n = n->parent) {
        char *v = feed_xml_attr(n, "lang", NS_XML);
        char *t = v ? feed_text_normalize(v, strlen(v), 1, &c->err) : NULL;
        free(v);
        if (t)
            return t;
    }
    return NULL;
}

static void rss_channel(ctx *c, feed *f, const xmlNode *ch)
{
    for (const xmlNode *n = ch->children; n && c->err == VG_OK; n = n->next) {
        ns_kind k;
        if (!is_elem(n))
            continue;
        const char *name = local_name(n, &k);
        if (core_kind(k, 0)) {
            if (strcmp(name, "title") == 0) {
                keep(&f->title, rss_title(c, n));
            } else if (strcmp(name, "link") == 0 && !f->link) {
                char *raw = plain(c, n, 1);
                f->link = resolve(c, n, raw);
                free(raw);
            } else if (strcmp(name, "language") == 0) {
                keep(&f->language, plain(c, n, 1));
            } else if (strcmp(name, "ttl") == 0 && !f->ttl) {
                char *raw = plain(c, n, 1);
                char *end = NULL;
                long v = raw ? strtol(raw, &end, 10) : 0;
                /* Minutes; anything beyond a year is noise. */
                if (raw && end && *end == '\0' && v > 0 && v <= 525600)
                    f->ttl = (int)v;
                free(raw);
            }
        } else if (k == K_DC && strcmp(name, "language") == 0) {
            keep(&f->language, plain(c, n, 1));
        }
    }
    if (!f->link)
        f->link = best_link(c, ch, 0);
    if (!f->language)
        f->language = xml_lang(c, ch);
}

static void atom_feed(ctx *c, feed *f, const xmlNode *root)
{
    size_t cap = 0;
    char *feed_author = NULL;
    for (const xmlNode *n = root->children; n && c->err == VG_OK; n = n->next) {
        ns_kind k;
        if (!is_elem(n))
            continue;
        const char *name = local_name(n, &k);
        if (!core_kind(k, 1))
            continue;
        if (strcmp(name, "title") == 0)
            keep(&f->title, atom_text(c, n, 1));
        else if (strcmp(name, "author") == 0)
            keep(&feed_author, atom_author(c, n));
    }
    f->link = best_link(c, root, 1);
    f->language = xml_lang(c, root);
    for (const xmlNode *n = root->children; n && c->err == VG_OK; n = n->next) {
        ns_kind k;
        if (is_elem(n) && strcmp(local_name(n, &k), "entry") == 0 && core_kind(k, 1))
            atom_entry(c, f, &cap, n, feed_author);
    }
    free(feed_author);
}

static const char *rss_version(const xmlNode *root, const xmlDoc *doc)
{
    char *v = feed_xml_attr(root, "version", NULL);
    const char *out = "rss";
    if (v) {
        if (strcmp(v, "2.0") == 0 || strcmp(v, "2") == 0 || strcmp(v, "2.00") == 0)
            out = "rss20";
        else if (strcmp(v, "0.91") == 0)
            /* Netscape's 0.91 comes with its DTD; UserLand's without. */
            out = doc->intSubset && doc->intSubset->ExternalID &&
                          strstr((const char *)doc->intSubset->ExternalID, "Netscape")
                      ? "rss091n"
                      : "rss091u";
        else if (strcmp(v, "0.92") == 0)
            out = "rss092";
        else if (strcmp(v, "0.93") == 0)
            out = "rss093";
        else if (strcmp(v, "0.94") == 0)
            out = "rss094";
    }
    free(v);
    return out;
}

static void rss_feed(ctx *c, feed *f, const xmlNode *root, int rdf)
{
    size_t cap = 0;
    const xmlNode *channel = NULL;
    for (const xmlNode *n = root->children; n; n = n->next) {
        ns_kind k;
        if (is_elem(n) && strcmp(local_name(n, &k), "channel") == 0 && core_kind(k, 0)) {
            channel = n;
            break;
        }
    }
    if (rdf) {
        const xmlNode *probe = channel;
        for (const xmlNode *n = root->children; !probe && n; n = n->next)
            if (is_elem(n) && strcmp((const char *)n->name, "item") == 0)
                probe = n;
        f->version = dup_or_fail(c, probe && probe->ns && probe->ns->href &&
                                            strcmp((const char *)probe->ns->href,
                                                   NS_RSS090) == 0
                                        ? "rss090"
                                        : "rss10");
    } else {
        f->version = dup_or_fail(c, rss_version(root, root->doc));
    }
    if (channel)
        rss_channel(c, f, channel);
    if (!f->language)
        f->language = xml_lang(c, root);
    /* Items live in the channel (RSS 2.0) or beside it (RDF); broken
     * feeds mix the two, so both places are read. */
    const xmlNode *parents[2] = {channel, root};
    for (int i = 0; i < 2; i++) {
        if (!parents[i])
            continue;
        for (const xmlNode *n = parents[i]->children; n && c->err == VG_OK; n = n->next) {
            ns_kind k;
            if (is_elem(n) && strcmp(local_name(n, &k), "item") == 0 && core_kind(k, 0))
                rss_item(c, f, &cap, n);
        }
    }
}

/* The charset parameter of a Content-Type header, when it names an
 * encoding libxml2 can decode. US-ASCII is ignored: servers label UTF-8
 * that way by default, and the declaration inside the document is the
 * better witness then. */
static int header_charset(const char *content_type, char *out, size_t cap)
{
    if (!content_type)
        return 0;
    const char *p = content_type;
    while ((p = strchr(p, ';')) != NULL) {
        p++;
        while (*p == ' ' || *p == '\t')
            p++;
        if (strncasecmp(p, "charset", 7) != 0)
            continue;
        p += 7;
        while (*p == ' ' || *p == '\t')
            p++;
        if (*p != '=')
            continue;
        p++;
        while (*p == ' ' || *p == '\t')
            p++;
        if (*p == '"' || *p == '\'')
            p++;
        size_t n = 0;
        while (n + 1 < cap && (isalnum((unsigned char)p[n]) || (p[n] && strchr("-_.:", p[n]))))
            n++;
        if (n == 0 || n + 1 >= cap)
            return 0;
        memcpy(out, p, n);
        out[n] = '\0';
        if (strcasecmp(out, "us-ascii") == 0 || strcasecmp(out, "ascii") == 0)
            return 0;
        xmlCharEncodingHandlerPtr h = xmlFindCharEncodingHandler(out);
        if (!h)
            return 0;
        xmlCharEncCloseFunc(h);
        return 1;
    }
    return 0;
}

/* The process-wide external entity loader: refuses everything. The
 * parse options already keep libxml2 from loading DTDs and external
 * entities; this makes a future option mistake fail closed. */
static xmlParserInputPtr refuse_external(const char *url, const char *id,
                                         xmlParserCtxtPtr ctxt)
{
    (void)url;
    (void)id;
    (void)ctxt;
    return NULL;
}

void feed_global_init(void)
{
    xmlInitParser();
    xmlSetExternalEntityLoader(refuse_external);
}

vg_err feed_parse(const char *data, size_t len, const char *base_url,
                  const char *content_type, feed **out)
{
    xml_result xr = {0};
    feed *f = NULL;
    ctx c = {base_url, 0, VG_OK};
    char charset[48];
    vg_err rc = VG_OK;
    *out = NULL;
    if (!data && len)
        return vg_error_set(VG_EINVAL, "feed_parse: NULL data");
    if (len > FEED_MAX_BYTES)
        return vg_error_set(VG_ETOOBIG, "feed of %zu bytes is over the %u-byte limit",
                            len, FEED_MAX_BYTES);
    size_t i = 0;
    while (i < len && isspace((unsigned char)data[i]))
        i++;
    if (i == len)
        return vg_error_set(VG_EPARSE, "not a feed: empty document");
    rc = feed_xml_read(data, len, header_charset(content_type, charset, sizeof charset)
                                      ? charset
                                      : NULL,
                       &xr);
    if (rc != VG_OK)
        goto cleanup;
    const xmlNode *root = xr.doc ? xmlDocGetRootElement(xr.doc) : NULL;
    if (!root) {
        rc = vg_error_set(VG_EPARSE, "not a feed: no XML document (%s)",
                          xr.first_error[0] ? xr.first_error : "no root element");
        goto cleanup;
    }
    ns_kind k;
    const char *rname = local_name(root, &k);
    int is_rss = strcmp(rname, "rss") == 0 && (k == K_NONE || k == K_RSS);
    int is_rdf = strcmp(rname, "RDF") == 0 && (k == K_RDF || k == K_NONE);
    int is_atom = strcmp(rname, "feed") == 0 && (k == K_ATOM || k == K_NONE);
    if (!is_rss && !is_rdf && !is_atom) {
        rc = vg_error_set(VG_EPARSE, "not a feed: root element is <%.40s>", rname);
        goto cleanup;
    }
    f = calloc(1, sizeof *f);
    if (!f) {
        rc = VG_ENOMEM;
        goto cleanup;
    }
    /* Undeclared entities and bare '&' were repaired before parsing:
     * the document was still not well-formed XML. */
    if (xr.literal_amp && !xr.bozo) {
        xr.bozo = 1;
        snprintf(xr.first_error, sizeof xr.first_error,
                 "undeclared entity or bare '&' (recovered as text)");
    }
    f->bozo = xr.bozo;
    if (xr.bozo)
        f->bozo_message = feed_text_normalize(xr.first_error, strlen(xr.first_error), 1,
                                              &c.err);
    if (is_atom) {
        const char *href = root->ns && root->ns->href ? (const char *)root->ns->href : "";
        char *ver = feed_xml_attr(root, "version", NULL);
        c.atom03 = strcmp(href, NS_ATOM03) == 0 || (ver && strcmp(ver, "0.3") == 0);
        free(ver);
        f->version = dup_or_fail(&c, strcmp(href, NS_ATOM10) == 0 ? "atom10"
                                     : c.atom03                   ? "atom03"
                                                                  : "atom");
        atom_feed(&c, f, root);
    } else {
        rss_feed(&c, f, root, is_rdf);
    }
    rc = c.err;
cleanup:
    if (rc != VG_OK) {
        feed_free(f);
        f = NULL;
    }
    if (xr.doc)
        xmlFreeDoc(xr.doc);
    *out = f;
    return rc;
}

void feed_free(feed *f)
{
    if (!f)
        return;
    free(f->version);
    free(f->title);
    free(f->link);
    free(f->language);
    free(f->bozo_message);
    for (size_t i = 0; i < f->n_entries; i++)
        entry_clear(&f->entries[i]);
    free(f->entries);
    free(f);
}

/* Skips what may precede the root element: BOM, blanks, the XML
 * declaration, processing instructions, comments and a DOCTYPE. */
static const char *skip_prolog(const char *p, const char *end)
{
    if (end - p >= 3 && memcmp(p, "\xEF\xBB\xBF", 3) == 0)
        p += 3;
    for (;;) {
        while (p < end && isspace((unsigned char)*p))
            p++;
        if (end - p >= 4 && memcmp(p, "<!--", 4) == 0) {
            const char *q = p + 4;
            while (q + 3 <= end && memcmp(q, "-->", 3) != 0)
                q++;
            if (q + 3 > end)
                return end;
            p = q + 3;
        } else if (end - p >= 2 && memcmp(p, "<?", 2) == 0) {
            const char *q = p + 2;
            while (q + 2 <= end && memcmp(q, "?>", 2) != 0)
                q++;
            if (q + 2 > end)
                return end;
            p = q + 2;
        } else if (end - p >= 9 && strncasecmp(p, "<!DOCTYPE", 9) == 0) {
            int in_subset = 0;
            const char *q = p + 9;
            while (q < end && (in_subset || *q != '>')) {
                if (*q == '[')
                    in_subset = 1;
                else if (*q == ']')
                    in_subset = 0;
                q++;
            }
            if (q >= end)
                return end;
            p = q + 1;
        } else {
            return p;
        }
    }
}

static int root_is(const char *p, const char *end, const char *tag)
{
    size_t n = strlen(tag);
    if ((size_t)(end - p) <= n || memcmp(p, tag, n) != 0)
        return 0;
    char c = p[n];
    return c == '>' || c == '/' || isspace((unsigned char)c);
}

int feed_sniff(const char *data, size_t len)
{
    char ascii[SNIFF_BYTES];
    const unsigned char *u = (const unsigned char *)data;
    size_t n = 0;
    if (!data)
        return 0;
    if (len >= 2 && ((u[0] == 0xFF && u[1] == 0xFE) || (u[0] == 0xFE && u[1] == 0xFF))) {
        /* UTF-16: the markup is ASCII, keep its low bytes. */
        size_t lo = u[0] == 0xFF ? 0 : 1;
        for (size_t i = 2; i + 1 < len && n < sizeof ascii; i += 2) {
            unsigned char a = u[i + lo], b = u[i + 1 - lo];
            ascii[n++] = b == 0 && a < 0x80 ? (char)a : '?';
        }
    } else {
        n = len < sizeof ascii ? len : sizeof ascii;
        memcpy(ascii, data, n);
    }
    const char *end = ascii + n;
    const char *p = skip_prolog(ascii, end);
    if (p >= end || *p != '<')
        return 0;
    return root_is(p, end, "<rss") || root_is(p, end, "<feed") ||
           root_is(p, end, "<rdf:RDF") || root_is(p, end, "<RDF:RDF") ||
           root_is(p, end, "<RDF") || root_is(p, end, "<atom:feed");
}
