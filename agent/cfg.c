/* cfg: loading leakagent.yaml with libyaml, validating every key, applying
 * overrides.
 *
 * DESIGN
 * The file is parsed into a libyaml document (nodes carry their line and
 * column), then walked against one table of key specifications.  Values are
 * applied to a scratch copy of the config; only when the whole file is valid
 * does the scratch copy replace the caller's struct, so a bad file is never
 * half-applied.  Every message is "FILE:LINE:COLUMN: what is wrong". */
#include "cfg.h"

#include <errno.h>
#include <fnmatch.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <yaml.h>

typedef enum {
    KIND_BOOL, KIND_DURATION, KIND_SIZE, KIND_UINT, KIND_UINT64, KIND_PERCENT,
    KIND_STRING, KIND_PATH, KIND_PATTERNS, KIND_GAUGES, KIND_MODE,
} key_kind;

typedef struct key_spec {
    const char *name;     /* dotted: "log.max_size" */
    key_kind kind;
    size_t offset;        /* of the field in cfg_config */
    uint64_t min, max;    /* for durations (ms) and integers */
} key_spec;

#define FIELD(f) offsetof(cfg_config, f)

static const key_spec key_specs[] = {
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
};
#define N_KEYS (sizeof key_specs / sizeof key_specs[0])

static const char *const sections[] = {"log", "sample", "prometheus", "autostart", NULL};

const char *const cfg_known_keys[] = {
    "enabled", "interval", "log", "log.path", "log.max_size", "log.keep",
    "log.compress", "log.mode", "sample", "sample.collect", "sample.top",
    "sample.min_count", "sample.include", "sample.exclude", "max_overhead",
    "gauges", "prometheus", "prometheus.textfile", "prometheus.mode",
    "autostart", "autostart.programs", NULL,
};

const char *const cfg_known_gauges[] = {"rss", "blocks", "gc_objects", "sample_ms", NULL};

static const char *const default_gauges[] = {"rss", "blocks", "gc_objects", "sample_ms"};

/* ---- lists ------------------------------------------------------------ */

static void strings_free(cfg_strings *l)
{
    for (size_t i = 0; i < l->count; i++)
        free(l->items[i]);
    free(l->items);
    l->items = NULL;
    l->count = 0;
}

/* Replace *l by a copy of items; on failure *l is unchanged. */
static int strings_assign(cfg_strings *l, const char *const *items, size_t count)
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
    strings_free(l);
    l->items = copy;
    l->count = count;
    return 0;
}

static int string_assign(char **field, const char *value)
{
    char *copy = strdup(value);
    if (copy == NULL)
        return -1;
    free(*field);
    *field = copy;
    return 0;
}

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
    cfg->max_overhead = 0.01;
    cfg->log_path = strdup("most_common.log");
    cfg->prometheus_textfile = strdup("");
    if (cfg->log_path == NULL || cfg->prometheus_textfile == NULL ||
        strings_assign(&cfg->gauges, default_gauges, 4) != 0)
        return -1;
    return 0;
}

void cfg_free(cfg_config *cfg)
{
    if (cfg == NULL)
        return;
    free(cfg->log_path);
    free(cfg->prometheus_textfile);
    strings_free(&cfg->sample_include);
    strings_free(&cfg->sample_exclude);
    strings_free(&cfg->gauges);
    strings_free(&cfg->autostart_programs);
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
    if (string_assign(&dst->log_path, src->log_path) != 0 ||
        string_assign(&dst->prometheus_textfile, src->prometheus_textfile) != 0 ||
        strings_assign(&dst->sample_include, (const char *const *)src->sample_include.items, src->sample_include.count) != 0 ||
        strings_assign(&dst->sample_exclude, (const char *const *)src->sample_exclude.items, src->sample_exclude.count) != 0 ||
        strings_assign(&dst->gauges, (const char *const *)src->gauges.items, src->gauges.count) != 0 ||
        strings_assign(&dst->autostart_programs, (const char *const *)src->autostart_programs.items,
                       src->autostart_programs.count) != 0) {
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

bool cfg_wants_gauge(const cfg_config *cfg, const char *name)
{
    for (size_t i = 0; i < cfg->gauges.count; i++)
        if (strcmp(cfg->gauges.items[i], name) == 0)
            return true;
    return false;
}

/* ---- applying one value ----------------------------------------------- */

static const key_spec *find_spec(const char *dotted)
{
    for (size_t i = 0; i < N_KEYS; i++)
        if (strcmp(key_specs[i].name, dotted) == 0)
            return &key_specs[i];
    return NULL;
}

static const char *kind_noun(key_kind kind)
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
    }
    return "a value";
}

static bool kind_is_list(key_kind kind)
{
    return kind == KIND_PATTERNS || kind == KIND_GAUGES;
}

/* Parse `text` for the scalar key `spec` and store it in cfg.  The message
 * (no location) names the key. */
static int apply_scalar(cfg_config *cfg, const key_spec *spec, const char *text, la_error *err)
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
        if (u < spec->min || u > spec->max)
            return la_error_set(err, "%s: %s is out of range (10ms .. 1d)", spec->name, text);
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
        if (string_assign((char **)field, text) != 0)
            return la_error_set(err, "out of memory");
        return 0;
    case KIND_PATTERNS:
    case KIND_GAUGES:
        break;
    }
    return la_error_set(err, "%s must be %s", spec->name, kind_noun(spec->kind));
}

/* Check one list item; gauges must be known ones. */
static int check_list_item(const key_spec *spec, const char *item, la_error *err)
{
    if (*item == '\0')
        return la_error_set(err, "%s: empty entry", spec->name);
    if (spec->kind != KIND_GAUGES)
        return 0;
    for (size_t i = 0; cfg_known_gauges[i]; i++)
        if (strcmp(item, cfg_known_gauges[i]) == 0)
            return 0;
    const char *near = cfg_nearest(item, cfg_known_gauges);
    if (near)
        return la_error_set(err, "unknown gauge '%s', did you mean '%s'?", item, near);
    return la_error_set(err, "unknown gauge '%s' (known: rss, blocks, gc_objects, sample_ms)", item);
}

/* ---- walking the YAML document ---------------------------------------- */

typedef struct load_ctx {
    yaml_document_t *doc;
    const char *file;
    cfg_config *cfg;
    la_error *err;
} load_ctx;

/* Report at a node: "FILE:LINE:COLUMN: message". */
__attribute__((format(printf, 3, 4)))
static int fail_at(load_ctx *ctx, const yaml_node_t *node, const char *fmt, ...)
{
    char msg[LA_ERROR_MAX];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(msg, sizeof msg, fmt, ap);
    va_end(ap);
    return la_error_set(ctx->err, "%s:%lu:%lu: %s", ctx->file,
                        (unsigned long)node->start_mark.line + 1,
                        (unsigned long)node->start_mark.column + 1, msg);
}

static const char *node_type_noun(const yaml_node_t *node)
{
    switch (node->type) {
    case YAML_MAPPING_NODE: return "a mapping";
    case YAML_SEQUENCE_NODE: return "a list";
    default: return "a scalar";
    }
}

static const char *scalar_text(const yaml_node_t *node)
{
    return (const char *)node->data.scalar.value;
}

/* A plain empty scalar, "~" or "null" is YAML's null. */
static bool is_null(const yaml_node_t *node)
{
    if (node->type != YAML_SCALAR_NODE || node->data.scalar.style != YAML_PLAIN_SCALAR_STYLE)
        return false;
    const char *t = scalar_text(node);
    return *t == '\0' || strcmp(t, "~") == 0 || strcmp(t, "null") == 0 || strcmp(t, "Null") == 0 || strcmp(t, "NULL") == 0;
}

static int load_list(load_ctx *ctx, const key_spec *spec, yaml_node_t *value)
{
    if (is_null(value))
        return strings_assign((cfg_strings *)((char *)ctx->cfg + spec->offset), NULL, 0) == 0
                   ? 0 : fail_at(ctx, value, "out of memory");
    if (value->type != YAML_SEQUENCE_NODE)
        return fail_at(ctx, value, "%s must be %s, not %s (write e.g. [\"%s\"])", spec->name,
                       kind_noun(spec->kind), node_type_noun(value),
                       spec->kind == KIND_GAUGES ? "rss" : "myapp.*");
    size_t n = (size_t)(value->data.sequence.items.top - value->data.sequence.items.start);
    const char **items = calloc(n ? n : 1, sizeof *items);
    if (items == NULL)
        return fail_at(ctx, value, "out of memory");
    int rc = 0;
    for (size_t i = 0; i < n && rc == 0; i++) {
        yaml_node_t *item = yaml_document_get_node(ctx->doc, value->data.sequence.items.start[i]);
        la_error why;
        if (item->type != YAML_SCALAR_NODE)
            rc = fail_at(ctx, item, "%s: entries must be strings, not %s", spec->name, node_type_noun(item));
        else if (check_list_item(spec, scalar_text(item), &why) != 0)
            rc = fail_at(ctx, item, "%s", why.msg);
        else
            items[i] = scalar_text(item);
    }
    if (rc == 0 && strings_assign((cfg_strings *)((char *)ctx->cfg + spec->offset), items, n) != 0)
        rc = fail_at(ctx, value, "out of memory");
    free(items);
    return rc;
}

static int load_value(load_ctx *ctx, const key_spec *spec, yaml_node_t *value)
{
    if (kind_is_list(spec->kind))
        return load_list(ctx, spec, value);
    if (value->type != YAML_SCALAR_NODE)
        return fail_at(ctx, value, "%s must be %s, not %s", spec->name, kind_noun(spec->kind), node_type_noun(value));
    if (is_null(value)) {
        if (spec->kind == KIND_STRING)
            return apply_scalar(ctx->cfg, spec, "", ctx->err) == 0 ? 0 : fail_at(ctx, value, "out of memory");
        return fail_at(ctx, value, "%s has no value (expected %s)", spec->name, kind_noun(spec->kind));
    }
    la_error why;
    if (apply_scalar(ctx->cfg, spec, scalar_text(value), &why) != 0)
        return fail_at(ctx, value, "%s", why.msg);
    return 0;
}

/* Message for a key that is not known inside `section` ("" = top level). */
static int unknown_key(load_ctx *ctx, const yaml_node_t *key, const char *section)
{
    const char *word = scalar_text(key);
    const char *names[N_KEYS + sizeof sections / sizeof sections[0]];
    size_t n = 0;
    size_t plen = strlen(section);
    /* Candidates: the keys of this section, by their short name. */
    for (size_t i = 0; i < N_KEYS; i++) {
        const char *full = key_specs[i].name;
        const char *dot = strchr(full, '.');
        if (plen == 0 && dot == NULL)
            names[n++] = full;
        else if (plen && dot && (size_t)(dot - full) == plen && strncmp(full, section, plen) == 0)
            names[n++] = dot + 1;
    }
    if (plen == 0)
        for (size_t i = 0; sections[i]; i++)
            names[n++] = sections[i];
    names[n] = NULL;
    const char *near = cfg_nearest(word, names);
    if (near)
        return fail_at(ctx, key, "unknown key '%s', did you mean '%s'?", word, near);
    /* A key of another section put at the wrong level. */
    for (size_t i = 0; i < N_KEYS; i++) {
        const char *dot = strchr(key_specs[i].name, '.');
        if (dot && strcmp(dot + 1, word) == 0)
            return fail_at(ctx, key, "unknown key '%s' here; it belongs under '%.*s:'",
                           word, (int)(dot - key_specs[i].name), key_specs[i].name);
    }
    if (plen)
        return fail_at(ctx, key, "unknown key '%s' in '%s'", word, section);
    return fail_at(ctx, key, "unknown key '%s'", word);
}

static int load_mapping(load_ctx *ctx, yaml_node_t *map, const char *section);

static bool is_section(const char *name)
{
    for (size_t i = 0; sections[i]; i++)
        if (strcmp(sections[i], name) == 0)
            return true;
    return false;
}

static int load_pair(load_ctx *ctx, yaml_node_t *key, yaml_node_t *value, const char *section)
{
    if (key->type != YAML_SCALAR_NODE)
        return fail_at(ctx, key, "keys must be plain words, not %s", node_type_noun(key));
    const char *word = scalar_text(key);
    if (*section == '\0' && is_section(word)) {
        if (is_null(value))
            return 0;
        if (value->type != YAML_MAPPING_NODE)
            return fail_at(ctx, value, "'%s' must be a mapping of keys, not %s", word, node_type_noun(value));
        return load_mapping(ctx, value, word);
    }
    char dotted[128];
    if (*section)
        snprintf(dotted, sizeof dotted, "%s.%s", section, word);
    else
        snprintf(dotted, sizeof dotted, "%s", word);
    const key_spec *spec = find_spec(dotted);
    if (spec == NULL)
        return unknown_key(ctx, key, section);
    return load_value(ctx, spec, value);
}

static int load_mapping(load_ctx *ctx, yaml_node_t *map, const char *section)
{
    yaml_node_pair_t *start = map->data.mapping.pairs.start;
    yaml_node_pair_t *top = map->data.mapping.pairs.top;
    for (yaml_node_pair_t *pair = start; pair < top; pair++) {
        yaml_node_t *key = yaml_document_get_node(ctx->doc, pair->key);
        yaml_node_t *value = yaml_document_get_node(ctx->doc, pair->value);
        /* Duplicate keys are a mistake YAML itself lets through. */
        for (yaml_node_pair_t *prev = start; prev < pair && key->type == YAML_SCALAR_NODE; prev++) {
            yaml_node_t *pk = yaml_document_get_node(ctx->doc, prev->key);
            if (pk->type == YAML_SCALAR_NODE && strcmp(scalar_text(pk), scalar_text(key)) == 0)
                return fail_at(ctx, key, "duplicate key '%s' (first at line %lu)", scalar_text(key),
                               (unsigned long)pk->start_mark.line + 1);
        }
        if (load_pair(ctx, key, value, section) != 0)
            return -1;
    }
    return 0;
}

/* YAML's "\0" escape puts a NUL inside a scalar, and every string here is
 * C's: "5s\0junk" would be read as 5s, a key "path\0x" as path.  Refused,
 * wherever it is, so the file means what it says or nothing. */
static int refuse_nul(load_ctx *ctx)
{
    for (yaml_node_t *node = ctx->doc->nodes.start; node < ctx->doc->nodes.top; node++)
        if (node->type == YAML_SCALAR_NODE &&
            strlen(scalar_text(node)) != node->data.scalar.length)
            return fail_at(ctx, node, "a NUL character (\\0) is not allowed in a config");
    return 0;
}

static int syntax_error(const yaml_parser_t *parser, const char *file, la_error *err)
{
    const yaml_mark_t *mark = parser->problem ? &parser->problem_mark : &parser->context_mark;
    const char *problem = parser->problem ? parser->problem : "cannot parse";
    if (parser->error == YAML_MEMORY_ERROR)
        return la_error_set(err, "%s:1:1: out of memory", file);
    if (parser->context)
        return la_error_set(err, "%s:%lu:%lu: YAML syntax error: %s (%s at line %lu)", file,
                            (unsigned long)mark->line + 1, (unsigned long)mark->column + 1, problem,
                            parser->context, (unsigned long)parser->context_mark.line + 1);
    return la_error_set(err, "%s:%lu:%lu: YAML syntax error: %s", file,
                        (unsigned long)mark->line + 1, (unsigned long)mark->column + 1, problem);
}

int cfg_load_string(cfg_config *cfg, const char *text, size_t len, const char *name, la_error *err)
{
    yaml_parser_t parser;
    yaml_document_t doc;
    cfg_config scratch;
    int rc = -1;
    bool have_doc = false;

    if (cfg_copy(&scratch, cfg, err) != 0)
        return -1;
    if (!yaml_parser_initialize(&parser)) {
        cfg_free(&scratch);
        return la_error_set(err, "%s:1:1: out of memory", name);
    }
    yaml_parser_set_input_string(&parser, (const unsigned char *)text, len);
    if (!yaml_parser_load(&parser, &doc)) {
        syntax_error(&parser, name, err);
        goto out;
    }
    have_doc = true;
    yaml_node_t *root = yaml_document_get_root_node(&doc);
    load_ctx ctx = {&doc, name, &scratch, err};
    if (refuse_nul(&ctx) != 0)
        goto out;
    if (root != NULL && !is_null(root)) {
        if (root->type != YAML_MAPPING_NODE) {
            fail_at(&ctx, root, "the config must be a mapping of keys (key: value), not %s", node_type_noun(root));
            goto out;
        }
        if (load_mapping(&ctx, root, "") != 0)
            goto out;
    }
    /* A second document would be silently ignored: refuse it instead. */
    yaml_document_t next;
    if (!yaml_parser_load(&parser, &next)) {
        syntax_error(&parser, name, err);
        goto out;
    }
    yaml_node_t *next_root = yaml_document_get_root_node(&next);
    if (next_root != NULL) {
        fail_at(&ctx, next_root, "only one YAML document is allowed in a config file");
        yaml_document_delete(&next);
        goto out;
    }
    yaml_document_delete(&next);
    rc = 0;
out:
    if (have_doc)
        yaml_document_delete(&doc);
    yaml_parser_delete(&parser);
    if (rc == 0) {
        cfg_free(cfg);
        *cfg = scratch;
    } else {
        cfg_free(&scratch);
    }
    return rc;
}

int cfg_load_file(cfg_config *cfg, const char *path, la_error *err)
{
    FILE *f = fopen(path, "rb");
    if (f == NULL)
        return la_error_errno(err, errno, "%s:1:1: cannot open config file", path);
    char *text = NULL;
    size_t len = 0, cap = 0;
    int rc = -1;
    for (;;) {
        if (len == cap) {
            size_t ncap = cap ? cap * 2 : 4096;
            if (ncap > (64u << 20)) {
                la_error_set(err, "%s:1:1: config file is larger than 64 MB", path);
                goto out;
            }
            char *bigger = realloc(text, ncap);
            if (bigger == NULL) {
                la_error_set(err, "%s:1:1: out of memory", path);
                goto out;
            }
            text = bigger;
            cap = ncap;
        }
        size_t n = fread(text + len, 1, cap - len, f);
        len += n;
        if (n == 0)
            break;
    }
    if (ferror(f)) {
        la_error_errno(err, errno, "%s:1:1: cannot read config file", path);
        goto out;
    }
    rc = cfg_load_string(cfg, text, len, path, err);
out:
    free(text);
    fclose(f);
    return rc;
}

/* ---- overrides -------------------------------------------------------- */

/* Accept "log.path", "log_path" and, when unambiguous, the short "max_size". */
static const key_spec *find_override(const char *key)
{
    const key_spec *spec = find_spec(key);
    if (spec)
        return spec;
    char dotted[128];
    for (size_t i = 0; sections[i]; i++) {
        size_t n = strlen(sections[i]);
        if (strncmp(key, sections[i], n) == 0 && key[n] == '_') {
            snprintf(dotted, sizeof dotted, "%s.%s", sections[i], key + n + 1);
            if ((spec = find_spec(dotted)) != NULL)
                return spec;
        }
    }
    const key_spec *found = NULL;
    for (size_t i = 0; i < N_KEYS; i++) {
        const char *dot = strchr(key_specs[i].name, '.');
        if (dot && strcmp(dot + 1, key) == 0) {
            if (found)
                return NULL;
            found = &key_specs[i];
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
    const key_spec *spec = find_override(key);
    if (spec == NULL)
        return unknown_override(key, err);
    if (kind_is_list(spec->kind))
        return la_error_set(err, "override '%s': must be %s", key, kind_noun(spec->kind));
    cfg_config scratch;
    if (cfg_copy(&scratch, cfg, err) != 0)
        return -1;
    la_error why;
    if (apply_scalar(&scratch, spec, value, &why) != 0) {
        cfg_free(&scratch);
        return la_error_set(err, "override '%s': %s", key, why.msg);
    }
    cfg_free(cfg);
    *cfg = scratch;
    return 0;
}

int cfg_set_list(cfg_config *cfg, const char *key, const char *const *items, size_t count, la_error *err)
{
    const key_spec *spec = find_override(key);
    if (spec == NULL)
        return unknown_override(key, err);
    if (!kind_is_list(spec->kind))
        return la_error_set(err, "override '%s': must be %s, not a list", key, kind_noun(spec->kind));
    for (size_t i = 0; i < count; i++) {
        la_error why;
        if (check_list_item(spec, items[i], &why) != 0)
            return la_error_set(err, "override '%s': %s", key, why.msg);
    }
    if (strings_assign((cfg_strings *)((char *)cfg + spec->offset), items, count) != 0)
        return la_error_set(err, "out of memory");
    return 0;
}
