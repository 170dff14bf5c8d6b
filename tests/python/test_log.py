"""The log a real process writes: a growing class rises snapshot after
snapshot, and rotation (small max_size) loses no snapshot.
"""

import json
import os
import unittest

from lagtest import TmpDirTest, headers, log_files, parse_snapshots, read_text, run_py


class LogTest(TmpDirTest):

    def test_growing_list_rises_snapshot_after_snapshot(self):
        log = self.path("most_common.log")
        run_py("""
import time, leakagent
class Leaky: pass
class Steady: pass
LEAK = []
steady = [Steady() for _ in range(100)]
leakagent.start(log_path=%r, interval="100ms", max_overhead=50)
for _ in range(8):
    LEAK.extend(Leaky() for _ in range(500))
    leakagent.sample_now()
    time.sleep(0.03)
leakagent.stop()
""" % log)
        text = read_text(log)
        (header,) = headers(text)
        self.assertEqual(header["pid"], parse_snapshots(text)[0][0]["pid"])
        self.assertIn("python", header)
        # The samples taken right after each extend() rise strictly; the
        # thread's own ticks in between never go down.
        series = [counts.get("__main__.Leaky", 0) for _, counts in parse_snapshots(text)]
        self.assertGreaterEqual(len(series), 8)
        self.assertEqual(series, sorted(series))
        self.assertEqual(series[-1], 4000)
        rises = [b for a, b in zip(series, series[1:]) if b > a]
        self.assertGreaterEqual(len(rises), 7)
        steady = {counts.get("__main__.Steady") for _, counts in parse_snapshots(text)}
        self.assertEqual(steady, {100})

    def test_rotation_loses_no_snapshot(self):
        for compress in (True, False):
            with self.subTest(compress=compress):
                log = self.path("rot-%s.log" % compress)
                res = run_py("""
import json, threading, time, leakagent
junk = [{} for _ in range(1000)]
leakagent.start(log_path=%r, interval="10ms", max_size="3KB", keep=1000,
                compress=%s, max_overhead=100)
def more():
    for _ in range(50):
        leakagent.sample_now()
threads = [threading.Thread(target=more) for _ in range(2)]
for t in threads: t.start()
for t in threads: t.join()
time.sleep(0.3)
leakagent.stop()
print(json.dumps(leakagent.stats()))
""" % (log, compress))
                stats = json.loads(res.stdout)
                files = log_files(log)
                self.assertGreater(stats["rotations"], 5)
                self.assertEqual(len(files), stats["rotations"] + 1, files)
                gz = [f for f in files if f.endswith(".gz")]
                self.assertEqual(bool(gz), compress)
                starts = 0
                for f in files:
                    text = read_text(f)
                    starts += sum(1 for line in text.splitlines() if line.startswith("#START"))
                    self.assertTrue(text.startswith("# leakagent 1"), f)
                self.assertGreaterEqual(stats["snapshots"], 100)
                self.assertEqual(stats["errors"], 0)
                self.assertEqual(starts, stats["snapshots"])


if __name__ == "__main__":
    unittest.main()
