/* lp_records: parsing the "Why it grows" records of a snapshot (lp_records.h). */
#include "lp_records.h"

#include <stdio.h>
#include <string.h>

static bool is_blank(char c)
{
    return c == ' ' || c == '\t';
}

/* The next whitespace-separated field of [*p, e); false if none. */
static bool next_field(const char **p, const char *e, const char **f, size_t *len)
{
    const char *q = *p;
    while (q < e && is_blank(*q))
        q++;
    if (q == e)
        return false;
    const char *start = q;
    while (q < e && !is_blank(*q))
        q++;
    *f = start;
    *len = (size_t)(q - start);
    *p = q;
    return true;
}

bool lp_record_count(const char *f, size_t len, uint64_t *out)
{
    if (len == 0 || len > 19)
        return false;
    uint64_t v = 0;
    for (size_t i = 0; i < len; i++) {
        if ((unsigned)(f[i] - '0') >= 10)
            return false;
        v = v * 10 + (uint64_t)(f[i] - '0');
    }
    *out = v;
    return true;
}

static bool field_u64(const char **p, const char *e, uint64_t *out)
{
    const char *f;
    size_t len;
    return next_field(p, e, &f, &len) && lp_record_count(f, len, out);
}

static const struct {
    const char *tag;
    lp_record_kind kind;
} tags[] = {
    {"#REFS", LP_RECORD_REFS},
    {"#BYTES", LP_RECORD_BYTES},
    {"#LEN", LP_RECORD_LEN},
    {"#EXACT", LP_RECORD_EXACT},
    {"#GONE", LP_RECORD_GONE},
};

int lp_record_parse(const char *p, const char *e, lp_record *out)
{
    const char *tag;
    size_t tag_len;
    if (!next_field(&p, e, &tag, &tag_len))
        return LP_RECORD_NONE;
    memset(out, 0, sizeof *out);
    for (size_t i = 0; i < sizeof tags / sizeof tags[0]; i++)
        if (strlen(tags[i].tag) == tag_len && memcmp(tags[i].tag, tag, tag_len) == 0)
            out->kind = tags[i].kind;
    if (out->kind == LP_RECORD_NONE)
        return LP_RECORD_NONE;
    if (!next_field(&p, e, &out->type, &out->type_len))
        return -1;
    bool ok;
    switch (out->kind) {
    case LP_RECORD_REFS:
        ok = field_u64(&p, e, &out->value) && field_u64(&p, e, &out->bytes);
        break;
    case LP_RECORD_BYTES:
        ok = field_u64(&p, e, &out->value);
        break;
    case LP_RECORD_GONE:
        if (!field_u64(&p, e, &out->value))
            return -1;
        return (int)out->kind;            /* the contract: extra fields ignored */
    case LP_RECORD_EXACT: {
        const char *f;
        size_t len;
        bool neg = false;
        ok = next_field(&p, e, &f, &len);
        if (ok && len > 1 && f[0] == '-') {
            neg = true;
            f++;
            len--;
        }
        ok = ok && lp_record_count(f, len, &out->value) && out->value <= (uint64_t)INT64_MAX;
        out->net = ok ? (neg ? -(int64_t)out->value : (int64_t)out->value) : 0;
        break;
    }
    default: {
        const char *id = NULL, *holder = NULL;
        size_t id_len = 0, holder_len = 0;
        ok = next_field(&p, e, &id, &id_len) && field_u64(&p, e, &out->value) &&
             next_field(&p, e, &holder, &holder_len);
        if (ok && holder_len == 1 && holder[0] == '-') {
            holder = id;                /* no name: the container's identity */
            holder_len = id_len;
        }
        out->holder = holder;
        out->holder_len = ok ? holder_len : 0;
        break;
    }
    }
    const char *extra;
    size_t extra_len;
    if (!ok || next_field(&p, e, &extra, &extra_len))
        return -1;
    return (int)out->kind;
}

size_t lp_record_series_name(const lp_record *r, char *out, size_t size)
{
    int n;
    switch (r->kind) {
    case LP_RECORD_REFS:
        n = snprintf(out, size, "%.*s refs", (int)r->type_len, r->type);
        break;
    case LP_RECORD_BYTES:
        n = snprintf(out, size, "%.*s bytes", (int)r->type_len, r->type);
        break;
    case LP_RECORD_EXACT:
        n = snprintf(out, size, "%.*s exact", (int)r->type_len, r->type);
        break;
    case LP_RECORD_GONE:
        n = snprintf(out, size, "%.*s survived expect_gone", (int)r->type_len, r->type);
        break;
    case LP_RECORD_LEN:
        n = snprintf(out, size, "%.*s %.*s len", (int)r->type_len, r->type, (int)r->holder_len,
                     r->holder);
        break;
    default:
        return 0;
    }
    return n > 0 && (size_t)n < size ? (size_t)n : 0;
}
