/*
 * `vigie digest`: the weekly listening report. Builds the digest of a
 * period (monitor/digest.h), renders it (monitor/report.h) as HTML,
 * Markdown, text or JSON, writes it to a file or stdout and archives it;
 * `digest list` and `digest show ID` read the archive back.
 */
#include "app/app.h"

#include "core/vtime.h"
#include "monitor/digest.h"
#include "monitor/report.h"

#include <errno.h>
#include <getopt.h>
#include <jansson.h>
#include <stdlib.h>
#include <string.h>

static int usage(void)
{
    printf("usage: vigie digest [--week 2026-W47 | --from DATE --to DATE]\n"
           "                    [--brand NAME | --all] [--locale fr|en]\n"
           "                    [--format html|md|txt|json] [--out FILE]\n"
           "       vigie digest list [--format table|csv|json]\n"
           "       vigie digest show ID\n\n"
           "Writes the listening digest of a period: per brand, mentions, net\n"
           "sentiment and negative share against the previous period, daily\n"
           "volume, the 8-week trend, share of voice, top sources, the most\n"
           "positive and negative mentions, emerging terms, alerts and goals.\n"
           "The default period is last week (ISO, Monday to Sunday, UTC); --to\n"
           "given as a date includes that day. The format defaults to the --out\n"
           "file's extension, else txt. The locale defaults to the setting\n"
           "digest.locale (vigie config), else en. Every digest is archived.\n");
    return APP_OK;
}

/* "2026-11-22": a bare date, which --to includes whole. */
static int bare_date(const char *s)
{
    if (strlen(s) != 10 || s[4] != '-' || s[7] != '-')
        return 0;
    for (int i = 0; i < 10; i++)
        if (i != 4 && i != 7 && (s[i] < '0' || s[i] > '9'))
            return 0;
    return 1;
}

static int format_from_path(const char *path)
{
    const char *dot = path ? strrchr(path, '.') : NULL;

    if (dot == NULL)
        return -1;
    if (strcmp(dot, ".htm") == 0)
        return REPORT_HTML;
    return report_format_parse(dot + 1);
}

static int write_out(const char *path, const char *body)
{
    FILE *f;

    if (path == NULL || strcmp(path, "-") == 0) {
        fputs(body, stdout);
        return fflush(stdout) == 0 ? 0 : -1;
    }
    f = fopen(path, "w");
    if (f == NULL)
        return -1;
    if (fputs(body, f) == EOF) {
        fclose(f);
        return -1;
    }
    return fclose(f) == 0 ? 0 : -1;
}

static int digest_list(app_ctx *ctx, int argc, char **argv)
{
    static const struct option opts[] = {{"format", required_argument, NULL, 'F'},
                                         {"help", no_argument, NULL, 'h'}, {0}};
    int fmt = app_stdout_tty() ? APP_FMT_TABLE : APP_FMT_CSV, c;

    optind = 1;
    while ((c = app_getopt("digest list", argc, argv, "h", opts)) != -1) {
        if (c == 'F') {
            if ((fmt = app_format_parse(optarg)) < 0)
                return app_usage_error("digest list", "bad --format '%s' (table, csv, json)",
                                       optarg);
        } else if (c == 'h') {
            return usage();
        } else {
            return APP_USAGE;
        }
    }
    if (optind < argc)
        return app_usage_error("digest list", "unexpected argument '%s'", argv[optind]);
    store *st = app_open_store(ctx, "digest list");
    if (!st)
        return APP_FAIL;
    store_digest_entry *v = NULL;
    size_t n = 0;
    if (store_digest_archive_list(st, &v, &n) != VG_OK) {
        store_close(st);
        return app_fail("digest list", "%s", vg_error_last());
    }
    json_t *arr = fmt == APP_FMT_JSON ? json_array() : NULL;
    if (fmt == APP_FMT_TABLE)
        printf("%-5s %-20s %-10s %-10s %-12s %-6s %s\n", "ID", "CREATED", "FROM", "TO",
               "BRAND", "LOCALE", "FORMAT");
    else if (fmt == APP_FMT_CSV)
        printf("id,created,from,to,brand,locale,format\n");
    for (size_t i = 0; i < n; i++) {
        char cr[21], fr[21], to[21];
        vg_time_iso(v[i].created_at, cr);
        vg_time_iso(v[i].period_from, fr);
        vg_time_iso(v[i].period_to - 1, to);
        fr[10] = to[10] = '\0';
        const char *brand = v[i].brand ? v[i].brand : "(all)";
        if (fmt == APP_FMT_JSON) {
            json_array_append_new(arr, json_pack("{s:I, s:s, s:s, s:s, s:o, s:s, s:s}", "id",
                                                 (json_int_t)v[i].id, "created", cr, "from",
                                                 fr, "to", to, "brand",
                                                 v[i].brand ? json_string(v[i].brand)
                                                            : json_null(),
                                                 "locale", v[i].locale, "format",
                                                 v[i].format));
        } else if (fmt == APP_FMT_CSV) {
            printf("%lld,%s,%s,%s,", (long long)v[i].id, cr, fr, to);
            app_csv_field(stdout, brand);
            printf(",%s,%s\n", v[i].locale, v[i].format);
        } else {
            printf("%-5lld %-20s %-10s %-10s %-12s %-6s %s\n", (long long)v[i].id, cr, fr,
                   to, brand, v[i].locale, v[i].format);
        }
    }
    if (arr) {
        json_dumpf(arr, stdout, JSON_INDENT(2));
        printf("\n");
        json_decref(arr);
    }
    store_digest_entry_array_free(v, n);
    store_close(st);
    return APP_OK;
}

static int digest_show(app_ctx *ctx, int argc, char **argv)
{
    static const struct option opts[] = {{"help", no_argument, NULL, 'h'}, {0}};
    int c;

    optind = 1;
    while ((c = app_getopt("digest show", argc, argv, "h", opts)) != -1) {
        if (c == 'h')
            return usage();
        return APP_USAGE;
    }
    if (optind != argc - 1)
        return app_usage_error("digest show", "needs exactly one ID");
    char *end = NULL;
    errno = 0;
    long long id = strtoll(argv[optind], &end, 10);
    if (end == argv[optind] || *end || id <= 0 || errno)
        return app_usage_error("digest show", "bad ID '%s'", argv[optind]);
    store *st = app_open_store(ctx, "digest show");
    if (!st)
        return APP_FAIL;
    store_digest_entry *e = NULL;
    vg_err err = store_digest_archive_get(st, id, &e);
    store_close(st);
    if (err != VG_OK)
        return app_fail("digest show", "%s", vg_error_last());
    fputs(e->body, stdout);
    store_digest_entry_array_free(e, 1);
    return APP_OK;
}

static int digest_make(app_ctx *ctx, int argc, char **argv)
{
    static const struct option opts[] = {
        {"week", required_argument, NULL, 'w'},  {"from", required_argument, NULL, 'f'},
        {"to", required_argument, NULL, 't'},    {"brand", required_argument, NULL, 'b'},
        {"all", no_argument, NULL, 'a'},         {"locale", required_argument, NULL, 'l'},
        {"format", required_argument, NULL, 'F'}, {"out", required_argument, NULL, 'o'},
        {"help", no_argument, NULL, 'h'},        {0}};
    digest_options o = DIGEST_OPTIONS_INIT;
    const char *week = NULL, *from = NULL, *to = NULL, *out = NULL;
    int fmt = -1, loc = -1, all = 0, c;
    int64_t now = vg_now();

    optind = 1;
    while ((c = app_getopt("digest", argc, argv, "ho:", opts)) != -1) {
        switch (c) {
        case 'w': week = optarg; break;
        case 'f': from = optarg; break;
        case 't': to = optarg; break;
        case 'b': o.brand = optarg; break;
        case 'a': all = 1; break;
        case 'l':
            if ((loc = report_locale_parse(optarg)) < 0)
                return app_usage_error("digest", "bad --locale '%s' (fr, en)", optarg);
            break;
        case 'F':
            if ((fmt = report_format_parse(optarg)) < 0)
                return app_usage_error("digest", "bad --format '%s' (html, md, txt, json)",
                                       optarg);
            break;
        case 'o': out = optarg; break;
        case 'h': return usage();
        default: return APP_USAGE;
        }
    }
    if (optind < argc)
        return app_usage_error("digest", "unexpected argument '%s'", argv[optind]);
    if (all && o.brand)
        return app_usage_error("digest", "--brand and --all exclude each other");
    if (week && (from || to))
        return app_usage_error("digest", "--week and --from/--to exclude each other");
    if (week) {
        if (digest_week_parse(week, &o.from, &o.to) != VG_OK)
            return app_usage_error("digest", "bad --week: %s", vg_error_last());
    } else if (from || to) {
        if (!from || !to)
            return app_usage_error("digest", "--%s needs --%s", from ? "from" : "to",
                                   from ? "to" : "from");
        if (vg_time_parse_cli(from, now, &o.from) != VG_OK)
            return app_usage_error("digest", "bad --from: %s", vg_error_last());
        if (vg_time_parse_cli(to, now, &o.to) != VG_OK)
            return app_usage_error("digest", "bad --to: %s", vg_error_last());
        if (bare_date(to))
            o.to += DIGEST_DAY;
        if (o.to <= o.from)
            return app_usage_error("digest", "--to is not after --from");
        if (o.to - o.from > (int64_t)DIGEST_MAX_DAYS * DIGEST_DAY)
            return app_usage_error("digest", "the period is longer than %d days",
                                   DIGEST_MAX_DAYS);
    } else {
        digest_last_week(now, &o.from, &o.to);
    }
    if (fmt < 0)
        fmt = format_from_path(out);
    if (fmt < 0)
        fmt = REPORT_TXT;

    store *st = app_open_store(ctx, "digest");
    if (!st)
        return APP_FAIL;
    if (loc < 0) {
        char *v = NULL;
        if (store_setting_get(st, "digest.locale", &v) == VG_OK)
            loc = report_locale_parse(v);
        free(v);
        if (loc < 0)
            loc = REPORT_EN;
    }
    char *body = NULL;
    int64_t id = 0;
    vg_err err = report_produce(st, &o, (report_format)fmt, (report_locale)loc, &body, &id);
    store_close(st);
    if (err == VG_ENOTFOUND)
        return app_usage_error("digest", "%s (see vigie brand list)", vg_error_last());
    if (err != VG_OK)
        return app_fail("digest", "%s", vg_error_last());
    int rc = APP_OK;
    if (write_out(out, body) != 0)
        rc = app_fail("digest", "cannot write %s: %s", out ? out : "stdout", strerror(errno));
    else if (out && strcmp(out, "-") != 0 && !ctx->quiet)
        fprintf(stderr, "digest %lld written to %s\n", (long long)id, out);
    free(body);
    return rc;
}

int cmd_digest(app_ctx *ctx, int argc, char **argv)
{
    if (argc >= 2 && (strcmp(argv[1], "list") == 0 || strcmp(argv[1], "ls") == 0))
        return digest_list(ctx, argc - 1, argv + 1);
    if (argc >= 2 && strcmp(argv[1], "show") == 0)
        return digest_show(ctx, argc - 1, argv + 1);
    return digest_make(ctx, argc, argv);
}
