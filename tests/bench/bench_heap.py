"""bench_heap: the heap the agent benchmarks run on, and their small helpers.

A heap looks like a daemon's: units of four GC-tracked objects allocated
together (an instance of one of NTYPES classes, its list, a dict of its
fields, a tuple key), class frequencies skewed like real programs (a few
classes hold most instances).  Fragmented heaps allocate twice the units and
free a random half, so the survivors are scattered over half-empty memory.

Stdlib only: the scripts run under every pyenv CPython, where Debian's
dist-packages are not on sys.path (objgraph is loaded by file, see
load_objgraph).
"""

import gc
import importlib.util
import json
import os
import random
import statistics
import sys
import time

OBJGRAPH_PATHS = ("/usr/lib/python3/dist-packages/objgraph.py",)
OBJECTS_PER_UNIT = 4


def make_classes(ntypes, module="benchapp.models"):
    """NTYPES distinct classes named module.RecordK (K = 0..ntypes-1)."""
    return [type("Record%d" % k, (object,), {"__module__": module, "__qualname__": "Record%d" % k})
            for k in range(ntypes)]


class Heap:
    """A growable heap of units; grow_to() adds units until the GC tracks
    about `target` objects in all (the interpreter's own included)."""

    def __init__(self, ntypes=300, fragmented=False, seed=6):
        self.classes = make_classes(ntypes)
        self.fragmented = fragmented
        self.rnd = random.Random(seed)
        self.units = []
        self.serial = 0

    def _unit(self):
        rnd = self.rnd
        k = int(len(self.classes) * rnd.random() ** 3)      # skewed: Record0 most common
        obj = self.classes[k]()
        self.serial += 1
        obj.items = [self.serial, k]                        # list: tracked
        obj.key = ("r%d" % k, obj.items)                    # tuple holding a list: tracked
        obj.fields = {"id": self.serial, "key": obj.key}    # dict holding a tuple: tracked
        return obj

    def grow_to(self, target):
        """Add units until about `target` GC-tracked objects; returns the count."""
        gc.collect()
        missing = target - len(gc.get_objects())
        n = max(0, missing // OBJECTS_PER_UNIT)
        if not self.fragmented:
            self.units.extend(self._unit() for _ in range(n))
        else:
            fresh = [self._unit() for _ in range(2 * n)]
            self.rnd.shuffle(fresh)         # keep a random half: survivors scattered
            del fresh[n:]
            self.units.extend(fresh)
            del fresh
        gc.collect()
        return len(gc.get_objects())


def load_objgraph():
    """Debian's objgraph module (a single stdlib-only file), or None."""
    for path in OBJGRAPH_PATHS:
        if os.path.exists(path):
            spec = importlib.util.spec_from_file_location("objgraph", path)
            mod = importlib.util.module_from_spec(spec)
            spec.loader.exec_module(mod)
            return mod
    return None


def timings(fn, repeat):
    """Wall times of `repeat` calls of fn(), in seconds, GC disabled."""
    out = []
    was = gc.isenabled()
    gc.disable()
    try:
        for _ in range(repeat):
            t0 = time.perf_counter()
            fn()
            out.append(time.perf_counter() - t0)
    finally:
        if was:
            gc.enable()
    return out


def median(xs):
    return statistics.median(xs)


def status_kb(field, pid="self"):
    """A `field:  N kB` line of /proc/PID/status, in bytes."""
    with open("/proc/%s/status" % pid) as f:
        for line in f:
            if line.startswith(field + ":"):
                return int(line.split()[1]) * 1024
    return 0


def private_dirty():
    """Private_Dirty of this process (smaps_rollup), in bytes."""
    with open("/proc/self/smaps_rollup") as f:
        for line in f:
            if line.startswith("Private_Dirty:"):
                return int(line.split()[1]) * 1024
    return 0


def emit(**fields):
    """One result as a JSON line on stdout (the driver collects them)."""
    fields.setdefault("python", "%d.%d.%d" % sys.version_info[:3])
    sys.stdout.write(json.dumps(fields, sort_keys=True) + "\n")
    sys.stdout.flush()


def note(msg):
    sys.stderr.write(msg + "\n")
    sys.stderr.flush()
