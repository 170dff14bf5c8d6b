/* cfg: the agent's configuration (config/leakagent.yaml) as a plain struct.
 *
 * cfg_load_file() parses YAML with libyaml and validates every key; a bad file
 * is refused whole (the struct passed in is left untouched) with an error
 * "FILE:LINE:COLUMN: message".  cfg_set() applies one override given as text
 * (the Python keyword arguments of leakagent.start()).  Value parsers
 * (durations, sizes, percentages) are cfg_value.h, the log-path template
 * cfg_path.h.  No threads, no globals: callers own the struct. */
#ifndef LA_CFG_H
#define LA_CFG_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "la_error.h"

#define CFG_INTERVAL_MIN_MS 10ULL
#define CFG_INTERVAL_MAX_MS (24ULL * 3600 * 1000)

/* Room for every key of the table (checked at compile time in cfg_keys.c). */
#define CFG_MAX_KEYS 40

/* Where a key got its value: line and column (1-based) in cfg->file, or
 * line 0 with `set` for an override; all zero while it has its default. */
typedef struct cfg_mark {
    unsigned line, column;
    bool set;
} cfg_mark;

/* A list of strings (glob patterns, gauge names).  Owned by the config. */
typedef struct cfg_strings {
    char **items;
    size_t count;
} cfg_strings;

typedef struct cfg_config {
    bool enabled;               /* enabled: false keeps the agent off */
    uint64_t interval_ms;       /* interval, 10 ms .. 1 d */
    char *log_path;             /* log.path template (%p %h %n %%) */
    uint64_t log_max_size;      /* log.max_size in bytes, 0 = never rotate */
    unsigned log_keep;          /* log.keep rotated files kept */
    bool log_compress;          /* log.compress gzip rotated files */
    unsigned log_mode;          /* log.mode of the files the agent creates (0640) */
    bool sample_collect;        /* sample.collect gc.collect() first */
    unsigned sample_top;        /* sample.top, 0 = all */
    uint64_t sample_min_count;  /* sample.min_count */
    cfg_strings sample_include; /* sample.include fnmatch patterns */
    cfg_strings sample_exclude; /* sample.exclude fnmatch patterns */
    double max_overhead;        /* max_overhead as a fraction (1% = 0.01) */
    cfg_strings gauges;         /* gauges written on #START lines */
    char *prometheus_textfile;  /* prometheus.textfile, "" = off */
    unsigned prometheus_mode;   /* prometheus.mode of the textfile (0644: node_exporter reads it) */
    cfg_strings autostart_programs; /* autostart.programs: LEAKAGENT_CONFIG starts the agent
                                       only in these programs (%n, fnmatch); empty = all */
    bool sample_referents;      /* sample.referents: count untracked referents by type */
    bool sample_sizes;          /* sample.sizes: bytes per type */
    unsigned sample_containers; /* sample.containers: the N longest containers, 0 = off */
    bool sample_exact;          /* sample.exact: count by the reference tracer (3.13+) */
    cfg_strings chains_types;   /* chains.types: "auto", glob patterns, or "off" */
    uint64_t chains_period_ms;  /* chains.period: at most one pass per type per period */
    unsigned chains_every;      /* chains.every: at most one pass per N snapshots */
    uint64_t chains_budget_ms;  /* chains.budget: GIL time a pass may take */
    unsigned chains_instances;  /* chains.instances: instances sampled per type */
    unsigned chains_depth;      /* chains.depth: hops climbed before giving up */

    /* Where each key was set (index: its row in the key table), so that a
     * part that knows more than the core (the Python extension: which
     * interpreter it runs in) can refuse a value with its location. */
    char *file;                 /* the file last loaded, NULL if none */
    cfg_mark marks[CFG_MAX_KEYS];
} cfg_config;

/* Fill cfg with the defaults of DESIGN.md.  Returns 0, or -1 when out of
 * memory (cfg is then safe to pass to cfg_free). */
int cfg_init(cfg_config *cfg);

/* Release everything cfg owns; cfg may be NULL. */
void cfg_free(cfg_config *cfg);

/* Deep copy src into dst (dst uninitialised).  0 or -1 (out of memory). */
int cfg_copy(cfg_config *dst, const cfg_config *src, la_error *err);

/* Load a YAML file over the defaults.  On success *cfg (previously
 * initialised) is replaced; on failure it is left as it was and err holds
 * "FILE:LINE:COLUMN: message" (line/column 1-based). */
int cfg_load_file(cfg_config *cfg, const char *path, la_error *err);

/* Same, from memory; `name` is used in messages in place of a file name. */
int cfg_load_string(cfg_config *cfg, const char *text, size_t len,
                    const char *name, la_error *err);

/* Override one scalar key ("interval", "log.path" or "log_path", ...) with a
 * value written as it would be in YAML ("10s", "5MB", "true").  On failure
 * cfg is unchanged and err says "override 'key': message". */
int cfg_set(cfg_config *cfg, const char *key, const char *value, la_error *err);

/* Override one list key (sample.include, sample.exclude, gauges). */
int cfg_set_list(cfg_config *cfg, const char *key, const char *const *items,
                 size_t count, la_error *err);

/* The key names, for completion and suggestions: NULL-terminated. */
extern const char *const cfg_known_keys[];

/* True if LEAKAGENT_CONFIG may start the agent in `program` (its %n):
 * autostart.programs is empty or has a pattern that matches it. */
bool cfg_autostart_allows(const cfg_config *cfg, const char *program);

/* Refuse the value of `key` (dotted) after loading: err gets
 * "FILE:LINE:COLUMN: key: message" where the file set it, "override 'key':
 * message" where an override did, "key: message" if it has its default.
 * Returns -1. */
int cfg_refuse(const cfg_config *cfg, const char *key, la_error *err, const char *fmt, ...)
    __attribute__((format(printf, 4, 5)));

/* chains.types: true if it is "off" (no chains but on demand), and
 * whether it has "auto" (the types the agent sees growing). */
bool cfg_chains_off(const cfg_config *cfg);
bool cfg_chains_auto(const cfg_config *cfg);

/* True if gauge `name` is listed in cfg->gauges. */
bool cfg_wants_gauge(const cfg_config *cfg, const char *name);

#endif
