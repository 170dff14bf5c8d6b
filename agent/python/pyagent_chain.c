/* pyagent_chain: the agent's referrer chains at each snapshot, on demand
 * (explain) and for expect_gone (see the header).  GIL held everywhere. */
#include "pyagent_chain.h"

#include <sched.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "chain_pick.h"
#include "la_clock.h"
#include "pyagent_chain_climb.h"

/* explain() climbs in slices of this much GIL time, letting other threads
 * run between them. */
#define EXPLAIN_SLICE_MS 50
#define DEFAULT_INSTANCES 4
#define DEFAULT_DEPTH 10

/* The running agent's chains.  GIL. */
static struct {
    bool on;
    chain_pick *pick;
    pyagent_chain_run *run;
    int64_t budget_ns;
    unsigned instances, depth;
    pyagent_chain_record *pending;  /* explain()'s records for the next snapshot */
    size_t n_pending;
    pyagent_chain_stats stats;
    bool said;                      /* the first error was said */
} chains;

static int64_t now_ns(void)
{
    return la_real_clock.mono_ns(NULL);
}

int pyagent_chain_start(const cfg_config *cfg, la_error *err)
{
    pyagent_chain_stop();
    memset(&chains.stats, 0, sizeof chains.stats);
    chains.said = false;
    chains.instances = cfg->chains_instances;
    chains.depth = cfg->chains_depth;
    chains.budget_ns = (int64_t)cfg->chains_budget_ms * 1000000;
    chains.pick = cfg_chains_off(cfg) ? NULL : chain_pick_new(cfg);
    chains.run = pyagent_chain_run_new(cfg->chains_instances, cfg->chains_depth);
    if ((chains.pick == NULL && !cfg_chains_off(cfg)) || chains.run == NULL) {
        pyagent_chain_stop();
        return la_error_set(err, "out of memory for the referrer chains");
    }
    chains.on = true;
    return 0;
}

void pyagent_chain_stop(void)
{
    chain_pick_free(chains.pick);
    pyagent_chain_run_free(chains.run);
    free(chains.pending);
    chains.pick = NULL;
    chains.run = NULL;
    chains.pending = NULL;
    chains.n_pending = 0;
    chains.on = false;
}

/* Count one error; true if it is the first of the run (to be said). */
static bool count_error(const char *what, char *say, size_t say_size)
{
    chains.stats.errors++;
    snprintf(chains.stats.last_error, sizeof chains.stats.last_error, "%s", what);
    if (chains.said)
        return false;
    chains.said = true;
    snprintf(say, say_size, "referrer chains: %s (counted in stats()['chains'])", what);
    return true;
}

/* Add records to snap as #CHAIN lines.  0, or -1 when out of memory. */
static int add_records(snapshot *snap, const pyagent_chain_record *recs, size_t n)
{
    for (size_t i = 0; i < n; i++) {
        const pyagent_chain_record *r = &recs[i];
        char tail[CHAIN_WHY_MAX + CHAIN_ROOT_MAX + CHAIN_HOPS_MAX + 32];
        snprintf(tail, sizeof tail, "%s %d/%d %s%s%s", r->why, r->k, r->n, r->root,
                 r->hops[0] ? " " : "", r->hops);
        if (snap_add_record(snap, SNAP_REC_CHAIN, r->type, strlen(r->type), tail, r->k, 0, 0) != 0)
            return -1;
        chains.stats.records++;
    }
    return 0;
}

bool pyagent_chain_tick(PyInterpreterState *interp, snapshot *snap, char *say, size_t say_size)
{
    if (!chains.on)
        return false;
    bool warn = false;
    uint64_t errors_before = 0;
    const char *last = NULL;
    errors_before = pyagent_chain_run_errors(chains.run, &last);
    if (chains.pick != NULL) {
        chain_pick_choice choice[CHAIN_PICK_MAX];
        int n = chain_pick_update(chains.pick, snap, (uint64_t)(now_ns() / 1000000), choice);
        if (n < 0)
            warn |= count_error("out of memory following the counts", say, say_size);
        for (int i = 0; i < n; i++)
            if (pyagent_chain_run_add_type(chains.run, choice[i].name, choice[i].why) != 0)
                chain_pick_forget(chains.pick, choice[i].name);
    }
    if (pyagent_chain_run_busy(chains.run)) {
        int64_t t0 = now_ns();
        chains.stats.passes++;
        pyagent_chain_run_step(chains.run, interp, t0 + chains.budget_ns);
        double ms = (double)(now_ns() - t0) / 1e6;
        chains.stats.pass_ms_total += ms;
        if (ms > chains.stats.pass_ms_max)
            chains.stats.pass_ms_max = ms;
    }
    chains.stats.busy = pyagent_chain_run_busy(chains.run);
    uint64_t errors_after = pyagent_chain_run_errors(chains.run, &last);
    if (errors_after > errors_before)
        warn |= count_error(last, say, say_size);

    pyagent_chain_record *recs = NULL;
    size_t n_recs = 0;
    pyagent_chain_run_take(chains.run, &recs, &n_recs);
    if (add_records(snap, chains.pending, chains.n_pending) != 0 ||
        add_records(snap, recs, n_recs) != 0)
        warn |= count_error("out of memory writing #CHAIN records", say, say_size);
    free(recs);
    free(chains.pending);
    chains.pending = NULL;
    chains.n_pending = 0;
    return warn;
}

int pyagent_chain_request_object(PyObject *obj, const char *why)
{
    if (!chains.on || obj == NULL || why == NULL)
        return -1;
    return pyagent_chain_run_add_object(chains.run, obj, why);
}

/* ---- explain ------------------------------------------------------------------ */

/* Keep explain()'s records for the agent's next snapshot.  0 or -1. */
static int queue_records(const pyagent_chain_record *recs, size_t n)
{
    if (!chains.on || n == 0)
        return 0;
    pyagent_chain_record *p = realloc(chains.pending, (chains.n_pending + n) * sizeof *p);
    if (p == NULL)
        return -1;
    memcpy(p + chains.n_pending, recs, n * sizeof *p);
    chains.pending = p;
    chains.n_pending += n;
    return 0;
}

/* The hops field as a list of str.  New reference or NULL. */
static PyObject *hops_list(const char *hops)
{
    PyObject *list = PyList_New(0);
    for (const char *p = hops; list != NULL && *p;) {
        size_t n = strcspn(p, " ");
        PyObject *hop = PyUnicode_DecodeUTF8(p, (Py_ssize_t)n, "replace");
        if (hop == NULL || PyList_Append(list, hop) != 0)
            Py_CLEAR(list);
        Py_XDECREF(hop);
        p += n;
        p += strspn(p, " ");
    }
    return list;
}

/* One record as explain()'s dict.  New reference or NULL. */
static PyObject *record_dict(const pyagent_chain_record *r)
{
    char line[CHAIN_WHY_MAX + CHAIN_ROOT_MAX + CHAIN_HOPS_MAX + CHAIN_TYPE_MAX + 40];
    snprintf(line, sizeof line, "#CHAIN %s %s %d/%d %s%s%s", r->type, r->why, r->k, r->n, r->root,
             r->hops[0] ? " " : "", r->hops);
    PyObject *hops = hops_list(r->hops);
    if (hops == NULL)
        return NULL;
    PyObject *d = Py_BuildValue("{s:s,s:s,s:i,s:i,s:s,s:N,s:s}", "type", r->type, "why", r->why,
                                "k", r->k, "n", r->n, "root", r->root, "hops", hops, "line", line);
    return d;
}

PyObject *pyagent_chain_explain(PyInterpreterState *interp, const char *type_name)
{
    pyagent_chain_run *run = pyagent_chain_run_new(chains.on ? chains.instances : DEFAULT_INSTANCES,
                                                   chains.on ? chains.depth : DEFAULT_DEPTH);
    pyagent_chain_record *recs = NULL;
    size_t n = 0;
    PyObject *result = NULL;
    if (run == NULL || pyagent_chain_run_add_type(run, type_name, "explain") != 0) {
        PyErr_NoMemory();
        goto out;
    }
    while (pyagent_chain_run_busy(run)) {
        if (pyagent_chain_run_step(run, interp, now_ns() + EXPLAIN_SLICE_MS * 1000000LL) != 0) {
            PyErr_NoMemory();
            goto out;
        }
        if (!pyagent_chain_run_busy(run))
            break;
        /* The run holds strong references only: other threads may run. */
        Py_BEGIN_ALLOW_THREADS
        sched_yield();
        Py_END_ALLOW_THREADS
    }
    pyagent_chain_run_take(run, &recs, &n);
    if (queue_records(recs, n) != 0) {
        PyErr_NoMemory();
        goto out;
    }
    if ((result = PyList_New(0)) == NULL)
        goto out;
    for (size_t i = 0; i < n; i++) {
        PyObject *d = record_dict(&recs[i]);
        if (d == NULL || PyList_Append(result, d) != 0) {
            Py_XDECREF(d);
            Py_CLEAR(result);
            goto out;
        }
        Py_DECREF(d);
    }
out:
    free(recs);
    pyagent_chain_run_free(run);
    return result;
}

void pyagent_chain_after_fork_child(void)
{
    free(chains.pending);
    chains.pending = NULL;
    chains.n_pending = 0;
    if (chains.run != NULL) {
        pyagent_chain_record *recs = NULL;
        size_t n = 0;
        pyagent_chain_run_take(chains.run, &recs, &n);
        free(recs);
    }
}

void pyagent_chain_get_stats(pyagent_chain_stats *out)
{
    *out = chains.stats;
}
