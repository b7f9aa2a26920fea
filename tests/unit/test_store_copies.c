/*
 * Unit tests for syndicated copies at insert time
 * (store_document_insert_copy): which earlier document a new one is
 * recognised as a copy of, by content hash or by a shared key confirmed
 * by simhash distance, the time window, the content hash a copy
 * inherits, and the mention filter that leaves copies out of volumes.
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

#define DAY 86400
#define T0 (1790000000 - 1790000000 % DAY)

typedef struct fixture {
    vgtest_store_fx s; /* first: vgtest_store_teardown frees the fixture */
    int64_t source, brand;
} fixture;

static int setup(void **state)
{
    fixture *fx = vgtest_store_fx_new(sizeof *fx, "copies");

    assert_int_equal(store_source_add(fx->s.st, "http://s.test/feed", "feed", NULL,
                                      60, 0, 0, &fx->source),
                     VG_OK);
    assert_int_equal(store_brand_add(fx->s.st, "Acme", NULL, &fx->brand), VG_OK);
    *state = fx;
    return 0;
}

/* Inserts a document and, when brand is not 0, a mention of it; returns
 * the document id, the id of the document it copies, and whether the
 * mention was flagged a copy (when is_copy is not NULL). */
static void put_keys(fixture *fx, int64_t brand, const char *url, const char *hash,
                     uint64_t sh, const uint64_t *keys, int64_t at, int64_t *id,
                     int64_t *copy_of, int *is_copy)
{
    store_document d = {0};
    store_mention m = {0};
    int flag = -1;

    d.source_id = fx->source;
    d.url = url;
    d.title = url;
    d.fetched_at = at;
    d.published_at = at;
    d.content_hash = hash;
    d.simhash = sh;
    d.copy_bits = 12;
    if (keys != NULL)
        memcpy(d.copy_keys, keys, sizeof d.copy_keys);
    assert_int_equal(store_document_insert_copy(fx->s.st, &d, id, copy_of), VG_OK);
    if (*id == 0 || brand == 0)
        return;
    m.document_id = *id;
    m.brand_id = brand;
    m.snippet = url;
    m.neu = 1;
    m.published_at = at;
    m.copy_of = *copy_of;
    assert_int_equal(store_mention_insert_copy(fx->s.st, &m, &flag), VG_OK);
    assert_true(flag == 0 || flag == 1);
    if (is_copy != NULL)
        *is_copy = flag;
}

/* Keys derived from the simhash's top bits, as if the text were the
 * same as any other document with that simhash: enough for tests where
 * the key is not the point. */
static void put_for(fixture *fx, int64_t brand, const char *url, const char *hash,
                    uint64_t sh, int64_t at, int64_t *id, int64_t *copy_of,
                    int *is_copy)
{
    uint64_t keys[STORE_COPY_KEYS] = {sh >> 40 | 1, 0, 0, 0};

    put_keys(fx, brand, url, hash, sh, sh ? keys : NULL, at, id, copy_of, is_copy);
}

static void put(fixture *fx, const char *url, const char *hash, uint64_t sh,
                int64_t at, int64_t *id, int64_t *copy_of)
{
    put_for(fx, fx->brand, url, hash, sh, at, id, copy_of, NULL);
}

#define BASE 0x0123456789abcdefULL

/* Each row is inserted in order; expect_copy_of is the 1-based row it
 * must be recognised as a copy of (0: original). */
static const struct {
    const char *url, *hash;
    uint64_t simhash;
    uint64_t keys[STORE_COPY_KEYS];
    int64_t at;
    int expect_copy_of;
} rows[] = {
    {"http://a.test/story", "h1", BASE, {11, 12, 13, 14}, T0, 0},
    /* One key in common, ten bits apart, another site two days later. */
    {"http://b.test/reprint", "h2", BASE ^ 0x8000f0000000f101ULL, {91, 12, 93, 94},
     T0 + 2 * DAY, 1},
    /* Near in simhash but no key in common: not the same shingles. */
    {"http://c.test/other", "h3", BASE ^ 1, {21, 22, 23, 24}, T0 + 2 * DAY, 0},
    /* A key in common (a shared boilerplate sentence) but far apart. */
    {"http://d.test/x", "h4", ~BASE, {11, 32, 33, 34}, T0 + 3 * DAY, 0},
    /* Same content hash, no simhash or keys (a text without words). */
    {"http://e.test/same", "h3", 0, {0, 0, 0, 0}, T0 + 3 * DAY, 3},
    /* The very same fingerprint as row 1 but after the window: news again. */
    {"http://f.test/late", "h5", BASE, {11, 12, 13, 14}, T0 + STORE_COPY_WINDOW + 4 * DAY, 0},
    /* Unrelated. */
    {"http://g.test/new", "h6", 0x5555aaaa5555aaaaULL, {41, 42, 43, 44}, T0 + 3 * DAY, 0},
};
#define N_ROWS (sizeof rows / sizeof rows[0])

static void put_row(fixture *fx, size_t i, int64_t *id, int64_t *copy_of)
{
    put_keys(fx, fx->brand, rows[i].url, rows[i].hash, rows[i].simhash, rows[i].keys,
             rows[i].at, id, copy_of, NULL);
}

static void copies_are_recognised_by_hash_and_keys(void **state)
{
    fixture *fx = *state;
    int64_t ids[N_ROWS] = {0};

    for (size_t i = 0; i < N_ROWS; i++) {
        int64_t copy_of = -1;

        put_row(fx, i, &ids[i], &copy_of);
        assert_true(ids[i] > 0);
        if (rows[i].expect_copy_of == 0) {
            if (copy_of != 0)
                fail_msg("row %zu (%s) taken for a copy of %lld", i, rows[i].url,
                         (long long)copy_of);
        } else {
            assert_int_equal(copy_of, ids[rows[i].expect_copy_of - 1]);
        }
    }
}

static void copies_leave_the_volume_filter(void **state)
{
    fixture *fx = *state;
    int64_t ids[N_ROWS] = {0};
    store_mention_filter f = STORE_MENTION_FILTER_INIT;
    store_mention_row *v = NULL;
    size_t n = 0;

    for (size_t i = 0; i < N_ROWS; i++) {
        int64_t copy_of = 0;

        put_row(fx, i, &ids[i], &copy_of);
    }
    assert_int_equal(store_mentions_query(fx->s.st, &f, &v, &n), VG_OK);
    assert_int_equal(n, N_ROWS);
    store_mention_row_array_free(v, n);

    /* Rows 2 and 5 are copies (of rows 1 and 3): five originals. */
    f.originals_only = 1;
    assert_int_equal(store_mentions_query(fx->s.st, &f, &v, &n), VG_OK);
    assert_int_equal(n, 5);
    for (size_t i = 0; i < n; i++)
        assert_true(strcmp(v[i].url, rows[1].url) != 0 &&
                    strcmp(v[i].url, rows[4].url) != 0);
    store_mention_row_array_free(v, n);
}

static void duplicate_url_is_neither_stored_nor_a_copy(void **state)
{
    fixture *fx = *state;
    int64_t id = 0, copy_of = 0;

    put(fx, "http://a.test/story", "h1", BASE, T0, &id, &copy_of);
    assert_true(id > 0);
    put(fx, "http://a.test/story", "h1", BASE, T0 + 60, &id, &copy_of);
    assert_int_equal(id, 0);
    assert_int_equal(copy_of, 0);
}

static void exact_hash_only_when_copy_bits_is_zero(void **state)
{
    fixture *fx = *state;
    store_document d = {0};
    int64_t first = 0, id = 0, copy_of = 0;

    put(fx, "http://a.test/story", "h1", BASE, T0, &first, &copy_of);
    d.source_id = fx->source;
    d.url = "http://b.test/near";
    d.fetched_at = T0 + 1;
    d.content_hash = "other";
    d.simhash = BASE ^ 1;
    d.copy_keys[0] = BASE >> 40 | 1; /* the key put() gave the first */
    d.copy_bits = 0;
    assert_int_equal(store_document_insert_copy(fx->s.st, &d, &id, &copy_of), VG_OK);
    assert_true(id > 0);
    assert_int_equal(copy_of, 0);
}

/* A reprint whose original does not name the brand (a new headline
 * adds it) is news for that brand; one whose original does is a copy. */
static void mention_is_a_copy_only_if_the_original_names_the_brand(void **state)
{
    fixture *fx = *state;
    int64_t other = 0, a = 0, b = 0, c = 0, copy_of = 0;
    int flag = -1;

    assert_int_equal(store_brand_add(fx->s.st, "Globex", NULL, &other), VG_OK);
    put_for(fx, other, "http://a.test/story", "h1", BASE, T0, &a, &copy_of, &flag);
    assert_int_equal(flag, 0);
    put_for(fx, fx->brand, "http://b.test/reprint", "h2", BASE ^ 2, T0 + 60, &b,
            &copy_of, &flag);
    assert_int_equal(copy_of, a);
    assert_int_equal(flag, 0);
    put_for(fx, other, "http://c.test/reprint", "h3", BASE ^ 4, T0 + 120, &c, &copy_of,
            &flag);
    assert_int_equal(copy_of, a);
    assert_int_equal(flag, 1);
}

#define T(f) cmocka_unit_test_setup_teardown(f, setup, vgtest_store_teardown)

int main(void)
{
    const struct CMUnitTest tests[] = {
        T(copies_are_recognised_by_hash_and_keys),
        T(copies_leave_the_volume_filter),
        T(duplicate_url_is_neither_stored_nor_a_copy),
        T(exact_hash_only_when_copy_bits_is_zero),
        T(mention_is_a_copy_only_if_the_original_names_the_brand),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
