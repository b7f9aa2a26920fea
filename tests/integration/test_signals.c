/*
 * Stopping `vigie run`: the first SIGTERM/SIGINT stops cleanly (what was
 * fetched and handed over is committed, a fetch still in flight is
 * abandoned and its source stays due); a second signal exits at once and
 * the database still opens and holds everything committed before.
 */
#define _POSIX_C_SOURCE 200809L
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "app/httpd.h"
#include "core/vtime.h"
#include "store/store.h"
#include "vgtest.h"

#define SLOW_MS 4000

typedef struct fixture {
    vgtest_dir d;
    httpd *srv;
    char base[64];
} fixture;

static pid_t vigie_start_run(const fixture *fx)
{
    char log[128];
    snprintf(log, sizeof log, "%s/run.log", fx->d.dir);
    return vgtest_vigie_run(fx->d.db, log, 0);
}

/* Waits (bounded) for the child; returns its status or -1 on timeout. */
static int wait_exit(pid_t pid, int timeout_ms, int *signaled)
{
    int64_t end = vg_mono_ms() + timeout_ms;
    int status;
    while (vg_mono_ms() < end) {
        pid_t r = waitpid(pid, &status, WNOHANG);
        if (r == pid) {
            *signaled = WIFSIGNALED(status);
            return WIFEXITED(status) ? WEXITSTATUS(status) : WTERMSIG(status);
        }
        struct timespec ts = {0, 20 * 1000000L};
        nanosleep(&ts, NULL);
    }
    kill(pid, SIGKILL);
    waitpid(pid, &status, 0);
    return -1;
}

static int64_t documents_now(const fixture *fx)
{
    store *st = NULL;
    store_counts c = {0};
    if (store_open(fx->d.db, &st) == VG_OK)
        store_counts_get(st, &c);
    store_close(st);
    return c.documents;
}

/* Polls until the fast source's documents are committed (bounded). */
static void wait_documents(const fixture *fx, int64_t want)
{
    int64_t end = vg_mono_ms() + 10000;
    while (documents_now(fx) < want && vg_mono_ms() < end) {
        struct timespec ts = {0, 50 * 1000000L};
        nanosleep(&ts, NULL);
    }
    assert_int_equal(documents_now(fx), want);
}

static int setup(void **state)
{
    fixture *fx = calloc(1, sizeof *fx);
    vgtest_dir_make(&fx->d, "sig");
    char root[4096];
    snprintf(root, sizeof root, "%s/tests/fixtures/crawl", getenv("VG_SOURCE_DIR"));
    uint16_t port;
    assert_int_equal(httpd_start(root, &port, &fx->srv), VG_OK);
    httpd_set_delay(fx->srv, "/slow/", SLOW_MS);
    snprintf(fx->base, sizeof fx->base, "http://127.0.0.1:%u", (unsigned)port);

    char fast[128], slow[128];
    snprintf(fast, sizeof fast, "%s/fr.xml", fx->base);
    snprintf(slow, sizeof slow, "%s/slow/en.atom", fx->base);
    assert_int_equal(vgtest_vigie(fx->d.db, NULL, "init", NULL), 0);
    assert_int_equal(vgtest_vigie(fx->d.db, NULL, "config", "set", "crawl.host_delay_ms", "0",
                                  NULL),
                     0);
    assert_int_equal(vgtest_vigie(fx->d.db, NULL, "source", "add", fast, NULL), 0);
    assert_int_equal(vgtest_vigie(fx->d.db, NULL, "source", "add", slow, NULL), 0);
    assert_int_equal(vgtest_vigie(fx->d.db, NULL, "brand", "add", "Cafélia", NULL), 0);
    *state = fx;
    return 0;
}

static int teardown(void **state)
{
    fixture *fx = *state;
    httpd_stop(fx->srv);
    vgtest_dir_remove(&fx->d);
    free(fx);
    return 0;
}

static void sigterm_commits_what_was_fetched_and_leaves_inflight_due(void **state)
{
    fixture *fx = *state;
    pid_t pid = vigie_start_run(fx);
    wait_documents(fx, 3); /* fr.xml is in; en.atom is held by the server */
    int64_t t0 = vg_mono_ms();
    kill(pid, SIGTERM);
    int sig = 0;
    assert_int_equal(wait_exit(pid, 3000, &sig), 0);
    assert_false(sig);
    /* It did not wait for the held response. */
    assert_true(vg_mono_ms() - t0 < SLOW_MS - 500);

    store *st = NULL;
    assert_int_equal(store_open(fx->d.db, &st), VG_OK);
    store_source *v = NULL;
    size_t n = 0;
    assert_int_equal(store_source_list(st, &v, &n), VG_OK);
    assert_int_equal(n, 2);
    for (size_t i = 0; i < n; i++) {
        if (strstr(v[i].url, "/slow/")) {
            assert_int_equal(v[i].last_fetch_at, 0);   /* abandoned ... */
            assert_true(v[i].next_fetch_at <= vg_now()); /* ... and still due */
        } else {
            assert_true(v[i].last_fetch_at > 0);
            assert_non_null(v[i].etag);
        }
    }
    store_source_array_free(v, n);
    store_counts c;
    assert_int_equal(store_counts_get(st, &c), VG_OK);
    assert_int_equal(c.mentions, 2);
    store_close(st);
}

static void second_signal_exits_at_once_and_the_database_survives(void **state)
{
    fixture *fx = *state;
    pid_t pid = vigie_start_run(fx);
    wait_documents(fx, 3);
    kill(pid, SIGINT);
    kill(pid, SIGINT);
    int sig = 0;
    int status = wait_exit(pid, 3000, &sig);
    /* Either the first signal's clean stop won the race (0) or the second
     * cut it short (130); both leave a consistent file. */
    assert_true(status == 130 || status == 0);
    assert_false(sig);
    assert_int_equal(documents_now(fx), 3);
    store *st = NULL;
    assert_int_equal(store_open(fx->d.db, &st), VG_OK);
    int64_t id = 0;
    assert_int_equal(store_brand_add(st, "Northwind", "Northwind", &id), VG_OK);
    store_close(st);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(sigterm_commits_what_was_fetched_and_leaves_inflight_due,
                                        setup, teardown),
        cmocka_unit_test_setup_teardown(second_signal_exits_at_once_and_the_database_survives,
                                        setup, teardown),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
