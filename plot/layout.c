/* layout: panel choice, page assignment and geometry.  See layout.h.
 *
 * Order of work: choose the panels (choose_panels), give each a page and a
 * cell (place_panels), then fill every panel (fill_panel: its lines,
 * decimated for its own width, its axes and its title) and the summary
 * (layout_page1.c).  Shared geometry and helpers: layout_parts.h. */
#include "layout.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "decimate.h"
#include "lp_chains.h"
#include "lp_kinds.h"
#include "lp_report.h"
#include "lp_text.h"
#include "lp_utf8.h"
#include "layout_parts.h"

/* ---- text ------------------------------------------------------------------ */

static const char ellipsis[] = "\xe2\x80\xa6";

/* name cleaned into out (size bytes); a name too long for it keeps its
 * head and, after an ellipsis, its tail (the class name), as
 * layout_shorten would, rather than lose its end. */
static void clean_ends(char *out, size_t size, const char *name)
{
    size_t len = strlen(name);
    if (len < size) {
        lp_text_clean(out, size, name);
        return;
    }
    size_t tail = size * 3 / 5, head = size - tail - sizeof ellipsis;
    const char *from = name + len - tail;
    for (int i = 0; i < 3 && ((unsigned char)*from & 0xC0) == 0x80; i++)
        from++;                              /* to a code point's start */
    lp_text_clean(out, head + 1, name);
    strcat(out, ellipsis);
    lp_text_clean(out + strlen(out), tail + 1, from);
}

char *layout_shorten(char *out, size_t size, const char *name, double max_w, double size_pt,
                     bool bold, axis_measure_fn measure, void *ud)
{
    char clean[LAYOUT_TEXT * 2];
    clean_ends(clean, sizeof clean, name);
    if (measure(ud, clean, size_pt, bold) <= max_w || size < 8) {
        lp_text_clean(out, size, clean);
        return out;
    }
    /* byte offsets of the code points */
    size_t starts[LAYOUT_TEXT * 2 + 1], n = 0, len = strlen(clean);
    for (size_t i = 0; i < len; i += lp_utf8_len((const unsigned char *)clean + i, len - i))
        starts[n++] = i;
    starts[n] = len;
    /* the most code points kept, head 2/5 and tail 3/5, that fit */
    size_t lo = 0, hi = n;
    char trial[LAYOUT_TEXT * 2 + 4];
    out[0] = '\0';
    while (lo < hi) {
        size_t keep = (lo + hi + 1) / 2, head = keep * 2 / 5, tail = keep - head;
        size_t hb = starts[head], tb = len - starts[n - tail];
        if (hb + tb + sizeof ellipsis > size) {
            hi = keep - 1;
            continue;
        }
        memcpy(trial, clean, hb);
        memcpy(trial + hb, ellipsis, sizeof ellipsis - 1);
        memcpy(trial + hb + sizeof ellipsis - 1, clean + starts[n - tail], tb);
        trial[hb + sizeof ellipsis - 1 + tb] = '\0';
        if (measure(ud, trial, size_pt, bold) <= max_w)
            lo = keep;
        else
            hi = keep - 1;
    }
    size_t head = lo * 2 / 5, tail = lo - head;
    size_t hb = starts[head], tb = len - starts[n - tail];
    memcpy(out, clean, hb);
    memcpy(out + hb, ellipsis, sizeof ellipsis - 1);
    memcpy(out + hb + sizeof ellipsis - 1, clean + starts[n - tail], tb);
    out[hb + sizeof ellipsis - 1 + tb] = '\0';
    return out;
}

/* ---- choosing the panels --------------------------------------------------- */

/* Gauges in lp_gauges' order, unknown ones after. */
static int gauge_rank(const char *name)
{
    const lp_gauge_info *g = lp_gauge_find(name);
    return g ? (int)(g - lp_gauges) : (int)lp_n_gauges;
}

typedef struct ranked {
    size_t col;
    double key;
} ranked;

static int cmp_ranked(const void *a, const void *b)
{
    const ranked *x = a, *y = b;
    if (x->key != y->key)
        return x->key > y->key ? -1 : 1;
    return (x->col > y->col) - (x->col < y->col);
}

/* Per column: its largest value in the window (NaN when absent). */
static void column_peaks(const lp_series_store *s, double since, double until, double *peak)
{
    for (size_t c = 0; c < s->n_cols; c++) {
        const lp_column *col = &s->cols[c];
        double m = NAN;
        for (size_t i = 0; i < col->len; i++) {
            double t = s->times[lp_column_row(col, i)], v = lp_column_at(col, i);
            if (t >= since && t <= until && !isnan(v) && !(v <= m))
                m = v;
        }
        peak[c] = m;
    }
}

/* Fill doc->panels with the panels in order: growing, gauges, top types.
 * Only col, kind and growing are set here. */
static int choose_panels(const layout_input *in, layout_doc *doc, lp_error *err)
{
    const lp_series_store *s = in->store;
    const detect_report *d = in->report;
    int rc = -1;
    bool *taken = calloc(s->n_cols + 1, sizeof *taken);
    double *peak = malloc((s->n_cols + 1) * sizeof *peak);
    ranked *rank = malloc((s->n_cols + 1) * sizeof *rank);
    /* room for the panels there can be, not one per column: a log of a
     * million types shows a few dozen */
    size_t most = (d->n_growing < LAYOUT_MAX_GROWING ? d->n_growing : LAYOUT_MAX_GROWING) +
                  LAYOUT_MAX_GAUGES + (size_t)in->top;
    doc->panels = calloc((most < s->n_cols ? most : s->n_cols) + 1, sizeof *doc->panels);
    if (taken == NULL || peak == NULL || rank == NULL || doc->panels == NULL) {
        lp_error_set(err, "out of memory (layout)");
        goto out;
    }
    column_peaks(s, in->since, in->until, peak);
    size_t n_growing = 0;
    for (size_t i = 0; i < d->n_items && d->items[i].r.growing; i++) {
        size_t c = d->items[i].col;
        if (taken[c])
            continue;
        taken[c] = true;                /* not an "other type" even undrawn */
        if (n_growing++ >= LAYOUT_MAX_GROWING) {
            doc->summary.growing_capped = true;
            continue;
        }
        doc->panels[doc->n_panels++] = (layout_panel){.col = c, .kind = LAYOUT_GROWING,
                                                      .growing = true};
    }
    size_t n = 0;
    for (size_t c = 0; c < s->n_cols; c++)
        if (s->cols[c].kind == LP_GAUGE && !taken[c] && !isnan(peak[c]) &&
            (in->filter == NULL || in->filter(in->filter_ud, s->cols[c].name)))
            rank[n++] = (ranked){.col = c, .key = -gauge_rank(s->cols[c].name)};
    qsort(rank, n, sizeof *rank, cmp_ranked);
    doc->summary.gauges = n;
    for (size_t i = 0; i < n; i++) {
        taken[rank[i].col] = true;                  /* not an "other type" either */
        if (i < LAYOUT_MAX_GAUGES)
            doc->panels[doc->n_panels++] = (layout_panel){.col = rank[i].col,
                                                          .kind = LAYOUT_GAUGE};
    }
    /* The largest other types, by count or (--by bytes) by bytes. */
    lp_kind ranked_kind = in->params && in->params->by_bytes ? LP_BYTES : LP_TYPE;
    n = 0;
    for (size_t c = 0; c < s->n_cols; c++)
        if (s->cols[c].kind == ranked_kind && !taken[c] && !isnan(peak[c]) &&
            (in->filter == NULL || in->filter(in->filter_ud, s->cols[c].name)))
            rank[n++] = (ranked){.col = c, .key = peak[c]};
    qsort(rank, n, sizeof *rank, cmp_ranked);
    for (size_t i = 0; i < n && (long)i < in->top; i++)
        doc->panels[doc->n_panels++] = (layout_panel){.col = rank[i].col, .kind = LAYOUT_TOP};
    rc = 0;
out:
    free(taken);
    free(peak);
    free(rank);
    return rc;
}

/* ---- pages ----------------------------------------------------------------- */

/* Heights of the page-1 summary for n_growing flagged series (growing,
 * rising, held: two lines each) and n_chain_lines "held by" lines under
 * them: returns the y where the panels may start, and fills the summary's
 * positions. */
static double summary_geometry(size_t n_growing, size_t n_chain_lines, layout_summary *sum)
{
    size_t rows = n_growing < LAYOUT_VERDICT_ROWS ? n_growing : LAYOUT_VERDICT_ROWS;
    double y = MARGIN + LAYOUT_FONT_TITLE;              /* title baseline */
    double line_h = LAYOUT_FONT_TEXT + 4;
    y += 8 + 5 * line_h;                                /* five summary lines */
    y += 10 + 13;                                       /* the verdict heading */
    if (sum) {
        sum->y_verdict = y;
        sum->row_h = line_h - 1;
    }
    y += 4;
    if (rows > 0) {
        y += line_h;                                    /* table header */
        if (sum)
            sum->y_table = y;
        y += (double)(rows * 2 + n_chain_lines) * (line_h - 1);
        if (n_growing > rows)
            y += line_h - 1;                            /* "and N more" */
    }
    return y + 10;
}

/* Page 1 keeps a row of panels while this much room is left below the
 * summary; with less (a long table with "held by" lines), its panels
 * start on page 2. */
#define PANEL_LEAST_H 100.0

size_t layout_page1_slots(size_t n_growing, size_t n_chain_lines)
{
    double top = summary_geometry(n_growing, n_chain_lines, NULL);
    double avail = PAGE_H - MARGIN - top;
    size_t rows = avail < PANEL_LEAST_H ? 0 : (size_t)(avail / PANEL_MIN_H);
    rows = avail < PANEL_LEAST_H ? 0 : rows < 1 ? 1 : rows > 2 ? 2 : rows;
    return rows * LAYOUT_GRID_COLS;
}

/* How many "held by" lines each verdict row on page 1 gets (into
 * sum->rows[i].n_chains; the total is returned): as many as the page has
 * room for below the table, one under each growing row first, then one
 * under each rising or held row, then a second under each; never more
 * than the row's series has chains (lp_chains_for). */
static size_t plan_chain_lines(const layout_input *in, size_t n_flagged, layout_summary *sum)
{
    const detect_report *d = in->report;
    size_t rows = n_flagged < LAYOUT_VERDICT_ROWS ? n_flagged : LAYOUT_VERDICT_ROWS;
    double room = PAGE_H - MARGIN - summary_geometry(n_flagged, 0, NULL);
    size_t budget = room > 0 ? (size_t)(room / (LAYOUT_FONT_TEXT + 3)) : 0, total = 0;
    size_t have[LAYOUT_VERDICT_ROWS];
    const lp_chain_entry *e[LAYOUT_ROW_CHAINS];
    for (size_t i = 0; i < rows; i++)
        have[i] = lp_chains_for(in->store->chains, in->store, d->items[i].col,
                                d->items[i].run, e, LAYOUT_ROW_CHAINS);
    for (size_t pass = 0; pass < 3; pass++)
        for (size_t i = 0; i < rows && total < budget; i++) {
            size_t want = pass == 0 ? d->items[i].r.growing : pass == 1 ? 1 : 2;
            if (sum->rows[i].n_chains < want && sum->rows[i].n_chains < have[i]) {
                sum->rows[i].n_chains++;
                total++;
            }
        }
    return total;
}

/* Cells of one page: n slots in a grid of cols columns inside area. */
static void place_grid(layout_panel *p, size_t n, size_t slots, layout_rect area)
{
    size_t rows = (slots + LAYOUT_GRID_COLS - 1) / LAYOUT_GRID_COLS;
    double w = area.w / LAYOUT_GRID_COLS, h = area.h / (double)rows;
    for (size_t i = 0; i < n; i++) {
        size_t r = i / LAYOUT_GRID_COLS, c = i % LAYOUT_GRID_COLS;
        p[i].box = (layout_rect){area.x + (double)c * w, area.y + (double)r * h, w, h};
        p[i].plot = (layout_rect){p[i].box.x + Y_LABEL_W, p[i].box.y + TITLE_H,
                                  w - Y_LABEL_W - 10, h - TITLE_H - X_LABEL_H - 8};
    }
}

/* Pages and cells for the chosen panels; n_growing growing findings and
 * n_chain_lines "held by" lines fill the verdict table on page 1. */
static int place_panels(layout_doc *doc, size_t n_growing, size_t n_chain_lines, lp_error *err)
{
    size_t first = layout_page1_slots(n_growing, n_chain_lines);
    size_t per = LAYOUT_GRID_COLS * LAYOUT_GRID_ROWS;
    size_t rest = doc->n_panels > first ? doc->n_panels - first : 0;
    doc->n_pages = 1 + (rest + per - 1) / per;
    doc->pages = calloc(doc->n_pages, sizeof *doc->pages);
    if (doc->pages == NULL) {
        lp_error_set(err, "out of memory (pages)");
        return -1;
    }
    double top = summary_geometry(n_growing, n_chain_lines, &doc->summary);
    size_t n1 = doc->n_panels < first ? doc->n_panels : first;
    doc->pages[0] = (layout_page){.first = 0, .n = n1, .summary = true};
    place_grid(doc->panels, n1, first,
               (layout_rect){MARGIN, top, PAGE_W - 2 * MARGIN, PAGE_H - MARGIN - top});
    for (size_t pg = 1; pg < doc->n_pages; pg++) {
        size_t a = first + (pg - 1) * per;
        size_t n = doc->n_panels - a < per ? doc->n_panels - a : per;
        doc->pages[pg] = (layout_page){.first = a, .n = n};
        place_grid(doc->panels + a, n, per,
                   (layout_rect){MARGIN, MARGIN + HEADER_H, PAGE_W - 2 * MARGIN,
                                 PAGE_H - 2 * MARGIN - HEADER_H});
    }
    return 0;
}

/* ---- one panel ------------------------------------------------------------- */

/* Scratch shared by every panel. */
/* A run with points in a panel, and how much it matters there. */
typedef struct panel_run {
    size_t run;
    int rank;                    /* 2 growing, 1 current, 0 other */
    double last;                 /* time of its last snapshot */
} panel_run;

typedef struct scratch {
    double *t, *v;               /* a run's points, gaps as NaN (2 x rows + 1) */
    double *gap;                 /* per run: a pause longer than this is a gap */
    bool *current;               /* per run */
    panel_run *runs;             /* the runs of one panel (n_runs) */
    size_t *findings;            /* the report's items by (col, run) */
} scratch;

static int cmp_double(const void *a, const void *b)
{
    double x = *(const double *)a, y = *(const double *)b;
    return (x > y) - (x < y);
}

/* A pause in sampling longer than 5 x the median interval (of the first
 * 1,000) breaks the line: the process was stopped or the agent stalled. */
double layout_run_gap(const lp_series_store *s, const lp_run *r)
{
    double d[1000];
    size_t n = 0;
    for (size_t i = 1; i < r->n_rows && n < 1000; i++)
        d[n++] = s->times[r->rows[i]] - s->times[r->rows[i - 1]];
    if (n == 0)
        return INFINITY;
    qsort(d, n, sizeof *d, cmp_double);
    return d[n / 2] > 0 ? 5 * d[n / 2] : INFINITY;
}

/* The points of column col in run r inside the window, gaps as NaN.
 * Returns how many (0: the run has no value of this column). */
static size_t run_points(const layout_input *in, const scratch *sc, size_t col, size_t r,
                         double scale)
{
    const lp_series_store *s = in->store;
    const lp_run *run = &s->runs[r];
    size_t n = 0, present = 0;
    double prev = NAN;
    for (size_t i = 0; i < run->n_rows; i++) {
        size_t row = run->rows[i];
        double t = s->times[row];
        if (t < in->since || t > in->until)
            continue;
        if (!isnan(prev) && t - prev > sc->gap[r]) {
            sc->t[n] = (t + prev) / 2;
            sc->v[n++] = NAN;
        }
        prev = t;
        double v = lp_series_value(s, col, row);
        present += !isnan(v);
        sc->t[n] = t;
        sc->v[n++] = v * scale;
    }
    return present ? n : 0;
}

/* The line the detector fitted to a growing finding, in the panel's scale. */
static void trend_line(const detect_finding *f, double scale, layout_line *line)
{
    const detect_line *fit = &f->r.line;
    if (!fit->has)
        return;
    line->has_trend = true;
    line->trend_t0 = fit->t0;
    line->trend_v0 = fit->v0 * scale;
    line->trend_t1 = fit->t1;
    line->trend_v1 = fit->v1 * scale;
}

/* Order of detect_report items by (col, run), for qsort_r. */
static int cmp_finding_key(const void *a, const void *b, void *items_arg)
{
    const detect_finding *items = items_arg;
    const detect_finding *x = &items[*(const size_t *)a], *y = &items[*(const size_t *)b];
    if (x->col != y->col)
        return x->col < y->col ? -1 : 1;
    return (x->run > y->run) - (x->run < y->run);
}

/* The finding of (col, run), or NULL: a binary search of sc->findings (a
 * scan of a million items per line was a scan too many). */
static const detect_finding *finding_of(const detect_report *d, const scratch *sc,
                                        size_t col, size_t run)
{
    size_t lo = 0, hi = d->n_items;
    while (lo < hi) {
        size_t mid = lo + (hi - lo) / 2;
        const detect_finding *f = &d->items[sc->findings[mid]];
        if (f->col < col || (f->col == col && f->run < run))
            lo = mid + 1;
        else
            hi = mid;
    }
    if (lo < d->n_items && d->items[sc->findings[lo]].col == col &&
        d->items[sc->findings[lo]].run == run)
        return &d->items[sc->findings[lo]];
    return NULL;
}

/* Growing runs first, then current ones, then the latest. */
static int cmp_panel_run(const void *a, const void *b)
{
    const panel_run *x = a, *y = b;
    if (x->rank != y->rank)
        return x->rank > y->rank ? -1 : 1;
    if (x->last != y->last)
        return x->last > y->last ? -1 : 1;
    return (x->run > y->run) - (x->run < y->run);
}

static int cmp_panel_run_index(const void *a, const void *b)
{
    const panel_run *x = a, *y = b;
    return (x->run > y->run) - (x->run < y->run);
}

/* "pid 31337", with the host when the panel's runs are on several hosts,
 * or the log's name when the run has no pid. */
static void run_label(char *out, size_t size, const lp_series_store *s, size_t r, bool hosts)
{
    const lp_run *run = &s->runs[r];
    char raw[160];
    if (run->pid >= 0 && hosts && run->host)
        snprintf(raw, sizeof raw, "pid %ld %s", run->pid, run->host);
    else if (run->pid >= 0)
        snprintf(raw, sizeof raw, "pid %ld", run->pid);
    else {
        const char *base = strrchr(run->source ? run->source : "?", '/');
        snprintf(raw, sizeof raw, "run %zu %s", r + 1,
                 base ? base + 1 : run->source ? run->source : "");
    }
    lp_text_clean(out, size, raw);
}

/* "+1,950/h"; "+12.5 MB/h" (one decimal below 100) for rss. */
void layout_rate_text(char *out, size_t size, double per_hour, const char *unit)
{
    char num[40];
    if (*unit && fabs(per_hour) < 100)
        snprintf(num, sizeof num, "%.1f", fabs(per_hour));
    else
        lp_text_number(num, sizeof num, fabs(per_hour));
    snprintf(out, size, "%s%s%s%s/h", per_hour < 0 ? "-" : "+", num, *unit ? " " : "", unit);
}

void layout_value_text(char *out, size_t size, double v, const char *unit)
{
    if (*unit)
        snprintf(out, size, "%.1f %s", v, unit);
    else
        lp_text_number(out, size, v);
}

/* Scale and unit of a column: bytes ([rss], "dict bytes") in MB (GB past
 * 10 GB). */
double layout_column_scale(const lp_series_store *s, size_t col, double peak, const char **unit)
{
    *unit = "";
    if (lp_column_unit(&s->cols[col]) != LP_UNIT_BYTES)
        return 1;
    if (peak > 10 * 1024 * MiB) {
        *unit = "GB";
        return 1 / (1024 * MiB);
    }
    *unit = "MB";
    return 1 / MiB;
}

static int fill_panel(const layout_input *in, const scratch *sc, const layout_doc *doc,
                      layout_panel *p, lp_error *err)
{
    const lp_series_store *s = in->store;
    const lp_column *col = &s->cols[p->col];
    size_t buckets = (size_t)(2 * p->plot.w);
    double lo = INFINITY, hi = -INFINITY, peak = -INFINITY;
    const char *unit;

    /* the runs with values, and the peak for the unit */
    size_t n_runs = 0;
    const char *host0 = NULL;
    bool hosts = false;
    for (size_t r = 0; r < s->n_runs; r++) {
        size_t n = run_points(in, sc, p->col, r, 1);
        if (n == 0)
            continue;
        const detect_finding *f = finding_of(in->report, sc, p->col, r);
        const lp_run *run = &s->runs[r];
        sc->runs[n_runs++] = (panel_run){
            .run = r, .rank = f && f->r.growing ? 2 : sc->current[r] ? 1 : 0,
            .last = s->times[run->rows[run->n_rows - 1]]};
        for (size_t i = 0; i < n; i++)
            peak = sc->v[i] > peak ? sc->v[i] : peak;
        if (s->runs[r].host && host0 && strcmp(host0, s->runs[r].host) != 0)
            hosts = true;
        host0 = host0 ? host0 : s->runs[r].host;
    }
    p->scale = layout_column_scale(s, p->col, peak, &unit);
    size_t drawn = n_runs, undrawn = 0;
    if (n_runs > LAYOUT_MAX_LINES) {
        qsort(sc->runs, n_runs, sizeof *sc->runs, cmp_panel_run);
        drawn = LAYOUT_MAX_LINES;
        undrawn = n_runs - drawn;
        qsort(sc->runs, drawn, sizeof *sc->runs, cmp_panel_run_index);
    }
    p->lines = calloc(drawn ? drawn : 1, sizeof *p->lines);
    if (p->lines == NULL)
        goto oom;

    const detect_finding *rate_from = NULL;
    int color = 1;
    for (size_t k = 0; k < drawn; k++) {
        size_t r = sc->runs[k].run;
        size_t n = run_points(in, sc, p->col, r, p->scale);
        layout_line *line = &p->lines[p->n_lines++];
        size_t cap = decimate_capacity(n, buckets);
        line->col = p->col;
        line->run = r;
        line->t = malloc(cap * sizeof *line->t);
        line->v = malloc(cap * sizeof *line->v);
        if (line->t == NULL || line->v == NULL)
            goto oom;
        line->n = decimate_minmax(sc->t, sc->v, n, doc->t0, doc->t1, buckets, line->t, line->v);
        for (size_t i = 0; i < line->n; i++)
            if (!isnan(line->v[i])) {
                lo = line->v[i] < lo ? line->v[i] : lo;
                hi = line->v[i] > hi ? line->v[i] : hi;
            }
        const detect_finding *f = finding_of(in->report, sc, p->col, r);
        line->growing = f && f->r.growing;
        line->color = line->growing ? 0 : color++;
        if (line->growing) {
            trend_line(f, p->scale, line);
            if (rate_from == NULL)
                rate_from = f;
        }
        if (n_runs > 1)
            run_label(line->label, sizeof line->label, s, r, hosts);
    }

    /* the newest value: of the line whose data ends last */
    double t_last = -INFINITY, v_last = NAN;
    for (size_t i = 0; i < p->n_lines; i++)
        for (size_t k = p->lines[i].n; k-- > 0;)
            if (!isnan(p->lines[i].v[k])) {
                if (p->lines[i].t[k] > t_last) {
                    t_last = p->lines[i].t[k];
                    v_last = p->lines[i].v[k];
                }
                break;
            }
    layout_value_text(p->last, sizeof p->last, v_last, unit);
    if (rate_from)
        layout_rate_text(p->rate, sizeof p->rate, rate_from->r.st.slope * 3600 * p->scale, unit);

    /* the legend line under the title: as many runs as fit left of the
     * last value, then "+N more" */
    double room = p->plot.x + p->plot.w - p->box.x - 4 -
                  in->measure(in->measure_ud, p->last, LAYOUT_FONT_TICK, false) - 8 -
                  in->measure(in->measure_ud, "+99 more", LAYOUT_FONT_TICK, false);
    double used = 0;
    for (size_t i = 0; i < p->n_lines; i++) {
        if (!p->lines[i].label[0])
            continue;
        double w = LAYOUT_LEGEND_SWATCH +
                   in->measure(in->measure_ud, p->lines[i].label, LAYOUT_FONT_TICK, false) + 8;
        if (i >= LAYOUT_LEGEND_MAX || used + w > room) {
            p->lines[i].label[0] = '\0';
            p->legend_more++;
        } else {
            used += w;
        }
    }
    p->legend_more += undrawn;

    /* axes */
    if (!isfinite(lo)) {
        lo = 0;
        hi = 1;
    }
    axis_values(lo, hi, p->plot.h, 2.6 * LAYOUT_FONT_TICK,
                col->kind != LP_GAUGE && lp_column_unit(col) == LP_UNIT_COUNT && !*unit,
                &p->y);
    axis_time(doc->t0, doc->t1, p->plot.w, LAYOUT_FONT_TICK, 8, in->measure, in->measure_ud,
              &p->x);

    /* title: the name gets what the rate leaves */
    char with_unit[LAYOUT_TEXT];
    const char *name = col->name;
    if (*unit) {
        snprintf(with_unit, sizeof with_unit, "%s %s", col->name, unit);
        name = with_unit;
    }
    double right = p->rate[0] ? in->measure(in->measure_ud, p->rate, LAYOUT_FONT_PANEL, true) + 8
                              : 0;
    layout_shorten(p->title, sizeof p->title, name,
                   p->plot.x + p->plot.w - p->box.x - 4 - right, LAYOUT_FONT_PANEL,
                   true, in->measure, in->measure_ud);
    return 0;
oom:
    lp_error_set(err, "out of memory (panel %s)", col->name);
    return -1;
}

/* ---- the whole document ---------------------------------------------------- */

int layout_build(const layout_input *in, layout_doc *doc, lp_error *err)
{
    const lp_series_store *s = in->store;
    int rc = -1;
    scratch sc = {0};
    memset(doc, 0, sizeof *doc);
    doc->page_w = PAGE_W;
    doc->page_h = PAGE_H;

    /* the shared time range */
    doc->t0 = INFINITY;
    doc->t1 = -INFINITY;
    size_t in_window = 0, longest = 1;
    for (size_t i = 0; i < s->n_rows; i++)
        if (s->times[i] >= in->since && s->times[i] <= in->until) {
            doc->t0 = s->times[i] < doc->t0 ? s->times[i] : doc->t0;
            doc->t1 = s->times[i] > doc->t1 ? s->times[i] : doc->t1;
            in_window++;
        }
    if (in_window == 0) {
        lp_error_set(err, "no snapshot inside the --since/--until window");
        goto out;
    }
    if (doc->t1 - doc->t0 < 1) {            /* a single snapshot */
        double mid = (doc->t0 + doc->t1) / 2;
        doc->t0 = mid - 30;
        doc->t1 = mid + 30;
    }
    for (size_t r = 0; r < s->n_runs; r++)
        longest = s->runs[r].n_rows > longest ? s->runs[r].n_rows : longest;
    sc.t = malloc((2 * longest + 1) * sizeof *sc.t);
    sc.v = malloc((2 * longest + 1) * sizeof *sc.v);
    sc.gap = malloc((s->n_runs + 1) * sizeof *sc.gap);
    sc.current = calloc(s->n_runs + 1, sizeof *sc.current);
    sc.runs = malloc((s->n_runs + 1) * sizeof *sc.runs);
    sc.findings = malloc((in->report->n_items + 1) * sizeof *sc.findings);
    if (!sc.t || !sc.v || !sc.gap || !sc.current || !sc.runs ||
        !sc.findings) {
        lp_error_set(err, "out of memory (layout)");
        goto out;
    }
    for (size_t i = 0; i < in->report->n_items; i++)
        sc.findings[i] = i;
    qsort_r(sc.findings, in->report->n_items, sizeof *sc.findings, cmp_finding_key,
            in->report->items);
    for (size_t r = 0; r < s->n_runs; r++)
        sc.gap[r] = layout_run_gap(s, &s->runs[r]);
    lp_series_current(s, in->since, in->until, sc.current);

    const detect_report *d = in->report;
    if (choose_panels(in, doc, err) != 0 ||
        place_panels(doc, d->n_growing + d->n_rising + d->n_held,
                     plan_chain_lines(in, d->n_growing + d->n_rising + d->n_held,
                                      &doc->summary), err) != 0)
        goto out;
    for (size_t i = 0; i < doc->n_panels; i++)
        if (fill_panel(in, &sc, doc, &doc->panels[i], err) != 0)
            goto out;
    layout_fill_summary(in, sc.current, doc, in_window);
    for (size_t pg = 1; pg < doc->n_pages; pg++) {
        char head[LAYOUT_TEXT * 2];
        snprintf(head, sizeof head, "%s  \xc2\xb7  page %zu of %zu", doc->summary.title,
                 pg + 1, doc->n_pages);
        layout_shorten(doc->pages[pg].header, sizeof doc->pages[pg].header, head,
                       PAGE_W - 2 * MARGIN, LAYOUT_FONT_PANEL, false, in->measure,
                       in->measure_ud);
    }
    rc = 0;
out:
    free(sc.t);
    free(sc.v);
    free(sc.gap);
    free(sc.current);
    free(sc.runs);
    free(sc.findings);
    return rc;
}

void layout_free(layout_doc *doc)
{
    if (doc == NULL)
        return;
    for (size_t i = 0; i < doc->n_panels; i++) {
        for (size_t k = 0; k < doc->panels[i].n_lines; k++) {
            free(doc->panels[i].lines[k].t);
            free(doc->panels[i].lines[k].v);
        }
        free(doc->panels[i].lines);
    }
    free(doc->panels);
    free(doc->pages);
    memset(doc, 0, sizeof *doc);
}
