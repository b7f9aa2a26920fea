/*
 * `vigie config`: settings kept in the database, like `git config`.
 * Known keys are checked so a typo is caught instead of silently ignored.
 */
#include "app/app.h"

#include <getopt.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

static const struct {
    const char *key;
    const char *help;
} known[] = {
    {"crawl.workers", "worker threads (default: one per core)"},
    {"crawl.connections", "transfers in flight, all hosts (default 64)"},
    {"crawl.host_connections", "transfers in flight per host (default 2)"},
    {"crawl.host_delay_ms", "minimum gap between requests to one host (default 1000)"},
    {"crawl.timeout_ms", "whole-transfer timeout (default 30000)"},
    {"crawl.max_body", "largest body accepted, in bytes (default 10485760)"},
    {"crawl.low_speed_bytes", "abort a transfer slower than this many bytes/s ... (default 100)"},
    {"crawl.low_speed_secs", "... for this many seconds (default 20)"},
    {"crawl.max_crawl_delay_ms", "cap on a robots.txt Crawl-delay (default 30000)"},
    {"crawl.min_interval", "shortest adaptive polling interval, seconds (default 300)"},
    {"crawl.max_interval", "longest adaptive polling interval, seconds (default 86400)"},
    {"crawl.user_agent", "User-Agent sent and matched against robots.txt; must name vigie"},
    {NULL, NULL},
};

static int usage(void)
{
    printf("usage: vigie config list\n"
           "       vigie config get KEY\n"
           "       vigie config set KEY VALUE [KEY VALUE...]\n\nKeys:\n");
    for (int i = 0; known[i].key; i++)
        printf("  %-24s %s\n", known[i].key, known[i].help);
    return APP_OK;
}

static int is_known(const char *key)
{
    for (int i = 0; known[i].key; i++)
        if (strcmp(known[i].key, key) == 0)
            return 1;
    return 0;
}

/* Checks one KEY VALUE pair of `set`; returns APP_OK or the usage error. */
static int check_pair(const char *key, const char *value)
{
    if (!is_known(key))
        return app_usage_error("config", "unknown key '%s' (see vigie config --help)", key);
    if (strcmp(key, "crawl.user_agent") == 0) {
        /* Site operators must be able to tell who polls them and reach
         * whoever runs it: the agent keeps vigie's name, and a header
         * value cannot carry a line break. */
        if (strlen(value) > 256 || strcspn(value, "\r\n") != strlen(value))
            return app_usage_error("config", "crawl.user_agent must be one line of at most 256 bytes");
        if (strncasecmp(value, "vigie", 5) != 0)
            return app_usage_error("config", "crawl.user_agent must start with 'vigie' "
                                             "(e.g. 'vigie/1.0 (+https://example.org/contact)')");
        return APP_OK;
    }
    char *end = NULL;
    long long v = strtoll(value, &end, 10);
    if (end == value || *end || v < 0)
        return app_usage_error("config", "value '%s' for %s must be a non-negative number",
                               value, key);
    return APP_OK;
}

int cmd_config(app_ctx *ctx, int argc, char **argv)
{
    if (argc < 2)
        return usage(), APP_USAGE;
    const char *sub = argv[1];
    if (strcmp(sub, "--help") == 0 || strcmp(sub, "-h") == 0)
        return usage();
    if (strcmp(sub, "list") != 0 && strcmp(sub, "get") != 0 && strcmp(sub, "set") != 0)
        return app_usage_error("config", "unknown action '%s' (list, get, set)", sub);
    if (strcmp(sub, "get") == 0 && argc != 3)
        return app_usage_error("config", "get needs exactly one KEY");
    if (strcmp(sub, "set") == 0 && (argc < 4 || argc % 2 != 0))
        return app_usage_error("config", "set needs KEY and VALUE (or several KEY VALUE pairs)");
    if (strcmp(sub, "set") == 0) {
        /* Every pair is checked before any is written: a typo in the
         * last one leaves the settings as they were. */
        for (int i = 2; i + 1 < argc; i += 2) {
            int rc = check_pair(argv[i], argv[i + 1]);
            if (rc != APP_OK)
                return rc;
        }
    } else if (argc >= 3 && !is_known(argv[2])) {
        return app_usage_error("config", "unknown key '%s' (see vigie config --help)", argv[2]);
    }
    store *st = app_open_store(ctx, "config");
    if (!st)
        return APP_FAIL;
    int rc = APP_OK;
    if (strcmp(sub, "set") == 0) {
        vg_err e = store_begin(st);
        for (int i = 2; e == VG_OK && i + 1 < argc; i += 2)
            e = store_setting_set(st, argv[i], argv[i + 1]);
        if (e == VG_OK)
            e = store_commit(st);
        if (e != VG_OK) {
            rc = app_fail("config", "%s", vg_error_last());
            store_rollback(st);
        }
    } else {
        for (int i = 0; known[i].key; i++) {
            if (argc == 3 && strcmp(known[i].key, argv[2]) != 0)
                continue;
            char *v = NULL;
            vg_err e = store_setting_get(st, known[i].key, &v);
            if (e == VG_OK && argc == 3)
                printf("%s\n", v);
            else if (e == VG_OK)
                printf("%s=%s\n", known[i].key, v);
            else if (argc == 3)
                rc = APP_FAIL; /* unset: like git config, status 1 */
            free(v);
        }
    }
    store_close(st);
    return rc;
}
