/* prom: Prometheus text exposition of a snapshot (see prom.h). */
#include "prom.h"

#include "gauge.h"
#include "la_file.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <math.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

/* Label values escape backslash, double quote and newline. */
static int append_label_value(logfmt_buf *out, const char *value)
{
    for (const char *p = value; *p; p++) {
        const char *rep = NULL;
        if (*p == '\\')
            rep = "\\\\";
        else if (*p == '"')
            rep = "\\\"";
        else if (*p == '\n')
            rep = "\\n";
        if ((rep ? logfmt_buf_append(out, rep, 2) : logfmt_buf_append(out, p, 1)) != 0)
            return -1;
    }
    return 0;
}

/* A sample's value: integers whole, others to the microsecond (the GIL
 * time in seconds, the snapshot's time), trailing zeros trimmed. */
static void format_value(char *out, size_t size, double v)
{
    if (!isfinite(v) || (v == floor(v) && fabs(v) < 9e15)) {
        logfmt_number(out, size, v);
        return;
    }
    int n = snprintf(out, size, "%.6f", v);
    while (n > 1 && n < (int)size && out[n - 1] == '0')
        out[--n] = '\0';
}

/* name{program="..",pid=".."[,extra_key="extra_value"]} value\n */
static int append_sample(logfmt_buf *out, const char *metric, const char *program, long pid,
                         const char *extra_key, const char *extra_value, double value)
{
    char number[64];
    format_value(number, sizeof number, value);
    if (logfmt_buf_printf(out, "%s{program=\"", metric) != 0 ||
        append_label_value(out, program) != 0 ||
        logfmt_buf_printf(out, "\",pid=\"%ld\"", pid) != 0)
        return -1;
    if (extra_key && (logfmt_buf_printf(out, ",%s=\"", extra_key) != 0 ||
                      append_label_value(out, extra_value) != 0 ||
                      logfmt_buf_append(out, "\"", 1) != 0))
        return -1;
    return logfmt_buf_printf(out, "} %s\n", number);
}

static int append_family(logfmt_buf *out, const char *metric, const char *help)
{
    return logfmt_buf_printf(out, "# HELP %s %s\n# TYPE %s gauge\n", metric, help, metric);
}

int prom_format(logfmt_buf *out, const snapshot *snap, const char *program)
{
    const char *prog = program ? program : "unknown";
    if (append_family(out, "python_objects", "Live objects by type (leakagent).") != 0)
        return -1;
    for (size_t i = 0; i < snap->n_entries; i++)
        if (append_sample(out, "python_objects", prog, snap->pid, "type", snap_name(snap, i),
                          (double)snap->entries[i].count) != 0)
            return -1;
    bool other_family = false;
    for (size_t g = 0; g < snap->n_gauges; g++) {
        const snap_gauge *gauge = &snap->gauges[g];
        /* A known gauge has its own metric, in base units (Prometheus'
         * convention, which promtool check metrics enforces). */
        const la_gauge_kind *kind = la_gauge_find(gauge->key);
        int rc;
        if (kind != NULL) {
            rc = append_family(out, kind->metric, kind->help) != 0 ||
                 append_sample(out, kind->metric, prog, snap->pid, NULL, NULL,
                               gauge->value * kind->metric_scale) != 0;
        } else {
            rc = (!other_family && append_family(out, "leakagent_gauge", "Other gauges of the snapshot.") != 0) ||
                 append_sample(out, "leakagent_gauge", prog, snap->pid, "name", gauge->key, gauge->value) != 0;
            other_family = true;
        }
        if (rc)
            return -1;
    }
    if (append_family(out, "leakagent_snapshot_timestamp_seconds", "When the snapshot was taken.") != 0)
        return -1;
    return append_sample(out, "leakagent_snapshot_timestamp_seconds", prog, snap->pid, NULL, NULL, snap->time);
}

static int write_all(int fd, const char *data, size_t len)
{
    while (len > 0) {
        ssize_t n = write(fd, data, len);
        if (n < 0 && errno == EINTR)
            continue;
        if (n <= 0)
            return -1;
        data += n;
        len -= (size_t)n;
    }
    return 0;
}

int prom_write_textfile(const char *path, const snapshot *snap, const char *program,
                        unsigned mode, logfmt_buf *scratch, la_error *err)
{
    const char *base;
    char tmp[4200], shown[4300];
    char *dir = la_file_split(path, &base);
    if (dir == NULL)
        return la_error_set(err, "out of memory");
    int rc = -1, dfd = -1, fd = -1;
    if (snprintf(tmp, sizeof tmp, "%s.tmp.%ld", base, (long)getpid()) >= (int)sizeof tmp) {
        la_error_set(err, "prometheus.textfile path too long: %s", path);
        goto out;
    }
    snprintf(shown, sizeof shown, "prometheus.textfile %s.tmp.%ld", path, (long)getpid());
    scratch->len = 0;
    if (prom_format(scratch, snap, program) != 0) {
        la_error_set(err, "out of memory formatting %s", path);
        goto out;
    }
    dfd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
    if (dfd < 0) {
        la_error_errno(err, errno, "cannot write %s", shown);
        goto out;
    }
    /* Created anew (never through a link planted at the name), then
     * renamed over path: a link there is replaced, not followed. */
    fd = la_file_create_new(dfd, tmp, shown, mode ? mode : PROM_MODE, err);
    if (fd < 0)
        goto out;
    int saved = 0;
    if (write_all(fd, scratch->data, scratch->len) != 0)
        saved = errno;
    if (close(fd) != 0 && saved == 0)
        saved = errno;
    if (saved == 0 && renameat(dfd, tmp, dfd, base) != 0)
        saved = errno;
    if (saved != 0) {
        unlinkat(dfd, tmp, 0);
        la_error_errno(err, saved, "cannot write prometheus.textfile %s", path);
        goto out;
    }
    rc = 0;
out:
    if (dfd >= 0)
        close(dfd);
    free(dir);
    return rc;
}

void prom_remove_stale_tmp(const char *path)
{
    const char *slash = strrchr(path, '/');
    char dir[4200], prefix[4200];
    if (slash == NULL)
        snprintf(dir, sizeof dir, ".");
    else
        snprintf(dir, sizeof dir, "%.*s", slash == path ? 1 : (int)(slash - path), path);
    int n = snprintf(prefix, sizeof prefix, "%s.tmp.", slash ? slash + 1 : path);
    if (n < 0 || n >= (int)sizeof prefix)
        return;
    DIR *d = opendir(dir);
    if (d == NULL)
        return;
    struct dirent *e;
    while ((e = readdir(d)) != NULL) {
        if (strncmp(e->d_name, prefix, (size_t)n) != 0)
            continue;
        char *end;
        long pid = strtol(e->d_name + n, &end, 10);
        if (end == e->d_name + n || *end != '\0' || pid <= 0 || pid == (long)getpid())
            continue;
        if (kill((pid_t)pid, 0) != 0 && errno == ESRCH)
            unlinkat(dirfd(d), e->d_name, 0);
    }
    closedir(d);
}

void prom_remove_dead(const char *dir, const char *prefix, const char *suffix, double max_age_s)
{
    size_t np = strlen(prefix), ns = strlen(suffix);
    DIR *d = opendir(dir);
    if (d == NULL)
        return;
    time_t now = time(NULL);
    struct dirent *e;
    while ((e = readdir(d)) != NULL) {
        size_t len = strlen(e->d_name);
        if (len <= np + ns || strncmp(e->d_name, prefix, np) != 0 ||
            strcmp(e->d_name + len - ns, suffix) != 0)
            continue;
        long pid = 0;
        const char *p = e->d_name + np;
        for (; p < e->d_name + len - ns; p++) {
            if (*p < '0' || *p > '9' || pid > 100000000)
                break;
            pid = pid * 10 + (*p - '0');
        }
        if (p != e->d_name + len - ns || pid <= 0 || pid == (long)getpid())
            continue;
        struct stat st;
        if (fstatat(dirfd(d), e->d_name, &st, AT_SYMLINK_NOFOLLOW) != 0 || !S_ISREG(st.st_mode) ||
            difftime(now, st.st_mtime) < max_age_s)
            continue;
        if (kill((pid_t)pid, 0) != 0 && errno == ESRCH)
            unlinkat(dirfd(d), e->d_name, 0);
    }
    closedir(d);
}
