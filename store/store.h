/*
 * The store_ interface: everything vigie keeps, behind one API.
 *
 * The embedded backend is SQLite (WAL, foreign keys on, prepared
 * statements only, migrations applied on open). A later backend may be
 * PostgreSQL, so no SQL and no sqlite3.h appear outside store/.
 *
 * A store handle is one connection: use it from one thread at a time
 * (it is opened without SQLite's internal mutex, so sharing one handle
 * between threads without a lock of your own is a bug). The pipeline's
 * writer thread owns its own handle; readers (CLI commands, the
 * scheduler) open their own. Several processes (the CLI and the daemon)
 * may open the same file: WAL lets readers proceed during a write, and a
 * writer waits up to STORE_BUSY_TIMEOUT_MS for another writer's lock.
 * Strings in returned structs are owned by the struct and freed with the
 * matching *_free function.
 * Errors: VG_EDB with vg_error_last() holding SQLite's message,
 * VG_ENOTFOUND, VG_EEXISTS (unique key), VG_EINVAL.
 */
#ifndef VG_STORE_H
#define VG_STORE_H

#include "core/vg.h"

#include <stddef.h>
#include <stdint.h>

typedef struct store store;

/* How long a statement waits for another connection's write lock. */
#define STORE_BUSY_TIMEOUT_MS 5000

/* Interval given to a source added with interval <= 0 (one hour). */
#define STORE_DEFAULT_INTERVAL 3600

/* Opens (creating if needed) the database at path, sets WAL mode, foreign
 * keys, synchronous=NORMAL and the busy timeout, and applies pending
 * migrations in one transaction (an up-to-date database is left
 * untouched). *out is freed with store_close. VG_EDB when the file cannot
 * be opened, a migration fails, or the database was written by a newer
 * vigie (its schema version is above store_schema_latest()). */
vg_err store_open(const char *path, store **out);

/* Closes the handle (NULL accepted). */
void store_close(store *st);

/* Current schema version of an open store. */
int store_schema_version(store *st);

/* The newest schema version this code knows (a freshly opened store has
 * store_schema_version() == store_schema_latest()). */
int store_schema_latest(void);

/* The connection's journal mode ("wal" normally; "memory" for ":memory:").
 * *out is malloc'd (free()). VG_EDB on failure. */
vg_err store_journal_mode(store *st, char **out);

/* Transactions: BEGIN IMMEDIATE / COMMIT / ROLLBACK. The writer wraps each
 * batch (documents, mentions and the source's fetch state) in one. Outside
 * a transaction each call below commits on its own. store_rollback with no
 * transaction open is a no-op (VG_OK), so cleanup paths may call it. */
vg_err store_begin(store *st);
vg_err store_commit(store *st);
vg_err store_rollback(store *st);

/* ---- settings: key/value strings ---- */

/* *out is a malloc'd copy (free()) or VG_ENOTFOUND (*out NULL). */
vg_err store_setting_get(store *st, const char *key, char **out);
/* Creates or replaces key's value. VG_EINVAL when either is NULL. */
vg_err store_setting_set(store *st, const char *key, const char *value);

/* ---- sources ---- */

typedef struct store_source {
    int64_t id;
    char *url;
    char *kind;           /* "feed", "page" or "sitemap" */
    char *title;          /* may be NULL */
    char *etag;           /* may be NULL */
    char *last_modified;  /* may be NULL */
    int last_status;      /* HTTP status of the last fetch, 0 = never/none */
    char *last_error;     /* NULL when the last fetch succeeded */
    int error_count;      /* consecutive failures */
    int64_t failing_since;/* 0 when healthy */
    int64_t interval;     /* seconds between fetches */
    int pinned;           /* interval fixed by the user (--every) */
    int full_text;        /* fetch each entry's page */
    int64_t last_fetch_at;/* 0 = never */
    int64_t next_fetch_at;
    int enabled;
} store_source;

/* Adds a source due now (next_fetch_at = current time). VG_EEXISTS if the
 * URL is already there. kind: "feed", "page" or "sitemap" (else
 * VG_EINVAL); interval in seconds, <= 0 for STORE_DEFAULT_INTERVAL;
 * title may be NULL; id_out may be NULL. */
vg_err store_source_add(store *st, const char *url, const char *kind,
                        const char *title, int64_t interval, int pinned,
                        int full_text, int64_t *id_out);

/* Removes a source given its exact URL or its id (decimal; tried when no
 * URL matches), with its documents and their mentions.
 * VG_ENOTFOUND if no such source. */
vg_err store_source_rm(store *st, const char *id_or_url);

/* Enables (1) or disables (0) a source given its URL or id, as for
 * store_source_rm; a disabled source is never due. VG_ENOTFOUND. */
vg_err store_source_set_enabled(store *st, const char *id_or_url, int enabled);

/* All sources ordered by id. *out (array of *n) freed with
 * store_source_array_free. */
vg_err store_source_list(store *st, store_source **out, size_t *n);

/* Enabled sources with next_fetch_at <= now, oldest due first. */
vg_err store_source_due(store *st, int64_t now, store_source **out, size_t *n);

/* Frees an array returned by the functions above (NULL accepted). */
void store_source_array_free(store_source *v, size_t n);

/* The outcome of one fetch, recorded by the writer in the same
 * transaction as the documents it produced. */
typedef struct store_fetch_state {
    int64_t source_id;
    int64_t fetched_at;
    int status;              /* HTTP status, 0 on network failure */
    const char *etag;        /* NULL: keep the stored one */
    const char *last_modified;/* NULL: keep the stored one */
    const char *error;       /* NULL on success; resets error_count */
    const char *title;       /* NULL: keep */
    const char *new_url;     /* NULL: keep; set after a permanent redirect */
    int64_t next_fetch_at;
    int64_t interval;        /* <= 0: keep */
} store_fetch_state;

/* Success (error NULL): error_count and failing_since go back to 0,
 * last_error to NULL; etag, last_modified and title change only when
 * given; url changes to new_url unless another source already has that URL
 * (then the old one is kept, not an error).
 * Failure (error set): error_count + 1, failing_since = fetched_at if it
 * was 0, last_error = error; etag, title and url are kept.
 * Both: last_status = status, last_fetch_at = fetched_at, next_fetch_at,
 * and interval when > 0. VG_ENOTFOUND if the source does not exist. */
vg_err store_source_record_fetch(store *st, const store_fetch_state *fs);

/* ---- brands ---- */

typedef struct store_brand {
    int64_t id;
    char *name;
    char *query;
    int enabled;
    int64_t created_at;
} store_brand;

/* Adds an enabled brand. VG_EEXISTS if a brand of that name exists (names
 * compare case-insensitively); VG_EINVAL for an empty name. query NULL
 * stores the name itself as the query. id_out may be NULL. */
vg_err store_brand_add(store *st, const char *name, const char *query,
                       int64_t *id_out);
/* Removes by name (case-insensitive) or, when no name matches, by
 * decimal id, with its mentions and alerts. VG_ENOTFOUND otherwise. */
vg_err store_brand_rm(store *st, const char *name_or_id);
/* All brands (enabled_only: just the enabled ones), ordered by id. */
vg_err store_brand_list(store *st, int enabled_only, store_brand **out,
                        size_t *n);
void store_brand_array_free(store_brand *v, size_t n);

/* ---- documents and mentions (the writer's side) ---- */

typedef struct store_document {
    int64_t source_id;
    const char *url;        /* canonical; unique */
    const char *title;
    const char *author;
    int64_t published_at;   /* 0 unknown */
    int64_t fetched_at;
    const char *lang;
    const char *text;
    const char *content_hash; /* hex, may be NULL */
    uint64_t simhash;
    double score;           /* document-level sentiment compound */
} store_document;

/* Inserts a document unless its URL is already stored. *id_out gets the
 * new id, or 0 when it was a duplicate (not an error). VG_EINVAL without a
 * URL; VG_EDB if source_id does not exist. Strings are copied. */
vg_err store_document_insert(store *st, const store_document *d,
                             int64_t *id_out);

typedef struct store_mention {
    int64_t document_id;
    int64_t brand_id;
    const char *snippet;
    double score;        /* compound in [-1, 1] */
    int label;           /* -1, 0, 1 */
    double pos, neu, neg;/* shares, summing to 1 */
    int64_t published_at;/* document's date, or fetched_at when unknown */
} store_mention;

/* Inserts a mention; a duplicate (document, brand) is ignored (VG_OK).
 * VG_EINVAL for a label outside -1..1; VG_EDB if the document or brand
 * does not exist. A NULL snippet is stored as "". */
vg_err store_mention_insert(store *st, const store_mention *m);

/* Records a human correction of a mention's label (-1, 0, 1), which then
 * overrides the computed label in store_mentions_query. VG_EINVAL for a
 * bad label, VG_ENOTFOUND for an unknown mention. */
vg_err store_mention_correct(store *st, int64_t mention_id, int label);

/* Removes a correction (the computed label applies again). VG_ENOTFOUND
 * for an unknown mention. */
vg_err store_mention_uncorrect(store *st, int64_t mention_id);

/* ---- reading mentions ---- */

typedef struct store_mention_filter {
    const char *brand;   /* name (case-insensitive), NULL = all; an
                            unknown name gives no rows */
    int64_t since;       /* published_at >= since; 0 = no bound */
    int64_t until;       /* published_at < until; 0 = no bound */
    int label_set;       /* filter on label when non-zero */
    int label;           /* -1, 0, 1 */
    const char *search;  /* FTS5 match on snippet and title (FTS5 query
                            syntax; accents ignored), NULL or "" = none */
    int order_by_score;  /* 0: newest first; 1: most negative first;
                            2: most positive first */
    int limit;           /* 0 = no limit */
} store_mention_filter;

#define STORE_MENTION_FILTER_INIT {NULL, 0, 0, 0, 0, NULL, 0, 0}

typedef struct store_mention_row {
    int64_t id;
    char *brand;
    char *url;
    char *title;
    char *source_url;
    char *snippet;
    double score;
    int label;           /* the effective label: the correction if any */
    int corrected;       /* a human correction exists */
    double pos, neu, neg;
    int64_t published_at;
} store_mention_row;

/* Mentions matching f (NULL = no filter), joined with their brand,
 * document and source. Ties in the order go to the newest, then the
 * highest id. *out (array of *n, NULL when empty) is freed with
 * store_mention_row_array_free. VG_EINVAL for a malformed search or label;
 * VG_EDB otherwise. */
vg_err store_mentions_query(store *st, const store_mention_filter *f,
                            store_mention_row **out, size_t *n);
void store_mention_row_array_free(store_mention_row *v, size_t n);

/* Row counts, for summaries and tests. */
typedef struct store_counts {
    int64_t sources, documents, mentions, brands;
} store_counts;
vg_err store_counts_get(store *st, store_counts *out);

/* ---- crawl helpers ---- */

/* *out = 1 when a document with this canonical URL is stored, else 0.
 * Workers ask before fetching an entry's page in full-text mode. */
vg_err store_document_exists(store *st, const char *url, int *out);

/* Makes every enabled source due now (`vigie crawl --all`). */
vg_err store_source_make_due(store *st);

#endif
