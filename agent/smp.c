/* smp: the sampler thread, the snapshot pipeline shared with sample_now,
 * run-time error accounting, interval stretching, and fork handling.
 *
 * Pipeline of one snapshot (take_snapshot): source -> gauges -> filter and
 * sort (snap_finish) -> format -> rlog_write -> statistics.  Only the first
 * step may touch the host (the GIL); it runs with only take_mu held.
 * Lock order: take_mu, then write_mu, then mu; see smp.h.
 *
 * Signals.  Our writes can raise SIGXFSZ (a file past RLIMIT_FSIZE) and
 * SIGPIPE (a warning to a stderr nobody reads); both kill by default and go
 * to the writing thread.  The sampler thread blocks every signal; on a host
 * thread (smp_create, smp_sample_now, smp_after_fork_child) the two are
 * blocked around our work and those our writes raised are discarded: the
 * write fails with EFBIG or EPIPE, we count and report it, the host lives. */
#include "smp.h"

#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "cfg_path.h"
#include "gauge.h"
#include "la_proc.h"
#include "logfmt.h"
#include "prom.h"
#include "rlog.h"

#define WARN_EVERY_NS (60LL * 1000000000)

struct smp_sampler {
    /* Immutable after smp_create. */
    cfg_config cfg;
    snap_filter filter;     /* cfg's sample.* keys, for snap_finish */
    smp_source source;
    la_clock clock;
    char *program;
    char *proc_root;        /* NULL: /proc */
    char *header_extra;
    char host[256];
    void (*warn)(void *ud, const char *message);
    void *warn_ud;

    /* Guarded by mu. */
    pthread_mutex_t mu;
    pthread_cond_t cv;          /* wakes the thread (stop) and stoppers */
    pthread_t thread;
    bool thread_started;        /* joinable thread exists */
    bool stop_requested;
    bool joining;               /* a smp_stop is joining the thread */
    smp_stats stats;
    int64_t last_warn_ns;       /* -1: never warned */
    uint64_t unreported_errors; /* errors since the last warning */
    bool said_stretch;
    int64_t chore_due;          /* when the source's chore runs next */

    /* Held from the source's call to the write (smp.h, "Locks"). */
    pthread_mutex_t take_mu;

    /* Guarded by write_mu. */
    pthread_mutex_t write_mu;
    rlog *log;
    logfmt_buf buf;
    char *prom_path;            /* expanded prometheus.textfile, NULL: off */
    long prom_pid;              /* the process prom_path was expanded for */
    bool prom_swept;            /* dead processes' textfiles removed */
    logfmt_buf prom_buf;

    /* Owned by the sampler thread. */
    snapshot thread_snap;
};

/* ---- registry for fork ------------------------------------------------ */

/* Every live sampler, so that the child side of fork() can reset their
 * locks: a lock held by a parent thread at fork time would otherwise stay
 * held forever in the child.  Guarded by registry_mu. */
#define MAX_SAMPLERS 16
static pthread_mutex_t registry_mu = PTHREAD_MUTEX_INITIALIZER;
static smp_sampler *registry[MAX_SAMPLERS];
static pthread_once_t atfork_once = PTHREAD_ONCE_INIT;

static void init_locks(smp_sampler *s)
{
    pthread_condattr_t attr;
    pthread_condattr_init(&attr);
    pthread_condattr_setclock(&attr, CLOCK_MONOTONIC);
    pthread_mutex_init(&s->mu, NULL);
    pthread_mutex_init(&s->write_mu, NULL);
    pthread_cond_init(&s->cv, &attr);
    pthread_condattr_destroy(&attr);
    pthread_mutexattr_t recursive;
    pthread_mutexattr_init(&recursive);
    pthread_mutexattr_settype(&recursive, PTHREAD_MUTEX_RECURSIVE);
    pthread_mutex_init(&s->take_mu, &recursive);
    pthread_mutexattr_destroy(&recursive);
}

static void atfork_prepare(void) { pthread_mutex_lock(&registry_mu); }
static void atfork_parent(void) { pthread_mutex_unlock(&registry_mu); }

/* The child has one thread: ours did not survive the fork. */
static void atfork_child(void)
{
    pthread_mutex_init(&registry_mu, NULL);
    for (size_t i = 0; i < MAX_SAMPLERS; i++) {
        smp_sampler *s = registry[i];
        if (s == NULL)
            continue;
        init_locks(s);
        s->thread_started = false;
        s->stop_requested = false;
        s->joining = false;
        s->stats.running = false;
        s->chore_due = INT64_MAX;
    }
}

static void install_atfork(void)
{
    pthread_atfork(atfork_prepare, atfork_parent, atfork_child);
}

static int registry_add(smp_sampler *s)
{
    pthread_once(&atfork_once, install_atfork);
    pthread_mutex_lock(&registry_mu);
    int rc = -1;
    for (size_t i = 0; i < MAX_SAMPLERS && rc != 0; i++)
        if (registry[i] == NULL) {
            registry[i] = s;
            rc = 0;
        }
    pthread_mutex_unlock(&registry_mu);
    return rc;
}

static void registry_remove(smp_sampler *s)
{
    pthread_mutex_lock(&registry_mu);
    for (size_t i = 0; i < MAX_SAMPLERS; i++)
        if (registry[i] == s)
            registry[i] = NULL;
    pthread_mutex_unlock(&registry_mu);
}

/* ---- the host's signals ----------------------------------------------- */

static const int our_signals[] = {SIGXFSZ, SIGPIPE};
#define N_OUR_SIGNALS (sizeof our_signals / sizeof our_signals[0])

typedef struct host_signals {
    sigset_t mask;          /* the caller's mask, restored */
    sigset_t pending;       /* pending before we began: not ours to discard */
} host_signals;

/* Block SIGXFSZ and SIGPIPE on the calling (host) thread. */
static void host_signals_block(host_signals *h)
{
    sigset_t ours;
    sigemptyset(&ours);
    for (size_t i = 0; i < N_OUR_SIGNALS; i++)
        sigaddset(&ours, our_signals[i]);
    sigpending(&h->pending);
    pthread_sigmask(SIG_BLOCK, &ours, &h->mask);
}

/* Discard those of the two that became pending since host_signals_block
 * (our writes raised them), then restore the caller's mask. */
static void host_signals_restore(const host_signals *h)
{
    int saved = errno;
    sigset_t now;
    sigpending(&now);
    for (size_t i = 0; i < N_OUR_SIGNALS; i++) {
        int sig = our_signals[i];
        if (!sigismember(&now, sig) || sigismember(&h->pending, sig))
            continue;
        sigset_t one;
        sigemptyset(&one);
        sigaddset(&one, sig);
        struct timespec zero = {0, 0};
        while (sigtimedwait(&one, NULL, &zero) < 0 && errno == EINTR)
            ;
    }
    pthread_sigmask(SIG_SETMASK, &h->mask, NULL);
    errno = saved;
}

/* ---- warnings --------------------------------------------------------- */

/* The default warning sink (ud: the sampler): one line on stderr naming the
 * process, "leakagent[pid 1234 gunicorn]: message", since a host's stderr
 * often gathers many processes (a server's workers, a journal). */
static void warn_stderr(void *ud, const char *message)
{
    const smp_sampler *s = ud;
    char line[LA_ERROR_MAX + 160];
    int n = snprintf(line, sizeof line, "leakagent[pid %ld %.64s]: %s\n", (long)getpid(),
                     s->program ? s->program : "?", message);
    if (n > (int)sizeof line - 1)
        n = (int)sizeof line - 1;
    /* One write, so the line is not interleaved with the host's output. */
    ssize_t ignored = write(STDERR_FILENO, line, (size_t)n);
    (void)ignored;
}

/* Count an error; say so at most once a minute.  Called without mu. */
static void record_error(smp_sampler *s, const char *message)
{
    char text[LA_ERROR_MAX + 96];
    bool speak = false;
    int64_t now = s->clock.mono_ns(s->clock.ud);
    pthread_mutex_lock(&s->mu);
    s->stats.errors++;
    snprintf(s->stats.last_error, sizeof s->stats.last_error, "%s", message);
    if (s->last_warn_ns < 0 || now - s->last_warn_ns >= WARN_EVERY_NS) {
        if (s->unreported_errors)
            snprintf(text, sizeof text, "%s (and %llu more errors in the last minute)", message,
                     (unsigned long long)s->unreported_errors);
        else
            snprintf(text, sizeof text, "%s", message);
        s->last_warn_ns = now;
        s->unreported_errors = 0;
        speak = true;
    } else {
        s->unreported_errors++;
    }
    pthread_mutex_unlock(&s->mu);
    if (speak)
        s->warn(s->warn_ud, text);
}

/* ---- the header ------------------------------------------------------- */

/* When this process started, in unix seconds (boot time plus the start
 * tick of /proc/self/stat), or 0 when /proc cannot say.  Read each time: a
 * fork child is a process of its own. */
static double process_start(void)
{
    char buf[1024];
    double btime = 0, ticks = 0;
    FILE *f = fopen("/proc/stat", "re");
    if (f == NULL)
        return 0;
    while (fgets(buf, sizeof buf, f))
        if (sscanf(buf, "btime %lf", &btime) == 1)
            break;
    fclose(f);
    f = fopen("/proc/self/stat", "re");
    if (f == NULL)
        return 0;
    size_t n = fread(buf, 1, sizeof buf - 1, f);
    fclose(f);
    buf[n] = '\0';
    const char *p = strrchr(buf, ')');      /* the command may hold spaces */
    long hz = sysconf(_SC_CLK_TCK);
    /* starttime is field 22; p + 2 is field 3 */
    if (p == NULL || hz <= 0 || btime <= 0 ||
        sscanf(p + 2, "%*s %*s %*s %*s %*s %*s %*s %*s %*s %*s %*s %*s %*s %*s %*s %*s "
                      "%*s %*s %*s %lf", &ticks) != 1)
        return 0;
    return btime + ticks / (double)hz;
}

static int build_header(smp_sampler *s, logfmt_buf *out)
{
    logfmt_header h = {
        .start = process_start(),
        .pid = (long)getpid(),
        .host = s->host,
        .program = s->program,
        .extra = s->header_extra,
        .interval_ms = s->cfg.interval_ms,
    };
    out->len = 0;
    return logfmt_append_header(out, &h);
}

/* Open the log at the expanded path; its path goes to path_out (size 1024)
 * for the statistics, which the caller stores under mu.  open_later: see
 * rlog_options (a failure to open or write is then the first write's). */
static rlog *open_log(smp_sampler *s, char *path_out, bool open_later, la_error *err)
{
    char *path = cfg_expand_path(s->cfg.log_path, (long)getpid(), s->host, s->program, err);
    if (path == NULL)
        return NULL;
    logfmt_buf header = {0};
    rlog *log = NULL;
    if (build_header(s, &header) != 0) {
        la_error_set(err, "out of memory");
        goto out;
    }
    rlog_options opt = {
        .path = path,
        .max_size = s->cfg.log_max_size,
        .keep = s->cfg.log_keep,
        .compress = s->cfg.log_compress,
        .header = header.data,
        .open_later = open_later,
        .mode = s->cfg.log_mode,
        .clock = &s->clock,
    };
    log = rlog_open(&opt, err);
    if (log != NULL)
        snprintf(path_out, sizeof s->stats.log_path, "%s", path);
out:
    logfmt_buf_free(&header);
    free(path);
    return log;
}

/* The expanded prometheus.textfile path into *out (NULL when off).  Called
 * with write_mu held, or before the sampler is shared. */
static int expand_prom_path(smp_sampler *s, char **out, la_error *err)
{
    free(*out);
    *out = NULL;
    if (s->cfg.prometheus_textfile[0] == '\0')
        return 0;
    *out = cfg_expand_path(s->cfg.prometheus_textfile, (long)getpid(), s->host, s->program, err);
    s->prom_pid = (long)getpid();
    s->prom_swept = false;
    return *out ? 0 : -1;
}

/* Where the one %p of a path template is, if it is in the last component:
 * its offset, else -1 (none, several, or in a directory). */
static long pid_field(const char *tmpl)
{
    long at = -1;
    const char *slash = strrchr(tmpl, '/');
    for (const char *p = tmpl; *p; p++) {
        if (p[0] != '%' || p[1] == '\0')
            continue;
        if (p[1] == 'p') {
            if (at >= 0 || (slash && p < slash))
                return -1;
            at = p - tmpl;
        }
        p++;        /* %% and the other fields are two characters */
    }
    return at;
}

/* Remove the textfiles other processes wrote from our template and left
 * behind when they died (prom_remove_dead); those untouched for three
 * intervals count as left.  write_mu held (the sampler thread, no GIL). */
static void remove_dead_textfiles_unlocked(smp_sampler *s)
{
    const char *tmpl = s->cfg.prometheus_textfile;
    long at = pid_field(tmpl);
    if (at < 0)
        return;
    const char *slash = strrchr(tmpl, '/');
    size_t base = slash ? (size_t)(slash - tmpl) + 1 : 0;
    char *dir_t = slash ? strndup(tmpl, base) : strdup("./");
    char *pre_t = strndup(tmpl + base, (size_t)at - base);
    la_error err;
    char *dir = dir_t ? cfg_expand_path(dir_t, 0, s->host, s->program, &err) : NULL;
    char *pre = pre_t ? cfg_expand_path(pre_t, 0, s->host, s->program, &err) : NULL;
    char *post = cfg_expand_path(tmpl + at + 2, 0, s->host, s->program, &err);
    if (dir && pre && post)
        prom_remove_dead(dir, pre, post, 3.0 * (double)s->cfg.interval_ms / 1000.0);
    free(dir_t);
    free(pre_t);
    free(dir);
    free(pre);
    free(post);
}

/* ---- one snapshot ----------------------------------------------------- */

/* Stretch the interval so that the host is blocked at most max_overhead of
 * the time.  mu held. */
static bool stretch_unlocked(smp_sampler *s, double blocked_ms, char *note, size_t note_size)
{
    uint64_t wanted = (uint64_t)(blocked_ms / s->cfg.max_overhead);
    uint64_t effective = wanted > s->cfg.interval_ms ? wanted : s->cfg.interval_ms;
    if (effective > CFG_INTERVAL_MAX_MS)
        effective = CFG_INTERVAL_MAX_MS;
    s->stats.effective_interval_ms = effective;
    if (effective == s->cfg.interval_ms || s->said_stretch)
        return false;
    s->said_stretch = true;
    snprintf(note, note_size,
             "a snapshot takes %.1f ms, more than %g%% of the %.3g s interval: "
             "sampling every %.3g s instead (max_overhead)",
             blocked_ms, s->cfg.max_overhead * 100, (double)s->cfg.interval_ms / 1000,
             (double)effective / 1000);
    return true;
}

/* Add the gauges the core measures itself and keep the configured ones.
 * Returns how long the host was blocked: the source's sample_ms if it set
 * one (for CPython, the time the GIL was held), else the whole call. */
static double add_gauges(smp_sampler *s, snapshot *snap, double call_ms)
{
    if (cfg_wants_gauge(&s->cfg, LA_GAUGE_RSS)) {
        double rss = la_proc_rss(s->proc_root);
        if (rss >= 0)
            snap_set_gauge(snap, LA_GAUGE_RSS, rss);
    }
    const double *reported = snap_gauge_value(snap, LA_GAUGE_SAMPLE_MS);
    double blocked_ms = reported ? *reported : call_ms;
    if (reported == NULL)
        snap_set_gauge(snap, LA_GAUGE_SAMPLE_MS, call_ms);
    snap_keep_gauges(snap, (const char *const *)s->cfg.gauges.items, s->cfg.gauges.count);
    return blocked_ms;
}

/* Stamp, format and append under write_mu, then refresh the Prometheus
 * textfile.  Stamped here, not when taken: snapshots taken at once on
 * several threads are written one after the other, and the file must stay
 * in time order.  0, or -1 with err set; *written says whether the snapshot
 * is in the log (it may be although a rotation or the textfile failed). */
static int write_snapshot(smp_sampler *s, snapshot *snap, size_t *bytes, uint64_t *rotations,
                          bool *written, la_error *err)
{
    int rc;
    *written = false;
    pthread_mutex_lock(&s->write_mu);
    snap->time = s->clock.wall(s->clock.ud);
    s->buf.len = 0;
    if (logfmt_append_snapshot(&s->buf, snap) != 0) {
        rc = la_error_set(err, "out of memory formatting a snapshot");
    } else if (s->log == NULL) {
        rc = la_error_set(err, "no log open");
    } else {
        rc = rlog_write(s->log, s->buf.data, s->buf.len, written, err);
        *bytes = s->buf.len;
        *rotations = rlog_rotations(s->log);
    }
    if (s->prom_path && !s->prom_swept) {
        remove_dead_textfiles_unlocked(s);
        s->prom_swept = true;
    }
    if (s->prom_path && rc == 0 &&
        prom_write_textfile(s->prom_path, snap, s->program, s->cfg.prometheus_mode, &s->prom_buf,
                            err) != 0)
        rc = -1;
    pthread_mutex_unlock(&s->write_mu);
    return rc;
}

static int take_snapshot_locked(smp_sampler *s, snapshot *snap, la_error *err)
{
    snap_reset(snap);
    int64_t t0 = s->clock.mono_ns(s->clock.ud);
    int rc = s->source.sample(s->source.ud, snap, err);
    int64_t t1 = s->clock.mono_ns(s->clock.ud);
    if (rc == SMP_SKIP) {
        pthread_mutex_lock(&s->mu);
        s->stats.skipped++;
        pthread_mutex_unlock(&s->mu);
        return SMP_SKIP;
    }
    if (rc != SMP_OK) {
        record_error(s, err ? err->msg : "the source failed");
        return SMP_ERROR;
    }
    double call_ms = (double)(t1 - t0) / 1e6;
    double blocked_ms = add_gauges(s, snap, call_ms);
    snap_finish(snap, &s->filter);
    snap->pid = (long)getpid();

    size_t bytes = 0;
    uint64_t rotations = 0;
    bool written;
    int rc_write = write_snapshot(s, snap, &bytes, &rotations, &written, err);

    char note[256];
    pthread_mutex_lock(&s->mu);
    s->stats.last_ms = blocked_ms;
    if (written) {
        s->stats.snapshots++;
        s->stats.bytes_written += bytes;
        s->stats.last_time = snap->time;
        s->stats.rotations = rotations;
    }
    bool stretched = stretch_unlocked(s, blocked_ms, note, sizeof note);
    pthread_mutex_unlock(&s->mu);
    if (stretched)
        s->warn(s->warn_ud, note);
    if (rc_write != 0)
        record_error(s, err ? err->msg : "cannot write the log");
    return written ? SMP_OK : SMP_ERROR;
}

/* One snapshot, taken and written under take_mu (smp.h, "Locks"). */
static int take_snapshot(smp_sampler *s, snapshot *snap, la_error *err)
{
    pthread_mutex_lock(&s->take_mu);
    int rc = take_snapshot_locked(s, snap, err);
    pthread_mutex_unlock(&s->take_mu);
    return rc;
}

/* ---- the thread ------------------------------------------------------- */

static void *sampler_main(void *arg)
{
    smp_sampler *s = arg;
    la_error err;
    pthread_mutex_lock(&s->mu);
    int64_t next = s->clock.mono_ns(s->clock.ud);   /* a baseline at once */
    while (!s->stop_requested) {
        int64_t now = s->clock.mono_ns(s->clock.ud);
        if (s->source.chore != NULL && s->chore_due <= now) {
            s->chore_due = INT64_MAX;
            pthread_mutex_unlock(&s->mu);
            int64_t want = s->source.chore(s->source.ud, now);
            pthread_mutex_lock(&s->mu);
            if (want < s->chore_due)
                s->chore_due = want;
            continue;
        }
        int64_t wake = next < s->chore_due ? next : s->chore_due;
        if (now < wake) {
            s->clock.wait_until(s->clock.ud, &s->cv, &s->mu, wake);
            continue;
        }
        pthread_mutex_unlock(&s->mu);
        take_snapshot(s, &s->thread_snap, &err);
        pthread_mutex_lock(&s->mu);
        int64_t step = (int64_t)s->stats.effective_interval_ms * 1000000;
        next += step;
        now = s->clock.mono_ns(s->clock.ud);
        if (next <= now)            /* missed ticks are skipped, not caught up */
            next = now + step;
    }
    s->stats.running = false;
    pthread_mutex_unlock(&s->mu);
    return NULL;
}

/* ---- public ----------------------------------------------------------- */

char *smp_program_name(const char *given, const char *proc_root)
{
    return given != NULL ? strdup(given) : la_proc_comm(proc_root);
}

/* The snapshot filter of cfg's sample.* keys; it points into cfg. */
static snap_filter filter_of(const cfg_config *cfg)
{
    return (snap_filter){
        .min_count = cfg->sample_min_count,
        .include = (const char *const *)cfg->sample_include.items,
        .n_include = cfg->sample_include.count,
        .exclude = (const char *const *)cfg->sample_exclude.items,
        .n_exclude = cfg->sample_exclude.count,
        .top = cfg->sample_top,
    };
}

/* smp_create, on the host's thread with its signals as they are. */
static smp_sampler *create_sampler(const smp_options *opt, la_error *err)
{
    if (opt->source.sample == NULL) {
        la_error_set(err, "no source given");
        return NULL;
    }
    smp_sampler *s = calloc(1, sizeof *s);
    if (s == NULL) {
        la_error_set(err, "out of memory");
        return NULL;
    }
    if (cfg_copy(&s->cfg, opt->cfg, err) != 0) {
        free(s);
        return NULL;
    }
    s->filter = filter_of(&s->cfg);
    init_locks(s);
    s->source = opt->source;
    s->clock = opt->clock ? *opt->clock : la_real_clock;
    s->proc_root = opt->proc_root ? strdup(opt->proc_root) : NULL;
    s->program = smp_program_name(opt->program, opt->proc_root);
    s->header_extra = strdup(opt->header_extra ? opt->header_extra : "");
    s->warn = opt->warn ? opt->warn : warn_stderr;
    s->warn_ud = opt->warn ? opt->warn_ud : s;
    s->last_warn_ns = -1;
    s->chore_due = INT64_MAX;
    s->stats.interval_ms = s->cfg.interval_ms;
    s->stats.effective_interval_ms = s->cfg.interval_ms;
    snap_init(&s->thread_snap);
    if (gethostname(s->host, sizeof s->host - 1) != 0)
        strcpy(s->host, "unknown");
    if (s->program == NULL || s->header_extra == NULL || (opt->proc_root && !s->proc_root)) {
        la_error_set(err, "out of memory");
        goto fail;
    }
    s->log = open_log(s, s->stats.log_path, false, err);   /* not shared yet */
    if (s->log == NULL || expand_prom_path(s, &s->prom_path, err) != 0)
        goto fail;
    if (s->prom_path)
        prom_remove_stale_tmp(s->prom_path);
    if (registry_add(s) != 0) {
        la_error_set(err, "too many samplers in one process (at most %d)", MAX_SAMPLERS);
        goto fail;
    }
    return s;
fail:
    rlog_close(s->log);
    s->log = NULL;
    free(s->prom_path);
    cfg_free(&s->cfg);
    free(s->program);
    free(s->proc_root);
    free(s->header_extra);
    free(s);
    return NULL;
}

smp_sampler *smp_create(const smp_options *opt, la_error *err)
{
    host_signals h;
    host_signals_block(&h);
    smp_sampler *s = create_sampler(opt, err);
    host_signals_restore(&h);
    return s;
}

int smp_start(smp_sampler *s, la_error *err)
{
    pthread_mutex_lock(&s->mu);
    if (s->thread_started) {
        pthread_mutex_unlock(&s->mu);
        return la_error_set(err, "the sampler is already running");
    }
    /* The thread inherits this mask: block every signal so the host's
     * handlers (SIGINT -> KeyboardInterrupt, SIGCHLD, ...) never run on it. */
    sigset_t all, old;
    sigfillset(&all);
    pthread_sigmask(SIG_SETMASK, &all, &old);
    s->stop_requested = false;
    int rc = pthread_create(&s->thread, NULL, sampler_main, s);
    pthread_sigmask(SIG_SETMASK, &old, NULL);
    if (rc == 0) {
        s->thread_started = true;
        s->stats.running = true;
    }
    pthread_mutex_unlock(&s->mu);
    if (rc != 0)
        return la_error_errno(err, rc, "cannot start the sampler thread");
    return 0;
}

void smp_stop(smp_sampler *s)
{
    pthread_mutex_lock(&s->mu);
    while (s->joining)          /* another caller is joining: wait for it */
        pthread_cond_wait(&s->cv, &s->mu);
    if (!s->thread_started) {
        pthread_mutex_unlock(&s->mu);
        return;
    }
    s->stop_requested = true;
    s->joining = true;
    pthread_cond_broadcast(&s->cv);
    pthread_mutex_unlock(&s->mu);

    pthread_join(s->thread, NULL);

    pthread_mutex_lock(&s->mu);
    s->thread_started = false;
    s->joining = false;
    s->stop_requested = false;
    s->stats.running = false;
    pthread_cond_broadcast(&s->cv);
    pthread_mutex_unlock(&s->mu);
}

bool smp_is_running(smp_sampler *s)
{
    pthread_mutex_lock(&s->mu);
    bool running = s->thread_started && !s->stop_requested;
    pthread_mutex_unlock(&s->mu);
    return running;
}

int smp_sample_now(smp_sampler *s, la_error *err)
{
    host_signals h;
    snapshot snap;
    snap_init(&snap);
    host_signals_block(&h);
    int rc = take_snapshot(s, &snap, err);
    host_signals_restore(&h);
    snap_free(&snap);
    return rc;
}

void smp_wake_at(smp_sampler *s, int64_t due_ns)
{
    pthread_mutex_lock(&s->mu);
    if (due_ns < s->chore_due) {
        s->chore_due = due_ns;
        pthread_cond_broadcast(&s->cv);
    }
    pthread_mutex_unlock(&s->mu);
}

void smp_warn(smp_sampler *s, const char *message)
{
    s->warn(s->warn_ud, message);
}

void smp_get_stats(smp_sampler *s, smp_stats *out)
{
    pthread_mutex_lock(&s->mu);
    *out = s->stats;
    pthread_mutex_unlock(&s->mu);
}

void smp_destroy(smp_sampler *s)
{
    if (s == NULL)
        return;
    smp_stop(s);
    registry_remove(s);
    /* The process's textfile goes with it (a fork child that inherited the
     * parent's sampler without reopening it leaves the parent's alone). */
    if (s->prom_path && s->prom_pid == (long)getpid())
        unlink(s->prom_path);
    rlog_close(s->log);
    logfmt_buf_free(&s->buf);
    free(s->prom_path);
    logfmt_buf_free(&s->prom_buf);
    snap_free(&s->thread_snap);
    cfg_free(&s->cfg);
    free(s->program);
    free(s->proc_root);
    free(s->header_extra);
    pthread_mutex_destroy(&s->mu);
    pthread_mutex_destroy(&s->write_mu);
    pthread_mutex_destroy(&s->take_mu);
    pthread_cond_destroy(&s->cv);
    free(s);
}

int smp_after_fork_child(smp_sampler *s, la_error *err)
{
    /* The locks were reset by atfork_child; the parent's thread is gone.
     * The child's log is opened "later": a directory gone or a disk full at
     * the fork, or a parent rotating the shared file under the child's
     * first write, is a run-time error (counted and reported by the first
     * snapshot that cannot be written), not a reason to drop the agent. */
    char path[sizeof s->stats.log_path] = "";
    host_signals h;
    host_signals_block(&h);
    pthread_mutex_lock(&s->write_mu);
    rlog_close(s->log);     /* closes only our copy of the parent's fd */
    s->log = open_log(s, path, true, err);
    int rc = s->log && expand_prom_path(s, &s->prom_path, err) == 0 ? 0 : -1;
    pthread_mutex_unlock(&s->write_mu);
    host_signals_restore(&h);
    pthread_mutex_lock(&s->mu);
    uint64_t interval = s->stats.interval_ms;
    memset(&s->stats, 0, sizeof s->stats);
    memcpy(s->stats.log_path, path, sizeof path);
    s->stats.interval_ms = interval;
    s->stats.effective_interval_ms = interval;
    s->last_warn_ns = -1;
    s->unreported_errors = 0;
    s->said_stretch = false;
    pthread_mutex_unlock(&s->mu);
    return rc;
}

