/*
 * Crisis alerts end to end, without the crawler: a real SQLite file, the
 * per-brand buckets fed mention by mention inside transactions, the
 * outbox, and a real webhook receiver on 127.0.0.1 (libmicrohttpd) that
 * checks the HMAC signature, fails at first, then recovers after the
 * store was closed and reopened (a restart): the alert arrives exactly
 * once, with the same idempotency key on every attempt. Also the
 * cooldown, the exec channel and that `vigie alert list` never prints a
 * secret.
 */
#include "monitor/alert.h"
#include "monitor/buckets.h"
#include "store/store.h"

#include <arpa/inet.h>
#include <microhttpd.h>
#include <netinet/in.h>
#include <openssl/evp.h>
#include <openssl/hmac.h>
#include <pthread.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>

#define SECRET "k3y-for-tests"
#define T0 1767225600 /* 2026-01-01T00:00Z */

/* What the receiver saw. */
typedef struct receiver {
    pthread_mutex_t mu;
    int fail;          /* answer 503 while set */
    int requests;      /* POSTs received */
    int accepted;      /* distinct idempotency keys answered 2xx */
    int bad_signature; /* requests whose signature did not verify */
    char keys[8][64];  /* idempotency key of each request */
    char accepted_keys[8][64];
    char last_body[4096];
} receiver;

typedef struct upload {
    char body[4096];
    size_t len;
    int too_big;
} upload;

static int signature_ok(const char *header, const char *body, size_t len)
{
    unsigned char md[EVP_MAX_MD_SIZE];
    unsigned int mdlen = 0;
    char hex[2 * EVP_MAX_MD_SIZE + 8] = "sha256=";
    if (!header || !HMAC(EVP_sha256(), SECRET, (int)strlen(SECRET), (const unsigned char *)body,
                         len, md, &mdlen))
        return 0;
    for (unsigned int i = 0; i < mdlen; i++)
        snprintf(hex + 7 + 2 * i, 3, "%02x", md[i]);
    return strcmp(header, hex) == 0;
}

static enum MHD_Result handler(void *cls, struct MHD_Connection *c, const char *url,
                               const char *method, const char *version, const char *data,
                               size_t *data_size, void **con_cls)
{
    receiver *rx = cls;
    (void)url;
    (void)version;
    if (strcmp(method, "POST") != 0)
        return MHD_NO;
    upload *u = *con_cls;
    if (!u) {
        if (!(u = calloc(1, sizeof *u)))
            return MHD_NO;
        *con_cls = u;
        return MHD_YES;
    }
    if (*data_size) {
        if (u->len + *data_size < sizeof u->body) {
            memcpy(u->body + u->len, data, *data_size);
            u->len += *data_size;
        } else {
            u->too_big = 1;
        }
        *data_size = 0;
        return MHD_YES;
    }
    const char *sig = MHD_lookup_connection_value(c, MHD_HEADER_KIND, "X-Vigie-Signature");
    const char *key = MHD_lookup_connection_value(c, MHD_HEADER_KIND, "Idempotency-Key");
    unsigned status;
    pthread_mutex_lock(&rx->mu);
    int n = rx->requests++;
    if (n < 8)
        snprintf(rx->keys[n], sizeof rx->keys[n], "%s", key ? key : "");
    if (u->too_big || !signature_ok(sig, u->body, u->len))
        rx->bad_signature++;
    u->body[u->len] = '\0';
    snprintf(rx->last_body, sizeof rx->last_body, "%s", u->body);
    if (rx->fail) {
        status = 503;
    } else {
        /* A receiver that honours the key: a repeat is acknowledged, not
         * counted twice. */
        int seen = 0;
        for (int i = 0; i < rx->accepted && i < 8; i++)
            seen |= key && strcmp(rx->accepted_keys[i], key) == 0;
        if (!seen && rx->accepted < 8)
            snprintf(rx->accepted_keys[rx->accepted++], 64, "%s", key ? key : "");
        status = 200;
    }
    pthread_mutex_unlock(&rx->mu);
    struct MHD_Response *r = MHD_create_response_from_buffer(2, (void *)"ok", MHD_RESPMEM_PERSISTENT);
    enum MHD_Result rc = MHD_queue_response(c, status, r);
    MHD_destroy_response(r);
    return rc;
}

static void completed(void *cls, struct MHD_Connection *c, void **con_cls,
                      enum MHD_RequestTerminationCode toe)
{
    (void)cls;
    (void)c;
    (void)toe;
    free(*con_cls);
    *con_cls = NULL;
}

typedef struct fixture {
    char dir[64], path[96];
    store *st;
    int64_t brand;
    receiver rx;
    struct MHD_Daemon *d;
    unsigned port;
} fixture;

static int setup(void **state)
{
    fixture *fx = calloc(1, sizeof *fx);
    assert_non_null(fx);
    snprintf(fx->dir, sizeof fx->dir, "/tmp/vg-alerts-XXXXXX");
    assert_non_null(mkdtemp(fx->dir));
    snprintf(fx->path, sizeof fx->path, "%s/vigie.db", fx->dir);
    assert_int_equal(store_open(fx->path, &fx->st), VG_OK);
    assert_int_equal(store_brand_add(fx->st, "Fibrelia", NULL, &fx->brand), VG_OK);
    pthread_mutex_init(&fx->rx.mu, NULL);
    struct sockaddr_in sa = {0};
    sa.sin_family = AF_INET;
    sa.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    fx->d = MHD_start_daemon(MHD_USE_INTERNAL_POLLING_THREAD, 0, NULL, NULL, handler, &fx->rx,
                             MHD_OPTION_SOCK_ADDR, (struct sockaddr *)&sa,
                             MHD_OPTION_NOTIFY_COMPLETED, completed, NULL, MHD_OPTION_END);
    assert_non_null(fx->d);
    const union MHD_DaemonInfo *info = MHD_get_daemon_info(fx->d, MHD_DAEMON_INFO_BIND_PORT);
    assert_non_null(info);
    fx->port = info->port;
    *state = fx;
    return 0;
}

static int teardown(void **state)
{
    fixture *fx = *state;
    MHD_stop_daemon(fx->d);
    store_close(fx->st);
    char cmd[160];
    snprintf(cmd, sizeof cmd, "rm -rf %s", fx->dir);
    if (system(cmd) != 0)
        fprintf(stderr, "could not remove %s\n", fx->dir);
    pthread_mutex_destroy(&fx->rx.mu);
    free(fx);
    return 0;
}

/* Feeds three quiet days (10 neutral mentions an hour) and then a storm
 * hour of 200, one transaction per hour as the writer would; returns
 * the number of alerts the buckets recorded. */
static int feed_storm(fixture *fx)
{
    bucket_monitor *m = NULL;
    int total = 0;
    assert_int_equal(bucket_monitor_new(NULL, &m), VG_OK);
    for (int h = 0; h <= 72; h++) {
        int n = h == 72 ? 200 : 10;
        assert_int_equal(store_begin(fx->st), VG_OK);
        for (int i = 0; i < n; i++) {
            int64_t t = T0 + (int64_t)h * 3600 + i * (3600 / n);
            int alerts = 0;
            assert_int_equal(bucket_add_mention(m, fx->st, fx->brand, t, 0, t, &alerts), VG_OK);
            total += alerts;
        }
        assert_int_equal(store_commit(fx->st), VG_OK);
    }
    bucket_stats s;
    bucket_current(m, fx->brand, &s);
    assert_int_equal(s.start, T0 + 72 * 3600);
    assert_int_equal(s.volume, 200);
    bucket_monitor_free(m);
    return total;
}

static void webhook_alert_survives_failures_and_restart_and_arrives_once(void **state)
{
    fixture *fx = *state;
    char channel[128];
    snprintf(channel, sizeof channel, "webhook:http://127.0.0.1:%u/hook", fx->port);
    assert_int_equal(store_alert_rule_add(fx->st, "Fibrelia", "volume", channel, SECRET, 1,
                                          6 * 3600, NULL),
                     VG_OK);
    /* one storm, one alert, one delivery queued */
    assert_int_equal(feed_storm(fx), 1);
    store_alert_row *rows = NULL;
    size_t n = 0;
    assert_int_equal(store_alert_list(fx->st, 0, &rows, &n), VG_OK);
    assert_int_equal(n, 1);
    assert_string_equal(rows[0].metric, "volume");
    assert_int_equal(rows[0].bucket_start, T0 + 72 * 3600);
    assert_int_equal(rows[0].deliveries, 1);
    assert_int_equal(rows[0].delivered, 0);
    store_alert_row_array_free(rows, n);

    alert_deliver_opts o = ALERT_DELIVER_OPTS_INIT;
    o.timeout_ms = 5000;
    int64_t now = T0 + 73 * 3600;
    int ok = -1, bad = -1;

    /* the receiver is down: the attempt fails and is scheduled later */
    fx->rx.fail = 1;
    assert_int_equal(alert_deliver_pending(fx->st, &o, now, &ok, &bad), VG_OK);
    assert_int_equal(ok, 0);
    assert_int_equal(bad, 1);
    assert_int_equal(fx->rx.requests, 1);
    /* not due again before its backoff */
    assert_int_equal(alert_deliver_pending(fx->st, &o, now + 1, &ok, &bad), VG_OK);
    assert_int_equal(ok + bad, 0);
    assert_int_equal(fx->rx.requests, 1);
    /* a second failure doubles the wait */
    assert_int_equal(alert_deliver_pending(fx->st, &o, now + o.backoff_base, &ok, &bad), VG_OK);
    assert_int_equal(bad, 1);
    assert_int_equal(alert_deliver_pending(fx->st, &o, now + 2 * o.backoff_base, &ok, &bad),
                     VG_OK);
    assert_int_equal(ok + bad, 0);

    /* restart: close and reopen the database, the receiver recovers */
    store_close(fx->st);
    fx->st = NULL;
    assert_int_equal(store_open(fx->path, &fx->st), VG_OK);
    fx->rx.fail = 0;
    assert_int_equal(alert_deliver_pending(fx->st, &o, now + 3600, &ok, &bad), VG_OK);
    assert_int_equal(ok, 1);
    assert_int_equal(bad, 0);
    /* and never again */
    assert_int_equal(alert_deliver_pending(fx->st, &o, now + 86400, &ok, &bad), VG_OK);
    assert_int_equal(ok + bad, 0);

    assert_int_equal(fx->rx.requests, 3);
    assert_int_equal(fx->rx.accepted, 1);
    assert_int_equal(fx->rx.bad_signature, 0);
    assert_string_equal(fx->rx.keys[0], fx->rx.keys[1]);
    assert_string_equal(fx->rx.keys[0], fx->rx.keys[2]);
    assert_true(strncmp(fx->rx.keys[0], "vigie-", 6) == 0);
    assert_non_null(strstr(fx->rx.last_body, "\"text\":\"[vigie] "));
    assert_non_null(strstr(fx->rx.last_body, "\"brand\":\"Fibrelia\""));
    assert_null(strstr(fx->rx.last_body, SECRET));

    assert_int_equal(store_alert_list(fx->st, 0, &rows, &n), VG_OK);
    assert_int_equal(n, 1);
    assert_int_equal(rows[0].delivered, 1);
    assert_int_equal(rows[0].attempts, 3);
    store_alert_row_array_free(rows, n);
}

static void cooldown_stops_repeats_but_not_a_worsening_storm(void **state)
{
    fixture *fx = *state;
    int64_t rule = 0;
    assert_int_equal(store_alert_rule_add(fx->st, "Fibrelia", "negative", "log", NULL, 1,
                                          6 * 3600, &rule),
                     VG_OK);
    static const struct {
        int64_t bucket;
        int severity;
        int queued;
    } cases[] = {
        {T0, 1, 1},                /* first: delivered */
        {T0 + 3600, 1, 0},         /* same severity within 6 h: held back */
        {T0 + 7200, 3, 1},         /* worse: goes through */
        {T0 + 10800, 2, 0},        /* less than the last: held back */
        {T0 + 7200 + 6 * 3600 + 1, 2, 1}, /* after the cooldown: goes */
        {T0 + 7200 + 6 * 3600 + 1, 3, 0}, /* same bucket twice: recorded once */
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        store_alert a = {fx->brand, "negative", cases[i].bucket, 50, 5, 0, 12, 0.9,
                         cases[i].severity, NULL, cases[i].bucket + 60};
        int queued = -1;
        assert_int_equal(store_alert_record(fx->st, &a, NULL, &queued), VG_OK);
        assert_int_equal(queued, cases[i].queued);
    }
    /* the log channel delivers the three queued */
    int ok = 0, bad = 0;
    assert_int_equal(alert_deliver_pending(fx->st, NULL, T0 + 86400, &ok, &bad), VG_OK);
    assert_int_equal(ok, 3);
    assert_int_equal(bad, 0);
}

static void exec_channel_gets_the_alert_json_on_stdin(void **state)
{
    fixture *fx = *state;
    char channel[256], out[128];
    snprintf(out, sizeof out, "%s/exec.json", fx->dir);
    snprintf(channel, sizeof channel, "exec:cat > '%s'", out);
    assert_int_equal(store_alert_rule_add(fx->st, "Fibrelia", "volume", channel, NULL, 1, 0, NULL),
                     VG_OK);
    store_alert a = {fx->brand, "volume", T0, 300, 20, 5, 40, 0.95, 3, NULL, T0 + 10};
    assert_int_equal(store_alert_record(fx->st, &a, NULL, NULL), VG_OK);
    int ok = 0, bad = 0;
    assert_int_equal(alert_deliver_pending(fx->st, NULL, T0 + 60, &ok, &bad), VG_OK);
    assert_int_equal(ok, 1);
    FILE *f = fopen(out, "r");
    assert_non_null(f);
    char buf[2048] = {0};
    size_t len = fread(buf, 1, sizeof buf - 1, f);
    fclose(f);
    assert_true(len > 0);
    assert_non_null(strstr(buf, "\"severity\":\"high\""));
    assert_non_null(strstr(buf, "\"idempotency_key\":\"vigie-"));
    /* a failing command is retried, not dropped */
    store_alert b = {fx->brand, "volume", T0 + 3600 * 24, 300, 20, 5, 40, 0.95, 3, NULL,
                     T0 + 3600 * 24};
    assert_int_equal(store_alert_rule_add(fx->st, "Fibrelia", "volume", "exec:exit 3", NULL, 1,
                                          0, NULL),
                     VG_OK);
    assert_int_equal(store_alert_record(fx->st, &b, NULL, NULL), VG_OK);
    assert_int_equal(alert_deliver_pending(fx->st, NULL, T0 + 3600 * 25, &ok, &bad), VG_OK);
    assert_int_equal(ok, 1);
    assert_int_equal(bad, 1);
}

static void alert_list_never_prints_secrets(void **state)
{
    fixture *fx = *state;
    const char *bin = getenv("VG_BINARY");
    if (!bin)
        skip();
    assert_int_equal(store_alert_rule_add(fx->st, "Fibrelia", "volume",
                                          "webhook:https://hooks.example.test/T0/B0/tok3n",
                                          SECRET, 2, 3600, NULL),
                     VG_OK);
    const char *formats[] = {"table", "json"};
    for (int i = 0; i < 2; i++) {
        char cmd[512], buf[4096] = {0};
        snprintf(cmd, sizeof cmd, "'%s' --db '%s' alert list --format %s 2>&1", bin, fx->path,
                 formats[i]);
        FILE *p = popen(cmd, "r");
        assert_non_null(p);
        size_t len = fread(buf, 1, sizeof buf - 1, p);
        assert_int_equal(pclose(p), 0);
        assert_true(len > 0);
        assert_non_null(strstr(buf, "hooks.example.test"));
        assert_null(strstr(buf, SECRET));
        assert_null(strstr(buf, "tok3n"));
    }
}

static void restart_primes_detectors_from_stored_mentions(void **state)
{
    fixture *fx = *state;
    int64_t source = 0;
    assert_int_equal(store_source_add(fx->st, "http://s.test/feed", "feed", NULL, 60, 0, 0,
                                      &source),
                     VG_OK);
    /* two stored days: 6 mentions an hour, one negative */
    assert_int_equal(store_begin(fx->st), VG_OK);
    for (int h = 0; h < 48; h++)
        for (int i = 0; i < 6; i++) {
            char url[64];
            snprintf(url, sizeof url, "http://s.test/%d/%d", h, i);
            int64_t t = T0 + h * 3600 + i * 600, doc = 0;
            store_document d = {0};
            d.source_id = source;
            d.url = url;
            d.published_at = d.fetched_at = t;
            assert_int_equal(store_document_insert(fx->st, &d, &doc), VG_OK);
            store_mention mm = {doc, fx->brand, "s", i == 0 ? -0.5 : 0, i == 0 ? -1 : 0,
                                0, 1, 0, t, 0};
            assert_int_equal(store_mention_insert(fx->st, &mm), VG_OK);
        }
    assert_int_equal(store_commit(fx->st), VG_OK);
    bucket_monitor *m = NULL;
    assert_int_equal(bucket_monitor_new(NULL, &m), VG_OK);
    assert_int_equal(bucket_monitor_prime(m, fx->st, T0, T0 + 48 * 3600), VG_OK);
    bucket_stats s;
    bucket_current(m, fx->brand, &s);
    assert_int_equal(s.start, T0 + 47 * 3600);
    assert_int_equal(s.volume, 6);
    assert_int_equal(s.negative, 1);
    /* primed with two days, the next hour's storm alerts at once: no
     * day of warm-up after a restart */
    int total = 0;
    assert_int_equal(store_begin(fx->st), VG_OK);
    for (int i = 0; i < 60; i++) {
        int a = 0;
        assert_int_equal(bucket_add_mention(m, fx->st, fx->brand, T0 + 48 * 3600 + i * 30, 0,
                                            T0 + 48 * 3600 + i * 30, &a),
                         VG_OK);
        total += a;
    }
    assert_int_equal(store_commit(fx->st), VG_OK);
    assert_int_equal(total, 1);
    bucket_monitor_free(m);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(webhook_alert_survives_failures_and_restart_and_arrives_once,
                                        setup, teardown),
        cmocka_unit_test_setup_teardown(cooldown_stops_repeats_but_not_a_worsening_storm, setup,
                                        teardown),
        cmocka_unit_test_setup_teardown(exec_channel_gets_the_alert_json_on_stdin, setup,
                                        teardown),
        cmocka_unit_test_setup_teardown(alert_list_never_prints_secrets, setup, teardown),
        cmocka_unit_test_setup_teardown(restart_primes_detectors_from_stored_mentions, setup,
                                        teardown),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
