/* lp_time: the --since/--until arguments.
 *
 * A time is ISO-8601 ("2025-11-21", "2025-11-21T10:00", "...T10:00:30.5",
 * a space for the T, then "Z" or "+01:00"/"-0500"; local time without a
 * zone), "@<unix seconds>", or an age: a number and a unit s, m, h, d or w
 * ("6h", "2d", "90m").  An age counts back from a reference the caller
 * gives: leakplot uses the newest snapshot it read, so the same command
 * works on a live log and on one copied from a dead machine. */
#ifndef LP_TIME_H
#define LP_TIME_H

#include <stdbool.h>

#include "lp_error.h"

typedef struct lp_time_spec {
    bool is_age;
    double value;        /* unix seconds, or seconds back from the reference */
} lp_time_spec;

/* Parse text.  0, or -1 with err saying what is wrong. */
int lp_time_parse(const char *text, lp_time_spec *out, lp_error *err);

/* Unix seconds the spec stands for, given the reference time. */
double lp_time_resolve(const lp_time_spec *spec, double reference);

#endif
