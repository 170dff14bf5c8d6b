/* lp_error: the one error convention of leakplot's modules.
 *
 * Functions return 0 / -1 (or a pointer / NULL) and, on failure, write a
 * complete human-readable message (naming the file and line where there is
 * one) into an lp_error the caller passes in.  Only main() turns an error
 * into an exit code. */
#ifndef LP_ERROR_H
#define LP_ERROR_H

typedef struct lp_error {
    char msg[512];
} lp_error;

/* Format msg into err (truncated to fit); err may be NULL.  Always returns
 * -1, so that callers can write `return lp_error_set(err, "...")`, as with
 * libleakagent's la_error_set. */
int lp_error_set(lp_error *err, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));

#endif
