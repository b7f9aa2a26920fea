/*
 * `vigie match`: per-line 1/0 with spans, --jsonl fields, --explain, and
 * the exit statuses of bad usage; `vigie brand test` (counts, changes
 * nothing) and `vigie brand rematch` (adds and removes mentions) on a
 * database filled through the store API. Runs the real binary through sh.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cmocka.h>

#include "core/vtime.h"
#include "store/store.h"
#include "text/text.h"

/* Runs `printf '%s' INPUT | vigie match ARGS`; returns the exit status and
 * stdout in out. Inputs and args here are fixed strings without quotes. */
static int run(const char *input, const char *args, char *out, size_t cap)
{
    const char *bin = getenv("VG_BINARY");
    if (!bin)
        fail_msg("VG_BINARY not set");
    char cmd[2048];
    snprintf(cmd, sizeof cmd, "printf '%s' | '%s' match %s 2>/dev/null", input,
             bin, args);
    FILE *p = popen(cmd, "r");
    assert_non_null(p);
    size_t n = fread(out, 1, cap - 1, p);
    out[n] = '\0';
    int st = pclose(p);
    return WIFEXITED(st) ? WEXITSTATUS(st) : -1;
}

static void match_prints_result_and_spans(void **state)
{
    (void)state;
    static const struct {
        const char *input, *args, *out;
        int status;
    } cases[] = {
        {"Panne chez #Fibrelia\\nrien du tout\\n", "--query fibrelia",
         "1\t\"#Fibrelia\"@11-20\n0\n", 0},
        {"Orange offre un stage\\nOrange en panne\\n",
         "--query \"orange -stage\"", "0\n1\t\"Orange\"@0-6\n", 0},
        {"le service client est nul\\n", "--query '\"service client\"'",
         "1\t\"service client\"@3-17\n", 0},
        {"{\"text\":\"Fibrelia nul\",\"url\":\"https://a.example.com/x\"}\\n"
         "{\"text\":\"Fibrelia nul\",\"url\":\"https://other.org/\"}\\n",
         "--jsonl --query \"fibrelia site:example.com\"",
         "1\t\"Fibrelia\"@0-8\n0\n", 0},
        {"Orange stage\\n", "--explain --query \"orange -stage\"",
         "0\n  + orange: found \"Orange\" at bytes 0-6\n"
         "  - stage: present, it excludes the text \"stage\" at bytes 7-12\n", 0},
        {"x\\n", "--query \"a OR (\"", "", 2},
        {"x\\n", "", "", 2},
        {"x\\n", "--query a --bogus", "", 2},
        {"not json\\n", "--jsonl --query a", "0\n", 1},
    };
    char out[4096];
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        int st = run(cases[i].input, cases[i].args, out, sizeof out);
        if (st != cases[i].status || strcmp(out, cases[i].out) != 0)
            fail_msg("case %zu (%s): status %d, output [%s]; expected %d [%s]",
                     i, cases[i].args, st, out, cases[i].status, cases[i].out);
    }
}

static void help_exits_zero(void **state)
{
    (void)state;
    char out[4096];
    assert_int_equal(run("", "--help", out, sizeof out), 0);
    assert_non_null(strstr(out, "usage: vigie match"));
}

/* Runs `vigie -q --db DB ARGS` and returns the status; stdout into out. */
static int vigie_db(const char *db, const char *args, char *out, size_t cap)
{
    char cmd[2048];
    snprintf(cmd, sizeof cmd, "'%s' -q --db '%s' %s 2>/dev/null",
             getenv("VG_BINARY"), db, args);
    FILE *p = popen(cmd, "r");
    assert_non_null(p);
    size_t n = fread(out, 1, cap - 1, p);
    out[n] = '\0';
    int st = pclose(p);
    return WIFEXITED(st) ? WEXITSTATUS(st) : -1;
}

static int64_t mentions_of(store *st, const char *brand)
{
    store_mention_filter f = STORE_MENTION_FILTER_INIT;
    store_mention_row *v = NULL;
    size_t n = 0;
    f.brand = brand;
    assert_int_equal(store_mentions_query(st, &f, &v, &n), VG_OK);
    store_mention_row_array_free(v, n);
    return (int64_t)n;
}

static void brand_test_counts_and_rematch_applies(void **state)
{
    (void)state;
    char dir[] = "/tmp/vigie-match-XXXXXX", db[64], out[8192];
    assert_non_null(mkdtemp(dir));
    snprintf(db, sizeof db, "%s/v.db", dir);
    store *st = NULL;
    assert_int_equal(store_open(db, &st), VG_OK);
    int64_t src = 0, brand = 0, d1 = 0, d2 = 0, d3 = 0;
    assert_int_equal(store_source_add(st, "https://news.example.com/feed",
                                      "feed", NULL, 0, 0, 0, &src), VG_OK);
    assert_int_equal(store_brand_add(st, "Fibrelia", "fibrelia", &brand), VG_OK);
    int64_t now = vg_now();
    static const char *const texts[] = {
        "Panne générale chez Fibrelia ce matin. Le service client est nul.",
        "Fibrelia recrute : offre de stage à Nantes.",
        "Rien à voir avec la fibre, un article sur le fromage.",
    };
    int64_t *ids[] = {&d1, &d2, &d3};
    for (int i = 0; i < 3; i++) {
        char url[64];
        snprintf(url, sizeof url, "https://news.example.com/%d", i);
        store_document d = {.source_id = src, .url = url, .title = NULL,
                            .published_at = now - 3600, .fetched_at = now,
                            .lang = "fr", .text = texts[i]};
        assert_int_equal(store_document_insert(st, &d, ids[i]), VG_OK);
    }
    /* As the crawl would have stored them with the first query. */
    for (int i = 0; i < 2; i++) {
        store_mention m = {.document_id = *ids[i], .brand_id = brand,
                           .snippet = texts[i], .published_at = now - 3600};
        assert_int_equal(store_mention_insert(st, &m), VG_OK);
    }
    store_close(st);
    st = NULL;

    /* test: the stored query matches both, an edit would drop the job ad. */
    assert_int_equal(vigie_db(db, "brand test Fibrelia", out, sizeof out), 0);
    assert_non_null(strstr(out, "3 documents"));
    assert_non_null(strstr(out, "2 match; 0 new mentions, 0 stored"));
    assert_int_equal(vigie_db(db, "brand test Fibrelia --query 'fibrelia -stage'",
                              out, sizeof out), 0);
    assert_non_null(strstr(out, "1 match; 0 new mentions, 1 stored mentions would go"));
    assert_non_null(strstr(out, "https://news.example.com/0"));
    assert_int_equal(vigie_db(db, "brand test Nobody", out, sizeof out), 1);
    assert_int_equal(vigie_db(db, "brand test", out, sizeof out), 2);
    assert_int_equal(vigie_db(db, "brand test Fibrelia --query 'NOT x'", out,
                              sizeof out), 2);
    assert_int_equal(vigie_db(db, "brand test Fibrelia --since yesterday-ish",
                              out, sizeof out), 2);
    assert_int_equal(vigie_db(db, "brand rematch --help", out, sizeof out), 0);

    assert_int_equal(store_open(db, &st), VG_OK);
    assert_int_equal(mentions_of(st, "Fibrelia"), 2);   /* test changed nothing */
    store_close(st);
    st = NULL;

    /* rematch with an edited query: the job ad goes, the cheese article
     * comes in through the new OR branch. */
    assert_int_equal(vigie_db(db, "brand rematch Fibrelia --query "
                                  "'(fibrelia OR fromage) -stage'",
                              out, sizeof out), 0);
    assert_int_equal(store_open(db, &st), VG_OK);
    assert_int_equal(mentions_of(st, "Fibrelia"), 2);
    store_mention_filter f = STORE_MENTION_FILTER_INIT;
    store_mention_row *v = NULL;
    size_t n = 0;
    assert_int_equal(store_mentions_query(st, &f, &v, &n), VG_OK);
    int saw0 = 0, saw2 = 0;
    for (size_t i = 0; i < n; i++) {
        saw0 |= strcmp(v[i].url, "https://news.example.com/0") == 0;
        saw2 |= strcmp(v[i].url, "https://news.example.com/2") == 0;
        if (strcmp(v[i].url, "https://news.example.com/2") == 0)
            assert_non_null(strstr(v[i].snippet, "fromage"));
    }
    store_mention_row_array_free(v, n);
    assert_true(saw0 && saw2);
    store_brand *b = NULL;
    size_t nb = 0;
    assert_int_equal(store_brand_list(st, 0, &b, &nb), VG_OK);
    assert_string_equal(b[0].query, "(fibrelia OR fromage) -stage");
    store_brand_array_free(b, nb);
    store_close(st);
    /* A second rematch finds nothing to change. */
    assert_int_equal(vigie_db(db, "brand rematch Fibrelia", out, sizeof out), 0);
    assert_int_equal(store_open(db, &st), VG_OK);
    assert_int_equal(mentions_of(st, "Fibrelia"), 2);
    store_close(st);
    char rm[160];
    snprintf(rm, sizeof rm, "rm -rf '%s'", dir);
    assert_int_equal(system(rm), 0);
}

static void mentions_group_copies_shows_one_row_per_article(void **state)
{
    (void)state;
    char dir[] = "/tmp/vigie-copies-XXXXXX", db[64], out[8192];
    assert_non_null(mkdtemp(dir));
    snprintf(db, sizeof db, "%s/v.db", dir);
    store *st = NULL;
    assert_int_equal(store_open(db, &st), VG_OK);
    int64_t src = 0, brand = 0;
    assert_int_equal(store_source_add(st, "https://a.example.com/feed", "feed",
                                      NULL, 0, 0, 0, &src), VG_OK);
    assert_int_equal(store_brand_add(st, "Fibrelia", NULL, &brand), VG_OK);
    static const char *const texts[] = {
        "Fibrelia annonce la fin de la panne qui a touché le Grand Ouest "
        "mardi soir, après six heures de coupure pour les abonnés fibre.",
        "FIBRELIA annonce la fin de la panne qui a touché le Grand-Ouest "
        "mardi soir ; après six heures de coupure pour les abonnés fibre !",
        "Fibrelia lance une nouvelle box avec le wifi 7 et un prix en baisse "
        "pour les nouveaux clients dès le mois prochain.",
    };
    int64_t now = vg_now();
    for (int i = 0; i < 3; i++) {
        char url[64];
        snprintf(url, sizeof url, "https://a.example.com/%d", i);
        text_tokens *t = NULL;
        assert_int_equal(text_tokenize(texts[i], strlen(texts[i]), &t), VG_OK);
        store_document d = {.source_id = src, .url = url, .fetched_at = now,
                            .published_at = now - 100 * (i + 1), .lang = "fr",
                            .text = texts[i], .simhash = text_simhash(t)};
        text_tokens_free(t);
        int64_t id = 0;
        assert_int_equal(store_document_insert(st, &d, &id), VG_OK);
        store_mention m = {.document_id = id, .brand_id = brand,
                           .snippet = texts[i], .published_at = d.published_at};
        assert_int_equal(store_mention_insert(st, &m), VG_OK);
    }
    store_close(st);
    char args[128];
    snprintf(args, sizeof args, "mentions --format csv");
    assert_int_equal(vigie_db(db, args, out, sizeof out), 0);
    size_t lines = 0;
    for (const char *p = out; *p; p++)
        lines += *p == '\n';
    assert_int_equal(lines, 4);   /* header + 3 */
    assert_int_equal(vigie_db(db, "mentions --format csv --group-copies", out,
                              sizeof out), 0);
    lines = 0;
    for (const char *p = out; *p; p++)
        lines += *p == '\n';
    assert_int_equal(lines, 3);   /* header + 2 */
    assert_non_null(strstr(out, "[+1 copies]"));
    assert_non_null(strstr(out, "https://a.example.com/0"));
    assert_null(strstr(out, "https://a.example.com/1"));
    char rm[160];
    snprintf(rm, sizeof rm, "rm -rf '%s'", dir);
    assert_int_equal(system(rm), 0);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(match_prints_result_and_spans),
        cmocka_unit_test(help_exits_zero),
        cmocka_unit_test(brand_test_counts_and_rematch_applies),
        cmocka_unit_test(mentions_group_copies_shows_one_row_per_article),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
