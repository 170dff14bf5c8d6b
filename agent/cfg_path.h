/* cfg_path: the log.path template: %p pid, %h host, %n program, %% '%'. */
#ifndef LA_CFG_PATH_H
#define LA_CFG_PATH_H

#include "la_error.h"

/* Expand %p (pid), %h (host), %n (program), %% in tmpl.  Returns a malloc'd
 * string the caller frees, or NULL with err set (unknown %x, out of memory).
 * host/program NULL expand to "unknown"; '/' in them becomes '_'. */
char *cfg_expand_path(const char *tmpl, long pid, const char *host,
                      const char *program, la_error *err);

/* Check a template without expanding it (used when loading). */
int cfg_check_path_template(const char *tmpl, la_error *err);

#endif
