/*
 * `vigie crawl --once` and `vigie run`: the pipeline, once or forever.
 */
#include "app/app.h"

#include "app/pipeline.h"
#include "core/log.h"
#include "core/vtime.h"
#include "monitor/alert.h"

#include <getopt.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

static volatile sig_atomic_t stop_flag;

static int crawl_usage(int run)
{
    if (run)
        printf("usage: vigie run [--workers N]\n\n"
               "Runs the pipeline until SIGINT or SIGTERM: due sources are fetched,\n"
               "parsed, matched against the brands, scored and stored. The first\n"
               "signal stops cleanly (everything fetched and handed over is\n"
               "committed; in-flight fetches stay due); a second exits at once.\n");
    else
        printf("usage: vigie crawl --once [--workers N] [--all]\n\n"
               "Fetches every due source once, stores new documents and mentions,\n"
               "then exits. A progress line is shown on a terminal.\n\n"
               "  --all       treat every enabled source as due\n"
               "  --workers N worker threads (default: one per core)\n");
    return APP_OK;
}

static int crawl_common(app_ctx *ctx, int argc, char **argv, int run)
{
    const char *cmd = run ? "run" : "crawl";
    static const struct option opts[] = {{"once", no_argument, NULL, 'o'},
                                         {"workers", required_argument, NULL, 'w'},
                                         {"all", no_argument, NULL, 'a'},
                                         {"help", no_argument, NULL, 'h'}, {0}};
    int once = 0, workers = -1, all = 0, c;
    optind = 1;
    while ((c = app_getopt(cmd, argc, argv, "h", opts)) != -1) {
        switch (c) {
        case 'o': once = 1; break;
        case 'a': all = 1; break;
        case 'w': {
            char *end = NULL;
            long v = strtol(optarg, &end, 10);
            if (end == optarg || *end || v < 1 || v > 64)
                return app_usage_error(cmd, "bad --workers '%s' (1 to 64)", optarg);
            workers = (int)v;
            break;
        }
        case 'h': return crawl_usage(run);
        default: return APP_USAGE;
        }
    }
    if (optind < argc)
        return app_usage_error(cmd, "unexpected argument '%s'", argv[optind]);
    if (!run && !once)
        return app_usage_error(cmd, "say --once (use `vigie run` to crawl continuously)");
    if (run && once)
        return app_usage_error(cmd, "--once belongs to `vigie crawl`");
    if (access(ctx->db_path, F_OK) != 0)
        return app_fail(cmd, "no database at %s (run `vigie init` first)", ctx->db_path);

    pipeline_options o = PIPELINE_OPTIONS_INIT;
    if (pipeline_options_load(ctx->db_path, &o) != VG_OK)
        return app_fail(cmd, "cannot open database %s: %s", ctx->db_path, vg_error_last());
    if (workers > 0)
        o.workers = workers;
    o.once = !run;
    o.progress = !ctx->quiet && isatty(STDERR_FILENO);
    o.stop = &stop_flag;
    if (all) {
        store *st = app_open_store(ctx, cmd);
        if (!st)
            return APP_FAIL;
        if (store_source_make_due(st) != VG_OK) {
            store_close(st);
            return app_fail(cmd, "%s", vg_error_last());
        }
        store_close(st);
    }
    stop_flag = 0;
    pipeline_install_signals(&stop_flag);
    pipeline_stats s = {0};
    vg_err rc = pipeline_run(ctx->db_path, &o, &s);
    if (rc != VG_OK)
        return app_fail(cmd, "%s", *vg_error_last() ? vg_error_last() : vg_strerror(rc));
    if (!run && !stop_flag) {
        /* A one-off crawl (cron) sends what it raised before leaving; what
         * cannot go out now stays in the outbox for the next run. */
        store *st = app_open_store(ctx, cmd);
        if (st) {
            alert_deliver_opts ao = ALERT_DELIVER_OPTS_INIT;
            int ok = 0, bad = 0;
            if (alert_deliver_pending(st, &ao, vg_now(), &ok, &bad) != VG_OK)
                VG_WARN("alert delivery: %s", vg_error_last());
            else if (ok || bad)
                VG_INFO("alerts: %d delivered, %d to retry", ok, bad);
            store_close(st);
        }
    }
    if (!ctx->quiet)
        printf("%s: %lld sources fetched (%lld unchanged), %lld new documents, "
               "%lld new mentions, %lld errors%s\n",
               cmd, (long long)s.sources_done, (long long)s.not_modified,
               (long long)s.documents, (long long)s.mentions, (long long)s.errors,
               stop_flag ? " (interrupted)" : "");
    /* An interrupted one-off crawl did not finish its job; a daemon asked
     * to stop did exactly what it was asked. */
    if (stop_flag && !run)
        return 130;
    return APP_OK;
}

int cmd_crawl(app_ctx *ctx, int argc, char **argv)
{
    return crawl_common(ctx, argc, argv, 0);
}

int cmd_run(app_ctx *ctx, int argc, char **argv)
{
    return crawl_common(ctx, argc, argv, 1);
}
