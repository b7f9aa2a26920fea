/*
 * The robots.txt cache stays bounded however many origins a long run
 * meets (full-text mode follows links anywhere), and never frees an
 * entry whose robots.txt is being fetched: a transfer points at it.
 */
#include "crawler/fetch_int.h"

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdio.h>

static robots_entry *get(robots_cache *c, int i, int64_t now)
{
    char origin[64];
    snprintf(origin, sizeof origin, "https://site%d.example", i);
    robots_entry *en = robots_cache_get(c, origin, now);
    assert_non_null(en);
    return en;
}

static void expired_entries_go_first(void **state)
{
    (void)state;
    robots_cache c;
    assert_int_equal(robots_cache_init(&c), VG_OK);
    /* Half the cache expired at 1000 ms, half good until 10^9. */
    for (int i = 0; i < ROBOTS_CACHE_MAX; i++) {
        robots_entry *en = get(&c, i, 0);
        en->state = ROBOTS_READY;
        en->expires_ms = i % 2 ? 1000 : 1000000000;
    }
    assert_int_equal(c.count, ROBOTS_CACHE_MAX);
    get(&c, ROBOTS_CACHE_MAX, 5000);
    assert_int_equal(c.count, ROBOTS_CACHE_MAX / 2 + 1);
    /* A fresh entry survived with what it learnt. */
    robots_entry *en = get(&c, 0, 5000);
    assert_int_equal(en->state, ROBOTS_READY);
    assert_int_equal(c.count, ROBOTS_CACHE_MAX / 2 + 1);
    robots_cache_free(&c);
}

static void full_of_fresh_entries_keeps_those_being_fetched(void **state)
{
    (void)state;
    robots_cache c;
    assert_int_equal(robots_cache_init(&c), VG_OK);
    robots_entry *busy = NULL;
    for (int i = 0; i < ROBOTS_CACHE_MAX; i++) {
        robots_entry *en = get(&c, i, 0);
        en->state = i == 7 ? ROBOTS_FETCHING : ROBOTS_READY;
        en->expires_ms = 1000000000;
        if (i == 7)
            busy = en;
    }
    /* Many more origins than the cache holds: it never exceeds its size. */
    for (int i = ROBOTS_CACHE_MAX; i < 3 * ROBOTS_CACHE_MAX; i++) {
        robots_entry *en = get(&c, i, 10);
        en->state = ROBOTS_READY;
        en->expires_ms = 1000000000;
        assert_true(c.count <= ROBOTS_CACHE_MAX);
    }
    /* The entry being fetched is the same object, still fetching. */
    assert_ptr_equal(get(&c, 7, 10), busy);
    assert_int_equal(busy->state, ROBOTS_FETCHING);
    robots_cache_free(&c);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(expired_entries_go_first),
        cmocka_unit_test(full_of_fresh_entries_keeps_those_being_fetched),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
