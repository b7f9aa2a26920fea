/*
 * Charset decision and conversion (parser/charset.c): which evidence
 * wins, how labels map, and that bad bytes become U+FFFD instead of
 * failing or leaking through as invalid UTF-8.
 */
#include "parser/charset.h"

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

typedef struct conv_case {
    const char *name;
    const char *data;
    size_t len; /* 0: strlen(data) */
    const char *content_type;
    const char *want_text;
    const char *want_charset;
} conv_case;

#define FRENCH_LATIN1                                                         \
    "<html><body><p>Le caf\xe9 \xe9tait d\xe9j\xe0 ferm\xe9 quand nous "      \
    "sommes arriv\xe9s, tr\xe8s d\xe9\xe7us par l'accueil et la "             \
    "qualit\xe9.</p></body></html>"

static const conv_case CONV[] = {
    {"utf8_bom_is_stripped_and_wins_over_header",
     "\xEF\xBB\xBF<p>caf\xC3\xA9</p>", 0, "text/html; charset=windows-1252",
     "<p>caf\xC3\xA9</p>", "UTF-8"},
    {"iso_8859_1_label_reads_as_windows_1252_apostrophe_and_euro",
     "It\x92s 5\x80", 0, "text/html; charset=ISO-8859-1",
     "It\xE2\x80\x99s 5\xE2\x82\xAC", "WINDOWS-1252"},
    {"latin1_alias_in_header", "caf\xe9", 0, "text/html;charset=\"latin1\"",
     "caf\xC3\xA9", "WINDOWS-1252"},
    {"meta_charset_without_header",
     "<html><head><meta charset=\"windows-1252\"></head><p>caf\xe9</p>", 0,
     NULL, "<html><head><meta charset=\"windows-1252\"></head><p>caf\xC3\xA9</p>",
     "WINDOWS-1252"},
    {"meta_http_equiv_content_type_without_header",
     "<meta http-equiv=Content-Type content='text/html; charset=iso-8859-1'>"
     "\xe9",
     0, NULL,
     "<meta http-equiv=Content-Type content='text/html; charset=iso-8859-1'>"
     "\xC3\xA9",
     "WINDOWS-1252"},
    {"header_overrides_meta",
     "<meta charset=\"iso-8859-1\"><p>caf\xC3\xA9</p>", 0,
     "text/html; charset=utf-8", "<meta charset=\"iso-8859-1\"><p>caf\xC3\xA9</p>",
     "UTF-8"},
    {"commented_out_meta_is_ignored",
     "<!-- <meta charset=\"koi8-r\"> --><p>caf\xC3\xA9</p>", 0, NULL,
     "<!-- <meta charset=\"koi8-r\"> --><p>caf\xC3\xA9</p>", "UTF-8"},
    {"meta_utf16_means_utf8", "<meta charset=utf-16><p>caf\xC3\xA9</p>", 0,
     NULL, "<meta charset=utf-16><p>caf\xC3\xA9</p>", "UTF-8"},
    {"undeclared_valid_utf8_is_utf8", "na\xC3\xAFve \xE2\x82\xAC", 0, NULL,
     "na\xC3\xAFve \xE2\x82\xAC", "UTF-8"},
    {"undeclared_latin1_is_detected", FRENCH_LATIN1, 0, NULL,
     "<html><body><p>Le caf\xC3\xA9 \xC3\xA9tait d\xC3\xA9j\xC3\xA0 "
     "ferm\xC3\xA9 quand nous sommes arriv\xC3\xA9s, tr\xC3\xA8s "
     "d\xC3\xA9\xC3\xA7us par l'accueil et la qualit\xC3\xA9.</p></body>"
     "</html>",
     "WINDOWS-1252"},
    {"invalid_utf8_bytes_become_replacement", "ab\xFF\xC3(cd", 0,
     "text/html; charset=utf-8", "ab\xEF\xBF\xBD\xEF\xBF\xBD(cd", "UTF-8"},
    {"overlong_and_surrogate_are_invalid", "\xC0\xAF\xED\xA0\x80", 0,
     "text/html; charset=utf-8",
     "\xEF\xBF\xBD\xEF\xBF\xBD\xEF\xBF\xBD\xEF\xBF\xBD\xEF\xBF\xBD", "UTF-8"},
    {"undefined_windows_1252_byte_becomes_replacement", "a\x81z", 0,
     "text/html; charset=windows-1252", "a\xEF\xBF\xBDz", "WINDOWS-1252"},
    {"utf16le_bom", "\xFF\xFE" "h\0i\0", 6, NULL, "hi", "UTF-16LE"},
    {"unknown_header_label_falls_through_to_meta",
     "<meta charset=utf-8>\xC3\xA9", 0, "text/html; charset=x-bogus",
     "<meta charset=utf-8>\xC3\xA9", "UTF-8"},
    {"empty_input", "", 0, NULL, "", "UTF-8"},
    {"utf16be_bom", "\xFE\xFF" "\0h\0i", 6, NULL, "hi", "UTF-16BE"},
    {"utf16_lone_high_surrogate_becomes_replacement",
     "\xFF\xFE" "a\0\x00\xD8" "b\0", 8, NULL, "a\xEF\xBF\xBD" "b",
     "UTF-16LE"},
    {"utf16_odd_trailing_byte_becomes_replacement", "\xFF\xFE" "a\0b", 5,
     NULL, "a\xEF\xBF\xBD", "UTF-16LE"},
    {"utf8_bom_beats_meta", "\xEF\xBB\xBF<meta charset=shift_jis>\xC3\xA9",
     0, NULL, "<meta charset=shift_jis>\xC3\xA9", "UTF-8"},
    {"latin1_header_on_utf8_bytes_is_obeyed", "caf\xC3\xA9", 0,
     "text/html; charset=ISO-8859-1", "caf\xC3\x83\xC2\xA9", "WINDOWS-1252"},
    {"truncated_utf8_sequence_at_end_is_replaced", "ab\xE2\x82", 0,
     "text/html; charset=utf-8", "ab\xEF\xBF\xBD", "UTF-8"},
};

static void conversions_follow_the_table(void **state)
{
    (void)state;
    for (size_t i = 0; i < sizeof CONV / sizeof CONV[0]; i++) {
        const conv_case *c = &CONV[i];
        size_t len = c->len ? c->len : strlen(c->data);
        char *out = NULL, *cs = NULL;
        size_t out_len = 0;
        print_message("case %s\n", c->name);
        assert_int_equal(
            charset_to_utf8(c->data, len, c->content_type, &out, &out_len, &cs),
            VG_OK);
        assert_non_null(out);
        assert_string_equal(out, c->want_text);
        assert_int_equal(out_len, strlen(c->want_text));
        assert_string_equal(cs, c->want_charset);
        assert_true(charset_is_utf8(out, out_len));
        free(out);
        free(cs);
    }
}

typedef struct label_case {
    const char *label;
    const char *want; /* NULL: rejected */
} label_case;

static const label_case LABELS[] = {
    {"ISO-8859-1", "WINDOWS-1252"}, {" 'us-ascii' ", "WINDOWS-1252"},
    {"UTF8", "UTF-8"},              {"utf-8", "UTF-8"},
    {"gb2312", "GBK"},              {"Shift_JIS", "SHIFT_JIS"},
    {"koi8-r", "KOI8-R"},           {"", NULL},
    {"utf-8//IGNORE", NULL},        {"no-such-charset", NULL},
};

static void labels_map_like_browsers(void **state)
{
    (void)state;
    for (size_t i = 0; i < sizeof LABELS / sizeof LABELS[0]; i++) {
        char *got = charset_normalize(LABELS[i].label, strlen(LABELS[i].label));
        print_message("label '%s'\n", LABELS[i].label);
        if (LABELS[i].want)
            assert_string_equal(got, LABELS[i].want);
        else
            assert_null(got);
        free(got);
    }
}

static void content_type_parameter_is_found(void **state)
{
    (void)state;
    char *cs = charset_from_content_type("text/html; Charset = \"UTF-8\"");
    assert_string_equal(cs, "UTF-8");
    free(cs);
    assert_null(charset_from_content_type("text/html"));
    assert_null(charset_from_content_type(NULL));
}

static void meta_past_prescan_window_is_ignored(void **state)
{
    (void)state;
    size_t pad = CHARSET_PRESCAN_BYTES + 10;
    char *doc = malloc(pad + 64);
    assert_non_null(doc);
    memset(doc, ' ', pad);
    memcpy(doc + pad, "<meta charset=koi8-r>", sizeof "<meta charset=koi8-r>");
    assert_null(charset_from_meta(doc, strlen(doc)));
    free(doc);
}

static void convert_rejects_unknown_charset(void **state)
{
    (void)state;
    char *out = NULL;
    size_t n = 0;
    assert_int_equal(charset_convert("abc", 3, "x-unknown", &out, &n),
                     VG_EINVAL);
    assert_null(out);
}

static void truncated_multibyte_at_end_is_replaced(void **state)
{
    (void)state;
    char *out = NULL;
    size_t n = 0;
    /* A lone Shift_JIS lead byte at the very end. */
    assert_int_equal(charset_convert("ab\x82", 3, "shift_jis", &out, &n), VG_OK);
    assert_string_equal(out, "ab\xEF\xBF\xBD");
    free(out);
}

static void nul_bytes_are_kept_with_their_length(void **state)
{
    (void)state;
    char *out = NULL;
    size_t n = 0;
    assert_int_equal(charset_to_utf8("a\0b", 3, "text/html; charset=utf-8",
                                     &out, &n, NULL),
                     VG_OK);
    assert_int_equal(n, 3);
    assert_memory_equal(out, "a\0b", 4);
    free(out);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(conversions_follow_the_table),
        cmocka_unit_test(labels_map_like_browsers),
        cmocka_unit_test(content_type_parameter_is_found),
        cmocka_unit_test(meta_past_prescan_window_is_ignored),
        cmocka_unit_test(convert_rejects_unknown_charset),
        cmocka_unit_test(truncated_multibyte_at_end_is_replaced),
        cmocka_unit_test(nul_bytes_are_kept_with_their_length),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
