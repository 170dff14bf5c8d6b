/* pyagent_chain: the agent's referrer chains (issue 17): which types get
 * a pass at each snapshot (chain_pick, on the snapshot's own counts), the
 * climb itself within chains.budget of GIL time (pyagent_chain_climb,
 * going on at later snapshots when it needs more), and the #CHAIN records
 * finished climbs add to the snapshot.  Also the two ways to ask for
 * chains at other times: leakagent.explain(type) and, for expect_gone, one
 * given object.
 *
 * State: one per process, for the one running agent (the agent runs in
 * the main interpreter only), guarded by the GIL.  Errors (out of memory)
 * never raise into the host: they are counted (stats()['chains']) and the
 * first is said through the sampler's warnings. */
#ifndef PYAGENT_CHAIN_H
#define PYAGENT_CHAIN_H

#define PY_SSIZE_T_CLEAN
#include <Python.h>

#include <stdbool.h>
#include <stdint.h>

#include "cfg.h"
#include "la_error.h"
#include "snap.h"

typedef struct pyagent_chain_stats {
    uint64_t passes;        /* snapshots in which a climb ran */
    uint64_t records;       /* #CHAIN records written */
    uint64_t errors;        /* climbs or records lost to errors */
    bool busy;              /* a climb is in progress */
    double pass_ms_max;     /* the longest pass's GIL time */
    double pass_ms_total;   /* GIL time of all passes */
    char last_error[128];
} pyagent_chain_stats;

/* Set up the chains of a starting agent from cfg's chains.* keys.  GIL.
 * 0, or -1 with err set (out of memory). */
int pyagent_chain_start(const cfg_config *cfg, la_error *err);

/* Drop every reference the chains hold and the state.  GIL.  No-op when
 * not started. */
void pyagent_chain_stop(void);

/* One snapshot's part, called by the source after its walk with the GIL
 * held: choose types from snap's counts, climb until the budget is spent,
 * add the records of finished climbs (and of explain() calls) to snap.
 * Returns true when an error happened that should be said (message in
 * say, once per run). */
bool pyagent_chain_tick(PyInterpreterState *interp, snapshot *snap, char *say, size_t say_size);

/* Ask for the chains of one object, for expect_gone: takes its own strong
 * reference to obj (dropped when its climb ends); `why` goes into the
 * record as is (e.g. "gone:job").  The climb starts at the next snapshot
 * and its #CHAIN record is written with the snapshot in which it finishes
 * (the next one unless chains.budget runs out first).  GIL held.  Returns
 * 0, or -1 when the agent is not running or out of memory (no exception
 * set, obj untouched). */
int pyagent_chain_request_object(PyObject *obj, const char *why);

/* leakagent.explain(type_name): the chains of that type now, climbed in
 * this thread (the GIL is released between levels), as a list of dicts
 * (see explain's docstring).  When the agent runs, the records are also
 * queued for its next snapshot with why=explain.  New reference, or NULL
 * with an exception set. */
PyObject *pyagent_chain_explain(PyInterpreterState *interp, const char *type_name);

/* In a forked child: records not yet written belong to the parent's log. */
void pyagent_chain_after_fork_child(void);

/* Counters of the running (or last) agent's chains.  GIL. */
void pyagent_chain_get_stats(pyagent_chain_stats *out);

#endif
