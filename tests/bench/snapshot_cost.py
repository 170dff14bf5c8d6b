"""snapshot_cost: issue 6 item 1, under the interpreter that runs it.

Usage: PYTHONPATH=agent/python python3 tests/bench/snapshot_cost.py fresh|fragmented [SIZES]
SIZES: comma-separated GC-tracked object counts (default 100000,1000000,3000000).

Grows one heap (bench_heap.Heap) through the sizes and times, side by side
on the same heap, leakagent.snapshot(), len(gc.get_objects()) and
objgraph.typestats(shortnames=False) (Debian's python3-objgraph), then
prints JSON lines of medians (bench_heap.emit).  With `fresh`, also the
Private_Dirty a forked child gains from one call of each, at the size
closest to 1M objects.
"""

import gc
import os
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))

import bench_heap  # noqa: E402
import leakagent  # noqa: E402

REPEAT = {"snapshot": 7, "get_objects": 7, "objgraph": 3}


def dirty_in_child(fn):
    """Private_Dirty bytes a forked child gains by calling fn() once."""
    r, w = os.pipe()
    pid = os.fork()
    if pid == 0:                    # child: no collection, nothing but fn
        os.close(r)
        gc.disable()
        bench_heap.private_dirty()
        before = bench_heap.private_dirty()
        fn()
        after = bench_heap.private_dirty()
        os.write(w, b"%d" % (after - before))
        os._exit(0)
    os.close(w)
    with os.fdopen(r, "rb") as f:
        data = f.read()
    os.waitpid(pid, 0)
    return int(data or b"-1")


def main():
    state = sys.argv[1]
    sizes = [int(s) for s in (sys.argv[2] if len(sys.argv) > 2
                              else "100000,1000000,3000000").split(",")]
    objgraph = bench_heap.load_objgraph()
    if objgraph is None:
        bench_heap.note("snapshot_cost: no objgraph (apt-get install python3-objgraph): skipped")
    heap = bench_heap.Heap(fragmented=(state == "fragmented"))
    walk = leakagent.stats().get("walk", "?")
    fork_size = min(sizes, key=lambda s: abs(s - 1000000))
    for size in sizes:
        total = heap.grow_to(size)
        row = {"item": "snapshot", "state": state, "size": size, "objects": total, "walk": walk}
        t = bench_heap.timings(leakagent.snapshot, REPEAT["snapshot"])
        row["snapshot_s"] = bench_heap.median(t)
        t = bench_heap.timings(lambda: len(gc.get_objects()), REPEAT["get_objects"])
        row["get_objects_s"] = bench_heap.median(t)
        if objgraph is not None:
            t = bench_heap.timings(lambda: objgraph.typestats(shortnames=False),
                                   REPEAT["objgraph"])
            row["objgraph_s"] = bench_heap.median(t)
        bench_heap.emit(**row)
        bench_heap.note("  %s %s %d objects: snapshot %.1f ms, get_objects %.1f ms%s" % (
            sys.version.split()[0], state, total, row["snapshot_s"] * 1e3, row["get_objects_s"] * 1e3,
            ", objgraph %.0f ms" % (row["objgraph_s"] * 1e3) if "objgraph_s" in row else ""))
        if state == "fresh" and size == fork_size:
            bench_heap.emit(item="dirty", size=size, objects=total,
                            nothing=dirty_in_child(lambda: None),
                            snapshot=dirty_in_child(leakagent.snapshot),
                            get_objects=dirty_in_child(lambda: len(gc.get_objects())))


if __name__ == "__main__":
    main()
