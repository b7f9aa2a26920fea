/*
 * The alert document: its readable `text` says the figures and, when the
 * alert has a detail, the bucket's top terms and most negative mentions;
 * the detail itself is carried as JSON; channel checks accept mail
 * channels and never repeat a password when they refuse one.
 */
#include "monitor/alert.h"

#include <jansson.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#define DETAIL \
    "{\"bucket_mentions\":40,\"reference_mentions\":300," \
    "\"top_terms\":[{\"term\":\"panne\",\"count\":30,\"reference_count\":1}," \
    "{\"term\":\"coupure internet\",\"count\":12,\"reference_count\":0}]," \
    "\"negative_mentions\":[{\"score\":-0.9,\"snippet\":\"Fibrelia est une honte\"," \
    "\"url\":\"https://n.example.test/1\",\"published_at\":\"2026-01-04T00:10:00Z\"}]}"

static store_delivery sample(const char *d)
{
    store_delivery v = {7, 3, 1, "vigie-3-1", "log", NULL, 0, "Fibrelia", "volume", "high",
                        (char *)d, 1767484800, 1767485400, 200, 10, 5, 16, 0.99};
    return v;
}

static void alert_text_lists_top_terms_and_worst_mentions(void **state)
{
    (void)state;
    static const struct {
        const char *detail;
        const char *has[4];
        const char *lacks;
    } cases[] = {
        {NULL, {"[vigie] high alert: Fibrelia volume at 200", "expected 10", NULL}, "Top terms"},
        {"not json", {"usual range 5-16", NULL}, "Top terms"},
        {"{\"top_terms\":[],\"negative_mentions\":[]}", {"unusualness 0.99", NULL}, "\n"},
        {DETAIL,
         {"\nTop terms: panne (30), coupure internet (12)",
          "\nMost negative mentions:\n- -0.90 \"Fibrelia est une honte\" "
          "https://n.example.test/1",
          NULL},
         NULL},
    };
    for (size_t i = 0; i < sizeof cases / sizeof *cases; i++) {
        store_delivery d = sample(cases[i].detail);
        char *out = NULL;
        assert_int_equal(alert_render_json(&d, &out), VG_OK);
        json_t *o = json_loads(out, 0, NULL);
        assert_non_null(o);
        const char *text = json_string_value(json_object_get(o, "text"));
        assert_non_null(text);
        for (size_t k = 0; k < 4 && cases[i].has[k]; k++)
            if (!strstr(text, cases[i].has[k]))
                fail_msg("case %zu: '%s' lacks '%s'", i, text, cases[i].has[k]);
        if (cases[i].lacks)
            assert_null(strstr(text, cases[i].lacks));
        if (cases[i].detail == NULL || strcmp(cases[i].detail, DETAIL) == 0) {
            json_t *terms = json_object_get(json_object_get(o, "detail"), "top_terms");
            /* the detail travels as JSON, absent when there is none */
            assert_int_equal(json_array_size(terms), cases[i].detail ? 2 : 0);
        }
        assert_string_equal(json_string_value(json_object_get(o, "idempotency_key")),
                            "vigie-3-1");
        json_decref(o);
        free(out);
    }
}

static void alert_channel_check_knows_mail_and_hides_passwords(void **state)
{
    (void)state;
    assert_int_equal(alert_channel_check("smtp://mx.example.test/?from=a@x.test&to=b@x.test"),
                     VG_OK);
    assert_int_equal(
        alert_channel_check("smtps://u:p@mx.example.test:465/?from=a@x.test&to=b@x.test"), VG_OK);
    assert_int_equal(alert_channel_check("smtp://mx.example.test/?from=a@x.test"), VG_EINVAL);
    assert_non_null(strstr(vg_error_last(), "to="));
    assert_int_equal(alert_channel_check("ftp://user:hunter2@files.example.test/"), VG_EINVAL);
    assert_null(strstr(vg_error_last(), "hunter2"));
    assert_non_null(strstr(vg_error_last(), "user:***@files.example.test"));
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(alert_text_lists_top_terms_and_worst_mentions),
        cmocka_unit_test(alert_channel_check_knows_mail_and_hides_passwords),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
