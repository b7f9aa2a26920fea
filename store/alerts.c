/*
 * Crisis alerts in the database: the rules (who hears about what), the
 * alerts themselves and their deliveries, an outbox. The monitor records
 * an alert and its deliveries in the transaction that records the bucket
 * which caused it, so a crash cannot lose one; the delivery loop
 * (monitor/alert_deliver.c) reads what is due and marks each delivery
 * done or failed. Each delivery's idempotency key is fixed when it is
 * queued, so a retry after a restart carries the same key.
 */
#include "store/store_int.h"

#include "core/vtime.h"

#include <stdlib.h>
#include <string.h>

/* Caps on listings: a runaway table must not exhaust memory. */
#define MAX_ROWS 100000

static int metric_valid(const char *m)
{
    return m && (strcmp(m, "volume") == 0 || strcmp(m, "negative") == 0 ||
                 strcmp(m, "negative-share") == 0);
}

static const char *severity_name(int s)
{
    return s >= 3 ? "high" : s == 2 ? "medium" : "low";
}

/* Grows *v (of elem-size items) to hold len + 1; VG_ENOMEM or VG_ETOOBIG. */
static vg_err grow(void **v, size_t *cap, size_t len, size_t elem)
{
    if (len < *cap)
        return VG_OK;
    if (len >= MAX_ROWS)
        return vg_error_set(VG_ETOOBIG, "more than %d rows", MAX_ROWS);
    size_t ncap = *cap ? *cap * 2 : 16;
    void *p = realloc(*v, ncap * elem);
    if (!p)
        return vg_error_set(VG_ENOMEM, "out of memory");
    memset((char *)p + *cap * elem, 0, (ncap - *cap) * elem);
    *v = p;
    *cap = ncap;
    return VG_OK;
}

vg_err store_alert_rule_add(store *st, const char *brand, const char *metric,
                            const char *channel, const char *secret,
                            int min_severity, int64_t cooldown, int64_t *id_out)
{
    sqlite3_stmt *s = NULL;
    vg_err err;
    int rc;

    if (!metric_valid(metric))
        return vg_error_set(VG_EINVAL, "unknown metric '%s'", metric ? metric : "");
    if (!brand || !channel || min_severity < 1 || min_severity > 3 || cooldown < 0)
        return vg_error_set(VG_EINVAL, "bad alert rule");
    err = db_prepare(st,
                     "INSERT INTO alert_rules (brand_id, metric, channel, secret,"
                     " min_severity, cooldown, created_at)"
                     " SELECT id, ?2, ?3, ?4, ?5, ?6, ?7 FROM brands WHERE name = ?1",
                     &s);
    if (err != VG_OK)
        return err;
    bind_text(s, 1, brand);
    bind_text(s, 2, metric);
    bind_text(s, 3, channel);
    bind_text(s, 4, secret && *secret ? secret : NULL);
    sqlite3_bind_int(s, 5, min_severity);
    sqlite3_bind_int64(s, 6, cooldown);
    sqlite3_bind_int64(s, 7, vg_now());
    rc = sqlite3_step(s);
    if (rc != SQLITE_DONE)
        err = db_fail_step(st, rc, "adding alert rule");
    else if (sqlite3_changes(st->db) == 0)
        err = vg_error_set(VG_ENOTFOUND, "no brand '%s'", brand);
    else if (id_out)
        *id_out = sqlite3_last_insert_rowid(st->db);
    sqlite3_finalize(s);
    return err;
}

vg_err store_alert_rule_rm(store *st, int64_t id)
{
    sqlite3_stmt *s = NULL;
    vg_err err = db_prepare(st, "DELETE FROM alert_rules WHERE id = ?1", &s);
    if (err != VG_OK)
        return err;
    sqlite3_bind_int64(s, 1, id);
    int rc = sqlite3_step(s);
    if (rc != SQLITE_DONE)
        err = db_fail_step(st, rc, "removing alert rule");
    else if (sqlite3_changes(st->db) == 0)
        err = vg_error_set(VG_ENOTFOUND, "no alert rule %lld", (long long)id);
    sqlite3_finalize(s);
    return err;
}

vg_err store_alert_rule_list(store *st, store_alert_rule **out, size_t *n)
{
    sqlite3_stmt *s = NULL;
    store_alert_rule *v = NULL;
    size_t len = 0, cap = 0;
    int rc;

    *out = NULL;
    *n = 0;
    vg_err err = db_prepare(st,
                            "SELECT r.id, b.name, r.metric, r.channel, r.secret IS NOT NULL,"
                            " r.min_severity, r.cooldown, r.created_at FROM alert_rules r"
                            " JOIN brands b ON b.id = r.brand_id ORDER BY r.id",
                            &s);
    if (err != VG_OK)
        return err;
    while ((rc = sqlite3_step(s)) == SQLITE_ROW) {
        if ((err = grow((void **)&v, &cap, len, sizeof *v)) != VG_OK)
            goto cleanup;
        store_alert_rule *r = &v[len++];
        r->id = sqlite3_column_int64(s, 0);
        r->brand = column_dup(s, 1, &err);
        r->metric = column_dup(s, 2, &err);
        r->channel = column_dup(s, 3, &err);
        r->has_secret = sqlite3_column_int(s, 4);
        r->min_severity = sqlite3_column_int(s, 5);
        r->cooldown = sqlite3_column_int64(s, 6);
        r->created_at = sqlite3_column_int64(s, 7);
        if (err != VG_OK)
            goto cleanup;
    }
    if (rc != SQLITE_DONE)
        err = db_fail_step(st, rc, "listing alert rules");
cleanup:
    sqlite3_finalize(s);
    if (err != VG_OK) {
        store_alert_rule_array_free(v, len);
        return err;
    }
    *out = v;
    *n = len;
    return VG_OK;
}

void store_alert_rule_array_free(store_alert_rule *v, size_t n)
{
    for (size_t i = 0; v && i < n; i++) {
        free(v[i].brand);
        free(v[i].metric);
        free(v[i].channel);
    }
    free(v);
}

vg_err store_alert_rule_secret(store *st, int64_t id, char **channel_out, char **secret_out)
{
    sqlite3_stmt *s = NULL;
    *channel_out = *secret_out = NULL;
    vg_err err = db_prepare(st, "SELECT channel, secret FROM alert_rules WHERE id = ?1", &s);
    if (err != VG_OK)
        return err;
    sqlite3_bind_int64(s, 1, id);
    int rc = sqlite3_step(s);
    if (rc == SQLITE_ROW) {
        *channel_out = column_dup(s, 0, &err);
        *secret_out = column_dup(s, 1, &err);
        if (err != VG_OK) {
            free(*channel_out);
            free(*secret_out);
            *channel_out = *secret_out = NULL;
        }
    } else if (rc == SQLITE_DONE) {
        err = vg_error_set(VG_ENOTFOUND, "no alert rule %lld", (long long)id);
    } else {
        err = db_fail_step(st, rc, "reading alert rule");
    }
    sqlite3_finalize(s);
    return err;
}

vg_err store_alert_record(store *st, const store_alert *a, int64_t *id_out, int *queued_out)
{
    sqlite3_stmt *s = NULL;
    int64_t id = 0;
    int rc;

    if (id_out)
        *id_out = 0;
    if (queued_out)
        *queued_out = 0;
    if (!metric_valid(a->metric) || a->severity < 1 || a->severity > 3)
        return vg_error_set(VG_EINVAL, "bad alert");
    vg_err err = db_prepare(st,
                            "INSERT INTO alerts (brand_id, metric, bucket_start, observed,"
                            " expected, severity, created_at, score, low, high, detail)"
                            " VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11)"
                            " ON CONFLICT (brand_id, metric, bucket_start) DO NOTHING",
                            &s);
    if (err != VG_OK)
        return err;
    sqlite3_bind_int64(s, 1, a->brand_id);
    bind_text(s, 2, a->metric);
    sqlite3_bind_int64(s, 3, a->bucket_start);
    sqlite3_bind_double(s, 4, a->observed);
    sqlite3_bind_double(s, 5, a->expected);
    bind_text(s, 6, severity_name(a->severity));
    sqlite3_bind_int64(s, 7, a->created_at);
    sqlite3_bind_double(s, 8, a->score);
    sqlite3_bind_double(s, 9, a->low);
    sqlite3_bind_double(s, 10, a->high);
    bind_text(s, 11, a->detail);
    rc = sqlite3_step(s);
    if (rc != SQLITE_DONE) {
        err = db_fail_step(st, rc, "recording alert");
        goto cleanup;
    }
    if (sqlite3_changes(st->db) == 0)
        goto cleanup; /* this bucket already alerted */
    id = sqlite3_last_insert_rowid(st->db);
    sqlite3_finalize(s);
    s = NULL;
    /* One delivery per matching rule; the cooldown looks at what the rule
     * already queued, so a storm that worsens (a higher severity) gets
     * through while a repeat does not. */
    err = db_prepare(st,
                     "INSERT OR IGNORE INTO alert_deliveries (alert_id, rule_id, idem_key,"
                     " severity, created_at, next_at)"
                     " SELECT ?1, r.id, 'vigie-' || ?1 || '-' || r.id, ?2, ?3, ?3"
                     " FROM alert_rules r WHERE r.brand_id = ?4 AND r.metric = ?5"
                     " AND r.min_severity <= ?2 AND NOT EXISTS (SELECT 1 FROM"
                     " alert_deliveries d WHERE d.rule_id = r.id AND d.severity >= ?2"
                     " AND d.created_at > ?3 - r.cooldown)",
                     &s);
    if (err != VG_OK)
        goto cleanup;
    sqlite3_bind_int64(s, 1, id);
    sqlite3_bind_int(s, 2, a->severity);
    sqlite3_bind_int64(s, 3, a->created_at);
    sqlite3_bind_int64(s, 4, a->brand_id);
    bind_text(s, 5, a->metric);
    rc = sqlite3_step(s);
    if (rc != SQLITE_DONE) {
        err = db_fail_step(st, rc, "queueing alert deliveries");
        goto cleanup;
    }
    if (queued_out)
        *queued_out = sqlite3_changes(st->db);
    if (id_out)
        *id_out = id;
cleanup:
    sqlite3_finalize(s);
    return err;
}

vg_err store_delivery_due(store *st, int64_t now, int limit, store_delivery **out, size_t *n)
{
    sqlite3_stmt *s = NULL;
    store_delivery *v = NULL;
    size_t len = 0, cap = 0;
    int rc;

    *out = NULL;
    *n = 0;
    vg_err err = db_prepare(
        st,
        "SELECT d.id, d.alert_id, d.rule_id, d.idem_key, r.channel, r.secret, d.attempts,"
        " b.name, a.metric, a.severity, a.detail, a.bucket_start, a.created_at,"
        " a.observed, a.expected, a.low, a.high, a.score"
        " FROM alert_deliveries d JOIN alerts a ON a.id = d.alert_id"
        " JOIN alert_rules r ON r.id = d.rule_id JOIN brands b ON b.id = a.brand_id"
        " WHERE d.delivered_at = 0 AND d.next_at <= ?1 ORDER BY d.id LIMIT ?2",
        &s);
    if (err != VG_OK)
        return err;
    sqlite3_bind_int64(s, 1, now);
    sqlite3_bind_int(s, 2, limit > 0 ? limit : 100);
    while ((rc = sqlite3_step(s)) == SQLITE_ROW) {
        if ((err = grow((void **)&v, &cap, len, sizeof *v)) != VG_OK)
            goto cleanup;
        store_delivery *d = &v[len++];
        d->id = sqlite3_column_int64(s, 0);
        d->alert_id = sqlite3_column_int64(s, 1);
        d->rule_id = sqlite3_column_int64(s, 2);
        d->idem_key = column_dup(s, 3, &err);
        d->channel = column_dup(s, 4, &err);
        d->secret = column_dup(s, 5, &err);
        d->attempts = sqlite3_column_int(s, 6);
        d->brand = column_dup(s, 7, &err);
        d->metric = column_dup(s, 8, &err);
        d->severity = column_dup(s, 9, &err);
        d->detail = column_dup(s, 10, &err);
        d->bucket_start = sqlite3_column_int64(s, 11);
        d->created_at = sqlite3_column_int64(s, 12);
        d->observed = sqlite3_column_double(s, 13);
        d->expected = sqlite3_column_double(s, 14);
        d->low = sqlite3_column_double(s, 15);
        d->high = sqlite3_column_double(s, 16);
        d->score = sqlite3_column_double(s, 17);
        if (err != VG_OK)
            goto cleanup;
    }
    if (rc != SQLITE_DONE)
        err = db_fail_step(st, rc, "reading due deliveries");
cleanup:
    sqlite3_finalize(s);
    if (err != VG_OK) {
        store_delivery_array_free(v, len);
        return err;
    }
    *out = v;
    *n = len;
    return VG_OK;
}

void store_delivery_array_free(store_delivery *v, size_t n)
{
    for (size_t i = 0; v && i < n; i++) {
        free(v[i].idem_key);
        free(v[i].channel);
        if (v[i].secret) /* wipe the secret before the heap reuses it */
            memset(v[i].secret, 0, strlen(v[i].secret));
        free(v[i].secret);
        free(v[i].brand);
        free(v[i].metric);
        free(v[i].severity);
        free(v[i].detail);
    }
    free(v);
}

/* Runs one UPDATE with an id and up to two more bindings. */
static vg_err update(store *st, const char *sql, int64_t id, int64_t i2, const char *t3,
                     const char *what)
{
    sqlite3_stmt *s = NULL;
    vg_err err = db_prepare(st, sql, &s);
    if (err != VG_OK)
        return err;
    sqlite3_bind_int64(s, 1, id);
    sqlite3_bind_int64(s, 2, i2);
    bind_text(s, 3, t3);
    int rc = sqlite3_step(s);
    if (rc != SQLITE_DONE)
        err = db_fail_step(st, rc, what);
    else if (sqlite3_changes(st->db) == 0)
        err = vg_error_set(VG_ENOTFOUND, "no delivery %lld", (long long)id);
    sqlite3_finalize(s);
    return err;
}

vg_err store_delivery_done(store *st, int64_t id, int64_t now)
{
    vg_err err = update(st,
                        "UPDATE alert_deliveries SET delivered_at = ?2, attempts = attempts + 1,"
                        " last_error = ?3 WHERE id = ?1 AND delivered_at = 0",
                        id, now, NULL, "marking delivery done");
    if (err != VG_OK)
        return err;
    return update(st,
                  "UPDATE alerts SET delivered_at = ?2, attempts = attempts + 1,"
                  " last_error = ?3 WHERE id = (SELECT alert_id FROM alert_deliveries"
                  " WHERE id = ?1)",
                  id, now, NULL, "marking alert delivered");
}

vg_err store_delivery_failed(store *st, int64_t id, const char *error, int64_t next_at)
{
    vg_err err = update(st,
                        "UPDATE alert_deliveries SET attempts = attempts + 1, next_at = ?2,"
                        " last_error = ?3 WHERE id = ?1 AND delivered_at = 0",
                        id, next_at, error, "recording delivery failure");
    if (err != VG_OK)
        return err;
    return update(st,
                  "UPDATE alerts SET attempts = attempts + 1, last_error = ?3 WHERE id ="
                  " (SELECT alert_id FROM alert_deliveries WHERE id = ?1) AND ?2 = ?2",
                  id, next_at, error, "recording alert failure");
}

vg_err store_alert_list(store *st, int64_t since, store_alert_row **out, size_t *n)
{
    sqlite3_stmt *s = NULL;
    store_alert_row *v = NULL;
    size_t len = 0, cap = 0;
    int rc;

    *out = NULL;
    *n = 0;
    vg_err err = db_prepare(
        st,
        "SELECT a.id, b.name, a.metric, a.severity, a.last_error, a.bucket_start,"
        " a.created_at, a.observed, a.expected, a.low, a.high, a.score,"
        " (SELECT count(*) FROM alert_deliveries d WHERE d.alert_id = a.id),"
        " (SELECT count(*) FROM alert_deliveries d WHERE d.alert_id = a.id"
        "  AND d.delivered_at > 0),"
        " (SELECT coalesce(sum(attempts), 0) FROM alert_deliveries d WHERE d.alert_id = a.id),"
        " a.detail"
        " FROM alerts a JOIN brands b ON b.id = a.brand_id"
        " WHERE a.created_at >= ?1 ORDER BY a.created_at DESC, a.id DESC",
        &s);
    if (err != VG_OK)
        return err;
    sqlite3_bind_int64(s, 1, since);
    while ((rc = sqlite3_step(s)) == SQLITE_ROW) {
        if ((err = grow((void **)&v, &cap, len, sizeof *v)) != VG_OK)
            goto cleanup;
        store_alert_row *r = &v[len++];
        r->id = sqlite3_column_int64(s, 0);
        r->brand = column_dup(s, 1, &err);
        r->metric = column_dup(s, 2, &err);
        r->severity = column_dup(s, 3, &err);
        r->last_error = column_dup(s, 4, &err);
        r->bucket_start = sqlite3_column_int64(s, 5);
        r->created_at = sqlite3_column_int64(s, 6);
        r->observed = sqlite3_column_double(s, 7);
        r->expected = sqlite3_column_double(s, 8);
        r->low = sqlite3_column_double(s, 9);
        r->high = sqlite3_column_double(s, 10);
        r->score = sqlite3_column_double(s, 11);
        r->deliveries = sqlite3_column_int(s, 12);
        r->delivered = sqlite3_column_int(s, 13);
        r->attempts = sqlite3_column_int(s, 14);
        r->detail = column_dup(s, 15, &err);
        if (err != VG_OK)
            goto cleanup;
    }
    if (rc != SQLITE_DONE)
        err = db_fail_step(st, rc, "listing alerts");
cleanup:
    sqlite3_finalize(s);
    if (err != VG_OK) {
        store_alert_row_array_free(v, len);
        return err;
    }
    *out = v;
    *n = len;
    return VG_OK;
}

void store_alert_row_array_free(store_alert_row *v, size_t n)
{
    for (size_t i = 0; v && i < n; i++) {
        free(v[i].brand);
        free(v[i].metric);
        free(v[i].severity);
        free(v[i].last_error);
        free(v[i].detail);
    }
    free(v);
}
