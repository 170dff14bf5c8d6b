#!/usr/bin/env python3
"""The detector's second labeled corpus: logs of a service's world.

Usage: gen_corpus2.py OUTDIR [--scale S] [--half tune|heldout|all]

Written before the detector v2 was tuned, from how a production Python
service lives rather than from the detector's rules: the first corpus
(gen_corpus.py) was built together with the first detector and scored 1.0
while it missed leaks on logs it had never seen.

The world.  A program (host, name) runs for days.  Its traffic follows the
day (a peak in the afternoon, a trough at night, +-20-60%) and the week
(weekends lighter), with noise, and sometimes pauses (maintenance, a batch
source gone quiet).  Deploys restart it every 6-40 hours; web workers are
recycled after max_requests requests (gunicorn, uWSGI), so a worker's run
lasts longer at night.  Every restart resets the counts.  Its types:
  static      modules, functions, classes: flat, tiny noise;
  request     objects alive while requests are in flight: follow the load;
  garbage     cyclic garbage between collections: a GC sawtooth on a level;
  cache       a cache filled by requests up to a bound (concave);
  lru         a bounded LRU: fills linearly to its size, then flat;
  session     sessions with a TTL: the load averaged over the TTL;
  walk        a bounded random walk; ar1: AR(1) wander;
  jump        one configuration reload: a step, then flat;
  stopped     grew with requests until a feature was switched off;
  tiny        a handful of objects.
A leak keeps a fraction of requests' objects: its count rises with the
cumulative requests of the run (faster by day, not at all in a pause), at a
rate given in percent a day of the type's level (slow: 0.5-5 %/day) or as
objects per request (fast).  Gauges ([rss], [blocks], [gc_objects],
[sample_ms]) are derived from the counts as the agent's are.

Each scenario is OUTDIR/<family>-<n>/ with most_common.log (maybe rotated
siblings, gzip) and labels.json:
  {"family", "half", "positives": [[name, pid]], "ignore": [names],
   "quiet_series": number of series that must not be flagged}
positives must be GROWING; names in ignore may go either way; every other
series must not be GROWING.  "half" is the deterministic split by the
scenario's seed (a hash): the detector is tuned on "tune" only and scored
on "heldout".  Deterministic: each scenario has its own seeded generator."""
import gzip
import hashlib
import json
import math
import os
import random
import sys

T0 = 1763683200.0           # a Sunday 00:00 UTC
HOUR = 3600.0
DAY = 86400.0
GAUGES = ["[rss]", "[blocks]", "[gc_objects]", "[sample_ms]"]

MODULES = ["shop.orders", "shop.cart", "api.views", "api.serializers", "billing.invoice",
           "sqlalchemy.orm.state", "sqlalchemy.engine.row", "django.db.models.base",
           "redis.connection", "kombu.message", "celery.app.task", "jinja2.runtime",
           "requests.models", "urllib3.response", "grpc._channel", "pydantic.main",
           "asyncio.events", "logging", "email.message", "werkzeug.datastructures"]
CLASSES = ["Order", "Cart", "Line", "Invoice", "Row", "State", "Message", "Task",
           "Context", "Response", "Request", "Headers", "Channel", "Model", "Handle",
           "Record", "Event", "Frame", "Token", "Entry", "Span", "Batch", "Cursor"]
BUILTINS = ["dict", "list", "tuple", "function", "cell", "set", "frozenset", "str",
            "builtin_function_or_method", "method", "weakref", "getset_descriptor",
            "wrapper_descriptor", "type", "module", "property", "member_descriptor",
            "method_descriptor", "deque", "bytes", "coroutine", "frame", "traceback"]


def half_of(seed):
    """The split: the parity of the seed's hash, fixed before any tuning."""
    return "tune" if hashlib.sha256(seed.encode()).digest()[0] % 2 == 0 else "heldout"


def type_names(rnd, n):
    names = list(BUILTINS)
    rnd.shuffle(names)
    seen = set(names)
    while len(names) < n:
        name = "%s.%s%s" % (rnd.choice(MODULES), rnd.choice(CLASSES),
                            rnd.choice(["", "Proxy", "Base", "Impl", str(len(names))]))
        if name not in seen:
            seen.add(name)
            names.append(name)
    return names[:n]


# ---- the world --------------------------------------------------------

class Traffic:
    """Requests per second at time t: day, week, noise, pauses."""

    def __init__(self, rnd, rate, pauses=()):
        self.rate = rate
        self.day_amp = rnd.uniform(0.2, 0.6)
        self.peak = rnd.uniform(11, 17) * HOUR
        self.weekend = rnd.uniform(0.55, 0.95)
        self.pauses = list(pauses)
        self.rnd = rnd

    def load(self, t):
        """Relative load (mean ~1), without noise."""
        d = 1 + self.day_amp * math.cos(2 * math.pi * ((t - T0) - self.peak) / DAY)
        dow = int(((t - T0) // DAY) % 7)
        w = self.weekend if dow in (0, 6) else 1.0
        for a, b in self.pauses:
            if a <= t < b:
                return 0.0
        return d * w

    def requests(self, times):
        """Requests served in each interval, noisy (Poisson-like)."""
        out = []
        for i, t in enumerate(times):
            dt = times[i] - times[i - 1] if i else (times[1] - times[0] if len(times) > 1 else 1)
            lam = self.rate * self.load(t) * dt
            out.append(max(0.0, lam + self.rnd.gauss(0, math.sqrt(lam + 1e-9))))
        return out


def noisy(rnd, v, sigma):
    return max(0.0, v * (1 + rnd.gauss(0, sigma)))


def behaviour(rnd, kind, times, req, load, level, sigma):
    """One quiet type's counts over one run."""
    n = len(times)
    cum = 0.0
    out = []
    if kind == "static":
        return [noisy(rnd, level, sigma * 0.2) for _ in range(n)]
    if kind == "tiny":
        base = rnd.randint(1, 12)
        return [max(0, base + rnd.choice([0, 0, 0, 1, -1])) for _ in range(n)]
    if kind == "request":
        floor = rnd.uniform(0.1, 0.5)
        return [noisy(rnd, level * (floor + (1 - floor) * load[i]), sigma) for i in range(n)]
    if kind == "garbage":
        height = rnd.uniform(0.03, 0.6) * level
        every = rnd.randint(3, 40)
        g = 0.0
        for i in range(n):
            g = 0.0 if i % every == 0 or rnd.random() < 0.02 else g + height / every
            out.append(noisy(rnd, level, sigma) + g)
        return out
    if kind == "cache":
        cap = level * rnd.uniform(0.5, 3)
        k = sum(req) * rnd.uniform(0.01, 0.3) + 1
        for i in range(n):
            cum += req[i]
            out.append(noisy(rnd, level * 0.1 + cap * (1 - math.exp(-cum / k)), sigma))
        return out
    if kind == "lru":
        cap = level * rnd.uniform(0.5, 3)
        per = cap / (sum(req) * rnd.uniform(0.02, 0.35) + 1)
        for i in range(n):
            cum += req[i]
            out.append(noisy(rnd, level * 0.1 + min(cap, per * cum), sigma))
        return out
    if kind == "session":
        ttl = rnd.randint(5, 60)
        acc = 0.0
        a = 1.0 / ttl
        for i in range(n):
            acc = (1 - a) * acc + a * load[i]
            out.append(noisy(rnd, level * (0.2 + acc), sigma))
        return out
    if kind == "walk":
        band = rnd.uniform(0.03, 0.25)
        step = 2 * band / math.sqrt(rnd.uniform(0.05, 0.4) * n + 1)
        x = rnd.uniform(-band, band)
        for _ in range(n):
            x += rnd.gauss(0, step)
            x = 2 * band - x if x > band else -2 * band - x if x < -band else x
            out.append(noisy(rnd, level * (1 + x), sigma))
        return out
    if kind == "ar1":
        phi = rnd.uniform(0.8, 0.995)
        sd = rnd.uniform(0.02, 0.15)
        x = rnd.gauss(0, sd)
        for _ in range(n):
            x = phi * x + rnd.gauss(0, sd * math.sqrt(1 - phi * phi))
            out.append(noisy(rnd, level * (1 + x), sigma))
        return out
    if kind == "jump":
        at = rnd.uniform(0.1, 0.9) * n
        size = level * rnd.uniform(0.2, 3)
        return [noisy(rnd, level + (size if i >= at else 0), sigma) for i in range(n)]
    if kind == "stopped":
        stop = rnd.uniform(0.15, 0.6) * n
        per = level * rnd.uniform(0.3, 3) / (sum(req[:int(stop) + 1]) + 1)
        for i in range(n):
            if i < stop:
                cum += req[i]
            out.append(noisy(rnd, level + per * cum, sigma))
        return out
    raise ValueError(kind)


QUIET_KINDS = [("static", 30), ("request", 20), ("garbage", 12), ("cache", 8), ("lru", 5),
               ("session", 5), ("walk", 6), ("ar1", 6), ("jump", 3), ("stopped", 2),
               ("tiny", 8)]


def pick_kind(rnd):
    r = rnd.uniform(0, sum(w for _, w in QUIET_KINDS))
    for k, w in QUIET_KINDS:
        r -= w
        if r <= 0:
            return k
    return "static"


class TypeSpec:
    """A type across runs: its level and behaviour are the program's, so
    every run of the program shows the same kind of curve."""

    def __init__(self, rnd, name, kind=None):
        self.name = name
        self.kind = kind or pick_kind(rnd)
        self.level = 10 ** rnd.uniform(1.3, 5.3)
        self.sigma = rnd.choice([0.0, 0.002, 0.005, 0.01, 0.02, 0.04])
        self.seed = rnd.random()


def leak_curve(rnd, base, times, req, pct_day=None, per_request=None, start=0.0):
    """A leak on top of base: proportional to the run's cumulative requests.
    pct_day: growth of the type's level in percent a day at mean load."""
    n = len(times)
    if pct_day is not None:
        level = sum(base) / max(1, len(base))
        span = max(times[-1] - times[0], 1.0)
        per_request = level * pct_day / 100.0 * (span / DAY) / (sum(req) + 1)
    cum = 0.0
    out = []
    for i in range(n):
        if i >= start * n:
            cum += req[i]
        out.append(base[i] + per_request * cum)
    return out


# ---- a run and a log --------------------------------------------------

class Run:
    def __init__(self, pid, times, counts, start, host="web-1", program="shop"):
        self.pid, self.times, self.counts = pid, times, counts      # counts: name -> list
        self.start, self.host, self.program = start, host, program


def gauges(rnd, counts_at):
    total = sum(c for c in counts_at.values() if c)
    blocks = 2.6 * total + 200000 + rnd.gauss(0, 200)
    rss = 40e6 + 48 * blocks + rnd.gauss(0, 1.5e5)
    return "rss=%d blocks=%d gc_objects=%d sample_ms=%.1f" % (
        rss, blocks, total, 0.4 + total / 1e5 + rnd.random() * 0.5)


def header(run, with_start):
    return "# leakagent 1 pid=%d host=%s program=%s python=3.12.3 interval=60%s" % (
        run.pid, run.host, run.program, " start=%.2f" % run.start if with_start else "")


def events(rnd, runs, gauge_extra=None):
    """(time, run, row) for every snapshot of every run, in time order."""
    ev = [(t, k, i) for k, r in enumerate(runs) for i, t in enumerate(r.times)]
    ev.sort()
    return ev


def snapshot_lines(rnd, run, i, extra_blocks=0.0, old=False):
    counts = {nm: int(round(s[i])) for nm, s in run.counts.items()
              if s[i] is not None and s[i] >= 0.5}
    if old:
        out = ["#START %.3f" % run.times[i]]
        names = sorted(counts, key=lambda nm: -counts[nm])
        out.extend("%-40s %8d" % (nm.rsplit(".", 1)[-1], counts[nm]) for nm in names)
        return out
    g = gauges(rnd, counts)
    if extra_blocks:
        parts = dict(kv.split("=") for kv in g.split())
        parts["blocks"] = str(int(float(parts["blocks"]) + extra_blocks))
        parts["rss"] = str(int(float(parts["rss"]) + 48 * extra_blocks))
        g = " ".join("%s=%s" % kv for kv in parts.items())
    out = ["#START %.3f pid=%d %s" % (run.times[i], run.pid, g)]
    out.extend("%s %d" % (nm, c) for nm, c in sorted(counts.items(), key=lambda x: -x[1]))
    return out


def write_log(rnd, d, runs, with_start=True, files=1, gz_live=False, old=False,
              gauge_extra=None):
    """Write the runs' snapshots in time order into most_common.log, cut
    into `files` files as the agent rotates: every process writes its
    header again before its first snapshot in each new file."""
    ev = events(rnd, runs)
    cuts = set(len(ev) * k // files for k in range(1, files))
    parts, lines, seen = [], [], set()
    for j, (t, k, i) in enumerate(ev):
        if j in cuts:
            parts.append(lines)
            lines, seen = [], set()
        if not old and k not in seen:
            seen.add(k)
            lines.append(header(runs[k], with_start))
        eb = gauge_extra(runs[k], i) if gauge_extra else 0.0
        lines.extend(snapshot_lines(rnd, runs[k], i, eb, old))
    parts.append(lines)
    path = os.path.join(d, "most_common.log")
    for p, lines in enumerate(parts):
        num = len(parts) - 1 - p
        text = "\n".join(lines) + "\n"
        name = path if num == 0 else "%s.%d%s" % (path, num, ".gz" if num >= 2 else "")
        if name.endswith(".gz") or (num == 0 and gz_live):
            with gzip.open(name, "wt") as f:
                f.write(text)
        else:
            with open(name, "w") as f:
                f.write(text)


def run_counts(rnd, specs, times, traffic, req=None):
    """Counts of every spec over one run (a fresh process: counts start over)."""
    req = req if req is not None else traffic.requests(times)
    mean = sum(traffic.load(t) for t in times) / len(times) or 1.0
    load = [traffic.load(t) / max(mean, 1e-9) for t in times]
    out = {}
    for s in specs:
        sub = random.Random("%s-%f-%f" % (s.name, s.seed, times[0]))
        out[s.name] = behaviour(sub, s.kind, times, req, load, s.level, s.sigma)
    return out, req


def deploy_times(rnd, t0, t1, every_h):
    """Restart moments: deploys every every_h hours on average."""
    out, t = [], t0
    while True:
        t += rnd.uniform(0.5, 1.5) * every_h * HOUR
        if t >= t1:
            return out
        out.append(t)


def grid(t0, t1, interval, rnd):
    n = int((t1 - t0) / interval)
    return [t0 + i * interval + rnd.uniform(0, 0.01 * interval) for i in range(n)]


# ---- scenario families ------------------------------------------------

SPECS = []                  # the scenario being built's types, for labels' "kinds"


def base_program(rnd, n_types, rate=None):
    names = type_names(rnd, n_types)
    specs = [TypeSpec(rnd, nm) for nm in names]
    SPECS[:] = specs
    return specs, Traffic(rnd, rate or rnd.uniform(5, 200))


def deployed(rnd, specs, traffic, t0, t1, interval, every_h, pid0=None, start_pid=None,
             leak=None):
    """Runs of one program restarted by deploys.  leak(run_index, n_runs,
    times, req, counts) may add a leak to a run's counts."""
    cuts = [t0] + deploy_times(rnd, t0, t1, every_h) + [t1]
    runs = []
    pid = start_pid or rnd.randint(1000, 60000)
    same = rnd.random() < 0.15                  # a container: pid 1 every time
    for k in range(len(cuts) - 1):
        times = grid(cuts[k] + rnd.uniform(5, 60), cuts[k + 1], interval, rnd)
        if len(times) < 2:
            continue
        counts, req = run_counts(rnd, specs, times, traffic)
        if leak:
            leak(len(runs), len(cuts) - 1, times, req, counts)
        p = 1 if same else pid
        runs.append(Run(p, times, counts, times[0] - rnd.uniform(1, 5)))
        pid += rnd.randint(3, 400)
    return runs


def quiet_days(rnd):
    """A service over days: cycles, deploys, every quiet behaviour."""
    specs, traffic = base_program(rnd, rnd.randint(80, 160))
    days = rnd.uniform(3, 12)
    interval = rnd.choice([120, 300, 300, 600]) if days > 4 else rnd.choice([60, 120, 300])
    runs = deployed(rnd, specs, traffic, T0, T0 + days * DAY, interval, rnd.uniform(10, 72))
    return runs, [], {}


def quiet_pauses(rnd):
    """A consumer whose source goes quiet for hours now and then."""
    t1 = T0 + rnd.uniform(2, 6) * DAY
    pauses = []
    t = T0 + rnd.uniform(4, 20) * HOUR
    while t < t1:
        pauses.append((t, t + rnd.uniform(1, 8) * HOUR))
        t += rnd.uniform(10, 40) * HOUR
    names = type_names(rnd, rnd.randint(80, 180))
    specs = [TypeSpec(rnd, nm) for nm in names]
    SPECS[:] = specs
    traffic = Traffic(rnd, rnd.uniform(5, 100), pauses)
    runs = deployed(rnd, specs, traffic, T0, t1, rnd.choice([120, 300]), 1e9)
    return runs, [], {}


def recycled(rnd, leak_pct=None, leak_fast=False):
    """gunicorn workers sharing one log, each recycled after max_requests
    (a new pid): a worker's run is short by day, long at night."""
    specs, traffic = base_program(rnd, rnd.randint(50, 100), rate=rnd.uniform(2, 20))
    workers = rnd.randint(2, 4)
    interval = rnd.choice([30, 60, 120])
    t1 = T0 + rnd.uniform(0.5, 1.5) * DAY
    max_req = rnd.uniform(0.5, 3) * traffic.rate * 6 * HOUR
    leaky = specs[0]
    runs, pid, positives = [], rnd.randint(2000, 30000), []
    for w in range(workers):
        t = T0 + w * interval / workers
        last = None
        while t < t1:
            times, served, tt = [], 0.0, t
            while tt < t1 and served < max_req:
                times.append(tt)
                served += traffic.rate * traffic.load(tt) * interval
                tt += interval
            if len(times) >= 2:
                counts, req = run_counts(rnd, specs, times, traffic)
                if leak_fast and w == 0:     # a run keeps 0.3-3x the type's level
                    per = leaky.level * rnd.uniform(0.3, 3) / max_req
                    counts[leaky.name] = leak_curve(rnd, counts[leaky.name], times, req,
                                                    per_request=per)
                runs.append(Run(pid, times, counts, times[0] - 2, program="gunicorn"))
                last = runs[-1]
            pid += rnd.randint(1, 50)
            t = tt + rnd.uniform(1, 5)
        if leak_fast and w == 0 and last is not None:
            positives.append([leaky.name, last.pid])
    return runs, positives, {"files": rnd.choice([1, 2, 3])}


def slow_leak(rnd):
    """A large population leaking 0.5-5 %/day for days, under the day's
    cycle and the GC's sawtooth (class 1 of issue 14, randomised)."""
    specs, traffic = base_program(rnd, rnd.randint(80, 200))
    pct = rnd.uniform(0.5, 5)
    days = max(rnd.uniform(2, 8), 3.0 / pct)
    interval = rnd.choice([60, 300, 300]) if days < 3 else rnd.choice([300, 600])
    target = specs[0]
    target.level = 10 ** rnd.uniform(3.5, 6.3)
    target.kind = rnd.choice(["static", "garbage", "request"])
    target.sigma = rnd.choice([0.002, 0.005, 0.01, 0.015])
    t1 = T0 + days * DAY
    times = grid(T0, t1, interval, rnd)
    counts, req = run_counts(rnd, specs, times, traffic)
    counts[target.name] = leak_curve(rnd, counts[target.name], times, req, pct_day=pct)
    run = Run(rnd.randint(1000, 60000), times, counts, T0 - 3)
    return [run], [[target.name, run.pid]], {}


def daily_leak(rnd):
    """A request-scoped type that also keeps some (class 2, randomised):
    the leak grows 1.5-5x over 2-5 days under a +-20-40% daily swing."""
    specs, traffic = base_program(rnd, rnd.randint(80, 200))
    target = specs[0]
    target.kind = "request"
    target.level = 10 ** rnd.uniform(2.5, 5)
    t1 = T0 + rnd.uniform(2, 5) * DAY
    times = grid(T0, t1, rnd.choice([120, 300]), rnd)
    counts, req = run_counts(rnd, specs, times, traffic)
    base = counts[target.name]
    total = sum(req) + 1
    per = target.level * rnd.uniform(0.5, 4) / total
    counts[target.name] = leak_curve(rnd, base, times, req, per_request=per)
    run = Run(rnd.randint(1000, 60000), times, counts, T0 - 3)
    return [run], [[target.name, run.pid]], {}


def restarts_leak(rnd, fixed=False):
    """Deploys every 12-30 h; a type grows 3-12 % in every run.  The newest
    run is 2-6 h old (flagged from the runs before it), or, when the deploy
    fixed it, 12-40 h long and flat."""
    specs, traffic = base_program(rnd, rnd.randint(80, 180))
    target = specs[0]
    target.kind = rnd.choice(["static", "garbage"])
    target.level = 10 ** rnd.uniform(2.7, 5.5)
    every = rnd.uniform(12, 30)
    n_runs = rnd.randint(4, 6)
    interval = rnd.choice([120, 300])
    runs, pid, t = [], rnd.randint(1000, 60000), T0
    pct = rnd.uniform(3, 12)
    for k in range(n_runs):
        last = k == n_runs - 1
        hours = (rnd.uniform(12, 40) if fixed else rnd.uniform(2, 6)) if last else \
            every * rnd.uniform(0.8, 1.2)
        times = grid(t, t + hours * HOUR, interval, rnd)
        counts, req = run_counts(rnd, specs, times, traffic)
        if not (last and fixed):
            g = pct * rnd.uniform(0.8, 1.2) * hours / every
            counts[target.name] = leak_curve(rnd, counts[target.name], times, req,
                                             pct_day=g * DAY / (hours * HOUR))
        runs.append(Run(pid, times, counts, t - 2))
        pid += rnd.randint(5, 900)
        t += hours * HOUR + rnd.uniform(20, 300)
    pos = [] if fixed else [[target.name, runs[-1].pid]]
    return runs, pos, {}


def fast_short(rnd):
    """A fast leak seen for 1-8 hours: far beyond any cycle's swing (the
    count at least doubles)."""
    specs, traffic = base_program(rnd, rnd.randint(80, 200))
    target = specs[0]
    target.kind = rnd.choice(["static", "request", "garbage"])
    target.level = 10 ** rnd.uniform(1.5, 4.5)
    hours = rnd.uniform(1, 8)
    t0 = T0 + rnd.uniform(0, 6) * DAY
    times = grid(t0, t0 + hours * HOUR, rnd.choice([10, 30, 60]), rnd)
    counts, req = run_counts(rnd, specs, times, traffic)
    per = target.level * rnd.uniform(1, 20) / (sum(req) + 1)
    counts[target.name] = leak_curve(rnd, counts[target.name], times, req, per_request=per)
    run = Run(rnd.randint(1000, 60000), times, counts, t0 - 3)
    return [run], [[target.name, run.pid]], {}


def short_quiet(rnd):
    """6-20 hours of a quiet service: request-driven types rise with the
    morning load exactly like a leak would (class 7): not GROWING."""
    specs, traffic = base_program(rnd, rnd.randint(80, 200))
    hours = rnd.uniform(6, 20)
    t0 = T0 + rnd.uniform(1, 5) * DAY + rnd.uniform(0, 24) * HOUR
    times = grid(t0, t0 + hours * HOUR, rnd.choice([30, 60, 120]), rnd)
    counts, _ = run_counts(rnd, specs, times, traffic)
    return [Run(rnd.randint(1000, 60000), times, counts, t0 - 3)], [], {}


def gauge_leak(rnd):
    """Leaked ints and strings: only [blocks] and [rss] grow, 3-30 %/day."""
    specs, traffic = base_program(rnd, rnd.randint(60, 150))
    days = rnd.uniform(1, 5)
    times = grid(T0, T0 + days * DAY, rnd.choice([60, 300]), rnd)
    counts, req = run_counts(rnd, specs, times, traffic)
    run = Run(rnd.randint(1000, 60000), times, counts, T0 - 3)
    total0 = sum(s[0] or 0 for s in counts.values())
    start_blocks = 2.6 * total0 + 200000
    pct = rnd.uniform(3, 30)
    cum = [0.0]
    for r in req[1:]:
        cum.append(cum[-1] + r)
    scale = start_blocks * pct / 100 * days / (cum[-1] + 1)
    return [run], [["[blocks]", run.pid], ["[rss]", run.pid]], \
        {"gauge_extra": lambda r, i: scale * cum[i]}


def crowd(rnd, leak):
    """Many short worker runs in one set of logs (~2,000 series), each
    60-90 snapshots; with leak, one worker's type rises strictly (class 4)."""
    n_workers = rnd.randint(12, 20)
    specs, traffic = base_program(rnd, 2000 // n_workers + 10, rate=rnd.uniform(5, 50))
    runs, pos = [], []
    t0 = T0 + rnd.uniform(0, 3) * DAY
    interval = rnd.choice([1, 5, 10])
    for w in range(n_workers):
        n = rnd.randint(60, 90)
        times = [t0 + w * 0.1 + i * interval for i in range(n)]
        counts, req = run_counts(rnd, specs, times, traffic)
        if leak and w == 0:
            lo, hi = rnd.uniform(10, 50), rnd.uniform(1000, 6000)
            counts[specs[0].name] = [lo + (hi - lo) * (i / (n - 1)) ** rnd.uniform(0.8, 1.2)
                                     for i in range(n)]
            pos.append([specs[0].name, 40000 + w])
        runs.append(Run(40000 + w, times, counts, t0 - 2, program="uwsgi"))
    return runs, pos, {"files": rnd.choice([1, 2])}


def shared_rotated(rnd):
    """Several processes share one log (no %p), rotated into 3-5 files;
    one worker leaks (class 6)."""
    specs, traffic = base_program(rnd, rnd.randint(60, 120))
    n_proc = rnd.randint(2, 4)
    interval = rnd.choice([1, 10, 60])
    n = rnd.randint(60, 600)
    t0 = T0 + rnd.uniform(0, 3) * DAY
    runs, pos = [], []
    target = specs[0]
    for k in range(n_proc):
        times = [t0 + k * interval / n_proc + i * interval for i in range(n)]
        counts, req = run_counts(rnd, specs, times, traffic)
        if k == 0:
            counts[target.name] = leak_curve(rnd, counts[target.name], times, req,
                                             per_request=target.level * rnd.uniform(1, 10) /
                                             (sum(req) + 1))
        runs.append(Run(30000 + 7 * k, times, counts, t0 - 2, program="celery"))
    pos.append([target.name, runs[0].pid])
    return runs, pos, {"files": rnd.randint(3, 5), "with_start": rnd.random() < 0.5}


def recipe(rnd):
    """The old objgraph recipe's file: no header, short names, 30-60 s;
    a cache type rising 5-20 % in 6-16 hours."""
    specs, traffic = base_program(rnd, rnd.randint(40, 120))
    # short names must stay distinct
    short = {}
    for s in specs:
        short.setdefault(s.name.rsplit(".", 1)[-1], s)
    specs = list(short.values())
    target = specs[0]
    target.kind = "static"
    target.level = 10 ** rnd.uniform(3, 5)
    hours = rnd.uniform(6, 16)
    times = grid(T0 + DAY, T0 + DAY + hours * HOUR, rnd.choice([30, 40, 60]), rnd)
    counts, req = run_counts(rnd, specs, times, traffic)
    pct = rnd.uniform(5, 20)
    counts[target.name] = leak_curve(rnd, counts[target.name], times, req,
                                     pct_day=pct * 24 / hours)
    run = Run(0, times, counts, 0)
    return [run], [[target.name.rsplit(".", 1)[-1], None]], {"old": True}


def stopped_leak(rnd):
    """A leak whose load stopped: it rose 10-100x, then stays (held, never
    released) for the last 10-40 % of the log: not GROWING."""
    specs, traffic = base_program(rnd, rnd.randint(60, 150))
    target = specs[0]
    hours = rnd.uniform(0.1, 30)
    times = grid(T0, T0 + hours * HOUR, max(1, int(hours * HOUR / rnd.randint(150, 900))), rnd)
    counts, req = run_counts(rnd, specs, times, traffic)
    stop = rnd.uniform(0.6, 0.9)
    lo = rnd.uniform(10, 100)
    hi = lo * rnd.uniform(10, 100)
    n = len(times)
    counts[target.name] = [lo + (hi - lo) * min(1.0, i / (stop * n)) for i in range(n)]
    return [Run(rnd.randint(1000, 60000), times, counts, T0 - 3)], [], {}


FAMILIES = [
    # (name, builder, count at scale 1)
    ("quiet_days", quiet_days, 14),
    ("quiet_pauses", quiet_pauses, 8),
    ("quiet_recycled", lambda r: recycled(r), 8),
    ("short_quiet", short_quiet, 12),
    ("restarts_fixed", lambda r: restarts_leak(r, fixed=True), 8),
    ("crowd_quiet", lambda r: crowd(r, False), 3),
    ("stopped_leak", stopped_leak, 8),
    ("slow_leak", slow_leak, 20),
    ("daily_leak", daily_leak, 12),
    ("restarts_leak", restarts_leak, 10),
    ("recycled_leak", lambda r: recycled(r, leak_fast=True), 8),
    ("fast_short", fast_short, 12),
    ("gauge_leak", gauge_leak, 8),
    ("crowd_leak", lambda r: crowd(r, True), 3),
    ("shared_rotated", shared_rotated, 8),
    ("recipe", recipe, 8),
]


def scenarios(scale):
    out = []
    for fam, builder, count in FAMILIES:
        for i in range(max(1, int(round(count * scale)))):
            out.append(("%s-%d" % (fam, i), builder))
    return out


def cycle_sized(runs, pos, old):
    """Whether a positive is one issue 14's class 7 calls undecidable: seen
    for less than a day, with a rise a daily cycle swinging +-60% could
    make (3 sin(pi min(span, 12 h) / 24 h) of the start), in a log whose
    traffic moves.  Such a leak may be GROWING or RISING.  Added after the
    first scoring of detector v2 (the labels had demanded GROWING, against
    the issue's own rule); decided from the generated curve alone."""
    name, pid = pos
    if name.startswith("["):
        return False
    if old:         # the recipe's short names
        name = [nm for nm in runs[-1].counts if nm.rsplit(".", 1)[-1] == name][0]
    run = [r for r in runs if (old or r.pid == pid) and name in r.counts][-1]
    span = run.times[-1] - run.times[0]
    if span >= DAY:
        return False
    v = [x for x in run.counts[name] if x is not None]
    k = max(1, len(v) // 10)
    first, last = sum(v[:k]) / k, sum(v[-k:]) / k
    bound = 3 * math.sin(math.pi * min(span, DAY / 2) / DAY)
    return first > 0 and (last - first) / first <= bound


def build(item):
    outdir, idx, scale, want = item
    name, builder = scenarios(scale)[idx]
    seed = "leakplot-corpus2-%s" % name
    half = half_of(seed)
    if want != "all" and want != half:
        return None
    rnd = random.Random(seed)
    runs, pos, opt = builder(rnd)
    d = os.path.join(outdir, name)
    os.makedirs(d, exist_ok=True)
    old = opt.get("old", False)
    write_log(rnd, d, runs, with_start=opt.get("with_start", rnd.random() < 0.7),
              files=opt.get("files", rnd.choice([1, 1, 1, 2, 3])),
              gz_live=rnd.random() < 0.3, old=old, gauge_extra=opt.get("gauge_extra"))
    ignore = list(opt.get("ignore", []))
    if pos:
        ignore += GAUGES             # a leak of objects lifts the gauges too
    either = [p for p in pos if cycle_sized(runs, p, old)]
    series = set()
    for r in runs:
        series.update((nm, r.pid) for nm in r.counts)
        if not old:
            series.update((g, r.pid) for g in GAUGES)
    quiet = len(series) - len(pos) - sum(1 for nm, _ in series if nm in ignore)
    labels = {"family": name.rsplit("-", 1)[0], "half": half, "positives": pos,
              "ignore": sorted(set(ignore)), "quiet_series": quiet, "either": either,
              "kinds": {(sp.name.rsplit(".", 1)[-1] if old else sp.name): sp.kind
                        for sp in SPECS}}
    with open(os.path.join(d, "labels.json"), "w") as f:
        json.dump(labels, f)
    return name


def main():
    outdir = sys.argv[1]
    scale = float(sys.argv[sys.argv.index("--scale") + 1]) if "--scale" in sys.argv else 1.0
    want = sys.argv[sys.argv.index("--half") + 1] if "--half" in sys.argv else "all"
    items = [(outdir, i, scale, want) for i in range(len(scenarios(scale)))]
    jobs = os.cpu_count() or 1
    if jobs > 1:
        import multiprocessing
        with multiprocessing.Pool(jobs) as pool:
            names = pool.map(build, items, chunksize=1)
    else:
        names = [build(it) for it in items]
    names = [n for n in names if n]
    print("%d scenarios in %s" % (len(names), outdir))


if __name__ == "__main__":
    main()
