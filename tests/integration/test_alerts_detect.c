/*
 * `vigie detect` as a user runs it: a three-day series with one burst
 * (tests/fixtures/alerts/series.csv, generated for this test) gives one
 * output row per input row, scores in [0, 1], 0.5 or more exactly on
 * alerts, and one storm: its alert on the burst's first row, and one
 * more ten minutes later, when the quarter-hour sum the detector judges
 * is full of the burst and its severity has risen; nothing elsewhere.
 * Bad usage exits 2 and bad input 1, each naming what is wrong.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>

#include <cmocka.h>

/* Runs `vigie ARGS` (stderr to stdout), returns the exit status and the
 * output in buf. */
static int run(const char *args, char *buf, size_t cap)
{
    const char *bin = getenv("VG_BINARY");
    const char *src = getenv("VG_SOURCE_DIR");
    assert_non_null(bin);
    assert_non_null(src);
    char cmd[1024];
    snprintf(cmd, sizeof cmd, "cd '%s/tests/fixtures/alerts' && '%s' %s 2>&1", src, bin, args);
    FILE *p = popen(cmd, "r");
    assert_non_null(p);
    size_t len = fread(buf, 1, cap - 1, p);
    buf[len] = '\0';
    int st = pclose(p);
    return WIFEXITED(st) ? WEXITSTATUS(st) : -1;
}

static char out[1 << 17];

static void detect_alerts_on_the_burst_start_and_scores_every_row(void **state)
{
    (void)state;
    assert_int_equal(run("detect --input series.csv", out, sizeof out), 0);
    char *line = out, *nl = strchr(line, '\n');
    assert_non_null(nl);
    *nl = '\0';
    assert_string_equal(line, "timestamp,value,anomaly_score,alert");
    int rows = 0, alerts = 0, alert_rows[2] = {-1, -1};
    double alert_scores[2] = {0, 0};
    for (line = nl + 1; *line && (nl = strchr(line, '\n')); line = nl + 1) {
        *nl = '\0';
        char ts[32];
        double value, score;
        int alert;
        assert_int_equal(sscanf(line, "%19[^,],%lf,%lf,%d", ts, &value, &score, &alert), 4);
        assert_true(score >= 0 && score <= 1);
        assert_int_equal(score >= 0.5, alert);
        if (alert) {
            assert_true(alerts < 2);
            alert_rows[alerts] = rows;
            alert_scores[alerts] = score;
            alerts++;
        }
        rows++;
    }
    assert_int_equal(rows, 864);
    assert_int_equal(alerts, 2);
    assert_int_equal(alert_rows[0], 700); /* 2026-01-03 10:20, the burst's first row */
    assert_int_equal(alert_rows[1], 702);
    assert_true(alert_scores[1] > alert_scores[0]); /* worse, hence alerted again */
}

static void detect_rejects_bad_usage_and_bad_input(void **state)
{
    (void)state;
    static const struct {
        const char *args;
        int status;
        const char *says;
    } cases[] = {
        {"detect", 2, "missing --input"},
        {"detect --input series.csv --bucket 7x", 2, "--bucket"},
        {"detect --input series.csv --threshold -1", 2, "--threshold"},
        {"detect --input series.csv extra", 2, "extra"},
        {"detect --input no-such.csv", 1, "no-such.csv"},
        {"detect --help", 0, "usage: vigie detect"},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        assert_int_equal(run(cases[i].args, out, sizeof out), cases[i].status);
        assert_non_null(strstr(out, cases[i].says));
    }
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(detect_alerts_on_the_burst_start_and_scores_every_row),
        cmocka_unit_test(detect_rejects_bad_usage_and_bad_input),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
