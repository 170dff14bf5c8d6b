/* gauge: the table of gauge kinds (gauge.h). */
#include "gauge.h"

#include <string.h>

const la_gauge_kind la_gauges[] = {
    {.key = LA_GAUGE_RSS, .by_default = true, .metric = "python_resident_memory_bytes",
     .help = "Resident memory of the process in bytes.", .metric_scale = 1},
    {.key = LA_GAUGE_BLOCKS, .by_default = true, .metric = "python_allocated_blocks",
     .help = "sys.getallocatedblocks() of the process.", .metric_scale = 1},
    {.key = LA_GAUGE_GC_OBJECTS, .by_default = true, .metric = "python_gc_objects",
     .help = "Objects tracked by the garbage collector.", .metric_scale = 1},
    {.key = LA_GAUGE_SAMPLE_MS, .by_default = true, .metric = "leakagent_sample_seconds",
     .help = "Time the last snapshot held the GIL.", .metric_scale = 1e-3},
};
const size_t la_n_gauges = sizeof la_gauges / sizeof la_gauges[0];

const la_gauge_kind *la_gauge_find(const char *key)
{
    for (size_t i = 0; i < la_n_gauges; i++)
        if (strcmp(la_gauges[i].key, key) == 0)
            return &la_gauges[i];
    return NULL;
}

size_t la_gauge_keys(const char **names, bool by_default_only)
{
    size_t n = 0;
    for (size_t i = 0; i < la_n_gauges; i++)
        if (!by_default_only || la_gauges[i].by_default)
            names[n++] = la_gauges[i].key;
    names[n] = NULL;
    return n;
}
