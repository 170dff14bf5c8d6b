/* lp_read: the log parser.  See lp_read.h for format, attribution rules
 * and the speed design. */
#include "lp_read.h"

#include <errno.h>
#include <math.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "lp_array.h"
#include "lp_chains.h"
#include "lp_files.h"
#include "lp_input.h"
#include "lp_records.h"

#define MAX_TEXT 256    /* longest host/program/gauge key kept */
#define MAX_RECORD_NAME 4096    /* longest series name a record makes */

typedef struct pid_run {
    long pid;
    uint32_t run_1;          /* run index + 1; 0: an empty slot */
    size_t file_1;           /* file number + 1 of its latest snapshot; 0: none */
} pid_run;

typedef struct file_id {
    dev_t dev;
    ino_t ino;
} file_id;

typedef struct reader {
    lp_series_store *s;
    lp_error *err;
    lp_read_options opt;
    lp_read_stats stats;
    file_id *seen;           /* files already read (an argument may repeat) */
    size_t n_seen, cap_seen;
    /* context: one LOG argument */
    const char *source;
    long header_run;         /* run of the latest header, -1 before one */
    pid_run *pids;           /* latest run of each pid in this context: a
                                hash table (cap_pids a power of two), as a
                                log may hold 100,000s of pids */
    size_t n_pids, cap_pids;
    size_t ctx_snapshots;
    double *run_last;        /* per run: time of its latest snapshot read */
    size_t cap_run_last;
    /* file */
    const char *path;
    bool file_top;           /* no header or #START yet in this file */
    size_t file_no;          /* files read so far in this context */
    bool in_cut;             /* inside a line longer than a block */
    size_t line_no, bad, first_bad;
    size_t back, first_back; /* snapshots not later than their run's last */
    /* snapshot */
    bool in_snap;            /* type lines go to the newest row */
    bool skip_snap;          /* the #START was bad: drop its lines quietly */
    uint32_t *prev, *cur;    /* column order of the previous/current snapshot */
    size_t n_prev, n_cur, cap_order;
} reader;

static inline bool is_blank(char c)
{
    return c == ' ' || c == '\t';
}

static void bad_line(reader *r)
{
    if (r->bad++ == 0)
        r->first_bad = r->line_no;
}

const char *lp_read_number(const char *p, const char *end, double *out)
{
    bool neg = false;
    if (p < end && (*p == '-' || *p == '+'))
        neg = *p++ == '-';
    uint64_t mant = 0;
    int digits = 0, scale = 0;
    bool any = false;
    for (; p < end && (unsigned)(*p - '0') < 10; p++, any = true) {
        if (digits < 19) {
            mant = mant * 10 + (uint64_t)(*p - '0');
            digits += mant != 0;
        } else {
            scale++;
        }
    }
    if (p < end && *p == '.') {
        for (p++; p < end && (unsigned)(*p - '0') < 10; p++, any = true) {
            if (digits < 19) {
                mant = mant * 10 + (uint64_t)(*p - '0');
                digits += mant != 0;
                scale--;
            }
        }
    }
    if (!any)
        return NULL;
    if (p < end && (*p == 'e' || *p == 'E')) {
        const char *q = p + 1;
        bool eneg = false;
        if (q < end && (*q == '-' || *q == '+'))
            eneg = *q++ == '-';
        int ex = 0;
        bool edigits = false;
        for (; q < end && (unsigned)(*q - '0') < 10; q++, edigits = true)
            ex = ex < 10000 ? ex * 10 + (*q - '0') : ex;
        if (edigits) {
            scale += eneg ? -ex : ex;
            p = q;
        }
    }
    double v = (double)mant;
    if (scale != 0)
        v *= pow(10.0, scale);
    *out = neg ? -v : v;
    return p;
}

/* Next blank-separated token of [*p, end): sets *ts and *te, advances *p. */
static bool next_token(const char **p, const char *end, const char **ts, const char **te)
{
    const char *q = *p;
    while (q < end && is_blank(*q))
        q++;
    if (q == end)
        return false;
    *ts = q;
    while (q < end && !is_blank(*q))
        q++;
    *te = q;
    *p = q;
    return true;
}

/* Split "key=value"; false when there is no '=' or the key is empty. */
static bool split_kv(const char *ts, const char *te, const char **eq)
{
    const char *q = memchr(ts, '=', (size_t)(te - ts));
    *eq = q;
    return q != NULL && q > ts;
}

static bool parse_pid(const char *p, const char *end, long *pid)
{
    double v;
    const char *after = lp_read_number(p, end, &v);
    if (after != end || v < 0 || v > 4e18 || v != floor(v))
        return false;
    *pid = (long)v;
    return true;
}

static void copy_text(char *out, const char *p, const char *end)
{
    size_t n = (size_t)(end - p);
    if (n >= MAX_TEXT)
        n = MAX_TEXT - 1;
    memcpy(out, p, n);
    out[n] = '\0';
}

/* The slot of pid in the table, or the empty slot where it would go. */
static pid_run *pid_slot(pid_run *table, size_t cap, long pid)
{
    uint64_t h = (uint64_t)pid * 0x9E3779B97F4A7C15ULL;
    size_t j = (size_t)(h ^ h >> 32) & (cap - 1);
    while (table[j].run_1 != 0 && table[j].pid != pid)
        j = (j + 1) & (cap - 1);
    return &table[j];
}

static long find_pid(const reader *r, long pid)
{
    if (r->n_pids == 0)
        return -1;
    const pid_run *p = pid_slot(r->pids, r->cap_pids, pid);
    return p->run_1 ? (long)p->run_1 - 1 : -1;
}

/* The table entry of a known pid, or NULL. */
static pid_run *pid_entry(reader *r, long pid)
{
    if (r->n_pids == 0)
        return NULL;
    pid_run *p = pid_slot(r->pids, r->cap_pids, pid);
    return p->run_1 ? p : NULL;
}

/* Double the pid table.  0 or -1. */
static int grow_pids(reader *r)
{
    size_t cap = r->cap_pids ? 2 * r->cap_pids : 64;
    pid_run *table = calloc(cap, sizeof *table);
    if (table == NULL) {
        lp_error_set(r->err, "out of memory (pids)");
        return -1;
    }
    for (size_t i = 0; i < r->cap_pids; i++)
        if (r->pids[i].run_1)
            *pid_slot(table, cap, r->pids[i].pid) = r->pids[i];
    free(r->pids);
    r->pids = table;
    r->cap_pids = cap;
    return 0;
}

static int set_pid(reader *r, long pid, uint32_t run)
{
    if (2 * (r->n_pids + 1) > r->cap_pids && grow_pids(r) != 0)
        return -1;
    pid_run *p = pid_slot(r->pids, r->cap_pids, pid);
    r->n_pids += p->run_1 == 0;
    *p = (pid_run){.pid = pid, .run_1 = run + 1, .file_1 = p->run_1 ? p->file_1 : 0};
    return 0;
}

/* Forget the pids of the context before. */
static void clear_pids(reader *r)
{
    if (r->n_pids)
        memset(r->pids, 0, r->cap_pids * sizeof *r->pids);
    r->n_pids = 0;
}

static bool same_opt(const char *a, const char *b)
{
    return (a == NULL && b == NULL) || (a && b && strcmp(a, b) == 0);
}

/* Whether a header of pid continues run (its latest run, -1: none) rather
 * than starting a new one.  Every process writes its header again at the
 * top of each file it rotates to, and processes sharing a file do so in
 * turn, so a header is a restart only when it says so: a new pid, another
 * host or program, another start time (start=), or, from agents that do
 * not write start=, a header of a pid that already wrote a snapshot into
 * this file (a restart that kept its pid, appending). */
static bool same_process(reader *r, long run, long pid, const char *host,
                         const char *program, double start)
{
    if (run < 0 || !same_opt(r->s->runs[run].host, host) ||
        !same_opt(r->s->runs[run].program, program))
        return false;
    double known = r->s->runs[run].start;
    if (known > 0 && start > 0)
        return fabs(known - start) < 0.5;
    const pid_run *p = pid_entry(r, pid);
    return r->file_top || p == NULL || p->file_1 != r->file_no + 1;
}

/* "# leakagent <version> key=value ..." */
static int header_line(reader *r, const char *p, const char *end)
{
    char host[MAX_TEXT], program[MAX_TEXT];
    bool has_host = false, has_program = false, has_pid = false;
    long pid = -1;
    double start = 0;
    const char *ts, *te, *eq;
    if (!next_token(&p, end, &ts, &te) || (unsigned)(*ts - '0') >= 10) {
        bad_line(r);
        return 0;
    }
    while (next_token(&p, end, &ts, &te)) {
        if (!split_kv(ts, te, &eq))
            continue;
        size_t klen = (size_t)(eq - ts);
        if (klen == 3 && memcmp(ts, "pid", 3) == 0)
            has_pid = parse_pid(eq + 1, te, &pid);
        else if (klen == 4 && memcmp(ts, "host", 4) == 0)
            copy_text(host, eq + 1, te), has_host = true;
        else if (klen == 7 && memcmp(ts, "program", 7) == 0)
            copy_text(program, eq + 1, te), has_program = true;
        else if (klen == 5 && memcmp(ts, "start", 5) == 0 &&
                 (lp_read_number(eq + 1, te, &start) != te || !(start > 0)))
            start = 0;
    }
    const char *h = has_host ? host : NULL, *prog = has_program ? program : NULL;
    long run = has_pid ? find_pid(r, pid) : -1;
    if (!same_process(r, run, pid, h, prog, start)) {
        run = lp_series_add_run(r->s, has_pid ? pid : -1, h, prog, r->source, r->err);
        if (run < 0 || (has_pid && set_pid(r, pid, (uint32_t)run) != 0))
            return -1;
        r->s->runs[run].start = start;
    } else if (start > 0) {
        r->s->runs[run].start = start;
    }
    r->header_run = run;
    r->file_top = false;
    r->in_snap = false;
    r->skip_snap = false;
    return 0;
}

/* The run a snapshot belongs to (see the attribution rules in lp_read.h). */
static long snapshot_run(reader *r, bool has_pid, long pid)
{
    long run = has_pid ? find_pid(r, pid) : r->header_run;
    if (run >= 0) {
        pid_run *p = has_pid ? pid_entry(r, pid) : NULL;
        if (p != NULL)
            p->file_1 = r->file_no + 1;
        return run;
    }
    const lp_run *hdr = r->header_run >= 0 ? &r->s->runs[r->header_run] : NULL;
    run = lp_series_add_run(r->s, has_pid ? pid : -1, hdr ? hdr->host : NULL,
                            hdr ? hdr->program : NULL, r->source, r->err);
    if (run < 0)
        return -1;
    if (has_pid) {
        if (set_pid(r, pid, (uint32_t)run) != 0)
            return -1;
        pid_entry(r, pid)->file_1 = r->file_no + 1;
        return run;
    }
    r->header_run = run;
    return run;
}

static int gauge(reader *r, const char *key, const char *eq, const char *te)
{
    double v;
    if (lp_read_number(eq + 1, te, &v) != te || !isfinite(v))
        return 0;            /* an unreadable gauge is dropped, not the snapshot */
    char name[MAX_TEXT + 2];
    size_t klen = (size_t)(eq - key);
    if (klen > MAX_TEXT - 1)
        return 0;
    name[0] = '[';
    memcpy(name + 1, key, klen);
    name[klen + 1] = ']';
    long c = lp_series_intern(r->s, name, klen + 2, lp_series_hash(name, klen + 2),
                              LP_GAUGE, r->err);
    if (c < 0)
        return -1;
    if (r->s->cols[c].kind != LP_GAUGE)
        return 0;
    return lp_series_put_gauge(r->s, (uint32_t)c, v, r->err);
}

/* Count a snapshot whose time is not later than the one before it of the
 * same run (a clock set back or stuck); it is kept: lp_series_finish
 * orders every run by time.  0, or -1 when out of memory. */
static int check_order(reader *r, size_t run, double time)
{
    if (run >= r->cap_run_last) {
        size_t old = r->cap_run_last;
        if (lp_array_grow((void **)&r->run_last, &r->cap_run_last, run + 1,
                          sizeof *r->run_last, r->err) != 0)
            return -1;
        for (size_t i = old; i < r->cap_run_last; i++)
            r->run_last[i] = NAN;
    }
    if (time <= r->run_last[run] && r->back++ == 0)
        r->first_back = r->line_no;
    r->run_last[run] = time;
    return 0;
}

/* "#START <time> key=value ..." (p is after "#START") */
static int start_line(reader *r, const char *p, const char *end)
{
    const char *ts, *te, *eq;
    double time;
    r->file_top = false;
    r->in_snap = false;
    if (!next_token(&p, end, &ts, &te) || lp_read_number(ts, te, &time) != te ||
        !(time >= LP_READ_TIME_MIN && time <= LP_READ_TIME_MAX)) {
        bad_line(r);
        r->skip_snap = true;
        return 0;
    }
    const char *gauges = p;
    long pid = -1;
    bool has_pid = false;
    while (next_token(&p, end, &ts, &te))
        if (split_kv(ts, te, &eq) && eq - ts == 3 && memcmp(ts, "pid", 3) == 0)
            has_pid = parse_pid(eq + 1, te, &pid);
    long run = snapshot_run(r, has_pid, pid);
    if (run < 0 || check_order(r, (size_t)run, time) != 0 ||
        lp_series_add_row(r->s, time, (uint32_t)run, r->err) != 0)
        return -1;
    for (p = gauges; next_token(&p, end, &ts, &te);)
        if (split_kv(ts, te, &eq) && !(eq - ts == 3 && memcmp(ts, "pid", 3) == 0) &&
            gauge(r, ts, eq, te) != 0)
            return -1;
    uint32_t *swap = r->prev;
    r->prev = r->cur;
    r->cur = swap;
    r->n_prev = r->n_cur;
    r->n_cur = 0;
    r->in_snap = true;
    r->skip_snap = false;
    r->stats.snapshots++;
    r->ctx_snapshots++;
    return 0;
}

/* Note that the next line of this snapshot named column id, to predict
 * the next snapshot's.  A snapshot has at most one line per name in real
 * logs; past one per column (and a margin) a name repeats, and its place
 * is not kept: 10 GiB of "dict 5" in one snapshot would need 6 GB here. */
static int remember_order(reader *r, uint32_t id)
{
    if (r->n_cur >= r->s->n_cols + 1024)
        return 0;
    if (r->n_cur == r->cap_order) {
        size_t ncap = r->cap_order ? r->cap_order * 2 : 512;
        uint32_t *a = realloc(r->prev, ncap * sizeof *a);
        if (a == NULL)
            goto oom;
        r->prev = a;
        uint32_t *b = realloc(r->cur, ncap * sizeof *b);
        if (b == NULL)
            goto oom;
        r->cur = b;
        r->cap_order = ncap;
    }
    r->cur[r->n_cur++] = id;
    return 0;
oom:
    lp_error_set(r->err, "out of memory");
    return -1;
}

/* The digits [d, e) as a count; false when it does not fit 64 bits.
 * Hot: up to 19 digits cannot overflow and need no check. */
static bool parse_count(const char *d, const char *e, uint64_t *out)
{
    if (e - d > 19) {
        while (e - d > 1 && *d == '0')
            d++;
        if (e - d > 20 || (e - d == 20 && memcmp(d, "18446744073709551615", 20) > 0))
            return false;
    }
    uint64_t count = 0;
    for (; d < e; d++)
        count = count * 10 + (uint64_t)(*d - '0');
    *out = count;
    return true;
}

/* Whether a name holds a control character (a tab aside): binary junk,
 * not a type (the agent writes them as '_'), and one that would garble a
 * terminal.  Checked off the hot path, for names not seen in the row
 * before. */
static bool has_control(const char *p, size_t len)
{
    for (size_t i = 0; i < len; i++)
        if (((unsigned char)p[i] < 0x20 && p[i] != '\t') || p[i] == 0x7f)
            return true;
    return false;
}

/* "<name> <count>": the hot path. [p, e) has no trailing blanks. */
static int type_line(reader *r, const char *p, const char *e)
{
    const char *d = e;
    while (d > p && (unsigned)(d[-1] - '0') < 10)
        d--;
    uint64_t count;
    if (d == e || d == p || !is_blank(d[-1]) || !parse_count(d, e, &count)) {
        bad_line(r);
        return 0;
    }
    const char *ne = d - 1;
    while (ne > p && is_blank(ne[-1]))
        ne--;
    while (p < ne && is_blank(*p))
        p++;
    if (p == ne || !r->in_snap) {
        if (!r->skip_snap)
            bad_line(r);
        return 0;
    }
    size_t len = (size_t)(ne - p);
    lp_series_store *s = r->s;
    uint32_t id;
    size_t k = r->n_cur;
    if (k < r->n_prev && s->cols[r->prev[k]].name_len == len &&
        memcmp(s->cols[r->prev[k]].name, p, len) == 0) {
        id = r->prev[k];
    } else if (has_control(p, len)) {
        bad_line(r);
        return 0;
    } else {
        long c = lp_series_intern(s, p, len, lp_series_hash(p, len), LP_TYPE, r->err);
        if (c < 0)
            return -1;
        if (s->cols[c].kind != LP_TYPE) {
            bad_line(r);
            return 0;
        }
        id = (uint32_t)c;
    }
    if (remember_order(r, id) != 0)
        return -1;
    return lp_series_put_count(s, id, count, r->err);
}

/* A #CHAIN record (lp_chain.h) of the current snapshot, into the store's
 * chains; 0 when the line is not one (*taken false). */
static int chain_line(reader *r, const char *p, const char *e, bool *taken)
{
    lp_chain c;
    lp_hop hops[LP_CHAIN_MAX_HOPS];
    *taken = e - p >= 6 && memcmp(p, "#CHAIN", 6) == 0 && (e - p == 6 || is_blank(p[6]));
    if (!*taken)
        return 0;
    if (e - p > LP_CHAIN_MAX_LINE || has_control(p, (size_t)(e - p)) ||
        lp_chain_parse(p, e, &c, hops) != 1 || !r->in_snap) {
        if (!r->skip_snap)
            bad_line(r);
        return 0;
    }
    if (r->s->chains == NULL && (r->s->chains = lp_chains_new()) == NULL)
        return lp_error_set(r->err, "out of memory (chains)");
    return lp_chains_add(r->s->chains, r->s->row_run[r->s->n_rows - 1],
                         r->s->times[r->s->n_rows - 1], &c, r->err);
}

/* A "Why it grows" record (lp_records.h, lp_chain.h) of the current
 * snapshot, into the series or the chains it feeds; any other comment is
 * skipped.  Not on the hot path: a snapshot holds a few dozen of them
 * next to its thousands of counts. */
static int record_line(reader *r, const char *p, const char *e)
{
    bool taken;
    int rc = chain_line(r, p, e, &taken);
    if (taken)
        return rc;
    lp_record rec;
    int kind = lp_record_parse(p, e, &rec);
    if (kind == LP_RECORD_NONE)
        return 0;
    if (kind < 0 || !r->in_snap) {
        if (!r->skip_snap)
            bad_line(r);
        return 0;
    }
    static const lp_kind kinds[] = {
        [LP_RECORD_REFS] = LP_REFS, [LP_RECORD_BYTES] = LP_BYTES, [LP_RECORD_LEN] = LP_LEN,
        [LP_RECORD_EXACT] = LP_EXACT, [LP_RECORD_GONE] = LP_GONE};
    char name[MAX_RECORD_NAME];
    size_t len = lp_record_series_name(&rec, name, sizeof name);
    if (len == 0 || has_control(name, len)) {
        bad_line(r);
        return 0;
    }
    long c = lp_series_intern(r->s, name, len, lp_series_hash(name, len), kinds[kind], r->err);
    if (c < 0)
        return -1;
    if (r->s->cols[c].kind != kinds[kind]) {
        bad_line(r);
        return 0;
    }
    if (kind == LP_RECORD_EXACT)
        return lp_series_put_gauge(r->s, (uint32_t)c, (double)rec.net, r->err);
    return lp_series_put_count(r->s, (uint32_t)c, rec.value, r->err);
}

/* Parse the complete lines of [p, end); returns the start of an
 * unterminated last line (== end when there is none), or NULL on error. */
static const char *parse_block(reader *r, const char *p, const char *end)
{
    for (;;) {
        const char *nl = memchr(p, '\n', (size_t)(end - p));
        if (nl == NULL)
            return p;
        r->line_no++;
        const char *e = nl;
        while (e > p && (is_blank(e[-1]) || e[-1] == '\r'))
            e--;
        int rc = 0;
        if (e == p)
            ;                        /* blank line */
        else if (*p != '#')
            rc = type_line(r, p, e);
        else if (e - p >= 6 && memcmp(p, "#START", 6) == 0 && (e - p == 6 || is_blank(p[6])))
            rc = start_line(r, p + 6, e);
        else if (e - p > 12 && memcmp(p, "# leakagent ", 12) == 0)
            rc = header_line(r, p + 12, e);
        else
            rc = record_line(r, p, e);
        if (rc != 0)
            return NULL;
        p = nl + 1;
    }
}

static void warn(reader *r, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static void warn(reader *r, const char *fmt, ...)
{
    if (r->opt.warn == NULL)
        return;
    char text[600];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(text, sizeof text, fmt, ap);
    va_end(ap);
    r->opt.warn(r->opt.warn_ud, text);
}

/* Skip the rest of a line longer than a block, which lp_input hands out in
 * pieces; it was counted as one bad line when its first piece came.
 * Returns where the lines after it start (end while it goes on). */
static const char *skip_cut_line(reader *r, const char *p, const char *end)
{
    if (!r->in_cut)
        return p;
    const char *nl = memchr(p, '\n', (size_t)(end - p));
    if (nl == NULL)
        return end;
    r->in_cut = false;
    return nl + 1;
}

/* Sets *seen if path was read already (same device and inode) or, when
 * optional, if it vanished (rotated away since it was listed); records it. */
static int already_read(reader *r, const char *path, bool optional, bool *seen)
{
    struct stat st;
    *seen = false;
    if (stat(path, &st) != 0) {
        *seen = optional && errno == ENOENT;
        return 0;               /* else lp_input_open reports the error */
    }
    for (size_t i = 0; i < r->n_seen; i++)
        if (r->seen[i].dev == st.st_dev && r->seen[i].ino == st.st_ino) {
            *seen = true;
            return 0;
        }
    if (lp_array_grow((void **)&r->seen, &r->cap_seen, r->n_seen + 1, sizeof *r->seen, r->err) != 0)
        return -1;
    r->seen[r->n_seen++] = (file_id){st.st_dev, st.st_ino};
    return 0;
}

/* Read one file into the store.  ahead: the file already opened (its
 * inflation under way), or NULL to open it here; consumed either way. */
static int read_file(reader *r, const char *path, bool optional, lp_input *ahead)
{
    bool seen;
    if (already_read(r, path, optional, &seen) != 0 || seen) {
        lp_input_close(ahead);
        return seen ? 0 : -1;
    }
    lp_input *in = ahead ? ahead : lp_input_open(path, r->opt.max_inflate, r->err);
    if (in == NULL)
        return -1;
    int rc = -1;
    r->path = path;
    r->file_top = true;
    r->file_no++;
    r->in_snap = r->skip_snap = r->in_cut = false;
    r->line_no = r->bad = r->first_bad = r->back = r->first_back = 0;
    r->n_prev = r->n_cur = 0;
    const char *data, *tail = NULL;
    size_t len;
    int more;
    while ((more = lp_input_next(in, &data, &len, r->err)) == 1) {
        tail = parse_block(r, skip_cut_line(r, data, data + len), data + len);
        if (tail == NULL) {
            char why[sizeof r->err->msg];
            snprintf(why, sizeof why, "%s", r->err->msg);
            lp_error_set(r->err, "%s:%zu: %s", path, r->line_no, why);
            goto out;
        }
        if (tail < data + len) {    /* unterminated: truncated or cut */
            r->line_no++;
            bad_line(r);
            r->in_cut = true;
        }
    }
    if (more < 0)
        goto out;
    r->stats.files++;
    r->stats.lines += r->line_no;
    r->stats.bad_lines += r->bad;
    if (lp_input_damage(in))
        warn(r, "%s: %s; the data before it was read", path, lp_input_damage(in));
    if (r->bad)
        warn(r, "%s:%zu: skipped %zu unreadable line%s (the first is this one)",
             path, r->first_bad, r->bad, r->bad == 1 ? "" : "s");
    if (r->back)
        warn(r, "%s:%zu: %zu snapshot%s not later than the one before of the same process "
             "(the first is this one; clock set back?); ordered by time",
             path, r->first_back, r->back, r->back == 1 ? "" : "s");
    rc = 0;
out:
    lp_input_close(in);
    return rc;
}

static int read_log(reader *r, const char *log)
{
    lp_file_list files = {0};
    if (lp_files_expand(log, &files, r->err) != 0)
        return -1;
    r->source = log;
    r->header_run = -1;
    clear_pids(r);
    r->ctx_snapshots = 0;
    size_t known = r->n_seen;
    int rc = -1;
    /* Each sibling is opened while the one before is parsed, so a gzip
     * sibling's inflation overlaps the parse of the previous file (a failed
     * early open is retried by read_file, which reports the error). */
    lp_input *ahead = NULL;
    for (size_t i = 0; i < files.n; i++) {
        lp_input *in = ahead;
        ahead = i + 1 < files.n ? lp_input_open(files.paths[i + 1], r->opt.max_inflate, NULL)
                                : NULL;
        if (read_file(r, files.paths[i], strcmp(files.paths[i], log) != 0, in) != 0) {
            lp_input_close(ahead);
            goto out;
        }
    }
    if (r->ctx_snapshots == 0 && r->n_seen > known) {   /* not just a repeat */
        lp_error_set(r->err, "%s: no snapshot found (no \"#START\" line)", log);
        goto out;
    }
    rc = 0;
out:
    lp_files_free(&files);
    return rc;
}

int lp_read_logs(lp_series_store *s, char *const *logs, size_t n_logs,
                 lp_read_warn_fn warn_fn, void *warn_ud, lp_read_stats *stats,
                 lp_error *err)
{
    lp_read_options opt = {.warn = warn_fn, .warn_ud = warn_ud,
                           .max_inflate = LP_INPUT_MAX_RATIO};
    return lp_read_logs_with(s, logs, n_logs, &opt, stats, err);
}

int lp_read_logs_with(lp_series_store *s, char *const *logs, size_t n_logs,
                      const lp_read_options *options, lp_read_stats *stats, lp_error *err)
{
    reader r = {.s = s, .err = err, .opt = *options, .header_run = -1};
    int rc = -1;
    for (size_t i = 0; i < n_logs; i++)
        if (read_log(&r, logs[i]) != 0)
            goto out;
    if (lp_series_finish(s, err) != 0)
        goto out;
    rc = 0;
out:
    if (stats != NULL)
        *stats = r.stats;
    free(r.seen);
    free(r.pids);
    free(r.run_last);
    free(r.prev);
    free(r.cur);
    return rc;
}
