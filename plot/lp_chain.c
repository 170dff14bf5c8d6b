/* lp_chain: parsing, copying and saying one #CHAIN record (lp_chain.h). */
#include "lp_chain.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "lp_records.h"
#include "lp_utf8.h"

static bool is_blank(char c)
{
    return c == ' ' || c == '\t';
}

/* The next blank-separated field of [*p, e); false if none. */
static bool next_field(const char **p, const char *e, lp_span *f)
{
    const char *q = *p;
    while (q < e && is_blank(*q))
        q++;
    if (q == e)
        return false;
    f->p = q;
    while (q < e && !is_blank(*q))
        q++;
    f->len = (size_t)(q - f->p);
    *p = q;
    return true;
}

static bool span_is(lp_span s, const char *text)
{
    return s.len == strlen(text) && memcmp(s.p, text, s.len) == 0;
}

static bool span_eq(lp_span a, lp_span b)
{
    return a.len == b.len && memcmp(a.p, b.p, a.len) == 0;
}

static bool has_prefix(lp_span s, const char *prefix, lp_span *rest)
{
    size_t n = strlen(prefix);
    if (s.len < n || memcmp(s.p, prefix, n) != 0)
        return false;
    *rest = (lp_span){s.p + n, s.len - n};
    return true;
}

static bool parse_share(lp_span f, uint64_t *k, uint64_t *n)
{
    const char *slash = memchr(f.p, '/', f.len);
    if (slash == NULL)
        return false;
    size_t kl = (size_t)(slash - f.p);
    return lp_record_count(f.p, kl, k) && lp_record_count(slash + 1, f.len - kl - 1, n) && *n > 0 &&
           *k <= *n;
}

/* frame:<thread>:<function>:<variable>; the thread's name may hold ':',
 * a function's or a variable's cannot: split from the right. */
static bool parse_frame(lp_span rest, lp_chain *c)
{
    const char *last = NULL, *before = NULL;
    for (const char *q = rest.p; q < rest.p + rest.len; q++)
        if (*q == ':') {
            before = last;
            last = q;
        }
    if (before == NULL)
        return false;
    c->thread = (lp_span){rest.p, (size_t)(before - rest.p)};
    c->function = (lp_span){before + 1, (size_t)(last - before - 1)};
    c->variable = (lp_span){last + 1, (size_t)(rest.p + rest.len - last - 1)};
    return c->thread.len && c->function.len && c->variable.len;
}

static bool parse_root(lp_span f, lp_chain *c)
{
    lp_span rest;
    c->root = f;
    if (has_prefix(f, "global:", &rest) || has_prefix(f, "class:", &rest)) {
        c->root_kind = f.p[0] == 'g' ? LP_ROOT_GLOBAL : LP_ROOT_CLASS;
        c->root_name = rest;
        return rest.len > 0;
    }
    if (has_prefix(f, "frame:", &rest)) {
        c->root_kind = LP_ROOT_FRAME;
        return parse_frame(rest, c);
    }
    if (has_prefix(f, "external:", &rest)) {
        c->root_kind = LP_ROOT_EXTERNAL;
        return lp_record_count(rest.p, rest.len, &c->excess);
    }
    c->root_kind = span_is(f, "depth") ? LP_ROOT_DEPTH : LP_ROOT_UNKNOWN;
    return span_is(f, "depth") || span_is(f, "unknown");
}

/* <holder-type>@0x<hex>:<edge>: split at the first '@', then at the first
 * ':' after it (the edge may hold both). */
static bool parse_hop(lp_span f, lp_hop *h)
{
    const char *at = memchr(f.p, '@', f.len);
    if (at == NULL || at == f.p)
        return false;
    const char *end = f.p + f.len, *q = at + 1;
    if (end - q < 3 || q[0] != '0' || (q[1] != 'x' && q[1] != 'X'))
        return false;
    const char *colon = memchr(q, ':', (size_t)(end - q));
    if (colon == NULL || colon - q < 3)
        return false;
    for (const char *d = q + 2; d < colon; d++)
        if (!((*d >= '0' && *d <= '9') || (*d >= 'a' && *d <= 'f') || (*d >= 'A' && *d <= 'F')))
            return false;
    h->type = (lp_span){f.p, (size_t)(at - f.p)};
    h->address = (lp_span){q, (size_t)(colon - q)};
    h->edge = (lp_span){colon + 1, (size_t)(end - colon - 1)};
    return h->edge.len > 0;
}

int lp_chain_parse(const char *p, const char *e, lp_chain *out, lp_hop *hops)
{
    lp_span tag, share, root;
    if (!next_field(&p, e, &tag) || !span_is(tag, "#CHAIN"))
        return 0;
    memset(out, 0, sizeof *out);
    out->hops = hops;
    if (!next_field(&p, e, &out->type) || !next_field(&p, e, &out->why) ||
        !next_field(&p, e, &share) || !parse_share(share, &out->k, &out->n) ||
        !next_field(&p, e, &root) || !parse_root(root, out))
        return -1;
    lp_span f;
    while (next_field(&p, e, &f)) {
        lp_hop h;
        if (!parse_hop(f, &h))
            break;                   /* extra trailing fields */
        if (out->n_hops == LP_CHAIN_MAX_HOPS)
            return -1;
        hops[out->n_hops++] = h;
    }
    return 1;
}

/* ---- owned copies ---------------------------------------------------------- */

/* Copy s to *at (NUL-terminated) and advance it; the copy's span. */
static lp_span put(char **at, lp_span s)
{
    lp_span copy = {*at, s.len};
    memcpy(*at, s.p, s.len);
    (*at)[s.len] = '\0';
    *at += s.len + 1;
    return copy;
}

/* A span inside c->root, moved to the same place inside the copy's root. */
static lp_span inside(lp_span s, const lp_chain *c, lp_span root_copy)
{
    if (s.p == NULL)
        return s;
    return (lp_span){root_copy.p + (s.p - c->root.p), s.len};
}

lp_chain *lp_chain_copy(const lp_chain *c)
{
    size_t bytes = sizeof *c + c->n_hops * sizeof *c->hops + c->type.len + c->why.len +
                   c->root.len + 3;
    for (size_t i = 0; i < c->n_hops; i++)
        bytes += c->hops[i].type.len + c->hops[i].address.len + c->hops[i].edge.len + 3;
    lp_chain *copy = malloc(bytes);
    if (copy == NULL)
        return NULL;
    *copy = *c;
    copy->hops = (lp_hop *)(copy + 1);
    char *at = (char *)(copy->hops + c->n_hops);
    copy->type = put(&at, c->type);
    copy->why = put(&at, c->why);
    copy->root = put(&at, c->root);
    copy->root_name = inside(c->root_name, c, copy->root);
    copy->thread = inside(c->thread, c, copy->root);
    copy->function = inside(c->function, c, copy->root);
    copy->variable = inside(c->variable, c, copy->root);
    for (size_t i = 0; i < c->n_hops; i++) {
        copy->hops[i].type = put(&at, c->hops[i].type);
        copy->hops[i].address = put(&at, c->hops[i].address);
        copy->hops[i].edge = put(&at, c->hops[i].edge);
    }
    return copy;
}

bool lp_chain_gone_label(const lp_chain *c, lp_span *label)
{
    return has_prefix(c->why, "gone:", label) && label->len > 0;
}

bool lp_chain_same(const lp_chain *a, const lp_chain *b)
{
    lp_span la, lb;
    bool ga = lp_chain_gone_label(a, &la), gb = lp_chain_gone_label(b, &lb);
    if (ga != gb || (ga && !span_eq(la, lb)) || !span_eq(a->type, b->type) ||
        !span_eq(a->root, b->root) || a->n_hops != b->n_hops)
        return false;
    for (size_t i = 0; i < a->n_hops; i++)
        if (!span_eq(a->hops[i].type, b->hops[i].type) ||
            !span_eq(a->hops[i].edge, b->hops[i].edge))
            return false;
    return true;
}

/* ---- in words -------------------------------------------------------------- */

/* Containers with no owner of their own: a global holding one is said as
 * the global with the container's edge. */
static const char *const plain_containers[] = {
    "list", "dict", "set", "frozenset", "tuple", "collections.deque",
    "collections.OrderedDict", "collections.defaultdict",
};

bool lp_chain_folds(const lp_chain *c, size_t h)
{
    if (c->n_hops == 0 || h != c->n_hops - 1 ||
        (c->root_kind != LP_ROOT_GLOBAL && c->root_kind != LP_ROOT_CLASS))
        return false;
    for (size_t i = 0; i < sizeof plain_containers / sizeof plain_containers[0]; i++)
        if (span_is(c->hops[h].type, plain_containers[i]))
            return true;
    return false;
}

#define SPAN(s) (int)(s).len, (s).p

char *lp_chain_root_text(char *out, size_t size, const lp_chain *c)
{
    switch (c->root_kind) {
    case LP_ROOT_GLOBAL:
    case LP_ROOT_CLASS: {
        lp_span edge = {"", 0};
        if (lp_chain_folds(c, c->n_hops - 1))
            edge = c->hops[c->n_hops - 1].edge;
        snprintf(out, size, "%.*s%.*s", SPAN(c->root_name), SPAN(edge));
        break;
    }
    case LP_ROOT_FRAME:
        snprintf(out, size, "thread %.*s in %.*s() local %.*s", SPAN(c->thread),
                 SPAN(c->function), SPAN(c->variable));
        break;
    case LP_ROOT_EXTERNAL:
        snprintf(out, size, "held only from outside the collector (+%llu refs)",
                 (unsigned long long)c->excess);
        break;
    case LP_ROOT_DEPTH:
        snprintf(out, size, "(depth limit)");
        break;
    default:
        snprintf(out, size, "(no referrer found)");
    }
    return out;
}

char *lp_chain_text(const lp_chain *c)
{
    char *text = NULL;
    size_t len = 0;
    FILE *f = open_memstream(&text, &len);
    if (f == NULL)
        return NULL;
    fputs("held by: ", f);
    for (size_t i = 0; i < c->n_hops; i++)
        if (!lp_chain_folds(c, i))
            fprintf(f, "%.*s%.*s <- ", SPAN(c->hops[i].type), SPAN(c->hops[i].edge));
    /* the root in words: its field and at most the words around it */
    size_t size = c->root.len + 64;
    char *root = malloc(size);
    if (root != NULL)
        fputs(lp_chain_root_text(root, size, c), f);
    free(root);
    if (fclose(f) != 0 || root == NULL) {
        free(text);
        return NULL;
    }
    return text;
}

static const char ellipsis[] = "\xe2\x80\xa6";      /* U+2026 */

/* Byte offset of code point k of text (len bytes); len past the last. */
static size_t offset_of(const char *text, size_t len, size_t k)
{
    size_t i = 0;
    while (k-- > 0 && i < len) {
        size_t n = lp_utf8_len((const unsigned char *)text + i, len - i);
        i += n ? n : 1;
    }
    return i;
}

static size_t count_points(const char *text, size_t len)
{
    size_t n = 0;
    for (size_t i = 0; i < len; n++) {
        size_t l = lp_utf8_len((const unsigned char *)text + i, len - i);
        i += l ? l : 1;
    }
    return n;
}

char *lp_chain_fit(char *out, size_t size, const char *text, size_t max_cols)
{
    size_t len = strlen(text), points = count_points(text, len);
    if (size == 0)
        return out;
    size_t keep = points <= max_cols ? points : max_cols > 1 ? max_cols - 1 : 0;
    for (;; keep--) {
        size_t head = points <= max_cols ? keep : keep / 3, tail = keep - head;
        size_t hb = offset_of(text, len, head);
        size_t tb = len - offset_of(text, len, points - tail);
        bool cut = head + tail < points;
        size_t need = hb + (cut ? sizeof ellipsis - 1 : 0) + tb + 1;
        if (need <= size || keep == 0) {
            if (need > size)
                hb = tb = 0, cut = false;
            memcpy(out, text, hb);
            if (cut)
                memcpy(out + hb, ellipsis, sizeof ellipsis - 1);
            size_t o = hb + (cut ? sizeof ellipsis - 1 : 0);
            memcpy(out + o, text + len - tb, tb);
            out[o + tb] = '\0';
            return out;
        }
    }
}
