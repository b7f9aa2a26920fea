/*
 * The log sink: one line per call on standard error, written with a single
 * fputs so lines from different threads do not interleave.
 */
#include "core/log.h"

#include <stdarg.h>
#include <stdio.h>

vg_log_level vg_log_threshold = VG_LOG_WARN;

void vg_log_set_level(vg_log_level level)
{
    vg_log_threshold = level;
}

void vg_log_write(vg_log_level level, const char *fmt, ...)
{
    static const char *names[] = {"error", "warning", "info", "debug"};
    char line[1024];
    int n = snprintf(line, sizeof line, "vigie: %s: ", names[level]);
    va_list ap;
    va_start(ap, fmt);
    if (n > 0 && (size_t)n < sizeof line - 2)
        vsnprintf(line + n, sizeof line - (size_t)n - 1, fmt, ap);
    va_end(ap);
    size_t len = 0;
    while (line[len] && len < sizeof line - 2)
        len++;
    line[len] = '\n';
    line[len + 1] = '\0';
    fputs(line, stderr);
}
