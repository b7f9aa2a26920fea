/*
 * The cross-brand index (matcher.h). For each query we pick a set of
 * "trigger" leaves such that the query cannot match unless one of them
 * does: a positive leaf triggers itself, an OR needs a trigger from both
 * sides, an AND or NEAR needs one from either side (we take the cheaper),
 * and anything under NOT gives no guarantee. A query left without such a
 * set (NOT x alone, site:x alone) is evaluated on every document.
 *
 * A trigger leaf is indexed by one of its atoms (of a phrase, the word
 * the fewest queries use: rarer words make fewer false candidates; an
 * AND keeps the side whose words are rarer) in one open-
 * addressing table keyed by (field, prefix?, folded form). At match time
 * each token is hashed once with FNV-1a; because FNV is incremental, the
 * hash of every prefix falls out of the same loop, and the table is
 * probed only at the prefix lengths some wildcard uses. Matching then
 * collects the hit table entries, expands their posting lists into query
 * indices, and evaluates just those queries with query_match_doc, so the
 * answer is by construction the same as looping over every query.
 */
#include "monitor/matcher.h"
#include "monitor/query_int.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#define FNV_OFFSET 1469598103934665603ULL
#define FNV_PRIME 1099511628211ULL

/* Field tags: which token stream a table key is looked up from. */
enum { TAG_BODY = 0, TAG_TITLE = 1, TAG_AUTHOR = 2, N_TAGS = 3 };

typedef struct entry {
    uint64_t hash;      /* 0 marks an empty slot (real hashes are |1) */
    uint32_t key;       /* offset of the key bytes in matcher.keys */
    uint32_t key_len;
    uint32_t post;      /* first posting in matcher.posts */
    uint32_t n_post;
    uint8_t tag;
    uint8_t prefix;
} entry;

struct matcher {
    entry *tab;
    size_t cap;          /* power of two */
    uint64_t *filter;    /* one bit per key hash, ~16 bits per key: most
                            document tokens are turned away here, in a
                            bitmap small enough to stay in cache, before
                            touching the table */
    size_t filter_mask;  /* bits - 1 */
    char *keys;
    size_t keys_len;
    uint32_t *posts;     /* query indices, grouped by entry */
    size_t n_posts;
    size_t *plens;       /* distinct wildcard prefix lengths, ascending */
    size_t n_plens;
    size_t *always;      /* queries evaluated on every document */
    size_t n_always;
    int has_field[N_TAGS];
    const query **q;     /* copy of the caller's array; queries borrowed */
    size_t n_q;
};

/* A set of trigger leaves (term indices), or "top": no guarantee. */
typedef struct tset {
    size_t *v;
    size_t n;
    int top;
    unsigned cost;
} tset;

static uint64_t key_hash(uint64_t fnv, unsigned tag, int prefix)
{
    uint64_t h = fnv ^ ((uint64_t)(tag * 2u + (unsigned)prefix + 1) *
                        0x9e3779b97f4a7c15ULL);
    h ^= h >> 29;
    h *= 0xbf58476d1ce4e5b9ULL;
    h ^= h >> 32;
    return h | 1;
}

static uint64_t fnv(const char *s, size_t n)
{
    uint64_t h = FNV_OFFSET;
    for (size_t i = 0; i < n; i++) {
        h ^= (unsigned char)s[i];
        h *= FNV_PRIME;
    }
    return h;
}

static int term_tag(const query_term *t)
{
    if (t->n_atoms == 0)
        return -1;
    switch (t->field) {
    case QUERY_FIELD_BODY: return TAG_BODY;
    case QUERY_FIELD_TITLE: return TAG_TITLE;
    case QUERY_FIELD_AUTHOR: return TAG_AUTHOR;
    default: return -1;
    }
}

/* How often each folded word occurs among all the indexed queries' atoms:
 * a word many queries use ("mobile", "service") is likely frequent in
 * documents too, so it makes a poor trigger. Sorted, for bsearch. */
typedef struct word {
    const char *s;
    size_t len;
} word;

typedef struct freqs {
    word *v;
    size_t n;
} freqs;

static int cmp_word(const void *x, const void *y)
{
    const word *a = x, *b = y;
    size_t n = a->len < b->len ? a->len : b->len;
    int c = memcmp(a->s, b->s, n);
    if (c != 0)
        return c;
    return a->len < b->len ? -1 : a->len > b->len;
}

static size_t word_freq(const freqs *f, const char *s, size_t len)
{
    word key = {s, len};
    size_t lo = 0, hi = f->n;
    while (lo < hi) {   /* first element >= key */
        size_t mid = lo + (hi - lo) / 2;
        if (cmp_word(&f->v[mid], &key) < 0)
            lo = mid + 1;
        else
            hi = mid;
    }
    size_t n = 0;
    while (lo + n < f->n && cmp_word(&f->v[lo + n], &key) == 0)
        n++;
    return n;
}

/* The cost of triggering on atom a: its frequency among the queries,
 * much more for a wildcard, above all a short one ("co*"). */
static unsigned atom_cost(const freqs *f, const query_atom *a)
{
    size_t c = word_freq(f, a->norm, a->norm_len) + 1;
    if (a->prefix)
        c = c * 4 + (a->norm_len < 4 ? 64 : 8);
    return c > 1000000 ? 1000000u : (unsigned)c;
}

/* The atom a leaf is indexed by: the cheapest; ties go to the first. */
static const query_atom *pick_atom(const freqs *f, const query_term *t)
{
    const query_atom *best = NULL;
    unsigned best_cost = 0;
    for (size_t k = 0; k < t->n_atoms; k++) {
        const query_atom *a = &t->atoms[k];
        if (a->norm_len == 0)
            continue;
        unsigned c = atom_cost(f, a);
        if (!best || c < best_cost) {
            best = a;
            best_cost = c;
        }
    }
    return best;
}

static unsigned term_cost(const freqs *f, const query_term *t)
{
    const query_atom *a = pick_atom(f, t);
    return a ? atom_cost(f, a) : 0;
}

static void tset_free(tset *s)
{
    free(s->v);
    s->v = NULL;
    s->n = 0;
}

static tset top_set(void)
{
    tset s = {NULL, 0, 1, 0};
    return s;
}

/* The trigger set of node n; VG_ENOMEM sets *err and returns top. */
static tset need(const freqs *f, const query *q, int n, vg_err *err)
{
    const qnode *x = &q->nodes[n];
    switch (x->kind) {
    case QN_TERM: {
        const query_term *t = &q->terms[x->term];
        if (term_tag(t) < 0 || !pick_atom(f, t))
            return top_set();
        tset s = {malloc(sizeof(size_t)), 1, 0, term_cost(f, t)};
        if (!s.v) {
            *err = VG_ENOMEM;
            return top_set();
        }
        s.v[0] = x->term;
        return s;
    }
    case QN_NOT:
        return top_set();
    case QN_AND:
    case QN_NEAR: {
        tset a = need(f, q, x->a, err);
        tset b = need(f, q, x->b, err);
        if (a.top || (!b.top && b.cost < a.cost)) {
            tset_free(&a);
            return b;
        }
        tset_free(&b);
        return a;
    }
    case QN_OR: {
        tset a = need(f, q, x->a, err);
        tset b = need(f, q, x->b, err);
        if (a.top || b.top) {
            tset_free(&a);
            tset_free(&b);
            return top_set();
        }
        size_t *v = realloc(a.v, (a.n + b.n) * sizeof *v);
        if (!v) {
            *err = VG_ENOMEM;
            tset_free(&a);
            tset_free(&b);
            return top_set();
        }
        memcpy(v + a.n, b.v, b.n * sizeof *v);
        a.v = v;
        a.n += b.n;
        a.cost += b.cost;
        tset_free(&b);
        return a;
    }
    }
    return top_set();
}

/* Build-time key list before the table is laid out. */
typedef struct pending {
    const char *s;
    size_t len;
    uint8_t tag, prefix;
    uint32_t query;
} pending;

static int cmp_pending(const void *x, const void *y)
{
    const pending *a = x, *b = y;
    if (a->tag != b->tag)
        return a->tag < b->tag ? -1 : 1;
    if (a->prefix != b->prefix)
        return a->prefix < b->prefix ? -1 : 1;
    if (a->len != b->len)
        return a->len < b->len ? -1 : 1;
    int c = memcmp(a->s, b->s, a->len);
    if (c != 0)
        return c;
    if (a->query != b->query)
        return a->query < b->query ? -1 : 1;
    return 0;
}

static int same_key(const pending *a, const pending *b)
{
    return a->tag == b->tag && a->prefix == b->prefix && a->len == b->len &&
           memcmp(a->s, b->s, a->len) == 0;
}

static int cmp_size(const void *x, const void *y)
{
    size_t a = *(const size_t *)x, b = *(const size_t *)y;
    return a < b ? -1 : a > b;
}

static size_t filter_bit(const matcher *m, uint64_t h)
{
    return (size_t)(h >> 32) & m->filter_mask;
}

static const entry *lookup(const matcher *m, uint64_t h, const char *s,
                           size_t len, unsigned tag, int prefix)
{
    size_t bit = filter_bit(m, h);
    if (!(m->filter[bit / 64] >> (bit % 64) & 1))
        return NULL;
    size_t mask = m->cap - 1;
    for (size_t i = (size_t)h & mask;; i = (i + 1) & mask) {
        const entry *e = &m->tab[i];
        if (e->hash == 0)
            return NULL;
        if (e->hash == h && e->key_len == len && e->tag == tag &&
            e->prefix == prefix && memcmp(m->keys + e->key, s, len) == 0)
            return e;
    }
}

vg_err matcher_new(const query *const *queries, size_t n, matcher **out)
{
    vg_err rc = VG_OK;
    matcher *m = NULL;
    pending *pend = NULL;
    size_t n_pend = 0, cap_pend = 0;
    freqs f = {NULL, 0};

    if (!out || (!queries && n > 0))
        return vg_error_set(VG_EINVAL, "matcher_new: NULL argument");
    *out = NULL;
    if (n > UINT32_MAX)
        return vg_error_set(VG_ETOOBIG, "too many queries");
    m = calloc(1, sizeof *m);
    if (!m)
        return vg_error_set(VG_ENOMEM, "out of memory");
    m->n_q = n;
    if (n > 0) {
        m->always = malloc(n * sizeof *m->always);
        m->q = malloc(n * sizeof *m->q);
        if (!m->always || !m->q)
            goto nomem;
        memcpy(m->q, queries, n * sizeof *m->q);
    }

    size_t n_words = 0;
    for (size_t i = 0; i < n; i++)
        for (size_t k = 0; queries[i] && k < queries[i]->n_terms; k++)
            n_words += queries[i]->terms[k].n_atoms;
    f.v = malloc((n_words ? n_words : 1) * sizeof *f.v);
    if (!f.v)
        goto nomem;
    for (size_t i = 0; i < n; i++)
        for (size_t k = 0; queries[i] && k < queries[i]->n_terms; k++)
            for (size_t j = 0; j < queries[i]->terms[k].n_atoms; j++) {
                const query_atom *a = &queries[i]->terms[k].atoms[j];
                f.v[f.n].s = a->norm;
                f.v[f.n].len = a->norm_len;
                f.n++;
            }
    qsort(f.v, f.n, sizeof *f.v, cmp_word);

    for (size_t i = 0; i < n; i++) {
        const query *q = queries[i];
        if (!q)
            continue;
        vg_err e = VG_OK;
        tset s = need(&f, q, q->root, &e);
        if (e != VG_OK) {
            tset_free(&s);
            goto nomem;
        }
        if (s.top) {
            m->always[m->n_always++] = i;
            continue;
        }
        for (size_t k = 0; k < s.n; k++) {
            const query_term *t = &q->terms[s.v[k]];
            const query_atom *a = pick_atom(&f, t);
            if (n_pend == cap_pend) {
                size_t c = cap_pend ? cap_pend * 2 : 64;
                pending *p = realloc(pend, c * sizeof *p);
                if (!p) {
                    tset_free(&s);
                    goto nomem;
                }
                pend = p;
                cap_pend = c;
            }
            pend[n_pend].s = a->norm;
            pend[n_pend].len = a->norm_len;
            pend[n_pend].tag = (uint8_t)term_tag(t);
            pend[n_pend].prefix = (uint8_t)(a->prefix != 0);
            pend[n_pend].query = (uint32_t)i;
            n_pend++;
        }
        tset_free(&s);
    }

    if (n_pend > 0)
        qsort(pend, n_pend, sizeof *pend, cmp_pending);
    size_t n_keys = 0, key_bytes = 0;
    for (size_t i = 0; i < n_pend; i++)
        if (i == 0 || !same_key(&pend[i - 1], &pend[i])) {
            n_keys++;
            key_bytes += pend[i].len;
        }
    m->cap = 16;
    while (m->cap < n_keys * 2)
        m->cap *= 2;
    m->tab = calloc(m->cap, sizeof *m->tab);
    size_t bits = 4096;
    while (bits < n_keys * 16)
        bits *= 2;
    m->filter_mask = bits - 1;
    m->filter = calloc(bits / 64, sizeof *m->filter);
    m->keys = malloc(key_bytes + 1);
    m->posts = malloc((n_pend ? n_pend : 1) * sizeof *m->posts);
    m->plens = malloc((n_keys ? n_keys : 1) * sizeof *m->plens);
    if (!m->tab || !m->filter || !m->keys || !m->posts || !m->plens)
        goto nomem;

    entry *cur = NULL;
    for (size_t i = 0; i < n_pend; i++) {
        const pending *p = &pend[i];
        if (i > 0 && same_key(&pend[i - 1], p)) {
            if (pend[i - 1].query != p->query) {
                m->posts[m->n_posts++] = p->query;
                cur->n_post++;
            }
            continue;
        }
        uint64_t h = key_hash(fnv(p->s, p->len), p->tag, p->prefix);
        size_t mask = m->cap - 1, slot = (size_t)h & mask;
        while (m->tab[slot].hash != 0)
            slot = (slot + 1) & mask;
        cur = &m->tab[slot];
        size_t bit = filter_bit(m, h);
        m->filter[bit / 64] |= 1ULL << (bit % 64);
        cur->hash = h;
        cur->key = (uint32_t)m->keys_len;
        cur->key_len = (uint32_t)p->len;
        cur->tag = p->tag;
        cur->prefix = p->prefix;
        cur->post = (uint32_t)m->n_posts;
        cur->n_post = 1;
        memcpy(m->keys + m->keys_len, p->s, p->len);
        m->keys_len += p->len;
        m->posts[m->n_posts++] = p->query;
        m->has_field[p->tag] = 1;
        if (p->prefix)
            m->plens[m->n_plens++] = p->len;
    }
    if (m->n_plens > 0) {
        qsort(m->plens, m->n_plens, sizeof *m->plens, cmp_size);
        size_t w = 0;
        for (size_t i = 0; i < m->n_plens; i++)
            if (w == 0 || m->plens[w - 1] != m->plens[i])
                m->plens[w++] = m->plens[i];
        m->n_plens = w;
    }
    free(pend);
    free(f.v);
    *out = m;
    return VG_OK;
nomem:
    rc = vg_error_set(VG_ENOMEM, "out of memory");
    free(pend);
    free(f.v);
    matcher_free(m);
    return rc;
}

void matcher_free(matcher *m)
{
    if (!m)
        return;
    free(m->tab);
    free(m->filter);
    free(m->keys);
    free(m->posts);
    free(m->plens);
    free(m->always);
    free(m->q);
    free(m);
}

size_t matcher_always_count(const matcher *m)
{
    return m ? m->n_always : 0;
}

/* A growable array of indices with a sticky allocation failure. */
typedef struct ivec {
    size_t *v;
    size_t n, cap;
    int oom;
} ivec;

static void ivec_push(ivec *a, size_t x)
{
    if (a->oom)
        return;
    if (a->n == a->cap) {
        size_t c = a->cap ? a->cap * 2 : 32;
        size_t *v = realloc(a->v, c * sizeof *v);
        if (!v) {
            a->oom = 1;
            return;
        }
        a->v = v;
        a->cap = c;
    }
    a->v[a->n++] = x;
}

static void ivec_sort_unique(ivec *a)
{
    if (a->n < 2)
        return;
    qsort(a->v, a->n, sizeof *a->v, cmp_size);
    size_t w = 1;
    for (size_t i = 1; i < a->n; i++)
        if (a->v[i] != a->v[w - 1])
            a->v[w++] = a->v[i];
    a->n = w;
}

/* Looks every non-punctuation token of t up; pushes table slots hit. */
static void scan(const matcher *m, const text_tokens *t, unsigned tag,
                 ivec *slots)
{
    for (size_t i = 0; t && i < t->n; i++) {
        const text_token *x = &t->v[i];
        if (x->kind == TEXT_PUNCT)
            continue;
        const char *s = text_norm(t, i);
        size_t len = x->norm_len;
        uint64_t h = x->hash;
        size_t pl = 0;
        if (m->n_plens)
            h = FNV_OFFSET;
        for (size_t b = 0; m->n_plens && b < len; b++) {
            h ^= (unsigned char)s[b];
            h *= FNV_PRIME;
            while (pl < m->n_plens && m->plens[pl] < b + 1)
                pl++;
            if (pl < m->n_plens && m->plens[pl] == b + 1) {
                const entry *e = lookup(m, key_hash(h, tag, 1), s, b + 1,
                                        tag, 1);
                if (e)
                    ivec_push(slots, (size_t)(e - m->tab));
            }
        }
        const entry *e = lookup(m, key_hash(h, tag, 0), s, len, tag, 0);
        if (e)
            ivec_push(slots, (size_t)(e - m->tab));
    }
}

vg_err matcher_candidates(const matcher *m, const query_doc *d,
                          size_t **out, size_t *n)
{
    ivec slots = {0}, cand = {0};
    text_tokens *tt = NULL, *ta = NULL;
    vg_err rc = VG_OK;

    if (out)
        *out = NULL;
    if (n)
        *n = 0;
    if (!m || !d || !out || !n)
        return vg_error_set(VG_EINVAL, "matcher_candidates: NULL argument");
    if (m->n_posts > 0) {
        if (m->has_field[TAG_BODY])
            scan(m, d->tokens, TAG_BODY, &slots);
        if (m->has_field[TAG_TITLE] && d->title) {
            rc = text_tokenize(d->title, strlen(d->title), &tt);
            if (rc != VG_OK)
                goto cleanup;
            scan(m, tt, TAG_TITLE, &slots);
        }
        if (m->has_field[TAG_AUTHOR] && d->author) {
            rc = text_tokenize(d->author, strlen(d->author), &ta);
            if (rc != VG_OK)
                goto cleanup;
            scan(m, ta, TAG_AUTHOR, &slots);
        }
        ivec_sort_unique(&slots);
        for (size_t i = 0; i < slots.n; i++) {
            const entry *e = &m->tab[slots.v[i]];
            for (uint32_t k = 0; k < e->n_post; k++)
                ivec_push(&cand, m->posts[e->post + k]);
        }
    }
    for (size_t i = 0; i < m->n_always; i++)
        ivec_push(&cand, m->always[i]);
    if (slots.oom || cand.oom) {
        rc = vg_error_set(VG_ENOMEM, "out of memory");
        goto cleanup;
    }
    ivec_sort_unique(&cand);
    *out = cand.n ? cand.v : NULL;
    *n = cand.n;
    if (cand.n)
        cand.v = NULL;
cleanup:
    free(slots.v);
    free(cand.v);
    text_tokens_free(tt);
    text_tokens_free(ta);
    return rc;
}

vg_err matcher_match_doc(const matcher *m, const query_doc *d,
                         matcher_hit **hits, size_t *n)
{
    size_t *cand = NULL, n_cand = 0;
    matcher_hit *res = NULL;
    size_t n_res = 0;

    if (hits)
        *hits = NULL;
    if (n)
        *n = 0;
    if (!m || !d || !hits || !n)
        return vg_error_set(VG_EINVAL, "matcher_match_doc: NULL argument");
    vg_err rc = matcher_candidates(m, d, &cand, &n_cand);
    if (rc != VG_OK)
        return rc;
    /* The candidates all scan the same body: its list of non-PUNCT
     * tokens is made once here rather than once per brand. */
    query_doc dd = *d;
    size_t *pos = NULL;
    if (n_cand > 1 && d->tokens && d->tokens->n > 0 && !d->body_pos) {
        pos = malloc(d->tokens->n * sizeof *pos);
        if (pos) {
            size_t np = 0;
            for (size_t i = 0; i < d->tokens->n; i++)
                if (d->tokens->v[i].kind != TEXT_PUNCT)
                    pos[np++] = i;
            dd.body_pos = pos;
            dd.body_npos = np;
        }
    }
    for (size_t i = 0; i < n_cand; i++) {
        size_t first = 0;
        int r = query_match_doc(m->q[cand[i]], &dd, &first);
        if (r < 0) {
            rc = (vg_err)r;
            goto cleanup;
        }
        if (r == 0)
            continue;
        if (!res) {
            res = malloc((n_cand - i) * sizeof *res);
            if (!res) {
                rc = vg_error_set(VG_ENOMEM, "out of memory");
                goto cleanup;
            }
        }
        res[n_res].query = cand[i];
        res[n_res].first_tok = first;
        n_res++;
    }
    *hits = res;
    *n = n_res;
    res = NULL;
cleanup:
    free(pos);
    free(res);
    free(cand);
    return rc;
}
