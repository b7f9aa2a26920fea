/*
 * The HTML plumbing shared by page extraction and summary cleaning: the
 * flat tree built from Gumbo's output, the class/id boilerplate test,
 * the plain-text writer, the nesting guard run before parsing, and
 * html_to_text (feed summaries), which is just "flatten, render all".
 */
#include "parser/html.h"
#include "parser/html_int.h"

#include <pthread.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

/* A page with more nodes than this is hostile or broken beyond use; the
 * flat tree costs 56 bytes a node. */
#define MAX_NODES 1000000

/* Elements whose content is never visible text. */
static int opaque_tag(GumboTag t)
{
    switch (t) {
    case GUMBO_TAG_SCRIPT: case GUMBO_TAG_STYLE: case GUMBO_TAG_NOSCRIPT:
    case GUMBO_TAG_TEMPLATE: case GUMBO_TAG_IFRAME: case GUMBO_TAG_SVG:
    case GUMBO_TAG_MATH: case GUMBO_TAG_OBJECT: case GUMBO_TAG_EMBED:
    case GUMBO_TAG_CANVAS: case GUMBO_TAG_AUDIO: case GUMBO_TAG_VIDEO:
    case GUMBO_TAG_SELECT: case GUMBO_TAG_TEXTAREA: case GUMBO_TAG_BUTTON:
    case GUMBO_TAG_APPLET: case GUMBO_TAG_FRAMESET: case GUMBO_TAG_MAP:
        return 1;
    default:
        return 0;
    }
}

static int block_tag(GumboTag t)
{
    switch (t) {
    case GUMBO_TAG_ADDRESS: case GUMBO_TAG_ARTICLE: case GUMBO_TAG_ASIDE:
    case GUMBO_TAG_BLOCKQUOTE: case GUMBO_TAG_BODY: case GUMBO_TAG_CENTER:
    case GUMBO_TAG_DD: case GUMBO_TAG_DETAILS:
    case GUMBO_TAG_DIR: case GUMBO_TAG_DIV: case GUMBO_TAG_DL:
    case GUMBO_TAG_DT: case GUMBO_TAG_FIELDSET: case GUMBO_TAG_FIGCAPTION:
    case GUMBO_TAG_FIGURE: case GUMBO_TAG_FOOTER: case GUMBO_TAG_FORM:
    case GUMBO_TAG_H1: case GUMBO_TAG_H2: case GUMBO_TAG_H3:
    case GUMBO_TAG_H4: case GUMBO_TAG_H5: case GUMBO_TAG_H6:
    case GUMBO_TAG_HEADER: case GUMBO_TAG_HGROUP: case GUMBO_TAG_HR:
    case GUMBO_TAG_HTML: case GUMBO_TAG_LEGEND: case GUMBO_TAG_LI:
    case GUMBO_TAG_MAIN: case GUMBO_TAG_MENU: case GUMBO_TAG_NAV:
    case GUMBO_TAG_OL: case GUMBO_TAG_P: case GUMBO_TAG_PRE:
    case GUMBO_TAG_SECTION: case GUMBO_TAG_SUMMARY: case GUMBO_TAG_TABLE:
    case GUMBO_TAG_TBODY: case GUMBO_TAG_TD: case GUMBO_TAG_TFOOT:
    case GUMBO_TAG_TH: case GUMBO_TAG_THEAD: case GUMBO_TAG_TR:
    case GUMBO_TAG_UL: case GUMBO_TAG_CAPTION: case GUMBO_TAG_TITLE:
    case GUMBO_TAG_HEAD:
        return 1;
    default:
        return 0;
    }
}

static int heading_tag(GumboTag t)
{
    return t == GUMBO_TAG_H1 || t == GUMBO_TAG_H2 || t == GUMBO_TAG_H3 ||
           t == GUMBO_TAG_H4 || t == GUMBO_TAG_H5 || t == GUMBO_TAG_H6;
}

const char *html_attr(const GumboNode *g, const char *name)
{
    if (!g || g->type != GUMBO_NODE_ELEMENT)
        return NULL;
    /* gumbo_get_attribute's loop, but names whose first letter differs
     * are passed over without a call: this is asked a dozen times per
     * element. (Equal ignoring case means equal first letters | 0x20.) */
    const GumboVector *v = &g->v.element.attributes;
    char first = (char)(name[0] | 0x20);
    for (unsigned i = 0; i < v->length; i++) {
        const GumboAttribute *a = v->data[i];
        if ((char)(a->name[0] | 0x20) == first &&
            strcasecmp(a->name, name) == 0)
            return a->value;
    }
    return NULL;
}

static int is_ws(unsigned char c)
{
    return c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\f' ||
           c == '\v';
}

/* Width of the whitespace at s (0 when none): ASCII blanks and NBSP,
 * which pages use as a space and readers never want doubled. */
static size_t ws_width(const unsigned char *s, size_t n)
{
    if (is_ws(s[0]))
        return 1;
    if (n >= 2 && s[0] == 0xC2 && s[1] == 0xA0)
        return 2;
    return 0;
}

/* Bytes html_text_len must look at more closely: those that can start a
 * blank or a comma (TL_SPECIAL); otherwise a byte adds one code point
 * unless it continues a UTF-8 sequence. A table, because this runs at
 * every byte of every text node. */
enum { TL_LEAD = 0, TL_CONT = 1, TL_SPECIAL = 2 };
static const unsigned char tl_class[256] = {
    2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2,  /* 00 */
    2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2,  /* 10 */
    2, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 2, 0, 0, 0,  /* 20 */
    0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0,  /* 30 */
    0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0,  /* 40 */
    0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0,  /* 50 */
    0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0,  /* 60 */
    0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0,  /* 70 */
    1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1,  /* 80 */
    1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1,  /* 90 */
    1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1,  /* A0 */
    1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1,  /* B0 */
    0, 0, 2, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0,  /* C0 */
    0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0,  /* D0 */
    0, 0, 0, 2, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 2,  /* E0 */
    0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0,  /* F0 */
};

size_t html_text_len(const char *s, size_t n, size_t *commas)
{
    const unsigned char *u = (const unsigned char *)s;
    size_t len = 0, c = 0;
    int in_ws = 0;
    for (size_t i = 0; i < n;) {
        /* Eight bytes of prose without a comma are eight code points
         * (each lone space is one) unless a space continues a run. */
        while (n - i >= 8) {
            uint64_t w;
            memcpy(&w, u + i, 8);
            if (!html8_prose(w) || vg_bytes_eq(w, ',') || (in_ws && u[i] == ' '))
                break;
            len += 8;
            i += 8;
            in_ws = u[i - 1] == ' ';
        }
        if (i >= n)
            break;
        unsigned k = tl_class[u[i]];
        if (k != TL_SPECIAL) {
            /* Neither a blank nor a comma can start here. */
            in_ws = 0;
            do {
                len += k == TL_LEAD;
                i++;
            } while (i < n && (k = tl_class[u[i]]) != TL_SPECIAL);
            continue;
        }
        size_t w = ws_width(u + i, n - i);
        if (w) {
            if (!in_ws)
                len++;
            in_ws = 1;
            i += w;
            continue;
        }
        in_ws = 0;
        if (u[i] == ',')
            c++;
        else if (n - i >= 3 && u[i] == 0xEF && u[i + 1] == 0xBC &&
                 u[i + 2] == 0x8C) /* U+FF0C fullwidth comma */
            c++;
        else if (n - i >= 3 && u[i] == 0xE3 && u[i + 1] == 0x80 &&
                 u[i + 2] == 0x81) /* U+3001 ideographic comma */
            c++;
        if ((u[i] & 0xC0) != 0x80)
            len++;
        i++;
    }
    if (commas)
        *commas = c;
    return len;
}

void hrender_break(hrender *r, int level)
{
    /* Two line breaks in a row (<br><br>) are how old pages write a
     * paragraph break. */
    if (level == HR_LINE && r->pending == HR_LINE)
        level = HR_PARA;
    if (level > r->pending)
        r->pending = level;
}

void hrender_text(hrender *r, const char *s, size_t n)
{
    const unsigned char *u = (const unsigned char *)s;
    size_t i = 0;
    while (i < n) {
        size_t w = ws_width(u + i, n - i);
        if (w) {
            if (r->pending < HR_SPACE)
                r->pending = HR_SPACE;
            i += w;
            continue;
        }
        size_t start = i;
        for (; i < n; i++) {
            /* Prose whose last byte is no space is written as it is. */
            while (n - i >= 8) {
                uint64_t v;
                memcpy(&v, u + i, 8);
                if (!html8_prose(v) || u[i + 7] == ' ')
                    break;
                i += 8;
            }
            if (i >= n)
                break;
            if (!((u[i] <= 0x20 || u[i] == 0xC2) && ws_width(u + i, n - i)))
                continue;
            /* A lone space between two words would be written as it
             * is: the run goes on, and a paragraph is appended in a few
             * pieces instead of one per word. */
            if (u[i] == ' ' && i + 1 < n && !ws_width(u + i + 1, n - i - 1))
                continue;
            break;
        }
        if (r->out->len > 0) {
            switch (r->pending) {
            case HR_SPACE:
                vg_buf_putc(r->out, ' ');
                break;
            case HR_LINE:
                vg_buf_putc(r->out, '\n');
                break;
            case HR_PARA:
                vg_buf_puts(r->out, r->para_break);
                break;
            default:
                break;
            }
        }
        r->pending = HR_NONE;
        vg_buf_append(r->out, s + start, i - start);
    }
}

static const char *text_of(const GumboNode *g, size_t *n)
{
    const char *s = g->v.text.text;
    *n = s ? strlen(s) : 0;
    return s ? s : "";
}

/* The children of an element or template node, NULL for other nodes. */
static const GumboVector *kids_of(const GumboNode *g)
{
    if (g->type == GUMBO_NODE_ELEMENT || g->type == GUMBO_NODE_TEMPLATE)
        return &g->v.element.children;
    return NULL;
}

/* Descends into g's children the way htree_build does: not into
 * never-visible or foreign (SVG, MathML) elements. */
static int walk_into(const GumboNode *g)
{
    if (g->type == GUMBO_NODE_TEMPLATE)
        return 0;
    return g->type == GUMBO_NODE_ELEMENT && !opaque_tag(g->v.element.tag) &&
           g->v.element.tag_namespace == GUMBO_NAMESPACE_HTML;
}

/* The number of nodes htree_build keeps from the subtree of root, so
 * that the array is allocated once at its final size (doubling would
 * leave it up to twice too large, and hold old and new copies at once
 * while it grows). Walks by parent links, no stack. */
static size_t count_nodes(const GumboNode *root)
{
    size_t n = 0;
    const GumboNode *g = root;
    for (;;) {
        if (g->type != GUMBO_NODE_COMMENT && g->type != GUMBO_NODE_DOCUMENT &&
            ++n > MAX_NODES)
            return n; /* no need to count further */
        const GumboVector *k = walk_into(g) ? kids_of(g) : NULL;
        if (k && k->length > 0) {
            g = k->data[0];
            continue;
        }
        for (;;) {
            if (g == root)
                return n;
            const GumboNode *p = g->parent;
            const GumboVector *pk = kids_of(p);
            size_t next = g->index_within_parent + 1;
            if (pk && next < pk->length) {
                g = pk->data[next];
                break;
            }
            g = p;
        }
    }
}

vg_err htree_build(htree *t, const GumboNode *root)
{
    t->n = NULL;
    t->count = t->cap = 0;
    typedef struct frame {
        const GumboNode *g;
        unsigned next; /* next child to visit */
        int idx;
    } frame;
    frame *st = NULL;
    int nst = 0, cap_st = 0;
    vg_err rc = VG_OK;
    if (!root)
        return VG_OK;
    {
        size_t bound = count_nodes(root);
        int cap = bound < MAX_NODES ? (int)bound : MAX_NODES;
        t->n = malloc((size_t)cap * sizeof *t->n);
        if (!t->n)
            return VG_ENOMEM;
        t->cap = cap;
    }
    const GumboNode *pending = root;
    for (;;) {
        if (pending) {
            const GumboNode *g = pending;
            pending = NULL;
            int is_text = g->type == GUMBO_NODE_TEXT ||
                          g->type == GUMBO_NODE_WHITESPACE ||
                          g->type == GUMBO_NODE_CDATA;
            int is_elem = g->type == GUMBO_NODE_ELEMENT ||
                          g->type == GUMBO_NODE_TEMPLATE;
            if (is_text || is_elem) {
                if (t->count >= MAX_NODES) {
                    rc = vg_error_set(VG_ETOOBIG, "page has over %d nodes",
                                      MAX_NODES);
                    goto cleanup;
                }
                if (t->count == t->cap) {
                    int nc = t->cap ? t->cap * 2 : 256;
                    hnode *nn = realloc(t->n, (size_t)nc * sizeof *nn);
                    if (!nn) {
                        rc = VG_ENOMEM;
                        goto cleanup;
                    }
                    t->n = nn;
                    t->cap = nc;
                }
                int idx = t->count++;
                hnode *h = &t->n[idx];
                memset(h, 0, sizeof *h);
                h->g = g;
                h->parent = nst ? st[nst - 1].idx : -1;
                h->end = idx + 1;
                const hnode *p = h->parent >= 0 ? &t->n[h->parent] : NULL;
                h->block = p ? p->block : -1;
                if (p && (p->flags & HN_IN_LINK))
                    h->flags |= HN_IN_LINK;
                if (is_text) {
                    size_t n;
                    const char *s = text_of(g, &n);
                    h->flags |= HN_TEXT;
                    size_t commas = 0;
                    /* A whitespace-only node is layout, not text: it
                     * would count the same whether or not the page is
                     * indented. */
                    h->text = g->type == GUMBO_NODE_WHITESPACE
                                  ? 0
                                  : (uint32_t)html_text_len(s, n, &commas);
                    h->commas = commas > UINT16_MAX ? UINT16_MAX
                                                    : (uint16_t)commas;
                } else {
                    GumboTag tag = g->type == GUMBO_NODE_TEMPLATE
                                       ? GUMBO_TAG_TEMPLATE
                                       : g->v.element.tag;
                    if (tag == GUMBO_TAG_A && html_attr(g, "href"))
                        h->flags |= HN_IN_LINK;
                    if (block_tag(tag)) {
                        h->flags |= HN_BLOCK;
                        h->block = idx;
                    }
                    if (heading_tag(tag))
                        h->flags |= HN_HEADING;
                    int foreign = g->v.element.tag_namespace !=
                                  GUMBO_NAMESPACE_HTML;
                    if (!opaque_tag(tag) && !foreign &&
                        g->v.element.children.length > 0) {
                        if (nst == cap_st) {
                            int nc = cap_st ? cap_st * 2 : 64;
                            frame *ns = realloc(st, (size_t)nc * sizeof *ns);
                            if (!ns) {
                                rc = VG_ENOMEM;
                                goto cleanup;
                            }
                            st = ns;
                            cap_st = nc;
                        }
                        st[nst].g = g;
                        st[nst].next = 0;
                        st[nst].idx = idx;
                        nst++;
                    }
                }
            }
        }
        if (nst == 0)
            break;
        frame *f = &st[nst - 1];
        const GumboVector *kids = &f->g->v.element.children;
        if (f->next < kids->length) {
            pending = kids->data[f->next++];
        } else {
            t->n[f->idx].end = t->count;
            nst--;
        }
    }
cleanup:
    free(st);
    if (rc != VG_OK)
        htree_free(t);
    return rc;
}

void htree_free(htree *t)
{
    if (!t)
        return;
    free(t->n);
    t->n = NULL;
    t->count = t->cap = 0;
}

void html_render_range(const htree *t, int from, int to, int only_kept,
                       hrender *r)
{
    int *ends = NULL;
    int nst = 0, cap = 0;
    for (int i = from; i < to;) {
        while (nst && ends[nst - 1] <= i) {
            nst--;
            hrender_break(r, HR_PARA);
        }
        const hnode *h = &t->n[i];
        if (h->flags & HN_DROP) {
            i = h->end;
            continue;
        }
        if (h->flags & HN_TEXT) {
            if (!only_kept ||
                (h->block >= 0 && (t->n[h->block].flags & HN_KEEP))) {
                size_t n;
                const char *s = text_of(h->g, &n);
                hrender_text(r, s, n);
            }
            i++;
            continue;
        }
        if (h->g->type == GUMBO_NODE_ELEMENT &&
            h->g->v.element.tag == GUMBO_TAG_BR)
            hrender_break(r, HR_LINE);
        if (h->flags & HN_BLOCK) {
            hrender_break(r, HR_PARA);
            if (h->end > i + 1) {
                if (nst == cap) {
                    int nc = cap ? cap * 2 : 64;
                    int *ne = realloc(ends, (size_t)nc * sizeof *ne);
                    if (!ne) {
                        r->out->err = VG_ENOMEM;
                        break;
                    }
                    ends = ne;
                    cap = nc;
                }
                ends[nst++] = h->end;
            }
        }
        i++;
    }
    free(ends);
}

/* ---- boilerplate by class and id ---- */

static const char *const BOILER_WORDS[] = {
    "share", "sharing", "sharer", "social", "cookie", "consent", "gdpr",
    "newsletter", "subscribe", "subscription", "related", "recommended",
    "recommendation", "popular", "trending", "comment", "disqus",
    "sidebar", "breadcrumb", "menu", "nav", "navbar", "navigation",
    "footer", "promo", "ad", "advert", "advertisement", "adsense",
    "banner", "sponsored", "outbrain", "taboola", "popup", "modal",
    "paywall", "signup", "caption", "credit", "credits", "byline",
    "dateline", "timestamp", "bio", "disclaimer", "fineprint",
};

/* Parts that say "this is a state of the page", not a kind of block:
 * "comments-open" on <body> must not drop the body. */
static const char *const STATE_WORDS[] = {"open", "closed", "enabled",
                                          "disabled", "active", "count"};
static const char *const MODIFIER_PREFIXES[] = {"has", "no", "is", "with",
                                                "show", "hide", "can"};
/* Blog engines tag a post's container with its taxonomy terms
 * ("category-social-media", "entry-tag-share-your-story"): the words
 * after the taxonomy word are the story's topics, chosen by its author,
 * and say nothing about what the block is. */
static const char *const TERM_PREFIXES[] = {"tag", "category"};

/* 1 + the index in words of the part p[0..n) (n > 0), also as a plural
 * when allow_plural; 0 when it is none of them. */
static int part_in(const char *p, size_t n, const char *const *words,
                   size_t nwords, int allow_plural)
{
    for (size_t i = 0; i < nwords; i++) {
        /* Asked for every class token of every element: the first letter
         * settles most words before their length is taken. */
        if (words[i][0] != p[0])
            continue;
        size_t wl = strlen(words[i]);
        if (n == wl && memcmp(p, words[i], n) == 0)
            return (int)i + 1;
        if (allow_plural && n == wl + 1 && p[wl] == 's' &&
            memcmp(p, words[i], wl) == 0)
            return (int)i + 1;
    }
    return 0;
}

#define NWORDS(a) (sizeof(a) / sizeof((a)[0]))

/* Tests one class token (or the id). */
static int token_is_boiler(const char *tok, size_t n, int *is_comment)
{
    char norm[128];
    size_t m = 0;
    if (n > 60)
        return 0; /* generated hashes, not words */
    for (size_t i = 0; i < n && m + 2 < sizeof norm; i++) {
        char c = tok[i];
        /* camelCase: "shareButtons" reads as "share-buttons". */
        if (c >= 'A' && c <= 'Z') {
            if (i > 0 && tok[i - 1] >= 'a' && tok[i - 1] <= 'z')
                norm[m++] = '-';
            c = (char)(c - 'A' + 'a');
        }
        if (c == '_')
            c = '-';
        norm[m++] = c;
    }
    norm[m] = '\0';
    /* Split into parts. */
    const char *parts[16];
    size_t lens[16];
    size_t np = 0;
    for (size_t i = 0; i < m && np < 16;) {
        while (i < m && norm[i] == '-')
            i++;
        size_t s = i;
        while (i < m && norm[i] != '-')
            i++;
        if (i > s) {
            parts[np] = norm + s;
            lens[np++] = i - s;
        }
    }
    if (np == 0)
        return 0;
    if (part_in(parts[0], lens[0], MODIFIER_PREFIXES,
                NWORDS(MODIFIER_PREFIXES), 0))
        return 0;
    if (part_in(parts[np - 1], lens[np - 1], STATE_WORDS, NWORDS(STATE_WORDS),
                0))
        return 0;
    for (size_t i = 0; i < np; i++) {
        /* "tag-share-ideas", "entry-category-social-media": what follows
         * the taxonomy word is a term, read no further. */
        if (i + 1 < np && part_in(parts[i], lens[i], TERM_PREFIXES,
                                  NWORDS(TERM_PREFIXES), 0))
            break;
        int w = part_in(parts[i], lens[i], BOILER_WORDS, NWORDS(BOILER_WORDS),
                        1);
        if (w) {
            if (is_comment)
                *is_comment = strcmp(BOILER_WORDS[w - 1], "comment") == 0 ||
                              strcmp(BOILER_WORDS[w - 1], "disqus") == 0;
            return 1;
        }
        /* "commentlist", "commentbody": comment widgets glue words. */
        if (lens[i] > 7 && memcmp(parts[i], "comment", 7) == 0 &&
            !(lens[i] >= 10 && memcmp(parts[i], "commentary", 10) == 0) &&
            !(lens[i] >= 9 && memcmp(parts[i], "commented", 9) == 0)) {
            if (is_comment)
                *is_comment = 1;
            return 1;
        }
        /* "most-read", "most-viewed", "most-popular" */
        if (i + 1 < np && lens[i] == 4 && memcmp(parts[i], "most", 4) == 0 &&
            ((lens[i + 1] == 4 && memcmp(parts[i + 1], "read", 4) == 0) ||
             (lens[i + 1] == 6 && memcmp(parts[i + 1], "viewed", 6) == 0))) {
            if (is_comment)
                *is_comment = 0;
            return 1;
        }
    }
    return 0;
}

int html_class_is_boilerplate(const char *cls, int *is_comment)
{
    if (is_comment)
        *is_comment = 0;
    if (!cls)
        return 0;
    const char *p = cls;
    while (*p) {
        while (*p && is_ws((unsigned char)*p))
            p++;
        const char *s = p;
        while (*p && !is_ws((unsigned char)*p))
            p++;
        if (p > s && token_is_boiler(s, (size_t)(p - s), is_comment))
            return 1;
    }
    return 0;
}

/* ---- nesting guard ---- */

/* Tags that never deepen the tree when repeated: void elements, and
 * those an identical start tag closes (li, p, td, a, ...). */
static const char *const FLAT_TAGS[] = {
    "area", "base", "br", "col", "embed", "hr", "img", "input", "link",
    "meta", "param", "source", "track", "wbr", "keygen", "p", "li", "dt",
    "dd", "option", "optgroup", "tr", "td", "th", "tbody", "thead", "tfoot",
    "rb", "rt", "rp", "a", "nobr", "button", "form", "html", "head", "body",
    "colgroup", "caption", "frame", "image",
};

/* Elements whose content is raw text or RCDATA to the tokenizer. */
static const char *const RAW_TAGS[] = {
    "script", "style", "textarea", "title", "xmp", "noscript", "iframe",
    "plaintext",
};

/* Elements that never sit inside a line of text: whitespace just
 * before or after their tags is never visible. */
static const char *const WS_FREE_TAGS[] = {
    "address", "article", "aside", "blockquote", "body", "br", "center",
    "dd", "details", "div", "dl", "dt", "fieldset", "figcaption", "figure",
    "footer", "form", "h1", "h2", "h3", "h4", "h5", "h6", "head", "header",
    "hgroup", "hr", "html", "iframe", "li", "link", "main", "menu", "meta",
    "nav", "noscript", "ol", "optgroup", "option", "p", "script", "section",
    "select", "style", "summary", "table", "tbody", "td", "tfoot", "th",
    "thead", "title", "tr", "ul", "base", "col", "colgroup", "caption",
    "dialog",
};

enum { TK_FLAT = 1, TK_RAW = 2, TK_WS_FREE = 4, TK_PRE = 8 };

/* The nesting guard and the squeeze look up every tag of a page: one
 * hash probe instead of a strcmp against each of these lists. */
#define TAG_SLOTS 256
static struct {
    char name[16];
    unsigned char kind;
} tag_slots[TAG_SLOTS];
static pthread_once_t tag_once = PTHREAD_ONCE_INIT;

static unsigned tag_hash(const char *name)
{
    unsigned h = 2166136261u;
    for (; *name; name++)
        h = (h ^ (unsigned char)*name) * 16777619u;
    return h & (TAG_SLOTS - 1);
}

static void tag_add(const char *name, unsigned char kind)
{
    unsigned j = tag_hash(name);
    while (tag_slots[j].name[0] && strcmp(tag_slots[j].name, name) != 0)
        j = (j + 1) & (TAG_SLOTS - 1);
    memcpy(tag_slots[j].name, name, strlen(name) + 1);
    tag_slots[j].kind |= kind;
}

static void tag_init(void)
{
    for (size_t i = 0; i < NWORDS(FLAT_TAGS); i++)
        tag_add(FLAT_TAGS[i], TK_FLAT);
    for (size_t i = 0; i < NWORDS(RAW_TAGS); i++)
        tag_add(RAW_TAGS[i], TK_RAW);
    for (size_t i = 0; i < NWORDS(WS_FREE_TAGS); i++)
        tag_add(WS_FREE_TAGS[i], TK_WS_FREE);
    tag_add("pre", TK_PRE);
    tag_add("listing", TK_PRE);
}

/* TK_* bits of a lower-cased tag name (shorter than 16 bytes). */
static unsigned tag_kind(const char *name)
{
    pthread_once(&tag_once, tag_init);
    unsigned j = tag_hash(name);
    while (tag_slots[j].name[0]) {
        if (strcmp(tag_slots[j].name, name) == 0)
            return tag_slots[j].kind;
        j = (j + 1) & (TAG_SLOTS - 1);
    }
    return 0;
}

static int flat_tag(const char *name)
{
    return (tag_kind(name) & TK_FLAT) != 0;
}

static int raw_text_tag(const char *name)
{
    return (tag_kind(name) & TK_RAW) != 0;
}

static int is_alpha(char c)
{
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z');
}

/* Needles here start with '<' or '-': memchr finds the candidates, so
 * scanning a long script costs one pass, not a compare per byte. */
static const char *find_ci(const char *s, size_t n, const char *needle)
{
    size_t nl = strlen(needle);
    size_t i = 0;
    while (i + nl <= n) {
        const char *c = memchr(s + i, needle[0], n - i - nl + 1);
        if (!c)
            return NULL;
        if (strncasecmp(c, needle, nl) == 0)
            return c;
        i = (size_t)(c - s) + 1;
    }
    return NULL;
}

size_t html_depth_cut(const char *s, size_t len)
{
    /* Each level of nesting takes a '<': a page with fewer of them than
     * the limit needs no walk (most pages, once squeezed). */
    size_t tags = 0;
    for (const char *p = s; tags <= HTML_MAX_DEPTH;) {
        p = memchr(p, '<', len - (size_t)(p - s));
        if (!p)
            return len;
        tags++;
        p++;
    }
    size_t depth = 0, i = 0;
    while (i < len) {
        const char *lt = memchr(s + i, '<', len - i);
        if (!lt)
            break;
        size_t at = (size_t)(lt - s);
        i = at + 1;
        if (len - at >= 4 && memcmp(lt, "<!--", 4) == 0) {
            const char *e = find_ci(s + at + 4, len - at - 4, "-->");
            if (!e)
                break;
            i = (size_t)(e - s) + 3;
            continue;
        }
        int closing = i < len && s[i] == '/';
        if (closing)
            i++;
        if (i >= len || !is_alpha(s[i]))
            continue;
        char name[16];
        size_t nl = 0;
        while (i < len && (is_alpha(s[i]) || (s[i] >= '0' && s[i] <= '9') ||
                           s[i] == '-')) {
            if (nl + 1 < sizeof name)
                name[nl++] = (char)(s[i] | 0x20);
            i++;
        }
        name[nl] = '\0';
        const char *gt = memchr(s + i, '>', len - i);
        if (!gt)
            break;
        int self_closing = gt > s + i && gt[-1] == '/';
        i = (size_t)(gt - s) + 1;
        if (closing) {
            if (!flat_tag(name) && depth > 0)
                depth--;
            continue;
        }
        if (raw_text_tag(name)) {
            char endtag[20] = "</";
            memcpy(endtag + 2, name, nl + 1);
            const char *e = find_ci(s + i, len - i, endtag);
            if (!e)
                break;
            i = (size_t)(e - s);
            continue;
        }
        if (self_closing || flat_tag(name))
            continue;
        if (++depth > HTML_MAX_DEPTH)
            return at;
    }
    return len;
}

static int ws_free_tag(const char *name)
{
    return (tag_kind(name) & TK_WS_FREE) != 0;
}

/* Lower-cased tag name at s[i..) (after '<' and an optional '/') into
 * name[cap]; returns the index past it. */
static size_t tag_name(const char *s, size_t len, size_t i, char *name,
                       size_t cap)
{
    size_t nl = 0;
    while (i < len && (is_alpha(s[i]) || (s[i] >= '0' && s[i] <= '9') ||
                       s[i] == '-')) {
        if (nl + 1 < cap)
            name[nl++] = (char)(s[i] | 0x20);
        i++;
    }
    name[nl] = '\0';
    return i;
}

/* Attributes some pass reads (html.c, html_main.c), or that change how
 * Gumbo builds the tree (input type, annotation-xml encoding). */
static int wanted_attribute(const char *a, size_t n)
{
    static const char *const NAMES[] = {
        "class", "id", "href", "rel", "type", "content", "property", "name",
        "itemprop", "role", "hidden", "style", "aria-hidden", "datetime",
        "pubdate", "lang", "xml:lang", "http-equiv", "encoding",
    };
    /* Asked for every attribute of the page: the first letter (n > 0)
     * settles most names before their length is taken. */
    char first = (char)(a[0] | 0x20);
    for (size_t i = 0; i < NWORDS(NAMES); i++)
        if (NAMES[i][0] == first && strlen(NAMES[i]) == n &&
            strncasecmp(NAMES[i], a, n) == 0)
            return 1;
    return 0;
}

/* The attributes of a start tag, read from s[*r] (just past the tag
 * name) to its closing '>' as the HTML tokenizer reads them (quotes
 * hide '>'), are written at s[*w] minus those no pass reads: Gumbo
 * spends more on an attribute (struct, positions, two strings) than on
 * the element holding it, and pages carry dozens of data-*, onclick and
 * tracking attributes. *w never passes *r, so this works in place.
 * Returns 0 when the tag does not end (the caller keeps the rest).
 * bare_href: the tag is <a>, whose href only counts for being there
 * (link text is told from text by it): its value goes, since Gumbo reads
 * a page's URLs character by character and links are many. */
static int strip_attributes(char *s, size_t len, size_t *w, size_t *r,
                            int bare_href)
{
    size_t p = *r, o = *w;
    for (;;) {
        /* Set when a skipped '/' comes right before '>': a self-closing
         * slash, which matters for foreign elements (a '/' ending an
         * unquoted value belongs to the value and was copied with it). */
        int slash = 0;
        while (p < len && (is_ws((unsigned char)s[p]) || s[p] == '/')) {
            slash = s[p] == '/';
            p++;
        }
        if (p >= len)
            return 0;
        if (s[p] == '>') {
            if (slash) {
                /* Spaced off when there is room (there was whitespace
                 * before it), so it cannot join an unquoted value. */
                if (o + 2 <= p)
                    s[o++] = ' ';
                s[o++] = '/';
            }
            s[o++] = '>';
            *w = o;
            *r = p + 1;
            return 1;
        }
        size_t ns = p;
        p++; /* a leading '=' belongs to the name */
        while (p < len && !is_ws((unsigned char)s[p]) && s[p] != '/' &&
               s[p] != '>' && s[p] != '=')
            p++;
        size_t ne = p;
        size_t q = p;
        while (q < len && is_ws((unsigned char)s[q]))
            q++;
        if (q < len && s[q] == '=') {
            q++;
            while (q < len && is_ws((unsigned char)s[q]))
                q++;
            if (q < len && (s[q] == '"' || s[q] == '\'')) {
                const char *e = memchr(s + q + 1, s[q], len - q - 1);
                if (!e)
                    return 0;
                q = (size_t)(e - s) + 1;
            } else {
                while (q < len && !is_ws((unsigned char)s[q]) && s[q] != '>')
                    q++;
            }
            p = q;
        }
        if (wanted_attribute(s + ns, ne - ns)) {
            if (o < ns)
                s[o++] = ' ';
            size_t keep = p - ns;
            if (bare_href && ne - ns == 4 && strncasecmp(s + ns, "href", 4) == 0)
                keep = 4; /* the name alone: an empty value */
            memmove(s + o, s + ns, keep);
            o += keep;
        }
    }
}

/* Whether the contents of a <script> or <style> whose start tag was
 * written at s[tag, end) can be dropped before the parse: nothing reads
 * them (JSON-LD, the one script a pass reads, says "json" in its type),
 * Gumbo makes a token of each of their characters, and pages carry tens
 * of kilobytes of them. Kept when the contents hold "<!--", which can
 * move a script's end past the first "</script>", and inside <svg> or
 * <math>, where they are markup, not raw text. */
static int contents_droppable(const char *s, size_t tag, size_t end,
                              const char *body, size_t body_len, int foreign)
{
    if (foreign)
        return 0;
    if (find_ci(s + tag, end - tag, "json"))
        return 0;
    return find_ci(body, body_len, "<!--") == NULL;
}

size_t html_squeeze_ws(char *s, size_t len)
{
    size_t r = 0, w = 0;
    /* Open <svg> and <math> elements, as far as their tags say. */
    size_t foreign = 0;
    /* Copies s[r, to) down to s[w, ...). */
#define KEEP(to)                                                        \
    do {                                                                \
        size_t to_ = (to);                                              \
        if (w != r)                                                     \
            memmove(s + w, s + r, to_ - r);                             \
        w += to_ - r;                                                   \
        r = to_;                                                        \
    } while (0)
    while (r < len) {
        const char *lt = memchr(s + r, '<', len - r);
        KEEP(lt ? (size_t)(lt - s) : len);
        if (r >= len)
            break;
        size_t at = r;
        if (len - at >= 4 && memcmp(s + at, "<!--", 4) == 0) {
            const char *e = find_ci(s + at + 4, len - at - 4, "-->");
            KEEP(e ? (size_t)(e - s) + 3 : len);
            continue;
        }
        size_t i = at + 1;
        int closing = i < len && s[i] == '/';
        if (closing)
            i++;
        if (i >= len || !is_alpha(s[i])) {
            KEEP(at + 1);
            continue;
        }
        char name[16];
        i = tag_name(s, len, i, name, sizeof name);
        int svg_math = strcmp(name, "svg") == 0 || strcmp(name, "math") == 0;
        size_t tag_at = w; /* where this tag is written */
        if (!closing) {
            KEEP(i);
            size_t w2 = w, r2 = r;
            if (!strip_attributes(s, len, &w2, &r2, strcmp(name, "a") == 0)) {
                KEEP(len);
                break;
            }
            w = w2;
            r = r2;
        } else {
            const char *gt = memchr(s + i, '>', len - i);
            if (!gt) {
                KEEP(len);
                break;
            }
            KEEP((size_t)(gt - s) + 1);
        }
        if (svg_math) {
            if (!closing && s[w - 2] != '/')
                foreign++;
            else if (closing && foreign > 0)
                foreign--;
        }
        if (!closing && (tag_kind(name) & (TK_RAW | TK_PRE))) {
            /* Contents copied as they are, up to the end tag. */
            char endtag[20] = "</";
            memcpy(endtag + 2, name, strlen(name) + 1);
            const char *e = find_ci(s + r, len - r, endtag);
            if (e && (strcmp(name, "script") == 0 || strcmp(name, "style") == 0) &&
                contents_droppable(s, tag_at, w, s + r, (size_t)(e - s) - r,
                                   foreign > 0)) {
                r = (size_t)(e - s);
                continue;
            }
            KEEP(e ? (size_t)(e - s) : len);
            continue;
        }
        size_t e = r;
        while (e < len && is_ws((unsigned char)s[e]))
            e++;
        if (e == r || e >= len || s[e] != '<')
            continue;
        int drop = ws_free_tag(name);
        if (!drop) {
            char next[16];
            size_t j = e + 1;
            if (j < len && s[j] == '/')
                j++;
            tag_name(s, len, j, next, sizeof next);
            drop = ws_free_tag(next);
        }
        if (drop)
            r = e;
    }
#undef KEEP
    return w;
}

/* ---- feed summaries ---- */

vg_err html_to_text(const char *data, size_t len, char **out)
{
    if (!out)
        return vg_error_set(VG_EINVAL, "html_to_text: no output");
    *out = NULL;
    if (!data)
        len = 0;
    if (len > HTML_MAX_BYTES)
        return vg_error_set(VG_ETOOBIG, "HTML of %zu bytes", len);
    vg_err rc = VG_OK;
    GumboOutput *g = NULL;
    htree t = {0};
    vg_buf b;
    vg_buf_init(&b, HTML_MAX_BYTES);
    GumboOptions opt = kGumboDefaultOptions;
    opt.max_errors = 0;
    opt.fragment_context = GUMBO_TAG_BODY;
    g = gumbo_parse_with_options(&opt, data ? data : "",
                                 html_depth_cut(data ? data : "", len));
    if (!g) {
        rc = vg_error_set(VG_ENOMEM, "gumbo failed");
        goto cleanup;
    }
    rc = htree_build(&t, g->root);
    if (rc != VG_OK)
        goto cleanup;
    hrender r = {.out = &b, .pending = HR_NONE, .para_break = "\n"};
    html_render_range(&t, 0, t.count, 0, &r);
    if (b.err != VG_OK) {
        rc = b.err;
        goto cleanup;
    }
    *out = vg_buf_detach(&b);
    if (!*out)
        rc = VG_ENOMEM;
cleanup:
    htree_free(&t);
    if (g)
        gumbo_destroy_output(&opt, g);
    vg_buf_free(&b);
    return rc;
}
