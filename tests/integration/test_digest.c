/*
 * The digest end to end: a fixture database is built through the store
 * API (brands, sources, documents and mentions with chosen dates, labels,
 * corrections and syndicated copies), the real binary writes the JSON
 * digest, and every number is checked against values this test computes
 * on its own from the fixture table. Also: goals, the archive, empty
 * weeks, a brand added mid-period, formats, locales and usage errors.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <jansson.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "core/buf.h"
#include "core/vtime.h"
#include "store/store.h"

#define DAY 86400
#define WEEK (7 * DAY)

/* One mention of the fixture. day is relative to the digest's week
 * (2026-W47, Monday 16 November 2026): negative days are earlier weeks. */
typedef struct row {
    int brand;           /* index into brands[] */
    int source;          /* index into sources[] */
    int day, hour;
    int label;
    double score;
    int correction;      /* 2 = none */
    const char *hash;    /* content hash (syndicated copies share one) */
    const char *snippet;
} row;

static const char *const brands[] = {"Alpha", "Beta", "Gamma"};
static const char *const sources[] = {"News", "Forum", "Blog"};

static const row rows[] = {
    /* Alpha, this week. */
    {0, 0, 0, 9, 1, 0.8, 2, NULL, "outage router"},
    {0, 1, 0, 11, -1, -0.6, 2, NULL, "outage router"},
    {0, 0, 1, 10, 0, 0.0, 2, NULL, "outage router"},
    {0, 1, 2, 8, -1, -0.9, 2, "synd", "outage router"},
    {0, 2, 2, 15, -1, -0.9, 2, "synd", "outage router"}, /* a copy */
    {0, 0, 3, 12, 1, 0.5, -1, NULL, "calm day"},          /* corrected */
    {0, 2, 6, 22, 1, 0.7, 2, NULL, "calm day"},
    /* Alpha, the previous week. */
    {0, 0, -3, 10, 1, 0.6, 2, NULL, "calm day"},
    {0, 0, -2, 10, -1, -0.4, 2, NULL, "calm day"},
    {0, 1, -5, 10, 0, 0.0, 2, NULL, "calm day"},
    {0, 1, -1, 10, 1, 0.3, 2, NULL, "calm day"},
    /* Alpha, three weeks back: trend and terms reference only. */
    {0, 0, -20, 10, 1, 0.5, 2, NULL, "calm day"},
    /* Beta: this week only. */
    {1, 0, 1, 10, -1, -0.5, 2, NULL, "beta item"},
    {1, 1, 4, 10, 1, 0.4, 2, NULL, "beta item"},
    /* Gamma: first seen on Thursday of the week. */
    {2, 0, 3, 7, 1, 0.9, 2, NULL, "gamma item"},
    {2, 0, 5, 10, 0, 0.0, 2, NULL, "gamma item"},
};
#define NROWS (sizeof rows / sizeof rows[0])

typedef struct fixture {
    char dir[64];
    char db[96];
    char out[128];
    int64_t from;
} fixture;

static int64_t when(const fixture *fx, const row *r)
{
    return fx->from + (int64_t)r->day * DAY + (int64_t)r->hour * 3600;
}

static int effective(const row *r)
{
    return r->correction != 2 ? r->correction : r->label;
}

/* Runs the binary with --db; returns its exit status, stdout in out. */
static int vigie(const fixture *fx, vg_buf *out, ...)
{
    const char *bin = getenv("VG_BINARY");
    assert_non_null(bin);
    char *argv[32];
    int argc = 0;
    argv[argc++] = (char *)bin;
    argv[argc++] = "-q";
    argv[argc++] = "--db";
    argv[argc++] = (char *)fx->db;
    va_list ap;
    va_start(ap, out);
    char *a;
    while ((a = va_arg(ap, char *)) && argc < 31)
        argv[argc++] = a;
    va_end(ap);
    argv[argc] = NULL;
    int fds[2];
    assert_int_equal(pipe(fds), 0);
    pid_t pid = fork();
    assert_true(pid >= 0);
    if (pid == 0) {
        dup2(fds[1], STDOUT_FILENO);
        close(fds[0]);
        close(fds[1]);
        execv(bin, argv);
        _exit(127);
    }
    close(fds[1]);
    char chunk[4096];
    ssize_t n;
    while ((n = read(fds[0], chunk, sizeof chunk)) > 0)
        if (out)
            vg_buf_append(out, chunk, (size_t)n);
    close(fds[0]);
    int status = 0;
    waitpid(pid, &status, 0);
    return WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
}

static void build(fixture *fx, int with_rows)
{
    store *st = NULL;
    int64_t bid[3], sid[3];

    assert_int_equal(store_open(fx->db, &st), VG_OK);
    for (int i = 0; i < 3; i++) {
        char url[64];
        snprintf(url, sizeof url, "https://%s.example/feed", sources[i]);
        assert_int_equal(store_source_add(st, url, "feed", sources[i], 0, 0, 0, &sid[i]), VG_OK);
        assert_int_equal(store_brand_add(st, brands[i], NULL, &bid[i]), VG_OK);
    }
    for (size_t i = 0; with_rows && i < NROWS; i++) {
        const row *r = &rows[i];
        char url[64];
        int64_t doc = 0;
        snprintf(url, sizeof url, "https://%s.example/post/%zu", sources[r->source], i);
        store_document d = {0};
        d.source_id = sid[r->source];
        d.url = url;
        d.title = url + 8;
        d.published_at = when(fx, r);
        d.fetched_at = when(fx, r);
        d.lang = "en";
        d.text = r->snippet;
        d.content_hash = r->hash;
        assert_int_equal(store_document_insert(st, &d, &doc), VG_OK);
        store_mention m = {0};
        m.document_id = doc;
        m.brand_id = bid[r->brand];
        m.snippet = r->snippet;
        m.score = r->score;
        m.label = r->label;
        m.published_at = when(fx, r);
        assert_int_equal(store_mention_insert(st, &m), VG_OK);
        if (r->correction != 2) {
            store_mention_row *v = NULL;
            size_t n = 0;
            store_mention_filter f = STORE_MENTION_FILTER_INIT;
            f.since = f.until = 0;
            assert_int_equal(store_mentions_query(st, &f, &v, &n), VG_OK);
            for (size_t k = 0; k < n; k++)
                if (strcmp(v[k].url, url) == 0)
                    assert_int_equal(store_mention_correct(st, v[k].id, r->correction), VG_OK);
            store_mention_row_array_free(v, n);
        }
    }
    store_close(st);
}

static int setup(void **state)
{
    fixture *fx = calloc(1, sizeof *fx);
    snprintf(fx->dir, sizeof fx->dir, "/tmp/vigie-digest-XXXXXX");
    assert_non_null(mkdtemp(fx->dir));
    snprintf(fx->db, sizeof fx->db, "%s/vigie.db", fx->dir);
    snprintf(fx->out, sizeof fx->out, "%s/out", fx->dir);
    fx->from = vg_timegm(2026, 11, 16, 0, 0, 0);
    *state = fx;
    return 0;
}

static int teardown(void **state)
{
    fixture *fx = *state;
    char p[160];
    static const char *suffix[] = {"", "-wal", "-shm"};
    for (int i = 0; i < 3; i++) {
        snprintf(p, sizeof p, "%s%s", fx->db, suffix[i]);
        unlink(p);
    }
    unlink(fx->out);
    rmdir(fx->dir);
    free(fx);
    return 0;
}

static json_t *digest_json(const fixture *fx, const char *week)
{
    vg_buf out;
    vg_buf_init(&out, 1 << 24);
    assert_int_equal(vigie(fx, &out, "digest", "--week", week, "--format", "json", NULL), 0);
    json_error_t e;
    json_t *root = json_loads(vg_buf_str(&out), 0, &e);
    if (root == NULL)
        fail_msg("bad JSON: %s", e.text);
    vg_buf_free(&out);
    return root;
}

static json_t *brand_of(json_t *root, const char *name)
{
    size_t i;
    json_t *b;
    json_array_foreach(json_object_get(root, "brands"), i, b)
        if (strcmp(json_string_value(json_object_get(b, "name")), name) == 0)
            return b;
    fail_msg("brand %s missing", name);
    return NULL;
}

static int64_t jint(json_t *o, const char *path1, const char *key)
{
    json_t *x = path1 ? json_object_get(o, path1) : o;
    json_t *v = json_object_get(x, key);
    assert_true(json_is_integer(v));
    return json_integer_value(v);
}

static double jreal(json_t *o, const char *path1, const char *key)
{
    json_t *x = path1 ? json_object_get(o, path1) : o;
    json_t *v = json_object_get(x, key);
    assert_true(json_is_number(v));
    return json_number_value(v);
}

#define NEAR(a, b) assert_true(fabs((double)(a) - (double)(b)) < 1e-9)

/* Counts of the fixture rows of brand b in [from, to). */
typedef struct expect {
    int64_t total, pos, neu, neg, sources, corrected;
} expect;

static expect count(const fixture *fx, int b, int64_t from, int64_t to)
{
    expect e = {0};
    int seen[3] = {0};
    for (size_t i = 0; i < NROWS; i++) {
        const row *r = &rows[i];
        int64_t t = when(fx, r);
        if (r->brand != b || t < from || t >= to)
            continue;
        e.total++;
        int l = effective(r);
        e.pos += l == 1;
        e.neu += l == 0;
        e.neg += l == -1;
        e.corrected += r->correction != 2;
        seen[r->source] = 1;
    }
    e.sources = seen[0] + seen[1] + seen[2];
    return e;
}

static void check_stats(json_t *s, expect e)
{
    assert_int_equal(jint(s, NULL, "mentions"), e.total);
    assert_int_equal(jint(s, NULL, "positive"), e.pos);
    assert_int_equal(jint(s, NULL, "neutral"), e.neu);
    assert_int_equal(jint(s, NULL, "negative"), e.neg);
    assert_int_equal(jint(s, NULL, "sources"), e.sources);
    assert_int_equal(jint(s, NULL, "corrected"), e.corrected);
    assert_int_equal(jint(s, NULL, "alerts"), 0); /* the fixture has none */
    NEAR(jreal(s, NULL, "net_sentiment"),
         e.total ? (double)(e.pos - e.neg) / (double)e.total : 0.0);
    NEAR(jreal(s, NULL, "negative_share"), e.total ? (double)e.neg / (double)e.total : 0.0);
}

static void json_numbers_match_an_independent_count(void **state)
{
    fixture *fx = *state;
    build(fx, 1);
    json_t *root = digest_json(fx, "2026-W47");
    int64_t from = fx->from, to = from + WEEK;

    assert_int_equal(jint(root, "period", "from_unix"), from);
    assert_int_equal(jint(root, "period", "to_unix"), to);

    int64_t all = 0, all_prev = 0;
    for (int b = 0; b < 3; b++) {
        all += count(fx, b, from, to).total;
        all_prev += count(fx, b, from - WEEK, from).total;
    }
    for (int b = 0; b < 3; b++) {
        json_t *jb = brand_of(root, brands[b]);
        expect cur = count(fx, b, from, to), prev = count(fx, b, from - WEEK, from);
        check_stats(json_object_get(jb, "current"), cur);
        check_stats(json_object_get(jb, "previous"), prev);

        json_t *ch = json_object_get(jb, "change");
        if (prev.total == 0) {
            assert_true(json_is_null(json_object_get(ch, "mentions_pct")));
            assert_true(json_is_null(json_object_get(ch, "net_sentiment")));
        } else {
            NEAR(jreal(ch, NULL, "mentions_pct"),
                 100.0 * (double)(cur.total - prev.total) / (double)prev.total);
            NEAR(jreal(ch, NULL, "net_sentiment"),
                 (double)(cur.pos - cur.neg) / (double)cur.total -
                     (double)(prev.pos - prev.neg) / (double)prev.total);
            NEAR(jreal(ch, NULL, "negative_share"),
                 (double)cur.neg / (double)cur.total - (double)prev.neg / (double)prev.total);
        }
        NEAR(jreal(jb, NULL, "share_of_voice"), (double)cur.total / (double)all);
        NEAR(jreal(jb, NULL, "share_of_voice_previous"),
             all_prev ? (double)prev.total / (double)all_prev : 0.0);

        /* Daily volume, day by day. */
        json_t *days = json_object_get(jb, "daily");
        assert_int_equal(json_array_size(days), 7);
        for (int d = 0; d < 7; d++) {
            expect e = count(fx, b, from + d * DAY, from + (d + 1) * DAY);
            json_t *x = json_array_get(days, (size_t)d);
            assert_int_equal(jint(x, NULL, "positive"), e.pos);
            assert_int_equal(jint(x, NULL, "neutral"), e.neu);
            assert_int_equal(jint(x, NULL, "negative"), e.neg);
            assert_int_equal(jint(x, NULL, "total"), e.total);
        }
        /* The 8-week trend ends with this week. */
        json_t *trend = json_object_get(jb, "trend");
        assert_int_equal(json_array_size(trend), 8);
        for (int w = 0; w < 8; w++) {
            int64_t ws = to - (8 - w) * (int64_t)WEEK;
            expect e = count(fx, b, ws, ws + WEEK);
            json_t *x = json_array_get(trend, (size_t)w);
            assert_int_equal(jint(x, NULL, "mentions"), e.total);
            NEAR(jreal(x, NULL, "net_sentiment"),
                 e.total ? (double)(e.pos - e.neg) / (double)e.total : 0.0);
        }
        assert_int_equal(json_array_size(json_object_get(jb, "alerts")), 0);
    }

    /* Share of voice over every brand sums to one. */
    double sum = 0.0;
    size_t i;
    json_t *v;
    json_array_foreach(json_object_get(root, "share_of_voice"), i, v)
        sum += jreal(v, NULL, "share");
    NEAR(sum, 1.0);
    json_decref(root);
}

static void top_lists_fold_syndicated_copies_and_follow_corrections(void **state)
{
    fixture *fx = *state;
    build(fx, 1);
    json_t *root = digest_json(fx, "2026-W47");
    json_t *alpha = brand_of(root, "Alpha");

    /* Negative: the syndicated pair once (first copy, 2 copies), then the
     * -0.6 one, then the positive-scored mention a human marked negative. */
    json_t *neg = json_object_get(alpha, "most_negative");
    assert_int_equal(json_array_size(neg), 3);
    assert_string_equal(json_string_value(json_object_get(json_array_get(neg, 0), "url")),
                        "https://Forum.example/post/3");
    assert_int_equal(jint(json_array_get(neg, 0), NULL, "copies"), 2);
    NEAR(jreal(json_array_get(neg, 1), NULL, "score"), -0.6);
    assert_true(json_is_true(json_object_get(json_array_get(neg, 2), "corrected")));
    json_t *pos = json_object_get(alpha, "most_positive");
    assert_int_equal(json_array_size(pos), 2);
    NEAR(jreal(json_array_get(pos, 0), NULL, "score"), 0.8);
    NEAR(jreal(json_array_get(pos, 1), NULL, "score"), 0.7);

    /* Top sources: News 3, Forum 2, Blog 2 (tie broken by id). */
    json_t *src = json_object_get(alpha, "top_sources");
    assert_int_equal(json_array_size(src), 3);
    assert_string_equal(json_string_value(json_object_get(json_array_get(src, 0), "name")), "News");
    assert_int_equal(jint(json_array_get(src, 0), NULL, "mentions"), 3);
    assert_int_equal(jint(json_array_get(src, 0), NULL, "negative"), 1); /* the correction */
    json_decref(root);
}

static void emerging_terms_match_a_hand_computed_g2(void **state)
{
    fixture *fx = *state;
    build(fx, 1);
    json_t *root = digest_json(fx, "2026-W47");
    json_t *terms = json_object_get(brand_of(root, "Alpha"), "emerging_terms");
    /* This week: 6 pieces of content (the copy folded): 4 x "outage
     * router", 2 x "calm day" -> 12 words. Reference (4 weeks before):
     * 5 x "calm day" -> 10 words. "calm" and "day" fell; "calm day" too. */
    double c = 12, d = 10, a = 4, e1 = c * a / (c + d);
    double g2 = 2.0 * a * log(a / e1);
    static const char *const want[] = {"outage", "outage router", "router"};
    assert_int_equal(json_array_size(terms), 3);
    for (size_t i = 0; i < 3; i++) {
        json_t *t = json_array_get(terms, i);
        assert_string_equal(json_string_value(json_object_get(t, "term")), want[i]);
        assert_int_equal(jint(t, NULL, "count"), 4);
        assert_int_equal(jint(t, NULL, "reference_count"), 0);
        NEAR(jreal(t, NULL, "g2"), g2);
    }
    json_decref(root);
}

static void brand_added_mid_period_says_since_when(void **state)
{
    fixture *fx = *state;
    build(fx, 1);
    json_t *root = digest_json(fx, "2026-W47");
    json_t *g = brand_of(root, "Gamma");
    assert_true(json_is_true(json_object_get(g, "added_mid_period")));
    assert_string_equal(json_string_value(json_object_get(g, "since")), "2026-11-19T07:00:00Z");
    assert_true(json_is_false(json_object_get(brand_of(root, "Alpha"), "added_mid_period")));
    json_decref(root);

    vg_buf out;
    vg_buf_init(&out, 1 << 20);
    assert_int_equal(vigie(fx, &out, "digest", "--week", "2026-W47", "--format", "txt",
                           "--locale", "fr", NULL), 0);
    assert_non_null(strstr(vg_buf_str(&out), "Suivie depuis le 19 nov. 2026"));
    vg_buf_free(&out);
}

static void empty_week_says_so_and_divides_by_nothing(void **state)
{
    fixture *fx = *state;
    build(fx, 1);
    json_t *root = digest_json(fx, "2026-W30");
    for (int b = 0; b < 3; b++) {
        json_t *jb = brand_of(root, brands[b]);
        expect zero = {0};
        check_stats(json_object_get(jb, "current"), zero);
        assert_true(json_is_null(json_object_get(json_object_get(jb, "change"), "mentions_pct")));
        NEAR(jreal(jb, NULL, "share_of_voice"), 0.0);
    }
    json_decref(root);
    static const char *const fmts[] = {"txt", "md", "html"};
    for (int i = 0; i < 3; i++) {
        vg_buf out;
        vg_buf_init(&out, 1 << 20);
        assert_int_equal(vigie(fx, &out, "digest", "--week", "2026-W30", "--format", fmts[i],
                               "--locale", "en", NULL), 0);
        assert_non_null(strstr(vg_buf_str(&out), "No mentions in this period."));
        assert_non_null(strstr(vg_buf_str(&out), "No alerts fired in this period."));
        assert_null(strstr(vg_buf_str(&out), "nan"));
        assert_null(strstr(vg_buf_str(&out), "inf"));
        vg_buf_free(&out);
    }
}

static void database_without_brands_still_writes_a_digest(void **state)
{
    fixture *fx = *state;
    store *st = NULL;
    assert_int_equal(store_open(fx->db, &st), VG_OK);
    store_close(st);
    vg_buf out;
    vg_buf_init(&out, 1 << 20);
    assert_int_equal(vigie(fx, &out, "digest", "--week", "2026-W47", "--format", "html", NULL), 0);
    assert_non_null(strstr(vg_buf_str(&out), "No brand is tracked yet."));
    vg_buf_free(&out);
}

static void goals_report_met_on_track_off_track(void **state)
{
    fixture *fx = *state;
    build(fx, 1);
    assert_int_equal(vigie(fx, NULL, "goal", "add", "--brand", "Alpha", "--metric", "volume",
                           "--target", "5", NULL), 0);
    assert_int_equal(vigie(fx, NULL, "goal", "add", "--brand", "Alpha", "--metric",
                           "negative-share", "--target", "30%", NULL), 0);
    assert_int_equal(vigie(fx, NULL, "goal", "add", "--brand", "Beta", "--metric",
                           "share-of-voice", "--target", "0.1", NULL), 0);
    /* Alpha's mentions rose 4 -> 7: on track for 9 by mid-December. */
    assert_int_equal(vigie(fx, NULL, "goal", "add", "--brand", "Alpha", "--metric", "volume",
                           "--target", "9", "--by", "2026-12-15", NULL), 0);
    assert_int_equal(vigie(fx, NULL, "goal", "add", "--brand", "Nope", "--metric", "volume",
                           "--target", "9", NULL), 2);
    assert_int_equal(vigie(fx, NULL, "goal", "add", "--brand", "Alpha", "--metric", "mood",
                           "--target", "9", NULL), 2);
    assert_int_equal(vigie(fx, NULL, "goal", "add", "--brand", "Alpha", "--metric",
                           "negative-share", "--target", "140%", NULL), 2);

    json_t *root = digest_json(fx, "2026-W47");
    json_t *ga = json_object_get(brand_of(root, "Alpha"), "goals");
    assert_int_equal(json_array_size(ga), 3);
    assert_string_equal(json_string_value(json_object_get(json_array_get(ga, 0), "status")), "met");
    NEAR(jreal(json_array_get(ga, 1), NULL, "current"), 4.0 / 7.0);
    assert_string_equal(json_string_value(json_object_get(json_array_get(ga, 1), "status")),
                        "off-track");
    assert_string_equal(json_string_value(json_object_get(json_array_get(ga, 2), "status")),
                        "on-track");
    json_t *gb = json_object_get(brand_of(root, "Beta"), "goals");
    assert_string_equal(json_string_value(json_object_get(json_array_get(gb, 0), "status")), "met");
    json_decref(root);

    vg_buf out;
    vg_buf_init(&out, 1 << 16);
    assert_int_equal(vigie(fx, &out, "goal", "list", "--format", "json", NULL), 0);
    json_t *list = json_loads(vg_buf_str(&out), 0, NULL);
    assert_int_equal(json_array_size(list), 4);
    json_decref(list);
    vg_buf_free(&out);
    assert_int_equal(vigie(fx, NULL, "goal", "rm", "1", NULL), 0);
    assert_int_equal(vigie(fx, NULL, "goal", "rm", "1", NULL), 1);
}

static void every_digest_is_archived_and_shown_again(void **state)
{
    fixture *fx = *state;
    build(fx, 1);
    assert_int_equal(vigie(fx, NULL, "digest", "--week", "2026-W47", "--out", fx->out,
                           "--format", "md", "--brand", "Alpha", NULL), 0);
    FILE *f = fopen(fx->out, "r");
    assert_non_null(f);
    char file[1 << 15];
    size_t n = fread(file, 1, sizeof file - 1, f);
    file[n] = '\0';
    fclose(f);
    assert_non_null(strstr(file, "## Alpha"));
    assert_null(strstr(file, "## Beta"));

    vg_buf out;
    vg_buf_init(&out, 1 << 16);
    assert_int_equal(vigie(fx, &out, "digest", "list", "--format", "json", NULL), 0);
    json_t *list = json_loads(vg_buf_str(&out), 0, NULL);
    assert_int_equal(json_array_size(list), 1);
    assert_string_equal(json_string_value(json_object_get(json_array_get(list, 0), "brand")), "Alpha");
    assert_string_equal(json_string_value(json_object_get(json_array_get(list, 0), "format")), "md");
    json_decref(list);
    vg_buf_reset(&out);
    assert_int_equal(vigie(fx, &out, "digest", "show", "1", NULL), 0);
    assert_string_equal(vg_buf_str(&out), file);
    vg_buf_free(&out);
    assert_int_equal(vigie(fx, NULL, "digest", "show", "99", NULL), 1);
}

static void html_has_accessible_charts_and_locale_numbers(void **state)
{
    fixture *fx = *state;
    build(fx, 1);
    vg_buf out;
    vg_buf_init(&out, 1 << 22);
    assert_int_equal(vigie(fx, &out, "digest", "--week", "2026-W47", "--format", "html",
                           "--locale", "fr", NULL), 0);
    const char *h = vg_buf_str(&out);
    /* Share of voice + per brand (daily, trend): 1 + 3 * 2 charts. */
    size_t svgs = 0;
    for (const char *p = h; (p = strstr(p, "<svg")) != NULL; p++)
        svgs++;
    assert_int_equal(svgs, 7);
    assert_non_null(strstr(h, "role=\"img\" aria-labelledby="));
    assert_non_null(strstr(h, "<html lang=\"fr\">"));
    assert_non_null(strstr(h, "16 nov. 2026"));
    assert_non_null(strstr(h, "63,6\xc2\xa0%")); /* Alpha's share of voice, 7/11 */
    assert_null(strstr(h, "<script"));
    vg_buf_reset(&out);
    assert_int_equal(vigie(fx, &out, "digest", "--week", "2026-W47", "--format", "html",
                           "--locale", "en", NULL), 0);
    assert_non_null(strstr(vg_buf_str(&out), "Nov 16, 2026"));
    assert_non_null(strstr(vg_buf_str(&out), "63.6%"));
    vg_buf_free(&out);
}

static void bad_usage_exits_2_naming_the_argument(void **state)
{
    fixture *fx = *state;
    build(fx, 0);
    static const char *const bad[][4] = {
        {"--week", "2026-W60", NULL, NULL},  {"--week", "soon", NULL, NULL},
        {"--format", "pdf", NULL, NULL},     {"--locale", "de", NULL, NULL},
        {"--brand", "Nope", NULL, NULL},     {"--from", "2026-11-01", NULL, NULL},
        {"--from", "2026-11-01", "--to", "2026-10-01"},
        {"--from", "2026-01-01", "--to", "2026-12-01"},
    };
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++)
        assert_int_equal(vigie(fx, NULL, "digest", bad[i][0], bad[i][1], bad[i][2], bad[i][3],
                               NULL),
                         2);
    assert_int_equal(vigie(fx, NULL, "digest", "--help", NULL), 0);
    assert_int_equal(vigie(fx, NULL, "goal", "--help", NULL), 0);
    assert_int_equal(vigie(fx, NULL, "goal", "add", "--help", NULL), 0);
    assert_int_equal(vigie(fx, NULL, "digest", "list", "--help", NULL), 0);
    assert_int_equal(vigie(fx, NULL, "digest", "show", "x", NULL), 2);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(json_numbers_match_an_independent_count, setup, teardown),
        cmocka_unit_test_setup_teardown(top_lists_fold_syndicated_copies_and_follow_corrections,
                                        setup, teardown),
        cmocka_unit_test_setup_teardown(emerging_terms_match_a_hand_computed_g2, setup, teardown),
        cmocka_unit_test_setup_teardown(brand_added_mid_period_says_since_when, setup, teardown),
        cmocka_unit_test_setup_teardown(empty_week_says_so_and_divides_by_nothing, setup, teardown),
        cmocka_unit_test_setup_teardown(database_without_brands_still_writes_a_digest, setup,
                                        teardown),
        cmocka_unit_test_setup_teardown(goals_report_met_on_track_off_track, setup, teardown),
        cmocka_unit_test_setup_teardown(every_digest_is_archived_and_shown_again, setup, teardown),
        cmocka_unit_test_setup_teardown(html_has_accessible_charts_and_locale_numbers, setup,
                                        teardown),
        cmocka_unit_test_setup_teardown(bad_usage_exits_2_naming_the_argument, setup, teardown),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
