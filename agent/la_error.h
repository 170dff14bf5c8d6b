/* la_error: the one error convention of libleakagent.
 *
 * Functions return 0 on success and -1 on failure (constructors return a
 * pointer or NULL) and describe the failure in an la_error the caller passes
 * in.  The message is complete and printable on its own, e.g.
 * "leakagent.yaml:3:11: bad unit 'mins' in duration '5mins' (use ms, s, m, h, d)".
 * A NULL la_error pointer is allowed everywhere: the detail is then dropped. */
#ifndef LA_ERROR_H
#define LA_ERROR_H

#include "la_api.h"

#define LA_ERROR_MAX 512

typedef struct la_error {
    char msg[LA_ERROR_MAX];
} la_error;

/* Format a message into err (if err is not NULL).  Always returns -1 so that
 * callers can write `return la_error_set(err, "...")`. */
LA_API int la_error_set(la_error *err, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));

/* Like la_error_set, then appends ": strerror(errnum)". */
LA_API int la_error_errno(la_error *err, int errnum, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

#endif
