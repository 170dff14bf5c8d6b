"""Who holds it (issue 17, agent side): #CHAIN records.

Real hosts whose leaks the agent itself sees growing (chains.types: auto,
snapshots taken with sample_now()): a module-level LEAKY_REGISTRY list is
named as the root; seed 001's shape (a connection keeps every channel in
`channels`, each channel its messages through `callbacks`) names
`channels`; an LRU cache that fills and stops is not chased; an object
held only by a leaked C reference is "held only from outside the
collector", one held by a running function's local a frame.  explain()
returns the chains and writes them; a climb longer
than its budget goes on at later snapshots; a forked worker's heap stays
shared; the host's threads keep running; exit during a pass never hangs.
"""

import concurrent.futures
import json
import os
import random
import sys
import unittest

from lagtest import QUIET_FORK, TmpDirTest, read_text, rounds, run_py


def parse_chains(text):
    """[{type, why, k, n, root, hops: [(holder_type, address, edge)]}] of
    every #CHAIN line in text (chain_format.md), in order."""
    chains = []
    for line in text.splitlines():
        if not line.startswith("#CHAIN "):
            continue
        f = line.split(" ")
        k, _, n = f[3].partition("/")
        hops = []
        for hop in f[5:]:
            holder, _, rest = hop.partition("@")
            address, _, edge = rest.partition(":")
            hops.append((holder, int(address, 16), edge))
        chains.append({"type": f[1], "why": f[2], "k": int(k), "n": int(n), "root": f[4],
                       "hops": hops})
    return chains


def chains_of(text, type_suffix):
    return [c for c in parse_chains(text) if c["type"].endswith(type_suffix)]


# A host that leaks one way per round (the code in LEAK), taking a snapshot
# after each; argv: log path, rounds.
HOST = """
import ctypes, collections, sys, time
import leakagent
%s
leakagent.start(interval="1h", log_path=sys.argv[1])
while leakagent.stats()["snapshots"] < 1:      # the thread's baseline
    time.sleep(0.01)
for round in range(int(sys.argv[2])):
    leak(round)
    assert leakagent.sample_now()
leakagent.stop()
"""

REGISTRY = """
class Item:
    def __init__(self, n):
        self.n = n
LEAKY_REGISTRY = []
def leak(round):
    for i in range(300):
        LEAKY_REGISTRY.append(Item(i))
"""

# Seed 001: a broker keeps its connections, a connection every channel it
# opened (by channel id), a channel the messages of its consumers through
# their callbacks; channels are never closed.
SEED_001 = """
class Message:
    def __init__(self, body):
        self.body = body
class Channel:
    def __init__(self, conn, channel_id):
        self.connection = conn
        self.channel_id = channel_id
        self.callbacks = []
    def basic_consume(self, msg):
        self.callbacks.append(lambda m=msg: m.body)
class Connection:
    def __init__(self):
        self.channels = {}
    def channel(self):
        ch = Channel(self, len(self.channels) + 1)
        self.channels[ch.channel_id] = ch
        return ch
class Broker:
    def __init__(self):
        self.connections = [Connection() for _ in range(3)]
BROKER = Broker()
def leak(round):
    for i in range(150):
        ch = BROKER.connections[i % 3].channel()
        ch.basic_consume(Message("m%d" % i))
"""

# An LRU cache of InstanceState that fills in the first round and then only
# replaces its entries, beside a real leak of Item.
LRU = """
class InstanceState:
    pass
class Item:
    pass
CACHE = collections.OrderedDict()
LEAKY_REGISTRY = []
def leak(round):
    for i in range(400):
        CACHE[(round, i)] = InstanceState()
        while len(CACHE) > 400:
            CACHE.popitem(last=False)
    for i in range(300):
        LEAKY_REGISTRY.append(Item())
"""

# Objects whose only reference is one a C function leaked.
EXTERNAL = """
class Orphan:
    pass
def leak(round):
    for i in range(300):
        o = Orphan()
        ctypes.pythonapi.Py_IncRef(ctypes.py_object(o))
        del o
"""


class ChainTest(TmpDirTest):

    def run_host(self, leak, n_rounds=7):
        log = self.path("mc.log")
        run_py(HOST.replace("%s", leak, 1), log, str(n_rounds))
        return read_text(log)

    def test_leaky_registry_is_named(self):
        text = self.run_host(REGISTRY)
        found = chains_of(text, "__main__.Item")
        self.assertTrue(found, parse_chains(text))
        first = found[0]
        self.assertEqual(first["why"], "auto")
        self.assertEqual(first["root"], "global:__main__.LEAKY_REGISTRY")
        self.assertEqual(first["k"], first["n"])
        self.assertEqual(first["n"], 4)                 # chains.instances' default
        self.assertEqual([(h[0], h[2]) for h in first["hops"]], [("list", "[<int>]")])
        # Once per period: the type grew at every later round too.
        self.assertEqual(len(found), 1, found)

    def test_seed_001_channels_are_named(self):
        text = self.run_host(SEED_001)
        found = chains_of(text, "__main__.Channel")
        self.assertTrue(found, parse_chains(text))
        best = found[0]
        self.assertEqual(best["root"], "global:__main__.BROKER")
        self.assertEqual([(h[0], h[2]) for h in best["hops"]],
                         [("__main__.Connection", ".channels[<int>]"),
                          ("__main__.Broker", ".connections[<int>]")])
        messages = chains_of(text, "__main__.Message")
        self.assertTrue(messages, parse_chains(text))
        edges = [h[2] for h in messages[0]["hops"]]
        self.assertIn(".callbacks[<int>]", edges)
        self.assertIn(".channels[<int>]", edges)

    def test_lru_cache_that_fills_is_not_chased(self):
        text = self.run_host(LRU)
        self.assertEqual(chains_of(text, "InstanceState"), [])
        items = chains_of(text, "__main__.Item")
        self.assertTrue(items, parse_chains(text))          # the agent did chase the leak
        self.assertEqual(items[0]["root"], "global:__main__.LEAKY_REGISTRY")

    def test_leaked_c_reference_is_external(self):
        text = self.run_host(EXTERNAL)
        found = chains_of(text, "__main__.Orphan")
        self.assertTrue(found, parse_chains(text))
        self.assertEqual(found[0]["root"], "external:1")
        self.assertEqual(found[0]["hops"], [])
        self.assertEqual(found[0]["k"], 4)

    def test_explain_returns_and_writes_chains(self):
        log = self.path("mc.log")
        res = run_py("""
import json, sys, leakagent
class Session:
    pass
class Registry:
    SESSIONS = {}
for i in range(10):
    Registry.SESSIONS["s%d" % i] = Session()
print(json.dumps(leakagent.explain("__main__.Session")))   # not running: returned only
leakagent.start(interval="1h", log_path=sys.argv[1], chains_types="off")
chains = leakagent.explain("__main__.Session")
print(json.dumps(chains))
print(json.dumps(leakagent.explain("nosuch.Type")))
try:
    leakagent.explain(3)
except TypeError as e:
    print(json.dumps(str(e)))
leakagent.stop()
""", log)
        before, chains, none, error = [json.loads(line) for line in res.stdout.splitlines()]
        self.assertEqual(len(chains), 1, chains)
        c = chains[0]
        self.assertEqual((c["type"], c["why"], c["k"], c["n"]), ("__main__.Session", "explain", 4, 4))
        self.assertEqual(c["root"], "class:__main__.Registry.SESSIONS")
        # Four sessions under four keys: one chain, the keys as a placeholder.
        self.assertEqual(c["hops"][0].split(":", 1)[1], "[<str>]")
        self.assertEqual(before[0]["root"], c["root"])
        self.assertEqual(none, [])
        self.assertIn("type name", error)
        logged = parse_chains(read_text(log))
        self.assertEqual(len(logged), 1, logged)
        self.assertEqual(logged[0]["why"], "explain")
        self.assertEqual(logged[0]["root"], "class:__main__.Registry.SESSIONS")

    def test_frame_locals_are_roots(self):
        """Objects held only by running functions' locals: a thread's
        (named as threading names it), the calling thread's, and a
        suspended generator's."""
        res = run_py("""
import json, threading, leakagent
class Job:
    pass
class Solo:
    pass
ready, done = threading.Event(), threading.Event()
def serve():
    pending = [Job() for _ in range(10)]
    ready.set()
    done.wait()
t = threading.Thread(target=serve, name="worker-1")
t.start()
ready.wait()
def main():
    solo = Solo()
    out = [leakagent.explain("__main__.Job"), leakagent.explain("__main__.Solo")]
    def gen():
        mine = Solo()
        yield 1
    g = gen()
    next(g)
    del solo
    out.append(leakagent.explain("__main__.Solo"))
    return out
print(json.dumps(main()))
done.set()
t.join()
""")
        jobs, solo, in_gen = json.loads(res.stdout)
        self.assertEqual([(c["root"], c["k"]) for c in jobs], [("frame:worker-1:serve:pending", 4)])
        self.assertEqual([h.split("@")[0] + ":" + h.split(":", 1)[1] for h in jobs[0]["hops"]],
                         ["list:[<int>]"])
        self.assertEqual([c["root"] for c in solo], ["frame:MainThread:main:solo"])
        self.assertEqual(solo[0]["hops"], [])
        self.assertEqual([c["root"] for c in in_gen], ["frame:MainThread:main:g"])
        self.assertEqual(in_gen[0]["hops"][0].split(":", 1)[1], ".gi_frame.f_locals['mine']")

    def test_climb_longer_than_its_budget_goes_on_later(self):
        """With a 1 ms budget and a 300k-object heap, a level takes several
        snapshots: the chain still comes, and no snapshot held the GIL for
        the chains much longer than the budget."""
        log = self.path("mc.log")
        res = run_py("""
import json, sys, time, leakagent
class Node:
    __slots__ = ("next",)
HEAP = [Node() for _ in range(300000)]
class Item:
    pass
LEAKY_REGISTRY = []
leakagent.start(interval="1h", log_path=sys.argv[1], chains_budget="1ms",
                chains_types="__main__.Item")
for _ in range(200):
    LEAKY_REGISTRY.append(Item())
    leakagent.sample_now()
    if leakagent.stats()["chains"]["records"]:
        break
print(json.dumps(leakagent.stats()["chains"]))
leakagent.stop()
""", log, timeout=120)
        st = json.loads(res.stdout)
        self.assertEqual(st["errors"], 0)
        self.assertGreater(st["passes"], 2, st)
        found = chains_of(read_text(log), "__main__.Item")
        self.assertEqual(len(found), 1, found)
        self.assertEqual(found[0]["why"], "config")
        self.assertEqual(found[0]["root"], "global:__main__.LEAKY_REGISTRY")

    def test_forked_worker_heap_stays_shared(self):
        """A 1M-object frozen heap in a forked worker that leaks: each
        referrer pass (one explain()) grows its private memory < 1 MiB."""
        res = run_py(QUIET_FORK + """
import gc, json, os, sys, leakagent
def private_dirty_kb():
    with open("/proc/self/smaps_rollup") as f:
        for line in f:
            if line.startswith("Private_Dirty:"):
                return int(line.split()[1])
class Node:
    __slots__ = ("next",)
class Item:
    pass
heap = [Node() for _ in range(1000000)]
LEAKY_REGISTRY = [Item() for _ in range(100)]
gc.collect()
gc.freeze()
leakagent.start(log_path=sys.argv[1], interval="1h", max_overhead=100)
r, w = os.pipe()
pid = os.fork()
if pid == 0:
    os.close(r)
    leakagent.explain("__main__.Item")              # buffers warmed up
    n = 4
    before = private_dirty_kb()
    for _ in range(n):
        chains = leakagent.explain("__main__.Item")
    kb = (private_dirty_kb() - before) / n
    os.write(w, json.dumps({"kb": kb, "root": chains[0]["root"]}).encode())
    os._exit(0)
os.close(w)
data = b""
while True:
    chunk = os.read(r, 4096)
    if not chunk:
        break
    data += chunk
os.waitpid(pid, 0)
leakagent.stop()
print(data.decode())
""", self.path("fork-%p.log"), timeout=180)
        out = json.loads(res.stdout)
        sys.stdout.write("\n    private dirty per referrer pass: %.0f kB ... " % out["kb"])
        self.assertEqual(out["root"], "global:__main__.LEAKY_REGISTRY")
        self.assertLess(out["kb"], 1024)

    def test_host_threads_keep_running(self):
        """A host thread counting while the agent climbs a 500k-object heap
        every 20 ms: it never stalls for long, and the chains come."""
        res = run_py("""
import json, sys, threading, time, leakagent
class Node:
    __slots__ = ("next",)
HEAP = [Node() for _ in range(500000)]
class Item:
    pass
LEAKY_REGISTRY = []
ticks = []
stop = False
def counter():
    while not stop:
        ticks.append(time.monotonic())
        time.sleep(0.001)
t = threading.Thread(target=counter, name="host-worker")
t.start()
leakagent.start(interval="20ms", log_path=sys.argv[1], max_overhead=100,
                chains_types="__main__.Item", chains_period="1s", chains_budget="10ms")
end = time.monotonic() + 3
while time.monotonic() < end:
    LEAKY_REGISTRY.append(Item())
    time.sleep(0.001)
stop = True
t.join()
st = leakagent.stats()
leakagent.stop()
gaps = [b - a for a, b in zip(ticks, ticks[1:])]
print(json.dumps({"max_gap": max(gaps), "ticks": len(ticks), "chains": st["chains"]}))
""", self.path("threads.log"), timeout=60)
        out = json.loads(res.stdout)
        sys.stdout.write("\n    host thread: %d ticks in 3 s, longest gap %.0f ms ... "
                         % (out["ticks"], out["max_gap"] * 1000))
        self.assertGreaterEqual(out["chains"]["records"], 1, out)
        self.assertGreater(out["ticks"], 300)
        # The walk of 500k objects takes its own time; the chains add at
        # most their budget per snapshot on top.
        self.assertLess(out["max_gap"], 1.0)

    def run_exiting_host(self, i):
        log = self.path("exit-%d.log" % i)
        how = ["sys.exit(0)", "os._exit(0)", "pass"][i % 3]
        res = run_py("""
import os, sys, time, leakagent
class Node:
    __slots__ = ("next",)
HEAP = [Node() for _ in range(200000)]
class Item:
    pass
LEAKY_REGISTRY = []
leakagent.start(interval="10ms", log_path=sys.argv[1], max_overhead=100,
                chains_types="__main__.Item", chains_period="1s", chains_budget="2ms")
end = time.monotonic() + float(sys.argv[2])
while time.monotonic() < end:
    LEAKY_REGISTRY.append(Item())
%s
""" % how, log, "%.3f" % random.uniform(0.05, 0.4), timeout=30, check=False)
        if res.returncode != 0:
            return ["%d (%s): exit %d: %s" % (i, how, res.returncode, res.stderr[-500:])]
        # The agent's own warnings (max_overhead stretching the interval) only.
        others = [line for line in res.stderr.splitlines() if not line.startswith("leakagent[")]
        if others:
            return ["%d (%s): stderr %r" % (i, how, res.stderr[-500:])]
        return []

    def test_exit_during_a_pass_never_hangs(self):
        n = 50
        problems = []
        with concurrent.futures.ThreadPoolExecutor(2) as pool:
            for result in pool.map(self.run_exiting_host, range(n)):
                problems.extend(result)
        sys.stdout.write("\n    %d hosts exited while climbing ... " % n)
        self.assertEqual(problems, [])


if __name__ == "__main__":
    unittest.main()
