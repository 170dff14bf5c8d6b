/* pyagent_dictview: an exact dict's references read in place (see the
 * header).  Each entry of a combined table holds its key and value; a split
 * table keeps the keys in the class's shared keys and the values in an
 * array of the dict (or, 3.13, of the instance) indexed like the entries.
 * A deleted entry or an absent split value is a NULL value. */
#include "pyagent_dictview.h"

#include "pyagent_internal.h"

#if PYAGENT_INTERNAL_KNOWN

/* The number of values a split table has room for: every entry of its
 * shared keys on 3.11/3.12; on 3.13 the array says. */
static Py_ssize_t split_room(PyDictObject *mp)
{
#if PY_VERSION_HEX >= 0x030D0000
    Py_ssize_t n = mp->ma_keys->dk_nentries;
    return n < mp->ma_values->capacity ? n : mp->ma_values->capacity;
#else
    return mp->ma_keys->dk_nentries;
#endif
}

size_t pyagent_dictview_refs(PyObject *dict, Py_ssize_t *pos, PyObject **out, size_t room)
{
    PyDictObject *mp = (PyDictObject *)dict;
    PyDictKeysObject *keys = mp->ma_keys;
    Py_ssize_t i = *pos;
    size_t n = 0;
    if (mp->ma_values != NULL) {
        PyDictUnicodeEntry *e = DK_UNICODE_ENTRIES(keys);
        PyObject **values = mp->ma_values->values;
        for (Py_ssize_t end = split_room(mp); i < end && n + 2 <= room; i++)
            if (values[i] != NULL) {
                out[n++] = e[i].me_key;
                out[n++] = values[i];
            }
    } else if (DK_IS_UNICODE(keys)) {
        PyDictUnicodeEntry *e = DK_UNICODE_ENTRIES(keys);
        for (Py_ssize_t end = keys->dk_nentries; i < end && n + 2 <= room; i++)
            if (e[i].me_value != NULL) {
                out[n++] = e[i].me_key;
                out[n++] = e[i].me_value;
            }
    } else {
        PyDictKeyEntry *e = DK_ENTRIES(keys);
        for (Py_ssize_t end = keys->dk_nentries; i < end && n + 2 <= room; i++)
            if (e[i].me_value != NULL) {
                out[n++] = e[i].me_key;
                out[n++] = e[i].me_value;
            }
    }
    *pos = i;
    return n;
}

#else /* layout unknown */


size_t pyagent_dictview_refs(PyObject *dict, Py_ssize_t *pos, PyObject **out, size_t room)
{
    PyObject *key, *value;
    size_t n = 0;
    while (n + 2 <= room && PyDict_Next(dict, pos, &key, &value)) {
        out[n++] = key;
        out[n++] = value;
    }
    return n;
}

#endif
