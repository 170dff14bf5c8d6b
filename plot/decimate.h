/* decimate: reduce a long series to a few points per horizontal pixel.
 *
 * Design: the time range is cut into `buckets` equal slices (one or two per
 * pixel); each slice is replaced by its minimum and its maximum, in the order
 * they occurred, so a one-snapshot spike survives at any zoom and a month of
 * one-minute data draws as fast and as small as a day.  NaN is a gap: a slice
 * with no present value becomes one NaN (the renderer lifts the pen there); a
 * short gap inside a slice is narrower than a pixel and is not drawn.  Series
 * that already have few points pass through unchanged, NaN included.
 * Pure, no allocation: the caller provides the output arrays. */
#ifndef DECIMATE_H
#define DECIMATE_H

#include <stddef.h>

/* Room decimate_minmax needs in ot[] and ov[] for n points and `buckets`. */
size_t decimate_capacity(size_t n, size_t buckets);

/* Reduce t[0..n) / v[0..n) (t increasing, v NaN for a gap) over
 * [t0, t1] into ot[] / ov[], which hold decimate_capacity(n, buckets)
 * points.  Points outside [t0, t1] are dropped.  Returns the number of
 * output points. */
size_t decimate_minmax(const double *t, const double *v, size_t n, double t0,
                       double t1, size_t buckets, double *ot, double *ov);

#endif
