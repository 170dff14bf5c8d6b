/* lp_text: numbers, durations, places and clean names (lp_text.h). */
#include "lp_text.h"

#include <math.h>
#include <stdio.h>
#include <string.h>

#include "lp_utf8.h"

void lp_text_group_thousands(char *out, size_t size)
{
    char *p = out + (*out == '-');
    size_t digits = strspn(p, "0123456789");
    size_t commas = digits > 3 ? (digits - 1) / 3 : 0;
    if (commas == 0 || strlen(out) + commas >= size)
        return;
    memmove(p + digits + commas, p + digits, strlen(p + digits) + 1);
    /* right to left: a digit only ever moves right, over what was read */
    size_t o = digits + commas;
    for (size_t i = digits, k = 0; i-- > 0; k++) {
        if (k > 0 && k % 3 == 0)
            p[--o] = ',';
        p[--o] = p[i];
    }
}

char *lp_text_number(char *out, size_t size, double v)
{
    if (!isfinite(v)) {
        snprintf(out, size, "%s", isnan(v) ? "?" : v > 0 ? "inf" : "-inf");
        return out;
    }
    if (fabs(v) < 100 && v != floor(v)) {
        snprintf(out, size, "%.*f", fabs(v) < 10 ? 2 : 1, v);
        return out;
    }
    snprintf(out, size, "%.0f", v == 0 ? 0 : v);   /* no "-0" */
    lp_text_group_thousands(out, size);
    return out;
}

char *lp_text_span(char *out, size_t size, double seconds)
{
    static const struct { double from, seconds; const char *unit; } units[] = {
        {2 * 86400, 86400, "d"}, {2 * 3600, 3600, "h"}, {2 * 60, 60, "m"}, {0, 1, "s"},
    };
    size_t i = 0;
    while (seconds < units[i].from && units[i].from > 0)
        i++;
    double v = seconds / units[i].seconds;
    snprintf(out, size, v < 10 && v != floor(v) ? "%.1f%s" : "%.0f%s", v, units[i].unit);
    return out;
}

static const char replacement[] = "\xef\xbf\xbd";   /* U+FFFD */

char *lp_text_clean(char *out, size_t size, const char *text)
{
    const unsigned char *p = (const unsigned char *)text;
    size_t n = strlen(text), o = 0;
    while (n > 0 && o + 1 < size) {
        size_t len = lp_utf8_len(p, n);
        const char *piece = (const char *)p;
        size_t piece_len = len;
        if (len == 0) {
            piece = replacement;
            piece_len = sizeof replacement - 1;
            len = 1;
        } else if (len == 1 && (p[0] < 0x20 || p[0] == 0x7f)) {
            piece = "?";
        }
        if (o + piece_len >= size)
            break;
        memcpy(out + o, piece, piece_len);
        o += piece_len;
        p += len;
        n -= len;
    }
    out[o] = '\0';
    return out;
}

void lp_text_write(FILE *out, const char *text, bool json)
{
    const unsigned char *p = (const unsigned char *)text;
    size_t n = strlen(text);
    while (n > 0) {
        size_t len = lp_utf8_len(p, n);
        if (len == 0) {
            fputs(json ? "\\ufffd" : replacement, out);
            len = 1;
        } else if (*p < 0x20 || *p == 0x7f) {
            if (json)
                fprintf(out, "\\u%04x", *p);
            else
                fputc('?', out);
        } else if (json && (*p == '"' || *p == '\\')) {
            fprintf(out, "\\%c", *p);
        } else {
            fwrite(p, 1, len, out);
        }
        p += len;
        n -= len;
    }
}

char *lp_text_where(char *out, size_t size, const lp_run *run)
{
    char raw[4400];
    int n = 0;
    raw[0] = '\0';
    if (run->pid >= 0)
        n = snprintf(raw, sizeof raw, "pid %ld", run->pid);
    if (run->host && n >= 0 && n < (int)sizeof raw)
        snprintf(raw + n, sizeof raw - (size_t)n, "%son %s", n ? " " : "", run->host);
    if (run->pid < 0 && !run->host)
        snprintf(raw, sizeof raw, "in %s", run->source ? run->source : "?");
    return lp_text_clean(out, size, raw);
}
