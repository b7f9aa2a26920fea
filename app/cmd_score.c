/*
 * `vigie score`: the sentiment engine on the command line. With TEXT it
 * scores that text; without, one text per line of standard input, one
 * `score<TAB>label` line out per line in, in order (how evaluations and
 * scripts drive it).
 */
#include "app/app.h"

#include "core/buf.h"
#include "sentiment/senti.h"

#include <getopt.h>
#include <jansson.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#define SCORE_LINE_MAX (1u << 20)

static int usage(void)
{
    printf("usage: vigie score [--lang fr|en|auto] [--explain] [--format text|json] [TEXT...]\n\n"
           "Scores TEXT (the arguments joined by spaces), or each line of standard\n"
           "input when no TEXT is given. Text output is `score<TAB>label` with the\n"
           "compound score in [-1, 1] and label pos (>= 0.05), neg (<= -0.05) or neu.\n"
           "--explain lists every word or expression that counted and the rules\n"
           "applied to it (negated, boosted, after \"mais\"...).\n");
    return APP_OK;
}

static const char *label_name(int label)
{
    return label > 0 ? "pos" : label < 0 ? "neg" : "neu";
}

static void print_result(const char *text, const senti_result *r, const vg_buf *ex,
                         int json, int explain)
{
    if (json) {
        /* JSON strings must be valid UTF-8: bad bytes become U+FFFD. */
        vg_buf clean;
        vg_buf_init(&clean, 4 * SCORE_LINE_MAX);
        text_utf8_sanitize(text, strlen(text), &clean);
        json_t *o = json_pack("{s:s,s:f,s:s,s:f,s:f,s:f,s:i}", "text", vg_buf_str(&clean), "compound",
                              r->compound, "label", label_name(r->label), "pos", r->pos,
                              "neu", r->neu, "neg", r->neg, "hits", r->hits);
        if (o && explain)
            json_object_set_new(o, "explain", json_string(vg_buf_str(ex)));
        if (o) {
            json_dumpf(o, stdout, JSON_COMPACT);
            putchar('\n');
            json_decref(o);
        } else {
            printf("{}\n");
        }
        vg_buf_free(&clean);
        return;
    }
    printf("%.4f\t%s\n", r->compound, label_name(r->label));
    if (explain) {
        const char *e = vg_buf_str(ex);
        while (*e) {
            const char *nl = strchr(e, '\n');
            size_t n = nl ? (size_t)(nl - e) : strlen(e);
            printf("  %.*s\n", (int)n, e);
            e += n + (nl ? 1 : 0);
        }
    }
}

int cmd_score(app_ctx *ctx, int argc, char **argv)
{
    static const struct option opts[] = {{"lang", required_argument, NULL, 'l'},
                                         {"explain", no_argument, NULL, 'e'},
                                         {"format", required_argument, NULL, 'F'},
                                         {"help", no_argument, NULL, 'h'}, {0}};
    const char *lang = NULL;
    int explain = 0, json = 0, c;
    optind = 1;
    while ((c = app_getopt("score", argc, argv, "h", opts)) != -1) {
        switch (c) {
        case 'l':
            if (strcmp(optarg, "auto") == 0)
                lang = NULL;
            else if (strcmp(optarg, "fr") == 0 || strcmp(optarg, "en") == 0)
                lang = optarg;
            else
                return app_usage_error("score", "bad --lang '%s' (fr, en, auto)", optarg);
            break;
        case 'e': explain = 1; break;
        case 'F':
            if (strcmp(optarg, "json") == 0)
                json = 1;
            else if (strcmp(optarg, "text") == 0)
                json = 0;
            else
                return app_usage_error("score", "bad --format '%s' (text, json)", optarg);
            break;
        case 'h': return usage();
        default: return APP_USAGE;
        }
    }
    /* The user's own lexicon entries apply when there is a database;
     * scoring alone never creates one. */
    store *st = NULL;
    if (ctx->db_explicit || access(ctx->db_path, F_OK) == 0) {
        st = app_open_store(ctx, "score");
        if (!st)
            return APP_FAIL;
    }
    senti_engine *e = NULL;
    vg_err orc = app_senti_open(st, &e);
    store_close(st);
    if (orc != VG_OK)
        return app_fail("score", "cannot load lexicons: %s", vg_error_last());
    vg_buf ex;
    vg_buf_init(&ex, 1u << 20);
    int rc = APP_OK;
    senti_result r;
    if (optind < argc) {
        vg_buf text;
        vg_buf_init(&text, SCORE_LINE_MAX);
        for (int i = optind; i < argc; i++) {
            if (i > optind)
                vg_buf_putc(&text, ' ');
            vg_buf_puts(&text, argv[i]);
        }
        if (text.err) {
            rc = app_usage_error("score", "TEXT is longer than %u bytes", SCORE_LINE_MAX);
        } else if (senti_score(e, vg_buf_str(&text), text.len, lang, &r,
                               explain ? &ex : NULL) != VG_OK) {
            rc = app_fail("score", "%s", vg_error_last());
        } else {
            print_result(vg_buf_str(&text), &r, &ex, json, explain);
        }
        vg_buf_free(&text);
    } else {
        char *line = NULL;
        size_t cap = 0;
        ssize_t n;
        while ((n = getline(&line, &cap, stdin)) >= 0) {
            while (n > 0 && (line[n - 1] == '\n' || line[n - 1] == '\r'))
                line[--n] = '\0';
            vg_buf_reset(&ex);
            /* One output line per input line, whatever happens: a line
             * that cannot be scored gets a neutral 0. */
            size_t len = (size_t)n < SCORE_LINE_MAX ? (size_t)n : SCORE_LINE_MAX;
            if (senti_score(e, line, len, lang, &r, explain ? &ex : NULL) != VG_OK)
                memset(&r, 0, sizeof r);
            print_result(line, &r, &ex, json, explain);
        }
        free(line);
    }
    vg_buf_free(&ex);
    senti_close(e);
    if (fflush(stdout) != 0)
        rc = APP_FAIL;
    return rc;
}
