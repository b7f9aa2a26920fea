/*
 * The command line contract: exit statuses (0 ok, 1 failure, 2 usage),
 * one-line errors naming the bad argument, --help everywhere, and the
 * global --db / $VIGIE_DB. Runs the real binary.
 */
#define _POSIX_C_SOURCE 200809L
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "app/app.h"
#include "core/buf.h"

static char dir[64];
static char db[96];

/* Runs vigie with argv (NULL-terminated, without argv[0]); stdin from
 * input (may be NULL); collects stdout and stderr. */
static int run(const char *input, vg_buf *out, vg_buf *err, const char *const *args)
{
    const char *bin = getenv("VG_BINARY");
    assert_non_null(bin);
    char *argv[40];
    int argc = 0;
    argv[argc++] = (char *)bin;
    for (; args[argc - 1] && argc < 39; argc++)
        argv[argc] = (char *)args[argc - 1];
    argv[argc] = NULL;
    int in[2], o[2], e[2];
    assert_int_equal(pipe(in), 0);
    assert_int_equal(pipe(o), 0);
    assert_int_equal(pipe(e), 0);
    pid_t pid = fork();
    if (pid == 0) {
        dup2(in[0], 0);
        dup2(o[1], 1);
        dup2(e[1], 2);
        close(in[1]);
        close(o[0]);
        close(e[0]);
        execv(bin, argv);
        _exit(127);
    }
    close(in[0]);
    close(o[1]);
    close(e[1]);
    if (input)
        assert_int_equal(write(in[1], input, strlen(input)), (ssize_t)strlen(input));
    close(in[1]);
    char chunk[4096];
    ssize_t n;
    while ((n = read(o[0], chunk, sizeof chunk)) > 0)
        vg_buf_append(out, chunk, (size_t)n);
    while ((n = read(e[0], chunk, sizeof chunk)) > 0)
        vg_buf_append(err, chunk, (size_t)n);
    close(o[0]);
    close(e[0]);
    int status;
    waitpid(pid, &status, 0);
    return WIFEXITED(status) ? WEXITSTATUS(status) : 128;
}

typedef struct row {
    const char *args[12];
    int status;
    const char *in_stderr; /* substring expected on stderr, or NULL */
    const char *in_stdout; /* substring expected on stdout, or NULL */
} row;

static void exit_statuses_and_messages(void **state)
{
    (void)state;
    const row rows[] = {
        {{"--version", NULL}, 0, NULL, "vigie "},
        {{"help", NULL}, 0, NULL, "mentions"},
        {{"nosuch", NULL}, 2, "unknown command 'nosuch'", NULL},
        {{"--bogus", "init", NULL}, 2, "unknown option '--bogus'", NULL},
        {{"--db", NULL}, 2, "--db needs a path", NULL},
        {{"--db", db, "init", NULL}, 0, NULL, "ready"},
        {{"--db", db, "init", "extra", NULL}, 2, "unexpected argument 'extra'", NULL},
        {{"--db", db, "source", "add", "not a url", NULL}, 2, "'not a url'", NULL},
        {{"--db", db, "source", "add", "http://127.0.0.1:9/f.xml", "--every", "5y", NULL}, 2, "--every", NULL},
        {{"--db", db, "source", "add", "http://127.0.0.1:9/f.xml", "--kind", "blog", NULL}, 2, "--kind 'blog'", NULL},
        {{"--db", db, "source", "add", "http://127.0.0.1:9/f.xml", NULL}, 0, NULL, "added source 1"},
        {{"--db", db, "source", "add", "http://127.0.0.1:9/f.xml", NULL}, 1, "already a source", NULL},
        {{"--db", db, "source", "rm", "42", NULL}, 1, "no source '42'", NULL},
        {{"--db", db, "source", "frobnicate", NULL}, 2, "unknown action 'frobnicate'", NULL},
        {{"--db", db, "brand", "add", "Acme", "--query", "(acme OR", NULL}, 2, "position", NULL},
        {{"--db", db, "brand", "add", "Acme", "--query", "NOT acme", NULL}, 2, "exclusion", NULL},
        {{"--db", db, "brand", "add", "Acme", NULL}, 0, NULL, "added brand"},
        {{"--db", db, "brand", "add", "ACME", NULL}, 1, "already exists", NULL},
        {{"--db", db, "brand", "list", "--format", "json", NULL}, 0, NULL, "\"name\": \"Acme\""},
        {{"--db", db, "brand", "add", NULL}, 2, "needs a NAME", NULL},
        /* Several names: all checked, then added together or not at all. */
        {{"--db", db, "brand", "add", "Initech", "", NULL}, 2, "name 2 is empty", NULL},
        {{"--db", db, "brand", "add", "Initech", "Hooli", "--query", "x", NULL},
         2, "one NAME", NULL},
        {{"--db", db, "brand", "add", "Initech", "acme", NULL}, 1, "'acme' already exists", NULL},
        {{"--db", db, "brand", "list", NULL}, 0, NULL, "Acme,1,Acme\n"},
        {{"--db", db, "brand", "add", "Initech", "Stark Industries", NULL},
         0, NULL, "query: \"Stark Industries\""},
        {{"--db", db, "brand", "list", NULL}, 0, NULL, "Initech,1,Initech\n"},
        {{"--db", db, "config", "set", "crawl.nope", "1", NULL}, 2, "unknown key 'crawl.nope'", NULL},
        {{"--db", db, "config", "set", "crawl.host_delay_ms", "-3", NULL}, 2, "non-negative", NULL},
        {{"--db", db, "config", "set", "crawl.host_delay_ms", "250", NULL}, 0, NULL, NULL},
        {{"--db", db, "config", "get", "crawl.host_delay_ms", NULL}, 0, NULL, "250"},
        /* Several pairs: all checked before any is written. */
        {{"--db", db, "config", "set", "crawl.host_delay_ms", "7", "crawl.nope", "1", NULL},
         2, "unknown key 'crawl.nope'", NULL},
        {{"--db", db, "config", "get", "crawl.host_delay_ms", NULL}, 0, NULL, "250"},
        {{"--db", db, "config", "set", "crawl.host_delay_ms", "7", "crawl.workers", NULL},
         2, "several KEY VALUE", NULL},
        {{"--db", db, "config", "set", "crawl.host_delay_ms", "7", "crawl.workers", "3", NULL},
         0, NULL, NULL},
        {{"--db", db, "config", "get", "crawl.workers", NULL}, 0, NULL, "3"},
        {{"--db", db, "config", "get", "crawl.host_delay_ms", NULL}, 0, NULL, "7"},
        {{"--db", db, "crawl", NULL}, 2, "--once", NULL},
        {{"--db", db, "crawl", "--once", "--workers", "0", NULL}, 2, "--workers '0'", NULL},
        {{"--db", db, "mentions", "--since", "soon", NULL}, 2, "bad --since", NULL},
        {{"--db", db, "mentions", "--sentiment", "happy", NULL}, 2, "--sentiment 'happy'", NULL},
        {{"--db", db, "mentions", "--limit", NULL}, 2, "--limit", NULL},
        {{"--db", db, "mentions", "--format", "csv", NULL}, 0, NULL, "id,published_at,brand"},
        {{"--db", "/nonexistent-dir/x.db", "brand", "list", NULL}, 1, "cannot open database", NULL},
        {{"score", "--lang", "de", "x", NULL}, 2, "--lang 'de'", NULL},
        {{"score", "--format", "json", "super", NULL}, 0, NULL, "\"compound\""},
    };
    for (size_t i = 0; i < sizeof rows / sizeof rows[0]; i++) {
        vg_buf out, err;
        vg_buf_init(&out, 1 << 20);
        vg_buf_init(&err, 1 << 20);
        int st = run(NULL, &out, &err, rows[i].args);
        if (st != rows[i].status)
            fail_msg("row %zu (%s %s): status %d, want %d; stderr: %s", i, rows[i].args[0],
                     rows[i].args[1] ? rows[i].args[1] : "", st, rows[i].status,
                     vg_buf_str(&err));
        if (rows[i].in_stderr && !strstr(vg_buf_str(&err), rows[i].in_stderr))
            fail_msg("row %zu: stderr lacks '%s': %s", i, rows[i].in_stderr, vg_buf_str(&err));
        if (rows[i].in_stdout && !strstr(vg_buf_str(&out), rows[i].in_stdout))
            fail_msg("row %zu: stdout lacks '%s': %s", i, rows[i].in_stdout, vg_buf_str(&out));
        /* Usage errors are one line. */
        if (rows[i].status == 2) {
            const char *e = vg_buf_str(&err);
            const char *nl = strchr(e, '\n');
            assert_true(nl && nl[1] == '\0');
        }
        vg_buf_free(&out);
        vg_buf_free(&err);
    }
}

static void every_command_has_help(void **state)
{
    (void)state;
    for (const app_cmd *c = app_commands; c->name; c++) {
        const char *args[] = {c->name, "--help", NULL};
        vg_buf out, err;
        vg_buf_init(&out, 1 << 20);
        vg_buf_init(&err, 1 << 20);
        assert_int_equal(run(NULL, &out, &err, args), 0);
        assert_non_null(strstr(vg_buf_str(&out), "usage"));
        vg_buf_free(&out);
        vg_buf_free(&err);
    }
}

static void score_reads_one_line_per_text_in_order(void **state)
{
    (void)state;
    const char *args[] = {"score", NULL};
    vg_buf out, err;
    vg_buf_init(&out, 1 << 20);
    vg_buf_init(&err, 1 << 20);
    assert_int_equal(run("super produit, je recommande\n\nservice nul\n\xff\xfe\n", &out, &err, args), 0);
    const char *s = vg_buf_str(&out);
    double a, b, c, d;
    char la[8], lb[8], lc[8], ld[8];
    assert_int_equal(sscanf(s, "%lf\t%7s\n%lf\t%7s\n%lf\t%7s\n%lf\t%7s", &a, la, &b, lb, &c, lc, &d, ld), 8);
    assert_true(a > 0);
    assert_string_equal(la, "pos");
    assert_true(b == 0);
    assert_string_equal(lb, "neu");
    assert_true(c < 0);
    assert_string_equal(lc, "neg");
    assert_string_equal(ld, "neu"); /* invalid bytes still get their line */
    vg_buf_free(&out);
    vg_buf_free(&err);
}

static void vigie_db_environment_variable_names_the_database(void **state)
{
    (void)state;
    char envdb[128];
    snprintf(envdb, sizeof envdb, "%s/env.db", dir);
    setenv("VIGIE_DB", envdb, 1);
    const char *args[] = {"init", NULL};
    vg_buf out, err;
    vg_buf_init(&out, 1 << 20);
    vg_buf_init(&err, 1 << 20);
    assert_int_equal(run(NULL, &out, &err, args), 0);
    assert_int_equal(access(envdb, F_OK), 0);
    unsetenv("VIGIE_DB");
    unlink(envdb);
    char p[160];
    snprintf(p, sizeof p, "%s-wal", envdb);
    unlink(p);
    snprintf(p, sizeof p, "%s-shm", envdb);
    unlink(p);
    vg_buf_free(&out);
    vg_buf_free(&err);
}

int main(void)
{
    snprintf(dir, sizeof dir, "/tmp/vigie-cli-XXXXXX");
    if (!mkdtemp(dir))
        return 1;
    snprintf(db, sizeof db, "%s/t.db", dir);
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(exit_statuses_and_messages),
        cmocka_unit_test(every_command_has_help),
        cmocka_unit_test(score_reads_one_line_per_text_in_order),
        cmocka_unit_test(vigie_db_environment_variable_names_the_database),
    };
    int rc = cmocka_run_group_tests(tests, NULL, NULL);
    char p[160];
    static const char *suffix[] = {"", "-wal", "-shm"};
    for (int i = 0; i < 3; i++) {
        snprintf(p, sizeof p, "%s%s", db, suffix[i]);
        unlink(p);
    }
    rmdir(dir);
    return rc;
}
