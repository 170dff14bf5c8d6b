/* test_smp: the sampler thread with a fake source and a fake clock: it
 * samples on schedule, stops promptly, survives failing writes and sources,
 * stretches its interval, serialises sample_now with the thread, works in a
 * forked child, never lets its writes kill the calling thread's process
 * (SIGXFSZ, SIGPIPE), and clears the textfile .tmp a crash left. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <signal.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "la_proc.h"
#include "smp.h"
#include "testutil.h"

/* Built with -fsanitize=thread (gcc defines __SANITIZE_THREAD__, clang has
 * __has_feature(thread_sanitizer)). */
#if defined(__SANITIZE_THREAD__)
#define TSAN_BUILD 1
#elif defined(__has_feature)
#if __has_feature(thread_sanitizer)
#define TSAN_BUILD 1
#endif
#endif
#ifndef TSAN_BUILD
#define TSAN_BUILD 0
#endif

/* ---- fake clock: time advances only when the test grants ticks -------- */

/* The test waits for the sampler's progress on a condition variable that
 * the fake source (a sample taken) and the fake clock (the thread back to
 * waiting for a tick, everything before written) signal. */
typedef struct progress {
    pthread_mutex_t mu;
    pthread_cond_t cv;
    atomic_int calls;          /* samples taken by the fake source */
    int settled;               /* samples taken when the thread last blocked */
} progress;

static void progress_signal(progress *p, bool settled)
{
    pthread_mutex_lock(&p->mu);
    if (settled)
        p->settled = atomic_load(&p->calls);
    pthread_cond_broadcast(&p->cv);
    pthread_mutex_unlock(&p->mu);
}

typedef struct fake_clock {
    atomic_llong now_ns;
    atomic_int ticks_left;     /* waits that may jump to their deadline */
    progress *progress;
} fake_clock;

static double fake_wall(void *ud)
{
    fake_clock *c = ud;
    return 1763700000.0 + (double)atomic_load(&c->now_ns) / 1e9;
}

static int64_t fake_mono(void *ud)
{
    fake_clock *c = ud;
    return atomic_load(&c->now_ns);
}

static void fake_wait_until(void *ud, pthread_cond_t *cv, pthread_mutex_t *mu, int64_t deadline)
{
    fake_clock *c = ud;
    if (atomic_load(&c->ticks_left) > 0) {
        atomic_fetch_sub(&c->ticks_left, 1);
        if (deadline > atomic_load(&c->now_ns))
            atomic_store(&c->now_ns, deadline);
        return;
    }
    /* No tick granted: the thread is done with every sample so far (its
     * statistics are up to date); tell the test, then block (really) a
     * little, so smp_stop is seen. */
    progress_signal(c->progress, true);
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    ts.tv_nsec += 2000000;
    if (ts.tv_nsec >= 1000000000) {
        ts.tv_sec++;
        ts.tv_nsec -= 1000000000;
    }
    pthread_cond_timedwait(cv, mu, &ts);
}

/* A lock wait's nap: the fake time moves on by as much, at once. */
static void fake_nap(void *ud, int64_t ns)
{
    fake_clock *c = ud;
    atomic_fetch_add(&c->now_ns, ns);
}

/* ---- fake source ------------------------------------------------------ */

typedef struct fake_source {
    progress *progress;         /* its calls count the samples */
    atomic_int result;          /* SMP_OK, SMP_SKIP, SMP_ERROR */
    double sample_ms;           /* < 0: let the sampler measure */
    struct chore_log *chore;    /* test_chore_runs_when_asked */
    atomic_int hold_first;      /* 1: the first call waits until it is 0 */
    atomic_int holding;         /* the first call is waiting */
} fake_source;

static int fake_sample(void *ud, snapshot *snap, la_error *err)
{
    fake_source *src = ud;
    int call = atomic_fetch_add(&src->progress->calls, 1);
    progress_signal(src->progress, false);
    if (call == 0 && atomic_load(&src->hold_first)) {
        atomic_store(&src->holding, 1);
        while (atomic_load(&src->hold_first))
            usleep(1000);
    }
    int result = atomic_load(&src->result);
    if (result == SMP_ERROR)
        return la_error_set(err, "fake source failed on call %d", call);
    if (result == SMP_SKIP)
        return SMP_SKIP;
    snap_add(snap, "dict", 4, 1000);
    snap_add(snap, "app.Leak", 8, (uint64_t)(100 + call * 10));
    snap_add(snap, "tiny", 4, 1);
    snap_set_gauge(snap, "blocks", 5000 + call);
    if (src->sample_ms >= 0)
        snap_set_gauge(snap, "sample_ms", src->sample_ms);
    return SMP_OK;
}

/* Wait for a forked child; it must exit 0 (its code says which check failed). */
static void assert_child_exits_0(pid_t child)
{
    int status;
    assert_int_equal(waitpid(child, &status, 0), child);
    if (WIFSIGNALED(status))
        fail_msg("child killed by signal %d", WTERMSIG(status));
    assert_int_equal(WEXITSTATUS(status), 0);
}

/* ---- fixture ---------------------------------------------------------- */

typedef struct fixture {
    char *dir;
    char *path;
    cfg_config cfg;
    progress progress;
    fake_clock clock;
    fake_source source;
    la_clock clock_fns;
    atomic_int warnings;
    char last_warning[LA_ERROR_MAX + 128];
} fixture;

static void capture_warning(void *ud, const char *message)
{
    fixture *f = ud;
    atomic_fetch_add(&f->warnings, 1);
    snprintf(f->last_warning, sizeof f->last_warning, "%s", message);
}

static int setup(void **state)
{
    fixture *f = calloc(1, sizeof *f);
    f->dir = tu_make_tmpdir();
    f->path = tu_path(f->dir, "most_common.log");
    cfg_init(&f->cfg);
    la_error err;
    cfg_set(&f->cfg, "log.path", f->path, &err);
    cfg_set(&f->cfg, "interval", "1s", &err);
    cfg_set(&f->cfg, "sample.min_count", "2", &err);
    f->source.sample_ms = 0.5;
    f->clock_fns = (la_clock){&f->clock, fake_wall, fake_mono, fake_wait_until, fake_nap};
    pthread_mutex_init(&f->progress.mu, NULL);
    pthread_cond_init(&f->progress.cv, NULL);
    f->clock.progress = f->source.progress = &f->progress;
    *state = f;
    return 0;
}

static int teardown(void **state)
{
    fixture *f = *state;
    tu_remove_tree(f->dir);
    cfg_free(&f->cfg);
    free(f->dir);
    free(f->path);
    free(f);
    return 0;
}

static smp_sampler *create(fixture *f, const la_clock *clock)
{
    smp_options opt = {
        .cfg = &f->cfg,
        .source = {.ud = &f->source, .sample = fake_sample},
        .clock = clock,
        .program = "tester",
        .header_extra = "python=0.0",
        .warn = capture_warning,
        .warn_ud = f,
    };
    la_error err = {{0}};
    smp_sampler *s = smp_create(&opt, &err);
    if (s == NULL)
        fail_msg("smp_create: %s", err.msg);
    return s;
}

/* Wait until the fake source has been called `calls` times (settled:
 * and the thread has then gone back to waiting for a tick, so the samples
 * are written and counted), at most 10 s. */
static void wait_progress(fixture *f, int calls, bool settled)
{
    progress *p = &f->progress;
    struct timespec deadline;
    clock_gettime(CLOCK_REALTIME, &deadline);
    deadline.tv_sec += 10;
    pthread_mutex_lock(&p->mu);
    while ((settled ? p->settled : atomic_load(&p->calls)) < calls &&
           pthread_cond_timedwait(&p->cv, &p->mu, &deadline) == 0)
        continue;
    int reached = settled ? p->settled : atomic_load(&p->calls);
    pthread_mutex_unlock(&p->mu);
    assert_true(reached >= calls);
}

/* The thread (on the fake clock) has taken `calls` samples and is idle. */
static void wait_for_calls(fixture *f, int calls)
{
    wait_progress(f, calls, true);
}

static double now_s(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

/* ---- tests ------------------------------------------------------------ */

static void test_samples_on_schedule(void **state)
{
    fixture *f = *state;
    smp_sampler *s = create(f, &f->clock_fns);
    atomic_store(&f->clock.ticks_left, 4);
    la_error err;
    assert_int_equal(smp_start(s, &err), 0);
    assert_true(smp_is_running(s));
    wait_for_calls(f, 5);       /* a baseline at once, then four ticks */
    smp_stop(s);
    assert_false(smp_is_running(s));
    smp_stats st;
    smp_get_stats(s, &st);
    assert_int_equal(st.snapshots, 5);
    assert_int_equal(st.errors, 0);
    assert_int_equal(atomic_load(&f->progress.calls), 5);
    smp_destroy(s);

    char *text = tu_read_file(f->path, NULL);
    char expect[256];
    snprintf(expect, sizeof expect, "# leakagent 1 pid=%ld host=", (long)getpid());
    assert_int_equal(strncmp(text, expect, strlen(expect)), 0);
    assert_non_null(strstr(text, " program=tester python=0.0 interval=1 start="));
    for (int k = 0; k < 5; k++) {
        /* Exactly one interval apart, with pid and the configured gauges. */
        snprintf(expect, sizeof expect, "#START %d.000 pid=%ld rss=", 1763700000 + k, (long)getpid());
        const char *line = strstr(text, expect);
        assert_non_null(line);
        snprintf(expect, sizeof expect, " blocks=%d sample_ms=0.5\n", 5000 + k);
        assert_non_null(strstr(line, expect));
        snprintf(expect, sizeof expect, "\ndict 1000\napp.Leak %d\n", 100 + k * 10);
        assert_non_null(strstr(text, expect));
    }
    assert_null(strstr(text, "tiny"));     /* below min_count */
    assert_int_equal(tu_count_lines(text, "#START"), 5);
    free(text);
}

static void test_stop_is_prompt(void **state)
{
    fixture *f = *state;
    la_error err;
    assert_int_equal(cfg_set(&f->cfg, "interval", "1d", &err), 0);
    smp_sampler *s = create(f, NULL);   /* the real clock */
    assert_int_equal(smp_start(s, &err), 0);
    wait_progress(f, 1, false);
    double t0 = now_s();
    smp_stop(s);
    /* Not a speed goal: a stop that waited for the next tick would take a
     * day; anything near a second means the wakeup was lost. */
    assert_true(now_s() - t0 < 1.0);
    smp_stop(s);                        /* idempotent */
    smp_destroy(s);
}

/* The source's chore: run at the times it asks (smp_wake_at, then its
 * return values) between snapshots, not at the ticks.  Real clock. */
struct chore_log {
    pthread_mutex_t mu;
    pthread_cond_t cv;
    int calls;
    int64_t asked[4];       /* when each call was asked for */
    int64_t ran[4];         /* when each ran */
};
typedef struct chore_log chore_log;

static int64_t mono_now(void)
{
    return la_real_clock.mono_ns(NULL);
}

static int64_t fake_chore(void *ud, int64_t now_ns)
{
    chore_log *c = ((fake_source *)ud)->chore;
    pthread_mutex_lock(&c->mu);
    int k = c->calls < 4 ? c->calls : 3;
    c->ran[k] = now_ns;
    c->calls++;
    int64_t next = c->calls < 3 ? now_ns + 20000000 : INT64_MAX;
    if (c->calls < 4)
        c->asked[c->calls] = next;
    pthread_cond_broadcast(&c->cv);
    pthread_mutex_unlock(&c->mu);
    return next;
}

static void test_chore_runs_when_asked(void **state)
{
    fixture *f = *state;
    la_error err;
    chore_log c = {.mu = PTHREAD_MUTEX_INITIALIZER, .cv = PTHREAD_COND_INITIALIZER};
    f->source.chore = &c;
    assert_int_equal(cfg_set(&f->cfg, "interval", "1d", &err), 0);
    smp_options opt = {
        .cfg = &f->cfg,
        .source = {.ud = &f->source, .sample = fake_sample, .chore = fake_chore},
        .program = "tester",
        .warn = capture_warning,
        .warn_ud = f,
    };
    smp_sampler *s = smp_create(&opt, &err);
    assert_non_null(s);
    assert_int_equal(smp_start(s, &err), 0);
    wait_progress(f, 1, false);             /* the baseline */
    c.asked[0] = mono_now() + 30000000;
    smp_wake_at(s, c.asked[0]);
    struct timespec deadline;
    clock_gettime(CLOCK_REALTIME, &deadline);
    deadline.tv_sec += 10;
    pthread_mutex_lock(&c.mu);
    while (c.calls < 3 && pthread_cond_timedwait(&c.cv, &c.mu, &deadline) == 0)
        continue;
    pthread_mutex_unlock(&c.mu);
    smp_stop(s);
    assert_int_equal(c.calls, 3);           /* then it asked for nothing more */
    for (int k = 0; k < 3; k++)
        assert_true(c.ran[k] >= c.asked[k]);
    smp_stats st;
    smp_get_stats(s, &st);
    assert_int_equal(st.snapshots, 1);      /* chores are not ticks */
    smp_destroy(s);
}

static void test_start_twice_is_refused(void **state)
{
    fixture *f = *state;
    smp_sampler *s = create(f, &f->clock_fns);
    la_error err = {{0}};
    assert_int_equal(smp_start(s, &err), 0);
    assert_int_equal(smp_start(s, &err), -1);
    assert_string_equal(err.msg, "the sampler is already running");
    smp_stop(s);
    assert_int_equal(smp_start(s, &err), 0);   /* a stopped one restarts */
    smp_destroy(s);                              /* stops it */
}

static void test_survives_failing_writes(void **state)
{
    fixture *f = *state;
    smp_sampler *s = create(f, &f->clock_fns);
    la_error err;
    assert_int_equal(smp_start(s, &err), 0);
    wait_for_calls(f, 1);
    /* The directory goes away: writes fail, sampling goes on. */
    tu_remove_tree(f->dir);
    atomic_store(&f->clock.ticks_left, 3);
    wait_for_calls(f, 4);
    smp_stats st;
    smp_get_stats(s, &st);
    assert_int_equal(st.errors, 3);
    assert_int_equal(st.snapshots, 1);
    assert_non_null(strstr(st.last_error, "No such file or directory"));
    /* Reported once, not once per failure (the fake minute has not passed). */
    assert_int_equal(atomic_load(&f->warnings), 1);
    assert_non_null(strstr(f->last_warning, "cannot open log"));
    /* The directory is back: the next tick writes again. */
    assert_int_equal(mkdir(f->dir, 0700), 0);
    atomic_store(&f->clock.ticks_left, 1);
    wait_for_calls(f, 5);
    smp_get_stats(s, &st);
    assert_int_equal(st.snapshots, 2);
    smp_destroy(s);
    char *text = tu_read_file(f->path, NULL);
    assert_int_equal(tu_count_lines(text, "# leakagent"), 1);
    assert_int_equal(tu_count_lines(text, "#START"), 1);
    free(text);
}

static void test_rate_limit_speaks_again_after_a_minute(void **state)
{
    fixture *f = *state;
    atomic_store(&f->source.result, SMP_ERROR);
    smp_sampler *s = create(f, &f->clock_fns);
    la_error err;
    for (int i = 0; i < 5; i++)
        assert_int_equal(smp_sample_now(s, &err), SMP_ERROR);
    assert_int_equal(atomic_load(&f->warnings), 1);
    assert_string_equal(f->last_warning, "fake source failed on call 0");
    atomic_fetch_add(&f->clock.now_ns, 61LL * 1000000000);
    assert_int_equal(smp_sample_now(s, &err), SMP_ERROR);
    assert_int_equal(atomic_load(&f->warnings), 2);
    assert_string_equal(f->last_warning, "fake source failed on call 5 (and 4 more errors in the last minute)");
    atomic_store(&f->source.result, SMP_SKIP);
    assert_int_equal(smp_sample_now(s, &err), SMP_SKIP);
    smp_stats st;
    smp_get_stats(s, &st);
    assert_int_equal(st.errors, 6);
    assert_int_equal(st.skipped, 1);
    assert_int_equal(st.snapshots, 0);
    smp_destroy(s);
}

static void test_interval_stretches(void **state)
{
    fixture *f = *state;
    f->source.sample_ms = 50;    /* 5% of a 1 s interval; max_overhead is 1% */
    smp_sampler *s = create(f, &f->clock_fns);
    atomic_store(&f->clock.ticks_left, 2);
    la_error err;
    assert_int_equal(smp_start(s, &err), 0);
    wait_for_calls(f, 3);
    smp_stop(s);
    smp_stats st;
    smp_get_stats(s, &st);
    assert_int_equal(st.effective_interval_ms, 5000);
    assert_int_equal(atomic_load(&f->warnings), 1);
    assert_non_null(strstr(f->last_warning, "sampling every 5 s instead"));
    smp_destroy(s);
    char *text = tu_read_file(f->path, NULL);
    assert_non_null(strstr(text, "#START 1763700000.000 "));
    assert_non_null(strstr(text, "#START 1763700005.000 "));
    assert_non_null(strstr(text, "#START 1763700010.000 "));
    free(text);
}

typedef struct hammer {
    smp_sampler *s;
    int ok;
} hammer;

static void *hammer_main(void *arg)
{
    hammer *h = arg;
    la_error err;
    for (int i = 0; i < 50; i++)
        if (smp_sample_now(h->s, &err) == SMP_OK)
            h->ok++;
    return NULL;
}

static void *sample_once_main(void *arg)
{
    la_error err;
    smp_sample_now(arg, &err);
    return NULL;
}

/* A snapshot taken while another is between its source and its write waits
 * for that write: taken first, written first, so the log never puts an
 * older count after a newer one. */
static void test_snapshots_are_written_in_the_order_taken(void **state)
{
    fixture *f = *state;
    atomic_store(&f->source.hold_first, 1);
    smp_sampler *s = create(f, &f->clock_fns);
    pthread_t first, second;
    pthread_create(&first, NULL, sample_once_main, s);
    while (!atomic_load(&f->source.holding))
        usleep(1000);
    pthread_create(&second, NULL, sample_once_main, s);
    usleep(20000);
    /* The second has not reached the source (were it free to, it would
     * have, and would have written first). */
    assert_int_equal(atomic_load(&f->progress.calls), 1);
    atomic_store(&f->source.hold_first, 0);
    pthread_join(first, NULL);
    pthread_join(second, NULL);
    smp_destroy(s);
    char *text = tu_read_file(f->path, NULL);
    const char *a = strstr(text, "app.Leak 100\n"), *b = strstr(text, "app.Leak 110\n");
    assert_non_null(a);
    assert_non_null(b);
    assert_true(a < b);
    free(text);
}

static void test_sample_now_races_the_thread(void **state)
{
    fixture *f = *state;
    la_error err;
    assert_int_equal(cfg_set(&f->cfg, "log.max_size", "2KB", &err), 0);
    assert_int_equal(cfg_set(&f->cfg, "log.keep", "1000", &err), 0);
    smp_sampler *s = create(f, &f->clock_fns);
    atomic_store(&f->clock.ticks_left, 100);
    assert_int_equal(smp_start(s, &err), 0);
    pthread_t threads[4];
    hammer h[4];
    for (int i = 0; i < 4; i++) {
        h[i] = (hammer){s, 0};
        pthread_create(&threads[i], NULL, hammer_main, &h[i]);
    }
    for (int i = 0; i < 4; i++) {
        pthread_join(threads[i], NULL);
        assert_int_equal(h[i].ok, 50);
    }
    smp_stop(s);
    smp_stats st;
    smp_get_stats(s, &st);
    assert_true(st.rotations >= 3);
    smp_destroy(s);
    /* Every snapshot written is in the files, whole. */
    size_t starts = 0, dicts = 0;
    char name[4200];
    for (unsigned k = 1; k <= 1000; k++) {
        snprintf(name, sizeof name, "%s.%u.gz", f->path, k);
        char *text = tu_read_file(name, NULL);
        if (text == NULL)
            continue;
        starts += tu_count_lines(text, "#START");
        dicts += tu_count_lines(text, "dict 1000");
        free(text);
    }
    char *text = tu_read_file(f->path, NULL);
    starts += tu_count_lines(text, "#START");
    dicts += tu_count_lines(text, "dict 1000");
    free(text);
    assert_int_equal(starts, st.snapshots);
    assert_int_equal(dicts, st.snapshots);
    assert_true(st.snapshots >= 200);
}

/* A wall clock that moves on 1 ms at every reading. */
static double stepping_wall(void *ud)
{
    fake_clock *c = ud;
    return 1763700000.0 + (double)atomic_fetch_add(&c->now_ns, 1) / 1000;
}

static void test_times_in_the_log_never_go_back(void **state)
{
    /* Snapshots taken concurrently are written one at a time: each is
     * stamped when its turn to write comes, so the file is in time order
     * (a reader warns when a process's time goes back). */
    fixture *f = *state;
    la_clock stepping = {&f->clock, stepping_wall, fake_mono, fake_wait_until, fake_nap};
    smp_sampler *s = create(f, &stepping);
    pthread_t threads[4];
    hammer h[4];
    for (int i = 0; i < 4; i++) {
        h[i] = (hammer){s, 0};
        pthread_create(&threads[i], NULL, hammer_main, &h[i]);
    }
    for (int i = 0; i < 4; i++)
        pthread_join(threads[i], NULL);
    smp_destroy(s);
    char *text = tu_read_file(f->path, NULL);
    double last = 0;
    int n = 0;
    for (const char *p = strstr(text, "#START "); p; p = strstr(p + 1, "#START ")) {
        double t = atof(p + 7);
        assert_true(t > last);
        last = t;
        n++;
    }
    assert_int_equal(n, 200);
    free(text);
}

static void test_fork_child_gets_its_own_file(void **state)
{
    fixture *f = *state;
    la_error err;
    char *tmpl = tu_path(f->dir, "mc.%p.log");
    assert_int_equal(cfg_set(&f->cfg, "log.path", tmpl, &err), 0);
    smp_sampler *s = create(f, &f->clock_fns);
    assert_int_equal(smp_start(s, &err), 0);
    wait_for_calls(f, 1);
    pid_t child = fork();
    if (child == 0) {
        /* The parent's thread does not exist here. */
        int rc = smp_is_running(s) ? 10 : 0;
        if (rc == 0 && smp_after_fork_child(s, &err) != 0)
            rc = 11;
        smp_stats st;
        smp_get_stats(s, &st);
        char mine[4200];
        snprintf(mine, sizeof mine, "%s/mc.%ld.log", f->dir, (long)getpid());
        if (rc == 0 && strcmp(st.log_path, mine) != 0)
            rc = 14;
        /* ThreadSanitizer cannot start a thread in the child of a
         * multi-threaded fork (it dies, or reports "dup thread"): under
         * `make hardening` the child samples without its own thread. */
        if (rc == 0 && !TSAN_BUILD && smp_start(s, &err) != 0)
            rc = 12;
        if (rc == 0 && smp_sample_now(s, &err) != SMP_OK)
            rc = 13;
        smp_destroy(s);
        free(tmpl);     /* valgrind checks the child for leaks too */
        _exit(rc);
    }
    assert_child_exits_0(child);
    smp_destroy(s);
    char name[4200];
    snprintf(name, sizeof name, "%s/mc.%ld.log", f->dir, (long)child);
    char *text = tu_read_file(name, NULL);
    assert_non_null(text);
    char expect[64];
    snprintf(expect, sizeof expect, "# leakagent 1 pid=%ld ", (long)child);
    assert_int_equal(strncmp(text, expect, strlen(expect)), 0);
    snprintf(expect, sizeof expect, " pid=%ld ", (long)child);
    assert_true(tu_count_lines(text, "#START") >= 1);
    assert_non_null(strstr(text, expect));
    free(text);
    free(tmpl);
}

static void test_fork_child_without_pid_appends_under_new_header(void **state)
{
    fixture *f = *state;
    smp_sampler *s = create(f, &f->clock_fns);
    la_error err;
    assert_int_equal(smp_sample_now(s, &err), SMP_OK);
    pid_t child = fork();
    if (child == 0) {
        int rc = smp_after_fork_child(s, &err) == 0 && smp_sample_now(s, &err) == SMP_OK ? 0 : 1;
        smp_destroy(s);
        _exit(rc);
    }
    assert_child_exits_0(child);
    assert_int_equal(smp_sample_now(s, &err), SMP_OK);
    smp_destroy(s);
    char *text = tu_read_file(f->path, NULL);
    assert_int_equal(tu_count_lines(text, "# leakagent"), 2);
    char expect[64];
    snprintf(expect, sizeof expect, "# leakagent 1 pid=%ld ", (long)child);
    assert_non_null(strstr(text, expect));
    snprintf(expect, sizeof expect, " pid=%ld ", (long)child);
    const char *child_start = strstr(text, expect);
    assert_non_null(child_start);
    assert_int_equal(tu_count_lines(text, "#START"), 3);
    free(text);
}

/* A child forked while its log's directory is gone keeps its agent: the
 * open is a run-time error (the first snapshot reports it), and the child
 * writes its own file, header first, once the directory is back (not an
 * unraisable error on the host's stderr). */
static void test_fork_child_keeps_its_agent_when_the_log_cannot_open(void **state)
{
    fixture *f = *state;
    la_error err;
    char *sub = tu_path(f->dir, "logs");
    char *gone = tu_path(f->dir, "logs.gone");
    char *tmpl = tu_path(sub, "mc.%p.log");
    assert_int_equal(mkdir(sub, 0700), 0);
    assert_int_equal(cfg_set(&f->cfg, "log.path", tmpl, &err), 0);
    smp_sampler *s = create(f, &f->clock_fns);
    assert_int_equal(rename(sub, gone), 0);     /* the parent's file goes along */
    pid_t child = fork();
    if (child == 0) {
        int rc = smp_after_fork_child(s, &err) == 0 ? 0 : 10;
        if (rc == 0 && (smp_sample_now(s, &err) != SMP_ERROR ||
                        strstr(err.msg, "cannot open log") == NULL))
            rc = 11;
        if (rc == 0 && mkdir(sub, 0700) != 0)
            rc = 12;
        if (rc == 0 && smp_sample_now(s, &err) != SMP_OK)
            rc = 13;
        smp_stats st;
        smp_get_stats(s, &st);
        if (rc == 0 && (st.snapshots != 1 || st.errors != 1))
            rc = 14;
        smp_destroy(s);
        free(sub);
        free(gone);
        free(tmpl);
        _exit(rc);
    }
    assert_child_exits_0(child);
    smp_destroy(s);
    char name[4200], expect[64];
    snprintf(name, sizeof name, "%s/mc.%ld.log", sub, (long)child);
    char *text = tu_read_file(name, NULL);
    assert_non_null(text);
    snprintf(expect, sizeof expect, "# leakagent 1 pid=%ld ", (long)child);
    assert_int_equal(strncmp(text, expect, strlen(expect)), 0);
    assert_int_equal(tu_count_lines(text, "#START"), 1);
    free(text);
    free(sub);
    free(gone);
    free(tmpl);
}

/* The child of test_write_signals_do_not_kill_the_caller: 0 if it lives on
 * with its signal mask as it was and nothing pending. */
static int sample_under_fatal_signals(fixture *f)
{
    /* Default actions (both kill), a stderr nobody reads, and a file size
     * limit the log has reached: the next write raises SIGXFSZ, its
     * warning SIGPIPE. */
    signal(SIGXFSZ, SIG_DFL);
    signal(SIGPIPE, SIG_DFL);
    int fds[2];
    if (pipe(fds) != 0 || dup2(fds[1], STDERR_FILENO) < 0)
        return 20;
    close(fds[0]);
    close(fds[1]);
    smp_options opt = {.cfg = &f->cfg, .source = {.ud = &f->source, .sample = fake_sample},
                       .clock = &f->clock_fns, .program = "tester"};   /* warn: stderr */
    la_error err;
    smp_sampler *s = smp_create(&opt, &err);
    struct stat st;
    struct rlimit lim;
    if (s == NULL || stat(f->path, &st) != 0 || getrlimit(RLIMIT_FSIZE, &lim) != 0)
        return 21;
    lim.rlim_cur = (rlim_t)st.st_size;
    if (setrlimit(RLIMIT_FSIZE, &lim) != 0)
        return 22;
    if (smp_sample_now(s, &err) != SMP_ERROR || strstr(err.msg, "File too large") == NULL)
        return 23;
    sigset_t blocked, pending;
    sigprocmask(SIG_BLOCK, NULL, &blocked);
    sigpending(&pending);
    if (sigismember(&blocked, SIGXFSZ) || sigismember(&blocked, SIGPIPE))
        return 24;
    if (sigismember(&pending, SIGXFSZ) || sigismember(&pending, SIGPIPE))
        return 25;
    smp_destroy(s);
    return 0;
}

static void test_write_signals_do_not_kill_the_caller(void **state)
{
    fixture *f = *state;
    pid_t child = fork();
    if (child == 0)
        _exit(sample_under_fatal_signals(f));
    assert_child_exits_0(child);
}

static void test_create_removes_stale_textfile_tmp(void **state)
{
    fixture *f = *state;
    la_error err;
    char *prom = tu_path(f->dir, "la.prom");
    assert_int_equal(cfg_set(&f->cfg, "prometheus.textfile", prom, &err), 0);
    pid_t dead = fork();        /* a pid that is surely gone once reaped */
    if (dead == 0)
        _exit(0);
    assert_int_equal(waitpid(dead, NULL, 0), dead);
    char stale[4200], live[4200], other[4200];
    snprintf(stale, sizeof stale, "%s.tmp.%ld", prom, (long)dead);     /* kill -9 left it */
    snprintf(live, sizeof live, "%s.tmp.%ld", prom, (long)getppid()); /* being written */
    snprintf(other, sizeof other, "%s.tmp.x%ld", prom, (long)dead);    /* not ours */
    assert_int_equal(tu_write_file(stale, "half"), 0);
    assert_int_equal(tu_write_file(live, "half"), 0);
    assert_int_equal(tu_write_file(other, "x"), 0);
    smp_sampler *s = create(f, &f->clock_fns);
    assert_false(tu_exists(stale));
    assert_true(tu_exists(live));
    assert_true(tu_exists(other));
    smp_destroy(s);
    free(prom);
}

static void test_create_fails_cleanly(void **state)
{
    fixture *f = *state;
    la_error err = {{0}};
    assert_int_equal(cfg_set(&f->cfg, "log.path", "/nonexistent-dir/x.log", &err), 0);
    smp_options opt = {.cfg = &f->cfg, .source = {.ud = &f->source, .sample = fake_sample}};
    assert_null(smp_create(&opt, &err));
    assert_string_equal(err.msg, "cannot open log /nonexistent-dir/x.log: No such file or directory");
    opt.source.sample = NULL;
    assert_null(smp_create(&opt, &err));
    assert_string_equal(err.msg, "no source given");
    assert_true(la_proc_rss(NULL) > 0);
}

/* /proc is read under proc_root: the rss gauge and the program's name come
 * from the files found there. */
static void test_proc_files_under_a_root_of_our_own(void **state)
{
    fixture *f = *state;
    char *proc = tu_path(f->dir, "proc");
    char *self = tu_path(proc, "self");
    char *statm = tu_path(self, "statm");
    char *comm = tu_path(self, "comm");
    assert_int_equal(mkdir(proc, 0700), 0);
    assert_int_equal(mkdir(self, 0700), 0);
    assert_int_equal(tu_write_file(statm, "1000 7 3 1 0 5 0\n"), 0);
    assert_int_equal(tu_write_file(comm, "fakecomm\n"), 0);
    la_error err;
    smp_options opt = {.cfg = &f->cfg, .source = {.ud = &f->source, .sample = fake_sample},
                       .clock = &f->clock_fns, .proc_root = proc};
    smp_sampler *s = smp_create(&opt, &err);
    assert_non_null(s);
    assert_int_equal(smp_sample_now(s, &err), 0);
    smp_destroy(s);
    char *text = tu_read_file(f->path, NULL);
    char expect[64];
    snprintf(expect, sizeof expect, " rss=%ld ", 7 * sysconf(_SC_PAGESIZE));
    assert_non_null(strstr(text, expect));
    assert_non_null(strstr(text, " program=fakecomm "));
    free(text);
    assert_true(la_proc_rss(self) < 0);           /* no self/statm under it */
    char *name = smp_program_name(NULL, self);
    assert_string_equal(name, "unknown");
    free(name);
    free(statm);
    free(comm);
    free(self);
    free(proc);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(test_samples_on_schedule, setup, teardown),
        cmocka_unit_test_setup_teardown(test_stop_is_prompt, setup, teardown),
        cmocka_unit_test_setup_teardown(test_chore_runs_when_asked, setup, teardown),
        cmocka_unit_test_setup_teardown(test_start_twice_is_refused, setup, teardown),
        cmocka_unit_test_setup_teardown(test_survives_failing_writes, setup, teardown),
        cmocka_unit_test_setup_teardown(test_rate_limit_speaks_again_after_a_minute, setup, teardown),
        cmocka_unit_test_setup_teardown(test_interval_stretches, setup, teardown),
        cmocka_unit_test_setup_teardown(test_sample_now_races_the_thread, setup, teardown),
        cmocka_unit_test_setup_teardown(test_times_in_the_log_never_go_back, setup, teardown),
        cmocka_unit_test_setup_teardown(test_fork_child_gets_its_own_file, setup, teardown),
        cmocka_unit_test_setup_teardown(test_fork_child_without_pid_appends_under_new_header, setup, teardown),
        cmocka_unit_test_setup_teardown(test_fork_child_keeps_its_agent_when_the_log_cannot_open, setup, teardown),
        cmocka_unit_test_setup_teardown(test_write_signals_do_not_kill_the_caller, setup, teardown),
        cmocka_unit_test_setup_teardown(test_create_removes_stale_textfile_tmp, setup, teardown),
        cmocka_unit_test_setup_teardown(test_create_fails_cleanly, setup, teardown),
        cmocka_unit_test_setup_teardown(test_snapshots_are_written_in_the_order_taken, setup,
                                        teardown),
        cmocka_unit_test_setup_teardown(test_proc_files_under_a_root_of_our_own, setup, teardown),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
