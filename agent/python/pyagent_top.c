/* pyagent_top: the min-heap of the largest containers, the referrer notes
 * and the pointer map (see the header).  Plain C memory, no Python. */
#include "pyagent_top.h"

#include <stdlib.h>

/* Notes kept per container slot of the heap. */
#define NOTES_PER_ITEM 8

int pyagent_top_init(pyagent_top *t, size_t n)
{
    *t = (pyagent_top){0};
    if (n == 0)
        return 0;
    t->heap = calloc(n, sizeof *t->heap);
    t->notes = calloc(n * NOTES_PER_ITEM, sizeof *t->notes);
    if (t->heap == NULL || t->notes == NULL) {
        pyagent_top_free(t);
        t->failed = 1;
        return -1;
    }
    t->cap = n;
    t->cap_notes = n * NOTES_PER_ITEM;
    return 0;
}

void pyagent_top_free(pyagent_top *t)
{
    if (t == NULL)
        return;
    free(t->heap);
    free(t->notes);
    t->heap = NULL;
    t->notes = NULL;
    t->n = t->cap = t->n_notes = t->cap_notes = 0;
}

static void swap_items(pyagent_top_item *a, pyagent_top_item *b)
{
    pyagent_top_item tmp = *a;
    *a = *b;
    *b = tmp;
}

static void sift_down(pyagent_top_item *h, size_t n, size_t i)
{
    for (;;) {
        size_t least = i, l = 2 * i + 1, r = l + 1;
        if (l < n && h[l].len < h[least].len)
            least = l;
        if (r < n && h[r].len < h[least].len)
            least = r;
        if (least == i)
            return;
        swap_items(&h[i], &h[least]);
        i = least;
    }
}

static void sift_up(pyagent_top_item *h, size_t i)
{
    while (i > 0 && h[(i - 1) / 2].len > h[i].len) {
        swap_items(&h[i], &h[(i - 1) / 2]);
        i = (i - 1) / 2;
    }
}

void pyagent_top_offer(pyagent_top *t, const void *obj, const void *type, int64_t len,
                       bool again)
{
    if (len < pyagent_top_threshold(t))
        return;
    for (size_t i = 0; again && i < t->n; i++)
        if (t->heap[i].obj == obj)
            return;
    pyagent_top_item item = {obj, type, len};
    if (t->n < t->cap) {
        t->heap[t->n] = item;
        sift_up(t->heap, t->n++);
        return;
    }
    t->heap[0] = item;
    sift_down(t->heap, t->n, 0);
}

/* Drop the notes of containers now too short to be kept. */
static void prune_notes(pyagent_top *t)
{
    int64_t least = pyagent_top_threshold(t);
    size_t out = 0;
    for (size_t i = 0; i < t->n_notes; i++)
        if (t->notes[i].len >= least)
            t->notes[out++] = t->notes[i];
    t->n_notes = out;
}

void pyagent_top_note(pyagent_top *t, const void *obj, const void *holder, int64_t len)
{
    if (len < pyagent_top_threshold(t))
        return;
    for (size_t i = 0; i < t->n_notes; i++)
        if (t->notes[i].obj == obj)
            return;
    if (t->n_notes == t->cap_notes)
        prune_notes(t);
    pyagent_top_ref note = {obj, holder, len};
    if (t->n_notes < t->cap_notes) {
        t->notes[t->n_notes++] = note;
        return;
    }
    size_t shortest = 0;
    for (size_t i = 1; i < t->n_notes; i++)
        if (t->notes[i].len < t->notes[shortest].len)
            shortest = i;
    if (t->notes[shortest].len < len)
        t->notes[shortest] = note;
}

static int longest_first(const void *a, const void *b)
{
    const pyagent_top_item *x = a, *y = b;
    if (x->len != y->len)
        return x->len > y->len ? -1 : 1;
    return x->obj < y->obj ? -1 : x->obj > y->obj;
}

void pyagent_top_sort(pyagent_top *t)
{
    if (t->n > 1)
        qsort(t->heap, t->n, sizeof *t->heap, longest_first);
}

const void *pyagent_top_holder(const pyagent_top *t, const void *obj)
{
    for (size_t i = 0; i < t->n_notes; i++)
        if (t->notes[i].obj == obj)
            return t->notes[i].holder;
    return NULL;
}

/* ---- pointer map ---------------------------------------------------------- */

static size_t ptr_hash(const void *key, size_t cap)
{
    uint64_t h = ((uint64_t)(uintptr_t)key >> 4) * UINT64_C(0x9E3779B97F4A7C15);
    return (size_t)(h >> 32) & (cap - 1);
}

static void put_slot(const void **keys, const void **values, size_t cap, const void *key,
                         const void *value, size_t *used)
{
    size_t i = ptr_hash(key, cap);
    while (keys[i] != NULL && keys[i] != key)
        i = (i + 1) & (cap - 1);
    if (keys[i] == NULL)
        (*used)++;
    keys[i] = key;
    values[i] = value;
}

int pyagent_ptrmap_put(pyagent_ptrmap *m, const void *key, const void *value)
{
    if ((m->used + 1) * 2 > m->cap) {
        size_t cap = m->cap ? m->cap * 2 : 256;
        const void **keys = calloc(cap, sizeof *keys);
        const void **values = calloc(cap, sizeof *values);
        if (keys == NULL || values == NULL) {
            free(keys);
            free(values);
            m->failed = 1;
            return -1;
        }
        size_t used = 0;
        for (size_t i = 0; i < m->cap; i++)
            if (m->keys[i] != NULL)
                put_slot(keys, values, cap, m->keys[i], m->values[i], &used);
        free(m->keys);
        free(m->values);
        m->keys = keys;
        m->values = values;
        m->cap = cap;
        m->used = used;
    }
    put_slot(m->keys, m->values, m->cap, key, value, &m->used);
    return 0;
}

const void *pyagent_ptrmap_get(const pyagent_ptrmap *m, const void *key)
{
    if (m->cap == 0 || key == NULL)
        return NULL;
    for (size_t i = ptr_hash(key, m->cap); m->keys[i] != NULL; i = (i + 1) & (m->cap - 1))
        if (m->keys[i] == key)
            return m->values[i];
    return NULL;
}

void pyagent_ptrmap_forget(pyagent_ptrmap *m, const void *key)
{
    if (m->cap == 0 || key == NULL)
        return;
    for (size_t i = ptr_hash(key, m->cap); m->keys[i] != NULL; i = (i + 1) & (m->cap - 1))
        if (m->keys[i] == key) {
            m->values[i] = NULL;
            return;
        }
}

void pyagent_ptrmap_free(pyagent_ptrmap *m)
{
    if (m == NULL)
        return;
    free(m->keys);
    free(m->values);
    *m = (pyagent_ptrmap){0};
}
