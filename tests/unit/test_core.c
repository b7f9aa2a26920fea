/*
 * core/: capped buffers, the bounded queue, durations and dates, URLs.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>

#include "core/buf.h"
#include "core/hash.h"
#include "core/queue.h"
#include "core/swar.h"
#include "core/url.h"
#include "core/vtime.h"

static void buf_refuses_to_grow_past_its_cap_and_stays_failed(void **state)
{
    (void)state;
    vg_buf b;
    vg_buf_init(&b, 8);
    assert_int_equal(vg_buf_puts(&b, "abcd"), VG_OK);
    assert_int_equal(vg_buf_printf(&b, "%d", 123), VG_OK);
    assert_string_equal(vg_buf_str(&b), "abcd123");
    assert_int_equal(vg_buf_puts(&b, "xy"), VG_ETOOBIG);
    /* Sticky: a later small append fails too, so one check at the end
     * catches the first failure. */
    assert_int_equal(vg_buf_putc(&b, 'z'), VG_ETOOBIG);
    assert_string_equal(vg_buf_str(&b), "abcd123");
    vg_buf_reset(&b);
    assert_int_equal(vg_buf_putc(&b, 'z'), VG_OK);
    char *s = vg_buf_detach(&b);
    assert_string_equal(s, "z");
    free(s);
    vg_buf_free(&b);
}

typedef struct { vg_queue *q; int n; long sum; } qarg;

static void *producer(void *p)
{
    qarg *a = p;
    for (intptr_t i = 1; i <= a->n; i++)
        assert_int_equal(vg_queue_push(a->q, (void *)i), VG_OK);
    return NULL;
}

static void queue_bounded_handoff_and_close(void **state)
{
    (void)state;
    vg_queue *q = vg_queue_new(4);
    qarg a = {q, 1000, 0};
    pthread_t th[2];
    pthread_create(&th[0], NULL, producer, &a);
    pthread_create(&th[1], NULL, producer, &a);
    long sum = 0;
    for (int i = 0; i < 2000; i++) {
        assert_true(vg_queue_len(q) <= 4);
        sum += (long)(intptr_t)vg_queue_pop(q);
    }
    pthread_join(th[0], NULL);
    pthread_join(th[1], NULL);
    assert_int_equal(sum, 2 * 1000 * 1001 / 2);
    assert_int_equal(vg_queue_try_push(q, (void *)1), VG_OK);
    vg_queue_close(q);
    assert_int_equal(vg_queue_push(q, (void *)2), VG_ECLOSED);
    assert_ptr_equal(vg_queue_pop(q), (void *)1); /* drains after close */
    assert_null(vg_queue_pop(q));
    int closed = 0;
    assert_null(vg_queue_pop_timed(q, 10, &closed));
    assert_true(closed);
    vg_queue_free(q);
}

static void queue_timed_pop_times_out_when_empty(void **state)
{
    (void)state;
    vg_queue *q = vg_queue_new(2);
    int closed = 1;
    int64_t t0 = vg_mono_ms();
    assert_null(vg_queue_pop_timed(q, 50, &closed));
    assert_false(closed);
    assert_true(vg_mono_ms() - t0 >= 40);
    vg_queue_free(q);
}

static void durations_and_cli_times(void **state)
{
    (void)state;
    static const struct { const char *in; int64_t want; } ok[] = {
        {"90", 90}, {"90s", 90}, {"15m", 900}, {"6h", 21600}, {"7d", 604800},
        {"2w", 1209600},
    };
    for (size_t i = 0; i < sizeof ok / sizeof ok[0]; i++) {
        int64_t v = -1;
        assert_int_equal(vg_duration_parse(ok[i].in, &v), VG_OK);
        assert_int_equal(v, ok[i].want);
    }
    static const char *bad[] = {"", "m", "-5m", "5y", "5 m", "abc"};
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        int64_t v;
        assert_int_equal(vg_duration_parse(bad[i], &v), VG_EINVAL);
    }
    int64_t now = 1800000000, t = 0;
    assert_int_equal(vg_time_parse_cli("7d", now, &t), VG_OK);
    assert_int_equal(t, now - 7 * 86400);
    assert_int_equal(vg_time_parse_cli("2026-11-23", now, &t), VG_OK);
    assert_int_equal(t, 1795392000);
    assert_int_equal(vg_time_parse_cli("2026-11-23T10:30Z", now, &t), VG_OK);
    assert_int_equal(t, 1795392000 + 37800);
    assert_int_equal(vg_time_parse_cli("@42", now, &t), VG_OK);
    assert_int_equal(t, 42);
    assert_int_equal(vg_time_parse_cli("2026-13-01", now, &t), VG_EINVAL);
    assert_int_equal(vg_time_parse_cli("yesterday", now, &t), VG_EINVAL);
    char iso[21], week[9];
    vg_time_iso(1795392000, iso);
    assert_string_equal(iso, "2026-11-23T00:00:00Z");
    vg_time_isoweek(1795392000, week);
    assert_string_equal(week, "2026-W48");
    assert_int_equal(vg_timegm(1970, 1, 1, 0, 0, 0), 0);
    assert_int_equal(vg_timegm(2000, 2, 29, 12, 0, 0), 951825600);
}

static void urls_resolve_and_canonicalise(void **state)
{
    (void)state;
    static const struct { const char *base, *ref, *want; } res[] = {
        {"http://h.example/feeds/a.xml", "art/1.html", "http://h.example/feeds/art/1.html"},
        {"http://h.example/feeds/a.xml", "/p?x=1", "http://h.example/p?x=1"},
        {"http://h.example/a/b", "../c", "http://h.example/c"},
        {NULL, "https://x.example/", "https://x.example/"},
        {"http://h.example/", "  http://y.example/z  ", "http://y.example/z"},
        /* An absolute reference is taken whole, whatever the base. */
        {"not a base", "HTTPS://Y.example/a/../b c", "https://Y.example/b%20c"},
        {"ftp://h.example/x/", "http://y.example:80/./z", "http://y.example:80/z"},
    };
    for (size_t i = 0; i < sizeof res / sizeof res[0]; i++) {
        char *out = NULL;
        assert_int_equal(vg_url_resolve(res[i].base, res[i].ref, &out), VG_OK);
        assert_string_equal(out, res[i].want);
        free(out);
    }
    char *out = NULL;
    assert_int_equal(vg_url_resolve(NULL, "relative/only", &out), VG_EPARSE);
    assert_int_equal(vg_url_resolve("http://h/", "ftp://x/y", &out), VG_EPARSE);
    assert_int_equal(vg_url_resolve("http://h/", "javascript:alert(1)", &out), VG_EPARSE);

    static const struct { const char *in, *want; } can[] = {
        {"HTTP://Example.COM:80/a/./b/../c#frag", "http://example.com/a/c"},
        {"https://example.com:443/x?utm_source=tw&id=3&fbclid=zz", "https://example.com/x?id=3"},
        {"https://example.com/x?utm_medium=a&gclid=b", "https://example.com/x"},
        {"http://example.com:8080/", "http://example.com:8080/"},
    };
    for (size_t i = 0; i < sizeof can / sizeof can[0]; i++) {
        assert_int_equal(vg_url_canonical(can[i].in, &out), VG_OK);
        assert_string_equal(out, can[i].want);
        free(out);
    }
    assert_int_equal(vg_url_host("http://Sub.Example.org:81/x", &out), VG_OK);
    assert_string_equal(out, "sub.example.org");
    free(out);
}

/* Every eight-byte test against a byte-by-byte reading, over blocks that
 * put each interesting value next to every other in every position
 * (carries between bytes are what such tests get wrong). */
static void swar_tests_agree_with_bytes(void **state)
{
    (void)state;
    static const unsigned char vals[] = {0x00, 0x01, 0x20, '0', '9', 'A', 'Z',
                                         '_', 'a', 'z', 0x7E, 0x7F, 0x80, 0xFF};
    const size_t nv = sizeof vals;
    unsigned char b[8], out[8];
    uint32_t seed = 12345;
    for (int round = 0; round < 20000; round++) {
        for (int k = 0; k < 8; k++) {
            seed = seed * 1103515245u + 12345u;
            b[k] = vals[(seed >> 16) % nv];
        }
        uint64_t w = vg_load8(b);
        vg_store8(out, w);
        assert_memory_equal(out, b, 8);
        for (size_t c = 0; c < nv; c++) {
            uint64_t eq = vg_bytes_eq(w, vals[c]), zero = vg_bytes_zero(w);
            for (int k = 0; k < 8; k++) {
                assert_int_equal((eq >> (8 * k)) & 0xFF, b[k] == vals[c] ? 0x80 : 0);
                assert_int_equal((zero >> (8 * k)) & 0xFF, b[k] == 0 ? 0x80 : 0);
            }
            if (w & VG_HIGHS8 || vals[c] == 0 || vals[c] > 0x80)
                continue; /* at_least is for ASCII bytes and c in 1..0x80 */
            uint64_t ge = vg_bytes_at_least(w, vals[c]);
            for (int k = 0; k < 8; k++)
                assert_int_equal((ge >> (8 * k)) & 0xFF, b[k] >= vals[c] ? 0x80 : 0);
        }
    }
}

static void hash_is_stable(void **state)
{
    (void)state;
    char hex[17];
    vg_hash_hex(vg_hash64("", 0), hex);
    assert_string_equal(hex, "cbf29ce484222325");
    assert_true(vg_hash64("a", 1) != vg_hash64("b", 1));
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(buf_refuses_to_grow_past_its_cap_and_stays_failed),
        cmocka_unit_test(queue_bounded_handoff_and_close),
        cmocka_unit_test(queue_timed_pop_times_out_when_empty),
        cmocka_unit_test(durations_and_cli_times),
        cmocka_unit_test(urls_resolve_and_canonicalise),
        cmocka_unit_test(swar_tests_agree_with_bytes),
        cmocka_unit_test(hash_is_stable),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
