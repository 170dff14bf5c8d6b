/* detect_store: the detector over a whole store (detect_store): every
 * judged series of the current runs through the gates, then the
 * store-wide rules in their order (detect_rules.h), then the report,
 * sorted, with a line for each growing series. */
#include "detect.h"

#include <math.h>
#include <stdlib.h>

#include "detect_rules.h"
#include "trend.h"

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

/* A growing finding's line (what a drawing shows): over the stretch its
 * verdict rests on.  0 or -1. */
static int line_of(const detect_pass *x, detect_finding *f)
{
    if (!f->r.growing)
        return 0;
    size_t n = lp_series_extract(x->s, f->col, f->run, x->since, x->until, x->t, x->v);
    size_t skip = f->r.late_half ? n / 2 : (size_t)((double)n * x->p->warmup);
    return fit_line(x->t, x->v, n, skip, f->r.st.slope, &f->r.line, x->err);
}

/* A sum of a leak and a store filling up slows too. */
const detect_params *detect_gauge_params(const detect_params *p, detect_params *gauge)
{
    *gauge = *p;
    gauge->slowing = false;
    return gauge;
}

const detect_params *detect_column_params(const lp_series_store *s, size_t c,
                                          const detect_params *p, detect_params *gauge)
{
    return s->cols[c].kind == LP_GAUGE ? detect_gauge_params(p, gauge) : p;
}

/* Every judged series of the current runs through the gates, with a z_crit
 * for all of them: one pass analyses each series (and so counts them), one
 * applies the gates at the z_crit their number sets. */
static int judge_all(const detect_pass *x, const bool *current, double **min_abs,
                     detect_report *out)
{
    const lp_series_store *s = x->s;
    const detect_params *p = x->p;
    detect_params pg;
    size_t cap = 0;
    for (size_t r = 0; r < s->n_runs; r++) {
        for (size_t c = 0; current[r] && c < s->n_cols; c++) {
            double floor_abs;
            if (s->cols[c].present < p->min_snapshots ||     /* cheap: a million types */
                (x->filter && !x->filter(x->filter_ud, s->cols[c].name)) ||
                !detect_judges(&s->cols[c], p, &floor_abs))
                continue;
            size_t n = lp_series_extract(s, c, r, x->since, x->until, x->t, x->v);
            if (n < p->min_snapshots)
                continue;
            if (out->n_items == cap) {
                size_t ncap = cap ? cap * 2 : 256;
                detect_finding *bigger = realloc(out->items, ncap * sizeof *bigger);
                double *bigger_abs = realloc(*min_abs, ncap * sizeof *bigger_abs);
                if (bigger != NULL)
                    out->items = bigger;
                if (bigger_abs != NULL)
                    *min_abs = bigger_abs;
                if (bigger == NULL || bigger_abs == NULL)
                    return lp_error_set(x->err, "out of memory (detector)");
                cap = ncap;
            }
            detect_finding *f = &out->items[out->n_items];
            f->col = c;
            f->run = r;
            (*min_abs)[out->n_items] = floor_abs;
            if (detect_series(x->t, x->v, n, detect_column_params(s, c, p, &pg), floor_abs,
                              INFINITY, &f->r, x->err) != 0)
                return -1;
            out->n_items += f->r.judged;
        }
    }
    out->z_crit = detect_z_crit(p, 2 * out->n_items);   /* two stretches each */
    for (size_t i = 0; i < out->n_items; i++)
        detect_apply_gates(&out->items[i].r, p, (*min_abs)[i], out->z_crit);
    return 0;
}

int detect_store(const lp_series_store *s, const detect_params *p, double since,
                 double until, detect_filter_fn filter, void *filter_ud,
                 detect_report *out, lp_error *err)
{
    int rc = -1;
    *out = (detect_report){0};
    size_t longest = 1;
    detect_params pg;
    for (size_t r = 0; r < s->n_runs; r++)
        longest = s->runs[r].n_rows > longest ? s->runs[r].n_rows : longest;
    detect_pass x = {.s = s, .p = p, .since = since, .until = until, .filter = filter,
                     .filter_ud = filter_ud, .err = err};
    bool *current = calloc(s->n_runs + 1, sizeof *current);
    size_t *n_prior = calloc(s->n_runs + 1, sizeof *n_prior);
    size_t *prior = malloc((s->n_runs + 1) * DETECT_PRIOR_RUNS * sizeof *prior);
    x.t = malloc(longest * sizeof *x.t);
    x.v = malloc(longest * sizeof *x.v);
    x.t2 = malloc(longest * sizeof *x.t2);
    x.v2 = malloc(longest * sizeof *x.v2);
    x.sibs = malloc((s->n_runs + 1) * sizeof *x.sibs);
    double *min_abs = NULL;
    if (current == NULL || n_prior == NULL || prior == NULL || x.t == NULL || x.v == NULL ||
        x.t2 == NULL || x.v2 == NULL || x.sibs == NULL)
        goto oom;
    out->n_runs = lp_series_current(s, since, until, current);
    if (detect_lineage_find(&x, current, prior, n_prior) != 0)
        goto oom;
    if (judge_all(&x, current, &min_abs, out) != 0)
        goto out;
    x.z_crit = out->z_crit;
    if (detect_load_all(&x, out, min_abs) != 0)
        goto out;
    for (size_t i = 0; i < out->n_items; i++) {
        detect_finding *f = &out->items[i];
        detect_siblings_judge(&x, f, detect_column_params(s, f->col, p, &pg), min_abs[i]);
    }
    detect_siblings_stores(&x, out);
    if (detect_gauges_all(&x, out) != 0)
        goto out;
    if (detect_rising_all(&x, out) != 0)
        goto oom;
    for (size_t i = 0; i < out->n_items; i++) {
        detect_finding *f = &out->items[i];
        const size_t *lineage = prior + f->run * DETECT_PRIOR_RUNS;
        const detect_params *pc = detect_column_params(s, f->col, p, &pg);
        if (detect_lineage_swing(&x, f, lineage, n_prior[f->run], pc, min_abs[i]) != 0 ||
            detect_lineage_judge(&x, f, lineage, n_prior[f->run], pc, min_abs[i]) != 0 ||
            line_of(&x, f) != 0)
            goto out;
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
    free(x.sibs);
    free(x.t);
    free(x.v);
    free(x.t2);
    free(x.v2);
    free(min_abs);
    return rc;
}

void detect_report_free(detect_report *r)
{
    free(r->items);
    *r = (detect_report){0};
}
