/* pyagent_exact: exact mode, every object counted by type from the
 * interpreter's reference-tracer events (PyRefTracer_SetTracer, 3.13+).
 *
 * The tracer is told of every object created and every object destroyed;
 * it keeps, per type, the number created minus the number destroyed since
 * exact mode started, in a pointer-keyed table (pyagent_count, plain
 * malloc: the tracer never calls back into Python).  So a leak that no
 * container references (a C extension's leaked reference to a fresh int)
 * shows as a growing net count.  Objects that existed before the start and
 * die afterwards lower the figure, which may then be negative: it is a net
 * count since the start, written as `#EXACT <type> <net>` records.
 *
 * Types die too: when a type object is destroyed its row is marked dead
 * and never named again (its pointer would dangle); a new type created at
 * the same address starts a fresh row.
 *
 * The tracer slot is single.  If another tool holds it (tracemalloc does on
 * 3.13 while it traces) exact mode is refused; if another tool takes it
 * later, the next snapshot notices and exact mode ends (pyagent_exact_add
 * says so once).
 *
 * Threading: everything under the GIL, which the tracer also runs under
 * (default build; the free-threaded build is refused). */
#ifndef PYAGENT_EXACT_H
#define PYAGENT_EXACT_H

#define PY_SSIZE_T_CLEAN
#include <Python.h>

#include <stdbool.h>

#include "la_error.h"
#include "pyagent_count.h"
#include "snap.h"

typedef struct pyagent_exact {
    bool on;                /* our tracer is installed */
    bool lost;              /* another tool replaced it; said once */
    pyagent_count table;    /* type -> net count (uint64, read as int64);
                               aux = 1: the type died */
} pyagent_exact;

/* True if this interpreter has the reference tracer (3.13+, GIL build). */
bool pyagent_exact_available(void);

/* Install the tracer.  0, or -1 with err set ("needs Python 3.13", "the
 * reference tracer is held by another tool (tracemalloc?)"); e is then
 * off and needs no stop. */
int pyagent_exact_start(pyagent_exact *e, la_error *err);

/* Remove the tracer if it is still ours and free the table; e may be off. */
void pyagent_exact_stop(pyagent_exact *e);

/* Append an EXACT record per living type with a nonzero net count.  If the
 * tracer was taken by another tool since, exact mode ends: the first call
 * that sees it returns -1 with err set, later ones add nothing.  0 when off. */
int pyagent_exact_add(pyagent_exact *e, snapshot *snap, la_error *err);

#endif
