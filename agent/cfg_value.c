/* cfg_value: parsers for the scalar values of the config (durations, sizes,
 * percentages, booleans, integers) and the "did you mean" suggestion.
 * Messages name the offending text but carry no location: cfg.c prefixes
 * FILE:LINE:COLUMN (cfg_yaml.c) or the override's key (cfg.c). */
#include "cfg_value.h"

#include <ctype.h>
#include <errno.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

/* Split "1.5MB" into a finite non-negative number and its unit suffix.
 * Returns 0, or -1 if text does not start with a number. */
static int split_number(const char *text, double *number, const char **unit)
{
    const char *p = text;
    while (isspace((unsigned char)*p))
        p++;
    if (!isdigit((unsigned char)*p) && *p != '.')
        return -1;
    char *end;
    errno = 0;
    double v = strtod(p, &end);
    if (end == p || errno != 0 || !isfinite(v) || v < 0)
        return -1;
    while (isspace((unsigned char)*end))
        end++;
    *number = v;
    *unit = end;
    return 0;
}

/* Trailing whitespace after the unit is tolerated. */
static bool unit_is(const char *unit, const char *name)
{
    size_t n = strlen(name);
    if (strncasecmp(unit, name, n) != 0)
        return false;
    for (const char *p = unit + n; *p; p++)
        if (!isspace((unsigned char)*p))
            return false;
    return true;
}

/* A unit suffix and what one of it is worth in the base unit. */
typedef struct unit_scale {
    const char *name;
    double factor;
} unit_scale;

/* A quantity kind: its units, the largest value, and words for messages. */
typedef struct quantity {
    const unit_scale *units;
    size_t n_units;
    double max;
    const char *noun;      /* "duration" */
    const char *examples;  /* "500ms, 60s, 5m, 1h, 1d" */
    const char *unit_list; /* "ms, s, m, h, d" */
} quantity;

static int parse_quantity(const quantity *q, const char *text, uint64_t *out, la_error *err)
{
    double v;
    const char *unit;
    if (split_number(text, &v, &unit) != 0)
        return la_error_set(err, "'%s' is not a %s (write e.g. %s)", text, q->noun, q->examples);
    for (size_t i = 0; i < q->n_units; i++) {
        if (unit_is(unit, q->units[i].name)) {
            double scaled = v * q->units[i].factor;
            if (scaled > q->max)
                return la_error_set(err, "%s '%s' is too large", q->noun, text);
            *out = (uint64_t)llround(scaled);
            return 0;
        }
    }
    return la_error_set(err, "bad unit '%s' in %s '%s' (use %s)", unit, q->noun, text, q->unit_list);
}

int cfg_parse_duration_ms(const char *text, uint64_t *out, la_error *err)
{
    static const unit_scale units[] = {
        {"ms", 1}, {"s", 1000}, {"m", 60e3}, {"h", 3600e3}, {"d", 86400e3},
    };
    static const quantity duration = {units, sizeof units / sizeof units[0], 1e15,
                                      "duration", "500ms, 60s, 5m, 1h, 1d", "ms, s, m, h, d"};
    double v;
    const char *unit;
    /* A bare number is the classic mistake: say which unit was likely meant. */
    if (split_number(text, &v, &unit) == 0 && *unit == '\0')
        return la_error_set(err, "missing unit in duration '%s' (did you mean '%ss'?)", text, text);
    return parse_quantity(&duration, text, out, err);
}

int cfg_parse_size(const char *text, uint64_t *out, la_error *err)
{
    static const unit_scale units[] = {
        {"", 1}, {"B", 1},
        {"K", 1024.0}, {"KB", 1024.0}, {"KiB", 1024.0},
        {"M", 1048576.0}, {"MB", 1048576.0}, {"MiB", 1048576.0},
        {"G", 1073741824.0}, {"GB", 1073741824.0}, {"GiB", 1073741824.0},
    };
    static const quantity size = {units, sizeof units / sizeof units[0], 1e18,
                                  "size", "0, 512KB, 10MB, 1GB", "B, KB, MB, GB"};
    return parse_quantity(&size, text, out, err);
}

int cfg_parse_percent(const char *text, double *out, la_error *err)
{
    double v;
    const char *unit;
    if (split_number(text, &v, &unit) != 0 || !(*unit == '\0' || unit_is(unit, "%")))
        return la_error_set(err, "'%s' is not a percentage (write e.g. 1%%)", text);
    if (v <= 0 || v > 100)
        return la_error_set(err, "percentage '%s' out of range (more than 0%%, at most 100%%)", text);
    *out = v / 100.0;
    return 0;
}

int cfg_parse_bool(const char *text, bool *out, la_error *err)
{
    static const char *const yes[] = {"true", "yes", "on", NULL};
    static const char *const no[] = {"false", "no", "off", NULL};
    for (size_t i = 0; yes[i]; i++) {
        if (strcasecmp(text, yes[i]) == 0) {
            *out = true;
            return 0;
        }
        if (strcasecmp(text, no[i]) == 0) {
            *out = false;
            return 0;
        }
    }
    return la_error_set(err, "'%s' is not a boolean (write true or false)", text);
}

int cfg_parse_uint(const char *text, uint64_t max, uint64_t *out, la_error *err)
{
    const char *p = text;
    if (!isdigit((unsigned char)*p))
        return la_error_set(err, "'%s' is not a whole number", text);
    uint64_t v = 0;
    for (; isdigit((unsigned char)*p); p++) {
        unsigned d = (unsigned)(*p - '0');
        if (v > (UINT64_MAX - d) / 10)
            return la_error_set(err, "'%s' is too large (at most %llu)", text, (unsigned long long)max);
        v = v * 10 + d;
    }
    if (*p != '\0')
        return la_error_set(err, "'%s' is not a whole number", text);
    if (v > max)
        return la_error_set(err, "%s is out of range (at most %llu)", text, (unsigned long long)max);
    *out = v;
    return 0;
}

int cfg_parse_mode(const char *text, unsigned *out, la_error *err)
{
    const char *p = text;
    if (p[0] == '0' && (p[1] == 'o' || p[1] == 'O'))
        p += 2;
    unsigned v = 0;
    size_t digits = 0;
    for (; *p >= '0' && *p <= '7' && digits < 5; p++, digits++)
        v = v * 8 + (unsigned)(*p - '0');
    if (digits == 0 || *p != '\0')
        return la_error_set(err, "'%s' is not a file mode (write it in octal, e.g. 0640)", text);
    if (v > 0777)
        return la_error_set(err, "%s: only permission bits (at most 0777)", text);
    if ((v & 0600) != 0600)
        return la_error_set(err, "%s: the owner must be able to read and write (0600 at least)", text);
    *out = v;
    return 0;
}

/* Classic two-row Levenshtein distance; words here are short (< 64). */
size_t cfg_edit_distance(const char *a, const char *b)
{
    size_t la = strlen(a), lb = strlen(b);
    if (la > 63 || lb > 63)
        return (size_t)-1;
    size_t prev[64], cur[64];
    for (size_t j = 0; j <= lb; j++)
        prev[j] = j;
    for (size_t i = 1; i <= la; i++) {
        cur[0] = i;
        for (size_t j = 1; j <= lb; j++) {
            size_t cost = (tolower((unsigned char)a[i - 1]) == tolower((unsigned char)b[j - 1])) ? 0 : 1;
            size_t best = prev[j - 1] + cost;
            if (prev[j] + 1 < best)
                best = prev[j] + 1;
            if (cur[j - 1] + 1 < best)
                best = cur[j - 1] + 1;
            cur[j] = best;
        }
        memcpy(prev, cur, (lb + 1) * sizeof prev[0]);
    }
    return prev[lb];
}

/* Close means: at most a third of the word's letters wrong (and at least 1
 * allowed), which catches typos without suggesting unrelated keys. */
const char *cfg_nearest(const char *word, const char *const *words)
{
    const char *best = NULL;
    size_t best_d = (size_t)-1;
    for (size_t i = 0; words[i]; i++) {
        size_t d = cfg_edit_distance(word, words[i]);
        if (d < best_d) {
            best_d = d;
            best = words[i];
        }
    }
    size_t allowed = strlen(word) / 3;
    if (allowed < 1)
        allowed = 1;
    return best_d <= allowed ? best : NULL;
}
