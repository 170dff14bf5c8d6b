#!/usr/bin/env python3
"""Run `leakplot --check` (text and --json) over a generated corpus and
score it against the labels: precision and recall over labeled series.

Usage: check_corpus.py LEAKPLOT CORPUSDIR [-v] [--name NAME] [--bar B]
                       [--gate HALF,...] [--floor HALF:P:R]... [--target B]
Per scenario: the JSON verdict is compared with labels.json (positives must
be flagged GROWING, series named in "ignore" may go either way, everything
else must not be flagged); the text output must hold the same GROWING lines
(other line kinds go to stderr), be empty when nothing grows, and the exit
code must be 1 iff something grows.

Without --bar (the first corpus) every scenario must be right and precision
and recall must be 1.0: one test per scenario plus one for the scores.
With --bar B (the second corpus) a wrong verdict is reported but is not a
failed test by itself: the scores are, for each half named in labels.json
("tune", "heldout", "real"), and the halves in --gate must reach precision
and recall >= B with no false alarm; the text/JSON/exit checks stay one
test per scenario.  Both print the false alarms per 1,000 quiet series
(labels' quiet_series, else the series judged that are not positives) and
end in "N passed, N failed"."""
import json
import os
import subprocess
import sys
from concurrent.futures import ThreadPoolExecutor


def run(leakplot, d):
    """One scenario: its log, most_common.log, or the logs of several
    processes, most_common.K.log, judged together as cron would."""
    logs = sorted(os.path.join(d, x) for x in os.listdir(d)
                  if x.startswith("most_common.") and x.endswith(".log"))
    with open(os.path.join(d, "labels.json")) as f:
        labels = json.load(f)
    js = subprocess.run([leakplot, "--check", "--json", "-q"] + logs,
                        capture_output=True, text=True)
    tx = subprocess.run([leakplot, "--check", "-q"] + logs, capture_output=True, text=True)
    return d, labels, js, tx


class Score:
    def __init__(self):
        self.tp = self.fp = self.fn = self.quiet = self.scenarios = 0

    def add(self, tp, fp, fn, quiet):
        self.tp += tp
        self.fp += fp
        self.fn += fn
        self.quiet += quiet
        self.scenarios += 1

    def precision(self):
        return self.tp / (self.tp + self.fp) if self.tp + self.fp else 1.0

    def recall(self):
        return self.tp / (self.tp + self.fn) if self.tp + self.fn else 1.0

    def per_1000(self):
        return 1000.0 * self.fp / self.quiet if self.quiet else 0.0

    def line(self, name):
        return ("%s: %d scenarios, %d leaks labeled, %d quiet series; tp %d fp %d fn %d; "
                "precision %.3f recall %.3f, false alarms %.2f per 1,000 quiet series" %
                (name, self.scenarios, self.tp + self.fn, self.quiet, self.tp, self.fp,
                 self.fn, self.precision(), self.recall(), self.per_1000()))


def option(name, default):
    return sys.argv[sys.argv.index(name) + 1] if name in sys.argv else default


def main():
    leakplot, corpus = sys.argv[1], sys.argv[2]
    verbose = "-v" in sys.argv
    title = option("--name", "corpus")
    bar = float(option("--bar", "1.0"))
    strict = "--bar" not in sys.argv
    gates = option("--gate", "").split(",") if "--gate" in sys.argv else []
    dirs = sorted(os.path.join(corpus, x) for x in os.listdir(corpus))
    total = Score()
    halves = {}
    passed = failed = 0
    per_family = {}
    with ThreadPoolExecutor(max_workers=os.cpu_count() or 1) as ex:
        results = list(ex.map(lambda d: run(leakplot, d), dirs))
    for d, labels, js, tx in results:
        name = os.path.basename(d)
        problems, verdicts = [], []
        try:
            report = json.loads(js.stdout)
        except ValueError:
            report = {"growing": [], "series_judged": 0}
            problems.append("--json output is not JSON (exit %d): %s" % (js.returncode,
                                                                         js.stderr.strip()))
        flagged = {(g["name"], g["pid"]) for g in report["growing"]}
        pos = {(n, p) for n, p in labels["positives"]}
        # "either": a leak of less than a day that a daily cycle could
        # explain (issue 14, class 7): RISING is as right as GROWING
        either = {(n, p) for n, p in labels.get("either", [])}
        rising = {(g["name"], g["pid"]) for g in report.get("rising", [])}
        flagged_or_rising = flagged | (rising & either)
        ignore = set(labels["ignore"])
        s_tp = len(flagged_or_rising & pos)
        s_fn = pos - flagged_or_rising
        s_fp = {x for x in flagged - pos if x[0] not in ignore}
        quiet = labels.get("quiet_series",
                           max(0, report.get("series_judged", 0) - len(pos)))
        total.add(s_tp, len(s_fp), len(s_fn), quiet)
        halves.setdefault(labels.get("half", "all"), Score()).add(s_tp, len(s_fp),
                                                                   len(s_fn), quiet)
        if s_fn:
            verdicts.append("missed %s" % sorted(s_fn, key=str))
        if s_fp:
            verdicts.append("false alarm %s" % sorted(s_fp, key=str))
        # a GROWING line's "  held by:" lines (the agent's chains) follow it
        lines = [ln for ln in tx.stdout.splitlines() if ln and not ln.startswith(" ")]
        if len(lines) != len(report["growing"]) or \
                any(not ln.startswith("GROWING %s " % g["name"])
                    for ln, g in zip(lines, report["growing"])):
            problems.append("text and JSON disagree:\n%s" % tx.stdout)
        want_rc = 1 if report["growing"] else 0
        if tx.returncode != want_rc or js.returncode != want_rc:
            problems.append("exit %d/%d, want %d" % (tx.returncode, js.returncode, want_rc))
        if strict:
            problems += verdicts
        elif verdicts:
            print("WRONG %s (%s): %s" % (name, labels.get("half", ""), "; ".join(verdicts)))
        fam = per_family.setdefault(labels["family"], [0, 0])
        fam[0 if not verdicts else 1] += 1
        if problems:
            failed += 1
            print("FAIL %s: %s" % (name, "; ".join(problems)))
        else:
            passed += 1
            if verbose:
                print("ok   %s: %s" % (name, sorted(flagged, key=str)))
    print("%s families (right/all): " % title +
          ", ".join("%s %d/%d" % (k, v[0], v[0] + v[1]) for k, v in sorted(per_family.items())))
    print(total.line(title))
    if len(halves) > 1 or "all" not in halves:
        for h in sorted(halves):
            print(halves[h].line("%s %s half" % (title, h)))
    if strict:
        if total.precision() < 1.0 or total.recall() < 1.0:
            print("FAIL: %s: precision and recall must both be 1.0" % title)
            failed += 1
        else:
            passed += 1
    # --floor HALF:P:R: a regression floor (the figures the detector
    # reached when it was committed), a failed test below it; --target B:
    # the goal, reported as met or not, never failed on
    for fl in [sys.argv[i + 1] for i, a in enumerate(sys.argv) if a == "--floor"]:
        h, p_min, r_min = fl.split(":")
        s = halves.get(h)
        if s is None or s.precision() < float(p_min) or s.recall() < float(r_min):
            print("FAIL: %s %s half below its floor (precision %s, recall %s)" %
                  (title, h, p_min, r_min))
            failed += 1
        else:
            passed += 1
    if "--target" in sys.argv:
        goal = float(option("--target", "0.98"))
        for h in sorted(halves):
            s = halves[h]
            met = s.precision() >= goal and s.recall() >= goal and s.fp == 0
            print("%s %s half: target precision and recall >= %.2f with no false alarm: %s" %
                  (title, h, goal, "met" if met else "NOT MET"))
    for h in gates:
        s = halves.get(h)
        if s is None:
            print("FAIL: %s: no %s half" % (title, h))
            failed += 1
        elif s.precision() < bar or s.recall() < bar or s.fp:
            print("FAIL: %s %s half: precision and recall must be >= %.2f with no false "
                  "alarm" % (title, h, bar))
            failed += 1
        else:
            passed += 1
    print("%d passed, %d failed" % (passed, failed))
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
