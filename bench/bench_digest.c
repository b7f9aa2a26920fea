/*
 * Digest speed: builds (once, then reuses) a database of one million
 * mentions over 26 weeks, three brands and fifty sources, with generated
 * snippets, 5% syndicated copies and a few corrections, then times the
 * digest of its last week for every brand: digest_build (all the SQL and
 * the emerging-terms test) and the HTML and JSON renderings. Target
 * (issue 8): under 2 seconds. The database goes to $VIGIE_BENCH_DB or
 * /tmp/vigie-bench-digest.db; delete it to regenerate.
 */
#include "core/vtime.h"
#include "monitor/digest.h"
#include "monitor/report.h"
#include "store/store.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#define N_MENTIONS 1000000
#define WEEKS 26

static double now_s(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

/* CPU time of this process: the machine may be shared, and wall time
 * then measures the neighbours too; both are printed. */
static double cpu_s(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static uint64_t rng = 88172645463325252ull;
static uint64_t next(void)
{
    rng ^= rng << 13;
    rng ^= rng >> 7;
    rng ^= rng << 17;
    return rng;
}

static const char *const words[] = {
    "réseau", "panne", "fibre", "débit", "support", "facture", "installation",
    "technicien", "box", "outage", "refund", "speed", "router", "wifi", "offre",
    "prix", "client", "connexion", "coupure", "rapide", "lent", "excellent",
    "terrible", "merci", "attente", "résiliation", "mobile", "application",
};
#define NW (sizeof words / sizeof words[0])

static int generate(const char *path, int64_t end)
{
    store *st = NULL;
    int64_t bid[3], sid[50];
    static const char *const brands[] = {"Fibrelia", "NetOcean", "Altivo"};
    double t0 = now_s();

    remove(path);
    if (store_open(path, &st) != VG_OK)
        return -1;
    for (int i = 0; i < 3; i++)
        store_brand_add(st, brands[i], NULL, &bid[i]);
    for (int i = 0; i < 50; i++) {
        char url[64];
        snprintf(url, sizeof url, "https://source%d.example/feed", i);
        store_source_add(st, url, "feed", NULL, 0, 0, 0, &sid[i]);
    }
    store_begin(st);
    for (int64_t i = 0; i < N_MENTIONS; i++) {
        char url[80], snippet[200], hash[32];
        size_t o = 0;
        uint64_t r = next();
        int64_t t = end - (int64_t)(next() % ((uint64_t)WEEKS * DIGEST_WEEK));
        int label = (int)(r % 3) - 1;
        store_document d = {0};
        store_mention m = {0};
        int64_t doc = 0;

        for (int k = 0; k < 8; k++)
            o += (size_t)snprintf(snippet + o, sizeof snippet - o, "%s ",
                                  words[next() % NW]);
        snprintf(url, sizeof url, "https://source%d.example/p/%lld", (int)(r % 50),
                 (long long)i);
        /* 5% share a hash with a neighbour: syndicated copies. */
        snprintf(hash, sizeof hash, "h%lld", (long long)(r % 20 == 0 ? i / 2 : i));
        d.source_id = sid[r % 50];
        d.url = url;
        d.title = "title";
        d.published_at = t;
        d.fetched_at = t;
        d.content_hash = hash;
        if (store_document_insert(st, &d, &doc) != VG_OK)
            return -1;
        m.document_id = doc;
        m.brand_id = bid[(r >> 8) % 3];
        m.snippet = snippet;
        m.score = label * 0.5;
        m.label = label;
        m.published_at = t;
        if (store_mention_insert(st, &m) != VG_OK)
            return -1;
        if (i % 50000 == 49999) {
            store_commit(st);
            store_begin(st);
            fprintf(stderr, "\rgenerating: %lld mentions", (long long)i + 1);
        }
    }
    store_commit(st);
    store_close(st);
    fprintf(stderr, "\rgenerated %d mentions in %.1f s\n", N_MENTIONS, now_s() - t0);
    return 0;
}

int main(void)
{
    const char *path = getenv("VIGIE_BENCH_DB");
    store *st = NULL;
    store_counts c = {0};
    int64_t latest = 0;
    /* A fixed end (Monday 23 November 2026) keeps runs comparable. */
    int64_t end = vg_timegm(2026, 11, 23, 0, 0, 0);

    if (path == NULL || !*path)
        path = "/tmp/vigie-bench-digest.db";
    if (store_open(path, &st) != VG_OK || store_counts_get(st, &c) != VG_OK)
        return 1;
    store_close(st);
    st = NULL;
    if (c.mentions != N_MENTIONS && generate(path, end) != 0) {
        fprintf(stderr, "bench_digest: cannot generate %s: %s\n", path, vg_error_last());
        return 1;
    }
    if (store_open(path, &st) != VG_OK)
        return 1;
    store_digest_latest_mention(st, &latest);

    digest_options o = DIGEST_OPTIONS_INIT;
    digest_week_of(latest, &o.from, &o.to);
    double best_build = 1e9, best_html = 1e9, best_json = 1e9, best_total = 1e9;
    double best_cpu = 1e9;
    size_t html_bytes = 0;
    int64_t week_mentions = 0;
    for (int run = 0; run < 3; run++) {
        digest *d = NULL;
        char *html = NULL, *json = NULL;
        double c0 = cpu_s();
        double t0 = now_s();
        if (digest_build(st, &o, &d) != VG_OK) {
            fprintf(stderr, "bench_digest: %s\n", vg_error_last());
            return 1;
        }
        double t1 = now_s();
        report_render(d, REPORT_HTML, REPORT_FR, &html);
        double t2 = now_s();
        double c2 = cpu_s();
        report_render(d, REPORT_JSON, REPORT_EN, &json);
        double t3 = now_s();
        if (t1 - t0 < best_build)
            best_build = t1 - t0;
        if (t2 - t1 < best_html)
            best_html = t2 - t1;
        if (t3 - t2 < best_json)
            best_json = t3 - t2;
        if (t2 - t0 < best_total)
            best_total = t2 - t0;
        if (c2 - c0 < best_cpu)
            best_cpu = c2 - c0;
        html_bytes = html ? strlen(html) : 0;
        week_mentions = d->mentions;
        free(html);
        free(json);
        digest_free(d);
    }
    store_close(st);
    printf("database: %d mentions over %d weeks, 3 brands, 50 sources (%s)\n", N_MENTIONS,
           WEEKS, path);
    printf("digest of the last week (%lld mentions), best of 3 runs:\n",
           (long long)week_mentions);
    printf("  build (SQL + emerging terms): %.3f s\n", best_build);
    printf("  render HTML:                  %.3f s (%zu bytes)\n", best_html, html_bytes);
    printf("  render JSON:                  %.3f s\n", best_json);
    printf("  build + HTML:                 %.3f s wall, %.3f s CPU"
           "  (target < 2 s: wall is %.2fx the budget)\n",
           best_total, best_cpu, best_total / 2.0);
    return 0;
}
