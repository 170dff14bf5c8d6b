/* lp_series: interning, compact per-column arrays, runs and groups.
 * See lp_series.h for the model. */
#include "lp_series.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "lp_array.h"
#include "lp_chains.h"

lp_series_store *lp_series_new(void)
{
    lp_series_store *s = calloc(1, sizeof *s);
    if (s == NULL)
        return NULL;
    s->n_slots = 1024;
    s->slots = calloc(s->n_slots, sizeof *s->slots);
    if (s->slots == NULL) {
        free(s);
        return NULL;
    }
    return s;
}

void lp_series_free(lp_series_store *s)
{
    if (s == NULL)
        return;
    for (size_t i = 0; i < s->n_cols; i++) {
        free(s->cols[i].name);
        free(s->cols[i].rows);
        free(s->cols[i].counts);
        free(s->cols[i].values);
    }
    for (size_t i = 0; i < s->n_runs; i++) {
        free(s->runs[i].host);
        free(s->runs[i].program);
        free(s->runs[i].source);
        free(s->runs[i].rows);
    }
    free(s->cols);
    free(s->slots);
    free(s->times);
    free(s->row_run);
    free(s->runs);
    free(s->group_runs);
    free(s->group_start);
    lp_chains_free(s->chains);
    free(s);
}

/* FNV-1a, 64 bits: names are short, and the reader's order prediction
 * spares most lines the hashing anyway. */
uint64_t lp_series_hash(const char *name, size_t len)
{
    uint64_t h = 1469598103934665603ULL;
    for (size_t i = 0; i < len; i++) {
        h ^= (unsigned char)name[i];
        h *= 1099511628211ULL;
    }
    return h;
}

static int rehash(lp_series_store *s, lp_error *err)
{
    size_t n = s->n_slots * 2;
    uint32_t *slots = calloc(n, sizeof *slots);
    if (slots == NULL) {
        lp_error_set(err, "out of memory (name table)");
        return -1;
    }
    for (size_t i = 0; i < s->n_cols; i++) {
        size_t j = s->cols[i].hash & (n - 1);
        while (slots[j] != 0)
            j = (j + 1) & (n - 1);
        slots[j] = (uint32_t)i + 1;
    }
    free(s->slots);
    s->slots = slots;
    s->n_slots = n;
    return 0;
}

long lp_series_intern(lp_series_store *s, const char *name, size_t len, uint64_t hash,
                      lp_kind kind, lp_error *err)
{
    size_t mask = s->n_slots - 1;
    size_t j = hash & mask;
    for (; s->slots[j] != 0; j = (j + 1) & mask) {
        const lp_column *c = &s->cols[s->slots[j] - 1];
        if (c->hash == hash && c->name_len == len && memcmp(c->name, name, len) == 0)
            return (long)s->slots[j] - 1;
    }
    if (lp_array_grow((void **)&s->cols, &s->cap_cols, s->n_cols + 1, sizeof *s->cols, err) != 0)
        return -1;
    char *copy = malloc(len + 1);
    if (copy == NULL) {
        lp_error_set(err, "out of memory (names)");
        return -1;
    }
    memcpy(copy, name, len);
    copy[len] = '\0';
    lp_column *c = &s->cols[s->n_cols];
    *c = (lp_column){.name = copy, .name_len = (uint32_t)len, .kind = kind, .hash = hash,
                     .wide = kind == LP_GAUGE || kind == LP_EXACT};
    s->slots[j] = (uint32_t)++s->n_cols;
    if (s->n_cols * 2 > s->n_slots && rehash(s, err) != 0)
        return -1;
    return (long)s->n_cols - 1;
}

long lp_series_find(const lp_series_store *s, const char *name)
{
    size_t len = strlen(name);
    uint64_t hash = lp_series_hash(name, len);
    size_t mask = s->n_slots - 1;
    for (size_t j = hash & mask; s->slots[j] != 0; j = (j + 1) & mask) {
        const lp_column *c = &s->cols[s->slots[j] - 1];
        if (c->hash == hash && c->name_len == len && memcmp(c->name, name, len) == 0)
            return (long)s->slots[j] - 1;
    }
    return -1;
}

static char *dup_or_null(const char *text, bool *failed)
{
    if (text == NULL)
        return NULL;
    char *copy = strdup(text);
    if (copy == NULL)
        *failed = true;
    return copy;
}

long lp_series_add_run(lp_series_store *s, long pid, const char *host,
                       const char *program, const char *source, lp_error *err)
{
    if (lp_array_grow((void **)&s->runs, &s->cap_runs, s->n_runs + 1, sizeof *s->runs, err) != 0)
        return -1;
    bool failed = false;
    lp_run r = {
        .pid = pid,
        .host = dup_or_null(host, &failed),
        .program = dup_or_null(program, &failed),
        .source = dup_or_null(source ? source : "", &failed),
    };
    if (failed) {
        free(r.host);
        free(r.program);
        free(r.source);
        lp_error_set(err, "out of memory (runs)");
        return -1;
    }
    s->runs[s->n_runs] = r;
    return (long)s->n_runs++;
}

int lp_series_add_row(lp_series_store *s, double time, uint32_t run, lp_error *err)
{
    if (s->n_rows == LP_MAX_ROWS) {
        lp_error_set(err, "more than %zu snapshots", LP_MAX_ROWS);
        return -1;
    }
    if (s->n_rows == s->cap_rows) {
        size_t cap = s->cap_rows;
        if (lp_array_grow((void **)&s->times, &cap, s->n_rows + 1, sizeof *s->times, err) != 0)
            return -1;
        cap = s->cap_rows;
        if (lp_array_grow((void **)&s->row_run, &cap, s->n_rows + 1, sizeof *s->row_run, err) != 0)
            return -1;
        s->cap_rows = cap;
    }
    s->times[s->n_rows] = time;
    s->row_run[s->n_rows] = run;
    s->n_rows++;
    return 0;
}

/* A dense column turns sparse when its span of rows would hold more than
 * twice its values plus this many: then gaps would be most of it. */
#define SPARSE_SLACK 16

/* Room for `need` values in every array of c.  0 or -1. */
static int reserve(lp_column *c, size_t need, lp_error *err)
{
    size_t cap = c->cap;
    if (c->rows && lp_array_grow((void **)&c->rows, &cap, need, sizeof *c->rows, err) != 0)
        return -1;
    cap = c->cap;
    if (c->wide ? lp_array_grow((void **)&c->values, &cap, need, sizeof *c->values, err)
                : lp_array_grow((void **)&c->counts, &cap, need, sizeof *c->counts, err))
        return -1;
    c->cap = cap;
    return 0;
}

static void put_gap(lp_column *c, size_t i)
{
    if (c->wide)
        c->values[i] = NAN;
    else
        c->counts[i] = LP_MISSING;
}

/* Keep the values of a dense column with their rows, dropping its gaps. */
static int make_sparse(lp_column *c, lp_error *err)
{
    uint32_t *rows = malloc((c->cap ? c->cap : 1) * sizeof *rows);
    if (rows == NULL) {
        lp_error_set(err, "out of memory (sparse column)");
        return -1;
    }
    size_t k = 0;
    for (size_t i = 0; i < c->len; i++) {
        if (isnan(lp_column_at(c, i)))
            continue;
        rows[k] = (uint32_t)(c->first + i);
        if (c->wide)
            c->values[k] = c->values[i];
        else
            c->counts[k] = c->counts[i];
        k++;
    }
    c->rows = rows;
    c->len = k;
    return 0;
}

/* Hold a type's counts in doubles, once one does not fit a uint32_t. */
static int widen(lp_column *c, lp_error *err)
{
    double *values = malloc((c->cap ? c->cap : 1) * sizeof *values);
    if (values == NULL) {
        lp_error_set(err, "out of memory (wide column)");
        return -1;
    }
    for (size_t i = 0; i < c->len; i++)
        values[i] = lp_column_at(c, i);
    free(c->counts);
    c->counts = NULL;
    c->values = values;
    c->wide = true;
    return 0;
}

/* The index of column c's value for `row`, the newest row, made if new
 * (*fresh: initialised as a gap after the gaps before it, or sparse, and
 * counted as present: the caller writes its value).  Returns the index,
 * or -1 when out of memory. */
static long slot(lp_column *c, size_t row, bool *fresh, lp_error *err)
{
    *fresh = false;
    if (c->len > 0 && lp_column_row(c, c->len - 1) == row)
        return (long)c->len - 1;                 /* written in this snapshot */
    *fresh = true;
    if (c->len == 0)
        c->first = row;
    else if (c->rows == NULL && row - c->first + 1 > 2 * (c->present + 1) + SPARSE_SLACK &&
             make_sparse(c, err) != 0)
        return -1;
    size_t need = c->rows ? c->len + 1 : row - c->first + 1;
    if (need > c->cap && reserve(c, need, err) != 0)
        return -1;
    if (c->rows)
        c->rows[c->len] = (uint32_t)row;
    else
        while (c->first + c->len < row)
            put_gap(c, c->len++);
    put_gap(c, c->len);
    c->present++;
    return (long)c->len++;
}

int lp_series_add_count(lp_series_store *s, uint32_t col, uint64_t count, lp_error *err)
{
    lp_column *c = &s->cols[col];
    bool fresh;
    long i = slot(c, s->n_rows - 1, &fresh, err);
    if (i < 0)
        return -1;
    /* a second count for the name in one snapshot adds to the first */
    uint64_t before = fresh || c->wide ? 0 : c->counts[i];
    if (!c->wide && count <= LP_COUNT_MAX - before) {
        c->counts[i] = (uint32_t)(before + count);
    } else {
        if (!c->wide && widen(c, err) != 0)
            return -1;
        c->values[i] = (fresh ? 0 : c->values[i]) + (double)count;
    }
    return 0;
}

int lp_series_put_gauge(lp_series_store *s, uint32_t col, double v, lp_error *err)
{
    lp_column *c = &s->cols[col];
    bool fresh;
    long i = slot(c, s->n_rows - 1, &fresh, err);
    if (i < 0)
        return -1;
    (void)fresh;
    c->values[i] = v;                            /* last one wins */
    return 0;
}

/* Rows of one run sorted by time; ties keep file order (rows are appended
 * in reading order, so an index tie-break is stable). */
static int cmp_row(const void *a, const void *b, void *times_arg)
{
    const double *times = times_arg;
    size_t x = *(const size_t *)a, y = *(const size_t *)b;
    if (times[x] < times[y])
        return -1;
    if (times[x] > times[y])
        return 1;
    return x < y ? -1 : x > y;
}

static bool same_text(const char *a, const char *b)
{
    return (a == NULL && b == NULL) || (a && b && strcmp(a, b) == 0);
}

/* Same process: same host and program when the run knows either; runs
 * from headerless files are their own LOG argument's process. */
static bool same_group(const lp_run *a, const lp_run *b)
{
    bool a_known = a->host || a->program, b_known = b->host || b->program;
    if (a_known != b_known)
        return false;
    if (!a_known)
        return strcmp(a->source, b->source) == 0;
    return same_text(a->host, b->host) && same_text(a->program, b->program);
}

/* The hash of what makes two runs the same process (same_group). */
static uint64_t group_hash(const lp_run *r)
{
    if (!r->host && !r->program)
        return lp_series_hash(r->source, strlen(r->source));
    uint64_t h = r->host ? lp_series_hash(r->host, strlen(r->host)) : 1;
    uint64_t p = r->program ? lp_series_hash(r->program, strlen(r->program)) : 2;
    return h ^ (p * 0x9E3779B97F4A7C15ULL);
}

/* Number the groups in order of their first run, through a hash table (a
 * log may hold 100,000s of runs: no comparing each with each), and list
 * each group's runs.  0 or -1. */
static int assign_groups(lp_series_store *s, lp_error *err)
{
    int rc = -1;
    size_t n = 16;
    while (n < 2 * s->n_runs)
        n *= 2;
    size_t *table = calloc(n, sizeof *table);       /* run index + 1; 0: empty */
    free(s->group_runs);
    free(s->group_start);
    s->group_runs = malloc((s->n_runs + 1) * sizeof *s->group_runs);
    s->group_start = calloc(s->n_runs + 2, sizeof *s->group_start);
    if (table == NULL || s->group_runs == NULL || s->group_start == NULL)
        goto out;
    s->n_groups = 0;
    for (size_t r = 0; r < s->n_runs; r++) {
        size_t j = group_hash(&s->runs[r]) & (n - 1);
        while (table[j] && !same_group(&s->runs[table[j] - 1], &s->runs[r]))
            j = (j + 1) & (n - 1);
        if (table[j] == 0)
            table[j] = r + 1;
        s->runs[r].group = table[j] == r + 1 ? s->n_groups++ : s->runs[table[j] - 1].group;
    }
    /* counting sort of the runs by group */
    for (size_t r = 0; r < s->n_runs; r++)
        s->group_start[s->runs[r].group + 1]++;
    for (size_t g = 0; g < s->n_groups; g++)
        s->group_start[g + 1] += s->group_start[g];
    size_t *filled = table;             /* the table is done with: reuse it */
    memset(filled, 0, s->n_groups * sizeof *filled);
    for (size_t r = 0; r < s->n_runs; r++) {
        uint32_t g = s->runs[r].group;
        s->group_runs[s->group_start[g] + filled[g]++] = r;
    }
    rc = 0;
out:
    free(table);
    if (rc != 0)
        lp_error_set(err, "out of memory (runs)");
    return rc;
}

int lp_series_finish(lp_series_store *s, lp_error *err)
{
    for (size_t r = 0; r < s->n_runs; r++) {
        free(s->runs[r].rows);
        s->runs[r].rows = NULL;
        s->runs[r].n_rows = 0;
    }
    size_t *count = calloc(s->n_runs + 1, sizeof *count);
    if (count == NULL)
        goto oom;
    for (size_t i = 0; i < s->n_rows; i++)
        count[s->row_run[i]]++;
    for (size_t r = 0; r < s->n_runs; r++) {
        s->runs[r].rows = malloc((count[r] ? count[r] : 1) * sizeof(size_t));
        if (s->runs[r].rows == NULL) {
            free(count);
            goto oom;
        }
    }
    free(count);
    for (size_t i = 0; i < s->n_rows; i++) {
        lp_run *r = &s->runs[s->row_run[i]];
        r->rows[r->n_rows++] = i;
    }
    for (size_t r = 0; r < s->n_runs; r++) {
        lp_run *run = &s->runs[r];
        qsort_r(run->rows, run->n_rows, sizeof(size_t), cmp_row, s->times);
        run->in_row_order = true;
        for (size_t i = 1; i < run->n_rows && run->in_row_order; i++)
            run->in_row_order = run->rows[i] > run->rows[i - 1];
    }
    return assign_groups(s, err);
oom:
    lp_error_set(err, "out of memory (runs)");
    return -1;
}

double lp_series_value(const lp_series_store *s, size_t col, size_t row)
{
    const lp_column *c = &s->cols[col];
    if (c->rows == NULL)
        return row >= c->first && row - c->first < c->len ? lp_column_at(c, row - c->first)
                                                           : NAN;
    size_t lo = 0, hi = c->len;
    while (lo < hi) {
        size_t mid = lo + (hi - lo) / 2;
        if (c->rows[mid] < row)
            lo = mid + 1;
        else
            hi = mid;
    }
    return lo < c->len && c->rows[lo] == row ? lp_column_at(c, lo) : NAN;
}

/* First index in the time-sorted rows of run r with time >= since. */
static size_t first_row_since(const lp_series_store *s, const lp_run *r, double since)
{
    size_t lo = 0, hi = r->n_rows;
    while (lo < hi) {
        size_t mid = lo + (hi - lo) / 2;
        if (s->times[r->rows[mid]] < since)
            lo = mid + 1;
        else
            hi = mid;
    }
    return lo;
}

/* Time span of run r inside the window; false if it has no row there. */
static bool run_span(const lp_series_store *s, const lp_run *r, double since, double until,
                     double *first, double *last)
{
    size_t i = first_row_since(s, r, since);
    if (i >= r->n_rows || s->times[r->rows[i]] > until)
        return false;
    *first = s->times[r->rows[i]];
    size_t j = r->n_rows;
    while (j > i && s->times[r->rows[j - 1]] > until)
        j--;
    *last = s->times[r->rows[j - 1]];
    return true;
}

bool lp_series_run_span(const lp_series_store *s, size_t r, double since, double until,
                        double *first, double *last)
{
    return run_span(s, &s->runs[r], since, until, first, last);
}

size_t lp_series_current(const lp_series_store *s, double since, double until,
                         bool *current)
{
    /* r is superseded when a run of its group starts after r's last row:
     * when the latest start in the group is after it (r's own start is
     * not).  O(runs), group by group. */
    size_t n = 0;
    for (uint32_t g = 0; g < s->n_groups; g++) {
        const size_t *members = s->group_runs + s->group_start[g];
        size_t n_members = s->group_start[g + 1] - s->group_start[g];
        double latest = -INFINITY, first, last;
        for (size_t k = 0; k < n_members; k++)
            if (run_span(s, &s->runs[members[k]], since, until, &first, &last) && first > latest)
                latest = first;
        for (size_t k = 0; k < n_members; k++) {
            size_t r = members[k];
            current[r] = run_span(s, &s->runs[r], since, until, &first, &last) && latest <= last;
            n += current[r];
        }
    }
    return n;
}

/* lp_series_extract over the values of column col, in row order: the
 * run's order when it is in_row_order. */
static size_t extract_by_column(const lp_series_store *s, size_t col, size_t r, double since,
                                double until, double *t, double *v)
{
    const lp_column *c = &s->cols[col];
    size_t n = 0;
    for (size_t i = 0; i < c->len; i++) {
        size_t row = lp_column_row(c, i);
        double time = s->times[row], value = lp_column_at(c, i);
        if (s->row_run[row] == r && time >= since && time <= until && !isnan(value)) {
            t[n] = time;
            v[n] = value;
            n++;
        }
    }
    return n;
}

size_t lp_series_extract(const lp_series_store *s, size_t col, size_t r, double since,
                         double until, double *t, double *v)
{
    const lp_run *run = &s->runs[r];
    if (run->in_row_order && s->cols[col].len < run->n_rows)
        return extract_by_column(s, col, r, since, until, t, v);
    size_t n = 0;
    for (size_t i = first_row_since(s, run, since); i < run->n_rows; i++) {
        size_t row = run->rows[i];
        if (s->times[row] > until)
            break;
        double value = lp_series_value(s, col, row);
        if (!isnan(value)) {
            t[n] = s->times[row];
            v[n] = value;
            n++;
        }
    }
    return n;
}
