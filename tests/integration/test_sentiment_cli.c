/*
 * The sentiment commands through the real binary: `vigie eval sentiment`
 * on a small labelled fixture (tests/fixtures/sentiment/), `vigie lexicon
 * add|list|rm` and the user entries reaching `vigie score`, `vigie mention
 * correct` and `vigie eval corrections` on a database prepared through
 * the store API, and the usage errors (exit status 2) of each.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cmocka.h>

#include "core/buf.h"
#include "store/store.h"

typedef struct fixture {
    char dir[64];
    char db[96];
    char tsv[4096];
    char bad[4096];
} fixture;

/* Runs vigie -q --db DB ARGS...; returns the exit status, stdout in out. */
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
        /* Usage errors go to stderr; keep the test log quiet. */
        if (!freopen("/dev/null", "w", stderr))
            _exit(126);
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
    assert_non_null(fx);
    snprintf(fx->dir, sizeof fx->dir, "/tmp/vigie-senti-XXXXXX");
    assert_non_null(mkdtemp(fx->dir));
    snprintf(fx->db, sizeof fx->db, "%s/vigie.db", fx->dir);
    const char *src = getenv("VG_SOURCE_DIR");
    assert_non_null(src);
    snprintf(fx->tsv, sizeof fx->tsv, "%s/tests/fixtures/sentiment/tiny.tsv", src);
    snprintf(fx->bad, sizeof fx->bad, "%s/tests/fixtures/sentiment/badlabel.tsv", src);
    *state = fx;
    return 0;
}

static int teardown(void **state)
{
    fixture *fx = *state;
    char path[160];
    static const char *const files[] = {"vigie.db", "vigie.db-wal", "vigie.db-shm"};
    for (size_t i = 0; i < 3; i++) {
        snprintf(path, sizeof path, "%s/%s", fx->dir, files[i]);
        unlink(path);
    }
    rmdir(fx->dir);
    free(fx);
    return 0;
}

/* The fixture's figures, checked by hand against the reference script
 * (sentiment_eval.py) when the fixture was written. */
static void eval_sentiment_prints_reference_metrics(void **state)
{
    fixture *fx = *state;
    vg_buf out;
    vg_buf_init(&out, 1 << 16);
    assert_int_equal(vigie(fx, &out, "eval", "sentiment", fx->tsv, NULL), 0);
    assert_string_equal(vg_buf_str(&out), "n=9  n_bin=6  bin_acc=1.000  bin_mF1=1.000  "
                                          "acc3=0.889  mF1_3=0.886  coverage=0.889\n");
    vg_buf_reset(&out);
    assert_int_equal(vigie(fx, &out, "eval", "sentiment", "--format", "json", fx->tsv, NULL), 0);
    assert_non_null(strstr(vg_buf_str(&out), "\"n\": 9, \"n_bin\": 6"));
    assert_non_null(strstr(vg_buf_str(&out), "\"acc3\": 0.888889"));
    vg_buf_free(&out);
}

static long field_n(const char *s)
{
    const char *p = strstr(s, "n=");
    return p ? strtol(p + 2, NULL, 10) : -1;
}

static void eval_sentiment_parts_split_the_file(void **state)
{
    fixture *fx = *state;
    vg_buf a, b;
    vg_buf_init(&a, 1 << 16);
    vg_buf_init(&b, 1 << 16);
    assert_int_equal(vigie(fx, &a, "eval", "sentiment", "--part", "train", fx->tsv, NULL), 0);
    assert_int_equal(vigie(fx, &b, "eval", "sentiment", "--part", "held", fx->tsv, NULL), 0);
    assert_int_equal(field_n(vg_buf_str(&a)) + field_n(vg_buf_str(&b)), 9);
    vg_buf_free(&a);
    vg_buf_free(&b);
}

static void eval_usage_errors_exit_2_and_bad_files_1(void **state)
{
    fixture *fx = *state;
    static const char *const rows[][4] = {
        {"eval", NULL, NULL, NULL},
        {"eval", "sentiment", NULL, NULL},
        {"eval", "sentiment", "--lang", "de"},
        {"eval", "corrections", "extra", NULL},
    };
    for (size_t i = 0; i < sizeof rows / sizeof rows[0]; i++)
        assert_int_equal(vigie(fx, NULL, rows[i][0], rows[i][1], rows[i][2], rows[i][3], NULL), 2);
    assert_int_equal(vigie(fx, NULL, "eval", "sentiment", fx->bad, NULL), 1);
    assert_int_equal(vigie(fx, NULL, "eval", "sentiment", "/nonexistent.tsv", NULL), 1);
    assert_int_equal(vigie(fx, NULL, "eval", "sentiment", "--help", NULL), 0);
    assert_int_equal(vigie(fx, NULL, "eval", "corrections", "--help", NULL), 0);
}

static double score_of(const fixture *fx, const char *lang, const char *text)
{
    vg_buf out;
    vg_buf_init(&out, 1 << 16);
    assert_int_equal(vigie(fx, &out, "score", "--lang", lang, text, NULL), 0);
    double s = strtod(vg_buf_str(&out), NULL);
    vg_buf_free(&out);
    return s;
}

static void lexicon_entries_persist_and_reach_score(void **state)
{
    fixture *fx = *state;
    assert_int_equal(vigie(fx, NULL, "init", NULL), 0);
    assert_true(score_of(fx, "fr", "fibrelia est fibrée") == 0);
    assert_int_equal(vigie(fx, NULL, "lexicon", "add", "--lang", "fr", "fibrée", "2.5", NULL), 0);
    /* A negative valence is a value, not an option. */
    assert_int_equal(vigie(fx, NULL, "lexicon", "add", "--lang", "en", "dropped call", "-3",
                           NULL), 0);
    assert_true(score_of(fx, "fr", "fibrelia est fibrée") > 0.05);
    assert_true(score_of(fx, "en", "another dropped call") < -0.05);
    vg_buf out;
    vg_buf_init(&out, 1 << 16);
    assert_int_equal(vigie(fx, &out, "lexicon", "list", NULL), 0);
    assert_string_equal(vg_buf_str(&out), "en\tdropped call\t-3.00\nfr\tfibrée\t+2.50\n");
    vg_buf_reset(&out);
    /* Adding again replaces the valence. */
    assert_int_equal(vigie(fx, NULL, "lexicon", "add", "--lang=fr", "fibrée", "-1", NULL), 0);
    assert_int_equal(vigie(fx, &out, "lexicon", "list", "--lang", "fr", NULL), 0);
    assert_string_equal(vg_buf_str(&out), "fr\tfibrée\t-1.00\n");
    assert_true(score_of(fx, "fr", "fibrelia est fibrée") < -0.05);
    assert_int_equal(vigie(fx, NULL, "lexicon", "rm", "--lang", "fr", "fibrée", NULL), 0);
    assert_int_equal(vigie(fx, NULL, "lexicon", "rm", "--lang", "fr", "fibrée", NULL), 1);
    assert_true(score_of(fx, "fr", "fibrelia est fibrée") == 0);
    static const char *const bad[][6] = {
        {"lexicon", NULL, NULL, NULL, NULL, NULL},
        {"lexicon", "add", "fibrée", "2", NULL, NULL},
        {"lexicon", "add", "--lang", "de", "gut", "2"},
        {"lexicon", "add", "--lang", "fr", "fibrée", "9"},
        {"lexicon", "rm", "--lang", "fr", NULL, NULL},
        {"lexicon", "list", "--format", "xml", NULL, NULL},
    };
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++)
        if (vigie(fx, NULL, bad[i][0], bad[i][1], bad[i][2], bad[i][3], bad[i][4], bad[i][5],
                  NULL) != 2)
            fail_msg("row %zu should be a usage error", i);
    assert_int_equal(vigie(fx, NULL, "lexicon", "add", "--help", NULL), 0);
    vg_buf_free(&out);
}

/* Prepares two brands with mentions of known automatic labels. */
static void seed_mentions(const fixture *fx, int64_t ids[4])
{
    store *st = NULL;
    assert_int_equal(store_open(fx->db, &st), VG_OK);
    int64_t src = 0, b1 = 0, b2 = 0;
    assert_int_equal(store_source_add(st, "http://127.0.0.1:1/feed", "feed", NULL, 0, 0, 0, &src),
                     VG_OK);
    assert_int_equal(store_brand_add(st, "Fibrelia", NULL, &b1), VG_OK);
    assert_int_equal(store_brand_add(st, "NetOcean", NULL, &b2), VG_OK);
    static const struct { int brand; double score; } rows[] = {
        {1, 0.6}, {1, -0.4}, {2, 0.0}, {2, -0.7},
    };
    for (int i = 0; i < 4; i++) {
        char url[64];
        snprintf(url, sizeof url, "http://127.0.0.1:1/d%d", i);
        store_document d = {0};
        d.source_id = src;
        d.url = url;
        d.text = "x";
        d.fetched_at = 1700000000;
        int64_t doc = 0;
        assert_int_equal(store_document_insert(st, &d, &doc), VG_OK);
        store_mention m = {0};
        m.document_id = doc;
        m.brand_id = rows[i].brand == 1 ? b1 : b2;
        m.snippet = "x";
        m.score = rows[i].score;
        m.label = rows[i].score >= 0.05 ? 1 : rows[i].score <= -0.05 ? -1 : 0;
        m.neu = 1;
        m.published_at = 1700000000 + i;
        assert_int_equal(store_mention_insert(st, &m), VG_OK);
    }
    store_mention_row *v = NULL;
    size_t n = 0;
    store_mention_filter f = STORE_MENTION_FILTER_INIT;
    assert_int_equal(store_mentions_query(st, &f, &v, &n), VG_OK);
    assert_int_equal(n, 4);
    /* Newest first: d3, d2, d1, d0. */
    for (size_t i = 0; i < 4; i++)
        ids[3 - i] = v[i].id;
    store_mention_row_array_free(v, n);
    store_close(st);
}

static void mention_corrections_feed_eval_corrections(void **state)
{
    fixture *fx = *state;
    int64_t ids[4];
    seed_mentions(fx, ids);
    vg_buf out;
    vg_buf_init(&out, 1 << 16);
    assert_int_equal(vigie(fx, &out, "eval", "corrections", NULL), 0);
    assert_non_null(strstr(vg_buf_str(&out), "no corrected mentions"));
    char id[4][24];
    for (int i = 0; i < 4; i++)
        snprintf(id[i], sizeof id[i], "%lld", (long long)ids[i]);
    /* Fibrelia: d0 right (pos), d1 wrong (auto neg, human neu).
     * NetOcean: d2 wrong (auto neu, human neg), d3 right (neg). */
    assert_int_equal(vigie(fx, NULL, "mention", "correct", id[0], "--label", "pos", NULL), 0);
    assert_int_equal(vigie(fx, NULL, "mention", "correct", id[1], "--label", "neu", NULL), 0);
    assert_int_equal(vigie(fx, NULL, "mention", "correct", id[2], "--label", "neg", NULL), 0);
    assert_int_equal(vigie(fx, NULL, "mention", "correct", id[3], "--label", "neg", NULL), 0);
    vg_buf_reset(&out);
    assert_int_equal(vigie(fx, &out, "eval", "corrections", "--format", "json", NULL), 0);
    const char *s = vg_buf_str(&out);
    assert_non_null(strstr(s, "\"n\":4"));
    assert_non_null(strstr(s, "\"agree\":2"));
    assert_non_null(strstr(s, "{\"brand\":\"Fibrelia\",\"n\":2,\"agree\":1"));
    assert_non_null(strstr(s, "{\"brand\":\"NetOcean\",\"n\":2,\"agree\":1"));
    /* Clearing a correction takes the mention out of the evaluation. */
    assert_int_equal(vigie(fx, NULL, "mention", "correct", id[1], "--clear", NULL), 0);
    vg_buf_reset(&out);
    assert_int_equal(vigie(fx, &out, "eval", "corrections", NULL), 0);
    assert_non_null(strstr(vg_buf_str(&out), "all"));
    assert_non_null(strstr(vg_buf_str(&out), "0.667"));
    assert_int_equal(vigie(fx, NULL, "mention", "correct", "999999", "--label", "pos", NULL), 1);
    static const char *const bad[][4] = {
        {"mention", NULL, NULL, NULL},
        {"mention", "correct", NULL, NULL},
        {"mention", "correct", "abc", "--clear"},
        {"mention", "correct", "1", NULL},
        {"mention", "correct", "1", "--label=meh"},
    };
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++)
        if (vigie(fx, NULL, bad[i][0], bad[i][1], bad[i][2], bad[i][3], NULL) != 2)
            fail_msg("row %zu should be a usage error", i);
    assert_int_equal(vigie(fx, NULL, "mention", "correct", "--help", NULL), 0);
    vg_buf_free(&out);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(eval_sentiment_prints_reference_metrics, setup, teardown),
        cmocka_unit_test_setup_teardown(eval_sentiment_parts_split_the_file, setup, teardown),
        cmocka_unit_test_setup_teardown(eval_usage_errors_exit_2_and_bad_files_1, setup, teardown),
        cmocka_unit_test_setup_teardown(lexicon_entries_persist_and_reach_score, setup, teardown),
        cmocka_unit_test_setup_teardown(mention_corrections_feed_eval_corrections, setup, teardown),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
