/* cfg: the configuration struct's life (defaults, copy, free), the
 * questions asked of it, and overrides (leakagent.start()'s keywords).
 * Loading the YAML file is cfg_yaml.c; the table of keys, cfg_keys.c. */
#include "cfg.h"

#include <fnmatch.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cfg_keys.h"
#include "gauge.h"
#include "cfg_value.h"


/* ---- init / free / copy ----------------------------------------------- */

int cfg_init(cfg_config *cfg)
{
    memset(cfg, 0, sizeof *cfg);
    cfg->enabled = true;
    cfg->interval_ms = 60000;
    cfg->log_max_size = 10ULL * 1024 * 1024;
    cfg->log_keep = 10;
    cfg->log_compress = true;
    cfg->log_mode = 0640;
    cfg->prometheus_mode = 0644;
    cfg->sample_min_count = 1;
    cfg->sample_referents = true;
    cfg->sample_sizes = true;
    cfg->sample_containers = 10;
    cfg->max_overhead = 0.01;
    cfg->chains_period_ms = 3600 * 1000;
    cfg->chains_every = 1;
    cfg->chains_budget_ms = 50;
    cfg->chains_instances = 4;
    cfg->chains_depth = 10;
    cfg->log_path = strdup("most_common.log");
    cfg->prometheus_textfile = strdup("");
    const char *default_gauges[la_n_gauges + 1];
    size_t n_default = la_gauge_keys(default_gauges, true);
    const char *const default_chains[] = {"auto"};
    if (cfg->log_path == NULL || cfg->prometheus_textfile == NULL ||
        cfg_strings_assign(&cfg->gauges, default_gauges, n_default) != 0 ||
        cfg_strings_assign(&cfg->chains_types, default_chains, 1) != 0)
        return -1;
    return 0;
}

void cfg_free(cfg_config *cfg)
{
    if (cfg == NULL)
        return;
    free(cfg->log_path);
    free(cfg->prometheus_textfile);
    cfg_strings_free(&cfg->sample_include);
    cfg_strings_free(&cfg->sample_exclude);
    cfg_strings_free(&cfg->gauges);
    cfg_strings_free(&cfg->autostart_programs);
    cfg_strings_free(&cfg->chains_types);
    free(cfg->file);
    memset(cfg, 0, sizeof *cfg);
}

int cfg_copy(cfg_config *dst, const cfg_config *src, la_error *err)
{
    *dst = *src;
    dst->log_path = NULL;
    dst->prometheus_textfile = NULL;
    memset(&dst->sample_include, 0, sizeof dst->sample_include);
    memset(&dst->sample_exclude, 0, sizeof dst->sample_exclude);
    memset(&dst->gauges, 0, sizeof dst->gauges);
    memset(&dst->autostart_programs, 0, sizeof dst->autostart_programs);
    memset(&dst->chains_types, 0, sizeof dst->chains_types);
    dst->file = NULL;
    if ((src->file != NULL && cfg_string_assign(&dst->file, src->file) != 0) ||
        cfg_string_assign(&dst->log_path, src->log_path) != 0 ||
        cfg_string_assign(&dst->prometheus_textfile, src->prometheus_textfile) != 0 ||
        cfg_strings_assign(&dst->sample_include, (const char *const *)src->sample_include.items, src->sample_include.count) != 0 ||
        cfg_strings_assign(&dst->sample_exclude, (const char *const *)src->sample_exclude.items, src->sample_exclude.count) != 0 ||
        cfg_strings_assign(&dst->gauges, (const char *const *)src->gauges.items, src->gauges.count) != 0 ||
        cfg_strings_assign(&dst->autostart_programs, (const char *const *)src->autostart_programs.items,
                       src->autostart_programs.count) != 0 ||
        cfg_strings_assign(&dst->chains_types, (const char *const *)src->chains_types.items,
                           src->chains_types.count) != 0) {
        cfg_free(dst);
        return la_error_set(err, "out of memory");
    }
    return 0;
}

bool cfg_autostart_allows(const cfg_config *cfg, const char *program)
{
    if (cfg->autostart_programs.count == 0)
        return true;
    for (size_t i = 0; i < cfg->autostart_programs.count; i++)
        if (fnmatch(cfg->autostart_programs.items[i], program, 0) == 0)
            return true;
    return false;
}

int cfg_refuse(const cfg_config *cfg, const char *key, la_error *err, const char *fmt, ...)
{
    char msg[LA_ERROR_MAX];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(msg, sizeof msg, fmt, ap);
    va_end(ap);
    const cfg_key *spec = cfg_key_find(key);
    const cfg_mark *mark = spec ? &cfg->marks[spec - cfg_keys] : NULL;
    if (mark && mark->line > 0 && cfg->file)
        return la_error_set(err, "%s:%u:%u: %s: %s", cfg->file, mark->line, mark->column, key, msg);
    if (mark && mark->set)
        return la_error_set(err, "override '%s': %s", key, msg);
    return la_error_set(err, "%s: %s", key, msg);
}

static bool chains_has(const cfg_config *cfg, const char *word)
{
    for (size_t i = 0; i < cfg->chains_types.count; i++)
        if (strcmp(cfg->chains_types.items[i], word) == 0)
            return true;
    return false;
}

bool cfg_chains_off(const cfg_config *cfg)
{
    return chains_has(cfg, "off");
}

bool cfg_chains_auto(const cfg_config *cfg)
{
    return chains_has(cfg, "auto");
}

bool cfg_wants_gauge(const cfg_config *cfg, const char *name)
{
    for (size_t i = 0; i < cfg->gauges.count; i++)
        if (strcmp(cfg->gauges.items[i], name) == 0)
            return true;
    return false;
}

/* ---- overrides -------------------------------------------------------- */

/* Accept "log.path", "log_path" and, when unambiguous, the short "max_size". */
static const cfg_key *find_override(const char *key)
{
    const cfg_key *spec = cfg_key_find(key);
    if (spec)
        return spec;
    char dotted[128];
    for (size_t i = 0; cfg_sections[i]; i++) {
        size_t n = strlen(cfg_sections[i]);
        if (strncmp(key, cfg_sections[i], n) == 0 && key[n] == '_') {
            snprintf(dotted, sizeof dotted, "%s.%s", cfg_sections[i], key + n + 1);
            if ((spec = cfg_key_find(dotted)) != NULL)
                return spec;
        }
    }
    const cfg_key *found = NULL;
    for (size_t i = 0; i < cfg_n_keys; i++) {
        const char *dot = strchr(cfg_keys[i].name, '.');
        if (dot && strcmp(dot + 1, key) == 0) {
            if (found)
                return NULL;
            found = &cfg_keys[i];
        }
    }
    return found;
}

static int unknown_override(const char *key, la_error *err)
{
    const char *near = cfg_nearest(key, cfg_known_keys);
    if (near)
        return la_error_set(err, "override '%s': unknown key, did you mean '%s'?", key, near);
    return la_error_set(err, "override '%s': unknown key", key);
}

int cfg_set(cfg_config *cfg, const char *key, const char *value, la_error *err)
{
    const cfg_key *spec = find_override(key);
    if (spec == NULL)
        return unknown_override(key, err);
    if (spec->kind == KIND_TYPES)
        return cfg_set_list(cfg, key, &value, 1, err);
    if (cfg_kind_is_list(spec->kind))
        return la_error_set(err, "override '%s': must be %s", key, cfg_kind_noun(spec->kind));
    cfg_config scratch;
    if (cfg_copy(&scratch, cfg, err) != 0)
        return -1;
    la_error why;
    if (cfg_key_apply_scalar(&scratch, spec, value, &why) != 0) {
        cfg_free(&scratch);
        return la_error_set(err, "override '%s': %s", key, why.msg);
    }
    scratch.marks[spec - cfg_keys] = (cfg_mark){.set = true};
    cfg_free(cfg);
    *cfg = scratch;
    return 0;
}

int cfg_set_list(cfg_config *cfg, const char *key, const char *const *items, size_t count, la_error *err)
{
    const cfg_key *spec = find_override(key);
    if (spec == NULL)
        return unknown_override(key, err);
    if (!cfg_kind_is_list(spec->kind))
        return la_error_set(err, "override '%s': must be %s, not a list", key, cfg_kind_noun(spec->kind));
    for (size_t i = 0; i < count; i++) {
        la_error why;
        if (cfg_key_check_item(spec, items[i], &why) != 0)
            return la_error_set(err, "override '%s': %s", key, why.msg);
    }
    la_error why;
    if (cfg_key_check_list(spec, items, count, &why) != 0)
        return la_error_set(err, "override '%s': %s", key, why.msg);
    if (cfg_key_assign_list(cfg, spec, items, count) != 0)
        return la_error_set(err, "out of memory");
    cfg->marks[spec - cfg_keys] = (cfg_mark){.set = true};
    return 0;
}

