# Turns lexicon text files into a C source of byte arrays, so the lexicons
# live inside the binary. Run with cmake -P:
#   -DOUT=file.c -DDIR=lexicons -DFILES=fr.txt,en.txt,...
# Each NAME.txt becomes senti_lex_NAME[] and senti_lex_NAME_len, with "-"
# in NAME replaced by "_".
string(REPLACE "," ";" FILES "${FILES}")
set(code "/* Generated from lexicons/ by embed_lexicons.cmake: do not edit. */\n#include <stddef.h>\n")
foreach(f ${FILES})
  get_filename_component(base ${f} NAME_WE)
  string(REPLACE "-" "_" id ${base})
  file(READ ${DIR}/${f} hex HEX)
  string(LENGTH "${hex}" hexlen)
  math(EXPR n "${hexlen} / 2")
  string(REGEX REPLACE "([0-9a-f][0-9a-f])" "0x\\1," bytes "${hex}")
  string(REGEX REPLACE "(0x..,0x..,0x..,0x..,0x..,0x..,0x..,0x..,0x..,0x..,0x..,0x..,0x..,0x..,0x..,0x..,)" "\\1\n" bytes "${bytes}")
  string(APPEND code "const unsigned char senti_lex_${id}[] = {\n${bytes}0};\n")
  string(APPEND code "const size_t senti_lex_${id}_len = ${n};\n")
endforeach()
file(WRITE ${OUT}.tmp "${code}")
file(RENAME ${OUT}.tmp ${OUT})
