/* cfg_yaml: loading leakagent.yaml with libyaml (cfg.h's cfg_load_file and
 * cfg_load_string); the only file that includes <yaml.h>.
 *
 * DESIGN
 * The file is parsed into a libyaml document (nodes carry their line and
 * column), then walked against the table of keys (cfg_keys.c).  Values are
 * applied to a scratch copy of the config; only when the whole file is valid
 * does the scratch copy replace the caller's struct, so a bad file is never
 * half-applied.  Every message is "FILE:LINE:COLUMN: what is wrong". */
#include "cfg_keys.h"
#include "cfg_value.h"

#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <yaml.h>

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

static int load_list(load_ctx *ctx, const cfg_key *spec, yaml_node_t *value)
{
    if (is_null(value))
        return cfg_key_assign_list(ctx->cfg, spec, NULL, 0) == 0
                   ? 0 : fail_at(ctx, value, "out of memory");
    if (spec->kind == KIND_TYPES && value->type == YAML_SCALAR_NODE) {
        const char *one = scalar_text(value);
        la_error why;
        if (cfg_key_check_item(spec, one, &why) != 0)
            return fail_at(ctx, value, "%s", why.msg);
        return cfg_key_assign_list(ctx->cfg, spec, &one, 1) == 0
                   ? 0 : fail_at(ctx, value, "out of memory");
    }
    if (value->type != YAML_SEQUENCE_NODE)
        return fail_at(ctx, value, "%s must be %s, not %s (write e.g. [\"%s\"])", spec->name,
                       cfg_kind_noun(spec->kind), node_type_noun(value),
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
        else if (cfg_key_check_item(spec, scalar_text(item), &why) != 0)
            rc = fail_at(ctx, item, "%s", why.msg);
        else
            items[i] = scalar_text(item);
    }
    la_error why;
    if (rc == 0 && cfg_key_check_list(spec, items, n, &why) != 0)
        rc = fail_at(ctx, value, "%s", why.msg);
    if (rc == 0 && cfg_key_assign_list(ctx->cfg, spec, items, n) != 0)
        rc = fail_at(ctx, value, "out of memory");
    free(items);
    return rc;
}

/* Remember where the key got its value (cfg_refuse). */
static int mark(load_ctx *ctx, const cfg_key *spec, const yaml_node_t *value, int rc)
{
    if (rc == 0)
        ctx->cfg->marks[spec - cfg_keys] = (cfg_mark){
            .line = (unsigned)value->start_mark.line + 1,
            .column = (unsigned)value->start_mark.column + 1,
            .set = true,
        };
    return rc;
}

static int load_value_unmarked(load_ctx *ctx, const cfg_key *spec, yaml_node_t *value);

static int load_value(load_ctx *ctx, const cfg_key *spec, yaml_node_t *value)
{
    return mark(ctx, spec, value, load_value_unmarked(ctx, spec, value));
}

static int load_value_unmarked(load_ctx *ctx, const cfg_key *spec, yaml_node_t *value)
{
    if (cfg_kind_is_list(spec->kind))
        return load_list(ctx, spec, value);
    if (value->type != YAML_SCALAR_NODE)
        return fail_at(ctx, value, "%s must be %s, not %s", spec->name, cfg_kind_noun(spec->kind), node_type_noun(value));
    if (is_null(value)) {
        if (spec->kind == KIND_STRING)
            return cfg_key_apply_scalar(ctx->cfg, spec, "", ctx->err) == 0 ? 0 : fail_at(ctx, value, "out of memory");
        return fail_at(ctx, value, "%s has no value (expected %s)", spec->name, cfg_kind_noun(spec->kind));
    }
    la_error why;
    if (cfg_key_apply_scalar(ctx->cfg, spec, scalar_text(value), &why) != 0)
        return fail_at(ctx, value, "%s", why.msg);
    return 0;
}

/* Message for a key that is not known inside `section` ("" = top level). */
static int unknown_key(load_ctx *ctx, const yaml_node_t *key, const char *section)
{
    const char *word = scalar_text(key);
    const char *names[CFG_NAMES_MAX];
    size_t n = 0;
    size_t plen = strlen(section);
    /* Candidates: the keys of this section, by their short name. */
    for (size_t i = 0; i < cfg_n_keys; i++) {
        const char *full = cfg_keys[i].name;
        const char *dot = strchr(full, '.');
        if (plen == 0 && dot == NULL)
            names[n++] = full;
        else if (plen && dot && (size_t)(dot - full) == plen && strncmp(full, section, plen) == 0)
            names[n++] = dot + 1;
    }
    if (plen == 0)
        for (size_t i = 0; cfg_sections[i]; i++)
            names[n++] = cfg_sections[i];
    names[n] = NULL;
    const char *near = cfg_nearest(word, names);
    if (near)
        return fail_at(ctx, key, "unknown key '%s', did you mean '%s'?", word, near);
    /* A key of another section put at the wrong level. */
    for (size_t i = 0; i < cfg_n_keys; i++) {
        const char *dot = strchr(cfg_keys[i].name, '.');
        if (dot && strcmp(dot + 1, word) == 0)
            return fail_at(ctx, key, "unknown key '%s' here; it belongs under '%.*s:'",
                           word, (int)(dot - cfg_keys[i].name), cfg_keys[i].name);
    }
    if (plen)
        return fail_at(ctx, key, "unknown key '%s' in '%s'", word, section);
    return fail_at(ctx, key, "unknown key '%s'", word);
}

static int load_mapping(load_ctx *ctx, yaml_node_t *map, const char *section);

static int load_pair(load_ctx *ctx, yaml_node_t *key, yaml_node_t *value, const char *section)
{
    if (key->type != YAML_SCALAR_NODE)
        return fail_at(ctx, key, "keys must be plain words, not %s", node_type_noun(key));
    const char *word = scalar_text(key);
    if (*section == '\0' && cfg_key_is_section(word)) {
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
    const cfg_key *spec = cfg_key_find(dotted);
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
    if (cfg_string_assign(&scratch.file, name) != 0) {
        la_error_set(err, "%s:1:1: out of memory", name);
        goto out;
    }
    /* Marks are of this file: those of an earlier one would point into it. */
    memset(scratch.marks, 0, sizeof scratch.marks);
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

