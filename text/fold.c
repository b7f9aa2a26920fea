/*
 * Folding: the form under which "Crédit", "CREDIT" and "cre\u0301dit" are
 * one word. utf8proc does the Unicode work (compatibility decomposition,
 * case folding, mark stripping); we only add the ligatures and letters
 * that Unicode does not decompose (œ, æ, ø, ł, đ) because French and
 * Nordic writers expect them to fold like their spelled-out forms.
 */
#include "text/text_int.h"

#include <utf8proc.h>

/* Letters without a canonical decomposition that users expect folded. */
static const char *extra_fold(int32_t cp)
{
    switch (cp) {
    case 0x0152: case 0x0153: return "oe"; /* Œ œ */
    case 0x00C6: case 0x00E6: return "ae"; /* Æ æ */
    case 0x00D8: case 0x00F8: return "o";  /* Ø ø */
    case 0x0141: case 0x0142: return "l";  /* Ł ł */
    case 0x0110: case 0x0111: return "d";  /* Đ đ */
    case 0x00DE: case 0x00FE: return "th"; /* Þ þ */
    case 0x2019: case 0x2018: case 0x02BC: return "'";
    default: return NULL;
    }
}

/* The folded forms of U+00C0..U+00FF, the accented letters of French and
 * the other Western European languages: what fold_unicode gives for each
 * (a unit test holds the two together), looked up instead of computed
 * because most non-ASCII letters of our texts are in this block. */
const char fold_latin1[64][3] = {
    "a", "a", "a", "a", "a", "a", "ae", "c",                 /* À..Ç */
    "e", "e", "e", "e", "i", "i", "i", "i",                  /* È..Ï */
    "\xc3\xb0", "n", "o", "o", "o", "o", "o", "\xc3\x97",    /* Ð..× */
    "o", "u", "u", "u", "u", "y", "th", "ss",                /* Ø..ß */
    "a", "a", "a", "a", "a", "a", "ae", "c",                 /* à..ç */
    "e", "e", "e", "e", "i", "i", "i", "i",                  /* è..ï */
    "\xc3\xb0", "n", "o", "o", "o", "o", "o", "\xc3\xb7",    /* ð..÷ */
    "o", "u", "u", "u", "u", "y", "th", "y",                 /* ø..ÿ */
};

/* The same for U+0400..U+045F, the Cyrillic letters of Russian,
 * Ukrainian, Bulgarian and Serbian: each folds to one code point (lower
 * case, the breve of й and the diaeresis of ё stripped). */
static const uint16_t fold_cyrillic[96] = {
    0x0435, 0x0435, 0x0452, 0x0433, 0x0454, 0x0455, 0x0456, 0x0456, /* Ѐ..Ї */
    0x0458, 0x0459, 0x045A, 0x045B, 0x043A, 0x0438, 0x0443, 0x045F, /* Ј..Џ */
    0x0430, 0x0431, 0x0432, 0x0433, 0x0434, 0x0435, 0x0436, 0x0437, /* А..З */
    0x0438, 0x0438, 0x043A, 0x043B, 0x043C, 0x043D, 0x043E, 0x043F, /* И..П */
    0x0440, 0x0441, 0x0442, 0x0443, 0x0444, 0x0445, 0x0446, 0x0447, /* Р..Ч */
    0x0448, 0x0449, 0x044A, 0x044B, 0x044C, 0x044D, 0x044E, 0x044F, /* Ш..Я */
    0x0430, 0x0431, 0x0432, 0x0433, 0x0434, 0x0435, 0x0436, 0x0437, /* а..з */
    0x0438, 0x0438, 0x043A, 0x043B, 0x043C, 0x043D, 0x043E, 0x043F, /* и..п */
    0x0440, 0x0441, 0x0442, 0x0443, 0x0444, 0x0445, 0x0446, 0x0447, /* р..ч */
    0x0448, 0x0449, 0x044A, 0x044B, 0x044C, 0x044D, 0x044E, 0x044F, /* ш..я */
    0x0435, 0x0435, 0x0452, 0x0433, 0x0454, 0x0455, 0x0456, 0x0456, /* ѐ..ї */
    0x0458, 0x0459, 0x045A, 0x045B, 0x043A, 0x0438, 0x0443, 0x045F, /* ј..џ */
};

vg_err fold_unicode(int32_t cp, vg_buf *out)
{
    const char *x = extra_fold(cp);
    if (x)
        return vg_buf_puts(out, x);
    utf8proc_int32_t dst[18];
    int last = 0;
    utf8proc_ssize_t n = utf8proc_decompose_char(
        cp, dst, 18,
        UTF8PROC_DECOMPOSE | UTF8PROC_COMPAT | UTF8PROC_CASEFOLD |
            UTF8PROC_STRIPMARK,
        &last);
    if (n < 0 || n > 18) {
        n = 1;
        dst[0] = cp;
    }
    for (utf8proc_ssize_t i = 0; i < n; i++) {
        const char *y = extra_fold(dst[i]);
        if (y) {
            vg_buf_puts(out, y);
            continue;
        }
        utf8proc_uint8_t enc[4];
        utf8proc_ssize_t k = utf8proc_encode_char(dst[i], enc);
        vg_buf_append(out, enc, (size_t)k);
    }
    return out->err;
}

vg_err fold_codepoint(int32_t cp, vg_buf *out)
{
    if (cp < 0x80) {
        char c = (char)cp;
        if (c >= 'A' && c <= 'Z')
            c = (char)(c + 32);
        return vg_buf_putc(out, c);
    }
    /* The tables append what fold_unicode appends, piece by piece: the
     * same bytes even when out reaches its cap. */
    if (cp >= 0xC0 && cp <= 0xFF) {
        const char *x = fold_latin1[cp - 0xC0];
        if (cp == 0xDF) { /* ß: utf8proc gives two code points, "s" "s" */
            vg_buf_putc(out, 's');
            return vg_buf_putc(out, 's');
        }
        return vg_buf_append(out, x, x[1] ? 2 : 1);
    }
    if (cp >= 0x400 && cp <= 0x45F) {
        unsigned f = fold_cyrillic[cp - 0x400];
        char enc[2] = {(char)(0xC0 | f >> 6), (char)(0x80 | (f & 0x3F))};
        return vg_buf_append(out, enc, 2);
    }
    return fold_unicode(cp, out);
}

vg_err text_fold(const char *s, size_t len, vg_buf *out)
{
    size_t i = 0;
    while (i < len) {
        unsigned char c = (unsigned char)s[i];
        if (c < 0x80) {
            /* ASCII needs no decoding: most words are mostly ASCII. */
            vg_buf_putc(out, (char)(c >= 'A' && c <= 'Z' ? c + 32 : c));
            i++;
            continue;
        }
        /* Two-byte sequences decode inline; utf8proc judges the rest. */
        unsigned char c1 = i + 1 < len ? (unsigned char)s[i + 1] : 0;
        if (c >= 0xC2 && c <= 0xDF && (c1 & 0xC0) == 0x80) {
            fold_codepoint((int32_t)((c & 0x1Fu) << 6 | (c1 & 0x3Fu)), out);
            i += 2;
            continue;
        }
        utf8proc_int32_t cp;
        utf8proc_ssize_t k = utf8proc_iterate((const utf8proc_uint8_t *)s + i,
                                              (utf8proc_ssize_t)(len - i), &cp);
        if (k <= 0) {
            i++; /* invalid byte: dropped */
            continue;
        }
        fold_codepoint(cp, out);
        i += (size_t)k;
    }
    return out->err;
}

vg_err text_utf8_sanitize(const char *s, size_t len, vg_buf *out)
{
    size_t i = 0;
    while (i < len) {
        utf8proc_int32_t cp;
        utf8proc_ssize_t k = utf8proc_iterate((const utf8proc_uint8_t *)s + i,
                                              (utf8proc_ssize_t)(len - i), &cp);
        if (k <= 0) {
            vg_buf_puts(out, "\xEF\xBF\xBD");
            i++;
            continue;
        }
        vg_buf_append(out, s + i, (size_t)k);
        i += (size_t)k;
    }
    return out->err;
}
