/*
 * Simhash over word shingles: syndicated copies (same words in other
 * case, accents or punctuation) stay within TEXT_SIMHASH_NEAR
 * bits; different articles on the same subject do not.
 */
#include "text/text.h"

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <string.h>

#include <cmocka.h>

static uint64_t hash_of(const char *s)
{
    text_tokens *t = NULL;
    assert_int_equal(text_tokenize(s, strlen(s), &t), VG_OK);
    uint64_t h = text_simhash(t);
    text_tokens_free(t);
    return h;
}

#define ARTICLE                                                              \
    "Une panne géante a privé de fibre des milliers d'abonnés de Fibrelia "  \
    "mardi soir dans le Grand Ouest. L'opérateur évoque un incident sur un " \
    "équipement de cœur de réseau à Nantes et promet un retour à la normale " \
    "dans la nuit. Les clients professionnels ont été les plus touchés, "    \
    "selon plusieurs entreprises jointes par notre rédaction, qui "          \
    "réclament un geste commercial. Le service client, saturé, renvoyait "   \
    "vers une page d'information mise à jour toutes les heures."

static void copies_are_near_and_others_far(void **state)
{
    (void)state;
    static const struct {
        const char *a, *b;
        int near;
    } cases[] = {
        {ARTICLE, ARTICLE, 1},
        {ARTICLE, "UNE PANNE GEANTE A PRIVE DE FIBRE DES MILLIERS D'ABONNES DE "
                  "FIBRELIA MARDI SOIR DANS LE GRAND OUEST. L'OPERATEUR EVOQUE "
                  "UN INCIDENT SUR UN EQUIPEMENT DE COEUR DE RESEAU A NANTES ET "
                  "PROMET UN RETOUR A LA NORMALE DANS LA NUIT. LES CLIENTS "
                  "PROFESSIONNELS ONT ETE LES PLUS TOUCHES, SELON PLUSIEURS "
                  "ENTREPRISES JOINTES PAR NOTRE REDACTION, QUI RECLAMENT UN "
                  "GESTE COMMERCIAL. LE SERVICE CLIENT, SATURE, RENVOYAIT VERS "
                  "UNE PAGE D'INFORMATION MISE A JOUR TOUTES LES HEURES.", 1},
        {ARTICLE,
         "Fibrelia annonce une hausse de ses tarifs au premier janvier pour "
         "les abonnés fibre du Grand Ouest. L'opérateur justifie la mesure par "
         "le coût des équipements de cœur de réseau et promet de nouveaux "
         "services aux clients professionnels dès le printemps.", 0},
        {"The outage hit thousands of customers on Tuesday night.",
         "Customers praised the quick repair after Tuesday's outage.", 0},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        int d = text_simhash_distance(hash_of(cases[i].a), hash_of(cases[i].b));
        if ((d <= TEXT_SIMHASH_NEAR) != cases[i].near)
            fail_msg("case %zu: distance %d, expected %s", i, d,
                     cases[i].near ? "near" : "far");
    }
}

static void fingerprint_of(const char *s, text_fingerprint *f)
{
    text_tokens *t = NULL;
    assert_int_equal(text_tokenize(s, strlen(s), &t), VG_OK);
    text_fingerprint_from(t, 0, f);
    text_tokens_free(t);
}

static int shared_keys(const text_fingerprint *a, const text_fingerprint *b)
{
    int n = 0;
    for (int i = 0; i < TEXT_COPY_KEYS; i++)
        n += a->keys[i] != 0 && a->keys[i] == b->keys[i];
    return n;
}

/* Copies edited the way republishers edit them (a credit line, a byline,
 * a changed word, a "read also" line) share a key and stay within
 * TEXT_SIMHASH_COPY; another article on the same story does not pass
 * both tests. */
static void fingerprints_tell_edited_copies_from_other_articles(void **state)
{
    (void)state;
    static const struct {
        const char *b;
        int copy;
    } cases[] = {
        {ARTICLE " (avec AFP)", 1},
        {"Par notre correspondant à Nantes. " ARTICLE, 1},
        {ARTICLE " Lire aussi : comment obtenir un dédommagement.", 1},
        {"Une panne géante a privé de fibre des milliers d'abonnés de Fibrelia "
         "lundi soir dans le Grand Ouest. L'opérateur évoque un incident sur un "
         "équipement de cœur de réseau à Nantes et promet un retour à la normale "
         "dans la nuit. Les clients professionnels ont été les plus touchés, "
         "selon plusieurs entreprises jointes par notre rédaction, qui "
         "réclament un geste commercial. Le service client, saturé, renvoyait "
         "vers une page d'information mise à jour toutes les heures.", 1},
        {"Fibrelia annonce une hausse de ses tarifs au premier janvier pour "
         "les abonnés fibre du Grand Ouest. L'opérateur justifie la mesure par "
         "le coût des équipements de cœur de réseau et promet de nouveaux "
         "services aux clients professionnels dès le printemps.", 0},
        {"Panne Fibrelia : le service client, saturé, renvoyait vers une page "
         "d'information. Les abonnés du Grand Ouest dénoncent une communication "
         "tardive et réclament un geste commercial à l'opérateur.", 0},
    };
    text_fingerprint a, b;
    fingerprint_of(ARTICLE, &a);
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        fingerprint_of(cases[i].b, &b);
        int d = text_simhash_distance(a.simhash, b.simhash);
        int copy = shared_keys(&a, &b) > 0 && d <= TEXT_SIMHASH_COPY;
        if (copy != cases[i].copy)
            fail_msg("case %zu: %d shared keys, distance %d, expected %s", i,
                     shared_keys(&a, &b), d, cases[i].copy ? "copy" : "not a copy");
    }
}

static void empty_and_short_texts(void **state)
{
    (void)state;
    assert_true(hash_of("") == 0);
    assert_true(hash_of("!!! :) 😀") == 0);
    assert_true(hash_of("Fibrelia") != 0);
    assert_true(hash_of("Fibrelia nul") == hash_of("FIBRELIA, nul !"));
    assert_true(text_simhash(NULL) == 0);
    assert_int_equal(text_simhash_distance(0, ~0ULL), 64);
    assert_int_equal(text_simhash_distance(5, 4), 1);
}

/* Fingerprints are stored: these values, computed by the first
 * implementation, must never change (a word, two words, shingles, and
 * shingles after a skipped headline). */
static void fingerprints_keep_their_stored_values(void **state)
{
    (void)state;
    static const struct {
        const char *text;
        size_t first;
        uint64_t simhash, keys[TEXT_COPY_KEYS];
    } cases[] = {
        {"Vigie", 0, 0x0f4fb061d1863535ULL,
         {0x01759395a9c4465bULL, 0x6e1da376bdea085aULL,
          0x4d9c7c959fa6015eULL, 0xf5f55f7c933496beULL}},
        {"deux mots", 0, 0x41a400042b10a900ULL,
         {0x616a8115bb25e4caULL, 0x14cfa2e7041c47a3ULL,
          0x98156d957e76bd23ULL, 0xa5847275368a6139ULL}},
        {"The quick brown fox jumps over the lazy dog", 0,
         0x6751b88186f08c27ULL,
         {0x5c5db8c3f9605b2eULL, 0x12de4b3bb25b343cULL,
          0x3a93c88e020b230bULL, 0x2115fc9c3137f5f2ULL}},
        {"Le service client répond enfin : 42 minutes d'attente, puis la "
         "panne est réparée.", 3, 0x17c522fb2472449fULL,
         {0x0a1fe460b6a51eadULL, 0x4197f4643287d50eULL,
          0x46467700a7e6ddfaULL, 0x39ea6feee445c538ULL}},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        text_tokens *t = NULL;
        const char *s = cases[i].text;
        assert_int_equal(text_tokenize(s, strlen(s), &t), VG_OK);
        text_fingerprint f;
        text_fingerprint_from(t, cases[i].first, &f);
        if (f.simhash != cases[i].simhash)
            fail_msg("\"%s\": simhash %016llx", s,
                     (unsigned long long)f.simhash);
        for (int k = 0; k < TEXT_COPY_KEYS; k++)
            if (f.keys[k] != cases[i].keys[k])
                fail_msg("\"%s\": key %d %016llx", s, k,
                         (unsigned long long)f.keys[k]);
        text_tokens_free(t);
    }
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(fingerprints_keep_their_stored_values),
        cmocka_unit_test(copies_are_near_and_others_far),
        cmocka_unit_test(fingerprints_tell_edited_copies_from_other_articles),
        cmocka_unit_test(empty_and_short_texts),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
