/* lp_dot: the referrer graph as GraphViz DOT (lp_dot.h). */
#include "lp_dot.h"

#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "lp_chains.h"
#include "lp_text.h"

/* The names already written (nodes, edges), so each is written once:
 * open addressing over malloc'd copies. */
typedef struct name_set {
    char **slots;
    size_t n, cap;          /* cap a power of two */
} name_set;

static void set_free(name_set *ns)
{
    for (size_t i = 0; i < ns->cap; i++)
        free(ns->slots[i]);
    free(ns->slots);
}

/* Add name; *fresh tells whether it was new.  0, or -1 out of memory. */
static int set_add(name_set *ns, const char *name, bool *fresh)
{
    *fresh = false;
    if (2 * (ns->n + 1) > ns->cap) {
        size_t cap = ns->cap ? 2 * ns->cap : 256;
        char **slots = calloc(cap, sizeof *slots);
        if (slots == NULL)
            return -1;
        for (size_t i = 0; i < ns->cap; i++) {
            if (ns->slots[i] == NULL)
                continue;
            size_t j = lp_series_hash(ns->slots[i], strlen(ns->slots[i])) & (cap - 1);
            while (slots[j] != NULL)
                j = (j + 1) & (cap - 1);
            slots[j] = ns->slots[i];
        }
        free(ns->slots);
        ns->slots = slots;
        ns->cap = cap;
    }
    size_t j = lp_series_hash(name, strlen(name)) & (ns->cap - 1);
    for (; ns->slots[j] != NULL; j = (j + 1) & (ns->cap - 1))
        if (strcmp(ns->slots[j], name) == 0)
            return 0;
    if ((ns->slots[j] = strdup(name)) == NULL)
        return -1;
    ns->n++;
    *fresh = true;
    return 0;
}

/* A malloc'd string as printf makes it, or NULL when out of memory. */
static char *format(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
static char *format(const char *fmt, ...)
{
    char *text;
    va_list ap;
    va_start(ap, fmt);
    int n = vasprintf(&text, fmt, ap);
    va_end(ap);
    return n < 0 ? NULL : text;
}

/* text as the inside of a DOT string: cleaned (lp_text.h), '"' and '\'
 * escaped. */
static void dot_text(FILE *out, const char *text)
{
    size_t len = strlen(text);
    char *clean = malloc(3 * len + 1);
    if (clean == NULL)
        return;
    lp_text_clean(clean, 3 * len + 1, text);
    for (const char *p = clean; *p; p++) {
        if (*p == '"' || *p == '\\')
            fputc('\\', out);
        fputc(*p, out);
    }
    free(clean);
}

/* "id" */
static void dot_id(FILE *out, const char *id)
{
    fputc('"', out);
    dot_text(out, id);
    fputc('"', out);
}

typedef struct graph {
    FILE *out;
    const lp_series_store *s;
    const detect_report *d;
    detect_filter_fn filter;
    void *filter_ud;
    name_set nodes, edges;
    const char *indent;
} graph;

/* A node (once): label line1 and, if not NULL, line2; attrs as DOT. */
static int node(graph *g, const char *id, const char *line1, const char *line2,
                const char *attrs)
{
    bool fresh;
    if (set_add(&g->nodes, id, &fresh) != 0)
        return -1;
    if (!fresh)
        return 0;
    fprintf(g->out, "%s", g->indent);
    dot_id(g->out, id);
    fputs(" [label=\"", g->out);
    dot_text(g->out, line1);
    if (line2) {
        fputs("\\n", g->out);
        dot_text(g->out, line2);
    }
    fprintf(g->out, "\"%s%s];\n", *attrs ? ", " : "", attrs);
    return 0;
}

/* An edge (once) from holder to held, with a label (may be ""). */
static int edge(graph *g, const char *from, const char *to, const char *label)
{
    size_t len = strlen(from) + strlen(to) + strlen(label) + 3;
    char *key = malloc(len);
    if (key == NULL)
        return -1;
    snprintf(key, len, "%s\x01%s\x01%s", from, to, label);
    bool fresh;
    int rc = set_add(&g->edges, key, &fresh);
    free(key);
    if (rc != 0 || !fresh)
        return rc;
    fprintf(g->out, "%s", g->indent);
    dot_id(g->out, from);
    fputs(" -> ", g->out);
    dot_id(g->out, to);
    if (*label) {
        fputs(" [label=\"", g->out);
        dot_text(g->out, label);
        fputs("\"]", g->out);
    }
    fputs(";\n", g->out);
    return 0;
}

/* The name of the series a set's chains explain (malloc'd; NULL when out
 * of memory). */
static char *series_of(const lp_chain_set *set)
{
    return set->gone ? format("%s survived expect_gone", set->key) : strdup(set->key);
}

/* The detector's verdict on the series that a set's chains explain, in
 * run (or a run of the same process); DETECT_OK when none flagged it. */
static detect_verdict verdict_of(const graph *g, const lp_chain_set *set)
{
    char *name = series_of(set);
    long col = name ? lp_series_find(g->s, name) : -1;
    free(name);
    if (col < 0)
        return DETECT_OK;
    for (size_t i = 0; i < g->d->n_items; i++) {
        const detect_finding *f = &g->d->items[i];
        if (f->col == (size_t)col && f->r.verdict != DETECT_OK &&
            g->s->runs[f->run].group == g->s->runs[set->run].group)
            return f->r.growing ? DETECT_GROWING : f->r.verdict;
    }
    return DETECT_OK;
}

static const char *const root_attrs[] = {
    [LP_ROOT_GLOBAL] = "shape=house, fillcolor=\"#cfe0ff\"",
    [LP_ROOT_CLASS] = "shape=house, fillcolor=\"#cfe0ff\"",
    [LP_ROOT_FRAME] = "shape=ellipse, fillcolor=\"#cfe0ff\"",
    [LP_ROOT_EXTERNAL] = "shape=octagon, fillcolor=\"#ffd0d0\"",
    [LP_ROOT_DEPTH] = "shape=note, fillcolor=\"#e8e8e8\"",
    [LP_ROOT_UNKNOWN] = "shape=note, fillcolor=\"#e8e8e8\"",
};

/* The root node of chain c (run r) holding the object `inner`; its id
 * (malloc'd), or NULL when out of memory. */
static char *root_node(graph *g, const lp_chain *c, size_t r, const char *inner)
{
    static const char *const heads[] = {
        [LP_ROOT_GLOBAL] = "module global", [LP_ROOT_CLASS] = "class attribute",
        [LP_ROOT_FRAME] = NULL, [LP_ROOT_EXTERNAL] = "held only from outside the collector",
        [LP_ROOT_DEPTH] = NULL, [LP_ROOT_UNKNOWN] = NULL,
    };
    lp_chain bare = *c;
    bare.n_hops = 0;            /* no folding: the graph shows every object */
    size_t size = c->root.len + 64;
    char *words = malloc(size);
    /* a root that names a place is one node; the others say something of
     * one object only */
    char *id = c->root_kind <= LP_ROOT_FRAME ? format("r%zu/root/%s", r, c->root.p)
                                              : format("r%zu/root/%s/%s", r, c->root.p, inner);
    if (words == NULL || id == NULL)
        goto fail;
    lp_chain_root_text(words, size, &bare);
    const char *line1 = heads[c->root_kind] ? heads[c->root_kind] : words;
    const char *line2 = heads[c->root_kind] ? words : NULL;
    if (c->root_kind == LP_ROOT_EXTERNAL)
        snprintf(words, size, "(+%llu refs)", (unsigned long long)c->excess);
    if (node(g, id, line1, line2, root_attrs[c->root_kind]) != 0)
        goto fail;
    free(words);
    return id;
fail:
    free(words);
    free(id);
    return NULL;
}

static int chain_edges(graph *g, const lp_chain_set *set, const lp_chain *c)
{
    static const char *const fills[] = {
        [DETECT_GROWING] = "fillcolor=\"#f08080\", penwidth=2",
        [DETECT_RISING] = "fillcolor=\"#ffd28a\"", [DETECT_HELD] = "fillcolor=\"#ffd28a\"",
    };
    size_t r = set->run;
    int rc = -1;
    detect_verdict v = verdict_of(g, set);
    const char *fill = v == DETECT_OK ? "fillcolor=\"#fff2cc\"" : fills[v];
    char *what = set->gone ? format("expect_gone %s: survivors", set->key) : strdup("instances");
    char *inner = set->gone ? format("r%zu/gone/%s/%s", r, set->key, c->type.p)
                            : format("r%zu/instances/%s", r, c->type.p);
    char *id = NULL;
    if (what == NULL || inner == NULL || node(g, inner, c->type.p, what, fill) != 0)
        goto out;
    for (size_t h = 0; h < c->n_hops; h++) {
        const lp_hop *hop = &c->hops[h];
        if ((id = format("r%zu/%s", r, hop->address.p)) == NULL ||
            node(g, id, hop->type.p, hop->address.p, "") != 0 ||
            edge(g, id, inner, hop->edge.p) != 0)
            goto out;
        free(inner);
        inner = id;
        id = NULL;
    }
    id = root_node(g, c, r, inner);
    rc = id ? edge(g, id, inner, "") : -1;
out:
    free(what);
    free(inner);
    free(id);
    return rc;
}

/* The runs that have chains, in order; *n of them (at most s->n_runs). */
static size_t *runs_with_chains(const lp_chains *cs, size_t n_runs, size_t *n)
{
    bool *has = calloc(n_runs + 1, sizeof *has);
    size_t *runs = malloc((n_runs + 1) * sizeof *runs);
    *n = 0;
    if (has == NULL || runs == NULL) {
        free(has);
        free(runs);
        return NULL;
    }
    for (size_t i = 0; i < cs->n_sets; i++)
        has[cs->sets[i].run] = true;
    for (size_t r = 0; r < n_runs; r++)
        if (has[r])
            runs[(*n)++] = r;
    free(has);
    return runs;
}

/* One run's chains (in a cluster when clustered). */
static int run_graph(graph *g, size_t r, bool cluster)
{
    const lp_chains *cs = g->s->chains;
    if (cluster) {
        const lp_run *run = &g->s->runs[r];
        char where[4400], label[4700];
        snprintf(label, sizeof label, "%s%s%s", run->program ? run->program : "",
                 run->program ? ", " : "", lp_text_where(where, sizeof where, run));
        fprintf(g->out, "  subgraph \"cluster_r%zu\" {\n    label=\"", r);
        dot_text(g->out, label);
        fputs("\";\n", g->out);
        g->indent = "    ";
    }
    for (size_t i = 0; i < cs->n_sets; i++) {
        const lp_chain_set *set = &cs->sets[i];
        if (set->run != r)
            continue;
        if (g->filter) {
            char *name = series_of(set);
            bool keep = name && g->filter(g->filter_ud, name);
            free(name);
            if (!keep)
                continue;
        }
        for (size_t k = 0; k < set->n; k++)
            if (chain_edges(g, set, set->items[k].chain) != 0)
                return -1;
    }
    if (cluster)
        fputs("  }\n", g->out);
    g->indent = "  ";
    return 0;
}

int lp_dot_write(FILE *out, const lp_series_store *s, const detect_report *d,
                 detect_filter_fn filter, void *filter_ud, lp_error *err)
{
    graph g = {.out = out, .s = s, .d = d, .filter = filter, .filter_ud = filter_ud,
               .indent = "  "};
    int rc = -1;
    size_t n_runs = 0, *runs = NULL;
    fputs("// leakplot: referrer chains recorded by leakagent (#CHAIN records); an arrow\n"
          "// points from the holder to what it holds.  Render: dot -Tsvg FILE -o FILE.svg\n"
          "digraph referrers {\n"
          "  graph [fontname=\"DejaVu Sans\"];\n"
          "  node [shape=box, style=filled, fillcolor=white, fontname=\"DejaVu Sans\", "
          "fontsize=10];\n"
          "  edge [fontname=\"DejaVu Sans\", fontsize=9];\n", out);
    if (s->chains == NULL || s->chains->n_sets == 0) {
        fputs("  // the log holds no #CHAIN record\n}\n", out);
        return 0;
    }
    runs = runs_with_chains(s->chains, s->n_runs, &n_runs);
    if (runs == NULL)
        goto out;
    for (size_t i = 0; i < n_runs; i++)
        if (run_graph(&g, runs[i], n_runs > 1) != 0)
            goto out;
    fputs("}\n", out);
    rc = 0;
out:
    if (rc != 0)
        lp_error_set(err, "out of memory (DOT graph)");
    free(runs);
    set_free(&g.nodes);
    set_free(&g.edges);
    return rc;
}
