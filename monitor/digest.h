/*
 * Digests: the weekly listening report, as numbers. digest_build reads
 * the store for a period and assembles, per brand, the period against the
 * previous one of the same length (mentions, net sentiment, negative
 * share, sources, alerts), the daily volume by sentiment, an 8-week
 * trend, share of voice among all brands, top sources, the most positive
 * and negative mentions, emerging terms and goals. report.h renders it
 * (HTML, Markdown, text, JSON). All times are UTC unix seconds.
 *
 * The pure helpers (periods, the G² test, term counting) live in
 * digest_period.c and digest_terms.c so they can be tested without a
 * database; digest.c holds the assembly and needs the store module.
 */
#ifndef VG_DIGEST_H
#define VG_DIGEST_H

#include "core/vg.h"
#include "store/store.h"

#include <stddef.h>
#include <stdint.h>

#define DIGEST_DAY 86400
#define DIGEST_WEEK (7 * DIGEST_DAY)
/* Bounds that keep every list in the report short and every loop small. */
#define DIGEST_TOP_MENTIONS 5
#define DIGEST_TOP_SOURCES 5
#define DIGEST_TERMS 10
#define DIGEST_TREND_WEEKS 8
#define DIGEST_MAX_DAYS 93      /* longest period: about a quarter */
#define DIGEST_MAX_ALERTS 20
#define DIGEST_MAX_BRANDS 200
/* Emerging terms: the reference is the four weeks before the period.
 * When a window holds more mentions than DIGEST_TERM_MAX_DOCS, both are
 * sampled evenly (every step-th mention) to about that many. */
#define DIGEST_TERM_REF_WEEKS 4
#define DIGEST_TERM_MAX_DOCS 6000
#define DIGEST_TERM_MIN_COUNT 3
#define DIGEST_TERM_MAX_BYTES 64

/* ---- periods (digest_period.c) ---- */

/* Parses an ISO week "2026-W47" into [*from, *to) (Monday 00:00 UTC to
 * the next Monday). VG_EINVAL when malformed or week 53 of a 52-week
 * year. */
vg_err digest_week_parse(const char *s, int64_t *from, int64_t *to);

/* The ISO week before the one holding t. */
void digest_last_week(int64_t t, int64_t *from, int64_t *to);

/* The ISO week holding t. */
void digest_week_of(int64_t t, int64_t *from, int64_t *to);

/* ---- statistics and terms (digest_terms.c) ---- */

/* Dunning's log-likelihood G² for a term seen a times in a corpus of c
 * tokens and b times in one of d tokens. 0 when undefined. */
double digest_g2(double a, double b, double c, double d);

/* Non-zero when the folded word is a French or English stop word. */
int digest_stopword(const char *w);

/* Counts of words and two-word phrases over a set of texts. */
typedef struct digest_counter digest_counter;

/* A new empty counter (NULL on allocation failure); digest_counter_free. */
digest_counter *digest_counter_new(void);
void digest_counter_free(digest_counter *c);

/* Tokenizes text (text_tokenize), drops stop words, numbers, words under
 * 3 bytes and the folded words listed in exclude (NULL-terminated, may
 * be NULL: the brand's own name), and counts the words and the
 * two-word phrases of adjacent kept words in one sentence. VG_ENOMEM. */
vg_err digest_counter_add(digest_counter *c, const char *text, size_t len,
                          const char *const *exclude);

/* Number of words counted (the corpus size used by the test). */
int64_t digest_counter_words(const digest_counter *c);

typedef struct digest_term {
    char term[DIGEST_TERM_MAX_BYTES];
    int64_t count;      /* in the period */
    int64_t ref_count;  /* in the reference weeks */
    double g2;
} digest_term;

/* Terms of cur (seen at least min_count times) whose relative frequency
 * rose against ref, by decreasing G² (ties: higher count, then term);
 * writes at most cap into out and returns how many. */
size_t digest_emerging(const digest_counter *cur, const digest_counter *ref,
                       int64_t min_count, digest_term *out, size_t cap);

/* ---- the digest (digest.c) ---- */

typedef struct digest_options {
    int64_t from, to;       /* the period [from, to); required */
    const char *brand;      /* one brand by name, NULL = every enabled one */
    int64_t now;            /* for goals' deadlines; 0 = vg_now() */
} digest_options;

#define DIGEST_OPTIONS_INIT {0, 0, NULL, 0}

typedef struct digest_stats {
    int64_t total, pos, neu, neg, sources, corrected, alerts;
    double net;             /* (pos - neg) / total; 0 when total is 0 */
    double neg_share;       /* neg / total; 0 when total is 0 */
} digest_stats;

/* A change against the previous period; defined is 0 when there is
 * nothing to compare with (no mentions in one of the periods). */
typedef struct digest_change {
    int defined;
    double value;
} digest_change;

typedef struct digest_day {
    int64_t start, pos, neu, neg;
} digest_day;

typedef struct digest_week {
    int64_t start, total, pos, neu, neg;
    double net;
} digest_week;

typedef struct digest_source {
    char *name, *url;
    int64_t total, pos, neu, neg;
} digest_source;

typedef struct digest_mention {
    char *url, *title, *source, *snippet;
    double score;
    int label, corrected;
    int64_t published_at, copies;
} digest_mention;

typedef struct digest_alert {
    char *metric, *severity;
    int64_t bucket_start, created_at;
    double observed, expected;
} digest_alert;

typedef enum digest_goal_status {
    DIGEST_GOAL_MET,
    DIGEST_GOAL_ON_TRACK,
    DIGEST_GOAL_OFF_TRACK,
    DIGEST_GOAL_NO_DATA
} digest_goal_status;

typedef struct digest_goal {
    int64_t id;
    char *metric;
    double target, current, previous;
    int64_t by;
    int has_current;
    digest_goal_status status;
} digest_goal;

typedef struct digest_brand {
    int64_t id;
    char *name;
    int64_t since;          /* tracking start (store_digest_brand_since) */
    int added_mid_period;   /* since falls inside the period */
    digest_stats cur, prev;
    digest_change mentions_pct; /* percent */
    digest_change net_change;   /* difference of net sentiment */
    digest_change neg_share_change;
    double sov, sov_prev;   /* share of voice, 0..1 */
    digest_day *days;
    size_t n_days;
    digest_week trend[DIGEST_TREND_WEEKS];
    digest_source *sources;
    size_t n_sources;
    digest_mention *top_pos, *top_neg;
    size_t n_pos, n_neg;
    digest_term terms[DIGEST_TERMS];
    size_t n_terms;
    int64_t term_docs, term_ref_docs; /* snippets tokenized per window */
    int64_t term_sample_step;          /* 1: every mention was read */
    digest_alert *alerts;
    size_t n_alerts;
    digest_goal *goals;
    size_t n_goals;
} digest_brand;

typedef struct digest_voice {
    char *name;
    int64_t total, prev_total;
    double share, prev_share;
} digest_voice;

typedef struct digest {
    int64_t from, to, prev_from, prev_to, generated_at;
    digest_brand *brands;
    size_t n_brands;
    digest_voice *voices;   /* every enabled brand, for share of voice */
    size_t n_voices;
    int64_t voice_total, voice_prev_total;
    int64_t mentions, corrected; /* over the brands reported */
} digest;

/* Builds the digest of o's period. *out is freed with digest_free.
 * VG_EINVAL for an empty or overlong period (over DIGEST_MAX_DAYS),
 * VG_ENOTFOUND for an unknown brand, VG_EDB/VG_ENOMEM otherwise. */
vg_err digest_build(store *st, const digest_options *o, digest **out);
void digest_free(digest *d);

/* Name of a goal status: "met", "on-track", "off-track", "no-data". */
const char *digest_goal_status_name(digest_goal_status s);

#endif
