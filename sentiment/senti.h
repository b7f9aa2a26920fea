/*
 * Sentiment: a lexicon and rules engine for French and English that
 * explains itself.
 *
 * An engine is loaded once (lexicons are compiled into the binary, and
 * users' own entries may be added at run time) and is then read-only:
 * senti_score may be called from many threads at once.
 */
#ifndef VG_SENTI_H
#define VG_SENTI_H

#include "core/buf.h"
#include "core/vg.h"
#include "text/text.h"

typedef struct senti_engine senti_engine;

typedef struct senti_result {
    double compound;   /* in [-1, 1] */
    double pos, neu, neg; /* shares summing to 1 (0,1,0 for no signal) */
    int label;         /* 1 when compound >= 0.05, -1 when <= -0.05, else 0 */
    int hits;          /* number of tokens/expressions that contributed */
} senti_result;

/* Loads the built-in lexicons. *out freed with senti_close. */
vg_err senti_open(senti_engine **out);

/* Frees the engine (NULL accepted). */
void senti_close(senti_engine *e);

/* Adds or overrides one entry (a word or a phrase, folded on entry) with a
 * valence in [-4, 4]. Not thread-safe: call before scoring starts. */
vg_err senti_lexicon_add(senti_engine *e, const char *lang,
                         const char *phrase, double valence);

/* Scores tokens [tok_begin, tok_end) of t. lang: "fr", "en", or NULL to
 * guess. explain, when not NULL, receives one line per contribution
 * ("token<TAB>valence<TAB>rules..."). */
vg_err senti_score_tokens(const senti_engine *e, const text_tokens *t,
                          size_t tok_begin, size_t tok_end, const char *lang,
                          senti_result *out, vg_buf *explain);

/* Convenience: tokenizes and scores a whole text. */
vg_err senti_score(const senti_engine *e, const char *text, size_t len,
                   const char *lang, senti_result *out, vg_buf *explain);

#endif
