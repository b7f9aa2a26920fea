/*
 * Private to text/: helpers shared between the tokenizer and folding.
 */
#ifndef VG_TEXT_INT_H
#define VG_TEXT_INT_H

#include "text/text.h"

/* Appends the folded form of one code point to out. */
vg_err fold_codepoint(int32_t cp, vg_buf *out);

#endif
