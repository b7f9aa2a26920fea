/*
 * A growable byte buffer with a hard cap (after curl's dynbuf).
 *
 * Every use names its own maximum, so a hostile page or feed cannot make
 * us allocate without bound. Appends past the cap or a failed allocation
 * set a sticky error: callers may append many times and check once.
 * The content is always NUL-terminated when ptr is not NULL.
 */
#ifndef VG_BUF_H
#define VG_BUF_H

#include "core/vg.h"

#include <stdarg.h>
#include <stddef.h>

typedef struct vg_buf {
    char *ptr;    /* NULL until the first append */
    size_t len;   /* bytes used, excluding the terminating NUL */
    size_t cap;   /* bytes allocated */
    size_t max;   /* hard limit on len */
    vg_err err;   /* sticky: VG_OK, VG_ENOMEM or VG_ETOOBIG */
} vg_buf;

/* Initialises an empty buffer that will refuse to grow past max bytes. */
void vg_buf_init(vg_buf *b, size_t max);

/* Makes room for n more bytes without appending (capped at max), so a
 * caller who knows the size avoids repeated growth. Sticky error. */
vg_err vg_buf_reserve(vg_buf *b, size_t n);

/* Appends n bytes; returns the sticky error (VG_ETOOBIG past max). */
vg_err vg_buf_append(vg_buf *b, const void *data, size_t n);

/* Appends a NUL-terminated string. */
vg_err vg_buf_puts(vg_buf *b, const char *s);

/* Appends one byte. */
vg_err vg_buf_putc(vg_buf *b, char c);

/* Appends printf-style formatted text. */
vg_err vg_buf_printf(vg_buf *b, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));
vg_err vg_buf_vprintf(vg_buf *b, const char *fmt, va_list ap);

/* Empties the buffer, keeping its memory and clearing the sticky error. */
void vg_buf_reset(vg_buf *b);

/* Returns the content as a NUL-terminated string ("" when empty, never NULL);
 * borrowed: valid until the next append, reset or free. */
const char *vg_buf_str(const vg_buf *b);

/* Hands the content to the caller (free() it) and empties the buffer.
 * Returns an allocated "" when empty; NULL only on allocation failure. */
char *vg_buf_detach(vg_buf *b);

/* Releases the memory; the buffer may be reused after vg_buf_init. */
void vg_buf_free(vg_buf *b);

/* strdup that tolerates NULL (returns NULL); caller frees. */
char *vg_strdup(const char *s);

/* Duplicates n bytes into a NUL-terminated string; caller frees. */
char *vg_strndup(const char *s, size_t n);

#endif
