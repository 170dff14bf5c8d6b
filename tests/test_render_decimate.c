/* test_render_decimate: min/max buckets keep spikes and dips, stay within
 * the capacity and the range, keep time order, turn empty slices into one
 * NaN, and pass short series through unchanged. */
#include <math.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>

#include <cmocka.h>

#include "decimate.h"

#define N 100000

static double *t, *v, *ot, *ov;

static int setup(void **state)
{
    (void)state;
    t = malloc(N * sizeof *t);
    v = malloc(N * sizeof *v);
    ot = malloc(decimate_capacity(N, 1000) * sizeof *ot);
    ov = malloc(decimate_capacity(N, 1000) * sizeof *ov);
    for (size_t i = 0; i < N; i++) {
        t[i] = 1e9 + 60.0 * (double)i;
        v[i] = 1000 + 100 * sin((double)i / 500);
    }
    return t && v && ot && ov ? 0 : -1;
}

static int teardown(void **state)
{
    (void)state;
    free(t);
    free(v);
    free(ot);
    free(ov);
    return 0;
}

static bool contains(const double *a, size_t n, double x)
{
    for (size_t i = 0; i < n; i++)
        if (a[i] == x)
            return true;
    return false;
}

static void test_keeps_min_and_max(void **state)
{
    (void)state;
    v[54321] = 1e6;                     /* one-snapshot spike */
    v[12345] = -5;                      /* one-snapshot dip */
    size_t m = decimate_minmax(t, v, N, t[0], t[N - 1], 200, ot, ov);
    assert_true(m <= decimate_capacity(N, 200) && m <= 400);
    assert_true(m >= 200);
    assert_true(contains(ov, m, 1e6));
    assert_true(contains(ov, m, -5));
    /* every bucket keeps its extremes: global min and max of the sine too */
    double lo = INFINITY, hi = -INFINITY;
    for (size_t i = 0; i < m; i++) {
        lo = ov[i] < lo ? ov[i] : lo;
        hi = ov[i] > hi ? ov[i] : hi;
        if (i > 0)
            assert_true(ot[i] >= ot[i - 1]);
        assert_true(ot[i] >= t[0] && ot[i] <= t[N - 1]);
    }
    assert_true(lo == -5 && hi == 1e6);
    v[54321] = 1000;
    v[12345] = 1000;
}

static void test_gap_becomes_one_nan(void **state)
{
    (void)state;
    for (size_t i = 40000; i < 50000; i++)
        v[i] = NAN;                     /* a tenth of the range: many buckets */
    size_t m = decimate_minmax(t, v, N, t[0], t[N - 1], 200, ot, ov);
    size_t nans = 0;
    for (size_t i = 0; i < m; i++) {
        if (isnan(ov[i])) {
            nans++;
            assert_true(i == 0 || !isnan(ov[i - 1]));  /* never two in a row */
        }
    }
    assert_int_equal(nans, 1);
    for (size_t i = 40000; i < 50000; i++)
        v[i] = 1000;
}

static void test_short_series_pass_through(void **state)
{
    (void)state;
    double st[5] = {1, 2, 3, 4, 5}, sv[5] = {10, NAN, 30, 40, 50};
    double a[5], b[5];
    assert_true(decimate_capacity(5, 100) >= 5);
    size_t m = decimate_minmax(st, sv, 5, 0, 10, 100, a, b);
    assert_int_equal(m, 5);
    assert_true(isnan(b[1]));
    assert_true(b[4] == 50 && a[4] == 5);
    /* the window drops points outside it */
    m = decimate_minmax(st, sv, 5, 2, 4, 100, a, b);
    assert_int_equal(m, 3);
    assert_true(a[0] == 2 && a[2] == 4);
}

static void test_window_subset(void **state)
{
    (void)state;
    size_t m = decimate_minmax(t, v, N, t[N / 2], t[N - 1], 100, ot, ov);
    assert_true(m > 0 && m <= decimate_capacity(N, 100));
    for (size_t i = 0; i < m; i++)
        assert_true(ot[i] >= t[N / 2]);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_keeps_min_and_max),
        cmocka_unit_test(test_gap_becomes_one_nan),
        cmocka_unit_test(test_short_series_pass_through),
        cmocka_unit_test(test_window_subset),
    };
    return cmocka_run_group_tests(tests, setup, teardown);
}
