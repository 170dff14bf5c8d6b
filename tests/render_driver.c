/* render_driver: leakplot's pipeline read -> series -> detect -> render, for
 * the renderer's tests until plot/leakplot.c calls render_draw itself.
 * Same options and exit codes as leakplot (it uses lp_cli); --check prints
 * the report instead of drawing. */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>

#include "detect.h"
#include "lp_cli.h"
#include "lp_read.h"
#include "lp_report.h"
#include "lp_series.h"
#include "render.h"

static void warn_stderr(void *ud, const char *message)
{
    (void)ud;
    fprintf(stderr, "leakplot: warning: %s\n", message);
}

/* The window [since, until]; ages count back from the newest snapshot. */
static void window(const lp_cli *cli, const lp_store *s, double *since, double *until)
{
    double newest = -INFINITY;
    for (size_t i = 0; i < s->n_rows; i++)
        newest = s->times[i] > newest ? s->times[i] : newest;
    *since = cli->has_since ? lp_time_resolve(&cli->since, newest) : -INFINITY;
    *until = cli->has_until ? lp_time_resolve(&cli->until, newest) : INFINITY;
}

int main(int argc, char **argv)
{
    lp_cli cli;
    lp_error err = {{0}};
    int code = 2;
    detect_report d = {0};
    lp_read_stats st;
    double since, until;
    lp_store *s = NULL;
    if (lp_cli_parse(argc, argv, &cli, &err) != 0)
        goto out;
    if (cli.help || cli.version) {
        code = 0;
        goto out;
    }
    s = lp_series_new();
    if (s == NULL ||
        lp_read_logs(s, cli.logs, cli.n_logs, cli.quiet ? NULL : warn_stderr, NULL, &st,
                     &err) != 0)
        goto out;
    window(&cli, s, &since, &until);
    if (detect_store(s, &cli.params, since, until, lp_cli_selects, &cli, &d, &err) != 0)
        goto out;
    if (cli.check) {
        report_text(stdout, s, &d);
        code = d.n_growing ? 1 : 0;
    } else if (render_draw(&cli, s, &d, &st, since, until, &err) == 0) {
        code = 0;
    }
out:
    if (code == 2)
        fprintf(stderr, "leakplot: %s\n", err.msg[0] ? err.msg : "out of memory");
    detect_report_free(&d);
    lp_series_free(s);
    lp_cli_free(&cli);
    return code;
}
