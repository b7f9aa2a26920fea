/*
 * Charsets: deciding how a fetched body is encoded and converting it to
 * UTF-8, the only encoding the rest of vigie sees.
 *
 * The decision follows browsers (WHATWG "encoding sniffing"): a byte
 * order mark, then the HTTP Content-Type charset, then a <meta> charset
 * declaration in the first CHARSET_PRESCAN_BYTES, then valid UTF-8, then
 * uchardet's guess. Labels are mapped the way browsers map them
 * (ISO-8859-1, latin1 and ASCII mean windows-1252). Conversion is iconv;
 * bytes that are invalid in the chosen encoding become U+FFFD, so the
 * output is always valid UTF-8. Thread-safe, no I/O.
 */
#ifndef VG_CHARSET_H
#define VG_CHARSET_H

#include "core/vg.h"

#include <stddef.h>

/* How far into a page <meta charset> is looked for. */
#define CHARSET_PRESCAN_BYTES 4096u

/* Converts data (len bytes, any encoding, may contain NULs) to UTF-8.
 * content_type is the HTTP Content-Type value (may be NULL). On success
 * *out is a malloc'd NUL-terminated UTF-8 string of *out_len bytes
 * (free()), with any BOM removed and invalid bytes replaced by U+FFFD;
 * *charset_used, when charset_used is not NULL, is the malloc'd
 * canonical name that was used (e.g. "UTF-8", "WINDOWS-1252"; free()).
 * VG_ENOMEM; VG_EINVAL on NULL out pointers. */
vg_err charset_to_utf8(const char *data, size_t len, const char *content_type,
                       char **out, size_t *out_len, char **charset_used);

/* Converts data from the named charset (a label as found in a header or
 * a document, mapped like charset_normalize) to UTF-8, replacing invalid
 * bytes with U+FFFD. *out is malloc'd (free()). VG_EINVAL when iconv does
 * not know the charset; VG_ENOMEM. */
vg_err charset_convert(const char *data, size_t len, const char *charset,
                       char **out, size_t *out_len);

/* Maps a charset label to the canonical iconv name vigie uses: trims
 * quotes and spaces, lower-cases, applies the browser aliases
 * (iso-8859-1/latin1/ascii -> WINDOWS-1252, utf8 -> UTF-8, gb2312 ->
 * GBK, ...). Returns a malloc'd name (free()), or NULL when the label is
 * empty or iconv cannot convert from it. */
char *charset_normalize(const char *label, size_t len);

/* The charset parameter of a Content-Type value ("text/html;
 * charset=ISO-8859-1"), normalised as charset_normalize does; malloc'd,
 * or NULL when absent or unknown. */
char *charset_from_content_type(const char *content_type);

/* The charset declared by <meta charset> or <meta http-equiv=Content-Type
 * content="...; charset=..."> within the first CHARSET_PRESCAN_BYTES of
 * an HTML document, normalised; malloc'd, or NULL when none. A declared
 * UTF-16 means UTF-8 here (the bytes being ASCII-compatible proves the
 * declaration wrong), as browsers do. */
char *charset_from_meta(const char *data, size_t len);

/* 1 when data is entirely valid UTF-8 (no overlongs, no surrogates,
 * nothing past U+10FFFF), else 0. */
int charset_is_utf8(const char *data, size_t len);

#endif
