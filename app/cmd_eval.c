/*
 * `vigie eval`: measures the sentiment engine. `eval sentiment FILE.tsv`
 * scores labelled lines (label<TAB>text, label pos/neg/neu) and prints the
 * metrics of the project's reference evaluation script with the same
 * definitions, so figures can be compared with published peers;
 * `eval corrections` compares the automatic labels of stored mentions
 * with the labels users set by hand (`vigie mention correct`), per brand.
 */
#include "app/app.h"

#include "sentiment/senti.h"

#include <getopt.h>
#include <jansson.h>
#include <math.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#define EVAL_LINE_MAX (1u << 20)

/* The held-out split shared with tools/derive_lexicon.py: a line belongs
 * to the training part when the FNV-1a 64 hash of its text (the bytes
 * after the first TAB, line end removed) is below 70 modulo 100. Lexicon
 * entries are derived from the training part only, so the held-out part
 * measures what derivation cannot have seen. */
#define EVAL_TRAIN_PERCENT 70

enum { PART_ALL, PART_TRAIN, PART_HELD };

static uint64_t fnv1a64(const char *s, size_t n)
{
    uint64_t h = 1469598103934665603ULL;
    for (size_t i = 0; i < n; i++) {
        h ^= (unsigned char)s[i];
        h *= 1099511628211ULL;
    }
    return h;
}

static int in_part(const char *text, size_t n, int part)
{
    if (part == PART_ALL)
        return 1;
    int train = fnv1a64(text, n) % 100 < EVAL_TRAIN_PERCENT;
    return part == PART_TRAIN ? train : !train;
}

/* True positives, false positives, false negatives of one class. */
typedef struct counts {
    long tp, fp, fn;
} counts;

static double f1(const counts *c)
{
    return c->tp == 0 ? 0.0 : 2.0 * c->tp / (2.0 * c->tp + c->fp + c->fn);
}

typedef struct metrics {
    long n, n_bin, bin_ok, ok3, covered;
    int has_neu;
    counts b[2];  /* binary: 0 pos, 1 neg */
    counts c[3];  /* 3-class: 0 pos, 1 neg, 2 neu */
} metrics;

/* Adds one item; gold and prediction classes are 0 pos, 1 neg, 2 neu.
 * Exactly the reference script's rules: a zero score is a binary miss;
 * the 3-class prediction uses the ±0.05 thresholds. */
static void metrics_add(metrics *m, int gold, double s)
{
    m->n++;
    if (s != 0)
        m->covered++;
    if (gold != 2) {
        m->n_bin++;
        int p = s > 0 ? 0 : s < 0 ? 1 : -1;
        if (p == gold) {
            m->bin_ok++;
            m->b[gold].tp++;
        } else {
            m->b[gold].fn++;
            if (p >= 0)
                m->b[p].fp++;
        }
    }
    int p3 = s >= 0.05 ? 0 : s <= -0.05 ? 1 : 2;
    if (p3 == gold) {
        m->ok3++;
        m->c[gold].tp++;
    } else {
        m->c[gold].fn++;
        m->c[p3].fp++;
    }
}

static void print_num(const char *key, int have, double v, int json, int *first)
{
    if (json) {
        printf("%s\"%s\": ", *first ? "" : ", ", key);
        if (have)
            printf("%.6f", v);
        else
            printf("null");
    } else {
        printf("%s%s=", *first ? "" : "  ", key);
        if (have)
            printf("%.3f", v);
        else
            printf("None");
    }
    *first = 0;
}

/* Prints the metrics in the reference script's order and format. */
static void metrics_print(const metrics *m, int json)
{
    int first = 1;
    if (json)
        printf("{\"n\": %ld, \"n_bin\": %ld, ", m->n, m->n_bin);
    else
        printf("n=%ld  n_bin=%ld  ", m->n, m->n_bin);
    print_num("bin_acc", m->n_bin > 0, m->n_bin ? (double)m->bin_ok / m->n_bin : 0,
              json, &first);
    print_num("bin_mF1", m->n_bin > 0, (f1(&m->b[0]) + f1(&m->b[1])) / 2, json, &first);
    print_num("acc3", m->has_neu, m->n ? (double)m->ok3 / m->n : 0, json, &first);
    print_num("mF1_3", m->has_neu, (f1(&m->c[0]) + f1(&m->c[1]) + f1(&m->c[2])) / 3,
              json, &first);
    print_num("coverage", m->n > 0, m->n ? (double)m->covered / m->n : 0, json, &first);
    printf(json ? "}\n" : "\n");
}

static int usage_sentiment(void)
{
    printf("usage: vigie eval sentiment [--lang fr|en|auto] [--part all|train|held]\n"
           "                            [--format text|json] FILE.tsv\n\n"
           "Scores each line of FILE.tsv (label<TAB>text, label pos, neg or neu)\n"
           "and prints: n; n_bin (pos/neg items); bin_acc and bin_mF1 on pos/neg\n"
           "items, the prediction being the sign of the score (a score of 0 is a\n"
           "miss); acc3 and mF1_3 on all items with pos >= 0.05, neg <= -0.05, else\n"
           "neu (only when the file has neu items, else None); coverage, the share\n"
           "of items with a non-zero score. Scores are taken at the 4 decimals that\n"
           "`vigie score` prints, so the figures equal those of a pipeline through\n"
           "sentiment_eval.py. --part keeps the training (70%%) or held-out (30%%)\n"
           "part of the deterministic split that tools/derive_lexicon.py uses.\n");
    return APP_OK;
}

static int eval_sentiment(app_ctx *ctx, int argc, char **argv)
{
    static const struct option opts[] = {{"lang", required_argument, NULL, 'l'},
                                         {"part", required_argument, NULL, 'p'},
                                         {"format", required_argument, NULL, 'F'},
                                         {"help", no_argument, NULL, 'h'}, {0}};
    const char *cmd = "eval sentiment";
    const char *lang = NULL;
    int json = 0, part = PART_ALL, c;
    optind = 1;
    while ((c = app_getopt(cmd, argc, argv, "h", opts)) != -1) {
        switch (c) {
        case 'l':
            if (strcmp(optarg, "auto") == 0)
                lang = NULL;
            else if (strcmp(optarg, "fr") == 0 || strcmp(optarg, "en") == 0)
                lang = optarg;
            else
                return app_usage_error(cmd, "bad --lang '%s' (fr, en, auto)", optarg);
            break;
        case 'p':
            if (strcmp(optarg, "all") == 0)
                part = PART_ALL;
            else if (strcmp(optarg, "train") == 0)
                part = PART_TRAIN;
            else if (strcmp(optarg, "held") == 0)
                part = PART_HELD;
            else
                return app_usage_error(cmd, "bad --part '%s' (all, train, held)", optarg);
            break;
        case 'F':
            if (strcmp(optarg, "json") == 0)
                json = 1;
            else if (strcmp(optarg, "text") == 0)
                json = 0;
            else
                return app_usage_error(cmd, "bad --format '%s' (text, json)", optarg);
            break;
        case 'h': return usage_sentiment();
        default: return APP_USAGE;
        }
    }
    if (optind + 1 != argc)
        return app_usage_error(cmd, optind < argc ? "extra argument '%s'" : "missing FILE.tsv%s",
                               optind < argc ? argv[optind + 1] : "");
    const char *path = argv[optind];
    FILE *f = fopen(path, "rb");
    if (!f)
        return app_fail(cmd, "cannot open '%s'", path);
    senti_engine *e = NULL;
    int rc = APP_OK;
    char *line = NULL;
    size_t cap = 0;
    ssize_t n;
    long lineno = 0;
    metrics m;
    memset(&m, 0, sizeof m);
    (void)ctx;
    /* The built-in lexicons only: a development figure must not depend on
     * the entries a user added to some database. */
    if (senti_open(&e) != VG_OK) {
        rc = app_fail(cmd, "cannot load lexicons: %s", vg_error_last());
        goto cleanup;
    }
    while ((n = getline(&line, &cap, f)) >= 0) {
        lineno++;
        while (n > 0 && (line[n - 1] == '\n' || line[n - 1] == '\r'))
            line[--n] = '\0';
        /* Blank lines are not items, as in the reference script. */
        size_t k = 0;
        while (k < (size_t)n && (line[k] == ' ' || line[k] == '\t'))
            k++;
        if (k == (size_t)n)
            continue;
        char *tab = memchr(line, '\t', (size_t)n);
        size_t llen = tab ? (size_t)(tab - line) : (size_t)n;
        int gold;
        if (llen == 3 && !memcmp(line, "pos", 3))
            gold = 0;
        else if (llen == 3 && !memcmp(line, "neg", 3))
            gold = 1;
        else if (llen == 3 && !memcmp(line, "neu", 3))
            gold = 2;
        else {
            rc = app_fail(cmd, "%s line %ld: label must be pos, neg or neu", path, lineno);
            goto cleanup;
        }
        const char *text = tab ? tab + 1 : line + n;
        size_t tlen = (size_t)(line + n - text);
        if (!in_part(text, tlen, part))
            continue;
        if (gold == 2)
            m.has_neu = 1;
        senti_result r;
        if (tlen > EVAL_LINE_MAX)
            tlen = EVAL_LINE_MAX;
        if (senti_score(e, text, tlen, lang, &r, NULL) != VG_OK)
            memset(&r, 0, sizeof r);
        /* The precision `vigie score` prints: a compound that rounds to
         * 0.0000 is "no score" for the reference script too. */
        double s = round(r.compound * 10000.0) / 10000.0;
        metrics_add(&m, gold, s);
    }
    if (ferror(f)) {
        rc = app_fail(cmd, "reading '%s' failed", path);
        goto cleanup;
    }
    metrics_print(&m, json);
    if (fflush(stdout) != 0)
        rc = APP_FAIL;
cleanup:
    free(line);
    senti_close(e);
    fclose(f);
    return rc;
}

static int usage_corrections(void)
{
    printf("usage: vigie eval corrections [--format text|json]\n\n"
           "Compares the automatic label of every mention a user corrected\n"
           "(`vigie mention correct`) with the correction, per brand and in\n"
           "total: n corrected, how many the engine had right, the accuracy.\n");
    return APP_OK;
}

typedef struct brand_acc {
    char *brand;
    long n, ok;
} brand_acc;

static int eval_corrections(app_ctx *ctx, int argc, char **argv)
{
    static const struct option opts[] = {{"format", required_argument, NULL, 'F'},
                                         {"help", no_argument, NULL, 'h'}, {0}};
    const char *cmd = "eval corrections";
    int json = 0, c;
    optind = 1;
    while ((c = app_getopt(cmd, argc, argv, "h", opts)) != -1) {
        switch (c) {
        case 'F':
            if (strcmp(optarg, "json") == 0)
                json = 1;
            else if (strcmp(optarg, "text") == 0)
                json = 0;
            else
                return app_usage_error(cmd, "bad --format '%s' (text, json)", optarg);
            break;
        case 'h': return usage_corrections();
        default: return APP_USAGE;
        }
    }
    if (optind < argc)
        return app_usage_error(cmd, "unexpected argument '%s'", argv[optind]);
    store *st = app_open_store(ctx, cmd);
    if (!st)
        return APP_FAIL;
    store_mention_row *rows = NULL;
    size_t nrows = 0, nb = 0;
    brand_acc *acc = NULL;
    long total = 0, total_ok = 0;
    int rc = APP_OK;
    if (store_mentions_query(st, NULL, &rows, &nrows) != VG_OK) {
        rc = app_fail(cmd, "%s", vg_error_last());
        goto cleanup;
    }
    acc = calloc(nrows ? nrows : 1, sizeof *acc);
    if (!acc) {
        rc = app_fail(cmd, "out of memory");
        goto cleanup;
    }
    for (size_t i = 0; i < nrows; i++) {
        const store_mention_row *r = &rows[i];
        if (!r->corrected)
            continue;
        /* The automatic label is a function of the stored score (the
         * engine's thresholds); row.label is the correction. */
        int autol = r->score >= 0.05 ? 1 : r->score <= -0.05 ? -1 : 0;
        size_t b = 0;
        while (b < nb && strcmp(acc[b].brand, r->brand) != 0)
            b++;
        if (b == nb)
            acc[nb++].brand = r->brand;
        acc[b].n++;
        acc[b].ok += autol == r->label;
        total++;
        total_ok += autol == r->label;
    }
    if (json) {
        json_t *o = json_object(), *arr = json_array();
        for (size_t b = 0; b < nb; b++)
            json_array_append_new(arr, json_pack("{s:s,s:I,s:I,s:f}", "brand", acc[b].brand,
                                                 "n", (json_int_t)acc[b].n, "agree",
                                                 (json_int_t)acc[b].ok, "accuracy",
                                                 (double)acc[b].ok / acc[b].n));
        json_object_set_new(o, "brands", arr);
        json_object_set_new(o, "n", json_integer(total));
        json_object_set_new(o, "agree", json_integer(total_ok));
        json_object_set_new(o, "accuracy", total ? json_real((double)total_ok / total) : json_null());
        json_dumpf(o, stdout, JSON_COMPACT);
        putchar('\n');
        json_decref(o);
    } else if (total == 0) {
        printf("no corrected mentions (see vigie mention correct)\n");
    } else {
        printf("%-24s %8s %8s %9s\n", "brand", "n", "agree", "accuracy");
        for (size_t b = 0; b < nb; b++)
            printf("%-24s %8ld %8ld %9.3f\n", acc[b].brand, acc[b].n, acc[b].ok,
                   (double)acc[b].ok / acc[b].n);
        printf("%-24s %8ld %8ld %9.3f\n", "all", total, total_ok, (double)total_ok / total);
    }
    if (fflush(stdout) != 0)
        rc = APP_FAIL;
cleanup:
    free(acc);
    store_mention_row_array_free(rows, nrows);
    store_close(st);
    return rc;
}

static int usage(void)
{
    printf("usage: vigie eval sentiment [--lang fr|en|auto] [--part all|train|held] FILE.tsv\n"
           "       vigie eval corrections [--format text|json]\n\n"
           "Measures the sentiment engine on a labelled file, or against the\n"
           "corrections users made to stored mentions.\n");
    return APP_OK;
}

int cmd_eval(app_ctx *ctx, int argc, char **argv)
{
    if (argc < 2)
        return app_usage_error("eval", "missing action (sentiment, corrections)");
    if (!strcmp(argv[1], "--help") || !strcmp(argv[1], "-h"))
        return usage();
    if (!strcmp(argv[1], "sentiment"))
        return eval_sentiment(ctx, argc - 1, argv + 1);
    if (!strcmp(argv[1], "corrections"))
        return eval_corrections(ctx, argc - 1, argv + 1);
    return app_usage_error("eval", "unknown action '%s' (sentiment, corrections)", argv[1]);
}
