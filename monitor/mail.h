/*
 * Mail delivery over SMTP, shared by alert channels and digest mails.
 *
 * A mail channel is written
 *     smtp://[user:password@]host[:port]/?from=ADDR&to=ADDR[,ADDR...]
 * (or smtps:// for TLS from the first byte). smtp:// upgrades with
 * STARTTLS when the server offers it. The user and password, when
 * present, log in. mail_target_parse() splits such a channel into what
 * libcurl needs; mail_send() hands it a complete message. Everything a
 * user typed that ends up in an SMTP command or a header is checked for
 * CR/LF first: a channel must not be able to inject commands or headers.
 */
#ifndef VG_MAIL_H
#define VG_MAIL_H

#include "core/vg.h"

#include <stddef.h>
#include <stdint.h>

typedef struct mail_target {
    char *url;  /* smtp(s)://[user:pass@]host:port, no query */
    char *from; /* bare address, no angle brackets */
    char **to;  /* nto bare addresses */
    size_t nto;
} mail_target;

/* Parses an smtp:// or smtps:// channel; VG_EINVAL with a one-line reason
 * naming the bad part. On success out owns its strings; the caller frees
 * them with mail_target_free (also after a failure: out is then empty). */
vg_err mail_target_parse(const char *channel, mail_target *out);

/* Frees what mail_target_parse put in t and empties it; t may be NULL. */
void mail_target_free(mail_target *t);

/* Sends one complete RFC 5322 message (headers + body, CRLF line ends)
 * to t through libcurl, within timeout_ms. VG_ENET with the server's
 * reason (its last error reply when it gave one) on failure, VG_ENOMEM.
 * Thread-safe: each call has its own curl handle. */
vg_err mail_send(const mail_target *t, const char *message, size_t len, long timeout_ms);

/* The same channel text with the password replaced by "***", for list
 * commands and logs; works for any "scheme://user:password@" text (so
 * webhook URLs too) and returns other text unchanged. Caller frees with
 * free(). NULL on ENOMEM (or when channel is NULL). */
char *mail_channel_redact(const char *channel);

/* VG_OK when s can go in a header value or an SMTP command: no CR, LF,
 * NUL or other control character but TAB. VG_EINVAL naming what
 * otherwise (what is a short label for the message, e.g. "subject"). */
vg_err mail_header_check(const char *s, const char *what);

/* Encodes a header value for a message: ASCII text comes back as is,
 * other text as RFC 2047 encoded-words (UTF-8, base64, each word within
 * the 75-character limit, split on character boundaries). Refuses CR/LF
 * with VG_EINVAL. *out is malloc'd; free(). */
vg_err mail_header_encode(const char *value, char **out);

typedef struct mail_message {
    const char *from;       /* bare address */
    char *const *to;        /* nto bare addresses, for the To: header */
    size_t nto;
    const char *subject;    /* UTF-8, encoded per RFC 2047 when needed */
    const char *text;       /* UTF-8 plain-text part (LF or CRLF) */
    const char *html;       /* UTF-8 HTML part, or NULL for text only */
    const char *const *extra_headers; /* "Name: value" lines or NULL; NULL-terminated */
    int64_t date;           /* Unix seconds for the Date: header */
    const char *message_id; /* Message-ID left of '@' (atom characters), or
                               NULL for a random one; a stable one lets mail
                               readers drop a re-sent copy */
} mail_message;

/* Builds a complete message: Date, From, To, Subject, Message-ID (its
 * domain taken from the from address),
 * MIME-Version and either one text/plain part or a multipart/alternative
 * of text then HTML, each UTF-8 and quoted-printable, CRLF line ends.
 * Every header value is checked for CR/LF (VG_EINVAL naming it). *out
 * is malloc'd and NUL-terminated, *len its length; free(). */
vg_err mail_message_build(const mail_message *m, char **out, size_t *len);

#endif
