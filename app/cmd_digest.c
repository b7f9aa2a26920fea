/*
 * `vigie digest`: the weekly listening report. Builds the digest of a
 * period (monitor/digest.h), renders it (monitor/report.h) as HTML,
 * Markdown, text or JSON, writes it to a file or stdout and archives it;
 * `digest list` and `digest show ID` read the archive back. `--send`
 * mails it (text, HTML and PNG charts, monitor/report_mail.c) and
 * `digest schedule` keeps the weekly mailings `vigie run` sends
 * (monitor/digest_schedule.h).
 */
#include "app/app.h"

#include "core/vtime.h"
#include "monitor/digest.h"
#include "monitor/digest_schedule.h"
#include "monitor/mail.h"
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
           "                    [--send smtp://HOST[:PORT]/?from=ADDR&to=ADDR[,ADDR]]\n"
           "       vigie digest list [--format table|csv|json]\n"
           "       vigie digest show ID\n"
           "       vigie digest schedule [add] --weekday DAY --hour H --tz ZONE\n"
           "                    --channel smtp://... [--brand NAME | --all] [--locale fr|en]\n"
           "       vigie digest schedule list [--format table|csv|json]\n"
           "       vigie digest schedule rm ID\n"
           "       vigie digest schedule run-due [--now TIME]\n\n"
           "Writes the listening digest of a period: per brand, mentions, net\n"
           "sentiment and negative share against the previous period, daily\n"
           "volume, the 8-week trend, share of voice, top sources, the most\n"
           "positive and negative mentions, emerging terms, alerts and goals.\n"
           "The default period is last week (ISO, Monday to Sunday, UTC); --to\n"
           "given as a date includes that day. The format defaults to the --out\n"
           "file's extension, else txt. The locale defaults to the setting\n"
           "digest.locale (vigie config), else en. Every digest is archived.\n"
           "--send mails the digest (plain text, HTML and PNG charts) instead of\n"
           "printing it (with --out, as well as writing the file). A schedule\n"
           "makes `vigie run` mail the digest of the previous ISO week every\n"
           "DAY (mon..sun) at H:00 in ZONE (e.g. Europe/Paris); one missed while\n"
           "vigie was stopped is sent once at the next start. run-due sends the\n"
           "due ones now (--now: pretend it is TIME, for tests).\n");
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

/* After cmd's options: refuses a leftover argument (APP_USAGE, naming
 * it) and opens the store (APP_FAIL, already reported). *st is the
 * caller's to close when APP_OK, NULL otherwise. */
static int open_store_no_args(app_ctx *ctx, const char *cmd, int argc, char **argv,
                              store **st)
{
    *st = NULL;
    if (optind < argc)
        return app_usage_error(cmd, "unexpected argument '%s'", argv[optind]);
    *st = app_open_store(ctx, cmd);
    return *st ? APP_OK : APP_FAIL;
}

static int digest_list(app_ctx *ctx, int argc, char **argv)
{
    static const struct option opts[] = {{"format", required_argument, NULL, 'F'},
                                         {"help", no_argument, NULL, 'h'}, {0}};
    int fmt = app_stdout_tty() ? APP_FMT_TABLE : APP_FMT_CSV, c, rc;
    store *st;

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
    if ((rc = open_store_no_args(ctx, "digest list", argc, argv, &st)) != APP_OK)
        return rc;
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
    app_json_list_print(arr);
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
        {"send", required_argument, NULL, 's'},  {"help", no_argument, NULL, 'h'},
        {0}};
    digest_options o = DIGEST_OPTIONS_INIT;
    const char *week = NULL, *from = NULL, *to = NULL, *out = NULL, *send = NULL;
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
        case 's': send = optarg; break;
        case 'h': return usage();
        default: return APP_USAGE;
        }
    }
    if (optind < argc)
        return app_usage_error("digest", "unexpected argument '%s'", argv[optind]);
    if (send) {
        mail_target t;
        vg_err e = mail_target_parse(send, &t);
        mail_target_free(&t);
        if (e != VG_OK)
            return app_usage_error("digest", "bad --send: %s", vg_error_last());
    }
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
        fmt = send ? REPORT_HTML : REPORT_TXT; /* what the archive keeps */

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
    if (err == VG_OK && send) {
        o.now = now;
        err = digest_mail_send(st, &o, (report_locale)loc, send, 60000);
        if (err != VG_OK) {
            char *safe = mail_channel_redact(send);
            app_fail("digest", "sending to %s: %s", safe ? safe : "the channel",
                     vg_error_last());
            free(safe);
            free(body);
            store_close(st);
            report_png_release();
            return APP_FAIL;
        }
        if (!ctx->quiet) {
            char *safe = mail_channel_redact(send);
            fprintf(stderr, "digest %lld sent to %s\n", (long long)id, safe ? safe : "");
            free(safe);
        }
    }
    store_close(st);
    if (err == VG_ENOTFOUND)
        return app_usage_error("digest", "%s (see vigie brand list)", vg_error_last());
    if (err != VG_OK)
        return app_fail("digest", "%s", vg_error_last());
    int rc = APP_OK;
    if (send)
        report_png_release(); /* the charts are drawn: leave no cache behind */
    if (send && out == NULL)
        ; /* mailed, not printed */
    else if (write_out(out, body) != 0)
        rc = app_fail("digest", "cannot write %s: %s", out ? out : "stdout", strerror(errno));
    else if (out && strcmp(out, "-") != 0 && !ctx->quiet)
        fprintf(stderr, "digest %lld written to %s\n", (long long)id, out);
    free(body);
    return rc;
}

/* ---- digest schedule ---- */

static int sched_usage(void)
{
    printf("usage: vigie digest schedule [add] --weekday DAY --hour H --tz ZONE\n"
           "                    --channel smtp://HOST[:PORT]/?from=ADDR&to=ADDR[,ADDR]\n"
           "                    [--brand NAME | --all] [--locale fr|en]\n"
           "       vigie digest schedule list [--format table|csv|json]\n"
           "       vigie digest schedule rm ID\n"
           "       vigie digest schedule run-due [--now TIME]\n\n"
           "A schedule makes `vigie run` mail the digest of the previous ISO week\n"
           "every DAY (mon, tue, ..., sun) at H:00 (0-23) wall-clock time in ZONE\n"
           "(a tz database name such as Europe/Paris, daylight saving time\n"
           "included). The mail holds the digest as plain text and as HTML with\n"
           "its charts as PNG images; the HTML is archived (vigie digest list).\n"
           "A mailing missed while vigie was stopped goes out once at the next\n"
           "start, never twice. run-due sends what is due now, or at --now TIME\n"
           "(YYYY-MM-DDTHH:MM[:SS]Z, a date, or @unix-seconds).\n");
    return APP_OK;
}

static int brand_exists(store *st, const char *name)
{
    store_brand *b = NULL;
    size_t n = 0;
    int found = 0;

    if (store_brand_list(st, 0, &b, &n) != VG_OK)
        return -1;
    for (size_t i = 0; i < n && !found; i++)
        found = strcmp(b[i].name, name) == 0;
    store_brand_array_free(b, n);
    return found;
}

static int sched_add(app_ctx *ctx, int argc, char **argv)
{
    static const struct option opts[] = {
        {"weekday", required_argument, NULL, 'w'}, {"hour", required_argument, NULL, 'H'},
        {"tz", required_argument, NULL, 'z'},      {"channel", required_argument, NULL, 'c'},
        {"brand", required_argument, NULL, 'b'},   {"all", no_argument, NULL, 'a'},
        {"locale", required_argument, NULL, 'l'},  {"help", no_argument, NULL, 'h'},
        {0}};
    const char *cmd = "digest schedule";
    store_digest_schedule v;
    int all = 0, loc = -1, c;
    char *end = NULL;
    long hour;

    memset(&v, 0, sizeof v);
    v.weekday = v.hour = -1;
    optind = 1;
    while ((c = app_getopt(cmd, argc, argv, "h", opts)) != -1) {
        switch (c) {
        case 'w':
            if ((v.weekday = digest_weekday_parse(optarg)) < 0)
                return app_usage_error(cmd, "bad --weekday '%s' (mon, tue, ..., sun)", optarg);
            break;
        case 'H':
            errno = 0;
            hour = strtol(optarg, &end, 10);
            if (end == optarg || *end || errno || hour < 0 || hour > 23)
                return app_usage_error(cmd, "bad --hour '%s' (0 to 23)", optarg);
            v.hour = (int)hour;
            break;
        case 'z': v.tz = optarg; break;
        case 'c': v.channel = optarg; break;
        case 'b': v.brand = optarg; break;
        case 'a': all = 1; break;
        case 'l':
            if ((loc = report_locale_parse(optarg)) < 0)
                return app_usage_error(cmd, "bad --locale '%s' (fr, en)", optarg);
            break;
        case 'h': return sched_usage();
        default: return APP_USAGE;
        }
    }
    if (optind < argc)
        return app_usage_error(cmd, "unexpected argument '%s'", argv[optind]);
    if (v.weekday < 0 || v.hour < 0 || !v.tz || !v.channel)
        return app_usage_error(cmd, "needs --%s", v.weekday < 0 ? "weekday"
                                                  : v.hour < 0  ? "hour"
                                                  : !v.tz       ? "tz"
                                                                : "channel");
    if (all && v.brand)
        return app_usage_error(cmd, "--brand and --all exclude each other");
    digest_tz *z = NULL;
    if (digest_tz_open(v.tz, &z) != VG_OK)
        return app_usage_error(cmd, "bad --tz: %s", vg_error_last());
    digest_tz_close(z);
    mail_target t;
    vg_err e = mail_target_parse(v.channel, &t);
    mail_target_free(&t);
    if (e != VG_OK)
        return app_usage_error(cmd, "bad --channel: %s", vg_error_last());

    store *st = app_open_store(ctx, cmd);
    if (!st)
        return APP_FAIL;
    if (v.brand) {
        int found = brand_exists(st, v.brand);
        if (found <= 0) {
            store_close(st);
            return found < 0 ? app_fail(cmd, "%s", vg_error_last())
                             : app_usage_error(cmd, "no brand '%s' (see vigie brand list)",
                                               v.brand);
        }
    }
    char *setting = NULL;
    if (loc < 0 && store_setting_get(st, "digest.locale", &setting) == VG_OK)
        loc = report_locale_parse(setting);
    free(setting);
    v.locale = (char *)report_locale_name(loc < 0 ? REPORT_EN : (report_locale)loc);
    int64_t id = 0;
    e = store_digest_schedule_add(st, &v, &id);
    store_close(st);
    if (e != VG_OK)
        return app_fail(cmd, "%s", vg_error_last());
    if (!ctx->quiet)
        printf("digest schedule %lld added: every %s at %02d:00 %s\n", (long long)id,
               digest_weekday_name(v.weekday), v.hour, v.tz);
    return APP_OK;
}

static int sched_list(app_ctx *ctx, int argc, char **argv)
{
    static const struct option opts[] = {{"format", required_argument, NULL, 'F'},
                                         {"help", no_argument, NULL, 'h'}, {0}};
    const char *cmd = "digest schedule list";
    int fmt = app_stdout_tty() ? APP_FMT_TABLE : APP_FMT_CSV, c, rc;
    store *st;

    optind = 1;
    while ((c = app_getopt(cmd, argc, argv, "h", opts)) != -1) {
        if (c == 'F') {
            if ((fmt = app_format_parse(optarg)) < 0)
                return app_usage_error(cmd, "bad --format '%s' (table, csv, json)", optarg);
        } else if (c == 'h') {
            return sched_usage();
        } else {
            return APP_USAGE;
        }
    }
    if ((rc = open_store_no_args(ctx, cmd, argc, argv, &st)) != APP_OK)
        return rc;
    store_digest_schedule *v = NULL;
    size_t n = 0;
    vg_err e = store_digest_schedule_list(st, &v, &n);
    store_close(st);
    if (e != VG_OK)
        return app_fail(cmd, "%s", vg_error_last());
    json_t *arr = fmt == APP_FMT_JSON ? json_array() : NULL;
    if (fmt == APP_FMT_TABLE)
        printf("%-4s %-4s %-5s %-16s %-12s %-6s %-20s %-20s %s\n", "ID", "DAY", "HOUR", "TZ",
               "BRAND", "LOCALE", "LAST DUE", "SENT", "CHANNEL");
    else if (fmt == APP_FMT_CSV)
        printf("id,weekday,hour,tz,brand,locale,last_due,sent,attempts,digest_id,channel,"
               "last_error\n");
    for (size_t i = 0; i < n; i++) {
        const store_digest_schedule *x = &v[i];
        char due[21] = "-", sent[21] = "-";
        char *chan = mail_channel_redact(x->channel);
        const char *brand = x->brand ? x->brand : "(all)";

        if (x->due_at)
            vg_time_iso(x->due_at, due);
        if (x->sent_at)
            vg_time_iso(x->sent_at, sent);
        if (fmt == APP_FMT_JSON) {
            json_array_append_new(
                arr, json_pack("{s:I, s:s, s:i, s:s, s:o, s:s, s:o, s:o, s:i, s:o, s:s, s:o}",
                               "id", (json_int_t)x->id, "weekday",
                               digest_weekday_name(x->weekday), "hour", x->hour, "tz", x->tz,
                               "brand", x->brand ? json_string(x->brand) : json_null(),
                               "locale", x->locale, "last_due",
                               x->due_at ? json_string(due) : json_null(), "sent",
                               x->sent_at ? json_string(sent) : json_null(), "attempts",
                               x->attempts, "digest_id",
                               x->digest_id ? json_integer(x->digest_id) : json_null(),
                               "channel", chan ? chan : "", "last_error",
                               x->last_error ? json_string(x->last_error) : json_null()));
        } else if (fmt == APP_FMT_CSV) {
            printf("%lld,%s,%d,", (long long)x->id, digest_weekday_name(x->weekday), x->hour);
            app_csv_field(stdout, x->tz);
            putchar(',');
            app_csv_field(stdout, brand);
            printf(",%s,%s,%s,%d,%lld,", x->locale, x->due_at ? due : "",
                   x->sent_at ? sent : "", x->attempts, (long long)x->digest_id);
            app_csv_field(stdout, chan ? chan : "");
            putchar(',');
            app_csv_field(stdout, x->last_error ? x->last_error : "");
            putchar('\n');
        } else {
            printf("%-4lld %-4s %02d:00 %-16s %-12s %-6s %-20s %-20s %s\n", (long long)x->id,
                   digest_weekday_name(x->weekday), x->hour, x->tz, brand, x->locale, due,
                   sent, chan ? chan : "");
            if (x->last_error)
                printf("     last error: %s\n", x->last_error);
        }
        free(chan);
    }
    app_json_list_print(arr);
    store_digest_schedule_array_free(v, n);
    return APP_OK;
}

static int sched_rm(app_ctx *ctx, int argc, char **argv)
{
    static const struct option opts[] = {{"help", no_argument, NULL, 'h'}, {0}};
    const char *cmd = "digest schedule rm";
    int c;

    optind = 1;
    while ((c = app_getopt(cmd, argc, argv, "h", opts)) != -1) {
        if (c == 'h')
            return sched_usage();
        return APP_USAGE;
    }
    if (optind != argc - 1)
        return app_usage_error(cmd, "needs exactly one ID");
    char *end = NULL;
    errno = 0;
    long long id = strtoll(argv[optind], &end, 10);
    if (end == argv[optind] || *end || id <= 0 || errno)
        return app_usage_error(cmd, "bad ID '%s'", argv[optind]);
    store *st = app_open_store(ctx, cmd);
    if (!st)
        return APP_FAIL;
    vg_err e = store_digest_schedule_rm(st, id);
    store_close(st);
    if (e == VG_ENOTFOUND)
        return app_usage_error(cmd, "%s", vg_error_last());
    if (e != VG_OK)
        return app_fail(cmd, "%s", vg_error_last());
    if (!ctx->quiet)
        printf("digest schedule %lld removed\n", id);
    return APP_OK;
}

static int sched_run_due(app_ctx *ctx, int argc, char **argv)
{
    static const struct option opts[] = {{"now", required_argument, NULL, 'n'},
                                         {"help", no_argument, NULL, 'h'}, {0}};
    const char *cmd = "digest schedule run-due";
    int64_t now = vg_now();
    int c, rc, sent = 0, failed = 0;
    store *st;

    optind = 1;
    while ((c = app_getopt(cmd, argc, argv, "h", opts)) != -1) {
        if (c == 'n') {
            if (vg_time_parse_cli(optarg, vg_now(), &now) != VG_OK)
                return app_usage_error(cmd, "bad --now: %s", vg_error_last());
        } else if (c == 'h') {
            return sched_usage();
        } else {
            return APP_USAGE;
        }
    }
    if ((rc = open_store_no_args(ctx, cmd, argc, argv, &st)) != APP_OK)
        return rc;
    digest_schedule_opts o = DIGEST_SCHEDULE_OPTS_INIT;
    o.timeout_ms = 30000;
    vg_err e = digest_schedule_run_due(st, now, &o, &sent, &failed);
    store_close(st);
    report_png_release();
    if (e != VG_OK)
        return app_fail(cmd, "%s", vg_error_last());
    /* The counts are this command's result: printed even with -q. */
    printf("%d sent, %d failed\n", sent, failed);
    fflush(stdout);
    if (failed > 0)
        return app_fail(cmd, "%d scheduled digest%s not sent (see vigie digest schedule list)",
                        failed, failed > 1 ? "s" : "");
    return APP_OK;
}

static int digest_schedule(app_ctx *ctx, int argc, char **argv)
{
    if (argc >= 2 && (strcmp(argv[1], "list") == 0 || strcmp(argv[1], "ls") == 0))
        return sched_list(ctx, argc - 1, argv + 1);
    if (argc >= 2 && strcmp(argv[1], "rm") == 0)
        return sched_rm(ctx, argc - 1, argv + 1);
    if (argc >= 2 && strcmp(argv[1], "run-due") == 0)
        return sched_run_due(ctx, argc - 1, argv + 1);
    if (argc >= 2 && strcmp(argv[1], "add") == 0)
        return sched_add(ctx, argc - 1, argv + 1);
    return sched_add(ctx, argc, argv);
}

int cmd_digest(app_ctx *ctx, int argc, char **argv)
{
    if (argc >= 2 && strcmp(argv[1], "schedule") == 0)
        return digest_schedule(ctx, argc - 1, argv + 1);
    if (argc >= 2 && (strcmp(argv[1], "list") == 0 || strcmp(argv[1], "ls") == 0))
        return digest_list(ctx, argc - 1, argv + 1);
    if (argc >= 2 && strcmp(argv[1], "show") == 0)
        return digest_show(ctx, argc - 1, argv + 1);
    return digest_make(ctx, argc, argv);
}
