/*
 * Scoring: walks the tokens of a text (or of one snippet of it) once,
 * matching lexicon phrases longest first, and applies the rules that make
 * a word's valence depend on its neighbours: negation (French "ne ... pas"
 * is seen from both ends), boosters and dampeners, "trop"/"too" as excess,
 * contrast ("mais", "although"), questions, names (capitalised words side
 * by side carry no opinion), capitals, elongation, exclamation marks.
 * The sum becomes a compound score in [-1, 1] the way VADER normalises it,
 * with our own constants. Every contribution can be explained.
 */
#include "sentiment/senti_int.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

/* Negating a positive word makes it clearly negative ("pas content");
 * negating a negative one only makes it mildly positive ("pas mauvais"). */
#define NEG_OF_POS (-0.8f)
#define NEG_OF_NEG (-0.6f)
#define NEG_SCOPE 3         /* tokens after the negator */
#define WEAK_CUE 0.2f       /* derived entries are at most this strong */
#define WEAK_BOOSTED 0.18f  /* a boosted weak cue alone stays neutral */
#define BOOST_SCOPE 2       /* tokens after a booster */
#define CAPS_EMPHASIS 0.7f
#define ELONG_EMPHASIS 0.5f
#define EXCL_EMPHASIS 0.3f  /* per '!', at most EXCL_MAX of them */
#define EXCL_MAX 3
#define EXCL_MIN_SUM 0.5    /* "!" amplifies an opinion, not weak derived cues */
#define EXCESS_VALENCE (-1.5f) /* "trop petit": excess of a neutral quality */
#define CONTRAST_LOW 0.5f
#define CONTRAST_HIGH 1.5f
#define QUESTION_POS 0.5f
#define NORM_ALPHA 15.0     /* compound = s / sqrt(s^2 + NORM_ALPHA) */
#define MAX_MARKERS 16
#define STEM_MIN_LEN 4
#define STEM_CACHE 2048     /* per thread, a power of two */

enum {
    R_NEG = 1, R_BOOST = 2, R_DAMP = 4, R_CAPS = 8, R_ELONG = 16,
    R_EXCESS = 32, R_STEM = 64, R_SQUEEZE = 128, R_UP = 256, R_DOWN = 512,
    R_QUESTION = 1024
};

typedef struct contrib {
    uint32_t tok, ntok;
    float base, val;
    uint16_t rules;
    int32_t neg_tok, mod_tok;   /* negator and booster/"trop" for explain */
    uint32_t mod_len;
} contrib;

typedef struct marker {
    uint32_t tok;
    uint32_t sent;
    int before;  /* SE_CONTRAST_BEFORE */
} marker;

/* What one position of the text matched. */
typedef struct hit {
    uint16_t flags;
    float val, weight;
    size_t len;      /* tokens consumed */
    uint16_t rules;  /* R_STEM or R_SQUEEZE when found by a fallback */
} hit;

#define STEM_WORD 44          /* longer words bypass the stem cache */

/* A cached stem answer, for the word itself (compared on every hit, so
 * that two words with one hash never share an answer) in lexicon dbi. */
typedef struct stem_slot {
    uint64_t h;        /* FNV-1a of word */
    uint32_t gen;      /* senti_engine.gen when cached; 0: empty */
    float val;
    uint8_t found, dbi, len;
    char word[STEM_WORD];
} stem_slot;

/* Stemming is the slow path: remember recent answers per thread. */
static _Thread_local stem_slot stem_cache[STEM_CACHE];

static int is_wordish(const text_token *tk)
{
    return tk->kind == TEXT_WORD || tk->kind == TEXT_NUMBER ||
           tk->kind == TEXT_EMOJI || tk->kind == TEXT_EMOTICON;
}

/* Whether token tok sits in a sentence that a "?" closes (emoji, emoticons
 * and tags after it aside: "good? :)"). */
static int in_question(const text_tokens *t, uint32_t tok, size_t end)
{
    const text_span *s = &t->sent[t->v[tok].sentence];
    size_t k = s->tok_end < end ? s->tok_end : end;
    while (k > tok + 1) {
        const text_token *x = &t->v[--k];
        if (x->kind == TEXT_PUNCT)
            return memchr(text_norm(t, k), '?', x->norm_len) != NULL;
        if (x->kind == TEXT_WORD || x->kind == TEXT_NUMBER)
            return 0;
    }
    return 0;
}

/* Emoji and emoticons say how the writer feels, whatever the words
 * before them deny: "not sure I'll go :(" is not a happy face. */
static int is_symbol(const text_token *tk)
{
    return tk->kind == TEXT_EMOJI || tk->kind == TEXT_EMOTICON;
}

/* Whether token i is followed by a glued "t", as in "won't", "can't":
 * then it is an auxiliary, not the word it spells ("won"). */
static int before_nt(const text_tokens *t, size_t i, size_t end)
{
    if (i + 1 >= end)
        return 0;
    const text_token *n = &t->v[i + 1];
    return (n->flags & TEXT_F_APOS) && n->norm_len == 1 &&
           text_norm(t, i + 1)[0] == 't';
}

/* A capitalised word of 2+ letters ("I" says nothing about names). */
static int is_title(const text_token *tk)
{
    return tk->kind == TEXT_WORD && (tk->flags & TEXT_F_TITLE) &&
           tk->norm_len >= 2;
}

/* Whether b follows a with one space between (or a hyphen): words of one
 * name are not separated by punctuation or quotes. */
static int adjacent(const text_token *a, const text_token *b)
{
    if (b->flags & TEXT_F_HYPHEN)
        return 1;
    return b->start == a->start + a->len + 1 && !(b->flags & TEXT_F_CLAUSE);
}

/* Whether the word at token i, written with a capital inside a sentence
 * next to another capitalised word, is part of a name ("Taylor Swift",
 * "Fifth Harmony", "Super Eagles"): names carry no opinion. Texts written
 * mostly in title case (headlines) are left alone, since there capitals
 * tell nothing. */
static int in_name(const text_tokens *t, size_t i, size_t begin, size_t end,
                   int title_text)
{
    const text_token *tk = &t->v[i];
    if (title_text || !(tk->flags & TEXT_F_TITLE) || tk->kind != TEXT_WORD)
        return 0;
    const text_span *s = &t->sent[tk->sentence];
    if (i == s->tok_begin || i == begin)
        return 0;
    return (is_title(&t->v[i - 1]) && adjacent(&t->v[i - 1], tk)) ||
           (i + 1 < end && is_title(&t->v[i + 1]) &&
            adjacent(tk, &t->v[i + 1]));
}

/* Appends token i's lookup form to key; 0 when it does not fit. */
static int key_append(const text_tokens *t, size_t i, char *key, size_t *n)
{
    const char *w = text_norm(t, i);
    size_t wl = t->v[i].norm_len;
    size_t o = *n;
    if (o && o + 1 < SENTI_MAX_KEY)
        key[o++] = ' ';
    if (t->v[i].kind == TEXT_EMOJI) {
        char tmp[SENTI_MAX_KEY];
        wl = senti_emoji_base(w, wl, tmp, sizeof tmp);
        if (o + wl >= SENTI_MAX_KEY)
            return 0;
        memcpy(key + o, tmp, wl);
    } else {
        if (o + wl >= SENTI_MAX_KEY)
            return 0;
        memcpy(key + o, w, wl);
    }
    *n = o + wl;
    return 1;
}

/* The longest phrase of db starting at token i (i < end), whose first
 * token has the entry first, a proper prefix of phrases (SE_PREFIX), and
 * the lookup form key0 (n0 bytes, FNV-1a hash h0): its length in tokens
 * (1: first itself, when it has a kind of its own; 0: nothing), its entry
 * in *out. Phrases stay inside one sentence and go on through words,
 * numbers, emoji and emoticons only. Out of line: few words start
 * phrases. */
static __attribute__((noinline)) size_t
match_phrase(const senti_lexdb *db, const text_tokens *t, size_t i,
             size_t end, const senti_entry *first, const char *key0,
             size_t n0, uint64_t h0, const senti_entry **out)
{
    char key[SENTI_MAX_KEY];
    size_t n = n0, best = 0;
    uint64_t h = h0;
    /* key holds the phrase so far only once a longer key may match: most
     * words after a prefix ("the", "de") start no phrase with it, and
     * the filter tells so from the hash alone. */
    int written = 0;
    uint32_t sent = t->v[i].sentence;
    *out = NULL;
    if (first->flags & SE_KINDS) {
        *out = first;
        best = 1;
    }
    for (size_t k = 1; k < SENTI_MAX_WORDS && i + k < end; k++) {
        const text_token *tk = &t->v[i + k];
        if (tk->sentence != sent || !is_wordish(tk))
            break;
        size_t before = n;
        if (tk->kind != TEXT_EMOJI) {
            /* What key_append would append: a space after a non-empty
             * key that has room for it, and the word. */
            size_t o = n + (n && n + 1 < SENTI_MAX_KEY);
            size_t wl = tk->norm_len;
            if (o + wl >= SENTI_MAX_KEY)
                break;
            uint64_t hx = o > n ? senti_hash_more(h, " ", 1) : h;
            hx = senti_hash_more(hx, text_norm(t, i + k), wl);
            if (!senti_db_may_have(db, hx))
                break;
        }
        if (!written) {
            memcpy(key, key0, n0);
            written = 1;
        }
        if (!key_append(t, i + k, key, &n))
            break;
        /* FNV-1a runs left to right: the phrase's hash goes on from the
         * shorter phrase's. */
        h = senti_hash_more(h, key + before, n - before);
        const senti_entry *e = senti_db_find(db, h, key, n);
        if (!e)
            break;
        if (e->flags & SE_KINDS) {
            *out = e;
            best = k + 1;
        }
        if (!(e->flags & SE_PREFIX))
            break;
    }
    return best;
}

/* Longest entry of db starting at emoji token i (i < end), looked up by
 * its base form (0 tokens if none), in *out. */
static size_t match_emoji(const senti_lexdb *db, const text_tokens *t,
                          size_t i, size_t end, const senti_entry **out)
{
    char base[SENTI_MAX_KEY];
    size_t n = 0;
    *out = NULL;
    if (!key_append(t, i, base, &n))
        return 0;
    uint64_t h = senti_hash_more(SENTI_FNV_SEED, base, n);
    const senti_entry *e = senti_db_find(db, h, base, n);
    if (!e)
        return 0;
    if (e->flags & SE_PREFIX)
        return match_phrase(db, t, i, end, e, base, n, h, out);
    if (!(e->flags & SE_KINDS))
        return 0;
    *out = e;
    return 1;
}

/* Squeezes letters repeated 3+ times down to keep copies ("nuuuul" ->
 * "nul" with keep 1, "cooool" -> "cool" with keep 2). */
static size_t squeeze(const char *s, size_t n, int keep, char *out)
{
    size_t o = 0;
    for (size_t i = 0; i < n;) {
        size_t j = i;
        while (j < n && s[j] == s[i])
            j++;
        size_t run = j - i;
        size_t copy = run >= 3 ? (size_t)keep : run;
        for (size_t c = 0; c < copy; c++)
            out[o++] = s[i];
        i = j;
    }
    return o;
}

/* senti_db_stem_lookup in db dbi for word w (n bytes, FNV-1a hash h),
 * through the per-thread cache. */
static int stem_cached(const senti_engine *e, int dbi, const char *w,
                       size_t n, uint64_t h, float *out)
{
    float v = 0;
    if (n > STEM_WORD)
        return senti_db_stem_lookup(&e->db[dbi], w, n, out);
    stem_slot *s = &stem_cache[(h ^ (uint64_t)dbi) & (STEM_CACHE - 1)];
    if (s->h == h && s->gen == e->gen && s->dbi == dbi && s->len == n &&
        memcmp(s->word, w, n) == 0) {
        *out = s->val;
        return s->found;
    }
    int found = senti_db_stem_lookup(&e->db[dbi], w, n, &v);
    s->h = h;
    s->gen = e->gen;
    s->dbi = (uint8_t)dbi;
    s->len = (uint8_t)n;
    memcpy(s->word, w, n);
    s->val = v;
    s->found = (uint8_t)found;
    *out = v;
    return found;
}

/* The stem fallback of lookup for word w (n bytes, hash h), knowing that
 * senti_db_stem_may_have passed for db dbs[0]: the first db of dbs whose
 * stem family takes the word. extra: rules to add to a hit (R_SQUEEZE
 * when w is an elongation squeezed). Out of line: few words get here. */
static __attribute__((noinline)) int
lookup_stem(const senti_engine *e, const int *dbs, int ndb, const char *w,
            size_t n, uint64_t h, uint16_t extra, hit *out)
{
    /* Only plain a-z words feed the stem families. */
    for (size_t k = 0; k < n; k++)
        if (!(w[k] >= 'a' && w[k] <= 'z'))
            return 0;
    for (int d = 0; d < ndb; d++) {
        float v;
        if (d > 0 && !senti_db_stem_may_have(&e->db[dbs[d]], w, n, h))
            continue;
        if (stem_cached(e, dbs[d], w, n, h, &v)) {
            *out = (hit){.flags = SE_VAL, .val = v, .len = 1,
                         .rules = R_STEM | extra};
            return 1;
        }
    }
    return 0;
}

/* The fallbacks of lookup for an elongated word w (n bytes): squeezed to
 * one or two copies of the repeated letters, then stemmed squeezed to
 * one. Out of line: elongations are rare. */
static __attribute__((noinline)) int
lookup_elongated(const senti_engine *e, const int *dbs, int ndb,
                 const char *w, size_t n, hit *out)
{
    char sq[SENTI_MAX_KEY];
    for (int keep = 1; keep <= 2; keep++) {
        size_t sn = squeeze(w, n, keep, sq);
        uint64_t sh = senti_hash_more(SENTI_FNV_SEED, sq, sn);
        for (int d = 0; d < ndb; d++) {
            const senti_entry *x = senti_db_find(&e->db[dbs[d]], sh, sq, sn);
            if (x && (x->flags & SE_VAL)) {
                *out = (hit){.flags = SE_VAL, .val = x->val, .len = 1,
                             .rules = R_SQUEEZE};
                return 1;
            }
        }
    }
    n = squeeze(w, n, 1, sq);
    if (n < STEM_MIN_LEN)
        return 0;
    uint64_t h = senti_hash_more(SENTI_FNV_SEED, sq, n);
    for (int d = 0; d < ndb; d++)
        if (senti_db_stem_may_have(&e->db[dbs[d]], sq, n, h))
            return lookup_stem(e, dbs + d, ndb - d, sq, n, h, R_SQUEEZE, out);
    return 0;
}

/* What token position i (i < end) is: the longest entry across the
 * languages in use, else the fallbacks for one word (squeezed elongation,
 * stem). This runs at every token, and most tokens are in no table: the
 * filters of senti_int.h turn those away here, inline in the scoring
 * loop, and a word that is an entry of its own is found by one probe;
 * only phrases, emoji, elongations and stems go out of line. */
static inline __attribute__((always_inline)) int
lookup(const senti_engine *e, const int *dbs, int ndb, const text_tokens *t,
       size_t i, size_t end, hit *out)
{
    const text_token *tk = &t->v[i];
    const char *w = text_norm(t, i);
    size_t n = tk->norm_len;
    /* A phrase starts at a word, number, emoticon or hashtag whose whole
     * form fits a key (emoji: at their base form). */
    int keyed = (is_wordish(tk) || tk->kind == TEXT_HASHTAG) &&
                n < SENTI_MAX_KEY;
    const senti_entry *best = NULL;
    size_t best_len = 0;
    for (int d = 0; d < ndb; d++) {
        const senti_lexdb *db = &e->db[dbs[d]];
        const senti_entry *x;
        size_t len;
        if (tk->kind == TEXT_EMOJI) {
            len = match_emoji(db, t, i, end, &x);
        } else {
            if (!keyed || !senti_db_may_have(db, tk->hash))
                continue;
            x = senti_db_find(db, tk->hash, w, n);
            if (!x)
                continue;
            /* A hashtag is one word: it starts no phrase. */
            if ((x->flags & SE_PREFIX) && tk->kind != TEXT_HASHTAG)
                len = match_phrase(db, t, i, end, x, w, n, tk->hash, &x);
            else
                len = (x->flags & SE_KINDS) ? 1 : 0;
        }
        /* Ties go to the first language. */
        if (len > best_len) {
            best = x;
            best_len = len;
        }
    }
    if (best) {
        *out = (hit){.flags = best->flags, .val = best->val,
                     .weight = best->weight, .len = best_len};
        return 1;
    }
    if (tk->kind != TEXT_WORD && tk->kind != TEXT_HASHTAG)
        return 0;
    if (n >= SENTI_MAX_KEY)
        return 0;
    if (tk->flags & TEXT_F_ELONG)
        return lookup_elongated(e, dbs, ndb, w, n, out);
    if (n < STEM_MIN_LEN)
        return 0;
    for (int d = 0; d < ndb; d++)
        if (senti_db_stem_may_have(&e->db[dbs[d]], w, n, tk->hash))
            return lookup_stem(e, dbs + d, ndb - d, w, n, tk->hash, 0, out);
    return 0;
}

/* Whether the token after a booster carries an opinion, which decides if
 * "super" is a booster ("super lent") or a word of its own ("c'est super"). */
static int opinion_follows(const senti_engine *e, const int *dbs, int ndb,
                           const text_tokens *t, size_t i, size_t end)
{
    if (i >= end || t->v[i].kind == TEXT_PUNCT)
        return 0;
    hit h;
    if (!lookup(e, dbs, ndb, t, i, end, &h))
        return 0;
    return (h.flags & (SE_VAL | SE_BOOST | SE_EXCESS | SE_NEG)) != 0;
}

static void explain_tokens(vg_buf *b, const text_tokens *t, uint32_t tok,
                           uint32_t n)
{
    for (uint32_t k = 0; k < n; k++) {
        if (k)
            vg_buf_putc(b, ' ');
        vg_buf_puts(b, text_norm(t, tok + k));
    }
}

static void explain_contrib(vg_buf *b, const text_tokens *t, const contrib *c)
{
    explain_tokens(b, t, c->tok, c->ntok);
    vg_buf_printf(b, "\t%+.1f\t%+.2f\t", c->base, c->val);
    int first = 1;
#define RULE(bit, ...)                          \
    if (c->rules & (bit)) {                     \
        if (!first)                             \
            vg_buf_putc(b, ',');                \
        first = 0;                              \
        __VA_ARGS__;                            \
    }
    RULE(R_STEM, vg_buf_puts(b, "stem"))
    RULE(R_SQUEEZE, vg_buf_puts(b, "elongation-squeezed"))
    RULE(R_EXCESS, vg_buf_puts(b, "excess(");
         explain_tokens(b, t, (uint32_t)c->mod_tok, c->mod_len);
         vg_buf_putc(b, ')'))
    RULE(R_BOOST, vg_buf_puts(b, "boosted(");
         explain_tokens(b, t, (uint32_t)c->mod_tok, c->mod_len);
         vg_buf_putc(b, ')'))
    RULE(R_DAMP, vg_buf_puts(b, "dampened(");
         explain_tokens(b, t, (uint32_t)c->mod_tok, c->mod_len);
         vg_buf_putc(b, ')'))
    RULE(R_CAPS, vg_buf_puts(b, "caps"))
    RULE(R_ELONG, vg_buf_puts(b, "elongated"))
    RULE(R_NEG, vg_buf_puts(b, "negated(");
         explain_tokens(b, t, (uint32_t)c->neg_tok, 1);
         vg_buf_putc(b, ')'))
    RULE(R_UP, vg_buf_printf(b, "contrast(x%.1f)", CONTRAST_HIGH))
    RULE(R_DOWN, vg_buf_printf(b, "contrast(x%.1f)", CONTRAST_LOW))
    RULE(R_QUESTION, vg_buf_printf(b, "question(x%.1f)", QUESTION_POS))
#undef RULE
    if (first)
        vg_buf_putc(b, '-');
    vg_buf_putc(b, '\n');
}

/* Chooses the lexicons: French, English, or both (French first) when the
 * language is unknown or neither. */
static int pick_dbs(const text_tokens *t, const char *lang, int *dbs)
{
    if (!lang)
        lang = text_lang_guess(t);
    if (!strcmp(lang, "fr")) {
        dbs[0] = 0;
        return 1;
    }
    if (!strcmp(lang, "en")) {
        dbs[0] = 1;
        return 1;
    }
    dbs[0] = 0;
    dbs[1] = 1;
    return 2;
}

/* Where the "mais"-like markers of m (those without .before) lie: the
 * first and the last of them, which is all contrast_weight needs to know
 * of them. */
typedef struct after_span {
    int any;
    uint32_t first, last;
} after_span;

static after_span after_markers(const marker *m, int nm)
{
    after_span a = {0, 0, 0};
    for (int k = 0; k < nm; k++) {
        if (m[k].before)
            continue;
        if (!a.any || m[k].tok < a.first)
            a.first = m[k].tok;
        if (!a.any || m[k].tok > a.last)
            a.last = m[k].tok;
        a.any = 1;
    }
    return a;
}

/* The contrast weight of a contribution at token tok. "mais"-like markers
 * lower what precedes them and raise what follows; "bien que"-like
 * markers lower their own clause (taken as the first half of the rest of
 * the sentence when they open it, else the rest of it) and raise the
 * remainder of the sentence. a: after_markers(m, nm). */
static float contrast_weight(const text_tokens *t, const marker *m, int nm,
                             after_span a, uint32_t tok, uint16_t *rule)
{
    if (a.any && a.last > tok) {
        *rule = R_DOWN;
        return CONTRAST_LOW;
    }
    if (a.any && a.first <= tok) {
        *rule = R_UP;
        return CONTRAST_HIGH;
    }
    for (int k = 0; k < nm; k++) {
        if (!m[k].before)
            continue;
        const text_span *s = &t->sent[m[k].sent];
        if (tok < s->tok_begin || tok >= s->tok_end)
            continue;
        /* The marker's clause ends where a ',', ';' or ':' opens the next
         * one; without punctuation, a marker opening the sentence is taken
         * to cover its first half. */
        uint32_t sub_end = s->tok_end;
        uint32_t c = m[k].tok + 1;
        while (c < s->tok_end && !(t->v[c].flags & TEXT_F_CLAUSE))
            c++;
        if (c < s->tok_end)
            sub_end = c;
        else if (m[k].tok == s->tok_begin)
            sub_end = m[k].tok + (s->tok_end - m[k].tok + 1) / 2;
        if (tok > m[k].tok && tok < sub_end) {
            *rule = R_DOWN;
            return CONTRAST_LOW;
        }
        *rule = R_UP;
        return CONTRAST_HIGH;
    }
    *rule = 0;
    return 1.0f;
}

vg_err senti_score_tokens(const senti_engine *e, const text_tokens *t,
                          size_t tok_begin, size_t tok_end, const char *lang,
                          senti_result *out, vg_buf *explain)
{
    if (!e || !t || !out || tok_begin > tok_end || tok_end > t->n)
        return vg_error_set(VG_EINVAL, "sentiment: bad token range");
    memset(out, 0, sizeof *out);
    out->neu = 1.0;
    int dbs[2];
    int ndb = pick_dbs(t, lang, dbs);
    int english = dbs[0] == 1 || ndb == 2;

    contrib local[64];
    contrib *cs = local;
    size_t ntok = tok_end - tok_begin;
    if (ntok > sizeof local / sizeof local[0]) {
        cs = malloc(ntok * sizeof *cs);
        if (!cs)
            return vg_error_set(VG_ENOMEM, "sentiment: %zu tokens", ntok);
    }
    size_t nc = 0;
    marker marks[MAX_MARKERS];
    int nm = 0;
    int excl = 0;
    size_t words = 0, upper = 0, letters = 0, titles = 0;

    for (size_t i = tok_begin; i < tok_end; i++) {
        const text_token *tk = &t->v[i];
        if (tk->kind == TEXT_WORD && tk->norm_len >= 2) {
            letters++;
            if (tk->flags & TEXT_F_UPPER)
                upper++;
            if (tk->flags & TEXT_F_TITLE)
                titles++;
        }
    }
    int all_caps = letters > 0 && upper == letters;
    int title_text = titles * 2 > letters;

    size_t neg_until = 0, boost_until = 0, excess_until = 0;
    int32_t neg_tok = -1, boost_tok = -1, excess_tok = -1, ne_tok = -1;
    uint32_t boost_len = 0;
    float boost = 0;
    uint32_t sent = UINT32_MAX;

    for (size_t i = tok_begin; i < tok_end;) {
        const text_token *tk = &t->v[i];
        if (tk->sentence != sent) {
            sent = tk->sentence;
            neg_until = boost_until = excess_until = 0;
            ne_tok = -1;
            boost = 0;
        }
        if (tk->kind == TEXT_PUNCT) {
            const char *p = text_norm(t, i);
            for (size_t k = 0; k < tk->norm_len && excl < EXCL_MAX; k++)
                excl += p[k] == '!';
            neg_until = boost_until = excess_until = 0;
            ne_tok = -1;
            boost = 0;
            i++;
            continue;
        }
        if (tk->kind == TEXT_HANDLE) {
            i++;
            continue;
        }
        words++;
        /* "don't" is "don" + "t": the glued "t" is the negator. */
        if (english && (tk->flags & TEXT_F_APOS) && tk->norm_len == 1 &&
            text_norm(t, i)[0] == 't') {
            neg_until = i + 1 + NEG_SCOPE;
            neg_tok = (int32_t)i;
            i++;
            continue;
        }
        hit h;
        if (!lookup(e, dbs, ndb, t, i, tok_end, &h) ||
            (english && h.len == 1 && before_nt(t, i, tok_end))) {
            i++;
            continue;
        }
        size_t next = i + h.len;
        if (h.flags & SE_NE) {
            ne_tok = (int32_t)i;
        } else if ((h.flags & SE_NEG) ||
                   ((h.flags & SE_NEG_NE) && ne_tok >= 0)) {
            /* "je n'aime pas": the opinion sits between "ne" and "pas". */
            int flipped = 0;
            for (size_t c = 0; ne_tok >= 0 && c < nc; c++) {
                /* Weak derived cues are never negated: they were learned
                 * from texts as written, negations included. Nor are
                 * they what a negation is about ("il ne suffit pas
                 * d'aimer"): the scope then still runs on after "pas". */
                if (cs[c].tok > (uint32_t)ne_tok && !(cs[c].rules & R_NEG) &&
                    !is_symbol(&t->v[cs[c].tok]) &&
                    fabsf(cs[c].base) > WEAK_CUE) {
                    cs[c].val *= cs[c].val > 0 ? NEG_OF_POS : NEG_OF_NEG;
                    cs[c].rules |= R_NEG;
                    cs[c].neg_tok = (int32_t)i;
                    flipped = 1;
                }
            }
            neg_until = flipped ? 0 : next + NEG_SCOPE;
            neg_tok = (int32_t)i;
            ne_tok = -1;
        } else if (h.flags & (SE_CONTRAST_AFTER | SE_CONTRAST_BEFORE)) {
            if (nm < MAX_MARKERS) {
                marks[nm].tok = (uint32_t)i;
                marks[nm].sent = tk->sentence;
                marks[nm].before = (h.flags & SE_CONTRAST_BEFORE) != 0;
                nm++;
            }
            neg_until = boost_until = excess_until = 0;
            ne_tok = -1;
            boost = 0;
        } else if ((h.flags & (SE_BOOST | SE_EXCESSIVE)) &&
                   (!(h.flags & SE_VAL) || h.val == 0 ||
                    opinion_follows(e, dbs, ndb, t, next, tok_end))) {
            if (h.flags & SE_EXCESSIVE) {
                excess_until = next + 1;
                excess_tok = (int32_t)i;
            }
            if (h.flags & SE_BOOST) {
                if (boost_until <= i) {
                    boost = 0;
                    boost_tok = (int32_t)i;
                    boost_len = 0;
                }
                boost += h.weight;
                boost_len = (uint32_t)(next - (size_t)boost_tok);
                boost_until = next + BOOST_SCOPE;
            }
        } else if (h.len == 1 &&
                   in_name(t, i, tok_begin, tok_end, title_text)) {
            /* A name: no opinion, and no booster reaches past it. */
            boost = 0;
            boost_until = excess_until = 0;
        } else if (((h.flags & SE_VAL) && h.val != 0) ||
                   ((h.flags & SE_EXCESS) && excess_until > i)) {
            contrib *c = &cs[nc++];
            memset(c, 0, sizeof *c);
            c->tok = (uint32_t)i;
            c->ntok = (uint32_t)h.len;
            c->rules = h.rules;
            c->neg_tok = c->mod_tok = -1;
            float base = (h.flags & SE_VAL) ? h.val : 0;
            if (base == 0) {
                base = EXCESS_VALENCE;
                c->rules |= R_EXCESS;
                c->mod_tok = excess_tok;
                c->mod_len = 1;
            }
            c->base = base;
            float mag = fabsf(base);
            float sign = base > 0 ? 1.0f : -1.0f;
            /* Emphasis (boosters, capitals, elongation) strengthens an
             * opinion by a fixed amount; a weak derived cue is no opinion
             * to strengthen that way ("very well", "BTP"): a booster
             * scales it, within the weak range, and capitals and
             * elongation leave it. */
            int weak = mag <= WEAK_CUE;
            if (boost != 0 && boost_until > i && !(c->rules & R_EXCESS)) {
                float m2 = weak ? fminf(mag * (1.0f + boost), WEAK_BOOSTED)
                                : mag + boost;
                mag = m2 > 0.2f * mag ? m2 : 0.2f * mag;
                c->rules |= boost > 0 ? R_BOOST : R_DAMP;
                c->mod_tok = boost_tok;
                c->mod_len = boost_len;
            }
            int caps = 0, elong = 0;
            for (size_t k = i; k < next; k++) {
                caps |= (t->v[k].flags & TEXT_F_UPPER) != 0;
                elong |= (t->v[k].flags & TEXT_F_ELONG) != 0;
            }
            if (caps && !all_caps && !weak) {
                mag += CAPS_EMPHASIS;
                c->rules |= R_CAPS;
            }
            if (elong && !weak) {
                mag += ELONG_EMPHASIS;
                c->rules |= R_ELONG;
            }
            c->val = sign * mag;
            if (neg_until > i && !is_symbol(tk) && !weak) {
                c->val *= c->val > 0 ? NEG_OF_POS : NEG_OF_NEG;
                c->rules |= R_NEG;
                c->neg_tok = neg_tok;
            }
            boost = 0;
            boost_until = excess_until = 0;
        }
        /* Words inside a matched phrase are covered by it. */
        words += h.len - 1;
        i = next;
    }

    double sum = 0, pos = 0, neg = 0;
    after_span after = after_markers(marks, nm);
    for (size_t c = 0; c < nc; c++) {
        uint16_t rule = 0;
        float w = nm ? contrast_weight(t, marks, nm, after, cs[c].tok, &rule)
                     : 1.0f;
        cs[c].val *= w;
        cs[c].rules |= rule;
        /* A question asserts less than a statement, and far more often
         * doubts or mocks than praises ("is it any good?"): praise in a
         * question counts half. */
        if (cs[c].val > 0 && in_question(t, cs[c].tok, tok_end)) {
            cs[c].val *= QUESTION_POS;
            cs[c].rules |= R_QUESTION;
        }
        sum += cs[c].val;
        if (cs[c].val > 0)
            pos += cs[c].val + 1.0;
        else
            neg += -cs[c].val + 1.0;
    }
    double emph = 0;
    if (fabs(sum) >= EXCL_MIN_SUM && excl) {
        emph = EXCL_EMPHASIS * excl;
        sum += sum > 0 ? emph : -emph;
        if (sum > 0)
            pos += emph;
        else
            neg += emph;
    }
    size_t covered = 0;
    for (size_t c = 0; c < nc; c++)
        covered += cs[c].ntok;
    double neu = words > covered ? (double)(words - covered) : 0.0;
    double total = pos + neg + neu;
    out->compound = sum / sqrt(sum * sum + NORM_ALPHA);
    if (out->compound > 1)
        out->compound = 1;
    if (out->compound < -1)
        out->compound = -1;
    if (total > 0) {
        out->pos = pos / total;
        out->neg = neg / total;
        out->neu = neu / total;
    }
    out->label = out->compound >= 0.05 ? 1 : out->compound <= -0.05 ? -1 : 0;
    out->hits = (int)nc;

    if (explain) {
        for (size_t c = 0; c < nc; c++)
            explain_contrib(explain, t, &cs[c]);
        if (emph != 0)
            vg_buf_printf(explain, "!\t+0.0\t%+.2f\texclamation(x%d)\n",
                          sum > 0 ? emph : -emph, excl);
        vg_buf_printf(explain, "compound\t%+.2f\t%+.4f\t%s\n", sum,
                      out->compound, dbs[0] == 1 ? "en" : ndb == 2 ? "fr+en"
                                                                    : "fr");
    }
    if (cs != local)
        free(cs);
    return explain ? explain->err : VG_OK;
}

vg_err senti_score(const senti_engine *e, const char *text, size_t len,
                   const char *lang, senti_result *out, vg_buf *explain)
{
    if (!e || (!text && len) || !out)
        return vg_error_set(VG_EINVAL, "sentiment: no text");
    text_tokens *t = NULL;
    vg_err rc = text_tokenize(text ? text : "", len, &t);
    if (rc)
        return rc;
    rc = senti_score_tokens(e, t, 0, t->n, lang, out, explain);
    text_tokens_free(t);
    return rc;
}
