/*
 * The fetch engine: one libcurl multi handle driving many transfers at
 * once, with per-host politeness, conditional GET, size and time caps.
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
} fetch_options;

#define FETCH_USER_AGENT "vigie/" VG_VERSION " (+https://github.com/vigie-listening/vigie)"
#define FETCH_OPTIONS_INIT {64, 2, 1000, 10000, 30000, 100, 20, 10u << 20, NULL, 0}

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
 * comes back through the done callback with status 0 and an error. May be
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

/* Frees a request's strings and the request itself (NULL accepted). */
void fetch_request_free(fetch_request *r);

/* Frees a result and its request strings (NULL accepted). */
void fetch_result_free(fetch_result *r);

#endif
