/*
 * Text runs hidden from Gumbo (parser/html_intern.c). Each page of the
 * table is parsed twice, as it is and with its runs behind placeholders
 * then expanded, and the two trees must match node for node: types,
 * tags, text, comments and attribute values. The pages are the places
 * where a tag scanner and an HTML tokenizer can disagree (quoted '>',
 * raw-text elements, comments, a literal '<', character references,
 * CR, tables that foster-parent text, a page already holding U+E000).
 * The second parse allocates from a region (parser/html_region.c), as
 * html_extract does, so every page also checks that Gumbo builds the
 * same tree there as through malloc.
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

/* A run long enough to be interned. */
#define LONG "the fibre outage lasted two whole days in the village"

/* Parses html both ways; returns how many runs were interned. The
 * plain page goes through malloc, the hidden one through a region, as
 * in html_extract: the trees must match either way, and the expansions
 * must be undone (they write into the region) before it is freed. */
static size_t check_page(const char *html)
{
    size_t len = strlen(html);
    GumboOptions opt = kGumboDefaultOptions;
    opt.max_errors = 0;
    GumboOutput *plain = gumbo_parse_with_options(&opt, html, len);
    assert_non_null(plain);
    GumboOptions ropt = opt;
    html_region region;
    html_region_init(&region);
    html_region_use(&region, &ropt);

    char *page = malloc(len + 1);
    assert_non_null(page);
    memcpy(page, html, len + 1);
    html_runs r;
    size_t hid_len = len;
    assert_int_equal(html_runs_intern(page, &hid_len, &r), VG_OK);
    size_t runs = r.n;
    if (runs)
        assert_true(hid_len < len);
    else
        assert_memory_equal(page, html, len + 1);
    GumboOutput *hid = gumbo_parse_with_options(&ropt, page, hid_len);
    assert_non_null(hid);
    assert_int_equal(html_runs_expand(&r, hid->document), VG_OK);
    assert_true(html_tree_same(plain->document, hid->document));
    html_runs_free(&r);
    html_region_free(&region);
    gumbo_destroy_output(&opt, plain);
    free(page);
    return runs;
}

typedef struct {
    const char *name;
    const char *html;
    int interned; /* 1: some run must be interned, 0: none may be */
} intern_case;

static const intern_case cases[] = {
    {"paragraphs", "<html><body><p>" LONG "</p><p>" LONG LONG "</p>"
                   "<div>" LONG "<br>" LONG "</div></body></html>", 1},
    {"quoted gt in attributes",
     "<body><a title=\"a > b\" href='x>y'>" LONG "</a><img alt=c>d>"
     "<p data-x = \"q>\" >" LONG LONG LONG "</p>", 1},
    {"raw text elements",
     "<head><title>" LONG "</title><style>p>b{}" LONG "</style>"
     "<script>if(a<b){x='</p>" LONG "'}</script></head><body>"
     "<textarea>\n" LONG "</textarea><pre>\n" LONG "</pre>"
     "<p>" LONG LONG LONG LONG "</p><script>var s='</scripts>" LONG
     "';</script>" LONG LONG, 1},
    {"raw contents without < or & are runs",
     "<head><title> " LONG " </title><script type=\"application/ld+json\">"
     "{\"headline\": \"" LONG "\"}</script><style>" LONG "</style>"
     "<noscript>" LONG "</noscript></head><body><textarea>\n" LONG
     "</textarea><pre>\n\n" LONG "</pre><xmp>" LONG "</xmp><iframe>" LONG
     "</iframe><svg><script>" LONG "</script><title>" LONG "</title></svg>"
     "<noembed>" LONG "</noembed><listing>\n" LONG "</listing>", 1},
    {"long attribute values are runs",
     "<head><meta name=description content=\"" LONG "\"><meta property='og:title'"
     " content='" LONG "'></head><body><img alt=\"" LONG "\"><a title=\"" LONG
     "\" href=\"/" LONG "\">x</a><svg><path d=\"" LONG "\"/></svg>"
     "<math><annotation-xml encoding=\"application/xhtml+xml; " LONG "\">"
     "<p>x</p></annotation-xml></math><table><input type=\"hidden " LONG "\">"
     "<tr><td>x</td></tr></table>", 1},
    {"attribute values with &, blank ends or unquoted stay with Gumbo",
     "<body><p title=\"" LONG " &amp; " LONG "\" lang=\" " LONG "\""
     " class=" "the-fibre-outage-lasted-two-whole-days-in-the-village" ">x</p>"
     "<p title=\"" LONG "\n\"></p></body>", 0},
    {"raw contents with & stay with Gumbo",
     "<head><title>" LONG " &amp; " LONG "</title><script>" LONG " && "
     LONG "</script><style>" LONG " & " LONG "</style></head>", 0},
    {"comments", "<body><!-- a comment with " LONG " -- and > inside -->"
                 "<p>" LONG LONG LONG "</p><!-->" LONG "<!---->" LONG
                 "<?php echo 1 ?>" LONG "</ x>" LONG "</>" LONG, 1},
    {"literal less-than", "<p>" LONG " 3 < 4 and a <= b " LONG LONG
                          " <3 " LONG "</p>" LONG " <", 1},
    {"common references decoded as Gumbo does",
     "<p>" LONG " &amp; &nbsp;&#8217;&#x2019;&#X2019;&#039;&eacute;&lt;b&gt; "
     LONG "</p><p>" LONG "&quot;&#128512;&#xA0;&hellip;&Eacute;" LONG "</p>",
     1},
    {"other references and CR stay with Gumbo",
     "<p>" LONG "\r\n" LONG "</p><p>" LONG " &notin; " LONG "</p><p>" LONG
     " &amp " LONG "</p><p>" LONG " &#150; " LONG "</p><p>" LONG " &#0; "
     LONG "</p><p>" LONG " &#x20; " LONG "</p><p>" LONG " &#57344; " LONG
     "</p><p>" LONG " &#xD800; " LONG "</p><p>" LONG " &ampx; " LONG
     "</p><p>" LONG " &#12 " LONG "</p><p>" LONG " &# " LONG "</p>", 0},
    {"table foster parenting",
     "<table>" LONG "<tr><td>" LONG LONG "</td>" LONG "</tr>  " LONG
     "</table><table><tr><td>" LONG LONG LONG "</table>", 1},
    {"misnested and ignored tags merge runs",
     "<p>" LONG "</span>" LONG "</p></p>" LONG LONG "<b><i>" LONG
     "</b>" LONG "</i>" LONG "<p>" LONG LONG, 1},
    {"blank run edges in head and frameset",
     "<html><head><title>t</title>\n  " LONG "  \n<meta charset=utf-8>"
     "</head>\n" LONG "\n<body><p>" LONG LONG "</p>", 1},
    {"text before body and after html",
     "<html><head>" LONG "<meta charset=utf-8></head>" LONG "<body>" LONG
     LONG LONG "</body></html>" LONG "<frameset>" LONG, 1},
    {"foreign content",
     "<body><svg><text>" LONG "</text><![CDATA[" LONG "]]></svg>"
     "<math><mi>" LONG LONG "</mi></math><p>" LONG LONG "</p>", 1},
    {"page already holding U+E000",
     "<p>" LONG " \xEE\x80\x80" "ABCD " LONG "</p><p>" LONG LONG LONG "</p>",
     0},
    {"plaintext", "<p>" LONG LONG LONG LONG "</p><plaintext>" LONG
                  "</p>" LONG, 1},
    {"unterminated quote", "<p>" LONG LONG LONG LONG "</p><a href=\"x>"
                           LONG "</a>" LONG, 1},
    /* Found by fuzz/fuzz_html_intern.c (its corpus keeps the input): in
     * SVG, "<![CDATA[" runs to "]]>", not to the first '>'. */
    {"CDATA section holding tags",
     "<p>" LONG "<svg><![CDATA[ the " LONG "</a></span>" LONG " ]]></svg>"
     "<script>x=\"</p>" LONG "\"</script>", 1},
    {"comments ending early", "<p>" LONG "<!--> <script> --> " LONG " &amp; "
                              LONG "</script><!---> <b title='-->" LONG "'>"
                              "<!-- a --!> <xmp> --> " LONG " &amp; </xmp>", 1},
    {"noscript and pre hold markup",
     "<body><p>" LONG "</p><noscript><!-- </noscript> --> " LONG " &amp; "
     LONG "</noscript><pre><b title=\"</pre>\">" LONG " &amp; " LONG
     "</b></pre><listing>\n" LONG "</listing>", 1},
    {"script in its double-escaped state",
     "<p>" LONG "</p><script><!-- document.write('<script></script>') "
     LONG " &amp; " LONG " --></script><p>" LONG "</p><script><!--> "
     "<script></script>" LONG "</script><script><!-- a --> <script> "
     "</script>" LONG, 1},
    {"raw text element names in SVG and MathML",
     "<p>" LONG "</p><svg><style><!-- </style> --> " LONG " &amp; " LONG
     "</style></svg><p>" LONG "</p>", 1},
    {"SVG left open past its end tag",
     "<p>" LONG "</p><svg><foreignObject><div></svg></div></foreignObject>"
     "<style><!-- </style> " LONG " &amp; " LONG "--></style></svg>", 1},
    {"MathML end tag inside SVG",
     "<p>" LONG "</p><svg></math><title><!-- </title> " LONG " &amp; "
     LONG "--></title></svg>", 1},
};

static void test_intern_keeps_tree(void **state)
{
    (void)state;
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        print_message("case: %s\n", cases[i].name);
        size_t runs = check_page(cases[i].html);
        if (cases[i].interned)
            assert_true(runs > 0);
        else
            assert_int_equal(runs, 0);
    }
}

/* The extractor's output is the same whether or not runs were hidden:
 * the same page with one character reference (which turns interning
 * off for that run only) against the plain page. */
static void test_extract_same_text(void **state)
{
    (void)state;
    static const char *page =
        "<html><head><title>Outage</title></head><body><nav><a href=/>Home"
        "</a></nav><article><h1>Outage</h1><p>" LONG ", and the operator "
        "blamed a junction box, according to the town, which criticised "
        LONG ".</p><p>" LONG ", said a resident, who waited " LONG
        ".</p></article><footer>Contact us</footer></body></html>";
    html_doc *d = NULL;
    assert_int_equal(html_extract(page, strlen(page), NULL, NULL, &d), VG_OK);
    assert_non_null(d);
    assert_non_null(strstr(d->text, LONG ", and the operator blamed"));
    assert_non_null(strstr(d->text, "\n\n" LONG ", said a resident"));
    assert_null(strstr(d->text, "Contact us"));
    assert_string_equal(d->title, "Outage");
    html_doc_free(d);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_intern_keeps_tree),
        cmocka_unit_test(test_extract_same_text),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
