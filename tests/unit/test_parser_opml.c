/*
 * parser/opml.c: import finds every feed in nested folders, export
 * escapes what it writes, and the two round-trip.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/buf.h"
#include "parser/feed.h"
#include "parser/opml.h"

static char *read_fixture(const char *name, size_t *len)
{
    char root[512];
    const char *env = getenv("VG_SOURCE_DIR");
    if (env && *env) {
        snprintf(root, sizeof root, "%s", env);
    } else {
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

typedef struct {
    const char *url, *title, *html_url;
} expect;

/* What nested.opml holds, in document order: folders flattened, the
 * outline without xmlUrl skipped, title preferred to text. */
static const expect nested_want[] = {
    {"https://top.example/feed", "Top level", "https://top.example/"},
    {"https://orange.example/rss?a=1&b=2", "Orange & co", NULL},
    {"https://free.example/atom.xml", "Titre pr\xc3\xa9" "f\xc3\xa9r\xc3\xa9", NULL},
    {"https://presse.example/feed", "Presse", NULL},
};

static void check(const opml_outline *v, size_t n)
{
    assert_int_equal(n, sizeof nested_want / sizeof nested_want[0]);
    for (size_t i = 0; i < n; i++) {
        assert_string_equal(v[i].url, nested_want[i].url);
        assert_string_equal(v[i].title, nested_want[i].title);
        if (nested_want[i].html_url)
            assert_string_equal(v[i].html_url, nested_want[i].html_url);
        else
            assert_null(v[i].html_url);
    }
}

static void opml_nested_folders_are_flattened(void **state)
{
    (void)state;
    size_t len, n = 0;
    char *data = read_fixture("nested.opml", &len);
    opml_outline *v = NULL;
    assert_int_equal(opml_parse(data, len, &v, &n), VG_OK);
    check(v, n);
    opml_free(v, n);
    free(data);
}

static void opml_round_trips_through_opml_write(void **state)
{
    (void)state;
    size_t len, n = 0, n2 = 0;
    char *data = read_fixture("nested.opml", &len);
    opml_outline *v = NULL, *v2 = NULL;
    assert_int_equal(opml_parse(data, len, &v, &n), VG_OK);
    vg_buf out;
    vg_buf_init(&out, 1u << 20);
    assert_int_equal(opml_write(v, n, "Mes <sources> & co", &out), VG_OK);
    assert_non_null(strstr(out.ptr, "<opml version=\"2.0\">"));
    assert_non_null(strstr(out.ptr, "<title>Mes &lt;sources&gt; &amp; co</title>"));
    assert_non_null(strstr(out.ptr, "xmlUrl=\"https://orange.example/rss?a=1&amp;b=2\""));
    assert_int_equal(opml_parse(out.ptr, out.len, &v2, &n2), VG_OK);
    check(v2, n2);
    opml_free(v, n);
    opml_free(v2, n2);
    vg_buf_free(&out);
    free(data);
}

static void opml_write_escapes_hostile_attributes(void **state)
{
    (void)state;
    opml_outline in[] = {
        {"http://e.example/?q=\"x\"&y=<z>", "quote \" apos ' tab\there\x01", NULL, 0},
        {"http://e.example/2", NULL, "http://e.example/", 1},
    };
    vg_buf out;
    vg_buf_init(&out, 1u << 16);
    assert_int_equal(opml_write(in, 2, NULL, &out), VG_OK);
    /* No control byte reaches the output: it would not be XML. */
    assert_null(strchr(out.ptr, '\x01'));
    opml_outline *v = NULL;
    size_t n = 0;
    assert_int_equal(opml_parse(out.ptr, out.len, &v, &n), VG_OK);
    assert_int_equal(n, 2);
    assert_string_equal(v[0].url, in[0].url);
    /* The title comes back whole (whitespace collapsed on import). */
    assert_string_equal(v[0].title, "quote \" apos ' tab here");
    /* Without a title, text falls back to the URL (OPML 2.0 needs text). */
    assert_string_equal(v[1].title, "http://e.example/2");
    assert_string_equal(v[1].html_url, "http://e.example/");
    /* vigie's fullText attribute survives the round trip, only where set. */
    assert_int_equal(v[0].full_text, 0);
    assert_int_equal(v[1].full_text, 1);
    opml_free(v, n);
    vg_buf_free(&out);
}

static void opml_write_reports_its_buffer_cap(void **state)
{
    (void)state;
    opml_outline in[] = {{"http://e.example/feed", "t", NULL, 0}};
    vg_buf out;
    vg_buf_init(&out, 32);
    assert_int_equal(opml_write(in, 1, NULL, &out), VG_ETOOBIG);
    vg_buf_free(&out);
}

static void opml_non_opml_is_a_parse_error(void **state)
{
    (void)state;
    static const char *const rows[] = {
        "",
        "not xml at all",
        "<rss version=\"2.0\"><channel/></rss>",
        "<html><body><outline xmlUrl=\"http://e.example/\"/></body></html>",
    };
    for (size_t i = 0; i < sizeof rows / sizeof rows[0]; i++) {
        opml_outline *v = (opml_outline *)1;
        size_t n = 7;
        assert_int_equal(opml_parse(rows[i], strlen(rows[i]), &v, &n), VG_EPARSE);
        assert_null(v);
        assert_int_equal(n, 0);
    }
}

static void opml_hostile_documents_stay_inert(void **state)
{
    (void)state;
    const char *xxe =
        "<?xml version=\"1.0\"?><!DOCTYPE opml [<!ENTITY x SYSTEM \"file:///etc/passwd\">]>"
        "<opml version=\"2.0\"><body><outline text=\"a&x;\" xmlUrl=\"http://e.example/&x;\"/>"
        "</body></opml>";
    opml_outline *v = NULL;
    size_t n = 0;
    vg_err rc = opml_parse(xxe, strlen(xxe), &v, &n);
    if (rc == VG_OK) {
        for (size_t i = 0; i < n; i++) {
            assert_null(strstr(v[i].url, "root:"));
            assert_true(!v[i].title || !strstr(v[i].title, "root:"));
        }
        opml_free(v, n);
    }
    /* Deep folder nesting does not recurse on the C stack. */
    vg_buf b;
    vg_buf_init(&b, 1u << 22);
    vg_buf_puts(&b, "<opml><body><outline text=\"top\" xmlUrl=\"http://e.example/top\"/>");
    for (int i = 0; i < 20000; i++)
        vg_buf_puts(&b, "<outline text=\"f\">");
    assert_int_equal(opml_parse(b.ptr, b.len, &v, &n), VG_OK);
    assert_true(n >= 1);
    assert_string_equal(v[0].url, "http://e.example/top");
    opml_free(v, n);
    vg_buf_free(&b);
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
        cmocka_unit_test(opml_nested_folders_are_flattened),
        cmocka_unit_test(opml_round_trips_through_opml_write),
        cmocka_unit_test(opml_write_escapes_hostile_attributes),
        cmocka_unit_test(opml_write_reports_its_buffer_cap),
        cmocka_unit_test(opml_non_opml_is_a_parse_error),
        cmocka_unit_test(opml_hostile_documents_stay_inert),
    };
    return cmocka_run_group_tests(tests, setup, NULL);
}
