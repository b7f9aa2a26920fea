/*
 * Language guess: one row per language on short, everyday texts written
 * for this test (social posts and headlines), plus texts that must stay
 * "und" (no words, numbers only, a language the guesser does not know).
 */
#include "text/text.h"

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <string.h>

#include <cmocka.h>

typedef struct guess_case {
    const char *text, *lang;
} guess_case;

/* Each text must be guessed as its language. */
static void check_guesses(const guess_case *cases, size_t n)
{
    for (size_t i = 0; i < n; i++) {
        text_tokens *t = NULL;
        const char *s = cases[i].text;
        assert_int_equal(text_tokenize(s, strlen(s), &t), VG_OK);
        const char *g = text_lang_guess(t);
        if (strcmp(g, cases[i].lang) != 0)
            fail_msg("\"%s\": guessed %s, expected %s", s, g, cases[i].lang);
        text_tokens_free(t);
    }
}

static void guesses_each_language(void **state)
{
    (void)state;
    static const guess_case cases[] = {
        {"Encore une panne chez mon opérateur, c'est vraiment pénible", "fr"},
        {"Les éoliennes du littoral inquiètent les pêcheurs", "fr"},
        {"J'ai reçu ma box hier et elle marche très bien", "fr"},
        {"The new app is so slow, I can't even log in", "en"},
        {"Delivery was quick and the product works as described", "en"},
        {"El servicio es muy malo y nadie contesta por teléfono", "es"},
        {"Pero la aplicación no funciona desde ayer", "es"},
        {"Ich bin sehr zufrieden mit der Lieferung und dem Service", "de"},
        {"Die Verbindung ist seit gestern nicht mehr stabil", "de"},
        {"Il servizio clienti non risponde mai, sono molto deluso", "it"},
        {"Questa applicazione è davvero lenta e piena di errori", "it"},
        {"Não consigo acessar minha conta, o suporte não responde", "pt"},
        {"A entrega foi muito rápida e o produto é bom", "pt"},
        {"", "und"},
        {"12 34 56 !!! :)", "und"},
        {"Xyzzy plugh", "und"},
    };
    check_guesses(cases, sizeof cases / sizeof cases[0]);
}

/* Texts that only word endings decide (no function word): each ending
 * is compared only with the words ending in its last letter, and an
 * ending longer than the word never counts. */
static void endings_decide_without_function_words(void **state)
{
    (void)state;
    static const guess_case cases[] = {
        {"running jumping walking", "en"},
        {"rapidement lentement", "fr"},
        {"heureuses joyeuses", "fr"},
        {"entwicklung zeitung", "de"},
        {"nazione stazione", "it"},
        {"cidade verdade", "pt"},
        {"hablando comiendo", "und"},
        {"aient", "fr"},
        {"xaients bonjour", "fr"},
        {"ients", "und"},
    };
    check_guesses(cases, sizeof cases / sizeof cases[0]);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(guesses_each_language),
        cmocka_unit_test(endings_decide_without_function_words),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
