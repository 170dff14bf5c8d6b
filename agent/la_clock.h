/* la_clock: the clock of libleakagent, as a struct of functions, so that
 * tests give the sampler and the log a fake one (time that moves only when
 * the test says) instead of sleeping through real timeouts.
 *
 * The sampler waits on a condition variable until its next tick; the log
 * polls a file lock until its deadline, napping in between.  Both read
 * monotonic time, which a wall-clock jump (NTP, DST) does not move. */
#ifndef LA_CLOCK_H
#define LA_CLOCK_H

#include <pthread.h>
#include <stdint.h>

typedef struct la_clock {
    void *ud;
    double (*wall)(void *ud);         /* unix seconds, for #START lines */
    int64_t (*mono_ns)(void *ud);     /* monotonic nanoseconds */
    /* Wait on cv (mu held, as pthread_cond_timedwait) until mono_ns() reaches
     * deadline_ns or cv is signalled; spurious returns are fine. */
    void (*wait_until)(void *ud, pthread_cond_t *cv, pthread_mutex_t *mu,
                       int64_t deadline_ns);
    /* Sleep about ns nanoseconds (between two tries at a lock); a signal
     * may end it early.  NULL: a real nanosleep. */
    void (*nap)(void *ud, int64_t ns);
} la_clock;

/* The real clock: CLOCK_REALTIME, CLOCK_MONOTONIC, pthread_cond_timedwait on
 * a CLOCK_MONOTONIC condition variable, nanosleep. */
extern const la_clock la_real_clock;

/* clock->nap, or a real sleep when it has none. */
void la_clock_nap(const la_clock *clock, int64_t ns);

#endif
