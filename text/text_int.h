/*
 * Private to text/: helpers shared between the tokenizer and folding.
 */
#ifndef VG_TEXT_INT_H
#define VG_TEXT_INT_H

#include "text/text.h"

/* Appends the folded form of one code point to out. */
vg_err fold_codepoint(int32_t cp, vg_buf *out);

/* The same through utf8proc alone, without fold.c's tables: what the
 * tables must agree with (tests). */
vg_err fold_unicode(int32_t cp, vg_buf *out);

/* Folded forms of U+00C0..U+00FF (index cp - 0xC0), NUL-terminated, one
 * or two bytes: the tokenizer folds these letters inline. */
extern const char fold_latin1[64][3];

#endif
