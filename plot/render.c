/* render: cairo painting of a layout_doc.  See render.h. */
#include "render.h"

#include <cairo-pdf.h>
#include <cairo-svg.h>
#include <cairo.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "lp_outfile.h"
#include "lp_version.h"

/* ---- colours --------------------------------------------------------------- */

typedef struct rgb {
    double r, g, b;
} rgb;

/* Index 0 is the red_alarm colour of a growing run; the rest cycle. */
static const rgb palette[] = {
    {0.84, 0.10, 0.11}, {0.12, 0.40, 0.68}, {0.95, 0.52, 0.10}, {0.20, 0.60, 0.25},
    {0.55, 0.38, 0.72}, {0.55, 0.34, 0.29}, {0.85, 0.40, 0.70}, {0.45, 0.45, 0.45},
    {0.70, 0.70, 0.15}, {0.10, 0.70, 0.75},
};
#define N_PALETTE (sizeof palette / sizeof palette[0])

static const rgb ink = {0.10, 0.10, 0.12};
static const rgb muted = {0.42, 0.42, 0.46};
static const rgb grid_major = {0.86, 0.86, 0.88};
static const rgb grid_minor = {0.94, 0.94, 0.95};
static const rgb frame = {0.70, 0.70, 0.73};
static const rgb red_alarm = {0.80, 0.08, 0.10};
static const rgb calm = {0.13, 0.55, 0.20};
static const rgb amber = {0.75, 0.45, 0.00};    /* rose, but no alarm */

static void set_rgb(cairo_t *cr, rgb c)
{
    cairo_set_source_rgb(cr, c.r, c.g, c.b);
}

static rgb line_colour(int i)
{
    if (i <= 0)
        return palette[0];
    return palette[1 + (size_t)(i - 1) % (N_PALETTE - 1)];
}

/* ---- text ------------------------------------------------------------------ */

static void font(cairo_t *cr, double size, bool bold)
{
    cairo_select_font_face(cr, RENDER_FONT, CAIRO_FONT_SLANT_NORMAL,
                           bold ? CAIRO_FONT_WEIGHT_BOLD : CAIRO_FONT_WEIGHT_NORMAL);
    cairo_set_font_size(cr, size);
}

static double text_width(cairo_t *cr, const char *text)
{
    cairo_text_extents_t e;
    cairo_text_extents(cr, text, &e);
    return e.x_advance;
}

/* Draw text with its baseline at y: align 0 left at x, 0.5 centred, 1
 * right-aligned. */
static void text_at(cairo_t *cr, const char *text, double x, double y, double align)
{
    if (text[0] == '\0')
        return;
    double w = align != 0 ? text_width(cr, text) : 0;
    cairo_move_to(cr, x - w * align, y);
    cairo_show_text(cr, text);
}

struct render_measurer {
    cairo_surface_t *surface;
    cairo_t *cr;
};

render_measurer *render_measurer_new(void)
{
    render_measurer *m = calloc(1, sizeof *m);
    if (m == NULL)
        return NULL;
    m->surface = cairo_image_surface_create(CAIRO_FORMAT_ARGB32, 1, 1);
    m->cr = cairo_create(m->surface);
    cairo_font_options_t *fo = cairo_font_options_create();
    cairo_font_options_set_hint_metrics(fo, CAIRO_HINT_METRICS_OFF);
    cairo_font_options_set_hint_style(fo, CAIRO_HINT_STYLE_NONE);
    cairo_set_font_options(m->cr, fo);
    cairo_font_options_destroy(fo);
    if (cairo_status(m->cr) != CAIRO_STATUS_SUCCESS) {
        render_measurer_free(m);
        return NULL;
    }
    return m;
}

void render_measurer_free(render_measurer *m)
{
    if (m == NULL)
        return;
    if (m->cr)
        cairo_destroy(m->cr);
    if (m->surface)
        cairo_surface_destroy(m->surface);
    free(m);
}

double render_measure(void *ud, const char *text, double size, bool bold)
{
    render_measurer *m = ud;
    font(m->cr, size, bold);
    return text_width(m->cr, text);
}

/* ---- page 1 ---------------------------------------------------------------- */

static void paint_summary(cairo_t *cr, const layout_doc *doc)
{
    const layout_summary *sum = &doc->summary;
    double x = sum->col_x[0], y = 28 + LAYOUT_FONT_TITLE;
    set_rgb(cr, ink);
    font(cr, LAYOUT_FONT_TITLE, true);
    text_at(cr, sum->title, x, y, 0);
    y += 8;
    for (size_t i = 0; i < sum->n_lines; i++) {
        y += LAYOUT_FONT_TEXT + 4;
        set_rgb(cr, muted);
        font(cr, LAYOUT_FONT_TEXT, true);
        text_at(cr, sum->keys[i], x, y, 0);
        set_rgb(cr, ink);
        font(cr, LAYOUT_FONT_TEXT, false);
        text_at(cr, sum->values[i], x + 80, y, 0);
    }

    set_rgb(cr, sum->n_growing ? red_alarm : sum->n_noted ? amber : calm);
    font(cr, 13, true);
    text_at(cr, sum->verdict, x, sum->y_verdict, 0);
    if (sum->n_rows == 0)
        return;
    static const char *const heads[] = {"Series", "First", "Last", "Growth", "Process"};
    static const double aligns[] = {0, 1, 1, 1, 0};
    double y_row = sum->y_table;
    set_rgb(cr, muted);
    font(cr, LAYOUT_FONT_TEXT - 1, true);
    for (size_t c = 0; c < 5; c++)
        text_at(cr, heads[c], sum->col_x[c], y_row, aligns[c]);
    cairo_set_line_width(cr, 0.5);
    cairo_move_to(cr, x, y_row + 3);
    cairo_line_to(cr, doc->page_w - x, y_row + 3);
    cairo_stroke(cr);
    for (size_t i = 0; i < sum->n_rows; i++) {
        const layout_verdict_row *row = &sum->rows[i];
        y_row += sum->row_h;
        set_rgb(cr, ink);
        font(cr, LAYOUT_FONT_TEXT, true);
        text_at(cr, row->name, sum->col_x[0], y_row, 0);
        font(cr, LAYOUT_FONT_TEXT, false);
        text_at(cr, row->first, sum->col_x[1], y_row, 1);
        text_at(cr, row->last, sum->col_x[2], y_row, 1);
        set_rgb(cr, row->alarm ? red_alarm : amber);
        font(cr, LAYOUT_FONT_TEXT, true);
        text_at(cr, row->rate, sum->col_x[3], y_row, 1);
        set_rgb(cr, muted);
        font(cr, LAYOUT_FONT_TEXT, false);
        text_at(cr, row->where, sum->col_x[4], y_row, 0);
        y_row += sum->row_h;
        set_rgb(cr, row->alarm ? red_alarm : amber);
        font(cr, LAYOUT_FONT_TEXT - 1, false);
        text_at(cr, row->why, sum->col_x[0] + 12, y_row, 0);
        set_rgb(cr, ink);
        for (size_t k = 0; k < row->n_chains; k++) {
            y_row += sum->row_h;
            text_at(cr, row->chains[k], sum->col_x[0] + LAYOUT_CHAIN_INDENT, y_row, 0);
        }
    }
    if (sum->more_rows) {
        char more[160];
        if (sum->growing_capped)
            snprintf(more, sizeof more, "and %zu more growing series; the panels show the "
                     "first %d (leakplot --check lists every one)", sum->more_rows,
                     LAYOUT_MAX_GROWING);
        else
            snprintf(more, sizeof more, "and %zu more growing series in the panels",
                     sum->more_rows);
        y_row += sum->row_h;
        set_rgb(cr, muted);
        font(cr, LAYOUT_FONT_TEXT, false);
        text_at(cr, more, x, y_row, 0);
    }
}

/* ---- panels ---------------------------------------------------------------- */

static double x_of(const layout_panel *p, double t)
{
    return p->plot.x + (t - p->x.lo) / (p->x.hi - p->x.lo) * p->plot.w;
}

static double y_of(const layout_panel *p, double v)
{
    return p->plot.y + p->plot.h - (v - p->y.lo) / (p->y.hi - p->y.lo) * p->plot.h;
}

/* Cut the segment (t0, v0)-(t1, v1) to lo <= v <= hi; false when nothing
 * is left.  A trend line far off the axis (a glitch centuries ahead) is
 * otherwise dashed along its whole length: millions of dashes. */
static bool clip_to_range(double *t0, double *v0, double *t1, double *v1, double lo,
                          double hi)
{
    double a = 0, b = 1, dv = *v1 - *v0;
    if (dv == 0) {
        if (*v0 < lo || *v0 > hi)
            return false;
    } else {
        double ka = (lo - *v0) / dv, kb = (hi - *v0) / dv;
        if (ka > kb) {
            double k = ka;
            ka = kb;
            kb = k;
        }
        a = ka > a ? ka : a;
        b = kb < b ? kb : b;
        if (!(a <= b))
            return false;
    }
    double dt = *t1 - *t0, ts = *t0, vs = *v0;
    *t0 = ts + a * dt;
    *v0 = vs + a * dv;
    *t1 = ts + b * dt;
    *v1 = vs + b * dv;
    return true;
}

static void paint_grid(cairo_t *cr, const layout_panel *p)
{
    double top = p->plot.y, bottom = p->plot.y + p->plot.h;
    double left = p->plot.x, right = p->plot.x + p->plot.w;
    cairo_set_line_width(cr, 0.4);
    for (int major = 0; major <= 1; major++) {
        set_rgb(cr, major ? grid_major : grid_minor);
        for (size_t i = 0; i < p->x.n; i++)
            if (p->x.tick[i].major == (bool)major) {
                double x = x_of(p, p->x.tick[i].pos);
                cairo_move_to(cr, x, top);
                cairo_line_to(cr, x, bottom);
            }
        if (major)
            for (size_t i = 0; i < p->y.n; i++) {
                double y = y_of(p, p->y.tick[i].pos);
                cairo_move_to(cr, left, y);
                cairo_line_to(cr, right, y);
            }
        cairo_stroke(cr);
    }

    /* labels: y right-aligned left of the plot, x centred below; a label
     * that would leave the cell is left out */
    set_rgb(cr, muted);
    font(cr, LAYOUT_FONT_TICK, false);
    for (size_t i = 0; i < p->y.n; i++) {
        double y = y_of(p, p->y.tick[i].pos);
        if (y - LAYOUT_FONT_TICK * 0.5 < top - 1 || y > bottom + 1)
            continue;                       /* would reach into the legend line */
        text_at(cr, p->y.tick[i].label, left - 3, y + LAYOUT_FONT_TICK * 0.35, 1);
    }
    for (size_t i = 0; i < p->x.n; i++) {
        if (!p->x.tick[i].major)
            continue;
        double x = x_of(p, p->x.tick[i].pos), w = text_width(cr, p->x.tick[i].label);
        if (x - w / 2 < p->box.x + 2 || x + w / 2 > p->box.x + p->box.w - 2)
            continue;
        text_at(cr, p->x.tick[i].label, x, bottom + LAYOUT_FONT_TICK + 3, 0.5);
    }
    set_rgb(cr, frame);
    cairo_set_line_width(cr, 0.5);
    cairo_rectangle(cr, left, top, p->plot.w, p->plot.h);
    cairo_stroke(cr);
}

/* One line; NaN lifts the pen, a lone point becomes a dot. */
static void paint_line(cairo_t *cr, const layout_panel *p, const layout_line *l)
{
    bool pen = false;
    for (size_t i = 0; i < l->n; i++) {
        if (isnan(l->v[i])) {
            pen = false;
            continue;
        }
        double x = x_of(p, l->t[i]), y = y_of(p, l->v[i]);
        if (!pen) {
            cairo_move_to(cr, x, y);
            bool alone = i + 1 >= l->n || isnan(l->v[i + 1]);
            if (alone)
                cairo_line_to(cr, x, y);
            pen = true;
        } else {
            cairo_line_to(cr, x, y);
        }
    }
    set_rgb(cr, line_colour(l->color));
    cairo_set_line_width(cr, l->growing ? 1.2 : p->n_lines > 3 ? 0.7 : 0.9);
    cairo_stroke(cr);
    if (l->has_trend) {
        static const double dash[] = {3.0, 2.0};
        cairo_set_source_rgba(cr, 0.1, 0.1, 0.1, 0.85);
        cairo_set_dash(cr, dash, 2, 0);
        cairo_set_line_width(cr, 0.8);
        double t0 = l->trend_t0, v0 = l->trend_v0, t1 = l->trend_t1, v1 = l->trend_v1;
        if (clip_to_range(&t0, &v0, &t1, &v1, p->y.lo, p->y.hi)) {
            cairo_move_to(cr, x_of(p, t0), y_of(p, v0));
            cairo_line_to(cr, x_of(p, t1), y_of(p, v1));
            cairo_stroke(cr);
        }
        cairo_set_dash(cr, NULL, 0, 0);
    }
}

/* The line under the title: legend entries left, the last value right. */
static void paint_legend(cairo_t *cr, const layout_panel *p)
{
    double base = p->box.y + 18.5, x = p->box.x + 4, right = p->plot.x + p->plot.w;
    font(cr, LAYOUT_FONT_TICK, false);
    set_rgb(cr, muted);
    text_at(cr, p->last[0] ? "last" : "", right - text_width(cr, p->last) - 3, base, 1);
    set_rgb(cr, ink);
    text_at(cr, p->last, right, base, 1);
    for (size_t i = 0; i < p->n_lines; i++) {
        if (!p->lines[i].label[0])
            continue;
        set_rgb(cr, line_colour(p->lines[i].color));
        cairo_set_line_width(cr, 1.6);
        cairo_move_to(cr, x, base - LAYOUT_FONT_TICK * 0.33);
        cairo_line_to(cr, x + LAYOUT_LEGEND_SWATCH - 3, base - LAYOUT_FONT_TICK * 0.33);
        cairo_stroke(cr);
        set_rgb(cr, ink);
        text_at(cr, p->lines[i].label, x + LAYOUT_LEGEND_SWATCH, base, 0);
        x += LAYOUT_LEGEND_SWATCH + text_width(cr, p->lines[i].label) + 8;
    }
    if (p->legend_more) {
        char more[40];
        snprintf(more, sizeof more, "+%zu more", p->legend_more);
        set_rgb(cr, muted);
        text_at(cr, more, x, base, 0);
    }
}

static void paint_panel(cairo_t *cr, const layout_panel *p)
{
    double right = p->plot.x + p->plot.w, base = p->box.y + 10;
    set_rgb(cr, red_alarm);
    font(cr, LAYOUT_FONT_PANEL, true);
    text_at(cr, p->rate, right, base, 1);
    set_rgb(cr, p->growing ? red_alarm : ink);
    text_at(cr, p->title, p->box.x + 4, base, 0);
    paint_legend(cr, p);

    paint_grid(cr, p);
    cairo_save(cr);
    cairo_rectangle(cr, p->plot.x, p->plot.y, p->plot.w, p->plot.h);
    cairo_clip(cr);
    cairo_set_line_join(cr, CAIRO_LINE_JOIN_ROUND);
    cairo_set_line_cap(cr, CAIRO_LINE_CAP_ROUND);
    /* growing runs last, on top */
    for (int growing = 0; growing <= 1; growing++)
        for (size_t i = 0; i < p->n_lines; i++)
            if (p->lines[i].growing == (bool)growing)
                paint_line(cr, p, &p->lines[i]);
    cairo_restore(cr);
}

static void paint_page(cairo_t *cr, const layout_doc *doc, size_t pg)
{
    const layout_page *page = &doc->pages[pg];
    cairo_set_source_rgb(cr, 1, 1, 1);
    cairo_paint(cr);
    if (page->summary) {
        paint_summary(cr, doc);
    } else {
        set_rgb(cr, muted);
        font(cr, LAYOUT_FONT_PANEL, false);
        text_at(cr, page->header, doc->summary.col_x[0], 28 + LAYOUT_FONT_PANEL, 0);
    }
    for (size_t i = 0; i < page->n; i++)
        paint_panel(cr, &doc->panels[page->first + i]);
}

/* ---- files ----------------------------------------------------------------- */

typedef enum render_format { FORMAT_PDF, FORMAT_SVG, FORMAT_PNG } render_format;

static int format_of(const char *path, render_format *f, lp_error *err)
{
    const char *dot = strrchr(path, '.');
    if (dot && strcasecmp(dot, ".pdf") == 0)
        *f = FORMAT_PDF;
    else if (dot && strcasecmp(dot, ".svg") == 0)
        *f = FORMAT_SVG;
    else if (dot && strcasecmp(dot, ".png") == 0)
        *f = FORMAT_PNG;
    else {
        lp_error_set(err, "%s: the output must end in .pdf, .svg or .png", path);
        return -1;
    }
    return 0;
}

/* The file of page pg (0-based): path itself for page 1, else FILE-k.ext. */
static void page_path(char *out, size_t size, const char *path, size_t pg)
{
    if (pg == 0) {
        snprintf(out, size, "%s", path);
        return;
    }
    const char *dot = strrchr(path, '.');
    snprintf(out, size, "%.*s-%zu%s", (int)(dot - path), path, pg + 1, dot);
}

/* cairo's write callback: into the temporary (lp_outfile.h). */
static cairo_status_t out_write(void *closure, const unsigned char *data, unsigned int length)
{
    return lp_outfile_write(closure, data, length) == 0 ? CAIRO_STATUS_SUCCESS
                                                        : CAIRO_STATUS_WRITE_ERROR;
}

/* Finish surface (drawn with status `drawn`, the cairo_t's status), then
 * move o over its final name; on any failure it is removed.  Destroys the
 * surface. */
static int finish_file(cairo_surface_t *surface, cairo_status_t drawn, lp_outfile *o,
                       lp_error *err)
{
    cairo_surface_finish(surface);
    cairo_status_t st = drawn != CAIRO_STATUS_SUCCESS ? drawn : cairo_surface_status(surface);
    cairo_surface_destroy(surface);
    if (st != CAIRO_STATUS_SUCCESS && o->write_errno == 0) {
        lp_outfile_abort(o);
        return lp_error_set(err, "%s: %s", o->final, cairo_status_to_string(st));
    }
    return lp_outfile_commit(o, err);
}

/* One page into its own SVG or PNG file. */
static int render_single(const layout_doc *doc, size_t pg, const char *path,
                         render_format format, lp_error *err)
{
    char final[4096];
    lp_outfile out;
    page_path(final, sizeof final, path, pg);
    if (lp_outfile_open(&out, final, err) != 0)
        return -1;
    cairo_surface_t *surface;
    double scale = 1;
    if (format == FORMAT_SVG) {
        surface = cairo_svg_surface_create_for_stream(out_write, &out, doc->page_w, doc->page_h);
    } else {
        scale = RENDER_PNG_SCALE;
        surface = cairo_image_surface_create(CAIRO_FORMAT_RGB24,
                                             (int)ceil(doc->page_w * scale),
                                             (int)ceil(doc->page_h * scale));
    }
    cairo_t *cr = cairo_create(surface);
    cairo_scale(cr, scale, scale);
    paint_page(cr, doc, pg);
    cairo_status_t st = cairo_status(cr);
    cairo_destroy(cr);
    if (st == CAIRO_STATUS_SUCCESS && format == FORMAT_PNG)
        st = cairo_surface_write_to_png_stream(surface, out_write, &out);
    return finish_file(surface, st, &out, err);
}

int render_doc(const layout_doc *doc, const char *path, lp_error *err)
{
    render_format format;
    if (format_of(path, &format, err) != 0)
        return -1;
    if (format != FORMAT_PDF) {
        for (size_t pg = 0; pg < doc->n_pages; pg++)
            if (render_single(doc, pg, path, format, err) != 0)
                return -1;
        return 0;
    }
    lp_outfile out;
    if (lp_outfile_open(&out, path, err) != 0)
        return -1;
    cairo_surface_t *surface = cairo_pdf_surface_create_for_stream(out_write, &out, doc->page_w,
                                                                   doc->page_h);
#if CAIRO_VERSION >= CAIRO_VERSION_ENCODE(1, 16, 0)
    cairo_pdf_surface_set_metadata(surface, CAIRO_PDF_METADATA_TITLE, doc->summary.title);
    cairo_pdf_surface_set_metadata(surface, CAIRO_PDF_METADATA_CREATOR, "leakplot " LP_VERSION);
#endif
    cairo_t *cr = cairo_create(surface);
    for (size_t pg = 0; pg < doc->n_pages; pg++) {
        paint_page(cr, doc, pg);
        cairo_show_page(cr);
    }
    cairo_status_t st = cairo_status(cr);
    cairo_destroy(cr);
    return finish_file(surface, st, &out, err);
}
