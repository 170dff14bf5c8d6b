/* pyagent_top: the N largest containers of one walk, and who refers to them.
 *
 * A fixed min-heap of N (container, type, length) entries: a container is
 * offered as the walk meets it and kept if longer than the shortest kept.
 * Beside it, a bounded table of referrer notes (container -> the object seen
 * holding it), taken during the same walk for containers long enough to
 * matter: a container shorter than the heap's shortest, once the heap is
 * full, can never be among the final N, so its notes are dropped.  The
 * table holds 8 N notes; when still full, the note of the shortest container
 * gives way, so in a heap of many equally long containers a name may be
 * lost (the container is then written with holder "-").
 *
 * A pointer map (pyagent_ptrmap) serves the naming step: a class's
 * attribute dict -> the class.
 *
 * Keys are opaque pointers (PyObject * in practice), valid while the caller
 * holds the GIL; nothing here dereferences them.  Plain malloc; not
 * thread-safe (the GIL serialises use). */
#ifndef PYAGENT_TOP_H
#define PYAGENT_TOP_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

typedef struct pyagent_top_item {
    const void *obj;        /* the container */
    const void *type;       /* its type */
    int64_t len;
} pyagent_top_item;

typedef struct pyagent_top_ref {
    const void *obj;        /* a container */
    const void *holder;     /* an object seen referring to it */
    int64_t len;
} pyagent_top_ref;

typedef struct pyagent_top {
    pyagent_top_item *heap; /* min-heap on len, heap[0] the shortest */
    size_t n, cap;          /* cap = N; 0: off */
    pyagent_top_ref *notes;
    size_t n_notes, cap_notes;
    int failed;             /* out of memory at init */
} pyagent_top;

/* Room for the n largest (0: off, every call a no-op).  0, or -1 when out
 * of memory (t is then off, and safe to free). */
int pyagent_top_init(pyagent_top *t, size_t n);
void pyagent_top_free(pyagent_top *t);

/* The least length still worth offering or noting: 1 while the heap has
 * room, else one more than its shortest.  INT64_MAX when off. */
static inline int64_t pyagent_top_threshold(const pyagent_top *t)
{
    if (t->cap == 0)
        return INT64_MAX;
    return t->n < t->cap ? 1 : t->heap[0].len + 1;
}

/* Offer a container of length len (kept if len >= the threshold).  again:
 * it may have been offered before (an untracked one, met once per
 * reference), so the kept ones are searched first, O(N). */
void pyagent_top_offer(pyagent_top *t, const void *obj, const void *type, int64_t len,
                       bool again);

/* Note that holder refers to obj, a container of length len.  The first
 * holder noted for obj is kept.  O(N) when len passes the threshold. */
void pyagent_top_note(pyagent_top *t, const void *obj, const void *holder, int64_t len);

/* Sort the kept containers by length, longest first (ties: by address);
 * the heap is a plain array afterwards: call once, after the walk. */
void pyagent_top_sort(pyagent_top *t);

/* The holder noted for obj, or NULL. */
const void *pyagent_top_holder(const pyagent_top *t, const void *obj);

/* ---- a pointer -> pointer map ----------------------------------------- */

typedef struct pyagent_ptrmap {
    const void **keys, **values;
    size_t cap, used;       /* cap a power of two, 0 before the first put */
    int failed;             /* a put failed for want of memory */
} pyagent_ptrmap;

/* Set key -> value (key not NULL), replacing an older value.  0, or -1 when
 * out of memory (m->failed set, the map otherwise unchanged). */
int pyagent_ptrmap_put(pyagent_ptrmap *m, const void *key, const void *value);
/* The value of key, or NULL. */
const void *pyagent_ptrmap_get(const pyagent_ptrmap *m, const void *key);
/* Make key's value NULL, if key is there; allocates nothing, cannot fail. */
void pyagent_ptrmap_forget(pyagent_ptrmap *m, const void *key);
void pyagent_ptrmap_free(pyagent_ptrmap *m);

#endif
