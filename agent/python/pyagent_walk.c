/* pyagent_walk: walk strategy, the count table's lifetime, and type names.
 * See pyagent_walk.h for the contract; GIL held throughout. */
#include "pyagent_walk.h"

#include <stdlib.h>
#include <string.h>

#include "pyagent_count.h"
#include "pyagent_detail.h"
#include "pyagent_gclist.h"

/* Distinct types in a typical service: the table starts this large. */
#define TYPES_HINT 2048
/* Room for one container's holder name ("module.NAME", "Class.attr"). */
#define HOLDER_MAX 256

pyagent_walk_mode pyagent_walk_resolve(pyagent_walk_mode mode)
{
    if (mode != PYAGENT_WALK_AUTO)
        return mode;
    if (pyagent_gclist_supported())
        return PYAGENT_WALK_GCLIST;
#if PY_VERSION_HEX >= 0x030C0000
    return PYAGENT_WALK_VISIT;
#else
    return PYAGENT_WALK_GET_OBJECTS;
#endif
}

const char *pyagent_walk_mode_name(pyagent_walk_mode mode)
{
    switch (pyagent_walk_resolve(mode)) {
    case PYAGENT_WALK_GCLIST:
        return "gclist";
    case PYAGENT_WALK_VISIT:
        return "visit";
    default:
        return "get_objects";
    }
}

int pyagent_walk_mode_parse(const char *name, pyagent_walk_mode *out, la_error *err)
{
    static const struct {
        const char *name;
        pyagent_walk_mode mode;
    } modes[] = {
        {"auto", PYAGENT_WALK_AUTO},
        {"gclist", PYAGENT_WALK_GCLIST},
        {"visit", PYAGENT_WALK_VISIT},
        {"get_objects", PYAGENT_WALK_GET_OBJECTS},
    };
    for (size_t i = 0; i < sizeof modes / sizeof modes[0]; i++) {
        if (strcmp(name, modes[i].name) != 0)
            continue;
        if (modes[i].mode == PYAGENT_WALK_GCLIST && !pyagent_gclist_supported())
            return la_error_set(err, "walk 'gclist' is not available for this interpreter");
#if PY_VERSION_HEX < 0x030C0000
        if (modes[i].mode == PYAGENT_WALK_VISIT)
            return la_error_set(err, "walk 'visit' needs Python 3.12 or later");
#endif
        *out = modes[i].mode;
        return 0;
    }
    return la_error_set(err, "unknown walk '%s' (auto, gclist, visit, get_objects)", name);
}

void pyagent_walk_error_from_python(la_error *err, const char *what)
{
    PyObject *type, *value, *tb;
    PyErr_Fetch(&type, &value, &tb);
    PyErr_NormalizeException(&type, &value, &tb);
    const char *tname = type ? ((PyTypeObject *)type)->tp_name : "error";
    PyObject *text = value ? PyObject_Str(value) : NULL;
    const char *msg = text ? PyUnicode_AsUTF8(text) : NULL;
    if (msg == NULL)
        PyErr_Clear();      /* str() of the exception failed: keep the type */
    la_error_set(err, "%s: %s%s%s", what, tname, msg && *msg ? ": " : "", msg ? msg : "");
    Py_XDECREF(text);
    Py_XDECREF(type);
    Py_XDECREF(value);
    Py_XDECREF(tb);
}

/* ---- reaching the objects --------------------------------------------- */

#if PY_VERSION_HEX >= 0x030C0000
/* PyUnstable_GC_VisitObjects callback: 1 to go on, 0 to stop. */
static int visit_one(PyObject *op, void *arg)
{
    return pyagent_count_add(arg, Py_TYPE(op)) == 0;
}

/* The same with the details gathered. */
static int visit_one_detail(PyObject *op, void *arg)
{
    return pyagent_detail_object(arg, op) == 0;
}
#endif

/* pyagent_gclist_each callback. */
static int each_detail(PyObject *op, void *arg)
{
    return pyagent_detail_object(arg, op);
}

/* The last resort: gc.get_objects() increfs every object (dirtying a forked
 * worker's pages) and misses frozen ones, but works everywhere.  *keep
 * receives the list, released by the caller after the names are copied. */
static int count_get_objects(pyagent_count *t, pyagent_detail *detail, uint64_t *n_objects,
                             PyObject **keep, la_error *err)
{
    PyObject *gc = PyImport_ImportModule("gc");
    PyObject *list = gc ? PyObject_CallMethod(gc, "get_objects", NULL) : NULL;
    Py_XDECREF(gc);
    if (list == NULL || !PyList_Check(list)) {
        Py_XDECREF(list);
        if (PyErr_Occurred())
            pyagent_walk_error_from_python(err, "gc.get_objects()");
        else
            la_error_set(err, "gc.get_objects() did not return a list");
        return -1;
    }
    Py_ssize_t n = PyList_GET_SIZE(list);
    for (Py_ssize_t i = 0; i < n; i++) {
        PyObject *op = PyList_GET_ITEM(list, i);
        if ((detail ? pyagent_detail_object(detail, op) : pyagent_count_add(t, Py_TYPE(op))) != 0)
            break;
    }
    *n_objects = (uint64_t)n;
    *keep = list;
    return 0;
}

/* ---- names ------------------------------------------------------------ */

/* What one type's name is written with: a count line (kind < 0) or a
 * detail record of that kind with its figures. */
typedef struct walk_emit {
    int kind;               /* -1: count line; else a snap_rec_kind */
    int64_t a;
    uint64_t b, id;
    const char *holder;
} walk_emit;

static int emit(snapshot *snap, const char *name, size_t len, const walk_emit *e)
{
    if (e->kind < 0)
        return snap_add(snap, name, len, (uint64_t)e->a);
    return snap_add_record(snap, (snap_rec_kind)e->kind, name, len, e->holder, e->a, e->b, e->id);
}

/* emit "prefix.rest" (or "rest" if prefix is NULL) via a stack buffer, or
 * the heap for very long names. */
static int add_joined(snapshot *snap, const char *prefix, size_t plen, const char *rest,
                      size_t rlen, const walk_emit *e)
{
    if (prefix == NULL)
        return emit(snap, rest, rlen, e);
    char stack[512];
    size_t len = plen + 1 + rlen;
    char *buf = len <= sizeof stack ? stack : malloc(len);
    if (buf == NULL)
        return -1;
    memcpy(buf, prefix, plen);
    buf[plen] = '.';
    memcpy(buf + plen + 1, rest, rlen);
    int rc = emit(snap, buf, len, e);
    if (buf != stack)
        free(buf);
    return rc;
}

/* UTF-8 of a str without running Python code; NULL (no exception) if it is
 * not an exact str or cannot be encoded. */
static const char *utf8_of(PyObject *s, Py_ssize_t *len)
{
    if (s == NULL || !PyUnicode_CheckExact(s))
        return NULL;
    const char *u = PyUnicode_AsUTF8AndSize(s, len);
    if (u == NULL)
        PyErr_Clear();      /* lone surrogates: fall back to tp_name */
    return u;
}

/* Add the entry of one type.  The __module__ lookup reads the type's own
 * dict with an exact-str key, which runs no Python code, so the GIL stays
 * held and the table's pointers stay valid. */
static int add_type(snapshot *snap, PyTypeObject *tp, PyObject *module_key, const walk_emit *e)
{
    if (!(tp->tp_flags & Py_TPFLAGS_HEAPTYPE))
        return emit(snap, tp->tp_name, strlen(tp->tp_name), e);

    PyHeapTypeObject *ht = (PyHeapTypeObject *)tp;
    Py_ssize_t qlen = 0, mlen = 0;
    const char *qual = utf8_of(ht->ht_qualname, &qlen);
    if (qual == NULL) {
        qual = tp->tp_name;
        qlen = (Py_ssize_t)strlen(qual);
    }
    PyObject *module = NULL;
    if (tp->tp_dict != NULL && PyDict_CheckExact(tp->tp_dict)) {
        module = PyDict_GetItemWithError(tp->tp_dict, module_key);  /* borrowed */
        if (module == NULL)
            PyErr_Clear();
    }
    const char *mod = utf8_of(module, &mlen);
    if (mod != NULL && (mlen == 0 || strcmp(mod, "builtins") == 0))
        mod = NULL;
    return add_joined(snap, mod, (size_t)mlen, qual, (size_t)qlen, e);
}

int pyagent_walk_add_record(snapshot *snap, PyTypeObject *tp, snap_rec_kind kind, int64_t a)
{
    PyObject *module_key = PyUnicode_InternFromString("__module__");
    if (module_key == NULL) {
        PyErr_Clear();
        return -1;
    }
    walk_emit e = {.kind = (int)kind, .a = a};
    int rc = add_type(snap, tp, module_key, &e);
    Py_DECREF(module_key);
    return rc;
}

/* pyagent_detail_each over the GC lists (the naming step's second walk). */
static int each_again(int (*fn)(PyObject *, void *), void *fn_arg, void *each_arg)
{
    uint64_t n = 0;
    return pyagent_gclist_each(each_arg, fn, fn_arg, &n);
}

/* The detail records of a walk: BYTES from the type table, REFS from the
 * referents', LEN for the kept containers with their holders' names. */
static int add_details(snapshot *snap, pyagent_count *types, pyagent_detail *d, PyObject *module_key,
                       PyInterpreterState *again)
{
    for (size_t i = 0; d->opts.sizes && i < types->cap; i++) {
        const pyagent_count_slot *slot = &types->slots[i];
        walk_emit e = {.kind = SNAP_REC_BYTES, .a = (int64_t)slot->bytes};
        if (slot->key != NULL && add_type(snap, (PyTypeObject *)slot->key, module_key, &e) != 0)
            return -1;
    }
    for (size_t i = 0; d->opts.referents && i < d->refs.cap; i++) {
        const pyagent_count_slot *slot = &d->refs.slots[i];
        walk_emit e = {.kind = SNAP_REC_REFS, .a = (int64_t)slot->count, .b = slot->bytes};
        if (slot->key != NULL && add_type(snap, (PyTypeObject *)slot->key, module_key, &e) != 0)
            return -1;
    }
    if (d->top.cap == 0)
        return 0;
    char *names = malloc(d->top.cap * HOLDER_MAX);
    if (names == NULL)
        return -1;
    pyagent_detail_name_all(d, names, HOLDER_MAX, again ? each_again : NULL, again);
    int rc = 0;
    for (size_t i = 0; i < d->top.n && rc == 0; i++) {
        const pyagent_top_item *item = &d->top.heap[i];
        walk_emit e = {.kind = SNAP_REC_LEN, .a = item->len, .id = (uint64_t)(uintptr_t)item->obj,
                       .holder = names + i * HOLDER_MAX};
        rc = add_type(snap, (PyTypeObject *)item->type, module_key, &e);
    }
    free(names);
    return rc;
}

/* ---- the walk --------------------------------------------------------- */

int pyagent_walk(PyInterpreterState *interp, pyagent_walk_mode mode,
                 const pyagent_detail_opts *opts, snapshot *snap, uint64_t *n_objects,
                 la_error *err)
{
    pyagent_count table = {0};
    pyagent_detail detail_state, *detail = NULL;
    PyObject *keep = NULL;      /* gc.get_objects() list, kept while naming */
    int rc = PYAGENT_WALK_ERROR;
    *n_objects = 0;

    if (pyagent_gclist_collecting(interp))
        return PYAGENT_WALK_BUSY;
    PyObject *module_key = PyUnicode_InternFromString("__module__");
    if (module_key == NULL) {
        pyagent_walk_error_from_python(err, "walk");
        return PYAGENT_WALK_ERROR;
    }
    if (pyagent_count_init(&table, TYPES_HINT) != 0) {
        la_error_set(err, "out of memory for the type table");
        goto out;
    }
    if (opts != NULL && pyagent_detail_wanted(opts)) {
        if (pyagent_detail_init(&detail_state, opts, &table, err) != 0)
            goto out;
        detail = &detail_state;
    }

    switch (pyagent_walk_resolve(mode)) {
    case PYAGENT_WALK_GCLIST: {
        int walked = detail ? pyagent_gclist_each(interp, each_detail, detail, n_objects)
                            : pyagent_gclist_count(interp, &table, n_objects);
        if (walked != 0 && !table.failed && !(detail && detail->failed)) {
            la_error_set(err, "the GC layout of this interpreter is unknown");
            goto out;
        }
        break;
    }
    case PYAGENT_WALK_VISIT:
#if PY_VERSION_HEX >= 0x030C0000
        if (detail)
            PyUnstable_GC_VisitObjects(visit_one_detail, detail);
        else
            PyUnstable_GC_VisitObjects(visit_one, &table);
        for (size_t i = 0; i < table.cap; i++)
            *n_objects += table.slots[i].count;
        break;
#else
        la_error_set(err, "walk 'visit' needs Python 3.12 or later");
        goto out;
#endif
    default:
        if (count_get_objects(&table, detail, n_objects, &keep, err) != 0)
            goto out;
        break;
    }
    if (detail)
        pyagent_detail_finish(detail);
    if (table.failed || (detail && detail->failed)) {
        la_error_set(err, "out of memory counting objects");
        goto out;
    }

    for (size_t i = 0; i < table.cap; i++) {
        const pyagent_count_slot *slot = &table.slots[i];
        walk_emit e = {.kind = -1, .a = (int64_t)slot->count};
        if (slot->key == NULL)
            continue;
        if (add_type(snap, (PyTypeObject *)slot->key, module_key, &e) != 0) {
            la_error_set(err, "out of memory copying type names");
            goto out;
        }
    }
    /* Only the GC-list walk is cheap enough to run twice. */
    PyInterpreterState *again = pyagent_walk_resolve(mode) == PYAGENT_WALK_GCLIST ? interp : NULL;
    if (detail && add_details(snap, &table, detail, module_key, again) != 0) {
        la_error_set(err, "out of memory copying type names");
        goto out;
    }
    rc = PYAGENT_WALK_OK;
out:
    if (detail)
        pyagent_detail_free(detail);
    pyagent_count_free(&table);
    Py_XDECREF(keep);
    Py_DECREF(module_key);
    return rc;
}
