/*
 * The memory of one Gumbo parse, released in one go.
 *
 * Gumbo allocates every node, attribute, string and vector on its own,
 * and a page makes tens of thousands of them; most are small, and many
 * are temporaries (string buffers and vectors grow by allocating twice
 * the room, copying and freeing the old block). Through malloc each of
 * these costs a call in and a call out, and gumbo_destroy_output then
 * walks the whole tree to free it piece by piece.
 *
 * A region serves the small blocks from chunks taken from malloc and
 * frees the chunks when the parse's tree is no longer needed. A plain
 * bump allocator would hold every temporary until then and raise the
 * peak by several pages, so freed blocks are reused: each carries its
 * size class in the 8 bytes before it, and a freed block goes on its
 * class's list, where the next request of that class finds it. Classes
 * are exact multiples of 8 bytes, because Gumbo's temporaries come back
 * in the same sizes (a string buffer doubles from 10 bytes, a vector
 * from 2 pointers). Blocks above HTML_REGION_LARGE are few (long
 * texts, big child lists), and are left to malloc, which can give their
 * room back to the next one; the region keeps them on a list to free
 * those Gumbo still holds at the end.
 *
 * Every chunk and large block comes from malloc, so whoever measures
 * the heap by watching malloc (bench/bench_extract.c) sees the region
 * whole, its free lists and the unused end of its last chunk included.
 */
#include "parser/html_int.h"

#include <assert.h>
#include <stdalign.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

/* Under AddressSanitizer the bytes a region holds but has not handed
 * out (headers, free blocks, the end of a chunk, a block's slack past
 * the size asked for) are poisoned, so a read past a string of the tree
 * or into a freed block is still reported, as it would be through
 * malloc. Elsewhere these are no-ops. */
#if defined(__has_feature)
#if __has_feature(address_sanitizer)
#define HR_ASAN 1
#endif
#endif
#if defined(__SANITIZE_ADDRESS__)
#define HR_ASAN 1
#endif
#ifdef HR_ASAN
#include <sanitizer/asan_interface.h>
#define HIDE(p, n) ASAN_POISON_MEMORY_REGION((p), (n))
#define SHOW(p, n) ASAN_UNPOISON_MEMORY_REGION((p), (n))
#else
#define HIDE(p, n) ((void)(p), (void)(n))
#define SHOW(p, n) ((void)(p), (void)(n))
#endif

/* Every block's header, and the alignment of what is returned: enough
 * for Gumbo's structs (pointers, size_t, unsigned int, no long double). */
#define HR_UNIT 8u
static_assert(alignof(void *) <= HR_UNIT && alignof(size_t) <= HR_UNIT &&
                  alignof(double) <= HR_UNIT && sizeof(void *) <= HR_UNIT,
              "region blocks are aligned on 8 bytes");

/* The size class in a large block's header (small ones are 1..). */
#define HR_TAG_LARGE 0u

/* Chunks are small: the unused end of the newest one is what a region
 * wastes, and on a 20 KB page 8 KB of it would show in the peak; one
 * malloc per 4 KB is still some seventy blocks served without one. */
#define HR_CHUNK (4u * 1024)

typedef struct hr_chunk {
    struct hr_chunk *next;
} hr_chunk;

/* A large block: malloc'd on its own, listed so the region can free the
 * ones Gumbo still holds. The tag sits just before the caller's bytes,
 * where a small block's class is. */
typedef struct hr_large {
    struct hr_large *prev, *next;
    uint64_t tag;
} hr_large;
static_assert(offsetof(hr_large, tag) + sizeof(uint64_t) ==
                      sizeof(hr_large) &&
                  sizeof(hr_large) % HR_UNIT == 0,
              "a large block's tag is the word before its bytes");

void html_region_init(html_region *r)
{
    memset(r, 0, sizeof *r);
}

static void *alloc_large(html_region *r, size_t n)
{
    if (n > SIZE_MAX - sizeof(hr_large))
        return NULL;
    hr_large *b = malloc(sizeof *b + n);
    if (!b)
        return NULL;
    b->tag = HR_TAG_LARGE;
    b->prev = NULL;
    b->next = r->large;
    if (r->large)
        r->large->prev = b;
    r->large = b;
    return b + 1;
}

/* Puts the bytes [p, p + n) on the list of the class that fits them,
 * header included; n is a multiple of HR_UNIT. Smaller than a header
 * and one unit, they are lost until the region is freed. */
static void give_back(html_region *r, char *p, size_t n)
{
    size_t units = n / HR_UNIT;
    if (units < 2)
        return;
    size_t c = units - 1;
    if (c > HTML_REGION_CLASSES)
        c = HTML_REGION_CLASSES;
    uint64_t tag = c;
    SHOW(p, 2 * HR_UNIT);
    memcpy(p, &tag, sizeof tag);
    void **blk = (void **)(p + HR_UNIT);
    *blk = r->freed[c];
    r->freed[c] = blk;
    HIDE(p, 2 * HR_UNIT);
}

/* Starts a new chunk; any small block fits in one. */
static int grow(html_region *r)
{
    static_assert(HTML_REGION_LARGE + 2 * HR_UNIT <= HR_CHUNK,
                  "a chunk holds the largest small block");
    size_t size = HR_UNIT + HR_CHUNK;
    hr_chunk *c = malloc(size);
    if (!c)
        return 0;
    /* The end of the old chunk is still good for smaller requests. */
    if (r->left)
        give_back(r, r->next, r->left);
    c->next = r->chunks;
    r->chunks = c;
    r->next = (char *)c + HR_UNIT;
    r->left = size - HR_UNIT;
    HIDE(r->next, r->left);
    return 1;
}

static void *region_alloc(void *userdata, size_t n)
{
    html_region *r = userdata;
    if (n > HTML_REGION_LARGE)
        return alloc_large(r, n);
    size_t c = n ? (n + HR_UNIT - 1) / HR_UNIT : 1;
    void **blk = r->freed[c];
    if (blk) {
        SHOW(blk, sizeof *blk);
        r->freed[c] = *blk;
        HIDE(blk, c * HR_UNIT);
        SHOW(blk, n);
        return blk;
    }
    size_t need = (c + 1) * HR_UNIT;
    if (r->left < need && !grow(r))
        return NULL;
    uint64_t tag = c;
    SHOW(r->next, HR_UNIT);
    memcpy(r->next, &tag, sizeof tag);
    HIDE(r->next, HR_UNIT);
    blk = (void **)(r->next + HR_UNIT);
    SHOW(blk, n);
    r->next += need;
    r->left -= need;
    return blk;
}

static void region_free(void *userdata, void *p)
{
    html_region *r = userdata;
    if (!p)
        return;
    uint64_t c;
    SHOW((char *)p - HR_UNIT, HR_UNIT);
    memcpy(&c, (char *)p - HR_UNIT, sizeof c);
    if (c == HR_TAG_LARGE) {
        hr_large *b = (hr_large *)p - 1;
        if (b->prev)
            b->prev->next = b->next;
        else
            r->large = b->next;
        if (b->next)
            b->next->prev = b->prev;
        free(b);
        return;
    }
    HIDE((char *)p - HR_UNIT, HR_UNIT);
    void **blk = p;
    SHOW(blk, sizeof *blk);
    *blk = r->freed[c];
    r->freed[c] = blk;
    HIDE(blk, c * HR_UNIT);
}

void html_region_use(html_region *r, GumboOptions *opt)
{
    opt->allocator = region_alloc;
    opt->deallocator = region_free;
    opt->userdata = r;
}

void html_region_free(html_region *r)
{
    if (!r)
        return;
    for (hr_chunk *c = r->chunks, *next; c; c = next) {
        next = c->next;
        SHOW(c, HR_UNIT + HR_CHUNK);
        free(c);
    }
    for (hr_large *b = r->large, *next; b; b = next) {
        next = b->next;
        free(b);
    }
    html_region_init(r);
}
