/*
 * Eight bytes at a time in a uint64_t, for the passes that read every
 * byte of a page or a text (the words of prose are mostly plain ASCII).
 * Portable C: loads and stores go through memcpy, and the per-byte tests
 * below are exact (no byte's result leaks into its neighbour).
 */
#ifndef VG_SWAR_H
#define VG_SWAR_H

#include <stdint.h>
#include <string.h>

#define VG_ONES8 0x0101010101010101ULL
#define VG_HIGHS8 0x8080808080808080ULL

/* Whether the machine stores the low byte of a number first; a constant
 * to the compiler. */
static inline int vg_little_endian(void)
{
    const uint16_t one = 1;
    unsigned char first;
    memcpy(&first, &one, 1);
    return first == 1;
}

/* p[0..7] as one number, p[0] the low byte whatever the byte order: for
 * code where a byte's position matters (where a word ends). */
static inline uint64_t vg_load8(const void *p)
{
    const unsigned char *s = p;
    uint64_t v;
    if (vg_little_endian()) {
        memcpy(&v, s, 8);
        return v;
    }
    v = 0;
    for (int b = 7; b >= 0; b--)
        v = v << 8 | s[b];
    return v;
}

/* The converse of vg_load8. */
static inline void vg_store8(void *p, uint64_t v)
{
    unsigned char *d = p;
    if (vg_little_endian()) {
        memcpy(d, &v, 8);
        return;
    }
    for (int b = 0; b < 8; b++, v >>= 8)
        d[b] = (unsigned char)v;
}

/* 0x80 in each byte of v that is zero, 0 elsewhere. */
static inline uint64_t vg_bytes_zero(uint64_t v)
{
    return ~(((v & ~VG_HIGHS8) + ~VG_HIGHS8) | v) & VG_HIGHS8;
}

/* 0x80 in each byte of w equal to c, 0 elsewhere. */
static inline uint64_t vg_bytes_eq(uint64_t w, unsigned char c)
{
    return vg_bytes_zero(w ^ VG_ONES8 * c);
}

/* 0x80 in each byte of y that is c (1..0x80) or more, for y whose bytes
 * are all below 0x80: adding 0x80 - c reaches their high bit without
 * carrying into the next byte. */
static inline uint64_t vg_bytes_at_least(uint64_t y, unsigned c)
{
    return (y + VG_ONES8 * (0x80u - c)) & VG_HIGHS8;
}

#endif
