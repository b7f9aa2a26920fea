/*
 * The SMTP transport (see mail.h): parses mail channels, redacts their
 * passwords for display and hands finished messages to libcurl, which
 * speaks SMTP, STARTTLS, implicit TLS and AUTH for us. Alert delivery and
 * digest mails both come through here; message building lives in
 * mail_message.c.
 */
#include "monitor/mail.h"

#include "core/buf.h"

#include <curl/curl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* An address longer than this is refused (RFC 5321's path limit). */
#define MAIL_MAX_ADDR 254
/* At most this many recipients per channel: a typo should not mail the world. */
#define MAIL_MAX_RCPT 50

vg_err mail_header_check(const char *s, const char *what)
{
    if (!s)
        return vg_error_set(VG_EINVAL, "%s is missing", what);
    for (const unsigned char *p = (const unsigned char *)s; *p; p++) {
        if (*p == '\r' || *p == '\n')
            return vg_error_set(VG_EINVAL, "%s contains a line break", what);
        if ((*p < 0x20 && *p != '\t') || *p == 0x7f)
            return vg_error_set(VG_EINVAL, "%s contains a control character", what);
    }
    return VG_OK;
}

void mail_target_free(mail_target *t)
{
    if (!t)
        return;
    free(t->url);
    free(t->from);
    for (size_t i = 0; i < t->nto; i++)
        free(t->to[i]);
    free(t->to);
    memset(t, 0, sizeof *t);
}

static int hexval(char c)
{
    if (c >= '0' && c <= '9')
        return c - '0';
    if (c >= 'a' && c <= 'f')
        return c - 'a' + 10;
    if (c >= 'A' && c <= 'F')
        return c - 'A' + 10;
    return -1;
}

/* Percent-decodes s[0..n) into a new string; NULL on ENOMEM or on a
 * malformed escape (*bad set). An encoded NUL counts as malformed. */
static char *pct_decode(const char *s, size_t n, int *bad)
{
    char *o = malloc(n + 1), *w = o;
    *bad = 0;
    if (!o)
        return NULL;
    for (size_t i = 0; i < n; i++) {
        if (s[i] == '%') {
            int hi = i + 1 < n ? hexval(s[i + 1]) : -1;
            int lo = i + 2 < n ? hexval(s[i + 2]) : -1;
            if (hi < 0 || lo < 0 || (hi == 0 && lo == 0)) {
                free(o);
                *bad = 1;
                return NULL;
            }
            *w++ = (char)(hi * 16 + lo);
            i += 2;
        } else {
            *w++ = s[i];
        }
    }
    *w = '\0';
    return o;
}

/* A bare address: local@domain in printable ASCII, without the characters
 * that would change its meaning in an SMTP command or a header. */
static vg_err check_address(const char *a, const char *what)
{
    vg_err err = mail_header_check(a, what);
    if (err != VG_OK)
        return err;
    size_t n = strlen(a);
    const char *at = strrchr(a, '@');
    if (n == 0)
        return vg_error_set(VG_EINVAL, "%s is empty", what);
    if (n > MAIL_MAX_ADDR)
        return vg_error_set(VG_EINVAL, "%s is longer than %d characters", what, MAIL_MAX_ADDR);
    if (!at || at == a || !at[1])
        return vg_error_set(VG_EINVAL, "%s '%s' is not an address (user@domain)", what, a);
    for (const unsigned char *p = (const unsigned char *)a; *p; p++)
        if (*p <= 0x20 || *p >= 0x7f || strchr("<>,;:\"()[]\\", *p))
            return vg_error_set(VG_EINVAL, "%s '%s' has a character not allowed in an address",
                                what, a);
    return VG_OK;
}

static vg_err add_rcpt(mail_target *t, const char *s, size_t n)
{
    int bad = 0;
    char *a = pct_decode(s, n, &bad);
    if (!a)
        return bad ? vg_error_set(VG_EINVAL, "to: bad %%-escape")
                   : vg_error_set(VG_ENOMEM, "out of memory");
    vg_err err = check_address(a, "to");
    if (err == VG_OK && t->nto >= MAIL_MAX_RCPT)
        err = vg_error_set(VG_EINVAL, "to: more than %d recipients", MAIL_MAX_RCPT);
    if (err == VG_OK) {
        char **v = realloc(t->to, (t->nto + 1) * sizeof *v);
        if (!v)
            err = vg_error_set(VG_ENOMEM, "out of memory");
        else {
            t->to = v;
            t->to[t->nto++] = a;
            a = NULL;
        }
    }
    free(a);
    return err;
}

/* Parses the query: from=ADDR once, to=ADDR[,ADDR...] one or more times. */
static vg_err parse_query(mail_target *t, const char *q)
{
    while (*q) {
        size_t n = strcspn(q, "&");
        const char *eq = memchr(q, '=', n);
        if (n == 0) {
            q++;
            continue;
        }
        if (!eq)
            return vg_error_set(VG_EINVAL, "query part '%.*s' is not name=value", (int)n, q);
        size_t klen = (size_t)(eq - q);
        const char *v = eq + 1;
        size_t vlen = n - klen - 1;
        if (klen == 4 && memcmp(q, "from", 4) == 0) {
            if (t->from)
                return vg_error_set(VG_EINVAL, "from= given twice");
            int bad = 0;
            if (!(t->from = pct_decode(v, vlen, &bad)))
                return bad ? vg_error_set(VG_EINVAL, "from: bad %%-escape")
                           : vg_error_set(VG_ENOMEM, "out of memory");
            vg_err err = check_address(t->from, "from");
            if (err != VG_OK)
                return err;
        } else if (klen == 2 && memcmp(q, "to", 2) == 0) {
            while (vlen > 0) {
                size_t an = 0;
                while (an < vlen && v[an] != ',')
                    an++;
                if (an == 0)
                    return vg_error_set(VG_EINVAL, "to: empty address in the list");
                vg_err err = add_rcpt(t, v, an);
                if (err != VG_OK)
                    return err;
                v += an;
                vlen -= an;
                if (vlen > 0) { /* skip the comma; a trailing one is an empty address */
                    v++;
                    vlen--;
                    if (vlen == 0)
                        return vg_error_set(VG_EINVAL, "to: empty address in the list");
                }
            }
        } else {
            return vg_error_set(VG_EINVAL, "unknown query parameter '%.*s' (from=, to=)",
                                (int)klen, q);
        }
        q += n;
    }
    if (!t->from)
        return vg_error_set(VG_EINVAL, "missing from=ADDRESS");
    if (t->nto == 0)
        return vg_error_set(VG_EINVAL, "missing to=ADDRESS");
    return VG_OK;
}

/* Checks the server part with curl's own URL parser, so what we accept is
 * what mail_send can use, and that the login has no line breaks once
 * decoded (it goes into AUTH commands). */
static vg_err check_server(const char *url)
{
    vg_err err = VG_OK;
    char *host = NULL, *user = NULL, *pass = NULL;
    CURLU *u = curl_url();
    if (!u)
        return vg_error_set(VG_ENOMEM, "out of memory");
    CURLUcode rc = curl_url_set(u, CURLUPART_URL, url, 0);
    if (rc != CURLUE_OK) {
        err = vg_error_set(VG_EINVAL, "server part: %s", curl_url_strerror(rc));
        goto cleanup;
    }
    if (curl_url_get(u, CURLUPART_HOST, &host, 0) != CURLUE_OK || !host || !*host) {
        err = vg_error_set(VG_EINVAL, "server part: missing host");
        goto cleanup;
    }
    /* Decoded by hand: curl refuses to decode control characters, which
     * would make a bad login look like no login at all. */
    if (curl_url_get(u, CURLUPART_USER, &user, 0) == CURLUE_OK && user) {
        int bad = 0;
        char *d = pct_decode(user, strlen(user), &bad);
        err = !d ? (bad ? vg_error_set(VG_EINVAL, "user: bad %%-escape")
                        : vg_error_set(VG_ENOMEM, "out of memory"))
                 : mail_header_check(d, "user");
        free(d);
        if (err != VG_OK)
            goto cleanup;
    }
    if (curl_url_get(u, CURLUPART_PASSWORD, &pass, 0) == CURLUE_OK && pass) {
        int bad = 0;
        char *d = pct_decode(pass, strlen(pass), &bad);
        if (!d && !bad)
            err = vg_error_set(VG_ENOMEM, "out of memory");
        else if (!d || mail_header_check(d, "password") != VG_OK)
            /* Said without echoing the password. */
            err = vg_error_set(VG_EINVAL, "password contains a bad %%-escape, a line break "
                                          "or a control character");
        if (d) {
            memset(d, 0, strlen(d));
            free(d);
        }
        if (err != VG_OK)
            goto cleanup;
    }
cleanup:
    if (pass)
        memset(pass, 0, strlen(pass));
    curl_free(host);
    curl_free(user);
    curl_free(pass);
    curl_url_cleanup(u);
    return err;
}

vg_err mail_target_parse(const char *channel, mail_target *out)
{
    vg_err err;
    size_t skip;
    memset(out, 0, sizeof *out);
    if (!channel)
        return vg_error_set(VG_EINVAL, "empty mail channel");
    if (strncmp(channel, "smtp://", 7) == 0)
        skip = 7;
    else if (strncmp(channel, "smtps://", 8) == 0)
        skip = 8;
    else
        return vg_error_set(VG_EINVAL, "mail channel must start with smtp:// or smtps://");
    /* Raw control characters anywhere would reach a command or a log line. */
    for (const unsigned char *p = (const unsigned char *)channel; *p; p++)
        if (*p < 0x20 || *p == 0x7f)
            return vg_error_set(VG_EINVAL, "mail channel contains a control character");
    const char *auth = channel + skip;
    size_t alen = strcspn(auth, "/?#");
    const char *rest = auth + alen;
    if (alen == 0)
        return vg_error_set(VG_EINVAL, "mail channel: missing host after %.*s", (int)skip,
                            channel);
    if (*rest == '#')
        return vg_error_set(VG_EINVAL, "mail channel: a fragment (#) is not allowed");
    if (*rest == '/')
        rest++;
    /* Not echoed: a password with an unencoded '/' would show here. */
    if (*rest != '?')
        return vg_error_set(VG_EINVAL, "mail channel: expected '/?from=...&to=...' after the "
                                       "host (percent-encode '/', '?' and '@' in a password)");
    size_t ulen = skip + alen;
    if (!(out->url = vg_strndup(channel, ulen))) {
        err = vg_error_set(VG_ENOMEM, "out of memory");
        goto fail;
    }
    if ((err = check_server(out->url)) != VG_OK)
        goto fail;
    if ((err = parse_query(out, rest + 1)) != VG_OK)
        goto fail;
    return VG_OK;
fail:
    mail_target_free(out);
    return err;
}

char *mail_channel_redact(const char *channel)
{
    if (!channel)
        return NULL;
    const char *sep = strstr(channel, "://");
    if (!sep)
        return vg_strdup(channel);
    const char *auth = sep + 3;
    /* The userinfo ends at the last '@' before the query, even past a '/':
     * a password with an unencoded '/' is still hidden (hiding too much
     * is the safe mistake). The password starts at the first ':'. */
    size_t alen = strcspn(auth, "?#");
    const char *at = NULL;
    for (const char *p = auth; p < auth + alen; p++)
        if (*p == '@')
            at = p;
    const char *colon = at ? memchr(auth, ':', (size_t)(at - auth)) : NULL;
    if (!colon)
        return vg_strdup(channel);
    size_t head = (size_t)(colon + 1 - channel), tail = strlen(at);
    char *o = malloc(head + 3 + tail + 1);
    if (!o)
        return NULL;
    memcpy(o, channel, head);
    memcpy(o + head, "***", 3);
    memcpy(o + head + 3, at, tail + 1);
    return o;
}

typedef struct upload {
    const char *p;
    size_t left;
} upload;

static size_t read_message(char *dst, size_t size, size_t n, void *arg)
{
    upload *u = arg;
    size_t k = size * n < u->left ? size * n : u->left;
    memcpy(dst, u->p, k);
    u->p += k;
    u->left -= k;
    return k;
}

/* Keeps the server's last error reply (a 4xx or 5xx line), which says
 * more than curl's own message ("RCPT failed: 550"). */
typedef struct reply {
    char last[256];
} reply;

static int on_debug(CURL *c, curl_infotype type, char *data, size_t size, void *arg)
{
    (void)c;
    reply *r = arg;
    if (type != CURLINFO_HEADER_IN || size < 3 || (data[0] != '4' && data[0] != '5'))
        return 0;
    size_t n = size;
    while (n > 0 && (data[n - 1] == '\n' || data[n - 1] == '\r'))
        n--;
    if (n >= sizeof r->last)
        n = sizeof r->last - 1;
    memcpy(r->last, data, n);
    r->last[n] = '\0';
    for (size_t i = 0; i < n; i++)
        if ((unsigned char)r->last[i] < 0x20)
            r->last[i] = ' ';
    return 0;
}

vg_err mail_send(const mail_target *t, const char *message, size_t len, long timeout_ms)
{
    vg_err err = VG_OK;
    struct curl_slist *rcpt = NULL, *tmp;
    vg_buf from;
    reply last = {{0}};
    char errbuf[CURL_ERROR_SIZE] = "";
    upload up = {message, len};
    vg_buf_init(&from, MAIL_MAX_ADDR + 3);
    if (!t || !t->url || !t->from || t->nto == 0)
        return vg_error_set(VG_EINVAL, "mail: incomplete target");
    CURL *c = curl_easy_init();
    if (!c)
        return vg_error_set(VG_ENOMEM, "curl_easy_init failed");
    for (size_t i = 0; i < t->nto; i++) {
        vg_buf a;
        vg_buf_init(&a, MAIL_MAX_ADDR + 3);
        vg_buf_printf(&a, "<%s>", t->to[i]);
        if (a.err != VG_OK || !(tmp = curl_slist_append(rcpt, vg_buf_str(&a)))) {
            vg_buf_free(&a);
            err = vg_error_set(VG_ENOMEM, "out of memory");
            goto cleanup;
        }
        vg_buf_free(&a);
        rcpt = tmp;
    }
    vg_buf_printf(&from, "<%s>", t->from);
    if (from.err != VG_OK) {
        err = vg_error_set(VG_ENOMEM, "out of memory");
        goto cleanup;
    }
    curl_easy_setopt(c, CURLOPT_URL, t->url);
    curl_easy_setopt(c, CURLOPT_PROTOCOLS_STR, "smtp,smtps");
    curl_easy_setopt(c, CURLOPT_NOSIGNAL, 1L);
    curl_easy_setopt(c, CURLOPT_MAIL_FROM, vg_buf_str(&from));
    curl_easy_setopt(c, CURLOPT_MAIL_RCPT, rcpt);
    curl_easy_setopt(c, CURLOPT_READFUNCTION, read_message);
    curl_easy_setopt(c, CURLOPT_READDATA, &up);
    curl_easy_setopt(c, CURLOPT_UPLOAD, 1L);
    curl_easy_setopt(c, CURLOPT_INFILESIZE_LARGE, (curl_off_t)len);
    /* smtp:// upgrades with STARTTLS when offered; smtps:// is TLS anyway. */
    if (strncmp(t->url, "smtp://", 7) == 0)
        curl_easy_setopt(c, CURLOPT_USE_SSL, (long)CURLUSESSL_TRY);
    curl_easy_setopt(c, CURLOPT_TIMEOUT_MS, timeout_ms);
    curl_easy_setopt(c, CURLOPT_CONNECTTIMEOUT_MS, timeout_ms);
    curl_easy_setopt(c, CURLOPT_ERRORBUFFER, errbuf);
    /* Verbose only feeds on_debug, which keeps error replies and prints nothing. */
    curl_easy_setopt(c, CURLOPT_DEBUGFUNCTION, on_debug);
    curl_easy_setopt(c, CURLOPT_DEBUGDATA, &last);
    curl_easy_setopt(c, CURLOPT_VERBOSE, 1L);
    CURLcode rc = curl_easy_perform(c);
    if (rc != CURLE_OK) {
        char *shown = mail_channel_redact(t->url);
        err = vg_error_set(VG_ENET, "smtp %s: %s%s%s", shown ? shown : "server",
                           *errbuf ? errbuf : curl_easy_strerror(rc),
                           *last.last ? "; server said: " : "", last.last);
        free(shown);
    }
cleanup:
    vg_buf_free(&from);
    curl_slist_free_all(rcpt);
    curl_easy_cleanup(c);
    return err;
}
