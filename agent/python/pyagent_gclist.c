/* pyagent_gclist: walk the GC's generation lists in place (see the header).
 *
 * Layout, from the internal headers each interpreter ships
 * (include/pythonX.Y/internal/pycore_gc.h, pycore_interp.h):
 *   3.11, 3.12, 3.13 (default build): interp->gc is struct _gc_runtime_state
 *     with generations[NUM_GENERATIONS] and permanent_generation, each a
 *     struct gc_generation whose `head` is the sentinel of a circular list;
 *     PyGC_Head {uintptr_t _gc_next, _gc_prev} sits right before the object
 *     (object = (PyObject *)(gc + 1)).  _gc_next is a plain pointer except
 *     while a collection runs (it then carries NEXT_MASK_UNREACHABLE on the
 *     collector's private list), hence the `collecting` check.
 *   3.13 free-threaded (Py_GIL_DISABLED) and 3.14+ (incremental GC: young,
 *     old[2], visited-space bits) are not walked here: the caller falls back
 *     to PyUnstable_GC_VisitObjects.
 * The internal headers come through pyagent_internal.h. */
#include "pyagent_gclist.h"

#include "pyagent_internal.h"

#if PYAGENT_INTERNAL_KNOWN

bool pyagent_gclist_supported(void)
{
    return true;
}

bool pyagent_gclist_collecting(PyInterpreterState *interp)
{
    return interp->gc.collecting != 0;
}

/* Count one circular list.  Reads _gc_next and ob_type, nothing else. */
static int count_list(PyGC_Head *head, pyagent_count *t, uint64_t *n_objects)
{
    uint64_t n = 0;
    for (PyGC_Head *gc = (PyGC_Head *)head->_gc_next; gc != head;
         gc = (PyGC_Head *)gc->_gc_next) {
        PyObject *op = (PyObject *)(gc + 1);
        if (pyagent_count_add(t, Py_TYPE(op)) != 0)
            return -1;
        n++;
    }
    *n_objects += n;
    return 0;
}

int pyagent_gclist_count(PyInterpreterState *interp, pyagent_count *t, uint64_t *n_objects)
{
    struct _gc_runtime_state *gcs = &interp->gc;
    for (int i = 0; i < NUM_GENERATIONS; i++)
        if (count_list(&gcs->generations[i].head, t, n_objects) != 0)
            return -1;
    return count_list(&gcs->permanent_generation.head, t, n_objects);
}

/* pyagent_gclist_each for one list. */
static int each_in_list(PyGC_Head *head, int (*fn)(PyObject *, void *), void *arg,
                        uint64_t *n_objects)
{
    for (PyGC_Head *gc = (PyGC_Head *)head->_gc_next; gc != head;
         gc = (PyGC_Head *)gc->_gc_next) {
        ++*n_objects;
        if (fn((PyObject *)(gc + 1), arg) != 0)
            return -1;
    }
    return 0;
}

int pyagent_gclist_each(PyInterpreterState *interp, int (*fn)(PyObject *op, void *arg), void *arg,
                        uint64_t *n_objects)
{
    struct _gc_runtime_state *gcs = &interp->gc;
    for (int i = 0; i < NUM_GENERATIONS; i++)
        if (each_in_list(&gcs->generations[i].head, fn, arg, n_objects) != 0)
            return -1;
    return each_in_list(&gcs->permanent_generation.head, fn, arg, n_objects);
}

#else /* layout unknown: callers use the fallbacks */

bool pyagent_gclist_supported(void)
{
    return false;
}

bool pyagent_gclist_collecting(PyInterpreterState *interp)
{
    (void)interp;
    return false;
}

int pyagent_gclist_count(PyInterpreterState *interp, pyagent_count *t, uint64_t *n_objects)
{
    (void)interp, (void)t, (void)n_objects;
    return -1;
}

int pyagent_gclist_each(PyInterpreterState *interp, int (*fn)(PyObject *op, void *arg), void *arg,
                        uint64_t *n_objects)
{
    (void)interp, (void)fn, (void)arg, (void)n_objects;
    return -1;
}

#endif
