/* rlog: the live log file, its reopening when moved or deleted from outside,
 * and rotation with retention (see rlog.h for the protocol).
 *
 * Locks are flock(2) locks shared with other processes writing the same
 * path: LOCK_SH on the live file around each write, LOCK_EX on it while it is
 * renamed away, LOCK_EX on its directory for a whole rotation.  A writer that
 * finds, under its shared lock, that its descriptor no longer is `path`
 * reopens instead of writing into a file that is being rotated. */
#include "rlog.h"

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

struct rlog {
    char *path;           /* the live file */
    char *dir;            /* its directory, locked during rotation */
    uint64_t max_size;
    unsigned keep;
    bool compress;
    char *header;
    int fd;               /* -1 while closed (directory gone, ...) */
    bool header_pending;  /* next write starts with the header */
    bool need_newline;    /* last write was cut short: end that line first */
    uint64_t rotations;
};

/* ---- naming ----------------------------------------------------------- */

/* "path.N" or "path.N.gz" into out (PATH_MAX). */
static void rotated_name(const rlog *log, unsigned n, bool gz, char *out)
{
    snprintf(out, PATH_MAX, "%s.%u%s", log->path, n, gz ? ".gz" : "");
}

static char *dir_of(const char *path)
{
    const char *slash = strrchr(path, '/');
    if (slash == NULL)
        return strdup(".");
    if (slash == path)
        return strdup("/");
    return strndup(path, (size_t)(slash - path));
}

/* ---- the live file ---------------------------------------------------- */

/* True if our descriptor still is the file at `path` (not moved, deleted). */
static bool fd_is_live(const rlog *log)
{
    struct stat fs, ps;
    if (fstat(log->fd, &fs) != 0 || fs.st_nlink == 0)
        return false;
    if (stat(log->path, &ps) != 0)
        return false;
    return fs.st_dev == ps.st_dev && fs.st_ino == ps.st_ino;
}

static void close_live(rlog *log)
{
    if (log->fd >= 0)
        close(log->fd);
    log->fd = -1;
    log->header_pending = true;
}

static int open_live(rlog *log, la_error *err)
{
    int fd = open(log->path, O_WRONLY | O_APPEND | O_CREAT | O_CLOEXEC, 0644);
    if (fd < 0)
        return la_error_errno(err, errno, "cannot open log %s", log->path);
    log->fd = fd;
    log->header_pending = true;
    return 0;
}

/* One writev() (atomic against other O_APPEND writers of regular files) of
 * the pending newline, the pending header and data.  0 or -1. */
static int append_locked(rlog *log, const char *data, size_t len, la_error *err)
{
    struct iovec iov[3];
    int n_iov = 0;
    size_t total = 0;
    if (log->need_newline)
        iov[n_iov++] = (struct iovec){(void *)"\n", 1};
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
        /* Part of a snapshot went out (disk full): the reader skips the
         * truncated tail; we end that line before the next snapshot. */
        log->need_newline = true;
        return la_error_set(err, "cannot write log %s: short write (disk full?)", log->path);
    }
    log->need_newline = false;
    log->header_pending = false;
    return 0;
}

/* Write under a shared lock, reopening once if the file was replaced. */
static int append(rlog *log, const char *data, size_t len, la_error *err)
{
    for (int attempt = 0; attempt < 3; attempt++) {
        if (log->fd < 0 && open_live(log, err) != 0)
            return -1;
        if (flock(log->fd, LOCK_SH) != 0)
            return la_error_errno(err, errno, "cannot lock log %s", log->path);
        if (!fd_is_live(log)) {
            flock(log->fd, LOCK_UN);
            close_live(log);
            /* A partial line belonged to the old file. */
            log->need_newline = false;
            continue;
        }
        int rc = append_locked(log, data, len, err);
        flock(log->fd, LOCK_UN);
        return rc;
    }
    return la_error_set(err, "log %s keeps being replaced; snapshot not written", log->path);
}

/* ---- rotation --------------------------------------------------------- */

/* Complete a rotation a crash interrupted (compress mode): path.1 is the
 * raw file renamed away; if path.1.gz exists it was compressed already (the
 * shift below always moves an older path.1.gz away first). */
static int finish_interrupted(rlog *log, la_error *err)
{
    char raw[PATH_MAX], gz[PATH_MAX], tmp[PATH_MAX + 8];
    rotated_name(log, 1, false, raw);
    rotated_name(log, 1, true, gz);
    snprintf(tmp, sizeof tmp, "%s.tmp", gz);
    if (access(raw, F_OK) != 0) {
        unlink(tmp);  /* a crash while compressing: path.1 was gone already */
        return 0;
    }
    if (access(gz, F_OK) == 0)
        return unlink(raw) == 0 ? 0 : la_error_errno(err, errno, "cannot remove %s", raw);
    if (rlog_gzip_file(raw, gz, err) != 0)
        return -1;
    return unlink(raw) == 0 ? 0 : la_error_errno(err, errno, "cannot remove %s", raw);
}

/* Retention: drop the oldest, move path.N to path.N+1.  Pure renames. */
static int shift_rotated(rlog *log, la_error *err)
{
    char from[PATH_MAX], to[PATH_MAX];
    rotated_name(log, log->keep, log->compress, to);
    if (unlink(to) != 0 && errno != ENOENT)
        return la_error_errno(err, errno, "cannot remove %s", to);
    for (unsigned n = log->keep - 1; n >= 1; n--) {
        rotated_name(log, n, log->compress, from);
        rotated_name(log, n + 1, log->compress, to);
        if (rename(from, to) != 0 && errno != ENOENT)
            return la_error_errno(err, errno, "cannot rename %s to %s", from, to);
    }
    return 0;
}

/* Rename the live file away (or delete it with keep 0) while holding its
 * exclusive lock, so no writer is inside it; then start a fresh one. */
static int retire_live(rlog *log, la_error *err)
{
    char first[PATH_MAX];
    rotated_name(log, 1, false, first);
    if (flock(log->fd, LOCK_EX) != 0)
        return la_error_errno(err, errno, "cannot lock log %s", log->path);
    int rc = log->keep == 0 ? unlink(log->path) : rename(log->path, first);
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

static int lock_dir(const rlog *log, la_error *err)
{
    int dfd = open(log->dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
    if (dfd < 0)
        return la_error_errno(err, errno, "cannot open directory %s", log->dir);
    if (flock(dfd, LOCK_EX) != 0) {
        la_error_errno(err, errno, "cannot lock directory %s", log->dir);
        close(dfd);
        return -1;
    }
    return dfd;
}

static int rotate(rlog *log, la_error *err)
{
    int dfd = lock_dir(log, err);
    if (dfd < 0)
        return -1;
    int rc = 0;
    if (!fd_is_live(log)) {
        /* Another process rotated while we waited: write to its new file. */
        close_live(log);
        goto out;
    }
    struct stat st;
    if (fstat(log->fd, &st) != 0 || (uint64_t)st.st_size <= log->max_size)
        goto out;
    if ((log->compress && finish_interrupted(log, err) != 0) ||
        (log->keep > 0 && shift_rotated(log, err) != 0) ||
        retire_live(log, err) != 0) {
        rc = -1;
        goto out;
    }
    log->rotations++;
    if (log->compress && log->keep > 0)
        rc = finish_interrupted(log, err);   /* compress path.1 now */
out:
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
    log->max_size = opt->max_size;
    log->keep = opt->keep;
    log->compress = opt->compress;
    log->path = strdup(opt->path);
    log->dir = dir_of(opt->path);
    log->header = strdup(opt->header ? opt->header : "");
    if (log->path == NULL || log->dir == NULL || log->header == NULL) {
        la_error_set(err, "out of memory");
        goto fail;
    }
    if (strlen(log->path) + 16 >= PATH_MAX) {
        la_error_set(err, "log path too long: %s", log->path);
        goto fail;
    }
    if (open_live(log, err) != 0)
        goto fail;
    if (log->compress && log->keep > 0) {
        la_error ignored;
        int dfd = lock_dir(log, &ignored);
        if (dfd >= 0) {
            /* Not fatal: the next rotation tries again. */
            finish_interrupted(log, &ignored);
            flock(dfd, LOCK_UN);
            close(dfd);
        }
    }
    if (append(log, NULL, 0, err) != 0)
        goto fail;
    return log;
fail:
    rlog_close(log);
    return NULL;
}

int rlog_write(rlog *log, const char *data, size_t len, la_error *err)
{
    if (append(log, data, len, err) != 0)
        return -1;
    if (log->max_size == 0)
        return 0;
    struct stat st;
    if (fstat(log->fd, &st) != 0 || (uint64_t)st.st_size <= log->max_size)
        return 0;
    la_error why;
    if (rotate(log, &why) != 0) {
        la_error_set(err, "snapshot written, but rotation failed: %s", why.msg);
        return RLOG_WRITTEN_NOT_ROTATED;
    }
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
