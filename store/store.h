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
    char *headers;        /* extra request headers, "Name: value" lines
                             joined by LF; NULL when none. Secret: never
                             print or log it. */
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

/* Keys per document for finding syndicated copies (TEXT_COPY_KEYS). */
#define STORE_COPY_KEYS 4

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
    /* store_document_insert_copy: a document sharing one of these keys
     * (text_fingerprint's min-hashes; 0: none) whose simhash is at most
     * copy_bits away is a copy (copy_bits 0: exact content hash only). */
    uint64_t copy_keys[STORE_COPY_KEYS];
    int copy_bits;
} store_document;

/* Inserts a document unless its URL is already stored. *id_out gets the
 * new id, or 0 when it was a duplicate (not an error). VG_EINVAL without a
 * URL; VG_EDB if source_id does not exist. Strings are copied. */
vg_err store_document_insert(store *st, const store_document *d,
                             int64_t *id_out);

/* Syndicated copies are looked for among documents fetched this long
 * before the new one: a story is republished within days, and an older
 * text that happens to be close is a coincidence, not a copy. */
#define STORE_COPY_WINDOW (30 * 86400)

/* Inserts d like store_document_insert and recognises a syndicated copy:
 * an earlier document (fetched within STORE_COPY_WINDOW) with the same
 * content hash, or sharing one of d->copy_keys with a simhash at most
 * d->copy_bits bits from d's. A copy
 * is stored with the first one's content hash, so what groups by content
 * hash counts it once, and *copy_of_out (may be NULL) gets the earlier
 * document's id (0: not a copy, or a duplicate URL). *id_out as in
 * store_document_insert. VG_EINVAL, VG_EDB. */
vg_err store_document_insert_copy(store *st, const store_document *d,
                                  int64_t *id_out, int64_t *copy_of_out);

typedef struct store_mention {
    int64_t document_id;
    int64_t brand_id;
    const char *snippet;
    double score;        /* compound in [-1, 1] */
    int label;           /* -1, 0, 1 */
    double pos, neu, neg;/* shares, summing to 1 */
    int64_t published_at;/* document's date, or fetched_at when unknown */
    int64_t copy_of;     /* store_mention_insert_copy: the document this
                            mention's is a syndicated copy of, 0 none */
} store_mention;

/* Inserts a mention; a duplicate (document, brand) is ignored (VG_OK).
 * VG_EINVAL for a label outside -1..1; VG_EDB if the document or brand
 * does not exist. A NULL snippet is stored as "". */
vg_err store_mention_insert(store *st, const store_mention *m);

/* Inserts m like store_mention_insert, flagged as a copy when
 * m->copy_of (a document it was recognised to copy) mentions the same
 * brand: the news was counted there, and volumes, alert buckets and
 * digest totals count it once. A copy whose original does not name the
 * brand (a reprint with a new headline) counts as news. *copy_out (may
 * be NULL) gets the flag. Errors as store_mention_insert. */
vg_err store_mention_insert_copy(store *st, const store_mention *m, int *copy_out);

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
    int originals_only;  /* leave out syndicated copies (mentions flagged
                            by store_mention_insert_copy) */
} store_mention_filter;

#define STORE_MENTION_FILTER_INIT {NULL, 0, 0, 0, 0, NULL, 0, 0, 0}

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

/* ---- user lexicon entries (store/lexicon.c) ---- */

typedef struct store_lexicon_entry {
    int64_t id;
    char *lang;     /* "fr" or "en" */
    char *phrase;   /* as the user typed it */
    double valence; /* in [-4, 4] */
    int64_t created_at;
} store_lexicon_entry;

/* Adds a user entry, or replaces the valence of the same (lang, phrase).
 * VG_EINVAL for a language other than fr/en, an empty phrase or a valence
 * outside [-4, 4]; VG_EDB otherwise. Strings are copied. */
vg_err store_lexicon_add(store *st, const char *lang, const char *phrase,
                         double valence);
/* Removes the entry (lang, phrase). VG_ENOTFOUND when there is none. */
vg_err store_lexicon_rm(store *st, const char *lang, const char *phrase);
/* All entries (lang NULL) or one language's, ordered by language then
 * phrase. *out (array of *n, NULL when empty) is freed with
 * store_lexicon_array_free. */
vg_err store_lexicon_list(store *st, const char *lang,
                          store_lexicon_entry **out, size_t *n);
void store_lexicon_array_free(store_lexicon_entry *v, size_t n);

/* ---- digests (store/digest.c): per-brand reads over [from, to) ---- */

/* Mentions of a brand in a window, by effective label (a human correction
 * overrides the computed label). Syndicated copies (store_mention_insert_copy)
 * count once in the totals, and their sources among the sources. */
typedef struct store_digest_counts {
    int64_t total, pos, neu, neg;
    int64_t sources;    /* distinct sources among them, copies included */
    int64_t corrected;  /* mentions with a human correction */
} store_digest_counts;

/* Fills *out for brand_id's mentions with from <= published_at < to.
 * VG_EDB on failure. */
vg_err store_digest_counts_get(store *st, int64_t brand_id, int64_t from,
                               int64_t to, store_digest_counts *out);

typedef struct store_digest_bucket {
    int64_t pos, neu, neg;
} store_digest_bucket;

/* Splits [from, from + n * width) into n buckets of width seconds and
 * fills out[0..n) (caller's array) with each bucket's counts by label,
 * syndicated copies left out. */
vg_err store_digest_buckets(store *st, int64_t brand_id, int64_t from,
                            int64_t width, size_t n, store_digest_bucket *out);

typedef struct store_digest_source {
    int64_t id;
    char *url;
    char *title;        /* may be NULL */
    int64_t total, pos, neu, neg;
} store_digest_source;

/* The limit sources with most mentions of the brand in the window, most
 * first. *out freed with store_digest_source_array_free. */
vg_err store_digest_top_sources(store *st, int64_t brand_id, int64_t from,
                                int64_t to, int limit,
                                store_digest_source **out, size_t *n);
void store_digest_source_array_free(store_digest_source *v, size_t n);

typedef struct store_digest_mention {
    int64_t id;
    char *url, *title, *source, *snippet; /* title may be NULL */
    double score;
    int label;          /* effective label */
    int corrected;
    int64_t published_at;
    int64_t copies;     /* mentions sharing its content hash, itself included */
} store_digest_mention;

/* The limit mentions whose effective label is sign (1 or -1, else
 * VG_EINVAL), highest score * sign first, syndicated copies (same
 * documents.content_hash) folded into their first-published one. *out
 * freed with store_digest_mention_array_free. */
vg_err store_digest_top_mentions(store *st, int64_t brand_id, int64_t from,
                                 int64_t to, int sign, int limit,
                                 store_digest_mention **out, size_t *n);
void store_digest_mention_array_free(store_digest_mention *v, size_t n);

/* Called with each snippet (borrowed for the call); a non-VG_OK return
 * stops the scan and is returned. */
typedef vg_err (*store_digest_text_fn)(void *arg, const char *text, size_t len);

/* Calls fn once per distinct snippet (syndicated copies folded) of the
 * brand's mentions in the window whose id is a multiple of step (1 or
 * less: all), an even sample that bounds the work on a busy brand. */
vg_err store_digest_snippets(store *st, int64_t brand_id, int64_t from,
                             int64_t to, int64_t step,
                             store_digest_text_fn fn, void *arg);

typedef struct store_digest_alert {
    int64_t id;
    char *metric, *severity;
    int64_t bucket_start, created_at;
    double observed, expected;
} store_digest_alert;

/* Alerts of the brand whose bucket starts in the window: *total counts
 * them all, *out holds the first limit (oldest first; limit 0: none).
 * Freed with store_digest_alert_array_free. */
vg_err store_digest_alerts(store *st, int64_t brand_id, int64_t from,
                           int64_t to, int limit, store_digest_alert **out,
                           size_t *n, int64_t *total);
void store_digest_alert_array_free(store_digest_alert *v, size_t n);

/* Number of the brand's mentions in the window, copies once (index only). */
vg_err store_digest_volume(store *st, int64_t brand_id, int64_t from,
                           int64_t to, int64_t *out);

/* Opens a read transaction so every query of one digest sees the same
 * snapshot (the daemon may be writing), and maps the file in memory for
 * the scans; store_digest_snapshot_end closes it. Not inside another
 * transaction. VG_EDB. */
vg_err store_digest_snapshot_begin(store *st);
void store_digest_snapshot_end(store *st);

/* When tracking of the brand began: its creation time, or its earliest
 * mention when that is older (crawls bring history). */
vg_err store_digest_brand_since(store *st, int64_t brand_id, int64_t *out);

/* The newest mention's published_at over all brands, 0 when none. */
vg_err store_digest_latest_mention(store *st, int64_t *out);

/* An archived digest. brand NULL means all brands. */
typedef struct store_digest_entry {
    int64_t id, created_at, period_from, period_to;
    char *brand, *locale, *format, *body;
} store_digest_entry;

/* Archives e (created_at 0: now). VG_EINVAL without body or format. */
vg_err store_digest_archive_add(store *st, const store_digest_entry *e,
                                int64_t *id_out);
/* Every archived digest, oldest first, bodies left NULL. */
vg_err store_digest_archive_list(store *st, store_digest_entry **out, size_t *n);
/* One digest with its body (*out is an array of one); VG_ENOTFOUND. */
vg_err store_digest_archive_get(store *st, int64_t id, store_digest_entry **out);
void store_digest_entry_array_free(store_digest_entry *v, size_t n);

/* ---- goals (store/goals.c) ---- */

typedef struct store_goal {
    int64_t id, brand_id;
    char *brand, *metric;   /* metric: see store_goal_metric_valid */
    double target;          /* fractions for shares and net sentiment */
    int64_t by;             /* deadline, 0 = none */
    int64_t created_at;
} store_goal;

/* Non-zero for "net-sentiment", "negative-share", "volume",
 * "share-of-voice". */
int store_goal_metric_valid(const char *metric);
/* Adds a goal for the brand named (case-insensitive). VG_EINVAL for an
 * unknown metric, VG_ENOTFOUND for an unknown brand. */
vg_err store_goal_add(store *st, const char *brand, const char *metric,
                      double target, int64_t by, int64_t *id_out);
/* VG_ENOTFOUND when no goal has that id. */
vg_err store_goal_rm(store *st, int64_t id);
/* Goals of one brand (brand_id 0: all), by id; store_goal_array_free. */
vg_err store_goal_list(store *st, int64_t brand_id, store_goal **out,
                       size_t *n);
void store_goal_array_free(store_goal *v, size_t n);

/* ---- stored documents, re-matching and copies (store/documents.c) ---- */

/* One stored document as store_documents_each hands it over; strings are
 * borrowed for the callback's duration only (NULL when absent). */
typedef struct store_document_row {
    int64_t id;
    const char *url, *title, *author, *lang, *text;
    int64_t published_at;   /* published_at, or fetched_at when unknown */
    uint64_t simhash;       /* 0 when not computed */
} store_document_row;

/* Return non-zero to stop the walk (not an error). */
typedef int (*store_document_fn)(const store_document_row *r, void *arg);

/* Calls fn for each document dated (published_at, else fetched_at) at or
 * after since, by id. The store must not be written from fn. VG_EINVAL,
 * VG_EDB. */
vg_err store_documents_each(store *st, int64_t since, store_document_fn fn,
                            void *arg);
/* The ids of the documents holding a mention of brand_id, ascending.
 * *out (malloc'd, free(); NULL when *n is 0). VG_EDB, VG_ENOMEM. */
vg_err store_brand_mention_docs(store *st, int64_t brand_id, int64_t **out,
                                size_t *n);
/* Removes the mention of brand_id on document_id (with its correction).
 * VG_ENOTFOUND when there is none. */
vg_err store_mention_delete(store *st, int64_t document_id, int64_t brand_id);
/* out[i] = the simhash of mention_ids[i]'s document (0 when unknown or
 * not computed) and, when content is not NULL, content[i] a non-zero
 * hash of its content hash (0 when it has none): copies recognised at
 * insert share it. VG_EDB. */
vg_err store_mention_simhashes(store *st, const int64_t *mention_ids,
                               size_t n, uint64_t *out, uint64_t *content);
/* Replaces a brand's query text (the caller compiled it first).
 * VG_EINVAL for an empty query, VG_ENOTFOUND for an unknown id. */
vg_err store_brand_set_query(store *st, int64_t brand_id, const char *query);

/* Sets the extra request headers of the source with this id (LF-joined
 * "Name: value" lines; NULL or "" removes them). The caller validated the
 * lines. VG_ENOTFOUND for an unknown id. */
vg_err store_source_set_headers(store *st, int64_t id, const char *headers);

/* Crisis alerts (store/alerts.c). A rule routes one metric of one brand
 * ("volume", "negative", "negative-share") to a channel ("webhook:URL",
 * "smtp://...", "smtps://...", "exec:COMMAND", "log"); severities are
 * ranks 1 low, 2 medium, 3 high. The secret (webhook HMAC key, SMTP
 * password) is stored but never returned by the listing. */
typedef struct store_alert_rule {
    int64_t id;
    char *brand, *metric, *channel;
    int has_secret;
    int min_severity;
    int64_t cooldown; /* seconds */
    int64_t created_at;
} store_alert_rule;

/* Adds a rule for the brand named brand; VG_ENOTFOUND for an unknown
 * brand, VG_EINVAL for a bad metric. secret may be NULL. */
vg_err store_alert_rule_add(store *st, const char *brand, const char *metric,
                            const char *channel, const char *secret,
                            int min_severity, int64_t cooldown, int64_t *id_out);
/* Removes rule id (and its pending deliveries); VG_ENOTFOUND if none. */
vg_err store_alert_rule_rm(store *st, int64_t id);
/* All rules, oldest first; free with store_alert_rule_array_free. */
vg_err store_alert_rule_list(store *st, store_alert_rule **out, size_t *n);
void store_alert_rule_array_free(store_alert_rule *v, size_t n);
/* The channel and secret of rule id (malloc'd, *secret_out NULL when
 * none); for `alert test` and delivery only, never for display. */
vg_err store_alert_rule_secret(store *st, int64_t id, char **channel_out,
                               char **secret_out);

/* One detected alert, borrowed strings. */
typedef struct store_alert {
    int64_t brand_id;
    const char *metric;
    int64_t bucket_start;
    double observed, expected, low, high, score;
    int severity;          /* 1..3 */
    const char *detail;    /* JSON text (top terms, worst mentions), or NULL */
    int64_t created_at;
} store_alert;

/* Records an alert in the outbox and queues one delivery per rule of its
 * brand and metric whose minimum severity it reaches, unless that rule
 * delivered (or queued) an alert at least as severe within its cooldown.
 * Runs inside the caller's transaction (the one that records the bucket)
 * and opens none. The same brand, metric and bucket is recorded once:
 * *queued_out is then 0. id_out and queued_out may be NULL. */
vg_err store_alert_record(store *st, const store_alert *a, int64_t *id_out,
                          int *queued_out);

/* A delivery due, with everything needed to send it. */
typedef struct store_delivery {
    int64_t id, alert_id, rule_id;
    char *idem_key, *channel, *secret; /* secret NULL when none */
    int attempts;
    char *brand, *metric, *severity, *detail;
    int64_t bucket_start, created_at;
    double observed, expected, low, high, score;
} store_delivery;

/* Undelivered deliveries whose next attempt is due at now, oldest first,
 * at most limit; free with store_delivery_array_free. */
vg_err store_delivery_due(store *st, int64_t now, int limit,
                          store_delivery **out, size_t *n);
void store_delivery_array_free(store_delivery *v, size_t n);
/* Marks delivery id delivered at now (and its alert delivered). */
vg_err store_delivery_done(store *st, int64_t id, int64_t now);
/* Records a failed attempt: attempts + 1, the error, the next try. */
vg_err store_delivery_failed(store *st, int64_t id, const char *error,
                             int64_t next_at);

/* An alert as `vigie alerts` lists it. */
typedef struct store_alert_row {
    int64_t id;
    char *brand, *metric, *severity, *last_error;
    int64_t bucket_start, created_at;
    double observed, expected, low, high, score;
    int deliveries, delivered, attempts;
    char *detail; /* JSON text (top terms, worst mentions), or NULL */
} store_alert_row;

/* Alerts created at or after since, newest first. */
vg_err store_alert_list(store *st, int64_t since, store_alert_row **out,
                        size_t *n);
void store_alert_row_array_free(store_alert_row *v, size_t n);

/* What an alert saw (store/alert_detail.c): the mentions of brand_id
 * published in [from, to), syndicated copies left out; negative_only
 * keeps the negative ones, most negative first, else newest first. At
 * most limit rows (0 or over 5000: 5000). *out (NULL when none) is freed
 * with store_mention_row_array_free; brand and source_url stay NULL.
 * Reads inside the caller's transaction if one is open. VG_EDB, VG_ENOMEM. */
vg_err store_alert_window_mentions(store *st, int64_t brand_id, int64_t from,
                                   int64_t to, int negative_only, int limit,
                                   store_mention_row **out, size_t *n);

/* ---- digest schedules (store/digest_schedule.c) ---- */

/* "Every weekday (1 Monday .. 7 Sunday) at hour in tz, mail the digest of
 * last week for brand (NULL: all) in locale to channel". due_at is the
 * occurrence last claimed, attempts how many sends it started, retry_at
 * when a failed one may be tried again (0: not), sent_at when it went. */
typedef struct store_digest_schedule {
    int64_t id;
    int weekday, hour, attempts;
    char *tz, *channel, *brand, *locale, *last_error;
    int64_t created_at, due_at, retry_at, sent_at, digest_id;
} store_digest_schedule;

/* Adds s (its id and run state ignored; created_at 0: now). VG_EINVAL
 * for a weekday, hour or missing field out of range. */
vg_err store_digest_schedule_add(store *st, const store_digest_schedule *s,
                                 int64_t *id_out);
/* Every schedule, by id; free with store_digest_schedule_array_free. */
vg_err store_digest_schedule_list(store *st, store_digest_schedule **out,
                                  size_t *n);
void store_digest_schedule_array_free(store_digest_schedule *v, size_t n);
/* VG_ENOTFOUND when there is no schedule id. */
vg_err store_digest_schedule_rm(store *st, int64_t id);
/* Claims an attempt for schedule id, atomically (one statement, so two
 * processes never both win). A new occurrence (due after the stored
 * due_at) resets the state and counts attempt 1; otherwise a retry of
 * the same occurrence is claimed when it is unsent, attempts equals
 * seen_attempts and retry_at is set and not after now. VG_EEXISTS when
 * the claim lost (nothing to do), VG_EDB. */
vg_err store_digest_schedule_claim(store *st, int64_t id, int64_t due,
                                   int seen_attempts, int64_t now);
/* Records the outcome of the attempt claimed last: sent_at (0: failed),
 * the archived digest (0: none), the error (NULL when sent) and when to
 * retry (0: never). */
vg_err store_digest_schedule_record(store *st, int64_t id, int64_t sent_at,
                                    int64_t digest_id, const char *error,
                                    int64_t retry_at);

#endif
