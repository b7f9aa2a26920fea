/*
 * `vigie detect`: runs the streaming spike detector (monitor/detect.h)
 * over a `timestamp,value` CSV file, so it can be judged alone (the NAB
 * benchmark, scripts/eval-spikes) or used on any exported series. It
 * reads rows in order and writes each verdict before reading the next
 * row's successor, exactly as the monitor would see them live.
 */
#include "app/app.h"

#include "core/vtime.h"
#include "monitor/detect.h"

#include <errno.h>
#include <getopt.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

/* A CSV line longer than this is not a `timestamp,value` row. */
#define DETECT_MAX_LINE 1024

static int usage(void)
{
    printf("usage: vigie detect --input FILE|- [--bucket DURATION] [--threshold Z]\n"
           "                    [--min-excess N] [--quiet DURATION]\n\n"
           "Reads `timestamp,value` rows (a header line is skipped; timestamps as\n"
           "'YYYY-MM-DD HH:MM:SS', ISO 8601 with T and Z, or unix seconds) and\n"
           "writes `timestamp,value,anomaly_score,alert` rows: a score in [0, 1]\n"
           "(0.5 or more exactly on alerts) and 1 where the default settings alert.\n"
           "Without --bucket each row is one bucket; with it (5m .. 1d) rows are\n"
           "summed into UTC buckets, one output row per bucket that has data.\n"
           "See docs/alerts.md for the model and its parameters.\n");
    return APP_OK;
}

/* Parses the time forms of usage() into *out; -1 when none fits. */
static int parse_time(const char *s, int64_t *out)
{
    int y, mo, d, h = 0, mi = 0, sec = 0, used = 0;
    if (sscanf(s, "%4d-%2d-%2d%n", &y, &mo, &d, &used) == 3) {
        const char *p = s + used;
        if (*p == ' ' || *p == 'T') {
            int k = 0;
            if (sscanf(p + 1, "%2d:%2d:%2d%n", &h, &mi, &sec, &k) != 3)
                return -1;
            p += 1 + k;
            if (*p == '.')
                for (p++; *p >= '0' && *p <= '9'; p++)
                    ;
            if (*p == 'Z')
                p++;
        }
        if (*p || mo < 1 || mo > 12 || d < 1 || d > 31 || h > 23 || mi > 59 || sec > 60)
            return -1;
        *out = vg_timegm(y, mo, d, h, mi, sec);
        return 0;
    }
    char *end = NULL;
    errno = 0;
    long long v = strtoll(s, &end, 10);
    if (end == s || *end || errno)
        return -1;
    *out = (int64_t)v;
    return 0;
}

static void emit(FILE *out, const char *ts, double value, const detect_result *r)
{
    fprintf(out, "%s,%.10g,%.6f,%d\n", ts, value, r->score, r->alert);
}

int cmd_detect(app_ctx *ctx, int argc, char **argv)
{
    static const struct option opts[] = {
        {"input", required_argument, NULL, 'i'}, {"bucket", required_argument, NULL, 'b'},
        {"threshold", required_argument, NULL, 't'}, {"min-excess", required_argument, NULL, 'm'},
        {"quiet", required_argument, NULL, 'q'}, {"help", no_argument, NULL, 'h'}, {0}};
    (void)ctx;
    detect_params params = DETECT_PARAMS_INIT;
    const char *input = NULL;
    int64_t bucket = 0;
    int c;
    optind = 1;
    while ((c = app_getopt("detect", argc, argv, "hi:", opts)) != -1) {
        switch (c) {
        case 'i': input = optarg; break;
        case 'b':
            if (vg_duration_parse(optarg, &bucket) != VG_OK || bucket < 60 || bucket > 86400)
                return app_usage_error("detect", "bad --bucket '%s' (1m to 1d)", optarg);
            break;
        case 't':
        case 'm': {
            char *end = NULL;
            double v = strtod(optarg, &end);
            if (end == optarg || *end || !isfinite(v) || v < 0 || (c == 't' && v <= 0))
                return app_usage_error("detect", "bad --%s '%s'",
                                       c == 't' ? "threshold" : "min-excess", optarg);
            if (c == 't')
                params.threshold = v;
            else
                params.min_excess = v;
            break;
        }
        case 'q': {
            int64_t v;
            if (vg_duration_parse(optarg, &v) != VG_OK || v < 0)
                return app_usage_error("detect", "bad --quiet '%s'", optarg);
            params.quiet = (double)v;
            break;
        }
        case 'h': return usage();
        default: return APP_USAGE;
        }
    }
    if (optind < argc)
        return app_usage_error("detect", "unexpected argument '%s'", argv[optind]);
    if (!input)
        return app_usage_error("detect", "missing --input FILE");

    int rc = APP_FAIL;
    detect *det = NULL;
    FILE *in = strcmp(input, "-") == 0 ? stdin : fopen(input, "r");
    if (!in)
        return app_fail("detect", "cannot open %s: %s", input, strerror(errno));
    if (detect_new(&params, &det) != VG_OK) {
        app_fail("detect", "%s", vg_error_last());
        goto cleanup;
    }
    printf("timestamp,value,anomaly_score,alert\n");
    char line[DETECT_MAX_LINE];
    long lineno = 0;
    int64_t cur = 0, last_t = INT64_MIN;
    double sum = 0;
    int have = 0;
    while (fgets(line, sizeof line, in)) {
        lineno++;
        size_t len = strlen(line);
        if (len == sizeof line - 1 && line[len - 1] != '\n') {
            app_fail("detect", "%s:%ld: line too long", input, lineno);
            goto cleanup;
        }
        while (len && (line[len - 1] == '\n' || line[len - 1] == '\r'))
            line[--len] = '\0';
        if (len == 0)
            continue;
        char *comma = strchr(line, ',');
        if (!comma) {
            app_fail("detect", "%s:%ld: expected timestamp,value", input, lineno);
            goto cleanup;
        }
        *comma = '\0';
        const char *vs = comma + 1;
        char *vend = strchr(vs, ',');
        if (vend)
            *vend = '\0';
        int64_t t;
        if (parse_time(line, &t) != 0) {
            if (lineno == 1)
                continue; /* the header */
            app_fail("detect", "%s:%ld: bad timestamp '%s'", input, lineno, line);
            goto cleanup;
        }
        char *end = NULL;
        double v = strtod(vs, &end);
        if (end == vs || *end || !isfinite(v)) {
            app_fail("detect", "%s:%ld: bad value '%s'", input, lineno, vs);
            goto cleanup;
        }
        if (t < last_t) {
            app_fail("detect", "%s:%ld: timestamps go back in time", input, lineno);
            goto cleanup;
        }
        last_t = t;
        detect_result r;
        if (!bucket) {
            detect_push(det, t, v, &r);
            emit(stdout, line, v, &r);
            continue;
        }
        /* Floor division to the UTC bucket boundary. */
        int64_t b = t / bucket * bucket - ((t % bucket) < 0 ? bucket : 0);
        if (have && b != cur) {
            char iso[21];
            vg_time_iso(cur, iso);
            detect_push(det, cur, sum, &r);
            emit(stdout, iso, sum, &r);
            sum = 0;
        }
        cur = b;
        have = 1;
        sum += v;
    }
    if (ferror(in)) {
        app_fail("detect", "reading %s: %s", input, strerror(errno));
        goto cleanup;
    }
    if (have) {
        detect_result r;
        char iso[21];
        vg_time_iso(cur, iso);
        detect_push(det, cur, sum, &r);
        emit(stdout, iso, sum, &r);
    }
    if (fflush(stdout) != 0) {
        app_fail("detect", "writing output: %s", strerror(errno));
        goto cleanup;
    }
    rc = APP_OK;
cleanup:
    detect_free(det);
    if (in && in != stdin)
        fclose(in);
    return rc;
}
