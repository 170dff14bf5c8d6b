/* Unit tests of trend: Mann-Kendall and Theil-Sen against brute force on
 * random data (with ties), the median, Hamed-Rao, normal quantiles. */
#include <math.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdlib.h>
#include <string.h>
#include <setjmp.h>
#include <cmocka.h>

#include "trend.h"

static int sign(double v)
{
    return (v > 0) - (v < 0);
}

/* The figures, with the call's success checked. */
static double sen(const double *x, const double *y, size_t n)
{
    double slope;
    assert_int_equal(trend_theil_sen(x, y, n, &slope), 0);
    return slope;
}

static double hamed_rao(const double *x, const double *y, size_t n, double slope, int lags)
{
    double factor;
    assert_int_equal(trend_hamed_rao(x, y, n, slope, lags, &factor), 0);
    return factor;
}

static void brute_mk(const double *y, size_t n, double *s, double *var)
{
    double sum = 0, ties = 0;
    for (size_t i = 0; i < n; i++)
        for (size_t j = i + 1; j < n; j++)
            sum += sign(y[j] - y[i]);
    bool *done = calloc(n, 1);
    for (size_t i = 0; i < n; i++) {
        if (done[i])
            continue;
        double t = 0;
        for (size_t j = i; j < n; j++)
            if (y[j] == y[i]) {
                t++;
                done[j] = true;
            }
        ties += t * (t - 1) * (2 * t + 5);
    }
    free(done);
    double nn = (double)n;
    *s = sum;
    *var = (nn * (nn - 1) * (2 * nn + 5) - ties) / 18;
}

static int cmp_double(const void *a, const void *b)
{
    double x = *(const double *)a, y = *(const double *)b;
    return (x > y) - (x < y);
}

static void test_mann_kendall_vs_brute_force(void **state)
{
    (void)state;
    srand(7);
    for (int round = 0; round < 200; round++) {
        size_t n = 2 + (size_t)(rand() % 300);
        int levels = 1 + rand() % 50;             /* few levels: many ties */
        double y[310];
        for (size_t i = 0; i < n; i++)
            y[i] = (double)(rand() % levels) + (round % 3 == 0 ? 0.01 * (double)i : 0);
        trend_mk mk;
        double s, var;
        assert_int_equal(trend_mann_kendall(y, n, &mk), 0);
        brute_mk(y, n, &s, &var);
        assert_true(mk.s == s);
        assert_true(fabs(mk.var - var) < 1e-6 * (var + 1));
    }
}

static void test_theil_sen_vs_brute_force(void **state)
{
    (void)state;
    srand(11);
    for (int round = 0; round < 50; round++) {
        size_t n = 2 + (size_t)(rand() % 200), m = 0;
        double x[210], y[210], slopes[210 * 210];
        for (size_t i = 0; i < n; i++) {
            x[i] = (double)i * 10 + (rand() % 3);
            y[i] = 3.5 * x[i] + (rand() % 1000);
        }
        for (size_t i = 0; i < n; i++)
            for (size_t j = i + 1; j < n; j++)
                slopes[m++] = (y[j] - y[i]) / (x[j] - x[i]);
        qsort(slopes, m, sizeof *slopes, cmp_double);
        double want = m % 2 ? slopes[m / 2] : (slopes[m / 2 - 1] + slopes[m / 2]) / 2;
        assert_true(fabs(sen(x, y, n) - want) < 1e-9);
    }
}

static void test_theil_sen_sampled(void **state)
{
    (void)state;
    size_t n = 5000;                              /* 12.5M pairs: sampled */
    double *x = malloc(n * sizeof *x), *y = malloc(n * sizeof *y);
    srand(3);
    for (size_t i = 0; i < n; i++) {
        x[i] = (double)i;
        y[i] = 2.0 * (double)i + (rand() % 100);
    }
    double a = sen(x, y, n);
    assert_true(fabs(a - 2.0) < 0.01);
    assert_true(a == sen(x, y, n));   /* deterministic */
    free(x);
    free(y);
}

static void test_median(void **state)
{
    (void)state;
    srand(5);
    for (int round = 0; round < 300; round++) {
        size_t n = 1 + (size_t)(rand() % 100);
        double v[100], sorted[100];
        for (size_t i = 0; i < n; i++)
            v[i] = sorted[i] = (double)(rand() % 20);
        qsort(sorted, n, sizeof *sorted, cmp_double);
        double want = n % 2 ? sorted[n / 2] : (sorted[n / 2 - 1] + sorted[n / 2]) / 2;
        assert_true(trend_median(v, n) == want);
    }
    assert_true(isnan(trend_median(NULL, 0)));
}

static void test_hamed_rao(void **state)
{
    (void)state;
    double x[64], white[64], smooth[64], line[64];
    srand(9);
    for (int i = 0; i < 64; i++) {
        x[i] = i;
        white[i] = rand() % 1000;
        smooth[i] = 100 * sin(i / 8.0);            /* strongly autocorrelated */
        line[i] = 5 * i;
    }
    double fw = hamed_rao(x, white, 64, 0, 3);
    double fs = hamed_rao(x, smooth, 64, 0, 3);
    assert_true(fw >= 1 && fw < 2);
    assert_true(fs > 3);
    assert_true(hamed_rao(x, line, 64, 5, 3) == 1);   /* all ties: 1 */
    /* alternating residuals: negative autocorrelation, clamped at 1 */
    double alt[64];
    for (int i = 0; i < 64; i++)
        alt[i] = i % 2 ? 1 : -1;
    assert_true(hamed_rao(x, alt, 64, 0, 3) == 1);
}

static void test_normal(void **state)
{
    (void)state;
    assert_true(fabs(trend_norm_isf(0.05) - 1.6448536269514722) < 1e-8);
    assert_true(fabs(trend_norm_isf(0.5)) < 1e-9);
    assert_true(fabs(trend_norm_isf(1e-6) - 4.753424308822899) < 1e-7);
    assert_true(fabs(trend_norm_sf(1.959963984540054) - 0.025) < 1e-12);
    for (double p = 1e-9; p < 0.99; p *= 3)
        assert_true(fabs(trend_norm_sf(trend_norm_isf(p)) - p) < 1e-6 * p);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_mann_kendall_vs_brute_force),
        cmocka_unit_test(test_theil_sen_vs_brute_force),
        cmocka_unit_test(test_theil_sen_sampled),
        cmocka_unit_test(test_median),
        cmocka_unit_test(test_hamed_rao),
        cmocka_unit_test(test_normal),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
