/*
 * The SQLite backend's connection: opening (pragmas, then migrations),
 * closing, transactions, settings and counts, plus the small helpers the
 * other files of the module share (statement cache, error mapping, column
 * copies). Tables are defined in schema.c; sources.c, brands.c and
 * mentions.c hold the rest of the store_ interface.
 */
#include "store/store_int.h"

#include "core/buf.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

/* SQL for each cached statement, indexed by stmt_id. */
static const char *const cached_sql[STMT__COUNT] = {
    [STMT_BEGIN] = "BEGIN IMMEDIATE",
    [STMT_COMMIT] = "COMMIT",
    [STMT_ROLLBACK] = "ROLLBACK",
    [STMT_SETTING_GET] = "SELECT value FROM settings WHERE key = ?1",
    [STMT_SETTING_SET] =
        "INSERT INTO settings (key, value) VALUES (?1, ?2)"
        " ON CONFLICT (key) DO UPDATE SET value = excluded.value",
    [STMT_DOC_INSERT] =
        "INSERT INTO documents (source_id, url, title, author, published_at,"
        "  fetched_at, lang, text, content_hash, simhash, score)"
        " VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11)"
        " ON CONFLICT (url) DO NOTHING",
    [STMT_MENTION_INSERT] =
        "INSERT INTO mentions (document_id, brand_id, snippet, score, label,"
        "  pos, neu, neg, published_at, created_at, copy)"
        " VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11)"
        " ON CONFLICT (document_id, brand_id) DO NOTHING",
    [STMT_FETCH_OK] =
        "UPDATE sources SET"
        "  last_status = ?2, last_error = NULL, error_count = 0,"
        "  failing_since = 0,"
        "  etag = coalesce(?3, etag),"
        "  last_modified = coalesce(?4, last_modified),"
        "  title = coalesce(?5, title),"
        "  last_fetch_at = ?6, next_fetch_at = ?7,"
        "  interval = CASE WHEN ?8 > 0 THEN ?8 ELSE interval END"
        " WHERE id = ?1",
    [STMT_FETCH_FAIL] =
        "UPDATE sources SET"
        "  last_status = ?2, last_error = ?3, error_count = error_count + 1,"
        "  failing_since = CASE WHEN failing_since = 0 THEN ?4"
        "                  ELSE failing_since END,"
        "  last_fetch_at = ?4, next_fetch_at = ?5,"
        "  interval = CASE WHEN ?6 > 0 THEN ?6 ELSE interval END"
        " WHERE id = ?1",
    /* OR IGNORE: when another source already has the redirect target we
     * keep the old URL rather than fail the whole batch. */
    [STMT_FETCH_URL] = "UPDATE OR IGNORE sources SET url = ?2 WHERE id = ?1",
    /* Candidates sharing one min-hash key, newest first (the window is
     * recent) and bounded: a key shared by thousands of documents
     * (boilerplate, templated posts) must not make an insert scan them.
     * Copies inherit the content hash, so any recent member of a story's
     * family leads to the same content hash as its first. */
    [STMT_COPY_BY_KEY] =
        "SELECT document_id, simhash, content_hash FROM copy_keys"
        " WHERE key = ?1 AND fetched_at >= ?2"
        " ORDER BY document_id DESC LIMIT 32",
    [STMT_COPY_BY_HASH] =
        "SELECT id FROM documents WHERE content_hash = ?1 AND fetched_at >= ?2"
        " AND id < ?3 ORDER BY id DESC LIMIT 1",
    [STMT_COPY_SET_HASH] = "UPDATE documents SET content_hash = ?2 WHERE id = ?1",
    [STMT_MENTION_OF] =
        "SELECT 1 FROM mentions WHERE document_id = ?1 AND brand_id = ?2",
    [STMT_MENTION_FTS] =
        "INSERT INTO mention_fts (rowid, snippet, title)"
        " VALUES (?1, ?2, (SELECT title FROM documents WHERE id = ?3))",
    [STMT_KEY_INSERT] =
        "INSERT OR IGNORE INTO copy_keys (key, document_id, fetched_at, simhash,"
        " content_hash) VALUES (?1, ?2, ?3, ?4, ?5)",
};

sqlite3_stmt *stmt_get(store *st, stmt_id id)
{
    if (st->cache[id] == NULL) {
        if (sqlite3_prepare_v3(st->db, cached_sql[id], -1,
                               SQLITE_PREPARE_PERSISTENT, &st->cache[id],
                               NULL) != SQLITE_OK) {
            db_fail(st, "preparing statement");
            st->cache[id] = NULL;
            return NULL;
        }
    }
    return st->cache[id];
}

void stmt_done(sqlite3_stmt *s)
{
    if (s == NULL)
        return;
    sqlite3_reset(s);
    sqlite3_clear_bindings(s);
}

vg_err db_fail(store *st, const char *what)
{
    return vg_error_set(VG_EDB, "%s: %s", what, sqlite3_errmsg(st->db));
}

vg_err db_fail_step(store *st, int rc, const char *what)
{
    int ext = sqlite3_extended_errcode(st->db);

    (void)rc;
    if (ext == SQLITE_CONSTRAINT_UNIQUE || ext == SQLITE_CONSTRAINT_PRIMARYKEY)
        return vg_error_set(VG_EEXISTS, "%s: %s", what,
                            sqlite3_errmsg(st->db));
    return db_fail(st, what);
}

vg_err db_prepare(store *st, const char *sql, sqlite3_stmt **out)
{
    if (sqlite3_prepare_v2(st->db, sql, -1, out, NULL) != SQLITE_OK) {
        *out = NULL;
        return db_fail(st, "preparing statement");
    }
    return VG_OK;
}

vg_err db_prepare_window(store *st, const char *sql, int64_t brand_id,
                         int64_t from, int64_t to, sqlite3_stmt **out)
{
    vg_err err = db_prepare(st, sql, out);

    if (err != VG_OK)
        return err;
    sqlite3_bind_int64(*out, 1, brand_id);
    sqlite3_bind_int64(*out, 2, from);
    sqlite3_bind_int64(*out, 3, to);
    return VG_OK;
}

int bind_text(sqlite3_stmt *s, int idx, const char *v)
{
    if (v == NULL)
        return sqlite3_bind_null(s, idx);
    return sqlite3_bind_text(s, idx, v, -1, SQLITE_TRANSIENT);
}

char *column_dup(sqlite3_stmt *s, int col, vg_err *err)
{
    const unsigned char *v;
    char *copy;

    if (sqlite3_column_type(s, col) == SQLITE_NULL)
        return NULL;
    v = sqlite3_column_text(s, col);
    if (v == NULL) {
        *err = VG_ENOMEM;
        return NULL;
    }
    copy = vg_strndup((const char *)v, (size_t)sqlite3_column_bytes(s, col));
    if (copy == NULL)
        *err = VG_ENOMEM;
    return copy;
}

int64_t parse_id(const char *s)
{
    char *end = NULL;
    long long v;

    if (s == NULL || *s < '0' || *s > '9')
        return 0;
    errno = 0;
    v = strtoll(s, &end, 10);
    if (errno != 0 || end == s || *end != '\0' || v <= 0)
        return 0;
    return (int64_t)v;
}

/* Runs a pragma that returns nothing we need. */
static vg_err pragma(store *st, const char *sql)
{
    if (sqlite3_exec(st->db, sql, NULL, NULL, NULL) != SQLITE_OK)
        return db_fail(st, sql);
    return VG_OK;
}

vg_err store_open(const char *path, store **out)
{
    store *st = NULL;
    vg_err err = VG_OK;
    int rc;

    if (path == NULL || out == NULL)
        return vg_error_set(VG_EINVAL, "store_open: NULL argument");
    *out = NULL;
    st = calloc(1, sizeof *st);
    if (st == NULL)
        return vg_error_set(VG_ENOMEM, "store_open: out of memory");

    /* NOMUTEX: a handle belongs to one thread (see store.h), so SQLite's
     * per-connection mutex would only cost time. */
    rc = sqlite3_open_v2(path, &st->db,
                         SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE
                             | SQLITE_OPEN_NOMUTEX,
                         NULL);
    if (rc != SQLITE_OK) {
        if (st->db != NULL)
            vg_error_set(VG_EDB, "opening %s: %s", path,
                         sqlite3_errmsg(st->db));
        else
            vg_error_set(VG_EDB, "opening %s: out of memory", path);
        err = VG_EDB;
        goto cleanup;
    }
    sqlite3_extended_result_codes(st->db, 1);
    /* The busy timeout comes first: switching to WAL itself needs a lock
     * that the daemon may be holding. */
    sqlite3_busy_timeout(st->db, STORE_BUSY_TIMEOUT_MS);
    /* A new database gets 16 KiB pages (no-op on an existing one, and it
     * must come before WAL mode writes the header). A stored page's text
     * averages several KB, and the writer makes system calls per page:
     * with 4 KiB pages a 5,000-page crawl made about 112,000 writes and
     * 76,000 reads (WAL frames, checkpoint copies). */
    if ((err = pragma(st, "PRAGMA page_size = 16384")) != VG_OK)
        goto cleanup;
    if ((err = pragma(st, "PRAGMA journal_mode = WAL")) != VG_OK)
        goto cleanup;
    /* NORMAL is durable enough in WAL mode (a power cut may lose the last
     * commits, never corrupt) and avoids an fsync per batch. */
    if ((err = pragma(st, "PRAGMA synchronous = NORMAL")) != VG_OK)
        goto cleanup;
    if ((err = pragma(st, "PRAGMA foreign_keys = ON")) != VG_OK)
        goto cleanup;
    err = schema_migrate(st);

cleanup:
    if (err != VG_OK) {
        store_close(st);
        return err;
    }
    *out = st;
    return VG_OK;
}

void store_close(store *st)
{
    if (st == NULL)
        return;
    for (int i = 0; i < STMT__COUNT; i++)
        sqlite3_finalize(st->cache[i]);
    /* close_v2 so a statement we forgot cannot leave the file open
     * silently; all of ours are finalised above anyway. */
    sqlite3_close_v2(st->db);
    free(st);
}

int store_schema_version(store *st)
{
    return st->version;
}

int store_schema_latest(void)
{
    return schema_latest();
}

vg_err store_journal_mode(store *st, char **out)
{
    sqlite3_stmt *s = NULL;
    vg_err err;
    int rc;

    *out = NULL;
    err = db_prepare(st, "PRAGMA journal_mode", &s);
    if (err != VG_OK)
        return err;
    rc = sqlite3_step(s);
    if (rc != SQLITE_ROW) {
        err = db_fail_step(st, rc, "reading journal mode");
        goto cleanup;
    }
    *out = column_dup(s, 0, &err);
    if (err == VG_OK && *out == NULL)
        err = vg_error_set(VG_EDB, "journal mode unavailable");
    else if (err != VG_OK)
        vg_error_set(err, "reading journal mode: out of memory");

cleanup:
    sqlite3_finalize(s);
    return err;
}

/* Steps a cached statement that returns no rows. */
static vg_err run_cached(store *st, stmt_id id, const char *what)
{
    sqlite3_stmt *s = stmt_get(st, id);
    vg_err err = VG_OK;
    int rc;

    if (s == NULL)
        return VG_EDB;
    rc = sqlite3_step(s);
    if (rc != SQLITE_DONE)
        err = db_fail_step(st, rc, what);
    stmt_done(s);
    return err;
}

vg_err store_begin(store *st)
{
    return run_cached(st, STMT_BEGIN, "begin");
}

vg_err store_commit(store *st)
{
    return run_cached(st, STMT_COMMIT, "commit");
}

vg_err store_rollback(store *st)
{
    /* SQLite may already have rolled back on its own (e.g. after a full
     * disk); cleanup paths call this unconditionally, so that is fine. */
    if (sqlite3_get_autocommit(st->db))
        return VG_OK;
    return run_cached(st, STMT_ROLLBACK, "rollback");
}

vg_err store_setting_get(store *st, const char *key, char **out)
{
    sqlite3_stmt *s;
    vg_err err = VG_OK;
    int rc;

    if (key == NULL || out == NULL)
        return vg_error_set(VG_EINVAL, "store_setting_get: NULL argument");
    *out = NULL;
    s = stmt_get(st, STMT_SETTING_GET);
    if (s == NULL)
        return VG_EDB;
    bind_text(s, 1, key);
    rc = sqlite3_step(s);
    if (rc == SQLITE_DONE) {
        err = vg_error_set(VG_ENOTFOUND, "no setting named '%s'", key);
    } else if (rc != SQLITE_ROW) {
        err = db_fail_step(st, rc, "reading setting");
    } else {
        *out = column_dup(s, 0, &err);
        if (err != VG_OK)
            vg_error_set(err, "reading setting: out of memory");
        else if (*out == NULL)
            *out = vg_strdup("");
    }
    stmt_done(s);
    return err;
}

vg_err store_setting_set(store *st, const char *key, const char *value)
{
    sqlite3_stmt *s;
    vg_err err = VG_OK;
    int rc;

    if (key == NULL || value == NULL)
        return vg_error_set(VG_EINVAL, "store_setting_set: NULL argument");
    s = stmt_get(st, STMT_SETTING_SET);
    if (s == NULL)
        return VG_EDB;
    bind_text(s, 1, key);
    bind_text(s, 2, value);
    rc = sqlite3_step(s);
    if (rc != SQLITE_DONE)
        err = db_fail_step(st, rc, "writing setting");
    stmt_done(s);
    return err;
}

vg_err store_counts_get(store *st, store_counts *out)
{
    sqlite3_stmt *s = NULL;
    vg_err err;
    int rc;

    memset(out, 0, sizeof *out);
    err = db_prepare(st,
                     "SELECT (SELECT count(*) FROM sources),"
                     " (SELECT count(*) FROM documents),"
                     " (SELECT count(*) FROM mentions),"
                     " (SELECT count(*) FROM brands)",
                     &s);
    if (err != VG_OK)
        return err;
    rc = sqlite3_step(s);
    if (rc != SQLITE_ROW) {
        err = db_fail_step(st, rc, "counting rows");
    } else {
        out->sources = sqlite3_column_int64(s, 0);
        out->documents = sqlite3_column_int64(s, 1);
        out->mentions = sqlite3_column_int64(s, 2);
        out->brands = sqlite3_column_int64(s, 3);
    }
    sqlite3_finalize(s);
    return err;
}
