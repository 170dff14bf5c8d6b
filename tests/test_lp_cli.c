/* Unit tests of lp_cli (options, validation, --type selection), lp_time
 * (ISO-8601 and ages) and lp_report's number formatting. */
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
#include "lp_time.h"

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
    assert_string_equal(report_number(b, sizeof b, 48129), "48,129");
    assert_string_equal(report_number(b, sizeof b, 1204), "1,204");
    assert_string_equal(report_number(b, sizeof b, 999), "999");
    assert_string_equal(report_number(b, sizeof b, 1234567.4), "1,234,567");
    assert_string_equal(report_number(b, sizeof b, -1950), "-1,950");
    assert_string_equal(report_number(b, sizeof b, 0.25), "0.25");
    assert_string_equal(report_span(b, sizeof b, 86400), "24h");
    assert_string_equal(report_span(b, sizeof b, 30), "30s");
    assert_string_equal(report_span(b, sizeof b, 3.5 * 86400), "3.5d");
    assert_string_equal(report_span(b, sizeof b, 600), "10m");
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
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
