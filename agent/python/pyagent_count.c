/* pyagent_count: the growth and lifetime of the type-count table; the hot
 * path (pyagent_count_add) is inline in the header.  Plain malloc only. */
#include "pyagent_count.h"

#include <stdlib.h>

int pyagent_count_init(pyagent_count *t, size_t hint)
{
    size_t cap = 256;
    while (cap < hint * 2)
        cap *= 2;
    t->slots = calloc(cap, sizeof *t->slots);
    t->cap = t->slots ? cap : 0;
    t->used = 0;
    t->last = NULL;
    t->failed = 0;
    return t->slots ? 0 : -1;
}

void pyagent_count_free(pyagent_count *t)
{
    if (t == NULL)
        return;
    free(t->slots);
    t->slots = NULL;
    t->cap = t->used = 0;
    t->last = NULL;
}

int pyagent_count_grow(pyagent_count *t)
{
    size_t cap = t->cap * 2;
    pyagent_count_slot *slots = calloc(cap, sizeof *slots);
    if (slots == NULL)
        return -1;
    for (size_t i = 0; i < t->cap; i++) {
        if (t->slots[i].key == NULL)
            continue;
        size_t j = pyagent_count_hash(t->slots[i].key, cap);
        while (slots[j].key != NULL)
            j = (j + 1) & (cap - 1);
        slots[j] = t->slots[i];
    }
    free(t->slots);
    t->slots = slots;
    t->cap = cap;
    t->last = NULL;     /* pointed into the old slots */
    return 0;
}

pyagent_count_slot *pyagent_count_find(const pyagent_count *t, const void *key)
{
    if (t->cap == 0 || key == NULL)
        return NULL;
    size_t mask = t->cap - 1;
    for (size_t i = pyagent_count_hash(key, t->cap);; i = (i + 1) & mask) {
        if (t->slots[i].key == key)
            return &t->slots[i];
        if (t->slots[i].key == NULL)
            return NULL;
    }
}
