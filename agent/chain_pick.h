/* chain_pick: which types get a referrer-chain pass (issue 17), decided
 * from the agent's own snapshots, in plain C.
 *
 * Each snapshot's counts (before snap_finish: equal names are summed here)
 * go into a table of type name -> the last CHAIN_PICK_WINDOW counts.  A
 * type is growing (`auto`) when its count rose at every one of the last
 * CHAIN_PICK_WINDOW - 1 snapshots and by a material amount over them (at
 * least CHAIN_PICK_MIN_RISE objects and 1%): a cache that fills and stops,
 * or a count that wobbles, is not.  A type matching chains.types' patterns
 * is due (`config`) whenever present.  A due type gets a pass if it never
 * had one or its last one is chains.period old, and no pass of any type
 * came in the last chains.every - 1 snapshots; at most CHAIN_PICK_MAX types
 * per pass, the fastest-rising first.  The agent's own types (leakagent.*)
 * are never chosen.
 *
 * Not thread-safe: one picker per sampler, used by the thread that samples. */
#ifndef LA_CHAIN_PICK_H
#define LA_CHAIN_PICK_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "cfg.h"
#include "snap.h"

#define CHAIN_PICK_WINDOW 4
#define CHAIN_PICK_MIN_RISE 16
#define CHAIN_PICK_MAX 4
/* Names the table holds at most (a new name beyond is not followed). */
#define CHAIN_PICK_MAX_NAMES 65536

typedef struct chain_pick chain_pick;

/* One type chosen for a pass: its name and why ("auto" or "config"). */
typedef struct chain_pick_choice {
    const char *name;       /* valid until the next chain_pick_update */
    const char *why;
} chain_pick_choice;

/* A picker for cfg's chains.* keys (copied).  NULL when out of memory. */
chain_pick *chain_pick_new(const cfg_config *cfg);
/* p may be NULL. */
void chain_pick_free(chain_pick *p);

/* Feed one snapshot's counts taken at now_ms (any monotonic clock), then
 * choose: up to CHAIN_PICK_MAX choices into out, marked as passed now.
 * Returns how many; -1 when out of memory (the table is then unchanged
 * for the names it could not add, nothing is chosen). */
int chain_pick_update(chain_pick *p, const snapshot *s, uint64_t now_ms,
                      chain_pick_choice out[CHAIN_PICK_MAX]);

/* Forget that a type had a pass, so that it may have one at once again
 * (its climb could not run: the picker must not wait a period). */
void chain_pick_forget(chain_pick *p, const char *name);

#endif
