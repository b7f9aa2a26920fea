/*
 * Brand query language: the compiler's grammar and errors, and the
 * matcher on French and English texts, near-misses included.
 */
#include "monitor/query.h"

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

/* Compiles src (must succeed) and matches it against text. Returns the
 * match result; *first gets the original bytes of the first matched token
 * ("" when none). */
static int run_match(const char *src, const char *text, char *first,
                     size_t first_cap)
{
    query *q = NULL;
    text_tokens *t = NULL;
    size_t pos = 0, tok = 0;
    vg_err e = query_compile(src, &q, &pos);
    if (e != VG_OK)
        fail_msg("query %s did not compile: %s", src, vg_error_last());
    assert_int_equal(text_tokenize(text, strlen(text), &t), VG_OK);
    int m = query_match(q, text, t, &tok);
    first[0] = '\0';
    if (m > 0 && tok < t->n)
        snprintf(first, first_cap, "%.*s", (int)t->v[tok].len,
                 text + t->v[tok].start);
    text_tokens_free(t);
    query_free(q);
    return m;
}

static void compile_accepts_every_construct(void **state)
{
    (void)state;
    static const struct {
        const char *src;
        int negative_only;
        size_t positive_terms;
    } cases[] = {
        {"Fibrelia", 0, 1},
        {"fibrelia AND box", 0, 2},
        {"fibrelia box", 0, 2},
        {"fibrelia OR @fibrelia OR #fibrelia", 0, 3},
        {"Fibrelia NOT stage", 0, 1},
        {"Fibrelia -stage -\"offre d'emploi\"", 0, 1},
        {"(fibrelia OR fibre) AND (panne OR coupure)", 0, 4},
        {"\"service client\"", 0, 1},
        {"fibrel*", 0, 1},
        {"{AXA}", 0, 1},
        {"fibrelia NEAR/3 panne", 0, 2},
        {"fibrelia NEAR/0f panne", 0, 2},
        {"(orange OR sosh) NEAR/5 \"service client\"", 0, 3},
        {"title:fibrelia", 0, 1},
        {"title:\"fibre optique\" site:fibrelia.com lang:fr", 0, 3},
        {"fibrelia url:/blog/ author:(dupont OR martin)", 0, 4},
        {"NOT stage", 1, 0},
        {"-stage", 1, 0},
        {"fibrelia OR NOT stage", 1, 1},
        {"NOT (a OR b)", 1, 0},
        {"NOT NOT fibrelia", 0, 1},
        {"NOT (NOT a OR NOT b)", 0, 2},
        {"NOT (a b)", 1, 0},
        {"x OR (y -z)", 0, 2},
        {"and or not near", 0, 4},      /* lower case: plain words */
        {"NEARBY", 0, 1},
        {"  fibrelia  ", 0, 1},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        query *q = NULL;
        size_t pos = 99;
        vg_err e = query_compile(cases[i].src, &q, &pos);
        if (e != VG_OK)
            fail_msg("%s: %s", cases[i].src, vg_error_last());
        if (query_is_negative_only(q) != cases[i].negative_only)
            fail_msg("%s: negative_only %d", cases[i].src,
                     query_is_negative_only(q));
        const query_term *terms = NULL;
        size_t n = query_terms(q, &terms);
        if (n != cases[i].positive_terms)
            fail_msg("%s: %zu positive terms, expected %zu", cases[i].src, n,
                     cases[i].positive_terms);
        query_free(q);
    }
}

static void compile_errors_point_at_the_faulty_byte(void **state)
{
    (void)state;
    static const struct {
        const char *src;
        size_t pos;
        const char *reason;
    } cases[] = {
        {"", 0, "empty query"},
        {"   ", 0, "empty query"},
        {"(fibrelia OR box", 0, "never closed"},
        {"fibrelia (box", 9, "never closed"},
        {"fibrelia)", 8, "unexpected ')'"},
        {"fibrelia ()", 9, "empty parentheses"},
        {"\"service client", 0, "unterminated quote"},
        {"fibrelia \"box", 9, "unterminated quote"},
        {"{AXA", 0, "unterminated '{'"},
        {"AXA}", 3, "unexpected '}'"},
        {"fibrelia NEAR panne", 9, "NEAR needs a distance"},
        {"fibrelia NEAR/ panne", 9, "NEAR needs a distance"},
        {"fibrelia NEAR/x panne", 9, "NEAR needs a distance"},
        {"fibrelia NEAR/3g panne", 9, "NEAR needs a distance"},
        {"fibrelia NEAR/99999 panne", 9, "too large"},
        {"Fibrelia AND", 9, "AND needs a term"},
        {"Fibrelia OR", 9, "OR needs a term"},
        {"OR x", 0, "without a term on its left"},
        {"AND x", 0, "without a term on its left"},
        {"x OR AND y", 2, "OR needs a term"},
        {"fibrelia NOT", 9, "NOT needs a term"},
        {"fibrelia - box", 9, "'-' must be followed"},
        {"fibrelia NEAR/3", 9, "NEAR needs a term"},
        {"fibrelia NEAR/3 -stage", 9, "NEAR needs words"},
        {"title:fibrelia NEAR/3 box", 15, "NEAR needs words"},
        {"f*", 1, "at least 2 characters"},
        {"fib*lia", 3, "only allowed at the end"},
        {"fibrelia ...", 9, "no letters"},
        {"\"  \"", 0, "empty phrase"},
        {"fibrelia {!!}", 9, "empty phrase"},
        {"title: fibrelia", 0, "needs a value"},
        {"site:", 0, "needs a value"},
        {"title:author:x", 6, "cannot nest"},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        query *q = NULL;
        size_t pos = 12345;
        vg_err e = query_compile(cases[i].src, &q, &pos);
        if (e != VG_EPARSE)
            fail_msg("%s: expected VG_EPARSE, got %d", cases[i].src, e);
        assert_null(q);
        if (pos != cases[i].pos)
            fail_msg("%s: error at %zu, expected %zu (%s)", cases[i].src, pos,
                     cases[i].pos, vg_error_last());
        if (!strstr(vg_error_last(), cases[i].reason))
            fail_msg("%s: message '%s' lacks '%s'", cases[i].src,
                     vg_error_last(), cases[i].reason);
    }
}

static void compile_refuses_oversized_query(void **state)
{
    (void)state;
    char *big = malloc(QUERY_MAX_BYTES + 2);
    assert_non_null(big);
    memset(big, 'a', QUERY_MAX_BYTES + 1);
    big[QUERY_MAX_BYTES + 1] = '\0';
    query *q = NULL;
    assert_int_equal(query_compile(big, &q, NULL), VG_ETOOBIG);
    assert_null(q);
    free(big);
}

static void compile_refuses_runaway_nesting(void **state)
{
    (void)state;
    char src[400];
    size_t n = 0;
    for (int i = 0; i < 100; i++)
        src[n++] = '(';
    src[n++] = 'x';
    for (int i = 0; i < 100; i++)
        src[n++] = ')';
    src[n] = '\0';
    query *q = NULL;
    assert_int_equal(query_compile(src, &q, NULL), VG_EPARSE);
    assert_null(q);
}

typedef struct match_case {
    const char *query;
    const char *text;
    int match;
    const char *first;   /* original bytes of the first matched token */
} match_case;

static void check_matches(const match_case *cases, size_t n)
{
    for (size_t i = 0; i < n; i++) {
        char first[64];
        int m = run_match(cases[i].query, cases[i].text, first, sizeof first);
        if (m != cases[i].match)
            fail_msg("case %zu: %s on \"%s\": got %d, expected %d", i,
                     cases[i].query, cases[i].text, m, cases[i].match);
        if (cases[i].match && cases[i].first &&
            strcmp(first, cases[i].first) != 0)
            fail_msg("case %zu: %s on \"%s\": first token '%s', expected '%s'",
                     i, cases[i].query, cases[i].text, first, cases[i].first);
    }
}

static void words_match_whole_tokens_ignoring_case_and_accents(void **state)
{
    (void)state;
    static const match_case cases[] = {
        {"fibrelia", "J'adore Fibrelia, vraiment.", 1, "Fibrelia"},
        {"FIBRELIA", "fibrelia est en panne", 1, "fibrelia"},
        {"fibrelia", "Les Fibrelias du coin", 0, NULL},
        {"fibrelia", "Fibreliasse", 0, NULL},
        {"fibrelia", "refibrelia", 0, NULL},
        /* Punctuation splits tokens: a domain name holds the brand word. */
        {"fibrelia", "voir fibrelia.com pour les offres", 1, "fibrelia"},
        {"credit", "Le Crédit Agricole", 1, "Crédit"},
        {"crédit", "LE CREDIT AGRICOLE", 1, "CREDIT"},
        {"strasse", "Die Straße ist lang", 1, "Straße"},
        {"STRASSE", "Die Straße ist lang", 1, "Straße"},
        {"oeuvre", "Une Œuvre magnifique", 1, "Œuvre"},
        {"œuvre", "une oeuvre", 1, "oeuvre"},
        {"eleve", "un élève", 1, "élève"},
        {"élève", "un eleve", 1, "eleve"},
        /* NFD input (e + combining acute) folds like NFC. */
        {"café", "un cafe\xCC\x81 noir", 1, NULL},
        {"and", "salt and pepper", 1, "and"},
        {"not", "this is not good", 1, "not"},
    };
    check_matches(cases, sizeof cases / sizeof cases[0]);
}

static void hashtags_and_handles(void **state)
{
    (void)state;
    static const match_case cases[] = {
        {"fibrelia", "Encore une panne #Fibrelia", 1, "#Fibrelia"},
        {"fibrelia", "merci @fibrelia pour rien", 1, "@fibrelia"},
        {"#fibrelia", "Encore une panne #Fibrelia", 1, "#Fibrelia"},
        {"#fibrelia", "merci @fibrelia", 0, NULL},
        {"#fibrelia", "Fibrelia en panne", 0, NULL},
        {"@fibrelia", "merci @Fibrelia", 1, "@Fibrelia"},
        {"@fibrelia", "#fibrelia fibrelia", 0, NULL},
        {"fibrelia", "#FibreliaFail", 0, NULL},
        {"fibrelia*", "#FibreliaFail", 1, "#FibreliaFail"},
    };
    check_matches(cases, sizeof cases / sizeof cases[0]);
}

static void phrases_match_consecutive_tokens(void **state)
{
    (void)state;
    static const match_case cases[] = {
        {"\"service client\"", "Le Service Client est nul", 1, "Service"},
        {"\"service client\"", "le service de la relation client", 0, NULL},
        {"\"service client\"", "client service", 0, NULL},
        /* "!" and "?" are skipped inside phrases. */
        {"\"fibrelia nul\"", "Fibrelia !!! nul", 1, "Fibrelia"},
        /* A word that folds to several tokens is a phrase. */
        {"l'oréal", "J'aime L'Oreal", 1, "L"},
        {"l'oréal", "l oreal", 1, "l"},
        {"l'oréal", "l'or et réal", 0, NULL},
        {"e-mail", "envoyez un E-mail", 1, "E"},
        {"e-mail", "un mail", 0, NULL},
        {"t-mobile", "T-Mobile US", 1, "T"},
        {"\"offre d'emploi\"", "Nouvelle offre d’emploi chez nous", 1, "offre"},
        {"\"fibre optique\"", "la fibre est optique", 0, NULL},
    };
    check_matches(cases, sizeof cases / sizeof cases[0]);
}

static void wildcards_match_prefixes(void **state)
{
    (void)state;
    static const match_case cases[] = {
        {"fibrel*", "Fibrelia en panne", 1, "Fibrelia"},
        {"fibrel*", "fibrel", 1, "fibrel"},
        {"fibrel*", "fibre", 0, NULL},
        {"recrut*", "Fibrelia recrute", 1, "recrute"},
        {"recrut*", "nous recrutons", 1, "recrutons"},
        {"écol*", "les ECOLES", 1, "ECOLES"},
        {"\"service cli*\"", "service clientèle", 1, "service"},
        {"\"service cli*\"", "service public", 0, NULL},
    };
    check_matches(cases, sizeof cases / sizeof cases[0]);
}

static void braces_compare_original_case(void **state)
{
    (void)state;
    static const match_case cases[] = {
        {"{AXA}", "Assuré chez AXA depuis 10 ans", 1, "AXA"},
        {"{AXA}", "axa ou pas axa", 0, NULL},
        {"{AXA}", "Axa", 0, NULL},
        {"axa", "Assuré chez AXA", 1, "AXA"},
        {"{AXA}", "merci #AXA", 1, "#AXA"},
        {"{Orange}", "Orange augmente ses prix", 1, "Orange"},
        {"{Orange}", "une orange pressée", 0, NULL},
        {"{Crédit}", "Crédit", 1, "Crédit"},
        {"{Crédit}", "Credit", 0, NULL},
        {"{L'Oréal}", "chez L'Oréal", 1, "L"},
        {"{L'Oréal}", "chez l'Oréal", 0, NULL},
    };
    check_matches(cases, sizeof cases / sizeof cases[0]);
}

static void boolean_operators_and_precedence(void **state)
{
    (void)state;
    static const match_case cases[] = {
        {"fibrelia AND panne", "Fibrelia: panne générale", 1, "Fibrelia"},
        {"fibrelia AND panne", "Fibrelia va bien", 0, NULL},
        {"fibrelia panne", "panne chez Fibrelia", 1, "panne"},
        {"fibrelia panne", "panne chez Orange", 0, NULL},
        {"fibrelia OR fibrelio", "vive fibrelio", 1, "fibrelio"},
        {"fibrelia OR fibrelio", "vive fibrela", 0, NULL},
        /* The earliest positive match wins, whichever side it is on. */
        {"fibrelia OR box", "ma box Fibrelia", 1, "box"},
        {"Fibrelia NOT stage", "Fibrelia propose un stage", 0, NULL},
        {"Fibrelia NOT stage", "Fibrelia en panne", 1, "Fibrelia"},
        {"Fibrelia -stage", "Fibrelia propose un STAGE", 0, NULL},
        {"Fibrelia -\"offre d'emploi\" -recrute",
         "Fibrelia publie une offre d'emploi", 0, NULL},
        {"Fibrelia -\"offre d'emploi\" -recrute", "Fibrelia recrute !", 0,
         NULL},
        {"Fibrelia -\"offre d'emploi\" -recrute",
         "Une offre chez Fibrelia, mais pas d'emploi", 1, "Fibrelia"},
        /* AND binds tighter than OR: a OR (b AND c). */
        {"a OR b c", "a", 1, "a"},
        {"a OR b c", "b", 0, NULL},
        {"a OR b c", "c b", 1, "c"},
        /* NOT binds tighter than AND: (NOT a) AND b. */
        {"NOT a b", "b", 1, "b"},
        {"NOT a b", "a b", 0, NULL},
        /* NOT binds tighter than OR: (NOT a) OR b. */
        {"NOT a OR b", "a b", 1, "b"},
        {"NOT a OR b", "a", 0, NULL},
        /* NOT applies to a whole group. */
        {"x -(a OR b)", "x b", 0, NULL},
        {"x -(a OR b)", "x c", 1, "x"},
        {"(a OR b) (c OR d)", "b d", 1, "b"},
        {"(a OR b) (c OR d)", "a b", 0, NULL},
        /* NEAR binds tighter than AND and OR. */
        {"a NEAR/1 b OR c", "c", 1, "c"},
        {"a NEAR/1 b OR c", "a x x b", 0, NULL},
        {"a NEAR/1 b c", "a x b c", 1, "a"},
        {"a NEAR/1 b c", "a x x b c", 0, NULL},
        {"NOT NOT fibrelia", "Fibrelia", 1, "Fibrelia"},
    };
    check_matches(cases, sizeof cases / sizeof cases[0]);
}

static void near_counts_tokens_between_in_either_order(void **state)
{
    (void)state;
    static const match_case cases[] = {
        {"fibrelia NEAR/3 panne", "Fibrelia encore en panne", 1, "Fibrelia"},
        {"fibrelia NEAR/3 panne", "panne encore chez Fibrelia", 1, "panne"},
        {"fibrelia NEAR/2 panne", "Fibrelia est encore en panne", 0, NULL},
        {"fibrelia NEAR/3 panne", "Fibrelia est encore en panne", 1, NULL},
        {"fibrelia NEAR/0 panne", "Fibrelia panne", 1, NULL},
        {"fibrelia NEAR/0 panne", "Fibrelia en panne", 0, NULL},
        /* "!" does not lengthen the distance. */
        {"fibrelia NEAR/0 panne", "Fibrelia !!! panne", 1, NULL},
        {"fibrelia NEAR/3f panne", "Fibrelia encore en panne", 1, NULL},
        {"fibrelia NEAR/3f panne", "panne encore chez Fibrelia", 0, NULL},
        {"panne NEAR/3f fibrelia", "panne encore chez Fibrelia", 1, "panne"},
        {"(orange OR sosh) NEAR/2 \"service client\"",
         "le service client de Sosh", 1, "service"},
        {"(orange OR sosh) NEAR/2 \"service client\"",
         "le service client est nul, dit-on chez Sosh", 0, NULL},
        {"\"service client\" NEAR/1f nul", "service client nul", 1, NULL},
        /* One occurrence cannot be near itself. */
        {"fibrelia NEAR/3 fibrelia", "Fibrelia", 0, NULL},
        {"fibrelia NEAR/3 fibrelia", "Fibrelia et Fibrelia", 1, NULL},
        /* Any pair will do, not only the first occurrences. */
        {"fibrelia NEAR/1 panne",
         "Fibrelia est super. Hier, coupure puis fibrelia panne", 1,
         "fibrelia"},
    };
    check_matches(cases, sizeof cases / sizeof cases[0]);
}

static void orange_the_operator_not_the_fruit(void **state)
{
    (void)state;
    static const char *q =
        "({Orange} OR orange NEAR/3 (forfait* OR box OR réseau OR fibre)) "
        "-jus -fruit* -pressée";
    static const match_case cases[] = {
        {NULL, "Orange augmente encore ses forfaits", 1, "Orange"},
        {NULL, "ma box orange ne marche plus", 1, "box"},
        {NULL, "un jus d'orange bien frais", 0, NULL},
        {NULL, "une orange pressée le matin", 0, NULL},
        {NULL, "les fruits : orange, pomme", 0, NULL},
        {NULL, "Orange pressée ou jus de pomme ?", 0, NULL},
        {NULL, "Le réseau d'Orange est tombé", 1, "réseau"},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        match_case c = cases[i];
        c.query = q;
        check_matches(&c, 1);
    }
}

static void spans_list_every_positive_match(void **state)
{
    (void)state;
    const char *text = "Fibrelia en panne. Encore Fibrelia ! Le stage chez "
                       "fibrelia";
    query *q = NULL;
    text_tokens *t = NULL;
    assert_int_equal(query_compile("(fibrelia panne) OR \"le stage\" -prix",
                                   &q, NULL),
                     VG_OK);
    assert_int_equal(text_tokenize(text, strlen(text), &t), VG_OK);
    query_doc d = {.text = text, .tokens = t};
    int matched = 0;
    query_span *sp = NULL;
    size_t n = 0;
    assert_int_equal(query_match_spans(q, &d, &matched, &sp, &n), VG_OK);
    assert_int_equal(matched, 1);
    /* fibrelia x3, panne, "le stage" (2 tokens). */
    assert_int_equal(n, 5);
    static const char *want[] = {"Fibrelia", "panne", "Fibrelia", "Le stage",
                                 "fibrelia"};
    for (size_t i = 0; i < n; i++) {
        size_t b = t->v[sp[i].tok_begin].start;
        size_t e = t->v[sp[i].tok_end - 1].start + t->v[sp[i].tok_end - 1].len;
        char got[64];
        snprintf(got, sizeof got, "%.*s", (int)(e - b), text + b);
        assert_string_equal(got, want[i]);
    }
    free(sp);

    /* No match: no spans, nothing allocated. */
    query_free(q);
    assert_int_equal(query_compile("fibrelia -panne", &q, NULL), VG_OK);
    assert_int_equal(query_match_spans(q, &d, &matched, &sp, &n), VG_OK);
    assert_int_equal(matched, 0);
    assert_null(sp);
    assert_int_equal(n, 0);
    text_tokens_free(t);
    query_free(q);
}

static void terms_list_positive_folded_leaves(void **state)
{
    (void)state;
    query *q = NULL;
    assert_int_equal(query_compile("L'Oréal OR #Fibrelia OR fibr* OR {AXA} "
                                   "-stage site:Fibrelia.COM",
                                   &q, NULL),
                     VG_OK);
    const query_term *v = NULL;
    size_t n = query_terms(q, &v);
    assert_int_equal(n, 5);
    assert_int_equal(v[0].n_atoms, 2);
    assert_string_equal(v[0].atoms[0].norm, "l");
    assert_string_equal(v[0].atoms[1].norm, "oreal");
    assert_int_equal(v[0].atoms[1].kind, QUERY_KIND_ANY);
    assert_string_equal(v[1].atoms[0].norm, "fibrelia");
    assert_int_equal(v[1].atoms[0].kind, TEXT_HASHTAG);
    assert_string_equal(v[2].atoms[0].norm, "fibr");
    assert_true(v[2].atoms[0].prefix);
    assert_string_equal(v[3].atoms[0].norm, "axa");
    assert_string_equal(v[3].atoms[0].exact, "AXA");
    assert_int_equal(v[4].field, QUERY_FIELD_SITE);
    assert_string_equal(v[4].raw, "fibrelia.com");
    assert_int_equal(v[4].n_atoms, 0);
    query_free(q);
}

static void field_filters_use_document_fields(void **state)
{
    (void)state;
    static const struct {
        const char *query;
        int match;
    } cases[] = {
        {"title:fibrelia", 1},
        {"title:panne", 0},
        {"title:\"avis client\"", 1},
        {"title:(panne OR avis)", 1},
        {"fibrelia title:avis", 1},
        {"author:dupont", 1},
        {"author:martin", 0},
        {"site:fibrelia.com", 1},     /* www.fibrelia.com is under it */
        {"site:www.fibrelia.com", 1},
        {"site:relia.com", 0},        /* suffix on a label boundary only */
        {"site:fibrelia.fr", 0},
        {"url:/blog/", 1},
        {"url:/BLOG/", 1},
        {"url:/forum/", 0},
        {"lang:fr", 1},
        {"lang:FR", 1},
        {"lang:en", 0},
        {"fibrelia -lang:en", 1},
        {"fibrelia -site:fibrelia.com", 0},
    };
    const char *text = "Le réseau Fibrelia fonctionne.";
    text_tokens *t = NULL;
    assert_int_equal(text_tokenize(text, strlen(text), &t), VG_OK);
    query_doc d = {.text = text,
                   .tokens = t,
                   .title = "Fibrelia : l'Avis Client",
                   .url = "https://WWW.Fibrelia.com:443/blog/avis?x=1",
                   .author = "Jeanne Dupont",
                   .lang = "fr"};
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        query *q = NULL;
        if (query_compile(cases[i].query, &q, NULL) != VG_OK)
            fail_msg("%s: %s", cases[i].query, vg_error_last());
        size_t first = 99;
        int m = query_match_doc(q, &d, &first);
        if (m != cases[i].match)
            fail_msg("%s: got %d, expected %d", cases[i].query, m,
                     cases[i].match);
        query_free(q);
    }
    /* A match through the title alone points the snippet at token 0;
     * a body match points at the body token. */
    query *q = NULL;
    size_t first = 99;
    assert_int_equal(query_compile("title:avis", &q, NULL), VG_OK);
    assert_int_equal(query_match_doc(q, &d, &first), 1);
    assert_int_equal(first, 0);
    query_free(q);
    assert_int_equal(query_compile("title:avis fibrelia", &q, NULL), VG_OK);
    assert_int_equal(query_match_doc(q, &d, &first), 1);
    assert_int_equal(first, 2);
    query_free(q);
    /* Missing fields never match. */
    query_doc bare = {.text = text, .tokens = t};
    assert_int_equal(query_compile("site:fibrelia.com OR title:fibrelia OR "
                                   "author:dupont OR lang:fr OR url:blog",
                                   &q, NULL),
                     VG_OK);
    assert_int_equal(query_match_doc(q, &bare, NULL), 0);
    query_free(q);
    text_tokens_free(t);
}

static void match_tokenizes_when_given_text_only(void **state)
{
    (void)state;
    query *q = NULL;
    assert_int_equal(query_compile("fibrelia NEAR/2 panne", &q, NULL), VG_OK);
    query_doc d = {.text = "Fibrelia encore en panne"};
    size_t first = 99;
    assert_int_equal(query_match_doc(q, &d, &first), 1);
    assert_int_equal(first, 0);
    query_doc empty = {0};
    assert_int_equal(query_match_doc(q, &empty, &first), 0);
    query_free(q);
}

static void documented_examples_compile(void **state)
{
    (void)state;
    static const char *examples[] = {
        "Fibrelia -\"offre d'emploi\" -recrute",
        "({Orange} OR orange NEAR/3 (forfait* OR box OR réseau OR fibre)) "
        "-jus -fruit* -pressée",
        "(fibrelia OR @fibrelia) NEAR/4 (panne OR coupure OR outage OR down)",
        "fibrelia -site:fibrelia.com",
        "fibrelia lang:fr",
        "title:(a OR b)",
        "\"Fibrelia\" OR @fibrelia NOT stage",
    };
    for (size_t i = 0; i < sizeof examples / sizeof examples[0]; i++) {
        query *q = NULL;
        if (query_compile(examples[i], &q, NULL) != VG_OK)
            fail_msg("%s: %s", examples[i], vg_error_last());
        assert_false(query_is_negative_only(q));
        query_free(q);
    }
}

static void exact_terms_need_the_text(void **state)
{
    (void)state;
    query *q = NULL;
    text_tokens *t = NULL;
    const char *text = "Chez AXA";
    assert_int_equal(query_compile("{AXA}", &q, NULL), VG_OK);
    assert_int_equal(text_tokenize(text, strlen(text), &t), VG_OK);
    assert_int_equal(query_match(q, text, t, NULL), 1);
    /* Without the original bytes a case-sensitive term cannot be checked. */
    assert_int_equal(query_match(q, NULL, t, NULL), 0);
    text_tokens_free(t);
    query_free(q);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(compile_accepts_every_construct),
        cmocka_unit_test(compile_errors_point_at_the_faulty_byte),
        cmocka_unit_test(compile_refuses_oversized_query),
        cmocka_unit_test(compile_refuses_runaway_nesting),
        cmocka_unit_test(words_match_whole_tokens_ignoring_case_and_accents),
        cmocka_unit_test(hashtags_and_handles),
        cmocka_unit_test(phrases_match_consecutive_tokens),
        cmocka_unit_test(wildcards_match_prefixes),
        cmocka_unit_test(braces_compare_original_case),
        cmocka_unit_test(boolean_operators_and_precedence),
        cmocka_unit_test(near_counts_tokens_between_in_either_order),
        cmocka_unit_test(orange_the_operator_not_the_fruit),
        cmocka_unit_test(spans_list_every_positive_match),
        cmocka_unit_test(terms_list_positive_folded_leaves),
        cmocka_unit_test(field_filters_use_document_fields),
        cmocka_unit_test(match_tokenizes_when_given_text_only),
        cmocka_unit_test(documented_examples_compile),
        cmocka_unit_test(exact_terms_need_the_text),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
