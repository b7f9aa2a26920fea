/*
 * The application: subcommands, shared CLI helpers and the pipeline.
 *
 * Each subcommand is `int cmd_x(app_ctx *ctx, int argc, char **argv)`
 * with argv[0] being the subcommand's name; it returns the process exit
 * status: 0 success, 1 runtime failure, 2 bad usage.
 */
#ifndef VG_APP_H
#define VG_APP_H

#include "core/vg.h"
#include "store/store.h"

#include <stdio.h>

enum { APP_OK = 0, APP_FAIL = 1, APP_USAGE = 2 };

typedef struct app_ctx {
    const char *db_path;   /* --db, $VIGIE_DB, or "vigie.db" */
    int db_explicit;       /* the user named the database */
    int quiet;
    int verbose;
} app_ctx;

typedef int (*app_cmd_fn)(app_ctx *ctx, int argc, char **argv);

typedef struct app_cmd {
    const char *name;
    app_cmd_fn fn;
    const char *help;   /* one line, shown by `vigie help` */
} app_cmd;

/* The subcommand table, terminated by a NULL name. */
extern const app_cmd app_commands[];

/* Dispatches argv (argv[0] = "vigie") and returns the exit status. */
int app_main(int argc, char **argv);

/* Prints "vigie: CMD: message" on stderr and returns APP_USAGE. */
int app_usage_error(const char *cmd, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));

/* Prints "vigie: CMD: message" on stderr and returns APP_FAIL. */
int app_fail(const char *cmd, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));

/* Opens the context's database, reporting failures; NULL on error. */
store *app_open_store(app_ctx *ctx, const char *cmd);

/* Non-zero when stdout is a terminal (tables, progress lines). */
int app_stdout_tty(void);

/* Output formats shared by listing commands. */
typedef enum app_format { APP_FMT_TABLE, APP_FMT_CSV, APP_FMT_JSON } app_format;

/* Parses "table", "csv" or "json"; -1 when unknown. */
int app_format_parse(const char *s);

/* Writes s as one CSV field (quoted when needed). */
void app_csv_field(FILE *f, const char *s);

struct json_t;

/* Prints a --format json listing (an array built by the command) on
 * standard output, indented, with a final newline, and frees it. NULL
 * (table or CSV output) prints nothing. */
void app_json_list_print(struct json_t *arr);

/* Subcommands. */
int cmd_init(app_ctx *ctx, int argc, char **argv);
int cmd_source(app_ctx *ctx, int argc, char **argv);
int cmd_brand(app_ctx *ctx, int argc, char **argv);
int cmd_config(app_ctx *ctx, int argc, char **argv);
int cmd_crawl(app_ctx *ctx, int argc, char **argv);
int cmd_run(app_ctx *ctx, int argc, char **argv);
int cmd_mentions(app_ctx *ctx, int argc, char **argv);
int cmd_score(app_ctx *ctx, int argc, char **argv);
int cmd_demo(app_ctx *ctx, int argc, char **argv);
int cmd_eval(app_ctx *ctx, int argc, char **argv);
int cmd_lexicon(app_ctx *ctx, int argc, char **argv);
int cmd_mention(app_ctx *ctx, int argc, char **argv);
int cmd_parse(app_ctx *ctx, int argc, char **argv);
int cmd_match(app_ctx *ctx, int argc, char **argv);
int cmd_digest(app_ctx *ctx, int argc, char **argv);
int cmd_goal(app_ctx *ctx, int argc, char **argv);
int cmd_robots(app_ctx *ctx, int argc, char **argv);
int cmd_detect(app_ctx *ctx, int argc, char **argv);
int cmd_alert(app_ctx *ctx, int argc, char **argv);
int cmd_alerts(app_ctx *ctx, int argc, char **argv);
int cmd_help(app_ctx *ctx, int argc, char **argv);

/* Opens the sentiment engine with the built-in lexicons plus the user's
 * entries stored in st (`vigie lexicon add`); st NULL gives the built-in
 * engine. Every scoring path opens its engine here. *out is freed with
 * senti_close. Errors from the store or an entry the engine refuses. */
struct senti_engine;
vg_err app_senti_open(store *st, struct senti_engine **out);


/* getopt_long wrapper: returns the option, -1 at the end, or '?' after
 * printing a usage error that names the bad argument (exit status 2). */
struct option;
int app_getopt(const char *cmd, int argc, char **argv, const char *shortopts,
               const struct option *longopts);
#endif
