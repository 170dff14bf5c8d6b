/* pyagent_gclist: the read-only walk of the cyclic GC's own object lists.
 *
 * Where this build knows the interpreter's GC layout (CPython 3.11, 3.12 and
 * 3.13 with the GIL: the generation lists and the permanent generation of
 * gc.freeze(), all doubly linked through PyGC_Head) the walk follows
 * _gc_next pointers and reads each object's type.  It touches no reference
 * count and builds no list, so the pages of a forked worker's heap stay
 * shared and nothing is allocated in the interpreter being measured.  This is
 * one of the files compiled against the interpreter's internal headers
 * (pyagent_internal.h).
 *
 * Threading: every function needs the GIL of `interp` held, and must not
 * release it while walking (the lists may change as soon as it is released). */
#ifndef PYAGENT_GCLIST_H
#define PYAGENT_GCLIST_H

#define PY_SSIZE_T_CLEAN
#include <Python.h>

#include <stdbool.h>
#include <stdint.h>

#include "pyagent_count.h"

/* True if the collector tracks op: what PyObject_GC_IsTracked says, inline
 * (the detail walk asks once per reference).  Only tuples and dicts are
 * untracked while alive in practice, so for other GC types the answer is
 * yes without reading the object's GC header.  Where the layout is
 * unknown, the exported function answers. */
static inline bool pyagent_gclist_tracked(PyObject *op)
{
    PyTypeObject *tp = Py_TYPE(op);
    if (!PyType_IS_GC(tp))
        return false;
#if PY_VERSION_HEX >= 0x030B0000 && PY_VERSION_HEX < 0x030E0000 && !defined(Py_GIL_DISABLED)
    if (!(tp->tp_flags & (Py_TPFLAGS_TUPLE_SUBCLASS | Py_TPFLAGS_DICT_SUBCLASS)))
        return tp->tp_is_gc == NULL || tp->tp_is_gc(op);
    /* PyGC_Head {_gc_next, _gc_prev} right before the object: _gc_next is
     * zero while untracked. */
    return ((const uintptr_t *)op)[-2] != 0;
#else
    return PyObject_GC_IsTracked(op);
#endif
}

/* True if this build can walk the GC lists itself. */
bool pyagent_gclist_supported(void);

/* True if a collection of interp is in progress: its objects are then on
 * the collector's private lists and a walk would miss them.  False when the
 * layout is unknown (nothing can be said). */
bool pyagent_gclist_collecting(PyInterpreterState *interp);

/* Count every object on interp's generation lists and its permanent
 * generation into t (keyed by type), and add their number to *n_objects.
 * Returns 0; -1 if the layout is unknown or t could not grow (t->failed). */
int pyagent_gclist_count(PyInterpreterState *interp, pyagent_count *t, uint64_t *n_objects);

/* Call fn(op, arg) for every object on the same lists, adding their number
 * to *n_objects; fn must not run Python code nor change the lists.  Stops
 * when fn returns nonzero.  Returns 0; -1 if the layout is unknown or fn
 * stopped the walk. */
int pyagent_gclist_each(PyInterpreterState *interp, int (*fn)(PyObject *op, void *arg), void *arg,
                        uint64_t *n_objects);

#endif
