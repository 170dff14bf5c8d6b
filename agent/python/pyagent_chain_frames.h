/* pyagent_chain_frames: frame locals as roots and edges of referrer chains.
 *
 * A running function's locals live in its thread's frame stack, which the
 * collector does not track: an object held only there has more references
 * than the tracked heap holds.  These functions look for it among the
 * locals of every thread's running frames (frame:<thread>:<function>:<var>,
 * the thread named as threading knows it), of a frame object, and of a
 * suspended generator or coroutine.
 *
 * Read in place from the private layout of CPython 3.11-3.13 (default
 * build; pyagent_internal.h); elsewhere nothing is found.  The thread list
 * is read with the GIL held, as sys._current_frames() reads it: threads
 * leave it only with the GIL, frames change only under it.
 *
 * Threading: GIL held; no Python code runs, nothing is allocated. */
#ifndef PYAGENT_CHAIN_FRAMES_H
#define PYAGENT_CHAIN_FRAMES_H

#define PY_SSIZE_T_CLEAN
#include <Python.h>

#include <stdbool.h>
#include <stddef.h>

/* If a running frame of a thread of interp has obj in a local variable,
 * write "frame:<thread>:<function>:<variable>" into out and return true. */
bool pyagent_chain_thread_root(PyInterpreterState *interp, PyObject *obj, char *out, size_t size);

/* "frame:<thread>:<function>:<variable>" for child held by frame object
 * `frame` (thread "_" unless the frame is running in one). */
void pyagent_chain_frame_root(PyInterpreterState *interp, PyObject *frame, PyObject *child,
                              char *out, size_t size);

/* The name of the local of generator/coroutine gen that holds child, or
 * NULL (finished, or not a local). */
const char *pyagent_chain_gen_local(PyObject *gen, PyObject *child);

#endif
