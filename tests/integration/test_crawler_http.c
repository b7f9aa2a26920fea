/*
 * The crawler's behaviours end to end: a scripted HTTP server written
 * here (libmicrohttpd on 127.0.0.1, one table of routes per scenario)
 * records every request it receives; the real `vigie` binary crawls it
 * with `vigie crawl --once`; each test then asserts what the server saw
 * (paths, validators, arrival times) and what the database holds (URL,
 * status, error, error count, next fetch). One scenario per behaviour.
 */
#define _POSIX_C_SOURCE 200809L
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <arpa/inet.h>
#include <curl/curl.h>
#include <microhttpd.h>
#include <netinet/in.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>
#include <zlib.h>

#include "core/buf.h"
#include "core/vtime.h"
#include "crawler/fetch.h"
#include "store/store.h"

#define FEED_BODY                                                            \
    "<?xml version=\"1.0\"?><rss version=\"2.0\"><channel><title>T</title>" \
    "<item><title>Hello</title><link>http://127.0.0.1/a</link>"           \
    "<guid>a1</guid><description>Some words.</description></item>"        \
    "</channel></rss>"

/* One scripted answer. A route matches a path exactly. */
typedef struct route {
    const char *path;
    int status;
    const char *body;      /* NULL: none */
    const char *location;  /* Location header, for redirects */
    const char *etag;      /* sent; a request with If-None-Match equal gets 304 */
    const char *extra;     /* one more "Name: value" header, or NULL */
    int fail_first;        /* answer 503 to this many requests first */
    size_t big;            /* body of this many 'a' bytes instead of body */
    int gzip;              /* gzip big, sent with Content-Encoding */
    int drip_ms;           /* send the body one byte every drip_ms */
} route;

#define MAX_SEEN 64

typedef struct seen_req {
    char path[128];
    char inm[64];          /* If-None-Match received */
    char auth[64];         /* Authorization received */
    char ua[128];          /* User-Agent received */
    int64_t at_ms;         /* monotonic arrival time */
} seen_req;

typedef struct server {
    struct MHD_Daemon *d;
    uint16_t port;
    char base[64];
    const route *routes;
    size_t nroutes;
    pthread_mutex_t mu;
    seen_req seen[MAX_SEEN];
    int nseen;
    int hits[16];          /* per route index, for fail_first */
} server;

typedef struct fixture {
    char dir[64];
    char db[96];
    server srv;
} fixture;

static void copy_header(struct MHD_Connection *c, const char *name, char *out,
                        size_t cap)
{
    const char *v = MHD_lookup_connection_value(c, MHD_HEADER_KIND, name);
    snprintf(out, cap, "%s", v ? v : "");
}

static ssize_t drip(void *cls, uint64_t pos, char *buf, size_t max)
{
    const route *r = cls;
    if (pos >= r->big || max == 0)
        return MHD_CONTENT_READER_END_OF_STREAM;
    struct timespec ts = {r->drip_ms / 1000, (long)(r->drip_ms % 1000) * 1000000L};
    nanosleep(&ts, NULL);
    buf[0] = 'a';
    return 1;
}

/* gzip of n 'a' bytes, malloc'd; *len its size. */
static char *gzip_of(size_t n, size_t *len)
{
    char *in = malloc(n), *out = malloc(n / 100 + 1024);
    assert_non_null(in);
    assert_non_null(out);
    memset(in, 'a', n);
    z_stream z;
    memset(&z, 0, sizeof z);
    assert_int_equal(deflateInit2(&z, 9, Z_DEFLATED, 31, 8, Z_DEFAULT_STRATEGY), Z_OK);
    z.next_in = (Bytef *)in;
    z.avail_in = (uInt)n;
    z.next_out = (Bytef *)out;
    z.avail_out = (uInt)(n / 100 + 1024);
    assert_int_equal(deflate(&z, Z_FINISH), Z_STREAM_END);
    *len = z.total_out;
    deflateEnd(&z);
    free(in);
    return out;
}

static enum MHD_Result on_request(void *cls, struct MHD_Connection *c,
                                  const char *url, const char *method,
                                  const char *version, const char *upload,
                                  size_t *upload_len, void **con_cls)
{
    (void)method, (void)version, (void)upload, (void)upload_len, (void)con_cls;
    server *s = cls;
    pthread_mutex_lock(&s->mu);
    if (s->nseen < MAX_SEEN) {
        seen_req *q = &s->seen[s->nseen++];
        snprintf(q->path, sizeof q->path, "%s", url);
        copy_header(c, "If-None-Match", q->inm, sizeof q->inm);
        copy_header(c, "Authorization", q->auth, sizeof q->auth);
        copy_header(c, "User-Agent", q->ua, sizeof q->ua);
        q->at_ms = vg_mono_ms();
    }
    const route *r = NULL;
    int hit = 0;
    for (size_t i = 0; i < s->nroutes; i++)
        if (strcmp(s->routes[i].path, url) == 0) {
            r = &s->routes[i];
            hit = s->hits[i < 16 ? i : 15]++;
            break;
        }
    pthread_mutex_unlock(&s->mu);

    struct MHD_Response *resp = NULL;
    int status = 404;
    if (!r) {
        resp = MHD_create_response_from_buffer(9, (void *)"not found", MHD_RESPMEM_PERSISTENT);
    } else if (hit < r->fail_first) {
        status = 503;
        resp = MHD_create_response_from_buffer(4, (void *)"busy", MHD_RESPMEM_PERSISTENT);
    } else if (r->etag && strcmp(r->etag, MHD_lookup_connection_value(
                                      c, MHD_HEADER_KIND, "If-None-Match")
                                      ? MHD_lookup_connection_value(
                                            c, MHD_HEADER_KIND, "If-None-Match")
                                      : "") == 0) {
        status = 304;
        resp = MHD_create_response_from_buffer(0, (void *)"", MHD_RESPMEM_PERSISTENT);
        MHD_add_response_header(resp, "ETag", r->etag);
    } else {
        status = r->status;
        if (r->drip_ms)
            resp = MHD_create_response_from_callback(r->big, 1, drip, (void *)r, NULL);
        else if (r->gzip) {
            size_t len = 0;
            char *z = gzip_of(r->big, &len);
            resp = MHD_create_response_from_buffer(len, z, MHD_RESPMEM_MUST_FREE);
            MHD_add_response_header(resp, "Content-Encoding", "gzip");
        } else if (r->big) {
            char *b = malloc(r->big);
            memset(b, 'a', r->big);
            resp = MHD_create_response_from_buffer(r->big, b, MHD_RESPMEM_MUST_FREE);
        } else {
            const char *b = r->body ? r->body : "";
            resp = MHD_create_response_from_buffer(strlen(b), (void *)b,
                                                   MHD_RESPMEM_PERSISTENT);
        }
        if (r->location)
            MHD_add_response_header(resp, "Location", r->location);
        if (r->etag)
            MHD_add_response_header(resp, "ETag", r->etag);
        if (r->body && strstr(r->body, "<rss"))
            MHD_add_response_header(resp, "Content-Type", "application/rss+xml");
        else if (r->body && strstr(r->body, "<html"))
            MHD_add_response_header(resp, "Content-Type", "text/html; charset=utf-8");
        if (r->extra) {
            char name[64];
            const char *colon = strchr(r->extra, ':');
            snprintf(name, sizeof name, "%.*s", (int)(colon - r->extra), r->extra);
            MHD_add_response_header(resp, name, colon + 2);
        }
    }
    enum MHD_Result ret = MHD_queue_response(c, (unsigned)status, resp);
    MHD_destroy_response(resp);
    return ret;
}

static void server_start(server *s, const route *routes, size_t n)
{
    memset(s, 0, sizeof *s);
    pthread_mutex_init(&s->mu, NULL);
    s->routes = routes;
    s->nroutes = n;
    struct sockaddr_in sa;
    memset(&sa, 0, sizeof sa);
    sa.sin_family = AF_INET;
    sa.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    s->d = MHD_start_daemon(MHD_USE_INTERNAL_POLLING_THREAD | MHD_USE_THREAD_PER_CONNECTION,
                            0, NULL, NULL, on_request, s,
                            MHD_OPTION_SOCK_ADDR, (struct sockaddr *)&sa,
                            MHD_OPTION_CONNECTION_TIMEOUT, (unsigned)10,
                            MHD_OPTION_END);
    assert_non_null(s->d);
    const union MHD_DaemonInfo *info = MHD_get_daemon_info(s->d, MHD_DAEMON_INFO_BIND_PORT);
    assert_non_null(info);
    s->port = info->port;
    snprintf(s->base, sizeof s->base, "http://127.0.0.1:%u", (unsigned)s->port);
}

/* How many requests for path the server received. */
static int count_path(server *s, const char *path)
{
    int n = 0;
    pthread_mutex_lock(&s->mu);
    for (int i = 0; i < s->nseen; i++)
        n += strcmp(s->seen[i].path, path) == 0;
    pthread_mutex_unlock(&s->mu);
    return n;
}

/* Runs the vigie binary with --db and the given arguments; returns its
 * exit status and, when out is not NULL, what it printed on stdout. */
static int vigie(const fixture *fx, vg_buf *out, ...)
{
    const char *bin = getenv("VG_BINARY");
    assert_non_null(bin);
    char *argv[32];
    int argc = 0;
    argv[argc++] = (char *)bin;
    argv[argc++] = "--db";
    argv[argc++] = (char *)fx->db;
    va_list ap;
    va_start(ap, out);
    char *a;
    while ((a = va_arg(ap, char *)) && argc < 31)
        argv[argc++] = a;
    va_end(ap);
    argv[argc] = NULL;
    int fds[2];
    assert_int_equal(pipe(fds), 0);
    pid_t pid = fork();
    assert_true(pid >= 0);
    if (pid == 0) {
        dup2(fds[1], STDOUT_FILENO);
        close(fds[0]);
        close(fds[1]);
        execv(bin, argv);
        _exit(127);
    }
    close(fds[1]);
    char chunk[4096];
    ssize_t n;
    while ((n = read(fds[0], chunk, sizeof chunk)) > 0)
        if (out)
            vg_buf_append(out, chunk, (size_t)n);
    close(fds[0]);
    int status = 0;
    waitpid(pid, &status, 0);
    return WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
}

static int setup(void **state)
{
    fixture *fx = calloc(1, sizeof *fx);
    snprintf(fx->dir, sizeof fx->dir, "/tmp/vigie-crawler-XXXXXX");
    assert_non_null(mkdtemp(fx->dir));
    snprintf(fx->db, sizeof fx->db, "%s/vigie.db", fx->dir);
    assert_int_equal(vigie(fx, NULL, "init", NULL), 0);
    /* Scenarios that test the delay set it themselves. */
    assert_int_equal(vigie(fx, NULL, "config", "set", "crawl.host_delay_ms", "0", NULL), 0);
    *state = fx;
    return 0;
}

static int teardown(void **state)
{
    fixture *fx = *state;
    if (fx->srv.d)
        MHD_stop_daemon(fx->srv.d);
    pthread_mutex_destroy(&fx->srv.mu);
    char p[128];
    static const char *suffix[] = {"", "-wal", "-shm"};
    for (int i = 0; i < 3; i++) {
        snprintf(p, sizeof p, "%s%s", fx->db, suffix[i]);
        unlink(p);
    }
    rmdir(fx->dir);
    free(fx);
    return 0;
}

static void add_feed(fixture *fx, const char *path)
{
    char url[256];
    snprintf(url, sizeof url, "%s%s", fx->srv.base, path);
    assert_int_equal(vigie(fx, NULL, "-q", "source", "add", url, "--kind", "feed", NULL), 0);
}

static void crawl(fixture *fx, int all)
{
    assert_int_equal(vigie(fx, NULL, "-q", "crawl", "--once", all ? "--all" : NULL, NULL), 0);
}

/* The one source whose URL ends with suffix; the caller frees with
 * store_source_array_free(v, n). */
static store_source *source_ending(const fixture *fx, const char *suffix,
                                   store_source **all, size_t *n)
{
    store *st = NULL;
    assert_int_equal(store_open(fx->db, &st), VG_OK);
    assert_int_equal(store_source_list(st, all, n), VG_OK);
    store_close(st);
    for (size_t i = 0; i < *n; i++) {
        size_t ul = strlen((*all)[i].url), sl = strlen(suffix);
        if (ul >= sl && strcmp((*all)[i].url + ul - sl, suffix) == 0)
            return &(*all)[i];
    }
    fail_msg("no source ending in %s", suffix);
    return NULL;
}

static void assert_error_has(const store_source *s, const char *part)
{
    assert_non_null(s->last_error);
    if (!strstr(s->last_error, part))
        fail_msg("last_error '%s' lacks '%s'", s->last_error, part);
}

#define START(fx, routes) server_start(&(fx)->srv, routes, sizeof(routes) / sizeof(routes[0]))

static void etag_then_304_sends_validator_and_keeps_source_healthy(void **state)
{
    fixture *fx = *state;
    static const route routes[] = {{"/feed.xml", 200, FEED_BODY, NULL, "\"v1\"", NULL, 0, 0, 0, 0}};
    START(fx, routes);
    add_feed(fx, "/feed.xml");
    crawl(fx, 0);
    crawl(fx, 1);
    assert_int_equal(count_path(&fx->srv, "/feed.xml"), 2);
    int last = -1;
    for (int i = 0; i < fx->srv.nseen; i++)
        if (strcmp(fx->srv.seen[i].path, "/feed.xml") == 0)
            last = i;
    assert_string_equal(fx->srv.seen[last].inm, "\"v1\"");
    store_source *all = NULL;
    size_t n = 0;
    store_source *s = source_ending(fx, "/feed.xml", &all, &n);
    assert_int_equal(s->last_status, 304);
    assert_null(s->last_error);
    assert_int_equal(s->error_count, 0);
    assert_string_equal(s->etag, "\"v1\"");
    store_source_array_free(all, n);
}

static void too_many_requests_waits_at_least_retry_after(void **state)
{
    fixture *fx = *state;
    static const route routes[] = {{"/feed.xml", 429, "slow down", NULL, NULL, "Retry-After: 7200", 0, 0, 0, 0}};
    START(fx, routes);
    add_feed(fx, "/feed.xml");
    int64_t before = vg_now();
    crawl(fx, 0);
    assert_int_equal(count_path(&fx->srv, "/feed.xml"), 1);
    store_source *all = NULL;
    size_t n = 0;
    store_source *s = source_ending(fx, "/feed.xml", &all, &n);
    assert_int_equal(s->last_status, 429);
    assert_int_equal(s->error_count, 1);
    /* Retry-After is a floor. The pipeline's +-10 % jitter can still land
     * under it (app/pipeline.c schedule_next; see docs/crawler.md): assert
     * the floor minus that jitter until the scheduler clamps it. */
    assert_true(s->next_fetch_at >= before + 7200 - 7200 / 10);
    store_source_array_free(all, n);
}

static void unavailable_then_recovery_resets_error_count(void **state)
{
    fixture *fx = *state;
    static const route routes[] = {{"/feed.xml", 200, FEED_BODY, NULL, NULL, NULL, 1, 0, 0, 0}};
    START(fx, routes);
    add_feed(fx, "/feed.xml");
    crawl(fx, 0);
    store_source *all = NULL;
    size_t n = 0;
    store_source *s = source_ending(fx, "/feed.xml", &all, &n);
    assert_int_equal(s->last_status, 503);
    assert_int_equal(s->error_count, 1);
    assert_true(s->failing_since > 0);
    store_source_array_free(all, n);
    crawl(fx, 1);
    s = source_ending(fx, "/feed.xml", &all, &n);
    assert_int_equal(s->last_status, 200);
    assert_int_equal(s->error_count, 0);
    assert_null(s->last_error);
    assert_int_equal(s->failing_since, 0);
    store_source_array_free(all, n);
    assert_int_equal(count_path(&fx->srv, "/feed.xml"), 2);
}

static void permanent_redirect_chain_updates_stored_url(void **state)
{
    fixture *fx = *state;
    static const route routes[] = {
        {"/old.xml", 301, "", "/mid.xml", NULL, NULL, 0, 0, 0, 0},
        {"/mid.xml", 308, "", "/feed.xml", NULL, NULL, 0, 0, 0, 0},
        {"/feed.xml", 200, FEED_BODY, NULL, NULL, NULL, 0, 0, 0, 0}};
    START(fx, routes);
    add_feed(fx, "/old.xml");
    crawl(fx, 0);
    assert_int_equal(count_path(&fx->srv, "/old.xml"), 1);
    assert_int_equal(count_path(&fx->srv, "/mid.xml"), 1);
    assert_int_equal(count_path(&fx->srv, "/feed.xml"), 1);
    store_source *all = NULL;
    size_t n = 0;
    store_source *s = source_ending(fx, "/feed.xml", &all, &n);
    assert_int_equal(n, 1);
    assert_int_equal(s->last_status, 200);
    store_source_array_free(all, n);
}

static void temporary_redirect_keeps_stored_url(void **state)
{
    fixture *fx = *state;
    static const route routes[] = {
        {"/temp.xml", 302, "", "/feed.xml", NULL, NULL, 0, 0, 0, 0},
        {"/feed.xml", 200, FEED_BODY, NULL, NULL, NULL, 0, 0, 0, 0}};
    START(fx, routes);
    add_feed(fx, "/temp.xml");
    crawl(fx, 0);
    assert_int_equal(count_path(&fx->srv, "/feed.xml"), 1);
    store_source *all = NULL;
    size_t n = 0;
    store_source *s = source_ending(fx, "/temp.xml", &all, &n);
    assert_int_equal(s->last_status, 200);
    assert_null(s->last_error);
    store_source_array_free(all, n);
}

static void redirect_loop_stops_after_five_hops(void **state)
{
    fixture *fx = *state;
    static const route routes[] = {
        {"/a.xml", 302, "", "/b.xml", NULL, NULL, 0, 0, 0, 0},
        {"/b.xml", 302, "", "/a.xml", NULL, NULL, 0, 0, 0, 0}};
    START(fx, routes);
    add_feed(fx, "/a.xml");
    crawl(fx, 0);
    int hops = count_path(&fx->srv, "/a.xml") + count_path(&fx->srv, "/b.xml");
    assert_int_equal(hops, 6); /* the request and five redirects */
    store_source *all = NULL;
    size_t n = 0;
    store_source *s = source_ending(fx, "/a.xml", &all, &n);
    assert_error_has(s, "redirects");
    assert_int_equal(s->error_count, 1);
    store_source_array_free(all, n);
}

static void slow_drip_is_cut_by_the_timeout(void **state)
{
    fixture *fx = *state;
    static const route routes[] = {{"/drip.xml", 200, NULL, NULL, NULL, NULL, 0, 60, 0, 100}};
    START(fx, routes);
    assert_int_equal(vigie(fx, NULL, "config", "set", "crawl.timeout_ms", "1000", NULL), 0);
    add_feed(fx, "/drip.xml");
    crawl(fx, 0);
    assert_int_equal(count_path(&fx->srv, "/drip.xml"), 1);
    store_source *all = NULL;
    size_t n = 0;
    store_source *s = source_ending(fx, "/drip.xml", &all, &n);
    assert_error_has(s, "timeout after 1000 ms");
    assert_int_equal(s->error_count, 1);
    store_source_array_free(all, n);
}

static void body_over_cap_is_refused_plain_and_gzip(void **state)
{
    fixture *fx = *state;
    static const route routes[] = {
        {"/plain.xml", 200, NULL, NULL, NULL, NULL, 0, 10000, 0, 0},
        {"/zipped.xml", 200, NULL, NULL, NULL, NULL, 0, 1000000, 1, 0}};
    START(fx, routes);
    assert_int_equal(vigie(fx, NULL, "config", "set", "crawl.max_body", "4096", NULL), 0);
    add_feed(fx, "/plain.xml");
    add_feed(fx, "/zipped.xml");
    crawl(fx, 0);
    assert_int_equal(count_path(&fx->srv, "/plain.xml"), 1);
    assert_int_equal(count_path(&fx->srv, "/zipped.xml"), 1);
    store_source *all = NULL;
    size_t n = 0;
    assert_error_has(source_ending(fx, "/plain.xml", &all, &n), "body over 4096 bytes");
    store_source_array_free(all, n);
    assert_error_has(source_ending(fx, "/zipped.xml", &all, &n), "body over 4096 bytes");
    store_source_array_free(all, n);
}

static void robots_disallow_refuses_without_requesting(void **state)
{
    fixture *fx = *state;
    static const route routes[] = {
        {"/robots.txt", 200, "User-agent: *\nDisallow: /private/\n", NULL, NULL, NULL, 0, 0, 0, 0},
        {"/private/feed.xml", 200, FEED_BODY, NULL, NULL, NULL, 0, 0, 0, 0},
        {"/public.xml", 200, FEED_BODY, NULL, NULL, NULL, 0, 0, 0, 0}};
    START(fx, routes);
    add_feed(fx, "/private/feed.xml");
    add_feed(fx, "/public.xml");
    crawl(fx, 0);
    assert_int_equal(count_path(&fx->srv, "/robots.txt"), 1);
    assert_int_equal(count_path(&fx->srv, "/private/feed.xml"), 0);
    assert_int_equal(count_path(&fx->srv, "/public.xml"), 1);
    store_source *all = NULL;
    size_t n = 0;
    store_source *s = source_ending(fx, "/private/feed.xml", &all, &n);
    assert_string_equal(s->last_error, FETCH_ROBOTS_ERROR);
    assert_int_equal(s->error_count, 1);
    store_source_array_free(all, n);
    s = source_ending(fx, "/public.xml", &all, &n);
    assert_null(s->last_error);
    assert_int_equal(s->last_status, 200);
    store_source_array_free(all, n);
}

/* The configured User-Agent is sent with every request and is the name
 * robots.txt groups are matched against; one that hides vigie's name or
 * breaks the header is refused. */
static void configured_user_agent_is_sent_and_obeyed(void **state)
{
    fixture *fx = *state;
    static const route routes[] = {
        {"/robots.txt", 200,
         "User-agent: vigie-acme\nAllow: /\n\nUser-agent: *\nDisallow: /\n", NULL, NULL, NULL,
         0, 0, 0, 0},
        {"/feed.xml", 200, FEED_BODY, NULL, NULL, NULL, 0, 0, 0, 0}};
    const char *ua = "vigie-acme/2.0 (+https://acme.example/listening-bot)";
    START(fx, routes);
    assert_int_equal(vigie(fx, NULL, "-q", "config", "set", "crawl.user_agent", "curl/8", NULL), 2);
    assert_int_equal(vigie(fx, NULL, "-q", "config", "set", "crawl.user_agent",
                           "vigie\r\nX-Evil: 1", NULL),
                     2);
    assert_int_equal(vigie(fx, NULL, "-q", "config", "set", "crawl.user_agent", ua, NULL), 0);
    add_feed(fx, "/feed.xml");
    crawl(fx, 0);
    assert_int_equal(count_path(&fx->srv, "/feed.xml"), 1);
    pthread_mutex_lock(&fx->srv.mu);
    assert_true(fx->srv.nseen >= 2);
    for (int i = 0; i < fx->srv.nseen; i++)
        assert_string_equal(fx->srv.seen[i].ua, ua);
    pthread_mutex_unlock(&fx->srv.mu);
}

static void robots_server_error_refuses_the_whole_host(void **state)
{
    fixture *fx = *state;
    static const route routes[] = {
        {"/robots.txt", 500, "oops", NULL, NULL, NULL, 0, 0, 0, 0},
        {"/feed.xml", 200, FEED_BODY, NULL, NULL, NULL, 0, 0, 0, 0}};
    START(fx, routes);
    add_feed(fx, "/feed.xml");
    crawl(fx, 0);
    assert_int_equal(count_path(&fx->srv, "/robots.txt"), 1);
    assert_int_equal(count_path(&fx->srv, "/feed.xml"), 0);
    store_source *all = NULL;
    size_t n = 0;
    store_source *s = source_ending(fx, "/feed.xml", &all, &n);
    assert_error_has(s, FETCH_ROBOTS_ERROR);
    assert_error_has(s, "HTTP 500");
    assert_int_equal(s->error_count, 1);
    store_source_array_free(all, n);
}

/* Gaps between consecutive arrivals, robots.txt included. */
static void assert_gaps_at_least(server *srv, int64_t min_ms, int want)
{
    pthread_mutex_lock(&srv->mu);
    int n = srv->nseen;
    pthread_mutex_unlock(&srv->mu);
    assert_int_equal(n, want);
    for (int i = 1; i < n; i++) {
        int64_t gap = srv->seen[i].at_ms - srv->seen[i - 1].at_ms;
        if (gap < min_ms)
            fail_msg("gap %d (%s -> %s) is %lld ms, under %lld", i,
                     srv->seen[i - 1].path, srv->seen[i].path, (long long)gap,
                     (long long)min_ms);
    }
}

static void host_delay_spaces_requests_to_one_host(void **state)
{
    fixture *fx = *state;
    static const route routes[] = {
        {"/a.xml", 200, FEED_BODY, NULL, NULL, NULL, 0, 0, 0, 0},
        {"/b.xml", 200, FEED_BODY, NULL, NULL, NULL, 0, 0, 0, 0},
        {"/c.xml", 200, FEED_BODY, NULL, NULL, NULL, 0, 0, 0, 0}};
    START(fx, routes);
    assert_int_equal(vigie(fx, NULL, "config", "set", "crawl.host_delay_ms", "300", NULL), 0);
    add_feed(fx, "/a.xml");
    add_feed(fx, "/b.xml");
    add_feed(fx, "/c.xml");
    crawl(fx, 0);
    /* robots.txt, then the three feeds. The engine spaces starts by 300
     * ms; arrivals also carry connection set-up (the first request opens
     * the connection, later ones reuse it), hence the slack. */
    assert_gaps_at_least(&fx->srv, 240, 4);
}

static void crawl_delay_raises_the_host_delay(void **state)
{
    fixture *fx = *state;
    static const route routes[] = {
        {"/robots.txt", 200, "User-agent: vigie\nCrawl-delay: 0.6\nDisallow:\n", NULL, NULL, NULL, 0, 0, 0, 0},
        {"/a.xml", 200, FEED_BODY, NULL, NULL, NULL, 0, 0, 0, 0},
        {"/b.xml", 200, FEED_BODY, NULL, NULL, NULL, 0, 0, 0, 0}};
    START(fx, routes);
    add_feed(fx, "/a.xml");
    add_feed(fx, "/b.xml");
    crawl(fx, 0);
    /* 600 ms between starts, less the connection set-up slack. */
    assert_gaps_at_least(&fx->srv, 480, 3);
}

static void dead_port_records_connection_refused(void **state)
{
    fixture *fx = *state;
    /* A port that was free a moment ago: bound, read, closed. */
    int sock = socket(AF_INET, SOCK_STREAM, 0);
    struct sockaddr_in sa;
    memset(&sa, 0, sizeof sa);
    sa.sin_family = AF_INET;
    sa.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    assert_int_equal(bind(sock, (struct sockaddr *)&sa, sizeof sa), 0);
    socklen_t sl = sizeof sa;
    assert_int_equal(getsockname(sock, (struct sockaddr *)&sa, &sl), 0);
    close(sock);
    char url[128];
    snprintf(url, sizeof url, "http://127.0.0.1:%u/feed.xml", (unsigned)ntohs(sa.sin_port));
    assert_int_equal(vigie(fx, NULL, "-q", "source", "add", url, "--kind", "feed", NULL), 0);
    crawl(fx, 0);
    store_source *all = NULL;
    size_t n = 0;
    store_source *s = source_ending(fx, "/feed.xml", &all, &n);
    assert_error_has(s, "connection refused");
    assert_int_equal(s->last_status, 0);
    assert_int_equal(s->error_count, 1);
    store_source_array_free(all, n);
}

static void discovery_adds_the_first_linked_feed(void **state)
{
    fixture *fx = *state;
    static const route routes[] = {
        {"/", 200,
         "<!doctype html><html><head><title>Site</title>"
         "<link rel=\"alternate\" type=\"application/rss+xml\" href=\"/feed.xml\">"
         "<link rel=\"alternate\" type=\"application/atom+xml\" href=\"/atom.xml\">"
         "</head><body><p>Hello.</p></body></html>",
         NULL, NULL, NULL, 0, 0, 0, 0},
        {"/about", 200, "<!doctype html><html><head><title>About</title></head>"
                        "<body><p>No feeds here.</p></body></html>",
         NULL, NULL, NULL, 0, 0, 0, 0}};
    START(fx, routes);
    char url[128], about[128];
    snprintf(url, sizeof url, "%s/", fx->srv.base);
    snprintf(about, sizeof about, "%s/about", fx->srv.base);
    vg_buf out;
    vg_buf_init(&out, 1 << 16);
    assert_int_equal(vigie(fx, &out, "source", "add", url, NULL), 0);
    assert_non_null(strstr(vg_buf_str(&out), "other feed: "));
    assert_non_null(strstr(vg_buf_str(&out), "/atom.xml"));
    vg_buf_free(&out);
    assert_int_equal(vigie(fx, NULL, "-q", "source", "add", about, NULL), 0);
    assert_int_equal(count_path(&fx->srv, "/"), 1);
    store_source *all = NULL;
    size_t n = 0;
    store_source *s = source_ending(fx, "/feed.xml", &all, &n);
    assert_int_equal(n, 2);
    assert_string_equal(s->kind, "feed");
    store_source_array_free(all, n);
    s = source_ending(fx, "/about", &all, &n);
    assert_string_equal(s->kind, "page");
    store_source_array_free(all, n);
}

static void source_headers_are_stored_sent_and_never_listed(void **state)
{
    fixture *fx = *state;
    static const route routes[] = {{"/private.xml", 200, FEED_BODY, NULL, NULL, NULL, 0, 0, 0, 0}};
    START(fx, routes);
    char url[128];
    snprintf(url, sizeof url, "%s/private.xml", fx->srv.base);
    assert_int_equal(vigie(fx, NULL, "-q", "source", "add", url, "--header",
                           "Authorization: Bearer s3cret", NULL), 0);
    assert_int_equal(vigie(fx, NULL, "source", "add", "http://127.0.0.1:9/x.xml",
                           "--header", "no colon", NULL), 2);
    static const char *const formats[] = {"table", "csv", "json"};
    for (size_t i = 0; i < 3; i++) {
        vg_buf out;
        vg_buf_init(&out, 1 << 16);
        assert_int_equal(vigie(fx, &out, "source", "list", "--format", formats[i], NULL), 0);
        assert_non_null(strstr(vg_buf_str(&out), "/private.xml"));
        assert_null(strstr(vg_buf_str(&out), "s3cret"));
        vg_buf_free(&out);
    }
    store_source *all = NULL;
    size_t n = 0;
    store_source *s = source_ending(fx, "/private.xml", &all, &n);
    assert_string_equal(s->headers, "Authorization: Bearer s3cret");
    /* What the scheduler hands the fetcher, sent as given. */
    fetch_request *req = calloc(1, sizeof *req);
    req->url = strdup(s->url);
    assert_int_equal(fetch_headers_parse(s->headers, &req->headers), VG_OK);
    store_source_array_free(all, n);
    fetch_engine *e = NULL;
    assert_int_equal(fetch_engine_new(NULL, &e), VG_OK);
    assert_int_equal(fetch_engine_add(e, req), VG_OK);
    int64_t end = vg_mono_ms() + 10000;
    while (fetch_engine_perform(e, 200, NULL, NULL) > 0 && vg_mono_ms() < end)
        ;
    fetch_engine_free(e);
    assert_int_equal(count_path(&fx->srv, "/private.xml"), 1);
    for (int i = 0; i < fx->srv.nseen; i++)
        if (strcmp(fx->srv.seen[i].path, "/private.xml") == 0)
            assert_string_equal(fx->srv.seen[i].auth, "Bearer s3cret");
        else
            assert_string_equal(fx->srv.seen[i].auth, ""); /* not to robots.txt */
}

int main(void)
{
    const struct CMUnitTest tests[] = {
#define T(f) cmocka_unit_test_setup_teardown(f, setup, teardown)
        T(etag_then_304_sends_validator_and_keeps_source_healthy),
        T(too_many_requests_waits_at_least_retry_after),
        T(unavailable_then_recovery_resets_error_count),
        T(permanent_redirect_chain_updates_stored_url),
        T(temporary_redirect_keeps_stored_url),
        T(redirect_loop_stops_after_five_hops),
        T(slow_drip_is_cut_by_the_timeout),
        T(body_over_cap_is_refused_plain_and_gzip),
        T(robots_disallow_refuses_without_requesting),
        T(robots_server_error_refuses_the_whole_host),
        T(configured_user_agent_is_sent_and_obeyed),
        T(host_delay_spaces_requests_to_one_host),
        T(crawl_delay_raises_the_host_delay),
        T(dead_port_records_connection_refused),
        T(discovery_adds_the_first_linked_feed),
        T(source_headers_are_stored_sent_and_never_listed),
#undef T
    };
    curl_global_init(CURL_GLOBAL_DEFAULT);
    int rc = cmocka_run_group_tests(tests, NULL, NULL);
    curl_global_cleanup();
    return rc;
}
