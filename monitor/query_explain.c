/*
 * Why a query matched or not, leaf by leaf, for `vigie match --explain`:
 * a community manager testing a query wants to see which words were found
 * where and which exclusions held. Each leaf is evaluated on its own
 * through a one-node query sharing the leaf's atoms, so the explanation
 * uses exactly the matcher's rules.
 */
#include "monitor/query_int.h"

#include "core/buf.h"

#include <stdlib.h>
#include <string.h>

/* Writes the leaf as the user could have typed it. */
static void describe(vg_buf *b, const query_term *t)
{
    static const char *const names[] = {"", "title:", "author:", "site:",
                                        "url:", "lang:"};
    vg_buf_puts(b, names[t->field]);
    if (t->raw) {
        vg_buf_puts(b, t->raw);
        return;
    }
    if (t->n_atoms > 1)
        vg_buf_puts(b, "\"");
    for (size_t k = 0; k < t->n_atoms; k++) {
        const query_atom *a = &t->atoms[k];
        if (k > 0)
            vg_buf_puts(b, " ");
        if (a->kind == TEXT_HASHTAG)
            vg_buf_puts(b, "#");
        else if (a->kind == TEXT_HANDLE)
            vg_buf_puts(b, "@");
        if (a->exact) {
            vg_buf_puts(b, "{");
            vg_buf_puts(b, a->exact);
            vg_buf_puts(b, "}");
        } else {
            vg_buf_puts(b, a->norm);
        }
        if (a->prefix)
            vg_buf_puts(b, "*");
    }
    if (t->n_atoms > 1)
        vg_buf_puts(b, "\"");
}

vg_err query_explain(const query *q, const query_doc *d, char **out)
{
    vg_buf b;
    vg_err rc = VG_OK;

    if (out)
        *out = NULL;
    if (!q || !d || !out)
        return vg_error_set(VG_EINVAL, "query_explain: NULL argument");
    vg_buf_init(&b, 1u << 20);
    for (size_t i = 0; i < q->n_terms; i++) {
        const query_term *t = &q->terms[i];
        int neg = q->term_neg[i];
        qnode node = {QN_TERM, -1, -1, 0, 0, 0};
        query one;
        memset(&one, 0, sizeof one);
        one.nodes = &node;
        one.n_nodes = 1;
        one.root = 0;
        one.terms = (query_term *)t;
        one.n_terms = 1;
        int matched = 0;
        query_span *sp = NULL;
        size_t ns = 0;
        rc = query_match_spans(&one, d, &matched, &sp, &ns);
        if (rc != VG_OK)
            goto cleanup;
        vg_buf_puts(&b, neg ? "  - " : "  + ");
        describe(&b, t);
        if (!matched) {
            vg_buf_puts(&b, neg ? ": absent, the exclusion holds\n"
                                : ": not found\n");
        } else {
            vg_buf_puts(&b, neg ? ": present, it excludes the text" : ": found");
            for (size_t k = 0; k < ns && k < 8 && d->tokens && d->text; k++) {
                const text_token *x = &d->tokens->v[sp[k].tok_begin];
                const text_token *y = &d->tokens->v[sp[k].tok_end - 1];
                size_t s0 = x->start, s1 = (size_t)y->start + y->len;
                vg_buf_printf(&b, "%s \"%.*s\" at bytes %zu-%zu",
                              k ? "," : "", (int)(s1 - s0), d->text + s0, s0,
                              s1);
            }
            if (ns == 0 && t->field != QUERY_FIELD_BODY)
                vg_buf_puts(&b, " (in the document's fields)");
            vg_buf_puts(&b, "\n");
        }
        free(sp);
    }
    if (b.err != VG_OK) {
        rc = vg_error_set(b.err, "explanation too long");
        goto cleanup;
    }
    *out = strdup(vg_buf_str(&b));
    if (!*out)
        rc = vg_error_set(VG_ENOMEM, "out of memory");
cleanup:
    vg_buf_free(&b);
    return rc;
}
