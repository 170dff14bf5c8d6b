/* rlog_gzip: compress one rotated file with zlib, crash-safely: the output
 * is written to DST.tmp, fsync'd, then renamed to DST, so DST is either
 * absent or complete.  The caller removes SRC afterwards. */
#include "rlog.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <zlib.h>

#define GZIP_CHUNK (128 * 1024)

/* Copy everything from fd `in` into the gzip stream.  0 or -1 (err set). */
static int deflate_fd(int in, gzFile gz, const char *src, la_error *err)
{
    char *buf = malloc(GZIP_CHUNK);
    if (buf == NULL)
        return la_error_set(err, "out of memory");
    int rc = -1;
    for (;;) {
        ssize_t n = read(in, buf, GZIP_CHUNK);
        if (n < 0 && errno == EINTR)
            continue;
        if (n < 0) {
            la_error_errno(err, errno, "cannot read %s", src);
            goto out;
        }
        if (n == 0)
            break;
        if (gzwrite(gz, buf, (unsigned)n) != (int)n) {
            int zerr;
            const char *msg = gzerror(gz, &zerr);
            la_error_set(err, "cannot compress %s: %s", src,
                         zerr == Z_ERRNO ? strerror(errno) : msg);
            goto out;
        }
    }
    rc = 0;
out:
    free(buf);
    return rc;
}

int rlog_gzip_file(const char *src, const char *dst, la_error *err)
{
    char tmp[4096];
    if (snprintf(tmp, sizeof tmp, "%s.tmp", dst) >= (int)sizeof tmp)
        return la_error_set(err, "path too long: %s", dst);
    int in = open(src, O_RDONLY | O_CLOEXEC);
    if (in < 0)
        return la_error_errno(err, errno, "cannot open %s", src);
    int out = open(tmp, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
    if (out < 0) {
        la_error_errno(err, errno, "cannot create %s", tmp);
        close(in);
        return -1;
    }
    int rc = -1;
    /* gzclose closes the descriptor it was given.  Not dup(): its copy
     * would lack close-on-exec, and a host thread may exec meanwhile. */
    int gz_fd = fcntl(out, F_DUPFD_CLOEXEC, 0);
    gzFile gz = gz_fd >= 0 ? gzdopen(gz_fd, "wb6") : NULL;
    if (gz == NULL) {
        la_error_set(err, "cannot start compressing %s", tmp);
        if (gz_fd >= 0)
            close(gz_fd);
        goto out;
    }
    gzbuffer(gz, GZIP_CHUNK);
    int copied = deflate_fd(in, gz, src, err);
    int closed = gzclose(gz);
    if (copied != 0)
        goto out;
    if (closed != Z_OK) {
        la_error_set(err, "cannot finish %s (disk full?)", tmp);
        goto out;
    }
    if (fsync(out) != 0) {
        la_error_errno(err, errno, "cannot sync %s", tmp);
        goto out;
    }
    if (rename(tmp, dst) != 0) {
        la_error_errno(err, errno, "cannot rename %s to %s", tmp, dst);
        goto out;
    }
    rc = 0;
out:
    close(out);
    close(in);
    if (rc != 0)
        unlink(tmp);
    return rc;
}
