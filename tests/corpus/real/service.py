#!/usr/bin/env python3
"""A plain-Python service for the detector's real-agent fixtures
(tests/corpus/real/*.log.gz, written by make_fixtures.sh).

Requests arrive at a rate that follows a compressed "day" (a sine of
--day seconds, +-60%), each builds per-request objects (churn), touches an
LRU that fills to a bound, and with --leak keeps one small record per
leaking request (--leak-every N: one request in N leaks).  --pause-at F
stops the load (not the process) after that fraction of the run, as when
traffic ends.  Standard library only."""
import argparse
import collections
import math
import random
import time


class Record:
    __module__ = "svc"

    def __init__(self, n):
        self.n = n
        self.meta = {"id": n}


class Entry:
    __module__ = "svc"

    def __init__(self, key):
        self.key = key


class Work:
    __module__ = "svc"

    def __init__(self, n):
        self.items = [random.random() for _ in range(4)]
        self.n = n


KEPT = []
LRU = collections.OrderedDict()


def handle(n, leak_every):
    w = Work(n)
    key = random.randrange(3000)
    if key not in LRU:
        LRU[key] = Entry(key)
        if len(LRU) > 2000:
            LRU.popitem(last=False)
    if leak_every and n % leak_every == 0:
        KEPT.append(Record(n))
    return sum(w.items)


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--seconds", type=float, default=180)
    ap.add_argument("--rate", type=float, default=200)
    ap.add_argument("--day", type=float, default=60)
    ap.add_argument("--leak-every", type=int, default=0)
    ap.add_argument("--pause-at", type=float, default=1.0)
    a = ap.parse_args()
    random.seed(7)
    t0 = time.monotonic()
    n = 0
    while True:
        el = time.monotonic() - t0
        if el >= a.seconds:
            break
        if el >= a.pause_at * a.seconds:
            time.sleep(0.05)
            continue
        rate = a.rate * (1 + 0.6 * math.sin(2 * math.pi * el / a.day))
        handle(n, a.leak_every)
        n += 1
        time.sleep(1.0 / max(rate, 1.0))


if __name__ == "__main__":
    main()
