"""detail_cost: what issue 16's detail records cost, under the interpreter
that runs it.

Usage: PYTHONPATH=agent/python python3 tests/bench/detail_cost.py walk fresh|fragmented [SIZE]
       PYTHONPATH=agent/python python3 tests/bench/detail_cost.py exact [ITERATIONS]

walk: on one heap of SIZE (default 1,000,000) GC-tracked objects
(bench_heap.Heap), the median of leakagent.snapshot() (today's walk:
counts only), of snapshot(details=True) (referents, sizes, the 10 longest
containers: what the thread writes with the default config) and of
len(gc.get_objects()); with `fresh`, also the Private_Dirty a forked child
gains from one detailed snapshot.  One JSON line (item "detail").

exact (3.13+ only): an allocation-heavy loop (ITERATIONS, default 2,000,000,
of a small dict, a list and a str made and dropped) timed in fresh
interpreters: alone, with the agent in exact mode (interval 1h: the tracer's
cost, not the walks'), and under tracemalloc.start().  Medians of 5 runs
each, as one JSON line (item "exact").
"""

import gc
import json
import os
import subprocess
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))

import bench_heap  # noqa: E402
import leakagent  # noqa: E402

REPEAT = 7
RUNS = 5

LOOP = """
import sys, time
n = int(sys.argv[1])
mode = sys.argv[2]
if mode == "exact":
    import leakagent
    assert leakagent.start(interval="1h", log_path=sys.argv[3], sample_exact=True)
    assert leakagent.stats()["exact"]
elif mode == "tracemalloc":
    import tracemalloc
    tracemalloc.start()
t0 = time.perf_counter()
for i in range(n):
    d = {"id": i, "name": "x"}
    l = [d, i]
    s = str(i)
print(time.perf_counter() - t0)
"""


def detailed():
    return leakagent.snapshot(details=True)


def walk(state, size):
    heap = bench_heap.Heap(fragmented=(state == "fragmented"))
    total = heap.grow_to(size)
    row = {"item": "detail", "state": state, "size": size, "objects": total}
    row["counts_s"] = bench_heap.median(bench_heap.timings(leakagent.snapshot, REPEAT))
    row["details_s"] = bench_heap.median(bench_heap.timings(detailed, REPEAT))
    row["get_objects_s"] = bench_heap.median(
        bench_heap.timings(lambda: len(gc.get_objects()), REPEAT))
    if state == "fresh":
        from snapshot_cost import dirty_in_child
        row["dirty_details"] = dirty_in_child(detailed)
        row["dirty_nothing"] = dirty_in_child(lambda: None)
    bench_heap.emit(**row)
    bench_heap.note("  %s %s %d objects: counts %.1f ms, details %.1f ms (%.2fx), "
                    "get_objects %.1f ms (details %.2fx)%s" % (
                        sys.version.split()[0], state, total, row["counts_s"] * 1e3,
                        row["details_s"] * 1e3, row["details_s"] / row["counts_s"],
                        row["get_objects_s"] * 1e3, row["details_s"] / row["get_objects_s"],
                        ", child dirtied %d KiB (nothing: %d KiB)" % (
                            row["dirty_details"] // 1024, row["dirty_nothing"] // 1024)
                        if state == "fresh" else ""))


def loop_seconds(n, mode, log):
    res = subprocess.run([sys.executable, "-c", LOOP, str(n), mode, log],
                         capture_output=True, text=True, check=True)
    return float(res.stdout.split()[-1])


def exact(n):
    if sys.version_info < (3, 13):
        bench_heap.note("detail_cost exact: needs Python 3.13: skipped")
        return
    log = os.path.join(os.environ.get("BENCH_OUT", "/tmp"), "detail_cost_exact.log")
    row = {"item": "exact", "iterations": n}
    for mode in ("alone", "exact", "tracemalloc"):
        row[mode + "_s"] = bench_heap.median([loop_seconds(n, mode, log) for _ in range(RUNS)])
    bench_heap.emit(**row)
    bench_heap.note("  %s allocation loop x%d: alone %.3f s, exact mode %.3f s (%.2fx), "
                    "tracemalloc %.3f s (%.2fx)" % (
                        sys.version.split()[0], n, row["alone_s"], row["exact_s"],
                        row["exact_s"] / row["alone_s"], row["tracemalloc_s"],
                        row["tracemalloc_s"] / row["alone_s"]))


def main():
    if sys.argv[1] == "walk":
        walk(sys.argv[2], int(sys.argv[3]) if len(sys.argv) > 3 else 1000000)
    else:
        exact(int(sys.argv[2]) if len(sys.argv) > 2 else 2000000)


if __name__ == "__main__":
    main()
