/*
 * What an alert says it saw, beyond the figures: the bucket's top terms
 * (words and phrases whose share rose against the brand's previous two
 * weeks, ranked by the digest's G² test, so "panne" in an outage hour
 * wins over words the brand always gets) and its most negative mentions
 * with their score, a snippet and the URL. buckets.c calls this when it
 * records an alert, in the writer's transaction, and the result is
 * stored with the alert as its JSON detail; delivery and `vigie alerts`
 * show it.
 */
#include "monitor/alert.h"

#include "core/vtime.h"
#include "monitor/digest.h"
#include "text/text.h"

#include <jansson.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

/* The reference the bucket's words are compared with: the brand's
 * mentions this long before the bucket (as much as the restart primes). */
#define DETAIL_REF_SECONDS (14 * 86400)
/* Mentions read per window: the newest ones when a storm holds more. */
#define DETAIL_MAX_DOCS 2000
#define DETAIL_TERMS 5
#define DETAIL_NEGATIVE 3
/* Snippets in an alert stay short: a chat message, a mail line. */
#define DETAIL_SNIPPET_BYTES 280
#define DETAIL_MAX_EXCLUDE 8

/* Counts the snippets (and titles) of rows into c. */
static vg_err count_rows(digest_counter *c, const store_mention_row *v, size_t n,
                         const char *const *exclude)
{
    vg_err err = VG_OK;
    for (size_t i = 0; i < n && err == VG_OK; i++)
        if (v[i].snippet)
            err = digest_counter_add(c, v[i].snippet, strlen(v[i].snippet), exclude);
    return err;
}

/* The folded words of the brand's name, so "fibrelia" is not news in
 * Fibrelia's alerts. *words holds pointers into *toks. */
static vg_err brand_words(store *st, int64_t brand_id, text_tokens **toks,
                          const char **words, size_t cap)
{
    store_brand *b = NULL;
    size_t nb = 0, k = 0;
    *toks = NULL;
    words[0] = NULL;
    vg_err err = store_brand_list(st, 0, &b, &nb);
    if (err != VG_OK)
        return err;
    for (size_t i = 0; i < nb; i++) {
        if (b[i].id != brand_id || !b[i].name)
            continue;
        if ((err = text_tokenize(b[i].name, strlen(b[i].name), toks)) != VG_OK)
            break;
        for (size_t j = 0; j < (*toks)->n && k + 1 < cap; j++)
            words[k++] = text_norm(*toks, j);
        break;
    }
    words[k] = NULL;
    store_brand_array_free(b, nb);
    return err;
}

/* A prefix of s of at most max bytes, cut on a UTF-8 character boundary. */
static json_t *short_string(const char *s, size_t max)
{
    size_t n = strlen(s);
    if (n <= max)
        return json_string(s);
    while (n > 0 && (n > max - 3 || ((unsigned char)s[n] & 0xc0) == 0x80))
        n--;
    char buf[DETAIL_SNIPPET_BYTES + 4];
    memcpy(buf, s, n);
    memcpy(buf + n, "…", 3);
    return json_stringn(buf, n + 3);
}

vg_err alert_detail_build(store *st, int64_t brand_id, int64_t from, int64_t to, char **out)
{
    store_mention_row *cur = NULL, *ref = NULL, *neg = NULL;
    size_t ncur = 0, nref = 0, nneg = 0;
    digest_counter *ccur = NULL, *cref = NULL;
    text_tokens *name = NULL;
    const char *exclude[DETAIL_MAX_EXCLUDE + 1];
    digest_term terms[DETAIL_TERMS];
    json_t *o = NULL, *arr;
    vg_err err;

    *out = NULL;
    if ((err = brand_words(st, brand_id, &name, exclude, DETAIL_MAX_EXCLUDE + 1)) != VG_OK)
        goto cleanup;
    if ((err = store_alert_window_mentions(st, brand_id, from, to, 0, DETAIL_MAX_DOCS, &cur,
                                           &ncur)) != VG_OK ||
        (err = store_alert_window_mentions(st, brand_id, from - DETAIL_REF_SECONDS, from, 0,
                                           DETAIL_MAX_DOCS, &ref, &nref)) != VG_OK ||
        (err = store_alert_window_mentions(st, brand_id, from, to, 1, DETAIL_NEGATIVE, &neg,
                                           &nneg)) != VG_OK)
        goto cleanup;
    if (!(ccur = digest_counter_new()) || !(cref = digest_counter_new())) {
        err = vg_error_set(VG_ENOMEM, "out of memory");
        goto cleanup;
    }
    if ((err = count_rows(ccur, cur, ncur, exclude)) != VG_OK ||
        (err = count_rows(cref, ref, nref, exclude)) != VG_OK)
        goto cleanup;
    /* A term must come twice in the bucket: once is an anecdote. */
    size_t nt = digest_emerging(ccur, cref, 2, terms, DETAIL_TERMS);

    o = json_object();
    if (!o)
        goto nomem;
    json_object_set_new(o, "bucket_mentions", json_integer((json_int_t)ncur));
    json_object_set_new(o, "reference_mentions", json_integer((json_int_t)nref));
    if (!(arr = json_array()) || json_object_set_new(o, "top_terms", arr) != 0)
        goto nomem;
    for (size_t i = 0; i < nt; i++)
        json_array_append_new(arr, json_pack("{ss sI sI}", "term", terms[i].term, "count",
                                             (json_int_t)terms[i].count, "reference_count",
                                             (json_int_t)terms[i].ref_count));
    if (!(arr = json_array()) || json_object_set_new(o, "negative_mentions", arr) != 0)
        goto nomem;
    for (size_t i = 0; i < nneg; i++) {
        char when[21];
        vg_time_iso(neg[i].published_at, when);
        json_t *m = json_object();
        if (!m)
            goto nomem;
        /* Three decimals say all a reader needs of a compound score. */
        json_object_set_new(m, "score", json_real(round(neg[i].score * 1000.0) / 1000.0));
        json_object_set_new(m, "snippet",
                            short_string(neg[i].snippet ? neg[i].snippet : "",
                                         DETAIL_SNIPPET_BYTES));
        json_object_set_new(m, "url", json_string(neg[i].url ? neg[i].url : ""));
        if (neg[i].title && *neg[i].title)
            json_object_set_new(m, "title", short_string(neg[i].title, DETAIL_SNIPPET_BYTES));
        json_object_set_new(m, "published_at", json_string(when));
        json_array_append_new(arr, m);
    }
    if (!(*out = json_dumps(o, JSON_COMPACT)))
        goto nomem;
    goto cleanup;
nomem:
    err = vg_error_set(VG_ENOMEM, "out of memory");
cleanup:
    json_decref(o);
    digest_counter_free(ccur);
    digest_counter_free(cref);
    text_tokens_free(name);
    store_mention_row_array_free(cur, ncur);
    store_mention_row_array_free(ref, nref);
    store_mention_row_array_free(neg, nneg);
    return err;
}
