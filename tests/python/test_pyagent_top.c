/* test_pyagent_top: the heap of the longest containers, the referrer notes
 * beside it, and the pointer map the naming step uses. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <cmocka.h>

#include "pyagent_top.h"

/* Stand-ins for objects: only their addresses are used. */
static char objs[1000][16];
static char list_type[16], dict_type[16];

static void test_keeps_the_longest(void **state)
{
    (void)state;
    pyagent_top t;
    assert_int_equal(pyagent_top_init(&t, 3), 0);
    assert_int_equal(pyagent_top_threshold(&t), 1);
    pyagent_top_offer(&t, objs[0], list_type, 0, true);      /* empty: never kept */
    for (int i = 1; i <= 100; i++)
        pyagent_top_offer(&t, objs[i], i % 2 ? list_type : dict_type, (i * 37) % 101, true);
    pyagent_top_offer(&t, objs[5], list_type, 1000, true);   /* a container met again: */
    pyagent_top_offer(&t, objs[5], list_type, 1000, true);   /* kept once */
    assert_int_equal(t.n, 3);
    assert_int_equal(pyagent_top_threshold(&t), 100);  /* the shortest kept + 1 */
    pyagent_top_sort(&t);
    assert_ptr_equal(t.heap[0].obj, objs[5]);
    assert_int_equal(t.heap[0].len, 1000);
    assert_int_equal(t.heap[1].len, 100);
    assert_int_equal(t.heap[2].len, 99);
    assert_ptr_equal(t.heap[1].obj, objs[30]);          /* 30 * 37 % 101 == 100 */
    assert_ptr_equal(t.heap[1].type, dict_type);
    pyagent_top_free(&t);
}

static void test_off(void **state)
{
    (void)state;
    pyagent_top t;
    assert_int_equal(pyagent_top_init(&t, 0), 0);
    assert_true(pyagent_top_threshold(&t) == INT64_MAX);
    pyagent_top_offer(&t, objs[1], list_type, 5, true);
    pyagent_top_note(&t, objs[1], objs[2], 5);
    assert_int_equal(t.n, 0);
    assert_null(pyagent_top_holder(&t, objs[1]));
    pyagent_top_sort(&t);
    pyagent_top_free(&t);
    pyagent_top_free(NULL);
}

/* Notes: the first holder of a container is kept; notes of containers that
 * became too short to be kept give way when the table is full. */
static void test_notes(void **state)
{
    (void)state;
    pyagent_top t;
    assert_int_equal(pyagent_top_init(&t, 2), 0);      /* room for 16 notes */
    pyagent_top_note(&t, objs[1], objs[500], 10);
    pyagent_top_note(&t, objs[1], objs[501], 10);      /* a second holder: ignored */
    assert_ptr_equal(pyagent_top_holder(&t, objs[1]), objs[500]);
    for (int i = 2; i < 40; i++)                       /* many short ones */
        pyagent_top_note(&t, objs[i], objs[600 + i], 3);
    pyagent_top_offer(&t, objs[1], list_type, 10, true);
    pyagent_top_offer(&t, objs[900], list_type, 50, true);
    assert_int_equal(pyagent_top_threshold(&t), 11);
    /* Full of notes of length 3 and 10: a long container's note still fits
     * (the short ones are pruned), a short one's is not taken. */
    pyagent_top_note(&t, objs[900], objs[700], 50);
    pyagent_top_note(&t, objs[901], objs[701], 5);
    assert_ptr_equal(pyagent_top_holder(&t, objs[900]), objs[700]);
    assert_null(pyagent_top_holder(&t, objs[901]));
    assert_null(pyagent_top_holder(&t, objs[3]));      /* pruned: too short */
    pyagent_top_free(&t);
}

/* A full table of notes all long enough: the shortest gives way to a longer. */
static void test_notes_full_of_long_ones(void **state)
{
    (void)state;
    pyagent_top t;
    assert_int_equal(pyagent_top_init(&t, 1), 0);      /* 8 notes */
    for (int i = 0; i < 8; i++)
        pyagent_top_note(&t, objs[i], objs[100 + i], 100 + i);
    pyagent_top_note(&t, objs[50], objs[150], 99);     /* shorter than all: dropped */
    assert_null(pyagent_top_holder(&t, objs[50]));
    pyagent_top_note(&t, objs[51], objs[151], 500);    /* replaces the 100 */
    assert_ptr_equal(pyagent_top_holder(&t, objs[51]), objs[151]);
    assert_null(pyagent_top_holder(&t, objs[0]));
    assert_ptr_equal(pyagent_top_holder(&t, objs[1]), objs[101]);
    pyagent_top_free(&t);
}

static void test_ptrmap(void **state)
{
    (void)state;
    pyagent_ptrmap m = {0};
    assert_null(pyagent_ptrmap_get(&m, objs[1]));
    for (int i = 1; i < 1000; i++)                     /* grows past 256 */
        assert_int_equal(pyagent_ptrmap_put(&m, objs[i], objs[(i + 1) % 1000]), 0);
    assert_int_equal(pyagent_ptrmap_put(&m, objs[7], objs[0]), 0);   /* replaced */
    assert_int_equal(m.used, 999);
    for (int i = 1; i < 1000; i++)
        assert_ptr_equal(pyagent_ptrmap_get(&m, objs[i]), i == 7 ? objs[0] : objs[(i + 1) % 1000]);
    assert_null(pyagent_ptrmap_get(&m, objs[0]));
    assert_null(pyagent_ptrmap_get(&m, NULL));
    size_t cap = m.cap;
    pyagent_ptrmap_forget(&m, objs[7]);                 /* in place: no allocation */
    pyagent_ptrmap_forget(&m, objs[0]);                 /* absent: nothing */
    assert_int_equal(m.cap, cap);
    assert_null(pyagent_ptrmap_get(&m, objs[7]));
    assert_ptr_equal(pyagent_ptrmap_get(&m, objs[8]), objs[9]);
    pyagent_ptrmap_free(&m);
    pyagent_ptrmap_free(NULL);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_keeps_the_longest),
        cmocka_unit_test(test_off),
        cmocka_unit_test(test_notes),
        cmocka_unit_test(test_notes_full_of_long_ones),
        cmocka_unit_test(test_ptrmap),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
