/* testutil: small helpers shared by the agent's unit tests: temporary
 * directories, reading (gzip or plain) files back, counting snapshots. */
#ifndef TESTUTIL_H
#define TESTUTIL_H

#include <stddef.h>

/* mkdtemp under /tmp; the caller frees the string and removes the tree. */
char *tu_make_tmpdir(void);
/* rm -rf path (best effort). */
void tu_remove_tree(const char *path);
/* Whole file, decompressed if gzip; NUL-terminated; NULL if unreadable. */
char *tu_read_file(const char *path, size_t *len);
/* Number of lines starting with prefix. */
size_t tu_count_lines(const char *text, const char *prefix);
/* Write text to path (truncating). 0 or -1. */
int tu_write_file(const char *path, const char *text);
/* True if path exists. */
int tu_exists(const char *path);
/* Join "dir/name" into a static-free malloc'd string. */
char *tu_path(const char *dir, const char *name);

#endif
