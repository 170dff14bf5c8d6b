/* lp_text: the words and numbers leakplot prints, one rule each for the
 * --check text, --json and the drawing: counts with ',' every three digits,
 * durations ("45s", "3.5d"), where a run lives ("pid 31337 on web-1"), and
 * names from a log made valid UTF-8 whatever bytes it held. */
#ifndef LP_TEXT_H
#define LP_TEXT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdio.h>

#include "lp_series.h"

/* v rounded to an integer with ',' every three digits; values below 100 in
 * magnitude keep up to two decimals ("0.25").  Returns out. */
char *lp_text_number(char *out, size_t size, double v);

/* Insert ',' every three digits into the integer part of the number that
 * out holds, in place (left unchanged when it would not fit in size). */
void lp_text_group_thousands(char *out, size_t size);

/* A duration compactly: "45s", "12m", "24h", "3.5d".  Returns out. */
char *lp_text_span(char *out, size_t size, double seconds);

/* text made valid UTF-8 into out: each byte that is not part of a
 * well-formed sequence becomes U+FFFD, the replacement character, and a
 * control character '?' (a raw ESC or CR could rewrite a terminal line).
 * A sequence that would not fit whole is left out.  Returns out. */
char *lp_text_clean(char *out, size_t size, const char *text);

/* text to out by the same rule as lp_text_clean, whole (a name may be
 * 10,000 bytes); json: as the inside of a JSON string, bad bytes as the
 * escape "\ufffd" (plain ASCII, so every JSON reader takes it), control
 * characters as "\u00XX" (kept), '"' and '\\' escaped.  Names that differ
 * only in their bad bytes print alike; the detector still tells them
 * apart. */
void lp_text_write(FILE *out, const char *text, bool json);

/* Where a run lives, cleaned: "pid 31337 on web-1", "pid 7", "on web-1",
 * or "in LOG" when the log says neither.  Returns out. */
char *lp_text_where(char *out, size_t size, const lp_run *run);

#endif
