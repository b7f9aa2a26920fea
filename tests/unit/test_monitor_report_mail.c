/*
 * The digest's mail and its PNG charts, without a database or a server:
 * a digest is assembled by hand, report_mail_build writes the message,
 * and this test parses it back on its own — CRLF line ends, headers, the
 * multipart/related > multipart/alternative tree, base64 lines of 76
 * characters that decode to the text digest, the HTML and real PNG
 * files, each chart's Content-ID referenced exactly once by the HTML.
 * The PNG charts are decoded with cairo and checked for the palette.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <cairo.h>
#include <openssl/evp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "core/buf.h"
#include "core/vtime.h"
#include "monitor/digest.h"
#include "monitor/report.h"

#define DAY 86400

/* ---- a digest by hand: two brands, one with an alert ---- */

typedef struct fixture {
    digest d;
    digest_brand b[2];
    digest_day days[2][7];
    digest_alert alert;
    digest_voice voices[2];
} fixture;

static void fixture_init(fixture *f)
{
    static const int counts[7][3] = {{3, 1, 2}, {0, 0, 0}, {5, 2, 9},  {1, 1, 1},
                                     {2, 0, 4}, {0, 3, 0}, {7, 1, 1}};

    memset(f, 0, sizeof *f);
    f->d.from = vg_timegm(2026, 11, 16, 0, 0, 0);
    f->d.to = f->d.from + DIGEST_WEEK;
    f->d.prev_from = f->d.from - DIGEST_WEEK;
    f->d.prev_to = f->d.from;
    f->d.generated_at = f->d.to + 3600;
    f->d.brands = f->b;
    f->d.n_brands = 2;
    f->d.voices = f->voices;
    f->d.n_voices = 2;
    f->voices[0] = (digest_voice){"Fibrélia", 49, 40, 0.7, 0.6};
    f->voices[1] = (digest_voice){"NetOcean", 21, 27, 0.3, 0.4};
    f->d.voice_total = 70;
    f->d.mentions = 70;
    for (int k = 0; k < 2; k++) {
        digest_brand *b = &f->b[k];
        b->id = k + 1;
        b->name = f->voices[k].name;
        b->days = f->days[k];
        b->n_days = 7;
        for (int i = 0; i < 7; i++) {
            f->days[k][i].start = f->d.from + (int64_t)i * DAY;
            f->days[k][i].pos = counts[i][0] * (k + 1);
            f->days[k][i].neu = counts[i][1];
            f->days[k][i].neg = counts[i][2];
        }
        for (int i = 0; i < DIGEST_TREND_WEEKS; i++) {
            digest_week *w = &b->trend[i];
            w->start = f->d.from - (int64_t)(DIGEST_TREND_WEEKS - 1 - i) * DIGEST_WEEK;
            w->total = i == 2 ? 0 : 10 + i;
            w->net = (i - 4) / 5.0;
        }
        b->cur.total = 49 - 28 * k;
        b->sov = f->voices[k].share;
    }
    f->alert.metric = "negative-share";
    f->alert.severity = "high";
    f->alert.bucket_start = f->d.from + 2 * DAY + 9 * 3600;
    f->b[0].alerts = &f->alert;
    f->b[0].n_alerts = 1;
    f->b[0].cur.alerts = 1;
}

/* ---- a small MIME reader, independent of report_mail.c ---- */

/* The value of header name in the header block h (unfolded), malloc'd;
 * NULL when absent. */
static char *header(const char *h, const char *name)
{
    size_t nl = strlen(name);
    const char *p = h;
    vg_buf v;

    for (;;) {
        if (strncasecmp(p, name, nl) == 0 && p[nl] == ':')
            break;
        p = strstr(p, "\r\n");
        if (p == NULL || p[2] == '\r')
            return NULL;
        p += 2;
    }
    p += nl + 1;
    while (*p == ' ')
        p++;
    vg_buf_init(&v, 1 << 20);
    for (;;) {
        const char *e = strstr(p, "\r\n");
        vg_buf_append(&v, p, (size_t)(e - p));
        if (e[2] != ' ' && e[2] != '\t')
            break;
        p = e + 2; /* unfolding drops the CRLF, keeps the space */
    }
    return vg_buf_detach(&v);
}

/* The boundary="..." parameter of a Content-Type value, malloc'd. */
static char *boundary(const char *ctype)
{
    const char *b = strstr(ctype, "boundary=\"");
    assert_non_null(b);
    b += 10;
    return strndup(b, strcspn(b, "\""));
}

typedef struct part {
    char *headers; /* ends with the blank line's CRLF */
    char *body;
} part;

/* Splits body on --bnd delimiters (RFC 2046 5.1.1); returns how many. */
static size_t parts(const char *body, const char *bnd, part *out, size_t cap)
{
    char delim[128];
    size_t n = 0;
    const char *p;

    snprintf(delim, sizeof delim, "--%s", bnd);
    p = strstr(body, delim);
    assert_non_null(p);
    for (;;) {
        p += strlen(delim);
        if (strncmp(p, "--", 2) == 0)
            break; /* the close delimiter */
        assert_memory_equal(p, "\r\n", 2);
        p += 2;
        const char *end = strstr(p, delim);
        assert_non_null(end);
        /* The CRLF before a delimiter belongs to the delimiter. */
        assert_memory_equal(end - 2, "\r\n", 2);
        const char *sep = strstr(p, "\r\n\r\n");
        assert_true(sep != NULL && sep < end);
        assert_true(n < cap);
        out[n].headers = strndup(p, (size_t)(sep + 2 - p));
        out[n].body = strndup(sep + 4, (size_t)(end - 2 - (sep + 4)));
        n++;
        p = end;
    }
    return n;
}

static void parts_free(part *v, size_t n)
{
    for (size_t i = 0; i < n; i++) {
        free(v[i].headers);
        free(v[i].body);
    }
}

/* Decodes base64 lines, checking each is at most 76 characters. */
static unsigned char *b64(const char *s, size_t *len)
{
    vg_buf out;
    const char *p = s;

    vg_buf_init(&out, 64u << 20);
    while (*p) {
        size_t n = strcspn(p, "\r");
        unsigned char tmp[80];
        int w;

        assert_true(n <= 76);
        assert_true(n % 4 == 0);
        w = EVP_DecodeBlock(tmp, (const unsigned char *)p, (int)n);
        assert_true(w >= 0);
        /* EVP_DecodeBlock counts the padding as zero bytes. */
        if (n >= 1 && p[n - 1] == '=')
            w--;
        if (n >= 2 && p[n - 2] == '=')
            w--;
        vg_buf_append(&out, tmp, (size_t)w);
        p += n;
        if (*p == '\r') {
            assert_int_equal(p[1], '\n');
            p += 2;
        }
    }
    *len = out.len;
    return (unsigned char *)vg_buf_detach(&out);
}

/* Decodes one header value made of RFC 2047 UTF-8 "B" words. */
static char *decode_words(const char *v)
{
    vg_buf out;
    const char *p = v;

    vg_buf_init(&out, 4096);
    while (*p) {
        if (*p == ' ') {
            p++;
            continue;
        }
        if (strncmp(p, "=?UTF-8?B?", 10) != 0 && strncmp(p, "=?utf-8?b?", 10) != 0) {
            vg_buf_puts(&out, p); /* plain ASCII */
            break;
        }
        p += 10;
        const char *e = strstr(p, "?=");
        assert_non_null(e);
        assert_true(e - p + 12 <= 75);
        char *chunk = strndup(p, (size_t)(e - p));
        size_t n;
        unsigned char *raw = b64(chunk, &n);
        vg_buf_append(&out, raw, n);
        free(raw);
        free(chunk);
        p = e + 2;
    }
    return vg_buf_detach(&out);
}

static size_t count(const char *hay, const char *needle)
{
    size_t n = 0;
    for (const char *p = hay; (p = strstr(p, needle)) != NULL; p += strlen(needle))
        n++;
    return n;
}

static const unsigned char png_sig[8] = {0x89, 'P', 'N', 'G', '\r', '\n', 0x1a, '\n'};

/* ---- tests ---- */

static void mail_is_related_alternative_with_every_chart_once(void **state)
{
    (void)state;
    fixture f;
    const char *to[] = {"cm@example.org", "boss@example.org"};
    report_mail_options o = REPORT_MAIL_OPTIONS_INIT;
    char *msg = NULL;
    size_t len = 0;

    fixture_init(&f);
    o.from = "vigie@example.net";
    o.to = to;
    o.nto = 2;
    o.date = vg_timegm(2026, 11, 23, 7, 0, 0);
    assert_int_equal(report_mail_build(&f.d, REPORT_EN, &o, &msg, &len), VG_OK);
    assert_int_equal(strlen(msg), len);

    /* Every line ends in CRLF and stays within SMTP's 998 characters
     * (base64 lines are checked for 76 where they are decoded). */
    for (const char *p = msg; *p;) {
        const char *e = strchr(p, '\n');
        assert_non_null(e);
        assert_int_equal(e[-1], '\r');
        assert_true(e - p - 1 <= 998);
        p = e + 1;
    }

    const char *sep = strstr(msg, "\r\n\r\n");
    assert_non_null(sep);
    char *h = strndup(msg, (size_t)(sep + 4 - msg));
    static const char *const needed[] = {"From", "To", "Subject", "Date", "Message-ID",
                                         "MIME-Version", "Content-Type"};
    for (size_t i = 0; i < sizeof needed / sizeof needed[0]; i++) {
        char *v = header(h, needed[i]);
        assert_non_null(v);
        free(v);
    }
    char *v = header(h, "From");
    assert_string_equal(v, "vigie@example.net");
    free(v);
    v = header(h, "To");
    assert_string_equal(v, "cm@example.org, boss@example.org");
    free(v);
    v = header(h, "Date");
    assert_string_equal(v, "Mon, 23 Nov 2026 07:00:00 +0000");
    free(v);
    v = header(h, "Message-ID");
    assert_true(v[0] == '<' && strstr(v, "@example.net>") != NULL);
    free(v);
    v = header(h, "Subject");
    char *subject = decode_words(v);
    assert_string_equal(subject, "Weekly digest — Nov 16, 2026 – Nov 22, 2026");
    free(subject);
    free(v);
    char *ctype = header(h, "Content-Type");
    assert_non_null(strstr(ctype, "multipart/related"));
    char *rel = boundary(ctype);

    part top[16], alt[4];
    size_t ntop = parts(sep + 4, rel, top, 16);
    /* The alternative, then share of voice, and per brand daily and
     * trend, and the alerts timeline of the brand with an alert. */
    assert_int_equal(ntop, 1 + 1 + 2 * 2 + 1);
    char *actype = header(top[0].headers, "Content-Type");
    assert_non_null(strstr(actype, "multipart/alternative"));
    char *altb = boundary(actype);
    assert_int_equal(parts(top[0].body, altb, alt, 4), 2);

    char *t = header(alt[0].headers, "Content-Type");
    assert_non_null(strstr(t, "text/plain"));
    assert_non_null(strstr(t, "utf-8"));
    free(t);
    t = header(alt[1].headers, "Content-Type");
    assert_non_null(strstr(t, "text/html"));
    free(t);
    size_t tlen, hlen;
    char *text = (char *)b64(alt[0].body, &tlen);
    char *html = (char *)b64(alt[1].body, &hlen);
    assert_non_null(strstr(text, "Fibrélia"));
    assert_non_null(strstr(html, "Fibrélia"));
    assert_null(strstr(html, "<svg"));
    /* Canonical text: no bare LF. */
    for (size_t i = 0; i < tlen; i++)
        if (text[i] == '\n')
            assert_int_equal(text[i - 1], '\r');

    size_t imgs = count(html, "<img src=\"cid:");
    assert_int_equal(imgs, ntop - 1);
    for (size_t i = 1; i < ntop; i++) {
        char *cid = header(top[i].headers, "Content-ID");
        char *ct = header(top[i].headers, "Content-Type");
        char *te = header(top[i].headers, "Content-Transfer-Encoding");
        char ref[320];
        size_t plen;

        assert_non_null(strstr(ct, "image/png"));
        assert_string_equal(te, "base64");
        assert_true(cid[0] == '<' && cid[strlen(cid) - 1] == '>');
        snprintf(ref, sizeof ref, "src=\"cid:%.*s\"", (int)strlen(cid) - 2, cid + 1);
        assert_int_equal(count(html, ref), 1);
        unsigned char *png = b64(top[i].body, &plen);
        assert_true(plen > 1000);
        assert_memory_equal(png, png_sig, 8);
        free(png);
        free(cid);
        free(ct);
        free(te);
    }
    /* Alt text on every image: the chart's title and its numbers. */
    assert_int_equal(count(html, "\" alt=\""), imgs);
    assert_non_null(strstr(html, "alt=\"Daily volume by sentiment — Fibrélia. "));
    assert_non_null(strstr(html, "alt=\"Share of voice. Fibrélia 70.0%"));

    free(text);
    free(html);
    free(t = actype);
    free(altb);
    parts_free(alt, 2);
    parts_free(top, ntop);
    free(rel);
    free(ctype);
    free(h);
    free(msg);
}

static void subject_follows_locale_and_brand(void **state)
{
    (void)state;
    static const struct {
        report_locale l;
        const char *brand;
        int64_t days;
        const char *want;
    } cases[] = {
        {REPORT_EN, NULL, 7, "Weekly digest — Nov 16, 2026 – Nov 22, 2026"},
        {REPORT_FR, NULL, 7, "Digest hebdomadaire — 16 nov. 2026 – 22 nov. 2026"},
        {REPORT_FR, "Fibrélia", 7, "Digest hebdomadaire — Fibrélia — 16 nov. 2026 – 22 nov. 2026"},
        {REPORT_EN, "Evil\r\nBcc: x@y", 7, "Weekly digest — EvilBcc: x@y — Nov 16, 2026 – Nov 22, 2026"},
        {REPORT_EN, NULL, 3, "Listening digest — Nov 16, 2026 – Nov 18, 2026"},
    };
    fixture f;

    fixture_init(&f);
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        char *s = NULL;
        f.d.to = f.d.from + cases[i].days * DAY;
        assert_int_equal(report_mail_subject(&f.d, cases[i].l, cases[i].brand, &s), VG_OK);
        assert_string_equal(s, cases[i].want);
        free(s);
    }
}

static void french_mail_encodes_its_subject(void **state)
{
    (void)state;
    fixture f;
    const char *to[] = {"cm@example.org"};
    report_mail_options o = REPORT_MAIL_OPTIONS_INIT;
    char *msg = NULL;
    size_t len = 0;

    fixture_init(&f);
    o.from = "vigie@example.net";
    o.to = to;
    o.nto = 1;
    o.brand = "Fibrélia";
    assert_int_equal(report_mail_build(&f.d, REPORT_FR, &o, &msg, &len), VG_OK);
    char *v = header(msg, "Subject");
    assert_non_null(v);
    for (const char *p = v; *p; p++)
        assert_true((unsigned char)*p < 0x80);
    char *s = decode_words(v);
    assert_string_equal(s, "Digest hebdomadaire — Fibrélia — 16 nov. 2026 – 22 nov. 2026");
    free(s);
    free(v);
    v = header(msg, "Content-Language");
    assert_string_equal(v, "fr");
    free(v);
    free(msg);
}

static void unsafe_addresses_are_refused(void **state)
{
    (void)state;
    static const char *const bad[] = {"", "nobody", "a@", "@b", "a b@c", "a@b\r\nBcc: x@y",
                                      "<a@b>", "a@b,c@d", "\"q\"@b"};
    fixture f;
    char *msg = NULL;
    size_t len;
    const char *ok[] = {"cm@example.org"};

    fixture_init(&f);
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        report_mail_options o = REPORT_MAIL_OPTIONS_INIT;
        const char *to[] = {bad[i]};
        o.from = "vigie@example.net";
        o.to = to;
        o.nto = 1;
        assert_int_equal(report_mail_build(&f.d, REPORT_EN, &o, &msg, &len), VG_EINVAL);
        assert_null(msg);
        o.from = bad[i];
        o.to = ok;
        assert_int_equal(report_mail_build(&f.d, REPORT_EN, &o, &msg, &len), VG_EINVAL);
    }
    report_mail_options o = REPORT_MAIL_OPTIONS_INIT;
    o.from = "vigie@example.net";
    assert_int_equal(report_mail_build(&f.d, REPORT_EN, &o, &msg, &len), VG_EINVAL);
}

/* Reads a PNG from memory through cairo. */
typedef struct reader {
    const unsigned char *p;
    size_t left;
} reader;

static cairo_status_t read_png(void *closure, unsigned char *data, unsigned int length)
{
    reader *r = closure;
    if (length > r->left)
        return CAIRO_STATUS_READ_ERROR;
    memcpy(data, r->p, length);
    r->p += length;
    r->left -= length;
    return CAIRO_STATUS_SUCCESS;
}

/* Counts the pixels within a small distance of rgb. */
static long pixels_near(cairo_surface_t *s, unsigned rgb)
{
    unsigned char *data = cairo_image_surface_get_data(s);
    int w = cairo_image_surface_get_width(s), h = cairo_image_surface_get_height(s);
    int stride = cairo_image_surface_get_stride(s);
    long n = 0;

    for (int y = 0; y < h; y++)
        for (int x = 0; x < w; x++) {
            uint32_t px;
            memcpy(&px, data + (size_t)y * (size_t)stride + (size_t)x * 4, 4);
            int dr = (int)((px >> 16) & 255) - (int)((rgb >> 16) & 255);
            int dg = (int)((px >> 8) & 255) - (int)((rgb >> 8) & 255);
            int db = (int)(px & 255) - (int)(rgb & 255);
            if (dr * dr + dg * dg + db * db < 100)
                n++;
        }
    return n;
}

static void png_charts_use_the_palette_and_hatching(void **state)
{
    (void)state;
    static const struct {
        report_chart kind;
        int brand;
        int width, height;
        int pos, neu, neg, hatch;
    } cases[] = {
        /* Daily: all three sentiments, the negative hatched. */
        {REPORT_CHART_DAILY, 0, 1120, 440, 1, 1, 1, 1},
        {REPORT_CHART_TREND, 0, 1120, 440, 1, 1, 0, 0},
        {REPORT_CHART_SOV, -1, 1120, 2 * (10 + 28 * 2 + 22), 1, 0, 0, 0},
        {REPORT_CHART_ALERTS, 0, 1120, 2 * 82, 0, 0, 1, 1},
    };
    fixture f;

    fixture_init(&f);
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        unsigned char *png = NULL;
        size_t len = 0;
        const digest_brand *b = cases[i].brand < 0 ? NULL : &f.b[cases[i].brand];

        assert_int_equal(report_png_chart(&f.d, b, cases[i].kind, REPORT_FR, &png, &len),
                         VG_OK);
        assert_memory_equal(png, png_sig, 8);
        reader r = {png, len};
        cairo_surface_t *s = cairo_image_surface_create_from_png_stream(read_png, &r);
        assert_int_equal(cairo_surface_status(s), CAIRO_STATUS_SUCCESS);
        assert_int_equal(cairo_image_surface_get_width(s), cases[i].width);
        assert_int_equal(cairo_image_surface_get_height(s), cases[i].height);
        assert_int_equal(pixels_near(s, 0x1f5fa8) > 50, cases[i].pos);
        assert_int_equal(pixels_near(s, 0x9a9a9a) > 1000, cases[i].neu);
        assert_int_equal(pixels_near(s, 0xe07b00) > 20, cases[i].neg);
        assert_int_equal(pixels_near(s, 0x7a3d00) > 20, cases[i].hatch);
        /* Text was drawn: dark ink somewhere. */
        assert_true(pixels_near(s, 0x1a1a1a) > 20);
        cairo_surface_destroy(s);
        free(png);
    }
    unsigned char *png = NULL;
    size_t len = 0;
    assert_int_equal(report_png_chart(&f.d, NULL, REPORT_CHART_DAILY, REPORT_EN, &png, &len),
                     VG_EINVAL);
    assert_null(png);
}

static void an_empty_digest_still_mails(void **state)
{
    (void)state;
    fixture f;
    const char *to[] = {"cm@example.org"};
    report_mail_options o = REPORT_MAIL_OPTIONS_INIT;
    char *msg = NULL;
    size_t len = 0;

    fixture_init(&f);
    f.d.n_brands = 0;
    f.d.n_voices = 0;
    f.d.mentions = 0;
    o.from = "vigie@example.net";
    o.to = to;
    o.nto = 1;
    assert_int_equal(report_mail_build(&f.d, REPORT_EN, &o, &msg, &len), VG_OK);
    assert_non_null(strstr(msg, "multipart/alternative"));
    assert_null(strstr(msg, "image/png"));
    free(msg);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(mail_is_related_alternative_with_every_chart_once),
        cmocka_unit_test(subject_follows_locale_and_brand),
        cmocka_unit_test(french_mail_encodes_its_subject),
        cmocka_unit_test(unsafe_addresses_are_refused),
        cmocka_unit_test(png_charts_use_the_palette_and_hatching),
        cmocka_unit_test(an_empty_digest_still_mails),
    };
    int failed = cmocka_run_group_tests(tests, NULL, NULL);
    report_png_release();
    return failed;
}
