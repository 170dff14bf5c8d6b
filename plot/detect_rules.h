/* detect_rules: what the detector's files share among themselves, not with
 * its callers (detect.h is the contract).  detect.c judges one series;
 * detect_store.c runs the store-wide rules over every judged series, each
 * in its own file:
 *   detect_siblings.c  workers side by side pool their slowing (step 5);
 *   detect_gauges.c    memory gauges filled by stores, untracked memory (6);
 *   detect_rising.c    a rise the load shares with other types (6);
 *   detect_load.c      a trend under the load's swing, a steady load (5);
 *   detect_lineage.c   a run judged by the runs before it (7). */
#ifndef DETECT_RULES_H
#define DETECT_RULES_H

#include "detect.h"

#define DETECT_DAY 86400.0

/* A leak in a type that also holds a store filling up slows as well, to
 * the leak's own rate: from the window alone it differs from a store
 * approaching its bound only by how far the rate falls, hence 0.6. */
#define SLOWING_RATIO 0.6

/* detect.c: the least a rise's rate may fall to over `span` seconds
 * under a steady load.  A leak keeps its rate there, and within a day no
 * weekly swing moves it either: 0.75 (noise aside, which the slowing gate
 * weighs); beyond a day, SLOWING_RATIO (the weekends). */
double detect_steady_ratio(double span);

/* One detect_store call as every rule reads it: the store, the user's
 * parameters, the trend threshold, the window, and scratch room. */
typedef struct detect_pass {
    const lp_series_store *s;
    const detect_params *p;
    double z_crit;
    double since, until;
    detect_filter_fn filter; /* the columns considered; NULL: all */
    void *filter_ud;
    double *t, *v, *t2, *v2; /* room for the longest run's rows each */
    size_t *sibs;            /* room for every run */
    lp_error *err;
} detect_pass;

/* What a run's load did (detect_load.c): its relative level (mean 1) at
 * times t[0..n), strictly increasing (n 0: not known), what the types a
 * load drives share; and whether it was steady (none of them fell), so
 * that a slowing rise is no falling load's. */
typedef struct detect_load {
    size_t n;
    double t[DETECT_ENV];
    double l[DETECT_ENV];
    bool steady;
} detect_load;

/* detect.c: v at `at`, linearly between the samples (t[k], v[k]) of
 * t[0..n) (n >= 2, increasing); the first or last beyond them. */
double detect_interpolate(const double *t, const double *v, size_t n, double at);

/* detect.c: detect_series, with the run's load taken out of each
 * stretch's envelope, where the envelope follows it, instead of a cycle
 * the envelope shows alone. */
int detect_series_loaded(const double *t, const double *v, size_t n, const detect_params *p,
                         double min_abs, double z_crit, const detect_load *load,
                         detect_result *out, lp_error *err);

/* detect.c: the gates of every stretch of r, into its verdict, reason and
 * st (after a rule changed a stretch's figures). */
void detect_apply_gates(detect_result *r, const detect_params *p, double min_abs,
                        double z_crit);

/* detect.c: whether a growing series' rise is one a load could make
 * (within detect_cycle_rise of its span). */
bool detect_cycle_sized(const detect_result *r);

/* detect.c: how the rise of envelope e[0..n) (bucket centres x) slows,
 * into st->decay, st->slower and st->slowing; with `steady`, a falling
 * load excuses none of it. */
void detect_decay(const double *e, const double *x, size_t n, bool steady, detect_stats *st);

/* detect_store.c: the parameters a gauge (a sum of every type) is judged
 * with: p without the slowing gate, in *gauge. */
const detect_params *detect_gauge_params(const detect_params *p, detect_params *gauge);

/* detect_store.c: the parameters column c is judged with: p, or for a
 * gauge detect_gauge_params. */
const detect_params *detect_column_params(const lp_series_store *s, size_t c,
                                          const detect_params *p, detect_params *gauge);

/* detect_siblings.c: f, with its column's parameters pc, judged again by
 * its run's siblings' sum (pooled slowing, or a load that moved between
 * workers). */
void detect_siblings_judge(const detect_pass *x, detect_finding *f, const detect_params *pc,
                           double min_abs);

/* detect_siblings.c: growing series of d that are the store their
 * siblings fill, not GROWING ("filling up (as in its siblings)"). */
void detect_siblings_stores(const detect_pass *x, detect_report *d);

/* detect_gauges.c: the gauge rules of step 6 for every run of d (its
 * items still in run order).  0 or -1. */
int detect_gauges_all(const detect_pass *x, detect_report *d);

/* detect_load.c: every series of d (its items still in run order, with
 * the floors min_abs) whose trend a cycle hid judged again with its run's
 * load taken out (GROWING there, it takes that verdict), and every growing
 * one whose slowing only a load that did not fall excused judged again
 * without that excuse.  0 or -1. */
int detect_load_all(const detect_pass *x, detect_report *d, const double *min_abs);

/* detect_rising.c: whether the envelope of an [rss], r, follows that of a
 * [blocks] of its run, b. */
bool detect_rss_follows(const detect_result *r, const detect_result *b);

/* detect_rising.c: RISING for every run of d (its items in any order).
 * 0 or -1. */
int detect_rising_all(const detect_pass *x, detect_report *d);

/* detect_lineage.c: the lineage of every current run (prior[r *
 * DETECT_PRIOR_RUNS + k], k < n_prior[r], latest first).  0 or -1. */
int detect_lineage_find(const detect_pass *x, const bool *current, size_t *prior,
                        size_t *n_prior);

/* detect_lineage.c: f, with its column's parameters pc, judged by the
 * runs before it, prior[0..n_prior).  0 or -1. */
int detect_lineage_judge(const detect_pass *x, detect_finding *f, const size_t *prior,
                         size_t n_prior, const detect_params *pc, double min_abs);

/* detect_lineage.c: f, growing, made RISING when it stays within the
 * swing its lineage prior[0..n_prior) showed.  0 or -1. */
int detect_lineage_swing(const detect_pass *x, detect_finding *f, const size_t *prior,
                         size_t n_prior, const detect_params *pc, double min_abs);

#endif
