/*
 * The cleaning rules applied to the winning container of a page
 * (parser/html_main.c), one table row per rule with a row that proves
 * the rule does not overreach: end-matter headings, teaser lists and
 * link clusters pruned by link density, repeated blocks, escaped markup,
 * furniture lines at the edges of the text, glued comment class names,
 * figure captions and caption/byline class names; the headline of a
 * post (h2/h3 titles, titles in a dropped <header>, a page without a
 * story container), the two-sentence post under a tagline, and
 * paragraphs with links inside the story;
 * plus og:title cleaned with the site name <title> reveals, and the
 * publication date read through parser/date.c.
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

#define P1                                                                    \
    "<p>The network outage lasted two days, according to the city, which "   \
    "criticised the lack of information given to thousands of customers.</p>"
#define P2                                                                    \
    "<p>The operator blamed a failed junction box, but several customers "    \
    "said they received no message, neither by email nor by text, during "   \
    "the whole outage.</p>"
#define P3                                                                    \
    "<p>Engineers replaced the cabinet on Tuesday night, and the service "    \
    "came back, slowly, district by district, before dawn.</p>"
#define PAGE(body) "<!DOCTYPE html><html><head></head><body>" body "</body></html>"

typedef struct rule_case {
    const char *name;
    const char *html;
    const char *must[3];     /* substrings the text contains */
    const char *must_not[3]; /* substrings it must not contain */
} rule_case;

static const rule_case RULES[] = {
    /* End matter. */
    {"comments_heading_drops_what_follows",
     PAGE("<div class=\"post\">" P1 P2 P3 "<h2>12 Comments</h2><p>Great "
          "post, thanks, I agree with every word of it, really.</p></div>"),
     {"outage lasted", "before dawn"}, {"Comments", "Great post"}},
    {"related_heading_with_colon_drops_what_follows",
     PAGE("<div>" P1 P2 P3 "<h3>Related stories:</h3><p>Another outage, "
          "in another city, last year, was worse.</p></div>"),
     {"junction box"}, {"Related", "Another outage"}},
    {"more_from_site_heading_drops_what_follows",
     PAGE("<div>" P1 P2 P3 "<h5>More Example Times</h5><p>A story about "
          "something else entirely, with commas, here.</p></div>"),
     {"junction box"}, {"Example Times", "something else"}},
    {"french_lire_aussi_heading_drops_what_follows",
     PAGE("<div>" P1 P2 P3 "<h4>\xC3\x80 lire aussi</h4><p>Une autre panne, "
          "dans une autre ville, l'an dernier.</p></div>"),
     {"junction box"}, {"autre panne"}},
    {"ordinary_heading_keeps_what_follows",
     PAGE("<div>" P1 "<h2>What the operator says</h2>" P2 P3 "</div>"),
     {"What the operator says", "junction box", "before dawn"}, {NULL}},
    {"headline_starting_with_more_is_kept",
     PAGE("<div>" P1 "<h2>More than ten thousand homes lost their "
          "connection</h2>" P2 P3 "</div>"),
     {"More than ten thousand", "junction box"}, {NULL}},
    {"end_heading_before_most_prose_is_ignored",
     PAGE("<div><h2>Comments</h2>" P1 P2 P3 "</div>"),
     {"outage lasted", "junction box", "before dawn"}, {NULL}},
    /* Pruning inside the winner. */
    {"teaser_list_inside_winner_is_pruned",
     PAGE("<div class=\"wrap\"><div class=\"story\">" P1 P2 P3 "</div>"
          "<div class=\"rail\"><div><a href=/1>Teaser headline number one "
          "about phones</a><p>Summary of the first teaser, short.</p></div>"
          "<div><a href=/2>Teaser headline number two about boxes</a><p>"
          "Summary of the second teaser, short.</p></div></div></div>"),
     {"outage lasted", "before dawn"}, {"Teaser headline", "Summary of"}},
    {"links_inside_prose_are_kept",
     PAGE("<div>" P1 "<p>The <a href=/op>operator</a> blamed a failed "
          "junction box, said the <a href=/city>city</a>, which asked for "
          "a report within a week, in writing.</p>" P3 "</div>"),
     {"The operator blamed", "said the city"}, {NULL}},
    /* Blocks of the winner. */
    {"repeated_block_is_written_once",
     PAGE("<div>" P1 "<p>Photo credit, agency, archive picture, 2024.</p>" P2
          "<p>Photo credit, agency, archive picture, 2024.</p>" P3 "</div>"),
     {"Photo credit, agency, archive picture, 2024.\n\nThe operator"},
     {"2024.\n\nEngineers"}},
    {"repeat_in_other_case_and_spacing_is_written_once",
     PAGE("<div>" P1 "<p>Photo Credit,  agency, ARCHIVE picture, 2024.</p>" P2
          "<p>photo credit, agency, archive\n picture, 2024.</p>" P3 "</div>"),
     {"Photo Credit, agency, ARCHIVE picture, 2024.\n\nThe operator"},
     {"2024.\n\nEngineers"}},
    {"blocks_differing_late_are_both_kept",
     PAGE("<div>" P1 "<p>Photo credit, agency, archive picture, 2023.</p>" P2
          "<p>Photo credit, agency, archive picture, 2024.</p>" P3 "</div>"),
     {"2023.\n\nThe operator", "2024.\n\nEngineers"}, {"2023.\n\nEngineers"}},
    {"escaped_markup_line_is_dropped",
     PAGE("<div><p>&lt;img height=\"1\" width=\"1\" src=\"/pixel\"&gt;</p>"
          P1 P2 P3 "</div>"),
     {"outage lasted"}, {"<img", "pixel"}},
    {"leading_dateline_and_byline_are_dropped",
     PAGE("<div><p>Updated 1:39 am, May 20</p><p>Jane Doe, staff</p>" P1 P2
          P3 "</div>"),
     {"outage lasted"}, {"Updated", "Jane Doe"}},
    {"leading_heading_is_kept",
     PAGE("<div><h1>Outage in Lyon</h1>" P1 P2 P3 "</div>"),
     {"Outage in Lyon\n\nThe network"}, {NULL}},
    {"trailing_share_prompt_is_dropped",
     PAGE("<div>" P1 P2 P3 "<p>Share this with friends</p></div>"),
     {"before dawn."}, {"Share this"}},
    {"short_last_sentence_is_kept",
     PAGE("<div>" P1 P2 P3 "<p>It was over.</p></div>"),
     {"It was over."}, {NULL}},
    {"glued_comment_class_is_dropped",
     PAGE("<div>" P1 P2 P3 "<div class=\"commentbody by-reader\"><p>I had "
          "the same issue, for days, honestly, terrible.</p></div></div>"),
     {"before dawn"}, {"same issue"}},
    {"figcaption_is_dropped",
     PAGE("<div>" P1 "<figure><img src=/a.jpg><figcaption>Engineers at work "
          "on the cabinet, Tuesday, in Lyon.</figcaption></figure>" P2 P3
          "</div>"),
     {"outage lasted", "before dawn"}, {"Engineers at work"}},
    {"caption_and_byline_classes_are_dropped",
     PAGE("<div><div class=\"article-byline\">By Jane Doe, staff writer, "
          "Lyon bureau, with agencies</div>" P1 P2 "<p class=\"photo-caption"
          "\">The cabinet, after the fire, on Monday, in Lyon.</p>" P3
          "</div>"),
     {"outage lasted", "before dawn"}, {"Jane Doe", "after the fire"}},
    /* The page's own <article> inside a wider winner. */
    {"article_inside_winner_leaves_teasers_out",
     PAGE("<div class=\"wrap\"><article>" P1 P2 P3 "</article><div "
          "class=\"below\"><p>Next week, the council, which meets on Monday, "
          "will vote on the budget for the new library, again.</p><p>A "
          "festival, with bands, food trucks and a parade, opens downtown on "
          "Friday, organisers said.</p></div></div>"),
     {"outage lasted", "before dawn"}, {"council", "festival"}},
    {"small_article_inside_winner_does_not_narrow_it",
     PAGE("<div><article><p>Quote of the day, from a customer, in the "
          "queue.</p></article>" P1 P2 P3 "</div>"),
     {"Quote of the day", "outage lasted", "before dawn"}, {NULL}},
    {"commentary_class_is_kept",
     PAGE("<div class=\"commentary\">" P1 P2 P3 "</div>"),
     {"outage lasted", "before dawn"}, {NULL}},
    /* The headline says where a short post is. */
    {"short_post_beside_long_box_follows_its_headline",
     "<html><head><title>Bugle: Fibre is back in Lyon</title></head><body>"
     "<div class=\"main\"><h2>Fibre is back in Lyon</h2><div class=\"entry\">"
     "<p>Fibre is back in Lyon, district by district, after two days, and "
     "the operator says, for now, that it will not happen again.</p></div>"
     "</div><div class=\"links\"><a href=/1>Home page of the Bugle</a>"
     "<a href=/2>Contact the newsroom</a><a href=/3>All our stories of "
     "the week</a><a href=/4>Archives of the year</a><a href=/5>Read "
     "the Bugle in print</a><a href=/6>Advertise with us</a><a href=/7>"
     "Jobs at the Bugle</a><a href=/8>Terms of use and privacy</a><a "
     "href=/9>Subscribe to the morning letter</a></div>"
     "<div class=\"box\">" P1 P2 P3 "</div></body></html>",
     {"Fibre is back in Lyon, district"}, {"outage lasted"}},
    {"standfirst_after_headline_leaves_the_article_alone",
     "<html><head><title>Outage in Lyon</title></head><body><div>"
     "<h1>Outage in Lyon</h1><p>Two days without a connection, for "
     "thousands of homes, and an operator short of answers.</p></div>"
     "<article>" P1 P2 P3 "</article></body></html>",
     {"outage lasted", "before dawn"}, {NULL}},
    /* Comments after a short post, even when they outweigh it. */
    {"comments_after_short_post_are_dropped",
     PAGE("<div class=\"post\">" P1 "<h2 id=\"comments\">Comments</h2>"
          "<p>Same here, for two days, no service, no message, nothing at "
          "all, and the hotline, of course, was busy all day long.</p>"
          "<p>They promised a refund, last time, in writing, and I am "
          "still waiting for it, months later, like everyone else.</p>"
          "</div>"),
     {"outage lasted"}, {"Same here", "refund"}},
    /* Lists and tables without links are the story's own. */
    {"plain_list_in_story_is_kept",
     PAGE("<div>" P1 "<ul><li>2 eggs, beaten</li><li>1 cup of flour, sifted"
          "</li><li>1 cup of whole milk</li><li>2 tablespoons of butter</li>"
          "<li>1 pinch of sea salt</li><li>1 teaspoon of sugar</li><li>The "
          "zest of 1 lemon</li><li>2 tablespoons of rum</li><li>1 cup of "
          "heavy cream</li><li>3 apples, sliced</li><li>1 teaspoon of "
          "cinnamon</li></ul>" P2 P3 "</div>"),
     {"1 cup of flour", "3 apples", "before dawn"}, {NULL}},
    {"plain_table_in_story_is_kept",
     PAGE("<div>" P1 "<div class=\"figures\"><table><tr><td>Lyon</td>"
          "<td>12,000 homes</td></tr><tr><td>Villeurbanne</td><td>4,500 "
          "homes</td></tr><tr><td>Bron</td><td>1,200 homes</td></tr><tr>"
          "<td>Vaulx-en-Velin</td><td>2,100 homes</td></tr><tr><td>Caluire"
          "</td><td>900 homes</td></tr><tr><td>Oullins</td><td>700 homes"
          "</td></tr><tr><td>Venissieux</td><td>3,300 homes</td></tr><tr>"
          "<td>Saint-Priest</td><td>1,900 homes</td></tr><tr><td>Rillieux"
          "</td><td>1,100 homes</td></tr><tr><td>Ecully</td><td>600 homes"
          "</td></tr></table></div>" P2 P3 "</div>"),
     {"Villeurbanne", "2,100 homes", "before dawn"}, {NULL}},
    {"list_of_sourced_points_is_kept",
     PAGE("<div>" P1 "<ul><li>The cabinet was old, says <a href=/r>the "
          "regulator</a>, and worn.</li><li>The city was warned, twice, "
          "by <a href=/o>the operator</a>.</li><li>Nobody was told, says "
          "<a href=/u>the union</a>, for hours.</li></ul>" P2 P3 "</div>"),
     {"cabinet was old", "city was warned"}, {NULL}},
    /* A post's own headline, right before its body, is kept. */
    {"post_headline_before_body_is_kept",
     "<html><head><title>Outage in Lyon | Bugle</title></head><body><div "
     "class=\"post\"><h2>Outage in Lyon</h2><p>May 2</p><div class=\"entry\">"
     P1 P2 P3 "</div></div></body></html>",
     {"Outage in Lyon\n\nThe network", "before dawn"}, {"May 2"}},
    {"page_headline_away_from_the_body_stays_out",
     "<html><head><title>Outage in Lyon | Bugle</title></head><body><div "
     "class=\"top\"><h1>Outage in Lyon</h1></div><div class=\"wrap\"><div "
     "class=\"entry\">" P1 P2 P3 "</div></div></body></html>",
     {"outage lasted", "before dawn"}, {"Outage in Lyon"}},
    /* A post's title in an h2/h3 is the post's own wherever it sits. */
    {"post_title_in_h2_away_from_body_is_kept",
     "<html><head><title>Outage in Lyon | Bugle</title></head><body><div "
     "class=\"top\"><h2>Outage in Lyon</h2></div><div class=\"wrap\"><div "
     "class=\"entry\">" P1 P2 P3 "</div></div></body></html>",
     {"Outage in Lyon\n\nThe network", "before dawn"}, {NULL}},
    {"post_title_in_dropped_header_is_kept",
     "<html><head><title>Outage in Lyon | Bugle</title></head><body>"
     "<article><header><h2>Outage in Lyon</h2></header>" P1 P2 P3
     "</article></body></html>",
     {"Outage in Lyon\n\nThe network", "before dawn"}, {NULL}},
    {"curly_apostrophe_heading_matches_plain_title",
     "<html><head><title>Im back in Lyon | Bugle</title></head><body><div "
     "class=\"top\"><h2>I\xE2\x80\x99m back in Lyon</h2></div><div "
     "class=\"wrap\"><div class=\"entry\">" P1 P2 P3
     "</div></div></body></html>",
     {"back in Lyon\n\nThe network", "before dawn"}, {NULL}},
    /* A two-sentence post under a site's tagline. */
    {"tiny_post_after_tagline_follows_its_headline",
     "<html><head><title>Food sculptures - Bugle</title></head><body>"
     "<div class=\"tagline\"><p>I live, I learn, I teach, and I write "
     "here, in short posts, about the creativity of others, mine too.</p>"
     "</div><div class=\"links\"><a href=/1>Home page of the Bugle</a>"
     "<a href=/2>Contact the newsroom</a><a href=/3>All our stories of "
     "the week</a><a href=/4>Archives of the year</a></div>"
     "<div class=\"post\"><h2>Food sculptures</h2><p>Repurposing food as "
     "art, says the artist, is creative.</p></div></body></html>",
     {"Food sculptures\n\nRepurposing food"}, {"I live"}},
    {"page_without_story_keeps_its_headline",
     "<html><head><title>Pizza ad of the year | Bugle</title></head><body>"
     "<div><h2>Pizza ad of the year</h2><p>Wow, just wow, what an advert "
     "that is.</p></div></body></html>",
     {"Pizza ad of the year\n\nWow"}, {NULL}},
    /* Links inside the story do not make it a link list. */
    {"prose_div_with_a_link_is_kept",
     PAGE("<div class=\"post\">" P1 "<div>Today the operator made it "
          "official: every customer gets a month free by <a href=/f>filling "
          "in the refund form</a>.</div>" P2 P3 "</div>"),
     {"made it official", "before dawn"}, {NULL}},
    {"linked_paragraph_inside_story_is_kept",
     PAGE("<div class=\"post\">" P1 "<p><a href=/a>As we reported on "
          "Monday, the operator had promised a fix within the day</a>, "
          "twice.</p>" P2 P3 "<p><a href=/t>Read more: the full statement "
          "of the operator on the outage, the refunds and the cabinets"
          "</a></p></div>"),
     {"As we reported", "before dawn"}, {"Read more"}},
    /* A story split by a side rail is taken whole; teasers are not. */
    {"story_split_by_side_rail_is_whole",
     PAGE("<div class=\"body\"><div class=\"part\"><article>" P1
          "</article></div><div class=\"rail\"><a href=/a>The most "
          "shared story of the week</a><a href=/b>Another story everyone "
          "is reading now</a><a href=/c>And a third story from elsewhere"
          "</a></div><div class=\"part\"><article>" P2 P3
          "</article></div></div>"),
     {"outage lasted", "junction box", "before dawn"}, {"most shared"}},
    {"teaser_articles_are_not_pieces_of_the_story",
     PAGE("<div class=\"body\"><article>" P1 P2 P3 "</article><div>"
          "<article><h2>Another city, another outage</h2><p>Grenoble lost "
          "its network for a day, in March, after a flood, and the "
          "operator apologised.</p></article></div></div>"),
     {"outage lasted", "before dawn"}, {"Grenoble"}},
};

/* The pre-parse squeeze: invisible whitespace next to block tags and
 * attributes no pass reads are removed; everything else is kept byte
 * for byte. */
static void squeeze_keeps_what_the_passes_read(void **state)
{
    (void)state;
    static const struct {
        const char *name, *in, *out;
    } rows[] = {
        {"indentation_between_list_items",
         "<ul>\n  <li>a</li>\n  <li>b</li>\n</ul>", "<ul><li>a</li><li>b</li></ul>"},
        {"space_between_inline_elements_is_kept", "<b>a</b> <i>b</i>",
         "<b>a</b> <i>b</i>"},
        {"space_inside_text_is_kept", "<p>a  <b>b</b>\n c</p>", "<p>a  <b>b</b>\n c</p>"},
        {"pre_is_copied_as_is", "<pre>\n  <b>x</b>\n</pre>", "<pre>\n  <b>x</b>\n</pre>"},
        {"script_contents_are_dropped", "<script data-x=1>if (a >\n <b) f()</script>",
         "<script></script>"},
        {"style_contents_are_dropped", "<style>p { color: red }</style><p>x</p>",
         "<style></style><p>x</p>"},
        {"json_ld_is_copied_as_is",
         "<script type=\"application/ld+json\">{\"a\": \"<b>\"}</script>",
         "<script type=\"application/ld+json\">{\"a\": \"<b>\"}</script>"},
        {"escaped_script_is_copied_as_is",
         "<script><!-- <script>x</script> --></script>",
         "<script><!-- <script>x</script> --></script>"},
        {"script_in_svg_is_markup", "<svg><script></svg><p>seen</p></script>",
         "<svg><script></svg><p>seen</p></script>"},
        {"script_after_svg_is_dropped", "<svg><g/></svg><script>x</script>",
         "<svg><g/></svg><script></script>"},
        {"textarea_is_copied_as_is", "<textarea>  a <b> </textarea>",
         "<textarea>  a <b> </textarea>"},
        {"unread_attributes_are_dropped",
         "<div data-x=\"1\" class=\"c\" onclick=\"a>b\">t</div>", "<div class=\"c\">t</div>"},
        {"unquoted_values", "<div id=x hidden=h title=t>l</div>", "<div id=x hidden=h>l</div>"},
        {"link_href_loses_its_value", "<a href=\"/x/y.html\" target=_blank>l</a>", "<a href>l</a>"},
        {"other_hrefs_keep_theirs", "<link rel=canonical href=\"/x\"><base href=/b/>",
         "<link rel=canonical href=\"/x\"><base href=/b/>"},
        {"self_closing_slash_is_kept", "<img src=a.png alt=\"\"/>", "<img />"},
        {"slash_ending_unquoted_value_stays_in_it", "<div id=x/>l</div>",
         "<div id=x/>l</div>"},
        {"self_closing_after_unquoted_value", "<link rel=alternate />",
         "<link rel=alternate />"},
        {"spaced_equals_sign", "<div  id = 'm'   >x</div>", "<div id = 'm'>x</div>"},
        {"glued_attributes", "<div id=\"x\"class=\"y\">l</div>", "<div id=\"x\"class=\"y\">l</div>"},
        {"glued_after_bare_href", "<a href=\"x\"class=\"y\">l</a>", "<a href class=\"y\">l</a>"},
        {"comment_is_copied_as_is", "<p>x <!-- <div>  </div> --> y</p>",
         "<p>x <!-- <div>  </div> --> y</p>"},
        {"unterminated_tag_is_kept", "<p>x</p> <div class=\"a", "<p>x</p><div class=\"a"},
    };
    for (size_t i = 0; i < sizeof rows / sizeof rows[0]; i++) {
        char buf[256];
        size_t n = strlen(rows[i].in);
        memcpy(buf, rows[i].in, n + 1);
        size_t m = html_squeeze_ws(buf, n);
        buf[m] = '\0';
        if (strcmp(buf, rows[i].out) != 0)
            fail_msg("%s: got '%s', want '%s'", rows[i].name, buf, rows[i].out);
    }
}

static void cleaning_rules_follow_the_table(void **state)
{
    (void)state;
    for (size_t i = 0; i < sizeof RULES / sizeof RULES[0]; i++) {
        const rule_case *c = &RULES[i];
        html_doc *d = NULL;
        print_message("case %s\n", c->name);
        assert_int_equal(html_extract(c->html, strlen(c->html), NULL, NULL, &d),
                         VG_OK);
        assert_non_null(d);
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

typedef struct title_case {
    const char *name;
    const char *head;
    const char *want;
} title_case;

static const title_case TITLES[] = {
    {"og_title_loses_site_suffix_seen_in_title",
     "<title>Outage in Lyon | Daily Bugle</title><meta property=\"og:title\" "
     "content=\"Outage in Lyon | Daily Bugle\">",
     "Outage in Lyon"},
    {"og_title_loses_site_prefix_seen_in_title",
     "<title>Daily Bugle \xE2\x80\x94 Outage in Lyon</title><meta "
     "property=\"og:title\" content=\"Daily Bugle \xE2\x80\x94 Outage in "
     "Lyon\">",
     "Outage in Lyon"},
    {"og_title_without_site_is_untouched",
     "<title>Outage in Lyon - Daily Bugle</title><meta property=\"og:title\" "
     "content=\"Review: Phone X - the verdict\">",
     "Review: Phone X - the verdict"},
    {"og_title_keeps_inner_hyphen_when_title_agrees",
     "<title>Review: Phone X - the verdict | Bugle</title><meta "
     "property=\"og:title\" content=\"Review: Phone X - the verdict\">",
     "Review: Phone X - the verdict"},
    {"og_title_cleaned_with_og_site_name",
     "<meta property=\"og:site_name\" content=\"Daily Bugle\"><meta "
     "property=\"og:title\" content=\"Outage in Lyon - Daily Bugle\">",
     "Outage in Lyon"},
};

static void og_title_is_cleaned_of_the_site_name(void **state)
{
    (void)state;
    for (size_t i = 0; i < sizeof TITLES / sizeof TITLES[0]; i++) {
        char html[1024];
        snprintf(html, sizeof html, "<html><head>%s</head><body>" P1 P2
                 "</body></html>", TITLES[i].head);
        html_doc *d = NULL;
        print_message("case %s\n", TITLES[i].name);
        assert_int_equal(html_extract(html, strlen(html), NULL, NULL, &d),
                         VG_OK);
        assert_non_null(d->title);
        assert_string_equal(d->title, TITLES[i].want);
        html_doc_free(d);
    }
}

typedef struct date_case {
    const char *name;
    const char *head;
    int64_t want; /* 0: unknown */
} date_case;

/* Forms only a full date grammar reads: RFC 822 in a meta tag, an ISO
 * offset without a colon. */
static const date_case DATES[] = {
    {"rfc822_in_meta_is_read",
     "<meta property=\"article:published_time\" content=\"Tue, 05 Mar 2024 "
     "14:30:00 GMT\">",
     1709649000},
    {"iso_offset_without_colon_is_read",
     "<meta property=\"article:published_time\" "
     "content=\"2024-03-05T15:30:00+0100\">",
     1709649000},
    {"words_are_not_a_date",
     "<meta property=\"article:published_time\" content=\"yesterday\">", 0},
};

static void published_dates_use_the_feed_date_grammar(void **state)
{
    (void)state;
    for (size_t i = 0; i < sizeof DATES / sizeof DATES[0]; i++) {
        char html[1024];
        snprintf(html, sizeof html, "<html><head>%s</head><body>" P1 P2
                 "</body></html>", DATES[i].head);
        html_doc *d = NULL;
        print_message("case %s\n", DATES[i].name);
        assert_int_equal(html_extract(html, strlen(html), NULL, NULL, &d),
                         VG_OK);
        assert_int_equal(d->published, DATES[i].want);
        html_doc_free(d);
    }
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(cleaning_rules_follow_the_table),
        cmocka_unit_test(squeeze_keeps_what_the_passes_read),
        cmocka_unit_test(og_title_is_cleaned_of_the_site_name),
        cmocka_unit_test(published_dates_use_the_feed_date_grammar),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
