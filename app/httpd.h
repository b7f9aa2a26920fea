/*
 * A small static file server on 127.0.0.1 (libmicrohttpd), for `vigie
 * demo` and the integration tests: it serves a directory with ETag and
 * Last-Modified validators, answers conditional requests with 304, and
 * counts what it served so tests can assert what a crawl asked for.
 */
#ifndef VG_HTTPD_H
#define VG_HTTPD_H

#include "core/vg.h"

#include <stdint.h>

typedef struct httpd httpd;

typedef struct httpd_counts {
    long requests;     /* every request received */
    long ok;           /* 200 answers */
    long not_modified; /* 304 answers */
    long not_found;    /* 404 answers */
} httpd_counts;

/* Serves the files under root on 127.0.0.1 at a free port, written to
 * *port. *out is stopped and freed with httpd_stop. VG_EIO on failure. */
vg_err httpd_start(const char *root, uint16_t *port, httpd **out);

/* Stops the server and frees it (NULL accepted); returns once no request
 * is being served. */
void httpd_stop(httpd *h);

/* Makes every request whose path starts with prefix wait delay_ms before
 * it is answered: tests use it to hold a fetch in flight. One prefix at a
 * time; call before requests arrive. The demo never sets one. */
void httpd_set_delay(httpd *h, const char *prefix, int delay_ms);

/* A snapshot of the counters. */
httpd_counts httpd_get_counts(httpd *h);

#endif
