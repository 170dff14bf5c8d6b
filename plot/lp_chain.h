/* lp_chain: one referrer chain, the agent's answer to "who holds it"
 * (DESIGN.md, "Why it grows"; the record is fixed in the agent/leakplot
 * contract, /work/notes/chain_format.md):
 *
 *   #CHAIN <type> <why> <k>/<n> <root> [<hop> ...]
 *   hop:  <holder-type>@0x<address>:<edge>      from the instance outward
 *   root: global:<module>.<NAME> | class:<module>.<Class>.<attr> |
 *         frame:<thread>:<function>:<variable> | external:<excess> |
 *         depth | unknown
 *
 * This module parses the record (lp_chain_parse, a view into the line),
 * keeps a parsed chain as one owned block (lp_chain_copy), and says it in
 * words:
 *
 *   held by: <holder-type><edge> <- ... <- <root in words>
 *
 * roots as "module.NAME", "module.Class.attr", "thread T in f() local v",
 * "held only from outside the collector (+N refs)", "(depth limit)",
 * "(no referrer found)"; a plain container (list, dict, set, tuple,
 * deque...) held directly by a global or class root is folded into it:
 * "__main__.LEAKY_REGISTRY[<int>]".  lp_chain_fit cuts such a text to a
 * number of columns around an ellipsis, keeping the start (the nearest
 * holder) and more of the end (the root).  Pure functions, no I/O. */
#ifndef LP_CHAIN_H
#define LP_CHAIN_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define LP_CHAIN_MAX_HOPS 64        /* longer: a damaged record (the agent's
                                       depth limit is far below) */
#define LP_CHAIN_MAX_LINE 65536     /* longest #CHAIN line read */

typedef enum lp_root_kind {
    LP_ROOT_GLOBAL,                 /* a module global */
    LP_ROOT_CLASS,                  /* a class attribute */
    LP_ROOT_FRAME,                  /* a thread's frame local */
    LP_ROOT_EXTERNAL,               /* held only from outside the collector */
    LP_ROOT_DEPTH,                  /* the climb's depth limit */
    LP_ROOT_UNKNOWN,                /* no referrer, no excess refcount */
} lp_root_kind;

/* A piece of text: not NUL-terminated in a view into a line, terminated
 * in an lp_chain. */
typedef struct lp_span {
    const char *p;
    size_t len;
} lp_span;

typedef struct lp_hop {
    lp_span type, address, edge;    /* address with its "0x" */
} lp_hop;

typedef struct lp_chain {
    lp_span type;                   /* the instances' type */
    lp_span why;                    /* auto, config, explain, gone:<label> */
    uint64_t k, n;                  /* k of n sampled instances held so */
    lp_root_kind root_kind;
    lp_span root;                   /* the whole field, "global:__main__.X" */
    lp_span root_name;              /* global/class: after the ':' */
    lp_span thread, function, variable;   /* frame */
    uint64_t excess;                /* external */
    size_t n_hops;
    lp_hop *hops;                   /* from the instance outward */
} lp_chain;

/* Parse the #CHAIN line [p, e) (no line end).  Returns 1 and fills *out
 * (spans into the line; out->hops points at hops[], room for
 * LP_CHAIN_MAX_HOPS) when it is a good record; 0 when the line is not a
 * #CHAIN record; -1 when it is one but damaged: a field missing, k/n not
 * two counts with 0 < n and k <= n, an unknown or empty root, more than
 * LP_CHAIN_MAX_HOPS hops.  A field after the root that is not a hop
 * ("<type>@0x<hex>:<edge>") ends the hops: it and the rest are ignored, as
 * the contract asks of extra trailing fields (room for the record to
 * grow). */
int lp_chain_parse(const char *p, const char *e, lp_chain *out, lp_hop *hops);

/* A copy of c in one malloc'd block (every span NUL-terminated inside
 * it), or NULL when out of memory.  Free with free(). */
lp_chain *lp_chain_copy(const lp_chain *c);

/* Whether a and b are the same chain: same type, same root, same hops'
 * types and edges (addresses aside: the same path through other objects of
 * the same types is the same answer), and both or neither from
 * expect_gone with the same label. */
bool lp_chain_same(const lp_chain *a, const lp_chain *b);

/* The label of an expect_gone chain (why = "gone:<label>"); false for
 * any other why. */
bool lp_chain_gone_label(const lp_chain *c, lp_span *label);

/* Whether hop h of c is folded into the root when said in words. */
bool lp_chain_folds(const lp_chain *c, size_t h);

/* The root in words ("__main__.BROKER", "thread MainThread in serve()
 * local conn", ...), folded hop included, into out (size bytes,
 * NUL-terminated, cut to fit).  Returns out.  Bytes are copied as the log
 * has them: the caller cleans them for where they go. */
char *lp_chain_root_text(char *out, size_t size, const lp_chain *c);

/* "held by: <hop> <- ... <- <root>" whole, malloc'd, or NULL when out of
 * memory.  Free with free(). */
char *lp_chain_text(const lp_chain *c);

/* text (UTF-8, cleaned: lp_text_clean) cut to at most max_cols code
 * points into out (size bytes): when longer, its first ~third and last
 * ~two thirds around "…"; never a code point cut in two.  Returns out. */
char *lp_chain_fit(char *out, size_t size, const char *text, size_t max_cols);

#endif
