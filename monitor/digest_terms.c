/*
 * Emerging terms: which words and two-word phrases a brand's mentions use
 * markedly more this period than in the weeks before. Each window's
 * snippets are tokenized (text_tokenize: folded, accents stripped), stop
 * words of French and English dropped, and the survivors counted in a
 * small open-addressing hash table; digest_emerging then ranks the terms
 * whose relative frequency rose by Dunning's log-likelihood ratio (G²),
 * which, unlike a plain ratio, does not crown a word seen twice.
 * The hash table is written here because counting strings is all we need
 * and the project's libraries offer none.
 */
#include "monitor/digest.h"

#include "core/hash.h"
#include "text/text.h"

#include <math.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* A counter never holds more distinct terms than this; past it, new
 * terms are ignored (counts of known ones still grow). */
#define MAX_TERMS ((size_t)1 << 20)

typedef struct slot {
    char *key;          /* NULL when empty */
    uint64_t hash;
    int64_t count;
} slot;

struct digest_counter {
    slot *v;
    size_t cap, used;
    int64_t words;
};

/* Our own list of function words of both languages, folded (no accents),
 * plus a few verbs too common to be news. */
static const char *const stop_words[] = {
    /* English */
    "about", "after", "again", "all", "also", "and", "any", "are", "been",
    "before", "being", "but", "can", "could", "did", "does", "doing", "down",
    "each", "few", "for", "from", "further", "had", "has", "have", "having",
    "her", "here", "hers", "him", "his", "how", "into", "its", "just", "more",
    "most", "not", "now", "off", "once", "only", "other", "our", "ours", "out",
    "over", "own", "same", "she", "should", "some", "such", "than", "that",
    "the", "their", "theirs", "them", "then", "there", "these", "they",
    "this", "those", "through", "too", "under", "until", "very", "was",
    "were", "what", "when", "where", "which", "while", "who", "whom", "why",
    "will", "with", "would", "you", "your", "yours", "yet", "one", "says",
    "said", "get", "got", "like", "new", "via", "amp", "http", "https", "www",
    /* French */
    "alors", "au", "aucun", "aussi", "autre", "aux", "avec", "avoir", "bon",
    "car", "ce", "cela", "ces", "ceux", "chaque", "ci", "comme", "comment",
    "dans", "des", "depuis", "devrait", "doit", "donc", "dos", "elle",
    "elles", "encore", "est", "etait", "etaient", "ete", "etre", "eux", "fait",
    "faire", "fois", "font", "hors", "ici", "ils", "jamais", "juste", "leur",
    "leurs", "lui", "mais", "meme", "mes", "moins", "mon", "nos", "notre",
    "nous", "ont", "ou", "par", "parce", "pas", "peu", "peut", "plus",
    "pour", "pourquoi", "quand", "que", "quel", "quelle", "quelles", "quels",
    "qui", "sans", "ses", "selon", "sera", "seront", "son", "sont", "sous",
    "sur", "tandis", "tellement", "tes", "ton", "tous", "tout", "toute",
    "toutes", "tres", "une", "uns", "vers", "voici", "voila", "vos",
    "votre", "vous", "avait", "avant", "apres", "cette", "cet", "entre",
    "lors", "dont", "ainsi", "deja", "sa", "ses", "ils", "celle", "celui",
    "chez", "contre", "afin", "selon", "etc", "non", "oui", "ni",
};

#define N_STOP (sizeof stop_words / sizeof stop_words[0])

/* The list above, sorted once for binary search: the digest looks up
 * every token of every snippet (a linear scan was the bench's hot spot). */
static const char *sorted_stop[N_STOP];
static pthread_once_t sorted_once = PTHREAD_ONCE_INIT;

static int str_cmp(const void *a, const void *b)
{
    return strcmp(*(const char *const *)a, *(const char *const *)b);
}

static void sort_stop_words(void)
{
    memcpy(sorted_stop, stop_words, sizeof stop_words);
    qsort(sorted_stop, N_STOP, sizeof sorted_stop[0], str_cmp);
}

int digest_stopword(const char *w)
{
    pthread_once(&sorted_once, sort_stop_words);
    return bsearch(&w, sorted_stop, N_STOP, sizeof sorted_stop[0], str_cmp) != NULL;
}

double digest_g2(double a, double b, double c, double d)
{
    double e1, e2, g = 0.0;

    if (c <= 0.0 || d < 0.0 || a < 0.0 || b < 0.0 || a + b <= 0.0)
        return 0.0;
    e1 = c * (a + b) / (c + d);
    e2 = d * (a + b) / (c + d);
    if (a > 0.0 && e1 > 0.0)
        g += a * log(a / e1);
    if (b > 0.0 && e2 > 0.0)
        g += b * log(b / e2);
    return 2.0 * g;
}

digest_counter *digest_counter_new(void)
{
    digest_counter *c = calloc(1, sizeof *c);

    if (c == NULL)
        return NULL;
    c->cap = 1024;
    c->v = calloc(c->cap, sizeof *c->v);
    if (c->v == NULL) {
        free(c);
        return NULL;
    }
    return c;
}

void digest_counter_free(digest_counter *c)
{
    if (c == NULL)
        return;
    for (size_t i = 0; i < c->cap; i++)
        free(c->v[i].key);
    free(c->v);
    free(c);
}

/* The slot holding key, or the empty slot where it would go. */
static slot *find(const digest_counter *c, const char *key, size_t len,
                  uint64_t h)
{
    size_t i = (size_t)h & (c->cap - 1);

    for (;;) {
        slot *s = &c->v[i];

        if (s->key == NULL ||
            (s->hash == h && strncmp(s->key, key, len) == 0 && s->key[len] == '\0'))
            return s;
        i = (i + 1) & (c->cap - 1);
    }
}

static vg_err rehash(digest_counter *c)
{
    size_t ncap = c->cap * 2;
    slot *old = c->v;
    size_t ocap = c->cap;

    c->v = calloc(ncap, sizeof *c->v);
    if (c->v == NULL) {
        c->v = old;
        return vg_error_set(VG_ENOMEM, "digest terms: out of memory");
    }
    c->cap = ncap;
    for (size_t i = 0; i < ocap; i++)
        if (old[i].key != NULL)
            *find(c, old[i].key, strlen(old[i].key), old[i].hash) = old[i];
    free(old);
    return VG_OK;
}

static vg_err bump(digest_counter *c, const char *key, size_t len)
{
    uint64_t h = vg_hash64(key, len);
    slot *s = find(c, key, len, h);
    vg_err err;

    if (s->key != NULL) {
        s->count++;
        return VG_OK;
    }
    if (c->used >= MAX_TERMS)
        return VG_OK;
    if ((c->used + 1) * 4 > c->cap * 3) { /* keep the load under 3/4 */
        if ((err = rehash(c)) != VG_OK)
            return err;
        s = find(c, key, len, h);
    }
    s->key = malloc(len + 1);
    if (s->key == NULL)
        return vg_error_set(VG_ENOMEM, "digest terms: out of memory");
    memcpy(s->key, key, len);
    s->key[len] = '\0';
    s->hash = h;
    s->count = 1;
    c->used++;
    return VG_OK;
}

static int excluded(const char *w, const char *const *exclude)
{
    for (size_t i = 0; exclude != NULL && exclude[i] != NULL; i++)
        if (strcmp(w, exclude[i]) == 0)
            return 1;
    return 0;
}

vg_err digest_counter_add(digest_counter *c, const char *text, size_t len,
                          const char *const *exclude)
{
    text_tokens *t = NULL;
    vg_err err;
    const char *prev = NULL;
    uint32_t prev_sent = 0;
    size_t prev_i = 0;
    char pair[2 * DIGEST_TERM_MAX_BYTES];

    err = text_tokenize(text, len, &t);
    if (err != VG_OK)
        return err;
    for (size_t i = 0; i < t->n; i++) {
        const text_token *k = &t->v[i];
        const char *w = text_norm(t, i);
        int keep = (k->kind == TEXT_WORD || k->kind == TEXT_HASHTAG) &&
                   k->norm_len >= 3 && k->norm_len < DIGEST_TERM_MAX_BYTES / 2 &&
                   !digest_stopword(w) && !excluded(w, exclude);

        if (!keep) {
            /* A dropped word breaks a phrase: "panne de réseau" gives
             * no "panne réseau". */
            prev = NULL;
            continue;
        }
        c->words++;
        if ((err = bump(c, w, k->norm_len)) != VG_OK)
            goto cleanup;
        if (prev != NULL && prev_sent == k->sentence && prev_i + 1 == i) {
            size_t pl = strlen(prev);
            memcpy(pair, prev, pl);
            pair[pl] = ' ';
            memcpy(pair + pl + 1, w, k->norm_len);
            if ((err = bump(c, pair, pl + 1 + k->norm_len)) != VG_OK)
                goto cleanup;
        }
        prev = w;
        prev_sent = k->sentence;
        prev_i = i;
    }

cleanup:
    text_tokens_free(t);
    return err;
}

int64_t digest_counter_words(const digest_counter *c)
{
    return c != NULL ? c->words : 0;
}

static int64_t count_of(const digest_counter *c, const char *key)
{
    const slot *s;

    if (c == NULL || c->used == 0)
        return 0;
    s = find(c, key, strlen(key), vg_hash64(key, strlen(key)));
    return s->key != NULL ? s->count : 0;
}

static int term_cmp(const digest_term *x, const digest_term *y)
{
    if (x->g2 != y->g2)
        return x->g2 > y->g2 ? -1 : 1;
    if (x->count != y->count)
        return x->count > y->count ? -1 : 1;
    return strcmp(x->term, y->term);
}

size_t digest_emerging(const digest_counter *cur, const digest_counter *ref,
                       int64_t min_count, digest_term *out, size_t cap)
{
    size_t n = 0;
    double c, d;

    if (cur == NULL || cap == 0 || cur->words == 0)
        return 0;
    c = (double)cur->words;
    d = (double)digest_counter_words(ref);
    for (size_t i = 0; i < cur->cap; i++) {
        const slot *s = &cur->v[i];
        digest_term t;
        int64_t b;

        if (s->key == NULL || s->count < min_count)
            continue;
        b = count_of(ref, s->key);
        /* Only rises: the share this period must beat the reference's. */
        if (d > 0.0 && (double)s->count / c <= (double)b / d)
            continue;
        memset(&t, 0, sizeof t);
        snprintf(t.term, sizeof t.term, "%s", s->key);
        t.count = s->count;
        t.ref_count = b;
        t.g2 = digest_g2((double)s->count, (double)b, c, d);
        if (t.g2 <= 0.0)
            continue;
        /* Insertion into the bounded, sorted output. */
        if (n == cap && term_cmp(&t, &out[n - 1]) >= 0)
            continue;
        size_t j = n < cap ? n++ : cap - 1;
        while (j > 0 && term_cmp(&t, &out[j - 1]) < 0) {
            out[j] = out[j - 1];
            j--;
        }
        out[j] = t;
    }
    return n;
}
