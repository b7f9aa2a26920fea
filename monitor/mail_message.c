/*
 * Mail message building (see mail.h): headers checked against CR/LF
 * injection, non-ASCII subjects as RFC 2047 encoded-words, and bodies as
 * UTF-8 quoted-printable, so every line stays 7-bit and under SMTP's
 * length limit whatever the alert or digest text holds. Alert mails and
 * digest mails are both built here and sent by mail_smtp.c.
 */
#include "monitor/mail.h"

#include "core/buf.h"

#include <openssl/evp.h>
#include <openssl/rand.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

/* A whole message is refused past this size: mails are alerts and digests. */
#define MAIL_MAX_MESSAGE (8u << 20)
/* RFC 2045: quoted-printable lines are at most 76 characters. */
#define QP_LINE 76
/* Raw bytes per encoded-word: 45 bytes are 60 base64 characters, which
 * with "=?UTF-8?B?" and "?=" stay within RFC 2047's 75. */
#define EW_BYTES 45

static int is_ascii(const char *s)
{
    for (; *s; s++)
        if ((unsigned char)*s >= 0x80)
            return 0;
    return 1;
}

/* Length of the UTF-8 sequence starting with lead byte c (1 for stray
 * continuation bytes, so malformed text still advances). */
static size_t utf8_len(unsigned char c)
{
    if (c >= 0xf0 && c < 0xf8)
        return 4;
    if (c >= 0xe0)
        return c < 0xf0 ? 3 : 1;
    if (c >= 0xc0)
        return 2;
    return 1;
}

static void put_encoded_word(vg_buf *b, const unsigned char *p, size_t n)
{
    unsigned char out[4 * ((EW_BYTES + 2) / 3) + 1];
    int k = EVP_EncodeBlock(out, p, (int)n);
    vg_buf_puts(b, "=?UTF-8?B?");
    vg_buf_append(b, out, (size_t)k);
    vg_buf_puts(b, "?=");
}

vg_err mail_header_encode(const char *value, char **out)
{
    *out = NULL;
    vg_err err = mail_header_check(value, "header value");
    if (err != VG_OK)
        return err;
    if (is_ascii(value))
        return (*out = vg_strdup(value)) ? VG_OK : vg_error_set(VG_ENOMEM, "out of memory");
    vg_buf b;
    vg_buf_init(&b, 64 * 1024);
    const unsigned char *p = (const unsigned char *)value;
    size_t n = strlen(value), start = 0, i = 0;
    while (i < n) {
        size_t cl = utf8_len(p[i]);
        if (i + cl > n)
            cl = n - i;
        if (i + cl - start > EW_BYTES) {
            /* Words are separated by folding white space, which readers drop. */
            put_encoded_word(&b, p + start, i - start);
            vg_buf_puts(&b, "\r\n ");
            start = i;
        }
        i += cl;
    }
    put_encoded_word(&b, p + start, n - start);
    if (b.err != VG_OK) {
        vg_buf_free(&b);
        return vg_error_set(b.err, "subject too long");
    }
    *out = vg_buf_detach(&b);
    return VG_OK;
}

/* Quoted-printable body: LF or CRLF in, CRLF out, soft breaks at 76. */
static void put_qp(vg_buf *b, const char *text)
{
    static const char hex[] = "0123456789ABCDEF";
    const unsigned char *p = (const unsigned char *)text;
    size_t col = 0;
    while (*p) {
        if (*p == '\r' && p[1] == '\n') {
            p++;
            continue;
        }
        if (*p == '\n') {
            vg_buf_puts(b, "\r\n");
            col = 0;
            p++;
            continue;
        }
        char enc[4];
        size_t k;
        int at_eol = p[1] == '\0' || p[1] == '\n' || (p[1] == '\r' && p[2] == '\n');
        /* Trailing white space would be stripped in transit, '=' is the
         * escape itself, and a leading '.' is escaped so no relay can mistake
         * it for the end of DATA. */
        if ((*p >= 33 && *p <= 126 && *p != '=' && !(*p == '.' && col == 0)) ||
            ((*p == ' ' || *p == '\t') && !at_eol)) {
            enc[0] = (char)*p;
            k = 1;
        } else {
            enc[0] = '=';
            enc[1] = hex[*p >> 4];
            enc[2] = hex[*p & 15];
            k = 3;
        }
        if (col + k > QP_LINE - 1) {
            vg_buf_puts(b, "=\r\n");
            col = 0;
        }
        vg_buf_append(b, enc, k);
        col += k;
        p++;
    }
    if (col > 0)
        vg_buf_puts(b, "\r\n");
}

static void put_date(vg_buf *b, int64_t t)
{
    static const char *const days[] = {"Sun", "Mon", "Tue", "Wed", "Thu", "Fri", "Sat"};
    static const char *const months[] = {"Jan", "Feb", "Mar", "Apr", "May", "Jun",
                                         "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"};
    time_t tt = (time_t)t;
    struct tm tm;
    gmtime_r(&tt, &tm);
    /* Written by hand: strftime's %a and %b follow the locale. */
    vg_buf_printf(b, "Date: %s, %02d %s %04d %02d:%02d:%02d +0000\r\n", days[tm.tm_wday],
                  tm.tm_mday, months[tm.tm_mon], tm.tm_year + 1900, tm.tm_hour, tm.tm_min,
                  tm.tm_sec);
}

static void random_hex(char *out, size_t bytes)
{
    static const char hex[] = "0123456789abcdef";
    unsigned char r[32];
    if (bytes > sizeof r)
        bytes = sizeof r;
    if (RAND_bytes(r, (int)bytes) != 1) {
        /* Uniqueness, not secrecy, is what matters here. */
        uint64_t x = (uint64_t)time(NULL) ^ (uint64_t)(uintptr_t)out;
        for (size_t i = 0; i < bytes; i++) {
            x = x * 6364136223846793005ULL + 1442695040888963407ULL;
            r[i] = (unsigned char)(x >> 56);
        }
    }
    for (size_t i = 0; i < bytes; i++) {
        out[2 * i] = hex[r[i] >> 4];
        out[2 * i + 1] = hex[r[i] & 15];
    }
    out[2 * bytes] = '\0';
}

/* A Message-ID local part may only hold atom characters. */
static int id_ok(const char *s)
{
    if (!s || !*s || strlen(s) > 200)
        return 0;
    for (; *s; s++)
        if (!((*s >= 'a' && *s <= 'z') || (*s >= 'A' && *s <= 'Z') ||
              (*s >= '0' && *s <= '9') || strchr(".-_+=", *s)))
            return 0;
    return 1;
}

vg_err mail_message_build(const mail_message *m, char **out, size_t *len)
{
    vg_err err;
    char *subject = NULL, boundary[48], rnd[33];
    vg_buf b;
    *out = NULL;
    *len = 0;
    vg_buf_init(&b, MAIL_MAX_MESSAGE);
    if ((err = mail_header_check(m->from, "from")) != VG_OK)
        goto cleanup;
    if (m->nto == 0) {
        err = vg_error_set(VG_EINVAL, "no recipient");
        goto cleanup;
    }
    for (size_t i = 0; i < m->nto; i++)
        if ((err = mail_header_check(m->to[i], "to")) != VG_OK)
            goto cleanup;
    if (!m->text) {
        err = vg_error_set(VG_EINVAL, "no text part");
        goto cleanup;
    }
    if ((err = mail_header_encode(m->subject ? m->subject : "", &subject)) != VG_OK)
        goto cleanup;
    for (const char *const *h = m->extra_headers; h && *h; h++) {
        const char *colon = strchr(*h, ':');
        if ((err = mail_header_check(*h, "extra header")) != VG_OK)
            goto cleanup;
        if (!colon || colon == *h || colon[1] != ' ') {
            err = vg_error_set(VG_EINVAL, "extra header '%s' is not 'Name: value'", *h);
            goto cleanup;
        }
    }
    const char *domain = strrchr(m->from, '@');
    domain = domain ? domain + 1 : "vigie.invalid";

    put_date(&b, m->date);
    vg_buf_printf(&b, "From: <%s>\r\nTo: ", m->from);
    for (size_t i = 0; i < m->nto; i++)
        vg_buf_printf(&b, "%s<%s>", i ? ",\r\n " : "", m->to[i]);
    vg_buf_printf(&b, "\r\nSubject: %s\r\n", subject);
    random_hex(rnd, 12);
    if (id_ok(m->message_id))
        vg_buf_printf(&b, "Message-ID: <%s@%s>\r\n", m->message_id, domain);
    else
        vg_buf_printf(&b, "Message-ID: <%lld.%s@%s>\r\n", (long long)m->date, rnd, domain);
    for (const char *const *h = m->extra_headers; h && *h; h++)
        vg_buf_printf(&b, "%s\r\n", *h);
    vg_buf_puts(&b, "MIME-Version: 1.0\r\n");
    if (!m->html) {
        vg_buf_puts(&b, "Content-Type: text/plain; charset=UTF-8\r\n"
                        "Content-Transfer-Encoding: quoted-printable\r\n\r\n");
        put_qp(&b, m->text);
    } else {
        /* '=' and '_' cannot occur in a quoted-printable line as "--" plus
         * this, so the boundary never collides with the body. */
        random_hex(rnd, 16);
        snprintf(boundary, sizeof boundary, "=_vigie_%s", rnd);
        vg_buf_printf(&b,
                      "Content-Type: multipart/alternative; boundary=\"%s\"\r\n\r\n"
                      "This is a MIME message with a text and an HTML version.\r\n"
                      "--%s\r\n"
                      "Content-Type: text/plain; charset=UTF-8\r\n"
                      "Content-Transfer-Encoding: quoted-printable\r\n\r\n",
                      boundary, boundary);
        put_qp(&b, m->text);
        vg_buf_printf(&b,
                      "--%s\r\n"
                      "Content-Type: text/html; charset=UTF-8\r\n"
                      "Content-Transfer-Encoding: quoted-printable\r\n\r\n",
                      boundary);
        put_qp(&b, m->html);
        vg_buf_printf(&b, "--%s--\r\n", boundary);
    }
    if (b.err != VG_OK) {
        err = vg_error_set(b.err, "mail message too large");
        goto cleanup;
    }
    *len = b.len;
    *out = vg_buf_detach(&b);
cleanup:
    free(subject);
    vg_buf_free(&b);
    return err;
}
