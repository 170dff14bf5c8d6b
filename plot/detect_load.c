/* detect_load: what a run's load did, for the series it drives (design
 * step 5).  Two rules.  A trend under the load's swing: a type the
 * load drives swings with the load's day and with its weekends; the phase
 * means of one period take out the day but leave the weekends, and a slow
 * leak under them is then no significant trend.  The types of a run that
 * show a cycle share its load: their envelopes, each over its mean, give
 * the load's shape (their median at each time).  A series whose trend was
 * not significant under a cycle is judged again with that shape taken out
 * where its envelope follows it (detect_series_loaded).  A steady load:
 * a rise that slows is excused as a falling load's only when the load
 * fell (judge_steady). */
#include "detect_rules.h"

#include <stdlib.h>
#include <string.h>

#include "lp_kinds.h"
#include "trend.h"

/* Types showing a cycle that make a load, the series judged again apart. */
#define LOAD_SOURCES 5

static bool load_source(const lp_series_store *s, const detect_finding *f)
{
    return s->cols[f->col].kind == LP_TYPE && f->r.whole.period > 0 && f->r.n_env >= 8 &&
           f->r.verdict != DETECT_GROWING;
}

/* Two days or more: a load's shape is told from a trend when it repeats. */
#define LOAD_SPAN (2 * DETECT_DAY)

/* Whether a load source, f, is judged again under the others' load. */
static bool judged_again(const detect_finding *f)
{
    return f->r.verdict == DETECT_OK && f->r.t_last - f->r.t_first >= LOAD_SPAN &&
           strcmp(f->r.reason, "no significant trend") == 0;
}

/* Envelope r, over its mean, at each time grid->t[0..grid->n) into out. */
static void relative_env(const detect_result *r, const detect_load *grid, double *out)
{
    double t[DETECT_ENV], v[DETECT_ENV], mean = 0;
    for (unsigned j = 0; j < r->n_env; j++) {
        t[j] = r->env_t[j];
        v[j] = r->env[j];
        mean += r->env[j] / (double)r->n_env;
    }
    for (size_t j = 0; j < grid->n; j++)
        out[j] = mean > 0 ? detect_interpolate(t, v, r->n_env, grid->t[j] - r->t_first) / mean
                          : 1;
}

/* The load of one run's items[0..n) whose sources src[0..m) were sampled
 * at grid times into vals (m x grid->n), leaving out source `skip`: the
 * median of the others at each time, into load.  Whether there are
 * enough. */
static bool load_without(const double *vals, size_t m, const detect_load *grid, size_t skip,
                         detect_load *load, double *scratch)
{
    if (m - (skip < m) < LOAD_SOURCES)
        return false;
    load->n = grid->n;
    double mean = 0;
    for (size_t j = 0; j < grid->n; j++) {
        size_t k = 0;
        for (size_t i = 0; i < m; i++)
            if (i != skip)
                scratch[k++] = vals[i * grid->n + j];
        load->t[j] = grid->t[j];
        load->l[j] = trend_median(scratch, k);
        mean += load->l[j] / (double)grid->n;
    }
    for (size_t j = 0; j < grid->n && mean > 0; j++)
        load->l[j] /= mean;
    return mean > 0;
}

/* The sources of items[0..n), one run's, sampled at the bucket times of
 * the one with the most buckets: their indices into src, their relative
 * envelopes into vals, the times into grid.  Their number. */
static size_t sample_sources(const lp_series_store *s, const detect_finding *items, size_t n,
                             size_t *src, double *vals, detect_load *grid)
{
    size_t m = 0, widest = n;
    for (size_t i = 0; i < n; i++)
        if (load_source(s, &items[i])) {
            src[m++] = i;
            if (widest == n || items[i].r.n_env > items[widest].r.n_env)
                widest = i;
        }
    if (m < LOAD_SOURCES)
        return m;
    const detect_result *w = &items[widest].r;
    grid->n = w->n_env;
    for (unsigned j = 0; j < w->n_env; j++)
        grid->t[j] = w->t_first + w->env_t[j];
    for (size_t i = 0; i < m; i++)
        relative_env(&items[src[i]].r, grid, vals + i * grid->n);
    return m;
}

/* f judged again under `load` (its floor min_abs), into *again.  0 or -1. */
static int judge_again(const detect_pass *x, const detect_finding *f, double min_abs,
                       const detect_load *load, detect_result *again)
{
    detect_params pg;
    size_t len = lp_series_extract(x->s, f->col, f->run, x->since, x->until, x->t, x->v);
    return detect_series_loaded(x->t, x->v, len, detect_column_params(x->s, f->col, x->p, &pg),
                                min_abs, x->z_crit, load, again, x->err);
}

/* One run's items[0..n) (min_abs their floors): each series judged again
 * under the load's shape that becomes GROWING takes that verdict. */
static int judge_run(const detect_pass *x, detect_finding *items, const double *min_abs,
                     size_t n, size_t *src, double *vals, double *scratch)
{
    detect_load grid, load;
    size_t m = sample_sources(x->s, items, n, src, vals, &grid);
    if (m < LOAD_SOURCES)
        return 0;
    for (size_t k = 0; k < m; k++) {
        detect_finding *f = &items[src[k]];
        if (!judged_again(f) || !load_without(vals, m, &grid, k, &load, scratch))
            continue;
        load.steady = false;
        detect_result again;
        if (judge_again(x, f, min_abs[src[k]], &load, &again) != 0)
            return -1;
        if (again.verdict == DETECT_GROWING) {
            f->r = again;
            f->r.reason = "growing (the load's swing taken out)";
        }
    }
    return 0;
}

/* Whether the envelope of r fell: its last third's mean below LOAD_FELL of
 * its first third's. */
#define LOAD_FELL 0.85
static bool envelope_fell(const detect_result *r)
{
    unsigned k = r->n_env / 3;
    double first = 0, last = 0;
    for (unsigned j = 0; j < k; j++) {
        first += r->env[j];
        last += r->env[r->n_env - k + j];
    }
    return k > 0 && last < LOAD_FELL * first;
}

/* Whether the excuse of a falling daily load rests on the run's load
 * alone for r: under a day (the evening's fall); from two days on, for a
 * series that shows no cycle and had no load taken out: the day's load
 * does not move it, so only a load that fell over the days could slow
 * it.  (Between, a cycle cannot be told yet.) */
static bool load_blind(const detect_result *r)
{
    double span = r->t_last - r->t_first;
    return span < DETECT_DAY || (span >= LOAD_SPAN && r->whole.period == 0 && !r->whole.loaded);
}

/* Whether growing r's rise slowed below what a steady load allows over
 * the run (detect_steady_ratio) and did not speed up over its late half
 * (a store filling up slows ever after; a staircase's bursts come and
 * go), where the excuse of a falling load let it pass: the whole run was
 * not slower than that excuse allowed, or the late half passed after the
 * whole run slowed. */
static bool slowed_unexcused(const detect_result *r)
{
    return (!r->whole.slower || r->late_half) &&
           r->whole.decay < detect_steady_ratio(r->whole.span) && r->late.decay < 1;
}

/* A rise that slowed is excused as a falling load's only when the load
 * fell: then the types it drives fall too, DETECT_COMPANIONS of them or
 * more.  In a run where fewer fell, each GROWING type the excuse rests on
 * the load alone for (load_blind) whose rise slowed unexcused is judged
 * again with no excuse, and takes that verdict.  0 or -1. */
static int judge_steady(const detect_pass *x, detect_finding *items, const double *min_abs,
                        size_t n)
{
    size_t fell = 0;
    for (size_t i = 0; i < n && fell < DETECT_COMPANIONS; i++)
        fell += x->s->cols[items[i].col].kind == LP_TYPE && items[i].r.n_env >= 9 &&
                envelope_fell(&items[i].r);
    if (fell >= DETECT_COMPANIONS)
        return 0;
    const detect_load steady = {.steady = true};
    for (size_t i = 0; i < n; i++) {
        detect_finding *f = &items[i];
        const detect_result *r = &f->r;
        if (x->s->cols[f->col].kind != LP_TYPE || r->verdict != DETECT_GROWING ||
            !load_blind(r) || !slowed_unexcused(r))
            continue;
        detect_result again;
        if (judge_again(x, f, min_abs[i], &steady, &again) != 0)
            return -1;
        f->r = again;
    }
    return 0;
}

int detect_load_all(const detect_pass *x, detect_report *d, const double *min_abs)
{
    size_t n = d->n_items;
    size_t *src = malloc((n + 1) * sizeof *src);
    double *vals = malloc((n + 1) * DETECT_ENV * sizeof *vals);
    double *scratch = malloc((n + 1) * sizeof *scratch);
    int rc = src && vals && scratch ? 0 : lp_error_set(x->err, "out of memory (detector)");
    for (size_t i = 0, end; rc == 0 && i < n; i = end) {
        for (end = i + 1; end < n && d->items[end].run == d->items[i].run;)
            end++;
        rc = judge_run(x, d->items + i, min_abs + i, end - i, src, vals, scratch);
        if (rc == 0)
            rc = judge_steady(x, d->items + i, min_abs + i, end - i);
    }
    free(src);
    free(vals);
    free(scratch);
    return rc;
}
