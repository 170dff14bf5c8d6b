/* test_cfg: the config loader (every key, every error class with its
 * line:column), the value parsers and the log-path template. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "cfg.h"
#include "cfg_keys.h"
#include "cfg_path.h"
#include "cfg_value.h"

#ifndef SOURCE_DIR
#define SOURCE_DIR "."
#endif

static int setup(void **state)
{
    cfg_config *cfg = malloc(sizeof *cfg);
    assert_non_null(cfg);
    assert_int_equal(cfg_init(cfg), 0);
    *state = cfg;
    return 0;
}

static int teardown(void **state)
{
    cfg_free(*state);
    free(*state);
    return 0;
}

static int load(cfg_config *cfg, const char *text, la_error *err)
{
    return cfg_load_string(cfg, text, strlen(text), "t.yaml", err);
}

/* Loading must fail with exactly this message, leaving cfg untouched. */
static void assert_refused(cfg_config *cfg, const char *text, const char *message)
{
    la_error err = {{0}};
    uint64_t interval_before = cfg->interval_ms;
    assert_int_equal(load(cfg, text, &err), -1);
    assert_string_equal(err.msg, message);
    assert_int_equal(cfg->interval_ms, interval_before);
}

static void test_defaults(void **state)
{
    cfg_config *cfg = *state;
    assert_true(cfg->enabled);
    assert_int_equal(cfg->interval_ms, 60000);
    assert_string_equal(cfg->log_path, "most_common.log");
    assert_int_equal(cfg->log_max_size, 10 * 1024 * 1024);
    assert_int_equal(cfg->log_keep, 10);
    assert_true(cfg->log_compress);
    assert_false(cfg->sample_collect);
    assert_int_equal(cfg->sample_top, 0);
    assert_int_equal(cfg->sample_min_count, 1);
    assert_int_equal(cfg->sample_include.count, 0);
    assert_int_equal(cfg->sample_exclude.count, 0);
    assert_true(cfg->max_overhead > 0.0099 && cfg->max_overhead < 0.0101);
    assert_int_equal(cfg->gauges.count, 4);
    assert_string_equal(cfg->gauges.items[0], "rss");
    assert_string_equal(cfg->gauges.items[3], "sample_ms");
    assert_string_equal(cfg->prometheus_textfile, "");
    assert_int_equal(cfg->log_mode, 0640);
    assert_int_equal(cfg->prometheus_mode, 0644);
    assert_int_equal(cfg->autostart_programs.count, 0);
    assert_true(cfg_autostart_allows(cfg, "anything"));
}

static void test_empty_file_keeps_defaults(void **state)
{
    cfg_config *cfg = *state;
    la_error err;
    assert_int_equal(load(cfg, "", &err), 0);
    assert_int_equal(load(cfg, "# only a comment\n", &err), 0);
    assert_int_equal(cfg->interval_ms, 60000);
}

static void test_every_key(void **state)
{
    cfg_config *cfg = *state;
    la_error err = {{0}};
    const char *text =
        "enabled: false\n"
        "interval: 250ms\n"
        "log:\n"
        "  path: /tmp/x.%p.log\n"
        "  max_size: 1.5MB\n"
        "  keep: 3\n"
        "  compress: no\n"
        "  mode: 0600\n"
        "sample:\n"
        "  collect: yes\n"
        "  top: 50\n"
        "  min_count: 7\n"
        "  include: [\"myapp.*\", dict]\n"
        "  exclude:\n"
        "    - \"_frozen*\"\n"
        "max_overhead: 2.5%\n"
        "gauges: [rss, blocks]\n"
        "prometheus:\n"
        "  textfile: /tmp/p.prom\n"
        "  mode: \"0o664\"\n"
        "autostart:\n"
        "  programs: [gunicorn, \"myapp*\"]\n";
    assert_int_equal(load(cfg, text, &err), 0);
    assert_false(cfg->enabled);
    assert_int_equal(cfg->interval_ms, 250);
    assert_string_equal(cfg->log_path, "/tmp/x.%p.log");
    assert_int_equal(cfg->log_max_size, 1572864);
    assert_int_equal(cfg->log_keep, 3);
    assert_false(cfg->log_compress);
    assert_true(cfg->sample_collect);
    assert_int_equal(cfg->sample_top, 50);
    assert_int_equal(cfg->sample_min_count, 7);
    assert_int_equal(cfg->sample_include.count, 2);
    assert_string_equal(cfg->sample_include.items[0], "myapp.*");
    assert_string_equal(cfg->sample_include.items[1], "dict");
    assert_int_equal(cfg->sample_exclude.count, 1);
    assert_string_equal(cfg->sample_exclude.items[0], "_frozen*");
    assert_true(cfg->max_overhead > 0.0249 && cfg->max_overhead < 0.0251);
    assert_int_equal(cfg->gauges.count, 2);
    assert_true(cfg_wants_gauge(cfg, "blocks"));
    assert_false(cfg_wants_gauge(cfg, "sample_ms"));
    assert_string_equal(cfg->prometheus_textfile, "/tmp/p.prom");
    assert_int_equal(cfg->log_mode, 0600);
    assert_int_equal(cfg->prometheus_mode, 0664);
    assert_int_equal(cfg->autostart_programs.count, 2);
    assert_true(cfg_autostart_allows(cfg, "gunicorn"));
    assert_true(cfg_autostart_allows(cfg, "myapp-worker"));
    assert_false(cfg_autostart_allows(cfg, "pip"));
    assert_false(cfg_autostart_allows(cfg, "python3"));
}

static void test_example_config_loads(void **state)
{
    cfg_config *cfg = *state;
    la_error err = {{0}};
    int rc = cfg_load_file(cfg, SOURCE_DIR "/config/leakagent.yaml", &err);
    if (rc != 0)
        fail_msg("%s", err.msg);
    assert_int_equal(cfg->interval_ms, 60000);
    assert_string_equal(cfg->log_path, "/var/log/myapp/most_common.%p.log");
}

static void test_unknown_key_suggests(void **state)
{
    cfg_config *cfg = *state;
    assert_refused(cfg, "intervall: 5s\n", "t.yaml:1:1: unknown key 'intervall', did you mean 'interval'?");
    assert_refused(cfg, "log:\n  max_sise: 1MB\n", "t.yaml:2:3: unknown key 'max_sise', did you mean 'max_size'?");
    assert_refused(cfg, "sample:\n  colect: true\n", "t.yaml:2:3: unknown key 'colect', did you mean 'collect'?");
    assert_refused(cfg, "path: /tmp/x\n", "t.yaml:1:1: unknown key 'path' here; it belongs under 'log:'");
    assert_refused(cfg, "enabled: true\nfrobnicate: 1\n", "t.yaml:2:1: unknown key 'frobnicate'");
    assert_refused(cfg, "gauges: [rss, blokcs]\n", "t.yaml:1:15: unknown gauge 'blokcs', did you mean 'blocks'?");
}

static void test_wrong_types(void **state)
{
    cfg_config *cfg = *state;
    assert_refused(cfg, "enabled: maybe\n", "t.yaml:1:10: enabled: 'maybe' is not a boolean (write true or false)");
    assert_refused(cfg, "interval: [1, 2]\n", "t.yaml:1:11: interval must be a duration such as 60s, not a list");
    assert_refused(cfg, "log: /tmp/x.log\n", "t.yaml:1:6: 'log' must be a mapping of keys, not a scalar");
    assert_refused(cfg, "sample:\n  include: \"myapp.*\"\n",
                   "t.yaml:2:12: sample.include must be a list of glob patterns, not a scalar (write e.g. [\"myapp.*\"])");
    assert_refused(cfg, "sample:\n  top: many\n", "t.yaml:2:8: sample.top: 'many' is not a whole number");
    assert_refused(cfg, "sample:\n  exclude: [[a]]\n", "t.yaml:2:13: sample.exclude: entries must be strings, not a list");
    assert_refused(cfg, "- interval\n", "t.yaml:1:1: the config must be a mapping of keys (key: value), not a list");
    assert_refused(cfg, "interval:\n", "t.yaml:1:10: interval has no value (expected a duration such as 60s)");
    /* YAML's \0 escape must not cut a value (or key) short: "5s\0junk" is not 5s. */
    assert_refused(cfg, "interval: \"5s\\0junk\"\n", "t.yaml:1:11: a NUL character (\\0) is not allowed in a config");
    assert_refused(cfg, "log:\n  \"path\\0x\": /tmp/a\n", "t.yaml:2:3: a NUL character (\\0) is not allowed in a config");
}

static void test_bad_units_and_ranges(void **state)
{
    cfg_config *cfg = *state;
    assert_refused(cfg, "interval: 5mins\n", "t.yaml:1:11: interval: bad unit 'mins' in duration '5mins' (use ms, s, m, h, d)");
    assert_refused(cfg, "interval: 60\n", "t.yaml:1:11: interval: missing unit in duration '60' (did you mean '60s'?)");
    assert_refused(cfg, "interval: 5ms\n", "t.yaml:1:11: interval: 5ms is out of range (10ms .. 1d)");
    assert_refused(cfg, "interval: 2d\n", "t.yaml:1:11: interval: 2d is out of range (10ms .. 1d)");
    assert_refused(cfg, "log:\n  max_size: 10XB\n", "t.yaml:2:13: log.max_size: bad unit 'XB' in size '10XB' (use B, KB, MB, GB)");
    assert_refused(cfg, "log:\n  keep: 1001\n", "t.yaml:2:9: log.keep: 1001 is out of range (at most 1000)");
    assert_refused(cfg, "max_overhead: 0%\n", "t.yaml:1:15: max_overhead: percentage '0%' out of range (more than 0%, at most 100%)");
    assert_refused(cfg, "log:\n  mode: 0400\n",
                   "t.yaml:2:9: log.mode: 0400: the owner must be able to read and write (0600 at least)");
    assert_refused(cfg, "log:\n  mode: 4755\n", "t.yaml:2:9: log.mode: 4755: only permission bits (at most 0777)");
    assert_refused(cfg, "log:\n  mode: rw-r-----\n",
                   "t.yaml:2:9: log.mode: 'rw-r-----' is not a file mode (write it in octal, e.g. 0640)");
    assert_refused(cfg, "prometheus:\n  mode: 0689\n",
                   "t.yaml:2:9: prometheus.mode: '0689' is not a file mode (write it in octal, e.g. 0640)");
    assert_refused(cfg, "autostart:\n  program: [x]\n",
                   "t.yaml:2:3: unknown key 'program', did you mean 'programs'?");
    assert_refused(cfg, "log:\n  path: /tmp/%q.log\n",
                   "t.yaml:2:9: unknown '%q' in log.path '/tmp/%q.log' (use %p pid, %h host, %n program, %% percent)");
}

static void test_syntax_errors(void **state)
{
    cfg_config *cfg = *state;
    la_error err = {{0}};
    assert_int_equal(load(cfg, "interval: 5s\nlog:\n  path: [unclosed\n", &err), -1);
    assert_non_null(strstr(err.msg, "YAML syntax error"));
    assert_int_equal(strncmp(err.msg, "t.yaml:4:1:", 11), 0);
    assert_int_equal(load(cfg, "interval: 5s\n  bad indent: 1\n", &err), -1);
    assert_int_equal(strncmp(err.msg, "t.yaml:2:", 9), 0);
    assert_non_null(strstr(err.msg, "YAML syntax error"));
    assert_refused(cfg, "interval: 5s\ninterval: 6s\n", "t.yaml:2:1: duplicate key 'interval' (first at line 1)");
    assert_refused(cfg, "interval: 5s\n---\ninterval: 6s\n", "t.yaml:3:1: only one YAML document is allowed in a config file");
}

static void test_refused_file_is_not_half_applied(void **state)
{
    cfg_config *cfg = *state;
    la_error err;
    assert_int_equal(load(cfg, "interval: 5s\nlog:\n  keep: 3\n  compress: sometimes\n", &err), -1);
    assert_int_equal(cfg->interval_ms, 60000);
    assert_int_equal(cfg->log_keep, 10);
}

static void test_missing_file(void **state)
{
    cfg_config *cfg = *state;
    la_error err;
    assert_int_equal(cfg_load_file(cfg, "/nonexistent/leakagent.yaml", &err), -1);
    assert_string_equal(err.msg, "/nonexistent/leakagent.yaml:1:1: cannot open config file: No such file or directory");
}

static void test_durations(void **state)
{
    (void)state;
    uint64_t ms;
    la_error err;
    assert_int_equal(cfg_parse_duration_ms("100ms", &ms, &err), 0);
    assert_int_equal(ms, 100);
    assert_int_equal(cfg_parse_duration_ms("1.5s", &ms, &err), 0);
    assert_int_equal(ms, 1500);
    assert_int_equal(cfg_parse_duration_ms("5m", &ms, &err), 0);
    assert_int_equal(ms, 300000);
    assert_int_equal(cfg_parse_duration_ms("2h", &ms, &err), 0);
    assert_int_equal(ms, 7200000);
    assert_int_equal(cfg_parse_duration_ms("1d", &ms, &err), 0);
    assert_int_equal(ms, 86400000);
    assert_int_equal(cfg_parse_duration_ms("10 S", &ms, &err), 0);
    assert_int_equal(ms, 10000);
    assert_int_equal(cfg_parse_duration_ms("-1s", &ms, &err), -1);
    assert_int_equal(cfg_parse_duration_ms("s", &ms, &err), -1);
    assert_string_equal(err.msg, "'s' is not a duration (write e.g. 500ms, 60s, 5m, 1h, 1d)");
}

static void test_sizes(void **state)
{
    (void)state;
    uint64_t b;
    la_error err;
    assert_int_equal(cfg_parse_size("0", &b, &err), 0);
    assert_int_equal(b, 0);
    assert_int_equal(cfg_parse_size("512B", &b, &err), 0);
    assert_int_equal(b, 512);
    assert_int_equal(cfg_parse_size("4KB", &b, &err), 0);
    assert_int_equal(b, 4096);
    assert_int_equal(cfg_parse_size("10MB", &b, &err), 0);
    assert_int_equal(b, 10485760);
    assert_int_equal(cfg_parse_size("1GB", &b, &err), 0);
    assert_int_equal(b, 1073741824);
    assert_int_equal(cfg_parse_size("2 MiB", &b, &err), 0);
    assert_int_equal(b, 2097152);
    assert_int_equal(cfg_parse_size("1TB", &b, &err), -1);
    assert_int_equal(cfg_parse_size("big", &b, &err), -1);
}

static void test_percent_bool_uint(void **state)
{
    (void)state;
    double f;
    bool v;
    uint64_t u;
    la_error err;
    assert_int_equal(cfg_parse_percent("1%", &f, &err), 0);
    assert_true(f > 0.00999 && f < 0.01001);
    assert_int_equal(cfg_parse_percent("100", &f, &err), 0);
    assert_true(f > 0.999);
    assert_int_equal(cfg_parse_percent("101%", &f, &err), -1);
    assert_int_equal(cfg_parse_bool("On", &v, &err), 0);
    assert_true(v);
    assert_int_equal(cfg_parse_bool("off", &v, &err), 0);
    assert_false(v);
    assert_int_equal(cfg_parse_uint("18446744073709551616", UINT64_MAX, &u, &err), -1);
    assert_int_equal(cfg_parse_uint("12x", 100, &u, &err), -1);
}

static void test_nearest(void **state)
{
    (void)state;
    static const char *const words[] = {"interval", "enabled", "gauges", NULL};
    assert_string_equal(cfg_nearest("intervl", words), "interval");
    assert_string_equal(cfg_nearest("Enabled", words), "enabled");
    assert_null(cfg_nearest("xyz", words));
    assert_int_equal(cfg_edit_distance("kitten", "sitting"), 3);
}

static void test_path_template(void **state)
{
    (void)state;
    la_error err;
    char *p = cfg_expand_path("/var/log/%n/%h.%p.log", 42, "web-1", "consumer", &err);
    assert_string_equal(p, "/var/log/consumer/web-1.42.log");
    free(p);
    p = cfg_expand_path("100%%-%p", 7, NULL, NULL, &err);
    assert_string_equal(p, "100%-7");
    free(p);
    p = cfg_expand_path("%n.log", 1, "h", "a/b", &err);
    assert_string_equal(p, "a_b.log");
    free(p);
    assert_null(cfg_expand_path("x%", 1, "h", "n", &err));
    assert_string_equal(err.msg, "log.path 'x%' ends with a lone '%' (write %% for a percent sign)");
    assert_int_equal(cfg_check_path_template("", &err), -1);
}

static void test_overrides(void **state)
{
    cfg_config *cfg = *state;
    la_error err;
    assert_int_equal(cfg_set(cfg, "interval", "10s", &err), 0);
    assert_int_equal(cfg->interval_ms, 10000);
    assert_int_equal(cfg_set(cfg, "log.path", "/tmp/a.log", &err), 0);
    assert_int_equal(cfg_set(cfg, "log_path", "/tmp/b.log", &err), 0);
    assert_string_equal(cfg->log_path, "/tmp/b.log");
    assert_int_equal(cfg_set(cfg, "max_size", "1KB", &err), 0);
    assert_int_equal(cfg->log_max_size, 1024);
    assert_int_equal(cfg_set(cfg, "top", "5", &err), 0);
    assert_int_equal(cfg->sample_top, 5);
    assert_int_equal(cfg_set(cfg, "intervall", "5s", &err), -1);
    assert_string_equal(err.msg, "override 'intervall': unknown key, did you mean 'interval'?");
    assert_int_equal(cfg_set(cfg, "interval", "5x", &err), -1);
    assert_string_equal(err.msg, "override 'interval': interval: bad unit 'x' in duration '5x' (use ms, s, m, h, d)");
    assert_int_equal(cfg->interval_ms, 10000);
    const char *items[] = {"myapp.*"};
    assert_int_equal(cfg_set_list(cfg, "include", items, 1, &err), 0);
    assert_string_equal(cfg->sample_include.items[0], "myapp.*");
    const char *bad[] = {"rss", "nope"};
    assert_int_equal(cfg_set_list(cfg, "gauges", bad, 2, &err), -1);
    assert_int_equal(cfg->gauges.count, 4);
    assert_int_equal(cfg_set(cfg, "gauges", "rss", &err), -1);
}

/* cfg_known_keys (for suggestions) lists every key of the table and every
 * section, and nothing else. */
static void test_known_keys_match_the_table(void **state)
{
    (void)state;
    size_t n = 0;
    for (size_t i = 0; cfg_known_keys[i]; i++, n++) {
        const char *k = cfg_known_keys[i];
        assert_true(cfg_key_find(k) != NULL || cfg_key_is_section(k));
    }
    size_t sections = 0;
    while (cfg_sections[sections])
        sections++;
    assert_int_equal(n, cfg_n_keys + sections);
}

/* The detail keys' defaults and values, and cfg_refuse: where a key was
 * set (file, override, default) goes into the message, as a part that knows
 * more than the core (the Python extension) refuses a value. */
static void test_detail_keys_and_refuse(void **state)
{
    cfg_config *cfg = *state;
    la_error err = {{0}};
    assert_true(cfg->sample_referents);
    assert_true(cfg->sample_sizes);
    assert_int_equal(cfg->sample_containers, 10);
    assert_false(cfg->sample_exact);
    cfg_refuse(cfg, "sample.exact", &err, "not here");
    assert_string_equal(err.msg, "sample.exact: not here");
    assert_int_equal(load(cfg, "interval: 5s\nsample:\n  containers: 3\n  exact: true\n", &err), 0);
    assert_int_equal(cfg->sample_containers, 3);
    assert_true(cfg->sample_exact);
    assert_int_equal(cfg_refuse(cfg, "sample.exact", &err, "needs %s", "3.13"), -1);
    assert_string_equal(err.msg, "t.yaml:4:10: sample.exact: needs 3.13");
    cfg_config copy;
    assert_int_equal(cfg_copy(&copy, cfg, &err), 0);     /* the marks and file travel */
    cfg_refuse(&copy, "sample.containers", &err, "too many");
    assert_string_equal(err.msg, "t.yaml:3:15: sample.containers: too many");
    cfg_free(&copy);
    assert_refused(cfg, "sample:\n  containers: 101\n",
                   "t.yaml:2:15: sample.containers: 101 is out of range (at most 100)");
    assert_int_equal(cfg_set(cfg, "sample_exact", "false", &err), 0);
    cfg_refuse(cfg, "sample.exact", &err, "off");
    assert_string_equal(err.msg, "override 'sample.exact': off");
}

/* chains.*: defaults, a scalar or a list for types, and bad values refused
 * with their location. */
static void test_chain_keys(void **state)
{
    cfg_config *cfg = *state;
    la_error err = {{0}};
    assert_int_equal(cfg->chains_types.count, 1);
    assert_true(cfg_chains_auto(cfg));
    assert_false(cfg_chains_off(cfg));
    assert_int_equal(cfg->chains_period_ms, 3600000);
    assert_int_equal(cfg->chains_every, 1);
    assert_int_equal(cfg->chains_budget_ms, 50);
    assert_int_equal(cfg->chains_instances, 4);
    assert_int_equal(cfg->chains_depth, 10);
    assert_int_equal(load(cfg, "chains:\n  types: [auto, \"myapp.*\"]\n  period: 10m\n"
                               "  every: 3\n  budget: 20ms\n  instances: 2\n  depth: 5\n", &err), 0);
    assert_int_equal(cfg->chains_types.count, 2);
    assert_string_equal(cfg->chains_types.items[1], "myapp.*");
    assert_int_equal(cfg->chains_period_ms, 600000);
    assert_int_equal(cfg->chains_every, 3);
    assert_int_equal(cfg->chains_budget_ms, 20);
    assert_int_equal(cfg->chains_instances, 2);
    assert_int_equal(cfg->chains_depth, 5);
    assert_int_equal(load(cfg, "chains:\n  types: off\n", &err), 0);
    assert_true(cfg_chains_off(cfg));
    assert_false(cfg_chains_auto(cfg));
    assert_int_equal(cfg_set(cfg, "chains_types", "auto", &err), 0);
    assert_true(cfg_chains_auto(cfg));
    assert_refused(cfg, "chains:\n  types: [off, auto]\n",
                   "t.yaml:2:10: chains.types: 'off' cannot be combined with other entries");
    assert_refused(cfg, "chains:\n  budget: 0ms\n",
                   "t.yaml:2:11: chains.budget: 0ms is out of range (1ms .. 10s)");
    assert_refused(cfg, "chains:\n  period: 10d\n",
                   "t.yaml:2:11: chains.period: 10d is out of range (1s .. 7d)");
    assert_refused(cfg, "chains:\n  instances: 0\n",
                   "t.yaml:2:14: chains.instances: 0 is out of range (at least 1)");
    assert_refused(cfg, "chains:\n  depth: 33\n",
                   "t.yaml:2:10: chains.depth: 33 is out of range (at most 32)");
    assert_refused(cfg, "chains:\n  every: many\n",
                   "t.yaml:2:10: chains.every: 'many' is not a whole number");
    assert_int_equal(cfg_set(cfg, "chains.budget", "2h", &err), -1);
    assert_string_equal(err.msg, "override 'chains.budget': chains.budget: 2h is out of range (1ms .. 10s)");
}

static void test_copy_is_deep(void **state)
{
    cfg_config *cfg = *state;
    cfg_config copy;
    la_error err;
    assert_int_equal(cfg_copy(&copy, cfg, &err), 0);
    assert_int_equal(cfg_set(cfg, "log.path", "/elsewhere", &err), 0);
    assert_string_equal(copy.log_path, "most_common.log");
    cfg_free(&copy);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(test_defaults, setup, teardown),
        cmocka_unit_test_setup_teardown(test_empty_file_keeps_defaults, setup, teardown),
        cmocka_unit_test_setup_teardown(test_every_key, setup, teardown),
        cmocka_unit_test_setup_teardown(test_chain_keys, setup, teardown),
        cmocka_unit_test_setup_teardown(test_example_config_loads, setup, teardown),
        cmocka_unit_test_setup_teardown(test_unknown_key_suggests, setup, teardown),
        cmocka_unit_test_setup_teardown(test_wrong_types, setup, teardown),
        cmocka_unit_test_setup_teardown(test_bad_units_and_ranges, setup, teardown),
        cmocka_unit_test_setup_teardown(test_syntax_errors, setup, teardown),
        cmocka_unit_test_setup_teardown(test_refused_file_is_not_half_applied, setup, teardown),
        cmocka_unit_test_setup_teardown(test_missing_file, setup, teardown),
        cmocka_unit_test(test_durations),
        cmocka_unit_test(test_sizes),
        cmocka_unit_test(test_percent_bool_uint),
        cmocka_unit_test(test_nearest),
        cmocka_unit_test(test_path_template),
        cmocka_unit_test_setup_teardown(test_overrides, setup, teardown),
        cmocka_unit_test_setup_teardown(test_copy_is_deep, setup, teardown),
        cmocka_unit_test_setup_teardown(test_detail_keys_and_refuse, setup, teardown),
        cmocka_unit_test(test_known_keys_match_the_table),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
