/* replay: runs a fuzz target's LLVMFuzzerTestOneInput over files, without
 * libFuzzer.  tests/fuzz/fuzz.mk links it with each target, built by gcc
 * (tests/obj/fuzz_replay_TARGET), and `make check` runs it without
 * arguments: it then replays the target's seed corpus and every saved
 * crash, SOURCE_DIR/tests/fuzz/seeds/TARGET and .../regress/TARGET, so a
 * bug the fuzzer once found stays fixed.  Arguments, when given, are the
 * files or directories to replay instead (a fresh crash-<sha1>, say).
 *
 * An input that crashes kills the process; so that the failure names it,
 * a handler for the fatal signals (when nothing else handles them) and
 * the sanitizers' death callback (in the hardening build) print the input
 * being run first.  An input that takes more than REPLAY_SECONDS (libFuzzer's
 * -timeout in run_fuzz.sh) is killed by SIGALRM the same way: a slow input
 * once fixed must stay fast.  Directories are read in name order, not
 * recursively. */
#include <dirent.h>
#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "fuzz.h"

#ifndef SOURCE_DIR
#define SOURCE_DIR "."
#endif
#ifndef REPLAY_TARGET
#define REPLAY_TARGET "cfg"
#endif
#define REPLAY_SECONDS 10
#define STRINGIFY(x) #x
#define SECONDS_TEXT(x) STRINGIFY(x)

/* The sanitizer runtimes define it; in a plain build it is NULL. */
void __sanitizer_set_death_callback(void (*callback)(void)) __attribute__((weak));

static char current[4096];    /* the input being run, for the death notes */

static void say_current(void)
{
    if (current[0] == '\0')
        return;
    /* write(): safe in a signal handler, unlike stdio. */
    static const char what[] = "replay: the input that failed: ";
    ssize_t ignored = write(2, what, sizeof what - 1);
    ignored = write(2, current, strlen(current));
    ignored = write(2, "\n", 1);
    (void)ignored;
}

static void on_fatal_signal(int sig)
{
    static const char slow[] = "replay: more than " SECONDS_TEXT(REPLAY_SECONDS) " s on one input\n";
    if (sig == SIGALRM) {
        ssize_t ignored = write(2, slow, sizeof slow - 1);
        (void)ignored;
    }
    say_current();
    signal(sig, SIG_DFL);
    raise(sig);
}

static void catch_fatal_signals(void)
{
    static const int sigs[] = {SIGSEGV, SIGBUS, SIGFPE, SIGILL, SIGABRT, SIGALRM};
    for (size_t i = 0; i < sizeof sigs / sizeof sigs[0]; i++) {
        struct sigaction old;
        if (sigaction(sigs[i], NULL, &old) == 0 && old.sa_handler == SIG_DFL &&
            !(old.sa_flags & SA_SIGINFO))
            signal(sigs[i], on_fatal_signal);
    }
    if (__sanitizer_set_death_callback != NULL)
        __sanitizer_set_death_callback(say_current);
}

/* Run one regular file through the target, in a buffer of exactly its size
 * as libFuzzer hands them (so an overread shows).  0, or -1 if it cannot be
 * read. */
static int replay_file(const char *path, size_t size)
{
    FILE *f = fopen(path, "rb");
    unsigned char *data = malloc(size ? size : 1);
    int rc = -1;
    if (f == NULL || data == NULL || fread(data, 1, size, f) != size) {
        fprintf(stderr, "replay: %s: cannot read it\n", path);
        goto out;
    }
    snprintf(current, sizeof current, "%s", path);
    alarm(REPLAY_SECONDS);
    LLVMFuzzerTestOneInput(data, size);
    alarm(0);
    current[0] = '\0';
    rc = 0;
out:
    free(data);
    if (f != NULL)
        fclose(f);
    return rc;
}

static int cmp_names(const void *a, const void *b)
{
    return strcmp(*(char *const *)a, *(char *const *)b);
}

/* Replay path (a file, or every file in a directory); adds to *count.
 * 0, or -1 on an unreadable path (a missing one is fine if optional). */
static int replay_path(const char *path, int optional, size_t *count)
{
    struct stat st;
    if (stat(path, &st) != 0) {
        if (optional && errno == ENOENT)
            return 0;
        fprintf(stderr, "replay: %s: %s\n", path, strerror(errno));
        return -1;
    }
    if (!S_ISDIR(st.st_mode)) {
        *count += 1;
        return replay_file(path, (size_t)st.st_size);
    }
    struct dirent **names;
    int n = scandir(path, &names, NULL, NULL);
    if (n < 0) {
        fprintf(stderr, "replay: %s: %s\n", path, strerror(errno));
        return -1;
    }
    qsort(names, (size_t)n, sizeof *names, cmp_names);
    int rc = 0;
    for (int i = 0; i < n; i++) {
        char file[4096];
        snprintf(file, sizeof file, "%s/%s", path, names[i]->d_name);
        if (names[i]->d_name[0] != '.' && stat(file, &st) == 0 && S_ISREG(st.st_mode)) {
            *count += 1;
            if (replay_file(file, (size_t)st.st_size) != 0)
                rc = -1;
        }
        free(names[i]);
    }
    free(names);
    return rc;
}

int main(int argc, char **argv)
{
    size_t count = 0;
    int rc = 0;
    catch_fatal_signals();
    if (argc > 1) {
        for (int i = 1; i < argc; i++)
            rc |= replay_path(argv[i], 0, &count);
    } else {
        rc |= replay_path(SOURCE_DIR "/tests/fuzz/seeds/" REPLAY_TARGET, 0, &count);
        rc |= replay_path(SOURCE_DIR "/tests/fuzz/regress/" REPLAY_TARGET, 1, &count);
    }
    if (rc == 0 && count > 0)
        printf("replay %s: %zu input%s, none failed\n", REPLAY_TARGET, count,
               count == 1 ? "" : "s");
    else
        printf("replay %s: %s\n", REPLAY_TARGET, count ? "unreadable inputs" : "no input found");
    return rc != 0 || count == 0;
}
