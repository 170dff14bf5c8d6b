/* pyagent_chain_climb: referrer chains, climbed level by level from a few
 * instances of a type up to a root (DESIGN.md, "Why it grows";
 * /work/notes/chain_format.md for the record).
 *
 * A run holds jobs: a type (its newest instances are sampled when its first
 * level starts) or one given object.  Each level is one scan of the tracked
 * heap (pyagent_chain_scan) for the outermost objects of every climb of
 * every job at once; then each climb keeps, breadth first, up to
 * CHAIN_CLIMB_WIDTH referrers as its next frontier, skipping objects already
 * in it (cycles) and the agent's own.  A climb ends at the first root seen:
 *   global:<module>.<NAME>   the referrer is a module's __dict__;
 *   class:<module>.<Class>.<attr>  a class's __dict__ (seen as the class
 *                            referring to the dict that holds the object);
 *   frame:_:<function>:<var> a frame object's local;
 *   external:<excess>        no path went on, and an object on it has more
 *                            references than the heap and the run hold;
 *   depth / unknown          the depth limit; nothing at all.
 * A job's climbs are grouped by root and hop labels into records, most
 * common first, at most CHAIN_CLIMB_RECORDS per job.
 *
 * Between steps a run keeps strong references to its chains' objects and
 * its scan's candidates only, never a borrowed pointer, so the GIL may be
 * released between any two calls.  All memory is plain malloc.
 *
 * Threading: GIL held in every call; a run is used by one caller at a time. */
#ifndef PYAGENT_CHAIN_CLIMB_H
#define PYAGENT_CHAIN_CLIMB_H

#define PY_SSIZE_T_CLEAN
#include <Python.h>

#include <stdint.h>

#include "pyagent_chain_label.h"

#define CHAIN_CLIMB_WIDTH 6
#define CHAIN_CLIMB_RECORDS 3
#define CHAIN_WHY_MAX 96
#define CHAIN_ROOT_MAX 256
#define CHAIN_HOPS_MAX 2048

/* One #CHAIN record (chain_format.md): hops space-separated, inside out. */
typedef struct pyagent_chain_record {
    char type[CHAIN_TYPE_MAX];
    char why[CHAIN_WHY_MAX];
    int k, n;
    char root[CHAIN_ROOT_MAX];
    char hops[CHAIN_HOPS_MAX];
} pyagent_chain_record;

typedef struct pyagent_chain_run pyagent_chain_run;

/* A run sampling `instances` per type and climbing at most `depth` hops.
 * NULL when out of memory. */
pyagent_chain_run *pyagent_chain_run_new(unsigned instances, unsigned depth);
/* Drop every reference and free; r may be NULL. */
void pyagent_chain_run_free(pyagent_chain_run *r);

/* Queue a job.  0, or -1 when out of memory.  A type already queued is not
 * queued twice.  add_object takes its own strong reference. */
int pyagent_chain_run_add_type(pyagent_chain_run *r, const char *type, const char *why);
int pyagent_chain_run_add_object(pyagent_chain_run *r, PyObject *obj, const char *why);

/* True while a job is queued or climbing. */
int pyagent_chain_run_busy(const pyagent_chain_run *r);

/* Climb until every job is done or the monotonic clock reaches
 * deadline_ns.  Finished jobs' records are kept for take_records.
 * Returns 0, or -1 when out of memory (the jobs concerned are dropped and
 * the error counted). */
int pyagent_chain_run_step(pyagent_chain_run *r, PyInterpreterState *interp, int64_t deadline_ns);

/* The records finished so far, handed over: *out is malloc'd (the caller
 * frees it), *n how many.  0, or -1 when out of memory. */
int pyagent_chain_run_take(pyagent_chain_run *r, pyagent_chain_record **out, size_t *n);

/* Errors so far (out of memory) and the last one's text. */
uint64_t pyagent_chain_run_errors(const pyagent_chain_run *r, const char **last);

#endif
