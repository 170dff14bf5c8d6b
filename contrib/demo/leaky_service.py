#!/usr/bin/env python3
"""A small order service with a real leak, for `make demo`.  Standard library only.

It handles fake requests as fast as a small worker would (a few hundred a
second) for --seconds, and has three kinds of memory behaviour a person
meets in real daemons:

- a leak: every request's Session is appended to an audit list that nobody
  ever trims (leaky_service.Session, and the dicts they hold, only go up);
- a cache that fills to a bound and then stays flat (leaky_service.CacheEntry,
  an LRU of 1,000 prices);
- churn: per-request Request objects and a batch of Events that is flushed
  every 200 requests (a saw-tooth), which must not look like a leak.

Run it under the agent:
    PYTHONPATH=agent/python python3 -m leakagent -c contrib/demo/leakagent-demo.yaml \\
        contrib/demo/leaky_service.py --seconds 30
"""
import argparse
import collections
import random
import time


class Session:
    __module__ = "leaky_service"

    def __init__(self, user, cart):
        self.user = user
        self.cart = cart
        self.headers = {"user-agent": "demo/1.0", "x-request": str(random.random())}


class CacheEntry:
    __module__ = "leaky_service"

    def __init__(self, sku, price):
        self.sku = sku
        self.price = price


class Request:
    __module__ = "leaky_service"

    def __init__(self, n):
        self.n = n
        self.items = [random.randrange(5000) for _ in range(3)]


class Event:
    __module__ = "leaky_service"

    def __init__(self, kind, payload):
        self.kind = kind
        self.payload = payload


class PriceCache:
    """An LRU with a bound: fills up, then stays flat."""

    def __init__(self, size):
        self.size = size
        self.entries = collections.OrderedDict()

    def get(self, sku):
        entry = self.entries.get(sku)
        if entry is None:
            entry = self.entries[sku] = CacheEntry(sku, random.randrange(100, 10000))
            if len(self.entries) > self.size:
                self.entries.popitem(last=False)
        else:
            self.entries.move_to_end(sku)
        return entry


AUDIT = []              # the leak: appended to on every request, never trimmed
CACHE = PriceCache(1000)
BATCH = []              # flushed every 200 requests


def handle(n):
    req = Request(n)
    total = sum(CACHE.get(sku % 1500).price for sku in req.items)
    AUDIT.append(Session("user%d" % (n % 97), list(req.items)))
    BATCH.append(Event("order", {"n": n, "total": total}))
    if len(BATCH) >= 200:
        BATCH.clear()
    return total


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seconds", type=float, default=30.0)
    parser.add_argument("--rate", type=float, default=300.0, help="requests per second")
    args = parser.parse_args()
    random.seed(1)
    end = time.monotonic() + args.seconds
    n = 0
    while time.monotonic() < end:
        handle(n)
        n += 1
        time.sleep(1.0 / args.rate)
    print("leaky_service: %d requests, %d sessions kept, %d prices cached"
          % (n, len(AUDIT), len(CACHE.entries)))


if __name__ == "__main__":
    main()
