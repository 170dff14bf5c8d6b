/* rlog_gzip: compress one rotated file with zlib, crash-safely: the output
 * is written to DST.tmp, fsync'd, then renamed to DST, so DST is either
 * absent or complete.  The caller removes SRC afterwards. */
#include "rlog_gzip.h"

#include "la_file.h"

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

int rlog_gzip_file(int dfd, const char *dir, const char *src, const char *dst, mode_t mode,
                   la_error *err)
{
    char tmp[4096], src_shown[4200], tmp_shown[4200];
    if (snprintf(tmp, sizeof tmp, "%s.tmp", dst) >= (int)sizeof tmp)
        return la_error_set(err, "path too long: %s/%s", dir, dst);
    snprintf(src_shown, sizeof src_shown, "%s/%s", dir, src);
    snprintf(tmp_shown, sizeof tmp_shown, "%s/%s", dir, tmp);
    int in = la_file_open(dfd, src, src_shown, O_RDONLY, 0, err);
    if (in < 0)
        return -1;
    int out = la_file_create_new(dfd, tmp, tmp_shown, mode, err);
    if (out < 0) {
        close(in);
        return -1;
    }
    int rc = -1;
    /* gzclose closes the descriptor it was given.  Not dup(): its copy
     * would lack close-on-exec, and a host thread may exec meanwhile. */
    int gz_fd = fcntl(out, F_DUPFD_CLOEXEC, 0);
    gzFile gz = gz_fd >= 0 ? gzdopen(gz_fd, "wb6") : NULL;
    if (gz == NULL) {
        la_error_set(err, "cannot start compressing %s", tmp_shown);
        if (gz_fd >= 0)
            close(gz_fd);
        goto out;
    }
    gzbuffer(gz, GZIP_CHUNK);
    int copied = deflate_fd(in, gz, src_shown, err);
    int closed = gzclose(gz);
    if (copied != 0)
        goto out;
    if (closed != Z_OK) {
        la_error_set(err, "cannot finish %s (disk full?)", tmp_shown);
        goto out;
    }
    if (fsync(out) != 0) {
        la_error_errno(err, errno, "cannot sync %s", tmp_shown);
        goto out;
    }
    if (renameat(dfd, tmp, dfd, dst) != 0) {
        la_error_errno(err, errno, "cannot rename %s to %s/%s", tmp_shown, dir, dst);
        goto out;
    }
    rc = 0;
out:
    close(out);
    close(in);
    if (rc != 0)
        unlinkat(dfd, tmp, 0);
    return rc;
}
