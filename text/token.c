/*
 * The tokenizer and sentence splitter: one pass over the UTF-8 text that
 * produces the token stream brand matching and sentiment share.
 *
 * Written by hand because no packaged library tokenizes the way social
 * listening needs: hashtags and @handles as their own kinds, emoji and
 * ASCII emoticons as tokens, "!"/"?" runs kept, apostrophes and hyphens
 * splitting words but remembered (French elisions, English n't), and
 * sentence ends that know "M.", "etc." and "U.S.".
 */
#include "text/text_int.h"

#include "core/swar.h"

#include <stdlib.h>
#include <ctype.h>
#include <string.h>
#include <utf8proc.h>

/* FNV-1a, 64-bit: the hash of every token's folded form (text.h). The
 * basis is the one this code has always used, a digit short of FNV's
 * 14695981039346656037: stored hashes depend on it. */
#define FNV_BASIS 1469598103934665603ULL
#define FNV_PRIME 1099511628211ULL

typedef struct scan {
    const unsigned char *s;
    size_t len;
    text_tokens *t;
    size_t cap;
    vg_buf norm;
    size_t sent_cap;
    size_t sent_tok_begin; /* first token of the sentence being built */
    vg_err err;
} scan;

/* Decodes the code point at i; *k gets its length (1 for invalid bytes,
 * reported as -1 so callers treat them as separators). */
static inline int32_t cp_at(const scan *sc, size_t i, size_t *k)
{
    if (i >= sc->len) {
        *k = 0;
        return -1;
    }
    unsigned char c = sc->s[i];
    if (c < 0x80) {
        *k = 1;
        return c;
    }
    /* Two-byte sequences (Latin, Greek, Cyrillic letters) decode inline;
     * the others, and every invalid form, are utf8proc's to judge. */
    if (c >= 0xC2 && c <= 0xDF && i + 1 < sc->len && (sc->s[i + 1] & 0xC0) == 0x80) {
        *k = 2;
        return (int32_t)((c & 0x1Fu) << 6 | (sc->s[i + 1] & 0x3Fu));
    }
    utf8proc_int32_t cp;
    utf8proc_ssize_t n = utf8proc_iterate(sc->s + i, (utf8proc_ssize_t)(sc->len - i), &cp);
    if (n <= 0) {
        *k = 1;
        return -1;
    }
    *k = (size_t)n;
    return cp;
}

static inline int is_word_cp(int32_t cp)
{
    if (cp < 0)
        return 0;
    if (cp < 0x80)
        return (unsigned)((cp | 0x20) - 'a') < 26u || (unsigned)(cp - '0') < 10u;
    utf8proc_category_t c = utf8proc_category(cp);
    return (c >= UTF8PROC_CATEGORY_LU && c <= UTF8PROC_CATEGORY_NO);
}

static inline int is_space_cp(int32_t cp)
{
    if (cp == ' ' || cp == '\t' || cp == '\n' || cp == '\r' || cp == '\f' ||
        cp == '\v')
        return 1;
    return cp >= 0x80 && (cp == 0xA0 || cp == 0x202F ||
                          utf8proc_category(cp) == UTF8PROC_CATEGORY_ZS);
}

static int is_emoji_cp(int32_t cp)
{
    return (cp >= 0x1F300 && cp <= 0x1FAFF) || (cp >= 0x2600 && cp <= 0x27BF) ||
           (cp >= 0x1F000 && cp <= 0x1F2FF) || cp == 0x2B50 || cp == 0x2B55 ||
           (cp >= 0x2190 && cp <= 0x21FF) || (cp >= 0x2300 && cp <= 0x23FF) ||
           cp == 0x2764 || cp == 0x00A9 || cp == 0x00AE;
}

static int is_regional_indicator(int32_t cp)
{
    return cp >= 0x1F1E6 && cp <= 0x1F1FF;
}

static int is_emoji_modifier(int32_t cp)
{
    return cp == 0xFE0F || cp == 0xFE0E || cp == 0x20E3 ||
           (cp >= 0x1F3FB && cp <= 0x1F3FF) || (cp >= 0xE0020 && cp <= 0xE007F);
}

static int is_apostrophe(int32_t cp)
{
    return cp == '\'' || cp == 0x2019 || cp == 0x2018 || cp == 0x02BC;
}

static int is_hyphen(int32_t cp)
{
    return cp == '-' || cp == 0x2010 || cp == 0x2011;
}

static int is_upper_cp(int32_t cp)
{
    if (cp < 0x80)
        return cp >= 'A' && cp <= 'Z';
    return utf8proc_category(cp) == UTF8PROC_CATEGORY_LU;
}

static int is_lower_cp(int32_t cp)
{
    if (cp < 0x80)
        return cp >= 'a' && cp <= 'z';
    return utf8proc_category(cp) == UTF8PROC_CATEGORY_LL;
}

/* Doubles the token array; 0 or -1 (sc->err set). */
static int grow_tokens(scan *sc)
{
    size_t cap = sc->cap ? sc->cap * 2 : 64;
    text_token *v = realloc(sc->t->v, cap * sizeof *v);
    if (!v) {
        sc->err = VG_ENOMEM;
        return -1;
    }
    sc->t->v = v;
    sc->cap = cap;
    return 0;
}

/* Does the token at start follow a ',', ';' or ':' with only spaces
 * between? Clause starts, for rules that weigh one clause against another
 * ("although it was cheap, it broke"). */
static int after_clause_mark(const unsigned char *s, size_t b)
{
    unsigned char c;
    do {
        if (b == 0)
            return 0;
        c = s[--b];
    } while (c == ' ' || c == '\t');
    return c == ',' || c == ';' || c == ':';
}

/* Inline: one call per token. flags gets the clause flag added. */
static inline text_token *push_token(scan *sc, size_t start, size_t len, int kind,
                                     unsigned flags)
{
    text_tokens *t = sc->t;
    if (t->n == sc->cap && grow_tokens(sc) != 0)
        return NULL;
    /* The first token starts no clause. */
    int clause = t->n > 0 && after_clause_mark(sc->s, start);
    text_token *tok = &t->v[t->n++];
    memset(tok, 0, sizeof *tok);
    tok->flags = (uint8_t)(flags | (clause ? TEXT_F_CLAUSE : 0));
    tok->start = (uint32_t)start;
    tok->len = (uint32_t)len;
    tok->kind = (uint8_t)kind;
    tok->sentence = (uint32_t)t->n_sent;
    tok->norm = (uint32_t)sc->norm.len;
    return tok;
}

static void end_norm(scan *sc, text_token *tok)
{
    tok->norm_len = (uint32_t)(sc->norm.len - tok->norm);
    uint64_t h = FNV_BASIS;
    const unsigned char *w = (const unsigned char *)sc->norm.ptr + tok->norm;
    for (uint32_t k = 0; sc->norm.ptr && k < tok->norm_len; k++) {
        h ^= w[k];
        h *= FNV_PRIME;
    }
    tok->hash = h;
    vg_buf_putc(&sc->norm, '\0');
    if (sc->norm.err)
        sc->err = sc->norm.err;
}

static void close_sentence(scan *sc, size_t end)
{
    text_tokens *t = sc->t;
    if (t->n == sc->sent_tok_begin)
        return;
    if (t->n_sent == sc->sent_cap) {
        size_t cap = sc->sent_cap ? sc->sent_cap * 2 : 16;
        text_span *v = realloc(t->sent, cap * sizeof *v);
        if (!v) {
            sc->err = VG_ENOMEM;
            return;
        }
        t->sent = v;
        sc->sent_cap = cap;
    }
    text_span *sp = &t->sent[t->n_sent++];
    sp->start = t->v[sc->sent_tok_begin].start;
    sp->end = (uint32_t)end;
    sp->tok_begin = (uint32_t)sc->sent_tok_begin;
    sp->tok_end = (uint32_t)t->n;
    sc->sent_tok_begin = t->n;
}

/* ASCII emoticons, longest first within a shared prefix. */
static const char *const emoticons[] = {
    ":'-(", ":'(", ":-))", ":-)", ":))", ":)", ":-(", ":((", ":(", ":-D", ":D",
    ";-)", ";)", ":-P", ":-p", ":P", ":p", ":-/", ":/", ":-|", ":|", ":-O",
    ":-o", ":O", ":o", ":-*", ":*", ":]", ":[", "=)", "=(", "=D", "</3", "<3",
    "^^", "^_^", "-_-", "xD", "XD", "x)", ":s", ":S", "8-)", NULL};

/* What each byte may start or continue: a table, because the main loop
 * and the word scanners ask at every byte of every text. A byte with no
 * bit (space, comma, quote, parenthesis...) is a plain separator. */
enum {
    B_LOWER = 0x01, /* a..z */
    B_DIGIT = 0x02, /* 0..9 */
    B_UNDER = 0x04, /* '_': a word byte in #tags and @handles only */
    B_EMO = 0x08,   /* may start an emoticon (first bytes of emoticons[]) */
    B_OWN = 0x10,   /* '#', '@', '!', '?', '.', '\n', '\'', '-': not plain */
    B_UPPER = 0x20, /* A..Z; also the bit that lowers them */
    B_HIGH = 0x40   /* 0x80 and up: part of a multibyte character */
};
enum { B_LETTER = B_LOWER | B_UPPER, B_WORD = B_LETTER | B_DIGIT };

#define HIGH8 B_HIGH, B_HIGH, B_HIGH, B_HIGH, B_HIGH, B_HIGH, B_HIGH, B_HIGH
#define HIGH32 HIGH8, HIGH8, HIGH8, HIGH8
static const unsigned char byte_class[256] = {
    ['\n'] = B_OWN, ['!'] = B_OWN, ['#'] = B_OWN, ['\''] = B_OWN,
    ['-'] = B_OWN | B_EMO, ['.'] = B_OWN, ['?'] = B_OWN, ['@'] = B_OWN,
    [':'] = B_EMO, [';'] = B_EMO, ['<'] = B_EMO, ['='] = B_EMO, ['^'] = B_EMO,
    ['_'] = B_UNDER,
    ['0'] = B_DIGIT, ['1'] = B_DIGIT, ['2'] = B_DIGIT, ['3'] = B_DIGIT,
    ['4'] = B_DIGIT, ['5'] = B_DIGIT, ['6'] = B_DIGIT, ['7'] = B_DIGIT,
    ['8'] = B_DIGIT | B_EMO, ['9'] = B_DIGIT,
    ['A'] = B_UPPER, ['B'] = B_UPPER, ['C'] = B_UPPER, ['D'] = B_UPPER,
    ['E'] = B_UPPER, ['F'] = B_UPPER, ['G'] = B_UPPER, ['H'] = B_UPPER,
    ['I'] = B_UPPER, ['J'] = B_UPPER, ['K'] = B_UPPER, ['L'] = B_UPPER,
    ['M'] = B_UPPER, ['N'] = B_UPPER, ['O'] = B_UPPER, ['P'] = B_UPPER,
    ['Q'] = B_UPPER, ['R'] = B_UPPER, ['S'] = B_UPPER, ['T'] = B_UPPER,
    ['U'] = B_UPPER, ['V'] = B_UPPER, ['W'] = B_UPPER, ['X'] = B_UPPER | B_EMO,
    ['Y'] = B_UPPER, ['Z'] = B_UPPER,
    ['a'] = B_LOWER, ['b'] = B_LOWER, ['c'] = B_LOWER, ['d'] = B_LOWER,
    ['e'] = B_LOWER, ['f'] = B_LOWER, ['g'] = B_LOWER, ['h'] = B_LOWER,
    ['i'] = B_LOWER, ['j'] = B_LOWER, ['k'] = B_LOWER, ['l'] = B_LOWER,
    ['m'] = B_LOWER, ['n'] = B_LOWER, ['o'] = B_LOWER, ['p'] = B_LOWER,
    ['q'] = B_LOWER, ['r'] = B_LOWER, ['s'] = B_LOWER, ['t'] = B_LOWER,
    ['u'] = B_LOWER, ['v'] = B_LOWER, ['w'] = B_LOWER, ['x'] = B_LOWER | B_EMO,
    ['y'] = B_LOWER, ['z'] = B_LOWER,
    [0x80] = HIGH32, HIGH32, HIGH32, HIGH32,
};
#undef HIGH8
#undef HIGH32

/* Length of an emoticon starting at i, 0 if none. It must stand alone:
 * not glued to a word on either side ("http://" is no emoticon). */
static size_t emoticon_at(const scan *sc, size_t i)
{
    if (i > 0) {
        size_t k;
        int32_t prev = cp_at(sc, i - 1, &k);
        if (sc->s[i - 1] < 0x80 && is_word_cp(prev))
            return 0;
    }
    for (int e = 0; emoticons[e]; e++) {
        if (emoticons[e][0] != (char)sc->s[i])
            continue;
        size_t n = strlen(emoticons[e]);
        if (n > sc->len - i || memcmp(sc->s + i, emoticons[e], n) != 0)
            continue;
        size_t k;
        int32_t next = cp_at(sc, i + n, &k);
        if (next >= 0 && (is_word_cp(next) || next == '/' || next == ':'))
            continue;
        return n;
    }
    return 0;
}

/* Abbreviations whose final dot does not end a sentence (folded). */
static int is_abbreviation(const char *w, size_t n)
{
    /* By first letter, space-separated: every sentence-final dot asks, so
     * a word is held against the few that share its first letter. */
    static const char *const abbr[26] = {
        ['a' - 'a'] = "av approx apr aug avr",
        ['b' - 'a'] = "bd",
        ['c' - 'a'] = "cf co corp cie",
        ['d' - 'a'] = "dr dept dec",
        ['e' - 'a'] = "etc env ex est e.g",
        ['f' - 'a'] = "fig feb fevr",
        ['i' - 'a'] = "inc i.e",
        ['j' - 'a'] = "jr jan jun jul janv juil",
        ['l' - 'a'] = "ltd",
        ['m' - 'a'] = "m mm mme mmes mlle mlles me mr mrs ms mar min",
        ['n' - 'a'] = "no n nov",
        ['o' - 'a'] = "oct",
        ['p' - 'a'] = "pr p pp prof",
        ['s' - 'a'] = "st ste sr sep sept",
        ['t' - 'a'] = "tel",
        ['u' - 'a'] = "u.s u.k",
        ['v' - 'a'] = "vol vs"};
    /* No abbreviation is over 6 bytes. */
    if (n == 0 || n > 6 || w[0] < 'a' || w[0] > 'z' || !abbr[w[0] - 'a'])
        return 0;
    for (const char *a = abbr[w[0] - 'a'];;) {
        size_t k = strcspn(a, " ");
        if (k == n && memcmp(a, w, n) == 0)
            return 1;
        if (!a[k])
            return 0;
        a += k + 1;
    }
}

/* After a terminator ending at i: does a sentence end here? It does when
 * whitespace follows (after closing quotes) and the next word does not
 * start in lower case (French and English sentences start upper case;
 * "génial ! je recommande" stays one sentence). */
static int sentence_ends(const scan *sc, size_t i, int dot)
{
    size_t k;
    int32_t cp = cp_at(sc, i, &k);
    while (cp == '"' || cp == ')' || cp == 0xBB || cp == 0x201D || cp == '\'' ||
           cp == ']') {
        i += k;
        cp = cp_at(sc, i, &k);
    }
    if (cp < 0 && i >= sc->len)
        return 1;
    if (!is_space_cp(cp))
        return 0;
    while (is_space_cp(cp)) {
        if (cp == '\n')
            return 1;
        i += k;
        cp = cp_at(sc, i, &k);
    }
    if (cp < 0)
        return 1;
    if (is_lower_cp(cp))
        return 0;
    if (dot && sc->t->n > sc->sent_tok_begin) {
        /* "M. Dupont", "etc. Puis", "J. Martin": the dot belongs to the
         * word before it when that word is an abbreviation or an initial. */
        const text_token *last = &sc->t->v[sc->t->n - 1];
        const char *norm = sc->norm.ptr + last->norm;
        if (last->kind == TEXT_WORD &&
            (is_abbreviation(norm, last->norm_len) ||
             (last->norm_len == 1 && (last->flags & (TEXT_F_TITLE | TEXT_F_UPPER)))))
            return 0;
        if (last->kind == TEXT_WORD && last->len == 1 && is_upper_cp(sc->s[last->start]))
            return 0;
    }
    return 1;
}

/* Scans a word or number starting at i; sets flags; returns its end. */
static size_t scan_word(scan *sc, size_t i, int allow_underscore, unsigned *flags,
                        int *all_digits)
{
    int letters = 0, uppers = 0, lowers = 0, first_upper = -1;
    int32_t prev = -1;
    int run = 0;
    *all_digits = 1;
    *flags = 0;
    while (i < sc->len) {
        unsigned char b = sc->s[i];
        if (b < 0x80) {
            /* The same bookkeeping as below, without decoding or
             * Unicode tables: most words of most texts are ASCII. */
            unsigned cl = byte_class[b] & B_WORD;
            if (!cl && !(allow_underscore && b == '_'))
                break;
            if (cl & B_LETTER) {
                letters++;
                *all_digits = 0;
                if (cl & B_UPPER) {
                    uppers++;
                    if (first_upper < 0)
                        first_upper = letters == 1;
                } else {
                    lowers++;
                    if (first_upper < 0)
                        first_upper = 0;
                }
                run = b == prev ? run + 1 : 1;
                if (run >= 3)
                    *flags |= TEXT_F_ELONG;
            } else {
                if (!cl)
                    *all_digits = 0; /* '_' */
                run = b == prev ? run + 1 : 1;
            }
            prev = b;
            i++;
            continue;
        }
        /* Not ASCII: one category says whether it is a word character, a
         * mark, a letter, upper case or a digit. */
        size_t k;
        int32_t cp = cp_at(sc, i, &k);
        if (cp < 0)
            break;
        utf8proc_category_t cat = utf8proc_category(cp);
        int mark = cat == UTF8PROC_CATEGORY_MN || cat == UTF8PROC_CATEGORY_MC;
        if (!((cat >= UTF8PROC_CATEGORY_LU && cat <= UTF8PROC_CATEGORY_NO) || mark))
            break;
        int letter = cat >= UTF8PROC_CATEGORY_LU && cat <= UTF8PROC_CATEGORY_LO;
        if (letter) {
            letters++;
            *all_digits = 0;
            if (cat == UTF8PROC_CATEGORY_LU) {
                uppers++;
                if (first_upper < 0)
                    first_upper = letters == 1;
            } else {
                lowers++;
                if (first_upper < 0)
                    first_upper = 0;
            }
        } else if (cat != UTF8PROC_CATEGORY_ND && !mark) {
            *all_digits = 0;
        }
        run = cp == prev ? run + 1 : 1;
        if (run >= 3 && letter)
            *flags |= TEXT_F_ELONG;
        prev = cp;
        i += k;
    }
    if (letters >= 2 && lowers == 0)
        *flags |= TEXT_F_UPPER;
    else if (first_upper == 1 && uppers == 1)
        *flags |= TEXT_F_TITLE;
    else if (letters == 1 && uppers == 1)
        *flags |= TEXT_F_TITLE;
    return i;
}

/* Appends the folded form of s[a, b) and ends the token's form. An
 * ASCII word is lowered, copied and hashed in one pass (most words);
 * anything else goes through text_fold, then end_norm. */
static void fold_range(scan *sc, size_t a, size_t b, text_token *tok)
{
    if (sc->err)
        return;
    if (vg_buf_reserve(&sc->norm, b - a + 1) == VG_OK &&
        sc->norm.len + (b - a) + 1 < sc->norm.cap) {
        char *p = sc->norm.ptr + sc->norm.len;
        uint64_t h = FNV_BASIS;
        size_t i = a;
        for (; i < b; i++) {
            unsigned char c = sc->s[i];
            if (c >= 0x80)
                break;
            if (c >= 'A' && c <= 'Z')
                c = (unsigned char)(c + 32);
            *p++ = (char)c;
            h ^= c;
            h *= FNV_PRIME;
        }
        if (i == b) {
            sc->norm.len += b - a;
            tok->norm_len = (uint32_t)(b - a);
            tok->hash = h;
            sc->norm.ptr[sc->norm.len++] = '\0';
            return;
        }
        /* Not ASCII: the bytes written past len are simply overwritten. */
    }
    text_fold((const char *)sc->s + a, b - a, &sc->norm);
    end_norm(sc, tok);
}

/* UPPER or TITLE for a word of ASCII and Latin-1 letters and digits, by
 * scan_word's rules: all upper case from two letters on, or title case
 * (the first letter is the one upper-case letter). Only words with an
 * upper-case letter ask, and most are one block of quick_words, which
 * answers from its masks: this second pass is for the others. */
static unsigned latin_case_flags(const unsigned char *s, size_t a, size_t b)
{
    int letters = 0, uppers = 0, first_upper = -1;
    for (size_t j = a; j < b; j++) {
        unsigned cl = byte_class[s[j]];
        if (s[j] == 0xC3) /* only letters of U+00C0..U+00FF get here */
            cl = (s[++j] & 0x3F) < 0x1F ? B_UPPER : B_LOWER;
        if (!(cl & B_LETTER))
            continue;
        letters++;
        uppers += (cl & B_UPPER) != 0;
        if (first_upper < 0)
            first_upper = (cl & B_UPPER) != 0;
    }
    if (letters >= 2 && uppers == letters)
        return TEXT_F_UPPER;
    if (first_upper == 1 && uppers == 1)
        return TEXT_F_TITLE;
    return 0;
}

/* The quick path reads a word eight bytes at a time (core/swar.h): a
 * uint64_t holds them, the first byte lowest (vg_load8), and each test
 * leaves the high bit set in every byte that passes. */

/* The low n bytes of f (n <= 8) added to an FNV-1a hash, first byte
 * first: unrolled, because a loop's bookkeeping would cost as much as the
 * hashing in words of five letters. */
static inline uint64_t fnv_bytes(uint64_t h, uint64_t f, size_t n)
{
    switch (n) {
    case 8: h = (h ^ (f & 0xFF)) * FNV_PRIME; f >>= 8; /* fall through */
    case 7: h = (h ^ (f & 0xFF)) * FNV_PRIME; f >>= 8; /* fall through */
    case 6: h = (h ^ (f & 0xFF)) * FNV_PRIME; f >>= 8; /* fall through */
    case 5: h = (h ^ (f & 0xFF)) * FNV_PRIME; f >>= 8; /* fall through */
    case 4: h = (h ^ (f & 0xFF)) * FNV_PRIME; f >>= 8; /* fall through */
    case 3: h = (h ^ (f & 0xFF)) * FNV_PRIME; f >>= 8; /* fall through */
    case 2: h = (h ^ (f & 0xFF)) * FNV_PRIME; f >>= 8; /* fall through */
    case 1: h = (h ^ (f & 0xFF)) * FNV_PRIME; /* fall through */
    default: break;
    }
    return h;
}

/* One block of a word: the eight bytes x of its text (as vg_load8 gives
 * them). Sets *letter (the ASCII letters) and returns the high bits of
 * the word bytes before the first other byte (letters, digits, and '_'
 * when under). Bytes from 0x80 up are no word bytes; adding to them may
 * carry into the byte above, but the bytes above the first other byte do
 * not count, and those below it are word bytes, which carry nothing. */
static inline uint64_t block_scan(uint64_t x, int under, uint64_t *letter)
{
    uint64_t x20 = x | VG_ONES8 * 0x20;
    uint64_t l = vg_bytes_at_least(x20, 'a') & ~vg_bytes_at_least(x20, 'z' + 1);
    uint64_t word = l | (vg_bytes_at_least(x, '0') & ~vg_bytes_at_least(x, '9' + 1));
    if (under)
        word |= vg_bytes_eq(x, '_');
    uint64_t stop = ~(word & ~x) & VG_HIGHS8;
    *letter = l;
    return ((stop & (0 - stop)) - 1) & VG_HIGHS8;
}

/* The number of bytes whose high bit is set in m. */
static inline size_t count_highs(uint64_t m)
{
    return (size_t)(((m >> 7) * VG_ONES8) >> 56);
}

/* Whether the ASCII letters of x at the bytes of in3 (in >> 16: those
 * followed by two more word bytes) start a run of three ("nuuuul"). The
 * quick test may also flag a byte above a true run of digits (a borrow),
 * so a hit is confirmed. */
static inline int run_of_three(uint64_t x, uint64_t letter, uint64_t in3)
{
    uint64_t e = x ^ x >> 8; /* zero: equal to the next byte */
    e |= e >> 8;             /* zero: equal to the next two */
    return ((e - VG_ONES8) & ~e & letter & in3) && (vg_bytes_zero(e) & letter & in3);
}

/* What long_word found. */
typedef struct word_form {
    char *end;      /* past the form written */
    uint64_t hash;
    unsigned flags; /* TEXT_F_ELONG, TEXT_F_UPPER, TEXT_F_TITLE */
    int letters;    /* any letter: a word, not a number */
} word_form;

/* quick_words' way for the words that are not eight ASCII bytes or less
 * followed by an ASCII byte: longer words, words with Latin-1 letters,
 * the text's last word. The same work, block after block; writes the form
 * at form. x0, in0 and letter0 are the first block's, when the text holds
 * eight bytes from body (block_scan's answer is not asked twice). Returns
 * the word's end, 0 when it needs the general path. Not inlined: it would
 * crowd the registers of the common case. */
static __attribute__((noinline)) size_t
long_word(const scan *sc, size_t body, int under, char *form, uint64_t x0, uint64_t in0,
          uint64_t letter0, word_form *out)
{
    const unsigned char *s = sc->s;
    size_t len = sc->len;
    char *p = form;
    uint64_t h = FNV_BASIS, letters = 0, uppers = 0;
    unsigned flags = 0;
    int cont = 0; /* the last block was eight word bytes */
    size_t j = body;
    for (;;) {
        uint64_t x, letter, in;
        if (j == body && j + 8 <= len) {
            x = x0;
            in = in0;
            letter = letter0;
        } else {
            if (j + 8 <= len) {
                x = vg_load8(s + j);
            } else {
                /* The text's last bytes; the NULs after them end the word. */
                unsigned char tail[8] = {0};
                memcpy(tail, s + j, len - j);
                x = vg_load8(tail);
            }
            in = block_scan(x, under, &letter);
        }
        size_t k = count_highs(in);
        if (k) {
            uint64_t uv = letter & in & ~(x << 2); /* bit 0x20 clear: A..Z */
            letters |= letter & in;
            uppers |= uv;
            uint64_t f = x | uv >> 2; /* A..Z lowered */
            vg_store8(p, f);
            p += k;
            h = fnv_bytes(h, f, k);
            if (run_of_three(x, letter, in >> 16))
                flags |= TEXT_F_ELONG;
            /* Runs across from the last block, whose last two bytes were
             * word bytes. */
            if (cont && (letter & 0x80) && s[j - 1] == s[j] &&
                (s[j - 2] == s[j] || (k > 1 && s[j + 1] == s[j])))
                flags |= TEXT_F_ELONG;
            j += k;
        }
        cont = k == 8;
        if (cont)
            continue;
        if (j >= len || s[j] < 0x80)
            break;
        /* U+00C0..U+00FF but for the signs U+00D7 and U+00F7: letters,
         * upper case below U+00DF, folded by fold.c's table. */
        if (j + 1 >= len || s[j] != 0xC3 || (s[j + 1] & 0xC0) != 0x80 ||
            (s[j + 1] & 0x3F) == 0x17 || (s[j + 1] & 0x3F) == 0x37) {
            /* The word may go on in a character the table does not know:
             * the general path's. */
            size_t k2;
            int32_t cp = cp_at(sc, j, &k2);
            if (cp >= 0) {
                utf8proc_category_t cat = utf8proc_category(cp);
                if ((cat >= UTF8PROC_CATEGORY_LU && cat <= UTF8PROC_CATEGORY_NO) ||
                    cat == UTF8PROC_CATEGORY_MN || cat == UTF8PROC_CATEGORY_MC)
                    return 0;
            }
            break;
        }
        unsigned cp = 0xC0u + (s[j + 1] & 0x3Fu);
        const char *fl = fold_latin1[cp - 0xC0];
        *p++ = fl[0];
        h = (h ^ (unsigned char)fl[0]) * FNV_PRIME;
        if (fl[1]) {
            *p++ = fl[1];
            h = (h ^ (unsigned char)fl[1]) * FNV_PRIME;
        }
        letters |= 1;
        if (cp < 0xDF)
            uppers |= 1;
        /* The same letter twice before: [body, j) holds word bytes and
         * Latin-1 letters only, where 0xC3 starts a letter. */
        if (j >= body + 4 && s[j - 2] == 0xC3 && s[j - 4] == 0xC3 &&
            s[j - 1] == s[j + 1] && s[j - 3] == s[j + 1])
            flags |= TEXT_F_ELONG;
        j += 2;
    }
    if (uppers)
        flags |= latin_case_flags(s, body, j);
    out->end = p;
    out->hash = h;
    out->flags = flags;
    out->letters = letters != 0;
    return j;
}

/* Words from i on, as long as they are made of ASCII and Latin-1 letters
 * and digits and only plain separators (spaces, commas, quotes...) come
 * between them: most of prose. Each is classified, folded, hashed and
 * pushed in one pass over its bytes, where scan_word then fold_range walk
 * it twice, and the next one starts without the main loop's dispatch
 * (which would send it here anyway: a byte that can only start a word).
 * Flags, forms and hashes are scan_word's and fold_range's to the bit.
 *
 * ASCII letters and digits are tested, lowered, copied and checked for
 * runs eight at a time; only the hash (FNV-1a, whose values are stored)
 * takes the form byte by byte. A word of up to eight ASCII bytes followed
 * by an ASCII byte, most words, is one block, done here; long_word does
 * the others. The norm buffer and the token array are used through
 * locals, written back on the way out: stores of form bytes could
 * otherwise alias them, and they would be reloaded at every word. Not
 * inlined: in the main loop, its state would live on the stack.
 *
 * The first word's text starts at body (token start i: body - 1 for #tags
 * and @handles); under: '_' continues it; kind is its kind, or -1 for a
 * word or number; glue its glue flag. Returns where the main loop goes on
 * (a word the quick path could not take included), *last_end the end of
 * the last word; 0 when the first word needs the general path (another
 * script, a combining mark, or no room left in norm). */
static __attribute__((noinline)) size_t
quick_words(scan *sc, size_t i, size_t body, int under, int kind, unsigned glue,
            size_t *last_end)
{
    const unsigned char *s = sc->s;
    size_t len = sc->len;
    text_tokens *t = sc->t;
    char *norm = sc->norm.ptr;
    size_t norm_len = sc->norm.len, norm_cap = sc->norm.cap;
    text_token *v = t->v;
    size_t n = t->n;
    uint32_t sentence = (uint32_t)t->n_sent;
    unsigned clause = 0; /* the word's TEXT_F_CLAUSE, when known */
    int look = 1;        /* clause is to be looked up */
    size_t next = 0;     /* the return value; 0 while on the first word */
    if (sc->norm.err)
        return 0;
    for (;;) {
        /* Folding these letters never lengthens them, so the rest of the
         * text bounds the form, and 8 more bytes the last eight-byte
         * store; the reserve made from the text's length leaves room
         * almost always. */
        if (norm_len + (len - body) + 8 > norm_cap)
            break;
        char *form = norm + norm_len, *end;
        uint64_t h;
        unsigned flags = 0;
        int letters;
        size_t j;
        uint64_t x = 0, letter = 0, in = 0;
        int one_block = 0;
        if (body + 8 <= len) {
            x = vg_load8(s + body);
            in = block_scan(x, under, &letter);
            /* Fewer than eight word bytes, then an ASCII byte (the high
             * bit of the byte after them clear): the whole word. */
            one_block = in != VG_HIGHS8 && !(x & ((in << 8) | 0x80) & ~in);
        }
        if (one_block) {
            uint64_t lv = letter & in, uv = lv & ~(x << 2); /* A..Z */
            uint64_t f = x | uv >> 2;                          /* lowered */
            size_t k = count_highs(in);
            vg_store8(form, f);
            j = body + k;
            end = form + k;
            h = fnv_bytes(FNV_BASIS, f, k);
            if (run_of_three(x, letter, in >> 16))
                flags = TEXT_F_ELONG;
            /* scan_word's rules: all upper case from two letters on, or
             * title case (the first letter is the one upper-case one). */
            if (uv) {
                if (lv == uv && (uv & (uv - 1)))
                    flags |= TEXT_F_UPPER;
                else if (uv == (lv & (0 - lv)))
                    flags |= TEXT_F_TITLE;
            }
            letters = lv != 0;
        } else {
            word_form w;
            j = long_word(sc, body, under, form, x, in, letter, &w);
            if (!j)
                break;
            end = w.end;
            h = w.hash;
            flags = w.flags;
            letters = w.letters;
        }
        if (kind < 0)
            kind = letters ? TEXT_WORD : TEXT_NUMBER;
        if (look)
            clause = n > 0 && after_clause_mark(s, i) ? TEXT_F_CLAUSE : 0;
        if (n == sc->cap) {
            t->n = n;
            if (grow_tokens(sc) != 0) {
                next = j;
                break;
            }
            v = t->v;
        }
        v[n++] = (text_token){
            .start = (uint32_t)i,
            .len = (uint32_t)(j - i),
            .norm = (uint32_t)norm_len,
            .norm_len = (uint32_t)(end - form),
            .sentence = sentence,
            .kind = (uint8_t)kind,
            .flags = (uint8_t)(flags | glue | clause),
            .hash = h,
        };
        *end = '\0';
        norm_len += (size_t)(end - form) + 1;
        *last_end = j;
        /* The next word, if only plain separators come first and it
         * starts with a byte that only starts words. */
        unsigned cl = 0;
        for (i = j; i < len && !((cl = byte_class[s[i]]) & ~B_UNDER); i++)
            ;
        next = i;
        if (i == len || (cl & ~B_WORD))
            break;
        /* One byte since the last word: a space, or a comma that opens
         * a clause. */
        look = i != j + 1;
        clause = s[j] == ',' ? TEXT_F_CLAUSE : 0;
        body = i;
        under = 0;
        kind = -1;
        glue = 0;
    }
    sc->norm.len = norm_len;
    t->n = n;
    return next;
}

vg_err text_tokenize(const char *s, size_t len, text_tokens **out)
{
    *out = NULL;
    if (len > TEXT_MAX_BYTES) {
        len = TEXT_MAX_BYTES;
        while (len > 0 && ((unsigned char)s[len] & 0xC0) == 0x80)
            len--;
    }
    scan sc = {0};
    sc.s = (const unsigned char *)s;
    sc.len = len;
    sc.t = calloc(1, sizeof *sc.t);
    if (!sc.t)
        return VG_ENOMEM;
    vg_buf_init(&sc.norm, (size_t)TEXT_MAX_BYTES * 4 + 64);
    /* Sized from the input once (a token takes about six bytes of text;
     * folded forms about as many bytes as the text): growing by doubling
     * costs copies and page faults on every document. */
    vg_buf_reserve(&sc.norm, len + 64);
    sc.cap = len / 6 + 16;
    sc.t->v = malloc(sc.cap * sizeof *sc.t->v);
    if (!sc.t->v)
        sc.cap = 0;
    /* Token offsets are 32-bit; TEXT_MAX_BYTES keeps them in range. */
    size_t i = 0;
    /* An apostrophe or hyphen right after a token glues it to the next
     * one ("l'avis", "n't", "e-mail"): remembered as a flag. */
    unsigned glue = 0;
    size_t glue_at = 0;
    size_t last_end = (size_t)-1;
    while (i < len && !sc.err) {
        unsigned cl = byte_class[(unsigned char)s[i]];
        /* A space or a comma only ends a glue: one load decides. */
        if (!(cl & ~B_UNDER)) {
            do
                i++;
            while (i < len && !(byte_class[(unsigned char)s[i]] & ~B_UNDER));
            glue = 0;
            continue;
        }
        size_t k = 1;
        int32_t cp = (unsigned char)s[i];
        if (cl & B_HIGH) {
            cp = cp_at(&sc, i, &k);
            if (cp < 0) {
                i += k;
                glue = 0;
                continue;
            }
        }
        size_t em = (cl & B_EMO) ? emoticon_at(&sc, i) : 0;
        if (em) {
            text_token *tok = push_token(&sc, i, em, TEXT_EMOTICON, 0);
            if (!tok)
                break;
            vg_buf_append(&sc.norm, s + i, em);
            end_norm(&sc, tok);
            i += em;
            glue = 0;
            last_end = i;
            continue;
        }
        /* Lookaround lengths go to look: k must keep this character's length. */
        size_t look;
        if ((cl & B_WORD) || ((cl & B_HIGH) && is_word_cp(cp)) ||
            ((cp == '#' || cp == '@') && is_word_cp(cp_at(&sc, i + 1, &look)) &&
             (i == 0 || !is_word_cp(cp_at(&sc, i - 1, &look))))) {
            int sigil = !(cl & (B_WORD | B_HIGH)); /* '#' or '@' */
            size_t body = sigil ? i + 1 : i;
            /* Most words take the quick path; scan_word and fold_range
             * take the rest. */
            size_t end = quick_words(&sc, i, body, sigil,
                                     sigil ? (cp == '#' ? TEXT_HASHTAG : TEXT_HANDLE) : -1,
                                     sigil || glue_at != i ? 0 : glue, &last_end);
            if (end) {
                i = end;
                glue = 0;
                continue;
            }
            unsigned flags;
            int digits;
            end = scan_word(&sc, body, sigil, &flags, &digits);
            int kind = cp == '#' ? TEXT_HASHTAG : cp == '@' ? TEXT_HANDLE
                       : digits ? TEXT_NUMBER : TEXT_WORD;
            if (glue && glue_at == i && !sigil)
                flags |= glue;
            text_token *tok = push_token(&sc, i, end - i, kind, flags);
            if (!tok)
                break;
            fold_range(&sc, body, end, tok);
            i = end;
            last_end = i;
            glue = 0;
            continue;
        }
        if (cp >= 0xA9 && is_emoji_cp(cp)) {
            text_token *tok = push_token(&sc, i, 0, TEXT_EMOJI, 0);
            if (!tok)
                break;
            size_t j = i;
            size_t kk;
            int32_t c = cp;
            int flag_half = is_regional_indicator(cp);
            for (;;) {
                if (!is_emoji_modifier(c))
                    vg_buf_append(&sc.norm, s + j, cp_at(&sc, j, &kk) >= 0 ? kk : 1);
                cp_at(&sc, j, &kk);
                j += kk;
                c = cp_at(&sc, j, &kk);
                if (flag_half && is_regional_indicator(c)) {
                    /* Two regional indicators are one flag (🇫🇷); a third
                     * starts the next one. */
                    flag_half = 0;
                    continue;
                }
                flag_half = 0;
                if (is_emoji_modifier(c))
                    continue;
                if (c == 0x200D) { /* zero-width joiner: one emoji */
                    vg_buf_append(&sc.norm, s + j, kk);
                    j += kk;
                    c = cp_at(&sc, j, &kk);
                    if (is_emoji_cp(c))
                        continue;
                }
                break;
            }
            tok->len = (uint32_t)(j - i);
            end_norm(&sc, tok);
            i = j;
            last_end = i;
            glue = 0;
            continue;
        }
        if (cp == '!' || cp == '?') {
            size_t j = i;
            while (j < len && (s[j] == '!' || s[j] == '?'))
                j++;
            /* A lone '?' between two non-spaces ("/a?b=c") is a URL's
             * query, not a question: a separator like '/' or '='. */
            if (j == i + 1 && cp == '?' && i > 0 && !isspace((unsigned char)s[i - 1]) &&
                j < len && isalnum((unsigned char)s[j])) {
                i = j;
                continue;
            }
            text_token *tok = push_token(&sc, i, j - i, TEXT_PUNCT, 0);
            if (!tok)
                break;
            vg_buf_append(&sc.norm, s + i, j - i);
            end_norm(&sc, tok);
            i = j;
            last_end = i;
            glue = 0;
            if (sentence_ends(&sc, i, 0))
                close_sentence(&sc, i);
            continue;
        }
        if (cp == '.' || cp == 0x2026) {
            size_t j = i + k;
            while (j < len && s[j] == '.')
                j++;
            if (sentence_ends(&sc, j, cp == '.' && j == i + 1))
                close_sentence(&sc, j);
            i = j;
            glue = 0;
            continue;
        }
        if (cp == '\n') {
            close_sentence(&sc, i);
            i += k;
            glue = 0;
            continue;
        }
        if (last_end == i && (is_apostrophe(cp) || is_hyphen(cp))) {
            glue = is_apostrophe(cp) ? TEXT_F_APOS : TEXT_F_HYPHEN;
            glue_at = i + k;
        } else {
            glue = 0;
        }
        i += k;
    }
    if (!sc.err)
        close_sentence(&sc, sc.t->n ? sc.t->v[sc.t->n - 1].start + sc.t->v[sc.t->n - 1].len : 0);
    if (!sc.err && sc.norm.err)
        sc.err = sc.norm.err;
    if (sc.err) {
        vg_buf_free(&sc.norm);
        text_tokens_free(sc.t);
        return sc.err;
    }
    sc.t->norm_size = sc.norm.len;
    sc.t->norm_buf = vg_buf_detach(&sc.norm);
    if (!sc.t->norm_buf) {
        text_tokens_free(sc.t);
        return VG_ENOMEM;
    }
    *out = sc.t;
    return VG_OK;
}

void text_tokens_free(text_tokens *t)
{
    if (!t)
        return;
    free(t->v);
    free(t->norm_buf);
    free(t->sent);
    free(t);
}
