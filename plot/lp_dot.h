/* lp_dot: the recorded referrer graph in GraphViz DOT (the seeds' format:
 * what objgraph.show_backrefs writes), from every #CHAIN the log holds.
 *
 * Nodes are objects labelled by their type, one per holder address and
 * process run (chains that share a holder meet at it); each type whose
 * instances were followed is one node "<type> (instances)", filled red when
 * the detector found its series GROWING, amber when RISING or HELD; the
 * survivors of an expect_gone label one node "<type> (expect_gone
 * <label>)".  Roots have shapes of their own: a module global or class
 * attribute a blue house, a thread's frame a blue ellipse, "held only from
 * outside the collector" a red octagon, the depth limit and "no referrer"
 * a grey note; those three are one node per outermost object (they say
 * nothing about other objects).  Arrows point from holder to held (as in
 * show_backrefs), labelled with the edge (".channels[<int>]").  With chains
 * from more than one process run, each run is a cluster.  Text is cleaned
 * (valid UTF-8, no control characters) and escaped for DOT strings.
 * Formatting only: the caller owns the stream. */
#ifndef LP_DOT_H
#define LP_DOT_H

#include <stdio.h>

#include "detect.h"
#include "lp_error.h"
#include "lp_series.h"

/* Write the graph of s's chains (none: an empty graph with a comment
 * saying so) to out; d marks the flagged types; filter (NULL: all), as
 * -t does, keeps the chains of the types (or the "<label> survived
 * expect_gone" series) it selects.  0, or -1 with err set when out of
 * memory. */
int lp_dot_write(FILE *out, const lp_series_store *s, const detect_report *d,
                 detect_filter_fn filter, void *filter_ud, lp_error *err);

#endif
