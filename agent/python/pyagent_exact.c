/* pyagent_exact: the reference tracer and its per-type net counts (see the
 * header).  On interpreters without PyRefTracer every call refuses. */
#include "pyagent_exact.h"

#include "pyagent_walk.h"

#if PY_VERSION_HEX >= 0x030D0000 && !defined(Py_GIL_DISABLED)
#define PYAGENT_EXACT_KNOWN 1
#else
#define PYAGENT_EXACT_KNOWN 0
#endif

/* Distinct types created in a typical service: the table starts this large. */
#define EXACT_TYPES_HINT 2048
/* slot.aux bits. */
#define EXACT_DEAD 1        /* the type was destroyed */
#define EXACT_SEEN 2        /* EXACT_HEAP below is set */
#define EXACT_HEAP 4        /* a class (may die), not a static type */

bool pyagent_exact_available(void)
{
    return PYAGENT_EXACT_KNOWN;
}

#if PYAGENT_EXACT_KNOWN

/* A type object is born or dies: its row (if any) starts afresh or is
 * marked dead, so that no snapshot names a freed type. */
static void type_event(pyagent_exact *e, PyObject *type, bool created)
{
    pyagent_count_slot *slot = pyagent_count_find(&e->table, type);
    if (slot == NULL)
        return;
    slot->count = 0;
    slot->aux = created ? 0 : EXACT_DEAD;
}

/* The tracer: GIL held, inside the allocator or the deallocator.  Counts
 * wrap as uint64 so that a net below zero reads back as a negative int64. */
static int tracer(PyObject *op, PyRefTracerEvent event, void *data)
{
    pyagent_exact *e = data;
    if (PyType_Check(op))
        type_event(e, op, event == PyRefTracer_CREATE);
    PyTypeObject *tp = Py_TYPE(op);
    pyagent_count_slot *slot = pyagent_count_slot_of(&e->table, tp);
    if (slot == NULL)
        return 0;       /* out of memory: e->table.failed says so */
    if (!(slot->aux & EXACT_SEEN))    /* tp is alive now: its flags can be read */
        slot->aux = EXACT_SEEN | (tp->tp_flags & Py_TPFLAGS_HEAPTYPE ? EXACT_HEAP : 0);
    if (event == PyRefTracer_CREATE)
        slot->count++;
    else if (event == PyRefTracer_DESTROY)
        slot->count--;
    return 0;
}

int pyagent_exact_start(pyagent_exact *e, const char **caveat, la_error *err)
{
    *e = (pyagent_exact){0};
    *caveat = NULL;
    void *data = NULL;
    if (PyRefTracer_GetTracer(&data) != NULL)
        return la_error_set(err, "the reference tracer is held by another tool "
                                 "(tracemalloc, while it traces): exact mode is off");
    if (pyagent_count_init(&e->table, EXACT_TYPES_HINT) != 0)
        return la_error_set(err, "out of memory for the exact-mode table");
    if (PyRefTracer_SetTracer(tracer, e) != 0) {
        PyErr_Clear();
        pyagent_count_free(&e->table);
        return la_error_set(err, "cannot install the reference tracer: exact mode is off");
    }
    e->on = true;
    if (Py_Version < 0x030D03F0)
        *caveat = "sample.exact: CPython 3.13.0 to 3.13.2 do not report objects freed by the "
                  "bytecode interpreter (CPython gh-130382): net counts of the types Python "
                  "code frees will only grow; use 3.13.3 or later";
    return 0;
}

/* True while the installed tracer is ours. */
static bool still_ours(const pyagent_exact *e)
{
    void *data = NULL;
    return PyRefTracer_GetTracer(&data) == tracer && data == e;
}

void pyagent_exact_stop(pyagent_exact *e)
{
    if (e == NULL || !e->on)
        return;
    if (still_ours(e) && PyRefTracer_SetTracer(NULL, NULL) != 0)
        PyErr_Clear();
    pyagent_count_free(&e->table);
    e->on = false;
}

int pyagent_exact_add(pyagent_exact *e, snapshot *snap, const pyagent_ptrmap *live_types,
                      la_error *err)
{
    if (!e->on || e->lost)
        return 0;
    if (!still_ours(e)) {
        e->lost = true;
        return la_error_set(err, "sample.exact: another tool (tracemalloc?) took the reference "
                                 "tracer: exact mode has ended, the default mode goes on");
    }
    for (size_t i = 0; i < e->table.cap; i++) {
        const pyagent_count_slot *slot = &e->table.slots[i];
        if (slot->key == NULL || (slot->aux & EXACT_DEAD) || slot->count == 0)
            continue;
        /* A class missing from the walk may have died unreported. */
        if ((slot->aux & EXACT_HEAP) && (live_types == NULL || live_types->failed ||
                                         pyagent_ptrmap_get(live_types, slot->key) == NULL))
            continue;
        if (pyagent_walk_add_record(snap, (PyTypeObject *)slot->key, SNAP_REC_EXACT,
                                    (int64_t)slot->count) != 0)
            return la_error_set(err, "out of memory copying type names");
    }
    if (e->table.failed)
        return la_error_set(err, "sample.exact: out of memory: exact counts are incomplete");
    return 0;
}

#else /* no reference tracer */

int pyagent_exact_start(pyagent_exact *e, const char **caveat, la_error *err)
{
    *e = (pyagent_exact){0};
    *caveat = NULL;
    return la_error_set(err, "needs Python 3.13 or later (PyRefTracer_SetTracer)");
}

void pyagent_exact_stop(pyagent_exact *e)
{
    (void)e;
}

int pyagent_exact_add(pyagent_exact *e, snapshot *snap, const pyagent_ptrmap *live_types,
                      la_error *err)
{
    (void)e, (void)snap, (void)live_types, (void)err;
    return 0;
}

#endif
