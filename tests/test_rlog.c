/* test_rlog: the rotating log: sizes, keep, gzip content, nothing lost or
 * split across files, reopening when the file is moved or deleted, a
 * missing directory, a full disk (RLIMIT_FSIZE: the cut write taken back), a
 * file a crash left mid-line, a file truncated from outside, a FIFO refused,
 * a peer stuck holding a lock, stderr closed, recovery of an interrupted
 * rotation, several processes sharing one path, and links planted in a
 * directory others can write to (never followed; the victim unchanged). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "rlog.h"
#include "rlog_gzip.h"
#include "testutil.h"

#define HEADER "# leakagent 1 pid=1 host=h program=t interval=1\n"

typedef struct fixture {
    char *dir;
    char *path;
} fixture;

static int setup(void **state)
{
    fixture *f = calloc(1, sizeof *f);
    f->dir = tu_make_tmpdir();
    assert_non_null(f->dir);
    f->path = tu_path(f->dir, "most_common.log");
    *state = f;
    return 0;
}

static int teardown(void **state)
{
    fixture *f = *state;
    tu_remove_tree(f->dir);
    free(f->dir);
    free(f->path);
    free(f);
    return 0;
}

static rlog *open_log(const fixture *f, uint64_t max_size, unsigned keep, bool compress)
{
    la_error err = {{0}};
    rlog_options opt = {.path = f->path, .max_size = max_size, .keep = keep,
                        .compress = compress, .header = HEADER};
    rlog *log = rlog_open(&opt, &err);
    if (log == NULL)
        fail_msg("rlog_open: %s", err.msg);
    return log;
}

/* Snapshot number i: a #START line and `lines` count lines, ~30 bytes each. */
static char *make_snapshot(int i, int lines)
{
    size_t cap = 64 + (size_t)lines * 40;
    char *text = malloc(cap);
    size_t n = (size_t)snprintf(text, cap, "#START %d.000 pid=1\n", 1000 + i);
    for (int k = 0; k < lines; k++)
        n += (size_t)snprintf(text + n, cap - n, "mod.Type%d %d\n", k, i * 100 + k);
    return text;
}

/* Append the text of snapshot i to the string out (size bytes). */
static void append_snapshot(char *out, size_t size, int i, int lines)
{
    char *text = make_snapshot(i, lines);
    size_t n = strlen(out);
    snprintf(out + n, size - n, "%s", text);
    free(text);
}

static void assert_file_equals(const char *path, const char *expect)
{
    char *text = tu_read_file(path, NULL);
    assert_non_null(text);
    assert_string_equal(text, expect);
    free(text);
}

static void write_snapshot(rlog *log, int i, int lines)
{
    char *text = make_snapshot(i, lines);
    la_error err = {{0}};
    int rc = rlog_write(log, text, strlen(text), NULL, &err);
    if (rc != 0)
        fail_msg("rlog_write %d: %s", i, err.msg);
    free(text);
}

/* Check that `text` (one file) is whole snapshots with consecutive numbers,
 * appending the numbers found to seen[]. */
static void collect_snapshots(const char *text, int *seen, size_t *n_seen)
{
    const char *p = text;
    while (*p) {
        const char *eol = strchr(p, '\n');
        assert_non_null(eol);     /* every file ends with a full line */
        if (strncmp(p, "#START ", 7) == 0) {
            int i = atoi(p + 7) - 1000;
            seen[(*n_seen)++] = i;
            /* The snapshot's body follows whole. */
            char *expect = make_snapshot(i, 5);
            assert_int_equal(strncmp(p, expect, strlen(expect)), 0);
            p += strlen(expect);
            free(expect);
            continue;
        }
        assert_int_equal(strncmp(p, "# leakagent 1 ", 14), 0);
        p = eol + 1;
    }
}

static void test_no_rotation_below_max_size(void **state)
{
    fixture *f = *state;
    rlog *log = open_log(f, 1 << 20, 3, true);
    for (int i = 0; i < 10; i++)
        write_snapshot(log, i, 5);
    assert_int_equal(rlog_rotations(log), 0);
    rlog_close(log);
    char *text = tu_read_file(f->path, NULL);
    assert_int_equal(strncmp(text, HEADER, strlen(HEADER)), 0);
    assert_int_equal(tu_count_lines(text, "#START"), 10);
    assert_int_equal(tu_count_lines(text, "# leakagent"), 1);
    free(text);
}

/* Read path.keep.gz .. path.1.gz, path: every snapshot in order, whole. */
static size_t read_all(const fixture *f, unsigned keep, bool compress, int *seen)
{
    size_t n_seen = 0;
    for (unsigned k = keep; k >= 1; k--) {
        char name[4200];
        snprintf(name, sizeof name, "%s.%u%s", f->path, k, compress ? ".gz" : "");
        if (!tu_exists(name))
            continue;
        if (compress) {
            /* It must really be gzip (magic bytes), not a renamed text file. */
            FILE *fp = fopen(name, "rb");
            unsigned char magic[2] = {0};
            assert_int_equal(fread(magic, 1, 2, fp), 2);
            fclose(fp);
            assert_int_equal(magic[0], 0x1f);
            assert_int_equal(magic[1], 0x8b);
        }
        char *text = tu_read_file(name, NULL);
        assert_int_equal(strncmp(text, HEADER, strlen(HEADER)), 0);
        collect_snapshots(text, seen, &n_seen);
        free(text);
    }
    char *text = tu_read_file(f->path, NULL);
    collect_snapshots(text, seen, &n_seen);
    free(text);
    return n_seen;
}

static void test_rotation_keeps_whole_snapshots(void **state)
{
    fixture *f = *state;
    /* ~100 bytes a snapshot, rotate past 1000: a file holds ~11 snapshots. */
    rlog *log = open_log(f, 1000, 4, true);
    for (int i = 0; i < 60; i++)
        write_snapshot(log, i, 5);
    assert_true(rlog_rotations(log) >= 4);
    rlog_close(log);
    int seen[100];
    size_t n = read_all(f, 4, true, seen);
    /* The newest snapshots survive, consecutive, ending with the last one. */
    assert_true(n >= 40);
    for (size_t k = 0; k < n; k++)
        assert_int_equal(seen[k], 60 - (int)n + (int)k);
    char name[4200];
    snprintf(name, sizeof name, "%s.5.gz", f->path);
    assert_false(tu_exists(name));     /* keep 4 */
    snprintf(name, sizeof name, "%s.1", f->path);
    assert_false(tu_exists(name));     /* compressed and removed */
    snprintf(name, sizeof name, "%s.1.gz.tmp", f->path);
    assert_false(tu_exists(name));
}

static void test_rotation_keeps_everything_with_enough_files(void **state)
{
    fixture *f = *state;
    rlog *log = open_log(f, 1000, 100, true);
    for (int i = 0; i < 60; i++)
        write_snapshot(log, i, 5);
    rlog_close(log);
    int seen[100];
    size_t n = read_all(f, 100, true, seen);
    assert_int_equal(n, 60);
    for (int k = 0; k < 60; k++)
        assert_int_equal(seen[k], k);
}

static void test_rotation_uncompressed_and_keep_zero(void **state)
{
    fixture *f = *state;
    rlog *log = open_log(f, 1000, 2, false);
    for (int i = 0; i < 30; i++)
        write_snapshot(log, i, 5);
    rlog_close(log);
    char name[4200];
    snprintf(name, sizeof name, "%s.2", f->path);
    assert_true(tu_exists(name));
    snprintf(name, sizeof name, "%s.3", f->path);
    assert_false(tu_exists(name));
    int seen[100];
    size_t n = read_all(f, 2, false, seen);
    assert_int_equal(seen[n - 1], 29);

    tu_remove_tree(f->dir);
    assert_int_equal(mkdir(f->dir, 0700), 0);
    log = open_log(f, 1000, 0, true);
    for (int i = 0; i < 30; i++)
        write_snapshot(log, i, 5);
    rlog_close(log);
    snprintf(name, sizeof name, "%s.1.gz", f->path);
    assert_false(tu_exists(name));
    n = read_all(f, 0, true, seen);
    assert_true(n >= 1 && seen[n - 1] == 29);
}

static void test_file_moved_or_deleted(void **state)
{
    fixture *f = *state;
    rlog *log = open_log(f, 0, 3, true);
    write_snapshot(log, 0, 5);
    char moved[4200];
    snprintf(moved, sizeof moved, "%s.old", f->path);
    assert_int_equal(rename(f->path, moved), 0);    /* logrotate's mv */
    write_snapshot(log, 1, 5);
    char *old = tu_read_file(moved, NULL);
    char *cur = tu_read_file(f->path, NULL);
    assert_int_equal(tu_count_lines(old, "#START"), 1);
    assert_int_equal(tu_count_lines(cur, "#START"), 1);
    assert_int_equal(strncmp(cur, HEADER, strlen(HEADER)), 0);   /* fresh header */
    free(old);
    free(cur);
    assert_int_equal(unlink(f->path), 0);          /* rm from outside */
    write_snapshot(log, 2, 5);
    cur = tu_read_file(f->path, NULL);
    assert_int_equal(tu_count_lines(cur, "#START 1002"), 1);
    assert_int_equal(tu_count_lines(cur, "# leakagent"), 1);
    free(cur);
    rlog_close(log);
}

static void test_directory_gone_then_back(void **state)
{
    fixture *f = *state;
    rlog *log = open_log(f, 0, 3, true);
    write_snapshot(log, 0, 5);
    tu_remove_tree(f->dir);
    char *text = make_snapshot(1, 5);
    la_error err = {{0}};
    assert_int_equal(rlog_write(log, text, strlen(text), NULL, &err), -1);
    assert_non_null(strstr(err.msg, "No such file or directory"));
    assert_non_null(strstr(err.msg, f->path));
    assert_int_equal(mkdir(f->dir, 0700), 0);
    assert_int_equal(rlog_write(log, text, strlen(text), NULL, &err), 0);
    free(text);
    rlog_close(log);
    char *cur = tu_read_file(f->path, NULL);
    assert_int_equal(strncmp(cur, HEADER, strlen(HEADER)), 0);
    assert_int_equal(tu_count_lines(cur, "#START 1001"), 1);
    free(cur);
}

/* The fork child's open (open_later): the directory is gone when the log
 * is opened; nothing fails until a snapshot cannot be written, and the
 * first one that can be starts the file with the header. */
static void test_open_later_leaves_the_failure_to_the_first_write(void **state)
{
    fixture *f = *state;
    tu_remove_tree(f->dir);
    la_error err = {{0}};
    rlog_options opt = {.path = f->path, .keep = 3, .compress = true, .header = HEADER};
    assert_null(rlog_open(&opt, &err));
    assert_non_null(strstr(err.msg, "No such file or directory"));
    opt.open_later = true;
    rlog *log = rlog_open(&opt, &err);
    assert_non_null(log);
    char *text = make_snapshot(0, 5);
    assert_int_equal(rlog_write(log, text, strlen(text), NULL, &err), -1);
    assert_non_null(strstr(err.msg, "cannot open log"));
    assert_non_null(strstr(err.msg, f->path));
    assert_int_equal(mkdir(f->dir, 0700), 0);
    assert_int_equal(rlog_write(log, text, strlen(text), NULL, &err), 0);
    free(text);
    rlog_close(log);
    char expect[1024] = HEADER;
    append_snapshot(expect, sizeof expect, 0, 5);
    assert_file_equals(f->path, expect);
}

static void test_disk_full(void **state)
{
    fixture *f = *state;
    rlog *log = open_log(f, 0, 3, true);
    write_snapshot(log, 0, 5);
    struct stat st;
    assert_int_equal(stat(f->path, &st), 0);
    /* A file size limit behaves like a full disk: EFBIG or a short write. */
    signal(SIGXFSZ, SIG_IGN);
    struct rlimit old, lim;
    getrlimit(RLIMIT_FSIZE, &old);
    lim = old;
    lim.rlim_cur = (rlim_t)st.st_size + 40;
    assert_int_equal(setrlimit(RLIMIT_FSIZE, &lim), 0);
    char *text = make_snapshot(1, 5);
    la_error err = {{0}};
    assert_int_equal(rlog_write(log, text, strlen(text), NULL, &err), -1);
    assert_non_null(strstr(err.msg, "short write"));
    assert_int_equal(rlog_write(log, text, strlen(text), NULL, &err), -1);
    assert_int_equal(setrlimit(RLIMIT_FSIZE, &old), 0);
    free(text);
    write_snapshot(log, 2, 5);
    rlog_close(log);
    /* The 40 bytes of snapshot 1 that went out were taken back: the file
     * holds snapshots 0 and 2, whole, and nothing of 1. */
    char expect[1024] = HEADER;
    append_snapshot(expect, sizeof expect, 0, 5);
    append_snapshot(expect, sizeof expect, 2, 5);
    assert_file_equals(f->path, expect);
}

static void test_file_left_mid_line_is_cut_before_writing(void **state)
{
    fixture *f = *state;
    /* A crash cut a write in "dict 378631": without the mark, "dict 37"
     * would read as a count and our header would be glued to it. */
    assert_int_equal(tu_write_file(f->path, HEADER "#START 1.0 pid=1\ndict 37"), 0);
    rlog *log = open_log(f, 0, 3, true);
    write_snapshot(log, 0, 1);
    rlog_close(log);
    char expect[1024] = HEADER "#START 1.0 pid=1\ndict 37<cut>\n" HEADER;
    append_snapshot(expect, sizeof expect, 0, 1);
    assert_file_equals(f->path, expect);
    /* A file that ends with a whole line gets no mark. */
    log = open_log(f, 0, 3, true);
    write_snapshot(log, 1, 1);
    rlog_close(log);
    strcat(expect, HEADER);
    append_snapshot(expect, sizeof expect, 1, 1);
    assert_file_equals(f->path, expect);
}

static void test_fifo_is_refused_without_waiting(void **state)
{
    fixture *f = *state;
    assert_int_equal(mkfifo(f->path, 0600), 0);     /* nobody reads it */
    la_error err = {{0}};
    rlog_options opt = {.path = f->path, .keep = 3, .compress = true, .header = HEADER};
    assert_null(rlog_open(&opt, &err));
    assert_non_null(strstr(err.msg, "a pipe or socket, not a file"));
}

static double mono_s(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

/* A clock for the lock waits: its time moves only by the waits' naps, so
 * a 50 ms wait takes no real time. */
static int64_t nap_clock_ns;

static int64_t nap_clock_mono(void *ud)
{
    (void)ud;
    return nap_clock_ns;
}

static void nap_clock_nap(void *ud, int64_t ns)
{
    (void)ud;
    nap_clock_ns += ns;
}

static void test_a_stuck_peer_never_blocks_us(void **state)
{
    fixture *f = *state;
    la_error err = {{0}};
    la_clock clock = {.mono_ns = nap_clock_mono, .nap = nap_clock_nap};
    rlog_options opt = {.path = f->path, .max_size = 100, .keep = 3, .compress = true,
                        .header = HEADER, .lock_wait_ms = 50, .clock = &clock};
    rlog *log = rlog_open(&opt, &err);
    assert_non_null(log);
    /* A peer stopped in the middle of a rotation holds the directory's
     * lock (another open file description conflicts like another process):
     * we write on and leave the rotation to it. */
    int dfd = open(f->dir, O_RDONLY | O_DIRECTORY);
    assert_int_equal(flock(dfd, LOCK_EX), 0);
    for (int i = 0; i < 4; i++)
        write_snapshot(log, i, 5);
    assert_int_equal(rlog_rotations(log), 0);
    close(dfd);
    write_snapshot(log, 4, 5);
    assert_int_equal(rlog_rotations(log), 1);
    /* A peer holding the live file's lock: the write gives up after
     * lock_wait_ms, and the next one goes through. */
    int pfd = open(f->path, O_RDONLY);
    assert_int_equal(flock(pfd, LOCK_EX), 0);
    char *text = make_snapshot(5, 5);
    double t0 = mono_s();
    int64_t fake_t0 = nap_clock_ns;
    assert_int_equal(rlog_write(log, text, strlen(text), NULL, &err), -1);
    assert_true(nap_clock_ns - fake_t0 >= 50000000);    /* it waited lock_wait_ms */
    assert_true(mono_s() - t0 < 1.0);                   /* on its clock, not ours */
    assert_non_null(strstr(err.msg, "stays locked by another process"));
    close(pfd);
    write_snapshot(log, 6, 5);
    free(text);
    rlog_close(log);
    int seen[16];
    size_t n = read_all(f, 3, true, seen);
    int expect[] = {0, 1, 2, 3, 4, 6};      /* 5 was not written, nothing lost */
    assert_int_equal(n, 6);
    assert_memory_equal(seen, expect, sizeof expect);
}

static void test_log_never_takes_stderr(void **state)
{
    fixture *f = *state;
    int saved = dup(STDERR_FILENO);
    close(STDERR_FILENO);                  /* a host started with fd 2 closed */
    rlog *log = open_log(f, 0, 3, true);
    int fd2_free = fcntl(STDERR_FILENO, F_GETFD) == -1;
    write_snapshot(log, 0, 5);
    dup2(saved, STDERR_FILENO);
    close(saved);
    assert_true(fd2_free);
    rlog_close(log);
    char expect[1024] = HEADER;
    append_snapshot(expect, sizeof expect, 0, 5);
    assert_file_equals(f->path, expect);
}

static void test_truncated_from_outside_starts_with_a_header(void **state)
{
    fixture *f = *state;
    rlog *log = open_log(f, 0, 3, true);
    write_snapshot(log, 0, 5);
    assert_int_equal(truncate(f->path, 0), 0);     /* logrotate's copytruncate */
    write_snapshot(log, 1, 5);
    rlog_close(log);
    char expect[1024] = HEADER;
    append_snapshot(expect, sizeof expect, 1, 5);
    assert_file_equals(f->path, expect);
}

static void test_interrupted_rotation_is_finished(void **state)
{
    fixture *f = *state;
    char raw[4200], gz[4200], tmp[4200];
    snprintf(raw, sizeof raw, "%s.1", f->path);
    snprintf(gz, sizeof gz, "%s.1.gz", f->path);
    snprintf(tmp, sizeof tmp, "%s.1.gz.tmp", f->path);
    /* A crash after "path -> path.1", during the gzip. */
    assert_int_equal(tu_write_file(raw, HEADER "#START 1.0 pid=1\nx 1\n"), 0);
    assert_int_equal(tu_write_file(tmp, "half a gzip file"), 0);
    rlog *log = open_log(f, 1 << 20, 3, true);
    rlog_close(log);
    assert_false(tu_exists(raw));
    assert_false(tu_exists(tmp));
    char *text = tu_read_file(gz, NULL);
    assert_string_equal(text, HEADER "#START 1.0 pid=1\nx 1\n");
    free(text);
    /* A crash after "tmp -> path.1.gz", before "unlink path.1". */
    assert_int_equal(tu_write_file(raw, "same content\n"), 0);
    log = open_log(f, 1 << 20, 3, true);
    rlog_close(log);
    assert_false(tu_exists(raw));
    assert_true(tu_exists(gz));
    /* A crash while compressing, path.1 already gone: only the .tmp. */
    assert_int_equal(tu_write_file(tmp, "junk"), 0);
    log = open_log(f, 1 << 20, 3, true);
    rlog_close(log);
    assert_false(tu_exists(tmp));
}

static void test_gzip_file_round_trip(void **state)
{
    fixture *f = *state;
    char *src = tu_path(f->dir, "src.txt");
    char *dst = tu_path(f->dir, "src.txt.gz");
    size_t len = 1 << 20;
    char *data = malloc(len + 1);
    for (size_t i = 0; i < len; i++)
        data[i] = (char)('a' + (i * 7919) % 26);
    data[len] = '\0';
    assert_int_equal(tu_write_file(src, data), 0);
    la_error err;
    int dfd = open(f->dir, O_RDONLY | O_DIRECTORY);
    assert_int_equal(rlog_gzip_file(dfd, f->dir, "src.txt", "src.txt.gz", 0600, &err), 0);
    struct stat st;
    assert_int_equal(stat(dst, &st), 0);
    assert_int_equal(st.st_mode & 07777, 0600);
    size_t got_len;
    char *got = tu_read_file(dst, &got_len);
    assert_int_equal(got_len, len);
    assert_memory_equal(got, data, len);
    free(got);
    free(data);
    assert_int_equal(rlog_gzip_file(dfd, f->dir, "x", "src.txt.gz", 0600, &err), -1);
    assert_non_null(strstr(err.msg, "cannot open "));
    assert_non_null(strstr(err.msg, "/x: No such file"));
    close(dfd);
    free(src);
    free(dst);
}

/* ---- planted links (la_file.h) ------------------------------------------ */

#define VICTIM_TEXT "root:x:0:0:the victim's bytes\n"

/* A victim file outside the log's directory, and the directory made
 * world-writable and sticky, like /tmp. */
static char *plant_victim(const fixture *f)
{
    char *victim = tu_path(f->dir, "../victim.txt");
    char vdir[4200];
    snprintf(vdir, sizeof vdir, "%s.victim", f->dir);
    free(victim);
    mkdir(vdir, 0700);
    victim = tu_path(vdir, "victim.txt");
    assert_int_equal(tu_write_file(victim, VICTIM_TEXT), 0);
    assert_int_equal(chmod(f->dir, 01777), 0);
    return victim;
}

static void assert_victim_unchanged(char *victim)
{
    char *text = tu_read_file(victim, NULL);
    assert_non_null(text);
    assert_string_equal(text, VICTIM_TEXT);
    free(text);
    unlink(victim);
    char *slash = strrchr(victim, '/');
    *slash = '\0';
    rmdir(victim);
    free(victim);
}

static void test_shared_dir_link_at_gzip_tmp_is_not_followed(void **state)
{
    fixture *f = *state;
    char *victim = plant_victim(f);
    char tmp[4200], gz[4200];
    snprintf(tmp, sizeof tmp, "%s.1.gz.tmp", f->path);
    snprintf(gz, sizeof gz, "%s.1.gz", f->path);
    rlog *log = open_log(f, 100, 3, true);
    assert_int_equal(symlink(victim, tmp), 0);
    write_snapshot(log, 0, 10);             /* past max_size: rotates */
    rlog_close(log);
    assert_victim_unchanged(victim);
    char *text = tu_read_file(gz, NULL);    /* the rotation went on, in a file of its own */
    assert_non_null(text);
    assert_int_equal(tu_count_lines(text, "#START"), 1);
    free(text);
}

static void test_shared_dir_link_at_live_log_is_refused(void **state)
{
    fixture *f = *state;
    char *victim = plant_victim(f);
    assert_int_equal(symlink(victim, f->path), 0);
    la_error err = {{0}};
    rlog_options opt = {.path = f->path, .keep = 3, .compress = true, .header = HEADER};
    assert_null(rlog_open(&opt, &err));
    assert_non_null(strstr(err.msg, "refusing log "));
    assert_non_null(strstr(err.msg, "a symbolic link, in a directory others can write to"));
    /* Planted while we write: the next write finds the file replaced and
     * refuses the link (reported; nothing written through it). */
    unlink(f->path);
    rlog *log = open_log(f, 0, 3, true);
    write_snapshot(log, 0, 2);
    unlink(f->path);
    assert_int_equal(symlink(victim, f->path), 0);
    char *snap = make_snapshot(1, 2);
    assert_int_equal(rlog_write(log, snap, strlen(snap), NULL, &err), -1);
    assert_non_null(strstr(err.msg, "a symbolic link"));
    free(snap);
    rlog_close(log);
    assert_victim_unchanged(victim);
}

static void test_shared_dir_link_at_rotated_file_is_not_read(void **state)
{
    fixture *f = *state;
    char *victim = plant_victim(f);
    char raw[4200], gz[4200];
    snprintf(raw, sizeof raw, "%s.1", f->path);
    snprintf(gz, sizeof gz, "%s.1.gz", f->path);
    assert_int_equal(symlink(victim, raw), 0);   /* "finish this rotation" */
    rlog *log = open_log(f, 1 << 20, 3, true);
    rlog_close(log);
    assert_false(tu_exists(gz));                 /* the victim was not copied out */
    assert_victim_unchanged(victim);
}

static void test_shared_dir_file_not_ours_is_refused(void **state)
{
    fixture *f = *state;
    char *victim = plant_victim(f);
    char link_path[4200];
    snprintf(link_path, sizeof link_path, "%s", f->path);
    assert_int_equal(link(victim, link_path), 0);    /* a hard link: same owner, 2 links */
    la_error err = {{0}};
    rlog_options opt = {.path = f->path, .keep = 3, .header = HEADER};
    assert_null(rlog_open(&opt, &err));
    assert_non_null(strstr(err.msg, "2 hard links"));
    unlink(f->path);
    if (geteuid() == 0) {                            /* another user's file */
        assert_int_equal(tu_write_file(f->path, ""), 0);
        assert_int_equal(chown(f->path, 65534, 65534), 0);
        assert_null(rlog_open(&opt, &err));
        assert_non_null(strstr(err.msg, "owned by uid 65534, not by us"));
    }
    assert_victim_unchanged(victim);
}

static void test_private_dir_symlinked_log_is_allowed(void **state)
{
    fixture *f = *state;
    char target[4200];
    snprintf(target, sizeof target, "%s/real.log", f->dir);
    assert_int_equal(chmod(f->dir, 0755), 0);
    assert_int_equal(symlink("real.log", f->path), 0);
    rlog *log = open_log(f, 0, 3, true);
    write_snapshot(log, 0, 2);
    rlog_close(log);
    char *text = tu_read_file(target, NULL);
    assert_non_null(text);
    assert_int_equal(tu_count_lines(text, "#START"), 1);
    free(text);
}

static void test_new_files_get_the_mode_asked_for(void **state)
{
    fixture *f = *state;
    mode_t old = umask(0);
    char gz[4200];
    snprintf(gz, sizeof gz, "%s.1.gz", f->path);
    rlog *log = open_log(f, 100, 3, true);          /* default: 0640, whatever the umask */
    write_snapshot(log, 0, 10);
    rlog_close(log);
    struct stat st;
    assert_int_equal(stat(f->path, &st), 0);
    assert_int_equal(st.st_mode & 07777, 0640);
    assert_int_equal(stat(gz, &st), 0);
    assert_int_equal(st.st_mode & 07777, 0640);
    unlink(f->path);
    umask(077);
    la_error err = {{0}};
    rlog_options opt = {.path = f->path, .header = HEADER, .mode = 0664};
    log = rlog_open(&opt, &err);
    assert_non_null(log);
    rlog_close(log);
    assert_int_equal(stat(f->path, &st), 0);
    assert_int_equal(st.st_mode & 07777, 0664);
    umask(old);
}

/* procs processes each open opt's log and write `each` snapshots, numbered
 * p * 1000 + i; each must exit 0 (no open or write failed). */
static void run_writers(const rlog_options *opt, int procs, int each)
{
    for (int p = 0; p < procs; p++) {
        pid_t pid = fork();
        assert_true(pid >= 0);
        if (pid == 0) {
            la_error err;
            rlog *log = rlog_open(opt, &err);
            if (log == NULL)
                _exit(2);
            for (int i = 0; i < each; i++) {
                char *text = make_snapshot(p * 1000 + i, 5);
                if (rlog_write(log, text, strlen(text), NULL, &err) != 0)
                    _exit(3);
                free(text);
            }
            rlog_close(log);
            _exit(0);
        }
    }
    for (int p = 0; p < procs; p++) {
        int status;
        assert_true(wait(&status) > 0);
        assert_true(WIFEXITED(status));
        assert_int_equal(WEXITSTATUS(status), 0);
    }
}

/* Every snapshot run_writers(procs, each) wrote is in the live file or one
 * of up to 1000 rotated ones, exactly once. */
static void assert_each_written_once(const fixture *f, bool compress, int procs, int each)
{
    int *seen = calloc((size_t)(procs * each + 10), sizeof *seen);
    char *found = calloc((size_t)procs * 1000, 1);
    size_t n = read_all(f, 1000, compress, seen);
    assert_int_equal(n, (size_t)(procs * each));
    for (size_t k = 0; k < n; k++) {
        assert_false(found[seen[k]]);
        found[seen[k]] = 1;
    }
    free(found);
    free(seen);
}

/* Several processes append to one path and rotate it: every snapshot of
 * every process is found exactly once, whole. */
static void test_processes_share_one_path(void **state)
{
    fixture *f = *state;
    enum { PROCS = 4, EACH = 150 };
    rlog_options opt = {.path = f->path, .max_size = 4000, .keep = 1000,
                        .compress = true, .header = HEADER};
    run_writers(&opt, PROCS, EACH);
    assert_each_written_once(f, true, PROCS, EACH);
}

/* Peers rotating the shared file at every write: each of our writes races
 * their renames between its open and its lock, and may lose it again and
 * again; the last try holds rotations off, so every write lands. */
static void test_peers_rotating_at_every_write_lose_no_write(void **state)
{
    fixture *f = *state;
    /* Every write returns 0 (a lost one exits 3): 24,000 writes, enough to
     * meet the race; keep 3, so the files cannot hold them all. */
    rlog_options opt = {.path = f->path, .max_size = 1, .keep = 3, .header = HEADER};
    run_writers(&opt, 8, 3000);
    /* And what returned 0 is there: with room for every rotated file, each
     * of 8 x 100 snapshots is found exactly once. */
    tu_remove_tree(f->dir);
    assert_int_equal(mkdir(f->dir, 0700), 0);
    enum { PROCS = 8, EACH = 100 };
    opt.keep = 1000;
    run_writers(&opt, PROCS, EACH);
    assert_each_written_once(f, false, PROCS, EACH);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(test_no_rotation_below_max_size, setup, teardown),
        cmocka_unit_test_setup_teardown(test_rotation_keeps_whole_snapshots, setup, teardown),
        cmocka_unit_test_setup_teardown(test_rotation_keeps_everything_with_enough_files, setup, teardown),
        cmocka_unit_test_setup_teardown(test_rotation_uncompressed_and_keep_zero, setup, teardown),
        cmocka_unit_test_setup_teardown(test_file_moved_or_deleted, setup, teardown),
        cmocka_unit_test_setup_teardown(test_directory_gone_then_back, setup, teardown),
        cmocka_unit_test_setup_teardown(test_open_later_leaves_the_failure_to_the_first_write, setup, teardown),
        cmocka_unit_test_setup_teardown(test_disk_full, setup, teardown),
        cmocka_unit_test_setup_teardown(test_file_left_mid_line_is_cut_before_writing, setup, teardown),
        cmocka_unit_test_setup_teardown(test_truncated_from_outside_starts_with_a_header, setup, teardown),
        cmocka_unit_test_setup_teardown(test_fifo_is_refused_without_waiting, setup, teardown),
        cmocka_unit_test_setup_teardown(test_a_stuck_peer_never_blocks_us, setup, teardown),
        cmocka_unit_test_setup_teardown(test_log_never_takes_stderr, setup, teardown),
        cmocka_unit_test_setup_teardown(test_interrupted_rotation_is_finished, setup, teardown),
        cmocka_unit_test_setup_teardown(test_gzip_file_round_trip, setup, teardown),
        cmocka_unit_test_setup_teardown(test_shared_dir_link_at_gzip_tmp_is_not_followed, setup, teardown),
        cmocka_unit_test_setup_teardown(test_shared_dir_link_at_live_log_is_refused, setup, teardown),
        cmocka_unit_test_setup_teardown(test_shared_dir_link_at_rotated_file_is_not_read, setup, teardown),
        cmocka_unit_test_setup_teardown(test_shared_dir_file_not_ours_is_refused, setup, teardown),
        cmocka_unit_test_setup_teardown(test_private_dir_symlinked_log_is_allowed, setup, teardown),
        cmocka_unit_test_setup_teardown(test_new_files_get_the_mode_asked_for, setup, teardown),
        cmocka_unit_test_setup_teardown(test_processes_share_one_path, setup, teardown),
        cmocka_unit_test_setup_teardown(test_peers_rotating_at_every_write_lose_no_write, setup, teardown),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
