/* pyagent_chain_frames: frame locals, read in place (see the header).
 * Layout (internal/pycore_frame.h, cpython/pystate.h):
 *   a thread's newest frame is tstate->cframe->current_frame (3.11, 3.12)
 *   or tstate->current_frame (3.13), older ones through ->previous;
 *   a frame's code is f_code (3.11, 3.12) or f_executable (3.13), its
 *   locals the first co_nlocalsplus slots of localsplus, named by
 *   co_localsplusnames; frames owned by the C stack (3.12+) and frames
 *   not yet started are skipped, as sys._current_frames() does.
 * Thread names come from threading._active ({ident: Thread}) and the
 * Thread's _name attribute (pyagent_attr). */
#include "pyagent_chain_frames.h"

#include <stdio.h>
#include <string.h>

#include "pyagent_attr.h"
#include "pyagent_chain_label.h"
#include "pyagent_internal.h"

#if PYAGENT_INTERNAL_KNOWN

static PyCodeObject *frame_code(_PyInterpreterFrame *f)
{
#if PY_VERSION_HEX >= 0x030D0000
    PyObject *code = f->f_executable;
#else
    PyObject *code = (PyObject *)f->f_code;
#endif
    return code != NULL && PyCode_Check(code) ? (PyCodeObject *)code : NULL;
}

static const char *utf8(PyObject *s)
{
    if (s == NULL || !PyUnicode_CheckExact(s))
        return NULL;
    const char *u = PyUnicode_AsUTF8(s);
    if (u == NULL)
        PyErr_Clear();
    return u;
}

/* The local of f that holds child, or NULL. */
static const char *frame_local(_PyInterpreterFrame *f, PyObject *child)
{
    PyCodeObject *code = frame_code(f);
    if (code == NULL)
        return NULL;
    for (int i = 0; i < code->co_nlocalsplus; i++)
        if (f->localsplus[i] == child)
            return utf8(PyTuple_GET_ITEM(code->co_localsplusnames, i));
    return NULL;
}

static bool frame_started(_PyInterpreterFrame *f)
{
#if PY_VERSION_HEX >= 0x030C0000
    if (f->owner == FRAME_OWNED_BY_CSTACK)
        return false;
#endif
    return frame_code(f) != NULL && !_PyFrame_IsIncomplete(f);
}

static _PyInterpreterFrame *newest_frame(PyThreadState *t)
{
#if PY_VERSION_HEX >= 0x030D0000
    return t->current_frame;
#else
    return t->cframe != NULL ? t->cframe->current_frame : NULL;
#endif
}

/* threading's name of the thread with this ident into out, or "_". */
static void thread_name(unsigned long ident, char *out, size_t size)
{
    snprintf(out, size, "_");
    PyObject *threading = pyagent_chain_dict_get(PyImport_GetModuleDict(), "threading");
    PyObject *md = threading && PyModule_Check(threading) ? PyModule_GetDict(threading) : NULL;
    PyObject *active = pyagent_chain_dict_get(md, "_active");
    if (active == NULL || !PyDict_CheckExact(active))
        return;
    PyObject *k, *v;
    Py_ssize_t pos = 0;
    while (PyDict_Next(active, &pos, &k, &v)) {
        if (!PyLong_CheckExact(k))
            continue;
        unsigned long id = PyLong_AsUnsignedLong(k);
        if (id == (unsigned long)-1 && PyErr_Occurred()) {
            PyErr_Clear();
            continue;
        }
        if (id != ident)
            continue;
        const char *name = utf8(pyagent_attr_value(v, "_name"));
        if (name != NULL)
            snprintf(out, size, "%s", name);
        return;
    }
}

/* The thread a frame runs in, or NULL. */
static PyThreadState *running_in(PyInterpreterState *interp, _PyInterpreterFrame *frame)
{
    for (PyThreadState *t = PyInterpreterState_ThreadHead(interp); t; t = PyThreadState_Next(t))
        for (_PyInterpreterFrame *f = newest_frame(t); f; f = f->previous)
            if (f == frame)
                return t;
    return NULL;
}

static void write_root(PyThreadState *t, _PyInterpreterFrame *f, const char *var, char *out,
                       size_t size)
{
    char thread[128] = "_";
    if (t != NULL)
        thread_name(t->thread_id, thread, sizeof thread);
    for (char *p = thread; *p; p++)
        if (*p == ':')
            *p = '_';       /* the root's fields are split at ':' */
    const char *func = utf8(frame_code(f)->co_name);
    snprintf(out, size, "frame:%s:%s:%s", thread, func ? func : "?", var ? var : "<ref>");
}

bool pyagent_chain_thread_root(PyInterpreterState *interp, PyObject *obj, char *out, size_t size)
{
    for (PyThreadState *t = PyInterpreterState_ThreadHead(interp); t; t = PyThreadState_Next(t)) {
        for (_PyInterpreterFrame *f = newest_frame(t); f; f = f->previous) {
            const char *var = frame_started(f) ? frame_local(f, obj) : NULL;
            if (var != NULL) {
                write_root(t, f, var, out, size);
                return true;
            }
        }
    }
    return false;
}

void pyagent_chain_frame_root(PyInterpreterState *interp, PyObject *frame, PyObject *child,
                              char *out, size_t size)
{
    _PyInterpreterFrame *f = ((PyFrameObject *)frame)->f_frame;
    if (f == NULL || frame_code(f) == NULL) {
        snprintf(out, size, "frame:_:?:<ref>");
        return;
    }
    write_root(running_in(interp, f), f, frame_local(f, child), out, size);
}

const char *pyagent_chain_gen_local(PyObject *gen, PyObject *child)
{
    PyGenObject *g = (PyGenObject *)gen;
    if (g->gi_frame_state >= FRAME_COMPLETED)
        return NULL;
    return frame_local((_PyInterpreterFrame *)g->gi_iframe, child);
}

#else /* layout unknown */

bool pyagent_chain_thread_root(PyInterpreterState *interp, PyObject *obj, char *out, size_t size)
{
    (void)interp, (void)obj, (void)out, (void)size;
    return false;
}

void pyagent_chain_frame_root(PyInterpreterState *interp, PyObject *frame, PyObject *child,
                              char *out, size_t size)
{
    (void)interp, (void)frame, (void)child;
    snprintf(out, size, "frame:_:?:<ref>");
}

const char *pyagent_chain_gen_local(PyObject *gen, PyObject *child)
{
    (void)gen, (void)child;
    return NULL;
}

#endif
