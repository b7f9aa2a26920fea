/*
 * Private to parser/html*.c: the flat tree every HTML pass works on.
 *
 * Gumbo's tree is walked once, iteratively (pages nest deeper than any
 * sane recursion budget), into an array of nodes in document order. Each
 * node knows its parent and the index just past its last descendant, so
 * every later pass (metadata, boilerplate, scoring, rendering) is a loop
 * over a range of the array: no recursion anywhere, and per-node figures
 * live beside the node instead of in a side table keyed by pointer.
 */
#ifndef VG_HTML_INT_H
#define VG_HTML_INT_H

#include "core/buf.h"
#include "core/swar.h"
#include "core/vg.h"

#include <gumbo.h>
#include <stddef.h>
#include <stdint.h>

/* Pages nested deeper than this (by a conservative count of open tags)
 * are cut there before parsing: Gumbo's tree builder is quadratic in
 * nesting depth, and no real page comes close. */
#define HTML_MAX_DEPTH 2048

/* Node flags. */
enum {
    HN_TEXT = 1,       /* a text node (else an element) */
    HN_IN_LINK = 2,    /* inside an <a href> */
    HN_DROP = 4,       /* boilerplate: this subtree is not content */
    HN_BLOCK = 8,      /* a block element: its text forms paragraphs */
    HN_HEADING = 16,   /* h1..h6 */
    HN_KEEP = 32,      /* a block kept in the output after scoring */
    HN_HAS_TABLE = 64  /* holds a <table> (html_main.c, inside the winner) */
};

typedef struct hnode {
    const GumboNode *g;
    int parent;     /* index, -1 for the root */
    int end;        /* index just past the last descendant */
    int block;      /* nearest block ancestor-or-self, -1 when none */
    uint16_t flags;
    uint16_t commas; /* saturates: scoring looks at the first 20 */
    /* Text figures. For a text node: its own (collapsed) length in code
     * points. For a block: the text whose nearest block it is. 32 bits
     * and floats: pages are capped at HTML_MAX_BYTES, and the node array
     * is the largest thing allocated after Gumbo's tree. */
    uint32_t text, link;
    /* Subtree sums of kept text and link text (html_main.c). */
    uint32_t stext, slink;
    /* Subtree sums of the paragraph scores (html_main.c). */
    float good, bad;
} hnode;

typedef struct htree {
    hnode *n;
    int count, cap;
} htree;

/* Flattens the subtree of root. Contents of script, style, template and
 * other never-visible elements are not descended into (the element
 * itself is kept, so JSON-LD scripts remain reachable through ->g).
 * VG_ENOMEM, VG_ETOOBIG past a node cap. */
vg_err htree_build(htree *t, const GumboNode *root);
void htree_free(htree *t);

/* The value of attribute name on an element node, or NULL (borrowed). */
const char *html_attr(const GumboNode *g, const char *name);

/* 1 when the element's class or id marks it as boilerplate (share bars,
 * cookie banners, related links, comments, ...). Matched on whole class
 * tokens or their '-'/'_'/camelCase parts, never inside a word. When
 * is_comment is not NULL it is set to 1 when the reason was "comment". */
int html_class_is_boilerplate(const char *cls, int *is_comment);

/* Plain-text writer: whitespace runs collapse to one space, breaks are
 * only written between pieces of text (never leading or trailing). */
enum { HR_NONE = 0, HR_SPACE, HR_LINE, HR_PARA };
typedef struct hrender {
    vg_buf *out;
    int pending;    /* strongest break waiting for the next text */
    const char *para_break; /* what HR_PARA writes: "\n\n" or "\n" */
} hrender;

void hrender_text(hrender *r, const char *s, size_t n);
void hrender_break(hrender *r, int level);

/* Counts the code points of s[0..n) with whitespace runs collapsed (what
 * hrender_text would write), and its commas (ASCII and ideographic). */
size_t html_text_len(const char *s, size_t n, size_t *commas);

/* Renders the text of nodes [from, to) of t, skipping dropped subtrees;
 * when only_kept is set, text is written only for blocks marked HN_KEEP. */
void html_render_range(const htree *t, int from, int to, int only_kept,
                       hrender *r);

/* What the page says about itself that helps find its story: each may
 * be NULL (borrowed). */
typedef struct hmain_hints {
    const char *title;    /* text of <title> */
    const char *og_title; /* og:title */
    const char *site;     /* og:site_name */
} hmain_hints;

/* Main text of a document (body is the index of <body> in t, or -1;
 * hints may be NULL): marks boilerplate, scores containers, writes
 * paragraphs into out. */
vg_err html_main_text(htree *t, int body, const hmain_hints *hints,
                      vg_buf *out);

/* Removes, in place, the whitespace runs between two tags when one of
 * them is a block or head element (between </li> and <li>, after
 * <div>, ...): invisible, yet each would become a Gumbo node, and on
 * indented pages they outnumber the elements. Contents of <pre>,
 * <textarea>, scripts and styles are left as they are. Returns the new
 * length. */
size_t html_squeeze_ws(char *s, size_t len);

/* Cuts a UTF-8 page where its naive tag nesting exceeds HTML_MAX_DEPTH;
 * returns the number of bytes to parse (len when nothing is cut). */
size_t html_depth_cut(const char *s, size_t len);

/* The memory of one Gumbo parse (html_region.c): small blocks come from
 * chunks and are reused by size class once Gumbo frees them; blocks
 * above HTML_REGION_LARGE bytes are malloc'd one by one. */
#define HTML_REGION_LARGE 1024u
#define HTML_REGION_CLASSES (HTML_REGION_LARGE / 8)

typedef struct html_region {
    struct hr_chunk *chunks; /* newest first */
    struct hr_large *large;  /* large blocks Gumbo holds */
    char *next;              /* free bytes of the newest chunk */
    size_t left;             /* ... how many */
    void *freed[HTML_REGION_CLASSES + 1]; /* by 8-byte class: lists */
} html_region;

/* An empty region; nothing is allocated until Gumbo asks. */
void html_region_init(html_region *r);

/* Points opt's allocator, deallocator and userdata at r: everything
 * gumbo_parse_with_options(opt, ...) allocates then lives in r, and
 * html_region_free releases it all. The output need not go through
 * gumbo_destroy_output, which would only walk the tree to put each block
 * back on a free list. A region is used by one thread at a time. */
void html_region_use(html_region *r, GumboOptions *opt);

/* Frees everything allocated in r (every tree parsed with it becomes
 * invalid) and leaves r empty, ready for another parse. NULL is fine. */
void html_region_free(html_region *r);

/* Long text runs hidden from Gumbo behind placeholders (html_intern.c). */
typedef struct html_fix {
    const char **slot; /* a string pointer in Gumbo's tree */
    const char *orig;  /* what Gumbo had put there */
    char *own;         /* an expansion we allocated, or NULL */
} html_fix;

typedef struct html_runs {
    char *store;   /* the runs' text, each NUL-terminated */
    uint32_t *run; /* offset in store and length of each run */
    size_t n, cap;
    html_fix *fix;
    size_t nfix, capfix;
} html_runs;

/* Replaces, in place, the long text runs of page (UTF-8, *len bytes,
 * NUL-terminated on return) by placeholders for Gumbo to parse, and
 * keeps their text (common character references decoded) in r; *len
 * becomes the new length. Nothing changes when the page has no run
 * worth it (r->n == 0). The page may be freed once parsed; r is freed
 * by html_runs_free. VG_ENOMEM (the page is then unchanged). */
vg_err html_runs_intern(char *page, size_t *len, html_runs *r);

/* Points every string of the tree under root (text, comments, attribute
 * values) that holds a placeholder back at the page's bytes. Must be
 * undone by html_runs_restore before the tree is destroyed or its
 * region freed. VG_ENOMEM
 * (the strings done so far stay done and are restored as usual). */
vg_err html_runs_expand(html_runs *r, GumboNode *root);

/* Puts Gumbo's own string pointers back and frees the expansions. */
void html_runs_restore(html_runs *r);

/* Restores and frees everything r holds (not the page). */
void html_runs_free(html_runs *r);

/* 1 when the trees under a and b are the same node for node: types,
 * tags, attribute names and values, text and comments. How the unit
 * test and the differential fuzz target check that hiding runs leaves
 * Gumbo's tree as it was. Iterative: fuzzed pages nest deep. */
int html_tree_same(const GumboNode *a, const GumboNode *b);

/* Tests on eight bytes of a page's text loaded with memcpy in the
 * machine's order (core/swar.h): none depends on where a byte sits. */

/* Whether all eight bytes lie in ' '..'~'. */
static inline int html8_printable(uint64_t w)
{
    uint64_t below_space = (w - VG_ONES8 * 0x20) & ~w & VG_HIGHS8;
    return !(w & VG_HIGHS8) && !below_space && !vg_bytes_eq(w, 0x7F);
}

/* 0x80 in each byte of w (all ASCII) that is an upper-case letter. */
static inline uint64_t html8_upper(uint64_t w)
{
    return vg_bytes_at_least(w, 'A') & ~vg_bytes_at_least(w, 'Z' + 1);
}

/* Printable ASCII with no two spaces side by side: how prose is written,
 * and bytes a whitespace-collapsing pass may take as they are. */
static inline int html8_prose(uint64_t w)
{
    uint64_t sp = vg_bytes_eq(w, ' ');
    return html8_printable(w) && !(sp & (sp << 8));
}

#endif
