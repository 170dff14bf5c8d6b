"""Counting: what a snapshot contains, compared with objgraph and gc.

Issue 3: counts equal objgraph.typestats(shortnames=False) (minus the
"builtins." prefix) exactly for the program's own classes; frozen objects
are counted; names are module.qualname with builtins bare; every walk agrees;
collect: true collects first; the gauges are on every #START line.
"""

import json
import os
import sys
import unittest

from lagtest import OBJGRAPH_DIR, TmpDirTest, parse_snapshots, read_text, run_py

HAVE_OBJGRAPH = os.path.exists(os.path.join(OBJGRAPH_DIR, "objgraph.py"))

CLASSES = """
import gc, json, sys
class Alpha: pass
class Beta(list): pass              # a heap type deriving from a builtin
class Gamma:
    def __init__(self): self.me = self  # in a cycle, still alive
keep = [Alpha() for _ in range(1234)] + [Beta() for _ in range(567)]
keep += [Gamma() for _ in range(89)]
"""


def walks():
    """The walks this interpreter offers, as leakagent names them."""
    names = ["gclist", "get_objects"]
    if sys.version_info >= (3, 12):
        names.append("visit")
    return names


class CountingTest(TmpDirTest):

    @unittest.skipUnless(HAVE_OBJGRAPH, "python3-objgraph is not installed")
    def test_counts_equal_objgraph_for_own_classes(self):
        res = run_py(CLASSES + """
sys.path.append(%r)
import objgraph, leakagent
gc.collect()
ours = leakagent.snapshot()
theirs = objgraph.typestats(shortnames=False)
print(json.dumps({"ours": ours, "theirs": theirs}))
""" % OBJGRAPH_DIR)
        data = json.loads(res.stdout)
        ours, theirs = data["ours"], data["theirs"]
        for name, expected in (("Alpha", 1234), ("Beta", 567), ("Gamma", 89)):
            full = "__main__." + name
            self.assertEqual(ours.get(full), theirs.get(full), full)
            self.assertEqual(ours.get(full), expected, full)
        # Builtins are bare where objgraph says builtins.X.
        self.assertIn("builtins.dict", theirs)
        self.assertIn("dict", ours)
        self.assertFalse([n for n in ours if n.startswith("builtins.")])

    @unittest.skipUnless(HAVE_OBJGRAPH, "python3-objgraph is not installed")
    def test_extension_type_names_equal_objgraph(self):
        res = run_py("""
import collections, io, json, sys
sys.path.append(%r)
import objgraph, leakagent
keep = [collections.OrderedDict() for _ in range(300)]
keep += [collections.deque() for _ in range(200)]
ours = leakagent.snapshot()
theirs = objgraph.typestats(shortnames=False)
print(json.dumps({"ours": ours, "theirs": theirs}))
""" % OBJGRAPH_DIR)
        data = json.loads(res.stdout)
        for full in ("collections.OrderedDict", "collections.deque"):
            self.assertEqual(data["ours"].get(full), data["theirs"].get(full), full)
            self.assertGreaterEqual(data["ours"][full], 200)

    def test_names_are_module_qualname(self):
        res = run_py("""
import json, leakagent
class Outer:
    class Inner: pass
class Bare: pass
Bare.__module__ = "builtins"          # a heap type claiming builtins stays bare
class Unicode\u00e9: pass
Spaced = type("has space", (), {})
keep = [Outer.Inner() for _ in range(7)] + [Bare() for _ in range(5)]
keep += [Unicode\u00e9() for _ in range(3)] + [Spaced() for _ in range(2)]
print(json.dumps(leakagent.snapshot()))
""")
        snap = json.loads(res.stdout)
        self.assertEqual(snap.get("__main__.Outer.Inner"), 7)
        self.assertEqual(snap.get("Bare"), 5)
        self.assertEqual(snap.get("__main__.Unicode\u00e9"), 3)
        self.assertEqual(snap.get("__main__.has space"), 2)
        self.assertIn("function", snap)

    def test_every_walk_counts_the_same(self):
        res = run_py(CLASSES + """
import leakagent
out = {}
for walk in %r:
    leakagent._leakagent._set_walk(walk)
    out[walk] = leakagent.snapshot()
print(json.dumps(out))
""" % walks())
        by_walk = json.loads(res.stdout)
        for walk, snap in by_walk.items():
            with self.subTest(walk=walk):
                self.assertEqual(snap.get("__main__.Alpha"), 1234)
                self.assertEqual(snap.get("__main__.Beta"), 567)
                self.assertEqual(snap.get("__main__.Gamma"), 89)

    def test_frozen_objects_are_counted(self):
        log = self.path("frozen.log")
        res = run_py(CLASSES + """
import leakagent
gc.freeze()                          # as prefork servers do
more = [Alpha() for _ in range(500)]
leakagent.start(log_path=%r, interval="1h")
leakagent.sample_now()
leakagent.stop()
out = {"snapshot": leakagent.snapshot()["__main__.Alpha"]}
leakagent._leakagent._set_walk("get_objects")
out["get_objects"] = leakagent.snapshot().get("__main__.Alpha")
out["frozen"] = gc.get_freeze_count()
print(json.dumps(out))
""" % log)
        out = json.loads(res.stdout)
        self.assertGreaterEqual(out["frozen"], 1234)
        self.assertEqual(out["snapshot"], 1734)
        # gc.get_objects() misses the permanent generation: why we walk it.
        self.assertEqual(out["get_objects"], 500)
        snaps = parse_snapshots(read_text(log))
        self.assertEqual(snaps[-1][1].get("__main__.Alpha"), 1734)

    def test_collect_true_collects_first(self):
        code = """
import gc, leakagent
gc.disable()
class Cycle:
    def __init__(self): self.me = self
for _ in range(1000):
    Cycle()                          # unreachable, but not collected yet
leakagent.start(log_path=%r, interval="1h", collect=%s)
leakagent.sample_now()
leakagent.stop()
"""
        for collect, expected in ((False, 1000), (True, None)):
            with self.subTest(collect=collect):
                log = self.path("collect-%s.log" % collect)
                run_py(code % (log, collect))
                last = parse_snapshots(read_text(log))[-1][1]
                self.assertEqual(last.get("__main__.Cycle"), expected)

    def test_gauges_on_every_start_line(self):
        log = self.path("gauges.log")
        run_py("""
import leakagent
leakagent.start(log_path=%r, interval="100ms")
for _ in range(3):
    leakagent.sample_now()
leakagent.stop()
""" % log)
        snaps = parse_snapshots(read_text(log))
        self.assertGreaterEqual(len(snaps), 3)
        for fields, counts in snaps:
            for key in ("pid", "rss", "blocks", "gc_objects", "sample_ms"):
                self.assertIn(key, fields)
            self.assertGreater(float(fields["rss"]), 1e6)
            self.assertGreater(float(fields["blocks"]), 1000)
            # No filter configured: the counts add up to the objects walked.
            self.assertEqual(int(fields["gc_objects"]), sum(counts.values()))
            self.assertGreater(float(fields["sample_ms"]), 0)

    def test_no_walk_while_a_collection_runs(self):
        log = self.path("busy.log")
        res = run_py("""
import gc, json, leakagent
results = []
class Finalized:
    def __init__(self): self.me = self
    def __del__(self):
        # Runs inside gc.collect(): the collector's lists are in flux.
        results.append(leakagent.sample_now())
        try:
            leakagent.snapshot()
            results.append("snapshot ok")
        except RuntimeError as e:
            results.append(str(e))
leakagent.start(log_path=%r, interval="1h")
Finalized()
gc.collect()
stats = leakagent.stats()
leakagent.stop()
print(json.dumps({"results": results, "skipped": stats["skipped"]}))
""" % log)
        out = json.loads(res.stdout)
        self.assertEqual(out["results"][0], False)
        self.assertIn("collection is running", out["results"][1])
        self.assertGreaterEqual(out["skipped"], 1)


if __name__ == "__main__":
    unittest.main()
