/*
 * `vigie run` picks up brands and lexicon entries added and removed
 * while it runs. A local feed is polled every second or two; each step
 * writes a new entry naming both brands once the run's log says the
 * brands and lexicon were reloaded, and the mentions stored for that
 * entry must follow what is in force: Zorblax alone, then Zorblax and
 * Quibble, then Quibble alone, then Quibble scored negative once the
 * user's lexicon makes "shop" a very negative word. Entries stored
 * earlier are not analysed again (that is `brand rematch`'s job).
 */
#define _POSIX_C_SOURCE 200809L
#include "app/httpd.h"
#include "vgtest.h"

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include <cmocka.h>

/* Every wait below is bounded by this many 100 ms steps. */
#define WAIT_STEPS 150

typedef struct fixture {
    vgtest_dir d;
    char www[96];
    char log[128];
    httpd *srv;
    uint16_t port;
    int entries;
} fixture;

static void sleep_ms(long ms)
{
    struct timespec ts = {ms / 1000, (ms % 1000) * 1000000L};
    nanosleep(&ts, NULL);
}

/* Rewrites the feed with entries 1..n (renamed into place, so a poll
 * never reads half a file). */
static void write_feed(fixture *fx, int n)
{
    char tmp[128], path[128];
    snprintf(tmp, sizeof tmp, "%s/feed.tmp", fx->www);
    snprintf(path, sizeof path, "%s/feed.xml", fx->www);
    FILE *f = fopen(tmp, "w");
    assert_non_null(f);
    fprintf(f, "<?xml version=\"1.0\"?><rss version=\"2.0\"><channel>"
               "<title>Local news</title><link>http://127.0.0.1:%u/</link>",
            (unsigned)fx->port);
    for (int i = n; i >= 1; i--)
        fprintf(f, "<item><title>Story %d</title>"
                   "<link>http://127.0.0.1:%u/story-%d</link>"
                   "<guid>story-%d</guid>"
                   "<description>Zorblax and Quibble open a shop together "
                   "in the old town, story %d.</description></item>",
                i, (unsigned)fx->port, i, i, i);
    fprintf(f, "</channel></rss>");
    fclose(f);
    assert_int_equal(rename(tmp, path), 0);
    fx->entries = n;
}

/* The CSV of the mentions of brand. */
static char *mentions_of(const fixture *fx, const char *brand)
{
    vg_buf out;
    vg_buf_init(&out, 1 << 20);
    assert_int_equal(vgtest_vigie(fx->d.db, &out, "mentions", "--brand", brand,
                                  "--format", "csv", NULL),
                     0);
    char *s = vg_buf_detach(&out);
    assert_non_null(s);
    return s;
}

static int has_story(const char *csv, int story)
{
    char url[64];
    snprintf(url, sizeof url, "/story-%d,", story);
    return strstr(csv, url) != NULL;
}

/* Waits until brand has a mention of story. */
static int wait_mention(const fixture *fx, const char *brand, int story)
{
    for (int i = 0; i < WAIT_STEPS; i++) {
        char *csv = mentions_of(fx, brand);
        int ok = has_story(csv, story);
        free(csv);
        if (ok)
            return 1;
        sleep_ms(100);
    }
    return 0;
}

/* Waits until the run's log holds count lines with needle. */
static int wait_log(const fixture *fx, const char *needle, int count)
{
    for (int i = 0; i < WAIT_STEPS; i++) {
        FILE *f = fopen(fx->log, "r");
        if (f) {
            char line[512];
            int found = 0;
            while (fgets(line, sizeof line, f))
                found += strstr(line, needle) != NULL;
            fclose(f);
            if (found >= count)
                return 1;
        }
        sleep_ms(100);
    }
    return 0;
}

/* The CSV line of story's mention by brand has label. */
static int labelled(const char *csv, int story, const char *brand, const char *label)
{
    char url[64], want[64];
    snprintf(url, sizeof url, "/story-%d,", story);
    snprintf(want, sizeof want, ",%s,%s,", brand, label);
    for (const char *l = csv; l && *l;) {
        const char *nl = strchr(l, '\n');
        size_t n = nl ? (size_t)(nl - l) : strlen(l);
        char line[2048];
        snprintf(line, sizeof line, "%.*s", (int)(n < sizeof line ? n : sizeof line - 1), l);
        if (strstr(line, url) && strstr(line, want))
            return 1;
        l = nl ? nl + 1 : NULL;
    }
    return 0;
}

static int setup(void **state)
{
    fixture *fx = calloc(1, sizeof *fx);
    assert_non_null(fx);
    vgtest_dir_make(&fx->d, "runbrands");
    snprintf(fx->www, sizeof fx->www, "%s/www", fx->d.dir);
    snprintf(fx->log, sizeof fx->log, "%s/run.log", fx->d.dir);
    assert_int_equal(mkdir(fx->www, 0700), 0);
    assert_int_equal(httpd_start(fx->www, &fx->port, &fx->srv), VG_OK);
    *state = fx;
    return 0;
}

static int teardown(void **state)
{
    fixture *fx = *state;
    httpd_stop(fx->srv);
    vgtest_dir_remove(&fx->d);
    free(fx);
    return 0;
}

static void run_follows_brand_changes(void **state)
{
    fixture *fx = *state;
    char url[96];
    snprintf(url, sizeof url, "http://127.0.0.1:%u/feed.xml", (unsigned)fx->port);
    write_feed(fx, 1);
    assert_int_equal(vgtest_vigie(fx->d.db, NULL, "init", NULL), 0);
    assert_int_equal(vgtest_vigie(fx->d.db, NULL, "config", "set", "crawl.min_interval",
                                  "1", NULL),
                     0);
    assert_int_equal(vgtest_vigie(fx->d.db, NULL, "config", "set", "crawl.max_interval",
                                  "2", NULL),
                     0);
    assert_int_equal(vgtest_vigie(fx->d.db, NULL, "config", "set", "crawl.host_delay_ms",
                                  "0", NULL),
                     0);
    assert_int_equal(vgtest_vigie(fx->d.db, NULL, "source", "add", url, "--kind", "feed",
                                  NULL),
                     0);
    assert_int_equal(vgtest_vigie(fx->d.db, NULL, "brand", "add", "Zorblax", NULL), 0);

    pid_t pid = vgtest_vigie_run(fx->d.db, fx->log, 1);
    assert_true(pid > 0);
    int ok = wait_mention(fx, "Zorblax", 1);

    /* A brand added while it runs. */
    ok = ok && vgtest_vigie(fx->d.db, NULL, "brand", "add", "Quibble", NULL) == 0;
    ok = ok && wait_log(fx, "reloaded: 2 brands in force", 1);
    if (ok)
        write_feed(fx, 2);
    ok = ok && wait_mention(fx, "Quibble", 2) && wait_mention(fx, "Zorblax", 2);

    /* A brand removed while it runs. */
    ok = ok && vgtest_vigie(fx->d.db, NULL, "brand", "rm", "Zorblax", NULL) == 0;
    ok = ok && wait_log(fx, "reloaded: 1 brands in force", 1);
    if (ok)
        write_feed(fx, 3);
    ok = ok && wait_mention(fx, "Quibble", 3);

    /* A lexicon entry added while it runs. */
    ok = ok && vgtest_vigie(fx->d.db, NULL, "lexicon", "add", "--lang", "en", "shop",
                            "-4", NULL) == 0;
    ok = ok && wait_log(fx, "reloaded: 1 brands in force", 2);
    if (ok)
        write_feed(fx, 4);
    ok = ok && wait_mention(fx, "Quibble", 4);
    int status = vgtest_stop(pid);
    if (!ok) {
        fprintf(stderr, "run log:\n");
        FILE *f = fopen(fx->log, "r");
        char line[512];
        while (f && fgets(line, sizeof line, f))
            fputs(line, stderr);
        if (f)
            fclose(f);
    }
    assert_true(ok);
    assert_int_equal(status, 0);

    /* Story 1 was stored before Quibble existed and stays unmatched. */
    char *q = mentions_of(fx, "Quibble");
    assert_false(has_story(q, 1));
    assert_true(has_story(q, 2) && has_story(q, 3));
    /* Scored before and after "shop" became negative. */
    assert_false(labelled(q, 3, "Quibble", "neg"));
    assert_true(labelled(q, 4, "Quibble", "neg"));
    free(q);
    /* Story 3 came after Zorblax was removed: Quibble's mention alone. */
    vg_buf out;
    vg_buf_init(&out, 1 << 20);
    assert_int_equal(vgtest_vigie(fx->d.db, &out, "mentions", "--format", "csv", NULL), 0);
    const char *all = vg_buf_str(&out);
    int n3 = 0;
    for (const char *p = all; (p = strstr(p, "/story-3,")); p++)
        n3++;
    assert_int_equal(n3, 1);
    vg_buf_free(&out);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(run_follows_brand_changes, setup, teardown),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
