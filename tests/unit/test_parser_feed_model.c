/*
 * parser/feed_model.c, parser/jsonfeed.c and the date additions: the
 * canonical model (docs/parsing.md) carries each field the issue lists,
 * for RSS, RDF, Atom 0.3/1.0 and JSON Feed 1.0/1.1; relative links go
 * through xml:base, then Content-Location, then the URL; unparseable
 * dates stay raw and null; encodings and broken documents are flagged.
 * Every case is a small document written here and a list of
 * path = expected value checks on the JSON.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "parser/date.h"
#include "parser/feed.h"

/* Walks "a.b[2].c" in a JSON document; NULL when absent. */
static json_t *at(json_t *doc, const char *path)
{
    char key[128];
    const char *p = path;
    json_t *cur = doc;
    while (*p && cur) {
        if (*p == '.') {
            p++;
            continue;
        }
        if (*p == '[') {
            cur = json_array_get(cur, strtoul(p + 1, NULL, 10));
            p = strchr(p, ']') + 1;
            continue;
        }
        size_t n = strcspn(p, ".[");
        snprintf(key, sizeof key, "%.*s", (int)n, p);
        cur = json_object_get(cur, key);
        p += n;
    }
    return cur;
}

typedef struct {
    const char *path;
    const char *want; /* a string; "null" for JSON null; "<absent>"; "true"/"false" */
} check;

typedef struct {
    const char *name;
    const char *doc;
    const char *url, *ctype, *cloc, *clang;
    check checks[12];
} model_case;

static void run_case(const model_case *mc)
{
    feed_model_opts o = FEED_MODEL_OPTS_INIT;
    o.url = mc->url;
    o.content_type = mc->ctype;
    o.content_location = mc->cloc;
    o.content_language = mc->clang;
    char *out = NULL;
    assert_int_equal(feed_model_json(mc->doc, strlen(mc->doc), &o, &out), VG_OK);
    json_error_t err;
    json_t *doc = json_loads(out, 0, &err);
    assert_non_null(doc);
    for (int i = 0; mc->checks[i].path; i++) {
        const check *c = &mc->checks[i];
        json_t *v = at(doc, c->path);
        int ok;
        if (strcmp(c->want, "<absent>") == 0)
            ok = v == NULL;
        else if (strcmp(c->want, "null") == 0)
            ok = json_is_null(v);
        else if (strcmp(c->want, "true") == 0 || strcmp(c->want, "false") == 0)
            ok = json_is_boolean(v) && json_is_true(v) == (c->want[0] == 't');
        else
            ok = json_is_string(v) && strcmp(json_string_value(v), c->want) == 0;
        if (!ok) {
            char *s = v ? json_dumps(v, JSON_ENCODE_ANY) : NULL;
            print_error("case %s: %s is %s, want %s\n", mc->name, c->path,
                        s ? s : "<absent>", c->want);
            free(s);
        }
        assert_true(ok);
    }
    json_decref(doc);
    free(out);
}

static const model_case cases[] = {
    {"rss20_full_item",
     "<rss version=\"2.0\" xmlns:dc=\"http://purl.org/dc/elements/1.1/\""
     " xmlns:content=\"http://purl.org/rss/1.0/modules/content/\""
     " xmlns:sy=\"http://purl.org/rss/1.0/modules/syndication/\"><channel>"
     "<title>Chan</title><link>http://ex.example/</link><language>fr</language>"
     "<copyright>(c) Ex</copyright><generator>Gen 1</generator><ttl>15</ttl>"
     "<sy:updatePeriod>hourly</sy:updatePeriod><sy:updateFrequency>2</sy:updateFrequency>"
     "<item><title>One</title><link>/one</link><guid isPermaLink=\"false\">g1</guid>"
     "<description>&lt;b&gt;sum&lt;/b&gt;</description>"
     "<content:encoded><![CDATA[<p>full</p>]]></content:encoded>"
     "<author>jane@ex.example (Jane Doe)</author><category domain=\"http://s/\">news</category>"
     "<enclosure url=\"/a.mp3\" length=\"42\" type=\"audio/mpeg\"/>"
     "<pubDate>Sun, 23 Nov 2026 10:00:00 +0100</pubDate></item></channel></rss>",
     "http://ex.example/feed.xml", NULL, NULL, NULL,
     {{"version", "rss20"},
      {"bozo", "false"},
      {"feed.rights", "(c) Ex"},
      {"feed.generator", "Gen 1"},
      {"feed.ttl", "15"},
      {"feed.sy_updateperiod", "hourly"},
      {"feed.sy_updatefrequency", "2"},
      {"entries[0].link", "http://ex.example/one"},
      {"entries[0].id", "g1"},
      {"entries[0].summary_detail.type", "text/html"},
      {"entries[0].content[0].value", "<p>full</p>"},
      {NULL, NULL}}},
    {"rss20_people_tags_enclosures_dates",
     "<rss version=\"2.0\"><channel><title>C</title><item><title>One</title>"
     "<author>jane@ex.example (Jane Doe)</author><category domain=\"http://s/\">news</category>"
     "<enclosure url=\"http://ex.example/a.mp3\" length=\"42\" type=\"audio/mpeg\"/>"
     "<pubDate>Sun, 23 Nov 2026 10:00:00 +0100</pubDate></item></channel></rss>",
     NULL, NULL, NULL, NULL,
     {{"entries[0].author_detail.name", "Jane Doe"},
      {"entries[0].author_detail.email", "jane@ex.example"},
      {"entries[0].tags[0].term", "news"},
      {"entries[0].tags[0].scheme", "http://s/"},
      {"entries[0].enclosures[0].href", "http://ex.example/a.mp3"},
      {"entries[0].enclosures[0].length", "42"},
      {"entries[0].enclosures[0].type", "audio/mpeg"},
      {"entries[0].published", "2026-11-23T09:00:00Z"},
      {"entries[0].published_raw", "Sun, 23 Nov 2026 10:00:00 +0100"},
      {NULL, NULL}}},
    {"unparseable_date_kept_raw_and_null",
     "<rss version=\"2.0\"><channel><item><title>x</title>"
     "<pubDate>sometime last week</pubDate></item></channel></rss>",
     NULL, NULL, NULL, NULL,
     {{"entries[0].published", "null"},
      {"entries[0].published_raw", "sometime last week"},
      {NULL, NULL}}},
    {"rdf_items_beside_channel",
     "<rdf:RDF xmlns:rdf=\"http://www.w3.org/1999/02/22-rdf-syntax-ns#\""
     " xmlns=\"http://purl.org/rss/1.0/\" xmlns:dc=\"http://purl.org/dc/elements/1.1/\">"
     "<channel rdf:about=\"http://ex.example/\"><title>R</title></channel>"
     "<item rdf:about=\"http://ex.example/1\"><title>I</title><dc:date>2026-11-23T09:00Z</dc:date>"
     "<dc:subject>topic</dc:subject></item></rdf:RDF>",
     NULL, NULL, NULL, NULL,
     {{"version", "rss10"},
      {"feed.title", "R"},
      {"entries[0].id", "http://ex.example/1"},
      {"entries[0].updated", "2026-11-23T09:00:00Z"},
      {"entries[0].tags[0].term", "topic"},
      {NULL, NULL}}},
    {"atom10_xml_base_links_people",
     "<feed xmlns=\"http://www.w3.org/2005/Atom\" xml:base=\"http://ex.example/a/\" xml:lang=\"en\">"
     "<title type=\"html\">&lt;b&gt;T&lt;/b&gt;</title><rights>R</rights>"
     "<generator uri=\"/gen\" version=\"2\">G</generator>"
     "<author><name>A</name><email>a@ex.example</email><uri>me</uri></author>"
     "<link rel=\"self\" href=\"feed.xml\"/>"
     "<entry xml:base=\"b/\"><id>urn:1</id><title>E</title>"
     "<link href=\"page\"/><link rel=\"enclosure\" href=\"m.mp3\" length=\"3\" type=\"audio/mpeg\"/>"
     "<link rel=\"license\" href=\"/lic\"/><category term=\"t\" scheme=\"s\" label=\"L\"/>"
     "<updated>2026-11-23T09:00:00Z</updated></entry></feed>",
     NULL, NULL, NULL, NULL,
     {{"version", "atom10"},
      {"feed.title_detail.type", "text/html"},
      {"feed.title_detail.language", "en"},
      {"feed.generator_detail.href", "http://ex.example/gen"},
      {"feed.author_detail.href", "http://ex.example/a/me"},
      {"feed.links[0].href", "http://ex.example/a/feed.xml"},
      {"feed.links[0].type", "application/atom+xml"},
      {"entries[0].link", "http://ex.example/a/b/page"},
      {"entries[0].enclosures[0].href", "http://ex.example/a/b/m.mp3"},
      {"entries[0].license", "http://ex.example/lic"},
      {"entries[0].tags[0].label", "L"},
      {NULL, NULL}}},
    {"atom10_xhtml_and_base64_content",
     "<feed xmlns=\"http://www.w3.org/2005/Atom\"><entry><id>urn:1</id>"
     "<title type=\"xhtml\"><div xmlns=\"http://www.w3.org/1999/xhtml\">a <b>b</b></div></title>"
     "<summary type=\"application/octet-stream\">PGI+eDwvYj4=</summary>"
     "<content type=\"xhtml\" xml:lang=\"\"><div xmlns=\"http://www.w3.org/1999/xhtml\">c</div></content>"
     "</entry></feed>",
     NULL, NULL, NULL, NULL,
     {{"entries[0].title_detail.type", "application/xhtml+xml"},
      {"entries[0].title", "a <b>b</b>"},
      {"entries[0].summary", "<b>x</b>"},
      {"entries[0].content[0].value", "c"},
      {"entries[0].content[0].language", "null"},
      {NULL, NULL}}},
    {"atom03_modes_and_dates",
     "<feed version=\"0.3\" xmlns=\"http://purl.org/atom/ns#\"><title mode=\"escaped\" type=\"text/html\">"
     "&lt;i&gt;T&lt;/i&gt;</title><tagline>tag</tagline><entry><id>x</id><title>E</title>"
     "<issued>2026-11-23T10:00:00+01:00</issued><modified>2026-11-23T09:30:00Z</modified>"
     "<created>2026-11-22</created></entry></feed>",
     NULL, NULL, NULL, NULL,
     {{"version", "atom03"},
      {"feed.title", "<i>T</i>"},
      {"feed.subtitle", "tag"},
      {"entries[0].published", "2026-11-23T09:00:00Z"},
      {"entries[0].updated", "2026-11-23T09:30:00Z"},
      {"entries[0].created", "2026-11-22T00:00:00Z"},
      {NULL, NULL}}},
    {"content_location_then_url",
     "<rss version=\"2.0\"><channel><link>/home</link><item><link>p/1</link></item></channel></rss>",
     "http://ex.example/dir/feed.xml", "application/rss+xml", "http://other.example/x/",
     "de",
     {{"feed.link", "http://other.example/home"},
      {"entries[0].link", "http://other.example/x/p/1"},
      {NULL, NULL}}},
    {"html_entities_recovered_and_flagged",
     "<rss version=\"2.0\"><channel><title>Caf&eacute; &alpha; &nosuch;</title>"
     "<link>http://ex.example/?a=1&b=2</link></channel></rss>",
     NULL, NULL, NULL, NULL,
     {{"bozo", "true"},
      {"feed.title", "Caf\xc3\xa9 \xce\xb1 &nosuch;"},
      {"feed.link", "http://ex.example/?a=1&b=2"},
      {NULL, NULL}}},
    {"http_charset_overrides_declaration",
     "<?xml version=\"1.0\" encoding=\"utf-8\"?><rss version=\"2.0\"><channel>"
     "<title>caf\xe9</title></channel></rss>",
     NULL, "application/rss+xml; charset=iso-8859-1", NULL, NULL,
     {{"encoding", "iso-8859-1"},
      {"feed.title", "caf\xc3\xa9"},
      {"bozo", "false"},
      {NULL, NULL}}},
    {"windows1252_quotes_in_utf8",
     "<rss version=\"2.0\"><channel><item><description>don\xc2\x92t</description></item>"
     "</channel></rss>",
     NULL, NULL, NULL, NULL,
     {{"entries[0].summary", "don\xe2\x80\x99t"}, {NULL, NULL}}},
    {"jsonfeed_11",
     "{\"version\":\"https://jsonfeed.org/version/1.1\",\"title\":\"J\",\"home_page_url\":\"/\","
     "\"language\":\"fr\",\"authors\":[{\"name\":\"A\",\"url\":\"https://a.example/\"}],"
     "\"items\":[{\"id\":\"1\",\"url\":\"/p/1\",\"title\":\"T\",\"content_html\":\"<p>x</p>\","
     "\"date_published\":\"2026-11-23T10:00:00+01:00\",\"date_modified\":\"bad\",\"tags\":[\"a\"],"
     "\"attachments\":[{\"url\":\"a.mp3\",\"mime_type\":\"audio/mpeg\",\"size_in_bytes\":5}]}]}",
     "https://ex.example/feed.json", NULL, NULL, NULL,
     {{"version", "json11"},
      {"bozo", "false"},
      {"feed.title", "J"},
      {"feed.link", "https://ex.example/"},
      {"feed.language", "fr"},
      {"feed.author", "A"},
      {"entries[0].link", "https://ex.example/p/1"},
      {"entries[0].content[0].type", "text/html"},
      {"entries[0].published", "2026-11-23T09:00:00Z"},
      {"entries[0].updated", "null"},
      {"entries[0].enclosures[0].href", "https://ex.example/a.mp3"},
      {NULL, NULL}}},
    {"jsonfeed_10_author",
     "{\"version\":\"https://jsonfeed.org/version/1\",\"title\":\"J\","
     "\"author\":{\"name\":\"Old\"},\"items\":[{\"id\":7,\"content_text\":\"plain\"}]}",
     NULL, NULL, NULL, NULL,
     {{"version", "json1"},
      {"feed.author", "Old"},
      {"entries[0].id", "7"},
      {"entries[0].summary", "plain"},
      {"entries[0].content[0].type", "text/plain"},
      {NULL, NULL}}},
    {"not_a_jsonfeed_is_bozo",
     "{\"hello\": 1}", NULL, NULL, NULL, NULL,
     {{"bozo", "true"}, {"version", ""}, {NULL, NULL}}},
    {"broken_xml_recovered_and_flagged",
     "<rss version=\"2.0\"><channel><title>T</title><item><title>one</title></item>"
     "<item><title>two",
     NULL, NULL, NULL, NULL,
     {{"bozo", "true"}, {"entries[0].title", "one"}, {NULL, NULL}}},
};

static void feed_model_cases_match_expected_fields(void **state)
{
    (void)state;
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++)
        run_case(&cases[i]);
}

static void feed_model_utf16_and_utf32_are_decoded(void **state)
{
    (void)state;
    static const char *const encs[] = {"UTF-16LE", "UTF-16BE", "UTF-32LE", "UTF-32BE"};
    static const unsigned char boms[4][4] = {
        {0xFF, 0xFE}, {0xFE, 0xFF}, {0xFF, 0xFE, 0, 0}, {0, 0, 0xFE, 0xFF}};
    const char *xml = "<rss version=\"2.0\"><channel><title>Tt</title></channel></rss>";
    for (int e = 0; e < 4; e++) {
        int wide = e < 2 ? 2 : 4;
        size_t n = strlen(xml);
        unsigned char buf[1024];
        size_t len = 0;
        memcpy(buf, boms[e], (size_t)wide);
        len = (size_t)wide;
        for (size_t i = 0; i < n; i++) {
            memset(buf + len, 0, (size_t)wide);
            int be = e % 2 == 1;
            buf[len + (be ? (size_t)wide - 1 : 0)] = (unsigned char)xml[i];
            len += (size_t)wide;
        }
        char *out = NULL;
        assert_int_equal(feed_model_json((const char *)buf, len, NULL, &out), VG_OK);
        json_t *doc = json_loads(out, 0, NULL);
        assert_non_null(doc);
        assert_string_equal(json_string_value(at(doc, "feed.title")), "Tt");
        assert_false(json_is_true(at(doc, "bozo")));
        (void)encs;
        json_decref(doc);
        free(out);
    }
}

typedef struct {
    const char *in;
    const char *want; /* NULL: rejected */
    int flags;
} date_vec;

static const date_vec dates[] = {
    {"Mon, 26 January 2004 16:31:00 AT", "2004-01-26T20:31:00Z", 0},
    {"Mon, 26 January 2004 16:31:00 CT", "2004-01-26T22:31:00Z", 0},
    {"Wed, 19 Aug 2009 18:28:00 Etc/GMT", "2009-08-19T18:28:00Z", 0},
    {"Fri, 2006/09/15 08:19:53 EDT", "2006-09-15T12:19:53Z", 0},
    {"2004-07-13T9:15-05:00", "2004-07-13T14:15:00Z", 0},
    {"2003-012-31T10:14:55+00:00", "2003-12-31T10:14:55Z", 0},
    {"03-12-31", "2003-12-31T00:00:00Z", 0},
    {"03335", "2003-12-01T00:00:00Z", 0},
    {"2003-335", "2003-12-01T00:00:00Z", 0},
    {"\xce\x9a\xcf\x85\xcf\x81, 11 \xce\x99\xce\xbf\xcf\x8d\xce\xbb 2004 12:00:00 EST",
     "2004-07-11T17:00:00Z", 0},
    {"2004-j\xc3\xbalius-13T9:15-05:00", "2004-07-13T14:15:00Z", 0},
    {"2004\xeb\x85\x84 05\xec\x9b\x94 28\xec\x9d\xbc  01:31:15", "2004-05-27T16:31:15Z", 0},
    {"2003", NULL, 0},
    {"2003-12", NULL, 0},
    {"2003", "2003-01-01T00:00:00Z", DATE_REDUCED},
    {"2003-12", "2003-12-01T00:00:00Z", DATE_REDUCED},
    {"-0312", "2003-12-01T00:00:00Z", DATE_REDUCED},
    {"2003-366", NULL, DATE_REDUCED},
    {"not a date", NULL, DATE_REDUCED},
};

static void date_added_forms_normalise_to_utc(void **state)
{
    (void)state;
    for (size_t i = 0; i < sizeof dates / sizeof dates[0]; i++) {
        int64_t t = 0;
        char iso[32] = "";
        vg_err rc = date_parse_flags(dates[i].in, dates[i].flags, &t);
        if (rc == VG_OK)
            assert_int_equal(date_format_utc(t, iso, sizeof iso), VG_OK);
        if (dates[i].want == NULL ? rc == VG_OK
                                  : rc != VG_OK || strcmp(iso, dates[i].want) != 0) {
            print_error("row %zu '%s': got %s, want %s\n", i, dates[i].in,
                        rc == VG_OK ? iso : "rejected", dates[i].want ? dates[i].want : "rejected");
            fail();
        }
    }
}

static void date_format_utc_round_trips_and_checks_capacity(void **state)
{
    (void)state;
    char iso[32];
    assert_int_equal(date_format_utc(0, iso, sizeof iso), VG_OK);
    assert_string_equal(iso, "1970-01-01T00:00:00Z");
    assert_int_equal(date_format_utc(INT64_C(951782400), iso, sizeof iso), VG_OK);
    assert_string_equal(iso, "2000-02-29T00:00:00Z");
    assert_int_equal(date_format_utc(-1, iso, sizeof iso), VG_OK);
    assert_string_equal(iso, "1969-12-31T23:59:59Z");
    assert_int_not_equal(date_format_utc(0, iso, 10), VG_OK);
}

int main(void)
{
    feed_global_init();
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(feed_model_cases_match_expected_fields),
        cmocka_unit_test(feed_model_utf16_and_utf32_are_decoded),
        cmocka_unit_test(date_added_forms_normalise_to_utc),
        cmocka_unit_test(date_format_utc_round_trips_and_checks_capacity),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
