/* lp_chains: the referrer chains a log recorded (#CHAIN, lp_chain.h), kept
 * per process run and type, and found again for a series.
 *
 * Design: a *set* per (run, type), or per (run, expect_gone label) for
 * the chains of expect_gone survivors (why "gone:<label>"), in a hash
 * table.  A set keeps at most LP_CHAINS_PER_SET distinct chains
 * (lp_chain_same: same root, same hop types and edges): a chain the agent
 * writes again in a later snapshot replaces its copy (newest k/n,
 * addresses and why) and counts one more snapshot; a new one, when the set
 * is full, takes the place of the one seen longest ago (then the one seen
 * in the fewest snapshots).  All sets together hold at most
 * LP_CHAINS_MAX_BYTES of copies; past that, records of chains not kept
 * yet are counted in `dropped` and left out, so a huge or hostile log
 * costs bounded memory.
 *
 * Which chains a series shows (lp_chains_for): a type's count ("app.X")
 * shows its type's; a series made from a type's records ("str refs",
 * "dict bytes", "int exact") the chains recorded for that type, its first
 * word; "<label> survived expect_gone" the chains of that label's
 * survivors; a gauge and a container's length ("list app.REGISTRY len",
 * whose name says its holder) none.  The series' own run
 * first; when it has none, the run of the same process (a restart before)
 * whose chains are newest.  Best first: a chain that reached a root
 * (not the depth limit, not "no referrer") before one that did not, then
 * fewer hops said, then a larger share k/n, then seen later.
 *
 * Not thread-safe: filled by the reader, then read-only. */
#ifndef LP_CHAINS_H
#define LP_CHAINS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "lp_chain.h"
#include "lp_error.h"
#include "lp_series.h"

#define LP_CHAINS_PER_SET 8
#define LP_CHAINS_MAX_BYTES ((size_t)16 << 20)    /* ~16,000 chains: a real
                                                   log's distinct ones, many times */

typedef struct lp_chain_entry {
    lp_chain *chain;            /* owned copy */
    double last_time;           /* the newest snapshot it was in */
    size_t snapshots;           /* snapshots it was in */
} lp_chain_entry;

typedef struct lp_chain_set {
    uint32_t run;
    bool gone;                  /* key is an expect_gone label, else a type */
    char *key;                  /* owned, NUL-terminated */
    size_t key_len;
    uint64_t hash;
    lp_chain_entry items[LP_CHAINS_PER_SET];
    size_t n;
} lp_chain_set;

typedef struct lp_chains {
    lp_chain_set *sets;
    size_t n_sets, cap_sets;
    uint32_t *slots;            /* set index + 1, 0 = empty; a power of two */
    size_t n_slots;
    size_t bytes;               /* held by chain copies */
    size_t records;             /* records added */
    size_t dropped;             /* records left out (LP_CHAINS_MAX_BYTES) */
} lp_chains;

/* An empty store, or NULL when out of memory.  lp_chains_free accepts
 * NULL. */
lp_chains *lp_chains_new(void);
void lp_chains_free(lp_chains *cs);

/* Add chain c (a view, copied as needed) read in a snapshot at `time` of
 * run `run`.  0, or -1 with err set when out of memory. */
int lp_chains_add(lp_chains *cs, uint32_t run, double time, const lp_chain *c, lp_error *err);

/* The chains series col of run shows (see above), best first: up to max
 * into out (borrowed from cs; cs may be NULL).  Returns how many. */
size_t lp_chains_for(const lp_chains *cs, const lp_series_store *s, size_t col, size_t run,
                     const lp_chain_entry **out, size_t max);

#endif
