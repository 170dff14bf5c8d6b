/* Unit tests of lp_read (with lp_files, lp_input, lp_series): both
 * formats, gzip by magic, padded names, gaps, damage, rotated siblings,
 * pid attribution and restarts. */
#include <math.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <zlib.h>
#include <setjmp.h>
#include <cmocka.h>

#include "lp_read.h"

typedef struct fixture {
    char dir[64];
    lp_store *s;
    lp_read_stats st;
    lp_error err;
    int warnings;
    char last_warning[600];
} fixture;

static int setup(void **state)
{
    fixture *f = calloc(1, sizeof *f);
    strcpy(f->dir, "/tmp/test_lp_read.XXXXXX");
    assert_non_null(mkdtemp(f->dir));
    f->s = lp_series_new();
    *state = f;
    return 0;
}

static int teardown(void **state)
{
    fixture *f = *state;
    char cmd[128];
    snprintf(cmd, sizeof cmd, "rm -rf %s", f->dir);
    assert_int_equal(system(cmd), 0);
    lp_series_free(f->s);
    free(f);
    return 0;
}

static char *path_of(fixture *f, const char *name)
{
    static char buf[4][256];
    static int k;
    k = (k + 1) % 4;
    snprintf(buf[k], sizeof buf[k], "%s/%s", f->dir, name);
    return buf[k];
}

static void put(fixture *f, const char *name, const char *text, int gz)
{
    const char *path = path_of(f, name);
    if (gz) {
        gzFile g = gzopen(path, "wb");
        assert_non_null(g);
        assert_int_equal(gzwrite(g, text, (unsigned)strlen(text)), (int)strlen(text));
        gzclose(g);
    } else {
        FILE *fp = fopen(path, "w");
        assert_non_null(fp);
        fputs(text, fp);
        fclose(fp);
    }
}

static void on_warn(void *ud, const char *message)
{
    fixture *f = ud;
    f->warnings++;
    snprintf(f->last_warning, sizeof f->last_warning, "%s", message);
}

static int read_logs(fixture *f, int n, ...)
{
    char *logs[8];
    va_list ap;
    va_start(ap, n);
    for (int i = 0; i < n; i++)
        logs[i] = path_of(f, va_arg(ap, const char *));
    va_end(ap);
    return lp_read_logs(f->s, logs, (size_t)n, on_warn, f, &f->st, &f->err);
}

/* Value of name in the k-th row (time order) of run r. */
static double at(fixture *f, const char *name, size_t r, size_t k)
{
    long c = lp_series_find(f->s, name);
    if (c < 0)
        return -1;
    return lp_series_value(f->s, (size_t)c, f->s->runs[r].rows[k]);
}

static const char V1[] =
    "# leakagent 1 pid=31337 host=web-1 program=consumer python=3.11.7 interval=60\n"
    "#START 1763700000.125 pid=31337 rss=52428800 blocks=412345 gc_objects=98765 sample_ms=3.1 fds=7\n"
    "dict 378631\n"
    "list 184791\n"
    "amqplib.client_0_8.Message 48129\n"
    "#START 1763700060.130 pid=31337 rss=52457472 blocks=412801 gc_objects=98801 sample_ms=3.0\n"
    "dict 378700\n"
    "amqplib.client_0_8.Message 48200\n";

static void test_v1(void **state)
{
    fixture *f = *state;
    put(f, "a.log", V1, 0);
    assert_int_equal(read_logs(f, 1, "a.log"), 0);
    assert_int_equal(f->st.snapshots, 2);
    assert_int_equal(f->st.bad_lines, 0);
    assert_int_equal(f->warnings, 0);
    assert_int_equal(f->s->n_runs, 1);
    assert_int_equal(f->s->runs[0].pid, 31337);
    assert_string_equal(f->s->runs[0].host, "web-1");
    assert_string_equal(f->s->runs[0].program, "consumer");
    assert_true(at(f, "dict", 0, 0) == 378631);
    assert_true(at(f, "amqplib.client_0_8.Message", 0, 1) == 48200);
    assert_true(isnan(at(f, "list", 0, 1)));          /* a gap, not a zero */
    assert_true(at(f, "[rss]", 0, 1) == 52457472);
    assert_true(fabs(at(f, "[sample_ms]", 0, 0) - 3.1) < 1e-9);
    assert_true(at(f, "[fds]", 0, 0) == 7);            /* unknown gauge kept */
    assert_true(isnan(at(f, "[fds]", 0, 1)));
    assert_true(fabs(f->s->times[0] - 1763700000.125) < 1e-6);
}

static void test_gzip_by_magic(void **state)
{
    fixture *f = *state;
    put(f, "plain-name.log", V1, 1);             /* gzip without a .gz name */
    assert_int_equal(read_logs(f, 1, "plain-name.log"), 0);
    assert_int_equal(f->st.snapshots, 2);
    assert_true(at(f, "dict", 0, 1) == 378700);
}

static void test_old_format_padded_crlf(void **state)
{
    fixture *f = *state;
    put(f, "old.log",
        "#START 1000\r\n"
        "dict                                   500\r\n"
        "  my.mod.Some Thing    \t  42   \r\n"
        "\r\n"
        "# a comment\r\n"
        "#START 1030.5\r\n"
        "dict                                   510\r\n", 0);
    assert_int_equal(read_logs(f, 1, "old.log"), 0);
    assert_int_equal(f->st.bad_lines, 0);
    assert_int_equal(f->s->n_runs, 1);
    assert_int_equal(f->s->runs[0].pid, -1);
    assert_null(f->s->runs[0].host);
    assert_true(at(f, "dict", 0, 1) == 510);
    assert_true(at(f, "my.mod.Some Thing", 0, 0) == 42);
}

static void test_damage_counted_once(void **state)
{
    fixture *f = *state;
    put(f, "bad.log",
        "#START 1000 pid=5\n"
        "dict 5\n"
        "this line has no count\n"
        "list -3\n"
        "#START nonsense pid=5\n"
        "dict 99\n"
        "#START 1060 pid=5\n"
        "dict 7\n"
        "list 12", 0);                          /* truncated last line */
    assert_int_equal(read_logs(f, 1, "bad.log"), 0);
    assert_int_equal(f->st.snapshots, 2);
    assert_int_equal(f->st.bad_lines, 4);
    assert_int_equal(f->warnings, 1);
    assert_non_null(strstr(f->last_warning, "bad.log:3:"));
    assert_true(at(f, "dict", 0, 1) == 7);
    assert_int_equal(lp_series_find(f->s, "list"), -1);  /* "-3" and the cut "12" */
}

/* Two gzip members (cat a.gz b.gz) are read in turn; a wrong CRC in the
 * second one's trailer is reported as damage, its data still read. */
static void test_gzip_members_and_crc(void **state)
{
    fixture *f = *state;
    put(f, "a.gz", "#START 1000 pid=5\ndict 5\n", 1);
    put(f, "b.gz", "#START 1060 pid=5\ndict 7\n", 1);
    char cmd[3 * 4200];
    snprintf(cmd, sizeof cmd, "cat '%s' '%s' > '%s'", path_of(f, "a.gz"), path_of(f, "b.gz"),
             path_of(f, "both.log"));
    assert_int_equal(system(cmd), 0);
    assert_int_equal(read_logs(f, 1, "both.log"), 0);
    assert_int_equal(f->st.snapshots, 2);
    assert_int_equal(f->warnings, 0);
    FILE *fp = fopen(path_of(f, "both.log"), "r+b");
    assert_non_null(fp);
    assert_int_equal(fseek(fp, -6, SEEK_END), 0);    /* a byte of b's CRC */
    int c = fgetc(fp);
    assert_int_equal(fseek(fp, -6, SEEK_END), 0);
    fputc(c ^ 1, fp);
    fclose(fp);
    lp_series_free(f->s);
    f->s = lp_series_new();
    f->warnings = 0;
    assert_int_equal(read_logs(f, 1, "both.log"), 0);
    assert_int_equal(f->st.snapshots, 2);
    assert_int_equal(f->warnings, 1);
    assert_non_null(strstr(f->last_warning, "incorrect data check"));
}

static void test_empty_and_missing_fail(void **state)
{
    fixture *f = *state;
    put(f, "empty.log", "", 0);
    assert_int_equal(read_logs(f, 1, "empty.log"), -1);
    assert_non_null(strstr(f->err.msg, "empty.log"));
    assert_non_null(strstr(f->err.msg, "no snapshot"));
    assert_int_equal(read_logs(f, 1, "absent.log"), -1);
    assert_non_null(strstr(f->err.msg, "absent.log"));
}

static void test_rotated_siblings_in_order(void **state)
{
    fixture *f = *state;
    const char *h = "# leakagent 1 pid=9 host=h program=p interval=1\n";
    char text[256];
    /* LOG.3.gz oldest ... LOG newest; LOG.2 and LOG.2.gz both (crash) */
    const struct { const char *name; int t; int gz; } parts[] = {
        {"m.log.3.gz", 100, 1}, {"m.log.2", 200, 0}, {"m.log.2.gz", 200, 1},
        {"m.log.1", 300, 0}, {"m.log", 400, 0}, {"m.log.10.gz", 50, 1},
    };
    for (size_t i = 0; i < sizeof parts / sizeof parts[0]; i++) {
        snprintf(text, sizeof text, "%s#START %d pid=9\ndict %d\n", h, parts[i].t, parts[i].t);
        put(f, parts[i].name, text, parts[i].gz);
    }
    put(f, "m.logx.1", "#START 1 pid=9\ndict 1\n", 0);   /* not a sibling */
    assert_int_equal(read_logs(f, 1, "m.log"), 0);
    assert_int_equal(f->st.files, 5);
    assert_int_equal(f->st.snapshots, 5);
    assert_int_equal(f->s->n_runs, 1);          /* rotation headers continue it */
    for (size_t k = 0; k < 5; k++)
        assert_true(f->s->times[k] == (k == 0 ? 50 : 100.0 * (double)k));  /* read order */
}

static void test_pids_and_restarts(void **state)
{
    fixture *f = *state;
    put(f, "p.log",
        "# leakagent 1 pid=1 host=a program=w interval=1\n"
        "# leakagent 1 pid=2 host=a program=w interval=1\n"
        "#START 10 pid=1\ndict 1\n"
        "#START 11 pid=2\ndict 2\n"
        "#START 12 pid=1\ndict 3\n"
        "#START 13\ndict 4\n"                    /* no pid: latest header's (2) */
        "# leakagent 1 pid=1 host=a program=w interval=1\n"   /* restart, same pid */
        "#START 20 pid=1\ndict 5\n"
        "#START 21 pid=2\ndict 6\n", 0);
    assert_int_equal(read_logs(f, 1, "p.log"), 0);
    assert_int_equal(f->s->n_runs, 3);
    assert_int_equal(f->s->runs[0].n_rows, 2);
    assert_int_equal(f->s->runs[1].n_rows, 3);
    assert_int_equal(f->s->runs[2].n_rows, 1);
    assert_true(at(f, "dict", 1, 1) == 4);
    assert_int_equal(f->s->runs[2].pid, 1);
    assert_int_equal(f->s->runs[0].group, f->s->runs[2].group);
    bool current[3];
    assert_int_equal(lp_series_current(f->s, -INFINITY, INFINITY, current), 2);
    assert_false(current[0]);                   /* superseded by the restart */
    assert_true(current[1]);                    /* a concurrent worker, still on */
    assert_true(current[2]);
}

static void test_several_logs_merge(void **state)
{
    fixture *f = *state;
    put(f, "x.log", "#START 1\ndict 1\n", 0);
    put(f, "y.log", "# leakagent 1 pid=3 host=b\n#START 2 pid=3\ndict 2\n", 0);
    assert_int_equal(read_logs(f, 3, "x.log", "y.log", "x.log"), 0);  /* repeat read once */
    assert_int_equal(f->st.snapshots, 2);
    assert_int_equal(f->s->n_runs, 2);
    assert_int_not_equal(f->s->runs[0].group, f->s->runs[1].group);
}

static void test_number(void **state)
{
    (void)state;
    const char *text = "12.5e2x";
    double v;
    assert_ptr_equal(lp_read_number(text, text + 7, &v), text + 6);
    assert_true(v == 1250);
    text = "-0.001";
    assert_ptr_equal(lp_read_number(text, text + 6, &v), text + 6);
    assert_true(fabs(v + 0.001) < 1e-15);
    assert_null(lp_read_number("abc", "abc" + 3, &v));
    text = "123456";                             /* stops at end, not at NUL */
    assert_ptr_equal(lp_read_number(text, text + 3, &v), text + 3);
    assert_true(v == 123);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(test_v1, setup, teardown),
        cmocka_unit_test_setup_teardown(test_gzip_by_magic, setup, teardown),
        cmocka_unit_test_setup_teardown(test_old_format_padded_crlf, setup, teardown),
        cmocka_unit_test_setup_teardown(test_damage_counted_once, setup, teardown),
        cmocka_unit_test_setup_teardown(test_gzip_members_and_crc, setup, teardown),
        cmocka_unit_test_setup_teardown(test_empty_and_missing_fail, setup, teardown),
        cmocka_unit_test_setup_teardown(test_rotated_siblings_in_order, setup, teardown),
        cmocka_unit_test_setup_teardown(test_pids_and_restarts, setup, teardown),
        cmocka_unit_test_setup_teardown(test_several_logs_merge, setup, teardown),
        cmocka_unit_test(test_number),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
