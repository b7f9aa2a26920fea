/*
 * Fuzz target for the HTML extractor: the input as a fetched page
 * through html_extract (charset sniffing, the nesting guard, Gumbo, the
 * flat tree, metadata, main-text scoring and cleaning), with and without
 * a base URL and an HTTP charset, and through html_to_text as a feed
 * summary. Any result is fine; crashes, leaks and sanitizer reports are
 * bugs.
 */
#include "parser/html.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    const char *s = (const char *)data;
    html_doc *d = NULL;
    if (html_extract(s, size, NULL, NULL, &d) == VG_OK) {
        /* The contract: text is never NULL and always a C string. */
        if (!d->text || strlen(d->text) > HTML_MAX_BYTES)
            abort();
    }
    html_doc_free(d);
    d = NULL;
    (void)html_extract(s, size, "https://example.org/a/b.html",
                       "text/html; charset=iso-8859-1", &d);
    html_doc_free(d);
    char *t = NULL;
    (void)html_to_text(s, size, &t);
    free(t);
    return 0;
}
