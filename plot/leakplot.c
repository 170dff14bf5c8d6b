/* leakplot: main().  The pipeline is read -> series -> detect, then either
 * report (--check, --json) or layout -> render (drawing), each stage called
 * from here in turn.  Only this file turns errors into exit codes. */
#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>

#include "detect.h"
#include "layout.h"
#include "lp_cli.h"
#include "lp_dot.h"
#include "lp_outfile.h"
#include "lp_read.h"
#include "lp_report.h"
#include "lp_series.h"
#include "render.h"

enum exit_code {
    EXIT_OK = 0,          /* nothing grows (or nothing to say) */
    EXIT_GROWTH = 1,      /* --check found a growing series */
    EXIT_USAGE = 2,       /* bad usage or unreadable input */
};

static void warn_stderr(void *ud, const char *message)
{
    (void)ud;
    fprintf(stderr, "leakplot: warning: %s\n", message);
}

/* The window [since, until] from the options; ages count back from the
 * newest snapshot.  Returns the number of snapshots inside it. */
static size_t window(const lp_cli *cli, const lp_series_store *s, double *since, double *until)
{
    double newest = -INFINITY;
    for (size_t i = 0; i < s->n_rows; i++)
        newest = s->times[i] > newest ? s->times[i] : newest;
    *since = cli->has_since ? lp_time_resolve(&cli->since, newest) : -INFINITY;
    *until = cli->has_until ? lp_time_resolve(&cli->until, newest) : INFINITY;
    size_t n = 0;
    for (size_t i = 0; i < s->n_rows; i++)
        n += s->times[i] >= *since && s->times[i] <= *until;
    return n;
}

/* The drawing: lay out what was read (s, st) and judged (d) inside
 * [since, until] as the options say (-o, --top, -t), paint it into
 * cli->output, and unless -q say so on stderr.  0, or -1 with err set. */
static int draw(const lp_cli *cli, const lp_series_store *s, const detect_report *d,
                const lp_read_stats *st, double since, double until, lp_error *err)
{
    int rc = -1;
    layout_doc doc = {0};
    render_measurer *m = render_measurer_new();
    if (m == NULL) {
        lp_error_set(err, "out of memory (fonts)");
        goto out;
    }
    layout_input in = {
        .store = s, .report = d, .stats = st, .params = &cli->params,
        .since = since, .until = until, .top = cli->top,
        .filter = lp_cli_selects, .filter_ud = (void *)cli,
        .logs = cli->logs, .n_logs = cli->n_logs,
        .measure = render_measure, .measure_ud = m,
    };
    if (layout_build(&in, &doc, err) != 0 || render_doc(&doc, cli->output, err) != 0)
        goto out;
    char capped[48] = "";
    if (doc.summary.growing_capped)
        snprintf(capped, sizeof capped, ", the first %d drawn", LAYOUT_MAX_GROWING);
    if (!cli->quiet)
        fprintf(stderr, "leakplot: %zu panel%s (%zu growing%s) on %zu page%s: %s\n",
                doc.n_panels, doc.n_panels == 1 ? "" : "s", doc.summary.n_growing, capped,
                doc.n_pages, doc.n_pages == 1 ? "" : "s", cli->output);
    rc = 0;
out:
    layout_free(&doc);
    render_measurer_free(m);
    return rc;
}

static ssize_t outfile_cookie_write(void *o, const char *data, size_t len)
{
    return lp_outfile_write(o, data, len) == 0 ? (ssize_t)len : -1;
}

/* The referrer graph (lp_dot.h) into cli->dot, through a temporary file
 * renamed into place (lp_outfile.h), streamed (a stdio stream over it).
 * 0, or -1 with err set. */
static int write_dot(const lp_cli *cli, const lp_series_store *s, const detect_report *d,
                     lp_error *err)
{
    lp_outfile o;
    if (lp_outfile_open(&o, cli->dot, err) != 0)
        return -1;
    FILE *f = fopencookie(&o, "w", (cookie_io_functions_t){.write = outfile_cookie_write});
    if (f == NULL) {
        lp_outfile_abort(&o);
        return lp_error_set(err, "%s: out of memory", cli->dot);
    }
    int rc = lp_dot_write(f, s, d, lp_cli_selects, (void *)cli, err);
    /* a failed write is kept in o and reported by the commit */
    if (fclose(f) != 0 && o.write_errno == 0)
        o.write_errno = EIO;
    if (rc == 0)
        rc = lp_outfile_commit(&o, err);
    else
        lp_outfile_abort(&o);
    if (rc == 0 && !cli->quiet)
        fprintf(stderr, "leakplot: referrer graph: %s\n", cli->dot);
    return rc;
}

static enum exit_code check(const lp_cli *cli, lp_error *err)
{
    enum exit_code code = EXIT_USAGE;
    detect_report d = {0};
    lp_read_stats st;
    double since, until;
    lp_series_store *s = lp_series_new();
    if (s == NULL) {
        lp_error_set(err, "out of memory");
        goto out;
    }
    lp_read_options read = {.warn = cli->quiet ? NULL : warn_stderr,
                            .max_inflate = cli->max_inflate};
    if (lp_read_logs_with(s, cli->logs, cli->n_logs, &read, &st, err) != 0)
        goto out;
    size_t in_window = window(cli, s, &since, &until);
    if (in_window == 0) {
        lp_error_set(err, "no snapshot inside the --since/--until window");
        goto out;
    }
    if (detect_store(s, &cli->params, since, until, lp_cli_selects, (void *)cli, &d,
                     err) != 0)
        goto out;
    if (cli->explain)
        lp_report_explain(stderr, s, &d);
    if (cli->dot && write_dot(cli, s, &d, err) != 0)
        goto out;
    if (!cli->check) {                   /* draw: layout -> render */
        if (!cli->draw || draw(cli, s, &d, &st, since, until, err) == 0)
            code = EXIT_OK;
        goto out;
    }
    if (cli->json)
        lp_report_json(stdout, s, &d, &st, since, until);
    else
        lp_report_text(stdout, s, &d);
    /* RISING and HELD do not set exit 1, and stdout stays empty without
     * growth (cron mails any output): they are notes on stderr */
    if (!cli->quiet && !cli->json) {
        lp_report_lines(stderr, s, &d, DETECT_RISING);
        lp_report_lines(stderr, s, &d, DETECT_HELD);
    }
    if (!cli->quiet)
        fprintf(stderr, "leakplot: %zu file%s, %zu snapshots (%zu in the window), "
                        "%zu bad lines; %zu series in %zu run%s judged, %zu growing, "
                        "%zu rising, %zu held\n",
                st.files, st.files == 1 ? "" : "s", st.snapshots, in_window, st.bad_lines,
                d.n_items, d.n_runs, d.n_runs == 1 ? "" : "s", d.n_growing, d.n_rising,
                d.n_held);
    code = d.n_growing ? EXIT_GROWTH : EXIT_OK;
out:
    detect_report_free(&d);
    lp_series_free(s);
    return code;
}

int main(int argc, char **argv)
{
    lp_cli cli;
    lp_error err = {{0}};
    enum exit_code code = EXIT_USAGE;
    if (lp_cli_parse(argc, argv, &cli, &err) != 0) {
        fprintf(stderr, "leakplot: %s\n", err.msg);
        goto out;
    }
    if (cli.help) {
        lp_cli_usage(stdout);
        code = EXIT_OK;
    } else if (cli.version) {
        printf("leakplot %s\n", LP_VERSION);
        code = EXIT_OK;
    } else {
        code = check(&cli, &err);
        if (code == EXIT_USAGE)
            fprintf(stderr, "leakplot: %s\n", err.msg);
    }
out:
    lp_cli_free(&cli);
    if (fclose(stdout) != 0 && code != EXIT_USAGE) {
        perror("leakplot: stdout");
        code = EXIT_USAGE;
    }
    return code;
}
