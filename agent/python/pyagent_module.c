/* pyagent_module: the extension module leakagent._leakagent.
 *
 * Owns the agent's life inside the host process: start (config file plus
 * overrides -> cfg_config -> smp_sampler with the CPython source), stop,
 * sample_now, snapshot, stats, and the hooks that keep it correct in
 * someone else's process:
 *   - atexit (registered by the first start): stops the thread before
 *     finalization begins, joining it with the GIL released, because a thread
 *     that asks for the GIL during finalization is killed (3.11-3.13) or hangs
 *     (3.14), and Py_AtExit runs too late;
 *   - os.register_at_fork(after_in_child=...): the core's pthread_atfork
 *     handler has reset the C state; this reopens the log under the child's
 *     pid and restarts the thread.
 * and expect_gone(), whose checks (pyagent_expect) live in the module state
 * so that their counts outlast a stop(); the thread decides them only while
 * the agent runs.
 *
 * State.  Everything lives in the module state and is guarded by the GIL.
 * The running agent is a pyagent_run, reference-counted (under the GIL) by
 * the module state and by each sample_now() in flight, because sample_now()
 * and stop() both release the GIL while they use it: the last reference
 * frees it, always after its thread was joined.  Lock order is the one of
 * STYLE.md: GIL first, then the core's mutexes; the core never calls the
 * source with a mutex held, so nothing here waits for the GIL while holding
 * one.  The module refuses to start in a sub-interpreter: the sampler thread
 * uses the PyGILState API, which serves the main interpreter only. */
#define PY_SSIZE_T_CLEAN
#include <Python.h>

#include <math.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

#include "cfg.h"
#include "la_error.h"
#include "smp.h"
#include "pyagent_chain.h"
#include "pyagent_exact.h"
#include "pyagent_expect.h"
#include "pyagent_source.h"
#include "pyagent_walk.h"

/* One started agent.  `users` and everything else: GIL. */
typedef struct pyagent_run {
    smp_sampler *smp;
    pyagent_source source;      /* the sampler's source points here */
    pyagent_exact exact;        /* sample.exact's tracer and counts */
    unsigned users;             /* module state + sample_now() calls in flight */
} pyagent_run;

typedef struct pyagent_state {
    PyObject *config_error;     /* leakagent.ConfigError (a ValueError) */
    pyagent_run *run;           /* the running agent, or NULL */
    bool starting;              /* a start() is opening the log (GIL released) */
    smp_stats last_stats;       /* of the last stopped run, for stats() */
    bool have_last_stats;
    bool hooks_registered;      /* atexit + at-fork hooks installed */
    pyagent_walk_mode mode;     /* _set_walk(); AUTO by default */
    pyagent_expect expect;      /* expect_gone()'s checks and counts */
} pyagent_state;

static pyagent_state *get_state(PyObject *module)
{
    return (pyagent_state *)PyModule_GetState(module);
}

/* ---- the run ---------------------------------------------------------- */

/* Drop one reference; the last one frees the sampler.  Its thread has been
 * joined by then (stop() joins before dropping the state's reference), so
 * smp_destroy only closes the log: done without the GIL all the same. */
static void run_release(pyagent_run *run)
{
    if (run == NULL || --run->users > 0)
        return;
    pyagent_exact_stop(&run->exact);    /* needs the GIL: before releasing it */
    Py_BEGIN_ALLOW_THREADS
    smp_destroy(run->smp);
    Py_END_ALLOW_THREADS
    free(run);
}

/* Detach the running agent from the state, join its thread with the GIL
 * released and keep its final statistics.  No-op when not running. */
static void stop_run(pyagent_state *st)
{
    pyagent_run *run = st->run;
    if (run == NULL)
        return;
    st->run = NULL;     /* from here on no new user can find it */
    Py_BEGIN_ALLOW_THREADS
    smp_stop(run->smp);
    Py_END_ALLOW_THREADS
    smp_get_stats(run->smp, &st->last_stats);
    st->have_last_stats = true;
    /* The thread is joined: nothing decides the pending checks any more. */
    st->expect.smp = NULL;
    pyagent_expect_drop_pending(&st->expect);
    pyagent_chain_stop();       /* the thread is joined: no tick uses them */
    run_release(run);
}

/* ---- configuration ---------------------------------------------------- */

/* Apply one override; value is a str or a list/tuple of str.  0, or -1 with
 * err set (TypeError is raised directly and err left empty). */
static int apply_override(cfg_config *cfg, PyObject *key, PyObject *value, la_error *err)
{
    const char *k = PyUnicode_Check(key) ? PyUnicode_AsUTF8(key) : NULL;
    if (k == NULL) {
        if (!PyErr_Occurred())
            PyErr_SetString(PyExc_TypeError, "override keys must be str");
        return -1;
    }
    if (PyUnicode_Check(value)) {
        const char *v = PyUnicode_AsUTF8(value);
        return v ? cfg_set(cfg, k, v, err) : -1;
    }
    PyObject *seq = (PyList_Check(value) || PyTuple_Check(value))
                        ? PySequence_Fast(value, "override list")
                        : NULL;
    if (seq == NULL) {
        if (!PyErr_Occurred())
            PyErr_Format(PyExc_TypeError, "override '%s': expected str or list of str, got %.100s",
                         k, Py_TYPE(value)->tp_name);
        return -1;
    }
    Py_ssize_t n = PySequence_Fast_GET_SIZE(seq);
    const char **items = calloc((size_t)n + 1, sizeof *items);
    int rc = -1;
    if (items == NULL) {
        PyErr_NoMemory();
        goto out;
    }
    for (Py_ssize_t i = 0; i < n; i++) {
        PyObject *item = PySequence_Fast_GET_ITEM(seq, i);
        items[i] = PyUnicode_Check(item) ? PyUnicode_AsUTF8(item) : NULL;
        if (items[i] == NULL) {
            if (!PyErr_Occurred())
                PyErr_Format(PyExc_TypeError, "override '%s': list items must be str", k);
            goto out;
        }
    }
    rc = cfg_set_list(cfg, k, items, (size_t)n, err);
out:
    free(items);
    Py_DECREF(seq);
    return rc;
}

/* Build the config: defaults, then the file (if any), then the overrides in
 * order.  0, or -1 with a Python exception set (ConfigError for bad input). */
static int build_config(pyagent_state *st, cfg_config *cfg, PyObject *path, PyObject *overrides)
{
    la_error err = {""};
    if (cfg_init(cfg) != 0) {
        PyErr_NoMemory();
        return -1;
    }
    if (path != Py_None) {
        PyObject *bytes = NULL;
        if (!PyUnicode_FSConverter(path, &bytes))
            return -1;
        int rc = cfg_load_file(cfg, PyBytes_AS_STRING(bytes), &err);
        Py_DECREF(bytes);
        if (rc != 0)
            goto config_error;
    }
    if (overrides != Py_None) {
        if (!PyDict_Check(overrides)) {
            PyErr_SetString(PyExc_TypeError, "overrides must be a dict");
            return -1;
        }
        PyObject *key, *value;
        Py_ssize_t pos = 0;
        while (PyDict_Next(overrides, &pos, &key, &value)) {
            err.msg[0] = '\0';
            if (apply_override(cfg, key, value, &err) != 0) {
                if (PyErr_Occurred())
                    return -1;
                goto config_error;
            }
        }
    }
    return 0;
config_error:
    PyErr_SetString(st->config_error, err.msg[0] ? err.msg : "bad configuration");
    return -1;
}

/* "python=3.11.7" from the running interpreter's version string. */
static void header_extra(char *out, size_t size)
{
    const char *v = Py_GetVersion();
    size_t n = strcspn(v, " ");
    snprintf(out, size, "python=%.*s", (int)n, v);
}

/* Exact mode, as sample.exact asks.  Refused when another tool holds the
 * tracer: said on stderr with the key's location, and the agent runs in
 * the default mode (stats()['exact'] is then False). */
static void start_exact(const cfg_config *cfg, pyagent_run *run)
{
    la_error why = {""}, err = {""};
    const char *caveat;
    if (pyagent_exact_start(&run->exact, &caveat, &why) == 0) {
        run->source.exact = &run->exact;
        if (caveat != NULL)
            pyagent_source_say(caveat);
        return;
    }
    cfg_refuse(cfg, "sample.exact", &err, "%s", why.msg);
    pyagent_source_say(err.msg);
}

/* ---- hooks ------------------------------------------------------------ */

/* Register module._atexit with atexit and module._after_fork_child with
 * os.register_at_fork, once per module.  0 or -1 (exception set). */
static int register_hooks(PyObject *module, pyagent_state *st)
{
    if (st->hooks_registered)
        return 0;
    int rc = -1;
    PyObject *atexit = NULL, *os = NULL, *on_exit = NULL, *on_fork = NULL, *res = NULL;
    PyObject *kwargs = NULL, *reg = NULL, *empty = NULL;

    if ((atexit = PyImport_ImportModule("atexit")) == NULL ||
        (on_exit = PyObject_GetAttrString(module, "_atexit")) == NULL ||
        (res = PyObject_CallMethod(atexit, "register", "O", on_exit)) == NULL)
        goto out;
    Py_CLEAR(res);
    if ((os = PyImport_ImportModule("os")) == NULL)
        goto out;
    if (PyObject_HasAttrString(os, "register_at_fork")) {
        if ((on_fork = PyObject_GetAttrString(module, "_after_fork_child")) == NULL ||
            (reg = PyObject_GetAttrString(os, "register_at_fork")) == NULL ||
            (kwargs = Py_BuildValue("{s:O}", "after_in_child", on_fork)) == NULL ||
            (empty = PyTuple_New(0)) == NULL ||
            (res = PyObject_Call(reg, empty, kwargs)) == NULL)
            goto out;
    }
    st->hooks_registered = true;
    rc = 0;
out:
    Py_XDECREF(atexit);
    Py_XDECREF(os);
    Py_XDECREF(on_exit);
    Py_XDECREF(on_fork);
    Py_XDECREF(res);
    Py_XDECREF(kwargs);
    Py_XDECREF(reg);
    Py_XDECREF(empty);
    return rc;
}

/* ---- module functions ------------------------------------------------- */

/* autostart.programs lists this program (or is empty). */
static bool autostart_chosen(const cfg_config *cfg, const char *program)
{
    char *name = smp_program_name(program, NULL);
    bool chosen = name != NULL && cfg_autostart_allows(cfg, name);
    free(name);
    return chosen;
}

PyDoc_STRVAR(start_doc,
"start(path=None, overrides=None, program=None, autostart=False) -> bool\n\n"
"Load the config file `path` (YAML; None: defaults), apply `overrides`\n"
"(a dict of config key -> str or list of str, e.g. {'interval': '10s'}),\n"
"open the log and start the sampler thread.  Returns False (and starts\n"
"nothing) when the config says `enabled: false`, or when `autostart` (the\n"
"start comes from LEAKAGENT_CONFIG) and autostart.programs does not list\n"
"this program.  Raises ConfigError for a\n"
"bad config, OSError if the log cannot be opened, RuntimeError if the agent\n"
"is already running or this is a sub-interpreter.");

static PyObject *pyagent_start(PyObject *module, PyObject *args, PyObject *kwargs)
{
    static char *kwlist[] = {"path", "overrides", "program", "autostart", NULL};
    PyObject *path = Py_None, *overrides = Py_None;
    const char *program = NULL;
    int autostart = 0;
    if (!PyArg_ParseTupleAndKeywords(args, kwargs, "|OOzp:start", kwlist, &path, &overrides,
                                     &program, &autostart))
        return NULL;
    pyagent_state *st = get_state(module);
    if (PyInterpreterState_Get() != PyInterpreterState_Main()) {
        PyErr_SetString(PyExc_RuntimeError,
                        "leakagent cannot run in a sub-interpreter: start it in the main one");
        return NULL;
    }
    if (st->starting) {
        PyErr_SetString(PyExc_RuntimeError,
                        "leakagent is being started by another thread");
        return NULL;
    }
    if (st->run != NULL) {
        smp_stats stats;
        smp_get_stats(st->run->smp, &stats);
        PyErr_Format(PyExc_RuntimeError,
                     "leakagent is already running (log %s): call leakagent.stop() "
                     "before starting it again", stats.log_path);
        return NULL;
    }

    cfg_config cfg;
    la_error err = {""};
    pyagent_run *run = NULL;
    PyObject *result = NULL;
    if (build_config(st, &cfg, path, overrides) != 0)
        goto out;
    /* The core accepts sample.exact everywhere; only here is it known
     * whether this interpreter has the reference tracer. */
    if (cfg.sample_exact && !pyagent_exact_available()) {
        char version[64];
        header_extra(version, sizeof version);
        cfg_refuse(&cfg, "sample.exact", &err,
                   "needs Python 3.13 or later (PyRefTracer_SetTracer); this is %s", version + 7);
        PyErr_SetString(st->config_error, err.msg);
        goto out;
    }
    if (!cfg.enabled || (autostart && !autostart_chosen(&cfg, program))) {
        result = Py_NewRef(Py_False);
        goto out;
    }
    if (register_hooks(module, st) != 0)
        goto out;
    if ((run = calloc(1, sizeof *run)) == NULL) {
        PyErr_NoMemory();
        goto out;
    }
    run->users = 1;
    run->source.interp = PyInterpreterState_Main();
    run->source.collect = cfg.sample_collect;
    run->source.mode = st->mode;
    run->source.detail = (pyagent_detail_opts){
        .referents = cfg.sample_referents,
        .sizes = cfg.sample_sizes,
        .containers = cfg.sample_containers,
    };
    if (cfg.sample_exact)
        start_exact(&cfg, run);
    run->source.expect = &st->expect;
    if (pyagent_chain_start(&cfg, &err) != 0) {
        PyErr_SetString(PyExc_MemoryError, err.msg);
        goto out;
    }

    char extra[64];
    header_extra(extra, sizeof extra);
    smp_options opt = {
        .cfg = &cfg,
        .source = pyagent_source_make(&run->source),
        .program = program,
        .header_extra = extra,
    };
    /* Opening the log is file I/O: let the host's threads run meanwhile;
     * `starting` keeps a concurrent start() from making a second agent. */
    st->starting = true;
    Py_BEGIN_ALLOW_THREADS
    run->smp = smp_create(&opt, &err);
    Py_END_ALLOW_THREADS
    st->starting = false;
    if (run->smp == NULL) {
        PyErr_SetString(PyExc_OSError, err.msg);
        goto out;
    }
    run->source.smp = run->smp;
    st->expect.smp = run->smp;
    if (smp_start(run->smp, &err) != 0) {
        st->expect.smp = NULL;
        PyErr_SetString(PyExc_RuntimeError, err.msg);
        goto out;
    }
    st->run = run;
    run = NULL;
    st->have_last_stats = false;
    result = Py_NewRef(Py_True);
out:
    if (run != NULL) {
        pyagent_chain_stop();
        run_release(run);
    }
    cfg_free(&cfg);
    return result;
}

PyDoc_STRVAR(stop_doc,
"stop() -> None\n\n"
"Stop the sampler thread (a snapshot in progress is finished first) and\n"
"close the log.  Does nothing when the agent is not running.  Also runs by\n"
"itself at interpreter exit.");

static PyObject *pyagent_stop(PyObject *module, PyObject *unused)
{
    stop_run(get_state(module));
    Py_RETURN_NONE;
}

/* atexit callback: the same as stop(); never lets an error escape. */
static PyObject *pyagent_atexit(PyObject *module, PyObject *unused)
{
    stop_run(get_state(module));
    Py_RETURN_NONE;
}

PyDoc_STRVAR(is_running_doc, "is_running() -> bool\n\nTrue while the sampler thread runs.");

static PyObject *pyagent_is_running(PyObject *module, PyObject *unused)
{
    pyagent_state *st = get_state(module);
    return PyBool_FromLong(st->run != NULL && smp_is_running(st->run->smp));
}

PyDoc_STRVAR(sample_now_doc,
"sample_now() -> bool\n\n"
"Take one snapshot now and append it to the log, as the thread does at a\n"
"tick.  Returns True if written, False if skipped (a collection is\n"
"running, the interpreter is exiting).  RuntimeError if not running or\n"
"the snapshot could not be taken or written.");

static PyObject *pyagent_sample_now(PyObject *module, PyObject *unused)
{
    pyagent_state *st = get_state(module);
    pyagent_run *run = st->run;
    if (run == NULL) {
        PyErr_SetString(PyExc_RuntimeError,
                        "leakagent is not running: call leakagent.start() first");
        return NULL;
    }
    la_error err = {""};
    int rc;
    run->users++;
    /* The source takes the GIL back itself (PyGILState_Ensure); the core
     * formats and writes without it. */
    Py_BEGIN_ALLOW_THREADS
    rc = smp_sample_now(run->smp, &err);
    Py_END_ALLOW_THREADS
    run_release(run);
    if (rc == SMP_ERROR) {
        PyErr_SetString(PyExc_RuntimeError, err.msg[0] ? err.msg : "snapshot failed");
        return NULL;
    }
    return PyBool_FromLong(rc == SMP_OK);
}

PyDoc_STRVAR(snapshot_doc,
"snapshot(details=False, containers=10) -> dict\n\n"
"{type name: live count} now, counted like the thread does (every object\n"
"the GC tracks, frozen ones included), most common first.  The config's\n"
"sample.* filters are not applied.  Works without start().\n\n"
"With details=True, what the log's detail records say, as a dict:\n"
"  'counts':     {type name: live count}, as above\n"
"  'bytes':      {type name: shallow size summed over its tracked objects}\n"
"  'refs':       {type name: (references, bytes)} of untracked objects\n"
"                referenced from tracked ones (once per reference)\n"
"  'containers': [(type name, id, length, holder)], the `containers`\n"
"                (0 .. 100) longest, longest first; holder 'module.NAME',\n"
"                'Class.attr' or '-'\n"
"  'exact':      {type name: created - destroyed}, while exact mode runs\n"
"  'gone':       {expect_gone label: objects found alive after their delay}\n"
"(Referrer chains come with the thread's snapshots and explain().)");

/* The value of one detail record in snapshot(details=True)'s dicts. */
static PyObject *record_value(const snapshot *snap, const snap_rec *r)
{
    switch (r->kind) {
    case SNAP_REC_REFS:
        return Py_BuildValue("(LK)", (long long)r->a, (unsigned long long)r->b);
    case SNAP_REC_LEN:
        return Py_BuildValue("(sKLs)", snap_rec_name(snap, r), (unsigned long long)r->id,
                             (long long)r->a, snap_rec_holder(snap, r));
    default:
        return PyLong_FromLongLong((long long)r->a);
    }
}

/* snapshot(details=True)'s dict from a finished snapshot.  New reference,
 * or NULL with an exception set. */
static PyObject *details_dict(const snapshot *snap, PyObject *counts)
{
    /* #CHAIN records come with the thread's snapshots and explain(): never
     * from this walk, so they have no key. */
    static const char *const keys[SNAP_REC_KINDS] = {"refs", "bytes", "containers", "exact",
                                                     NULL, "gone"};
    PyObject *parts[SNAP_REC_KINDS] = {NULL};
    PyObject *result = PyDict_New();
    if (result == NULL || PyDict_SetItemString(result, "counts", counts) != 0)
        goto fail;
    for (int k = 0; k < SNAP_REC_KINDS; k++) {
        parts[k] = k == SNAP_REC_LEN ? PyList_New(0) : PyDict_New();
        if (parts[k] == NULL)
            goto fail;
    }
    for (size_t i = 0; i < snap->n_recs; i++) {
        const snap_rec *r = &snap->recs[i];
        if (keys[r->kind] == NULL)
            continue;
        PyObject *value = record_value(snap, r);
        int rc = value == NULL ? -1
                 : r->kind == SNAP_REC_LEN
                     ? PyList_Append(parts[r->kind], value)
                     : PyDict_SetItemString(parts[r->kind], snap_rec_name(snap, r), value);
        Py_XDECREF(value);
        if (rc != 0)
            goto fail;
    }
    for (int k = 0; k < SNAP_REC_KINDS; k++)
        if (keys[k] != NULL && PyDict_SetItemString(result, keys[k], parts[k]) != 0)
            goto fail;
    for (int k = 0; k < SNAP_REC_KINDS; k++)
        Py_DECREF(parts[k]);
    return result;
fail:
    for (int k = 0; k < SNAP_REC_KINDS; k++)
        Py_XDECREF(parts[k]);
    Py_XDECREF(result);
    return NULL;
}

static PyObject *pyagent_snapshot(PyObject *module, PyObject *args, PyObject *kwargs)
{
    static char *kwlist[] = {"details", "containers", NULL};
    int details = 0;
    unsigned int containers = 10;
    if (!PyArg_ParseTupleAndKeywords(args, kwargs, "|pI:snapshot", kwlist, &details, &containers))
        return NULL;
    if (containers > 100) {
        PyErr_SetString(PyExc_ValueError, "snapshot(): containers is 0 .. 100 (sample.containers)");
        return NULL;
    }
    pyagent_state *st = get_state(module);
    pyagent_ptrmap live_types = {0};
    pyagent_exact *exact = st->run != NULL && st->run->exact.on ? &st->run->exact : NULL;
    pyagent_detail_opts opts = {.referents = true, .sizes = true, .containers = containers,
                                .live_types = exact ? &live_types : NULL};
    snapshot snap;
    la_error err = {""};
    uint64_t n_objects;
    PyObject *result = NULL, *counts = NULL;
    snap_init(&snap);
    switch (pyagent_walk(PyInterpreterState_Get(), st->mode, details ? &opts : NULL, &snap,
                         &n_objects, &err)) {
    case PYAGENT_WALK_OK:
        break;
    case PYAGENT_WALK_BUSY:
        PyErr_SetString(PyExc_RuntimeError, "a garbage collection is running; try again");
        goto out;
    default:
        PyErr_SetString(PyExc_RuntimeError, err.msg);
        goto out;
    }
    if (details && exact != NULL && pyagent_exact_add(exact, &snap, &live_types, &err) != 0) {
        PyErr_SetString(PyExc_RuntimeError, err.msg);
        goto out;
    }
    if (details && pyagent_expect_add_records(&st->expect, &snap) != 0) {
        PyErr_NoMemory();
        goto out;
    }
    /* Merge types of equal names; plain C, no Python code runs. */
    snap_finish(&snap, NULL);
    if ((counts = PyDict_New()) == NULL)
        goto out;
    for (size_t i = 0; i < snap.n_entries; i++) {
        PyObject *count = PyLong_FromUnsignedLongLong(snap.entries[i].count);
        int rc = count ? PyDict_SetItemString(counts, snap_name(&snap, i), count) : -1;
        Py_XDECREF(count);
        if (rc != 0)
            goto out;
    }
    result = details ? details_dict(&snap, counts) : Py_NewRef(counts);
out:
    Py_XDECREF(counts);
    pyagent_ptrmap_free(&live_types);
    snap_free(&snap);
    return result;
}

PyDoc_STRVAR(stats_doc,
"stats() -> dict\n\n"
"The sampler's counters: snapshots, errors, skipped, rotations,\n"
"bytes_written, last_ms, last_time, interval_ms, effective_interval_ms,\n"
"running, log_path, last_error, walk, exact (True while exact mode\n"
"counts), chains (the referrer chains': passes, records, errors, busy,\n"
"pass_ms_max and pass_ms_total (their GIL time), last_error).  After\n"
"stop(), those of the run that stopped; before any start, zeros.\n"
"expect_gone: {label: {'expected', 'gone', 'survived', 'pending'}}\n"
"since the process began (a fork child starts from none);\n"
"expect_gone_dropped: calls refused with too many checks pending;\n"
"expect_gone_errors: checks that could not be read (counted as gone);\n"
"expect_gone_max_ms: the longest the thread held the GIL deciding checks.");

/* stats()['chains']: the referrer chains' counters.  New reference. */
static PyObject *chain_stats(void)
{
    pyagent_chain_stats c;
    pyagent_chain_get_stats(&c);
    return Py_BuildValue("{s:K,s:K,s:K,s:O,s:d,s:d,s:s}", "passes", (unsigned long long)c.passes,
                         "records", (unsigned long long)c.records,
                         "errors", (unsigned long long)c.errors,
                         "busy", c.busy ? Py_True : Py_False, "pass_ms_max", c.pass_ms_max,
                         "pass_ms_total", c.pass_ms_total, "last_error", c.last_error);
}

static PyObject *pyagent_stats(PyObject *module, PyObject *unused)
{
    pyagent_state *st = get_state(module);
    smp_stats s;
    if (st->run != NULL)
        smp_get_stats(st->run->smp, &s);
    else if (st->have_last_stats)
        s = st->last_stats;
    else
        memset(&s, 0, sizeof s);
    PyObject *expect = pyagent_expect_stats(&st->expect);
    if (expect == NULL)
        return NULL;
    return Py_BuildValue(
        "{s:K,s:K,s:K,s:K,s:K,s:d,s:d,s:K,s:K,s:O,s:s,s:s,s:s,s:O,s:N,s:K,s:K,s:d,s:N}",
        "snapshots", (unsigned long long)s.snapshots,
        "errors", (unsigned long long)s.errors,
        "skipped", (unsigned long long)s.skipped,
        "rotations", (unsigned long long)s.rotations,
        "bytes_written", (unsigned long long)s.bytes_written,
        "last_ms", s.last_ms,
        "last_time", s.last_time,
        "interval_ms", (unsigned long long)s.interval_ms,
        "effective_interval_ms", (unsigned long long)s.effective_interval_ms,
        "running", (st->run != NULL && s.running) ? Py_True : Py_False,
        "log_path", s.log_path,
        "last_error", s.last_error,
        "walk", pyagent_walk_mode_name(st->run ? st->run->source.mode : st->mode),
        "exact", (st->run != NULL && st->run->exact.on && !st->run->exact.lost) ? Py_True
                                                                                : Py_False,
        "expect_gone", expect,
        "expect_gone_dropped", (unsigned long long)st->expect.dropped,
        "expect_gone_errors", (unsigned long long)st->expect.errors,
        "expect_gone_max_ms", st->expect.max_ms,
        "chains", chain_stats());
}

/* os.register_at_fork(after_in_child=...): the only thread of the child is
 * the one that forked; the core's pthread_atfork handler has already reset
 * its mutexes.  Reopen the log under the child's pid and sample again.
 * Errors propagate to os.fork(), which reports them as unraisable. */
static PyObject *pyagent_after_fork_child(PyObject *module, PyObject *unused)
{
    pyagent_state *st = get_state(module);
    pyagent_run *run = st->run;
    st->starting = false;   /* a start() in another thread did not survive fork */
    pyagent_expect_after_fork_child(&st->expect);
    if (run == NULL)
        Py_RETURN_NONE;
    run->users = 1;     /* sample_now() callers of the parent do not exist here */
    pyagent_chain_after_fork_child();
    la_error err = {""};
    if (smp_after_fork_child(run->smp, &err) != 0 || smp_start(run->smp, &err) != 0) {
        /* No log, no thread: drop the agent rather than leave it half alive. */
        st->run = NULL;
        st->expect.smp = NULL;
        pyagent_chain_stop();
        run_release(run);
        PyErr_Format(PyExc_RuntimeError, "leakagent: not sampling in the forked child: %s",
                     err.msg);
        return NULL;
    }
    Py_RETURN_NONE;
}

PyDoc_STRVAR(expect_gone_doc,
"expect_gone(obj, within=1.0, label=None) -> bool\n\n"
"Say that obj should be gone `within` seconds from now.  The agent's thread\n"
"checks it then; if it is still alive, it is counted under `label` (a str;\n"
"None: obj's type name, as the log spells it) in stats()['expect_gone'] and\n"
"in the log's `#GONE <label> <survivors>` records, and said once per label\n"
"on stderr.  The check keeps nothing alive: a weak reference, a dict watcher\n"
"(dicts, 3.12+), or for other objects that cannot be weakly referenced\n"
"(list, tuple, ...) a reference the garbage collector does not count as a\n"
"root (the object's memory may then be freed up to `within` seconds late).\n"
"Returns True if registered, False if the agent is not running (nothing is\n"
"done) or too many checks are pending.  TypeError / ValueError for a bad\n"
"`within` (a number, 0 .. 604800) or `label` (None or a non-empty str of at\n"
"most 200 bytes).");

/* within as seconds: a real number (not a bool), 0 .. 7 days.  0 or -1
 * with TypeError / ValueError set. */
static int parse_within(PyObject *arg, double *out)
{
    if (PyBool_Check(arg) || !(PyFloat_Check(arg) || PyLong_Check(arg))) {
        PyErr_Format(PyExc_TypeError, "expect_gone(): within must be a number of seconds, not %.100s",
                     Py_TYPE(arg)->tp_name);
        return -1;
    }
    double v = PyFloat_AsDouble(arg);
    if (v == -1.0 && PyErr_Occurred())
        return -1;
    if (!isfinite(v) || v < 0 || v > 7 * 86400.0) {
        PyErr_SetString(PyExc_ValueError, "expect_gone(): within is 0 .. 604800 seconds");
        return -1;
    }
    *out = v;
    return 0;
}

/* label as UTF-8 (borrowed from arg), or NULL for None.  0 or -1 with
 * TypeError / ValueError set. */
static int parse_label(PyObject *arg, const char **out)
{
    *out = NULL;
    if (arg == Py_None)
        return 0;
    if (!PyUnicode_Check(arg)) {
        PyErr_Format(PyExc_TypeError, "expect_gone(): label must be a str or None, not %.100s",
                     Py_TYPE(arg)->tp_name);
        return -1;
    }
    Py_ssize_t len;
    const char *s = PyUnicode_AsUTF8AndSize(arg, &len);
    if (s == NULL)
        return -1;
    if (len == 0 || len > 200 || strlen(s) != (size_t)len) {
        PyErr_SetString(PyExc_ValueError,
                         "expect_gone(): label is 1 .. 200 bytes of UTF-8 without NUL");
        return -1;
    }
    *out = s;
    return 0;
}

static PyObject *pyagent_expect_gone(PyObject *module, PyObject *args, PyObject *kwargs)
{
    static char *kwlist[] = {"obj", "within", "label", NULL};
    PyObject *obj, *within_arg = NULL, *label_arg = Py_None;
    double within = 1.0;
    const char *label;
    if (!PyArg_ParseTupleAndKeywords(args, kwargs, "O|OO:expect_gone", kwlist, &obj, &within_arg,
                                     &label_arg))
        return NULL;
    if ((within_arg != NULL && parse_within(within_arg, &within) != 0) ||
        parse_label(label_arg, &label) != 0)
        return NULL;
    pyagent_state *st = get_state(module);
    if (st->run == NULL || st->expect.smp == NULL)
        Py_RETURN_FALSE;
    int rc = pyagent_expect_add(&st->expect, obj, within, label);
    if (rc < 0)
        return NULL;
    return PyBool_FromLong(rc);
}

PyDoc_STRVAR(explain_doc,
"explain(type_name) -> list of dict\n\n"
"Who holds the type's instances, now: a few of its newest instances are\n"
"followed through their referrers up to a root, in this thread (other\n"
"threads run between the levels of the climb).  type_name is spelled as\n"
"the log's count lines spell it ('module.Class', 'dict').  One dict per\n"
"distinct chain, most common first:\n"
"  'type', 'why' ('explain'), 'k' of 'n' sampled instances held this way,\n"
"  'root': 'global:module.NAME', 'class:module.Class.attr',\n"
"          'frame:thread:function:variable', 'external:EXCESS' (held only\n"
"          from outside the collector), 'depth' or 'unknown';\n"
"  'hops': ['holder_type@0xADDRESS:edge', ...] from the instance outward;\n"
"  'line': the #CHAIN line.\n"
"An empty list when no instance is alive.  While the agent runs, the\n"
"lines are also written to its log, in a snapshot taken now.");

static PyObject *pyagent_explain(PyObject *module, PyObject *arg)
{
    const char *name = PyUnicode_Check(arg) ? PyUnicode_AsUTF8(arg) : NULL;
    if (name == NULL) {
        if (!PyErr_Occurred())
            PyErr_SetString(PyExc_TypeError, "explain() expects a type name (str)");
        return NULL;
    }
    PyObject *chains = pyagent_chain_explain(PyInterpreterState_Get(), name);
    if (chains == NULL || get_state(module)->run == NULL)
        return chains;
    /* Write them now; a snapshot that cannot be taken keeps them queued. */
    PyObject *written = pyagent_sample_now(module, NULL);
    if (written == NULL)
        PyErr_Clear();
    Py_XDECREF(written);
    return chains;
}

PyDoc_STRVAR(set_walk_doc,
"_set_walk(name) -> None\n\n"
"For tests: how later snapshots reach the objects: 'auto', 'gclist',\n"
"'visit' (3.12+) or 'get_objects'.  Applies to snapshot() at once and to\n"
"the thread from the next start().");

static PyObject *pyagent_set_walk(PyObject *module, PyObject *arg)
{
    const char *name = PyUnicode_Check(arg) ? PyUnicode_AsUTF8(arg) : NULL;
    if (name == NULL) {
        if (!PyErr_Occurred())
            PyErr_SetString(PyExc_TypeError, "_set_walk() expects a str");
        return NULL;
    }
    la_error err = {""};
    pyagent_walk_mode mode;
    if (pyagent_walk_mode_parse(name, &mode, &err) != 0) {
        PyErr_SetString(PyExc_ValueError, err.msg);
        return NULL;
    }
    get_state(module)->mode = mode;
    Py_RETURN_NONE;
}

static PyMethodDef pyagent_methods[] = {
    {"start", (PyCFunction)(void (*)(void))pyagent_start, METH_VARARGS | METH_KEYWORDS, start_doc},
    {"stop", pyagent_stop, METH_NOARGS, stop_doc},
    {"is_running", pyagent_is_running, METH_NOARGS, is_running_doc},
    {"sample_now", pyagent_sample_now, METH_NOARGS, sample_now_doc},
    {"snapshot", (PyCFunction)(void (*)(void))pyagent_snapshot, METH_VARARGS | METH_KEYWORDS,
     snapshot_doc},
    {"stats", pyagent_stats, METH_NOARGS, stats_doc},
    {"expect_gone", (PyCFunction)(void (*)(void))pyagent_expect_gone,
     METH_VARARGS | METH_KEYWORDS, expect_gone_doc},
    {"explain", pyagent_explain, METH_O, explain_doc},
    {"_set_walk", pyagent_set_walk, METH_O, set_walk_doc},
    {"_atexit", pyagent_atexit, METH_NOARGS, NULL},
    {"_after_fork_child", pyagent_after_fork_child, METH_NOARGS, NULL},
    {NULL, NULL, 0, NULL},
};

/* ---- module lifetime -------------------------------------------------- */

static int pyagent_exec(PyObject *module)
{
    pyagent_state *st = get_state(module);
    pyagent_expect_init(&st->expect);
    if (pyagent_expect_ready() != 0)
        return -1;
    st->config_error = PyErr_NewExceptionWithDoc(
        "leakagent.ConfigError",
        "A leakagent configuration was refused; the text is FILE:LINE:COLUMN: message.",
        PyExc_ValueError, NULL);
    if (st->config_error == NULL)
        return -1;
    if (PyModule_AddObjectRef(module, "ConfigError", st->config_error) != 0)
        return -1;
    if (PyModule_AddStringConstant(module, "WALK", pyagent_walk_mode_name(PYAGENT_WALK_AUTO)) != 0)
        return -1;
    return 0;
}

static int pyagent_traverse(PyObject *module, visitproc visit, void *arg)
{
    pyagent_state *st = get_state(module);
    Py_VISIT(st->config_error);
    return 0;
}

static int pyagent_clear(PyObject *module)
{
    pyagent_state *st = get_state(module);
    Py_CLEAR(st->config_error);
    return 0;
}

/* Normally atexit has stopped the agent already; if not (the module is torn
 * down some other way), stop it now, joining with the GIL released. */
static void pyagent_free(void *module)
{
    pyagent_state *st = get_state(module);
    if (st == NULL)
        return;
    stop_run(st);
    pyagent_expect_free(&st->expect);
    pyagent_clear(module);
}

static PyModuleDef_Slot pyagent_slots[] = {
    {Py_mod_exec, pyagent_exec},
    {0, NULL},
};

static struct PyModuleDef pyagent_module = {
    PyModuleDef_HEAD_INIT,
    .m_name = "leakagent._leakagent",
    .m_doc = "The C side of leakagent: a thread that counts live objects by type\n"
             "and appends snapshots to a rotating log.  Use the leakagent package.",
    .m_size = sizeof(pyagent_state),
    .m_methods = pyagent_methods,
    .m_slots = pyagent_slots,
    .m_traverse = pyagent_traverse,
    .m_clear = pyagent_clear,
    .m_free = pyagent_free,
};

PyMODINIT_FUNC PyInit__leakagent(void);

PyMODINIT_FUNC PyInit__leakagent(void)
{
    return PyModuleDef_Init(&pyagent_module);
}
