/* test_prom: the Prometheus textfile: exposition text, label escaping,
 * the atomic replace, failure, and the sampler writing it every snapshot. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <fcntl.h>
#include <stdbool.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "prom.h"
#include "smp.h"
#include "testutil.h"

static void fill(snapshot *s)
{
    snap_init(s);
    s->time = 1763700000.5;
    s->pid = 42;
    snap_add(s, "dict", 4, 378631);
    snap_add(s, "odd\"name\\x", 10, 3);
    snap_set_gauge(s, "rss", 52428800);
    snap_set_gauge(s, "sample_ms", 3.25);
    snap_set_gauge(s, "custom", 7);
}

static void test_format(void **state)
{
    (void)state;
    snapshot s;
    fill(&s);
    logfmt_buf b = {0};
    assert_int_equal(prom_format(&b, &s, "web\nworker"), 0);
    assert_string_equal(b.data,
        "# HELP python_objects Live objects by type (leakagent).\n"
        "# TYPE python_objects gauge\n"
        "python_objects{program=\"web\\nworker\",pid=\"42\",type=\"dict\"} 378631\n"
        "python_objects{program=\"web\\nworker\",pid=\"42\",type=\"odd\\\"name\\\\x\"} 3\n"
        "# HELP python_resident_memory_bytes Resident memory of the process in bytes.\n"
        "# TYPE python_resident_memory_bytes gauge\n"
        "python_resident_memory_bytes{program=\"web\\nworker\",pid=\"42\"} 52428800\n"
        "# HELP leakagent_sample_seconds Time the last snapshot held the GIL.\n"
        "# TYPE leakagent_sample_seconds gauge\n"
        "leakagent_sample_seconds{program=\"web\\nworker\",pid=\"42\"} 0.00325\n"
        "# HELP leakagent_gauge Other gauges of the snapshot.\n"
        "# TYPE leakagent_gauge gauge\n"
        "leakagent_gauge{program=\"web\\nworker\",pid=\"42\",name=\"custom\"} 7\n"
        "# HELP leakagent_snapshot_timestamp_seconds When the snapshot was taken.\n"
        "# TYPE leakagent_snapshot_timestamp_seconds gauge\n"
        "leakagent_snapshot_timestamp_seconds{program=\"web\\nworker\",pid=\"42\"} 1763700000.5\n");
    logfmt_buf_free(&b);
    snap_free(&s);
}

static void test_write_is_atomic_and_fails_cleanly(void **state)
{
    (void)state;
    char *dir = tu_make_tmpdir();
    char *path = tu_path(dir, "leakagent.prom");
    snapshot s;
    fill(&s);
    logfmt_buf scratch = {0};
    la_error err = {{0}};
    assert_int_equal(tu_write_file(path, "old\n"), 0);
    assert_int_equal(prom_write_textfile(path, &s, "p", 0, &scratch, &err), 0);
    char *text = tu_read_file(path, NULL);
    assert_non_null(strstr(text, "python_objects{program=\"p\",pid=\"42\",type=\"dict\"} 378631\n"));
    free(text);
    char tmp[4200];
    snprintf(tmp, sizeof tmp, "%s.tmp.%ld", path, (long)getpid());
    assert_false(tu_exists(tmp));
    assert_int_equal(prom_write_textfile("/nonexistent/x.prom", &s, "p", 0, &scratch, &err), -1);
    assert_non_null(strstr(err.msg, "cannot write prometheus.textfile /nonexistent/x.prom.tmp."));
    logfmt_buf_free(&scratch);
    snap_free(&s);
    tu_remove_tree(dir);
    free(dir);
    free(path);
}

static int one_type(void *ud, snapshot *snap, la_error *err)
{
    (void)ud, (void)err;
    snap_add(snap, "app.Leak", 8, 5);
    return SMP_OK;
}

/* A pid that named a process a moment ago and names none now. */
static long dead_pid(void)
{
    pid_t pid = fork();
    assert_true(pid >= 0);
    if (pid == 0)
        _exit(0);
    assert_int_equal(waitpid(pid, NULL, 0), pid);
    return (long)pid;
}

/* dir/name, with its modification time `age` seconds ago. */
static void touch(const char *dir, const char *name, double age)
{
    char path[4200];
    snprintf(path, sizeof path, "%s/%s", dir, name);
    FILE *f = fopen(path, "w");
    assert_non_null(f);
    fputs("python_objects{} 1\n", f);
    fclose(f);
    struct timespec t[2];
    clock_gettime(CLOCK_REALTIME, &t[0]);
    t[0].tv_sec -= (time_t)age;
    t[1] = t[0];
    assert_int_equal(utimensat(AT_FDCWD, path, t, 0), 0);
}

static bool exists(const char *dir, const char *name)
{
    char path[4200];
    snprintf(path, sizeof path, "%s/%s", dir, name);
    return access(path, F_OK) == 0;
}

/* The first snapshot of a sampler removes the textfiles of its template
 * whose process died and that nobody rewrote for three intervals; nothing
 * else. */
static void test_dead_processes_textfiles_are_removed(void **state)
{
    (void)state;
    char *dir = tu_make_tmpdir();
    char *log = tu_path(dir, "mc.log");
    char *prom = tu_path(dir, "la.%n.%p.prom");
    char dead_old[64], dead_fresh[64], alive[64], other_prog[64], other_tmpl[64];
    long dead = dead_pid();
    snprintf(dead_old, sizeof dead_old, "la.t.%ld.prom", dead);
    snprintf(dead_fresh, sizeof dead_fresh, "la.t.%ld.prom", dead_pid());
    snprintf(alive, sizeof alive, "la.t.%ld.prom", (long)getppid());
    snprintf(other_prog, sizeof other_prog, "la.u.%ld.prom", dead);
    snprintf(other_tmpl, sizeof other_tmpl, "la.t.%ld.prom.bak", dead);
    touch(dir, dead_old, 60);
    touch(dir, dead_fresh, 0);          /* a peer in another pid namespace? */
    touch(dir, alive, 60);
    touch(dir, other_prog, 60);
    touch(dir, other_tmpl, 60);
    touch(dir, "la.t.x.prom", 60);
    cfg_config cfg;
    la_error err = {{0}};
    assert_int_equal(cfg_init(&cfg), 0);
    assert_int_equal(cfg_set(&cfg, "log.path", log, &err), 0);
    assert_int_equal(cfg_set(&cfg, "interval", "1s", &err), 0);
    assert_int_equal(cfg_set(&cfg, "prometheus.textfile", prom, &err), 0);
    smp_options opt = {.cfg = &cfg, .source = {.ud = NULL, .sample = one_type}, .program = "t"};
    smp_sampler *s = smp_create(&opt, &err);
    assert_non_null(s);
    assert_int_equal(smp_sample_now(s, &err), SMP_OK);
    assert_false(exists(dir, dead_old));
    assert_true(exists(dir, dead_fresh));
    assert_true(exists(dir, alive));
    assert_true(exists(dir, other_prog));
    assert_true(exists(dir, other_tmpl));
    assert_true(exists(dir, "la.t.x.prom"));
    smp_destroy(s);
    cfg_free(&cfg);
    tu_remove_tree(dir);
    free(dir);
    free(log);
    free(prom);
}

static void test_sampler_writes_it(void **state)
{
    (void)state;
    char *dir = tu_make_tmpdir();
    char *log = tu_path(dir, "mc.log");
    char *prom = tu_path(dir, "la.%p.prom");
    cfg_config cfg;
    la_error err = {{0}};
    assert_int_equal(cfg_init(&cfg), 0);
    assert_int_equal(cfg_set(&cfg, "log.path", log, &err), 0);
    assert_int_equal(cfg_set(&cfg, "prometheus.textfile", prom, &err), 0);
    smp_options opt = {.cfg = &cfg, .source = {.ud = NULL, .sample = one_type}, .program = "t"};
    smp_sampler *s = smp_create(&opt, &err);
    assert_non_null(s);
    assert_int_equal(smp_sample_now(s, &err), SMP_OK);
    char expanded[4200];
    snprintf(expanded, sizeof expanded, "%s/la.%ld.prom", dir, (long)getpid());
    char *text = tu_read_file(expanded, NULL);
    smp_destroy(s);
    assert_non_null(text);
    /* The process's textfile goes with its agent. */
    assert_int_equal(access(expanded, F_OK), -1);
    char expect[128];
    snprintf(expect, sizeof expect, "python_objects{program=\"t\",pid=\"%ld\",type=\"app.Leak\"} 5\n", (long)getpid());
    assert_non_null(strstr(text, expect));
    assert_non_null(strstr(text, "python_resident_memory_bytes{"));
    free(text);
    cfg_free(&cfg);
    tu_remove_tree(dir);
    free(dir);
    free(log);
    free(prom);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_format),
        cmocka_unit_test(test_write_is_atomic_and_fails_cleanly),
        cmocka_unit_test(test_sampler_writes_it),
        cmocka_unit_test(test_dead_processes_textfiles_are_removed),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
