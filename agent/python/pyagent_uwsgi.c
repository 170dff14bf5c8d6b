/* pyagent_uwsgi: uWSGI workers forked without Python's at-fork hooks.  See
 * pyagent_uwsgi.h. */
#include "pyagent_uwsgi.h"

#include <stdbool.h>
#include <stdio.h>

/* True if uwsgi.opt (a dict, borrowed) has the option `name` set. */
static bool has_option(PyObject *opt, const char *name)
{
    PyObject *v = PyDict_GetItemString(opt, name);  /* borrowed; no exception */
    return v != NULL && v != Py_False;
}

pyagent_uwsgi_verdict pyagent_uwsgi_check(char *msg, size_t size)
{
    PyObject *mod = PyDict_GetItemString(PyImport_GetModuleDict(), "uwsgi");  /* borrowed */
    if (mod == NULL)
        return PYAGENT_UWSGI_UNKNOWN;
    PyObject *opt = PyObject_GetAttrString(mod, "opt");
    pyagent_uwsgi_verdict v = PYAGENT_UWSGI_FINE;
    if (opt == NULL || !PyDict_Check(opt)) {
        PyErr_Clear();      /* a uwsgi module that is not uWSGI's */
        goto out;
    }
    if (has_option(opt, "py-call-osafterfork") || has_option(opt, "py-call-uwsgi-fork-hooks"))
        goto out;
    /* A worker whose agent samples (it ran this check) got the hooks, or
     * was not forked at all (no master, one process). */
    PyObject *id = PyObject_CallMethod(mod, "worker_id", NULL);
    long worker = id ? PyLong_AsLong(id) : -1;
    Py_XDECREF(id);
    PyErr_Clear();
    if (worker != 0)
        goto out;
    snprintf(msg, size,
             "uWSGI forks its workers without Python's at-fork hooks, so the agent "
             "will not sample in them (only in this master): set py-call-osafterfork = true "
             "in the uWSGI config");
    v = PYAGENT_UWSGI_WORKERS_SILENT;
out:
    Py_XDECREF(opt);
    return v;
}
