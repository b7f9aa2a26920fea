/*
 * `vigie source`: the feeds and pages vigie watches, managed like
 * `git remote`, and OPML import/export (how feed lists travel).
 */
#include "app/app.h"
#include "app/discover.h"
#include "crawler/fetch.h"

#include "core/buf.h"
#include "core/url.h"
#include "core/vtime.h"
#include "parser/opml.h"

#include <errno.h>
#include <getopt.h>
#include <jansson.h>
#include <stdlib.h>
#include <string.h>

#define DEFAULT_INTERVAL 3600
#define OPML_MAX_BYTES (8u * 1024 * 1024)

static int usage(void)
{
    printf("usage: vigie source add URL [--every DURATION] [--kind feed|page] [--full-text] [--title T] [--header 'Name: value']...\n"
           "       vigie source list [--format table|csv|json]\n"
           "       vigie source rm ID|URL\n"
           "       vigie source import FILE.opml [--base URL]\n"
           "       vigie source export [--out FILE]\n\n"
           "  --every D     pin the polling interval (15m, 1h, 1d); otherwise vigie adapts it\n"
           "  --kind K      feed (RSS, Atom; default) or page (an HTML page's main text)\n"
           "  --full-text   fetch each new entry's page and keep its main text\n"
           "  --header H    send H ('Authorization: Bearer ...') with every fetch; repeatable;\n"
           "                kept out of logs and of `source list`\n"
           "Without --kind, a URL that answers an HTML page is replaced by the first feed\n"
           "the page links (<link rel=\"alternate\">), the others printed; a page that\n"
           "links none is added as a page. See docs/crawler.md.\n"
           "  --base URL    resolve relative xmlUrl attributes against URL\n");
    return APP_OK;
}

/* Feed discovery (app/discover.c) for a URL added without --kind: may
 * replace *url by the feed the page links, or make *kind "page". A page
 * that cannot be fetched is added as given, with a warning. */
static int source_discover(app_ctx *ctx, char **url, const char **kind,
                           const char *header_lines)
{
    if (discover_looks_like_feed(*url))
        return APP_OK;
    char **headers = NULL, *feed = NULL;
    int html = 0;
    if (fetch_headers_parse(header_lines, &headers) != VG_OK)
        return app_fail("source add", "%s", vg_error_last());
    vg_err e = discover_feed(*url, headers, ctx->quiet ? NULL : stdout, &feed, &html);
    fetch_headers_free(headers);
    if (e == VG_ENOMEM)
        return app_fail("source add", "%s", vg_error_last());
    if (e != VG_OK) {
        fprintf(stderr, "vigie: source add: warning: could not look for feeds (%s); added as given\n",
                vg_error_last());
    } else if (feed) {
        if (!ctx->quiet)
            printf("found feed %s on %s\n", feed, *url);
        free(*url);
        *url = feed;
    } else if (html) {
        if (!ctx->quiet)
            printf("no feed linked from %s: added as a page\n", *url);
        *kind = "page";
    }
    return APP_OK;
}

static int source_add(app_ctx *ctx, int argc, char **argv)
{
    static const struct option opts[] = {
        {"every", required_argument, NULL, 'e'}, {"kind", required_argument, NULL, 'k'},
        {"full-text", no_argument, NULL, 'f'}, {"title", required_argument, NULL, 't'},
        {"header", required_argument, NULL, 'H'},
        {"help", no_argument, NULL, 'h'}, {0}};
    int64_t interval = DEFAULT_INTERVAL;
    int pinned = 0, full = 0, kind_given = 0;
    vg_buf hdrs;
    vg_buf_init(&hdrs, 16 * 1024);
    const char *kind = "feed", *title = NULL;
    int c;
    optind = 1;
    while ((c = app_getopt("source add", argc, argv, "h", opts)) != -1) {
        switch (c) {
        case 'e':
            if (vg_duration_parse(optarg, &interval) != VG_OK || interval < 60)
                return app_usage_error("source add", "bad --every '%s' (at least 1m, e.g. 15m)", optarg);
            pinned = 1;
            break;
        case 'k':
            if (strcmp(optarg, "feed") != 0 && strcmp(optarg, "page") != 0)
                return app_usage_error("source add", "bad --kind '%s' (feed or page)", optarg);
            kind = optarg;
            kind_given = 1;
            break;
        case 'H':
            if (!fetch_header_valid(optarg))
                return vg_buf_free(&hdrs), app_usage_error("source add", "bad --header (want 'Name: value' on one line)");
            vg_buf_printf(&hdrs, "%s%s", hdrs.len ? "\n" : "", optarg);
            break;
        case 'f': full = 1; break;
        case 't': title = optarg; break;
        case 'h': return vg_buf_free(&hdrs), usage();
        default: return vg_buf_free(&hdrs), APP_USAGE;
        }
    }
    if (hdrs.err != VG_OK)
        return vg_buf_free(&hdrs), app_usage_error("source add", "--header: too many or too long");
    if (optind != argc - 1)
        return vg_buf_free(&hdrs), app_usage_error("source add", "needs exactly one URL");
    char *canon = NULL;
    if (vg_url_resolve(NULL, argv[optind], &canon) != VG_OK)
        return vg_buf_free(&hdrs), app_usage_error("source add", "'%s' is not an http(s) URL", argv[optind]);
    if (!kind_given && source_discover(ctx, &canon, &kind, vg_buf_str(&hdrs)) != APP_OK) {
        free(canon);
        vg_buf_free(&hdrs);
        return APP_FAIL;
    }
    store *st = app_open_store(ctx, "source add");
    if (!st) {
        free(canon);
        vg_buf_free(&hdrs);
        return APP_FAIL;
    }
    int64_t id = 0;
    int rc = APP_OK;
    vg_err e = store_source_add(st, canon, kind, title, interval, pinned, full, &id);
    if (e == VG_OK && hdrs.len > 0)
        e = store_source_set_headers(st, id, vg_buf_str(&hdrs));
    if (e == VG_EEXISTS)
        rc = app_fail("source add", "%s is already a source", canon);
    else if (e != VG_OK)
        rc = app_fail("source add", "%s", vg_error_last());
    else if (!ctx->quiet)
        printf("added source %lld: %s\n", (long long)id, canon);
    free(canon);
    vg_buf_free(&hdrs);
    store_close(st);
    return rc;
}

static const char *state_of(const store_source *s, char *buf, size_t n)
{
    if (!s->enabled)
        return "disabled";
    if (s->error_count > 0) {
        char since[21];
        vg_time_iso(s->failing_since, since);
        snprintf(buf, n, "failing since %s (%d)", since, s->error_count);
        return buf;
    }
    return s->last_fetch_at ? "ok" : "new";
}

static int source_list(app_ctx *ctx, int argc, char **argv)
{
    static const struct option opts[] = {{"format", required_argument, NULL, 'F'},
                                         {"help", no_argument, NULL, 'h'}, {0}};
    int fmt = app_stdout_tty() ? APP_FMT_TABLE : APP_FMT_CSV;
    int c;
    optind = 1;
    while ((c = app_getopt("source list", argc, argv, "h", opts)) != -1) {
        if (c == 'F') {
            if ((fmt = app_format_parse(optarg)) < 0)
                return app_usage_error("source list", "bad --format '%s' (table, csv, json)", optarg);
        } else if (c == 'h') {
            return usage();
        } else {
            return APP_USAGE;
        }
    }
    if (optind < argc)
        return app_usage_error("source list", "unexpected argument '%s'", argv[optind]);
    store *st = app_open_store(ctx, "source list");
    if (!st)
        return APP_FAIL;
    store_source *v = NULL;
    size_t n = 0;
    if (store_source_list(st, &v, &n) != VG_OK) {
        store_close(st);
        return app_fail("source list", "%s", vg_error_last());
    }
    json_t *arr = fmt == APP_FMT_JSON ? json_array() : NULL;
    if (fmt == APP_FMT_TABLE)
        printf("%-4s %-5s %-36s %-8s %-20s %s\n", "ID", "KIND", "STATE", "EVERY", "NEXT", "URL");
    else if (fmt == APP_FMT_CSV)
        printf("id,kind,state,interval,next_fetch_at,last_status,last_error,url\n");
    for (size_t i = 0; i < n; i++) {
        const store_source *s = &v[i];
        char sb[96], next[21];
        const char *state = state_of(s, sb, sizeof sb);
        vg_time_iso(s->next_fetch_at, next);
        if (fmt == APP_FMT_TABLE) {
            char every[32];
            snprintf(every, sizeof every, "%lldm%s", (long long)(s->interval / 60),
                     s->pinned ? "*" : "");
            printf("%-4lld %-5s %-36s %-8s %-20s %s\n", (long long)s->id, s->kind, state,
                   every, next, s->url);
            if (s->last_error)
                printf("     last error: %s\n", s->last_error);
        } else if (fmt == APP_FMT_CSV) {
            printf("%lld,%s,", (long long)s->id, s->kind);
            app_csv_field(stdout, state);
            printf(",%lld,%s,%d,", (long long)s->interval, next, s->last_status);
            app_csv_field(stdout, s->last_error);
            putchar(',');
            app_csv_field(stdout, s->url);
            putchar('\n');
        } else {
            json_t *o = json_pack("{s:I,s:s,s:s,s:s?,s:s,s:I,s:b,s:b,s:I,s:I,s:i,s:s?,s:i,s:I}",
                                  "id", (json_int_t)s->id, "url", s->url, "kind", s->kind,
                                  "title", s->title, "state", s->error_count ? "failing" : state,
                                  "interval", (json_int_t)s->interval, "pinned", s->pinned,
                                  "full_text", s->full_text, "next_fetch_at",
                                  (json_int_t)s->next_fetch_at, "last_fetch_at",
                                  (json_int_t)s->last_fetch_at, "last_status", s->last_status,
                                  "last_error", s->last_error, "error_count", s->error_count,
                                  "failing_since", (json_int_t)s->failing_since);
            if (o)
                json_array_append_new(arr, o);
        }
    }
    app_json_list_print(arr);
    store_source_array_free(v, n);
    store_close(st);
    return APP_OK;
}

static int source_rm(app_ctx *ctx, int argc, char **argv)
{
    if (argc == 2 && (strcmp(argv[1], "--help") == 0 || strcmp(argv[1], "-h") == 0))
        return usage();
    if (argc != 2)
        return app_usage_error("source rm", "needs exactly one ID or URL");
    store *st = app_open_store(ctx, "source rm");
    if (!st)
        return APP_FAIL;
    vg_err e = store_source_rm(st, argv[1]);
    int rc = APP_OK;
    if (e == VG_ENOTFOUND)
        rc = app_fail("source rm", "no source '%s'", argv[1]);
    else if (e != VG_OK)
        rc = app_fail("source rm", "%s", vg_error_last());
    else if (!ctx->quiet)
        printf("removed source %s\n", argv[1]);
    store_close(st);
    return rc;
}

/* Reads a whole file, capped. */
static vg_err read_file(const char *path, size_t max, vg_buf *out)
{
    FILE *f = strcmp(path, "-") == 0 ? stdin : fopen(path, "rb");
    if (!f)
        return vg_error_set(VG_EIO, "cannot open %s: %s", path, strerror(errno));
    char chunk[65536];
    size_t n;
    vg_buf_init(out, max);
    while ((n = fread(chunk, 1, sizeof chunk, f)) > 0)
        if (vg_buf_append(out, chunk, n) != VG_OK)
            break;
    int bad = ferror(f);
    if (f != stdin)
        fclose(f);
    if (out->err == VG_ETOOBIG)
        return vg_error_set(VG_ETOOBIG, "%s is larger than %zu bytes", path, max);
    if (bad || out->err)
        return vg_error_set(VG_EIO, "cannot read %s", path);
    return VG_OK;
}

static int source_import(app_ctx *ctx, int argc, char **argv)
{
    static const struct option opts[] = {{"base", required_argument, NULL, 'b'},
                                         {"full-text", no_argument, NULL, 'f'},
                                         {"help", no_argument, NULL, 'h'}, {0}};
    const char *base = NULL;
    int full = 0, c;
    optind = 1;
    while ((c = app_getopt("source import", argc, argv, "h", opts)) != -1) {
        if (c == 'b')
            base = optarg;
        else if (c == 'f')
            full = 1;
        else if (c == 'h')
            return usage();
        else
            return APP_USAGE;
    }
    if (optind != argc - 1)
        return app_usage_error("source import", "needs exactly one OPML file");
    vg_buf data;
    if (read_file(argv[optind], OPML_MAX_BYTES, &data) != VG_OK) {
        vg_buf_free(&data);
        return app_fail("source import", "%s", vg_error_last());
    }
    opml_outline *v = NULL;
    size_t n = 0;
    vg_err e = opml_parse(vg_buf_str(&data), data.len, &v, &n);
    vg_buf_free(&data);
    if (e != VG_OK)
        return app_fail("source import", "%s: %s", argv[optind], vg_error_last());
    store *st = app_open_store(ctx, "source import");
    if (!st) {
        opml_free(v, n);
        return APP_FAIL;
    }
    int added = 0, skipped = 0, bad = 0;
    for (size_t i = 0; i < n; i++) {
        char *url = NULL;
        if (vg_url_resolve(base, v[i].url, &url) != VG_OK) {
            fprintf(stderr, "vigie: source import: skipped '%s': not an http(s) URL\n", v[i].url);
            bad++;
            continue;
        }
        e = store_source_add(st, url, "feed", v[i].title, DEFAULT_INTERVAL, 0,
                             full || v[i].full_text, NULL);
        if (e == VG_OK)
            added++;
        else if (e == VG_EEXISTS)
            skipped++;
        else {
            fprintf(stderr, "vigie: source import: %s: %s\n", url, vg_error_last());
            bad++;
        }
        free(url);
    }
    if (!ctx->quiet)
        printf("imported %d sources (%d already present, %d refused)\n", added, skipped, bad);
    opml_free(v, n);
    store_close(st);
    return bad && !added ? APP_FAIL : APP_OK;
}

static int source_export(app_ctx *ctx, int argc, char **argv)
{
    static const struct option opts[] = {{"out", required_argument, NULL, 'o'},
                                         {"help", no_argument, NULL, 'h'}, {0}};
    const char *out = NULL;
    int c;
    optind = 1;
    while ((c = app_getopt("source export", argc, argv, "ho:", opts)) != -1) {
        if (c == 'o')
            out = optarg;
        else if (c == 'h')
            return usage();
        else
            return APP_USAGE;
    }
    if (optind < argc)
        return app_usage_error("source export", "unexpected argument '%s'", argv[optind]);
    store *st = app_open_store(ctx, "source export");
    if (!st)
        return APP_FAIL;
    store_source *v = NULL;
    size_t n = 0;
    int rc = APP_OK;
    if (store_source_list(st, &v, &n) != VG_OK) {
        store_close(st);
        return app_fail("source export", "%s", vg_error_last());
    }
    opml_outline *o = calloc(n ? n : 1, sizeof *o);
    size_t k = 0;
    for (size_t i = 0; o && i < n; i++) {
        if (strcmp(v[i].kind, "feed") != 0)
            continue; /* OPML lists feeds; pages have no xmlUrl */
        o[k].url = v[i].url;
        o[k].title = v[i].title;
        o[k].full_text = v[i].full_text;
        k++;
    }
    vg_buf doc;
    vg_buf_init(&doc, 64u << 20);
    if (!o || opml_write(o, k, "vigie sources", &doc) != VG_OK) {
        rc = app_fail("source export", "cannot write OPML");
    } else {
        FILE *f = out ? fopen(out, "wb") : stdout;
        if (!f) {
            rc = app_fail("source export", "cannot open %s: %s", out, strerror(errno));
        } else {
            fwrite(doc.ptr, 1, doc.len, f);
            if (out && fclose(f) != 0)
                rc = app_fail("source export", "cannot write %s", out);
        }
    }
    vg_buf_free(&doc);
    free(o);
    store_source_array_free(v, n);
    store_close(st);
    return rc;
}

int cmd_source(app_ctx *ctx, int argc, char **argv)
{
    if (argc < 2)
        return usage(), APP_USAGE;
    const char *sub = argv[1];
    if (strcmp(sub, "--help") == 0 || strcmp(sub, "-h") == 0)
        return usage();
    if (strcmp(sub, "add") == 0)
        return source_add(ctx, argc - 1, argv + 1);
    if (strcmp(sub, "list") == 0 || strcmp(sub, "ls") == 0)
        return source_list(ctx, argc - 1, argv + 1);
    if (strcmp(sub, "rm") == 0 || strcmp(sub, "remove") == 0)
        return source_rm(ctx, argc - 1, argv + 1);
    if (strcmp(sub, "import") == 0)
        return source_import(ctx, argc - 1, argv + 1);
    if (strcmp(sub, "export") == 0)
        return source_export(ctx, argc - 1, argv + 1);
    return app_usage_error("source", "unknown action '%s' (add, list, rm, import, export)", sub);
}
