/*
 * The cross-brand matcher: it must find exactly what matching every query
 * one by one finds (same queries, same first token), on hand-picked cases
 * and on thousands of random queries and documents drawn from a small
 * vocabulary so that hits, near-misses and exclusions are all common.
 */
#include "monitor/matcher.h"

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

static query *compile(const char *src)
{
    query *q = NULL;
    if (query_compile(src, &q, NULL) != VG_OK)
        fail_msg("query %s did not compile: %s", src, vg_error_last());
    return q;
}

/* Compares the matcher with the one-by-one loop on one document. */
static size_t compare(const matcher *m, query *const *qs, size_t nq,
                      const query_doc *d, const char *what)
{
    matcher_hit *hits = NULL;
    size_t nh = 0, k = 0;
    assert_int_equal(matcher_match_doc(m, d, &hits, &nh), VG_OK);
    for (size_t i = 0; i < nq; i++) {
        size_t first = 0;
        int r = query_match_doc(qs[i], d, &first);
        assert_true(r >= 0);
        if (r == 0)
            continue;
        if (k >= nh || hits[k].query != i)
            fail_msg("%s: query %zu matches alone but not in the matcher",
                     what, i);
        assert_int_equal(hits[k].first_tok, first);
        k++;
    }
    if (k != nh)
        fail_msg("%s: matcher reports %zu hits, the loop %zu", what, nh, k);
    free(hits);
    return nh;
}

static void finds_what_each_query_finds(void **state)
{
    (void)state;
    static const char *const srcs[] = {
        "Fibrelia",
        "#fibrelia",
        "@fibrelia",
        "fibrel*",
        "{AXA}",
        "\"service client\" NEAR/3 fibrelia",
        "orange -fruit -\"jus d orange\"",
        "NOT netocean",
        "site:example.com",
        "lang:fr AND panne",
        "title:panne",
        "author:dupont OR netocean",
        "l'oréal",
        "(box OR routeur) AND (panne OR coupure*)",
        "co* AND fibrelia",
    };
    static const struct {
        const char *text, *title, *url, *author, *lang;
    } docs[] = {
        {"Panne chez #Fibrelia ce matin, le service client injoignable.",
         NULL, "https://www.example.com/a", NULL, "fr"},
        {"J'adore les oranges, le jus d'orange surtout.", "Fruit", NULL,
         NULL, "fr"},
        {"Orange and NetOcean outage; AXA says nothing.", "Panne", NULL,
         "Jean Dupont", "en"},
        {"Nouvelle coupure de la box Fibrelia. L'Oréal recrute.", NULL,
         "https://other.org/x", NULL, "fr"},
        {"Rien à voir. axa en minuscules.", NULL, NULL, NULL, NULL},
        {"", NULL, NULL, NULL, NULL},
    };
    size_t nq = sizeof srcs / sizeof srcs[0];
    query *qs[sizeof srcs / sizeof srcs[0]];
    for (size_t i = 0; i < nq; i++)
        qs[i] = compile(srcs[i]);
    matcher *m = NULL;
    assert_int_equal(matcher_new((const query *const *)qs, nq, &m), VG_OK);
    /* "NOT netocean" and "site:example.com" need no term. */
    assert_int_equal(matcher_always_count(m), 2);
    for (size_t i = 0; i < sizeof docs / sizeof docs[0]; i++) {
        text_tokens *t = NULL;
        assert_int_equal(text_tokenize(docs[i].text, strlen(docs[i].text), &t),
                         VG_OK);
        query_doc d = {.text = docs[i].text, .tokens = t,
                       .title = docs[i].title, .url = docs[i].url,
                       .author = docs[i].author, .lang = docs[i].lang};
        (void)compare(m, qs, nq, &d, docs[i].text);
        text_tokens_free(t);
    }
    matcher_free(m);
    for (size_t i = 0; i < nq; i++)
        query_free(qs[i]);
}

static void candidates_skip_queries_without_their_terms(void **state)
{
    (void)state;
    static const char *const srcs[] = {
        "alpha", "beta OR gamma", "delta AND epsilon", "zeta NOT alpha",
        "eta*", "\"theta iota\"",
    };
    static const struct {
        const char *text;
        size_t cand[6];
        size_t n;
    } cases[] = {
        {"nothing here at all", {0}, 0},
        {"alpha", {0}, 1},
        {"gamma zeta alpha", {0, 1, 3}, 3},
        {"epsilon only", {0}, 0},        /* delta is the trigger */
        {"delta", {2}, 1},
        {"etant donne", {4}, 1},
        {"iota theta", {5}, 1},          /* candidate, then no match */
    };
    query *qs[6];
    for (size_t i = 0; i < 6; i++)
        qs[i] = compile(srcs[i]);
    matcher *m = NULL;
    assert_int_equal(matcher_new((const query *const *)qs, 6, &m), VG_OK);
    assert_int_equal(matcher_always_count(m), 0);
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        text_tokens *t = NULL;
        const char *s = cases[i].text;
        assert_int_equal(text_tokenize(s, strlen(s), &t), VG_OK);
        query_doc d = {.text = s, .tokens = t};
        size_t *c = NULL, n = 0;
        assert_int_equal(matcher_candidates(m, &d, &c, &n), VG_OK);
        if (n != cases[i].n)
            fail_msg("\"%s\": %zu candidates, expected %zu", s, n, cases[i].n);
        for (size_t k = 0; k < n; k++)
            assert_int_equal(c[k], cases[i].cand[k]);
        free(c);
        text_tokens_free(t);
    }
    matcher_free(m);
    for (size_t i = 0; i < 6; i++)
        query_free(qs[i]);
}

static void empty_and_null_slots(void **state)
{
    (void)state;
    matcher *m = NULL;
    assert_int_equal(matcher_new(NULL, 0, &m), VG_OK);
    query *qs[2] = {NULL, compile("fibrelia")};
    matcher *m2 = NULL;
    assert_int_equal(matcher_new((const query *const *)qs, 2, &m2), VG_OK);
    const char *s = "Fibrelia";
    text_tokens *t = NULL;
    assert_int_equal(text_tokenize(s, strlen(s), &t), VG_OK);
    query_doc d = {.text = s, .tokens = t};
    matcher_hit *h = NULL;
    size_t n = 9;
    assert_int_equal(matcher_match_doc(m, &d, &h, &n), VG_OK);
    assert_int_equal(n, 0);
    assert_null(h);
    assert_int_equal(matcher_match_doc(m2, &d, &h, &n), VG_OK);
    assert_int_equal(n, 1);
    assert_int_equal(h[0].query, 1);
    free(h);
    assert_int_equal(matcher_match_doc(NULL, &d, &h, &n), VG_EINVAL);
    text_tokens_free(t);
    matcher_free(m);
    matcher_free(m2);
    query_free(qs[1]);
}

/* A small deterministic generator (xorshift), so failures reproduce. */
static uint64_t rng_state;
static unsigned rnd(unsigned n)
{
    rng_state ^= rng_state << 13;
    rng_state ^= rng_state >> 7;
    rng_state ^= rng_state << 17;
    return (unsigned)(rng_state % n);
}

static const char *const vocab[] = {
    "fibrelia", "Fibrelia", "FIBRELIA", "netocean", "panne", "Panne",
    "coupure", "box", "service", "client", "réseau", "reseau", "cœur",
    "the", "outage", "great", "slow", "fibre", "fibres", "fiber", "axa",
    "AXA", "orange", "stage", "emploi", "très", "nul", "l'offre", "bien",
};
#define N_VOCAB (sizeof vocab / sizeof vocab[0])

static void gen_word(char *buf, size_t cap)
{
    const char *w = vocab[rnd(N_VOCAB)];
    switch (rnd(10)) {
    case 0: snprintf(buf, cap, "#%s", w); break;
    case 1: snprintf(buf, cap, "@%s", w); break;
    default: snprintf(buf, cap, "%s", w); break;
    }
}

/* Appends a random query expression of bounded depth to buf. */
static void gen_expr(char *buf, size_t cap, int depth)
{
    size_t len = strlen(buf);
    char w[64], w2[64];
    unsigned pick = depth > 2 ? rnd(6) : rnd(12);
    gen_word(w, sizeof w);
    gen_word(w2, sizeof w2);
    switch (pick) {
    case 0: case 1: case 2:
        snprintf(buf + len, cap - len, "%s", w);
        return;
    case 3: {
        const char *v = vocab[rnd(N_VOCAB)];
        snprintf(buf + len, cap - len, "%.3s*", v);
        return;
    }
    case 4:
        snprintf(buf + len, cap - len, "\"%s %s\"", vocab[rnd(N_VOCAB)],
                 vocab[rnd(N_VOCAB)]);
        return;
    case 5:
        snprintf(buf + len, cap - len, "{%s}", vocab[rnd(N_VOCAB)]);
        return;
    case 6: case 7: {
        static const char *const ops[] = {" OR ", " AND ", " ", " NOT ",
                                          " NEAR/2 ", " NEAR/1f "};
        snprintf(buf + len, cap - len, "(");
        gen_expr(buf, cap, depth + 1);
        len = strlen(buf);
        snprintf(buf + len, cap - len, "%s", ops[rnd(6)]);
        gen_expr(buf, cap, depth + 1);
        len = strlen(buf);
        snprintf(buf + len, cap - len, ")");
        return;
    }
    case 8:
        snprintf(buf + len, cap - len, "-%s ", w);
        gen_expr(buf, cap, depth + 1);
        return;
    case 9:
        snprintf(buf + len, cap - len, "title:%s", w);
        return;
    case 10: {
        static const char *const raw[] = {"site:example.com", "lang:fr",
                                          "url:news", "author:dupont"};
        snprintf(buf + len, cap - len, "%s", raw[rnd(4)]);
        return;
    }
    default:
        snprintf(buf + len, cap - len, "%s OR ", w);
        gen_expr(buf, cap, depth + 1);
        return;
    }
}

static void random_queries_agree_with_one_by_one(void **state)
{
    (void)state;
    enum { NQ = 400, ND = 300 };
    rng_state = 0x5eed1234abcdULL;
    query **qs = calloc(NQ, sizeof *qs);
    assert_non_null(qs);
    size_t nq = 0;
    char src[1024];
    while (nq < NQ) {
        src[0] = '\0';
        gen_expr(src, sizeof src, 0);
        if (query_compile(src, &qs[nq], NULL) == VG_OK)
            nq++;
    }
    matcher *m = NULL;
    assert_int_equal(matcher_new((const query *const *)qs, nq, &m), VG_OK);
    static const char *const seps[] = {" ", " ", " ", ", ", ". ", " ! ",
                                       "-", "'"};
    static const char *const titles[] = {NULL, "Panne Fibrelia", "the box"};
    static const char *const urls[] = {NULL, "https://news.example.com/1",
                                       "https://blog.other.net/"};
    static const char *const authors[] = {NULL, "Marie Dupont", "bot"};
    static const char *const langs[] = {NULL, "fr", "en"};
    char text[2048];
    size_t total = 0;
    for (int di = 0; di < ND; di++) {
        size_t len = 0;
        unsigned nw = 1 + rnd(30);
        text[0] = '\0';
        for (unsigned k = 0; k < nw && len + 80 < sizeof text; k++) {
            char w[64];
            gen_word(w, sizeof w);
            len += (size_t)snprintf(text + len, sizeof text - len, "%s%s", w,
                                    seps[rnd(8)]);
        }
        text_tokens *t = NULL;
        assert_int_equal(text_tokenize(text, len, &t), VG_OK);
        query_doc d = {.text = text, .tokens = t, .title = titles[rnd(3)],
                       .url = urls[rnd(3)], .author = authors[rnd(3)],
                       .lang = langs[rnd(3)]};
        total += compare(m, qs, nq, &d, text);
        text_tokens_free(t);
    }
    /* The comparison means something only if many pairs matched and many
     * did not. */
    assert_true(total > ND * 5);
    assert_true(total < (size_t)ND * NQ / 2);
    matcher_free(m);
    for (size_t i = 0; i < nq; i++)
        query_free(qs[i]);
    free(qs);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(finds_what_each_query_finds),
        cmocka_unit_test(candidates_skip_queries_without_their_terms),
        cmocka_unit_test(empty_and_null_slots),
        cmocka_unit_test(random_queries_agree_with_one_by_one),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
