/*
 * Alert delivery (see alert.h): renders a queued delivery as JSON, sends
 * it on its channel (libcurl for webhooks, posix_spawn for commands, the
 * log) and records success or the next retry in the store. It runs on
 * its own thread so a slow receiver never stalls crawling; the outbox
 * rows make every alert survive a crash until it is delivered.
 */
#include "monitor/alert.h"

#include "core/log.h"
#include "core/vtime.h"

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
    return vg_error_set(VG_EINVAL, "unknown channel '%s' (webhook:URL, exec:COMMAND, log)",
                        channel);
}

vg_err alert_render_json(const store_delivery *d, char **out)
{
    char bucket[21], created[21], text[512];
    *out = NULL;
    vg_time_iso(d->bucket_start, bucket);
    vg_time_iso(d->created_at, created);
    const char *unit = strcmp(d->metric, "negative-share") == 0 ? "%" : "";
    snprintf(text, sizeof text,
             "[vigie] %s alert: %s %s at %.0f%s in the bucket from %s "
             "(expected %.0f%s, usual range %.0f-%.0f%s)",
             d->severity, d->brand, d->metric, d->observed, unit, bucket, d->expected, unit,
             d->low, d->high, unit);
    json_t *o = json_object();
    if (!o)
        return vg_error_set(VG_ENOMEM, "out of memory");
    json_object_set_new(o, "text", json_string(text));
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
    if (d->detail) {
        json_t *detail = json_loads(d->detail, 0, NULL);
        if (detail)
            json_object_set_new(o, "detail", detail);
    }
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
