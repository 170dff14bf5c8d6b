#!/usr/bin/env python3
"""Write a month of one-minute snapshots of NTYPES types (log format v1).

Usage: gen_month.py OUT NTYPES [DAYS]
Deterministic (seeded).  One type leaks slowly, the rest wander around
their level, so the file looks like a real daemon's log (~340 MB for 300
types and 30 days)."""
import random
import sys


def main():
    out, ntypes = sys.argv[1], int(sys.argv[2])
    days = float(sys.argv[3]) if len(sys.argv) > 3 else 30.0
    rnd = random.Random(4)
    mods = ["amqplib.client_0_8", "sqlalchemy.orm.state", "django.db.models",
            "myapp.handlers", "collections", "asyncio.events", "logging",
            "weakref", "email.message", "urllib3.connectionpool"]
    names = ["dict", "list", "tuple", "function", "cell", "set", "frozenset",
             "builtin_function_or_method", "method", "weakref"]
    while len(names) < ntypes:
        names.append("%s.%s%d" % (rnd.choice(mods), rnd.choice(
            ["Message", "InstanceState", "Handler", "Future", "Record",
             "Connection", "Header", "Pool", "Node", "Item"]), len(names)))
    names = names[:ntypes]
    base = sorted((int(10 ** rnd.uniform(0.5, 5.7)) for _ in names), reverse=True)
    n = int(days * 1440)
    t0 = 1763700000.0
    with open(out, "w") as f:
        f.write("# leakagent 1 pid=31337 host=web-1 program=consumer "
                "python=3.11.7 interval=60\n")
        for i in range(n):
            counts = []
            total = 0
            for k, b in enumerate(base):
                v = b + (i // 20 if k == 7 else 0) + rnd.randint(0, b // 50 + 1)
                counts.append(v)
                total += v
            f.write("#START %.3f pid=31337 rss=%d blocks=%d gc_objects=%d "
                    "sample_ms=%.1f\n" % (t0 + 60 * i, 50000000 + total * 60,
                                          total * 3, total, 2 + rnd.random()))
            f.write("".join("%s %d\n" % (nm, v) for nm, v in zip(names, counts)))


if __name__ == "__main__":
    main()
