/* detect_rising: RISING (design step 6), a rise the load makes.  A load
 * moves many types at once, so a growing series whose rise a load could
 * make is RISING when enough other types of its run rose alike with it;
 * alone, or in memory no type accounts for, it stays GROWING. */
#include "detect_rules.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "lp_kinds.h"

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

/* a[0..n) averaged over windows of SMOOTH_WIDTH points, into out. */
#define SMOOTH_WIDTH 5
static void smooth(const float *a, unsigned n, float *out)
{
    for (unsigned j = 0; j < n; j++) {
        unsigned lo = j >= SMOOTH_WIDTH / 2 ? j - SMOOTH_WIDTH / 2 : 0;
        unsigned hi = j + SMOOTH_WIDTH / 2 + 1 < n ? j + SMOOTH_WIDTH / 2 + 1 : n;
        double sum = 0;
        for (unsigned k = lo; k < hi; k++)
            sum += a[k];
        out[j] = (float)(sum / (double)(hi - lo));
    }
}

/* Whether o rose alike with r, a RISING candidate: their envelopes
 * correlate by rho and, from a day on, so do their changes (positively):
 * a load moves its types together bucket by bucket, up and down with the
 * hours; a leak keeps a share of the requests and rises in every bucket
 * whatever the load does then, so its changes do not follow the load's.
 * On less than a day a morning's rise moves every type alike, by a few
 * tens of percent at most, against which the scatter of the bucket
 * minima weighs (independent from bucket to bucket): there the envelopes
 * are compared by their course, each averaged over SMOOTH_WIDTH points.
 * From a day on, a store filling up (slowing) does not speak for the
 * load of a candidate whose rise never slowed: its shape is its bound's. */
static bool rose_alike(const detect_result *r, const detect_result *o, double rho)
{
    if (o->n_env != r->n_env)
        return false;
    if (detect_rising_daily(r)) {
        float a[DETECT_ENV], b[DETECT_ENV];
        smooth(r->env, r->n_env, a);
        smooth(o->env, o->n_env, b);
        return env_correlation(a, b, r->n_env) >= rho;
    }
    if (o->whole.slowing && r->whole.decay >= 1)
        return false;
    return env_correlation(r->env, o->env, r->n_env) >= rho &&
           change_correlation(r->env, o->env, r->n_env) > 0;
}

#define MAX_RISING_CHECKED 64
#define RISING_RHO 0.9
#define RISING_RHO_GAUGE 0.85

/* As a gauge follows a type: RISING_RHO_GAUGE. */
bool detect_rss_follows(const detect_result *r, const detect_result *b)
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
        if (b->untracked && detect_rss_follows(r, b))
            return true;
    }
    return false;
}

/* A growing series whose rise a load could make (detect_cycle_sized) is
 * RISING when the load moved: DETECT_COMPANIONS other types of its run
 * rose alike (see detect_cycle_rise), DETECT_COMPANIONS_DAY on less than a
 * day (a morning's rise moves every type the load drives, and a rise that
 * far could be the day's whatever the types).  idx[0..n) index one run's
 * items; beyond MAX_RISING_CHECKED candidates in one run the load is
 * evident and all are RISING.  O(candidates x items of the run x
 * DETECT_ENV). */
static void confirm_rising(const lp_series_store *s, detect_finding *items, const size_t *idx,
                           size_t n)
{
    size_t candidates = 0;
    for (size_t i = 0; i < n; i++)
        candidates += detect_cycle_sized(&items[idx[i]].r);
    if (candidates == 0)
        return;
    for (size_t i = 0; i < n; i++) {
        detect_result *r = &items[idx[i]].r;
        /* memory that no type accounts for is not the load's, nor a rise
         * left once the run's load was taken out (detect_load.c) */
        if (!detect_cycle_sized(r) || r->untracked || r->st.loaded ||
            untracked_rss(s, items, idx, n, i))
            continue;
        size_t need = detect_rising_daily(r) ? DETECT_COMPANIONS_DAY : DETECT_COMPANIONS;
        size_t alike = candidates > MAX_RISING_CHECKED ? need : 0;
        /* a gauge sums every type, the quiet ones' noise and its own
         * (rss: the allocator's) with the load's: it follows any one type
         * less closely than two types of the same load follow each other */
        double rho = s->cols[items[idx[i]].col].kind == LP_GAUGE ? RISING_RHO_GAUGE : RISING_RHO;
        for (size_t j = 0; j < n && alike < need; j++) {
            const detect_result *o = &items[idx[j]].r;
            if (j != i && s->cols[items[idx[j]].col].kind == LP_TYPE && o->whole.z >= 2 &&
                rose_alike(r, o, rho))
                alike++;
        }
        if (alike >= need) {
            r->verdict = DETECT_RISING;
            r->growing = false;
            r->reason = detect_rising_daily(r)
                            ? "rising (less than a day: could be a daily cycle)"
                            : "rising (with the load: five other types rose alike)";
        }
    }
}

/* confirm_rising over every run: items indexed by run with a counting
 * sort. */
int detect_rising_all(const detect_pass *x, detect_report *d)
{
    const lp_series_store *s = x->s;
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
