/*
 * Per-brand buckets and their detectors (see buckets.h). Brands are few
 * (tens), so they sit in a small array searched linearly. Each brand has
 * three detectors (volume, negative mentions, negative share); the
 * current bucket's counts are judged with detect_peek as mentions
 * arrive, so a storm alerts while it is still rising, and every metric
 * is learnt with detect_push once a later bucket starts (the share is
 * judged only then). One alert per bucket and metric at most.
 */
#include "monitor/buckets.h"

#include "core/log.h"
#include "monitor/alert.h"

#include <stdlib.h>
#include <string.h>

enum { M_VOLUME, M_NEGATIVE, M_SHARE, M_COUNT };

static const char *const metric_names[M_COUNT] = {"volume", "negative", "negative-share"};

typedef struct brand_state {
    int64_t brand_id;
    bucket_stats cur;
    int have;                /* cur holds a bucket */
    detect *det[M_COUNT];
    int alerted[M_COUNT];    /* cur already alerted for this metric */
} brand_state;

struct bucket_monitor {
    bucket_params p;
    brand_state *v;
    size_t n, cap;
};

int64_t bucket_start(int64_t t, int64_t width)
{
    int64_t r = t % width;
    return t - (r < 0 ? r + width : r);
}

vg_err bucket_monitor_new(const bucket_params *params, bucket_monitor **out)
{
    static const bucket_params defaults = BUCKET_PARAMS_INIT;
    const bucket_params *p = params ? params : &defaults;
    *out = NULL;
    if (p->width < 300 || p->width > 86400 || 86400 % p->width != 0)
        return vg_error_set(VG_EINVAL, "bucket width must divide a day, 5 min to 1 day");
    if (p->min_volume < 1)
        return vg_error_set(VG_EINVAL, "minimum volume must be at least 1");
    detect *probe = NULL;
    vg_err err = detect_new(&p->detect, &probe); /* validates the detector settings */
    detect_free(probe);
    if (err != VG_OK)
        return err;
    bucket_monitor *m = calloc(1, sizeof *m);
    if (!m)
        return vg_error_set(VG_ENOMEM, "out of memory");
    m->p = *p;
    *out = m;
    return VG_OK;
}

static void brand_reset_detectors(brand_state *b)
{
    for (int k = 0; k < M_COUNT; k++) {
        detect_free(b->det[k]);
        b->det[k] = NULL;
    }
}

void bucket_monitor_free(bucket_monitor *m)
{
    if (!m)
        return;
    for (size_t i = 0; i < m->n; i++)
        brand_reset_detectors(&m->v[i]);
    free(m->v);
    free(m);
}

static brand_state *find(const bucket_monitor *m, int64_t brand_id)
{
    for (size_t i = 0; i < m->n; i++)
        if (m->v[i].brand_id == brand_id)
            return &m->v[i];
    return NULL;
}

static vg_err brand_get(bucket_monitor *m, int64_t brand_id, brand_state **out)
{
    brand_state *b = find(m, brand_id);
    if (!b) {
        if (m->n == m->cap) {
            size_t ncap = m->cap ? m->cap * 2 : 8;
            brand_state *v = realloc(m->v, ncap * sizeof *v);
            if (!v)
                return vg_error_set(VG_ENOMEM, "out of memory");
            m->v = v;
            m->cap = ncap;
        }
        b = &m->v[m->n++];
        memset(b, 0, sizeof *b);
        b->brand_id = brand_id;
    }
    for (int k = 0; k < M_COUNT; k++)
        if (!b->det[k]) {
            vg_err err = detect_new(&m->p.detect, &b->det[k]);
            if (err != VG_OK)
                return err;
        }
    *out = b;
    return VG_OK;
}

/* The value a metric's detector sees; 0 with *judged 0 when the negative
 * share has too little volume to mean anything. The share is in percent
 * so that the detector's minimum excess reads as percentage points. */
static double metric_value(const bucket_monitor *m, const bucket_stats *s, int k, int *judged)
{
    *judged = 1;
    switch (k) {
    case M_VOLUME: return s->volume;
    case M_NEGATIVE: return s->negative;
    default:
        if (s->volume < m->p.min_volume) {
            *judged = 0;
            return 0;
        }
        return 100.0 * s->negative_share;
    }
}

/* Judges b's current bucket: final (learn from it) or not (peek). */
static vg_err judge(bucket_monitor *m, brand_state *b, store *st, int final, int64_t now,
                    int *alerts)
{
    for (int k = 0; k < M_COUNT; k++) {
        int judged;
        double value = metric_value(m, &b->cur, k, &judged);
        /* A partial bucket's share swings with the order mentions come
         * in (two negatives first read as 100%): judged once complete. */
        if (!judged || (k == M_SHARE && !final))
            continue;
        detect_result r;
        if (final)
            detect_push(b->det[k], b->cur.start, value, &r);
        else
            detect_peek(b->det[k], b->cur.start, value, &r);
        if (!r.alert || b->alerted[k])
            continue;
        b->alerted[k] = 1;
        (*alerts)++;
        if (!st)
            continue;
        /* What the bucket says (top terms, worst mentions); an alert
         * without its detail still beats no alert. */
        char *detail = NULL;
        if (alert_detail_build(st, b->brand_id, b->cur.start, b->cur.start + m->p.width,
                               &detail) != VG_OK)
            VG_WARN("alert detail left out: %s", vg_error_last());
        store_alert a = {b->brand_id, metric_names[k], b->cur.start, value, r.expected,
                         r.low, r.high, r.score, (int)r.severity, detail, now};
        vg_err err = store_alert_record(st, &a, NULL, NULL);
        free(detail);
        if (err != VG_OK)
            return err;
    }
    return VG_OK;
}

static void stats_finish(bucket_stats *s)
{
    s->negative_share = s->volume ? (double)s->negative / s->volume : 0.0;
    s->net_sentiment = s->volume ? (double)(s->positive - s->negative) / s->volume : 0.0;
}

vg_err bucket_add_mention(bucket_monitor *m, store *st, int64_t brand_id, int64_t published_at,
                          int label, int64_t now, int *alerts_out)
{
    brand_state *b = NULL;
    int alerts = 0;
    if (alerts_out)
        *alerts_out = 0;
    vg_err err = brand_get(m, brand_id, &b);
    if (err != VG_OK)
        return err;
    int64_t w = m->p.width;
    int64_t start = bucket_start(published_at > 0 ? published_at : now, w);
    if (b->have && start < b->cur.start)
        return VG_OK; /* late: history, not news */
    if (b->have && start > b->cur.start) {
        err = judge(m, b, st, 1, now, &alerts);
        if (err != VG_OK)
            goto done;
        if (start - b->cur.start > BUCKET_MAX_GAP) {
            brand_reset_detectors(b);
            if ((err = brand_get(m, brand_id, &b)) != VG_OK)
                goto done;
        } else {
            /* Silent buckets are data too: zero mentions. */
            for (int64_t t = b->cur.start + w; t < start; t += w)
                for (int k = 0; k < M_SHARE; k++) {
                    detect_result r;
                    detect_push(b->det[k], t, 0, &r);
                }
        }
        b->have = 0;
    }
    if (!b->have) {
        memset(&b->cur, 0, sizeof b->cur);
        memset(b->alerted, 0, sizeof b->alerted);
        b->cur.start = start;
        b->have = 1;
    }
    b->cur.volume++;
    b->cur.negative += label < 0;
    b->cur.positive += label > 0;
    stats_finish(&b->cur);
    err = judge(m, b, st, 0, now, &alerts);
done:
    if (alerts_out)
        *alerts_out = alerts;
    return err;
}

void bucket_current(const bucket_monitor *m, int64_t brand_id, bucket_stats *out)
{
    const brand_state *b = find(m, brand_id);
    if (b && b->have)
        *out = b->cur;
    else
        memset(out, 0, sizeof *out);
}

vg_err bucket_monitor_prime(bucket_monitor *m, store *st, int64_t since, int64_t now)
{
    store_brand *brands = NULL;
    size_t nb = 0;
    vg_err err = store_brand_list(st, 1, &brands, &nb);
    if (err != VG_OK)
        return err;
    for (size_t i = 0; i < nb && err == VG_OK; i++) {
        store_mention_filter f = STORE_MENTION_FILTER_INIT;
        store_mention_row *v = NULL;
        size_t n = 0;
        f.brand = brands[i].name;
        f.since = since;
        f.originals_only = 1; /* as the writer fed them: copies once */
        if ((err = store_mentions_query(st, &f, &v, &n)) != VG_OK)
            break;
        /* newest first from the store: replay from the end */
        for (size_t k = n; k-- > 0 && err == VG_OK;)
            err = bucket_add_mention(m, NULL, brands[i].id, v[k].published_at, v[k].label, now,
                                     NULL);
        store_mention_row_array_free(v, n);
    }
    store_brand_array_free(brands, nb);
    return err;
}
