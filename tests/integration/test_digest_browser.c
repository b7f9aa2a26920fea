/*
 * The HTML digest in a real browser: Debian's headless Chromium (fresh
 * profile, file URL, --no-sandbox --disable-gpu) opens the digest of a
 * fixture database once with both --dump-dom, which gives the page as
 * parsed (every chart's <svg> with its <title> and description, the
 * numbers beside the charts), and --screenshot, which gives pixels,
 * decoded with cairo and
 * checked for the chart palette (orange hatching and neutral grey exist
 * only in charts, so they prove the charts were painted, not blank).
 * Chromium's own log must hold no console message (the page has no
 * script; a console line would mean an error in the page). Exits 77
 * (skipped) when no Chromium is installed. Each browser run is bounded
 * by timeout(1).
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <cairo.h>
#include <sys/stat.h>

#include "../fixtures/digest_mail/digest_fixture.h"

/* Seconds one browser run may take on a loaded two-core machine. */
#define BROWSER_TIMEOUT "60"

typedef struct env {
    char dir[64], db[96], html[96], shot[96], url[128];
    char browser[64];
} env;

static env E;

static int find_browser(void)
{
    static const char *const cands[] = {"/usr/bin/chromium", "/usr/bin/chromium-browser",
                                        "/usr/bin/google-chrome"};
    for (size_t i = 0; i < sizeof cands / sizeof cands[0]; i++)
        if (access(cands[i], X_OK) == 0) {
            snprintf(E.browser, sizeof E.browser, "%s", cands[i]);
            return 1;
        }
    return 0;
}

static int group_setup(void **state)
{
    (void)state;
    snprintf(E.dir, sizeof E.dir, "/tmp/vigie-dbrowser-XXXXXX");
    if (mkdtemp(E.dir) == NULL)
        return -1;
    snprintf(E.db, sizeof E.db, "%s/vigie.db", E.dir);
    snprintf(E.html, sizeof E.html, "%s/digest.html", E.dir);
    snprintf(E.shot, sizeof E.shot, "%s/shot.png", E.dir);
    snprintf(E.url, sizeof E.url, "file://%s", E.html);
    if (fx_build(E.db, vg_timegm(2026, 11, 16, 0, 0, 0)) != 0)
        return -1;
    return fx_vigie(E.db, NULL, NULL, "digest", "--week", "2026-W47", "--all", "--out", E.html,
                    NULL) == 0
               ? 0
               : -1;
}

static int group_teardown(void **state)
{
    (void)state;
    fx_rmdir(E.dir);
    return 0;
}

/* Runs the browser on the digest, dumping the DOM on stdout and taking
 * a screenshot; stdout and stderr go to files in the test directory.
 * Returns the wait status. */
static int browser(const char *what)
{
    char shot[128];
    int status = 0;
    char profile[128], out[128], err[128];
    pid_t pid;

    snprintf(profile, sizeof profile, "--user-data-dir=%s/profile-%s", E.dir, what);
    snprintf(out, sizeof out, "%s/%s.out", E.dir, what);
    snprintf(err, sizeof err, "%s/%s.err", E.dir, what);
    snprintf(shot, sizeof shot, "--screenshot=%s", E.shot);
    pid = fork();
    if (pid == 0) {
        char *argv[] = {"timeout", BROWSER_TIMEOUT, E.browser, "--headless", "--disable-gpu",
                        "--no-sandbox", "--no-first-run", "--disable-extensions",
                        "--disable-dev-shm-usage", "--hide-scrollbars", "--enable-logging=stderr",
                        "--window-size=1000,4000", profile, "--dump-dom", shot, E.url, NULL};
        if (freopen(out, "w", stdout) == NULL || freopen(err, "w", stderr) == NULL)
            _exit(126);
        /* No session bus here: spare Chromium the attempts. */
        setenv("DBUS_SESSION_BUS_ADDRESS", "disabled:", 1);
        execvp(argv[0], argv);
        _exit(127);
    }
    if (pid < 0 || waitpid(pid, &status, 0) < 0)
        return -1;
    return status;
}

static char *slurp(const char *what, const char *ext)
{
    char p[128];
    vg_buf b;
    FILE *f;
    char chunk[8192];
    size_t n;

    snprintf(p, sizeof p, "%s/%s.%s", E.dir, what, ext);
    f = fopen(p, "r");
    assert_non_null(f);
    vg_buf_init(&b, 64u << 20);
    while ((n = fread(chunk, 1, sizeof chunk, f)) > 0)
        vg_buf_append(&b, chunk, n);
    fclose(f);
    return vg_buf_detach(&b);
}

static size_t count(const char *hay, const char *needle)
{
    size_t n = 0;
    for (const char *p = hay; (p = strstr(p, needle)) != NULL; p += strlen(needle))
        n++;
    return n;
}

/* Pixels within a small distance of rgb in a cairo image surface. */
static long pixels_near(cairo_surface_t *s, unsigned rgb)
{
    unsigned char *data = cairo_image_surface_get_data(s);
    int w = cairo_image_surface_get_width(s), h = cairo_image_surface_get_height(s);
    int stride = cairo_image_surface_get_stride(s);
    long n = 0;

    for (int y = 0; y < h; y++)
        for (int x = 0; x < w; x++) {
            uint32_t px;
            memcpy(&px, data + (size_t)y * (size_t)stride + (size_t)x * 4, 4);
            int dr = (int)((px >> 16) & 255) - (int)((rgb >> 16) & 255);
            int dg = (int)((px >> 8) & 255) - (int)((rgb >> 8) & 255);
            int db = (int)(px & 255) - (int)(rgb & 255);
            if (dr * dr + dg * dg + db * db < 100)
                n++;
        }
    return n;
}

static void chromium_renders_every_chart_with_its_numbers(void **state)
{
    (void)state;
    /* One run: each browser start is most of the test's time. */
    int st = browser("dom");
    assert_true(st >= 0 && WIFEXITED(st) && WEXITSTATUS(st) == 0);

    char *page = slurp("dom", "out");
    /* Share of voice, daily and trend for both brands, Alpha's alerts. */
    assert_int_equal(count(page, "<svg"), 6);
    assert_int_equal(count(page, "role=\"img\""), 6);
    static const char *const titles[] = {
        ">Share of voice</title>",
        ">Daily volume by sentiment — Alpha</title>",
        ">Net sentiment over 8 weeks — Alpha</title>",
        ">Daily volume by sentiment — Beta</title>",
        ">Net sentiment over 8 weeks — Beta</title>",
        ">Alerts of the period — Alpha</title>",
    };
    for (size_t i = 0; i < sizeof titles / sizeof titles[0]; i++)
        if (count(page, titles[i]) != 1)
            fail_msg("title %s: %zu times", titles[i], count(page, titles[i]));
    /* The numbers, in the charts' descriptions and the tables beside
     * them: Alpha has 8 mentions this week (3 positive, 2 neutral, 3
     * negative), Beta 3; share of voice 8 / 11. */
    assert_non_null(strstr(page, "8 Mentions: 3 Positive, 2 Neutral, 3 Negative."));
    assert_non_null(strstr(page, "3 Mentions: 1 Positive, 1 Neutral, 1 Negative."));
    assert_non_null(strstr(page, "Alpha 72.7%; Beta 27.3%."));
    assert_true(count(page, "<table class=\"numbers\">") == 5);
    free(page);

    /* No console message: the page has no script and loads nothing. */
    char *log = slurp("dom", "err");
    if (strstr(log, ":CONSOLE") != NULL || strstr(log, "Uncaught") != NULL)
        fail_msg("console output:\n%s", log);
    free(log);

    cairo_surface_t *s = cairo_image_surface_create_from_png(E.shot);
    assert_int_equal(cairo_surface_status(s), CAIRO_STATUS_SUCCESS);
    assert_int_equal(cairo_image_surface_get_width(s), 1000);
    cairo_surface_flush(s);
    /* Orange and grey appear only in the charts (hatched negative bars
     * and alert marks; neutral bars): painted, not blank. */
    assert_true(pixels_near(s, 0xe07b00) > 300);
    assert_true(pixels_near(s, 0x9a9a9a) > 300);
    assert_true(pixels_near(s, 0x1f5fa8) > 1000);
    cairo_surface_destroy(s);
}

int main(void)
{
    if (!find_browser()) {
        printf("skipped: no chromium (Debian: chromium)\n");
        return 77;
    }
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(chromium_renders_every_chart_with_its_numbers),
    };
    return cmocka_run_group_tests(tests, group_setup, group_teardown);
}
