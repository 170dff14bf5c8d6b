/* pyagent_chain_sample: a few recent instances of a type, the start of its
 * referrer chains.
 *
 * The newest objects are at the tail of the youngest generation's list, so
 * the lists are walked backwards from there (young, then older, then the
 * permanent generation), read-only, matching each object's type by name
 * (the name the count lines give it; each distinct type's name is computed
 * once per call).  Only the instances returned get a reference.
 *
 * Threading: GIL held; no Python code runs. */
#ifndef PYAGENT_CHAIN_SAMPLE_H
#define PYAGENT_CHAIN_SAMPLE_H

#define PY_SSIZE_T_CLEAN
#include <Python.h>

/* Up to n instances of the type called `name`, newest first, as strong
 * references into out.  Returns how many (0: none alive), or -1 when out of
 * memory. */
int pyagent_chain_sample(PyInterpreterState *interp, const char *name, PyObject **out, int n);

#endif
