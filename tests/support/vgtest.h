/*
 * Helpers shared by the integration tests, which drive the real `vigie`
 * binary (named by $VG_BINARY) against a database in a temporary
 * directory.
 */
#ifndef VG_TEST_SUPPORT_H
#define VG_TEST_SUPPORT_H

#include "core/buf.h"

#include <stddef.h>

/* A temporary directory holding vigie.db. */
typedef struct vgtest_dir {
    char dir[64];
    char db[96];
} vgtest_dir;

/* Creates a fresh directory under /tmp named after tag; aborts the test
 * process on failure (tests cannot go on without it). */
void vgtest_dir_make(vgtest_dir *d, const char *tag);

/* Removes the database (and its WAL files), then the directory; any other
 * file the test left there is its own business. */
void vgtest_dir_remove(vgtest_dir *d);

/* Runs `vigie -q --db DB ARGS...` (NULL-terminated) and returns its exit
 * status (128 + signal when killed). What it prints on standard output
 * goes to out when out is not NULL; standard error is inherited so a
 * failing test shows the message. */
int vgtest_vigie(const char *db, vg_buf *out, ...);

/* Same with input written to its standard input. */
int vgtest_vigie_in(const char *db, const char *input, vg_buf *out, ...);

#endif
