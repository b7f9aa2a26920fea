/*
 * Documents and mentions: the writer inserts them (duplicates are normal
 * and silently skipped, so a re-fetched feed stores nothing twice), the CLI
 * and the digests read mentions back through store_mentions_query, and
 * users correct a mention's label. The full-text index over snippets and
 * titles is kept in step by triggers (schema.c).
 */
#include "store/store_int.h"

#include "core/buf.h"
#include "core/vtime.h"

#include <stdlib.h>
#include <string.h>

#define MAX_ROWS ((size_t)1 << 28)

/* The query text is assembled from the fixed fragments below only; every
 * value the caller gives is bound as a parameter. */
#define MAX_QUERY_SQL 4096

/* simhash is a 64-bit fingerprint; SQLite integers are signed, so store
 * the same bits as int64 (converted without implementation-defined
 * behaviour). */
static int64_t u64_bits(uint64_t v)
{
    int64_t r;

    memcpy(&r, &v, sizeof r);
    return r;
}

vg_err store_document_insert(store *st, const store_document *d,
                             int64_t *id_out)
{
    sqlite3_stmt *s;
    vg_err err = VG_OK;
    int rc;

    if (id_out != NULL)
        *id_out = 0;
    if (d == NULL || d->url == NULL || *d->url == '\0')
        return vg_error_set(VG_EINVAL, "a document needs a URL");
    s = stmt_get(st, STMT_DOC_INSERT);
    if (s == NULL)
        return VG_EDB;
    sqlite3_bind_int64(s, 1, d->source_id);
    bind_text(s, 2, d->url);
    bind_text(s, 3, d->title);
    bind_text(s, 4, d->author);
    sqlite3_bind_int64(s, 5, d->published_at);
    sqlite3_bind_int64(s, 6, d->fetched_at);
    bind_text(s, 7, d->lang);
    bind_text(s, 8, d->text);
    bind_text(s, 9, d->content_hash);
    sqlite3_bind_int64(s, 10, u64_bits(d->simhash));
    sqlite3_bind_double(s, 11, d->score);
    rc = sqlite3_step(s);
    if (rc != SQLITE_DONE)
        err = db_fail_step(st, rc, "inserting document");
    else if (id_out != NULL && sqlite3_changes(st->db) > 0)
        *id_out = sqlite3_last_insert_rowid(st->db);
    stmt_done(s);
    return err;
}

/* Whether document doc has a mention of brand: *out 0 or 1. */
static vg_err mention_of(store *st, int64_t doc, int64_t brand, int *out)
{
    sqlite3_stmt *s = stmt_get(st, STMT_MENTION_OF);
    vg_err err = VG_OK;
    int rc;

    *out = 0;
    if (s == NULL)
        return VG_EDB;
    sqlite3_bind_int64(s, 1, doc);
    sqlite3_bind_int64(s, 2, brand);
    rc = sqlite3_step(s);
    if (rc == SQLITE_ROW)
        *out = 1;
    else if (rc != SQLITE_DONE)
        err = db_fail_step(st, rc, "looking up the original mention");
    stmt_done(s);
    return err;
}

vg_err store_mention_insert(store *st, const store_mention *m)
{
    return store_mention_insert_copy(st, m, NULL);
}

vg_err store_mention_insert_copy(store *st, const store_mention *m, int *copy_out)
{
    sqlite3_stmt *s;
    vg_err err = VG_OK;
    int copy = 0;
    int rc;

    if (copy_out != NULL)
        *copy_out = 0;

    if (m == NULL)
        return vg_error_set(VG_EINVAL, "store_mention_insert: NULL mention");
    if (m->label < -1 || m->label > 1)
        return vg_error_set(VG_EINVAL, "mention label %d out of range",
                            m->label);
    if (m->copy_of != 0 && (err = mention_of(st, m->copy_of, m->brand_id, &copy)) != VG_OK)
        return err;
    s = stmt_get(st, STMT_MENTION_INSERT);
    if (s == NULL)
        return VG_EDB;
    sqlite3_bind_int64(s, 1, m->document_id);
    sqlite3_bind_int64(s, 2, m->brand_id);
    bind_text(s, 3, m->snippet != NULL ? m->snippet : "");
    sqlite3_bind_double(s, 4, m->score);
    sqlite3_bind_int(s, 5, m->label);
    sqlite3_bind_double(s, 6, m->pos);
    sqlite3_bind_double(s, 7, m->neu);
    sqlite3_bind_double(s, 8, m->neg);
    sqlite3_bind_int64(s, 9, m->published_at);
    sqlite3_bind_int64(s, 10, vg_now());
    sqlite3_bind_int(s, 11, copy);
    /* The mention and its full-text row land together: alone, in a
     * transaction of their own. */
    int own_tx = sqlite3_get_autocommit(st->db);
    if (own_tx && (err = store_begin(st)) != VG_OK)
        return err;
    rc = sqlite3_step(s);
    int added = rc == SQLITE_DONE && sqlite3_changes(st->db) > 0;
    int64_t id = sqlite3_last_insert_rowid(st->db);
    if (rc != SQLITE_DONE)
        err = db_fail_step(st, rc, "inserting mention");
    stmt_done(s);
    if (err == VG_OK && added) {
        sqlite3_stmt *f = stmt_get(st, STMT_MENTION_FTS);
        if (f == NULL) {
            err = VG_EDB;
        } else {
            sqlite3_bind_int64(f, 1, id);
            bind_text(f, 2, m->snippet != NULL ? m->snippet : "");
            sqlite3_bind_int64(f, 3, m->document_id);
            rc = sqlite3_step(f);
            if (rc != SQLITE_DONE)
                err = db_fail_step(st, rc, "indexing mention");
            stmt_done(f);
        }
    }
    if (own_tx) {
        if (err == VG_OK)
            err = store_commit(st);
        if (err != VG_OK)
            store_rollback(st);
    }
    if (err == VG_OK && added && copy_out != NULL)
        *copy_out = copy;
    return err;
}

static vg_err set_correction(store *st, int64_t mention_id, int has, int label)
{
    sqlite3_stmt *s = NULL;
    vg_err err;
    int rc;

    err = db_prepare(st,
                     "UPDATE mentions SET correction = ?2, corrected_at = ?3"
                     " WHERE id = ?1",
                     &s);
    if (err != VG_OK)
        return err;
    sqlite3_bind_int64(s, 1, mention_id);
    if (has) {
        sqlite3_bind_int(s, 2, label);
        sqlite3_bind_int64(s, 3, vg_now());
    }
    rc = sqlite3_step(s);
    if (rc != SQLITE_DONE)
        err = db_fail_step(st, rc, "correcting mention");
    else if (sqlite3_changes(st->db) == 0)
        err = vg_error_set(VG_ENOTFOUND, "no mention with id %lld",
                           (long long)mention_id);
    sqlite3_finalize(s);
    return err;
}

vg_err store_mention_correct(store *st, int64_t mention_id, int label)
{
    if (label < -1 || label > 1)
        return vg_error_set(VG_EINVAL, "correction %d out of range", label);
    return set_correction(st, mention_id, 1, label);
}

vg_err store_mention_uncorrect(store *st, int64_t mention_id)
{
    return set_correction(st, mention_id, 0, 0);
}

/* Builds the SELECT for filter f from fixed fragments. */
static vg_err build_query(const store_mention_filter *f, vg_buf *sql)
{
    vg_buf_puts(sql,
                "SELECT m.id, b.name, d.url, d.title, s.url, m.snippet,"
                " m.score, coalesce(m.correction, m.label),"
                " m.correction IS NOT NULL, m.pos, m.neu, m.neg,"
                " m.published_at"
                " FROM mentions m"
                " JOIN brands b ON b.id = m.brand_id"
                " JOIN documents d ON d.id = m.document_id"
                " JOIN sources s ON s.id = d.source_id"
                " WHERE 1");
    if (f->brand != NULL)
        vg_buf_puts(sql, " AND b.name = :brand");
    if (f->since != 0)
        vg_buf_puts(sql, " AND m.published_at >= :since");
    if (f->until != 0)
        vg_buf_puts(sql, " AND m.published_at < :until");
    if (f->label_set)
        vg_buf_puts(sql, " AND coalesce(m.correction, m.label) = :label");
    if (f->originals_only)
        vg_buf_puts(sql, " AND m.copy = 0");
    if (f->search != NULL && *f->search != '\0')
        vg_buf_puts(sql, " AND m.id IN (SELECT rowid FROM mention_fts"
                         " WHERE mention_fts MATCH :search)");
    switch (f->order_by_score) {
    case 1:
        vg_buf_puts(sql, " ORDER BY m.score ASC, m.published_at DESC, m.id DESC");
        break;
    case 2:
        vg_buf_puts(sql, " ORDER BY m.score DESC, m.published_at DESC, m.id DESC");
        break;
    default:
        vg_buf_puts(sql, " ORDER BY m.published_at DESC, m.id DESC");
        break;
    }
    if (f->limit > 0)
        vg_buf_puts(sql, " LIMIT :limit");
    if (sql->err != VG_OK)
        return vg_error_set(sql->err, "building mention query");
    return VG_OK;
}

static void bind_named_text(sqlite3_stmt *s, const char *name, const char *v)
{
    int idx = sqlite3_bind_parameter_index(s, name);

    if (idx > 0)
        bind_text(s, idx, v);
}

static void bind_named_int(sqlite3_stmt *s, const char *name, int64_t v)
{
    int idx = sqlite3_bind_parameter_index(s, name);

    if (idx > 0)
        sqlite3_bind_int64(s, idx, v);
}

static void row_clear(store_mention_row *r)
{
    free(r->brand);
    free(r->url);
    free(r->title);
    free(r->source_url);
    free(r->snippet);
}

static vg_err read_row(sqlite3_stmt *s, store_mention_row *r)
{
    vg_err err = VG_OK;

    memset(r, 0, sizeof *r);
    r->id = sqlite3_column_int64(s, 0);
    r->brand = column_dup(s, 1, &err);
    r->url = column_dup(s, 2, &err);
    r->title = column_dup(s, 3, &err);
    r->source_url = column_dup(s, 4, &err);
    r->snippet = column_dup(s, 5, &err);
    r->score = sqlite3_column_double(s, 6);
    r->label = sqlite3_column_int(s, 7);
    r->corrected = sqlite3_column_int(s, 8);
    r->pos = sqlite3_column_double(s, 9);
    r->neu = sqlite3_column_double(s, 10);
    r->neg = sqlite3_column_double(s, 11);
    r->published_at = sqlite3_column_int64(s, 12);
    if (err != VG_OK) {
        row_clear(r);
        return vg_error_set(err, "reading mention: out of memory");
    }
    return VG_OK;
}

vg_err store_mentions_query(store *st, const store_mention_filter *f,
                            store_mention_row **out, size_t *n)
{
    static const store_mention_filter none = STORE_MENTION_FILTER_INIT;
    sqlite3_stmt *s = NULL;
    store_mention_row *v = NULL;
    size_t len = 0, cap = 0;
    vg_buf sql;
    vg_err err;
    int rc;

    vg_buf_init(&sql, MAX_QUERY_SQL);
    *out = NULL;
    *n = 0;
    if (f == NULL)
        f = &none;
    if (f->label_set && (f->label < -1 || f->label > 1)) {
        err = vg_error_set(VG_EINVAL, "label filter %d out of range", f->label);
        goto cleanup;
    }
    err = build_query(f, &sql);
    if (err != VG_OK)
        goto cleanup;
    err = db_prepare(st, vg_buf_str(&sql), &s);
    if (err != VG_OK)
        goto cleanup;
    bind_named_text(s, ":brand", f->brand);
    bind_named_int(s, ":since", f->since);
    bind_named_int(s, ":until", f->until);
    bind_named_int(s, ":label", f->label);
    bind_named_text(s, ":search", f->search);
    bind_named_int(s, ":limit", f->limit);

    while ((rc = sqlite3_step(s)) == SQLITE_ROW) {
        if (len == cap) {
            size_t ncap = cap ? cap * 2 : 32;
            store_mention_row *nv;

            if (ncap > MAX_ROWS) {
                err = vg_error_set(VG_ETOOBIG, "too many mentions");
                goto cleanup;
            }
            nv = realloc(v, ncap * sizeof *nv);
            if (nv == NULL) {
                err = vg_error_set(VG_ENOMEM, "reading mentions: out of memory");
                goto cleanup;
            }
            v = nv;
            cap = ncap;
        }
        err = read_row(s, &v[len]);
        if (err != VG_OK)
            goto cleanup;
        len++;
    }
    if (rc != SQLITE_DONE) {
        /* A malformed search is the user's mistake, not a broken database:
         * FTS5 reports it as a plain SQLITE_ERROR while stepping, whereas
         * I/O, corruption and lock failures have codes of their own. */
        if (f->search != NULL && *f->search != '\0'
            && (sqlite3_extended_errcode(st->db) & 0xff) == SQLITE_ERROR)
            err = vg_error_set(VG_EINVAL, "bad search '%s': %s", f->search,
                               sqlite3_errmsg(st->db));
        else
            err = db_fail_step(st, rc, "reading mentions");
        goto cleanup;
    }

cleanup:
    sqlite3_finalize(s);
    vg_buf_free(&sql);
    if (err != VG_OK) {
        store_mention_row_array_free(v, len);
        return err;
    }
    *out = v;
    *n = len;
    return VG_OK;
}

void store_mention_row_array_free(store_mention_row *v, size_t n)
{
    if (v == NULL)
        return;
    for (size_t i = 0; i < n; i++)
        row_clear(&v[i]);
    free(v);
}
