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

#include <ctype.h>
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
    robots_cache robots;      /* per origin; empty when robots are off */
    int robots_landed;        /* a robots.txt arrived: requests may start */
    atomic_int woken;
};

void fetch_headers_free(char **headers)
{
    if (!headers)
        return;
    for (size_t i = 0; headers[i]; i++)
        free(headers[i]);
    free(headers);
}

int fetch_header_valid(const char *line)
{
    /* RFC 9110 token characters for the name, then the colon; the value
     * may hold anything but CR, LF and NUL. */
    static const char tchar[] = "!#$%&'*+-.^_`|~";
    size_t i = 0;
    for (; line[i] && line[i] != ':'; i++) {
        unsigned char c = (unsigned char)line[i];
        if (!(c < 0x80 && (isalnum(c) || strchr(tchar, c))))
            return 0;
    }
    return i > 0 && line[i] == ':' && !strpbrk(line, "\r\n") &&
           strlen(line) <= MAX_HEADER_VALUE;
}

vg_err fetch_headers_dup(char *const *headers, char ***out)
{
    *out = NULL;
    if (!headers)
        return VG_OK;
    size_t n = 0;
    while (headers[n])
        n++;
    for (size_t i = 0; i < n; i++)
        if (!fetch_header_valid(headers[i]))
            return vg_error_set(VG_EINVAL, "header %zu is not 'Name: value'",
                                i + 1);
    char **v = calloc(n + 1, sizeof(*v));
    if (!v)
        return vg_error_set(VG_ENOMEM, "headers");
    for (size_t i = 0; i < n; i++)
        if (!(v[i] = strdup(headers[i]))) {
            fetch_headers_free(v);
            return vg_error_set(VG_ENOMEM, "headers");
        }
    *out = v;
    return VG_OK;
}

void fetch_request_free(fetch_request *r)
{
    if (!r)
        return;
    free(r->url);
    free(r->etag);
    free(r->last_modified);
    fetch_headers_free(r->headers);
    free(r);
}

void fetch_result_free(fetch_result *r)
{
    if (!r)
        return;
    free(r->req.url);
    free(r->req.etag);
    free(r->req.last_modified);
    fetch_headers_free(r->req.headers);
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
    free(x->origin);
    free(x->path);
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
    if (e->opt.max_crawl_delay_ms < 0)
        e->opt.max_crawl_delay_ms = 0;
    if (e->opt.obey_robots && e->idle_ms < e->opt.max_crawl_delay_ms)
        e->idle_ms = e->opt.max_crawl_delay_ms;
    if (e->opt.robots_ttl_s <= 0)
        e->opt.robots_ttl_s = 86400;
    if (e->opt.robots_retry_s <= 0)
        e->opt.robots_retry_s = 3600;
    atomic_init(&e->woken, 0);
    if (!e->user_agent) {
        rc = vg_error_set(VG_ENOMEM, "fetch engine");
        goto cleanup;
    }
    rc = host_table_init(&e->hosts);
    if (rc != VG_OK)
        goto cleanup;
    rc = robots_cache_init(&e->robots);
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
        robots_cache_free(&e->robots);
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
    robots_cache_free(&e->robots);
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

/* The origin (scheme://host[:port], lower-case) and the path and query
 * of url, the two things robots.txt is looked up and matched by.
 * VG_EPARSE or VG_ENOMEM. */
static vg_err split_url(const char *url, char **origin, char **path)
{
    vg_err rc = VG_OK;
    char *scheme = NULL, *host = NULL, *port = NULL, *p = NULL, *q = NULL;
    vg_buf o, b;
    vg_buf_init(&o, 4096);
    vg_buf_init(&b, 64 * 1024);
    CURLU *u = curl_url();
    if (!u) {
        rc = VG_ENOMEM;
        goto cleanup;
    }
    if (curl_url_set(u, CURLUPART_URL, url, 0) != CURLUE_OK ||
        curl_url_get(u, CURLUPART_SCHEME, &scheme, 0) != CURLUE_OK ||
        curl_url_get(u, CURLUPART_HOST, &host, 0) != CURLUE_OK) {
        rc = VG_EPARSE;
        goto cleanup;
    }
    curl_url_get(u, CURLUPART_PORT, &port, 0); /* absent: the default */
    curl_url_get(u, CURLUPART_PATH, &p, 0);
    curl_url_get(u, CURLUPART_QUERY, &q, 0);
    for (char *c = host; *c; c++)
        if (*c >= 'A' && *c <= 'Z')
            *c = (char)(*c - 'A' + 'a');
    vg_buf_printf(&o, "%s://%s", scheme, host);
    if (port)
        vg_buf_printf(&o, ":%s", port);
    /* robots.txt rules compare against an encoded path: a raw UTF-8
     * byte must be %XX here, as it is on the wire. */
    static const char hex[] = "0123456789ABCDEF";
    const char *path_src = p && *p ? p : "/";
    for (const char *c = path_src; *c; c++) {
        unsigned char ch = (unsigned char)*c;
        if (ch >= 0x80) {
            vg_buf_putc(&b, '%');
            vg_buf_putc(&b, hex[ch >> 4]);
            vg_buf_putc(&b, hex[ch & 15]);
        } else {
            vg_buf_putc(&b, (char)ch);
        }
    }
    if (q)
        vg_buf_printf(&b, "?%s", q);
    if (o.err != VG_OK || b.err != VG_OK) {
        rc = o.err == VG_ENOMEM || b.err == VG_ENOMEM ? VG_ENOMEM : VG_EPARSE;
        goto cleanup;
    }
    *origin = vg_buf_detach(&o);
    *path = vg_buf_detach(&b);
    if (!*origin || !*path) {
        free(*origin);
        free(*path);
        *origin = *path = NULL;
        rc = VG_ENOMEM;
    }
cleanup:
    vg_buf_free(&o);
    vg_buf_free(&b);
    curl_free(scheme);
    curl_free(host);
    curl_free(port);
    curl_free(p);
    curl_free(q);
    curl_url_cleanup(u);
    return rc;
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
    if (rc == VG_OK && e->opt.obey_robots) {
        rc = split_url(req->url, &x->origin, &x->path);
        if (rc != VG_OK)
            free(name);
    }
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

vg_err fetch_headers_parse(const char *lines, char ***out)
{
    *out = NULL;
    if (!lines || !*lines)
        return VG_OK;
    size_t n = 1;
    for (const char *p = lines; *p; p++)
        n += *p == '\n';
    char **v = calloc(n + 1, sizeof(*v));
    if (!v)
        return vg_error_set(VG_ENOMEM, "headers");
    size_t k = 0;
    for (const char *p = lines; *p;) {
        size_t len = strcspn(p, "\n");
        if (len > 0) {
            if (!(v[k] = vg_strndup(p, len))) {
                fetch_headers_free(v);
                return vg_error_set(VG_ENOMEM, "headers");
            }
            if (!fetch_header_valid(v[k])) {
                fetch_headers_free(v);
                return vg_error_set(VG_EINVAL, "header line %zu is not 'Name: value'",
                                    k + 1);
            }
            k++;
        }
        p += len;
        if (*p == '\n')
            p++;
    }
    *out = v;
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
    /* The source's own headers go as they are; a line holding CR or LF
     * never reaches the wire (fetch_headers_dup refuses them too). */
    for (size_t i = 0; x->req->headers && x->req->headers[i]; i++) {
        if (!header_safe(x->req->headers[i]))
            continue;
        struct curl_slist *l = curl_slist_append(x->headers, x->req->headers[i]);
        if (!l)
            return vg_error_set(VG_ENOMEM, "request headers");
        x->headers = l;
    }

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
    /* A robots.txt over its cap is cut, not refused (write_cb stops it). */
    if (!x->robots_for)
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

enum { GATE_GO, GATE_WAIT, GATE_STARTED, GATE_REFUSED };

/* Starts the internal fetch of en's robots.txt on host h. A failure to
 * even start it refuses the origin for the retry period: being unable to
 * check is no licence to crawl. */
static void robots_start(fetch_engine *e, fetch_host *h, robots_entry *en,
                         int64_t now)
{
    fetch_xfer *x = calloc(1, sizeof(*x));
    vg_buf u;
    vg_buf_init(&u, 8192);
    vg_buf_printf(&u, "%s/robots.txt", en->origin);
    if (x)
        x->req = calloc(1, sizeof(*x->req));
    if (!x || !x->req || u.err != VG_OK ||
        !(x->req->url = vg_buf_detach(&u)))
        goto failed;
    vg_buf_init(&x->body, ROBOTS_MAX_BYTES);
    x->all_permanent = 1;
    x->robots_for = en;
    x->host = h;
    if (setup_easy(e, x) != VG_OK ||
        curl_multi_add_handle(e->multi, x->easy) != CURLM_OK)
        goto failed;
    en->state = ROBOTS_FETCHING;
    h->in_flight++;
    e->in_flight++;
    h->last_start_ms = now;
    run_link(e, x);
    vg_buf_free(&u);
    return;
failed:
    vg_buf_free(&u);
    xfer_free(x);
    robots_entry_reset(en);
    en->deny_why = vg_strdup("robots.txt could not be requested");
    en->state = ROBOTS_READY;
    en->expires_ms = now + (int64_t)e->opt.robots_retry_s * 1000;
}

/* Pops h's next request into the failed list with the refusal reason. */
static void refuse_head(fetch_engine *e, fetch_host *h, const robots_entry *en)
{
    fetch_xfer *x = h->queue_head;
    h->queue_head = x->next;
    if (!h->queue_head)
        h->queue_tail = NULL;
    h->queued--;
    e->queued--;
    vg_buf b;
    vg_buf_init(&b, MAX_ERROR_LEN);
    vg_buf_puts(&b, FETCH_ROBOTS_ERROR);
    if (en && en->deny_why)
        vg_buf_printf(&b, " (%s)", en->deny_why);
    char *why = vg_buf_detach(&b);
    failed_push(e, x, why ? why : FETCH_ROBOTS_ERROR);
    free(why);
}

/* Decides whether h's next request may start as far as robots.txt goes:
 * GO; WAIT while the origin's robots.txt is on its way; STARTED when this
 * call started that fetch (it takes the host's turn and delay, being a
 * request to the host like any other); REFUSED when requests were moved
 * to the failed list and none is left to start. */
static int robots_gate(fetch_engine *e, fetch_host *h, int64_t now)
{
    while (h->queue_head) {
        fetch_xfer *x = h->queue_head;
        if (!x->origin)
            return GATE_GO;
        robots_entry *en = robots_cache_get(&e->robots, x->origin, now);
        if (!en) {
            refuse_head(e, h, NULL);
            continue;
        }
        if (en->state == ROBOTS_FETCHING)
            return GATE_WAIT;
        if (en->state == ROBOTS_NONE) {
            robots_start(e, h, en, now);
            return en->state == ROBOTS_FETCHING ? GATE_STARTED : GATE_REFUSED;
        }
        h->crawl_delay_ms = en->crawl_delay_ms;
        if (!en->deny_why &&
            robots_allowed(en->rules, e->user_agent, x->path))
            return GATE_GO;
        refuse_head(e, h, en);
    }
    host_refresh(e, h, now);
    return GATE_REFUSED;
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
                /* Crawl-delay only ever raises the configured delay. */
                int64_t delay = e->opt.host_delay_ms > h->crawl_delay_ms
                                    ? e->opt.host_delay_ms
                                    : h->crawl_delay_ms;
                int64_t ready_at = h->last_start_ms == INT64_MIN
                                       ? now
                                       : h->last_start_ms + delay;
                if (ready_at <= now) {
                    int g = e->opt.obey_robots ? robots_gate(e, h, now)
                                               : GATE_GO;
                    if (g == GATE_GO)
                        start_one(e, h, now);
                    if (g != GATE_WAIT)
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

/* Records what the origin's robots.txt fetch taught (RFC 9309 2.3.1):
 * a 2xx file is parsed (cut at ROBOTS_MAX_BYTES); 4xx, or more redirects
 * than allowed, mean there is no file: everything is allowed; 5xx, 429 and
 * network failures mean the file is unreachable: everything is refused
 * until robots_retry_s have passed. */
static void robots_done(fetch_engine *e, fetch_xfer *x, CURLcode cc)
{
    robots_entry *en = x->robots_for;
    int64_t now = vg_mono_ms();
    long code = 0;
    curl_easy_getinfo(x->easy, CURLINFO_RESPONSE_CODE, &code);
    robots_entry_reset(en);
    int64_t ttl = (int64_t)e->opt.robots_ttl_s * 1000;
    int cut = cc == CURLE_WRITE_ERROR && x->body_over;
    if ((cc == CURLE_OK || cut) && code >= 200 && code < 300) {
        if (robots_parse(x->body.ptr, x->body.len, &en->rules) != VG_OK) {
            en->deny_why = vg_strdup("robots.txt: out of memory");
            ttl = (int64_t)e->opt.robots_retry_s * 1000;
        }
        long cd = robots_crawl_delay_ms(en->rules, e->user_agent);
        if (cd > e->opt.max_crawl_delay_ms)
            cd = e->opt.max_crawl_delay_ms;
        en->crawl_delay_ms = cd > 0 ? (int)cd : 0;
    } else if (cc == CURLE_TOO_MANY_REDIRECTS ||
               (cc == CURLE_OK && code >= 300 && code < 500 && code != 429)) {
        /* No usable file: nothing is disallowed. */
    } else {
        vg_buf b;
        vg_buf_init(&b, MAX_ERROR_LEN);
        if (cc != CURLE_OK) {
            char *why = describe_failure(e, x, cc);
            vg_buf_printf(&b, "robots.txt unreachable: %s", why ? why : "?");
            free(why);
        } else {
            vg_buf_printf(&b, "robots.txt answered HTTP %ld", code);
        }
        en->deny_why = vg_buf_detach(&b);
        if (!en->deny_why)
            en->deny_why = vg_strdup("robots.txt unreachable");
        ttl = (int64_t)e->opt.robots_retry_s * 1000;
    }
    en->state = ROBOTS_READY;
    en->expires_ms = now + ttl;
    x->host->crawl_delay_ms = en->crawl_delay_ms;
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
        if (x->robots_for) {
            /* Internal: the requests waiting on it start next round. */
            robots_done(e, x, cc);
            xfer_free(x);
            e->robots_landed = 1;
            continue;
        }
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
        /* Requests robots.txt refused just now need no network. */
        finished += deliver_failed(e, done, arg);
        int running = 0;
        curl_multi_perform(e->multi, &running);
        finished += drain(e, done, arg);
        if (finished > 0 || atomic_exchange(&e->woken, 0))
            break;
        if (e->robots_landed) {
            e->robots_landed = 0;
            continue;
        }
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
