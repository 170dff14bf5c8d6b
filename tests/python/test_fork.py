"""fork(): the child samples into its own file (or under its own header),
multiprocessing works, and the walk leaves a forked worker's heap shared.
"""

import json
import os
import sys
import unittest

from lagtest import (QUIET_FORK, TmpDirTest, assert_stderr_is_warnings, headers,
                     parse_snapshots, read_text, run_py, run_script)

FORK_CHILD = QUIET_FORK + """
import json, os, time, leakagent
leakagent.start(log_path=%r, interval="1h")
leakagent.sample_now()
pid = os.fork()
if pid == 0:
    ok = leakagent.is_running()
    leakagent.sample_now()
    st = leakagent.stats()
    with open(%r, "w") as f:
        json.dump({"running": ok, "stats": st, "pid": os.getpid()}, f)
    os._exit(0)
os.waitpid(pid, 0)
leakagent.sample_now()
leakagent.stop()
print(os.getpid())
"""


# Private_Dirty of the process running it, in kB (code for the child).
SMAPS = """
def private_dirty_kb():
    with open("/proc/self/smaps_rollup") as f:
        for line in f:
            if line.startswith("Private_Dirty:"):
                return int(line.split()[1])
"""


class ForkTest(TmpDirTest):

    def test_fork_child_gets_its_own_file(self):
        out = self.path("child.json")
        res = run_py(FORK_CHILD % (self.path("app-%p.log"), out))
        parent = int(res.stdout)
        with open(out) as f:
            child = json.load(f)
        self.assertTrue(child["running"])
        # (stats()["log_path"] of the child is reset by smp_after_fork_child.)
        self.assertTrue(os.path.exists(self.path("app-%d.log" % child["pid"])))
        self.assertGreaterEqual(child["stats"]["snapshots"], 1)
        text = read_text(self.path("app-%d.log" % child["pid"]))
        self.assertEqual([h["pid"] for h in headers(text)], [str(child["pid"])])
        self.assertEqual({s[0]["pid"] for s in parse_snapshots(text)}, {str(child["pid"])})
        text = read_text(self.path("app-%d.log" % parent))
        self.assertEqual({s[0]["pid"] for s in parse_snapshots(text)}, {str(parent)})

    def test_fork_child_without_pid_in_path_appends_under_a_new_header(self):
        out = self.path("child.json")
        log = self.path("shared.log")
        res = run_py(FORK_CHILD % (log, out))
        parent = int(res.stdout)
        with open(out) as f:
            child = json.load(f)
        text = read_text(log)
        self.assertEqual([h["pid"] for h in headers(text)], [str(parent), str(child["pid"])])
        pids = [s[0]["pid"] for s in parse_snapshots(text)]
        self.assertIn(str(child["pid"]), pids)
        self.assertEqual(pids[0], str(parent))
        self.assertEqual(pids[-1], str(parent))

    def test_fork_while_the_log_directory_is_gone(self):
        """A child forked while its log cannot be opened keeps its agent:
        the failure is a run-time error, counted and reported by the
        snapshots that cannot be written, and the child writes its own file
        once the directory is back, and nothing reaches the host's
        stderr but the agent's warning."""
        logs = self.path("logs")
        os.makedirs(logs)
        out = self.path("child.json")
        res = run_py(QUIET_FORK + """
import json, os, sys, leakagent
logs, out = sys.argv[1], sys.argv[2]
leakagent.start(log_path=logs + "/app-%p.log", interval="1h")
os.rename(logs, logs + ".gone")
pid = os.fork()
if pid == 0:
    running = leakagent.is_running()
    try:
        leakagent.sample_now()
        first = "written"
    except RuntimeError as exc:
        first = str(exc)
    os.mkdir(logs)
    leakagent.sample_now()
    with open(out, "w") as f:
        json.dump({"running": running, "first": first, "stats": leakagent.stats(),
                   "pid": os.getpid()}, f)
    os._exit(0)
os.waitpid(pid, 0)
leakagent.stop()
""", logs, out)
        warnings = assert_stderr_is_warnings(self, res.stderr, 2)   # one a process
        with open(out) as f:
            child = json.load(f)
        self.assertTrue(child["running"])
        self.assertIn("cannot open log", child["first"])
        self.assertIn("No such file or directory", child["first"])
        # The child's thread samples at its start too: it may fail, or write.
        self.assertGreaterEqual(child["stats"]["errors"], 1)
        self.assertGreaterEqual(child["stats"]["snapshots"], 1)
        self.assertTrue(all("No such file or directory" in w for w in warnings), warnings)
        text = read_text(os.path.join(logs, "app-%d.log" % child["pid"]))
        self.assertEqual([h["pid"] for h in headers(text)], [str(child["pid"])])
        self.assertGreaterEqual(len(parse_snapshots(text)), 1)

    def test_warnings_name_their_process(self):
        """A server's workers share one stderr (a terminal, the journal):
        each warning says which process wrote it, "leakagent[pid N prog]:"."""
        logs = self.path("logs")
        os.makedirs(logs)
        res = run_py(QUIET_FORK + """
import os, sys, leakagent
logs = sys.argv[1]
leakagent.start(log_path=logs + "/app-%p.log", interval="1h", program="websrv")
os.rename(logs, logs + ".gone")
pid = os.fork()
for _ in range(3):              # rate-limited: one warning a process
    try:
        leakagent.sample_now()
    except RuntimeError:
        pass
if pid == 0:
    os._exit(0)
os.waitpid(pid, 0)
leakagent.stop()
print(os.getpid(), pid)
""", logs)
        parent, child = res.stdout.split()
        warnings = assert_stderr_is_warnings(self, res.stderr, 2)
        self.assertEqual(sorted(w.split(":")[0] for w in warnings),
                         sorted("leakagent[pid %s websrv]" % p for p in (parent, child)),
                         res.stderr)

    def test_multiprocessing_fork_and_forkserver(self):
        for method in ("fork", "forkserver"):
            with self.subTest(method=method):
                log = self.path("mp-%s-%%p.log" % method)
                res = run_script(self.path("mp_%s.py" % method), QUIET_FORK + """
import multiprocessing as mp, os, leakagent
def work(x):
    return x * x, os.getpid(), leakagent.is_running() if "leakagent" in globals() else None
if __name__ == "__main__":
    leakagent.start(log_path=%r, interval="10ms", max_overhead=100)
    ctx = mp.get_context(%r)
    with ctx.Pool(2) as pool:
        out = pool.map(work, range(40))
    leakagent.stop()
    assert [o[0] for o in out] == [x * x for x in range(40)]
    print(sorted({o[1] for o in out}))
    print(sorted({o[2] for o in out}))
""" % (log, method), timeout=60)
                workers = json.loads(res.stdout.splitlines()[0])
                running = res.stdout.splitlines()[1]
                files = os.listdir(self.tmp)
                if method == "fork":
                    # Each worker was forked with the agent on: its own file.
                    self.assertEqual(running, "[True]")
                    for pid in workers:
                        self.assertIn("mp-fork-%d.log" % pid, files)
                else:
                    # forkserver children fork from a fresh interpreter that
                    # imported __main__ (so leakagent) but never started it:
                    # no agent unless LEAKAGENT_CONFIG autostarts one.
                    self.assertEqual(running, "[False]")

    def test_forked_child_heap_stays_shared(self):
        """A 1M-object heap, frozen as prefork servers do; the forked child
        samples it: its private memory grows by < 1 MiB per snapshot."""
        res = run_py(QUIET_FORK + SMAPS + """
import gc, json, os, time, leakagent
class Node:
    __slots__ = ("next",)
heap = [Node() for _ in range(1000000)]
gc.collect()
gc.freeze()
leakagent.start(log_path=%r, interval="1h", max_overhead=100)
r, w = os.pipe()
pid = os.fork()
if pid == 0:
    os.close(r)
    while leakagent.stats()["snapshots"] < 1:      # the child thread's first tick
        time.sleep(0.01)
    leakagent.sample_now()                          # buffers warmed up
    n = 5
    out = {}
    before = private_dirty_kb()
    for _ in range(n):
        leakagent.sample_now()
    out["frozen_kb"] = (private_dirty_kb() - before) / n
    gc.unfreeze()                                   # now the heap is in generation 2
    leakagent.sample_now()
    before = private_dirty_kb()
    for _ in range(n):
        leakagent.sample_now()
    out["gen2_kb"] = (private_dirty_kb() - before) / n
    before = private_dirty_kb()
    objs = gc.get_objects()                         # what objgraph does
    out["get_objects_kb"] = private_dirty_kb() - before
    del objs
    out["count"] = leakagent.snapshot()["__main__.Node"]
    os.write(w, json.dumps(out).encode())
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
""" % self.path("shared-%p.log"), timeout=120)
        out = json.loads(res.stdout)
        sys.stdout.write("\n    private dirty per snapshot: frozen heap %.0f kB, "
                         "generation 2 %.0f kB; gc.get_objects() once: %.0f kB ... "
                         % (out["frozen_kb"], out["gen2_kb"], out["get_objects_kb"]))
        self.assertEqual(out["count"], 1000000)
        self.assertLess(out["frozen_kb"], 1024)
        self.assertLess(out["gen2_kb"], 1024)
        # The reason for the read-only walk: increfs dirty the whole heap.
        self.assertGreater(out["get_objects_kb"], 16 * 1024)


if __name__ == "__main__":
    unittest.main()
