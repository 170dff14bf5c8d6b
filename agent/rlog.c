/* rlog: the live log file, its reopening when moved or deleted from outside,
 * and rotation with retention (see rlog.h for the protocol).
 *
 * Locks are flock(2) locks shared with other processes writing the same
 * path: LOCK_SH on the live file around each write, LOCK_EX on it while it is
 * renamed away, LOCK_EX on its directory for a whole rotation.  A writer that
 * finds, under its shared lock, that its descriptor no longer is `path`
 * reopens instead of writing into a file that is being rotated.
 *
 * No wait is unbounded: a peer can be stopped while it holds a lock (a
 * debugger, SIGSTOP, a frozen container), and the host waits on us (its
 * sample_now, its exit joining our thread).  The live file's lock is held
 * for one write or one rename: we wait for it at most lock_wait_ms, then
 * give up on this write (reported; the next one tries again).  The
 * directory's lock is held for a whole rotation, gzip included: if another
 * process has it, it is rotating, and we leave the rotation to it (it
 * renames our file away too, or rotates another log of the directory: ours
 * is tried again after the next write).  A signal handler of the host that
 * interrupts a wait (EINTR) does not end it.
 *
 * Cut lines.  A write cut short (disk full, a file size limit) is taken back
 * with ftruncate, so a snapshot is in the file whole or not at all.  When it
 * cannot be (another process appended after it), and when a file is opened
 * that ends in the middle of a line (a crash cut a write), the next write
 * first ends that line with CUT_MARK: a cut count line ("dict 37" of
 * "dict 378631") must never read as a count, nor the header we append be
 * glued to it.  "dict 37<cut>" is a garbage line every reader skips. */
#include "rlog.h"

#include "la_file.h"
#include "rlog_gzip.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <sys/uio.h>
#include <unistd.h>

/* Ends a line a write left unfinished; see "Cut lines" above. */
#define CUT_MARK "<cut>\n"

struct rlog {
    char *path;           /* the live file */
    const char *base;     /* its name in dir (points into path) */
    char *dir;            /* its directory, locked during rotation */
    mode_t mode;          /* of the files we create */
    uint64_t max_size;
    unsigned keep;
    bool compress;
    char *header;
    int fd;               /* -1 while closed (directory gone, ...) */
    bool header_pending;  /* next write starts with the header */
    bool cut_line;        /* the file ends mid-line: CUT_MARK first */
    off_t end;            /* where our last write to fd ended (truncation check) */
    int64_t lock_wait_ns; /* longest wait for the live file's lock */
    la_clock clock;       /* times that wait */
    uint64_t rotations;
    bool rotating;        /* we hold the directory's lock (rotate) */
};

/* ---- naming ----------------------------------------------------------- */

/* "NAME.N" or "NAME.N.gz" into out (PATH_MAX): the name in the directory
 * (what the rotation renames, relative to the directory's descriptor), or
 * the whole path (for messages). */
static void rotated_name(const rlog *log, unsigned n, bool gz, bool whole, char *out)
{
    snprintf(out, PATH_MAX, "%s.%u%s", whole ? log->path : log->base, n, gz ? ".gz" : "");
}

/* ---- the live file ---------------------------------------------------- */

/* flock(2) the live file, waiting at most log->lock_wait_ns (polling, so
 * that a signal handler does not end the wait).  0, or -1 with errno
 * (EWOULDBLOCK: the time is up). */
static int lock_fd(const rlog *log, int fd, int op)
{
    int64_t nap_ns = 1000000;               /* 1 ms, doubling up to 64 ms */
    const la_clock *c = &log->clock;
    int64_t deadline = c->mono_ns(c->ud) + log->lock_wait_ns;
    for (;;) {
        if (flock(fd, op | LOCK_NB) == 0)
            return 0;
        if (errno != EWOULDBLOCK && errno != EINTR)
            return -1;
        if (c->mono_ns(c->ud) >= deadline) {
            errno = EWOULDBLOCK;
            return -1;
        }
        la_clock_nap(c, nap_ns);    /* a signal may end it early: fine */
        if (nap_ns < 64000000)
            nap_ns *= 2;
    }
}

/* err for a failed lock_fd() of the live file. */
static int lock_error(const rlog *log, la_error *err)
{
    if (errno == EWOULDBLOCK)
        return la_error_set(err, "log %s stays locked by another process (stopped in a rotation?)",
                            log->path);
    return la_error_errno(err, errno, "cannot lock log %s", log->path);
}

/* True if our descriptor still is the file at `path` (not moved, deleted);
 * its fstat goes to *fs. */
static bool fd_is_live(const rlog *log, struct stat *fs)
{
    struct stat ps;
    if (fstat(log->fd, fs) != 0 || fs->st_nlink == 0)
        return false;
    if (stat(log->path, &ps) != 0)
        return false;
    return fs->st_dev == ps.st_dev && fs->st_ino == ps.st_ino;
}

static void close_live(rlog *log)
{
    if (log->fd >= 0)
        close(log->fd);
    log->fd = -1;
    log->header_pending = true;
}

/* True if the file of fd (size bytes) does not end with a newline: a write
 * was cut there.  Without read access (a write-only file) we cannot tell. */
static bool ends_mid_line(int fd, off_t size)
{
    char last;
    return size > 0 && pread(fd, &last, 1, size - 1) == 1 && last != '\n';
}

/* Open (create) the live file.  A FIFO or a socket is refused: a write
 * there blocks as long as its reader pleases, with the host waiting on us
 * (at exit, to join the thread).  O_NONBLOCK keeps the open itself from
 * waiting for a FIFO's reader.  Under an exclusive lock, so that no other
 * process's write is half done, look whether the file ends mid-line. */
static int open_live(rlog *log, la_error *err)
{
    const int flags = O_APPEND | O_CREAT | O_NONBLOCK;
    char shown[PATH_MAX + 8];
    struct stat st;
    snprintf(shown, sizeof shown, "log %s", log->path);
    int dfd = open(log->dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
    if (dfd < 0)
        return la_error_errno(err, errno, "cannot open %s", shown);
    int fd = la_file_open(dfd, log->base, shown, O_RDWR | flags, log->mode, err);
    if (fd < 0 && errno == EACCES)
        fd = la_file_open(dfd, log->base, shown, O_WRONLY | flags, log->mode, err);
    close(dfd);
    if (fd < 0)
        return -1;
    if (fstat(fd, &st) == 0 && (S_ISFIFO(st.st_mode) || S_ISSOCK(st.st_mode))) {
        close(fd);
        return la_error_set(err, "cannot open log %s: a pipe or socket, not a file", log->path);
    }
    if (fd <= STDERR_FILENO) {
        /* The host runs with stdio closed: 0-2 are its to reopen (dup2 as
         * it daemonizes), and fd 2 is where our warnings go. */
        int high = fcntl(fd, F_DUPFD_CLOEXEC, STDERR_FILENO + 1);
        int saved = errno;
        close(fd);
        if (high < 0)
            return la_error_errno(err, saved, "cannot open log %s", log->path);
        fd = high;
    }
    fcntl(fd, F_SETFL, fcntl(fd, F_GETFL) & ~O_NONBLOCK);
    log->fd = fd;
    log->header_pending = true;
    log->cut_line = false;
    log->end = 0;
    if (lock_fd(log, fd, LOCK_EX) == 0) {
        if (fstat(fd, &st) == 0) {
            log->cut_line = ends_mid_line(fd, st.st_size);
            log->end = st.st_size;
        }
        flock(fd, LOCK_UN);
    }
    return 0;
}

/* Take back the n bytes our last write appended, if no one appended after
 * them.  Called under our shared lock, which it turns exclusive (no other
 * agent is then inside a write); the caller unlocks.  0, or -1 if the bytes
 * stay. */
static int undo_append(rlog *log, size_t n)
{
    off_t end = lseek(log->fd, 0, SEEK_CUR);    /* O_APPEND: the end of ours */
    struct stat st;
    if (end < (off_t)n || lock_fd(log, log->fd, LOCK_EX) != 0)
        return -1;
    if (fstat(log->fd, &st) == 0 && st.st_size == end &&
        ftruncate(log->fd, end - (off_t)n) == 0)
        return 0;
    return -1;
}

/* The last byte of the first n bytes of iov[0..n_iov). */
static char last_byte_written(const struct iovec *iov, int n_iov, size_t n)
{
    for (int i = 0; i < n_iov; i++) {
        if (n <= iov[i].iov_len)
            return ((const char *)iov[i].iov_base)[n - 1];
        n -= iov[i].iov_len;
    }
    return '\n';
}

/* One writev() (atomic against other O_APPEND writers of regular files) of
 * the pending cut mark, the pending header and data.  0 or -1; a write cut
 * short is taken back if it can be (see "Cut lines"). */
static int append_locked(rlog *log, const char *data, size_t len, la_error *err)
{
    struct iovec iov[3];
    int n_iov = 0;
    size_t total = 0;
    if (log->cut_line)
        iov[n_iov++] = (struct iovec){(void *)CUT_MARK, strlen(CUT_MARK)};
    if (log->header_pending && log->header[0])
        iov[n_iov++] = (struct iovec){log->header, strlen(log->header)};
    if (len)
        iov[n_iov++] = (struct iovec){(void *)data, len};
    for (int i = 0; i < n_iov; i++)
        total += iov[i].iov_len;
    if (total == 0)
        return 0;
    ssize_t n;
    do
        n = writev(log->fd, iov, n_iov);
    while (n < 0 && errno == EINTR);
    if (n < 0)
        return la_error_errno(err, errno, "cannot write log %s", log->path);
    if ((size_t)n < total) {
        /* Part of it went out (disk full, a file size limit). */
        if (n > 0 && undo_append(log, (size_t)n) != 0)
            log->cut_line = last_byte_written(iov, n_iov, (size_t)n) != '\n';
        return la_error_set(err, "cannot write log %s: short write (disk full?)", log->path);
    }
    log->cut_line = false;
    log->header_pending = false;
    off_t end = lseek(log->fd, 0, SEEK_CUR);
    log->end = end > 0 ? end : 0;
    return 0;
}

#define REPLACED 1

/* One try at writing under a shared lock: 0, -1 with err set, or REPLACED
 * if the file was moved or deleted since we opened it (now closed). */
static int append_once(rlog *log, const char *data, size_t len, la_error *err)
{
    if (log->fd < 0 && open_live(log, err) != 0)
        return -1;
    if (lock_fd(log, log->fd, LOCK_SH) != 0)
        return lock_error(log, err);
    struct stat st;
    if (!fd_is_live(log, &st)) {
        flock(log->fd, LOCK_UN);
        close_live(log);
        return REPLACED;
    }
    if (st.st_size < log->end) {
        /* Truncated from outside (logrotate's copytruncate): what we
         * wrote is gone, the file starts again with a header. */
        log->header_pending = true;
        log->cut_line = false;
    }
    int rc = append_locked(log, data, len, err);
    flock(log->fd, LOCK_UN);
    return rc;
}

/* The directory, open and locked shared (a rotation needs it exclusive, so
 * none starts while we hold it); -1 if it cannot be had in lock_wait_ms. */
static int hold_off_rotations(const rlog *log)
{
    int dfd = open(log->dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
    if (dfd >= 0 && lock_fd(log, dfd, LOCK_SH) != 0) {
        close(dfd);
        dfd = -1;
    }
    return dfd;
}

/* Write, reopening if the file was replaced.  Peers rotating the shared
 * file can win the race between our open and our lock again and again: the
 * last try holds rotations off.  Someone renaming the file without our
 * locks (logrotate) can still win it. */
static int append(rlog *log, const char *data, size_t len, la_error *err)
{
    int rc = append_once(log, data, len, err);
    if (rc == REPLACED)
        rc = append_once(log, data, len, err);
    if (rc == REPLACED) {
        int dfd = log->rotating ? -1 : hold_off_rotations(log);
        rc = append_once(log, data, len, err);
        if (dfd >= 0) {
            flock(dfd, LOCK_UN);
            close(dfd);
        }
    }
    if (rc == REPLACED)
        return la_error_set(err, "log %s keeps being replaced; snapshot not written", log->path);
    return rc;
}

/* ---- rotation --------------------------------------------------------- */

/* Complete a rotation a crash interrupted (compress mode): path.1 is the
 * raw file renamed away; if path.1.gz exists it was compressed already (the
 * shift below always moves an older path.1.gz away first). */
static int finish_interrupted(rlog *log, int dfd, la_error *err)
{
    char raw[PATH_MAX], gz[PATH_MAX], tmp[PATH_MAX + 8], shown[PATH_MAX];
    rotated_name(log, 1, false, false, raw);
    rotated_name(log, 1, true, false, gz);
    rotated_name(log, 1, false, true, shown);
    snprintf(tmp, sizeof tmp, "%s.tmp", gz);
    if (faccessat(dfd, raw, F_OK, AT_SYMLINK_NOFOLLOW) != 0) {
        unlinkat(dfd, tmp, 0);  /* a crash while compressing: path.1 was gone already */
        return 0;
    }
    if (faccessat(dfd, gz, F_OK, AT_SYMLINK_NOFOLLOW) != 0 &&
        rlog_gzip_file(dfd, log->dir, raw, gz, log->mode, err) != 0)
        return -1;
    return unlinkat(dfd, raw, 0) == 0 ? 0 : la_error_errno(err, errno, "cannot remove %s", shown);
}

/* Retention: drop the oldest, move path.N to path.N+1.  Pure renames. */
static int shift_rotated(rlog *log, int dfd, la_error *err)
{
    char from[PATH_MAX], to[PATH_MAX], shown[PATH_MAX];
    rotated_name(log, log->keep, log->compress, false, to);
    if (unlinkat(dfd, to, 0) != 0 && errno != ENOENT) {
        rotated_name(log, log->keep, log->compress, true, shown);
        return la_error_errno(err, errno, "cannot remove %s", shown);
    }
    for (unsigned n = log->keep - 1; n >= 1; n--) {
        rotated_name(log, n, log->compress, false, from);
        rotated_name(log, n + 1, log->compress, false, to);
        if (renameat(dfd, from, dfd, to) != 0 && errno != ENOENT) {
            rotated_name(log, n, log->compress, true, shown);
            return la_error_errno(err, errno, "cannot rename %s to .%u", shown, n + 1);
        }
    }
    return 0;
}

/* Rename the live file away (or delete it with keep 0) while holding its
 * exclusive lock, so no writer is inside it; then start a fresh one. */
static int retire_live(rlog *log, int dfd, la_error *err)
{
    char first[PATH_MAX];
    rotated_name(log, 1, false, false, first);
    if (lock_fd(log, log->fd, LOCK_EX) != 0)
        return lock_error(log, err);
    int rc = log->keep == 0 ? unlinkat(dfd, log->base, 0)
                            : renameat(dfd, log->base, dfd, first);
    if (rc != 0)
        la_error_errno(err, errno, "cannot rotate %s", log->path);
    flock(log->fd, LOCK_UN);
    if (rc != 0)
        return -1;
    close_live(log);
    if (open_live(log, err) != 0)
        return -1;
    return append(log, NULL, 0, err);   /* the new file's header */
}

#define DIR_BUSY (-2)

/* The directory, open and locked exclusively; -1 with err set, or DIR_BUSY
 * if another process holds the lock (it is rotating: see the top). */
static int lock_dir(const rlog *log, la_error *err)
{
    int dfd = open(log->dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
    if (dfd < 0)
        return la_error_errno(err, errno, "cannot open directory %s", log->dir);
    int rc;
    do
        rc = flock(dfd, LOCK_EX | LOCK_NB);
    while (rc != 0 && errno == EINTR);
    if (rc != 0) {
        rc = errno == EWOULDBLOCK ? DIR_BUSY
                                  : la_error_errno(err, errno, "cannot lock directory %s", log->dir);
        close(dfd);
        return rc;
    }
    return dfd;
}

static int rotate(rlog *log, la_error *err)
{
    int dfd = lock_dir(log, err);
    if (dfd == DIR_BUSY)
        return 0;           /* tried again after the next write */
    if (dfd < 0)
        return -1;
    int rc = 0;
    struct stat st;
    if (!fd_is_live(log, &st)) {
        /* Another process rotated while we waited: write to its new file. */
        close_live(log);
        goto out;
    }
    if ((uint64_t)st.st_size <= log->max_size)
        goto out;
    log->rotating = true;   /* retire_live's append: the lock is ours */
    if ((log->compress && finish_interrupted(log, dfd, err) != 0) ||
        (log->keep > 0 && shift_rotated(log, dfd, err) != 0) ||
        retire_live(log, dfd, err) != 0) {
        rc = -1;
        goto out;
    }
    log->rotations++;
    if (log->compress && log->keep > 0)
        rc = finish_interrupted(log, dfd, err);   /* compress path.1 now */
out:
    log->rotating = false;
    flock(dfd, LOCK_UN);
    close(dfd);
    return rc;
}

/* ---- public ----------------------------------------------------------- */

rlog *rlog_open(const rlog_options *opt, la_error *err)
{
    rlog *log = calloc(1, sizeof *log);
    if (log == NULL) {
        la_error_set(err, "out of memory");
        return NULL;
    }
    log->fd = -1;
    log->lock_wait_ns = (int64_t)(opt->lock_wait_ms ? opt->lock_wait_ms : RLOG_LOCK_WAIT_MS) * 1000000;
    log->max_size = opt->max_size;
    log->keep = opt->keep;
    log->compress = opt->compress;
    log->mode = opt->mode ? opt->mode : RLOG_MODE;
    log->clock = opt->clock ? *opt->clock : la_real_clock;
    log->path = strdup(opt->path);
    log->dir = log->path ? la_file_split(log->path, &log->base) : NULL;
    log->header = strdup(opt->header ? opt->header : "");
    if (log->path == NULL || log->dir == NULL || log->header == NULL) {
        la_error_set(err, "out of memory");
        goto fail;
    }
    if (strlen(log->path) + 16 >= PATH_MAX) {
        la_error_set(err, "log path too long: %s", log->path);
        goto fail;
    }
    int rc = open_live(log, err);
    if (rc == 0 && log->compress && log->keep > 0) {
        la_error ignored;
        int dfd = lock_dir(log, &ignored);
        if (dfd >= 0) {
            /* Not fatal: the next rotation tries again. */
            finish_interrupted(log, dfd, &ignored);
            flock(dfd, LOCK_UN);
            close(dfd);
        }
    }
    if (rc == 0)
        rc = append(log, NULL, 0, err);
    if (rc != 0 && !opt->open_later)
        goto fail;
    return log;
fail:
    rlog_close(log);
    return NULL;
}

int rlog_write(rlog *log, const char *data, size_t len, bool *written, la_error *err)
{
    bool ignored;
    written = written ? written : &ignored;
    *written = false;
    if (append(log, data, len, err) != 0)
        return -1;
    *written = true;
    if (log->max_size == 0)
        return 0;
    struct stat st;
    if (fstat(log->fd, &st) != 0 || (uint64_t)st.st_size <= log->max_size)
        return 0;
    la_error why;
    if (rotate(log, &why) != 0)
        return la_error_set(err, "snapshot written, but rotation failed: %s", why.msg);
    return 0;
}

int rlog_set_header(rlog *log, const char *header)
{
    char *copy = strdup(header);
    if (copy == NULL)
        return -1;
    free(log->header);
    log->header = copy;
    return 0;
}

uint64_t rlog_rotations(const rlog *log)
{
    return log->rotations;
}

void rlog_close(rlog *log)
{
    if (log == NULL)
        return;
    if (log->fd >= 0)
        close(log->fd);
    free(log->path);
    free(log->dir);
    free(log->header);
    free(log);
}
