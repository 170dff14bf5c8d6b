/* trend: robust trend statistics on one numeric series.
 *
 * Mann-Kendall S with the tie-corrected variance in O(n log n) (Knight's
 * merge sort counting inversions), the Hamed-Rao variance correction for
 * autocorrelation (lags 1..3 of the ranks of the detrended series, the
 * factor clamped at >= 1), the Theil-Sen slope (exact median of pairwise
 * slopes up to TREND_SEN_EXACT_PAIRS pairs, else the median of that many
 * pairs drawn with a fixed-seed generator: O(n + pairs), deterministic),
 * and the normal distribution helpers the detector needs.  Pure functions;
 * x must be strictly increasing where it is used. */
#ifndef TREND_H
#define TREND_H

#include <stddef.h>

#define TREND_SEN_EXACT_PAIRS 65536

typedef struct trend_mk {
    double s;            /* concordant minus discordant pairs */
    double var;          /* Var(S) under no trend, corrected for ties */
} trend_mk;

/* Mann-Kendall S and Var(S) of y[0..n) in index order.  0, or -1 when
 * out of memory. */
int trend_mann_kendall(const double *y, size_t n, trend_mk *out);

/* The Hamed-Rao factor n/n* (>= 1) by which Var(S) grows under
 * autocorrelation, from lags 1..max_lag of the ranks of y - slope * x, into
 * *factor: 1 when it cannot be computed (n too small, all ties).  0, or -1
 * when out of memory. */
int trend_hamed_rao(const double *x, const double *y, size_t n, double slope, int max_lag,
                    double *factor);

/* Median of the pairwise slopes (y[j]-y[i])/(x[j]-x[i]), i < j, over pairs
 * with x[j] > x[i], into *slope: 0 when there are none.  0, or -1 when out
 * of memory. */
int trend_theil_sen(const double *x, const double *y, size_t n, double *slope);

/* Median of v[0..n) (reorders v); NaN for n == 0.  O(n) expected. */
double trend_median(double *v, size_t n);

/* P(Z > z) for a standard normal Z. */
double trend_norm_sf(double z);

/* z with P(Z > z) = p, 0 < p < 1 (Acklam's approximation refined by one
 * Newton step; |error| < 1e-9). */
double trend_norm_isf(double p);

#endif
