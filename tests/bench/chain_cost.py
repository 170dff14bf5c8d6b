"""chain_cost: what issue 17's referrer chains cost, under the interpreter
that runs it.

Usage: PYTHONPATH=agent/python python3 tests/bench/chain_cost.py gil WORKDIR [SIZE...]
       PYTHONPATH=agent/python python3 tests/bench/chain_cost.py overhead WORKDIR [RUN_S [REPS]]

gil: on a heap of SIZE GC-tracked objects (bench_heap.Heap; default 100k,
1M and 3M) beside two leaks (a module-level list of Item, and seed 001's
Channel kept by its Connection's `channels`, four hops from the module),
the agent chases both (chains.types names them, default budget) through
sample_now() until both records are written: GIL held per pass (the
longest and the mean) and per chain (all passes' GIL time over the
chains written), and the time of one explain() of each type.  One JSON
line per size (item "chain").

overhead: the host slowdown at the defaults (chains.types auto,
chains.budget 50ms, max_overhead 1%) on a 100k-object heap (on a larger
one max_overhead stretches a 1 s interval, and no pass comes within a
run): a CPU-bound
workload that also leaks 500 Item a second into a module-level list, REPS times (default 5) for
RUN_S seconds (default 6: the auto rule needs four snapshots of growth
before the first pass) with the agent off, at 60 s and at 1 s, in
rotating order; beside the on/off ratios (noisy on a shared machine), the
share of the runs' time the chains and the whole snapshots held the GIL
(chain_share, walk_share: the floor of the slowdown, which noise does not
blur).  One JSON line per interval (item "chain_overhead").
"""

import gc
import os
import statistics
import sys
import time
import types

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))

import agent_cost  # noqa: E402
import bench_heap  # noqa: E402

LEAK_MODULE = """
class Item:
    pass
LEAKY_REGISTRY = []
class Channel:
    def __init__(self, conn):
        self.connection = conn
        self.callbacks = []
class Connection:
    def __init__(self):
        self.channels = {}
class Broker:
    def __init__(self):
        self.connections = [Connection() for _ in range(3)]
BROKER = Broker()
def leak(n):
    for i in range(n):
        LEAKY_REGISTRY.append(Item())
        conn = BROKER.connections[i % 3]
        conn.channels[len(conn.channels)] = Channel(conn)
"""


def leak_module():
    """benchapp.leak, a real module in sys.modules (its globals are roots)."""
    mod = types.ModuleType("benchapp.leak")
    exec(LEAK_MODULE, mod.__dict__)
    sys.modules["benchapp.leak"] = mod
    return mod


def gil(work, size, leakagent):
    heap = bench_heap.Heap()
    total = heap.grow_to(size)
    mod = leak_module()
    mod.leak(1000)
    path = os.path.join(work, "chain.log")
    leakagent.start(interval="1d", log_path=path, max_size=0, max_overhead=100,
                    chains_types=["benchapp.leak.Item", "benchapp.leak.Channel"])
    agent_cost.wait_snapshots(leakagent, 1)
    for _ in range(2000):
        st = leakagent.stats()["chains"]
        if st["records"] >= 2 and not st["busy"]:
            break
        leakagent.sample_now()
    st = leakagent.stats()["chains"]
    leakagent.stop()
    with open(path) as f:
        chains = [line.split()[4] for line in f if line.startswith("#CHAIN")]
    os.unlink(path)
    explain = {}
    for name in ("Item", "Channel"):
        t0 = time.perf_counter()
        leakagent.explain("benchapp.leak." + name)
        explain[name] = time.perf_counter() - t0
    row = {"item": "chain", "python": sys.version.split()[0], "size": size, "objects": total,
           "passes": st["passes"], "pass_ms_max": st["pass_ms_max"],
           "pass_ms_mean": st["pass_ms_total"] / max(1, st["passes"]),
           "per_chain_ms": st["pass_ms_total"] / max(1, st["records"]),
           "records": st["records"], "errors": st["errors"], "roots": chains,
           "explain_item_s": explain["Item"], "explain_channel_s": explain["Channel"]}
    bench_heap.emit(**row)
    bench_heap.note("  %s %d objects: %d passes, longest %.1f ms, mean %.1f ms, %.1f ms per "
                    "chain; explain %.0f / %.0f ms; roots %s" % (
                        row["python"], total, row["passes"], row["pass_ms_max"],
                        row["pass_ms_mean"], row["per_chain_ms"], explain["Item"] * 1e3,
                        explain["Channel"] * 1e3, " ".join(chains)))
    del heap
    del sys.modules["benchapp.leak"]
    gc.collect()


def leaky_work(mod):
    """agent_cost's CPU-bound workload, leaking 50 Item (and Channels) every
    0.1 s of it: a steady leak, whatever the run's length."""
    def work(n):
        next_leak = time.perf_counter()
        for _ in range(max(1, n // 100)):
            agent_cost.cpu_work(100)
            if time.perf_counter() >= next_leak:
                mod.leak(50)
                next_leak += 0.1
    return work


def overhead(work_dir, run_s, reps, leakagent):
    mod = leak_module()
    heap = bench_heap.Heap()
    heap.grow_to(100000)    # small enough that max_overhead lets 1 s be 1 s
    fn = leaky_work(mod)
    n = agent_cost.calibrate(fn, run_s)
    modes = ["off", "60s", "1s"]
    wall = {m: [] for m in modes}
    passes = {m: [] for m in modes}
    chain_ms = {m: [] for m in modes}
    walk_ms = {m: [] for m in modes}
    path = os.path.join(work_dir, "chain_ovh.log")
    for rep in range(reps):
        for mode in modes[rep % 3:] + modes[:rep % 3]:
            if mode != "off":
                leakagent.start(interval=mode, log_path=path)
                agent_cost.wait_snapshots(leakagent, 1)
            gc.collect()
            t0 = time.perf_counter()
            fn(n)
            wall[mode].append(time.perf_counter() - t0)
            if mode != "off":
                st = leakagent.stats()
                passes[mode].append(st["chains"]["passes"])
                chain_ms[mode].append(st["chains"]["pass_ms_total"])
                walk_ms[mode].append(st["last_ms"] * st["snapshots"])
                leakagent.stop()
                os.unlink(path)
    for mode in modes[1:]:
        ratios = [on / off for on, off in zip(wall[mode], wall["off"])]
        bench_heap.emit(item="chain_overhead", python=sys.version.split()[0], interval=mode,
                        reps=reps, objects=len(gc.get_objects()),
                        off_s=bench_heap.median(wall["off"]), on_s=bench_heap.median(wall[mode]),
                        ratio=bench_heap.median(ratios), ratio_min=min(ratios),
                        ratio_max=max(ratios), passes=statistics.mean(passes[mode]),
                        chain_share=sum(chain_ms[mode]) / 1e3 / sum(wall[mode]),
                        walk_share=sum(walk_ms[mode]) / 1e3 / sum(wall[mode]))
        bench_heap.note("  leaking host at %s: on/off %s, %.1f chain passes a run, chains' GIL "
                        "%.3f%% of the runs, snapshots' %.3f%%" % (
                            mode, " ".join("%.3f" % r for r in ratios),
                            statistics.mean(passes[mode]),
                            100.0 * sum(chain_ms[mode]) / 1e3 / sum(wall[mode]),
                            100.0 * sum(walk_ms[mode]) / 1e3 / sum(wall[mode])))


def main():
    import leakagent
    what, work = sys.argv[1], sys.argv[2]
    os.makedirs(work, exist_ok=True)
    if what == "gil":
        for size in [int(s) for s in sys.argv[3:]] or [100000, 1000000, 3000000]:
            gil(work, size, leakagent)
    else:
        overhead(work, float(sys.argv[3]) if len(sys.argv) > 3 else 6.0,
                 int(sys.argv[4]) if len(sys.argv) > 4 else 5, leakagent)


if __name__ == "__main__":
    main()
