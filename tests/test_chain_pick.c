/* test_chain_pick: the auto rule (strictly up at every step of the window
 * by a material amount), patterns, the period and `every`, and the limit of
 * types per pass. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <cmocka.h>

#include "chain_pick.h"

#define MIN_MS 60000ULL

static chain_pick *new_picker(const char *const *types, size_t n, unsigned every)
{
    cfg_config cfg;
    la_error err;
    assert_int_equal(cfg_init(&cfg), 0);
    if (n)
        assert_int_equal(cfg_set_list(&cfg, "chains.types", types, n, &err), 0);
    cfg.chains_every = every;
    chain_pick *p = chain_pick_new(&cfg);
    assert_non_null(p);
    cfg_free(&cfg);
    return p;
}

/* One snapshot of (name, count) pairs, a name given twice summed. */
static int feed(chain_pick *p, uint64_t now_ms, chain_pick_choice *out, ...)
{
    snapshot s;
    snap_init(&s);
    va_list ap;
    va_start(ap, out);
    for (const char *name; (name = va_arg(ap, const char *)) != NULL;)
        assert_int_equal(snap_add(&s, name, strlen(name), va_arg(ap, uint64_t)), 0);
    va_end(ap);
    int n = chain_pick_update(p, &s, now_ms, out);
    snap_free(&s);
    return n;
}

static void test_auto_rule(void **state)
{
    (void)state;
    chain_pick *p = new_picker(NULL, 0, 1);
    chain_pick_choice out[CHAIN_PICK_MAX];
    uint64_t t = 0;
    /* leak: +100 a snapshot; cache: fills in two snapshots and stops;
     * wobble: up, up, down; small: +1 a snapshot; split: one name twice. */
    uint64_t leak = 1000, cache[] = {100, 500, 500, 500, 500, 500}, wobble[] = {10, 60, 110, 100, 150, 200};
    for (int i = 0; i < 3; i++, t += MIN_MS, leak += 100)
        assert_int_equal(feed(p, t, out, "app.Leak", leak, "app.Cache", cache[i],
                              "app.Wobble", wobble[i], "app.Small", (uint64_t)(50 + i),
                              "app.Split", (uint64_t)(40 * i), "app.Split", (uint64_t)(40 * i),
                              "leakagent.Own", leak, (const char *)NULL), 0);
    int n = feed(p, t, out, "app.Leak", leak, "app.Cache", cache[3], "app.Wobble", wobble[3],
                 "app.Small", (uint64_t)53, "app.Split", (uint64_t)120, "app.Split", (uint64_t)120,
                 "leakagent.Own", leak, (const char *)NULL);
    assert_int_equal(n, 2);
    assert_string_equal(out[0].name, "app.Leak");   /* +300 before +240 */
    assert_string_equal(out[0].why, "auto");
    assert_string_equal(out[1].name, "app.Split");
    /* Within the period: not again, although still growing. */
    t += MIN_MS, leak += 100;
    assert_int_equal(feed(p, t, out, "app.Leak", leak, "app.Wobble", wobble[4],
                          (const char *)NULL), 0);
    /* A period later: again. */
    t += 3600 * 1000, leak += 100;
    assert_int_equal(feed(p, t, out, "app.Leak", leak, (const char *)NULL), 1);
    assert_string_equal(out[0].name, "app.Leak");
    chain_pick_forget(p, "app.Leak");
    leak += 100;
    assert_int_equal(feed(p, t + 1, out, "app.Leak", leak, (const char *)NULL), 1);
    chain_pick_free(p);
}

static void test_patterns_every_and_limit(void **state)
{
    (void)state;
    const char *types[] = {"cfg.*"};
    chain_pick *p = new_picker(types, 1, 3);
    chain_pick_choice out[CHAIN_PICK_MAX];
    assert_int_equal(feed(p, 0, out, "cfg.A", (uint64_t)5, "other", (uint64_t)9,
                          (const char *)NULL), 1);
    assert_string_equal(out[0].name, "cfg.A");
    assert_string_equal(out[0].why, "config");
    /* every = 3: the next two snapshots pass nothing, although cfg.B is new. */
    assert_int_equal(feed(p, 1, out, "cfg.B", (uint64_t)5, (const char *)NULL), 0);
    assert_int_equal(feed(p, 2, out, "cfg.B", (uint64_t)5, (const char *)NULL), 0);
    assert_int_equal(feed(p, 3, out, "cfg.B", (uint64_t)5, "cfg.A", (uint64_t)5,
                          (const char *)NULL), 1);
    assert_string_equal(out[0].name, "cfg.B");
    chain_pick_free(p);

    const char *off[] = {"off"};
    p = new_picker(off, 1, 1);
    for (uint64_t i = 0; i < 6; i++)
        assert_int_equal(feed(p, i, out, "grows", 100 * (i + 1), (const char *)NULL), 0);
    chain_pick_free(p);

    p = new_picker(NULL, 0, 1);     /* six types grow: the four fastest */
    int n = 0;
    for (uint64_t i = 0; i < 4; i++)
        n = feed(p, i, out, "t1", 100 * i, "t2", 200 * i, "t3", 300 * i, "t4", 400 * i,
                 "t5", 500 * i, "t6", 600 * i, (const char *)NULL);
    assert_int_equal(n, CHAIN_PICK_MAX);
    assert_string_equal(out[0].name, "t6");
    assert_string_equal(out[3].name, "t3");
    chain_pick_free(p);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_auto_rule),
        cmocka_unit_test(test_patterns_every_and_limit),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
