/*
 * Alert mails end to end: a real SMTP server on 127.0.0.1 (aiosmtpd, from
 * tests/fixtures/alerts_mail/smtp_sink.py, which requires a login and
 * writes every message it accepts to a file), a real SQLite file with a
 * quiet history and a storm hour of stored mentions fed through the
 * buckets as the writer does, and the outbox delivered by
 * alert_deliver_pending. Proves: the mail arrives once with a text and
 * an HTML part, an RFC 2047 subject, the alert key header and what the
 * bucket said (top terms, most negative mentions); the login works from
 * the URL and from the rule's secret; a refused login is retried, not
 * dropped, and its error names the server's reason without the
 * password; no listing prints a password.
 */
#define _POSIX_C_SOURCE 200809L
#include "core/vtime.h"
#include "monitor/alert.h"
#include "monitor/buckets.h"
#include "store/store.h"

#include <dirent.h>
#include <fcntl.h>
#include <openssl/evp.h>
#include <setjmp.h>
#include <signal.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include <cmocka.h>

#define T0 1767225600 /* 2026-01-01T00:00Z */
#define STORM_HOUR 48     /* hours of quiet history before the storm */
#define BRAND "Fibrélia"
#define PASSWORD "s3cret pass&word"          /* what the server expects */
#define PASSWORD_IN_URL "s3cret%%20pass%%26word" /* the same, in a URL (printf) */
#define PASSWORD_IN_URL_TEXT "s3cret%20pass%26word"
#define WRONG_PASSWORD "Wr0ngPassw0rd"

typedef struct fixture {
    char dir[64], db[96], mail[96];
    pid_t sink;
    unsigned port;
    store *st;
    int64_t brand;
} fixture;

static void sleep_ms(long ms)
{
    struct timespec ts = {ms / 1000, (ms % 1000) * 1000000L};
    nanosleep(&ts, NULL);
}

/* Reads a whole small file into buf; returns its length, -1 if absent. */
static long slurp(const char *path, char *buf, size_t cap)
{
    FILE *f = fopen(path, "rb");
    if (!f)
        return -1;
    size_t n = fread(buf, 1, cap - 1, f);
    fclose(f);
    buf[n] = '\0';
    return (long)n;
}

/* Starts the SMTP sink writing into fx->mail and requiring the login
 * USER:PASSWORD, and waits (bounded) for its port file. Returns 0, or -1
 * when it did not come up (no python3 with aiosmtpd). */
static int sink_start(fixture *fx, const char *login)
{
    char script[4096], log[128];
    snprintf(script, sizeof script, "%s/tests/fixtures/alerts_mail/smtp_sink.py",
             getenv("VG_SOURCE_DIR"));
    snprintf(log, sizeof log, "%s/sink.log", fx->dir);
    fx->sink = fork();
    assert_true(fx->sink >= 0);
    if (fx->sink == 0) {
        int fd = open(log, O_WRONLY | O_CREAT | O_TRUNC, 0600);
        if (fd >= 0) {
            dup2(fd, 1);
            dup2(fd, 2);
        }
        /* Debian's interpreter first: that is where python3-aiosmtpd lives. */
        execl("/usr/bin/python3", "python3", script, fx->mail, login, (char *)NULL);
        execlp("python3", "python3", script, fx->mail, login, (char *)NULL);
        _exit(127);
    }
    char path[160], buf[32];
    snprintf(path, sizeof path, "%s/port", fx->mail);
    for (int i = 0; i < 200; i++) { /* at most 10 s */
        if (slurp(path, buf, sizeof buf) > 0) {
            fx->port = (unsigned)strtoul(buf, NULL, 10);
            return fx->port ? 0 : -1;
        }
        if (waitpid(fx->sink, NULL, WNOHANG) == fx->sink) {
            fx->sink = 0;
            return -1; /* it died: no python3 or no aiosmtpd */
        }
        sleep_ms(50);
    }
    return -1;
}

static int setup(void **state)
{
    fixture *fx = calloc(1, sizeof *fx);
    assert_non_null(fx);
    snprintf(fx->dir, sizeof fx->dir, "/tmp/vg-mail-XXXXXX");
    assert_non_null(mkdtemp(fx->dir));
    snprintf(fx->db, sizeof fx->db, "%s/vigie.db", fx->dir);
    snprintf(fx->mail, sizeof fx->mail, "%s/mail", fx->dir);
    assert_int_equal(mkdir(fx->mail, 0700), 0);
    assert_int_equal(store_open(fx->db, &fx->st), VG_OK);
    assert_int_equal(store_brand_add(fx->st, BRAND, NULL, &fx->brand), VG_OK);
    *state = fx;
    return 0;
}

static int teardown(void **state)
{
    fixture *fx = *state;
    if (fx->sink > 0) {
        kill(fx->sink, SIGTERM);
        waitpid(fx->sink, NULL, 0);
    }
    store_close(fx->st);
    char cmd[160];
    snprintf(cmd, sizeof cmd, "rm -rf '%s'", fx->dir);
    if (system(cmd) != 0)
        fprintf(stderr, "could not remove %s\n", fx->dir);
    free(fx);
    return 0;
}

/* Stores one document and its mention, then counts it into the buckets
 * as the writer does, inside the caller's transaction. */
static int add_mention(fixture *fx, bucket_monitor *m, int64_t source, int64_t t, int n,
                       const char *snippet, double score)
{
    char url[96];
    int64_t doc = 0;
    int alerts = 0;
    snprintf(url, sizeof url, "https://news.example.test/%lld/%d", (long long)t, n);
    store_document d = {0};
    d.source_id = source;
    d.url = url;
    d.title = snippet;
    d.published_at = d.fetched_at = t;
    assert_int_equal(store_document_insert(fx->st, &d, &doc), VG_OK);
    int label = score <= -0.05 ? -1 : score >= 0.05 ? 1 : 0;
    store_mention sm = {doc, fx->brand, snippet, score, label, 0, 1, 0, t, 0};
    assert_int_equal(store_mention_insert(fx->st, &sm), VG_OK);
    assert_int_equal(bucket_add_mention(m, fx->st, fx->brand, t, label, t, &alerts), VG_OK);
    return alerts;
}

static const char *const quiet[] = {
    "Fibrélia présente ses nouveaux tarifs pour la rentrée",
    "Fibrélia ouvre une boutique dans le centre commercial",
    "Le débit de Fibrélia comparé aux autres opérateurs",
    "Fibrélia sponsorise le club de rugby local",
    "Fibrélia recrute des techniciens pour le déploiement",
};
static const char *const storm[] = {
    "Panne Fibrélia : coupure internet à Lyon depuis ce matin",
    "Encore une panne chez Fibrélia, coupure internet totale",
    "Fibrélia en panne, coupure internet et service client injoignable",
    "Coupure internet géante, Fibrélia ne répond pas à la panne",
};
static const char *const worst[] = {
    "Fibrélia est une honte, la panne dure et personne ne répond",
    "Scandale Fibrélia : panne générale, clients furieux",
    "Fibrélia nul, panne interminable",
};

/* Two quiet days (10 mentions an hour), then a storm hour: the three
 * worst mentions first, then 197 complaints. Returns the alerts recorded. */
static int feed_storm(fixture *fx)
{
    int64_t source = 0;
    bucket_monitor *m = NULL;
    int total = 0;
    assert_int_equal(store_source_add(fx->st, "https://news.example.test/feed", "feed", NULL,
                                      3600, 0, 0, &source),
                     VG_OK);
    assert_int_equal(bucket_monitor_new(NULL, &m), VG_OK);
    for (int h = 0; h <= STORM_HOUR; h++) {
        int n = h == STORM_HOUR ? 200 : 10;
        assert_int_equal(store_begin(fx->st), VG_OK);
        for (int i = 0; i < n; i++) {
            int64_t t = T0 + (int64_t)h * 3600 + i * (3600 / n);
            if (h < STORM_HOUR)
                total += add_mention(fx, m, source, t, i, quiet[(h + i) % 5], 0.0);
            else if (i < 3)
                total += add_mention(fx, m, source, t, i, worst[i], -0.9 + 0.05 * i);
            else
                total += add_mention(fx, m, source, t, i, storm[i % 4], -0.4);
        }
        assert_int_equal(store_commit(fx->st), VG_OK);
    }
    bucket_monitor_free(m);
    return total;
}

/* Runs the binary with args (after --db) and captures its output. */
static int vigie_output(const fixture *fx, const char *args, char *buf, size_t cap)
{
    char cmd[1024];
    snprintf(cmd, sizeof cmd, "'%s' --db '%s' %s 2>&1", getenv("VG_BINARY"), fx->db, args);
    FILE *p = popen(cmd, "r");
    assert_non_null(p);
    size_t n = fread(buf, 1, cap - 1, p);
    buf[n] = '\0';
    return pclose(p);
}

/* Number of msg-*.eml files the sink wrote. */
static int mails(const fixture *fx)
{
    DIR *d = opendir(fx->mail);
    int n = 0;
    struct dirent *e;
    assert_non_null(d);
    while ((e = readdir(d)))
        n += strncmp(e->d_name, "msg-", 4) == 0;
    closedir(d);
    return n;
}

/* Decodes the first RFC 2047 base64 word of a header value into out. */
static void decode_word(const char *v, char *out, size_t cap)
{
    const char *b = strstr(v, "=?UTF-8?B?");
    assert_non_null(b);
    b += 10;
    const char *e = strstr(b, "?=");
    assert_non_null(e);
    assert_true((size_t)(e - b) / 4 * 3 < cap);
    int n = EVP_DecodeBlock((unsigned char *)out, (const unsigned char *)b, (int)(e - b));
    assert_true(n > 0);
    out[n] = '\0';
}

static void smtp_alert_mail_arrives_once_with_both_parts_and_the_key(void **state)
{
    fixture *fx = *state;
    if (sink_start(fx, "bob:" PASSWORD) != 0)
        fail_msg("the SMTP sink did not start (python3-aiosmtpd missing?)");
    char ch_url[256], ch_secret[256], ch_wrong[256];
    snprintf(ch_url, sizeof ch_url,
             "smtp://bob:" PASSWORD_IN_URL "@127.0.0.1:%u/?from=vigie@example.test"
             "&to=ops@example.test,pr@example.test",
             fx->port);
    snprintf(ch_secret, sizeof ch_secret,
             "smtp://bob@127.0.0.1:%u/?from=vigie@example.test&to=cto@example.test", fx->port);
    snprintf(ch_wrong, sizeof ch_wrong,
             "smtp://bob:" WRONG_PASSWORD "@127.0.0.1:%u/?from=vigie@example.test"
             "&to=nobody@example.test",
             fx->port);
    const struct {
        const char *channel, *secret;
    } rules[] = {{ch_url, NULL}, {ch_secret, PASSWORD}, {ch_wrong, NULL}};
    for (size_t i = 0; i < 3; i++) {
        assert_int_equal(alert_channel_check(rules[i].channel), VG_OK);
        assert_int_equal(store_alert_rule_add(fx->st, BRAND, "volume", rules[i].channel,
                                              rules[i].secret, 1, 6 * 3600, NULL),
                         VG_OK);
    }
    /* volume (and negative mentions) alert; the rules hear volume */
    assert_true(feed_storm(fx) >= 1);

    alert_deliver_opts o = ALERT_DELIVER_OPTS_INIT;
    o.timeout_ms = 5000;
    int64_t now = T0 + (STORM_HOUR + 1) * 3600;
    int ok = -1, bad = -1;
    assert_int_equal(alert_deliver_pending(fx->st, &o, now, &ok, &bad), VG_OK);
    assert_int_equal(ok, 2);  /* password in the URL, password as the secret */
    assert_int_equal(bad, 1); /* the refused login waits for a retry */
    assert_int_equal(mails(fx), 2);

    /* A second pass, even much later, resends nothing that arrived; the
     * refused login is tried again and refused again. */
    assert_int_equal(alert_deliver_pending(fx->st, &o, now + 86400, &ok, &bad), VG_OK);
    assert_int_equal(ok, 0);
    assert_int_equal(bad, 1);
    assert_int_equal(mails(fx), 2);

    static char msg[65536];
    char path[160], subject[256], key[64] = "";
    int by_secret = 0;
    for (int k = 1; k <= 2; k++) {
        snprintf(path, sizeof path, "%s/msg-%d.eml", fx->mail, k);
        assert_true(slurp(path, msg, sizeof msg) > 0);
        /* the envelope and the login */
        assert_non_null(strstr(msg, "X-Sink-From: vigie@example.test\r\n"));
        assert_non_null(strstr(msg, "X-Sink-Auth: bob\r\n"));
        by_secret += strstr(msg, "X-Sink-To: cto@example.test\r\n") != NULL;
        /* headers */
        const char *sub = strstr(msg, "\r\nSubject: ");
        assert_non_null(sub);
        decode_word(sub, subject, sizeof subject);
        assert_non_null(strstr(subject, "alert: " BRAND " volume"));
        assert_non_null(strstr(msg, "\r\nDate: "));
        assert_non_null(strstr(msg, "\r\nMessage-ID: <vigie-"));
        const char *kh = strstr(msg, "\r\nX-Vigie-Alert-Key: vigie-");
        assert_non_null(kh);
        char this_key[64];
        assert_int_equal(sscanf(kh + 21, "%63s", this_key), 1);
        if (!*key)
            snprintf(key, sizeof key, "%s", this_key);
        else /* one key per delivery (alert and rule) */
            assert_string_not_equal(key, this_key);
        /* both parts, UTF-8, quoted-printable */
        assert_non_null(strstr(msg, "Content-Type: multipart/alternative; boundary="));
        assert_non_null(strstr(msg, "Content-Type: text/plain; charset=UTF-8"));
        assert_non_null(strstr(msg, "Content-Type: text/html; charset=UTF-8"));
        assert_non_null(strstr(msg, "Content-Transfer-Encoding: quoted-printable"));
        /* what the bucket said, in the text part and in the HTML part */
        assert_non_null(strstr(msg, "Top terms: panne"));
        assert_non_null(strstr(msg, "Most negative mentions:"));
        assert_non_null(strstr(msg, "-0.90 \"Fibr=C3=A9lia est une honte"));
        assert_non_null(strstr(msg, "<h3>Top terms</h3>"));
        assert_non_null(strstr(msg, "<a href=3D\"https://news.example.test/"));
        assert_null(strstr(msg, PASSWORD));
        assert_null(strstr(msg, PASSWORD_IN_URL_TEXT));
    }
    assert_int_equal(by_secret, 1);

    /* The listings: detail present, passwords absent. */
    static char out[65536];
    assert_int_equal(vigie_output(fx, "alerts --since @0 --format json", out, sizeof out),
                     0);
    assert_non_null(strstr(out, "\"top_terms\""));
    assert_non_null(strstr(out, "\"term\": \"panne\""));
    assert_non_null(strstr(out, "\"negative_mentions\""));
    assert_non_null(strstr(out, "\"score\": -0.9"));
    assert_non_null(strstr(out, "\"deliveries\": 3"));
    assert_non_null(strstr(out, "\"delivered\": 2"));
    /* the refusal is named with the server's reason, not the password */
    assert_non_null(strstr(out, "535"));
    const char *lists[] = {"alerts --since @0 --format json", "alerts --since @0",
                           "alert list --format json", "alert list"};
    for (size_t i = 0; i < 4; i++) {
        if (i > 0) /* the first one is still in out */
            assert_int_equal(vigie_output(fx, lists[i], out, sizeof out), 0);
        assert_null(strstr(out, PASSWORD));
        assert_null(strstr(out, PASSWORD_IN_URL_TEXT));
        assert_null(strstr(out, WRONG_PASSWORD));
    }
    /* (out holds `alert list`) */
    assert_non_null(strstr(out, "smtp://bob:***@127.0.0.1:"));
    assert_non_null(strstr(out, "to=ops@example.test,pr@example.test"));
}

static void smtp_channel_mistakes_are_refused_at_add(void **state)
{
    fixture *fx = *state;
    static const struct {
        const char *channel, *says;
    } cases[] = {
        {"smtp://mx.example.test/?from=a@example.test", "to="},
        {"smtp://mx.example.test/?to=a@example.test", "from="},
        {"smtp://mx.example.test/?from=a@example.test&to=b@example.test%0d%0aDATA", "to"},
        {"smtps://:pw@/?from=a@example.test&to=b@example.test", "host"},
    };
    char out[2048], args[512];
    for (size_t i = 0; i < sizeof cases / sizeof *cases; i++) {
        snprintf(args, sizeof args, "alert add --brand '%s' --metric volume --channel '%s'",
                 BRAND, cases[i].channel);
        int rc = vigie_output(fx, args, out, sizeof out);
        assert_true(WIFEXITED(rc));
        assert_int_equal(WEXITSTATUS(rc), 2);
        if (!strstr(out, cases[i].says))
            fail_msg("%s: '%s' lacks '%s'", cases[i].channel, out, cases[i].says);
    }
    /* a good one is accepted, and its confirmation hides the password */
    snprintf(args, sizeof args,
             "alert add --brand '%s' --metric volume --channel "
             "'smtps://bob:" WRONG_PASSWORD "@mx.example.test:465/?from=a@example.test"
             "&to=b@example.test'",
             BRAND);
    assert_int_equal(vigie_output(fx, args, out, sizeof out), 0);
    assert_non_null(strstr(out, "smtps://bob:***@mx.example.test:465/"));
    assert_null(strstr(out, WRONG_PASSWORD));
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(smtp_alert_mail_arrives_once_with_both_parts_and_the_key,
                                        setup, teardown),
        cmocka_unit_test_setup_teardown(smtp_channel_mistakes_are_refused_at_add, setup,
                                        teardown),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
