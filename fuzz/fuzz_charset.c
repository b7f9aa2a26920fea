/*
 * Fuzz target for the charset converter: the input through
 * charset_to_utf8 with no header, with a header taken from its first
 * line, and through charset_convert with a few fixed labels. Every
 * successful output must be valid UTF-8 of the stated length, NUL-
 * terminated just past it: anything else is a bug, as are crashes and
 * sanitizer reports.
 */
#include "parser/charset.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void check(char *out, size_t out_len)
{
    /* NULs in the input survive as NULs: the length is out_len, not
     * strlen, and the terminator sits just past it. */
    if (!out || out[out_len] != '\0' || !charset_is_utf8(out, out_len))
        abort();
    free(out);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    const char *s = (const char *)data;
    char *out = NULL, *cs = NULL;
    size_t out_len = 0;
    if (charset_to_utf8(s, size, NULL, &out, &out_len, &cs) == VG_OK) {
        check(out, out_len);
        free(cs);
    }
    /* The first line (up to 64 bytes) as a Content-Type header. */
    char header[96] = "text/html; charset=";
    size_t h = strlen(header), i = 0;
    while (i < size && i < 64 && s[i] != '\n' && s[i] != '\0')
        header[h++] = s[i++];
    header[h] = '\0';
    out = NULL;
    if (charset_to_utf8(s, size, header, &out, &out_len, NULL) == VG_OK)
        check(out, out_len);
    static const char *const LABELS[] = {"utf-8", "windows-1252",
                                         "shift_jis", "utf-16", "gb18030"};
    for (size_t k = 0; k < sizeof LABELS / sizeof LABELS[0]; k++) {
        out = NULL;
        if (charset_convert(s, size, LABELS[k], &out, &out_len) == VG_OK)
            check(out, out_len);
    }
    return 0;
}
