/* render: paint a layout with cairo into a PDF, SVG or PNG file.
 *
 * Design: the last stage of read -> series -> detect -> layout -> render
 * (leakplot's main() runs them in turn): render_doc paints a finished
 * layout_doc and decides nothing itself; render_measure gives the layout
 * the widths of text as cairo will draw it.  The format follows the
 * output's extension: .pdf is one file with every page; .svg and .png write
 * page 1 to FILE and page k to FILE-k.svg / FILE-k.png.  Every file is
 * drawn into a new temporary of a unique name next to it (never through a
 * link planted there) and renamed, so a failed run never leaves half a
 * picture where the last good one was.  Text uses cairo's toy font API with
 * "DejaVu Sans" (fontconfig), so a PDF carries real, searchable text.
 * Not thread-safe (one cairo context per call). */
#ifndef RENDER_H
#define RENDER_H

#include <stdbool.h>

#include "layout.h"
#include "lp_error.h"

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

#endif
