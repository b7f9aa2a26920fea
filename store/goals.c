/*
 * Goals: a target for one brand's metric (net sentiment, negative share,
 * volume, share of voice), optionally by a date. The digest reads them
 * and says where the brand stands; this file only keeps them.
 */
#include "store/store_int.h"

#include "core/vtime.h"

#include <stdlib.h>
#include <string.h>

#define MAX_GOALS 10000

int store_goal_metric_valid(const char *metric)
{
    static const char *const names[] = {"net-sentiment", "negative-share",
                                        "volume", "share-of-voice"};

    for (size_t i = 0; metric != NULL && i < sizeof names / sizeof names[0]; i++)
        if (strcmp(metric, names[i]) == 0)
            return 1;
    return 0;
}

vg_err store_goal_add(store *st, const char *brand, const char *metric,
                      double target, int64_t by, int64_t *id_out)
{
    sqlite3_stmt *s = NULL;
    vg_err err;
    int rc;

    if (!store_goal_metric_valid(metric))
        return vg_error_set(VG_EINVAL, "unknown goal metric '%s'",
                            metric ? metric : "");
    if (brand == NULL)
        return vg_error_set(VG_EINVAL, "a goal needs a brand");
    err = db_prepare(st,
                     "INSERT INTO goals (brand_id, metric, target, by_date, created_at)"
                     " SELECT id, ?2, ?3, ?4, ?5 FROM brands WHERE name = ?1",
                     &s);
    if (err != VG_OK)
        return err;
    bind_text(s, 1, brand);
    bind_text(s, 2, metric);
    sqlite3_bind_double(s, 3, target);
    sqlite3_bind_int64(s, 4, by);
    sqlite3_bind_int64(s, 5, vg_now());
    rc = sqlite3_step(s);
    if (rc != SQLITE_DONE) {
        err = db_fail_step(st, rc, "adding goal");
        goto cleanup;
    }
    if (sqlite3_changes(st->db) == 0) {
        err = vg_error_set(VG_ENOTFOUND, "no brand '%s'", brand);
        goto cleanup;
    }
    if (id_out != NULL)
        *id_out = sqlite3_last_insert_rowid(st->db);

cleanup:
    sqlite3_finalize(s);
    return err;
}

vg_err store_goal_rm(store *st, int64_t id)
{
    sqlite3_stmt *s = NULL;
    vg_err err;
    int rc;

    err = db_prepare(st, "DELETE FROM goals WHERE id = ?1", &s);
    if (err != VG_OK)
        return err;
    sqlite3_bind_int64(s, 1, id);
    rc = sqlite3_step(s);
    if (rc != SQLITE_DONE)
        err = db_fail_step(st, rc, "removing goal");
    else if (sqlite3_changes(st->db) == 0)
        err = vg_error_set(VG_ENOTFOUND, "no goal %lld", (long long)id);
    sqlite3_finalize(s);
    return err;
}

vg_err store_goal_list(store *st, int64_t brand_id, store_goal **out,
                       size_t *n)
{
    sqlite3_stmt *s = NULL;
    store_goal *v = NULL;
    size_t len = 0, cap = 0;
    vg_err err;
    int rc;

    *out = NULL;
    *n = 0;
    err = db_prepare(st,
                     "SELECT g.id, g.brand_id, b.name, g.metric, g.target,"
                     " g.by_date, g.created_at FROM goals g"
                     " JOIN brands b ON b.id = g.brand_id"
                     " WHERE ?1 = 0 OR g.brand_id = ?1 ORDER BY g.id",
                     &s);
    if (err != VG_OK)
        return err;
    sqlite3_bind_int64(s, 1, brand_id);
    while ((rc = sqlite3_step(s)) == SQLITE_ROW) {
        store_goal *g;

        if (len == cap) {
            size_t ncap = cap ? cap * 2 : 8;
            store_goal *nv;

            if (ncap > MAX_GOALS) {
                err = vg_error_set(VG_ETOOBIG, "too many goals");
                goto cleanup;
            }
            nv = realloc(v, ncap * sizeof *nv);
            if (nv == NULL) {
                err = vg_error_set(VG_ENOMEM, "listing goals: out of memory");
                goto cleanup;
            }
            v = nv;
            cap = ncap;
        }
        g = &v[len++];
        memset(g, 0, sizeof *g);
        g->id = sqlite3_column_int64(s, 0);
        g->brand_id = sqlite3_column_int64(s, 1);
        g->brand = column_dup(s, 2, &err);
        g->metric = column_dup(s, 3, &err);
        g->target = sqlite3_column_double(s, 4);
        g->by = sqlite3_column_int64(s, 5);
        g->created_at = sqlite3_column_int64(s, 6);
        if (err != VG_OK) {
            vg_error_set(err, "listing goals: out of memory");
            goto cleanup;
        }
    }
    if (rc != SQLITE_DONE)
        err = db_fail_step(st, rc, "listing goals");

cleanup:
    sqlite3_finalize(s);
    if (err != VG_OK) {
        store_goal_array_free(v, len);
        return err;
    }
    *out = v;
    *n = len;
    return VG_OK;
}

void store_goal_array_free(store_goal *v, size_t n)
{
    for (size_t i = 0; v != NULL && i < n; i++) {
        free(v[i].brand);
        free(v[i].metric);
    }
    free(v);
}
