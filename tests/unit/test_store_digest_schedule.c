/*
 * Digest schedules in the store (store/digest_schedule.c): rows added,
 * listed and removed, and the claim that makes an occurrence run at most
 * once — a second claim of the same occurrence loses, a later occurrence
 * resets the state, a failed attempt may be claimed again only once its
 * retry time has come and only by one claimant.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdlib.h>
#include <string.h>

#include "store/store.h"
#include "vgtest.h"

typedef vgtest_store_fx fixture;

static int64_t add(store *st, int weekday, int hour, const char *brand)
{
    store_digest_schedule s;
    int64_t id = 0;

    memset(&s, 0, sizeof s);
    s.weekday = weekday;
    s.hour = hour;
    s.tz = "Europe/Paris";
    s.channel = "smtp://user:secret@127.0.0.1:2525/?from=a@b.c&to=d@e.f";
    s.brand = (char *)brand;
    s.locale = "fr";
    s.created_at = 1000;
    assert_int_equal(store_digest_schedule_add(st, &s, &id), VG_OK);
    return id;
}

static store_digest_schedule get(store *st, int64_t id, store_digest_schedule **all,
                                 size_t *n)
{
    assert_int_equal(store_digest_schedule_list(st, all, n), VG_OK);
    for (size_t i = 0; i < *n; i++)
        if ((*all)[i].id == id)
            return (*all)[i];
    fail_msg("schedule %lld missing", (long long)id);
    return (*all)[0];
}

static void schedules_add_list_and_remove(void **state)
{
    fixture *fx = *state;
    store_digest_schedule *v = NULL, bad;
    size_t n = 0;

    int64_t a = add(fx->st, 1, 8, NULL);
    int64_t b = add(fx->st, 5, 17, "Fibrelia");
    assert_int_equal(store_digest_schedule_list(fx->st, &v, &n), VG_OK);
    assert_int_equal(n, 2);
    assert_int_equal(v[0].id, a);
    assert_int_equal(v[0].weekday, 1);
    assert_int_equal(v[0].hour, 8);
    assert_null(v[0].brand);
    assert_string_equal(v[1].brand, "Fibrelia");
    assert_string_equal(v[1].tz, "Europe/Paris");
    assert_string_equal(v[1].locale, "fr");
    assert_int_equal(v[1].created_at, 1000);
    assert_int_equal(v[1].due_at, 0);
    assert_int_equal(v[1].attempts, 0);
    store_digest_schedule_array_free(v, n);

    static const int bad_days[][2] = {{0, 8}, {8, 8}, {1, -1}, {1, 24}};
    for (size_t i = 0; i < sizeof bad_days / sizeof bad_days[0]; i++) {
        memset(&bad, 0, sizeof bad);
        bad.weekday = bad_days[i][0];
        bad.hour = bad_days[i][1];
        bad.tz = "UTC";
        bad.channel = "smtp://h/?from=a@b.c&to=d@e.f";
        bad.locale = "en";
        assert_int_equal(store_digest_schedule_add(fx->st, &bad, NULL), VG_EINVAL);
    }
    assert_int_equal(store_digest_schedule_rm(fx->st, a), VG_OK);
    assert_int_equal(store_digest_schedule_rm(fx->st, a), VG_ENOTFOUND);
    assert_int_equal(store_digest_schedule_rm(fx->st, b), VG_OK);
    assert_int_equal(store_digest_schedule_list(fx->st, &v, &n), VG_OK);
    assert_int_equal(n, 0);
    store_digest_schedule_array_free(v, n);
}

static void an_occurrence_is_claimed_once(void **state)
{
    fixture *fx = *state;
    store_digest_schedule *v = NULL, s;
    size_t n = 0;
    int64_t id = add(fx->st, 1, 8, NULL);

    /* Table of claims in order: occurrence, attempts seen, now, outcome. */
    static const struct {
        int64_t due;
        int seen;
        int64_t now;
        vg_err want;
        int attempts_after;
    } steps[] = {
        {5000, 0, 5010, VG_OK, 1},        /* first occurrence */
        {5000, 0, 5020, VG_EEXISTS, 1},   /* again: lost */
        {5000, 1, 5030, VG_EEXISTS, 1},   /* no retry was asked for */
    };
    for (size_t i = 0; i < sizeof steps / sizeof steps[0]; i++) {
        assert_int_equal(store_digest_schedule_claim(fx->st, id, steps[i].due, steps[i].seen,
                                                     steps[i].now),
                         steps[i].want);
        s = get(fx->st, id, &v, &n);
        assert_int_equal(s.attempts, steps[i].attempts_after);
        assert_int_equal(s.due_at, 5000);
        store_digest_schedule_array_free(v, n);
    }

    /* A failure asks for a retry at 6000. */
    assert_int_equal(store_digest_schedule_record(fx->st, id, 0, 42, "connection refused", 6000),
                     VG_OK);
    s = get(fx->st, id, &v, &n);
    assert_string_equal(s.last_error, "connection refused");
    assert_int_equal(s.digest_id, 42);
    assert_int_equal(s.retry_at, 6000);
    store_digest_schedule_array_free(v, n);
    assert_int_equal(store_digest_schedule_claim(fx->st, id, 5000, 1, 5999), VG_EEXISTS);
    assert_int_equal(store_digest_schedule_claim(fx->st, id, 5000, 0, 6000), VG_EEXISTS);
    assert_int_equal(store_digest_schedule_claim(fx->st, id, 5000, 1, 6000), VG_OK);
    /* The second claimant of the same retry loses. */
    assert_int_equal(store_digest_schedule_claim(fx->st, id, 5000, 1, 6000), VG_EEXISTS);
    s = get(fx->st, id, &v, &n);
    assert_int_equal(s.attempts, 2);
    assert_int_equal(s.retry_at, 0);
    store_digest_schedule_array_free(v, n);

    /* Sent: the digest id stays when none is given. */
    assert_int_equal(store_digest_schedule_record(fx->st, id, 6001, 0, NULL, 0), VG_OK);
    s = get(fx->st, id, &v, &n);
    assert_int_equal(s.sent_at, 6001);
    assert_int_equal(s.digest_id, 42);
    assert_null(s.last_error);
    store_digest_schedule_array_free(v, n);

    /* The next occurrence starts afresh; an older one never comes back. */
    assert_int_equal(store_digest_schedule_claim(fx->st, id, 4000, 0, 9000), VG_EEXISTS);
    assert_int_equal(store_digest_schedule_claim(fx->st, id, 9000, 0, 9001), VG_OK);
    s = get(fx->st, id, &v, &n);
    assert_int_equal(s.due_at, 9000);
    assert_int_equal(s.attempts, 1);
    assert_int_equal(s.sent_at, 0);
    assert_int_equal(s.digest_id, 0);
    store_digest_schedule_array_free(v, n);
    assert_int_equal(store_digest_schedule_claim(fx->st, 999, 9000, 0, 9001), VG_EEXISTS);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(schedules_add_list_and_remove, vgtest_store_setup, vgtest_store_teardown),
        cmocka_unit_test_setup_teardown(an_occurrence_is_claimed_once, vgtest_store_setup, vgtest_store_teardown),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
