#!/usr/bin/env python3
"""Lay the real agent's fixtures out as corpus scenarios.

Usage: place.py FIXTUREDIR OUTDIR
Each NAME.log.gz listed in FIXTUREDIR/labels.json becomes OUTDIR/real_NAME/
with most_common.log (the gzip file, copied: leakplot knows it by its magic
bytes) and labels.json (half "real")."""
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
        shutil.copy(os.path.join(src, name + ".log.gz"), os.path.join(d, "most_common.log"))
        lab = dict(lab, family="real_" + name, half="real")
        lab.pop("why", None)
        with open(os.path.join(d, "labels.json"), "w") as f:
            json.dump(lab, f)
    return 0


if __name__ == "__main__":
    sys.exit(main())
