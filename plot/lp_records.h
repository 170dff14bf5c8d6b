/* lp_records: the lines of a snapshot that say what its growth is made of
 * (DESIGN.md, "Why it grows"), each parsed into the series it feeds.
 *
 *   #REFS <type> <references> <bytes>    untracked objects by type, reached
 *                                        from tracked ones: "<type> refs"
 *   #BYTES <type> <bytes>                shallow bytes of a type's tracked
 *                                        objects: "<type> bytes"
 *   #LEN <type> <id> <length> <holder>   one of the largest containers:
 *                                        "<type> <holder> len" (the id
 *                                        stands in for an unknown holder)
 *   #EXACT <type> <net>                  exact mode (3.13+): objects made
 *                                        minus destroyed since it began,
 *                                        may be negative: "<type> exact"
 *   #GONE <label> <survivors>            leakagent.expect_gone: objects of
 *                                        the label found alive after their
 *                                        delay, so far: "<label> survived
 *                                        expect_gone"; fields after it are
 *                                        ignored (room to grow)
 *
 * They begin with '#', so readers that predate them skip them as comments.
 * Parsing only: the reader puts the values into its store.  #CHAIN, the
 * referrer chains, is lp_chain.h's. */
#ifndef LP_RECORDS_H
#define LP_RECORDS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

typedef enum lp_record_kind {
    LP_RECORD_NONE = 0,     /* not one of these: a comment */
    LP_RECORD_REFS,
    LP_RECORD_BYTES,
    LP_RECORD_LEN,
    LP_RECORD_EXACT,
    LP_RECORD_GONE,
} lp_record_kind;

typedef struct lp_record {
    lp_record_kind kind;
    const char *type;           /* into the line; not NUL-terminated */
    size_t type_len;
    const char *holder;         /* LEN: who holds it, or its id if unknown */
    size_t holder_len;
    uint64_t value;             /* REFS: references; BYTES: bytes; LEN: length;
                                   GONE: survivors (type: the label) */
    int64_t net;                /* EXACT: made minus destroyed */
    uint64_t bytes;             /* REFS: their bytes */
} lp_record;

/* Parse the line [p, e) (no line end; p at its '#').  Returns the kind
 * (LP_RECORD_NONE for any other comment), or -1 for a line that names one
 * of these records but is damaged (a bad line to the reader). */
int lp_record_parse(const char *p, const char *e, lp_record *out);

/* The decimal count [f, f + len): up to 19 digits, no sign (so no
 * overflow).  False when it is not one. */
bool lp_record_count(const char *f, size_t len, uint64_t *out);

/* The series name of a record, "<type> refs", "<type> bytes", "<type>
 * <holder> len", "<type> exact" or "<label> survived expect_gone", into out (size bytes, NUL-terminated).  Returns its length,
 * or 0 when it does not fit. */
size_t lp_record_series_name(const lp_record *r, char *out, size_t size);

#endif
