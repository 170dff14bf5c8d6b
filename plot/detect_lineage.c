/* detect_lineage: a run judged by the runs before it (design step 7).  A
 * process restarted by deploys, or a worker recycled, shows a leak in
 * every run it had; a latest run too young to show it on its own is
 * judged by its lineage, the runs of its group that it replaced in turn. */
#include "detect_rules.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

/* The runs before each current run: prior[r * DETECT_PRIOR_RUNS + k] for
 * k < n_prior[r], r's lineage inside the window, latest first: the run of
 * r's group that ended last before r began, the one that ended last
 * before that one began, and so on.  For a process restarted by deploys
 * these are all its runs before; for workers recycled side by side, the
 * workers that the new one replaced in turn, not its siblings (one worker
 * of four leaking is judged by its own past).  By group, members sorted
 * by their end: O(runs log runs). */
typedef struct run_end {
    double first, last;
    size_t run;
} run_end;

static int cmp_run_end(const void *a, const void *b)
{
    const run_end *x = a, *y = b;
    return (x->last > y->last) - (x->last < y->last);
}

/* How many of ends[0..n) (sorted by end) ended before `t`. */
static size_t ends_before(const run_end *ends, size_t n, double t)
{
    size_t lo = 0, hi = n;
    while (lo < hi) {
        size_t mid = lo + (hi - lo) / 2;
        if (ends[mid].last < t)
            lo = mid + 1;
        else
            hi = mid;
    }
    return lo;
}

int detect_lineage_find(const detect_pass *x, const bool *current, size_t *prior,
                        size_t *n_prior)
{
    const lp_series_store *s = x->s;
    run_end *ends = malloc((s->n_runs + 1) * sizeof *ends);
    if (ends == NULL)
        return -1;
    for (uint32_t g = 0; g < s->n_groups; g++) {
        const size_t *members = s->group_runs + s->group_start[g];
        size_t n_members = s->group_start[g + 1] - s->group_start[g], n = 0;
        for (size_t k = 0; k < n_members; k++) {
            run_end *e = &ends[n];
            e->run = members[k];
            n += lp_series_run_span(s, members[k], x->since, x->until, &e->first, &e->last);
        }
        if (n < 2)
            continue;
        qsort(ends, n, sizeof *ends, cmp_run_end);
        for (size_t k = 0; k < n; k++) {
            size_t r = ends[k].run;
            if (!current[r])
                continue;
            for (double begin = ends[k].first; n_prior[r] < DETECT_PRIOR_RUNS;) {
                size_t j = ends_before(ends, n, begin);
                if (j == 0)
                    break;
                prior[r * DETECT_PRIOR_RUNS + n_prior[r]++] = ends[j - 1].run;
                begin = ends[j - 1].first;
            }
        }
    }
    free(ends);
    return 0;
}

/* Whether a run failed for want of evidence (too short, too little trend
 * or growth yet), not for a shape a leak does not have (stopped, one
 * step, fell back): only the first may be judged by the runs before. */
static bool lacks_evidence(const char *reason)
{
    static const char *const want[] = {"short", "no significant trend", "too little growth",
                                       "growth within the noise", "too slow to matter"};
    for (size_t i = 0; i < sizeof want / sizeof want[0]; i++)
        if (strcmp(reason, want[i]) == 0)
            return true;
    return false;
}

/* f's column in run `run`, judged with pc on its own, into *pr.  0 or -1. */
static int judge_run(const detect_pass *x, const detect_finding *f, size_t run,
                     const detect_params *pc, double min_abs, detect_result *pr)
{
    size_t n = lp_series_extract(x->s, f->col, run, x->since, x->until, x->t, x->v);
    return detect_series(x->t, x->v, n, pc, min_abs, x->z_crit, pr, x->err);
}

/* What the runs before a latest run show: how many were judged and how
 * long they ran; how many grew (mornings of a daily cycle left out) and
 * for how long; the streak of the latest's predecessors that all grew,
 * back to back, mornings included, and where it began; whether the
 * latest of them fell (no growth at all); the latest run that grew (its
 * figures stand for a latest run with none of its own). */
typedef struct prior_tally {
    size_t judged, grown, streak;
    bool latest_fell;        /* the latest of them ended no higher */
    double spans, grown_span, streak_span, streak_first;
    detect_result last_grown;
} prior_tally;

/* The runs prior[0..n_prior) of f's column, judged with pc, into *y.  0
 * or -1. */
static int tally_priors(const detect_pass *x, const detect_finding *f, const size_t *prior,
                        size_t n_prior, const detect_params *pc, double min_abs,
                        prior_tally *y)
{
    *y = (prior_tally){.streak_first = f->r.t_first};
    bool unbroken = true;
    for (size_t k = 0; k < n_prior; k++) {
        detect_result pr;
        if (judge_run(x, f, prior[k], pc, min_abs, &pr) != 0)
            return -1;
        if (!pr.judged)
            continue;
        double span = pr.t_last - pr.t_first;
        if (y->judged == 0)
            y->latest_fell = !(pr.whole.growth > 0);
        y->judged++;
        y->spans += span;
        /* a run of less than 14 h whose rise a day's load could make may
         * have been a morning (its load is not checked here); a daily
         * cycle rises for 12 h at most */
        bool morning = detect_cycle_sized(&pr) && span < 14 * 3600;
        if (pr.growing && !morning) {
            y->grown_span += span;
            if (y->grown++ == 0)
                y->last_grown = pr;
        }
        unbroken = unbroken && pr.growing;
        if (unbroken) {
            y->streak++;
            y->streak_span += span;
            y->streak_first = pr.t_first;
            if (y->last_grown.n == 0)
                y->last_grown = pr;
        }
    }
    return 0;
}

/* Across restarts (design step 7): whether the runs before f, with its
 * column's parameters pc, judge it growing; then f's result says so.  0
 * or -1. */
int detect_lineage_judge(const detect_pass *x, detect_finding *f, const size_t *prior,
                         size_t n_prior, const detect_params *pc, double min_abs)
{
    detect_result *r = &f->r;
    /* a latest run that slows like a store filling up shows its shape,
     * whatever the runs before it did */
    if (n_prior < 2 || r->growing || !(r->whole.z >= 0.5) || !lacks_evidence(r->reason) ||
        r->whole.slowing)
        return 0;
    prior_tally y;
    if (tally_priors(x, f, prior, n_prior, pc, min_abs, &y) != 0)
        return -1;
    /* back-to-back runs, the latest's before it, that all rose for a day
     * in all: a daily cycle would have made one of them fall */
    bool rose_all_day = y.streak >= 2 && y.streak_span >= DETECT_DAY &&
                        y.streak_span + (r->t_last - r->t_first) >=
                            0.9 * (r->t_last - y.streak_first);
    if (rose_all_day && y.grown < y.streak) {
        y.grown = y.streak;
        y.grown_span = y.streak_span;
    }
    /* a latest run half as long as those before it cannot say "fixed" */
    bool latest_short = y.judged && r->t_last - r->t_first < 0.5 * y.spans / (double)y.judged;
    /* runs that rose for less than a day in all could be a daily cycle's
     * mornings; over a day, the cycle would have shown its fall.  A leak
     * rises in every recent run: not when the run just before fell */
    if (!latest_short || y.grown < 2 || 2 * y.grown < y.judged || y.grown_span < DETECT_DAY ||
        y.latest_fell)
        return 0;
    r->verdict = DETECT_GROWING;
    r->growing = true;
    r->reason = "growing in the runs before";
    r->runs = 1 + y.grown;
    r->prior_growing = y.grown;
    if (!(r->st.slope > 0))
        r->st = y.last_grown.st;
    return 0;
}

/* Whether the runs before f, judged with pc, swung as far as f rose: none
 * grew or held beyond a rise a load could make, one fell back from a high
 * by f's growth or more, and f's envelope ends below the highest any of
 * them reached. */
static int swung_before(const detect_pass *x, const detect_finding *f, const size_t *prior,
                        size_t n_prior, const detect_params *pc, double min_abs, bool *swung)
{
    const detect_result *r = &f->r;
    double top = -INFINITY;
    bool fell = false;
    *swung = false;
    for (size_t k = 0; k < n_prior; k++) {
        detect_result pr;
        if (judge_run(x, f, prior[k], pc, min_abs, &pr) != 0)
            return -1;
        if (!pr.judged || pr.n_env == 0)
            continue;
        /* a rise a load could make (a morning) may be the swing itself */
        if (pr.verdict != DETECT_OK && !detect_cycle_sized(&pr))
            return 0;
        double lo = pr.env[0], hi = pr.env[0];
        for (unsigned j = 1; j < pr.n_env; j++) {
            lo = pr.env[j] < lo ? pr.env[j] : lo;
            hi = pr.env[j] > hi ? pr.env[j] : hi;
        }
        top = hi > top ? hi : top;
        fell = fell || (pr.whole.fall > pc->max_fall && hi - lo >= r->st.growth);
    }
    *swung = fell && r->n_env > 0 && r->env[r->n_env - 1] <= top;
    return 0;
}

/* A growing latest run whose rise stays within the swing of its lineage
 * (design step 7): the type rose and fell back as far in the runs before,
 * with the day's load; RISING until it outgrows them.  0 or -1. */
int detect_lineage_swing(const detect_pass *x, detect_finding *f, const size_t *prior,
                         size_t n_prior, const detect_params *pc, double min_abs)
{
    detect_result *r = &f->r;
    if (n_prior == 0 || r->verdict != DETECT_GROWING || r->runs > 1 || r->untracked)
        return 0;
    bool swung;
    if (swung_before(x, f, prior, n_prior, pc, min_abs, &swung) != 0)
        return -1;
    if (swung) {
        r->verdict = DETECT_RISING;
        r->growing = false;
        r->in_swing = true;
        r->reason = "rising (within the swing of its runs before)";
    }
    return 0;
}
