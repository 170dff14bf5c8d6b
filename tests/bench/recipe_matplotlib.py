#!/usr/bin/env python3
"""The classic recipe leakplot replaces, as a benchmark peer.

Usage: recipe_matplotlib.py LOG OUT.pdf

Parse the "#START <time>" / "<name> <count>" log the objgraph helper
writes, then draw one tall page with one add_subplot per type (15 x 200
inches, as the recipe does), no verdict.  Needs matplotlib (Debian
python3-matplotlib, for /usr/bin/python3)."""
import sys

import matplotlib
matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402


def parse(path):
    times, series = [], {}
    with open(path) as f:
        for line in f:
            if line.startswith("#START"):
                times.append(float(line.split()[1]))
            elif line.startswith("#") or not line.strip():
                continue
            else:
                name, count = line.rsplit(None, 1)
                series.setdefault(name, {})[len(times) - 1] = int(count)
    return times, series


def main():
    log, out = sys.argv[1], sys.argv[2]
    times, series = parse(log)
    fig = plt.figure(figsize=(15, 200))
    names = sorted(series)
    for i, name in enumerate(names):
        ax = fig.add_subplot(len(names), 1, i + 1)
        pts = sorted(series[name].items())
        ax.plot([times[k] for k, _ in pts], [v for _, v in pts])
        ax.set_title(name, fontsize=6)
    fig.savefig(out)


if __name__ == "__main__":
    main()
