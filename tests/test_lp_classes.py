#!/usr/bin/env python3
"""The seven classes of leaks issue 14 found missed, each as a generated log
with exactly the numbers the issue gives, and the verdict leakplot --check
must reach on it (plus the "must not flag" twin where the issue names one).

Usage: test_lp_classes.py [LEAKPLOT [SEED...]]   (default plot/leakplot)
Each case prints "ok NAME" or "FAIL NAME: why"; the last line is
"N passed, N failed".  Seeds (default 1 2 3) vary the noise: a class must
be found whatever the draw."""
import gzip
import json
import math
import os
import random
import subprocess
import sys
import tempfile

T0 = 1763683200.0
HOUR = 3600.0
DAY = 86400.0


def background(rnd, n_types, prefix="app.Quiet"):
    """Quiet types: a level with 1% noise each."""
    return {"%s%d" % (prefix, k): 10 ** rnd.uniform(1.5, 4.5) for k in range(n_types)}


def snapshot(out, t, pid, counts, gauges=None, old=False):
    if old:
        out.append("#START %.3f" % t)
        out.extend("%-40s %8d" % (nm, c) for nm, c in counts.items())
        return
    g = "".join(" %s=%d" % kv for kv in (gauges or {}).items())
    out.append("#START %.3f pid=%d%s" % (t, pid, g))
    out.extend("%s %d" % (nm, c) for nm, c in counts.items())


def header(pid, start=None, program="web"):
    return "# leakagent 1 pid=%d host=h1 program=%s python=3.12.3 interval=60%s" % (
        pid, program, " start=%.2f" % start if start else "")


def quiet_counts(rnd, bg):
    return {nm: max(1, int(lv * (1 + rnd.gauss(0, 0.01)))) for nm, lv in bg.items()}


def run_log(rnd, n, interval, target, curve, pid=4242, n_bg=40, gauges=None, old=False,
            t0=T0, head=True, start=None):
    """One run: `target` follows curve(i, t) (a name -> value dict when
    target is None), the rest is quiet."""
    bg = background(rnd, n_bg)
    out = [] if old or not head else [header(pid, start)]
    for i in range(n):
        t = t0 + i * interval
        counts = quiet_counts(rnd, bg)
        if target is None:
            counts.update({k: int(v) for k, v in curve(i, t).items()})
        else:
            counts[target] = int(curve(i, t))
        g = gauges(i, t) if gauges else {"rss": 50e6, "blocks": 300000 + rnd.gauss(0, 50)}
        snapshot(out, t, pid, counts, g, old)
    return out


def saw(i, period, height):
    return height * (i % period) / period


# ---- the cases: (name, lines or files, check) -------------------------

def c1_dict(rnd):
    n = 24 * 60
    lines = run_log(rnd, n, 60, "dict", lambda i, t: 150000 * (1 + 0.03 * i / n) *
                    (1 + rnd.gauss(0, 0.002)) + saw(i, 17, 15000))
    return {"most_common.log": lines}, ("growing", "dict")


def c1_blocks(rnd):
    n = 12 * 60
    lines = run_log(rnd, n, 60, None, lambda i, t: {},
                    gauges=lambda i, t: {"rss": 60e6, "blocks": 400000 * (1 + 0.09 * i / n) *
                                         (1 + rnd.gauss(0, 0.002))})
    return {"most_common.log": lines}, ("growing", "[blocks]")


def c1_recipe(rnd):
    n = int(10 * HOUR / 40)
    lines = run_log(rnd, n, 40, "Entry", lambda i, t: 20000 * (1 + 0.07 * i / n) *
                    (1 + rnd.gauss(0, 0.003)), old=True)
    return {"most_common.log": lines}, ("growing", "Entry")


def c1_tuple(rnd):
    n = 7 * 288
    lines = run_log(rnd, n, 300, "tuple", lambda i, t: 2e6 * (1 + 0.01 * i / 288) *
                    (1 + rnd.gauss(0, 0.015)))
    return {"most_common.log": lines}, ("growing", "tuple")


def daily(t, amp):
    return 1 + amp * math.sin(2 * math.pi * t / DAY)


def c2_daily_leak(rnd):
    n = 72 * 30
    lines = run_log(rnd, n, 120, "app.Handler", lambda i, t: (800 + 2900 * i / n) *
                    daily(t, 0.3) * (1 + rnd.gauss(0, 0.01)))
    return {"most_common.log": lines}, ("growing", "app.Handler")


def c2_daily_only(rnd):
    n = 72 * 30
    lines = run_log(rnd, n, 120, "app.Handler", lambda i, t: 2000 * daily(t, 0.3) *
                    (1 + rnd.gauss(0, 0.01)))
    return {"most_common.log": lines}, ("quiet", "app.Handler")


def restarts(rnd, last_hours, last_grows):
    lines, t, pid = [], T0, 3000
    for k in range(5):
        last = k == 4
        hours = last_hours if last else 20
        n = int(hours * 60)
        grow = 0.06 * hours / 20 if (not last or last_grows) else 0
        lines += run_log(rnd, n, 60, "app.Order", lambda i, tt, n=n, g=grow:
                         5000 * (1 + g * i / n) * (1 + rnd.gauss(0, 0.003)), pid=pid, t0=t,
                         start=t - 1)
        t += hours * HOUR + 120
        pid += 17
    return lines, pid - 17


def c3_restarts_leak(rnd):
    lines, pid = restarts(rnd, 3, True)
    return {"most_common.log": lines}, ("growing", "app.Order", pid)


def c3_restarts_fixed(rnd):
    lines, pid = restarts(rnd, 20, False)
    return {"most_common.log": lines}, ("quiet", "app.Order")


def c4_short_runs(rnd):
    """~2,000 series: 20 workers x ~100 types, 69 snapshots each; worker 0's
    type rises strictly from 23 to 3,789."""
    lines = []
    for w in range(20):
        pid = 7000 + w
        bg = background(rnd, 98, "app.T")
        lines.append(header(pid, T0 - 5 + w))
        for i in range(69):
            counts = quiet_counts(rnd, bg)
            if w == 0:
                counts["app.Leaky"] = int(23 + (3789 - 23) * (i / 68) ** 1.15)
            snapshot(lines, T0 + i * 10 + w * 0.01, pid, counts, {"rss": 5e7, "blocks": 3e5})
    return {"most_common.log": lines}, ("growing", "app.Leaky", 7000)


def c5_held(rnd):
    n = 300
    lines = run_log(rnd, n, 1, "app.LeakedRecord",
                    lambda i, t: 17 + (2000 - 17) * min(1.0, i / (0.75 * n)))
    return {"most_common.log": lines}, ("held", "app.LeakedRecord")


def c6_rotation(rnd):
    """Three workers share one log; it rotates after 47 of worker 1's 61
    snapshots, and every worker writes its header again into the new file
    (worker 1's after the others')."""
    pids = [8101, 8102, 8103]
    bg = background(rnd, 30)
    files = {"most_common.log.1.gz": [], "most_common.log": []}
    heads = {"most_common.log.1.gz": set(), "most_common.log": set()}
    for i in range(61):
        for k, pid in enumerate(pids if i < 47 else pids[::-1]):
            name = "most_common.log.1.gz" if i < 47 else "most_common.log"
            if pid not in heads[name]:
                heads[name].add(pid)
                files[name].append(header(pid, program="celery"))
            counts = quiet_counts(rnd, bg)
            counts["app.Job"] = int(1 + 5717 * i / 60) if k == 0 or pid == 8101 else 40
            if pid != 8101:
                counts["app.Job"] = 40
            snapshot(files[name], T0 + i * 5 + k, pid, counts, {"rss": 5e7, "blocks": 3e5})
    return files, ("growing", "app.Job", 8101)


def load_log(rnd, hours, n_types, scatter, leak=False):
    """`hours` from the night's trough at 1-minute snapshots: n_types
    request-scoped types follow the load up (+-50% over the day) with a
    scatter from snapshot to snapshot; with `leak`, app.Leak rises x20."""
    n = hours * 60

    def curve(i, t):
        load = 1 + 0.5 * math.sin(2 * math.pi * (t - T0 - 6 * HOUR) / DAY)
        out = {"app.Req%d" % k: 300 * (k + 1) * load * (1 + rnd.gauss(0, scatter))
               for k in range(n_types)}
        if leak:
            out["app.Leak"] = 100 + 2000 * i / n
        return out
    return {"most_common.log": run_log(rnd, n, 60, None, curve)}


def c7_rising(rnd):
    """8 hours: 12 load types; one of them is the type judged."""
    return load_log(rnd, 8, 12, 0.005), ("rising", "app.Req5")


def c7_rising_scattered(rnd):
    """3 hours: 4 load types of a few hundred objects (+29%), through the
    scatter such counts have, 5%."""
    return load_log(rnd, 3, 4, 0.05), ("rising", "app.Req1")


def c7_fast(rnd):
    """3 hours; a leak far beyond any cycle's swing (x20) among load types."""
    return load_log(rnd, 3, 12, 0.005, leak=True), ("growing", "app.Leak")


def c7_graph_leak_workers(rnd):
    """Four gunicorn workers of one program, 3 hours after a deploy, all
    leaking one object graph (an app.Order holding three app.Line, +60%)
    with nothing else rising: the same types in the other workers are the
    same leak, not a load, so it is GROWING, not a rise a morning could
    make."""
    pids = [9101, 9102, 9103, 9104]
    bg = background(rnd, 30)
    lines = [header(pid, program="gunicorn") for pid in pids]
    for i in range(3 * 60):
        for k, pid in enumerate(pids):
            counts = quiet_counts(rnd, bg)
            orders = 1000 * (1 + 0.6 * i / 180) * (1 + rnd.gauss(0, 0.005))
            counts.update({"app.Order": int(orders), "app.Line": int(3 * orders)})
            snapshot(lines, T0 + i * 60 + k, pid, counts,
                     {"rss": 5e7, "blocks": 3e5 + rnd.gauss(0, 50)})
    return {"most_common.log": lines}, ("growing", "app.Order", 9101, ["app.Line"])


CASES = [c1_dict, c1_blocks, c1_recipe, c1_tuple, c2_daily_leak, c2_daily_only,
         c3_restarts_leak, c3_restarts_fixed, c4_short_runs, c5_held, c6_rotation,
         c7_rising, c7_rising_scattered, c7_fast, c7_graph_leak_workers]


def write(d, files):
    for name, lines in files.items():
        text = "\n".join(lines) + "\n"
        path = os.path.join(d, name)
        if name.endswith(".gz"):
            with gzip.open(path, "wt") as f:
                f.write(text)
        else:
            with open(path, "w") as f:
                f.write(text)


def judge(leakplot, d, want):
    log = os.path.join(d, "most_common.log")
    r = subprocess.run([leakplot, "--check", "--json", "-q", log], capture_output=True,
                       text=True)
    rep = json.loads(r.stdout)
    kind, name = want[0], want[1]
    pid = want[2] if len(want) > 2 else None
    listed = {k: [(g["name"], g["pid"]) for g in rep[k]] for k in ("growing", "rising", "held")}

    def has(k):
        return any(nm == name and (pid is None or p == pid) for nm, p in listed[k])
    if kind == "quiet":
        if any(nm == name for nm, _ in listed["growing"]):
            return "flagged %s: %s" % (name, listed["growing"])
        return None
    if not has(kind):
        return "%s not %s; growing %s rising %s held %s" % (
            name, kind.upper(), listed["growing"], listed["rising"], listed["held"])
    also = want[3] if len(want) > 3 else []      # names that may be flagged too
    others = [g for g in listed["growing"]
              if g[0] != name and g[0] not in also and not g[0].startswith("[")]
    if others:
        return "also flagged %s" % others
    want_rc = 1 if listed["growing"] else 0
    if r.returncode != want_rc:
        return "exit %d, want %d" % (r.returncode, want_rc)
    if kind == "held":
        pdf = os.path.join(d, "x.pdf")
        subprocess.run([leakplot, "-q", log, "-o", pdf], check=True)
        text = subprocess.run(["pdftotext", "-l", "1", pdf, "-"], capture_output=True,
                              text=True).stdout
        if "no growing series" in text or "HELD" not in text:
            return "page 1 says: %s" % " ".join(text.split()[:40])
    return None


def main():
    leakplot = sys.argv[1] if len(sys.argv) > 1 else "plot/leakplot"
    seeds = [int(x) for x in sys.argv[2:]] or [1, 2, 3]
    passed = failed = 0
    with tempfile.TemporaryDirectory() as tmp:
        for case in CASES:
            for seed in seeds:
                rnd = random.Random("issue14-%s-%d" % (case.__name__, seed))
                d = os.path.join(tmp, "%s-%d" % (case.__name__, seed))
                os.makedirs(d)
                files, want = case(rnd)
                write(d, files)
                why = judge(leakplot, d, want)
                if why:
                    failed += 1
                    print("FAIL %s seed %d: %s" % (case.__name__, seed, why))
                else:
                    passed += 1
                    print("ok   %s seed %d" % (case.__name__, seed))
    print("%d passed, %d failed" % (passed, failed))
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
