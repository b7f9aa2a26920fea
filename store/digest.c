/*
 * The digest's reads: per-brand aggregates over a time window (counts by
 * effective label, daily or weekly buckets, top sources, the most
 * positive and negative mentions with syndicated copies folded, the
 * snippets fed to the emerging-terms test, alerts), plus the archive of
 * produced digests. monitor/digest.c turns these into the report; every
 * statement here is a single indexed range scan on mentions
 * (brand_id, published_at), so a digest stays fast on a large store.
 * A human correction always wins over the computed label: every query
 * reads coalesce(correction, label).
 */
#include "store/store_int.h"

#include "core/vtime.h"

#include <stdlib.h>
#include <string.h>

/* The effective label of mention m: the human correction if any. */
#define LABEL "coalesce(m.correction, m.label)"
/* What counts as one piece of content: syndicated copies share a
 * content hash; a document without one stands alone. */
#define CONTENT_KEY "coalesce(d.content_hash, 'doc:' || d.id)"

/* Documents looked up by id for their source only: the covering index
 * of the digest migration (schema.c) is far smaller than the table,
 * whose rows hold whole texts; the planner does not pick it by itself. */
#define DOCS_BY_ID "documents d INDEXED BY documents_source_hash"

#define MAX_DIGEST_ROWS 10000

/* Grows *v (elements of size sz) to hold one more; VG_ENOMEM/ETOOBIG. */
static vg_err grow(void **v, size_t *cap, size_t len, size_t sz)
{
    size_t ncap;
    void *nv;

    if (len < *cap)
        return VG_OK;
    ncap = *cap ? *cap * 2 : 8;
    if (ncap > MAX_DIGEST_ROWS)
        return vg_error_set(VG_ETOOBIG, "digest: too many rows");
    nv = realloc(*v, ncap * sz);
    if (nv == NULL)
        return vg_error_set(VG_ENOMEM, "digest: out of memory");
    memset((char *)nv + *cap * sz, 0, (ncap - *cap) * sz);
    *v = nv;
    *cap = ncap;
    return VG_OK;
}

/* Fills the element at row from the statement's current row; column
 * copies report VG_ENOMEM through the return value. */
typedef vg_err (*fill_fn)(sqlite3_stmt *s, void *row);
typedef void (*free_fn)(void *v, size_t n);

/* Steps s to its end, one element of size sz per row (filled by fill),
 * and finalizes it. On success *out and *n hold the rows (NULL and 0 when
 * none); on failure what was read is freed with free_rows and the error,
 * named after what, is returned. */
static vg_err collect_rows(store *st, sqlite3_stmt *s, size_t sz, fill_fn fill,
                           free_fn free_rows, const char *what, void **out, size_t *n)
{
    char *v = NULL;
    size_t len = 0, cap = 0;
    vg_err err = VG_OK;
    int rc;

    while ((rc = sqlite3_step(s)) == SQLITE_ROW) {
        if ((err = grow((void **)&v, &cap, len, sz)) != VG_OK)
            goto cleanup;
        if ((err = fill(s, v + len++ * sz)) != VG_OK) {
            vg_error_set(err, "%s: out of memory", what);
            goto cleanup;
        }
    }
    if (rc != SQLITE_DONE)
        err = db_fail_step(st, rc, what);

cleanup:
    sqlite3_finalize(s);
    if (err != VG_OK) {
        free_rows(v, len);
        return err;
    }
    *out = v;
    *n = len;
    return VG_OK;
}

vg_err store_digest_counts_get(store *st, int64_t brand_id, int64_t from,
                               int64_t to, store_digest_counts *out)
{
    sqlite3_stmt *s = NULL;
    vg_err err;
    int rc;

    memset(out, 0, sizeof *out);
    err = db_prepare_window(st,
                            "SELECT coalesce(sum(m.copy = 0), 0),"
                            " coalesce(sum(" LABEL " = 1 AND m.copy = 0), 0),"
                            " coalesce(sum(" LABEL " = 0 AND m.copy = 0), 0),"
                            " coalesce(sum(" LABEL " = -1 AND m.copy = 0), 0),"
                            " count(DISTINCT d.source_id),"
                            " coalesce(sum(m.correction IS NOT NULL), 0)"
                            " FROM mentions m JOIN " DOCS_BY_ID " ON d.id = m.document_id"
                            " WHERE m.brand_id = ?1 AND m.published_at >= ?2"
                            " AND m.published_at < ?3",
                            brand_id, from, to, &s);
    if (err != VG_OK)
        return err;
    rc = sqlite3_step(s);
    if (rc != SQLITE_ROW) {
        err = db_fail_step(st, rc, "digest counts");
        goto cleanup;
    }
    out->total = sqlite3_column_int64(s, 0);
    out->pos = sqlite3_column_int64(s, 1);
    out->neu = sqlite3_column_int64(s, 2);
    out->neg = sqlite3_column_int64(s, 3);
    out->sources = sqlite3_column_int64(s, 4);
    out->corrected = sqlite3_column_int64(s, 5);

cleanup:
    sqlite3_finalize(s);
    return err;
}

static vg_err fill_source(sqlite3_stmt *s, void *row)
{
    store_digest_source *r = row;
    vg_err err = VG_OK;

    r->id = sqlite3_column_int64(s, 0);
    r->url = column_dup(s, 1, &err);
    r->title = column_dup(s, 2, &err);
    r->total = sqlite3_column_int64(s, 3);
    r->pos = sqlite3_column_int64(s, 4);
    r->neu = sqlite3_column_int64(s, 5);
    r->neg = sqlite3_column_int64(s, 6);
    return err;
}

static void free_sources(void *v, size_t n)
{
    store_digest_source_array_free(v, n);
}

vg_err store_digest_buckets(store *st, int64_t brand_id, int64_t from,
                            int64_t width, size_t n, store_digest_bucket *out)
{
    sqlite3_stmt *s = NULL;
    vg_err err;
    int rc;

    memset(out, 0, n * sizeof *out);
    if (width <= 0 || n == 0)
        return VG_OK;
    err = db_prepare(st,
                     "SELECT (m.published_at - ?2) / ?3, " LABEL ", count(*)"
                     " FROM mentions m"
                     " WHERE m.brand_id = ?1 AND m.published_at >= ?2"
                     " AND m.published_at < ?2 + ?3 * ?4 AND m.copy = 0"
                     " GROUP BY 1, 2",
                     &s);
    if (err != VG_OK)
        return err;
    sqlite3_bind_int64(s, 1, brand_id);
    sqlite3_bind_int64(s, 2, from);
    sqlite3_bind_int64(s, 3, width);
    sqlite3_bind_int64(s, 4, (int64_t)n);
    while ((rc = sqlite3_step(s)) == SQLITE_ROW) {
        int64_t b = sqlite3_column_int64(s, 0);
        int label = sqlite3_column_int(s, 1);
        int64_t c = sqlite3_column_int64(s, 2);

        if (b < 0 || (uint64_t)b >= n)
            continue;
        if (label > 0)
            out[b].pos += c;
        else if (label < 0)
            out[b].neg += c;
        else
            out[b].neu += c;
    }
    if (rc != SQLITE_DONE)
        err = db_fail_step(st, rc, "digest buckets");
    sqlite3_finalize(s);
    return err;
}

static vg_err fill_mention(sqlite3_stmt *s, void *row)
{
    store_digest_mention *r = row;
    vg_err err = VG_OK;

    r->id = sqlite3_column_int64(s, 0);
    r->url = column_dup(s, 1, &err);
    r->title = column_dup(s, 2, &err);
    r->source = column_dup(s, 3, &err);
    r->snippet = column_dup(s, 4, &err);
    r->score = sqlite3_column_double(s, 5);
    r->label = sqlite3_column_int(s, 6);
    r->corrected = sqlite3_column_int(s, 7);
    r->published_at = sqlite3_column_int64(s, 8);
    r->copies = sqlite3_column_int64(s, 9);
    return err;
}

static void free_mentions(void *v, size_t n)
{
    store_digest_mention_array_free(v, n);
}

vg_err store_digest_top_sources(store *st, int64_t brand_id, int64_t from,
                                int64_t to, int limit,
                                store_digest_source **out, size_t *n)
{
    sqlite3_stmt *s = NULL;
    vg_err err;

    *out = NULL;
    *n = 0;
    err = db_prepare_window(st,
                            "SELECT s.id, s.url, s.title, count(*),"
                            " sum(" LABEL " = 1), sum(" LABEL " = 0), sum(" LABEL " = -1)"
                            " FROM mentions m JOIN " DOCS_BY_ID " ON d.id = m.document_id"
                            " JOIN sources s ON s.id = d.source_id"
                            " WHERE m.brand_id = ?1 AND m.published_at >= ?2"
                            " AND m.published_at < ?3"
                            " GROUP BY s.id ORDER BY count(*) DESC, s.id LIMIT ?4",
                            brand_id, from, to, &s);
    if (err != VG_OK)
        return err;
    sqlite3_bind_int(s, 4, limit > 0 ? limit : 1);
    void *rows = NULL;
    err = collect_rows(st, s, sizeof(store_digest_source), fill_source, free_sources,
                       "digest sources", &rows, n);
    *out = rows;
    return err;
}

void store_digest_source_array_free(store_digest_source *v, size_t n)
{
    for (size_t i = 0; v != NULL && i < n; i++) {
        free(v[i].url);
        free(v[i].title);
    }
    free(v);
}

vg_err store_digest_top_mentions(store *st, int64_t brand_id, int64_t from,
                                 int64_t to, int sign, int limit,
                                 store_digest_mention **out, size_t *n)
{
    sqlite3_stmt *s = NULL;
    vg_err err;

    *out = NULL;
    *n = 0;
    if (sign != 1 && sign != -1)
        return vg_error_set(VG_EINVAL, "digest mentions: sign must be 1 or -1");
    /* One row per piece of content: the first-published copy stands for
     * its syndicated duplicates, which are counted in `copies`. */
    err = db_prepare_window(st,
                            "SELECT id, url, title, source, snippet, score, lab,"
                            " corrected, published_at, copies FROM ("
                            "  SELECT m.id, d.url, d.title,"
                            "   coalesce(nullif(s.title, ''), s.url) AS source,"
                            "   m.snippet, m.score, " LABEL " AS lab,"
                            "   m.correction IS NOT NULL AS corrected, m.published_at,"
                            "   count(*) OVER (PARTITION BY " CONTENT_KEY ") AS copies,"
                            "   row_number() OVER (PARTITION BY " CONTENT_KEY
                            "    ORDER BY m.published_at, m.id) AS rn"
                            "  FROM mentions m JOIN documents d ON d.id = m.document_id"
                            "  JOIN sources s ON s.id = d.source_id"
                            "  WHERE m.brand_id = ?1 AND m.published_at >= ?2"
                            "  AND m.published_at < ?3 AND " LABEL " = ?4)"
                            " WHERE rn = 1"
                            " ORDER BY score * ?4 DESC, published_at DESC, id DESC"
                            " LIMIT ?5",
                            brand_id, from, to, &s);
    if (err != VG_OK)
        return err;
    sqlite3_bind_int(s, 4, sign);
    sqlite3_bind_int(s, 5, limit > 0 ? limit : 1);
    void *rows = NULL;
    err = collect_rows(st, s, sizeof(store_digest_mention), fill_mention, free_mentions,
                       "digest mentions", &rows, n);
    *out = rows;
    return err;
}

void store_digest_mention_array_free(store_digest_mention *v, size_t n)
{
    for (size_t i = 0; v != NULL && i < n; i++) {
        free(v[i].url);
        free(v[i].title);
        free(v[i].source);
        free(v[i].snippet);
    }
    free(v);
}

static vg_err fill_alert(sqlite3_stmt *s, void *row)
{
    store_digest_alert *r = row;
    vg_err err = VG_OK;

    r->id = sqlite3_column_int64(s, 0);
    r->metric = column_dup(s, 1, &err);
    r->bucket_start = sqlite3_column_int64(s, 2);
    r->observed = sqlite3_column_double(s, 3);
    r->expected = sqlite3_column_double(s, 4);
    r->severity = column_dup(s, 5, &err);
    r->created_at = sqlite3_column_int64(s, 6);
    return err;
}

static void free_alerts(void *v, size_t n)
{
    store_digest_alert_array_free(v, n);
}

vg_err store_digest_snippets(store *st, int64_t brand_id, int64_t from,
                             int64_t to, int64_t step,
                             store_digest_text_fn fn, void *arg)
{
    sqlite3_stmt *s = NULL;
    vg_err err;
    int rc;

    /* Syndicated copies once: a press release picked up by ten sites
     * must not look like ten people using its words. The content hash
     * comes from the covering index, not the documents table. */
    err = db_prepare_window(st,
                            "SELECT min(m.snippet) FROM mentions m"
                            " JOIN " DOCS_BY_ID " ON d.id = m.document_id"
                            " WHERE m.brand_id = ?1 AND m.published_at >= ?2"
                            " AND m.published_at < ?3 AND m.id % ?4 = 0"
                            " GROUP BY " CONTENT_KEY,
                            brand_id, from, to, &s);
    if (err != VG_OK)
        return err;
    sqlite3_bind_int64(s, 4, step > 1 ? step : 1);
    while ((rc = sqlite3_step(s)) == SQLITE_ROW) {
        const char *t = (const char *)sqlite3_column_text(s, 0);
        size_t len = (size_t)sqlite3_column_bytes(s, 0);

        if (t == NULL)
            continue;
        if ((err = fn(arg, t, len)) != VG_OK)
            goto cleanup;
    }
    if (rc != SQLITE_DONE)
        err = db_fail_step(st, rc, "digest snippets");

cleanup:
    sqlite3_finalize(s);
    return err;
}

vg_err store_digest_alerts(store *st, int64_t brand_id, int64_t from,
                           int64_t to, int limit, store_digest_alert **out,
                           size_t *n, int64_t *total)
{
    sqlite3_stmt *s = NULL;
    vg_err err;
    int rc;

    *out = NULL;
    *n = 0;
    *total = 0;
    err = db_prepare_window(st,
                            "SELECT count(*) FROM alerts WHERE brand_id = ?1"
                            " AND bucket_start >= ?2 AND bucket_start < ?3",
                            brand_id, from, to, &s);
    if (err != VG_OK)
        return err;
    rc = sqlite3_step(s);
    if (rc == SQLITE_ROW)
        *total = sqlite3_column_int64(s, 0);
    else
        err = db_fail_step(st, rc, "counting alerts");
    sqlite3_finalize(s);
    if (err != VG_OK || limit <= 0)
        return err;
    err = db_prepare_window(st,
                            "SELECT id, metric, bucket_start, observed, expected,"
                            " severity, created_at FROM alerts WHERE brand_id = ?1"
                            " AND bucket_start >= ?2 AND bucket_start < ?3"
                            " ORDER BY bucket_start, id LIMIT ?4",
                            brand_id, from, to, &s);
    if (err != VG_OK)
        return err;
    sqlite3_bind_int(s, 4, limit);
    void *rows = NULL;
    err = collect_rows(st, s, sizeof(store_digest_alert), fill_alert, free_alerts,
                       "digest alerts", &rows, n);
    *out = rows;
    return err;
}

void store_digest_alert_array_free(store_digest_alert *v, size_t n)
{
    for (size_t i = 0; v != NULL && i < n; i++) {
        free(v[i].metric);
        free(v[i].severity);
    }
    free(v);
}

/* One int64 from a one-row, one-column query with one int64 parameter
 * (bound only when bind is non-zero); *out = 0 for NULL. */
static vg_err one_int(store *st, const char *sql, int bind, int64_t p,
                      const char *what, int64_t *out)
{
    sqlite3_stmt *s = NULL;
    vg_err err;
    int rc;

    *out = 0;
    err = db_prepare(st, sql, &s);
    if (err != VG_OK)
        return err;
    if (bind)
        sqlite3_bind_int64(s, 1, p);
    rc = sqlite3_step(s);
    if (rc == SQLITE_ROW)
        *out = sqlite3_column_int64(s, 0);
    else
        err = db_fail_step(st, rc, what);
    sqlite3_finalize(s);
    return err;
}

vg_err store_digest_brand_since(store *st, int64_t brand_id, int64_t *out)
{
    int64_t created = 0, first = 0;
    vg_err err;

    err = one_int(st, "SELECT created_at FROM brands WHERE id = ?1", 1,
                  brand_id, "reading brand", &created);
    if (err != VG_OK)
        return err;
    err = one_int(st, "SELECT min(published_at) FROM mentions WHERE brand_id = ?1",
                  1, brand_id, "reading first mention", &first);
    if (err != VG_OK)
        return err;
    /* Mentions found by a later crawl can predate the brand's creation
     * (feeds carry history): tracking started with the earliest of both. */
    *out = first > 0 && first < created ? first : created;
    return VG_OK;
}

vg_err store_digest_latest_mention(store *st, int64_t *out)
{
    return one_int(st, "SELECT coalesce(max(published_at), 0) FROM mentions",
                   0, 0, "reading latest mention", out);
}

vg_err store_digest_volume(store *st, int64_t brand_id, int64_t from,
                           int64_t to, int64_t *out)
{
    sqlite3_stmt *s = NULL;
    vg_err err;
    int rc;

    *out = 0;
    err = db_prepare_window(st,
                            "SELECT count(*) FROM mentions WHERE brand_id = ?1"
                            " AND published_at >= ?2 AND published_at < ?3 AND copy = 0",
                            brand_id, from, to, &s);
    if (err != VG_OK)
        return err;
    rc = sqlite3_step(s);
    if (rc == SQLITE_ROW)
        *out = sqlite3_column_int64(s, 0);
    else
        err = db_fail_step(st, rc, "counting mentions");
    sqlite3_finalize(s);
    return err;
}

vg_err store_digest_snapshot_begin(store *st)
{
    /* Memory-mapped reads spare a system call per page on the large
     * range scans of a digest; the setting only lasts for this
     * connection. Failure to map is not an error (SQLite falls back). */
    sqlite3_exec(st->db, "PRAGMA mmap_size = 268435456", NULL, NULL, NULL);
    if (sqlite3_exec(st->db, "BEGIN DEFERRED", NULL, NULL, NULL) != SQLITE_OK)
        return db_fail(st, "starting the digest's read transaction");
    return VG_OK;
}

void store_digest_snapshot_end(store *st)
{
    sqlite3_exec(st->db, "COMMIT", NULL, NULL, NULL);
}

/* ---- the archive ---- */

static vg_err fill_entry(sqlite3_stmt *s, void *row)
{
    store_digest_entry *r = row;
    vg_err err = VG_OK;

    r->id = sqlite3_column_int64(s, 0);
    r->created_at = sqlite3_column_int64(s, 1);
    r->period_from = sqlite3_column_int64(s, 2);
    r->period_to = sqlite3_column_int64(s, 3);
    r->brand = column_dup(s, 4, &err);
    r->locale = column_dup(s, 5, &err);
    r->format = column_dup(s, 6, &err);
    r->body = column_dup(s, 7, &err);
    return err;
}

static void free_entries(void *v, size_t n)
{
    store_digest_entry_array_free(v, n);
}

vg_err store_digest_archive_add(store *st, const store_digest_entry *e,
                                int64_t *id_out)
{
    sqlite3_stmt *s = NULL;
    vg_err err;
    int rc;

    if (e == NULL || e->body == NULL || e->format == NULL)
        return vg_error_set(VG_EINVAL, "an archived digest needs a body and a format");
    err = db_prepare(st,
                     "INSERT INTO digests (created_at, period_from, period_to,"
                     " brand, locale, format, body) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)",
                     &s);
    if (err != VG_OK)
        return err;
    sqlite3_bind_int64(s, 1, e->created_at ? e->created_at : vg_now());
    sqlite3_bind_int64(s, 2, e->period_from);
    sqlite3_bind_int64(s, 3, e->period_to);
    bind_text(s, 4, e->brand);
    bind_text(s, 5, e->locale ? e->locale : "en");
    bind_text(s, 6, e->format);
    bind_text(s, 7, e->body);
    rc = sqlite3_step(s);
    if (rc != SQLITE_DONE)
        err = db_fail_step(st, rc, "archiving digest");
    else if (id_out != NULL)
        *id_out = sqlite3_last_insert_rowid(st->db);
    sqlite3_finalize(s);
    return err;
}

static vg_err read_entries(store *st, int64_t id, store_digest_entry **out,
                           size_t *n)
{
    sqlite3_stmt *s = NULL;
    vg_err err;

    *out = NULL;
    *n = 0;
    /* The list leaves bodies out: they can be large. */
    err = db_prepare(st,
                     "SELECT id, created_at, period_from, period_to, brand,"
                     " locale, format, CASE WHEN ?1 > 0 THEN body END"
                     " FROM digests WHERE ?1 = 0 OR id = ?1 ORDER BY id",
                     &s);
    if (err != VG_OK)
        return err;
    sqlite3_bind_int64(s, 1, id);
    void *rows = NULL;
    err = collect_rows(st, s, sizeof(store_digest_entry), fill_entry, free_entries,
                       "digest archive", &rows, n);
    *out = rows;
    return err;
}

vg_err store_digest_archive_list(store *st, store_digest_entry **out, size_t *n)
{
    return read_entries(st, 0, out, n);
}

vg_err store_digest_archive_get(store *st, int64_t id, store_digest_entry **out)
{
    size_t n = 0;
    vg_err err;

    *out = NULL;
    if (id <= 0)
        return vg_error_set(VG_ENOTFOUND, "no digest %lld", (long long)id);
    err = read_entries(st, id, out, &n);
    if (err != VG_OK)
        return err;
    if (n == 0)
        return vg_error_set(VG_ENOTFOUND, "no digest %lld", (long long)id);
    return VG_OK;
}

void store_digest_entry_array_free(store_digest_entry *v, size_t n)
{
    for (size_t i = 0; v != NULL && i < n; i++) {
        free(v[i].brand);
        free(v[i].locale);
        free(v[i].format);
        free(v[i].body);
    }
    free(v);
}
