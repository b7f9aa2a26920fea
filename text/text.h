/*
 * Text: UTF-8 folding, tokens and sentences, computed once per document
 * and shared by brand matching and sentiment.
 *
 * Folding is what makes "Crédit", "CREDIT" and "crédit" the same token:
 * case folding (ß -> ss), accents stripped, ligatures (œ, æ) expanded,
 * NFC/NFD forms equal. Apostrophes, hyphens and other punctuation separate
 * tokens; "#word" and "@word" are tokens of their own kind whose folded
 * form omits the sigil; emoji and ASCII emoticons (":)", "<3") are tokens;
 * "!" and "?" are kept as punctuation tokens because sentiment uses them.
 */
#ifndef VG_TEXT_H
#define VG_TEXT_H

#include "core/buf.h"
#include "core/vg.h"

#include <stddef.h>
#include <stdint.h>

typedef enum text_kind {
    TEXT_WORD = 0,    /* letters, possibly with digits */
    TEXT_NUMBER,      /* digits only */
    TEXT_HASHTAG,     /* #word; norm omits '#' */
    TEXT_HANDLE,      /* @word; norm omits '@' */
    TEXT_EMOJI,       /* one emoji (with its modifiers); norm is the UTF-8 */
    TEXT_EMOTICON,    /* ASCII emoticon like ":)" or "<3"; norm as written */
    TEXT_PUNCT        /* "!" or "?" (runs collapse to one token, see len) */
} text_kind;

enum {
    TEXT_F_UPPER = 1,    /* 2+ letters, all upper case in the original */
    TEXT_F_TITLE = 2,    /* first letter upper case, rest not */
    TEXT_F_APOS = 4,     /* glued to the previous token by an apostrophe */
    TEXT_F_ELONG = 8,    /* a letter repeated 3+ times ("nuuuul") */
    TEXT_F_HYPHEN = 16,  /* glued to the previous token by a hyphen */
    TEXT_F_CLAUSE = 32   /* follows a ',', ';' or ':' with only spaces between */
};

typedef struct text_token {
    uint32_t start;     /* byte offset in the original text */
    uint32_t len;       /* byte length in the original text */
    uint32_t norm;      /* offset of the folded form in text_tokens.norm_buf */
    uint32_t norm_len;  /* its length (the form is also NUL-terminated) */
    uint32_t sentence;  /* index into text_tokens.sent */
    uint8_t kind;       /* text_kind */
    uint8_t flags;      /* TEXT_F_* */
    /* FNV-1a (64-bit prime, offset basis 1469598103934665603: one digit
     * short of the published basis since the first version, and kept so,
     * because stored fingerprints depend on it) of the folded form: the
     * language guess, the lexicon, the brand matcher and the fingerprint
     * all look words up by it, so it is computed once. */
    uint64_t hash;
} text_token;

typedef struct text_span {
    uint32_t start, end; /* byte offsets [start, end) in the original text */
    uint32_t tok_begin, tok_end; /* tokens [tok_begin, tok_end) */
} text_span;

typedef struct text_tokens {
    text_token *v;
    size_t n;
    char *norm_buf;      /* folded forms, each NUL-terminated */
    size_t norm_size;
    text_span *sent;     /* sentences in order */
    size_t n_sent;
} text_tokens;

/* Largest text tokenized; longer input is cut at a character boundary. */
#define TEXT_MAX_BYTES (4u * 1024 * 1024)

/* Tokenizes len bytes of UTF-8 (invalid bytes are skipped as separators)
 * and splits sentences. *out is owned by the caller: text_tokens_free().
 * Returns VG_ENOMEM on allocation failure. Thread-safe. */
vg_err text_tokenize(const char *s, size_t len, text_tokens **out);

/* Frees tokens (NULL accepted). */
void text_tokens_free(text_tokens *t);

/* The folded form of token i (borrowed from t). */
static inline const char *text_norm(const text_tokens *t, size_t i)
{
    return t->norm_buf + t->v[i].norm;
}

/* Appends the folded form of len bytes of UTF-8 to out: case-folded,
 * accents stripped, ligatures expanded, punctuation kept as is. */
vg_err text_fold(const char *s, size_t len, vg_buf *out);

/* Replaces invalid UTF-8 sequences with U+FFFD; the result goes to out. */
vg_err text_utf8_sanitize(const char *s, size_t len, vg_buf *out);

/* Guesses the language of tokenized text from function words: returns
 * "fr", "en", "es", "de", "it", "pt" or "und" (static strings). */
const char *text_lang_guess(const text_tokens *t);

/* A 64-bit simhash of the text's word 3-shingles (folded forms), for
 * recognising syndicated copies: near-identical texts differ by few bits
 * (TEXT_SIMHASH_NEAR or fewer), unrelated ones by about 32. 0 for a text
 * without words. Thread-safe. */
uint64_t text_simhash(const text_tokens *t);

/* Min-hash keys per text (see text_fingerprint). */
#define TEXT_COPY_KEYS 4

/* A text's fingerprints for recognising syndicated copies. */
typedef struct text_fingerprint {
    uint64_t simhash;              /* as text_simhash; 0: no words */
    uint64_t keys[TEXT_COPY_KEYS]; /* min-hashes of the shingles; near
                                      copies share at least one (0: none) */
} text_fingerprint;

/* Fingerprints tokens [first, t->n) (first > 0: an article's body
 * without the headline a republisher rewrites). Never fails; all zero
 * when the range has no words. Thread-safe. */
void text_fingerprint_from(const text_tokens *t, size_t first, text_fingerprint *out);

/* Copies: texts that share a key and whose simhashes are at most this
 * many bits apart (an edited word or an added credit line moves a short
 * article's simhash by up to about 10; strangers are 32 +- 4 apart). */
#define TEXT_SIMHASH_COPY 12

/* Simhashes this close are the same text up to case, accents and
 * punctuation: grouped as copies even without a shared key. */
#define TEXT_SIMHASH_NEAR 3

/* The number of bits in which a and b differ (Hamming distance). */
int text_simhash_distance(uint64_t a, uint64_t b);

#endif
