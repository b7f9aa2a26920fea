/*
 * The passes that read every byte of a page's text take plain ASCII prose
 * eight bytes at a time and everything else a byte at a time. These tests
 * hold both paths to one answer: html_text_len and hrender_text are
 * compared with a plain byte-by-byte reading (written here, from their
 * contracts) on texts built to put blanks, commas and multi-byte
 * characters at every offset of an eight-byte group.
 */
#include "parser/html_int.h"

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

/* Blank as the passes see it: ASCII whitespace or NBSP; its width. */
static size_t ref_blank(const unsigned char *s, size_t n)
{
    if (s[0] == ' ' || s[0] == '\t' || s[0] == '\n' || s[0] == '\r' ||
        s[0] == '\f' || s[0] == '\v')
        return 1;
    return n >= 2 && s[0] == 0xC2 && s[1] == 0xA0 ? 2 : 0;
}

/* Code points with each blank run counted once, and commas (ASCII,
 * fullwidth, ideographic). */
static size_t ref_len(const char *str, size_t n, size_t *commas)
{
    const unsigned char *s = (const unsigned char *)str;
    size_t len = 0, c = 0;
    int in_ws = 0;
    for (size_t i = 0; i < n;) {
        size_t w = ref_blank(s + i, n - i);
        if (w) {
            len += !in_ws;
            in_ws = 1;
            i += w;
            continue;
        }
        in_ws = 0;
        if (s[i] == ',' ||
            (n - i >= 3 && s[i] == 0xEF && s[i + 1] == 0xBC && s[i + 2] == 0x8C) ||
            (n - i >= 3 && s[i] == 0xE3 && s[i + 1] == 0x80 && s[i + 2] == 0x81))
            c++;
        len += (s[i] & 0xC0) != 0x80;
        i++;
    }
    *commas = c;
    return len;
}

/* The text with each blank run written as one space, none at the start. */
static char *ref_render(const char *str, size_t n)
{
    const unsigned char *s = (const unsigned char *)str;
    char *out = malloc(n + 1);
    size_t m = 0;
    int pending = 0;
    for (size_t i = 0; i < n;) {
        size_t w = ref_blank(s + i, n - i);
        if (w) {
            pending = 1;
            i += w;
            continue;
        }
        if (pending && m > 0)
            out[m++] = ' ';
        pending = 0;
        out[m++] = (char)s[i++];
    }
    out[m] = '\0';
    return out;
}

static void check(const char *s, size_t n)
{
    size_t want_c = 0, got_c = 0;
    size_t want = ref_len(s, n, &want_c);
    size_t got = html_text_len(s, n, &got_c);
    if (got != want || got_c != want_c)
        fail_msg("html_text_len(\"%.*s\"): %zu/%zu commas, want %zu/%zu",
                 (int)n, s, got, got_c, want, want_c);

    vg_buf b;
    vg_buf_init(&b, 1 << 20);
    hrender r = {.out = &b, .pending = HR_NONE, .para_break = "\n"};
    hrender_text(&r, s, n);
    char *ref = ref_render(s, n);
    if (strcmp(vg_buf_str(&b), ref) != 0)
        fail_msg("hrender_text(\"%.*s\") = \"%s\", want \"%s\"", (int)n, s,
                 vg_buf_str(&b), ref);
    free(ref);
    vg_buf_free(&b);
}

static void known_texts_are_measured(void **state)
{
    (void)state;
    static const struct {
        const char *s;
        size_t len, commas;
    } rows[] = {
        {"", 0, 0},
        {"abcdefgh", 8, 0},
        {"abcdefgh ijklmnop", 17, 0},
        {"abcdefgh  ijklmnop", 17, 0},       /* a double space counts once */
        {"abc, def, ghi, jkl", 18, 3},
        {"   leading and trailing   ", 22, 0},
        {"caf\xc3\xa9 cr\xc3\xa8me br\xc3\xbbl\xc3\xa9" "e", 17, 0},
        {"one\xc2\xa0two three", 13, 0},      /* NBSP is a blank */
        {"a\xef\xbc\x8c" "b\xe3\x80\x81" "c", 5, 2},
        {"tab\there\nnew line", 17, 0},
    };
    for (size_t i = 0; i < sizeof rows / sizeof rows[0]; i++) {
        size_t c = 0;
        size_t len = html_text_len(rows[i].s, strlen(rows[i].s), &c);
        if (len != rows[i].len || c != rows[i].commas)
            fail_msg("\"%s\": %zu/%zu, want %zu/%zu", rows[i].s, len, c,
                     rows[i].len, rows[i].commas);
        check(rows[i].s, strlen(rows[i].s));
    }
}

/* Every piece at every offset: a run of letters, then one of the pieces
 * the eight-byte path must stop at, then more letters. */
static void special_bytes_at_every_offset(void **state)
{
    (void)state;
    static const char *const pieces[] = {
        " ", "  ", "\t", "\n", " \n ", ",", ", ", "\xc2\xa0", " \xc2\xa0",
        "\xc3\xa9", "\xef\xbc\x8c", "\xe3\x80\x81", "\x7f", "&", "\xe2\x80\x99",
        "\xf0\x9f\x98\x80", " x ", "\x01",
    };
    char buf[128];
    for (size_t p = 0; p < sizeof pieces / sizeof pieces[0]; p++)
        for (size_t before = 0; before < 20; before++)
            for (size_t after = 0; after < 12; after++) {
                size_t n = 0;
                for (size_t k = 0; k < before; k++)
                    buf[n++] = (char)('a' + k % 26);
                size_t pl = strlen(pieces[p]);
                memcpy(buf + n, pieces[p], pl);
                n += pl;
                for (size_t k = 0; k < after; k++)
                    buf[n++] = (char)(k % 3 == 2 ? ' ' : 'A' + k % 26);
                buf[n] = '\0';
                check(buf, n);
            }
}

/* Random texts over a small alphabet rich in blanks and commas. */
static void random_texts_agree(void **state)
{
    (void)state;
    static const char *const atoms[] = {
        "a", "b", "Z", " ", " ", "  ", "\t", "\n", ",", ".", "\xc2\xa0",
        "\xc3\xa9", "\xef\xbc\x8c", "word", "prose ", "x,y",
    };
    uint64_t seed = 0x9E3779B97F4A7C15ULL;
    char buf[256];
    for (int round = 0; round < 20000; round++) {
        size_t n = 0;
        seed = seed * 6364136223846793005ULL + 1442695040888963407ULL;
        size_t count = (size_t)(seed >> 59);
        for (size_t k = 0; k < count * 3 && n < 200; k++) {
            seed = seed * 6364136223846793005ULL + 1442695040888963407ULL;
            const char *a = atoms[(seed >> 33) % (sizeof atoms / sizeof atoms[0])];
            size_t al = strlen(a);
            memcpy(buf + n, a, al);
            n += al;
        }
        buf[n] = '\0';
        check(buf, n);
    }
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(known_texts_are_measured),
        cmocka_unit_test(special_bytes_at_every_offset),
        cmocka_unit_test(random_texts_agree),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
