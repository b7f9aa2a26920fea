/*
 * The fetch engine: one libcurl multi handle driving many transfers at
 * once, with per-host politeness, robots.txt (fetched per origin before
 * its first request, cached, Crawl-delay honoured), conditional GET, size
 * and time caps.
 *
 * One thread owns an engine (the pipeline's fetcher thread): every call
 * except fetch_engine_wakeup must come from that thread.
 */
#ifndef VG_FETCH_H
#define VG_FETCH_H

#include "core/vg.h"

#include <stddef.h>
#include <stdint.h>

typedef struct fetch_request {
    int64_t source_id;
    char *url;            /* owned */
    char *etag;           /* owned, may be NULL: sent as If-None-Match */
    char *last_modified;  /* owned, may be NULL: sent as If-Modified-Since */
    void *user;           /* opaque, handed back in the result */
    char **headers;       /* owned, NULL-terminated "Name: value" lines sent
                             as they are (a private feed's Authorization or
                             Cookie); may be NULL. Never logged. */
} fetch_request;

typedef struct fetch_result {
    fetch_request req;     /* the request, ownership moved here */
    int status;            /* final HTTP status; 0 on transport failure */
    char *final_url;       /* URL after redirects, may be NULL */
    char *permanent_url;   /* set when every redirect hop was 301/308 */
    char *content_type;    /* may be NULL */
    char *etag;            /* validators the server sent, may be NULL */
    char *last_modified;
    char *body;            /* NUL-terminated, may be NULL (304, error) */
    size_t body_len;
    char *error;           /* NULL on 2xx/304; a one-line reason otherwise */
    int64_t fetched_at;    /* UTC unix seconds */
    int64_t retry_after;   /* seconds asked by Retry-After, 0 if none */
} fetch_result;

typedef struct fetch_options {
    int max_total;          /* transfers in flight, all hosts */
    int max_per_host;       /* transfers in flight per host */
    int host_delay_ms;      /* minimum gap between two request starts to a host */
    long connect_timeout_ms;
    long timeout_ms;        /* whole transfer */
    long low_speed_bytes;   /* abort when slower than this ... */
    long low_speed_secs;    /* ... for this long */
    size_t max_body;        /* decompressed bytes */
    const char *user_agent; /* NULL: the default naming vigie */
    int host_idle_ms;       /* forget a host idle this long; 0: 60000 */
    int obey_robots;        /* fetch and honour robots.txt (default 1) */
    int max_crawl_delay_ms; /* cap on a robots.txt Crawl-delay (default 30 s) */
    int robots_ttl_s;       /* a fetched robots.txt is kept this long (24 h) */
    int robots_retry_s;     /* after a 5xx or unreachable robots.txt, the
                               origin is refused this long (1 h) */
} fetch_options;

#define FETCH_USER_AGENT "vigie/" VG_VERSION " (+https://github.com/vigie-listening/vigie)"
#define FETCH_OPTIONS_INIT {64, 2, 1000, 10000, 30000, 100, 20, 10u << 20, NULL, 0, \
                            1, 30000, 86400, 3600}

/* The error of a request refused by the origin's robots.txt; a reason may
 * follow in parentheses (robots.txt failing with a 5xx, unreachable). */
#define FETCH_ROBOTS_ERROR "disallowed by robots.txt"

typedef struct fetch_engine fetch_engine;

/* Creates an engine; call curl_global_init first (the app does). opt is
 * copied (user_agent too); NULL means FETCH_OPTIONS_INIT. Free *out with
 * fetch_engine_free. VG_ENOMEM, or VG_EINVAL for limits below 1. */
vg_err fetch_engine_new(const fetch_options *opt, fetch_engine **out);

/* Frees the engine, abandoning queued and in-flight transfers (their
 * requests are freed, no callback). NULL accepted. */
void fetch_engine_free(fetch_engine *e);

/* Queues a heap-allocated request; the engine owns it from now on, even
 * when this fails (VG_EINVAL for a NULL request or URL, VG_ENOMEM): then
 * the request is freed. A URL with no usable host is not an error here: it
 * comes back through the done callback with status 0 and an error, and so
 * does a URL the origin's robots.txt refuses (error FETCH_ROBOTS_ERROR,
 * perhaps followed by a reason), without reaching the server. May be
 * called from inside the done callback. */
vg_err fetch_engine_add(fetch_engine *e, fetch_request *req);

typedef void (*fetch_done_fn)(fetch_result *res, void *arg);

/* Runs transfers for up to timeout_ms (less when something finishes or
 * fetch_engine_wakeup is called), calling done for each finished one; the
 * callback owns the result (fetch_result_free). Returns the number of
 * requests still queued or in flight. */
int fetch_engine_perform(fetch_engine *e, int timeout_ms, fetch_done_fn done,
                         void *arg);

/* Interrupts a wait in fetch_engine_perform; safe from any thread. */
void fetch_engine_wakeup(fetch_engine *e);

/* Copies a NULL-terminated list of header lines (NULL gives NULL); *out
 * is freed with fetch_headers_free. VG_ENOMEM; VG_EINVAL for a line
 * without "Name:" or holding CR/LF (a header could be smuggled). */
vg_err fetch_headers_dup(char *const *headers, char ***out);

/* Whether line is a header fit to send: "Name: value", the name made of
 * token characters, no CR or LF, at most 1 KiB. */
int fetch_header_valid(const char *line);

/* Splits LF-joined "Name: value" lines (a source's stored headers) into a
 * new NULL-terminated list for fetch_request.headers; NULL or "" gives
 * NULL. Free with fetch_headers_free. VG_ENOMEM; VG_EINVAL for an invalid
 * line (nothing is returned then). */
vg_err fetch_headers_parse(const char *lines, char ***out);

/* Frees a list made by fetch_headers_dup or fetch_headers_parse (NULL
 * accepted). */
void fetch_headers_free(char **headers);

/* Frees a request's strings and the request itself (NULL accepted). */
void fetch_request_free(fetch_request *r);

/* Frees a result and its request strings (NULL accepted). */
void fetch_result_free(fetch_result *r);

#endif
