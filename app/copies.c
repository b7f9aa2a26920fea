/*
 * Syndicated copies in mention lists (`vigie mentions --group-copies`):
 * mentions of the same brand whose documents share a content hash (the
 * writer gives a copy the first one's, store/copies.c) or have simhashes
 * at most TEXT_SIMHASH_NEAR bits apart are one article republished; the
 * list keeps the first (newest, in the default order) and says how many
 * copies it stands for. Documents without either are never grouped.
 */
#include "app/app.h"

#include "core/buf.h"
#include "text/text.h"

#include <stdlib.h>
#include <string.h>

vg_err app_mentions_group_copies(store *st, store_mention_row *v, size_t *n);

static size_t root_of(size_t *parent, size_t i)
{
    while (parent[i] != i) {
        parent[i] = parent[parent[i]];
        i = parent[i];
    }
    return i;
}

/* Groups v[0..*n) in place: each group's first row stays, in order, its
 * snippet suffixed with " [+K copies]"; the other rows are freed and *n
 * shrinks. VG_ENOMEM, VG_EDB (v is then unchanged). Rows are not grouped
 * across brands. */
vg_err app_mentions_group_copies(store *st, store_mention_row *v, size_t *n)
{
    size_t len = *n;
    int64_t *ids = NULL;
    uint64_t *sh = NULL, *ch = NULL;
    size_t *parent = NULL, *count = NULL;
    vg_err rc = VG_OK;

    if (len < 2)
        return VG_OK;
    ids = malloc(len * sizeof *ids);
    sh = malloc(len * sizeof *sh);
    ch = malloc(len * sizeof *ch);
    parent = malloc(len * sizeof *parent);
    count = calloc(len, sizeof *count);
    if (!ids || !sh || !ch || !parent || !count) {
        rc = vg_error_set(VG_ENOMEM, "out of memory");
        goto cleanup;
    }
    for (size_t i = 0; i < len; i++) {
        ids[i] = v[i].id;
        parent[i] = i;
    }
    if ((rc = store_mention_simhashes(st, ids, len, sh, ch)) != VG_OK)
        goto cleanup;
    for (size_t i = 0; i < len; i++) {
        if (sh[i] == 0 && ch[i] == 0)
            continue;
        for (size_t j = i + 1; j < len; j++) {
            int same = (ch[i] != 0 && ch[i] == ch[j]) ||
                       (sh[i] != 0 && sh[j] != 0 &&
                        text_simhash_distance(sh[i], sh[j]) <= TEXT_SIMHASH_NEAR);
            if (!same ||
                strcmp(v[i].brand ? v[i].brand : "", v[j].brand ? v[j].brand : "") != 0)
                continue;
            size_t a = root_of(parent, i), b = root_of(parent, j);
            if (a != b)
                parent[a > b ? a : b] = a < b ? a : b; /* the earlier row leads */
        }
    }
    for (size_t i = 0; i < len; i++)
        count[root_of(parent, i)]++;
    size_t w = 0;
    for (size_t i = 0; i < len; i++) {
        if (root_of(parent, i) != i) {
            /* Freed through the store's own function, so a field added to
             * the row one day is freed too. */
            store_mention_row *one = malloc(sizeof *one);
            if (!one) {         /* keep the row rather than lose track */
                v[w++] = v[i];
                continue;
            }
            *one = v[i];
            store_mention_row_array_free(one, 1);
            continue;
        }
        if (count[i] > 1) {
            vg_buf b;
            vg_buf_init(&b, 1u << 20);
            vg_buf_printf(&b, "%s [+%zu copies]", v[i].snippet ? v[i].snippet : "",
                          count[i] - 1);
            char *s = b.err ? NULL : vg_buf_detach(&b);
            vg_buf_free(&b);
            if (s) {
                free(v[i].snippet);
                v[i].snippet = s;
            }
        }
        v[w++] = v[i];
    }
    *n = w;
cleanup:
    free(ids);
    free(ch);
    free(sh);
    free(parent);
    free(count);
    return rc;
}
