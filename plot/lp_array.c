/* lp_array: see lp_array.h. */
#include "lp_array.h"

#include <stdlib.h>

int lp_array_grow(void **array, size_t *cap, size_t need, size_t size, lp_error *err)
{
    if (need <= *cap)
        return 0;
    size_t ncap = *cap ? *cap : 8;
    while (ncap < need)
        ncap *= 2;
    void *bigger = realloc(*array, ncap * size);
    if (bigger == NULL) {
        lp_error_set(err, "out of memory (%zu entries)", ncap);
        return -1;
    }
    *array = bigger;
    *cap = ncap;
    return 0;
}
