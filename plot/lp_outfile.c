/* lp_outfile: temporary file, then rename (lp_outfile.h). */
#include "lp_outfile.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

int lp_outfile_open(lp_outfile *o, const char *final, lp_error *err)
{
    o->write_errno = 0;
    snprintf(o->final, sizeof o->final, "%s", final);
    for (unsigned n = 0; n < 100; n++) {
        snprintf(o->tmp, sizeof o->tmp, "%s.tmp.%ld.%u", final, (long)getpid(), n);
        o->fd = open(o->tmp, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0666);
        if (o->fd >= 0 || errno != EEXIST)
            break;
    }
    if (o->fd < 0)
        return lp_error_set(err, "%s: cannot create %s: %s", final, o->tmp, strerror(errno));
    return 0;
}

int lp_outfile_write(lp_outfile *o, const void *data, size_t len)
{
    const char *p = data;
    while (len > 0 && o->write_errno == 0) {
        ssize_t n = write(o->fd, p, len);
        if (n < 0 && errno == EINTR)
            continue;
        if (n <= 0) {
            o->write_errno = n < 0 ? errno : EIO;
            break;
        }
        p += n;
        len -= (size_t)n;
    }
    return o->write_errno ? -1 : 0;
}

int lp_outfile_commit(lp_outfile *o, lp_error *err)
{
    if (close(o->fd) != 0 && o->write_errno == 0)
        o->write_errno = errno;
    if (o->write_errno != 0)
        lp_error_set(err, "%s: %s", o->final, strerror(o->write_errno));
    else if (rename(o->tmp, o->final) != 0)
        lp_error_set(err, "%s: %s", o->final, strerror(errno));
    else
        return 0;
    unlink(o->tmp);
    return -1;
}

void lp_outfile_abort(lp_outfile *o)
{
    close(o->fd);
    unlink(o->tmp);
}
