/*
 * vg_buf: the capped growable buffer used by every module that builds
 * text from untrusted input.
 */
#include "core/buf.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

void vg_buf_init(vg_buf *b, size_t max)
{
    b->ptr = NULL;
    b->len = 0;
    b->cap = 0;
    b->max = max;
    b->err = VG_OK;
}

static vg_err grow(vg_buf *b, size_t need)
{
    if (b->err != VG_OK)
        return b->err;
    if (need > b->max)
        return b->err = VG_ETOOBIG;
    if (need + 1 <= b->cap)
        return VG_OK;
    size_t cap = b->cap ? b->cap : 64;
    while (cap < need + 1)
        cap = cap > SIZE_MAX / 2 ? need + 1 : cap * 2;
    char *p = realloc(b->ptr, cap);
    if (!p)
        return b->err = VG_ENOMEM;
    b->ptr = p;
    b->cap = cap;
    return VG_OK;
}

vg_err vg_buf_reserve(vg_buf *b, size_t n)
{
    if (b->err != VG_OK)
        return b->err;
    size_t want = b->len + n;
    if (want > b->max)
        want = b->max;
    return grow(b, want);
}

vg_err vg_buf_append(vg_buf *b, const void *data, size_t n)
{
    if (b->err != VG_OK)
        return b->err;
    if (n > SIZE_MAX - b->len - 1)
        return b->err = VG_ETOOBIG;
    /* Most appends fit: the tokenizer and the text writers append a few
     * bytes at a time, so the growth path stays out of the way. */
    if (b->len + n + 1 > b->cap || b->len + n > b->max) {
        vg_err rc = grow(b, b->len + n);
        if (rc != VG_OK)
            return rc;
    }
    if (n)
        memcpy(b->ptr + b->len, data, n);
    b->len += n;
    b->ptr[b->len] = '\0';
    return VG_OK;
}

vg_err vg_buf_puts(vg_buf *b, const char *s)
{
    return vg_buf_append(b, s, strlen(s));
}

vg_err vg_buf_putc(vg_buf *b, char c)
{
    if (b->err == VG_OK && b->len + 2 <= b->cap && b->len + 1 <= b->max) {
        b->ptr[b->len++] = c;
        b->ptr[b->len] = '\0';
        return VG_OK;
    }
    return vg_buf_append(b, &c, 1);
}

vg_err vg_buf_vprintf(vg_buf *b, const char *fmt, va_list ap)
{
    if (b->err != VG_OK)
        return b->err;
    va_list ap2;
    va_copy(ap2, ap);
    int n = vsnprintf(NULL, 0, fmt, ap2);
    va_end(ap2);
    if (n < 0)
        return b->err = VG_EINVAL;
    vg_err rc = grow(b, b->len + (size_t)n);
    if (rc != VG_OK)
        return rc;
    vsnprintf(b->ptr + b->len, (size_t)n + 1, fmt, ap);
    b->len += (size_t)n;
    return VG_OK;
}

vg_err vg_buf_printf(vg_buf *b, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    vg_err rc = vg_buf_vprintf(b, fmt, ap);
    va_end(ap);
    return rc;
}

void vg_buf_reset(vg_buf *b)
{
    b->len = 0;
    b->err = VG_OK;
    if (b->ptr)
        b->ptr[0] = '\0';
}

const char *vg_buf_str(const vg_buf *b)
{
    return b->ptr ? b->ptr : "";
}

char *vg_buf_detach(vg_buf *b)
{
    char *p = b->ptr ? b->ptr : calloc(1, 1);
    b->ptr = NULL;
    b->len = b->cap = 0;
    b->err = VG_OK;
    return p;
}

void vg_buf_free(vg_buf *b)
{
    free(b->ptr);
    b->ptr = NULL;
    b->len = b->cap = 0;
    b->err = VG_OK;
}

char *vg_strdup(const char *s)
{
    return s ? vg_strndup(s, strlen(s)) : NULL;
}

char *vg_strndup(const char *s, size_t n)
{
    char *p = malloc(n + 1);
    if (!p)
        return NULL;
    memcpy(p, s, n);
    p[n] = '\0';
    return p;
}
