/* cfg_keys: the table of config keys and how a value is applied to one
 * (internal to libleakagent; cfg.c and cfg_yaml.c share it).
 *
 * Every key of leakagent.yaml is one row of cfg_keys[]: its dotted name, the
 * kind of value it takes and where it goes in cfg_config.  Applying a value
 * checks it against its kind and range; messages name the key but carry no
 * location (the YAML walk and the overrides add theirs). */
#ifndef LA_CFG_KEYS_H
#define LA_CFG_KEYS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "cfg.h"

typedef enum {
    KIND_BOOL, KIND_DURATION, KIND_SIZE, KIND_UINT, KIND_UINT64, KIND_PERCENT,
    KIND_STRING, KIND_PATH, KIND_PATTERNS, KIND_GAUGES, KIND_MODE,
    KIND_TYPES,           /* chains.types: "auto", "off" or patterns; a scalar is a list of one */
} cfg_kind;

typedef struct cfg_key {
    const char *name;     /* dotted: "log.max_size" */
    cfg_kind kind;
    size_t offset;        /* of the field in cfg_config */
    uint64_t min, max;    /* for durations (ms) and integers */
} cfg_key;

/* Room enough for every key's name, every section's and a NULL (checked
 * at compile time in cfg_keys.c): the size of a list of candidate names. */
#define CFG_NAMES_MAX 64

extern const cfg_key cfg_keys[];
extern const size_t cfg_n_keys;
/* The sections ("log", "sample", ...), NULL-terminated. */
extern const char *const cfg_sections[];

/* The key of a dotted name, or NULL. */
const cfg_key *cfg_key_find(const char *dotted);
/* True if name is a section. */
bool cfg_key_is_section(const char *name);
/* "a duration such as 60s", ... */
const char *cfg_kind_noun(cfg_kind kind);
/* True for the kinds that take a list. */
bool cfg_kind_is_list(cfg_kind kind);

/* Parse `text` for the scalar key and store it in cfg.  0, or -1 with err
 * naming the key. */
int cfg_key_apply_scalar(cfg_config *cfg, const cfg_key *key, const char *text, la_error *err);
/* Check one entry of a list key (gauges must be known ones). */
int cfg_key_check_item(const cfg_key *key, const char *item, la_error *err);
/* Check a whole list: "off" in chains.types must stand alone. */
int cfg_key_check_list(const cfg_key *key, const char *const *items, size_t n, la_error *err);
/* Store a list (already checked) into cfg.  0, or -1 when out of memory. */
int cfg_key_assign_list(cfg_config *cfg, const cfg_key *key, const char *const *items, size_t n);

/* ---- string helpers of cfg_config ---------------------------------------- */

void cfg_strings_free(cfg_strings *l);
/* Replace *l by a copy of items; on failure (-1) *l is unchanged. */
int cfg_strings_assign(cfg_strings *l, const char *const *items, size_t count);
/* Replace *field by a copy of value; on failure (-1) it is unchanged. */
int cfg_string_assign(char **field, const char *value);

#endif
