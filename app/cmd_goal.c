/*
 * `vigie goal`: targets for a brand's metrics that the digest measures
 * the brand against (met, on track, off track).
 */
#include "app/app.h"

#include "core/vtime.h"

#include <errno.h>
#include <getopt.h>
#include <jansson.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

static int usage(void)
{
    printf("usage: vigie goal add --brand NAME --metric METRIC --target VALUE [--by DATE]\n"
           "       vigie goal list [--brand NAME] [--format table|csv|json]\n"
           "       vigie goal rm ID\n\n"
           "METRIC is net-sentiment (-1..1), negative-share (0..1 or 0%%..100%%),\n"
           "volume (mentions per digest period) or share-of-voice (0..1 or %%).\n"
           "The digest shows each goal as met, on track or off track.\n");
    return APP_OK;
}

/* Parses a target: a number, or a percentage ("15%") for shares. */
static int parse_target(const char *metric, const char *s, double *out)
{
    char *end = NULL;
    errno = 0;
    double v = strtod(s, &end);
    int share = strcmp(metric, "negative-share") == 0 ||
                strcmp(metric, "share-of-voice") == 0;
    if (end == s || errno || !isfinite(v))
        return -1;
    if (*end == '%' && end[1] == '\0' && share) {
        v /= 100.0;
    } else if (*end) {
        return -1;
    }
    if (share && (v < 0.0 || v > 1.0))
        return -1;
    if (strcmp(metric, "net-sentiment") == 0 && (v < -1.0 || v > 1.0))
        return -1;
    if (strcmp(metric, "volume") == 0 && v < 0.0)
        return -1;
    *out = v;
    return 0;
}

static int goal_add(app_ctx *ctx, int argc, char **argv)
{
    static const struct option opts[] = {
        {"brand", required_argument, NULL, 'b'}, {"metric", required_argument, NULL, 'm'},
        {"target", required_argument, NULL, 't'}, {"by", required_argument, NULL, 'y'},
        {"help", no_argument, NULL, 'h'}, {0}};
    const char *brand = NULL, *metric = NULL, *target = NULL;
    int64_t by = 0;
    double value = 0.0;
    int c;
    optind = 1;
    while ((c = app_getopt("goal add", argc, argv, "h", opts)) != -1) {
        switch (c) {
        case 'b': brand = optarg; break;
        case 'm': metric = optarg; break;
        case 't': target = optarg; break;
        case 'y':
            if (vg_time_parse_cli(optarg, vg_now(), &by) != VG_OK)
                return app_usage_error("goal add", "bad --by: %s", vg_error_last());
            break;
        case 'h': return usage();
        default: return APP_USAGE;
        }
    }
    if (optind < argc)
        return app_usage_error("goal add", "unexpected argument '%s'", argv[optind]);
    if (!brand)
        return app_usage_error("goal add", "--brand is required");
    if (!metric)
        return app_usage_error("goal add", "--metric is required");
    if (!store_goal_metric_valid(metric))
        return app_usage_error("goal add",
                               "bad --metric '%s' (net-sentiment, negative-share, volume, "
                               "share-of-voice)",
                               metric);
    if (!target)
        return app_usage_error("goal add", "--target is required");
    if (parse_target(metric, target, &value) != 0)
        return app_usage_error("goal add", "bad --target '%s' for %s", target, metric);
    store *st = app_open_store(ctx, "goal add");
    if (!st)
        return APP_FAIL;
    int64_t id = 0;
    vg_err err = store_goal_add(st, brand, metric, value, by, &id);
    store_close(st);
    if (err == VG_ENOTFOUND)
        return app_usage_error("goal add", "no brand '%s' (see vigie brand list)", brand);
    if (err != VG_OK)
        return app_fail("goal add", "%s", vg_error_last());
    if (!ctx->quiet)
        printf("goal %lld added\n", (long long)id);
    return APP_OK;
}

static int goal_list(app_ctx *ctx, int argc, char **argv)
{
    static const struct option opts[] = {{"brand", required_argument, NULL, 'b'},
                                         {"format", required_argument, NULL, 'F'},
                                         {"help", no_argument, NULL, 'h'}, {0}};
    const char *brand = NULL;
    int fmt = app_stdout_tty() ? APP_FMT_TABLE : APP_FMT_CSV, c;
    optind = 1;
    while ((c = app_getopt("goal list", argc, argv, "h", opts)) != -1) {
        if (c == 'b')
            brand = optarg;
        else if (c == 'F') {
            if ((fmt = app_format_parse(optarg)) < 0)
                return app_usage_error("goal list", "bad --format '%s' (table, csv, json)",
                                       optarg);
        } else if (c == 'h')
            return usage();
        else
            return APP_USAGE;
    }
    if (optind < argc)
        return app_usage_error("goal list", "unexpected argument '%s'", argv[optind]);
    store *st = app_open_store(ctx, "goal list");
    if (!st)
        return APP_FAIL;
    store_goal *g = NULL;
    size_t n = 0;
    if (store_goal_list(st, 0, &g, &n) != VG_OK) {
        store_close(st);
        return app_fail("goal list", "%s", vg_error_last());
    }
    store_close(st);
    json_t *arr = fmt == APP_FMT_JSON ? json_array() : NULL;
    if (fmt == APP_FMT_TABLE)
        printf("%-5s %-16s %-15s %10s  %s\n", "ID", "BRAND", "METRIC", "TARGET", "BY");
    else if (fmt == APP_FMT_CSV)
        printf("id,brand,metric,target,by\n");
    for (size_t i = 0; i < n; i++) {
        if (brand && strcasecmp(brand, g[i].brand) != 0)
            continue;
        char by[21] = "";
        if (g[i].by) {
            vg_time_iso(g[i].by, by);
            by[10] = '\0';
        }
        if (arr) {
            json_array_append_new(arr, json_pack("{s:I, s:s, s:s, s:f, s:o}", "id",
                                                 (json_int_t)g[i].id, "brand", g[i].brand,
                                                 "metric", g[i].metric, "target",
                                                 g[i].target, "by",
                                                 g[i].by ? json_string(by) : json_null()));
        } else if (fmt == APP_FMT_CSV) {
            printf("%lld,", (long long)g[i].id);
            app_csv_field(stdout, g[i].brand);
            printf(",%s,%g,%s\n", g[i].metric, g[i].target, by);
        } else {
            printf("%-5lld %-16s %-15s %10g  %s\n", (long long)g[i].id, g[i].brand,
                   g[i].metric, g[i].target, by);
        }
    }
    app_json_list_print(arr);
    store_goal_array_free(g, n);
    return APP_OK;
}

static int goal_rm(app_ctx *ctx, int argc, char **argv)
{
    static const struct option opts[] = {{"help", no_argument, NULL, 'h'}, {0}};
    int c;
    optind = 1;
    while ((c = app_getopt("goal rm", argc, argv, "h", opts)) != -1) {
        if (c == 'h')
            return usage();
        return APP_USAGE;
    }
    if (optind != argc - 1)
        return app_usage_error("goal rm", "needs exactly one ID");
    char *end = NULL;
    errno = 0;
    long long id = strtoll(argv[optind], &end, 10);
    if (end == argv[optind] || *end || id <= 0 || errno)
        return app_usage_error("goal rm", "bad ID '%s'", argv[optind]);
    store *st = app_open_store(ctx, "goal rm");
    if (!st)
        return APP_FAIL;
    vg_err err = store_goal_rm(st, id);
    store_close(st);
    if (err != VG_OK)
        return app_fail("goal rm", "%s", vg_error_last());
    if (!ctx->quiet)
        printf("goal %lld removed\n", id);
    return APP_OK;
}

int cmd_goal(app_ctx *ctx, int argc, char **argv)
{
    if (argc < 2)
        return usage(), APP_USAGE;
    const char *sub = argv[1];
    if (strcmp(sub, "--help") == 0 || strcmp(sub, "-h") == 0)
        return usage();
    if (strcmp(sub, "add") == 0)
        return goal_add(ctx, argc - 1, argv + 1);
    if (strcmp(sub, "list") == 0 || strcmp(sub, "ls") == 0)
        return goal_list(ctx, argc - 1, argv + 1);
    if (strcmp(sub, "rm") == 0 || strcmp(sub, "remove") == 0)
        return goal_rm(ctx, argc - 1, argv + 1);
    return app_usage_error("goal", "unknown action '%s' (add, list, rm)", sub);
}
