/*
 * A 64-bit simhash over word shingles, to recognise the same article
 * republished by several sites or feeds (syndicated copies): copies that
 * differ by a byline, a footer or a few edited words end up within a
 * small Hamming distance, while unrelated texts land about 32 bits apart.
 * Shingles are runs of 3 consecutive word/number tokens (folded forms, so
 * case and accents do not matter): each word is hashed once with FNV-1a,
 * a shingle's hash combines its three, and all shingles weigh the same;
 * texts shorter than a shingle use their single words.
 *
 * A simhash of a 100-word article moves by 5 to 10 bits when a credit
 * line or a word changes, so its distance alone cannot find copies
 * without also finding strangers. The same shingles also give min-hashes
 * (the smallest shingle hash under each of TEXT_COPY_KEYS permutations):
 * two texts share a given one with a probability equal to their
 * shingles' Jaccard similarity, so near-copies almost always share at
 * least one, and unrelated texts almost never do. The store looks up
 * candidates by key and confirms them by simhash distance.
 */
#include "text/text.h"

#include <string.h>

#define SHINGLE 3
/* text_fingerprint_from keeps the window in three variables. */
_Static_assert(SHINGLE == 3, "shingle window is w0, w1, w2");

/* mix() without its last step. The steps h ^= h >> 33 undo themselves
 * (a 64-bit value shifted by 33 twice is 0), so mix(x) ^ (mix(x) >> 33)
 * is mix_pre(x): the min-hashes below start from it. */
static uint64_t mix_pre(uint64_t h)
{
    h ^= h >> 33;
    h *= 0xff51afd7ed558ccdULL;
    h ^= h >> 33;
    h *= 0xc4ceb9fe1a85ec53ULL;
    return h;
}

static uint64_t mix(uint64_t h)
{
    /* FNV-1a's low bits are weak for short inputs; a finaliser spreads
     * every input bit over the 64 output bits simhash votes on. */
    h = mix_pre(h);
    return h ^ (h >> 33);
}

/* Votes by bit-sliced counting: lane k of acc[j] counts bit 8k + j of
 * the hashes seen, so a hash costs 8 shift-and-adds instead of 64
 * branches (the fingerprint runs on every stored document). Lanes are
 * bytes: flushed to counts before they can overflow. */
typedef struct votes {
    uint64_t acc[8];
    uint32_t count[64];
    size_t n, pending;
} votes;

static void votes_flush(votes *v)
{
    for (int j = 0; j < 8; j++) {
        for (int k = 0; k < 8; k++)
            v->count[8 * k + j] += (uint32_t)((v->acc[j] >> (8 * k)) & 0xff);
        v->acc[j] = 0;
    }
    v->pending = 0;
}

static inline void votes_add(votes *v, uint64_t h)
{
    /* Written out: this runs at every word of every document. */
    const uint64_t lanes = 0x0101010101010101ULL;
    v->acc[0] += h & lanes;
    v->acc[1] += (h >> 1) & lanes;
    v->acc[2] += (h >> 2) & lanes;
    v->acc[3] += (h >> 3) & lanes;
    v->acc[4] += (h >> 4) & lanes;
    v->acc[5] += (h >> 5) & lanes;
    v->acc[6] += (h >> 6) & lanes;
    v->acc[7] += (h >> 7) & lanes;
    v->n++;
    if (++v->pending == 255)
        votes_flush(v);
}

/* Bit b is set when more than half the hashes had it set. */
static uint64_t votes_result(votes *v)
{
    uint64_t out = 0;

    votes_flush(v);
    for (int b = 0; b < 64; b++)
        if (2 * (size_t)v->count[b] > v->n)
            out |= 1ULL << b;
    return out;
}

static uint64_t rotl(uint64_t x, int r)
{
    return (x << r) | (x >> (64 - r));
}

/* Seeds of the min-hash permutations (any distinct odd constants): key
 * i of a shingle hash h is mix(h ^ seed i). */
#define SEED0 0x9e3779b97f4a7c15ULL
#define SEED1 0xbf58476d1ce4e5b9ULL
#define SEED2 0x94d049bb133111ebULL
#define SEED3 0xd6e8feb86659fd93ULL

static uint64_t min64(uint64_t a, uint64_t b)
{
    return a < b ? a : b;
}

/* mix(h ^ s) for h = mix(x), from p = mix_pre(x): the first step of
 * mix, (h ^ s) ^ ((h ^ s) >> 33), is p ^ s ^ (s >> 33), and s ^ (s >> 33)
 * is a constant: one xor replaces that step and the last one of h's own
 * mix. Same values, two fewer shift-xors per key. */
static uint64_t key_of(uint64_t p, uint64_t s)
{
    p ^= s ^ (s >> 33);
    p *= 0xff51afd7ed558ccdULL;
    p ^= p >> 33;
    p *= 0xc4ceb9fe1a85ec53ULL;
    p ^= p >> 33;
    return p;
}

/* Lowers each min-hash to the shingle's key under its permutation, for
 * the shingle hash mix(x) given as p = mix_pre(x); written out for the
 * four seeds, since it runs at every word. keys start at UINT64_MAX and
 * hold raw keys: the one that could be 0 is moved to 1 (0 means "no
 * key") once, at the end, which gives the same minimum as moving each. */
static inline void keys_add(uint64_t *keys, uint64_t p)
{
    _Static_assert(TEXT_COPY_KEYS == 4, "keys_add is written for 4 keys");
    keys[0] = min64(keys[0], key_of(p, SEED0));
    keys[1] = min64(keys[1], key_of(p, SEED1));
    keys[2] = min64(keys[2], key_of(p, SEED2));
    keys[3] = min64(keys[3], key_of(p, SEED3));
}

void text_fingerprint_from(const text_tokens *t, size_t first, text_fingerprint *out)
{
    votes v = {{0}, {0}, 0, 0};
    uint64_t keys[TEXT_COPY_KEYS];
    /* The last SHINGLE words' hashes, oldest first. */
    uint64_t w0 = 0, w1 = 0, w2 = 0;
    size_t nw = 0;

    memset(out, 0, sizeof *out);
    if (!t)
        return;
    for (int i = 0; i < TEXT_COPY_KEYS; i++)
        keys[i] = UINT64_MAX;
    for (size_t i = first; i < t->n; i++) {
        int k = t->v[i].kind;
        if (k != TEXT_WORD && k != TEXT_NUMBER)
            continue;
        /* Each word is hashed once; a shingle combines its words'
         * hashes, rotated by position so that word order counts. */
        w0 = w1;
        w1 = w2;
        w2 = t->v[i].hash;
        if (++nw >= SHINGLE) {
            uint64_t p = mix_pre(w0 ^ rotl(w1, 21) ^ rotl(w2, 42));
            votes_add(&v, p ^ (p >> 33)); /* the shingle's hash, mix() */
            keys_add(keys, p);
        }
    }
    if (v.n == 0) {
        /* Fewer than SHINGLE words: the words themselves, in order. */
        const uint64_t last[SHINGLE] = {w0, w1, w2};
        for (size_t i = SHINGLE - nw; i < SHINGLE; i++) {
            votes_add(&v, mix(last[i]));
            keys_add(keys, mix_pre(last[i]));
        }
        if (v.n == 0)
            return;
    }
    for (int i = 0; i < TEXT_COPY_KEYS; i++)
        out->keys[i] = keys[i] ? keys[i] : 1;
    out->simhash = votes_result(&v);
}

uint64_t text_simhash(const text_tokens *t)
{
    text_fingerprint f;

    text_fingerprint_from(t, 0, &f);
    return f.simhash;
}

int text_simhash_distance(uint64_t a, uint64_t b)
{
    return __builtin_popcountll(a ^ b);
}
