/* cfg_value: parsing the values of config keys (durations, sizes,
 * percentages, booleans, integers, file modes) and suggesting the nearest
 * known word.  Messages carry no location: the caller adds it. */
#ifndef LA_CFG_VALUE_H
#define LA_CFG_VALUE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "la_error.h"

/* "250ms", "60s", "5m", "1.5h", "1d" -> milliseconds. */
int cfg_parse_duration_ms(const char *text, uint64_t *out, la_error *err);
/* "0", "512B", "10MB", "1.5GB" (powers of 1024; K/KB/KiB alike) -> bytes. */
int cfg_parse_size(const char *text, uint64_t *out, la_error *err);
/* "1%", "0.5%", "2" (percent) -> fraction in (0, 1]. */
int cfg_parse_percent(const char *text, double *out, la_error *err);
/* true/false/yes/no/on/off (any case). */
int cfg_parse_bool(const char *text, bool *out, la_error *err);
/* A non-negative decimal integer not above max. */
int cfg_parse_uint(const char *text, uint64_t max, uint64_t *out, la_error *err);
/* A file mode in octal ("0640", "640", "0o640"): permission bits only, the
 * owner's read and write included. */
int cfg_parse_mode(const char *text, unsigned *out, la_error *err);

/* Levenshtein distance, capped; used to suggest the nearest known word. */
size_t cfg_edit_distance(const char *a, const char *b);
/* The nearest word in a NULL-terminated list, or NULL if none is close. */
const char *cfg_nearest(const char *word, const char *const *words);

#endif
