/*
 * Running digest schedules (digest_schedule.h): find the occurrence each
 * schedule last reached, in its own time zone, claim it in the store
 * before anything leaves (at most once per occurrence), then build the
 * digest of the ISO week before it, archive it, mail it and record what
 * happened. `vigie run` calls digest_schedule_run_due from its delivery
 * thread; `vigie digest schedule run-due` calls it once.
 */
#include "monitor/digest_schedule.h"

#include "core/buf.h"
#include "core/vtime.h"
#include "monitor/digest.h"
#include "monitor/mail.h"
#include "monitor/report.h"

#include <stdlib.h>
#include <string.h>
#include <strings.h>

static const char *const day_names[7][2] = {
    {"mon", "monday"}, {"tue", "tuesday"},  {"wed", "wednesday"}, {"thu", "thursday"},
    {"fri", "friday"}, {"sat", "saturday"}, {"sun", "sunday"}};

int digest_weekday_parse(const char *s)
{
    if (s == NULL)
        return -1;
    for (int i = 0; i < 7; i++)
        if (strcasecmp(s, day_names[i][0]) == 0 || strcasecmp(s, day_names[i][1]) == 0)
            return i + 1;
    if (s[0] >= '1' && s[0] <= '7' && s[1] == '\0')
        return s[0] - '0';
    return -1;
}

const char *digest_weekday_name(int weekday)
{
    return weekday >= 1 && weekday <= 7 ? day_names[weekday - 1][0] : "?";
}

/* Mails the built digest d to channel. */
static vg_err mail_digest(const digest *d, report_locale l, const char *brand,
                          const char *channel, int64_t now, long timeout_ms)
{
    mail_target t;
    report_mail_options mo = REPORT_MAIL_OPTIONS_INIT;
    char *msg = NULL;
    size_t len = 0;
    vg_err err;

    memset(&t, 0, sizeof t);
    if ((err = mail_target_parse(channel, &t)) != VG_OK)
        goto cleanup;
    mo.from = t.from;
    mo.to = (const char *const *)t.to;
    mo.nto = t.nto;
    mo.date = now;
    mo.brand = brand;
    if ((err = report_mail_build(d, l, &mo, &msg, &len)) != VG_OK)
        goto cleanup;
    err = mail_send(&t, msg, len, timeout_ms);

cleanup:
    free(msg);
    mail_target_free(&t);
    return err;
}

vg_err digest_mail_send(store *st, const digest_options *o, report_locale l,
                        const char *channel, long timeout_ms)
{
    digest *d = NULL;
    vg_err err;

    if ((err = digest_build(st, o, &d)) != VG_OK)
        return err;
    err = mail_digest(d, l, o->brand, channel, o->now ? o->now : vg_now(), timeout_ms);
    digest_free(d);
    return err;
}

/* Builds the digest of [from, to), archives its HTML when archive is set
 * (*digest_id), and mails it to the schedule's channel. */
static vg_err produce_and_send(store *st, const store_digest_schedule *s,
                               int64_t from, int64_t to, int64_t now, int archive,
                               long timeout_ms, int64_t *digest_id)
{
    digest_options o = DIGEST_OPTIONS_INIT;
    digest *d = NULL;
    char *html = NULL;
    int loc = report_locale_parse(s->locale);
    report_locale l = loc < 0 ? REPORT_EN : (report_locale)loc;
    vg_err err;

    o.from = from;
    o.to = to;
    o.brand = s->brand;
    o.now = now;
    if ((err = digest_build(st, &o, &d)) != VG_OK)
        goto cleanup;
    if (archive) {
        store_digest_entry e;

        if ((err = report_render(d, REPORT_HTML, l, &html)) != VG_OK)
            goto cleanup;
        memset(&e, 0, sizeof e);
        e.created_at = now;
        e.period_from = d->from;
        e.period_to = d->to;
        e.brand = s->brand;
        e.locale = (char *)report_locale_name(l);
        e.format = "html";
        e.body = html;
        if ((err = store_digest_archive_add(st, &e, digest_id)) != VG_OK)
            goto cleanup;
    }
    err = mail_digest(d, l, s->brand, s->channel, now, timeout_ms);

cleanup:
    free(html);
    digest_free(d);
    return err;
}

vg_err digest_schedule_run_due(store *st, int64_t now,
                               const digest_schedule_opts *o, int *sent,
                               int *failed)
{
    static const digest_schedule_opts defaults = DIGEST_SCHEDULE_OPTS_INIT;
    store_digest_schedule *v = NULL;
    size_t n = 0;
    int n_sent = 0, n_failed = 0;
    vg_err err;

    if (o == NULL)
        o = &defaults;
    if ((err = store_digest_schedule_list(st, &v, &n)) != VG_OK)
        goto cleanup;
    for (size_t i = 0; i < n; i++) {
        const store_digest_schedule *s = &v[i];
        digest_tz *z = NULL;
        int64_t due, from, to, digest_id = 0;
        int fresh, attempt;
        vg_err e;

        if ((e = digest_tz_open(s->tz, &z)) != VG_OK) {
            /* Recorded, not retried: the zone will not appear by itself. */
            store_digest_schedule_record(st, s->id, 0, 0, vg_error_last(), 0);
            n_failed++;
            continue;
        }
        due = digest_tz_last_weekly(z, s->weekday, s->hour, now);
        digest_tz_close(z);
        if (due < s->created_at)
            continue; /* the schedule did not exist at its last occurrence */
        fresh = due > s->due_at;
        if (!fresh && !(due == s->due_at && s->sent_at == 0 && s->retry_at > 0
                        && s->retry_at <= now))
            continue;
        /* Claim before sending: a crash after this point loses this
         * occurrence rather than sending it twice. */
        e = store_digest_schedule_claim(st, s->id, due, s->attempts, now);
        if (e == VG_EEXISTS)
            continue; /* another process took it */
        if (e != VG_OK) {
            n_failed++;
            continue;
        }
        attempt = fresh ? 1 : s->attempts + 1;
        digest_last_week(due, &from, &to);
        e = produce_and_send(st, s, from, to, now, fresh, o->timeout_ms, &digest_id);
        if (e == VG_OK) {
            store_digest_schedule_record(st, s->id, now, digest_id, NULL, 0);
            n_sent++;
        } else {
            int64_t retry = 0;
            vg_buf msg;

            if (attempt < o->max_attempts && (e == VG_ENET || e == VG_EIO))
                retry = now + o->retry_delay * ((int64_t)1 << (attempt - 1 < 16 ? attempt - 1 : 16));
            vg_buf_init(&msg, 1024);
            vg_buf_puts(&msg, vg_error_last());
            store_digest_schedule_record(st, s->id, 0, digest_id, vg_buf_str(&msg), retry);
            vg_buf_free(&msg);
            n_failed++;
        }
    }

cleanup:
    store_digest_schedule_array_free(v, n);
    if (sent != NULL)
        *sent = n_sent;
    if (failed != NULL)
        *failed = n_failed;
    return err;
}
