/*
 * Mention snippets: sentence windows around a match, whitespace collapsed,
 * caps that never split a UTF-8 character and keep the match in view.
 */
#include "monitor/query.h"

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

static const char *five =
    "Premier point. Deuxième phrase ici. Fibrelia est en panne ! "
    "Quatrième phrase. Cinquième.";

/* Index of the first token whose original text is word. */
static size_t find_tok(const char *text, const text_tokens *t,
                       const char *word)
{
    for (size_t i = 0; i < t->n; i++)
        if (t->v[i].len == strlen(word) &&
            memcmp(text + t->v[i].start, word, t->v[i].len) == 0)
            return i;
    fail_msg("token %s not found", word);
    return 0;
}

static int valid_utf8(const char *s)
{
    const unsigned char *p = (const unsigned char *)s;
    while (*p) {
        size_t n = *p < 0x80 ? 1 : (*p >> 5) == 6 ? 2 : (*p >> 4) == 14 ? 3
                                   : (*p >> 3) == 30 ? 4 : 0;
        if (n == 0)
            return 0;
        for (size_t i = 1; i < n; i++)
            if ((p[i] & 0xC0) != 0x80)
                return 0;
        p += n;
    }
    return 1;
}

static char *snippet(const char *text, const char *word, size_t max)
{
    text_tokens *t = NULL;
    char *out = NULL;
    assert_int_equal(text_tokenize(text, strlen(text), &t), VG_OK);
    size_t tok = word ? find_tok(text, t, word) : t->n + 5;
    assert_int_equal(query_snippet(text, t, tok, max, &out), VG_OK);
    text_tokens_free(t);
    assert_non_null(out);
    return out;
}

static void snippet_takes_one_sentence_each_side(void **state)
{
    (void)state;
    static const struct {
        const char *text;
        const char *word;
        const char *want;
    } cases[] = {
        {NULL, "Fibrelia",
         "Deuxième phrase ici. Fibrelia est en panne ! Quatrième phrase."},
        {NULL, "Premier", "Premier point. Deuxième phrase ici."},
        {NULL, "Cinquième", "Quatrième phrase. Cinquième."},
        {"Fibrelia.", "Fibrelia", "Fibrelia."},
        {"Bonjour  le\t  monde.\n   Fibrelia\xC2\xA0 est  là.\r\n Fin.",
         "Fibrelia", "Bonjour le monde. Fibrelia est là. Fin."},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        char *s = snippet(cases[i].text ? cases[i].text : five, cases[i].word,
                          500);
        assert_string_equal(s, cases[i].want);
        free(s);
    }
}

static void snippet_drops_neighbours_before_cutting(void **state)
{
    (void)state;
    static const struct {
        size_t max;
        const char *want;
    } cases[] = {
        /* All three fit exactly. */
        {64, "Deuxième phrase ici. Fibrelia est en panne ! Quatrième phrase."},
        /* Next sentence kept before the previous one. */
        {63, "Fibrelia est en panne ! Quatrième phrase."},
        {42, "Fibrelia est en panne ! Quatrième phrase."},
        {41, "Fibrelia est en panne !"},
        {23, "Fibrelia est en panne !"},
        /* Then the sentence itself is cut, with an ellipsis. */
        {22, "Fibrelia est en…"},
        {15, "Fibrelia est…"},
        {0, "Deuxième phrase ici. Fibrelia est en panne ! Quatrième phrase."},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        char *s = snippet(five, "Fibrelia", cases[i].max);
        if (strcmp(s, cases[i].want) != 0)
            fail_msg("max %zu: got '%s', expected '%s'", cases[i].max, s,
                     cases[i].want);
        free(s);
    }
}

static void snippet_cut_keeps_match_and_char_boundaries(void **state)
{
    (void)state;
    const char *text =
        "Ça a été très très très compliqué, éprouvant et épuisant à vivre "
        "pendant des semaines entières avec Fibrelia qui ne répondait pas "
        "du tout aux appels répétés des clients désespérés.";
    for (size_t max = 1; max <= 80; max++) {
        char *s = snippet(text, "Fibrelia", max);
        if (strlen(s) > max)
            fail_msg("max %zu: %zu bytes", max, strlen(s));
        if (!valid_utf8(s))
            fail_msg("max %zu: invalid UTF-8 '%s'", max, s);
        if (max >= 40 && !strstr(s, "Fibrelia"))
            fail_msg("max %zu: match lost in '%s'", max, s);
        if (max >= 40 && strncmp(s, "\xE2\x80\xA6", 3) != 0)
            fail_msg("max %zu: no leading ellipsis in '%s'", max, s);
        free(s);
    }
    /* Cuts fall on word boundaries. */
    char *s = snippet(text, "Fibrelia", 60);
    assert_true(strncmp(s, "\xE2\x80\xA6", 3) == 0);
    char needle[64];
    snprintf(needle, sizeof needle, " %.*s ", (int)strcspn(s + 3, " "), s + 3);
    assert_non_null(strstr(text, needle));
    const char *tail = s + strlen(s) - 3;
    assert_true(strcmp(tail, "\xE2\x80\xA6") == 0);
    const char *last = tail;
    while (last > s && last[-1] != ' ')
        last--;
    snprintf(needle, sizeof needle, " %.*s ", (int)(tail - last), last);
    assert_non_null(strstr(text, needle));
    free(s);
}

static void snippet_without_token_starts_at_text_start(void **state)
{
    (void)state;
    char *s = snippet(five, NULL, 20);
    assert_string_equal(s, "Premier point.…");
    free(s);
    text_tokens *t = NULL;
    char *out = (char *)1;
    assert_int_equal(text_tokenize("", 0, &t), VG_OK);
    assert_int_equal(query_snippet("", t, 0, 100, &out), VG_OK);
    assert_string_equal(out, "");
    free(out);
    assert_int_equal(query_snippet(NULL, t, 0, 100, &out), VG_EINVAL);
    text_tokens_free(t);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(snippet_takes_one_sentence_each_side),
        cmocka_unit_test(snippet_drops_neighbours_before_cutting),
        cmocka_unit_test(snippet_cut_keeps_match_and_char_boundaries),
        cmocka_unit_test(snippet_without_token_starts_at_text_start),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
