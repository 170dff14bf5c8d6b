/* lp_series: the series store, everything leakplot read, in compact arrays.
 *
 * Design: a snapshot is a *row* (its time and the process run it belongs
 * to); every series name (a type, or a gauge written "[rss]") is a *column*
 * interned once in an open-addressing hash table.  A type's column holds one
 * uint32_t count per row, LP_MISSING where the type was absent (a gap, never
 * a zero); a gauge's column holds one double per row, NaN for a gap.  Memory
 * is therefore rows x columns x 4 bytes, with no per-line objects.  Columns
 * grow lazily: a column is only written up to the last row it appeared in,
 * and lp_series_finish pads the rest.
 *
 * A *run* is one process run (host, pid, program, or the file it came from
 * for old logs without a header).  After lp_series_finish every run lists
 * its rows in time order, and runs of the same process (same host and
 * program) share a group, so a detector can tell the latest run of each
 * process from runs a restart superseded.
 *
 * Not thread-safe; one reader fills it, then it is read-only. */
#ifndef LP_SERIES_H
#define LP_SERIES_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "lp_error.h"

#define LP_MISSING UINT32_MAX       /* a gap in a type's column */
#define LP_COUNT_MAX (UINT32_MAX - 1)

typedef enum lp_kind { LP_TYPE = 0, LP_GAUGE = 1 } lp_kind;

typedef struct lp_column {
    char *name;          /* NUL-terminated, owned; gauges are "[key]" */
    uint32_t name_len;
    lp_kind kind;
    uint64_t hash;
    size_t len;          /* rows written so far; rows >= len are gaps */
    size_t cap;
    uint32_t *counts;    /* LP_TYPE */
    double *gauge;       /* LP_GAUGE */
} lp_column;

typedef struct lp_run {
    long pid;            /* -1: unknown (a file without header or pid=) */
    char *host;          /* NULL: unknown */
    char *program;       /* NULL: unknown */
    char *source;        /* the LOG argument it was read from */
    uint32_t group;      /* same group = same process (set by finish) */
    size_t *rows;        /* its rows in time order (set by finish) */
    size_t n_rows;
} lp_run;

typedef struct lp_store {
    lp_column *cols;
    size_t n_cols, cap_cols;
    uint32_t *slots;     /* hash table: column index + 1, 0 = empty */
    size_t n_slots;      /* a power of two */
    double *times;       /* per row: unix seconds */
    uint32_t *row_run;   /* per row: run index */
    size_t n_rows, cap_rows;
    lp_run *runs;
    size_t n_runs, cap_runs;
    uint32_t n_groups;
} lp_store;

/* An empty store, or NULL when out of memory.  Free with lp_series_free
 * (which accepts NULL). */
lp_store *lp_series_new(void);
void lp_series_free(lp_store *s);

/* The hash lp_series_intern uses, exposed so the reader hashes once. */
uint64_t lp_series_hash(const char *name, size_t len);

/* The column named name[0..len) (not NUL-terminated), created empty with
 * `kind` if new.  Returns its index, or -1 when out of memory.  The caller
 * checks cols[i].kind: a name keeps the kind it was first seen with. */
long lp_series_intern(lp_store *s, const char *name, size_t len, uint64_t hash,
                      lp_kind kind, lp_error *err);

/* The column named name, or -1. */
long lp_series_find(const lp_store *s, const char *name);

/* A new run; strings are copied (NULL allowed for host/program).  Returns
 * its index or -1. */
long lp_series_add_run(lp_store *s, long pid, const char *host,
                       const char *program, const char *source, lp_error *err);

/* Start a new row (snapshot) at `time` for run `run`.  0 or -1. */
int lp_series_add_row(lp_store *s, double time, uint32_t run, lp_error *err);

/* Grow column c to hold at least `rows` rows.  0 or -1 (internal to the
 * inline writers below). */
int lp_series_reserve(lp_column *c, size_t rows, lp_error *err);

/* Record `count` for column col in the newest row; a second count for the
 * same name in one snapshot is added to the first.  0 or -1. */
static inline int lp_series_put_count(lp_store *s, uint32_t col, uint64_t count,
                                      lp_error *err)
{
    lp_column *c = &s->cols[col];
    size_t row = s->n_rows - 1;
    if (count > LP_COUNT_MAX)
        count = LP_COUNT_MAX;
    if (row < c->len) {                 /* same name twice in a snapshot */
        uint64_t sum = (c->counts[row] == LP_MISSING ? 0 : c->counts[row]) + count;
        c->counts[row] = (uint32_t)(sum > LP_COUNT_MAX ? LP_COUNT_MAX : sum);
        return 0;
    }
    if (row >= c->cap && lp_series_reserve(c, row + 1, err) != 0)
        return -1;
    while (c->len < row)
        c->counts[c->len++] = LP_MISSING;
    c->counts[row] = (uint32_t)count;
    c->len = row + 1;
    return 0;
}

/* Record gauge value v for column col in the newest row (last one wins). */
int lp_series_put_gauge(lp_store *s, uint32_t col, double v, lp_error *err);

/* Pad every column to n_rows, sort each run's rows by time and assign
 * groups.  Call once after reading.  0 or -1. */
int lp_series_finish(lp_store *s, lp_error *err);

/* Value of column col at row, NaN for a gap. */
double lp_series_value(const lp_store *s, size_t col, size_t row);

/* Which runs are current inside the window [since, until]: a run is
 * current when it has rows in the window and no run of its group starts
 * (in the window) after its last row there, i.e. no restart superseded it.
 * current must hold n_runs flags.  Returns the number of current runs. */
size_t lp_series_current(const lp_store *s, double since, double until,
                         bool *current);

/* Copy the present points of column col in run r inside [since, until]
 * into t[] and v[] (room for run->n_rows each), in time order.  Returns
 * the number of points. */
size_t lp_series_extract(const lp_store *s, size_t col, size_t r, double since,
                         double until, double *t, double *v);

#endif
