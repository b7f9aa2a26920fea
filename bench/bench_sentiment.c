/*
 * Sentiment throughput: tokenizes and scores generated tweet-like texts
 * (French and English, with emoji, negations and boosters) and prints
 * texts per second on one thread, and the engine's load time.
 */
#include "sentiment/senti.h"

#include <stdio.h>
#include <string.h>
#include <time.h>

static double now(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static const char *const heads[] = {
    "@Fibrelia ", "Franchement ", "Honestly ", "", "RT @user: ", "Bon, ",
};
static const char *const bodies[] = {
    "le service client est vraiment nul, toujours pas remboursé",
    "trop bien la nouvelle box, je kiffe grave",
    "ce n'est pas terrible mais le prix est correct",
    "I don't like the new app, it's so slow and buggy",
    "great support, they fixed my outage in 10 minutes",
    "encore une panne de fibre depuis ce matin, injoignables",
    "the refund never arrived, total scam",
    "livraison rapide et produit conforme, je recommande",
};
static const char *const tails[] = {
    "", " 😡", " !!!", " :)", " #fail", " http://t.co/x", " 😍😍",
};

int main(void)
{
    double t0 = now();
    senti_engine *e = NULL;
    if (senti_open(&e) != VG_OK) {
        fprintf(stderr, "senti_open: %s\n", vg_error_last());
        return 1;
    }
    double load = now() - t0;
    char text[512];
    size_t n = 0, pos = 0;
    const size_t total = 400000;
    t0 = now();
    for (size_t i = 0; i < total; i++) {
        int len = snprintf(text, sizeof text, "%s%s%s",
                           heads[i % 6], bodies[(i / 6) % 8], tails[i % 7]);
        senti_result r;
        if (senti_score(e, text, (size_t)len, NULL, &r, NULL) == VG_OK) {
            n++;
            pos += r.label > 0;
        }
    }
    double dt = now() - t0;
    printf("sentiment: load %.1f ms, %zu texts in %.2f s: %.0f texts/s "
           "(tokenize + score, one thread; %zu positive)\n",
           load * 1e3, n, dt, (double)n / dt, pos);
    senti_close(e);
    return 0;
}
