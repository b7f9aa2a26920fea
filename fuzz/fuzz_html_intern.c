/*
 * Differential fuzz target for the text runs hidden from Gumbo
 * (parser/html_intern.c): the input, made valid UTF-8 the way the
 * extractor's charset step leaves every page, is parsed by Gumbo as it
 * is and again with its runs behind placeholders then expanded. The two
 * trees must match node for node (types, tags, text, attribute values);
 * any difference aborts, as do crashes and sanitizer reports. The second
 * parse allocates from a region (parser/html_region.c), as html_extract
 * does, so the comparison also holds Gumbo's tree there to the one it
 * builds through malloc.
 */
#include "parser/html_int.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* Larger inputs add time, not cases. */
#define MAX_INPUT 16384

/* Copies data with every byte that does not start a valid UTF-8
 * sequence replaced by '?', and NULs by ' '. */
static char *valid_utf8(const uint8_t *d, size_t n)
{
    char *s = malloc(n + 1);
    if (!s)
        return NULL;
    size_t i = 0;
    while (i < n) {
        uint8_t c = d[i];
        size_t k = c < 0x80 ? 1 : c >= 0xC2 && c <= 0xDF ? 2
                               : c >= 0xE0 && c <= 0xEF ? 3
                               : c >= 0xF0 && c <= 0xF4 ? 4 : 0;
        int ok = k > 0 && i + k <= n;
        for (size_t j = 1; ok && j < k; j++)
            ok = (d[i + j] & 0xC0) == 0x80;
        if (ok && k == 3) {
            uint32_t cp = ((uint32_t)(c & 0x0F) << 12) |
                          ((uint32_t)(d[i + 1] & 0x3F) << 6);
            ok = cp >= 0x800 && (cp < 0xD800 || cp > 0xDFFF);
        } else if (ok && k == 4) {
            uint32_t cp = ((uint32_t)(c & 0x07) << 18) |
                          ((uint32_t)(d[i + 1] & 0x3F) << 12);
            ok = cp >= 0x10000 && cp <= 0x10FFFF;
        }
        if (!ok) {
            s[i] = '?';
            i++;
            continue;
        }
        memcpy(s + i, d + i, k);
        if (k == 1 && s[i] == '\0')
            s[i] = ' ';
        i += k;
    }
    s[n] = '\0';
    return s;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (size > MAX_INPUT)
        return 0;
    char *page = valid_utf8(data, size);
    if (!page)
        return 0;
    GumboOptions opt = kGumboDefaultOptions;
    opt.max_errors = 0;
    GumboOutput *plain = gumbo_parse_with_options(&opt, page, size);
    html_runs r;
    size_t len = size;
    if (html_runs_intern(page, &len, &r) != VG_OK) {
        gumbo_destroy_output(&opt, plain);
        free(page);
        return 0;
    }
    GumboOptions ropt = opt;
    html_region region;
    html_region_init(&region);
    html_region_use(&region, &ropt);
    GumboOutput *hid = gumbo_parse_with_options(&ropt, page, len);
    if (html_runs_expand(&r, hid->document) != VG_OK)
        abort(); /* only on allocation failure */
    if (!html_tree_same(plain->document, hid->document))
        abort();
    html_runs_free(&r);
    html_region_free(&region);
    gumbo_destroy_output(&opt, plain);
    free(page);
    return 0;
}
