/* detect: envelope, gates and the store-wide driver.  See detect.h for
 * the design and the meaning of every parameter. */
#include "detect.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

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
        .min_abs = 100,
        .tail = 0.2,
        .tail_ratio = 0.3,
        .max_step = 0.5,
    };
}

/* Gauges judged, and the least growth that matters in their unit.
 * rss and blocks are the only trace of leaked ints and strings (the GC does
 * not track them), gc_objects catches leaks spread thin over many types.
 * sample_ms is not judged: it is the cost of counting, which grows with the
 * heap, so it only echoes gc_objects, and scheduler noise dominates it.
 * Unknown gauges are plotted but not judged: their meaning is unknown
 * (a counter such as uptime or requests grows by design). */
static const struct gauge_rule {
    const char *name;
    bool judged;
    double min_abs;
} gauge_rules[] = {
    {.name = "[rss]", .judged = true, .min_abs = 1024.0 * 1024.0},
    {.name = "[blocks]", .judged = true, .min_abs = 1000},
    {.name = "[gc_objects]", .judged = true, .min_abs = 100},
    {.name = "[sample_ms]", .judged = false},
};

bool detect_judges(const lp_column *c, const detect_params *p, double *min_abs)
{
    *min_abs = p->min_abs;
    if (c->kind == LP_TYPE)
        return true;
    for (size_t i = 0; i < sizeof gauge_rules / sizeof gauge_rules[0]; i++)
        if (strcmp(c->name, gauge_rules[i].name) == 0) {
            *min_abs = gauge_rules[i].min_abs;
            return gauge_rules[i].judged;
        }
    return false;
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

/* Apply the gates to figures already computed; sets growing and reason. */
static void verdict(detect_result *r, const detect_params *p, double min_abs,
                    double z_crit)
{
    r->growing = false;
    if (!r->judged)
        r->reason = "short";
    else if (!(r->z >= z_crit))
        r->reason = "no significant trend";
    else if (r->growth < min_abs || r->rel < p->min_rel || r->last <= r->level)
        r->reason = "too little growth";
    else if (!(r->recent >= p->tail_ratio))
        r->reason = "not rising recently";
    else if (!(r->step <= p->max_step))
        r->reason = "one step";
    else {
        r->reason = "growing";
        r->growing = true;
    }
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

int detect_series(const double *t, const double *v, size_t n,
                  const detect_params *p, double min_abs, double z_crit,
                  detect_result *out, lp_error *err)
{
    double e[MAX_BUCKETS], x[MAX_BUCKETS];
    *out = (detect_result){.n = n, .reason = "short"};
    if (n == 0)
        return 0;
    out->first = v[0];
    out->last = v[n - 1];
    out->t_first = t[0];
    out->t_last = t[n - 1];
    size_t skip = (size_t)((double)n * p->warmup), m = n - skip;
    size_t nb = m / 4 < p->buckets ? m / 4 : p->buckets;
    if (nb > MAX_BUCKETS)
        nb = MAX_BUCKETS;
    if (nb < 8)
        nb = m / 2;
    if (n < p->min_snapshots || nb < 8)
        return 0;
    for (size_t j = 0; j < nb; j++) {
        size_t lo = skip + j * m / nb, hi = skip + (j + 1) * m / nb;
        e[j] = min_of(v, lo, hi);
        x[j] = (t[lo] + t[hi - 1]) / 2;
    }
    out->judged = true;
    out->level = median3(e[0], e[1], e[2]);
    double rise = median3(e[nb - 3], e[nb - 2], e[nb - 1]) - out->level;
    out->slope = trend_theil_sen(x, e, nb);
    trend_mk mk;
    double factor = trend_hamed_rao(x, e, nb, out->slope, 3);
    if (isnan(out->slope) || factor < 0 || trend_mann_kendall(e, nb, &mk) != 0) {
        lp_error_set(err, "out of memory (trend)");
        return -1;
    }
    out->growth = out->slope * (x[nb - 1] - x[0]);
    out->rel = out->growth / (out->level > min_abs ? out->level : min_abs);
    double s = mk.s > 0 ? mk.s - 1 : mk.s < 0 ? mk.s + 1 : 0;
    out->z = mk.var > 0 ? s / sqrt(mk.var * factor) : 0;

    size_t q = (size_t)lround(p->tail * (double)nb);
    q = q < 3 ? 3 : q > nb / 2 ? nb / 2 : q;
    double predicted = out->slope * (x[nb - q] - x[nb - 2 * q]);
    double recent = min_of(e, nb - q, nb) - min_of(e, nb - 2 * q, nb - q);
    out->recent = predicted > 0 ? recent / predicted : 0;

    size_t k = nb / 32 ? nb / 32 : 1;
    double jump = -INFINITY;
    for (size_t j = k; j + k <= nb; j++) {
        double d = min_of(e, j, j + k) - max_of(e, j - k, j);
        jump = d > jump ? d : jump;
    }
    out->step = rise > 0 ? jump / rise : INFINITY;
    verdict(out, p, min_abs, z_crit);
    return 0;
}

/* Growing first; then by relative growth, largest first. */
static int cmp_finding(const void *a, const void *b)
{
    const detect_finding *x = a, *y = b;
    if (x->r.growing != y->r.growing)
        return x->r.growing ? -1 : 1;
    if (x->r.rel != y->r.rel)
        return x->r.rel > y->r.rel ? -1 : 1;
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
            if ((filter && !filter(filter_ud, s->cols[c].name)) ||
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
    out->z_crit = detect_z_crit(p, out->n_items);
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
