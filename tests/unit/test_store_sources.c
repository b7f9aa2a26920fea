/*
 * Unit tests for sources and brands in the store: adding, duplicates,
 * listing, the scheduler's due list, fetch-state recording on success and
 * failure, and removal cascading to documents and mentions. Each test gets
 * a fresh database in its own mkdtemp directory, removed afterwards.
 */
#include "store/store.h"
#include "vgtest.h"

#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

typedef vgtest_store_fx fixture;

static int64_t add_source(store *st, const char *url)
{
    int64_t id = 0;

    assert_int_equal(store_source_add(st, url, "feed", NULL, 600, 0, 0, &id),
                     VG_OK);
    assert_true(id > 0);
    return id;
}

/* Sets a source's next_fetch_at through the writer's own path. */
static void set_next(store *st, int64_t id, int64_t next)
{
    store_fetch_state fs = {0};

    fs.source_id = id;
    fs.fetched_at = 1;
    fs.status = 200;
    fs.next_fetch_at = next;
    assert_int_equal(store_source_record_fetch(st, &fs), VG_OK);
}

/* Reads one source back by id. */
static store_source *get_source(store *st, int64_t id, store_source **all,
                                size_t *n)
{
    assert_int_equal(store_source_list(st, all, n), VG_OK);
    for (size_t i = 0; i < *n; i++)
        if ((*all)[i].id == id)
            return &(*all)[i];
    fail_msg("source %lld not listed", (long long)id);
    return NULL;
}

/* Adds a document with one mention of brand; returns the document id. */
static int64_t add_doc_with_mention(store *st, int64_t src, int64_t brand,
                                    const char *url)
{
    store_document d = {0};
    store_mention m = {0};
    int64_t doc = 0;

    d.source_id = src;
    d.url = url;
    d.title = "Title";
    d.fetched_at = 1000;
    assert_int_equal(store_document_insert(st, &d, &doc), VG_OK);
    assert_true(doc > 0);
    m.document_id = doc;
    m.brand_id = brand;
    m.snippet = "acme is fine";
    m.published_at = 1000;
    assert_int_equal(store_mention_insert(st, &m), VG_OK);
    return doc;
}

static void source_add_stores_every_field(void **state)
{
    fixture *fx = *state;
    store_source *all = NULL, *s;
    size_t n = 0;
    int64_t id = 0;

    assert_int_equal(store_source_add(fx->st, "https://a.test/page", "page",
                                      "A page", 900, 1, 1, &id),
                     VG_OK);
    s = get_source(fx->st, id, &all, &n);
    assert_int_equal(n, 1);
    assert_string_equal(s->url, "https://a.test/page");
    assert_string_equal(s->kind, "page");
    assert_string_equal(s->title, "A page");
    assert_int_equal(s->interval, 900);
    assert_int_equal(s->pinned, 1);
    assert_int_equal(s->full_text, 1);
    assert_int_equal(s->enabled, 1);
    assert_int_equal(s->error_count, 0);
    assert_int_equal(s->last_fetch_at, 0);
    assert_null(s->etag);
    assert_null(s->last_error);
    assert_true(s->next_fetch_at > 0);
    store_source_array_free(all, n);
}

static void source_add_rejects_bad_input(void **state)
{
    fixture *fx = *state;
    static const struct {
        const char *url, *kind;
        vg_err want;
    } cases[] = {
        {"http://a.test/", "feed", VG_OK},
        {"http://a.test/", "feed", VG_EEXISTS},
        {"http://a.test/", "page", VG_EEXISTS},
        {"http://b.test/", "sitemap", VG_OK},
        {"http://c.test/", "video", VG_EINVAL},
        {"", "feed", VG_EINVAL},
        {NULL, "feed", VG_EINVAL},
        {"http://d.test/", NULL, VG_EINVAL},
    };
    store_counts c;

    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++)
        assert_int_equal(store_source_add(fx->st, cases[i].url, cases[i].kind,
                                          NULL, 60, 0, 0, NULL),
                         cases[i].want);
    assert_int_equal(store_counts_get(fx->st, &c), VG_OK);
    assert_int_equal(c.sources, 2);
}

static void source_add_zero_interval_gets_default(void **state)
{
    fixture *fx = *state;
    store_source *all = NULL, *s;
    size_t n = 0;
    int64_t id = 0;

    assert_int_equal(store_source_add(fx->st, "http://a.test/", "feed", NULL,
                                      0, 0, 0, &id),
                     VG_OK);
    s = get_source(fx->st, id, &all, &n);
    assert_int_equal(s->interval, STORE_DEFAULT_INTERVAL);
    store_source_array_free(all, n);
}

static void source_list_is_ordered_by_id(void **state)
{
    fixture *fx = *state;
    const char *urls[] = {"http://z.test/", "http://a.test/", "http://m.test/"};
    int64_t ids[3];
    store_source *all = NULL;
    size_t n = 0;

    for (size_t i = 0; i < 3; i++)
        ids[i] = add_source(fx->st, urls[i]);
    assert_int_equal(store_source_list(fx->st, &all, &n), VG_OK);
    assert_int_equal(n, 3);
    for (size_t i = 0; i < 3; i++) {
        assert_int_equal(all[i].id, ids[i]);
        assert_string_equal(all[i].url, urls[i]);
    }
    store_source_array_free(all, n);
}

static void source_due_lists_oldest_due_first(void **state)
{
    fixture *fx = *state;
    static const struct {
        const char *url;
        int64_t next;
        int enabled;
    } rows[] = {
        {"http://late.test/", 500, 1},
        {"http://early.test/", 100, 1},
        {"http://future.test/", 2000, 1},
        {"http://off.test/", 50, 0},
        {"http://exact.test/", 1000, 1},
    };
    const char *want[] = {"http://early.test/", "http://late.test/",
                          "http://exact.test/"};
    store_source *due = NULL;
    size_t n = 0;

    for (size_t i = 0; i < sizeof rows / sizeof rows[0]; i++) {
        int64_t id = add_source(fx->st, rows[i].url);

        set_next(fx->st, id, rows[i].next);
        if (!rows[i].enabled)
            assert_int_equal(store_source_set_enabled(fx->st, rows[i].url, 0),
                             VG_OK);
    }
    assert_int_equal(store_source_due(fx->st, 1000, &due, &n), VG_OK);
    assert_int_equal(n, 3);
    for (size_t i = 0; i < n; i++)
        assert_string_equal(due[i].url, want[i]);
    store_source_array_free(due, n);

    /* Re-enabled, it is due again. */
    assert_int_equal(store_source_set_enabled(fx->st, "http://off.test/", 1),
                     VG_OK);
    assert_int_equal(store_source_due(fx->st, 1000, &due, &n), VG_OK);
    assert_int_equal(n, 4);
    assert_string_equal(due[0].url, "http://off.test/");
    store_source_array_free(due, n);

    assert_int_equal(store_source_set_enabled(fx->st, "http://none.test/", 0),
                     VG_ENOTFOUND);
    assert_int_equal(store_source_due(fx->st, 10, &due, &n), VG_OK);
    assert_int_equal(n, 0);
    assert_null(due);
}

static void make_due_brings_every_enabled_source_forward(void **state)
{
    fixture *fx = *state;
    store_source *due = NULL;
    size_t n = 0;
    int64_t a = add_source(fx->st, "http://a.test/");
    int64_t b = add_source(fx->st, "http://b.test/");

    add_source(fx->st, "http://off.test/");
    set_next(fx->st, a, 5000);
    set_next(fx->st, b, 9000);
    assert_int_equal(store_source_set_enabled(fx->st, "http://off.test/", 0),
                     VG_OK);
    assert_int_equal(store_source_due(fx->st, 100, &due, &n), VG_OK);
    assert_int_equal(n, 0);

    assert_int_equal(store_source_make_due(fx->st), VG_OK);
    assert_int_equal(store_source_due(fx->st, 100, &due, &n), VG_OK);
    assert_int_equal(n, 2);
    assert_int_equal(due[0].id, a);
    assert_int_equal(due[1].id, b);
    store_source_array_free(due, n);
}

static void new_source_is_due_now(void **state)
{
    fixture *fx = *state;
    store_source *due = NULL;
    size_t n = 0;

    add_source(fx->st, "http://a.test/");
    assert_int_equal(store_source_due(fx->st, INT64_MAX, &due, &n), VG_OK);
    assert_int_equal(n, 1);
    store_source_array_free(due, n);
}

static void record_fetch_success_updates_given_fields_only(void **state)
{
    fixture *fx = *state;
    store_fetch_state fs = {0};
    store_source *all = NULL, *s;
    size_t n = 0;
    int64_t id = add_source(fx->st, "http://a.test/feed");

    fs.source_id = id;
    fs.fetched_at = 1000;
    fs.status = 200;
    fs.etag = "\"v1\"";
    fs.last_modified = "Mon, 01 Jan 2024 00:00:00 GMT";
    fs.title = "Feed A";
    fs.next_fetch_at = 1600;
    fs.interval = 600;
    assert_int_equal(store_source_record_fetch(fx->st, &fs), VG_OK);

    /* A 304: nothing new given, so the validators and title stay. */
    memset(&fs, 0, sizeof fs);
    fs.source_id = id;
    fs.fetched_at = 1600;
    fs.status = 304;
    fs.next_fetch_at = 2800;
    fs.interval = 0;
    assert_int_equal(store_source_record_fetch(fx->st, &fs), VG_OK);

    s = get_source(fx->st, id, &all, &n);
    assert_int_equal(s->last_status, 304);
    assert_string_equal(s->etag, "\"v1\"");
    assert_string_equal(s->last_modified, "Mon, 01 Jan 2024 00:00:00 GMT");
    assert_string_equal(s->title, "Feed A");
    assert_int_equal(s->last_fetch_at, 1600);
    assert_int_equal(s->next_fetch_at, 2800);
    assert_int_equal(s->interval, 600);
    assert_string_equal(s->url, "http://a.test/feed");
    store_source_array_free(all, n);
}

static void record_fetch_failure_counts_then_success_resets(void **state)
{
    fixture *fx = *state;
    static const struct {
        int64_t at;
        const char *error;
        int status;
        int want_count;
        int64_t want_since;
    } steps[] = {
        {100, "timeout", 0, 1, 100},
        {200, "HTTP 503", 503, 2, 100},
        {300, "HTTP 500", 500, 3, 100},
        {400, NULL, 200, 0, 0},
        {500, "refused", 0, 1, 500},
    };
    store_fetch_state fs;
    int64_t id = add_source(fx->st, "http://a.test/feed");

    for (size_t i = 0; i < sizeof steps / sizeof steps[0]; i++) {
        store_source *all = NULL, *s;
        size_t n = 0;

        memset(&fs, 0, sizeof fs);
        fs.source_id = id;
        fs.fetched_at = steps[i].at;
        fs.status = steps[i].status;
        fs.error = steps[i].error;
        fs.etag = "\"ignored-on-error\"";
        fs.next_fetch_at = steps[i].at + 60;
        assert_int_equal(store_source_record_fetch(fx->st, &fs), VG_OK);
        s = get_source(fx->st, id, &all, &n);
        assert_int_equal(s->error_count, steps[i].want_count);
        assert_int_equal(s->failing_since, steps[i].want_since);
        assert_int_equal(s->last_status, steps[i].status);
        assert_int_equal(s->next_fetch_at, steps[i].at + 60);
        if (steps[i].error != NULL) {
            assert_non_null(s->last_error);
            assert_string_equal(s->last_error, steps[i].error);
        } else {
            assert_null(s->last_error);
        }
        store_source_array_free(all, n);
    }
}

static void record_fetch_error_keeps_etag(void **state)
{
    fixture *fx = *state;
    store_fetch_state fs = {0};
    store_source *all = NULL, *s;
    size_t n = 0;
    int64_t id = add_source(fx->st, "http://a.test/feed");

    fs.source_id = id;
    fs.fetched_at = 10;
    fs.status = 500;
    fs.error = "HTTP 500";
    fs.etag = "\"bad\"";
    fs.title = "bad";
    fs.new_url = "http://b.test/feed";
    assert_int_equal(store_source_record_fetch(fx->st, &fs), VG_OK);
    s = get_source(fx->st, id, &all, &n);
    assert_null(s->etag);
    assert_null(s->title);
    assert_string_equal(s->url, "http://a.test/feed");
    store_source_array_free(all, n);
}

static void record_fetch_redirect_moves_url_unless_taken(void **state)
{
    fixture *fx = *state;
    store_fetch_state fs = {0};
    store_source *all = NULL, *s;
    size_t n = 0;
    int64_t a = add_source(fx->st, "http://a.test/feed");
    int64_t b = add_source(fx->st, "http://b.test/feed");

    fs.source_id = a;
    fs.fetched_at = 10;
    fs.status = 200;
    fs.new_url = "https://a.test/feed";
    assert_int_equal(store_source_record_fetch(fx->st, &fs), VG_OK);
    assert_string_equal(get_source(fx->st, a, &all, &n)->url,
                        "https://a.test/feed");
    store_source_array_free(all, n);

    /* b redirects to a's URL: b keeps its own and the call succeeds. */
    fs.source_id = b;
    fs.status = 301;
    assert_int_equal(store_source_record_fetch(fx->st, &fs), VG_OK);
    s = get_source(fx->st, b, &all, &n);
    assert_string_equal(s->url, "http://b.test/feed");
    assert_int_equal(s->last_status, 301);
    store_source_array_free(all, n);
}

static void record_fetch_unknown_source_is_enotfound(void **state)
{
    fixture *fx = *state;
    store_fetch_state fs = {0};

    fs.source_id = 42;
    assert_int_equal(store_source_record_fetch(fx->st, &fs), VG_ENOTFOUND);
    fs.error = "x";
    assert_int_equal(store_source_record_fetch(fx->st, &fs), VG_ENOTFOUND);
}

static void source_rm_by_url_or_id_cascades(void **state)
{
    fixture *fx = *state;
    store_counts c;
    int64_t brand = 0;
    int64_t a = add_source(fx->st, "http://a.test/feed");
    int64_t b = add_source(fx->st, "http://b.test/feed");
    store_mention_row *rows = NULL;
    size_t n = 0;
    store_mention_filter f = STORE_MENTION_FILTER_INIT;
    char idbuf[32];

    assert_int_equal(store_brand_add(fx->st, "Acme", NULL, &brand), VG_OK);
    add_doc_with_mention(fx->st, a, brand, "http://a.test/1");
    add_doc_with_mention(fx->st, a, brand, "http://a.test/2");
    add_doc_with_mention(fx->st, b, brand, "http://b.test/1");

    assert_int_equal(store_source_rm(fx->st, "http://a.test/feed"), VG_OK);
    assert_int_equal(store_counts_get(fx->st, &c), VG_OK);
    assert_int_equal(c.sources, 1);
    assert_int_equal(c.documents, 1);
    assert_int_equal(c.mentions, 1);
    assert_int_equal(c.brands, 1);

    /* The full-text index lost the removed mentions too. */
    f.search = "acme";
    assert_int_equal(store_mentions_query(fx->st, &f, &rows, &n), VG_OK);
    assert_int_equal(n, 1);
    assert_string_equal(rows[0].url, "http://b.test/1");
    store_mention_row_array_free(rows, n);

    snprintf(idbuf, sizeof idbuf, "%lld", (long long)b);
    assert_int_equal(store_source_rm(fx->st, idbuf), VG_OK);
    assert_int_equal(store_counts_get(fx->st, &c), VG_OK);
    assert_int_equal(c.sources + c.documents + c.mentions, 0);
}

static void source_rm_missing_is_enotfound(void **state)
{
    fixture *fx = *state;
    const char *args[] = {"http://none.test/", "999", "0", "-1", "12abc", ""};

    add_source(fx->st, "http://a.test/");
    for (size_t i = 0; i < sizeof args / sizeof args[0]; i++)
        assert_int_equal(store_source_rm(fx->st, args[i]), VG_ENOTFOUND);
    assert_int_equal(store_source_rm(fx->st, NULL), VG_EINVAL);
}

static void brand_add_names_are_unique_ignoring_case(void **state)
{
    fixture *fx = *state;
    static const struct {
        const char *name;
        vg_err want;
    } cases[] = {
        {"Acme", VG_OK},
        {"acme", VG_EEXISTS},
        {"ACME", VG_EEXISTS},
        {"Acme ", VG_OK},
        {"Globex", VG_OK},
        {"", VG_EINVAL},
        {NULL, VG_EINVAL},
    };
    store_brand *all = NULL;
    size_t n = 0;

    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++)
        assert_int_equal(store_brand_add(fx->st, cases[i].name, "q", NULL),
                         cases[i].want);
    assert_int_equal(store_brand_list(fx->st, 0, &all, &n), VG_OK);
    assert_int_equal(n, 3);
    assert_string_equal(all[0].name, "Acme");
    assert_string_equal(all[1].name, "Acme ");
    assert_string_equal(all[2].name, "Globex");
    store_brand_array_free(all, n);
}

static void brand_list_returns_fields_in_id_order(void **state)
{
    fixture *fx = *state;
    store_brand *all = NULL;
    size_t n = 0;
    int64_t a = 0, b = 0;

    assert_int_equal(store_brand_add(fx->st, "Zeta", "\"Zeta\" OR @zeta", &a),
                     VG_OK);
    assert_int_equal(store_brand_add(fx->st, "Alpha", NULL, &b), VG_OK);
    assert_true(a > 0 && b > a);
    assert_int_equal(store_brand_list(fx->st, 1, &all, &n), VG_OK);
    assert_int_equal(n, 2);
    assert_int_equal(all[0].id, a);
    assert_string_equal(all[0].query, "\"Zeta\" OR @zeta");
    assert_int_equal(all[0].enabled, 1);
    assert_true(all[0].created_at > 0);
    /* No query given: the name is the query. */
    assert_string_equal(all[1].query, "Alpha");
    store_brand_array_free(all, n);
}

static void brand_rm_by_name_or_id_cascades_mentions(void **state)
{
    fixture *fx = *state;
    store_counts c;
    int64_t src = add_source(fx->st, "http://a.test/feed");
    int64_t acme = 0, globex = 0, doc;
    store_mention m = {0};
    char idbuf[32];

    assert_int_equal(store_brand_add(fx->st, "Acme", NULL, &acme), VG_OK);
    assert_int_equal(store_brand_add(fx->st, "Globex", NULL, &globex), VG_OK);
    doc = add_doc_with_mention(fx->st, src, acme, "http://a.test/1");
    m.document_id = doc;
    m.brand_id = globex;
    m.snippet = "globex too";
    assert_int_equal(store_mention_insert(fx->st, &m), VG_OK);

    assert_int_equal(store_brand_rm(fx->st, "ACME"), VG_OK);
    assert_int_equal(store_counts_get(fx->st, &c), VG_OK);
    assert_int_equal(c.brands, 1);
    assert_int_equal(c.mentions, 1);
    /* Documents belong to sources, not brands. */
    assert_int_equal(c.documents, 1);

    snprintf(idbuf, sizeof idbuf, "%lld", (long long)globex);
    assert_int_equal(store_brand_rm(fx->st, idbuf), VG_OK);
    assert_int_equal(store_counts_get(fx->st, &c), VG_OK);
    assert_int_equal(c.brands + c.mentions, 0);

    assert_int_equal(store_brand_rm(fx->st, "Acme"), VG_ENOTFOUND);
    assert_int_equal(store_brand_rm(fx->st, idbuf), VG_ENOTFOUND);
}

static void brand_named_like_an_id_is_removed_by_name(void **state)
{
    fixture *fx = *state;
    int64_t first = 0, named = 0;
    store_brand *all = NULL;
    size_t n = 0;

    assert_int_equal(store_brand_add(fx->st, "Acme", NULL, &first), VG_OK);
    assert_int_equal(first, 1);
    assert_int_equal(store_brand_add(fx->st, "1", NULL, &named), VG_OK);
    assert_int_equal(store_brand_rm(fx->st, "1"), VG_OK);
    assert_int_equal(store_brand_list(fx->st, 0, &all, &n), VG_OK);
    assert_int_equal(n, 1);
    assert_string_equal(all[0].name, "Acme");
    store_brand_array_free(all, n);
}

#define T(f) cmocka_unit_test_setup_teardown(f, vgtest_store_setup, vgtest_store_teardown)

int main(void)
{
    const struct CMUnitTest tests[] = {
        T(source_add_stores_every_field),
        T(source_add_rejects_bad_input),
        T(source_add_zero_interval_gets_default),
        T(source_list_is_ordered_by_id),
        T(source_due_lists_oldest_due_first),
        T(new_source_is_due_now),
        T(make_due_brings_every_enabled_source_forward),
        T(record_fetch_success_updates_given_fields_only),
        T(record_fetch_failure_counts_then_success_resets),
        T(record_fetch_error_keeps_etag),
        T(record_fetch_redirect_moves_url_unless_taken),
        T(record_fetch_unknown_source_is_enotfound),
        T(source_rm_by_url_or_id_cascades),
        T(source_rm_missing_is_enotfound),
        T(brand_add_names_are_unique_ignoring_case),
        T(brand_list_returns_fields_in_id_order),
        T(brand_rm_by_name_or_id_cascades_mentions),
        T(brand_named_like_an_id_is_removed_by_name),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
