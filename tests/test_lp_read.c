/* Unit tests of lp_read (with lp_files, lp_input, lp_series): both
 * formats, gzip by magic, padded names, gaps, damage, rotated siblings,
 * pid attribution and restarts; and hostile input: counts and times out of
 * range, clocks set back, lines longer than a block, gzip bombs, gzip
 * trailers split across reads, pipes and devices. */
#include <math.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>
#include <zlib.h>
#include <setjmp.h>
#include <cmocka.h>

#include "lp_input.h"
#include "lp_read.h"

typedef struct fixture {
    char dir[64];
    lp_series_store *s;
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

/* Start again with an empty store, for a second read in one test. */
static void fresh_store(fixture *f)
{
    lp_series_free(f->s);
    f->s = lp_series_new();
    f->warnings = 0;
}

/* Read one log with a gzip bomb limit. */
static int read_limited(fixture *f, const char *name, double max_inflate)
{
    char *logs[1] = {path_of(f, name)};
    lp_read_options opt = {.warn = on_warn, .warn_ud = f, .max_inflate = max_inflate};
    return lp_read_logs_with(f->s, logs, 1, &opt, &f->st, &f->err);
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
    fresh_store(f);
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

/* Processes sharing one file write their headers again, in turn, into
 * the file they rotate to: a header of a pid that wrote nothing in this
 * file yet, or one with the same start=, continues its run; a new start=
 * is a restart that kept its pid. */
static void test_rotation_headers_of_shared_file(void **state)
{
    fixture *f = *state;
    put(f, "s.log.1",
        "# leakagent 1 pid=1 host=a program=w interval=1\n"
        "#START 10 pid=1\ndict 1\n"
        "# leakagent 1 pid=2 host=a program=w interval=1 start=5.00\n"
        "#START 11 pid=2\ndict 2\n"
        "# leakagent 1 pid=3 host=a program=w interval=1 start=5.00\n"
        "#START 12 pid=3\ndict 3\n", 0);
    put(f, "s.log",
        "# leakagent 1 pid=2 host=a program=w interval=1 start=5.00\n"
        "#START 20 pid=2\ndict 4\n"
        "# leakagent 1 pid=1 host=a program=w interval=1\n"      /* after pid 2's */
        "#START 21 pid=1\ndict 5\n"
        "# leakagent 1 pid=3 host=a program=w interval=1 start=9.00\n"  /* restarted */
        "#START 22 pid=3\ndict 6\n", 0);
    assert_int_equal(read_logs(f, 1, "s.log"), 0);
    assert_int_equal(f->s->n_runs, 4);
    assert_int_equal(f->s->runs[0].n_rows, 2);  /* pid 1: one run across the files */
    assert_int_equal(f->s->runs[1].n_rows, 2);  /* pid 2 */
    assert_int_equal(f->s->runs[2].n_rows, 1);  /* pid 3 before its restart */
    assert_int_equal(f->s->runs[3].n_rows, 1);
    assert_int_equal(f->s->runs[3].pid, 3);
    assert_true(f->s->runs[3].start == 9);
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

/* Counts up to 2^64 - 1 are read (leading zeros too); past it, or signed,
 * or not a whole number, the line is bad. */
static void test_count_limits(void **state)
{
    fixture *f = *state;
    put(f, "c.log",
        "#START 1000 pid=5\n"
        "max 18446744073709551615\n"
        "zeros 000000000000000000000000042\n"
        "over 18446744073709551616\n"           /* line 4: the first bad one */
        "far 99999999999999999999999\n"
        "neg -5\n"
        "exp 1e400\n"
        "nan nan\n", 0);
    assert_int_equal(read_logs(f, 1, "c.log"), 0);
    assert_int_equal(f->st.bad_lines, 5);
    assert_non_null(strstr(f->last_warning, "c.log:4: skipped 5 unreadable lines"));
    assert_true(at(f, "zeros", 0, 0) == 42);
    assert_true(at(f, "max", 0, 0) == 18446744073709551615.0);
    assert_int_equal(lp_series_find(f->s, "over"), -1);
}

/* A #START outside the years 1 to 9999 (or not finite) is a bad line and
 * its snapshot is skipped, type lines and all. */
static void test_time_limits(void **state)
{
    fixture *f = *state;
    put(f, "t.log",
        "#START -62135596800\ndict 1\n"         /* 0001-01-01: kept */
        "#START -62135596801\ndict 2\n"         /* line 3 */
        "#START 253402300799\ndict 3\n"         /* 9999-12-31: kept */
        "#START 253402300800\ndict 4\n"
        "#START 1e400\ndict 5\n"
        "#START nan\ndict 6\n", 0);
    assert_int_equal(read_logs(f, 1, "t.log"), 0);
    assert_int_equal(f->st.snapshots, 2);
    assert_int_equal(f->st.bad_lines, 4);
    assert_non_null(strstr(f->last_warning, "t.log:3: skipped 4 unreadable lines"));
    assert_true(at(f, "dict", 0, 1) == 3);
}

/* Snapshots whose time does not move on (per process) are kept, ordered
 * by time, and reported once; another process's times do not count. */
static void test_clock_set_back(void **state)
{
    fixture *f = *state;
    put(f, "b.log",
        "#START 100 pid=1\ndict 1\n"
        "#START 50 pid=2\ndict 9\n"             /* another process: fine */
        "#START 90 pid=1\ndict 2\n"             /* line 5: back */
        "#START 90 pid=1\ndict 3\n"             /* stuck */
        "#START 200 pid=1\ndict 4\n", 0);
    assert_int_equal(read_logs(f, 1, "b.log"), 0);
    assert_int_equal(f->st.snapshots, 5);
    assert_int_equal(f->st.bad_lines, 0);
    assert_int_equal(f->warnings, 1);
    assert_non_null(strstr(f->last_warning, "b.log:5: 2 snapshots not later"));
    assert_true(at(f, "dict", 0, 0) == 2);       /* run of pid 1 in time order */
    assert_true(at(f, "dict", 0, 1) == 3);
    assert_true(at(f, "dict", 0, 2) == 1);
    assert_true(at(f, "dict", 0, 3) == 4);
}

/* A line longer than a block (plain and gzip) is one bad line; the lines
 * after it are read, with their line numbers right. */
static void test_line_longer_than_block(void **state)
{
    fixture *f = *state;
    size_t junk = LP_INPUT_BLOCK * 2 + 100;
    const char head[] = "#START 100\ndict 1\n", tail[] = "\n#START 160\ndict 2\nbad\n";
    size_t len = strlen(head) + junk + strlen(tail);
    char *text = malloc(len + 1);
    assert_non_null(text);
    memcpy(text, head, strlen(head));
    unsigned seed = 1;                          /* letters that do not compress */
    for (size_t i = 0; i < junk; i++)           /* 500 times: not a gzip bomb */
        text[strlen(head) + i] = (char)('a' + ((seed = seed * 1103515245 + 12345) >> 16) % 26);
    memcpy(text + strlen(head) + junk, tail, strlen(tail) + 1);
    put(f, "long.log", text, 0);
    put(f, "long.gz", text, 1);
    free(text);
    for (int gz = 0; gz < 2; gz++) {
        fresh_store(f);
        assert_int_equal(read_logs(f, 1, gz ? "long.gz" : "long.log"), 0);
        assert_int_equal(f->st.snapshots, 2);
        assert_int_equal(f->st.bad_lines, 2);
        assert_int_equal(f->st.lines, 6);
        assert_non_null(strstr(f->last_warning, gz ? "long.gz:3: skipped 2" : "long.log:3: skipped 2"));
        assert_true(at(f, "dict", 0, 1) == 2);
    }
}

/* Gzip data that expands more than the limit is refused with a message
 * naming the file, also after a valid member; --max-inflate 0 lifts it. */
static void test_gzip_bomb(void **state)
{
    fixture *f = *state;
    const char *log = "#START 100\ndict 1\n";
    gzFile g = gzopen(path_of(f, "bomb.gz"), "wb9");
    assert_non_null(g);
    gzwrite(g, log, (unsigned)strlen(log));
    char *zeros = calloc(1, 1 << 20);
    assert_non_null(zeros);
    for (int i = 0; i < 40; i++)
        assert_int_equal(gzwrite(g, zeros, 1 << 20), 1 << 20);
    gzclose(g);
    free(zeros);
    assert_int_equal(read_limited(f, "bomb.gz", LP_INPUT_MAX_RATIO), -1);
    assert_non_null(strstr(f->err.msg, "bomb.gz: gzip data expands more than 500 times"));
    assert_non_null(strstr(f->err.msg, "--max-inflate"));
    fresh_store(f);
    assert_int_equal(read_limited(f, "bomb.gz", 0), 0);     /* 40 MiB read, NULs skipped */
    assert_int_equal(f->st.snapshots, 1);
    assert_int_equal(f->st.bad_lines, 1);
    fresh_store(f);
    put(f, "small.gz", V1, 1);                  /* a high ratio, but small */
    assert_int_equal(read_limited(f, "small.gz", 2), 0);
}

/* One gzip member of stored (uncompressed) deflate blocks, so that its
 * size, and where its trailer falls, is known to the byte: 10 + 5 per
 * block of up to 65535 bytes + len + 8. */
static void put_stored_member(FILE *fp, const char *text, size_t len)
{
    static const unsigned char header[10] = {0x1f, 0x8b, 8, 0, 0, 0, 0, 0, 0, 3};
    fwrite(header, 1, sizeof header, fp);
    size_t off = 0;
    do {
        size_t n = len - off > 65535 ? 65535 : len - off;
        unsigned char b[5] = {off + n == len, (unsigned char)n, (unsigned char)(n >> 8),
                              (unsigned char)~n, (unsigned char)(~n >> 8)};
        fwrite(b, 1, 5, fp);
        fwrite(text + off, 1, n, fp);
        off += n;
    } while (off < len);
    uint32_t crc = (uint32_t)crc32(0, (const unsigned char *)text, (uInt)len);
    unsigned char trailer[8];
    for (int i = 0; i < 4; i++) {
        trailer[i] = (unsigned char)(crc >> (8 * i));
        trailer[4 + i] = (unsigned char)(len >> (8 * i));
    }
    fwrite(trailer, 1, 8, fp);
}

/* The compressed bytes are read in chunks (the 2 magic bytes, then
 * LP_INPUT_RAW_CHUNK at a time): a member whose trailer, or the next
 * member's magic, straddles a chunk's end is still checked right. */
static void test_gzip_trailer_across_reads(void **state)
{
    fixture *f = *state;
    const char *second = "#START 200\ndict 2\n";
    size_t boundary = 2 + LP_INPUT_RAW_CHUNK;
    for (int d = -9; d <= 2; d++) {
        /* the first member ends at boundary + d: 10 + 5k + len + 8 */
        size_t end = (size_t)((long)boundary + d), len = 0, k;
        for (k = 1; k < 64 && len == 0; k++)
            if (end - 18 - 5 * k <= 65535 * k && end - 18 - 5 * k > 65535 * (k - 1))
                len = end - 18 - 5 * k;
        char *text = malloc(len);
        assert_non_null(text);
        memset(text, '#', len);                 /* comment lines */
        for (size_t i = 99; i < len; i += 100)
            text[i] = '\n';
        memcpy(text, "#START 100\ndict 1\n", 18);
        text[len - 1] = '\n';
        FILE *fp = fopen(path_of(f, "split.gz"), "wb");
        assert_non_null(fp);
        put_stored_member(fp, text, len);
        assert_int_equal(ftell(fp), (long)end);
        put_stored_member(fp, second, strlen(second));
        fclose(fp);
        free(text);
        fresh_store(f);
        assert_int_equal(read_logs(f, 1, "split.gz"), 0);
        assert_int_equal(f->st.snapshots, 2);
        assert_int_equal(f->warnings, 0);        /* no false CRC damage */
    }
}

/* Counts past LP_COUNT_MAX (the C API counts bytes) widen their column to
 * doubles: values before stay, gaps stay gaps, sums in a snapshot add up. */
static void test_wide_counts(void **state)
{
    fixture *f = *state;
    put(f, "w.log",
        "#START 1\nbig 4000000000\nsum 4000000000\n"
        "#START 2\nsum 4000000000\nsum 4000000000\n"      /* 8e9 in one snapshot */
        "#START 3\nbig 5000000000\n", 0);
    assert_int_equal(read_logs(f, 1, "w.log"), 0);
    assert_true(at(f, "big", 0, 0) == 4e9);
    assert_true(isnan(at(f, "big", 0, 1)));
    assert_true(at(f, "big", 0, 2) == 5e9);
    assert_true(at(f, "sum", 0, 1) == 8e9);
    assert_true(f->s->cols[lp_series_find(f->s, "big")].wide);
    assert_true(f->s->cols[lp_series_find(f->s, "sum")].wide);
}

/* A column stores only its own span of rows, and turns sparse when that
 * span would be mostly gaps: memory follows the values, not rows x
 * columns.  Reads and extraction see the same series either way. */
static void test_sparse_columns(void **state)
{
    fixture *f = *state;
    FILE *fp = fopen(path_of(f, "s.log"), "w");
    assert_non_null(fp);
    for (int k = 0; k < 1000; k++) {
        fprintf(fp, "#START %d pid=1\ndict %d\n", 100 + k, k);
        if (k == 0 || k == 999)
            fputs("ends 7\n", fp);                 /* first and last: sparse */
        if (k >= 500 && k < 510)
            fprintf(fp, "late %d\n", k);           /* born late, lives 10 rows */
        if (k % 100 == 0)
            fprintf(fp, "every100 %d\n", k);
    }
    fclose(fp);
    assert_int_equal(read_logs(f, 1, "s.log"), 0);
    const lp_column *ends = &f->s->cols[lp_series_find(f->s, "ends")];
    const lp_column *late = &f->s->cols[lp_series_find(f->s, "late")];
    const lp_column *every = &f->s->cols[lp_series_find(f->s, "every100")];
    assert_non_null(ends->rows);
    assert_int_equal(ends->len, 2);
    assert_null(late->rows);
    assert_int_equal(late->first, 500);
    assert_true(late->cap <= 16);
    assert_non_null(every->rows);
    assert_int_equal(every->present, 10);
    assert_true(at(f, "ends", 0, 999) == 7);
    assert_true(isnan(at(f, "ends", 0, 998)));
    assert_true(at(f, "late", 0, 509) == 509);
    assert_true(isnan(at(f, "late", 0, 510)));
    assert_true(at(f, "every100", 0, 900) == 900);
    double t[1000], v[1000];
    size_t c = (size_t)lp_series_find(f->s, "every100");
    assert_true(f->s->runs[0].in_row_order);
    assert_int_equal(lp_series_extract(f->s, c, 0, 250, 750, t, v), 5);   /* k 200..600 */
    assert_true(t[0] == 300 && v[0] == 200 && t[4] == 700 && v[4] == 600);
}

/* A run read out of time order is extracted in time order all the same. */
static void test_extract_out_of_order(void **state)
{
    fixture *f = *state;
    put(f, "o.log",
        "#START 300\ndict 3\nrare 30\n"
        "#START 100\ndict 1\nrare 10\n"
        "#START 200\ndict 2\n"
        "#START 400\ndict 4\n", 0);
    assert_int_equal(read_logs(f, 1, "o.log"), 0);
    assert_false(f->s->runs[0].in_row_order);
    double t[4], v[4];
    size_t c = (size_t)lp_series_find(f->s, "rare");
    assert_int_equal(lp_series_extract(f->s, c, 0, -INFINITY, INFINITY, t, v), 2);
    assert_true(t[0] == 100 && v[0] == 10 && t[1] == 300 && v[1] == 30);
}

/* Groups (same process: host and program, or the LOG for runs that know
 * neither) are numbered in order of first run and list their runs; the
 * latest run of each is current. */
static void test_groups(void **state)
{
    fixture *f = *state;
    lp_series_store *s = f->s;
    static const struct { const char *host, *program, *source; uint32_t group; } runs[] = {
        {"h1", "p", "a.log", 0}, {"h2", "p", "a.log", 1}, {"h1", "p", "b.log", 0},
        {NULL, NULL, "a.log", 2}, {NULL, NULL, "b.log", 3}, {"h1", NULL, "a.log", 4},
        {NULL, NULL, "a.log", 2}, {NULL, "p", "a.log", 5},
    };
    size_t n = sizeof runs / sizeof runs[0];
    for (size_t r = 0; r < n; r++) {
        assert_int_equal(lp_series_add_run(s, (long)r, runs[r].host, runs[r].program,
                                           runs[r].source, &f->err), (long)r);
        assert_int_equal(lp_series_add_row(s, 100.0 + (double)r, (uint32_t)r, &f->err), 0);
    }
    assert_int_equal(lp_series_finish(s, &f->err), 0);
    assert_int_equal(s->n_groups, 6);
    for (size_t r = 0; r < n; r++)
        assert_int_equal(s->runs[r].group, runs[r].group);
    assert_int_equal(s->group_start[1] - s->group_start[0], 2);     /* runs 0 and 2 */
    assert_int_equal(s->group_runs[s->group_start[0] + 1], 2);
    bool current[8];
    assert_int_equal(lp_series_current(s, -INFINITY, INFINITY, current), 6);
    assert_false(current[0]);                   /* run 2 started after it */
    assert_false(current[3]);                   /* run 6 */
    assert_true(current[2] && current[6] && current[1]);
    assert_int_equal(lp_series_current(s, -INFINITY, 101.5, current), 2);   /* 0 and 1 */
    assert_true(current[0] && current[1]);
}

/* Binary junk: a name with a control character (a tab aside) or a NUL is
 * a bad line, not a series. */
static void test_control_characters_are_junk(void **state)
{
    fixture *f = *state;
    static const char text[] = "#START 1\nok\tname 1\nnul\0name 2\nbell\x07 3\ndel\x7f 4\n"
                               "cr\rin 5\nfine 6\n";
    FILE *fp = fopen(path_of(f, "j.log"), "wb");
    assert_non_null(fp);
    assert_int_equal(fwrite(text, 1, sizeof text - 1, fp), sizeof text - 1);
    fclose(fp);
    assert_int_equal(read_logs(f, 1, "j.log"), 0);
    assert_int_equal(f->st.bad_lines, 4);
    assert_non_null(strstr(f->last_warning, "j.log:3: skipped 4"));
    assert_int_equal(f->s->n_cols, 2);
    assert_true(at(f, "ok\tname", 0, 0) == 1 && at(f, "fine", 0, 0) == 6);
}

/* 100,000 gzip members (cat of tiny files) are each read once; reading
 * them moved the rest of the buffer at every member's end. */
static void test_many_gzip_members(void **state)
{
    fixture *f = *state;
    put(f, "one.gz", "dict 1\n", 1);
    put(f, "many.gz", "#START 100\n", 1);
    char member[64];
    FILE *fp = fopen(path_of(f, "one.gz"), "rb");
    assert_non_null(fp);
    size_t n = fread(member, 1, sizeof member, fp);
    fclose(fp);
    assert_true(n > 0 && n < sizeof member);
    fp = fopen(path_of(f, "many.gz"), "ab");
    assert_non_null(fp);
    for (int i = 0; i < 100000; i++)
        assert_int_equal(fwrite(member, 1, n, fp), n);
    fclose(fp);
    assert_int_equal(read_logs(f, 1, "many.gz"), 0);
    assert_int_equal(f->warnings, 0);
    assert_true(at(f, "dict", 0, 0) == 100000);          /* one line a member, summed */
}

/* A pipe is read like a file (gzip too); a device or a directory is
 * refused with a message naming it. */
static void test_pipes_devices_directories(void **state)
{
    fixture *f = *state;
    int fds[2];
    assert_int_equal(pipe(fds), 0);
    assert_int_equal(write(fds[1], V1, strlen(V1)), (ssize_t)strlen(V1));
    close(fds[1]);
    char path[64];
    snprintf(path, sizeof path, "/proc/self/fd/%d", fds[0]);
    char *logs[1] = {path};
    assert_int_equal(lp_read_logs(f->s, logs, 1, on_warn, f, &f->st, &f->err), 0);
    assert_int_equal(f->st.snapshots, 2);
    close(fds[0]);
    logs[0] = "/dev/zero";
    assert_int_equal(lp_read_logs(f->s, logs, 1, on_warn, f, &f->st, &f->err), -1);
    assert_string_equal(f->err.msg, "/dev/zero: not a regular file or a pipe");
    mkdir(path_of(f, "d.log"), 0755);
    assert_int_equal(read_logs(f, 1, "d.log"), -1);
    assert_non_null(strstr(f->err.msg, "d.log: is a directory"));
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
        cmocka_unit_test_setup_teardown(test_rotation_headers_of_shared_file, setup, teardown),
        cmocka_unit_test_setup_teardown(test_several_logs_merge, setup, teardown),
        cmocka_unit_test_setup_teardown(test_count_limits, setup, teardown),
        cmocka_unit_test_setup_teardown(test_time_limits, setup, teardown),
        cmocka_unit_test_setup_teardown(test_clock_set_back, setup, teardown),
        cmocka_unit_test_setup_teardown(test_line_longer_than_block, setup, teardown),
        cmocka_unit_test_setup_teardown(test_gzip_bomb, setup, teardown),
        cmocka_unit_test_setup_teardown(test_gzip_trailer_across_reads, setup, teardown),
        cmocka_unit_test_setup_teardown(test_pipes_devices_directories, setup, teardown),
        cmocka_unit_test_setup_teardown(test_control_characters_are_junk, setup, teardown),
        cmocka_unit_test_setup_teardown(test_many_gzip_members, setup, teardown),
        cmocka_unit_test_setup_teardown(test_groups, setup, teardown),
        cmocka_unit_test_setup_teardown(test_wide_counts, setup, teardown),
        cmocka_unit_test_setup_teardown(test_sparse_columns, setup, teardown),
        cmocka_unit_test_setup_teardown(test_extract_out_of_order, setup, teardown),
        cmocka_unit_test(test_number),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
