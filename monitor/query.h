/*
 * Brand queries: the boolean language community managers write
 * ("Fibrelia" OR @fibrelia NOT stage), compiled once and matched against a
 * document's shared token stream.
 *
 * First version: words (whole tokens, case- and accent-insensitive; a
 * plain word also matches its #hashtag and @handle), "quoted phrases",
 * AND (or juxtaposition), OR, NOT and -term, parentheses.
 * Compiled queries are immutable and may be shared between threads.
 */
#ifndef VG_QUERY_H
#define VG_QUERY_H

#include "core/vg.h"
#include "text/text.h"

#include <stddef.h>

typedef struct query query;

/* Compiles src. On a syntax error returns VG_EPARSE, with *err_pos (if not
 * NULL) set to the byte offset of the problem and vg_error_last() holding
 * a one-line reason. *out freed with query_free. */
vg_err query_compile(const char *src, query **out, size_t *err_pos);

/* Frees a query (NULL accepted). */
void query_free(query *q);

/* Non-zero when the query can match only by exclusion ("NOT x" alone),
 * which brand queries refuse. */
int query_is_negative_only(const query *q);

/* Matches q against tokens t. Returns 1 on a match and sets *first_tok to
 * the index of the first token of the earliest positive match (the place
 * to cut a snippet around), 0 otherwise. */
int query_match(const query *q, const text_tokens *t, size_t *first_tok);

/* The snippet around token tok: its sentence plus one sentence on each
 * side, capped at max_bytes; *out is malloc'd (free()). */
vg_err query_snippet(const char *text, const text_tokens *t, size_t tok,
                     size_t max_bytes, char **out);

#endif
