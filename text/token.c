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

#include <stdlib.h>
#include <ctype.h>
#include <string.h>
#include <utf8proc.h>

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
static int32_t cp_at(const scan *sc, size_t i, size_t *k)
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

static int is_letter_cp(int32_t cp)
{
    if (cp < 0)
        return 0;
    if (cp < 0x80)
        return (cp >= 'a' && cp <= 'z') || (cp >= 'A' && cp <= 'Z');
    utf8proc_category_t c = utf8proc_category(cp);
    return c >= UTF8PROC_CATEGORY_LU && c <= UTF8PROC_CATEGORY_LO;
}

static int is_digit_cp(int32_t cp)
{
    if (cp >= '0' && cp <= '9')
        return 1;
    return cp >= 0x80 && utf8proc_category(cp) == UTF8PROC_CATEGORY_ND;
}

static int is_space_cp(int32_t cp)
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

static text_token *push_token(scan *sc, size_t start, size_t len, int kind)
{
    text_tokens *t = sc->t;
    if (t->n == sc->cap) {
        size_t cap = sc->cap ? sc->cap * 2 : 64;
        text_token *v = realloc(t->v, cap * sizeof *v);
        if (!v) {
            sc->err = VG_ENOMEM;
            return NULL;
        }
        t->v = v;
        sc->cap = cap;
    }
    text_token *tok = &t->v[t->n++];
    memset(tok, 0, sizeof *tok);
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
    uint64_t h = 1469598103934665603ULL;
    const unsigned char *w = (const unsigned char *)sc->norm.ptr + tok->norm;
    for (uint32_t k = 0; sc->norm.ptr && k < tok->norm_len; k++) {
        h ^= w[k];
        h *= 1099511628211ULL;
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

/* First characters of the emoticons above: a table, because this test
 * runs at every separator of every text. */
static const unsigned char emoticon_start[128] = {
    [':'] = 1, [';'] = 1, ['='] = 1, ['<'] = 1, ['^'] = 1, ['-'] = 1,
    ['x'] = 1, ['X'] = 1, ['8'] = 1};

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
    static const char *const abbr[] = {
        "m", "mm", "mme", "mmes", "mlle", "mlles", "dr", "pr", "me", "st",
        "ste", "etc", "cf", "env", "av", "bd", "ex", "p", "pp", "vol", "no",
        "n", "mr", "mrs", "ms", "prof", "sr", "jr", "inc", "ltd", "co", "corp",
        "vs", "fig", "approx", "dept", "est", "jan", "feb", "mar", "apr", "jun",
        "jul", "aug", "sep", "sept", "oct", "nov", "dec", "janv", "fevr",
        "avr", "juil", "e.g", "i.e", "u.s", "u.k", "cie", "tel", "min", NULL};
    /* Every sentence-final dot asks: no abbreviation is over 6 bytes, and
     * the first letter rules out most before any length is taken. */
    if (n == 0 || n > 6)
        return 0;
    for (int i = 0; abbr[i]; i++)
        if (abbr[i][0] == w[0] && strncmp(abbr[i], w, n) == 0 &&
            abbr[i][n] == '\0')
            return 1;
    return 0;
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

/* ASCII word bytes by class, for scan_word's fast path. */
enum { AW_LOWER = 1, AW_UPPER = 2, AW_DIGIT = 4 };
static const unsigned char ascii_word[128] = {
    ['0'] = AW_DIGIT, ['1'] = AW_DIGIT, ['2'] = AW_DIGIT, ['3'] = AW_DIGIT,
    ['4'] = AW_DIGIT, ['5'] = AW_DIGIT, ['6'] = AW_DIGIT, ['7'] = AW_DIGIT,
    ['8'] = AW_DIGIT, ['9'] = AW_DIGIT,
    ['A'] = AW_UPPER, ['B'] = AW_UPPER, ['C'] = AW_UPPER, ['D'] = AW_UPPER,
    ['E'] = AW_UPPER, ['F'] = AW_UPPER, ['G'] = AW_UPPER, ['H'] = AW_UPPER,
    ['I'] = AW_UPPER, ['J'] = AW_UPPER, ['K'] = AW_UPPER, ['L'] = AW_UPPER,
    ['M'] = AW_UPPER, ['N'] = AW_UPPER, ['O'] = AW_UPPER, ['P'] = AW_UPPER,
    ['Q'] = AW_UPPER, ['R'] = AW_UPPER, ['S'] = AW_UPPER, ['T'] = AW_UPPER,
    ['U'] = AW_UPPER, ['V'] = AW_UPPER, ['W'] = AW_UPPER, ['X'] = AW_UPPER,
    ['Y'] = AW_UPPER, ['Z'] = AW_UPPER,
    ['a'] = AW_LOWER, ['b'] = AW_LOWER, ['c'] = AW_LOWER, ['d'] = AW_LOWER,
    ['e'] = AW_LOWER, ['f'] = AW_LOWER, ['g'] = AW_LOWER, ['h'] = AW_LOWER,
    ['i'] = AW_LOWER, ['j'] = AW_LOWER, ['k'] = AW_LOWER, ['l'] = AW_LOWER,
    ['m'] = AW_LOWER, ['n'] = AW_LOWER, ['o'] = AW_LOWER, ['p'] = AW_LOWER,
    ['q'] = AW_LOWER, ['r'] = AW_LOWER, ['s'] = AW_LOWER, ['t'] = AW_LOWER,
    ['u'] = AW_LOWER, ['v'] = AW_LOWER, ['w'] = AW_LOWER, ['x'] = AW_LOWER,
    ['y'] = AW_LOWER, ['z'] = AW_LOWER,
};

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
            unsigned cl = ascii_word[b];
            if (!cl && !(allow_underscore && b == '_'))
                break;
            if (cl & (AW_LOWER | AW_UPPER)) {
                letters++;
                *all_digits = 0;
                if (cl & AW_UPPER) {
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
        size_t k;
        int32_t cp = cp_at(sc, i, &k);
        int mark = cp >= 0x80 && (utf8proc_category(cp) == UTF8PROC_CATEGORY_MN ||
                                  utf8proc_category(cp) == UTF8PROC_CATEGORY_MC);
        if (!(is_word_cp(cp) || mark || (allow_underscore && cp == '_')))
            break;
        if (is_letter_cp(cp)) {
            letters++;
            *all_digits = 0;
            if (is_upper_cp(cp)) {
                uppers++;
                if (first_upper < 0)
                    first_upper = letters == 1;
            } else {
                lowers++;
                if (first_upper < 0)
                    first_upper = 0;
            }
        } else if (!is_digit_cp(cp) && !mark) {
            *all_digits = 0;
        }
        run = cp == prev ? run + 1 : 1;
        if (run >= 3 && is_letter_cp(cp))
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
        uint64_t h = 1469598103934665603ULL;
        size_t i = a;
        for (; i < b; i++) {
            unsigned char c = sc->s[i];
            if (c >= 0x80)
                break;
            if (c >= 'A' && c <= 'Z')
                c = (unsigned char)(c + 32);
            *p++ = (char)c;
            h ^= c;
            h *= 1099511628211ULL;
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
        size_t k;
        int32_t cp = cp_at(&sc, i, &k);
        if (cp < 0) {
            i += k;
            glue = 0;
            continue;
        }
        size_t em = (cp < 0x80 && emoticon_start[cp]) ? emoticon_at(&sc, i) : 0;
        if (em) {
            text_token *tok = push_token(&sc, i, em, TEXT_EMOTICON);
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
        if (is_word_cp(cp) ||
            ((cp == '#' || cp == '@') && is_word_cp(cp_at(&sc, i + 1, &look)) &&
             (i == 0 || !is_word_cp(cp_at(&sc, i - 1, &look))))) {
            int sigil = cp == '#' || cp == '@';
            size_t body = sigil ? i + 1 : i;
            unsigned flags;
            int digits;
            size_t end = scan_word(&sc, body, sigil, &flags, &digits);
            int kind = cp == '#' ? TEXT_HASHTAG : cp == '@' ? TEXT_HANDLE
                       : digits ? TEXT_NUMBER : TEXT_WORD;
            text_token *tok = push_token(&sc, i, end - i, kind);
            if (!tok)
                break;
            tok->flags = (uint8_t)flags;
            if (glue && glue_at == i && !sigil)
                tok->flags |= (uint8_t)glue;
            fold_range(&sc, body, end, tok);
            i = end;
            last_end = i;
            glue = 0;
            continue;
        }
        if (cp >= 0xA9 && is_emoji_cp(cp)) {
            text_token *tok = push_token(&sc, i, 0, TEXT_EMOJI);
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
            text_token *tok = push_token(&sc, i, j - i, TEXT_PUNCT);
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
    /* Clause starts, for rules that weigh one clause against another
     * ("although it was cheap, it broke"). */
    for (size_t ti = 1; ti < sc.t->n; ti++) {
        size_t b = sc.t->v[ti].start;
        while (b > 0 && (s[b - 1] == ' ' || s[b - 1] == '\t'))
            b--;
        if (b > 0 && (s[b - 1] == ',' || s[b - 1] == ';' || s[b - 1] == ':'))
            sc.t->v[ti].flags |= TEXT_F_CLAUSE;
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
