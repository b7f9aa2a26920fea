/*
 * Syndicated copies at insert time: the same article republished by
 * several sites or feeds is stored once per source (each URL is its own
 * document) but must count once in volumes, alerts and digests. A new
 * document is a copy when an earlier one, fetched within
 * STORE_COPY_WINDOW, has the same content hash, or shares one of its
 * min-hash keys (text_fingerprint) and has a simhash at most
 * d->copy_bits bits away; it then takes that document's content hash, so
 * every query that groups by content hash (the digest's top lists and
 * terms, `vigie mentions --group-copies`) folds it in without a second
 * notion of identity, and the writer leaves it out of the alert buckets.
 */
#include "store/store_int.h"

#include <string.h>

static uint64_t bits_u64(int64_t v)
{
    uint64_t r;

    memcpy(&r, &v, sizeof r);
    return r;
}

static int64_t key_bits(uint64_t v)
{
    int64_t r;

    memcpy(&r, &v, sizeof r);
    return r;
}

static int popcount64(uint64_t v)
{
    int n = 0;

    while (v) {
        v &= v - 1;
        n++;
    }
    return n;
}

/* The first earlier document with the same content hash: its id in
 * *id_out (0 when none). */
static vg_err copy_by_hash(store *st, const store_document *d, int64_t since,
                           int64_t self, int64_t *id_out)
{
    sqlite3_stmt *s = stmt_get(st, STMT_COPY_BY_HASH);
    vg_err err = VG_OK;
    int rc;

    if (s == NULL)
        return VG_EDB;
    bind_text(s, 1, d->content_hash);
    sqlite3_bind_int64(s, 2, since);
    sqlite3_bind_int64(s, 3, self);
    rc = sqlite3_step(s);
    if (rc == SQLITE_ROW)
        *id_out = sqlite3_column_int64(s, 0);
    else if (rc != SQLITE_DONE)
        err = db_fail_step(st, rc, "looking up copies");
    stmt_done(s);
    return err;
}

/* An earlier document sharing a key with d whose simhash is near d's
 * (the oldest of the recent candidates): its id in *id_out and its content
 * hash in hash (when it has one). */
static vg_err copy_by_keys(store *st, const store_document *d, int64_t since,
                           int64_t *id_out, char *hash, size_t hashsz)
{
    sqlite3_stmt *s = stmt_get(st, STMT_COPY_BY_KEY);
    vg_err err = VG_OK;
    int rc = SQLITE_DONE;

    if (s == NULL)
        return VG_EDB;
    for (int i = 0; i < STORE_COPY_KEYS && err == VG_OK; i++) {
        if (d->copy_keys[i] == 0)
            continue;
        sqlite3_bind_int64(s, 1, key_bits(d->copy_keys[i]));
        sqlite3_bind_int64(s, 2, since);
        while ((rc = sqlite3_step(s)) == SQLITE_ROW) {
            int64_t id = sqlite3_column_int64(s, 0);
            uint64_t other = bits_u64(sqlite3_column_int64(s, 1));
            const char *h = (const char *)sqlite3_column_text(s, 2);

            if (popcount64(other ^ d->simhash) > d->copy_bits)
                continue;
            if (*id_out != 0 && id >= *id_out)
                continue;
            *id_out = id;
            hash[0] = '\0';
            if (h != NULL && strlen(h) < hashsz)
                memcpy(hash, h, strlen(h) + 1);
        }
        if (rc != SQLITE_DONE)
            err = db_fail_step(st, rc, "looking up copies");
        sqlite3_reset(s);
    }
    stmt_done(s);
    return err;
}

static vg_err insert_keys(store *st, const store_document *d, const char *hash,
                          int64_t id)
{
    const uint64_t *keys = d->copy_keys;
    sqlite3_stmt *s = stmt_get(st, STMT_KEY_INSERT);
    vg_err err = VG_OK;

    if (s == NULL)
        return VG_EDB;
    for (int i = 0; i < STORE_COPY_KEYS && err == VG_OK; i++) {
        int rc;

        if (keys[i] == 0)
            continue;
        sqlite3_bind_int64(s, 1, key_bits(keys[i]));
        sqlite3_bind_int64(s, 2, id);
        sqlite3_bind_int64(s, 3, d->fetched_at);
        sqlite3_bind_int64(s, 4, key_bits(d->simhash));
        bind_text(s, 5, hash);
        rc = sqlite3_step(s);
        if (rc != SQLITE_DONE)
            err = db_fail_step(st, rc, "indexing copy keys");
        sqlite3_reset(s);
    }
    stmt_done(s);
    return err;
}

/* Gives document id the content hash of the copy family it joined. */
static vg_err set_hash(store *st, int64_t id, const char *hash)
{
    sqlite3_stmt *s = stmt_get(st, STMT_COPY_SET_HASH);
    vg_err err = VG_OK;
    int rc;

    if (s == NULL)
        return VG_EDB;
    sqlite3_bind_int64(s, 1, id);
    bind_text(s, 2, hash);
    rc = sqlite3_step(s);
    if (rc != SQLITE_DONE)
        err = db_fail_step(st, rc, "marking a copy");
    stmt_done(s);
    return err;
}

vg_err store_document_insert_copy(store *st, const store_document *d,
                                  int64_t *id_out, int64_t *copy_of_out)
{
    char hash[72] = "";
    const char *family;
    int64_t copy_of = 0, id = 0;
    int64_t since;
    vg_err err;

    if (id_out != NULL)
        *id_out = 0;
    if (copy_of_out != NULL)
        *copy_of_out = 0;
    if (d == NULL)
        return vg_error_set(VG_EINVAL, "store_document_insert_copy: NULL document");
    /* Insert first: a feed lists mostly entries already stored, and a
     * known URL must cost one failed insert, not a copy search too. */
    err = store_document_insert(st, d, &id);
    if (err != VG_OK || id == 0)
        return err;
    family = d->content_hash;
    since = d->fetched_at - STORE_COPY_WINDOW;
    if (d->content_hash != NULL && *d->content_hash != '\0') {
        err = copy_by_hash(st, d, since, id, &copy_of);
        if (err != VG_OK)
            return err;
    }
    /* The keys of the new document are not stored yet: it cannot find
     * itself. */
    if (copy_of == 0 && d->simhash != 0 && d->copy_bits > 0) {
        err = copy_by_keys(st, d, since, &copy_of, hash, sizeof hash);
        if (err != VG_OK)
            return err;
        if (copy_of != 0 && hash[0] != '\0' &&
            (family == NULL || strcmp(family, hash) != 0)) {
            if ((err = set_hash(st, id, hash)) != VG_OK)
                return err;
            family = hash;
        }
    }
    if ((err = insert_keys(st, d, family, id)) != VG_OK)
        return err;
    if (id_out != NULL)
        *id_out = id;
    if (copy_of_out != NULL)
        *copy_of_out = copy_of;
    return VG_OK;
}
