/* pyagent_chain_scan: one level of a referrer climb: who refers to a few
 * target objects, found by traversing every object the collector tracks
 * with its tp_traverse and a C visit function.
 *
 * For each target the scan counts the references the tracked heap holds to
 * it (for "held only from outside the collector") and keeps the first
 * referrer of each type it meets, up to CHAIN_CANDIDATES of them, each with a strong reference (the
 * only reference counts a scan touches), and beside them the first referrer
 * that is a root, wherever it comes in the heap: a popular object's first
 * referrers must not hide the module that holds it.  A scan may be cut by a deadline
 * and resumed later, after the GIL was released: it then keeps no pointer
 * into the heap but its strong references: the position is the next
 * object to traverse (held), and, should a collection have moved it
 * meanwhile, which GC list and how many of its objects were done.  Objects
 * that moved between lists meanwhile may be seen twice or not at all: the
 * figures of a resumed scan are approximate, its referrers real.
 *
 * Targets are borrowed: the caller holds a strong reference to each while
 * the scan lives.  The tables are plain malloc.
 *
 * Threading: GIL held in every call. */
#ifndef PYAGENT_CHAIN_SCAN_H
#define PYAGENT_CHAIN_SCAN_H

#define PY_SSIZE_T_CLEAN
#include <Python.h>

#include <stdbool.h>
#include <stdint.h>

#define CHAIN_CANDIDATES 4

typedef struct chain_target {
    PyObject *obj;                      /* borrowed from the caller */
    Py_ssize_t heap_refs;               /* references from tracked objects */
    PyObject *cand[CHAIN_CANDIDATES];   /* referrers found: strong */
    int n_cand;
    PyObject *root;                     /* a referrer that is a root (a module's
                                           or class's __dict__ holding it, the
                                           class holding its dict): strong */
} chain_target;

typedef struct chain_scan {
    chain_target *targets;
    size_t n_targets, cap_targets;
    uint32_t *index;        /* open addressing: target number + 1; 0 empty */
    size_t index_cap;       /* a power of two */
    int list;               /* the GC list being walked (resume position) */
    uint64_t ordinal;       /* objects of it already traversed */
    PyObject *bookmark;     /* the next object to traverse in it: strong */
    int64_t collections;    /* collections so far when the bookmark was set */
    uint64_t objects;       /* objects traversed in this scan, all lists */
    bool done;
} chain_scan;

/* Add a target (once per object).  Its number, or -1 when out of memory. */
int pyagent_chain_scan_add(chain_scan *s, PyObject *obj);

/* The number of obj's target, or -1. */
int pyagent_chain_scan_find(const chain_scan *s, PyObject *obj);

/* Scan on until done or the monotonic clock reaches deadline_ns.  Returns
 * 1 when done, 0 when cut by the deadline (call again later), -1 when a
 * collection is running (try again later, nothing lost). */
int pyagent_chain_scan_run(chain_scan *s, PyInterpreterState *interp, int64_t deadline_ns);

/* Drop the candidates' references and the targets; keep the buffers. */
void pyagent_chain_scan_reset(chain_scan *s);
void pyagent_chain_scan_free(chain_scan *s);

#endif
