/* smp: the sampler: a thread that every interval asks a source for counts
 * and appends the snapshot to the rotating log.
 *
 * DESIGN
 * The source (what to count) and the clock (what time it is, how to wait)
 * are injected as structs of function pointers: the CPython source lives in
 * agent/python/, tests use a fake source and a fake clock that never sleeps.
 *
 * Locks.  `mu` guards the run state and the statistics; `write_mu` guards
 * the log writer and the format buffer.  Neither is ever held while the
 * source runs, because a source may wait for a lock of its host (the GIL):
 * holding our lock there could deadlock a host thread that holds the GIL and
 * calls into the sampler.  `take_mu` is the exception, and the reason
 * smp_sample_now must be called without the host's lock: it is held from
 * the source's call to the snapshot's write, so that snapshots reach the
 * log in the order they were taken (the thread's tick and a sample_now()
 * taken in one order and written in the other would put an older count
 * after a newer one, which reads as a fall).  It is recursive: a host's
 * finalizer run by the source may itself call sample_now.  Order:
 * take_mu, then write_mu, then mu.
 *
 * Errors at run time (disk full, directory gone) are counted and reported
 * through the warn callback (stderr by default) at most once a minute; the
 * thread keeps sampling and writes again when it can.
 *
 * The thread is created with every signal blocked.  Nothing here calls exit
 * or abort: this code runs inside someone else's process. */
#ifndef LA_SMP_H
#define LA_SMP_H

#include <pthread.h>
#include <stdbool.h>
#include <stdint.h>

#include "cfg.h"
#include "la_clock.h"
#include "la_error.h"
#include "snap.h"

/* Results of smp_source.sample. */
enum { SMP_OK = 0, SMP_SKIP = 1, SMP_ERROR = -1 };

typedef struct smp_source {
    void *ud;
    /* Fill snap with counts (snap_add) and optional gauges: "blocks",
     * "gc_objects", "sample_ms" (time the host was blocked; if absent the
     * sampler uses the duration of this call).  Called on the sampler thread,
     * or on the thread calling smp_sample_now, with only take_mu held (see
     * "Locks" above).
     * Returns SMP_OK, SMP_SKIP (nothing to record now: a collection is
     * running, the host is exiting) or SMP_ERROR with err set. */
    int (*sample)(void *ud, snapshot *snap, la_error *err);
    /* Optional (NULL: none): work the source does on the sampler thread
     * between snapshots, at times it chooses (expect_gone's checks).  Called
     * with no sampler lock held once the monotonic clock reaches the time
     * it last returned or smp_wake_at() asked for; returns the next such
     * time in ns (INT64_MAX: none). */
    int64_t (*chore)(void *ud, int64_t now_ns);
} smp_source;



typedef struct smp_options {
    const cfg_config *cfg;        /* copied */
    smp_source source;
    const la_clock *clock;       /* NULL: la_real_clock */
    const char *program;          /* for %n and the header; NULL: /proc comm */
    const char *proc_root;        /* where /proc is (tests); NULL: "/proc" */
    const char *header_extra;     /* e.g. "python=3.11.7"; may be NULL */
    /* Where warnings go (rate-limited); NULL: stderr, one line each,
     * prefixed "leakagent[pid PID PROGRAM]: ". */
    void (*warn)(void *ud, const char *message);
    void *warn_ud;
} smp_options;

typedef struct smp_stats {
    uint64_t snapshots;        /* snapshots written */
    uint64_t errors;           /* failed samples or writes */
    uint64_t skipped;          /* ticks the source skipped */
    uint64_t rotations;        /* log rotations */
    uint64_t bytes_written;    /* bytes appended to the log */
    double last_ms;            /* duration of the last source call */
    double last_time;          /* wall time of the last snapshot written */
    uint64_t interval_ms;      /* configured interval */
    uint64_t effective_interval_ms; /* after max_overhead stretching */
    bool running;              /* thread alive */
    char log_path[1024];       /* expanded path of the live log */
    char last_error[256];      /* "" if none yet */
} smp_stats;

typedef struct smp_sampler smp_sampler;

/* Copy the config, expand the log path, open the log (writing its header;
 * finishing a rotation a crash interrupted), remove the prometheus.textfile
 * .tmp files of dead processes.  The thread is not started.  NULL with err
 * set on failure. */
smp_sampler *smp_create(const smp_options *opt, la_error *err);

/* Start the thread (signals blocked).  -1 if already running. */
int smp_start(smp_sampler *s, la_error *err);

/* Wake the thread and join it; returns at once if not running.  A snapshot
 * in progress is finished first.  Call without any host lock the source
 * needs (for CPython: with the GIL released). */
void smp_stop(smp_sampler *s);

bool smp_is_running(smp_sampler *s);

/* Take and write one snapshot on the calling thread (same path as a tick).
 * Returns SMP_OK, SMP_SKIP, or SMP_ERROR with err set. */
int smp_sample_now(smp_sampler *s, la_error *err);

void smp_get_stats(smp_sampler *s, smp_stats *out);

/* Have the thread run the source's chore at monotonic time due_ns (or at
 * the earlier time already asked for).  Takes mu briefly: call holding no
 * sampler lock (the host's GIL may be held: it comes first in the order). */
void smp_wake_at(smp_sampler *s, int64_t due_ns);

/* Say message once through the sampler's warning sink (smp_options.warn, or
 * stderr with the process named), neither counted nor rate-limited: for a
 * source that notices its host will keep it from sampling.  No lock needed. */
void smp_warn(smp_sampler *s, const char *message);

/* Stop (if needed) and free; s may be NULL. */
void smp_destroy(smp_sampler *s);

/* In a child after fork(): forget the parent's thread (it does not exist
 * here), re-initialise the locks, re-expand the path with the child's pid and
 * open the child's log (its own file with %p, else the same file under a new
 * header).  Call smp_start() afterwards to sample in the child. */
int smp_after_fork_child(smp_sampler *s, la_error *err);

/* The program's name as %n and the log header give it: `given` if not
 * NULL, else PROC_ROOT/self/comm (proc_root NULL: /proc).  malloc'd; NULL
 * when out of memory. */
char *smp_program_name(const char *given, const char *proc_root);

#endif
