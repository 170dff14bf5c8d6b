/* test_lp_chains: the store of referrer chains: the same chain in later
 * snapshots counted, not repeated; a full set gives up its stalest chain;
 * which chains a series shows (its type, a record series' first word, an
 * expect_gone label, a restart's run before it) and in which order. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "lp_chains.h"

/* the store and the chains allocate in the library (libc's malloc) */
#undef free

static lp_hop hops[LP_CHAIN_MAX_HOPS];

static void add(lp_chains *cs, uint32_t run, double t, const char *line)
{
    lp_chain c;
    lp_error err;
    assert_int_equal(lp_chain_parse(line, line + strlen(line), &c, hops), 1);
    assert_int_equal(lp_chains_add(cs, run, t, &c, &err), 0);
}

static long column(lp_series_store *s, const char *name, lp_kind kind)
{
    lp_error err;
    long c = lp_series_intern(s, name, strlen(name), lp_series_hash(name, strlen(name)), kind,
                              &err);
    assert_true(c >= 0);
    return c;
}

/* A store of two runs of one process (a restart) and a third process. */
static lp_series_store *store(void)
{
    lp_series_store *s = lp_series_new();
    lp_error err;
    assert_non_null(s);
    assert_int_equal(lp_series_add_run(s, 1, "h", "app", "log", &err), 0);
    assert_int_equal(lp_series_add_run(s, 2, "h", "app", "log", &err), 1);
    assert_int_equal(lp_series_add_run(s, 3, "h", "other", "log", &err), 2);
    for (uint32_t r = 0; r < 3; r++)
        assert_int_equal(lp_series_add_row(s, 100.0 * (r + 1), r, &err), 0);
    assert_int_equal(lp_series_finish(s, &err), 0);
    s->chains = lp_chains_new();
    assert_non_null(s->chains);
    return s;
}

static void test_same_chain_counted_once(void **state)
{
    (void)state;
    lp_series_store *s = store();
    long col = column(s, "m.C", LP_TYPE);
    add(s->chains, 0, 10, "#CHAIN m.C auto 2/3 global:m.B m.Conn@0x1:.ch[<int>]");
    add(s->chains, 0, 10, "#CHAIN m.C explain 2/3 global:m.B m.Conn@0x1:.ch[<int>]");
    add(s->chains, 0, 70, "#CHAIN m.C auto 3/3 global:m.B m.Conn@0x2:.ch[<int>]");
    const lp_chain_entry *e[4];
    assert_int_equal(lp_chains_for(s->chains, s, (size_t)col, 0, e, 4), 1);
    assert_int_equal(e[0]->snapshots, 2);        /* two snapshots, one of them twice */
    assert_true(e[0]->last_time == 70);
    assert_int_equal(e[0]->chain->k, 3);         /* the newest record's figures */
    assert_string_equal(e[0]->chain->hops[0].address.p, "0x2");
    assert_int_equal(s->chains->records, 3);
    lp_series_free(s);
}

static void test_full_set_drops_the_stalest(void **state)
{
    (void)state;
    lp_series_store *s = store();
    long col = column(s, "m.C", LP_TYPE);
    char line[128];
    for (int i = 0; i < LP_CHAINS_PER_SET + 3; i++) {
        snprintf(line, sizeof line, "#CHAIN m.C auto 1/9 global:m.G%d", i);
        add(s->chains, 0, 10.0 * i, line);
    }
    const lp_chain_entry *e[LP_CHAINS_PER_SET + 3];
    size_t n = lp_chains_for(s->chains, s, (size_t)col, 0, e, LP_CHAINS_PER_SET + 3);
    assert_int_equal(n, LP_CHAINS_PER_SET);
    for (size_t k = 0; k < n; k++)
        assert_true(e[k]->last_time >= 30);     /* the first three went */
    lp_series_free(s);
}

static void test_which_series_shows_which(void **state)
{
    (void)state;
    lp_series_store *s = store();
    long type = column(s, "m.C", LP_TYPE), refs = column(s, "m.C refs", LP_REFS);
    long len = column(s, "list m.REG len", LP_LEN), gauge = column(s, "[rss]", LP_GAUGE);
    long gone = column(s, "job survived expect_gone", LP_GONE);
    long list = column(s, "list", LP_TYPE);
    add(s->chains, 0, 10, "#CHAIN m.C auto 1/1 global:m.B");
    add(s->chains, 0, 10, "#CHAIN list auto 1/1 global:m.REG");
    add(s->chains, 0, 10, "#CHAIN app.Job gone:job 1/1 global:app._F dict@0x9:['j1']");
    const lp_chain_entry *e[4];
    assert_int_equal(lp_chains_for(s->chains, s, (size_t)type, 0, e, 4), 1);
    assert_int_equal(lp_chains_for(s->chains, s, (size_t)refs, 0, e, 4), 1);
    assert_string_equal(e[0]->chain->type.p, "m.C");
    /* a container's length names its holder: the chains of other lists
     * are not its own */
    assert_int_equal(lp_chains_for(s->chains, s, (size_t)len, 0, e, 4), 0);
    assert_int_equal(lp_chains_for(s->chains, s, (size_t)list, 0, e, 4), 1);
    assert_string_equal(e[0]->chain->type.p, "list");
    assert_int_equal(lp_chains_for(s->chains, s, (size_t)gauge, 0, e, 4), 0);
    assert_int_equal(lp_chains_for(s->chains, s, (size_t)gone, 0, e, 4), 1);
    assert_string_equal(e[0]->chain->why.p, "gone:job");
    /* a survivor's chain is not its type's */
    long job = column(s, "app.Job", LP_TYPE);
    assert_int_equal(lp_chains_for(s->chains, s, (size_t)job, 0, e, 4), 0);
    assert_int_equal(lp_chains_for(s->chains, s, (size_t)list, 0, e, 4), 1);
    /* the restarted process (run 1) shows its run before's; another
     * process (run 2) does not */
    assert_int_equal(lp_chains_for(s->chains, s, (size_t)type, 1, e, 4), 1);
    assert_int_equal(lp_chains_for(s->chains, s, (size_t)type, 2, e, 4), 0);
    assert_int_equal(lp_chains_for(NULL, s, (size_t)type, 0, e, 4), 0);
    lp_series_free(s);
}

static void test_best_first(void **state)
{
    (void)state;
    lp_series_store *s = store();
    long col = column(s, "m.M", LP_TYPE);
    add(s->chains, 0, 10, "#CHAIN m.M auto 1/1 depth m.N@0x1:.next");
    add(s->chains, 0, 10, "#CHAIN m.M auto 2/3 global:m.B m.C@0x2:.cb[<int>] m.K@0x3:.ch[<int>]");
    add(s->chains, 0, 10, "#CHAIN m.M auto 1/3 external:2 m.C@0x4:.cb[<int>]");
    add(s->chains, 0, 20, "#CHAIN m.M auto 2/3 global:m.X m.C@0x5:.cb[<int>]");
    /* folded: one hop said */
    add(s->chains, 0, 5, "#CHAIN m.M auto 1/3 global:m.L m.C@0x6:.cb[<int>] list@0x7:[<int>]");
    const lp_chain_entry *e[8];
    assert_int_equal(lp_chains_for(s->chains, s, (size_t)col, 0, e, 8), 5);
    assert_string_equal(e[0]->chain->root.p, "global:m.X");      /* 1 hop, 2/3 */
    assert_string_equal(e[1]->chain->root.p, "external:2");      /* 1 hop, 1/3, seen later than m.L */
    assert_string_equal(e[2]->chain->root.p, "global:m.L");
    assert_string_equal(e[3]->chain->root.p, "global:m.B");      /* 2 hops */
    assert_string_equal(e[4]->chain->root.p, "depth");           /* no root: last */
    lp_series_free(s);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_same_chain_counted_once),
        cmocka_unit_test(test_full_set_drops_the_stalest),
        cmocka_unit_test(test_which_series_shows_which),
        cmocka_unit_test(test_best_first),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
