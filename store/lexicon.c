/*
 * User lexicon entries: the words and phrases a user tuned for their own
 * domain (`vigie lexicon add --lang fr "fibre coupée" -3`). They live in
 * the database so that every scoring path — `vigie score`, the crawl
 * pipeline — applies them over the built-in lexicons when it opens the
 * sentiment engine (app_senti_open in app/cmd_lexicon.c).
 */
#include "store/store_int.h"

#include "core/vtime.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

#define MAX_ROWS ((size_t)1 << 24)

static int lang_ok(const char *lang)
{
    return lang && (!strcmp(lang, "fr") || !strcmp(lang, "en"));
}

vg_err store_lexicon_add(store *st, const char *lang, const char *phrase,
                         double valence)
{
    sqlite3_stmt *s = NULL;
    vg_err err;
    int rc;

    if (!lang_ok(lang))
        return vg_error_set(VG_EINVAL, "lexicon language must be fr or en");
    if (!phrase || !*phrase)
        return vg_error_set(VG_EINVAL, "a lexicon entry needs a phrase");
    if (!isfinite(valence) || valence < -4.0 || valence > 4.0)
        return vg_error_set(VG_EINVAL, "valence must be in [-4, 4]");
    err = db_prepare(st,
                     "INSERT INTO lexicon_entries (lang, phrase, valence, created_at)"
                     " VALUES (?1, ?2, ?3, ?4)"
                     " ON CONFLICT (lang, phrase) DO UPDATE SET valence = excluded.valence",
                     &s);
    if (err != VG_OK)
        return err;
    bind_text(s, 1, lang);
    bind_text(s, 2, phrase);
    sqlite3_bind_double(s, 3, valence);
    sqlite3_bind_int64(s, 4, vg_now());
    rc = sqlite3_step(s);
    if (rc != SQLITE_DONE)
        err = db_fail_step(st, rc, "adding lexicon entry");
    sqlite3_finalize(s);
    return err;
}

vg_err store_lexicon_rm(store *st, const char *lang, const char *phrase)
{
    sqlite3_stmt *s = NULL;
    vg_err err;
    int rc;

    if (!lang_ok(lang) || !phrase)
        return vg_error_set(VG_EINVAL, "lexicon language must be fr or en");
    err = db_prepare(st, "DELETE FROM lexicon_entries WHERE lang = ?1 AND phrase = ?2", &s);
    if (err != VG_OK)
        return err;
    bind_text(s, 1, lang);
    bind_text(s, 2, phrase);
    rc = sqlite3_step(s);
    if (rc != SQLITE_DONE)
        err = db_fail_step(st, rc, "removing lexicon entry");
    else if (sqlite3_changes(st->db) == 0)
        err = vg_error_set(VG_ENOTFOUND, "no %s entry '%s'", lang, phrase);
    sqlite3_finalize(s);
    return err;
}

vg_err store_lexicon_list(store *st, const char *lang,
                          store_lexicon_entry **out, size_t *n)
{
    sqlite3_stmt *s = NULL;
    store_lexicon_entry *v = NULL;
    size_t len = 0, cap = 0;
    vg_err err;
    int rc;

    *out = NULL;
    *n = 0;
    err = db_prepare(st,
                     "SELECT id, lang, phrase, valence, created_at FROM lexicon_entries"
                     " WHERE ?1 IS NULL OR lang = ?1 ORDER BY lang, phrase",
                     &s);
    if (err != VG_OK)
        return err;
    bind_text(s, 1, lang);
    while ((rc = sqlite3_step(s)) == SQLITE_ROW) {
        if (len == cap) {
            size_t ncap = cap ? cap * 2 : 16;
            store_lexicon_entry *nv;

            if (ncap > MAX_ROWS) {
                err = vg_error_set(VG_ETOOBIG, "too many lexicon entries");
                goto cleanup;
            }
            nv = realloc(v, ncap * sizeof *nv);
            if (nv == NULL) {
                err = vg_error_set(VG_ENOMEM, "listing lexicon: out of memory");
                goto cleanup;
            }
            v = nv;
            cap = ncap;
        }
        store_lexicon_entry *x = &v[len++];
        memset(x, 0, sizeof *x);
        x->id = sqlite3_column_int64(s, 0);
        x->lang = column_dup(s, 1, &err);
        x->phrase = column_dup(s, 2, &err);
        x->valence = sqlite3_column_double(s, 3);
        x->created_at = sqlite3_column_int64(s, 4);
        if (err != VG_OK) {
            vg_error_set(err, "listing lexicon: out of memory");
            goto cleanup;
        }
    }
    if (rc != SQLITE_DONE)
        err = db_fail_step(st, rc, "listing lexicon");

cleanup:
    sqlite3_finalize(s);
    if (err != VG_OK) {
        store_lexicon_array_free(v, len);
        return err;
    }
    *out = v;
    *n = len;
    return VG_OK;
}

void store_lexicon_array_free(store_lexicon_entry *v, size_t n)
{
    if (!v)
        return;
    for (size_t i = 0; i < n; i++) {
        free(v[i].lang);
        free(v[i].phrase);
    }
    free(v);
}
