/*
 * URLs through libcurl's URL API (curl_url_*): relative resolution, the
 * canonical form used as a document's unique key, and the host.
 * Shared by parser/ (links in feeds and pages) and crawler/ (dedup,
 * politeness). Thread-safe.
 */
#ifndef VG_URL_H
#define VG_URL_H

#include "core/vg.h"

/* Resolves ref against base (either may be absolute; base may be NULL).
 * *out is malloc'd (free()). VG_EPARSE when no absolute http(s) URL
 * results. */
vg_err vg_url_resolve(const char *base, const char *ref, char **out);

/* Canonical form for dedup: lower-case scheme and host, default port
 * dropped, dot segments removed, fragment dropped, tracking parameters
 * (utm_*, fbclid, gclid, mc_eid, ...) removed. *out malloc'd (free()).
 * VG_EPARSE on a URL that is not absolute http(s). */
vg_err vg_url_canonical(const char *url, char **out);

/* The lower-case host of url; *out malloc'd (free()). VG_EPARSE. */
vg_err vg_url_host(const char *url, char **out);

#endif
