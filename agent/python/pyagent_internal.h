/* pyagent_internal: the interpreter's private headers, for the files that
 * read private layouts (pyagent_gclist.c: the GC lists; pyagent_size.c:
 * dict keys, frames; pyagent_attr.c: inline values).
 *
 * PYAGENT_INTERNAL_KNOWN is 1 where this build knows the layout (CPython
 * 3.11, 3.12 and 3.13 with the GIL), and the internal headers are then
 * included; elsewhere it is 0 and nothing is.  Py_BUILD_CORE is defined
 * only around these includes; the internal headers redefine _PyGC_FINALIZED,
 * which the public ones define as a compatibility macro, so that macro is
 * dropped first; 3.12's pycore_dict.h reads a field its public header marks
 * deprecated.  pycore_object.h is not included: after Python.h it
 * redeclares a public function on 3.11. */
#ifndef PYAGENT_INTERNAL_H
#define PYAGENT_INTERNAL_H

#define PY_SSIZE_T_CLEAN
#include <Python.h>

#if PY_VERSION_HEX >= 0x030B0000 && PY_VERSION_HEX < 0x030E0000 && !defined(Py_GIL_DISABLED)
#define PYAGENT_INTERNAL_KNOWN 1
#define Py_BUILD_CORE 1
#undef _PyGC_FINALIZED
#pragma GCC diagnostic push
#pragma GCC diagnostic ignored "-Wdeprecated-declarations"
#include "internal/pycore_gc.h"
#include "internal/pycore_interp.h"
#include "internal/pycore_dict.h"
#include "internal/pycore_frame.h"
#pragma GCC diagnostic pop
#undef Py_BUILD_CORE
#else
#define PYAGENT_INTERNAL_KNOWN 0
#endif

#endif
