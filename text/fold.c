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

vg_err fold_codepoint(int32_t cp, vg_buf *out)
{
    if (cp < 0x80) {
        char c = (char)cp;
        if (c >= 'A' && c <= 'Z')
            c = (char)(c + 32);
        return vg_buf_putc(out, c);
    }
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

vg_err text_fold(const char *s, size_t len, vg_buf *out)
{
    size_t i = 0;
    while (i < len) {
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
