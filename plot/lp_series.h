/* lp_series: the series store, everything leakplot read, in compact arrays.
 *
 * Design: a snapshot is a *row* (its time and the process run it belongs
 * to); every series name (a type, or a gauge written "[rss]") is a *column*
 * interned once in an open-addressing hash table.  A type's column holds a
 * uint32_t count per row, LP_MISSING where the type was absent (a gap, never
 * a zero); a gauge's column holds doubles, NaN for a gap, and so does a
 * type's once one of its counts passes LP_COUNT_MAX (it is widened: the C
 * API counts bytes and the like, which pass 4 G).  No per-line objects.
 *
 * A column stores only the rows from the first it appeared in to the last
 * (dense: gaps stored), so a type that lives a while costs what it holds,
 * not the whole log; and when that span would be mostly gaps the column
 * turns sparse (each value with its row, no gaps).  Memory is therefore at
 * most a few times the values present, never rows x columns: a million
 * types that each appear in a few snapshots of a long log stay small.
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

#include <math.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "lp_error.h"

#define LP_MISSING UINT32_MAX       /* a gap in a type's column */
#define LP_COUNT_MAX (UINT32_MAX - 1)

/* What a column holds (lp_kinds.h says how each is judged and shown). */
typedef enum lp_kind {
    LP_TYPE = 0,         /* a type's live-object count */
    LP_GAUGE = 1,        /* a #START gauge, "[rss]" */
    LP_REFS,             /* #REFS: untracked objects reached, "str refs" */
    LP_BYTES,            /* #BYTES: a type's shallow bytes, "dict bytes" */
    LP_LEN,              /* #LEN: a container's length, "list app.X len" */
    LP_EXACT,            /* #EXACT: made minus destroyed, "int exact" */
    LP_GONE,             /* #GONE: expect_gone survivors so far,
                            "job survived expect_gone" */
} lp_kind;

typedef struct lp_column {
    char *name;          /* NUL-terminated, owned; gauges are "[key]" */
    uint32_t name_len;
    lp_kind kind;
    uint64_t hash;
    /* Values in row order.  Dense (rows == NULL): value i is row first + i,
     * gaps stored.  Sparse: value i is row rows[i]; no gaps.  Rows outside
     * are gaps.  Read them with lp_column_row / lp_column_at. */
    size_t first;
    size_t len, cap;     /* values stored, and room for them */
    uint32_t *rows;      /* sparse: the row of each value; NULL: dense */
    bool wide;           /* values (doubles) hold them, else counts */
    uint32_t *counts;    /* a type's counts, while every one fits */
    double *values;      /* a gauge's values, or a widened type's counts */
    size_t present;      /* values that are not gaps */
} lp_column;

typedef struct lp_run {
    long pid;            /* -1: unknown (a file without header or pid=) */
    char *host;          /* NULL: unknown */
    char *program;       /* NULL: unknown */
    char *source;        /* the LOG argument it was read from */
    double start;        /* the process's start (header start=); 0: unknown */
    uint32_t group;      /* same group = same process (set by finish) */
    size_t *rows;        /* its rows in time order (set by finish) */
    size_t n_rows;
    bool in_row_order;   /* time order is reading order (set by finish) */
} lp_run;

typedef struct lp_series_store {
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
    size_t *group_runs;  /* runs by group: group g's are group_runs[  */
    size_t *group_start; /* group_start[g] .. group_start[g + 1]) (finish) */
    struct lp_chains *chains;   /* #CHAIN records (lp_chains.h), NULL until
                                   one is read; owned */
} lp_series_store;

/* An empty store, or NULL when out of memory.  Free with lp_series_free
 * (which accepts NULL). */
lp_series_store *lp_series_new(void);
void lp_series_free(lp_series_store *s);

/* The hash lp_series_intern uses, exposed so the reader hashes once. */
uint64_t lp_series_hash(const char *name, size_t len);

/* The column named name[0..len) (not NUL-terminated), created empty with
 * `kind` if new.  Returns its index, or -1 when out of memory.  The caller
 * checks cols[i].kind: a name keeps the kind it was first seen with. */
long lp_series_intern(lp_series_store *s, const char *name, size_t len, uint64_t hash,
                      lp_kind kind, lp_error *err);

/* The column named name, or -1. */
long lp_series_find(const lp_series_store *s, const char *name);

/* A new run; strings are copied (NULL allowed for host/program).  Returns
 * its index or -1. */
long lp_series_add_run(lp_series_store *s, long pid, const char *host,
                       const char *program, const char *source, lp_error *err);

/* Start a new row (snapshot) at `time` for run `run`.  0 or -1 (out of
 * memory, or more than LP_MAX_ROWS rows). */
#define LP_MAX_ROWS ((size_t)UINT32_MAX - 1)
int lp_series_add_row(lp_series_store *s, double time, uint32_t run, lp_error *err);

/* lp_series_put_count's general case (internal). */
int lp_series_add_count(lp_series_store *s, uint32_t col, uint64_t count, lp_error *err);

/* Record `count` for column col in the newest row; a second count for the
 * same name in one snapshot is added to the first.  0 or -1.  Inline for
 * the common case: a dense narrow column that was in the row before. */
static inline int lp_series_put_count(lp_series_store *s, uint32_t col, uint64_t count,
                                      lp_error *err)
{
    lp_column *c = &s->cols[col];
    if (c->counts != NULL && c->rows == NULL && c->first + c->len == s->n_rows - 1 &&
        c->len < c->cap && count <= LP_COUNT_MAX) {
        c->counts[c->len++] = (uint32_t)count;
        c->present++;
        return 0;
    }
    return lp_series_add_count(s, col, count, err);
}

/* Record gauge value v for column col in the newest row (last one wins). */
int lp_series_put_gauge(lp_series_store *s, uint32_t col, double v, lp_error *err);

/* Pad every column to n_rows, sort each run's rows by time and assign
 * groups.  Call once after reading.  0 or -1. */
int lp_series_finish(lp_series_store *s, lp_error *err);

/* The row of value i (< c->len) of column c. */
static inline size_t lp_column_row(const lp_column *c, size_t i)
{
    return c->rows ? c->rows[i] : c->first + i;
}

/* Value i (< c->len) of column c, NaN for a gap. */
static inline double lp_column_at(const lp_column *c, size_t i)
{
    if (c->wide)
        return c->values[i];
    return c->counts[i] == LP_MISSING ? NAN : (double)c->counts[i];
}

/* Value of column col at row, NaN for a gap.  O(1) for a dense column,
 * O(log n) for a sparse one. */
double lp_series_value(const lp_series_store *s, size_t col, size_t row);

/* Which runs are current inside the window [since, until]: a run is
 * current when it has rows in the window and no run of its group starts
 * (in the window) after its last row there, i.e. no restart superseded it.
 * current must hold n_runs flags.  Returns the number of current runs. */
size_t lp_series_current(const lp_series_store *s, double since, double until,
                         bool *current);

/* The time of run r's first and last rows inside [since, until]; false
 * when it has none there.  O(log rows). */
bool lp_series_run_span(const lp_series_store *s, size_t r, double since, double until,
                        double *first, double *last);

/* Copy the present points of column col in run r inside [since, until]
 * into t[] and v[] (room for run->n_rows each), in time order.  Returns
 * the number of points.  O(values of the column) when that is less than
 * the run's rows and the run was read in time order, so that a million
 * short-lived types cost what they hold, else O(run's rows). */
size_t lp_series_extract(const lp_series_store *s, size_t col, size_t r, double since,
                         double until, double *t, double *v);

#endif
