/* fuzz.h: the entry point every fuzz target defines (libFuzzer's), declared
 * once so the targets, built by clang with libFuzzer, and the replay driver
 * (tests/fuzz/replay.c), built by gcc without it, agree and compile under
 * -Wmissing-prototypes. */
#ifndef FUZZ_H
#define FUZZ_H

#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>

/* Run one input; returns 0.  A bug shows as a crash, a sanitizer report or
 * an abort() from a broken promise (fuzz_broken). */
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* A promise of the code under test is broken: say which, then abort(), which
 * libFuzzer and the replay driver report as a crash of this input. */
__attribute__((noreturn, format(printf, 2, 3)))
static inline void fuzz_broken(const char *target, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    fprintf(stderr, "%s: broken promise: ", target);
    vfprintf(stderr, fmt, ap);
    fputc('\n', stderr);
    va_end(ap);
    abort();
}

#endif
