/* lp_chains: per run and type sets of referrer chains (lp_chains.h). */
#include "lp_chains.h"

#include <stdlib.h>
#include <string.h>

#include "lp_array.h"

lp_chains *lp_chains_new(void)
{
    lp_chains *cs = calloc(1, sizeof *cs);
    if (cs == NULL)
        return NULL;
    cs->n_slots = 64;
    cs->slots = calloc(cs->n_slots, sizeof *cs->slots);
    if (cs->slots == NULL) {
        free(cs);
        return NULL;
    }
    return cs;
}

void lp_chains_free(lp_chains *cs)
{
    if (cs == NULL)
        return;
    for (size_t i = 0; i < cs->n_sets; i++) {
        for (size_t k = 0; k < cs->sets[i].n; k++)
            free(cs->sets[i].items[k].chain);
        free(cs->sets[i].key);
    }
    free(cs->sets);
    free(cs->slots);
    free(cs);
}

static uint64_t key_hash(uint32_t run, bool gone, const char *key, size_t len)
{
    return lp_series_hash(key, len) ^ ((uint64_t)run * 0x9E3779B97F4A7C15ULL) ^ gone;
}

/* The slot of (run, gone, key), or the empty slot where it would go. */
static uint32_t *find_slot(const lp_chains *cs, uint32_t run, bool gone, const char *key,
                           size_t len, uint64_t h)
{
    size_t mask = cs->n_slots - 1;
    for (size_t j = h & mask;; j = (j + 1) & mask) {
        uint32_t *slot = &cs->slots[j];
        if (*slot == 0)
            return slot;
        const lp_chain_set *set = &cs->sets[*slot - 1];
        if (set->hash == h && set->run == run && set->gone == gone && set->key_len == len &&
            memcmp(set->key, key, len) == 0)
            return slot;
    }
}

static int rehash(lp_chains *cs, lp_error *err)
{
    size_t n = cs->n_slots * 2;
    uint32_t *slots = calloc(n, sizeof *slots);
    if (slots == NULL)
        return lp_error_set(err, "out of memory (chains)");
    for (size_t i = 0; i < cs->n_sets; i++) {
        size_t j = cs->sets[i].hash & (n - 1);
        while (slots[j] != 0)
            j = (j + 1) & (n - 1);
        slots[j] = (uint32_t)i + 1;
    }
    free(cs->slots);
    cs->slots = slots;
    cs->n_slots = n;
    return 0;
}

/* A new set for (run, gone, key) at *slot (empty); NULL when out of
 * memory. */
static lp_chain_set *new_set(lp_chains *cs, uint32_t *slot, uint32_t run, bool gone,
                             lp_span key, uint64_t h, lp_error *err)
{
    char *copy = malloc(key.len + 1);
    if (copy == NULL ||
        lp_array_grow((void **)&cs->sets, &cs->cap_sets, cs->n_sets + 1, sizeof *cs->sets,
                      err) != 0) {
        free(copy);
        lp_error_set(err, "out of memory (chains)");
        return NULL;
    }
    memcpy(copy, key.p, key.len);
    copy[key.len] = '\0';
    cs->sets[cs->n_sets] = (lp_chain_set){.run = run, .gone = gone, .key = copy,
                                          .key_len = key.len, .hash = h};
    *slot = (uint32_t)++cs->n_sets;
    cs->bytes += key.len + sizeof *cs->sets;
    lp_chain_set *set = &cs->sets[cs->n_sets - 1];
    if (cs->n_sets * 2 > cs->n_slots && rehash(cs, err) != 0)
        return NULL;
    return set;
}

/* Bytes a copy of c takes (as lp_chain_copy makes it). */
static size_t copy_bytes(const lp_chain *c)
{
    size_t b = sizeof *c + c->n_hops * sizeof *c->hops + c->type.len + c->why.len +
               c->root.len + 3;
    for (size_t i = 0; i < c->n_hops; i++)
        b += c->hops[i].type.len + c->hops[i].address.len + c->hops[i].edge.len + 3;
    return b;
}

/* The entry a new chain goes into: a free one, else the one seen longest
 * ago (then in the fewest snapshots). */
static lp_chain_entry *free_entry(lp_chain_set *set)
{
    if (set->n < LP_CHAINS_PER_SET)
        return &set->items[set->n++];
    lp_chain_entry *worst = &set->items[0];
    for (size_t k = 1; k < set->n; k++) {
        lp_chain_entry *e = &set->items[k];
        if (e->last_time < worst->last_time ||
            (e->last_time == worst->last_time && e->snapshots < worst->snapshots))
            worst = e;
    }
    return worst;
}

int lp_chains_add(lp_chains *cs, uint32_t run, double time, const lp_chain *c, lp_error *err)
{
    lp_span label;
    bool gone = lp_chain_gone_label(c, &label);
    lp_span key = gone ? label : c->type;
    uint64_t h = key_hash(run, gone, key.p, key.len);
    uint32_t *slot = find_slot(cs, run, gone, key.p, key.len, h);
    lp_chain_set *set = *slot ? &cs->sets[*slot - 1] : NULL;
    lp_chain_entry *e = NULL;
    for (size_t k = 0; set && k < set->n && e == NULL; k++)
        if (lp_chain_same(set->items[k].chain, c))
            e = &set->items[k];
    cs->records++;
    /* the budget, checked before anything is made: a million types of
     * chains must not make a million sets past it */
    size_t need = copy_bytes(c) + (set ? 0 : key.len + sizeof *set);
    size_t freed = e ? copy_bytes(e->chain) : 0;
    if (cs->bytes - freed + need > LP_CHAINS_MAX_BYTES) {
        cs->dropped++;
        return 0;
    }
    if (set == NULL && (set = new_set(cs, slot, run, gone, key, h, err)) == NULL)
        return -1;
    need = copy_bytes(c);
    lp_chain *copy = lp_chain_copy(c);
    if (copy == NULL)
        return lp_error_set(err, "out of memory (chains)");
    if (e == NULL) {
        e = free_entry(set);
        if (e->chain != NULL) {
            freed = copy_bytes(e->chain);
            free(e->chain);
        }
        *e = (lp_chain_entry){0};
    } else {
        free(e->chain);
    }
    cs->bytes = cs->bytes - freed + need;
    e->snapshots += e->last_time != time || e->snapshots == 0;
    e->last_time = time;
    e->chain = copy;
    return 0;
}

/* ---- finding them again ---------------------------------------------------- */

/* The key series col looks its chains up by (see lp_chains.h); false for
 * a series that shows none. */
static bool series_key(const lp_column *col, bool *gone, lp_span *key)
{
    *gone = col->kind == LP_GONE;
    /* A container's length names its holder already; the chains of its
     * type are those of other containers of that type. */
    if (col->kind == LP_GAUGE || col->kind == LP_LEN)
        return false;
    const char *space = memchr(col->name, ' ', col->name_len);
    size_t len = col->kind == LP_TYPE || space == NULL ? col->name_len
                                                       : (size_t)(space - col->name);
    *key = (lp_span){col->name, len};
    return len > 0;
}

static const lp_chain_set *lookup(const lp_chains *cs, uint32_t run, bool gone, lp_span key)
{
    uint64_t h = key_hash(run, gone, key.p, key.len);
    const uint32_t *slot = find_slot(cs, run, gone, key.p, key.len, h);
    return *slot ? &cs->sets[*slot - 1] : NULL;
}

static double newest(const lp_chain_set *set)
{
    double t = -1e300;
    for (size_t k = 0; k < set->n; k++)
        t = set->items[k].last_time > t ? set->items[k].last_time : t;
    return t;
}

static size_t said_hops(const lp_chain *c)
{
    size_t n = 0;
    for (size_t i = 0; i < c->n_hops; i++)
        n += !lp_chain_folds(c, i);
    return n;
}

/* Best first (lp_chains.h): reached a root, fewer hops, larger share,
 * seen later. */
static int cmp_entry(const void *pa, const void *pb)
{
    const lp_chain_entry *a = *(const lp_chain_entry *const *)pa;
    const lp_chain_entry *b = *(const lp_chain_entry *const *)pb;
    bool ra = a->chain->root_kind < LP_ROOT_DEPTH, rb = b->chain->root_kind < LP_ROOT_DEPTH;
    if (ra != rb)
        return ra ? -1 : 1;
    size_t ha = said_hops(a->chain), hb = said_hops(b->chain);
    if (ha != hb)
        return ha < hb ? -1 : 1;
    /* k/n compared as ka * nb against kb * na (n > 0; both below 2^64,
     * so in long double without overflow) */
    long double sa = (long double)a->chain->k * b->chain->n;
    long double sb = (long double)b->chain->k * a->chain->n;
    if (sa != sb)
        return sa > sb ? -1 : 1;
    if (a->last_time != b->last_time)
        return a->last_time > b->last_time ? -1 : 1;
    return 0;
}

size_t lp_chains_for(const lp_chains *cs, const lp_series_store *s, size_t col, size_t run,
                     const lp_chain_entry **out, size_t max)
{
    bool gone;
    lp_span key;
    if (cs == NULL || cs->n_sets == 0 || max == 0 || !series_key(&s->cols[col], &gone, &key))
        return 0;
    const lp_chain_set *set = lookup(cs, (uint32_t)run, gone, key);
    if (set == NULL && s->group_runs != NULL) {
        uint32_t g = s->runs[run].group;
        for (size_t k = s->group_start[g]; k < s->group_start[g + 1]; k++) {
            const lp_chain_set *other = lookup(cs, (uint32_t)s->group_runs[k], gone, key);
            if (other && (set == NULL || newest(other) > newest(set)))
                set = other;
        }
    }
    if (set == NULL)
        return 0;
    const lp_chain_entry *all[LP_CHAINS_PER_SET];
    for (size_t k = 0; k < set->n; k++)
        all[k] = &set->items[k];
    qsort(all, set->n, sizeof all[0], cmp_entry);
    size_t n = set->n < max ? set->n : max;
    memcpy(out, all, n * sizeof *out);
    return n;
}
