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

static void rec(snapshot *s, snap_rec_kind kind, const char *name, const char *holder,
                int64_t a, uint64_t b, uint64_t id)
{
    assert_int_equal(snap_add_record(s, kind, name, strlen(name), holder, a, b, id), 0);
}

/* Records: grouped REFS, BYTES, LEN, EXACT whatever the order they came in;
 * equal type names merged (not LEN: two containers of one type); sorted by
 * the main figure; the filter's names, min_count (REFS) and top apply. */
static void test_records_finish(void **state)
{
    (void)state;
    const char *exclude[] = {"hidden"};
    snap_filter filter = {.min_count = 2, .exclude = exclude, .n_exclude = 1, .top = 2};
    snapshot s;
    snap_init(&s);
    add(&s, "list", 5);
    rec(&s, SNAP_REC_EXACT, "int", NULL, -4, 0, 0);
    rec(&s, SNAP_REC_LEN, "list", "__main__.LEAKY", 100, 0, 0x20);
    rec(&s, SNAP_REC_BYTES, "list", NULL, 500, 0, 0);
    rec(&s, SNAP_REC_REFS, "str", NULL, 10, 600, 0);
    rec(&s, SNAP_REC_REFS, "int", NULL, 30, 840, 0);
    rec(&s, SNAP_REC_REFS, "str", NULL, 25, 1500, 0);   /* a second str type */
    rec(&s, SNAP_REC_REFS, "float", NULL, 1, 24, 0);    /* below min_count */
    rec(&s, SNAP_REC_REFS, "hidden", NULL, 99, 99, 0);  /* excluded */
    rec(&s, SNAP_REC_REFS, "bytes", NULL, 3, 99, 0);    /* cut by top */
    rec(&s, SNAP_REC_LEN, "list", "-", 100, 0, 0x10);
    rec(&s, SNAP_REC_LEN, "dict", "Conn.channels", 300, 0, 0x30);
    rec(&s, SNAP_REC_BYTES, "dict", NULL, 700, 0, 0);
    rec(&s, SNAP_REC_EXACT, "str", NULL, 9, 0, 0);
    rec(&s, SNAP_REC_CHAIN, "hidden", "auto 1/3 depth", 1, 0, 0);   /* kept whole */
    rec(&s, SNAP_REC_CHAIN, "hidden", "auto 2/3 unknown", 2, 0, 0);
    rec(&s, SNAP_REC_CHAIN, "hidden", "auto 1/3 external:1", 1, 0, 0);
    snap_finish(&s, &filter);
    assert_int_equal(s.n_recs, 12);
    const snap_rec *r = s.recs;
    assert_int_equal(r[0].kind, SNAP_REC_REFS);
    assert_string_equal(snap_rec_name(&s, &r[0]), "str");
    assert_int_equal(r[0].a, 35);
    assert_int_equal(r[0].b, 2100);
    assert_string_equal(snap_rec_name(&s, &r[1]), "int");
    assert_int_equal(r[2].kind, SNAP_REC_BYTES);
    assert_string_equal(snap_rec_name(&s, &r[2]), "dict");
    assert_string_equal(snap_rec_name(&s, &r[3]), "list");
    assert_int_equal(r[4].kind, SNAP_REC_LEN);
    assert_string_equal(snap_rec_holder(&s, &r[4]), "Conn.channels");
    assert_int_equal(r[5].id, 0x10);    /* equal lengths: by address */
    assert_string_equal(snap_rec_holder(&s, &r[6]), "__main__.LEAKY");
    assert_int_equal(r[7].kind, SNAP_REC_EXACT);
    assert_string_equal(snap_rec_name(&s, &r[7]), "str");
    assert_int_equal(r[8].a, -4);       /* negative nets are kept */
    assert_int_equal(r[9].kind, SNAP_REC_CHAIN);   /* neither merged, filtered nor cut */
    assert_string_equal(snap_rec_holder(&s, &r[9]), "auto 2/3 unknown");
    assert_string_equal(snap_rec_holder(&s, &r[10]), "auto 1/3 depth");
    assert_string_equal(snap_rec_holder(&s, &r[11]), "auto 1/3 external:1");
    snap_free(&s);
}

/* GONE records (expect_gone labels) come last, by survivors, and no filter
 * drops or cuts them: a label of no survivors is a figure too. */
static void test_gone_records_are_never_filtered(void **state)
{
    (void)state;
    const char *exclude[] = {"job*"};
    snap_filter filter = {.min_count = 5, .exclude = exclude, .n_exclude = 1, .top = 1};
    snapshot s;
    snap_init(&s);
    rec(&s, SNAP_REC_GONE, "jobs", NULL, 0, 0, 0);
    rec(&s, SNAP_REC_REFS, "str", NULL, 10, 600, 0);
    rec(&s, SNAP_REC_GONE, "session", NULL, 3, 0, 0);
    rec(&s, SNAP_REC_GONE, "x", NULL, 1, 0, 0);
    rec(&s, SNAP_REC_EXACT, "int", NULL, 9, 0, 0);
    snap_finish(&s, &filter);
    assert_int_equal(s.n_recs, 5);
    assert_int_equal(s.recs[0].kind, SNAP_REC_REFS);
    assert_int_equal(s.recs[1].kind, SNAP_REC_EXACT);
    const char *order[] = {"session", "x", "jobs"};
    for (int i = 0; i < 3; i++) {
        assert_int_equal(s.recs[2 + i].kind, SNAP_REC_GONE);
        assert_string_equal(snap_rec_name(&s, &s.recs[2 + i]), order[i]);
    }
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
        cmocka_unit_test(test_records_finish),
        cmocka_unit_test(test_gone_records_are_never_filtered),
        cmocka_unit_test(test_gauges),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
