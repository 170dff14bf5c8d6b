/* pyagent_source: one sample of the interpreter, GIL taken and given back
 * here and nowhere else on the sampler thread.  See pyagent_source.h. */
#include "pyagent_source.h"

#include <stdio.h>
#include <unistd.h>

#include "gauge.h"
#include "pyagent_chain.h"

/* The GIL hold time is read on the core's monotonic clock. */
static double mono_ms(void)
{
    return (double)la_real_clock.mono_ns(NULL) / 1e6;
}

bool pyagent_source_finalizing(void)
{
#if PY_VERSION_HEX >= 0x030D0000
    return Py_IsFinalizing() != 0;
#else
    return _Py_IsFinalizing() != 0;
#endif
}

/* smp_source.chore: expect_gone's checks. */
static int64_t source_chore(void *ud, int64_t now_ns)
{
    pyagent_source *src = ud;
    return pyagent_expect_chore(src->expect, now_ns);
}

smp_source pyagent_source_make(pyagent_source *src)
{
    smp_source s = {.ud = src, .sample = pyagent_source_sample,
                    .chore = src->expect != NULL ? source_chore : NULL};
    return s;
}

/* gc.collect(), as sample.collect asks.  GIL held.  0 or -1 with err set. */
static int run_collect(la_error *err)
{
    PyObject *gc = PyImport_ImportModule("gc");
    PyObject *res = gc ? PyObject_CallMethod(gc, "collect", NULL) : NULL;
    Py_XDECREF(gc);
    if (res == NULL) {
        pyagent_walk_error_from_python(err, "gc.collect()");
        return -1;
    }
    Py_DECREF(res);
    return 0;
}

/* sys.getallocatedblocks(), or -1 (the gauge is then left out).  The C
 * function behind it is not exported on 3.12+, so call the Python one. */
static double allocated_blocks(void)
{
    PyObject *fn = PySys_GetObject("getallocatedblocks");   /* borrowed */
    PyObject *res = fn ? PyObject_CallNoArgs(fn) : NULL;
    double v = res ? PyLong_AsDouble(res) : -1;
    Py_XDECREF(res);
    if (PyErr_Occurred()) {
        PyErr_Clear();
        v = -1;
    }
    return v;
}

/* Exact mode's records.  Its one failure that matters (another tool took
 * the tracer) ends exact mode and is said once on stderr.  The snapshot
 * goes on. */
static void add_exact(pyagent_exact *exact, snapshot *snap, const pyagent_ptrmap *live_types)
{
    la_error why = {""};
    if (pyagent_exact_add(exact, snap, live_types, &why) != 0)
        pyagent_source_say(why.msg);
}

void pyagent_source_say(const char *message)
{
    char line[LA_ERROR_MAX + 16];
    int n = snprintf(line, sizeof line, "leakagent: %s\n", message);
    if (n > (int)sizeof line - 1)
        n = (int)sizeof line - 1;
    ssize_t ignored = write(STDERR_FILENO, line, (size_t)n);
    (void)ignored;
}

int pyagent_source_sample(void *ud, snapshot *snap, la_error *err)
{
    pyagent_source *src = ud;
    uint64_t n_objects = 0;
    double blocks = -1;
    int rc = SMP_ERROR;
    char chain_note[256];
    bool chain_warn = false;

    /* Checked before asking for the GIL: atexit stops the sampler before
     * finalization starts, so this only fires for callers racing exit. */
    if (pyagent_source_finalizing())
        return SMP_SKIP;
    PyGILState_STATE gil = PyGILState_Ensure();
    double t0 = mono_ms();
    if (src->collect && run_collect(err) != 0)
        goto out;
    blocks = allocated_blocks();
    pyagent_ptrmap live_types = {0};
    pyagent_detail_opts opts = src->detail;
    if (src->exact != NULL)
        opts.live_types = &live_types;
    switch (pyagent_walk(src->interp, src->mode, &opts, snap, &n_objects, err)) {
    case PYAGENT_WALK_OK:
        rc = SMP_OK;
        if (src->exact != NULL)
            add_exact(src->exact, snap, &live_types);
        chain_warn = pyagent_chain_tick(src->interp, snap, chain_note, sizeof chain_note);
        if (src->expect != NULL && pyagent_expect_add_records(src->expect, snap) != 0) {
            la_error_set(err, "out of memory adding the #GONE records");
            rc = SMP_ERROR;
        }
        break;
    case PYAGENT_WALK_BUSY:
        rc = SMP_SKIP;
        break;
    default:
        rc = SMP_ERROR;
        break;
    }
    pyagent_ptrmap_free(&live_types);
out:;
    char note[320];
    bool warn = false;
    if (src->uwsgi == PYAGENT_UWSGI_UNKNOWN) {
        src->uwsgi = pyagent_uwsgi_check(note, sizeof note);
        warn = src->uwsgi == PYAGENT_UWSGI_WORKERS_SILENT;
    }
    double held_ms = mono_ms() - t0;
    PyGILState_Release(gil);
    if (warn && src->smp != NULL)
        smp_warn(src->smp, note);
    if (chain_warn && src->smp != NULL)
        smp_warn(src->smp, chain_note);
    if (rc != SMP_OK)
        return rc;
    if (blocks >= 0)
        snap_set_gauge(snap, LA_GAUGE_BLOCKS, blocks);
    snap_set_gauge(snap, LA_GAUGE_GC_OBJECTS, (double)n_objects);
    snap_set_gauge(snap, LA_GAUGE_SAMPLE_MS, held_ms);
    return SMP_OK;
}
