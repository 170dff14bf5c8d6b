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
        .min_abs = 50,
        .tail = 0.2,
        .tail_ratio = 0.3,
        .max_step = 0.5,
        .max_fall = 0.4,
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

/* The first gate the stretch fails, or NULL when it passes them all. */
static const char *gate(const detect_stats *st, const detect_params *p, double min_abs,
                        double z_crit, double last)
{
    if (!st->judged)
        return "short";
    if (!(st->z >= z_crit))
        return "no significant trend";
    if (st->growth < min_abs || st->rel < p->min_rel || last <= st->level)
        return "too little growth";
    if (!(st->recent >= p->tail_ratio))
        return "not rising recently";
    if (!(st->step <= p->max_step))
        return "one step";
    if (!(st->fall <= p->max_fall))
        return "falls back";
    return NULL;
}

/* Apply the gates to both stretches; sets growing, reason and st. */
static void verdict(detect_result *r, const detect_params *p, double min_abs,
                    double z_crit)
{
    const char *whole = gate(&r->whole, p, min_abs, z_crit, r->last);
    /* the late half only speaks for a series whose whole run already
     * trends up at half the required significance and whose envelope never
     * fell back: a leak that began half-way is flat, then rises; a wander
     * that happens to rise at the end went down somewhere before */
    bool late_ok = r->whole.z >= z_crit / 2 && r->whole.fall <= p->max_fall;
    const char *late = whole && late_ok
                           ? gate(&r->late, p, min_abs, z_crit, r->last) : whole;
    r->growing = r->judged && (!whole || !late);
    r->st = !whole || late ? r->whole : r->late;
    r->reason = r->growing ? "growing" : whole;
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
 * (shorter ones are churn the rolling minima absorb) and at most n/3 (three
 * cycles in the window).  O(n^2 / 3) with n <= MAX_BUCKETS. */
#define CYCLE_MIN_RHO 0.5
#define CYCLE_MIN_BUCKETS 5
static double cycle_period(const double *r, size_t n)
{
    double mean = 0, den = 0, rho[MAX_BUCKETS / 3 + 2];
    size_t kmax = n / 3;
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

/* Figures of t[lo..n) and v[lo..n) into st.  0, or -1 when out of memory. */
static int analyse(const double *t, const double *v, size_t lo, size_t n,
                   const detect_params *p, double min_abs, detect_stats *st,
                   lp_error *err)
{
    double e[MAX_BUCKETS], x[MAX_BUCKETS], r[MAX_BUCKETS];
    size_t skip = lo, m = n - skip;
    size_t nb = m / 4 < p->buckets ? m / 4 : p->buckets;
    if (nb > MAX_BUCKETS)
        nb = MAX_BUCKETS;
    if (nb < 8)
        nb = m / 2;
    *st = (detect_stats){0};
    if (n - lo < p->min_snapshots / 2 || nb < 8)
        return 0;
    for (size_t j = 0; j < nb; j++) {
        size_t a = skip + j * m / nb, b = skip + (j + 1) * m / nb;
        e[j] = min_of(v, a, b);
        x[j] = (t[a] + t[b - 1]) / 2;
    }
    st->judged = true;
    st->level = median3(e[0], e[1], e[2]);
    st->slope = trend_theil_sen(x, e, nb);
    trend_mk mk;
    if (isnan(st->slope) || trend_mann_kendall(e, nb, &mk) != 0)
        goto oom;
    st->growth = st->slope * (x[nb - 1] - x[0]);
    for (size_t j = 0; j < nb; j++)
        r[j] = e[j] - st->slope * x[j];
    st->period = cycle_period(r, nb);
    /* Hamed-Rao corrects Var(S) for autocorrelated noise, from lags 1-3 of
     * the detrended ranks; under a cycle (the daily load) from every lag of
     * one whole period, over which a cycle's positive and negative
     * correlations cancel as its effect on S does (lags 1-3 alone would
     * see only the positive ones and bury a leak under a daily cycle). */
    int lags = st->period > 0 ? (int)lround(st->period) : 3;
    double factor = trend_hamed_rao(x, e, nb, st->slope, lags);
    if (factor < 0)
        goto oom;
    /* When the envelope departs from its trend line by less than a tenth
     * of the growth, the residual ranks follow counting steps, not noise,
     * and their "autocorrelation" would only hide a clean leak. */
    double lo_res = INFINITY, hi_res = -INFINITY;
    for (size_t j = 0; j < nb; j++) {
        lo_res = r[j] < lo_res ? r[j] : lo_res;
        hi_res = r[j] > hi_res ? r[j] : hi_res;
    }
    if (st->growth > 0 && hi_res - lo_res <= 0.1 * st->growth)
        factor = 1;
    st->factor = factor;
    st->rel = st->growth / (st->level > min_abs ? st->level : min_abs);
    double s = mk.s > 0 ? mk.s - 1 : mk.s < 0 ? mk.s + 1 : 0;
    st->z = mk.var > 0 ? s / sqrt(mk.var * factor) : 0;

    /* kf: the window of the rolling minima below.  At least 3 buckets (a
     * GC that skipped a bucket or two leaves spikes that wide), and a
     * whole cycle when there is one (its troughs are the floor). */
    size_t kf = nb / 16 > 3 ? nb / 16 : 3;
    if (st->period > 0 && (size_t)ceil(st->period) > kf)
        kf = (size_t)ceil(st->period);

    /* recent: the rise over the last q buckets must keep up with the
     * average rise.  Two measures, the larger counts: the windows' medians
     * (robust to noise; for windows longer than a cycle, to cycles), and
     * how far the highest level held for kf buckets in the last window
     * tops the highest held before it (a staircase's last bursts lift it
     * before they lift the median; noise on a plateau does not). */
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

    /* fall: the deepest drop from an earlier high of the envelope's rolling
     * minimum over kf buckets (one bucket may miss the GC's low point);
     * a leak's lower envelope does not fall back, a wander must */
    double high = -INFINITY, fall = 0;
    for (size_t j = 0; j + kf <= nb; j++) {
        double low = min_of(e, j, j + kf);
        high = low > high ? low : high;
        fall = high - low > fall ? high - low : fall;
    }
    double rise = w_last - w_first;
    st->fall = rise > 0 ? fall / rise : INFINITY;

    /* step: the largest rise from the highest point of kf buckets to the
     * lowest of the next kf (a jump lifts even the low after it) */
    double jump = -INFINITY;
    for (size_t j = kf; j + kf <= nb; j++) {
        double d = min_of(e, j, j + kf) - max_of(e, j - kf, j);
        jump = d > jump ? d : jump;
    }
    st->step = rise > 0 ? jump / rise : INFINITY;
    return 0;
oom:
    lp_error_set(err, "out of memory (trend)");
    return -1;
}

int detect_series(const double *t, const double *v, size_t n,
                  const detect_params *p, double min_abs, double z_crit,
                  detect_result *out, lp_error *err)
{
    *out = (detect_result){.n = n, .reason = "short"};
    if (n == 0)
        return 0;
    out->first = v[0];
    out->last = v[n - 1];
    out->t_first = t[0];
    out->t_last = t[n - 1];
    if (n < p->min_snapshots)
        return 0;
    if (analyse(t, v, (size_t)((double)n * p->warmup), n, p, min_abs, &out->whole, err) != 0 ||
        analyse(t, v, n / 2, n, p, min_abs, &out->late, err) != 0)
        return -1;
    out->judged = out->whole.judged;
    verdict(out, p, min_abs, z_crit);
    return 0;
}

/* Growing first; then by relative growth, largest first. */
static int cmp_finding(const void *a, const void *b)
{
    const detect_finding *x = a, *y = b;
    if (x->r.growing != y->r.growing)
        return x->r.growing ? -1 : 1;
    if (x->r.st.rel != y->r.st.rel)
        return x->r.st.rel > y->r.st.rel ? -1 : 1;
    if (x->col != y->col)
        return x->col < y->col ? -1 : 1;
    return (x->run > y->run) - (x->run < y->run);
}

int detect_store(const lp_store *s, const detect_params *p, double since,
                 double until, detect_filter_fn filter, void *filter_ud,
                 detect_report *out, lp_error *err)
{
    int rc = -1;
    *out = (detect_report){0};
    size_t longest = 1, cap = 0;
    for (size_t r = 0; r < s->n_runs; r++)
        longest = s->runs[r].n_rows > longest ? s->runs[r].n_rows : longest;
    bool *current = calloc(s->n_runs + 1, sizeof *current);
    double *t = malloc(longest * sizeof *t), *v = malloc(longest * sizeof *v);
    double *min_abs = NULL;
    if (current == NULL || t == NULL || v == NULL)
        goto oom;
    out->n_runs = lp_series_current(s, since, until, current);
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
            if (detect_series(t, v, n, p, floor_abs, INFINITY, &f->r, err) != 0)
                goto out;
            out->n_items += f->r.judged;
        }
    }
    out->z_crit = detect_z_crit(p, 2 * out->n_items);   /* two stretches each */
    for (size_t i = 0; i < out->n_items; i++) {
        verdict(&out->items[i].r, p, min_abs[i], out->z_crit);
        out->n_growing += out->items[i].r.growing;
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
    free(t);
    free(v);
    free(min_abs);
    return rc;
}

void detect_report_free(detect_report *r)
{
    free(r->items);
    *r = (detect_report){0};
}
