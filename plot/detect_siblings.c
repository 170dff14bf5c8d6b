/* detect_siblings: workers side by side (runs of one group overlapping in
 * time) share a load, so the sum of their envelopes says what one worker's
 * noise hides: whether the slowing of a series is its store's or the
 * load's (design step 5, slowing). */
#include "detect_rules.h"

#include <math.h>

#include "lp_kinds.h"

/* Workers side by side share a load (design step 5, slowing): the runs of
 * f's group, f's own first, that overlap f's stretch (its run but the
 * first `from` fraction: the warm-up, or the early half), each taken while
 * the window they share stays at least half of that stretch.  Their
 * number, and the window in *lo, *hi (t, v: scratch). */
static size_t overlapping_siblings(const detect_pass *x, const detect_finding *f,
                                   double from, double *lo, double *hi)
{
    const lp_series_store *s = x->s;
    const double *t = x->t;
    size_t *sibs = x->sibs;
    size_t n = lp_series_extract(s, f->col, f->run, x->since, x->until, x->t, x->v);
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
        if (r == f->run || !lp_series_run_span(s, r, x->since, x->until, &first, &last))
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

/* How the sum of the lower envelopes of column col over runs sibs[0..n)
 * in [lo, hi] slows (detect_decay), into *st: buckets of equal time (two
 * of the first run's points each), each run's minimum there, kept where
 * every run has a point.  Whether enough buckets were kept to tell (*st
 * says nothing slowed when not). */
static bool sum_decay(const detect_pass *x, size_t col, const size_t *sibs, size_t n,
                      double lo, double hi, detect_stats *st)
{
    *st = (detect_stats){0};
    const double *t = x->t, *v = x->v;
    double sum[DETECT_ENV] = {0}, centre[DETECT_ENV] = {0};
    bool kept[DETECT_ENV];
    size_t nb = 0;
    for (size_t k = 0; k < n; k++) {
        double least[DETECT_ENV];
        size_t m = lp_series_extract(x->s, col, sibs[k], x->since, x->until, x->t, x->v);
        if (k == 0) {          /* two of the first run's points a bucket, at most DETECT_ENV */
            for (size_t i = 0; i < m; i++)
                nb += t[i] >= lo && t[i] <= hi;
            nb = nb / 2 < DETECT_ENV ? nb / 2 : DETECT_ENV;
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
            centre[ne] = lo + ((double)j + 0.5) * (hi - lo) / (double)nb;
            sum[ne++] = sum[j];
        }
    detect_decay(sum, centre, ne, false, st);
    return ne >= 8 && 4 * ne >= 3 * nb;
}

/* A series that failed for slowing, in a run with siblings: when the sum
 * over them kept its rate, the load moved between workers (a leak of
 * each keeps its share of the requests), and it is judged without the
 * slowing gate; a store filling up in every worker slows in the sum too,
 * if only within the sum's noise (that is no evidence of a kept rate). */
static void judge_by_siblings(const detect_pass *x, detect_finding *f, const detect_params *p,
                              double min_abs)
{
    detect_result *r = &f->r;
    double lo, hi;
    if (!r->judged || r->growing || !r->whole.slowing)
        return;
    size_t n = overlapping_siblings(x, f, p->warmup, &lo, &hi);
    detect_stats sum;
    if (n < 2 || !(hi > lo) || !sum_decay(x, f->col, x->sibs, n, lo, hi, &sum) || sum.slower)
        return;
    r->whole.slowing = false;
    r->late.slowing = false;
    detect_apply_gates(r, p, min_abs, x->z_crit);
}

/* A growing series whose stretch (the whole run, or its late half when
 * that is what passed) slowed as much as a store's does but within its
 * own noise, in a run with two siblings or more whose sum (its own left
 * out) slows significantly over that stretch: the store every worker
 * holds, too noisy in one worker to show it.  The ratio stays the
 * series' own, so a leak that kept its rate is not taken for its
 * siblings' store; only the evidence is pooled.  Whether it did. */
static bool pool_slowing(const detect_pass *x, detect_finding *f, const detect_params *p,
                         double min_abs)
{
    detect_result *r = &f->r;
    bool pooled = false;
    for (int late = 0; late < 2 && r->growing; late++) {
        detect_stats *st = late ? &r->late : &r->whole;
        if (late != r->late_half || !st->slower || st->slowing)
            continue;
        double lo, hi;
        size_t n = overlapping_siblings(x, f, late ? 0.5 : p->warmup, &lo, &hi);
        detect_stats sum;
        if (n < 3 || !(hi > lo) || !sum_decay(x, f->col, x->sibs + 1, n - 1, lo, hi, &sum) ||
            !sum.slowing)
            break;
        st->slowing = true;
        pooled = true;
        detect_apply_gates(r, p, min_abs, x->z_crit);
    }
    return pooled;
}

/* A slowing shown by the siblings' sum is not taken back for the noise
 * this series adds to the sum. */
void detect_siblings_judge(const detect_pass *x, detect_finding *f, const detect_params *pc,
                           double min_abs)
{
    if (!pool_slowing(x, f, pc, min_abs))
        judge_by_siblings(x, f, pc, min_abs);
}

/* The finding of column col in run `run` among d's items, or NULL. */
static const detect_finding *finding_of(const detect_report *d, size_t col, size_t run)
{
    for (size_t i = 0; i < d->n_items; i++)
        if (d->items[i].col == col && d->items[i].run == run)
            return &d->items[i];
    return NULL;
}

/* Whether growing f is its siblings' store: of three or more siblings
 * with its type, two thirds filled up (their whole run slowing) and their
 * sum (f left out) slows too, while f rose no more than the most any of
 * them did, and slowed as well (only within its noise, or by less than a
 * load's fall allows).  A store's time constant differs from worker to
 * worker as their loads do; a leak in every worker whose load moves
 * between them leaves their sum steady, and a leak in one worker of a
 * type the others fill rises beyond them. */
static bool siblings_filled(const detect_pass *x, const detect_report *d,
                            const detect_finding *f)
{
    const detect_result *r = &f->r;
    double lo, hi;
    if (!r->growing || r->untracked || x->s->cols[f->col].kind == LP_GAUGE ||
        !(r->whole.decay < 1))
        return false;
    size_t n = overlapping_siblings(x, f, x->p->warmup, &lo, &hi), found = 0, filled = 0;
    double most = -INFINITY;
    for (size_t k = 1; k < n; k++) {
        const detect_finding *o = finding_of(d, f->col, x->sibs[k]);
        if (o == NULL)
            continue;
        found++;
        if (o->r.whole.slowing) {
            filled++;
            most = o->r.whole.rel > most ? o->r.whole.rel : most;
        }
    }
    detect_stats sum;
    return found >= 3 && 3 * filled >= 2 * found && r->st.rel <= most && hi > lo &&
           sum_decay(x, f->col, x->sibs + 1, n - 1, lo, hi, &sum) && sum.slowing;
}

void detect_siblings_stores(const detect_pass *x, detect_report *d)
{
    for (size_t i = 0; i < d->n_items; i++) {
        detect_result *r = &d->items[i].r;
        if (siblings_filled(x, d, &d->items[i])) {
            r->verdict = DETECT_OK;
            r->growing = false;
            r->reason = "filling up (as in its siblings)";
        }
    }
}
