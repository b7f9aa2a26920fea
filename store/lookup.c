/*
 * Small reads and updates the crawl pipeline needs around the main
 * statements: is a page already stored, and "everything is due now".
 */
#include "store/store_int.h"

vg_err store_document_exists(store *st, const char *url, int *out)
{
    sqlite3_stmt *s = NULL;
    *out = 0;
    vg_err rc = db_prepare(st, "SELECT 1 FROM documents WHERE url = ?1", &s);
    if (rc != VG_OK)
        return rc;
    bind_text(s, 1, url);
    int step = sqlite3_step(s);
    if (step == SQLITE_ROW)
        *out = 1;
    else if (step != SQLITE_DONE)
        rc = db_fail(st, "looking up a document");
    sqlite3_finalize(s);
    return rc;
}

vg_err store_source_make_due(store *st)
{
    sqlite3_stmt *s = NULL;
    vg_err rc = db_prepare(st, "UPDATE sources SET next_fetch_at = 0 WHERE enabled = 1", &s);
    if (rc != VG_OK)
        return rc;
    if (sqlite3_step(s) != SQLITE_DONE)
        rc = db_fail(st, "making sources due");
    sqlite3_finalize(s);
    return rc;
}
