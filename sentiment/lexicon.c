/*
 * Lexicon loading: turns the embedded lexicon files (the .txt files in
 * lexicons/, compiled into the binary) and users' own entries into
 * per-language hash tables of folded forms, plus a table of Snowball
 * stems so that inflected forms absent from the lexicon ("décevants") still find their family.
 * Keys are built by running each entry through the same tokenizer that
 * scoring uses, so an entry and a text always fold alike.
 */
#include "sentiment/senti_int.h"

#include <libstemmer.h>
#include <math.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdlib.h>
#include <string.h>

/* Bumped by every engine edit so per-thread caches never serve a stale
 * answer from another engine or an older state. */
static atomic_uint engine_generation = 1;

struct senti_pool {
    pthread_mutex_t lock;
    struct sb_stemmer **v;
    size_t n, cap;
};

/* ---------------------------------------------------------------- tables */

static void bit_set(uint64_t *bits, size_t b)
{
    bits[b >> 6] |= 1ULL << (b & 63);
}

/* Adds hash h to root_bits (two bits, see senti_filter_bit2). */
static void root_set(senti_lexdb *db, uint64_t h)
{
    bit_set(db->root_bits, senti_filter_bit(h));
    bit_set(db->root_bits, senti_filter_bit2(h));
}

static vg_err table_grow(senti_lexdb *db)
{
    size_t cap = db->cap ? db->cap * 2 : 4096;
    senti_entry *t = calloc(cap, sizeof *t);
    if (!t)
        return vg_error_set(VG_ENOMEM, "sentiment: lexicon table");
    for (size_t i = 0; i < db->cap; i++) {
        if (!db->tab[i].hash)
            continue;
        size_t j = db->tab[i].hash & (cap - 1);
        while (t[j].hash)
            j = (j + 1) & (cap - 1);
        t[j] = db->tab[i];
    }
    free(db->tab);
    db->tab = t;
    db->cap = cap;
    return VG_OK;
}

/* The entry for key, created empty when missing. */
static vg_err table_get(senti_lexdb *db, const char *key, size_t n,
                        senti_entry **out)
{
    uint64_t h = senti_hash_fix(senti_hash_more(SENTI_FNV_SEED, key, n));
    const senti_entry *found = senti_db_find(db, h, key, n);
    if (found) {
        *out = (senti_entry *)found;
        return VG_OK;
    }
    if ((db->n + 1) * 2 > db->cap) {
        vg_err rc = table_grow(db);
        if (rc)
            return rc;
    }
    if (db->keys_len + n + 1 > db->keys_cap) {
        size_t cap = db->keys_cap ? db->keys_cap * 2 : 65536;
        while (cap < db->keys_len + n + 1)
            cap *= 2;
        char *k = realloc(db->keys, cap);
        if (!k)
            return vg_error_set(VG_ENOMEM, "sentiment: lexicon keys");
        db->keys = k;
        db->keys_cap = cap;
    }
    memcpy(db->keys + db->keys_len, key, n);
    db->keys[db->keys_len + n] = '\0';
    bit_set(db->key_bits, senti_filter_bit(h));
    size_t j = h & (db->cap - 1);
    while (db->tab[j].hash)
        j = (j + 1) & (db->cap - 1);
    senti_entry *e = &db->tab[j];
    memset(e, 0, sizeof *e);
    e->hash = h;
    e->key = (uint32_t)db->keys_len;
    e->key_len = (uint16_t)n;
    db->keys_len += n + 1;
    db->n++;
    *out = e;
    return VG_OK;
}

/* Marks every proper word prefix of a phrase, so matching knows when to
 * keep extending. */
static vg_err mark_prefixes(senti_lexdb *db, const char *key, size_t n)
{
    for (size_t i = 0; i < n; i++) {
        if (key[i] != ' ')
            continue;
        senti_entry *e;
        vg_err rc = table_get(db, key, i, &e);
        if (rc)
            return rc;
        e->flags |= SE_PREFIX;
    }
    return VG_OK;
}

static senti_stem *stem_slot(senti_lexdb *db, uint64_t h)
{
    size_t j = h & (db->scap - 1);
    while (db->stems[j].hash && db->stems[j].hash != h)
        j = (j + 1) & (db->scap - 1);
    return &db->stems[j];
}

static vg_err stems_reserve(senti_lexdb *db, size_t want)
{
    if (want * 2 <= db->scap)
        return VG_OK;
    size_t cap = db->scap ? db->scap : 4096;
    while (want * 2 > cap)
        cap *= 2;
    senti_stem *old = db->stems;
    size_t oldcap = db->scap;
    db->stems = calloc(cap, sizeof *db->stems);
    if (!db->stems) {
        db->stems = old;
        return vg_error_set(VG_ENOMEM, "sentiment: stem table");
    }
    db->scap = cap;
    for (size_t i = 0; i < oldcap; i++)
        if (old[i].hash)
            *stem_slot(db, old[i].hash) = old[i];
    free(old);
    return VG_OK;
}

/* ------------------------------------------------------------- stemmers */

static struct sb_stemmer *pool_take(const senti_lexdb *db)
{
    struct senti_pool *p = db->pool;
    struct sb_stemmer *s = NULL;
    pthread_mutex_lock(&p->lock);
    if (p->n)
        s = p->v[--p->n];
    pthread_mutex_unlock(&p->lock);
    if (!s)
        s = sb_stemmer_new(db->stemmer_name, "UTF_8");
    return s;
}

static void pool_give(const senti_lexdb *db, struct sb_stemmer *s)
{
    struct senti_pool *p = db->pool;
    pthread_mutex_lock(&p->lock);
    if (p->n == p->cap) {
        size_t cap = p->cap ? p->cap * 2 : 8;
        struct sb_stemmer **v = realloc(p->v, cap * sizeof *v);
        if (!v) {
            pthread_mutex_unlock(&p->lock);
            sb_stemmer_delete(s);
            return;
        }
        p->v = v;
        p->cap = cap;
    }
    p->v[p->n++] = s;
    pthread_mutex_unlock(&p->lock);
}

/* Hash of the stem of word; 0 when it cannot be stemmed. */
static uint64_t stem_hash(struct sb_stemmer *st, const char *w, size_t n)
{
    const sb_symbol *r = sb_stemmer_stem(st, (const sb_symbol *)w, (int)n);
    if (!r)
        return 0;
    int len = sb_stemmer_length(st);
    return senti_hash_fix(senti_hash_more(SENTI_FNV_SEED, (const char *)r,
                                          (size_t)len));
}

/* English inflectional endings, as written after a lexicon word ("loved",
 * "loves", "lovelier") or in place of its last letter ("loving",
 * "happier", "worried"). Derivational endings ("-ion", "-ics", "-ity")
 * are absent on purpose: they make words of another meaning. */
static const char *const en_tails[] = {
    "", "s", "es", "d", "ed", "ing", "r", "er", "ers", "st", "est", "ly",
    "y", "ies", "ied", "ier", "iest", "ily", "ness", "in", "n", NULL};

/* Endings a lexicon word may carry itself ("perplexed"): the root left
 * without them is what other inflections build on. Not "-ly" nor "-y":
 * those make adjectives of another sense ("timely", "lively"). */
static const char *const en_base_tails[] = {"", "s", "es", "d", "ed", "ing",
                                            NULL};

/* French endings of lexicon words (verbs, adjectives, plurals): what
 * other forms of the word replace ("découvrez" for "découvrir",
 * "heureuse" for "heureux"). */
static const char *const fr_base_tails[] = {
    "", "e", "s", "es", "x", "er", "ir", "re", "oir", "f", "if", NULL};

/* French inflectional endings, folded (accents off), as added to the root
 * left by fr_base_tails: gender and number, and the common verb endings.
 * Derivational endings ("-ion", "-ique", "-ité", "-eur") are absent: they
 * make words of another meaning ("position" is not "positif"). */
static const char *const fr_tails[] = {
    "", "e", "s", "es", "x", "r", "se", "ses", "le", "les", "ne", "nes", "te",
    "tes", "ee", "ees", "ve", "ves", "if", "ifs", "ive", "ives", "er", "ez",
    "ent", "ant", "ante", "ants", "antes", "ait", "ais", "aient", "ons",
    "iez", "ions", "ir", "it", "is", "issent", "issant", "ra", "rai", "ras",
    "rait", "ront", "re", "a", "as", "ai", "u", "ue", "us", "ues", "i", "ie",
    "ies", "ment", "ement", "ere", "eres", "ers", "euse", "euses", "eux",
    NULL};

static int tail_in(const char *const *list, const char *tail, size_t n)
{
    for (size_t i = 0; list[i]; i++)
        if (strlen(list[i]) == n && memcmp(list[i], tail, n) == 0)
            return 1;
    return 0;
}

static int en_tail(const char *tail, size_t n)
{
    return tail_in(en_tails, tail, n);
}

/* Whether word (n bytes) is an inflection of root (rn bytes): it starts
 * with root less its last letter, and what follows is an English
 * inflectional ending, after root whole ("loved"), after its last letter
 * doubled ("stopped") or in place of it ("loving"). */
static int en_inflects(const char *word, size_t n, const char *root, size_t rn)
{
    size_t k = rn - 1;
    if (n < k || memcmp(word, root, k) != 0)
        return 0;
    if (en_tail(word + k, n - k))
        return 1;
    if (n == k || word[k] != root[k])
        return 0;
    if (en_tail(word + rn, n - rn))
        return 1;
    return n > rn && word[rn] == root[k] && en_tail(word + rn + 1, n - rn - 1);
}

/* Whether word (n bytes) inflects the lexicon word base (bn bytes). In
 * French: it starts with base less its last letter ("déçues", "heureuse"
 * for "heureux"). In English the base may itself be inflected, so both
 * are compared through the root left when one ending is taken off the
 * base ("perplexing" for "perplexed"). */
static int inflects(const senti_lexdb *db, const char *word, size_t n,
                    const char *base, size_t bn)
{
    if (bn == 0)
        return 0;
    if (strcmp(db->lang, "en") != 0) {
        /* French: word is the root of base (base less one ending, at
         * least 3 letters) followed by an inflectional ending. */
        for (size_t i = 0; fr_base_tails[i]; i++) {
            size_t tl = strlen(fr_base_tails[i]);
            if (bn < tl + 3 ||
                memcmp(base + bn - tl, fr_base_tails[i], tl) != 0)
                continue;
            size_t rn = bn - tl;
            if (n >= rn && memcmp(word, base, rn) == 0 &&
                tail_in(fr_tails, word + rn, n - rn))
                return 1;
        }
        return 0;
    }
    for (size_t i = 0; en_base_tails[i]; i++) {
        size_t tl = strlen(en_base_tails[i]);
        if (bn < tl + 3 || memcmp(base + bn - tl, en_base_tails[i], tl) != 0)
            continue;
        if (en_inflects(word, n, base, bn - tl))
            return 1;
    }
    return 0;
}

/* Adds the roots that inflects() may find a word starting with, for the
 * lexicon word base (bn bytes), to root_bits; and so keeps
 * senti_db_stem_may_have a necessary condition. The cases mirror
 * inflects() and en_inflects() one for one. */
static void roots_add(senti_lexdb *db, const char *base, size_t bn)
{
    int en = strcmp(db->lang, "en") == 0;
    const char *const *tails = en ? en_base_tails : fr_base_tails;
    for (size_t i = 0; tails[i]; i++) {
        size_t tl = strlen(tails[i]);
        if (bn < tl + 3 || memcmp(base + bn - tl, tails[i], tl) != 0)
            continue;
        size_t rn = bn - tl;
        uint64_t h = senti_hash_more(SENTI_FNV_SEED, base, rn);
        /* French, and English after the whole root ("loved"). */
        root_set(db, h);
        if (!en)
            continue;
        /* English in place of the root's last letter ("loving"), and
         * after it doubled ("stopped"). */
        root_set(db, senti_hash_more(SENTI_FNV_SEED, base, rn - 1));
        root_set(db, senti_hash_more(h, base + rn - 1, 1));
    }
}

/* Fills tail_bits and tail_lens from the language's inflectional
 * endings (each at most 7 bytes, as both pack them). */
static void tails_init(senti_lexdb *db)
{
    const char *const *tails = strcmp(db->lang, "en") == 0 ? en_tails
                                                           : fr_tails;
    for (size_t i = 0; tails[i]; i++) {
        size_t tl = strlen(tails[i]);
        uint64_t p = 0;
        for (size_t k = tl; k-- > 0;)
            p = (p << 8) | (unsigned char)tails[i][k];
        bit_set(db->tail_bits, senti_tail_bit(p));
        for (int c = 0; c < 256; c++)
            if (tl == 0 || (unsigned char)tails[i][tl - 1] == c)
                db->tail_lens[c] |= (uint8_t)(1u << tl);
    }
}

int senti_db_stem_lookup(const senti_lexdb *db, const char *word, size_t n,
                         float *out)
{
    if (!db->scap)
        return 0;
    struct sb_stemmer *st = pool_take(db);
    if (!st)
        return 0;
    uint64_t h = stem_hash(st, word, n);
    pool_give(db, st);
    if (!h)
        return 0;
    size_t j = h & (db->scap - 1);
    while (db->stems[j].hash) {
        const senti_stem *s = &db->stems[j];
        if (s->hash == h) {
            if (!s->count ||
                !inflects(db, word, n, db->keys + s->min_key, s->min_len))
                return 0;
            *out = s->sum / s->count;
            return 1;
        }
        j = (j + 1) & (db->scap - 1);
    }
    return 0;
}

/* Only plain folded words feed the stem table: phrases, emoji and very
 * short words would give stems that catch unrelated words. */
static int stemmable(const char *k, size_t n)
{
    if (n < 3)
        return 0;
    for (size_t i = 0; i < n; i++)
        if (!(k[i] >= 'a' && k[i] <= 'z'))
            return 0;
    return 1;
}

/* Adds a lexicon word (n bytes, at key_off in the keys) to the family of
 * stem hash h. */
static vg_err stem_add(senti_lexdb *db, uint64_t h, size_t n,
                       uint32_t key_off, float val, int user)
{
    vg_err rc = stems_reserve(db, db->sn + 1);
    if (rc)
        return rc;
    senti_stem *s = stem_slot(db, h);
    if (!s->hash) {
        s->hash = h;
        s->min_len = UINT16_MAX;
        db->sn++;
    }
    if (n < s->min_len) {
        s->min_len = (uint16_t)n;
        s->min_key = key_off;
    }
    if (user) {
        s->sum = val;
        s->count = 1;
        s->user = 1;
    } else if (!s->user && s->count < UINT16_MAX) {
        s->sum += val;
        s->count++;
    }
    return VG_OK;
}

static vg_err build_stems(senti_lexdb *db)
{
    struct sb_stemmer *st = pool_take(db);
    if (!st)
        return vg_error_set(VG_ENOMEM, "sentiment: stemmer %s",
                            db->stemmer_name);
    /* Each entry's stem hash, kept for the second pass (0: none). */
    uint64_t *hs = calloc(db->cap ? db->cap : 1, sizeof *hs);
    if (!hs) {
        pool_give(db, st);
        return vg_error_set(VG_ENOMEM, "sentiment: stem hashes");
    }
    vg_err rc = VG_OK;
    for (size_t i = 0; i < db->cap && !rc; i++) {
        const senti_entry *e = &db->tab[i];
        if (!e->hash || !(e->flags & SE_VAL) || e->val == 0.0f)
            continue;
        const char *k = db->keys + e->key;
        if (!stemmable(k, e->key_len))
            continue;
        hs[i] = stem_hash(st, k, e->key_len);
        if (hs[i])
            rc = stem_add(db, hs[i], e->key_len, e->key, e->val, 0);
    }
    /* Second pass: a family's valence is the mean over the words that
     * inflect its shortest one, so "play" takes the valence of "played"
     * and "plays", not of "playful" which Snowball also stems to "play". */
    for (size_t i = 0; i < db->scap; i++) {
        if (db->stems[i].hash && !db->stems[i].user) {
            db->stems[i].sum = 0;
            db->stems[i].count = 0;
        }
    }
    for (size_t i = 0; i < db->cap && !rc; i++) {
        if (!hs[i])
            continue;
        const senti_entry *e = &db->tab[i];
        senti_stem *s = stem_slot(db, hs[i]);
        if (s->hash && !s->user && s->count < UINT16_MAX &&
            inflects(db, db->keys + e->key, e->key_len,
                     db->keys + s->min_key, s->min_len)) {
            s->sum += e->val;
            s->count++;
        }
    }
    for (size_t i = 0; i < db->scap; i++)
        if (db->stems[i].hash)
            roots_add(db, db->keys + db->stems[i].min_key,
                      db->stems[i].min_len);
    free(hs);
    pool_give(db, st);
    return rc;
}

/* ------------------------------------------------------------ emoji */

size_t senti_emoji_base(const char *s, size_t n, char *out, size_t cap)
{
    const unsigned char *u = (const unsigned char *)s;
    size_t o = 0;
    for (size_t i = 0; i < n;) {
        /* U+200D zero-width joiner: keep the first emoji of a sequence. */
        if (i + 2 < n && u[i] == 0xE2 && u[i + 1] == 0x80 && u[i + 2] == 0x8D)
            break;
        /* U+FE0E/U+FE0F presentation selectors. */
        if (i + 2 < n && u[i] == 0xEF && u[i + 1] == 0xB8 &&
            (u[i + 2] == 0x8E || u[i + 2] == 0x8F)) {
            i += 3;
            continue;
        }
        /* U+1F3FB..U+1F3FF skin tones. */
        if (i + 3 < n && u[i] == 0xF0 && u[i + 1] == 0x9F && u[i + 2] == 0x8F &&
            u[i + 3] >= 0xBB && u[i + 3] <= 0xBF) {
            i += 4;
            continue;
        }
        if (o < cap)
            out[o++] = s[i];
        i++;
    }
    return o;
}

/* ------------------------------------------------------------- keys */

/* Folds a lexicon phrase into its key: tokens' folded forms joined by one
 * space. *ok is 0 when the phrase yields no token, or when symbols_only
 * and the tokenizer does not see the symbol as one token (an emoticon it
 * does not know would otherwise become a stray letter such as "d"). */
static vg_err make_key(const char *p, size_t n, int symbols_only, char *out,
                       size_t *out_len, int *ok)
{
    *ok = 0;
    *out_len = 0;
    int plain = n > 0 && n < SENTI_MAX_KEY;
    for (size_t i = 0; i < n && plain; i++)
        plain = (p[i] >= 'a' && p[i] <= 'z') || (p[i] >= '0' && p[i] <= '9');
    if (plain && !symbols_only) {
        /* Most entries: one lower-case ASCII word, its own key. */
        memcpy(out, p, n);
        *out_len = n;
        *ok = 1;
        return VG_OK;
    }
    text_tokens *t = NULL;
    vg_err rc = text_tokenize(p, n, &t);
    if (rc)
        return rc;
    if (t->n == 0 || t->n > SENTI_MAX_WORDS)
        goto cleanup;
    if (symbols_only &&
        (t->n != 1 || (t->v[0].kind != TEXT_EMOJI &&
                       t->v[0].kind != TEXT_EMOTICON && t->v[0].len != n)))
        goto cleanup;
    size_t o = 0;
    for (size_t i = 0; i < t->n; i++) {
        const char *w = text_norm(t, i);
        size_t wl = t->v[i].norm_len;
        char tmp[SENTI_MAX_KEY];
        if (t->v[i].kind == TEXT_EMOJI) {
            wl = senti_emoji_base(w, wl, tmp, sizeof tmp);
            w = tmp;
        }
        if (o + wl + 1 >= SENTI_MAX_KEY)
            goto cleanup;
        if (i)
            out[o++] = ' ';
        memcpy(out + o, w, wl);
        o += wl;
    }
    *out_len = o;
    *ok = o > 0;
cleanup:
    text_tokens_free(t);
    return rc;
}

/* Adds flags (and a valence or weight) to the entry for phrase. */
static vg_err add_phrase(senti_lexdb *db, const char *p, size_t n,
                         int symbols_only, uint16_t flags, float val,
                         float weight)
{
    char key[SENTI_MAX_KEY];
    size_t kl;
    int ok;
    vg_err rc = make_key(p, n, symbols_only, key, &kl, &ok);
    if (rc || !ok)
        return rc;
    senti_entry *e;
    rc = table_get(db, key, kl, &e);
    if (rc)
        return rc;
    /* A user entry overrides whatever the built-in lexicon said. */
    if ((e->flags & SE_USER) && !(flags & SE_USER) && (flags & SE_VAL))
        return VG_OK;
    e->flags |= flags;
    if (flags & SE_VAL)
        e->val = val;
    if (flags & SE_BOOST)
        e->weight = weight;
    if (memchr(key, ' ', kl))
        rc = mark_prefixes(db, key, kl);
    return rc;
}

/* ------------------------------------------------------------ parsing */

/* Next line of data [*pos, len): its bounds without the line end. */
static int next_line(const char *d, size_t len, size_t *pos, size_t *b,
                     size_t *e)
{
    if (*pos >= len)
        return 0;
    *b = *pos;
    while (*pos < len && d[*pos] != '\n')
        (*pos)++;
    *e = *pos;
    if (*e > *b && d[*e - 1] == '\r')
        (*e)--;
    if (*pos < len)
        (*pos)++;
    return 1;
}

static int parse_number(const char *s, size_t n, float *out)
{
    char tmp[32];
    if (n == 0 || n >= sizeof tmp)
        return 0;
    memcpy(tmp, s, n);
    tmp[n] = '\0';
    char *end;
    double v = strtod(tmp, &end);
    if (end == tmp || *end != '\0' || !isfinite(v) || v < -4.0 || v > 4.0)
        return 0;
    *out = (float)v;
    return 1;
}

/* Loads "phrase<TAB>valence" lines. */
static vg_err load_words(senti_lexdb *db, const char *name, const char *d,
                         size_t len, int symbols_only)
{
    size_t pos = 0, b, e;
    int line = 0;
    while (next_line(d, len, &pos, &b, &e)) {
        line++;
        if (e == b || d[b] == '#')
            continue;
        const char *tab = memchr(d + b, '\t', e - b);
        float v;
        if (!tab || !parse_number(tab + 1, (size_t)(d + e - tab - 1), &v))
            return vg_error_set(VG_EPARSE, "sentiment: %s line %d: expected "
                                "phrase<TAB>valence in [-4, 4]", name, line);
        vg_err rc = add_phrase(db, d + b, (size_t)(tab - d - b), symbols_only,
                               SE_VAL, v, 0);
        if (rc)
            return rc;
    }
    return VG_OK;
}

/* Loads a derived lexicon: like load_words, but a key that already has a
 * meaning (a hand-written valence, a rule word) keeps it. */
static vg_err load_derived(senti_lexdb *db, const char *name, const char *d,
                           size_t len)
{
    size_t pos = 0, b, e;
    int line = 0;
    while (next_line(d, len, &pos, &b, &e)) {
        line++;
        if (e == b || d[b] == '#')
            continue;
        const char *tab = memchr(d + b, '\t', e - b);
        float v;
        if (!tab || !parse_number(tab + 1, (size_t)(d + e - tab - 1), &v))
            return vg_error_set(VG_EPARSE, "sentiment: %s line %d: expected "
                                "word<TAB>valence in [-4, 4]", name, line);
        char key[SENTI_MAX_KEY];
        size_t kl;
        int ok;
        vg_err rc = make_key(d + b, (size_t)(tab - d - b), 0, key, &kl, &ok);
        if (rc)
            return rc;
        if (!ok)
            continue;
        uint64_t h = senti_hash_more(SENTI_FNV_SEED, key, kl);
        const senti_entry *x = senti_db_find(db, h, key, kl);
        if (x && (x->flags & SE_KINDS))
            continue;
        rc = add_phrase(db, d + b, (size_t)(tab - d - b), 0, SE_VAL, v, 0);
        if (rc)
            return rc;
    }
    return VG_OK;
}

/* Loads a rules file: [section] headers, then one entry a line. */
static vg_err load_rules(senti_lexdb *db, const char *name, const char *d,
                         size_t len)
{
    size_t pos = 0, b, e;
    int line = 0;
    char section[16] = "";
    while (next_line(d, len, &pos, &b, &e)) {
        line++;
        if (e == b || d[b] == '#')
            continue;
        if (d[b] == '[') {
            size_t n = e - b - 2;
            if (e - b < 2 || d[e - 1] != ']' || n >= sizeof section)
                goto bad;
            memcpy(section, d + b + 1, n);
            section[n] = '\0';
            continue;
        }
        const char *tab = memchr(d + b, '\t', e - b);
        size_t plen = tab ? (size_t)(tab - d - b) : e - b;
        const char *arg = tab ? tab + 1 : d + e;
        size_t alen = (size_t)(d + e - arg);
        uint16_t fl = 0;
        float w = 0;
        if (!strcmp(section, "negators")) {
            if (alen == 6 && !memcmp(arg, "always", 6))
                fl = SE_NEG;
            else if (alen == 2 && !memcmp(arg, "ne", 2))
                fl = SE_NEG_NE;
            else
                goto bad;
        } else if (!strcmp(section, "ne")) {
            fl = SE_NE;
        } else if (!strcmp(section, "boosters")) {
            if (!parse_number(arg, alen, &w))
                goto bad;
            fl = SE_BOOST;
        } else if (!strcmp(section, "excessive")) {
            fl = SE_EXCESSIVE;
        } else if (!strcmp(section, "excess")) {
            fl = SE_EXCESS;
        } else if (!strcmp(section, "contrast")) {
            if (alen == 5 && !memcmp(arg, "after", 5))
                fl = SE_CONTRAST_AFTER;
            else if (alen == 6 && !memcmp(arg, "before", 6))
                fl = SE_CONTRAST_BEFORE;
            else
                goto bad;
        } else {
            goto bad;
        }
        vg_err rc = add_phrase(db, d + b, plen, 0, fl, 0, w);
        if (rc)
            return rc;
    }
    return VG_OK;
bad:
    return vg_error_set(VG_EPARSE, "sentiment: %s line %d: bad rule", name,
                        line);
}

/* ------------------------------------------------------------ engine */

static void db_free(senti_lexdb *db)
{
    if (db->pool) {
        for (size_t i = 0; i < db->pool->n; i++)
            sb_stemmer_delete(db->pool->v[i]);
        free(db->pool->v);
        pthread_mutex_destroy(&db->pool->lock);
        free(db->pool);
    }
    free(db->tab);
    free(db->stems);
    free(db->keys);
    memset(db, 0, sizeof *db);
}

static vg_err db_init(senti_lexdb *db, const char *lang, const char *algo)
{
    db->lang = lang;
    db->stemmer_name = algo;
    db->pool = calloc(1, sizeof *db->pool);
    if (!db->pool)
        return vg_error_set(VG_ENOMEM, "sentiment: stemmer pool");
    pthread_mutex_init(&db->pool->lock, NULL);
    tails_init(db);
    return VG_OK;
}

vg_err senti_open(senti_engine **out)
{
    *out = NULL;
    senti_engine *e = calloc(1, sizeof *e);
    if (!e)
        return vg_error_set(VG_ENOMEM, "sentiment: engine");
    vg_err rc = db_init(&e->db[0], "fr", "french");
    if (!rc)
        rc = db_init(&e->db[1], "en", "english");
    if (rc)
        goto cleanup;
    /* Emoji first: a language file may refine one for its own readers. */
    for (int i = 0; i < 2 && !rc; i++)
        rc = load_words(&e->db[i], "emoji.txt", (const char *)senti_lex_emoji,
                        senti_lex_emoji_len, 1);
    if (!rc)
        rc = load_words(&e->db[0], "fr.txt", (const char *)senti_lex_fr,
                        senti_lex_fr_len, 0);
    if (!rc)
        rc = load_rules(&e->db[0], "fr-rules.txt",
                        (const char *)senti_lex_fr_rules,
                        senti_lex_fr_rules_len);
    if (!rc)
        rc = load_words(&e->db[1], "en.txt", (const char *)senti_lex_en,
                        senti_lex_en_len, 0);
    if (!rc)
        rc = load_rules(&e->db[1], "en-rules.txt",
                        (const char *)senti_lex_en_rules,
                        senti_lex_en_rules_len);
    /* Derived entries (tools/derive_lexicon.py) come last and only add
     * words the hand-written files lack; they never override one. */
    if (!rc)
        rc = load_derived(&e->db[0], "fr-derived.txt",
                          (const char *)senti_lex_fr_derived,
                          senti_lex_fr_derived_len);
    if (!rc)
        rc = load_derived(&e->db[1], "en-derived.txt",
                          (const char *)senti_lex_en_derived,
                          senti_lex_en_derived_len);
    for (int i = 0; i < 2 && !rc; i++)
        rc = build_stems(&e->db[i]);
    if (rc)
        goto cleanup;
    e->gen = atomic_fetch_add(&engine_generation, 1);
    *out = e;
    return VG_OK;
cleanup:
    senti_close(e);
    return rc;
}

void senti_close(senti_engine *e)
{
    if (!e)
        return;
    db_free(&e->db[0]);
    db_free(&e->db[1]);
    free(e);
}

vg_err senti_lexicon_add(senti_engine *e, const char *lang,
                         const char *phrase, double valence)
{
    if (!e || !lang || !phrase || !isfinite(valence) || valence < -4.0 ||
        valence > 4.0)
        return vg_error_set(VG_EINVAL, "sentiment: entry needs a language, "
                            "a phrase and a valence in [-4, 4]");
    senti_lexdb *db;
    if (!strcmp(lang, "fr"))
        db = &e->db[0];
    else if (!strcmp(lang, "en"))
        db = &e->db[1];
    else
        return vg_error_set(VG_EINVAL, "sentiment: unknown language '%s'",
                            lang);
    size_t n = strlen(phrase);
    char key[SENTI_MAX_KEY];
    size_t kl;
    int ok;
    vg_err rc = make_key(phrase, n, 0, key, &kl, &ok);
    if (rc)
        return rc;
    if (!ok)
        return vg_error_set(VG_EINVAL, "sentiment: '%s' has no word, or more "
                            "than %d", phrase, SENTI_MAX_WORDS);
    rc = add_phrase(db, phrase, n, 0, SE_VAL | SE_USER, (float)valence, 0);
    const senti_entry *x = NULL;
    if (!rc && stemmable(key, kl))
        x = senti_db_find(db, senti_hash_more(SENTI_FNV_SEED, key, kl), key,
                          kl);
    if (x) {
        struct sb_stemmer *st = pool_take(db);
        if (!st)
            return vg_error_set(VG_ENOMEM, "sentiment: stemmer");
        uint64_t h = stem_hash(st, key, kl);
        if (h)
            rc = stem_add(db, h, kl, x->key, (float)valence, 1);
        if (h && !rc) {
            const senti_stem *fam = stem_slot(db, h);
            roots_add(db, db->keys + fam->min_key, fam->min_len);
        }
        pool_give(db, st);
    }
    e->gen = atomic_fetch_add(&engine_generation, 1);
    return rc;
}
