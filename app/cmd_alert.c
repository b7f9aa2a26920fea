/*
 * `vigie alert` (rules: who hears about which metric of which brand, on
 * which channel) and `vigie alerts` (what fired and whether it was
 * delivered). Rules and alerts live in the database (store/alerts.c);
 * delivery is monitor/alert_deliver.c. Secrets are read from the
 * environment, never from the command line (it shows in `ps`), and never
 * printed: listings show whether a secret is set and mask webhook paths,
 * which often embed a token.
 */
#include "app/app.h"

#include "core/vtime.h"
#include "monitor/alert.h"
#include "monitor/detect.h"
#include "monitor/mail.h"

#include <getopt.h>
#include <jansson.h>
#include <stdlib.h>
#include <string.h>

static int usage_alert(void)
{
    printf("usage: vigie alert add --brand NAME --metric volume|negative|negative-share\n"
           "                       --channel CHANNEL [--severity low|medium|high]\n"
           "                       [--cooldown DURATION] [--secret-env VAR]\n"
           "       vigie alert list [--format table|json]\n"
           "       vigie alert rm ID\n"
           "       vigie alert test ID\n\n"
           "CHANNEL is webhook:URL (JSON POST; signed with HMAC-SHA256 in\n"
           "X-Vigie-Signature when a secret is set),\n"
           "smtp[s]://[USER[:PASSWORD]@]HOST[:PORT]/?from=ADDR&to=ADDR[,ADDR...]\n"
           "(a mail; the secret, if set, is the password), exec:COMMAND (the alert\n"
           "JSON on its standard input) or log. --severity is the least severity that\n"
           "is sent (default medium); --cooldown (default 6h) stops repeats for a\n"
           "brand and metric unless the storm gets more severe. --secret-env names\n"
           "an environment variable holding the secret. `test` sends a sample\n"
           "alert on the rule's channel now.\n");
    return APP_OK;
}

static int usage_alerts(void)
{
    printf("usage: vigie alerts [--since WHEN] [--format table|json]\n\n"
           "Lists the alerts raised since WHEN (default 7d): brand, metric,\n"
           "severity, observed and expected values and delivery state.\n");
    return APP_OK;
}

/* The channel for display: a webhook keeps scheme and host only, a mail
 * channel loses its password. */
static void channel_display(const char *channel, char *out, size_t cap)
{
    if (strncmp(channel, "smtp", 4) == 0) {
        char *r = mail_channel_redact(channel);
        snprintf(out, cap, "%s", r ? r : "smtp://…");
        free(r);
        return;
    }
    if (strncmp(channel, "webhook:", 8) == 0) {
        const char *p = strstr(channel + 8, "://");
        const char *slash = p ? strchr(p + 3, '/') : NULL;
        if (slash && slash[1]) {
            snprintf(out, cap, "%.*s/…", (int)(slash - channel), channel);
            return;
        }
    }
    snprintf(out, cap, "%s", channel);
}

static int alert_add(app_ctx *ctx, int argc, char **argv)
{
    static const struct option opts[] = {
        {"brand", required_argument, NULL, 'b'},   {"metric", required_argument, NULL, 'm'},
        {"channel", required_argument, NULL, 'c'}, {"severity", required_argument, NULL, 's'},
        {"cooldown", required_argument, NULL, 'C'}, {"secret-env", required_argument, NULL, 'e'},
        {"help", no_argument, NULL, 'h'},          {0}};
    const char *brand = NULL, *metric = NULL, *channel = NULL, *secret = NULL;
    int sev = DETECT_MEDIUM;
    int64_t cooldown = 6 * 3600;
    int c;
    optind = 1;
    while ((c = app_getopt("alert add", argc, argv, "h", opts)) != -1) {
        switch (c) {
        case 'b': brand = optarg; break;
        case 'm':
            if (strcmp(optarg, "volume") && strcmp(optarg, "negative") &&
                strcmp(optarg, "negative-share"))
                return app_usage_error("alert add",
                                       "bad --metric '%s' (volume, negative, negative-share)",
                                       optarg);
            metric = optarg;
            break;
        case 'c':
            if (alert_channel_check(optarg) != VG_OK)
                return app_usage_error("alert add", "bad --channel: %s", vg_error_last());
            channel = optarg;
            break;
        case 's':
            if ((sev = detect_severity_parse(optarg)) < 0)
                return app_usage_error("alert add", "bad --severity '%s' (low, medium, high)",
                                       optarg);
            break;
        case 'C':
            if (vg_duration_parse(optarg, &cooldown) != VG_OK || cooldown < 0)
                return app_usage_error("alert add", "bad --cooldown '%s'", optarg);
            break;
        case 'e':
            if (!(secret = getenv(optarg)) || !*secret)
                return app_usage_error("alert add", "bad --secret-env: $%s is not set", optarg);
            break;
        case 'h': return usage_alert();
        default: return APP_USAGE;
        }
    }
    if (optind < argc)
        return app_usage_error("alert add", "unexpected argument '%s'", argv[optind]);
    if (!brand || !metric || !channel)
        return app_usage_error("alert add", "missing %s", !brand    ? "--brand"
                                                          : !metric ? "--metric"
                                                                    : "--channel");
    store *st = app_open_store(ctx, "alert add");
    if (!st)
        return APP_FAIL;
    int64_t id = 0;
    vg_err err = store_alert_rule_add(st, brand, metric, channel, secret, sev, cooldown, &id);
    store_close(st);
    if (err == VG_ENOTFOUND)
        return app_usage_error("alert add", "no brand '%s' (see vigie brand list)", brand);
    if (err != VG_OK)
        return app_fail("alert add", "%s", vg_error_last());
    if (!ctx->quiet) {
        char shown[512];
        channel_display(channel, shown, sizeof shown);
        printf("alert rule %lld: %s %s -> %s\n", (long long)id, brand, metric,
               strncmp(channel, "webhook:", 8) == 0 ? "webhook" : shown);
    }
    return APP_OK;
}

static int alert_list(app_ctx *ctx, int argc, char **argv)
{
    static const struct option opts[] = {{"format", required_argument, NULL, 'F'},
                                         {"help", no_argument, NULL, 'h'}, {0}};
    int fmt = APP_FMT_TABLE, c;
    optind = 1;
    while ((c = app_getopt("alert list", argc, argv, "h", opts)) != -1) {
        switch (c) {
        case 'F':
            if ((fmt = app_format_parse(optarg)) < 0 || fmt == APP_FMT_CSV)
                return app_usage_error("alert list", "bad --format '%s' (table, json)", optarg);
            break;
        case 'h': return usage_alert();
        default: return APP_USAGE;
        }
    }
    if (optind < argc)
        return app_usage_error("alert list", "unexpected argument '%s'", argv[optind]);
    store *st = app_open_store(ctx, "alert list");
    if (!st)
        return APP_FAIL;
    store_alert_rule *v = NULL;
    size_t n = 0;
    vg_err err = store_alert_rule_list(st, &v, &n);
    store_close(st);
    if (err != VG_OK)
        return app_fail("alert list", "%s", vg_error_last());
    json_t *arr = fmt == APP_FMT_JSON ? json_array() : NULL;
    if (fmt == APP_FMT_TABLE)
        printf("%-4s %-16s %-15s %-7s %-9s %-6s %s\n", "ID", "BRAND", "METRIC", "MIN",
               "COOLDOWN", "SECRET", "CHANNEL");
    for (size_t i = 0; i < n; i++) {
        char shown[512];
        channel_display(v[i].channel, shown, sizeof shown);
        const char *sev = detect_severity_name((detect_severity)v[i].min_severity);
        if (arr) {
            json_t *o = json_pack("{sI ss ss ss ss sI sb}", "id", (json_int_t)v[i].id, "brand",
                                  v[i].brand, "metric", v[i].metric, "channel", shown,
                                  "min_severity", sev, "cooldown", (json_int_t)v[i].cooldown,
                                  "secret_set", v[i].has_secret);
            if (o)
                json_array_append_new(arr, o);
        } else {
            printf("%-4lld %-16s %-15s %-7s %-9lld %-6s %s\n", (long long)v[i].id, v[i].brand,
                   v[i].metric, sev, (long long)v[i].cooldown, v[i].has_secret ? "set" : "-",
                   shown);
        }
    }
    app_json_list_print(arr);
    store_alert_rule_array_free(v, n);
    return APP_OK;
}

static int parse_rule_id(const char *cmd, int argc, char **argv, int64_t *id)
{
    static const struct option opts[] = {{"help", no_argument, NULL, 'h'}, {0}};
    int c;
    optind = 1;
    while ((c = app_getopt(cmd, argc, argv, "h", opts)) != -1) {
        if (c == 'h')
            return usage_alert() == APP_OK ? -1 : APP_USAGE;
        return APP_USAGE;
    }
    if (optind >= argc)
        return app_usage_error(cmd, "missing rule ID");
    if (optind + 1 < argc)
        return app_usage_error(cmd, "unexpected argument '%s'", argv[optind + 1]);
    char *end = NULL;
    long long v = strtoll(argv[optind], &end, 10);
    if (end == argv[optind] || *end || v <= 0)
        return app_usage_error(cmd, "bad rule ID '%s'", argv[optind]);
    *id = v;
    return APP_OK;
}

static int alert_rm(app_ctx *ctx, int argc, char **argv)
{
    int64_t id = 0;
    int rc = parse_rule_id("alert rm", argc, argv, &id);
    if (rc != APP_OK)
        return rc < 0 ? APP_OK : rc;
    store *st = app_open_store(ctx, "alert rm");
    if (!st)
        return APP_FAIL;
    vg_err err = store_alert_rule_rm(st, id);
    store_close(st);
    if (err == VG_ENOTFOUND)
        return app_fail("alert rm", "no alert rule %lld", (long long)id);
    if (err != VG_OK)
        return app_fail("alert rm", "%s", vg_error_last());
    return APP_OK;
}

static int alert_test(app_ctx *ctx, int argc, char **argv)
{
    int64_t id = 0;
    int rc = parse_rule_id("alert test", argc, argv, &id);
    if (rc != APP_OK)
        return rc < 0 ? APP_OK : rc;
    store *st = app_open_store(ctx, "alert test");
    if (!st)
        return APP_FAIL;
    char *channel = NULL, *secret = NULL, *json = NULL;
    vg_err err = store_alert_rule_secret(st, id, &channel, &secret);
    store_close(st);
    if (err != VG_OK) {
        rc = app_fail("alert test", "%s", vg_error_last());
        goto cleanup;
    }
    char key[64];
    snprintf(key, sizeof key, "vigie-test-%lld-%lld", (long long)id, (long long)vg_now());
    store_delivery d = {0, 0, id, key, channel, secret, 0, "(test)", "volume", "medium", NULL,
                        vg_now() / 3600 * 3600, vg_now(), 120, 40, 20, 70, 0.8};
    if ((err = alert_render_json(&d, &json)) != VG_OK ||
        (err = alert_send(channel, secret, key, json, 10000)) != VG_OK) {
        rc = app_fail("alert test", "%s", vg_error_last());
        goto cleanup;
    }
    if (!ctx->quiet)
        printf("test alert sent on rule %lld\n", (long long)id);
    rc = APP_OK;
cleanup:
    if (secret)
        memset(secret, 0, strlen(secret));
    free(secret);
    free(channel);
    free(json);
    return rc;
}

int cmd_alert(app_ctx *ctx, int argc, char **argv)
{
    if (argc < 2 || strcmp(argv[1], "--help") == 0 || strcmp(argv[1], "-h") == 0) {
        if (argc < 2)
            return app_usage_error("alert", "missing action (add, list, rm, test)");
        return usage_alert();
    }
    if (strcmp(argv[1], "add") == 0)
        return alert_add(ctx, argc - 1, argv + 1);
    if (strcmp(argv[1], "list") == 0)
        return alert_list(ctx, argc - 1, argv + 1);
    if (strcmp(argv[1], "rm") == 0)
        return alert_rm(ctx, argc - 1, argv + 1);
    if (strcmp(argv[1], "test") == 0)
        return alert_test(ctx, argc - 1, argv + 1);
    return app_usage_error("alert", "unknown action '%s' (add, list, rm, test)", argv[1]);
}

/* The first three top terms of an alert's detail, comma-joined ("-" when none). */
static void top_terms(const char *detail, char *out, size_t cap)
{
    json_t *d = detail ? json_loads(detail, 0, NULL) : NULL;
    json_t *terms = json_object_get(d, "top_terms");
    size_t len = 0;
    out[0] = '\0';
    for (size_t i = 0; i < json_array_size(terms) && i < 3 && len < cap; i++) {
        const char *t = json_string_value(json_object_get(json_array_get(terms, i), "term"));
        int k = snprintf(out + len, cap - len, "%s%s", len ? ", " : "", t ? t : "?");
        if (k > 0)
            len += (size_t)k;
    }
    if (!out[0])
        snprintf(out, cap, "-");
    json_decref(d);
}

int cmd_alerts(app_ctx *ctx, int argc, char **argv)
{
    static const struct option opts[] = {{"since", required_argument, NULL, 's'},
                                         {"format", required_argument, NULL, 'F'},
                                         {"help", no_argument, NULL, 'h'}, {0}};
    int64_t now = vg_now(), since = now - 7 * 86400;
    int fmt = APP_FMT_TABLE, c;
    optind = 1;
    while ((c = app_getopt("alerts", argc, argv, "h", opts)) != -1) {
        switch (c) {
        case 's':
            if (vg_time_parse_cli(optarg, now, &since) != VG_OK)
                return app_usage_error("alerts", "bad --since: %s", vg_error_last());
            break;
        case 'F':
            if ((fmt = app_format_parse(optarg)) < 0 || fmt == APP_FMT_CSV)
                return app_usage_error("alerts", "bad --format '%s' (table, json)", optarg);
            break;
        case 'h': return usage_alerts();
        default: return APP_USAGE;
        }
    }
    if (optind < argc)
        return app_usage_error("alerts", "unexpected argument '%s'", argv[optind]);
    store *st = app_open_store(ctx, "alerts");
    if (!st)
        return APP_FAIL;
    store_alert_row *v = NULL;
    size_t n = 0;
    vg_err err = store_alert_list(st, since, &v, &n);
    store_close(st);
    if (err != VG_OK)
        return app_fail("alerts", "%s", vg_error_last());
    json_t *arr = fmt == APP_FMT_JSON ? json_array() : NULL;
    if (!arr)
        printf("%-20s %-16s %-15s %-7s %10s %10s %-9s %s\n", "BUCKET", "BRAND", "METRIC",
               "SEVERITY", "OBSERVED", "EXPECTED", "DELIVERED", "TOP TERMS");
    for (size_t i = 0; i < n; i++) {
        char bucket[21], state[64];
        vg_time_iso(v[i].bucket_start, bucket);
        if (v[i].deliveries == 0)
            snprintf(state, sizeof state, "no rule");
        else
            snprintf(state, sizeof state, "%d/%d", v[i].delivered, v[i].deliveries);
        if (arr) {
            json_t *o = json_pack("{sI ss ss ss ss sf sf sf sf sf si si si ss?}", "id",
                                  (json_int_t)v[i].id, "bucket_start", bucket, "brand",
                                  v[i].brand, "metric", v[i].metric, "severity", v[i].severity,
                                  "observed", v[i].observed, "expected", v[i].expected, "low",
                                  v[i].low, "high", v[i].high, "score", v[i].score, "deliveries",
                                  v[i].deliveries, "delivered", v[i].delivered, "attempts",
                                  v[i].attempts, "last_error", v[i].last_error);
            json_t *detail = v[i].detail ? json_loads(v[i].detail, 0, NULL) : NULL;
            if (o && detail)
                json_object_set_new(o, "detail", detail);
            else
                json_decref(detail);
            if (o)
                json_array_append_new(arr, o);
        } else {
            char terms[128];
            top_terms(v[i].detail, terms, sizeof terms);
            printf("%-20s %-16s %-15s %-7s %10.1f %10.1f %-9s %s\n", bucket, v[i].brand,
                   v[i].metric, v[i].severity, v[i].observed, v[i].expected, state, terms);
        }
    }
    app_json_list_print(arr);
    store_alert_row_array_free(v, n);
    return APP_OK;
}
