/*
 * Hooks for the store's own unit tests: they reach state the public
 * interface deliberately hides (the schema_version table, what the last
 * open did). Nothing but tests/unit/test_store*.c should include this.
 */
#ifndef VG_STORE_TEST_H
#define VG_STORE_TEST_H

#include "store/store.h"

/* Records version as applied; with a version above the latest, the next
 * open sees a database written by a newer vigie. */
vg_err store_test_force_version(store *st, int version);

/* How many migrations store_open applied for this handle (0 when the
 * database was already up to date). */
int store_test_migrations_applied(store *st);

#endif
