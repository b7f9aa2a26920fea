/*
 * FNV-1a: tiny, dependency-free and good enough for content fingerprints;
 * anything security-relevant uses OpenSSL instead.
 */
#include "core/hash.h"

#include <stdio.h>

uint64_t vg_hash64(const void *data, size_t n)
{
    const unsigned char *p = data;
    uint64_t h = 0xcbf29ce484222325ULL;
    for (size_t i = 0; i < n; i++) {
        h ^= p[i];
        h *= 0x100000001b3ULL;
    }
    return h;
}

void vg_hash_hex(uint64_t h, char out[17])
{
    snprintf(out, 17, "%016llx", (unsigned long long)h);
}
