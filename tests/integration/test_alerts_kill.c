/*
 * An alert survives a SIGKILL of `vigie run` and is then delivered once.
 * The database holds two quiet days of a brand's mentions; a local feed
 * brings a storm hour. The first `vigie run` crawls it, and its writer
 * records the alert and its queued webhook delivery in the batch's
 * transaction. The webhook's port is a socket that listens but never
 * answers, so whatever the delivery thread's timing, no outcome is ever
 * recorded: the kill lands after detection and before delivery. Then a
 * real receiver takes the port, `vigie run` starts again, and the
 * receiver records exactly one POST, with the idempotency key queued
 * before the kill; the restarted run does not raise the alert again.
 */
#define _POSIX_C_SOURCE 200809L
#include "app/httpd.h"
#include "core/vtime.h"
#include "store/store.h"
#include "vgtest.h"

#include <arpa/inet.h>
#include <fcntl.h>
#include <microhttpd.h>
#include <netinet/in.h>
#include <pthread.h>
#include <setjmp.h>
#include <signal.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include <cmocka.h>

#define BRAND "Fibrelia"
#define STORM 60 /* feed items in the storm hour */

/* What the webhook receiver saw. */
typedef struct receiver {
    pthread_mutex_t mu;
    int requests;
    char key[64];
    char body[8192];
} receiver;

typedef struct upload {
    char body[8192];
    size_t len;
} upload;

typedef struct fixture {
    vgtest_dir d;
    char www[96];
    httpd *srv;
    int hung;          /* the listening socket that never answers */
    unsigned hook_port;
    receiver rx;
} fixture;

static void sleep_ms(long ms)
{
    struct timespec ts = {ms / 1000, (ms % 1000) * 1000000L};
    nanosleep(&ts, NULL);
}

static enum MHD_Result on_post(void *cls, struct MHD_Connection *c, const char *url,
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
        size_t k = *data_size < sizeof u->body - 1 - u->len ? *data_size
                                                             : sizeof u->body - 1 - u->len;
        memcpy(u->body + u->len, data, k);
        u->len += k;
        *data_size = 0;
        return MHD_YES;
    }
    const char *key = MHD_lookup_connection_value(c, MHD_HEADER_KIND, "Idempotency-Key");
    pthread_mutex_lock(&rx->mu);
    rx->requests++;
    snprintf(rx->key, sizeof rx->key, "%s", key ? key : "");
    u->body[u->len] = '\0';
    snprintf(rx->body, sizeof rx->body, "%s", u->body);
    pthread_mutex_unlock(&rx->mu);
    struct MHD_Response *r =
        MHD_create_response_from_buffer(2, (void *)"ok", MHD_RESPMEM_PERSISTENT);
    enum MHD_Result rc = MHD_queue_response(c, 200, r);
    MHD_destroy_response(r);
    return rc;
}

static void on_done(void *cls, struct MHD_Connection *c, void **con_cls,
                    enum MHD_RequestTerminationCode toe)
{
    (void)cls;
    (void)c;
    (void)toe;
    free(*con_cls);
    *con_cls = NULL;
}

/* Starts `vigie run`, its messages in dir/run-N.log for a failing test. */
static pid_t vigie_start_run(const fixture *fx, int n)
{
    char log[128];
    snprintf(log, sizeof log, "%s/run-%d.log", fx->d.dir, n);
    return vgtest_vigie_run(fx->d.db, log, 0);
}

/* The volume alert as the store has it: its row (n = 0 when none yet)
 * and its delivery's idempotency key and attempts. */
typedef struct seen {
    int alerts, deliveries, delivered, attempts;
    char key[64];
} seen;

static seen look(const fixture *fx)
{
    seen s = {0};
    store *st = NULL;
    store_alert_row *v = NULL;
    store_delivery *d = NULL;
    size_t n = 0, nd = 0;
    if (store_open(fx->d.db, &st) != VG_OK)
        return s;
    if (store_alert_list(st, 0, &v, &n) == VG_OK)
        for (size_t i = 0; i < n; i++)
            if (strcmp(v[i].metric, "volume") == 0) {
                s.alerts++;
                s.deliveries = v[i].deliveries;
                s.delivered = v[i].delivered;
                s.attempts = v[i].attempts;
            }
    store_alert_row_array_free(v, n);
    /* far in the future: every undelivered one is due */
    if (store_delivery_due(st, vg_now() + 365 * 86400, 10, &d, &nd) == VG_OK && nd > 0)
        snprintf(s.key, sizeof s.key, "%s", d[0].idem_key);
    store_delivery_array_free(d, nd);
    store_close(st);
    return s;
}

/* Two quiet days of stored mentions (6 an hour) before the current hour,
 * so the restarted detectors have a baseline (`vigie run` primes them
 * from the store). */
static void store_history(const fixture *fx, int64_t source, int64_t hour)
{
    static const char *const quiet[] = {
        "Fibrelia présente ses nouveaux tarifs", "Fibrelia ouvre une boutique en ville",
        "Le débit de Fibrelia mesuré cette semaine", "Fibrelia sponsorise le club local",
        "Fibrelia recrute des techniciens", "Une offre Fibrelia pour les étudiants",
    };
    store *st = NULL;
    assert_int_equal(store_open(fx->d.db, &st), VG_OK);
    int64_t brand = 0;
    store_brand *b = NULL;
    size_t nb = 0;
    assert_int_equal(store_brand_list(st, 0, &b, &nb), VG_OK);
    assert_int_equal(nb, 1);
    brand = b[0].id;
    store_brand_array_free(b, nb);
    assert_int_equal(store_begin(st), VG_OK);
    for (int h = 48; h >= 1; h--)
        for (int i = 0; i < 6; i++) {
            char url[96];
            int64_t t = hour - (int64_t)h * 3600 + i * 600, doc = 0;
            snprintf(url, sizeof url, "http://history.test/%d/%d", h, i);
            store_document d = {0};
            d.source_id = source;
            d.url = url;
            d.published_at = d.fetched_at = t;
            assert_int_equal(store_document_insert(st, &d, &doc), VG_OK);
            store_mention m = {doc, brand, quiet[i], 0, 0, 0, 1, 0, t, 0};
            assert_int_equal(store_mention_insert(st, &m), VG_OK);
        }
    assert_int_equal(store_commit(st), VG_OK);
    store_close(st);
}

/* The storm: STORM distinct complaints published now. Words are drawn so
 * that no two items are near-duplicates (the writer counts a syndicated
 * copy once). */
static void write_feed(const fixture *fx, int64_t now)
{
    static const char *const w[] = {
        "abeille", "balcon", "cerise", "dauphin", "ecorce", "falaise", "girafe", "hibou",
        "igloo", "jardin", "kayak", "lanterne", "marmite", "neige", "olive", "papillon",
        "quartz", "renard", "sapin", "tortue", "usine", "vallee", "wagon", "xylophone",
        "yaourt", "zebre", "ancre", "bougie", "castor", "domino", "etoile", "fourmi",
        "grenier", "harpe", "iris", "jonquille", "koala", "lavande", "mouette", "noisette",
        "orage", "pelican", "quille", "ruisseau", "sirene", "tambour", "urne", "violon",
        "wapiti", "yeti", "zinc", "amande", "brioche", "cactus", "dune", "epice",
        "flocon", "galet", "hamac", "indigo",
    };
    char path[160];
    snprintf(path, sizeof path, "%s/feed.xml", fx->www);
    FILE *f = fopen(path, "w");
    assert_non_null(f);
    char date[64];
    time_t tt = (time_t)now;
    struct tm tm;
    gmtime_r(&tt, &tm);
    strftime(date, sizeof date, "%a, %d %b %Y %H:%M:%S GMT", &tm);
    fprintf(f, "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<rss version=\"2.0\"><channel>\n"
               "<title>Storm</title><link>/</link><language>fr</language>\n");
    for (int i = 0; i < STORM; i++)
        fprintf(f,
                "<item><title>Panne %s %s</title><link>/storm/%d.html</link>"
                "<guid>storm-%d</guid><pubDate>%s</pubDate>"
                "<description>Fibrelia en panne, coupure totale : %s, %s, %s et %s "
                "racontent la coupure numero %d.</description></item>\n",
                w[i], w[(i + 17) % 60], i, i, date, w[i], w[(i + 23) % 60], w[(i + 37) % 60],
                w[(i + 51) % 60], i);
    fprintf(f, "</channel></rss>\n");
    fclose(f);
}

static int setup(void **state)
{
    fixture *fx = calloc(1, sizeof *fx);
    assert_non_null(fx);
    pthread_mutex_init(&fx->rx.mu, NULL);
    vgtest_dir_make(&fx->d, "kill");
    snprintf(fx->www, sizeof fx->www, "%s/www", fx->d.dir);
    assert_int_equal(mkdir(fx->www, 0700), 0);
    uint16_t port = 0;
    assert_int_equal(httpd_start(fx->www, &port, &fx->srv), VG_OK);

    /* The webhook's port: listening, never accepting, never answering. */
    fx->hung = socket(AF_INET, SOCK_STREAM, 0);
    assert_true(fx->hung >= 0);
    int one = 1;
    setsockopt(fx->hung, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one);
    struct sockaddr_in sa = {0};
    sa.sin_family = AF_INET;
    sa.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    assert_int_equal(bind(fx->hung, (struct sockaddr *)&sa, sizeof sa), 0);
    assert_int_equal(listen(fx->hung, 16), 0);
    socklen_t sl = sizeof sa;
    assert_int_equal(getsockname(fx->hung, (struct sockaddr *)&sa, &sl), 0);
    fx->hook_port = ntohs(sa.sin_port);

    char feed[128], hook[128];
    snprintf(feed, sizeof feed, "http://127.0.0.1:%u/feed.xml", (unsigned)port);
    snprintf(hook, sizeof hook, "webhook:http://127.0.0.1:%u/hook", fx->hook_port);
    assert_int_equal(vgtest_vigie(fx->d.db, NULL, "init", NULL), 0);
    assert_int_equal(vgtest_vigie(fx->d.db, NULL, "config", "set", "crawl.host_delay_ms", "0",
                                  NULL),
                     0);
    assert_int_equal(vgtest_vigie(fx->d.db, NULL, "source", "add", feed, NULL), 0);
    assert_int_equal(vgtest_vigie(fx->d.db, NULL, "brand", "add", BRAND, NULL), 0);
    assert_int_equal(vgtest_vigie(fx->d.db, NULL, "alert", "add", "--brand", BRAND, "--metric",
                                  "volume", "--severity", "low", "--channel", hook, NULL),
                     0);

    store *st = NULL;
    store_source *v = NULL;
    size_t n = 0;
    assert_int_equal(store_open(fx->d.db, &st), VG_OK);
    assert_int_equal(store_source_list(st, &v, &n), VG_OK);
    assert_int_equal(n, 1);
    int64_t source = v[0].id;
    store_source_array_free(v, n);
    store_close(st);
    int64_t now = vg_now();
    store_history(fx, source, now - now % 3600);
    write_feed(fx, now);
    *state = fx;
    return 0;
}

static int teardown(void **state)
{
    fixture *fx = *state;
    httpd_stop(fx->srv);
    if (fx->hung >= 0)
        close(fx->hung);
    char cmd[160];
    snprintf(cmd, sizeof cmd, "rm -rf '%s'", fx->d.dir);
    if (system(cmd) != 0)
        fprintf(stderr, "could not remove %s\n", fx->d.dir);
    pthread_mutex_destroy(&fx->rx.mu);
    free(fx);
    return 0;
}

static void sigkill_after_the_alert_is_stored_then_restart_delivers_it_once(void **state)
{
    fixture *fx = *state;

    /* Run 1: crawl the storm; killed once the alert is in the outbox. */
    pid_t pid = vigie_start_run(fx, 1);
    seen s = {0};
    for (int i = 0; i < 300 && s.deliveries == 0; i++) { /* at most 15 s */
        sleep_ms(50);
        s = look(fx);
    }
    kill(pid, SIGKILL);
    waitpid(pid, NULL, 0);
    assert_int_equal(s.alerts, 1);
    assert_int_equal(s.deliveries, 1);
    s = look(fx);
    assert_int_equal(s.delivered, 0);
    assert_int_equal(s.attempts, 0); /* killed before any outcome */
    assert_true(strncmp(s.key, "vigie-", 6) == 0);
    char key[64];
    snprintf(key, sizeof key, "%s", s.key);

    /* The receiver comes up on the webhook's port. */
    close(fx->hung);
    fx->hung = -1;
    struct sockaddr_in sa = {0};
    sa.sin_family = AF_INET;
    sa.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    sa.sin_port = htons((uint16_t)fx->hook_port);
    struct MHD_Daemon *d = MHD_start_daemon(
        MHD_USE_INTERNAL_POLLING_THREAD, 0, NULL, NULL, on_post, &fx->rx, MHD_OPTION_SOCK_ADDR,
        (struct sockaddr *)&sa, MHD_OPTION_LISTENING_ADDRESS_REUSE, 1u,
        MHD_OPTION_NOTIFY_COMPLETED, on_done, NULL, MHD_OPTION_END);
    assert_non_null(d);

    /* Run 2: delivers what the outbox holds, and nothing twice. */
    pid = vigie_start_run(fx, 2);
    for (int i = 0; i < 300; i++) {
        s = look(fx);
        if (s.delivered)
            break;
        sleep_ms(50);
    }
    int status = vgtest_stop(pid);
    MHD_stop_daemon(d);
    if (status != 0) { /* show why (a sanitizer report, an error) */
        char cmd[160];
        snprintf(cmd, sizeof cmd, "cat '%s/run-2.log' >&2", fx->d.dir);
        if (system(cmd) != 0)
            fprintf(stderr, "no log\n");
    }
    assert_int_equal(status, 0);

    s = look(fx);
    assert_int_equal(s.alerts, 1); /* the restart did not raise it again */
    assert_int_equal(s.delivered, 1);
    assert_int_equal(s.attempts, 1);
    assert_int_equal(fx->rx.requests, 1);
    if (getenv("VG_SHOW_ALERT"))
        fprintf(stderr, "%s\n", fx->rx.body);
    assert_string_equal(fx->rx.key, key);
    assert_non_null(strstr(fx->rx.body, "\"idempotency_key\":\""));
    assert_non_null(strstr(fx->rx.body, key));
    assert_non_null(strstr(fx->rx.body, "\"brand\":\"" BRAND "\""));
    /* what the bucket said: the storm's words, not the brand's name */
    assert_non_null(strstr(fx->rx.body, "\"top_terms\":[{"));
    assert_non_null(strstr(fx->rx.body, "\"term\":\"coupure\""));
    assert_null(strstr(fx->rx.body, "\"term\":\"fibrelia\""));
    assert_non_null(strstr(fx->rx.body, "Top terms: "));
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(
            sigkill_after_the_alert_is_stored_then_restart_delivers_it_once, setup, teardown),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
