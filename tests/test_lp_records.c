/* test_lp_records: the "Why it grows" record lines (#REFS, #BYTES, #LEN)
 * parsed into their series, damaged ones refused, other comments left be. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <string.h>

#include "lp_records.h"

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

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_records_and_their_series),
        cmocka_unit_test(test_other_comments_are_comments),
        cmocka_unit_test(test_damaged_records_are_refused),
        cmocka_unit_test(test_a_name_too_long_is_said),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
