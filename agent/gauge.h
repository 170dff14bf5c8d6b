/* gauge: the process-wide numbers a snapshot carries on its #START line
 * (rss=, blocks=, ...), one row of la_gauges[] each: its key, whether the
 * default config asks for it, and its Prometheus metric.  The config's
 * `gauges` list, its default and its "did you mean", and the textfile's
 * metric names all come from this table; the sources that measure a gauge
 * name it by its LA_GAUGE_* key. */
#ifndef LA_GAUGE_H
#define LA_GAUGE_H

#include <stdbool.h>
#include <stddef.h>

#define LA_GAUGE_RSS "rss"
#define LA_GAUGE_BLOCKS "blocks"
#define LA_GAUGE_GC_OBJECTS "gc_objects"
#define LA_GAUGE_SAMPLE_MS "sample_ms"

typedef struct la_gauge_kind {
    const char *key;          /* on #START lines and in the config's `gauges` */
    bool by_default;          /* in the default `gauges` list */
    const char *metric;       /* the textfile's metric, in base units */
    const char *help;         /* its # HELP text */
    double metric_scale;      /* value x scale = the metric's unit */
} la_gauge_kind;

extern const la_gauge_kind la_gauges[];
extern const size_t la_n_gauges;

/* The row of key, or NULL for a gauge of no known kind. */
const la_gauge_kind *la_gauge_find(const char *key);

/* The keys, NULL-terminated, into names[0..la_n_gauges] (size la_n_gauges + 1);
 * by_default_only: those of the default config only.  Returns how many. */
size_t la_gauge_keys(const char **names, bool by_default_only);

#endif
