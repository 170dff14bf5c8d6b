/* pyagent_count: live-object counts keyed by type pointer, in plain C memory.
 *
 * The GC walk adds one object at a time; the table is open addressing with
 * linear probing over malloc'd slots, so counting never allocates a Python
 * object and never calls back into the interpreter it is measuring.  The
 * keys are opaque pointers (PyTypeObject * in practice) that are only valid
 * while the caller holds the GIL: empty the table before releasing it.
 * Not thread-safe; the caller's lock (the GIL) serialises use. */
#ifndef PYAGENT_COUNT_H
#define PYAGENT_COUNT_H

#include <stddef.h>
#include <stdint.h>

typedef struct pyagent_count_slot {
    const void *key;        /* NULL: empty slot */
    uint64_t count;
    uint64_t bytes;         /* sizes summed, for callers that measure them */
    int aux;                /* the caller's per-key cache (0 when created) */
} pyagent_count_slot;

typedef struct pyagent_count {
    pyagent_count_slot *slots;
    size_t cap;             /* a power of two */
    size_t used;
    pyagent_count_slot *last;   /* slot of the previous key: runs of one type */
    int failed;             /* a grow failed: counts are incomplete */
} pyagent_count;

/* Allocate room for about `hint` keys.  0, or -1 when out of memory. */
int pyagent_count_init(pyagent_count *t, size_t hint);

/* Release the slots; t may be NULL. */
void pyagent_count_free(pyagent_count *t);

/* Double the table (rehashing).  0, or -1 when out of memory (the table is
 * then unchanged).  Called by pyagent_count_add; not for other callers. */
int pyagent_count_grow(pyagent_count *t);

/* Fibonacci hashing of a pointer; the low bits are alignment, shift them out. */
static inline size_t pyagent_count_hash(const void *key, size_t cap)
{
    uint64_t h = ((uint64_t)(uintptr_t)key >> 4) * UINT64_C(0x9E3779B97F4A7C15);
    return (size_t)(h >> 32) & (cap - 1);
}

/* The slot of `key` (not NULL), created with count, bytes and aux 0 if
 * new; NULL when the table could not grow (t->failed is then set).  The
 * pointer is valid until the next call that creates a key.  Inline: this
 * runs once per live object. */
static inline pyagent_count_slot *pyagent_count_slot_of(pyagent_count *t, const void *key)
{
    if (t->last != NULL && t->last->key == key)
        return t->last;
    for (;;) {
        size_t mask = t->cap - 1;
        for (size_t i = pyagent_count_hash(key, t->cap);; i = (i + 1) & mask) {
            pyagent_count_slot *slot = &t->slots[i];
            if (slot->key == key)
                return t->last = slot;
            if (slot->key == NULL)
                break;
        }
        /* A new key: keep the load under one half so probes stay short. */
        if ((t->used + 1) * 2 <= t->cap)
            break;
        if (pyagent_count_grow(t) != 0) {
            t->failed = 1;
            return NULL;
        }
    }
    size_t mask = t->cap - 1;
    size_t i = pyagent_count_hash(key, t->cap);
    while (t->slots[i].key != NULL)
        i = (i + 1) & mask;
    pyagent_count_slot *slot = &t->slots[i];
    *slot = (pyagent_count_slot){.key = key};
    t->used++;
    return t->last = slot;
}

/* Count one more object of `key` (not NULL).  0, or -1 when the table could
 * not grow (t->failed is then set and the object is not counted). */
static inline int pyagent_count_add(pyagent_count *t, const void *key)
{
    pyagent_count_slot *slot = pyagent_count_slot_of(t, key);
    if (slot == NULL)
        return -1;
    slot->count++;
    return 0;
}

/* The slot of key, or NULL if it has none; creates nothing. */
pyagent_count_slot *pyagent_count_find(const pyagent_count *t, const void *key);

#endif
