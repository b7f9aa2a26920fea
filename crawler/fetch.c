/*
 * The fetch engine: the pipeline's fetcher thread feeds requests in with
 * fetch_engine_add and drives fetch_engine_perform in a loop. Requests wait
 * in per-host queues (crawler/host.c) and are handed to one libcurl multi
 * handle only when the global cap, the host's cap and the host's delay all
 * allow it; hosts take turns round-robin so one big site cannot starve the
 * others. Each transfer is capped in time and in decompressed size, sends
 * the validators it was given (conditional GET) and records the validators,
 * type and Retry-After of the final response, and whether every redirect on
 * the way was permanent, so the scheduler can update the source's URL.
 */
#include "crawler/fetch_int.h"

#include "core/buf.h"
#include "core/url.h"
#include "core/vtime.h"

#include <errno.h>
#include <stdatomic.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#define DEFAULT_HOST_IDLE_MS 60000
/* Retry-After beyond a week is a server mistake; the scheduler caps too. */
#define MAX_RETRY_AFTER (7 * 24 * 3600)
#define MAX_ERROR_LEN 512
#define MAX_HEADER_VALUE 1024

struct fetch_engine {
    fetch_options opt;
    char *user_agent;
    int64_t idle_ms;
    CURLM *multi;
    host_table hosts;
    fetch_xfer *running;      /* in flight, doubly linked via *_run */
    fetch_xfer *failed_head;  /* never reached curl; reported next perform */
    fetch_xfer *failed_tail;
    int queued;               /* in host queues and in the failed list */
    int in_flight;
    atomic_int woken;
};

void fetch_request_free(fetch_request *r)
{
    if (!r)
        return;
    free(r->url);
    free(r->etag);
    free(r->last_modified);
    free(r);
}

void fetch_result_free(fetch_result *r)
{
    if (!r)
        return;
    free(r->req.url);
    free(r->req.etag);
    free(r->req.last_modified);
    free(r->final_url);
    free(r->permanent_url);
    free(r->content_type);
    free(r->etag);
    free(r->last_modified);
    free(r->body);
    free(r->error);
    free(r);
}

static void xfer_free(fetch_xfer *x)
{
    if (!x)
        return;
    if (x->easy)
        curl_easy_cleanup(x->easy);
    curl_slist_free_all(x->headers);
    vg_buf_free(&x->body);
    free(x->content_type);
    free(x->etag);
    free(x->last_modified);
    free(x->early_error);
    fetch_request_free(x->req);
    free(x);
}

vg_err fetch_engine_new(const fetch_options *opt, fetch_engine **out)
{
    static const fetch_options defaults = FETCH_OPTIONS_INIT;
    *out = NULL;
    if (!opt)
        opt = &defaults;
    if (opt->max_total < 1 || opt->max_per_host < 1 || opt->host_delay_ms < 0 ||
        opt->max_body == 0)
        return vg_error_set(VG_EINVAL, "fetch options: limits must be positive");
    vg_err rc = VG_OK;
    fetch_engine *e = calloc(1, sizeof(*e));
    if (!e)
        return vg_error_set(VG_ENOMEM, "fetch engine");
    e->opt = *opt;
    e->user_agent = strdup(opt->user_agent ? opt->user_agent : FETCH_USER_AGENT);
    e->opt.user_agent = e->user_agent;
    /* Forgetting a host also forgets when it was last hit: never before
     * its delay has run out. */
    e->idle_ms = opt->host_idle_ms > 0 ? opt->host_idle_ms : DEFAULT_HOST_IDLE_MS;
    if (e->idle_ms < opt->host_delay_ms)
        e->idle_ms = opt->host_delay_ms;
    atomic_init(&e->woken, 0);
    if (!e->user_agent) {
        rc = vg_error_set(VG_ENOMEM, "fetch engine");
        goto cleanup;
    }
    rc = host_table_init(&e->hosts);
    if (rc != VG_OK)
        goto cleanup;
    e->multi = curl_multi_init();
    if (!e->multi) {
        rc = vg_error_set(VG_ENOMEM, "curl_multi_init failed");
        goto cleanup;
    }
    *out = e;
    e = NULL;
cleanup:
    if (e) {
        host_table_free(&e->hosts);
        free(e->user_agent);
        free(e);
    }
    return rc;
}

static void run_link(fetch_engine *e, fetch_xfer *x)
{
    x->prev_run = NULL;
    x->next_run = e->running;
    if (e->running)
        e->running->prev_run = x;
    e->running = x;
}

static void run_unlink(fetch_engine *e, fetch_xfer *x)
{
    if (x->prev_run)
        x->prev_run->next_run = x->next_run;
    else
        e->running = x->next_run;
    if (x->next_run)
        x->next_run->prev_run = x->prev_run;
    x->prev_run = x->next_run = NULL;
}

static void failed_push(fetch_engine *e, fetch_xfer *x, const char *why)
{
    /* A half-configured handle has nothing to report: drop it now so the
     * result is built from why alone. */
    if (x->easy) {
        curl_easy_cleanup(x->easy);
        x->easy = NULL;
    }
    x->early_error = vg_strdup(why ? why : "request failed");
    x->host = NULL;
    x->next = NULL;
    if (e->failed_tail)
        e->failed_tail->next = x;
    else
        e->failed_head = x;
    e->failed_tail = x;
    e->queued++;
}

void fetch_engine_free(fetch_engine *e)
{
    if (!e)
        return;
    while (e->running) {
        fetch_xfer *x = e->running;
        run_unlink(e, x);
        curl_multi_remove_handle(e->multi, x->easy);
        xfer_free(x);
    }
    while (e->failed_head) {
        fetch_xfer *x = e->failed_head;
        e->failed_head = x->next;
        xfer_free(x);
    }
    /* Only ACTIVE hosts have queues, and they are all on the ring. */
    while (e->hosts.ring) {
        fetch_host *h = e->hosts.ring;
        while (h->queue_head) {
            fetch_xfer *x = h->queue_head;
            h->queue_head = x->next;
            xfer_free(x);
        }
        h->queue_tail = NULL;
        h->queued = 0;
        host_set_state(&e->hosts, h, HOST_IDLE, 0);
    }
    host_table_free(&e->hosts);
    curl_multi_cleanup(e->multi);
    free(e->user_agent);
    free(e);
}

static void host_refresh(fetch_engine *e, fetch_host *h, int64_t now)
{
    host_state s = h->queued > 0 ? HOST_ACTIVE
                   : h->in_flight > 0 ? HOST_BUSY : HOST_IDLE;
    host_set_state(&e->hosts, h, s, now);
}

vg_err fetch_engine_add(fetch_engine *e, fetch_request *req)
{
    if (!e || !req || !req->url) {
        fetch_request_free(req);
        return vg_error_set(VG_EINVAL, "fetch_engine_add: no request or URL");
    }
    fetch_xfer *x = calloc(1, sizeof(*x));
    if (!x) {
        fetch_request_free(req);
        return vg_error_set(VG_ENOMEM, "fetch request");
    }
    x->req = req;
    vg_buf_init(&x->body, e->opt.max_body);
    x->all_permanent = 1;

    char *name = NULL;
    vg_err rc = vg_url_host(req->url, &name);
    if (rc == VG_EPARSE) {
        failed_push(e, x, "bad URL");
        return VG_OK;
    }
    if (rc != VG_OK) {
        xfer_free(x);
        return rc;
    }
    int64_t now = vg_mono_ms();
    fetch_host *h = host_table_get(&e->hosts, name, now);
    free(name);
    if (!h) {
        xfer_free(x);
        return vg_error_set(VG_ENOMEM, "fetch host");
    }
    x->host = h;
    if (h->queue_tail)
        h->queue_tail->next = x;
    else
        h->queue_head = x;
    h->queue_tail = x;
    h->queued++;
    e->queued++;
    host_refresh(e, h, now);
    return VG_OK;
}

/* Lower-case comparison of a header name of length n with name. */
static int header_is(const char *p, size_t n, const char *name)
{
    return strlen(name) == n && strncasecmp(p, name, n) == 0;
}

static int64_t parse_retry_after(const char *v)
{
    int64_t secs = 0;
    if (*v >= '0' && *v <= '9') {
        char *end = NULL;
        errno = 0;
        long long n = strtoll(v, &end, 10);
        if (errno != 0 || *end != '\0')
            return errno == ERANGE ? MAX_RETRY_AFTER : 0;
        secs = n;
    } else {
        time_t t = curl_getdate(v, NULL);
        if (t == -1)
            return 0;
        secs = (int64_t)t - vg_now();
    }
    if (secs < 0)
        return 0;
    return secs > MAX_RETRY_AFTER ? MAX_RETRY_AFTER : secs;
}

/* Called by libcurl once per header line of every response, redirect hops
 * included: a status line starts a new response, so whatever the previous
 * one said must not leak into the result. */
static size_t header_cb(char *p, size_t size, size_t nmemb, void *ud)
{
    fetch_xfer *x = ud;
    size_t total = size * nmemb;
    size_t n = total;
    while (n > 0 && (p[n - 1] == '\r' || p[n - 1] == '\n'))
        n--;
    if (n >= 5 && strncmp(p, "HTTP/", 5) == 0) {
        size_t i = 5;
        while (i < n && p[i] != ' ')
            i++;
        int code = 0;
        for (i++; i < n && p[i] >= '0' && p[i] <= '9' && code < 1000; i++)
            code = code * 10 + (p[i] - '0');
        if (x->status >= 300 && x->status < 400 && x->status != 301 &&
            x->status != 308)
            x->all_permanent = 0;
        x->status = code;
        free(x->content_type);
        free(x->etag);
        free(x->last_modified);
        x->content_type = x->etag = x->last_modified = NULL;
        x->retry_after = 0;
        vg_buf_reset(&x->body);
        x->body_over = 0;
        return total;
    }
    const char *colon = memchr(p, ':', n);
    if (!colon)
        return total;
    size_t name_len = (size_t)(colon - p);
    const char *v = colon + 1;
    size_t vlen = n - name_len - 1;
    while (vlen > 0 && (*v == ' ' || *v == '\t')) {
        v++;
        vlen--;
    }
    while (vlen > 0 && (v[vlen - 1] == ' ' || v[vlen - 1] == '\t'))
        vlen--;
    if (vlen > MAX_HEADER_VALUE)
        return total;
    char **slot = NULL;
    if (header_is(p, name_len, "content-type"))
        slot = &x->content_type;
    else if (header_is(p, name_len, "etag"))
        slot = &x->etag;
    else if (header_is(p, name_len, "last-modified"))
        slot = &x->last_modified;
    if (slot) {
        free(*slot);
        *slot = vg_strndup(v, vlen);
    } else if (header_is(p, name_len, "retry-after")) {
        char *s = vg_strndup(v, vlen);
        x->retry_after = s ? parse_retry_after(s) : 0;
        free(s);
    }
    return total;
}

/* Stores the decompressed body; returning short makes libcurl abort the
 * transfer, which is how a gzip bomb is stopped at max_body bytes. */
static size_t write_cb(char *p, size_t size, size_t nmemb, void *ud)
{
    fetch_xfer *x = ud;
    size_t n = size * nmemb;
    if (vg_buf_append(&x->body, p, n) != VG_OK) {
        x->body_over = x->body.err == VG_ETOOBIG;
        return 0;
    }
    return n;
}

/* A validator comes from a server and goes back in a request header: a
 * CR or LF in it would let that server inject headers. */
static int header_safe(const char *v)
{
    return v && *v && !strpbrk(v, "\r\n");
}

static vg_err add_header(struct curl_slist **list, const char *name,
                         const char *value)
{
    vg_buf b;
    vg_buf_init(&b, MAX_HEADER_VALUE + 64);
    vg_buf_printf(&b, "%s: %s", name, value);
    if (b.err != VG_OK) {
        vg_buf_free(&b);
        /* An oversized validator is dropped: a full GET is still correct. */
        return b.err == VG_ETOOBIG ? VG_OK : VG_ENOMEM;
    }
    struct curl_slist *l = curl_slist_append(*list, vg_buf_str(&b));
    vg_buf_free(&b);
    if (!l)
        return VG_ENOMEM;
    *list = l;
    return VG_OK;
}

static vg_err setup_easy(fetch_engine *e, fetch_xfer *x)
{
    const fetch_options *o = &e->opt;
    CURL *c = curl_easy_init();
    if (!c)
        return vg_error_set(VG_ENOMEM, "curl_easy_init failed");
    x->easy = c;
    if (header_safe(x->req->etag) &&
        add_header(&x->headers, "If-None-Match", x->req->etag) != VG_OK)
        return vg_error_set(VG_ENOMEM, "request headers");
    if (header_safe(x->req->last_modified) &&
        add_header(&x->headers, "If-Modified-Since", x->req->last_modified) !=
            VG_OK)
        return vg_error_set(VG_ENOMEM, "request headers");

    CURLcode rc = CURLE_OK;
#define SET(opt, val) \
    do { if (rc == CURLE_OK) rc = curl_easy_setopt(c, opt, val); } while (0)
    SET(CURLOPT_URL, x->req->url);
    SET(CURLOPT_PRIVATE, (void *)x);
    SET(CURLOPT_ERRORBUFFER, x->errbuf);
    SET(CURLOPT_USERAGENT, e->user_agent);
    SET(CURLOPT_ACCEPT_ENCODING, "");
    SET(CURLOPT_HTTP_VERSION, (long)CURL_HTTP_VERSION_2TLS);
    SET(CURLOPT_PIPEWAIT, 1L);
    SET(CURLOPT_FOLLOWLOCATION, 1L);
    SET(CURLOPT_MAXREDIRS, 5L);
    SET(CURLOPT_PROTOCOLS_STR, "http,https");
    SET(CURLOPT_REDIR_PROTOCOLS_STR, "http,https");
    SET(CURLOPT_CONNECTTIMEOUT_MS, o->connect_timeout_ms);
    SET(CURLOPT_TIMEOUT_MS, o->timeout_ms);
    if (o->low_speed_bytes > 0 && o->low_speed_secs > 0) {
        SET(CURLOPT_LOW_SPEED_LIMIT, o->low_speed_bytes);
        SET(CURLOPT_LOW_SPEED_TIME, o->low_speed_secs);
    }
    /* The fetcher is one thread among many: libcurl must not use signals
     * (SIGALRM for DNS timeouts) behind the process's back. */
    SET(CURLOPT_NOSIGNAL, 1L);
    SET(CURLOPT_MAXFILESIZE_LARGE, (curl_off_t)o->max_body);
    SET(CURLOPT_WRITEFUNCTION, write_cb);
    SET(CURLOPT_WRITEDATA, (void *)x);
    SET(CURLOPT_HEADERFUNCTION, header_cb);
    SET(CURLOPT_HEADERDATA, (void *)x);
    if (x->headers)
        SET(CURLOPT_HTTPHEADER, x->headers);
#undef SET
    if (rc != CURLE_OK)
        return vg_error_set(VG_EINVAL, "curl option: %s", curl_easy_strerror(rc));
    return VG_OK;
}

/* Pops the host's next request and hands it to libcurl (or to the failed
 * list when that cannot be done). */
static void start_one(fetch_engine *e, fetch_host *h, int64_t now)
{
    fetch_xfer *x = h->queue_head;
    h->queue_head = x->next;
    if (!h->queue_head)
        h->queue_tail = NULL;
    x->next = NULL;
    h->queued--;
    e->queued--;
    if (setup_easy(e, x) != VG_OK) {
        failed_push(e, x, vg_error_last());
    } else if (curl_multi_add_handle(e->multi, x->easy) != CURLM_OK) {
        failed_push(e, x, "curl_multi_add_handle failed");
    } else {
        h->in_flight++;
        e->in_flight++;
        h->last_start_ms = now;
        run_link(e, x);
    }
    host_refresh(e, h, now);
}

/* Starts what the caps and delays allow, one request per host per round so
 * hosts take turns. Returns the milliseconds until a host held back only
 * by its delay may start, or -1 when no such host exists. */
static int64_t start_ready(fetch_engine *e, int64_t now)
{
    host_table *t = &e->hosts;
    int64_t wait = -1;
    int started = 1;
    while (started && t->nactive > 0 && e->in_flight < e->opt.max_total) {
        started = 0;
        wait = -1;
        size_t visits = t->nactive;
        for (size_t i = 0; i < visits && t->ring &&
                           e->in_flight < e->opt.max_total; i++) {
            fetch_host *h = t->ring;
            if (h->in_flight < e->opt.max_per_host) {
                int64_t ready_at = h->last_start_ms == INT64_MIN
                                       ? now
                                       : h->last_start_ms + e->opt.host_delay_ms;
                if (ready_at <= now) {
                    start_one(e, h, now);
                    started = 1;
                } else if (wait < 0 || ready_at - now < wait) {
                    wait = ready_at - now;
                }
            }
            /* A host that left the ring already moved the turn on. */
            host_ring_pass(t, h);
        }
    }
    return wait;
}

static char *describe_failure(fetch_engine *e, fetch_xfer *x, CURLcode cc)
{
    vg_buf b;
    vg_buf_init(&b, MAX_ERROR_LEN);
    switch (cc) {
    case CURLE_TOO_MANY_REDIRECTS:
        vg_buf_puts(&b, "too many redirects");
        break;
    case CURLE_FILESIZE_EXCEEDED:
        vg_buf_printf(&b, "body over %zu bytes", e->opt.max_body);
        break;
    case CURLE_WRITE_ERROR:
        if (x->body_over)
            vg_buf_printf(&b, "body over %zu bytes", e->opt.max_body);
        else
            vg_buf_puts(&b, "out of memory storing the body");
        break;
    case CURLE_OPERATION_TIMEDOUT: {
        /* One code covers three limits; the clock tells them apart. */
        curl_off_t total_us = 0, connect_us = 0;
        curl_easy_getinfo(x->easy, CURLINFO_TOTAL_TIME_T, &total_us);
        curl_easy_getinfo(x->easy, CURLINFO_CONNECT_TIME_T, &connect_us);
        long total_ms = (long)(total_us / 1000);
        if (e->opt.timeout_ms > 0 && total_ms + 20 >= e->opt.timeout_ms)
            vg_buf_printf(&b, "timeout after %ld ms", e->opt.timeout_ms);
        else if (connect_us == 0)
            vg_buf_printf(&b, "connect timeout after %ld ms",
                          e->opt.connect_timeout_ms);
        else
            vg_buf_printf(&b, "too slow: under %ld bytes/s for %ld s",
                          e->opt.low_speed_bytes, e->opt.low_speed_secs);
        break;
    }
    case CURLE_COULDNT_CONNECT: {
        long os_errno = 0;
        curl_easy_getinfo(x->easy, CURLINFO_OS_ERRNO, &os_errno);
        if (os_errno == ECONNREFUSED) {
            vg_buf_puts(&b, "connection refused");
            break;
        }
    }
        /* fall through */
    default:
        vg_buf_puts(&b, curl_easy_strerror(cc));
        if (x->errbuf[0])
            vg_buf_printf(&b, ": %s", x->errbuf);
        break;
    }
    char *s = vg_buf_detach(&b);
    /* One line, whatever libcurl's message held. */
    for (char *p = s; p && *p; p++)
        if (*p == '\r' || *p == '\n')
            *p = ' ';
    return s;
}

/* Moves everything the transfer produced into a new result; x keeps only
 * what xfer_free releases. NULL when out of memory. */
static fetch_result *make_result(fetch_engine *e, fetch_xfer *x, CURLcode cc)
{
    fetch_result *r = calloc(1, sizeof(*r));
    if (!r)
        return NULL;
    r->req = *x->req;
    free(x->req);
    x->req = NULL;
    r->fetched_at = vg_now();
    if (!x->easy) {
        r->error = x->early_error ? x->early_error : vg_strdup("request failed");
        x->early_error = NULL;
        return r;
    }
    long code = 0;
    curl_easy_getinfo(x->easy, CURLINFO_RESPONSE_CODE, &code);
    r->status = (int)code;
    char *eff = NULL;
    if (curl_easy_getinfo(x->easy, CURLINFO_EFFECTIVE_URL, &eff) == CURLE_OK)
        r->final_url = vg_strdup(eff);
    r->content_type = x->content_type;
    r->etag = x->etag;
    r->last_modified = x->last_modified;
    x->content_type = x->etag = x->last_modified = NULL;
    r->retry_after = x->retry_after;

    if (cc != CURLE_OK)
        r->error = describe_failure(e, x, cc);
    else if (!((code >= 200 && code < 300) || code == 304)) {
        vg_buf b;
        vg_buf_init(&b, 32);
        vg_buf_printf(&b, "HTTP %ld", code);
        r->error = vg_buf_detach(&b);
    }
    if (!r->error && code != 304) {
        r->body_len = x->body.len;
        r->body = vg_buf_detach(&x->body);
    }
    if (cc == CURLE_OK && x->all_permanent) {
        long redirects = 0;
        curl_easy_getinfo(x->easy, CURLINFO_REDIRECT_COUNT, &redirects);
        if (redirects > 0)
            r->permanent_url = vg_strdup(eff);
    }
    return r;
}

static void deliver(fetch_result *r, fetch_done_fn done, void *arg)
{
    /* Out of memory for the result itself: the request is lost, but the
     * scheduler will find the source due again. */
    if (!r)
        return;
    if (done)
        done(r, arg);
    else
        fetch_result_free(r);
}

static int deliver_failed(fetch_engine *e, fetch_done_fn done, void *arg)
{
    int n = 0;
    /* Detach the list first: the callback may add requests that fail. */
    fetch_xfer *x = e->failed_head;
    e->failed_head = e->failed_tail = NULL;
    while (x) {
        fetch_xfer *next = x->next;
        e->queued--;
        fetch_result *r = make_result(e, x, CURLE_OK);
        xfer_free(x);
        deliver(r, done, arg);
        n++;
        x = next;
    }
    return n;
}

static int drain(fetch_engine *e, fetch_done_fn done, void *arg)
{
    int n = 0;
    CURLMsg *m;
    int left = 0;
    while ((m = curl_multi_info_read(e->multi, &left))) {
        if (m->msg != CURLMSG_DONE)
            continue;
        /* m dies with remove_handle: copy what we need first. */
        CURL *c = m->easy_handle;
        CURLcode cc = m->data.result;
        fetch_xfer *x = NULL;
        curl_easy_getinfo(c, CURLINFO_PRIVATE, (char **)&x);
        curl_multi_remove_handle(e->multi, c);
        run_unlink(e, x);
        e->in_flight--;
        x->host->in_flight--;
        host_refresh(e, x->host, vg_mono_ms());
        fetch_result *r = make_result(e, x, cc);
        xfer_free(x);
        deliver(r, done, arg);
        n++;
    }
    return n;
}

int fetch_engine_perform(fetch_engine *e, int timeout_ms, fetch_done_fn done,
                         void *arg)
{
    int64_t deadline = vg_mono_ms() + (timeout_ms > 0 ? timeout_ms : 0);
    for (;;) {
        int64_t now = vg_mono_ms();
        host_table_expire(&e->hosts, now, e->idle_ms);
        int finished = deliver_failed(e, done, arg);
        int64_t wait = start_ready(e, now);
        int running = 0;
        curl_multi_perform(e->multi, &running);
        finished += drain(e, done, arg);
        if (finished > 0 || atomic_exchange(&e->woken, 0))
            break;
        int64_t left = deadline - vg_mono_ms();
        if (left <= 0)
            break;
        /* A host waiting out its delay must not wait for the whole timeout. */
        if (wait >= 0 && wait < left)
            left = wait;
        curl_multi_poll(e->multi, NULL, 0, (int)left, NULL);
    }
    return e->queued + e->in_flight;
}

void fetch_engine_wakeup(fetch_engine *e)
{
    if (!e)
        return;
    atomic_store(&e->woken, 1);
    curl_multi_wakeup(e->multi);
}

size_t fetch_engine_host_count(const fetch_engine *e)
{
    return e->hosts.count;
}
