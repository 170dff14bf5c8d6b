/* test_logfmt: the exact text of log format version 1. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>
#include <cmocka.h>

#include "logfmt.h"

static void test_header(void **state)
{
    (void)state;
    logfmt_buf b = {0};
    logfmt_header h = {.pid = 31337, .host = "web-1", .program = "my consumer",
                       .extra = "python=3.11.7", .interval_ms = 60000};
    assert_int_equal(logfmt_append_header(&b, &h), 0);
    assert_string_equal(b.data, "# leakagent 1 pid=31337 host=web-1 program=my_consumer python=3.11.7 interval=60\n");
    b.len = 0;
    logfmt_header h2 = {.pid = 1, .interval_ms = 250};
    assert_int_equal(logfmt_append_header(&b, &h2), 0);
    assert_string_equal(b.data, "# leakagent 1 pid=1 interval=0.25\n");
    b.len = 0;
    logfmt_header h3 = {.pid = 7, .host = "w", .interval_ms = 1000, .start = 1763700000.25};
    assert_int_equal(logfmt_append_header(&b, &h3), 0);
    assert_string_equal(b.data, "# leakagent 1 pid=7 host=w interval=1 start=1763700000.25\n");
    logfmt_buf_free(&b);
}

static void test_snapshot_text(void **state)
{
    (void)state;
    snapshot s;
    snap_init(&s);
    s.time = 1763700000.125;
    s.pid = 31337;
    snap_set_gauge(&s, "rss", 52428800);
    snap_set_gauge(&s, "blocks", 412345);
    snap_set_gauge(&s, "sample_ms", 3.1);
    snap_add(&s, "dict", 4, 378631);
    snap_add(&s, "list", 4, 184791);
    snap_add(&s, "amqplib.client_0_8.Message", 26, 48129);
    snap_add(&s, "odd name\twith\x01junk", 19, 0);
    snap_add(&s, "", 0, 18446744073709551615ULL);
    logfmt_buf b = {0};
    assert_int_equal(logfmt_append_snapshot(&b, &s), 0);
    assert_string_equal(b.data,
        "#START 1763700000.125 pid=31337 rss=52428800 blocks=412345 sample_ms=3.1\n"
        "dict 378631\n"
        "list 184791\n"
        "amqplib.client_0_8.Message 48129\n"
        "odd_name_with_junk 0\n"
        "_ 18446744073709551615\n");
    assert_int_equal(b.len, strlen(b.data));
    logfmt_buf_free(&b);
    snap_free(&s);
}

/* Detail records follow the counts, every line starting with '#', names
 * sanitised like count names; the #START line and counts are unchanged. */
static void test_records_text(void **state)
{
    (void)state;
    snapshot s;
    snap_init(&s);
    s.time = 1763700000.5;
    s.pid = 7;
    snap_add(&s, "list", 4, 12);
    snap_add_record(&s, SNAP_REC_REFS, "str", 3, NULL, 110000, 6160000, 0);
    snap_add_record(&s, SNAP_REC_BYTES, "list", 4, NULL, 880056, 0, 0);
    snap_add_record(&s, SNAP_REC_LEN, "list", 4, "registry.LEAKY_REGISTRY", 110000, 0,
                    0x7f00deadbeefULL);
    snap_add_record(&s, SNAP_REC_LEN, "dict", 4, "-", 9, 0, 0x10);
    snap_add_record(&s, SNAP_REC_EXACT, "my type", 7, NULL, -3, 0, 0);
    snap_add_record(&s, SNAP_REC_CHAIN, "leaky.Channel", 13,
                    "auto 3/3  global:__main__.BROKER leaky.Connection@0x10:.channels['a\tb']", 3,
                    0, 0);
    snap_add_record(&s, SNAP_REC_GONE, "job done", 8, NULL, 2, 0, 0);
    logfmt_buf b = {0};
    assert_int_equal(logfmt_append_snapshot(&b, &s), 0);
    assert_string_equal(b.data,
        "#START 1763700000.500 pid=7\n"
        "list 12\n"
        "#REFS str 110000 6160000\n"
        "#BYTES list 880056\n"
        "#LEN list 0x7f00deadbeef 110000 registry.LEAKY_REGISTRY\n"
        "#LEN dict 0x10 9 -\n"
        "#EXACT my_type -3\n"
        "#CHAIN leaky.Channel auto 3/3 global:__main__.BROKER "
        "leaky.Connection@0x10:.channels['a_b']\n"
        "#GONE job_done 2\n");
    logfmt_buf_free(&b);
    snap_free(&s);
}

static void test_numbers(void **state)
{
    (void)state;
    char out[64];
    logfmt_number(out, sizeof out, 0);
    assert_string_equal(out, "0");
    logfmt_number(out, sizeof out, 1e12);
    assert_string_equal(out, "1000000000000");
    logfmt_number(out, sizeof out, 0.5);
    assert_string_equal(out, "0.5");
    logfmt_number(out, sizeof out, 2.0004);
    assert_string_equal(out, "2");
    logfmt_number(out, sizeof out, 12.3456);
    assert_string_equal(out, "12.346");
}

static void test_buffer_grows(void **state)
{
    (void)state;
    logfmt_buf b = {0};
    for (int i = 0; i < 10000; i++)
        assert_int_equal(logfmt_buf_printf(&b, "%05d\n", i), 0);
    assert_int_equal(b.len, 60000);
    assert_memory_equal(b.data + 59994, "09999\n", 6);
    logfmt_buf_free(&b);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_header),
        cmocka_unit_test(test_snapshot_text),
        cmocka_unit_test(test_records_text),
        cmocka_unit_test(test_numbers),
        cmocka_unit_test(test_buffer_grows),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
