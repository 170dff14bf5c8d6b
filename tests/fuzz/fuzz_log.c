/* fuzz_log: fuzz target for leakplot's reading and judging: the log reader
 * (plot/lp_read.c, lp_input.c, lp_files.c, lp_series.c), then the growth
 * detector (detect*.c, trend.c) and the reports (lp_report.c) and the
 * referrer graph (lp_dot.c) on whatever was read, so fuzzed series and
 * chains reach them too.
 *
 * Input: the bytes of a log file; a line "#FUZZ-NEXT-FILE" starts another
 * file (up to MAX_FILES; each is its own LOG argument, so attribution across
 * contexts runs; an empty one repeats the LOG before it).  lp_read_logs takes
 * paths, so each file is a memfd passed as /proc/self/fd/N: a regular file
 * the reader maps, or inflates on its producer thread when the bytes start
 * with the gzip magic, exactly as for a log on disk.
 * Besides "no crash, no leak, no undefined behaviour", what lp_read.h and
 * detect.h promise is checked, and a broken promise abort()s with a message:
 * success means snapshots were read and every run's rows are in time order;
 * failure comes with a message; the report lists growing series first;
 * the chains kept stay within their budget, and each one's "held by" line
 * is valid UTF-8 of at most the columns asked for. */
#include <math.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#include "detect.h"
#include "fuzz.h"
#include "lp_chains.h"
#include "lp_dot.h"
#include "lp_read.h"
#include "lp_report.h"
#include "lp_series.h"
#include "lp_utf8.h"

/* A broken promise: message, then abort() (fuzz.h). */
#define broken(...) fuzz_broken("fuzz_log", __VA_ARGS__)
#define MAX_FILES 3
#define SEPARATOR "#FUZZ-NEXT-FILE\n"

/* The memfds and their paths, made once: creating them per input would
 * cost more than most inputs take to parse. */
static int fds[MAX_FILES] = {-1, -1, -1};
static char paths[MAX_FILES][32];
static FILE *sink;    /* /dev/null: the reports are formatted, not kept */

static bool setup(void)
{
    if (sink != NULL)
        return true;
    for (int i = 0; i < MAX_FILES; i++) {
        fds[i] = memfd_create("fuzz_log", MFD_CLOEXEC);
        if (fds[i] < 0) {
            perror("fuzz_log: memfd_create");
            abort();
        }
        snprintf(paths[i], sizeof paths[i], "/proc/self/fd/%d", fds[i]);
    }
    sink = fopen("/dev/null", "w");
    if (sink == NULL) {
        perror("fuzz_log: /dev/null");
        abort();
    }
    return true;
}

static void put(int fd, const uint8_t *data, size_t len)
{
    if (ftruncate(fd, 0) != 0)
        abort();
    for (size_t done = 0; done < len;) {
        ssize_t n = pwrite(fd, data + done, len - done, (off_t)done);
        if (n <= 0)
            abort();
        done += (size_t)n;
    }
}

/* Split the input into files; returns how many LOG arguments it gave. */
static size_t split(const uint8_t *data, size_t size, char **logs)
{
    size_t n = 0;
    const uint8_t *p = data, *end = data + size;
    while (n < MAX_FILES) {
        const uint8_t *cut = n + 1 < MAX_FILES
                                 ? memmem(p, (size_t)(end - p), SEPARATOR, sizeof SEPARATOR - 1)
                                 : NULL;
        const uint8_t *stop = cut ? cut : end;
        if (n > 0 && stop == p) {
            logs[n] = logs[n - 1];               /* the same LOG again */
        } else {
            put(fds[n], p, (size_t)(stop - p));
            logs[n] = paths[n];
        }
        n++;
        if (cut == NULL)
            break;
        p = cut + sizeof SEPARATOR - 1;
    }
    return n;
}

static void warn_sink(void *ud, const char *message)
{
    (void)ud;
    if (message[0] == '\0')
        broken("empty warning");
    fputs(message, sink);
}

static void check_store(const lp_series_store *s, const lp_read_stats *st)
{
    if (s->n_rows == 0 || st->snapshots != s->n_rows)
        broken("read succeeded with %zu rows, %zu snapshots counted", s->n_rows, st->snapshots);
    size_t rows = 0;
    for (size_t r = 0; r < s->n_runs; r++) {
        const lp_run *run = &s->runs[r];
        rows += run->n_rows;
        for (size_t i = 0; i < run->n_rows; i++) {
            if (run->rows[i] >= s->n_rows || s->row_run[run->rows[i]] != r)
                broken("run %zu lists row %zu, not its own", r, run->rows[i]);
            if (i > 0 && s->times[run->rows[i]] < s->times[run->rows[i - 1]])
                broken("run %zu: rows out of time order", r);
        }
    }
    if (rows != s->n_rows)
        broken("runs list %zu rows of %zu", rows, s->n_rows);
}

/* Every chain kept, said in one line of at most 60 columns. */
static void say_chains(const lp_chains *cs)
{
    if (cs == NULL)
        return;
    if (cs->bytes > LP_CHAINS_MAX_BYTES)
        broken("chains hold %zu bytes", cs->bytes);
    for (size_t i = 0; i < cs->n_sets; i++) {
        if (cs->sets[i].n > LP_CHAINS_PER_SET)
            broken("a set of %zu chains", cs->sets[i].n);
        for (size_t k = 0; k < cs->sets[i].n; k++) {
            char line[4 * 60 + 8];
            lp_report_chain_line(line, sizeof line, cs->sets[i].items[k].chain, 60);
            size_t points = 0, len = strlen(line);
            for (size_t o = 0; o < len; points++) {
                size_t n = lp_utf8_len((const unsigned char *)line + o, len - o);
                if (n == 0 || (unsigned char)line[o] < 0x20)
                    broken("held by line is not clean UTF-8: %s", line);
                o += n;
            }
            if (points > 60 || strncmp(line, "held by: ", 9) != 0)
                broken("held by line of %zu columns: %s", points, line);
        }
    }
}

static void judge(const lp_series_store *s, const lp_read_stats *st, double since)
{
    detect_params p;
    detect_report d;
    lp_error err = {{0}};
    detect_defaults(&p);
    if (detect_store(s, &p, since, INFINITY, NULL, NULL, &d, &err) != 0) {
        if (err.msg[0] == '\0')
            broken("detect_store failed without a message");
        return;
    }
    if (d.n_growing > d.n_items)
        broken("%zu growing of %zu judged", d.n_growing, d.n_items);
    for (size_t i = 0; i < d.n_items; i++) {
        const detect_finding *f = &d.items[i];
        if (f->col >= s->n_cols || f->run >= s->n_runs || f->r.n < p.min_snapshots)
            broken("finding %zu: column %zu, run %zu, %zu points", i, f->col, f->run, f->r.n);
        if (f->r.growing != (i < d.n_growing))
            broken("finding %zu: growing series not first", i);
    }
    lp_report_text(sink, s, &d);
    lp_report_json(sink, s, &d, st, since, INFINITY);
    lp_report_explain(sink, s, &d);
    if (lp_dot_write(sink, s, &d, NULL, NULL, &err) != 0 && err.msg[0] == '\0')
        broken("lp_dot_write failed without a message");
    detect_report_free(&d);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    char *logs[MAX_FILES];
    lp_read_stats st;
    lp_error err = {{0}};
    setup();
    size_t n = split(data, size, logs);
    lp_series_store *s = lp_series_new();
    if (s == NULL)
        return 0;
    if (lp_read_logs(s, logs, n, warn_sink, NULL, &st, &err) != 0) {
        if (err.msg[0] == '\0')
            broken("read failed without a message");
        goto out;
    }
    check_store(s, &st);
    say_chains(s->chains);
    judge(s, &st, -INFINITY);
    /* A window starting half-way: runs the restart and window rules. */
    judge(s, &st, s->times[s->n_rows / 2]);
out:
    lp_series_free(s);
    return 0;
}
