/* detect: one series judged: its lower envelope, the figures of each
 * stretch and the gates they must pass (design steps 2-5).  See detect.h
 * for the design and the meaning of every parameter; detect_store.c
 * applies the store-wide rules. */
#include "detect.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "detect_rules.h"
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
double detect_cycle_rise(double span)
{
    double half = span < DETECT_DAY / 2 ? span : DETECT_DAY / 2;
    return 2 * CYCLE_SWING * sin(M_PI * half / DETECT_DAY) / (1 - CYCLE_SWING);
}

#define DESEASONED_SNR 50.0

/* The first gate the stretch fails, or NULL when it passes them all. */
static const char *gate(const detect_stats *st, const detect_params *p, double min_abs,
                        double z_crit, double last)
{
    if (!st->judged)
        return "short";
    if (!(st->z >= z_crit))
        return "no significant trend";
    /* min_rel holds for short stretches, and for deseasonalised ones: the
     * phase means fitted to a cycle leave small trends of their own, but
     * no trend DESEASONED_SNR times what the cycle's removal left (an
     * imperfect fit, a weekly swing over the daily one, stays there) */
    bool rel_applies = st->span < p->rel_span ||
                       (st->period > 0 && !(st->snr >= DESEASONED_SNR));
    if (st->loaded)
        last = st->end;
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

/* The least decay the late half of a run whose whole slowed must show to
 * rise steadily again: SLOWING_RATIO; under a steady load, where no load
 * excuses the whole run's slowing, closer to a leak's steady rate (1)
 * than to the store's, which goes on slowing as it did over the whole
 * run (an exponential approach: whole.decay to the power of the late
 * half's share of the span). */
static double late_rate_least(const detect_result *r)
{
    if (!r->whole.steady || !(r->whole.span > 0))
        return SLOWING_RATIO;
    double store = r->whole.decay > 0 ? pow(r->whole.decay, r->late.span / r->whole.span) : 0;
    double least = (1 + store) / 2;
    return least > SLOWING_RATIO ? least : SLOWING_RATIO;
}

/* Both stretches through the gates (detect_rules.h). */
void detect_apply_gates(detect_result *r, const detect_params *p, double min_abs,
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
    /* a whole run that slowed beyond what a load's fall explains has
     * spent that excuse: its late half must rise steadily again, not
     * below SLOWING_RATIO of its own start (a store filling up slows ever
     * after; a leak whose share of the load fell keeps its new rate) */
    detect_stats half = r->late;
    if (r->whole.slowing && half.decay < late_rate_least(r))
        half.slowing = true;
    const char *late = whole && late_ok
                           ? gate(&half, p, min_abs, z_crit, r->last) : whole;
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

/* A rise within detect_cycle_rise of the span (the load itself is
 * checked by detect_rising.c). */
bool detect_cycle_sized(const detect_result *r)
{
    return r->verdict == DETECT_GROWING && r->st.rel <= detect_cycle_rise(r->t_last - r->t_first);
}

bool detect_rising_daily(const detect_result *r)
{
    return r->t_last - r->t_first < DETECT_DAY;
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

double detect_interpolate(const double *t, const double *v, size_t n, double at)
{
    size_t k = 0;
    while (k + 2 < n && t[k + 1] < at)
        k++;
    double a = t[k], b = t[k + 1], w = b > a ? (at - a) / (b - a) : 0;
    w = w < 0 ? 0 : w > 1 ? 1 : w;
    return v[k] + w * (v[k + 1] - v[k]);
}

/* The run's load at each bucket centre x[0..n) into lb; their mean. */
static double load_at(const detect_load *load, const double *x, size_t n, double *lb)
{
    double mean = 0;
    for (size_t j = 0; j < n; j++) {
        lb[j] = detect_interpolate(load->t, load->l, load->n, x[j]);
        mean += lb[j] / (double)n;
    }
    return mean;
}

/* Take the run's load out of e[0..n) (bucket centres x) when the
 * envelope follows it: least squares fit e on the load and on time at
 * once (a weekend at the end would tilt a trend line fitted alone), the
 * load correlated with time by less than LOAD_COLLINEAR, and what the time
 * leaves correlated with the load by LOAD_RHO or more.  A
 * type the load drives swings with the load's day and its weekends
 * together, which no one period's phase means take out; what is left is
 * the trend the load does not explain.  Whether it was taken out. */
#define LOAD_RHO 0.6
#define LOAD_COLLINEAR 0.5
static bool take_out_load(double *e, const double *x, size_t n, const detect_load *load)
{
    double lb[MAX_BUCKETS], me = 0, mx = 0;
    if (load == NULL || load->n < 2)
        return false;
    double ml = load_at(load, x, n, lb);
    for (size_t j = 0; j < n; j++) {
        me += e[j] / (double)n;
        mx += x[j] / (double)n;
    }
    double sxx = 0, sxl = 0, sll = 0, sxe = 0, sle = 0;
    for (size_t j = 0; j < n; j++) {
        double dx = x[j] - mx, dl = lb[j] - ml, de = e[j] - me;
        sxx += dx * dx;
        sxl += dx * dl;
        sll += dl * dl;
        sxe += dx * de;
        sle += dl * de;
    }
    /* a load that rises or falls with time cannot be told from a trend */
    double det = sxx * sll - sxl * sxl;
    if (!(det > 0) || sxl * sxl > LOAD_COLLINEAR * LOAD_COLLINEAR * sxx * sll)
        return false;
    double b = (sxx * sle - sxl * sxe) / det, c = (sll * sxe - sxl * sle) / det;
    double suu = 0, sul = 0;
    for (size_t j = 0; j < n; j++) {
        double u = e[j] - me - c * (x[j] - mx), dl = lb[j] - ml;
        suu += u * u;
        sul += u * dl;
    }
    if (!(b > 0 && suu > 0 && sul >= LOAD_RHO * sqrt(suu * sll)))
        return false;
    for (size_t j = 0; j < n; j++)
        e[j] -= b * (lb[j] - ml);
    return true;
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

/* Where the rise of e[0..n) from `level` plainly stopped dead, 1.5 kf
 * buckets or more before the end (maybe too few for the recent gate): the
 * rise to the level held over the last kf buckets reached 95% at a knee
 * (dead_stop); at its average rate up to there it reached the top s
 * buckets later.  It stopped there when the median of the last kf buckets
 * tops the median of the kf from s by less than STOPPED_SHARE of what that
 * rate predicts, a prediction of STOPPED_NOISE x the envelope's
 * bucket-to-bucket noise or more.  A leak's rate falls with a daily load at
 * night (to a quarter), not to a tenth.  Not in an envelope a cycle or the
 * load was taken out of (adjusted: the leftovers make knees of their own).
 * s, or n when none. */
#define STOPPED_SHARE 0.1
#define STOPPED_NOISE 4.0
static size_t stopped_plain(const double *e, size_t n, double level, size_t kf, bool adjusted)
{
    if (adjusted || n < 2 * kf)
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
    if (stop + (3 * kf + 1) / 2 > n)
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
    double s = sin(M_PI * (sep < DETECT_DAY / 2 ? sep : DETECT_DAY / 2) / DETECT_DAY);
    return (1 - CYCLE_SWING * s) / (1 + CYCLE_SWING * s);
}

double detect_steady_ratio(double span)
{
    return span < DETECT_DAY ? 0.75 : SLOWING_RATIO;
}

/* How the rise of e[0..n) (centres x) slows down (detect_decay).  The
 * envelope is cut in sixths; the rise rates between the medians of sixths
 * 0-1 and 4-5 are r1 and r3 (per bucket).  decay is r3 / r1 (INFINITY
 * when the start did not rise).  A cache or a session store approaching
 * its bound slows steadily (an exponential approach of time constant tau
 * gives exp(-2/3 span / tau)): slowing is r3 below SLOWING_RATIO x what a
 * falling daily load could explain (unless the load was steady: no excuse
 * then), and r1 - r3 beyond SLOWING_Z x its
 * noise, so that neither the noise of a slow leak, nor a staircase's
 * bursts, nor a leak of a falling load is taken for it (rate_var; the
 * rises of each third deviate from that third's rate, the middle one's
 * from the rate between sixths 2-3). */
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

void detect_decay(const double *e, const double *x, size_t n, bool steady, detect_stats *st)
{
    double m[6], c[6];
    size_t w = n / 6;
    st->decay = INFINITY;
    st->steady = steady;
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
    double span = x[n - 1] - x[0];
    double allowed = steady ? detect_steady_ratio(span)
                            : SLOWING_RATIO * cycle_rate_ratio(2.0 / 3.0 * span);
    st->slower = r3 < allowed * r1;
    st->slowing = st->slower && r1 - r3 >= SLOWING_Z * sd;
}

/* Figures of t[lo..n) and v[lo..n) into st.  0, or -1 when out of memory. */
static int analyse(const double *t, const double *v, size_t lo, size_t n,
                   const detect_params *p, double min_abs, const detect_load *load,
                   detect_stats *st, detect_result *keep_env, lp_error *err)
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
        for (size_t j = 0; j < k; j++) {
            keep_env->env[j] = (float)e[j * nb / k];
            keep_env->env_t[j] = (float)(x[j * nb / k] - t[0]);
        }
        keep_env->n_env = (unsigned)k;
    }
    if (trend_theil_sen(x, e, nb, &st->slope) != 0)
        goto oom;
    for (size_t j = 0; j < nb; j++)
        r[j] = e[j] - st->slope * x[j];
    st->loaded = take_out_load(e, x, nb, load);
    st->period = st->loaded ? 0 : cycle_period(r, nb);
    if (st->period > 0)
        deseasonalise(e, r, nb, st->period);
    if (st->period > 0 || st->loaded) {
        if (trend_theil_sen(x, e, nb, &st->slope) != 0)
            goto oom;
        for (size_t j = 0; j < nb; j++)
            r[j] = e[j] - st->slope * x[j];
    }
    st->level = median3(e[0], e[1], e[2]);
    st->end = e[nb - 1];
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
    st->week = st->slope * 7 * DETECT_DAY / base;
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
    size_t stop = stopped_plain(e, nb, st->level, kf, st->period > 0 || st->loaded);
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
    detect_decay(e, x, nb, load != NULL && load->steady, st);
    st->slower = st->slower && p->slowing;
    st->slowing = st->slowing && p->slowing;
    return 0;
oom:
    lp_error_set(err, "out of memory (trend)");
    return -1;
}


int detect_series(const double *t, const double *v, size_t n,
                  const detect_params *p, double min_abs, double z_crit,
                  detect_result *out, lp_error *err)
{
    return detect_series_loaded(t, v, n, p, min_abs, z_crit, NULL, out, err);
}

int detect_series_loaded(const double *t, const double *v, size_t n, const detect_params *p,
                         double min_abs, double z_crit, const detect_load *load,
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
    if (analyse(t, v, (size_t)((double)n * p->warmup), n, p, min_abs, load, &out->whole, out,
                err) != 0 ||
        analyse(t, v, n / 2, n, p, min_abs, load, &out->late, NULL, err) != 0)
        return -1;
    out->judged = out->whole.judged;
    detect_apply_gates(out, p, min_abs, z_crit);
    return 0;
}
