/* pyagent_source: the smp_source that samples a CPython interpreter.
 *
 * One tick: give up at once if the interpreter is finalizing (a thread that
 * asks for the GIL then is killed on 3.11-3.13 and hangs on 3.14), take the
 * GIL (PyGILState_Ensure), optionally run gc.collect(), read
 * sys.getallocatedblocks(), walk the objects (pyagent_walk) and copy the type
 * names and detail records (exact mode's and expect_gone's #GONE too),
 * release the GIL.  Filtering, sorting, formatting and writing happen
 * in the core afterwards, without the GIL.  Gauges set here: blocks,
 * gc_objects (objects walked), sample_ms (time the GIL was held); the core
 * adds rss.
 *
 * Threading: sample() runs on the sampler thread or on a thread in
 * leakagent.sample_now() that released the GIL; the core holds none of its
 * locks meanwhile, so waiting for the GIL cannot deadlock against a Python
 * thread calling into the agent.  The struct is immutable while a sampler
 * uses it, but for `uwsgi`, which only a tick holding the GIL writes.
 * While the uWSGI verdict is unknown, each tick asks for it and warns once
 * through the sampler when the workers will not sample (pyagent_uwsgi.h). */
#ifndef PYAGENT_SOURCE_H
#define PYAGENT_SOURCE_H

#include <stdbool.h>

#include "pyagent_exact.h"
#include "pyagent_expect.h"
#include "pyagent_uwsgi.h"
#include "pyagent_walk.h"
#include "smp.h"

typedef struct pyagent_source {
    PyInterpreterState *interp;   /* the main interpreter */
    bool collect;                 /* sample.collect: gc.collect() first */
    pyagent_walk_mode mode;       /* how to reach the objects */
    smp_sampler *smp;             /* for warnings about the host; may be NULL */
    pyagent_uwsgi_verdict uwsgi;  /* GIL: asked at each tick until known */
    pyagent_detail_opts detail;   /* sample.referents, .sizes, .containers */
    pyagent_exact *exact;         /* sample.exact's counts, or NULL (off) */
    pyagent_expect *expect;       /* expect_gone's checks (#GONE records and
                                   * the thread's chore), or NULL */
} pyagent_source;

/* The smp_source for src (which must outlive the sampler); with
 * src->expect, its chore decides expect_gone's checks. */
smp_source pyagent_source_make(pyagent_source *src);

/* smp_source.sample: SMP_OK, SMP_SKIP (finalizing, or a collection is
 * running) or SMP_ERROR with err set.  Call without the GIL. */
int pyagent_source_sample(void *ud, snapshot *snap, la_error *err);

/* "leakagent: message" on stderr in one write(2), for what must be said
 * once and cannot wait for the sampler's rate-limited warnings (sys.stderr
 * is not used: writing to it would run Python code). */
void pyagent_source_say(const char *message);

/* True once the interpreter is finalizing (no GIL needed). */
bool pyagent_source_finalizing(void);

#endif
