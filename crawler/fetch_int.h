/*
 * Internals of the fetch engine, shared by crawler/fetch.c (the curl multi
 * loop) and crawler/host.c (the per-host table and the round-robin ring
 * that politeness is built on). Nothing outside crawler/ and its unit tests
 * includes this file.
 *
 * A host is always in exactly one state: ACTIVE (requests waiting, linked
 * into the round-robin ring), BUSY (nothing waiting but transfers in
 * flight, in no list) or IDLE (nothing at all, linked into the idle list in
 * the order hosts went idle, so the oldest are forgotten first in O(1)).
 */
#ifndef VG_FETCH_INT_H
#define VG_FETCH_INT_H

#include "crawler/fetch.h"
#include "crawler/robots.h"
#include "core/buf.h"

#include <curl/curl.h>
#include <stdint.h>

typedef struct fetch_xfer fetch_xfer;

typedef enum host_state { HOST_ACTIVE, HOST_BUSY, HOST_IDLE } host_state;

typedef struct fetch_host {
    char *name;                 /* lower-case host, the table key */
    uint64_t hash;
    struct fetch_host *chain;   /* next in the same table bucket */
    struct fetch_host *prev;    /* ring (ACTIVE) or idle list (IDLE) */
    struct fetch_host *next;
    host_state state;
    fetch_xfer *queue_head;     /* waiting requests, FIFO */
    fetch_xfer *queue_tail;
    int queued;
    int in_flight;
    int64_t last_start_ms;      /* monotonic; INT64_MIN before the first */
    int64_t idle_since_ms;
    int crawl_delay_ms;         /* from robots.txt, capped; 0 when none */
} fetch_host;

/* What is known of one origin's robots.txt (scheme://host[:port]). */
typedef enum robots_state { ROBOTS_NONE, ROBOTS_FETCHING, ROBOTS_READY } robots_state;

typedef struct robots_entry {
    char *origin;               /* the cache key */
    uint64_t hash;
    struct robots_entry *chain;
    robots_state state;
    robots *rules;              /* NULL: everything allowed (or deny_all) */
    char *deny_why;             /* non-NULL: everything refused, and why */
    int crawl_delay_ms;         /* capped; 0 when none */
    int64_t expires_ms;         /* monotonic; READY until then */
} robots_entry;

/* Origins kept at most. Full-text mode follows links to any site, so
 * the set of origins seen grows for as long as vigie runs; a parsed
 * robots.txt is a few KB, and this many stay well under the memory a
 * crawl may use while covering every source host of a large install. */
#define ROBOTS_CACHE_MAX 16384

typedef struct robots_cache {
    robots_entry **buckets;
    size_t nbuckets;            /* a power of two */
    size_t count;
} robots_cache;

/* Initialises an empty cache. VG_ENOMEM. */
vg_err robots_cache_init(robots_cache *c);

/* Frees every entry. */
void robots_cache_free(robots_cache *c);

/* The entry for origin, created in state ROBOTS_NONE when missing. NULL on
 * allocation failure. Expired READY entries come back as ROBOTS_NONE.
 * Creating one in a full cache (ROBOTS_CACHE_MAX) first frees unused and
 * expired entries, then, if that freed less than half, every entry not
 * being fetched: pointers to other entries do not survive this call. */
robots_entry *robots_cache_get(robots_cache *c, const char *origin,
                               int64_t now_ms);

/* Drops what an entry learnt, back to ROBOTS_NONE. */
void robots_entry_reset(robots_entry *en);

typedef struct host_table {
    fetch_host **buckets;
    size_t nbuckets;            /* a power of two */
    size_t count;
    size_t nactive;             /* hosts in the ring */
    fetch_host *ring;           /* the ACTIVE host whose turn is next */
    fetch_host *idle_head;      /* oldest IDLE host */
    fetch_host *idle_tail;
} host_table;

/* Initialises an empty table. VG_ENOMEM. */
vg_err host_table_init(host_table *t);

/* Frees every host (their queues must have been emptied by the caller). */
void host_table_free(host_table *t);

/* The host named name, or NULL. */
fetch_host *host_table_find(host_table *t, const char *name);

/* The host named name, created IDLE (idle since now_ms) when missing.
 * NULL on allocation failure. */
fetch_host *host_table_get(host_table *t, const char *name, int64_t now_ms);

/* Moves h into state s, keeping the ring and the idle list consistent.
 * now_ms stamps the start of idleness. */
void host_set_state(host_table *t, fetch_host *h, host_state s, int64_t now_ms);

/* Advances the ring so the host after h gets the next turn. */
void host_ring_pass(host_table *t, fetch_host *h);

/* Forgets IDLE hosts idle for at least idle_ms; returns how many. */
size_t host_table_expire(host_table *t, int64_t now_ms, int64_t idle_ms);

/* One request from add to done. */
struct fetch_xfer {
    fetch_request *req;
    fetch_host *host;           /* NULL for a request that failed early */
    fetch_xfer *next;           /* host queue, or the engine's failed list */
    fetch_xfer *prev_run;       /* the engine's in-flight list */
    fetch_xfer *next_run;
    CURL *easy;
    struct curl_slist *headers;
    vg_buf body;
    int body_over;              /* the write callback refused the body */
    /* From the response being received; reset at every status line. */
    int status;
    int all_permanent;          /* every redirect hop so far was 301/308 */
    char *content_type;
    char *etag;
    char *last_modified;
    int64_t retry_after;
    char *early_error;          /* set when the request never reached curl */
    char *origin;               /* scheme://host[:port], for robots.txt */
    char *path;                 /* path and query, matched against robots */
    robots_entry *robots_for;   /* set on an internal robots.txt fetch */
    char errbuf[CURL_ERROR_SIZE];
};

/* For tests: how many hosts the engine currently remembers. */
size_t fetch_engine_host_count(const fetch_engine *e);

#endif
