/*
 * The fetch engine's host table: a chained hash table of every host the
 * engine has talked to recently, plus the two lists politeness needs. The
 * round-robin ring holds only hosts with requests waiting, so a pass over
 * it costs what is pending, not what was ever seen; the idle list is kept
 * in the order hosts went idle, so forgetting old ones never scans.
 */
#include "crawler/fetch_int.h"

#include "core/hash.h"

#include <stdlib.h>
#include <string.h>

#define INITIAL_BUCKETS 64

vg_err host_table_init(host_table *t)
{
    memset(t, 0, sizeof(*t));
    t->buckets = calloc(INITIAL_BUCKETS, sizeof(*t->buckets));
    if (!t->buckets)
        return vg_error_set(VG_ENOMEM, "host table");
    t->nbuckets = INITIAL_BUCKETS;
    return VG_OK;
}

void host_table_free(host_table *t)
{
    if (!t->buckets)
        return;
    for (size_t i = 0; i < t->nbuckets; i++) {
        fetch_host *h = t->buckets[i];
        while (h) {
            fetch_host *next = h->chain;
            free(h->name);
            free(h);
            h = next;
        }
    }
    free(t->buckets);
    memset(t, 0, sizeof(*t));
}

fetch_host *host_table_find(host_table *t, const char *name)
{
    uint64_t hash = vg_hash64(name, strlen(name));
    for (fetch_host *h = t->buckets[hash & (t->nbuckets - 1)]; h; h = h->chain)
        if (h->hash == hash && strcmp(h->name, name) == 0)
            return h;
    return NULL;
}

/* Doubling keeps chains short; a failed resize only costs speed. */
static void grow(host_table *t)
{
    size_t n = t->nbuckets * 2;
    fetch_host **b = calloc(n, sizeof(*b));
    if (!b)
        return;
    for (size_t i = 0; i < t->nbuckets; i++) {
        fetch_host *h = t->buckets[i];
        while (h) {
            fetch_host *next = h->chain;
            h->chain = b[h->hash & (n - 1)];
            b[h->hash & (n - 1)] = h;
            h = next;
        }
    }
    free(t->buckets);
    t->buckets = b;
    t->nbuckets = n;
}

static void idle_append(host_table *t, fetch_host *h)
{
    h->next = NULL;
    h->prev = t->idle_tail;
    if (t->idle_tail)
        t->idle_tail->next = h;
    else
        t->idle_head = h;
    t->idle_tail = h;
}

static void idle_unlink(host_table *t, fetch_host *h)
{
    if (h->prev)
        h->prev->next = h->next;
    else
        t->idle_head = h->next;
    if (h->next)
        h->next->prev = h->prev;
    else
        t->idle_tail = h->prev;
    h->prev = h->next = NULL;
}

/* A new host joins just before the ring's current turn, i.e. it goes last
 * in the round that is under way. */
static void ring_insert(host_table *t, fetch_host *h)
{
    if (!t->ring) {
        h->prev = h->next = h;
        t->ring = h;
        return;
    }
    fetch_host *turn = t->ring;
    h->next = turn;
    h->prev = turn->prev;
    turn->prev->next = h;
    turn->prev = h;
}

static void ring_unlink(host_table *t, fetch_host *h)
{
    if (h->next == h) {
        t->ring = NULL;
    } else {
        h->prev->next = h->next;
        h->next->prev = h->prev;
        if (t->ring == h)
            t->ring = h->next;
    }
    h->prev = h->next = NULL;
}

fetch_host *host_table_get(host_table *t, const char *name, int64_t now_ms)
{
    fetch_host *h = host_table_find(t, name);
    if (h)
        return h;
    h = calloc(1, sizeof(*h));
    if (!h)
        return NULL;
    h->name = strdup(name);
    if (!h->name) {
        free(h);
        return NULL;
    }
    h->hash = vg_hash64(name, strlen(name));
    h->last_start_ms = INT64_MIN;
    h->state = HOST_IDLE;
    h->idle_since_ms = now_ms;
    idle_append(t, h);
    if (t->count + 1 > t->nbuckets)
        grow(t);
    size_t i = h->hash & (t->nbuckets - 1);
    h->chain = t->buckets[i];
    t->buckets[i] = h;
    t->count++;
    return h;
}

void host_set_state(host_table *t, fetch_host *h, host_state s, int64_t now_ms)
{
    if (h->state == s)
        return;
    if (h->state == HOST_ACTIVE) {
        ring_unlink(t, h);
        t->nactive--;
    } else if (h->state == HOST_IDLE)
        idle_unlink(t, h);
    h->state = s;
    if (s == HOST_ACTIVE) {
        ring_insert(t, h);
        t->nactive++;
    } else if (s == HOST_IDLE) {
        h->idle_since_ms = now_ms;
        idle_append(t, h);
    }
}

void host_ring_pass(host_table *t, fetch_host *h)
{
    if (h->state == HOST_ACTIVE)
        t->ring = h->next;
}

static void table_remove(host_table *t, fetch_host *h)
{
    fetch_host **p = &t->buckets[h->hash & (t->nbuckets - 1)];
    while (*p && *p != h)
        p = &(*p)->chain;
    if (*p)
        *p = h->chain;
    t->count--;
}

size_t host_table_expire(host_table *t, int64_t now_ms, int64_t idle_ms)
{
    size_t n = 0;
    while (t->idle_head && now_ms - t->idle_head->idle_since_ms >= idle_ms) {
        fetch_host *h = t->idle_head;
        idle_unlink(t, h);
        table_remove(t, h);
        free(h->name);
        free(h);
        n++;
    }
    return n;
}
