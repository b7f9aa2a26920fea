/*
 * html_extract: a fetched page in, a document out (title, main text,
 * language, canonical URL, feed links, author, publication date).
 *
 * The bytes are converted to UTF-8 first (charset.c), cut where their
 * nesting turns hostile, parsed by Gumbo and flattened (html_text.c);
 * this file then reads the metadata in one pass over the flat tree and
 * hands <body> to the main-text scorer (html_main.c). Metadata sources
 * are tried from the most deliberate (Open Graph, JSON-LD, written for
 * machines) to the most incidental (the first <time> on the page).
 */
#include "parser/html.h"

#include "core/url.h"
#include "parser/charset.h"
#include "parser/date.h"
#include "parser/html_int.h"

#include <jansson.h>
#include <stdlib.h>
#include <string.h>

/* Caps on metadata strings: a title is not a novel. */
#define MAX_META_BYTES (16u * 1024)
/* JSON-LD nests; the fields we want sit near the top. */
#define MAX_JSONLD_DEPTH 4

/* What the metadata pass collects before choosing. Strings are borrowed
 * from the Gumbo tree unless noted. */
typedef struct meta {
    const char *lang, *content_lang, *og_locale;
    const char *og_title, *og_site_name;
    const char *base_href, *canonical;
    const char *meta_author, *article_author;
    const char *meta_published, *itemprop_published;
    const char *time_pubdate, *time_first;
    int title_node, h1_node, rel_author_node;
    char *ld_author;       /* owned */
    int64_t ld_published;
} meta;

/* ---- small string helpers ---- */

static int is_blank(char c)
{
    return c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\f';
}

/* A copy of s with whitespace collapsed and trimmed; NULL when s is NULL
 * or blank (or on allocation failure, which callers treat alike). */
static char *clean_copy(const char *s)
{
    if (!s)
        return NULL;
    vg_buf b;
    vg_buf_init(&b, MAX_META_BYTES);
    hrender r = {.out = &b, .pending = HR_NONE, .para_break = " "};
    hrender_text(&r, s, strlen(s));
    char *out = NULL;
    if (b.err == VG_OK && b.len > 0)
        out = vg_buf_detach(&b);
    vg_buf_free(&b);
    return out;
}

/* The collapsed text under element idx. */
static char *node_text(const htree *t, int idx)
{
    if (idx < 0)
        return NULL;
    vg_buf b;
    vg_buf_init(&b, MAX_META_BYTES);
    hrender r = {.out = &b, .pending = HR_NONE, .para_break = " "};
    html_render_range(t, idx, t->n[idx].end, 0, &r);
    char *out = NULL;
    if (b.err == VG_OK && b.len > 0)
        out = vg_buf_detach(&b);
    vg_buf_free(&b);
    return out;
}

static int token_in(const char *list, const char *word)
{
    if (!list)
        return 0;
    size_t wl = strlen(word);
    const char *p = list;
    while (*p) {
        while (*p && is_blank(*p))
            p++;
        const char *s = p;
        while (*p && !is_blank(*p))
            p++;
        if ((size_t)(p - s) == wl && strncasecmp(s, word, wl) == 0)
            return 1;
    }
    return 0;
}

/* ---- dates ---- */

/* Dates in datetime and content attributes are ISO 8601 / RFC 3339 in
 * theory and RFC 822 or worse in practice: parser/date.c reads them all,
 * the same grammar as feeds. NULL or unparseable gives 0 (never guess). */
static int parse_page_date(const char *s, int64_t *out)
{
    return s && date_parse(s, out) == VG_OK;
}

/* ---- JSON-LD ---- */

static const char *json_str(json_t *o, const char *key)
{
    json_t *v = json_object_get(o, key);
    return json_is_string(v) ? json_string_value(v) : NULL;
}

static const char *ld_author_name(json_t *a)
{
    if (json_is_array(a))
        a = json_array_get(a, 0);
    if (json_is_string(a))
        return json_string_value(a);
    if (json_is_object(a))
        return json_str(a, "name");
    return NULL;
}

/* Reads datePublished and author from the first objects that have them:
 * the top-level object(s) and their @graph, not arbitrary nested ones
 * (a review's author is not the page's). */
static void ld_walk(json_t *v, meta *m, int depth)
{
    if (depth > MAX_JSONLD_DEPTH)
        return;
    if (json_is_array(v)) {
        size_t i;
        json_t *it;
        json_array_foreach(v, i, it) ld_walk(it, m, depth + 1);
        return;
    }
    if (!json_is_object(v))
        return;
    const char *dp = json_str(v, "datePublished");
    int64_t when;
    if (dp && m->ld_published == 0 && parse_page_date(dp, &when))
        m->ld_published = when;
    if (!m->ld_author) {
        const char *name = ld_author_name(json_object_get(v, "author"));
        if (name)
            m->ld_author = clean_copy(name);
    }
    json_t *graph = json_object_get(v, "@graph");
    if (graph)
        ld_walk(graph, m, depth + 1);
}

static void read_jsonld(const GumboNode *script, meta *m)
{
    const GumboVector *kids = &script->v.element.children;
    if (kids->length == 0)
        return;
    const GumboNode *txt = kids->data[0];
    if (txt->type != GUMBO_NODE_TEXT && txt->type != GUMBO_NODE_CDATA)
        return;
    const char *s = txt->v.text.text;
    json_error_t err;
    json_t *root = json_loads(s, JSON_DECODE_ANY, &err);
    if (!root)
        return; /* broken JSON-LD is common; it just says nothing */
    ld_walk(root, m, 0);
    json_decref(root);
}

/* ---- the metadata pass ---- */

static void read_meta_tag(const GumboNode *g, meta *m)
{
    const char *content = html_attr(g, "content");
    if (!content)
        return;
    const char *key = html_attr(g, "property");
    if (!key)
        key = html_attr(g, "name");
    const char *equiv = html_attr(g, "http-equiv");
    const char *itemprop = html_attr(g, "itemprop");
    if (equiv && strcasecmp(equiv, "content-language") == 0 &&
        !m->content_lang)
        m->content_lang = content;
    if (itemprop && token_in(itemprop, "datePublished") &&
        !m->itemprop_published)
        m->itemprop_published = content;
    if (!key)
        return;
    if (strcasecmp(key, "og:title") == 0 && !m->og_title)
        m->og_title = content;
    else if (strcasecmp(key, "og:site_name") == 0 && !m->og_site_name)
        m->og_site_name = content;
    else if (strcasecmp(key, "og:locale") == 0 && !m->og_locale)
        m->og_locale = content;
    else if ((strcasecmp(key, "author") == 0 ||
              strcasecmp(key, "dc.creator") == 0) &&
             !m->meta_author)
        m->meta_author = content;
    else if (strcasecmp(key, "article:author") == 0 && !m->article_author)
        m->article_author = content;
    else if ((strcasecmp(key, "article:published_time") == 0 ||
              strcasecmp(key, "og:published_time") == 0 ||
              strcasecmp(key, "datePublished") == 0) &&
             !m->meta_published)
        m->meta_published = content;
}

typedef struct feedlist {
    char **v;
    size_t n;
    int oom;
} feedlist;

static int feed_type(const char *type)
{
    static const char *const TYPES[] = {"application/rss+xml",
                                        "application/atom+xml",
                                        "application/feed+json"};
    if (!type)
        return 0;
    while (is_blank(*type))
        type++;
    for (size_t i = 0; i < sizeof TYPES / sizeof TYPES[0]; i++) {
        size_t n = strlen(TYPES[i]);
        if (strncasecmp(type, TYPES[i], n) == 0 &&
            (type[n] == '\0' || type[n] == ';' || is_blank(type[n])))
            return 1;
    }
    return 0;
}

static void add_feed(feedlist *f, const char *base, const char *href)
{
    char *abs = NULL;
    if (vg_url_resolve(base, href, &abs) != VG_OK)
        return;
    for (size_t i = 0; i < f->n; i++)
        if (strcmp(f->v[i], abs) == 0) {
            free(abs);
            return;
        }
    char **nv = realloc(f->v, (f->n + 1) * sizeof *nv);
    if (!nv) {
        free(abs);
        f->oom = 1;
        return;
    }
    f->v = nv;
    f->v[f->n++] = abs;
}

static void collect(const htree *t, meta *m, int *body)
{
    for (int i = 0; i < t->count; i++) {
        const hnode *h = &t->n[i];
        if ((h->flags & HN_TEXT) || h->g->type != GUMBO_NODE_ELEMENT)
            continue;
        const GumboNode *g = h->g;
        switch (g->v.element.tag) {
        case GUMBO_TAG_HTML:
            if (!m->lang)
                m->lang = html_attr(g, "lang");
            if (!m->lang)
                m->lang = html_attr(g, "xml:lang");
            break;
        case GUMBO_TAG_BODY:
            if (*body < 0)
                *body = i;
            break;
        case GUMBO_TAG_TITLE:
            if (m->title_node < 0)
                m->title_node = i;
            break;
        case GUMBO_TAG_H1:
            if (m->h1_node < 0)
                m->h1_node = i;
            break;
        case GUMBO_TAG_BASE:
            if (!m->base_href)
                m->base_href = html_attr(g, "href");
            break;
        case GUMBO_TAG_META:
            read_meta_tag(g, m);
            break;
        case GUMBO_TAG_LINK:
            if (token_in(html_attr(g, "rel"), "canonical") && !m->canonical)
                m->canonical = html_attr(g, "href");
            break;
        case GUMBO_TAG_A:
            if (token_in(html_attr(g, "rel"), "author") &&
                m->rel_author_node < 0)
                m->rel_author_node = i;
            break;
        case GUMBO_TAG_TIME: {
            const char *dt = html_attr(g, "datetime");
            if (!dt)
                break;
            if (!m->time_pubdate &&
                (html_attr(g, "pubdate") ||
                 token_in(html_attr(g, "itemprop"), "datePublished")))
                m->time_pubdate = dt;
            if (!m->time_first)
                m->time_first = dt;
            break;
        }
        case GUMBO_TAG_SCRIPT: {
            const char *type = html_attr(g, "type");
            if (type && strncasecmp(type, "application/ld+json", 19) == 0)
                read_jsonld(g, m);
            break;
        }
        default:
            break;
        }
        if (g->v.element.tag != GUMBO_TAG_META &&
            g->v.element.tag != GUMBO_TAG_TIME && !m->itemprop_published &&
            token_in(html_attr(g, "itemprop"), "datePublished")) {
            const char *v = html_attr(g, "content");
            m->itemprop_published = v ? v : html_attr(g, "datetime");
        }
    }
}

/* "fr-FR", "en_US", "FR" -> "fr"; NULL unless 2 or 3 letters. */
static char *primary_lang(const char *tag)
{
    if (!tag)
        return NULL;
    while (is_blank(*tag))
        tag++;
    char buf[4];
    size_t n = 0;
    for (; *tag && *tag != '-' && *tag != '_' && !is_blank(*tag); tag++) {
        char c = *tag;
        if (c >= 'A' && c <= 'Z')
            c = (char)(c - 'A' + 'a');
        if (c < 'a' || c > 'z' || n == 3)
            return NULL;
        buf[n++] = c;
    }
    if (n < 2)
        return NULL;
    return vg_strndup(buf, n);
}

/* ---- titles ---- */

/* Lower-case ASCII letters and digits only, for loose comparison. */
static char *loose(const char *s)
{
    size_t n = strlen(s);
    char *o = malloc(n + 1);
    if (!o)
        return NULL;
    size_t m = 0;
    for (size_t i = 0; i < n; i++) {
        unsigned char c = (unsigned char)s[i];
        if (c >= 'A' && c <= 'Z')
            c = (unsigned char)(c - 'A' + 'a');
        if ((c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c >= 0x80)
            o[m++] = (char)c;
    }
    o[m] = '\0';
    return o;
}

/* 1 when a and b name the same thing: one contains the other once case,
 * spaces and punctuation are ignored. */
static int similar(const char *a, const char *b)
{
    char *la = loose(a), *lb = loose(b);
    int ok = la && lb && *la && *lb &&
             (strstr(la, lb) != NULL || strstr(lb, la) != NULL);
    free(la);
    free(lb);
    return ok;
}

static size_t words(const char *s, size_t n)
{
    size_t w = 0;
    int in = 0;
    for (size_t i = 0; i < n; i++) {
        if (is_blank(s[i])) {
            in = 0;
        } else if (!in) {
            in = 1;
            w++;
        }
    }
    return w;
}

/* Drops a site name from a <title>: "Story | Site", "Story - Site",
 * "Site — Story". A suffix is the usual place; a prefix is only cut at
 * the stronger separators, because "Review: X - the verdict" style
 * titles use hyphens inside the headline. */
static char *clean_title(const char *title, const char *site, int generic)
{
    static const struct {
        const char *sep;
        int prefix_ok;
    } SEPS[] = {{" | ", 1}, {" — ", 1}, {" – ", 0}, {" - ", 0},
                {" :: ", 1}, {" » ", 1}, {" · ", 1}, {" • ", 1}};
    size_t n = strlen(title);
    for (size_t k = 0; k < sizeof SEPS / sizeof SEPS[0]; k++) {
        const char *sep = SEPS[k].sep;
        size_t sl = strlen(sep);
        const char *first = strstr(title, sep);
        if (!first)
            continue;
        const char *last = first;
        for (const char *p = first; (p = strstr(p + 1, sep)) != NULL;)
            last = p;
        size_t head = (size_t)(last - title);
        const char *tail = last + sl;
        size_t tail_len = n - head - sl;
        if ((site && similar(tail, site)) ||
            (generic && tail_len < head && words(tail, tail_len) <= 5))
            return vg_strndup(title, head);
        size_t head1 = (size_t)(first - title);
        const char *rest = first + sl;
        char *h1 = vg_strndup(title, head1);
        int site_prefix = h1 && site && similar(h1, site);
        free(h1);
        if (site_prefix || (generic && SEPS[k].prefix_ok &&
                            head1 < strlen(rest) && words(title, head1) <= 5))
            return vg_strdup(rest);
        break; /* only the strongest separator present is considered */
    }
    return vg_strdup(title);
}

static char *choose_title(const htree *t, const meta *m)
{
    char *og = clean_copy(m->og_title);
    char *site = clean_copy(m->og_site_name);
    char *title = node_text(t, m->title_node);
    char *h1 = node_text(t, m->h1_node);
    char *out = NULL;
    if (og) {
        /* og:title sometimes carries the site name too: cut the one
         * og:site_name gives; without it, an og:title that merely
         * repeats <title> is cleaned the way <title> is. */
        if (site)
            out = clean_title(og, site, 0);
        else if (title && strcmp(og, title) == 0)
            out = clean_title(og, NULL, 1);
        else
            out = og;
        if (out != og)
            free(og);
        og = NULL;
    } else if (h1 && title && strlen(h1) <= 500 && similar(h1, title)) {
        out = h1;
        h1 = NULL;
    } else if (title) {
        out = clean_title(title, site, 1);
    } else if (h1 && strlen(h1) <= 500) {
        out = h1;
        h1 = NULL;
    }
    free(og);
    free(site);
    free(title);
    free(h1);
    return out;
}

/* ---- author and date ---- */

static int looks_like_url(const char *s)
{
    return strncasecmp(s, "http://", 7) == 0 ||
           strncasecmp(s, "https://", 8) == 0 || strncmp(s, "//", 2) == 0;
}

/* "By Jane Doe" and "Par Jean Dupont" name the same person as "Jane Doe". */
static char *strip_by(char *s)
{
    if (!s)
        return NULL;
    size_t skip = 0;
    if (strncasecmp(s, "by ", 3) == 0)
        skip = 3;
    else if (strncasecmp(s, "par ", 4) == 0)
        skip = 4;
    if (skip && s[skip]) {
        memmove(s, s + skip, strlen(s + skip) + 1);
    }
    return s;
}

static char *choose_author(const htree *t, meta *m)
{
    char *a = NULL;
    if (m->meta_author && !looks_like_url(m->meta_author))
        a = clean_copy(m->meta_author);
    if (!a && m->article_author && !looks_like_url(m->article_author))
        a = clean_copy(m->article_author);
    if (!a && m->rel_author_node >= 0)
        a = node_text(t, m->rel_author_node);
    if (!a && m->ld_author) {
        a = m->ld_author;
        m->ld_author = NULL;
    }
    return strip_by(a);
}

static int64_t choose_published(const meta *m)
{
    int64_t when;
    if (parse_page_date(m->meta_published, &when))
        return when;
    if (m->ld_published)
        return m->ld_published;
    if (parse_page_date(m->itemprop_published, &when))
        return when;
    if (parse_page_date(m->time_pubdate, &when))
        return when;
    if (parse_page_date(m->time_first, &when))
        return when;
    return 0;
}

/* ---- entry points ---- */

void html_doc_free(html_doc *d)
{
    if (!d)
        return;
    free(d->title);
    free(d->text);
    free(d->lang);
    free(d->canonical);
    free(d->author);
    for (size_t i = 0; i < d->n_feed_links; i++)
        free(d->feed_links[i]);
    free(d->feed_links);
    free(d);
}

vg_err html_extract(const char *data, size_t len, const char *base_url,
                    const char *content_type, html_doc **out)
{
    if (!out)
        return vg_error_set(VG_EINVAL, "html_extract: no output");
    *out = NULL;
    if (!data)
        len = 0;
    if (len > HTML_MAX_BYTES)
        return vg_error_set(VG_ETOOBIG, "page of %zu bytes (max %u)", len,
                            HTML_MAX_BYTES);
    vg_err rc = VG_OK;
    char *utf8 = NULL, *base = NULL;
    size_t utf8_len = 0;
    GumboOptions opt = kGumboDefaultOptions;
    html_region region;
    GumboOutput *g = NULL;
    htree t = {0};
    html_runs runs = {0};
    html_doc *d = NULL;
    feedlist feeds = {0};
    meta m;
    memset(&m, 0, sizeof m);
    m.title_node = m.h1_node = m.rel_author_node = -1;
    vg_buf text;
    vg_buf_init(&text, HTML_MAX_BYTES);
    /* Gumbo's tree lives in a region freed in one go with the page's
     * other memory, instead of block by block through malloc. */
    html_region_init(&region);
    html_region_use(&region, &opt);

    rc = charset_to_utf8(data, len, content_type, &utf8, &utf8_len, NULL);
    if (rc != VG_OK)
        goto cleanup;
    /* Parse errors are not reported anywhere; recording them only costs
     * memory on broken pages. */
    opt.max_errors = 0;
    utf8_len = html_squeeze_ws(utf8, utf8_len);
    {
        /* Squeezing often takes a sixth off: give it back before Gumbo
         * builds its tree beside the page. */
        char *shrunk = realloc(utf8, utf8_len + 1);
        if (shrunk)
            utf8 = shrunk;
        utf8[utf8_len] = '\0';
    }
    rc = html_runs_intern(utf8, &utf8_len, &runs);
    if (rc != VG_OK)
        goto cleanup;
    if (runs.n) {
        /* The runs' text now sits in their store: hand back its room in
         * the page, so the text is held once while Gumbo works. */
        char *shrunk = realloc(utf8, utf8_len + 1);
        if (shrunk)
            utf8 = shrunk;
    }
    g = gumbo_parse_with_options(&opt, utf8, html_depth_cut(utf8, utf8_len));
    /* Gumbo copies every text and attribute value we read; only its
     * "original" string pieces point into the input, and nothing here
     * uses them. Freeing the page now lowers the peak by a page. */
    free(utf8);
    utf8 = NULL;
    if (!g) {
        rc = vg_error_set(VG_ENOMEM, "gumbo failed");
        goto cleanup;
    }
    rc = html_runs_expand(&runs, g->document);
    if (rc != VG_OK)
        goto cleanup;
    rc = htree_build(&t, g->root);
    if (rc != VG_OK)
        goto cleanup;
    int body = -1;
    collect(&t, &m, &body);

    d = calloc(1, sizeof *d);
    if (!d) {
        rc = VG_ENOMEM;
        goto cleanup;
    }
    if (m.base_href && vg_url_resolve(base_url, m.base_href, &base) != VG_OK)
        base = NULL;
    const char *eff_base = base ? base : base_url;

    d->title = choose_title(&t, &m);
    d->lang = primary_lang(m.lang);
    if (!d->lang)
        d->lang = primary_lang(m.content_lang);
    if (!d->lang)
        d->lang = primary_lang(m.og_locale);
    if (m.canonical &&
        vg_url_resolve(eff_base, m.canonical, &d->canonical) != VG_OK)
        d->canonical = NULL;
    d->author = choose_author(&t, &m);
    d->published = choose_published(&m);
    for (int i = 0; i < t.count; i++) {
        const hnode *h = &t.n[i];
        if (!(h->flags & HN_TEXT) && h->g->type == GUMBO_NODE_ELEMENT &&
            h->g->v.element.tag == GUMBO_TAG_LINK &&
            token_in(html_attr(h->g, "rel"), "alternate") &&
            feed_type(html_attr(h->g, "type")) && html_attr(h->g, "href"))
            add_feed(&feeds, eff_base, html_attr(h->g, "href"));
    }
    if (feeds.oom) {
        rc = VG_ENOMEM;
        goto cleanup;
    }
    d->feed_links = feeds.v;
    d->n_feed_links = feeds.n;
    feeds.v = NULL;
    feeds.n = 0;

    {
        char *title = node_text(&t, m.title_node);
        hmain_hints hints = {.title = title, .og_title = m.og_title,
                             .site = m.og_site_name};
        rc = html_main_text(&t, body, &hints, &text);
        free(title);
    }
    if (rc != VG_OK)
        goto cleanup;
    d->text = vg_buf_detach(&text);
    if (!d->text) {
        rc = VG_ENOMEM;
        goto cleanup;
    }
    *out = d;
    d = NULL;
cleanup:
    for (size_t i = 0; i < feeds.n; i++)
        free(feeds.v[i]);
    free(feeds.v);
    html_doc_free(d);
    free(m.ld_author);
    vg_buf_free(&text);
    htree_free(&t);
    html_runs_free(&runs); /* writes into the tree: before the region */
    html_region_free(&region);
    free(utf8);
    free(base);
    return rc;
}
