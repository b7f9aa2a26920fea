/*
 * The fetch engine's robots.txt cache: one entry per origin
 * (scheme://host[:port], the scope RFC 9309 gives a robots.txt), holding
 * the parsed rules, the Crawl-delay and when they must be fetched again.
 * It is separate from the host table because hosts are forgotten after a
 * minute idle, while a robots.txt is good for a day: a feed polled every
 * 15 minutes must not cost a robots.txt request each time.
 */
#include "crawler/fetch_int.h"

#include "core/hash.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#define INITIAL_BUCKETS 64

vg_err robots_cache_init(robots_cache *c)
{
    memset(c, 0, sizeof(*c));
    c->buckets = calloc(INITIAL_BUCKETS, sizeof(*c->buckets));
    if (!c->buckets)
        return vg_error_set(VG_ENOMEM, "robots cache");
    c->nbuckets = INITIAL_BUCKETS;
    return VG_OK;
}

void robots_entry_reset(robots_entry *en)
{
    robots_free(en->rules);
    free(en->deny_why);
    en->rules = NULL;
    en->deny_why = NULL;
    en->crawl_delay_ms = 0;
    en->state = ROBOTS_NONE;
    en->expires_ms = 0;
}

void robots_cache_free(robots_cache *c)
{
    if (!c->buckets)
        return;
    for (size_t i = 0; i < c->nbuckets; i++) {
        robots_entry *en = c->buckets[i];
        while (en) {
            robots_entry *next = en->chain;
            robots_entry_reset(en);
            free(en->origin);
            free(en);
            en = next;
        }
    }
    free(c->buckets);
    memset(c, 0, sizeof(*c));
}

/* Doubling keeps chains short; a failed resize only costs speed. */
static void grow(robots_cache *c)
{
    size_t n = c->nbuckets * 2;
    robots_entry **b = calloc(n, sizeof(*b));
    if (!b)
        return;
    for (size_t i = 0; i < c->nbuckets; i++) {
        robots_entry *en = c->buckets[i];
        while (en) {
            robots_entry *next = en->chain;
            en->chain = b[en->hash & (n - 1)];
            b[en->hash & (n - 1)] = en;
            en = next;
        }
    }
    free(c->buckets);
    c->buckets = b;
    c->nbuckets = n;
}

/* Frees unused entries, expired ones and those expiring before
 * older_than_ms, never one being fetched (a transfer points at it). */
static void sweep(robots_cache *c, int64_t now_ms, int64_t older_than_ms)
{
    for (size_t i = 0; i < c->nbuckets; i++) {
        robots_entry **link = &c->buckets[i];
        while (*link) {
            robots_entry *en = *link;
            int drop = en->state == ROBOTS_NONE ||
                       (en->state == ROBOTS_READY &&
                        (now_ms >= en->expires_ms || en->expires_ms < older_than_ms));
            if (!drop) {
                link = &en->chain;
                continue;
            }
            *link = en->chain;
            robots_entry_reset(en);
            free(en->origin);
            free(en);
            c->count--;
        }
    }
}

robots_entry *robots_cache_get(robots_cache *c, const char *origin,
                               int64_t now_ms)
{
    uint64_t hash = vg_hash64(origin, strlen(origin));
    for (robots_entry *en = c->buckets[hash & (c->nbuckets - 1)]; en;
         en = en->chain)
        if (en->hash == hash && strcmp(en->origin, origin) == 0) {
            if (en->state == ROBOTS_READY && now_ms >= en->expires_ms)
                robots_entry_reset(en);
            return en;
        }
    if (c->count >= ROBOTS_CACHE_MAX) {
        /* Expired and unused entries first; if that frees less than
         * half, every entry not being fetched: each origin then costs
         * one more robots.txt request, once per ROBOTS_CACHE_MAX / 2 new
         * origins at worst. */
        sweep(c, now_ms, INT64_MIN);
        if (c->count > ROBOTS_CACHE_MAX / 2)
            sweep(c, now_ms, INT64_MAX);
    }
    robots_entry *en = calloc(1, sizeof(*en));
    if (!en)
        return NULL;
    en->origin = strdup(origin);
    if (!en->origin) {
        free(en);
        return NULL;
    }
    en->hash = hash;
    if (c->count + 1 > c->nbuckets)
        grow(c);
    size_t i = hash & (c->nbuckets - 1);
    en->chain = c->buckets[i];
    c->buckets[i] = en;
    c->count++;
    return en;
}
