/*
 * Unit tests for documents and mentions in the store: duplicate handling
 * on insert, label corrections, and store_mentions_query's filters
 * (brand, time range, effective label, full-text search), orderings and
 * limit, run as one table over a small fixed data set.
 */
#include "store/store.h"
#include "vgtest.h"

#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdlib.h>
#include <string.h>

typedef struct fixture {
    vgtest_store_fx s; /* first: vgtest_store_teardown frees the fixture */
    int64_t source, acme, globex;
} fixture;

/* The data set: key (index), brand, document, snippet, score, label,
 * published_at. Mention 2's label is corrected from 0 to -1 in setup. */
static const struct {
    int brand; /* 0 Acme, 1 Globex */
    const char *doc_url, *doc_title;
    const char *snippet;
    double score;
    int label;
    int64_t published_at;
} data[] = {
    {0, "http://s.test/1", "Acme lance un réseau",
     "Le nouveau réseau d'Acme est rapide", 0.6, 1, 1000},
    {0, "http://s.test/2", "Panne", "Acme en panne depuis ce matin", -0.7, -1,
     2000},
    {0, "http://s.test/3", "Rien de neuf", "Acme publie ses résultats", 0.0, 0,
     3000},
    {1, "http://s.test/3", "Rien de neuf", "Globex aussi cité", -0.2, -1, 3000},
    {1, "http://s.test/4", "Service", "Globex service client excellent", 0.9,
     1, 4000},
};
#define N_DATA (sizeof data / sizeof data[0])

static int find_key(const char *snippet)
{
    for (size_t i = 0; i < N_DATA; i++)
        if (strcmp(data[i].snippet, snippet) == 0)
            return (int)i;
    return -1;
}

static int setup(void **state)
{
    fixture *fx = vgtest_store_fx_new(sizeof *fx, "store");

    assert_int_equal(store_source_add(fx->s.st, "http://s.test/feed", "feed",
                                      NULL, 60, 0, 0, &fx->source),
                     VG_OK);
    assert_int_equal(store_brand_add(fx->s.st, "Acme", NULL, &fx->acme), VG_OK);
    assert_int_equal(store_brand_add(fx->s.st, "Globex", NULL, &fx->globex),
                     VG_OK);
    *state = fx;
    return 0;
}

/* Inserts the data set in one transaction, as the writer does, and
 * corrects mention 2. */
static int setup_data(void **state)
{
    fixture *fx;
    store_mention_row *rows = NULL;
    size_t n = 0;
    store_mention_filter f = STORE_MENTION_FILTER_INIT;
    int64_t prev_doc = 0;

    setup(state);
    fx = *state;
    assert_int_equal(store_begin(fx->s.st), VG_OK);
    for (size_t i = 0; i < N_DATA; i++) {
        store_document d = {0};
        store_mention m = {0};
        int64_t doc = 0;

        d.source_id = fx->source;
        d.url = data[i].doc_url;
        d.title = data[i].doc_title;
        d.fetched_at = data[i].published_at;
        d.published_at = data[i].published_at;
        assert_int_equal(store_document_insert(fx->s.st, &d, &doc), VG_OK);
        if (doc == 0) {
            /* A second brand in an already stored document. */
            assert_true(i > 0 && strcmp(data[i - 1].doc_url, d.url) == 0);
            doc = prev_doc;
        }
        prev_doc = doc;
        m.document_id = doc;
        m.brand_id = data[i].brand ? fx->globex : fx->acme;
        m.snippet = data[i].snippet;
        m.score = data[i].score;
        m.label = data[i].label;
        m.pos = 0.5;
        m.neu = 0.3;
        m.neg = 0.2;
        m.published_at = data[i].published_at;
        assert_int_equal(store_mention_insert(fx->s.st, &m), VG_OK);
    }
    assert_int_equal(store_commit(fx->s.st), VG_OK);

    f.search = "résultats";
    assert_int_equal(store_mentions_query(fx->s.st, &f, &rows, &n), VG_OK);
    assert_int_equal(n, 1);
    assert_int_equal(store_mention_correct(fx->s.st, rows[0].id, -1), VG_OK);
    store_mention_row_array_free(rows, n);
    return 0;
}

static void document_duplicate_url_reports_id_zero(void **state)
{
    fixture *fx = *state;
    store_document d = {0};
    store_counts c;
    int64_t first = 0, second = -1;

    d.source_id = fx->source;
    d.url = "http://s.test/a";
    d.title = "first";
    d.simhash = UINT64_MAX; /* top bit set: must survive the signed column */
    d.fetched_at = 10;
    assert_int_equal(store_document_insert(fx->s.st, &d, &first), VG_OK);
    assert_true(first > 0);
    d.title = "second";
    assert_int_equal(store_document_insert(fx->s.st, &d, &second), VG_OK);
    assert_int_equal(second, 0);
    assert_int_equal(store_counts_get(fx->s.st, &c), VG_OK);
    assert_int_equal(c.documents, 1);
}

static void document_exists_answers_by_canonical_url(void **state)
{
    fixture *fx = *state;
    store_document d = {0};
    int exists = -1;

    d.source_id = fx->source;
    d.url = "http://s.test/a";
    assert_int_equal(store_document_insert(fx->s.st, &d, NULL), VG_OK);
    assert_int_equal(store_document_exists(fx->s.st, "http://s.test/a", &exists),
                     VG_OK);
    assert_int_equal(exists, 1);
    assert_int_equal(store_document_exists(fx->s.st, "http://s.test/b", &exists),
                     VG_OK);
    assert_int_equal(exists, 0);
}

static void document_insert_rejects_bad_input(void **state)
{
    fixture *fx = *state;
    store_document d = {0};
    int64_t id = -1;

    d.source_id = fx->source;
    assert_int_equal(store_document_insert(fx->s.st, &d, &id), VG_EINVAL);
    assert_int_equal(id, 0);
    d.url = "http://s.test/x";
    d.source_id = 999;
    assert_int_equal(store_document_insert(fx->s.st, &d, &id), VG_EDB);
    assert_true(strlen(vg_error_last()) > 0);
}

static void mention_duplicate_is_ignored(void **state)
{
    fixture *fx = *state;
    store_document d = {0};
    store_mention m = {0};
    store_mention_row *rows = NULL;
    size_t n = 0;
    int64_t doc = 0;

    d.source_id = fx->source;
    d.url = "http://s.test/a";
    assert_int_equal(store_document_insert(fx->s.st, &d, &doc), VG_OK);
    m.document_id = doc;
    m.brand_id = fx->acme;
    m.snippet = "first";
    m.label = 1;
    assert_int_equal(store_mention_insert(fx->s.st, &m), VG_OK);
    m.snippet = "second";
    m.label = -1;
    assert_int_equal(store_mention_insert(fx->s.st, &m), VG_OK);

    assert_int_equal(store_mentions_query(fx->s.st, NULL, &rows, &n), VG_OK);
    assert_int_equal(n, 1);
    assert_string_equal(rows[0].snippet, "first");
    assert_int_equal(rows[0].label, 1);
    store_mention_row_array_free(rows, n);
    /* Inserted outside a transaction, it is indexed once, under its
     * first snippet; the ignored one left no index row behind. */
    {
        store_mention_filter f = STORE_MENTION_FILTER_INIT;
        f.search = "first";
        assert_int_equal(store_mentions_query(fx->s.st, &f, &rows, &n), VG_OK);
        assert_int_equal(n, 1);
        store_mention_row_array_free(rows, n);
        f.search = "second";
        assert_int_equal(store_mentions_query(fx->s.st, &f, &rows, &n), VG_OK);
        assert_int_equal(n, 0);
        store_mention_row_array_free(rows, n);
    }

    /* The same document may mention another brand. */
    m.brand_id = fx->globex;
    assert_int_equal(store_mention_insert(fx->s.st, &m), VG_OK);
    assert_int_equal(store_mentions_query(fx->s.st, NULL, &rows, &n), VG_OK);
    assert_int_equal(n, 2);
    store_mention_row_array_free(rows, n);
}

static void mention_insert_rejects_bad_input(void **state)
{
    fixture *fx = *state;
    store_mention m = {0};

    m.document_id = 999;
    m.brand_id = fx->acme;
    assert_int_equal(store_mention_insert(fx->s.st, &m), VG_EDB);
    m.label = 2;
    assert_int_equal(store_mention_insert(fx->s.st, &m), VG_EINVAL);
    assert_int_equal(store_mention_insert(fx->s.st, NULL), VG_EINVAL);
}

static void query_row_carries_joined_fields(void **state)
{
    fixture *fx = *state;
    store_mention_filter f = STORE_MENTION_FILTER_INIT;
    store_mention_row *rows = NULL;
    size_t n = 0;

    f.search = "panne";
    assert_int_equal(store_mentions_query(fx->s.st, &f, &rows, &n), VG_OK);
    assert_int_equal(n, 1);
    assert_true(rows[0].id > 0);
    assert_string_equal(rows[0].brand, "Acme");
    assert_string_equal(rows[0].url, "http://s.test/2");
    assert_string_equal(rows[0].title, "Panne");
    assert_string_equal(rows[0].source_url, "http://s.test/feed");
    assert_string_equal(rows[0].snippet, "Acme en panne depuis ce matin");
    assert_float_equal(rows[0].score, -0.7, 1e-9);
    assert_int_equal(rows[0].label, -1);
    assert_int_equal(rows[0].corrected, 0);
    assert_float_equal(rows[0].pos, 0.5, 1e-9);
    assert_float_equal(rows[0].neu, 0.3, 1e-9);
    assert_float_equal(rows[0].neg, 0.2, 1e-9);
    assert_int_equal(rows[0].published_at, 2000);
    store_mention_row_array_free(rows, n);
}

#define END -1

static void query_filters_orders_and_limits(void **state)
{
    fixture *fx = *state;
    static const struct {
        const char *what;
        store_mention_filter f;
        int want[N_DATA + 1]; /* keys into data[], END-terminated */
    } cases[] = {
        {"no filter: newest first, ties by id",
         STORE_MENTION_FILTER_INIT, {4, 3, 2, 1, 0, END}},
        {"brand, case-insensitive",
         {.brand = "acme"}, {2, 1, 0, END}},
        {"unknown brand", {.brand = "Nobody"}, {END}},
        {"since is inclusive", {.since = 2000}, {4, 3, 2, 1, END}},
        {"until is exclusive", {.until = 3000}, {1, 0, END}},
        {"since and until", {.since = 2000, .until = 4000}, {3, 2, 1, END}},
        {"label -1 includes the correction",
         {.label_set = 1, .label = -1}, {3, 2, 1, END}},
        {"label 0 excludes the corrected mention",
         {.label_set = 1, .label = 0}, {END}},
        {"label 1", {.label_set = 1, .label = 1}, {4, 0, END}},
        {"search ignores accents", {.search = "reseau"}, {0, END}},
        {"search in snippets", {.search = "panne"}, {1, END}},
        {"search in titles", {.search = "rien"}, {3, 2, END}},
        {"search with operators", {.search = "acme NOT panne"}, {2, 0, END}},
        {"empty search is no filter", {.search = ""}, {4, 3, 2, 1, 0, END}},
        {"most negative first", {.order_by_score = 1}, {1, 3, 2, 0, 4, END}},
        {"most positive first", {.order_by_score = 2}, {4, 0, 2, 3, 1, END}},
        {"limit", {.limit = 2}, {4, 3, END}},
        {"brand, order and limit",
         {.brand = "Acme", .order_by_score = 1, .limit = 2}, {1, 2, END}},
        {"brand and label", {.brand = "Globex", .label_set = 1, .label = -1},
         {3, END}},
        {"everything",
         {.brand = "Globex", .since = 1, .until = 5000, .label_set = 1,
          .label = 1, .search = "client", .order_by_score = 2, .limit = 5},
         {4, END}},
    };

    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        store_mention_row *rows = NULL;
        size_t n = 0, want_n = 0;

        while (cases[i].want[want_n] != END)
            want_n++;
        assert_int_equal(store_mentions_query(fx->s.st, &cases[i].f, &rows, &n),
                         VG_OK);
        if (n != want_n)
            fail_msg("%s: %zu rows, want %zu", cases[i].what, n, want_n);
        for (size_t j = 0; j < n; j++) {
            int key = find_key(rows[j].snippet);

            if (key != cases[i].want[j])
                fail_msg("%s: row %zu is %d, want %d", cases[i].what, j, key,
                         cases[i].want[j]);
        }
        store_mention_row_array_free(rows, n);
    }
}

static void correction_overrides_label_and_can_be_undone(void **state)
{
    fixture *fx = *state;
    store_mention_filter f = STORE_MENTION_FILTER_INIT;
    store_mention_row *rows = NULL;
    size_t n = 0;
    int64_t id;

    f.search = "résultats";
    assert_int_equal(store_mentions_query(fx->s.st, &f, &rows, &n), VG_OK);
    assert_int_equal(n, 1);
    assert_int_equal(rows[0].label, -1);
    assert_int_equal(rows[0].corrected, 1);
    id = rows[0].id;
    store_mention_row_array_free(rows, n);

    assert_int_equal(store_mention_correct(fx->s.st, id, 1), VG_OK);
    assert_int_equal(store_mentions_query(fx->s.st, &f, &rows, &n), VG_OK);
    assert_int_equal(rows[0].label, 1);
    store_mention_row_array_free(rows, n);

    assert_int_equal(store_mention_uncorrect(fx->s.st, id), VG_OK);
    assert_int_equal(store_mentions_query(fx->s.st, &f, &rows, &n), VG_OK);
    assert_int_equal(rows[0].label, 0);
    assert_int_equal(rows[0].corrected, 0);
    store_mention_row_array_free(rows, n);

    assert_int_equal(store_mention_correct(fx->s.st, id, 3), VG_EINVAL);
    assert_int_equal(store_mention_correct(fx->s.st, 99999, 1), VG_ENOTFOUND);
    assert_int_equal(store_mention_uncorrect(fx->s.st, 99999), VG_ENOTFOUND);
}

static void query_bad_search_syntax_is_einval(void **state)
{
    fixture *fx = *state;
    static const char *bad[] = {"acme AND", "\"unterminated", "NOT"};
    store_mention_filter f = STORE_MENTION_FILTER_INIT;
    store_mention_row *rows = NULL;
    size_t n = 7;

    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        f.search = bad[i];
        assert_int_equal(store_mentions_query(fx->s.st, &f, &rows, &n),
                         VG_EINVAL);
        assert_null(rows);
        assert_int_equal(n, 0);
    }
    f.search = NULL;
    f.label_set = 1;
    f.label = 5;
    assert_int_equal(store_mentions_query(fx->s.st, &f, &rows, &n), VG_EINVAL);
}

static void query_empty_store_returns_nothing(void **state)
{
    fixture *fx = *state;
    store_mention_row *rows = NULL;
    size_t n = 7;

    assert_int_equal(store_mentions_query(fx->s.st, NULL, &rows, &n), VG_OK);
    assert_int_equal(n, 0);
    assert_null(rows);
}

#define T(f) cmocka_unit_test_setup_teardown(f, setup, vgtest_store_teardown)
#define TD(f) cmocka_unit_test_setup_teardown(f, setup_data, vgtest_store_teardown)

int main(void)
{
    const struct CMUnitTest tests[] = {
        T(document_duplicate_url_reports_id_zero),
        T(document_exists_answers_by_canonical_url),
        T(document_insert_rejects_bad_input),
        T(mention_duplicate_is_ignored),
        T(mention_insert_rejects_bad_input),
        T(query_empty_store_returns_nothing),
        TD(query_row_carries_joined_fields),
        TD(query_filters_orders_and_limits),
        TD(correction_overrides_label_and_can_be_undone),
        TD(query_bad_search_syntax_is_einval),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
