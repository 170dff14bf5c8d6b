/* logfmt: the text of log format version 1 (DESIGN.md, "Log format").
 *
 * Pure functions from a header description or a snapshot to bytes appended
 * to a growable buffer; no I/O.  Names are sanitised here (whitespace and
 * control characters become '_') so that every line parses back. */
#ifndef LA_LOGFMT_H
#define LA_LOGFMT_H

#include <stddef.h>
#include <stdint.h>

#include "snap.h"

/* A growable byte buffer; zero-initialise, free with logfmt_buf_free. */
typedef struct logfmt_buf {
    char *data;
    size_t len, cap;
} logfmt_buf;

void logfmt_buf_free(logfmt_buf *b);
int logfmt_buf_append(logfmt_buf *b, const char *data, size_t len);
int logfmt_buf_printf(logfmt_buf *b, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));

typedef struct logfmt_header {
    long pid;
    const char *host;       /* NULL: omitted */
    const char *program;    /* NULL: omitted */
    const char *extra;      /* preformatted "key=value ..." or NULL */
    uint64_t interval_ms;
    double start;           /* the process's start, unix seconds; <= 0: omitted */
} logfmt_header;

/* Append "# leakagent 1 pid=.. host=.. program=.. [extra] interval=..
 * [start=..]\n".  start tells a restart that kept its pid (a container's
 * pid 1) from the same process writing its header again after a rotation;
 * it comes last, an unknown key that older readers skip. */
int logfmt_append_header(logfmt_buf *b, const logfmt_header *h);

/* Append "#START <time> pid=<pid> gauges...\n", then "name count\n" lines in
 * the snapshot's order, then its detail records (snap.h), each a line that
 * begins with '#' so that readers of counts skip it:
 *   #REFS <type> <references> <bytes>
 *   #BYTES <type> <bytes>
 *   #LEN <type> 0x<address> <length> <holder>    holder "-" if unnamed
 *   #EXACT <type> <created minus destroyed>       may be negative
 *   #CHAIN <type> <why> <k>/<n> <root> [<hop>...]  chain_format.md
 *   #GONE <label> <survivors>                     expect_gone, cumulative */
int logfmt_append_snapshot(logfmt_buf *b, const snapshot *s);

/* Write a gauge/number: integral values without decimals, others with up to
 * three.  Returns the length written into out (size >= 32). */
int logfmt_number(char *out, size_t size, double v);

/* Copy name into out replacing whitespace/control characters by '_' and an
 * empty name by "_".  Returns the bytes appended, -1 on out of memory. */
int logfmt_append_name(logfmt_buf *b, const char *name);

#endif
