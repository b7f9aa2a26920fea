/*
 * The brand query compiler: turns the text a community manager types
 * (Fibrelia OR @fibrelia -"offre d'emploi") into the tree match.c walks.
 * A hand-written recursive-descent parser, because the language is small
 * and its error messages must point at the exact byte that is wrong.
 * Query words are folded here, once, with the same tokenizer the
 * documents go through, so "L'Oréal" becomes the phrase "l oreal" and
 * compares with plain byte equality at match time.
 *
 * Grammar (precedence NOT > NEAR > AND > OR, binary operators associate
 * to the left):
 *   or      := and ("OR" and)*
 *   and     := near (["AND"] near)*
 *   near    := unary ("NEAR/n" | "NEAR/nf" unary)*
 *   unary   := "NOT" unary | "-" unary | primary
 *   primary := "(" or ")" | field | word | "phrase" | {Exact}
 *   field   := ("title:" | "author:") primary | ("site:" | "url:" | "lang:") raw
 */
#include "monitor/query_int.h"

#include "core/buf.h"

#include <stdlib.h>
#include <string.h>

typedef enum ltype {
    L_END = 0,
    L_LPAREN,
    L_RPAREN,
    L_AND,
    L_OR,
    L_NOT,
    L_NEAR,
    L_MINUS,
    L_QUOTE,   /* "..." ; [vbeg, vend) is the inside */
    L_BRACE,   /* {...} */
    L_WORD,
    L_FIELD    /* name: ; the value follows at end */
} ltype;

typedef struct lexeme {
    ltype type;
    size_t beg, end;      /* bytes of the whole lexeme */
    size_t vbeg, vend;    /* inside of quotes or braces */
    unsigned dist;        /* L_NEAR */
    int ordered;          /* L_NEAR */
    query_field field;    /* L_FIELD */
} lexeme;

typedef struct parser {
    const char *s;
    size_t len, pos;
    query *q;
    vg_err err;
    size_t err_pos;
    int depth;
    int neg;              /* parity of NOTs above the current point */
    query_field field;    /* field the current leaves are read against */
} parser;

static const struct {
    const char *name;
    query_field field;
} fields[] = {
    {"title", QUERY_FIELD_TITLE}, {"author", QUERY_FIELD_AUTHOR},
    {"site", QUERY_FIELD_SITE},   {"url", QUERY_FIELD_URL},
    {"lang", QUERY_FIELD_LANG},
};

static int fail(parser *p, vg_err code, size_t at, const char *msg)
{
    if (p->err == VG_OK) {
        p->err = code;
        p->err_pos = at;
        if (code == VG_EPARSE)
            vg_error_set(code, "query: %s (at byte %zu)", msg, at);
        else
            vg_error_set(code, "query: %s", msg);
    }
    return -1;
}

static int is_space(char c)
{
    return c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\f' ||
           c == '\v';
}

/* Bytes that end a bare word: they open or close something. */
static int is_word_stop(char c)
{
    return is_space(c) || c == '(' || c == ')' || c == '"' || c == '{' ||
           c == '}';
}

static int word_is(const parser *p, const lexeme *l, const char *w)
{
    size_t n = strlen(w);
    return l->end - l->beg == n && memcmp(p->s + l->beg, w, n) == 0;
}

/* Reads the lexeme at p->pos without consuming it. Returns 0, or -1 after
 * recording an error. */
static int peek(parser *p, lexeme *l)
{
    const char *s = p->s;
    size_t i = p->pos;

    while (i < p->len && is_space(s[i]))
        i++;
    memset(l, 0, sizeof *l);
    l->beg = l->end = i;
    if (i >= p->len) {
        l->type = L_END;
        return 0;
    }
    switch (s[i]) {
    case '(': l->type = L_LPAREN; l->end = i + 1; return 0;
    case ')': l->type = L_RPAREN; l->end = i + 1; return 0;
    case '}': return fail(p, VG_EPARSE, i, "unexpected '}'");
    case '"':
    case '{': {
        char close = s[i] == '"' ? '"' : '}';
        const char *e = memchr(s + i + 1, close, p->len - i - 1);
        if (!e)
            return fail(p, VG_EPARSE, i,
                        close == '"' ? "unterminated quote"
                                     : "unterminated '{'");
        l->type = close == '"' ? L_QUOTE : L_BRACE;
        l->vbeg = i + 1;
        l->vend = (size_t)(e - s);
        l->end = l->vend + 1;
        return 0;
    }
    case '-':
        if (i + 1 >= p->len || is_space(s[i + 1]) || s[i + 1] == ')')
            return fail(p, VG_EPARSE, i, "'-' must be followed by a term");
        l->type = L_MINUS;
        l->end = i + 1;
        return 0;
    default:
        break;
    }

    for (size_t f = 0; f < sizeof fields / sizeof fields[0]; f++) {
        size_t n = strlen(fields[f].name);
        if (p->len - i > n && memcmp(s + i, fields[f].name, n) == 0 &&
            s[i + n] == ':') {
            l->type = L_FIELD;
            l->field = fields[f].field;
            l->end = i + n + 1;
            return 0;
        }
    }

    size_t e = i;
    while (e < p->len && !is_word_stop(s[e]))
        e++;
    l->end = e;
    l->type = L_WORD;
    if (word_is(p, l, "AND"))
        l->type = L_AND;
    else if (word_is(p, l, "OR"))
        l->type = L_OR;
    else if (word_is(p, l, "NOT"))
        l->type = L_NOT;
    else if (e - i >= 4 && memcmp(s + i, "NEAR", 4) == 0 &&
             (e - i == 4 || s[i + 4] == '/')) {
        /* NEAR alone or NEAR/...: an operator that must carry a distance.
         * "NEARBY" stays a word. */
        size_t j = i + 5;
        unsigned long n = 0;
        if (e - i == 4 || j >= e || s[j] < '0' || s[j] > '9')
            return fail(p, VG_EPARSE, i,
                        "NEAR needs a distance, as in NEAR/3 or NEAR/3f");
        while (j < e && s[j] >= '0' && s[j] <= '9') {
            n = n * 10 + (unsigned long)(s[j] - '0');
            if (n > QUERY_MAX_NEAR)
                return fail(p, VG_EPARSE, i, "NEAR distance too large");
            j++;
        }
        if (j < e && s[j] == 'f') {
            l->ordered = 1;
            j++;
        }
        if (j != e)
            return fail(p, VG_EPARSE, i,
                        "NEAR needs a distance, as in NEAR/3 or NEAR/3f");
        l->type = L_NEAR;
        l->dist = (unsigned)n;
    }
    return 0;
}

static int starts_operand(ltype t)
{
    return t == L_LPAREN || t == L_NOT || t == L_MINUS || t == L_QUOTE ||
           t == L_BRACE || t == L_WORD || t == L_FIELD;
}

static int new_node(parser *p, qnode_kind kind, int a, int b)
{
    query *q = p->q;
    if (q->n_nodes == q->cap_nodes) {
        size_t cap = q->cap_nodes ? q->cap_nodes * 2 : 16;
        qnode *v = realloc(q->nodes, cap * sizeof *v);
        if (!v)
            return fail(p, VG_ENOMEM, 0, "out of memory");
        q->nodes = v;
        q->cap_nodes = cap;
    }
    qnode *n = &q->nodes[q->n_nodes];
    memset(n, 0, sizeof *n);
    n->kind = kind;
    n->a = a;
    n->b = b;
    return (int)q->n_nodes++;
}

/* Reserves a new leaf (zeroed) and its node. Returns the node index. */
static int new_term(parser *p, query_term **out)
{
    query *q = p->q;
    if (q->n_terms == q->cap_terms) {
        size_t cap = q->cap_terms ? q->cap_terms * 2 : 8;
        query_term *v = realloc(q->terms, cap * sizeof *v);
        if (!v)
            return fail(p, VG_ENOMEM, 0, "out of memory");
        q->terms = v;
        unsigned char *g = realloc(q->term_neg, cap);
        if (!g)
            return fail(p, VG_ENOMEM, 0, "out of memory");
        q->term_neg = g;
        q->cap_terms = cap;
    }
    int node = new_node(p, QN_TERM, -1, -1);
    if (node < 0)
        return -1;
    q->nodes[node].term = q->n_terms;
    query_term *t = &q->terms[q->n_terms];
    memset(t, 0, sizeof *t);
    t->field = p->field;
    q->term_neg[q->n_terms] = (unsigned char)p->neg;
    q->n_terms++;
    *out = t;
    return node;
}

static size_t utf8_chars(const char *s, size_t n)
{
    size_t c = 0;
    for (size_t i = 0; i < n; i++)
        if (((unsigned char)s[i] & 0xC0) != 0x80)
            c++;
    return c;
}

typedef enum term_mode { TM_WORD, TM_PHRASE, TM_EXACT } term_mode;

/* Fills leaf t from the query bytes [beg, end), folded through the
 * document tokenizer so both sides agree on what a token is. A '*' right
 * after a token makes it a prefix; {…} keeps the original bytes. */
static int fill_atoms(parser *p, query_term *t, size_t beg, size_t end,
                      term_mode mode, size_t err_at)
{
    text_tokens *tk = NULL;
    query_atom *atoms = NULL;
    int rc = -1;
    const char *s = p->s + beg;
    size_t n = end - beg;

    if (mode == TM_WORD) {
        const char *star = memchr(s, '*', n);
        if (star && (size_t)(star - s) != n - 1) {
            fail(p, VG_EPARSE, beg + (size_t)(star - s),
                 "'*' is only allowed at the end of a word");
            goto cleanup;
        }
    }
    vg_err e = text_tokenize(s, n, &tk);
    if (e != VG_OK) {
        fail(p, e, beg, "cannot tokenize the query");
        goto cleanup;
    }
    size_t count = 0;
    for (size_t i = 0; i < tk->n; i++)
        if (tk->v[i].kind != TEXT_PUNCT)
            count++;
    if (count == 0) {
        fail(p, VG_EPARSE, err_at,
             mode == TM_WORD ? "term has no letters, digits or emoji"
                             : "empty phrase");
        goto cleanup;
    }
    atoms = calloc(count, sizeof *atoms);
    if (!atoms) {
        fail(p, VG_ENOMEM, beg, "out of memory");
        goto cleanup;
    }
    t->atoms = atoms;
    t->n_atoms = count;
    size_t k = 0;
    for (size_t i = 0; i < tk->n; i++) {
        const text_token *tt = &tk->v[i];
        if (tt->kind == TEXT_PUNCT)
            continue;
        query_atom *a = &atoms[k++];
        a->kind = tt->kind == TEXT_HASHTAG   ? TEXT_HASHTAG
                  : tt->kind == TEXT_HANDLE  ? TEXT_HANDLE
                                             : QUERY_KIND_ANY;
        a->norm_len = tt->norm_len;
        a->hash = tt->hash;
        a->norm = vg_strndup(text_norm(tk, i), tt->norm_len);
        if (!a->norm) {
            fail(p, VG_ENOMEM, beg, "out of memory");
            goto cleanup;
        }
        if (mode == TM_EXACT) {
            const char *o = s + tt->start;
            size_t ol = tt->len;
            /* Sigils are matched through kind; compare the word itself. */
            if (a->kind != QUERY_KIND_ANY && ol > 0 &&
                (o[0] == '#' || o[0] == '@')) {
                o++;
                ol--;
            }
            a->exact = vg_strndup(o, ol);
            a->exact_len = ol;
            if (!a->exact) {
                fail(p, VG_ENOMEM, beg, "out of memory");
                goto cleanup;
            }
        } else {
            size_t after = (size_t)tt->start + tt->len;
            if (after < n && s[after] == '*') {
                if (utf8_chars(a->norm, a->norm_len) < 2) {
                    fail(p, VG_EPARSE, beg + after,
                         "a wildcard needs at least 2 characters before '*'");
                    goto cleanup;
                }
                a->prefix = 1;
            }
        }
    }
    if (mode == TM_WORD && s[n - 1] == '*' && !atoms[count - 1].prefix) {
        /* "é*" or "#*": the star did not follow a token directly. */
        fail(p, VG_EPARSE, end - 1,
             "a wildcard needs at least 2 characters before '*'");
        goto cleanup;
    }
    rc = 0;
cleanup:
    text_tokens_free(tk);
    return rc;
}

static int parse_or(parser *p);
static int parse_unary(parser *p);

/* site:, url:, lang: take a raw value, quoted or up to a space or ')'. */
static int parse_raw_field(parser *p, const lexeme *f)
{
    size_t i = f->end, beg, end;
    if (i < p->len && p->s[i] == '"') {
        const char *e = memchr(p->s + i + 1, '"', p->len - i - 1);
        if (!e)
            return fail(p, VG_EPARSE, i, "unterminated quote");
        beg = i + 1;
        end = (size_t)(e - p->s);
        p->pos = end + 1;
    } else {
        beg = i;
        end = i;
        while (end < p->len && !is_space(p->s[end]) && p->s[end] != ')')
            end++;
        p->pos = end;
    }
    if (end == beg)
        return fail(p, VG_EPARSE, f->beg, "field filter needs a value");
    query_term *t;
    int node = new_term(p, &t);
    if (node < 0)
        return -1;
    t->field = f->field;
    char *raw = vg_strndup(p->s + beg, end - beg);
    if (!raw)
        return fail(p, VG_ENOMEM, 0, "out of memory");
    for (char *c = raw; *c; c++)
        if (*c >= 'A' && *c <= 'Z')
            *c = (char)(*c - 'A' + 'a');
    t->raw = raw;
    return node;
}

static int parse_primary(parser *p)
{
    lexeme l;
    if (peek(p, &l) < 0)
        return -1;
    switch (l.type) {
    case L_LPAREN: {
        if (p->depth >= QUERY_MAX_DEPTH)
            return fail(p, VG_EPARSE, l.beg, "query nested too deeply");
        p->pos = l.end;
        lexeme r;
        if (peek(p, &r) < 0)
            return -1;
        if (r.type == L_RPAREN)
            return fail(p, VG_EPARSE, l.beg, "empty parentheses");
        p->depth++;
        int inner = parse_or(p);
        p->depth--;
        if (inner < 0)
            return -1;
        if (peek(p, &r) < 0)
            return -1;
        if (r.type != L_RPAREN)
            return fail(p, VG_EPARSE, l.beg,
                        "unbalanced parenthesis: this '(' is never closed");
        p->pos = r.end;
        return inner;
    }
    case L_WORD:
    case L_QUOTE:
    case L_BRACE: {
        query_term *t;
        int node = new_term(p, &t);
        if (node < 0)
            return -1;
        int rc = l.type == L_WORD
                     ? fill_atoms(p, t, l.beg, l.end, TM_WORD, l.beg)
                     : fill_atoms(p, t, l.vbeg, l.vend,
                                  l.type == L_QUOTE ? TM_PHRASE : TM_EXACT,
                                  l.beg);
        if (rc < 0)
            return -1;
        p->pos = l.end;
        return node;
    }
    case L_FIELD: {
        if (l.field == QUERY_FIELD_SITE || l.field == QUERY_FIELD_URL ||
            l.field == QUERY_FIELD_LANG)
            return parse_raw_field(p, &l);
        if (p->field != QUERY_FIELD_BODY)
            return fail(p, VG_EPARSE, l.beg, "field filters cannot nest");
        if (l.end >= p->len || is_space(p->s[l.end]))
            return fail(p, VG_EPARSE, l.beg, "field filter needs a value");
        p->pos = l.end;
        p->field = l.field;
        int node = parse_primary(p);
        p->field = QUERY_FIELD_BODY;
        return node;
    }
    case L_RPAREN:
        return fail(p, VG_EPARSE, l.beg,
                    "unbalanced parenthesis: unexpected ')'");
    case L_AND:
    case L_OR:
    case L_NEAR:
        return fail(p, VG_EPARSE, l.beg, "operator without a term on its left");
    case L_END:
        return fail(p, VG_EPARSE, l.beg,
                    l.beg == 0 ? "empty query" : "a term is missing here");
    case L_NOT:
    case L_MINUS:
        return parse_unary(p);
    }
    return fail(p, VG_EPARSE, l.beg, "unexpected input");
}

static int parse_unary(parser *p)
{
    lexeme l;
    if (peek(p, &l) < 0)
        return -1;
    if (l.type != L_NOT && l.type != L_MINUS)
        return parse_primary(p);
    if (p->depth >= QUERY_MAX_DEPTH)
        return fail(p, VG_EPARSE, l.beg, "query nested too deeply");
    p->pos = l.end;
    lexeme r;
    if (peek(p, &r) < 0)
        return -1;
    if (!starts_operand(r.type))
        return fail(p, VG_EPARSE, l.beg,
                    l.type == L_NOT ? "NOT needs a term on its right"
                                    : "'-' must be followed by a term");
    p->depth++;
    p->neg ^= 1;
    int child = parse_unary(p);
    p->neg ^= 1;
    p->depth--;
    if (child < 0)
        return -1;
    return new_node(p, QN_NOT, child, -1);
}

/* Whether node n, when it matches, always does so through body tokens:
 * NEAR can only measure distances between such operands. */
static int has_spans(const query *q, int n)
{
    const qnode *x = &q->nodes[n];
    switch (x->kind) {
    case QN_TERM: return q->terms[x->term].field == QUERY_FIELD_BODY;
    case QN_AND: return has_spans(q, x->a) || has_spans(q, x->b);
    case QN_OR: return has_spans(q, x->a) && has_spans(q, x->b);
    case QN_NOT: return 0;
    case QN_NEAR: return 1;
    }
    return 0;
}

static int parse_near(parser *p)
{
    int left = parse_unary(p);
    lexeme l;
    while (left >= 0) {
        if (peek(p, &l) < 0)
            return -1;
        if (l.type != L_NEAR)
            break;
        p->pos = l.end;
        lexeme r;
        if (peek(p, &r) < 0)
            return -1;
        if (!starts_operand(r.type))
            return fail(p, VG_EPARSE, l.beg, "NEAR needs a term on its right");
        int right = parse_unary(p);
        if (right < 0)
            return -1;
        if (!has_spans(p->q, left) || !has_spans(p->q, right))
            return fail(p, VG_EPARSE, l.beg,
                        "NEAR needs words or phrases of the text on both "
                        "sides (no NOT, no field filter)");
        int n = new_node(p, QN_NEAR, left, right);
        if (n < 0)
            return -1;
        p->q->nodes[n].dist = l.dist;
        p->q->nodes[n].ordered = l.ordered;
        left = n;
    }
    return left;
}

static int parse_and(parser *p)
{
    int left = parse_near(p);
    lexeme l;
    while (left >= 0) {
        if (peek(p, &l) < 0)
            return -1;
        if (l.type == L_AND) {
            p->pos = l.end;
            lexeme r;
            if (peek(p, &r) < 0)
                return -1;
            if (!starts_operand(r.type))
                return fail(p, VG_EPARSE, l.beg,
                            "AND needs a term on its right");
        } else if (!starts_operand(l.type)) {
            break;
        }
        int right = parse_near(p);
        if (right < 0)
            return -1;
        left = new_node(p, QN_AND, left, right);
    }
    return left;
}

static int parse_or(parser *p)
{
    int left = parse_and(p);
    lexeme l;
    while (left >= 0) {
        if (peek(p, &l) < 0)
            return -1;
        if (l.type != L_OR)
            break;
        p->pos = l.end;
        lexeme r;
        if (peek(p, &r) < 0)
            return -1;
        if (!starts_operand(r.type))
            return fail(p, VG_EPARSE, l.beg, "OR needs a term on its right");
        int right = parse_and(p);
        if (right < 0)
            return -1;
        left = new_node(p, QN_OR, left, right);
    }
    return left;
}

/* Whether every match of node n (of NOT n when neg) goes through at
 * least one positive term; De Morgan carries neg down the tree. */
static int needs_positive(const query *q, int n, int neg)
{
    const qnode *x = &q->nodes[n];
    switch (x->kind) {
    case QN_TERM:
    case QN_NEAR:
        return !neg;
    case QN_NOT:
        return needs_positive(q, x->a, !neg);
    case QN_AND:
        if (neg)
            return needs_positive(q, x->a, 1) && needs_positive(q, x->b, 1);
        return needs_positive(q, x->a, 0) || needs_positive(q, x->b, 0);
    case QN_OR:
        if (neg)
            return needs_positive(q, x->a, 1) || needs_positive(q, x->b, 1);
        return needs_positive(q, x->a, 0) && needs_positive(q, x->b, 0);
    }
    return 0;
}

vg_err query_compile(const char *src, query **out, size_t *err_pos)
{
    parser p;
    query *q = NULL;
    vg_err rc = VG_OK;

    if (err_pos)
        *err_pos = 0;
    if (!src || !out)
        return vg_error_set(VG_EINVAL, "query_compile: NULL argument");
    *out = NULL;
    size_t len = strlen(src);
    if (len > QUERY_MAX_BYTES)
        return vg_error_set(VG_ETOOBIG, "query longer than %d bytes",
                            QUERY_MAX_BYTES);
    q = calloc(1, sizeof *q);
    if (!q)
        return vg_error_set(VG_ENOMEM, "out of memory");
    size_t blank = 0;
    while (blank < len && is_space(src[blank]))
        blank++;
    if (blank == len) {
        rc = vg_error_set(VG_EPARSE, "query: empty query (at byte 0)");
        goto cleanup;
    }
    memset(&p, 0, sizeof p);
    p.s = src;
    p.len = len;
    p.q = q;
    p.field = QUERY_FIELD_BODY;

    int root = parse_or(&p);
    if (root >= 0) {
        lexeme l;
        if (peek(&p, &l) == 0 && l.type != L_END)
            fail(&p, VG_EPARSE, l.beg,
                 l.type == L_RPAREN ? "unbalanced parenthesis: unexpected ')'"
                                    : "unexpected input");
    }
    if (p.err != VG_OK) {
        rc = p.err;
        if (err_pos)
            *err_pos = p.err_pos;
        goto cleanup;
    }
    q->root = root;
    q->negative_only = !needs_positive(q, root, 0);

    size_t n_pos = 0;
    for (size_t i = 0; i < q->n_terms; i++)
        n_pos += !q->term_neg[i];
    if (n_pos > 0) {
        q->pos_terms = malloc(n_pos * sizeof *q->pos_terms);
        if (!q->pos_terms) {
            rc = vg_error_set(VG_ENOMEM, "out of memory");
            goto cleanup;
        }
        for (size_t i = 0; i < q->n_terms; i++)
            if (!q->term_neg[i])
                q->pos_terms[q->n_pos_terms++] = q->terms[i];
    }
    *out = q;
    q = NULL;
cleanup:
    query_free(q);
    return rc;
}

void query_free(query *q)
{
    if (!q)
        return;
    for (size_t i = 0; i < q->n_terms; i++) {
        query_term *t = &q->terms[i];
        /* atoms is const for readers; this file allocated it. */
        query_atom *atoms = (query_atom *)t->atoms;
        for (size_t k = 0; atoms && k < t->n_atoms; k++) {
            free((char *)atoms[k].norm);
            free((char *)atoms[k].exact);
        }
        free(atoms);
        free((char *)t->raw);
    }
    free(q->terms);
    free(q->term_neg);
    free(q->pos_terms);
    free(q->nodes);
    free(q);
}

int query_is_negative_only(const query *q)
{
    return q ? q->negative_only : 0;
}

size_t query_terms(const query *q, const query_term **out)
{
    if (out)
        *out = q ? q->pos_terms : NULL;
    return q ? q->n_pos_terms : 0;
}
