/*
 * `vigie mentions`: what was said about the brands, filtered by brand,
 * time and sentiment; an aligned table on a terminal, CSV or JSON for
 * scripts.
 */
#include "app/app.h"

#include "core/vtime.h"

#include <getopt.h>
#include <jansson.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <unistd.h>

static int usage(void)
{
    printf("usage: vigie mentions [--brand NAME] [--since WHEN] [--until WHEN]\n"
           "                      [--sentiment pos|neg|neu] [--search TEXT]\n"
           "                      [--sort date|negative|positive] [--limit N]\n"
           "                      [--format table|csv|json] [--group-copies]\n\n"
           "WHEN is a duration back from now (7d, 12h), a date (2026-11-01,\n"
           "2026-11-01T08:00Z) or @unixtime. --search uses the full-text index\n"
           "over snippets and titles. The default format is a table on a\n"
           "terminal and CSV otherwise. --group-copies shows one row per\n"
           "syndicated article (same brand, near-identical text) with\n"
           "\"[+N copies]\" after its snippet.\n");
    return APP_OK;
}

static const char *label_name(int label)
{
    return label > 0 ? "pos" : label < 0 ? "neg" : "neu";
}

/* Copies at most width display columns of s (UTF-8 aware) into out,
 * with "…" when cut; newlines become spaces. */
static void fit(const char *s, int width, char *out, size_t cap)
{
    size_t o = 0;
    int cols = 0;
    for (const unsigned char *p = (const unsigned char *)(s ? s : ""); *p && o + 5 < cap;) {
        size_t k = *p < 0x80 ? 1 : (*p >> 5) == 6 ? 2 : (*p >> 4) == 14 ? 3 : 4;
        if (cols == width - 1 && p[k]) {
            memcpy(out + o, "\xe2\x80\xa6", 3);
            o += 3;
            break;
        }
        if (*p == '\n' || *p == '\r' || *p == '\t') {
            out[o++] = ' ';
            p++;
        } else {
            for (size_t i = 0; i < k && p[i]; i++)
                out[o++] = (char)p[i];
            p += k;
        }
        cols++;
    }
    out[o] = '\0';
}

vg_err app_mentions_group_copies(store *st, store_mention_row *v, size_t *n);

int cmd_mentions(app_ctx *ctx, int argc, char **argv)
{
    static const struct option opts[] = {
        {"brand", required_argument, NULL, 'b'}, {"since", required_argument, NULL, 's'},
        {"until", required_argument, NULL, 'u'}, {"sentiment", required_argument, NULL, 'S'},
        {"search", required_argument, NULL, 'q'}, {"sort", required_argument, NULL, 'o'},
        {"limit", required_argument, NULL, 'n'}, {"format", required_argument, NULL, 'F'},
        {"group-copies", no_argument, NULL, 'G'}, {"help", no_argument, NULL, 'h'}, {0}};
    int group_copies = 0;
    store_mention_filter f = STORE_MENTION_FILTER_INIT;
    int fmt = app_stdout_tty() ? APP_FMT_TABLE : APP_FMT_CSV;
    int64_t now = vg_now();
    int c;
    optind = 1;
    while ((c = app_getopt("mentions", argc, argv, "hn:", opts)) != -1) {
        switch (c) {
        case 'b': f.brand = optarg; break;
        case 's':
            if (vg_time_parse_cli(optarg, now, &f.since) != VG_OK)
                return app_usage_error("mentions", "bad --since: %s", vg_error_last());
            break;
        case 'u':
            if (vg_time_parse_cli(optarg, now, &f.until) != VG_OK)
                return app_usage_error("mentions", "bad --until: %s", vg_error_last());
            break;
        case 'S':
            f.label_set = 1;
            if (strcmp(optarg, "pos") == 0 || strcmp(optarg, "positive") == 0)
                f.label = 1;
            else if (strcmp(optarg, "neg") == 0 || strcmp(optarg, "negative") == 0)
                f.label = -1;
            else if (strcmp(optarg, "neu") == 0 || strcmp(optarg, "neutral") == 0)
                f.label = 0;
            else
                return app_usage_error("mentions", "bad --sentiment '%s' (pos, neg, neu)", optarg);
            break;
        case 'q': f.search = optarg; break;
        case 'G': group_copies = 1; break;
        case 'o':
            if (strcmp(optarg, "date") == 0)
                f.order_by_score = 0;
            else if (strcmp(optarg, "negative") == 0)
                f.order_by_score = 1;
            else if (strcmp(optarg, "positive") == 0)
                f.order_by_score = 2;
            else
                return app_usage_error("mentions", "bad --sort '%s' (date, negative, positive)", optarg);
            break;
        case 'n': {
            char *end = NULL;
            long v = strtol(optarg, &end, 10);
            if (end == optarg || *end || v < 0 || v > 1000000000)
                return app_usage_error("mentions", "bad --limit '%s'", optarg);
            f.limit = (int)v;
            break;
        }
        case 'F':
            if ((fmt = app_format_parse(optarg)) < 0)
                return app_usage_error("mentions", "bad --format '%s' (table, csv, json)", optarg);
            break;
        case 'h': return usage();
        default: return APP_USAGE;
        }
    }
    if (optind < argc)
        return app_usage_error("mentions", "unexpected argument '%s'", argv[optind]);
    if (f.since && f.until && f.until < f.since)
        return app_usage_error("mentions", "--until is before --since");
    store *st = app_open_store(ctx, "mentions");
    if (!st)
        return APP_FAIL;
    if (f.brand) {
        store_brand *b = NULL;
        size_t n = 0, found = 0;
        if (store_brand_list(st, 0, &b, &n) == VG_OK)
            for (size_t i = 0; i < n; i++)
                found |= strcasecmp(b[i].name, f.brand) == 0;
        store_brand_array_free(b, n);
        if (!found) {
            store_close(st);
            return app_usage_error("mentions", "no brand '%s' (see vigie brand list)", f.brand);
        }
    }
    store_mention_row *v = NULL;
    size_t n = 0;
    if (store_mentions_query(st, &f, &v, &n) != VG_OK) {
        store_close(st);
        return app_fail("mentions", "%s", vg_error_last());
    }
    if (group_copies && app_mentions_group_copies(st, v, &n) != VG_OK) { /* app/copies.c */
        store_mention_row_array_free(v, n);
        store_close(st);
        return app_fail("mentions", "%s", vg_error_last());
    }
    if (fmt == APP_FMT_TABLE) {
        struct winsize ws;
        int width = ioctl(STDOUT_FILENO, TIOCGWINSZ, &ws) == 0 && ws.ws_col > 60 ? ws.ws_col : 120;
        int snip_w = width - (17 + 1 + 12 + 1 + 3 + 1 + 6 + 1);
        printf("%-17s %-12s %-3s %6s %s\n", "DATE", "BRAND", "SEN", "SCORE", "SNIPPET");
        for (size_t i = 0; i < n; i++) {
            char date[21], brand[64], snip[2048];
            vg_time_iso(v[i].published_at, date);
            date[16] = '\0';
            date[10] = ' ';
            fit(v[i].brand, 12, brand, sizeof brand);
            fit(v[i].snippet, snip_w, snip, sizeof snip);
            printf("%-17s %-12s %-3s %+6.2f %s\n", date, brand, label_name(v[i].label),
                   v[i].score, snip);
        }
        if (n == 0)
            printf("(no mentions match)\n");
    } else if (fmt == APP_FMT_CSV) {
        printf("id,published_at,brand,label,score,corrected,url,title,snippet\n");
        for (size_t i = 0; i < n; i++) {
            char date[21];
            vg_time_iso(v[i].published_at, date);
            printf("%lld,%s,", (long long)v[i].id, date);
            app_csv_field(stdout, v[i].brand);
            printf(",%s,%.4f,%d,", label_name(v[i].label), v[i].score, v[i].corrected);
            app_csv_field(stdout, v[i].url);
            putchar(',');
            app_csv_field(stdout, v[i].title);
            putchar(',');
            app_csv_field(stdout, v[i].snippet);
            putchar('\n');
        }
    } else {
        json_t *arr = json_array();
        for (size_t i = 0; i < n; i++) {
            char date[21];
            vg_time_iso(v[i].published_at, date);
            json_array_append_new(
                arr, json_pack("{s:I,s:s,s:s,s:s,s:f,s:s,s:b,s:f,s:f,s:f,s:s?,s:s?,s:s?,s:s?}",
                               "id", (json_int_t)v[i].id, "published_at", date, "brand",
                               v[i].brand, "label", label_name(v[i].label), "score", v[i].score,
                               "sentiment", label_name(v[i].label), "corrected", v[i].corrected,
                               "pos", v[i].pos, "neu", v[i].neu, "neg", v[i].neg, "url",
                               v[i].url, "title", v[i].title, "source", v[i].source_url,
                               "snippet", v[i].snippet));
        }
        json_dumpf(arr, stdout, JSON_INDENT(2));
        putchar('\n');
        json_decref(arr);
    }
    store_mention_row_array_free(v, n);
    store_close(st);
    return APP_OK;
}
