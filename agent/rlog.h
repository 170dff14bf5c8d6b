/* rlog: the rotating, self-compressing log file (DESIGN.md, "Rotation").
 *
 * Each rlog_write() is one write() on an O_APPEND descriptor, so several
 * processes may share a path without interleaving.  Before writing, the file
 * is checked against the path (inode, link count): if it was moved or
 * deleted from outside, the path is reopened with a fresh header; if it was
 * truncated (logrotate's copytruncate), the header is written again.  A
 * write cut short (disk full) is taken back, so the file holds a snapshot
 * whole or not at all; a line left unfinished (by a crash, or by a cut
 * write another process wrote after) is ended with "<cut>" before the next
 * write, so it never reads as a count.  After a
 * write that leaves the file larger than max_size, the file is rotated:
 *   path.(keep-1).gz -> path.keep.gz ... path.1.gz -> path.2.gz,
 *   path -> path.1, gzip path.1 -> path.1.gz.tmp -> path.1.gz, unlink path.1,
 *   and a fresh path is opened with a header.
 * Writers hold a shared flock on the live file while writing; the rotation
 * holds an exclusive one while renaming it, and rotations of one directory
 * are serialised by an exclusive flock on the directory, so no snapshot is
 * lost or written into a file being compressed.  A write that finds the
 * file renamed under it twice running tries once more holding the
 * directory's flock shared, so no peer's rotation wins a third time.  No
 * wait for a lock is unbounded (a peer may be stopped holding it): a write
 * waits at most lock_wait_ms, a rotation whose directory another process is
 * rotating is left to it.  A crash at any step loses
 * nothing: the next rotation (or rlog_open) finishes the interrupted one.
 *
 * Files are opened and created relative to the directory's descriptor, as
 * la_file.h says: in a directory others can write to, no link planted at
 * the log's name, at path.1 or at path.1.gz.tmp is ever followed, and a
 * file there that is not ours is refused (an error naming it, as for any
 * other failed write).  New files get opt->mode exactly.
 *
 * Not thread-safe: the caller serialises calls on one rlog. */
#ifndef LA_RLOG_H
#define LA_RLOG_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "la_clock.h"
#include "la_error.h"

typedef struct rlog_options {
    const char *path;     /* expanded path of the live file */
    uint64_t max_size;    /* rotate past this many bytes; 0 = never */
    unsigned keep;        /* rotated files kept */
    bool compress;        /* gzip rotated files */
    const char *header;   /* text written at the top of every file opened */
    unsigned lock_wait_ms; /* longest wait for the live file's lock; 0: RLOG_LOCK_WAIT_MS */
    bool open_later;      /* a failed open or header write is not fatal (below) */
    unsigned mode;        /* of the files it creates (log.mode); 0: RLOG_MODE */
    const la_clock *clock; /* times the lock waits; NULL: la_real_clock */
} rlog_options;

#define RLOG_LOCK_WAIT_MS 2000
#define RLOG_MODE 0640

typedef struct rlog rlog;

/* Open (create) the live file and append the header.  Finishes a rotation a
 * crash interrupted.  Returns NULL with err set if the file cannot be opened
 * or the header not written.  With opt->open_later, such a failure (the
 * directory gone, the disk full, the file replaced again and again by a
 * rotating peer) is left to the first rlog_write, which opens the file and
 * writes the header with its snapshot or reports why not; NULL then means
 * out of memory or a path too long only. */
rlog *rlog_open(const rlog_options *opt, la_error *err);

/* Append one snapshot (data, len) with a single write(), reopening the file
 * if needed, then rotate if it grew past max_size.  Returns 0, or -1 with
 * err set: either the snapshot was not written (disk full, directory gone:
 * the next call tries again; what a cut write put out was taken back if it
 * could be), or it was written but the rotation failed (tried again after
 * the next write).  *written (if not NULL) tells which.  Lock waits go on
 * through signal handlers (EINTR). */
int rlog_write(rlog *log, const char *data, size_t len, bool *written, la_error *err);

/* Replace the header text for files opened from now on. 0 or -1 (memory). */
int rlog_set_header(rlog *log, const char *header);

/* Number of rotations this rlog performed. */
uint64_t rlog_rotations(const rlog *log);

/* Close and free; log may be NULL. */
void rlog_close(rlog *log);

#endif
