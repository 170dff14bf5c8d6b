/* test_la_agent: the C API for native programs: counters adjusted from
 * several threads appear in the log with their exact values, the same
 * counter is returned for the same name, a disabled config writes nothing,
 * and a bad config is refused with its location. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "la_agent.h"
#include "testutil.h"

typedef struct fixture {
    char *dir, *config, *log;
} fixture;

static int setup(void **state)
{
    fixture *f = calloc(1, sizeof *f);
    f->dir = tu_make_tmpdir();
    f->config = tu_path(f->dir, "la.yaml");
    f->log = tu_path(f->dir, "mc.log");
    *state = f;
    return 0;
}

static int teardown(void **state)
{
    fixture *f = *state;
    tu_remove_tree(f->dir);
    free(f->dir);
    free(f->config);
    free(f->log);
    free(f);
    return 0;
}

static void write_config(const fixture *f, const char *extra)
{
    char text[8192];
    snprintf(text, sizeof text, "interval: 1d\nlog:\n  path: %s\n%s", f->log, extra);
    assert_int_equal(tu_write_file(f->config, text), 0);
}

static void *adjust_many(void *arg)
{
    la_counter *c = arg;
    for (int i = 0; i < 100000; i++) {
        la_counter_adjust(c, 2);
        la_counter_adjust(c, -1);
    }
    return NULL;
}

static void test_counters_reach_the_log(void **state)
{
    fixture *f = *state;
    write_config(f, "");
    la_error err = {{0}};
    la_agent *agent = la_agent_start(f->config, "native", &err);
    if (agent == NULL)
        fail_msg("%s", err.msg);
    la_counter *conns = la_counter_add(agent, "native.Connection");
    assert_ptr_equal(la_counter_add(agent, "native.Connection"), conns);
    la_counter *pool = la_counter_add(agent, "native.Pool");
    la_counter_set(pool, 64);
    pthread_t threads[4];
    for (int i = 0; i < 4; i++)
        pthread_create(&threads[i], NULL, adjust_many, conns);
    for (int i = 0; i < 4; i++)
        pthread_join(threads[i], NULL);
    la_counter_set(la_counter_add(agent, "native.Negative"), -5);
    assert_int_equal(la_agent_sample_now(agent, &err), 0);
    la_agent_stop(agent);
    char *text = tu_read_file(f->log, NULL);
    assert_non_null(strstr(text, " program=native "));
    /* Two snapshots: the thread's baseline and ours; ours is the last. */
    const char *last = strrchr(text, '#');
    assert_non_null(last);
    assert_int_equal(strncmp(last, "#START ", 7), 0);
    assert_non_null(strstr(last, "\nnative.Connection 400000\nnative.Pool 64\n"));
    assert_null(strstr(last, "native.Negative"));   /* written as 0: below min_count 1 */
    free(text);
}

static void test_disabled_agent_writes_nothing(void **state)
{
    fixture *f = *state;
    write_config(f, "enabled: false\n");
    la_error err = {{0}};
    la_agent *agent = la_agent_start(f->config, NULL, &err);
    assert_non_null(agent);
    la_counter_adjust(la_counter_add(agent, "x.Y"), 1);
    assert_int_equal(la_agent_sample_now(agent, &err), -1);
    assert_string_equal(err.msg, "the agent is disabled (enabled: false)");
    la_agent_stop(agent);
    assert_false(tu_exists(f->log));
}

static void test_bad_config_is_refused(void **state)
{
    fixture *f = *state;
    write_config(f, "intervall: 5s\n");
    la_error err = {{0}};
    assert_null(la_agent_start(f->config, NULL, &err));
    char expect[4300];
    snprintf(expect, sizeof expect, "%s:4:1: unknown key 'intervall', did you mean 'interval'?", f->config);
    assert_string_equal(err.msg, expect);
    la_agent_stop(NULL);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(test_counters_reach_the_log, setup, teardown),
        cmocka_unit_test_setup_teardown(test_disabled_agent_writes_nothing, setup, teardown),
        cmocka_unit_test_setup_teardown(test_bad_config_is_refused, setup, teardown),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
