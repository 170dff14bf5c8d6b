/* test_render_axis: value steps and labels, time ticks for spans of
 * minutes, hours, days and a month (TZ=UTC), calendar stepping across a
 * daylight-saving change, and that labels never overlap. */
#include <math.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <cmocka.h>

#include "axis.h"

#define T0 1763683200.0            /* 2025-11-21 00:00:00 UTC, a Friday */

/* Fixed-width text: 0.6 em per byte. */
static double fake_measure(void *ud, const char *text, double size, bool bold)
{
    (void)ud;
    (void)bold;
    return 0.6 * size * (double)strlen(text);
}

static int utc(void **state)
{
    (void)state;
    setenv("TZ", "UTC", 1);
    tzset();
    return 0;
}

static void test_nice_steps(void **state)
{
    (void)state;
    assert_true(axis_nice_step(0, 100, 5, true) == 20);
    assert_true(axis_nice_step(0, 1, 5, false) == 0.2);
    assert_true(axis_nice_step(0, 1, 4, false) == 0.25);
    assert_true(axis_nice_step(0, 3, 10, true) == 1);       /* no half objects */
    assert_true(axis_nice_step(0, 25, 10, true) == 5);      /* no 2.5 objects */
    assert_true(axis_nice_step(0, 2500, 10, true) == 250);
    assert_true(axis_nice_step(47000, 49000, 4, true) == 500);
}

static void test_value_labels(void **state)
{
    (void)state;
    char b[AXIS_LABEL_MAX];
    assert_string_equal(axis_format_value(b, sizeof b, 48500, 500, 49000), "48.5k");
    assert_string_equal(axis_format_value(b, sizeof b, 1250000, 250000, 2e6), "1.25M");
    assert_string_equal(axis_format_value(b, sizeof b, 2000000, 250000, 2e6), "2M");
    assert_string_equal(axis_format_value(b, sizeof b, 1000, 500, 2000), "1k");
    assert_string_equal(axis_format_value(b, sizeof b, 0, 500, 2000), "0");
    assert_string_equal(axis_format_value(b, sizeof b, 2.5, 0.5, 3), "2.5");
    assert_string_equal(axis_format_value(b, sizeof b, 40, 10, 50), "40");
    assert_string_equal(axis_format_value(b, sizeof b, -1500, 500, 2000), "-1.5k");
    assert_string_equal(axis_format_value(b, sizeof b, 3e9, 1e9, 4e9), "3G");
    /* "2.915k" would need three decimals: plain digits with separators */
    assert_string_equal(axis_format_value(b, sizeof b, 2915, 5, 2920), "2,915");
    assert_string_equal(axis_format_value(b, sizeof b, 14090000, 10000, 14.1e6), "14.09M");
}

static void test_value_ticks_round(void **state)
{
    (void)state;
    axis_ticks ax;
    assert_int_equal(axis_values(48123, 48877, 120, 17, true, &ax), 0);
    assert_true(ax.lo <= 48123 && ax.hi >= 48877);
    assert_true(ax.n >= 2 && ax.n <= 120 / 17 + 1);
    for (size_t i = 0; i < ax.n; i++) {
        double k = ax.tick[i].pos / ax.step;
        assert_true(fabs(k - round(k)) < 1e-9);               /* whole steps */
        assert_true(ax.tick[i].pos >= ax.lo && ax.tick[i].pos <= ax.hi);
        assert_true(ax.tick[i].major);
        if (i > 0)                                           /* labels differ */
            assert_string_not_equal(ax.tick[i].label, ax.tick[i - 1].label);
    }
    assert_non_null(strchr(ax.tick[0].label, 'k'));
    /* flat, zero, and non-finite */
    assert_int_equal(axis_values(7, 7, 100, 17, true, &ax), 0);
    assert_true(ax.lo < 7 && ax.hi > 7 && ax.n >= 1);
    assert_int_equal(axis_values(0, 0, 100, 17, false, &ax), 0);
    assert_true(ax.lo < 0 && ax.hi > 0);
    assert_int_equal(axis_values(NAN, 1, 100, 17, false, &ax), -1);
    /* 0 .. 1,000: no "0.2k" */
    assert_int_equal(axis_values(150, 1000, 120, 17, true, &ax), 0);
    for (size_t i = 0; i < ax.n; i++)
        assert_false(ax.tick[i].label[0] == '0' && ax.tick[i].label[1] == '.');
    /* small fractions (sample_ms) */
    assert_int_equal(axis_values(2.0, 3.0, 120, 17, false, &ax), 0);
    assert_true(ax.step < 1);
}

/* Every major tick's label, and that neighbours keep gap points apart. */
static void assert_no_overlap(const axis_ticks *ax, double length, double size, double gap)
{
    double prev = -INFINITY, prev_w = 0;
    for (size_t i = 0; i < ax->n; i++) {
        if (!ax->tick[i].major)
            continue;
        double x = (ax->tick[i].pos - ax->lo) / (ax->hi - ax->lo) * length;
        double w = fake_measure(NULL, ax->tick[i].label, size, false);
        assert_true(x - w / 2 >= prev + prev_w / 2 + gap - 1e-9);
        prev = x;
        prev_w = w;
    }
}

static size_t majors(const axis_ticks *ax)
{
    size_t n = 0;
    for (size_t i = 0; i < ax->n; i++)
        n += ax->tick[i].major;
    return n;
}

static void test_time_minutes(void **state)
{
    (void)state;
    axis_ticks ax;
    double t0 = T0 + 10 * 3600 + 123, t1 = t0 + 10 * 60;     /* 10:02:03 + 10 min */
    assert_int_equal(axis_time(t0, t1, 160, 6.5, 8, fake_measure, NULL, &ax), 0);
    assert_true(majors(&ax) >= 3);
    for (size_t i = 0; i < ax.n; i++) {
        assert_true(ax.tick[i].pos >= t0 && ax.tick[i].pos <= t1);
        if (ax.tick[i].major) {
            assert_true(fmod(ax.tick[i].pos, 60) == 0);         /* round minutes */
            assert_int_equal(strlen(ax.tick[i].label), 5);       /* "10:05" */
            assert_true(ax.tick[i].label[2] == ':');
        }
    }
    assert_no_overlap(&ax, 160, 6.5, 8);
    /* a one-minute span: seconds */
    assert_int_equal(axis_time(t0, t0 + 60, 160, 6.5, 8, fake_measure, NULL, &ax), 0);
    assert_true(majors(&ax) >= 2);
    assert_int_equal(strlen(ax.tick[0].label), 8);               /* "10:02:15" */
    assert_no_overlap(&ax, 160, 6.5, 8);
}

static void test_time_hours_and_midnight(void **state)
{
    (void)state;
    axis_ticks ax;
    double t0 = T0 + 4 * 3600 + 40 * 60, t1 = t0 + 24 * 3600;  /* 04:40 .. 04:40 */
    assert_int_equal(axis_time(t0, t1, 160, 6.5, 8, fake_measure, NULL, &ax), 0);
    bool saw_date = false;
    for (size_t i = 0; i < ax.n; i++) {
        if (!ax.tick[i].major)
            continue;
        assert_true(fmod(ax.tick[i].pos, 3600) == 0);           /* round hours */
        if (fmod(ax.tick[i].pos, 86400) == 0) {                 /* midnight: the date */
            assert_string_equal(ax.tick[i].label, "Nov 22");
            saw_date = true;
        }
    }
    assert_true(saw_date);
    assert_true(majors(&ax) >= 3 && majors(&ax) <= 8);
    assert_true(ax.n > majors(&ax));                            /* grid lines too */
    assert_no_overlap(&ax, 160, 6.5, 8);
    /* wider: more labels, finer steps */
    axis_ticks wide;
    assert_int_equal(axis_time(t0, t1, 700, 6.5, 8, fake_measure, NULL, &wide), 0);
    assert_true(wide.step < ax.step);
    assert_no_overlap(&wide, 700, 6.5, 8);
}

static void test_time_days_and_month(void **state)
{
    (void)state;
    axis_ticks ax;
    double t0 = T0 + 3600 * 7, t1 = t0 + 30 * 86400;             /* a month */
    assert_int_equal(axis_time(t0, t1, 160, 6.5, 8, fake_measure, NULL, &ax), 0);
    assert_true(majors(&ax) >= 2);
    for (size_t i = 0; i < ax.n; i++)
        if (ax.tick[i].major) {
            assert_true(fmod(ax.tick[i].pos, 86400) == 0);      /* midnights */
            assert_non_null(strstr(ax.tick[i].label, " "));     /* "Nov 24" */
        }
    assert_no_overlap(&ax, 160, 6.5, 8);
    /* weeks start on Mondays: Nov 24 2025 is one */
    if (ax.step == 7 * 86400) {
        time_t t = (time_t)ax.tick[0].pos;
        struct tm tm;
        gmtime_r(&t, &tm);
        assert_int_equal(tm.tm_wday, 1);
    }
    /* three days over a wide axis: day or half-day ticks */
    assert_int_equal(axis_time(t0, t0 + 3 * 86400, 700, 6.5, 8, fake_measure, NULL, &ax), 0);
    assert_true(ax.step >= 3600 && ax.step <= 86400);
    assert_no_overlap(&ax, 700, 6.5, 8);
    /* a year: months */
    assert_int_equal(axis_time(t0, t0 + 365 * 86400, 300, 6.5, 8, fake_measure, NULL, &ax), 0);
    for (size_t i = 0; i < ax.n; i++)
        if (ax.tick[i].major) {
            time_t t = (time_t)ax.tick[i].pos;
            struct tm tm;
            gmtime_r(&t, &tm);
            assert_int_equal(tm.tm_mday, 1);                     /* first of a month */
        }
    assert_int_equal(axis_time(t0, t0, 100, 6.5, 8, fake_measure, NULL, &ax), -1);
}

static void test_time_dst(void **state)
{
    (void)state;
    /* Berlin leaves summer time on 2025-10-26 at 03:00 -> 02:00 */
    setenv("TZ", "Europe/Berlin", 1);
    tzset();
    axis_ticks ax;
    double t0 = 1761429600.0 - 6 * 3600, t1 = t0 + 36 * 3600;
    assert_int_equal(axis_time(t0, t1, 500, 6.5, 8, fake_measure, NULL, &ax), 0);
    for (size_t i = 0; i < ax.n; i++)
        if (ax.tick[i].major) {
            time_t t = (time_t)ax.tick[i].pos;
            struct tm tm;
            localtime_r(&t, &tm);
            assert_int_equal(tm.tm_min, 0);                     /* round local hours */
            assert_int_equal(tm.tm_sec, 0);
            if (i > 0)
                assert_true(ax.tick[i].pos > ax.tick[i - 1].pos || !ax.tick[i - 1].major);
        }
    assert_no_overlap(&ax, 500, 6.5, 8);
    utc(NULL);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_nice_steps),
        cmocka_unit_test(test_value_labels),
        cmocka_unit_test(test_value_ticks_round),
        cmocka_unit_test_setup(test_time_minutes, utc),
        cmocka_unit_test_setup(test_time_hours_and_midnight, utc),
        cmocka_unit_test_setup(test_time_days_and_month, utc),
        cmocka_unit_test(test_time_dst),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
