/* render: paint a layout with cairo into a PDF, SVG or PNG file.
 *
 * Design: the last stage of read -> series -> detect -> layout -> render.
 * render_draw runs layout and paint for leakplot's main(); render_doc paints
 * a finished layout_doc and decides nothing itself.  The format follows the
 * output's extension: .pdf is one file with every page; .svg and .png write
 * page 1 to FILE and page k to FILE-k.svg / FILE-k.png.  Every file is
 * written to FILE.tmp and renamed, so a failed run never leaves half a
 * picture where the last good one was.  Text uses cairo's toy font API with
 * "DejaVu Sans" (fontconfig), so a PDF carries real, searchable text.
 * Not thread-safe (one cairo context per call). */
#ifndef RENDER_H
#define RENDER_H

#include <stdbool.h>

#include "detect.h"
#include "layout.h"
#include "lp_cli.h"
#include "lp_error.h"
#include "lp_read.h"
#include "lp_series.h"

#define RENDER_FONT "DejaVu Sans"
#define RENDER_PNG_SCALE 2.0       /* PNG pixels per point (144 dpi) */

/* Text measurement with cairo, for layout (axis_measure_fn). */
typedef struct render_measurer render_measurer;

/* A measurer, or NULL when out of memory.  Free with render_measurer_free
 * (NULL allowed). */
render_measurer *render_measurer_new(void);
void render_measurer_free(render_measurer *m);

/* Width in points of UTF-8 text at size (ud: a render_measurer). */
double render_measure(void *ud, const char *text, double size, bool bold);

/* Paint doc into path (format by extension, see above).  0, or -1 with err
 * naming the file. */
int render_doc(const layout_doc *doc, const char *path, lp_error *err);

/* leakplot's drawing step: lay out what was read (s, st) and judged (d)
 * inside [since, until] as the options say (-o, --top, -t), paint it into
 * cli->output, and unless cli->quiet say so on stderr.  0, or -1 with err
 * set. */
int render_draw(const lp_cli *cli, const lp_store *s, const detect_report *d,
                const lp_read_stats *st, double since, double until, lp_error *err);

#endif
