/* lp_input: the bytes of one log file, as blocks of whole lines.
 *
 * Design: gzip is recognised by its magic bytes, never by the name.  A
 * plain file is mapped (mmap) and handed over as one block, so the parser
 * reads the page cache directly.  A gzip file is mapped too and inflated
 * by a producer thread into a ring of large buffers while the caller
 * parses the previous one, so reading costs max(inflate, parse) rather
 * than their sum; the CRC check runs on the caller's side, which has time
 * to spare (lp_input_next computes it over each block it hands out).  Every
 * block but the last ends with '\n'; the last may end in a truncated line.
 * A damaged or truncated gzip stream is not an error: the data before the
 * damage is delivered and lp_input_damage() says what happened. */
#ifndef LP_INPUT_H
#define LP_INPUT_H

#include <stdbool.h>
#include <stddef.h>

#include "lp_error.h"

typedef struct lp_input lp_input;

/* Open path for reading.  NULL with err set ("PATH: reason") on failure. */
lp_input *lp_input_open(const char *path, lp_error *err);

/* The next block: 1 with *data and *len set (valid until the next call or
 * close), 0 at the end, -1 on a read error (err set). */
int lp_input_next(lp_input *in, const char **data, size_t *len, lp_error *err);

/* NULL, or a message when the gzip stream was damaged or cut short. */
const char *lp_input_damage(const lp_input *in);

/* True when the file was gzip-compressed. */
bool lp_input_is_gzip(const lp_input *in);

/* Release everything; accepts NULL. */
void lp_input_close(lp_input *in);

#endif
