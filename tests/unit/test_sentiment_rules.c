/*
 * Unit tests for the sentiment rules, one table row per rule and language:
 * negation and its scope, idioms, contrast and clause boundaries,
 * intensifiers and dampeners, emoji and emoticons, slang, elisions, the
 * stemming fallback (and its limits: a base word does not take the opinion
 * of a longer derived word, nor a noun that of an adjective of the same
 * root), derived lexicon entries as weak cues, emoji outside negation,
 * names, questions, and two brands in one text. Rows assert a sign or the
 * order of two scores.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "core/buf.h"
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

static senti_result score(const char *lang, const char *text)
{
    senti_result r;
    assert_int_equal(senti_score(engine, text, strlen(text), lang, &r, NULL), VG_OK);
    return r;
}

/* Expected: +1 label positive, -1 label negative, 0 label neutral. */
typedef struct label_case {
    const char *name, *lang, *text;
    int label;
} label_case;

static const label_case label_cases[] = {
    /* negation and its scope */
    {"fr_ne_pas_negates_adjective", "fr", "ce n'est pas bien", -1},
    {"fr_ni_ni_negates_both", "fr", "ni rapide ni fiable", -1},
    {"fr_sans_negates", "fr", "sans intérêt", -1},
    {"fr_aucun_interet_idiom", "fr", "aucun intérêt", -1},
    {"fr_rien_de_without_ne_negates", "fr", "rien de génial", -1},
    {"fr_guere_negates", "fr", "ce n'est guère mieux", -1},
    {"fr_jamais_decu_mildly_positive", "fr", "je n'ai jamais été déçu", 1},
    {"fr_negation_scope_ends_at_sentence", "fr", "pas de retard. Génial !", 1},
    {"fr_ne_que_restriction_keeps_negative", "fr", "il ne reste que des problèmes", -1},
    {"en_never_again", "en", "never again", -1},
    {"en_hardly_negates", "en", "hardly worth it", -1},
    {"en_not_very_good_is_negative", "en", "not very good", -1},
    {"en_without_problems_positive", "en", "without problems", 1},
    {"en_nor_negates", "en", "nor good", -1},
    /* contrast */
    {"fr_cependant_second_clause_wins", "fr",
     "le produit est bien, cependant le service est nul", -1},
    {"fr_pourtant_second_clause_wins", "fr",
     "le produit est nul, pourtant le service est génial", 1},
    {"fr_par_contre_negative", "fr", "par contre la livraison est nulle", -1},
    {"fr_bien_que_clause_ends_at_comma", "fr",
     "bien que le prix soit correct, la box est nulle", -1},
    {"en_however_second_clause_wins", "en",
     "the phone was fine, however the battery is bad", -1},
    {"en_although_clause_ends_at_comma", "en", "although it was cheap, it broke", -1},
    {"en_although_after_main_clause", "en", "it broke, although it was cheap", -1},
    /* slang, SMS forms, customer service vocabulary */
    {"fr_slang_naze", "fr", "naze", -1},
    {"fr_slang_ouf_positive", "fr", "c'est ouf", 1},
    {"fr_slang_bof", "fr", "bof", -1},
    {"fr_slang_ptdr_laughing", "fr", "ptdr", 1},
    {"fr_resilier_negative", "fr", "je vais résilier", -1},
    {"fr_attente_interminable", "fr", "attente interminable", -1},
    {"fr_bug_negative", "fr", "encore un bug", -1},
    {"en_waiting_for_refund", "en", "waiting for a refund", -1},
    {"en_outage_again", "en", "outage again", -1},
    {"en_rude_staff", "en", "rude staff", -1},
    {"en_lol_positive", "en", "lol", 1},
    /* emoji and emoticons */
    {"emoticon_xd_positive", "fr", "xD", 1},
    {"emoticon_heart_positive", "fr", "<3", 1},
    {"emoticon_nose_frown_negative", "en", ":-(", -1},
    /* elisions */
    {"fr_elision_qu_il_est_genial", "fr", "qu'il est génial", 1},
    {"fr_elision_d_une_nullite", "fr", "d'une nullité", -1},
    /* stemming fallback and its limit */
    {"fr_stem_feminine_plural", "fr", "géniales", 1},
    {"fr_stem_plural_noun", "fr", "déceptions", -1},
    {"en_stem_disappoints", "en", "disappoints", -1},
    {"en_base_word_not_derived_adjective_time", "en", "it's about time", 0},
    {"en_base_word_not_derived_adjective_thought", "en", "I thought so", 0},
    {"en_noun_of_same_root_not_adjective_politics", "en", "politics", 0},
    {"en_noun_of_same_root_not_adjective_attention", "en", "attention", 0},
    {"en_plural_noun_not_adjective_times", "en", "times", 0},
    {"en_stem_through_inflected_entry_perplexing", "en", "perplexing", -1},
    {"fr_noun_of_same_root_not_adjective_position", "fr", "position", 0},
    {"fr_verb_not_adjective_genere", "fr", "il génère", 0},
    {"fr_stem_verb_imperfect_detestait", "fr", "il détestait", -1},
    /* emoji and emoticons are outside a negation's reach */
    {"en_emoticon_after_negation_stays_positive", "en", "I don't know :)", 1},
    {"fr_emoticon_after_ne_pas_stays_negative", "fr", "je ne sais pas :(", -1},
    /* "won't", "can't": the auxiliary is not the word it spells */
    {"en_wont_is_not_won", "en", "he won't", 0},
    {"en_won_alone_positive", "en", "we won", 1},
    {"en_cant_wait_idiom_positive", "en", "I can't wait", 1},
    {"en_used_to_love_negative", "en", "I used to love this band", -1},
    /* capitalised words inside a sentence next to another are names */
    {"en_name_carries_no_opinion", "en", "we saw Taylor Swift in concert", 0},
    {"en_same_word_lower_case_is_opinion", "en", "a swift reply from the support team", 1},
    {"fr_fixed_term_developpement_durable_neutral", "fr", "le développement durable", 0},
    /* derived entries are weak cues: facts alone stay neutral */
    {"fr_plain_fact_neutral", "fr", "Le train part à huit heures", 0},
};

static void label_rows(void **state)
{
    (void)state;
    for (size_t i = 0; i < sizeof label_cases / sizeof label_cases[0]; i++) {
        const label_case *c = &label_cases[i];
        senti_result r = score(c->lang, c->text);
        if (r.label != c->label)
            fail_msg("%s: \"%s\" scored %+.4f (label %d, want %d)", c->name, c->text,
                     r.compound, r.label, c->label);
    }
}

/* score(lower) < score(higher), both given in one language. */
typedef struct order_case {
    const char *name, *lang, *lower, *higher;
} order_case;

static const order_case order_cases[] = {
    {"fr_tres_above_plain", "fr", "bien", "très bien"},
    {"fr_assez_dampens", "fr", "assez bien", "bien"},
    {"fr_pas_bien_below_zero_and_bien", "fr", "pas bien", "bien"},
    {"fr_un_peu_lent_above_lent", "fr", "lent", "un peu lent"},
    {"fr_super_lent_below_lent", "fr", "super lent", "lent"},
    {"fr_grave_boosts_slang", "fr", "grave nul", "nul"},
    {"fr_pas_tres_bien_below_bien", "fr", "pas très bien", "bien"},
    {"en_extremely_above_plain", "en", "good", "extremely good"},
    {"en_kind_of_dampens", "en", "kind of good", "good"},
    {"en_not_very_good_below_good", "en", "not very good", "good"},
    {"en_praise_in_question_below_statement", "en", "is it good?", "it is good"},
    {"fr_praise_in_question_below_statement", "fr", "c'est bien ?", "c'est bien"},
    {"en_like_alone_below_i_like", "en", "just like that", "I like that"},
};

static void order_rows(void **state)
{
    (void)state;
    for (size_t i = 0; i < sizeof order_cases / sizeof order_cases[0]; i++) {
        const order_case *c = &order_cases[i];
        double lo = score(c->lang, c->lower).compound;
        double hi = score(c->lang, c->higher).compound;
        if (!(lo < hi))
            fail_msg("%s: \"%s\" %+.4f should be below \"%s\" %+.4f", c->name, c->lower, lo,
                     c->higher, hi);
    }
}

/* Two brands in one text: each sentence (the snippet around a brand)
 * carries its own polarity, whatever the order. */
static void two_brands_in_one_text_each_get_their_polarity(void **state)
{
    (void)state;
    static const struct {
        const char *lang, *text;
        int first, second;
    } rows[] = {
        {"fr", "Fibrelia est génial. NetOcean est nul.", 1, -1},
        {"fr", "NetOcean est injoignable depuis hier. Fibrelia m'a remboursé en une heure, top !", -1, 1},
        {"en", "NetOcean support was rude. Fibrelia fixed my outage fast, great job.", -1, 1},
    };
    for (size_t i = 0; i < sizeof rows / sizeof rows[0]; i++) {
        text_tokens *t = NULL;
        assert_int_equal(text_tokenize(rows[i].text, strlen(rows[i].text), &t), VG_OK);
        assert_int_equal(t->n_sent, 2);
        senti_result a, b;
        assert_int_equal(senti_score_tokens(engine, t, t->sent[0].tok_begin, t->sent[0].tok_end,
                                            rows[i].lang, &a, NULL), VG_OK);
        assert_int_equal(senti_score_tokens(engine, t, t->sent[1].tok_begin, t->sent[1].tok_end,
                                            rows[i].lang, &b, NULL), VG_OK);
        if (a.label != rows[i].first || b.label != rows[i].second)
            fail_msg("row %zu: labels %d, %d", i, a.label, b.label);
        text_tokens_free(t);
    }
}

/* A user entry also reaches inflections through the stem table. */
static void user_entry_reaches_inflections(void **state)
{
    (void)state;
    senti_engine *e = NULL;
    assert_int_equal(senti_open(&e), VG_OK);
    senti_result r;
    assert_int_equal(senti_lexicon_add(e, "fr", "fibreux", -2.0), VG_OK);
    assert_int_equal(senti_score(e, "fibreuse", strlen("fibreuse"), "fr", &r, NULL), VG_OK);
    assert_int_equal(r.label, -1);
    senti_close(e);
}

/* Weak cues (|valence| <= 0.2, as derived entries are) are associations
 * learned from texts as written: negation does not flip them, boosters
 * scale them instead of adding a full step, capitals add nothing, and one
 * alone stays under the neutral band. */
static void weak_cues_are_not_negated_or_emphasised(void **state)
{
    (void)state;
    senti_engine *e = NULL;
    assert_int_equal(senti_open(&e), VG_OK);
    assert_int_equal(senti_lexicon_add(e, "en", "zorblat", 0.15), VG_OK);
    static const char *const texts[] = {"zorblat", "not zorblat", "very zorblat",
                                        "the ZORBLAT here"};
    for (size_t i = 0; i < sizeof texts / sizeof texts[0]; i++) {
        senti_result r;
        assert_int_equal(senti_score(e, texts[i], strlen(texts[i]), "en", &r, NULL), VG_OK);
        if (!(r.compound > 0) || r.label != 0)
            fail_msg("\"%s\" scored %+.4f (label %d): want a weak positive", texts[i],
                     r.compound, r.label);
    }
    senti_close(e);
}

/* Several contrast markers in one text: each "mais"/"but" lowers what
 * precedes it, and only what follows the last one counts more. Rows give
 * the explain lines expected in order (token, then its rules). */
static void contrast_weights_each_contribution(void **state)
{
    (void)state;
    static const struct {
        const char *lang, *text;
        const char *lines[4];
    } rows[] = {
        {"fr", "c'est bien mais c'est nul mais c'est top",
         {"bien\t+1.5\t+0.75\tcontrast(x0.5)\n",
          "nul\t-3.2\t-1.60\tcontrast(x0.5)\n",
          "top\t+2.8\t+4.20\tcontrast(x1.5)\n", NULL}},
        {"en", "good but bad but great although awful",
         {"good\t+2.2\t+1.10\tcontrast(x0.5)\n",
          "bad\t-2.2\t-1.10\tcontrast(x0.5)\n",
          "great\t+2.2\t+3.30\tcontrast(x1.5)\n",
          "awful\t-3.2\t-4.80\tcontrast(x1.5)\n"}},
        /* A hashtag is one word: "#pas" starts no idiom, it negates. */
        {"fr", "#pas mal", {"mal\t-1.8\t+1.08\tnegated(pas)\n", NULL}},
        {"fr", "pas mal du tout", {"pas mal\t+1.5\t+1.50\t-\n", NULL}},
    };
    vg_buf x;
    vg_buf_init(&x, 1 << 16);
    for (size_t i = 0; i < sizeof rows / sizeof rows[0]; i++) {
        senti_result r;
        vg_buf_reset(&x);
        assert_int_equal(senti_score(engine, rows[i].text, strlen(rows[i].text),
                                     rows[i].lang, &r, &x), VG_OK);
        const char *s = vg_buf_str(&x);
        for (size_t k = 0; k < 4 && rows[i].lines[k]; k++) {
            size_t l = strlen(rows[i].lines[k]);
            if (strncmp(s, rows[i].lines[k], l) != 0)
                fail_msg("row %zu: line %zu of \"%s\"", i, k, vg_buf_str(&x));
            s += l;
        }
        if (strncmp(s, "compound\t", 9) != 0)
            fail_msg("row %zu: \"%s\"", i, vg_buf_str(&x));
    }
    vg_buf_free(&x);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(label_rows),
        cmocka_unit_test(order_rows),
        cmocka_unit_test(two_brands_in_one_text_each_get_their_polarity),
        cmocka_unit_test(user_entry_reaches_inflections),
        cmocka_unit_test(weak_cues_are_not_negated_or_emphasised),
        cmocka_unit_test(contrast_weights_each_contribution),
    };
    return cmocka_run_group_tests(tests, setup, teardown);
}
