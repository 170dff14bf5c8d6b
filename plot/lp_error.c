/* lp_error: formatting error messages into the caller's lp_error. */
#include "lp_error.h"

#include <stdarg.h>
#include <stdio.h>

int lp_error_set(lp_error *err, const char *fmt, ...)
{
    if (err == NULL)
        return -1;
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(err->msg, sizeof err->msg, fmt, ap);
    va_end(ap);
    return -1;
}
