/* lp_kinds: the tables of series kinds and gauges (lp_kinds.h). */
#include "lp_kinds.h"

#include <string.h>

const lp_kind_info lp_kinds[] = {
    [LP_TYPE] = {.json = "type", .unit = LP_UNIT_COUNT, .by_count = true},
    [LP_GAUGE] = {.json = "gauge", .unit = LP_UNIT_VALUE, .by_count = true, .by_bytes = true},
    [LP_REFS] = {.json = "refs", .unit = LP_UNIT_COUNT, .by_count = true, .by_bytes = true},
    [LP_BYTES] = {.json = "bytes", .unit = LP_UNIT_BYTES, .by_bytes = true},
    [LP_LEN] = {.json = "len", .unit = LP_UNIT_COUNT, .by_count = true, .by_bytes = true},
    [LP_EXACT] = {.json = "exact", .unit = LP_UNIT_COUNT, .by_count = true, .by_bytes = true},
    [LP_GONE] = {.json = "gone", .unit = LP_UNIT_COUNT, .by_count = true, .by_bytes = true},
};

const lp_gauge_info lp_gauges[] = {
    {.name = "[rss]", .judged = true, .min_abs = 1024.0 * 1024.0, .unit = LP_UNIT_BYTES},
    {.name = "[blocks]", .judged = true, .min_abs = 1000, .unit = LP_UNIT_COUNT},
    {.name = "[gc_objects]", .judged = true, .min_abs = 100, .unit = LP_UNIT_COUNT},
    {.name = "[sample_ms]", .judged = false, .unit = LP_UNIT_VALUE},
};
const size_t lp_n_gauges = sizeof lp_gauges / sizeof lp_gauges[0];

const lp_gauge_info *lp_gauge_find(const char *name)
{
    for (size_t i = 0; i < lp_n_gauges; i++)
        if (strcmp(lp_gauges[i].name, name) == 0)
            return &lp_gauges[i];
    return NULL;
}

lp_unit lp_column_unit(const lp_column *c)
{
    if (c->kind == LP_GAUGE) {
        const lp_gauge_info *g = lp_gauge_find(c->name);
        return g ? g->unit : LP_UNIT_VALUE;
    }
    return lp_kinds[c->kind].unit;
}
