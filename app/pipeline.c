/*
 * The crawl pipeline, wired as in ARCHITECTURE.md:
 *
 *   scheduler (caller's thread) --fetch_in--> fetcher (curl multi)
 *     --work--> workers (parse, extract, match, score) --done--> writer
 *
 * A job is one source fetch and everything it produces. In full-text mode
 * a feed's new entries send their links back to the fetcher; the job goes
 * to the writer only when its last page is back, so the source's fetch
 * state (ETag, next fetch) is never committed without its documents. On a
 * stop, jobs not yet handed to the writer are dropped: their sources stay
 * due and are fetched again next time, while everything the writer holds
 * is committed.
 */
#include "app/pipeline.h"

#include "core/buf.h"
#include "core/hash.h"
#include "core/log.h"
#include "core/queue.h"
#include "core/url.h"
#include "core/vtime.h"
#include "app/app.h"
#include "monitor/alert.h"
#include "monitor/buckets.h"
#include "monitor/digest_schedule.h"
#include "monitor/matcher.h"
#include "monitor/query.h"
#include "monitor/report.h"
#include "parser/feed.h"
#include "parser/html.h"
#include "sentiment/senti.h"

#ifdef __GLIBC__
#include <malloc.h>
#endif
#include "store/store.h"
#include "text/text.h"

#include <errno.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#define QUEUE_FETCH 1024
#define QUEUE_WORK 64
#define QUEUE_WRITE 64
#define WRITER_BATCH 32
#define SNIPPET_MAX 600
#define MAX_WORKERS 64
/* Scoring a whole document is capped: the first tokens carry the gist,
 * and a 4 MB page must not stall a worker. */
#define DOC_SCORE_TOKENS 4000
/* How often `vigie run` looks for brands or lexicon entries added,
 * removed or edited. */
#define RELOAD_MS 2000
/* A body of at least this many words is fingerprinted without its title
 * (syndicated copies keep the text and rewrite the headline). */
#define BODY_MIN_WORDS 40

_Static_assert(TEXT_COPY_KEYS == STORE_COPY_KEYS, "one key per min-hash");

typedef struct mention_out {
    int64_t brand_id;
    char *snippet;
    senti_result r;
} mention_out;

typedef struct doc_out {
    char *url;
    char *title;
    char *author;
    char *lang;
    char *text;
    char hash[17];
    uint64_t simhash;       /* near-duplicate fingerprint (syndicated copies) */
    uint64_t keys[TEXT_COPY_KEYS]; /* its min-hash keys (candidate copies) */
    int64_t published;
    double score;
    mention_out *m;
    size_t nm;
    int ready; /* text final (not waiting for its page) */
} doc_out;

typedef struct job job;

/* What a fetch request points back to: the source itself (doc < 0) or
 * the page of one entry. */
typedef struct req_ctx {
    job *job;
    long doc;
} req_ctx;

struct job {
    int64_t source_id;
    char *url;
    char *kind;
    int full_text;
    int64_t interval;
    int pinned;
    int error_count;
    /* fetch outcome, becomes store_fetch_state */
    int status;
    char *etag, *last_modified, *error, *title, *new_url;
    int64_t fetched_at, next_fetch_at, retry_after;
    int64_t hint_min;   /* the feed's own floor (RSS ttl), seconds */
    doc_out *docs;
    size_t ndocs;
    req_ctx self;
    req_ctx *pages;
    atomic_int pending; /* page fetches outstanding */
    job *next_all;      /* registry, under pipeline.mu */
    job *prev_all;
};

/* A mention the writer just inserted, for the time buckets. */
typedef struct new_mention {
    int64_t brand_id, published_at;
    int label;
} new_mention;

typedef struct brand_q {
    int64_t id;
    char *name;
    query *q;
} brand_q;

/* What a document is analysed with: the brands and their compiled
 * queries, and the sentiment engine with the user's lexicon entries.
 * Shared by the workers and replaced whole when the brands or the
 * user's lexicon change: a worker holds a reference for one document,
 * so a swap never frees a set in use. */
typedef struct analysis_set {
    atomic_int refs;
    brand_q *brands;
    size_t nbrands;
    matcher *match;      /* all the queries, one pass per document */
    senti_engine *senti; /* built-in lexicons plus the user's entries */
    uint64_t sig;        /* of the rows it was built from */
} analysis_set;

typedef struct pipeline pipeline;
static analysis_set *analysis_get(pipeline *p);
static void analysis_put(analysis_set *bs);

struct pipeline {
    const pipeline_options *o;
    const char *db_path;
    vg_queue *fetch_in, *work, *done;
    fetch_engine *engine;
    /* Results the fetcher could not hand to the workers yet (their queue
     * was full), oldest first from ovf_head. The fetcher never blocks on
     * the workers: they block on it when they queue full-text page
     * requests, and two bounded queues waiting on each other deadlock. */
    fetch_result **ovf;
    size_t novf, ovf_head, capovf;
    /* The brands and lexicon in force; swapped under mu when `vigie
     * brand` or `vigie lexicon` changes them while `vigie run` runs
     * (analysis_reload). */
    struct analysis_set *bs;
    store *writer_db;
    pthread_mutex_t mu;
    pthread_cond_t cv;
    job *all;              /* every live job, freed at the end if dropped */
    int64_t outstanding;   /* jobs scheduled and not yet committed/dropped */
    /* Source ids scheduled, not yet committed: one byte per id (ids are
     * the sources table's rowids, dense), because the scheduler asks
     * about every due source every second and 10,000 sources polled
     * together made a list scan quadratic. */
    unsigned char *inflight;
    size_t capinflight;
    atomic_llong sources_total, sources_done, documents, mentions, errors,
        not_modified;
    atomic_int fetcher_done;
    bucket_monitor *buckets; /* the writer's: per-brand time buckets, alerts */
    new_mention *newm;       /* the writer's batch of new mentions */
    size_t nnewm, capnewm;
};

static int stopping(const pipeline *p)
{
    return p->o->stop && *p->o->stop;
}

/* ---- jobs ---- */

static void doc_free(doc_out *d)
{
    free(d->url);
    free(d->title);
    free(d->author);
    free(d->lang);
    free(d->text);
    for (size_t i = 0; i < d->nm; i++)
        free(d->m[i].snippet);
    free(d->m);
}

static void job_free(job *j)
{
    if (!j)
        return;
    free(j->url);
    free(j->kind);
    free(j->etag);
    free(j->last_modified);
    free(j->error);
    free(j->title);
    free(j->new_url);
    for (size_t i = 0; i < j->ndocs; i++)
        doc_free(&j->docs[i]);
    free(j->docs);
    free(j->pages);
    free(j);
}

static void inflight_remove(pipeline *p, int64_t id)
{
    if (id >= 0 && (uint64_t)id < p->capinflight)
        p->inflight[id] = 0;
}

static int inflight_has(const pipeline *p, int64_t id)
{
    return id >= 0 && (uint64_t)id < p->capinflight && p->inflight[id];
}

/* Marks id in flight; 0 when memory ran out (the source may then be
 * scheduled twice, which the writer tolerates: a duplicate URL is
 * skipped). */
static int inflight_add(pipeline *p, int64_t id)
{
    if (id < 0)
        return 0;
    if ((uint64_t)id >= p->capinflight) {
        size_t cap = p->capinflight ? p->capinflight : 1024;
        while (cap <= (uint64_t)id)
            cap *= 2;
        unsigned char *nv = realloc(p->inflight, cap);
        if (!nv)
            return 0;
        memset(nv + p->capinflight, 0, cap - p->capinflight);
        p->inflight = nv;
        p->capinflight = cap;
    }
    p->inflight[id] = 1;
    return 1;
}

/* Unlinks a finished job from the registry and frees it. */
static void job_retire(pipeline *p, job *j)
{
    pthread_mutex_lock(&p->mu);
    if (j->prev_all)
        j->prev_all->next_all = j->next_all;
    else
        p->all = j->next_all;
    if (j->next_all)
        j->next_all->prev_all = j->prev_all;
    inflight_remove(p, j->source_id);
    p->outstanding--;
    pthread_cond_broadcast(&p->cv);
    pthread_mutex_unlock(&p->mu);
    job_free(j);
}

static void set_error(job *j, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));

static void set_error(job *j, const char *fmt, ...)
{
    char msg[512];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(msg, sizeof msg, fmt, ap);
    va_end(ap);
    free(j->error);
    j->error = strdup(msg);
}

static int64_t jitter(int64_t base)
{
    /* +-10%, so sources added together drift apart. */
    if (base < 10)
        return base;
    return base - base / 10 + (int64_t)(((uint64_t)rand() * 2654435761u) % (uint64_t)(base / 5 + 1));
}

/* Next fetch: the interval after a success; after failures a backoff that
 * doubles from one minute up to the maximum interval, or Retry-After. */
static void schedule_next(const pipeline *p, job *j)
{
    int64_t now = vg_now();
    if (!j->error) {
        j->next_fetch_at = now + jitter(j->interval);
        return;
    }
    int n = j->error_count < 16 ? j->error_count : 16;
    int64_t wait = (int64_t)60 << n;
    if (wait > p->o->max_interval)
        wait = p->o->max_interval;
    if (j->retry_after > wait)
        wait = j->retry_after < 7 * 86400 ? j->retry_after : 7 * 86400;
    j->next_fetch_at = now + jitter(wait);
    /* Jitter spreads retries out but never before the server asked. */
    if (j->retry_after > 0 && j->next_fetch_at < now + wait)
        j->next_fetch_at = now + wait;
}

/* The polling interval follows how often a source actually publishes:
 * new entries shorten it, quiet fetches lengthen it, between the minimum
 * (raised by the feed's own ttl) and the maximum. A pinned interval
 * (--every) never moves. Multiplicative steps converge in a few fetches
 * without oscillating on one odd day. */
static int64_t adapt_interval(const pipeline *p, const job *j, int64_t new_docs)
{
    if (j->pinned)
        return j->interval;
    int64_t iv = j->interval;
    if (new_docs >= 3)
        iv /= 2;
    else if (new_docs > 0)
        iv -= iv / 4;
    else
        iv += iv / 4;
    int64_t lo = p->o->min_interval;
    if (j->hint_min > lo)
        lo = j->hint_min < p->o->max_interval ? j->hint_min : p->o->max_interval;
    if (iv < lo)
        iv = lo;
    if (iv > p->o->max_interval)
        iv = p->o->max_interval;
    return iv;
}

/* ---- worker: turning a response into documents and mentions ---- */

static void analyse_doc(pipeline *p, doc_out *d, const char *hint_lang)
{
    vg_buf all;
    vg_buf_init(&all, TEXT_MAX_BYTES);
    /* The title is matched too, unless the text already opens with it
     * (extracted pages keep their <h1>): no snippet should say it twice. */
    size_t tl = d->title ? strlen(d->title) : 0;
    size_t body_at = 0;
    const char *s;
    size_t len;
    size_t text_len = d->text ? strlen(d->text) : 0;
    if (tl && !(d->text && strncmp(d->text, d->title, tl) == 0)) {
        vg_buf_puts(&all, d->title);
        vg_buf_puts(&all, "\n\n");
        body_at = all.len;
    }
    if (body_at == 0 && text_len > 0 && text_len <= TEXT_MAX_BYTES) {
        /* The text alone, as it is: no copy of the page's words. */
        s = d->text;
        len = text_len;
    } else {
        vg_buf_append(&all, d->text ? d->text : "", text_len);
        if (all.err == VG_ETOOBIG) {
            all.err = VG_OK; /* keep what fits */
        }
        s = vg_buf_str(&all);
        len = all.len;
    }
    text_tokens *t = NULL;
    if (text_tokenize(s, len, &t) != VG_OK) {
        vg_buf_free(&all);
        return;
    }
    size_t body_tok = 0;
    if (body_at > 0) {
        /* Republishers rewrite headlines: a body long enough to judge
         * on its own is fingerprinted without the title. */
        size_t words = 0;
        while (body_tok < t->n && t->v[body_tok].start < body_at)
            body_tok++;
        for (size_t i = body_tok; i < t->n && words < BODY_MIN_WORDS; i++)
            words += t->v[i].kind == TEXT_WORD;
        if (words < BODY_MIN_WORDS)
            body_tok = 0;
    }
    text_fingerprint fp;
    text_fingerprint_from(t, body_tok, &fp);
    d->simhash = fp.simhash;
    memcpy(d->keys, fp.keys, sizeof d->keys);
    const char *lang = text_lang_guess(t);
    if (strcmp(lang, "und") == 0 && hint_lang && *hint_lang)
        lang = hint_lang;
    free(d->lang);
    d->lang = strndup(lang, 2);
    const char *slang = (strcmp(d->lang, "fr") == 0 || strcmp(d->lang, "en") == 0)
                            ? d->lang : NULL;
    analysis_set *bs = analysis_get(p);
    senti_result dr;
    size_t end = t->n < DOC_SCORE_TOKENS ? t->n : DOC_SCORE_TOKENS;
    if (senti_score_tokens(bs->senti, t, 0, end, slang, &dr, NULL) == VG_OK)
        d->score = dr.compound;
    /* Title and text together: entries without a body must not all share
     * the hash of the empty string, and so all look like one copy. */
    vg_hash_hex(vg_hash64(s, len), d->hash);
    query_doc qd = {.text = s, .tokens = t, .title = d->title, .url = d->url,
                    .author = d->author, .lang = d->lang};
    /* One pass finds the candidate brands; only theirs are evaluated, so
     * the cost does not grow with the number of brands. */
    matcher_hit *hits = NULL;
    size_t nh = 0;
    if (matcher_match_doc(bs->match, &qd, &hits, &nh) != VG_OK)
        nh = 0;
    for (size_t k = 0; k < nh; k++) {
        size_t b = hits[k].query, first = hits[k].first_tok;
        char *snip = NULL;
        if (query_snippet(s, t, first, SNIPPET_MAX, &snip) != VG_OK)
            continue;
        /* The mention is scored on the sentences around the match, so two
         * brands in one text each get their own polarity. */
        uint32_t si = t->v[first].sentence;
        size_t sb = t->sent[si > 0 ? si - 1 : 0].tok_begin;
        size_t se = t->sent[si + 1 < t->n_sent ? si + 1 : si].tok_end;
        senti_result r;
        if (senti_score_tokens(bs->senti, t, sb, se, slang, &r, NULL) != VG_OK) {
            free(snip);
            continue;
        }
        mention_out *m = realloc(d->m, (d->nm + 1) * sizeof *m);
        if (!m) {
            free(snip);
            break;
        }
        d->m = m;
        d->m[d->nm].brand_id = bs->brands[b].id;
        d->m[d->nm].snippet = snip;
        d->m[d->nm].r = r;
        d->nm++;
    }
    free(hits);
    analysis_put(bs);
    text_tokens_free(t);
    vg_buf_free(&all);
}

/* A stable key for an entry without a usable link. */
static char *entry_key(const job *j, const feed_entry *e)
{
    char buf[128];
    const char *basis = e->id ? e->id : e->title ? e->title : e->summary;
    if (!basis)
        return NULL;
    char hex[17];
    vg_hash_hex(vg_hash64(basis, strlen(basis)), hex);
    snprintf(buf, sizeof buf, "urn:vigie:%lld:%s", (long long)j->source_id, hex);
    return strdup(buf);
}

static void push_page_request(pipeline *p, job *j, size_t doc)
{
    fetch_request *req = calloc(1, sizeof *req);
    if (!req)
        return;
    req->source_id = j->source_id;
    req->url = strdup(j->docs[doc].url);
    req->user = &j->pages[doc];
    atomic_fetch_add(&j->pending, 1);
    if (!req->url || vg_queue_push(p->fetch_in, req) != VG_OK) {
        atomic_fetch_sub(&j->pending, 1);
        fetch_request_free(req);
        j->docs[doc].ready = 1;
        return;
    }
    fetch_engine_wakeup(p->engine);
}

static int page_wanted(store *reader, const char *url)
{
    int exists = 0;
    if (!reader || store_document_exists(reader, url, &exists) != VG_OK)
        return 1;
    return !exists;
}

static void handle_feed(pipeline *p, job *j, fetch_result *r, store *reader)
{
    feed *f = NULL;
    const char *base = r->final_url ? r->final_url : j->url;
    vg_err rc = feed_parse(r->body, r->body_len, base, r->content_type, &f);
    if (rc != VG_OK) {
        set_error(j, "not a feed: %s", *vg_error_last() ? vg_error_last()
                                                          : vg_strerror(rc));
        return;
    }
    if (f->bozo)
        VG_INFO("source %lld: ill-formed feed recovered (%s)",
                (long long)j->source_id, f->bozo_message ? f->bozo_message : "");
    if (f->title)
        j->title = strdup(f->title);
    if (f->ttl > 0)
        j->hint_min = (int64_t)f->ttl * 60;
    if (f->n_entries) {
        j->docs = calloc(f->n_entries, sizeof *j->docs);
        j->pages = calloc(f->n_entries, sizeof *j->pages);
        if (!j->docs || !j->pages) {
            set_error(j, "out of memory");
            feed_free(f);
            return;
        }
    }
    for (size_t i = 0; i < f->n_entries; i++) {
        const feed_entry *e = &f->entries[i];
        doc_out *d = &j->docs[j->ndocs];
        char *canon = NULL;
        if (e->link && vg_url_canonical(e->link, &canon) == VG_OK)
            d->url = canon;
        else if (e->id && vg_url_canonical(e->id, &canon) == VG_OK)
            d->url = canon;
        else
            d->url = entry_key(j, e);
        if (!d->url)
            continue;
        d->title = e->title ? strdup(e->title) : NULL;
        d->author = e->author ? strdup(e->author) : NULL;
        d->text = strdup(e->content ? e->content : e->summary ? e->summary : "");
        d->published = e->published ? e->published : e->updated;
        j->pages[j->ndocs].job = j;
        j->pages[j->ndocs].doc = (long)j->ndocs;
        j->ndocs++;
    }
    /* Documents are analysed now, or when their page arrives. */
    const char *hint = f->language;
    for (size_t i = 0; i < j->ndocs; i++) {
        doc_out *d = &j->docs[i];
        if (j->full_text && strncmp(d->url, "http", 4) == 0 && page_wanted(reader, d->url)) {
            push_page_request(p, j, i);
            if (!d->ready)
                continue;
        }
        analyse_doc(p, d, hint);
        d->ready = 1;
    }
    feed_free(f);
}

static void handle_page(pipeline *p, job *j, doc_out *d, fetch_result *r)
{
    html_doc *h = NULL;
    const char *base = r->final_url ? r->final_url : d->url;
    if (html_extract(r->body, r->body_len, base, r->content_type, &h) != VG_OK)
        return;
    if (!d->title && h->title)
        d->title = strdup(h->title);
    if (!d->author && h->author)
        d->author = strdup(h->author);
    if (!d->published)
        d->published = h->published;
    /* The page's main text replaces a feed's summary, unless extraction
     * found less than the summary had. */
    if (h->text && strlen(h->text) >= (d->text ? strlen(d->text) : 0)) {
        free(d->text);
        d->text = h->text;
        h->text = NULL;
    }
    if (!d->lang && h->lang)
        d->lang = strdup(h->lang);
    (void)j;
    (void)p;
    html_doc_free(h);
}

static void handle_source_page(job *j, fetch_result *r)
{
    html_doc *h = NULL;
    const char *base = r->final_url ? r->final_url : j->url;
    vg_err rc = html_extract(r->body, r->body_len, base, r->content_type, &h);
    if (rc != VG_OK) {
        set_error(j, "page not parsed: %s", *vg_error_last() ? vg_error_last()
                                                               : vg_strerror(rc));
        return;
    }
    j->docs = calloc(1, sizeof *j->docs);
    if (!j->docs) {
        html_doc_free(h);
        return;
    }
    doc_out *d = &j->docs[0];
    char *canon = NULL;
    if (vg_url_canonical(base, &canon) != VG_OK)
        canon = strdup(j->url);
    d->url = canon;
    d->title = h->title ? strdup(h->title) : NULL;
    d->author = h->author ? strdup(h->author) : NULL;
    d->text = h->text;
    h->text = NULL;
    d->published = h->published;
    d->lang = h->lang ? strdup(h->lang) : NULL;
    j->title = h->title ? strdup(h->title) : NULL;
    j->ndocs = 1;
    html_doc_free(h);
}

static void take_validators(job *j, fetch_result *r)
{
    j->status = r->status;
    j->fetched_at = r->fetched_at;
    j->retry_after = r->retry_after;
    j->etag = r->etag;
    r->etag = NULL;
    j->last_modified = r->last_modified;
    r->last_modified = NULL;
    if (r->permanent_url && strcmp(r->permanent_url, j->url) != 0) {
        j->new_url = r->permanent_url;
        r->permanent_url = NULL;
    }
}

static void hand_to_writer(pipeline *p, job *j)
{
    for (size_t i = 0; i < j->ndocs; i++) {
        /* Pages that never came back keep the feed's text. */
        if (!j->docs[i].ready) {
            analyse_doc(p, &j->docs[i], NULL);
            j->docs[i].ready = 1;
        }
    }
    schedule_next(p, j);
    if (vg_queue_push(p->done, j) != VG_OK) {
        /* Writer gone (stopping): the source stays due. */
        job_retire(p, j);
    }
}

static void process(pipeline *p, fetch_result *r, store *reader)
{
    req_ctx *ctx = r->req.user;
    job *j = ctx->job;
    if (ctx->doc >= 0) {
        doc_out *d = &j->docs[ctx->doc];
        if (!r->error && r->body)
            handle_page(p, j, d, r);
        else
            VG_INFO("page %s: %s", d->url, r->error ? r->error : "empty");
        analyse_doc(p, d, NULL);
        d->ready = 1;
        fetch_result_free(r);
        if (atomic_fetch_sub(&j->pending, 1) == 1)
            hand_to_writer(p, j);
        return;
    }
    take_validators(j, r);
    if (r->error) {
        set_error(j, "%s", r->error);
    } else if (r->status == 304) {
        atomic_fetch_add(&p->not_modified, 1);
    } else if (!r->body || r->body_len == 0) {
        set_error(j, "empty response (HTTP %d)", r->status);
    } else if (strcmp(j->kind, "page") == 0) {
        handle_source_page(j, r);
    } else {
        /* The job is held while its pages are queued, so a fast page
         * cannot hand it to the writer before the feed is done. */
        atomic_fetch_add(&j->pending, 1);
        handle_feed(p, j, r, reader);
        fetch_result_free(r);
        if (atomic_fetch_sub(&j->pending, 1) == 1)
            hand_to_writer(p, j);
        return;
    }
    fetch_result_free(r);
    hand_to_writer(p, j);
}

static void *worker_main(void *arg)
{
    pipeline *p = arg;
    store *reader = NULL;
    if (store_open(p->db_path, &reader) != VG_OK)
        reader = NULL; /* only costs duplicate page fetches */
    fetch_result *r;
    while ((r = vg_queue_pop(p->work))) {
        if (stopping(p)) {
            fetch_result_free(r);
            continue;
        }
        process(p, r, reader);
    }
    store_close(reader);
    return NULL;
}

/* ---- fetcher ---- */

/* Hands held-back results to the workers while their queue has room;
 * returns how many are still held. */
static size_t flush_overflow(pipeline *p)
{
    while (p->ovf_head < p->novf &&
           vg_queue_try_push(p->work, p->ovf[p->ovf_head]) == VG_OK)
        p->ovf[p->ovf_head++] = NULL;
    if (p->ovf_head == p->novf)
        p->ovf_head = p->novf = 0;
    return p->novf - p->ovf_head;
}

static void on_fetched(fetch_result *r, void *arg)
{
    pipeline *p = arg;
    if (flush_overflow(p) == 0 && vg_queue_try_push(p->work, r) == VG_OK)
        return;
    if (p->novf == p->capovf) {
        if (p->ovf_head > 0) {
            memmove(p->ovf, p->ovf + p->ovf_head, (p->novf - p->ovf_head) * sizeof *p->ovf);
            p->novf -= p->ovf_head;
            p->ovf_head = 0;
        } else {
            size_t cap = p->capovf ? p->capovf * 2 : 64;
            fetch_result **nv = realloc(p->ovf, cap * sizeof *nv);
            if (!nv) {
                /* Out of memory: the source stays due and is fetched again. */
                fetch_result_free(r);
                return;
            }
            p->ovf = nv;
            p->capovf = cap;
        }
    }
    p->ovf[p->novf++] = r;
}

static void *fetcher_main(void *arg)
{
    pipeline *p = arg;
    for (;;) {
        if (stopping(p))
            break;
        fetch_request *req;
        int closed = 0;
        while ((req = vg_queue_try_pop(p->fetch_in)))
            if (fetch_engine_add(p->engine, req) != VG_OK)
                fetch_request_free(req);
        if (flush_overflow(p) > 0) {
            /* The workers are behind: let them catch up rather than
             * finish more transfers whose results would only wait here
             * (held results stay at most one round of transfers). Keep
             * taking their requests meanwhile, so they never block. */
            req = vg_queue_pop_timed(p->fetch_in, 5, &closed);
            if (req && fetch_engine_add(p->engine, req) != VG_OK)
                fetch_request_free(req);
            if (closed && !req)
                break;
            continue;
        }
        int pending = fetch_engine_perform(p->engine, 200, on_fetched, p);
        if (pending == 0) {
            /* Nothing running: block on the input queue instead. */
            req = vg_queue_pop_timed(p->fetch_in, 200, &closed);
            if (req && fetch_engine_add(p->engine, req) != VG_OK)
                fetch_request_free(req);
            if (closed)
                break;
        }
    }
    /* Results never handed over: their sources stay due. */
    for (size_t i = p->ovf_head; i < p->novf; i++)
        fetch_result_free(p->ovf[i]);
    free(p->ovf);
    p->ovf = NULL;
    p->novf = p->ovf_head = p->capovf = 0;
    atomic_store(&p->fetcher_done, 1);
    return NULL;
}

/* ---- writer ---- */

static vg_err remember_mention(pipeline *p, const store_mention *m)
{
    if (p->nnewm == p->capnewm) {
        size_t cap = p->capnewm ? p->capnewm * 2 : 256;
        new_mention *v = realloc(p->newm, cap * sizeof *v);
        if (!v)
            return VG_ENOMEM;
        p->newm = v;
        p->capnewm = cap;
    }
    p->newm[p->nnewm++] = (new_mention){m->brand_id, m->published_at, m->label};
    return VG_OK;
}

static int by_published(const void *a, const void *b)
{
    const new_mention *x = a, *y = b;
    return (x->published_at > y->published_at) - (x->published_at < y->published_at);
}

/* Feeds the batch's new mentions to the time buckets, oldest first (a feed
 * lists newest first, and the buckets treat a late mention as history),
 * inside the batch's transaction: an alert is stored with the mentions
 * that caused it or not at all. */
static vg_err feed_buckets(pipeline *p)
{
    vg_err rc = VG_OK;
    if (!p->buckets || p->nnewm == 0)
        return VG_OK; /* qsort's array may not be NULL, even when empty */
    qsort(p->newm, p->nnewm, sizeof *p->newm, by_published);
    int64_t now = vg_now();
    for (size_t i = 0; i < p->nnewm && rc == VG_OK; i++)
        rc = bucket_add_mention(p->buckets, p->writer_db, p->newm[i].brand_id,
                                p->newm[i].published_at, p->newm[i].label, now, NULL);
    p->nnewm = 0;
    return rc;
}

static vg_err write_job(pipeline *p, job *j, int64_t *ndocs, int64_t *nments)
{
    vg_err rc = VG_OK;
    for (size_t i = 0; i < j->ndocs && rc == VG_OK; i++) {
        doc_out *d = &j->docs[i];
        store_document sd = {
            .source_id = j->source_id, .url = d->url, .title = d->title,
            .author = d->author, .published_at = d->published,
            .fetched_at = j->fetched_at, .lang = d->lang, .text = d->text,
            .content_hash = d->hash, .simhash = d->simhash, .score = d->score,
            .copy_bits = TEXT_SIMHASH_COPY};
        memcpy(sd.copy_keys, d->keys, sizeof sd.copy_keys);
        int64_t id = 0, copy_of = 0;
        rc = store_document_insert_copy(p->writer_db, &sd, &id, &copy_of);
        if (rc != VG_OK || id == 0)
            continue; /* a duplicate keeps its first mentions */
        (*ndocs)++;
        for (size_t k = 0; k < d->nm && rc == VG_OK; k++) {
            const mention_out *m = &d->m[k];
            store_mention sm = {
                .document_id = id, .brand_id = m->brand_id, .snippet = m->snippet,
                .score = m->r.compound, .label = m->r.label, .pos = m->r.pos,
                .neu = m->r.neu, .neg = m->r.neg,
                .published_at = d->published ? d->published : j->fetched_at,
                .copy_of = copy_of};
            int copy = 0;
            rc = store_mention_insert_copy(p->writer_db, &sm, &copy);
            if (rc == VG_OK)
                (*nments)++;
            /* A syndicated copy is the same news, not more of it: the
             * alert buckets count the first one only. */
            if (rc == VG_OK && p->buckets && !copy)
                rc = remember_mention(p, &sm);
        }
    }
    if (rc != VG_OK)
        return rc;
    int64_t interval = 0;
    if (!j->error) {
        interval = adapt_interval(p, j, *ndocs);
        j->next_fetch_at = vg_now() + jitter(interval);
    }
    store_fetch_state fs = {
        .source_id = j->source_id, .fetched_at = j->fetched_at ? j->fetched_at : vg_now(),
        .status = j->status, .etag = j->error ? NULL : j->etag,
        .last_modified = j->error ? NULL : j->last_modified, .error = j->error,
        .title = j->title, .new_url = j->new_url,
        .next_fetch_at = j->next_fetch_at, .interval = interval};
    return store_source_record_fetch(p->writer_db, &fs);
}

static void account(pipeline *p, job *j, int64_t ndocs, int64_t nments)
{
    atomic_fetch_add(&p->documents, ndocs);
    atomic_fetch_add(&p->mentions, nments);
    atomic_fetch_add(&p->sources_done, 1);
    if (j->error) {
        atomic_fetch_add(&p->errors, 1);
        VG_WARN("source %lld (%s): %s", (long long)j->source_id, j->url, j->error);
    }
}

/* Commits a batch in one transaction; if that fails, each job alone so
 * one bad row does not cost the others. */
static void commit_batch(pipeline *p, job **batch, size_t n)
{
    int64_t nd[WRITER_BATCH] = {0}, nm[WRITER_BATCH] = {0};
    p->nnewm = 0;
    vg_err rc = store_begin(p->writer_db);
    for (size_t i = 0; i < n && rc == VG_OK; i++)
        rc = write_job(p, batch[i], &nd[i], &nm[i]);
    if (rc == VG_OK)
        rc = feed_buckets(p);
    if (rc == VG_OK)
        rc = store_commit(p->writer_db);
    if (rc == VG_OK) {
        for (size_t i = 0; i < n; i++)
            account(p, batch[i], nd[i], nm[i]);
    } else {
        store_rollback(p->writer_db);
        for (size_t i = 0; i < n; i++) {
            nd[i] = nm[i] = 0;
            p->nnewm = 0;
            rc = store_begin(p->writer_db);
            if (rc == VG_OK)
                rc = write_job(p, batch[i], &nd[i], &nm[i]);
            if (rc == VG_OK)
                rc = feed_buckets(p);
            if (rc == VG_OK)
                rc = store_commit(p->writer_db);
            if (rc != VG_OK) {
                store_rollback(p->writer_db);
                VG_ERROR("source %lld: not stored: %s", (long long)batch[i]->source_id,
                         vg_error_last());
                atomic_fetch_add(&p->errors, 1);
                continue;
            }
            account(p, batch[i], nd[i], nm[i]);
        }
    }
    for (size_t i = 0; i < n; i++)
        job_retire(p, batch[i]);
}

static void *writer_main(void *arg)
{
    pipeline *p = arg;
    job *batch[WRITER_BATCH];
    bucket_params bp = BUCKET_PARAMS_INIT;
    /* Without buckets the crawl still stores everything; alerts resume
     * from the stored history on the next start. */
    if (bucket_monitor_new(&bp, &p->buckets) != VG_OK) {
        VG_WARN("alerts off for this run: %s", vg_error_last());
        p->buckets = NULL;
    } else if (bucket_monitor_prime(p->buckets, p->writer_db, vg_now() - 14 * 86400,
                                    vg_now()) != VG_OK) {
        VG_WARN("alert history not loaded: %s", vg_error_last());
    }
    for (;;) {
        job *j = vg_queue_pop(p->done);
        if (!j)
            break;
        size_t n = 0;
        batch[n++] = j;
        while (n < WRITER_BATCH && (j = vg_queue_try_pop(p->done)))
            batch[n++] = j;
        commit_batch(p, batch, n);
    }
    bucket_monitor_free(p->buckets);
    p->buckets = NULL;
    free(p->newm);
    p->newm = NULL;
    return NULL;
}

/* The delivery thread of `vigie run`: alerts wait in the database (the
 * outbox) and go out from here, so a slow or dead receiver never stalls
 * the crawl, and an alert stored before a crash is sent after restart. */
static void *delivery_main(void *arg)
{
    pipeline *p = arg;
    store *st = NULL;
    if (store_open(p->db_path, &st) != VG_OK) {
        VG_ERROR("alert delivery off: %s", vg_error_last());
        return NULL;
    }
    alert_deliver_opts opts = ALERT_DELIVER_OPTS_INIT;
    /* Scheduled digests go out from this thread too, checked at start
     * (a Monday missed while stopped is sent now) and then every minute.
     * A slow mail server holds alerts back by at most the timeout, once a
     * week, which is not worth a thread and a connection of its own. */
    digest_schedule_opts dso = DIGEST_SCHEDULE_OPTS_INIT;
    dso.timeout_ms = 30000;
    int64_t next_digest = 0;
    while (!stopping(p) && !atomic_load(&p->fetcher_done)) {
        int ok = 0, bad = 0;
        if (alert_deliver_pending(st, &opts, vg_now(), &ok, &bad) != VG_OK)
            VG_WARN("alert delivery: %s", vg_error_last());
        if (ok || bad)
            VG_INFO("alerts: %d delivered, %d to retry", ok, bad);
        if (vg_mono_ms() >= next_digest) {
            int sent = 0, failed = 0;
            if (digest_schedule_run_due(st, vg_now(), &dso, &sent, &failed) != VG_OK)
                VG_WARN("digest schedules: %s", vg_error_last());
            if (sent || failed)
                VG_INFO("digests: %d mailed, %d failed", sent, failed);
            next_digest = vg_mono_ms() + 60000;
        }
        for (int i = 0; i < 50 && !stopping(p) && !atomic_load(&p->fetcher_done); i++) {
            struct timespec ts = {0, 100 * 1000000L};
            nanosleep(&ts, NULL);
        }
    }
    report_png_release();
    store_close(st);
    return NULL;
}

/* ---- set-up, scheduling, shutdown ---- */

static void analysis_free(analysis_set *bs)
{
    if (!bs)
        return;
    matcher_free(bs->match);
    senti_close(bs->senti);
    for (size_t i = 0; i < bs->nbrands; i++) {
        free(bs->brands[i].name);
        query_free(bs->brands[i].q);
    }
    free(bs->brands);
    free(bs);
}

/* A signature of the rows an analysis set is built from: every enabled
 * brand (valid query or not: a query fixed later must count) and every
 * user lexicon entry. Cheap next to building the set. */
static vg_err analysis_sig(store *st, uint64_t *sig)
{
    store_brand *b = NULL;
    store_lexicon_entry *v = NULL;
    size_t nb = 0, nv = 0;
    vg_err rc = store_brand_list(st, 1, &b, &nb);
    if (rc == VG_OK)
        rc = store_lexicon_list(st, NULL, &v, &nv);
    uint64_t h = vg_hash64("analysis", 8);
    char row[64];
    for (size_t i = 0; rc == VG_OK && i < nb; i++) {
        snprintf(row, sizeof row, "b%lld", (long long)b[i].id);
        h = h * 31 + vg_hash64(row, strlen(row));
        h = h * 31 + vg_hash64(b[i].name, strlen(b[i].name));
        h = h * 31 + vg_hash64(b[i].query ? b[i].query : "",
                               b[i].query ? strlen(b[i].query) : 0);
    }
    for (size_t i = 0; rc == VG_OK && i < nv; i++) {
        snprintf(row, sizeof row, "l%s %.6f", v[i].lang, v[i].valence);
        h = h * 31 + vg_hash64(row, strlen(row));
        h = h * 31 + vg_hash64(v[i].phrase, strlen(v[i].phrase));
    }
    store_brand_array_free(b, nb);
    store_lexicon_array_free(v, nv);
    *sig = h;
    return rc;
}

/* Builds the set from st: its enabled brands (a brand whose query no
 * longer compiles is skipped with a warning) and a sentiment engine
 * with the user's lexicon entries. */
static vg_err analysis_load(store *st, analysis_set **out)
{
    store_brand *b = NULL;
    size_t n = 0;
    *out = NULL;
    uint64_t sig = 0;
    vg_err rc = analysis_sig(st, &sig);
    if (rc == VG_OK)
        rc = store_brand_list(st, 1, &b, &n);
    if (rc != VG_OK)
        return rc;
    analysis_set *bs = calloc(1, sizeof *bs);
    if (!bs || !(bs->brands = calloc(n ? n : 1, sizeof *bs->brands))) {
        free(bs);
        store_brand_array_free(b, n);
        return VG_ENOMEM;
    }
    atomic_init(&bs->refs, 1);
    bs->sig = sig;
    for (size_t i = 0; i < n; i++) {
        query *q = NULL;
        if (query_compile(b[i].query, &q, NULL) != VG_OK) {
            VG_WARN("brand %s: query not valid, skipped: %s", b[i].name, vg_error_last());
            continue;
        }
        bs->brands[bs->nbrands].id = b[i].id;
        bs->brands[bs->nbrands].name = strdup(b[i].name);
        bs->brands[bs->nbrands].q = q;
        bs->nbrands++;
    }
    store_brand_array_free(b, n);
    const query **qs = malloc((bs->nbrands ? bs->nbrands : 1) * sizeof *qs);
    if (!qs) {
        analysis_free(bs);
        return VG_ENOMEM;
    }
    for (size_t i = 0; i < bs->nbrands; i++)
        qs[i] = bs->brands[i].q;
    rc = matcher_new(qs, bs->nbrands, &bs->match);
    free(qs);
    if (rc == VG_OK)
        rc = app_senti_open(st, &bs->senti);
    if (rc != VG_OK) {
        analysis_free(bs);
        return rc;
    }
    *out = bs;
    return VG_OK;
}

static analysis_set *analysis_get(pipeline *p)
{
    pthread_mutex_lock(&p->mu);
    analysis_set *bs = p->bs;
    atomic_fetch_add(&bs->refs, 1);
    pthread_mutex_unlock(&p->mu);
    return bs;
}

static void analysis_put(analysis_set *bs)
{
    if (bs && atomic_fetch_sub(&bs->refs, 1) == 1)
        analysis_free(bs);
}

/* Rebuilds the analysis set when the brand or lexicon rows changed
 * since it was built (`vigie brand` or `vigie lexicon` while `vigie run`
 * runs): documents analysed from then on use the new set. */
static void analysis_reload(pipeline *p, store *st)
{
    uint64_t sig = 0;
    if (analysis_sig(st, &sig) != VG_OK) {
        VG_WARN("brands and lexicon: not reloaded: %s", vg_error_last());
        return;
    }
    pthread_mutex_lock(&p->mu);
    int same = p->bs && p->bs->sig == sig;
    pthread_mutex_unlock(&p->mu);
    if (same)
        return;
    analysis_set *nb = NULL;
    if (analysis_load(st, &nb) != VG_OK) {
        VG_WARN("brands and lexicon: not reloaded: %s", vg_error_last());
        return;
    }
    pthread_mutex_lock(&p->mu);
    analysis_set *old = p->bs;
    p->bs = nb;
    pthread_mutex_unlock(&p->mu);
    VG_INFO("brands and lexicon reloaded: %zu brands in force", nb->nbrands);
    analysis_put(old);
}

static vg_err schedule_due(pipeline *p, store *st)
{
    store_source *v = NULL;
    size_t n = 0;
    vg_err rc = store_source_due(st, vg_now(), &v, &n);
    if (rc != VG_OK)
        return rc;
    for (size_t i = 0; i < n && !stopping(p); i++) {
        pthread_mutex_lock(&p->mu);
        int busy = inflight_has(p, v[i].id);
        pthread_mutex_unlock(&p->mu);
        if (busy)
            continue;
        job *j = calloc(1, sizeof *j);
        fetch_request *req = calloc(1, sizeof *req);
        if (!j || !req) {
            free(j);
            free(req);
            rc = VG_ENOMEM;
            break;
        }
        j->source_id = v[i].id;
        j->url = strdup(v[i].url);
        j->kind = strdup(v[i].kind ? v[i].kind : "feed");
        j->full_text = v[i].full_text;
        j->interval = v[i].interval > 0 ? v[i].interval : 3600;
        j->pinned = v[i].pinned;
        j->error_count = v[i].error_count + 1; /* if this fetch fails */
        j->self.job = j;
        j->self.doc = -1;
        req->source_id = v[i].id;
        req->url = strdup(v[i].url);
        req->etag = v[i].etag ? strdup(v[i].etag) : NULL;
        req->last_modified = v[i].last_modified ? strdup(v[i].last_modified) : NULL;
        /* Per-source headers (Authorization, Cookie): sent, never logged. */
        fetch_headers_parse(v[i].headers, &req->headers);
        req->user = &j->self;
        pthread_mutex_lock(&p->mu);
        j->next_all = p->all;
        if (p->all)
            p->all->prev_all = j;
        p->all = j;
        p->outstanding++;
        inflight_add(p, j->source_id);
        pthread_mutex_unlock(&p->mu);
        atomic_fetch_add(&p->sources_total, 1);
        if (vg_queue_push(p->fetch_in, req) != VG_OK) {
            fetch_request_free(req);
            job_retire(p, j);
        }
        fetch_engine_wakeup(p->engine);
    }
    store_source_array_free(v, n);
    return rc;
}

static void progress_line(pipeline *p, int final)
{
    if (!p->o->progress)
        return;
    fprintf(stderr, "\rsources %lld/%lld  documents %lld  mentions %lld  errors %lld%s",
            (long long)atomic_load(&p->sources_done),
            (long long)atomic_load(&p->sources_total),
            (long long)atomic_load(&p->documents),
            (long long)atomic_load(&p->mentions),
            (long long)atomic_load(&p->errors), final ? "\n" : "\033[K");
    fflush(stderr);
}

static int default_workers(void)
{
    long n = sysconf(_SC_NPROCESSORS_ONLN);
    return n < 1 ? 1 : n > MAX_WORKERS ? MAX_WORKERS : (int)n;
}

vg_err pipeline_run(const char *db_path, const pipeline_options *o,
                    pipeline_stats *stats)
{
    pipeline p;
    memset(&p, 0, sizeof p);
    p.o = o;
    p.db_path = db_path;
#ifdef __GLIBC__
    /* glibc hands freed memory back to the kernel eagerly: each worker's
     * arena shrank (madvise) after nearly every page, and every madvise
     * flushes the TLBs of all cores: 10% of the crawl's CPU under perf.
     * Fixed thresholds keep a bounded reserve instead (and stop the
     * dynamic mmap threshold from moving). */
    mallopt(M_TRIM_THRESHOLD, 16 << 20);
    mallopt(M_MMAP_THRESHOLD, 4 << 20);
#endif
    pthread_mutex_init(&p.mu, NULL);
    pthread_cond_init(&p.cv, NULL);
    store *sched_db = NULL;
    pthread_t fetcher, writer, workers[MAX_WORKERS];
    int nworkers = o->workers > 0 ? (o->workers > MAX_WORKERS ? MAX_WORKERS : o->workers)
                                  : default_workers();
    int started_fetcher = 0, started_writer = 0, started_workers = 0, started_delivery = 0;
    pthread_t delivery;
    vg_err rc;

    feed_global_init();
    if ((rc = store_open(db_path, &sched_db)) != VG_OK ||
        (rc = store_open(db_path, &p.writer_db)) != VG_OK)
        goto cleanup;
    if ((rc = analysis_load(sched_db, &p.bs)) != VG_OK)
        goto cleanup;
    if ((rc = fetch_engine_new(&o->fetch, &p.engine)) != VG_OK)
        goto cleanup;
    p.fetch_in = vg_queue_new(QUEUE_FETCH);
    p.work = vg_queue_new(QUEUE_WORK);
    p.done = vg_queue_new(QUEUE_WRITE);
    if (!p.fetch_in || !p.work || !p.done) {
        rc = VG_ENOMEM;
        goto cleanup;
    }
    if (pthread_create(&writer, NULL, writer_main, &p) != 0)
        goto thread_fail;
    started_writer = 1;
    for (; started_workers < nworkers; started_workers++)
        if (pthread_create(&workers[started_workers], NULL, worker_main, &p) != 0)
            goto thread_fail;
    if (pthread_create(&fetcher, NULL, fetcher_main, &p) != 0)
        goto thread_fail;
    started_fetcher = 1;
    if (!o->once) {
        if (pthread_create(&delivery, NULL, delivery_main, &p) != 0)
            goto thread_fail;
        started_delivery = 1;
    }

    int64_t last_sched = 0, last_progress = 0, last_brands = vg_mono_ms();
    for (;;) {
        if (stopping(&p))
            break;
        int64_t now_ms = vg_mono_ms();
        if (!o->once && now_ms - last_brands >= RELOAD_MS) {
            analysis_reload(&p, sched_db);
            last_brands = now_ms;
        }
        if (last_sched == 0 || (!o->once && now_ms - last_sched >= 1000)) {
            if ((rc = schedule_due(&p, sched_db)) != VG_OK) {
                VG_ERROR("scheduler: %s", vg_error_last());
                break;
            }
            last_sched = now_ms;
        }
        pthread_mutex_lock(&p.mu);
        if (o->once && p.outstanding == 0) {
            pthread_mutex_unlock(&p.mu);
            break;
        }
        struct timespec ts;
        clock_gettime(CLOCK_REALTIME, &ts);
        ts.tv_nsec += 100 * 1000000L;
        if (ts.tv_nsec >= 1000000000L) {
            ts.tv_sec++;
            ts.tv_nsec -= 1000000000L;
        }
        pthread_cond_timedwait(&p.cv, &p.mu, &ts);
        pthread_mutex_unlock(&p.mu);
        if (now_ms - last_progress >= 250) {
            progress_line(&p, 0);
            last_progress = now_ms;
        }
    }
    rc = VG_OK;
    goto shutdown;

thread_fail:
    rc = vg_error_set(VG_EIO, "cannot start threads: %s", strerror(errno));
shutdown:
    /* Order matters: stop feeding the fetcher, then the workers; the writer
     * goes last and commits everything it was handed. */
    if (p.fetch_in)
        vg_queue_close(p.fetch_in);
    if (p.engine)
        fetch_engine_wakeup(p.engine);
    if (started_fetcher)
        pthread_join(fetcher, NULL);
    if (started_delivery)
        pthread_join(delivery, NULL);
    if (p.work)
        vg_queue_close(p.work);
    for (int i = 0; i < started_workers; i++)
        pthread_join(workers[i], NULL);
    if (p.done)
        vg_queue_close(p.done);
    if (started_writer)
        pthread_join(writer, NULL);
    progress_line(&p, 1);
cleanup:
    if (p.fetch_in) {
        fetch_request *req;
        while ((req = vg_queue_try_pop(p.fetch_in)))
            fetch_request_free(req);
    }
    if (p.work) {
        fetch_result *r;
        while ((r = vg_queue_try_pop(p.work)))
            fetch_result_free(r);
    }
    fetch_engine_free(p.engine);
    /* Jobs never handed to the writer: their sources stay due. */
    while (p.all) {
        job *j = p.all;
        p.all = j->next_all;
        job_free(j);
    }
    if (stats) {
        stats->sources_total = atomic_load(&p.sources_total);
        stats->sources_done = atomic_load(&p.sources_done);
        stats->documents = atomic_load(&p.documents);
        stats->mentions = atomic_load(&p.mentions);
        stats->errors = atomic_load(&p.errors);
        stats->not_modified = atomic_load(&p.not_modified);
    }
    analysis_put(p.bs);
    free(p.inflight);
    store_close(p.writer_db);
    store_close(sched_db);
    vg_queue_free(p.fetch_in);
    vg_queue_free(p.work);
    vg_queue_free(p.done);
    pthread_mutex_destroy(&p.mu);
    pthread_cond_destroy(&p.cv);
    return rc;
}

static volatile sig_atomic_t *signal_flag;

static void on_signal(int sig)
{
    (void)sig;
    if (signal_flag && *signal_flag)
        _exit(130); /* second signal: leave now; SQLite's WAL stays consistent */
    if (signal_flag)
        *signal_flag = 1;
}

void pipeline_install_signals(volatile sig_atomic_t *flag)
{
    signal_flag = flag;
    struct sigaction sa;
    memset(&sa, 0, sizeof sa);
    sa.sa_handler = on_signal;
    sigemptyset(&sa.sa_mask);
    sigaction(SIGINT, &sa, NULL);
    sigaction(SIGTERM, &sa, NULL);
}

static int setting_int(store *st, const char *key, long long *out)
{
    char *v = NULL;
    if (store_setting_get(st, key, &v) != VG_OK)
        return 0;
    char *end = NULL;
    errno = 0;
    long long n = strtoll(v, &end, 10);
    int ok = end != v && *end == '\0' && !errno && n >= 0;
    if (ok)
        *out = n;
    else
        VG_WARN("setting %s='%s' is not a number; ignored", key, v);
    free(v);
    return ok;
}

vg_err pipeline_options_load(const char *db_path, pipeline_options *o)
{
    store *st = NULL;
    vg_err rc = store_open(db_path, &st);
    if (rc != VG_OK)
        return rc;
    long long v;
    if (setting_int(st, "crawl.workers", &v))
        o->workers = (int)v;
    if (setting_int(st, "crawl.connections", &v) && v > 0)
        o->fetch.max_total = (int)v;
    if (setting_int(st, "crawl.host_connections", &v) && v > 0)
        o->fetch.max_per_host = (int)v;
    if (setting_int(st, "crawl.host_delay_ms", &v))
        o->fetch.host_delay_ms = (int)v;
    if (setting_int(st, "crawl.timeout_ms", &v) && v > 0)
        o->fetch.timeout_ms = (long)v;
    if (setting_int(st, "crawl.max_body", &v) && v > 0)
        o->fetch.max_body = (size_t)v;
    if (setting_int(st, "crawl.low_speed_bytes", &v))
        o->fetch.low_speed_bytes = (long)v;
    if (setting_int(st, "crawl.low_speed_secs", &v))
        o->fetch.low_speed_secs = (long)v;
    if (setting_int(st, "crawl.max_crawl_delay_ms", &v))
        o->fetch.max_crawl_delay_ms = (int)v;
    if (setting_int(st, "crawl.min_interval", &v) && v > 0)
        o->min_interval = v;
    if (setting_int(st, "crawl.max_interval", &v) && v > 0)
        o->max_interval = v;
    if (o->max_interval < o->min_interval)
        o->max_interval = o->min_interval;
    char *ua = NULL;
    if (store_setting_get(st, "crawl.user_agent", &ua) == VG_OK && ua && *ua &&
        strlen(ua) < sizeof o->user_agent && strcspn(ua, "\r\n") == strlen(ua)) {
        memcpy(o->user_agent, ua, strlen(ua) + 1);
        o->fetch.user_agent = o->user_agent;
    }
    free(ua);
    store_close(st);
    return VG_OK;
}
