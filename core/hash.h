/*
 * Non-cryptographic hashing for dedup keys and hash tables.
 */
#ifndef VG_HASH_H
#define VG_HASH_H

#include <stddef.h>
#include <stdint.h>

/* 64-bit FNV-1a of n bytes. */
uint64_t vg_hash64(const void *data, size_t n);

/* Formats a 64-bit hash as 16 lowercase hex digits plus NUL. */
void vg_hash_hex(uint64_t h, char out[17]);

#endif
