/*
 * The digest as a mail message (RFC 5322 with MIME, RFC 2045-2047 and
 * RFC 2387): what `vigie digest --send` and the digest schedules hand to
 * the SMTP transport (monitor/mail.h). Layout:
 *
 *   multipart/related; type="multipart/alternative"
 *   ├── multipart/alternative
 *   │   ├── text/plain  the txt digest
 *   │   └── text/html   the HTML digest with <img src="cid:..."> charts
 *   └── image/png ...   one per chart, Content-ID as referenced above
 *
 * Gmail and Outlook drop inline SVG, so the HTML part is the mail mode of
 * report_html.c and the charts are the PNG twins of report_png.c. Every
 * part is base64 (76-character lines): the HTML has lines longer than
 * SMTP's 998, and one encoding keeps the builder small. Lines end in
 * CRLF, as SMTP and MIME require. The subject (an em dash, a brand's
 * accents) is RFC 2047 encoded by mail.h's mail_header_encode; alert
 * mails, plain text only, are built by mail.h's mail_message_build.
 */
#include "monitor/report_int.h"

#include "core/vtime.h"
#include "monitor/mail.h"

#include <openssl/evp.h>
#include <openssl/rand.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

/* Appends data as base64 in lines of 76 characters ending in CRLF. */
static void base64_lines(vg_buf *out, const unsigned char *data, size_t len)
{
    unsigned char line[80];

    for (size_t i = 0; i < len; i += 57) {
        size_t n = len - i < 57 ? len - i : 57;
        int w = EVP_EncodeBlock(line, data + i, (int)n);
        vg_buf_append(out, line, (size_t)w);
        vg_buf_puts(out, "\r\n");
    }
}

/* Text in canonical form (RFC 2046: CRLF line ends), then base64. */
static vg_err text_part(vg_buf *out, const char *type, const char *text)
{
    vg_buf crlf;
    vg_err err;

    vg_buf_init(&crlf, REPORT_MAIL_MAX_BYTES);
    for (const char *p = text; *p; p++) {
        if (*p == '\n' && (p == text || p[-1] != '\r'))
            vg_buf_putc(&crlf, '\r');
        vg_buf_putc(&crlf, *p);
    }
    vg_buf_printf(out, "Content-Type: %s; charset=utf-8\r\n"
                       "Content-Transfer-Encoding: base64\r\n\r\n",
                  type);
    base64_lines(out, (const unsigned char *)vg_buf_str(&crlf), crlf.len);
    err = crlf.err;
    vg_buf_free(&crlf);
    return err;
}

/* A bare address fit for a header: something@domain, no spaces, no
 * characters that would end the header or start another address. */
static int address_ok(const char *a)
{
    const char *at;

    if (a == NULL || *a == '\0' || strlen(a) > 254)
        return 0;
    for (const char *p = a; *p; p++)
        if ((unsigned char)*p <= 0x20 || (unsigned char)*p >= 0x7f || strchr("<>,;\"()\\", *p))
            return 0;
    at = strrchr(a, '@');
    return at != NULL && at != a && at[1] != '\0';
}

/* Strips control characters (a brand name could hold a newline). */
static void put_clean(vg_buf *out, const char *s)
{
    for (; *s; s++)
        if ((unsigned char)*s >= 0x20 && *s != 0x7f)
            vg_buf_putc(out, *s);
}

vg_err report_mail_subject(const digest *d, report_locale l,
                           const char *brand, char **out)
{
    vg_buf b;

    vg_buf_init(&b, 4096);
    if (d->to - d->from == DIGEST_WEEK)
        vg_buf_puts(&b, l == REPORT_FR ? "Digest hebdomadaire" : "Weekly digest");
    else
        vg_buf_puts(&b, report_tr(l, M_TITLE));
    if (brand != NULL) {
        vg_buf_puts(&b, " — ");
        put_clean(&b, brand);
    }
    vg_buf_puts(&b, " — ");
    report_fmt_date(&b, l, d->from);
    vg_buf_puts(&b, " – ");
    report_fmt_date(&b, l, d->to - 1);
    *out = b.err == VG_OK ? vg_buf_detach(&b) : NULL;
    vg_buf_free(&b);
    return *out != NULL ? VG_OK : vg_error_set(VG_ENOMEM, "mail: out of memory");
}

/* "Mon, 23 Nov 2026 08:00:00 +0000" in English whatever the locale, as
 * RFC 5322 requires. */
static void date_header(vg_buf *out, int64_t t)
{
    static const char days[7][4] = {"Sun", "Mon", "Tue", "Wed", "Thu", "Fri", "Sat"};
    static const char months[12][4] = {"Jan", "Feb", "Mar", "Apr", "May", "Jun",
                                       "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"};
    time_t tt = (time_t)t;
    struct tm tm;

    gmtime_r(&tt, &tm);
    vg_buf_printf(out, "Date: %s, %02d %s %04d %02d:%02d:%02d +0000\r\n", days[tm.tm_wday],
                  tm.tm_mday, months[tm.tm_mon], tm.tm_year + 1900, tm.tm_hour, tm.tm_min,
                  tm.tm_sec);
}

vg_err report_mail_build(const digest *d, report_locale l,
                         const report_mail_options *o, char **out,
                         size_t *len)
{
    vg_buf m, html, text;
    report_image *imgs = NULL;
    size_t n_imgs = 0;
    unsigned char rnd[12];
    char token[2 * sizeof rnd + 1], domain[256], cid_domain[300];
    char *subject = NULL, *subject_enc = NULL;
    const char *at;
    vg_err err = VG_OK;

    *out = NULL;
    *len = 0;
    vg_buf_init(&m, REPORT_MAIL_MAX_BYTES);
    vg_buf_init(&html, REPORT_MAX_BYTES);
    vg_buf_init(&text, REPORT_MAX_BYTES);
    if (!address_ok(o->from))
        return vg_error_set(VG_EINVAL, "mail: bad sender address '%s'",
                            o->from ? o->from : "");
    if (o->nto == 0)
        return vg_error_set(VG_EINVAL, "mail: no recipient");
    for (size_t i = 0; i < o->nto; i++)
        if (!address_ok(o->to[i]))
            return vg_error_set(VG_EINVAL, "mail: bad recipient address '%s'",
                                o->to[i] ? o->to[i] : "");

    /* One random token makes the boundaries, the Message-ID and the
     * Content-IDs unique; a boundary cannot occur in base64 text since it
     * holds "=_", which base64 only ever ends with. */
    if (RAND_bytes(rnd, (int)sizeof rnd) != 1) {
        err = vg_error_set(VG_EIO, "mail: no random bytes");
        goto cleanup;
    }
    for (size_t i = 0; i < sizeof rnd; i++) {
        static const char hex[] = "0123456789abcdef";
        token[2 * i] = hex[rnd[i] >> 4];
        token[2 * i + 1] = hex[rnd[i] & 15];
    }
    token[2 * sizeof rnd] = '\0';
    at = strrchr(o->from, '@');
    snprintf(domain, sizeof domain, "%s", at + 1);
    snprintf(cid_domain, sizeof cid_domain, "%s@%s", token, domain);

    if ((err = report_render_text(d, l, 0, &text)) != VG_OK)
        goto cleanup;
    if ((err = report_render_html_mail(d, l, cid_domain, &html, &imgs, &n_imgs)) != VG_OK)
        goto cleanup;
    if (text.err != VG_OK || html.err != VG_OK) {
        err = vg_error_set(text.err != VG_OK ? text.err : html.err, "mail: digest too large");
        goto cleanup;
    }
    if ((err = report_mail_subject(d, l, o->brand, &subject)) != VG_OK)
        goto cleanup;
    if ((err = mail_header_encode(subject, &subject_enc)) != VG_OK)
        goto cleanup;

    vg_buf_printf(&m, "From: %s\r\nTo: ", o->from);
    for (size_t i = 0; i < o->nto; i++)
        vg_buf_printf(&m, "%s%s", i ? ",\r\n " : "", o->to[i]);
    vg_buf_puts(&m, "\r\n");
    vg_buf_printf(&m, "Subject: %s\r\n", subject_enc);
    date_header(&m, o->date ? o->date : vg_now());
    vg_buf_printf(&m, "Message-ID: <digest.%s@%s>\r\n", token, domain);
    vg_buf_puts(&m, "MIME-Version: 1.0\r\n");
    vg_buf_printf(&m, "Content-Language: %s\r\n", report_locale_name(l));
    vg_buf_printf(&m, "Content-Type: multipart/related; type=\"multipart/alternative\";\r\n"
                      " boundary=\"=_rel_%s\"\r\n\r\n",
                  token);
    vg_buf_puts(&m, "This is a MIME message: the digest in text, in HTML and its charts.\r\n");
    vg_buf_printf(&m, "\r\n--=_rel_%s\r\n", token);
    vg_buf_printf(&m, "Content-Type: multipart/alternative; boundary=\"=_alt_%s\"\r\n\r\n",
                  token);
    vg_buf_printf(&m, "--=_alt_%s\r\n", token);
    if ((err = text_part(&m, "text/plain", vg_buf_str(&text))) != VG_OK)
        goto too_big;
    vg_buf_printf(&m, "\r\n--=_alt_%s\r\n", token);
    if ((err = text_part(&m, "text/html", vg_buf_str(&html))) != VG_OK)
        goto too_big;
    vg_buf_printf(&m, "\r\n--=_alt_%s--\r\n", token);
    for (size_t i = 0; i < n_imgs; i++) {
        /* The cid is "chartN.<token>@<domain>": its part before the dot
         * names the file. */
        size_t stem = strcspn(imgs[i].cid, ".");
        vg_buf_printf(&m, "\r\n--=_rel_%s\r\n", token);
        vg_buf_printf(&m, "Content-Type: image/png; name=\"%.*s.png\"\r\n"
                          "Content-Transfer-Encoding: base64\r\n"
                          "Content-ID: <%s>\r\n"
                          "Content-Disposition: inline; filename=\"%.*s.png\"\r\n\r\n",
                      (int)stem, imgs[i].cid, imgs[i].cid, (int)stem, imgs[i].cid);
        base64_lines(&m, imgs[i].png, imgs[i].len);
    }
    vg_buf_printf(&m, "\r\n--=_rel_%s--\r\n", token);

too_big:
    if (err == VG_OK && m.err != VG_OK)
        err = m.err;
    if (err != VG_OK) {
        err = vg_error_set(err, "mail: %s",
                           err == VG_ETOOBIG ? "message larger than the limit" : "out of memory");
        goto cleanup;
    }
    *len = m.len;
    *out = vg_buf_detach(&m);
    if (*out == NULL) {
        *len = 0;
        err = vg_error_set(VG_ENOMEM, "mail: out of memory");
    }

cleanup:
    free(subject);
    free(subject_enc);
    report_image_array_free(imgs, n_imgs);
    vg_buf_free(&m);
    vg_buf_free(&html);
    vg_buf_free(&text);
    return err;
}
