/* detect: envelope, gates and the store-wide driver.  See detect.h for
 * the design and the meaning of every parameter. */
#include "detect.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "lp_kinds.h"
#include "trend.h"

#define MAX_BUCKETS 1024

void detect_defaults(detect_params *p)
{
    *p = (detect_params){
        .alpha = 0.01,
        .min_snapshots = 30,
        .warmup = 0.1,
        .buckets = 64,
        .min_rel = 0.1,
        .rel_span = 6 * 3600,
        .min_snr = 2,
        .min_week = 0.02,
        .min_abs = 50,
        .tail = 0.2,
        .tail_ratio = 0.3,
        .max_step = 0.5,
        .max_fall = 0.4,
        .slowing = true,
    };
}

/* Which series are judged: a kind's by the --by ranking (lp_kinds.c), a
 * gauge's by its row of lp_gauges.  rss and blocks are the only trace of
 * leaked ints and strings when the walk does not count referents,
 * gc_objects catches leaks spread thin over many types.  sample_ms is not
 * judged: it is the cost of counting, which grows with the heap, so it only
 * echoes gc_objects, and scheduler noise dominates it.  Unknown gauges are
 * plotted but not judged: their meaning is unknown (a counter such as
 * uptime or requests grows by design).  Bytes: the least growth is a
 * megabyte, as for rss. */
bool detect_judges(const lp_column *c, const detect_params *p, double *min_abs)
{
    *min_abs = p->min_abs;
    if (c->kind == LP_GAUGE) {
        const lp_gauge_info *g = lp_gauge_find(c->name);
        if (g == NULL)
            return false;
        *min_abs = g->min_abs;
        return g->judged;
    }
    if (lp_kinds[c->kind].unit == LP_UNIT_BYTES)
        *min_abs = 1024.0 * 1024.0;
    return p->by_bytes ? lp_kinds[c->kind].by_bytes : lp_kinds[c->kind].by_count;
}

double detect_z_crit(const detect_params *p, size_t m)
{
    return trend_norm_isf(p->alpha / (double)(m ? m : 1));
}

static double median3(double a, double b, double c)
{
    if (a > b) {
        double t = a;
        a = b;
        b = t;
    }
    return c < a ? a : c > b ? b : c;
}

/* A daily cycle that swings a count by +-CYCLE_SWING around its mean (the
 * load of a busy service: four times as much at the peak as at night)
 * rises at most 2 A sin(pi span / day) of the mean in `span`, relative to
 * a start at the trough (1 - A). */
#define CYCLE_SWING 0.6
#define DAY 86400.0
double detect_cycle_rise(double span)
{
    double half = span < DAY / 2 ? span : DAY / 2;
    return 2 * CYCLE_SWING * sin(M_PI * half / DAY) / (1 - CYCLE_SWING);
}

/* The first gate the stretch fails, or NULL when it passes them all. */
static const char *gate(const detect_stats *st, const detect_params *p, double min_abs,
                        double z_crit, double last)
{
    if (!st->judged)
        return "short";
    if (!(st->z >= z_crit))
        return "no significant trend";
    /* min_rel holds for short stretches, and for deseasonalised ones: the
     * phase means fitted to a cycle leave small trends of their own */
    bool rel_applies = st->span < p->rel_span || st->period > 0;
    if (st->growth < min_abs || (rel_applies && st->rel < p->min_rel) || last <= st->level)
        return "too little growth";
    if (!(st->snr >= p->min_snr))
        return "growth within the noise";
    if (!(st->week >= p->min_week))
        return "too slow to matter";
    if (!(st->recent >= p->tail_ratio))
        return "not rising recently";
    if (st->slowing)
        return "filling up (rising ever slower)";
    if (!(st->step <= p->max_step))
        return "one step";
    if (!(st->fall <= p->max_fall))
        return "falls back";
    return NULL;
}

/* HELD: the whole run rose at least 2x and min_abs, not in one step, then
 * stopped dead (a knee was found) and never fell back.  No trend test: a
 * ramp and a plateau are no monotonic trend, and HELD raises no alarm. */
static bool held(const detect_result *r, const detect_params *p, double min_abs)
{
    const detect_stats *w = &r->whole;
    return !isnan(w->knee) && r->last - w->level >= min_abs && r->last >= 2 * w->level &&
           w->fall <= p->max_fall && w->step <= p->max_step;
}

/* Apply the gates to both stretches; sets verdict, growing, reason, st. */
static void verdict(detect_result *r, const detect_params *p, double min_abs,
                    double z_crit)
{
    const char *whole = gate(&r->whole, p, min_abs, z_crit, r->last);
    /* the late half only speaks for a series whose whole run already
     * trends up at half the required significance and whose envelope never
     * fell back: a leak that began half-way is flat, then rises; a wander
     * that happens to rise at the end went down somewhere before.  A run
     * that slowed is judged on its late half by that half's own slowing
     * gate: a store filling up slows ever after, a leak whose share of
     * the load fell rises steadily again */
    bool late_ok = r->whole.z >= z_crit / 2 && r->whole.fall <= p->max_fall;
    const char *late = whole && late_ok
                           ? gate(&r->late, p, min_abs, z_crit, r->last) : whole;
    /* a rise that plainly stopped dead is HELD, whatever the gates say */
    bool passes = r->judged && (!whole || !late) && !(r->whole.stopped && held(r, p, min_abs));
    r->late_half = whole && !late;
    r->st = r->late_half ? r->late : r->whole;
    r->runs = 1;
    r->verdict = DETECT_OK;
    if (passes)
        r->verdict = DETECT_GROWING;
    else if (r->judged && held(r, p, min_abs))
        r->verdict = DETECT_HELD;
    r->growing = r->verdict == DETECT_GROWING;
    r->reason = r->verdict == DETECT_GROWING ? "growing"
                : r->verdict == DETECT_HELD ? "held (the rise stopped, nothing released)"
                : whole;
}

/* Whether a growing series is one a load could explain: a rise within
 * detect_cycle_rise of its span (the load is checked by confirm_rising). */
static bool cycle_sized(const detect_result *r)
{
    return r->verdict == DETECT_GROWING && r->st.rel <= detect_cycle_rise(r->t_last - r->t_first);
}

bool detect_rising_daily(const detect_result *r)
{
    return r->t_last - r->t_first < DAY;
}

/* Minimum and maximum of e[lo..hi). */
static double min_of(const double *e, size_t lo, size_t hi)
{
    double m = e[lo];
    for (size_t i = lo + 1; i < hi; i++)
        m = e[i] < m ? e[i] : m;
    return m;
}

static double max_of(const double *e, size_t lo, size_t hi)
{
    double m = e[lo];
    for (size_t i = lo + 1; i < hi; i++)
        m = e[i] > m ? e[i] : m;
    return m;
}

/* Median of e[lo..hi) (hi - lo <= MAX_BUCKETS). */
static double window_median(const double *e, size_t lo, size_t hi)
{
    double w[MAX_BUCKETS];
    memcpy(w, e + lo, (hi - lo) * sizeof *w);
    return trend_median(w, hi - lo);
}

/* The period of a cycle in r[0..n) (residuals of the envelope from its
 * trend line), in buckets, refined between lags; 0 when there is none.
 * A cycle is the highest autocorrelation peak after the first negative
 * lag, at least CYCLE_MIN_RHO strong, at least CYCLE_MIN_BUCKETS long
 * (shorter ones are churn the rolling minima absorb) and at most n/2 (two
 * cycles in the window: three days of a daily load lose a tenth to the
 * warm-up).  O(n^2 / 2) with n <= MAX_BUCKETS. */
#define CYCLE_MIN_RHO 0.5
#define CYCLE_MIN_BUCKETS 5
static double cycle_period(const double *r, size_t n)
{
    double mean = 0, den = 0, rho[MAX_BUCKETS / 2 + 2];
    size_t kmax = n / 2 - 1;
    if (kmax < CYCLE_MIN_BUCKETS + 1)
        return 0;
    for (size_t j = 0; j < n; j++)
        mean += r[j] / (double)n;
    for (size_t j = 0; j < n; j++)
        den += (r[j] - mean) * (r[j] - mean);
    if (!(den > 0))
        return 0;
    for (size_t k = 0; k <= kmax + 1; k++) {
        double num = 0;
        for (size_t j = 0; j + k < n; j++)
            num += (r[j] - mean) * (r[j + k] - mean);
        rho[k] = num / den;
    }
    size_t k0 = 1, best = 0;
    while (k0 <= kmax && rho[k0] >= 0)
        k0++;
    for (size_t k = k0 + 1; k <= kmax; k++)
        if (rho[k] >= rho[k - 1] && rho[k] >= rho[k + 1] && (best == 0 || rho[k] > rho[best]))
            best = k;
    if (best < CYCLE_MIN_BUCKETS || rho[best] < CYCLE_MIN_RHO)
        return 0;
    double a = rho[best - 1], b = rho[best], c = rho[best + 1], curve = a - 2 * b + c;
    return (double)best + (curve < 0 ? 0.5 * (a - c) / curve : 0);
}

/* The highest level e[lo..hi) held for k buckets in a row: the maximum of
 * its rolling minimum (hi - lo >= k). */
static double held_level(const double *e, size_t lo, size_t hi, size_t k)
{
    double held = -INFINITY;
    for (size_t j = lo; j + k <= hi; j++) {
        double low = min_of(e, j, j + k);
        held = low > held ? low : held;
    }
    return held;
}

/* Subtract from e[0..n) the mean residual r of its phase in a cycle of
 * `period` buckets: what is left compares like with like across cycles. */
static void deseasonalise(double *e, const double *r, size_t n, double period)
{
    double sum[MAX_BUCKETS / 2 + 2] = {0};
    size_t count[MAX_BUCKETS / 2 + 2] = {0};
    for (size_t j = 0; j < n; j++) {
        size_t b = (size_t)fmod((double)j, period);
        sum[b] += r[j];
        count[b]++;
    }
    double mean = 0;
    for (size_t j = 0; j < n; j++)
        mean += r[j] / (double)n;
    for (size_t j = 0; j < n; j++) {
        size_t b = (size_t)fmod((double)j, period);
        e[j] -= sum[b] / (double)count[b] - mean;
    }
}

/* 1.4826 x the median absolute deviation of r[0..n): the standard
 * deviation of normal noise, robust to a few outliers. */
static double robust_scale(const double *r, size_t n)
{
    double w[MAX_BUCKETS];
    memcpy(w, r, n * sizeof *w);
    double mid = trend_median(w, n);
    for (size_t j = 0; j < n; j++)
        w[j] = fabs(r[j] - mid);
    return 1.4826 * trend_median(w, n);
}

/* Where the rise of e[0..n) from `level` to `top` stopped dead: the first
 * bucket at 95% of the rise, when the rise just before it still ran at
 * half its average rate or more (a linear rise cut off; a cache's
 * approach to its bound slows down first).  Its index, or n when none. */
static size_t dead_stop(const double *e, size_t n, double level, double top)
{
    double rise = top - level;
    if (!(rise > 0))
        return n;
    size_t j = 0;
    while (j < n && e[j] < level + 0.95 * rise)
        j++;
    if (j < 4 || j >= n)
        return n;
    size_t w = j / 4 > 2 ? j / 4 : 2;
    double end_rate = (e[j] - e[j - w]) / (double)w, avg = (e[j] - e[0]) / (double)j;
    return avg > 0 && end_rate >= 0.5 * avg ? j : n;
}

/* The noise of e[0..n) from bucket to bucket, whatever its shape: the
 * robust scale of its second differences / sqrt(6) (white noise's), which
 * a ramp, a plateau and the knee between them leave at nothing. */
static double local_noise(const double *e, size_t n)
{
    double d[MAX_BUCKETS];
    if (n < 3)
        return 0;
    for (size_t j = 0; j + 2 < n; j++)
        d[j] = e[j + 2] - 2 * e[j + 1] + e[j];
    return robust_scale(d, n - 2) / sqrt(6.0);
}

/* Where the rise of e[0..n) from `level` plainly stopped dead, 2 kf
 * buckets or more before the end (maybe too few for the recent gate): the
 * rise to the level held over the last kf buckets reached 95% at a knee
 * (dead_stop); at its average rate up to there it reached the top s
 * buckets later.  It stopped there when the median of the last kf buckets
 * tops the median of the kf from s by less than STOPPED_SHARE of what that
 * rate predicts, a prediction of STOPPED_NOISE x the envelope's
 * bucket-to-bucket noise or more.  A leak's rate falls with a daily load at
 * night (to a quarter), not to a tenth.  Not in a deseasonalised envelope
 * (a cycle's leftovers make knees of their own).  s, or n when none. */
#define STOPPED_SHARE 0.1
#define STOPPED_NOISE 4.0
static size_t stopped_plain(const double *e, size_t n, double level, size_t kf, double period)
{
    if (period > 0 || n < 2 * kf)
        return n;
    double top = min_of(e, n - kf, n);
    size_t j = dead_stop(e, n, level, top);
    if (j + kf > n)
        return n;
    double rate = (e[j] - level) / (double)j;
    if (!(rate > 0))
        return n;
    double left = top > e[j] ? (top - e[j]) / rate : 0;
    if (left >= (double)n)
        return n;
    size_t stop = j + (size_t)ceil(left);
    if (stop + 2 * kf > n)
        return n;
    double expected = rate * (double)(n - kf - stop);
    double rose = window_median(e, n - kf, n) - window_median(e, stop, stop + kf);
    return expected > STOPPED_NOISE * local_noise(e, n) && rose <= STOPPED_SHARE * expected
               ? stop : n;
}

/* The least ratio of a daily load's mean over two windows `sep` seconds
 * apart (+-CYCLE_SWING, from the peak towards the trough): a leak that
 * keeps a share of the requests slows down by that much, and no more,
 * when its load falls. */
static double cycle_rate_ratio(double sep)
{
    double s = sin(M_PI * (sep < DAY / 2 ? sep : DAY / 2) / DAY);
    return (1 - CYCLE_SWING * s) / (1 + CYCLE_SWING * s);
}

/* How the rise of e[0..n) (centres x) slows down, into st->decay and
 * st->slowing.  The envelope is cut in sixths; the rise rates between the
 * medians of sixths 0-1 and 4-5 are r1 and r3 (per bucket).  decay
 * is r3 / r1 (INFINITY when the start did not rise).  A cache or a session
 * store approaching its bound slows steadily (an exponential approach of
 * time constant tau gives exp(-2/3 span / tau)): slowing is
 * r3 below SLOWING_RATIO x what a falling daily load could explain, and
 * r1 - r3 beyond SLOWING_Z x its noise, so that neither the noise of a
 * slow leak, nor a staircase's bursts, nor a leak of a falling load is
 * taken for it (rate_var; the rises of each third deviate from that
 * third's rate, the middle one's from the rate between sixths 2-3). */
/* A leak in a type that also holds a store filling up slows as well, to
 * the leak's own rate: from the window alone it differs from a store
 * approaching its bound only by how far the rate falls, hence 0.6. */
#define SLOWING_RATIO 0.6
#define SLOWING_Z 2.0

/* The deviations of e[0..n)'s bucket-to-bucket rises from the rate r[k]
 * of their third k into dev[0..n-1), and their robust scale. */
static double rise_deviations(const double *e, size_t n, const double r[3], double *dev)
{
    for (size_t j = 0; j + 1 < n; j++)
        dev[j] = e[j + 1] - e[j] - r[3 * j / (n - 1)];
    return robust_scale(dev, n - 1);
}

/* The variance of a rise rate measured between the medians of two
 * windows of w buckets whose centres are a and b buckets in: the
 * medians' own noise (a median of w normal values has sd 1.25 sigma /
 * sqrt(w); sigma, the envelope's, is the rises' robust scale / sqrt 2),
 * plus the bursts between a and b (rises beyond 3 x that scale, each
 * counted whole: a staircase's rate over a stretch is as uncertain as
 * its few bursts there make it, a Poisson count). */
static double rate_var(const double *dev, double scale, size_t w, double a, double b)
{
    double sigma = scale / sqrt(2.0), med = 1.25 * sigma / sqrt((double)w), bursts = 0;
    for (size_t j = (size_t)lround(a); j < (size_t)lround(b); j++)
        bursts += fabs(dev[j]) > 3 * scale ? dev[j] * dev[j] : 0;
    return (2 * med * med + bursts) / ((b - a) * (b - a));
}

static void decay_of(const double *e, const double *x, size_t n, detect_stats *st)
{
    double m[6], c[6];
    size_t w = n / 6;
    st->decay = INFINITY;
    st->slower = false;
    st->slowing = false;
    if (w < 1 || n < 8)
        return;
    for (size_t k = 0; k < 6; k++) {
        size_t lo = k * n / 6, hi = (k + 1) * n / 6;
        m[k] = window_median(e, lo, hi);
        c[k] = (double)(lo + hi - 1) / 2;
    }
    double r1 = (m[1] - m[0]) / (c[1] - c[0]), r3 = (m[5] - m[4]) / (c[5] - c[4]);
    if (!(r1 > 0))
        return;
    st->decay = r3 / r1;
    double r2 = (m[3] - m[2]) / (c[3] - c[2]), r[3] = {r1, r2, r3}, dev[MAX_BUCKETS];
    double scale = rise_deviations(e, n, r, dev);
    double sd = sqrt(rate_var(dev, scale, w, c[0], c[1]) + rate_var(dev, scale, w, c[4], c[5]));
    double allowed = SLOWING_RATIO * cycle_rate_ratio(2.0 / 3.0 * (x[n - 1] - x[0]));
    st->slower = r3 < allowed * r1;
    st->slowing = st->slower && r1 - r3 >= SLOWING_Z * sd;
}

/* Figures of t[lo..n) and v[lo..n) into st.  0, or -1 when out of memory. */
static int analyse(const double *t, const double *v, size_t lo, size_t n,
                   const detect_params *p, double min_abs, detect_stats *st,
                   detect_result *keep_env, lp_error *err)
{
    double e[MAX_BUCKETS], x[MAX_BUCKETS], r[MAX_BUCKETS];
    size_t skip = lo, m = n - skip;
    size_t nb = m / 4 < p->buckets ? m / 4 : p->buckets;
    if (nb > MAX_BUCKETS)
        nb = MAX_BUCKETS;
    if (nb < 8)
        nb = m / 2;
    *st = (detect_stats){.knee = NAN};
    if (n - lo < p->min_snapshots / 2 || nb < 8)
        return 0;
    for (size_t j = 0; j < nb; j++) {
        size_t a = skip + j * m / nb, b = skip + (j + 1) * m / nb;
        e[j] = min_of(v, a, b);
        x[j] = (t[a] + t[b - 1]) / 2;
    }
    st->judged = true;
    if (keep_env != NULL) {
        size_t k = nb < DETECT_ENV ? nb : DETECT_ENV;
        for (size_t j = 0; j < k; j++)
            keep_env->env[j] = (float)e[j * nb / k];
        keep_env->n_env = (unsigned)k;
    }
    if (trend_theil_sen(x, e, nb, &st->slope) != 0)
        goto oom;
    for (size_t j = 0; j < nb; j++)
        r[j] = e[j] - st->slope * x[j];
    st->period = cycle_period(r, nb);
    if (st->period > 0) {
        deseasonalise(e, r, nb, st->period);
        if (trend_theil_sen(x, e, nb, &st->slope) != 0)
            goto oom;
        for (size_t j = 0; j < nb; j++)
            r[j] = e[j] - st->slope * x[j];
    }
    st->level = median3(e[0], e[1], e[2]);
    st->span = x[nb - 1] - x[0];
    st->growth = st->slope * st->span;
    trend_mk mk;
    if (trend_mann_kendall(e, nb, &mk) != 0)
        goto oom;
    /* Hamed-Rao corrects Var(S) for autocorrelated noise, from lags 1-3 of
     * the detrended ranks; after a cycle was taken out, from every lag of
     * one period: a wander taken for a cycle keeps its autocorrelation
     * there, a real cycle's removal leaves none. */
    int lags = st->period > 0 ? (int)lround(st->period) : 3;
    double factor;
    if (trend_hamed_rao(x, e, nb, st->slope, lags, &factor) != 0)
        goto oom;
    /* When the envelope departs from its trend line by less than a quarter
     * of the growth, the residual ranks follow a leak's curvature and its
     * counting steps, not noise, and their "autocorrelation" would only
     * hide a clean leak (a strictly rising short run most of all). */
    double lo_res = INFINITY, hi_res = -INFINITY;
    for (size_t j = 0; j < nb; j++) {
        lo_res = r[j] < lo_res ? r[j] : lo_res;
        hi_res = r[j] > hi_res ? r[j] : hi_res;
    }
    if (st->growth > 0 && hi_res - lo_res <= 0.25 * st->growth)
        factor = 1;
    st->factor = factor;
    double base = st->level > min_abs ? st->level : min_abs;
    st->rel = st->growth / base;
    st->week = st->slope * 7 * DAY / base;
    st->noise = robust_scale(r, nb);
    st->snr = st->noise > 0 ? st->growth / st->noise : st->growth > 0 ? INFINITY : 0;
    double s = mk.s > 0 ? mk.s - 1 : mk.s < 0 ? mk.s + 1 : 0;
    st->z = mk.var > 0 ? s / sqrt(mk.var * factor) : 0;

    /* kf: the window of the rolling minima below: at least 3 buckets (a
     * GC that skipped a bucket or two leaves spikes that wide). */
    size_t kf = nb / 16 > 3 ? nb / 16 : 3;

    /* recent: the rise over the last q buckets must keep up with the
     * average rise.  Two measures, the larger counts: the windows' medians
     * (robust to noise), and how far the highest level held for kf buckets
     * in the last window tops the highest held before it (a staircase's
     * last bursts lift it before they lift the median; noise on a plateau
     * does not). */
    size_t q = (size_t)lround(p->tail * (double)nb);
    q = q < 3 ? 3 : q > nb / 3 ? nb / 3 : q;
    if (q < kf)
        q = kf < nb / 3 ? kf : nb / 3;
    double w_first = window_median(e, 0, q), w_prev = window_median(e, nb - 2 * q, nb - q);
    double w_last = window_median(e, nb - q, nb);
    double all_rate = (w_last - w_first) / (double)(nb - q);
    double k_held = (double)(kf < q ? kf : q);
    double held_rise = held_level(e, nb - q, nb, (size_t)k_held) -
                       held_level(e, 0, nb - q, (size_t)k_held);
    double last_rise = w_last - w_prev > held_rise ? w_last - w_prev : held_rise;
    st->recent = all_rate > 0 ? last_rise / (double)q / all_rate : 0;
    size_t knee = dead_stop(e, nb, st->level, w_last);
    size_t stop = stopped_plain(e, nb, st->level, kf, st->period);
    st->stopped = stop < nb;
    st->knee = knee < nb - q ? x[knee] : st->stopped ? x[stop] : NAN;

    /* fall: the deepest drop from an earlier high of the envelope's rolling
     * minimum over kf buckets (one bucket may miss the GC's low point);
     * a leak's lower envelope does not fall back, a wander must */
    double high = -INFINITY, fall = 0;
    for (size_t j = 0; j + kf <= nb; j++) {
        double low = min_of(e, j, j + kf);
        high = low > high ? low : high;
        fall = high - low > fall ? high - low : fall;
    }
    /* a drop within twice the noise of an envelope whose residuals are
     * uncorrelated (Hamed-Rao finds nothing) is the scatter of bucket
     * minima of a big population, not a wander falling back */
    double rise = w_last - w_first;
    if (factor < 1.2)
        fall = fall > 2 * st->noise ? fall - 2 * st->noise : 0;
    st->fall = rise > 0 ? fall / rise : INFINITY;

    /* step: the largest rise from the highest point of kf buckets to the
     * lowest of the next kf (a jump lifts even the low after it) */
    double jump = -INFINITY;
    for (size_t j = kf; j + kf <= nb; j++) {
        double d = min_of(e, j, j + kf) - max_of(e, j - kf, j);
        jump = d > jump ? d : jump;
    }
    st->step = rise > 0 ? jump / rise : INFINITY;
    decay_of(e, x, nb, st);
    st->slower = st->slower && p->slowing;
    st->slowing = st->slowing && p->slowing;
    return 0;
oom:
    lp_error_set(err, "out of memory (trend)");
    return -1;
}

/* Sort rank of a verdict: growing, rising, held, the rest. */
static int verdict_rank(detect_verdict v)
{
    return v == DETECT_GROWING ? 0 : v == DETECT_RISING ? 1 : v == DETECT_HELD ? 2 : 3;
}

/* Growing first, then rising, then held; then by relative growth, largest
 * first. */
static int cmp_finding(const void *a, const void *b)
{
    const detect_finding *x = a, *y = b;
    int rx = verdict_rank(x->r.verdict), ry = verdict_rank(y->r.verdict);
    if (rx != ry)
        return rx < ry ? -1 : 1;
    if (x->r.st.rel != y->r.st.rel)
        return x->r.st.rel > y->r.st.rel ? -1 : 1;
    if (x->col != y->col)
        return x->col < y->col ? -1 : 1;
    return (x->run > y->run) - (x->run < y->run);
}

/* The runs before each current run: prior[r * DETECT_PRIOR_RUNS + k] for
 * k < n_prior[r], r's lineage inside the window, latest first: the run of
 * r's group that ended last before r began, the one that ended last
 * before that one began, and so on.  For a process restarted by deploys
 * these are all its runs before; for workers recycled side by side, the
 * workers that the new one replaced in turn, not its siblings (one worker
 * of four leaking is judged by its own past).  By group, members sorted
 * by their end: O(runs log runs). */
typedef struct run_end {
    double first, last;
    size_t run;
} run_end;

static int cmp_run_end(const void *a, const void *b)
{
    const run_end *x = a, *y = b;
    return (x->last > y->last) - (x->last < y->last);
}

/* How many of ends[0..n) (sorted by end) ended before `t`. */
static size_t ends_before(const run_end *ends, size_t n, double t)
{
    size_t lo = 0, hi = n;
    while (lo < hi) {
        size_t mid = lo + (hi - lo) / 2;
        if (ends[mid].last < t)
            lo = mid + 1;
        else
            hi = mid;
    }
    return lo;
}

static int find_priors(const lp_series_store *s, const bool *current, double since, double until,
                       size_t *prior, size_t *n_prior)
{
    run_end *ends = malloc((s->n_runs + 1) * sizeof *ends);
    if (ends == NULL)
        return -1;
    for (uint32_t g = 0; g < s->n_groups; g++) {
        const size_t *members = s->group_runs + s->group_start[g];
        size_t n_members = s->group_start[g + 1] - s->group_start[g], n = 0;
        for (size_t k = 0; k < n_members; k++) {
            run_end *e = &ends[n];
            e->run = members[k];
            n += lp_series_run_span(s, members[k], since, until, &e->first, &e->last);
        }
        if (n < 2)
            continue;
        qsort(ends, n, sizeof *ends, cmp_run_end);
        for (size_t k = 0; k < n; k++) {
            size_t r = ends[k].run;
            if (!current[r])
                continue;
            for (double begin = ends[k].first; n_prior[r] < DETECT_PRIOR_RUNS;) {
                size_t j = ends_before(ends, n, begin);
                if (j == 0)
                    break;
                prior[r * DETECT_PRIOR_RUNS + n_prior[r]++] = ends[j - 1].run;
                begin = ends[j - 1].first;
            }
        }
    }
    free(ends);
    return 0;
}

/* Whether a run failed for want of evidence (too short, too little trend
 * or growth yet), not for a shape a leak does not have (stopped, one
 * step, fell back): only the first may be judged by the runs before. */
static bool lacks_evidence(const char *reason)
{
    static const char *const want[] = {"short", "no significant trend", "too little growth",
                                       "growth within the noise", "too slow to matter"};
    for (size_t i = 0; i < sizeof want / sizeof want[0]; i++)
        if (strcmp(reason, want[i]) == 0)
            return true;
    return false;
}

/* Across restarts (design step 7): whether the runs before f's judge it
 * growing; then f's result says so.  t and v are scratch (room for the
 * longest run).  0 or -1. */
static int judge_priors(const lp_series_store *s, detect_finding *f, const size_t *prior,
                        size_t n_prior, const detect_params *p, double min_abs,
                        double z_crit, double since, double until, double *t, double *v,
                        lp_error *err)
{
    detect_result *r = &f->r, pr, last_grown = {0};
    /* a latest run that slows like a store filling up shows its shape,
     * whatever the runs before it did */
    if (n_prior < 2 || r->growing || !(r->whole.z >= 0.5) || !lacks_evidence(r->reason) ||
        r->whole.slowing)
        return 0;
    size_t grown = 0, judged = 0, streak = 0;
    double spans = 0, grown_span = 0, streak_span = 0, streak_first = r->t_first;
    bool unbroken = true;
    for (size_t k = 0; k < n_prior; k++) {
        size_t n = lp_series_extract(s, f->col, prior[k], since, until, t, v);
        if (detect_series(t, v, n, p, min_abs, z_crit, &pr, err) != 0)
            return -1;
        if (!pr.judged)
            continue;
        judged++;
        spans += pr.t_last - pr.t_first;
        /* a run of less than 14 h whose rise a day's load could make may
         * have been a morning (its load is not checked here); a daily
         * cycle rises for 12 h at most */
        bool morning = cycle_sized(&pr) && pr.t_last - pr.t_first < 14 * 3600;
        if (pr.growing && !morning) {
            grown_span += pr.t_last - pr.t_first;
            if (grown++ == 0)
                last_grown = pr;
        }
        unbroken = unbroken && pr.growing;
        if (unbroken) {
            streak++;
            streak_span += pr.t_last - pr.t_first;
            streak_first = pr.t_first;
            if (last_grown.n == 0)
                last_grown = pr;
        }
    }
    /* back-to-back runs, the latest's before it, that all rose for a day
     * in all: a daily cycle would have made one of them fall */
    bool rose_all_day = streak >= 2 && streak_span >= DAY &&
                        streak_span + (r->t_last - r->t_first) >= 0.9 * (r->t_last - streak_first);
    if (rose_all_day && grown < streak) {
        grown = streak;
        grown_span = streak_span;
    }
    /* a latest run half as long as those before it cannot say "fixed" */
    bool latest_short = judged && r->t_last - r->t_first < 0.5 * spans / (double)judged;
    /* runs that rose for less than a day in all could be a daily cycle's
     * mornings; over a day, the cycle would have shown its fall */
    if (!latest_short || grown < 2 || 2 * grown < judged || grown_span < DAY)
        return 0;
    r->verdict = DETECT_GROWING;
    r->growing = true;
    r->reason = "growing in the runs before";
    r->runs = 1 + grown;
    r->prior_growing = grown;
    if (!(r->st.slope > 0))
        r->st = last_grown.st;
    return 0;
}

/* Pearson correlation of two envelopes of n buckets (0 when flat). */
static double env_correlation(const float *a, const float *b, unsigned n)
{
    double ma = 0, mb = 0, sab = 0, saa = 0, sbb = 0;
    for (unsigned j = 0; j < n; j++) {
        ma += a[j] / (double)n;
        mb += b[j] / (double)n;
    }
    for (unsigned j = 0; j < n; j++) {
        sab += (a[j] - ma) * (b[j] - mb);
        saa += (a[j] - ma) * (a[j] - ma);
        sbb += (b[j] - mb) * (b[j] - mb);
    }
    return saa > 0 && sbb > 0 ? sab / sqrt(saa * sbb) : 0;
}

/* Pearson correlation of the bucket-to-bucket changes of two envelopes
 * of n buckets (0 when flat). */
static double change_correlation(const float *a, const float *b, unsigned n)
{
    float da[DETECT_ENV], db[DETECT_ENV];
    if (n < 3)
        return 0;
    for (unsigned j = 0; j + 1 < n; j++) {
        da[j] = a[j + 1] - a[j];
        db[j] = b[j + 1] - b[j];
    }
    return env_correlation(da, db, n - 1);
}

/* Whether o rose alike with r, a RISING candidate: their envelopes
 * correlate by rho and, from a day on, so do their changes (positively):
 * a load moves its types together bucket by bucket, up and down with the
 * hours; a leak keeps a share of the requests and rises in every bucket
 * whatever the load does then, so its changes do not follow the load's
 * (on less than a day, a morning's rise moves every type alike). */
static bool rose_alike(const detect_result *r, const detect_result *o, double rho)
{
    return o->n_env == r->n_env && env_correlation(r->env, o->env, r->n_env) >= rho &&
           (detect_rising_daily(r) || change_correlation(r->env, o->env, r->n_env) > 0);
}

#define MAX_RISING_CHECKED 64
#define RISING_RHO 0.9
#define RISING_RHO_GAUGE 0.85

/* Whether the envelope of an [rss], r, follows that of a [blocks] of its
 * run, b (as a gauge follows a type: RISING_RHO_GAUGE). */
static bool rss_follows(const detect_result *r, const detect_result *b)
{
    return b->n_env == r->n_env && env_correlation(r->env, b->env, r->n_env) >= RISING_RHO_GAUGE;
}

/* Whether items[idx[i]] is [rss] rising alike with a [blocks] of its run
 * whose growth is untracked: rss holds the blocks, and what the blocks owe
 * to no type the load cannot explain in rss either. */
static bool untracked_rss(const lp_series_store *s, const detect_finding *items,
                          const size_t *idx, size_t n, size_t i)
{
    const detect_result *r = &items[idx[i]].r;
    if (strcmp(s->cols[items[idx[i]].col].name, "[rss]") != 0)
        return false;
    for (size_t j = 0; j < n; j++) {
        const detect_result *b = &items[idx[j]].r;
        if (b->untracked && rss_follows(r, b))
            return true;
    }
    return false;
}

/* A growing series whose rise a load could make (cycle_sized) is RISING
 * when the load moved: DETECT_COMPANIONS other types of
 * its run rose alike (see detect_cycle_rise).  idx[0..n) index one run's
 * items; beyond MAX_RISING_CHECKED candidates in one run the load is
 * evident and all are RISING.  O(candidates x items of the run x
 * DETECT_ENV). */
static void confirm_rising(const lp_series_store *s, detect_finding *items, const size_t *idx,
                           size_t n)
{
    size_t candidates = 0;
    for (size_t i = 0; i < n; i++)
        candidates += cycle_sized(&items[idx[i]].r);
    if (candidates == 0)
        return;
    for (size_t i = 0; i < n; i++) {
        detect_result *r = &items[idx[i]].r;
        /* memory that no type accounts for is not the load's */
        if (!cycle_sized(r) || r->untracked || untracked_rss(s, items, idx, n, i))
            continue;
        size_t alike = candidates > MAX_RISING_CHECKED ? DETECT_COMPANIONS : 0;
        /* a gauge sums every type, the quiet ones' noise and its own
         * (rss: the allocator's) with the load's: it follows any one type
         * less closely than two types of the same load follow each other */
        double rho = s->cols[items[idx[i]].col].kind == LP_GAUGE ? RISING_RHO_GAUGE : RISING_RHO;
        for (size_t j = 0; j < n && alike < DETECT_COMPANIONS; j++) {
            const detect_result *o = &items[idx[j]].r;
            if (j != i && s->cols[items[idx[j]].col].kind == LP_TYPE && o->whole.z >= 2 &&
                rose_alike(r, o, rho))
                alike++;
        }
        if (alike >= DETECT_COMPANIONS) {
            r->verdict = DETECT_RISING;
            r->growing = false;
            r->reason = detect_rising_daily(r)
                            ? "rising (less than a day: could be a daily cycle)"
                            : "rising (with the load: five other types rose alike)";
        }
    }
}

/* confirm_rising over every run: items indexed by run with a counting
 * sort.  0 or -1. */
static int confirm_rising_all(const lp_series_store *s, detect_report *d)
{
    size_t *start = calloc(s->n_runs + 2, sizeof *start);
    size_t *idx = malloc((d->n_items + 1) * sizeof *idx);
    if (start == NULL || idx == NULL) {
        free(start);
        free(idx);
        return -1;
    }
    for (size_t i = 0; i < d->n_items; i++)
        start[d->items[i].run + 2]++;
    for (size_t r = 0; r < s->n_runs; r++)
        start[r + 2] += start[r + 1];
    for (size_t i = 0; i < d->n_items; i++)
        idx[start[d->items[i].run + 1]++] = i;
    for (size_t r = 0; r < s->n_runs; r++)
        confirm_rising(s, d->items, idx + start[r], start[r + 1] - start[r]);
    free(start);
    free(idx);
    return 0;
}

/* The Theil-Sen line of [skip, n): slope through the median of v - slope x t
 * there, the usual Theil-Sen intercept, so the line runs through the middle
 * of the data.  0, or -1 when out of memory. */
static int fit_line(const double *t, const double *v, size_t n, size_t skip, double slope,
                    detect_line *line, lp_error *err)
{
    if (skip + 2 > n)
        skip = 0;
    if (n < 2 || !isfinite(slope))
        return 0;
    size_t m = n - skip;
    double *res = malloc(m * sizeof *res);
    if (res == NULL)
        return lp_error_set(err, "out of memory");
    double t0 = t[skip], t1 = t[n - 1];
    for (size_t i = 0; i < m; i++)
        res[i] = v[skip + i] - slope * (t[skip + i] - t0);
    double mid = trend_median(res, m);
    free(res);
    *line = (detect_line){.has = true, .t0 = t0, .v0 = mid, .t1 = t1,
                          .v1 = mid + slope * (t1 - t0)};
    return 0;
}

int detect_series(const double *t, const double *v, size_t n,
                  const detect_params *p, double min_abs, double z_crit,
                  detect_result *out, lp_error *err)
{
    *out = (detect_result){.n = n, .reason = "short", .runs = 1};
    if (n == 0)
        return 0;
    out->first = v[0];
    out->last = v[n - 1];
    out->t_first = t[0];
    out->t_last = t[n - 1];
    if (n < p->min_snapshots)
        return 0;
    if (analyse(t, v, (size_t)((double)n * p->warmup), n, p, min_abs, &out->whole, out,
                err) != 0 ||
        analyse(t, v, n / 2, n, p, min_abs, &out->late, NULL, err) != 0)
        return -1;
    out->judged = out->whole.judged;
    verdict(out, p, min_abs, z_crit);
    return 0;
}

/* Advances *i in a[0..na) and *j in b[0..nb) (increasing times) to the
 * next time both have.  Whether there is one. */
static bool next_common(const double *a, size_t na, size_t *i, const double *b, size_t nb,
                        size_t *j)
{
    while (*i < na && *j < nb && a[*i] != b[*j]) {
        if (a[*i] < b[*j])
            ++*i;
        else
            ++*j;
    }
    return *i < na && *j < nb;
}

/* Whether the ratio of column num to column den in run `run`, at the
 * snapshots that have both, grows as a series of its own (every gate, no
 * least growth), into *grows.  t, v, t2, v2 hold a run's rows each.  0, or
 * -1 when out of memory. */
static int ratio_grows(const lp_series_store *s, size_t num, size_t den, size_t run,
                       const detect_params *p, double z_crit, double since, double until,
                       double *t, double *v, double *t2, double *v2, bool *grows,
                       lp_error *err)
{
    size_t nn = lp_series_extract(s, num, run, since, until, t, v);
    size_t nd = lp_series_extract(s, den, run, since, until, t2, v2);
    size_t n = 0;
    for (size_t i = 0, j = 0; next_common(t, nn, &i, t2, nd, &j); i++, j++)
        if (v2[j] > 0) {
            t[n] = t[i];
            v[n++] = v[i] / v2[j];
        }
    detect_result q;
    if (detect_series(t, v, n, p, 0, z_crit, &q, err) != 0)
        return -1;
    *grows = q.growing;
    return 0;
}

/* Whether the [blocks] series of f (a candidate for RISING) grows per
 * GC-tracked object, into f->r.untracked: the ratio of [blocks] to
 * [gc_objects] is judged as a series of its own.  A load moves the
 * objects of types, GC-tracked ones and what they hold together; leaked
 * ints, strings or buffers are tracked by no GC and counted by no type, so
 * the ratio rises only when memory accumulates that the types do not
 * account for.  0, or -1 when out of memory. */
static int untracked_growth(const lp_series_store *s, detect_finding *f, long gc,
                            const detect_params *p, double z_crit, double since,
                            double until, double *t, double *v, double *t2, double *v2,
                            lp_error *err)
{
    return ratio_grows(s, f->col, (size_t)gc, f->run, p, z_crit, since, until, t, v, t2, v2,
                       &f->r.untracked, err);
}

/* Memory filled by stores (design step 6): a fresh worker's gauges rise
 * while its caches and session stores fill, though no type leaks.  A type
 * not growing whose run slowed like a store filling up is one. */
static bool is_store(const lp_series_store *s, const detect_finding *f)
{
    return s->cols[f->col].kind != LP_GAUGE && !f->r.growing &&
           (f->r.whole.slowing || f->r.late.slowing);
}

/* The finding of column `name` among items[lo..hi) (one run's), or NULL. */
static detect_finding *run_finding(const lp_series_store *s, detect_finding *items, size_t lo,
                                   size_t hi, const char *name)
{
    for (size_t i = lo; i < hi; i++)
        if (strcmp(s->cols[items[i].col].name, name) == 0)
            return &items[i];
    return NULL;
}

static void filled_by_stores(detect_result *r)
{
    r->verdict = DETECT_OK;
    r->growing = false;
    r->reason = "filling up (its types' stores)";
}

/* Whether the growing [gc_objects] of items[lo..hi) (one run's) grows
 * without its stores: their counts are taken off it where both have a
 * point, and what is left is judged as the gauge (a leak spread thin over
 * types that do not slow stays in it).  t, v, t2, v2 hold a run's rows
 * each.  0, or -1 when out of memory. */
static int grows_without_stores(const lp_series_store *s, detect_finding *items, size_t lo,
                                size_t hi, detect_finding *gc, const detect_params *p,
                                double z_crit, double since, double until, double *t,
                                double *v, double *t2, double *v2, bool *grows, lp_error *err)
{
    size_t ng = lp_series_extract(s, gc->col, gc->run, since, until, t2, v2), stores = 0;
    for (size_t k = lo; k < hi; k++) {
        if (!is_store(s, &items[k]))
            continue;
        stores++;
        size_t n = lp_series_extract(s, items[k].col, items[k].run, since, until, t, v);
        for (size_t i = 0, j = 0; next_common(t, n, &i, t2, ng, &j); i++, j++)
            v2[j] -= v[i];
    }
    *grows = true;
    if (stores == 0)
        return 0;
    double min_abs;
    detect_judges(&s->cols[gc->col], p, &min_abs);
    detect_result q;
    if (detect_series(t2, v2, ng, p, min_abs, z_crit, &q, err) != 0)
        return -1;
    *grows = q.growing;
    return 0;
}

/* The gauges of one run, items[lo..hi), that its stores filled: a growing
 * [gc_objects] that does not grow without them, then a growing [blocks]
 * whose blocks per GC-tracked object do not grow, then a growing [rss]
 * whose bytes per block do not (memory per object stays level while the
 * stores fill: what grows beyond, untracked or native, is no store's).
 * p: the gauges' parameters.  0, or -1 when out of memory. */
static int stores_filled(const lp_series_store *s, detect_finding *items, size_t lo,
                         size_t hi, const detect_params *p, double z_crit, double since,
                         double until, double *t, double *v, double *t2, double *v2,
                         lp_error *err)
{
    static const char *const chain[] = {"[gc_objects]", "[blocks]", "[rss]"};
    detect_finding *parent = NULL;
    for (size_t k = 0; k < 3; k++) {
        detect_finding *g = run_finding(s, items, lo, hi, chain[k]);
        if (g == NULL || !g->r.growing)
            return 0;
        bool grows;
        int rc = parent == NULL
                     ? grows_without_stores(s, items, lo, hi, g, p, z_crit, since, until, t, v,
                                            t2, v2, &grows, err)
                     : ratio_grows(s, g->col, parent->col, g->run, p, z_crit, since, until, t,
                                   v, t2, v2, &grows, err);
        if (rc != 0)
            return -1;
        if (grows)
            return 0;
        filled_by_stores(&g->r);
        parent = g;
    }
    return 0;
}

/* Whether f's whole run rose by its least growth and still the gates
 * failed it (no verdict): a [blocks] whose rise the load's swings hide. */
static bool rose_unflagged(const lp_series_store *s, const detect_finding *f,
                           const detect_params *p)
{
    const detect_result *r = &f->r;
    double min_abs;
    detect_judges(&s->cols[f->col], p, &min_abs);
    return r->judged && r->verdict == DETECT_OK && r->whole.z > 0 &&
           r->whole.growth >= min_abs && r->last > r->whole.level;
}

static void untracked_grows(detect_result *r, const char *reason)
{
    r->untracked = true;
    r->verdict = DETECT_GROWING;
    r->growing = true;
    r->reason = reason;
}

/* Memory no type accounts for, in the run of items[lo..hi): its [blocks],
 * when confirm_rising could make it RISING or when it rose unflagged, has
 * its ratio to [gc_objects] judged (untracked_growth).  One that rose
 * unflagged is GROWING when that grows: the load moves [gc_objects] and
 * [blocks] together, and the ratio, rid of the load, shows the leaked
 * ints and strings it hid; so is an unflagged [rss] that rose alike (rss
 * holds the blocks).  0 or -1. */
static int untracked_run(const lp_series_store *s, detect_finding *items, size_t lo, size_t hi,
                         long gc, const detect_params *p, double z_crit, double since,
                         double until, double *t, double *v, double *t2, double *v2,
                         lp_error *err)
{
    detect_finding *b = run_finding(s, items, lo, hi, "[blocks]");
    if (b == NULL)
        return 0;
    bool unflagged = rose_unflagged(s, b, p);
    if (!cycle_sized(&b->r) && !unflagged)
        return 0;
    if (untracked_growth(s, b, gc, p, z_crit, since, until, t, v, t2, v2, err) != 0)
        return -1;
    if (!unflagged || !b->r.untracked)
        return 0;
    untracked_grows(&b->r, "growing per GC-tracked object");
    detect_finding *rss = run_finding(s, items, lo, hi, "[rss]");
    if (rss != NULL && rose_unflagged(s, rss, p) && rss_follows(&rss->r, &b->r))
        untracked_grows(&rss->r, "growing with the untracked blocks");
    return 0;
}

/* The gauge rules of step 6 for every run: stores_filled, then
 * untracked_run (the items of a run are contiguous until they are
 * sorted).  0 or -1. */
static int gauges_all(const lp_series_store *s, detect_report *d, const detect_params *p,
                      double since, double until, double *t, double *v, double *t2,
                      double *v2, lp_error *err)
{
    long gc = lp_series_find(s, "[gc_objects]");
    detect_params pg = *p;
    pg.slowing = false;     /* as for any gauge */
    for (size_t lo = 0, hi; lo < d->n_items; lo = hi) {
        for (hi = lo + 1; hi < d->n_items && d->items[hi].run == d->items[lo].run; hi++)
            ;
        if (stores_filled(s, d->items, lo, hi, &pg, d->z_crit, since, until, t, v, t2, v2,
                          err) != 0 ||
            (gc >= 0 && untracked_run(s, d->items, lo, hi, gc, &pg, d->z_crit, since, until,
                                      t, v, t2, v2, err) != 0))
            return -1;
    }
    return 0;
}

/* Workers side by side share a load (design step 5, slowing): the runs of
 * f's group, f's own first, that overlap f's stretch (its run but the
 * first `from` fraction: the warm-up, or the early half), each taken while
 * the window they share stays at least half of that stretch.  Their
 * number, and the window in *lo, *hi (t, v: scratch). */
static size_t overlapping_siblings(const lp_series_store *s, const detect_finding *f,
                                   double from, double since, double until, double *t,
                                   double *v, size_t *sibs, double *lo, double *hi)
{
    size_t n = lp_series_extract(s, f->col, f->run, since, until, t, v);
    size_t skip = (size_t)((double)n * from);
    if (n < 2 || skip + 1 >= n)
        return 0;
    *lo = t[skip];
    *hi = t[n - 1];
    double least = 0.5 * (*hi - *lo);
    uint32_t g = s->runs[f->run].group;
    size_t count = 0;
    sibs[count++] = f->run;
    for (size_t k = s->group_start[g]; k < s->group_start[g + 1]; k++) {
        size_t r = s->group_runs[k];
        double first, last;
        if (r == f->run || !lp_series_run_span(s, r, since, until, &first, &last))
            continue;
        double a = first > *lo ? first : *lo, b = last < *hi ? last : *hi;
        if (b - a < least)
            continue;
        *lo = a;
        *hi = b;
        sibs[count++] = r;
    }
    return count;
}

/* Whether the sum of the lower envelopes of column col over runs
 * sibs[0..n) in [lo, hi] is slowing: buckets of equal time (two of the
 * first run's points each), each run's minimum there, kept where every
 * run has a point.  *told is false when too few buckets are kept to tell. */
static bool sum_slowing(const lp_series_store *s, size_t col, const size_t *sibs, size_t n,
                        double lo, double hi, double since, double until, double *t,
                        double *v, bool *told)
{
    double sum[DETECT_ENV] = {0}, x[DETECT_ENV] = {0};
    bool kept[DETECT_ENV];
    size_t nb = 0;
    for (size_t k = 0; k < n; k++) {
        double least[DETECT_ENV];
        size_t m = lp_series_extract(s, col, sibs[k], since, until, t, v);
        if (k == 0) {          /* two of the first run's points a bucket, at most DETECT_ENV */
            for (size_t i = 0; i < m; i++)
                nb += t[i] >= lo && t[i] <= hi;
            nb = nb / 2 < DETECT_ENV ? nb / 2 : DETECT_ENV;
            *told = false;
            if (nb < 8)        /* too few to tell (and no bucket to fill) */
                return false;
            for (size_t j = 0; j < nb; j++)
                kept[j] = true;
        }
        for (size_t j = 0; j < nb; j++)
            least[j] = INFINITY;
        size_t inside = 0;
        for (size_t i = 0; i < m; i++) {
            if (t[i] < lo || t[i] > hi)
                continue;
            size_t j = (size_t)((t[i] - lo) / (hi - lo) * (double)nb);
            j = j < nb ? j : nb - 1;
            least[j] = v[i] < least[j] ? v[i] : least[j];
            inside++;
        }
        if (inside == 0)       /* a sibling without the type (a master process) */
            continue;
        for (size_t j = 0; j < nb; j++) {
            kept[j] = kept[j] && isfinite(least[j]);
            sum[j] += kept[j] ? least[j] : 0;
        }
    }
    size_t ne = 0;
    for (size_t j = 0; j < nb; j++)
        if (kept[j]) {
            x[ne] = lo + ((double)j + 0.5) * (hi - lo) / (double)nb;
            sum[ne++] = sum[j];
        }
    detect_stats st;
    decay_of(sum, x, ne, &st);
    *told = ne >= 8 && 4 * ne >= 3 * nb;
    return st.slowing;
}

/* A series that failed for slowing, in a run with siblings: when the sum
 * over them does not slow, the load moved between workers (a leak of
 * each keeps its share of the requests), and it is judged without the
 * slowing gate; a store filling up in every worker slows in the sum too. */
static void judge_by_siblings(const lp_series_store *s, detect_finding *f, const detect_params *p,
                              double min_abs, double z_crit, double since, double until,
                              double *t, double *v, size_t *sibs)
{
    detect_result *r = &f->r;
    double lo, hi;
    if (!r->judged || r->growing || !r->whole.slowing)
        return;
    size_t n = overlapping_siblings(s, f, p->warmup, since, until, t, v, sibs, &lo, &hi);
    bool told;
    if (n < 2 || !(hi > lo) || sum_slowing(s, f->col, sibs, n, lo, hi, since, until, t, v, &told) ||
        !told)
        return;
    r->whole.slowing = false;
    r->late.slowing = false;
    verdict(r, p, min_abs, z_crit);
}

/* A growing series whose stretch (the whole run, or its late half when
 * that is what passed) slowed as much as a store's does but within its
 * own noise, in a run with two siblings or more whose sum (its own left
 * out) slows significantly over that stretch: the store every worker
 * holds, too noisy in one worker to show it.  The ratio stays the
 * series' own, so a leak that kept its rate is not taken for its
 * siblings' store; only the evidence is pooled.  Whether it did. */
static bool pool_slowing(const lp_series_store *s, detect_finding *f, const detect_params *p,
                         double min_abs, double z_crit, double since, double until,
                         double *t, double *v, size_t *sibs)
{
    detect_result *r = &f->r;
    bool pooled = false;
    for (int late = 0; late < 2 && r->growing; late++) {
        detect_stats *st = late ? &r->late : &r->whole;
        if (late != r->late_half || !st->slower || st->slowing)
            continue;
        double lo, hi;
        size_t n = overlapping_siblings(s, f, late ? 0.5 : p->warmup, since, until, t, v,
                                        sibs, &lo, &hi);
        bool told = false;
        if (n < 3 || !(hi > lo) ||
            !sum_slowing(s, f->col, sibs + 1, n - 1, lo, hi, since, until, t, v, &told) ||
            !told)
            break;
        st->slowing = true;
        pooled = true;
        verdict(r, p, min_abs, z_crit);
    }
    return pooled;
}

/* The parameters column c is judged with: p, but for a gauge (a sum of
 * every type) without the slowing gate, in *gauge. */
static const detect_params *column_params(const lp_series_store *s, size_t c,
                                          const detect_params *p, detect_params *gauge)
{
    if (s->cols[c].kind != LP_GAUGE)
        return p;
    *gauge = *p;
    gauge->slowing = false;
    return gauge;
}

int detect_store(const lp_series_store *s, const detect_params *p, double since,
                 double until, detect_filter_fn filter, void *filter_ud,
                 detect_report *out, lp_error *err)
{
    int rc = -1;
    *out = (detect_report){0};
    size_t longest = 1, cap = 0;
    detect_params pg;
    for (size_t r = 0; r < s->n_runs; r++)
        longest = s->runs[r].n_rows > longest ? s->runs[r].n_rows : longest;
    bool *current = calloc(s->n_runs + 1, sizeof *current);
    size_t *n_prior = calloc(s->n_runs + 1, sizeof *n_prior);
    size_t *prior = malloc((s->n_runs + 1) * DETECT_PRIOR_RUNS * sizeof *prior);
    double *t = malloc(longest * sizeof *t), *v = malloc(longest * sizeof *v);
    double *t2 = malloc(longest * sizeof *t2), *v2 = malloc(longest * sizeof *v2);
    double *min_abs = NULL;
    size_t *sibs = malloc((s->n_runs + 1) * sizeof *sibs);
    if (current == NULL || n_prior == NULL || prior == NULL || t == NULL || v == NULL ||
        t2 == NULL || v2 == NULL || sibs == NULL)
        goto oom;
    out->n_runs = lp_series_current(s, since, until, current);
    if (find_priors(s, current, since, until, prior, n_prior) != 0)
        goto oom;
    for (size_t r = 0; r < s->n_runs; r++) {
        for (size_t c = 0; current[r] && c < s->n_cols; c++) {
            double floor_abs;
            if (s->cols[c].present < p->min_snapshots ||     /* cheap: a million types */
                (filter && !filter(filter_ud, s->cols[c].name)) ||
                !detect_judges(&s->cols[c], p, &floor_abs))
                continue;
            size_t n = lp_series_extract(s, c, r, since, until, t, v);
            if (n < p->min_snapshots)
                continue;
            if (out->n_items == cap) {
                size_t ncap = cap ? cap * 2 : 256;
                detect_finding *bigger = realloc(out->items, ncap * sizeof *bigger);
                double *bigger_abs = realloc(min_abs, ncap * sizeof *bigger_abs);
                if (bigger != NULL)
                    out->items = bigger;
                if (bigger_abs != NULL)
                    min_abs = bigger_abs;
                if (bigger == NULL || bigger_abs == NULL)
                    goto oom;
                cap = ncap;
            }
            detect_finding *f = &out->items[out->n_items];
            f->col = c;
            f->run = r;
            min_abs[out->n_items] = floor_abs;
            if (detect_series(t, v, n, column_params(s, c, p, &pg), floor_abs, INFINITY,
                              &f->r, err) != 0)
                goto out;
            out->n_items += f->r.judged;
        }
    }
    out->z_crit = detect_z_crit(p, 2 * out->n_items);   /* two stretches each */
    for (size_t i = 0; i < out->n_items; i++) {
        detect_finding *f = &out->items[i];
        verdict(&f->r, p, min_abs[i], out->z_crit);
        const detect_params *pc = column_params(s, f->col, p, &pg);
        /* a slowing shown by the siblings' sum is not taken back for
         * the noise this series adds to the sum */
        if (!pool_slowing(s, f, pc, min_abs[i], out->z_crit, since, until, t, v, sibs))
            judge_by_siblings(s, f, pc, min_abs[i], out->z_crit, since, until, t, v, sibs);
    }
    if (gauges_all(s, out, p, since, until, t, v, t2, v2, err) != 0)
        goto out;
    if (confirm_rising_all(s, out) != 0)
        goto oom;
    for (size_t i = 0; i < out->n_items; i++) {
        detect_finding *f = &out->items[i];
        if (judge_priors(s, f, prior + f->run * DETECT_PRIOR_RUNS, n_prior[f->run],
                         column_params(s, f->col, p, &pg),
                         min_abs[i], out->z_crit, since, until, t, v, err) != 0)
            goto out;
        if (f->r.growing) {
            size_t n = lp_series_extract(s, f->col, f->run, since, until, t, v);
            size_t skip = f->r.late_half ? n / 2 : (size_t)((double)n * p->warmup);
            if (fit_line(t, v, n, skip, f->r.st.slope, &f->r.line, err) != 0)
                goto out;
        }
        out->n_growing += f->r.verdict == DETECT_GROWING;
        out->n_rising += f->r.verdict == DETECT_RISING;
        out->n_held += f->r.verdict == DETECT_HELD;
    }
    if (out->n_items > 1)
        qsort(out->items, out->n_items, sizeof *out->items, cmp_finding);
    rc = 0;
    goto out;
oom:
    lp_error_set(err, "out of memory (detector)");
out:
    if (rc != 0)
        detect_report_free(out);
    free(current);
    free(n_prior);
    free(prior);
    free(sibs);
    free(t);
    free(v);
    free(t2);
    free(v2);
    free(min_abs);
    return rc;
}

void detect_report_free(detect_report *r)
{
    free(r->items);
    *r = (detect_report){0};
}
