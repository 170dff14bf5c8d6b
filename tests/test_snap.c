/* test_snap: the snapshot table: adding, merging equal names, filtering by
 * the sample.* keys, ordering, gauges. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <cmocka.h>

#include "snap.h"

static void add(snapshot *s, const char *name, uint64_t count)
{
    assert_int_equal(snap_add(s, name, strlen(name), count), 0);
}

static void test_add_and_names(void **state)
{
    (void)state;
    snapshot s;
    snap_init(&s);
    for (int i = 0; i < 1000; i++) {
        char name[32];
        snprintf(name, sizeof name, "mod.Type%d", i);
        add(&s, name, (uint64_t)i);
    }
    assert_int_equal(s.n_entries, 1000);
    assert_string_equal(snap_name(&s, 0), "mod.Type0");
    assert_string_equal(snap_name(&s, 999), "mod.Type999");
    assert_int_equal(snap_total(&s), 999 * 1000 / 2);
    assert_int_equal(snap_add(&s, "abcdef", 3, 1), 0);   /* not NUL-terminated */
    assert_string_equal(snap_name(&s, 1000), "abc");
    snap_reset(&s);
    assert_int_equal(s.n_entries, 0);
    snap_free(&s);
}

static void test_finish_merges_and_sorts(void **state)
{
    (void)state;
    snapshot s;
    snap_init(&s);
    add(&s, "list", 5);
    add(&s, "app.Leak", 3);
    add(&s, "dict", 9);
    add(&s, "app.Leak", 4);   /* a second class with the same name */
    add(&s, "tuple", 5);
    snap_finish(&s, NULL);
    assert_int_equal(s.n_entries, 4);
    assert_string_equal(snap_name(&s, 0), "dict");
    assert_string_equal(snap_name(&s, 1), "app.Leak");
    assert_int_equal(s.entries[1].count, 7);
    assert_string_equal(snap_name(&s, 2), "list");    /* ties: by name */
    assert_string_equal(snap_name(&s, 3), "tuple");
    snap_free(&s);
}

static void test_filters(void **state)
{
    (void)state;
    /* sample: {min_count: 2, include: ['app.*', 'dict', 'list'],
     *          exclude: ['app.internal.*'], top: 3} */
    const char *include[] = {"app.*", "dict", "list"};
    const char *exclude[] = {"app.internal.*"};
    snap_filter filter = {.min_count = 2, .include = include, .n_include = 3,
                          .exclude = exclude, .n_exclude = 1, .top = 3};
    snapshot s;
    snap_init(&s);
    add(&s, "dict", 100);
    add(&s, "list", 50);
    add(&s, "tuple", 500);           /* not included */
    add(&s, "app.Model", 70);
    add(&s, "app.internal.Cache", 90);  /* excluded */
    add(&s, "app.Rare", 1);          /* below min_count */
    add(&s, "app.Small", 20);        /* cut by top */
    snap_finish(&s, &filter);
    assert_int_equal(s.n_entries, 3);
    assert_string_equal(snap_name(&s, 0), "dict");
    assert_string_equal(snap_name(&s, 1), "app.Model");
    assert_string_equal(snap_name(&s, 2), "list");
    snap_free(&s);
}

static void test_gauges(void **state)
{
    (void)state;
    const char *keep[] = {"rss", "sample_ms"};
    snapshot s;
    snap_init(&s);
    assert_int_equal(snap_set_gauge(&s, "rss", 1), 0);
    assert_int_equal(snap_set_gauge(&s, "blocks", 2), 0);
    assert_int_equal(snap_set_gauge(&s, "rss", 3), 0);
    assert_int_equal(s.n_gauges, 2);
    assert_true(*snap_gauge_value(&s, "rss") == 3);
    assert_int_equal(snap_set_gauge(&s, "a_key_that_is_far_too_long_to_fit_here", 1), -1);
    assert_int_equal(snap_set_gauge(&s, "sample_ms", 4.5), 0);
    snap_keep_gauges(&s, keep, 2);
    assert_int_equal(s.n_gauges, 2);
    assert_null(snap_gauge_value(&s, "blocks"));
    assert_true(*snap_gauge_value(&s, "sample_ms") == 4.5);
    for (int i = 0; i < SNAP_MAX_GAUGES; i++) {
        char key[16];
        snprintf(key, sizeof key, "g%d", i);
        snap_set_gauge(&s, key, i);
    }
    assert_int_equal(s.n_gauges, SNAP_MAX_GAUGES);
    assert_int_equal(snap_set_gauge(&s, "one_more", 1), -1);
    snap_free(&s);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_add_and_names),
        cmocka_unit_test(test_finish_merges_and_sorts),
        cmocka_unit_test(test_filters),
        cmocka_unit_test(test_gauges),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
