/*
 * `vigie robots check --robots FILE --agent UA URL...`: asks the same
 * robots.txt matcher the fetcher uses (crawler/robots.h) whether UA may
 * fetch each URL, so an operator can see why a source is refused, and
 * the conformance cases (scripts/eval-robots) can be run through it.
 */
#include "app/app.h"

#include "core/buf.h"
#include "crawler/robots.h"

#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static int usage(void)
{
    printf("usage: vigie robots check --robots FILE --agent UA URL...\n\n"
           "Prints `allowed URL` or `disallowed URL`, one line per URL, as\n"
           "vigie's fetcher would decide with FILE as the site's robots.txt\n"
           "(- reads it from standard input). UA is a product token (\"vigie\")\n"
           "or a whole User-Agent, whose leading token is used. A URL is\n"
           "matched by its path, parameters and query, as given (already\n"
           "percent-encoded); one with no path is matched as \"/\".\n");
    return APP_OK;
}

/* Reads the whole of f, up to the matcher's own cap plus one byte (the
 * parser ignores the rest anyway). */
static vg_err read_all(FILE *f, vg_buf *b)
{
    char chunk[8192];
    size_t n;
    while ((n = fread(chunk, 1, sizeof(chunk), f)) > 0)
        if (vg_buf_append(b, chunk, n) != VG_OK)
            break;
    if (b->err == VG_ENOMEM)
        return vg_error_set(VG_ENOMEM, "reading robots.txt: out of memory");
    if (ferror(f))
        return vg_error_set(VG_EIO, "reading robots.txt failed");
    return VG_OK;
}

/* The part of url robots.txt rules apply to: from the first '/', '?' or
 * ';' after the authority up to the fragment, "/" when there is none, with
 * a leading "/" added when the path starts with '?' or ';'. Written to b. */
static void url_path(const char *url, vg_buf *b)
{
    size_t n = strcspn(url, "#");
    size_t start = 0;
    const char *sep = strstr(url, "://");
    if (sep && (size_t)(sep - url) < n)
        start = (size_t)(sep - url) + 3;
    else if (n >= 2 && url[0] == '/' && url[1] == '/')
        start = 2;
    size_t i = start;
    while (i < n && url[i] != '/' && url[i] != '?' && url[i] != ';')
        i++;
    if (i >= n) {
        vg_buf_puts(b, "/");
        return;
    }
    if (url[i] != '/')
        vg_buf_putc(b, '/');
    vg_buf_append(b, url + i, n - i);
}

static int robots_check(int argc, char **argv)
{
    static const struct option opts[] = {
        {"robots", required_argument, NULL, 'r'},
        {"agent", required_argument, NULL, 'a'},
        {"help", no_argument, NULL, 'h'},
        {0}};
    const char *file = NULL, *agent = NULL;
    int c;
    optind = 1;
    while ((c = app_getopt("robots check", argc, argv, "hr:a:", opts)) != -1) {
        switch (c) {
        case 'r': file = optarg; break;
        case 'a': agent = optarg; break;
        case 'h': return usage();
        default: return APP_USAGE;
        }
    }
    if (!file)
        return app_usage_error("robots check", "missing --robots FILE");
    if (!agent)
        return app_usage_error("robots check", "missing --agent UA");
    if (optind >= argc)
        return app_usage_error("robots check", "missing URL");

    int status = APP_OK;
    robots *r = NULL;
    vg_buf text, path;
    vg_buf_init(&text, ROBOTS_MAX_BYTES + 1);
    vg_buf_init(&path, 1u << 20);
    FILE *f = strcmp(file, "-") == 0 ? stdin : fopen(file, "rb");
    if (!f) {
        status = app_fail("robots check", "cannot open --robots '%s'", file);
        goto cleanup;
    }
    vg_err rc = read_all(f, &text);
    if (f != stdin)
        fclose(f);
    if (rc == VG_OK)
        rc = robots_parse(text.ptr, text.len, &r);
    if (rc != VG_OK) {
        status = app_fail("robots check", "%s", vg_error_last());
        goto cleanup;
    }
    for (int i = optind; i < argc; i++) {
        vg_buf_reset(&path);
        url_path(argv[i], &path);
        if (path.err != VG_OK) {
            status = app_fail("robots check", "URL %d too long", i - optind + 1);
            goto cleanup;
        }
        int ok = robots_allowed(r, agent, vg_buf_str(&path));
        printf("%s %s\n", ok ? "allowed" : "disallowed", argv[i]);
    }
cleanup:
    robots_free(r);
    vg_buf_free(&text);
    vg_buf_free(&path);
    return status;
}

int cmd_robots(app_ctx *ctx, int argc, char **argv)
{
    (void)ctx;
    if (argc < 2)
        return usage(), APP_USAGE;
    const char *sub = argv[1];
    if (strcmp(sub, "--help") == 0 || strcmp(sub, "-h") == 0)
        return usage();
    if (strcmp(sub, "check") == 0)
        return robots_check(argc - 1, argv + 1);
    return app_usage_error("robots", "unknown action '%s' (check)", sub);
}
