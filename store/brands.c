/*
 * Brands: the names vigie listens for, each with its boolean query (the
 * monitor compiles it). Names are unique regardless of case, so "Acme" and
 * "ACME" are one brand; removing a brand removes its mentions and alerts
 * through the schema's cascades.
 */
#include "store/store_int.h"

#include "core/vtime.h"

#include <stdlib.h>
#include <string.h>

#define MAX_ROWS ((size_t)1 << 28)

vg_err store_brand_add(store *st, const char *name, const char *query,
                       int64_t *id_out)
{
    sqlite3_stmt *s = NULL;
    vg_err err;
    int rc;

    if (name == NULL || *name == '\0')
        return vg_error_set(VG_EINVAL, "a brand needs a name");
    err = db_prepare(st,
                     "INSERT INTO brands (name, query, created_at)"
                     " VALUES (?1, ?2, ?3)",
                     &s);
    if (err != VG_OK)
        return err;
    bind_text(s, 1, name);
    /* Without a query the brand matches its own name. */
    bind_text(s, 2, query != NULL ? query : name);
    sqlite3_bind_int64(s, 3, vg_now());
    rc = sqlite3_step(s);
    if (rc != SQLITE_DONE) {
        err = db_fail_step(st, rc, "adding brand");
        if (err == VG_EEXISTS)
            vg_error_set(err, "brand '%s' already exists", name);
        goto cleanup;
    }
    if (id_out != NULL)
        *id_out = sqlite3_last_insert_rowid(st->db);

cleanup:
    sqlite3_finalize(s);
    return err;
}

static vg_err delete_where(store *st, const char *sql, const char *text,
                           int64_t id, int *changed)
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
    rc = sqlite3_step(s);
    if (rc != SQLITE_DONE)
        err = db_fail_step(st, rc, "removing brand");
    else
        *changed = sqlite3_changes(st->db);
    sqlite3_finalize(s);
    return err;
}

vg_err store_brand_rm(store *st, const char *name_or_id)
{
    vg_err err;
    int64_t id;
    int changed = 0;

    if (name_or_id == NULL)
        return vg_error_set(VG_EINVAL, "store_brand_rm: NULL argument");
    /* A brand may be called "3"; its name wins over the id reading. */
    err = delete_where(st, "DELETE FROM brands WHERE name = ?1", name_or_id, 0,
                       &changed);
    if (err != VG_OK || changed)
        return err;
    id = parse_id(name_or_id);
    if (id > 0) {
        err = delete_where(st, "DELETE FROM brands WHERE id = ?1", NULL, id,
                           &changed);
        if (err != VG_OK || changed)
            return err;
    }
    return vg_error_set(VG_ENOTFOUND, "no brand '%s'", name_or_id);
}

vg_err store_brand_list(store *st, int enabled_only, store_brand **out,
                        size_t *n)
{
    sqlite3_stmt *s = NULL;
    store_brand *v = NULL;
    size_t len = 0, cap = 0;
    vg_err err;
    int rc;

    *out = NULL;
    *n = 0;
    err = db_prepare(st,
                     "SELECT id, name, query, enabled, created_at FROM brands"
                     " WHERE ?1 = 0 OR enabled = 1 ORDER BY id",
                     &s);
    if (err != VG_OK)
        return err;
    sqlite3_bind_int(s, 1, enabled_only != 0);
    while ((rc = sqlite3_step(s)) == SQLITE_ROW) {
        store_brand *b;

        if (len == cap) {
            size_t ncap = cap ? cap * 2 : 8;
            store_brand *nv;

            if (ncap > MAX_ROWS) {
                err = vg_error_set(VG_ETOOBIG, "too many brands");
                goto cleanup;
            }
            nv = realloc(v, ncap * sizeof *nv);
            if (nv == NULL) {
                err = vg_error_set(VG_ENOMEM, "listing brands: out of memory");
                goto cleanup;
            }
            v = nv;
            cap = ncap;
        }
        b = &v[len++];
        memset(b, 0, sizeof *b);
        b->id = sqlite3_column_int64(s, 0);
        b->name = column_dup(s, 1, &err);
        b->query = column_dup(s, 2, &err);
        b->enabled = sqlite3_column_int(s, 3);
        b->created_at = sqlite3_column_int64(s, 4);
        if (err != VG_OK) {
            vg_error_set(err, "listing brands: out of memory");
            goto cleanup;
        }
    }
    if (rc != SQLITE_DONE)
        err = db_fail_step(st, rc, "listing brands");

cleanup:
    sqlite3_finalize(s);
    if (err != VG_OK) {
        store_brand_array_free(v, len);
        return err;
    }
    *out = v;
    *n = len;
    return VG_OK;
}

void store_brand_array_free(store_brand *v, size_t n)
{
    if (v == NULL)
        return;
    for (size_t i = 0; i < n; i++) {
        free(v[i].name);
        free(v[i].query);
    }
    free(v);
}
