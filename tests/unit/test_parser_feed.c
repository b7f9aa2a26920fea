/*
 * parser/feed.c: every feed format we read lands in the same model,
 * text comes out plain, links come out absolute, encodings are honoured,
 * broken feeds are salvaged and flagged, hostile XML stays inert.
 * Fixtures are files under tests/fixtures/feeds/ (VG_SOURCE_DIR) or
 * literals when the bytes themselves are the point.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/buf.h"
#include "parser/feed.h"

#define B INT64_C(1795424400) /* 2026-11-23T09:00:00Z */
#define H INT64_C(3600)

static char *read_fixture(const char *name, size_t *len)
{
    char root[512];
    const char *env = getenv("VG_SOURCE_DIR");
    if (env && *env) {
        snprintf(root, sizeof root, "%s", env);
    } else {
        /* Run by hand from a build dir: find the tree from this file. */
        snprintf(root, sizeof root, "%s", __FILE__);
        char *cut = strstr(root, "/tests/unit/");
        assert_non_null(cut);
        *cut = '\0';
    }
    char path[700];
    snprintf(path, sizeof path, "%s/tests/fixtures/feeds/%s", root, name);
    FILE *fp = fopen(path, "rb");
    if (!fp)
        fail_msg("cannot open fixture %s", path);
    vg_buf b;
    vg_buf_init(&b, 1u << 20);
    char chunk[4096];
    size_t n;
    while ((n = fread(chunk, 1, sizeof chunk, fp)) > 0)
        vg_buf_append(&b, chunk, n);
    fclose(fp);
    assert_int_equal(b.err, VG_OK);
    *len = b.len;
    return vg_buf_detach(&b);
}

static feed *parse_fixture(const char *name, const char *base)
{
    size_t len;
    char *data = read_fixture(name, &len);
    feed *f = NULL;
    vg_err rc = feed_parse(data, len, base, NULL, &f);
    free(data);
    if (rc != VG_OK)
        fail_msg("%s: %s (%s)", name, vg_strerror(rc), vg_error_last());
    return f;
}

static feed *parse_str(const char *s, const char *base, const char *ctype)
{
    feed *f = NULL;
    vg_err rc = feed_parse(s, strlen(s), base, ctype, &f);
    if (rc != VG_OK)
        fail_msg("parse: %s (%s)", vg_strerror(rc), vg_error_last());
    return f;
}

static void feed_rss20_fields_are_normalised(void **state)
{
    (void)state;
    feed *f = parse_fixture("rss20.xml", "http://127.0.0.1:8080/feeds/x.xml");
    assert_string_equal(f->version, "rss20");
    assert_string_equal(f->title, "Le blog de Fibrelia");
    /* The plain <link>, not the atom:link rel=self beside it. */
    assert_string_equal(f->link, "https://fibrelia.example/blog/");
    assert_string_equal(f->language, "fr-FR");
    assert_int_equal(f->ttl, 60);
    assert_int_equal(f->bozo, 0);
    assert_int_equal(f->n_entries, 3);

    feed_entry *e = &f->entries[0];
    assert_string_equal(e->title, "Panne & remboursement");
    assert_string_equal(e->link, "https://fibrelia.example/blog/panne");
    assert_string_equal(e->id, "tag:fibrelia.example,2026:panne");
    assert_string_equal(e->author, "Claire Martin");
    assert_int_equal(e->published, B - H);
    assert_string_equal(e->published_raw, "Mon, 23 Nov 2026 09:00:00 +0100");
    /* CDATA HTML: tags gone, paragraphs as lines, runs of spaces collapsed. */
    assert_string_equal(e->summary, "La panne du week-end est r\xc3\xa9par\xc3\xa9" "e.\n"
                                    "D\xc3\xa9sol\xc3\xa9s !");
    /* content:encoded is the content; scripts are not text. */
    assert_string_equal(e->content, "Texte complet : la panne.");

    e = &f->entries[1];
    /* A guid without isPermaLink=false is the link. */
    assert_string_equal(e->link, "https://fibrelia.example/blog/offre");
    assert_string_equal(e->author, "Service presse");
    /* Escaped HTML with an escaped HTML entity inside. */
    assert_string_equal(e->summary, "Une offre incroyable \xc3\xa0 19\xe2\x82\xac");
    assert_int_equal(e->published, B - 9 * H + 24 * H + 8 * H + 30 * 60);
    assert_null(e->content);

    e = &f->entries[2];
    assert_string_equal(e->link, "http://127.0.0.1:8080/feeds/articles/a.html");
    assert_string_equal(e->summary, "Plain text summary.");
    assert_int_equal(e->published, 0);
    assert_null(e->published_raw);
    feed_free(f);
}

static void feed_rss10_rdf_items_outside_channel(void **state)
{
    (void)state;
    feed *f = parse_fixture("rss10.rdf", NULL);
    assert_string_equal(f->version, "rss10");
    assert_string_equal(f->title, "News Example");
    assert_string_equal(f->language, "en");
    assert_int_equal(f->n_entries, 2);
    assert_string_equal(f->entries[0].title, "First story");
    assert_string_equal(f->entries[0].id, "https://news.example/1");
    assert_string_equal(f->entries[0].author, "Alice");
    assert_int_equal(f->entries[0].published, B - H);
    /* No <link>: rdf:about is the item's URL. */
    assert_string_equal(f->entries[1].link, "https://news.example/2");
    assert_int_equal(f->entries[1].published, B - 9 * H + 24 * H);
    feed_free(f);
}

static void feed_rss090_is_recognised(void **state)
{
    (void)state;
    feed *f = parse_str(
        "<rdf:RDF xmlns:rdf=\"http://www.w3.org/1999/02/22-rdf-syntax-ns#\" "
        "xmlns=\"http://my.netscape.com/rdf/simple/0.9/\">"
        "<channel><title>Old</title><link>http://old.example/</link></channel>"
        "<item><title>One</title><link>http://old.example/1</link></item></rdf:RDF>",
        NULL, NULL);
    assert_string_equal(f->version, "rss090");
    assert_int_equal(f->n_entries, 1);
    assert_string_equal(f->entries[0].link, "http://old.example/1");
    feed_free(f);
}

static void feed_rss_versions_are_named_like_feedparser(void **state)
{
    (void)state;
    static const struct {
        const char *attr, *want;
    } rows[] = {{"2.0", "rss20"}, {"0.91", "rss091u"}, {"0.92", "rss092"},
                {"0.94", "rss094"}, {"9", "rss"}};
    for (size_t i = 0; i < sizeof rows / sizeof rows[0]; i++) {
        char doc[200];
        snprintf(doc, sizeof doc,
                 "<rss version=\"%s\"><channel><title>t</title></channel></rss>",
                 rows[i].attr);
        feed *f = parse_str(doc, NULL, NULL);
        assert_string_equal(f->version, rows[i].want);
        feed_free(f);
    }
}

static void feed_atom10_relative_links_resolve_xml_base(void **state)
{
    (void)state;
    feed *f = parse_fixture("atom10.xml", "http://ignored.example/");
    assert_string_equal(f->version, "atom10");
    assert_string_equal(f->title, "Atom Example");
    assert_string_equal(f->link, "http://127.0.0.1:8080/");
    assert_string_equal(f->language, "en");
    assert_int_equal(f->n_entries, 2);

    feed_entry *e = &f->entries[0];
    /* rel=alternate text/html wins over edit and over a PDF alternate. */
    assert_string_equal(e->link, "http://127.0.0.1:8080/feeds/articles/a.html");
    assert_string_equal(e->id, "tag:example.org,2026:1");
    assert_string_equal(e->author, "Bob");
    assert_string_equal(e->summary, "Hello world & friends");
    assert_string_equal(e->content, "Para one.\nPara two.");
    assert_int_equal(e->published, B - H);
    assert_int_equal(e->updated, B + H + 30 * 60);

    e = &f->entries[1];
    /* The entry's own xml:base replaces the feed's. */
    assert_string_equal(e->link, "http://other.example/base/b.html");
    assert_string_equal(e->title, "Second entry");
    assert_string_equal(e->author, "Feed Author"); /* inherited */
    assert_string_equal(e->summary, "Just text & more");
    assert_int_equal(e->published, 0);
    assert_int_equal(e->updated, B + 25 * H);
    feed_free(f);
}

static void feed_relative_link_uses_document_url_without_xml_base(void **state)
{
    (void)state;
    feed *f = parse_str("<feed xmlns=\"http://www.w3.org/2005/Atom\"><title>t</title>"
                        "<entry><title>a</title><link href=\"articles/a.html\"/></entry>"
                        "<entry><title>b</title><link href=\"/root.html\"/></entry></feed>",
                        "http://127.0.0.1:8080/feeds/x.xml", NULL);
    assert_string_equal(f->entries[0].link, "http://127.0.0.1:8080/feeds/articles/a.html");
    assert_string_equal(f->entries[1].link, "http://127.0.0.1:8080/root.html");
    feed_free(f);
    /* Without any base a relative link cannot become absolute: NULL. */
    f = parse_str("<rss version=\"2.0\"><channel><item><title>x</title>"
                  "<link>a.html</link></item></channel></rss>",
                  NULL, NULL);
    assert_null(f->entries[0].link);
    assert_string_equal(f->entries[0].title, "x");
    feed_free(f);
}

static void feed_atom03_dates_and_escaped_content(void **state)
{
    (void)state;
    feed *f = parse_fixture("atom03.xml", NULL);
    assert_string_equal(f->version, "atom03");
    assert_string_equal(f->title, "Ancien format");
    assert_string_equal(f->link, "http://old.example/");
    assert_string_equal(f->language, "fr");
    assert_int_equal(f->n_entries, 2);
    feed_entry *e = &f->entries[0];
    assert_string_equal(e->title, "Entr\xc3\xa9" "e 0.3");
    assert_string_equal(e->link, "http://old.example/2026/11/e1");
    assert_int_equal(e->published, B - H);     /* issued, not created */
    assert_int_equal(e->updated, B + 3 * H);   /* modified */
    assert_string_equal(e->summary, "R\xc3\xa9sum\xc3\xa9 simple");
    assert_string_equal(e->content, "Contenu riche");
    assert_string_equal(e->author, "Dana");
    /* base64 content is not text. */
    assert_null(f->entries[1].content);
    feed_free(f);
}

static void feed_cdata_is_text_and_markup_in_titles_is_stripped(void **state)
{
    (void)state;
    feed *f = parse_str("<rss version=\"2.0\"><channel><title><![CDATA[Prix <b>bas</b>]]></title>"
                        "<item><title><![CDATA[A <i>&</i>  B]]></title>"
                        "<description><![CDATA[x < y, <a href='z'>lien</a>]]></description>"
                        "</item></channel></rss>",
                        NULL, NULL);
    assert_string_equal(f->title, "Prix bas");
    assert_string_equal(f->entries[0].title, "A & B");
    assert_string_equal(f->entries[0].summary, "x < y, lien");
    assert_int_equal(f->bozo, 0);
    feed_free(f);
}

/* Summary markup to text: simple fragments take a direct scan, others
 * libxml2's HTML parser; both must give the same text, so each row is
 * one or the other kind, and the expected text is what the parser
 * gives (whitespace kept between inline elements, dropped after void
 * ones only when libxml2 drops it, blocks as line breaks). */
static void feed_summary_markup_becomes_text(void **state)
{
    (void)state;
    static const struct {
        const char *name, *html, *text;
    } rows[] = {
        {"inline_tags_and_entities", "<p>Prix <b>bas</b> &amp; <em>rapide</em></p>",
         "Prix bas & rapide"},
        {"paragraphs_are_lines", "<p>one</p><p>two</p>", "one\ntwo"},
        {"br_is_a_line", "a<br>b<br/>c", "a\nb\nc"},
        {"named_and_numeric_references", "&eacute;t&eacute; &#8230; &#x41;", "\xC3\xA9t\xC3\xA9 \xE2\x80\xA6 A"},
        {"space_between_inline_elements", "<b>x</b> <i>y</i>", "x y"},
        {"space_between_list_items", "<ul><li>a</li> <li>b</li></ul>", "a\nb"},
        {"newlines_in_text_are_spaces", "<p>a\nb\tc</p>", "a b c"},
        {"attributes_are_ignored", "<a href=\"/x?a=1&amp;b=2\" title='t > u'>lien</a>", "lien"},
        {"space_after_image", "x<img src=a.png> <b>y</b>", "x y"},
        {"comment_is_not_text", "x<!-- hidden -->y", "xy"},
        {"script_is_not_text", "<script>bad()</script><p>ok</p>", "ok"},
        {"table_cells", "<table><tr><td>a</td></tr><tr><td>b</td></tr></table>", "a\nb"},
        {"unknown_reference_is_kept", "a &bogus; b", "a &bogus; b"},
        {"stray_less_than", "x < y, <a href='z'>lien</a>", "x < y, lien"},
    };
    for (size_t i = 0; i < sizeof rows / sizeof rows[0]; i++) {
        char doc[1024];
        snprintf(doc, sizeof doc,
                 "<rss version=\"2.0\"><channel><title>t</title><item><title>i</title>"
                 "<description><![CDATA[%s]]></description></item></channel></rss>",
                 rows[i].html);
        feed *f = parse_str(doc, NULL, NULL);
        assert_int_equal(f->n_entries, 1);
        if (!f->entries[0].summary || strcmp(f->entries[0].summary, rows[i].text) != 0)
            fail_msg("%s: got '%s', want '%s'", rows[i].name,
                     f->entries[0].summary ? f->entries[0].summary : "(null)", rows[i].text);
        feed_free(f);
    }
}

static void feed_cdata_in_plain_text_construct_stays_literal(void **state)
{
    (void)state;
    /* type=text is not HTML: "&eacute;" inside CDATA is what the author
     * wrote, and the entity rewriting must not reach into CDATA. */
    feed *f = parse_str("<feed xmlns=\"http://www.w3.org/2005/Atom\">"
                        "<title type=\"text\"><![CDATA[A &eacute; <b>]]></title>"
                        "<entry><title>&eacute;<!-- &nbsp; --></title></entry></feed>",
                        NULL, NULL);
    assert_string_equal(f->title, "A &eacute; <b>");
    assert_string_equal(f->entries[0].title, "\xc3\xa9");
    feed_free(f);
}

static void feed_userland_rss2_namespace_is_rss(void **state)
{
    (void)state;
    feed *f = parse_str("<rss version=\"2.0\" xmlns=\"http://backend.userland.com/rss2\">"
                        "<channel><title>U</title><item><title>i</title></item></channel></rss>",
                        NULL, NULL);
    assert_string_equal(f->version, "rss20");
    assert_string_equal(f->title, "U");
    assert_int_equal(f->n_entries, 1);
    feed_free(f);
}

static void feed_html_entities_without_dtd_are_decoded(void **state)
{
    (void)state;
    feed *f = parse_str("<rss version=\"2.0\"><channel><title>Caf&eacute;&nbsp;cr&egrave;me</title>"
                        "<item><title>&laquo;&#160;Oui&#160;&raquo; &hellip; &copy; &OElig;uvre</title>"
                        "<link>http://e.example/a?x=1&amp;y=2</link>"
                        "<description><![CDATA[&eacute;t&eacute;]]></description></item>"
                        "</channel></rss>",
                        NULL, NULL);
    assert_string_equal(f->title, "Caf\xc3\xa9 cr\xc3\xa8me");
    assert_string_equal(f->entries[0].title,
                        "\xc2\xab Oui \xc2\xbb \xe2\x80\xa6 \xc2\xa9 \xc5\x92uvre");
    assert_string_equal(f->entries[0].link, "http://e.example/a?x=1&y=2");
    /* Inside CDATA the entity is HTML source, decoded as HTML. */
    assert_string_equal(f->entries[0].summary, "\xc3\xa9t\xc3\xa9");
    assert_int_equal(f->bozo, 0);
    feed_free(f);
}

static void feed_unknown_entity_flags_bozo_but_keeps_entries(void **state)
{
    (void)state;
    feed *f = parse_str("<rss version=\"2.0\"><channel><title>a &bogus; b</title>"
                        "<item><title>kept</title></item></channel></rss>",
                        NULL, NULL);
    assert_int_equal(f->bozo, 1);
    assert_non_null(f->bozo_message);
    assert_int_equal(f->n_entries, 1);
    assert_string_equal(f->entries[0].title, "kept");
    feed_free(f);
}

/* "Café €" in ISO-8859-1/windows-1252 bytes: 0x80 is € only in 1252. */
static const char latin_doc[] =
    "<?xml version=\"1.0\" encoding=\"ISO-8859-1\"?>"
    "<rss version=\"2.0\"><channel><title>Caf\xe9 \x80</title></channel></rss>";

static void feed_charset_from_declaration_or_content_type(void **state)
{
    (void)state;
    feed *f = parse_str(latin_doc, NULL, NULL);
    assert_string_equal(f->title, "Caf\xc3\xa9 \xc2\x80");
    feed_free(f);
    f = parse_str(latin_doc, NULL, "application/rss+xml; charset=windows-1252");
    assert_string_equal(f->title, "Caf\xc3\xa9 \xe2\x82\xac");
    feed_free(f);
    f = parse_str(latin_doc, NULL, "text/xml;charset=\"WINDOWS-1252\"");
    assert_string_equal(f->title, "Caf\xc3\xa9 \xe2\x82\xac");
    feed_free(f);

    /* UTF-8 bytes under a wrong ISO-8859-1 declaration: the header wins. */
    const char *mislabelled = "<?xml version=\"1.0\" encoding=\"ISO-8859-1\"?>"
                              "<rss version=\"2.0\"><channel><title>\xc3\xa9t\xc3\xa9</title>"
                              "</channel></rss>";
    f = parse_str(mislabelled, NULL, "application/xml; charset=utf-8");
    assert_string_equal(f->title, "\xc3\xa9t\xc3\xa9");
    feed_free(f);
    f = parse_str(mislabelled, NULL, "application/xml");
    assert_string_equal(f->title, "\xc3\x83\xc2\xa9t\xc3\x83\xc2\xa9");
    feed_free(f);
    /* An unknown charset in the header is ignored, not fatal. */
    f = parse_str(latin_doc, NULL, "text/xml; charset=no-such-charset");
    assert_string_equal(f->title, "Caf\xc3\xa9 \xc2\x80");
    feed_free(f);
}

static void feed_invalid_utf8_is_repaired_as_windows_1252(void **state)
{
    (void)state;
    /* No declaration (so UTF-8 by default) but Latin-1 bytes, next to
     * real UTF-8: each stray byte is read as windows-1252, the valid
     * sequences stay, and the feed is flagged. */
    const char *doc = "<rss version=\"2.0\"><channel><title>Caf\xe9 cr\xc3\xa8me \x93ok\x94</title>"
                      "<item><title>\xe9t\xe9</title></item></channel></rss>";
    static const char *const ctypes[] = {NULL, "text/xml; charset=utf-8"};
    for (size_t i = 0; i < 2; i++) {
        feed *f = parse_str(doc, NULL, ctypes[i]);
        assert_string_equal(f->title, "Caf\xc3\xa9 cr\xc3\xa8me \xe2\x80\x9cok\xe2\x80\x9d");
        assert_string_equal(f->entries[0].title, "\xc3\xa9t\xc3\xa9");
        assert_int_equal(f->bozo, 1);
        assert_non_null(strstr(f->bozo_message, "UTF-8"));
        feed_free(f);
    }
}

static void feed_utf16_with_bom_is_read(void **state)
{
    (void)state;
    const char *ascii = "<rss version=\"2.0\"><channel><title>Hi</title></channel></rss>";
    size_t n = strlen(ascii);
    char *u16 = malloc(2 + 2 * n);
    assert_non_null(u16);
    u16[0] = (char)0xFF;
    u16[1] = (char)0xFE;
    for (size_t i = 0; i < n; i++) {
        u16[2 + 2 * i] = ascii[i];
        u16[3 + 2 * i] = 0;
    }
    assert_true(feed_sniff(u16, 2 + 2 * n));
    feed *f = NULL;
    /* The BOM beats a header that claims otherwise. */
    assert_int_equal(feed_parse(u16, 2 + 2 * n, NULL, "text/xml; charset=iso-8859-1", &f),
                     VG_OK);
    assert_string_equal(f->title, "Hi");
    feed_free(f);
    free(u16);
}

static void feed_truncated_document_keeps_complete_entries(void **state)
{
    (void)state;
    const char *doc = "<?xml version=\"1.0\"?><rss version=\"2.0\"><channel><title>T</title>"
                      "<item><title>one</title><link>http://e.example/1</link></item>"
                      "<item><title>two</title><link>http://e.example/2</link></item>"
                      "<item><title>thr";
    feed *f = parse_str(doc, NULL, NULL);
    assert_int_equal(f->bozo, 1);
    assert_non_null(f->bozo_message);
    assert_true(strlen(f->bozo_message) > 0);
    assert_true(f->n_entries >= 2);
    assert_string_equal(f->entries[0].title, "one");
    assert_string_equal(f->entries[1].link, "http://e.example/2");
    feed_free(f);
}

static void feed_mismatched_tags_are_recovered(void **state)
{
    (void)state;
    feed *f = parse_str("<rss version=\"2.0\"><channel><title>T</title>"
                        "<item><title>one</title><description>a <b>b</description></item>"
                        "<item><title>two</title></item></channel></rss>",
                        NULL, NULL);
    assert_int_equal(f->bozo, 1);
    assert_true(f->n_entries >= 1);
    assert_string_equal(f->entries[0].title, "one");
    feed_free(f);
}

static void feed_undeclared_prefix_still_reads_dc_creator(void **state)
{
    (void)state;
    feed *f = parse_str("<rss version=\"2.0\"><channel><item><title>x</title>"
                        "<dc:creator>Eve</dc:creator></item></channel></rss>",
                        NULL, NULL);
    assert_int_equal(f->bozo, 1);
    assert_string_equal(f->entries[0].author, "Eve");
    feed_free(f);
}

static void feed_xxe_does_not_read_local_files(void **state)
{
    (void)state;
    const char *docs[] = {
        "<?xml version=\"1.0\"?><!DOCTYPE rss [<!ENTITY xxe SYSTEM \"file:///etc/passwd\">]>"
        "<rss version=\"2.0\"><channel><title>t&xxe;</title><item><title>i&xxe;</title>"
        "<description>d&xxe;</description></item></channel></rss>",
        "<?xml version=\"1.0\"?><!DOCTYPE rss SYSTEM \"file:///etc/passwd\">"
        "<rss version=\"2.0\"><channel><title>t</title><item><title>i</title></item>"
        "</channel></rss>",
        "<?xml version=\"1.0\"?><!DOCTYPE rss [<!ENTITY % p SYSTEM \"file:///etc/passwd\"> %p;]>"
        "<rss version=\"2.0\"><channel><title>t</title><item><title>i</title></item>"
        "</channel></rss>",
    };
    for (size_t i = 0; i < sizeof docs / sizeof docs[0]; i++) {
        feed *f = NULL;
        vg_err rc = feed_parse(docs[i], strlen(docs[i]), NULL, NULL, &f);
        if (rc != VG_OK)
            continue; /* refusing is fine too */
        assert_string_equal(f->title, "t");
        for (size_t k = 0; k < f->n_entries; k++) {
            feed_entry *e = &f->entries[k];
            assert_string_equal(e->title, "i");
            assert_true(!e->summary || strcmp(e->summary, "d") == 0);
        }
        feed_free(f);
    }
}

static void feed_billion_laughs_does_not_expand(void **state)
{
    (void)state;
    vg_buf b;
    vg_buf_init(&b, 1u << 20);
    vg_buf_puts(&b, "<?xml version=\"1.0\"?><!DOCTYPE rss [<!ENTITY lol0 \"lol\">");
    for (int i = 1; i <= 9; i++) {
        vg_buf_printf(&b, "<!ENTITY lol%d \"", i);
        for (int k = 0; k < 10; k++)
            vg_buf_printf(&b, "&lol%d;", i - 1);
        vg_buf_puts(&b, "\">");
    }
    vg_buf_puts(&b, "]><rss version=\"2.0\"><channel><title>&lol9;</title>"
                    "<item><title>a&lol9;</title></item></channel></rss>");
    assert_int_equal(b.err, VG_OK);
    feed *f = NULL;
    vg_err rc = feed_parse(b.ptr, b.len, NULL, NULL, &f);
    assert_true(rc == VG_OK || rc == VG_EPARSE);
    if (rc == VG_OK) {
        assert_true(!f->title || strlen(f->title) < 100);
        for (size_t k = 0; k < f->n_entries; k++)
            assert_true(!f->entries[k].title || strlen(f->entries[k].title) < 100);
        feed_free(f);
    }
    vg_buf_free(&b);
}

static void feed_flat_internal_entity_is_inlined(void **state)
{
    (void)state;
    feed *f = parse_str("<?xml version=\"1.0\"?><!DOCTYPE rss [<!ENTITY brand \"Fibrelia\">]>"
                        "<rss version=\"2.0\"><channel><title>About &brand;</title>"
                        "</channel></rss>",
                        NULL, NULL);
    assert_string_equal(f->title, "About Fibrelia");
    feed_free(f);
}

static void feed_non_feeds_are_parse_errors(void **state)
{
    (void)state;
    static const char *const rows[] = {
        "",
        "   \n ",
        "hello world",
        "{\"version\": \"https://jsonfeed.org/version/1\"}",
        "<!DOCTYPE html><html><head><title>x</title></head><body><p>hi</body></html>",
        "<?xml version=\"1.0\"?><sitemap><url/></sitemap>",
        "\x00\x01\x02garbage",
    };
    for (size_t i = 0; i < sizeof rows / sizeof rows[0]; i++) {
        feed *f = (feed *)1;
        size_t len = i == 6 ? 10 : strlen(rows[i]);
        vg_err rc = feed_parse(rows[i], len, NULL, NULL, &f);
        if (rc != VG_EPARSE)
            fail_msg("row %zu: rc %d", i, rc);
        assert_null(f);
        assert_non_null(strstr(vg_error_last(), "not a feed"));
    }
}

static void feed_over_max_bytes_is_too_big(void **state)
{
    (void)state;
    char *big = calloc(1, (size_t)FEED_MAX_BYTES + 1);
    assert_non_null(big);
    feed *f = NULL;
    assert_int_equal(feed_parse(big, (size_t)FEED_MAX_BYTES + 1, NULL, NULL, &f), VG_ETOOBIG);
    assert_null(f);
    free(big);
}

static void feed_entry_count_is_capped(void **state)
{
    (void)state;
    vg_buf b;
    vg_buf_init(&b, 4u << 20);
    vg_buf_puts(&b, "<rss version=\"2.0\"><channel>");
    for (int i = 0; i < FEED_MAX_ENTRIES + 50; i++)
        vg_buf_printf(&b, "<item><title>%d</title></item>", i);
    vg_buf_puts(&b, "</channel></rss>");
    assert_int_equal(b.err, VG_OK);
    feed *f = NULL;
    assert_int_equal(feed_parse(b.ptr, b.len, NULL, NULL, &f), VG_OK);
    assert_int_equal(f->n_entries, FEED_MAX_ENTRIES);
    assert_string_equal(f->entries[FEED_MAX_ENTRIES - 1].title, "9999");
    feed_free(f);
    vg_buf_free(&b);
}

static void feed_deep_nesting_is_survived(void **state)
{
    (void)state;
    vg_buf b;
    vg_buf_init(&b, 4u << 20);
    vg_buf_puts(&b, "<rss version=\"2.0\"><channel><item><title>before</title></item>"
                    "<item><title>deep</title><description>");
    for (int i = 0; i < 50000; i++)
        vg_buf_puts(&b, "<x>");
    vg_buf_puts(&b, "</description></item></channel></rss>");
    feed *f = NULL;
    assert_int_equal(feed_parse(b.ptr, b.len, NULL, NULL, &f), VG_OK);
    assert_int_equal(f->bozo, 1);
    assert_string_equal(f->entries[0].title, "before");
    feed_free(f);
    /* Deep markup inside escaped HTML goes through the HTML parser. */
    vg_buf_reset(&b);
    vg_buf_puts(&b, "<rss version=\"2.0\"><channel><item><title>h</title><description>");
    for (int i = 0; i < 50000; i++)
        vg_buf_puts(&b, "&lt;div&gt;");
    vg_buf_puts(&b, "deep text</description></item></channel></rss>");
    assert_int_equal(feed_parse(b.ptr, b.len, NULL, NULL, &f), VG_OK);
    assert_int_equal(f->n_entries, 1);
    feed_free(f);
    vg_buf_free(&b);
}

static void feed_rss_item_falls_back_to_atom_link(void **state)
{
    (void)state;
    feed *f = parse_str("<rss version=\"2.0\" xmlns:atom=\"http://www.w3.org/2005/Atom\">"
                        "<channel><item><title>x</title>"
                        "<guid isPermaLink=\"false\">abc</guid>"
                        "<atom:link rel=\"alternate\" href=\"http://e.example/x\"/>"
                        "</item></channel></rss>",
                        NULL, NULL);
    assert_string_equal(f->entries[0].link, "http://e.example/x");
    assert_string_equal(f->entries[0].id, "abc");
    feed_free(f);
}

static void feed_sniff_vectors(void **state)
{
    (void)state;
    static const struct {
        const char *in;
        int want;
    } rows[] = {
        {"<rss version=\"2.0\">", 1},
        {"\xEF\xBB\xBF<?xml version=\"1.0\"?>\n<!-- hi -->\n<rss>", 1},
        {"<?xml version=\"1.0\"?><?xml-stylesheet href=\"a.xsl\"?><feed xmlns=\"x\">", 1},
        {"<?xml version=\"1.0\"?><!DOCTYPE rdf [<!ENTITY a \"b\">]><rdf:RDF xmlns:rdf=\"r\">", 1},
        {"  \n<feed>", 1},
        {"<!DOCTYPE html><html><body><rss>", 0},
        {"<html><feed>", 0},
        {"<rssx>", 0},
        {"rss", 0},
        {"", 0},
        {"<!-- never closed <rss>", 0},
    };
    for (size_t i = 0; i < sizeof rows / sizeof rows[0]; i++)
        if (feed_sniff(rows[i].in, strlen(rows[i].in)) != rows[i].want)
            fail_msg("row %zu '%s'", i, rows[i].in);
    assert_int_equal(feed_sniff(NULL, 0), 0);
}

static void *parse_many(void *arg)
{
    const char *doc = arg;
    for (int i = 0; i < 50; i++) {
        feed *f = NULL;
        if (feed_parse(doc, strlen(doc), "http://127.0.0.1:8080/feeds/x.xml", NULL, &f) !=
                VG_OK ||
            f->n_entries != 3 || strcmp(f->entries[2].link,
                                        "http://127.0.0.1:8080/feeds/articles/a.html") != 0) {
            feed_free(f);
            return (void *)1;
        }
        feed_free(f);
    }
    return NULL;
}

static void feed_parse_is_thread_safe(void **state)
{
    (void)state;
    size_t len;
    char *doc = read_fixture("rss20.xml", &len);
    pthread_t th[4];
    for (int i = 0; i < 4; i++)
        assert_int_equal(pthread_create(&th[i], NULL, parse_many, doc), 0);
    for (int i = 0; i < 4; i++) {
        void *res = (void *)1;
        pthread_join(th[i], &res);
        assert_null(res);
    }
    free(doc);
}

static int setup(void **state)
{
    (void)state;
    feed_global_init();
    return 0;
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(feed_rss20_fields_are_normalised),
        cmocka_unit_test(feed_rss10_rdf_items_outside_channel),
        cmocka_unit_test(feed_rss090_is_recognised),
        cmocka_unit_test(feed_rss_versions_are_named_like_feedparser),
        cmocka_unit_test(feed_atom10_relative_links_resolve_xml_base),
        cmocka_unit_test(feed_relative_link_uses_document_url_without_xml_base),
        cmocka_unit_test(feed_atom03_dates_and_escaped_content),
        cmocka_unit_test(feed_cdata_is_text_and_markup_in_titles_is_stripped),
        cmocka_unit_test(feed_summary_markup_becomes_text),
        cmocka_unit_test(feed_cdata_in_plain_text_construct_stays_literal),
        cmocka_unit_test(feed_userland_rss2_namespace_is_rss),
        cmocka_unit_test(feed_html_entities_without_dtd_are_decoded),
        cmocka_unit_test(feed_unknown_entity_flags_bozo_but_keeps_entries),
        cmocka_unit_test(feed_charset_from_declaration_or_content_type),
        cmocka_unit_test(feed_invalid_utf8_is_repaired_as_windows_1252),
        cmocka_unit_test(feed_utf16_with_bom_is_read),
        cmocka_unit_test(feed_truncated_document_keeps_complete_entries),
        cmocka_unit_test(feed_mismatched_tags_are_recovered),
        cmocka_unit_test(feed_undeclared_prefix_still_reads_dc_creator),
        cmocka_unit_test(feed_xxe_does_not_read_local_files),
        cmocka_unit_test(feed_billion_laughs_does_not_expand),
        cmocka_unit_test(feed_flat_internal_entity_is_inlined),
        cmocka_unit_test(feed_non_feeds_are_parse_errors),
        cmocka_unit_test(feed_over_max_bytes_is_too_big),
        cmocka_unit_test(feed_entry_count_is_capped),
        cmocka_unit_test(feed_deep_nesting_is_survived),
        cmocka_unit_test(feed_rss_item_falls_back_to_atom_link),
        cmocka_unit_test(feed_sniff_vectors),
        cmocka_unit_test(feed_parse_is_thread_safe),
    };
    return cmocka_run_group_tests(tests, setup, NULL);
}
