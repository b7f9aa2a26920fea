/*
 * What an alert saw: the mentions of one brand in one time window, read
 * by the monitor when it records an alert (inside the writer's open
 * transaction, so the mentions that caused the alert are visible) to
 * name the bucket's top terms and most negative mentions
 * (monitor/alert_detail.c builds the JSON).
 */
#include "store/store_int.h"

#include <stdlib.h>
#include <string.h>

/* Never more rows than this per call, whatever the caller asks. */
#define MAX_WINDOW_ROWS 5000

vg_err store_alert_window_mentions(store *st, int64_t brand_id, int64_t from, int64_t to,
                                   int negative_only, int limit, store_mention_row **out,
                                   size_t *n)
{
    sqlite3_stmt *s = NULL;
    store_mention_row *v = NULL;
    size_t len = 0;
    int rc;

    *out = NULL;
    *n = 0;
    if (limit <= 0 || limit > MAX_WINDOW_ROWS)
        limit = MAX_WINDOW_ROWS;
    /* Syndicated copies are left out as the buckets leave them out: the
     * same news counted twice would crown its words. */
    vg_err err = db_prepare_window(
        st,
        negative_only
            ? "SELECT m.id, d.url, d.title, m.snippet, m.score,"
              " coalesce(m.correction, m.label), m.published_at"
              " FROM mentions m JOIN documents d ON d.id = m.document_id"
              " WHERE m.brand_id = ?1 AND m.published_at >= ?2 AND m.published_at < ?3"
              " AND coalesce(m.correction, m.label) < 0"
              " AND NOT EXISTS (SELECT 1 FROM documents o"
              "  WHERE o.content_hash = d.content_hash AND o.id < d.id)"
              " ORDER BY m.score ASC, m.published_at DESC, m.id DESC LIMIT ?4"
            : "SELECT m.id, d.url, d.title, m.snippet, m.score,"
              " coalesce(m.correction, m.label), m.published_at"
              " FROM mentions m JOIN documents d ON d.id = m.document_id"
              " WHERE m.brand_id = ?1 AND m.published_at >= ?2 AND m.published_at < ?3"
              " AND NOT EXISTS (SELECT 1 FROM documents o"
              "  WHERE o.content_hash = d.content_hash AND o.id < d.id)"
              " ORDER BY m.published_at DESC, m.id DESC LIMIT ?4",
        brand_id, from, to, &s);
    if (err != VG_OK)
        return err;
    sqlite3_bind_int(s, 4, limit);
    v = calloc((size_t)limit, sizeof *v);
    if (!v) {
        err = vg_error_set(VG_ENOMEM, "out of memory");
        goto cleanup;
    }
    while ((rc = sqlite3_step(s)) == SQLITE_ROW && len < (size_t)limit) {
        store_mention_row *r = &v[len++];
        r->id = sqlite3_column_int64(s, 0);
        r->url = column_dup(s, 1, &err);
        r->title = column_dup(s, 2, &err);
        r->snippet = column_dup(s, 3, &err);
        r->score = sqlite3_column_double(s, 4);
        r->label = sqlite3_column_int(s, 5);
        r->published_at = sqlite3_column_int64(s, 6);
        if (err != VG_OK) {
            err = vg_error_set(err, "reading alert mentions: out of memory");
            goto cleanup;
        }
    }
    if (rc != SQLITE_DONE && rc != SQLITE_ROW)
        err = db_fail_step(st, rc, "reading alert mentions");
cleanup:
    sqlite3_finalize(s);
    if (err != VG_OK || len == 0) {
        store_mention_row_array_free(v, len);
        return err;
    }
    *out = v;
    *n = len;
    return VG_OK;
}
