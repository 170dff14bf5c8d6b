/* layout: what goes where on which page, as plain structs; no drawing.
 *
 * Design: the stage between detect and render.  From the store, the
 * detector's report and the options it chooses the panels (growing series
 * first, then the gauges, then the --top largest other types; one panel per
 * series name, one line per process run in it), orders them onto pages
 * (page 1: what was read, the verdict and as many growing panels as fit;
 * then grids of 3 x 4 on A4 landscape), and computes every panel's
 * rectangles, axis ticks, shortened title, legend and decimated points in
 * page coordinates (points, 1/72 inch, y down).  The renderer only paints
 * what this stage decided, so tests check these structs, not PDF bytes.
 *
 * Text widths come from a measure callback (cairo in the renderer, a
 * fixed-width fake in tests).  Every string in the result is valid UTF-8:
 * names from a log are cleaned here. */
#ifndef LAYOUT_H
#define LAYOUT_H

#include <stdbool.h>
#include <stddef.h>

#include "axis.h"
#include "detect.h"
#include "lp_error.h"
#include "lp_read.h"
#include "lp_series.h"

#define LAYOUT_GRID_COLS 4
#define LAYOUT_GRID_ROWS 3
#define LAYOUT_VERDICT_ROWS 10     /* growing series listed on page 1 */
#define LAYOUT_ROW_CHAINS 2        /* "held by" lines under one of them */
#define LAYOUT_SUMMARY_LINES 8
#define LAYOUT_LEGEND_MAX 6        /* legend entries shown; "+N more" after */
#define LAYOUT_MAX_GROWING 1000    /* growing panels drawn (84 pages); a log
                                      where more grow (a million leaking
                                      types) names the rest on page 1 only,
                                      so that time and memory stay bounded */
#define LAYOUT_MAX_LINES 64        /* runs drawn in one panel: growing ones
                                      first, then current ones, then the
                                      latest (a log may hold 10^6 pids); the
                                      rest count in the legend's "+N more" */
#define LAYOUT_MAX_GAUGES 24       /* gauge panels drawn: the agent's four and
                                      the first unknown ones (a #START line
                                      may carry 100,000 keys) */
#define LAYOUT_LEGEND_SWATCH 12.0  /* a legend entry's line sample, points */
#define LAYOUT_TEXT 256

/* Font sizes (points) shared by layout and render. */
#define LAYOUT_FONT_TITLE 16.0
#define LAYOUT_FONT_TEXT 10.0
#define LAYOUT_FONT_PANEL 8.5
#define LAYOUT_FONT_TICK 6.5
#define LAYOUT_CHAIN_INDENT 24.0   /* a "held by" line's indent in the verdict table */

typedef struct layout_rect {
    double x, y, w, h;
} layout_rect;

/* One process run's curve in a panel.  t/v are owned by the doc. */
typedef struct layout_line {
    size_t col, run;
    bool growing;                  /* the detector flagged this run: red */
    int color;                     /* palette index (render's) */
    char label[64];                /* legend text; "" when the panel has one line
                                      or the legend line is full */
    double *t, *v;                 /* decimated points, v scaled; NaN lifts the pen */
    size_t n;
    bool has_trend;                /* Theil-Sen line from (t0, v0) to (t1, v1) */
    double trend_t0, trend_v0, trend_t1, trend_v1;
} layout_line;

typedef enum layout_kind { LAYOUT_GROWING, LAYOUT_GAUGE, LAYOUT_TOP } layout_kind;

typedef struct layout_panel {
    size_t col;
    layout_kind kind;
    bool growing;
    layout_rect box;               /* the whole cell */
    layout_rect plot;              /* the data area inside it */
    char title[LAYOUT_TEXT];       /* the name, shortened in the middle to fit */
    char rate[48];                 /* "+1,950/h" for a growing series, else "" */
    char last[48];                 /* "48,129" or "52.3 MB": the newest value,
                                      right of the legend line */
    double scale;                  /* values are multiplied by it (rss: 1/MiB) */
    axis_ticks x, y;               /* x in unix seconds, y in scaled values */
    layout_line *lines;
    size_t n_lines;
    size_t legend_more;            /* lines not named in the legend line */
} layout_panel;

/* One row of the verdict table on page 1: a growing, rising or held
 * series, and below it one line saying why. */
typedef struct layout_verdict_row {
    char name[LAYOUT_TEXT];        /* shortened to the column */
    char first[32], last[32], rate[40], where[96];
    char why[LAYOUT_TEXT];         /* "GROWING: trend z=11.7 over 24h, +3.1%/day, ..." */
    char chains[LAYOUT_ROW_CHAINS][LAYOUT_TEXT];   /* "held by: ... <- __main__.X",
                                      the best referrer chains (lp_chains.h),
                                      shortened to the page; as many as the
                                      page has room for */
    size_t n_chains;
    bool alarm;                    /* growing (red), else a note (muted) */
} layout_verdict_row;

typedef struct layout_summary {
    char title[LAYOUT_TEXT];
    char keys[LAYOUT_SUMMARY_LINES][24];
    char values[LAYOUT_SUMMARY_LINES][LAYOUT_TEXT];
    size_t n_lines;
    size_t n_growing;
    size_t n_noted;                /* rising and held series (no alarm) */
    char verdict[LAYOUT_TEXT];     /* "Verdict: 2 growing series" or "Verdict: no ..." */
    layout_verdict_row rows[LAYOUT_VERDICT_ROWS];
    size_t n_rows;
    size_t more_rows;              /* flagged series not listed */
    bool growing_capped;           /* growing series beyond LAYOUT_MAX_GROWING
                                      have no panel */
    size_t gauges;                 /* gauges with data in the window, drawn
                                      or not (LAYOUT_MAX_GAUGES) */
    double y_verdict;              /* baseline of the verdict heading */
    double y_table;                /* baseline of the table's header row */
    double row_h;                  /* table row pitch */
    double col_x[5];               /* table columns: name, first, last, rate, where */
} layout_summary;

typedef struct layout_page {
    size_t first, n;               /* panels[first .. first + n) */
    bool summary;                  /* page 1: the summary is drawn above them */
    char header[LAYOUT_TEXT];      /* running header of grid pages */
} layout_page;

typedef struct layout_doc {
    double page_w, page_h;         /* points */
    double t0, t1;                 /* the time range every panel shares */
    layout_summary summary;
    layout_panel *panels;
    size_t n_panels;
    layout_page *pages;
    size_t n_pages;
} layout_doc;

/* Everything the layout reads; all borrowed. */
typedef struct layout_input {
    const lp_series_store *store;
    const detect_report *report;
    const lp_read_stats *stats;    /* may be NULL */
    const detect_params *params;   /* for the trend line's stretch; may be NULL */
    double since, until;           /* the window (may be infinite) */
    long top;                      /* largest other types shown */
    detect_filter_fn filter;       /* -t globs; NULL: all */
    void *filter_ud;
    char *const *logs;             /* LOG arguments, for the summary */
    size_t n_logs;
    axis_measure_fn measure;       /* text width; not NULL */
    void *measure_ud;
} layout_input;

/* Lay out the whole document into doc (which it initialises).  0, or -1
 * with err set (out of memory, or no snapshot in the window).  Free with
 * layout_free, also after a failure. */
int layout_build(const layout_input *in, layout_doc *doc, lp_error *err);

/* Free what layout_build allocated; doc may be zeroed or NULL. */
void layout_free(layout_doc *doc);

/* Copy name into out (size bytes), made valid UTF-8 (bad bytes become '?')
 * and, when wider than max_w points at font size `size`, shortened in the
 * middle around an ellipsis, keeping more of the end (the class name).
 * Returns out. */
char *layout_shorten(char *out, size_t size, const char *name, double max_w, double size_pt,
                     bool bold, axis_measure_fn measure, void *ud);

/* Panel slots on page 1 below the summary of n_growing flagged series
 * with n_chain_lines "held by" lines under them, and on every further
 * page. */
size_t layout_page1_slots(size_t n_growing, size_t n_chain_lines);

#endif
