/*
 * Syndicated copies end to end: a wire story republished by a portal
 * (new headline, a credit line added) is crawled from two feeds. Both
 * documents are stored, each with its source, but the story counts once:
 * in the digest's totals, in its daily chart, and in `vigie mentions
 * --group-copies`. Fixtures are in tests/fixtures/copies.
 */
#define _POSIX_C_SOURCE 200809L
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "app/httpd.h"
#include "core/buf.h"
#include "store/store.h"
#include "vgtest.h"

typedef struct fixture {
    vgtest_dir d;
    httpd *srv;
    char base[64];
} fixture;

static int setup(void **state)
{
    fixture *fx = calloc(1, sizeof *fx);
    const char *src = getenv("VG_SOURCE_DIR");
    char root[4096];
    uint16_t port = 0;

    assert_non_null(fx);
    assert_non_null(src);
    vgtest_dir_make(&fx->d, "copies");
    snprintf(root, sizeof root, "%s/tests/fixtures/copies", src);
    assert_int_equal(httpd_start(root, &port, &fx->srv), VG_OK);
    snprintf(fx->base, sizeof fx->base, "http://127.0.0.1:%u", (unsigned)port);
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

static void crawl(fixture *fx)
{
    const char *db = fx->d.db;
    char url[128];

    assert_int_equal(vgtest_vigie(db, NULL, "init", NULL), 0);
    assert_int_equal(
        vgtest_vigie(db, NULL, "config", "set", "crawl.host_delay_ms", "0", NULL), 0);
    assert_int_equal(vgtest_vigie(db, NULL, "brand", "add", "Fibrelia", NULL), 0);
    snprintf(url, sizeof url, "%s/wire.xml", fx->base);
    assert_int_equal(vgtest_vigie(db, NULL, "source", "add", url, "--kind", "feed", NULL), 0);
    snprintf(url, sizeof url, "%s/portal.xml", fx->base);
    assert_int_equal(vgtest_vigie(db, NULL, "source", "add", url, "--kind", "feed", NULL), 0);
    assert_int_equal(vgtest_vigie(db, NULL, "crawl", "--once", NULL), 0);
}

static void both_copies_are_stored_one_is_flagged(void **state)
{
    fixture *fx = *state;
    store *st = NULL;
    store_counts c;
    store_mention_filter f = STORE_MENTION_FILTER_INIT;
    store_mention_row *v = NULL;
    size_t n = 0;

    crawl(fx);
    assert_int_equal(store_open(fx->d.db, &st), VG_OK);
    assert_int_equal(store_counts_get(st, &c), VG_OK);
    assert_int_equal(c.documents, 3);
    assert_int_equal(c.mentions, 3);
    f.originals_only = 1;
    assert_int_equal(store_mentions_query(st, &f, &v, &n), VG_OK);
    assert_int_equal(n, 2);
    /* The shop opening is news; of the outage, whichever copy the writer
     * stored first stands for both. */
    assert_true(strstr(v[0].url, "boutique") != NULL || strstr(v[1].url, "boutique") != NULL);
    assert_true(strstr(v[0].url, "panne") != NULL || strstr(v[1].url, "panne") != NULL);
    store_mention_row_array_free(v, n);
    store_close(st);
}

static void digest_counts_the_story_once(void **state)
{
    fixture *fx = *state;
    vg_buf out;
    json_error_t e;
    json_t *root, *b = NULL, *cur, *days, *day;
    size_t i;
    int64_t daily = 0;

    crawl(fx);
    vg_buf_init(&out, 1 << 22);
    assert_int_equal(vgtest_vigie(fx->d.db, &out, "digest", "--week", "2026-W47", "--brand",
                                  "Fibrelia", "--format", "json", NULL),
                     0);
    root = json_loads(vg_buf_str(&out), 0, &e);
    vg_buf_free(&out);
    if (root == NULL)
        fail_msg("bad JSON: %s", e.text);
    b = json_array_get(json_object_get(root, "brands"), 0);
    assert_non_null(b);
    cur = json_object_get(b, "current");
    assert_int_equal(json_integer_value(json_object_get(cur, "mentions")), 2);
    /* Both sites carried Fibrelia news this week. */
    assert_int_equal(json_integer_value(json_object_get(cur, "sources")), 2);
    days = json_object_get(b, "daily");
    json_array_foreach(days, i, day)
        daily += json_integer_value(json_object_get(day, "total"));
    assert_int_equal(daily, 2);
    json_decref(root);
}

static void mentions_group_copies_shows_one_row_per_story(void **state)
{
    fixture *fx = *state;
    vg_buf out;
    json_error_t e;
    json_t *root;

    crawl(fx);
    vg_buf_init(&out, 1 << 20);
    assert_int_equal(vgtest_vigie(fx->d.db, &out, "mentions", "--format", "json", NULL), 0);
    root = json_loads(vg_buf_str(&out), 0, &e);
    if (root == NULL)
        fail_msg("bad JSON: %s", e.text);
    assert_int_equal(json_array_size(root), 3);
    json_decref(root);
    vg_buf_free(&out);

    vg_buf_init(&out, 1 << 20);
    assert_int_equal(vgtest_vigie(fx->d.db, &out, "mentions", "--group-copies", "--format",
                                  "json", NULL),
                     0);
    root = json_loads(vg_buf_str(&out), 0, &e);
    if (root == NULL)
        fail_msg("bad JSON: %s", e.text);
    assert_int_equal(json_array_size(root), 2);
    json_decref(root);
    vg_buf_free(&out);
}

#define T(f) cmocka_unit_test_setup_teardown(f, setup, teardown)

int main(void)
{
    const struct CMUnitTest tests[] = {
        T(both_copies_are_stored_one_is_flagged),
        T(digest_counts_the_story_once),
        T(mentions_group_copies_shows_one_row_per_story),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
