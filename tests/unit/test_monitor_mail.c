/*
 * Mail channels and messages: what smtp:// channels parse to, what they
 * refuse (with the bad part named), passwords hidden for display, header
 * injection refused, RFC 2047 subjects and quoted-printable bodies.
 */
#include "monitor/mail.h"

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

static void mail_channel_parses_server_sender_and_recipients(void **state)
{
    (void)state;
    static const struct {
        const char *channel, *url, *from, *to0, *tolast;
        size_t nto;
    } cases[] = {
        {"smtp://mx.example.org/?from=v@example.org&to=a@example.org", "smtp://mx.example.org",
         "v@example.org", "a@example.org", "a@example.org", 1},
        {"smtps://bob:s%40cret@mx.example.org:465/?from=v@x.org&to=a@x.org,b@x.org",
         "smtps://bob:s%40cret@mx.example.org:465", "v@x.org", "a@x.org", "b@x.org", 2},
        {"smtp://127.0.0.1:2525?to=a+tag@x.org&from=v@x.org&to=c@x.org", "smtp://127.0.0.1:2525",
         "v@x.org", "a+tag@x.org", "c@x.org", 2},
        {"smtp://[::1]:25/?from=v%2Bx@x.org&to=a@x.org", "smtp://[::1]:25", "v+x@x.org",
         "a@x.org", "a@x.org", 1},
    };
    for (size_t i = 0; i < sizeof cases / sizeof *cases; i++) {
        mail_target t;
        assert_int_equal(mail_target_parse(cases[i].channel, &t), VG_OK);
        assert_string_equal(t.url, cases[i].url);
        assert_string_equal(t.from, cases[i].from);
        assert_int_equal(t.nto, cases[i].nto);
        assert_string_equal(t.to[0], cases[i].to0);
        assert_string_equal(t.to[t.nto - 1], cases[i].tolast);
        mail_target_free(&t);
        mail_target_free(&t); /* emptied: a second free is harmless */
    }
}

static void mail_channel_refusals_name_the_bad_part(void **state)
{
    (void)state;
    static const struct {
        const char *channel, *says;
    } cases[] = {
        {"http://mx/?from=a@b&to=c@d", "smtp://"},
        {"smtp:///?from=a@b&to=c@d", "host"},
        {"smtp://mx/?to=c@d", "from"},
        {"smtp://mx/?from=a@b", "to"},
        {"smtp://mx/?from=a@b&to=c@d&cc=e@f", "cc"},
        {"smtp://mx/?from=a@b&to=c@d,", "empty address"},
        {"smtp://mx/?from=notanaddress&to=c@d", "notanaddress"},
        {"smtp://mx/?from=a@b&to=c@d%0D%0ARCPT%20TO:<x@y>", "to"},
        {"smtp://mx/?from=a@b%0Ax&to=c@d", "line break"},
        {"smtp://mx/?from=a@b&to=c@d%00", "escape"},
        {"smtp://mx/?from=a@b&to=<c@d>", "not allowed"},
        {"smtp://mx/path?from=a@b&to=c@d", "after the host"},
        {"smtp://bob:pa/ss@mx/?from=a@b&to=c@d", "after the host"},
        {"smtp://u:p%0D%0A@mx/?from=a@b&to=c@d", "password"},
        {"smtp://mx:99999/?from=a@b&to=c@d", "server part"},
        {"smtp://mx/?from=a@b&to=c@d\r\nx", "control"},
    };
    for (size_t i = 0; i < sizeof cases / sizeof *cases; i++) {
        mail_target t;
        vg_err err = mail_target_parse(cases[i].channel, &t);
        if (err != VG_EINVAL)
            fail_msg("%s: expected VG_EINVAL, got %d", cases[i].channel, err);
        if (!strstr(vg_error_last(), cases[i].says))
            fail_msg("%s: message '%s' lacks '%s'", cases[i].channel, vg_error_last(),
                     cases[i].says);
        assert_null(t.url);
        assert_int_equal(t.nto, 0);
        /* no refusal repeats a password, even a badly written one */
        assert_null(strstr(vg_error_last(), "pa/ss"));
        assert_null(strstr(vg_error_last(), "p%0D"));
        mail_target_free(&t);
    }
}

static void mail_redact_hides_only_the_password(void **state)
{
    (void)state;
    static const struct {
        const char *in, *out;
    } cases[] = {
        {"smtp://bob:hunter2@mx:587/?from=a@b&to=c@d", "smtp://bob:***@mx:587/?from=a@b&to=c@d"},
        {"smtps://bob:p@ss@mx/?from=a@b&to=c@d", "smtps://bob:***@mx/?from=a@b&to=c@d"},
        {"smtp://bob@mx/?from=a@b&to=c@d", "smtp://bob@mx/?from=a@b&to=c@d"},
        {"smtp://mx/?from=a@b&to=c@d", "smtp://mx/?from=a@b&to=c@d"},
        {"webhook:https://u:tok@hooks.example/x?a=b@c",
         "webhook:https://u:***@hooks.example/x?a=b@c"},
        {"smtp://bob:pa/ss@mx/?from=a@b&to=c@d", "smtp://bob:***@mx/?from=a@b&to=c@d"},
        {"log", "log"},
        {"exec:echo a:b@c", "exec:echo a:b@c"},
    };
    for (size_t i = 0; i < sizeof cases / sizeof *cases; i++) {
        char *r = mail_channel_redact(cases[i].in);
        assert_non_null(r);
        assert_string_equal(r, cases[i].out);
        free(r);
    }
    assert_null(mail_channel_redact(NULL));
}

static void mail_subject_encodes_non_ascii_as_rfc2047_words(void **state)
{
    (void)state;
    char *s = NULL;
    assert_int_equal(mail_header_encode("plain subject", &s), VG_OK);
    assert_string_equal(s, "plain subject");
    free(s);
    assert_int_equal(mail_header_encode("Alerte négative", &s), VG_OK);
    assert_string_equal(s, "=?UTF-8?B?QWxlcnRlIG7DqWdhdGl2ZQ==?=");
    free(s);
    /* 40 two-byte characters: several words, none longer than 75, no
     * character split between two words (each word decodes alone). */
    char longv[81];
    for (int i = 0; i < 40; i++)
        memcpy(longv + 2 * i, "\xc3\xa9", 2);
    longv[80] = '\0';
    assert_int_equal(mail_header_encode(longv, &s), VG_OK);
    size_t words = 0;
    for (char *w = strstr(s, "=?UTF-8?B?"); w; w = strstr(w + 1, "=?UTF-8?B?")) {
        char *end = strstr(w + 10, "?=");
        assert_non_null(end);
        assert_true(end + 2 - w <= 75);
        assert_int_equal((end - (w + 10)) % 4, 0);
        words++;
    }
    assert_int_equal(words, 2);
    free(s);
    assert_int_equal(mail_header_encode("a\r\nBcc: x@y", &s), VG_EINVAL);
    assert_null(s);
}

static void mail_message_has_both_parts_and_refuses_injection(void **state)
{
    (void)state;
    char *to[] = {"a@x.org", "b@x.org"};
    const char *extra[] = {"X-Vigie-Alert-Key: k-1", NULL};
    mail_message m = {.from = "v@x.org", .to = to, .nto = 2, .subject = "Panne détectée",
                      .text = "ligne = un\n.point\nfin  \n", .html = "<p>é</p>",
                      .extra_headers = extra, .date = 1795000000, .message_id = "k-1"};
    char *msg = NULL;
    size_t len = 0;
    assert_int_equal(mail_message_build(&m, &msg, &len), VG_OK);
    assert_int_equal(strlen(msg), len);
    assert_non_null(strstr(msg, "Subject: =?UTF-8?B?"));
    assert_non_null(strstr(msg, "Date: "));
    assert_non_null(strstr(msg, " +0000\r\n"));
    assert_non_null(strstr(msg, "Message-ID: <k-1@x.org>\r\n"));
    assert_non_null(strstr(msg, "X-Vigie-Alert-Key: k-1\r\n"));
    assert_non_null(strstr(msg, "multipart/alternative"));
    assert_non_null(strstr(msg, "text/plain; charset=UTF-8"));
    assert_non_null(strstr(msg, "text/html; charset=UTF-8"));
    assert_non_null(strstr(msg, "ligne =3D un\r\n=2Epoint\r\nfin =20\r\n"));
    assert_non_null(strstr(msg, "<p>=C3=A9</p>"));
    for (const char *p = msg; *p; p++) /* 7-bit, CRLF only */
        assert_true((unsigned char)*p < 0x80 && (*p != '\n' || (p > msg && p[-1] == '\r')));
    free(msg);

    const char *bad_extra[] = {"X-A: b\r\nBcc: evil@x.org", NULL};
    m.extra_headers = bad_extra;
    assert_int_equal(mail_message_build(&m, &msg, &len), VG_EINVAL);
    assert_null(msg);
    m.extra_headers = NULL;
    m.subject = "hi\nBcc: evil@x.org";
    assert_int_equal(mail_message_build(&m, &msg, &len), VG_EINVAL);
    m.subject = "hi";
    char *badto[] = {"a@x.org\r\nBcc: e@x.org"};
    m.to = badto;
    m.nto = 1;
    assert_int_equal(mail_message_build(&m, &msg, &len), VG_EINVAL);
}

static void mail_long_lines_get_soft_breaks(void **state)
{
    (void)state;
    char *to[] = {"a@x.org"};
    char text[301];
    memset(text, 'x', 300);
    text[300] = '\0';
    mail_message m = {.from = "v@x.org", .to = to, .nto = 1, .subject = "s", .text = text,
                      .date = 0};
    char *msg = NULL;
    size_t len = 0;
    assert_int_equal(mail_message_build(&m, &msg, &len), VG_OK);
    assert_null(strstr(msg, "multipart"));
    const char *body = strstr(msg, "\r\n\r\n");
    assert_non_null(body);
    size_t col = 0, xs = 0;
    for (const char *p = body + 4; *p; p++) {
        if (*p == '\r' || *p == '\n') {
            col = 0;
            continue;
        }
        assert_true(++col <= 76);
        xs += *p == 'x';
    }
    assert_int_equal(xs, 300);
    free(msg);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(mail_channel_parses_server_sender_and_recipients),
        cmocka_unit_test(mail_channel_refusals_name_the_bad_part),
        cmocka_unit_test(mail_redact_hides_only_the_password),
        cmocka_unit_test(mail_subject_encodes_non_ascii_as_rfc2047_words),
        cmocka_unit_test(mail_message_has_both_parts_and_refuses_injection),
        cmocka_unit_test(mail_long_lines_get_soft_breaks),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
