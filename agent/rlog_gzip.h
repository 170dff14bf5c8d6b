/* rlog_gzip: compress one rotated file, crash-safely (used by rlog's
 * rotation; internal to libleakagent). */
#ifndef LA_RLOG_GZIP_H
#define LA_RLOG_GZIP_H

#include <sys/types.h>

#include "la_error.h"

/* gzip `src` into `dst`, both names in the directory open at dfd (`dir` is
 * its path, for messages): dst.tmp is created anew with `mode` (la_file.h:
 * never through a planted link), fsync'd, then renamed to dst, so dst is
 * either absent or complete.  src is opened as la_file_open does (in a
 * shared directory, only a regular file of ours).  0, or -1 with err set;
 * the caller removes src. */
int rlog_gzip_file(int dfd, const char *dir, const char *src, const char *dst, mode_t mode,
                   la_error *err);

#endif
