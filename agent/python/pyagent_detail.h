/* pyagent_detail: what the growth is made of, gathered during the GC walk.
 *
 * For each tracked object the walk hands over (pyagent_detail_object):
 *   - its shallow size is added to its type's bytes (pyagent_size);
 *   - its referents are visited with tp_traverse and a C visit function
 *     (an exact dict's with PyDict_Next, whose keys tp_traverse leaves out
 *     when they are str): each referent the collector does not track (str,
 *     int, float, bytes, untracked tuples and dicts, ...) is counted by
 *     type, once per reference (a str held by two lists counts twice), with
 *     its size, and what an untracked tuple or dict holds is counted too
 *     (to a nesting depth of 8);
 *   - containers (list, dict, set, frozenset, collections.deque, bytearray,
 *     and the dicts of classes and instances, tracked or not) are offered to
 *     a heap of the N longest, and who refers to a long one is noted.
 * After the walk, pyagent_detail_name() finds each kept container's holder:
 * `module.NAME` for a module global (the module dicts of sys.modules, read
 * with PyDict_Next), `Class.attr` when the noted referrer is a class, the
 * attribute dict of a class or of an instance, or an instance holding it in
 * its inline values (pyagent_attr), else "-".
 *
 * Read-only: no reference count is touched, nothing is allocated in the
 * interpreter, no Python code runs (no __sizeof__, no attribute lookup that
 * could run a descriptor: dicts are read with PyDict_Next and exact-str
 * lookups only).  Tables are plain malloc.
 *
 * Threading: GIL held from init to free; the pointers kept are valid only
 * while it is held, so names are copied out before it is released. */
#ifndef PYAGENT_DETAIL_H
#define PYAGENT_DETAIL_H

#define PY_SSIZE_T_CLEAN
#include <Python.h>

#include <stdbool.h>

#include "la_error.h"
#include "pyagent_count.h"
#include "pyagent_top.h"

typedef struct pyagent_detail_opts {
    bool referents;         /* sample.referents: count untracked referents */
    bool sizes;             /* sample.sizes: bytes per type */
    unsigned containers;    /* sample.containers: N longest; 0 = off */
    pyagent_ptrmap *live_types; /* if not NULL: every type object walked is
                                   put here (key = value), for exact mode */
} pyagent_detail_opts;

/* True if opts asks for anything beyond counts. */
static inline bool pyagent_detail_wanted(const pyagent_detail_opts *opts)
{
    return opts->referents || opts->sizes || opts->containers > 0 || opts->live_types != NULL;
}

typedef struct pyagent_detail {
    pyagent_detail_opts opts;
    pyagent_count *types;       /* the walk's table: count, bytes, aux = size kind */
    pyagent_count refs;         /* untracked referents: count = references, bytes */
    pyagent_top top;
    pyagent_ptrmap class_dicts; /* a class's tp_dict -> the class */
    PyObject *sizeof_key;       /* "__sizeof__", interned */
    PyObject *holder;           /* the object whose referents are visited */
    PyTypeObject *deque_type;   /* collections.deque if loaded, else NULL */
    int depth;                  /* nesting of untracked containers visited */
    int failed;                 /* out of memory: results incomplete */
} pyagent_detail;

/* Prepare for one walk counting into `types` (the walk's table).  0, or -1
 * with err set (nothing to free then). */
int pyagent_detail_init(pyagent_detail *d, const pyagent_detail_opts *opts, pyagent_count *types,
                        la_error *err);
void pyagent_detail_free(pyagent_detail *d);

/* One tracked object: count it, size it, visit its referents.  Returns 0;
 * -1 once a table could not grow (d->failed set: stop the walk). */
int pyagent_detail_object(pyagent_detail *d, PyObject *op);

/* After the last pyagent_detail_object: the bytes of the types whose
 * objects all have one size (counted, not sized, during the walk).
 * Returns 0; -1 if d->failed.  Call once. */
int pyagent_detail_finish(pyagent_detail *d);

/* A second walk over the tracked objects, calling fn(op, fn_arg) for each
 * (nonzero stops it): how the naming step finds the instance that owns an
 * attribute dict.  Returns 0, or -1 if it could not walk. */
typedef int (*pyagent_detail_each)(int (*fn)(PyObject *op, void *fn_arg), void *fn_arg,
                                   void *each_arg);

/* Sort the kept containers (longest first) and write the holder of the
 * i-th into names + i * size: "module.NAME", "Class.attr" or "-" (names
 * longer than size are cut).  names has room for d->top.n of them.  each
 * (may be NULL) walks the objects again, only when a container's noted
 * holder is a dict that is neither a module's nor a class's: the instance
 * whose __dict__ it is then names it.  Call once, after the walk. */
void pyagent_detail_name_all(pyagent_detail *d, char *names, size_t size,
                             pyagent_detail_each each, void *each_arg);

#endif
