/*
 * vg_err descriptions and the per-thread last error message.
 */
#include "core/vg.h"

#include <stdarg.h>
#include <stdio.h>

static _Thread_local char last_msg[512];

const char *vg_strerror(vg_err code)
{
    switch (code) {
    case VG_OK: return "ok";
    case VG_ENOMEM: return "out of memory";
    case VG_EINVAL: return "invalid argument";
    case VG_ENOTFOUND: return "not found";
    case VG_EEXISTS: return "already exists";
    case VG_EPARSE: return "parse error";
    case VG_ETOOBIG: return "too big";
    case VG_ENET: return "network error";
    case VG_EDB: return "database error";
    case VG_EIO: return "I/O error";
    case VG_ECLOSED: return "closed";
    case VG_EINTR: return "interrupted";
    }
    return "unknown error";
}

vg_err vg_error_set(vg_err code, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(last_msg, sizeof last_msg, fmt, ap);
    va_end(ap);
    return code;
}

const char *vg_error_last(void)
{
    return last_msg;
}

void vg_error_clear(void)
{
    last_msg[0] = '\0';
}
