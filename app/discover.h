/*
 * Feed discovery for `vigie source add`: when the URL given is a web page,
 * the feeds it advertises (<link rel="alternate">) are usually what the
 * user wants to follow.
 */
#ifndef VG_DISCOVER_H
#define VG_DISCOVER_H

#include "core/vg.h"

#include <stdio.h>

/* Largest page read while looking for feed links. */
#define DISCOVER_MAX_BYTES (2u << 20)

/* Whether url looks like a feed file already (path ending in .xml, .rss,
 * .atom, .rdf or .json, or a last segment feed, rss or atom): those are
 * added as given, with no request. */
int discover_looks_like_feed(const char *url);

/* Fetches url once (libcurl easy, capped at DISCOVER_MAX_BYTES, 5 s to
 * connect, 15 s in all, up to 5 redirects; headers, NULL-terminated, may
 * be NULL, are sent as given). When it answers HTML: *feed_out is the
 * first feed the page links (absolute, malloc'd) and the others are
 * written to report, one "other feed: URL" line each, or, when the page
 * links none, *feed_out stays NULL and *is_html is 1. When it answers
 * anything else (a feed), *feed_out is NULL and *is_html 0.
 * VG_ENET when the page cannot be fetched (the message says why),
 * VG_ENOMEM. report may be NULL. */
vg_err discover_feed(const char *url, char *const *headers, FILE *report,
                     char **feed_out, int *is_html);

#endif
