/* snap: a snapshot's (name, count) table, its gauges, and the pass that
 * merges, filters and sorts it before it is written.  Plain C memory only:
 * sources fill it while holding their host's lock, so it must not call back
 * into the host. */
#include "snap.h"

#include <fnmatch.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

void snap_init(snapshot *s)
{
    memset(s, 0, sizeof *s);
}

void snap_reset(snapshot *s)
{
    s->n_entries = 0;
    s->names_len = 0;
    s->n_gauges = 0;
    s->n_recs = 0;
    s->time = 0;
    s->pid = 0;
}

void snap_free(snapshot *s)
{
    if (s == NULL)
        return;
    free(s->entries);
    free(s->names);
    free(s->recs);
    snap_init(s);
}

/* Grow *buf to hold at least `need` elements of `size` bytes (doubling). */
static int grow(void **buf, size_t *cap, size_t need, size_t size)
{
    if (need <= *cap)
        return 0;
    size_t ncap = *cap ? *cap : 64;
    while (ncap < need)
        ncap *= 2;
    void *bigger = realloc(*buf, ncap * size);
    if (bigger == NULL)
        return -1;
    *buf = bigger;
    *cap = ncap;
    return 0;
}

/* Copy len bytes of text and a NUL into the arena; its offset in *off. */
static int arena_add(snapshot *s, const char *text, size_t len, size_t *off)
{
    if (grow((void **)&s->names, &s->names_cap, s->names_len + len + 1, 1) != 0)
        return -1;
    memcpy(s->names + s->names_len, text, len);
    s->names[s->names_len + len] = '\0';
    *off = s->names_len;
    s->names_len += len + 1;
    return 0;
}

int snap_add(snapshot *s, const char *name, size_t len, uint64_t count)
{
    size_t off;
    if (grow((void **)&s->entries, &s->cap_entries, s->n_entries + 1, sizeof *s->entries) != 0 ||
        arena_add(s, name, len, &off) != 0)
        return -1;
    s->entries[s->n_entries].name_off = off;
    s->entries[s->n_entries].count = count;
    s->n_entries++;
    return 0;
}

int snap_add_record(snapshot *s, snap_rec_kind kind, const char *name, size_t len,
                    const char *holder, int64_t a, uint64_t b, uint64_t id)
{
    size_t names_len = s->names_len;
    snap_rec r = {.kind = kind, .a = a, .b = b, .id = id};
    if (grow((void **)&s->recs, &s->cap_recs, s->n_recs + 1, sizeof *s->recs) != 0 ||
        arena_add(s, name, len, &r.name_off) != 0 ||
        (holder != NULL && arena_add(s, holder, strlen(holder), &r.holder_off) != 0)) {
        s->names_len = names_len;
        return -1;
    }
    if (holder == NULL)
        r.holder_off = r.name_off;
    s->recs[s->n_recs++] = r;
    return 0;
}

int snap_set_gauge(snapshot *s, const char *key, double value)
{
    if (strlen(key) >= SNAP_GAUGE_KEY_MAX)
        return -1;
    for (size_t i = 0; i < s->n_gauges; i++) {
        if (strcmp(s->gauges[i].key, key) == 0) {
            s->gauges[i].value = value;
            return 0;
        }
    }
    if (s->n_gauges == SNAP_MAX_GAUGES)
        return -1;
    strcpy(s->gauges[s->n_gauges].key, key);
    s->gauges[s->n_gauges].value = value;
    s->n_gauges++;
    return 0;
}

const double *snap_gauge_value(const snapshot *s, const char *key)
{
    for (size_t i = 0; i < s->n_gauges; i++)
        if (strcmp(s->gauges[i].key, key) == 0)
            return &s->gauges[i].value;
    return NULL;
}

void snap_keep_gauges(snapshot *s, const char *const *keep, size_t n_keep)
{
    snap_gauge kept[SNAP_MAX_GAUGES];
    size_t n = 0;
    for (size_t g = 0; g < n_keep && n < SNAP_MAX_GAUGES; g++) {
        const double *v = snap_gauge_value(s, keep[g]);
        if (v == NULL)
            continue;
        snprintf(kept[n].key, sizeof kept[n].key, "%s", keep[g]);
        kept[n++].value = *v;
    }
    memcpy(s->gauges, kept, n * sizeof kept[0]);
    s->n_gauges = n;
}

uint64_t snap_total(const snapshot *s)
{
    uint64_t total = 0;
    for (size_t i = 0; i < s->n_entries; i++)
        total += s->entries[i].count;
    return total;
}

/* qsort has no context argument in C11; the arena is passed through this
 * thread-local instead, so concurrent snapshots on other threads are safe. */
static _Thread_local const char *sort_names;

static int by_name(const void *a, const void *b)
{
    const snap_entry *x = a, *y = b;
    return strcmp(sort_names + x->name_off, sort_names + y->name_off);
}

static int by_count_desc(const void *a, const void *b)
{
    const snap_entry *x = a, *y = b;
    if (x->count != y->count)
        return x->count > y->count ? -1 : 1;
    return strcmp(sort_names + x->name_off, sort_names + y->name_off);
}

static bool matches_any(const char *const *patterns, size_t n, const char *name)
{
    for (size_t i = 0; i < n; i++)
        if (fnmatch(patterns[i], name, 0) == 0)
            return true;
    return false;
}

static bool keep_entry(const snap_filter *f, const char *name, uint64_t count)
{
    if (f == NULL)
        return true;
    if (count < f->min_count)
        return false;
    if (f->n_include && !matches_any(f->include, f->n_include, name))
        return false;
    return !matches_any(f->exclude, f->n_exclude, name);
}

/* LEN, CHAIN and GONE records each describe one thing (a container, a
 * chain, a label's survivors): never merged with another of the same name, never filtered or cut. */
static bool rec_kept_whole(snap_rec_kind kind)
{
    return kind == SNAP_REC_LEN || kind == SNAP_REC_CHAIN || kind == SNAP_REC_GONE;
}

static int rec_by_kind_name(const void *a, const void *b)
{
    const snap_rec *x = a, *y = b;
    if (x->kind != y->kind)
        return x->kind < y->kind ? -1 : 1;
    return strcmp(sort_names + x->name_off, sort_names + y->name_off);
}

static int rec_by_kind_figure(const void *a, const void *b)
{
    const snap_rec *x = a, *y = b;
    if (x->kind != y->kind)
        return x->kind < y->kind ? -1 : 1;
    if (x->a != y->a)
        return x->a > y->a ? -1 : 1;
    if (x->kind == SNAP_REC_LEN && x->id != y->id)
        return x->id < y->id ? -1 : 1;
    int by_name = strcmp(sort_names + x->name_off, sort_names + y->name_off);
    if (by_name != 0 || x->kind != SNAP_REC_CHAIN)
        return by_name;
    return strcmp(sort_names + x->holder_off, sort_names + y->holder_off);
}

/* Records that name containers (LEN) or expect_gone labels (GONE), not
 * types to choose among: the filter keeps all of them. */
/* The filter's verdict on a record. */
static bool keep_rec(const snap_filter *f, const snapshot *s, const snap_rec *r)
{
    if (f == NULL || rec_kept_whole(r->kind))
        return true;
    /* min_count is about objects: it applies to the references of REFS; an
     * EXACT figure is a net count that may be negative, a BYTES one bytes. */
    uint64_t count = r->kind == SNAP_REC_REFS ? (uint64_t)r->a : f->min_count;
    return keep_entry(f, snap_rec_name(s, r), count);
}

/* snap_finish for the records (sort_names set). */
static void finish_records(snapshot *s, const snap_filter *filter)
{
    if (s->n_recs == 0)
        return;         /* recs may be NULL: qsort must not be given it */
    qsort(s->recs, s->n_recs, sizeof *s->recs, rec_by_kind_name);
    size_t out = 0;
    for (size_t i = 0; i < s->n_recs; i++) {
        snap_rec *r = &s->recs[i];
        snap_rec *prev = out > 0 ? &s->recs[out - 1] : NULL;
        if (prev && !rec_kept_whole(r->kind) && prev->kind == r->kind &&
            strcmp(snap_rec_name(s, prev), snap_rec_name(s, r)) == 0) {
            prev->a += r->a;
            prev->b += r->b;
        } else {
            s->recs[out++] = *r;
        }
    }
    s->n_recs = out;
    out = 0;
    for (size_t i = 0; i < s->n_recs; i++)
        if (keep_rec(filter, s, &s->recs[i]))
            s->recs[out++] = s->recs[i];
    s->n_recs = out;
    qsort(s->recs, s->n_recs, sizeof *s->recs, rec_by_kind_figure);
    if (filter == NULL || filter->top == 0)
        return;
    /* The top N of each kind of type record. */
    out = 0;
    size_t in_kind = 0;
    for (size_t i = 0; i < s->n_recs; i++) {
        if (i == 0 || s->recs[i].kind != s->recs[i - 1].kind)
            in_kind = 0;
        if (rec_kept_whole(s->recs[i].kind) || in_kind++ < filter->top)
            s->recs[out++] = s->recs[i];
    }
    s->n_recs = out;
}

void snap_finish(snapshot *s, const snap_filter *filter)
{
    sort_names = s->names;
    /* Distinct types may share a name (a class defined in a function, once
     * per call: itself a classic leak); they are one series to the reader. */
    if (s->n_entries > 0)   /* entries may be NULL: qsort must not be given it */
        qsort(s->entries, s->n_entries, sizeof *s->entries, by_name);
    size_t out = 0;
    for (size_t i = 0; i < s->n_entries; i++) {
        if (out > 0 && strcmp(snap_name(s, out - 1), snap_name(s, i)) == 0)
            s->entries[out - 1].count += s->entries[i].count;
        else
            s->entries[out++] = s->entries[i];
    }
    s->n_entries = out;
    out = 0;
    for (size_t i = 0; i < s->n_entries; i++)
        if (keep_entry(filter, snap_name(s, i), s->entries[i].count))
            s->entries[out++] = s->entries[i];
    s->n_entries = out;
    if (s->n_entries > 0)
        qsort(s->entries, s->n_entries, sizeof *s->entries, by_count_desc);
    if (filter && filter->top && s->n_entries > filter->top)
        s->n_entries = filter->top;
    finish_records(s, filter);
}
