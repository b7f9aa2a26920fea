/*
 * Private to store/: the handle's layout, the statement cache and the
 * helpers every file of the store module shares. This is the only header besides
 * the .c files that may see sqlite3.h; nothing outside store/ includes it
 * (the store's unit tests use store_test.h, which has no SQLite types).
 */
#ifndef VG_STORE_INT_H
#define VG_STORE_INT_H

#include "store/store.h"
#include "store/store_test.h"

#include <sqlite3.h>

/* Statements run on hot paths (the writer inserts thousands per batch)
 * are prepared once per handle and reset after each use. */
typedef enum stmt_id {
    STMT_BEGIN,
    STMT_COMMIT,
    STMT_ROLLBACK,
    STMT_SETTING_GET,
    STMT_SETTING_SET,
    STMT_DOC_INSERT,
    STMT_MENTION_INSERT,
    STMT_FETCH_OK,
    STMT_FETCH_FAIL,
    STMT_FETCH_URL,
    STMT_COPY_BY_KEY,
    STMT_COPY_BY_HASH,
    STMT_KEY_INSERT,
    STMT_COPY_SET_HASH,
    STMT_MENTION_OF,
    STMT_MENTION_FTS,
    STMT__COUNT
} stmt_id;

struct store {
    sqlite3 *db;
    sqlite3_stmt *cache[STMT__COUNT];
    int version;
    int applied; /* migrations applied by this open, for store_test.h */
};

/* Returns the cached statement for id, preparing it on first use; NULL
 * with the error message set (VG_EDB) on failure. Callers must
 * sqlite3_reset() it before returning (stmt_done does both). */
sqlite3_stmt *stmt_get(store *st, stmt_id id);

/* Resets a cached statement and clears its bindings. */
void stmt_done(sqlite3_stmt *s);

/* Records SQLite's current message under VG_EDB, prefixed with what the
 * store was doing; returns VG_EDB. */
vg_err db_fail(store *st, const char *what);

/* Maps a failed step's result: unique-key violations become VG_EEXISTS,
 * everything else VG_EDB, both with SQLite's message. */
vg_err db_fail_step(store *st, int rc, const char *what);

/* Prepares a one-off statement; VG_EDB on failure. */
vg_err db_prepare(store *st, const char *sql, sqlite3_stmt **out);

/* Prepares a one-off statement over one brand's time window and binds
 * ?1 = brand_id, ?2 = from, ?3 = to (the digest's and the alerts' reads
 * all filter mentions or alerts this way); VG_EDB on failure, *out NULL. */
vg_err db_prepare_window(store *st, const char *sql, int64_t brand_id,
                         int64_t from, int64_t to, sqlite3_stmt **out);

/* Binds s (NULL binds SQL NULL) as text, copied by SQLite. */
int bind_text(sqlite3_stmt *s, int idx, const char *v);

/* A column as a malloc'd string (NULL when the column is NULL). Sets *err
 * to VG_ENOMEM when a copy fails, so callers check once per row. */
char *column_dup(sqlite3_stmt *s, int col, vg_err *err);

/* Parses a strictly decimal, positive id; 0 when s is anything else. */
int64_t parse_id(const char *s);

/* Applies pending migrations (schema.c); sets st->version. */
vg_err schema_migrate(store *st);

/* Number of migrations this code knows, i.e. the newest schema version. */
int schema_latest(void);


#endif
