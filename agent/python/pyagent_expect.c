/* pyagent_expect: the pending checks of expect_gone, their three ways of
 * watching an object (weak reference, dict watcher, self-owned holder), the
 * thread's decisions and the per-label counts.  See pyagent_expect.h. */
#include "pyagent_expect.h"

#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "la_clock.h"
#include "pyagent_chain.h"
#include "pyagent_source.h"
#include "pyagent_walk.h"


typedef enum { CHECK_WEAK, CHECK_WATCH, CHECK_HOLD } check_kind;

struct pyagent_expect_watch {
    PyObject *dict;         /* the address only: never dereferenced once dead */
    size_t users;           /* checks that point here */
    bool dead;              /* the watcher saw it deallocated */
};

struct pyagent_expect_check {
    int64_t due_ns;
    check_kind kind;
    PyObject *ref;          /* WEAK: the weakref (owned); HOLD: the holder (it owns itself) */
    pyagent_expect_watch *watch;    /* WATCH */
    size_t label;           /* index in labels */
};

static int64_t mono_ns(void)
{
    return la_real_clock.mono_ns(NULL);
}

/* ---- the holder -------------------------------------------------------- */

/* A GC object that owns itself (self) and the watched object (obj), and
 * that nothing else owns: to the collector it is always garbage, so its
 * reference to obj never roots obj.  Its tp_clear keeps the self reference
 * (so the table's borrowed pointer stays valid: the collector moves a
 * holder its clear left alive to an older generation) and drops obj only
 * when the holder's is obj's last reference.  Only
 * holder_release() ends it. */
typedef struct holder {
    PyObject_HEAD
    PyObject *self;
    PyObject *obj;
} holder;

static int holder_traverse(PyObject *op, visitproc visit, void *arg)
{
    holder *h = (holder *)op;
    Py_VISIT(h->self);
    Py_VISIT(h->obj);
    return 0;
}

static int holder_clear(PyObject *op)
{
    holder *h = (holder *)op;
    if (h->obj != NULL && Py_REFCNT(h->obj) == 1)
        Py_CLEAR(h->obj);
    return 0;
}

static void holder_dealloc(PyObject *op)
{
    holder *h = (holder *)op;
    PyObject_GC_UnTrack(op);
    Py_CLEAR(h->obj);
    PyObject_GC_Del(op);
}

static PyTypeObject holder_type = {
    PyVarObject_HEAD_INIT(NULL, 0)
    .tp_name = "leakagent._expect_holder",
    .tp_basicsize = sizeof(holder),
    .tp_flags = Py_TPFLAGS_DEFAULT | Py_TPFLAGS_HAVE_GC,
    .tp_doc = "What leakagent.expect_gone() holds a non-weak-referenceable object by.",
    .tp_traverse = holder_traverse,
    .tp_clear = holder_clear,
    .tp_dealloc = holder_dealloc,
};

int pyagent_expect_ready(void)
{
    return PyType_Ready(&holder_type);
}

bool pyagent_expect_is_holder(PyObject *obj)
{
    return Py_IS_TYPE(obj, &holder_type);
}

/* A new holder of obj, owned by itself; borrowed pointer, or NULL with an
 * exception set. */
static PyObject *holder_new(PyObject *obj)
{
    holder *h = PyObject_GC_New(holder, &holder_type);
    if (h == NULL)
        return NULL;
    h->self = (PyObject *)h;    /* the one reference PyObject_GC_New gave */
    h->obj = Py_NewRef(obj);
    PyObject_GC_Track(h);
    return (PyObject *)h;
}

/* End a holder: drop obj (which may run the host's code), then the self
 * reference, which frees it. */
static void holder_release(PyObject *op)
{
    holder *h = (holder *)op;
    PyObject *obj = h->obj, *self = h->self;
    h->obj = NULL;
    h->self = NULL;     /* rooted by `self` below until the end */
    Py_XDECREF(obj);
    Py_XDECREF(self);
}

/* ---- the dict watcher (3.12+) ------------------------------------------ */

#if PY_VERSION_HEX >= 0x030C0000
#define HAVE_DICT_WATCHER 1
/* The table whose watcher is installed (the callback has no user data);
 * GIL. */
static pyagent_expect *watch_owner;

/* Any event of a watched dict, on whatever thread has the GIL: only its
 * deallocation matters, and it only marks the record (no Python code). */
static int on_dict_event(PyDict_WatchEvent event, PyObject *dict, PyObject *key,
                         PyObject *new_value)
{
    (void)key;
    (void)new_value;
    if (event != PyDict_EVENT_DEALLOCATED || watch_owner == NULL)
        return 0;
    pyagent_expect_watch *w = (pyagent_expect_watch *)pyagent_ptrmap_get(&watch_owner->watched,
                                                                          dict);
    if (w != NULL) {
        w->dead = true;
        /* A dict made later at this address is another dict. */
        pyagent_ptrmap_forget(&watch_owner->watched, dict);
    }
    return 0;
}

/* Watch dict for ex; the record, or NULL (no exception) when it cannot be
 * watched (no watcher slot left, out of memory): the caller holds it. */
static pyagent_expect_watch *watch_dict(pyagent_expect *ex, PyObject *dict)
{
    if (ex->watcher_id < 0) {
        if (watch_owner != NULL && watch_owner != ex)
            return NULL;
        int id = PyDict_AddWatcher(on_dict_event);
        if (id < 0) {
            PyErr_Clear();      /* all eight slots taken by other tools */
            return NULL;
        }
        ex->watcher_id = id;
        watch_owner = ex;
    }
    pyagent_expect_watch *w = (pyagent_expect_watch *)pyagent_ptrmap_get(&ex->watched, dict);
    if (w == NULL) {
        if ((w = calloc(1, sizeof *w)) == NULL)
            return NULL;
        w->dict = dict;
        if (pyagent_ptrmap_put(&ex->watched, dict, w) != 0) {
            free(w);
            return NULL;
        }
        if (PyDict_Watch(ex->watcher_id, dict) != 0) {
            PyErr_Clear();
            pyagent_ptrmap_forget(&ex->watched, dict);
            free(w);
            return NULL;
        }
        ex->n_watches++;
    }
    w->users++;
    return w;
}
#else
#define HAVE_DICT_WATCHER 0
#endif

/* One check no longer points at w: the last one unwatches a live dict and
 * frees the record.  GIL held. */
static void watch_unref(pyagent_expect *ex, pyagent_expect_watch *w)
{
    if (--w->users > 0)
        return;
#if HAVE_DICT_WATCHER
    if (!w->dead) {
        if (PyDict_Unwatch(ex->watcher_id, w->dict) != 0)
            PyErr_Clear();
        pyagent_ptrmap_forget(&ex->watched, w->dict);
    }
#endif
    free(w);
    if (--ex->n_watches == 0)
        pyagent_ptrmap_free(&ex->watched);  /* the addresses of dead dicts go too */
}

/* ---- labels ------------------------------------------------------------ */

void pyagent_expect_init(pyagent_expect *ex)
{
    memset(ex, 0, sizeof *ex);
    ex->watcher_id = -1;
}

/* The index of label `name`, created if new (past the cap: the OTHER
 * label's).  -1 when out of memory. */
static long label_index(pyagent_expect *ex, const char *name)
{
    for (size_t i = 0; i < ex->n_labels; i++)
        if (strcmp(ex->labels[i].name, name) == 0)
            return (long)i;
    if (ex->n_labels >= PYAGENT_EXPECT_MAX_LABELS && strcmp(name, PYAGENT_EXPECT_OTHER) != 0)
        return label_index(ex, PYAGENT_EXPECT_OTHER);
    if (ex->n_labels == ex->cap_labels) {
        size_t cap = ex->cap_labels ? ex->cap_labels * 2 : 8;
        pyagent_expect_label *bigger = realloc(ex->labels, cap * sizeof *bigger);
        if (bigger == NULL)
            return -1;
        ex->labels = bigger;
        ex->cap_labels = cap;
    }
    char *copy = strdup(name);
    if (copy == NULL)
        return -1;
    ex->labels[ex->n_labels] = (pyagent_expect_label){.name = copy};
    return (long)ex->n_labels++;
}

/* The label index for obj's type name, as count lines spell it.  -1 when
 * out of memory. */
static long type_label(pyagent_expect *ex, PyObject *obj)
{
    snapshot scratch;
    snap_init(&scratch);
    long i = -1;
    if (pyagent_walk_add_record(&scratch, Py_TYPE(obj), SNAP_REC_GONE, 0) == 0)
        i = label_index(ex, snap_rec_name(&scratch, &scratch.recs[0]));
    snap_free(&scratch);
    return i;
}

/* ---- registering ------------------------------------------------------- */

/* How to watch obj: fill c's kind and ref/watch.  0, or -1 with an
 * exception set. */
static int watch_object(pyagent_expect *ex, PyObject *obj, pyagent_expect_check *c)
{
    PyObject *ref = PyWeakref_NewRef(obj, NULL);
    if (ref != NULL) {
        c->kind = CHECK_WEAK;
        c->ref = ref;
        return 0;
    }
    if (!PyErr_ExceptionMatches(PyExc_TypeError))
        return -1;
    PyErr_Clear();      /* "cannot create weak reference to 'list' object" */
#if HAVE_DICT_WATCHER
    if (PyDict_CheckExact(obj) && (c->watch = watch_dict(ex, obj)) != NULL) {
        c->kind = CHECK_WATCH;
        return 0;
    }
#else
    (void)ex;
#endif
    if ((c->ref = holder_new(obj)) == NULL)
        return -1;
    c->kind = CHECK_HOLD;
    return 0;
}

int pyagent_expect_add(pyagent_expect *ex, PyObject *obj, double within_s, const char *label)
{
    if (ex->n_pending >= PYAGENT_EXPECT_MAX_PENDING) {
        ex->dropped++;
        return 0;
    }
    if (ex->n_pending == ex->cap_pending) {
        size_t cap = ex->cap_pending ? ex->cap_pending * 2 : 64;
        pyagent_expect_check *bigger = realloc(ex->pending, cap * sizeof *bigger);
        if (bigger == NULL)
            goto nomem;
        ex->pending = bigger;
        ex->cap_pending = cap;
    }
    long li = label != NULL ? label_index(ex, label) : type_label(ex, obj);
    if (li < 0)
        goto nomem;
    pyagent_expect_check c = {
        .due_ns = mono_ns() + (int64_t)(within_s * 1e9),
        .label = (size_t)li,
    };
    if (watch_object(ex, obj, &c) != 0)
        return -1;
    ex->pending[ex->n_pending++] = c;
    ex->labels[li].expected++;
    ex->labels[li].pending++;
    if (ex->smp != NULL)
        smp_wake_at(ex->smp, c.due_ns);
    return 1;
nomem:
    PyErr_NoMemory();
    return -1;
}

/* ---- deciding ---------------------------------------------------------- */

/* Release what c holds (may run the host's code).  GIL held. */
static void check_release(pyagent_expect *ex, pyagent_expect_check *c)
{
    switch (c->kind) {
    case CHECK_WEAK:
        Py_CLEAR(c->ref);
        break;
    case CHECK_HOLD:
        holder_release(c->ref);
        c->ref = NULL;
        break;
    case CHECK_WATCH:
        watch_unref(ex, c->watch);
        c->watch = NULL;
        break;
    }
}

/* c's object if it is alive: a new reference; NULL (no exception) if it is
 * gone.  -1 in *failed when the weak reference could not be read. */
static PyObject *check_survivor(const pyagent_expect_check *c, bool *failed)
{
    *failed = false;
    switch (c->kind) {
    case CHECK_WEAK: {
#if PY_VERSION_HEX >= 0x030D0000
        PyObject *obj = NULL;
        if (PyWeakref_GetRef(c->ref, &obj) < 0) {
            PyErr_Clear();
            *failed = true;
        }
        return obj;
#else
        PyObject *obj = PyWeakref_GetObject(c->ref);    /* borrowed */
        if (obj == NULL) {
            PyErr_Clear();
            *failed = true;
            return NULL;
        }
        return obj == Py_None ? NULL : Py_NewRef(obj);
#endif
    }
    case CHECK_HOLD: {
        PyObject *obj = ((holder *)c->ref)->obj;
        /* Ours is the last reference: the host let it go. */
        return obj != NULL && Py_REFCNT(obj) > 1 ? Py_NewRef(obj) : NULL;
    }
    case CHECK_WATCH:
        return c->watch->dead ? NULL : Py_NewRef(c->watch->dict);
    }
    return NULL;
}

/* A survivor of label li: count it, say so once per label, and ask for its
 * referrer chain.  obj is borrowed.  GIL held. */
static void expect_report_survivor(pyagent_expect *ex, size_t li, PyObject *obj)
{
    pyagent_expect_label *lab = &ex->labels[li];
    lab->survived++;
    if (!lab->warned && ex->smp != NULL) {
        char msg[LA_ERROR_MAX];
        snprintf(msg, sizeof msg,
                 "expect_gone: an object of type %.80s labelled '%.80s' is still alive after its delay; "
                 "survivors are counted in stats()['expect_gone'] and the log's #GONE "
                 "records (said once per label)",
                 Py_TYPE(obj)->tp_name, lab->name);
        smp_warn(ex->smp, msg);
    }
    lab->warned = true;
    /* Its #CHAIN record, why=gone:<label>, comes with a later snapshot;
     * the search takes its own reference to obj.  The label is one field
     * of the record: whitespace and control characters become '_', as
     * logfmt writes the label in #GONE. */
    char why[8 + 256];
    int n = snprintf(why, sizeof why, "gone:%s", lab->name);
    for (int i = 5; i < n && i < (int)sizeof why - 1; i++)
        if (isspace((unsigned char)why[i]) || iscntrl((unsigned char)why[i]))
            why[i] = '_';
    pyagent_chain_request_object(obj, why);
}

/* Decide one check taken out of the table.  GIL held; may run the host's
 * code and re-enter the table. */
static void decide(pyagent_expect *ex, pyagent_expect_check *c)
{
    bool failed;
    PyObject *alive = check_survivor(c, &failed);
    ex->labels[c->label].pending--;
    if (failed)
        ex->errors++;
    /* Released first: the chain search must not find our holder among
     * the survivor's referrers. */
    check_release(ex, c);
    if (alive != NULL)
        expect_report_survivor(ex, c->label, alive);
    else
        ex->labels[c->label].gone++;
    Py_XDECREF(alive);
}

int64_t pyagent_expect_chore(pyagent_expect *ex, int64_t now_ns)
{
    (void)now_ns;
    /* As the sampler: a thread asking for the GIL while the interpreter
     * finalizes is killed (3.11-3.13) or hangs (3.14). */
    if (pyagent_source_finalizing())
        return INT64_MAX;
    PyGILState_STATE gil = PyGILState_Ensure();
    int64_t now = mono_ns();    /* after the wait for the GIL */
    for (size_t i = 0; i < ex->n_pending;) {
        if (ex->pending[i].due_ns > now) {
            i++;
            continue;
        }
        /* Out of the table first: deciding may add checks (or drop them
         * all); index i then holds the entry that was last. */
        pyagent_expect_check c = ex->pending[i];
        ex->pending[i] = ex->pending[--ex->n_pending];
        decide(ex, &c);
    }
    int64_t next = INT64_MAX;
    for (size_t i = 0; i < ex->n_pending; i++)
        if (ex->pending[i].due_ns < next)
            next = ex->pending[i].due_ns;
    if (PyErr_Occurred())
        PyErr_Clear();
    double held_ms = (double)(mono_ns() - now) / 1e6;
    if (held_ms > ex->max_ms)
        ex->max_ms = held_ms;
    PyGILState_Release(gil);
    if (next != INT64_MAX && next < now + PYAGENT_EXPECT_TICK_NS)
        next = now + PYAGENT_EXPECT_TICK_NS;
    return next;
}

/* ---- reporting --------------------------------------------------------- */

int pyagent_expect_add_records(const pyagent_expect *ex, snapshot *snap)
{
    for (size_t i = 0; i < ex->n_labels; i++) {
        const pyagent_expect_label *lab = &ex->labels[i];
        if (snap_add_record(snap, SNAP_REC_GONE, lab->name, strlen(lab->name), NULL,
                            (int64_t)lab->survived, 0, 0) != 0)
            return -1;
    }
    return 0;
}

PyObject *pyagent_expect_stats(const pyagent_expect *ex)
{
    PyObject *out = PyDict_New();
    if (out == NULL)
        return NULL;
    for (size_t i = 0; i < ex->n_labels; i++) {
        const pyagent_expect_label *lab = &ex->labels[i];
        PyObject *one = Py_BuildValue("{s:K,s:K,s:K,s:K}",
                                      "expected", (unsigned long long)lab->expected,
                                      "gone", (unsigned long long)lab->gone,
                                      "survived", (unsigned long long)lab->survived,
                                      "pending", (unsigned long long)lab->pending);
        int rc = one ? PyDict_SetItemString(out, lab->name, one) : -1;
        Py_XDECREF(one);
        if (rc != 0) {
            Py_DECREF(out);
            return NULL;
        }
    }
    return out;
}

/* ---- ending ------------------------------------------------------------ */

void pyagent_expect_drop_pending(pyagent_expect *ex)
{
    /* One at a time, out of the table first, as the chore does: dropping
     * a reference may run code that registers again. */
    while (ex->n_pending > 0) {
        pyagent_expect_check c = ex->pending[--ex->n_pending];
        ex->labels[c.label].pending--;
        check_release(ex, &c);
    }
}

void pyagent_expect_after_fork_child(pyagent_expect *ex)
{
    pyagent_expect_drop_pending(ex);
    for (size_t i = 0; i < ex->n_labels; i++)
        free(ex->labels[i].name);
    ex->n_labels = 0;
    ex->dropped = 0;
    ex->errors = 0;
    ex->max_ms = 0;
}

void pyagent_expect_free(pyagent_expect *ex)
{
    pyagent_expect_after_fork_child(ex);
#if HAVE_DICT_WATCHER
    if (ex->watcher_id >= 0 && PyDict_ClearWatcher(ex->watcher_id) != 0)
        PyErr_Clear();
    if (watch_owner == ex)
        watch_owner = NULL;
#endif
    pyagent_ptrmap_free(&ex->watched);
    free(ex->labels);
    free(ex->pending);
    pyagent_expect_init(ex);
}
