/*
 * Levelled logging to standard error.
 *
 * The level is checked before any formatting, so a disabled debug line
 * costs one comparison. Library-style modules (parser, sentiment, text)
 * never log: they return errors. The application, the crawler and the
 * pipeline log.
 */
#ifndef VG_LOG_H
#define VG_LOG_H

typedef enum vg_log_level {
    VG_LOG_ERROR = 0,
    VG_LOG_WARN = 1,
    VG_LOG_INFO = 2,
    VG_LOG_DEBUG = 3
} vg_log_level;

extern vg_log_level vg_log_threshold;

/* Sets the most verbose level that is printed (thread-safe to read). */
void vg_log_set_level(vg_log_level level);

/* Formats and prints one line; use the VG_LOG macro, which checks first. */
void vg_log_write(vg_log_level level, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));

#define VG_LOG(level, ...)                                                     \
    do {                                                                       \
        if ((level) <= vg_log_threshold)                                       \
            vg_log_write((level), __VA_ARGS__);                                \
    } while (0)

#define VG_ERROR(...) VG_LOG(VG_LOG_ERROR, __VA_ARGS__)
#define VG_WARN(...) VG_LOG(VG_LOG_WARN, __VA_ARGS__)
#define VG_INFO(...) VG_LOG(VG_LOG_INFO, __VA_ARGS__)
#define VG_DEBUG(...) VG_LOG(VG_LOG_DEBUG, __VA_ARGS__)

#endif
