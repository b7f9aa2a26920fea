/*
 * Text runs kept out of Gumbo, and put back afterwards.
 *
 * Gumbo's tokenizer hands its tree builder one token per character:
 * on an article page, where most bytes are paragraph text, that is
 * most of the parse (about 0.9 ms of a 20 KB page, the largest single
 * cost of a crawl). Yet the tree's shape depends on the tags alone; a
 * run of plain text only needs to be "some non-blank characters" while
 * the tree is built. So each long run of text between two tags is
 * moved to a store of its own and replaced, in the page Gumbo parses,
 * by a 7-byte placeholder (U+E000 and four letters naming the run);
 * after the parse every string in the tree that holds a placeholder is
 * pointed at the run's text in the store.
 *
 * This is only exact when Gumbo would have kept the run's bytes as
 * they are, so runs with a NUL, a CR or any other character Gumbo
 * rewrites are left in place, and so is a page that already contains
 * U+E000. Character references are decoded here, as Gumbo would, when
 * they are among the few dozen pages use most; a run holding any other
 * is left to Gumbo. Every string of the tree is checked on the way
 * back (text, comments, attribute values), so each placeholder comes
 * back as the text it replaced wherever it lands. That is not enough
 * where our tag scanner and Gumbo's tokenizer disagree about what is
 * text: a run read as text but lying in a comment, a CDATA section or a
 * script may hide what ends it ("-->", "]]>") or have references
 * decoded that Gumbo keeps. So the scanner ends comments, CDATA
 * sections and scripts where the tokenizer does, and where that depends
 * on the tree (raw-text names inside SVG or MathML) it stops, leaving
 * the rest of the page to Gumbo. Hand-written because Gumbo offers no
 * way to feed it text in bulk.
 */
#include "parser/html_int.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#define MARK "\xEE\x80\x80" /* U+E000, private use */
#define MARK_LEN 3
#define PH_LEN (MARK_LEN + 4)
#define MAX_RUNS 65536 /* four letters of 16 values each */
/* Shorter runs save Gumbo less than the placeholder costs. */
#define MIN_RUN 24

static int is_alpha(char c)
{
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z');
}

static int is_space(char c)
{
    return c == ' ' || c == '\t' || c == '\n' || c == '\f' || c == '\r';
}

/* The character references pages use most, by name. Any other name is
 * left to Gumbo (its table has over two thousand, some valid without
 * the ';'), and so is the whole run holding it. */
static const struct {
    const char *name;
    const char *utf8;
} named_refs[] = {
    {"nbsp", "\xC2\xA0"}, {"amp", "&"}, {"quot", "\""}, {"lt", "<"},
    {"gt", ">"}, {"apos", "'"}, {"rsquo", "\xE2\x80\x99"},
    {"lsquo", "\xE2\x80\x98"}, {"rdquo", "\xE2\x80\x9D"},
    {"ldquo", "\xE2\x80\x9C"}, {"hellip", "\xE2\x80\xA6"},
    {"mdash", "\xE2\x80\x94"}, {"ndash", "\xE2\x80\x93"},
    {"laquo", "\xC2\xAB"}, {"raquo", "\xC2\xBB"}, {"copy", "\xC2\xA9"},
    {"reg", "\xC2\xAE"}, {"trade", "\xE2\x84\xA2"},
    {"bull", "\xE2\x80\xA2"}, {"middot", "\xC2\xB7"},
    {"deg", "\xC2\xB0"}, {"euro", "\xE2\x82\xAC"}, {"times", "\xC3\x97"},
    {"eacute", "\xC3\xA9"}, {"egrave", "\xC3\xA8"}, {"ecirc", "\xC3\xAA"},
    {"euml", "\xC3\xAB"}, {"agrave", "\xC3\xA0"}, {"acirc", "\xC3\xA2"},
    {"aacute", "\xC3\xA1"}, {"ccedil", "\xC3\xA7"}, {"icirc", "\xC3\xAE"},
    {"iuml", "\xC3\xAF"}, {"ocirc", "\xC3\xB4"}, {"ucirc", "\xC3\xBB"},
    {"ugrave", "\xC3\xB9"}, {"uuml", "\xC3\xBC"}, {"ouml", "\xC3\xB6"},
    {"auml", "\xC3\xA4"}, {"oelig", "\xC5\x93"}, {"Eacute", "\xC3\x89"},
    {"Agrave", "\xC3\x80"}, {"Ccedil", "\xC3\x87"}, {"szlig", "\xC3\x9F"},
};

/* The character reference at s (s[0] == '&'): returns its length and
 * puts its UTF-8 in out (*outn bytes), or returns 0 when Gumbo must
 * decode it itself: no ';', an unknown name, or a code point it would
 * rewrite (controls, C1, surrogates, noncharacters), a blank (blank
 * and non-blank text parse differently) or one of the private-use
 * characters the placeholders are made of. */
static size_t char_ref(const unsigned char *s, size_t n, char out[4],
                       size_t *outn)
{
    size_t i = 1;
    if (i < n && s[i] == '#') {
        int hex = i + 1 < n && (s[i + 1] == 'x' || s[i + 1] == 'X');
        i += 1 + (size_t)hex;
        uint32_t cp = 0;
        size_t digits = 0;
        for (; i < n && digits < 8; i++, digits++) {
            unsigned c = s[i], d;
            if (c >= '0' && c <= '9')
                d = c - '0';
            else if (hex && (c | 0x20) >= 'a' && (c | 0x20) <= 'f')
                d = (c | 0x20) - 'a' + 10;
            else
                break;
            cp = cp * (hex ? 16 : 10) + d;
        }
        if (!digits || i >= n || s[i] != ';')
            return 0;
        int ok = (cp >= 0x21 && cp <= 0x7E) || (cp >= 0xA0 && cp <= 0xD7FF) ||
                 (cp >= 0xF900 && cp <= 0xFDCF) || (cp >= 0xFDF0 && cp <= 0xFFFD) ||
                 (cp >= 0x10000 && cp < 0xF0000 && (cp & 0xFFFE) != 0xFFFE);
        if (!ok)
            return 0;
        if (cp < 0x80) {
            out[0] = (char)cp;
            *outn = 1;
        } else if (cp < 0x800) {
            out[0] = (char)(0xC0 | (cp >> 6));
            out[1] = (char)(0x80 | (cp & 0x3F));
            *outn = 2;
        } else if (cp < 0x10000) {
            out[0] = (char)(0xE0 | (cp >> 12));
            out[1] = (char)(0x80 | ((cp >> 6) & 0x3F));
            out[2] = (char)(0x80 | (cp & 0x3F));
            *outn = 3;
        } else {
            out[0] = (char)(0xF0 | (cp >> 18));
            out[1] = (char)(0x80 | ((cp >> 12) & 0x3F));
            out[2] = (char)(0x80 | ((cp >> 6) & 0x3F));
            out[3] = (char)(0x80 | (cp & 0x3F));
            *outn = 4;
        }
        return i + 1;
    }
    size_t nl = 0;
    while (i + nl < n && nl < 8 && is_alpha((char)s[i + nl]))
        nl++;
    if (!nl || i + nl >= n || s[i + nl] != ';')
        return 0;
    for (size_t k = 0; k < sizeof named_refs / sizeof named_refs[0]; k++)
        if (strlen(named_refs[k].name) == nl &&
            memcmp(named_refs[k].name, s + i, nl) == 0) {
            *outn = strlen(named_refs[k].utf8);
            memcpy(out, named_refs[k].utf8, *outn);
            return i + nl + 1;
        }
    return 0;
}

/* 1 when Gumbo would keep s[0..n) as character data byte for byte, but
 * for character references we decode exactly as it would, and the run
 * is not all blank (blank runs are parsed differently in tables and
 * before <body>). */
static int verbatim_text(const unsigned char *s, size_t n)
{
    int ink = 0;
    for (size_t i = 0; i < n; i++) {
        /* Eight bytes at a time while they are all printable ASCII other
         * than '&' (most of a page's prose): one test instead of eight. */
        while (n - i >= 8) {
            uint64_t w;
            memcpy(&w, s + i, 8);
            if (!html8_printable(w) || vg_bytes_eq(w, '&'))
                break;
            ink |= w != 0x2020202020202020ULL;
            i += 8;
        }
        if (i >= n)
            break;
        unsigned char c = s[i];
        if (c > 0x20 && c < 0x7F && c != '&') {
            ink = 1;
            continue;
        }
        if (c < 0x20) {
            if (c != '\t' && c != '\n' && c != '\f')
                return 0; /* NUL, CR and controls are rewritten */
            continue;
        }
        if (c == '&') {
            char u[4];
            size_t un, rl = char_ref(s + i, n - i, u, &un);
            if (!rl)
                return 0;
            i += rl - 1;
            ink = 1;
            continue;
        }
        if (c == 0x7F)
            return 0;
        if (c == 0xC2 && i + 1 < n && s[i + 1] >= 0x80 && s[i + 1] <= 0x9F)
            return 0; /* C1 controls */
        if (c == 0xEF && i + 2 < n &&
            ((s[i + 1] == 0xB7 && s[i + 2] >= 0x90 && s[i + 2] <= 0xAF) ||
             (s[i + 1] == 0xBF && s[i + 2] >= 0xBE)))
            return 0; /* noncharacters */
        if (c >= 0xF0 && i + 3 < n && (s[i + 1] & 0x0F) == 0x0F &&
            s[i + 2] == 0xBF && s[i + 3] >= 0xBE)
            return 0; /* noncharacters of the other planes */
        if (c != ' ')
            ink = 1;
    }
    return ink;
}

/* Case-insensitive search for the end tag "</name" followed by a blank,
 * '/' or '>' (what ends a raw-text element); returns its offset or len. */
static size_t find_end_tag(const char *s, size_t len, size_t from,
                           const char *name, size_t nl)
{
    size_t i = from;
    while (i + 2 + nl < len) {
        const char *lt = memchr(s + i, '<', len - i);
        if (!lt)
            return len;
        size_t at = (size_t)(lt - s);
        if (at + 2 + nl < len && s[at + 1] == '/' &&
            strncasecmp(s + at + 2, name, nl) == 0) {
            char c = s[at + 2 + nl];
            if (is_space(c) || c == '/' || c == '>')
                return at;
        }
        i = at + 1;
    }
    return len;
}

static vg_err add_run(html_runs *r, size_t off, size_t n);
static int verbatim_text(const unsigned char *s, size_t n);

/* From s[i] just past a start tag's name, the offset just past its '>'
 * following the tokenizer's attribute states (quotes only after '='),
 * or len when the tag never ends. When r is not NULL, long quoted values
 * become runs (meta descriptions, titles in attributes): those without
 * '&' (references follow other rules in attributes), blanks at their
 * ends, or anything verbatim_text refuses, and never a type or encoding,
 * which steer the tree builder. *oom is set when a run cannot be added. */
static size_t tag_end(const char *s, size_t len, size_t i, html_runs *r,
                      int *oom)
{
    while (i < len) {
        char c = s[i];
        if (c == '>')
            return i + 1;
        if (is_space(c) || c == '/') {
            i++;
            continue;
        }
        /* An attribute name: its first character may be anything. */
        size_t name = i;
        i++;
        while (i < len && !is_space(s[i]) && s[i] != '/' && s[i] != '>' &&
               s[i] != '=')
            i++;
        size_t name_len = i - name;
        while (i < len && is_space(s[i]))
            i++;
        if (i >= len || s[i] != '=')
            continue;
        i++;
        while (i < len && is_space(s[i]))
            i++;
        if (i < len && (s[i] == '"' || s[i] == '\'')) {
            const char *q = memchr(s + i + 1, s[i], len - i - 1);
            if (!q)
                return len;
            size_t v0 = i + 1, v1 = (size_t)(q - s);
            if (r && v1 - v0 >= MIN_RUN && r->n < MAX_RUNS &&
                !is_space(s[v0]) && !is_space(s[v1 - 1]) &&
                !(name_len == 4 && strncasecmp(s + name, "type", 4) == 0) &&
                !(name_len == 8 && strncasecmp(s + name, "encoding", 8) == 0) &&
                !memchr(s + v0, '&', v1 - v0) &&
                verbatim_text((const unsigned char *)s + v0, v1 - v0) &&
                add_run(r, v0, v1 - v0) != VG_OK)
                *oom = 1;
            i = (size_t)(q - s) + 1;
        } else {
            while (i < len && !is_space(s[i]) && s[i] != '>')
                i++;
        }
    }
    return len;
}

/* Elements whose content the tokenizer reads as raw text or RCDATA (in
 * HTML; in SVG and MathML the same names are ordinary elements). Gumbo
 * parses without scripting, so <noscript> holds markup like any
 * element; <pre> and <listing> too, their leading newline staying with
 * Gumbo as the blank start of a run. */
static int raw_content(const char *name, size_t nl)
{
    static const char *const names[] = {
        "script", "style", "textarea", "title", "xmp",
        "iframe", "noembed", "noframes"};
    /* Asked at every tag: names longer than any of these, or whose first
     * letter starts none of them, are settled at once. */
    if (nl < 3 || nl > 8 || !strchr("sintx", name[0] | 0x20))
        return 0;
    for (size_t k = 0; k < sizeof names / sizeof names[0]; k++)
        if (names[k][0] == (name[0] | 0x20) && strlen(names[k]) == nl &&
            strncasecmp(name, names[k], nl) == 0)
            return 1;
    return 0;
}

/* Just past the comment whose "<!--" is at s[at], where Gumbo's
 * tokenizer ends it: "<!-->", "<!--->", or the first "-->" or "--!>"
 * after the opening; len when it never ends. */
static size_t comment_end(const char *s, size_t len, size_t at)
{
    size_t k = at + 4;
    if (k < len && s[k] == '>')
        return k + 1;
    if (k + 1 < len && s[k] == '-' && s[k + 1] == '>')
        return k + 2;
    while (k + 3 <= len) {
        const char *d = memchr(s + k, '-', len - k);
        if (!d)
            break;
        k = (size_t)(d - s);
        if (k + 3 <= len && d[1] == '-' && d[2] == '>')
            return k + 3;
        if (k + 4 <= len && d[1] == '-' && d[2] == '!' && d[3] == '>')
            return k + 4;
        k++;
    }
    return len;
}

/* Offset of the first "]]>" at or after from, or len. */
static size_t cdata_end(const char *s, size_t len, size_t from)
{
    for (size_t k = from; k + 3 <= len; k++) {
        const char *b = memchr(s + k, ']', len - k);
        if (!b)
            break;
        k = (size_t)(b - s);
        if (k + 3 <= len && b[1] == ']' && b[2] == '>')
            return k;
    }
    return len;
}

/* Offset of the "</script" that ends a script whose content starts at
 * from and holds "<!--" at esc: following the tokenizer's script states,
 * where after "<!--" then "<script" (double escaped) a "</script" does
 * not end the element but leads back to the escaped state, until "-->".
 * Returns len when the script never ends. */
static size_t script_end(const char *s, size_t len, size_t esc)
{
    enum { DATA, ESCAPED, DOUBLE } st = DATA;
    for (size_t k = esc; k < len; k++) {
        char c = s[k];
        if (c == '-' && st != DATA && len - k >= 3 && s[k + 1] == '-' &&
            s[k + 2] == '>') {
            st = DATA;
            k += 2;
            continue;
        }
        if (c != '<' || k + 1 >= len)
            continue;
        if (st == DATA && len - k >= 4 && memcmp(s + k, "<!--", 4) == 0) {
            st = ESCAPED;
            k++; /* its "--" may be the start of a "-->" */
            continue;
        }
        int end = s[k + 1] == '/';
        size_t nm = k + 1 + (size_t)end;
        if (len - nm > 6 && strncasecmp(s + nm, "script", 6) == 0 &&
            (is_space(s[nm + 6]) || s[nm + 6] == '/' || s[nm + 6] == '>')) {
            if (end && st != DOUBLE)
                return k;
            if (end)
                st = ESCAPED;
            else if (st == ESCAPED)
                st = DOUBLE;
        }
    }
    return len;
}

/* 1 for the SVG and MathML elements whose content may be HTML, where an
 * </svg> or </math> can be ignored. (SVG's <title> is one too, but is
 * raw text to this scanner, and its content with a '<' ends the pass.) */
static int integration_point(const char *name, size_t nl)
{
    static const char *const names[] = {"foreignobject", "desc", "mi", "mo",
                                        "mn", "ms", "mtext", "annotation-xml"};
    for (size_t k = 0; k < sizeof names / sizeof names[0]; k++)
        if (strlen(names[k]) == nl && strncasecmp(name, names[k], nl) == 0)
            return 1;
    return 0;
}

/* 1 when the start tag whose name ends at s[name_end] and which ends
 * just before s[e] surely closes itself: "/>" right after the name or
 * a blank (elsewhere the '/' may end an unquoted value). */
static int self_closing(const char *s, size_t len, size_t name_end, size_t e)
{
    return e < len && s[e - 2] == '/' &&
           (e - 2 == name_end || is_space(s[e - 3]));
}

/* Offset of the first "<!--" in s[from..to), or to. */
static size_t find_comment_open(const char *s, size_t from, size_t to)
{
    for (size_t k = from; k < to; k++) {
        const char *lt = memchr(s + k, '<', to - k);
        if (!lt)
            break;
        k = (size_t)(lt - s);
        if (to - k >= 4 && memcmp(lt, "<!--", 4) == 0)
            return k;
    }
    return to;
}

static vg_err add_run(html_runs *r, size_t off, size_t n)
{
    if (r->n == r->cap) {
        size_t nc = r->cap ? r->cap * 2 : 128;
        uint32_t *nr = realloc(r->run, nc * 2 * sizeof *nr);
        if (!nr)
            return VG_ENOMEM;
        r->run = nr;
        r->cap = nc;
    }
    r->run[2 * r->n] = (uint32_t)off;
    r->run[2 * r->n + 1] = (uint32_t)n;
    r->n++;
    return VG_OK;
}

vg_err html_runs_intern(char *page, size_t *len_io, html_runs *r)
{
    memset(r, 0, sizeof *r);
    size_t len = *len_io;
    if (len < 4 * MIN_RUN || len > UINT32_MAX)
        return VG_OK;
    /* Where the page itself holds the marker, placeholders could not be
     * told from it. */
    for (const char *p = page; (p = memchr(p, 0xEE, len - (size_t)(p - page)));
         p++)
        if ((size_t)(page + len - p) >= MARK_LEN && memcmp(p, MARK, MARK_LEN) == 0)
            return VG_OK;

    /* First pass: find the runs. Each is [start, '<' of the next tag).
     * svg, math: how many such elements are open, as far as tags tell
     * (raw-text element names are ordinary SVG and MathML elements);
     * foreign_kept: one may stay open past its end tag. */
    size_t i = 0, text = 0;
    int svg = 0, math = 0, foreign_kept = 0;
    while (i < len && r->n < MAX_RUNS) {
        const char *lt = memchr(page + i, '<', len - i);
        size_t at = lt ? (size_t)(lt - page) : len;
        if (at + 1 < len) {
            char c = page[at + 1];
            if (!is_alpha(c) && c != '/' && c != '!' && c != '?') {
                i = at + 1; /* a literal '<': still text */
                continue;
            }
        } else if (at < len) {
            at = len; /* a '<' as the last byte is text too */
        }
        /* Blanks at either end stay with Gumbo: before <body>, and in a
         * frameset, blank and non-blank characters go to different
         * places. */
        size_t t0 = text, t1 = at;
        while (t0 < t1 && is_space(page[t0]))
            t0++;
        while (t1 > t0 && is_space(page[t1 - 1]))
            t1--;
        if (t1 - t0 >= MIN_RUN &&
            verbatim_text((const unsigned char *)page + t0, t1 - t0)) {
            if (add_run(r, t0, t1 - t0) != VG_OK)
                goto oom;
        }
        if (at >= len)
            break;
        /* Skip the markup at page[at]. */
        char c = page[at + 1];
        size_t e;
        if (c == '!' && at + 4 <= len && memcmp(page + at, "<!--", 4) == 0) {
            e = comment_end(page, len, at);
        } else if (c == '!' && at + 9 <= len &&
                   memcmp(page + at, "<![CDATA[", 9) == 0) {
            /* In SVG or MathML a CDATA section, up to "]]>"; in HTML a
             * bogus comment, up to the first '>'. Which one depends on
             * the tree, so the section is skipped to its "]]>" when
             * both readings agree from there on: no '<' between. */
            size_t end = cdata_end(page, len, at + 9);
            if (end >= len || memchr(page + at + 9, '<', end - (at + 9)))
                break;
            e = end + 3;
        } else if (c == '!' || c == '?' || (c == '/' && at + 2 < len &&
                                            !is_alpha(page[at + 2]))) {
            const char *gt = memchr(page + at + 1, '>', len - at - 1);
            e = gt ? (size_t)(gt - page) + 1 : len;
        } else {
            int closing = c == '/';
            size_t n0 = at + 1 + (size_t)closing, n1 = n0;
            while (n1 < len && !is_space(page[n1]) && page[n1] != '/' &&
                   page[n1] != '>')
                n1++;
            int oom = 0;
            e = tag_end(page, len, n1, closing ? NULL : r, &oom);
            if (oom)
                goto oom;
            if (!closing && n1 - n0 == 9 &&
                strncasecmp(page + n0, "plaintext", 9) == 0)
                break; /* everything after it is text Gumbo must see */
            if (!closing && n1 - n0 == 8 &&
                strncasecmp(page + n0, "frameset", 8) == 0)
                break; /* drops text but keeps its blanks */
            if (n1 - n0 == 3 && strncasecmp(page + n0, "svg", 3) == 0) {
                if (closing && svg > 0)
                    svg--;
                else if (!closing && !self_closing(page, len, n1, e))
                    svg++;
            } else if (n1 - n0 == 4 && strncasecmp(page + n0, "math", 4) == 0) {
                if (closing && math > 0)
                    math--;
                else if (!closing && !self_closing(page, len, n1, e))
                    math++;
            } else if (!closing && (svg || math) &&
                       integration_point(page + n0, n1 - n0)) {
                /* HTML inside: an </svg> or </math> there is ignored. */
                foreign_kept = 1;
            }
            if (!closing && e < len && raw_content(page + n0, n1 - n0)) {
                size_t close = find_end_tag(page, len, e, page + n0, n1 - n0);
                /* Where the element may be SVG or MathML its content is
                 * markup, and a comment, a CDATA section or a quoted
                 * value there may hold the end tag found: past it this
                 * scanner and Gumbo's tokenizer may no longer agree on
                 * what is text, so the rest of the page is left to
                 * Gumbo. */
                if ((svg || math || foreign_kept) &&
                    memchr(page + e, '<', close - e))
                    break;
                if (n1 - n0 == 6 && strncasecmp(page + n0, "script", 6) == 0) {
                    size_t esc = find_comment_open(page, e, close);
                    if (esc < close)
                        close = script_end(page, len, esc);
                }
                /* Contents with neither '<' nor '&' read the same in
                 * every tokenizer state (raw text, RCDATA, script data,
                 * or markup where the element is not special): a title
                 * or a JSON-LD block is one run like any text. */
                size_t c0 = e, c1 = close;
                while (c0 < c1 && is_space(page[c0]))
                    c0++;
                while (c1 > c0 && is_space(page[c1 - 1]))
                    c1--;
                if (c1 - c0 >= MIN_RUN && close < len &&
                    !memchr(page + c0, '<', c1 - c0) &&
                    !memchr(page + c0, '&', c1 - c0) &&
                    verbatim_text((const unsigned char *)page + c0, c1 - c0) &&
                    add_run(r, c0, c1 - c0) != VG_OK)
                    goto oom;
                e = close;
            }
        }
        i = text = e;
    }
    if (r->n == 0) {
        html_runs_free(r);
        return VG_OK;
    }

    /* The runs' text moves to a store of its own (references decoded,
     * never longer than what they decode to, each run NUL-terminated),
     * and the page closes up around the placeholders in place: no
     * second copy of the page, only of the text Gumbo no longer holds. */
    size_t store_len = 0;
    for (size_t k = 0; k < r->n; k++)
        store_len += r->run[2 * k + 1] + 1;
    r->store = malloc(store_len);
    if (!r->store)
        goto oom;
    size_t sw = 0, w = 0, from = 0;
    for (size_t k = 0; k < r->n; k++) {
        size_t off = r->run[2 * k], n = r->run[2 * k + 1];
        size_t at = sw;
        for (size_t rd = off; rd < off + n;) {
            const char *amp = memchr(page + rd, '&', off + n - rd);
            size_t plain = (amp ? (size_t)(amp - page) : off + n) - rd;
            memcpy(r->store + sw, page + rd, plain);
            sw += plain;
            rd += plain;
            if (!amp)
                break;
            char u[4];
            size_t un;
            /* verbatim_text accepted every reference of the run. */
            size_t rl = char_ref((const unsigned char *)page + rd,
                                 off + n - rd, u, &un);
            if (!rl) {
                r->store[sw++] = page[rd++];
                continue;
            }
            memcpy(r->store + sw, u, un);
            sw += un;
            rd += rl;
        }
        r->store[sw++] = '\0';
        r->run[2 * k] = (uint32_t)at;
        r->run[2 * k + 1] = (uint32_t)(sw - 1 - at);
        /* The markup before the run, then its placeholder: both land at
         * or before where they were read, the placeholder being shorter
         * than any run. */
        memmove(page + w, page + from, off - from);
        w += off - from;
        memcpy(page + w, MARK, MARK_LEN);
        w += MARK_LEN;
        for (int sh = 12; sh >= 0; sh -= 4)
            page[w++] = (char)('A' + ((k >> sh) & 0xF));
        from = off + n;
    }
    memmove(page + w, page + from, len - from);
    w += len - from;
    page[w] = '\0';
    *len_io = w;
    return VG_OK;
oom:
    html_runs_free(r);
    return VG_ENOMEM;
}

/* Index of the placeholder at s (s starts with MARK), or -1. */
static long ph_index(const html_runs *r, const char *s)
{
    long k = 0;
    for (int d = 0; d < 4; d++) {
        char c = s[MARK_LEN + d];
        if (c < 'A' || c > 'P')
            return -1;
        k = k * 16 + (c - 'A');
    }
    return (size_t)k < r->n ? k : -1;
}

static vg_err add_fix(html_runs *r, const char **slot, char *own)
{
    if (r->nfix == r->capfix) {
        size_t nc = r->capfix ? r->capfix * 2 : 64;
        html_fix *nf = realloc(r->fix, nc * sizeof *nf);
        if (!nf)
            return VG_ENOMEM;
        r->fix = nf;
        r->capfix = nc;
    }
    r->fix[r->nfix++] = (html_fix){slot, *slot, own};
    return VG_OK;
}

/* Points *slot at the expansion of the string it holds, when that
 * string contains a placeholder. */
static vg_err expand(html_runs *r, const char **slot)
{
    const char *s = *slot;
    if (!s)
        return VG_OK;
    const char *m = strstr(s, MARK);
    if (!m)
        return VG_OK;
    size_t slen = strlen(s);
    long k = ph_index(r, m);
    /* The usual case: the whole string is one run. */
    if (m == s && k >= 0 && slen == PH_LEN) {
        vg_err rc = add_fix(r, slot, NULL);
        if (rc == VG_OK)
            *slot = r->store + r->run[2 * k];
        return rc;
    }
    size_t need = 0;
    for (size_t i = 0; i < slen;) {
        long j = strncmp(s + i, MARK, MARK_LEN) == 0 ? ph_index(r, s + i) : -1;
        if (j >= 0) {
            need += r->run[2 * j + 1];
            i += PH_LEN;
        } else {
            need++;
            i++;
        }
    }
    char *out = malloc(need + 1);
    if (!out)
        return VG_ENOMEM;
    size_t w = 0;
    for (size_t i = 0; i < slen;) {
        long j = strncmp(s + i, MARK, MARK_LEN) == 0 ? ph_index(r, s + i) : -1;
        if (j >= 0) {
            memcpy(out + w, r->store + r->run[2 * j], r->run[2 * j + 1]);
            w += r->run[2 * j + 1];
            i += PH_LEN;
        } else {
            out[w++] = s[i++];
        }
    }
    out[w] = '\0';
    vg_err rc = add_fix(r, slot, out);
    if (rc != VG_OK) {
        free(out);
        return rc;
    }
    *slot = out;
    return VG_OK;
}

static const GumboVector *children(const GumboNode *g)
{
    if (g->type == GUMBO_NODE_DOCUMENT)
        return &g->v.document.children;
    if (g->type == GUMBO_NODE_ELEMENT || g->type == GUMBO_NODE_TEMPLATE)
        return &g->v.element.children;
    return NULL;
}

vg_err html_runs_expand(html_runs *r, GumboNode *root)
{
    if (!r->n || !root)
        return VG_OK;
    /* Every node, by parent links: no stack, no recursion. */
    GumboNode *g = root;
    for (;;) {
        vg_err rc = VG_OK;
        if (g->type == GUMBO_NODE_ELEMENT || g->type == GUMBO_NODE_TEMPLATE) {
            const GumboVector *a = &g->v.element.attributes;
            for (unsigned k = 0; k < a->length && rc == VG_OK; k++)
                rc = expand(r, &((GumboAttribute *)a->data[k])->value);
        } else if (g->type != GUMBO_NODE_DOCUMENT) {
            rc = expand(r, &g->v.text.text);
        }
        if (rc != VG_OK)
            return rc;
        const GumboVector *k = children(g);
        if (k && k->length > 0) {
            g = k->data[0];
            continue;
        }
        for (;;) {
            if (g == root)
                return VG_OK;
            GumboNode *p = g->parent;
            const GumboVector *pk = children(p);
            size_t next = g->index_within_parent + 1;
            if (pk && next < pk->length) {
                g = pk->data[next];
                break;
            }
            g = p;
        }
    }
}

void html_runs_restore(html_runs *r)
{
    for (size_t k = r->nfix; k-- > 0;) {
        *r->fix[k].slot = r->fix[k].orig;
        free(r->fix[k].own);
    }
    r->nfix = 0;
}

void html_runs_free(html_runs *r)
{
    html_runs_restore(r);
    free(r->run);
    free(r->fix);
    free(r->store);
    memset(r, 0, sizeof *r);
}

/* The pair (a, b) itself, children aside. */
static int node_same(const GumboNode *a, const GumboNode *b)
{
    if (a->type != b->type)
        return 0;
    if (a->type == GUMBO_NODE_DOCUMENT)
        return 1;
    if (a->type != GUMBO_NODE_ELEMENT && a->type != GUMBO_NODE_TEMPLATE)
        return strcmp(a->v.text.text, b->v.text.text) == 0;
    const GumboVector *x = &a->v.element.attributes, *y = &b->v.element.attributes;
    if (a->v.element.tag != b->v.element.tag || x->length != y->length)
        return 0;
    for (unsigned i = 0; i < x->length; i++) {
        const GumboAttribute *p = x->data[i], *q = y->data[i];
        if (strcmp(p->name, q->name) != 0 || strcmp(p->value, q->value) != 0)
            return 0;
    }
    return 1;
}

int html_tree_same(const GumboNode *a, const GumboNode *b)
{
    const GumboNode *ra = a;
    for (;;) {
        if (!node_same(a, b))
            return 0;
        const GumboVector *ka = children(a), *kb = children(b);
        if ((ka ? ka->length : 0) != (kb ? kb->length : 0))
            return 0;
        if (ka && ka->length > 0) {
            a = ka->data[0];
            b = kb->data[0];
            continue;
        }
        /* Both walks climb together: the shapes matched so far. */
        for (;;) {
            if (a == ra)
                return 1;
            const GumboNode *pa = a->parent, *pb = b->parent;
            const GumboVector *pk = children(pa);
            size_t next = a->index_within_parent + 1;
            if (next < pk->length) {
                a = pk->data[next];
                b = children(pb)->data[next];
                break;
            }
            a = pa;
            b = pb;
        }
    }
}
