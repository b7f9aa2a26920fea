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

static uint64_t mix(uint64_t h)
{
    /* FNV-1a's low bits are weak for short inputs; a finaliser spreads
     * every input bit over the 64 output bits simhash votes on. */
    h ^= h >> 33;
    h *= 0xff51afd7ed558ccdULL;
    h ^= h >> 33;
    h *= 0xc4ceb9fe1a85ec53ULL;
    h ^= h >> 33;
    return h;
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

static void votes_add(votes *v, uint64_t h)
{
    for (int j = 0; j < 8; j++)
        v->acc[j] += (h >> j) & 0x0101010101010101ULL;
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

/* Seeds of the min-hash permutations (any distinct odd constants). */
static const uint64_t key_seed[TEXT_COPY_KEYS] = {
    0x9e3779b97f4a7c15ULL, 0xbf58476d1ce4e5b9ULL, 0x94d049bb133111ebULL,
    0xd6e8feb86659fd93ULL};

static void keys_add(uint64_t *keys, uint64_t h)
{
    for (int i = 0; i < TEXT_COPY_KEYS; i++) {
        uint64_t k = mix(h ^ key_seed[i]);
        if (k == 0)
            k = 1; /* 0 means "no key" */
        if (keys[i] == 0 || k < keys[i])
            keys[i] = k;
    }
}

void text_fingerprint_from(const text_tokens *t, size_t first, text_fingerprint *out)
{
    votes v = {{0}, {0}, 0, 0};
    uint64_t w[SHINGLE];
    size_t nw = 0;

    memset(out, 0, sizeof *out);
    if (!t)
        return;
    for (size_t i = first; i < t->n; i++) {
        int k = t->v[i].kind;
        if (k != TEXT_WORD && k != TEXT_NUMBER)
            continue;
        /* Each word is hashed once; a shingle combines its words'
         * hashes, rotated by position so that word order counts. */
        uint64_t h = t->v[i].hash;
        if (nw == SHINGLE) {
            for (size_t j = 1; j < SHINGLE; j++)
                w[j - 1] = w[j];
            nw--;
        }
        w[nw++] = h;
        if (nw == SHINGLE) {
            uint64_t sh = mix(w[0] ^ rotl(w[1], 21) ^ rotl(w[2], 42));
            votes_add(&v, sh);
            keys_add(out->keys, sh);
        }
    }
    if (v.n == 0) {
        /* Fewer than SHINGLE words: the words themselves. */
        for (size_t i = 0; i < nw; i++) {
            votes_add(&v, mix(w[i]));
            keys_add(out->keys, mix(w[i]));
        }
        if (v.n == 0)
            return;
    }
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
