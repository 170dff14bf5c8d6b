/* pyagent_size: an object's shallow size, the figure sys.getsizeof gives,
 * computed in C from the object's layout without calling __sizeof__.
 *
 * A type is classified once (pyagent_size_kind_of): which built-in
 * __sizeof__ it inherits (list, dict, set/frozenset, collections.deque,
 * bytearray, str, int, type, generator/coroutine, frame) or none
 * (object.__sizeof__: tp_basicsize + |ob_size| * tp_itemsize).  pyagent_size_of then reads the few fields that
 * formula needs (allocated, the dict's keys, the set's table, ...) and adds
 * what sys.getsizeof adds: the GC header, and on 3.12+ the managed
 * dict/weakref pre-header.
 *
 * Tolerance.  A class whose __sizeof__ is Python code is sized as its base
 * class would be (the layout figure; its own __sizeof__ is never run).  A C
 * type outside the list above with a __sizeof__ of its own
 * (collections.OrderedDict, ctypes' StgDict, io buffers, array.array, ...)
 * is sized by the formula of its nearest base in the list (a dict's for
 * OrderedDict and StgDict), else by tp_basicsize, plus the headers: its
 * own extra buffers are not counted.  For
 * every type of the list the figure is sys.getsizeof's, exactly.
 *
 * Threading: GIL held; reads only, allocates nothing, runs no Python code
 * (the classification reads the type's own dict with an exact-str key). */
#ifndef PYAGENT_SIZE_H
#define PYAGENT_SIZE_H

#define PY_SSIZE_T_CLEAN
#include <Python.h>

#include <stdint.h>

/* The __sizeof__ a type uses; 0 is "not classified yet" for callers' caches. */
typedef enum pyagent_size_kind {
    PYAGENT_SIZE_UNKNOWN = 0,
    PYAGENT_SIZE_LAYOUT,      /* object.__sizeof__, or one we cannot compute */
    PYAGENT_SIZE_LIST,
    PYAGENT_SIZE_DICT,
    PYAGENT_SIZE_SET,         /* set and frozenset */
    PYAGENT_SIZE_DEQUE,
    PYAGENT_SIZE_BYTEARRAY,
    PYAGENT_SIZE_STR,
    PYAGENT_SIZE_INT,
    PYAGENT_SIZE_TYPE,
    PYAGENT_SIZE_GEN,         /* generator, coroutine, async_generator */
    PYAGENT_SIZE_FRAME,
    PYAGENT_SIZE_BASIC,       /* a C __sizeof__ we do not know: tp_basicsize */
} pyagent_size_kind;

/* Which __sizeof__ objects of tp get: that of the nearest type on tp's
 * tp_base chain that defines one in its own dict.  sizeof_key is the
 * interned str "__sizeof__"; deque_type is collections.deque (a heap type
 * from 3.12 on, known only by its module), or NULL if not loaded.  Never
 * PYAGENT_SIZE_UNKNOWN. */
pyagent_size_kind pyagent_size_kind_of(PyTypeObject *tp, PyObject *sizeof_key,
                                       const PyTypeObject *deque_type);

/* sys.getsizeof(op), for an op whose type is of `kind`. */
size_t pyagent_size_of(PyObject *op, pyagent_size_kind kind);

/* The size all objects of tp (of `kind`) have, where it depends on the
 * type alone (object.__sizeof__ without items, or the basic size), so that
 * a walk may multiply counts by it; else 0. */
size_t pyagent_size_fixed(PyTypeObject *tp, pyagent_size_kind kind);

/* The length of a container of `kind` (list, dict, set, deque, bytearray),
 * as len() gives it; -1 for other kinds. */
Py_ssize_t pyagent_size_len(PyObject *op, pyagent_size_kind kind);

#endif
