/* pyagent_chain_scan: the referrer scan of one climb level (see the
 * header).  The GC lists are walked as pyagent_gclist.c does (the layout
 * comes from pyagent_internal.h); where it is unknown (3.14+,
 * free-threaded) PyUnstable_GC_VisitObjects walks them, resuming by
 * counting past the objects already done. */
#include "pyagent_chain_scan.h"

#include <stdlib.h>
#include <string.h>

#include "la_clock.h"
#include "pyagent_chain_label.h"
#include "pyagent_gclist.h"
#include "pyagent_internal.h"

/* Objects traversed between two looks at the clock. */
#define CLOCK_EVERY 256

static size_t hash_ptr(const void *p, size_t cap)
{
    uintptr_t v = (uintptr_t)p >> 4;
    v ^= v >> 17;
    v *= 0x9E3779B97F4A7C15ULL;
    return (size_t)(v >> 20) & (cap - 1);
}

int pyagent_chain_scan_find(const chain_scan *s, PyObject *obj)
{
    if (s->index_cap == 0)
        return -1;
    for (size_t i = hash_ptr(obj, s->index_cap);; i = (i + 1) & (s->index_cap - 1)) {
        uint32_t t = s->index[i];
        if (t == 0)
            return -1;
        if (s->targets[t - 1].obj == obj)
            return (int)t - 1;
    }
}

/* Rebuild the index at twice the room of the targets.  0 or -1. */
static int reindex(chain_scan *s, size_t cap)
{
    uint32_t *index = calloc(cap, sizeof *index);
    if (index == NULL)
        return -1;
    free(s->index);
    s->index = index;
    s->index_cap = cap;
    for (size_t t = 0; t < s->n_targets; t++) {
        size_t i = hash_ptr(s->targets[t].obj, cap);
        while (index[i] != 0)
            i = (i + 1) & (cap - 1);
        index[i] = (uint32_t)t + 1;
    }
    return 0;
}

int pyagent_chain_scan_add(chain_scan *s, PyObject *obj)
{
    int found = pyagent_chain_scan_find(s, obj);
    if (found >= 0)
        return found;
    if (s->n_targets == s->cap_targets) {
        size_t cap = s->cap_targets ? s->cap_targets * 2 : 64;
        chain_target *t = realloc(s->targets, cap * sizeof *t);
        if (t == NULL)
            return -1;
        s->targets = t;
        s->cap_targets = cap;
    }
    s->targets[s->n_targets] = (chain_target){.obj = obj};
    s->n_targets++;
    if (s->n_targets * 2 > s->index_cap) {
        if (reindex(s, s->index_cap ? s->index_cap * 2 : 256) != 0) {
            s->n_targets--;
            return -1;
        }
    } else {
        size_t i = hash_ptr(obj, s->index_cap);
        while (s->index[i] != 0)
            i = (i + 1) & (s->index_cap - 1);
        s->index[i] = (uint32_t)s->n_targets;
    }
    return (int)s->n_targets - 1;
}

/* tp_traverse's visit: a reference from `holder` (the arg) to r. */
typedef struct visit_ctx {
    chain_scan *s;
    PyObject *holder;
} visit_ctx;

/* A module dict holding the target, or a class holding it as its dict. */
static bool is_root(PyObject *holder, PyObject *target)
{
    if (PyType_Check(holder))
        return ((PyTypeObject *)holder)->tp_dict == target;
    return PyDict_Check(holder) && pyagent_chain_is_module_dict(holder);
}

static int visit_ref(PyObject *r, void *arg)
{
    visit_ctx *c = arg;
    int t = pyagent_chain_scan_find(c->s, r);
    if (t < 0 || r == c->holder)
        return 0;
    chain_target *tg = &c->s->targets[t];
    tg->heap_refs++;
    if (tg->root == NULL && is_root(c->holder, r)) {
        tg->root = Py_NewRef(c->holder);
        return 0;
    }
    /* One referrer of each type: a popular object's thousand referrers of
     * one kind must leave room for the one of another kind. */
    for (int i = 0; i < tg->n_cand; i++)
        if (Py_TYPE(tg->cand[i]) == Py_TYPE(c->holder))
            return 0;
    if (tg->n_cand < CHAIN_CANDIDATES)
        tg->cand[tg->n_cand++] = Py_NewRef(c->holder);
    return 0;
}

static void traverse_one(chain_scan *s, PyObject *op)
{
    traverseproc tp = Py_TYPE(op)->tp_traverse;
    visit_ctx c = {s, op};
    if (tp != NULL)
        tp(op, visit_ref, &c);
    s->objects++;
}

static int64_t now_ns(void)
{
    return la_real_clock.mono_ns(NULL);
}

#if PYAGENT_INTERNAL_KNOWN

/* The head of list i: the generations, then the permanent generation. */
static PyGC_Head *list_head(PyInterpreterState *interp, int i)
{
    struct _gc_runtime_state *gcs = &interp->gc;
    return i < NUM_GENERATIONS ? &gcs->generations[i].head : &gcs->permanent_generation.head;
}

static bool is_head(PyInterpreterState *interp, PyGC_Head *gc)
{
    for (int i = 0; i <= NUM_GENERATIONS; i++)
        if (gc == list_head(interp, i))
            return true;
    return false;
}

static int64_t collections_so_far(PyInterpreterState *interp)
{
    int64_t n = 0;
    for (int i = 0; i < NUM_GENERATIONS; i++)
        n += interp->gc.generation_stats[i].collections;
    return n;
}

/* Where to go on in list s->list: the bookmark if no collection moved it
 * (it is alive: held), else past the first s->ordinal objects. */
static PyGC_Head *resume_at(chain_scan *s, PyInterpreterState *interp, PyGC_Head *head)
{
    PyObject *mark = s->bookmark;
    s->bookmark = NULL;
    if (mark != NULL && Py_REFCNT(mark) > 1 && s->collections == collections_so_far(interp) &&
        _PyObject_GC_IS_TRACKED(mark)) {
        Py_DECREF(mark);    /* the heap still holds it: it stays where it is */
        return (PyGC_Head *)mark - 1;
    }
    /* Dropped before the walk: freeing it may run the host's code. */
    Py_XDECREF(mark);
    PyGC_Head *gc = (PyGC_Head *)head->_gc_next;
    for (uint64_t k = 0; !is_head(interp, gc) && k < s->ordinal; gc = (PyGC_Head *)gc->_gc_next)
        k++;
    return gc;
}

int pyagent_chain_scan_run(chain_scan *s, PyInterpreterState *interp, int64_t deadline_ns)
{
    if (pyagent_gclist_collecting(interp))
        return -1;
    for (; s->list <= NUM_GENERATIONS; s->list++, s->ordinal = 0) {
        PyGC_Head *head = list_head(interp, s->list);
        /* Any list's head ends the walk: gc.freeze() moves whole lists. */
        uint64_t here = 0;
        for (PyGC_Head *gc = resume_at(s, interp, head), *next; !is_head(interp, gc);
             gc = next, here++) {
            next = (PyGC_Head *)gc->_gc_next;
            if (here > 0 && here % CLOCK_EVERY == 0 && now_ns() >= deadline_ns) {
                s->bookmark = Py_NewRef((PyObject *)(gc + 1));
                s->collections = collections_so_far(interp);
                return 0;
            }
            traverse_one(s, (PyObject *)(gc + 1));
            s->ordinal++;
        }
    }
    s->done = true;
    return 1;
}

#else /* layout unknown: the interpreter's own walk, resumed by counting */

#if PY_VERSION_HEX >= 0x030C0000
typedef struct resume_ctx {
    chain_scan *s;
    uint64_t seen, here;
    int64_t deadline_ns;
    bool cut;
} resume_ctx;

static int visit_object(PyObject *op, void *arg)
{
    resume_ctx *r = arg;
    if (r->seen++ < r->s->ordinal)
        return 1;
    if (r->here > 0 && r->here % CLOCK_EVERY == 0 && now_ns() >= r->deadline_ns) {
        r->cut = true;
        return 0;
    }
    r->here++;
    traverse_one(r->s, op);
    r->s->ordinal++;
    return 1;
}
#endif

int pyagent_chain_scan_run(chain_scan *s, PyInterpreterState *interp, int64_t deadline_ns)
{
    (void)interp;
#if PY_VERSION_HEX >= 0x030C0000
    resume_ctx r = {s, 0, 0, deadline_ns, false};
    PyUnstable_GC_VisitObjects(visit_object, &r);
    if (r.cut)
        return 0;
#endif
    s->done = true;
    return 1;
}

#endif

void pyagent_chain_scan_reset(chain_scan *s)
{
    for (size_t t = 0; t < s->n_targets; t++) {
        for (int i = 0; i < s->targets[t].n_cand; i++)
            Py_CLEAR(s->targets[t].cand[i]);
        Py_CLEAR(s->targets[t].root);
    }
    Py_CLEAR(s->bookmark);
    s->n_targets = 0;
    if (s->index != NULL)
        memset(s->index, 0, s->index_cap * sizeof *s->index);
    s->list = 0;
    s->ordinal = 0;
    s->objects = 0;
    s->done = false;
}

void pyagent_chain_scan_free(chain_scan *s)
{
    pyagent_chain_scan_reset(s);
    free(s->targets);
    free(s->index);
    memset(s, 0, sizeof *s);
}
