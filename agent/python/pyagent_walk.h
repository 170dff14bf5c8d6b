/* pyagent_walk: one count of every GC-tracked object by type, into a snapshot.
 *
 * Picks how to reach the objects (the read-only GC list walk where the layout
 * is known, else PyUnstable_GC_VisitObjects on 3.12+, else gc.get_objects()),
 * counts them into a pointer-keyed pyagent_count table, then resolves each
 * distinct type's name once and copies it into the snapshot (snap_add), so
 * that no type pointer outlives the call.
 *
 * Names (DESIGN.md): static types use tp_name, which is module-qualified for
 * extension types and bare for builtins; heap types use
 * __module__ + "." + __qualname__, with "builtins." dropped.  This equals
 * objgraph.typestats(shortnames=False) minus the "builtins." prefix for
 * top-level classes.
 *
 * Threading: call with the GIL held.  The walk and the name copy run no
 * Python code (the gc.get_objects() fallback excepted, which only builds its
 * list), so the GIL is not released inside. */
#ifndef PYAGENT_WALK_H
#define PYAGENT_WALK_H

#define PY_SSIZE_T_CLEAN
#include <Python.h>

#include <stdint.h>

#include "la_error.h"
#include "pyagent_detail.h"
#include "snap.h"

typedef enum pyagent_walk_mode {
    PYAGENT_WALK_AUTO = 0,      /* the best this interpreter allows */
    PYAGENT_WALK_GCLIST,        /* read-only walk of the GC lists */
    PYAGENT_WALK_VISIT,         /* PyUnstable_GC_VisitObjects (3.12+) */
    PYAGENT_WALK_GET_OBJECTS,   /* gc.get_objects() */
} pyagent_walk_mode;

/* Results of pyagent_walk. */
enum { PYAGENT_WALK_OK = 0, PYAGENT_WALK_BUSY = 1, PYAGENT_WALK_ERROR = -1 };

/* The mode AUTO stands for in this build; never AUTO itself. */
pyagent_walk_mode pyagent_walk_resolve(pyagent_walk_mode mode);

/* "gclist", "visit", "get_objects" (AUTO resolved first). */
const char *pyagent_walk_mode_name(pyagent_walk_mode mode);

/* Parse a mode name ("auto" too).  0, or -1 if unknown or not available in
 * this build (the message in err lists the available ones). */
int pyagent_walk_mode_parse(const char *name, pyagent_walk_mode *out, la_error *err);

/* Add one (name, count) entry per type to snap and set *n_objects to the
 * number of objects seen; with opts (NULL: counts only), also the detail
 * records it asks for (pyagent_detail.h): #BYTES per type, #REFS per
 * untracked referent type, #LEN for the longest containers.  interp is the
 * interpreter whose GIL is held.  Returns PYAGENT_WALK_OK;
 * PYAGENT_WALK_BUSY if a collection is running (snap untouched);
 * PYAGENT_WALK_ERROR with err set (no Python exception left set). */
int pyagent_walk(PyInterpreterState *interp, pyagent_walk_mode mode,
                 const pyagent_detail_opts *opts, snapshot *snap, uint64_t *n_objects,
                 la_error *err);

/* Append a detail record of `kind` (not LEN) for type tp, named as count
 * lines name it, with figure a.  GIL held.  0, or -1 when out of memory. */
int pyagent_walk_add_record(snapshot *snap, PyTypeObject *tp, snap_rec_kind kind, int64_t a);

/* Set err from the pending Python exception (cleared): "what: Type: text". */
void pyagent_walk_error_from_python(la_error *err, const char *what);

#endif
