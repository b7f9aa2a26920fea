/*
 * The fetch engine against a real HTTP server: a libmicrohttpd daemon on
 * 127.0.0.1 (port picked by the kernel) serving scripted routes, so
 * redirects, validators, caps, politeness and failures are checked on the
 * wire rather than against mocks. Every wait is bounded by a deadline: a
 * bug fails a test instead of hanging it.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include "crawler/fetch.h"
#include "crawler/fetch_int.h"
#include "core/vtime.h"

#include <arpa/inet.h>
#include <curl/curl.h>
#include <microhttpd.h>
#include <netinet/in.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>
#include <zlib.h>

#define MAX_ARRIVALS 64

/* ---- the scripted server ---------------------------------------------- */

typedef struct route {
    const char *path;
    int status;
    const char *location;
    const char *hname; /* one extra header, may be NULL */
    const char *hvalue;
    const char *body;
} route;

static const route routes[] = {
    {"/ok", 200, NULL, "Content-Type", "text/plain; charset=utf-8", "hello"},
    /* The hop's ETag must not survive into the final result. */
    {"/p1", 301, "/p2", "ETag", "\"hop\"", "moved"},
    {"/p2", 308, "/ok", "Retry-After", "60", "moved again"},
    {"/t1", 302, "/ok", NULL, NULL, "found"},
    {"/m1", 301, "/m2", NULL, NULL, ""},
    {"/m2", 302, "/ok", NULL, NULL, ""},
    {"/loop", 302, "/loop", NULL, NULL, ""},
    {"/busy", 503, NULL, "Retry-After", "120", "busy"},
    {"/missing", 404, NULL, NULL, NULL, "no"},
    {"/old-etag", 301, "/etag", NULL, NULL, ""},
};

/* What the server saw; read through a snapshot so that a failing assert
 * (cmocka jumps out of the test) never leaves the mutex held. */
typedef struct seen {
    int64_t arrivals[MAX_ARRIVALS];
    int narrivals;
    char hosts_seen[MAX_ARRIVALS][64];
    int concurrent;
    int max_concurrent;
    char inm[128];
    char ims[128];
    char accept_encoding[128];
    char user_agent[256];
} seen;

static struct {
    struct MHD_Daemon *d;
    int port;
    pthread_mutex_t mu;
    seen s;
    unsigned char *gz_small;
    size_t gz_small_len;
    unsigned char *gz_bomb;
    size_t gz_bomb_len;
} srv;

static const char gz_text[] = "Le service client est excellent, bravo.";

static void copy_header(struct MHD_Connection *c, const char *name, char *out,
                        size_t n)
{
    const char *v = MHD_lookup_connection_value(c, MHD_HEADER_KIND, name);
    snprintf(out, n, "%s", v ? v : "");
}

static enum MHD_Result reply(struct MHD_Connection *c, int status,
                             const void *body, size_t len, const char *hname,
                             const char *hvalue, const char *encoding)
{
    struct MHD_Response *r =
        MHD_create_response_from_buffer(len, (void *)body, MHD_RESPMEM_MUST_COPY);
    if (!r)
        return MHD_NO;
    if (hname)
        MHD_add_response_header(r, hname, hvalue);
    if (encoding)
        MHD_add_response_header(r, "Content-Encoding", encoding);
    enum MHD_Result rc = MHD_queue_response(c, (unsigned)status, r);
    MHD_destroy_response(r);
    return rc;
}

static enum MHD_Result handler(void *cls, struct MHD_Connection *c,
                               const char *url, const char *method,
                               const char *version, const char *upload,
                               size_t *upload_size, void **state)
{
    static int marker;
    (void)cls, (void)method, (void)version, (void)upload, (void)upload_size;
    if (*state == NULL) {
        *state = &marker; /* headers only so far; answer on the next call */
        return MHD_YES;
    }
    for (size_t i = 0; i < sizeof(routes) / sizeof(routes[0]); i++) {
        const route *rt = &routes[i];
        if (strcmp(url, rt->path) != 0)
            continue;
        if (strcmp(url, "/ok") == 0) {
            pthread_mutex_lock(&srv.mu);
            copy_header(c, "User-Agent", srv.s.user_agent, sizeof(srv.s.user_agent));
            pthread_mutex_unlock(&srv.mu);
        }
        struct MHD_Response *r = MHD_create_response_from_buffer(
            strlen(rt->body), (void *)rt->body, MHD_RESPMEM_MUST_COPY);
        if (!r)
            return MHD_NO;
        if (rt->location)
            MHD_add_response_header(r, "Location", rt->location);
        if (rt->hname)
            MHD_add_response_header(r, rt->hname, rt->hvalue);
        enum MHD_Result rc = MHD_queue_response(c, (unsigned)rt->status, r);
        MHD_destroy_response(r);
        return rc;
    }
    if (strcmp(url, "/etag") == 0) {
        pthread_mutex_lock(&srv.mu);
        copy_header(c, "If-None-Match", srv.s.inm, sizeof(srv.s.inm));
        copy_header(c, "If-Modified-Since", srv.s.ims, sizeof(srv.s.ims));
        int match = strcmp(srv.s.inm, "\"v1\"") == 0;
        pthread_mutex_unlock(&srv.mu);
        struct MHD_Response *r = MHD_create_response_from_buffer(
            match ? 0 : 4, (void *)"body", MHD_RESPMEM_MUST_COPY);
        if (!r)
            return MHD_NO;
        MHD_add_response_header(r, "ETag", "\"v1\"");
        MHD_add_response_header(r, "Last-Modified",
                                "Tue, 04 Nov 2025 10:00:00 GMT");
        enum MHD_Result rc = MHD_queue_response(c, match ? 304 : 200, r);
        MHD_destroy_response(r);
        return rc;
    }
    if (strcmp(url, "/busy-date") == 0) {
        char date[64];
        time_t t = time(NULL) + 300;
        struct tm tm;
        gmtime_r(&t, &tm);
        strftime(date, sizeof(date), "%a, %d %b %Y %H:%M:%S GMT", &tm);
        return reply(c, 429, "slow down", 9, "Retry-After", date, NULL);
    }
    if (strcmp(url, "/big") == 0) {
        static char big[5000];
        memset(big, 'x', sizeof(big));
        return reply(c, 200, big, sizeof(big), NULL, NULL, NULL);
    }
    if (strcmp(url, "/gz") == 0) {
        pthread_mutex_lock(&srv.mu);
        copy_header(c, "Accept-Encoding", srv.s.accept_encoding,
                    sizeof(srv.s.accept_encoding));
        pthread_mutex_unlock(&srv.mu);
        return reply(c, 200, srv.gz_small, srv.gz_small_len, NULL, NULL, "gzip");
    }
    if (strcmp(url, "/gzbomb") == 0)
        return reply(c, 200, srv.gz_bomb, srv.gz_bomb_len, NULL, NULL, "gzip");
    if (strcmp(url, "/paced") == 0 || strcmp(url, "/who") == 0) {
        pthread_mutex_lock(&srv.mu);
        if (srv.s.narrivals < MAX_ARRIVALS) {
            srv.s.arrivals[srv.s.narrivals] = vg_mono_ms();
            copy_header(c, "Host", srv.s.hosts_seen[srv.s.narrivals],
                        sizeof(srv.s.hosts_seen[0]));
            srv.s.narrivals++;
        }
        pthread_mutex_unlock(&srv.mu);
        return reply(c, 200, "ok", 2, NULL, NULL, NULL);
    }
    if (strcmp(url, "/slow") == 0) {
        pthread_mutex_lock(&srv.mu);
        srv.s.concurrent++;
        if (srv.s.concurrent > srv.s.max_concurrent)
            srv.s.max_concurrent = srv.s.concurrent;
        pthread_mutex_unlock(&srv.mu);
        usleep(100 * 1000);
        pthread_mutex_lock(&srv.mu);
        srv.s.concurrent--;
        pthread_mutex_unlock(&srv.mu);
        return reply(c, 200, "slow", 4, NULL, NULL, NULL);
    }
    if (strcmp(url, "/sleep") == 0) {
        usleep(600 * 1000);
        return reply(c, 200, "late", 4, NULL, NULL, NULL);
    }
    return reply(c, 404, "none", 4, NULL, NULL, NULL);
}

static unsigned char *gzip_bytes(const void *data, size_t n, size_t *out_len)
{
    z_stream z;
    memset(&z, 0, sizeof(z));
    /* 15 + 16: a gzip wrapper rather than zlib's, as HTTP gzip expects. */
    if (deflateInit2(&z, 9, Z_DEFLATED, 15 + 16, 8, Z_DEFAULT_STRATEGY) != Z_OK)
        return NULL;
    size_t cap = deflateBound(&z, (uLong)n);
    unsigned char *out = malloc(cap);
    if (!out) {
        deflateEnd(&z);
        return NULL;
    }
    z.next_in = (Bytef *)data;
    z.avail_in = (uInt)n;
    z.next_out = out;
    z.avail_out = (uInt)cap;
    int rc = deflate(&z, Z_FINISH);
    *out_len = z.total_out;
    deflateEnd(&z);
    if (rc != Z_STREAM_END) {
        free(out);
        return NULL;
    }
    return out;
}

static void server_reset(void)
{
    pthread_mutex_lock(&srv.mu);
    memset(&srv.s, 0, sizeof(srv.s));
    pthread_mutex_unlock(&srv.mu);
}

static seen server_seen(void)
{
    pthread_mutex_lock(&srv.mu);
    seen copy = srv.s;
    pthread_mutex_unlock(&srv.mu);
    return copy;
}

static int server_start(void **state)
{
    (void)state;
    pthread_mutex_init(&srv.mu, NULL);
    srv.gz_small = gzip_bytes(gz_text, strlen(gz_text), &srv.gz_small_len);
    size_t bomb_n = 1u << 20; /* 1 MiB of zeros: about 1 KiB compressed */
    char *zeros = calloc(1, bomb_n);
    if (!zeros)
        return -1;
    srv.gz_bomb = gzip_bytes(zeros, bomb_n, &srv.gz_bomb_len);
    free(zeros);
    if (!srv.gz_small || !srv.gz_bomb || srv.gz_bomb_len > 8192)
        return -1;

    struct sockaddr_in addr;
    memset(&addr, 0, sizeof(addr));
    addr.sin_family = AF_INET;
    addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    addr.sin_port = 0;
    srv.d = MHD_start_daemon(
        MHD_USE_INTERNAL_POLLING_THREAD | MHD_USE_THREAD_PER_CONNECTION, 0,
        NULL, NULL, handler, NULL, MHD_OPTION_SOCK_ADDR, &addr,
        MHD_OPTION_CONNECTION_TIMEOUT, (unsigned)5, MHD_OPTION_END);
    if (!srv.d)
        return -1;
    const union MHD_DaemonInfo *info =
        MHD_get_daemon_info(srv.d, MHD_DAEMON_INFO_BIND_PORT);
    srv.port = info ? info->port : 0;
    return srv.port > 0 ? 0 : -1;
}

static int server_stop(void **state)
{
    (void)state;
    if (srv.d)
        MHD_stop_daemon(srv.d);
    free(srv.gz_small);
    free(srv.gz_bomb);
    pthread_mutex_destroy(&srv.mu);
    return 0;
}

/* ---- client helpers --------------------------------------------------- */

static void url_for(char *out, size_t n, const char *host, const char *path)
{
    snprintf(out, n, "http://%s:%d%s", host, srv.port, path);
}

static fetch_request *request_new(const char *url, const char *etag,
                                  const char *last_modified)
{
    fetch_request *r = calloc(1, sizeof(*r));
    assert_non_null(r);
    r->url = strdup(url);
    r->etag = etag ? strdup(etag) : NULL;
    r->last_modified = last_modified ? strdup(last_modified) : NULL;
    return r;
}

typedef struct collected {
    fetch_result *res[MAX_ARRIVALS];
    int n;
} collected;

static void collect(fetch_result *res, void *arg)
{
    collected *c = arg;
    if (c->n < MAX_ARRIVALS)
        c->res[c->n++] = res;
    else
        fetch_result_free(res);
}

static void collected_free(collected *c)
{
    for (int i = 0; i < c->n; i++)
        fetch_result_free(c->res[i]);
    c->n = 0;
}

/* Performs until want results arrived or deadline_ms passed. */
static void run_until(fetch_engine *e, collected *c, int want, int slice_ms,
                      int64_t deadline_ms)
{
    int64_t end = vg_mono_ms() + deadline_ms;
    while (c->n < want && vg_mono_ms() < end)
        fetch_engine_perform(e, slice_ms, collect, c);
}

static fetch_options test_options(void)
{
    fetch_options o = FETCH_OPTIONS_INIT;
    /* These tests count what the server receives; robots.txt has its own. */
    o.obey_robots = 0;
    o.host_delay_ms = 0;
    o.timeout_ms = 5000;
    o.connect_timeout_ms = 2000;
    return o;
}

/* One request through a fresh engine; the caller frees the result. */
static fetch_result *fetch_one(const fetch_options *o, const char *path,
                               const char *etag, const char *last_modified)
{
    char url[256];
    url_for(url, sizeof(url), "127.0.0.1", path);
    fetch_engine *e = NULL;
    assert_int_equal(fetch_engine_new(o, &e), VG_OK);
    assert_int_equal(fetch_engine_add(e, request_new(url, etag, last_modified)),
                     VG_OK);
    collected c = {.n = 0};
    run_until(e, &c, 1, 200, 10000);
    fetch_engine_free(e);
    assert_int_equal(c.n, 1);
    return c.res[0];
}

static void assert_url_path(const char *url, const char *path)
{
    char want[256];
    url_for(want, sizeof(want), "127.0.0.1", path);
    assert_non_null(url);
    assert_string_equal(url, want);
}

/* ---- tests ------------------------------------------------------------ */

typedef struct route_case {
    const char *path;
    int status;
    const char *final_path;
    const char *permanent_path; /* NULL: permanent_url must be NULL */
    const char *error_part;     /* NULL: no error expected */
    const char *body;           /* NULL: body must be NULL */
    const char *etag;
    int64_t retry_after;
} route_case;

static void fetch_routes_report_status_redirects_and_errors(void **state)
{
    (void)state;
    static const route_case cases[] = {
        {"/ok", 200, "/ok", NULL, NULL, "hello", NULL, 0},
        {"/p1", 200, "/ok", "/ok", NULL, "hello", NULL, 0},
        {"/t1", 200, "/ok", NULL, NULL, "hello", NULL, 0},
        {"/m1", 200, "/ok", NULL, NULL, "hello", NULL, 0},
        {"/loop", 302, "/loop", NULL, "redirects", NULL, NULL, 0},
        {"/busy", 503, "/busy", NULL, "HTTP 503", NULL, NULL, 120},
        {"/missing", 404, "/missing", NULL, "HTTP 404", NULL, NULL, 0},
    };
    fetch_options o = test_options();
    for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
        const route_case *k = &cases[i];
        fetch_result *r = fetch_one(&o, k->path, NULL, NULL);
        assert_int_equal(r->status, k->status);
        assert_url_path(r->final_url, k->final_path);
        if (k->permanent_path)
            assert_url_path(r->permanent_url, k->permanent_path);
        else
            assert_null(r->permanent_url);
        if (k->error_part) {
            assert_non_null(r->error);
            assert_non_null(strstr(r->error, k->error_part));
        } else {
            assert_null(r->error);
        }
        if (k->body) {
            assert_non_null(r->body);
            assert_string_equal(r->body, k->body);
            assert_int_equal(r->body_len, strlen(k->body));
        } else {
            assert_null(r->body);
        }
        if (k->etag)
            assert_string_equal(r->etag, k->etag);
        else
            assert_null(r->etag);
        assert_int_equal(r->retry_after, k->retry_after);
        assert_true(r->fetched_at > 1700000000);
        fetch_result_free(r);
    }
}

static void fetch_ok_sends_user_agent_and_keeps_content_type(void **state)
{
    (void)state;
    server_reset();
    fetch_options o = test_options();
    fetch_result *r = fetch_one(&o, "/ok", NULL, NULL);
    assert_string_equal(r->content_type, "text/plain; charset=utf-8");
    assert_string_equal(r->req.url + strlen(r->req.url) - 3, "/ok");
    seen sn = server_seen();
    assert_string_equal(sn.user_agent, FETCH_USER_AGENT);
    fetch_result_free(r);

    o.user_agent = "custom-agent/1";
    r = fetch_one(&o, "/ok", NULL, NULL);
    sn = server_seen();
    assert_string_equal(sn.user_agent, "custom-agent/1");
    fetch_result_free(r);
}

static void conditional_get_sends_validators_and_accepts_304(void **state)
{
    (void)state;
    server_reset();
    fetch_options o = test_options();
    fetch_result *first = fetch_one(&o, "/etag", NULL, NULL);
    assert_int_equal(first->status, 200);
    assert_string_equal(first->body, "body");
    assert_string_equal(first->etag, "\"v1\"");
    assert_string_equal(first->last_modified, "Tue, 04 Nov 2025 10:00:00 GMT");
    seen sn = server_seen();
    assert_string_equal(sn.inm, ""); /* nothing sent without validators */

    fetch_result *second =
        fetch_one(&o, "/etag", first->etag, first->last_modified);
    assert_int_equal(second->status, 304);
    assert_null(second->error);
    assert_null(second->body);
    assert_null(second->permanent_url);
    sn = server_seen();
    assert_string_equal(sn.inm, "\"v1\"");
    assert_string_equal(sn.ims, "Tue, 04 Nov 2025 10:00:00 GMT");
    fetch_result_free(first);
    fetch_result_free(second);
}

static void conditional_get_after_permanent_redirect_keeps_new_url(void **state)
{
    (void)state;
    fetch_options o = test_options();
    fetch_result *r = fetch_one(&o, "/old-etag", "\"v1\"", NULL);
    assert_int_equal(r->status, 304);
    assert_null(r->error);
    assert_url_path(r->permanent_url, "/etag");
    fetch_result_free(r);
}

static void validators_with_line_breaks_are_not_sent(void **state)
{
    (void)state;
    server_reset();
    fetch_options o = test_options();
    fetch_result *r = fetch_one(&o, "/etag", "\"v1\"\r\nX-Evil: 1", NULL);
    assert_int_equal(r->status, 200);
    seen sn = server_seen();
    assert_string_equal(sn.inm, "");
    fetch_result_free(r);
}

static void retry_after_http_date_becomes_seconds(void **state)
{
    (void)state;
    fetch_options o = test_options();
    fetch_result *r = fetch_one(&o, "/busy-date", NULL, NULL);
    assert_int_equal(r->status, 429);
    assert_string_equal(r->error, "HTTP 429");
    assert_in_range(r->retry_after, 280, 310);
    fetch_result_free(r);
}

static void body_over_cap_is_refused(void **state)
{
    (void)state;
    fetch_options o = test_options();
    o.max_body = 1000;
    fetch_result *r = fetch_one(&o, "/big", NULL, NULL);
    assert_string_equal(r->error, "body over 1000 bytes");
    assert_null(r->body);

    o.max_body = 5000; /* exactly the size: accepted */
    fetch_result *ok = fetch_one(&o, "/big", NULL, NULL);
    assert_null(ok->error);
    assert_int_equal(ok->body_len, 5000);
    assert_int_equal(ok->body[5000], '\0');
    fetch_result_free(r);
    fetch_result_free(ok);
}

static void gzip_body_is_decompressed(void **state)
{
    (void)state;
    server_reset();
    fetch_options o = test_options();
    fetch_result *r = fetch_one(&o, "/gz", NULL, NULL);
    assert_null(r->error);
    assert_string_equal(r->body, gz_text);
    seen sn = server_seen();
    assert_non_null(strstr(sn.accept_encoding, "gzip"));
    fetch_result_free(r);
}

static void gzip_bomb_is_stopped_at_decompressed_cap(void **state)
{
    (void)state;
    fetch_options o = test_options();
    o.max_body = 65536; /* far above the compressed size, far below 1 MiB */
    fetch_result *r = fetch_one(&o, "/gzbomb", NULL, NULL);
    assert_string_equal(r->error, "body over 65536 bytes");
    assert_null(r->body);
    fetch_result_free(r);
}

static void host_delay_spaces_request_starts(void **state)
{
    (void)state;
    server_reset();
    fetch_options o = test_options();
    o.max_per_host = 1;
    o.host_delay_ms = 200;
    char url[256];
    url_for(url, sizeof(url), "127.0.0.1", "/paced");
    fetch_engine *e = NULL;
    assert_int_equal(fetch_engine_new(&o, &e), VG_OK);
    for (int i = 0; i < 4; i++)
        assert_int_equal(fetch_engine_add(e, request_new(url, NULL, NULL)), VG_OK);
    collected c = {.n = 0};
    int64_t t0 = vg_mono_ms();
    /* Long slices: only a poll shortened for the delay finishes in time. */
    run_until(e, &c, 4, 5000, 10000);
    int64_t elapsed = vg_mono_ms() - t0;
    fetch_engine_free(e);
    assert_int_equal(c.n, 4);
    seen sn = server_seen();
    assert_int_equal(sn.narrivals, 4);
    /* The engine spaces starts by 200 ms; what reaches the server also
     * carries connection set-up jitter (the first request opens the
     * connection, the next ones reuse it), hence the slack. Without the
     * delay the gaps are a millisecond or two. */
    for (int i = 1; i < 4; i++) {
        int64_t gap = sn.arrivals[i] - sn.arrivals[i - 1];
        if (gap < 150)
            print_error("gap %d: %lld ms\n", i, (long long)gap);
        assert_true(gap >= 150);
    }
    assert_true(sn.arrivals[3] - sn.arrivals[1] >= 2 * 200 - 10);
    assert_true(elapsed < 2000);
    collected_free(&c);
}

static void per_host_cap_limits_concurrency(void **state)
{
    (void)state;
    server_reset();
    fetch_options o = test_options();
    o.max_per_host = 2;
    char url[256];
    url_for(url, sizeof(url), "127.0.0.1", "/slow");
    fetch_engine *e = NULL;
    assert_int_equal(fetch_engine_new(&o, &e), VG_OK);
    for (int i = 0; i < 6; i++)
        assert_int_equal(fetch_engine_add(e, request_new(url, NULL, NULL)), VG_OK);
    collected c = {.n = 0};
    run_until(e, &c, 6, 500, 10000);
    fetch_engine_free(e);
    assert_int_equal(c.n, 6);
    for (int i = 0; i < c.n; i++)
        assert_null(c.res[i]->error);
    seen sn = server_seen();
    assert_int_equal(sn.max_concurrent, 2);
    collected_free(&c);
}

static void hosts_take_turns_under_global_cap(void **state)
{
    (void)state;
    server_reset();
    fetch_options o = test_options();
    o.max_total = 1;
    char a[256], b[256];
    url_for(a, sizeof(a), "127.0.0.1", "/who");
    url_for(b, sizeof(b), "localhost", "/who");
    fetch_engine *e = NULL;
    assert_int_equal(fetch_engine_new(&o, &e), VG_OK);
    for (int i = 0; i < 3; i++)
        assert_int_equal(fetch_engine_add(e, request_new(a, NULL, NULL)), VG_OK);
    for (int i = 0; i < 3; i++)
        assert_int_equal(fetch_engine_add(e, request_new(b, NULL, NULL)), VG_OK);
    collected c = {.n = 0};
    run_until(e, &c, 6, 500, 10000);
    fetch_engine_free(e);
    assert_int_equal(c.n, 6);
    seen sn = server_seen();
    assert_int_equal(sn.narrivals, 6);
    for (int i = 0; i < 6; i++)
        assert_int_equal(strncmp(sn.hosts_seen[i],
                                 i % 2 == 0 ? "127.0.0.1" : "localhost", 9),
                         0);
    collected_free(&c);
}

static void dead_port_reports_connection_refused(void **state)
{
    (void)state;
    /* A port the kernel just gave us and nobody listens on any more. */
    int fd = socket(AF_INET, SOCK_STREAM, 0);
    assert_true(fd >= 0);
    struct sockaddr_in addr;
    memset(&addr, 0, sizeof(addr));
    addr.sin_family = AF_INET;
    addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    assert_int_equal(bind(fd, (struct sockaddr *)&addr, sizeof(addr)), 0);
    socklen_t len = sizeof(addr);
    assert_int_equal(getsockname(fd, (struct sockaddr *)&addr, &len), 0);
    close(fd);
    char url[128];
    snprintf(url, sizeof(url), "http://127.0.0.1:%d/", ntohs(addr.sin_port));

    fetch_options o = test_options();
    fetch_engine *e = NULL;
    assert_int_equal(fetch_engine_new(&o, &e), VG_OK);
    assert_int_equal(fetch_engine_add(e, request_new(url, NULL, NULL)), VG_OK);
    collected c = {.n = 0};
    run_until(e, &c, 1, 200, 5000);
    fetch_engine_free(e);
    assert_int_equal(c.n, 1);
    assert_int_equal(c.res[0]->status, 0);
    assert_string_equal(c.res[0]->error, "connection refused");
    assert_null(c.res[0]->body);
    collected_free(&c);
}

static void timeout_is_reported_with_its_limit(void **state)
{
    (void)state;
    fetch_options o = test_options();
    o.timeout_ms = 200;
    fetch_result *r = fetch_one(&o, "/sleep", NULL, NULL);
    assert_int_equal(r->status, 0);
    assert_string_equal(r->error, "timeout after 200 ms");
    fetch_result_free(r);
}

static void bad_url_comes_back_through_the_callback(void **state)
{
    (void)state;
    fetch_options o = test_options();
    fetch_engine *e = NULL;
    assert_int_equal(fetch_engine_new(&o, &e), VG_OK);
    assert_int_equal(fetch_engine_add(e, request_new("not a url", NULL, NULL)),
                     VG_OK);
    assert_int_equal(fetch_engine_add(e, request_new("ftp://127.0.0.1/x", NULL,
                                                     NULL)),
                     VG_OK);
    collected c = {.n = 0};
    run_until(e, &c, 2, 200, 5000);
    fetch_engine_free(e);
    assert_int_equal(c.n, 2);
    for (int i = 0; i < 2; i++) {
        assert_int_equal(c.res[i]->status, 0);
        assert_non_null(c.res[i]->error);
    }
    collected_free(&c);
    assert_int_equal(fetch_engine_add(NULL, NULL), VG_EINVAL);
}

static void *wake_later(void *arg)
{
    usleep(100 * 1000);
    fetch_engine_wakeup(arg);
    return NULL;
}

static void wakeup_interrupts_a_long_perform(void **state)
{
    (void)state;
    fetch_options o = test_options();
    fetch_engine *e = NULL;
    assert_int_equal(fetch_engine_new(&o, &e), VG_OK);
    pthread_t t;
    assert_int_equal(pthread_create(&t, NULL, wake_later, e), 0);
    int64_t t0 = vg_mono_ms();
    int left = fetch_engine_perform(e, 10000, collect, NULL);
    int64_t elapsed = vg_mono_ms() - t0;
    pthread_join(t, NULL);
    fetch_engine_free(e);
    assert_int_equal(left, 0);
    assert_true(elapsed < 2000);
}

static int callbacks_seen;

static void count_callback(fetch_result *res, void *arg)
{
    (void)arg;
    callbacks_seen++;
    fetch_result_free(res);
}

static void free_abandons_queued_and_running_without_callbacks(void **state)
{
    (void)state;
    fetch_options o = test_options();
    o.max_per_host = 1;
    char url[256];
    url_for(url, sizeof(url), "127.0.0.1", "/sleep");
    fetch_engine *e = NULL;
    assert_int_equal(fetch_engine_new(&o, &e), VG_OK);
    for (int i = 0; i < 3; i++)
        assert_int_equal(fetch_engine_add(e, request_new(url, "\"x\"", "y")),
                         VG_OK);
    assert_int_equal(fetch_engine_add(e, request_new("bad", NULL, NULL)), VG_OK);
    callbacks_seen = 0;
    int left = fetch_engine_perform(e, 0, NULL, NULL); /* bad URL reported */
    assert_int_equal(left, 3);
    left = fetch_engine_perform(e, 100, count_callback, NULL);
    assert_int_equal(left, 3);
    fetch_engine_free(e);
    assert_int_equal(callbacks_seen, 0);
}

static void idle_hosts_are_forgotten(void **state)
{
    (void)state;
    fetch_options o = test_options();
    o.host_idle_ms = 50;
    char a[256], b[256];
    url_for(a, sizeof(a), "127.0.0.1", "/ok");
    url_for(b, sizeof(b), "localhost", "/ok");
    fetch_engine *e = NULL;
    assert_int_equal(fetch_engine_new(&o, &e), VG_OK);
    assert_int_equal(fetch_engine_add(e, request_new(a, NULL, NULL)), VG_OK);
    assert_int_equal(fetch_engine_add(e, request_new(b, NULL, NULL)), VG_OK);
    assert_int_equal(fetch_engine_host_count(e), 2);
    collected c = {.n = 0};
    run_until(e, &c, 2, 200, 5000);
    assert_int_equal(c.n, 2);
    usleep(80 * 1000);
    fetch_engine_perform(e, 0, collect, &c);
    assert_int_equal(fetch_engine_host_count(e), 0);
    fetch_engine_free(e);
    collected_free(&c);
}

/* The table and lists alone, at a size where a quadratic walk would show. */
static void host_table_scales_and_keeps_lists_consistent(void **state)
{
    (void)state;
    enum { N = 20000 };
    host_table t;
    assert_int_equal(host_table_init(&t), VG_OK);
    char name[64];
    for (int i = 0; i < N; i++) {
        snprintf(name, sizeof(name), "h%d.example", i);
        fetch_host *h = host_table_get(&t, name, i < N / 2 ? 0 : 100);
        assert_non_null(h);
        assert_ptr_equal(host_table_get(&t, name, 0), h);
    }
    assert_int_equal(t.count, N);
    for (int i = 0; i < N; i += 2) {
        snprintf(name, sizeof(name), "h%d.example", i);
        host_set_state(&t, host_table_find(&t, name), HOST_ACTIVE, 0);
    }
    assert_int_equal(t.nactive, N / 2);
    /* One full turn of the ring visits every active host exactly once. */
    fetch_host *first = t.ring;
    size_t visits = 0;
    do {
        assert_int_equal(t.ring->state, HOST_ACTIVE);
        host_ring_pass(&t, t.ring);
        visits++;
    } while (t.ring != first && visits <= N);
    assert_int_equal(visits, N / 2);
    /* Odd hosts are idle: the first half since 0, the second since 100. */
    assert_int_equal(host_table_expire(&t, 50, 50), N / 4);
    assert_int_equal(t.count, N - N / 4);
    assert_null(host_table_find(&t, "h1.example"));
    assert_non_null(host_table_find(&t, "h0.example"));
    host_set_state(&t, host_table_find(&t, "h0.example"), HOST_IDLE, 200);
    assert_int_equal(t.nactive, N / 2 - 1);
    assert_int_equal(host_table_expire(&t, 150, 50), N / 4);
    assert_int_equal(host_table_expire(&t, 250, 50), 1);
    assert_null(host_table_find(&t, "h0.example"));
    host_table_free(&t);
}

int main(void)
{
    curl_global_init(CURL_GLOBAL_DEFAULT);
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(fetch_routes_report_status_redirects_and_errors),
        cmocka_unit_test(fetch_ok_sends_user_agent_and_keeps_content_type),
        cmocka_unit_test(conditional_get_sends_validators_and_accepts_304),
        cmocka_unit_test(conditional_get_after_permanent_redirect_keeps_new_url),
        cmocka_unit_test(validators_with_line_breaks_are_not_sent),
        cmocka_unit_test(retry_after_http_date_becomes_seconds),
        cmocka_unit_test(body_over_cap_is_refused),
        cmocka_unit_test(gzip_body_is_decompressed),
        cmocka_unit_test(gzip_bomb_is_stopped_at_decompressed_cap),
        cmocka_unit_test(host_delay_spaces_request_starts),
        cmocka_unit_test(per_host_cap_limits_concurrency),
        cmocka_unit_test(hosts_take_turns_under_global_cap),
        cmocka_unit_test(dead_port_reports_connection_refused),
        cmocka_unit_test(timeout_is_reported_with_its_limit),
        cmocka_unit_test(bad_url_comes_back_through_the_callback),
        cmocka_unit_test(wakeup_interrupts_a_long_perform),
        cmocka_unit_test(free_abandons_queued_and_running_without_callbacks),
        cmocka_unit_test(idle_hosts_are_forgotten),
        cmocka_unit_test(host_table_scales_and_keeps_lists_consistent),
    };
    int rc = cmocka_run_group_tests(tests, server_start, server_stop);
    curl_global_cleanup();
    return rc;
}
