/* lp_cli: getopt_long over a table of options; numbers are checked for
 * range here so main() only sees a valid configuration. */
#include "lp_cli.h"

#include <fnmatch.h>
#include <getopt.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "lp_input.h"

enum {
    OPT_CHECK = 256, OPT_JSON, OPT_SINCE, OPT_UNTIL, OPT_TOP, OPT_VERSION,
    OPT_ALPHA, OPT_MIN_SNAPSHOTS, OPT_MIN_GROWTH, OPT_MIN_REL, OPT_WARMUP,
    OPT_BUCKETS, OPT_TAIL, OPT_TAIL_RATIO, OPT_MAX_STEP, OPT_MAX_FALL, OPT_EXPLAIN,
    OPT_MAX_INFLATE, OPT_BY, OPT_MIN_SNR, OPT_MIN_WEEK, OPT_DOT,
};

static const struct option options[] = {
    {"output", required_argument, NULL, 'o'},
    {"check", no_argument, NULL, OPT_CHECK},
    {"dot", required_argument, NULL, OPT_DOT},
    {"json", no_argument, NULL, OPT_JSON},
    {"since", required_argument, NULL, OPT_SINCE},
    {"until", required_argument, NULL, OPT_UNTIL},
    {"type", required_argument, NULL, 't'},
    {"top", required_argument, NULL, OPT_TOP},
    {"quiet", no_argument, NULL, 'q'},
    {"help", no_argument, NULL, 'h'},
    {"version", no_argument, NULL, OPT_VERSION},
    {"alpha", required_argument, NULL, OPT_ALPHA},
    {"min-snapshots", required_argument, NULL, OPT_MIN_SNAPSHOTS},
    {"min-growth", required_argument, NULL, OPT_MIN_GROWTH},
    {"min-rel", required_argument, NULL, OPT_MIN_REL},
    {"min-snr", required_argument, NULL, OPT_MIN_SNR},
    {"min-week", required_argument, NULL, OPT_MIN_WEEK},
    {"warmup", required_argument, NULL, OPT_WARMUP},
    {"buckets", required_argument, NULL, OPT_BUCKETS},
    {"tail", required_argument, NULL, OPT_TAIL},
    {"tail-ratio", required_argument, NULL, OPT_TAIL_RATIO},
    {"max-step", required_argument, NULL, OPT_MAX_STEP},
    {"max-fall", required_argument, NULL, OPT_MAX_FALL},
    {"explain", no_argument, NULL, OPT_EXPLAIN},
    {"max-inflate", required_argument, NULL, OPT_MAX_INFLATE},
    {"by", required_argument, NULL, OPT_BY},
    {NULL, 0, NULL, 0},
};

void lp_cli_usage(FILE *out)
{
    detect_params d;
    detect_defaults(&d);
    fprintf(out,
        "usage: leakplot [options] LOG...\n"
        "Read leakagent logs (plain or gzip; LOG.1, LOG.2.gz ... are read too)\n"
        "and find the object types whose count keeps growing.\n"
        "\n"
        "  -o, --output FILE    where to draw (default mem.pdf): .pdf, .svg or .png\n"
        "                       (.svg, .png: one file a page: FILE, FILE-2, FILE-3...)\n"
        "      --check          draw nothing; print one line per growing series,\n"
        "                       exit 1 if any, print nothing and exit 0 if none;\n"
        "                       under a line, \"  held by: ...\" for up to 2 referrer\n"
        "                       chains the agent recorded (#CHAIN), cut to 100 columns\n"
        "      --json           with --check (implies it): the same report as JSON,\n"
        "                       printed even when nothing grows; chains whole\n"
        "      --dot FILE       write the recorded referrer graph in GraphViz DOT\n"
        "                       (dot -Tsvg FILE); also -o FILE.dot.  Draws nothing\n"
        "                       unless -o names a drawing too\n"
        "      --since T        only snapshots from T on; --until T: up to T.\n"
        "      --until T        T: ISO-8601 (2025-11-21T10:00, a Z or +01:00 zone,\n"
        "                       else local time), @unix-seconds, or an age like\n"
        "                       90m, 6h, 2d, 1w counted back from the newest snapshot\n"
        "  -t, --type GLOB      only series whose name matches GLOB (fnmatch, or the\n"
        "                       exact name, so -t '[rss]' works); repeatable\n"
        "      --top N          also plot the N largest non-growing series (default 24)\n"
        "      --by count|bytes judge and rank types by their number of objects\n"
        "                       (default) or by their bytes (the agent's #BYTES)\n"
        "  -q, --quiet          no warnings, progress or summary on stderr\n"
        "      --max-inflate R  refuse gzip data that expands more than R times, a\n"
        "                       gzip bomb (default %g; real logs reach ~140; 0: no limit)\n"
        "  -h, --help           this text\n"
        "      --version        print the version\n"
        "\n"
        "Growth detector (defaults need no tuning; it judges a 30 s demo and a month\n"
        "alike, on a lower envelope with the daily cycle taken out):\n"
        "      --alpha P        false-alarm probability over all series (default %g)\n"
        "      --min-snapshots N  shortest run judged (default %zu)\n"
        "      --min-growth N   least growth of a type's count, in objects (default %g;\n"
        "                       gauges: [rss] 1 MiB, [blocks] 1000, [gc_objects] 100)\n"
        "      --min-rel R      least growth relative to the starting level in runs\n"
        "                       under 6 h or under a cycle (unless 50x its noise),\n"
        "                       as a fraction or a percentage (default %g = %g%%)\n"
        "      --min-snr K      least growth relative to the envelope's noise (default %g)\n"
        "      --min-week R     least growth projected over a week, relative to the\n"
        "                       level (default %g = %g%%): slow leaks of big types count\n"
        "      --warmup F       fraction of each run ignored at its start (default %g)\n"
        "      --buckets N      most buckets in the lower envelope (default %zu)\n"
        "      --tail F         fraction of the window that must still rise (default %g)\n"
        "      --tail-ratio R   least rise there, relative to the trend (default %g)\n"
        "      --max-step R     most of the growth one jump may explain (default %g)\n"
        "      --max-fall R     deepest fall back of the lower envelope, relative to\n"
        "                       the growth (default %g; a wander falls back)\n"
        "      --explain        print every judged series' figures on stderr\n"
        "\n"
        "Judged: every type and the [rss], [blocks] and [gc_objects] gauges, in the\n"
        "latest run of each process (a restart starts a new run); a short latest run\n"
        "is GROWING too when the runs of its program before it grew.\n"
        "Lines: GROWING on stdout (exit 1); on stderr, no exit 1: RISING (a rise other\n"
        "types share: under a day, three, and one a daily cycle could make; from a day\n"
        "on, five, up to 3x the level, moving up and down with theirs; or one within\n"
        "the swing the runs of its program before showed) and HELD (rose 2x or more,\n"
        "stopped dead, never released).\n"
        "Exit: 0 ok, 1 growth found (with --check), 2 bad usage or unreadable input.\n",
        LP_INPUT_MAX_RATIO, d.alpha, d.min_snapshots, d.min_abs, d.min_rel, d.min_rel * 100,
        d.min_snr, d.min_week, d.min_week * 100, d.warmup, d.buckets, d.tail, d.tail_ratio,
        d.max_step, d.max_fall);
}

/* A number in [lo, hi]; a trailing '%' divides by 100 when percent. */
static int number(const char *name, const char *text, double lo, double hi,
                  bool percent, double *out, lp_error *err)
{
    char *end;
    double v = strtod(text, &end);
    if (percent && end != text && *end == '%') {
        v /= 100;
        end++;
    }
    if (end == text || *end != '\0' || !isfinite(v) || v < lo || v > hi) {
        lp_error_set(err, "%s: bad value '%s' (want a number from %g to %g)",
                     name, text, lo, hi);
        return -1;
    }
    *out = v;
    return 0;
}

static int whole(const char *name, const char *text, double lo, double hi,
                 size_t *out, lp_error *err)
{
    double v;
    if (number(name, text, lo, hi, false, &v, err) != 0)
        return -1;
    if (v != floor(v)) {
        lp_error_set(err, "%s: '%s' is not a whole number", name, text);
        return -1;
    }
    *out = (size_t)v;
    return 0;
}

static bool drawable(const char *path)
{
    const char *dot = strrchr(path, '.');
    return dot && (strcasecmp(dot, ".pdf") == 0 || strcasecmp(dot, ".svg") == 0 ||
                   strcasecmp(dot, ".png") == 0);
}

/* One option; 0 or -1. */
static int apply(lp_cli *cli, int c, const char *arg, lp_error *err)
{
    detect_params *p = &cli->params;
    size_t n;
    switch (c) {
    case 'o': {
        const char *dot = strrchr(arg, '.');
        if (dot && strcasecmp(dot, ".dot") == 0) {
            cli->dot = arg;
            return 0;
        }
        if (!drawable(arg)) {
            lp_error_set(err, "--output: '%s' must end in .pdf, .svg, .png or .dot", arg);
            return -1;
        }
        cli->output = arg;
        cli->draw = true;
        return 0;
    }
    case OPT_DOT:
        if (*arg == '\0') {
            lp_error_set(err, "--dot: the file name is empty");
            return -1;
        }
        cli->dot = arg;
        return 0;
    case OPT_CHECK: cli->check = true; return 0;
    case OPT_JSON: cli->json = cli->check = true; return 0;
    case 'q': cli->quiet = true; return 0;
    case 'h': cli->help = true; return 0;
    case OPT_VERSION: cli->version = true; return 0;
    case OPT_EXPLAIN: cli->explain = true; return 0;
    case OPT_MAX_INFLATE:
        return number("--max-inflate", arg, 0, 1e9, false, &cli->max_inflate, err);
    case 't': {
        char **bigger = realloc(cli->types, (cli->n_types + 1) * sizeof *bigger);
        if (bigger == NULL) {
            lp_error_set(err, "out of memory");
            return -1;
        }
        cli->types = bigger;
        cli->types[cli->n_types++] = (char *)arg;
        return 0;
    }
    case OPT_SINCE:
        cli->has_since = true;
        return lp_time_parse(arg, &cli->since, err);
    case OPT_UNTIL:
        cli->has_until = true;
        return lp_time_parse(arg, &cli->until, err);
    case OPT_BY:
        if (strcmp(arg, "count") != 0 && strcmp(arg, "bytes") != 0) {
            lp_error_set(err, "--by: '%s' is neither count nor bytes", arg);
            return -1;
        }
        p->by_bytes = strcmp(arg, "bytes") == 0;
        return 0;
    case OPT_TOP:
        if (whole("--top", arg, 0, 10000, &n, err) != 0)
            return -1;
        cli->top = (long)n;
        return 0;
    case OPT_ALPHA: return number("--alpha", arg, 1e-12, 0.5, false, &p->alpha, err);
    case OPT_MIN_SNAPSHOTS:
        return whole("--min-snapshots", arg, 16, 1e9, &p->min_snapshots, err);
    case OPT_MIN_GROWTH: return number("--min-growth", arg, 0, 1e15, false, &p->min_abs, err);
    case OPT_MIN_REL: return number("--min-rel", arg, 0, 1000, true, &p->min_rel, err);
    case OPT_MIN_SNR: return number("--min-snr", arg, 0, 1e6, false, &p->min_snr, err);
    case OPT_MIN_WEEK: return number("--min-week", arg, 0, 1000, true, &p->min_week, err);
    case OPT_WARMUP: return number("--warmup", arg, 0, 0.5, true, &p->warmup, err);
    case OPT_BUCKETS: return whole("--buckets", arg, 8, 1024, &p->buckets, err);
    case OPT_TAIL: return number("--tail", arg, 0.05, 0.5, true, &p->tail, err);
    case OPT_TAIL_RATIO: return number("--tail-ratio", arg, 0, 10, false, &p->tail_ratio, err);
    case OPT_MAX_STEP: return number("--max-step", arg, 0, 1, false, &p->max_step, err);
    case OPT_MAX_FALL: return number("--max-fall", arg, 0, 100, false, &p->max_fall, err);
    default:
        lp_error_set(err, "unknown option (see leakplot --help)");
        return -1;
    }
}

int lp_cli_parse(int argc, char **argv, lp_cli *cli, lp_error *err)
{
    *cli = (lp_cli){.output = "mem.pdf", .top = 24, .max_inflate = LP_INPUT_MAX_RATIO};
    detect_defaults(&cli->params);
    optind = 0;             /* GNU: restart scanning (tests parse repeatedly) */
    opterr = 0;
    int c;
    while ((c = getopt_long(argc, argv, ":o:t:qh", options, NULL)) != -1) {
        if (c == '?' || c == ':') {
            const char *what = optopt ? (char[]){'-', (char)optopt, 0} : argv[optind - 1];
            lp_error_set(err, c == ':' ? "option %s needs a value" : "unknown option %s",
                         what);
            return -1;
        }
        if (apply(cli, c, optarg, err) != 0)
            return -1;
    }
    cli->logs = argv + optind;
    cli->n_logs = (size_t)(argc - optind);
    cli->draw = !cli->check && (cli->draw || cli->dot == NULL);
    if (cli->help || cli->version)
        return 0;
    if (cli->n_logs == 0) {
        lp_error_set(err, "no LOG given (see leakplot --help)");
        return -1;
    }
    return 0;
}

void lp_cli_free(lp_cli *cli)
{
    free(cli->types);
    cli->types = NULL;
    cli->n_types = 0;
}

bool lp_cli_selects(void *ud, const char *name)
{
    const lp_cli *cli = ud;
    if (cli->n_types == 0)
        return true;
    for (size_t i = 0; i < cli->n_types; i++)
        if (strcmp(cli->types[i], name) == 0 || fnmatch(cli->types[i], name, 0) == 0)
            return true;
    return false;
}
