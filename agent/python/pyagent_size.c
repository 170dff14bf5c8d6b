/* pyagent_size: shallow sizes from the layout (see the header).
 *
 * Each formula is the one the type's __sizeof__ (and sys.getsizeof around
 * it) uses in CPython 3.11-3.13, written against the fields it reads.  The
 * dict's keys object is private (internal/pycore_dict.h), so this file is
 * compiled against the internal headers (pyagent_internal.h) where the
 * layout is known, and so are the frames of generators and frame objects;
 * elsewhere those are sized by their basic size alone. */
#include "pyagent_size.h"

#include <stdbool.h>
#include <stddef.h>
#include <string.h>

#include "pyagent_internal.h"

/* The prefix of _collections' dequeobject that deque_sizeof reads. */
typedef struct deque_prefix {
    PyObject_VAR_HEAD
    void *leftblock;
    void *rightblock;
    Py_ssize_t leftindex;
} deque_prefix;

#define DEQUE_BLOCKLEN 64
/* A block: leftlink, BLOCKLEN item pointers, rightlink. */
#define DEQUE_BLOCK_SIZE ((DEQUE_BLOCKLEN + 2) * sizeof(void *))

/* ---- classification ---------------------------------------------------- */

/* The kind of a type that defines __sizeof__ itself; LAYOUT for a class
 * whose __sizeof__ is Python code and for C types not listed. */
static pyagent_size_kind own_kind(PyTypeObject *t, const PyTypeObject *deque_type)
{
    if (t == &PyList_Type)
        return PYAGENT_SIZE_LIST;
    if (t == &PyDict_Type)
        return PYAGENT_SIZE_DICT;
    if (t == &PySet_Type || t == &PyFrozenSet_Type)
        return PYAGENT_SIZE_SET;
    if (t == &PyByteArray_Type)
        return PYAGENT_SIZE_BYTEARRAY;
    if (t == &PyUnicode_Type)
        return PYAGENT_SIZE_STR;
    if (t == &PyLong_Type)
        return PYAGENT_SIZE_INT;
    if (t == &PyType_Type)
        return PYAGENT_SIZE_TYPE;
    if (t == &PyGen_Type || t == &PyCoro_Type || t == &PyAsyncGen_Type)
        return PYAGENT_SIZE_GEN;
    if (t == &PyFrame_Type)
        return PYAGENT_SIZE_FRAME;
    if (t == deque_type)
        return PYAGENT_SIZE_DEQUE;
    return PYAGENT_SIZE_LAYOUT;
}

/* True if t's own dict has the key (exact dict, str key: no Python code). */
static int defines(PyTypeObject *t, PyObject *key)
{
    PyObject *dict = t->tp_dict;
    if (dict == NULL || !PyDict_CheckExact(dict))
        return 0;
    PyObject *v = PyDict_GetItemWithError(dict, key);    /* borrowed */
    if (v == NULL && PyErr_Occurred())
        PyErr_Clear();
    return v != NULL;
}

pyagent_size_kind pyagent_size_kind_of(PyTypeObject *tp, PyObject *sizeof_key,
                                       const PyTypeObject *deque_type)
{
    bool unknown = false;
    for (PyTypeObject *t = tp; t != NULL && t != &PyBaseObject_Type; t = t->tp_base) {
        pyagent_size_kind k = own_kind(t, deque_type);
        if (k != PYAGENT_SIZE_LAYOUT)
            return k;
        /* A C __sizeof__ we do not know: the nearest known base's formula
         * (its extra buffers uncounted), or, if none, the basic size alone:
         * ob_size may not even be a length. */
        if (!(t->tp_flags & Py_TPFLAGS_HEAPTYPE) && defines(t, sizeof_key))
            unknown = true;
        /* A class's Python __sizeof__ is not run: its base's layout counts. */
    }
    return unknown ? PYAGENT_SIZE_BASIC : PYAGENT_SIZE_LAYOUT;
}

/* ---- formulas ------------------------------------------------------------ */

/* object.__sizeof__: basic size plus items. */
static size_t layout_size(PyObject *op)
{
    PyTypeObject *tp = Py_TYPE(op);
    size_t size = (size_t)tp->tp_basicsize;
    if (tp->tp_itemsize > 0) {
        Py_ssize_t n = Py_SIZE(op);
        size += (size_t)(n < 0 ? -n : n) * (size_t)tp->tp_itemsize;
    }
    return size;
}

#if PYAGENT_INTERNAL_KNOWN
/* dictobject.c's _PyDict_KeysSize; USABLE_FRACTION is private to it. */
static size_t keys_size(PyDictKeysObject *keys)
{
    size_t es = keys->dk_kind == DICT_KEYS_GENERAL ? sizeof(PyDictKeyEntry)
                                                   : sizeof(PyDictUnicodeEntry);
    size_t usable = ((size_t)DK_SIZE(keys) << 1) / 3;
    return sizeof(PyDictKeysObject) + ((size_t)1 << keys->dk_log2_index_bytes) + usable * es;
}
#endif

/* _PyDict_SizeOf: a split table's values, and the keys when this dict owns
 * them alone (shared keys are counted with the class, as type.__sizeof__
 * does). */
static size_t dict_size(PyObject *op)
{
    size_t size = (size_t)Py_TYPE(op)->tp_basicsize;
#if PYAGENT_INTERNAL_KNOWN
    PyDictObject *mp = (PyDictObject *)op;
    PyDictKeysObject *keys = mp->ma_keys;
    /* A split table's values, embedded in the instance (3.13) or not. */
    if (mp->ma_values != NULL)
        size += (size_t)(keys->dk_nentries + keys->dk_usable) * sizeof(PyObject *);
    if (keys->dk_refcnt == 1)
        size += keys_size(keys);
#endif
    return size;
}

#if PYAGENT_INTERNAL_KNOWN
/* The value stack and locals of a frame running code. */
static size_t frame_slots(PyCodeObject *code)
{
#if PY_VERSION_HEX >= 0x030C0000
    return (size_t)_PyFrame_NumSlotsForCodeObject(code);
#else
    return (size_t)(code->co_nlocalsplus + code->co_stacksize);
#endif
}

static PyCodeObject *frame_code(_PyInterpreterFrame *f)
{
#if PY_VERSION_HEX >= 0x030D0000
    return (PyCodeObject *)f->f_executable;
#else
    return f->f_code;
#endif
}
#endif

/* gen_sizeof (generators, coroutines, async generators share the layout):
 * the object up to its embedded frame, and the frame's slots. */
static size_t gen_size(PyObject *op)
{
#if PYAGENT_INTERNAL_KNOWN
    PyGenObject *gen = (PyGenObject *)op;
#if PY_VERSION_HEX >= 0x030C0000
    PyCodeObject *code = frame_code((_PyInterpreterFrame *)gen->gi_iframe);
#else
    PyCodeObject *code = gen->gi_code;
#endif
    return offsetof(PyGenObject, gi_iframe) + offsetof(_PyInterpreterFrame, localsplus) +
           frame_slots(code) * sizeof(PyObject *);
#else
    return (size_t)Py_TYPE(op)->tp_basicsize;
#endif
}

/* frame_sizeof: the frame object and the slots of the code it runs. */
static size_t frame_size(PyObject *op)
{
#if PYAGENT_INTERNAL_KNOWN
    PyFrameObject *f = (PyFrameObject *)op;
    return offsetof(PyFrameObject, _f_frame_data) + offsetof(_PyInterpreterFrame, localsplus) +
           frame_slots(frame_code(f->f_frame)) * sizeof(PyObject *);
#else
    return (size_t)Py_TYPE(op)->tp_basicsize;
#endif
}

/* type.__sizeof__: a heap type's struct and its instances' shared keys. */
static size_t type_size(PyObject *op)
{
    PyTypeObject *t = (PyTypeObject *)op;
    if (!(t->tp_flags & Py_TPFLAGS_HEAPTYPE))
        return sizeof(PyTypeObject);
    size_t size = sizeof(PyHeapTypeObject);
#if PYAGENT_INTERNAL_KNOWN
    PyHeapTypeObject *et = (PyHeapTypeObject *)op;
    if (et->ht_cached_keys != NULL)
        size += keys_size(et->ht_cached_keys);
#endif
    return size;
}

/* unicode_sizeof: the struct, the characters (inline or in a second block)
 * and the cached UTF-8 (and, on 3.11, wchar_t) copies it owns. */
static size_t str_size(PyObject *op)
{
    PyASCIIObject *a = (PyASCIIObject *)op;
    size_t len = (size_t)a->length;
    size_t size;
    if (a->state.compact && a->state.ascii)
        return sizeof(PyASCIIObject) + len + 1
#if PY_VERSION_HEX < 0x030C0000
               + (a->wstr && a->wstr != (wchar_t *)(a + 1) ? (len + 1) * sizeof(wchar_t) : 0)
#endif
            ;
    PyCompactUnicodeObject *c = (PyCompactUnicodeObject *)op;
    const void *data;
    if (a->state.compact) {
        size = sizeof(PyCompactUnicodeObject) + (len + 1) * a->state.kind;
        data = c + 1;
    } else {
        data = ((PyUnicodeObject *)op)->data.any;
        size = sizeof(PyUnicodeObject) + (data ? (len + 1) * a->state.kind : 0);
    }
#if PY_VERSION_HEX < 0x030C0000
    if (a->wstr && (!a->state.ready || (const void *)a->wstr != data))
        size += ((size_t)c->wstr_length + 1) * sizeof(wchar_t);
#endif
    if (c->utf8 != NULL && (const void *)c->utf8 != data)
        size += (size_t)c->utf8_length + 1;
    return size;
}

/* int.__sizeof__: the digits, at least one from 3.12 on. */
static size_t int_size(PyObject *op)
{
#if PY_VERSION_HEX >= 0x030C0000
    size_t ndigits = (size_t)(((PyLongObject *)op)->long_value.lv_tag >> 3);
    if (ndigits == 0)
        ndigits = 1;
    return offsetof(PyLongObject, long_value.ob_digit) + ndigits * sizeof(digit);
#else
    Py_ssize_t n = Py_SIZE(op);
    return offsetof(PyLongObject, ob_digit) + (size_t)(n < 0 ? -n : n) * sizeof(digit);
#endif
}

/* The header bytes sys.getsizeof adds for every object of tp that is not a
 * type object: the GC header of GC objects, and on 3.12+ the pre-header of
 * managed dicts and weakrefs. */
static size_t type_header_size(PyTypeObject *tp)
{
    size_t size = PyType_IS_GC(tp) ? sizeof(PyGC_Head) : 0;
#if PY_VERSION_HEX >= 0x030C0000
    if (tp->tp_flags & Py_TPFLAGS_PREHEADER)
        size += 2 * sizeof(PyObject *);
#endif
    return size;
}

/* What sys.getsizeof adds to __sizeof__ for op: static type objects are
 * not allocated with the headers (3.12+), and on 3.11 a type with
 * tp_is_gc (type itself) says per object whether it is a GC object. */
static size_t header_size(PyObject *op)
{
    PyTypeObject *tp = Py_TYPE(op);
#if PY_VERSION_HEX >= 0x030C0000
    if (tp == &PyType_Type && !(((PyTypeObject *)op)->tp_flags & Py_TPFLAGS_HEAPTYPE))
        return 0;
#else
    if (PyType_IS_GC(tp) && tp->tp_is_gc != NULL && !tp->tp_is_gc(op))
        return 0;
#endif
    return type_header_size(tp);
}

size_t pyagent_size_fixed(PyTypeObject *tp, pyagent_size_kind kind)
{
    if (kind == PYAGENT_SIZE_LAYOUT ? tp->tp_itemsize != 0 : kind != PYAGENT_SIZE_BASIC)
        return 0;
    if (tp->tp_is_gc != NULL || PyType_IsSubtype(tp, &PyType_Type))
        return 0;
    return (size_t)tp->tp_basicsize + type_header_size(tp);
}

size_t pyagent_size_of(PyObject *op, pyagent_size_kind kind)
{
    size_t size;
    switch (kind) {
    case PYAGENT_SIZE_LIST:
        size = (size_t)Py_TYPE(op)->tp_basicsize +
               (size_t)((PyListObject *)op)->allocated * sizeof(PyObject *);
        break;
    case PYAGENT_SIZE_DICT:
        size = dict_size(op);
        break;
    case PYAGENT_SIZE_SET: {
        PySetObject *so = (PySetObject *)op;
        size = (size_t)Py_TYPE(op)->tp_basicsize;
        if (so->table != so->smalltable)
            size += (size_t)(so->mask + 1) * sizeof(setentry);
        break;
    }
    case PYAGENT_SIZE_DEQUE: {
        deque_prefix *d = (deque_prefix *)op;
        size_t blocks = (size_t)(d->leftindex + Py_SIZE(op) + DEQUE_BLOCKLEN - 1) / DEQUE_BLOCKLEN;
        size = (size_t)Py_TYPE(op)->tp_basicsize + blocks * DEQUE_BLOCK_SIZE;
        break;
    }
    case PYAGENT_SIZE_BYTEARRAY:
        size = (size_t)Py_TYPE(op)->tp_basicsize + (size_t)((PyByteArrayObject *)op)->ob_alloc;
        break;
    case PYAGENT_SIZE_STR:
        size = str_size(op);
        break;
    case PYAGENT_SIZE_INT:
        size = int_size(op);
        break;
    case PYAGENT_SIZE_TYPE:
        size = type_size(op);
        break;
    case PYAGENT_SIZE_GEN:
        size = gen_size(op);
        break;
    case PYAGENT_SIZE_FRAME:
        size = frame_size(op);
        break;
    case PYAGENT_SIZE_BASIC:
        size = (size_t)Py_TYPE(op)->tp_basicsize;
        break;
    default:
        size = layout_size(op);
        break;
    }
    return size + header_size(op);
}

Py_ssize_t pyagent_size_len(PyObject *op, pyagent_size_kind kind)
{
    switch (kind) {
    case PYAGENT_SIZE_LIST:
    case PYAGENT_SIZE_DEQUE:
    case PYAGENT_SIZE_BYTEARRAY:
        return Py_SIZE(op);
    case PYAGENT_SIZE_DICT:
        return ((PyDictObject *)op)->ma_used;
    case PYAGENT_SIZE_SET:
        return ((PySetObject *)op)->used;
    default:
        return -1;
    }
}
