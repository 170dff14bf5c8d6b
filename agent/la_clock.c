/* la_clock: the real clock (la_clock.h).  The sampler's condition variable
 * uses CLOCK_MONOTONIC, so a wall-clock jump (NTP, DST) neither stalls nor
 * hurries sampling. */
#include "la_clock.h"

#include <errno.h>
#include <time.h>

static double real_wall(void *ud)
{
    (void)ud;
    struct timespec ts;
    clock_gettime(CLOCK_REALTIME, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static int64_t real_mono_ns(void *ud)
{
    (void)ud;
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (int64_t)ts.tv_sec * 1000000000 + ts.tv_nsec;
}

static void real_wait_until(void *ud, pthread_cond_t *cv, pthread_mutex_t *mu, int64_t deadline_ns)
{
    (void)ud;
    struct timespec ts = {
        .tv_sec = (time_t)(deadline_ns / 1000000000),
        .tv_nsec = (long)(deadline_ns % 1000000000),
    };
    pthread_cond_timedwait(cv, mu, &ts);
}

static void real_nap(void *ud, int64_t ns)
{
    (void)ud;
    struct timespec ts = {.tv_sec = (time_t)(ns / 1000000000), .tv_nsec = (long)(ns % 1000000000)};
    nanosleep(&ts, NULL);
}

void la_clock_nap(const la_clock *clock, int64_t ns)
{
    (clock->nap ? clock->nap : real_nap)(clock->ud, ns);
}

const la_clock la_real_clock = {
    .ud = NULL,
    .wall = real_wall,
    .mono_ns = real_mono_ns,
    .wait_until = real_wait_until,
    .nap = real_nap,
};
