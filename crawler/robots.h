/*
 * robots.txt as RFC 9309 defines it: groups of user-agent lines followed
 * by allow/disallow rules, '*' and '$' in patterns, the longest match wins
 * and allow wins a tie. The fetcher parses a host's file once and asks
 * robots_allowed before each request to that host. What to do when the
 * file itself cannot be fetched (4xx: allow all; 5xx or unreachable:
 * disallow all, per the RFC) is the caller's decision.
 */
#ifndef VG_ROBOTS_H
#define VG_ROBOTS_H

#include "core/vg.h"

#include <stddef.h>

/* Bytes of a robots.txt that are read; the rest is ignored (the RFC asks
 * for at least 500 KiB). */
#define ROBOTS_MAX_BYTES (512u * 1024u)

typedef struct robots robots;

/* Parses len bytes of a robots.txt (need not be NUL-terminated; NULL with
 * len 0 is an empty file). Lines that make no sense are skipped, never an
 * error. *out is freed with robots_free. VG_ENOMEM only. */
vg_err robots_parse(const char *data, size_t len, robots **out);

/* Whether agent may fetch path ("/a/b?q=1", the URL's path and query).
 * agent is our product token ("vigie") or a full User-Agent string, whose
 * leading token is used. Groups naming that token apply, else the '*'
 * groups, else everything is allowed. "/robots.txt" is always allowed.
 * Returns 1 when allowed, 0 when not. Thread-safe on a parsed r. */
int robots_allowed(const robots *r, const char *agent, const char *path);

/* The Crawl-delay, in milliseconds, of the groups that apply to agent (the
 * largest when several merged groups give one), or -1 when none does.
 * Not part of RFC 9309; the caller caps it. */
long robots_crawl_delay_ms(const robots *r, const char *agent);

/* The Sitemap lines of the file, in order (they belong to no group). The
 * returned string is borrowed from r; NULL when i is out of range. */
size_t robots_sitemap_count(const robots *r);
const char *robots_sitemap(const robots *r, size_t i);

/* Frees r (NULL accepted). */
void robots_free(robots *r);

#endif
