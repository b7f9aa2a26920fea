/*
 * `vigie brand test` and `vigie brand rematch`: a brand's query run over
 * the documents already stored. `test` only counts and shows a sample
 * (what a query edit would change, before saving it); `rematch` applies
 * the stored query (or a new one given with --query, saved first) and
 * brings the brand's mentions in line: new matches become mentions,
 * scored on the sentences around the match as the crawl pipeline does,
 * and mentions the query no longer gives are removed.
 */
#include "app/app.h"

#include "core/buf.h"
#include "core/vtime.h"
#include "monitor/query.h"
#include "sentiment/senti.h"

#include <getopt.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

/* As the pipeline: snippets are capped, the document is the title (unless
 * the text opens with it) followed by the text. */
#define SNIPPET_MAX 600

int cmd_brand_test(app_ctx *ctx, int argc, char **argv);
int cmd_brand_rematch(app_ctx *ctx, int argc, char **argv);

static int usage(int rematch)
{
    if (rematch)
        printf("usage: vigie brand rematch NAME [--query QUERY] [--since WHEN]\n\n"
               "Re-applies the brand's query (after saving QUERY as its new query,\n"
               "when given) to the stored documents since WHEN (default: all):\n"
               "adds the mentions it now finds, removes those it no longer finds.\n");
    else
        printf("usage: vigie brand test NAME [--query QUERY] [--since WHEN] [--limit N]\n\n"
               "Runs the brand's query (or QUERY instead) over the stored documents\n"
               "since WHEN (default 30d) and prints how many would match, how that\n"
               "differs from the stored mentions, and a sample of N (default 5)\n"
               "matches. Changes nothing.\n");
    return APP_OK;
}

/* What one pass found, document by document. */
typedef struct found {
    int64_t doc_id;
    int64_t published_at;
    char *url;
    char *snippet;
    senti_result r;
    int matched;
} found;

typedef struct walk {
    const query *q;
    const senti_engine *senti;  /* NULL: no scoring (test) */
    const int64_t *existing;    /* sorted doc ids with a mention */
    size_t n_existing;
    found *v;
    size_t n, cap;
    size_t docs, matches;
    vg_err err;
} walk;

static int has_mention(const walk *w, int64_t id)
{
    size_t lo = 0, hi = w->n_existing;
    while (lo < hi) {
        size_t mid = lo + (hi - lo) / 2;
        if (w->existing[mid] < id)
            lo = mid + 1;
        else
            hi = mid;
    }
    return lo < w->n_existing && w->existing[lo] == id;
}

/* Matches one stored document; keeps the changes (new match, lost match)
 * and, when testing, the first matches as a sample. */
static int on_doc(const store_document_row *r, void *arg)
{
    walk *w = arg;
    vg_buf all;
    text_tokens *t = NULL;
    char *snip = NULL;
    int stop = 0;

    w->docs++;
    vg_buf_init(&all, TEXT_MAX_BYTES);
    size_t tl = r->title ? strlen(r->title) : 0;
    if (tl && !(r->text && strncmp(r->text, r->title, tl) == 0)) {
        vg_buf_puts(&all, r->title);
        vg_buf_puts(&all, "\n\n");
    }
    vg_buf_puts(&all, r->text ? r->text : "");
    all.err = VG_OK; /* keep what fits */
    const char *s = vg_buf_str(&all);
    if ((w->err = text_tokenize(s, all.len, &t)) != VG_OK) {
        stop = 1;
        goto cleanup;
    }
    const char *lang = r->lang && *r->lang ? r->lang : text_lang_guess(t);
    query_doc qd = {.text = s, .tokens = t, .title = r->title, .url = r->url,
                    .author = r->author, .lang = lang};
    size_t first = 0;
    int m = query_match_doc(w->q, &qd, &first);
    if (m < 0) {
        w->err = (vg_err)m;
        stop = 1;
        goto cleanup;
    }
    w->matches += m > 0;
    int had = has_mention(w, r->id);
    /* rematch keeps changes only; test also keeps a few plain matches. */
    if ((m > 0) == had && !(m > 0 && !w->senti && w->n < 64))
        goto cleanup;
    if (w->n == w->cap) {
        size_t c = w->cap ? w->cap * 2 : 32;
        found *v = realloc(w->v, c * sizeof *v);
        if (!v) {
            w->err = vg_error_set(VG_ENOMEM, "out of memory");
            stop = 1;
            goto cleanup;
        }
        w->v = v;
        w->cap = c;
    }
    found *f = &w->v[w->n];
    memset(f, 0, sizeof *f);
    f->doc_id = r->id;
    f->published_at = r->published_at;
    f->matched = m > 0;
    f->url = strdup(r->url ? r->url : "");
    if (!f->url) {
        w->err = vg_error_set(VG_ENOMEM, "out of memory");
        stop = 1;
        goto cleanup;
    }
    w->n++;
    if (m > 0 && t->n > 0) {
        if ((w->err = query_snippet(s, t, first, SNIPPET_MAX, &snip)) != VG_OK) {
            stop = 1;
            goto cleanup;
        }
        f->snippet = snip;
        snip = NULL;
        if (w->senti) {
            const char *slang = strcmp(lang, "fr") == 0 || strcmp(lang, "en") == 0
                                    ? lang : NULL;
            uint32_t si = t->v[first].sentence;
            size_t sb = t->sent[si > 0 ? si - 1 : 0].tok_begin;
            size_t se = t->sent[si + 1 < t->n_sent ? si + 1 : si].tok_end;
            if ((w->err = senti_score_tokens(w->senti, t, sb, se, slang, &f->r,
                                             NULL)) != VG_OK) {
                stop = 1;
                goto cleanup;
            }
        }
    }
cleanup:
    free(snip);
    text_tokens_free(t);
    vg_buf_free(&all);
    return stop;
}

static void walk_free(walk *w)
{
    for (size_t i = 0; i < w->n; i++) {
        free(w->v[i].url);
        free(w->v[i].snippet);
    }
    free(w->v);
}

/* Shared by both actions: options, the brand, its query, the walk. */
static int run(app_ctx *ctx, int argc, char **argv, int rematch)
{
    static const struct option opts[] = {
        {"query", required_argument, NULL, 'q'}, {"since", required_argument, NULL, 's'},
        {"limit", required_argument, NULL, 'n'}, {"help", no_argument, NULL, 'h'},
        {0}};
    const char *cmd = rematch ? "brand rematch" : "brand test";
    const char *qsrc = NULL;
    int64_t now = vg_now(), since = rematch ? 0 : now - 30 * 86400;
    long limit = 5;
    int c, status = APP_OK;
    store *st = NULL;
    store_brand *brands = NULL;
    size_t nb = 0;
    query *q = NULL;
    senti_engine *senti = NULL;
    int64_t *existing = NULL;
    size_t n_existing = 0;
    walk w;
    memset(&w, 0, sizeof w);

    optind = 1;
    while ((c = app_getopt(cmd, argc, argv, "hq:n:", opts)) != -1) {
        switch (c) {
        case 'q': qsrc = optarg; break;
        case 's':
            if (vg_time_parse_cli(optarg, now, &since) != VG_OK)
                return app_usage_error(cmd, "bad --since: %s", vg_error_last());
            break;
        case 'n': {
            char *end = NULL;
            limit = strtol(optarg, &end, 10);
            if (rematch || end == optarg || *end || limit < 0 || limit > 1000)
                return app_usage_error(cmd, "bad --limit '%s'", optarg);
            break;
        }
        case 'h': return usage(rematch);
        default: return APP_USAGE;
        }
    }
    if (optind != argc - 1)
        return app_usage_error(cmd, optind < argc ? "unexpected argument '%s'"
                                                  : "missing brand NAME%s",
                               optind < argc ? argv[optind + 1] : "");
    const char *name = argv[optind];
    if (qsrc) {
        size_t pos = 0;
        if (query_compile(qsrc, &q, &pos) != VG_OK)
            return app_usage_error(cmd, "bad --query: %s", vg_error_last());
        if (query_is_negative_only(q)) {
            query_free(q);
            return app_usage_error(cmd, "bad --query: it can only match by "
                                        "exclusion; add a term to look for");
        }
    }
    st = app_open_store(ctx, cmd);
    if (!st) {
        status = APP_FAIL;
        goto cleanup;
    }
    if (store_brand_list(st, 0, &brands, &nb) != VG_OK) {
        status = app_fail(cmd, "%s", vg_error_last());
        goto cleanup;
    }
    const store_brand *b = NULL;
    for (size_t i = 0; i < nb && !b; i++)
        if (strcasecmp(brands[i].name, name) == 0)
            b = &brands[i];
    if (!b) {
        status = app_fail(cmd, "no brand named '%s'", name);
        goto cleanup;
    }
    if (!q && query_compile(b->query, &q, NULL) != VG_OK) {
        status = app_fail(cmd, "stored query of '%s' does not compile: %s",
                          b->name, vg_error_last());
        goto cleanup;
    }
    if (rematch && app_senti_open(st, &senti) != VG_OK) {
        status = app_fail(cmd, "sentiment engine: %s", vg_error_last());
        goto cleanup;
    }
    if (store_brand_mention_docs(st, b->id, &existing, &n_existing) != VG_OK) {
        status = app_fail(cmd, "%s", vg_error_last());
        goto cleanup;
    }
    w.q = q;
    w.senti = senti;
    w.existing = existing;
    w.n_existing = n_existing;
    if (store_documents_each(st, since, on_doc, &w) != VG_OK || w.err != VG_OK) {
        status = app_fail(cmd, "%s", vg_error_last());
        goto cleanup;
    }
    size_t added = 0, removed = 0;
    for (size_t i = 0; i < w.n; i++) {
        int had = has_mention(&w, w.v[i].doc_id);
        added += w.v[i].matched && !had;
        removed += !w.v[i].matched && had;
    }
    if (!rematch) {
        char from[21] = "the start";
        if (since > 0)
            vg_time_iso(since, from);
        printf("%s: %zu documents since %s, %zu match; %zu new mentions, "
               "%zu stored mentions would go\n",
               b->name, w.docs, from, w.matches, added, removed);
        long shown = 0;
        for (size_t i = 0; i < w.n && shown < limit; i++) {
            if (!w.v[i].matched)
                continue;
            char date[21];
            vg_time_iso(w.v[i].published_at, date);
            printf("%s\t%s\t%s\n", date, w.v[i].url,
                   w.v[i].snippet ? w.v[i].snippet : "");
            shown++;
        }
        goto cleanup;
    }
    if (qsrc && store_brand_set_query(st, b->id, qsrc) != VG_OK) {
        status = app_fail(cmd, "%s", vg_error_last());
        goto cleanup;
    }
    if (store_begin(st) != VG_OK) {
        status = app_fail(cmd, "%s", vg_error_last());
        goto cleanup;
    }
    for (size_t i = 0; i < w.n; i++) {
        const found *f = &w.v[i];
        int had = has_mention(&w, f->doc_id);
        vg_err e = VG_OK;
        if (f->matched && !had) {
            store_mention m = {.document_id = f->doc_id, .brand_id = b->id,
                               .snippet = f->snippet, .score = f->r.compound,
                               .label = f->r.label, .pos = f->r.pos,
                               .neu = f->r.neu, .neg = f->r.neg,
                               .published_at = f->published_at};
            e = store_mention_insert(st, &m);
        } else if (!f->matched && had) {
            e = store_mention_delete(st, f->doc_id, b->id);
        }
        if (e != VG_OK) {
            status = app_fail(cmd, "%s", vg_error_last());
            store_rollback(st);
            goto cleanup;
        }
    }
    if (store_commit(st) != VG_OK) {
        status = app_fail(cmd, "%s", vg_error_last());
        store_rollback(st);
        goto cleanup;
    }
    if (!ctx->quiet)
        printf("%s: %zu documents, %zu match; %zu mentions added, %zu removed\n",
               b->name, w.docs, w.matches, added, removed);
cleanup:
    walk_free(&w);
    free(existing);
    senti_close(senti);
    query_free(q);
    store_brand_array_free(brands, nb);
    store_close(st);
    return status;
}

int cmd_brand_test(app_ctx *ctx, int argc, char **argv)
{
    return run(ctx, argc, argv, 0);
}

int cmd_brand_rematch(app_ctx *ctx, int argc, char **argv)
{
    return run(ctx, argc, argv, 1);
}
