/*
 * Many brand queries matched at once. Every enabled brand's query is
 * compiled into one index; a single pass over a document's tokens looks
 * each folded form up in a hash table (and each of its prefixes whose
 * length some wildcard uses) to find the few queries that could match,
 * and only those candidates' boolean trees are evaluated. The cost per
 * document therefore follows the document's length and its candidates,
 * not the number of brands.
 */
#ifndef VG_MATCHER_H
#define VG_MATCHER_H

#include "monitor/query.h"

typedef struct matcher matcher;

/* One query that matched a document. */
typedef struct matcher_hit {
    size_t query;      /* index in the array given to matcher_new */
    size_t first_tok;  /* as query_match_doc's *first_tok */
} matcher_hit;

/* Indexes n compiled queries together. The array is copied, the queries
 * are borrowed: they must outlive the matcher. A NULL entry is skipped (a
 * disabled brand keeps its slot). *out is freed with matcher_free.
 * VG_EINVAL on a NULL argument (n may be 0), VG_ENOMEM. */
vg_err matcher_new(const query *const *queries, size_t n, matcher **out);

/* Frees a matcher (NULL accepted). */
void matcher_free(matcher *m);

/* Matches every indexed query against d; exactly the queries for which
 * query_match_doc(q, d) > 0, with the same first token. *hits (malloc'd,
 * free(); NULL when *n is 0) is sorted by query index. Thread-safe: a
 * matcher is read-only once built. VG_EINVAL, VG_ENOMEM. */
vg_err matcher_match_doc(const matcher *m, const query_doc *d,
                         matcher_hit **hits, size_t *n);

/* Number of queries that must be evaluated on every document because no
 * term is required for them to match (negative-only, or only raw
 * site:/url:/lang: filters). For diagnostics and tests. */
size_t matcher_always_count(const matcher *m);

/* The candidate queries for d, before their trees are evaluated: a
 * superset of the matching ones. *out (malloc'd, free(); NULL when *n is
 * 0) sorted and unique. For diagnostics, tests and benches. */
vg_err matcher_candidates(const matcher *m, const query_doc *d,
                          size_t **out, size_t *n);

#endif
