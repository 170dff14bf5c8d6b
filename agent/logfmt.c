/* logfmt: producing the text of log format version 1.  Pure: buffers in,
 * bytes out; the writer (rlog) decides where they go. */
#include "logfmt.h"

#include <ctype.h>
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

void logfmt_buf_free(logfmt_buf *b)
{
    free(b->data);
    b->data = NULL;
    b->len = b->cap = 0;
}

static int reserve(logfmt_buf *b, size_t extra)
{
    if (b->len + extra + 1 <= b->cap)
        return 0;
    size_t ncap = b->cap ? b->cap : 4096;
    while (ncap < b->len + extra + 1)
        ncap *= 2;
    char *bigger = realloc(b->data, ncap);
    if (bigger == NULL)
        return -1;
    b->data = bigger;
    b->cap = ncap;
    return 0;
}

int logfmt_buf_append(logfmt_buf *b, const char *data, size_t len)
{
    if (reserve(b, len) != 0)
        return -1;
    memcpy(b->data + b->len, data, len);
    b->len += len;
    b->data[b->len] = '\0';
    return 0;
}

int logfmt_buf_printf(logfmt_buf *b, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    int n = vsnprintf(NULL, 0, fmt, ap);
    va_end(ap);
    if (n < 0 || reserve(b, (size_t)n) != 0)
        return -1;
    va_start(ap, fmt);
    vsnprintf(b->data + b->len, (size_t)n + 1, fmt, ap);
    va_end(ap);
    b->len += (size_t)n;
    return 0;
}

int logfmt_number(char *out, size_t size, double v)
{
    if (!isfinite(v))
        return snprintf(out, size, "nan");
    if (v == floor(v) && fabs(v) < 9e15)
        return snprintf(out, size, "%.0f", v);
    int n = snprintf(out, size, "%.3f", v);
    /* Trim trailing zeros: 3.100 -> 3.1 */
    while (n > 0 && out[n - 1] == '0')
        out[--n] = '\0';
    if (n > 0 && out[n - 1] == '.')
        out[--n] = '\0';
    return n;
}

int logfmt_append_name(logfmt_buf *b, const char *name)
{
    size_t len = strlen(name);
    if (len == 0)
        return logfmt_buf_append(b, "_", 1) == 0 ? 1 : -1;
    if (reserve(b, len) != 0)
        return -1;
    char *out = b->data + b->len;
    for (size_t i = 0; i < len; i++) {
        unsigned char c = (unsigned char)name[i];
        out[i] = (isspace(c) || iscntrl(c)) ? '_' : (char)c;
    }
    b->len += len;
    b->data[b->len] = '\0';
    return (int)len;
}

/* Header values must stay one token: sanitise like names. */
static int append_field(logfmt_buf *b, const char *key, const char *value)
{
    if (value == NULL)
        return 0;
    if (logfmt_buf_printf(b, " %s=", key) != 0 || logfmt_append_name(b, value) < 0)
        return -1;
    return 0;
}

int logfmt_append_header(logfmt_buf *b, const logfmt_header *h)
{
    char interval[64];
    logfmt_number(interval, sizeof interval, (double)h->interval_ms / 1000.0);
    if (logfmt_buf_printf(b, "# leakagent 1 pid=%ld", h->pid) != 0 ||
        append_field(b, "host", h->host) != 0 ||
        append_field(b, "program", h->program) != 0)
        return -1;
    if (h->extra && *h->extra && logfmt_buf_printf(b, " %s", h->extra) != 0)
        return -1;
    if (logfmt_buf_printf(b, " interval=%s", interval) != 0)
        return -1;
    if (h->start > 0 && logfmt_buf_printf(b, " start=%.2f", h->start) != 0)
        return -1;
    return logfmt_buf_printf(b, "\n");
}

/* Format an unsigned count without printf (the hot loop of a snapshot). */
static size_t format_u64(char *out, uint64_t v)
{
    char tmp[24];
    size_t n = 0;
    do {
        tmp[n++] = (char)('0' + v % 10);
        v /= 10;
    } while (v);
    for (size_t i = 0; i < n; i++)
        out[i] = tmp[n - 1 - i];
    return n;
}

/* Space-separated fields, each sanitised as a name: runs of whitespace
 * become one separator, control characters '_', so the line stays one line
 * with the field count its writer meant. */
static int append_fields(logfmt_buf *b, const char *fields)
{
    const char *p = fields;
    bool first = true;
    while (*p) {
        while (*p == ' ')
            p++;
        size_t n = strcspn(p, " ");
        if (n == 0)
            break;
        char field[512];
        if (n >= sizeof field)
            n = sizeof field - 1;
        memcpy(field, p, n);
        field[n] = '\0';
        if ((!first && logfmt_buf_append(b, " ", 1) != 0) || logfmt_append_name(b, field) < 0)
            return -1;
        first = false;
        p += strcspn(p, " ");
    }
    return 0;
}

/* One detail record line (snap.h's kinds): "#REFS name refs bytes",
 * "#BYTES name bytes", "#LEN name 0xID length holder", "#EXACT name net",
 * "#CHAIN name why k/n root hop...", "#GONE label survivors". */
static int append_record(logfmt_buf *b, const snapshot *s, const snap_rec *r)
{
    static const char *const tags[SNAP_REC_KINDS] = {"#REFS ", "#BYTES ", "#LEN ", "#EXACT ",
                                                      "#CHAIN ", "#GONE "};
    if (logfmt_buf_printf(b, "%s", tags[r->kind]) != 0 ||
        logfmt_append_name(b, snap_rec_name(s, r)) < 0)
        return -1;
    switch (r->kind) {
    case SNAP_REC_REFS:
        return logfmt_buf_printf(b, " %lld %llu\n", (long long)r->a, (unsigned long long)r->b);
    case SNAP_REC_LEN:
        if (logfmt_buf_printf(b, " 0x%llx %lld ", (unsigned long long)r->id, (long long)r->a) != 0 ||
            logfmt_append_name(b, snap_rec_holder(s, r)) < 0)
            return -1;
        return logfmt_buf_append(b, "\n", 1);
    case SNAP_REC_CHAIN:
        if (logfmt_buf_append(b, " ", 1) != 0 || append_fields(b, snap_rec_holder(s, r)) != 0)
            return -1;
        return logfmt_buf_append(b, "\n", 1);
    default:
        return logfmt_buf_printf(b, " %lld\n", (long long)r->a);
    }
}

int logfmt_append_snapshot(logfmt_buf *b, const snapshot *s)
{
    if (logfmt_buf_printf(b, "#START %.3f pid=%ld", s->time, s->pid) != 0)
        return -1;
    for (size_t i = 0; i < s->n_gauges; i++) {
        char number[64];
        logfmt_number(number, sizeof number, s->gauges[i].value);
        if (logfmt_buf_printf(b, " %s=%s", s->gauges[i].key, number) != 0)
            return -1;
    }
    if (logfmt_buf_append(b, "\n", 1) != 0)
        return -1;
    for (size_t i = 0; i < s->n_entries; i++) {
        if (logfmt_append_name(b, snap_name(s, i)) < 0 || reserve(b, 24) != 0)
            return -1;
        b->data[b->len++] = ' ';
        b->len += format_u64(b->data + b->len, s->entries[i].count);
        b->data[b->len++] = '\n';
        b->data[b->len] = '\0';
    }
    for (size_t i = 0; i < s->n_recs; i++)
        if (append_record(b, s, &s->recs[i]) != 0)
            return -1;
    return 0;
}
