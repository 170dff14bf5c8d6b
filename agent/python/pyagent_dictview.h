/* pyagent_dictview: the keys and values of an exact dict, read in place
 * from its entry array (the detail walk visits every reference, and
 * PyDict_Next costs a call and its bookkeeping per item).
 *
 * Reads the private layout of 3.11-3.13 (default build): a combined
 * table's entries (general or str-keyed), or a split table's shared keys
 * beside the dict's own values.  Elsewhere it falls back to PyDict_Next.
 * No reference count is touched, nothing is allocated, no Python code runs.
 *
 * Threading: GIL held; the pointers are borrowed and valid while it is,
 * and while nothing changes the dict. */
#ifndef PYAGENT_DICTVIEW_H
#define PYAGENT_DICTVIEW_H

#define PY_SSIZE_T_CLEAN
#include <Python.h>

#include <stddef.h>

/* Copy the next references of dict (an exact dict) into out, keys and
 * values of each item in turn, at most `room` (even, >= 2) pointers.
 * *pos starts at 0 and is advanced; returns how many were written, 0 at
 * the end. */
size_t pyagent_dictview_refs(PyObject *dict, Py_ssize_t *pos, PyObject **out, size_t room);

#endif
