/* pyagent_chain_label: type names, edge labels and root names of referrer
 * chains, read in place (see the header).  Generators' locals come from
 * pyagent_chain_frames; dict lookups that must stay O(1) read the dict's
 * key kind from the private layout (pyagent_internal.h). */
#include "pyagent_chain_label.h"

#include <stdio.h>
#include <string.h>
#include <structmember.h>   /* PyMemberDef on 3.11 */

#include "pyagent_attr.h"
#include "pyagent_chain_frames.h"
#include "pyagent_internal.h"

/* Member types of PyMemberDef that hold an object (T_OBJECT, T_OBJECT_EX in
 * structmember.h; Py_T_OBJECT_EX on 3.12+): the slots of __slots__. */
#define MEMBER_OBJECT 6
#define MEMBER_OBJECT_EX 16

/* UTF-8 of an exact str, or NULL (no exception left). */
static const char *str_utf8(PyObject *s, Py_ssize_t *len)
{
    if (s == NULL || !PyUnicode_CheckExact(s))
        return NULL;
    const char *u = PyUnicode_AsUTF8AndSize(s, len);
    if (u == NULL)
        PyErr_Clear();
    return u;
}

PyObject *pyagent_chain_dict_get(PyObject *d, const char *key)
{
    if (d == NULL || !PyDict_Check(d))
        return NULL;
    PyObject *k, *v;
    Py_ssize_t pos = 0;
    while (PyDict_Next(d, &pos, &k, &v)) {
        Py_ssize_t len;
        const char *u = str_utf8(k, &len);
        if (u != NULL && strcmp(u, key) == 0)
            return v;
    }
    return NULL;
}

void pyagent_chain_type_name(PyTypeObject *tp, char *out, size_t size)
{
    if (!(tp->tp_flags & Py_TPFLAGS_HEAPTYPE)) {
        snprintf(out, size, "%s", tp->tp_name);
        return;
    }
    Py_ssize_t qlen = 0, mlen = 0;
    const char *qual = str_utf8(((PyHeapTypeObject *)tp)->ht_qualname, &qlen);
    const char *mod = str_utf8(pyagent_chain_dict_get(tp->tp_dict, "__module__"), &mlen);
    if (qual == NULL)
        qual = tp->tp_name;
    if (mod == NULL || mlen == 0 || strcmp(mod, "builtins") == 0)
        snprintf(out, size, "%s", qual);
    else
        snprintf(out, size, "%s.%s", mod, qual);
}

bool pyagent_chain_is_container(PyObject *op)
{
    PyTypeObject *tp = Py_TYPE(op);
    return PyDict_Check(op) || PyList_Check(op) || PyTuple_Check(op) || PyAnySet_Check(op) ||
           strcmp(tp->tp_name, "collections.deque") == 0;
}

/* A dict edge: the key under which d holds child. */
static void dict_edge(PyObject *d, PyObject *child, chain_edge *out)
{
    PyObject *k, *v;
    Py_ssize_t pos = 0;
    while (PyDict_Next(d, &pos, &k, &v)) {
        if (v != child)
            continue;
        out->kind = CHAIN_EDGE_KEY;
        Py_ssize_t len;
        const char *u = str_utf8(k, &len);
        if (u != NULL) {
            out->key_is_str = true;
            snprintf(out->text, sizeof out->text, "%.*s", (int)(len < CHAIN_KEY_MAX ? len : CHAIN_KEY_MAX), u);
        } else {
            char type[CHAIN_TYPE_MAX];
            pyagent_chain_type_name(Py_TYPE(k), type, sizeof type);
            snprintf(out->text, sizeof out->text, "<%.80s>", type);
        }
        return;
    }
}

/* The name of the __slots__ member of holder that holds child, or NULL. */
static const char *slot_name(PyObject *holder, PyObject *child)
{
    for (PyTypeObject *tp = Py_TYPE(holder); tp != NULL; tp = tp->tp_base) {
        for (PyMemberDef *m = tp->tp_members; m != NULL && m->name != NULL; m++) {
#ifdef Py_RELATIVE_OFFSET
            if (m->flags & Py_RELATIVE_OFFSET)
                continue;       /* relative to a base's end: not read here */
#endif
            if ((m->type == MEMBER_OBJECT || m->type == MEMBER_OBJECT_EX) &&
                *(PyObject **)((char *)holder + m->offset) == child)
                return m->name;
        }
    }
    return NULL;
}

/* Generators, coroutines and async generators share the layout. */
static bool is_gen(PyObject *op)
{
    return PyGen_Check(op) || PyCoro_CheckExact(op) ||
           strcmp(Py_TYPE(op)->tp_name, "async_generator") == 0;
}

/* .gi_frame.f_locals['x'] for a generator's local, .cr_frame... for a
 * coroutine's. */
static bool gen_edge(PyObject *gen, PyObject *child, chain_edge *out)
{
    const char *name = pyagent_chain_gen_local(gen, child);
    if (name == NULL)
        return false;
    const char *prefix = PyCoro_CheckExact(gen) ? "cr" : PyGen_Check(gen) ? "gi" : "ag";
    out->kind = CHAIN_EDGE_TEXT;
    snprintf(out->text, sizeof out->text, ".%s_frame.f_locals['%.*s']", prefix, CHAIN_KEY_MAX,
             name);
    return true;
}

static void attr_edge(chain_edge *out, const char *name)
{
    out->kind = CHAIN_EDGE_ATTR;
    snprintf(out->text, sizeof out->text, "%s", name);
}

/* Functions and bound methods: the field that holds child. */
static bool function_edge(PyObject *holder, PyObject *child, chain_edge *out)
{
    if (PyMethod_Check(holder)) {
        attr_edge(out, PyMethod_GET_SELF(holder) == child ? "__self__" : "__func__");
        return true;
    }
    if (!PyFunction_Check(holder))
        return false;
    static const struct { const char *name; size_t off; } fields[] = {
        {"__closure__", offsetof(PyFunctionObject, func_closure)},
        {"__defaults__", offsetof(PyFunctionObject, func_defaults)},
        {"__kwdefaults__", offsetof(PyFunctionObject, func_kwdefaults)},
        {"__globals__", offsetof(PyFunctionObject, func_globals)},
        {"__code__", offsetof(PyFunctionObject, func_code)},
        {"__module__", offsetof(PyFunctionObject, func_module)},
    };
    for (size_t i = 0; i < sizeof fields / sizeof fields[0]; i++) {
        if (*(PyObject **)((char *)holder + fields[i].off) == child) {
            attr_edge(out, fields[i].name);
            return true;
        }
    }
    return false;
}

void pyagent_chain_edge_of(PyObject *holder, PyObject *child, chain_edge *out)
{
    memset(out, 0, sizeof *out);
    out->kind = CHAIN_EDGE_REF;
    if (PyDict_Check(holder)) {
        dict_edge(holder, child, out);
        return;
    }
    if (PyList_Check(holder) || PyTuple_Check(holder) ||
        strcmp(Py_TYPE(holder)->tp_name, "collections.deque") == 0) {
        out->kind = CHAIN_EDGE_INDEX;
        return;
    }
    if (PyAnySet_Check(holder)) {
        out->kind = CHAIN_EDGE_ITEM;
        return;
    }
    if (PyCell_Check(holder)) {
        out->kind = CHAIN_EDGE_CELL;
        return;
    }
    if (function_edge(holder, child, out) || (is_gen(holder) && gen_edge(holder, child, out)))
        return;
    if (PyType_Check(holder) || PyModule_Check(holder) || PyFrame_Check(holder))
        return;
    if (pyagent_attr_dict(holder) == child) {
        out->kind = CHAIN_EDGE_DICT;
        return;
    }
    PyObject *key = pyagent_attr_inline_key(holder, child);
    Py_ssize_t len;
    const char *name = key ? str_utf8(key, &len) : slot_name(holder, child);
    if (name != NULL)
        attr_edge(out, name);
}

void pyagent_chain_edge_append(const chain_edge *e, unsigned flags, char *out, size_t size)
{
    size_t n = strlen(out);
    if (n + 1 >= size)
        return;
    char *p = out + n;
    size_t room = size - n;
    switch (e->kind) {
    case CHAIN_EDGE_ATTR:
        snprintf(p, room, ".%s", e->text);
        break;
    case CHAIN_EDGE_KEY:
        if (e->key_is_str && (flags & CHAIN_EDGE_AS_ATTR))
            snprintf(p, room, ".%s", e->text);
        else if (e->key_is_str && (flags & CHAIN_EDGE_GENERIC))
            snprintf(p, room, "[<str>]");
        else if (e->key_is_str)
            snprintf(p, room, "['%s']", e->text);
        else
            snprintf(p, room, "[%s]", e->text);
        break;
    case CHAIN_EDGE_INDEX:
        snprintf(p, room, "[<int>]");
        break;
    case CHAIN_EDGE_CELL:
        snprintf(p, room, ".<cell>");
        break;
    case CHAIN_EDGE_ITEM:
        snprintf(p, room, ".<item>");
        break;
    case CHAIN_EDGE_DICT:
        break;      /* the dict's own edge says .attr */
    case CHAIN_EDGE_TEXT:
        snprintf(p, room, "%s", e->text);
        break;
    default:
        snprintf(p, room, ".<ref>");
        break;
    }
}

/* "__name__", interned: made by pyagent_chain_label_init. */
static PyObject *name_key;

int pyagent_chain_label_init(void)
{
    if (name_key == NULL && (name_key = PyUnicode_InternFromString("__name__")) == NULL) {
        PyErr_Clear();
        return -1;
    }
    return 0;
}

/* d[key] for an exact str key, if d's keys are all str (a lookup then
 * runs no Python code); borrowed, or NULL. */
static PyObject *safe_lookup(PyObject *d, PyObject *key)
{
#if PYAGENT_INTERNAL_KNOWN
    if (!PyDict_CheckExact(d) || ((PyDictObject *)d)->ma_keys->dk_kind == DICT_KEYS_GENERAL)
        return NULL;
    PyObject *v = PyDict_GetItemWithError(d, key);
    if (v == NULL)
        PyErr_Clear();
    return v;
#else
    (void)d, (void)key;
    return NULL;
#endif
}

bool pyagent_chain_is_module_dict(PyObject *d)
{
    if (name_key == NULL || !PyDict_Check(d))
        return false;
    PyObject *name = safe_lookup(d, name_key);
    if (name == NULL || !PyUnicode_CheckExact(name))
        return false;
    PyObject *modules = PyImport_GetModuleDict();
    PyObject *m = modules ? safe_lookup(modules, name) : NULL;
    return m != NULL && PyModule_Check(m) && PyModule_GetDict(m) == d;
}

/* The key of an edge as a name: the str key, or its placeholder. */
static const char *edge_name(const chain_edge *e)
{
    if (e->kind == CHAIN_EDGE_KEY || e->kind == CHAIN_EDGE_ATTR)
        return e->text;
    return "<ref>";
}

void pyagent_chain_global_root(PyObject *md, const chain_edge *edge, char *out, size_t size)
{
    Py_ssize_t len;
    const char *mod = str_utf8(pyagent_chain_dict_get(md, "__name__"), &len);
    snprintf(out, size, "global:%s.%s", mod ? mod : "?", edge_name(edge));
}

void pyagent_chain_class_root(PyTypeObject *tp, const chain_edge *edge, char *out, size_t size)
{
    char type[CHAIN_TYPE_MAX];
    pyagent_chain_type_name(tp, type, sizeof type);
    snprintf(out, size, "class:%s.%s", type, edge_name(edge));
}
