/* lp_utf8: see lp_utf8.h.  Table 3-7 of the Unicode standard, "Well-Formed
 * UTF-8 Byte Sequences", as code. */
#include "lp_utf8.h"

size_t lp_utf8_len(const unsigned char *p, size_t n)
{
    unsigned char c = p[0];
    size_t len;
    unsigned char lo = 0x80, hi = 0xBF;     /* range of the second byte */
    if (c < 0x80)
        return 1;
    if (c >= 0xC2 && c <= 0xDF)
        len = 2;
    else if (c >= 0xE0 && c <= 0xEF) {
        len = 3;
        lo = c == 0xE0 ? 0xA0 : 0x80;       /* E0: no overlong forms */
        hi = c == 0xED ? 0x9F : 0xBF;       /* ED: no surrogates */
    } else if (c >= 0xF0 && c <= 0xF4) {
        len = 4;
        lo = c == 0xF0 ? 0x90 : 0x80;       /* F0: no overlong forms */
        hi = c == 0xF4 ? 0x8F : 0xBF;       /* F4: nothing past U+10FFFF */
    } else {
        return 0;                           /* 80..C1 and F5..FF never lead */
    }
    if (len > n || p[1] < lo || p[1] > hi)
        return 0;
    for (size_t i = 2; i < len; i++)
        if (p[i] < 0x80 || p[i] > 0xBF)
            return 0;
    return len;
}
