"""How often leakagent.testing.assert_no_growth is wrong, under the
interpreter running this: ROUNDS verdicts on each of nine clean functions
(none may fail) and ROUNDS/5 on each of two leaks (all must fail).  Not part
of make check (tests/python/test_testing.py runs a smaller set there).

    PYTHONPATH=agent/python python3 tests/bench/leakcheck_noise.py [ROUNDS=50]
"""

import collections
import ctypes
import decimal
import io
import json
import re
import sys
import time

from leakagent.testing import LeakError, assert_no_growth


class Node:
    def __init__(self, parent=None):
        self.parent, self.kids = parent, []
        if parent:
            parent.kids.append(self)


def c_json(): json.loads(json.dumps({"a": [1, 2, {"b": "x" * 10}], "n": 1.5}))
def c_re(): re.sub(r"(\w+)@(\w+)", r"\2 at \1", "mail bob@example and amy@host")
def c_fmt(): "%s-%d-%r %s" % ("x", 12345678, [1.5], f"{3.14159:.2f}{'y' * 40}")
def c_cycle(): Node(Node(Node()))
def c_dec(): decimal.Decimal("1.1") * 3
def c_sort(): sorted([str(i) for i in range(200)], key=len)
def c_io(): io.StringIO().write("x" * 1000)
def c_od(): collections.OrderedDict((str(i), i) for i in range(50))


def c_exc():
    try:
        {}["missing"]
    except KeyError as e:
        str(e)


class Thing:
    pass


KEPT = []
NEXT = [10 ** 7]
def l_object(): KEPT.append(Thing())


def l_reference():
    NEXT[0] += 1
    ctypes.pythonapi.Py_IncRef(ctypes.py_object(NEXT[0] * 3))


def verdicts(fn, n):
    wrong = []
    for _ in range(n):
        try:
            assert_no_growth(fn)
        except LeakError as e:
            wrong.append(str(e).splitlines()[1].strip())
    return wrong


def main():
    rounds = int(sys.argv[1]) if len(sys.argv) > 1 else 50
    t0 = time.monotonic()
    false = {f.__name__: verdicts(f, rounds) for f in
             (c_json, c_re, c_fmt, c_exc, c_cycle, c_dec, c_sort, c_io, c_od)}
    n_false = sum(len(v) for v in false.values())
    print("python %s: clean: %d false verdicts in %d (%.1f s) %s"
          % (sys.version.split()[0], n_false, 9 * rounds, time.monotonic() - t0,
             {k: v[0] for k, v in false.items() if v}))
    for leak in (l_object, l_reference):
        n = max(1, rounds // 5)
        print("%s: caught %d of %d" % (leak.__name__, len(verdicts(leak, n)), n))
    return 1 if n_false else 0


if __name__ == "__main__":
    sys.exit(main())
