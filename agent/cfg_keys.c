/* cfg_keys: the table of config keys and applying one value (cfg_keys.h). */
#include "cfg_keys.h"

#include "cfg_path.h"
#include "gauge.h"
#include "cfg_value.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define FIELD(f) offsetof(cfg_config, f)

const cfg_key cfg_keys[] = {
    {"enabled", KIND_BOOL, FIELD(enabled), 0, 0},
    {"interval", KIND_DURATION, FIELD(interval_ms), CFG_INTERVAL_MIN_MS, CFG_INTERVAL_MAX_MS},
    {"log.path", KIND_PATH, FIELD(log_path), 0, 0},
    {"log.max_size", KIND_SIZE, FIELD(log_max_size), 0, 1ULL << 50},
    {"log.keep", KIND_UINT, FIELD(log_keep), 0, 1000},
    {"log.compress", KIND_BOOL, FIELD(log_compress), 0, 0},
    {"log.mode", KIND_MODE, FIELD(log_mode), 0, 0},
    {"sample.collect", KIND_BOOL, FIELD(sample_collect), 0, 0},
    {"sample.top", KIND_UINT, FIELD(sample_top), 0, 10000000},
    {"sample.min_count", KIND_UINT64, FIELD(sample_min_count), 0, 1ULL << 62},
    {"sample.include", KIND_PATTERNS, FIELD(sample_include), 0, 0},
    {"sample.exclude", KIND_PATTERNS, FIELD(sample_exclude), 0, 0},
    {"max_overhead", KIND_PERCENT, FIELD(max_overhead), 0, 0},
    {"gauges", KIND_GAUGES, FIELD(gauges), 0, 0},
    {"prometheus.textfile", KIND_STRING, FIELD(prometheus_textfile), 0, 0},
    {"prometheus.mode", KIND_MODE, FIELD(prometheus_mode), 0, 0},
    {"autostart.programs", KIND_PATTERNS, FIELD(autostart_programs), 0, 0},
    {"sample.referents", KIND_BOOL, FIELD(sample_referents), 0, 0},
    {"sample.sizes", KIND_BOOL, FIELD(sample_sizes), 0, 0},
    {"sample.containers", KIND_UINT, FIELD(sample_containers), 0, 100},
    {"sample.exact", KIND_BOOL, FIELD(sample_exact), 0, 0},
    {"chains.types", KIND_TYPES, FIELD(chains_types), 0, 0},
    {"chains.period", KIND_DURATION, FIELD(chains_period_ms), 1000, CFG_INTERVAL_MAX_MS * 7},
    {"chains.every", KIND_UINT, FIELD(chains_every), 1, 10000},
    {"chains.budget", KIND_DURATION, FIELD(chains_budget_ms), 1, 10000},
    {"chains.instances", KIND_UINT, FIELD(chains_instances), 1, 16},
    {"chains.depth", KIND_UINT, FIELD(chains_depth), 1, 32},
};
const size_t cfg_n_keys = sizeof cfg_keys / sizeof cfg_keys[0];

const char *const cfg_sections[] = {"log", "sample", "prometheus", "autostart", "chains", NULL};

_Static_assert(sizeof cfg_keys / sizeof cfg_keys[0] + 6 <= CFG_NAMES_MAX,
               "CFG_NAMES_MAX too small for the keys and sections");
_Static_assert(sizeof cfg_keys / sizeof cfg_keys[0] <= CFG_MAX_KEYS,
               "CFG_MAX_KEYS too small for the keys");

const char *const cfg_known_keys[] = {
    "enabled", "interval", "log", "log.path", "log.max_size", "log.keep",
    "log.compress", "log.mode", "sample", "sample.collect", "sample.top",
    "sample.min_count", "sample.include", "sample.exclude", "sample.referents",
    "sample.sizes", "sample.containers", "sample.exact", "max_overhead",
    "gauges", "prometheus", "prometheus.textfile", "prometheus.mode",
    "autostart", "autostart.programs", "chains", "chains.types", "chains.period",
    "chains.every", "chains.budget", "chains.instances", "chains.depth", NULL,
};



/* ---- lists ------------------------------------------------------------ */

void cfg_strings_free(cfg_strings *l)
{
    for (size_t i = 0; i < l->count; i++)
        free(l->items[i]);
    free(l->items);
    l->items = NULL;
    l->count = 0;
}

/* Replace *l by a copy of items; on failure *l is unchanged. */
int cfg_strings_assign(cfg_strings *l, const char *const *items, size_t count)
{
    char **copy = calloc(count ? count : 1, sizeof *copy);
    if (copy == NULL)
        return -1;
    for (size_t i = 0; i < count; i++) {
        copy[i] = strdup(items[i]);
        if (copy[i] == NULL) {
            for (size_t j = 0; j < i; j++)
                free(copy[j]);
            free(copy);
            return -1;
        }
    }
    cfg_strings_free(l);
    l->items = copy;
    l->count = count;
    return 0;
}

int cfg_string_assign(char **field, const char *value)
{
    char *copy = strdup(value);
    if (copy == NULL)
        return -1;
    free(*field);
    *field = copy;
    return 0;
}

/* ---- applying one value ----------------------------------------------- */

const cfg_key *cfg_key_find(const char *dotted)
{
    for (size_t i = 0; i < cfg_n_keys; i++)
        if (strcmp(cfg_keys[i].name, dotted) == 0)
            return &cfg_keys[i];
    return NULL;
}

const char *cfg_kind_noun(cfg_kind kind)
{
    switch (kind) {
    case KIND_BOOL: return "a boolean (true or false)";
    case KIND_DURATION: return "a duration such as 60s";
    case KIND_SIZE: return "a size such as 10MB";
    case KIND_UINT:
    case KIND_UINT64: return "a whole number";
    case KIND_PERCENT: return "a percentage such as 1%";
    case KIND_STRING: return "a string";
    case KIND_PATH: return "a file path";
    case KIND_PATTERNS: return "a list of glob patterns";
    case KIND_GAUGES: return "a list of gauge names";
    case KIND_MODE: return "a file mode such as 0640";
    case KIND_TYPES: return "auto, off or a list of glob patterns";
    }
    return "a value";
}

bool cfg_kind_is_list(cfg_kind kind)
{
    return kind == KIND_PATTERNS || kind == KIND_GAUGES || kind == KIND_TYPES;
}

/* "10ms", "1s", "2h", "1d": a duration in the largest unit that divides it,
 * for range messages. */
static void format_ms(char *out, size_t size, uint64_t ms)
{
    static const struct { const char *unit; uint64_t ms; } units[] = {
        {"d", 86400000}, {"h", 3600000}, {"m", 60000}, {"s", 1000}, {"ms", 1},
    };
    size_t i = 0;
    while (units[i].ms > 1 && ms % units[i].ms != 0)
        i++;
    snprintf(out, size, "%llu%s", (unsigned long long)(ms / units[i].ms), units[i].unit);
}

/* Parse `text` for the scalar key `spec` and store it in cfg.  The message
 * (no location) names the key. */
int cfg_key_apply_scalar(cfg_config *cfg, const cfg_key *spec, const char *text, la_error *err)
{
    char *field = (char *)cfg + spec->offset;
    la_error why;
    uint64_t u;
    switch (spec->kind) {
    case KIND_BOOL:
        if (cfg_parse_bool(text, (bool *)field, &why) != 0)
            return la_error_set(err, "%s: %s", spec->name, why.msg);
        return 0;
    case KIND_DURATION:
        if (cfg_parse_duration_ms(text, &u, &why) != 0)
            return la_error_set(err, "%s: %s", spec->name, why.msg);
        if (u < spec->min || u > spec->max) {
            char lo[32], hi[32];
            format_ms(lo, sizeof lo, spec->min);
            format_ms(hi, sizeof hi, spec->max);
            return la_error_set(err, "%s: %s is out of range (%s .. %s)", spec->name, text, lo, hi);
        }
        *(uint64_t *)field = u;
        return 0;
    case KIND_SIZE:
        if (cfg_parse_size(text, &u, &why) != 0)
            return la_error_set(err, "%s: %s", spec->name, why.msg);
        if (u > spec->max)
            return la_error_set(err, "%s: %s is out of range (at most 1024TB)", spec->name, text);
        *(uint64_t *)field = u;
        return 0;
    case KIND_UINT:
    case KIND_UINT64:
        if (cfg_parse_uint(text, spec->max, &u, &why) != 0)
            return la_error_set(err, "%s: %s", spec->name, why.msg);
        if (u < spec->min)
            return la_error_set(err, "%s: %s is out of range (at least %llu)", spec->name, text,
                                (unsigned long long)spec->min);
        if (spec->kind == KIND_UINT64)
            *(uint64_t *)field = u;
        else
            *(unsigned *)field = (unsigned)u;
        return 0;
    case KIND_PERCENT:
        if (cfg_parse_percent(text, (double *)field, &why) != 0)
            return la_error_set(err, "%s: %s", spec->name, why.msg);
        return 0;
    case KIND_MODE:
        if (cfg_parse_mode(text, (unsigned *)field, &why) != 0)
            return la_error_set(err, "%s: %s", spec->name, why.msg);
        return 0;
    case KIND_PATH:
        if (cfg_check_path_template(text, &why) != 0)
            return la_error_set(err, "%s", why.msg);
        /* fall through */
    case KIND_STRING:
        if (cfg_string_assign((char **)field, text) != 0)
            return la_error_set(err, "out of memory");
        return 0;
    case KIND_PATTERNS:
    case KIND_GAUGES:
    case KIND_TYPES:
        break;
    }
    return la_error_set(err, "%s must be %s", spec->name, cfg_kind_noun(spec->kind));
}

/* Check one list item; gauges must be known ones. */
int cfg_key_check_item(const cfg_key *spec, const char *item, la_error *err)
{
    if (*item == '\0')
        return la_error_set(err, "%s: empty entry", spec->name);
    if (spec->kind != KIND_GAUGES)
        return 0;
    if (la_gauge_find(item) != NULL)
        return 0;
    const char *keys[la_n_gauges + 1];
    la_gauge_keys(keys, false);
    const char *near = cfg_nearest(item, keys);
    if (near)
        return la_error_set(err, "unknown gauge '%s', did you mean '%s'?", item, near);
    char known[256] = "";
    for (size_t i = 0; keys[i]; i++)
        snprintf(known + strlen(known), sizeof known - strlen(known), "%s%s", i ? ", " : "", keys[i]);
    return la_error_set(err, "unknown gauge '%s' (known: %s)", item, known);
}

int cfg_key_check_list(const cfg_key *spec, const char *const *items, size_t n, la_error *err)
{
    if (spec->kind != KIND_TYPES || n < 2)
        return 0;
    for (size_t i = 0; i < n; i++)
        if (strcmp(items[i], "off") == 0)
            return la_error_set(err, "%s: 'off' cannot be combined with other entries", spec->name);
    return 0;
}

bool cfg_key_is_section(const char *name)
{
    for (size_t i = 0; cfg_sections[i]; i++)
        if (strcmp(cfg_sections[i], name) == 0)
            return true;
    return false;
}

int cfg_key_assign_list(cfg_config *cfg, const cfg_key *key, const char *const *items, size_t n)
{
    return cfg_strings_assign((cfg_strings *)((char *)cfg + key->offset), items, n);
}
