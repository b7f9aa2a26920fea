/*
 * The static file server behind `vigie demo` and the integration tests.
 * It listens on the loopback interface only and refuses any path that
 * could leave its root.
 */
#define _POSIX_C_SOURCE 200809L
#include "app/httpd.h"

#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <microhttpd.h>
#include <netinet/in.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

struct httpd {
    struct MHD_Daemon *d;
    char *root;
    pthread_mutex_t mu;
    httpd_counts counts;
    char delay_prefix[256];
    int delay_ms;
};

static const char *mime_for(const char *path)
{
    const char *dot = strrchr(path, '.');
    if (!dot)
        return "application/octet-stream";
    if (strcmp(dot, ".xml") == 0 || strcmp(dot, ".rss") == 0)
        return "application/rss+xml; charset=utf-8";
    if (strcmp(dot, ".atom") == 0)
        return "application/atom+xml; charset=utf-8";
    if (strcmp(dot, ".html") == 0 || strcmp(dot, ".htm") == 0)
        return "text/html; charset=utf-8";
    if (strcmp(dot, ".json") == 0)
        return "application/feed+json";
    if (strcmp(dot, ".opml") == 0)
        return "text/x-opml; charset=utf-8";
    if (strcmp(dot, ".txt") == 0)
        return "text/plain; charset=utf-8";
    return "application/octet-stream";
}

static void count(httpd *h, unsigned status)
{
    pthread_mutex_lock(&h->mu);
    h->counts.requests++;
    if (status == MHD_HTTP_OK)
        h->counts.ok++;
    else if (status == MHD_HTTP_NOT_MODIFIED)
        h->counts.not_modified++;
    else if (status == MHD_HTTP_NOT_FOUND)
        h->counts.not_found++;
    pthread_mutex_unlock(&h->mu);
}

static enum MHD_Result reply_text(struct MHD_Connection *c, unsigned status,
                                  const char *text)
{
    struct MHD_Response *r = MHD_create_response_from_buffer(
        strlen(text), (void *)text, MHD_RESPMEM_PERSISTENT);
    if (!r)
        return MHD_NO;
    MHD_add_response_header(r, "Content-Type", "text/plain; charset=utf-8");
    enum MHD_Result ret = MHD_queue_response(c, status, r);
    MHD_destroy_response(r);
    return ret;
}

static enum MHD_Result on_request(void *cls, struct MHD_Connection *c,
                                  const char *url, const char *method,
                                  const char *version, const char *upload,
                                  size_t *upload_size, void **state)
{
    (void)version;
    (void)upload;
    (void)upload_size;
    (void)state;
    httpd *h = cls;
    if (strcmp(method, "GET") != 0 && strcmp(method, "HEAD") != 0) {
        count(h, MHD_HTTP_METHOD_NOT_ALLOWED);
        return reply_text(c, MHD_HTTP_METHOD_NOT_ALLOWED, "method not allowed\n");
    }
    /* No "..", no backslashes, nothing hidden: the root is the whole world. */
    if (url[0] != '/' || strstr(url, "..") || strchr(url, '\\') || strstr(url, "/.")) {
        count(h, MHD_HTTP_NOT_FOUND);
        return reply_text(c, MHD_HTTP_NOT_FOUND, "not found\n");
    }
    pthread_mutex_lock(&h->mu);
    int delay = h->delay_ms && strncmp(url, h->delay_prefix, strlen(h->delay_prefix)) == 0
                    ? h->delay_ms : 0;
    pthread_mutex_unlock(&h->mu);
    if (delay) {
        struct timespec ts = {delay / 1000, (long)(delay % 1000) * 1000000L};
        nanosleep(&ts, NULL);
        url += strlen(h->delay_prefix) - 1; /* "/slow/x.xml" serves "/x.xml" */
    }
    char path[4096];
    int n = snprintf(path, sizeof path, "%s%s", h->root, url);
    if (n < 0 || (size_t)n >= sizeof path) {
        count(h, MHD_HTTP_NOT_FOUND);
        return reply_text(c, MHD_HTTP_NOT_FOUND, "not found\n");
    }
    int fd = open(path, O_RDONLY | O_CLOEXEC);
    struct stat sb;
    if (fd < 0 || fstat(fd, &sb) != 0 || !S_ISREG(sb.st_mode)) {
        if (fd >= 0)
            close(fd);
        count(h, MHD_HTTP_NOT_FOUND);
        return reply_text(c, MHD_HTTP_NOT_FOUND, "not found\n");
    }
    char etag[64], lastmod[64];
    snprintf(etag, sizeof etag, "\"%llx-%llx\"", (unsigned long long)sb.st_size,
             (unsigned long long)sb.st_mtime);
    struct tm tm;
    time_t mt = sb.st_mtime;
    gmtime_r(&mt, &tm);
    strftime(lastmod, sizeof lastmod, "%a, %d %b %Y %H:%M:%S GMT", &tm);
    const char *inm = MHD_lookup_connection_value(c, MHD_HEADER_KIND, "If-None-Match");
    const char *ims = MHD_lookup_connection_value(c, MHD_HEADER_KIND, "If-Modified-Since");
    if ((inm && strcmp(inm, etag) == 0) || (!inm && ims && strcmp(ims, lastmod) == 0)) {
        close(fd);
        struct MHD_Response *r = MHD_create_response_from_buffer(0, NULL, MHD_RESPMEM_PERSISTENT);
        if (!r)
            return MHD_NO;
        MHD_add_response_header(r, "ETag", etag);
        enum MHD_Result ret = MHD_queue_response(c, MHD_HTTP_NOT_MODIFIED, r);
        MHD_destroy_response(r);
        count(h, MHD_HTTP_NOT_MODIFIED);
        return ret;
    }
    struct MHD_Response *r = MHD_create_response_from_fd((uint64_t)sb.st_size, fd);
    if (!r) {
        close(fd);
        return MHD_NO;
    }
    MHD_add_response_header(r, "Content-Type", mime_for(path));
    MHD_add_response_header(r, "ETag", etag);
    MHD_add_response_header(r, "Last-Modified", lastmod);
    enum MHD_Result ret = MHD_queue_response(c, MHD_HTTP_OK, r);
    MHD_destroy_response(r);
    count(h, MHD_HTTP_OK);
    return ret;
}

vg_err httpd_start(const char *root, uint16_t *port, httpd **out)
{
    *out = NULL;
    httpd *h = calloc(1, sizeof *h);
    if (!h)
        return VG_ENOMEM;
    h->root = strdup(root);
    pthread_mutex_init(&h->mu, NULL);
    struct sockaddr_in sa;
    memset(&sa, 0, sizeof sa);
    sa.sin_family = AF_INET;
    sa.sin_port = 0; /* the kernel picks a free port */
    sa.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    h->d = MHD_start_daemon(MHD_USE_INTERNAL_POLLING_THREAD | MHD_USE_THREAD_PER_CONNECTION |
                                MHD_USE_ERROR_LOG * 0,
                            0, NULL, NULL, on_request, h,
                            MHD_OPTION_SOCK_ADDR, (struct sockaddr *)&sa,
                            MHD_OPTION_CONNECTION_TIMEOUT, (unsigned)10,
                            MHD_OPTION_END);
    if (!h->d || !h->root) {
        httpd_stop(h);
        return vg_error_set(VG_EIO, "cannot start the HTTP server on 127.0.0.1");
    }
    const union MHD_DaemonInfo *info = MHD_get_daemon_info(h->d, MHD_DAEMON_INFO_BIND_PORT);
    *port = info ? info->port : 0;
    if (!*port) {
        httpd_stop(h);
        return vg_error_set(VG_EIO, "cannot read the HTTP server's port");
    }
    *out = h;
    return VG_OK;
}

void httpd_stop(httpd *h)
{
    if (!h)
        return;
    if (h->d)
        MHD_stop_daemon(h->d);
    pthread_mutex_destroy(&h->mu);
    free(h->root);
    free(h);
}

void httpd_set_delay(httpd *h, const char *prefix, int delay_ms)
{
    pthread_mutex_lock(&h->mu);
    snprintf(h->delay_prefix, sizeof h->delay_prefix, "%s", prefix);
    h->delay_ms = delay_ms;
    pthread_mutex_unlock(&h->mu);
}

httpd_counts httpd_get_counts(httpd *h)
{
    pthread_mutex_lock(&h->mu);
    httpd_counts c = h->counts;
    pthread_mutex_unlock(&h->mu);
    return c;
}
