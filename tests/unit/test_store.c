/*
 * Unit tests for the store's connection-level behaviour: opening and
 * migrating (twice, and refusing a newer schema), WAL mode, two handles on
 * one file, transactions, settings and counts. Each test gets a fresh
 * database in its own mkdtemp directory, removed afterwards.
 */
#include "store/store.h"
#include "vgtest.h"
#include "store/store_test.h"

#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

typedef vgtest_store_fx fixture;

static void open_fresh_database_applies_every_migration(void **state)
{
    fixture *fx = *state;

    assert_true(store_schema_latest() >= 1);
    assert_int_equal(store_schema_version(fx->st), store_schema_latest());
    assert_int_equal(store_test_migrations_applied(fx->st),
                     store_schema_latest());
}

static void reopen_up_to_date_database_applies_nothing(void **state)
{
    fixture *fx = *state;

    for (int round = 0; round < 2; round++) {
        store_close(fx->st);
        fx->st = NULL;
        assert_int_equal(store_open(fx->d.db, &fx->st), VG_OK);
        assert_int_equal(store_schema_version(fx->st), store_schema_latest());
        assert_int_equal(store_test_migrations_applied(fx->st), 0);
    }
}

static void reopen_keeps_data(void **state)
{
    fixture *fx = *state;
    char *v = NULL;

    assert_int_equal(store_setting_set(fx->st, "k", "v"), VG_OK);
    store_close(fx->st);
    fx->st = NULL;
    assert_int_equal(store_open(fx->d.db, &fx->st), VG_OK);
    assert_int_equal(store_setting_get(fx->st, "k", &v), VG_OK);
    assert_string_equal(v, "v");
    free(v);
}

static void open_newer_schema_is_refused(void **state)
{
    fixture *fx = *state;
    store *again = NULL;

    assert_int_equal(store_test_force_version(fx->st, store_schema_latest() + 1),
                     VG_OK);
    store_close(fx->st);
    fx->st = NULL;
    assert_int_equal(store_open(fx->d.db, &again), VG_EDB);
    assert_null(again);
    assert_non_null(strstr(vg_error_last(), "newer"));
}

static void open_unwritable_path_is_edb(void **state)
{
    fixture *fx = *state;
    store *st = NULL;
    char p[128];

    snprintf(p, sizeof p, "%s/no/such/dir/vigie.db", fx->d.dir);
    assert_int_equal(store_open(p, &st), VG_EDB);
    assert_null(st);
    assert_true(strlen(vg_error_last()) > 0);
}

static void open_sets_wal_journal_mode(void **state)
{
    fixture *fx = *state;
    char *mode = NULL;

    assert_int_equal(store_journal_mode(fx->st, &mode), VG_OK);
    assert_string_equal(mode, "wal");
    free(mode);
}

/* The page size is read from the file header (bytes 16-17, big-endian)
 * because it only counts if SQLite actually wrote it there. */
static void new_database_has_16k_pages(void **state)
{
    fixture *fx = *state;
    unsigned char hdr[100];
    FILE *f = fopen(fx->d.db, "rb");

    assert_non_null(f);
    assert_int_equal(fread(hdr, 1, sizeof hdr, f), sizeof hdr);
    fclose(f);
    assert_memory_equal(hdr, "SQLite format 3", 16);
    assert_int_equal(hdr[16] << 8 | hdr[17], 16384);
}

static void second_handle_sees_committed_rows(void **state)
{
    fixture *fx = *state;
    store *other = NULL;
    store_counts c;

    assert_int_equal(store_open(fx->d.db, &other), VG_OK);
    assert_int_equal(store_test_migrations_applied(other), 0);
    assert_int_equal(store_brand_add(fx->st, "Acme", NULL, NULL), VG_OK);
    assert_int_equal(store_counts_get(other, &c), VG_OK);
    assert_int_equal(c.brands, 1);
    store_close(other);
}

static void reader_is_not_blocked_by_open_write_transaction(void **state)
{
    fixture *fx = *state;
    store *reader = NULL;
    store_counts c;

    assert_int_equal(store_open(fx->d.db, &reader), VG_OK);
    assert_int_equal(store_begin(fx->st), VG_OK);
    assert_int_equal(store_brand_add(fx->st, "Acme", NULL, NULL), VG_OK);
    /* WAL: the reader sees the last committed state at once, no waiting. */
    assert_int_equal(store_counts_get(reader, &c), VG_OK);
    assert_int_equal(c.brands, 0);
    assert_int_equal(store_commit(fx->st), VG_OK);
    assert_int_equal(store_counts_get(reader, &c), VG_OK);
    assert_int_equal(c.brands, 1);
    store_close(reader);
}

static void rollback_discards_the_batch(void **state)
{
    fixture *fx = *state;
    store_counts c;

    assert_int_equal(store_begin(fx->st), VG_OK);
    assert_int_equal(store_brand_add(fx->st, "Acme", NULL, NULL), VG_OK);
    assert_int_equal(store_source_add(fx->st, "http://a.test/feed", "feed",
                                      NULL, 60, 0, 0, NULL),
                     VG_OK);
    assert_int_equal(store_rollback(fx->st), VG_OK);
    assert_int_equal(store_counts_get(fx->st, &c), VG_OK);
    assert_int_equal(c.brands, 0);
    assert_int_equal(c.sources, 0);
    /* With nothing open, rollback is a harmless no-op. */
    assert_int_equal(store_rollback(fx->st), VG_OK);
}

static void commit_keeps_the_batch(void **state)
{
    fixture *fx = *state;
    store_counts c;

    assert_int_equal(store_begin(fx->st), VG_OK);
    assert_int_equal(store_brand_add(fx->st, "Acme", NULL, NULL), VG_OK);
    assert_int_equal(store_commit(fx->st), VG_OK);
    assert_int_equal(store_counts_get(fx->st, &c), VG_OK);
    assert_int_equal(c.brands, 1);
    assert_int_equal(store_commit(fx->st), VG_EDB);
}

static void settings_set_get_and_overwrite(void **state)
{
    fixture *fx = *state;
    static const struct {
        const char *key, *value;
    } writes[] = {
        {"digest.day", "monday"},
        {"alerts.cooldown", "3600"},
        {"digest.day", "friday"},
        {"empty", ""},
        {"unicode", "réseau ☂"},
    };
    static const struct {
        const char *key, *want;
    } reads[] = {
        {"digest.day", "friday"},
        {"alerts.cooldown", "3600"},
        {"empty", ""},
        {"unicode", "réseau ☂"},
    };
    char *v = NULL;

    for (size_t i = 0; i < sizeof writes / sizeof writes[0]; i++)
        assert_int_equal(store_setting_set(fx->st, writes[i].key,
                                           writes[i].value),
                         VG_OK);
    for (size_t i = 0; i < sizeof reads / sizeof reads[0]; i++) {
        assert_int_equal(store_setting_get(fx->st, reads[i].key, &v), VG_OK);
        assert_string_equal(v, reads[i].want);
        free(v);
        v = NULL;
    }
    assert_int_equal(store_setting_get(fx->st, "missing", &v), VG_ENOTFOUND);
    assert_null(v);
    assert_int_equal(store_setting_set(fx->st, "k", NULL), VG_EINVAL);
}

static void counts_follow_inserts(void **state)
{
    fixture *fx = *state;
    store_counts c;
    int64_t src = 0, brand = 0, doc = 0;
    store_document d = {0};
    store_mention m = {0};

    assert_int_equal(store_counts_get(fx->st, &c), VG_OK);
    assert_int_equal(c.sources + c.documents + c.mentions + c.brands, 0);

    assert_int_equal(store_source_add(fx->st, "http://a.test/feed", "feed",
                                      NULL, 60, 0, 0, &src),
                     VG_OK);
    assert_int_equal(store_brand_add(fx->st, "Acme", NULL, &brand), VG_OK);
    assert_int_equal(store_brand_add(fx->st, "Globex", NULL, NULL), VG_OK);
    d.source_id = src;
    d.url = "http://a.test/1";
    d.fetched_at = 100;
    assert_int_equal(store_document_insert(fx->st, &d, &doc), VG_OK);
    m.document_id = doc;
    m.brand_id = brand;
    m.snippet = "Acme rocks";
    m.published_at = 100;
    assert_int_equal(store_mention_insert(fx->st, &m), VG_OK);

    assert_int_equal(store_counts_get(fx->st, &c), VG_OK);
    assert_int_equal(c.sources, 1);
    assert_int_equal(c.documents, 1);
    assert_int_equal(c.mentions, 1);
    assert_int_equal(c.brands, 2);
}

#define T(f) cmocka_unit_test_setup_teardown(f, vgtest_store_setup, vgtest_store_teardown)

int main(void)
{
    const struct CMUnitTest tests[] = {
        T(open_fresh_database_applies_every_migration),
        T(reopen_up_to_date_database_applies_nothing),
        T(reopen_keeps_data),
        T(open_newer_schema_is_refused),
        T(open_unwritable_path_is_edb),
        T(open_sets_wal_journal_mode),
        T(new_database_has_16k_pages),
        T(second_handle_sees_committed_rows),
        T(reader_is_not_blocked_by_open_write_transaction),
        T(rollback_discards_the_batch),
        T(commit_keeps_the_batch),
        T(settings_set_get_and_overwrite),
        T(counts_follow_inserts),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
