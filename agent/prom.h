/* prom: the latest snapshot as a Prometheus textfile (prometheus.textfile),
 * for node_exporter's textfile collector.
 *
 * The file is written whole to "PATH.tmp.PID" and renamed over PATH, so the
 * collector never reads half a file.  Metrics (all gauges, labelled with
 * program and pid so that several workers can write side by side):
 *   python_objects{type="dict"}            live objects by type
 *   python_resident_memory_bytes           the rss gauge
 *   python_allocated_blocks                the blocks gauge
 *   python_gc_objects                      the gc_objects gauge
 *   leakagent_sample_seconds               the sample_ms gauge, in seconds
 *   leakagent_gauge{name="other"}          any other gauge
 *   leakagent_snapshot_timestamp_seconds   when the snapshot was taken
 * Pure formatting plus one file write; no locks, no threads. */
#ifndef LA_PROM_H
#define LA_PROM_H

#include "la_error.h"
#include "logfmt.h"
#include "snap.h"

/* Append the exposition text of snap to out.  0 or -1 (out of memory). */
int prom_format(logfmt_buf *out, const snapshot *snap, const char *program);

/* Format snap and replace the file at path atomically: PATH.tmp.PID is
 * created anew with `mode` (0: PROM_MODE) in path's directory, never through
 * a link planted there (la_file.h), then renamed over path.  0 or -1 (err
 * set; the old file, if any, is left as it was). */
int prom_write_textfile(const char *path, const snapshot *snap, const char *program,
                               unsigned mode, logfmt_buf *scratch, la_error *err);

/* node_exporter, which reads the textfile, runs as its own user. */
#define PROM_MODE 0644

/* Remove the "PATH.tmp.PID" files of processes that no longer exist: a
 * crash between the write and the rename of prom_write_textfile leaves one.
 * Best effort, silent. */
void prom_remove_stale_tmp(const char *path);

/* Remove the textfiles of processes that are gone: in directory dir, the
 * regular files named prefix + PID + suffix whose PID is not this process,
 * names no live process (kill(PID, 0) fails with ESRCH) and that were not
 * rewritten for max_age_s seconds (a live agent in another PID namespace
 * sharing the directory keeps its file fresh).  A process that exits without
 * removing its own file (killed, os._exit()) leaves one, and node_exporter
 * would expose it forever.  Best effort, silent. */
void prom_remove_dead(const char *dir, const char *prefix, const char *suffix,
                             double max_age_s);

#endif
