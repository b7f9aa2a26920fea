/*
 * The database schema as an ordered list of migrations, and the code that
 * brings a database up to date when it is opened. Migration i (0-based)
 * takes the schema from version i to version i + 1; the schema_version
 * table records one row per applied migration. Never edit a migration that
 * has shipped: append a new one. docs/schema.md describes the tables.
 */
#include "store/store_int.h"

#include "core/vtime.h"

static const char *const migrations[] = {
    /* 1: the initial data model. */
    "CREATE TABLE sources ("
    "  id            INTEGER PRIMARY KEY,"
    "  url           TEXT NOT NULL UNIQUE,"
    "  kind          TEXT NOT NULL CHECK (kind IN ('feed', 'page', 'sitemap')),"
    "  title         TEXT,"
    "  etag          TEXT,"
    "  last_modified TEXT,"
    "  last_status   INTEGER NOT NULL DEFAULT 0,"
    "  last_error    TEXT,"
    "  error_count   INTEGER NOT NULL DEFAULT 0,"
    "  failing_since INTEGER NOT NULL DEFAULT 0,"
    "  interval      INTEGER NOT NULL,"
    "  pinned        INTEGER NOT NULL DEFAULT 0,"
    "  full_text     INTEGER NOT NULL DEFAULT 0,"
    "  last_fetch_at INTEGER NOT NULL DEFAULT 0,"
    "  next_fetch_at INTEGER NOT NULL DEFAULT 0,"
    "  enabled       INTEGER NOT NULL DEFAULT 1,"
    "  created_at    INTEGER NOT NULL"
    ");"
    "CREATE INDEX sources_next_fetch ON sources (next_fetch_at);"

    "CREATE TABLE documents ("
    "  id           INTEGER PRIMARY KEY,"
    "  source_id    INTEGER NOT NULL REFERENCES sources (id) ON DELETE CASCADE,"
    "  url          TEXT NOT NULL UNIQUE,"
    "  title        TEXT,"
    "  author       TEXT,"
    "  published_at INTEGER NOT NULL DEFAULT 0,"
    "  fetched_at   INTEGER NOT NULL,"
    "  lang         TEXT,"
    "  text         TEXT,"
    "  content_hash TEXT,"
    "  simhash      INTEGER NOT NULL DEFAULT 0,"
    "  score        REAL NOT NULL DEFAULT 0"
    ");"
    /* Without it, deleting a source scans every document. */
    "CREATE INDEX documents_source ON documents (source_id);"
    "CREATE INDEX documents_content_hash ON documents (content_hash);"

    "CREATE TABLE brands ("
    "  id         INTEGER PRIMARY KEY,"
    "  name       TEXT NOT NULL UNIQUE COLLATE NOCASE,"
    "  query      TEXT NOT NULL,"
    "  enabled    INTEGER NOT NULL DEFAULT 1,"
    "  created_at INTEGER NOT NULL"
    ");"

    "CREATE TABLE mentions ("
    "  id           INTEGER PRIMARY KEY,"
    "  document_id  INTEGER NOT NULL REFERENCES documents (id) ON DELETE CASCADE,"
    "  brand_id     INTEGER NOT NULL REFERENCES brands (id) ON DELETE CASCADE,"
    "  snippet      TEXT NOT NULL,"
    "  score        REAL NOT NULL,"
    "  label        INTEGER NOT NULL CHECK (label IN (-1, 0, 1)),"
    "  pos          REAL NOT NULL DEFAULT 0,"
    "  neu          REAL NOT NULL DEFAULT 0,"
    "  neg          REAL NOT NULL DEFAULT 0,"
    "  published_at INTEGER NOT NULL,"
    "  correction   INTEGER CHECK (correction IS NULL OR correction IN (-1, 0, 1)),"
    "  corrected_at INTEGER,"
    "  created_at   INTEGER NOT NULL,"
    "  UNIQUE (document_id, brand_id)"
    ");"
    "CREATE INDEX mentions_brand_time ON mentions (brand_id, published_at);"
    "CREATE INDEX mentions_time ON mentions (published_at);"

    "CREATE TABLE alerts ("
    "  id           INTEGER PRIMARY KEY,"
    "  brand_id     INTEGER NOT NULL REFERENCES brands (id) ON DELETE CASCADE,"
    "  metric       TEXT NOT NULL,"
    "  bucket_start INTEGER NOT NULL,"
    "  observed     REAL NOT NULL,"
    "  expected     REAL NOT NULL,"
    "  severity     TEXT NOT NULL,"
    "  created_at   INTEGER NOT NULL,"
    "  delivered_at INTEGER NOT NULL DEFAULT 0,"
    "  attempts     INTEGER NOT NULL DEFAULT 0,"
    "  last_error   TEXT,"
    /* One alert per brand, metric and bucket: a restarted monitor that
     * re-detects the same spike must not alert twice. */
    "  UNIQUE (brand_id, metric, bucket_start)"
    ");"
    "CREATE INDEX alerts_undelivered ON alerts (delivered_at);"

    "CREATE TABLE channels ("
    "  id         INTEGER PRIMARY KEY,"
    "  kind       TEXT NOT NULL CHECK (kind IN ('webhook', 'smtp', 'command')),"
    "  target     TEXT NOT NULL,"
    "  secret     TEXT,"
    "  created_at INTEGER NOT NULL"
    ");"

    "CREATE TABLE settings ("
    "  key   TEXT PRIMARY KEY,"
    "  value TEXT NOT NULL"
    ") WITHOUT ROWID;"

    /* The full-text index keeps its own copy of each mention's snippet and
     * its document's title, under the mention's id as rowid; the triggers
     * keep it in step, including deletes cascaded from sources and brands
     * (SQLite fires triggers for foreign-key actions). remove_diacritics
     * lets "reseau" find "réseau". */
    "CREATE VIRTUAL TABLE mention_fts USING fts5 ("
    "  snippet, title, tokenize = 'unicode61 remove_diacritics 2'"
    ");"
    "CREATE TRIGGER mentions_fts_insert AFTER INSERT ON mentions BEGIN"
    "  INSERT INTO mention_fts (rowid, snippet, title)"
    "  VALUES (new.id, new.snippet,"
    "          (SELECT title FROM documents WHERE id = new.document_id));"
    "END;"
    "CREATE TRIGGER mentions_fts_delete AFTER DELETE ON mentions BEGIN"
    "  DELETE FROM mention_fts WHERE rowid = old.id;"
    "END;"
    "CREATE TRIGGER mentions_fts_update AFTER UPDATE OF snippet ON mentions BEGIN"
    "  UPDATE mention_fts SET snippet = new.snippet WHERE rowid = new.id;"
    "END;"
    "CREATE TRIGGER documents_fts_title AFTER UPDATE OF title ON documents BEGIN"
    "  UPDATE mention_fts SET title = new.title"
    "  WHERE rowid IN (SELECT id FROM mentions WHERE document_id = new.id);"
    "END;",
    /* User lexicon entries (`vigie lexicon add`), applied over the
     * built-in lexicons whenever the engine is opened. */
    "CREATE TABLE lexicon_entries ("
    "  id         INTEGER PRIMARY KEY,"
    "  lang       TEXT NOT NULL CHECK (lang IN ('fr', 'en')),"
    "  phrase     TEXT NOT NULL,"
    "  valence    REAL NOT NULL CHECK (valence BETWEEN -4 AND 4),"
    "  created_at INTEGER NOT NULL,"
    "  UNIQUE (lang, phrase)"
    ");",
    /* Digest goals and the archive of produced digests (`vigie goal`,
     * `vigie digest list|show`). */
    "CREATE TABLE goals ("
    "  id         INTEGER PRIMARY KEY,"
    "  brand_id   INTEGER NOT NULL REFERENCES brands (id) ON DELETE CASCADE,"
    "  metric     TEXT NOT NULL CHECK (metric IN ('net-sentiment',"
    "             'negative-share', 'volume', 'share-of-voice')),"
    "  target     REAL NOT NULL,"
    "  by_date    INTEGER NOT NULL DEFAULT 0,"
    "  created_at INTEGER NOT NULL"
    ");"
    "CREATE TABLE digests ("
    "  id          INTEGER PRIMARY KEY,"
    "  created_at  INTEGER NOT NULL,"
    "  period_from INTEGER NOT NULL,"
    "  period_to   INTEGER NOT NULL,"
    "  brand       TEXT,"
    "  locale      TEXT NOT NULL,"
    "  format      TEXT NOT NULL,"
    "  body        TEXT NOT NULL"
    ");"
    /* The digest counts mentions by effective label and source over
     * time ranges; these two covering indexes keep those scans off the
     * tables, whose rows carry whole texts (bench/bench_digest.c: one
     * million mentions, 4.6 s without them). */
    "CREATE INDEX mentions_brand_time_label"
    "  ON mentions (brand_id, published_at, label, correction, document_id);"
    "CREATE INDEX documents_source_hash"
    "  ON documents (id, source_id, content_hash);",
    /* Per-source extra request headers (a private feed's Authorization or
     * Cookie): "Name: value" lines joined by LF, NULL when none. */
    "ALTER TABLE sources ADD COLUMN headers TEXT;",
    /* Crisis alerts (issue 5): rules say who hears about which metric of
     * which brand; each alert is an outbox row per rule (a delivery),
     * written in the transaction that recorded the bucket, delivered
     * later, keyed for exactly-once by its idempotency key. */
    "ALTER TABLE alerts ADD COLUMN score REAL NOT NULL DEFAULT 0;"
    "ALTER TABLE alerts ADD COLUMN low REAL NOT NULL DEFAULT 0;"
    "ALTER TABLE alerts ADD COLUMN high REAL NOT NULL DEFAULT 0;"
    "ALTER TABLE alerts ADD COLUMN detail TEXT;"
    "CREATE TABLE alert_rules ("
    "  id           INTEGER PRIMARY KEY,"
    "  brand_id     INTEGER NOT NULL REFERENCES brands (id) ON DELETE CASCADE,"
    "  metric       TEXT NOT NULL,"
    "  channel      TEXT NOT NULL,"
    "  secret       TEXT,"
    "  min_severity INTEGER NOT NULL DEFAULT 2,"
    "  cooldown     INTEGER NOT NULL DEFAULT 21600,"
    "  created_at   INTEGER NOT NULL"
    ");"
    "CREATE TABLE alert_deliveries ("
    "  id           INTEGER PRIMARY KEY,"
    "  alert_id     INTEGER NOT NULL REFERENCES alerts (id) ON DELETE CASCADE,"
    "  rule_id      INTEGER NOT NULL REFERENCES alert_rules (id) ON DELETE CASCADE,"
    "  idem_key     TEXT NOT NULL UNIQUE,"
    "  severity     INTEGER NOT NULL,"
    "  created_at   INTEGER NOT NULL,"
    "  attempts     INTEGER NOT NULL DEFAULT 0,"
    "  next_at      INTEGER NOT NULL DEFAULT 0,"
    "  delivered_at INTEGER NOT NULL DEFAULT 0,"
    "  last_error   TEXT,"
    "  UNIQUE (alert_id, rule_id)"
    ");"
    "CREATE INDEX alert_deliveries_due ON alert_deliveries (delivered_at, next_at);",
    /* Syndicated copies (issue 6): each document's min-hash keys
     * (text_fingerprint), so a new document finds its candidate copies
     * by a few index probes (store/copies.c). What the check needs is
     * copied here: read from documents, it sits behind the text, in
     * overflow pages. Documents stored before have no keys: their
     * copies are found by exact content hash only. */
    "CREATE TABLE copy_keys ("
    "  key          INTEGER NOT NULL,"
    "  document_id  INTEGER NOT NULL REFERENCES documents (id) ON DELETE CASCADE,"
    "  fetched_at   INTEGER NOT NULL,"
    "  simhash      INTEGER NOT NULL,"
    "  content_hash TEXT,"
    "  PRIMARY KEY (key, document_id)"
    ") WITHOUT ROWID;"
    "CREATE INDEX copy_keys_document ON copy_keys (document_id);"
    /* A mention whose document copies an earlier one that mentions the
     * same brand: stored (its source carried it) but counted once. The
     * digest's covering index gains the flag so its totals stay off the
     * table. Mentions stored before are flagged by exact content hash,
     * except the hash of an empty text (cbf2...: entries without a body
     * were hashed on their text alone then, and are not copies). */
    "ALTER TABLE mentions ADD COLUMN copy INTEGER NOT NULL DEFAULT 0;"
    "UPDATE mentions SET copy = 1 WHERE EXISTS ("
    "  SELECT 1 FROM documents d"
    "  JOIN documents o ON o.content_hash = d.content_hash AND o.id < d.id"
    "   AND d.content_hash != 'cbf29ce484222325'"
    "  JOIN mentions mo ON mo.document_id = o.id AND mo.brand_id = mentions.brand_id"
    "  WHERE d.id = mentions.document_id);"
    "DROP INDEX mentions_brand_time_label;"
    "CREATE INDEX mentions_brand_time_label"
    "  ON mentions (brand_id, published_at, label, correction, document_id, copy);",
    /* Digest schedules (issue 8): "every <weekday> at <hour> in <tz>,
     * mail the digest of last week to <channel>". due_at is the
     * occurrence last claimed; claiming it before sending makes a
     * schedule fire once per occurrence, even across restarts
     * (monitor/digest_schedule.c). */
    "CREATE TABLE digest_schedules ("
    "  id         INTEGER PRIMARY KEY,"
    "  weekday    INTEGER NOT NULL CHECK (weekday BETWEEN 1 AND 7),"
    "  hour       INTEGER NOT NULL CHECK (hour BETWEEN 0 AND 23),"
    "  tz         TEXT NOT NULL,"
    "  channel    TEXT NOT NULL,"
    "  brand      TEXT,"
    "  locale     TEXT NOT NULL,"
    "  created_at INTEGER NOT NULL,"
    "  due_at     INTEGER NOT NULL DEFAULT 0,"
    "  attempts   INTEGER NOT NULL DEFAULT 0,"
    "  retry_at   INTEGER NOT NULL DEFAULT 0,"
    "  sent_at    INTEGER NOT NULL DEFAULT 0,"
    "  digest_id  INTEGER,"
    "  last_error TEXT"
    ");",
    /* A mention's full-text row is now written by store_mention_insert
     * itself. Through the trigger, every mention insert ran a statement
     * journal, and FTS5 (SQLite 3.40) flushes its pending terms to a new
     * segment at each such savepoint: one tiny segment per mention,
     * about a tenth of a crawl's CPU, instead of one flush per batch. */
    "DROP TRIGGER IF EXISTS mentions_fts_insert;",
    /* mentions_brand_time (brand_id, published_at) is the first two
     * columns of mentions_brand_time_label, which serves every query it
     * served; keeping both cost each mention insert a sixth of its time
     * (a crawl stores several per page). */
    "DROP INDEX IF EXISTS mentions_brand_time;",
};

#define N_MIGRATIONS ((int)(sizeof migrations / sizeof migrations[0]))

int schema_latest(void)
{
    return N_MIGRATIONS;
}

/* Reads the recorded version; 0 for a database that has none yet. */
static vg_err read_version(store *st, int *out)
{
    sqlite3_stmt *s = NULL;
    vg_err err = VG_OK;
    int rc;

    *out = 0;
    err = db_prepare(st,
                     "SELECT count(*) FROM sqlite_master"
                     " WHERE type = 'table' AND name = 'schema_version'",
                     &s);
    if (err != VG_OK)
        goto cleanup;
    rc = sqlite3_step(s);
    if (rc != SQLITE_ROW) {
        err = db_fail_step(st, rc, "reading schema version");
        goto cleanup;
    }
    if (sqlite3_column_int(s, 0) == 0)
        goto cleanup;
    sqlite3_finalize(s);
    s = NULL;

    err = db_prepare(st, "SELECT coalesce(max(version), 0) FROM schema_version",
                     &s);
    if (err != VG_OK)
        goto cleanup;
    rc = sqlite3_step(s);
    if (rc != SQLITE_ROW) {
        err = db_fail_step(st, rc, "reading schema version");
        goto cleanup;
    }
    *out = sqlite3_column_int(s, 0);

cleanup:
    sqlite3_finalize(s);
    return err;
}

static vg_err record_version(store *st, int version)
{
    sqlite3_stmt *s = NULL;
    vg_err err;
    int rc;

    err = db_prepare(st,
                     "INSERT INTO schema_version (version, applied_at)"
                     " VALUES (?1, ?2)",
                     &s);
    if (err != VG_OK)
        return err;
    sqlite3_bind_int(s, 1, version);
    sqlite3_bind_int64(s, 2, vg_now());
    rc = sqlite3_step(s);
    if (rc != SQLITE_DONE)
        err = db_fail_step(st, rc, "recording schema version");
    sqlite3_finalize(s);
    return err;
}

static vg_err too_new(int version)
{
    return vg_error_set(VG_EDB,
                        "database schema version %d is newer than this vigie "
                        "understands (%d): upgrade vigie",
                        version, N_MIGRATIONS);
}

vg_err schema_migrate(store *st)
{
    vg_err err = VG_OK;
    int version = 0;
    int in_txn = 0;

    /* The common case, an up-to-date database, must not take the write
     * lock: the daemon may be in the middle of a batch. */
    err = read_version(st, &version);
    if (err != VG_OK)
        goto cleanup;
    if (version > N_MIGRATIONS) {
        err = too_new(version);
        goto cleanup;
    }
    if (version == N_MIGRATIONS)
        goto cleanup;

    /* IMMEDIATE takes the write lock first, so two processes opening a new
     * database at once serialise here instead of both migrating. */
    if (sqlite3_exec(st->db, "BEGIN IMMEDIATE", NULL, NULL, NULL) != SQLITE_OK) {
        err = db_fail(st, "starting migration");
        goto cleanup;
    }
    in_txn = 1;
    if (sqlite3_exec(st->db,
                     "CREATE TABLE IF NOT EXISTS schema_version ("
                     "  version    INTEGER PRIMARY KEY,"
                     "  applied_at INTEGER NOT NULL)",
                     NULL, NULL, NULL) != SQLITE_OK) {
        err = db_fail(st, "creating schema_version");
        goto cleanup;
    }
    /* Someone else may have migrated between our read and our lock. */
    err = read_version(st, &version);
    if (err != VG_OK)
        goto cleanup;
    if (version > N_MIGRATIONS) {
        err = too_new(version);
        goto cleanup;
    }
    for (; version < N_MIGRATIONS; version++) {
        if (sqlite3_exec(st->db, migrations[version], NULL, NULL, NULL)
            != SQLITE_OK) {
            vg_error_set(VG_EDB, "migration %d: %s", version + 1,
                         sqlite3_errmsg(st->db));
            err = VG_EDB;
            goto cleanup;
        }
        err = record_version(st, version + 1);
        if (err != VG_OK)
            goto cleanup;
        st->applied++;
    }
    if (sqlite3_exec(st->db, "COMMIT", NULL, NULL, NULL) != SQLITE_OK) {
        err = db_fail(st, "committing migration");
        goto cleanup;
    }
    in_txn = 0;

cleanup:
    if (in_txn) {
        sqlite3_exec(st->db, "ROLLBACK", NULL, NULL, NULL);
        st->applied = 0;
    }
    if (err == VG_OK)
        st->version = version;
    return err;
}

vg_err store_test_force_version(store *st, int version)
{
    sqlite3_stmt *s = NULL;
    vg_err err;
    int rc;

    err = db_prepare(st,
                     "INSERT OR REPLACE INTO schema_version (version, applied_at)"
                     " VALUES (?1, 0)",
                     &s);
    if (err != VG_OK)
        return err;
    sqlite3_bind_int(s, 1, version);
    rc = sqlite3_step(s);
    if (rc != SQLITE_DONE)
        err = db_fail_step(st, rc, "forcing schema version");
    sqlite3_finalize(s);
    return err;
}

int store_test_migrations_applied(store *st)
{
    return st->applied;
}
