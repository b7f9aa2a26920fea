/*
 * JSON Feed 1.0 and 1.1 (jsonfeed.org) with jansson, into the same
 * canonical model as RSS and Atom (feed_model.c), so `vigie parse` and
 * its consumers see one shape whatever the format. 1.1 renamed author to
 * authors and added language; both spellings are read. content_html and
 * content_text become two content entries with their types; summary is
 * the summary field, else the text content.
 */
#include "parser/feed.h"

#include "core/buf.h"
#include "core/url.h"
#include "parser/date.h"

#include <jansson.h>
#include <stdlib.h>
#include <string.h>

static const char *str(const json_t *o, const char *key)
{
    const json_t *v = json_object_get(o, key);
    return json_is_string(v) ? json_string_value(v) : NULL;
}

/* url resolved against the document base when relative. */
static json_t *url_value(const char *base, const char *ref)
{
    char *abs = NULL;
    json_t *v;
    if (vg_url_resolve(base, ref, &abs) == VG_OK) {
        v = json_string(abs);
        free(abs);
    } else {
        v = json_string(ref);
    }
    return v ? v : json_null();
}

static void date_into(json_t *o, const char *key, const char *raw)
{
    char rk[64], iso[32];
    int64_t t;
    snprintf(rk, sizeof rk, "%s_raw", key);
    if (date_parse_flags(raw, DATE_REDUCED, &t) == VG_OK && date_format_utc(t, iso, sizeof iso) == VG_OK)
        json_object_set_new(o, key, json_string(iso));
    else
        json_object_set_new(o, key, json_null());
    json_object_set_new(o, rk, json_string(raw));
}

static json_t *detail(const char *type, const char *value, const char *lang,
                      const char *base)
{
    json_t *d = json_object();
    json_object_set_new(d, "type", json_string(type));
    json_object_set_new(d, "value", json_string(value));
    json_object_set_new(d, "language", lang ? json_string(lang) : json_null());
    json_object_set_new(d, "base", base ? json_string(base) : json_null());
    return d;
}

static void text_into(json_t *o, const char *key, const char *type, const char *value,
                      const char *lang, const char *base)
{
    char dk[64];
    snprintf(dk, sizeof dk, "%s_detail", key);
    json_object_set_new(o, key, json_string(value));
    json_object_set_new(o, dk, detail(type, value, lang, base));
}

/* author (1.0) and authors (1.1) into author, author_detail, authors. */
static void authors_into(json_t *o, const json_t *src, const char *base)
{
    json_t *list = json_array();
    const json_t *one = json_object_get(src, "author");
    const json_t *many = json_object_get(src, "authors");
    size_t i;
    const json_t *a;
    json_t *all = json_array();
    if (json_is_array(many))
        json_array_foreach(many, i, a) json_array_append(all, (json_t *)a);
    else if (json_is_object(one))
        json_array_append(all, (json_t *)one);
    json_array_foreach(all, i, a)
    {
        if (!json_is_object(a))
            continue;
        json_t *p = json_object();
        if (str(a, "name"))
            json_object_set_new(p, "name", json_string(str(a, "name")));
        if (str(a, "url")) {
            const char *u = str(a, "url");
            if (strncmp(u, "mailto:", 7) == 0)
                json_object_set_new(p, "email", json_string(u + 7));
            else
                json_object_set_new(p, "href", url_value(base, u));
        }
        if (str(a, "avatar"))
            json_object_set_new(p, "avatar", url_value(base, str(a, "avatar")));
        json_array_append_new(list, p);
    }
    json_decref(all);
    if (json_array_size(list)) {
        json_t *first = json_array_get(list, 0);
        const char *name = str(first, "name");
        if (name)
            json_object_set_new(o, "author", json_string(name));
        json_object_set(o, "author_detail", first);
        json_object_set(o, "authors", list);
    }
    json_decref(list);
}

static json_t *item_model(const json_t *it, const char *lang, const char *base)
{
    json_t *e = json_object();
    const char *v;
    const char *ilang = str(it, "language") ? str(it, "language") : lang;
    const json_t *id = json_object_get(it, "id");
    if (json_is_string(id))
        json_object_set_new(e, "id", json_string(json_string_value(id)));
    else if (json_is_integer(id)) {
        /* 1.0 feeds in the wild use numbers; the spec says string. */
        char num[32];
        snprintf(num, sizeof num, "%lld", (long long)json_integer_value(id));
        json_object_set_new(e, "id", json_string(num));
    }
    if ((v = str(it, "url"))) {
        json_t *u = url_value(base, v);
        json_t *l = json_object();
        json_object_set_new(l, "rel", json_string("alternate"));
        json_object_set_new(l, "type", json_string("text/html"));
        json_object_set(l, "href", u);
        json_object_set_new(e, "links", json_array());
        json_array_append_new(json_object_get(e, "links"), l);
        json_object_set_new(e, "link", u);
    }
    if ((v = str(it, "external_url"))) {
        json_t *l = json_object();
        json_object_set_new(l, "rel", json_string("related"));
        json_object_set_new(l, "type", json_string("text/html"));
        json_object_set_new(l, "href", url_value(base, v));
        if (!json_object_get(e, "links"))
            json_object_set_new(e, "links", json_array());
        json_array_append_new(json_object_get(e, "links"), l);
    }
    if ((v = str(it, "title")))
        text_into(e, "title", "text/plain", v, ilang, base);
    json_t *content = json_array();
    if ((v = str(it, "content_html")))
        json_array_append_new(content, detail("text/html", v, ilang, base));
    if ((v = str(it, "content_text")))
        json_array_append_new(content, detail("text/plain", v, ilang, base));
    if (json_array_size(content))
        json_object_set(e, "content", content);
    json_decref(content);
    if ((v = str(it, "summary")))
        text_into(e, "summary", "text/plain", v, ilang, base);
    else if ((v = str(it, "content_text")))
        text_into(e, "summary", "text/plain", v, ilang, base);
    else if ((v = str(it, "content_html")))
        text_into(e, "summary", "text/html", v, ilang, base);
    if ((v = str(it, "date_published")))
        date_into(e, "published", v);
    if ((v = str(it, "date_modified")))
        date_into(e, "updated", v);
    if ((v = str(it, "image")))
        json_object_set_new(e, "image", url_value(base, v));
    authors_into(e, it, base);
    const json_t *tags = json_object_get(it, "tags");
    if (json_is_array(tags)) {
        json_t *out = json_array();
        size_t i;
        const json_t *t;
        json_array_foreach(tags, i, t)
        {
            if (!json_is_string(t))
                continue;
            json_t *tg = json_object();
            json_object_set_new(tg, "term", json_string(json_string_value(t)));
            json_object_set_new(tg, "scheme", json_null());
            json_object_set_new(tg, "label", json_null());
            json_array_append_new(out, tg);
        }
        json_object_set_new(e, "tags", out);
    }
    const json_t *atts = json_object_get(it, "attachments");
    if (json_is_array(atts)) {
        json_t *out = json_array();
        size_t i;
        const json_t *a;
        json_array_foreach(atts, i, a)
        {
            if (!json_is_object(a) || !str(a, "url"))
                continue;
            json_t *enc = json_object();
            json_object_set_new(enc, "href", url_value(base, str(a, "url")));
            if (str(a, "mime_type"))
                json_object_set_new(enc, "type", json_string(str(a, "mime_type")));
            const json_t *size = json_object_get(a, "size_in_bytes");
            if (json_is_integer(size)) {
                char num[32];
                snprintf(num, sizeof num, "%lld", (long long)json_integer_value(size));
                json_object_set_new(enc, "length", json_string(num));
            }
            json_array_append_new(out, enc);
        }
        json_object_set_new(e, "enclosures", out);
    }
    if (ilang)
        json_object_set_new(e, "language", json_string(ilang));
    return e;
}

vg_err feed_jsonfeed_model(const char *data, size_t len, const feed_model_opts *opts,
                           char **out)
{
    json_error_t jerr;
    json_t *doc = NULL, *model = NULL, *feed_j = NULL, *entries = NULL;
    char *base = NULL;
    vg_err rc = VG_OK;
    *out = NULL;
    if (!data && len)
        return vg_error_set(VG_EINVAL, "feed_jsonfeed_model: NULL data");
    if (len > FEED_MAX_BYTES)
        return vg_error_set(VG_ETOOBIG, "feed of %zu bytes is over the %u-byte limit", len,
                            FEED_MAX_BYTES);
    const char *url = opts ? opts->url : NULL;
    if (opts && opts->content_location && *opts->content_location) {
        if (vg_url_resolve(url, opts->content_location, &base) != VG_OK)
            base = vg_strdup(opts->content_location);
    } else if (url) {
        base = vg_strdup(url);
    }
    /* JSON_REJECT_DUPLICATES is not used: duplicate keys are ill-formed
     * but harmless (last wins); a NUL inside a string is refused. */
    doc = len ? json_loadb(data, len, 0, &jerr) : NULL;
    model = json_object();
    feed_j = json_object();
    entries = json_array();
    if (!model || !feed_j || !entries) {
        rc = VG_ENOMEM;
        goto cleanup;
    }
    const char *version = str(doc, "version");
    int ok = json_is_object(doc) && version &&
             strstr(version, "jsonfeed.org/version/1") != NULL;
    json_object_set_new(model, "bozo", json_boolean(!ok));
    json_object_set_new(model, "version",
                        json_string(!ok                              ? ""
                                    : strstr(version, "/version/1.1") ? "json11"
                                                                     : "json1"));
    json_object_set_new(model, "encoding", json_string("utf-8"));
    if (!ok) {
        json_object_set_new(model, "bozo_exception",
                            json_string(doc ? "not a JSON Feed" : "not JSON"));
        goto done;
    }
    const char *lang = str(doc, "language");
    if (!lang && opts && opts->content_language && *opts->content_language)
        lang = opts->content_language;
    const char *v;
    if ((v = str(doc, "title")))
        text_into(feed_j, "title", "text/plain", v, lang, base);
    if ((v = str(doc, "description")))
        text_into(feed_j, "subtitle", "text/plain", v, lang, base);
    json_t *links = json_array();
    if ((v = str(doc, "home_page_url"))) {
        json_t *u = url_value(base, v), *l = json_object();
        json_object_set_new(l, "rel", json_string("alternate"));
        json_object_set_new(l, "type", json_string("text/html"));
        json_object_set(l, "href", u);
        json_array_append_new(links, l);
        json_object_set_new(feed_j, "link", u);
    }
    if ((v = str(doc, "feed_url"))) {
        json_t *l = json_object();
        json_object_set_new(l, "rel", json_string("self"));
        json_object_set_new(l, "type", json_string("application/feed+json"));
        json_object_set_new(l, "href", url_value(base, v));
        json_array_append_new(links, l);
    }
    if (json_array_size(links))
        json_object_set(feed_j, "links", links);
    json_decref(links);
    if ((v = str(doc, "icon")))
        json_object_set_new(feed_j, "image", url_value(base, v));
    if ((v = str(doc, "favicon")))
        json_object_set_new(feed_j, "icon", url_value(base, v));
    if (lang)
        json_object_set_new(feed_j, "language", json_string(lang));
    authors_into(feed_j, doc, base);
    const json_t *items = json_object_get(doc, "items");
    if (json_is_array(items)) {
        size_t i;
        const json_t *it;
        json_array_foreach(items, i, it)
        {
            if (i >= FEED_MAX_ENTRIES)
                break;
            if (json_is_object(it))
                json_array_append_new(entries, item_model(it, lang, base));
        }
    } else {
        json_object_set_new(model, "bozo", json_true());
        json_object_set_new(model, "bozo_exception", json_string("JSON Feed without items"));
    }
done:
    json_object_set(model, "feed", feed_j);
    json_object_set(model, "entries", entries);
    *out = json_dumps(model, JSON_INDENT(1) | JSON_PRESERVE_ORDER);
    if (!*out)
        rc = VG_ENOMEM;
cleanup:
    json_decref(doc);
    json_decref(model);
    json_decref(feed_j);
    json_decref(entries);
    free(base);
    return rc;
}
