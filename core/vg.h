/*
 * The project-wide error codes and the per-thread error message.
 *
 * Every fallible function returns a vg_err; detail for a human goes in a
 * per-thread message (threads matter: the fetcher, the workers and the
 * writer fail independently), read back with vg_error_last().
 */
#ifndef VG_VG_H
#define VG_VG_H

#include <stddef.h>
#include <stdint.h>

#define VG_VERSION "0.1.0"

typedef enum vg_err {
    VG_OK = 0,
    VG_ENOMEM = -1,    /* allocation failed */
    VG_EINVAL = -2,    /* bad argument or bad usage */
    VG_ENOTFOUND = -3, /* the thing asked for does not exist */
    VG_EEXISTS = -4,   /* it already exists (unique key) */
    VG_EPARSE = -5,    /* input could not be parsed */
    VG_ETOOBIG = -6,   /* input over a hard limit */
    VG_ENET = -7,      /* network failure */
    VG_EDB = -8,       /* database failure */
    VG_EIO = -9,       /* file or system I/O failure */
    VG_ECLOSED = -10,  /* queue or resource closed (shutdown) */
    VG_EINTR = -11     /* interrupted by a signal */
} vg_err;

/* Returns a static, short description of code; never NULL. */
const char *vg_strerror(vg_err code);

/*
 * Records a printf-style message for the calling thread and returns code,
 * so callers can write `return vg_error_set(VG_EPARSE, "line %d", n);`.
 */
vg_err vg_error_set(vg_err code, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));

/* The calling thread's last message (borrowed; "" when none). */
const char *vg_error_last(void);

/* Clears the calling thread's message. */
void vg_error_clear(void);

#endif
