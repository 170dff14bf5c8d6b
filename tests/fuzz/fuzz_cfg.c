/* fuzz_cfg: fuzz target for the config loader (agent/cfg*.c).
 *
 * Input: YAML text for cfg_load_string(), optionally followed by a NUL byte
 * and up to MAX_OVERRIDES override lines (a NUL never reaches the YAML part,
 * libyaml refuses it anyway):
 *   key=value      cfg_set()        key=[a,b,c]    cfg_set_list()
 *   %h=host        %n=program       the names cfg_expand_path() gets
 * Besides "no crash, no leak, no undefined behaviour" it checks what
 * cfg.h promises, and abort()s with a message when a promise is broken:
 *   - a refused file or override leaves the config exactly as it was and
 *     says why ("fuzz.yaml:LINE:COLUMN: ..." or "override 'KEY': ...");
 *   - an accepted one holds only values the agent can use: every number in
 *     its range, known gauges, no empty pattern, a log path that expands. */
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cfg.h"
#include "cfg_path.h"
#include "gauge.h"
#include "fuzz.h"

/* A broken promise: message, then abort() (fuzz.h). */
#define broken(...) fuzz_broken("fuzz_cfg", __VA_ARGS__)
#define NAME "fuzz.yaml"
#define MAX_ITEMS 8    /* list items per override line */
#define MAX_OVERRIDES 16   /* lines per input: the "did you mean" search
                            * of each unknown key is costly to trace */

static bool strings_same(const cfg_strings *a, const cfg_strings *b)
{
    if (a->count != b->count)
        return false;
    for (size_t i = 0; i < a->count; i++)
        if (strcmp(a->items[i], b->items[i]) != 0)
            return false;
    return true;
}

/* Field by field: padding makes memcmp useless, pointers differ by copy. */
static bool cfg_same(const cfg_config *a, const cfg_config *b)
{
    return a->enabled == b->enabled && a->interval_ms == b->interval_ms &&
           strcmp(a->log_path, b->log_path) == 0 && a->log_max_size == b->log_max_size &&
           a->log_keep == b->log_keep && a->log_compress == b->log_compress &&
           a->sample_collect == b->sample_collect && a->sample_top == b->sample_top &&
           a->sample_min_count == b->sample_min_count &&
           strings_same(&a->sample_include, &b->sample_include) &&
           strings_same(&a->sample_exclude, &b->sample_exclude) &&
           a->max_overhead == b->max_overhead && strings_same(&a->gauges, &b->gauges) &&
           strcmp(a->prometheus_textfile, b->prometheus_textfile) == 0;
}

static void check_list(const cfg_strings *l, const char *key, bool gauges)
{
    for (size_t i = 0; i < l->count; i++) {
        if (l->items[i][0] == '\0')
            broken("%s[%zu] is empty", key, i);
        if (gauges && la_gauge_find(l->items[i]) == NULL)
            broken("unknown gauge '%s' accepted", l->items[i]);
    }
}

/* Every value the loader accepted is one the agent can use. */
static void check_usable(const cfg_config *cfg, const char *host, const char *program)
{
    if (cfg->interval_ms < CFG_INTERVAL_MIN_MS || cfg->interval_ms > CFG_INTERVAL_MAX_MS)
        broken("interval %llu ms out of range", (unsigned long long)cfg->interval_ms);
    if (cfg->log_max_size > (1ULL << 50) || cfg->log_keep > 1000 ||
        cfg->sample_top > 10000000 || cfg->sample_min_count > (1ULL << 62))
        broken("a log or sample number out of range");
    if (!(cfg->max_overhead > 0 && cfg->max_overhead <= 1))
        broken("max_overhead %g out of (0, 1]", cfg->max_overhead);
    check_list(&cfg->sample_include, "sample.include", false);
    check_list(&cfg->sample_exclude, "sample.exclude", false);
    check_list(&cfg->gauges, "gauges", true);
    if (cfg->prometheus_textfile == NULL)
        broken("prometheus.textfile is NULL");
    la_error err = {{0}};
    if (cfg_check_path_template(cfg->log_path, &err) != 0)
        broken("accepted log.path '%s' fails its own check: %s", cfg->log_path, err.msg);
    char *path = cfg_expand_path(cfg->log_path, 31337, host, program, &err);
    if (path == NULL)
        broken("accepted log.path '%s' does not expand: %s", cfg->log_path, err.msg);
    if (program && strchr(program, '/') == NULL && host && strchr(host, '/') == NULL &&
        strchr(cfg->log_path, '/') == NULL && strchr(path, '/') != NULL)
        broken("expanding '%s' made a directory: '%s'", cfg->log_path, path);
    free(path);
}

/* "FILE:LINE:COLUMN: message" with LINE, COLUMN >= 1. */
static void check_located(const char *msg)
{
    const char *p = msg;
    if (strncmp(p, NAME ":", sizeof NAME) != 0)
        broken("error without the file name: '%s'", msg);
    p += sizeof NAME;
    for (int field = 0; field < 2; field++) {
        char *end;
        unsigned long n = strtoul(p, &end, 10);
        if (end == p || n == 0 || *end != ':')
            broken("error without LINE:COLUMN: '%s'", msg);
        p = end + 1;
    }
    if (p[0] != ' ' || p[1] == '\0')
        broken("error without a message: '%s'", msg);
}

/* Load text over cfg; the promises above either way. */
static void load(cfg_config *cfg, const char *text, size_t len)
{
    cfg_config before;
    la_error err = {{0}};
    if (cfg_copy(&before, cfg, &err) != 0)
        return;
    if (cfg_load_string(cfg, text, len, NAME, &err) == 0) {
        check_usable(cfg, "web-1", "consumer");
    } else {
        check_located(err.msg);
        if (!cfg_same(cfg, &before))
            broken("a refused file changed the config (%s)", err.msg);
    }
    cfg_free(&before);
}

/* One override line "key=value" or "key=[a,b]", NUL-terminated, modified
 * in place; host/program lines set the names used for expansion. */
static void override(cfg_config *cfg, char *line, const char **host, const char **program)
{
    char *eq = strchr(line, '=');
    if (eq == NULL)
        return;
    *eq = '\0';
    char *value = eq + 1;
    if (strcmp(line, "%h") == 0 || strcmp(line, "%n") == 0) {
        *(line[1] == 'h' ? host : program) = value;
        return;
    }
    cfg_config before;
    la_error err = {{0}};
    if (cfg_copy(&before, cfg, &err) != 0)
        return;
    size_t vlen = strlen(value);
    int rc;
    if (vlen >= 2 && value[0] == '[' && value[vlen - 1] == ']') {
        const char *items[MAX_ITEMS];
        size_t n = 0;
        value[vlen - 1] = '\0';
        for (char *p = value + 1; n < MAX_ITEMS;) {
            items[n++] = p;
            char *comma = strchr(p, ',');
            if (comma == NULL)
                break;
            *comma = '\0';
            p = comma + 1;
        }
        rc = cfg_set_list(cfg, line, items, vlen == 2 ? 0 : n, &err);
    } else {
        rc = cfg_set(cfg, line, value, &err);
    }
    if (rc == 0) {
        check_usable(cfg, *host, *program);
    } else {
        if (strncmp(err.msg, "override '", 10) != 0 && strcmp(err.msg, "out of memory") != 0)
            broken("override error without its key: '%s'", err.msg);
        if (!cfg_same(cfg, &before))
            broken("a refused override changed the config (%s)", err.msg);
    }
    cfg_free(&before);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    cfg_config cfg;
    if (cfg_init(&cfg) != 0) {
        cfg_free(&cfg);
        return 0;
    }
    const char *text = (const char *)data;
    const char *nul = memchr(text, '\0', size);
    size_t yaml_len = nul ? (size_t)(nul - text) : size;
    load(&cfg, text, yaml_len);
    if (nul != NULL) {
        /* The override part as NUL-terminated lines (a copy: data is const). */
        size_t len = size - yaml_len - 1;
        char *rest = malloc(len + 1);
        if (rest != NULL) {
            memcpy(rest, nul + 1, len);
            rest[len] = '\0';
            const char *host = NULL, *program = NULL;
            int n = 0;
            for (char *line = rest, *next; line != NULL && n++ < MAX_OVERRIDES; line = next) {
                next = strchr(line, '\n');
                if (next != NULL)
                    *next++ = '\0';
                override(&cfg, line, &host, &program);
            }
            check_usable(&cfg, host, program);
            free(rest);
        }
    }
    cfg_free(&cfg);
    return 0;
}
