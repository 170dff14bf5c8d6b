/* lp_array: growing a malloc'd array by doubling, for leakplot's modules.
 * One helper, so that no module hand-writes the realloc dance (and none
 * writes `p = realloc(p, n)`). */
#ifndef LP_ARRAY_H
#define LP_ARRAY_H

#include <stddef.h>

#include "lp_error.h"

/* Make *array (of `size`-byte elements, *cap allocated) hold at least
 * `need` elements, doubling from 8 (small: a store may hold a million
 * columns of a few values each).  0, or -1 with err set (err may be
 * NULL) and *array, *cap unchanged. */
int lp_array_grow(void **array, size_t *cap, size_t need, size_t size, lp_error *err);

#endif
