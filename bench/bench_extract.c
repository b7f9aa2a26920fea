/*
 * Article extraction throughput and memory: runs html_extract end to end
 * (charset sniffing and conversion, Gumbo parse, flattening, metadata,
 * main-text scoring) on one thread over generated article pages of 20 to
 * 100 KB, and prints MB/s next to Gumbo's parse-only MB/s measured in the
 * same run on the same bytes, plus the peak heap of one extraction
 * relative to the page size. When the shared extraction set is present
 * (${VIGIE_SHARED:-../shared}/data/extraction/scrapinghub), the same
 * figures are measured on its pages too, read and decompressed at run
 * time (nothing is copied). The generated pages are built from words and
 * a layout written here: navigation, a headline and byline, paragraphs,
 * a list, a figure, a teaser rail, comments and a footer.
 *
 * Targets (issue 4): >= 20 MB/s end to end, peak memory < 10x the page.
 * Prints figures, never asserts times.
 *
 *   bench_extract [ROUNDS]
 */
#include "parser/html.h"

#include <gumbo.h>
#include <dirent.h>
#include <malloc.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

/* ---- peak heap, by interposing glibc's allocator ---- */

/* The executable's malloc family wins symbol resolution for every
 * library, Gumbo and iconv included, so one counter sees it all. Sizes
 * come from malloc_usable_size, so no header is added to blocks. Not
 * under AddressSanitizer, which owns malloc itself. */
#if defined(__SANITIZE_ADDRESS__)
#define HEAP_TRACKED 0
static size_t heap_now, heap_peak;
static int heap_on;
#else
#define HEAP_TRACKED 1
extern void *__libc_malloc(size_t n);
extern void *__libc_calloc(size_t n, size_t m);
extern void *__libc_realloc(void *p, size_t n);
extern void __libc_free(void *p);
static size_t heap_now, heap_peak;
/* Counting is switched on only around the memory measurement, so the
 * timed runs pay one branch per allocation, no more. */
static int heap_on;

static void heap_add(void *p)
{
    if (!p || !heap_on)
        return;
    heap_now += malloc_usable_size(p);
    if (heap_now > heap_peak)
        heap_peak = heap_now;
}

static void heap_sub(void *p)
{
    if (!p || !heap_on)
        return;
    size_t n = malloc_usable_size(p);
    heap_now = heap_now > n ? heap_now - n : 0;
}

void *malloc(size_t n)
{
    void *p = __libc_malloc(n);
    heap_add(p);
    return p;
}

void *calloc(size_t n, size_t m)
{
    void *p = __libc_calloc(n, m);
    heap_add(p);
    return p;
}

void *realloc(void *old, size_t n)
{
    size_t before = old ? malloc_usable_size(old) : 0;
    void *p = __libc_realloc(old, n);
    if (heap_on && (p || n == 0)) {
        heap_now = heap_now > before ? heap_now - before : 0;
        heap_add(p);
    }
    return p;
}

void free(void *p)
{
    heap_sub(p);
    __libc_free(p);
}
#endif

/* CPU time of this thread: the figures are per core, and the two shared
 * cores of the build machine are often busy with other work. */
static double now(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_THREAD_CPUTIME_ID, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

/* ---- generated pages ---- */

static const char *const WORDS[] = {
    "fibre", "network", "customers", "outage", "operator", "engineers",
    "city", "council", "repair", "service", "according", "statement",
    "minister", "report", "weeks", "months", "price", "quality", "speed",
    "coverage", "rural", "towns", "villages", "contract", "investment",
    "said", "told", "would", "could", "after", "before", "during", "while",
    "the", "a", "of", "in", "on", "and", "but", "with", "for", "their",
    "new", "old", "several", "many", "most", "region", "households",
    "complaints", "delay", "install", "connection", "provider", "market",
};
#define NW (sizeof WORDS / sizeof WORDS[0])

static uint64_t rng = 88172645463325252ull;
static unsigned next_rand(void)
{
    rng ^= rng << 13;
    rng ^= rng >> 7;
    rng ^= rng << 17;
    return (unsigned)(rng >> 11);
}

static void put(char **s, size_t *len, size_t *cap, const char *t)
{
    size_t n = strlen(t);
    if (*len + n + 1 > *cap) {
        size_t nc = (*cap + n + 1) * 2;
        char *ns = realloc(*s, nc);
        if (!ns) {
            fprintf(stderr, "bench_extract: out of memory\n");
            exit(1);
        }
        *s = ns;
        *cap = nc;
    }
    memcpy(*s + *len, t, n + 1);
    *len += n;
}

static void sentence(char **s, size_t *len, size_t *cap, int words)
{
    for (int i = 0; i < words; i++) {
        const char *w = WORDS[next_rand() % NW];
        char tmp[40];
        snprintf(tmp, sizeof tmp, "%s%c%s%s", i ? " " : "",
                 i == 0 ? (char)(w[0] - 32) : w[0], w + 1,
                 i == words - 1 ? ". " : (next_rand() % 7 == 0 ? "," : ""));
        put(s, len, cap, tmp);
    }
}

/* A page of roughly target bytes. */
static char *make_page(size_t target, size_t *out_len)
{
    char *s = NULL;
    size_t len = 0, cap = 0;
    put(&s, &len, &cap,
        "<!DOCTYPE html><html lang=\"en\"><head><meta charset=\"utf-8\">"
        "<title>Fibre outage leaves towns offline | Example News</title>"
        "<meta property=\"og:title\" content=\"Fibre outage leaves towns "
        "offline\"><meta property=\"article:published_time\" "
        "content=\"2026-03-05T14:30:00Z\"><link rel=\"canonical\" "
        "href=\"https://news.example/outage\"><style>body{margin:0}"
        ".nav a{color:#333}</style><script>var tracking = {id: 42};"
        "</script></head><body><header class=\"site-header\"><nav><ul>");
    for (int i = 0; i < 30; i++)
        put(&s, &len, &cap, "<li><a href=\"/section\">Section</a></li>");
    put(&s, &len, &cap,
        "</ul></nav></header><div class=\"page\"><main><article>"
        "<h1>Fibre outage leaves towns offline</h1><p class=\"byline\">By "
        "A. Writer, 5 March 2026</p><div class=\"share-bar\"><a href=\"#\">"
        "Share</a> <a href=\"#\">Tweet</a></div><div class=\"body\">");
    size_t body_target = target * 6 / 10;
    int para = 0;
    while (len < body_target) {
        if (para % 9 == 4) {
            put(&s, &len, &cap, "<h2>");
            sentence(&s, &len, &cap, 5);
            put(&s, &len, &cap, "</h2>");
        }
        if (para % 11 == 7) {
            put(&s, &len, &cap,
                "<figure><img src=\"/a.jpg\" alt=\"\"><figcaption>Photo: "
                "agency</figcaption></figure><ul>");
            for (int i = 0; i < 4; i++) {
                put(&s, &len, &cap, "<li>");
                sentence(&s, &len, &cap, 9);
                put(&s, &len, &cap, "</li>");
            }
            put(&s, &len, &cap, "</ul>");
        }
        put(&s, &len, &cap, "<p>");
        int n = 2 + (int)(next_rand() % 4);
        for (int i = 0; i < n; i++)
            sentence(&s, &len, &cap, 8 + (int)(next_rand() % 14));
        if (next_rand() % 3 == 0)
            put(&s, &len, &cap, "<a href=\"/more\">a linked phrase</a> ");
        put(&s, &len, &cap, "</p>");
        para++;
    }
    put(&s, &len, &cap,
        "</div></article></main><aside class=\"rail\"><h3>Most read</h3>"
        "<ul>");
    for (int i = 0; i < 10; i++) {
        put(&s, &len, &cap, "<li><a href=\"/story\">");
        sentence(&s, &len, &cap, 7);
        put(&s, &len, &cap, "</a></li>");
    }
    put(&s, &len, &cap, "</ul></aside><section id=\"comments\"><h2>Comments"
                        "</h2>");
    while (len < target - 600) {
        put(&s, &len, &cap, "<div class=\"comment\"><p>");
        sentence(&s, &len, &cap, 12 + (int)(next_rand() % 20));
        put(&s, &len, &cap, "</p></div>");
    }
    put(&s, &len, &cap,
        "</section></div><footer><p>Copyright 2026 Example News. All "
        "rights reserved.</p><a href=\"/legal\">Legal</a></footer>"
        "<script>window.ads = [];</script></body></html>");
    *out_len = len;
    return s;
}

/* ---- measuring ---- */

typedef struct page {
    char *data;
    size_t len;
} page;

typedef struct figures {
    double extract_mbs, gumbo_mbs, peak_ratio_max, peak_ratio_median;
    double gumbo_ratio_worst; /* Gumbo's own peak on that worst page */
    size_t bytes, worst_page_bytes;
    int failures;
} figures;

static int cmp_double(const void *a, const void *b)
{
    double x = *(const double *)a, y = *(const double *)b;
    return (x > y) - (x < y);
}

static void measure(const page *pages, size_t n, int rounds, figures *f)
{
    memset(f, 0, sizeof *f);
    for (size_t i = 0; i < n; i++)
        f->bytes += pages[i].len;
    /* Gumbo alone, on the same bytes, with the options html_extract uses. */
    GumboOptions opt = kGumboDefaultOptions;
    opt.max_errors = 0;
    double t0 = now();
    for (int r = 0; r < rounds; r++)
        for (size_t i = 0; i < n; i++) {
            GumboOutput *g =
                gumbo_parse_with_options(&opt, pages[i].data, pages[i].len);
            if (g)
                gumbo_destroy_output(&opt, g);
        }
    double tg = now() - t0;
    t0 = now();
    for (int r = 0; r < rounds; r++)
        for (size_t i = 0; i < n; i++) {
            html_doc *d = NULL;
            if (html_extract(pages[i].data, pages[i].len, NULL, NULL, &d) !=
                VG_OK)
                f->failures++;
            html_doc_free(d);
        }
    double te = now() - t0;
    double mb = (double)f->bytes * rounds / 1e6;
    f->gumbo_mbs = tg > 0 ? mb / tg : 0;
    f->extract_mbs = te > 0 ? mb / te : 0;
    /* Peak heap of one extraction over what was live before it. */
    double *ratios = malloc(n * sizeof *ratios);
    if (!ratios)
        return;
    /* Blocks allocated before counting starts are freed uncounted; the
     * measure is the rise over heap_now, so that cannot skew it. */
    heap_on = 1;
    for (size_t i = 0; i < n; i++) {
        size_t base = heap_now;
        heap_peak = heap_now;
        html_doc *d = NULL;
        (void)html_extract(pages[i].data, pages[i].len, NULL, NULL, &d);
        html_doc_free(d);
        ratios[i] = (double)(heap_peak - base) / (double)pages[i].len;
        if (i == 0 || ratios[i] > f->peak_ratio_max) {
            f->peak_ratio_max = ratios[i];
            f->worst_page_bytes = pages[i].len;
            base = heap_now;
            heap_peak = heap_now;
            GumboOutput *g =
                gumbo_parse_with_options(&opt, pages[i].data, pages[i].len);
            if (g)
                gumbo_destroy_output(&opt, g);
            f->gumbo_ratio_worst =
                (double)(heap_peak - base) / (double)pages[i].len;
        }
    }
    heap_on = 0;
    qsort(ratios, n, sizeof *ratios, cmp_double);
    f->peak_ratio_median = ratios[n / 2];
    free(ratios);
}

static void report(const char *label, size_t n, int rounds, const figures *f)
{
    printf("%s: %zu pages, %.1f MB x %d rounds\n", label, n,
           (double)f->bytes / 1e6, rounds);
    printf("  html_extract end to end  %7.1f MB/s   (one core, CPU time; "
           "target >= 20)\n",
           f->extract_mbs);
    printf("  gumbo parse only         %7.1f MB/s   (same bytes, same run)\n",
           f->gumbo_mbs);
    printf("  end to end / parse only  %7.2f\n",
           f->gumbo_mbs > 0 ? f->extract_mbs / f->gumbo_mbs : 0);
    if (HEAP_TRACKED)
        printf("  peak heap / page size    %7.2fx median, %.2fx max   "
               "(target < 10x; worst on a %zu-byte page)\n",
               f->peak_ratio_median, f->peak_ratio_max, f->worst_page_bytes);
    if (HEAP_TRACKED)
        printf("  gumbo parse alone there  %7.1fx\n", f->gumbo_ratio_worst);
    else
        printf("  peak heap / page size    n/a under AddressSanitizer\n");
    if (f->failures)
        printf("  extraction failures      %d\n", f->failures);
}

/* Reads the scrapinghub pages through gzip; 0 pages when absent. */
static size_t load_shared(page **out)
{
    *out = NULL;
    const char *shared = getenv("VIGIE_SHARED");
    char dir[1024];
    snprintf(dir, sizeof dir, "%s/data/extraction/scrapinghub/html",
             shared ? shared : "../shared");
    /* Relative to where the bench runs (the repo root beside shared/),
     * unless $VIGIE_SHARED says where the development data is. */
    DIR *d = opendir(dir);
    if (!d)
        return 0;
    page *pages = NULL;
    size_t n = 0, cap = 0;
    struct dirent *e;
    while ((e = readdir(d)) != NULL) {
        size_t nl = strlen(e->d_name);
        if (nl < 9 || strcmp(e->d_name + nl - 8, ".html.gz") != 0)
            continue;
        char cmd[2048];
        snprintf(cmd, sizeof cmd, "gzip -dc '%s/%s'", dir, e->d_name);
        FILE *p = popen(cmd, "r");
        if (!p)
            continue;
        char *buf = NULL;
        size_t len = 0, bcap = 0;
        for (;;) {
            if (len + 65536 > bcap) {
                bcap = (bcap + 65536) * 2;
                char *nb = realloc(buf, bcap);
                if (!nb)
                    break;
                buf = nb;
            }
            size_t got = fread(buf + len, 1, 65536, p);
            if (got == 0)
                break;
            len += got;
        }
        pclose(p);
        if (!buf || len == 0) {
            free(buf);
            continue;
        }
        if (n == cap) {
            cap = cap ? cap * 2 : 64;
            page *np = realloc(pages, cap * sizeof *np);
            if (!np) {
                free(buf);
                break;
            }
            pages = np;
        }
        pages[n].data = buf;
        pages[n].len = len;
        n++;
    }
    closedir(d);
    *out = pages;
    return n;
}

int main(int argc, char **argv)
{
    int rounds = argc > 1 ? (int)strtol(argv[1], NULL, 10) : 5;
    if (rounds < 1)
        rounds = 1;
    enum { NGEN = 24 };
    page gen[NGEN];
    for (int i = 0; i < NGEN; i++) {
        size_t target = 20000 + (size_t)i * 80000 / (NGEN - 1);
        gen[i].data = make_page(target, &gen[i].len);
    }
    figures f;
    measure(gen, NGEN, rounds, &f);
    report("generated article pages (20-100 KB)", NGEN, rounds, &f);
    for (int i = 0; i < NGEN; i++)
        free(gen[i].data);

    page *sh = NULL;
    size_t nsh = load_shared(&sh);
    if (nsh == 0) {
        printf("scrapinghub pages: skipped: ../shared/data not found\n");
        return 0;
    }
    int sh_rounds = rounds > 2 ? 2 : rounds;
    measure(sh, nsh, sh_rounds, &f);
    report("scrapinghub pages (shared data, read at run time)", nsh,
           sh_rounds, &f);
    for (size_t i = 0; i < nsh; i++)
        free(sh[i].data);
    free(sh);
    return 0;
}
