/* lp_outfile: writing an output file safely: into a new temporary of a
 * unique name next to it, then renamed over the final name, so that a
 * failed run never leaves half a file where the last good one was.
 *
 * The temporary is created O_EXCL|O_NOFOLLOW, so a link planted at its
 * name in a directory others can write to is never written through (the
 * final rename replaces a link at the final name, it does not follow it).
 * Mode 0666 less the umask, as any new file of the user's.  Used by the
 * renderer (PDF, SVG, PNG) and the DOT writer. */
#ifndef LP_OUTFILE_H
#define LP_OUTFILE_H

#include <stddef.h>

#include "lp_error.h"

typedef struct lp_outfile {
    int fd;
    int write_errno;        /* why a write failed, for the message */
    char tmp[4200];
    char final[4096];
} lp_outfile;

/* Create the temporary for `final`.  0, or -1 with err naming both. */
int lp_outfile_open(lp_outfile *o, const char *final, lp_error *err);

/* Write all of data.  0, or -1 (the first failure's errno is kept for
 * lp_outfile_commit's message). */
int lp_outfile_write(lp_outfile *o, const void *data, size_t len);

/* Close the temporary and rename it over the final name; after a failed
 * write, or when that fails, the temporary is removed.  0, or -1 with err
 * naming the final file. */
int lp_outfile_commit(lp_outfile *o, lp_error *err);

/* Close and remove the temporary (a drawing that failed). */
void lp_outfile_abort(lp_outfile *o);

#endif
