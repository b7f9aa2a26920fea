/*
 * End to end: the real `vigie` binary crawls fixtures served over HTTP
 * on 127.0.0.1 into a real SQLite file; the test then reads the database
 * and asserts the exact rows. Fixtures are in tests/fixtures/crawl.
 */
#define _POSIX_C_SOURCE 200809L
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "app/httpd.h"
#include "core/buf.h"
#include "store/store.h"

typedef struct fixture {
    char dir[64];
    char db[96];
    httpd *srv;
    uint16_t port;
    char base[64];
} fixture;

/* Runs the vigie binary with --db and the given arguments; returns its
 * exit status and, when out is not NULL, what it printed on stdout. */
static int vigie(const fixture *fx, vg_buf *out, ...)
{
    const char *bin = getenv("VG_BINARY");
    assert_non_null(bin);
    char *argv[32];
    int argc = 0;
    argv[argc++] = (char *)bin;
    argv[argc++] = "-q";
    argv[argc++] = "--db";
    argv[argc++] = (char *)fx->db;
    va_list ap;
    va_start(ap, out);
    char *a;
    while ((a = va_arg(ap, char *)) && argc < 31)
        argv[argc++] = a;
    va_end(ap);
    argv[argc] = NULL;
    int fds[2];
    assert_int_equal(pipe(fds), 0);
    pid_t pid = fork();
    assert_true(pid >= 0);
    if (pid == 0) {
        dup2(fds[1], STDOUT_FILENO);
        close(fds[0]);
        close(fds[1]);
        execv(bin, argv);
        _exit(127);
    }
    close(fds[1]);
    char chunk[4096];
    ssize_t n;
    while ((n = read(fds[0], chunk, sizeof chunk)) > 0)
        if (out)
            vg_buf_append(out, chunk, (size_t)n);
    close(fds[0]);
    int status = 0;
    waitpid(pid, &status, 0);
    return WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
}

static int setup(void **state)
{
    fixture *fx = calloc(1, sizeof *fx);
    snprintf(fx->dir, sizeof fx->dir, "/tmp/vigie-itest-XXXXXX");
    assert_non_null(mkdtemp(fx->dir));
    snprintf(fx->db, sizeof fx->db, "%s/vigie.db", fx->dir);
    const char *src = getenv("VG_SOURCE_DIR");
    assert_non_null(src);
    char root[4096];
    snprintf(root, sizeof root, "%s/tests/fixtures/crawl", src);
    assert_int_equal(httpd_start(root, &fx->port, &fx->srv), VG_OK);
    snprintf(fx->base, sizeof fx->base, "http://127.0.0.1:%u", (unsigned)fx->port);
    *state = fx;
    return 0;
}

static int teardown(void **state)
{
    fixture *fx = *state;
    httpd_stop(fx->srv);
    char p[128];
    static const char *suffix[] = {"", "-wal", "-shm"};
    for (int i = 0; i < 3; i++) {
        snprintf(p, sizeof p, "%s%s", fx->db, suffix[i]);
        unlink(p);
    }
    rmdir(fx->dir);
    free(fx);
    return 0;
}

static void add_source(const fixture *fx, const char *path, const char *kind)
{
    char url[256];
    snprintf(url, sizeof url, "%s%s", fx->base, path);
    assert_int_equal(vigie(fx, NULL, "source", "add", url, "--kind", kind, NULL), 0);
}

/* Mentions of one brand as a string of labels ordered by date: "+-+". */
static void labels_of(store *st, const char *brand, char *out, size_t cap)
{
    store_mention_filter f = STORE_MENTION_FILTER_INIT;
    f.brand = brand;
    store_mention_row *v = NULL;
    size_t n = 0;
    assert_int_equal(store_mentions_query(st, &f, &v, &n), VG_OK);
    assert_true(n < cap);
    /* newest first from the store; reverse into date order */
    for (size_t i = 0; i < n; i++)
        out[n - 1 - i] = v[i].label > 0 ? '+' : v[i].label < 0 ? '-' : '0';
    out[n] = '\0';
    store_mention_row_array_free(v, n);
}

static void crawl_stores_exact_rows_and_reports_bad_sources(void **state)
{
    fixture *fx = *state;
    assert_int_equal(vigie(fx, NULL, "init", NULL), 0);
    assert_int_equal(vigie(fx, NULL, "config", "set", "crawl.host_delay_ms", "0", NULL), 0);
    add_source(fx, "/fr.xml", "feed");
    add_source(fx, "/en.atom", "feed");
    add_source(fx, "/review.html", "page");
    add_source(fx, "/broken.xml", "feed");
    add_source(fx, "/missing.xml", "feed");
    assert_int_equal(vigie(fx, NULL, "brand", "add", "Cafélia", NULL), 0);
    assert_int_equal(vigie(fx, NULL, "brand", "add", "Northwind", "--query",
                           "Northwind OR @northwind", NULL), 0);

    vg_buf out;
    vg_buf_init(&out, 1 << 16);
    assert_int_equal(vigie(fx, &out, "crawl", "--once", NULL), 0);
    vg_buf_free(&out);

    store *st = NULL;
    assert_int_equal(store_open(fx->db, &st), VG_OK);
    store_counts c;
    assert_int_equal(store_counts_get(st, &c), VG_OK);
    assert_int_equal(c.sources, 5);
    assert_int_equal(c.documents, 7); /* 3 French entries, 3 English, 1 page */
    assert_int_equal(c.mentions, 6);

    char got[16];
    labels_of(st, "Cafélia", got, sizeof got);
    assert_string_equal(got, "+-+"); /* génial; nul/injoignable; great (folded CAFELIA) */
    labels_of(st, "Northwind", got, sizeof got);
    assert_string_equal(got, "+--"); /* excellent; terrible; slow and buggy page */

    /* The bad sources carry their error; the good ones are healthy. */
    store_source *v = NULL;
    size_t n = 0;
    assert_int_equal(store_source_list(st, &v, &n), VG_OK);
    assert_int_equal(n, 5);
    for (size_t i = 0; i < n; i++) {
        int bad = strstr(v[i].url, "broken") || strstr(v[i].url, "missing");
        if (bad) {
            assert_non_null(v[i].last_error);
            assert_int_equal(v[i].error_count, 1);
            assert_true(v[i].next_fetch_at > v[i].last_fetch_at);
        } else {
            assert_null(v[i].last_error);
            assert_int_equal(v[i].last_status, 200);
        }
        if (strstr(v[i].url, "missing"))
            assert_int_equal(v[i].last_status, 404);
        /* Adaptive intervals from 1 h: three new entries halve it, one new
         * page takes a quarter off, a failure leaves it to the backoff. */
        if (strstr(v[i].url, ".xml") && !bad)
            assert_int_equal(v[i].interval, 1800);
        if (strstr(v[i].url, "review"))
            assert_int_equal(v[i].interval, 2700);
        if (bad)
            assert_int_equal(v[i].interval, 3600);
    }
    store_source_array_free(v, n);

    /* Tracking parameters are gone from stored URLs. */
    store_mention_filter f = STORE_MENTION_FILTER_INIT;
    f.search = "perdue";
    store_mention_row *m = NULL;
    assert_int_equal(store_mentions_query(st, &f, &m, &n), VG_OK);
    assert_int_equal(n, 1);
    assert_null(strstr(m[0].url, "utm_source"));
    assert_non_null(strstr(m[0].snippet, "nul"));
    store_mention_row_array_free(m, n);
    store_close(st);

    /* A second pass over unchanged sources: conditional GETs, nothing new. */
    httpd_counts before = httpd_get_counts(fx->srv);
    assert_int_equal(vigie(fx, NULL, "crawl", "--once", "--all", NULL), 0);
    httpd_counts after = httpd_get_counts(fx->srv);
    /* Five sources and the host's robots.txt (cached per run). */
    assert_int_equal(after.requests - before.requests, 6);
    assert_int_equal(after.not_modified - before.not_modified, 3);
    assert_int_equal(store_open(fx->db, &st), VG_OK);
    assert_int_equal(store_counts_get(st, &c), VG_OK);
    assert_int_equal(c.documents, 7);
    assert_int_equal(c.mentions, 6);
    assert_int_equal(store_source_list(st, &v, &n), VG_OK);
    for (size_t i = 0; i < n; i++) {
        if (strstr(v[i].url, "broken"))
            assert_int_equal(v[i].error_count, 2);
        if (strstr(v[i].url, "fr.xml"))
            assert_int_equal(v[i].interval, 2250); /* unchanged: a quarter longer */
    }
    store_source_array_free(v, n);
    store_close(st);
}

static void mentions_command_filters_and_formats(void **state)
{
    fixture *fx = *state;
    assert_int_equal(vigie(fx, NULL, "init", NULL), 0);
    assert_int_equal(vigie(fx, NULL, "config", "set", "crawl.host_delay_ms", "0", NULL), 0);
    add_source(fx, "/fr.xml", "feed");
    add_source(fx, "/en.atom", "feed");
    assert_int_equal(vigie(fx, NULL, "brand", "add", "Cafélia", NULL), 0);
    assert_int_equal(vigie(fx, NULL, "crawl", "--once", NULL), 0);

    vg_buf out;
    vg_buf_init(&out, 1 << 20);
    assert_int_equal(vigie(fx, &out, "mentions", "--brand", "cafélia", "--sentiment", "neg",
                           "--format", "csv", NULL), 0);
    /* header + one negative mention */
    const char *s = vg_buf_str(&out);
    int lines = 0;
    for (const char *p = s; *p; p++)
        lines += *p == '\n';
    assert_int_equal(lines, 2);
    assert_non_null(strstr(s, ",neg,"));

    vg_buf_reset(&out);
    assert_int_equal(vigie(fx, &out, "mentions", "--since", "2026-11-04", "--until",
                           "2026-11-05", "--format", "json", NULL), 0);
    assert_non_null(strstr(vg_buf_str(&out), "London"));
    assert_null(strstr(vg_buf_str(&out), "perdue"));

    assert_int_equal(vigie(fx, NULL, "mentions", "--brand", "Nobody", NULL), 2);
    assert_int_equal(vigie(fx, NULL, "mentions", "--since", "soon", NULL), 2);
    assert_int_equal(vigie(fx, NULL, "mentions", "--format", "xml", NULL), 2);
    vg_buf_free(&out);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(crawl_stores_exact_rows_and_reports_bad_sources,
                                        setup, teardown),
        cmocka_unit_test_setup_teardown(mentions_command_filters_and_formats, setup,
                                        teardown),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
