/*
 * `vigie match --query Q`: the preview a community manager runs before
 * saving a brand query. Reads one text per line on standard input (or,
 * with --jsonl, one JSON object per line with text, title, url, author,
 * lang) and prints per line `1` or `0`, then the matched spans; with
 * --explain, which terms were found where and which exclusions held.
 * Unlike `brand add`, a query that can match only by exclusion is
 * evaluated as written.
 */
#include "app/app.h"

#include "monitor/query.h"

#include <getopt.h>
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static int usage(void)
{
    printf("usage: vigie match --query Q [--jsonl] [--explain]\n\n"
           "Reads one text per line on standard input and prints, per line,\n"
           "1 or 0 and the matched spans as \"text\"@start-end (byte offsets).\n"
           "--jsonl: each line is a JSON object with \"text\" and optional\n"
           "\"title\", \"url\", \"author\", \"lang\" (guessed when absent).\n"
           "--explain: one line per query term saying whether it was found\n"
           "and where, and whether each exclusion held.\n"
           "The query language is described in docs/queries.md.\n");
    return APP_OK;
}

/* A string member of o, or NULL. */
static const char *member(json_t *o, const char *key)
{
    json_t *v = json_object_get(o, key);
    return json_is_string(v) ? json_string_value(v) : NULL;
}

/* Matches one input line; prints its result. Returns 0, or -1 on a line
 * that could not be read (reported on stderr), or -2 on a fatal error. */
static int match_line(const query *q, const char *line, size_t len,
                      size_t lineno, int jsonl, int explain)
{
    json_t *root = NULL;
    text_tokens *t = NULL;
    query_span *sp = NULL;
    size_t ns = 0;
    char *why = NULL;
    int rc = 0;
    query_doc d = {0};

    if (jsonl) {
        json_error_t je;
        root = json_loadb(line, len, 0, &je);
        if (!json_is_object(root)) {
            fprintf(stderr, "vigie: match: line %zu: not a JSON object: %s\n",
                    lineno, root ? "wrong type" : je.text);
            printf("0\n");
            rc = -1;
            goto cleanup;
        }
        d.text = member(root, "text");
        d.title = member(root, "title");
        d.url = member(root, "url");
        d.author = member(root, "author");
        d.lang = member(root, "lang");
        if (!d.text)
            d.text = "";
        len = strlen(d.text);
    } else {
        d.text = line;
    }
    if (text_tokenize(d.text, len, &t) != VG_OK) {
        rc = -2;
        goto cleanup;
    }
    d.tokens = t;
    if (!d.lang)
        d.lang = text_lang_guess(t);
    int matched = 0;
    if (query_match_spans(q, &d, &matched, &sp, &ns) != VG_OK) {
        rc = -2;
        goto cleanup;
    }
    printf("%d", matched);
    for (size_t k = 0; matched && k < ns; k++) {
        const text_token *x = &t->v[sp[k].tok_begin];
        const text_token *y = &t->v[sp[k].tok_end - 1];
        size_t s0 = x->start, s1 = (size_t)y->start + y->len;
        printf("%s\"%.*s\"@%zu-%zu", k ? " " : "\t", (int)(s1 - s0),
               d.text + s0, s0, s1);
    }
    printf("\n");
    if (explain) {
        if (query_explain(q, &d, &why) != VG_OK) {
            rc = -2;
            goto cleanup;
        }
        fputs(why, stdout);
    }
cleanup:
    free(why);
    free(sp);
    text_tokens_free(t);
    json_decref(root);
    return rc;
}

int cmd_match(app_ctx *ctx, int argc, char **argv)
{
    static const struct option opts[] = {
        {"query", required_argument, NULL, 'q'}, {"jsonl", no_argument, NULL, 'j'},
        {"explain", no_argument, NULL, 'e'}, {"help", no_argument, NULL, 'h'},
        {0}};
    const char *src = NULL;
    int jsonl = 0, explain = 0, c;
    (void)ctx;
    optind = 1;
    while ((c = app_getopt("match", argc, argv, "hq:", opts)) != -1) {
        switch (c) {
        case 'q': src = optarg; break;
        case 'j': jsonl = 1; break;
        case 'e': explain = 1; break;
        case 'h': return usage();
        default: return APP_USAGE;
        }
    }
    if (optind < argc)
        return app_usage_error("match", "unexpected argument '%s'", argv[optind]);
    if (!src)
        return app_usage_error("match", "missing --query");
    query *q = NULL;
    size_t pos = 0;
    vg_err e = query_compile(src, &q, &pos);
    if (e == VG_EPARSE || e == VG_ETOOBIG)
        return app_usage_error("match", "bad --query: %s", vg_error_last());
    if (e != VG_OK)
        return app_fail("match", "%s", vg_error_last());

    char *line = NULL;
    size_t cap = 0, lineno = 0;
    ssize_t n;
    int status = APP_OK;
    while ((n = getline(&line, &cap, stdin)) >= 0) {
        lineno++;
        size_t len = (size_t)n;
        while (len > 0 && (line[len - 1] == '\n' || line[len - 1] == '\r'))
            line[--len] = '\0';
        if (len > TEXT_MAX_BYTES)
            len = TEXT_MAX_BYTES;   /* the tokenizer's own cap */
        int r = match_line(q, line, len, lineno, jsonl, explain);
        if (r == -1)
            status = APP_FAIL;
        if (r == -2) {
            status = app_fail("match", "line %zu: %s", lineno, vg_error_last());
            break;
        }
    }
    free(line);
    query_free(q);
    return status;
}
