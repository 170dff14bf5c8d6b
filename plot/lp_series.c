/* lp_series: interning, compact per-column arrays, runs and groups.
 * See lp_series.h for the model. */
#include "lp_series.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "lp_array.h"

lp_store *lp_series_new(void)
{
    lp_store *s = calloc(1, sizeof *s);
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

void lp_series_free(lp_store *s)
{
    if (s == NULL)
        return;
    for (size_t i = 0; i < s->n_cols; i++) {
        free(s->cols[i].name);
        free(s->cols[i].counts);
        free(s->cols[i].gauge);
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

static int rehash(lp_store *s, lp_error *err)
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

long lp_series_intern(lp_store *s, const char *name, size_t len, uint64_t hash,
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
    *c = (lp_column){.name = copy, .name_len = (uint32_t)len, .kind = kind, .hash = hash};
    s->slots[j] = (uint32_t)++s->n_cols;
    if (s->n_cols * 2 > s->n_slots && rehash(s, err) != 0)
        return -1;
    return (long)s->n_cols - 1;
}

long lp_series_find(const lp_store *s, const char *name)
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

long lp_series_add_run(lp_store *s, long pid, const char *host,
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

int lp_series_add_row(lp_store *s, double time, uint32_t run, lp_error *err)
{
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

int lp_series_reserve(lp_column *c, size_t rows, lp_error *err)
{
    if (c->kind == LP_TYPE)
        return lp_array_grow((void **)&c->counts, &c->cap, rows, sizeof *c->counts, err);
    return lp_array_grow((void **)&c->gauge, &c->cap, rows, sizeof *c->gauge, err);
}

int lp_series_put_gauge(lp_store *s, uint32_t col, double v, lp_error *err)
{
    lp_column *c = &s->cols[col];
    size_t row = s->n_rows - 1;
    if (row >= c->cap && lp_series_reserve(c, row + 1, err) != 0)
        return -1;
    while (c->len < row)
        c->gauge[c->len++] = NAN;
    c->gauge[row] = v;
    if (c->len <= row)
        c->len = row + 1;
    return 0;
}

/* Pad a column's gaps up to n_rows. */
static int pad_column(lp_column *c, size_t n_rows, lp_error *err)
{
    if (n_rows > c->cap && lp_series_reserve(c, n_rows, err) != 0)
        return -1;
    for (; c->len < n_rows; c->len++) {
        if (c->kind == LP_TYPE)
            c->counts[c->len] = LP_MISSING;
        else
            c->gauge[c->len] = NAN;
    }
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

int lp_series_finish(lp_store *s, lp_error *err)
{
    for (size_t i = 0; i < s->n_cols; i++)
        if (pad_column(&s->cols[i], s->n_rows, err) != 0)
            return -1;
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
    for (size_t r = 0; r < s->n_runs; r++)
        qsort_r(s->runs[r].rows, s->runs[r].n_rows, sizeof(size_t), cmp_row, s->times);
    s->n_groups = 0;
    for (size_t r = 0; r < s->n_runs; r++) {
        size_t q = 0;
        while (q < r && !same_group(&s->runs[q], &s->runs[r]))
            q++;
        s->runs[r].group = q < r ? s->runs[q].group : s->n_groups++;
    }
    return 0;
oom:
    lp_error_set(err, "out of memory (runs)");
    return -1;
}

double lp_series_value(const lp_store *s, size_t col, size_t row)
{
    const lp_column *c = &s->cols[col];
    if (row >= c->len)
        return NAN;
    if (c->kind == LP_GAUGE)
        return c->gauge[row];
    return c->counts[row] == LP_MISSING ? NAN : (double)c->counts[row];
}

/* First index in the time-sorted rows of run r with time >= since. */
static size_t first_row_since(const lp_store *s, const lp_run *r, double since)
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
static bool run_span(const lp_store *s, const lp_run *r, double since, double until,
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

size_t lp_series_current(const lp_store *s, double since, double until,
                         bool *current)
{
    size_t n = 0;
    for (size_t r = 0; r < s->n_runs; r++) {
        double first, last;
        current[r] = run_span(s, &s->runs[r], since, until, &first, &last);
        for (size_t q = 0; current[r] && q < s->n_runs; q++) {
            double f2, l2;
            if (q != r && s->runs[q].group == s->runs[r].group &&
                run_span(s, &s->runs[q], since, until, &f2, &l2) && f2 > last)
                current[r] = false;
        }
        n += current[r];
    }
    return n;
}

size_t lp_series_extract(const lp_store *s, size_t col, size_t r, double since,
                         double until, double *t, double *v)
{
    const lp_run *run = &s->runs[r];
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
