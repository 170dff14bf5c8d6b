/* detect_gauges: the rules of design step 6 for memory gauges.  A gauge
 * sums every type, so its rise is judged against the types of its run:
 * one that rose only while the run's stores filled is not GROWING, and
 * one whose memory per GC-tracked object grows holds memory no type
 * accounts for (leaked ints, strings, buffers). */
#include "detect_rules.h"

#include <string.h>

#include "lp_kinds.h"

/* One run's findings, items[lo..hi), as the gauge rules read them, with
 * the gauges' parameters p (no slowing gate, as for any gauge) and the
 * [gc_objects] column (-1: none). */
typedef struct gauge_run {
    const detect_pass *x;
    const detect_params *p;
    detect_finding *items;
    size_t lo, hi;
    long gc;
} gauge_run;

/* Advances *i in a[0..na) and *j in b[0..nb) (increasing times) to the
 * next time both have.  Whether there is one. */
static bool next_common(const double *a, size_t na, size_t *i, const double *b, size_t nb,
                        size_t *j)
{
    while (*i < na && *j < nb && a[*i] != b[*j]) {
        if (a[*i] < b[*j])
            ++*i;
        else
            ++*j;
    }
    return *i < na && *j < nb;
}

/* Whether the ratio of column num to column den in run `run`, at the
 * snapshots that have both, grows as a series of its own (every gate, no
 * least growth), into *grows.  0, or -1 when out of memory. */
static int ratio_grows(const gauge_run *g, size_t num, size_t den, size_t run, bool *grows)
{
    const detect_pass *x = g->x;
    double *t = x->t, *v = x->v, *t2 = x->t2, *v2 = x->v2;
    size_t nn = lp_series_extract(x->s, num, run, x->since, x->until, t, v);
    size_t nd = lp_series_extract(x->s, den, run, x->since, x->until, t2, v2);
    size_t n = 0;
    for (size_t i = 0, j = 0; next_common(t, nn, &i, t2, nd, &j); i++, j++)
        if (v2[j] > 0) {
            t[n] = t[i];
            v[n++] = v[i] / v2[j];
        }
    detect_result q;
    if (detect_series(t, v, n, g->p, 0, x->z_crit, &q, x->err) != 0)
        return -1;
    *grows = q.growing;
    return 0;
}

/* Whether the [blocks] series of f (a candidate for RISING) grows per
 * GC-tracked object, into f->r.untracked: the ratio of [blocks] to
 * [gc_objects] is judged as a series of its own.  A load moves the
 * objects of types, GC-tracked ones and what they hold together; leaked
 * ints, strings or buffers are tracked by no GC and counted by no type, so
 * the ratio rises only when memory accumulates that the types do not
 * account for.  0, or -1 when out of memory. */
static int untracked_growth(const gauge_run *g, detect_finding *f)
{
    return ratio_grows(g, f->col, (size_t)g->gc, f->run, &f->r.untracked);
}

/* Memory filled by stores: a fresh worker's gauges rise while its caches
 * and session stores fill, though no type leaks.  A type not growing
 * whose run slowed like a store filling up is one. */
static bool is_store(const lp_series_store *s, const detect_finding *f)
{
    return s->cols[f->col].kind != LP_GAUGE && !f->r.growing &&
           (f->r.whole.slowing || f->r.late.slowing);
}

/* The finding of column `name` among the run's, or NULL. */
static detect_finding *run_finding(const gauge_run *g, const char *name)
{
    for (size_t i = g->lo; i < g->hi; i++)
        if (strcmp(g->x->s->cols[g->items[i].col].name, name) == 0)
            return &g->items[i];
    return NULL;
}

static void filled_by_stores(detect_result *r)
{
    r->verdict = DETECT_OK;
    r->growing = false;
    r->reason = "filling up (its types' stores)";
}

/* Whether the run's growing [gc_objects], gc, grows without its stores:
 * their counts are taken off it where both have a point, and what is left
 * is judged as the gauge (a leak spread thin over types that do not slow
 * stays in it).  0, or -1 when out of memory. */
static int grows_without_stores(const gauge_run *g, const detect_finding *gc, bool *grows)
{
    const detect_pass *x = g->x;
    const lp_series_store *s = x->s;
    double *t = x->t, *v = x->v, *t2 = x->t2, *v2 = x->v2;
    size_t ng = lp_series_extract(s, gc->col, gc->run, x->since, x->until, t2, v2), stores = 0;
    for (size_t k = g->lo; k < g->hi; k++) {
        const detect_finding *f = &g->items[k];
        if (!is_store(s, f))
            continue;
        stores++;
        size_t n = lp_series_extract(s, f->col, f->run, x->since, x->until, t, v);
        for (size_t i = 0, j = 0; next_common(t, n, &i, t2, ng, &j); i++, j++)
            v2[j] -= v[i];
    }
    *grows = true;
    if (stores == 0)
        return 0;
    double min_abs;
    detect_judges(&s->cols[gc->col], g->p, &min_abs);
    detect_result q;
    if (detect_series(t2, v2, ng, g->p, min_abs, x->z_crit, &q, x->err) != 0)
        return -1;
    *grows = q.growing;
    return 0;
}

/* The gauges of the run that its stores filled: a growing [gc_objects]
 * that does not grow without them, then a growing [blocks] whose blocks
 * per GC-tracked object do not grow, then a growing [rss] whose bytes per
 * block do not (memory per object stays level while the stores fill: what
 * grows beyond, untracked or native, is no store's).  0, or -1 when out
 * of memory. */
static int stores_filled(const gauge_run *g)
{
    static const char *const chain[] = {"[gc_objects]", "[blocks]", "[rss]"};
    detect_finding *parent = NULL;
    for (size_t k = 0; k < 3; k++) {
        detect_finding *f = run_finding(g, chain[k]);
        if (f == NULL || !f->r.growing)
            return 0;
        bool grows;
        int rc = parent == NULL ? grows_without_stores(g, f, &grows)
                                : ratio_grows(g, f->col, parent->col, f->run, &grows);
        if (rc != 0)
            return -1;
        if (grows)
            return 0;
        filled_by_stores(&f->r);
        parent = f;
    }
    return 0;
}

/* Whether f's whole run rose by its least growth and still the gates
 * failed it (no verdict): a [blocks] whose rise the load's swings hide. */
static bool rose_unflagged(const gauge_run *g, const detect_finding *f)
{
    const detect_result *r = &f->r;
    double min_abs;
    detect_judges(&g->x->s->cols[f->col], g->p, &min_abs);
    return r->judged && r->verdict == DETECT_OK && r->whole.z > 0 &&
           r->whole.growth >= min_abs && r->last > r->whole.level;
}

static void untracked_grows(detect_result *r, const char *reason)
{
    r->untracked = true;
    r->verdict = DETECT_GROWING;
    r->growing = true;
    r->reason = reason;
}

/* Memory no type accounts for, in the run: its [blocks], when
 * detect_rising_all could make it RISING or when it rose unflagged, has
 * its ratio to [gc_objects] judged (untracked_growth).  One that rose
 * unflagged is GROWING when that grows: the load moves [gc_objects] and
 * [blocks] together, and the ratio, rid of the load, shows the leaked
 * ints and strings it hid; so is an unflagged [rss] that rose alike (rss
 * holds the blocks).  0 or -1. */
static int untracked_run(const gauge_run *g)
{
    detect_finding *b = run_finding(g, "[blocks]");
    if (b == NULL)
        return 0;
    bool unflagged = rose_unflagged(g, b);
    if (!detect_cycle_sized(&b->r) && !unflagged)
        return 0;
    if (untracked_growth(g, b) != 0)
        return -1;
    if (!unflagged || !b->r.untracked)
        return 0;
    untracked_grows(&b->r, "growing per GC-tracked object");
    detect_finding *rss = run_finding(g, "[rss]");
    if (rss != NULL && rose_unflagged(g, rss) && detect_rss_follows(&rss->r, &b->r))
        untracked_grows(&rss->r, "growing with the untracked blocks");
    return 0;
}

/* stores_filled, then untracked_run, run by run (the items of a run are
 * contiguous until they are sorted). */
int detect_gauges_all(const detect_pass *x, detect_report *d)
{
    detect_params pg;
    gauge_run g = {.x = x, .p = detect_gauge_params(x->p, &pg), .items = d->items,
                   .gc = lp_series_find(x->s, "[gc_objects]")};
    for (g.lo = 0; g.lo < d->n_items; g.lo = g.hi) {
        for (g.hi = g.lo + 1; g.hi < d->n_items && d->items[g.hi].run == d->items[g.lo].run;
             g.hi++)
            ;
        if (stores_filled(&g) != 0 || (g.gc >= 0 && untracked_run(&g) != 0))
            return -1;
    }
    return 0;
}
