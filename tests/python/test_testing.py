"""leakagent.testing.assert_no_growth under each interpreter: no verdict on
clean functions (50 runs of each), the leaks it must catch (an object kept
per call, by its type; a C-level reference leaked per call, seed 004's
shape, through [blocks]), a cache that fills during warm-up, and its
arguments.  Each check runs in a fresh interpreter.
"""

import json
import unittest

from lagtest import TmpDirTest, run_py

FUNCTIONS = """
import collections, ctypes, json, re, sys
from leakagent.testing import LeakError, assert_no_growth

class Node:
    def __init__(self, parent=None):
        self.parent, self.kids = parent, []
        if parent:
            parent.kids.append(self)

def clean_json():
    json.loads(json.dumps({"a": [1, 2, {"b": "x" * 10}], "n": 1.5}))
def clean_text():
    re.findall(r"(\\w+)@(\\w+)", "mail bob@example and amy@host")
    "{:>10} {:.3f} {!r}".format("x", 3.14159, [1, 2])
def clean_exception():
    try:
        {}["missing"]
    except KeyError as e:
        str(e)
def clean_cycles():
    root = Node()
    Node(Node(root))
def clean_containers():
    collections.OrderedDict((str(i), [i] * 3) for i in range(50))

class Thing:
    pass
KEPT = []
def keeps_an_object():
    KEPT.append(Thing())
NEXT = [10 ** 7]
def leaks_a_reference():
    NEXT[0] += 1
    ctypes.pythonapi.Py_IncRef(ctypes.py_object(NEXT[0] * 3))
CACHE = {}
def fills_a_cache():
    if len(CACHE) < 15:
        CACHE[len(CACHE)] = Thing()

def verdict(fn, **kw):
    try:
        assert_no_growth(fn, **kw)
        return None
    except LeakError as e:
        return {"message": str(e), "growing": {k: list(v) for k, v in e.growing.items()},
                "assertion": isinstance(e, AssertionError)}
"""


class AssertNoGrowthTest(TmpDirTest):

    def run_json(self, code):
        res = run_py(FUNCTIONS + code, timeout=300)
        return json.loads(res.stdout)

    def test_clean_functions_pass_50_times_each(self):
        out = self.run_json("""
false = {}
for fn in (clean_json, clean_text, clean_exception, clean_cycles, clean_containers):
    for _ in range(50):
        v = verdict(fn)
        if v:
            false.setdefault(fn.__name__, []).append(v["message"])
print(json.dumps(false))
""")
        self.assertEqual(out, {})

    def test_an_object_kept_per_call_is_named_with_its_rate(self):
        out = self.run_json("print(json.dumps([verdict(keeps_an_object) for _ in range(5)]))")
        for v in out:
            self.assertIsNotNone(v)
            self.assertTrue(v["assertion"])
            first, last, rate = v["growing"]["__main__.Thing"]
            self.assertEqual(rate, 1.0)
            self.assertEqual(last - first, 400)
            self.assertIn("__main__.Thing %d -> %d (+1.00 per call)" % (first, last),
                          v["message"])
            self.assertIn("keeps_an_object grows with the number of calls", v["message"])

    def test_a_leaked_c_reference_per_call_shows_in_blocks(self):
        out = self.run_json("print(json.dumps([verdict(leaks_a_reference) for _ in range(5)]))")
        for v in out:
            self.assertIsNotNone(v)
            self.assertEqual(set(v["growing"]), {"[blocks]"}, v["message"])
            self.assertGreater(v["growing"]["[blocks]"][2], 0.8, v["message"])

    def test_a_cache_filling_in_warm_up_is_not_a_leak(self):
        out = self.run_json("print(json.dumps(verdict(fills_a_cache)))")
        self.assertIsNone(out)

    def test_arguments(self):
        out = self.run_json("""
res = {"short": verdict(keeps_an_object, runs=50, warmup=0)["growing"]["__main__.Thing"][2]}
try:
    assert_no_growth(clean_json, runs=4)
except ValueError as e:
    res["too_few"] = str(e)
print(json.dumps(res))
""")
        self.assertEqual(out["short"], 1.0)
        self.assertIn("runs must be at least", out["too_few"])


if __name__ == "__main__":
    unittest.main()
