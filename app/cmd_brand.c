/*
 * `vigie brand`: the brands watched and their queries. A query is
 * compiled before it is saved, so a typo is refused with its position.
 */
#include "app/app.h"

#include "core/buf.h"
#include "monitor/query.h"

#include <getopt.h>
#include <jansson.h>
#include <string.h>

static int usage(void)
{
    printf("usage: vigie brand add NAME... | NAME --query QUERY\n"
           "       vigie brand list [--format table|csv|json]\n"
           "       vigie brand rm NAME|ID\n"
           "       vigie brand test NAME [--query QUERY] [--since WHEN] [--limit N]\n"
           "       vigie brand rematch NAME [--query QUERY] [--since WHEN]\n\n"
           "Without --query a brand matches its name as a word or phrase, and\n"
           "its #hashtag and @handle. See docs/queries.md for the language.\n");
    return APP_OK;
}

/* The default query for a name: the name itself, quoted when it has
 * several words so it matches as a phrase. */
static char *default_query(const char *name)
{
    vg_buf b;
    vg_buf_init(&b, 4096);
    int phrase = strpbrk(name, " \t'-") != NULL;
    if (phrase)
        vg_buf_putc(&b, '"');
    for (const char *p = name; *p; p++)
        if (*p != '"')
            vg_buf_putc(&b, *p);
    if (phrase)
        vg_buf_putc(&b, '"');
    if (b.err) {
        vg_buf_free(&b);
        return NULL;
    }
    return vg_buf_detach(&b);
}

/* Compiles a brand's query to refuse it before anything is stored.
 * Returns APP_OK or the usage error already printed. */
static int check_query(const char *qsrc)
{
    query *q = NULL;
    size_t pos = 0;
    if (query_compile(qsrc, &q, &pos) != VG_OK)
        return app_usage_error("brand add", "invalid query '%s' at position %zu: %s",
                               qsrc, pos + 1, vg_error_last());
    int neg = query_is_negative_only(q);
    query_free(q);
    if (neg)
        return app_usage_error("brand add", "the query can only match by exclusion; "
                                            "add a positive term");
    return APP_OK;
}

static int brand_add(app_ctx *ctx, int argc, char **argv)
{
    static const struct option opts[] = {{"query", required_argument, NULL, 'q'},
                                         {"help", no_argument, NULL, 'h'}, {0}};
    const char *qsrc = NULL;
    int c;
    optind = 1;
    while ((c = app_getopt("brand add", argc, argv, "hq:", opts)) != -1) {
        if (c == 'q')
            qsrc = optarg;
        else if (c == 'h')
            return usage();
        else
            return APP_USAGE;
    }
    int n = argc - optind;
    if (n < 1)
        return app_usage_error("brand add", "needs a NAME");
    if (qsrc && n > 1)
        return app_usage_error("brand add", "--query goes with one NAME, not %d", n);
    char **names = argv + optind;
    /* Every name and query is checked before the database is opened, and
     * the brands go in one transaction: a typo in the third name leaves
     * none of them half-added. */
    char **queries = calloc((size_t)n, sizeof *queries);
    int64_t *ids = calloc((size_t)n, sizeof *ids);
    int rc = queries && ids ? APP_OK : app_fail("brand add", "out of memory");
    for (int i = 0; i < n && rc == APP_OK; i++) {
        if (!*names[i])
            rc = app_usage_error("brand add", "brand name %d is empty", i + 1);
        else if (!(queries[i] = qsrc ? strdup(qsrc) : default_query(names[i])))
            rc = app_fail("brand add", "out of memory");
        else
            rc = check_query(queries[i]);
    }
    store *st = rc == APP_OK ? app_open_store(ctx, "brand add") : NULL;
    if (rc == APP_OK && !st)
        rc = APP_FAIL;
    if (rc == APP_OK && store_begin(st) != VG_OK)
        rc = app_fail("brand add", "%s", vg_error_last());
    for (int i = 0; i < n && rc == APP_OK; i++) {
        vg_err e = store_brand_add(st, names[i], queries[i], &ids[i]);
        if (e == VG_EEXISTS)
            rc = app_fail("brand add", "brand '%s' already exists", names[i]);
        else if (e != VG_OK)
            rc = app_fail("brand add", "%s", vg_error_last());
    }
    if (rc == APP_OK && store_commit(st) != VG_OK)
        rc = app_fail("brand add", "%s", vg_error_last());
    if (rc != APP_OK && st)
        store_rollback(st);
    for (int i = 0; i < n && rc == APP_OK && !ctx->quiet; i++)
        printf("added brand %lld: %s  query: %s\n", (long long)ids[i], names[i],
               queries[i]);
    for (int i = 0; queries && i < n; i++)
        free(queries[i]);
    free(queries);
    free(ids);
    store_close(st);
    return rc;
}

static int brand_list(app_ctx *ctx, int argc, char **argv)
{
    static const struct option opts[] = {{"format", required_argument, NULL, 'F'},
                                         {"help", no_argument, NULL, 'h'}, {0}};
    int fmt = app_stdout_tty() ? APP_FMT_TABLE : APP_FMT_CSV;
    int c;
    optind = 1;
    while ((c = app_getopt("brand list", argc, argv, "h", opts)) != -1) {
        if (c == 'F') {
            if ((fmt = app_format_parse(optarg)) < 0)
                return app_usage_error("brand list", "bad --format '%s' (table, csv, json)", optarg);
        } else if (c == 'h') {
            return usage();
        } else {
            return APP_USAGE;
        }
    }
    if (optind < argc)
        return app_usage_error("brand list", "unexpected argument '%s'", argv[optind]);
    store *st = app_open_store(ctx, "brand list");
    if (!st)
        return APP_FAIL;
    store_brand *v = NULL;
    size_t n = 0;
    if (store_brand_list(st, 0, &v, &n) != VG_OK) {
        store_close(st);
        return app_fail("brand list", "%s", vg_error_last());
    }
    json_t *arr = fmt == APP_FMT_JSON ? json_array() : NULL;
    if (fmt == APP_FMT_TABLE)
        printf("%-4s %-20s %-8s %s\n", "ID", "NAME", "ENABLED", "QUERY");
    else if (fmt == APP_FMT_CSV)
        printf("id,name,enabled,query\n");
    for (size_t i = 0; i < n; i++) {
        if (fmt == APP_FMT_TABLE) {
            printf("%-4lld %-20s %-8s %s\n", (long long)v[i].id, v[i].name,
                   v[i].enabled ? "yes" : "no", v[i].query);
        } else if (fmt == APP_FMT_CSV) {
            printf("%lld,", (long long)v[i].id);
            app_csv_field(stdout, v[i].name);
            printf(",%d,", v[i].enabled);
            app_csv_field(stdout, v[i].query);
            putchar('\n');
        } else {
            json_array_append_new(arr, json_pack("{s:I,s:s,s:s,s:b}", "id", (json_int_t)v[i].id,
                                                 "name", v[i].name, "query", v[i].query,
                                                 "enabled", v[i].enabled));
        }
    }
    app_json_list_print(arr);
    store_brand_array_free(v, n);
    store_close(st);
    return APP_OK;
}

static int brand_rm(app_ctx *ctx, int argc, char **argv)
{
    if (argc == 2 && (strcmp(argv[1], "--help") == 0 || strcmp(argv[1], "-h") == 0))
        return usage();
    if (argc != 2)
        return app_usage_error("brand rm", "needs exactly one NAME or ID");
    store *st = app_open_store(ctx, "brand rm");
    if (!st)
        return APP_FAIL;
    vg_err e = store_brand_rm(st, argv[1]);
    int rc = APP_OK;
    if (e == VG_ENOTFOUND)
        rc = app_fail("brand rm", "no brand '%s'", argv[1]);
    else if (e != VG_OK)
        rc = app_fail("brand rm", "%s", vg_error_last());
    else if (!ctx->quiet)
        printf("removed brand %s and its mentions\n", argv[1]);
    store_close(st);
    return rc;
}

int cmd_brand_test(app_ctx *ctx, int argc, char **argv);
int cmd_brand_rematch(app_ctx *ctx, int argc, char **argv);

int cmd_brand(app_ctx *ctx, int argc, char **argv)
{
    if (argc < 2)
        return usage(), APP_USAGE;
    const char *sub = argv[1];
    if (strcmp(sub, "--help") == 0 || strcmp(sub, "-h") == 0)
        return usage();
    if (strcmp(sub, "add") == 0)
        return brand_add(ctx, argc - 1, argv + 1);
    if (strcmp(sub, "list") == 0 || strcmp(sub, "ls") == 0)
        return brand_list(ctx, argc - 1, argv + 1);
    if (strcmp(sub, "rm") == 0 || strcmp(sub, "remove") == 0)
        return brand_rm(ctx, argc - 1, argv + 1);
    if (strcmp(sub, "test") == 0) /* app/cmd_brand_test.c */
        return cmd_brand_test(ctx, argc - 1, argv + 1);
    if (strcmp(sub, "rematch") == 0)
        return cmd_brand_rematch(ctx, argc - 1, argv + 1);
    return app_usage_error("brand", "unknown action '%s' (add, list, rm, test, rematch)", sub);
}
