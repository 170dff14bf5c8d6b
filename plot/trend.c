/* trend: Mann-Kendall (Knight), Hamed-Rao, Theil-Sen, normal quantiles.
 * See trend.h. */
#include "trend.h"

#include <math.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

/* Sort a[0..n) ascending (tmp: n doubles); returns the number of pairs
 * i < j with a[i] > a[j] (strict inversions; equal values are no
 * inversion because the merge takes from the left on ties). */
static uint64_t sort_count(double *a, double *tmp, size_t n)
{
    uint64_t inv = 0;
    for (size_t width = 1; width < n; width *= 2) {
        for (size_t lo = 0; lo < n; lo += 2 * width) {
            size_t mid = lo + width < n ? lo + width : n;
            size_t hi = lo + 2 * width < n ? lo + 2 * width : n;
            size_t i = lo, j = mid, k = lo;
            while (i < mid && j < hi) {
                if (a[j] < a[i]) {
                    inv += mid - i;
                    tmp[k++] = a[j++];
                } else {
                    tmp[k++] = a[i++];
                }
            }
            while (i < mid)
                tmp[k++] = a[i++];
            while (j < hi)
                tmp[k++] = a[j++];
        }
        memcpy(a, tmp, n * sizeof *a);
    }
    return inv;
}

int trend_mann_kendall(const double *y, size_t n, trend_mk *out)
{
    *out = (trend_mk){0, 0};
    if (n < 2)
        return 0;
    double *a = malloc(2 * n * sizeof *a);
    if (a == NULL)
        return -1;
    memcpy(a, y, n * sizeof *a);
    double nn = (double)n;
    double discordant = (double)sort_count(a, a + n, n);
    double tied_pairs = 0, tie_var = 0;
    for (size_t i = 0; i < n;) {
        size_t j = i + 1;
        while (j < n && a[j] == a[i])
            j++;
        double t = (double)(j - i);
        tied_pairs += t * (t - 1) / 2;
        tie_var += t * (t - 1) * (2 * t + 5);
        i = j;
    }
    free(a);
    double pairs = nn * (nn - 1) / 2;
    out->s = pairs - tied_pairs - 2 * discordant;
    out->var = (nn * (nn - 1) * (2 * nn + 5) - tie_var) / 18;
    return 0;
}

typedef struct idx_val {
    double v;
    size_t i;
} idx_val;

static int cmp_idx_val(const void *a, const void *b)
{
    const idx_val *x = a, *y = b;
    return (x->v > y->v) - (x->v < y->v);
}

int trend_hamed_rao(const double *x, const double *y, size_t n, double slope, int max_lag,
                    double *factor_out)
{
    *factor_out = 1;
    if (n < 4 || max_lag < 1)
        return 0;
    idx_val *iv = malloc(n * sizeof *iv);
    double *rank = malloc(n * sizeof *rank);
    int rc = -1;
    double factor = 1;
    if (iv == NULL || rank == NULL)
        goto out;
    rc = 0;
    for (size_t i = 0; i < n; i++)
        iv[i] = (idx_val){y[i] - slope * x[i], i};
    qsort(iv, n, sizeof *iv, cmp_idx_val);
    for (size_t i = 0; i < n;) {        /* average ranks for ties */
        size_t j = i + 1;
        while (j < n && iv[j].v == iv[i].v)
            j++;
        double r = (double)(i + j + 1) / 2;
        for (size_t k = i; k < j; k++)
            rank[iv[k].i] = r;
        i = j;
    }
    double mean = (double)(n + 1) / 2, den = 0;
    for (size_t i = 0; i < n; i++)
        den += (rank[i] - mean) * (rank[i] - mean);
    if (den <= 0)
        goto out;
    double nn = (double)n, sum = 0;
    for (int k = 1; k <= max_lag && (size_t)k + 2 < n; k++) {
        double num = 0;
        for (size_t i = 0; i + (size_t)k < n; i++)
            num += (rank[i] - mean) * (rank[i + (size_t)k] - mean);
        double rho = num / den, m = nn - k;
        sum += m * (m - 1) * (m - 2) * rho;
    }
    factor = 1 + 2 * sum / (nn * (nn - 1) * (nn - 2));
    if (factor < 1)
        factor = 1;
out:
    free(iv);
    free(rank);
    *factor_out = factor;
    return rc;
}

/* Quickselect the k-th smallest of v[0..n) (reorders v). */
static double select_kth(double *v, size_t n, size_t k)
{
    size_t lo = 0, hi = n - 1;
    while (lo < hi) {
        double pivot = v[lo + (hi - lo) / 2];
        size_t i = lo, j = hi;
        while (i <= j) {
            while (v[i] < pivot)
                i++;
            while (v[j] > pivot)
                j--;
            if (i <= j) {
                double t = v[i];
                v[i] = v[j];
                v[j] = t;
                i++;
                if (j == 0)
                    break;
                j--;
            }
        }
        if (k <= j)
            hi = j;
        else if (k >= i)
            lo = i;
        else
            return v[k];
    }
    return v[k];
}

double trend_median(double *v, size_t n)
{
    if (n == 0)
        return NAN;
    double hi = select_kth(v, n, n / 2);
    if (n % 2)
        return hi;
    double lo = v[0];                /* max of the lower half */
    for (size_t i = 1; i < n / 2; i++)
        if (v[i] > lo)
            lo = v[i];
    return (lo + hi) / 2;
}

/* xorshift64*: a fixed-seed generator so sampled slopes are reproducible. */
static uint64_t next_random(uint64_t *state)
{
    uint64_t x = *state;
    x ^= x >> 12;
    x ^= x << 25;
    x ^= x >> 27;
    *state = x;
    return x * 2685821657736338717ULL;
}

int trend_theil_sen(const double *x, const double *y, size_t n, double *slope)
{
    *slope = 0;
    if (n < 2)
        return 0;
    double all = (double)n * (double)(n - 1) / 2;
    size_t cap = all <= TREND_SEN_EXACT_PAIRS ? (size_t)all : TREND_SEN_EXACT_PAIRS;
    double *slopes = malloc(cap * sizeof *slopes);
    if (slopes == NULL)
        return -1;
    size_t m = 0;
    if (all <= TREND_SEN_EXACT_PAIRS) {
        for (size_t i = 0; i < n; i++)
            for (size_t j = i + 1; j < n; j++)
                if (x[j] > x[i])
                    slopes[m++] = (y[j] - y[i]) / (x[j] - x[i]);
    } else {
        uint64_t state = 0x9E3779B97F4A7C15ULL ^ n;
        while (m < cap) {
            size_t i = next_random(&state) % n, j = next_random(&state) % n;
            if (i > j) {
                size_t t = i;
                i = j;
                j = t;
            }
            if (x[j] > x[i])
                slopes[m++] = (y[j] - y[i]) / (x[j] - x[i]);
            else if (x[n - 1] <= x[0])
                break;                   /* all x equal: no pair at all */
        }
    }
    *slope = m ? trend_median(slopes, m) : 0;
    free(slopes);
    return 0;
}

double trend_norm_sf(double z)
{
    return 0.5 * erfc(z / M_SQRT2);
}

double trend_norm_isf(double p)
{
    /* Acklam's rational approximation of the lower-tail quantile of q. */
    static const double a[] = {-3.969683028665376e+01, 2.209460984245205e+02,
                               -2.759285104469687e+02, 1.383577518672690e+02,
                               -3.066479806614716e+01, 2.506628277459239e+00};
    static const double b[] = {-5.447609879822406e+01, 1.615858368580409e+02,
                               -1.556989798598866e+02, 6.680131188771972e+01,
                               -1.328068155288572e+01};
    static const double c[] = {-7.784894002430293e-03, -3.223964580411365e-01,
                               -2.400758277161838e+00, -2.549732539343734e+00,
                               4.374664141464968e+00, 2.938163982698783e+00};
    static const double d[] = {7.784695709041462e-03, 3.224671290700398e-01,
                               2.445134137142996e+00, 3.754408661907416e+00};
    double q = 1 - p, x;
    if (q <= 0)
        return INFINITY;
    if (q >= 1)
        return -INFINITY;
    if (q < 0.02425) {
        double r = sqrt(-2 * log(q));
        x = (((((c[0] * r + c[1]) * r + c[2]) * r + c[3]) * r + c[4]) * r + c[5]) /
            ((((d[0] * r + d[1]) * r + d[2]) * r + d[3]) * r + 1);
    } else if (q <= 1 - 0.02425) {
        double r = q - 0.5, s = r * r;
        x = (((((a[0] * s + a[1]) * s + a[2]) * s + a[3]) * s + a[4]) * s + a[5]) * r /
            (((((b[0] * s + b[1]) * s + b[2]) * s + b[3]) * s + b[4]) * s + 1);
    } else {
        double r = sqrt(-2 * log(1 - q));
        x = -(((((c[0] * r + c[1]) * r + c[2]) * r + c[3]) * r + c[4]) * r + c[5]) /
            ((((d[0] * r + d[1]) * r + d[2]) * r + d[3]) * r + 1);
    }
    /* one Newton step on P(Z > x) = p */
    double err = trend_norm_sf(x) - p;
    double pdf = exp(-x * x / 2) / sqrt(2 * M_PI);
    return x + err / pdf;
}
