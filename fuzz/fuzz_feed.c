/*
 * Fuzz target for the feed parser: the same bytes go through the
 * pipeline's reader (feed_parse) and the canonical model (RSS, Atom and
 * JSON Feed, feed_model_json), with a base URL and a Content-Type so
 * link resolution and charset overrides are exercised too. Any crash,
 * leak or sanitizer report is a bug; parse errors are expected.
 */
#include "parser/feed.h"

#include <stdint.h>
#include <stdlib.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    static int ready;
    if (!ready) {
        feed_global_init();
        ready = 1;
    }
    const char *d = (const char *)data;
    feed *f = NULL;
    if (feed_parse(d, size, "http://fuzz.example/dir/feed.xml", NULL, &f) == 0)
        feed_free(f);
    f = NULL;
    if (feed_parse(d, size, NULL, "application/xml; charset=iso-8859-1", &f) == 0)
        feed_free(f);
    feed_model_opts o = FEED_MODEL_OPTS_INIT;
    o.url = "http://fuzz.example/dir/feed.xml";
    o.content_location = "../other/";
    o.content_language = "fr";
    char *json = NULL;
    if (feed_model_json(d, size, &o, &json) == 0)
        free(json);
    json = NULL;
    o.content_type = "text/xml";
    o.markup_text = 1;
    if (feed_model_json(d, size, &o, &json) == 0)
        free(json);
    return 0;
}
