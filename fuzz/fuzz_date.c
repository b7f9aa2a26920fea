/*
 * Fuzz target for the date parser: the input, NUL-terminated, through
 * date_parse and date_parse_flags(DATE_REDUCED), and every accepted date
 * through date_format_utc. Rejection is expected; crashes are bugs.
 */
#include "parser/date.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    char *s = malloc(size + 1);
    if (!s)
        return 0;
    memcpy(s, data, size);
    s[size] = '\0';
    int64_t t = 0;
    char iso[32];
    if (date_parse(s, &t) == 0)
        (void)date_format_utc(t, iso, sizeof iso);
    if (date_parse_flags(s, DATE_REDUCED, &t) == 0)
        (void)date_format_utc(t, iso, sizeof iso);
    free(s);
    return 0;
}
