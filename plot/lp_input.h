/* lp_input: the bytes of one log file, as blocks of whole lines.
 *
 * Design: gzip is recognised by its magic bytes, never by the name.  A
 * producer thread reads the file (a regular file or a pipe) with read(2),
 * inflating it when it is gzip, into a ring of LP_INPUT_BLOCK-byte buffers
 * while the caller parses the previous one, so reading costs
 * max(read + inflate, parse) rather than their sum.  Memory stays a few
 * blocks whatever the size of the file, and a file truncated while it is
 * read (logrotate's copytruncate) just ends early, where a mapping of it
 * would have raised SIGBUS.  The gzip CRC check runs on the caller's side,
 * which has time to spare (lp_input_next computes it over each block it
 * hands out).
 *
 * Every block but the last ends with '\n', except where one line is longer
 * than a block: it is handed out in block-sized pieces, so a block that
 * does not end in '\n' is followed by the rest of its line (lp_read skips
 * such a line as one bad line).  A damaged or truncated gzip stream is not
 * an error: the data before the damage is delivered and lp_input_damage()
 * says what happened.  Errors are: a file that cannot be opened or read,
 * one that is neither a regular file nor a pipe (a directory, /dev/zero),
 * and gzip data that expands more than max_ratio times (a gzip bomb). */
#ifndef LP_INPUT_H
#define LP_INPUT_H

#include <stdbool.h>
#include <stddef.h>

#include "lp_error.h"

/* The sizes below can be given at compile time: tests/fuzz builds the
 * reader with small ones, so that inputs of a few KB cross blocks, raw
 * chunks and the point where the gzip ratio is judged. */
#ifndef LP_INPUT_BLOCK
#define LP_INPUT_BLOCK ((size_t)8 << 20)    /* text per block; the longest line */
#endif
#ifndef LP_INPUT_RAW_CHUNK
#define LP_INPUT_RAW_CHUNK ((size_t)1 << 20) /* gzip bytes read at a time */
#endif

/* The gzip bomb limit.  Real logs expand at most ~140 times: a quiescent
 * process whose every snapshot repeats the one before but for its #START
 * line (measured for 1 to 5,000 types, gzip -6 and -9); deflate's limit is
 * 1,032.  500 leaves real logs 3.5 times the room and stops zeros (1,030)
 * or a short line repeated (600+) after LP_INPUT_RATIO_FROM bytes of text:
 * the ratio is judged from there on, so that a small file is never judged
 * on its first bytes. */
#define LP_INPUT_MAX_RATIO 500.0
#ifndef LP_INPUT_RATIO_FROM
#define LP_INPUT_RATIO_FROM ((size_t)16 << 20)
#endif

typedef struct lp_input lp_input;

/* Open path for reading; gzip data may expand at most max_ratio times
 * (0: no limit).  NULL with err set ("PATH: reason") on failure. */
lp_input *lp_input_open(const char *path, double max_ratio, lp_error *err);

/* The next block: 1 with *data and *len set (valid until the next call or
 * close), 0 at the end, -1 on a read error or a gzip bomb (err set, naming
 * the file). */
int lp_input_next(lp_input *in, const char **data, size_t *len, lp_error *err);

/* NULL, or a message when the gzip stream was damaged or cut short. */
const char *lp_input_damage(const lp_input *in);

/* True when the file was gzip-compressed. */
bool lp_input_is_gzip(const lp_input *in);

/* Release everything; accepts NULL. */
void lp_input_close(lp_input *in);

#endif
