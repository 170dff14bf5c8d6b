/* pyagent_chain_sample: the newest instances of a type (see the header).
 * Walks the GC lists backwards through _gc_prev, whose two low bits are
 * flags (_PyGC_PREV_MASK), where the layout is known (pyagent_internal.h);
 * elsewhere PyUnstable_GC_VisitObjects walks forwards and the last n
 * matches are kept. */
#include "pyagent_chain_sample.h"

#include <string.h>

#include "pyagent_chain_label.h"
#include "pyagent_internal.h"
#include "pyagent_top.h"

#define MATCH ((const void *)1)
#define NO_MATCH ((const void *)2)

typedef struct sample_ctx {
    const char *name;
    pyagent_ptrmap seen;    /* type -> MATCH or NO_MATCH */
    PyObject **out;
    int n, found;
    int failed;
} sample_ctx;

static bool is_match(sample_ctx *c, PyObject *op)
{
    PyTypeObject *tp = Py_TYPE(op);
    const void *verdict = pyagent_ptrmap_get(&c->seen, tp);
    if (verdict == NULL) {
        char name[CHAIN_TYPE_MAX];
        pyagent_chain_type_name(tp, name, sizeof name);
        verdict = strcmp(name, c->name) == 0 ? MATCH : NO_MATCH;
        if (pyagent_ptrmap_put(&c->seen, tp, verdict) != 0)
            c->failed = 1;
    }
    return verdict == MATCH;
}

#if PYAGENT_INTERNAL_KNOWN

static PyGC_Head *list_head(PyInterpreterState *interp, int i)
{
    struct _gc_runtime_state *gcs = &interp->gc;
    return i < NUM_GENERATIONS ? &gcs->generations[i].head : &gcs->permanent_generation.head;
}

static void walk(PyInterpreterState *interp, sample_ctx *c)
{
    for (int i = 0; i <= NUM_GENERATIONS && c->found < c->n && !c->failed; i++) {
        PyGC_Head *head = list_head(interp, i);
        for (PyGC_Head *gc = (PyGC_Head *)(head->_gc_prev & _PyGC_PREV_MASK);
             gc != head && c->found < c->n && !c->failed;
             gc = (PyGC_Head *)(gc->_gc_prev & _PyGC_PREV_MASK)) {
            PyObject *op = (PyObject *)(gc + 1);
            if (is_match(c, op))
                c->out[c->found++] = op;
        }
    }
}

#else

#if PY_VERSION_HEX >= 0x030C0000
/* Keeps the last n matches: out is a ring while walking. */
static int visit_one(PyObject *op, void *arg)
{
    sample_ctx *c = arg;
    if (is_match(c, op))
        c->out[c->found++ % c->n] = op;
    return !c->failed;
}
#endif

static void walk(PyInterpreterState *interp, sample_ctx *c)
{
    (void)interp;
#if PY_VERSION_HEX >= 0x030C0000
    PyUnstable_GC_VisitObjects(visit_one, c);
    if (c->found > c->n)
        c->found = c->n;
#endif
}

#endif

int pyagent_chain_sample(PyInterpreterState *interp, const char *name, PyObject **out, int n)
{
    sample_ctx c = {.name = name, .out = out, .n = n};
    if (n <= 0)
        return 0;
    walk(interp, &c);
    pyagent_ptrmap_free(&c.seen);
    if (c.failed)
        return -1;
    for (int i = 0; i < c.found; i++)
        Py_INCREF(out[i]);
    return c.found;
}
