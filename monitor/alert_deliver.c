/*
 * Alert delivery (see alert.h): renders a queued delivery as JSON, sends
 * it on its channel (libcurl for webhooks and mail, posix_spawn for
 * commands, the log) and records success or the next retry in the
 * store. It runs on its own thread so a slow receiver never stalls
 * crawling; the outbox rows make every alert survive a crash until it
 * is delivered.
 */
#include "monitor/alert.h"

#include "core/buf.h"
#include "core/log.h"
#include "core/vtime.h"
#include "monitor/mail.h"

#include <curl/curl.h>
#include <errno.h>
#include <fcntl.h>
#include <jansson.h>
#include <openssl/evp.h>
#include <openssl/hmac.h>
#include <spawn.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

extern char **environ;

/* The readable text of an alert is cut past this. */
#define ALERT_MAX_TEXT 4096

vg_err alert_channel_check(const char *channel)
{
    if (!channel || !*channel)
        return vg_error_set(VG_EINVAL, "empty channel");
    if (strcmp(channel, "log") == 0)
        return VG_OK;
    if (strncmp(channel, "webhook:", 8) == 0) {
        const char *url = channel + 8;
        if (strncmp(url, "http://", 7) != 0 && strncmp(url, "https://", 8) != 0)
            return vg_error_set(VG_EINVAL, "webhook URL must start with http:// or https://");
        return VG_OK;
    }
    if (strncmp(channel, "exec:", 5) == 0) {
        if (!channel[5])
            return vg_error_set(VG_EINVAL, "exec: needs a command");
        return VG_OK;
    }
    if (strncmp(channel, "smtp://", 7) == 0 || strncmp(channel, "smtps://", 8) == 0) {
        mail_target t;
        vg_err err = mail_target_parse(channel, &t);
        mail_target_free(&t);
        return err;
    }
    /* Redacted: an unknown scheme may still carry a password. */
    char *shown = mail_channel_redact(channel);
    vg_err err = vg_error_set(VG_EINVAL,
                              "unknown channel '%s' (webhook:URL, smtp://..., smtps://..., "
                              "exec:COMMAND, log)",
                              shown ? shown : "?");
    free(shown);
    return err;
}

/* A string member of o, "" when absent. */
static const char *jstr(const json_t *o, const char *key)
{
    const char *v = json_string_value(json_object_get(o, key));
    return v ? v : "";
}

/* The readable summary: the figures on the first line, then what the
 * bucket said (top terms, the most negative mentions) when the detail
 * has it. Chat webhooks show this `text` as is; mails start with it. */
static void render_text(const store_delivery *d, json_t *detail, vg_buf *b)
{
    char bucket[21];
    vg_time_iso(d->bucket_start, bucket);
    const char *unit = strcmp(d->metric, "negative-share") == 0 ? "%" : "";
    vg_buf_printf(b,
                  "[vigie] %s alert: %s %s at %.0f%s in the bucket from %s "
                  "(expected %.0f%s, usual range %.0f-%.0f%s; unusualness %.2f)",
                  d->severity, d->brand, d->metric, d->observed, unit, bucket, d->expected, unit,
                  d->low, d->high, unit, d->score);
    json_t *terms = json_object_get(detail, "top_terms");
    if (json_array_size(terms) > 0) {
        vg_buf_puts(b, "\nTop terms:");
        for (size_t i = 0; i < json_array_size(terms); i++) {
            json_t *t = json_array_get(terms, i);
            vg_buf_printf(b, "%s %s (%lld)", i ? "," : "", jstr(t, "term"),
                          (long long)json_integer_value(json_object_get(t, "count")));
        }
    }
    json_t *neg = json_object_get(detail, "negative_mentions");
    if (json_array_size(neg) > 0)
        vg_buf_puts(b, "\nMost negative mentions:");
    for (size_t i = 0; i < json_array_size(neg); i++) {
        json_t *m = json_array_get(neg, i);
        vg_buf_printf(b, "\n- %+.2f \"%s\" %s", json_number_value(json_object_get(m, "score")),
                      jstr(m, "snippet"), jstr(m, "url"));
    }
}

vg_err alert_render_json(const store_delivery *d, char **out)
{
    char bucket[21], created[21];
    vg_buf text;
    *out = NULL;
    vg_time_iso(d->bucket_start, bucket);
    vg_time_iso(d->created_at, created);
    json_t *detail = d->detail ? json_loads(d->detail, 0, NULL) : NULL;
    vg_buf_init(&text, ALERT_MAX_TEXT);
    render_text(d, detail, &text);
    if (text.err == VG_ENOMEM) {
        json_decref(detail);
        vg_buf_free(&text);
        return vg_error_set(VG_ENOMEM, "out of memory");
    }
    json_t *o = json_object();
    if (!o) {
        json_decref(detail);
        vg_buf_free(&text);
        return vg_error_set(VG_ENOMEM, "out of memory");
    }
    /* Past the cap the text is cut, not refused: the figures come first. */
    json_object_set_new(o, "text", json_string(vg_buf_str(&text) ? vg_buf_str(&text) : ""));
    vg_buf_free(&text);
    json_object_set_new(o, "brand", json_string(d->brand));
    json_object_set_new(o, "metric", json_string(d->metric));
    json_object_set_new(o, "severity", json_string(d->severity));
    json_object_set_new(o, "observed", json_real(d->observed));
    json_object_set_new(o, "expected", json_real(d->expected));
    json_object_set_new(o, "low", json_real(d->low));
    json_object_set_new(o, "high", json_real(d->high));
    json_object_set_new(o, "score", json_real(d->score));
    json_object_set_new(o, "bucket_start", json_string(bucket));
    json_object_set_new(o, "created_at", json_string(created));
    json_object_set_new(o, "alert_id", json_integer(d->alert_id));
    json_object_set_new(o, "idempotency_key", json_string(d->idem_key));
    if (detail)
        json_object_set_new(o, "detail", detail);
    *out = json_dumps(o, JSON_COMPACT | JSON_SORT_KEYS);
    json_decref(o);
    return *out ? VG_OK : vg_error_set(VG_ENOMEM, "out of memory");
}

static size_t discard(char *p, size_t size, size_t n, void *arg)
{
    (void)p;
    (void)arg;
    return size * n;
}

static vg_err send_webhook(const char *url, const char *secret, const char *idem_key,
                           const char *json, long timeout_ms)
{
    vg_err err = VG_OK;
    struct curl_slist *h = NULL, *tmp;
    char line[256];
    CURL *c = curl_easy_init();
    if (!c)
        return vg_error_set(VG_ENOMEM, "curl_easy_init failed");
    const char *base[] = {"Content-Type: application/json", "User-Agent: vigie-alerts/1"};
    for (size_t i = 0; i < 2; i++) {
        if (!(tmp = curl_slist_append(h, base[i])))
            goto nomem;
        h = tmp;
    }
    snprintf(line, sizeof line, "Idempotency-Key: %s", idem_key);
    if (!(tmp = curl_slist_append(h, line)))
        goto nomem;
    h = tmp;
    if (secret && *secret) {
        unsigned char md[EVP_MAX_MD_SIZE];
        unsigned int mdlen = 0;
        if (!HMAC(EVP_sha256(), secret, (int)strlen(secret), (const unsigned char *)json,
                  strlen(json), md, &mdlen)) {
            err = vg_error_set(VG_ENET, "HMAC failed");
            goto cleanup;
        }
        int o = snprintf(line, sizeof line, "X-Vigie-Signature: sha256=");
        for (unsigned int i = 0; i < mdlen && o + 3 < (int)sizeof line; i++)
            o += snprintf(line + o, sizeof line - (size_t)o, "%02x", md[i]);
        if (!(tmp = curl_slist_append(h, line)))
            goto nomem;
        h = tmp;
    }
    curl_easy_setopt(c, CURLOPT_URL, url);
    curl_easy_setopt(c, CURLOPT_PROTOCOLS_STR, "http,https");
    curl_easy_setopt(c, CURLOPT_NOSIGNAL, 1L);
    curl_easy_setopt(c, CURLOPT_HTTPHEADER, h);
    curl_easy_setopt(c, CURLOPT_POSTFIELDS, json);
    curl_easy_setopt(c, CURLOPT_TIMEOUT_MS, timeout_ms);
    curl_easy_setopt(c, CURLOPT_CONNECTTIMEOUT_MS, timeout_ms);
    curl_easy_setopt(c, CURLOPT_WRITEFUNCTION, discard);
    CURLcode rc = curl_easy_perform(c);
    long status = 0;
    curl_easy_getinfo(c, CURLINFO_RESPONSE_CODE, &status);
    if (rc != CURLE_OK)
        err = vg_error_set(VG_ENET, "webhook: %s", curl_easy_strerror(rc));
    else if (status < 200 || status > 299)
        err = vg_error_set(VG_ENET, "webhook: HTTP %ld", status);
    goto cleanup;
nomem:
    err = vg_error_set(VG_ENOMEM, "out of memory");
cleanup:
    memset(line, 0, sizeof line);
    curl_slist_free_all(h);
    curl_easy_cleanup(c);
    return err;
}

/* Runs command through /bin/sh with the JSON on its standard input. The
 * JSON goes through an unlinked temporary file rather than a pipe, so a
 * command that ignores its input cannot kill us with SIGPIPE. */
static vg_err send_exec(const char *command, const char *json)
{
    char path[] = "/tmp/vigie-alert-XXXXXX";
    int fd = mkstemp(path);
    if (fd < 0)
        return vg_error_set(VG_EIO, "exec: temporary file: %s", strerror(errno));
    unlink(path);
    size_t len = strlen(json), off = 0;
    while (off < len) {
        ssize_t w = write(fd, json + off, len - off);
        if (w < 0 && errno == EINTR)
            continue;
        if (w <= 0) {
            close(fd);
            return vg_error_set(VG_EIO, "exec: writing input: %s", strerror(errno));
        }
        off += (size_t)w;
    }
    lseek(fd, 0, SEEK_SET);
    posix_spawn_file_actions_t fa;
    posix_spawn_file_actions_init(&fa);
    posix_spawn_file_actions_adddup2(&fa, fd, 0);
    char *argv[] = {"/bin/sh", "-c", (char *)command, NULL};
    pid_t pid;
    int rc = posix_spawn(&pid, "/bin/sh", &fa, NULL, argv, environ);
    posix_spawn_file_actions_destroy(&fa);
    close(fd);
    if (rc != 0)
        return vg_error_set(VG_EIO, "exec: %s", strerror(rc));
    int status = 0;
    while (waitpid(pid, &status, 0) < 0)
        if (errno != EINTR)
            return vg_error_set(VG_EIO, "exec: wait: %s", strerror(errno));
    if (!WIFEXITED(status) || WEXITSTATUS(status) != 0)
        return vg_error_set(VG_ENET, "exec: command failed (status %d)",
                            WIFEXITED(status) ? WEXITSTATUS(status) : -1);
    return VG_OK;
}

/* HTML-escapes s into b. */
static void put_html(vg_buf *b, const char *s)
{
    for (; *s; s++) {
        switch (*s) {
        case '&': vg_buf_puts(b, "&amp;"); break;
        case '<': vg_buf_puts(b, "&lt;"); break;
        case '>': vg_buf_puts(b, "&gt;"); break;
        case '"': vg_buf_puts(b, "&quot;"); break;
        case '\'': vg_buf_puts(b, "&#39;"); break;
        default: vg_buf_putc(b, *s);
        }
    }
}

/* The HTML part of an alert mail: the same facts as the text part. */
static void render_html(json_t *doc, vg_buf *b)
{
    json_t *detail = json_object_get(doc, "detail");
    const char *metric = jstr(doc, "metric");
    const char *unit = strcmp(metric, "negative-share") == 0 ? "%" : "";
    vg_buf_puts(b, "<!DOCTYPE html>\n<html><head><meta charset=\"utf-8\"><title>");
    put_html(b, jstr(doc, "brand"));
    vg_buf_puts(b, " alert</title></head>\n<body style=\"font-family:sans-serif\">\n<h2>");
    put_html(b, jstr(doc, "severity"));
    vg_buf_puts(b, " alert: ");
    put_html(b, jstr(doc, "brand"));
    vg_buf_puts(b, " &mdash; ");
    put_html(b, metric);
    vg_buf_puts(b, "</h2>\n<table>\n<tr><th align=\"left\">Bucket from</th><td>");
    put_html(b, jstr(doc, "bucket_start"));
    vg_buf_printf(b,
                  "</td></tr>\n<tr><th align=\"left\">Observed</th><td>%.0f%s</td></tr>\n"
                  "<tr><th align=\"left\">Expected</th><td>%.0f%s (usual range %.0f&ndash;%.0f%s)"
                  "</td></tr>\n<tr><th align=\"left\">Unusualness</th><td>%.2f</td></tr>\n"
                  "</table>\n",
                  json_number_value(json_object_get(doc, "observed")), unit,
                  json_number_value(json_object_get(doc, "expected")), unit,
                  json_number_value(json_object_get(doc, "low")),
                  json_number_value(json_object_get(doc, "high")), unit,
                  json_number_value(json_object_get(doc, "score")));
    json_t *terms = json_object_get(detail, "top_terms");
    if (json_array_size(terms) > 0) {
        vg_buf_puts(b, "<h3>Top terms</h3>\n<ul>\n");
        for (size_t i = 0; i < json_array_size(terms); i++) {
            json_t *t = json_array_get(terms, i);
            vg_buf_puts(b, "<li>");
            put_html(b, jstr(t, "term"));
            vg_buf_printf(b, " (%lld)</li>\n",
                          (long long)json_integer_value(json_object_get(t, "count")));
        }
        vg_buf_puts(b, "</ul>\n");
    }
    json_t *neg = json_object_get(detail, "negative_mentions");
    if (json_array_size(neg) > 0) {
        vg_buf_puts(b, "<h3>Most negative mentions</h3>\n<ul>\n");
        for (size_t i = 0; i < json_array_size(neg); i++) {
            json_t *m = json_array_get(neg, i);
            const char *url = jstr(m, "url");
            vg_buf_printf(b, "<li>%+.2f &ldquo;", json_number_value(json_object_get(m, "score")));
            put_html(b, jstr(m, "snippet"));
            vg_buf_puts(b, "&rdquo;");
            /* Only web links become links: a stored URL is untrusted. */
            if (strncmp(url, "http://", 7) == 0 || strncmp(url, "https://", 8) == 0) {
                vg_buf_puts(b, " <a href=\"");
                put_html(b, url);
                vg_buf_puts(b, "\">");
                put_html(b, url);
                vg_buf_puts(b, "</a>");
            }
            vg_buf_puts(b, "</li>\n");
        }
        vg_buf_puts(b, "</ul>\n");
    }
    vg_buf_puts(b, "<p style=\"color:#666\">Alert key: ");
    put_html(b, jstr(doc, "idempotency_key"));
    vg_buf_puts(b, "</p>\n</body></html>\n");
}

/* The server URL with the rule's secret as the password, for a channel
 * written smtp://user@host/... so the password stays out of the rule's
 * text (and of `ps` when the rule is added). */
static vg_err url_with_secret(const char *url, const char *secret, char **out)
{
    *out = NULL;
    const char *auth = strstr(url, "://");
    const char *at = auth ? strrchr(auth + 3, '@') : NULL;
    if (!at)
        return vg_error_set(VG_EINVAL, "smtp: a secret needs a user in the channel "
                                       "(smtp://USER@host/...)");
    if (memchr(auth + 3, ':', (size_t)(at - (auth + 3))))
        return vg_error_set(VG_EINVAL, "smtp: the channel has a password and a secret is set");
    char *enc = curl_easy_escape(NULL, secret, 0);
    if (!enc)
        return vg_error_set(VG_ENOMEM, "out of memory");
    vg_buf b;
    vg_buf_init(&b, 4096);
    vg_buf_append(&b, url, (size_t)(at - url));
    vg_buf_printf(&b, ":%s%s", enc, at);
    memset(enc, 0, strlen(enc));
    curl_free(enc);
    if (b.err != VG_OK) {
        vg_buf_free(&b);
        return vg_error_set(VG_ENOMEM, "out of memory");
    }
    *out = vg_buf_detach(&b);
    return VG_OK;
}

/* Sends the alert document as a mail: the text part is the document's
 * `text` plus the key, the HTML part the same facts; the idempotency key
 * goes in X-Vigie-Alert-Key and, as the Message-ID, lets mail readers
 * fold a re-sent copy. */
static vg_err send_mail(const char *channel, const char *secret, const char *idem_key,
                        const char *json, long timeout_ms)
{
    mail_target t;
    vg_err err;
    json_t *doc = NULL;
    char *msg = NULL;
    size_t len = 0;
    vg_buf text, html, sub, key;
    vg_buf_init(&text, 64 * 1024);
    vg_buf_init(&html, 256 * 1024);
    vg_buf_init(&sub, 1024);
    vg_buf_init(&key, 256);
    if ((err = mail_target_parse(channel, &t)) != VG_OK)
        goto cleanup;
    if (secret && *secret) {
        char *url = NULL;
        if ((err = url_with_secret(t.url, secret, &url)) != VG_OK)
            goto cleanup;
        free(t.url);
        t.url = url;
    }
    if (!(doc = json_loads(json, 0, NULL))) {
        err = vg_error_set(VG_EINVAL, "smtp: alert document is not JSON");
        goto cleanup;
    }
    const char *metric = jstr(doc, "metric");
    vg_buf_printf(&sub, "[vigie] %s alert: %s %s %.0f%s (expected %.0f)", jstr(doc, "severity"),
                  jstr(doc, "brand"), metric, json_number_value(json_object_get(doc, "observed")),
                  strcmp(metric, "negative-share") == 0 ? "%" : "",
                  json_number_value(json_object_get(doc, "expected")));
    vg_buf_printf(&text, "%s\n\nAlert key: %s\n", jstr(doc, "text"), idem_key);
    render_html(doc, &html);
    vg_buf_printf(&key, "X-Vigie-Alert-Key: %s", idem_key);
    if (text.err || html.err || sub.err || key.err) {
        err = vg_error_set(VG_ENOMEM, "smtp: alert mail too large");
        goto cleanup;
    }
    /* Brand names are the user's: a line break would forge headers. */
    if ((err = mail_header_check(vg_buf_str(&sub), "subject")) != VG_OK ||
        (err = mail_header_check(idem_key, "alert key")) != VG_OK)
        goto cleanup;
    const char *extra[] = {vg_buf_str(&key), "Auto-Submitted: auto-generated", NULL};
    mail_message m = {.from = t.from, .to = t.to, .nto = t.nto, .subject = vg_buf_str(&sub),
                      .text = vg_buf_str(&text), .html = vg_buf_str(&html),
                      .extra_headers = extra, .date = vg_now(), .message_id = idem_key};
    if ((err = mail_message_build(&m, &msg, &len)) != VG_OK)
        goto cleanup;
    err = mail_send(&t, msg, len, timeout_ms);
cleanup:
    if (t.url) /* it may hold the secret */
        memset(t.url, 0, strlen(t.url));
    mail_target_free(&t);
    json_decref(doc);
    free(msg);
    vg_buf_free(&text);
    vg_buf_free(&html);
    vg_buf_free(&sub);
    vg_buf_free(&key);
    return err;
}

vg_err alert_send(const char *channel, const char *secret, const char *idem_key,
                  const char *json, long timeout_ms)
{
    vg_err err = alert_channel_check(channel);
    if (err != VG_OK)
        return err;
    if (strcmp(channel, "log") == 0) {
        VG_WARN("alert %s: %s", idem_key, json);
        return VG_OK;
    }
    if (strncmp(channel, "webhook:", 8) == 0)
        return send_webhook(channel + 8, secret, idem_key, json, timeout_ms);
    if (strncmp(channel, "smtp", 4) == 0)
        return send_mail(channel, secret, idem_key, json, timeout_ms);
    return send_exec(channel + 5, json);
}

vg_err alert_deliver_pending(store *st, const alert_deliver_opts *opts, int64_t now,
                             int *delivered, int *failed)
{
    static const alert_deliver_opts defaults = ALERT_DELIVER_OPTS_INIT;
    const alert_deliver_opts *o = opts ? opts : &defaults;
    store_delivery *v = NULL;
    size_t n = 0;
    int ok = 0, bad = 0;
    vg_err err = store_delivery_due(st, now, o->limit, &v, &n);
    if (err != VG_OK)
        goto cleanup;
    for (size_t i = 0; i < n; i++) {
        char *json = NULL;
        if ((err = alert_render_json(&v[i], &json)) != VG_OK)
            goto cleanup;
        vg_err sent = alert_send(v[i].channel, v[i].secret, v[i].idem_key, json, o->timeout_ms);
        free(json);
        if (sent == VG_OK) {
            ok++;
            err = store_delivery_done(st, v[i].id, now);
        } else {
            char msg[256];
            snprintf(msg, sizeof msg, "%s", vg_error_last());
            int64_t wait = o->backoff_base;
            for (int k = 0; k < v[i].attempts && wait < o->backoff_max; k++)
                wait *= 2;
            if (wait > o->backoff_max)
                wait = o->backoff_max;
            bad++;
            VG_WARN("alert %s not delivered (attempt %d): %s; next try in %llds",
                    v[i].idem_key, v[i].attempts + 1, msg, (long long)wait);
            err = store_delivery_failed(st, v[i].id, msg, now + wait);
        }
        if (err != VG_OK)
            goto cleanup;
    }
cleanup:
    store_delivery_array_free(v, n);
    if (delivered)
        *delivered = ok;
    if (failed)
        *failed = bad;
    return err;
}
