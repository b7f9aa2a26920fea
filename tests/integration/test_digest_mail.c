/*
 * The digest by mail, end to end: a real SMTP server (Debian's
 * python3-aiosmtpd, tests/fixtures/digest_mail/smtp_sink.py) on
 * 127.0.0.1 receives what `vigie digest --send` and `vigie digest
 * schedule run-due` send, and Python's own MIME parser reads it back:
 * multipart/related holding a text/plain + text/html alternative and one
 * PNG per chart, each referenced once by the HTML. Schedules: due in
 * their time zone, sent once per occurrence (a second run and a run days
 * later send nothing more), a missed occurrence sent once at the next
 * run, failures recorded and retried later. Exits 77 (skipped) when no
 * python3 with aiosmtpd is found.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <arpa/inet.h>
#include <jansson.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <sys/stat.h>

#include "../fixtures/digest_mail/digest_fixture.h"
#include "monitor/digest.h"
#include "monitor/digest_schedule.h"

typedef struct env {
    char dir[64], db[96], mail[96];
    char python[64], sink[512];
    pid_t server;
    int port;
    int64_t week_from; /* the fixture's week: the one the schedule mails */
    int64_t due;       /* the schedule's first occurrence after its creation */
    int received;      /* messages the sink wrote so far */
} env;

static env E;

static char *const *py_argv(const char *a, const char *b, const char *c)
{
    static char *argv[6];
    argv[0] = E.python;
    argv[1] = E.sink;
    argv[2] = (char *)a;
    argv[3] = (char *)b;
    argv[4] = (char *)c;
    argv[5] = NULL;
    return argv;
}

/* A python3 that has aiosmtpd: Debian's first (a pyenv or venv python
 * in PATH may lack the Debian package). */
static int find_python(void)
{
    static const char *const cands[] = {"/usr/bin/python3", "python3"};
    for (size_t i = 0; i < sizeof cands / sizeof cands[0]; i++) {
        char *argv[] = {(char *)cands[i], "-c", "import aiosmtpd", NULL};
        if (fx_run(argv, NULL, NULL) == 0) {
            snprintf(E.python, sizeof E.python, "%s", cands[i]);
            return 1;
        }
    }
    return 0;
}

static int start_server(void)
{
    int po[2];
    char buf[32];
    ssize_t n;

    if (pipe(po) != 0)
        return -1;
    E.server = fork();
    if (E.server == 0) {
        dup2(po[1], STDOUT_FILENO);
        close(po[0]);
        close(po[1]);
        char *const *argv = py_argv("serve", E.mail, "120");
        execvp(argv[0], argv);
        _exit(127);
    }
    close(po[1]);
    /* The port, then a newline. */
    size_t got = 0;
    while (got < sizeof buf - 1 && (n = read(po[0], buf + got, sizeof buf - 1 - got)) > 0) {
        got += (size_t)n;
        if (memchr(buf, '\n', got) != NULL)
            break;
    }
    close(po[0]);
    buf[got] = '\0';
    E.port = (int)strtol(buf, NULL, 10);
    return E.port > 0 ? 0 : -1;
}

static int group_setup(void **state)
{
    (void)state;
    const char *src = getenv("VG_SOURCE_DIR");
    digest_tz *z = NULL;
    int64_t to;

    snprintf(E.dir, sizeof E.dir, "/tmp/vigie-dmail-XXXXXX");
    if (mkdtemp(E.dir) == NULL)
        return -1;
    snprintf(E.db, sizeof E.db, "%s/vigie.db", E.dir);
    snprintf(E.mail, sizeof E.mail, "%s/mail", E.dir);
    mkdir(E.mail, 0700);
    snprintf(E.sink, sizeof E.sink, "%s/tests/fixtures/digest_mail/smtp_sink.py",
             src ? src : ".");
    /* The schedule is created now (wall clock): its first occurrence is
     * the first Monday 08:00 in Paris after now, and its digest covers
     * the ISO week before that; the fixture is put in that week, so the
     * test does not depend on the date it runs. */
    if (digest_tz_open("Europe/Paris", &z) != VG_OK)
        return -1;
    int64_t now = vg_now(), prev;
    E.due = digest_tz_last_weekly(z, 1, 8, now + 8 * FX_DAY);
    while ((prev = digest_tz_last_weekly(z, 1, 8, E.due - 1)) > now)
        E.due = prev; /* the first occurrence after now */
    digest_tz_close(z);
    digest_last_week(E.due, &E.week_from, &to);
    if (fx_build(E.db, E.week_from) != 0)
        return -1;
    return start_server();
}

static int group_teardown(void **state)
{
    (void)state;
    if (E.server > 0) {
        kill(E.server, SIGTERM);
        waitpid(E.server, NULL, 0);
    }
    fx_rmdir(E.dir);
    return 0;
}

static void channel(char *out, size_t cap, int port)
{
    snprintf(out, cap, "smtp://127.0.0.1:%d/?from=vigie@example.net&to=cm@example.org,boss@example.org",
             port);
}

static int mail_exists(int n)
{
    char p[160];
    snprintf(p, sizeof p, "%s/msg-%d.eml", E.mail, n);
    return access(p, F_OK) == 0;
}

/* The check lines of message n ("key\tvalue..."), parsed by Python. */
static void check_mail(int n, vg_buf *out)
{
    char p[160];
    snprintf(p, sizeof p, "%s/msg-%d.eml", E.mail, n);
    vg_buf_init(out, 1 << 20);
    assert_int_equal(fx_run(py_argv("check", p, NULL), out, NULL), 0);
}

static void assert_line(const vg_buf *b, const char *line)
{
    char want[512];
    snprintf(want, sizeof want, "%s\n", line);
    if (strstr(vg_buf_str(b), want) == NULL)
        fail_msg("missing line \"%s\" in:\n%s", line, vg_buf_str(b));
}

/* Every image is a PNG referenced exactly once; returns how many. */
static int assert_images(const vg_buf *b)
{
    int n = 0;
    for (const char *p = vg_buf_str(b); (p = strstr(p, "\nimage\t")) != NULL; p++) {
        const char *e = strchr(p + 1, '\n');
        char line[512];
        snprintf(line, sizeof line, "%.*s", (int)(e - p - 1), p + 1);
        if (strstr(line, "\tpng\t") == NULL || strcmp(line + strlen(line) - 2, "\t1") != 0)
            fail_msg("bad image line: %s", line);
        n++;
    }
    return n;
}

static void send_mails_text_html_and_every_chart(void **state)
{
    (void)state;
    char week[9], chan[256];
    vg_buf err, chk;

    vg_time_isoweek(E.week_from, week);
    channel(chan, sizeof chan, E.port);
    vg_buf_init(&err, 1 << 16);
    int rc = fx_vigie(E.db, NULL, &err, "digest", "--week", week, "--all", "--locale", "fr",
                      "--send", chan, NULL);
    if (rc != 0)
        fail_msg("digest --send: %d %s", rc, vg_buf_str(&err));
    vg_buf_free(&err);
    /* The server wrote the message before its 250 reply, so it is there. */
    assert_true(mail_exists(++E.received));
    check_mail(E.received, &chk);
    /* Share of voice, then per brand daily and trend, and Alpha's alerts. */
    assert_line(&chk, "tree\tmultipart/related[multipart/alternative[text/plain,text/html],"
                      "image/png,image/png,image/png,image/png,image/png,image/png]");
    assert_int_equal(assert_images(&chk), 6);
    assert_line(&chk, "html_imgs\t6");
    assert_line(&chk, "html_alts_nonempty\t6");
    assert_line(&chk, "html_svg\t0");
    assert_line(&chk, "text_has\tAlpha\tyes");
    assert_line(&chk, "text_has\tBeta\tyes");
    assert_line(&chk, "html_has\tAlpha\tyes");
    assert_line(&chk, "html_has\tBeta\tyes");
    assert_line(&chk, "bare_lf\t0");
    static const char *const headers[] = {"From", "To", "Date", "Message-ID", "MIME-Version"};
    for (size_t i = 0; i < sizeof headers / sizeof headers[0]; i++) {
        char l[64];
        snprintf(l, sizeof l, "header\t%s\tyes", headers[i]);
        assert_line(&chk, l);
    }
    assert_non_null(strstr(vg_buf_str(&chk), "subject\tDigest hebdomadaire — "));
    vg_buf_free(&chk);

    /* The envelope: both recipients. */
    char p[160];
    snprintf(p, sizeof p, "%s/msg-%d.env", E.mail, E.received);
    FILE *f = fopen(p, "r");
    assert_non_null(f);
    char envl[1024] = "";
    size_t n = fread(envl, 1, sizeof envl - 1, f);
    envl[n] = '\0';
    fclose(f);
    assert_string_equal(envl, "vigie@example.net\ncm@example.org\nboss@example.org\n");
}

static int64_t run_due(int64_t now, vg_buf *out)
{
    char at[32];
    snprintf(at, sizeof at, "@%lld", (long long)now);
    vg_buf_reset(out);
    return fx_vigie(E.db, out, NULL, "digest", "schedule", "run-due", "--now", at, NULL);
}

static json_t *schedules(void)
{
    vg_buf out;
    json_error_t e;
    vg_buf_init(&out, 1 << 20);
    assert_int_equal(fx_vigie(E.db, &out, NULL, "digest", "schedule", "list", "--format",
                              "json", NULL),
                     0);
    json_t *j = json_loads(vg_buf_str(&out), 0, &e);
    if (j == NULL)
        fail_msg("bad JSON: %s", e.text);
    vg_buf_free(&out);
    return j;
}

static void schedule_sends_each_occurrence_once(void **state)
{
    (void)state;
    char chan[256];
    vg_buf out, chk;

    channel(chan, sizeof chan, E.port);
    vg_buf_init(&out, 1 << 16);
    /* Not -q: the add prints the schedule. */
    assert_int_equal(fx_vigie(E.db, NULL, NULL, "digest", "schedule", "--weekday", "mon",
                              "--hour", "8", "--tz", "Europe/Paris", "--channel", chan,
                              "--brand", "Alpha", NULL),
                     0);

    static const struct {
        int64_t at;       /* relative to the first occurrence */
        int sent;         /* new messages expected */
    } steps[] = {
        {-60, 0},                   /* a minute early: nothing */
        {0, 1},                     /* on time */
        {60, 0},                    /* again: already sent */
        {3 * FX_DAY, 0},            /* days later: same occurrence */
        /* Stopped for three weeks: the missed mailings go out once. */
        {21 * FX_DAY + 3600, 1},
        {21 * FX_DAY + 7200, 0},
    };
    for (size_t i = 0; i < sizeof steps / sizeof steps[0]; i++) {
        assert_int_equal(run_due(E.due + steps[i].at, &out), 0);
        char want[32];
        snprintf(want, sizeof want, "%d sent, 0 failed\n", steps[i].sent);
        if (strcmp(vg_buf_str(&out), want) != 0)
            fail_msg("step %zu: %s", i, vg_buf_str(&out));
        E.received += steps[i].sent;
        assert_false(mail_exists(E.received + 1));
        if (i == 1) {
            check_mail(E.received, &chk);
            assert_line(&chk, "tree\tmultipart/related[multipart/alternative[text/plain,"
                              "text/html],image/png,image/png,image/png,image/png]");
            assert_int_equal(assert_images(&chk), 4);
            assert_line(&chk, "text_has\tAlpha\tyes");
            /* Beta is named too: share of voice counts the competitors. */
            assert_non_null(strstr(vg_buf_str(&chk), "subject\tWeekly digest — Alpha — "));
            vg_buf_free(&chk);
        }
    }

    /* The list tells what went: the last occurrence, sent, archived. */
    json_t *j = schedules();
    assert_int_equal(json_array_size(j), 1);
    json_t *s = json_array_get(j, 0);
    assert_string_equal(json_string_value(json_object_get(s, "weekday")), "mon");
    assert_string_equal(json_string_value(json_object_get(s, "tz")), "Europe/Paris");
    assert_string_equal(json_string_value(json_object_get(s, "brand")), "Alpha");
    assert_true(json_is_string(json_object_get(s, "sent")));
    assert_true(json_is_integer(json_object_get(s, "digest_id")));
    assert_true(json_is_null(json_object_get(s, "last_error")));
    /* The last occurrence is a Monday 08:00 in Paris: 06:00 or 07:00 UTC. */
    const char *due = json_string_value(json_object_get(s, "last_due"));
    assert_true(strstr(due, "T06:00:00Z") || strstr(due, "T07:00:00Z"));
    json_decref(j);

    /* Each sent occurrence was archived as HTML. */
    vg_buf_reset(&out);
    assert_int_equal(fx_vigie(E.db, &out, NULL, "digest", "list", "--format", "csv", NULL), 0);
    size_t archived = 0;
    for (const char *p = vg_buf_str(&out); (p = strstr(p, ",Alpha,en,html\n")) != NULL; p++)
        archived++;
    assert_int_equal(archived, 2);
    vg_buf_free(&out);
    assert_int_equal(fx_vigie(E.db, NULL, NULL, "digest", "schedule", "rm", "1", NULL), 0);
}

static void failed_sends_are_recorded_and_retried(void **state)
{
    (void)state;
    char chan[256];
    vg_buf out;
    struct sockaddr_in a;
    socklen_t alen = sizeof a;
    int fd = socket(AF_INET, SOCK_STREAM, 0);

    /* A port nobody listens on: bound then closed. */
    memset(&a, 0, sizeof a);
    a.sin_family = AF_INET;
    a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    assert_int_equal(bind(fd, (struct sockaddr *)&a, sizeof a), 0);
    assert_int_equal(getsockname(fd, (struct sockaddr *)&a, &alen), 0);
    close(fd);
    channel(chan, sizeof chan, ntohs(a.sin_port));
    assert_int_equal(fx_vigie(E.db, NULL, NULL, "digest", "schedule", "add", "--weekday", "mon",
                              "--hour", "8", "--tz", "Europe/Paris", "--channel", chan, NULL),
                     0);
    vg_buf_init(&out, 1 << 16);
    assert_int_equal(run_due(E.due + 28 * FX_DAY, &out), 1);
    assert_string_equal(vg_buf_str(&out), "0 sent, 1 failed\n");
    json_t *j = schedules();
    json_t *s = json_array_get(j, 0);
    assert_true(json_is_string(json_object_get(s, "last_error")));
    assert_int_equal(json_integer_value(json_object_get(s, "attempts")), 1);
    json_decref(j);
    /* Too early for the retry: nothing tried. Later: a second attempt. */
    assert_int_equal(run_due(E.due + 28 * FX_DAY + 60, &out), 0);
    assert_string_equal(vg_buf_str(&out), "0 sent, 0 failed\n");
    assert_int_equal(run_due(E.due + 28 * FX_DAY + 3600, &out), 1);
    j = schedules();
    s = json_array_get(j, 0);
    assert_int_equal(json_integer_value(json_object_get(s, "attempts")), 2);
    json_decref(j);
    vg_buf_free(&out);
    assert_false(mail_exists(E.received + 1));
}

static void bad_schedules_are_usage_errors(void **state)
{
    (void)state;
    static const char *const cases[][2] = {
        {"--weekday", "someday"}, {"--hour", "24"}, {"--tz", "Mars/Olympus"},
        {"--tz", "../../etc/passwd"}, {"--channel", "http://example.org/"},
        {"--brand", "Nobody"},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        const char *args[6][2] = {{"--weekday", "mon"}, {"--hour", "8"},
                                  {"--tz", "UTC"}, {"--channel",
                                   "smtp://127.0.0.1:25/?from=a@b.c&to=d@e.f"},
                                  {NULL, NULL}, {NULL, NULL}};
        int k;
        for (k = 0; k < 4; k++)
            if (strcmp(args[k][0], cases[i][0]) == 0)
                args[k][1] = cases[i][1];
        if (strcmp(cases[i][0], "--brand") == 0) {
            args[4][0] = cases[i][0];
            args[4][1] = cases[i][1];
        }
        vg_buf err;
        vg_buf_init(&err, 4096);
        int rc = fx_vigie(E.db, NULL, &err, "digest", "schedule", args[0][0], args[0][1],
                          args[1][0], args[1][1], args[2][0], args[2][1], args[3][0],
                          args[3][1], args[4][0], args[4][1], NULL);
        if (rc != 2 || strstr(vg_buf_str(&err), cases[i][0] + 2) == NULL)
            fail_msg("%s %s: rc %d, %s", cases[i][0], cases[i][1], rc, vg_buf_str(&err));
        vg_buf_free(&err);
    }
    assert_int_equal(fx_vigie(E.db, NULL, NULL, "digest", "--send", "ftp://x", NULL), 2);
    assert_int_equal(fx_vigie(E.db, NULL, NULL, "digest", "schedule", "rm", "999", NULL), 2);
    assert_int_equal(fx_vigie(E.db, NULL, NULL, "digest", "schedule", "run-due", "--now",
                              "yesterday-ish", NULL),
                     2);
    assert_int_equal(fx_vigie(E.db, NULL, NULL, "digest", "schedule", "--help", NULL), 0);
}

/* Starts `vigie run` on db; returns its pid. */
static pid_t start_run(const char *db)
{
    const char *bin = getenv("VG_BINARY");
    assert_non_null(bin);
    pid_t pid = fork();
    assert_true(pid >= 0);
    if (pid == 0) {
        char *const argv[] = {(char *)bin, "-q", "--db", (char *)db, "run", NULL};
        execv(bin, argv);
        _exit(127);
    }
    return pid;
}

static void stop_run(pid_t pid)
{
    int status = 0;
    kill(pid, SIGTERM);
    assert_int_equal(waitpid(pid, &status, 0), pid);
    assert_true(WIFEXITED(status));
    assert_int_equal(WEXITSTATUS(status), 0);
}

/* `vigie run` sends a digest whose Monday passed while it was stopped,
 * once, at start; a second start sends nothing more. */
static void vigie_run_sends_a_missed_digest_once_at_start(void **state)
{
    (void)state;
    char db[160], chan[256];
    store *st = NULL;

    snprintf(db, sizeof db, "%s/run.db", E.dir);
    assert_int_equal(fx_build(db, E.week_from), 0);
    channel(chan, sizeof chan, E.port);
    store_digest_schedule sc = {0};
    sc.weekday = 1;
    sc.hour = 8;
    sc.tz = "UTC";
    sc.channel = chan;
    sc.locale = "fr";
    /* Created more than a week ago: at least one Monday 08:00 is past. */
    sc.created_at = vg_now() - 8 * FX_DAY;
    assert_int_equal(store_open(db, &st), VG_OK);
    assert_int_equal(store_digest_schedule_add(st, &sc, NULL), VG_OK);
    store_close(st);

    pid_t pid = start_run(db);
    int waited = 0;
    while (!mail_exists(E.received + 1) && waited < 300) {
        usleep(100 * 1000);
        waited++;
    }
    stop_run(pid);
    assert_true(mail_exists(E.received + 1));
    E.received++;
    vg_buf chk;
    check_mail(E.received, &chk);
    assert_non_null(strstr(vg_buf_str(&chk), "subject\tDigest hebdomadaire"));
    vg_buf_free(&chk);

    pid = start_run(db);
    usleep(1500 * 1000);
    stop_run(pid);
    assert_false(mail_exists(E.received + 1));
}

int main(void)
{
    if (!find_python()) {
        printf("skipped: no python3 with aiosmtpd (Debian: python3-aiosmtpd)\n");
        return 77;
    }
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(send_mails_text_html_and_every_chart),
        cmocka_unit_test(schedule_sends_each_occurrence_once),
        cmocka_unit_test(failed_sends_are_recorded_and_retried),
        cmocka_unit_test(bad_schedules_are_usage_errors),
        cmocka_unit_test(vigie_run_sends_a_missed_digest_once_at_start),
    };
    return cmocka_run_group_tests(tests, group_setup, group_teardown);
}
