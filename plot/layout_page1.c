/* layout_page1: the summary on page 1 of a drawing: what was read (files,
 * process, time span, snapshots), the verdict, and a row for each growing,
 * rising or held series with one line saying why it was flagged. */
#include "layout_parts.h"

#include <math.h>
#include <stdio.h>
#include <string.h>
#include <time.h>

#include "lp_chains.h"
#include "lp_report.h"
#include "lp_text.h"

static void summary_line(layout_summary *sum, const char *key, const char *value,
                         const layout_input *in)
{
    if (sum->n_lines == LAYOUT_SUMMARY_LINES)
        return;
    snprintf(sum->keys[sum->n_lines], sizeof sum->keys[0], "%s", key);
    layout_shorten(sum->values[sum->n_lines], sizeof sum->values[0], value,
                   PAGE_W - 2 * MARGIN - 90, LAYOUT_FONT_TEXT, false, in->measure,
                   in->measure_ud);
    sum->n_lines++;
}

/* Local time of t: the date unless `date` is false, seconds when
 * `seconds`, the zone when `zone`. */
static void clock_text(char *out, size_t size, double t, bool date, bool seconds, bool zone)
{
    char fmt[32];
    snprintf(fmt, sizeof fmt, "%s%s%s", date ? "%Y-%m-%d " : "", seconds ? "%H:%M:%S" : "%H:%M",
             zone ? " %Z" : "");
    time_t tt = (time_t)t;
    struct tm tm;
    localtime_r(&tt, &tm);
    if (strftime(out, size, fmt, &tm) == 0)
        out[0] = '\0';
}

/* "0.25s", "60s", "5m": the interval between snapshots. */
static void interval_text(char *out, size_t size, double seconds)
{
    if (seconds < 60)
        snprintf(out, size, "%.3gs", seconds);
    else
        lp_text_span(out, size, seconds);
}

/* Whether run has a snapshot inside [since, until]. */
static bool run_in_window(const lp_series_store *s, const lp_run *run, double since, double until)
{
    for (size_t i = 0; i < run->n_rows; i++)
        if (s->times[run->rows[i]] >= since && s->times[run->rows[i]] <= until)
            return true;
    return false;
}

/* The one line under a flagged series' row: why it was flagged. */
static void verdict_why(char *out, size_t size, const detect_result *r)
{
    char rate[80], span[40], a[40], b[40];
    lp_text_span(span, sizeof span, r->t_last - r->t_first);
    switch (r->verdict) {
    case DETECT_GROWING:
        if (r->runs > 1)
            snprintf(out, size, "GROWING: rose in %zu of the runs before this one (a restart "
                     "resets it, the leak stays); %s", r->prior_growing,
                     lp_report_rate(rate, sizeof rate, r));
        else if (r->untracked)
            snprintf(out, size, "GROWING: memory no type accounts for rose over %s (blocks "
                     "per GC-tracked object); %s", span, lp_report_rate(rate, sizeof rate, r));
        else if (r->st.loaded)
            snprintf(out, size, "GROWING: upward trend over %s once the load's daily and weekly "
                     "swing is taken out (z=%.1f); %s", span, r->st.z,
                     lp_report_rate(rate, sizeof rate, r));
        else
            snprintf(out, size, "GROWING: steady upward trend over %s (z=%.1f), still rising "
                     "at the end; %s", span, r->st.z, lp_report_rate(rate, sizeof rate, r));
        break;
    case DETECT_RISING:
        if (r->in_swing)
            snprintf(out, size, "RISING, no alarm: %s of data, within the swing of the runs "
                     "before (they rose as far and fell back)", span);
        else
            snprintf(out, size, "RISING, no alarm: %s of data, %s, shared by other types", span,
                     detect_rising_daily(r) ? "a rise a daily cycle could make"
                                            : "a rise with the load");
        break;
    case DETECT_HELD:
        snprintf(out, size, "HELD, no alarm: rose %s -> %s, then stopped dead; not released "
                 "for %s", lp_text_number(a, sizeof a, r->first),
                 lp_text_number(b, sizeof b, r->last),
                 lp_text_span(span, sizeof span, r->t_last - r->whole.knee));
        break;
    default:
        snprintf(out, size, "%s", r->reason);
    }
}

/* Width, in code points, a chain is cut to before it is measured: what
 * the widest page line could hold, and what layout_shorten takes whole. */
#define CHAIN_COLS 120

/* A row's "held by" lines (row->n_chains of them, planned by the
 * layout), shortened to the page. */
static void fill_row_chains(const layout_input *in, const detect_finding *f,
                            layout_verdict_row *row)
{
    const lp_chain_entry *e[LAYOUT_ROW_CHAINS];
    size_t n = lp_chains_for(in->store->chains, in->store, f->col, f->run, e,
                             row->n_chains);
    row->n_chains = n;
    for (size_t k = 0; k < row->n_chains; k++) {
        char line[4 * CHAIN_COLS + 8];
        lp_report_chain_line(line, sizeof line, e[k]->chain, CHAIN_COLS);
        layout_shorten(row->chains[k], sizeof row->chains[k], line,
                       PAGE_W - 2 * MARGIN - LAYOUT_CHAIN_INDENT, LAYOUT_FONT_TEXT - 1, false,
                       in->measure, in->measure_ud);
    }
}

/* Median interval between snapshots of the longest run. */
static double typical_interval(const lp_series_store *s)
{
    size_t best = 0;
    for (size_t r = 1; r < s->n_runs; r++)
        best = s->runs[r].n_rows > s->runs[best].n_rows ? r : best;
    if (s->n_runs == 0)
        return NAN;
    double g = layout_run_gap(s, &s->runs[best]);
    return isfinite(g) ? g / 5 : NAN;
}

void layout_fill_summary(const layout_input *in, const bool *current, layout_doc *doc,
                         size_t in_window)
{
    const lp_series_store *s = in->store;
    const detect_report *d = in->report;
    layout_summary *sum = &doc->summary;
    char text[1024], a[64], b[64], c[64];
    size_t o = 0;

    /* title: the program and host when there is one process */
    const lp_run *one = NULL;
    size_t n_current = 0;
    for (size_t r = 0; r < s->n_runs; r++)
        if (current[r]) {
            n_current++;
            one = &s->runs[r];
        }
    if (n_current == 1 && one->program)
        snprintf(text, sizeof text, "Memory by type: %s%s%s", one->program,
                 one->host ? " on " : "", one->host ? one->host : "");
    else
        snprintf(text, sizeof text, "Memory by type: %zu process run%s", n_current,
                 n_current == 1 ? "" : "s");
    layout_shorten(sum->title, sizeof sum->title, text, PAGE_W - 2 * MARGIN,
                   LAYOUT_FONT_TITLE, true, in->measure, in->measure_ud);

    /* Read: the logs */
    text[0] = '\0';
    for (size_t i = 0; i < in->n_logs && o < sizeof text; i++)
        o += (size_t)snprintf(text + o, sizeof text - o, "%s%s", i ? ", " : "", in->logs[i]);
    if (in->stats && o < sizeof text)
        snprintf(text + o, sizeof text - o, " (%zu file%s read, %s lines, %zu bad)",
                 in->stats->files, in->stats->files == 1 ? "" : "s",
                 lp_text_number(a, sizeof a, (double)in->stats->lines), in->stats->bad_lines);
    summary_line(sum, "Read", text, in);

    /* Process: the runs */
    o = 0;
    text[0] = '\0';
    size_t listed = 0, in_runs = 0;
    for (size_t r = 0; r < s->n_runs; r++)
        in_runs += run_in_window(s, &s->runs[r], in->since, in->until);
    for (size_t r = 0; r < s->n_runs && o < sizeof text; r++) {
        const lp_run *run = &s->runs[r];
        if (!run_in_window(s, run, in->since, in->until))
            continue;
        if (listed == 3) {
            snprintf(text + o, sizeof text - o, "; and %zu more", in_runs - 3);
            break;
        }
        char where[128];
        lp_text_where(where, sizeof where, run);
        o += (size_t)snprintf(text + o, sizeof text - o, "%s%s%s%s", listed ? "; " : "",
                              run->program ? run->program : "", run->program ? ", " : "",
                              where);
        listed++;
    }
    summary_line(sum, in_runs == 1 ? "Process" : "Processes", text, in);

    /* Time span */
    char from[64], to[64], day0[16], day1[16];
    bool seconds = doc->t1 - doc->t0 < 3600;
    clock_text(day0, sizeof day0, doc->t0, true, false, false);
    clock_text(day1, sizeof day1, doc->t1, true, false, false);
    clock_text(from, sizeof from, doc->t0, true, seconds, false);
    clock_text(to, sizeof to, doc->t1, strncmp(day0, day1, 10) != 0, seconds, true);
    snprintf(text, sizeof text, "%s to %s (%s)", from, to,
             lp_text_span(a, sizeof a, doc->t1 - doc->t0));
    summary_line(sum, "Time span", text, in);

    double interval = typical_interval(s);
    snprintf(text, sizeof text, "%s in the window%s%s", lp_text_number(a, sizeof a, (double)in_window),
             isfinite(interval) ? ", one every " : "",
             isfinite(interval) ? (interval_text(b, sizeof b, interval), b) : "");
    summary_line(sum, "Snapshots", text, in);

    size_t n_gauges = 0, n_top = 0, n_grow = 0;
    for (size_t i = 0; i < doc->n_panels; i++) {
        n_grow += doc->panels[i].growing;
        n_gauges += doc->panels[i].kind == LAYOUT_GAUGE;
        n_top += doc->panels[i].kind == LAYOUT_TOP;
    }
    char of[48] = "";
    if (sum->gauges > n_gauges)
        snprintf(of, sizeof of, " (of %zu)", sum->gauges);
    snprintf(text, sizeof text, "%s judged in %zu current run%s; drawn: %zu growing, "
             "%zu gauge%s%s, the %zu largest other types",
             lp_text_number(c, sizeof c, (double)d->n_items), d->n_runs,
             d->n_runs == 1 ? "" : "s", n_grow, n_gauges, n_gauges == 1 ? "" : "s", of,
             n_top);
    summary_line(sum, "Series", text, in);

    /* the verdict: never "nothing" when something rose and stayed */
    sum->n_growing = d->n_growing;
    sum->n_noted = d->n_rising + d->n_held;
    if (d->n_growing)
        snprintf(sum->verdict, sizeof sum->verdict, "Verdict: %zu growing series",
                 d->n_growing);
    else if (sum->n_noted)
        snprintf(sum->verdict, sizeof sum->verdict,
                 "Verdict: no leak alarm, but %zu series rose: %zu held (stopped, never "
                 "released), %zu rising with the load", sum->n_noted, d->n_held,
                 d->n_rising);
    else
        snprintf(sum->verdict, sizeof sum->verdict,
                 "Verdict: no growing series (nothing rises steadily to the end)");
    double x = MARGIN;
    sum->col_x[0] = x;
    sum->col_x[1] = x + 400;            /* numbers: right edges */
    sum->col_x[2] = x + 480;
    sum->col_x[3] = x + 585;
    sum->col_x[4] = x + 600;
    for (size_t i = 0; i < d->n_items && d->items[i].r.verdict != DETECT_OK; i++) {
        if (sum->n_rows == LAYOUT_VERDICT_ROWS) {
            sum->more_rows++;
            continue;
        }
        const detect_finding *f = &d->items[i];
        layout_verdict_row *row = &sum->rows[sum->n_rows++];
        verdict_why(row->why, sizeof row->why, &f->r);
        fill_row_chains(in, f, row);
        row->alarm = f->r.growing;
        const char *unit;
        double scale = layout_column_scale(s, f->col, f->r.last, &unit);
        layout_shorten(row->name, sizeof row->name, s->cols[f->col].name, 330,
                       LAYOUT_FONT_TEXT, true, in->measure, in->measure_ud);   /* bold */
        layout_value_text(row->first, sizeof row->first, f->r.first * scale, unit);
        layout_value_text(row->last, sizeof row->last, f->r.last * scale, unit);
        if (f->r.verdict == DETECT_HELD)
            snprintf(row->rate, sizeof row->rate, "held");
        else
            layout_rate_text(row->rate, sizeof row->rate, f->r.st.slope * 3600 * scale, unit);
        char where[128];
        lp_text_where(where, sizeof where, &s->runs[f->run]);
        layout_shorten(row->where, sizeof row->where, where, PAGE_W - MARGIN - sum->col_x[4],
                       LAYOUT_FONT_TEXT, false, in->measure, in->measure_ud);
    }
}

