/*
 * Producing a report: render a digest in the asked format, archive what
 * was produced, and the one-call version `vigie demo` uses to leave a
 * digest of its last week beside its database.
 */
#include "monitor/report_int.h"

#include "core/vtime.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

vg_err report_render(const digest *d, report_format f, report_locale l,
                     char **out)
{
    vg_buf b;
    vg_err err;

    *out = NULL;
    vg_buf_init(&b, REPORT_MAX_BYTES);
    switch (f) {
    case REPORT_HTML: err = report_render_html(d, l, &b); break;
    case REPORT_MD: err = report_render_text(d, l, 1, &b); break;
    case REPORT_TXT: err = report_render_text(d, l, 0, &b); break;
    case REPORT_JSON: err = report_render_json(d, &b); break;
    default: err = vg_error_set(VG_EINVAL, "unknown report format");
    }
    if (err == VG_OK && b.err != VG_OK)
        err = vg_error_set(b.err, "report: %s", b.err == VG_ETOOBIG
                                                    ? "larger than the report limit"
                                                    : "out of memory");
    if (err != VG_OK) {
        vg_buf_free(&b);
        return err;
    }
    *out = vg_buf_detach(&b);
    if (*out == NULL)
        return vg_error_set(VG_ENOMEM, "report: out of memory");
    return VG_OK;
}

vg_err report_produce(store *st, const digest_options *o, report_format f,
                      report_locale l, char **out, int64_t *id_out)
{
    digest *d = NULL;
    char *body = NULL;
    store_digest_entry e;
    vg_err err;

    *out = NULL;
    if ((err = digest_build(st, o, &d)) != VG_OK)
        goto cleanup;
    if ((err = report_render(d, f, l, &body)) != VG_OK)
        goto cleanup;
    memset(&e, 0, sizeof e);
    e.created_at = d->generated_at;
    e.period_from = d->from;
    e.period_to = d->to;
    e.brand = (char *)o->brand;
    e.locale = (char *)report_locale_name(l);
    e.format = (char *)report_format_name(f);
    e.body = body;
    if ((err = store_digest_archive_add(st, &e, id_out)) != VG_OK)
        goto cleanup;
    *out = body;
    body = NULL;

cleanup:
    free(body);
    digest_free(d);
    return err;
}

vg_err digest_demo_write(const char *db_path, const char *out_dir,
                         const char *locale, char *path_out, size_t cap)
{
    store *st = NULL;
    digest_options o = DIGEST_OPTIONS_INIT;
    int64_t latest = 0;
    char *body = NULL;
    char week[9];
    FILE *f = NULL;
    int loc = report_locale_parse(locale != NULL ? locale : "en");
    vg_err err;

    if (cap > 0)
        path_out[0] = '\0';
    if ((err = store_open(db_path, &st)) != VG_OK)
        goto cleanup;
    if ((err = store_digest_latest_mention(st, &latest)) != VG_OK)
        goto cleanup;
    if (latest <= 0) {
        err = vg_error_set(VG_ENOTFOUND, "no mentions to digest");
        goto cleanup;
    }
    digest_week_of(latest, &o.from, &o.to);
    vg_time_isoweek(o.from, week);
    if ((size_t)snprintf(path_out, cap, "%s/digest-%s.html", out_dir, week) >= cap) {
        err = vg_error_set(VG_EINVAL, "digest path too long");
        goto cleanup;
    }
    if ((err = report_produce(st, &o, REPORT_HTML, loc < 0 ? REPORT_EN : (report_locale)loc,
                              &body, NULL)) != VG_OK)
        goto cleanup;
    f = fopen(path_out, "w");
    if (f == NULL || fputs(body, f) == EOF) {
        err = vg_error_set(VG_EIO, "cannot write %s: %s", path_out, strerror(errno));
        goto cleanup;
    }
    if (fclose(f) != 0) {
        f = NULL;
        err = vg_error_set(VG_EIO, "cannot write %s: %s", path_out, strerror(errno));
        goto cleanup;
    }
    f = NULL;

cleanup:
    if (f != NULL)
        fclose(f);
    free(body);
    store_close(st);
    return err;
}
