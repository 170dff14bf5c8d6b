/* pyagent_chain_climb: jobs, levels, the choice of referrers and the
 * records of a referrer climb (see the header).
 *
 * A climb is a small tree of nodes: node 0 is the instance, every other
 * node one object holding its parent node's object, with the label of that
 * edge (computed when the node is made, both objects alive).  Each node
 * holds a strong reference to its object.  The frontier is the nodes made
 * at the last level. */
#include "pyagent_chain_climb.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "la_clock.h"
#include "pyagent_chain_frames.h"
#include "pyagent_chain_sample.h"
#include "pyagent_chain_scan.h"

#define MAX_INSTANCES 16

typedef struct climb_node {
    PyObject *obj;              /* strong */
    int parent;                 /* the node whose object it holds; -1 for node 0 */
    chain_edge edge;            /* how obj holds the parent's object */
    char type[CHAIN_TYPE_MAX];
    bool container;
} climb_node;

typedef struct climb {
    climb_node *nodes;
    int n_nodes, cap_nodes;
    int frontier[CHAIN_CLIMB_WIDTH];
    int n_frontier;
    bool done;
    int end;                    /* outermost node of the result (0: no hop) */
    char root[CHAIN_ROOT_MAX];
    int fallback_node;          /* held from outside the heap: the node, or -1 */
    char fallback[CHAIN_ROOT_MAX]; /* its root, if no path reaches a better one */
    bool fallback_is_frame;     /* a running frame's local (else "external") */
} climb;

typedef struct climb_job {
    char type[CHAIN_TYPE_MAX];
    char why[CHAIN_WHY_MAX];
    PyObject *object;           /* a given object (strong) until started */
    bool started;
    climb climbs[MAX_INSTANCES];
    int n_climbs;
    unsigned level;
    struct climb_job *next;
} climb_job;

struct pyagent_chain_run {
    unsigned instances, depth;
    climb_job *jobs;
    chain_scan scan;
    bool scanning;
    pyagent_chain_record *out;
    size_t n_out, cap_out;
    uint64_t errors;
    char last_error[128];
};

static int64_t now_ns(void)
{
    return la_real_clock.mono_ns(NULL);
}

static void fail(pyagent_chain_run *r, const char *what)
{
    r->errors++;
    snprintf(r->last_error, sizeof r->last_error, "chains: %s", what);
}

/* ---- jobs and climbs ------------------------------------------------------ */

static void climb_clear(climb *c)
{
    for (int i = 0; i < c->n_nodes; i++)
        Py_CLEAR(c->nodes[i].obj);
    free(c->nodes);
    memset(c, 0, sizeof *c);
}

static void job_free(climb_job *j)
{
    for (int i = 0; i < j->n_climbs; i++)
        climb_clear(&j->climbs[i]);
    Py_CLEAR(j->object);
    free(j);
}

pyagent_chain_run *pyagent_chain_run_new(unsigned instances, unsigned depth)
{
    if (pyagent_chain_label_init() != 0)
        return NULL;
    pyagent_chain_run *r = calloc(1, sizeof *r);
    if (r == NULL)
        return NULL;
    r->instances = instances < 1 ? 1 : instances > MAX_INSTANCES ? MAX_INSTANCES : instances;
    r->depth = depth < 1 ? 1 : depth;
    return r;
}

void pyagent_chain_run_free(pyagent_chain_run *r)
{
    if (r == NULL)
        return;
    pyagent_chain_scan_free(&r->scan);
    while (r->jobs) {
        climb_job *next = r->jobs->next;
        job_free(r->jobs);
        r->jobs = next;
    }
    free(r->out);
    free(r);
}

static climb_job *job_new(pyagent_chain_run *r, const char *type, const char *why)
{
    climb_job *j = calloc(1, sizeof *j);
    if (j == NULL) {
        fail(r, "out of memory for a job");
        return NULL;
    }
    snprintf(j->type, sizeof j->type, "%s", type);
    snprintf(j->why, sizeof j->why, "%s", why);
    climb_job **tail = &r->jobs;
    while (*tail)
        tail = &(*tail)->next;
    *tail = j;
    return j;
}

int pyagent_chain_run_add_type(pyagent_chain_run *r, const char *type, const char *why)
{
    for (climb_job *j = r->jobs; j; j = j->next)
        if (j->object == NULL && !j->started && strcmp(j->type, type) == 0)
            return 0;
    return job_new(r, type, why) ? 0 : -1;
}

int pyagent_chain_run_add_object(pyagent_chain_run *r, PyObject *obj, const char *why)
{
    char type[CHAIN_TYPE_MAX];
    pyagent_chain_type_name(Py_TYPE(obj), type, sizeof type);
    climb_job *j = job_new(r, type, why);
    if (j == NULL)
        return -1;
    j->object = Py_NewRef(obj);
    return 0;
}

int pyagent_chain_run_busy(const pyagent_chain_run *r)
{
    return r->jobs != NULL;
}

/* Append a node for obj (a new strong reference) holding parent's object.
 * Its index, or -1 when out of memory. */
static int node_add(climb *c, PyObject *obj, int parent)
{
    if (c->n_nodes == c->cap_nodes) {
        int cap = c->cap_nodes ? c->cap_nodes * 2 : 16;
        climb_node *nodes = realloc(c->nodes, (size_t)cap * sizeof *nodes);
        if (nodes == NULL)
            return -1;
        c->nodes = nodes;
        c->cap_nodes = cap;
    }
    climb_node *n = &c->nodes[c->n_nodes];
    memset(n, 0, sizeof *n);
    n->obj = Py_NewRef(obj);
    n->parent = parent;
    pyagent_chain_type_name(Py_TYPE(obj), n->type, sizeof n->type);
    n->container = pyagent_chain_is_container(obj);
    if (parent >= 0)
        pyagent_chain_edge_of(obj, c->nodes[parent].obj, &n->edge);
    return c->n_nodes++;
}

/* Start a climb from instance inst (borrowed). */
static int climb_start(climb *c, PyObject *inst)
{
    memset(c, 0, sizeof *c);
    c->fallback_node = -1;
    if (node_add(c, inst, -1) != 0)
        return -1;
    c->frontier[0] = 0;
    c->n_frontier = 1;
    return 0;
}

/* Sample the job's instances (or take its object) and start its climbs.
 * 0, or -1 when out of memory. */
static int job_start(pyagent_chain_run *r, climb_job *j, PyInterpreterState *interp)
{
    PyObject *inst[MAX_INSTANCES];
    int n;
    j->started = true;
    if (j->object != NULL) {
        inst[0] = j->object;
        j->object = NULL;       /* its reference moves to inst[0] */
        n = 1;
    } else if ((n = pyagent_chain_sample(interp, j->type, inst, (int)r->instances)) < 0) {
        fail(r, "out of memory sampling instances");
        return -1;
    }
    int rc = 0;
    for (int i = 0; i < n; i++) {
        if (rc == 0 && climb_start(&j->climbs[j->n_climbs], inst[i]) == 0)
            j->n_climbs++;
        else
            rc = -1;
        Py_DECREF(inst[i]);
    }
    if (rc != 0)
        fail(r, "out of memory starting a climb");
    return rc;
}

/* ---- one level's choices ---------------------------------------------------- */

static bool in_climb(const climb *c, PyObject *obj)
{
    for (int i = 0; i < c->n_nodes; i++)
        if (c->nodes[i].obj == obj)
            return true;
    return false;
}

/* The references the run itself holds to obj: nodes and candidates. */
static Py_ssize_t own_refs(const pyagent_chain_run *r, PyObject *obj)
{
    Py_ssize_t n = 0;
    for (const climb_job *j = r->jobs; j; j = j->next) {
        n += j->object == obj;
        for (int k = 0; k < j->n_climbs; k++)
            for (int i = 0; i < j->climbs[k].n_nodes; i++)
                n += j->climbs[k].nodes[i].obj == obj;
    }
    for (size_t t = 0; t < r->scan.n_targets; t++) {
        for (int i = 0; i < r->scan.targets[t].n_cand; i++)
            n += r->scan.targets[t].cand[i] == obj;
        n += r->scan.targets[t].root == obj;
    }
    return n;
}

/* The agent's own objects are no referrers to report. */
static bool is_agent_object(PyObject *op)
{
    char type[CHAIN_TYPE_MAX];
    pyagent_chain_type_name(Py_TYPE(op), type, sizeof type);
    return strncmp(type, "leakagent", 9) == 0;
}

/* Which referrers to follow first: instances of classes, then dicts, then
 * other containers, then functions, methods, cells and the rest. */
static int referrer_rank(PyObject *op)
{
    if (PyDict_Check(op))
        return 1;
    if (pyagent_chain_is_container(op))
        return 2;
    if (Py_TYPE(op)->tp_flags & Py_TPFLAGS_HEAPTYPE)
        return 0;
    return 3;
}

typedef struct next_ref {
    int parent;
    PyObject *obj;      /* borrowed from the scan's candidates */
    int rank;
} next_ref;

/* A root among cand (referring to node f's object)?  Writes c->root and
 * c->end and returns true if so. */
static bool root_of(climb *c, int f, PyObject *cand, PyInterpreterState *interp)
{
    climb_node *node = &c->nodes[f];
    chain_edge edge;
    if (PyDict_Check(cand) && pyagent_chain_is_module_dict(cand)) {
        pyagent_chain_edge_of(cand, node->obj, &edge);
        pyagent_chain_global_root(cand, &edge, c->root, sizeof c->root);
        c->end = f;
        return true;
    }
    if (PyType_Check(cand) && f > 0 && ((PyTypeObject *)cand)->tp_dict == node->obj) {
        pyagent_chain_class_root((PyTypeObject *)cand, &node->edge, c->root, sizeof c->root);
        c->end = node->parent;
        return true;
    }
    if (PyFrame_Check(cand)) {
        pyagent_chain_frame_root(interp, cand, node->obj, c->root, sizeof c->root);
        c->end = f;
        return true;
    }
    return false;
}

/* Referrers never followed: what holds modules, types and the agent. */
static bool skipped(PyObject *cand)
{
    return PyModule_Check(cand) || PyType_Check(cand) || is_agent_object(cand);
}

static int by_rank(const void *a, const void *b)
{
    const next_ref *x = a, *y = b;
    if (x->rank != y->rank)
        return x->rank - y->rank;
    return x->parent - y->parent;     /* keep the frontier's order */
}

static void finish(climb *c, const char *root, int end)
{
    if (root != c->root)
        memmove(c->root, root, strlen(root) + 1);
    c->end = end;
    c->done = true;
}

/* The references to node f's object that neither the tracked heap nor the
 * run holds: a running frame's local, C code, a leaked reference. */
static Py_ssize_t outside_refs(pyagent_chain_run *r, climb *c, int f, const chain_target *tg)
{
    PyObject *obj = c->nodes[f].obj;
#if PY_VERSION_HEX >= 0x030C0000
    if (_Py_IsImmortal(obj))
        return 0;
#endif
    return Py_REFCNT(obj) - tg->heap_refs - own_refs(r, obj);
}

/* Node f's object is held from outside the heap: by a thread's running
 * frame, or by C code.  Noted as the climb's answer should no path through
 * the heap reach a root (the newest instance is often in a local of the
 * code that just made it, and in the registry that leaks it too). */
static void held_outside(climb *c, int f, Py_ssize_t excess, PyInterpreterState *interp)
{
    if (c->fallback_is_frame)
        return;
    if (pyagent_chain_thread_root(interp, c->nodes[f].obj, c->fallback, sizeof c->fallback)) {
        c->fallback_node = f;
        c->fallback_is_frame = true;
    } else if (c->fallback_node < 0) {
        snprintf(c->fallback, sizeof c->fallback, "external:%zd", excess);
        c->fallback_node = f;
    }
}

/* The end of one level for climb c: a root, or the next frontier. */
static int climb_level(pyagent_chain_run *r, climb *c, unsigned level, PyInterpreterState *interp)
{
    next_ref next[CHAIN_CLIMB_WIDTH * CHAIN_CANDIDATES];
    int n_next = 0;
    for (int k = 0; k < c->n_frontier; k++) {
        int f = c->frontier[k];
        int t = pyagent_chain_scan_find(&r->scan, c->nodes[f].obj);
        if (t < 0)
            continue;
        const chain_target *tg = &r->scan.targets[t];
        if (tg->root != NULL && root_of(c, f, tg->root, interp)) {
            c->done = true;
            return 0;
        }
        for (int i = 0; i < tg->n_cand; i++) {
            PyObject *cand = tg->cand[i];
            if (in_climb(c, cand))
                continue;
            if (root_of(c, f, cand, interp)) {
                c->done = true;
                return 0;
            }
            if (skipped(cand))
                continue;
            next[n_next++] = (next_ref){f, cand, referrer_rank(cand)};
        }
        Py_ssize_t excess = outside_refs(r, c, f, tg);
        if (excess > 0)
            held_outside(c, f, excess, interp);
    }
    qsort(next, (size_t)n_next, sizeof *next, by_rank);
    int deepest = c->n_frontier ? c->frontier[0] : 0;
    c->n_frontier = 0;
    for (int i = 0; i < n_next && c->n_frontier < CHAIN_CLIMB_WIDTH; i++) {
        if (in_climb(c, next[i].obj))
            continue;       /* two frontier nodes share a referrer */
        int idx = node_add(c, next[i].obj, next[i].parent);
        if (idx < 0)
            return -1;
        c->frontier[c->n_frontier++] = idx;
    }
    if (c->n_frontier == 0 && c->fallback_node >= 0)
        finish(c, c->fallback, c->fallback_node);
    else if (c->n_frontier == 0)
        finish(c, "unknown", deepest);
    else if (level + 1 >= r->depth && c->fallback_is_frame)
        finish(c, c->fallback, c->fallback_node);
    else if (level + 1 >= r->depth)
        finish(c, "depth", c->frontier[0]);
    return 0;
}

/* ---- records ---------------------------------------------------------------- */

/* Fields hold no whitespace: anything else but printable ASCII and UTF-8
 * bytes becomes '_'. */
static void sanitize(char *s)
{
    for (; *s; s++)
        if ((unsigned char)*s <= ' ' || *s == 0x7f)
            *s = '_';
}

/* Append "<type>@0x<addr>:<edge>" for hop node h, with the edges of the
 * containers it holds (hops[from..to], outermost first) collapsed into it. */
typedef enum hops_style {
    HOPS_WRITTEN,       /* with addresses and keys: the record */
    HOPS_LABELS,        /* without addresses: equal labels */
    HOPS_GENERIC,       /* without addresses, plain dicts' str keys as <str>: a group */
    HOPS_WRITTEN_GENERIC,
} hops_style;

static void append_hop(char *out, size_t size, const climb *c, const int *hops, int h, int from,
                       int to, hops_style style)
{
    const climb_node *n = &c->nodes[hops[h]];
    char hop[1024], edge[768] = "";
    unsigned generic = style == HOPS_GENERIC || style == HOPS_WRITTEN_GENERIC ? CHAIN_EDGE_GENERIC : 0;
    pyagent_chain_edge_append(&n->edge, generic, edge, sizeof edge);
    if (n->edge.kind == CHAIN_EDGE_DICT && from < to)
        snprintf(edge, sizeof edge, ".__dict__");
    for (int k = from; k >= to && k >= 0; k--)
        pyagent_chain_edge_append(&c->nodes[hops[k]].edge,
                                  k == from && n->edge.kind == CHAIN_EDGE_DICT ? CHAIN_EDGE_AS_ATTR
                                                                               : generic,
                                  edge, sizeof edge);
    bool with_address = style == HOPS_WRITTEN || style == HOPS_WRITTEN_GENERIC;
    if (with_address)
        snprintf(hop, sizeof hop, "%s@%p:%s", n->type, (void *)n->obj, edge);
    else
        snprintf(hop, sizeof hop, "%s:%s", n->type, edge);
    sanitize(hop);
    size_t len = strlen(out);
    snprintf(out + len, size - len, "%s%s", len ? " " : "", hop);
}

/* The hops of a finished climb, inside out, containers collapsed into the
 * object holding them, in the given style. */
static void climb_hops(const climb *c, char *out, size_t size, hops_style style)
{
    int path[256], m = 0;
    out[0] = '\0';
    for (int i = c->end; i > 0 && m < 256; i = c->nodes[i].parent)
        path[m++] = i;
    int hops[256];
    for (int i = 0; i < m; i++)
        hops[i] = path[m - 1 - i];      /* inside out */
    int pending = -1;                   /* first container waiting for its owner */
    for (int i = 0; i < m; i++) {
        const climb_node *n = &c->nodes[hops[i]];
        bool owner_above = false;   /* a non-container above a run of containers */
        for (int j = i + 1; j < m && !owner_above; j++)
            owner_above = !c->nodes[hops[j]].container;
        if (n->container && owner_above) {
            if (pending < 0)
                pending = i;
            continue;
        }
        append_hop(out, size, c, hops, i, pending < 0 ? -1 : i - 1, pending < 0 ? 0 : pending,
                   style);
        pending = -1;
    }
}

static int add_record(pyagent_chain_run *r, const climb_job *j, const climb *c, int k,
                      hops_style style)
{
    if (r->n_out == r->cap_out) {
        size_t cap = r->cap_out ? r->cap_out * 2 : 8;
        pyagent_chain_record *out = realloc(r->out, cap * sizeof *out);
        if (out == NULL)
            return -1;
        r->out = out;
        r->cap_out = cap;
    }
    pyagent_chain_record *rec = &r->out[r->n_out++];
    snprintf(rec->type, sizeof rec->type, "%s", j->type);
    snprintf(rec->why, sizeof rec->why, "%s", j->why);
    sanitize(rec->type);
    sanitize(rec->why);
    rec->k = k;
    rec->n = j->n_climbs;
    snprintf(rec->root, sizeof rec->root, "%s", c->root);
    sanitize(rec->root);
    climb_hops(c, rec->hops, sizeof rec->hops, style);
    return 0;
}

/* A climb's root and hops in a style, for comparing climbs. */
static void climb_signature(const climb *c, hops_style style, char *out, size_t size)
{
    size_t len = (size_t)snprintf(out, size, "%s ", c->root);
    climb_hops(c, out + len, size - len, style);
}

/* The job's records: its climbs grouped by root and hop labels, plain
 * dicts' str keys aside (written when the whole group shares them). */
static int job_records(pyagent_chain_run *r, const climb_job *j)
{
    enum { SIG_MAX = CHAIN_ROOT_MAX + CHAIN_HOPS_MAX };
    static char sig[MAX_INSTANCES][SIG_MAX], labels[MAX_INSTANCES][SIG_MAX];
    int count[MAX_INSTANCES] = {0}, first[MAX_INSTANCES];
    bool same_keys[MAX_INSTANCES];
    int groups = 0;
    for (int i = 0; i < j->n_climbs; i++) {
        char s[SIG_MAX], l[SIG_MAX];
        climb_signature(&j->climbs[i], HOPS_GENERIC, s, sizeof s);
        climb_signature(&j->climbs[i], HOPS_LABELS, l, sizeof l);
        int g = 0;
        while (g < groups && strcmp(sig[g], s) != 0)
            g++;
        if (g == groups) {
            memcpy(sig[g], s, sizeof s);
            memcpy(labels[g], l, sizeof l);
            first[g] = i;
            same_keys[g] = true;
            groups++;
        } else if (strcmp(labels[g], l) != 0) {
            same_keys[g] = false;
        }
        count[g]++;
    }
    for (int written = 0; written < CHAIN_CLIMB_RECORDS && written < groups; written++) {
        int best = -1;
        for (int g = 0; g < groups; g++)
            if (count[g] > 0 && (best < 0 || count[g] > count[best]))
                best = g;
        if (add_record(r, j, &j->climbs[first[best]], count[best],
                       same_keys[best] ? HOPS_WRITTEN : HOPS_WRITTEN_GENERIC) != 0)
            return -1;
        count[best] = 0;
    }
    return 0;
}

/* ---- levels ------------------------------------------------------------------- */

/* Start jobs not yet started, and make the targets of the next scan.
 * Returns the number of targets. */
static int level_start(pyagent_chain_run *r, PyInterpreterState *interp)
{
    for (climb_job **p = &r->jobs; *p;) {
        climb_job *j = *p;
        if (!j->started && job_start(r, j, interp) != 0) {
            *p = j->next;
            job_free(j);
            continue;
        }
        for (int k = 0; k < j->n_climbs; k++)
            for (int i = 0; !j->climbs[k].done && i < j->climbs[k].n_frontier; i++)
                if (pyagent_chain_scan_add(&r->scan,
                                           j->climbs[k].nodes[j->climbs[k].frontier[i]].obj) < 0)
                    fail(r, "out of memory for the scan's targets");
        p = &j->next;
    }
    return (int)r->scan.n_targets;
}

static bool job_done(const climb_job *j)
{
    for (int k = 0; k < j->n_climbs; k++)
        if (!j->climbs[k].done)
            return false;
    return true;
}

/* After a scan: every climb takes its step; finished jobs become records. */
static int level_end(pyagent_chain_run *r, PyInterpreterState *interp)
{
    int rc = 0;
    for (climb_job *j = r->jobs; j && rc == 0; j = j->next) {
        if (!j->started)
            continue;
        for (int k = 0; k < j->n_climbs; k++)
            if (!j->climbs[k].done && climb_level(r, &j->climbs[k], j->level, interp) != 0) {
                fail(r, "out of memory climbing");
                rc = -1;
            }
        j->level++;
    }
    pyagent_chain_scan_reset(&r->scan);
    r->scanning = false;
    for (climb_job **p = &r->jobs; *p;) {
        climb_job *j = *p;
        if (!j->started || (rc == 0 && !job_done(j))) {
            p = &j->next;
            continue;
        }
        if (rc == 0 && job_records(r, j) != 0) {
            fail(r, "out of memory for the records");
            rc = -1;
        }
        *p = j->next;
        job_free(j);
    }
    return rc;
}

int pyagent_chain_run_step(pyagent_chain_run *r, PyInterpreterState *interp, int64_t deadline_ns)
{
    int rc = 0;
    while (r->jobs != NULL) {
        if (!r->scanning) {
            if (level_start(r, interp) == 0) {
                /* Jobs without instances, or all done: they end here. */
                if (level_end(r, interp) != 0)
                    rc = -1;
                continue;
            }
            r->scanning = true;
        }
        int scanned = pyagent_chain_scan_run(&r->scan, interp, deadline_ns);
        if (scanned <= 0)
            return rc;      /* out of time, or a collection runs: later */
        if (level_end(r, interp) != 0)
            rc = -1;
        if (now_ns() >= deadline_ns)
            break;
    }
    return rc;
}

int pyagent_chain_run_take(pyagent_chain_run *r, pyagent_chain_record **out, size_t *n)
{
    *out = r->out;
    *n = r->n_out;
    r->out = NULL;
    r->n_out = r->cap_out = 0;
    return 0;
}

uint64_t pyagent_chain_run_errors(const pyagent_chain_run *r, const char **last)
{
    *last = r->last_error;
    return r->errors;
}
