/* lp_utf8: strict UTF-8 decoding, for the places that must hand out valid
 * text whatever bytes a log holds (the JSON report, cairo's text calls).
 *
 * Strict means what Unicode and RFC 3629 call well-formed: no overlong
 * forms, no UTF-16 surrogates (U+D800..U+DFFF), nothing above U+10FFFF.
 * cairo and Python's json module refuse exactly those, so a lax check
 * would let a hostile name through to fail there. */
#ifndef LP_UTF8_H
#define LP_UTF8_H

#include <stddef.h>

/* Length (1-4) of the well-formed UTF-8 sequence at p, n bytes available
 * (n >= 1), or 0 when the bytes there are not one. */
size_t lp_utf8_len(const unsigned char *p, size_t n);

#endif
