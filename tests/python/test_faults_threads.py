"""Concurrency faults under a real host (issue 7): stop() and start()
racing sample_now(), stats() and each other from 8 threads; a pool of 20
forked children doing work and exiting while the parent samples and
rotates.  No crash, no hang, no exception but the documented ones, and
every log stays readable.
"""

import json
import os
import sys
import unittest

from lagtest import (QUIET_FORK, TmpDirTest, assert_stderr_is_warnings, headers, leakplot_json,
                     log_files, parse_snapshots, read_text, rounds, run_py, run_script,
                     type_lines_are_whole)



class ThreadRaceTest(TmpDirTest):

    def test_stop_and_start_race_sample_now_from_8_threads(self):
        log = self.path("race.log")
        res = run_py("""
import collections, json, random, sys, threading, time, leakagent
junk = [{} for _ in range(20000)]
errors = collections.Counter()
calls = collections.Counter()
done = False
def options():
    return dict(log_path=%r, interval="10ms", max_size="16KB", keep=20, max_overhead=100)
def worker(k):
    while not done:
        try:
            what = random.random()
            if what < 0.90:
                calls["sample_now"] += 1
                calls["written"] += leakagent.sample_now()
            elif what < 0.98:
                calls["stats"] += 1
                leakagent.stats()
                leakagent.is_running()
            elif what < 0.99:
                calls["stop"] += 1
                leakagent.stop()
            else:
                calls["start"] += 1
                leakagent.start(**options())
        except RuntimeError as e:       # documented: not running, already running
            msg = str(e)
            errors[msg.split(":")[0] if "running" in msg else msg] += 1
            time.sleep(0.001)           # no spinning on the GIL while stopped
        except BaseException as e:
            errors["UNDOCUMENTED %%s: %%s" %% (type(e).__name__, e)] += 1
threads = [threading.Thread(target=worker, args=(k,)) for k in range(8)]
for t in threads:
    t.start()
end = time.monotonic() + float(sys.argv[1])
cycles = 0
while time.monotonic() < end:   # the main thread: start/stop loops
    try:
        leakagent.start(**options())
    except RuntimeError:
        pass
    time.sleep(random.random() * 0.01)
    leakagent.stop()
    cycles += 1
done = True
for t in threads:
    t.join(10)
alive = sum(t.is_alive() for t in threads)
leakagent.stop()
print(json.dumps({"errors": errors, "cycles": cycles, "alive": alive, "calls": calls}))
""" % log, str(rounds(2, 20)), timeout=120)
        out = json.loads(res.stdout)
        sys.stdout.write("\n    %d start/stop cycles; from 8 threads %s; %d documented errors ... "
                         % (out["cycles"], ", ".join("%s %d" % kv for kv in sorted(out["calls"].items())),
                            sum(out["errors"].values())))
        self.assertEqual(out["alive"], 0)
        self.assertEqual([e for e in out["errors"] if e.startswith("UNDOCUMENTED")], [])
        documented = ("leakagent is not running", "leakagent is already running (log %s)" % log,
                      "leakagent is being started by another thread")
        self.assertEqual(set(out["errors"]) - set(documented), set(), out["errors"])
        self.assertGreater(out["cycles"], 20)
        assert_stderr_is_warnings(self, res.stderr, 0)
        for f in log_files(log):
            self.assertEqual(type_lines_are_whole(read_text(f)), [], f)
        self.assertEqual(leakplot_json(log)["bad_lines"], 0)

    def test_pool_of_20_forked_children(self):
        log = self.path("pool-%p.log")
        res = run_script(self.path("pool.py"), QUIET_FORK + """
import json, multiprocessing as mp, os, time, leakagent
class Work: pass
def work(n):
    kept = [Work() for _ in range(5000)]
    leakagent.sample_now()
    time.sleep(0.05)            # the child's own thread ticks meanwhile
    return os.getpid(), leakagent.is_running(), len(kept)
if __name__ == "__main__":
    junk = [{} for _ in range(20000)]
    leakagent.start(log_path=%r, interval="10ms", max_size="8KB", keep=1000, max_overhead=100)
    pool = mp.get_context("fork").Pool(20)
    out = pool.map(work, range(60), chunksize=1)
    workers = list(pool._pool)
    pool.close()
    pool.join()
    leakagent.sample_now()
    leakagent.stop()
    print(json.dumps({"out": out, "exitcodes": [w.exitcode for w in workers],
                      "pid": os.getpid(), "stats": leakagent.stats()}))
""" % log, timeout=120)
        out = json.loads(res.stdout)
        assert_stderr_is_warnings(self, res.stderr, 0)
        self.assertEqual(out["exitcodes"], [0] * 20)
        self.assertEqual({o[1] for o in out["out"]}, {True})
        pids = {o[0] for o in out["out"]}
        self.assertEqual(len(pids), 20)
        # The parent's log: rotated often, read whole.
        parent = self.path("pool-%d.log" % out["pid"])
        self.assertGreaterEqual(out["stats"]["rotations"], 1)
        self.assertEqual(out["stats"]["errors"], 0)
        for f in log_files(parent):
            text = read_text(f)
            self.assertEqual(type_lines_are_whole(text), [], f)
            self.assertLessEqual({s[0]["pid"] for s in parse_snapshots(text)}, {str(out["pid"])})
        self.assertEqual(leakplot_json(parent)["snapshots"], out["stats"]["snapshots"])
        # Each child's own file: its own header and snapshots, whole but for
        # perhaps a last line cut when the worker left with os._exit().
        for pid in pids:
            child = self.path("pool-%d.log" % pid)
            if not os.path.exists(child):
                continue
            snapshots = 0
            for f in log_files(child):
                text = read_text(f)
                if text == "":          # left between its creation and its header
                    continue
                self.assertEqual({h["pid"] for h in headers(text)}, {str(pid)}, (f, text[:300]))
                whole = "\n".join(text.splitlines()[:-1])
                self.assertEqual(type_lines_are_whole(whole), [], f)
                snapshots += len(parse_snapshots(whole))
            self.assertGreaterEqual(snapshots, 1)
            self.assertLessEqual(leakplot_json(child)["bad_lines"], 1)


if __name__ == "__main__":
    unittest.main()
