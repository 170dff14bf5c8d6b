#!/usr/bin/env python3
"""Run `leakplot --check` (text and --json) over a generated corpus and
score it against the labels: precision and recall over labeled series.

Usage: check_corpus.py LEAKPLOT CORPUSDIR [-v]
Per scenario: the JSON verdict is compared with labels.json (positives must
be flagged, series named in "ignore" may go either way, everything else must
not be flagged); the text output must hold the same GROWING lines, be empty
when nothing grows, and the exit code must be 1 iff something grows.
Prints one line per failing scenario, precision and recall, and a final
"N passed, N failed" (one test per scenario)."""
import json
import os
import subprocess
import sys
from concurrent.futures import ThreadPoolExecutor


def run(leakplot, d):
    log = os.path.join(d, "most_common.log")
    with open(os.path.join(d, "labels.json")) as f:
        labels = json.load(f)
    js = subprocess.run([leakplot, "--check", "--json", "-q", log],
                        capture_output=True, text=True)
    tx = subprocess.run([leakplot, "--check", "-q", log], capture_output=True, text=True)
    return d, labels, js, tx


def main():
    leakplot, corpus = sys.argv[1], sys.argv[2]
    verbose = "-v" in sys.argv
    dirs = sorted(os.path.join(corpus, x) for x in os.listdir(corpus))
    tp = fp = fn = 0
    passed = failed = 0
    per_family = {}
    with ThreadPoolExecutor(max_workers=os.cpu_count() or 1) as ex:
        results = list(ex.map(lambda d: run(leakplot, d), dirs))
    for d, labels, js, tx in results:
        name = os.path.basename(d)
        problems = []
        try:
            report = json.loads(js.stdout)
        except ValueError:
            report = {"growing": []}
            problems.append("--json output is not JSON (exit %d): %s" % (js.returncode,
                                                                         js.stderr.strip()))
        flagged = {(g["name"], g["pid"]) for g in report["growing"]}
        pos = {(n, p) for n, p in labels["positives"]}
        ignore = set(labels["ignore"])
        s_tp = len(flagged & pos)
        s_fn = pos - flagged
        s_fp = {x for x in flagged - pos if x[0] not in ignore}
        tp += s_tp
        fn += len(s_fn)
        fp += len(s_fp)
        if s_fn:
            problems.append("missed %s" % sorted(s_fn, key=str))
        if s_fp:
            problems.append("false alarm %s" % sorted(s_fp, key=str))
        lines = [ln for ln in tx.stdout.splitlines() if ln]
        if len(lines) != len(report["growing"]) or \
                any(not ln.startswith("GROWING %s " % g["name"])
                    for ln, g in zip(lines, report["growing"])):
            problems.append("text and JSON disagree:\n%s" % tx.stdout)
        want_rc = 1 if report["growing"] else 0
        if tx.returncode != want_rc or js.returncode != want_rc:
            problems.append("exit %d/%d, want %d" % (tx.returncode, js.returncode, want_rc))
        fam = per_family.setdefault(labels["family"], [0, 0])
        if problems:
            failed += 1
            fam[1] += 1
            print("FAIL %s: %s" % (name, "; ".join(problems)))
        else:
            passed += 1
            fam[0] += 1
            if verbose:
                print("ok   %s: %s" % (name, sorted(flagged, key=str)))
    precision = tp / (tp + fp) if tp + fp else 1.0
    recall = tp / (tp + fn) if tp + fn else 1.0
    print("families: " + ", ".join("%s %d/%d" % (k, v[0], v[0] + v[1])
                                    for k, v in sorted(per_family.items())))
    print("corpus: %d scenarios, %d leaks labeled; tp %d fp %d fn %d" %
          (len(results), tp + fn, tp, fp, fn))
    print("precision %.3f recall %.3f" % (precision, recall))
    if precision < 1.0 or recall < 1.0:
        print("FAIL: precision and recall must both be 1.0")
        failed += 1
    else:
        passed += 1
    print("%d passed, %d failed" % (passed, failed))
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
