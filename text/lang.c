/*
 * A first language guess from function words. Short social posts defeat
 * character n-gram models trained on long documents, while a handful of
 * articles, pronouns and auxiliaries settle most of them; a later model
 * can replace this behind the same function.
 */
#include "text/text.h"

#include <string.h>

typedef struct lang_words {
    const char *code;
    const char *const *words;
} lang_words;

/* Folded forms (no accents). Words shared by several languages ("de",
 * "la", "que", "a") are left out: they only blur the vote. */
static const char *const fr[] = {
    "le", "les", "des", "du", "et", "est", "pas", "je", "il", "elle", "nous",
    "vous", "ils", "qui", "dans", "pour", "sur", "avec", "ce", "cette", "mais",
    "ou", "tres", "plus", "au", "aux", "sont", "mon", "mes", "c", "j", "qu",
    "une", "ne", "tout", "bien", "fait", "ete", "avoir", "etre", "chez",
    "depuis", "toujours", "encore", "aussi", "rien", "leur", "ca", "sa",
    "ses", "son", "cest", "ai", "suis", "deja", "alors", "comme", NULL};
static const char *const en[] = {
    "the", "and", "is", "are", "was", "were", "not", "i", "you", "he", "she",
    "we", "they", "that", "which", "for", "on", "with", "this", "but", "very",
    "to", "of", "it", "my", "your", "be", "have", "has", "do", "does", "t",
    "s", "an", "at", "from", "they", "will", "would", "can", "just", "been",
    "about", "what", "so", "our", "their", "there", "all", "get", "got",
    "never", "again", "really", "its", "me", NULL};
static const char *const es[] = {
    "el", "los", "las", "y", "es", "por", "para", "con", "pero", "muy", "lo",
    "se", "su", "del", "al", "una", "como", "mas", "esta", "este", "son",
    "fue", "hay", "yo", "tambien", "sin", "sobre", NULL};
static const char *const de[] = {
    "der", "die", "das", "und", "ist", "nicht", "ich", "du", "er", "sie",
    "wir", "ein", "eine", "zu", "mit", "auf", "fur", "aber", "sehr", "auch",
    "den", "dem", "von", "sich", "es", "war", "wie", "noch", "nur", "bei",
    NULL};
static const char *const it[] = {
    "il", "gli", "e", "non", "che", "di", "per", "con", "ma", "molto", "sono",
    "questo", "della", "del", "anche", "come", "piu", "essere", "ho", "hanno",
    "nel", "alla", "una", "sua", NULL};
static const char *const pt[] = {
    "o", "os", "e", "nao", "um", "uma", "em", "com", "mas", "muito", "sao",
    "isso", "do", "da", "dos", "das", "para", "voce", "ele", "ela", "foi",
    "tem", "mais", "como", "no", "na", NULL};

static const lang_words langs[] = {
    {"fr", fr}, {"en", en}, {"es", es}, {"de", de}, {"it", it}, {"pt", pt},
};

static int in_list(const char *const *list, const char *w)
{
    for (int i = 0; list[i]; i++)
        if (strcmp(list[i], w) == 0)
            return 1;
    return 0;
}

const char *text_lang_guess(const text_tokens *t)
{
    int votes[sizeof langs / sizeof langs[0]] = {0};
    size_t n = t->n < 400 ? t->n : 400;
    for (size_t i = 0; i < n; i++) {
        if (t->v[i].kind != TEXT_WORD)
            continue;
        const char *w = text_norm(t, i);
        for (size_t l = 0; l < sizeof langs / sizeof langs[0]; l++)
            votes[l] += in_list(langs[l].words, w);
    }
    size_t best = 0;
    int second = 0;
    for (size_t l = 1; l < sizeof langs / sizeof langs[0]; l++) {
        if (votes[l] > votes[best]) {
            second = votes[best];
            best = l;
        } else if (votes[l] > second) {
            second = votes[l];
        }
    }
    if (votes[best] == 0 || votes[best] == second)
        return "und";
    return langs[best].code;
}
