/*
 * `vigie demo`: the whole pipeline on the bundled corpus. An embedded
 * HTTP server on 127.0.0.1 serves data/demo/; vigie imports its OPML,
 * adds the demo brands, crawls everything over HTTP into a temporary
 * database (or --db), and prints what a community manager would look at
 * first. Nothing is left running.
 */
#define _POSIX_C_SOURCE 200809L
#include "app/app.h"

#include "app/httpd.h"
#include "app/pipeline.h"
#include "core/buf.h"
#include "core/url.h"
#include "core/vtime.h"
#include "monitor/report.h"
#include "monitor/buckets.h"
#include "parser/opml.h"

#include <dirent.h>
#include <errno.h>
#include <getopt.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#ifndef VG_DEMO_DIR
#define VG_DEMO_DIR "data/demo"
#endif

#define DEMO_FILE_MAX (4u << 20)
#define DEMO_MAX_BRANDS 16
#define DEMO_MAX_WEEKS 64

static int usage(void)
{
    printf("usage: vigie [--db PATH] demo [--keep] [--dir DIR]\n\n"
           "Serves the demo corpus (feeds and pages about a fictional brand and\n"
           "its competitor, in French and English, four weeks ending in a crisis)\n"
           "from a local HTTP server, crawls it, and prints a summary. Without\n"
           "--db the database is temporary; --keep keeps it and prints its path.\n"
           "  --dir DIR   serve DIR instead of the bundled corpus ($VIGIE_DEMO_DIR)\n");
    return APP_OK;
}

static vg_err slurp(const char *path, vg_buf *out)
{
    FILE *f = fopen(path, "rb");
    vg_buf_init(out, DEMO_FILE_MAX);
    if (!f)
        return vg_error_set(VG_EIO, "cannot open %s: %s", path, strerror(errno));
    char chunk[16384];
    size_t n;
    while ((n = fread(chunk, 1, sizeof chunk, f)) > 0)
        vg_buf_append(out, chunk, n);
    fclose(f);
    return out->err;
}

/* Adds the OPML's feeds, the pages/ folder and the brands of brands.tsv. */
static vg_err setup(store *st, const char *dir, const char *base)
{
    char path[4096];
    vg_buf data;
    vg_err rc;

    store_setting_set(st, "crawl.host_delay_ms", "0");
    store_setting_set(st, "crawl.host_connections", "16");

    snprintf(path, sizeof path, "%s/sources.opml", dir);
    if ((rc = slurp(path, &data)) != VG_OK) {
        vg_buf_free(&data);
        return rc;
    }
    opml_outline *v = NULL;
    size_t n = 0;
    rc = opml_parse(vg_buf_str(&data), data.len, &v, &n);
    vg_buf_free(&data);
    if (rc != VG_OK)
        return rc;
    for (size_t i = 0; i < n; i++) {
        char *url = NULL;
        if (vg_url_resolve(base, v[i].url, &url) == VG_OK)
            store_source_add(st, url, "feed", v[i].title, 3600, 0, v[i].full_text, NULL);
        free(url);
    }
    opml_free(v, n);

    snprintf(path, sizeof path, "%s/pages", dir);
    DIR *d = opendir(path);
    struct dirent *de;
    while (d && (de = readdir(d))) {
        if (de->d_name[0] == '.' || !strstr(de->d_name, ".html"))
            continue;
        char rel[512], *url = NULL;
        snprintf(rel, sizeof rel, "/pages/%s", de->d_name);
        if (vg_url_resolve(base, rel, &url) == VG_OK)
            store_source_add(st, url, "page", NULL, 3600, 0, 0, NULL);
        free(url);
    }
    if (d)
        closedir(d);

    snprintf(path, sizeof path, "%s/brands.tsv", dir);
    if ((rc = slurp(path, &data)) != VG_OK) {
        vg_buf_free(&data);
        return rc;
    }
    char *line = data.ptr;
    while (line && *line) {
        char *nl = strchr(line, '\n');
        if (nl)
            *nl = '\0';
        char *tab = strchr(line, '\t');
        if (line[0] != '#' && tab) {
            *tab = '\0';
            store_brand_add(st, line, tab + 1, NULL);
        }
        line = nl ? nl + 1 : NULL;
    }
    vg_buf_free(&data);
    return VG_OK;
}

typedef struct week_row {
    char week[9];
    int n[DEMO_MAX_BRANDS][3]; /* neg, neu, pos */
} week_row;

static void summary(store *st)
{
    store_brand *b = NULL;
    size_t nb = 0;
    if (store_brand_list(st, 0, &b, &nb) != VG_OK)
        return;
    if (nb > DEMO_MAX_BRANDS)
        nb = DEMO_MAX_BRANDS;
    store_mention_filter f = STORE_MENTION_FILTER_INIT;
    store_mention_row *m = NULL;
    size_t nm = 0;
    if (store_mentions_query(st, &f, &m, &nm) != VG_OK) {
        store_brand_array_free(b, nb);
        return;
    }
    int tot[DEMO_MAX_BRANDS][3] = {{0}};
    week_row weeks[DEMO_MAX_WEEKS];
    size_t nw = 0;
    for (size_t i = 0; i < nm; i++) {
        size_t bi = 0;
        while (bi < nb && strcmp(b[bi].name, m[i].brand) != 0)
            bi++;
        if (bi == nb)
            continue;
        int li = m[i].label + 1;
        tot[bi][li]++;
        char wk[9];
        vg_time_isoweek(m[i].published_at, wk);
        size_t w = 0;
        while (w < nw && strcmp(weeks[w].week, wk) != 0)
            w++;
        if (w == nw) {
            if (nw == DEMO_MAX_WEEKS)
                continue;
            memset(&weeks[nw], 0, sizeof weeks[nw]);
            memcpy(weeks[nw].week, wk, sizeof wk);
            nw++;
        }
        weeks[w].n[bi][li]++;
    }
    /* Weeks in order (insertion sort: a handful of rows). */
    for (size_t i = 1; i < nw; i++)
        for (size_t j = i; j > 0 && strcmp(weeks[j - 1].week, weeks[j].week) > 0; j--) {
            week_row t = weeks[j];
            weeks[j] = weeks[j - 1];
            weeks[j - 1] = t;
        }

    printf("\nMentions per brand\n");
    printf("  %-14s %6s %6s %6s %6s %8s\n", "brand", "total", "pos", "neu", "neg", "net");
    for (size_t i = 0; i < nb; i++) {
        int t = tot[i][0] + tot[i][1] + tot[i][2];
        double net = t ? 100.0 * (tot[i][2] - tot[i][0]) / t : 0;
        printf("  %-14s %6d %6d %6d %6d %+7.0f%%\n", b[i].name, t, tot[i][2], tot[i][1],
               tot[i][0], net);
    }
    printf("\nSentiment per week (pos/neu/neg)\n  %-9s", "week");
    for (size_t i = 0; i < nb; i++)
        printf(" %16s", b[i].name);
    printf("\n");
    for (size_t w = 0; w < nw; w++) {
        printf("  %-9s", weeks[w].week);
        for (size_t i = 0; i < nb; i++) {
            char cell[32];
            snprintf(cell, sizeof cell, "%d/%d/%d", weeks[w].n[i][2], weeks[w].n[i][1],
                     weeks[w].n[i][0]);
            printf(" %16s", cell);
        }
        printf("\n");
    }
    store_mention_row_array_free(m, nm);

    store_mention_filter neg = STORE_MENTION_FILTER_INIT;
    neg.order_by_score = 1;
    neg.label_set = 1;
    neg.label = -1;
    neg.limit = 5;
    if (store_mentions_query(st, &neg, &m, &nm) == VG_OK) {
        printf("\nMost negative mentions\n");
        for (size_t i = 0; i < nm; i++) {
            char date[21];
            vg_time_iso(m[i].published_at, date);
            date[10] = '\0';
            const char *s = m[i].snippet ? m[i].snippet : "";
            printf("  %+.2f  %-10s %s  %.160s%s\n", m[i].score, m[i].brand, date, s,
                   strlen(s) > 160 ? "…" : "");
        }
        store_mention_row_array_free(m, nm);
    }
    store_brand_array_free(b, nb);
}

/* The demo's four weeks arrive in one crawl, newest entries first, so the
 * live monitor sees them as history. Replaying the stored mentions in
 * time order through a fresh monitor shows what `vigie run` would have
 * raised had it been watching all along. */
static void replay_alerts(store *st, int64_t since)
{
    store_brand *b = NULL;
    size_t nb = 0;
    store_mention_row *m = NULL;
    size_t nm = 0;
    bucket_monitor *bm = NULL;
    bucket_params bp = BUCKET_PARAMS_INIT;
    /* The corpus has a few mentions a day per brand: daily buckets, as a
     * user with that volume would choose. */
    bp.width = 86400;
    store_mention_filter f = STORE_MENTION_FILTER_INIT;
    if (store_brand_list(st, 0, &b, &nb) != VG_OK ||
        store_mentions_query(st, &f, &m, &nm) != VG_OK ||
        bucket_monitor_new(&bp, &bm) != VG_OK || store_begin(st) != VG_OK)
        goto cleanup;
    for (size_t i = nm; i-- > 0;) { /* newest first: walk backwards */
        for (size_t k = 0; k < nb; k++)
            if (strcmp(b[k].name, m[i].brand) == 0)
                bucket_add_mention(bm, st, b[k].id, m[i].published_at, m[i].label,
                                   m[i].published_at, NULL);
    }
    store_commit(st);
    store_alert_row *a = NULL;
    size_t na = 0;
    if (store_alert_list(st, since, &a, &na) == VG_OK && na) {
        printf("\nAlerts (replayed in time order)\n");
        for (size_t i = na; i-- > 0;) {
            char when[21];
            vg_time_iso(a[i].bucket_start, when);
            when[16] = '\0';
            when[10] = ' ';
            printf("  %s  %-10s %-15s %-6s observed %.0f, expected %.1f (range %.1f-%.1f)\n",
                   when, a[i].brand, a[i].metric, a[i].severity, a[i].observed,
                   a[i].expected, a[i].low, a[i].high);
        }
    }
    store_alert_row_array_free(a, na);
cleanup:
    bucket_monitor_free(bm);
    store_mention_row_array_free(m, nm);
    store_brand_array_free(b, nb);
}

int cmd_demo(app_ctx *ctx, int argc, char **argv)
{
    static const struct option opts[] = {{"keep", no_argument, NULL, 'k'},
                                         {"dir", required_argument, NULL, 'd'},
                                         {"help", no_argument, NULL, 'h'}, {0}};
    int keep = 0, c;
    const char *env = getenv("VIGIE_DEMO_DIR");
    const char *dir = env && *env ? env : VG_DEMO_DIR;
    optind = 1;
    while ((c = app_getopt("demo", argc, argv, "h", opts)) != -1) {
        if (c == 'k')
            keep = 1;
        else if (c == 'd')
            dir = optarg;
        else if (c == 'h')
            return usage();
        else
            return APP_USAGE;
    }
    if (optind < argc)
        return app_usage_error("demo", "unexpected argument '%s'", argv[optind]);
    struct stat sb;
    if (stat(dir, &sb) != 0 || !S_ISDIR(sb.st_mode))
        return app_fail("demo", "demo corpus not found at %s (set VIGIE_DEMO_DIR)", dir);

    int64_t t0 = vg_mono_ms();
    char tmpdir[] = "/tmp/vigie-demo-XXXXXX";
    char dbpath[64];
    const char *db = ctx->db_path;
    int temp = !ctx->db_explicit;
    if (temp) {
        if (!mkdtemp(tmpdir))
            return app_fail("demo", "cannot create a temporary directory: %s", strerror(errno));
        snprintf(dbpath, sizeof dbpath, "%s/vigie.db", tmpdir);
        db = dbpath;
    }
    httpd *srv = NULL;
    uint16_t port = 0;
    store *st = NULL;
    int rc = APP_OK;
    if (httpd_start(dir, &port, &srv) != VG_OK) {
        rc = app_fail("demo", "%s", vg_error_last());
        goto cleanup;
    }
    char base[64];
    snprintf(base, sizeof base, "http://127.0.0.1:%u/", (unsigned)port);
    if (!ctx->quiet)
        printf("demo: serving %s at %s\n", dir, base);
    if (store_open(db, &st) != VG_OK) {
        rc = app_fail("demo", "cannot open %s: %s", db, vg_error_last());
        goto cleanup;
    }
    if (setup(st, dir, base) != VG_OK) {
        rc = app_fail("demo", "cannot set up the demo: %s", vg_error_last());
        goto cleanup;
    }
    store_close(st);
    st = NULL;

    pipeline_options o = PIPELINE_OPTIONS_INIT;
    pipeline_options_load(db, &o);
    static volatile sig_atomic_t stop;
    o.stop = &stop;
    o.progress = !ctx->quiet && isatty(STDERR_FILENO);
    pipeline_install_signals(&stop);
    pipeline_stats s = {0};
    if (pipeline_run(db, &o, &s) != VG_OK) {
        rc = app_fail("demo", "crawl failed: %s", vg_error_last());
        goto cleanup;
    }
    if (!ctx->quiet)
        printf("demo: crawled %lld sources: %lld documents, %lld mentions, %lld errors\n",
               (long long)s.sources_done, (long long)s.documents, (long long)s.mentions,
               (long long)s.errors);
    if (store_open(db, &st) == VG_OK) {
        summary(st);
        /* Replayed alerts carry the time of their bucket: list them all. */
        replay_alerts(st, 0);
    }
    char dpath[512]; /* the digest of the corpus' last week (issue 8) */
    if (st && digest_demo_write(db, temp && keep ? tmpdir : "/tmp", "en", dpath,
                                sizeof dpath) == VG_OK)
        printf("demo: digest of the last week written to %s\n", dpath);
    printf("\ndemo: done in %.1f s", (double)(vg_mono_ms() - t0) / 1000.0);
    if (!temp || keep)
        printf("; database kept at %s", db);
    printf("\n");
    if (stop)
        rc = 130;
cleanup:
    store_close(st);
    httpd_stop(srv);
    if (temp && !keep) {
        char p[96];
        static const char *suffix[] = {"", "-wal", "-shm"};
        for (int i = 0; i < 3; i++) {
            snprintf(p, sizeof p, "%s%s", dbpath, suffix[i]);
            unlink(p);
        }
        rmdir(tmpdir);
    }
    return rc;
}
