/*
 * The JSON digest: every number of the report, unrounded, for scripts and
 * for the tests that check the digest number by number. Built with
 * jansson; dates appear both as ISO strings and unix seconds.
 */
#include "monitor/report_int.h"

#include "core/vtime.h"

#include <jansson.h>
#include <stdlib.h>

static json_t *iso(int64_t t)
{
    char b[21];

    vg_time_iso(t, b);
    return json_string(b);
}

static json_t *day(int64_t t)
{
    char b[21];

    vg_time_iso(t, b);
    b[10] = '\0';
    return json_string(b);
}

static json_t *change(const digest_change *c)
{
    return c->defined ? json_real(c->value) : json_null();
}

static json_t *stats(const digest_stats *s)
{
    return json_pack("{s:I, s:I, s:I, s:I, s:f, s:f, s:I, s:I, s:I}",
                     "mentions", (json_int_t)s->total, "positive", (json_int_t)s->pos,
                     "neutral", (json_int_t)s->neu, "negative", (json_int_t)s->neg,
                     "net_sentiment", s->net, "negative_share", s->neg_share,
                     "sources", (json_int_t)s->sources, "alerts", (json_int_t)s->alerts,
                     "corrected", (json_int_t)s->corrected);
}

static json_t *mentions(const digest_mention *v, size_t n)
{
    json_t *a = json_array();

    for (size_t i = 0; i < n; i++)
        json_array_append_new(
            a, json_pack("{s:s, s:s, s:s, s:o, s:I, s:s, s:f, s:i, s:b, s:I}",
                         "url", v[i].url, "title", v[i].title, "source", v[i].source,
                         "date", iso(v[i].published_at), "published_at",
                         (json_int_t)v[i].published_at, "snippet", v[i].snippet,
                         "score", v[i].score, "label", v[i].label, "corrected",
                         v[i].corrected, "copies", (json_int_t)v[i].copies));
    return a;
}

static json_t *brand(const digest_brand *b)
{
    json_t *o = json_object(), *a;

    json_object_set_new(o, "name", json_string(b->name));
    json_object_set_new(o, "since", iso(b->since));
    json_object_set_new(o, "added_mid_period", json_boolean(b->added_mid_period));
    json_object_set_new(o, "current", stats(&b->cur));
    json_object_set_new(o, "previous", stats(&b->prev));
    json_object_set_new(o, "change",
                        json_pack("{s:o, s:o, s:o}", "mentions_pct",
                                  change(&b->mentions_pct), "net_sentiment",
                                  change(&b->net_change), "negative_share",
                                  change(&b->neg_share_change)));
    json_object_set_new(o, "share_of_voice", json_real(b->sov));
    json_object_set_new(o, "share_of_voice_previous", json_real(b->sov_prev));

    a = json_array();
    for (size_t i = 0; i < b->n_days; i++) {
        const digest_day *x = &b->days[i];
        json_array_append_new(a, json_pack("{s:o, s:I, s:I, s:I, s:I}", "date",
                                           day(x->start), "positive", (json_int_t)x->pos,
                                           "neutral", (json_int_t)x->neu, "negative",
                                           (json_int_t)x->neg, "total",
                                           (json_int_t)(x->pos + x->neu + x->neg)));
    }
    json_object_set_new(o, "daily", a);

    a = json_array();
    for (size_t i = 0; i < DIGEST_TREND_WEEKS; i++) {
        const digest_week *w = &b->trend[i];
        json_array_append_new(a, json_pack("{s:o, s:I, s:I, s:I, s:I, s:f}",
                                           "week_start", day(w->start), "mentions",
                                           (json_int_t)w->total, "positive",
                                           (json_int_t)w->pos, "neutral",
                                           (json_int_t)w->neu, "negative",
                                           (json_int_t)w->neg, "net_sentiment", w->net));
    }
    json_object_set_new(o, "trend", a);

    a = json_array();
    for (size_t i = 0; i < b->n_sources; i++) {
        const digest_source *x = &b->sources[i];
        json_array_append_new(a, json_pack("{s:s, s:s, s:I, s:I, s:I, s:I}", "name",
                                           x->name, "url", x->url, "mentions",
                                           (json_int_t)x->total, "positive",
                                           (json_int_t)x->pos, "neutral",
                                           (json_int_t)x->neu, "negative",
                                           (json_int_t)x->neg));
    }
    json_object_set_new(o, "top_sources", a);
    json_object_set_new(o, "most_positive", mentions(b->top_pos, b->n_pos));
    json_object_set_new(o, "most_negative", mentions(b->top_neg, b->n_neg));

    a = json_array();
    for (size_t i = 0; i < b->n_terms; i++)
        json_array_append_new(a, json_pack("{s:s, s:I, s:I, s:f}", "term",
                                           b->terms[i].term, "count",
                                           (json_int_t)b->terms[i].count,
                                           "reference_count",
                                           (json_int_t)b->terms[i].ref_count, "g2",
                                           b->terms[i].g2));
    json_object_set_new(o, "emerging_terms", a);
    json_object_set_new(o, "term_documents", json_integer(b->term_docs));
    json_object_set_new(o, "term_reference_documents", json_integer(b->term_ref_docs));
    json_object_set_new(o, "term_sample_step", json_integer(b->term_sample_step));

    a = json_array();
    for (size_t i = 0; i < b->n_alerts; i++) {
        const digest_alert *x = &b->alerts[i];
        json_array_append_new(a, json_pack("{s:s, s:s, s:o, s:f, s:f, s:o}", "metric",
                                           x->metric, "severity", x->severity,
                                           "bucket_start", iso(x->bucket_start),
                                           "observed", x->observed, "expected",
                                           x->expected, "created_at", iso(x->created_at)));
    }
    json_object_set_new(o, "alerts", a);

    a = json_array();
    for (size_t i = 0; i < b->n_goals; i++) {
        const digest_goal *g = &b->goals[i];
        json_array_append_new(
            a, json_pack("{s:I, s:s, s:f, s:o, s:f, s:o, s:s}", "id", (json_int_t)g->id,
                         "metric", g->metric, "target", g->target, "current",
                         g->has_current ? json_real(g->current) : json_null(),
                         "previous", g->previous, "by",
                         g->by ? iso(g->by) : json_null(), "status",
                         digest_goal_status_name(g->status)));
    }
    json_object_set_new(o, "goals", a);
    return o;
}

vg_err report_render_json(const digest *d, vg_buf *out)
{
    json_t *root = json_object(), *a;
    char *s = NULL;
    vg_err err = VG_OK;

    if (root == NULL)
        return vg_error_set(VG_ENOMEM, "report: out of memory");
    json_object_set_new(root, "period",
                        json_pack("{s:o, s:o, s:I, s:I, s:o, s:o}", "from", iso(d->from),
                                  "to", iso(d->to), "from_unix", (json_int_t)d->from,
                                  "to_unix", (json_int_t)d->to, "previous_from",
                                  iso(d->prev_from), "previous_to", iso(d->prev_to)));
    json_object_set_new(root, "generated_at", iso(d->generated_at));
    json_object_set_new(root, "mentions", json_integer(d->mentions));
    json_object_set_new(root, "corrected", json_integer(d->corrected));
    a = json_array();
    for (size_t i = 0; i < d->n_voices; i++) {
        const digest_voice *v = &d->voices[i];
        json_array_append_new(a, json_pack("{s:s, s:I, s:f, s:I, s:f}", "brand", v->name,
                                           "mentions", (json_int_t)v->total, "share",
                                           v->share, "previous_mentions",
                                           (json_int_t)v->prev_total, "previous_share",
                                           v->prev_share));
    }
    json_object_set_new(root, "share_of_voice", a);
    a = json_array();
    for (size_t i = 0; i < d->n_brands; i++)
        json_array_append_new(a, brand(&d->brands[i]));
    json_object_set_new(root, "brands", a);

    /* Full precision: the tests compare the numbers exactly. */
    s = json_dumps(root, JSON_INDENT(2) | JSON_PRESERVE_ORDER | JSON_REAL_PRECISION(17));
    if (s == NULL) {
        err = vg_error_set(VG_ENOMEM, "report: cannot serialise JSON");
        goto cleanup;
    }
    vg_buf_puts(out, s);
    vg_buf_putc(out, '\n');
    err = out->err;

cleanup:
    free(s);
    json_decref(root);
    return err;
}
