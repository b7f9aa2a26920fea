/*
 * Unit tests for the scorer's fast paths (sentiment/senti_int.h): the
 * filters that turn most words away before a table probe or stemming
 * must never turn away one that the full lookup would find, the inline
 * key compare must agree with memcmp, phrases must be found whole though
 * their keys are only written once the filter lets them through, and the
 * per-thread stem cache must answer exactly as stemming does.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "core/buf.h"
#include "sentiment/senti_int.h"

static senti_engine *engine;

static int setup(void **state)
{
    (void)state;
    return senti_open(&engine) == VG_OK ? 0 : -1;
}

static int teardown(void **state)
{
    (void)state;
    senti_close(engine);
    engine = NULL;
    return 0;
}

static void fnv_inverse_undoes_one_step(void **state)
{
    (void)state;
    assert_true(1099511628211ULL * SENTI_FNV_INVERSE == 1);
    const char *w = "inflections";
    size_t n = strlen(w);
    uint64_t h = senti_hash_more(SENTI_FNV_SEED, w, n);
    for (size_t l = n; l-- > 0;) {
        h = (h * SENTI_FNV_INVERSE) ^ (unsigned char)w[l];
        assert_true(h == senti_hash_more(SENTI_FNV_SEED, w, l));
    }
}

static void key_filter_keeps_every_entry(void **state)
{
    (void)state;
    for (int d = 0; d < 2; d++) {
        const senti_lexdb *db = &engine->db[d];
        size_t seen = 0;
        for (size_t i = 0; i < db->cap; i++) {
            const senti_entry *x = &db->tab[i];
            if (!x->hash)
                continue;
            assert_true(senti_db_may_have(db, x->hash));
            assert_ptr_equal(senti_db_find(db, x->hash, db->keys + x->key,
                                           x->key_len), x);
            seen++;
        }
        assert_int_equal(seen, db->n);
    }
}

/* senti_key_eq reads in overlapping 4- and 8-byte loads: every length
 * (around both load sizes) and every position of a difference must give
 * memcmp's answer. */
static void key_eq_agrees_with_memcmp(void **state)
{
    (void)state;
    char a[48], b[48];
    for (size_t n = 0; n <= 40; n++) {
        for (size_t i = 0; i < n; i++)
            a[i] = b[i] = (char)('a' + (i * 7) % 26);
        assert_int_equal(senti_key_eq(a, b, n), 1);
        for (size_t p = 0; p < n; p++) {
            b[p] ^= 0x20;
            if (senti_key_eq(a, b, n) != (memcmp(a, b, n) == 0))
                fail_msg("length %zu, difference at %zu", n, p);
            b[p] ^= 0x20;
        }
    }
}

/* The tokens of a key as the scorer sees them, joined by one space, into
 * out (at least cap bytes); 0 when the text does not tokenize that way. */
static int tokens_join(const char *text, size_t n, char *out, size_t cap)
{
    text_tokens *t = NULL;
    assert_int_equal(text_tokenize(text, n, &t), VG_OK);
    size_t o = 0;
    int ok = t->n_sent == 1;
    for (size_t i = 0; ok && i < t->n; i++) {
        size_t l = t->v[i].norm_len;
        ok = t->v[i].kind == TEXT_WORD && o + l + 1 < cap;
        if (!ok)
            break;
        if (i)
            out[o++] = ' ';
        memcpy(out + o, text_norm(t, i), l);
        o += l;
    }
    text_tokens_free(t);
    return ok && o == n && memcmp(out, text, n) == 0;
}

/* Every phrase of the lexicons with a valence, scored alone and followed
 * by a word that continues no phrase, is explained as one contribution:
 * the phrase whole. The scorer extends a phrase by the hash of the next
 * word before it writes the key, so a wrong hash would lose phrases. */
static void every_phrase_is_found_whole(void **state)
{
    (void)state;
    vg_buf x;
    vg_buf_init(&x, 1 << 16);
    size_t phrases = 0;
    for (int d = 0; d < 2; d++) {
        const senti_lexdb *db = &engine->db[d];
        for (size_t i = 0; i < db->cap; i++) {
            const senti_entry *e = &db->tab[i];
            const char *key = db->keys + e->key;
            size_t kl = e->key_len;
            char text[2 * SENTI_MAX_KEY];
            if (!e->hash || (e->flags & ~(SE_VAL | SE_PREFIX)) ||
                e->val == 0 || !memchr(key, ' ', kl) ||
                !tokens_join(key, kl, text, sizeof text))
                continue;
            for (int more = 0; more < 2; more++) {
                memcpy(text, key, kl);
                size_t n = kl;
                if (more) {
                    memcpy(text + n, " zzqx", 5);
                    n += 5;
                }
                senti_result r;
                vg_buf_reset(&x);
                assert_int_equal(senti_score(engine, text, n, db->lang, &r,
                                             &x), VG_OK);
                const char *s = vg_buf_str(&x);
                if (r.hits != 1 || strncmp(s, key, kl) != 0 || s[kl] != '\t')
                    fail_msg("%s: \"%.*s\" explained as \"%s\"", db->lang,
                             (int)n, text, s);
            }
            phrases++;
        }
    }
    vg_buf_free(&x);
    /* Both lexicons have hundreds of idioms. */
    assert_true(phrases > 200);
}

/* Endings of both languages, and a few that are neither. */
static const char *const endings[] = {
    "", "s", "es", "d", "ed", "ing", "r", "er", "ers", "st", "est", "ly",
    "y", "ies", "ied", "ier", "iest", "ily", "ness", "in", "n", "e", "x",
    "se", "ses", "le", "les", "ne", "te", "ee", "ees", "ve", "ives", "if",
    "ive", "ez", "ent", "ant", "antes", "ait", "ais", "aient", "ons", "iez",
    "ions", "ir", "it", "is", "issent", "issant", "ra", "rai", "rait",
    "ront", "re", "a", "ai", "u", "ue", "us", "i", "ie", "ment", "ement",
    "ere", "euse", "eux", "ism", "ation", "ity", "ful"};

/* The stem filter is only a shortcut: every word (built from lexicon
 * words and endings, as inflected forms are) that the full stem lookup
 * finds must pass it. */
static void stem_filter_never_hides_an_inflection(void **state)
{
    (void)state;
    size_t found = 0, checked = 0;
    for (int d = 0; d < 2; d++) {
        const senti_lexdb *db = &engine->db[d];
        size_t k = 0;
        for (size_t i = 0; i < db->cap; i++) {
            const senti_entry *x = &db->tab[i];
            const char *key = db->keys + x->key;
            size_t kl = x->key_len;
            if (!x->hash || kl < 3 || kl > 40 || memchr(key, ' ', kl) ||
                k++ % 4 != 0)
                continue;
            for (size_t e = 0; e < sizeof endings / sizeof endings[0]; e++) {
                size_t el = strlen(endings[e]);
                /* The word, less its last letter, with it doubled. */
                for (int form = 0; form < 3; form++) {
                    char w[64];
                    size_t n = form == 1 ? kl - 1 : kl;
                    memcpy(w, key, n);
                    if (form == 2)
                        w[n++] = key[kl - 1];
                    memcpy(w + n, endings[e], el);
                    n += el;
                    float v;
                    int hit = senti_db_stem_lookup(db, w, n, &v);
                    int maybe = senti_db_stem_may_have(
                        db, w, n, senti_hash_more(SENTI_FNV_SEED, w, n));
                    if (hit && !maybe)
                        fail_msg("%s: \"%.*s\" found but filtered out",
                                 db->lang, (int)n, w);
                    found += hit != 0;
                    checked++;
                }
            }
        }
    }
    /* The rows above must have exercised the stem path. */
    assert_true(found > 1000);
    assert_true(checked > found);
}

/* The stem cache once keyed words by a hash in which the lexicon's index
 * and a word's first letter could cancel out: English "wondering" and
 * French "pondering" shared a slot, and the one scored second took the
 * other's answer. Now the same word in the same lexicon alone hits. */
static void stem_cache_tells_words_apart(void **state)
{
    (void)state;
    static const char *const pairs[][4] = {
        /* scored first (lang, text), then the text that must not change */
        {"en", "I keep wondering", "fr", "pondering"},
        {"en", "tant", "fr", "sant"},
        {"en", "jobs", "fr", "mobs"},
    };
    for (size_t i = 0; i < sizeof pairs / sizeof pairs[0]; i++) {
        /* A new engine: nothing cached for it yet. */
        senti_engine *fresh = NULL;
        assert_int_equal(senti_open(&fresh), VG_OK);
        senti_result alone, after, first;
        const char *t = pairs[i][3];
        assert_int_equal(senti_score(fresh, t, strlen(t), pairs[i][2],
                                     &alone, NULL), VG_OK);
        senti_close(fresh);
        assert_int_equal(senti_open(&fresh), VG_OK);
        const char *f = pairs[i][1];
        assert_int_equal(senti_score(fresh, f, strlen(f), pairs[i][0],
                                     &first, NULL), VG_OK);
        assert_int_equal(senti_score(fresh, t, strlen(t), pairs[i][2],
                                     &after, NULL), VG_OK);
        senti_close(fresh);
        if (alone.compound != after.compound || alone.hits != after.hits)
            fail_msg("\"%s\" scored %+.4f alone, %+.4f after \"%s\"", t,
                     alone.compound, after.compound, f);
    }
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(fnv_inverse_undoes_one_step),
        cmocka_unit_test(key_filter_keeps_every_entry),
        cmocka_unit_test(key_eq_agrees_with_memcmp),
        cmocka_unit_test(every_phrase_is_found_whole),
        cmocka_unit_test(stem_filter_never_hides_an_inflection),
        cmocka_unit_test(stem_cache_tells_words_apart),
    };
    return cmocka_run_group_tests(tests, setup, teardown);
}
