/* Unit tests of lp_cli (options, validation, --type selection), lp_time
 * (ISO-8601 and ages), lp_report's number formatting and its handling of
 * names that are not UTF-8 (lp_utf8). */
#include <math.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdlib.h>
#include <string.h>
#include <setjmp.h>
#include <cmocka.h>

#include "lp_cli.h"
#include "lp_report.h"
#include "lp_text.h"
#include "lp_time.h"
#include "lp_utf8.h"

static int parse(lp_cli *cli, lp_error *err, int argc, ...)
{
    static char *argv[32];
    va_list ap;
    va_start(ap, argc);
    argv[0] = "leakplot";
    for (int i = 1; i < argc; i++)
        argv[i] = va_arg(ap, char *);
    va_end(ap);
    argv[argc] = NULL;
    return lp_cli_parse(argc, argv, cli, err);
}

static void test_defaults_and_options(void **state)
{
    (void)state;
    lp_cli cli;
    lp_error err;
    assert_int_equal(parse(&cli, &err, 2, "a.log"), 0);
    assert_false(cli.check);
    assert_string_equal(cli.output, "mem.pdf");
    assert_int_equal(cli.top, 24);
    assert_int_equal(cli.n_logs, 1);
    lp_cli_free(&cli);
    assert_int_equal(parse(&cli, &err, 14, "--check", "-q", "-t", "dict", "--type=my.*",
                           "--top", "5", "--since", "6h", "--min-rel", "20%", "a.log",
                           "b.log"), 0);
    assert_true(cli.check && cli.quiet);
    assert_int_equal(cli.n_types, 2);
    assert_int_equal(cli.top, 5);
    assert_true(cli.has_since && cli.since.is_age && cli.since.value == 6 * 3600);
    assert_true(fabs(cli.params.min_rel - 0.2) < 1e-12);
    assert_int_equal(cli.n_logs, 2);
    assert_true(lp_cli_selects(&cli, "dict"));
    assert_true(lp_cli_selects(&cli, "my.Thing"));
    assert_false(lp_cli_selects(&cli, "list"));
    lp_cli_free(&cli);
    assert_int_equal(parse(&cli, &err, 3, "--json", "x"), 0);
    assert_true(cli.json && cli.check);            /* --json implies --check */
    lp_cli_free(&cli);
    assert_int_equal(parse(&cli, &err, 2, "--help"), 0);   /* no LOG needed */
    assert_true(cli.help);
    lp_cli_free(&cli);
}

static void test_usage_errors(void **state)
{
    (void)state;
    lp_cli cli;
    lp_error err;
    assert_int_equal(parse(&cli, &err, 1), -1);
    assert_non_null(strstr(err.msg, "no LOG"));
    lp_cli_free(&cli);
    assert_int_equal(parse(&cli, &err, 3, "-o", "out.txt"), -1);
    assert_non_null(strstr(err.msg, ".pdf"));
    lp_cli_free(&cli);
    assert_int_equal(parse(&cli, &err, 4, "--top", "-3", "a"), -1);
    assert_non_null(strstr(err.msg, "--top"));
    lp_cli_free(&cli);
    assert_int_equal(parse(&cli, &err, 3, "--bogus", "a"), -1);
    assert_non_null(strstr(err.msg, "--bogus"));
    lp_cli_free(&cli);
    assert_int_equal(parse(&cli, &err, 2, "--since"), -1);
    assert_non_null(strstr(err.msg, "needs a value"));
    lp_cli_free(&cli);
    assert_int_equal(parse(&cli, &err, 4, "--since", "yesterday", "a"), -1);
    assert_non_null(strstr(err.msg, "yesterday"));
    lp_cli_free(&cli);
    assert_int_equal(parse(&cli, &err, 4, "--alpha", "2", "a"), -1);
    lp_cli_free(&cli);
    assert_int_equal(parse(&cli, &err, 4, "-o", "graph.SVG", "a"), 0);
    lp_cli_free(&cli);
}

static void test_gauge_literal_and_glob(void **state)
{
    (void)state;
    lp_cli cli;
    lp_error err;
    assert_int_equal(parse(&cli, &err, 4, "-t", "[rss]", "a"), 0);
    assert_true(lp_cli_selects(&cli, "[rss]"));    /* literally, not a class */
    assert_false(lp_cli_selects(&cli, "[blocks]"));
    lp_cli_free(&cli);
}

static void test_times(void **state)
{
    (void)state;
    lp_time_spec t;
    lp_error err;
    assert_int_equal(lp_time_parse("2025-11-21T10:00:00Z", &t, &err), 0);
    assert_false(t.is_age);
    assert_true(t.value == 1763719200);
    assert_int_equal(lp_time_parse("2025-11-21T12:00+02:00", &t, &err), 0);
    assert_true(t.value == 1763719200);
    assert_int_equal(lp_time_parse("2025-11-21 10:00:30.5Z", &t, &err), 0);
    assert_true(t.value == 1763719230.5);
    assert_int_equal(lp_time_parse("@1763700000", &t, &err), 0);
    assert_true(t.value == 1763700000);
    assert_int_equal(lp_time_parse("2d", &t, &err), 0);
    assert_true(t.is_age && t.value == 172800);
    assert_true(lp_time_resolve(&t, 1e6) == 1e6 - 172800);
    assert_int_equal(lp_time_parse("90m", &t, &err), 0);
    assert_true(t.value == 5400);
    assert_int_equal(lp_time_parse("2025-11-21", &t, &err), 0);   /* local midnight */
    assert_int_equal(lp_time_parse("2025-13-01", &t, &err), -1);
    assert_int_equal(lp_time_parse("6x", &t, &err), -1);
    assert_int_equal(lp_time_parse("2025-11-21T10:00Q", &t, &err), -1);
}

static void test_report_numbers(void **state)
{
    (void)state;
    char b[40];
    assert_string_equal(lp_text_number(b, sizeof b, 48129), "48,129");
    assert_string_equal(lp_text_number(b, sizeof b, 1204), "1,204");
    assert_string_equal(lp_text_number(b, sizeof b, 999), "999");
    assert_string_equal(lp_text_number(b, sizeof b, 1234567.4), "1,234,567");
    assert_string_equal(lp_text_number(b, sizeof b, -1950), "-1,950");
    assert_string_equal(lp_text_number(b, sizeof b, 0.25), "0.25");
    assert_string_equal(lp_text_span(b, sizeof b, 86400), "24h");
    assert_string_equal(lp_text_span(b, sizeof b, 30), "30s");
    assert_string_equal(lp_text_span(b, sizeof b, 3.5 * 86400), "3.5d");
    assert_string_equal(lp_text_span(b, sizeof b, 600), "10m");
    /* One rule for bad bytes (U+FFFD) and controls ('?'), PDF and --check. */
    assert_string_equal(lp_text_clean(b, sizeof b, "a\xff\x01z"), "a\xef\xbf\xbd?z");
    assert_string_equal(lp_text_clean(b, 4, "a\xffz"), "a");   /* U+FFFD left out whole */
    lp_run run = {.pid = 31337, .host = "web-1"};
    assert_string_equal(lp_text_where(b, sizeof b, &run), "pid 31337 on web-1");
    run = (lp_run){.pid = -1, .source = "old.log"};
    assert_string_equal(lp_text_where(b, sizeof b, &run), "in old.log");
}

static void test_utf8_strict(void **state)
{
    (void)state;
    static const struct { const char *bytes; size_t len; } cases[] = {
        {"a", 1}, {"\xc3\xa9", 2}, {"\xe2\x80\xa6", 3}, {"\xf0\x9f\x90\x8d", 4},
        {"\xf4\x8f\xbf\xbf", 4},                 /* U+10FFFF, the last */
        {"\xc3(", 0}, {"\xe9", 0}, {"\x80", 0}, {"\xff", 0},
        {"\xc0\xaf", 0}, {"\xe0\x80\xaf", 0}, {"\xf0\x80\x80\xaf", 0},   /* overlong */
        {"\xed\xa0\x80", 0},                     /* a UTF-16 surrogate */
        {"\xf4\x90\x80\x80", 0}, {"\xf5\x80\x80\x80", 0},   /* past U+10FFFF */
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++)
        assert_int_equal(lp_utf8_len((const unsigned char *)cases[i].bytes,
                                     strlen(cases[i].bytes)), cases[i].len);
    assert_int_equal(lp_utf8_len((const unsigned char *)"\xe2\x80", 2), 0);   /* cut */
}

/* A name with bad bytes, a control character and a quote: JSON stays
 * valid (U+FFFD escapes, \u00XX controls), text stays valid UTF-8. */
static void test_report_bad_names(void **state)
{
    (void)state;
    static const char name[] = "caf\xe9\"\x1b[2J\xed\xa0\x80x";
    lp_error err;
    lp_series_store *s = lp_series_new();
    assert_non_null(s);
    long col = lp_series_intern(s, name, strlen(name), lp_series_hash(name, strlen(name)),
                                LP_TYPE, &err);
    assert_int_equal(lp_series_add_run(s, 7, "h\xff", NULL, "x.log", &err), 0);
    assert_int_equal(lp_series_add_row(s, 1000, 0, &err), 0);
    assert_int_equal(lp_series_put_count(s, (uint32_t)col, 5, &err), 0);
    assert_int_equal(lp_series_finish(s, &err), 0);
    detect_finding item = {.col = (size_t)col, .run = 0,
                           .r = {.judged = true, .growing = true, .n = 1}};
    detect_report d = {.items = &item, .n_items = 1, .n_growing = 1, .n_runs = 1};
    lp_read_stats st = {0};
    char text[2048];
    FILE *out = fmemopen(text, sizeof text, "w");
    lp_report_json(out, s, &d, &st, 0, 1);
    fclose(out);
    assert_non_null(strstr(text, "\"name\": \"caf\\ufffd\\\"\\u001b[2J\\ufffd\\ufffd\\ufffdx\""));
    assert_non_null(strstr(text, "\"host\": \"h\\ufffd\""));
    memset(text, 0, sizeof text);
    out = fmemopen(text, sizeof text, "w");
    lp_report_text(out, s, &d);
    fclose(out);
    assert_memory_equal(text, "GROWING caf\xef\xbf\xbd\"?[2J\xef\xbf\xbd\xef\xbf\xbd\xef\xbf\xbdx ",
                        strlen("GROWING caf\xef\xbf\xbd\"?[2J\xef\xbf\xbd\xef\xbf\xbd\xef\xbf\xbdx "));
    assert_non_null(strstr(text, " pid 7 on h\xef\xbf\xbd\n"));
    lp_series_free(s);
}

int main(void)
{
    setenv("TZ", "UTC", 1);
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_defaults_and_options),
        cmocka_unit_test(test_usage_errors),
        cmocka_unit_test(test_gauge_literal_and_glob),
        cmocka_unit_test(test_times),
        cmocka_unit_test(test_report_numbers),
        cmocka_unit_test(test_utf8_strict),
        cmocka_unit_test(test_report_bad_names),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
