/*
 * The canonical feed model as JSON: everything a feed says, in the
 * normalised shape of Python feedparser's data model (feed/entries, the
 * *_detail objects, links, authors, tags, enclosures, dates as UTC with
 * the original under *_raw). feed.c reduces a feed to the handful of
 * fields the pipeline scores; this file keeps the rest, for `vigie parse`
 * and for anyone who wants the whole feed. It shares the hardened
 * libxml2 reader (feed_xml.c) and the date parser, and builds the result
 * with jansson. Values are kept as the feed wrote them: HTML stays HTML
 * (with its declared type), relative links are resolved against
 * xml:base, then Content-Location, then the document URL.
 */
#include "parser/feed.h"

#include "core/buf.h"
#include "core/url.h"
#include "parser/date.h"
#include "parser/feed_int.h"

#include <ctype.h>
#include <errno.h>
#include <iconv.h>
#include <jansson.h>
#include <libxml/encoding.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <uchardet/uchardet.h>

#define NS_ATOM10 "http://www.w3.org/2005/Atom"
#define NS_ATOM03 "http://purl.org/atom/ns#"
#define NS_XML "http://www.w3.org/XML/1998/namespace"
#define NS_XHTML "http://www.w3.org/1999/xhtml"
#define NS_RDF "http://www.w3.org/1999/02/22-rdf-syntax-ns#"
#define NS_RSS090 "http://my.netscape.com/rdf/simple/0.9/"

/* Nested xml:base attributes honoured for one value. */
#define MODEL_MAX_BASES 16
/* Depth of nested structures (atom:source inside entry) we follow. */
#define MODEL_MAX_DEPTH 4

/* The namespaces whose prefix the model uses as a key prefix, whatever
 * prefix the document chose ("dc_creator" whether written dc: or d:). */
static const struct {
    const char *uri;
    const char *prefix;
} known_ns[] = {
    {"http://www.w3.org/2005/Atom", ""},
    {"http://purl.org/atom/ns#", ""},
    {"http://purl.org/rss/1.0/", ""},
    {"http://my.netscape.com/rdf/simple/0.9/", ""},
    {"http://backend.userland.com/rss2", ""},
    {"http://blogs.law.harvard.edu/tech/rss", ""},
    {"http://backend.userland.com/rss", ""},
    {"http://purl.org/net/rss1.1#", ""},
    {"http://purl.org/dc/elements/1.1/", "dc"},
    {"http://purl.org/dc/elements/1.0/", "dc"},
    {"http://purl.org/dc/terms/", "dcterms"},
    {"http://purl.org/rss/1.0/modules/content/", "content"},
    {"http://www.w3.org/1999/02/22-rdf-syntax-ns#", "rdf"},
    {"http://purl.org/rss/1.0/modules/syndication/", "sy"},
    {"http://webns.net/mvcb/", "admin"},
    {"http://wellformedweb.org/CommentAPI/", "wfw"},
    {"http://purl.org/rss/1.0/modules/slash/", "slash"},
    {"http://purl.org/syndication/thread/1.0", "thr"},
    {"http://madskills.com/public/xml/rss/module/trackback/", "trackback"},
    {"http://www.w3.org/1999/xhtml", "xhtml"},
    {"http://purl.org/rss/1.0/modules/link/", "l"},
    {"http://www.w3.org/XML/1998/namespace", "xml"},
    {"http://creativecommons.org/ns#license", "cc"},
    {"http://web.resource.org/cc/", "cc"},
    {"http://backend.userland.com/creativeCommonsRssModule", "creativecommons"},
    {"http://search.yahoo.com/mrss/", "media"},
    {"http://www.itunes.com/dtds/podcast-1.0.dtd", "itunes"},
    {NULL, NULL}};

typedef enum { S_FEED, S_ENTRY, S_SOURCE } scope;

typedef struct mctx {
    const char *doc_base; /* Content-Location resolved, else the URL */
    const char *lang;     /* Content-Language, may be NULL */
    int atom;             /* Atom vocabulary (0.3 or 1.0) */
    int atom03;
    int markup_text;      /* HTML values to plain text */
    vg_err err;           /* sticky allocation failure */
} mctx;

/* The element's canonical key prefix ("" for a core vocabulary) and local
 * name. Unknown namespaces keep the document's own prefix. */
static const char *name_of(const xmlNode *n, const char **prefix)
{
    const char *name = n->name ? (const char *)n->name : "";
    *prefix = "";
    if (n->ns && n->ns->href) {
        for (int i = 0; known_ns[i].uri; i++)
            if (strcmp(known_ns[i].uri, (const char *)n->ns->href) == 0) {
                *prefix = known_ns[i].prefix;
                return name;
            }
        *prefix = n->ns->prefix ? (const char *)n->ns->prefix : "";
        return name;
    }
    /* An undeclared prefix leaves "dc:creator" as the whole name. */
    const char *colon = strchr(name, ':');
    if (colon) {
        static const char *const common[] = {"dc", "dcterms", "content", "atom",
                                             "rdf", "sy", "admin", "wfw", "slash",
                                             "thr", NULL};
        size_t pl = (size_t)(colon - name);
        for (int i = 0; common[i]; i++)
            if (strlen(common[i]) == pl && strncmp(common[i], name, pl) == 0) {
                *prefix = strcmp(common[i], "atom") == 0 ? "" : common[i];
                return colon + 1;
            }
    }
    return name;
}

static int is(const char *prefix, const char *local, const char *p, const char *l)
{
    return strcmp(prefix, p) == 0 && strcasecmp(local, l) == 0;
}

static void oom(mctx *c)
{
    c->err = VG_ENOMEM;
}

/* Appends the text below n: text, CDATA, flat internal entities; an
 * entity the document never defined stays as written ("&foo;"), which
 * is how a reader sees it. Iterative, like feed_xml_text. */
static void collect_text(const xmlNode *n, vg_buf *b)
{
    const xmlNode *stop = n, *cur = n ? n->children : NULL;
    while (cur) {
        if (cur->type == XML_TEXT_NODE || cur->type == XML_CDATA_SECTION_NODE) {
            if (cur->content)
                vg_buf_puts(b, (const char *)cur->content);
        } else if (cur->type == XML_ENTITY_REF_NODE) {
            xmlEntityPtr ent = cur->doc ? xmlGetDocEntity(cur->doc, cur->name) : NULL;
            if (ent && ent->etype == XML_INTERNAL_GENERAL_ENTITY && ent->content &&
                strlen((const char *)ent->content) <= 1024 &&
                !strchr((const char *)ent->content, '&') &&
                !strchr((const char *)ent->content, '<'))
                vg_buf_puts(b, (const char *)ent->content);
            else
                vg_buf_printf(b, "&%s;", cur->name ? (const char *)cur->name : "");
        } else if (cur->type == XML_ELEMENT_NODE && cur->children) {
            cur = cur->children;
            continue;
        }
        while (cur && !cur->next) {
            cur = cur->parent;
            if (cur == stop)
                return;
        }
        if (cur)
            cur = cur->next;
    }
}

/* Trims ASCII whitespace in place. */
static char *trim(char *s)
{
    if (!s)
        return s;
    size_t n = strlen(s), i = 0;
    while (i < n && isspace((unsigned char)s[i]))
        i++;
    while (n > i && isspace((unsigned char)s[n - 1]))
        n--;
    memmove(s, s + i, n - i);
    s[n - i] = '\0';
    return s;
}

/* windows-1252 for U+0080..U+009F: C1 controls in a feed are always
 * windows-1252 bytes that went through a Latin-1 decoder. */
static const unsigned short c1_cp1252[32] = {
    0x20AC, 0x81,   0x201A, 0x0192, 0x201E, 0x2026, 0x2020, 0x2021,
    0x02C6, 0x2030, 0x0160, 0x2039, 0x0152, 0x8D,   0x017D, 0x8F,
    0x90,   0x2018, 0x2019, 0x201C, 0x201D, 0x2022, 0x2013, 0x2014,
    0x02DC, 0x2122, 0x0161, 0x203A, 0x0153, 0x9D,   0x017E, 0x0178};

static void put_cp(vg_buf *b, unsigned cp)
{
    char u[3];
    if (cp < 0x80) {
        vg_buf_putc(b, (char)cp);
    } else if (cp < 0x800) {
        u[0] = (char)(0xC0 | (cp >> 6));
        u[1] = (char)(0x80 | (cp & 0x3F));
        vg_buf_append(b, u, 2);
    } else {
        u[0] = (char)(0xE0 | (cp >> 12));
        u[1] = (char)(0x80 | ((cp >> 6) & 0x3F));
        u[2] = (char)(0x80 | (cp & 0x3F));
        vg_buf_append(b, u, 3);
    }
}

/* UTF-8 that was decoded as Latin-1 and encoded again ("â€¦" for "…"):
 * when every non-ASCII character is below U+0100 and those code points,
 * taken as bytes, form valid multi-byte UTF-8, the bytes are the text.
 * Otherwise C1 controls become their windows-1252 characters. Returns s
 * or a replacement (s freed). */
static char *repair_text(char *s)
{
    const unsigned char *u = (const unsigned char *)s;
    int high = 0, c1 = 0, wide = 0;
    for (size_t i = 0; u[i]; i++) {
        if (u[i] >= 0xC4)
            wide = 1;
        else if (u[i] == 0xC2 && u[i + 1] >= 0x80 && u[i + 1] <= 0x9F)
            c1 = 1;
        if (u[i] >= 0x80)
            high = 1;
    }
    if (!high || wide || !c1)
        return s;
    vg_buf b;
    vg_buf_init(&b, strlen(s) * 3 + 1);
    /* Latin-1 bytes of the text. */
    for (size_t i = 0; u[i]; i++) {
        if (u[i] < 0x80)
            vg_buf_putc(&b, (char)u[i]);
        else if ((u[i] == 0xC2 || u[i] == 0xC3) && u[i + 1]) {
            vg_buf_putc(&b, (char)(((u[i] & 0x03) << 6) | (u[i + 1] & 0x3F)));
            i++;
        }
    }
    int valid = b.err == VG_OK && b.len;
    const unsigned char *v = (const unsigned char *)b.ptr;
    for (size_t i = 0; valid && i < b.len;) {
        size_t k = v[i] < 0x80 ? 1 : (v[i] >> 5) == 6 ? 2 : (v[i] >> 4) == 14 ? 3 : 0;
        if (!k || i + k > b.len)
            valid = 0;
        for (size_t j = 1; valid && j < k; j++)
            if ((v[i + j] & 0xC0) != 0x80)
                valid = 0;
        i += k ? k : 1;
    }
    if (!valid) {
        vg_buf_reset(&b);
        for (size_t i = 0; u[i]; i++) {
            if (u[i] == 0xC2 && u[i + 1] >= 0x80 && u[i + 1] <= 0x9F) {
                put_cp(&b, c1_cp1252[u[i + 1] - 0x80]);
                i++;
            } else {
                vg_buf_putc(&b, (char)u[i]);
            }
        }
    }
    char *r = b.err == VG_OK ? vg_buf_detach(&b) : NULL;
    vg_buf_free(&b);
    if (!r)
        return s;
    free(s);
    return r;
}

/* The element's text, trimmed; "" when empty, NULL only on failure. */
static char *text_of(mctx *c, const xmlNode *n)
{
    vg_buf b;
    vg_buf_init(&b, FEED_MAX_BYTES);
    vg_buf_puts(&b, "");
    collect_text(n, &b);
    if (b.err != VG_OK) {
        vg_buf_free(&b);
        vg_buf_init(&b, 16);
        vg_buf_puts(&b, "");
    }
    char *s = vg_buf_detach(&b);
    if (!s)
        oom(c);
    return trim(repair_text(s));
}

static char *attr(const xmlNode *n, const char *name)
{
    return feed_xml_attr(n, name, NULL);
}

/* Resolved xml:base in scope at n, starting from the document base.
 * malloc'd; NULL when there is no base at all. */
static char *base_at(mctx *c, const xmlNode *n)
{
    const xmlNode *with[MODEL_MAX_BASES];
    int nb = 0;
    for (const xmlNode *p = n; p && p->type == XML_ELEMENT_NODE; p = p->parent)
        if (xmlHasNsProp(p, BAD_CAST "base", BAD_CAST NS_XML) && nb < MODEL_MAX_BASES)
            with[nb++] = p;
    char *base = c->doc_base ? vg_strdup(c->doc_base) : NULL;
    for (int i = nb - 1; i >= 0; i--) {
        char *xb = feed_xml_attr(with[i], "base", NS_XML);
        char *next = NULL;
        if (!xb)
            continue;
        trim(xb);
        if (vg_url_resolve(base, xb, &next) == VG_OK) {
            free(base);
            base = next;
            free(xb);
        } else if (!base) {
            base = xb; /* relative with nothing to resolve against */
        } else {
            free(xb);
        }
    }
    return base;
}

/* ref made absolute against the base in scope at n; kept as written when
 * that is impossible (no base, or a non-http scheme). */
static char *resolve(mctx *c, const xmlNode *n, const char *ref)
{
    char *out = NULL;
    if (!ref)
        return NULL;
    char *base = base_at(c, n);
    if (!*ref && base)
        out = vg_strdup(base); /* an empty reference is the base itself */
    else if (vg_url_resolve(base, ref, &out) != VG_OK)
        out = vg_strdup(ref);
    free(base);
    if (!out)
        oom(c);
    return out;
}

/* xml:lang (or a bare lang) in scope at n, else Content-Language. */
static char *lang_at(const mctx *c, const xmlNode *n)
{
    for (const xmlNode *p = n; p && p->type == XML_ELEMENT_NODE; p = p->parent) {
        char *v = feed_xml_attr(p, "lang", NS_XML);
        if (v) {
            trim(v);
            for (char *q = v; *q; q++)
                if (*q == '_')
                    *q = '-';
            if (!*v) {
                free(v);
                return NULL; /* xml:lang="" unsets the language */
            }
            return v;
        }
    }
    return c->lang ? vg_strdup(c->lang) : NULL;
}

static void set_str(json_t *o, const char *key, const char *v)
{
    json_object_set_new(o, key, v ? json_string(v) : json_null());
}

static void set_own(json_t *o, const char *key, char *v)
{
    set_str(o, key, v);
    free(v);
}

/* A string that is invalid UTF-8 would make jansson refuse it: replace
 * bad bytes before building values. */
static char *clean_utf8(mctx *c, char *s)
{
    if (!s)
        return NULL;
    json_t *probe = json_string(s);
    if (!probe) {
        char *t = feed_text_normalize(s, strlen(s), 0, &c->err);
        free(s);
        return t ? t : vg_strdup("");
    }
    json_decref(probe);
    return s;
}

static json_t *jstr(mctx *c, char *s)
{
    s = clean_utf8(c, s);
    json_t *v = s ? json_string(s) : json_null();
    free(s);
    return v ? v : json_null();
}

/* Feed producers escape HTML in fields that are plain text by spec: a
 * closing tag or an entity reference is the tell. */
static int looks_like_html(const char *s)
{
    const char *p = s;
    while ((p = strstr(p, "</")) != NULL) {
        p += 2;
        if (isalpha((unsigned char)*p))
            return 1;
    }
    for (p = strchr(s, '&'); p; p = strchr(p + 1, '&')) {
        const char *q = p + 1;
        if (*q == '#')
            q++;
        const char *st = q;
        while (isalnum((unsigned char)*q))
            q++;
        if (q > st && *q == ';')
            return 1;
    }
    return 0;
}

/* Serialises n's children as XML (inline xhtml/xml content). */
static char *serialize_children(mctx *c, const xmlNode *n)
{
    const xmlNode *parent = n;
    /* XHTML content wraps itself in one <div>; the wrapper is not part
     * of the value. */
    const xmlNode *only = NULL;
    int elems = 0, texts = 0;
    for (const xmlNode *k = n->children; k; k = k->next) {
        if (k->type == XML_ELEMENT_NODE) {
            elems++;
            only = k;
        } else if (k->type == XML_TEXT_NODE && k->content) {
            for (const char *t = (const char *)k->content; *t; t++)
                if (!isspace((unsigned char)*t))
                    texts++;
        }
    }
    if (elems == 1 && !texts && only->name && strcmp((const char *)only->name, "div") == 0)
        parent = only;
    xmlBufferPtr xb = xmlBufferCreate();
    if (!xb) {
        oom(c);
        return NULL;
    }
    for (const xmlNode *k = parent->children; k; k = k->next)
        xmlNodeDump(xb, k->doc, (xmlNodePtr)k, 0, 0);
    char *s = vg_strndup((const char *)xmlBufferContent(xb), (size_t)xmlBufferLength(xb));
    xmlBufferFree(xb);
    if (!s)
        oom(c);
    return trim(s);
}

static const unsigned char b64[] =
    "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";

/* Decodes base64 (Atom 0.3 mode="base64"), skipping whitespace. */
static char *base64_decode(const char *s)
{
    size_t n = strlen(s);
    char *out = malloc(n + 1);
    if (!out)
        return NULL;
    unsigned acc = 0;
    int bits = 0;
    size_t o = 0;
    for (; *s; s++) {
        const unsigned char *p = (const unsigned char *)strchr((const char *)b64, *s);
        if (*s == '=' )
            break;
        if (!p || !*s)
            continue;
        acc = (acc << 6) | (unsigned)(p - b64);
        bits += 6;
        if (bits >= 8) {
            bits -= 8;
            out[o++] = (char)((acc >> bits) & 0xFF);
        }
    }
    out[o] = '\0';
    return out;
}

static const char *map_type(const char *t, int atom)
{
    if (!t)
        return NULL;
    if (strcasecmp(t, "text") == 0 || (!atom && strcasecmp(t, "plain") == 0))
        return "text/plain";
    if (strcasecmp(t, "html") == 0)
        return "text/html";
    if (strcasecmp(t, "xhtml") == 0)
        return "application/xhtml+xml";
    return t;
}

/* A text construct: value and type. default_type applies when the
 * element declares none. For RSS (not Atom) plain text that carries
 * markup is re-typed as HTML. */
static json_t *construct(mctx *c, const xmlNode *n, const char *default_type,
                         char **value_out)
{
    char *type_attr = attr(n, "type");
    char *mode = attr(n, "mode");
    char *value = NULL;
    char type[128];
    const char *t = map_type(type_attr ? trim(type_attr) : NULL, c->atom);
    snprintf(type, sizeof type, "%s", t ? t : default_type);
    for (char *p = type; *p; p++)
        *p = (char)tolower((unsigned char)*p);
    int xmlish = strcmp(type, "application/xhtml+xml") == 0 ||
                 (mode && strcasecmp(mode, "xml") == 0) ||
                 (!mode && c->atom && !strstr(type, "html") && strlen(type) > 4 &&
                  (strcmp(type + strlen(type) - 4, "/xml") == 0 ||
                   strcmp(type + strlen(type) - 4, "+xml") == 0));
    int b64_type = c->atom && !c->atom03 && !mode && type_attr && strncmp(type, "text/", 5) != 0 &&
                   !xmlish && strcmp(type, "text/html") != 0 && strstr(type, "/") != NULL;
    if ((mode && strcasecmp(mode, "base64") == 0) || b64_type) {
        char *raw = text_of(c, n);
        value = raw ? base64_decode(raw) : NULL;
        free(raw);
    } else if (xmlish) {
        int has_elem = 0;
        for (const xmlNode *k = n->children; k; k = k->next)
            has_elem |= k->type == XML_ELEMENT_NODE;
        value = has_elem ? serialize_children(c, n) : text_of(c, n);
    } else {
        value = text_of(c, n);
    }
    if (!value) {
        value = vg_strdup("");
        if (!value)
            oom(c);
    }
    value = clean_utf8(c, value);
    if (!c->atom && strcmp(type, "text/plain") == 0 && value && looks_like_html(value))
        snprintf(type, sizeof type, "text/html");
    if (c->markup_text && value && *value && strstr(type, "html")) {
        char *plain = NULL;
        if (feed_html_text(value, strlen(value), 0, &plain) == VG_ENOMEM)
            oom(c);
        free(value);
        value = plain ? plain : vg_strdup("");
    }
    json_t *d = json_object();
    json_object_set_new(d, "type", json_string(type));
    json_object_set_new(d, "value", json_string(value ? value : ""));
    set_own(d, "language", lang_at(c, n));
    set_own(d, "base", base_at(c, n));
    if (c->atom) {
        char *src = attr(n, "src");
        if (src) {
            set_own(d, "src", resolve(c, n, trim(src)));
            free(src);
        }
    }
    free(type_attr);
    free(mode);
    *value_out = value;
    return d;
}

/* Sets key and key_detail from a text construct. */
static void text_field(mctx *c, json_t *o, const char *key, const xmlNode *n,
                       const char *default_type)
{
    char *value = NULL;
    json_t *d = construct(c, n, default_type, &value);
    char dk[64];
    snprintf(dk, sizeof dk, "%s_detail", key);
    json_object_set_new(o, key, json_string(value ? value : ""));
    json_object_set_new(o, dk, d);
    free(value);
}

/* Dates: the UTC form under key (null when unparseable), the original
 * under key_raw. */
static void date_field(mctx *c, json_t *o, const char *key, const char *raw)
{
    char rk[64];
    int64_t t;
    snprintf(rk, sizeof rk, "%s_raw", key);
    if (date_parse_flags(raw, DATE_REDUCED, &t) == VG_OK) {
        char iso[32];
        if (date_format_utc(t, iso, sizeof iso) == VG_OK)
            json_object_set_new(o, key, json_string(iso));
        else
            json_object_set_new(o, key, json_null());
    } else {
        json_object_set_new(o, key, json_null());
    }
    json_object_set_new(o, rk, jstr(c, vg_strdup(raw)));
}

static void list_append(json_t *o, const char *key, json_t *item)
{
    json_t *l = json_object_get(o, key);
    if (!json_is_array(l)) {
        l = json_array();
        json_object_set_new(o, key, l);
    }
    json_array_append_new(l, item);
}

/* "me@example.com (Jane)" or "Jane <me@example.com>" or "Jane": the
 * person object feeds imply with a free-text author. */
static json_t *person_from_text(mctx *c, const char *s)
{
    json_t *p = json_object();
    const char *at = strchr(s, '@');
    char *email = NULL, *name = NULL;
    if (at) {
        const char *st = at, *en = at;
        while (st > s && !isspace((unsigned char)st[-1]) && !strchr("(<:", st[-1]))
            st--;
        while (*en && !isspace((unsigned char)*en) && !strchr(")>", *en))
            en++;
        email = vg_strndup(st, (size_t)(en - st));
        if (email && strncasecmp(email, "mailto:", 7) == 0)
            memmove(email, email + 7, strlen(email + 7) + 1);
        /* The name is what remains, without brackets. */
        vg_buf b;
        vg_buf_init(&b, strlen(s) + 1);
        vg_buf_append(&b, s, (size_t)(st - s));
        vg_buf_puts(&b, en);
        char *rest = vg_buf_detach(&b);
        if (rest) {
            for (char *q = rest; *q; q++)
                if (strchr("()<>", *q))
                    *q = ' ';
            /* "mailto:" left before the address. */
            trim(rest);
            size_t rl = strlen(rest);
            if (rl >= 7 && strcasecmp(rest + rl - 7, "mailto:") == 0)
                rest[rl - 7] = '\0';
            trim(rest);
            if (*rest)
                name = rest;
            else
                free(rest);
        }
    } else {
        name = vg_strdup(s);
    }
    if (name)
        json_object_set_new(p, "name", jstr(c, name));
    if (email)
        json_object_set_new(p, "email", jstr(c, email));
    return p;
}

/* author/author_detail/authors from a free-text author. */
static void text_author(mctx *c, json_t *o, const char *key, const char *v)
{
    char dk[64], lk[64];
    snprintf(dk, sizeof dk, "%s_detail", key);
    snprintf(lk, sizeof lk, "%ss", key);
    json_object_set_new(o, key, jstr(c, vg_strdup(v)));
    json_t *p = person_from_text(c, v);
    json_object_set(o, dk, p);
    if (strcmp(key, "author") == 0)
        list_append(o, lk, json_deep_copy(p));
    json_decref(p);
}

/* An Atom person construct (author, contributor). */
static json_t *person(mctx *c, const xmlNode *n)
{
    json_t *p = json_object();
    for (const xmlNode *k = n->children; k; k = k->next) {
        const char *pfx;
        if (k->type != XML_ELEMENT_NODE)
            continue;
        const char *l = name_of(k, &pfx);
        if (*pfx)
            continue;
        if (strcasecmp(l, "name") == 0)
            json_object_set_new(p, "name", jstr(c, text_of(c, k)));
        else if (strcasecmp(l, "email") == 0)
            json_object_set_new(p, "email", jstr(c, text_of(c, k)));
        else if (strcasecmp(l, "uri") == 0 || strcasecmp(l, "url") == 0 ||
                 strcasecmp(l, "homepage") == 0) {
            char *t = text_of(c, k);
            json_object_set_new(p, "href", jstr(c, resolve(c, k, t)));
            free(t);
        }
    }
    /* No child elements at all: a bare-text author. */
    if (json_object_size(p) == 0) {
        char *t = text_of(c, n);
        if (t && *t) {
            json_decref(p);
            p = person_from_text(c, t);
        }
        free(t);
    }
    return p;
}

/* author string as feedparser writes it: "name (email)". */
static char *person_string(const json_t *p)
{
    const char *name = json_string_value(json_object_get(p, "name"));
    const char *email = json_string_value(json_object_get(p, "email"));
    vg_buf b;
    vg_buf_init(&b, 4096);
    if (name && email)
        vg_buf_printf(&b, "%s (%s)", name, email);
    else if (name)
        vg_buf_puts(&b, name);
    else if (email)
        vg_buf_puts(&b, email);
    else {
        vg_buf_free(&b);
        return NULL;
    }
    return vg_buf_detach(&b);
}

static json_t *tag(mctx *c, char *term, char *scheme, char *label)
{
    json_t *t = json_object();
    json_object_set_new(t, "term", term ? jstr(c, vg_strdup(trim(term))) : json_null());
    json_object_set_new(t, "scheme", scheme ? jstr(c, vg_strdup(trim(scheme))) : json_null());
    json_object_set_new(t, "label", label ? jstr(c, vg_strdup(trim(label))) : json_null());
    return t;
}

/* An Atom <link>, or RSS's atom:link. */
static void atom_link(mctx *c, json_t *o, const xmlNode *n, scope sc)
{
    json_t *l = json_object();
    char *rel = attr(n, "rel"), *type = attr(n, "type"), *href = attr(n, "href");
    if (!href) {
        /* Atom 0.3 era feeds put the URL in the element's text. */
        href = text_of(c, n);
        if (href && !*href) {
            free(href);
            href = NULL;
        }
    }
    char *title = attr(n, "title"), *length = attr(n, "length");
    char *hreflang = attr(n, "hreflang");
    if (rel)
        trim(rel);
    if (!rel || !*rel) {
        free(rel);
        rel = vg_strdup("alternate");
    }
    const char *ty = type ? trim(type) : strcmp(rel, "self") == 0 ? "application/atom+xml"
                                                                 : "text/html";
    json_object_set_new(l, "rel", json_string(rel ? rel : "alternate"));
    json_object_set_new(l, "type", jstr(c, vg_strdup(ty)));
    json_object_set_new(l, "href", jstr(c, resolve(c, n, href ? trim(href) : "")));
    if (title)
        json_object_set_new(l, "title", jstr(c, vg_strdup(title)));
    if (length)
        json_object_set_new(l, "length", jstr(c, vg_strdup(trim(length))));
    if (hreflang)
        json_object_set_new(l, "hreflang", jstr(c, vg_strdup(trim(hreflang))));
    const char *h = json_string_value(json_object_get(l, "href"));
    if (rel && strcmp(rel, "enclosure") == 0 && sc != S_FEED) {
        json_t *e = json_object();
        json_object_set_new(e, "href", json_string(h ? h : ""));
        if (type)
            json_object_set_new(e, "type", jstr(c, vg_strdup(type)));
        if (length)
            json_object_set_new(e, "length", jstr(c, vg_strdup(length)));
        list_append(o, "enclosures", e);
    }
    if (rel && strcmp(rel, "license") == 0 && h && !json_object_get(o, "license"))
        json_object_set_new(o, "license", json_string(h));
    if (rel && strcmp(rel, "alternate") == 0 && h &&
        (strstr(ty, "html") || strcmp(ty, "text/plain") == 0) && !json_object_get(o, "link"))
        json_object_set_new(o, "link", json_string(h));
    list_append(o, "links", l);
    free(rel);
    free(type);
    free(href);
    free(title);
    free(length);
    free(hreflang);
}

static void parse_container(mctx *c, json_t *o, const xmlNode *parent, scope sc, int depth);

/* Copies the attributes of n into a new object, names lower-cased. */
static json_t *attrs_object(mctx *c, const xmlNode *n)
{
    json_t *o = json_object();
    for (const xmlAttr *a = n->properties; a; a = a->next) {
        char key[64];
        snprintf(key, sizeof key, "%s", a->name ? (const char *)a->name : "");
        for (char *p = key; *p; p++)
            *p = (char)tolower((unsigned char)*p);
        char *v = feed_xml_attr(n, (const char *)a->name, NULL);
        json_object_set_new(o, key, jstr(c, v));
    }
    return o;
}

/* image / textinput: small records with their own fields. */
static json_t *record(mctx *c, const xmlNode *n)
{
    json_t *o = json_object();
    for (const xmlNode *k = n->children; k; k = k->next) {
        const char *pfx;
        if (k->type != XML_ELEMENT_NODE)
            continue;
        const char *l = name_of(k, &pfx);
        if (*pfx && strcmp(pfx, "dc") != 0)
            continue;
        char *t = text_of(c, k);
        if (!t)
            continue;
        if (strcasecmp(l, "url") == 0 || strcasecmp(l, "link") == 0) {
            char *r = resolve(c, k, t);
            json_object_set_new(o, strcasecmp(l, "url") == 0 ? "href" : "link", jstr(c, r));
        } else if (strcasecmp(l, "width") == 0 || strcasecmp(l, "height") == 0) {
            char *end = NULL;
            long v = strtol(t, &end, 10);
            json_object_set_new(o, strcasecmp(l, "width") == 0 ? "width" : "height",
                                end && *end == '\0' && end != t ? json_integer(v)
                                                                : json_integer(0));
        } else if (strcasecmp(l, "description") == 0) {
            text_field(c, o, "subtitle", k, "text/plain");
        } else if (strcasecmp(l, "title") == 0) {
            text_field(c, o, "title", k, "text/plain");
        } else {
            char key[64];
            snprintf(key, sizeof key, "%s", l);
            for (char *p = key; *p; p++)
                *p = (char)tolower((unsigned char)*p);
            json_object_set_new(o, key, jstr(c, vg_strdup(t)));
        }
        free(t);
    }
    return o;
}

/* One child element of a feed, entry or source. */
static void field(mctx *c, json_t *o, const xmlNode *n, scope sc, int depth)
{
    const char *pfx;
    const char *l = name_of(n, &pfx);
    int core = *pfx == '\0';
    char *t = NULL;
    if (core && strcasecmp(l, "title") == 0) {
        text_field(c, o, "title", n, "text/plain");
    } else if ((is(pfx, l, "dc", "title")) && !json_object_get(o, "title")) {
        text_field(c, o, "title", n, "text/plain");
    } else if (core && sc == S_ENTRY && !c->atom &&
               (strcasecmp(l, "description") == 0 || strcasecmp(l, "summary") == 0) &&
               json_object_get(o, "summary")) {
        /* RSS with both: the second one is the full content. */
        char *value = NULL;
        json_t *d = construct(c, n, "text/html", &value);
        free(value);
        list_append(o, "content", d);
    } else if (core && strcasecmp(l, "description") == 0) {
        text_field(c, o, sc == S_ENTRY ? "summary" : "subtitle", n, "text/html");
    } else if (is(pfx, l, "dc", "description")) {
        if (!json_object_get(o, sc == S_ENTRY ? "summary" : "subtitle"))
            text_field(c, o, sc == S_ENTRY ? "summary" : "subtitle", n, "text/html");
    } else if (core && (strcasecmp(l, "subtitle") == 0 || strcasecmp(l, "tagline") == 0)) {
        text_field(c, o, "subtitle", n, "text/plain");
    } else if (core && strcasecmp(l, "info") == 0) {
        text_field(c, o, "info", n, "text/plain");
    } else if (core && strcasecmp(l, "summary") == 0) {
        text_field(c, o, "summary", n, c->atom ? "text/plain" : "text/html");
    } else if (core && (strcasecmp(l, "rights") == 0 || strcasecmp(l, "copyright") == 0)) {
        text_field(c, o, "rights", n, "text/plain");
    } else if (is(pfx, l, "dc", "rights") || is(pfx, l, "dcterms", "rights")) {
        text_field(c, o, "rights", n, "text/plain");
    } else if ((core && strcasecmp(l, "content") == 0 && c->atom) ||
               is(pfx, l, "content", "encoded") || is(pfx, l, "xhtml", "body") ||
               (core && !c->atom && sc == S_ENTRY &&
                (strcasecmp(l, "fullitem") == 0 || strcasecmp(l, "body") == 0))) {
        char *value = NULL;
        const char *dt = is(pfx, l, "xhtml", "body") ? "application/xhtml+xml"
                         : core                      ? "text/plain"
                                                     : "text/html";
        json_t *d;
        if (is(pfx, l, "xhtml", "body")) {
            d = json_object();
            value = serialize_children(c, n);
            json_object_set_new(d, "type", json_string(dt));
            json_object_set_new(d, "value", jstr(c, vg_strdup(value ? value : "")));
            set_own(d, "language", lang_at(c, n));
            set_own(d, "base", base_at(c, n));
        } else {
            d = construct(c, n, dt, &value);
        }
        free(value);
        list_append(o, "content", d);
        /* An entry with content and no summary: feedparser's summary is
         * the first content (kept for fidelity). */
    } else if (core && strcasecmp(l, "link") == 0) {
        char *href = attr(n, "href");
        if (href || c->atom || (n->ns && n->ns->href &&
                                strcmp((const char *)n->ns->href, NS_ATOM10) == 0)) {
            free(href);
            atom_link(c, o, n, sc);
        } else {
            t = text_of(c, n);
            if (t && *t) {
                char *r = resolve(c, n, t);
                json_object_set_new(o, "link", jstr(c, vg_strdup(r)));
                json_t *lk = json_object();
                json_object_set_new(lk, "rel", json_string("alternate"));
                json_object_set_new(lk, "type", json_string("text/html"));
                json_object_set_new(lk, "href", jstr(c, r));
                list_append(o, "links", lk);
            }
        }
    } else if (is(pfx, l, "atom", "link") ||
               (n->ns && n->ns->href && strcmp((const char *)n->ns->href, NS_ATOM10) == 0 &&
                strcasecmp(l, "link") == 0)) {
        atom_link(c, o, n, sc);
    } else if (core && (strcasecmp(l, "id") == 0 || strcasecmp(l, "guid") == 0)) {
        t = text_of(c, n);
        /* Atom ids are IRIs that may be relative; an RSS guid is opaque. */
        json_object_set_new(o, "id", jstr(c, t && *t && strcasecmp(l, "id") == 0
                                                 ? resolve(c, n, t)
                                                 : vg_strdup(t)));
        if (strcasecmp(l, "guid") == 0) {
            char *perma = attr(n, "isPermaLink");
            int islink = !(perma && strcasecmp(trim(perma), "false") == 0);
            free(perma);
            json_object_set_new(o, "guidislink", json_boolean(islink && !json_object_get(o, "link")));
            if (islink && t && *t && !json_object_get(o, "link"))
                json_object_set_new(o, "link", jstr(c, resolve(c, n, t)));
        } else if (sc == S_ENTRY) {
            json_object_set_new(o, "guidislink", json_false());
        }
    } else if (is(pfx, l, "dc", "identifier") && !json_object_get(o, "id")) {
        json_object_set_new(o, "id", jstr(c, text_of(c, n)));
    } else if ((core && (strcasecmp(l, "pubDate") == 0 || strcasecmp(l, "published") == 0 ||
                         strcasecmp(l, "issued") == 0)) ||
               is(pfx, l, "dcterms", "issued")) {
        t = text_of(c, n);
        date_field(c, o, "published", t);
    } else if ((core && (strcasecmp(l, "updated") == 0 || strcasecmp(l, "modified") == 0 ||
                         strcasecmp(l, "lastBuildDate") == 0)) ||
               is(pfx, l, "dc", "date") || is(pfx, l, "dcterms", "modified")) {
        t = text_of(c, n);
        date_field(c, o, "updated", t);
    } else if ((core && strcasecmp(l, "created") == 0) || is(pfx, l, "dcterms", "created")) {
        t = text_of(c, n);
        date_field(c, o, "created", t);
    } else if (core && strcasecmp(l, "expirationDate") == 0) {
        t = text_of(c, n);
        date_field(c, o, "expired", t);
    } else if (is(pfx, l, "dcterms", "valid")) {
        t = text_of(c, n);
        /* "start=2004-01-01;end=2004-12-31;scheme=W3C-DTF" */
        for (char *p = t; p && *p;) {
            char *semi = strchr(p, ';');
            if (semi)
                *semi = '\0';
            char *eq = strchr(p, '=');
            if (eq) {
                *eq = '\0';
                trim(p);
                char *v = trim(eq + 1);
                if (strcmp(p, "start") == 0)
                    date_field(c, o, "validity_start", v);
                else if (strcmp(p, "end") == 0)
                    date_field(c, o, "validity_end", v);
            }
            p = semi ? semi + 1 : NULL;
        }
    } else if (core && strcasecmp(l, "author") == 0 && c->atom) {
        json_t *p = person(c, n);
        char *s = person_string(p);
        json_object_set_new(o, "author", jstr(c, s));
        json_object_set(o, "author_detail", p);
        list_append(o, "authors", p);
    } else if ((core && (strcasecmp(l, "author") == 0 ||
                         strcasecmp(l, "managingEditor") == 0)) ||
               is(pfx, l, "dc", "creator") || is(pfx, l, "dc", "author")) {
        t = text_of(c, n);
        if (t && *t)
            text_author(c, o, "author", t);
    } else if ((core && strcasecmp(l, "webMaster") == 0) || is(pfx, l, "dc", "publisher")) {
        t = text_of(c, n);
        if (t && *t)
            text_author(c, o, "publisher", t);
    } else if (core && strcasecmp(l, "contributor") == 0) {
        list_append(o, "contributors", person(c, n));
    } else if (is(pfx, l, "dc", "contributor")) {
        t = text_of(c, n);
        json_t *p = json_object();
        json_object_set_new(p, "name", jstr(c, vg_strdup(t)));
        list_append(o, "contributors", p);
    } else if (core && strcasecmp(l, "category") == 0) {
        char *term = attr(n, "term");
        char *scheme = attr(n, "scheme");
        if (!scheme)
            scheme = attr(n, "domain");
        char *label = attr(n, "label");
        if (!term)
            term = text_of(c, n);
        list_append(o, "tags", tag(c, term, scheme, label));
        free(term);
        free(scheme);
        free(label);
    } else if (is(pfx, l, "dc", "subject")) {
        t = text_of(c, n);
        list_append(o, "tags", tag(c, t, NULL, NULL));
    } else if (core && strcasecmp(l, "enclosure") == 0) {
        char *url = attr(n, "url"), *type = attr(n, "type"), *len = attr(n, "length");
        json_t *e = json_object(), *lk = json_object();
        char *href = url ? resolve(c, n, trim(url)) : NULL;
        json_object_set_new(e, "href", jstr(c, vg_strdup(href ? href : "")));
        json_object_set_new(lk, "rel", json_string("enclosure"));
        json_object_set_new(lk, "href", jstr(c, vg_strdup(href ? href : "")));
        if (type) {
            json_object_set_new(e, "type", jstr(c, vg_strdup(type)));
            json_object_set_new(lk, "type", jstr(c, vg_strdup(type)));
        }
        if (len) {
            json_object_set_new(e, "length", jstr(c, vg_strdup(len)));
            json_object_set_new(lk, "length", jstr(c, vg_strdup(len)));
        }
        list_append(o, "enclosures", e);
        list_append(o, "links", lk);
        free(href);
        free(url);
        free(type);
        free(len);
    } else if (core && strcasecmp(l, "source") == 0 && sc == S_ENTRY) {
        json_t *s = json_object();
        if (c->atom && depth < MODEL_MAX_DEPTH) {
            parse_container(c, s, n, S_SOURCE, depth + 1);
        } else {
            char *url = attr(n, "url");
            if (url) {
                json_object_set_new(s, "href", jstr(c, resolve(c, n, trim(url))));
                free(url);
            }
            json_object_set_new(s, "title", jstr(c, text_of(c, n)));
        }
        json_object_set_new(o, "source", s);
    } else if ((core && strcasecmp(l, "language") == 0) || is(pfx, l, "dc", "language")) {
        json_object_set_new(o, "language", jstr(c, text_of(c, n)));
    } else if (core && strcasecmp(l, "generator") == 0) {
        t = text_of(c, n);
        json_t *g = json_object();
        json_object_set_new(g, "name", jstr(c, vg_strdup(t)));
        char *uri = attr(n, "uri");
        if (!uri)
            uri = attr(n, "url");
        char *ver = attr(n, "version");
        if (uri) {
            json_object_set_new(g, "href", jstr(c, resolve(c, n, trim(uri))));
            free(uri);
        }
        if (ver)
            json_object_set_new(g, "version", jstr(c, ver));
        json_object_set_new(o, "generator", jstr(c, vg_strdup(t)));
        json_object_set_new(o, "generator_detail", g);
    } else if (is(pfx, l, "admin", "generatorAgent")) {
        char *res = feed_xml_attr(n, "resource", NS_RDF);
        if (!res)
            res = attr(n, "resource");
        if (res) {
            json_t *g = json_object();
            json_object_set_new(g, "href", jstr(c, resolve(c, n, trim(res))));
            json_object_set_new(o, "generator_detail", g);
            json_object_set_new(o, "generator", jstr(c, vg_strdup(res)));
            free(res);
        }
    } else if (is(pfx, l, "cc", "license") || is(pfx, l, "creativecommons", "license")) {
        char *res = feed_xml_attr(n, "resource", NS_RDF);
        if (!res)
            res = text_of(c, n);
        if (res && *res) {
            json_t *lk = json_object();
            json_object_set_new(lk, "rel", json_string("license"));
            json_object_set_new(lk, "type", json_string("text/html"));
            json_object_set_new(lk, "href", jstr(c, vg_strdup(res)));
            list_append(o, "links", lk);
            if (!json_object_get(o, "license"))
                json_object_set_new(o, "license", jstr(c, vg_strdup(res)));
        }
        free(res);
    } else if (is(pfx, l, "admin", "errorReportsTo")) {
        char *res = feed_xml_attr(n, "resource", NS_RDF);
        if (!res)
            res = attr(n, "resource");
        json_object_set_new(o, "errorreportsto", jstr(c, res));
    } else if (core && strcasecmp(l, "cloud") == 0) {
        json_object_set_new(o, "cloud", attrs_object(c, n));
    } else if (core && strcasecmp(l, "image") == 0 && !c->atom) {
        json_object_set_new(o, "image", record(c, n));
    } else if (core && (strcasecmp(l, "textinput") == 0)) {
        json_object_set_new(o, "textinput", record(c, n));
    } else if (core && (strcasecmp(l, "icon") == 0 || strcasecmp(l, "logo") == 0)) {
        t = text_of(c, n);
        json_object_set_new(o, strcasecmp(l, "icon") == 0 ? "icon" : "logo",
                            jstr(c, resolve(c, n, t)));
    } else if (is(pfx, l, "wfw", "comment") || is(pfx, l, "wfw", "commentRss")) {
        t = text_of(c, n);
        json_object_set_new(o, strcasecmp(l, "comment") == 0 ? "wfw_comment" : "wfw_commentrss",
                            jstr(c, resolve(c, n, t)));
    } else if (core && (strcasecmp(l, "comments") == 0 || strcasecmp(l, "docs") == 0)) {
        t = text_of(c, n);
        json_object_set_new(o, strcasecmp(l, "docs") == 0 ? "docs" : "comments",
                            jstr(c, resolve(c, n, t)));
    } else if (core && strcasecmp(l, "ttl") == 0) {
        json_object_set_new(o, "ttl", jstr(c, text_of(c, n)));
    } else if (is(pfx, l, "thr", "in-reply-to")) {
        json_t *r = attrs_object(c, n);
        const char *h = json_string_value(json_object_get(r, "href"));
        if (h)
            json_object_set_new(r, "href", jstr(c, resolve(c, n, h)));
        json_object_set_new(o, "thr_in-reply-to", r);
    } else if (core && (strcasecmp(l, "entry") == 0 || strcasecmp(l, "item") == 0 ||
                        strcasecmp(l, "items") == 0 || strcasecmp(l, "channel") == 0)) {
        /* structure, handled by the caller */
    } else {
        /* Anything else becomes prefix_name with its text, the way
         * extension elements (wfw:commentRss, slash:comments) travel. */
        int has_elem = 0;
        for (const xmlNode *k = n->children; k; k = k->next)
            has_elem |= k->type == XML_ELEMENT_NODE;
        if (!has_elem) {
            char key[128];
            snprintf(key, sizeof key, "%s%s%s", pfx, *pfx ? "_" : "", l);
            for (char *p = key; *p; p++)
                *p = (char)tolower((unsigned char)*p);
            t = text_of(c, n);
            const char *rk = NULL;
            if (t && !*t) {
                rk = "resource";
            }
            if (rk) {
                char *res = feed_xml_attr(n, "resource", NS_RDF);
                if (res) {
                    free(t);
                    t = res;
                }
            }
            if (!json_object_get(o, key))
                json_object_set_new(o, key, jstr(c, vg_strdup(t)));
        }
    }
    free(t);
}

static void parse_container(mctx *c, json_t *o, const xmlNode *parent, scope sc, int depth)
{
    for (const xmlNode *n = parent->children; n && c->err == VG_OK; n = n->next)
        if (n->type == XML_ELEMENT_NODE)
            field(c, o, n, sc, depth);
    if (sc == S_ENTRY && !json_object_get(o, "id")) {
        char *about = feed_xml_attr(parent, "about", NS_RDF);
        if (about)
            json_object_set_new(o, "id", jstr(c, about));
    }
    /* Derived fields feedparser users rely on. */
    if (!json_object_get(o, "author") && json_is_array(json_object_get(o, "authors"))) {
        json_t *p = json_array_get(json_object_get(o, "authors"), 0);
        char *s = person_string(p);
        if (s) {
            json_object_set_new(o, "author", jstr(c, s));
            json_object_set(o, "author_detail", p);
        }
    }
    if (sc == S_ENTRY && !json_object_get(o, "summary") &&
        json_is_array(json_object_get(o, "content")) && !c->atom) {
        json_t *first = json_array_get(json_object_get(o, "content"), 0);
        json_object_set(o, "summary", json_object_get(first, "value"));
        json_object_set_new(o, "summary_detail", json_deep_copy(first));
    }
    if (json_is_array(json_object_get(o, "tags")) && !json_object_get(o, "category")) {
        json_t *first = json_array_get(json_object_get(o, "tags"), 0);
        json_t *term = json_object_get(first, "term");
        if (json_is_string(term))
            json_object_set(o, "category", term);
    }
}

static int elem_named(const xmlNode *n, const char *local)
{
    const char *pfx;
    return n->type == XML_ELEMENT_NODE && strcasecmp(name_of(n, &pfx), local) == 0 &&
           *pfx == '\0';
}

/* The RSS version label for <rss version="...">. */
static const char *rss_label(const xmlNode *root, const xmlDoc *doc)
{
    char *v = attr(root, "version");
    const char *out = "rss";
    if (v) {
        trim(v);
        if (strncmp(v, "2.", 2) == 0 || strcmp(v, "2") == 0)
            out = "rss20";
        else if (strcmp(v, "0.91") == 0)
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

/* Charset parameter of a Content-Type, lower-cased, or "" */
static void ct_charset(const char *ct, char *out, size_t cap)
{
    out[0] = '\0';
    if (!ct)
        return;
    const char *p = ct;
    while (*p && strncasecmp(p, "charset", 7) != 0)
        p++;
    if (!*p)
        return;
    p += 7;
    while (*p == ' ' || *p == '=' || *p == '"' || *p == '\'')
        p++;
    size_t n = 0;
    while (p[n] && n + 1 < cap && (isalnum((unsigned char)p[n]) || strchr("-_.:", p[n]))) {
        out[n] = (char)tolower((unsigned char)p[n]);
        n++;
    }
    out[n] = '\0';
}

/* The media type of a Content-Type, lower-cased. */
static void ct_media(const char *ct, char *out, size_t cap)
{
    size_t n = 0;
    out[0] = '\0';
    if (!ct)
        return;
    while (*ct == ' ')
        ct++;
    while (ct[n] && ct[n] != ';' && ct[n] != ' ' && n + 1 < cap) {
        out[n] = (char)tolower((unsigned char)ct[n]);
        n++;
    }
    out[n] = '\0';
}

static int bom_encoding(const unsigned char *u, size_t len, const char **name)
{
    if (len >= 4 && u[0] == 0 && u[1] == 0 && u[2] == 0xFE && u[3] == 0xFF)
        return *name = "utf-32be", 4;
    if (len >= 4 && u[0] == 0xFF && u[1] == 0xFE && u[2] == 0 && u[3] == 0)
        return *name = "utf-32le", 4;
    if (len >= 3 && u[0] == 0xEF && u[1] == 0xBB && u[2] == 0xBF)
        return *name = "utf-8", 3;
    if (len >= 2 && u[0] == 0xFE && u[1] == 0xFF)
        return *name = "utf-16be", 2;
    if (len >= 2 && u[0] == 0xFF && u[1] == 0xFE)
        return *name = "utf-16le", 2;
    /* No BOM: "<?" in a wide encoding. */
    if (len >= 4 && u[0] == 0 && u[1] == 0 && u[2] == 0 && u[3] == '<')
        return *name = "utf-32be", 0;
    if (len >= 4 && u[0] == '<' && u[1] == 0 && u[2] == 0 && u[3] == 0)
        return *name = "utf-32le", 0;
    if (len >= 4 && u[0] == 0 && u[1] == '<' && u[2] == 0 && u[3] == '?')
        return *name = "utf-16be", 0;
    if (len >= 4 && u[0] == '<' && u[1] == 0 && u[2] == '?' && u[3] == 0)
        return *name = "utf-16le", 0;
    *name = NULL;
    return 0;
}

/* The XML declaration's encoding in an ASCII-compatible document. */
static void decl_encoding(const char *d, size_t len, char *out, size_t cap)
{
    out[0] = '\0';
    size_t lim = len < 512 ? len : 512;
    if (lim < 5 || memcmp(d, "<?xml", 5) != 0)
        return;
    const char *end = memchr(d, '>', lim);
    if (!end)
        return;
    const char *p = d;
    while (p < end && strncmp(p, "encoding", 8) != 0)
        p++;
    if (p >= end)
        return;
    p += 8;
    while (p < end && (*p == ' ' || *p == '=' || *p == '\t'))
        p++;
    if (p >= end || (*p != '"' && *p != '\''))
        return;
    char q = *p++;
    size_t n = 0;
    while (p + n < end && p[n] != q && n + 1 < cap) {
        out[n] = (char)tolower((unsigned char)p[n]);
        n++;
    }
    out[n] = '\0';
}

static int usable_encoding(const char *name)
{
    if (!name || !*name)
        return 0;
    xmlCharEncodingHandlerPtr h = xmlFindCharEncodingHandler(name);
    if (!h)
        return 0;
    xmlCharEncCloseFunc(h);
    return 1;
}

/* Non-zero when the bytes are valid UTF-8. */
static int valid_utf8(const char *d, size_t len)
{
    const unsigned char *u = (const unsigned char *)d;
    size_t i = 0;
    while (i < len) {
        if (u[i] < 0x80) {
            i++;
            continue;
        }
        size_t k = (u[i] >= 0xC2 && u[i] <= 0xDF) ? 2 : (u[i] >= 0xE0 && u[i] <= 0xEF) ? 3
                   : (u[i] >= 0xF0 && u[i] <= 0xF4)                               ? 4
                                                                                   : 0;
        if (!k || i + k > len)
            return 0;
        for (size_t j = 1; j < k; j++)
            if ((u[i + j] & 0xC0) != 0x80)
                return 0;
        i += k;
    }
    return 1;
}

/* A charset guessed by uchardet for an undeclared document that is not
 * UTF-8, into out; 0 when there is no usable guess. Only then: a guess
 * is weaker evidence than any label. */
static int sniff_charset(const char *data, size_t len, char *out, size_t cap)
{
    uchardet_t ud = uchardet_new();
    int ok = 0;
    if (!ud)
        return 0;
    if (uchardet_handle_data(ud, data, len < 65536 ? len : 65536) == 0) {
        uchardet_data_end(ud);
        const char *cs = uchardet_get_charset(ud);
        if (cs && *cs && strcasecmp(cs, "ascii") != 0 && strcasecmp(cs, "utf-8") != 0) {
            snprintf(out, cap, "%s", cs);
            ok = 1;
        }
    }
    uchardet_delete(ud);
    return ok;
}

/* Converts a UTF-16/32 document to UTF-8 with iconv (libxml2 alone
 * does not read UTF-32). *out malloc'd; NULL when iconv cannot. */
static char *wide_to_utf8(const char *data, size_t len, const char *from, size_t *out_len)
{
    iconv_t cd = iconv_open("UTF-8", from);
    if (cd == (iconv_t)-1)
        return NULL;
    size_t cap = len * 2 + 16, left = cap;
    char *buf = malloc(cap + 1), *o = buf;
    char *in = (char *)data;
    size_t inleft = len;
    if (!buf) {
        iconv_close(cd);
        return NULL;
    }
    while (inleft > 0) {
        if (iconv(cd, &in, &inleft, &o, &left) != (size_t)-1)
            break;
        if (errno == EILSEQ || errno == EINVAL) {
            /* A broken unit: skip it and go on. */
            size_t unit = strstr(from, "32") ? 4 : 2;
            if (inleft < unit)
                break;
            in += unit;
            inleft -= unit;
            continue;
        }
        break;
    }
    iconv_close(cd);
    *o = '\0';
    *out_len = (size_t)(o - buf);
    return buf;
}

vg_err feed_model_json(const char *data, size_t len, const feed_model_opts *opts,
                       char **out)
{
    char *wide = NULL;
    xml_result xr = {0};
    json_t *root_j = NULL, *feed_j = NULL, *entries_j = NULL;
    char *doc_base = NULL;
    mctx c = {0};
    vg_err rc = VG_OK;
    const char *url = opts ? opts->url : NULL;
    const char *ctype = opts ? opts->content_type : NULL;
    const char *cloc = opts ? opts->content_location : NULL;
    *out = NULL;
    if (!data && len)
        return vg_error_set(VG_EINVAL, "feed_model_json: NULL data");
    if (len > FEED_MAX_BYTES)
        return vg_error_set(VG_ETOOBIG, "feed of %zu bytes is over the %u-byte limit", len,
                            FEED_MAX_BYTES);
    {
        /* JSON Feed starts with '{' (after an optional UTF-8 BOM). */
        size_t i = len >= 3 && memcmp(data, "\xEF\xBB\xBF", 3) == 0 ? 3 : 0;
        while (i < len && isspace((unsigned char)data[i]))
            i++;
        if (i < len && data[i] == '{')
            return feed_jsonfeed_model(data + i, len - i, opts, out);
    }
    if (cloc && *cloc) {
        /* A Content-Location that is no http(s) URL is ignored. */
        if (vg_url_resolve(url, cloc, &doc_base) != VG_OK)
            doc_base = url ? vg_strdup(url) : NULL;
    } else if (url) {
        doc_base = vg_strdup(url);
    }
    c.doc_base = doc_base;
    c.markup_text = opts ? opts->markup_text : 0;
    c.lang = opts && opts->content_language && *opts->content_language
                 ? opts->content_language
                 : NULL;

    /* Which encoding decodes the document: a BOM, then the HTTP charset
     * (RFC 7303: it overrides the declaration; text types without one mean
     * us-ascii, which we read as the declaration's superset), then the
     * declaration, then UTF-8. */
    const char *bom = NULL;
    char hdr_cs[48], decl[48], media[96];
    int bozo_enc = 0, ascii_label = 0, guessed = 0;
    char sniffed[48];
    bom_encoding((const unsigned char *)data, len, &bom);
    ct_charset(ctype, hdr_cs, sizeof hdr_cs);
    ct_media(ctype, media, sizeof media);
    decl_encoding(data, len, decl, sizeof decl);
    const char *enc = NULL, *force = NULL;
    if (bom) {
        enc = bom;
    } else if (hdr_cs[0] && usable_encoding(hdr_cs)) {
        enc = force = hdr_cs;
        if (decl[0] && strcasecmp(decl, hdr_cs) != 0)
            bozo_enc = 0;
    } else if (hdr_cs[0]) {
        bozo_enc = 1; /* a charset nobody can decode */
        enc = decl[0] ? decl : "utf-8";
    } else if (strncmp(media, "text/", 5) == 0) {
        /* A text type with no charset is us-ascii by RFC 3023; for
         * text/xml a document declaring something else is overridden,
         * which is flagged. The bytes are still decoded by the
         * declaration: it is the better witness. */
        enc = "us-ascii";
        ascii_label = 1;
        if (decl[0] && strcasecmp(decl, "us-ascii") != 0 &&
            (strcmp(media, "text/xml") == 0 ||
             strcmp(media, "text/xml-external-parsed-entity") == 0))
            bozo_enc = 1;
    } else if (decl[0]) {
        enc = decl;
        if (!usable_encoding(decl))
            bozo_enc = 1;
    } else if (!bom && !valid_utf8(data, len) &&
               sniff_charset(data, len, sniffed, sizeof sniffed) &&
               usable_encoding(sniffed)) {
        /* No label anywhere and not UTF-8: decode by the detector's
         * guess, and flag the document (the guess may be wrong). */
        enc = force = sniffed;
        bozo_enc = 1;
        guessed = 1;
    } else {
        enc = "utf-8";
    }
    if (ctype && *media && !strstr(media, "xml") && strncmp(media, "text/", 5) != 0 &&
        !strstr(media, "json"))
        bozo_enc = 1;
    if (ctype && strcmp(media, "text/plain") == 0)
        bozo_enc = 1;
    if (bom && strcmp(bom, "utf-8") != 0) {
        size_t skip = bom_encoding((const unsigned char *)data, len, &bom);
        size_t wl = 0;
        wide = wide_to_utf8(data + skip, len - skip, bom, &wl);
        if (wide) {
            data = wide;
            len = wl;
            force = "UTF-8";
        }
    }
    rc = feed_xml_read(data, len, force, &xr);
    if (rc != VG_OK)
        goto cleanup;
    const xmlNode *root = xr.doc ? xmlDocGetRootElement(xr.doc) : NULL;
    root_j = json_object();
    feed_j = json_object();
    entries_j = json_array();
    if (!root_j || !feed_j || !entries_j) {
        rc = VG_ENOMEM;
        goto cleanup;
    }
    int bozo = xr.bozo || xr.entities_rewritten || bozo_enc || !root;
    const char *version = "";
    if (root) {
        const char *pfx;
        const char *rn = name_of(root, &pfx);
        const char *href = root->ns && root->ns->href ? (const char *)root->ns->href : "";
        if (strcasecmp(rn, "rss") == 0) {
            version = rss_label(root, xr.doc);
        } else if (strcmp(rn, "RDF") == 0 || strcasecmp(rn, "rdf") == 0) {
            version = "rss10";
            for (const xmlNs *ns = root->nsDef; ns; ns = ns->next)
                if (ns->href && strcmp((const char *)ns->href, NS_RSS090) == 0)
                    version = "rss090";
            for (const xmlNode *k = root->children; k; k = k->next)
                if (k->type == XML_ELEMENT_NODE && k->ns && k->ns->href &&
                    strcmp((const char *)k->ns->href, NS_RSS090) == 0)
                    version = "rss090";
        } else if (strcasecmp(rn, "feed") == 0) {
            char *ver = attr(root, "version");
            c.atom = 1;
            if (strcmp(href, NS_ATOM10) == 0)
                version = "atom10";
            else if (strcmp(href, NS_ATOM03) == 0 || (ver && strcmp(trim(ver), "0.3") == 0))
                version = "atom03", c.atom03 = 1;
            else if (ver && strcmp(ver, "0.2") == 0)
                version = "atom02";
            else if (ver && strcmp(ver, "0.1") == 0)
                version = "atom01";
            else
                version = "atom";
            free(ver);
        } else {
            bozo = 1;
        }
        /* The feed-level container: <channel> (RSS/RDF) or the root. */
        const xmlNode *chan = root;
        if (!c.atom)
            for (const xmlNode *k = root->children; k; k = k->next)
                if (elem_named(k, "channel")) {
                    chan = k;
                    break;
                }
        if (chan != root || c.atom)
            parse_container(&c, feed_j, chan, S_FEED, 0);
        if (!c.atom) {
            /* RDF puts image/textinput/items beside the channel. */
            for (const xmlNode *k = root->children; k; k = k->next)
                if (k != chan && k->type == XML_ELEMENT_NODE &&
                    (elem_named(k, "image") || elem_named(k, "textinput")))
                    field(&c, feed_j, k, S_FEED, 0);
        }
        if (!json_object_get(feed_j, "language")) {
            char *lg = lang_at(&c, chan);
            if (lg)
                json_object_set_new(feed_j, "language", jstr(&c, lg));
        }
        const xmlNode *parents[2] = {chan, chan != root ? root : NULL};
        size_t count = 0;
        for (int i = 0; i < 2; i++) {
            if (!parents[i])
                continue;
            for (const xmlNode *k = parents[i]->children; k && c.err == VG_OK; k = k->next) {
                if (!elem_named(k, "entry") && !elem_named(k, "item"))
                    continue;
                if (count++ >= FEED_MAX_ENTRIES)
                    break;
                json_t *e = json_object();
                parse_container(&c, e, k, S_ENTRY, 0);
                json_array_append_new(entries_j, e);
            }
        }
    }
    json_object_set_new(root_j, "bozo", json_boolean(bozo));
    if (bozo)
        json_object_set_new(root_j, "bozo_exception",
                            json_string(xr.first_error[0] ? xr.first_error
                                        : bozo_enc   ? "character encoding override"
                                        : xr.entities_rewritten
                                            ? "undeclared HTML entities"
                                            : "not a feed"));
    json_object_set_new(root_j, "version", json_string(version));
    {
        char encl[48];
        snprintf(encl, sizeof encl, "%s", enc ? enc : "utf-8");
        if (!bom && !force && !ascii_label && xr.doc && xr.doc->encoding)
            snprintf(encl, sizeof encl, "%s", (const char *)xr.doc->encoding);
        for (char *p = encl; *p; p++)
            *p = (char)tolower((unsigned char)*p);
        /* GB2312 labels are decoded as their superset. */
        if (guessed)
            snprintf(encl, sizeof encl, "%s", enc);
        else if (strcmp(encl, "gb2312") == 0)
            snprintf(encl, sizeof encl, "gb18030");
        json_object_set_new(root_j, "encoding", json_string(encl));
    }
    json_object_set(root_j, "feed", feed_j);
    json_object_set(root_j, "entries", entries_j);
    if (c.err != VG_OK) {
        rc = c.err;
        goto cleanup;
    }
    *out = json_dumps(root_j, JSON_INDENT(1) | JSON_PRESERVE_ORDER);
    if (!*out)
        rc = VG_ENOMEM;
cleanup:
    json_decref(root_j);
    json_decref(feed_j);
    json_decref(entries_j);
    if (xr.doc)
        xmlFreeDoc(xr.doc);
    free(doc_base);
    free(wide);
    return rc;
}
