/* test_prom: the Prometheus textfile: exposition text, label escaping,
 * the atomic replace, failure, and the sampler writing it every snapshot. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
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
        "# HELP leakagent_sample_milliseconds Time the last snapshot held the GIL.\n"
        "# TYPE leakagent_sample_milliseconds gauge\n"
        "leakagent_sample_milliseconds{program=\"web\\nworker\",pid=\"42\"} 3.25\n"
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
    smp_options opt = {.cfg = &cfg, .source = {NULL, one_type}, .program = "t"};
    smp_sampler *s = smp_create(&opt, &err);
    assert_non_null(s);
    assert_int_equal(smp_sample_now(s, &err), SMP_OK);
    smp_destroy(s);
    char expanded[4200];
    snprintf(expanded, sizeof expanded, "%s/la.%ld.prom", dir, (long)getpid());
    char *text = tu_read_file(expanded, NULL);
    assert_non_null(text);
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
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
