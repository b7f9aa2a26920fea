/*
 * Digest schedules: when to mail the weekly digest, to whom, and the
 * state of the last occurrence. monitor/digest_schedule.c computes when
 * each schedule is due (in its time zone) and runs it; this file keeps
 * the rows and makes the claim of an occurrence one atomic UPDATE, which
 * is what lets a schedule fire at most once per occurrence however many
 * times vigie restarts.
 */
#include "store/store_int.h"

#include "core/vtime.h"

#include <stdlib.h>
#include <string.h>

#define MAX_SCHEDULES 10000

vg_err store_digest_schedule_add(store *st, const store_digest_schedule *v,
                                 int64_t *id_out)
{
    sqlite3_stmt *s = NULL;
    vg_err err;
    int rc;

    if (v->weekday < 1 || v->weekday > 7 || v->hour < 0 || v->hour > 23)
        return vg_error_set(VG_EINVAL, "schedule: weekday 1-7 and hour 0-23");
    if (v->tz == NULL || v->channel == NULL || v->locale == NULL)
        return vg_error_set(VG_EINVAL, "schedule: time zone, channel and locale needed");
    err = db_prepare(st,
                     "INSERT INTO digest_schedules (weekday, hour, tz, channel, brand,"
                     " locale, created_at) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)",
                     &s);
    if (err != VG_OK)
        return err;
    sqlite3_bind_int(s, 1, v->weekday);
    sqlite3_bind_int(s, 2, v->hour);
    bind_text(s, 3, v->tz);
    bind_text(s, 4, v->channel);
    bind_text(s, 5, v->brand);
    bind_text(s, 6, v->locale);
    sqlite3_bind_int64(s, 7, v->created_at ? v->created_at : vg_now());
    rc = sqlite3_step(s);
    if (rc != SQLITE_DONE)
        err = db_fail_step(st, rc, "adding digest schedule");
    else if (id_out != NULL)
        *id_out = sqlite3_last_insert_rowid(st->db);
    sqlite3_finalize(s);
    return err;
}

vg_err store_digest_schedule_list(store *st, store_digest_schedule **out,
                                  size_t *n)
{
    sqlite3_stmt *s = NULL;
    store_digest_schedule *v = NULL;
    size_t len = 0, cap = 0;
    vg_err err;
    int rc;

    *out = NULL;
    *n = 0;
    err = db_prepare(st,
                     "SELECT id, weekday, hour, tz, channel, brand, locale, created_at,"
                     " due_at, attempts, retry_at, sent_at, COALESCE(digest_id, 0),"
                     " last_error FROM digest_schedules ORDER BY id",
                     &s);
    if (err != VG_OK)
        return err;
    while ((rc = sqlite3_step(s)) == SQLITE_ROW) {
        store_digest_schedule *x;

        if (len == cap) {
            size_t ncap = cap ? cap * 2 : 8;
            store_digest_schedule *nv;

            if (ncap > MAX_SCHEDULES) {
                err = vg_error_set(VG_ETOOBIG, "too many digest schedules");
                goto cleanup;
            }
            nv = realloc(v, ncap * sizeof *nv);
            if (nv == NULL) {
                err = vg_error_set(VG_ENOMEM, "listing digest schedules: out of memory");
                goto cleanup;
            }
            v = nv;
            cap = ncap;
        }
        x = &v[len++];
        memset(x, 0, sizeof *x);
        x->id = sqlite3_column_int64(s, 0);
        x->weekday = sqlite3_column_int(s, 1);
        x->hour = sqlite3_column_int(s, 2);
        x->tz = column_dup(s, 3, &err);
        x->channel = column_dup(s, 4, &err);
        x->brand = column_dup(s, 5, &err);
        x->locale = column_dup(s, 6, &err);
        x->created_at = sqlite3_column_int64(s, 7);
        x->due_at = sqlite3_column_int64(s, 8);
        x->attempts = sqlite3_column_int(s, 9);
        x->retry_at = sqlite3_column_int64(s, 10);
        x->sent_at = sqlite3_column_int64(s, 11);
        x->digest_id = sqlite3_column_int64(s, 12);
        x->last_error = column_dup(s, 13, &err);
        if (err != VG_OK) {
            vg_error_set(err, "listing digest schedules: out of memory");
            goto cleanup;
        }
    }
    if (rc != SQLITE_DONE)
        err = db_fail_step(st, rc, "listing digest schedules");

cleanup:
    sqlite3_finalize(s);
    if (err != VG_OK) {
        store_digest_schedule_array_free(v, len);
        return err;
    }
    *out = v;
    *n = len;
    return VG_OK;
}

void store_digest_schedule_array_free(store_digest_schedule *v, size_t n)
{
    for (size_t i = 0; v != NULL && i < n; i++) {
        free(v[i].tz);
        free(v[i].channel);
        free(v[i].brand);
        free(v[i].locale);
        free(v[i].last_error);
    }
    free(v);
}

vg_err store_digest_schedule_rm(store *st, int64_t id)
{
    sqlite3_stmt *s = NULL;
    vg_err err;
    int rc;

    err = db_prepare(st, "DELETE FROM digest_schedules WHERE id = ?1", &s);
    if (err != VG_OK)
        return err;
    sqlite3_bind_int64(s, 1, id);
    rc = sqlite3_step(s);
    if (rc != SQLITE_DONE)
        err = db_fail_step(st, rc, "removing digest schedule");
    else if (sqlite3_changes(st->db) == 0)
        err = vg_error_set(VG_ENOTFOUND, "no digest schedule %lld", (long long)id);
    sqlite3_finalize(s);
    return err;
}

vg_err store_digest_schedule_claim(store *st, int64_t id, int64_t due,
                                   int seen_attempts, int64_t now)
{
    sqlite3_stmt *s = NULL;
    vg_err err;
    int rc;

    /* One UPDATE whose WHERE is the whole condition: the row changes for
     * exactly one claimant. */
    err = db_prepare(st,
                     "UPDATE digest_schedules SET"
                     " attempts = CASE WHEN due_at < ?2 THEN 1 ELSE attempts + 1 END,"
                     " sent_at = CASE WHEN due_at < ?2 THEN 0 ELSE sent_at END,"
                     " digest_id = CASE WHEN due_at < ?2 THEN NULL ELSE digest_id END,"
                     " last_error = CASE WHEN due_at < ?2 THEN NULL ELSE last_error END,"
                     " retry_at = 0, due_at = ?2"
                     " WHERE id = ?1 AND (due_at < ?2 OR (due_at = ?2 AND sent_at = 0"
                     " AND attempts = ?3 AND retry_at > 0 AND retry_at <= ?4))",
                     &s);
    if (err != VG_OK)
        return err;
    sqlite3_bind_int64(s, 1, id);
    sqlite3_bind_int64(s, 2, due);
    sqlite3_bind_int(s, 3, seen_attempts);
    sqlite3_bind_int64(s, 4, now);
    rc = sqlite3_step(s);
    if (rc != SQLITE_DONE)
        err = db_fail_step(st, rc, "claiming digest schedule");
    else if (sqlite3_changes(st->db) == 0)
        err = vg_error_set(VG_EEXISTS, "digest schedule %lld: nothing due", (long long)id);
    sqlite3_finalize(s);
    return err;
}

vg_err store_digest_schedule_record(store *st, int64_t id, int64_t sent_at,
                                    int64_t digest_id, const char *error,
                                    int64_t retry_at)
{
    sqlite3_stmt *s = NULL;
    vg_err err;
    int rc;

    err = db_prepare(st,
                     "UPDATE digest_schedules SET sent_at = ?2,"
                     " digest_id = CASE WHEN ?3 > 0 THEN ?3 ELSE digest_id END,"
                     " last_error = ?4, retry_at = ?5 WHERE id = ?1",
                     &s);
    if (err != VG_OK)
        return err;
    sqlite3_bind_int64(s, 1, id);
    sqlite3_bind_int64(s, 2, sent_at);
    sqlite3_bind_int64(s, 3, digest_id);
    bind_text(s, 4, error);
    sqlite3_bind_int64(s, 5, retry_at);
    rc = sqlite3_step(s);
    if (rc != SQLITE_DONE)
        err = db_fail_step(st, rc, "recording digest schedule run");
    else if (sqlite3_changes(st->db) == 0)
        err = vg_error_set(VG_ENOTFOUND, "no digest schedule %lld", (long long)id);
    sqlite3_finalize(s);
    return err;
}
