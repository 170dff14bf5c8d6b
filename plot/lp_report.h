/* lp_report: the verdict as text (the --check lines cron mails), as JSON,
 * and the figures behind it (--explain).
 *
 * The text form is DESIGN.md's, with the rate in words:
 *   GROWING <name> <first> -> <last> (+<n>/h over <span>; +3.1%/day,
 *       doubles in ~23 days) pid <pid> on <host>
 *     held by: leaky.Connection.channels[<int>] <- __main__.BROKER
 * numbers with thousands separators; "pid"/"on host" only when the log
 * says them, "in <LOG>" when it says neither.  Under a line, up to
 * LP_REPORT_CHAINS "held by" lines: the best referrer chains recorded for
 * the series (lp_chains.h says which), each cut to LP_REPORT_WIDTH
 * columns (--json has them whole).  Pure formatting: the caller
 * owns the stream and checks it for write errors. */
#ifndef LP_REPORT_H
#define LP_REPORT_H

#include <stddef.h>
#include <stdio.h>

#include "detect.h"
#include "lp_chain.h"
#include "lp_read.h"
#include "lp_series.h"

#define LP_REPORT_CHAINS 2
#define LP_REPORT_WIDTH 100      /* columns of a "  held by:" line */

/* Chain c as one cleaned line, "held by: ...", cut to max_cols code
 * points (lp_chain_fit) into out (size bytes).  Returns out ("" when out
 * of memory). */
char *lp_report_chain_line(char *out, size_t size, const lp_chain *c, size_t max_cols);

/* The rate of a finding as a person acts on it, relative to its last
 * count: "+3.1%/day, doubles in ~23 days", or per hour when it doubles
 * within a day ("+12%/h, doubles in ~8h").  Returns out. */
char *lp_report_rate(char *out, size_t size, const detect_result *r);

/* One line per finding of kind v in d, in d's order:
 *   GROWING <name> <first> -> <last> (+<n>/h over <span>; <rate>[; in <k>
 *       runs]) <where>
 *   RISING <name> ... (+<n>/h over <span>) <where> (less than a day: could
 *       be a daily cycle)
 *   HELD <name> <first> -> <last>, not released for <span> <where> */
void lp_report_lines(FILE *out, const lp_series_store *s, const detect_report *d, detect_verdict v);

/* The --check text: the GROWING lines (report_lines). */
void lp_report_text(FILE *out, const lp_series_store *s, const detect_report *d);

/* The JSON document: window, counts and the growing series. */
void lp_report_json(FILE *out, const lp_series_store *s, const detect_report *d,
                 const lp_read_stats *st, double since, double until);

/* Every judged series with its gate figures, one line each. */
void lp_report_explain(FILE *out, const lp_series_store *s, const detect_report *d);

#endif
