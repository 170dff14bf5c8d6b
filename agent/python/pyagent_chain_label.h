/* pyagent_chain_label: the words of a referrer chain (chain_format.md):
 * a type's name as the count lines spell it, the label of the edge by
 * which a holder refers to an object, and the names of roots (module
 * globals, class attributes, frame locals).
 *
 * Everything is read in place: dicts with PyDict_Next, instance attributes
 * through pyagent_attr, slots through the type's member table, frames
 * through the interpreter's private layout where it is known.  No Python
 * code runs, no reference count is touched, nothing is allocated in the
 * interpreter.
 *
 * Threading: GIL held; the objects passed in must be kept alive by the
 * caller (strong references) while it is. */
#ifndef PYAGENT_CHAIN_LABEL_H
#define PYAGENT_CHAIN_LABEL_H

#define PY_SSIZE_T_CLEAN
#include <Python.h>

#include <stdbool.h>
#include <stddef.h>

#define CHAIN_TYPE_MAX 128
#define CHAIN_EDGE_MAX 96
/* Dict keys are cut to this many bytes (chain_format.md). */
#define CHAIN_KEY_MAX 40

typedef enum chain_edge_kind {
    CHAIN_EDGE_REF = 0,     /* found by tp_traverse, no better name: .<ref> */
    CHAIN_EDGE_ATTR,        /* an attribute or slot: .name */
    CHAIN_EDGE_KEY,         /* a dict value: ['key'] or [<type>] */
    CHAIN_EDGE_INDEX,       /* a list/tuple/deque item: [<int>] */
    CHAIN_EDGE_CELL,        /* a closure cell's content: .<cell> */
    CHAIN_EDGE_ITEM,        /* a set member: .<item> */
    CHAIN_EDGE_DICT,        /* the holder's own __dict__ (collapsed into .attr) */
    CHAIN_EDGE_TEXT,        /* text is the whole edge (.gi_frame.f_locals['x']) */
} chain_edge_kind;

typedef struct chain_edge {
    chain_edge_kind kind;
    bool key_is_str;        /* KEY: text is the str key itself, else "<type>" */
    char text[CHAIN_EDGE_MAX];
} chain_edge;

/* d[key] for a str key, found with PyDict_Next (no Python code, no
 * allocation); borrowed, or NULL (also when d is NULL or not a dict). */
PyObject *pyagent_chain_dict_get(PyObject *d, const char *key);

/* Write tp's name into out (size > 1): tp_name for static types,
 * __module__.__qualname__ for heap types, "builtins." dropped. */
void pyagent_chain_type_name(PyTypeObject *tp, char *out, size_t size);

/* How holder refers to child.  Always fills out (CHAIN_EDGE_REF at worst). */
void pyagent_chain_edge_of(PyObject *holder, PyObject *child, chain_edge *out);

/* How pyagent_chain_edge_append writes a KEY edge with a str key: ".key"
 * (the dict is an instance's __dict__, collapsed into it), or "[<str>]"
 * (chains that differ only in such keys are written as one). */
enum { CHAIN_EDGE_AS_ATTR = 1, CHAIN_EDGE_GENERIC = 2 };

/* Append the edge's text to out (NUL-terminated, size > 0): ".name",
 * "['key']", "[<int>]", ...; flags: CHAIN_EDGE_AS_ATTR, CHAIN_EDGE_GENERIC. */
void pyagent_chain_edge_append(const chain_edge *e, unsigned flags, char *out, size_t size);

/* True for the plain containers that collapse into the object holding
 * them (dict, list, tuple, set, frozenset, collections.deque). */
bool pyagent_chain_is_container(PyObject *op);

/* Make the one str the lookups below need.  0, or -1 (exception cleared).
 * Call before scanning, where allocating is allowed. */
int pyagent_chain_label_init(void);

/* True if d is the __dict__ of a module in sys.modules under its
 * __name__.  O(1), no Python code: only dicts whose keys are all str are
 * looked into (a lookup in another could compare keys with __eq__). */
bool pyagent_chain_is_module_dict(PyObject *d);

/* "global:<module>.<NAME>" for a value held by module dict md under
 * `edge`'s key, into out. */
void pyagent_chain_global_root(PyObject *md, const chain_edge *edge, char *out, size_t size);

/* "class:<module>.<Class>.<attr>" for a class attribute. */
void pyagent_chain_class_root(PyTypeObject *tp, const chain_edge *edge, char *out, size_t size);


#endif
