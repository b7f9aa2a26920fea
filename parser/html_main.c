/*
 * Main text of a page: which part of <body> is the article.
 *
 * Three steps over the flat tree. First, boilerplate is marked: tags that
 * are never the article (nav, footer, aside, figcaption, ...), ARIA
 * landmarks that say the same, hidden elements, and class/id names of
 * share bars, cookie banners, related links, comments or captions.
 * Second, every block (p, li, td, a div's own text, ...) gets a score:
 * prose (long, with commas, few links) counts as good, short or
 * link-heavy text as bad. Third, the
 * container (article, main, section, div, td, body) whose subtree
 * maximises good - bad wins: it holds the prose while leaving out the
 * surrounding junk, with no magic "top candidate then siblings" step.
 * Two corrections follow: a winner away from the page's headline (a
 * long sidebar beside a short post) gives way to the container of the
 * prose after the headline, and a story split in pieces of one kind
 * (two <article>s around a side rail) is taken whole.
 * Then the winner is cleaned: end-matter headings ("Comments",
 * "Related stories", "More from ...") drop what follows them; teaser
 * lists and link clusters it swallowed are pruned by link density; its
 * blocks are written out minus link lists, repeated blocks, escaped
 * markup, and the furniture at the edges of the text (short lines that
 * end no sentence: bylines, datelines, credits). Pages where no container
 * holds enough prose fall back to every <p> of the body.
 */
#include "parser/html.h"
#include "parser/html_int.h"


#include <string.h>
#include <stdint.h>
#include <stdlib.h>

/* Below this much prose (code points) no container "wins clearly". */
#define MIN_WINNER_GOOD 150.0
/* A block shorter than this is not prose (bylines, dates, labels). */
#define MIN_PROSE_LEN 30
/* Blocks whose text is more than this share of link text are lists of
 * links (menus, "related" lists), not content. */
#define MAX_LINK_DENSITY 0.5
/* Pruning inside the winner: a sub-container with at least
 * PRUNE_MIN_TEXT code points, more than PRUNE_LINK_DENSITY of them link
 * text, or whose short-line debris outweighs its prose PRUNE_BAD_RATIO
 * times (past PRUNE_MIN_BAD), is a teaser list or a link cluster, unless
 * it holds PRUNE_MAX_SHARE of the winner's prose. Tuned on the dev
 * pages of two public benchmarks; no site-specific rule. */
#define PRUNE_MIN_TEXT 80
#define PRUNE_LINK_DENSITY 0.2
#define PRUNE_MIN_BAD 150.0
#define PRUNE_BAD_RATIO 2.0
#define PRUNE_MAX_SHARE 0.3
/* Lists and tables with less than PRUNE_PLAIN_LIST_LD link text are
 * content, whatever their short lines; lists with less than
 * PRUNE_PROSE_LD whose prose outweighs their debris PRUNE_PROSE_RATIO
 * times are too. */
#define PRUNE_PLAIN_LIST_LD 0.05
#define PRUNE_PROSE_LD 0.3
#define PRUNE_PROSE_RATIO 3.0
/* An end-matter heading ("Comments", "Related") does not drop what
 * follows it when that holds this share of the page's prose, unless
 * the prose before it in its parent reaches MIN_WINNER_GOOD. */
#define END_MATTER_MAX_SHARE 0.5
/* Lines at the edges of the text up to this many bytes that do not end
 * a sentence are bylines, datelines and credits. */
#define FURNITURE_MAX_LEN 35
/* A semantic container (<article>, <main>) inside the winner replaces
 * it when it holds this share of the winner's prose. */
#define SEMANTIC_MIN_SHARE 0.4
/* A container that follows the page's headline replaces a winner
 * elsewhere on the page when it holds this share of the winner's prose
 * (a short post beside a long sidebar or author box). */
#define ANCHOR_MIN_SHARE 0.1
/* A story split in pieces (an ad or a side rail between two <article>
 * or two identical body <div>s): a piece up to TWIN_MAX_UP levels
 * above the winner, of the winner's tag and class, without headings of
 * its own, with TWIN_MIN_SHARE of the winner's prose and little link
 * text, is more of the story; more than TWIN_MAX pieces make a list of
 * stories, not one story. */
#define TWIN_MAX_UP 3
#define TWIN_MIN_SHARE 0.1
#define TWIN_MAX 3
/* A headline followed by at most this much text (code points: a byline,
 * a date) before the story is the story's own headline. */
#define HEADLINE_MAX_GAP 300
/* A winner before the page's headline with less prose than this many
 * times MIN_WINNER_GOOD (a tagline, an "about me" blurb) gives way to
 * the prose after the headline, however short that is. */
#define WEAK_WINNER_FACTOR 2.0
/* A paragraph of at least this many code points between two kept
 * blocks of the story is kept whatever its share of link text. */
#define INTERIOR_MIN_LEN 80
/* Blocks shorter than this may repeat ("Yes", "Update:"). */
#define DEDUP_MIN_LEN 20

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
    case GUMBO_TAG_CANVAS: case GUMBO_TAG_MATH: case GUMBO_TAG_FIGCAPTION:
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
    for (int i = from; i < to; i++) {
        n[i].stext = n[i].slink = 0;
        if (!(n[i].flags & HN_TEXT)) {
            n[i].text = n[i].link = n[i].commas = 0;
            n[i].good = n[i].bad = 0;
        }
    }
    for (int i = from; i < to;) {
        if (use_drops && (n[i].flags & HN_DROP)) {
            i = n[i].end;
            continue;
        }
        if (n[i].flags & HN_TEXT) {
            n[i].stext = n[i].text;
            n[i].slink = (n[i].flags & HN_IN_LINK) ? n[i].text : 0;
        }
        if ((n[i].flags & HN_TEXT) && n[i].block >= from) {
            hnode *b = &n[n[i].block];
            b->text += n[i].text;
            b->commas = b->commas + n[i].commas > UINT16_MAX
                            ? UINT16_MAX
                            : (uint16_t)(b->commas + n[i].commas);
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
            b->bad = len * (1.0 + 0.5 * d);
        }
    }
    for (int i = to - 1; i > from; i--) {
        int p = n[i].parent;
        if (p < from)
            continue;
        n[p].stext += n[i].stext;
        n[p].slink += n[i].slink;
        if (!(n[i].flags & HN_TEXT)) {
            n[p].good += n[i].good;
            n[p].bad += n[i].bad;
        }
    }
}


/* What peek_text does with a byte: copy it, collapse it as a blank,
 * lower it, or stop (NUL). A table: the dedup pass reads the start of
 * every kept block. */
enum { PK_COPY = 0, PK_SPACE = 1, PK_UPPER = 2, PK_END = 3 };
static const unsigned char peek_class[256] = {
    3, 0, 0, 0, 0, 0, 0, 0, 0, 1, 1, 0, 1, 1, 0, 0,  /* 00 */
    0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0,  /* 10 */
    1, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0,  /* 20 */
    0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0,  /* 30 */
    0, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2,  /* 40 */
    2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 0, 0, 0, 0, 0,  /* 50 */
    0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0,  /* 60 */
    0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0,  /* 70 */
    0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0,  /* 80 */
    0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0,  /* 90 */
    0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0,  /* A0 */
    0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0,  /* B0 */
    0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0,  /* C0 */
    0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0,  /* D0 */
    0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0,  /* E0 */
    0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0,  /* F0 */
};

/* The first cap-1 bytes of the visible text of [i, end of i), ASCII
 * lower-cased, whitespace runs collapsed to one space, trimmed; only text
 * nodes whose nearest block is `block` when block >= 0. Returns length. */
static size_t peek_text(const htree *t, int i, int block, char *buf,
                        size_t cap)
{
    size_t m = 0;
    int space = 0;
    for (int j = i; j < t->n[i].end && m + 1 < cap;) {
        const hnode *h = &t->n[j];
        /* Under another block, every text's nearest block is that one
         * or deeper: when only block's own text is wanted, the whole
         * subtree can be passed over (a kept container otherwise walks
         * all of its paragraphs for nothing). */
        if ((h->flags & HN_DROP) ||
            (block >= 0 && j != block && !(h->flags & HN_TEXT) && h->block == j)) {
            j = h->end;
            continue;
        }
        if ((h->flags & HN_TEXT) && (block < 0 || h->block == block) &&
            h->g->v.text.text) {
            const unsigned char *s = (const unsigned char *)h->g->v.text.text;
            char *o = buf + m, *lim = buf + cap - 1;
            /* Only as far as the copy can go: paragraphs run long. */
            const unsigned char *end = s + strnlen((const char *)s, (size_t)(lim - o) + 8);
            while (o < lim) {
                /* Prose that neither starts nor ends with a space, while
                 * no blank is waiting: eight bytes lowered and copied. */
                while (!space && lim - o > 8 && end - s >= 8) {
                    uint64_t w;
                    memcpy(&w, s, 8);
                    if (!html8_prose(w) || s[0] == ' ' || s[7] == ' ')
                        break;
                    memcpy(o, &(uint64_t){w + (html8_upper(w) >> 2)}, 8);
                    o += 8;
                    s += 8;
                }
                unsigned char c = *s++;
                unsigned k = peek_class[c];
                if (k == PK_COPY && !space) {
                    *o++ = (char)c;
                    continue;
                }
                if (k == PK_END)
                    break;
                if (k == PK_SPACE) {
                    space = o > buf;
                    continue;
                }
                if (space && o + 1 < lim)
                    *o++ = ' ';
                space = 0;
                *o++ = (char)(k == PK_UPPER ? c + ('a' - 'A') : c);
            }
            m = (size_t)(o - buf);
        }
        j++;
    }
    buf[m] = '\0';
    return m;
}

/* Headings that open the end matter of a page: comments, related and
 * "more" lists, share prompts. Matched on the whole heading, an optional
 * leading count aside ("12 Comments"). */
static int end_matter_heading(const char *s)
{
    static const char *const HEADS[] = {
        "comment", "comments", "reader comments", "responses", "replies",
        "leave a comment", "leave a reply", "post a comment",
        "add a comment", "add your comment", "join the discussion",
        "discussion", "trackbacks", "trackback", "pingbacks",
        "related", "related posts", "related articles", "related stories",
        "related content", "related links", "related news",
        "more stories", "more news", "more from", "more articles",
        "you may also like", "you might also like", "recommended",
        "recommended for you", "most popular", "most read", "most viewed",
        "popular posts", "recent posts", "latest news", "top stories",
        "share this", "share this article", "share this post",
        "share this story", "about the author", "tags", "read more",
        "read next", "further reading", "see also", "also read",
        "commentaires", "vos commentaires", "réagir", "à lire aussi",
        "\xC3\x80 lire aussi", /* upper-case A grave: only ASCII is folded */
        "a lire aussi", "lire aussi", "sur le même sujet",
        "articles similaires", "articles liés", "les plus lus",
        "partager", "partager cet article", "dans la même rubrique",
    };
    while (*s >= '0' && *s <= '9')
        s++;
    while (*s == ' ')
        s++;
    size_t n = strlen(s);
    while (n > 0 && (s[n - 1] == ':' || s[n - 1] == ' ' || s[n - 1] == '.' ||
                     s[n - 1] == '!' || s[n - 1] == ')'))
        n--;
    /* "Comments (12)" */
    const char *paren = memchr(s, '(', n);
    if (paren) {
        n = (size_t)(paren - s);
        while (n > 0 && s[n - 1] == ' ')
            n--;
    }
    if (n == 0)
        return 0;
    for (size_t i = 0; i < sizeof HEADS / sizeof HEADS[0]; i++)
        if (strlen(HEADS[i]) == n && memcmp(HEADS[i], s, n) == 0)
            return 1;
    /* "More from <site>", "More <site>", "More in <section>": short,
     * so that a headline opening with "More" is not taken for one. */
    size_t spaces = 0;
    for (size_t i = 0; i < n; i++)
        spaces += s[i] == ' ';
    return n < 40 && spaces <= 3 && strncmp(s, "more ", 5) == 0;
}

/* Drops an end-matter heading and everything after it in its parent,
 * unless that would take away most of the page's prose. */
static void drop_end_matter(htree *t, int body, double total)
{
    hnode *n = t->n;
    char buf[64];
    for (int i = body + 1; i < n[body].end;) {
        hnode *h = &n[i];
        /* A heading dropped for its class or id ("comments") still
         * says where the end matter starts. */
        int dropped = (h->flags & HN_DROP) != 0;
        if (dropped && !(h->flags & HN_HEADING)) {
            i = h->end;
            continue;
        }
        h->flags &= ~(unsigned)HN_DROP;
        size_t len = (h->flags & HN_HEADING)
                         ? peek_text(t, i, -1, buf, sizeof buf)
                         : sizeof buf;
        if (dropped)
            h->flags |= HN_DROP;
        if (len + 1 >= sizeof buf || !end_matter_heading(buf)) {
            i = dropped ? h->end : i + 1;
            continue;
        }
        int p = h->parent;
        double after = 0, before = 0;
        for (int j = h->end; j < n[p].end; j = n[j].end)
            after += n[j].good;
        for (int j = p + 1; j < i; j = n[j].end)
            before += n[j].good;
        /* Most of the page's prose after the heading: the heading opens
         * the page rather than closes it, unless a story came first
         * (a short post, then a long thread of comments). */
        if (total > 0 && after >= END_MATTER_MAX_SHARE * total &&
            before < MIN_WINNER_GOOD) {
            i = dropped ? h->end : i + 1;
            continue;
        }
        for (int j = i; j < n[p].end; j = n[j].end)
            n[j].flags |= HN_DROP;
        i = n[p].end;
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
    drop_end_matter(t, body, total);
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


/* A long paragraph between two kept blocks of the piece [w, end of w)
 * is kept even when it is mostly link text ("As we reported, ...",
 * a sentence quoting three sources): inside the story a paragraph is
 * the story's, and only the edges hold "Tags:" or "Related:" lines. */
static void keep_interior(htree *t, int w)
{
    hnode *n = t->n;
    int first = -1, last = -1;
    for (int i = w; i < n[w].end;) {
        if (n[i].flags & HN_DROP) {
            i = n[i].end;
            continue;
        }
        if ((n[i].flags & HN_KEEP) && !(n[i].flags & HN_TEXT)) {
            if (first < 0)
                first = i;
            last = i;
        }
        i++;
    }
    for (int i = first + 1; first >= 0 && i < last;) {
        hnode *b = &n[i];
        if (b->flags & HN_DROP) {
            i = b->end;
            continue;
        }
        if (!(b->flags & (HN_TEXT | HN_KEEP)) && (b->flags & HN_BLOCK) &&
            tag_of(b) == GUMBO_TAG_P && b->text >= INTERIOR_MIN_LEN)
            b->flags |= HN_KEEP;
        i++;
    }
}

/* Containers inside the winner that are not part of the story: teaser
 * lists ("more stories": headline links, dates, one-line summaries) and
 * link clusters. They hold some prose, so the winner took them along;
 * what gives them away is the share of their text that is link text,
 * or short-line debris outweighing their prose. A subtree holding a
 * large part of the winner's prose is the story itself and stays. */
static void prune_winner(htree *t, int best)
{
    hnode *n = t->n;
    double total = n[best].good;
    /* Which containers hold a table, in one backward pass. */
    for (int i = best + 1; i < n[best].end; i++)
        n[i].flags &= ~(unsigned)HN_HAS_TABLE;
    for (int i = n[best].end - 1; i > best; i--)
        if (tag_of(&n[i]) == GUMBO_TAG_TABLE ||
            (n[i].flags & HN_HAS_TABLE))
            n[n[i].parent].flags |= HN_HAS_TABLE;
    for (int i = best + 1; i < n[best].end;) {
        hnode *h = &n[i];
        if (h->flags & HN_DROP) {
            i = h->end;
            continue;
        }
        if ((h->flags & HN_TEXT) || h->end == i + 1 ||
            (h->flags & HN_HEADING)) {
            i++;
            continue;
        }
        GumboTag tag = tag_of(h);
        if (tag == GUMBO_TAG_P || tag == GUMBO_TAG_A || tag == GUMBO_TAG_SPAN ||
            tag == GUMBO_TAG_BLOCKQUOTE || tag == GUMBO_TAG_PRE) {
            i++;
            continue;
        }
        double share = total > 0 ? h->good / total : 0;
        double ld = h->stext ? (double)h->slink / (double)h->stext : 0;
        /* A list or table without links is the story's own (steps,
         * ingredients, key points, figures): short items and cells are
         * its nature, not debris. So is a block wrapping such a table. */
        int plain_list = ld < PRUNE_PLAIN_LIST_LD &&
                         (tag == GUMBO_TAG_UL || tag == GUMBO_TAG_OL ||
                          tag == GUMBO_TAG_DL || tag == GUMBO_TAG_TABLE ||
                          tag == GUMBO_TAG_TBODY || tag == GUMBO_TAG_THEAD ||
                          tag == GUMBO_TAG_TR ||
                          (h->flags & HN_HAS_TABLE));
        /* A list whose items are sentences with a link here and there
         * (a list of points, each citing a source) is prose too. */
        int prose_list = (tag == GUMBO_TAG_UL || tag == GUMBO_TAG_OL) &&
                         ld < PRUNE_PROSE_LD &&
                         h->good > PRUNE_PROSE_RATIO * h->bad;
        /* A div used as a paragraph (all of its text its own, scored as
         * prose) is a sentence with a link in it, not a link cluster:
         * scoring already weighed its links. */
        int own_prose = (h->flags & HN_BLOCK) && h->text == h->stext &&
                        h->good > 0;
        if (share < PRUNE_MAX_SHARE &&
            ((h->stext >= PRUNE_MIN_TEXT && ld > PRUNE_LINK_DENSITY &&
              !prose_list && !own_prose) ||
             (!plain_list && h->bad > PRUNE_MIN_BAD &&
              h->bad > PRUNE_BAD_RATIO * h->good))) {
            h->flags |= HN_DROP;
            i = h->end;
            continue;
        }
        i++;
    }
}

/* Does a short line read like page furniture rather than a sentence of
 * the story: a byline, a dateline, a caption credit, a share prompt? It
 * is short and does not end a sentence. */
static int furniture_line(const char *s, size_t n)
{
    if (n == 0)
        return 1;
    if (n > FURNITURE_MAX_LEN)
        return 0;
    char last = s[n - 1];
    return !(last == '.' || last == '!' || last == '?' || last == '"' ||
             last == ':');
}

/* A key for spotting a block printed twice on one page. Keys are only
 * compared within one page, so it need not be vg_hash64; it reads eight
 * bytes at a time, because every kept block is keyed. */
static uint64_t block_key(const char *s, size_t n)
{
    uint64_t h = 0x9E3779B97F4A7C15ULL ^ n;
    size_t i = 0;
    for (; i + 8 <= n; i += 8) {
        uint64_t w;
        memcpy(&w, s + i, 8);
        h = (h ^ w) * 0xFF51AFD7ED558CCDULL;
        h ^= h >> 29;
    }
    uint64_t w = 0;
    memcpy(&w, s + i, n - i);
    h = (h ^ w) * 0xC4CEB9FE1A85EC53ULL;
    return h ^ (h >> 32);
}

/* After the winner's blocks are marked: drops the furniture at the
 * edges of the text (lines before the first sentence and after the
 * last), repeated blocks (a caption or teaser printed twice), and blocks
 * that are escaped markup ("<img src=...>" shown as text). */
static void tidy_kept(htree *t, int from, int to)
{
    hnode *n = t->n;
    int *kept = NULL;
    uint64_t *hashes = NULL;
    int nk = 0;
    char buf[512];
    for (int i = from; i < to; i++)
        if ((n[i].flags & HN_KEEP) && !(n[i].flags & HN_TEXT))
            nk++;
    if (nk == 0)
        return;
    kept = malloc((size_t)nk * sizeof *kept);
    hashes = malloc((size_t)nk * sizeof *hashes);
    if (!kept || !hashes)
        goto cleanup;
    nk = 0;
    for (int i = from; i < to;) {
        if (n[i].flags & HN_DROP) {
            i = n[i].end;
            continue;
        }
        if ((n[i].flags & HN_KEEP) && !(n[i].flags & HN_TEXT)) {
            size_t len = peek_text(t, i, i, buf, sizeof buf);
            int dup = 0;
            uint64_t hv = block_key(buf, len);
            if (len >= DEDUP_MIN_LEN)
                for (int k = 0; k < nk && !dup; k++)
                    dup = hashes[k] == hv;
            int markup = len > 2 && buf[0] == '<' &&
                         ((buf[1] >= 'a' && buf[1] <= 'z') || buf[1] == '/' ||
                          buf[1] == '!') && buf[len - 1] == '>';
            if (dup || markup || len == 0) {
                n[i].flags &= ~(unsigned)HN_KEEP;
            } else {
                hashes[nk] = hv;
                kept[nk++] = i;
            }
        }
        i++;
    }
    {
        /* Leading furniture. */
        for (int k = 0; k < nk; k++) {
            hnode *b = &n[kept[k]];
            if (b->flags & HN_HEADING)
                continue;
            size_t len = peek_text(t, kept[k], kept[k], buf, sizeof buf);
            if (!furniture_line(buf, len))
                break;
            b->flags &= ~(unsigned)HN_KEEP;
        }
        for (int k = nk - 1; k >= 0; k--) {
            hnode *b = &n[kept[k]];
            if (!(b->flags & HN_KEEP))
                break;
            size_t len = peek_text(t, kept[k], kept[k], buf, sizeof buf);
            if (!(b->flags & HN_HEADING) && !furniture_line(buf, len))
                break;
            b->flags &= ~(unsigned)HN_KEEP;
        }
    }
cleanup:
    free(kept);
    free(hashes);
}

/* A winner that swallowed the story and what surrounds it (teaser
 * rails with one-line summaries, the next story of an endless page) is
 * narrowed to the <article>/<main> inside it, when one of them holds
 * most of its prose: the page said where its article is, and the
 * scores only had to agree roughly. */
static int narrow_to_semantic(const htree *t, int best)
{
    if (best < 0)
        return best;
    const hnode *n = t->n;
    int pick = -1;
    for (int i = best + 1; i < n[best].end;) {
        if (n[i].flags & HN_DROP) {
            i = n[i].end;
            continue;
        }
        if (!(n[i].flags & HN_TEXT) && semantic(&n[i]) &&
            (pick < 0 || n[i].good > n[pick].good))
            pick = i;
        i++;
    }
    if (pick >= 0 && n[pick].good >= SEMANTIC_MIN_SHARE * n[best].good)
        return pick;
    return best;
}

/* Lower-case ASCII letters and digits of s (other bytes kept as they
 * are, so that accented titles still compare), into buf[cap]. The
 * General Punctuation block (U+2000-U+206F: curly quotes, dashes,
 * ellipsis) is left out like ASCII punctuation: a heading reading
 * "I\u2019m in" and a <title> reading "Im in" name the same post. */
static size_t loose_copy(const char *s, char *buf, size_t cap)
{
    size_t m = 0;
    for (; *s && m + 1 < cap; s++) {
        unsigned char c = (unsigned char)*s;
        if (c == 0xE2 && ((unsigned char)s[1] == 0x80 ||
                          (unsigned char)s[1] == 0x81) && s[2]) {
            s += 2;
            continue;
        }
        if (c >= 'A' && c <= 'Z')
            c = (unsigned char)(c - 'A' + 'a');
        if ((c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c >= 0x80)
            buf[m++] = (char)c;
    }
    buf[m] = '\0';
    return m;
}

/* Does the loose heading text got[gl] name the page in the loose title
 * want (the heading is in the title, or the title in the heading)? */
static int names_page(const char *got, size_t gl, const char *want,
                      size_t wl)
{
    if (wl == 0 || gl == 0)
        return 0;
    return gl <= wl ? strstr(want, got) != NULL : strstr(got, want) != NULL;
}

/* The heading (h1..h3) that carries the page's headline, or -1: the
 * longest one found in <title> or og:title (or holding one of them)
 * that is not the site's name. Titles read "Site: Post" or
 * "Post | Site", so the site's own heading matches too; the story's is
 * the longer one, and og:site_name rules the site's out when given.
 * With in_dropped, headings inside dropped containers count too (a
 * post's <header>, dropped as page furniture, holds its headline). */
static int title_heading(const htree *t, int body, const hmain_hints *hints,
                         int in_dropped)
{
    char title[512], og[512], site[128], buf[512], got[512];
    if (!hints)
        return -1;
    size_t tl = hints->title ? loose_copy(hints->title, title, sizeof title)
                             : 0;
    size_t ol = hints->og_title ? loose_copy(hints->og_title, og, sizeof og)
                                : 0;
    size_t sl = hints->site ? loose_copy(hints->site, site, sizeof site) : 0;
    const hnode *n = t->n;
    int pick = -1;
    size_t pick_len = 0;
    for (int i = body + 1; i < n[body].end;) {
        if ((n[i].flags & HN_DROP) &&
            (!in_dropped || (n[i].flags & HN_HEADING))) {
            i = n[i].end;
            continue;
        }
        GumboTag tag = tag_of(&n[i]);
        if (!(n[i].flags & HN_HEADING) || tag == GUMBO_TAG_H4 ||
            tag == GUMBO_TAG_H5 || tag == GUMBO_TAG_H6) {
            i++;
            continue;
        }
        peek_text(t, i, -1, buf, sizeof buf);
        size_t gl = loose_copy(buf, got, sizeof got);
        if (gl >= 6 && gl > pick_len &&
            !(sl > 0 && strstr(site, got) != NULL) &&
            (names_page(got, gl, title, tl) || names_page(got, gl, og, ol))) {
            pick = i;
            pick_len = gl;
        }
        i = n[i].end;
    }
    return pick;
}

/* A page whose headline is known: when the winner is elsewhere (a
 * sidebar, an author box, a list of other posts outweighing a short
 * post), the story is in the container that holds the first prose
 * after the headline. Among those containers, the best-scoring one that
 * does not reach the winner is taken, when it holds enough prose, or
 * whatever it holds when the winner is a weak one before the headline
 * (a site's tagline above a post of two sentences); *small is then set,
 * since the pick need not reach MIN_WINNER_GOOD. */
static int anchor_to_title(const htree *t, int body, int best,
                           const hmain_hints *hints, int *small)
{
    const hnode *n = t->n;
    *small = 0;
    int h = title_heading(t, body, hints, 0);
    /* An <article> or <main> winner is where the page says its story
     * is: the prose after the headline is then a standfirst. */
    if (h < 0 || best < 0 || (h >= best && h < n[best].end) ||
        semantic(&n[best]))
        return best;
    int first = -1;
    for (int i = n[h].end; i < n[body].end;) {
        if (n[i].flags & HN_DROP) {
            i = n[i].end;
            continue;
        }
        if (!(n[i].flags & HN_TEXT) && (n[i].flags & HN_BLOCK) &&
            n[i].good > 0 && !(n[i].flags & HN_HEADING) &&
            n[i].text >= MIN_PROSE_LEN) {
            first = i;
            break;
        }
        i++;
    }
    if (first < 0 || (first >= best && first < n[best].end))
        return best;
    int pick = -1;
    double pick_score = 0;
    for (int a = first; a > body; a = n[a].parent) {
        if (best >= a && best < n[a].end)
            break; /* reaches the winner: no longer a rival */
        if (!candidate(&n[a]))
            continue;
        double sc = n[a].good - n[a].bad;
        if (pick < 0 || sc > pick_score) {
            pick = a;
            pick_score = sc;
        }
    }
    if (pick >= 0 && n[pick].good >= MIN_WINNER_GOOD &&
        n[pick].good >= ANCHOR_MIN_SHARE * n[best].good)
        return pick;
    /* best < h: the winner ends before the headline (it does not hold
     * it). A winner after the headline is the story, the pick above it
     * only a byline. */
    if (pick >= 0 && best < h &&
        n[best].good < WEAK_WINNER_FACTOR * MIN_WINNER_GOOD) {
        *small = 1;
        return pick;
    }
    return best;
}

/* Same class attribute (both absent counts as the same). */
static int same_class(const hnode *a, const hnode *b)
{
    const char *ca = html_attr(a->g, "class"), *cb = html_attr(b->g, "class");
    if (!ca || !cb)
        return ca == cb;
    return strcmp(ca, cb) == 0;
}

/* Is twin (of the winner best) another piece of the same story? */
static int story_piece(const htree *t, int best, int twin)
{
    const hnode *n = t->n, *b = &n[best], *w = &n[twin];
    /* Two bare <div>s say nothing; two <article>s or two divs of one
     * class are pieces of one kind. */
    GumboTag tag = tag_of(b);
    if (tag != GUMBO_TAG_ARTICLE && tag != GUMBO_TAG_SECTION &&
        !html_attr(b->g, "class"))
        return 0;
    if (tag_of(w) != tag || !same_class(w, b) ||
        w->good < TWIN_MIN_SHARE * b->good ||
        (double)w->slink > PRUNE_LINK_DENSITY * (double)w->stext)
        return 0;
    for (int j = twin + 1; j < w->end; j++) {
        GumboTag in = tag_of(&n[j]);
        if (in == GUMBO_TAG_H1 || in == GUMBO_TAG_H2 || in == GUMBO_TAG_H3)
            return 0;
    }
    return 1;
}

/* The container, up to TWIN_MAX_UP levels above best, that holds best
 * and the other pieces of its story, or best itself when there are none
 * (or too many). The pieces found are written to pieces[TWIN_MAX]. */
static int story_root(const htree *t, int body, int best, int *pieces,
                      int *npieces)
{
    const hnode *n = t->n;
    *npieces = 0;
    int up = best;
    for (int level = 0; level < TWIN_MAX_UP; level++) {
        up = n[up].parent;
        if (up <= body)
            break;
        int found = 0, too_many = 0;
        for (int i = up + 1; i < n[up].end;) {
            if ((n[i].flags & HN_DROP) || i == best) {
                i = n[i].end;
                continue;
            }
            if ((n[i].flags & HN_TEXT) || (best > i && best < n[i].end)) {
                i++;
                continue;
            }
            if (tag_of(&n[i]) != tag_of(&n[best])) {
                i++;
                continue;
            }
            /* Looked at once: its subtree is not searched again (each
             * node is visited once per level, whatever the nesting). */
            if (story_piece(t, best, i)) {
                if (found == TWIN_MAX) {
                    too_many = 1;
                    break;
                }
                pieces[found++] = i;
            }
            i = n[i].end;
        }
        if (too_many)
            return best;
        if (found > 0) {
            *npieces = found;
            return up;
        }
    }
    return best;
}

/* The page's headline when it sits right before the story in the same
 * container (a post: its title, then its body), or -1: it is part of
 * the story as written. A headline elsewhere (a page header, a hero
 * block) or separated from the story by more than a line of furniture
 * is the page's, not the story's, and stays out; unless it is an h2 or
 * h3: a page whose headline is not its h1 is a post under the site's
 * name (the blog's h1), and the post's title is the post's own wherever
 * the template put it, before the story or in a dropped <header> at
 * its top. */
static int headline_before(const htree *t, int body, int root,
                           const hmain_hints *hints)
{
    const hnode *n = t->n;
    int h = title_heading(t, body, hints, 1);
    int up = n[root].parent;
    if (h >= 0 && tag_of(&n[h]) != GUMBO_TAG_H1) {
        if (h < root && n[h].end <= root)
            return h;
        if (h > root && h < n[root].end) {
            /* Inside the story: written already, unless dropped. */
            for (int a = h; a > root; a = n[a].parent)
                if (n[a].flags & HN_DROP)
                    return h;
            return -1;
        }
    }
    if (h < 0 || h >= root || up <= body || h < up || h >= n[up].end)
        return -1;
    size_t gap = 0;
    for (int j = n[h].end; j < root;) {
        if (n[j].flags & HN_DROP) {
            j = n[j].end;
            continue;
        }
        if (n[j].flags & HN_TEXT)
            gap += n[j].text;
        j++;
    }
    return gap < HEADLINE_MAX_GAP ? h : -1;
}

vg_err html_main_text(htree *t, int body, const hmain_hints *hints,
                      vg_buf *out)
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
                s *= 1.3;
            /* ">=": on a tie the deeper container (later in document
             * order) is the tighter fit. */
            if (best < 0 || s >= best_score) {
                best = i;
                best_score = s;
            }
        }
        i++;
    }

    int small = 0;
    best = anchor_to_title(t, body, best, hints, &small);
    best = narrow_to_semantic(t, best);
    hrender r = {.out = out, .pending = HR_NONE, .para_break = "\n\n"};
    clear_keep(t, body, to);
    if (best >= 0 && (n[best].good >= MIN_WINNER_GOOD || small)) {
        int pieces[TWIN_MAX + 1], np = 0;
        int root = story_root(t, body, best, pieces, &np);
        pieces[np++] = best;
        for (int k = 0; k < np; k++) {
            int w = pieces[k];
            prune_winner(t, w);
            score(t, w, n[w].end, 1);
            mark_keep(t, w, n[w].end, 0);
            keep_interior(t, w);
        }
        tidy_kept(t, root, n[root].end);
        int h = headline_before(t, body, root, hints);
        if (h >= 0) {
            html_render_range(t, h, n[h].end, 0, &r);
            hrender_break(&r, HR_PARA);
        }
        html_render_range(t, root, n[root].end, 1, &r);
    } else if (mark_keep(t, body, to, 1) > 0) {
        /* No story container: the paragraphs alone would lose the one
         * line that says what the page is about. */
        int h = title_heading(t, body, hints, 0);
        if (h >= 0) {
            html_render_range(t, h, n[h].end, 0, &r);
            hrender_break(&r, HR_PARA);
        }
        html_render_range(t, body, to, 1, &r);
    } else {
        /* No paragraphs at all: a short page of divs. */
        mark_keep(t, body, to, 0);
        html_render_range(t, body, to, 1, &r);
    }
    return out->err;
}
