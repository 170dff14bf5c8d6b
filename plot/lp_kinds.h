/* lp_kinds: what each kind of series is, in one place for all of
 * leakplot: the reader files a line under its kind, the detector asks
 * whether and how it is judged, the report and the drawing how it is named
 * and in which unit it is shown.
 *
 * A series is a type's count ("dict"), a gauge ("[rss]", from #START
 * lines), or one of the "Why it grows" records (lp_records.h): the
 * untracked objects a type's references reach ("str refs"), a type's bytes
 * ("dict bytes"), a container's length ("list app.REGISTRY len"), exact
 * mode's objects made minus destroyed ("int exact"), the survivors of
 * leakagent.expect_gone per label ("job survived expect_gone").  Gauges
 * have a row each in lp_gauges (unknown gauges are drawn, not judged). */
#ifndef LP_KINDS_H
#define LP_KINDS_H

#include <stdbool.h>
#include <stddef.h>

#include "lp_series.h"

typedef enum lp_unit {
    LP_UNIT_COUNT,          /* whole numbers: objects, references, items */
    LP_UNIT_BYTES,          /* drawn in MB (GB past 10 GB) */
    LP_UNIT_VALUE,          /* any number (a gauge such as sample_ms) */
} lp_unit;

typedef struct lp_kind_info {
    const char *json;       /* "kind" in --json: "type", "gauge", ... */
    lp_unit unit;
    bool by_count;          /* judged and ranked by default */
    bool by_bytes;          /* judged and ranked with --by bytes */
} lp_kind_info;

/* Indexed by lp_kind. */
extern const lp_kind_info lp_kinds[];

typedef struct lp_gauge_info {
    const char *name;       /* as a series: "[rss]" */
    bool judged;            /* a counter (uptime) or a timing is not */
    double min_abs;         /* least growth that counts, in its unit */
    lp_unit unit;
} lp_gauge_info;

/* The known gauges, in the order their panels are drawn. */
extern const lp_gauge_info lp_gauges[];
extern const size_t lp_n_gauges;

/* The row of a gauge series' name, or NULL if unknown. */
const lp_gauge_info *lp_gauge_find(const char *name);

/* The unit of a column (a gauge's, or its kind's). */
lp_unit lp_column_unit(const lp_column *c);

#endif
