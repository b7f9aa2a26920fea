/*
 * Sources: the feeds and pages vigie fetches, and each one's fetch state.
 * The CLI adds and removes them; the scheduler reads the due ones; the
 * writer records each fetch's outcome in the same transaction as the
 * documents that fetch produced (store_source_record_fetch).
 */
#include "store/store_int.h"

#include "core/vtime.h"

#include <stdlib.h>
#include <string.h>

/* Column list shared by list and due, in the order read_source expects. */
#define SOURCE_COLUMNS                                                        \
    "id, url, kind, title, etag, last_modified, last_status, last_error,"    \
    " error_count, failing_since, interval, pinned, full_text,"             \
    " last_fetch_at, next_fetch_at, enabled, headers"

/* Cap on rows returned in one array, so a corrupt count cannot make the
 * growth arithmetic overflow. */
#define MAX_ROWS ((size_t)1 << 28)

static void source_clear(store_source *r)
{
    free(r->url);
    free(r->kind);
    free(r->title);
    free(r->etag);
    free(r->last_modified);
    free(r->last_error);
    free(r->headers);
}

static vg_err read_source(sqlite3_stmt *s, store_source *r)
{
    vg_err err = VG_OK;

    memset(r, 0, sizeof *r);
    r->id = sqlite3_column_int64(s, 0);
    r->url = column_dup(s, 1, &err);
    r->kind = column_dup(s, 2, &err);
    r->title = column_dup(s, 3, &err);
    r->etag = column_dup(s, 4, &err);
    r->last_modified = column_dup(s, 5, &err);
    r->last_status = sqlite3_column_int(s, 6);
    r->last_error = column_dup(s, 7, &err);
    r->error_count = sqlite3_column_int(s, 8);
    r->failing_since = sqlite3_column_int64(s, 9);
    r->interval = sqlite3_column_int64(s, 10);
    r->pinned = sqlite3_column_int(s, 11);
    r->full_text = sqlite3_column_int(s, 12);
    r->last_fetch_at = sqlite3_column_int64(s, 13);
    r->next_fetch_at = sqlite3_column_int64(s, 14);
    r->enabled = sqlite3_column_int(s, 15);
    r->headers = column_dup(s, 16, &err);
    if (err != VG_OK) {
        source_clear(r);
        return vg_error_set(err, "reading source: out of memory");
    }
    return VG_OK;
}

/* Steps s to the end, collecting every row into a new array. */
static vg_err collect_sources(store *st, sqlite3_stmt *s, store_source **out,
                              size_t *n)
{
    store_source *v = NULL;
    size_t len = 0, cap = 0;
    vg_err err = VG_OK;
    int rc;

    while ((rc = sqlite3_step(s)) == SQLITE_ROW) {
        if (len == cap) {
            size_t ncap = cap ? cap * 2 : 16;
            store_source *nv;

            if (ncap > MAX_ROWS) {
                err = vg_error_set(VG_ETOOBIG, "too many sources");
                goto cleanup;
            }
            nv = realloc(v, ncap * sizeof *nv);
            if (nv == NULL) {
                err = vg_error_set(VG_ENOMEM, "listing sources: out of memory");
                goto cleanup;
            }
            v = nv;
            cap = ncap;
        }
        err = read_source(s, &v[len]);
        if (err != VG_OK)
            goto cleanup;
        len++;
    }
    if (rc != SQLITE_DONE)
        err = db_fail_step(st, rc, "listing sources");

cleanup:
    if (err != VG_OK) {
        store_source_array_free(v, len);
        v = NULL;
        len = 0;
    }
    *out = v;
    *n = len;
    return err;
}

vg_err store_source_add(store *st, const char *url, const char *kind,
                        const char *title, int64_t interval, int pinned,
                        int full_text, int64_t *id_out)
{
    sqlite3_stmt *s = NULL;
    vg_err err;
    int64_t now = vg_now();
    int rc;

    if (url == NULL || *url == '\0' || kind == NULL)
        return vg_error_set(VG_EINVAL, "store_source_add: URL and kind needed");
    if (strcmp(kind, "feed") != 0 && strcmp(kind, "page") != 0
        && strcmp(kind, "sitemap") != 0)
        return vg_error_set(VG_EINVAL, "unknown source kind '%s'", kind);
    if (interval <= 0)
        interval = STORE_DEFAULT_INTERVAL;

    err = db_prepare(st,
                     "INSERT INTO sources (url, kind, title, interval, pinned,"
                     "  full_text, next_fetch_at, created_at)"
                     " VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?7)",
                     &s);
    if (err != VG_OK)
        return err;
    bind_text(s, 1, url);
    bind_text(s, 2, kind);
    bind_text(s, 3, title);
    sqlite3_bind_int64(s, 4, interval);
    sqlite3_bind_int(s, 5, pinned != 0);
    sqlite3_bind_int(s, 6, full_text != 0);
    /* Due now: the next scheduler pass picks it up. */
    sqlite3_bind_int64(s, 7, now);
    rc = sqlite3_step(s);
    if (rc != SQLITE_DONE) {
        err = db_fail_step(st, rc, "adding source");
        if (err == VG_EEXISTS)
            vg_error_set(err, "source %s already exists", url);
        goto cleanup;
    }
    if (id_out != NULL)
        *id_out = sqlite3_last_insert_rowid(st->db);

cleanup:
    sqlite3_finalize(s);
    return err;
}

vg_err store_source_set_headers(store *st, int64_t id, const char *headers)
{
    sqlite3_stmt *s = NULL;
    vg_err err = db_prepare(st, "UPDATE sources SET headers = ?2 WHERE id = ?1", &s);
    if (err != VG_OK)
        return err;
    sqlite3_bind_int64(s, 1, id);
    bind_text(s, 2, headers && *headers ? headers : NULL);
    int rc = sqlite3_step(s);
    if (rc != SQLITE_DONE)
        err = db_fail_step(st, rc, "setting source headers");
    else if (sqlite3_changes(st->db) == 0)
        err = vg_error_set(VG_ENOTFOUND, "no source %lld", (long long)id);
    sqlite3_finalize(s);
    return err;
}

/* Runs a statement whose parameter 1 selects a source (by URL when text
 * is set, else by id) and reports how many rows it changed. Parameter 2,
 * when the statement has one, gets extra. */
static vg_err change_one(store *st, const char *sql, const char *text,
                         int64_t id, int64_t extra, int *changed)
{
    sqlite3_stmt *s = NULL;
    vg_err err;
    int rc;

    *changed = 0;
    err = db_prepare(st, sql, &s);
    if (err != VG_OK)
        return err;
    if (text != NULL)
        bind_text(s, 1, text);
    else
        sqlite3_bind_int64(s, 1, id);
    if (sqlite3_bind_parameter_count(s) >= 2)
        sqlite3_bind_int64(s, 2, extra);
    rc = sqlite3_step(s);
    if (rc != SQLITE_DONE)
        err = db_fail_step(st, rc, "changing source");
    else
        *changed = sqlite3_changes(st->db);
    sqlite3_finalize(s);
    return err;
}

/* Runs by_url on id_or_url, then by_id when no URL matched and the
 * argument reads as an id. VG_ENOTFOUND when neither changed a row. */
static vg_err change_source(store *st, const char *id_or_url,
                            const char *by_url, const char *by_id,
                            int64_t extra)
{
    vg_err err;
    int64_t id;
    int changed = 0;

    if (id_or_url == NULL)
        return vg_error_set(VG_EINVAL, "no source given");
    err = change_one(st, by_url, id_or_url, 0, extra, &changed);
    if (err != VG_OK || changed)
        return err;
    id = parse_id(id_or_url);
    if (id > 0) {
        err = change_one(st, by_id, NULL, id, extra, &changed);
        if (err != VG_OK || changed)
            return err;
    }
    return vg_error_set(VG_ENOTFOUND, "no source '%s'", id_or_url);
}

vg_err store_source_rm(store *st, const char *id_or_url)
{
    /* The URL first: only when no source has that exact URL is the
     * argument read as an id. Documents and mentions follow by cascade. */
    return change_source(st, id_or_url, "DELETE FROM sources WHERE url = ?1",
                         "DELETE FROM sources WHERE id = ?1", 0);
}

vg_err store_source_set_enabled(store *st, const char *id_or_url, int enabled)
{
    /* "changes" counts matched rows, so re-enabling an enabled source is
     * still found. */
    return change_source(st, id_or_url,
                         "UPDATE sources SET enabled = ?2 WHERE url = ?1",
                         "UPDATE sources SET enabled = ?2 WHERE id = ?1",
                         enabled != 0);
}

vg_err store_source_list(store *st, store_source **out, size_t *n)
{
    sqlite3_stmt *s = NULL;
    vg_err err;

    *out = NULL;
    *n = 0;
    err = db_prepare(st, "SELECT " SOURCE_COLUMNS " FROM sources ORDER BY id",
                     &s);
    if (err != VG_OK)
        return err;
    err = collect_sources(st, s, out, n);
    sqlite3_finalize(s);
    return err;
}

vg_err store_source_due(store *st, int64_t now, store_source **out, size_t *n)
{
    sqlite3_stmt *s = NULL;
    vg_err err;

    *out = NULL;
    *n = 0;
    err = db_prepare(st,
                     "SELECT " SOURCE_COLUMNS " FROM sources"
                     " WHERE enabled = 1 AND next_fetch_at <= ?1"
                     " ORDER BY next_fetch_at, id",
                     &s);
    if (err != VG_OK)
        return err;
    sqlite3_bind_int64(s, 1, now);
    err = collect_sources(st, s, out, n);
    sqlite3_finalize(s);
    return err;
}

void store_source_array_free(store_source *v, size_t n)
{
    if (v == NULL)
        return;
    for (size_t i = 0; i < n; i++)
        source_clear(&v[i]);
    free(v);
}

vg_err store_source_record_fetch(store *st, const store_fetch_state *fs)
{
    sqlite3_stmt *s;
    vg_err err = VG_OK;
    int rc;

    if (fs == NULL)
        return vg_error_set(VG_EINVAL, "store_source_record_fetch: NULL state");

    if (fs->error == NULL) {
        s = stmt_get(st, STMT_FETCH_OK);
        if (s == NULL)
            return VG_EDB;
        sqlite3_bind_int64(s, 1, fs->source_id);
        sqlite3_bind_int(s, 2, fs->status);
        bind_text(s, 3, fs->etag);
        bind_text(s, 4, fs->last_modified);
        bind_text(s, 5, fs->title);
        sqlite3_bind_int64(s, 6, fs->fetched_at);
        sqlite3_bind_int64(s, 7, fs->next_fetch_at);
        sqlite3_bind_int64(s, 8, fs->interval);
    } else {
        s = stmt_get(st, STMT_FETCH_FAIL);
        if (s == NULL)
            return VG_EDB;
        sqlite3_bind_int64(s, 1, fs->source_id);
        sqlite3_bind_int(s, 2, fs->status);
        bind_text(s, 3, fs->error);
        sqlite3_bind_int64(s, 4, fs->fetched_at);
        sqlite3_bind_int64(s, 5, fs->next_fetch_at);
        sqlite3_bind_int64(s, 6, fs->interval);
    }
    rc = sqlite3_step(s);
    if (rc != SQLITE_DONE)
        err = db_fail_step(st, rc, "recording fetch");
    else if (sqlite3_changes(st->db) == 0)
        err = vg_error_set(VG_ENOTFOUND, "no source with id %lld",
                           (long long)fs->source_id);
    stmt_done(s);
    if (err != VG_OK || fs->error != NULL || fs->new_url == NULL)
        return err;

    s = stmt_get(st, STMT_FETCH_URL);
    if (s == NULL)
        return VG_EDB;
    sqlite3_bind_int64(s, 1, fs->source_id);
    bind_text(s, 2, fs->new_url);
    rc = sqlite3_step(s);
    if (rc != SQLITE_DONE)
        err = db_fail_step(st, rc, "recording redirect");
    stmt_done(s);
    return err;
}
