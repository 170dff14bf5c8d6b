/* pyagent_expect: leakagent.expect_gone(obj, within, label): objects the host
 * says should be gone after a delay, checked by the agent's one thread.
 *
 * DESIGN
 * A call registers a pending check (deadline, label) on the host's thread,
 * under the GIL, and asks the sampler thread to wake at the deadline
 * (smp_wake_at); the thread's chore (pyagent_expect_chore) takes the GIL,
 * moves the due checks out of the table and decides each.  Survivors are
 * counted per label (cumulative), warned about once per label, written in
 * every snapshot as `#GONE <label> <survivors>` and handed to the chain
 * search.  How a check watches its object without keeping it alive, by
 * kind of object:
 *
 *   WEAK   weak-referenceable objects (instances of ordinary classes, sets,
 *          functions...): a weak reference, made at call time.  Gone iff the
 *          reference is dead at the deadline.  Nothing is kept alive.
 *   WATCH  exact dicts on 3.12+: a dict watcher (PyDict_Watch) sees the
 *          dict's deallocation; no reference is held, only its address, and
 *          a dict made later at that address (the free list makes that the
 *          common case) carries no watch bit, so it cannot pass for the old.
 *   HOLD   everything else (list, tuple, a dict on 3.11, bytearray, int,
 *          instances of __slots__ classes without __weakref__, most C
 *          types): no notice of death exists, and an address is no
 *          identity, so the check holds a strong reference: the object
 *          cannot be recycled while watched.  Gone iff that reference is
 *          the last one at the deadline.  The reference lives in a holder
 *          (a small GC object of ours) that owns itself through a self
 *          reference and is owned by nobody else, so the collector sees it,
 *          and through it the object, as unreachable from outside: a
 *          garbage cycle through the object is found and cleared by the
 *          collector as if the check did not exist.  The holder's tp_clear
 *          keeps the holder (the table's pointer to it stays valid) and lets
 *          the object go when the holder's is its last reference.  Costs,
 *          documented: an object dropped without a cycle stays allocated
 *          until the next collection or its deadline, whichever is first
 *          (its memory, not its identity: the host cannot reach it); each
 *          pending holder is counted by gc.collect()'s return value and
 *          shows in gc.get_referrers(obj) until its deadline.
 *
 * "Survived" means alive at the deadline: a garbage cycle that the
 * collector has not reached yet counts, for every kind alike.
 *
 * Threading.  Everything here is guarded by the GIL.  Deciding a check
 * can run Python code (a last reference dropped runs __del__, which may call
 * expect_gone again): the due checks are moved out of the table before any
 * is decided, so the table may change under them.  The dict watcher callback
 * runs on any thread holding the GIL, in the middle of a dealloc: it only
 * marks a record.  Nothing raises into the host: errors while checking are
 * counted (stats()["expect_gone_errors"]). */
#ifndef PYAGENT_EXPECT_H
#define PYAGENT_EXPECT_H

#define PY_SSIZE_T_CLEAN
#include <Python.h>

#include <stdbool.h>
#include <stdint.h>

#include "pyagent_top.h"
#include "smp.h"
#include "snap.h"

/* At most this many labels are kept; further labels are counted as
 * PYAGENT_EXPECT_OTHER (a host passing a fresh label per call must not
 * grow the agent). */
#define PYAGENT_EXPECT_MAX_LABELS 256
#define PYAGENT_EXPECT_OTHER "<other>"
/* At most this many checks pending; a call beyond is refused (returns
 * False) and counted as dropped. */
#define PYAGENT_EXPECT_MAX_PENDING 100000
/* The thread decides checks at most this often, so calls made close
 * together share one wake-up: a check is decided up to this late. */
#define PYAGENT_EXPECT_TICK_NS (100LL * 1000000)

typedef struct pyagent_expect_label {
    char *name;             /* malloc'd, as given */
    uint64_t expected;      /* calls registered */
    uint64_t gone;          /* found gone at their deadline */
    uint64_t survived;      /* found alive at their deadline */
    uint64_t pending;       /* registered, not decided yet */
    bool warned;            /* the first survivor was said */
} pyagent_expect_label;

typedef struct pyagent_expect_check pyagent_expect_check;
typedef struct pyagent_expect_watch pyagent_expect_watch;

typedef struct pyagent_expect {
    pyagent_expect_label *labels;
    size_t n_labels, cap_labels;
    pyagent_expect_check *pending;  /* unsorted */
    size_t n_pending, cap_pending;
    pyagent_ptrmap watched;         /* WATCH: dict address -> its live watch */
    size_t n_watches;               /* live watch records */
    int watcher_id;                 /* PyDict_AddWatcher's, -1: none yet */
    uint64_t dropped;               /* calls refused: too many pending */
    uint64_t errors;                /* checks that failed (counted as gone) */
    double max_ms;                  /* longest GIL hold of one round of checks */
    smp_sampler *smp;               /* the running sampler, NULL: stopped */
} pyagent_expect;

/* A zeroed table with no watcher. */
void pyagent_expect_init(pyagent_expect *ex);

/* Register obj (GIL held, on the caller's thread): decided after within_s
 * seconds by the sampler smp (which must be running) under `label` (NULL:
 * obj's type name, as count lines spell it).  Returns 1 if registered, 0
 * if refused (too many pending; counted), -1 with MemoryError set. */
int pyagent_expect_add(pyagent_expect *ex, PyObject *obj, double within_s, const char *label);

/* smp_source.chore: decide the checks due at now_ns (takes the GIL
 * itself; skips while the interpreter finalizes); returns when the next
 * pending check is due, INT64_MAX if none. */
int64_t pyagent_expect_chore(pyagent_expect *ex, int64_t now_ns);

/* Append one GONE record per label (GIL held).  0, or -1 when out of
 * memory. */
int pyagent_expect_add_records(const pyagent_expect *ex, snapshot *snap);

/* stats()["expect_gone"]: {label: {"expected", "gone", "survived",
 * "pending"}}.  New reference, or NULL with an exception set. */
PyObject *pyagent_expect_stats(const pyagent_expect *ex);

/* Forget every pending check, releasing what it holds (GIL held; may run
 * the host's code as references drop).  The counts stay, less their
 * pending. */
void pyagent_expect_drop_pending(pyagent_expect *ex);

/* In a fork child (GIL held): the parent's expectations are not the
 * child's: drop the pending checks and zero the counts. */
void pyagent_expect_after_fork_child(pyagent_expect *ex);

/* Drop the pending checks, the labels and the dict watcher (GIL held). */
void pyagent_expect_free(pyagent_expect *ex);

/* True if obj is one of this module's holders (for walks that must skip
 * the agent's own objects). */
bool pyagent_expect_is_holder(PyObject *obj);

/* The holder type, made ready once per process.  0, or -1 with an
 * exception set. */
int pyagent_expect_ready(void);

#endif
