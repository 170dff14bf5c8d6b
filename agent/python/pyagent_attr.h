/* pyagent_attr: an instance's attributes, read in place: the __dict__ it
 * has made (if it has made one), and the name under which it holds a value
 * in its inline values (CPython 3.11+ keeps the attributes of most
 * instances in an array beside the object, keyed by the class's shared
 * keys, and makes a dict only when asked for __dict__).
 *
 * Neither function creates the dict, touches a reference count or runs
 * Python code; both read the private layout of 3.11-3.13 (default build)
 * and answer NULL elsewhere (pyagent_internal.h).
 *
 * Threading: GIL held; the results are borrowed and valid while it is. */
#ifndef PYAGENT_ATTR_H
#define PYAGENT_ATTR_H

#define PY_SSIZE_T_CLEAN
#include <Python.h>

/* The dict obj keeps its attributes in, if it has one now; else NULL. */
PyObject *pyagent_attr_dict(PyObject *obj);

/* The name (a str) of the attribute of obj whose value is `value`, looked
 * up in obj's inline values; NULL if it has none or none holds value. */
PyObject *pyagent_attr_inline_key(PyObject *obj, PyObject *value);

/* The value of obj's attribute `name` (a str key) in its __dict__ or its
 * inline values, or NULL.  Borrowed; no lookup through the type (no
 * descriptor runs). */
PyObject *pyagent_attr_value(PyObject *obj, const char *name);

#endif
