/*
 * Unit tests for the sentiment engine: one table row per rule and
 * language, asserting the sign of a score or the order of two scores,
 * plus explain output, user entries, snippets and bad arguments.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "sentiment/senti.h"

static senti_engine *engine;

static int setup(void **state)
{
    (void)state;
    return senti_open(&engine) == VG_OK ? 0 : -1;
}

static int teardown(void **state)
{
    (void)state;
    senti_close(engine);
    engine = NULL;
    return 0;
}

static double score(const char *lang, const char *text)
{
    senti_result r;
    assert_int_equal(senti_score(engine, text, strlen(text), lang, &r, NULL),
                     VG_OK);
    assert_true(r.compound >= -1.0 && r.compound <= 1.0);
    assert_true(r.pos + r.neu + r.neg > 0.999 && r.pos + r.neu + r.neg < 1.001);
    return r.compound;
}

/* Sign expected: +1 (> 0), -1 (< 0), 0 (exactly no signal), 2 (>= 0). */
typedef struct sign_case {
    const char *name, *lang, *text;
    int sign;
} sign_case;

static const sign_case sign_cases[] = {
    {"fr_opinion_word_negative", "fr", "Le service client est nul", -1},
    {"fr_pas_negates_bien", "fr", "pas bien", -1},
    {"fr_ne_pas_around_verb_negates", "fr", "je n'aime pas ce produit", -1},
    {"fr_idiom_pas_mal_positive", "fr", "pas mal", 1},
    {"fr_idiom_pas_mal_after_ne_still_positive", "fr", "ce n'est pas mal", 1},
    {"fr_idiom_pas_terrible_negative", "fr", "pas terrible", -1},
    {"fr_idiom_au_top_positive", "fr", "le SAV est au top", 1},
    {"fr_idiom_a_la_ramasse_negative", "fr", "ils sont à la ramasse", -1},
    {"fr_idiom_ca_craint_negative", "fr", "ça craint", -1},
    {"fr_service_client_alone_neutral", "fr", "service client", 0},
    {"fr_trop_with_price_is_excess", "fr", "trop cher", -1},
    {"fr_trop_with_neutral_quality_is_excess", "fr", "l'écran est trop petit", -1},
    {"fr_trop_with_positive_is_emphasis", "fr", "trop bien", 1},
    {"fr_mais_weights_second_clause", "fr",
     "c'est génial mais la livraison est lente", -1},
    {"fr_ne_que_is_not_negation", "fr", "ce n'est que le début, super", 1},
    {"fr_sans_probleme_not_negative", "fr", "sans problème", 2},
    {"fr_elision_j_adore", "fr", "j'adore", 1},
    {"fr_elision_l_arnaque", "fr", "l'arnaque", -1},
    {"fr_stem_feminine_decue", "fr", "déçue", -1},
    {"fr_stem_plural_decevants", "fr", "décevants", -1},
    {"fr_noun_deception", "fr", "déception", -1},
    {"fr_toujours_pas_rembourse", "fr", "toujours pas remboursé", -1},
    {"fr_injoignable_negative", "fr", "opérateur injoignable", -1},
    {"fr_plus_after_ne_negates", "fr", "je ne suis plus satisfait", -1},
    {"fr_slang_relou_negative", "fr", "relou", -1},
    {"fr_slang_kiffe_positive", "fr", "je kiffe", 1},
    {"fr_slang_mdr_not_negative", "fr", "mdr", 2},
    {"fr_genial_without_accent", "fr", "genial", 1},
    {"fr_hashtag_word", "fr", "#arnaque", -1},
    {"emoji_heart_eyes_positive", "fr", "😍", 1},
    {"emoji_angry_negative", "fr", "😡", -1},
    {"emoji_with_skin_tone_positive", "en", "👍🏽", 1},
    {"emoticon_smile_positive", "fr", ":)", 1},
    {"emoticon_frown_negative", "fr", ":(", -1},
    {"en_not_good_negative", "en", "not good", -1},
    {"en_not_bad_positive", "en", "not bad", 1},
    {"en_dont_like_negative", "en", "I don't like it", -1},
    {"en_dont_without_apostrophe", "en", "I dont like it", -1},
    {"en_isnt_great_negative", "en", "it isn't great", -1},
    {"en_but_weights_second_clause", "en",
     "great but the support is terrible", -1},
    {"en_although_weights_other_clause", "en",
     "the food was great although the service was a bit slow", 1},
    {"en_full_refund_positive", "en", "I got a full refund", 1},
    {"en_still_waiting_refund_negative", "en",
     "still waiting for my refund", -1},
    {"en_scam_negative", "en", "this is a scam", -1},
    {"en_no_problem_positive", "en", "no problem", 1},
    {"en_top_notch_positive", "en", "top notch support", 1},
    {"en_too_expensive_negative", "en", "too expensive", -1},
    {"en_elongated_looove", "en", "I looove it", 1},
    {"guess_language_french", NULL, "Le service client est vraiment nul", -1},
    {"guess_language_english", NULL, "The customer service is really awful", -1},
    {"empty_text_no_signal", "fr", "", 0},
};

static void sign_rows(void **state)
{
    (void)state;
    for (size_t i = 0; i < sizeof sign_cases / sizeof sign_cases[0]; i++) {
        const sign_case *c = &sign_cases[i];
        double s = score(c->lang, c->text);
        int ok = c->sign == 1 ? s > 0 : c->sign == -1 ? s < 0
                 : c->sign == 0 ? s == 0 : s >= 0;
        if (!ok)
            fail_msg("%s: \"%s\" scored %+.4f", c->name, c->text, s);
    }
}

/* |score(stronger)| must exceed |score(weaker)|, same sign. */
typedef struct order_case {
    const char *name, *lang, *weaker, *stronger;
} order_case;

static const order_case order_cases[] = {
    {"fr_tres_boosts", "fr", "bien", "très bien"},
    {"fr_vraiment_boosts_negative", "fr", "nul", "vraiment nul"},
    {"fr_un_peu_dampens", "fr", "un peu décevant", "décevant"},
    {"fr_caps_emphasis", "fr", "c'est nul et lent", "c'est NUL et lent"},
    {"fr_exclamation_emphasis", "fr", "nul", "nul !!!"},
    {"fr_caps_and_exclamation", "fr", "nul", "NUL !!!"},
    {"fr_elongation_emphasis", "fr", "nul", "nuuuul"},
    {"en_very_boosts", "en", "good", "very good"},
    {"en_slightly_dampens", "en", "slightly disappointing", "disappointing"},
    {"en_exclamation_emphasis", "en", "great", "great!!"},
};

static void order_rows(void **state)
{
    (void)state;
    for (size_t i = 0; i < sizeof order_cases / sizeof order_cases[0]; i++) {
        const order_case *c = &order_cases[i];
        double w = score(c->lang, c->weaker), s = score(c->lang, c->stronger);
        if (!(w != 0 && (w > 0) == (s > 0) && (s > 0 ? s > w : s < w)))
            fail_msg("%s: \"%s\" %+.4f vs \"%s\" %+.4f", c->name, c->weaker,
                     w, c->stronger, s);
    }
}

static void explain_names_negation_and_compound(void **state)
{
    (void)state;
    vg_buf x;
    vg_buf_init(&x, 1 << 16);
    senti_result r;
    assert_int_equal(senti_score(engine, "pas bien", 8, "fr", &r, &x), VG_OK);
    const char *s = vg_buf_str(&x);
    assert_non_null(strstr(s, "bien\t+1.5\t"));
    assert_non_null(strstr(s, "negated(pas)"));
    assert_non_null(strstr(s, "compound\t"));
    assert_int_equal(r.label, -1);
    assert_int_equal(r.hits, 1);
    vg_buf_reset(&x);
    assert_int_equal(senti_score(engine, "très bien", strlen("très bien"), "fr",
                                 &r, &x), VG_OK);
    assert_non_null(strstr(vg_buf_str(&x), "boosted(tres)"));
    vg_buf_reset(&x);
    assert_int_equal(senti_score(engine, "is it good?", strlen("is it good?"), "en",
                                 &r, &x), VG_OK);
    assert_non_null(strstr(vg_buf_str(&x), "question(x0.5)"));
    vg_buf_free(&x);
}

static void two_snippets_of_one_text_score_apart(void **state)
{
    (void)state;
    const char *text = "Fibrelia est génial, je recommande. "
                       "Telcomax est une arnaque, service nul.";
    text_tokens *t = NULL;
    assert_int_equal(text_tokenize(text, strlen(text), &t), VG_OK);
    assert_int_equal(t->n_sent, 2);
    senti_result a, b;
    assert_int_equal(senti_score_tokens(engine, t, t->sent[0].tok_begin,
                                        t->sent[0].tok_end, "fr", &a, NULL),
                     VG_OK);
    assert_int_equal(senti_score_tokens(engine, t, t->sent[1].tok_begin,
                                        t->sent[1].tok_end, "fr", &b, NULL),
                     VG_OK);
    assert_int_equal(a.label, 1);
    assert_int_equal(b.label, -1);
    senti_result bad;
    assert_int_equal(senti_score_tokens(engine, t, 2, t->n + 1, "fr", &bad,
                                        NULL), VG_EINVAL);
    text_tokens_free(t);
}

static void user_entry_overrides_builtin(void **state)
{
    (void)state;
    senti_engine *e = NULL;
    assert_int_equal(senti_open(&e), VG_OK);
    senti_result r;
    const char *w = "Fibrelia rocks";
    assert_int_equal(senti_score(e, "génial", strlen("génial"), "fr", &r, NULL),
                     VG_OK);
    assert_true(r.compound > 0);
    assert_int_equal(senti_lexicon_add(e, "fr", "Génial", -2.0), VG_OK);
    assert_int_equal(senti_lexicon_add(e, "en", w, 3.0), VG_OK);
    assert_int_equal(senti_score(e, "génial", strlen("génial"), "fr", &r, NULL),
                     VG_OK);
    assert_true(r.compound < 0);
    assert_int_equal(senti_score(e, w, strlen(w), "en", &r, NULL), VG_OK);
    assert_true(r.compound > 0.5);
    assert_int_equal(senti_lexicon_add(e, "fr", "x", 9.0), VG_EINVAL);
    assert_int_equal(senti_lexicon_add(e, "de", "gut", 2.0), VG_EINVAL);
    assert_int_equal(senti_lexicon_add(e, "fr", "  ", 1.0), VG_EINVAL);
    senti_close(e);
    senti_close(NULL);
}

static void no_signal_is_neutral_shares(void **state)
{
    (void)state;
    senti_result r;
    /* Derived words (lexicons/LANG-derived.txt) are weak cues: a text of
     * plain facts may lean, but stays neutral. */
    const char *t = "Le train part à huit heures";
    assert_int_equal(senti_score(engine, t, strlen(t), "fr", &r, NULL), VG_OK);
    assert_int_equal(r.label, 0);
    assert_true(r.compound > -0.05 && r.compound < 0.05);
    assert_true(r.neu > 0.5);
    const char *digits = "12 34 56";
    assert_int_equal(senti_score(engine, digits, strlen(digits), "fr", &r, NULL), VG_OK);
    assert_int_equal(r.label, 0);
    assert_int_equal(r.hits, 0);
    assert_true(r.neu > 0.999);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(sign_rows),
        cmocka_unit_test(order_rows),
        cmocka_unit_test(explain_names_negation_and_compound),
        cmocka_unit_test(two_snippets_of_one_text_score_apart),
        cmocka_unit_test(user_entry_overrides_builtin),
        cmocka_unit_test(no_signal_is_neutral_shares),
    };
    return cmocka_run_group_tests(tests, setup, teardown);
}
