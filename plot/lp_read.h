/* lp_read: parse leakagent logs (format v1 and the old objgraph recipe)
 * into an lp_series_store.
 *
 * Design: the parser walks blocks of whole lines from lp_input with a
 * hand-written scanner (memchr for the line end, the count parsed from the
 * right, no sscanf/strtod on the hot path).  Type names are interned once;
 * because the agent writes types in nearly the same order every snapshot,
 * the name at position k is first compared with the name at position k of
 * the previous snapshot, which spares most lines the hash lookup.
 *
 * Attribution: each LOG argument is one context.  A header
 * "# leakagent 1 pid= host= program= ... [start=]" starts a new run, except
 * when it repeats the identity of the run already known for that pid (the
 * header every process sharing a file writes again after a rotation): same
 * host, program and start= when both say one, else a pid that wrote no
 * snapshot into this file yet.  A snapshot
 * belongs to the run of the pid= on its #START line, else to the latest
 * header's run, else to an anonymous run of the context (old files).
 *
 * Records: a snapshot's "#REFS", "#BYTES", "#LEN", "#EXACT" and "#GONE"
 * lines (lp_records.h) feed series of their own kinds ("str refs", "dict
 * bytes", "list app.X len", "int exact", "job survived expect_gone"); its
 * "#CHAIN" lines (lp_chain.h) the store's chains (lp_chains.h); any other
 * line starting with '#' is a comment.
 *
 * Damage is never fatal: garbage lines (binary junk: a name with a
 * control character is one), a truncated last line (a file read while
 * being written), a line longer than LP_INPUT_BLOCK, a count that does not
 * fit 64 bits, a #START time outside years 1 to 9999 (its
 * snapshot is skipped) and a cut gzip stream are skipped, counted, and
 * reported in one warning per file naming the first bad line; so are
 * snapshots whose time is not later than their process's snapshot before
 * (a clock set back; they are kept and ordered by time).  Fatal: a file
 * that cannot be opened or read, a gzip bomb (lp_input.h), and a LOG
 * argument without any snapshot. */
#ifndef LP_READ_H
#define LP_READ_H

#include <stddef.h>

#include "lp_error.h"
#include "lp_series.h"

/* Receives one warning line (no trailing newline). */
typedef void (*lp_read_warn_fn)(void *ud, const char *message);

typedef struct lp_read_stats {
    size_t files;        /* files read (siblings included) */
    size_t snapshots;    /* rows added */
    size_t lines;        /* lines seen */
    size_t bad_lines;    /* lines skipped as garbage or truncated */
} lp_read_stats;

/* Snapshot times read: years 1 to 9999, what a struct tm and a four-digit
 * year show (a time axis in year 99999 or 1e300 has no calendar). */
#define LP_READ_TIME_MIN (-62135596800.0)   /* 0001-01-01T00:00:00Z */
#define LP_READ_TIME_MAX 253402300799.0     /* 9999-12-31T23:59:59Z */

typedef struct lp_read_options {
    lp_read_warn_fn warn;    /* NULL: warnings dropped */
    void *warn_ud;
    double max_inflate;      /* gzip bomb limit (lp_input_open); 0: none */
} lp_read_options;

/* Read every LOG argument (with its rotated siblings) into s, then call
 * lp_series_finish.  stats may be NULL.  0, or -1 with err naming the
 * file. */
int lp_read_logs_with(lp_series_store *s, char *const *logs, size_t n_logs,
                      const lp_read_options *options, lp_read_stats *stats, lp_error *err);

/* lp_read_logs_with with the default gzip bomb limit (LP_INPUT_MAX_RATIO). */
int lp_read_logs(lp_series_store *s, char *const *logs, size_t n_logs,
                 lp_read_warn_fn warn, void *warn_ud, lp_read_stats *stats,
                 lp_error *err);

/* Parse a decimal number (sign, digits, fraction, exponent) from
 * [p, end) without reading past end.  Returns the first byte after it, or
 * NULL when there is no number. */
const char *lp_read_number(const char *p, const char *end, double *out);

#endif
