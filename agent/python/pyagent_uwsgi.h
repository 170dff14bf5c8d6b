/* pyagent_uwsgi: notice, in a uWSGI master, that its workers will not sample.
 *
 * uWSGI fork()s its workers from C.  Unless it runs Python's at-fork hooks
 * (py-call-osafterfork, or py-call-uwsgi-fork-hooks), the agent's
 * os.register_at_fork hook never runs in a worker: the worker inherits a
 * stopped agent and writes nothing, lazy-apps or not (Python is initialised
 * once, in the master).  Only the master (worker_id() 0) warns: an agent
 * that samples in a worker got there through the hooks.  uWSGI's embedded module
 * `uwsgi` (with its options in uwsgi.opt) exists only once the master has
 * initialised Python, after the .pth has started the agent, so the sampler
 * asks at its ticks until the module is there.
 *
 * Threading: GIL held; reads sys.modules and uwsgi.opt, imports nothing,
 * calls no Python code (uwsgi.worker_id() is C). */
#ifndef PYAGENT_UWSGI_H
#define PYAGENT_UWSGI_H

#include <Python.h>
#include <stddef.h>

typedef enum pyagent_uwsgi_verdict {
    PYAGENT_UWSGI_UNKNOWN,      /* no uwsgi module (yet): ask again next tick */
    PYAGENT_UWSGI_FINE,         /* not uWSGI, or its workers run the hooks */
    PYAGENT_UWSGI_WORKERS_SILENT, /* msg says what to set */
} pyagent_uwsgi_verdict;

/* The verdict for this process; for PYAGENT_UWSGI_WORKERS_SILENT the
 * warning is written to msg (size bytes).  GIL held; leaves no exception. */
pyagent_uwsgi_verdict pyagent_uwsgi_check(char *msg, size_t size);

#endif
