/* lp_files: which files a LOG argument stands for.
 *
 * A LOG argument brings its rotated siblings along (DESIGN.md, Rotation):
 * LOG.N.gz or LOG.N (oldest, highest N) ... LOG.1, then LOG itself, which
 * is the order their snapshots were written in.  When a crash left both
 * LOG.N and LOG.N.gz (the compressed copy was complete before LOG.N would
 * have been unlinked) only the plain one is read.  A missing LOG is fine
 * while rotated siblings exist (logrotate may have just moved it). */
#ifndef LP_FILES_H
#define LP_FILES_H

#include <stddef.h>

#include "lp_error.h"

typedef struct lp_file_list {
    char **paths;        /* owned, oldest first */
    size_t n;
} lp_file_list;

/* Fill out (zeroed by the caller) with the files of `log`.  0, or -1 with
 * err naming `log` when neither it nor a sibling exists. */
int lp_files_expand(const char *log, lp_file_list *out, lp_error *err);

/* Free the paths; accepts a zeroed list. */
void lp_files_free(lp_file_list *list);

#endif
