/* detect: the growth detector.  Decides which series grow.
 *
 * Design (every rule counts snapshots or compares growth with the series'
 * own noise; wall-clock time enters only to say "a day" where a daily
 * cycle could be mistaken for a leak, and to project a rate over a week):
 *   1. The latest run of each process is judged (lp_series_current); the
 *      runs of the same program before it are judged too (step 7).
 *   2. A series needs min_snapshots present points; the first `warmup`
 *      fraction of the run is dropped (start-up allocations).  The second
 *      half of the run is analysed as well, so a leak that began half-way
 *      is judged on its own; both count as tests for the Bonferroni m.
 *   3. The rest is cut into B <= buckets equal-count buckets and each is
 *      replaced by its minimum: a lower envelope in which GC churn and
 *      batch sawtooths (cleared within a bucket) vanish.
 *   4. Cycles: the residuals of the envelope from its Theil-Sen line are
 *      searched for a period (an autocorrelation peak >= 0.5 after the
 *      first negative lag, 5 buckets to half the envelope: the daily load
 *      over two days or more).  With one, the envelope is deseasonalised:
 *      each bucket loses the mean residual of its phase, so every later
 *      test compares like with like across cycles.  A series of two days
 *      or more whose trend a cycle hid is judged again under its run's load
 *      (detect_load.c): the types that show a cycle, each envelope over its
 *      mean, give the load's shape (their median), day and weekends
 *      together; when the envelope and that shape, fitted to it with time
 *      at once, correlate by 0.6 or more (and the shape by less than 0.5
 *      with time: a load that only rises cannot be told from a trend), the
 *      fitted load is taken out instead of the phase means.  A trend left
 *      then is the load's by no rule (not RISING), and the relative gate
 *      is that of a plain envelope.
 *   5. Gates on the (deseasonalised) envelope e[0..B):
 *      - trend:  Mann-Kendall z, variance corrected by Hamed-Rao (lags 1-3,
 *                factor >= 1; 1 when the envelope stays within a quarter of
 *                its growth of a straight line: a leak's curvature is not
 *                noise), must exceed the one-sided normal quantile of
 *                alpha / m, m = number of stretches judged (Bonferroni);
 *      - size:   Theil-Sen slope x envelope span >= min_abs, >= min_rel x
 *                the starting level when the stretch spans less than
 *                rel_span (a rise of a few percent is believed from hours
 *                of data on, not from minutes) or was deseasonalised (the
 *                phase means leave small trends of their own; not when
 *                the growth is 50x the noise left after the cycle was
 *                taken out: a leak whose rate follows the load),
 *                >= min_snr x the envelope's
 *                own noise (1.4826 x the MAD of its residuals), and the
 *                rate projected over a week >= min_week x the level: a big
 *                population's slow leak counts when it is clear and
 *                material, whatever its share of the population;
 *      - slowing: the rise rate between the medians of the last two sixths
 *              of the envelope is below 0.6 x what a falling daily load
 *              could leave of the rate between the first two, and the
 *              difference is 2 x beyond its noise (the medians' own, plus
 *              every burst between them counted whole: a staircase's few
 *              bursts make its rate uncertain): a cache or a session store
 *              approaching its bound, still filling at the end of a short
 *              run, is no leak.  That falling load is only an excuse
 *              when the load fell: in a run where fewer than
 *              DETECT_COMPANIONS types fell (their envelope's last third
 *              below 0.85 of the first), a series whose rate fell over
 *              the run below 0.75 under a day (a steady load leaves a
 *              leak's rate as it was), 0.6 beyond (the weekends), and did
 *              not speed up over its late half is judged against that
 *              alone (detect_load.c), under a day, and from
 *              two days on when it shows no cycle (the day's load does
 *              not move it) and had no load taken out.  Not for gauges: a
 *              leak summed with a store filling up slows too.  Workers side
 *              by side (runs of one group overlapping in time) share the
 *              load: a series that fails only for slowing is judged
 *              without this gate when the sum of its group's envelopes
 *              over the time they share (each run taken while that stays
 *              half its stretch) kept its rate (not slower by the
 *              ratio above, not even within its noise): a load that
 *              moved between workers leaves the sum steady, a store
 *              filling up in every worker slows in the sum too.
 *              Conversely, a stretch whose rate falls
 *              below that 0.6 but within its noise fails the gate when
 *              the sum of two siblings or more (itself left out) slows
 *              beyond theirs: the store they all hold, too noisy in one
 *              worker to show (the ratio stays its own, so a leak beside
 *              its siblings' store still passes).  And a growing series
 *              that slowed at all (decay < 1), beside three siblings or
 *              more of which two thirds filled up (slowing) with a sum
 *              (itself left out) that slows, and that rose no more than
 *              the most of them, is their store ("filling up (as in its
 *              siblings)"): its time constant is longer, as its load is
 *              lighter;
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
 *      kf = max(B/16, 3).  The second half passes for the series only if
 *      the whole run trends up at z_crit / 2 and passes the fall gate; a
 *      run that slowed passes on its second half when that half no longer
 *      slows (its own slowing gate, and its rate at least 0.6 of its start:
 *      the load's allowance was spent on the whole run): a store filling
 *      up slows ever after, a leak whose share of the load fell rises
 *      steadily again.  Under a steady load (above), that half's rate
 *      must be nearer a leak's steady rate than the store's: at least
 *      the mean of 1 and the whole run's decay to the power of the half's
 *      share of the span (an exponential approach slows at that rate).
 *   6. Verdicts besides GROWING: RISING, a series that passes every gate
 *      with a rise of a size a load could make, which at least
 *      DETECT_COMPANIONS other types of its run share.
 *      - The size: on less than a day of data, what a daily cycle could
 *        make over the span (detect_cycle_rise); from a day on, what it
 *        makes by half a day (3x the level: a load moves a type by its
 *        swing, however long the run, so a leak of an object graph,
 *        several types in lockstep, is GROWING beyond that).
 *      - The companions: on less than a day DETECT_COMPANIONS_DAY, as a
 *        morning moves every type the load drives, their envelopes
 *        compared after each is averaged over 5 points (a rise of a few
 *        tens of percent competes with the scatter of bucket minima).
 *        From a day on, their bucket-to-bucket changes correlate with
 *        its own, positively: a load moves its types up and down
 *        together with the hours; a leak keeps a share of the requests
 *        and rises in every bucket whatever the load does then; nor is a
 *        store filling up, slowing, the companion of a rise that never
 *        slowed: its shape is its bound's.
 *      - Only the run's own types: the same types in the workers beside
 *        it may be the same leak's object graph, not the load.
 *      And HELD, a rise of at least 2x that stopped dead (not a
 *      cache's slowing approach) and was never released, even one that
 *      passed every gate when the stop is plain: flat for 1.5 kf buckets
 *      (not in a deseasonalised envelope), rising less than a tenth of what the
 *      rate before predicts, that prediction 4x the envelope's
 *      bucket-to-bucket noise (a leak's rate falls to a quarter at night,
 *      not to a tenth).  Neither sets exit 1.  A memory gauge is not RISING
 *      when its rise is not the load's: the load moves types' objects,
 *      GC-tracked ones and what they hold together, so [blocks] per
 *      [gc_objects] stays level or falls (a fixed part is shared out) while
 *      the types rise; leaked ints, strings and buffers are tracked by no GC
 *      and counted by no type, and raise it.  That ratio is judged as a
 *      series by every gate above, and when it grows [blocks] stays GROWING,
 *      and [rss] with it when it rises alike (rss holds the blocks).  The
 *      same ratio finds such a leak where the load hides it: a [blocks]
 *      whose whole run rose by its least growth (z > 0) but failed a gate is
 *      GROWING when the ratio grows, and an [rss] that did the same and
 *      rises alike (envelopes correlated 0.85).  A memory gauge that rises
 *      only as stores fill is not GROWING either ("filling up (its types'
 *      stores)"): a growing [gc_objects] whose counts of the run's types
 *      that failed for slowing, taken off it, leave no growing gauge (a leak
 *      spread thin over types that do not slow stays in it), then a growing
 *      [blocks] whose ratio to [gc_objects] does not grow, then a growing
 *      [rss] whose ratio to [blocks] does not (memory per object stays level
 *      while stores fill; untracked or native memory that outgrows the
 *      parent's fill raises the ratio).
 *   7. Across restarts: a latest run shorter than half its predecessors,
 *      not falling (z >= 0.5) and failing only for want of evidence (not
 *      for a stopped, stepped, falling or slowing shape), is GROWING when
 *      at least two and at least half of the up to DETECT_PRIOR_RUNS runs
 *      of its lineage (the run of its group that ended last before it
 *      began, the one that ended last before that one began, ...) are
 *      GROWING on their own, for a day in all (mornings of a daily cycle
 *      are not counted, unless the runs that grew are the latest's
 *      predecessors back to back, covering 90% of their time and a day in
 *      all: a daily cycle would have made one of them fall), and the
 *      latest of them did not fall: a leak rises in every recent run.
 *      Conversely,
 *      a latest run GROWING on its own is RISING ("within the swing of its
 *      runs before") when a run of its lineage rose as far as it (from its
 *      envelope's low to its high) and fell back (the fall gate), none
 *      grew or held beyond a rise a load could make (detect_cycle_rise),
 *      and its envelope ends below the highest envelope of those runs: a
 *      process restarted at the day's trough rises with the load, and a
 *      leak soon passes that high.
 * Cost per series: O(n) for the envelope, O(B^2) for the tests (B is at
 * most 1024, 64 by default: a constant, whatever n); step 7 at most
 * DETECT_PRIOR_RUNS times that, for series the latest run does not flag,
 * and O(n) per run of its group for a series that slowed. */
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
    double min_rel;          /* least growth relative to the starting level, */
    double rel_span;         /* in stretches shorter than this (seconds) */
    double min_snr;          /* least growth / the envelope's noise */
    double min_week;         /* least growth over a week / the level */
    double min_abs;          /* least growth of a type's count (objects) */
    double tail;             /* fraction of buckets in the recent window */
    double tail_ratio;       /* least recent rise / predicted rise */
    double max_step;         /* most rise in one step / whole rise */
    double max_fall;         /* deepest fall of the envelope / whole rise */
    bool by_bytes;           /* judge types by their bytes, not their counts */
    bool slowing;            /* apply the slowing gate (not to gauges: a sum
                                of a leak and a store filling up slows too) */
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
    double decay;            /* rise rate of the last third / of the first
                                third (INFINITY: the first did not rise) */
    bool slower;             /* the last third's rate below what a load's
                                fall allows of the first's (noise not weighed) */
    bool slowing;            /* slower, and beyond the noise of both rates */
    bool steady;             /* judged under a steady load: no slowing excused */
    double period;           /* cycle in the envelope, in buckets; 0: none */
    bool loaded;             /* the run's load was taken out of the envelope
                                (detect_load.c) instead of a cycle */
    double end;              /* the envelope's last bucket (what is left of
                                the last value when the load was taken out) */
    double factor;           /* Hamed-Rao variance factor applied to z */
    double noise;            /* robust scale of the envelope's residuals */
    double snr;              /* growth / noise */
    double week;             /* slope x one week / level */
    double span;             /* seconds from the first to the last bucket */
    double knee;             /* HELD: where the rise stopped (seconds); NAN: not held */
    bool stopped;            /* the rise plainly stopped dead (HELD even when
                                every gate passes) */
} detect_stats;

typedef enum detect_verdict {
    DETECT_OK = 0,           /* judged (or not), nothing to say */
    DETECT_GROWING,          /* a leak: exit 1 */
    DETECT_RISING,           /* a rise the load's: shared with other types */
    DETECT_HELD,             /* rose at least 2x, stopped dead, never released */
} detect_verdict;

#define DETECT_PRIOR_RUNS 4
#define DETECT_ENV 64            /* envelope buckets kept per result */
#define DETECT_COMPANIONS 5      /* types rising alike that make a load */
#define DETECT_COMPANIONS_DAY 3  /* ... on less than a day */

/* Verdict on one series.  Two stretches are analysed: the run after its
 * warm-up, and its second half (a leak that started half-way is clearest
 * there); the series grows if either passes every gate.  st is the
 * stretch the verdict rests on (the whole run unless only the half grew). */
/* A fitted line, from (t0, v0) to (t1, v1). */
typedef struct detect_line {
    bool has;
    double t0, v0, t1, v1;
} detect_line;

typedef struct detect_result {
    bool judged;
    bool growing;            /* verdict == DETECT_GROWING */
    detect_verdict verdict;
    const char *reason;      /* the first gate that failed, or "growing" */
    bool late_half;          /* st is the second half's (else the whole run's) */
    size_t runs;             /* runs the verdict rests on: 1, or more across restarts */
    size_t prior_growing;    /* earlier runs of the group that grew */
    size_t n;                /* present points */
    double first, last;      /* first and last values seen */
    double t_first, t_last;  /* their times */
    detect_stats st, whole, late;
    float env[DETECT_ENV];   /* the whole run's lower envelope (n_env buckets),
                                to tell a rise shared with other types */
    float env_t[DETECT_ENV]; /* their bucket centres, seconds after t_first */
    unsigned n_env;
    detect_line line;        /* growing: the Theil-Sen line of the stretch the
                                verdict rests on (what a drawing shows) */
    bool untracked;          /* GROWING for memory no type accounts for:
                                [blocks] whose blocks per GC-tracked object
                                grow, or [rss] rising alike with it */
    bool in_swing;           /* RISING within the swing its lineage showed */
} detect_result;

/* Judge one series: t (strictly increasing seconds) and v, n points, with
 * min_abs for its kind.  z_crit is the trend threshold (detect_z_crit).
 * 0, or -1 when out of memory. */
int detect_series(const double *t, const double *v, size_t n,
                  const detect_params *p, double min_abs, double z_crit,
                  detect_result *out, lp_error *err);

/* The largest relative rise (growth / level) a daily cycle could make over
 * `span` seconds: the rise from its trough to its peak from half a day on
 * (3x the level), whatever the span, as a load moves a type by its swing.
 * A series within it is RISING only when at least DETECT_COMPANIONS other
 * types of its run (DETECT_COMPANIONS_DAY on less than a day) rose alike
 * (envelopes correlated >= 0.9, >= 0.85 for a gauge, which sums every
 * type; on less than a day, each envelope averaged over 5 points first,
 * as a morning's few tens of percent compete with the bucket minima's
 * scatter; from a day on, their changes correlated > 0 too): a daily cycle is
 * the load's, and the load moves many types at once; alone, the rise is
 * GROWING. */
double detect_cycle_rise(double span);

/* Whether a RISING series was seen for less than a day (its rise could be
 * a daily cycle's), else over days (the load grew). */
bool detect_rising_daily(const detect_result *r);

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
                                alarming (largest relative growth) first,
                                then rising, then held, then the rest */
    size_t n_items;
    size_t n_growing;
    size_t n_rising, n_held;
    size_t n_runs;           /* current runs judged */
    double z_crit;
} detect_report;

/* Selects which columns are considered (e.g. --type globs); NULL: all. */
typedef bool (*detect_filter_fn)(void *ud, const char *name);

/* Judge every (judged column, current run) pair inside [since, until].
 * 0 or -1.  Free the report with detect_report_free. */
int detect_store(const lp_series_store *s, const detect_params *p, double since,
                 double until, detect_filter_fn filter, void *filter_ud,
                 detect_report *out, lp_error *err);

void detect_report_free(detect_report *r);

#endif
