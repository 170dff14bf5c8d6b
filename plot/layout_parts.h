/* layout_parts: what layout.c (panels, pages) and layout_page1.c (the
 * page-1 summary) share: the page's geometry and a few helpers.  Internal
 * to the layout. */
#ifndef LAYOUT_PARTS_H
#define LAYOUT_PARTS_H

#include <stdbool.h>
#include <stddef.h>

#include "layout.h"

/* Page geometry (points; A4 landscape). */
#define PAGE_W 842.0
#define PAGE_H 595.0
#define MARGIN 28.0
#define HEADER_H 16.0              /* running header of grid pages */
#define PANEL_MIN_H 150.0          /* a page-1 row of panels at least this tall */
#define Y_LABEL_W 34.0             /* room left of a plot for y labels */
#define TITLE_H 24.0               /* title and legend lines above a plot */
#define X_LABEL_H 14.0             /* room below a plot for time labels */
#define MiB (1024.0 * 1024.0)

/* A pause in sampling longer than 5 x the median interval (of the first
 * 1,000) breaks the line: the process was stopped or the agent stalled. */
double layout_run_gap(const lp_series_store *s, const lp_run *r);

/* "+1,950/h"; "+12.5 MB/h" (one decimal below 100) with a unit. */
void layout_rate_text(char *out, size_t size, double per_hour, const char *unit);

/* "4,990", or "47.8 MB" with a unit. */
void layout_value_text(char *out, size_t size, double v, const char *unit);

/* Scale and unit of a column: bytes ([rss], "dict bytes") in MB (GB past
 * 10 GB); 1 and "" for the rest. */
double layout_column_scale(const lp_series_store *s, size_t col, double peak, const char **unit);

/* Page 1's summary (files, process, span, snapshots, the verdict and its
 * table of growing, rising and held series, each with why) into
 * doc->summary; current marks the runs judged, in_window the snapshots.
 * Each row's n_chains is set before (how many "held by" lines it gets). */
void layout_fill_summary(const layout_input *in, const bool *current, layout_doc *doc,
                         size_t in_window);

#endif
