/*
 * Feed discovery behind `vigie source add URL`: one plain GET of the page
 * (libcurl easy: a single request at the user's command needs no
 * politeness engine), then parser/html.c's <link rel="alternate"> list.
 * The caller decides what to add; this file only looks.
 */
#include "app/discover.h"

#include "core/buf.h"
#include "crawler/fetch.h"
#include "parser/html.h"

#include <curl/curl.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

int discover_looks_like_feed(const char *url)
{
    size_t n = strcspn(url, "?#");
    while (n > 0 && url[n - 1] == '/')
        n--;
    size_t seg = n;
    while (seg > 0 && url[seg - 1] != '/')
        seg--;
    const char *last = url + seg;
    size_t len = n - seg;
    static const char *const ext[] = {".xml", ".rss", ".atom", ".rdf", ".json"};
    for (size_t i = 0; i < sizeof(ext) / sizeof(ext[0]); i++) {
        size_t el = strlen(ext[i]);
        if (len > el && strncasecmp(last + len - el, ext[i], el) == 0)
            return 1;
    }
    static const char *const names[] = {"feed", "rss", "atom"};
    for (size_t i = 0; i < sizeof(names) / sizeof(names[0]); i++)
        if (len == strlen(names[i]) && strncasecmp(last, names[i], len) == 0)
            return 1;
    return 0;
}

static size_t write_cb(char *p, size_t size, size_t nmemb, void *ud)
{
    vg_buf *b = ud;
    size_t n = size * nmemb;
    /* Past the cap the head of the page is enough: <link> lives there. */
    if (vg_buf_append(b, p, n) != VG_OK)
        return 0;
    return n;
}

/* Whether a response is HTML: by its type, or, with no type, by its
 * first bytes. */
static int is_html(const char *type, const vg_buf *b)
{
    if (type)
        return strstr(type, "html") != NULL;
    const char *s = vg_buf_str(b);
    while (*s == ' ' || *s == '\t' || *s == '\r' || *s == '\n')
        s++;
    return strncasecmp(s, "<!doctype html", 14) == 0 ||
           strncasecmp(s, "<html", 5) == 0;
}

vg_err discover_feed(const char *url, char *const *headers, FILE *report,
                     char **feed_out, int *html_out)
{
    *feed_out = NULL;
    *html_out = 0;
    vg_err rc = VG_OK;
    struct curl_slist *hl = NULL;
    html_doc *doc = NULL;
    char errbuf[CURL_ERROR_SIZE] = "";
    vg_buf body;
    vg_buf_init(&body, DISCOVER_MAX_BYTES);
    CURL *c = curl_easy_init();
    if (!c)
        return vg_error_set(VG_ENOMEM, "curl_easy_init failed");
    for (size_t i = 0; headers && headers[i]; i++) {
        struct curl_slist *l = curl_slist_append(hl, headers[i]);
        if (!l) {
            rc = vg_error_set(VG_ENOMEM, "headers");
            goto cleanup;
        }
        hl = l;
    }
    curl_easy_setopt(c, CURLOPT_URL, url);
    curl_easy_setopt(c, CURLOPT_USERAGENT, FETCH_USER_AGENT);
    curl_easy_setopt(c, CURLOPT_ACCEPT_ENCODING, "");
    curl_easy_setopt(c, CURLOPT_FOLLOWLOCATION, 1L);
    curl_easy_setopt(c, CURLOPT_MAXREDIRS, 5L);
    curl_easy_setopt(c, CURLOPT_PROTOCOLS_STR, "http,https");
    curl_easy_setopt(c, CURLOPT_REDIR_PROTOCOLS_STR, "http,https");
    curl_easy_setopt(c, CURLOPT_CONNECTTIMEOUT_MS, 5000L);
    curl_easy_setopt(c, CURLOPT_TIMEOUT_MS, 15000L);
    curl_easy_setopt(c, CURLOPT_NOSIGNAL, 1L);
    curl_easy_setopt(c, CURLOPT_ERRORBUFFER, errbuf);
    curl_easy_setopt(c, CURLOPT_WRITEFUNCTION, write_cb);
    curl_easy_setopt(c, CURLOPT_WRITEDATA, (void *)&body);
    if (hl)
        curl_easy_setopt(c, CURLOPT_HTTPHEADER, hl);
    CURLcode cc = curl_easy_perform(c);
    /* A page cut at the cap still has its <head>. */
    if (cc != CURLE_OK && !(cc == CURLE_WRITE_ERROR && body.err == VG_ETOOBIG)) {
        rc = vg_error_set(VG_ENET, "%s", errbuf[0] ? errbuf : curl_easy_strerror(cc));
        goto cleanup;
    }
    long code = 0;
    curl_easy_getinfo(c, CURLINFO_RESPONSE_CODE, &code);
    if (code < 200 || code >= 300) {
        rc = vg_error_set(VG_ENET, "HTTP %ld", code);
        goto cleanup;
    }
    char *type = NULL, *eff = NULL;
    curl_easy_getinfo(c, CURLINFO_CONTENT_TYPE, &type);
    curl_easy_getinfo(c, CURLINFO_EFFECTIVE_URL, &eff);
    if (!is_html(type, &body))
        goto cleanup;
    *html_out = 1;
    rc = html_extract(vg_buf_str(&body), body.len, eff ? eff : url, type, &doc);
    if (rc != VG_OK)
        goto cleanup;
    for (size_t i = 0; i < doc->n_feed_links; i++) {
        if (i == 0) {
            if (!(*feed_out = strdup(doc->feed_links[0]))) {
                rc = vg_error_set(VG_ENOMEM, "discovery");
                goto cleanup;
            }
        } else if (report) {
            fprintf(report, "other feed: %s\n", doc->feed_links[i]);
        }
    }
cleanup:
    html_doc_free(doc);
    curl_slist_free_all(hl);
    curl_easy_cleanup(c);
    vg_buf_free(&body);
    return rc;
}
