/*
 * robots.txt parsing and matching against RFC 9309: one table of
 * (file, agent, path) -> allowed, each row naming the rule it proves.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include "crawler/robots.h"

#include <stdlib.h>
#include <string.h>

typedef struct robots_case {
    const char *why;
    const char *file;
    const char *agent;
    const char *path;
    int allowed;
} robots_case;

static const char basic[] =
    "# a comment line\n"
    "User-agent: *\n"
    "Disallow: /private/\n"
    "Allow: /private/open\n"
    "Disallow: /*.pdf$\n"
    "Disallow: /tmp # trailing comment\n"
    "\n"
    "User-agent: vigie\n"
    "User-agent: other-bot\n"
    "Disallow: /no-vigie\n"
    "Allow: /\n"
    "\n"
    "User-Agent: VIGIE\n"
    "Disallow: /also-merged\n";

static const robots_case cases[] = {
    {"no rule matches: allowed", basic, "somebot", "/index.html", 1},
    {"star group applies to unknown agents", basic, "somebot", "/private/x", 0},
    {"longer allow beats shorter disallow", basic, "somebot", "/private/open/1", 1},
    {"dollar anchors the end", basic, "somebot", "/doc/a.pdf", 0},
    {"dollar: a longer path is not matched", basic, "somebot", "/doc/a.pdf?x=1", 1},
    {"trailing comment is stripped", basic, "somebot", "/tmp/file", 0},
    {"rules match as prefixes", basic, "somebot", "/tmpfile", 0},
    {"a named group replaces the star group", basic, "vigie", "/private/x", 1},
    {"named group rule applies", basic, "vigie", "/no-vigie/page", 0},
    {"agent match is case-insensitive and groups merge", basic, "Vigie",
     "/also-merged", 0},
    {"full User-Agent string uses its token", basic,
     "vigie/0.1.0 (+https://example.org)", "/no-vigie", 0},
    {"two agents share one group", basic, "other-bot", "/no-vigie", 0},
    {"robots.txt itself is always allowed", "User-agent: *\nDisallow: /\n",
     "vigie", "/robots.txt", 1},
    {"disallow all", "User-agent: *\nDisallow: /\n", "vigie", "/a", 0},
    {"empty disallow allows all", "User-agent: *\nDisallow:\n", "vigie", "/a", 1},
    {"empty file allows all", "", "vigie", "/a", 1},
    {"rules before any user-agent are ignored", "Disallow: /\n", "vigie", "/a", 1},
    {"equal length: allow wins", "User-agent: *\nDisallow: /page\nAllow: /page\n",
     "vigie", "/page", 1},
    {"star in the middle", "User-agent: *\nDisallow: /a/*/edit\n", "vigie",
     "/a/42/edit/x", 0},
    {"star in the middle needs the tail", "User-agent: *\nDisallow: /a/*/edit\n",
     "vigie", "/a/42/view", 1},
    {"star matches the empty run", "User-agent: *\nDisallow: /a*b\n", "vigie",
     "/ab", 0},
    {"percent-encoded unreserved equals the plain char",
     "User-agent: *\nDisallow: /%7Ejoe/\n", "vigie", "/~joe/page", 0},
    {"hex case does not matter", "User-agent: *\nDisallow: /a%2fb\n", "vigie",
     "/a%2Fb", 0},
    {"encoded slash is not a slash", "User-agent: *\nDisallow: /a/b\n", "vigie",
     "/a%2Fb", 1},
    {"UTF-8 pattern matches its encoded path",
     "User-agent: *\nDisallow: /caf\xC3\xA9\n", "vigie", "/caf%C3%A9/menu", 0},
    {"CR line endings are lines", "User-agent: *\rDisallow: /x\r", "vigie", "/x", 0},
    {"CRLF and BOM", "\xEF\xBB\xBFUser-agent: *\r\nDisallow: /x\r\n", "vigie",
     "/x", 0},
    {"keys are case-insensitive, spaces trimmed",
     "  USER-AGENT :  *  \n  disallow :  /x  \n", "vigie", "/x", 0},
    {"a sitemap line does not split agents",
     "User-agent: a\nSitemap: http://x/s.xml\nUser-agent: vigie\nDisallow: /x\n",
     "vigie", "/x", 0},
    {"a rule ends the agent run",
     "User-agent: a\nDisallow: /x\nUser-agent: vigie\nDisallow: /y\n", "vigie",
     "/x", 1},
    {"query strings are part of the path",
     "User-agent: *\nDisallow: /search?q=\n", "vigie", "/search?q=brand", 0},
    {"empty path means the root", "User-agent: *\nDisallow: /$\n", "vigie", "", 0},
};

static void robots_table_decides_like_rfc9309(void **state)
{
    (void)state;
    for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
        const robots_case *k = &cases[i];
        robots *r = NULL;
        assert_int_equal(robots_parse(k->file, strlen(k->file), &r), VG_OK);
        int got = robots_allowed(r, k->agent, k->path);
        if (got != k->allowed)
            print_error("case %zu (%s): got %d\n", i, k->why, got);
        robots_free(r);
        assert_int_equal(got, k->allowed);
    }
}

static void robots_ignores_bytes_past_the_cap(void **state)
{
    (void)state;
    size_t n = ROBOTS_MAX_BYTES + 64;
    char *big = malloc(n);
    assert_non_null(big);
    memset(big, '\n', n);
    const char head[] = "User-agent: *\nDisallow: /a\n";
    const char tail[] = "Disallow: /b\n";
    memcpy(big, head, sizeof(head) - 1);
    memcpy(big + n - (sizeof(tail) - 1), tail, sizeof(tail) - 1);
    robots *r = NULL;
    assert_int_equal(robots_parse(big, n, &r), VG_OK);
    free(big);
    int a = robots_allowed(r, "vigie", "/a");
    int b = robots_allowed(r, "vigie", "/b");
    robots_free(r);
    assert_int_equal(a, 0);
    assert_int_equal(b, 1);
}

static void robots_wildcards_do_not_blow_up(void **state)
{
    (void)state;
    /* Many stars against a long near-miss path: the matcher must finish. */
    char file[600] = "User-agent: *\nDisallow: /";
    size_t len = strlen(file);
    for (int i = 0; i < 200; i++) {
        file[len++] = 'a';
        file[len++] = '*';
    }
    file[len++] = 'b';
    file[len++] = '\n';
    file[len] = '\0';
    char path[4002];
    path[0] = '/';
    memset(path + 1, 'a', 4000);
    path[4001] = '\0';
    robots *r = NULL;
    assert_int_equal(robots_parse(file, len, &r), VG_OK);
    assert_int_equal(robots_allowed(r, "vigie", path), 1);
    robots_free(r);
    robots_free(NULL);
}

typedef struct delay_case {
    const char *why;
    const char *file;
    const char *agent;
    long ms;
} delay_case;

static void robots_crawl_delay_follows_the_applicable_group(void **state)
{
    (void)state;
    static const delay_case delays[] = {
        {"no crawl-delay line", "User-agent: *\nDisallow: /x\n", "vigie", -1},
        {"the star group's delay", "User-agent: *\nCrawl-delay: 5\n", "vigie", 5000},
        {"fractions in milliseconds", "User-agent: *\nCrawl-delay: 0.25\n", "vigie", 250},
        {"our own group wins over star",
         "User-agent: *\nCrawl-delay: 9\n\nUser-agent: vigie\nCrawl-delay: 2\n",
         "vigie/1.0 (+https://x)", 2000},
        {"another agent's delay does not apply",
         "User-agent: otherbot\nCrawl-delay: 9\n", "vigie", -1},
        {"garbage is ignored", "User-agent: *\nCrawl-delay: soon\n", "vigie", -1},
        {"merged groups: the largest",
         "User-agent: vigie\nCrawl-delay: 1\nUser-agent: vigie\nCrawl-delay: 3\n",
         "vigie", 3000},
    };
    for (size_t i = 0; i < sizeof(delays) / sizeof(delays[0]); i++) {
        robots *r = NULL;
        assert_int_equal(robots_parse(delays[i].file, strlen(delays[i].file), &r), VG_OK);
        long got = robots_crawl_delay_ms(r, delays[i].agent);
        if (got != delays[i].ms)
            fail_msg("%s: got %ld, want %ld", delays[i].why, got, delays[i].ms);
        robots_free(r);
    }
}

static void robots_sitemaps_are_collected_outside_groups(void **state)
{
    (void)state;
    static const char file[] = "Sitemap: https://a.example/s1.xml\n"
                               "User-agent: *\nSitemap: https://a.example/s2.xml\n"
                               "Disallow: /p\n";
    robots *r = NULL;
    assert_int_equal(robots_parse(file, strlen(file), &r), VG_OK);
    assert_int_equal(robots_sitemap_count(r), 2);
    assert_string_equal(robots_sitemap(r, 0), "https://a.example/s1.xml");
    assert_string_equal(robots_sitemap(r, 1), "https://a.example/s2.xml");
    assert_null(robots_sitemap(r, 2));
    /* The sitemap line inside the group does not end its agent run. */
    assert_int_equal(robots_allowed(r, "vigie", "/p"), 0);
    robots_free(r);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(robots_table_decides_like_rfc9309),
        cmocka_unit_test(robots_ignores_bytes_past_the_cap),
        cmocka_unit_test(robots_wildcards_do_not_blow_up),
        cmocka_unit_test(robots_crawl_delay_follows_the_applicable_group),
        cmocka_unit_test(robots_sitemaps_are_collected_outside_groups),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
