/*
 * `vigie lexicon`: the user's own sentiment entries, kept in the database
 * (store/lexicon.c) and applied over the built-in lexicons by every
 * scoring path through app_senti_open, so an entry added here counts from
 * the next `vigie score` or crawl on, and within two seconds in a running
 * `vigie run` (app/pipeline.c reloads it).
 */
#include "app/app.h"

#include "sentiment/senti.h"

#include <jansson.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

vg_err app_senti_open(store *st, senti_engine **out)
{
    senti_engine *e = NULL;
    store_lexicon_entry *v = NULL;
    size_t n = 0;
    *out = NULL;
    vg_err rc = senti_open(&e);
    if (rc != VG_OK)
        return rc;
    if (st) {
        rc = store_lexicon_list(st, NULL, &v, &n);
        for (size_t i = 0; i < n && rc == VG_OK; i++)
            rc = senti_lexicon_add(e, v[i].lang, v[i].phrase, v[i].valence);
        store_lexicon_array_free(v, n);
    }
    if (rc != VG_OK) {
        senti_close(e);
        return rc;
    }
    *out = e;
    return VG_OK;
}

static int usage(void)
{
    printf("usage: vigie lexicon add --lang fr|en WORD_OR_PHRASE VALENCE\n"
           "       vigie lexicon rm --lang fr|en WORD_OR_PHRASE\n"
           "       vigie lexicon list [--lang fr|en] [--format table|json]\n\n"
           "Your own sentiment entries, kept in the database and applied over the\n"
           "built-in lexicons by `vigie score` and the crawl. VALENCE is in\n"
           "[-4, 4] (negative numbers are fine: `add --lang fr arnaque -3`); an\n"
           "entry overrides the built-in one for the same word or phrase.\n");
    return APP_OK;
}

/* A number argument ("-3", ".5"), which must not be read as an option. */
static int numeric(const char *s)
{
    char *end;
    if (!*s)
        return 0;
    double v = strtod(s, &end);
    (void)v;
    return *end == '\0';
}

typedef struct lex_args {
    const char *lang;
    const char *format;
    const char *pos[3];
    int npos;
} lex_args;

/* Parses --lang, --format, --help and positionals by hand: getopt would
 * take a negative valence for an option. Returns -1 to go on, else the
 * exit status. */
static int parse_args(const char *cmd, int argc, char **argv, int allow_format, lex_args *a)
{
    memset(a, 0, sizeof *a);
    int dashdash = 0;
    for (int i = 1; i < argc; i++) {
        const char *s = argv[i];
        const char *val = NULL;
        if (!dashdash && !strcmp(s, "--")) {
            dashdash = 1;
            continue;
        }
        if (dashdash || s[0] != '-' || numeric(s)) {
            if (a->npos == 3)
                return app_usage_error(cmd, "unexpected argument '%s'", s);
            a->pos[a->npos++] = s;
            continue;
        }
        if (!strcmp(s, "--help") || !strcmp(s, "-h"))
            return usage();
        int is_lang = !strncmp(s, "--lang", 6) && (s[6] == '\0' || s[6] == '=');
        int is_fmt = allow_format && !strncmp(s, "--format", 8) &&
                     (s[8] == '\0' || s[8] == '=');
        if (!is_lang && !is_fmt)
            return app_usage_error(cmd, "unknown option '%s' (see vigie lexicon --help)", s);
        size_t k = is_lang ? 6 : 8;
        if (s[k] == '=')
            val = s + k + 1;
        else if (i + 1 < argc)
            val = argv[++i];
        else
            return app_usage_error(cmd, "option '%s' needs a value", s);
        if (is_lang) {
            if (strcmp(val, "fr") && strcmp(val, "en"))
                return app_usage_error(cmd, "bad --lang '%s' (fr, en)", val);
            a->lang = val;
        } else {
            if (strcmp(val, "table") && strcmp(val, "json"))
                return app_usage_error(cmd, "bad --format '%s' (table, json)", val);
            a->format = val;
        }
    }
    return -1;
}

static int lexicon_add(app_ctx *ctx, int argc, char **argv)
{
    const char *cmd = "lexicon add";
    lex_args a;
    int r = parse_args(cmd, argc, argv, 0, &a);
    if (r >= 0)
        return r;
    if (!a.lang)
        return app_usage_error(cmd, "missing --lang fr|en");
    if (a.npos != 2)
        return app_usage_error(cmd, a.npos < 2 ? "missing WORD_OR_PHRASE or VALENCE%s"
                                               : "unexpected argument '%s'",
                               a.npos < 2 ? "" : a.pos[2]);
    char *end;
    double v = strtod(a.pos[1], &end);
    if (*end || end == a.pos[1] || !isfinite(v) || v < -4 || v > 4)
        return app_usage_error(cmd, "bad VALENCE '%s' (a number in [-4, 4])", a.pos[1]);
    /* Check that the engine accepts the phrase before storing it, so the
     * database never holds an entry that every later open would refuse. */
    senti_engine *e = NULL;
    if (senti_open(&e) != VG_OK)
        return app_fail(cmd, "cannot load lexicons: %s", vg_error_last());
    vg_err rc = senti_lexicon_add(e, a.lang, a.pos[0], v);
    senti_close(e);
    if (rc != VG_OK)
        return app_usage_error(cmd, "bad WORD_OR_PHRASE '%s': %s", a.pos[0], vg_error_last());
    store *st = app_open_store(ctx, cmd);
    if (!st)
        return APP_FAIL;
    int status = APP_OK;
    if (store_lexicon_add(st, a.lang, a.pos[0], v) != VG_OK)
        status = app_fail(cmd, "%s", vg_error_last());
    else if (!ctx->quiet)
        printf("%s\t%s\t%+.2f\n", a.lang, a.pos[0], v);
    store_close(st);
    return status;
}

static int lexicon_rm(app_ctx *ctx, int argc, char **argv)
{
    const char *cmd = "lexicon rm";
    lex_args a;
    int r = parse_args(cmd, argc, argv, 0, &a);
    if (r >= 0)
        return r;
    if (!a.lang)
        return app_usage_error(cmd, "missing --lang fr|en");
    if (a.npos != 1)
        return app_usage_error(cmd, a.npos < 1 ? "missing WORD_OR_PHRASE%s"
                                               : "unexpected argument '%s'",
                               a.npos < 1 ? "" : a.pos[1]);
    store *st = app_open_store(ctx, cmd);
    if (!st)
        return APP_FAIL;
    int status = APP_OK;
    if (store_lexicon_rm(st, a.lang, a.pos[0]) != VG_OK)
        status = app_fail(cmd, "%s", vg_error_last());
    store_close(st);
    return status;
}

static int lexicon_list(app_ctx *ctx, int argc, char **argv)
{
    const char *cmd = "lexicon list";
    lex_args a;
    int r = parse_args(cmd, argc, argv, 1, &a);
    if (r >= 0)
        return r;
    if (a.npos)
        return app_usage_error(cmd, "unexpected argument '%s'", a.pos[0]);
    store *st = app_open_store(ctx, cmd);
    if (!st)
        return APP_FAIL;
    store_lexicon_entry *v = NULL;
    size_t n = 0;
    int status = APP_OK;
    if (store_lexicon_list(st, a.lang, &v, &n) != VG_OK) {
        status = app_fail(cmd, "%s", vg_error_last());
    } else if (a.format && !strcmp(a.format, "json")) {
        json_t *arr = json_array();
        for (size_t i = 0; i < n; i++)
            json_array_append_new(arr, json_pack("{s:s,s:s,s:f}", "lang", v[i].lang,
                                                 "phrase", v[i].phrase, "valence",
                                                 v[i].valence));
        json_dumpf(arr, stdout, JSON_COMPACT);
        putchar('\n');
        json_decref(arr);
    } else {
        for (size_t i = 0; i < n; i++)
            printf("%s\t%s\t%+.2f\n", v[i].lang, v[i].phrase, v[i].valence);
    }
    store_lexicon_array_free(v, n);
    store_close(st);
    if (fflush(stdout) != 0)
        status = APP_FAIL;
    return status;
}

int cmd_lexicon(app_ctx *ctx, int argc, char **argv)
{
    if (argc < 2)
        return app_usage_error("lexicon", "missing action (add, rm, list)");
    if (!strcmp(argv[1], "--help") || !strcmp(argv[1], "-h"))
        return usage();
    if (!strcmp(argv[1], "add"))
        return lexicon_add(ctx, argc - 1, argv + 1);
    if (!strcmp(argv[1], "rm"))
        return lexicon_rm(ctx, argc - 1, argv + 1);
    if (!strcmp(argv[1], "list"))
        return lexicon_list(ctx, argc - 1, argv + 1);
    return app_usage_error("lexicon", "unknown action '%s' (add, rm, list)", argv[1]);
}
