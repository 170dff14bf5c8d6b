/* test_pyagent_count: the pointer-keyed count table behind the GC walk:
 * counting, runs of one key, growth with rehashing, a failed grow. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <cmocka.h>

#include "pyagent_count.h"

/* Sum of the counts and number of keys, by scanning the slots. */
static uint64_t total(const pyagent_count *t, size_t *keys)
{
    uint64_t sum = 0;
    *keys = 0;
    for (size_t i = 0; i < t->cap; i++) {
        if (t->slots[i].key == NULL)
            continue;
        sum += t->slots[i].count;
        (*keys)++;
    }
    return sum;
}

static uint64_t count_of(const pyagent_count *t, const void *key)
{
    for (size_t i = 0; i < t->cap; i++)
        if (t->slots[i].key == key)
            return t->slots[i].count;
    return 0;
}

static void test_counts_and_runs(void **state)
{
    (void)state;
    static char types[3][64];   /* stand-ins for type objects */
    pyagent_count t;
    assert_int_equal(pyagent_count_init(&t, 4), 0);
    for (int i = 0; i < 1000; i++)
        assert_int_equal(pyagent_count_add(&t, types[i % 3 == 0 ? 0 : 1]), 0);
    for (int i = 0; i < 10; i++)    /* a run: served by the last-slot cache */
        assert_int_equal(pyagent_count_add(&t, types[2]), 0);
    size_t keys;
    assert_int_equal(total(&t, &keys), 1010);
    assert_int_equal(keys, 3);
    assert_int_equal(count_of(&t, types[0]), 334);
    assert_int_equal(count_of(&t, types[1]), 666);
    assert_int_equal(count_of(&t, types[2]), 10);
    pyagent_count_free(&t);
    pyagent_count_free(&t);     /* idempotent */
    pyagent_count_free(NULL);
}

static void test_growth_keeps_counts(void **state)
{
    (void)state;
    enum { N = 20000 };
    char *keys = malloc(N * 16);    /* 16-byte spaced, like aligned objects */
    assert_non_null(keys);
    pyagent_count t;
    assert_int_equal(pyagent_count_init(&t, 1), 0);
    size_t cap0 = t.cap;
    for (int round = 0; round < 3; round++)
        for (int i = 0; i < N; i++)
            assert_int_equal(pyagent_count_add(&t, keys + (size_t)i * 16), 0);
    assert_true(t.cap > cap0);
    assert_true(t.used * 2 <= t.cap);
    size_t n;
    assert_int_equal(total(&t, &n), 3 * N);
    assert_int_equal(n, N);
    assert_int_equal(count_of(&t, keys + 16 * 12345), 3);
    assert_int_equal(t.failed, 0);
    pyagent_count_free(&t);
    free(keys);
}

/* Linked with -Wl,--wrap=calloc: pyagent_count.c's calloc comes here and
 * fails on demand, so a grow that cannot allocate is observable. */
void *__real_calloc(size_t n, size_t size);
void *__wrap_calloc(size_t n, size_t size);
static int calloc_fails;

void *__wrap_calloc(size_t n, size_t size)
{
    return calloc_fails ? NULL : __real_calloc(n, size);
}

static void test_failed_grow(void **state)
{
    (void)state;
    enum { N = 1000 };
    static char keys[N][16];
    pyagent_count t;
    calloc_fails = 1;
    assert_int_equal(pyagent_count_init(&t, 1), -1);
    calloc_fails = 0;
    assert_int_equal(pyagent_count_init(&t, 1), 0);
    size_t cap = t.cap;
    size_t i = 0;
    while (t.used * 2 + 2 <= cap)      /* fill up to the load limit */
        assert_int_equal(pyagent_count_add(&t, keys[i++]), 0);
    calloc_fails = 1;
    assert_int_equal(pyagent_count_add(&t, keys[0]), 0);    /* known key: no grow */
    assert_int_equal(pyagent_count_add(&t, keys[i]), -1);   /* new key: grow fails */
    assert_int_equal(t.failed, 1);
    assert_int_equal(t.cap, cap);                           /* table unchanged */
    calloc_fails = 0;
    assert_int_equal(count_of(&t, keys[0]), 2);
    pyagent_count_free(&t);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_counts_and_runs),
        cmocka_unit_test(test_growth_keeps_counts),
        cmocka_unit_test(test_failed_grow),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
