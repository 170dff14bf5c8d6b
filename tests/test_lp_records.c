/* test_lp_records: the "Why it grows" record lines (#REFS, #BYTES, #LEN,
 * #EXACT, #GONE) parsed into their series, #CHAIN referrer chains parsed
 * and said in words (lp_chain.h), damaged ones refused, other comments
 * left be. */
#include <setjmp.h>
#include <stdio.h>
#include <stdlib.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <string.h>

#include "lp_chain.h"
#include "lp_records.h"

/* lp_chain_text and lp_chain_copy allocate in the library, with libc's
 * malloc: they are freed with libc's free, not cmocka's. */
#undef free

static int parse(const char *line, lp_record *r)
{
    return lp_record_parse(line, line + strlen(line), r);
}

static void assert_series(const char *line, const char *series, uint64_t value)
{
    lp_record r;
    char name[256];
    assert_true(parse(line, &r) > 0);
    assert_int_equal(lp_record_series_name(&r, name, sizeof name), strlen(series));
    assert_string_equal(name, series);
    assert_int_equal(r.value, value);
}

static void test_records_and_their_series(void **state)
{
    (void)state;
    lp_record r;
    assert_series("#REFS str 152575 9876543", "str refs", 152575);
    assert_int_equal(parse("#REFS str 152575 9876543", &r), LP_RECORD_REFS);
    assert_int_equal(r.bytes, 9876543);
    assert_series("#BYTES dict 45000000", "dict bytes", 45000000);
    assert_series("#LEN list 0x7f3a2c001e40 110000 registry.LEAKY_REGISTRY",
                  "list registry.LEAKY_REGISTRY len", 110000);
    /* No name for the holder: the container's identity stands in. */
    assert_series("#LEN dict 0x55d0c0 42 -", "dict 0x55d0c0 len", 42);
    assert_series("#EXACT int 5000", "int exact", 5000);
    assert_int_equal(parse("#EXACT dict -12", &r), LP_RECORD_EXACT);
    assert_int_equal(r.net, -12);
    /* Padded with blanks and tabs. */
    assert_series("#BYTES\t  myapp.Cache   12", "myapp.Cache bytes", 12);
}

static void test_other_comments_are_comments(void **state)
{
    (void)state;
    lp_record r;
    assert_int_equal(parse("# a comment", &r), LP_RECORD_NONE);
    assert_int_equal(parse("#", &r), LP_RECORD_NONE);
    assert_int_equal(parse("#REFSX str 1 2", &r), LP_RECORD_NONE);
    assert_int_equal(parse("#START 1763700000.125 pid=1", &r), LP_RECORD_NONE);
}

static void test_damaged_records_are_refused(void **state)
{
    (void)state;
    lp_record r;
    assert_int_equal(parse("#REFS str 12", &r), -1);           /* no bytes */
    assert_int_equal(parse("#REFS str x 12", &r), -1);
    assert_int_equal(parse("#REFS", &r), -1);
    assert_int_equal(parse("#BYTES dict 12 13", &r), -1);      /* one field too many */
    assert_int_equal(parse("#BYTES dict -3", &r), -1);
    assert_int_equal(parse("#BYTES dict 99999999999999999999", &r), -1);
    assert_int_equal(parse("#LEN list 0x1 12", &r), -1);       /* no holder */
    assert_int_equal(parse("#LEN list 0x1 1e3 x", &r), -1);
    assert_int_equal(parse("#EXACT int -", &r), -1);
    assert_int_equal(parse("#EXACT int 1 2", &r), -1);
}

static void test_a_name_too_long_is_said(void **state)
{
    (void)state;
    lp_record r;
    char name[8];
    assert_int_equal(parse("#BYTES averylongname 1", &r), LP_RECORD_BYTES);
    assert_int_equal(lp_record_series_name(&r, name, sizeof name), 0);
}

static void test_gone_records(void **state)
{
    (void)state;
    lp_record r;
    assert_series("#GONE job 17", "job survived expect_gone", 17);
    assert_int_equal(parse("#GONE job 17", &r), LP_RECORD_GONE);
    /* the contract: a reader ignores trailing fields it does not know */
    assert_series("#GONE tmpbuf 3 later=1 more", "tmpbuf survived expect_gone", 3);
    assert_int_equal(parse("#GONE job", &r), -1);
    assert_int_equal(parse("#GONE job many", &r), -1);
    assert_int_equal(parse("#GONE job -1", &r), -1);
    assert_int_equal(parse("#GONE", &r), -1);
    assert_int_equal(parse("#GONEX job 1", &r), LP_RECORD_NONE);
}

/* ---- #CHAIN ---------------------------------------------------------------- */

static lp_hop hops[LP_CHAIN_MAX_HOPS];

static int chain(const char *line, lp_chain *c)
{
    return lp_chain_parse(line, line + strlen(line), c, hops);
}

static void assert_span(lp_span s, const char *want)
{
    assert_int_equal(s.len, strlen(want));
    assert_memory_equal(s.p, want, s.len);
}

/* The words of line's chain, whole, are want. */
static void assert_words(const char *line, const char *want)
{
    lp_chain c;
    assert_int_equal(chain(line, &c), 1);
    char *text = lp_chain_text(&c);
    assert_non_null(text);
    assert_string_equal(text, want);
    free(text);
}

static void test_chain_fields(void **state)
{
    (void)state;
    lp_chain c;
    const char *line = "#CHAIN leaky.Channel auto 3/4 global:__main__.BROKER "
                       "leaky.Connection@0x7f3a1c2b4d10:.channels[<int>]";
    assert_int_equal(chain(line, &c), 1);
    assert_span(c.type, "leaky.Channel");
    assert_span(c.why, "auto");
    assert_int_equal(c.k, 3);
    assert_int_equal(c.n, 4);
    assert_int_equal(c.root_kind, LP_ROOT_GLOBAL);
    assert_span(c.root, "global:__main__.BROKER");
    assert_span(c.root_name, "__main__.BROKER");
    assert_int_equal(c.n_hops, 1);
    assert_span(c.hops[0].type, "leaky.Connection");
    assert_span(c.hops[0].address, "0x7f3a1c2b4d10");
    assert_span(c.hops[0].edge, ".channels[<int>]");
    /* the edge is everything after the first ':' after the '@' */
    assert_int_equal(chain("#CHAIN a.B config 1/1 unknown dict@0xAB:['k:v@w']", &c), 1);
    assert_span(c.hops[0].edge, "['k:v@w']");
    /* a thread's name may hold ':'; function and variable cannot */
    assert_int_equal(chain("#CHAIN a.B explain 1/1 frame:pool:worker-1:run:job", &c), 1);
    assert_int_equal(c.root_kind, LP_ROOT_FRAME);
    assert_span(c.thread, "pool:worker-1");
    assert_span(c.function, "run");
    assert_span(c.variable, "job");
    assert_int_equal(chain("#CHAIN int auto 2/2 external:5", &c), 1);
    assert_int_equal(c.root_kind, LP_ROOT_EXTERNAL);
    assert_int_equal(c.excess, 5);
    assert_int_equal(c.n_hops, 0);
    /* a gone:<label> chain */
    lp_span label;
    assert_int_equal(chain("#CHAIN app.Job gone:job 1/1 global:app._F dict@0x1:['j']", &c), 1);
    assert_true(lp_chain_gone_label(&c, &label));
    assert_span(label, "job");
    assert_int_equal(chain("#CHAIN app.Job gone: 1/1 depth", &c), 1);
    assert_false(lp_chain_gone_label(&c, &label));        /* no label: not gone */
    /* a field after the hops that is not one, and all after it, ignored */
    assert_int_equal(chain("#CHAIN a.B auto 1/2 depth x@0x1:.a future=1 y@0x2:.b", &c), 1);
    assert_int_equal(c.n_hops, 1);
}

static void test_chain_in_words(void **state)
{
    (void)state;
    /* chain_format.md's example */
    assert_words("#CHAIN leaky.Channel auto 3/3 global:__main__.BROKER "
                 "leaky.Connection@0x7f3a1c2b4d10:.channels[<int>]",
                 "held by: leaky.Connection.channels[<int>] <- __main__.BROKER");
    /* a plain container held by a global is folded into it */
    assert_words("#CHAIN app.Record auto 5/5 global:__main__.LEAKY_REGISTRY list@0x7f00:[<int>]",
                 "held by: __main__.LEAKY_REGISTRY[<int>]");
    assert_words("#CHAIN app.E config 8/8 class:app.cache.LRU._entries "
                 "collections.OrderedDict@0x7f01:['/api']",
                 "held by: app.cache.LRU._entries['/api']");
    /* not when an object is between, nor for a frame's local */
    assert_words("#CHAIN m.M auto 2/3 global:__main__.B m.C@0x10:.callbacks[<int>] "
                 "list@0x11:[<int>] m.Conn@0x12:.channels[<int>]",
                 "held by: m.C.callbacks[<int>] <- list[<int>] <- m.Conn.channels[<int>] "
                 "<- __main__.B");
    assert_words("#CHAIN m.M auto 1/1 frame:MainThread:serve:conns list@0x13:[<int>]",
                 "held by: list[<int>] <- thread MainThread in serve() local conns");
    assert_words("#CHAIN m.M auto 1/3 external:2 m.C@0x14:.callbacks[<int>]",
                 "held by: m.C.callbacks[<int>] <- held only from outside the collector "
                 "(+2 refs)");
    assert_words("#CHAIN m.N auto 1/1 depth m.N@0x1:.next m.N@0x2:.next",
                 "held by: m.N.next <- m.N.next <- (depth limit)");
    assert_words("#CHAIN m.N auto 1/1 unknown", "held by: (no referrer found)");
}

static void test_damaged_chains_are_refused(void **state)
{
    (void)state;
    lp_chain c;
    assert_int_equal(chain("#CHAIN", &c), -1);
    assert_int_equal(chain("#CHAIN a.B", &c), -1);
    assert_int_equal(chain("#CHAIN a.B auto", &c), -1);
    assert_int_equal(chain("#CHAIN a.B auto 3/3", &c), -1);          /* no root */
    assert_int_equal(chain("#CHAIN a.B auto 3/x depth", &c), -1);
    assert_int_equal(chain("#CHAIN a.B auto 4/3 depth", &c), -1);    /* k > n */
    assert_int_equal(chain("#CHAIN a.B auto 0/0 depth", &c), -1);
    assert_int_equal(chain("#CHAIN a.B auto 3 depth", &c), -1);
    assert_int_equal(chain("#CHAIN a.B auto 1/1 nowhere:x", &c), -1);
    assert_int_equal(chain("#CHAIN a.B auto 1/1 global:", &c), -1);
    assert_int_equal(chain("#CHAIN a.B auto 1/1 frame:t:f", &c), -1);
    assert_int_equal(chain("#CHAIN a.B auto 1/1 external:lots", &c), -1);
    assert_int_equal(chain("#CHAIN a.B auto 1/1 depths", &c), -1);
    /* more hops than any depth limit */
    char line[LP_CHAIN_MAX_HOPS * 16 + 64];
    size_t o = (size_t)snprintf(line, sizeof line, "#CHAIN a.B auto 1/1 depth");
    for (int i = 0; i <= LP_CHAIN_MAX_HOPS; i++)
        o += (size_t)snprintf(line + o, sizeof line - o, " x@0x%x:.n", i + 1);
    assert_int_equal(chain(line, &c), -1);
    /* other comments are not chains */
    assert_int_equal(chain("#CHAINS a.B auto 1/1 depth", &c), 0);
    assert_int_equal(chain("# CHAIN a.B auto 1/1 depth", &c), 0);
}

static void test_chain_copy_and_same(void **state)
{
    (void)state;
    lp_chain a, b;
    lp_hop other[LP_CHAIN_MAX_HOPS];
    const char *la = "#CHAIN m.C auto 2/3 frame:T:f:v m.Conn@0x10:.channels[<int>]";
    const char *lb = "#CHAIN m.C explain 3/3 frame:T:f:v m.Conn@0x99:.channels[<int>]";
    assert_int_equal(chain(la, &a), 1);
    assert_int_equal(lp_chain_parse(lb, lb + strlen(lb), &b, other), 1);
    lp_chain *copy = lp_chain_copy(&a);
    assert_non_null(copy);
    assert_string_equal(copy->type.p, "m.C");
    assert_string_equal(copy->root.p, "frame:T:f:v");
    assert_span(copy->variable, "v");
    assert_string_equal(copy->hops[0].address.p, "0x10");
    assert_string_equal(copy->hops[0].edge.p, ".channels[<int>]");
    /* same path through other objects, asked for otherwise: the same */
    assert_true(lp_chain_same(copy, &b));
    const char *lc = "#CHAIN m.C gone:x 1/1 frame:T:f:v m.Conn@0x10:.channels[<int>]";
    assert_int_equal(lp_chain_parse(lc, lc + strlen(lc), &b, other), 1);
    assert_false(lp_chain_same(copy, &b));      /* a survivor's chain is its own */
    const char *ld = "#CHAIN m.C auto 2/3 frame:T:f:v m.Conn@0x10:.callbacks[<int>]";
    assert_int_equal(lp_chain_parse(ld, ld + strlen(ld), &b, other), 1);
    assert_false(lp_chain_same(copy, &b));
    free(copy);
}

static void test_chain_fit(void **state)
{
    (void)state;
    char out[64];
    assert_string_equal(lp_chain_fit(out, sizeof out, "held by: a.B", 20), "held by: a.B");
    /* 30 columns: a third of the start, "…", the rest from the end */
    lp_chain_fit(out, sizeof out, "held by: aaaaaaaaaa <- bbbbbbbbbb <- __main__.ROOT", 30);
    assert_string_equal(out, "held by: \xe2\x80\xa6" "bbb <- __main__.ROOT");
    /* never a code point cut in two: é is two bytes, … three */
    lp_chain_fit(out, sizeof out, "\xc3\xa9\xc3\xa9\xc3\xa9\xc3\xa9\xc3\xa9\xc3\xa9", 4);
    assert_string_equal(out, "\xc3\xa9\xe2\x80\xa6\xc3\xa9\xc3\xa9");
    char tiny[6];
    lp_chain_fit(tiny, sizeof tiny, "\xc3\xa9\xc3\xa9\xc3\xa9\xc3\xa9", 10);
    assert_string_equal(tiny, "\xc3\xa9\xe2\x80\xa6");
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_gone_records),
        cmocka_unit_test(test_chain_fields),
        cmocka_unit_test(test_chain_in_words),
        cmocka_unit_test(test_damaged_chains_are_refused),
        cmocka_unit_test(test_chain_copy_and_same),
        cmocka_unit_test(test_chain_fit),
        cmocka_unit_test(test_records_and_their_series),
        cmocka_unit_test(test_other_comments_are_comments),
        cmocka_unit_test(test_damaged_records_are_refused),
        cmocka_unit_test(test_a_name_too_long_is_said),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
