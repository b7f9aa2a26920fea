/*
 * Feed parsing throughput on one thread: MB/s on large feeds (about
 * 200 KB, generated RSS 2.0 and Atom with HTML summaries and entities)
 * and small feeds per second (one item, about 1 KB), each printed next
 * to libxml2's own parse-only figure measured in the same run
 * (xmlReadMemory on the same bytes, tree freed), so the ratio says what
 * our normalisation costs. Also the canonical model (feed_model_json)
 * on the large feeds. Feeds are generated here, never read from
 * evaluation data. Targets (issue 4): >= 60 MB/s, >= 20,000 small/s.
 */
#include "core/buf.h"
#include "parser/feed.h"

#include <libxml/parser.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#define LARGE_TARGET_BYTES (200u * 1024)

static double now(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static const char *const words[] = {
    "Fibrelia", "annonce", "une", "panne", "de", "fibre", "dans", "le", "quartier",
    "customers", "report", "slow", "speeds", "after", "the", "upgrade", "NetOcean",
    "r\xc3\xa9seau", "d\xc3\xa9\x62it", "service", "client", "outage", "refund",
};

static void sentence(vg_buf *b, unsigned *seed, int n)
{
    for (int i = 0; i < n; i++) {
        *seed = *seed * 1103515245u + 12345u;
        vg_buf_puts(b, words[(*seed >> 16) % (sizeof words / sizeof words[0])]);
        vg_buf_putc(b, i + 1 < n ? ' ' : '.');
    }
}

/* An RSS 2.0 (atom=0) or Atom 1.0 document of about target bytes. */
static char *make_feed(int atom, size_t target, size_t *len)
{
    vg_buf b;
    unsigned seed = atom ? 7u : 3u;
    vg_buf_init(&b, target * 2 + 65536);
    if (atom)
        vg_buf_puts(&b, "<?xml version=\"1.0\" encoding=\"utf-8\"?>\n"
                        "<feed xmlns=\"http://www.w3.org/2005/Atom\" xml:lang=\"fr\">"
                        "<title>Bench feed</title><id>urn:bench</id>"
                        "<link href=\"https://bench.example/\"/>"
                        "<updated>2026-11-23T10:00:00Z</updated>\n");
    else
        vg_buf_puts(&b, "<?xml version=\"1.0\" encoding=\"utf-8\"?>\n"
                        "<rss version=\"2.0\" xmlns:dc=\"http://purl.org/dc/elements/1.1/\" "
                        "xmlns:content=\"http://purl.org/rss/1.0/modules/content/\">"
                        "<channel><title>Bench feed</title>"
                        "<link>https://bench.example/</link><language>fr</language>\n");
    for (int i = 0; b.len < target; i++) {
        if (atom) {
            vg_buf_printf(&b, "<entry><id>urn:bench:%d</id><title type=\"html\">", i);
            sentence(&b, &seed, 8);
            vg_buf_printf(&b, " &amp;amp; more</title><link href=\"/p/%d\"/>"
                              "<author><name>Author %d</name></author>"
                              "<published>2026-11-%02dT10:%02d:00+01:00</published>"
                              "<updated>2026-11-%02dT11:00:00Z</updated>"
                              "<category term=\"news\"/><summary type=\"html\">&lt;p&gt;",
                          i, i % 7, i % 28 + 1, i % 60, i % 28 + 1);
            sentence(&b, &seed, 40);
            vg_buf_puts(&b, "&lt;/p&gt;</summary><content type=\"html\"><![CDATA[<p>");
            sentence(&b, &seed, 80);
            vg_buf_puts(&b, " &eacute;t&eacute;</p><p>");
            sentence(&b, &seed, 40);
            vg_buf_puts(&b, "</p>]]></content></entry>\n");
        } else {
            vg_buf_printf(&b, "<item><title>");
            sentence(&b, &seed, 8);
            vg_buf_printf(&b, " &#8230;</title><link>https://bench.example/p/%d</link>"
                              "<guid isPermaLink=\"false\">bench-%d</guid>"
                              "<pubDate>Mon, %02d Nov 2026 10:%02d:00 +0100</pubDate>"
                              "<dc:creator>Author %d</dc:creator><category>news</category>"
                              "<description>&lt;p&gt;",
                          i, i, i % 28 + 1, i % 60, i % 7);
            sentence(&b, &seed, 40);
            vg_buf_puts(&b, "&lt;/p&gt;</description><content:encoded><![CDATA[<p>");
            sentence(&b, &seed, 80);
            vg_buf_puts(&b, "</p><p>");
            sentence(&b, &seed, 40);
            vg_buf_puts(&b, "</p>]]></content:encoded></item>\n");
        }
    }
    vg_buf_puts(&b, atom ? "</feed>\n" : "</channel></rss>\n");
    *len = b.len;
    return vg_buf_detach(&b);
}

/* A one-item RSS feed of about 1 KB. */
static char *make_small(size_t *len)
{
    vg_buf b;
    unsigned seed = 11u;
    vg_buf_init(&b, 65536);
    vg_buf_puts(&b, "<?xml version=\"1.0\"?><rss version=\"2.0\"><channel><title>Small</title>"
                    "<link>https://small.example/</link><item><title>");
    sentence(&b, &seed, 8);
    vg_buf_puts(&b, "</title><link>https://small.example/1</link><guid>https://small.example/1</guid>"
                    "<pubDate>Sun, 23 Nov 2026 10:00:00 GMT</pubDate><description>");
    sentence(&b, &seed, 100);
    vg_buf_puts(&b, "</description></item></channel></rss>");
    *len = b.len;
    return vg_buf_detach(&b);
}

typedef enum { RUN_LIBXML2, RUN_FEED_PARSE, RUN_MODEL } run_kind;

/* Seconds per parse of doc, best of a few rounds of iters parses. */
static double time_parse(run_kind kind, const char *doc, size_t len, int iters)
{
    double best = 1e9;
    for (int round = 0; round < 3; round++) {
        double t0 = now();
        for (int i = 0; i < iters; i++) {
            if (kind == RUN_LIBXML2) {
                xmlDocPtr d = xmlReadMemory(doc, (int)len, NULL, NULL,
                                            XML_PARSE_NONET | XML_PARSE_NOERROR |
                                                XML_PARSE_NOWARNING);
                xmlFreeDoc(d);
            } else if (kind == RUN_FEED_PARSE) {
                feed *f = NULL;
                if (feed_parse(doc, len, "https://bench.example/", NULL, &f) != VG_OK) {
                    fprintf(stderr, "bench_feeds: parse failed\n");
                    exit(1);
                }
                feed_free(f);
            } else {
                char *json = NULL;
                feed_model_opts o = FEED_MODEL_OPTS_INIT;
                o.url = "https://bench.example/";
                if (feed_model_json(doc, len, &o, &json) != VG_OK) {
                    fprintf(stderr, "bench_feeds: model failed\n");
                    exit(1);
                }
                free(json);
            }
        }
        double per = (now() - t0) / iters;
        if (per < best)
            best = per;
    }
    return best;
}

int main(void)
{
    feed_global_init();
    size_t rss_len, atom_len, small_len;
    char *rss = make_feed(0, LARGE_TARGET_BYTES, &rss_len);
    char *atom = make_feed(1, LARGE_TARGET_BYTES, &atom_len);
    char *small = make_small(&small_len);
    if (!rss || !atom || !small)
        return 1;
    printf("feeds, one thread (best of 3 rounds)\n");
    const struct {
        const char *name;
        const char *doc;
        size_t len;
    } large[] = {{"RSS 2.0", rss, rss_len}, {"Atom 1.0", atom, atom_len}};
    for (int i = 0; i < 2; i++) {
        double lx = time_parse(RUN_LIBXML2, large[i].doc, large[i].len, 40);
        double fp = time_parse(RUN_FEED_PARSE, large[i].doc, large[i].len, 40);
        double md = time_parse(RUN_MODEL, large[i].doc, large[i].len, 10);
        double mb = (double)large[i].len / 1e6;
        printf("large %-8s %6zu KB: feed_parse %7.1f MB/s | libxml2 parse-only %7.1f MB/s"
               " | ratio %.2f | canonical model %6.1f MB/s\n",
               large[i].name, large[i].len / 1024, mb / fp, mb / lx, lx / fp, mb / md);
    }
    double lx = time_parse(RUN_LIBXML2, small, small_len, 20000);
    double fp = time_parse(RUN_FEED_PARSE, small, small_len, 20000);
    printf("small RSS %zu B: feed_parse %8.0f feeds/s | libxml2 parse-only %8.0f feeds/s"
           " | ratio %.2f\n",
           small_len, 1.0 / fp, 1.0 / lx, lx / fp);
    printf("targets: >= 60 MB/s large, >= 20000 small feeds/s\n");
    free(rss);
    free(atom);
    free(small);
    return 0;
}
