/* pyagent_attr: instance dicts and inline values, read in place (see the
 * header).  Layout, from each version's internal/pycore_object.h:
 *   3.11  managed dict: the dict at ((PyObject **)obj)[-3], the values
 *         array at ((PyDictValues **)obj)[-4] (NULL once a dict is made);
 *   3.12  one tagged word at ((PyDictOrValues *)obj)[-3]: values if its low
 *         bit is set, else the dict;
 *   3.13  the dict at obj - 3 words; the values inline right after the
 *         object (Py_TPFLAGS_INLINE_VALUES), `valid` cleared once a dict
 *         took them over.
 * The values' i-th slot belongs to the i-th entry of the class's shared
 * keys (ht_cached_keys), whose keys are str.  pycore_object.h's accessors
 * are written out here (see pyagent_internal.h). */
#include "pyagent_attr.h"

#include <string.h>

#include "pyagent_internal.h"

#if PYAGENT_INTERNAL_KNOWN

PyObject *pyagent_attr_dict(PyObject *obj)
{
    PyTypeObject *tp = Py_TYPE(obj);
    if (tp->tp_flags & Py_TPFLAGS_MANAGED_DICT) {
        uintptr_t word = ((const uintptr_t *)obj)[-3];
#if PY_VERSION_HEX >= 0x030C0000 && PY_VERSION_HEX < 0x030D0000
        if (word & 1)       /* 3.12: tagged values, no dict */
            return NULL;
#endif
        return (PyObject *)word;
    }
    /* A negative offset counts from the end of a variable-size object:
     * rare (subclasses of int, tuple, bytes) and not worth the arithmetic. */
    if (tp->tp_dictoffset <= 0)
        return NULL;
    return *(PyObject **)((char *)obj + tp->tp_dictoffset);
}

/* obj's inline values, or NULL. */
static PyDictValues *inline_values(PyObject *obj)
{
    PyTypeObject *tp = Py_TYPE(obj);
#if PY_VERSION_HEX >= 0x030D0000
    if (!(tp->tp_flags & Py_TPFLAGS_INLINE_VALUES))
        return NULL;
    PyDictValues *values = (PyDictValues *)((char *)obj + tp->tp_basicsize);
    return values->valid ? values : NULL;
#elif PY_VERSION_HEX >= 0x030C0000
    if (!(tp->tp_flags & Py_TPFLAGS_MANAGED_DICT))
        return NULL;
    uintptr_t word = ((const uintptr_t *)obj)[-3];
    return word & 1 ? (PyDictValues *)(word + 1) : NULL;
#else
    if (!(tp->tp_flags & Py_TPFLAGS_MANAGED_DICT))
        return NULL;
    return ((PyDictValues **)obj)[-4];
#endif
}

/* obj's inline values and the class's shared keys they go with: the
 * number of slots both have (0: no inline values to read). */
static Py_ssize_t inline_entries(PyObject *obj, PyDictUnicodeEntry **entries,
                                 PyDictValues **values)
{
    PyTypeObject *tp = Py_TYPE(obj);
    if (!(tp->tp_flags & Py_TPFLAGS_HEAPTYPE))
        return 0;
    PyDictKeysObject *keys = ((PyHeapTypeObject *)tp)->ht_cached_keys;
    *values = inline_values(obj);
    if (keys == NULL || *values == NULL || keys->dk_kind == DICT_KEYS_GENERAL)
        return 0;
    Py_ssize_t n = keys->dk_nentries;
#if PY_VERSION_HEX >= 0x030D0000
    if (n > (*values)->capacity)
        n = (*values)->capacity;
#endif
    *entries = DK_UNICODE_ENTRIES(keys);
    return n;
}

PyObject *pyagent_attr_inline_key(PyObject *obj, PyObject *value)
{
    PyDictUnicodeEntry *entries;
    PyDictValues *values;
    Py_ssize_t n = inline_entries(obj, &entries, &values);
    for (Py_ssize_t i = 0; i < n; i++)
        if (values->values[i] == value)
            return entries[i].me_key;
    return NULL;
}

/* The str key equal to name: compared as UTF-8, no Python code. */
static bool key_is(PyObject *key, const char *name)
{
    const char *u = PyUnicode_CheckExact(key) ? PyUnicode_AsUTF8(key) : NULL;
    if (u == NULL)
        PyErr_Clear();
    return u != NULL && strcmp(u, name) == 0;
}

PyObject *pyagent_attr_value(PyObject *obj, const char *name)
{
    PyObject *dict = pyagent_attr_dict(obj);
    if (dict != NULL && PyDict_Check(dict)) {
        PyObject *k, *v;
        Py_ssize_t pos = 0;
        while (PyDict_Next(dict, &pos, &k, &v))
            if (key_is(k, name))
                return v;
        return NULL;
    }
    PyDictUnicodeEntry *entries;
    PyDictValues *values;
    Py_ssize_t n = inline_entries(obj, &entries, &values);
    for (Py_ssize_t i = 0; i < n; i++)
        if (entries[i].me_key != NULL && key_is(entries[i].me_key, name))
            return values->values[i];
    return NULL;
}

#else /* layout unknown */

PyObject *pyagent_attr_value(PyObject *obj, const char *name)
{
    (void)obj, (void)name;
    return NULL;
}


PyObject *pyagent_attr_dict(PyObject *obj)
{
    (void)obj;
    return NULL;
}

PyObject *pyagent_attr_inline_key(PyObject *obj, PyObject *value)
{
    (void)obj, (void)value;
    return NULL;
}

#endif
