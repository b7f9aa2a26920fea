/*
 * Brand matching at scale: generates plausible brand queries (invented
 * brand names with their @handle and #hashtag, OR-groups of products,
 * phrases, exclusions, wildcards, NEAR) and a corpus of mixed French and
 * English posts and articles that mention some of those brands, then
 * prints documents/s and MB/s on one thread with 10, 1,000 and 10,000
 * queries indexed by the matcher, and the 10,000/10 slowdown. Tokenizing
 * is timed apart, since the pipeline does it once per document for
 * matching and sentiment together; the one-query-at-a-time loop the
 * matcher replaces is timed on a slice of the corpus for comparison.
 */
#include "monitor/matcher.h"

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#define N_DOCS 3000
#define MAX_QUERIES 10000

static double now(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static uint64_t rng = 0x243f6a8885a308d3ULL;
static unsigned rnd(unsigned n)
{
    rng ^= rng << 13;
    rng ^= rng >> 7;
    rng ^= rng << 17;
    return (unsigned)(rng % n);
}

/* Invented brand names from syllables: pronounceable, mostly unique. */
static void brand_name(size_t i, char *out, size_t cap)
{
    static const char *const syl[] = {
        "fi", "bre", "lia", "net", "o", "cean", "ver", "ta", "zen", "mo",
        "ka", "lu", "dor", "rix", "pha", "sol", "vi", "gro", "tel", "nova",
        "qui", "ber", "sa", "lon", "dex", "tra", "mi", "cor", "ly", "xo",
        "pen", "ga", "rou", "bel", "is", "tor"};
    size_t n = sizeof syl / sizeof syl[0];
    /* Three syllables and a digit-free suffix: 36^3 * 4 names. */
    static const char *const suf[] = {"", "ia", "on", "ex"};
    snprintf(out, cap, "%s%s%s%s", syl[i % n], syl[(i / n) % n],
             syl[(i / (n * n)) % n], suf[(i / (n * n * n)) % 4]);
}

static const char *const products[] = {
    "box", "fibre", "mobile", "forfait", "app", "banque", "assurance",
    "livraison", "abonnement", "carte", "store", "outlet"};
static const char *const topics[] = {
    "panne", "outage", "service client", "customer service", "remboursement",
    "refund", "prix", "price", "qualité", "quality"};
static const char *const excl[] = {
    "-stage", "-\"offre d emploi\"", "-recrute", "-hiring", "-jobs",
    "NOT concours", "-giveaway"};

static void gen_query(size_t i, char *out, size_t cap)
{
    char b[64];
    brand_name(i, b, sizeof b);
    const char *p = products[rnd(12)];
    const char *t = topics[rnd(10)];
    switch (i % 6) {
    case 0:
        snprintf(out, cap, "%s OR @%s OR #%s %s", b, b, b, excl[rnd(7)]);
        break;
    case 1:
        snprintf(out, cap, "(\"%s %s\" OR %s*) %s %s", b, p, b, excl[rnd(7)],
                 excl[rnd(7)]);
        break;
    case 2:
        snprintf(out, cap, "%s NEAR/5 (%s OR \"%s\")", b, p, t);
        break;
    case 3:
        snprintf(out, cap, "{%c%s} OR @%s -lang:de", b[0] - 32, b + 1, b);
        break;
    case 4:
        snprintf(out, cap, "(%s OR %s%s) AND (%s OR %s OR \"%s\")", b, b, p,
                 p, products[rnd(12)], t);
        break;
    default:
        snprintf(out, cap, "%s -\"%s %s\" -site:jobs.example.com", b, b,
                 products[rnd(12)]);
        break;
    }
}

static const char *const fr_sent[] = {
    "Encore une panne de fibre depuis ce matin, le service client ne répond pas",
    "Franchement la nouvelle box est rapide et l'installation s'est bien passée",
    "Les prix augmentent encore une fois au premier janvier, c'est abusé",
    "J'ai enfin reçu le remboursement après trois semaines d'attente",
    "Le technicien est passé à l'heure, rien à redire sur l'intervention",
    "Selon le communiqué, la société prévoit d'ouvrir vingt boutiques en 2027",
    "Mon forfait mobile ne capte toujours rien dans le métro, c'est pénible",
    "L'application plante dès qu'on ouvre l'onglet des factures",
};
static const char *const en_sent[] = {
    "Another outage this morning and customer service keeps me on hold",
    "Honestly the new app is great, setup took five minutes",
    "Prices are going up again next month, not happy about that at all",
    "The refund finally arrived after three weeks of emails",
    "According to the press release the company will open twenty stores",
    "My mobile plan has no signal in the subway, so annoying",
    "Delivery was quick and the product works as described",
    "The support team fixed the billing error within the hour",
};

/* One document: 1 to 12 sentences, mostly one language, with brand names
 * as words, handles or hashtags: half from the first 10 queries (indexed
 * in every run), half invented names no query holds, so every run has
 * the same true matches and the runs differ only by the index's size. */
static size_t gen_doc(char *out, size_t cap)
{
    size_t len = 0;
    unsigned ns = 1 + rnd(12);
    int fr = rnd(2) == 0;
    for (unsigned s = 0; s < ns && len + 200 < cap; s++) {
        const char *sent = (fr ? rnd(10) != 0 : rnd(10) == 0) ? fr_sent[rnd(8)]
                                                               : en_sent[rnd(8)];
        if (rnd(3) == 0) {
            char b[64];
            brand_name(rnd(2) ? rnd(10) : MAX_QUERIES + rnd(30000), b,
                       sizeof b);
            static const char *const form[] = {"%s ", "@%s ", "#%s ",
                                               "Chez %s, ", "%s box "};
            len += (size_t)snprintf(out + len, cap - len, form[rnd(5)], b);
        }
        len += (size_t)snprintf(out + len, cap - len, "%s%s ", sent,
                                rnd(4) == 0 ? " !" : ".");
    }
    return len;
}

int main(void)
{
    static const size_t counts[] = {10, 1000, 10000};
    char **texts = calloc(N_DOCS, sizeof *texts);
    text_tokens **toks = calloc(N_DOCS, sizeof *toks);
    query **qs = calloc(MAX_QUERIES, sizeof *qs);
    if (!texts || !toks || !qs)
        return 1;
    size_t bytes = 0;
    char buf[4096];
    for (size_t i = 0; i < N_DOCS; i++) {
        size_t len = gen_doc(buf, sizeof buf);
        texts[i] = malloc(len + 1);
        if (!texts[i])
            return 1;
        memcpy(texts[i], buf, len + 1);
        bytes += len;
    }
    double t0 = now(), tok_s = 1e9;
    for (int r = 0; r < 3; r++) {
        t0 = now();
        for (size_t i = 0; i < N_DOCS; i++) {
            text_tokens_free(toks[i]);
            if (text_tokenize(texts[i], strlen(texts[i]), &toks[i]) != VG_OK)
                return 1;
        }
        if (now() - t0 < tok_s)
            tok_s = now() - t0;
    }
    double mb = (double)bytes / 1e6;
    printf("corpus: %d documents, %.2f MB (generated, fr/en)\n", N_DOCS, mb);
    printf("tokenize: %.0f docs/s, %.1f MB/s\n", N_DOCS / tok_s, mb / tok_s);
    for (size_t i = 0; i < MAX_QUERIES; i++) {
        char src[512];
        gen_query(i, src, sizeof src);
        if (query_compile(src, &qs[i], NULL) != VG_OK) {
            fprintf(stderr, "query %s: %s\n", src, vg_error_last());
            return 1;
        }
    }
    double base = 0;
    for (size_t c = 0; c < sizeof counts / sizeof counts[0]; c++) {
        size_t nq = counts[c];
        matcher *m = NULL;
        t0 = now();
        if (matcher_new((const query *const *)qs, nq, &m) != VG_OK)
            return 1;
        double build = now() - t0;
        size_t hits = 0;
        /* Several passes over the corpus; the fastest one is reported, as
         * the least disturbed by other work on a shared machine. */
        int reps = 5;
        double dt = 1e9;
        for (int r = 0; r < reps; r++) {
            t0 = now();
            for (size_t i = 0; i < N_DOCS; i++) {
                query_doc d = {.text = texts[i], .tokens = toks[i],
                               .url = "https://www.example.org/a",
                               .lang = "fr"};
                matcher_hit *h = NULL;
                size_t n = 0;
                if (matcher_match_doc(m, &d, &h, &n) != VG_OK)
                    return 1;
                hits += n;
                free(h);
            }
            double pass = now() - t0;
            if (pass < dt)
                dt = pass;
        }
        size_t cands = 0;
        for (size_t i = 0; i < N_DOCS; i++) {
            query_doc d = {.text = texts[i], .tokens = toks[i]};
            size_t *cv = NULL, n = 0;
            if (matcher_candidates(m, &d, &cv, &n) != VG_OK)
                return 1;
            cands += n;
            free(cv);
        }
        if (c == 0)
            base = dt;
        printf("matcher %5zu queries: build %.1f ms, %.0f docs/s, %.1f MB/s "
               "(match only), %.1f MB/s (tokenize + match), %.2f candidates and "
               "%.2f hits/doc, %.2fx the time at 10\n",
               nq, build * 1e3, N_DOCS / dt, mb / dt, mb / (dt + tok_s),
               (double)cands / N_DOCS, (double)hits / reps / N_DOCS,
               dt / base);
        matcher_free(m);

        /* The loop it replaces, on a slice sized to stay short. */
        size_t slice = nq >= 10000 ? 30 : nq >= 1000 ? 300 : N_DOCS;
        size_t sbytes = 0;
        t0 = now();
        for (size_t i = 0; i < slice; i++) {
            query_doc d = {.text = texts[i], .tokens = toks[i],
                           .url = "https://www.example.org/a", .lang = "fr"};
            sbytes += strlen(texts[i]);
            for (size_t k = 0; k < nq; k++) {
                size_t first;
                (void)query_match_doc(qs[k], &d, &first);
            }
        }
        dt = now() - t0;
        printf("  one-by-one loop %5zu queries: %.0f docs/s, %.2f MB/s "
               "(on %zu documents)\n",
               nq, slice / dt, (double)sbytes / 1e6 / dt, slice);
    }
    for (size_t i = 0; i < MAX_QUERIES; i++)
        query_free(qs[i]);
    for (size_t i = 0; i < N_DOCS; i++) {
        free(texts[i]);
        text_tokens_free(toks[i]);
    }
    free(texts);
    free(toks);
    free(qs);
    return 0;
}
