/* snap: one snapshot in memory: (type name, live count) pairs, gauges, and
 * the detail records that say what the growth is made of.
 *
 * A source fills a snapshot with snap_add() (names copied into one arena, so
 * a snapshot of thousands of types is three allocations, reused tick after
 * tick), snap_set_gauge() and snap_add_record().  snap_finish() then merges
 * equal names, applies a filter (the config's sample.* keys) and sorts most
 * common first, counts and each kind of record alike.  Not thread-safe:
 * each thread works on its own snapshot. */
#ifndef LA_SNAP_H
#define LA_SNAP_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define SNAP_MAX_GAUGES 16
#define SNAP_GAUGE_KEY_MAX 32

typedef struct snap_entry {
    size_t name_off;   /* offset of the NUL-terminated name in names */
    uint64_t count;
} snap_entry;

typedef struct snap_gauge {
    char key[SNAP_GAUGE_KEY_MAX];
    double value;
} snap_gauge;

/* Detail records (DESIGN.md, "Why it grows"), written after the counts as
 * lines beginning with '#', in this order of kinds:
 *   REFS   untracked objects referenced from tracked ones, by type:
 *          a = references, b = sum of their shallow sizes (per reference)
 *   BYTES  shallow size summed over a type's tracked objects: a = bytes
 *   LEN    one large container: a = length, id = its address, holder = name
 *   EXACT  objects of a type created minus destroyed since exact mode began
 *          (a signed figure: pre-existing objects that die lower it)
 *   CHAIN  one referrer chain of a type (see logfmt.h):
 *          holder = the fields after the type ("why k/n root hop..."),
 *          space-separated, a = k (how many sampled instances it holds)
 *   GONE   one expect_gone label (the name): a = objects of that label found
 *          alive after their delay, cumulative; never filtered or cut */
typedef enum snap_rec_kind {
    SNAP_REC_REFS = 0,
    SNAP_REC_BYTES,
    SNAP_REC_LEN,
    SNAP_REC_EXACT,
    SNAP_REC_CHAIN,
    SNAP_REC_GONE,
    SNAP_REC_KINDS
} snap_rec_kind;

typedef struct snap_rec {
    snap_rec_kind kind;
    size_t name_off;   /* type name in the arena */
    size_t holder_off; /* LEN: holder name; CHAIN: the fields after the type */
    int64_t a;         /* the main figure: sorted by it, descending */
    uint64_t b;        /* REFS: bytes */
    uint64_t id;       /* LEN: the container's address */
} snap_rec;

typedef struct snapshot {
    double time;       /* unix seconds, set by the sampler */
    long pid;          /* process that took it, set by the sampler */
    snap_entry *entries;
    size_t n_entries, cap_entries;
    char *names;       /* arena of NUL-terminated names */
    size_t names_len, names_cap;
    snap_gauge gauges[SNAP_MAX_GAUGES];
    size_t n_gauges;
    snap_rec *recs;    /* detail records, grouped by kind after snap_finish */
    size_t n_recs, cap_recs;
} snapshot;

void snap_init(snapshot *s);
/* Forget the contents, keep the buffers for the next tick. */
void snap_reset(snapshot *s);
/* Release the buffers; s may be NULL. */
void snap_free(snapshot *s);

/* Append one count; name need not be NUL-terminated.  0, or -1 when out of
 * memory (the snapshot is then unchanged). */
int snap_add(snapshot *s, const char *name, size_t len, uint64_t count);

/* Set (or replace) a gauge.  0, or -1 if the table is full / key too long. */
int snap_set_gauge(snapshot *s, const char *key, double value);
/* Pointer to the gauge value, or NULL if not set. */
const double *snap_gauge_value(const snapshot *s, const char *key);
/* Keep only the gauges named in keep[0..n), in that order (the config's
 * `gauges`), so that every #START line lists them alike. */
void snap_keep_gauges(snapshot *s, const char *const *keep, size_t n);

static inline const char *snap_name(const snapshot *s, size_t i)
{
    return s->names + s->entries[i].name_off;
}

/* Append one detail record: name (len bytes, need not be NUL-terminated),
 * holder (NUL-terminated, LEN and CHAIN; NULL otherwise) and the figures.  0, or
 * -1 when out of memory (the snapshot is then unchanged). */
int snap_add_record(snapshot *s, snap_rec_kind kind, const char *name, size_t len,
                    const char *holder, int64_t a, uint64_t b, uint64_t id);

static inline const char *snap_rec_name(const snapshot *s, const snap_rec *r)
{
    return s->names + r->name_off;
}

static inline const char *snap_rec_holder(const snapshot *s, const snap_rec *r)
{
    return s->names + r->holder_off;
}

/* Which entries snap_finish keeps: the config's sample.* keys. */
typedef struct snap_filter {
    uint64_t min_count;             /* fewer objects: dropped */
    const char *const *include;     /* fnmatch patterns; none: keep all */
    size_t n_include;
    const char *const *exclude;     /* patterns to drop */
    size_t n_exclude;
    unsigned top;                   /* keep the N most common; 0 = all */
} snap_filter;

/* Merge entries with equal names (summing counts), drop those the filter
 * refuses, sort by count descending (name ascending on ties) and keep the
 * filter's top.  The records get the same: REFS, BYTES and EXACT records of
 * equal names are merged, filtered by name (include, exclude; min_count
 * for REFS references and EXACT counts) and cut to the top; LEN, CHAIN and
 * GONE records are kept as they are.  All are then grouped by kind (REFS,
 * BYTES, LEN, EXACT, CHAIN, GONE)
 * and sorted by their main figure, descending.  filter may be NULL (merge
 * and sort only).  Cannot fail. */
void snap_finish(snapshot *s, const snap_filter *filter);

/* Sum of all counts (for the gc_objects gauge of sources that lack one). */
uint64_t snap_total(const snapshot *s);

#endif
