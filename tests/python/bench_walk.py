"""bench_walk: what one snapshot costs, per object, against the
gc.get_objects() that objgraph-style recipes call.

Usage: PYTHONPATH=agent/python python3 tests/python/bench_walk.py [N]
Builds N (default 1,000,000) small GC-tracked objects and prints, for each
walk this interpreter offers, the best of 5 timings of leakagent.snapshot()
(walk + name copy + dict) and of len(gc.get_objects()), in ns per object.
"""

import gc
import sys
import time

import leakagent


class Node:
    __slots__ = ("next",)


def best(fn, repeat=5):
    times = []
    for _ in range(repeat):
        t0 = time.perf_counter()
        fn()
        times.append(time.perf_counter() - t0)
    return min(times)


def main():
    n = int(sys.argv[1]) if len(sys.argv) > 1 else 1000000
    heap = [Node() for _ in range(n)]
    gc.collect()
    total = len(gc.get_objects())
    print("python %s, %d objects tracked (%d Node)" % (sys.version.split()[0], total, len(heap)))
    walks = ["gclist", "get_objects"] + (["visit"] if sys.version_info >= (3, 12) else [])
    for walk in walks:
        leakagent._leakagent._set_walk(walk)
        t = best(leakagent.snapshot)
        print("  snapshot() walk=%-11s %7.1f ms  %5.1f ns/object" % (walk, t * 1e3, t * 1e9 / total))
    t = best(lambda: len(gc.get_objects()))
    print("  len(gc.get_objects())        %7.1f ms  %5.1f ns/object" % (t * 1e3, t * 1e9 / total))


if __name__ == "__main__":
    main()
