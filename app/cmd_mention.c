/*
 * `vigie mention correct ID --label pos|neg|neu`: records a human
 * correction of one mention's sentiment label. The correction overrides
 * the computed label in listings and reports, and `vigie eval corrections`
 * measures the engine against these corrections.
 */
#include "app/app.h"

#include <getopt.h>
#include <stdlib.h>
#include <string.h>

static int usage(void)
{
    printf("usage: vigie mention correct ID --label pos|neg|neu\n"
           "       vigie mention correct ID --clear\n\n"
           "Sets (or, with --clear, removes) the human label of mention ID, as\n"
           "listed by `vigie mentions`. Reports use the correction instead of the\n"
           "computed label; `vigie eval corrections` measures the engine on them.\n");
    return APP_OK;
}

static int mention_correct(app_ctx *ctx, int argc, char **argv)
{
    static const struct option opts[] = {{"label", required_argument, NULL, 'l'},
                                         {"clear", no_argument, NULL, 'c'},
                                         {"help", no_argument, NULL, 'h'}, {0}};
    const char *cmd = "mention correct";
    int label = 2, clear = 0, c;
    optind = 1;
    while ((c = app_getopt(cmd, argc, argv, "h", opts)) != -1) {
        switch (c) {
        case 'l':
            if (!strcmp(optarg, "pos"))
                label = 1;
            else if (!strcmp(optarg, "neg"))
                label = -1;
            else if (!strcmp(optarg, "neu"))
                label = 0;
            else
                return app_usage_error(cmd, "bad --label '%s' (pos, neg, neu)", optarg);
            break;
        case 'c': clear = 1; break;
        case 'h': return usage();
        default: return APP_USAGE;
        }
    }
    if (optind >= argc)
        return app_usage_error(cmd, "missing mention ID");
    if (optind + 1 < argc)
        return app_usage_error(cmd, "unexpected argument '%s'", argv[optind + 1]);
    char *end;
    long long id = strtoll(argv[optind], &end, 10);
    if (*end || end == argv[optind] || id <= 0)
        return app_usage_error(cmd, "bad mention ID '%s'", argv[optind]);
    if (clear == (label != 2))
        return app_usage_error(cmd, "give either --label pos|neg|neu or --clear");
    store *st = app_open_store(ctx, cmd);
    if (!st)
        return APP_FAIL;
    vg_err rc = clear ? store_mention_uncorrect(st, id) : store_mention_correct(st, id, label);
    int status = APP_OK;
    if (rc == VG_ENOTFOUND)
        status = app_fail(cmd, "no mention %lld", id);
    else if (rc != VG_OK)
        status = app_fail(cmd, "%s", vg_error_last());
    store_close(st);
    return status;
}

int cmd_mention(app_ctx *ctx, int argc, char **argv)
{
    if (argc < 2)
        return app_usage_error("mention", "missing action (correct)");
    if (!strcmp(argv[1], "--help") || !strcmp(argv[1], "-h"))
        return usage();
    if (!strcmp(argv[1], "correct"))
        return mention_correct(ctx, argc - 1, argv + 1);
    return app_usage_error("mention", "unknown action '%s' (correct)", argv[1]);
}
