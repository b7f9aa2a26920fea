/*
 * Private to monitor/: the compiled form of a brand query, shared by the
 * compiler (query.c) and the matcher (match.c). A query is a tree of
 * nodes kept in one array and linked by index; leaves point into the
 * term array, whose words were folded once at compile time.
 */
#ifndef VG_QUERY_INT_H
#define VG_QUERY_INT_H

#include "monitor/query.h"

typedef enum qnode_kind {
    QN_TERM = 0,
    QN_AND,
    QN_OR,
    QN_NOT,      /* child in a */
    QN_NEAR
} qnode_kind;

typedef struct qnode {
    qnode_kind kind;
    int a, b;            /* children (node indices), -1 when unused */
    size_t term;         /* QN_TERM: index into query.terms */
    unsigned dist;       /* QN_NEAR: most tokens allowed between */
    int ordered;         /* QN_NEAR: a must come before b */
} qnode;

/* Deepest nesting of parentheses and NOTs accepted: recursion in the
 * parser and the matcher follows it. */
#define QUERY_MAX_DEPTH 64

/* Largest n accepted in NEAR/n. */
#define QUERY_MAX_NEAR 1000

struct query {
    qnode *nodes;
    size_t n_nodes, cap_nodes;
    int root;
    query_term *terms;       /* every leaf, in source order */
    unsigned char *term_neg; /* 1 when the leaf sits under an odd NOT count */
    size_t n_terms, cap_terms;
    query_term *pos_terms;   /* copies of the positive leaves */
    size_t n_pos_terms;
    int negative_only;
};

#endif
