/* chain_pick: the auto rule and the pass schedule (see chain_pick.h).
 *
 * The table is open-addressed on a string hash, plain malloc; each slot
 * keeps its counts in a ring (the newest at `head`) and the snapshot
 * number it was last counted in, so that a type absent from a snapshot
 * counts zero there without touching every slot each time. */
#include "chain_pick.h"

#include <fnmatch.h>
#include <stdlib.h>
#include <string.h>

typedef struct pick_slot {
    char *name;             /* NULL: empty */
    uint64_t counts[CHAIN_PICK_WINDOW];
    unsigned head;          /* ring index of the newest count */
    uint64_t seen;          /* snapshot number of the newest count */
    uint64_t n_counts;      /* counts recorded (up to the window) */
    uint64_t last_pass_ms;
    bool passed;
} pick_slot;

struct chain_pick {
    pick_slot *slots;
    size_t cap, used;       /* cap a power of two */
    uint64_t snapshot_no;   /* snapshots fed */
    uint64_t last_pass_no;  /* snapshot of the last pass; 0: none yet */
    bool auto_on;
    char **patterns;
    size_t n_patterns;
    uint64_t period_ms;
    unsigned every;
};

static uint64_t hash_name(const char *s)
{
    uint64_t h = 1469598103934665603ULL;    /* FNV-1a */
    for (; *s; s++)
        h = (h ^ (unsigned char)*s) * 1099511628211ULL;
    return h;
}

chain_pick *chain_pick_new(const cfg_config *cfg)
{
    chain_pick *p = calloc(1, sizeof *p);
    if (p == NULL)
        return NULL;
    p->cap = 1024;
    p->slots = calloc(p->cap, sizeof *p->slots);
    p->patterns = calloc(cfg->chains_types.count + 1, sizeof *p->patterns);
    if (p->slots == NULL || p->patterns == NULL)
        goto fail;
    for (size_t i = 0; i < cfg->chains_types.count; i++) {
        const char *item = cfg->chains_types.items[i];
        if (strcmp(item, "auto") == 0) {
            p->auto_on = true;
        } else if (strcmp(item, "off") != 0) {
            if ((p->patterns[p->n_patterns] = strdup(item)) == NULL)
                goto fail;
            p->n_patterns++;
        }
    }
    p->period_ms = cfg->chains_period_ms;
    p->every = cfg->chains_every ? cfg->chains_every : 1;
    return p;
fail:
    chain_pick_free(p);
    return NULL;
}

void chain_pick_free(chain_pick *p)
{
    if (p == NULL)
        return;
    for (size_t i = 0; p->slots && i < p->cap; i++)
        free(p->slots[i].name);
    for (size_t i = 0; i < p->n_patterns; i++)
        free(p->patterns[i]);
    free(p->patterns);
    free(p->slots);
    free(p);
}

/* The slot of name, or an empty one where it would go. */
static pick_slot *lookup(pick_slot *slots, size_t cap, const char *name)
{
    size_t i = (size_t)hash_name(name) & (cap - 1);
    while (slots[i].name != NULL && strcmp(slots[i].name, name) != 0)
        i = (i + 1) & (cap - 1);
    return &slots[i];
}

/* Double the table.  0 or -1 (unchanged). */
static int grow(chain_pick *p)
{
    size_t cap = p->cap * 2;
    pick_slot *slots = calloc(cap, sizeof *slots);
    if (slots == NULL)
        return -1;
    for (size_t i = 0; i < p->cap; i++)
        if (p->slots[i].name != NULL)
            *lookup(slots, cap, p->slots[i].name) = p->slots[i];
    free(p->slots);
    p->slots = slots;
    p->cap = cap;
    return 0;
}

/* Advance a slot's ring to snapshot `no`, zeros for the snapshots it was
 * absent from. */
static void advance(pick_slot *s, uint64_t no)
{
    uint64_t gap = no - s->seen;
    for (uint64_t k = 0; k < gap && k < CHAIN_PICK_WINDOW; k++) {
        s->head = (s->head + 1) % CHAIN_PICK_WINDOW;
        s->counts[s->head] = 0;
        if (s->n_counts < CHAIN_PICK_WINDOW)
            s->n_counts++;
    }
    s->seen = no;
}

/* Add count to name's newest value in snapshot p->snapshot_no. */
static int feed(chain_pick *p, const char *name, uint64_t count)
{
    pick_slot *s = lookup(p->slots, p->cap, name);
    if (s->name == NULL) {
        if (p->used >= CHAIN_PICK_MAX_NAMES)
            return 0;
        if ((p->used + 1) * 2 > p->cap) {
            if (grow(p) != 0)
                return -1;
            s = lookup(p->slots, p->cap, name);
        }
        if ((s->name = strdup(name)) == NULL)
            return -1;
        p->used++;
        s->seen = p->snapshot_no - 1;
    }
    if (s->seen != p->snapshot_no)
        advance(s, p->snapshot_no);
    s->counts[s->head] += count;
    return 0;
}

/* The rise over the window if the type grew at every step of it, else 0. */
static uint64_t growing_by(const pick_slot *s)
{
    if (s->n_counts < CHAIN_PICK_WINDOW)
        return 0;
    unsigned oldest = (s->head + 1) % CHAIN_PICK_WINDOW;
    for (unsigned k = 0; k + 1 < CHAIN_PICK_WINDOW; k++) {
        unsigned a = (oldest + k) % CHAIN_PICK_WINDOW, b = (a + 1) % CHAIN_PICK_WINDOW;
        if (s->counts[b] <= s->counts[a])
            return 0;
    }
    uint64_t first = s->counts[oldest], rise = s->counts[s->head] - first;
    if (rise < CHAIN_PICK_MIN_RISE || rise * 100 < first)
        return 0;
    return rise;
}

static bool matches(const chain_pick *p, const char *name)
{
    for (size_t i = 0; i < p->n_patterns; i++)
        if (fnmatch(p->patterns[i], name, 0) == 0)
            return true;
    return false;
}

/* Insert (slot, rise) into the best CHAIN_PICK_MAX, fastest first. */
static void keep_best(pick_slot **best, uint64_t *rises, int *n, pick_slot *s, uint64_t rise)
{
    int i = *n < CHAIN_PICK_MAX ? (*n)++ : CHAIN_PICK_MAX;
    if (i == CHAIN_PICK_MAX) {
        if (rise <= rises[CHAIN_PICK_MAX - 1])
            return;
        i = CHAIN_PICK_MAX - 1;
    }
    while (i > 0 && rises[i - 1] < rise) {
        best[i] = best[i - 1];
        rises[i] = rises[i - 1];
        i--;
    }
    best[i] = s;
    rises[i] = rise;
}

int chain_pick_update(chain_pick *p, const snapshot *s, uint64_t now_ms,
                      chain_pick_choice out[CHAIN_PICK_MAX])
{
    p->snapshot_no++;
    int rc = 0;
    for (size_t i = 0; i < s->n_entries; i++)
        if (feed(p, snap_name(s, i), s->entries[i].count) != 0)
            rc = -1;
    if (rc != 0)
        return -1;
    if (p->last_pass_no != 0 && p->snapshot_no - p->last_pass_no < p->every)
        return 0;
    pick_slot *best[CHAIN_PICK_MAX];
    uint64_t rises[CHAIN_PICK_MAX];
    bool configured[CHAIN_PICK_MAX];
    int n = 0;
    for (size_t i = 0; i < p->cap; i++) {
        pick_slot *slot = &p->slots[i];
        if (slot->name == NULL || slot->seen != p->snapshot_no ||
            strncmp(slot->name, "leakagent", 9) == 0 ||
            (slot->passed && now_ms - slot->last_pass_ms < p->period_ms))
            continue;
        uint64_t rise = p->auto_on ? growing_by(slot) : 0;
        if (rise > 0)
            keep_best(best, rises, &n, slot, rise + 1);
        else if (p->n_patterns && slot->counts[slot->head] > 0 && matches(p, slot->name))
            keep_best(best, rises, &n, slot, 0);
    }
    for (int i = 0; i < n; i++) {
        configured[i] = rises[i] == 0;
        best[i]->passed = true;
        best[i]->last_pass_ms = now_ms;
        out[i] = (chain_pick_choice){.name = best[i]->name,
                                     .why = configured[i] ? "config" : "auto"};
    }
    if (n > 0)
        p->last_pass_no = p->snapshot_no;
    return n;
}

void chain_pick_forget(chain_pick *p, const char *name)
{
    pick_slot *s = lookup(p->slots, p->cap, name);
    if (s->name != NULL)
        s->passed = false;
}
