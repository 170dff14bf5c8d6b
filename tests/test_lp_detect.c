/* Unit tests of detect: each gate on a synthetic series, the Bonferroni
 * threshold, the gauge policy, and the store-wide driver. */
#include <math.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <setjmp.h>
#include <cmocka.h>

#include "detect.h"

#define N 1000
#define Z300 4.0          /* about detect_z_crit for 300 series */

typedef double (*shape_fn)(size_t i, unsigned *seed);

static double noise(unsigned *seed, double amp)
{
    return amp * ((double)(rand_r(seed) % 2001) / 1000.0 - 1.0);
}

static double linear(size_t i, unsigned *seed) { return 1000 + 2.0 * (double)i + noise(seed, 20); }
static double flat(size_t i, unsigned *seed) { (void)i; return 5000 + noise(seed, 200); }
static double step(size_t i, unsigned *seed)
{
    return 1000 + 0.5 * (double)i + (i < 650 ? 0 : 3000) + noise(seed, 20);
}
static double stopped(size_t i, unsigned *seed)
{
    return 1000 + 5.0 * (double)(i < 400 ? i : 400) + noise(seed, 20);
}
static double tiny(size_t i, unsigned *seed) { return 2 + (double)i / 100 + noise(seed, 0.4); }
static double sawtooth_leak(size_t i, unsigned *seed)
{
    return 1000 + (double)i + 800.0 * (double)(i % 37) / 37 + noise(seed, 10);
}
static double sawtooth(size_t i, unsigned *seed)
{
    return 1000 + 3000.0 * (double)(i % 50) / 50 + noise(seed, 10);
}
static double halfway(size_t i, unsigned *seed)
{
    return 2000 + (i > 500 ? 6.0 * (double)(i - 500) : 0) + noise(seed, 30);
}

/* A daily load cycle of 7 periods over the window, with and without a
 * leak smaller than the cycle's swing within a day. */
static double cycle(size_t i, unsigned *seed)
{
    return 5000 + 1000 * sin(2 * M_PI * (double)i / 140) + noise(seed, 50);
}
static double cycle_leak(size_t i, unsigned *seed)
{
    return cycle(i, seed) + 2.0 * (double)i;
}
/* A large population leaking 7% over the window in proportion to a daily
 * load of +-50% (7 days of 140 points): fast by day, slow at night, a
 * cycle in the envelope's residuals that the leak's own rate makes. */
static double load_leak(size_t i, unsigned *seed)
{
    double x = (double)i, day = 2 * M_PI / 140;
    double served = x + 0.5 * sin(day * x) / day;   /* the load's integral */
    return 200000 + 14000 * served / N + noise(seed, 100);
}
/* Bursts then flat: 12 bursts, the last two in the final tenth. */
static double staircase(size_t i, unsigned *seed)
{
    static const size_t at[] = {60, 140, 200, 330, 350, 420, 500, 610, 690, 720, 915, 960};
    double level = 3000;
    for (size_t k = 0; k < sizeof at / sizeof at[0]; k++)
        level += i >= at[k] ? 150 : 0;
    return level + noise(seed, 20);
}
/* Flat for most of the window, then a wander up by a fifth and partly
 * back, rising again at the end: never a leak. */
static double wander_late(size_t i, unsigned *seed)
{
    double u = (double)i / N;
    return 4000 + 900 * sin(2 * M_PI * u * 2.3) * u + noise(seed, 40);
}

/* A store approaching its bound (time constant 600 points). */
static double filling(size_t i, unsigned *seed)
{
    return 1000 + 3000 * (1 - exp(-(double)i / 600)) + noise(seed, 20);
}

/* A store of time constant 300 points, filled by a noisier load. */
static double filling_hours(size_t i, unsigned *seed)
{
    return 1000 + 3000 * (1 - exp(-(double)i / 300)) + noise(seed, 100);
}

/* A leak whose share of the load falls to a third a third of the way in,
 * then holds: its rate falls like a store's at first, not ever after. */
static double load_falls(size_t i, unsigned *seed)
{
    double x = (double)i;
    return 1000 + (i < 330 ? 3.0 * x : 990 + (x - 330)) + noise(seed, 20);
}

/* A leak of 5 a point whose load stops for the last eighth or the last
 * tenth (fewer points than the recent gate looks at), or only falls to a
 * quarter there, as at night. */
static double stops_late(size_t i, unsigned *seed)
{
    return 1000 + 5.0 * (double)(i < 875 ? i : 875) + noise(seed, 20);
}
static double stops_tenth(size_t i, unsigned *seed)
{
    return 1000 + 5.0 * (double)(i < 900 ? i : 900) + noise(seed, 20);
}
static double slows_late(size_t i, unsigned *seed)
{
    double x = (double)i;
    return 1000 + 5.0 * (i < 875 ? x : 875 + 0.25 * (x - 875)) + noise(seed, 20);
}

/* Judge f over n points dt seconds apart with the default parameters, the
 * trend threshold z_crit and, if tail_ratio >= 0, that recent-rise ratio. */
static detect_result judge_at(shape_fn f, size_t n, double dt, double z_crit,
                              double tail_ratio)
{
    double t[N], v[N];
    unsigned seed = 42;
    for (size_t i = 0; i < n; i++) {
        t[i] = 1e9 + dt * (double)i;
        v[i] = f(i, &seed);
    }
    detect_params p;
    detect_defaults(&p);
    if (tail_ratio >= 0)
        p.tail_ratio = tail_ratio;
    detect_result r;
    lp_error err;
    assert_int_equal(detect_series(t, v, n, &p, p.min_abs, z_crit, &r, &err), 0);
    return r;
}

static detect_result judge_with(shape_fn f, size_t n, double z_crit, double tail_ratio)
{
    return judge_at(f, n, 60, z_crit, tail_ratio);
}

static detect_result judge(shape_fn f, size_t n, double z_crit)
{
    return judge_with(f, n, z_crit, -1);
}

/* f judged over N points dt seconds apart (Z300), its decays printed. */
static detect_result judge_decays(shape_fn f, double dt, const char *what)
{
    detect_result r = judge_at(f, N, dt, Z300, -1);
    print_message("%s: decay %.2f, late half %.2f\n", what, r.whole.decay, r.late.decay);
    return r;
}

static void test_flags_leaks(void **state)
{
    (void)state;
    shape_fn leaks[] = {linear, sawtooth_leak, halfway};
    for (size_t i = 0; i < 3; i++) {
        detect_result r = judge(leaks[i], N, Z300);
        print_message("leak %zu: z %.2f\n", i, r.st.z);
        assert_true(r.judged);
        assert_string_equal(r.reason, "growing");
        assert_true(r.growing);
    }
    detect_result r = judge(linear, N, Z300);
    assert_true(fabs(r.st.slope * 60 - 2.0) < 0.1);      /* per second */
    assert_true(r.first >= 980 && r.first <= 1020);
}

static void test_gates(void **state)
{
    (void)state;
    assert_string_equal(judge(flat, N, Z300).reason, "no significant trend");
    assert_string_equal(judge(sawtooth, N, Z300).reason, "no significant trend");
    /* the later gates, each on its own (trend gate open) */
    assert_string_equal(judge(step, N, -INFINITY).reason, "not rising recently");
    assert_string_equal(judge_with(step, N, -INFINITY, 0).reason, "one step");
    assert_string_equal(judge(stopped, N, -INFINITY).reason, "not rising recently");
    assert_string_equal(judge(tiny, N, -INFINITY).reason, "too little growth");
    assert_false(judge(step, N, Z300).growing);
    assert_false(judge(stopped, N, Z300).growing);
    /* seen over 17 minutes (no daily load can slow it): a store still
     * filling is not a leak; a leak or a staircase of bursts is */
    detect_result fill = judge_at(filling, N, 1, -INFINITY, -1);
    print_message("filling: decay %.2f recent %.2f\n", fill.whole.decay, fill.whole.recent);
    assert_string_equal(fill.reason, "filling up (rising ever slower)");
    assert_true(fill.whole.slowing);
    assert_string_equal(judge_at(linear, N, 1, Z300, -1).reason, "growing");
    assert_string_equal(judge_at(staircase, N, 1, Z300, -1).reason, "growing");
    /* a run that slowed like a store but whose late half no longer slows */
    detect_result falls = judge_decays(load_falls, 1, "load falls");
    assert_true(falls.whole.slowing);
    assert_false(falls.late.slowing);
    assert_string_equal(falls.reason, "growing");
    assert_true(falls.late_half);
    /* seen over 17 hours, a store of time constant 5 hours slowed beyond
     * any load's fall; its late half slows on, within what a load's fall
     * could excuse, but that excuse was spent on the whole run */
    detect_result fill_hours = judge_decays(filling_hours, 60, "filling over hours");
    assert_true(fill_hours.whole.slowing);
    assert_false(fill_hours.late.slowing);
    assert_string_equal(fill_hours.reason, "filling up (rising ever slower)");
    /* a leak whose load fell, seen over hours, still rises steadily again */
    assert_string_equal(judge_at(load_falls, N, 60, Z300, -1).reason, "growing");
    detect_result r = judge(linear, 20, -INFINITY);     /* a short log */
    assert_false(r.judged);
    assert_false(r.growing);
}

static void test_cycles_and_stairs(void **state)
{
    (void)state;
    detect_result r = judge(cycle_leak, N, Z300);
    print_message("daily leak: z %.2f period %.1f fall %.2f\n", r.whole.z, r.whole.period,
                  r.whole.fall);
    assert_true(r.whole.period > 5 && r.whole.period < 20);   /* ~140/14 buckets */
    assert_true(r.growing);
    r = judge(cycle, N, Z300);
    assert_true(r.whole.period > 5);
    assert_false(r.growing);
    /* a rise of 7% after the cycle is taken out, 50 times its noise */
    r = judge_at(load_leak, N, 600, Z300, -1);
    print_message("load leak: rel %.3f snr %.0f period %.1f: %s\n", r.st.rel, r.st.snr,
                  r.st.period, r.reason);
    assert_true(r.whole.period > 0);
    assert_true(r.growing);
    r = judge(staircase, N, Z300);
    assert_string_equal(r.reason, "growing");
    assert_true(r.whole.period == 0);
    r = judge(wander_late, N, Z300);
    assert_false(r.growing);
}

static void test_z_crit(void **state)
{
    (void)state;
    detect_params p;
    detect_defaults(&p);
    assert_true(fabs(detect_z_crit(&p, 1) - 2.326) < 0.01);
    assert_true(detect_z_crit(&p, 1000) > detect_z_crit(&p, 10));
    assert_true(fabs(detect_z_crit(&p, 0) - detect_z_crit(&p, 1)) < 1e-12);
}

static void test_gauge_policy(void **state)
{
    (void)state;
    detect_params p;
    detect_defaults(&p);
    double floor_abs;
    lp_column c = {.name = "[blocks]", .kind = LP_GAUGE};
    assert_true(detect_judges(&c, &p, &floor_abs));
    assert_true(floor_abs == 1000);
    c.name = "[rss]";
    assert_true(detect_judges(&c, &p, &floor_abs));
    c.name = "[sample_ms]";
    assert_false(detect_judges(&c, &p, &floor_abs));
    c.name = "[uptime]";
    assert_false(detect_judges(&c, &p, &floor_abs));
    c = (lp_column){.name = "dict", .kind = LP_TYPE};
    assert_true(detect_judges(&c, &p, &floor_abs));
    assert_true(floor_abs == p.min_abs);
}

static bool only_leak(void *ud, const char *name)
{
    (void)ud;
    return strcmp(name, "leak") == 0;
}

static void test_store(void **state)
{
    (void)state;
    lp_series_store *s = lp_series_new();
    lp_error err;
    long old = lp_series_add_run(s, 1, "h", "p", "log", &err);
    long now = lp_series_add_run(s, 2, "h", "p", "log", &err);
    long leak = lp_series_intern(s, "leak", 4, lp_series_hash("leak", 4), LP_TYPE, &err);
    long stale = lp_series_intern(s, "stale", 5, lp_series_hash("stale", 5), LP_TYPE, &err);
    unsigned seed = 1;
    for (size_t i = 0; i < 400; i++) {                  /* run 1: "stale" leaks */
        assert_int_equal(lp_series_add_row(s, (double)i, (uint32_t)old, &err), 0);
        lp_series_put_count(s, (uint32_t)stale, 100 + 10 * i, &err);
        lp_series_put_count(s, (uint32_t)leak, 100, &err);
    }
    for (size_t i = 0; i < 400; i++) {                  /* restart: "leak" leaks */
        assert_int_equal(lp_series_add_row(s, 1000.0 + (double)i, (uint32_t)now, &err), 0);
        lp_series_put_count(s, (uint32_t)stale, 100 + (uint64_t)(rand_r(&seed) % 5), &err);
        lp_series_put_count(s, (uint32_t)leak, 100 + 10 * i, &err);
    }
    assert_int_equal(lp_series_finish(s, &err), 0);
    detect_params p;
    detect_defaults(&p);
    detect_report d;
    assert_int_equal(detect_store(s, &p, -INFINITY, INFINITY, NULL, NULL, &d, &err), 0);
    assert_int_equal(d.n_runs, 1);
    assert_int_equal(d.n_items, 2);
    assert_int_equal(d.n_growing, 1);
    assert_int_equal(d.items[0].col, (size_t)leak);
    assert_int_equal(d.items[0].run, (size_t)now);
    detect_report_free(&d);
    /* a window on the first run only judges it */
    assert_int_equal(detect_store(s, &p, 0, 500, NULL, NULL, &d, &err), 0);
    assert_int_equal(d.n_growing, 1);
    assert_int_equal(d.items[0].col, (size_t)stale);
    detect_report_free(&d);
    assert_int_equal(detect_store(s, &p, -INFINITY, INFINITY, only_leak, NULL, &d, &err), 0);
    assert_int_equal(d.n_items, 1);
    detect_report_free(&d);
    lp_series_free(s);
}

/* Two workers of one program side by side, the load moving from the first
 * to the second (its share 4 e^(-t/500) of 4 per second): the first's
 * leak slows like a store filling up, their sum does not.  Both also
 * hold a store filling up alike.  With workers runs, else the first
 * alone; the verdicts on the first worker's "leak" and "store". */
static void judge_workers(size_t workers, bool *leak_grows, bool *store_grows)
{
    lp_series_store *s = lp_series_new();
    lp_error err;
    long run[2];
    for (size_t w = 0; w < workers; w++)
        run[w] = lp_series_add_run(s, 10 + (long)w, "h", "gunicorn", "log", &err);
    long leak = lp_series_intern(s, "leak", 4, lp_series_hash("leak", 4), LP_TYPE, &err);
    long store = lp_series_intern(s, "store", 5, lp_series_hash("store", 5), LP_TYPE, &err);
    unsigned seed = 7;
    for (size_t i = 0; i < 1000; i++) {
        double t = (double)i, first = 2000 * (1 - exp(-t / 500));
        double kept[2] = {first, 4 * t - first};
        for (size_t w = 0; w < workers; w++) {
            assert_int_equal(lp_series_add_row(s, t + 0.5 * (double)w, (uint32_t)run[w], &err), 0);
            lp_series_put_count(s, (uint32_t)leak, (uint64_t)(100 + kept[w] + noise(&seed, 5)),
                                &err);
            lp_series_put_count(s, (uint32_t)store,
                                (uint64_t)(1000 + 3000 * (1 - exp(-t / 600)) + noise(&seed, 5)),
                                &err);
        }
    }
    assert_int_equal(lp_series_finish(s, &err), 0);
    detect_params p;
    detect_defaults(&p);
    detect_report d;
    assert_int_equal(detect_store(s, &p, -INFINITY, INFINITY, NULL, NULL, &d, &err), 0);
    *leak_grows = *store_grows = false;
    for (size_t i = 0; i < d.n_items; i++)
        if (d.items[i].run == (size_t)run[0]) {
            bool *grows = d.items[i].col == (size_t)leak ? leak_grows : store_grows;
            *grows = d.items[i].r.growing;
            print_message("worker 1 %s: %s, decay %.2f\n", s->cols[d.items[i].col].name,
                          d.items[i].r.reason, d.items[i].r.whole.decay);
        }
    detect_report_free(&d);
    lp_series_free(s);
}

static void test_siblings(void **state)
{
    (void)state;
    bool leak_grows, store_grows;
    judge_workers(1, &leak_grows, &store_grows);        /* alone: a store's shape */
    assert_false(leak_grows);
    assert_false(store_grows);
    judge_workers(2, &leak_grows, &store_grows);        /* the load moved: a leak */
    assert_true(leak_grows);
    assert_false(store_grows);
}

/* Two days of a program whose six types rise together and move together
 * (a walk of +-5%: the load's rise, RISING for each other), with the
 * gauges they make: [gc_objects] their sum, [blocks] 2.6 blocks per
 * object, [rss] 48 bytes per block.  With `leaked`, untracked blocks
 * (ints, strings) accumulate besides, 20% of the starting blocks. */
static lp_series_store *load_and_gauges(bool leaked)
{
    lp_series_store *s = lp_series_new();
    lp_error err;
    long run = lp_series_add_run(s, 7, "h", "p", "log", &err);
    long types[6], g[3];
    const char *gauge[3] = {"[gc_objects]", "[blocks]", "[rss]"};
    char name[16];
    for (int k = 0; k < 6; k++) {
        snprintf(name, sizeof name, "app.T%d", k);
        types[k] = lp_series_intern(s, name, strlen(name), lp_series_hash(name, strlen(name)),
                                    LP_TYPE, &err);
    }
    for (int k = 0; k < 3; k++)
        g[k] = lp_series_intern(s, gauge[k], strlen(gauge[k]),
                                lp_series_hash(gauge[k], strlen(gauge[k])), LP_GAUGE, &err);
    unsigned seed = 3;
    double walk = 0;
    const size_t n = 2880;
    for (size_t i = 0; i < n; i++) {
        assert_int_equal(lp_series_add_row(s, 60.0 * (double)i, (uint32_t)run, &err), 0);
        double x = (double)i / (double)n, total = 0;
        walk += noise(&seed, 0.002);
        walk = walk > 0.05 ? 0.1 - walk : walk < -0.05 ? -0.1 - walk : walk;
        double load = 1 + walk;
        for (int k = 0; k < 6; k++) {
            double c = 1e5 * (1 + k * 0.3) * (1 + 2 * x) * load + noise(&seed, 500);
            lp_series_put_count(s, (uint32_t)types[k], (uint64_t)c, &err);
            total += (double)(uint64_t)c;
        }
        double blocks = 2.6 * total + 2e4 + (leaked ? 0.2 * 2.6 * 9.5e5 * x : 0) +
                        noise(&seed, 200);
        double v[3] = {total, blocks, 4e7 + 48 * blocks + noise(&seed, 1e5)};
        for (int k = 0; k < 3; k++)
            assert_int_equal(lp_series_put_gauge(s, (uint32_t)g[k], v[k], &err), 0);
    }
    assert_int_equal(lp_series_finish(s, &err), 0);
    return s;
}

/* The verdict on series `name` in d. */
static detect_verdict verdict_of(const lp_series_store *s, const detect_report *d,
                                 const char *name)
{
    for (size_t i = 0; i < d->n_items; i++)
        if (strcmp(s->cols[d->items[i].col].name, name) == 0)
            return d->items[i].r.verdict;
    fail_msg("%s not judged", name);
    return DETECT_OK;
}

/* A memory gauge that rises with the load's types is the load's (RISING);
 * one that outgrows the GC-tracked objects holds memory no type accounts
 * for: GROWING, and rss with it. */
static void test_untracked_gauge(void **state)
{
    (void)state;
    detect_params p;
    detect_defaults(&p);
    lp_error err;
    for (int leaked = 0; leaked < 2; leaked++) {
        lp_series_store *s = load_and_gauges(leaked);
        detect_report d;
        assert_int_equal(detect_store(s, &p, -INFINITY, INFINITY, NULL, NULL, &d, &err), 0);
        detect_verdict want = leaked ? DETECT_GROWING : DETECT_RISING;
        print_message("leaked %d: [blocks] %d [rss] %d [gc_objects] %d app.T0 %d\n", leaked,
                      verdict_of(s, &d, "[blocks]"), verdict_of(s, &d, "[rss]"),
                      verdict_of(s, &d, "[gc_objects]"), verdict_of(s, &d, "app.T0"));
        assert_int_equal(verdict_of(s, &d, "[blocks]"), want);
        assert_int_equal(verdict_of(s, &d, "[rss]"), want);
        assert_int_equal(verdict_of(s, &d, "[gc_objects]"), DETECT_RISING);
        assert_int_equal(verdict_of(s, &d, "app.T0"), DETECT_RISING);
        detect_report_free(&d);
        lp_series_free(s);
    }
}

/* 576 snapshots dt seconds apart of `types` (<= 6) types rising by `rise`
 * of their level in lockstep beside 40 quiet ones; with `moves`, they also
 * move up and down together with the hours (+-10% every 8 hours), as a
 * load's types do.  Their verdict (they all have the same). */
static detect_verdict lockstep_of(size_t types, double dt, double rise, bool moves)
{
    static const char *const names[] = {"app.Request", "app.Header", "app.Session",
                                        "app.Token", "app.Cookie", "app.Params"};
    lp_series_store *s = lp_series_new();
    lp_error err;
    long run = lp_series_add_run(s, 7, "h", "app", "log", &err);
    long col[46];
    char name[32];
    for (size_t k = 0; k < 46; k++) {
        const char *nm = k < types ? names[k] : name;
        if (k >= types)
            snprintf(name, sizeof name, "q.Type%zu", k);
        col[k] = lp_series_intern(s, nm, strlen(nm), lp_series_hash(nm, strlen(nm)), LP_TYPE,
                                  &err);
    }
    unsigned seed = 3;
    for (size_t i = 0; i < 576; i++) {
        double t = 1e9 + dt * (double)i, grown = rise * (double)i / 575;
        double load = 1 + (moves ? 0.1 * sin(2 * M_PI * t / 28800) : 0);
        assert_int_equal(lp_series_add_row(s, t, (uint32_t)run, &err), 0);
        for (size_t k = 0; k < 46; k++) {
            double level = k < types ? 200 * (1 + (double)(k % 3)) * (1 + grown) * load
                                 : 1000 + 37 * (double)k;
            lp_series_put_count(s, (uint32_t)col[k], (uint64_t)(level + noise(&seed, 5)), &err);
        }
    }
    assert_int_equal(lp_series_finish(s, &err), 0);
    detect_params p;
    detect_defaults(&p);
    detect_report d;
    assert_int_equal(detect_store(s, &p, -INFINITY, INFINITY, NULL, NULL, &d, &err), 0);
    detect_verdict v = verdict_of(s, &d, "app.Request");
    for (size_t k = 1; k < types; k++)
        assert_int_equal(verdict_of(s, &d, names[k]), v);
    detect_report_free(&d);
    lp_series_free(s);
    return v;
}

/* Two days at 5 minutes of six types rising in lockstep (an object graph
 * kept per request, or a load that grew).  A rise of half the level that
 * moves with the hours is the load's (RISING); one that rises smoothly,
 * whatever the load does, is kept (GROWING); one of 100 times the level is
 * no load's, whatever the types that share it (GROWING). */
static detect_verdict lockstep_verdict(double rise, bool moves)
{
    return lockstep_of(6, 300, rise, moves);
}

/* Under a day (9.6 hours at a minute), a morning's rise of 30%: the load
 * when three other types share it, not when two do. */
static void test_morning_companions(void **state)
{
    (void)state;
    assert_int_equal(lockstep_of(4, 60, 0.3, false), DETECT_RISING);
    assert_int_equal(lockstep_of(3, 60, 0.3, false), DETECT_GROWING);
}

static void test_lockstep(void **state)
{
    (void)state;
    assert_int_equal(lockstep_verdict(0.5, true), DETECT_RISING);
    assert_int_equal(lockstep_verdict(0.5, false), DETECT_GROWING);
    assert_int_equal(lockstep_verdict(100, true), DETECT_GROWING);
}

/* `workers` workers of one program side by side hold a store filling up
 * (time constant 600 of 1,000 seconds); the first one's is noisy (+-amp),
 * or with `leak` it leaks linearly instead.  The first worker's verdict. */
static detect_result first_worker(size_t workers, double amp, bool leak, double tau0)
{
    lp_series_store *s = lp_series_new();
    lp_error err;
    long run[8];
    for (size_t w = 0; w < workers; w++)
        run[w] = lp_series_add_run(s, 20 + (long)w, "h", "uwsgi", "log", &err);
    long col = lp_series_intern(s, "store", 5, lp_series_hash("store", 5), LP_TYPE, &err);
    unsigned first_seed = 11, seed = 12;  /* the first worker's curve, whatever `workers` */
    for (size_t i = 0; i < 1000; i++) {
        double t = (double)i, fill = 1000 + 3000 * (1 - exp(-t / 600));
        for (size_t w = 0; w < workers; w++) {
            double v = w == 0 && leak ? 1000 + 3.0 * t
                       : w == 0       ? 1000 + 3000 * (1 - exp(-t / tau0)) : fill;
            assert_int_equal(lp_series_add_row(s, t + 0.3 * (double)w, (uint32_t)run[w], &err),
                             0);
            v += w == 0 ? noise(&first_seed, amp) : noise(&seed, 5);
            lp_series_put_count(s, (uint32_t)col, (uint64_t)v, &err);
        }
    }
    assert_int_equal(lp_series_finish(s, &err), 0);
    detect_params p;
    detect_defaults(&p);
    detect_report d;
    assert_int_equal(detect_store(s, &p, -INFINITY, INFINITY, NULL, NULL, &d, &err), 0);
    detect_result r = {0};
    for (size_t i = 0; i < d.n_items; i++)
        if (d.items[i].run == (size_t)run[0])
            r = d.items[i].r;
    print_message("first of %zu (amp %.0f, leak %d): %s, decay %.2f / %.2f\n", workers, amp,
                  leak, r.reason, r.whole.decay, r.late.decay);
    detect_report_free(&d);
    lp_series_free(s);
    return r;
}

static void test_stopped_short(void **state)
{
    (void)state;
    detect_result r = judge(stops_late, N, Z300);
    print_message("stops late: %s; slows late: %s\n", r.reason,
                  judge(slows_late, N, Z300).reason);
    assert_int_equal(r.verdict, DETECT_HELD);
    assert_int_equal(judge(stops_tenth, N, Z300).verdict, DETECT_HELD);
    assert_int_equal(judge(slows_late, N, Z300).verdict, DETECT_GROWING);
    assert_int_equal(judge(linear, N, Z300).verdict, DETECT_GROWING);
}

static void test_pooled_slowing(void **state)
{
    (void)state;
    /* alone, the noise hides how much the store slows */
    assert_true(first_worker(1, 900, false, 600).growing);
    /* its two siblings fill the same store, without that noise */
    assert_false(first_worker(3, 900, false, 600).growing);
    /* a leak in one worker of a type the others fill keeps its rate */
    assert_true(first_worker(3, 300, true, 600).growing);
    assert_true(first_worker(3, 20, true, 600).growing);
}

static void test_siblings_store(void **state)
{
    (void)state;
    /* alone, a store of time constant 2.5x the run barely slows */
    assert_true(first_worker(1, 5, false, 2500).growing);
    /* beside three workers whose store fills faster, it is theirs */
    detect_result r = first_worker(4, 5, false, 2500);
    assert_int_equal(r.verdict, DETECT_OK);
    assert_string_equal(r.reason, "filling up (as in its siblings)");
    /* a leak beside them rises beyond what any of them did */
    assert_true(first_worker(4, 5, true, 2500).growing);
}

/* Interns names[0..n) into s, the first n_types as types and the rest as
 * gauges, into col[0..n). */
static void intern_columns(lp_series_store *s, const char *const *names, int n, int n_types,
                           long *col)
{
    lp_error err;
    for (int k = 0; k < n; k++)
        col[k] = lp_series_intern(s, names[k], strlen(names[k]),
                                  lp_series_hash(names[k], strlen(names[k])),
                                  k < n_types ? LP_TYPE : LP_GAUGE, &err);
}

/* The row's [gc_objects], [blocks] and [rss], g[0..3), into col[0..3). */
static void put_gauges(lp_series_store *s, const long *col, const double *g)
{
    lp_error err;
    for (int k = 0; k < 3; k++)
        assert_int_equal(lp_series_put_gauge(s, (uint32_t)col[k], g[k], &err), 0);
}

/* The report on every series of s with the default parameters, into *d. */
static void judge_store(const lp_series_store *s, detect_report *d)
{
    detect_params p;
    detect_defaults(&p);
    lp_error err;
    assert_int_equal(detect_store(s, &p, -INFINITY, INFINITY, NULL, NULL, d, &err), 0);
}

/* A fresh worker's hour at 5 seconds: two stores fill (time constants
 * 1,500 and 1,000 seconds) beside a flat type, and the gauges they make
 * ([gc_objects] their sum, [blocks] 2.6 a object, [rss] 48 bytes a block).
 * What else accumulates by the end: 'g' objects no type counts (spread
 * thin), 30% of the start; 'b' untracked blocks or 'r' native bytes, as
 * much as the start (a ratio to a parent that grows 2.3x only grows with
 * more than the parent's fill dilutes). */
static lp_series_store *stores_and_gauges(char extra)
{
    lp_series_store *s = lp_series_new();
    lp_error err;
    long run = lp_series_add_run(s, 9, "h", "p", "log", &err);
    static const char *const name[6] = {"app.Session", "app.Cache", "app.Static",
                                         "[gc_objects]", "[blocks]", "[rss]"};
    long col[6];
    intern_columns(s, name, 6, 3, col);
    unsigned seed = 5;
    const size_t n = 720;
    for (size_t i = 0; i < n; i++) {
        double t = 5.0 * (double)i, x = (double)i / (double)n;
        assert_int_equal(lp_series_add_row(s, t, (uint32_t)run, &err), 0);
        double c[3] = {2e3 + 4e4 * (1 - exp(-t / 1500)), 1e3 + 3e4 * (1 - exp(-t / 1000)),
                       5e4}, total = 0;
        for (int k = 0; k < 3; k++) {
            c[k] = (double)(uint64_t)(c[k] + noise(&seed, 100));
            lp_series_put_count(s, (uint32_t)col[k], (uint64_t)c[k], &err);
            total += c[k];
        }
        double gc = total + (extra == 'g' ? 0.3 * 5.3e4 * x : 0);
        double blocks = 2.6 * gc + 2e5 + (extra == 'b' ? 3.4e5 * x : 0) + noise(&seed, 200);
        double rss = 4e7 + 48 * blocks + (extra == 'r' ? 5.6e7 * x : 0) +
                     noise(&seed, 1e5);
        put_gauges(s, col + 3, (double[3]){gc, blocks, rss});
    }
    assert_int_equal(lp_series_finish(s, &err), 0);
    return s;
}

static void test_stores_fill(void **state)
{
    (void)state;
    /* which gauges stay GROWING, [gc_objects], [blocks], [rss], per extra */
    const char *extras = "-gbr";
    const bool want[4][3] = {{0, 0, 0}, {1, 1, 1}, {0, 1, 1}, {0, 0, 1}};
    const char *gauge[3] = {"[gc_objects]", "[blocks]", "[rss]"};
    for (int e = 0; e < 4; e++) {
        lp_series_store *s = stores_and_gauges(extras[e]);
        detect_report d;
        judge_store(s, &d);
        print_message("extra %c: stores %d %d, gauges %d %d %d\n", extras[e],
                      verdict_of(s, &d, "app.Session"), verdict_of(s, &d, "app.Cache"),
                      verdict_of(s, &d, gauge[0]), verdict_of(s, &d, gauge[1]),
                      verdict_of(s, &d, gauge[2]));
        assert_int_equal(verdict_of(s, &d, "app.Session"), DETECT_OK);
        assert_int_equal(verdict_of(s, &d, "app.Cache"), DETECT_OK);
        for (int k = 0; k < 3; k++)
            assert_int_equal(verdict_of(s, &d, gauge[k]) == DETECT_GROWING, want[e][k]);
        detect_report_free(&d);
        lp_series_free(s);
    }
}

/* Two days at a minute of a program whose load wanders (a bounded random
 * walk, +-30%): its four types and [gc_objects] follow it, [blocks] (2.6
 * a object) and [rss] (48 bytes a block) with them.  With `leaked`,
 * untracked blocks accumulate besides, 8% of the start by the end. */
static lp_series_store *wander_and_gauges(bool leaked)
{
    lp_series_store *s = lp_series_new();
    lp_error err;
    long run = lp_series_add_run(s, 8, "h", "p", "log", &err);
    static const char *const name[7] = {"app.A", "app.B", "app.C", "app.D",
                                        "[gc_objects]", "[blocks]", "[rss]"};
    long col[7];
    intern_columns(s, name, 7, 4, col);
    unsigned seed = 4;
    const size_t n = 2880;
    double walk = 0;
    for (size_t i = 0; i < n; i++) {
        walk += noise(&seed, 0.02);
        walk = walk > 0.3 ? 0.6 - walk : walk < -0.3 ? -0.6 - walk : walk;
        double x = (double)i / (double)n, total = 0;
        assert_int_equal(lp_series_add_row(s, 60.0 * (double)i, (uint32_t)run, &err), 0);
        for (int k = 0; k < 4; k++) {
            double c = (double)(uint64_t)(2.5e5 * (1 + walk) + noise(&seed, 300));
            lp_series_put_count(s, (uint32_t)col[k], (uint64_t)c, &err);
            total += c;
        }
        double blocks = 2.6 * total + 2e4 + (leaked ? 0.08 * 2.62e6 * x : 0) +
                        noise(&seed, 2000);
        put_gauges(s, col + 4, (double[3]){total, blocks, 4e7 + 48 * blocks + noise(&seed, 1e5)});
    }
    assert_int_equal(lp_series_finish(s, &err), 0);
    return s;
}

static void test_untracked_hidden(void **state)
{
    (void)state;
    for (int leaked = 0; leaked < 2; leaked++) {
        lp_series_store *s = wander_and_gauges(leaked);
        detect_report d;
        judge_store(s, &d);
        print_message("leaked %d: [blocks] %d [rss] %d [gc_objects] %d\n", leaked,
                      verdict_of(s, &d, "[blocks]"), verdict_of(s, &d, "[rss]"),
                      verdict_of(s, &d, "[gc_objects]"));
        detect_verdict want = leaked ? DETECT_GROWING : DETECT_OK;
        assert_int_equal(verdict_of(s, &d, "[blocks]"), want);
        assert_int_equal(verdict_of(s, &d, "[rss]"), want);
        assert_int_equal(verdict_of(s, &d, "[gc_objects]"), DETECT_OK);
        detect_report_free(&d);
        lp_series_free(s);
    }
}

/* The verdict of run 3 (the young run of the lineage tests) in s, which
 * is finished here and freed. */
static detect_verdict young_verdict(lp_series_store *s)
{
    lp_error err;
    assert_int_equal(lp_series_finish(s, &err), 0);
    detect_params p;
    detect_defaults(&p);
    detect_report d;
    assert_int_equal(detect_store(s, &p, -INFINITY, INFINITY, NULL, NULL, &d, &err), 0);
    detect_verdict v = DETECT_OK;
    for (size_t i = 0; i < d.n_items; i++)
        if (d.items[i].run == 3) {
            v = d.items[i].r.verdict;
            print_message("%s, %zu runs\n", d.items[i].r.reason, d.items[i].r.runs);
        }
    detect_report_free(&d);
    lp_series_free(s);
    return v;
}

/* Four runs of one program, of n[k] snapshots a minute apart, `gap`
 * seconds between them, of one type `name` counting value(k, i, ud) plus
 * noise of `amp`. */
typedef double (*run_value_fn)(long k, size_t i, const void *ud);
static lp_series_store *lineage_of(const char *name, const size_t n[4], double gap,
                                   run_value_fn value, const void *ud, double amp)
{
    lp_series_store *s = lp_series_new();
    lp_error err;
    long col = -1;
    double t0 = 1e9;
    for (long k = 0; k < 4; k++) {
        long run = lp_series_add_run(s, 100 + 7 * k, "h", "app", "log", &err);
        if (col < 0)
            col = lp_series_intern(s, name, strlen(name), lp_series_hash(name, strlen(name)),
                                   LP_TYPE, &err);
        unsigned seed = 9 + (unsigned)k;
        for (size_t i = 0; i < n[k]; i++) {
            assert_int_equal(lp_series_add_row(s, t0 + 60.0 * (double)i, (uint32_t)run, &err),
                             0);
            double v = value(k, i, ud) + noise(&seed, amp);
            lp_series_put_count(s, (uint32_t)col, (uint64_t)v, &err);
        }
        t0 += 60.0 * (double)n[k] + 60 + gap;
    }
    return s;
}

static double rises_6pct(long k, size_t i, const void *ud)
{
    (void)k, (void)ud;
    return 1000 * (1 + 0.06 * (double)i / 780);
}

/* Three runs of 13 hours of one program, each rising 6% (a rise a
 * morning's load could make), then a young run of 3 hours rising alike:
 * back to back, or `gap` seconds apart.  The young run's verdict. */
static detect_verdict lineage_verdict(double gap)
{
    static const size_t n[4] = {780, 780, 780, 180};
    print_message("gap %.0f s: ", gap);
    return young_verdict(lineage_of("app.Leak", n, gap, rises_6pct, NULL, 2));
}

static void test_lineage_streak(void **state)
{
    (void)state;
    /* over a day of runs back to back, a daily cycle would have fallen */
    assert_int_equal(lineage_verdict(0), DETECT_GROWING);
    /* 13 hours a day, 11 apart: each could have been a morning */
    assert_int_equal(lineage_verdict(11 * 3600), DETECT_OK);
}

/* Runs 0-1 rise 10%, run 2 by *last (of 20 hours each), the young run 3
 * of 3 hours as runs 0-1. */
static double rises_then(long k, size_t i, const void *ud)
{
    double rise = k == 2 ? *(const double *)ud : 0.1;
    return 1000 * (1 + rise * (double)i / (k < 3 ? 1200 : 400));
}

/* The young run's verdict when the run before it rose by `last`. */
static detect_verdict latest_verdict(double last)
{
    static const size_t n[4] = {1200, 1200, 1200, 180};
    print_message("run before %+.0f%%: ", 100 * last);
    return young_verdict(lineage_of("app.Leak", n, 0, rises_then, &last, 2));
}

static void test_lineage_latest(void **state)
{
    (void)state;
    assert_int_equal(latest_verdict(0.1), DETECT_GROWING);
    /* two of three grew, but not the latest: a leak rises in every run */
    assert_int_equal(latest_verdict(-0.1), DETECT_OK);
}

/* A day's swing 500 -> 1,500 in runs 0-2, then a rise from 600 to *end
 * over run 3's 480 minutes. */
static double swings_then_rises(long k, size_t i, const void *ud)
{
    double end = *(const double *)ud;
    return k < 3 ? 1000 + 500 * sin(2 * M_PI * (double)i / 1440)
                 : 600 + (end - 600) * (double)i / 480;
}

/* Three runs of a day of one program, a type swinging 500 -> 1,500 with
 * the day's load, then a run of 8 hours rising from 600 to `end`.  The
 * young run's verdict. */
static detect_verdict swing_verdict(double end)
{
    static const size_t n[4] = {1440, 1440, 1440, 480};
    print_message("to %.0f: ", end);
    return young_verdict(lineage_of("app.Session", n, 0, swings_then_rises, &end, 10));
}

static void test_lineage_swing(void **state)
{
    (void)state;
    /* the runs before rose as far every day, and fell back */
    assert_int_equal(swing_verdict(1400), DETECT_RISING);
    /* beyond the highest they reached */
    assert_int_equal(swing_verdict(3000), DETECT_GROWING);
}

/* Two days at 5 minutes: app.Leak rising ever faster (by 1.5x its level,
 * as a leak of a growing load), beside five types that rise as far with
 * it, all moving with the hours (+-3% every 8 hours): stores filling up
 * (time constant 2/7 of the run, their envelopes correlated 0.9 with the
 * leak's), or, without `stores`, rising as it does.  app.Leak's
 * verdict. */
static detect_verdict beside_stores(bool stores)
{
    lp_series_store *s = lp_series_new();
    lp_error err;
    long run = lp_series_add_run(s, 9, "h", "app", "log", &err);
    long col[6];
    for (size_t k = 0; k < 6; k++) {
        char store[32];
        snprintf(store, sizeof store, "app.Store%zu", k);
        const char *name = k == 0 ? "app.Leak" : store;
        col[k] = lp_series_intern(s, name, strlen(name), lp_series_hash(name, strlen(name)),
                                  LP_TYPE, &err);
    }
    unsigned seed = 5;
    for (size_t i = 0; i < 576; i++) {
        double t = 1e9 + 300.0 * (double)i, u = (double)i / 575;
        double load = 1 + 0.03 * sin(2 * M_PI * t / 28800);
        double leak = 1000 * (1 + 1.5 * pow(u, 1.2));
        double store = 1000 * (1 + 1.5 * (1 - exp(-3.5 * u)));
        assert_int_equal(lp_series_add_row(s, t, (uint32_t)run, &err), 0);
        for (size_t k = 0; k < 6; k++) {
            double v = (k == 0 || !stores ? leak : store) * load + noise(&seed, 5);
            lp_series_put_count(s, (uint32_t)col[k], (uint64_t)v, &err);
        }
    }
    assert_int_equal(lp_series_finish(s, &err), 0);
    detect_report d;
    judge_store(s, &d);
    detect_verdict v = verdict_of(s, &d, "app.Leak");
    for (size_t i = 0; i < d.n_items; i++)
        print_message("%s: %s\n", s->cols[d.items[i].col].name, d.items[i].r.reason);
    detect_report_free(&d);
    lp_series_free(s);
    return v;
}

static void test_stores_no_companions(void **state)
{
    (void)state;
    assert_int_equal(beside_stores(true), DETECT_GROWING);
    assert_int_equal(beside_stores(false), DETECT_RISING);
}

/* A store with one run (pid) of 21 types: `first`, then rest1..rest20
 * (rest a printf format of one %zu), into col[0..21). */
static lp_series_store *one_and_twenty(long pid, const char *first, const char *rest,
                                       long *col, long *run)
{
    lp_series_store *s = lp_series_new();
    lp_error err;
    *run = lp_series_add_run(s, pid, "h", "app", "log", &err);
    for (size_t k = 0; k < 21; k++) {
        char name[32];
        if (k == 0)
            snprintf(name, sizeof name, "%s", first);
        else
            snprintf(name, sizeof name, rest, k);
        col[k] = lp_series_intern(s, name, strlen(name), lp_series_hash(name, strlen(name)),
                                  LP_TYPE, &err);
    }
    return s;
}

/* A week at 10 minutes of a service's load: +-40% over the day, 30% less
 * on Saturday and Sunday (the week starts on a Monday), driving twenty
 * request types (3% noise).  app.Session follows the load too and keeps
 * `pct_day` percent of its level a day on top.  Its verdict, and in
 * *loaded whether its load was taken out. */
static detect_verdict under_the_load(double pct_day, bool *loaded)
{
    lp_error err;
    long run, col[21];
    lp_series_store *s = one_and_twenty(11, "app.Session", "app.Request%zu", col, &run);
    unsigned seed = 13;
    for (size_t i = 0; i < 1008; i++) {
        double t = 1e9 + 600.0 * (double)i, day = (double)i / 144;
        double load = (1 + 0.4 * cos(2 * M_PI * day)) * ((size_t)day % 7 >= 5 ? 0.7 : 1);
        assert_int_equal(lp_series_add_row(s, t, (uint32_t)run, &err), 0);
        for (size_t k = 0; k < 21; k++) {
            double level = 2000 * (1 + (double)(k % 4)), kept = k == 0 ? pct_day / 100 * day : 0;
            double v = level * (load * (1 + noise(&seed, 0.03)) + kept);
            lp_series_put_count(s, (uint32_t)col[k], (uint64_t)v, &err);
        }
    }
    assert_int_equal(lp_series_finish(s, &err), 0);
    detect_report d;
    judge_store(s, &d);
    detect_verdict v = verdict_of(s, &d, "app.Session");
    for (size_t i = 0; i < d.n_items; i++)
        if (strcmp(s->cols[d.items[i].col].name, "app.Session") == 0) {
            *loaded = d.items[i].r.st.loaded;
            print_message("app.Session: z=%.2f period=%.1f (%s)\n", d.items[i].r.st.z,
                          d.items[i].r.st.period, d.items[i].r.reason);
        }
    assert_int_equal(d.n_growing, v == DETECT_GROWING);
    detect_report_free(&d);
    lp_series_free(s);
    return v;
}

/* 4% a day under the load's day and weekend is GROWING once the load is
 * taken out; none is nothing, with or without it. */
static void test_under_the_load(void **state)
{
    (void)state;
    bool loaded = false;
    assert_int_equal(under_the_load(4, &loaded), DETECT_GROWING);
    assert_true(loaded);
    assert_int_equal(under_the_load(0, &loaded), DETECT_OK);
}

/* What app.Store holds `hours` in: 1,000 objects, a store of `amount`
 * filling up with time constant `tau` hours, a second one (`amount2`,
 * `tau2`: sessions of two lifetimes), and a leak of `per_hour`. */
typedef struct store_shape {
    double amount, tau, amount2, tau2, per_hour;
} store_shape;

static double store_at(const store_shape *st, double hours)
{
    double second = st->amount2 > 0 ? st->amount2 * (1 - exp(-hours / st->tau2)) : 0;
    return 1000 + st->amount * (1 - exp(-hours / st->tau)) + second + st->per_hour * hours;
}

/* `hours_in_all` hours of 720 snapshots of app.Store (shape) beside
 * twenty types: flat, or with `evening`, six of them falling with the
 * load by 40%.  Its verdict. */
static detect_verdict store_beside(double hours_in_all, store_shape shape, bool evening)
{
    lp_error err;
    long run, col[21];
    lp_series_store *s = one_and_twenty(12, "app.Store", "app.Type%zu", col, &run);
    unsigned seed = 17;
    for (size_t i = 0; i < 720; i++) {
        double u = (double)i / 719, hours = hours_in_all * u;
        assert_int_equal(lp_series_add_row(s, 1e9 + hours * 3600, (uint32_t)run, &err), 0);
        for (size_t k = 0; k < 21; k++) {
            double v = k == 0 ? store_at(&shape, hours)
                              : 2000 * (evening && k <= 6 ? 1 - 0.4 * u : 1);
            lp_series_put_count(s, (uint32_t)col[k], (uint64_t)(v + noise(&seed, 5)), &err);
        }
    }
    assert_int_equal(lp_series_finish(s, &err), 0);
    detect_report d;
    judge_store(s, &d);
    detect_verdict v = verdict_of(s, &d, "app.Store");
    detect_report_free(&d);
    lp_series_free(s);
    return v;
}

/* A rise that slows is a falling load's only when the load fell.  Under
 * a day (12 hours, the store's time constant 6: its rate falls to a
 * quarter in 8 hours, as a leak's would in the evening), when no type
 * fell with it, a store filling up is not GROWING; nor one that slows
 * less (time constant 18: its rate falls to 0.68), which a steady load
 * does not slow within a day; over three days (time constant 36 hours),
 * neither, as it shows no daily cycle.  Over 3 minutes, a session store
 * of two lifetimes slows to 0.17 over the run and to 0.64 over its late
 * half, as its longer sessions fill: that half goes on slowing as a
 * store does, and is no leak's steady rate again, unless the load fell;
 * a leak that began with a burst (a store filling in 20 s) rises
 * steadily over its late half, and is GROWING. */
static void test_steady_load(void **state)
{
    (void)state;
    const store_shape quick = {3000, 6, 0, 0, 0}, slow = {3000, 18, 0, 0, 0};
    const store_shape long_week = {3000, 36, 0, 0, 0};
    const store_shape two_lives = {3000, 0.006, 2000, 0.06, 0};
    const store_shape burst_then_leak = {3000, 0.006, 0, 0, 20000};
    assert_int_equal(store_beside(12, quick, true), DETECT_GROWING);
    assert_int_equal(store_beside(12, quick, false), DETECT_OK);
    assert_int_equal(store_beside(12, slow, true), DETECT_GROWING);
    assert_int_equal(store_beside(12, slow, false), DETECT_OK);
    assert_int_equal(store_beside(72, long_week, false), DETECT_OK);
    assert_int_equal(store_beside(0.05, two_lives, true), DETECT_GROWING);
    assert_int_equal(store_beside(0.05, two_lives, false), DETECT_OK);
    assert_int_equal(store_beside(0.05, burst_then_leak, false), DETECT_GROWING);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_flags_leaks),
        cmocka_unit_test(test_gates),
        cmocka_unit_test(test_cycles_and_stairs),
        cmocka_unit_test(test_z_crit),
        cmocka_unit_test(test_gauge_policy),
        cmocka_unit_test(test_store),
        cmocka_unit_test(test_siblings),
        cmocka_unit_test(test_pooled_slowing),
        cmocka_unit_test(test_siblings_store),
        cmocka_unit_test(test_stopped_short),
        cmocka_unit_test(test_untracked_gauge),
        cmocka_unit_test(test_stores_fill),
        cmocka_unit_test(test_untracked_hidden),
        cmocka_unit_test(test_lockstep),
        cmocka_unit_test(test_morning_companions),
        cmocka_unit_test(test_stores_no_companions),
        cmocka_unit_test(test_lineage_streak),
        cmocka_unit_test(test_lineage_swing),
        cmocka_unit_test(test_lineage_latest),
        cmocka_unit_test(test_under_the_load),
        cmocka_unit_test(test_steady_load),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
