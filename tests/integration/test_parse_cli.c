/*
 * `vigie parse` end to end with the real binary: a feed file with a
 * base URL and headers prints the canonical model, --dates normalises
 * standard input, and usage errors exit 2 naming the argument.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <fcntl.h>
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "core/buf.h"

/* Runs vigie ARGS... with stdin from in_path (NULL: /dev/null); returns
 * the exit status, stdout in out. */
static int vigie(const char *in_path, vg_buf *out, ...)
{
    const char *bin = getenv("VG_BINARY");
    assert_non_null(bin);
    char *argv[32];
    int argc = 0;
    argv[argc++] = (char *)bin;
    va_list ap;
    va_start(ap, out);
    char *a;
    while ((a = va_arg(ap, char *)) && argc < 31)
        argv[argc++] = a;
    va_end(ap);
    argv[argc] = NULL;
    int fds[2];
    assert_int_equal(pipe(fds), 0);
    pid_t pid = fork();
    assert_true(pid >= 0);
    if (pid == 0) {
        int in = open(in_path ? in_path : "/dev/null", O_RDONLY);
        if (in < 0)
            _exit(126);
        dup2(in, STDIN_FILENO);
        dup2(fds[1], STDOUT_FILENO);
        close(fds[0]);
        close(fds[1]);
        if (!freopen("/dev/null", "w", stderr))
            _exit(126);
        execv(bin, argv);
        _exit(127);
    }
    close(fds[1]);
    char chunk[4096];
    ssize_t n;
    while ((n = read(fds[0], chunk, sizeof chunk)) > 0)
        if (out)
            vg_buf_append(out, chunk, (size_t)n);
    close(fds[0]);
    int status = 0;
    waitpid(pid, &status, 0);
    return WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
}

static void fixture_path(char *out, size_t cap, const char *name)
{
    const char *src = getenv("VG_SOURCE_DIR");
    assert_non_null(src);
    snprintf(out, cap, "%s/tests/fixtures/feeds/%s", src, name);
}

static const char *str_at(json_t *doc, const char *a, size_t i, const char *b)
{
    json_t *v = json_object_get(doc, a);
    if (json_is_array(v))
        v = json_array_get(v, i);
    if (b)
        v = json_object_get(v, b);
    return json_string_value(v);
}

static void parse_feed_file_prints_canonical_model_with_base_url(void **state)
{
    (void)state;
    char path[4096];
    fixture_path(path, sizeof path, "relative.xml");
    vg_buf out;
    vg_buf_init(&out, 1 << 20);
    assert_int_equal(vigie(NULL, &out, "parse", path, "--url", "http://ex.example/blog/feed.xml",
                           "--header", "Content-Type: application/rss+xml; charset=utf-8", NULL),
                     0);
    json_t *doc = json_loadb(out.ptr, out.len, 0, NULL);
    assert_non_null(doc);
    assert_string_equal(json_string_value(json_object_get(doc, "version")), "rss20");
    /* &eacute; is not XML: decoded, and the document flagged. */
    assert_true(json_is_true(json_object_get(doc, "bozo")));
    json_t *feed = json_object_get(doc, "feed");
    assert_string_equal(json_string_value(json_object_get(feed, "title")), "Relative & co");
    assert_string_equal(json_string_value(json_object_get(feed, "link")), "http://ex.example/");
    assert_string_equal(str_at(doc, "entries", 0, "link"), "http://ex.example/blog/posts/1");
    assert_string_equal(str_at(doc, "entries", 0, "title"), "Caf\xc3\xa9 item");
    assert_string_equal(str_at(doc, "entries", 0, "published"), "2026-11-23T09:00:00Z");
    json_t *e0 = json_array_get(json_object_get(doc, "entries"), 0);
    json_t *enc = json_array_get(json_object_get(e0, "enclosures"), 0);
    assert_string_equal(json_string_value(json_object_get(enc, "href")),
                        "http://ex.example/blog/media/1.mp3");
    json_decref(doc);
    vg_buf_free(&out);
}

static void parse_dates_prints_utc_or_null_per_line(void **state)
{
    (void)state;
    char path[4096];
    fixture_path(path, sizeof path, "dates.txt");
    vg_buf out;
    vg_buf_init(&out, 1 << 16);
    assert_int_equal(vigie(path, &out, "parse", "--dates", NULL), 0);
    vg_buf_putc(&out, '\0');
    assert_string_equal(out.ptr, "2026-11-23T09:00:00Z\nnull\n2026-11-23T09:00:00Z\n");
    vg_buf_free(&out);
}

static void parse_usage_errors_exit_2_and_help_exits_0(void **state)
{
    (void)state;
    assert_int_equal(vigie(NULL, NULL, "parse", "--help", NULL), 0);
    assert_int_equal(vigie(NULL, NULL, "parse", "x.xml", "--as", "pdf", NULL), 2);
    assert_int_equal(vigie(NULL, NULL, "parse", "x.xml", "--markup", "nope", NULL), 2);
    assert_int_equal(vigie(NULL, NULL, "parse", "x.xml", "--header", "no-colon", NULL), 2);
    assert_int_equal(vigie(NULL, NULL, "parse", NULL), 2);
    assert_int_equal(vigie(NULL, NULL, "parse", "/nonexistent/feed.xml", NULL), 1);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(parse_feed_file_prints_canonical_model_with_base_url),
        cmocka_unit_test(parse_dates_prints_utc_or_null_per_line),
        cmocka_unit_test(parse_usage_errors_exit_2_and_help_exits_0),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
