"""agent_cost: issue 6 items 2-4 (GIL hold, host overhead, memory) on one heap.

Usage: PYTHONPATH=agent/python python3 tests/bench/agent_cost.py WORKDIR [RUN_S [REPS]]

One process, one heap of about 1M GC-tracked objects of 300 classes
(bench_heap.Heap), in this order, printing JSON lines (bench_heap.emit):

  rss        VmRSS before `import leakagent` and after start() plus five
             snapshots: the agent's own resident memory.
  gil        sample_now() wall time (walk + sort + format + write + rotate
             + gzip, max_size 1KB so every snapshot rotates) against the
             sample_ms gauge (stats()['last_ms']: the GIL hold).
  overhead   a CPU-bound and an allocation-heavy stdlib workload, each
             sized to RUN_S seconds (default 2), REPS times (default 7)
             with the agent off, on at 60 s and on at 1 s, the three
             interleaved in a rotating order to cancel drift.  The agent
             starts before the timed window and its first (immediate)
             snapshot is waited for, so the window holds only interval
             ticks; max_overhead is lifted so 1 s means 1 s.  Each run
             starts after a gc.collect(), so no run inherits a full
             collection half-due from the one before.
  log        bytes of log per snapshot, raw and gzip -6, over 20 snapshots
             of a heap that churns between them (identical snapshots would
             compress unrealistically well).
"""

import gc
import gzip
import json
import os
import random
import sys
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))

import bench_heap  # noqa: E402

HEAP_OBJECTS = 1000000
NTYPES = 300


# ---- workloads (stdlib only) ------------------------------------------------

def cpu_work(n):
    """Pure-Python arithmetic, calls and string formatting; allocates only
    short-lived untracked objects."""
    def collatz(x):
        steps = 0
        while x != 1:
            x = x // 2 if x % 2 == 0 else 3 * x + 1
            steps += 1
        return steps
    acc = 0
    for i in range(1, n + 1):
        acc += collatz(i)
        if i % 64 == 0:
            acc ^= len("%d:%x" % (i, acc))
    return acc


def alloc_work(n):
    """Allocation-heavy: batches of small dicts, lists and tuples, JSON
    round trips, a ring of recent batches kept alive (young-generation
    collections run all the time)."""
    ring = []
    total = 0
    for i in range(n):
        batch = [{"id": i * 100 + k, "tags": [k, "t%d" % k], "pair": (k, [i])}
                 for k in range(100)]
        total += len(json.loads(json.dumps(batch[:10])))
        ring.append(batch)
        if len(ring) > 50:
            ring.pop(0)
    return total


WORKLOADS = {"cpu": cpu_work, "alloc": alloc_work}


def calibrate(fn, run_s):
    """An n for which fn(n) takes about run_s seconds (also a warm-up)."""
    n = 100
    while True:
        t0 = time.perf_counter()
        fn(n)
        dt = time.perf_counter() - t0
        if dt > 0.3:
            return max(1, int(n * run_s / dt))
        n *= 4


# ---- the agent ----------------------------------------------------------------

def wait_snapshots(leakagent, k, timeout=30.0):
    """Wait until the agent has written k snapshots (its first is immediate)."""
    end = time.monotonic() + timeout
    while leakagent.stats()["snapshots"] < k:
        if time.monotonic() > end:
            raise RuntimeError("leakagent wrote no snapshot in %gs: %r" % (timeout, leakagent.stats()))
        time.sleep(0.005)


def churn(heap, rnd, n=2000):
    """Replace n random units, so the next snapshot's counts differ."""
    for _ in range(n):
        heap.units[rnd.randrange(len(heap.units))] = heap._unit()


def bench_rss(work):
    """The agent's own resident memory: VmRSS before `import leakagent` and
    after start() and five snapshots."""
    gc.collect()
    rss0 = bench_heap.status_kb("VmRSS")
    import leakagent
    rss1 = bench_heap.status_kb("VmRSS")
    path = os.path.join(work, "mem.log")
    leakagent.start(interval="1d", log_path=path, max_size=0, max_overhead=100)
    wait_snapshots(leakagent, 1)
    for _ in range(5):
        leakagent.sample_now()
    rss2 = bench_heap.status_kb("VmRSS")
    leakagent.stop()
    os.unlink(path)
    bench_heap.emit(item="rss", objects=len(gc.get_objects()), rss_host=rss0,
                    rss_import=rss1 - rss0, rss_agent=rss2 - rss0)
    return leakagent


def bench_log_bytes(leakagent, heap, work):
    """Bytes of log per snapshot, raw and gzip -6, over 20 snapshots of a
    heap that changes between them (last: the churn scatters the heap)."""
    path = os.path.join(work, "mem.log")
    rnd = random.Random(7)
    leakagent.start(interval="1d", log_path=path, max_size=0, max_overhead=100)
    wait_snapshots(leakagent, 1)
    for _ in range(20):
        churn(heap, rnd)
        leakagent.sample_now()
    leakagent.stop()
    with open(path, "rb") as f:
        data = f.read()
    first = data.index(b"#START")           # skip the header
    body = data[first:]
    n = body.count(b"#START")
    lines = body.count(b"\n") // n
    bench_heap.emit(item="log", objects=len(gc.get_objects()), snapshots=n, lines=lines,
                    raw=len(body) / n, gz=len(gzip.compress(body, 6)) / n)
    os.unlink(path)


def bench_gil(leakagent, work, repeat=15):
    path = os.path.join(work, "gil.log")
    leakagent.start(interval="1d", log_path=path, max_size="1KB", keep=3, max_overhead=100)
    wait_snapshots(leakagent, 1)
    walls, held = [], []
    for _ in range(repeat):
        t0 = time.perf_counter()
        leakagent.sample_now()
        walls.append(time.perf_counter() - t0)
        held.append(leakagent.stats()["last_ms"] / 1e3)
    st = leakagent.stats()
    leakagent.stop()
    for name in os.listdir(work):
        if name.startswith("gil.log"):
            os.unlink(os.path.join(work, name))
    bench_heap.emit(item="gil", objects=len(gc.get_objects()), total_s=bench_heap.median(walls),
                    held_s=bench_heap.median(held), rotations=st["rotations"],
                    snapshots=st["snapshots"])


def bench_overhead(leakagent, work, run_s, reps):
    """Per workload and interval: median wall times, the on/off ratios of
    adjacent runs (median, min, max), and the walk's share of the run
    (ticks x sample_ms / run): what the host's threads lose to the GIL
    hold, the floor of the slowdown, which noise does not blur."""
    modes = ["off", "60s", "1s"]
    path = os.path.join(work, "ovh.log")
    for wname, fn in WORKLOADS.items():
        n = calibrate(fn, run_s)
        wall = {m: [] for m in modes}
        ticks = {m: [] for m in modes}
        held = {m: [] for m in modes}
        for rep in range(reps):
            order = modes[rep % 3:] + modes[:rep % 3]
            for mode in order:
                if mode != "off":
                    leakagent.start(interval=mode, log_path=path, max_overhead=100)
                    wait_snapshots(leakagent, 1)
                gc.collect()        # every run starts with no collection pending
                before = leakagent.stats()["snapshots"]
                t0 = time.perf_counter()
                fn(n)
                wall[mode].append(time.perf_counter() - t0)
                ticks[mode].append(leakagent.stats()["snapshots"] - before)
                held[mode].append(leakagent.stats()["last_ms"] / 1e3)
                if mode != "off":
                    leakagent.stop()
                    os.unlink(path)
        for mode in modes[1:]:
            ratios = [on / off for on, off in zip(wall[mode], wall["off"])]
            per_tick = bench_heap.median(held[mode])
            bench_heap.emit(item="overhead", workload=wname, interval=mode,
                            objects=len(gc.get_objects()), reps=reps,
                            off_s=bench_heap.median(wall["off"]),
                            on_s=bench_heap.median(wall[mode]),
                            ratio=bench_heap.median(ratios), ratio_min=min(ratios),
                            ratio_max=max(ratios),
                            ticks=sum(ticks[mode]) / reps,
                            walk_share=per_tick * sum(ticks[mode]) / sum(wall["off"]))
            bench_heap.note("  %s at %s: on/off %s" % (
                wname, mode, " ".join("%.3f" % r for r in ratios)))


def main():
    work = sys.argv[1]
    run_s = float(sys.argv[2]) if len(sys.argv) > 2 else 2.0
    reps = int(sys.argv[3]) if len(sys.argv) > 3 else 7
    os.makedirs(work, exist_ok=True)
    heap = bench_heap.Heap(ntypes=NTYPES)
    heap.grow_to(HEAP_OBJECTS)
    leakagent = bench_rss(work)
    bench_gil(leakagent, work)
    bench_overhead(leakagent, work, run_s, reps)
    bench_log_bytes(leakagent, heap, work)


if __name__ == "__main__":
    main()
