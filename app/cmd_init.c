/*
 * `vigie init`: create (or migrate) the database.
 */
#include "app/app.h"

#include <getopt.h>
#include <string.h>

int cmd_init(app_ctx *ctx, int argc, char **argv)
{
    static const struct option opts[] = {{"help", no_argument, NULL, 'h'}, {0}};
    int c;
    optind = 1;
    while ((c = app_getopt("init", argc, argv, "h", opts)) != -1) {
        if (c == 'h') {
            printf("usage: vigie [--db PATH] init\n\n"
                   "Creates the database (or brings an older one up to date).\n"
                   "The path is --db, else $VIGIE_DB, else ./vigie.db.\n");
            return APP_OK;
        }
        return APP_USAGE;
    }
    if (optind < argc)
        return app_usage_error("init", "unexpected argument '%s'", argv[optind]);
    store *st = app_open_store(ctx, "init");
    if (!st)
        return APP_FAIL;
    if (!ctx->quiet)
        printf("database %s ready (schema version %d)\n", ctx->db_path,
               store_schema_version(st));
    store_close(st);
    return APP_OK;
}
