/*
 * Stored documents read back for re-matching (`vigie brand test`,
 * `vigie brand rematch`): walk the documents of a period, see which ones a
 * brand already has mentions on, remove the mentions an edited query no
 * longer gives, and read the near-duplicate fingerprints (simhash) that
 * group syndicated copies.
 */
#include "store/store_int.h"

#include "core/hash.h"

#include <stdlib.h>
#include <string.h>

/* Documents are streamed one row at a time; the caller may keep nothing
 * of a row past its callback. */
vg_err store_documents_each(store *st, int64_t since,
                            store_document_fn fn, void *arg)
{
    sqlite3_stmt *s = NULL;
    vg_err rc;
    int step;

    if (st == NULL || fn == NULL)
        return vg_error_set(VG_EINVAL, "store_documents_each: NULL argument");
    rc = db_prepare(st,
                    "SELECT id, url, title, author, lang, text,"
                    " CASE WHEN published_at > 0 THEN published_at"
                    " ELSE fetched_at END AS t, simhash"
                    " FROM documents WHERE t >= ?1 ORDER BY id",
                    &s);
    if (rc != VG_OK)
        return rc;
    sqlite3_bind_int64(s, 1, since);
    while ((step = sqlite3_step(s)) == SQLITE_ROW) {
        store_document_row r;
        int64_t sh = sqlite3_column_int64(s, 7);
        memset(&r, 0, sizeof r);
        r.id = sqlite3_column_int64(s, 0);
        r.url = (const char *)sqlite3_column_text(s, 1);
        r.title = (const char *)sqlite3_column_text(s, 2);
        r.author = (const char *)sqlite3_column_text(s, 3);
        r.lang = (const char *)sqlite3_column_text(s, 4);
        r.text = (const char *)sqlite3_column_text(s, 5);
        r.published_at = sqlite3_column_int64(s, 6);
        memcpy(&r.simhash, &sh, sizeof r.simhash);
        if (fn(&r, arg) != 0)
            break;
    }
    if (step != SQLITE_ROW && step != SQLITE_DONE)
        rc = db_fail(st, "reading documents");
    sqlite3_finalize(s);
    return rc;
}

static int cmp_i64(const void *x, const void *y)
{
    int64_t a = *(const int64_t *)x, b = *(const int64_t *)y;
    return a < b ? -1 : a > b;
}

vg_err store_brand_mention_docs(store *st, int64_t brand_id, int64_t **out,
                                size_t *n)
{
    sqlite3_stmt *s = NULL;
    int64_t *v = NULL;
    size_t len = 0, cap = 0;
    vg_err rc;
    int step;

    *out = NULL;
    *n = 0;
    rc = db_prepare(st, "SELECT document_id FROM mentions WHERE brand_id = ?1",
                    &s);
    if (rc != VG_OK)
        return rc;
    sqlite3_bind_int64(s, 1, brand_id);
    while ((step = sqlite3_step(s)) == SQLITE_ROW) {
        if (len == cap) {
            size_t c = cap ? cap * 2 : 64;
            int64_t *nv = realloc(v, c * sizeof *nv);
            if (nv == NULL) {
                rc = vg_error_set(VG_ENOMEM, "out of memory");
                goto cleanup;
            }
            v = nv;
            cap = c;
        }
        v[len++] = sqlite3_column_int64(s, 0);
    }
    if (step != SQLITE_DONE) {
        rc = db_fail(st, "reading a brand's mentions");
        goto cleanup;
    }
    if (len > 0)
        qsort(v, len, sizeof *v, cmp_i64);
    *out = v;
    *n = len;
    v = NULL;
cleanup:
    free(v);
    sqlite3_finalize(s);
    return rc;
}

vg_err store_mention_delete(store *st, int64_t document_id, int64_t brand_id)
{
    sqlite3_stmt *s = NULL;
    vg_err rc = db_prepare(st,
                           "DELETE FROM mentions WHERE document_id = ?1"
                           " AND brand_id = ?2",
                           &s);
    if (rc != VG_OK)
        return rc;
    sqlite3_bind_int64(s, 1, document_id);
    sqlite3_bind_int64(s, 2, brand_id);
    if (sqlite3_step(s) != SQLITE_DONE)
        rc = db_fail(st, "deleting a mention");
    else if (sqlite3_changes(st->db) == 0)
        rc = vg_error_set(VG_ENOTFOUND, "no such mention");
    sqlite3_finalize(s);
    return rc;
}

vg_err store_mention_simhashes(store *st, const int64_t *mention_ids,
                               size_t n, uint64_t *out, uint64_t *content)
{
    sqlite3_stmt *s = NULL;
    vg_err rc = db_prepare(st,
                           "SELECT d.simhash, d.content_hash FROM mentions m"
                           " JOIN documents d ON d.id = m.document_id"
                           " WHERE m.id = ?1",
                           &s);
    if (rc != VG_OK)
        return rc;
    for (size_t i = 0; i < n; i++) {
        out[i] = 0;
        if (content)
            content[i] = 0;
        sqlite3_bind_int64(s, 1, mention_ids[i]);
        int step = sqlite3_step(s);
        if (step == SQLITE_ROW) {
            int64_t v = sqlite3_column_int64(s, 0);
            memcpy(&out[i], &v, sizeof out[i]);
            const char *h = (const char *)sqlite3_column_text(s, 1);
            if (content && h)
                content[i] = vg_hash64(h, strlen(h)) | 1; /* 0: none */
        } else if (step != SQLITE_DONE) {
            rc = db_fail(st, "reading simhashes");
            break;
        }
        sqlite3_reset(s);
    }
    sqlite3_finalize(s);
    return rc;
}

vg_err store_brand_set_query(store *st, int64_t brand_id, const char *query)
{
    sqlite3_stmt *s = NULL;
    if (query == NULL || *query == '\0')
        return vg_error_set(VG_EINVAL, "empty query");
    vg_err rc = db_prepare(st, "UPDATE brands SET query = ?2 WHERE id = ?1", &s);
    if (rc != VG_OK)
        return rc;
    sqlite3_bind_int64(s, 1, brand_id);
    bind_text(s, 2, query);
    if (sqlite3_step(s) != SQLITE_DONE)
        rc = db_fail(st, "updating a brand's query");
    else if (sqlite3_changes(st->db) == 0)
        rc = vg_error_set(VG_ENOTFOUND, "no brand with id %lld",
                          (long long)brand_id);
    sqlite3_finalize(s);
    return rc;
}
