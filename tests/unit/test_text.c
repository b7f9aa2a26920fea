/*
 * text/: folding, tokens, sentences and the language guess.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <stdio.h>
#include <string.h>

#include "text/text.h"
#include "text/text_int.h"

/* Joins the folded forms of all tokens with '|', kinds as a prefix letter
 * for non-words, so one string states the whole expectation. */
static void render(const char *in, char *out, size_t cap)
{
    text_tokens *t = NULL;
    assert_int_equal(text_tokenize(in, strlen(in), &t), VG_OK);
    size_t n = 0;
    out[0] = '\0';
    for (size_t i = 0; i < t->n; i++) {
        static const char kinds[] = "wn#@eEp";
        char pre[3] = {0};
        if (t->v[i].kind != TEXT_WORD) {
            pre[0] = kinds[t->v[i].kind];
            pre[1] = ':';
        }
        n += (size_t)snprintf(out + n, cap - n, "%s%s%s", i ? "|" : "", pre,
                              text_norm(t, i));
    }
    text_tokens_free(t);
}

static void tokens_fold_case_accents_ligatures(void **state)
{
    (void)state;
    static const struct { const char *in, *want; } rows[] = {
        {"Crédit CRÉDIT crédit", "credit|credit|credit"},
        {"cre\xcc\x81" "dit", "credit"},            /* NFD equals NFC */
        {"Straße", "strasse"},
        {"Œuvre cœur Æther", "oeuvre|coeur|aether"},
        {"L'Oréal", "l|oreal"},
        {"l\xe2\x80\x99" "avis", "l|avis"},          /* typographic apostrophe */
        {"e-mail t-mobile", "e|mail|t|mobile"},
        {"don't", "don|t"},
        {"ﬁne", "fine"},                              /* compatibility ligature */
        {"ÇA VA, Ñandú? Ærø", "ca|va|nandu|p:?|aero"},
        {"ÉTÉ été Été", "ete|ete|ete"},
        {"«Fibrelia» — « super » (vraiment)...", "fibrelia|super|vraiment"},
        {"prix: 29,99€ / mois", "prix|n:29|n:99|mois"},
    };
    char got[512];
    for (size_t i = 0; i < sizeof rows / sizeof rows[0]; i++) {
        render(rows[i].in, got, sizeof got);
        assert_string_equal(got, rows[i].want);
    }
}

static void tokens_kinds_hashtags_handles_emoji_emoticons(void **state)
{
    (void)state;
    static const struct { const char *in, *want; } rows[] = {
        {"#Fibrelia @fibrelia_FR", "#:fibrelia|@:fibrelia_fr"},
        {"a @", "a"},                                  /* lone sigil at the end */
        {"@", ""},
        {"# #", ""},
        {"x#y", "x|y"},
        {"mail a@b.com", "mail|a|b|com"},              /* not a handle */
        {"top 😍👍🏽", "top|e:😍|e:👍"},                 /* skin tone dropped */
        {"super :) nul :-( <3 xD", "super|E::)|nul|E::-(|E:<3|E:xD"},
        {"http://x.fr/a", "http|x|fr|a"},              /* no emoticon in URLs */
        {"quoi ?! 2026", "quoi|p:?!|n:2026"},
        {"bad\xff\xfe bytes", "bad|bytes"},           /* invalid UTF-8 skipped */
        {"#FibreliaNul! @Orange_FR,", "#:fibrelianul|p:!|@:orange_fr"},
        {"#café #Café", "#:cafe|#:cafe"},
        {"https://www.fibrelia.fr/offres/fibre-max",
         "https|www|fibrelia|fr|offres|fibre|max"},
        {"voir www.NetOcean.com/aide.", "voir|www|netocean|com|aide"},
        {"\xe2\x9d\xa4\xef\xb8\x8f top", "e:\xe2\x9d\xa4|top"},   /* VS16 dropped */
        {"\xf0\x9f\x91\xa8\xe2\x80\x8d\xf0\x9f\x91\xa9\xe2\x80\x8d\xf0\x9f\x91\xa7",
         "e:\xf0\x9f\x91\xa8\xe2\x80\x8d\xf0\x9f\x91\xa9\xe2\x80\x8d\xf0\x9f\x91\xa7"}, /* ZWJ family: one token */
        /* Flags: two regional indicators each, a third starts another. */
        {"\xf0\x9f\x87\xab\xf0\x9f\x87\xb7\xf0\x9f\x87\xa7\xf0\x9f\x87\xaa ok",
         "e:\xf0\x9f\x87\xab\xf0\x9f\x87\xb7|e:\xf0\x9f\x87\xa7\xf0\x9f\x87\xaa|ok"},
        {"\xf0\x9f\x87\xab ok", "e:\xf0\x9f\x87\xab|ok"},
        {"https://x.fr/a?b=c top", "https|x|fr|a|b|c|top"},  /* '?' in a URL */
        {"", ""},
    };
    char got[512];
    for (size_t i = 0; i < sizeof rows / sizeof rows[0]; i++) {
        render(rows[i].in, got, sizeof got);
        assert_string_equal(got, rows[i].want);
    }
}

static void tokens_flags_caps_elongation_glue(void **state)
{
    (void)state;
    const char *s = "NUL Bien nuuuul j'adore";
    text_tokens *t = NULL;
    assert_int_equal(text_tokenize(s, strlen(s), &t), VG_OK);
    assert_int_equal(t->n, 5);
    assert_true(t->v[0].flags & TEXT_F_UPPER);
    assert_true(t->v[1].flags & TEXT_F_TITLE);
    assert_false(t->v[1].flags & TEXT_F_UPPER);
    assert_true(t->v[2].flags & TEXT_F_ELONG);
    assert_false(t->v[3].flags & TEXT_F_APOS);
    assert_true(t->v[4].flags & TEXT_F_APOS);
    assert_int_equal(t->v[4].start, 18);
    assert_int_equal(t->v[4].len, 5);
    text_tokens_free(t);
}

/* The tokens' hash: FNV-1a from the offset basis the tokenizer has always
 * used (1469598103934665603, not FNV's 14695981039346656037): stored
 * values depend on it. */
static uint64_t fnv1a(const char *s, size_t n)
{
    uint64_t h = 1469598103934665603ULL;
    for (size_t i = 0; i < n; i++) {
        h ^= (unsigned char)s[i];
        h *= 1099511628211ULL;
    }
    return h;
}

/* Words of ASCII and Latin-1 letters take the tokenizer's quick path; a
 * combining mark after the last letter sends the same word down the
 * general one (scan_word, text_fold), and folding strips the mark. Both
 * must give the same kind, flags, form and hash, and the flags here. */
static void tokens_quick_path_agrees_with_general_path(void **state)
{
    (void)state;
    static const struct { const char *in; unsigned flags; } rows[] = {
        {"crédit", 0},
        {"Crédit", TEXT_F_TITLE},
        {"CRÉDIT", TEXT_F_UPPER},
        {"ÉTÉ", TEXT_F_UPPER},
        {"Été", TEXT_F_TITLE},
        {"éTÉ", 0},
        {"É", TEXT_F_TITLE},
        {"A", TEXT_F_TITLE},
        {"X", TEXT_F_TITLE},
        {"nuuuul", TEXT_F_ELONG},
        {"NUUUUL", TEXT_F_UPPER | TEXT_F_ELONG},
        {"aaAa", 0},                                   /* runs keep case */
        {"trèèès", TEXT_F_ELONG},
        {"ÿÿÿ", TEXT_F_ELONG},
        {"ééÉ", 0},
        {"Straße", TEXT_F_TITLE},
        {"ÆTHER", TEXT_F_UPPER},
        {"ÐÞ", TEXT_F_UPPER},
        {"Þorn", TEXT_F_TITLE},                        /* U+00DE: upper case */
        {"ßa", 0},                                     /* U+00DF: lower case */
        {"Ø", TEXT_F_TITLE},
        {"3D", TEXT_F_TITLE},
        {"10ème", 0},
        {"2026", 0},
        {"000", 0},                                     /* digits: no run */
        {"#Café_Bar", 0},
        {"@Orange_FR", 0},
        {"l'Été", TEXT_F_TITLE | TEXT_F_APOS},
        {"prix, Été", TEXT_F_TITLE | TEXT_F_CLAUSE},
        {"anti-Été", TEXT_F_TITLE | TEXT_F_HYPHEN},
    };
    for (size_t i = 0; i < sizeof rows / sizeof rows[0]; i++) {
        char marked[64];
        snprintf(marked, sizeof marked, "%s\xcc\x81", rows[i].in);
        text_tokens *a = NULL, *b = NULL;
        assert_int_equal(text_tokenize(rows[i].in, strlen(rows[i].in), &a), VG_OK);
        assert_int_equal(text_tokenize(marked, strlen(marked), &b), VG_OK);
        assert_true(a->n > 0);
        assert_int_equal(a->n, b->n);
        for (size_t k = 0; k < a->n; k++) {
            const text_token *x = &a->v[k], *y = &b->v[k];
            assert_int_equal(x->kind, y->kind);
            assert_int_equal(x->flags, y->flags);
            assert_string_equal(text_norm(a, k), text_norm(b, k));
            assert_int_equal(x->norm_len, strlen(text_norm(a, k)));
            assert_true(x->hash == y->hash);
            assert_true(x->hash == fnv1a(text_norm(a, k), x->norm_len));
        }
        assert_int_equal(a->v[a->n - 1].flags, rows[i].flags);
        text_tokens_free(a);
        text_tokens_free(b);
    }
}

/* Joins forms as render() does, each followed by its flags as letters
 * ("/UTAEHC": upper, title, apostrophe, elongated, hyphen, clause), and
 * checks every token's form length and hash. The text is copied to a
 * block of exactly its size, so that a sanitizer sees any read past it. */
static void render_flags(const char *in, size_t len, char *out, size_t cap)
{
    char *copy = test_malloc(len ? len : 1);
    memcpy(copy, in, len);
    text_tokens *t = NULL;
    assert_int_equal(text_tokenize(copy, len, &t), VG_OK);
    size_t n = 0;
    out[0] = '\0';
    for (size_t i = 0; i < t->n; i++) {
        static const char kinds[] = "wn#@eEp", letters[] = "UTAEHC";
        const text_token *tok = &t->v[i];
        char pre[3] = {0}, flags[8] = {0};
        if (tok->kind != TEXT_WORD) {
            pre[0] = kinds[tok->kind];
            pre[1] = ':';
        }
        for (size_t b = 0, f = 0; b < 6; b++)
            if (tok->flags & (1u << b)) {
                if (!f)
                    flags[f++] = '/';
                flags[f++] = letters[b];
            }
        assert_int_equal(tok->norm_len, strlen(text_norm(t, i)));
        assert_true(tok->hash == fnv1a(text_norm(t, i), tok->norm_len));
        n += (size_t)snprintf(out + n, cap - n, "%s%s%s%s", i ? "|" : "", pre,
                              text_norm(t, i), flags);
    }
    text_tokens_free(t);
    test_free(copy);
}

/* The quick path reads words eight bytes at a time: words of each length
 * around one and two blocks, runs of three letters inside a block and
 * across its end, upper case, digits, '_' and Latin-1 letters inside a
 * lower-case run, bytes next to the letters' and digits' ranges, and each
 * word both at the text's end (its last block is short) and inside it. */
static void tokens_eight_byte_blocks_edges(void **state)
{
    (void)state;
    static const struct { const char *in, *want; } rows[] = {
        {"abc", "abc"},
        {"abcd", "abcd"},
        {"abcdefg", "abcdefg"},
        {"abcdefgh", "abcdefgh"},
        {"abcdefghi", "abcdefghi"},
        {"abcdefghijklmnop", "abcdefghijklmnop"},
        {"abcdefghijklmnopq", "abcdefghijklmnopq"},
        {"aaa", "aaa/E"},
        {"aab", "aab"},
        {"abcdefggg", "abcdefggg/E"},          /* bytes 6, 7 and 8 */
        {"abcdefgggh", "abcdefgggh/E"},
        {"abcdefghhh", "abcdefghhh/E"},        /* bytes 7, 8 and 9 */
        {"abcdeffgg", "abcdeffgg"},
        {"abcdefghijklmnooo", "abcdefghijklmnooo/E"},
        {"nuuuuuuuuuuuuuul", "nuuuuuuuuuuuuuul/E"},
        {"AAA", "aaa/UE"},
        {"aaAa", "aaaa"},                      /* runs keep case */
        {"111", "n:111"},                      /* digits: no run */
        {"abc111", "abc111"},
        {"12345678", "n:12345678"},
        {"123456789", "n:123456789"},
        {"1234567a", "1234567a"},
        {"abcDefgh", "abcdefgh"},
        {"Abcdefgh", "abcdefgh/T"},
        {"Abcdefghij", "abcdefghij/T"},
        {"ABCDEFGH", "abcdefgh/U"},
        {"ABCDEFGHIJ", "abcdefghij/U"},
        {"abcdefGhij", "abcdefghij"},
        {"abc4defghij", "abc4defghij"},
        {"abcd\xc3\xa9" "fgh", "abcdefgh"},
        {"abcdefg\xc3\x89", "abcdefge"},
        {"abcdefg\xc3\xa8\xc3\xa8\xc3\xa8", "abcdefgeee/E"},
        {"\xc3\x89T\xc3\x89SABCDEFGH", "etesabcdefgh/U"},
        {"tr\xc3\xa8\xc3\xa8\xc3\xa8s", "treees/E"},
        {"\xc3\xa9\xc3\xa8\xc3\xa9", "eee"},
        {"x_y", "x|y"},
        {"#abc_defgh_ij", "#:abc_defgh_ij"},
        {"@a_b_c_d_e_f", "@:a_b_c_d_e_f"},
        {"abc@def", "abc|def"},
        {"az{AZ@09/:`a[z", "az|az/U|n:09|a|z"}, /* around a-z, A-Z, 0-9 */
        {"abcdefgh\x15ijk", "abcdefgh|ijk"},    /* 0x15 | 0x20 is '5' */
        {"abc def,ghi, jkl", "abc|def|ghi/C|jkl/C"},
        {"l'abcdefghij anti-Abcdefgh", "l|abcdefghij/A|anti|abcdefgh/TH"},
    };
    for (size_t i = 0; i < sizeof rows / sizeof rows[0]; i++) {
        char got[256], in[128], want[256];
        render_flags(rows[i].in, strlen(rows[i].in), got, sizeof got);
        assert_string_equal(got, rows[i].want);
        snprintf(in, sizeof in, "q %s q.", rows[i].in);
        snprintf(want, sizeof want, "q|%s|q", rows[i].want);
        render_flags(in, strlen(in), got, sizeof got);
        assert_string_equal(got, want);
    }
}

/* fold.c looks Latin-1 and Cyrillic letters up in tables and decodes
 * two-byte sequences itself: for every two-byte code point it must say
 * what utf8proc says, through fold_codepoint and text_fold, even in a
 * buffer too small for the whole form (the same bytes, the same error). */
static void fold_tables_agree_with_utf8proc(void **state)
{
    (void)state;
    for (int32_t cp = 0x80; cp <= 0x7FF; cp++) {
        char utf8[3] = {(char)(0xC0 | cp >> 6), (char)(0x80 | (cp & 0x3F)), 0};
        for (size_t max = 0; max <= 4; max++) {
            vg_buf want, got, text;
            vg_buf_init(&want, max ? max : 64);
            vg_buf_init(&got, max ? max : 64);
            vg_buf_init(&text, max ? max : 64);
            vg_err rc = fold_unicode(cp, &want);
            assert_int_equal(fold_codepoint(cp, &got), rc);
            assert_int_equal(text_fold(utf8, 2, &text), rc);
            assert_string_equal(vg_buf_str(&got), vg_buf_str(&want));
            assert_string_equal(vg_buf_str(&text), vg_buf_str(&want));
            vg_buf_free(&want);
            vg_buf_free(&got);
            vg_buf_free(&text);
        }
    }
}

static void tokens_flag_clause_starts_after_comma_semicolon_colon(void **state)
{
    (void)state;
    /* Rows: token index and whether it opens a clause. */
    const char *s = "bien ,  mais; nul:  top x";
    static const struct { size_t tok; int clause; } rows[] = {
        {0, 0}, {1, 1}, {2, 1}, {3, 1}, {4, 0},
    };
    text_tokens *t = NULL;
    assert_int_equal(text_tokenize(s, strlen(s), &t), VG_OK);
    assert_int_equal(t->n, 5);
    for (size_t i = 0; i < sizeof rows / sizeof rows[0]; i++)
        assert_int_equal((t->v[rows[i].tok].flags & TEXT_F_CLAUSE) != 0, rows[i].clause);
    text_tokens_free(t);
}

static void sentences_know_abbreviations_and_lowercase_continuations(void **state)
{
    (void)state;
    static const struct { const char *in; size_t n; const char *first; } rows[] = {
        {"C'est nul. Vraiment nul.", 2, "C'est nul."},
        {"M. Dupont est venu. Il a aimé.", 2, "M. Dupont est venu."},
        {"Voir etc. Puis partir.", 1, "Voir etc. Puis partir."},
        {"The U.S. market grew. Fine.", 2, "The U.S. market grew."},
        {"génial ! je recommande", 1, "génial ! je recommande"},
        {"Top ! Je recommande", 2, "Top !"},
        {"ligne un\nligne deux", 2, "ligne un"},
        {"Prix: 3.5 euros. Ok", 2, "Prix: 3.5 euros."},
        {"Voir fibrelia.com pour plus.", 1, "Voir fibrelia.com pour plus."},
    };
    for (size_t i = 0; i < sizeof rows / sizeof rows[0]; i++) {
        text_tokens *t = NULL;
        assert_int_equal(text_tokenize(rows[i].in, strlen(rows[i].in), &t), VG_OK);
        assert_int_equal(t->n_sent, rows[i].n);
        size_t len = t->sent[0].end - t->sent[0].start;
        assert_int_equal(len, strlen(rows[i].first));
        assert_memory_equal(rows[i].in + t->sent[0].start, rows[i].first, len);
        /* Every token belongs to the sentence whose token range holds it. */
        for (size_t s = 0; s < t->n_sent; s++)
            for (uint32_t k = t->sent[s].tok_begin; k < t->sent[s].tok_end; k++)
                assert_int_equal(t->v[k].sentence, s);
        text_tokens_free(t);
    }
}

static void lang_guess_from_function_words(void **state)
{
    (void)state;
    static const struct { const char *in, *want; } rows[] = {
        {"Le service client est vraiment nul depuis la panne", "fr"},
        {"The customer support is really slow since the outage", "en"},
        {"El servicio es muy malo y no funciona", "es"},
        {"Der Kundendienst ist nicht erreichbar und sehr langsam", "de"},
        {"Il servizio non funziona ed è molto lento", "it"},
        {"O serviço não funciona e é muito lento", "pt"},
        {"Fibrelia 2026", "und"},
    };
    for (size_t i = 0; i < sizeof rows / sizeof rows[0]; i++) {
        text_tokens *t = NULL;
        assert_int_equal(text_tokenize(rows[i].in, strlen(rows[i].in), &t), VG_OK);
        assert_string_equal(text_lang_guess(t), rows[i].want);
        text_tokens_free(t);
    }
}

static void sanitize_replaces_invalid_bytes(void **state)
{
    (void)state;
    vg_buf b;
    vg_buf_init(&b, 1024);
    assert_int_equal(text_utf8_sanitize("a\xffz\xc3\xa9", 5, &b), VG_OK);
    assert_string_equal(vg_buf_str(&b), "a\xef\xbf\xbdz\xc3\xa9");
    vg_buf_free(&b);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(tokens_fold_case_accents_ligatures),
        cmocka_unit_test(tokens_kinds_hashtags_handles_emoji_emoticons),
        cmocka_unit_test(tokens_flags_caps_elongation_glue),
        cmocka_unit_test(tokens_quick_path_agrees_with_general_path),
        cmocka_unit_test(tokens_eight_byte_blocks_edges),
        cmocka_unit_test(fold_tables_agree_with_utf8proc),
        cmocka_unit_test(tokens_flag_clause_starts_after_comma_semicolon_colon),
        cmocka_unit_test(sentences_know_abbreviations_and_lowercase_continuations),
        cmocka_unit_test(lang_guess_from_function_words),
        cmocka_unit_test(sanitize_replaces_invalid_bytes),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
