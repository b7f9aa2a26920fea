/*
 * Language guess for French, English, Spanish, German, Italian and
 * Portuguese. Short social posts defeat character n-gram models trained
 * on long documents, while a handful of articles, pronouns, auxiliaries
 * and very common words settle most of them; word endings ("-ing",
 * "-ment", "-ung", "-zione", "-cao") break the remaining ties.
 *
 * Every word list here was written by hand (folded forms: no accents,
 * lower case, apostrophes split off as the tokenizer does). A word may
 * belong to several languages ("de", "la", "que"): its vote is shared
 * between them, so it still tells French-or-Spanish from English.
 *
 * Speed matters (it runs on every document, and the sentiment stage
 * calls it per text): the lists are loaded once into an open-addressing
 * hash table keyed by FNV-1a, so each token costs one hash and, most of
 * the time, one probe.
 */
#include "text/text.h"

#include <pthread.h>
#include <stdint.h>
#include <string.h>

enum { L_FR, L_EN, L_ES, L_DE, L_IT, L_PT, N_LANGS };

static const char *const codes[N_LANGS] = {"fr", "en", "es", "de", "it", "pt"};

/* Space-separated folded words per language. */
static const char *const lists[N_LANGS] = {
    /* fr */
    "le les des du et est pas je il elle nous vous ils elles qui dans pour "
    "sur avec ce cette ces mais ou tres plus au aux sont mon ma mes ton ta "
    "tes c j qu l d n s m t une un ne tout tous toute toutes bien fait ete "
    "avoir etre chez depuis toujours encore aussi rien leur leurs ca sa ses "
    "son ai suis deja alors comme quand meme avait etait sera fait faire "
    "peu beaucoup trop moi toi lui y en on cela ceci quoi donc car sans "
    "vraiment jamais apres avant entre sous vers pendant parce puis ici "
    "la de que se si a par notre votre nos vos dont aussi autre autres "
    "vu voir "
    "j ai c est n est ont avez avons sommes etes font vais va vont fais "
    "peut veux faut mieux bon bonne pire tellement assez merci oui non "
    "aujourd hui demain hier soir matin semaine annee ans jour fois "
    "chose choses gens monde france francais cet celle celui ceux "
    "mal surtout plutot vraiment franchement grave trop genre",
    /* en */
    "the and is are was were not i you he she we they that which for on "
    "with this but very to of it my your be have has had do does did t s "
    "an at from will would can could just been about what so our their "
    "there all get got never again really its me him her them us who "
    "whom whose if or no yes some any one only also then than these those "
    "how why when where here by up out down over after before because "
    "while should shall might must im dont didnt doesnt isnt cant wont "
    "ve ll re d m being into more most much many such other time good "
    "great bad like love "
    "well even back still way think know see go going went made make "
    "people thing things day today tomorrow night first last best worst "
    "little lot every nothing something anything everything ever",
    /* es */
    "el los las y es por para con pero muy lo se su sus del al una como "
    "mas esta este estos estas son fue hay yo tambien sin sobre que de la "
    "en un no ya porque cuando donde todo todos toda todas nada "
    "algo mucho muchos poco bien mal era ser estar tiene tienen hace "
    "hacer puede pueden entre desde hasta mi tu nos ella ellos ellas "
    "usted esto eso aqui ahora siempre nunca tan cual quien despues "
    "antes gracias hola bueno buena otro otra otros tengo estoy pues",
    /* de */
    "der die das und ist nicht ich du er sie wir ihr ein eine einen einem "
    "einer zu mit auf fur aber sehr auch den dem des von sich es war wie "
    "noch nur bei im am um aus nach uber unter vor wenn dass oder kein "
    "keine mein dein sein ihre unser haben hat habe hatte wird werden "
    "wurde sind bin bist kann konnen muss mussen soll will schon immer "
    "jetzt hier dort heute gut sehr viel mehr alle alles nichts etwas "
    "doch mal ja nein danke man diese dieser dieses zum zur ganz",
    /* it */
    "il gli e non che di per con ma molto sono questo questa questi della "
    "del anche come piu essere ho hanno nel nella alla una un lo la le "
    "da in si mi ti ci sua suo suoi loro io tu lui lei noi voi sempre "
    "mai gia ancora tutto tutti tutta cosa quando dove perche se ha "
    "abbiamo avete sei siamo era stato stata fare fatto bene male "
    "grazie ciao buono buona dei degli delle al ai agli alle sul sulla "
    "nei con questo quello quella oggi domani poi solo",
    /* pt */
    "o os e nao um uma em com mas muito sao isso do da dos das para voce "
    "ele ela foi tem mais como no na nos nas ao aos que de se por eu meu "
    "minha seu sua ja tambem quando onde tudo todos toda nada bem mal "
    "estou esta estao ser estar ter fazer pode porque entao ainda sempre "
    "nunca aqui agora obrigado obrigada ola bom boa outro outra pelo pela "
    "pelos pelas num numa dele dela isto aquilo muita muitos vai vou",
};

/* Word endings and the language they point to (checked on words of 5+
 * letters; weaker than a function word). */
static const struct {
    const char *suffix;
    int lang;
} endings[] = {
    {"ment", L_FR}, {"eux", L_FR}, {"euse", L_FR}, {"aux", L_FR},
    {"ait", L_FR}, {"aient", L_FR}, {"ees", L_FR}, {"eur", L_FR},
    {"ique", L_FR}, {"oir", L_FR}, {"tion", L_FR}, {"tions", L_FR},
    {"ing", L_EN}, {"ly", L_EN}, {"ed", L_EN}, {"ness", L_EN},
    {"ful", L_EN}, {"ght", L_EN}, {"tion", L_EN}, {"ould", L_EN},
    {"cion", L_ES}, {"ado", L_ES}, {"ando", L_ES}, {"mente", L_ES},
    {"idad", L_ES},
    {"ung", L_DE}, {"lich", L_DE}, {"keit", L_DE}, {"heit", L_DE},
    {"chen", L_DE}, {"isch", L_DE},
    {"zione", L_IT}, {"mente", L_IT}, {"ato", L_IT}, {"tto", L_IT},
    {"ando", L_IT}, {"ssimo", L_IT},
    {"cao", L_PT}, {"coes", L_PT}, {"mente", L_PT}, {"ado", L_PT},
    {"dade", L_PT}, {"inho", L_PT},
};

/* Table slots: (hash, word, per-language vote in 1/60ths so a word shared
 * by 2, 3, 4, 5 or 6 languages splits evenly without fractions). */
#define TAB_SIZE 4096
#define WORD_MAX 16
#define FULL_VOTE 60

typedef struct slot {
    uint64_t hash;
    char word[WORD_MAX];
    unsigned char mask; /* languages that list the word */
    unsigned char len;
    /* The word's vote per language (FULL_VOTE shared by those of mask),
     * added as is for every occurrence. */
    unsigned char vote[N_LANGS];
} slot;

static slot tab[TAB_SIZE];
static pthread_once_t tab_once = PTHREAD_ONCE_INIT;

static uint64_t fnv(const char *s, size_t n)
{
    uint64_t h = 1469598103934665603ULL;
    for (size_t i = 0; i < n; i++) {
        h ^= (unsigned char)s[i];
        h *= 1099511628211ULL;
    }
    return h | 1;
}

static slot *find(const char *w, size_t n, uint64_t h, int insert)
{
    for (size_t i = (size_t)h & (TAB_SIZE - 1);; i = (i + 1) & (TAB_SIZE - 1)) {
        slot *s = &tab[i];
        if (s->hash == 0)
            return insert ? s : NULL;
        if (s->hash == h && s->len == n && memcmp(s->word, w, n) == 0)
            return s;
    }
}

#define N_ENDINGS (sizeof endings / sizeof endings[0])
/* Lengths of the endings, and the endings by last letter: a word is
 * compared only with those ending in its own last letter (most words
 * end in a letter no ending does). */
static unsigned char ending_len[N_ENDINGS];
static unsigned char ending_by_last[256][N_ENDINGS];
static unsigned char ending_n_last[256];

static void build(void)
{
    for (size_t e = 0; e < N_ENDINGS; e++) {
        ending_len[e] = (unsigned char)strlen(endings[e].suffix);
        unsigned char last =
            (unsigned char)endings[e].suffix[ending_len[e] - 1];
        ending_by_last[last][ending_n_last[last]++] = (unsigned char)e;
    }
    for (int l = 0; l < N_LANGS; l++) {
        const char *p = lists[l];
        while (*p) {
            while (*p == ' ')
                p++;
            size_t n = strcspn(p, " ");
            if (n > 0 && n < WORD_MAX) {
                uint64_t h = fnv(p, n);
                slot *s = find(p, n, h, 1);
                if (s->hash == 0) {
                    s->hash = h;
                    memcpy(s->word, p, n);
                    s->word[n] = '\0';
                    s->len = (unsigned char)n;
                }
                s->mask |= (unsigned char)(1u << l);
            }
            p += n;
        }
    }
    for (size_t i = 0; i < TAB_SIZE; i++) {
        slot *s = &tab[i];
        int k = 0;
        for (int l = 0; l < N_LANGS; l++)
            k += (s->mask >> l) & 1;
        for (int l = 0; l < N_LANGS && k; l++)
            if (s->mask & (1u << l))
                s->vote[l] = (unsigned char)(FULL_VOTE / k);
    }
}

const char *text_lang_guess(const text_tokens *t)
{
    long votes[N_LANGS] = {0};
    pthread_once(&tab_once, build);
    size_t n = t->n < 400 ? t->n : 400;
    for (size_t i = 0; i < n; i++) {
        if (t->v[i].kind != TEXT_WORD)
            continue;
        const char *w = text_norm(t, i);
        size_t len = t->v[i].norm_len;
        if (len < WORD_MAX) {
            const slot *s = find(w, len, t->v[i].hash | 1, 0);
            if (s) {
                for (int l = 0; l < N_LANGS; l++)
                    votes[l] += s->vote[l];
                continue;
            }
        }
        /* A letter lost in folding (é -> e) rules English out a little;
         * French is the likeliest of the five for a vigie user. */
        if (t->v[i].len > len) {
            votes[L_FR] += FULL_VOTE / 6;
            votes[L_ES] += FULL_VOTE / 12;
            votes[L_DE] += FULL_VOTE / 12;
            votes[L_IT] += FULL_VOTE / 12;
            votes[L_PT] += FULL_VOTE / 12;
        }
        if (len < 5)
            continue;
        /* Plurals keep the ending of the singular. */
        if (w[len - 1] == 's')
            len--;
        unsigned char last = (unsigned char)w[len - 1];
        for (size_t j = 0; j < ending_n_last[last]; j++) {
            /* Compared backwards: the last letter is known to match.
             * An ending longer than the word never matches it. */
            size_t e = ending_by_last[last][j];
            const char *suf = endings[e].suffix;
            size_t sl = ending_len[e], k = 1;
            if (sl > len)
                continue;
            while (k < sl && w[len - 1 - k] == suf[sl - 1 - k])
                k++;
            if (k == sl)
                votes[endings[e].lang] += FULL_VOTE / 4;
        }
    }
    int best = 0;
    long second = 0;
    for (int l = 1; l < N_LANGS; l++) {
        if (votes[l] > votes[best]) {
            second = votes[best];
            best = l;
        } else if (votes[l] > second) {
            second = votes[l];
        }
    }
    if (votes[best] < FULL_VOTE / 4 || votes[best] == second)
        return "und";
    return codes[best];
}
