/*
 * Helpers shared by the tests: the integration tests drive the real
 * `vigie` binary (named by $VG_BINARY) against a database in a temporary
 * directory; the store's unit tests open a store in such a directory.
 */
#ifndef VG_TEST_SUPPORT_H
#define VG_TEST_SUPPORT_H

#include "core/buf.h"
#include "store/store.h"

#include <stddef.h>
#include <sys/types.h>

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

/* A new store in a scratch directory: the store unit tests' fixture, or
 * the first member of a larger one. */
typedef struct vgtest_store_fx {
    vgtest_dir d;
    store *st;
} vgtest_store_fx;

/* Allocates size zeroed bytes (a fixture whose first member is a
 * vgtest_store_fx), makes its directory (named after tag) and opens the
 * store there; aborts the test process on failure. Freed by
 * vgtest_store_teardown. */
void *vgtest_store_fx_new(size_t size, const char *tag);

/* cmocka setup: *state = a new vgtest_store_fx. */
int vgtest_store_setup(void **state);

/* cmocka teardown for any fixture from vgtest_store_fx_new: closes the
 * store (the test may have set st to NULL or reopened it), removes the
 * directory as vgtest_dir_remove does and frees the fixture. */
int vgtest_store_teardown(void **state);

/* Runs `vigie -q --db DB ARGS...` (NULL-terminated) and returns its exit
 * status (128 + signal when killed). What it prints on standard output
 * goes to out when out is not NULL; standard error is inherited so a
 * failing test shows the message. */
int vgtest_vigie(const char *db, vg_buf *out, ...);

/* Same with input written to its standard input. */
int vgtest_vigie_in(const char *db, const char *input, vg_buf *out, ...);

/* Starts `vigie --db DB run` in the background (with -v when verbose:
 * its informational messages too), its standard output and error in
 * the file log. Returns its pid, -1 when it cannot be started. */
pid_t vgtest_vigie_run(const char *db, const char *log, int verbose);

/* Stops a background vigie with SIGTERM, waiting at most 5 s before a
 * SIGKILL; returns its exit status, -1 when it had to be killed. */
int vgtest_stop(pid_t pid);

#endif
