/* la_file: opening and creating the agent's files in a directory that other
 * users may be able to write to (/tmp, a group-writable /var/log/app).
 *
 * There, anyone who can write the directory can plant a symbolic or hard
 * link at a name the agent is about to open, and have the agent (often
 * root) truncate or append to the file it points to.  So every name is
 * opened relative to its directory's descriptor, and:
 * - a temporary (LOG.1.gz.tmp, the textfile's .tmp.PID) is always created
 *   anew: whatever is at its name is unlinked (unlink never follows a link),
 *   then the name is created O_CREAT|O_EXCL|O_NOFOLLOW, so a link planted in
 *   between fails the create;
 * - an existing file the agent reads or appends to (the live log, a rotated
 *   LOG.1) is opened O_NOFOLLOW in a shared directory, and refused there
 *   unless it is a regular file of ours with one link.  In a directory only
 *   its owner can write (and that owner is us or root), links are the
 *   owner's business and are followed as before.
 * Files the agent creates get exactly `mode` (the umask does not apply:
 * the config says what it wants). */
#ifndef LA_FILE_H
#define LA_FILE_H

#include <stdbool.h>
#include <sys/types.h>

#include "la_error.h"

/* The directory part of path ("." for a bare name, "/" for "/x"), malloc'd;
 * *base points at the last component inside path.  NULL when out of memory. */
char *la_file_split(const char *path, const char **base);

/* True if the directory open at dfd can be written by anyone but us and
 * root: group- or world-writable, or owned by another user. */
bool la_file_dir_shared(int dfd);

/* Create `name` in dfd anew for writing (see the top), mode exactly `mode`.
 * Returns the descriptor (close-on-exec), or -1 with err naming `shown`
 * (the path as the user wrote it). */
int la_file_create_new(int dfd, const char *name, const char *shown, mode_t mode, la_error *err);

/* Open `name` in dfd with `flags` (O_RDONLY, or O_WRONLY|O_APPEND|O_CREAT
 * ...; O_CLOEXEC is added); a file it creates gets exactly `mode`.  In a
 * shared directory links are not followed, and a file that is not a regular
 * file of ours with one link is refused.  Returns the descriptor, or -1
 * with err naming `shown` (errno then is ELOOP, EPERM or open's own). */
int la_file_open(int dfd, const char *name, const char *shown, int flags, mode_t mode,
                 la_error *err);

#endif
