/* pyagent_detail: sizes, untracked referents and the longest containers,
 * gathered during the walk, and the naming of those containers (see the
 * header).  GIL held throughout; nothing here runs Python code. */
#include "pyagent_detail.h"

#include <limits.h>
#include <stdio.h>
#include <string.h>

#include "pyagent_attr.h"
#include "pyagent_dictview.h"
#include "pyagent_gclist.h"
#include "pyagent_size.h"

/* Untracked referent types of a typical service: the table starts this large. */
#define REFS_HINT 256
/* Untracked tuples and dicts are looked into, to this depth of nesting (the
 * C stack is the host's). */
#define UNTRACKED_DEPTH 8
/* References of a dict read in place per call (keys and values). */
#define DICT_CHUNK 64

/* collections.deque, found without importing anything: the type object in
 * the dict of _collections if that module is loaded (borrowed, or NULL). */
static PyTypeObject *loaded_deque_type(void)
{
    PyObject *modules = PyImport_GetModuleDict();
    PyObject *mod = NULL, *deque = NULL;
    if (modules != NULL && PyDict_CheckExact(modules))
        mod = PyDict_GetItemString(modules, "_collections");
    if (mod != NULL && PyModule_Check(mod))
        deque = PyDict_GetItemString(PyModule_GetDict(mod), "deque");
    return deque != NULL && PyType_Check(deque) ? (PyTypeObject *)deque : NULL;
}

int pyagent_detail_init(pyagent_detail *d, const pyagent_detail_opts *opts, pyagent_count *types,
                        la_error *err)
{
    *d = (pyagent_detail){.opts = *opts, .types = types};
    d->sizeof_key = PyUnicode_InternFromString("__sizeof__");
    if (d->sizeof_key == NULL) {
        PyErr_Clear();
        return la_error_set(err, "out of memory for the detail tables");
    }
    if (pyagent_count_init(&d->refs, REFS_HINT) != 0 ||
        pyagent_top_init(&d->top, opts->containers) != 0) {
        pyagent_detail_free(d);
        return la_error_set(err, "out of memory for the detail tables");
    }
    d->deque_type = loaded_deque_type();
    return 0;
}

void pyagent_detail_free(pyagent_detail *d)
{
    if (d == NULL)
        return;
    pyagent_count_free(&d->refs);
    pyagent_top_free(&d->top);
    pyagent_ptrmap_free(&d->class_dicts);
    Py_CLEAR(d->sizeof_key);
}

/* A slot's aux: the size kind of its type in the low byte, and above it
 * the size all its objects have if the type alone decides it (their bytes
 * are then count * that, added up by pyagent_detail_finish), else 0. */
#define AUX_KIND(aux) ((pyagent_size_kind)((aux) & 0xff))
#define AUX_FIXED(aux) ((size_t)((unsigned)(aux) >> 8))
#define AUX_FIXED_MAX ((size_t)INT_MAX >> 8)

/* The size kind of tp, cached in its slot. */
static pyagent_size_kind kind_of(pyagent_detail *d, pyagent_count_slot *slot, PyTypeObject *tp)
{
    if (slot->aux == PYAGENT_SIZE_UNKNOWN) {
        pyagent_size_kind kind = pyagent_size_kind_of(tp, d->sizeof_key, d->deque_type);
        size_t fixed = pyagent_size_fixed(tp, kind);
        slot->aux = (int)kind | (int)(fixed <= AUX_FIXED_MAX ? fixed << 8 : 0);
    }
    return AUX_KIND(slot->aux);
}

/* Count one object of slot's type, sized unless its size is fixed. */
static inline void count_sized(pyagent_detail *d, pyagent_count_slot *slot, PyObject *op,
                               pyagent_size_kind kind)
{
    slot->count++;
    if (d->opts.sizes && AUX_FIXED(slot->aux) == 0)
        slot->bytes += pyagent_size_of(op, kind);
}

/* The bytes of the types of fixed size: count * size. */
static void add_fixed_bytes(pyagent_count *t)
{
    for (size_t i = 0; i < t->cap; i++)
        if (t->slots[i].key != NULL)
            t->slots[i].bytes += t->slots[i].count * AUX_FIXED(t->slots[i].aux);
}

static bool is_container(pyagent_size_kind kind)
{
    return kind == PYAGENT_SIZE_LIST || kind == PYAGENT_SIZE_DICT || kind == PYAGENT_SIZE_SET ||
           kind == PYAGENT_SIZE_DEQUE || kind == PYAGENT_SIZE_BYTEARRAY;
}

/* The container kind of a tracked referent, read from its type's flags and
 * identity alone (no table lookup: this runs once per reference). */
static pyagent_size_kind tracked_container_kind(const pyagent_detail *d, PyTypeObject *tp)
{
    if (tp->tp_flags & Py_TPFLAGS_LIST_SUBCLASS)
        return PYAGENT_SIZE_LIST;
    if (tp->tp_flags & Py_TPFLAGS_DICT_SUBCLASS)
        return PYAGENT_SIZE_DICT;
    if (tp == &PySet_Type || tp == &PyFrozenSet_Type)
        return PYAGENT_SIZE_SET;
    if (tp == d->deque_type && tp != NULL)
        return PYAGENT_SIZE_DEQUE;
    return PYAGENT_SIZE_UNKNOWN;
}

/* tp_traverse's visit function: called once per reference held by
 * d->holder.  Returns 0 (go on) even when a table is full: the failure is
 * in d->failed and the walk stops after this object. */
static int visit_referent(PyObject *ref, void *arg);

/* The references op holds, each given to visit_referent.  Exact lists,
 * tuples and dicts are read in place (no indirect call per item).  An exact
 * dict gives its keys too: its tp_traverse leaves out the keys of a
 * str-keyed dict, and those strs are what a dict that grows by name is
 * made of. */
static void visit_all(pyagent_detail *d, PyObject *op, PyTypeObject *tp)
{
    if (tp == &PyList_Type || tp == &PyTuple_Type) {
        PyObject **items = tp == &PyList_Type ? ((PyListObject *)op)->ob_item
                                              : ((PyTupleObject *)op)->ob_item;
        for (Py_ssize_t i = 0, n = Py_SIZE(op); i < n; i++)
            if (items[i] != NULL)
                visit_referent(items[i], d);
        return;
    }
    if (tp == &PyDict_Type) {
        PyObject *refs[DICT_CHUNK];
        Py_ssize_t pos = 0;
        size_t n;
        while ((n = pyagent_dictview_refs(op, &pos, refs, DICT_CHUNK)) > 0)
            for (size_t i = 0; i < n; i++)
                visit_referent(refs[i], d);
        return;
    }
    if (tp->tp_traverse != NULL)
        tp->tp_traverse(op, visit_referent, d);
}

static int visit_referent(PyObject *ref, void *arg)
{
    pyagent_detail *d = arg;
    PyTypeObject *tp = Py_TYPE(ref);
    if (pyagent_gclist_tracked(ref)) {
        /* Counted by the walk itself; only its holder is of interest. */
        if (d->top.cap == 0)
            return 0;
        pyagent_size_kind kind = tracked_container_kind(d, tp);
        if (kind != PYAGENT_SIZE_UNKNOWN)
            pyagent_top_note(&d->top, ref, d->holder, pyagent_size_len(ref, kind));
        return 0;
    }
    pyagent_count_slot *slot = pyagent_count_slot_of(&d->refs, tp);
    if (slot == NULL) {
        d->failed = 1;
        return 0;
    }
    pyagent_size_kind kind = kind_of(d, slot, tp);
    count_sized(d, slot, ref, kind);
    if (d->top.cap && is_container(kind)) {
        /* Untracked dicts (atomic values only) and bytearrays are met only
         * here, as referents. */
        Py_ssize_t len = pyagent_size_len(ref, kind);
        pyagent_top_offer(&d->top, ref, tp, len, true);
        pyagent_top_note(&d->top, ref, d->holder, len);
    }
    /* What an untracked tuple or dict holds is untracked too and would
     * otherwise go unseen: a dict of int -> int is the commonest. */
    if ((PyTuple_Check(ref) || PyDict_Check(ref)) && d->depth < UNTRACKED_DEPTH) {
        PyObject *holder = d->holder;
        d->depth++;
        d->holder = ref;
        visit_all(d, ref, tp);
        d->holder = holder;
        d->depth--;
    }
    return 0;
}

int pyagent_detail_object(pyagent_detail *d, PyObject *op)
{
    PyTypeObject *tp = Py_TYPE(op);
    pyagent_count_slot *slot = pyagent_count_slot_of(d->types, tp);
    if (slot == NULL) {
        d->failed = 1;
        return -1;
    }
    pyagent_size_kind kind = kind_of(d, slot, tp);
    count_sized(d, slot, op, kind);
    if (d->opts.live_types != NULL && PyType_Check(op) &&
        pyagent_ptrmap_put(d->opts.live_types, op, op) != 0)
        d->failed = 1;
    if (d->top.cap) {
        if (is_container(kind))
            pyagent_top_offer(&d->top, op, tp, pyagent_size_len(op, kind), false);
        if (PyType_Check(op) && ((PyTypeObject *)op)->tp_dict != NULL &&
            pyagent_ptrmap_put(&d->class_dicts, ((PyTypeObject *)op)->tp_dict, op) != 0)
            d->failed = 1;
    }
    if (d->opts.referents || d->top.cap) {
        d->holder = op;
        visit_all(d, op, tp);
    }
    return d->failed ? -1 : 0;
}

int pyagent_detail_finish(pyagent_detail *d)
{
    if (d->opts.sizes) {
        add_fixed_bytes(d->types);
        add_fixed_bytes(&d->refs);
    }
    return d->failed ? -1 : 0;
}

/* ---- naming ---------------------------------------------------------------- */

/* The UTF-8 of a str without allocating: ASCII data, or a UTF-8 copy the
 * str already caches.  NULL for anything else. */
static const char *text_of(PyObject *s, Py_ssize_t *len)
{
    if (s == NULL || !PyUnicode_Check(s))
        return NULL;
    PyASCIIObject *a = (PyASCIIObject *)s;
    if (a->state.compact && a->state.ascii) {
        *len = a->length;
        return (const char *)(a + 1);
    }
    PyCompactUnicodeObject *c = (PyCompactUnicodeObject *)s;
    if (c->utf8 == NULL)
        return NULL;
    *len = c->utf8_length;
    return c->utf8;
}

/* A class's short name: its __qualname__, or the last part of tp_name. */
static const char *class_name(PyTypeObject *tp, Py_ssize_t *len)
{
    if (tp->tp_flags & Py_TPFLAGS_HEAPTYPE) {
        const char *q = text_of(((PyHeapTypeObject *)tp)->ht_qualname, len);
        if (q != NULL)
            return q;
    }
    const char *dot = strrchr(tp->tp_name, '.');
    const char *name = dot ? dot + 1 : tp->tp_name;
    *len = (Py_ssize_t)strlen(name);
    return name;
}

/* "owner.key" into out, if the key of value in dict is a str we can read
 * without allocating.  True if written. */
static bool name_in_dict(PyObject *dict, PyObject *value, const char *owner, Py_ssize_t olen,
                         char *out, size_t size)
{
    if (dict == NULL || !PyDict_Check(dict))
        return false;
    PyObject *key, *v;
    Py_ssize_t pos = 0, klen;
    while (PyDict_Next(dict, &pos, &key, &v)) {
        const char *k = v == value ? text_of(key, &klen) : NULL;
        if (k != NULL) {
            snprintf(out, size, "%.*s.%.*s", (int)olen, owner, (int)klen, k);
            return true;
        }
    }
    return false;
}

/* Module globals: every module dict of sys.modules, read once, for all the
 * kept containers at a time (index: container -> its position + 1). */
static void name_globals(const pyagent_ptrmap *index, char *names, size_t size)
{
    PyObject *modules = PyImport_GetModuleDict();
    if (modules == NULL || !PyDict_Check(modules))
        return;
    PyObject *modname, *mod;
    Py_ssize_t pos = 0;
    while (PyDict_Next(modules, &pos, &modname, &mod)) {
        Py_ssize_t mlen;
        const char *m = text_of(modname, &mlen);
        PyObject *md = m != NULL && PyModule_Check(mod) ? PyModule_GetDict(mod) : NULL;
        if (md == NULL || !PyDict_Check(md))
            continue;
        uintptr_t at = (uintptr_t)pyagent_ptrmap_get(index, md);
        if (at != 0 && names[(at - 1) * size] == '-')
            snprintf(names + (at - 1) * size, size, "%.*s.__dict__", (int)mlen, m);
        PyObject *key, *value;
        Py_ssize_t gpos = 0, klen;
        while (PyDict_Next(md, &gpos, &key, &value)) {
            at = (uintptr_t)pyagent_ptrmap_get(index, value);
            if (at == 0 || names[(at - 1) * size] != '-')
                continue;
            const char *k = text_of(key, &klen);
            if (k != NULL)
                snprintf(names + (at - 1) * size, size, "%.*s.%.*s", (int)mlen, m, (int)klen, k);
        }
    }
}

/* The second walk's state: attribute dicts wanted -> their owner. */
typedef struct owner_search {
    pyagent_ptrmap wanted;      /* dict -> the dict itself */
    pyagent_ptrmap owners;      /* dict -> the instance it belongs to */
} owner_search;

static int find_owner(PyObject *op, void *arg)
{
    owner_search *s = arg;
    PyObject *dict = PyType_Check(op) ? NULL : pyagent_attr_dict(op);
    if (dict != NULL && pyagent_ptrmap_get(&s->wanted, dict) != NULL &&
        pyagent_ptrmap_get(&s->owners, dict) == NULL &&
        pyagent_ptrmap_put(&s->owners, dict, op) != 0)
        return -1;
    return 0;
}

/* "Class.key" into out, if the key is a str readable without allocating. */
static void name_key(PyTypeObject *owner, PyObject *key, char *out, size_t size)
{
    Py_ssize_t clen, klen;
    const char *c = class_name(owner, &clen);
    const char *k = text_of(key, &klen);
    if (k != NULL)
        snprintf(out, size, "%.*s.%.*s", (int)clen, c, (int)klen, k);
}

/* An attribute: the noted referrer is a class's dict, a class, an
 * instance's dict (its owner found by the second walk), or an instance
 * holding the container in its inline values. */
static void name_attribute(pyagent_detail *d, PyObject *obj, const pyagent_ptrmap *owners,
                           char *out, size_t size)
{
    PyObject *holder = (PyObject *)pyagent_top_holder(&d->top, obj);
    if (holder == NULL)
        return;
    PyTypeObject *owner = (PyTypeObject *)pyagent_ptrmap_get(&d->class_dicts, holder);
    PyObject *dict = holder;
    if (owner == NULL && PyType_Check(holder)) {
        owner = (PyTypeObject *)holder;
        dict = owner->tp_dict;
    }
    if (owner == NULL && PyDict_Check(holder)) {
        PyObject *instance = (PyObject *)pyagent_ptrmap_get(owners, holder);
        owner = instance != NULL ? Py_TYPE(instance) : NULL;
    }
    if (owner != NULL) {
        Py_ssize_t clen;
        const char *c = class_name(owner, &clen);
        name_in_dict(dict, obj, c, clen, out, size);
        return;
    }
    if (!PyDict_Check(holder)) {
        PyObject *key = pyagent_attr_inline_key(holder, obj);
        if (key != NULL)
            name_key(Py_TYPE(holder), key, out, size);
    }
}

/* The owners of the attribute dicts that hold unnamed containers, by one
 * more walk (each), if there are any such dicts. */
static void find_owners(pyagent_detail *d, const char *names, size_t size,
                        pyagent_detail_each each, void *each_arg, owner_search *s)
{
    if (each == NULL)
        return;
    for (size_t i = 0; i < d->top.n; i++) {
        const void *holder = pyagent_top_holder(&d->top, d->top.heap[i].obj);
        if (names[i * size] == '-' && holder != NULL && PyDict_Check((PyObject *)holder) &&
            pyagent_ptrmap_get(&d->class_dicts, holder) == NULL)
            pyagent_ptrmap_put(&s->wanted, holder, holder);
    }
    if (s->wanted.used > 0 && !s->wanted.failed)
        each(find_owner, s, each_arg);
}

void pyagent_detail_name_all(pyagent_detail *d, char *names, size_t size,
                             pyagent_detail_each each, void *each_arg)
{
    pyagent_top_sort(&d->top);
    pyagent_ptrmap index = {0};
    owner_search search = {{0}, {0}};
    for (size_t i = 0; i < d->top.n; i++) {
        snprintf(names + i * size, size, "-");
        pyagent_ptrmap_put(&index, d->top.heap[i].obj, (const void *)(uintptr_t)(i + 1));
    }
    if (d->top.n == 0)
        return;
    if (!index.failed)
        name_globals(&index, names, size);
    find_owners(d, names, size, each, each_arg, &search);
    for (size_t i = 0; i < d->top.n; i++)
        if (names[i * size] == '-')
            name_attribute(d, (PyObject *)d->top.heap[i].obj, &search.owners, names + i * size,
                           size);
    pyagent_ptrmap_free(&index);
    pyagent_ptrmap_free(&search.wanted);
    pyagent_ptrmap_free(&search.owners);
}
