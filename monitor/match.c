/*
 * The brand query matcher: walks a compiled query (query_int.h) over one
 * document's tokens and says whether it matches and where, so the worker
 * can store a mention and cut its snippet. Positions count only non-PUNCT
 * tokens, so "Fibrelia !!! nul" still holds the phrase "fibrelia nul" and
 * "!" does not lengthen a NEAR distance. Each leaf is found by a linear
 * scan of the document's folded forms: queries are a handful of terms,
 * and a later cross-brand index will replace the scan (query_terms lists
 * the leaves it needs).
 */
#include "monitor/query_int.h"

#include <stdlib.h>
#include <string.h>

/* One tokenized field of the document, with its content positions. */
typedef struct stream {
    const char *text;
    const text_tokens *t;
    text_tokens *owned;   /* title/author: tokenized here */
    size_t *pos;          /* content position -> token index */
    size_t n;
    int ready;
    int pos_borrowed;     /* pos is query_doc.body_pos */
} stream;

/* A matched run of content positions [b, e) in the body. */
typedef struct cspan {
    size_t b, e;
} cspan;

typedef struct spans {
    cspan *v;
    size_t n, cap;
} spans;

typedef struct ctx {
    const query *q;
    const query_doc *d;
    stream body, title, author;
    vg_err err;           /* sticky: VG_ENOMEM */
} ctx;

static int push(ctx *c, spans *s, size_t b, size_t e)
{
    if (s->n == s->cap) {
        size_t cap = s->cap ? s->cap * 2 : 16;
        cspan *v = realloc(s->v, cap * sizeof *v);
        if (!v) {
            c->err = vg_error_set(VG_ENOMEM, "out of memory");
            return -1;
        }
        s->v = v;
        s->cap = cap;
    }
    s->v[s->n].b = b;
    s->v[s->n].e = e;
    s->n++;
    return 0;
}

static int stream_init(ctx *c, stream *st, const char *text,
                       const text_tokens *t)
{
    st->ready = 1;
    st->text = text;
    if (!t && text) {
        vg_err e = text_tokenize(text, strlen(text), &st->owned);
        if (e != VG_OK) {
            c->err = e;
            return -1;
        }
        t = st->owned;
    }
    st->t = t;
    if (!t || t->n == 0)
        return 0;
    st->pos = malloc(t->n * sizeof *st->pos);
    if (!st->pos) {
        c->err = vg_error_set(VG_ENOMEM, "out of memory");
        return -1;
    }
    for (size_t i = 0; i < t->n; i++)
        if (t->v[i].kind != TEXT_PUNCT)
            st->pos[st->n++] = i;
    return 0;
}

/* The body stream, from the document's shared position list when the
 * caller made one (several brands are run on every document). */
static int body_init(ctx *c)
{
    const query_doc *d = c->d;
    if (d->body_pos && d->tokens) {
        c->body.ready = 1;
        c->body.text = d->text;
        c->body.t = d->tokens;
        c->body.pos = (size_t *)d->body_pos;
        c->body.n = d->body_npos;
        c->body.pos_borrowed = 1;
        return 0;
    }
    return stream_init(c, &c->body, d->text, d->tokens);
}

static void stream_free(stream *st)
{
    text_tokens_free(st->owned);
    if (!st->pos_borrowed)
        free(st->pos);
}

static int atom_matches(const stream *st, size_t tok, const query_atom *a)
{
    const text_token *x = &st->t->v[tok];
    if (a->kind != QUERY_KIND_ANY && x->kind != a->kind)
        return 0;
    if (a->exact) {
        if (!st->text)
            return 0;
        const char *o = st->text + x->start;
        size_t ol = x->len;
        if ((x->kind == TEXT_HASHTAG || x->kind == TEXT_HANDLE) && ol > 0 &&
            (o[0] == '#' || o[0] == '@')) {
            o++;
            ol--;
        }
        return ol == a->exact_len && memcmp(o, a->exact, ol) == 0;
    }
    /* Most tokens differ from the atom in hash or length: settle those
     * without reading the folded form, which lies elsewhere in memory. */
    if (a->prefix) {
        const char *norm = text_norm(st->t, tok);
        return x->norm_len >= a->norm_len && norm[0] == a->norm[0] &&
               memcmp(norm, a->norm, a->norm_len) == 0;
    }
    return x->hash == a->hash && x->norm_len == a->norm_len &&
           memcmp(text_norm(st->t, tok), a->norm, a->norm_len) == 0;
}

/* The host of an absolute URL, lower-case ASCII, into buf. */
static void url_host(const char *url, char *buf, size_t cap)
{
    const char *h = strstr(url, "://");
    h = h ? h + 3 : url;
    size_t end = strcspn(h, "/?#");
    const char *at = memchr(h, '@', end);
    if (at) {
        end -= (size_t)(at + 1 - h);
        h = at + 1;
    }
    size_t colon = strcspn(h, ":");
    if (colon < end)
        end = colon;
    size_t n = 0;
    for (; n < end && n + 1 < cap; n++) {
        char ch = h[n];
        buf[n] = ch >= 'A' && ch <= 'Z' ? (char)(ch - 'A' + 'a') : ch;
    }
    buf[n] = '\0';
}

static int ascii_icase_contains(const char *hay, const char *needle)
{
    size_t nl = strlen(needle);
    for (const char *h = hay; *h; h++) {
        size_t i = 0;
        while (i < nl && h[i]) {
            char ch = h[i];
            if (ch >= 'A' && ch <= 'Z')
                ch = (char)(ch - 'A' + 'a');
            if (ch != needle[i])
                break;
            i++;
        }
        if (i == nl)
            return 1;
    }
    return nl == 0;
}

static int raw_field_matches(const query_doc *d, const query_term *t)
{
    switch (t->field) {
    case QUERY_FIELD_SITE: {
        if (!d->url)
            return 0;
        char host[256];
        url_host(d->url, host, sizeof host);
        size_t hl = strlen(host), vl = strlen(t->raw);
        if (hl == vl)
            return strcmp(host, t->raw) == 0;
        return hl > vl && host[hl - vl - 1] == '.' &&
               strcmp(host + hl - vl, t->raw) == 0;
    }
    case QUERY_FIELD_URL:
        return d->url && ascii_icase_contains(d->url, t->raw);
    case QUERY_FIELD_LANG: {
        if (!d->lang)
            return 0;
        size_t vl = strlen(t->raw);
        /* "fr" also accepts "fr-CA" should a finer tag ever appear. */
        for (size_t i = 0; i < vl; i++) {
            char ch = d->lang[i];
            if (ch >= 'A' && ch <= 'Z')
                ch = (char)(ch - 'A' + 'a');
            if (ch != t->raw[i])
                return 0;
        }
        return d->lang[vl] == '\0' || d->lang[vl] == '-' ||
               d->lang[vl] == '_';
    }
    default:
        return 0;
    }
}

static int eval_term(ctx *c, const query_term *t, spans *out)
{
    stream *st;
    switch (t->field) {
    case QUERY_FIELD_BODY: st = &c->body; break;
    case QUERY_FIELD_TITLE: st = &c->title; break;
    case QUERY_FIELD_AUTHOR: st = &c->author; break;
    default: return raw_field_matches(c->d, t);
    }
    if (!st->ready) {
        const char *src = t->field == QUERY_FIELD_TITLE ? c->d->title
                                                        : c->d->author;
        if (stream_init(c, st, src, NULL) < 0)
            return 0;
    }
    if (t->n_atoms == 0 || st->n < t->n_atoms)
        return 0;
    int found = 0;
    /* A phrase can only start where its first word is: when that word is
     * compared by hash (no {exact} form, no prefix), positions whose token
     * has another hash are passed over in a tight loop, since brand names
     * are rare in a text of thousands of words. */
    const query_atom *a0 = &t->atoms[0];
    int by_hash = !a0->exact && !a0->prefix;
    const text_token *v = st->t->v;
    for (size_t p = 0; p + t->n_atoms <= st->n; p++) {
        if (by_hash && v[st->pos[p]].hash != a0->hash)
            continue;
        size_t k = 0;
        while (k < t->n_atoms && atom_matches(st, st->pos[p + k], &t->atoms[k]))
            k++;
        if (k < t->n_atoms)
            continue;
        found = 1;
        if (t->field != QUERY_FIELD_BODY)
            break;
        if (push(c, out, p, p + t->n_atoms) < 0)
            return 0;
    }
    return found;
}

/* Tokens strictly between two disjoint spans; -1 when they overlap. */
static long gap(const cspan *x, const cspan *y)
{
    if (x->e <= y->b)
        return (long)(y->b - x->e);
    if (y->e <= x->b)
        return (long)(x->b - y->e);
    return -1;
}

/* Evaluates node n. On a match returns 1 and appends the body spans that
 * took part; on no match returns 0 and leaves out as it found it. */
static int eval(ctx *c, int n, spans *out)
{
    const qnode *x = &c->q->nodes[n];
    size_t n0 = out->n;
    int ok = 0;

    switch (x->kind) {
    case QN_TERM:
        ok = eval_term(c, &c->q->terms[x->term], out);
        break;
    case QN_NOT:
        ok = !eval(c, x->a, out);
        out->n = n0;     /* what a NOT excludes is not a match location */
        break;
    case QN_AND:
        ok = eval(c, x->a, out) && eval(c, x->b, out);
        break;
    case QN_OR: {
        /* Both sides run: the earliest match may be on either. */
        int a = eval(c, x->a, out);
        int b = eval(c, x->b, out);
        ok = a || b;
        break;
    }
    case QN_NEAR: {
        if (!eval(c, x->a, out))
            break;
        size_t na = out->n;
        if (!eval(c, x->b, out))
            break;
        size_t nb = out->n;
        unsigned char *keep = calloc(nb - n0, 1);
        if (!keep) {
            c->err = vg_error_set(VG_ENOMEM, "out of memory");
            break;
        }
        for (size_t i = n0; i < na; i++) {
            for (size_t j = na; j < nb; j++) {
                const cspan *l = &out->v[i], *r = &out->v[j];
                long g = gap(l, r);
                if (g < 0 || g > (long)x->dist)
                    continue;
                if (x->ordered && l->e > r->b)
                    continue;
                keep[i - n0] = keep[j - n0] = 1;
                ok = 1;
            }
        }
        size_t w = n0;
        for (size_t i = n0; i < nb; i++)
            if (keep[i - n0])
                out->v[w++] = out->v[i];
        out->n = w;
        free(keep);
        break;
    }
    }
    if (!ok || c->err != VG_OK)
        out->n = n0;
    return c->err == VG_OK ? ok : 0;
}

static int cmp_span(const void *x, const void *y)
{
    const query_span *a = x, *b = y;
    if (a->tok_begin != b->tok_begin)
        return a->tok_begin < b->tok_begin ? -1 : 1;
    if (a->tok_end != b->tok_end)
        return a->tok_end < b->tok_end ? -1 : 1;
    return 0;
}

vg_err query_match_spans(const query *q, const query_doc *d, int *matched,
                         query_span **out, size_t *n_out)
{
    ctx c;
    spans s = {0};
    query_span *res = NULL;
    vg_err rc = VG_OK;

    if (matched)
        *matched = 0;
    if (out)
        *out = NULL;
    if (n_out)
        *n_out = 0;
    if (!q || !d || !matched)
        return vg_error_set(VG_EINVAL, "query_match_spans: NULL argument");
    memset(&c, 0, sizeof c);
    c.q = q;
    c.d = d;
    if (body_init(&c) < 0) {
        rc = c.err;
        goto cleanup;
    }
    int ok = eval(&c, q->root, &s);
    if (c.err != VG_OK) {
        rc = c.err;
        goto cleanup;
    }
    *matched = ok;
    if (!ok || s.n == 0 || !out)
        goto cleanup;
    res = malloc(s.n * sizeof *res);
    if (!res) {
        rc = vg_error_set(VG_ENOMEM, "out of memory");
        goto cleanup;
    }
    for (size_t i = 0; i < s.n; i++) {
        res[i].tok_begin = c.body.pos[s.v[i].b];
        res[i].tok_end = c.body.pos[s.v[i].e - 1] + 1;
    }
    qsort(res, s.n, sizeof *res, cmp_span);
    size_t w = 0;
    for (size_t i = 0; i < s.n; i++)
        if (w == 0 || cmp_span(&res[w - 1], &res[i]) != 0)
            res[w++] = res[i];
    *out = res;
    if (n_out)
        *n_out = w;
    res = NULL;
cleanup:
    if (rc != VG_OK)
        *matched = 0;
    free(res);
    free(s.v);
    stream_free(&c.body);
    stream_free(&c.title);
    stream_free(&c.author);
    return rc;
}

int query_match_doc(const query *q, const query_doc *d, size_t *first_tok)
{
    int matched = 0;
    query_span *sp = NULL;
    size_t n = 0;

    if (first_tok)
        *first_tok = 0;
    vg_err rc = query_match_spans(q, d, &matched, &sp, &n);
    if (rc != VG_OK)
        return rc;
    if (matched && n > 0 && first_tok)
        *first_tok = sp[0].tok_begin;
    free(sp);
    return matched;
}

int query_match(const query *q, const char *text, const text_tokens *t,
                size_t *first_tok)
{
    query_doc d = {0};
    d.text = text;
    d.tokens = t;
    return query_match_doc(q, &d, first_tok);
}
