/* lp_cli: leakplot's command line (DESIGN.md, "leakplot"), parsed into one
 * struct; no I/O besides the usage text, no exit: main() decides.
 *
 * Every option is validated here, including the drawing ones (-o, --top)
 * the renderer will use, so a bad command line fails the same way whether
 * or not --check is given. */
#ifndef LP_CLI_H
#define LP_CLI_H

#include <stdbool.h>
#include <stddef.h>
#include <stdio.h>

#include "detect.h"
#include "lp_error.h"
#include "lp_time.h"
#include "lp_version.h"

typedef struct lp_cli {
    bool check, json, quiet, help, version, explain;
    const char *output;      /* -o (default "mem.pdf") */
    const char *dot;         /* --dot FILE, or -o FILE.dot: the referrer
                                graph (lp_dot.h); NULL: none */
    bool draw;               /* draw into output: no --check, and -o given
                                or no DOT asked for */
    long top;                /* --top (default 24) */
    char **types;            /* -t globs (pointers into argv) */
    size_t n_types;
    bool has_since, has_until;
    lp_time_spec since, until;
    detect_params params;
    double max_inflate;      /* --max-inflate: gzip bomb limit, 0: none */
    char **logs;             /* LOG arguments (pointers into argv) */
    size_t n_logs;
} lp_cli;

/* Parse argv into cli (which it initialises).  0, or -1 with err holding a
 * one-line usage error.  --help and --version succeed without LOG.  Free
 * with lp_cli_free.  May reorder argv (getopt). */
int lp_cli_parse(int argc, char **argv, lp_cli *cli, lp_error *err);

void lp_cli_free(lp_cli *cli);

/* The --help text. */
void lp_cli_usage(FILE *out);

/* True when name is selected by the -t globs (all when none): a glob
 * matches by fnmatch or, so that "[rss]" needs no escaping, literally.
 * ud is the lp_cli. */
bool lp_cli_selects(void *ud, const char *name);

#endif
