/* detect: the growth detector.  Decides which series grow.
 *
 * Design (time-scale free: every rule counts snapshots or compares
 * growth with itself, never wall-clock hours):
 *   1. Only the latest run of each process is judged (lp_series_current):
 *      a restart ends the old run's story.
 *   2. A series needs min_snapshots present points; the first `warmup`
 *      fraction of the run is dropped (start-up allocations).  The second
 *      half of the run is analysed as well, so a leak that began half-way
 *      is judged on its own; both count as tests for the Bonferroni m.
 *   3. The rest is cut into B <= buckets equal-count buckets and each is
 *      replaced by its minimum: a lower envelope in which GC churn and
 *      batch sawtooths (cleared within a bucket) vanish.
 *   4. Cycles: the residuals of the envelope from its Theil-Sen line are
 *      searched for a period (an autocorrelation peak >= 0.5 after the
 *      first negative lag, 5 buckets to a third of the envelope: the daily
 *      load over days).  With one, the trend test takes its lags over a
 *      whole period and the rolling minima span one.
 *   5. Gates on the envelope e[0..B):
 *      - trend:  Mann-Kendall z, variance corrected by Hamed-Rao (lags 1-3,
 *                or one whole period; factor >= 1), must exceed the
 *                one-sided normal quantile of alpha / m, m = number of
 *                stretches judged (Bonferroni);
 *      - size:   Theil-Sen slope x envelope span >= min_abs and
 *                >= min_rel x the starting level;
 *      - recent: the rise over the last `tail` of the buckets, as the
 *                larger of the rise of the window medians and the rise of
 *                the highest level held for kf buckets, is at least
 *                tail_ratio x what the average rise predicts (growth that
 *                stopped or a cache that filled up fails here);
 *      - step:   the largest rise between adjacent windows of kf buckets
 *                is at most max_step x the whole rise (one jump is not a
 *                leak);
 *      - fall:   the rolling minimum over kf buckets never falls back by
 *                more than max_fall x the whole rise (a wander does).
 *      kf = max(B/16, 3, one period).  The second half passes for the
 *      series only if the whole run trends up at z_crit / 2 and passes
 *      the fall gate (a leak that began half-way never fell back).
 * Cost per series: O(n) for the envelope, O(B^2) for the tests (B is at
 * most 1024, 64 by default: a constant, whatever n). */
#ifndef DETECT_H
#define DETECT_H

#include <stdbool.h>
#include <stddef.h>

#include "lp_error.h"
#include "lp_series.h"

typedef struct detect_params {
    double alpha;            /* family-wise false-alarm probability */
    size_t min_snapshots;    /* shortest series judged */
    double warmup;           /* fraction of a run dropped at its start */
    size_t buckets;          /* most buckets in the envelope */
    double min_rel;          /* least growth relative to the starting level */
    double min_abs;          /* least growth of a type's count (objects) */
    double tail;             /* fraction of buckets in the recent window */
    double tail_ratio;       /* least recent rise / predicted rise */
    double max_step;         /* most rise in one step / whole rise */
    double max_fall;         /* deepest fall of the envelope / whole rise */
    bool by_bytes;           /* judge types by their bytes, not their counts */
} detect_params;

/* The defaults, chosen so that nothing needs tuning. */
void detect_defaults(detect_params *p);

/* Gate figures of one analysed stretch of a series. */
typedef struct detect_stats {
    bool judged;             /* long enough to analyse */
    double level;            /* envelope level at the start */
    double slope;            /* Theil-Sen slope of the envelope, per second */
    double growth;           /* slope x envelope span */
    double rel;              /* growth / max(level, min_abs) */
    double z;                /* corrected Mann-Kendall z */
    double recent;           /* recent rise rate / average rise rate */
    double step;             /* largest step / whole rise */
    double fall;             /* deepest fall / whole rise */
    double period;           /* cycle in the envelope, in buckets; 0: none */
    double factor;           /* Hamed-Rao variance factor applied to z */
} detect_stats;

/* Verdict on one series.  Two stretches are analysed: the run after its
 * warm-up, and its second half (a leak that started half-way is clearest
 * there); the series grows if either passes every gate.  st is the
 * stretch the verdict rests on (the whole run unless only the half grew). */
typedef struct detect_result {
    bool judged;
    bool growing;
    const char *reason;      /* the first gate that failed, or "growing" */
    size_t n;                /* present points */
    double first, last;      /* first and last values seen */
    double t_first, t_last;  /* their times */
    detect_stats st, whole, late;
} detect_result;

/* Judge one series: t (strictly increasing seconds) and v, n points, with
 * min_abs for its kind.  z_crit is the trend threshold (detect_z_crit).
 * 0, or -1 when out of memory. */
int detect_series(const double *t, const double *v, size_t n,
                  const detect_params *p, double min_abs, double z_crit,
                  detect_result *out, lp_error *err);

/* The z a series must reach when m series are tested. */
double detect_z_crit(const detect_params *p, size_t m);

/* Whether a column is judged at all, and its absolute minimum growth.
 * Types: always, min_abs from p.  Gauges: see the table in detect.c. */
bool detect_judges(const lp_column *c, const detect_params *p, double *min_abs);

typedef struct detect_finding {
    size_t col, run;
    detect_result r;
} detect_finding;

typedef struct detect_report {
    detect_finding *items;   /* judged series; growing ones first, most
                                alarming (largest relative growth) first */
    size_t n_items;
    size_t n_growing;
    size_t n_runs;           /* current runs judged */
    double z_crit;
} detect_report;

/* Selects which columns are considered (e.g. --type globs); NULL: all. */
typedef bool (*detect_filter_fn)(void *ud, const char *name);

/* Judge every (judged column, current run) pair inside [since, until].
 * 0 or -1.  Free the report with detect_report_free. */
int detect_store(const lp_store *s, const detect_params *p, double since,
                 double until, detect_filter_fn filter, void *filter_ud,
                 detect_report *out, lp_error *err);

void detect_report_free(detect_report *r);

#endif
