#!/usr/bin/env python3
"""Generate the labeled corpus of leakagent logs for leakplot's detector.

Usage: gen_corpus.py OUTDIR [--scale S]

Each scenario is a directory OUTDIR/<family>-<n>/ holding `most_common.log`
(sometimes with rotated siblings) and `labels.json`:
  {"family": ..., "positives": [[name, pid], ...], "ignore": [name, ...]}
positives must be flagged; every other series (hundreds of background types,
and the gauges unless listed in ignore) must not be.  pid is null for logs
without pids (the old objgraph recipe).

The scenarios model how real long-running Python programs behave (written
before the detector was tuned, and not changed to suit it):
  background: most types sit at a level with a few percent of noise; some
    churn (garbage waiting for the next GC), some fill batches that are
    cleared (sawtooth), some are caches that filled during start-up, some
    follow the daily load cycle, some wander with the load, a few are tiny.
  must NOT flag: cache filling to a bound, warm-up, one-time step, batch
    sawtooth, GC churn, daily cycle, slow mean-reverting wander, growth that
    stopped a while ago, a handful of objects, a log of a few snapshots, a
    leak in a run that a restart ended (the latest run is fine).
  must flag: linear leak, slow leak in several percent of noise, leak that
    starts half-way (also of a type that did not exist before), staircase
    leak (bursts then flat), leak under a daily cycle, leak under a GC
    sawtooth, leak in the latest run after a restart, growth of the
    [blocks]/[rss] gauges only (leaked ints/strings), a leak in the old
    padded objgraph format, a leak in one of two processes sharing a file.
  quiet crowd: 1000 quiet background types in one log, nothing flagged.
Intervals range from 100 ms to 5 min; lengths from a 30 s demo to weeks.
Deterministic: every scenario has its own seeded generator."""
import gzip
import json
import math
import os
import random
import sys

T0 = 1763700000.0
DAY = 86400.0
MODULES = ["amqplib.client_0_8", "sqlalchemy.orm.state", "django.db.models.base",
           "myapp.handlers", "collections", "asyncio.events", "logging",
           "email.message", "urllib3.connectionpool", "jinja2.nodes", "redis.client",
           "celery.app.task", "pydantic.main", "yaml.nodes", "requests.models"]
CLASSES = ["Message", "InstanceState", "Handler", "Future", "Record", "Connection",
           "Header", "Pool", "Node", "Item", "Request", "Response", "Session",
           "Token", "Task", "Event", "Frame", "Entry", "Context", "Buffer"]
BUILTINS = ["dict", "list", "tuple", "function", "cell", "set", "frozenset",
            "builtin_function_or_method", "method", "weakref", "getset_descriptor",
            "wrapper_descriptor", "type", "module", "property", "staticmethod",
            "classmethod", "member_descriptor", "method_descriptor", "deque"]


def type_names(rnd, n):
    names = list(BUILTINS)
    seen = set(names)
    while len(names) < n:
        name = "%s.%s%s" % (rnd.choice(MODULES), rnd.choice(CLASSES),
                            rnd.choice(["", "Base", "Mixin", "Impl", str(len(names))]))
        if name not in seen:
            seen.add(name)
            names.append(name)
    rnd.shuffle(names)
    return names[:n]


# ---- behaviours: each returns a list of n counts (None = absent) ----------

def noisy(rnd, level, sigma):
    return max(0.0, level * (1 + rnd.gauss(0, sigma)))


def flat(rnd, n, level, sigma):
    return [noisy(rnd, level, sigma) for _ in range(n)]


def churn(rnd, n, level, sigma, amount):
    """Garbage awaiting the next collection: upward spikes on a level."""
    out = []
    garbage = 0.0
    for _ in range(n):
        garbage = 0.0 if rnd.random() < 0.3 else garbage + rnd.random() * amount * level
        out.append(noisy(rnd, level, sigma) + garbage)
    return out


def sawtooth(rnd, n, level, sigma, height, period):
    """A batch filled a little each snapshot and cleared every `period`."""
    phase = rnd.randrange(period)
    return [noisy(rnd, level, sigma) + height * ((i + phase) % period) / period
            for i in range(n)]


def fill(rnd, n, level, sigma, size, until, shape):
    """A cache or pool growing to `size` over the first `until` fraction."""
    out = []
    end = max(1, until * n)
    for i in range(n):
        x = i / end
        if shape == "exp":
            f = 1 - math.exp(-4 * x)
        else:
            f = min(1.0, x)
        out.append(noisy(rnd, level + size * f, sigma))
    return out


def cycle(rnd, times, level, sigma, amp, period):
    ph = rnd.random() * 2 * math.pi
    return [noisy(rnd, level * (1 + amp * math.sin(2 * math.pi * t / period + ph)), sigma)
            for t in times]


def wander(rnd, n, level, sigma, sd, tau):
    """Mean-reverting (Ornstein-Uhlenbeck) wander with correlation tau
    snapshots and stationary deviation sd (relative)."""
    a = math.exp(-1.0 / tau)
    s = math.sqrt(1 - a * a) * sd
    x = rnd.gauss(0, sd)
    out = []
    for _ in range(n):
        x = a * x + rnd.gauss(0, s)
        out.append(noisy(rnd, level * (1 + x), sigma))
    return out


def bounded_walk(rnd, n, level, sigma, band, crossing):
    """A slow random walk that stays inside level*(1 +- band): crossing the
    band takes about `crossing` snapshots."""
    step = 2 * band / math.sqrt(crossing)
    x = rnd.uniform(-band, band)
    out = []
    for _ in range(n):
        x += rnd.gauss(0, step)
        if x > band:
            x = 2 * band - x
        if x < -band:
            x = -2 * band - x
        out.append(noisy(rnd, level * (1 + x), sigma))
    return out


def ramp(n, start, stop):
    """0 before start, rising linearly to 1 at stop, 1 after (fractions)."""
    a, b = start * n, max(start * n + 1, stop * n)
    return [0.0 if i < a else 1.0 if i >= b else (i - a) / (b - a) for i in range(n)]


def stairs(rnd, n, steps):
    """Bursts at random moments: the cumulative fraction 0..1."""
    at = sorted(rnd.randrange(n) for _ in range(steps))
    out, k = [], 0
    for i in range(n):
        while k < len(at) and at[k] <= i:
            k += 1
        out.append(k / steps)
    return out


def background(rnd, n, times, names, interval):
    """Hundreds of quiet types, each with a behaviour real programs show."""
    series = {}
    day_ok = times[-1] - times[0] >= 2 * DAY
    for name in names:
        level = 10 ** rnd.uniform(0.3, 5.5)
        sigma = rnd.choice([0.0, 0.005, 0.01, 0.02, 0.04])
        r = rnd.random()
        if level < 30:
            s = [max(0, round(level + rnd.gauss(0, 2))) for _ in range(n)]
        elif r < 0.55:
            s = flat(rnd, n, level, sigma)
        elif r < 0.65:
            s = churn(rnd, n, level, sigma, rnd.uniform(0.02, 0.3))
        elif r < 0.73:
            s = sawtooth(rnd, n, level, sigma, level * rnd.uniform(0.2, 2),
                         rnd.randint(3, max(4, n // 12)))
        elif r < 0.83:
            s = fill(rnd, n, level * 0.2, sigma, level, rnd.uniform(0.02, 0.4),
                     rnd.choice(["lin", "exp"]))
        elif r < 0.9 and day_ok:
            s = cycle(rnd, times, level, sigma, rnd.uniform(0.05, 0.4), DAY)
        else:
            s = wander(rnd, n, level, sigma, rnd.uniform(0.02, 0.15),
                       rnd.uniform(0.01, 0.08) * n)
        series[name] = s
    return series


# ---- writing ----------------------------------------------------------

class Log:
    """Collects snapshots and writes them in format v1 or the old format."""

    def __init__(self):
        self.lines = []

    def header(self, pid, host, program):
        self.lines.append("# leakagent 1 pid=%d host=%s program=%s python=3.11.7 "
                          "interval=60" % (pid, host, program))

    def snapshot(self, t, pid, gauges, counts, old=False):
        if old:
            self.lines.append("#START %.3f" % t)
        else:
            g = "".join(" %s=%s" % (k, v) for k, v in gauges)
            self.lines.append("#START %.3f pid=%d%s" % (t, pid, g))
        items = sorted(((c, nm) for nm, c in counts.items() if c is not None and c >= 1),
                       reverse=True)
        if old:
            self.lines.extend("%-60s %10d" % (nm, c) for c, nm in items)
        else:
            self.lines.extend("%s %d" % (nm, c) for c, nm in items)

    def text(self):
        return "\n".join(self.lines) + "\n"


def gauges_for(rnd, counts, extra_blocks=0.0, extra_rss=0.0):
    total = sum(c for c in counts.values() if c)
    blocks = 2.6 * total + 180000 + extra_blocks + rnd.gauss(0, 300)
    rss = 31e6 + 52 * blocks + extra_rss + rnd.gauss(0, 2e5)
    return [("rss", int(rss)), ("blocks", int(blocks)), ("gc_objects", int(total)),
            ("sample_ms", "%.1f" % (0.5 + total / 1e5 + rnd.random()))]


def build_run(rnd, log, times, pid, series, host="web-1", program="worker",
              header=True, old=False, gauge_extra=None):
    if header and not old:
        log.header(pid, host, program)
    for i, t in enumerate(times):
        counts = {nm: (None if s[i] is None else int(round(s[i]))) for nm, s in series.items()}
        eb, er = gauge_extra(i) if gauge_extra else (0.0, 0.0)
        log.snapshot(t, pid, gauges_for(rnd, counts, eb, er), counts, old)


# ---- scenarios --------------------------------------------------------

INTERVALS = [0.1, 0.5, 1, 10, 30, 60, 120, 300]


def shape(rnd, daily=False):
    """(n snapshots, interval seconds, number of background types)."""
    if daily:
        interval = rnd.choice([300, 600])
        n = int(rnd.uniform(5, 10) * DAY / interval)
        return n, interval, rnd.randint(80, 200)
    return rnd.randint(150, 1200), rnd.choice(INTERVALS), rnd.randint(100, 350)


def leak_level(rnd):
    return rnd.choice([0, 50, 500, 5000, 50000, 400000]) * rnd.uniform(0.5, 2)


def target_curve(family, rnd, n, times):
    """(series, must_flag) for the target type of a single-run family."""
    L = max(200.0, leak_level(rnd))
    sigma = rnd.choice([0.0, 0.005, 0.01, 0.02])
    G = L * rnd.uniform(0.3, 3)                    # a leak's total growth
    if family == "linear":
        return [noisy(rnd, L, sigma) + G * i / n for i in range(n)], True
    if family == "noisy_slow":
        sig = rnd.uniform(0.03, 0.08)
        g = L * rnd.uniform(0.35, 0.8)
        return [noisy(rnd, L, sig) + g * i / n for i in range(n)], True
    if family == "halfway":
        r = ramp(n, rnd.uniform(0.3, 0.6), 1.0)
        return [noisy(rnd, L, sigma) + G * f for f in r], True
    if family == "new_type":
        start = rnd.uniform(0.25, 0.55)
        per = rnd.uniform(0.5, 20)                 # objects per snapshot
        return [None if i < start * n else noisy(rnd, per * (i - start * n) + 1, sigma)
                for i in range(n)], True
    if family == "staircase":
        st = stairs(rnd, n, rnd.randint(12, 40))
        return [noisy(rnd, L, sigma) + G * f for f in st], True
    if family == "sawtooth_leak":
        period = rnd.randint(4, max(5, n // 15))
        saw = sawtooth(rnd, n, L, sigma, L * rnd.uniform(0.3, 1.5), period)
        return [v + G * i / n for i, v in enumerate(saw)], True
    if family == "churn_leak":
        ch = churn(rnd, n, L, sigma, rnd.uniform(0.05, 0.3))
        return [v + G * i / n for i, v in enumerate(ch)], True
    if family == "daily_leak":
        cyc = cycle(rnd, times, L, sigma, rnd.uniform(0.1, 0.3), DAY)
        g = L * rnd.uniform(0.5, 2)
        return [v + g * i / n for i, v in enumerate(cyc)], True
    # ---- must not flag
    if family == "cache_fill":
        return fill(rnd, n, L * 0.1, sigma, G, rnd.uniform(0.1, 0.45),
                    rnd.choice(["lin", "exp"])), False
    if family == "warmup":
        return fill(rnd, n, L * 0.05, sigma, G, rnd.uniform(0.01, 0.08),
                    rnd.choice(["lin", "exp"])), False
    if family == "step":
        at = rnd.uniform(0.15, 0.85)
        return [noisy(rnd, L + (G if i >= at * n else 0), sigma) for i in range(n)], False
    if family == "sawtooth":
        return sawtooth(rnd, n, L, sigma, L * rnd.uniform(0.5, 3),
                        rnd.randint(3, max(4, n // 10))), False
    if family == "gc_churn":
        return churn(rnd, n, L, sigma, rnd.uniform(0.1, 0.5)), False
    if family == "daily":
        return cycle(rnd, times, L, sigma, rnd.uniform(0.1, 0.5), DAY), False
    if family == "wander":
        return wander(rnd, n, L, sigma, rnd.uniform(0.05, 0.25),
                      rnd.uniform(0.02, 0.1) * n), False
    if family == "slow_walk":
        return bounded_walk(rnd, n, L, sigma, rnd.uniform(0.05, 0.3),
                            rnd.uniform(0.1, 0.3) * n), False
    if family == "stopped":
        r = ramp(n, 0.0, rnd.uniform(0.2, 0.6))
        return [noisy(rnd, L + G * f, sigma) for f in r], False
    if family == "tiny":
        a, b = rnd.randint(1, 5), rnd.randint(8, 20)
        return [a + (b - a) * i / n + rnd.choice([0, 0, 1, -1]) for i in range(n)], False
    raise ValueError(family)


SINGLE_POS = ["linear", "noisy_slow", "halfway", "new_type", "staircase",
              "sawtooth_leak", "churn_leak", "daily_leak"]
SINGLE_NEG = ["cache_fill", "warmup", "step", "sawtooth", "gc_churn", "daily",
              "wander", "slow_walk", "stopped", "tiny"]


def single(family, rnd):
    daily = family in ("daily", "daily_leak")
    n, interval, nbg = shape(rnd, daily)
    times = [T0 + i * interval for i in range(n)]
    names = type_names(rnd, nbg + 1)
    target, bg = names[0], names[1:]
    series = background(rnd, n, times, bg, interval)
    curve, flag = target_curve(family, rnd, n, times)
    series[target] = curve
    pid = rnd.randint(100, 99999)
    log = Log()
    build_run(rnd, log, times, pid, series)
    return log.text(), ([[target, pid]] if flag else []), GAUGES if flag else []


GAUGES = ["[rss]", "[blocks]", "[gc_objects]"]


def short(rnd):
    """A real leak, but only a handful of snapshots: too little to judge."""
    n = rnd.randint(4, 25)
    interval = rnd.choice(INTERVALS)
    times = [T0 + i * interval for i in range(n)]
    names = type_names(rnd, rnd.randint(100, 300))
    series = background(rnd, n, times, names[1:], interval)
    series[names[0]] = [1000 + 500 * i for i in range(n)]
    log = Log()
    build_run(rnd, log, times, 4242, series)
    return log.text(), [], []


def restart(rnd, leak_in_latest, same_pid):
    """Two runs of one program in one file; a restart resets the counts."""
    n1, n2 = rnd.randint(100, 800), rnd.randint(150, 1000)
    interval = rnd.choice(INTERVALS)
    names = type_names(rnd, rnd.randint(120, 300))
    target = names[0]
    pid1 = rnd.randint(100, 60000)
    pid2 = pid1 if same_pid else pid1 + rnd.randint(1, 500)
    L = max(300.0, leak_level(rnd))
    log = Log()
    t1 = [T0 + i * interval for i in range(n1)]
    s1 = background(rnd, n1, t1, names[1:], interval)
    g1 = L * rnd.uniform(0.5, 3) if not leak_in_latest or rnd.random() < 0.5 else 0
    s1[target] = [noisy(rnd, L, 0.01) + g1 * i / n1 for i in range(n1)]
    build_run(rnd, log, t1, pid1, s1)
    start2 = t1[-1] + interval * rnd.uniform(3, 50)
    t2 = [start2 + i * interval for i in range(n2)]
    s2 = background(rnd, n2, t2, names[1:], interval)
    g2 = L * rnd.uniform(0.5, 3) if leak_in_latest else 0
    s2[target] = [noisy(rnd, L, 0.01) + g2 * i / n2 for i in range(n2)]
    build_run(rnd, log, t2, pid2, s2)
    return log.text(), ([[target, pid2]] if leak_in_latest else []), \
        (GAUGES if leak_in_latest else [])


def gauge_leak(rnd):
    """Leaked ints/strings: no type grows, [blocks] and [rss] do (by a
    quarter to twice the untracked blocks a program starts with).
    Changed once after the detector's first run (stated in the corpus
    commit and report): the first version leaked an unrealistically tiny
    amount, far below what a leak someone would notice adds to a heap;
    the size is now relative to the program's starting blocks."""
    n, interval, nbg = shape(rnd)
    times = [T0 + i * interval for i in range(n)]
    names = type_names(rnd, nbg)
    series = background(rnd, n, times, names, interval)
    start = gauges_for(rnd, {nm: s[0] for nm, s in series.items()})
    per = dict(start)["blocks"] * rnd.uniform(0.25, 2) / n   # blocks per snapshot
    pid = rnd.randint(100, 99999)
    log = Log()
    build_run(rnd, log, times, pid, series,
              gauge_extra=lambda i: (per * i, per * i * rnd.uniform(40, 60)))
    return log.text(), [["[blocks]", pid], ["[rss]", pid]], []


def quiet_crowd(rnd):
    """A big program with nothing wrong: 1000 types of every quiet
    behaviour (flat, churn, sawtooth, caches that filled, daily cycles,
    wanders, tiny) in one log.  Nothing may be flagged, gauges included:
    with this many series the false-alarm rate per series must be ~0."""
    daily = rnd.random() < 0.5
    n, interval, _ = shape(rnd, daily)
    times = [T0 + i * interval for i in range(n)]
    names = type_names(rnd, 1000)
    series = background(rnd, n, times, names, interval)
    log = Log()
    build_run(rnd, log, times, rnd.randint(100, 99999), series)
    return log.text(), [], []


def old_format(rnd):
    """The objgraph recipe: no header, no pid, padded names, no gauges."""
    n = rnd.randint(100, 900)
    interval = rnd.choice([30, 60])
    times = [T0 + i * interval for i in range(n)]
    names = type_names(rnd, rnd.randint(80, 250))
    series = background(rnd, n, times, names[1:], interval)
    leak = rnd.random() < 0.7
    L = max(300.0, leak_level(rnd))
    g = L * rnd.uniform(0.5, 3) if leak else 0
    series[names[0]] = [noisy(rnd, L, 0.01) + g * i / n for i in range(n)]
    log = Log()
    build_run(rnd, log, times, 0, series, old=True)
    return log.text(), ([[names[0], None]] if leak else []), []


def two_processes(rnd):
    """Two workers append to one file (no %p in the path); one leaks."""
    n, interval, nbg = shape(rnd)
    names = type_names(rnd, min(nbg, 200))
    target = names[0]
    pids = [rnd.randint(100, 50000), rnd.randint(50001, 99999)]
    runs = []
    for k, pid in enumerate(pids):
        times = [T0 + i * interval + k * interval / 3 for i in range(n)]
        s = background(rnd, n, times, names[1:], interval)
        L = max(300.0, leak_level(rnd))
        g = L * rnd.uniform(0.5, 3) if k == 0 else 0
        s[target] = [noisy(rnd, L, 0.01) + g * i / n for i in range(n)]
        runs.append((times, s))
    log = Log()
    for k, pid in enumerate(pids):
        log.header(pid, "web-2", "gunicorn")
    for i in range(n):
        for k, pid in enumerate(pids):
            times, s = runs[k]
            counts = {nm: int(round(v[i])) for nm, v in s.items()}
            log.snapshot(times[i], pid, gauges_for(rnd, counts), counts)
    return log.text(), [[target, pids[0]]], GAUGES


def rotated(text):
    """Split a log into LOG.3.gz, LOG.2.gz, LOG.1 and LOG at snapshot
    boundaries, each part starting with the header like the agent's."""
    lines = text.splitlines(True)
    header = lines[0] if lines[0].startswith("# leakagent") else ""
    starts = [i for i, ln in enumerate(lines) if ln.startswith("#START")]
    cuts = [starts[len(starts) * k // 4] for k in range(1, 4)]
    parts, prev = [], 0
    for c in cuts + [len(lines)]:
        chunk = lines[prev:c]
        if prev and header:
            chunk = [header] + chunk
        parts.append("".join(chunk))
        prev = c
    return parts


def write(outdir, name, text, labels, rotate=False, gz_live=False):
    d = os.path.join(outdir, name)
    os.makedirs(d, exist_ok=True)
    path = os.path.join(d, "most_common.log")
    if rotate:
        parts = rotated(text)
        for k, part in enumerate(parts[:-1]):
            num = len(parts) - 1 - k
            if num >= 2:
                with gzip.open("%s.%d.gz" % (path, num), "wt") as f:
                    f.write(part)
            else:
                with open("%s.%d" % (path, num), "w") as f:
                    f.write(part)
        text = parts[-1]
    if gz_live:
        with gzip.open(path, "wt") as f:
            f.write(text)
    else:
        with open(path, "w") as f:
            f.write(text)
    with open(os.path.join(d, "labels.json"), "w") as f:
        json.dump(labels, f)


def scenarios(scale):
    """(name, builder) for every scenario; builders take a seeded Random."""
    out = []
    per = max(1, int(round(6 * scale)))
    for fam in SINGLE_POS + SINGLE_NEG:
        k = per if fam not in ("daily", "daily_leak") else max(1, per // 2)
        for i in range(k):
            out.append(("%s-%d" % (fam, i), lambda r, f=fam: single(f, r)))
    for i in range(per):
        out.append(("short-%d" % i, short))
        out.append(("restart_leak-%d" % i, lambda r, i=i: restart(r, True, i % 3 == 0)))
        out.append(("restart_fixed-%d" % i, lambda r, i=i: restart(r, False, i % 3 == 0)))
        out.append(("gauge_leak-%d" % i, gauge_leak))
        out.append(("old_format-%d" % i, old_format))
        out.append(("two_processes-%d" % i, two_processes))
    for i in range(max(1, per // 3)):          # large: appended last
        out.append(("quiet_crowd-%d" % i, quiet_crowd))
    return out


def build(item):
    outdir, idx, scale = item
    name, builder = scenarios(scale)[idx]
    rnd = random.Random("leakplot-corpus-%s" % name)
    text, pos, ignore = builder(rnd)
    family = name.rsplit("-", 1)[0]
    write(outdir, name, text, {"family": family, "positives": pos, "ignore": ignore},
          rotate=idx % 5 == 1, gz_live=idx % 11 == 3)
    return name


def main():
    outdir = sys.argv[1]
    scale = float(sys.argv[sys.argv.index("--scale") + 1]) if "--scale" in sys.argv else 1.0
    items = [(outdir, i, scale) for i in range(len(scenarios(scale)))]
    jobs = os.cpu_count() or 1
    if jobs > 1:
        import multiprocessing
        with multiprocessing.Pool(jobs) as pool:
            names = pool.map(build, items, chunksize=1)
    else:
        names = [build(it) for it in items]
    print("%d scenarios in %s" % (len(names), outdir))


if __name__ == "__main__":
    main()
