/* lp_time: ISO-8601 times and ages for --since/--until.  See lp_time.h. */
#include "lp_time.h"

#include <ctype.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

/* Exactly `digits` digits at *p into *out; advances *p. */
static bool fixed(const char **p, int digits, int *out)
{
    int v = 0;
    for (int i = 0; i < digits; i++) {
        if (!isdigit((unsigned char)(*p)[i]))
            return false;
        v = v * 10 + ((*p)[i] - '0');
    }
    *p += digits;
    *out = v;
    return true;
}

static bool parse_age(const char *text, double *out)
{
    char *end;
    double v = strtod(text, &end);
    if (end == text || !isfinite(v) || v < 0 || strlen(end) != 1)
        return false;
    static const struct { char unit; double seconds; } units[] = {
        {'s', 1}, {'m', 60}, {'h', 3600}, {'d', 86400}, {'w', 604800},
    };
    for (size_t i = 0; i < sizeof units / sizeof units[0]; i++)
        if (*end == units[i].unit) {
            *out = v * units[i].seconds;
            return true;
        }
    return false;
}

/* The ISO-8601 forms of lp_time.h. */
static bool parse_iso(const char *p, double *out)
{
    struct tm tm = {0};
    int year, mon, day, hour = 0, min = 0, sec = 0;
    double frac = 0;
    if (!fixed(&p, 4, &year) || *p++ != '-' || !fixed(&p, 2, &mon) || *p++ != '-' ||
        !fixed(&p, 2, &day) || mon < 1 || mon > 12 || day < 1 || day > 31)
        return false;
    if (*p == 'T' || *p == 't' || *p == ' ') {
        p++;
        if (!fixed(&p, 2, &hour) || *p++ != ':' || !fixed(&p, 2, &min) || hour > 23 || min > 59)
            return false;
        if (*p == ':') {
            p++;
            if (!fixed(&p, 2, &sec) || sec > 60)
                return false;
            if (*p == '.' || *p == ',') {   /* ISO allows a decimal comma */
                double scale = 0.1;
                for (p++; isdigit((unsigned char)*p); p++, scale /= 10)
                    frac += (*p - '0') * scale;
            }
        }
    }
    tm.tm_year = year - 1900;
    tm.tm_mon = mon - 1;
    tm.tm_mday = day;
    tm.tm_hour = hour;
    tm.tm_min = min;
    tm.tm_sec = sec;
    time_t t;
    if (*p == '\0') {
        tm.tm_isdst = -1;
        t = mktime(&tm);
    } else {
        int sign = 0, oh = 0, om = 0;
        if (*p == 'Z' || *p == 'z') {
            p++;
        } else if (*p == '+' || *p == '-') {
            sign = *p++ == '-' ? -1 : 1;
            if (!fixed(&p, 2, &oh))
                return false;
            if (*p == ':')
                p++;
            if (*p && !fixed(&p, 2, &om))
                return false;
        }
        if (*p != '\0')
            return false;
        t = timegm(&tm) - sign * (oh * 3600 + om * 60);
    }
    *out = (double)t + frac;
    return true;
}

int lp_time_parse(const char *text, lp_time_spec *out, lp_error *err)
{
    char *end;
    if (text[0] == '@') {
        out->is_age = false;
        out->value = strtod(text + 1, &end);
        if (end != text + 1 && *end == '\0' && isfinite(out->value))
            return 0;
    } else if (parse_age(text, &out->value)) {
        out->is_age = true;
        return 0;
    } else if (parse_iso(text, &out->value)) {
        out->is_age = false;
        return 0;
    }
    lp_error_set(err, "bad time '%s' (want ISO-8601 like 2025-11-21T10:00Z, "
                      "@unix-seconds, or an age like 6h, 2d)", text);
    return -1;
}

double lp_time_resolve(const lp_time_spec *spec, double reference)
{
    return spec->is_age ? reference - spec->value : spec->value;
}
