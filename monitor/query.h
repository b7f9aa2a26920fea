/*
 * Brand queries: the boolean language community managers write
 * ("Fibrelia" OR @fibrelia NOT stage), compiled once and matched against a
 * document's shared token stream.
 *
 * The language (docs/queries.md has the user guide): words match whole
 * tokens, case- and accent-insensitively, and a plain word also matches
 * its #hashtag and @handle; #word / @word match only that kind; "quoted
 * phrases"; word* (prefix); {Word} (case-sensitive); AND (or mere
 * juxtaposition), OR, NOT and -term, parentheses; A NEAR/n B (at most n
 * tokens between, either order) and A NEAR/nf B (A first); field filters
 * title:, author:, site:, url:, lang:. Precedence: NOT > NEAR > AND > OR.
 * Compiled queries are immutable and may be shared between threads.
 */
#ifndef VG_QUERY_H
#define VG_QUERY_H

#include "core/vg.h"
#include "text/text.h"

#include <stddef.h>

typedef struct query query;

/* Longest query source accepted (a brand query is a line, not a book). */
#define QUERY_MAX_BYTES 4096

/* Compiles src. On a syntax error returns VG_EPARSE, with *err_pos (if not
 * NULL) set to the byte offset of the problem and vg_error_last() holding
 * a one-line reason. VG_ETOOBIG past QUERY_MAX_BYTES, VG_ENOMEM.
 * *out freed with query_free. */
vg_err query_compile(const char *src, query **out, size_t *err_pos);

/* Frees a query (NULL accepted). */
void query_free(query *q);

/* Non-zero when the query can match only by exclusion ("NOT x" alone,
 * "-x", "a OR NOT b"), which brand queries refuse. */
int query_is_negative_only(const query *q);

/* The document a query is matched against. text/tokens are the body
 * (tokens from text_tokenize(text)); the other fields may be NULL, in
 * which case a filter on them does not match. text may be NULL only if
 * the query has no {case-sensitive} term on the body. */
typedef struct query_doc {
    const char *text;
    const text_tokens *tokens;
    const char *title;
    const char *url;
    const char *author;
    const char *lang;    /* "fr", "en", ... as text_lang_guess gives */
    /* Optional: the indices of tokens' non-PUNCT tokens, in order (what
     * the matcher scans). Set by whoever runs several queries on one
     * document, so the list is made once; borrowed. NULL: made per call. */
    const size_t *body_pos;
    size_t body_npos;
} query_doc;

/* A run of body tokens [tok_begin, tok_end) that a positive term matched. */
typedef struct query_span {
    size_t tok_begin, tok_end;
} query_span;

/* Matches q against the body text and its tokens t. Returns 1 on a match
 * and sets *first_tok (if not NULL) to the index of the first token of the
 * earliest positive match (the place to cut a snippet around; 0 when the
 * match used no body token), 0 when it does not match, VG_ENOMEM
 * (negative) if memory ran out: test `> 0`. Thread-safe. */
int query_match(const query *q, const char *text, const text_tokens *t,
                size_t *first_tok);

/* query_match over a whole document, field filters included. Title and
 * author are tokenized on demand, once per call. Same returns. */
int query_match_doc(const query *q, const query_doc *d, size_t *first_tok);

/* Like query_match_doc, and lists every body span that took part in the
 * match, sorted by position, without duplicates. *matched is 1 or 0;
 * *spans (malloc'd, free(); NULL when *n_spans is 0) and *n_spans.
 * Returns VG_OK or VG_ENOMEM. */
vg_err query_match_spans(const query *q, const query_doc *d, int *matched,
                         query_span **spans, size_t *n_spans);

/* Explains a match leaf by leaf, one line each: "  + term: found \"...\"
 * at bytes b-e" or "not found" for positive leaves, "  - term: absent,
 * the exclusion holds" or "present, it excludes the text" for leaves
 * under NOT. *out is malloc'd (free()). VG_EINVAL, VG_ENOMEM. */
vg_err query_explain(const query *q, const query_doc *d, char **out);

/* Query leaves, for indexing many queries at once. */
enum {
    QUERY_KIND_ANY = -1  /* query_atom.kind: any token kind (plain word) */
};

typedef enum query_field {
    QUERY_FIELD_BODY = 0,
    QUERY_FIELD_TITLE,
    QUERY_FIELD_AUTHOR,
    QUERY_FIELD_SITE,    /* raw: host equals value or ends with "." value */
    QUERY_FIELD_URL,     /* raw: case-insensitive substring of the URL */
    QUERY_FIELD_LANG     /* raw: equals the document language */
} query_field;

/* One token of a term: folded form, optional case-sensitive original. */
typedef struct query_atom {
    const char *norm;    /* folded form, as text_norm() gives */
    const char *exact;   /* {Word}: original bytes to compare, else NULL */
    size_t norm_len;     /* strlen(norm) */
    size_t exact_len;    /* strlen(exact), 0 when exact is NULL */
    int kind;            /* QUERY_KIND_ANY, TEXT_HASHTAG or TEXT_HANDLE */
    int prefix;          /* word*: norm is a prefix of the token's form */
    uint64_t hash;       /* text_token.hash of norm: most tokens are told
                            apart from the atom by this alone */
} query_atom;

/* A leaf: a word (one atom), a phrase (several consecutive atoms), or a
 * raw field filter (no atoms, value in raw). */
typedef struct query_term {
    const query_atom *atoms;
    size_t n_atoms;
    query_field field;
    const char *raw;     /* site:/url:/lang: value, lower-cased; else NULL */
} query_term;

/* The query's positive leaves (those not under NOT), in source order.
 * Returns their number; *out is borrowed from q. */
size_t query_terms(const query *q, const query_term **out);

/* The snippet around token tok: its sentence plus one sentence on each
 * side, whitespace collapsed, capped at max_bytes at a UTF-8 character
 * boundary with "…" where text was cut (sentences around are dropped
 * first, then the match's own sentence is cut around tok); max_bytes 0
 * means no cap. *out is
 * malloc'd (free()). VG_EINVAL on a NULL argument, VG_ENOMEM. */
vg_err query_snippet(const char *text, const text_tokens *t, size_t tok,
                     size_t max_bytes, char **out);

#endif
