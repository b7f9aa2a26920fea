/*
 * Main text of a page: which part of <body> is the article.
 *
 * Three steps over the flat tree. First, boilerplate is marked: tags that
 * are never the article (nav, footer, aside, ...), ARIA landmarks that
 * say the same, hidden elements, and class/id names of share bars,
 * cookie banners, related links or comments. Second, every block (p, li,
 * td, a div's own text, ...) gets a score: prose (long, with commas, few
 * links) counts as good, short or link-heavy text as bad. Third, the
 * container (article, main, section, div, td, body) whose subtree
 * maximises good - bad wins: it holds the prose while leaving out the
 * surrounding junk, with no magic "top candidate then siblings" step.
 * Its blocks are written out, minus link lists. Pages where no container
 * holds enough prose fall back to every <p> of the body.
 */
#include "parser/html.h"
#include "parser/html_int.h"

#include <string.h>

/* Below this much prose (code points) no container "wins clearly". */
#define MIN_WINNER_GOOD 150.0
/* A block shorter than this is not prose (bylines, dates, labels). */
#define MIN_PROSE_LEN 30
/* Blocks whose text is more than this share of link text are lists of
 * links (menus, "related" lists), not content. */
#define MAX_LINK_DENSITY 0.5

/* Why an element is boilerplate. */
enum { BP_NONE = 0, BP_HARD, BP_SOFT, BP_COMMENT };

static GumboTag tag_of(const hnode *h)
{
    if (h->flags & HN_TEXT)
        return GUMBO_TAG_UNKNOWN;
    if (h->g->type == GUMBO_NODE_TEMPLATE)
        return GUMBO_TAG_TEMPLATE;
    return h->g->v.element.tag;
}

static int has_token(const char *list, const char *word)
{
    if (!list)
        return 0;
    size_t wl = strlen(word);
    const char *p = list;
    while (*p) {
        while (*p == ' ' || *p == '\t' || *p == '\n')
            p++;
        const char *s = p;
        while (*p && *p != ' ' && *p != '\t' && *p != '\n')
            p++;
        if ((size_t)(p - s) == wl && strncasecmp(s, word, wl) == 0)
            return 1;
    }
    return 0;
}

/* display:none in an inline style, spaces and case aside. */
static int style_hidden(const char *style)
{
    if (!style)
        return 0;
    char buf[256];
    size_t m = 0;
    for (const char *p = style; *p && m + 1 < sizeof buf; p++)
        if (*p != ' ' && *p != '\t')
            buf[m++] = (char)((*p >= 'A' && *p <= 'Z') ? *p + 32 : *p);
    buf[m] = '\0';
    return strstr(buf, "display:none") != NULL ||
           strstr(buf, "visibility:hidden") != NULL;
}

static int boiler_reason(const hnode *h)
{
    const GumboNode *g = h->g;
    switch (tag_of(h)) {
    case GUMBO_TAG_NAV: case GUMBO_TAG_HEADER: case GUMBO_TAG_FOOTER:
    case GUMBO_TAG_ASIDE: case GUMBO_TAG_SCRIPT: case GUMBO_TAG_STYLE:
    case GUMBO_TAG_NOSCRIPT: case GUMBO_TAG_IFRAME: case GUMBO_TAG_SVG:
    case GUMBO_TAG_BUTTON: case GUMBO_TAG_TEMPLATE: case GUMBO_TAG_SELECT:
    case GUMBO_TAG_TEXTAREA: case GUMBO_TAG_INPUT: case GUMBO_TAG_MENU:
    case GUMBO_TAG_OBJECT: case GUMBO_TAG_EMBED:
    case GUMBO_TAG_CANVAS: case GUMBO_TAG_MATH:
        return BP_HARD;
    case GUMBO_TAG_FORM:
        /* Some CMSs wrap the whole page in one <form>: droppable only
         * when it does not hold the prose. */
        return BP_SOFT;
    default:
        break;
    }
    if (g->type != GUMBO_NODE_ELEMENT)
        return BP_NONE;
    if (html_attr(g, "hidden") || style_hidden(html_attr(g, "style")))
        return BP_HARD;
    const char *aria_hidden = html_attr(g, "aria-hidden");
    if (aria_hidden && strcasecmp(aria_hidden, "true") == 0)
        return BP_HARD;
    const char *role = html_attr(g, "role");
    if (role && (has_token(role, "navigation") || has_token(role, "banner") ||
                 has_token(role, "contentinfo") ||
                 has_token(role, "complementary") ||
                 has_token(role, "dialog") || has_token(role, "alertdialog") ||
                 has_token(role, "search") || has_token(role, "menu") ||
                 has_token(role, "menubar")))
        return BP_HARD;
    GumboTag tag = tag_of(h);
    /* The article itself is never dropped for its class: WordPress puts
     * "comments-open"-like classes on <body> and <article>. */
    if (tag == GUMBO_TAG_BODY || tag == GUMBO_TAG_HTML ||
        tag == GUMBO_TAG_MAIN || tag == GUMBO_TAG_ARTICLE)
        return BP_NONE;
    const char *itemprop = html_attr(g, "itemprop");
    if (itemprop && has_token(itemprop, "articleBody"))
        return BP_NONE;
    int comment = 0;
    if (html_class_is_boilerplate(html_attr(g, "class"), &comment) ||
        html_class_is_boilerplate(html_attr(g, "id"), &comment))
        return comment ? BP_COMMENT : BP_SOFT;
    return BP_NONE;
}

/* Fills block figures and subtree good/bad sums for [from, to). */
static void score(htree *t, int from, int to, int use_drops)
{
    hnode *n = t->n;
    for (int i = from; i < to; i++)
        if (!(n[i].flags & HN_TEXT)) {
            n[i].text = n[i].link = n[i].commas = 0;
            n[i].good = n[i].bad = 0;
        }
    for (int i = from; i < to;) {
        if (use_drops && (n[i].flags & HN_DROP)) {
            i = n[i].end;
            continue;
        }
        if ((n[i].flags & HN_TEXT) && n[i].block >= from) {
            hnode *b = &n[n[i].block];
            b->text += n[i].text;
            b->commas += n[i].commas;
            if (n[i].flags & HN_IN_LINK)
                b->link += n[i].text;
        }
        i++;
    }
    for (int i = from; i < to; i++) {
        hnode *b = &n[i];
        if ((b->flags & HN_TEXT) || !(b->flags & HN_BLOCK) || b->text == 0)
            continue;
        if (b->flags & HN_HEADING)
            continue; /* neutral: headings neither make nor break */
        double len = (double)b->text;
        double d = (double)b->link / len;
        if (b->text >= MIN_PROSE_LEN && d < 0.4) {
            size_t c = b->commas < 20 ? b->commas : 20;
            b->good = len * (1.0 - d) + 20.0 * (double)c;
        } else {
            b->bad = len * (0.5 + 0.5 * d);
        }
    }
    for (int i = to - 1; i > from; i--) {
        int p = n[i].parent;
        if (p >= from && !(n[i].flags & HN_TEXT)) {
            n[p].good += n[i].good;
            n[p].bad += n[i].bad;
        }
    }
}

static void mark_drops(htree *t, int body)
{
    hnode *n = t->n;
    int to = n[body].end;
    /* Prose per subtree with nothing dropped, to veto soft drops of
     * wrappers that hold most of the page's prose. */
    score(t, body, to, 0);
    double total = n[body].good;
    for (int i = body + 1; i < to;) {
        if (n[i].flags & HN_TEXT) {
            i++;
            continue;
        }
        int why = boiler_reason(&n[i]);
        if (why == BP_SOFT && total > 0 && n[i].good >= 0.5 * total)
            why = BP_NONE;
        if (why != BP_NONE) {
            n[i].flags |= HN_DROP;
            i = n[i].end;
            continue;
        }
        i++;
    }
}

static int candidate(const hnode *h)
{
    switch (tag_of(h)) {
    case GUMBO_TAG_DIV: case GUMBO_TAG_SECTION: case GUMBO_TAG_ARTICLE:
    case GUMBO_TAG_MAIN: case GUMBO_TAG_BODY: case GUMBO_TAG_TD:
    case GUMBO_TAG_CENTER: case GUMBO_TAG_FORM: case GUMBO_TAG_UNKNOWN:
        return 1;
    default:
        return 0;
    }
}

/* Containers that say "I am the article" get a small head start. */
static int semantic(const hnode *h)
{
    GumboTag tag = tag_of(h);
    if (tag == GUMBO_TAG_ARTICLE || tag == GUMBO_TAG_MAIN)
        return 1;
    const char *role = html_attr(h->g, "role");
    if (role && has_token(role, "main"))
        return 1;
    const char *itemprop = html_attr(h->g, "itemprop");
    return itemprop && has_token(itemprop, "articleBody");
}

static int keep_block(const hnode *b)
{
    if (b->text == 0)
        return 0;
    if (b->flags & HN_HEADING)
        return 1;
    return (double)b->link <= MAX_LINK_DENSITY * (double)b->text;
}

static void clear_keep(htree *t, int from, int to)
{
    for (int i = from; i < to; i++)
        t->n[i].flags &= ~(unsigned)HN_KEEP;
}

/* What the fallback keeps: the body's paragraphs. */
static int paragraph_tag(GumboTag tag)
{
    return tag == GUMBO_TAG_P || tag == GUMBO_TAG_PRE ||
           tag == GUMBO_TAG_BLOCKQUOTE;
}

/* Marks the kept blocks of [from, to); with only_paragraphs, only
 * blocks whose tag passes paragraph_tag. Returns how many were kept. */
static int mark_keep(htree *t, int from, int to, int only_paragraphs)
{
    int kept = 0;
    for (int i = from; i < to;) {
        hnode *h = &t->n[i];
        if (h->flags & HN_DROP) {
            i = h->end;
            continue;
        }
        if ((h->flags & HN_BLOCK) && keep_block(h) &&
            (!only_paragraphs || paragraph_tag(tag_of(h)))) {
            h->flags |= HN_KEEP;
            kept++;
        }
        i++;
    }
    return kept;
}

vg_err html_main_text(htree *t, int body, vg_buf *out)
{
    if (body < 0 || body >= t->count)
        return VG_OK;
    hnode *n = t->n;
    int to = n[body].end;
    mark_drops(t, body);
    score(t, body, to, 1);

    int best = -1;
    double best_score = 0;
    for (int i = body; i < to;) {
        if (n[i].flags & HN_DROP) {
            i = n[i].end;
            continue;
        }
        if (!(n[i].flags & HN_TEXT) && candidate(&n[i]) && n[i].good > 0) {
            double s = n[i].good - n[i].bad;
            if (semantic(&n[i]))
                s *= 1.1;
            /* ">=": on a tie the deeper container (later in document
             * order) is the tighter fit. */
            if (best < 0 || s >= best_score) {
                best = i;
                best_score = s;
            }
        }
        i++;
    }

    hrender r = {.out = out, .pending = HR_NONE, .para_break = "\n\n"};
    clear_keep(t, body, to);
    if (best >= 0 && n[best].good >= MIN_WINNER_GOOD) {
        mark_keep(t, best, n[best].end, 0);
        html_render_range(t, best, n[best].end, 1, &r);
    } else if (mark_keep(t, body, to, 1) > 0) {
        html_render_range(t, body, to, 1, &r);
    } else {
        /* No paragraphs at all: a short page of divs. */
        mark_keep(t, body, to, 0);
        html_render_range(t, body, to, 1, &r);
    }
    return out->err;
}
