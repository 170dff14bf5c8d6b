"""Leak checks for a test suite: call a function many times and fail if what
it leaves behind grows with the number of calls.

    from leakagent.testing import assert_no_growth
    assert_no_growth(lambda: parse(sample), runs=200, warmup=20)

The counts are the agent's (every object the cyclic GC tracks, by type,
through the same read-only walk as leakagent.snapshot()) plus the
``[blocks]`` gauge, sys.getallocatedblocks(): memory blocks the interpreter
handed out, which also counts what the walk cannot see, such as an int or a
str that a C extension keeps a reference to by mistake.

How it decides.  ``warmup`` calls come first and are not judged (caches
filling, first imports, interned names).  Then ``runs`` calls, measured
after a full collection at CHECKPOINTS evenly spaced points.  A series
grows when all of these hold: it grew over the runs by at least ``per_call``
(objects or blocks per call) times ``runs``; it grew in each quarter of the
runs, by at least a quarter of a quarter's share (a leak is steady: a cache
that fills, or a one-off, grows in one place); for [blocks], where the
interpreter's own caches add noise, by at least ``min_blocks`` in all; and
it does all that again over ``runs`` more calls, at half its first pace
or more (a cache that took the first runs to fill has slowed or stopped by
then, a leak has not).
"""

import gc
import sys

from . import _leakagent

__all__ = ["LeakError", "assert_no_growth", "measure"]

CHECKPOINTS = 16
QUARTERS = 4


class LeakError(AssertionError):
    """assert_no_growth() failed; `growing` maps each growing series to
    (first, last, growth per call)."""

    def __init__(self, message, growing):
        super().__init__(message)
        self.growing = growing


def measure(fn, runs=200, warmup=20):
    """Call fn() warmup times, then runs times; returns the call numbers
    (0 .. runs) and, for each, {series: count} taken after that call and a
    full collection.  The samples kept so far take memory blocks too: they
    are left out of [blocks]."""
    if runs < QUARTERS * 2 or warmup < 0:
        raise ValueError("runs must be at least %d and warmup at least 0" % (QUARTERS * 2))
    for _ in range(warmup):
        fn()
    calls = sorted(set(round(i * runs / CHECKPOINTS) for i in range(CHECKPOINTS + 1)))
    samples = [None] * len(calls)
    kept = 0            # blocks that samples[] holds
    done = 0
    for k, point in enumerate(calls):
        while done < point:
            fn()
            done += 1
        gc.collect()
        before = sys.getallocatedblocks()
        counts = _leakagent.snapshot()
        counts["[blocks]"] = before - kept
        samples[k] = counts
        kept += sys.getallocatedblocks() - before
    return calls, samples


def _grows(values, calls, runs, per_call, minimum):
    """(first, last, growth per call) if the series of values grows steadily
    enough, else None."""
    growth = values[-1] - values[0]
    if growth < max(per_call * runs, minimum):
        return None
    share = growth / QUARTERS
    for q in range(QUARTERS):
        lo = next(i for i, c in enumerate(calls) if c >= q * runs / QUARTERS)
        hi = next(i for i, c in enumerate(calls) if c >= (q + 1) * runs / QUARTERS)
        if values[hi] - values[lo] < share / 4:
            return None
    return values[0], values[-1], growth / runs


def _growing(calls, samples, runs, per_call, min_blocks, names=None):
    """{series: (first, last, growth per call)} of the series that grow in
    one measure() (among `names` if given)."""
    if names is None:
        names = set(samples[0]) | set(samples[-1])
    found = {}
    for name in names:
        values = [s.get(name, 0) for s in samples]
        minimum = min_blocks if name == "[blocks]" else 1
        verdict = _grows(values, calls, runs, per_call, minimum)
        if verdict:
            found[name] = verdict
    return found


def assert_no_growth(fn, runs=200, warmup=20, per_call=0.5, min_blocks=None):
    """Call fn() warmup + runs times; raise LeakError (an AssertionError)
    listing every series that grows with the number of calls, most per call
    first, each as "name first -> last (+x per call)".  A series that grows
    is measured over `runs` more calls and reported only if it grows there
    too, at half its pace or more: the interpreter's own caches (re's, free
    lists) fill over a few hundred calls and then stop, a leak goes on.

    per_call: the least growth per call judged a leak (0.5: one object every
    other call).  min_blocks: the least growth of [blocks] in all (default
    max(50, runs / 4)).  fn's own return value is ignored; an exception from
    fn propagates.  Returns None."""
    if min_blocks is None:
        min_blocks = max(50, runs / 4)
    calls, samples = measure(fn, runs, warmup)
    first = _growing(calls, samples, runs, per_call, min_blocks)
    if not first:
        return
    calls, samples = measure(fn, runs, 0)
    again = _growing(calls, samples, runs, per_call, min_blocks, names=set(first))
    # A leak keeps its pace; a cache filling slows down.
    growing = {name: (first[name][0], last, (last - first[name][0]) / (2 * runs))
               for name, (_, last, rate) in again.items() if rate >= first[name][2] / 2}
    if growing:
        order = sorted(growing.items(), key=lambda kv: -kv[1][2])
        lines = ["%s %d -> %d (%+.2f per call)" % (name, lo, hi, rate)
                 for name, (lo, hi, rate) in order]
        raise LeakError("%s grows with the number of calls (%d calls after %d to warm up, "
                        "and %d more):\n  %s\n(a cache that takes thousands of calls to fill "
                        "looks the same: a larger warmup tells them apart)"
                        % (getattr(fn, "__qualname__", repr(fn)), runs, warmup, runs,
                           "\n  ".join(lines)), growing)
