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
 * the same address starts a fresh row.  Because some interpreters miss
 * destroy events (below), a class's row is named only if the class was
 * seen alive by this snapshot's walk (heap types are GC-tracked, so the walk
 * meets every living one); static types never die.
 *
 * CPython 3.13.0 to 3.13.2 send no destroy event for objects that the
 * bytecode interpreter frees with its own inlined Py_DECREF (CPython
 * gh-130382): there every type that Python code frees (ints, floats, strs
 * of arithmetic and formatting above all) shows a net count that only
 * grows.  pyagent_exact_start says so.
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
#include "pyagent_top.h"
#include "snap.h"

typedef struct pyagent_exact {
    bool on;                /* our tracer is installed */
    bool lost;              /* another tool replaced it; said once */
    pyagent_count table;    /* type -> net count (uint64, read as int64);
                               aux: EXACT_* bits of pyagent_exact.c */
} pyagent_exact;

/* True if this interpreter has the reference tracer (3.13+, GIL build). */
bool pyagent_exact_available(void);

/* Install the tracer.  0, or -1 with err set ("needs Python 3.13", "the
 * reference tracer is held by another tool (tracemalloc?)"); e is then
 * off and needs no stop.  On success *caveat is a warning to give the user
 * (this interpreter misses destroy events), or NULL. */
int pyagent_exact_start(pyagent_exact *e, const char **caveat, la_error *err);

/* Remove the tracer if it is still ours and free the table; e may be off. */
void pyagent_exact_stop(pyagent_exact *e);

/* Append an EXACT record per living type with a nonzero net count; a class
 * counts as living if live_types (filled by this snapshot's walk, see
 * pyagent_detail_opts) has it.  If the tracer was taken by another tool
 * since, exact mode ends: the first call that sees it returns -1 with err
 * set, later ones add nothing.  0 when off. */
int pyagent_exact_add(pyagent_exact *e, snapshot *snap, const pyagent_ptrmap *live_types,
                      la_error *err);

#endif
