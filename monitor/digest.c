/*
 * The digest's assembly: reads the store (store/digest.c) for the period,
 * the previous period of the same length, the eight weeks ending with the
 * period and the four weeks before it (for emerging terms), and fills a
 * digest that the renderers (report.h) print. Every ratio is guarded:
 * nothing divides by zero, and a comparison with an empty period is
 * reported as undefined rather than as an infinite rise.
 */
#include "monitor/digest.h"

#include "core/buf.h"
#include "core/vtime.h"
#include "text/text.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

static double ratio(int64_t a, int64_t b)
{
    return b > 0 ? (double)a / (double)b : 0.0;
}

static void stats_from(const store_digest_counts *c, int64_t alerts,
                       digest_stats *s)
{
    s->total = c->total;
    s->pos = c->pos;
    s->neu = c->neu;
    s->neg = c->neg;
    s->sources = c->sources;
    s->corrected = c->corrected;
    s->alerts = alerts;
    s->net = ratio(c->pos - c->neg, c->total);
    s->neg_share = ratio(c->neg, c->total);
}

static char *dup_or_empty(const char *s)
{
    return vg_strdup(s != NULL ? s : "");
}

const char *digest_goal_status_name(digest_goal_status s)
{
    switch (s) {
    case DIGEST_GOAL_MET: return "met";
    case DIGEST_GOAL_ON_TRACK: return "on-track";
    case DIGEST_GOAL_OFF_TRACK: return "off-track";
    default: return "no-data";
    }
}

/* ---- emerging terms ---- */

typedef struct term_ctx {
    digest_counter *c;
    const char *const *exclude;
    int64_t docs;
} term_ctx;

static vg_err term_cb(void *arg, const char *text, size_t len)
{
    term_ctx *t = arg;

    t->docs++;
    return digest_counter_add(t->c, text, len, t->exclude);
}

/* The folded words of the brand's name, so "Fibrelia" does not emerge in
 * Fibrelia's own digest. *words (NULL-terminated) and *tok are freed by
 * the caller (free, text_tokens_free). */
static vg_err name_words(const char *name, text_tokens **tok,
                         const char ***words)
{
    vg_err err = text_tokenize(name, strlen(name), tok);
    size_t k = 0;

    *words = NULL;
    if (err != VG_OK)
        return err;
    *words = calloc((*tok)->n + 1, sizeof **words);
    if (*words == NULL)
        return vg_error_set(VG_ENOMEM, "digest: out of memory");
    for (size_t i = 0; i < (*tok)->n; i++)
        (*words)[k++] = text_norm(*tok, i);
    return VG_OK;
}

static vg_err build_terms(store *st, digest_brand *b, int64_t from, int64_t to)
{
    term_ctx cur = {0}, ref = {0};
    text_tokens *tok = NULL;
    const char **words = NULL;
    int64_t ncur = 0, nref = 0, step, rfrom;
    vg_err err;

    if ((err = name_words(b->name, &tok, &words)) != VG_OK)
        goto cleanup;
    cur.c = digest_counter_new();
    ref.c = digest_counter_new();
    if (cur.c == NULL || ref.c == NULL) {
        err = vg_error_set(VG_ENOMEM, "digest: out of memory");
        goto cleanup;
    }
    cur.exclude = ref.exclude = words;
    rfrom = from - DIGEST_TERM_REF_WEEKS * DIGEST_WEEK;
    if ((err = store_digest_volume(st, b->id, from, to, &ncur)) != VG_OK ||
        (err = store_digest_volume(st, b->id, rfrom, from, &nref)) != VG_OK)
        goto cleanup;
    /* Both windows are sampled at the same rate (every step-th mention),
     * so their relative frequencies stay comparable. */
    step = (ncur > nref ? ncur : nref) / DIGEST_TERM_MAX_DOCS + 1;
    b->term_sample_step = step;
    err = store_digest_snippets(st, b->id, from, to, step, term_cb, &cur);
    if (err != VG_OK)
        goto cleanup;
    err = store_digest_snippets(st, b->id, rfrom, from, step, term_cb, &ref);
    if (err != VG_OK)
        goto cleanup;
    b->term_docs = cur.docs;
    b->term_ref_docs = ref.docs;
    b->n_terms = digest_emerging(cur.c, ref.c, DIGEST_TERM_MIN_COUNT, b->terms,
                                 DIGEST_TERMS);

cleanup:
    digest_counter_free(cur.c);
    digest_counter_free(ref.c);
    free(words);
    text_tokens_free(tok);
    return err;
}

/* ---- goals ---- */

static void judge_goal(const digest_brand *b, const digest *d, digest_goal *g)
{
    int lower_better = strcmp(g->metric, "negative-share") == 0;
    int rate = strcmp(g->metric, "volume") != 0;
    double cur, prev;
    int has_prev;

    if (strcmp(g->metric, "net-sentiment") == 0) {
        cur = b->cur.net;
        prev = b->prev.net;
    } else if (lower_better) {
        cur = b->cur.neg_share;
        prev = b->prev.neg_share;
    } else if (strcmp(g->metric, "share-of-voice") == 0) {
        cur = b->sov;
        prev = b->sov_prev;
    } else {
        cur = (double)b->cur.total;
        prev = (double)b->prev.total;
    }
    /* Ratios mean nothing over no mentions; a volume of 0 is a value. */
    g->has_current = !rate || b->cur.total > 0;
    has_prev = !rate || b->prev.total > 0;
    g->current = cur;
    g->previous = prev;
    if (!g->has_current) {
        g->status = DIGEST_GOAL_NO_DATA;
        return;
    }
    if (lower_better ? cur <= g->target : cur >= g->target) {
        g->status = DIGEST_GOAL_MET;
        return;
    }
    g->status = DIGEST_GOAL_OFF_TRACK;
    if (!has_prev)
        return;
    double step = cur - prev; /* change per period */
    if (lower_better)
        step = -step;
    if (step <= 0.0)
        return;
    if (g->by == 0) {
        /* No deadline: moving the right way is on track. */
        g->status = DIGEST_GOAL_ON_TRACK;
        return;
    }
    /* Judged at the period's end, not today: an archived digest of an
     * old week must say what was true then. */
    if (g->by <= d->to)
        return;
    /* Straight-line projection of this period's change to the deadline. */
    double periods = (double)(g->by - d->to) / (double)(d->to - d->from);
    double gap = lower_better ? cur - g->target : g->target - cur;
    if (step * periods >= gap)
        g->status = DIGEST_GOAL_ON_TRACK;
}

static vg_err build_goals(store *st, digest_brand *b, const digest *d)
{
    store_goal *g = NULL;
    size_t n = 0;
    vg_err err = store_goal_list(st, b->id, &g, &n);

    if (err != VG_OK || n == 0)
        goto cleanup;
    b->goals = calloc(n, sizeof *b->goals);
    if (b->goals == NULL) {
        err = vg_error_set(VG_ENOMEM, "digest: out of memory");
        goto cleanup;
    }
    for (size_t i = 0; i < n; i++) {
        digest_goal *x = &b->goals[b->n_goals++];

        x->id = g[i].id;
        x->metric = dup_or_empty(g[i].metric);
        x->target = g[i].target;
        x->by = g[i].by;
        if (x->metric == NULL) {
            err = vg_error_set(VG_ENOMEM, "digest: out of memory");
            goto cleanup;
        }
        judge_goal(b, d, x);
    }

cleanup:
    store_goal_array_free(g, n);
    return err;
}

/* ---- one brand ---- */

static vg_err build_brand(store *st, digest *d, digest_brand *b, int64_t now)
{
    store_digest_counts c;
    store_digest_bucket *bk = NULL;
    store_digest_source *src = NULL;
    store_digest_mention *m = NULL;
    store_digest_alert *al = NULL;
    size_t nsrc = 0, nm = 0, nal = 0;
    int64_t alerts = 0, prev_alerts = 0;
    vg_err err;

    if ((err = store_digest_brand_since(st, b->id, &b->since)) != VG_OK)
        goto cleanup;
    b->added_mid_period = b->since > d->from && b->since < d->to;

    if ((err = store_digest_alerts(st, b->id, d->from, d->to, DIGEST_MAX_ALERTS,
                                   &al, &nal, &alerts)) != VG_OK)
        goto cleanup;
    if (nal > 0 && (b->alerts = calloc(nal, sizeof *b->alerts)) == NULL)
        goto nomem;
    for (size_t i = 0; i < nal; i++) {
        digest_alert *x = &b->alerts[b->n_alerts++];
        x->metric = dup_or_empty(al[i].metric);
        x->severity = dup_or_empty(al[i].severity);
        x->bucket_start = al[i].bucket_start;
        x->created_at = al[i].created_at;
        x->observed = al[i].observed;
        x->expected = al[i].expected;
        if (x->metric == NULL || x->severity == NULL)
            goto nomem;
    }
    store_digest_alert_array_free(al, nal);
    al = NULL;
    nal = 0;
    if ((err = store_digest_alerts(st, b->id, d->prev_from, d->prev_to, 0, &al,
                                   &nal, &prev_alerts)) != VG_OK)
        goto cleanup;

    if ((err = store_digest_counts_get(st, b->id, d->from, d->to, &c)) != VG_OK)
        goto cleanup;
    stats_from(&c, alerts, &b->cur);
    if ((err = store_digest_counts_get(st, b->id, d->prev_from, d->prev_to, &c))
        != VG_OK)
        goto cleanup;
    stats_from(&c, prev_alerts, &b->prev);
    if (b->prev.total > 0) {
        b->mentions_pct.defined = 1;
        b->mentions_pct.value =
            100.0 * (double)(b->cur.total - b->prev.total) / (double)b->prev.total;
    }
    if (b->prev.total > 0 && b->cur.total > 0) {
        b->net_change.defined = b->neg_share_change.defined = 1;
        b->net_change.value = b->cur.net - b->prev.net;
        b->neg_share_change.value = b->cur.neg_share - b->prev.neg_share;
    }

    /* Daily volume: whole days from the period's start. */
    b->n_days = (size_t)((d->to - d->from + DIGEST_DAY - 1) / DIGEST_DAY);
    bk = calloc(b->n_days > DIGEST_TREND_WEEKS ? b->n_days : DIGEST_TREND_WEEKS,
                sizeof *bk);
    b->days = calloc(b->n_days, sizeof *b->days);
    if (bk == NULL || b->days == NULL)
        goto nomem;
    if ((err = store_digest_buckets(st, b->id, d->from, DIGEST_DAY, b->n_days, bk))
        != VG_OK)
        goto cleanup;
    for (size_t i = 0; i < b->n_days; i++) {
        b->days[i].start = d->from + (int64_t)i * DIGEST_DAY;
        b->days[i].pos = bk[i].pos;
        b->days[i].neu = bk[i].neu;
        b->days[i].neg = bk[i].neg;
    }
    /* The trend: eight whole weeks, the last one ending with the period. */
    int64_t tstart = d->to - DIGEST_TREND_WEEKS * DIGEST_WEEK;
    if ((err = store_digest_buckets(st, b->id, tstart, DIGEST_WEEK,
                                    DIGEST_TREND_WEEKS, bk)) != VG_OK)
        goto cleanup;
    for (size_t i = 0; i < DIGEST_TREND_WEEKS; i++) {
        digest_week *w = &b->trend[i];
        w->start = tstart + (int64_t)i * DIGEST_WEEK;
        w->pos = bk[i].pos;
        w->neu = bk[i].neu;
        w->neg = bk[i].neg;
        w->total = w->pos + w->neu + w->neg;
        w->net = ratio(w->pos - w->neg, w->total);
    }

    if ((err = store_digest_top_sources(st, b->id, d->from, d->to,
                                        DIGEST_TOP_SOURCES, &src, &nsrc)) != VG_OK)
        goto cleanup;
    if (nsrc > 0 && (b->sources = calloc(nsrc, sizeof *b->sources)) == NULL)
        goto nomem;
    for (size_t i = 0; i < nsrc; i++) {
        digest_source *x = &b->sources[b->n_sources++];
        x->url = dup_or_empty(src[i].url);
        x->name = dup_or_empty(src[i].title && *src[i].title ? src[i].title
                                                             : src[i].url);
        x->total = src[i].total;
        x->pos = src[i].pos;
        x->neu = src[i].neu;
        x->neg = src[i].neg;
        if (x->url == NULL || x->name == NULL)
            goto nomem;
    }

    for (int sign = 1; sign >= -1; sign -= 2) {
        digest_mention **dst = sign > 0 ? &b->top_pos : &b->top_neg;
        size_t *dn = sign > 0 ? &b->n_pos : &b->n_neg;

        if ((err = store_digest_top_mentions(st, b->id, d->from, d->to, sign,
                                             DIGEST_TOP_MENTIONS, &m, &nm)) != VG_OK)
            goto cleanup;
        if (nm > 0 && (*dst = calloc(nm, sizeof **dst)) == NULL)
            goto nomem;
        for (size_t i = 0; i < nm; i++) {
            digest_mention *x = &(*dst)[(*dn)++];
            x->url = dup_or_empty(m[i].url);
            x->title = dup_or_empty(m[i].title);
            x->source = dup_or_empty(m[i].source);
            x->snippet = dup_or_empty(m[i].snippet);
            x->score = m[i].score;
            x->label = m[i].label;
            x->corrected = m[i].corrected;
            x->published_at = m[i].published_at;
            x->copies = m[i].copies;
            if (!x->url || !x->title || !x->source || !x->snippet)
                goto nomem;
        }
        store_digest_mention_array_free(m, nm);
        m = NULL;
        nm = 0;
    }

    if ((err = build_terms(st, b, d->from, d->to)) != VG_OK)
        goto cleanup;
    err = VG_OK;
    goto cleanup;
nomem:
    err = vg_error_set(VG_ENOMEM, "digest: out of memory");
cleanup:
    (void)now;
    free(bk);
    store_digest_source_array_free(src, nsrc);
    store_digest_mention_array_free(m, nm);
    store_digest_alert_array_free(al, nal);
    return err;
}

vg_err digest_build(store *st, const digest_options *o, digest **out)
{
    store_brand *br = NULL;
    size_t nb = 0;
    digest *d = NULL;
    vg_err err;
    int64_t now;
    int snap = 0;

    *out = NULL;
    if (o == NULL || o->to <= o->from)
        return vg_error_set(VG_EINVAL, "digest: the period is empty");
    if (o->to - o->from > (int64_t)DIGEST_MAX_DAYS * DIGEST_DAY)
        return vg_error_set(VG_EINVAL, "digest: the period is longer than %d days",
                            DIGEST_MAX_DAYS);
    now = o->now ? o->now : vg_now();
    d = calloc(1, sizeof *d);
    if (d == NULL)
        return vg_error_set(VG_ENOMEM, "digest: out of memory");
    d->from = o->from;
    d->to = o->to;
    d->prev_to = o->from;
    d->prev_from = o->from - (o->to - o->from);
    d->generated_at = now;

    if ((err = store_digest_snapshot_begin(st)) != VG_OK)
        goto cleanup;
    snap = 1;
    if ((err = store_brand_list(st, 1, &br, &nb)) != VG_OK)
        goto cleanup;
    if (nb > DIGEST_MAX_BRANDS)
        nb = DIGEST_MAX_BRANDS; /* the rest are freed below with the array */
    if (o->brand != NULL) {
        size_t i;
        for (i = 0; i < nb && strcasecmp(br[i].name, o->brand) != 0; i++)
            ;
        if (i == nb) {
            err = vg_error_set(VG_ENOTFOUND, "no enabled brand '%s'", o->brand);
            goto cleanup;
        }
    }

    /* Share of voice is always among every enabled brand. */
    if (nb > 0 && (d->voices = calloc(nb, sizeof *d->voices)) == NULL)
        goto nomem;
    for (size_t i = 0; i < nb; i++) {
        digest_voice *v = &d->voices[d->n_voices++];

        if ((v->name = vg_strdup(br[i].name)) == NULL)
            goto nomem;
        if ((err = store_digest_volume(st, br[i].id, d->from, d->to, &v->total)) != VG_OK ||
            (err = store_digest_volume(st, br[i].id, d->prev_from, d->prev_to,
                                       &v->prev_total)) != VG_OK)
            goto cleanup;
        d->voice_total += v->total;
        d->voice_prev_total += v->prev_total;
    }
    for (size_t i = 0; i < d->n_voices; i++) {
        d->voices[i].share = ratio(d->voices[i].total, d->voice_total);
        d->voices[i].prev_share = ratio(d->voices[i].prev_total, d->voice_prev_total);
    }

    if (nb > 0 && (d->brands = calloc(nb, sizeof *d->brands)) == NULL)
        goto nomem;
    for (size_t i = 0; i < nb; i++) {
        digest_brand *b;

        if (o->brand != NULL && strcasecmp(br[i].name, o->brand) != 0)
            continue;
        b = &d->brands[d->n_brands++];
        b->id = br[i].id;
        if ((b->name = vg_strdup(br[i].name)) == NULL)
            goto nomem;
        b->sov = d->voices[i].share;
        b->sov_prev = d->voices[i].prev_share;
        if ((err = build_brand(st, d, b, now)) != VG_OK)
            goto cleanup;
        if ((err = build_goals(st, b, d)) != VG_OK)
            goto cleanup;
        d->mentions += b->cur.total;
        d->corrected += b->cur.corrected;
    }
    err = VG_OK;
    goto cleanup;
nomem:
    err = vg_error_set(VG_ENOMEM, "digest: out of memory");
cleanup:
    if (snap)
        store_digest_snapshot_end(st);
    store_brand_array_free(br, nb);
    if (err != VG_OK) {
        digest_free(d);
        return err;
    }
    *out = d;
    return VG_OK;
}

static void mentions_free(digest_mention *v, size_t n)
{
    for (size_t i = 0; i < n; i++) {
        free(v[i].url);
        free(v[i].title);
        free(v[i].source);
        free(v[i].snippet);
    }
    free(v);
}

void digest_free(digest *d)
{
    if (d == NULL)
        return;
    for (size_t i = 0; i < d->n_brands; i++) {
        digest_brand *b = &d->brands[i];

        free(b->name);
        free(b->days);
        for (size_t j = 0; j < b->n_sources; j++) {
            free(b->sources[j].name);
            free(b->sources[j].url);
        }
        free(b->sources);
        mentions_free(b->top_pos, b->n_pos);
        mentions_free(b->top_neg, b->n_neg);
        for (size_t j = 0; j < b->n_alerts; j++) {
            free(b->alerts[j].metric);
            free(b->alerts[j].severity);
        }
        free(b->alerts);
        for (size_t j = 0; j < b->n_goals; j++)
            free(b->goals[j].metric);
        free(b->goals);
    }
    free(d->brands);
    for (size_t i = 0; i < d->n_voices; i++)
        free(d->voices[i].name);
    free(d->voices);
    free(d);
}
