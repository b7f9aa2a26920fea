/*
 * A 64-bit simhash over word shingles, to recognise the same article
 * republished by several sites or feeds (syndicated copies): copies that
 * differ by a byline, a footer or a few edited words end up within a
 * small Hamming distance, while unrelated texts land about 32 bits apart.
 * Shingles are runs of 3 consecutive word/number tokens (folded forms, so
 * case and accents do not matter), each hashed with FNV-1a and weighted
 * equally; texts shorter than a shingle use their single words.
 */
#include "text/text.h"

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

static uint64_t fnv_more(uint64_t h, const char *s, size_t n)
{
    for (size_t i = 0; i < n; i++) {
        h ^= (unsigned char)s[i];
        h *= 1099511628211ULL;
    }
    return h;
}

uint64_t text_simhash(const text_tokens *t)
{
    return text_simhash_from(t, 0);
}

uint64_t text_simhash_from(const text_tokens *t, size_t first)
{
    int32_t votes[64] = {0};
    size_t words[SHINGLE];
    size_t nw = 0, shingles = 0;

    if (!t)
        return 0;
    for (size_t i = first; i < t->n; i++) {
        int k = t->v[i].kind;
        if (k != TEXT_WORD && k != TEXT_NUMBER)
            continue;
        /* Slide the window. */
        if (nw == SHINGLE) {
            for (size_t j = 1; j < SHINGLE; j++)
                words[j - 1] = words[j];
            nw--;
        }
        words[nw++] = i;
        if (nw < SHINGLE)
            continue;
        uint64_t h = 1469598103934665603ULL;
        for (size_t j = 0; j < SHINGLE; j++) {
            h = fnv_more(h, text_norm(t, words[j]), t->v[words[j]].norm_len);
            h = fnv_more(h, " ", 1);
        }
        h = mix(h);
        for (int b = 0; b < 64; b++)
            votes[b] += (h >> b) & 1 ? 1 : -1;
        shingles++;
    }
    if (shingles == 0) {
        /* Fewer than SHINGLE words: the words themselves. */
        for (size_t i = first; i < t->n; i++) {
            int k = t->v[i].kind;
            if (k != TEXT_WORD && k != TEXT_NUMBER)
                continue;
            uint64_t h = mix(fnv_more(1469598103934665603ULL, text_norm(t, i),
                                      t->v[i].norm_len));
            for (int b = 0; b < 64; b++)
                votes[b] += (h >> b) & 1 ? 1 : -1;
            shingles++;
        }
        if (shingles == 0)
            return 0;
    }
    uint64_t out = 0;
    for (int b = 0; b < 64; b++)
        if (votes[b] > 0)
            out |= 1ULL << b;
    return out;
}

int text_simhash_distance(uint64_t a, uint64_t b)
{
    return __builtin_popcountll(a ^ b);
}
