/*
 * Mention snippets: the few sentences around a brand match that the store
 * keeps with the mention and that digests and alerts quote. A snippet is
 * the match's sentence with one sentence on each side, whitespace
 * collapsed to single spaces, and never longer than the caller's cap: the
 * neighbouring sentences go first, then the match's own sentence is cut
 * around the matched token, always at a UTF-8 character boundary, with
 * "…" marking each cut.
 */
#include "monitor/query.h"

#include "core/buf.h"

#include <string.h>

#define ELLIPSIS "\xE2\x80\xA6"
#define ELLIPSIS_LEN 3

/* Length of the whitespace character at s[i] (ASCII or the Unicode spaces
 * pages actually carry: no-break, thin, line separators), 0 if none. */
static size_t space_len(const unsigned char *s, size_t i, size_t n)
{
    unsigned char c = s[i];
    if (c == ' ' || (c >= '\t' && c <= '\r'))
        return 1;
    if (c == 0xC2 && i + 1 < n && s[i + 1] == 0xA0)
        return 2;
    if (c == 0xE2 && i + 2 < n && s[i + 1] == 0x80 &&
        (s[i + 2] <= 0x8A || s[i + 2] == 0xA8 || s[i + 2] == 0xA9 ||
         s[i + 2] == 0xAF))
        return 3;
    if (c == 0xE3 && i + 2 < n && s[i + 1] == 0x80 && s[i + 2] == 0x80)
        return 3;
    return 0;
}

/* Appends [from, to) of text with whitespace runs collapsed and the ends
 * trimmed. */
static void collapse(const char *text, size_t from, size_t to, vg_buf *b)
{
    const unsigned char *s = (const unsigned char *)text;
    int pending = 0;
    size_t i = from;
    while (i < to) {
        size_t w = space_len(s, i, to);
        if (w) {
            pending = 1;
            i += w;
            continue;
        }
        if (pending && b->len > 0)
            vg_buf_putc(b, ' ');
        pending = 0;
        size_t j = i + 1;
        while (j < to && !space_len(s, j, to))
            j++;
        vg_buf_append(b, text + i, j - i);
        i = j;
    }
}

/* Largest cut <= n that does not split a UTF-8 character. */
static size_t char_floor(const char *s, size_t n)
{
    while (n > 0 && ((unsigned char)s[n] & 0xC0) == 0x80)
        n--;
    return n;
}

vg_err query_snippet(const char *text, const text_tokens *t, size_t tok,
                     size_t max_bytes, char **out)
{
    vg_buf b;
    vg_err rc = VG_OK;

    if (!text || !t || !out)
        return vg_error_set(VG_EINVAL, "query_snippet: NULL argument");
    *out = NULL;
    vg_buf_init(&b, TEXT_MAX_BYTES + 16);
    size_t tlen = strlen(text);
    size_t cap = max_bytes ? max_bytes : (size_t)-1;

    size_t s_lo = 0, s_hi = tlen, anchor = 0;
    int have_sent = tok < t->n && t->v[tok].sentence < t->n_sent;
    if (tok < t->n)
        anchor = t->v[tok].start;
    if (anchor > tlen)
        anchor = tlen;
    if (have_sent) {
        size_t s = t->v[tok].sentence;
        size_t prev = s > 0 ? s - 1 : s;
        size_t next = s + 1 < t->n_sent ? s + 1 : s;
        const size_t cand[4][2] = {{prev, next}, {s, next}, {prev, s}, {s, s}};
        for (size_t k = 0; k < 4; k++) {
            size_t from = t->sent[cand[k][0]].start;
            size_t to = t->sent[cand[k][1]].end;
            if (to > tlen)
                to = tlen;
            if (from > to)
                from = to;
            vg_buf_reset(&b);
            collapse(text, from, to, &b);
            if (b.err != VG_OK) {
                rc = vg_error_set(b.err, "snippet too large");
                goto cleanup;
            }
            if (b.len <= cap)
                goto done;
        }
        s_lo = t->sent[s].start;
        s_hi = t->sent[s].end;
        if (s_hi > tlen)
            s_hi = tlen;
        if (s_lo > anchor)
            s_lo = anchor;
    } else {
        vg_buf_reset(&b);
        collapse(text, 0, tlen, &b);
        if (b.err != VG_OK) {
            rc = vg_error_set(b.err, "snippet too large");
            goto cleanup;
        }
        if (b.len <= cap)
            goto done;
    }

    /* Too long even alone: keep a little context before the match, and
     * start on a word boundary when there is one. */
    {
        int ell = cap >= 4 * ELLIPSIS_LEN;
        size_t lo = s_lo;
        int cut_left = 0;
        size_t lead = cap / 3;
        if (anchor > s_lo && anchor - s_lo > lead) {
            lo = char_floor(text, anchor - lead);
            for (size_t i = lo; i < anchor; i++) {
                size_t w = space_len((const unsigned char *)text, i, anchor);
                if (w) {
                    lo = i + w;
                    break;
                }
            }
            cut_left = 1;
        }
        vg_buf body;
        vg_buf_init(&body, TEXT_MAX_BYTES + 16);
        collapse(text, lo, s_hi, &body);
        if (body.err != VG_OK) {
            rc = vg_error_set(body.err, "snippet too large");
            vg_buf_free(&body);
            goto cleanup;
        }
        vg_buf_reset(&b);
        size_t budget = cap;
        if (cut_left && ell) {
            vg_buf_puts(&b, ELLIPSIS);
            budget -= ELLIPSIS_LEN;
        }
        const char *bs = vg_buf_str(&body);
        if (body.len <= budget) {
            vg_buf_append(&b, bs, body.len);
        } else {
            size_t keep = char_floor(bs, ell ? budget - ELLIPSIS_LEN : budget);
            if (bs[keep] != ' ') {
                /* Back off to the last word boundary unless that would
                 * throw away more than half of what fits. */
                size_t j = keep;
                while (j > keep / 2 && bs[j - 1] != ' ')
                    j--;
                if (j > keep / 2)
                    keep = j;
            }
            while (keep > 0 && bs[keep - 1] == ' ')
                keep--;
            vg_buf_append(&b, bs, keep);
            if (ell)
                vg_buf_puts(&b, ELLIPSIS);
        }
        vg_buf_free(&body);
        if (b.err != VG_OK) {
            rc = vg_error_set(b.err, "snippet too large");
            goto cleanup;
        }
    }
done:
    *out = vg_buf_detach(&b);
    if (!*out)
        rc = vg_error_set(VG_ENOMEM, "out of memory");
cleanup:
    vg_buf_free(&b);
    return rc;
}
