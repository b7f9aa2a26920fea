/*
 * Page extraction (parser/html*.c): one table row per extraction rule
 * (boilerplate, main text, title, language, canonical, feeds, author,
 * date), the class-token matcher, the region Gumbo's tree is allocated
 * from, html_to_text on feed summaries, and inputs that must not crash
 * (garbage, empty, deep nesting).
 */
#include "parser/html.h"
#include "parser/html_int.h"

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

/* Enough prose for a container to win: three sentences with commas. */
#define PROSE1                                                                \
    "<p>The network outage lasted two days, according to the city, which "   \
    "criticised the lack of information given to thousands of customers.</p>"
#define PROSE2                                                                \
    "<p>The operator blamed a failed junction box, but several customers "    \
    "said they received no message, neither by email nor by text, during "   \
    "the whole outage.</p>"
#define ARTICLE "<article>" PROSE1 PROSE2 "</article>"
#define PAGE(head, body)                                                      \
    "<!DOCTYPE html><html><head>" head "</head><body>" body "</body></html>"

static html_doc *extract(const char *html, const char *base)
{
    html_doc *d = NULL;
    assert_int_equal(html_extract(html, strlen(html), base, NULL, &d), VG_OK);
    assert_non_null(d);
    assert_non_null(d->text);
    return d;
}

/* ---- main text ---- */

typedef struct text_case {
    const char *name;
    const char *html;
    const char *must[3];     /* substrings the text contains */
    const char *must_not[3]; /* substrings it must not contain */
} text_case;

static const text_case TEXT[] = {
    {"nav_is_dropped",
     PAGE("", "<nav><a href=/a>Home page link</a> <a href=/b>World news "
              "section</a></nav>" ARTICLE),
     {"outage lasted"}, {"Home page", "World news"}},
    {"footer_is_dropped",
     PAGE("", ARTICLE "<footer><p>Copyright 2024 Example Media, all rights "
                      "reserved, legal notice.</p></footer>"),
     {"junction box"}, {"Copyright"}},
    {"share_bar_class_is_dropped",
     PAGE("", "<article><div class=\"social-share-bar\">Share on Facebook "
              "Tweet this story</div>" PROSE1 PROSE2 "</article>"),
     {"outage lasted"}, {"Share on", "Tweet"}},
    {"cookie_banner_id_is_dropped",
     PAGE("", "<div id=\"cookie_consent\">We use cookies to improve your "
              "experience, accept them all, please, now.</div>" ARTICLE),
     {"outage lasted"}, {"cookies"}},
    {"related_block_is_dropped",
     PAGE("", "<article>" PROSE1 PROSE2 "<div class=\"relatedArticles\"><p>"
              "Another story about a different outage, in another city, "
              "last year.</p></div></article>"),
     {"junction box"}, {"Another story"}},
    {"comments_section_is_dropped",
     PAGE("", ARTICLE "<section id=\"comments\"><p>I had the same problem, "
                      "honestly, it was a nightmare for my whole family.</p>"
                      "</section>"),
     {"outage lasted"}, {"nightmare"}},
    {"aside_and_sidebar_are_dropped",
     PAGE("", "<div class=\"main\">" ARTICLE "</div><aside><p>Most read: a "
              "very popular story, which everyone, everywhere, reads.</p>"
              "</aside><div class=\"sidebar-right\"><p>Weather today, "
              "sunny, with clouds, later, in the evening.</p></div>"),
     {"junction box"}, {"Most read", "Weather"}},
    {"hidden_elements_are_dropped",
     PAGE("", "<article>" PROSE1 "<p style=\"display: none\">Secret hidden "
              "paragraph, never shown, to anyone.</p>" PROSE2 "</article>"),
     {"outage lasted"}, {"Secret"}},
    {"script_and_style_text_never_appear",
     PAGE("<style>p{color:red}</style>",
          "<article>" PROSE1 "<script>var leaked = 1;</script>" PROSE2
          "</article>"),
     {"junction box"}, {"leaked", "color"}},
    {"paragraphs_are_separated_by_blank_line",
     PAGE("", ARTICLE), {"customers.\n\nThe operator"}, {"\n\n\n"}},
    {"whitespace_collapses_inside_paragraph",
     PAGE("", "<article><p>The   network\n\toutage lasted two days, "
              "according to the city, which criticised the lack of "
              "information.</p>" PROSE2 "</article>"),
     {"The network outage"}, {"  ", "\t"}},
    {"headings_lists_quotes_and_pre_are_kept",
     PAGE("", "<article><h2>What happened</h2>" PROSE1
              "<ul><li>First point of the list, with details, that "
              "matter.</li></ul><blockquote>A quoted customer said the "
              "service was awful, really.</blockquote><pre>code   "
              "sample</pre>" PROSE2 "</article>"),
     {"What happened", "First point", "A quoted customer"}, {NULL}},
    {"link_list_inside_article_is_dropped",
     PAGE("", "<article>" PROSE1 PROSE2 "<ul><li><a href=/x>Read our "
              "other story about networks</a></li><li><a href=/y>And "
              "another one about phones</a></li></ul></article>"),
     {"junction box"}, {"other story", "another one"}},
    {"shadow_and_header_image_classes_are_not_boilerplate",
     PAGE("", "<div class=\"shadow\"><div class=\"header-image\">" PROSE1
              "</div>" PROSE2 "</div>"),
     {"outage lasted", "junction box"}, {NULL}},
    {"body_class_comments_open_does_not_drop_page",
     "<html><body class=\"comments-open has-sidebar\"><div class=\"c\">"
     PROSE1 PROSE2 "</div></body></html>",
     {"outage lasted"}, {NULL}},
    {"page_wrapping_form_is_kept",
     PAGE("", "<form id=\"aspnetForm\"><div>" PROSE1 PROSE2 "</div></form>"),
     {"outage lasted"}, {NULL}},
    {"best_container_excludes_teaser_list",
     PAGE("", "<div class=\"page\"><div class=\"story\">" PROSE1 PROSE2
              "</div><div class=\"more\"><a href=/1>Teaser one headline "
              "here</a><br><a href=/2>Teaser two headline here</a></div>"
              "</div>"),
     {"junction box"}, {"Teaser"}},
    {"fallback_takes_body_paragraphs_when_nothing_wins",
     PAGE("", "<div><p>Short note one.</p></div><div><p>Short note "
              "two.</p></div>"),
     {"Short note one.\n\nShort note two."}, {NULL}},
    {"double_br_becomes_paragraph_break",
     PAGE("", "<div>The network outage lasted two days, according to the "
              "city, which criticised the lack of information.<br><br>The "
              "operator blamed a failed junction box, but several "
              "customers said they received no message.</div>"),
     {"information.\n\nThe operator"}, {NULL}},
    {"entities_are_decoded",
     PAGE("", "<article><p>Caf&eacute; &amp; th&#233; &ndash; AT&T, the "
              "outage lasted two days, according to the city, which "
              "criticised it.</p>" PROSE2 "</article>"),
     {"Caf\xC3\xA9 & th\xC3\xA9 \xE2\x80\x93 AT&T"}, {NULL}},
};

static void main_text_follows_the_table(void **state)
{
    (void)state;
    for (size_t i = 0; i < sizeof TEXT / sizeof TEXT[0]; i++) {
        const text_case *c = &TEXT[i];
        print_message("case %s\n", c->name);
        html_doc *d = extract(c->html, NULL);
        for (int k = 0; k < 3 && c->must[k]; k++)
            if (!strstr(d->text, c->must[k]))
                fail_msg("%s: missing '%s' in:\n%s", c->name, c->must[k],
                         d->text);
        for (int k = 0; k < 3 && c->must_not[k]; k++)
            if (strstr(d->text, c->must_not[k]))
                fail_msg("%s: unwanted '%s' in:\n%s", c->name, c->must_not[k],
                         d->text);
        html_doc_free(d);
    }
}

/* ---- metadata ---- */

enum field { F_TITLE, F_LANG, F_CANONICAL, F_AUTHOR, F_FEED0, F_FEED1 };

typedef struct meta_case {
    const char *name;
    const char *html;
    const char *base;
    enum field field;
    const char *want; /* NULL: the field is absent */
} meta_case;

static const meta_case META[] = {
    {"title_prefers_og_title",
     PAGE("<title>Other | Site</title><meta property=\"og:title\" "
          "content=\"The OG Title\">", "<h1>Other</h1>"),
     NULL, F_TITLE, "The OG Title"},
    {"title_uses_h1_matching_title",
     PAGE("<title>Outage in Lyon: what we know | Daily</title>",
          "<h1>Outage in Lyon: what we know</h1>"),
     NULL, F_TITLE, "Outage in Lyon: what we know"},
    {"title_ignores_unrelated_h1",
     PAGE("<title>Outage in Lyon - Daily News</title>", "<h1>Daily News "
          "logo</h1>"),
     NULL, F_TITLE, "Outage in Lyon"},
    {"title_strips_pipe_site_suffix",
     PAGE("<title>Outage in Lyon, what we know | Daily</title>", ""), NULL,
     F_TITLE, "Outage in Lyon, what we know"},
    {"title_strips_hyphen_site_suffix",
     PAGE("<title>Outage in Lyon, what we know - Daily News</title>", ""),
     NULL, F_TITLE, "Outage in Lyon, what we know"},
    {"title_strips_em_dash_site_prefix",
     PAGE("<title>Daily \xE2\x80\x94 Outage in Lyon, what we know</title>", ""),
     NULL, F_TITLE, "Outage in Lyon, what we know"},
    {"title_keeps_hyphen_inside_headline",
     PAGE("<title>Review: Phone X - the verdict after a month</title>", ""),
     NULL, F_TITLE, "Review: Phone X - the verdict after a month"},
    {"title_strips_known_site_name",
     PAGE("<meta property=\"og:site_name\" content=\"Le Monde\"><title>Le "
          "Monde | Une panne g\xC3\xA9" "ante</title>", ""),
     NULL, F_TITLE, "Une panne g\xC3\xA9" "ante"},
    {"title_absent", PAGE("", "<p>x</p>"), NULL, F_TITLE, NULL},
    {"lang_primary_subtag_lower_case",
     "<html lang=\"FR-fr\"><body><p>x</p></body></html>", NULL, F_LANG, "fr"},
    {"lang_from_content_language_meta",
     PAGE("<meta http-equiv=\"Content-Language\" content=\"en-GB\">", ""),
     NULL, F_LANG, "en"},
    {"lang_invalid_is_absent", "<html lang=\"12\"><body></body></html>", NULL,
     F_LANG, NULL},
    {"canonical_relative_is_resolved",
     PAGE("<link rel=\"canonical\" href=\"/news/outage?id=3\">", ""),
     "https://example.org/a/b.html", F_CANONICAL,
     "https://example.org/news/outage?id=3"},
    {"canonical_uses_base_href",
     PAGE("<base href=\"https://cdn.example.net/x/\"><link rel=canonical "
          "href=\"story\">", ""),
     "https://example.org/", F_CANONICAL, "https://cdn.example.net/x/story"},
    {"feed_rss_resolved_against_base",
     PAGE("<link rel=\"alternate\" type=\"application/rss+xml\" "
          "href=\"../feed.xml\">", ""),
     "https://example.org/a/b/c.html", F_FEED0, "https://example.org/a/feed.xml"},
    {"feed_atom_and_json_in_order",
     PAGE("<link rel=alternate type=application/atom+xml href=/atom>"
          "<link rel=\"alternate stylesheet\" type=text/css href=/s.css>"
          "<link rel=alternate type=\"application/feed+json\" href=/j.json>",
          ""),
     "https://example.org/", F_FEED1, "https://example.org/j.json"},
    {"feed_non_feed_alternate_ignored",
     PAGE("<link rel=alternate hreflang=fr type=text/html href=/fr>", ""),
     "https://example.org/", F_FEED0, NULL},
    {"author_from_meta_name",
     PAGE("<meta name=\"author\" content=\"  Jane   Doe \">", ""), NULL,
     F_AUTHOR, "Jane Doe"},
    {"author_from_article_author",
     PAGE("<meta property=\"article:author\" content=\"John Roe\">", ""),
     NULL, F_AUTHOR, "John Roe"},
    {"author_article_author_url_is_skipped",
     PAGE("<meta property=\"article:author\" content=\"https://facebook.com/"
          "x\">", "<a rel=\"author\" href=\"/u/ann\">By Ann Lee</a>"),
     NULL, F_AUTHOR, "Ann Lee"},
    {"author_from_jsonld",
     PAGE("<script type=\"application/ld+json\">{\"@context\":\"https://"
          "schema.org\",\"@graph\":[{\"@type\":\"WebSite\"},{\"@type\":"
          "\"NewsArticle\",\"author\":[{\"@type\":\"Person\",\"name\":"
          "\"Marie Curie\"}]}]}</script>",
          ""),
     NULL, F_AUTHOR, "Marie Curie"},
    {"author_absent", PAGE("", "<p>x</p>"), NULL, F_AUTHOR, NULL},
};

static const char *field_of(const html_doc *d, enum field f)
{
    switch (f) {
    case F_TITLE:
        return d->title;
    case F_LANG:
        return d->lang;
    case F_CANONICAL:
        return d->canonical;
    case F_AUTHOR:
        return d->author;
    case F_FEED0:
        return d->n_feed_links > 0 ? d->feed_links[0] : NULL;
    case F_FEED1:
        return d->n_feed_links > 1 ? d->feed_links[1] : NULL;
    }
    return NULL;
}

static void metadata_follows_the_table(void **state)
{
    (void)state;
    for (size_t i = 0; i < sizeof META / sizeof META[0]; i++) {
        const meta_case *c = &META[i];
        print_message("case %s\n", c->name);
        html_doc *d = extract(c->html, c->base);
        const char *got = field_of(d, c->field);
        if (c->want)
            assert_string_equal(got, c->want);
        else
            assert_null(got);
        html_doc_free(d);
    }
}

typedef struct date_case {
    const char *name;
    const char *html;
    int64_t want;
} date_case;

/* 2024-03-05T07:30:00Z */
#define T0 INT64_C(1709623800)

static const date_case DATES[] = {
    {"published_from_article_published_time",
     PAGE("<meta property=\"article:published_time\" "
          "content=\"2024-03-05T08:30:00+01:00\">", ""),
     T0},
    {"published_from_time_datetime",
     PAGE("", "<p>Posted <time datetime=\"2024-03-05T07:30Z\">March 5</time>"
              "</p>"),
     T0},
    {"published_from_jsonld",
     PAGE("<script type=\"application/ld+json\">[{\"@type\":\"Article\","
          "\"datePublished\":\"2024-03-05T02:30:00-05:00\"}]</script>", ""),
     T0},
    {"published_meta_beats_time",
     PAGE("<meta property=\"article:published_time\" "
          "content=\"2024-03-05T07:30:00Z\">",
          "<time datetime=\"2020-01-01\">old</time>"),
     T0},
    {"published_time_with_pubdate_beats_first_time",
     PAGE("", "<time datetime=\"2020-01-01\">x</time><time pubdate "
              "datetime=\"2024-03-05T07:30:00.250Z\">y</time>"),
     T0},
    {"published_date_only_is_midnight_utc",
     PAGE("", "<time datetime=\"2024-03-05\">x</time>"), T0 - 7 * 3600 - 1800},
    {"published_garbage_is_unknown",
     PAGE("<meta property=\"article:published_time\" content=\"yesterday\">",
          "<time datetime=\"2024-02-30\">x</time>"),
     0},
    {"published_broken_jsonld_is_unknown",
     PAGE("<script type=\"application/ld+json\">{\"datePublished\":</script>",
          ""),
     0},
};

static void published_date_follows_the_table(void **state)
{
    (void)state;
    for (size_t i = 0; i < sizeof DATES / sizeof DATES[0]; i++) {
        print_message("case %s\n", DATES[i].name);
        html_doc *d = extract(DATES[i].html, NULL);
        assert_int_equal(d->published, DATES[i].want);
        html_doc_free(d);
    }
}

/* ---- class tokens ---- */

typedef struct class_case {
    const char *cls;
    int boiler;
} class_case;

static const class_case CLASSES[] = {
    {"share", 1},           {"post social-links", 1},
    {"shareButtons", 1},    {"cookie_notice", 1},
    {"most-read", 1},       {"ad", 1},
    {"top-ads", 1},         {"comments", 1},
    {"breadcrumbs", 1},     {"shadow", 0},
    {"header-image", 0},    {"add-to-cart", 0},
    {"adventure", 0},       {"comments-open", 0},
    {"has-sidebar", 0},     {"navigator-info", 0},
    {"entry-content", 0},   {"", 0},
    /* Taxonomy terms name the story's topics, not the block. */
    {"post category-social-media", 0}, {"entry-tag-share-tips", 0},
    {"share-tag", 1},       {"author-bio", 1},
    {"site-disclaimer", 1}, {"fineprint", 1},
};

static void class_tokens_match_whole_parts_only(void **state)
{
    (void)state;
    for (size_t i = 0; i < sizeof CLASSES / sizeof CLASSES[0]; i++) {
        print_message("class '%s'\n", CLASSES[i].cls);
        assert_int_equal(html_class_is_boilerplate(CLASSES[i].cls, NULL),
                         CLASSES[i].boiler);
    }
}

/* ---- charset through html_extract ---- */

static void extract_decodes_declared_latin1(void **state)
{
    (void)state;
    const char *html = "<html><head><title>Caf\xe9 \x92s</title></head>"
                       "<body><p>d\xe9j\xe0</p></body></html>";
    html_doc *d = NULL;
    assert_int_equal(html_extract(html, strlen(html), NULL,
                                  "text/html; charset=iso-8859-1", &d),
                     VG_OK);
    assert_string_equal(d->title, "Caf\xC3\xA9 \xE2\x80\x99s");
    assert_string_equal(d->text, "d\xC3\xA9j\xC3\xA0");
    html_doc_free(d);
}

/* ---- the fixture page ---- */

static char *read_fixture(const char *name, size_t *len)
{
    const char *root = getenv("VG_SOURCE_DIR");
    char path[1024];
    snprintf(path, sizeof path, "%s/tests/fixtures/html/%s",
             root ? root : ".", name);
    FILE *f = fopen(path, "rb");
    if (!f)
        return NULL;
    char *buf = malloc(1 << 20);
    size_t n = buf ? fread(buf, 1, (1 << 20) - 1, f) : 0;
    fclose(f);
    if (buf)
        buf[n] = '\0';
    *len = n;
    return buf;
}

static void fixture_news_article_extracts_everything(void **state)
{
    (void)state;
    size_t len = 0;
    char *html = read_fixture("news_article.html", &len);
    if (!html)
        fail_msg("fixture missing (is VG_SOURCE_DIR set?)");
    html_doc *d = NULL;
    assert_int_equal(html_extract(html, len, "https://quotidien.example/"
                                             "2024/03/x.html",
                                  NULL, &d),
                     VG_OK);
    assert_string_equal(d->title, "Fibrelia coupe la fibre \xC3\xA0 Lyon");
    assert_string_equal(d->lang, "fr");
    assert_string_equal(d->author, "Claire Martin");
    assert_string_equal(d->canonical,
                        "https://quotidien.example/2024/03/fibrelia-panne-lyon");
    assert_int_equal(d->n_feed_links, 1);
    assert_string_equal(d->feed_links[0], "https://quotidien.example/feed.xml");
    assert_int_equal(d->published, T0);
    assert_non_null(strstr(d->text, "Des milliers d'abonn\xC3\xA9s"));
    assert_non_null(strstr(d->text, "Des commer\xC3\xA7" "ants en col\xC3\xA8re"));
    assert_non_null(strstr(d->text, "Le service client ne r\xC3\xA9pondait"));
    static const char *const junk[] = {"Politique", "cookies", "Partager",
                                       "Tweeter", "lire aussi", "commentaires",
                                       "scandaleux", "plus lus", "newsletter",
                                       "droits"};
    for (size_t i = 0; i < sizeof junk / sizeof junk[0]; i++)
        if (strstr(d->text, junk[i]))
            fail_msg("boilerplate '%s' kept:\n%s", junk[i], d->text);
    html_doc_free(d);
    free(html);
}

/* ---- robustness ---- */

static void empty_and_null_input_give_empty_text(void **state)
{
    (void)state;
    html_doc *d = NULL;
    assert_int_equal(html_extract("", 0, NULL, NULL, &d), VG_OK);
    assert_string_equal(d->text, "");
    assert_null(d->title);
    html_doc_free(d);
    assert_int_equal(html_extract(NULL, 0, NULL, NULL, &d), VG_OK);
    assert_string_equal(d->text, "");
    html_doc_free(d);
}

static void binary_garbage_does_not_crash(void **state)
{
    (void)state;
    unsigned char buf[8192];
    uint32_t x = 2463534242u;
    for (int round = 0; round < 20; round++) {
        for (size_t i = 0; i < sizeof buf; i++) {
            x ^= x << 13;
            x ^= x >> 17;
            x ^= x << 5;
            /* Mix in markup bytes so the tokenizer sees tags too. */
            static const char mark[] = "<>/=\"' pdivab!-&;#";
            buf[i] = (x & 3) == 0 ? (unsigned char)mark[(x >> 8) % 18]
                                  : (unsigned char)(x >> 16);
        }
        html_doc *d = NULL;
        assert_int_equal(html_extract((const char *)buf, sizeof buf, NULL,
                                      NULL, &d),
                         VG_OK);
        html_doc_free(d);
        char *t = NULL;
        assert_int_equal(html_to_text((const char *)buf, sizeof buf, &t), VG_OK);
        free(t);
    }
}

static char *repeat(const char *unit, size_t times, const char *tail)
{
    size_t ul = strlen(unit), tl = strlen(tail);
    char *s = malloc(ul * times + tl + 1);
    assert_non_null(s);
    for (size_t i = 0; i < times; i++)
        memcpy(s + i * ul, unit, ul);
    memcpy(s + ul * times, tail, tl + 1);
    return s;
}

static void deeply_nested_markup_does_not_crash(void **state)
{
    (void)state;
    static const char *const units[] = {"<div>", "<span>", "<b><i>",
                                        "<table><tr><td>", "<ul><li>",
                                        "<a href=x>", "<font>"};
    for (size_t i = 0; i < sizeof units / sizeof units[0]; i++) {
        char *s = repeat(units[i], 200000, "<p>deep text</p>");
        html_doc *d = NULL;
        print_message("nesting %s\n", units[i]);
        assert_int_equal(html_extract(s, strlen(s), NULL, NULL, &d), VG_OK);
        html_doc_free(d);
        char *t = NULL;
        assert_int_equal(html_to_text(s, strlen(s), &t), VG_OK);
        free(t);
        free(s);
    }
}

static void moderate_nesting_is_parsed_whole(void **state)
{
    (void)state;
    char *s = repeat("<div>", 1000, "<p>deep text survives</p>");
    html_doc *d = NULL;
    assert_int_equal(html_extract(s, strlen(s), NULL, NULL, &d), VG_OK);
    assert_string_equal(d->text, "deep text survives");
    html_doc_free(d);
    free(s);
}

static void oversized_page_is_refused(void **state)
{
    (void)state;
    html_doc *d = NULL;
    /* The length alone decides; the bytes are never read. */
    assert_int_equal(html_extract("x", (size_t)HTML_MAX_BYTES + 1, NULL, NULL,
                                  &d),
                     VG_ETOOBIG);
    assert_null(d);
    char *t = NULL;
    assert_int_equal(html_to_text("x", (size_t)HTML_MAX_BYTES + 1, &t),
                     VG_ETOOBIG);
    assert_null(t);
}

/* ---- the region Gumbo's tree lives in (html_region.c) ---- */

/* One step on a region: allocate size bytes, or free (size -1) the block
 * of step `of`. For an allocation, `of` names the step whose freed block
 * must come back (same 8-byte class), or is -1 for a block not in use. */
typedef struct region_step {
    const char *name;
    long size;
    int of;
} region_step;

static const region_step REGION[] = {
    /* 0 */ {"string_buffer", 10, -1},
    /* 1 */ {"node", 128, -1},
    /* 2 */ {"free_the_buffer", -1, 0},
    /* 3 */ {"same_class_comes_back", 16, 0},
    /* 4 */ {"other_class_is_new", 24, -1},
    /* 5 */ {"zero_bytes_is_a_block", 0, -1},
    /* 6 */ {"largest_small_block", HTML_REGION_LARGE, -1},
    /* 7 */ {"large_block", HTML_REGION_LARGE + 1, -1},
    /* 8 */ {"free_the_large_block", -1, 7},
    /* 9 */ {"large_block_left_to_the_region", 4000, -1},
    /* 10 */ {"free_the_node", -1, 1},
    /* 11 */ {"free_the_largest_small", -1, 6},
    /* 12 */ {"node_class_comes_back", 121, 1},
    /* 13 */ {"largest_small_comes_back", HTML_REGION_LARGE - 7, 6},
    /* 14 */ {"class_list_empty_again_new_block", 9, -1},
    /* 15 */ {"free_the_zero_byte_block", -1, 5},
};
#define N_REGION (sizeof REGION / sizeof REGION[0])

/* Each live block holds its step number in every byte: a block handed
 * out twice, or overlapping another, breaks the pattern. */
static void assert_filled(const unsigned char *p, size_t n, unsigned char v)
{
    for (size_t i = 0; i < n; i++)
        assert_int_equal(p[i], v);
}

static void region_reuses_freed_blocks_by_class(void **state)
{
    (void)state;
    html_region r;
    GumboOptions opt = kGumboDefaultOptions;
    html_region_init(&r);
    html_region_use(&r, &opt);
    void *blk[N_REGION] = {0};
    int live[N_REGION] = {0};
    for (size_t i = 0; i < N_REGION; i++) {
        const region_step *st = &REGION[i];
        print_message("step %zu %s\n", i, st->name);
        if (st->size < 0) {
            assert_true(live[st->of]);
            opt.deallocator(opt.userdata, blk[st->of]);
            live[st->of] = 0;
            continue;
        }
        void *p = opt.allocator(opt.userdata, (size_t)st->size);
        assert_non_null(p);
        assert_int_equal((uintptr_t)p % 8, 0);
        if (st->of >= 0)
            assert_ptr_equal(p, blk[st->of]);
        for (size_t k = 0; k < i; k++)
            if (live[k])
                assert_ptr_not_equal(p, blk[k]);
        memset(p, (int)i, (size_t)st->size);
        blk[i] = p;
        live[i] = 1;
    }
    for (size_t i = 0; i < N_REGION; i++)
        if (live[i])
            assert_filled(blk[i], (size_t)REGION[i].size, (unsigned char)i);
    opt.deallocator(opt.userdata, NULL); /* Gumbo may free NULL */

    /* Enough blocks for many chunks, of every small size and some large
     * ones, half of them freed and asked for again. */
    enum { MANY = 3000 };
    unsigned char **p = calloc(MANY, sizeof *p);
    assert_non_null(p);
    for (size_t i = 0; i < MANY; i++) {
        size_t n = (i * 37) % (HTML_REGION_LARGE + 300);
        p[i] = opt.allocator(opt.userdata, n);
        assert_non_null(p[i]);
        memset(p[i], (int)(i & 0xFF), n);
    }
    for (size_t i = 0; i < MANY; i += 2)
        opt.deallocator(opt.userdata, p[i]);
    for (size_t i = 0; i < MANY; i += 2) {
        size_t n = (i * 37) % (HTML_REGION_LARGE + 300);
        p[i] = opt.allocator(opt.userdata, n);
        assert_non_null(p[i]);
        memset(p[i], (int)(i & 0xFF), n);
    }
    for (size_t i = 0; i < MANY; i++)
        assert_filled(p[i], (i * 37) % (HTML_REGION_LARGE + 300),
                      (unsigned char)(i & 0xFF));
    free(p);
    /* Frees the chunks and the large blocks still held (the sanitizer
     * build would report a leak), and leaves the region usable. */
    html_region_free(&r);
    void *again = opt.allocator(opt.userdata, 40);
    assert_non_null(again);
    memset(again, 1, 40);
    html_region_free(&r);
    html_region_free(NULL);
}

/* ---- html_to_text ---- */

typedef struct frag_case {
    const char *name;
    const char *html;
    const char *want;
} frag_case;

static const frag_case FRAGS[] = {
    {"plain_text_passes_through", "just words", "just words"},
    {"tags_removed_inline_joined", "<b>Bold</b> and <i>it</i>al<a href=x>ic</a>",
     "Bold and italic"},
    {"entities_decoded", "Caf&eacute; &amp; &lt;tea&gt; &#x20AC;5",
     "Caf\xC3\xA9 & <tea> \xE2\x82\xAC" "5"},
    {"blocks_become_line_breaks", "<p>One</p><p>Two</p><div>Three</div>",
     "One\nTwo\nThree"},
    {"br_is_a_line_break", "a<br>b", "a\nb"},
    {"whitespace_collapsed_and_trimmed", "  <p>  a \n\t b  </p>  ", "a b"},
    {"script_and_style_dropped",
     "<style>p{}</style>x<script>alert(1)</script>y", "xy"},
    {"unclosed_tags_tolerated", "<p>open <b>bold <i>both", "open bold both"},
    {"list_items_on_lines", "<ul><li>a</li><li>b</li></ul>", "a\nb"},
    {"nbsp_is_a_space", "a&nbsp;&nbsp;b", "a b"},
    {"empty_fragment", "", ""},
};

static void to_text_follows_the_table(void **state)
{
    (void)state;
    for (size_t i = 0; i < sizeof FRAGS / sizeof FRAGS[0]; i++) {
        char *t = NULL;
        print_message("case %s\n", FRAGS[i].name);
        assert_int_equal(html_to_text(FRAGS[i].html, strlen(FRAGS[i].html), &t),
                         VG_OK);
        assert_string_equal(t, FRAGS[i].want);
        free(t);
    }
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(main_text_follows_the_table),
        cmocka_unit_test(metadata_follows_the_table),
        cmocka_unit_test(published_date_follows_the_table),
        cmocka_unit_test(class_tokens_match_whole_parts_only),
        cmocka_unit_test(extract_decodes_declared_latin1),
        cmocka_unit_test(fixture_news_article_extracts_everything),
        cmocka_unit_test(empty_and_null_input_give_empty_text),
        cmocka_unit_test(binary_garbage_does_not_crash),
        cmocka_unit_test(deeply_nested_markup_does_not_crash),
        cmocka_unit_test(moderate_nesting_is_parsed_whole),
        cmocka_unit_test(oversized_page_is_refused),
        cmocka_unit_test(region_reuses_freed_blocks_by_class),
        cmocka_unit_test(to_text_follows_the_table),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
