/* axis: tick marks and their labels, for a value axis and a time axis.
 *
 * Design (after rrdtool's rrd_graph.c): no plotting here, only numbers and
 * strings.  A value axis steps by 1, 2, 2.5 or 5 times a power of ten and
 * labels with k/M/G suffixes ("48.5k", "1.25M"), every label of an axis with
 * the same number of decimals.  A time axis picks a row of a table (label
 * step, grid step, strftime format) by how many points the widest label needs;
 * ticks are stepped on the calendar with struct tm and mktime (local time), so
 * they land on round clock times, midnights, Mondays and first days of months
 * even across daylight-saving changes and months of unequal length.
 *
 * Text is measured through a callback so that the stage stays pure: the
 * renderer passes cairo's measurement, tests a fixed-width fake. */
#ifndef AXIS_H
#define AXIS_H

#include <stdbool.h>
#include <stddef.h>

#define AXIS_MAX_TICKS 96
#define AXIS_LABEL_MAX 24

typedef struct axis_tick {
    double pos;                    /* a value, or unix seconds */
    bool major;                    /* a labelled tick; minor ones are grid only */
    char label[AXIS_LABEL_MAX];    /* "" for minor ticks */
} axis_tick;

typedef struct axis_ticks {
    double lo, hi;                 /* the axis range (a value axis widens the
                                      data range to whole steps) */
    double step;                   /* between major ticks (nominal seconds for time) */
    size_t n;
    axis_tick tick[AXIS_MAX_TICKS];
} axis_ticks;

/* Width in points of text at a font size; ud is the caller's. */
typedef double (*axis_measure_fn)(void *ud, const char *text, double size, bool bold);

/* The "nice" step of a value axis: the smallest of 1, 2, 2.5, 5 x 10^k
 * (k may be negative) that gives at most max_ticks intervals over [lo, hi].
 * integral: never below 1 (counts of objects).  lo < hi. */
double axis_nice_step(double lo, double hi, int max_ticks, bool integral);

/* Format v for an axis whose ticks are step apart and whose largest
 * magnitude is top: a k/M/G suffix chosen by top, decimals by step, so that
 * neighbouring labels differ.  Writes at most size bytes; returns out. */
char *axis_format_value(char *out, size_t size, double v, double step, double top);

/* A value axis over the data range [lo, hi] (lo may equal hi, and NaN/inf
 * are refused) along length points, ticks at least min_gap points apart.
 * out->lo/hi become whole steps around the data.  0, or -1 when the range
 * is not finite. */
int axis_values(double lo, double hi, double length, double min_gap, bool integral,
                axis_ticks *out);

/* A time axis over [t0, t1] (unix seconds, t0 < t1) along length points.
 * The finest table row whose labels, measured at font size `size`, keep
 * `gap` points apart is chosen; ticks are major (labelled) and minor (grid
 * lines).  A tick at local midnight is labelled with the date when the row
 * labels clock times.  measure may not be NULL.  0, or -1 when the range is
 * not finite or not increasing. */
int axis_time(double t0, double t1, double length, double size, double gap,
              axis_measure_fn measure, void *ud, axis_ticks *out);

#endif
