/*
 * The command table, global options and the helpers every subcommand
 * shares (errors, formats, opening the store).
 */
#include "app/app.h"

#include "core/log.h"

#include <curl/curl.h>
#include <getopt.h>
#include <jansson.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

const app_cmd app_commands[] = {
    {"init", cmd_init, "create the database (./vigie.db, $VIGIE_DB or --db)"},
    {"source", cmd_source, "add, list, remove, import or export sources (feeds, pages)"},
    {"brand", cmd_brand, "add, list or remove brands and their queries"},
    {"config", cmd_config, "get or set settings kept in the database"},
    {"crawl", cmd_crawl, "fetch due sources once, store documents and mentions"},
    {"run", cmd_run, "run the pipeline continuously (the daemon)"},
    {"mentions", cmd_mentions, "list stored mentions with filters (table, csv, json)"},
    {"score", cmd_score, "score the sentiment of a text, or of each line on stdin"},
    {"demo", cmd_demo, "crawl the bundled demo corpus from a local server and summarise"},
    {"detect", cmd_detect, "run the spike detector over a timestamp,value CSV"},
    {"eval", cmd_eval, "measure sentiment on a labelled file, or against your corrections"},
    {"lexicon", cmd_lexicon, "add, remove or list your own sentiment words and phrases"},
    {"mention", cmd_mention, "correct the sentiment label of one mention"},
    {"parse", cmd_parse, "print what the parsers make of a feed, a page or dates (json)"},
    {"match", cmd_match, "test a query on texts from stdin: 1 or 0 and the matched spans"},
    {"digest", cmd_digest, "write the weekly listening digest (html, md, txt, json); list, show"},
    {"goal", cmd_goal, "add, list or remove goals the digest measures brands against"},
    {"robots", cmd_robots, "check URLs against a robots.txt file as the fetcher would"},
    {"alert", cmd_alert, "add, list, remove or test alert rules and their channels"},
    {"alerts", cmd_alerts, "list the alerts raised and whether they were delivered"},
    {"help", cmd_help, "list subcommands, or show one's help"},
    {NULL, NULL, NULL},
};

static void vreport(const char *cmd, const char *fmt, va_list ap)
{
    fprintf(stderr, "vigie: ");
    if (cmd)
        fprintf(stderr, "%s: ", cmd);
    vfprintf(stderr, fmt, ap);
    fputc('\n', stderr);
}

int app_usage_error(const char *cmd, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    vreport(cmd, fmt, ap);
    va_end(ap);
    return APP_USAGE;
}

int app_fail(const char *cmd, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    vreport(cmd, fmt, ap);
    va_end(ap);
    return APP_FAIL;
}

store *app_open_store(app_ctx *ctx, const char *cmd)
{
    store *st = NULL;
    vg_err rc = store_open(ctx->db_path, &st);
    if (rc != VG_OK) {
        app_fail(cmd, "cannot open database %s: %s", ctx->db_path,
                 *vg_error_last() ? vg_error_last() : vg_strerror(rc));
        return NULL;
    }
    return st;
}

int app_stdout_tty(void)
{
    return isatty(STDOUT_FILENO);
}

int app_format_parse(const char *s)
{
    if (strcmp(s, "table") == 0)
        return APP_FMT_TABLE;
    if (strcmp(s, "csv") == 0)
        return APP_FMT_CSV;
    if (strcmp(s, "json") == 0)
        return APP_FMT_JSON;
    return -1;
}

void app_csv_field(FILE *f, const char *s)
{
    if (!s)
        return;
    if (!strpbrk(s, ",\"\r\n")) {
        fputs(s, f);
        return;
    }
    fputc('"', f);
    for (; *s; s++) {
        if (*s == '"')
            fputc('"', f);
        fputc(*s, f);
    }
    fputc('"', f);
}

void app_json_list_print(json_t *arr)
{
    if (!arr)
        return;
    json_dumpf(arr, stdout, JSON_INDENT(2));
    putchar('\n');
    json_decref(arr);
}

int cmd_help(app_ctx *ctx, int argc, char **argv)
{
    if (argc > 1 && (strcmp(argv[1], "--help") == 0 || strcmp(argv[1], "-h") == 0)) {
        printf("usage: vigie help [COMMAND]\n\nLists the commands, or shows one command's help.\n");
        return APP_OK;
    }
    if (argc > 1) {
        for (const app_cmd *c = app_commands; c->name; c++) {
            if (strcmp(c->name, argv[1]) == 0) {
                char *sub[] = {argv[1], "--help", NULL};
                return c->fn(ctx, 2, sub);
            }
        }
        return app_usage_error("help", "unknown command '%s'", argv[1]);
    }
    printf("usage: vigie [--db PATH] [-v|-q] COMMAND [ARGS]\n\n"
           "Self-hosted social listening: crawl feeds and pages for brand\n"
           "mentions, score their sentiment, alert on spikes.\n\n"
           "Commands:\n");
    for (const app_cmd *c = app_commands; c->name; c++)
        printf("  %-10s %s\n", c->name, c->help);
    printf("\nGlobal options:\n"
           "  --db PATH   database file (default $VIGIE_DB, else ./vigie.db)\n"
           "  -v          more log output on stderr (repeat for debug)\n"
           "  -q          errors only\n"
           "  --version   print the version\n\n"
           "`vigie COMMAND --help` describes one command.\n");
    return APP_OK;
}

int app_main(int argc, char **argv)
{
    app_ctx ctx = {0};
    const char *env = getenv("VIGIE_DB");
    ctx.db_path = env && *env ? env : "vigie.db";
    ctx.db_explicit = env && *env;
    int i = 1;
    for (; i < argc && argv[i][0] == '-'; i++) {
        const char *a = argv[i];
        if (strcmp(a, "--db") == 0) {
            if (i + 1 >= argc)
                return app_usage_error(NULL, "--db needs a path");
            ctx.db_path = argv[++i];
            ctx.db_explicit = 1;
        } else if (strncmp(a, "--db=", 5) == 0) {
            ctx.db_path = a + 5;
            ctx.db_explicit = 1;
        } else if (strcmp(a, "-v") == 0) {
            ctx.verbose++;
        } else if (strcmp(a, "-vv") == 0) {
            ctx.verbose += 2;
        } else if (strcmp(a, "-q") == 0) {
            ctx.quiet = 1;
        } else if (strcmp(a, "--version") == 0) {
            printf("vigie %s\n", VG_VERSION);
            return APP_OK;
        } else if (strcmp(a, "--help") == 0 || strcmp(a, "-h") == 0) {
            return cmd_help(&ctx, 1, argv);
        } else {
            return app_usage_error(NULL, "unknown option '%s' (see vigie help)", a);
        }
    }
    if (ctx.quiet)
        vg_log_set_level(VG_LOG_ERROR);
    else if (ctx.verbose)
        vg_log_set_level(ctx.verbose > 1 ? VG_LOG_DEBUG : VG_LOG_INFO);
    if (i >= argc) {
        cmd_help(&ctx, 1, argv);
        return APP_USAGE;
    }
    for (const app_cmd *c = app_commands; c->name; c++) {
        if (strcmp(c->name, argv[i]) == 0) {
            curl_global_init(CURL_GLOBAL_DEFAULT);
            int rc = c->fn(&ctx, argc - i, argv + i);
            curl_global_cleanup();
            return rc;
        }
    }
    return app_usage_error(NULL, "unknown command '%s' (see vigie help)", argv[i]);
}

int app_getopt(const char *cmd, int argc, char **argv, const char *shortopts,
               const struct option *longopts)
{
    opterr = 0;
    int prev = optind;
    int c = getopt_long(argc, argv, shortopts, longopts, NULL);
    if (c == '?') {
        const char *bad = optind > prev ? argv[optind - 1] : argv[prev];
        if (optopt && strchr(shortopts, optopt) && !bad)
            bad = "";
        int needs_value = 0;
        for (const struct option *o = longopts; o && o->name; o++) {
            size_t n = strlen(o->name);
            if (bad && strncmp(bad, "--", 2) == 0 && strncmp(bad + 2, o->name, n) == 0 &&
                bad[2 + n] == '\0' && o->has_arg == required_argument)
                needs_value = 1;
        }
        if (needs_value)
            app_usage_error(cmd, "option '%s' needs a value", bad);
        else
            app_usage_error(cmd, "unknown option '%s' (see vigie %s --help)",
                            bad ? bad : "?", cmd);
    }
    return c;
}
