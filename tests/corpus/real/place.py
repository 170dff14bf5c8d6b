#!/usr/bin/env python3
"""Lay the real agent's fixtures out as corpus scenarios.

Usage: place.py FIXTUREDIR OUTDIR
Each NAME listed in FIXTUREDIR/labels.json becomes OUTDIR/real_NAME/ with
labels.json (half "real") and its logs, copied as gzip files (leakplot
knows them by their magic bytes): NAME.log.gz as most_common.log, or, for a
fixture of several processes' logs ("logs": the files in FIXTUREDIR/NAME/),
each as most_common.K.log."""
import json
import os
import shutil
import sys


def main():
    src, out = sys.argv[1], sys.argv[2]
    with open(os.path.join(src, "labels.json")) as f:
        fixtures = json.load(f)
    for name, lab in sorted(fixtures.items()):
        d = os.path.join(out, "real_" + name)
        os.makedirs(d, exist_ok=True)
        logs = lab.pop("logs", None)
        if logs is None:
            shutil.copy(os.path.join(src, name + ".log.gz"), os.path.join(d, "most_common.log"))
        for k, log in enumerate(logs or []):
            shutil.copy(os.path.join(src, name, log), os.path.join(d, "most_common.%d.log" % k))
        lab = dict(lab, family="real_" + name, half="real")
        lab.pop("why", None)
        with open(os.path.join(d, "labels.json"), "w") as f:
            json.dump(lab, f)
    return 0


if __name__ == "__main__":
    sys.exit(main())
