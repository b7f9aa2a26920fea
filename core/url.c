/*
 * URL helpers over curl_url: we never parse URLs by hand.
 */
#include "core/url.h"

#include "core/buf.h"

#include <ctype.h>
#include <curl/curl.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

static int is_http(CURLU *u)
{
    char *scheme = NULL;
    int ok = 0;
    if (curl_url_get(u, CURLUPART_SCHEME, &scheme, 0) == CURLUE_OK)
        ok = strcmp(scheme, "http") == 0 || strcmp(scheme, "https") == 0;
    curl_free(scheme);
    return ok;
}

vg_err vg_url_resolve(const char *base, const char *ref, char **out)
{
    *out = NULL;
    if (!ref)
        return vg_error_set(VG_EPARSE, "no URL");
    while (isspace((unsigned char)*ref))
        ref++;
    CURLU *u = curl_url();
    if (!u)
        return VG_ENOMEM;
    vg_err rc = VG_OK;
    char *full = NULL;
    /* An absolute http(s) reference replaces the base whole, so the base
     * is not parsed: each parse costs tens of thousands of instructions,
     * and feed links are mostly absolute. */
    int absolute = strncasecmp(ref, "http://", 7) == 0 ||
                   strncasecmp(ref, "https://", 8) == 0;
    if (base && *base && !absolute &&
        curl_url_set(u, CURLUPART_URL, base, 0) != CURLUE_OK) {
        /* A bad base still lets an absolute ref through. */
        curl_url_cleanup(u);
        u = curl_url();
        if (!u)
            return VG_ENOMEM;
    }
    size_t rl = strlen(ref);
    while (rl && isspace((unsigned char)ref[rl - 1]))
        rl--;
    char *trimmed = strndup(ref, rl);
    if (!trimmed) {
        rc = VG_ENOMEM;
        goto cleanup;
    }
    if (curl_url_set(u, CURLUPART_URL, trimmed, CURLU_URLENCODE) != CURLUE_OK ||
        !is_http(u) || curl_url_get(u, CURLUPART_URL, &full, 0) != CURLUE_OK) {
        rc = vg_error_set(VG_EPARSE, "bad URL '%.200s'", ref);
        goto cleanup;
    }
    *out = strdup(full);
    if (!*out)
        rc = VG_ENOMEM;
cleanup:
    free(trimmed);
    curl_free(full);
    curl_url_cleanup(u);
    return rc;
}

static int tracking_param(const char *kv, size_t n)
{
    static const char *exact[] = {"fbclid", "gclid", "dclid", "msclkid",
                                  "mc_eid", "mc_cid", "igshid", "yclid",
                                  "_ga", "_hsenc", "_hsmi", "mkt_tok",
                                  "oly_anon_id", "oly_enc_id", "vero_id",
                                  "wickedid", NULL};
    size_t klen = 0;
    while (klen < n && kv[klen] != '=')
        klen++;
    if (klen >= 4 && strncasecmp(kv, "utm_", 4) == 0)
        return 1;
    for (int i = 0; exact[i]; i++)
        if (strlen(exact[i]) == klen && strncasecmp(kv, exact[i], klen) == 0)
            return 1;
    return 0;
}

vg_err vg_url_canonical(const char *url, char **out)
{
    *out = NULL;
    char *abs = NULL;
    vg_err rc = vg_url_resolve(NULL, url, &abs);
    if (rc != VG_OK)
        return rc;
    CURLU *u = curl_url();
    char *query = NULL, *full = NULL, *host = NULL;
    vg_buf q;
    vg_buf_init(&q, 1u << 20);
    if (!u) {
        rc = VG_ENOMEM;
        goto cleanup;
    }
    /* curl_url normalises scheme case, dot segments and default ports. */
    if (curl_url_set(u, CURLUPART_URL, abs, 0) != CURLUE_OK) {
        rc = vg_error_set(VG_EPARSE, "bad URL '%.200s'", url);
        goto cleanup;
    }
    curl_url_set(u, CURLUPART_FRAGMENT, NULL, 0);
    if (curl_url_get(u, CURLUPART_HOST, &host, 0) == CURLUE_OK) {
        for (char *p = host; *p; p++)
            *p = (char)tolower((unsigned char)*p);
        curl_url_set(u, CURLUPART_HOST, host, 0);
    }
    char *port = NULL;
    if (curl_url_get(u, CURLUPART_PORT, &port, 0) == CURLUE_OK) {
        char *scheme = NULL;
        curl_url_get(u, CURLUPART_SCHEME, &scheme, 0);
        if (scheme && ((strcmp(scheme, "http") == 0 && strcmp(port, "80") == 0) ||
                       (strcmp(scheme, "https") == 0 && strcmp(port, "443") == 0)))
            curl_url_set(u, CURLUPART_PORT, NULL, 0);
        curl_free(scheme);
        curl_free(port);
    }
    if (curl_url_get(u, CURLUPART_QUERY, &query, 0) == CURLUE_OK && query) {
        const char *p = query;
        while (*p) {
            const char *amp = strchr(p, '&');
            size_t n = amp ? (size_t)(amp - p) : strlen(p);
            if (n && !tracking_param(p, n)) {
                if (q.len)
                    vg_buf_putc(&q, '&');
                vg_buf_append(&q, p, n);
            }
            p += n + (amp ? 1 : 0);
        }
        if (q.err) {
            rc = q.err;
            goto cleanup;
        }
        curl_url_set(u, CURLUPART_QUERY, q.len ? q.ptr : NULL, 0);
    }
    if (curl_url_get(u, CURLUPART_URL, &full, 0) != CURLUE_OK) {
        rc = vg_error_set(VG_EPARSE, "bad URL '%.200s'", url);
        goto cleanup;
    }
    *out = strdup(full);
    if (!*out)
        rc = VG_ENOMEM;
cleanup:
    vg_buf_free(&q);
    curl_free(query);
    curl_free(full);
    curl_free(host);
    curl_url_cleanup(u);
    free(abs);
    return rc;
}

vg_err vg_url_host(const char *url, char **out)
{
    *out = NULL;
    CURLU *u = curl_url();
    if (!u)
        return VG_ENOMEM;
    char *host = NULL;
    vg_err rc = VG_OK;
    if (curl_url_set(u, CURLUPART_URL, url, 0) != CURLUE_OK ||
        curl_url_get(u, CURLUPART_HOST, &host, 0) != CURLUE_OK) {
        rc = vg_error_set(VG_EPARSE, "bad URL '%.200s'", url);
    } else {
        for (char *p = host; *p; p++)
            *p = (char)tolower((unsigned char)*p);
        *out = strdup(host);
        if (!*out)
            rc = VG_ENOMEM;
    }
    curl_free(host);
    curl_url_cleanup(u);
    return rc;
}
