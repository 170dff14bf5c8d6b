"""leakplot_bench: issue 6 item 5, leakplot against what people use today.

Usage: python3 tests/bench/leakplot_bench.py CACHE_DIR [LEAKPLOT]

On a month of one-minute snapshots of 300 types (tests/bench/gen_month.py,
~390 MB; gzip -6 of it, the agent's level) and on one day of the same:

  check    leakplot --check, plain and gzip, against mawk merely summing
           the file (plain, and zcat | mawk for the gzip one)
  day      leakplot drawing one day against the classic matplotlib recipe
           (tests/bench/recipe_matplotlib.py; MPL_PYTHON, default
           /usr/bin/python3, needs python3-matplotlib; one run: ~15 s)
  month    leakplot drawing the month against its --check on it

Median of 3 runs each (REPEAT); prints JSON lines like the other bench
scripts.  The logs are generated once into CACHE_DIR and reused while
gen_month.py is unchanged (a stamp holds its hash).
"""

import hashlib
import json
import os
import statistics
import subprocess
import sys
import time

HERE = os.path.dirname(os.path.abspath(__file__))
GEN = os.path.join(HERE, "gen_month.py")
RECIPE = os.path.join(HERE, "recipe_matplotlib.py")
REPEAT = 3
MAWK_SUM = "$1!~/^#/{s[$1]+=$2}"


def note(msg):
    sys.stderr.write(msg + "\n")
    sys.stderr.flush()


def run_s(cmd, ok=(0,)):
    """Wall seconds of one run of cmd (a list, or a shell string)."""
    t0 = time.perf_counter()
    rc = subprocess.run(cmd, shell=isinstance(cmd, str), stdout=subprocess.DEVNULL,
                        stderr=subprocess.DEVNULL).returncode
    dt = time.perf_counter() - t0
    if rc not in ok:
        raise SystemExit("leakplot_bench: %r exited %d" % (cmd, rc))
    return dt


def median_s(cmd, ok=(0,), repeat=REPEAT):
    return statistics.median(run_s(cmd, ok) for _ in range(repeat))


def ensure_logs(cache):
    """day.log, month.log, month.log.gz in cache, made by the current gen_month.py."""
    os.makedirs(cache, exist_ok=True)
    with open(GEN, "rb") as f:
        stamp = hashlib.sha1(f.read()).hexdigest()
    stamp_path = os.path.join(cache, "gen_month.sha1")
    names = ("day.log", "month.log", "month.log.gz")
    paths = [os.path.join(cache, n) for n in names]
    if os.path.exists(stamp_path) and open(stamp_path).read().strip() == stamp \
            and all(os.path.exists(p) and os.path.getsize(p) > 0 for p in paths):
        return
    note("leakplot_bench: generating a month of 300 types into %s (about a minute)" % cache)
    if os.path.exists(stamp_path):
        os.unlink(stamp_path)
    py = sys.executable
    subprocess.run([py, GEN, os.path.join(cache, "day.log"), "300", "1"], check=True)
    subprocess.run([py, GEN, os.path.join(cache, "month.log"), "300", "30"], check=True)
    gz = os.path.join(cache, "month.log.gz")
    subprocess.run("gzip -6 -c '%s' > '%s.tmp' && mv '%s.tmp' '%s'"
                   % (os.path.join(cache, "month.log"), gz, gz, gz), shell=True, check=True)
    with open(stamp_path, "w") as f:
        f.write(stamp + "\n")


def emit(**fields):
    sys.stdout.write(json.dumps(fields, sort_keys=True) + "\n")
    sys.stdout.flush()


def main():
    cache = sys.argv[1]
    lp = sys.argv[2] if len(sys.argv) > 2 else os.path.join(HERE, "..", "..", "plot", "leakplot")
    ensure_logs(cache)
    day, month = os.path.join(cache, "day.log"), os.path.join(cache, "month.log")
    mgz = month + ".gz"
    check_ok = (0, 1)                   # 1: growth found, as it should be here
    size = os.path.getsize(month)
    lines = sum(1 for _ in open(month, "rb"))
    row = {"item": "leakplot", "month_bytes": size, "month_gz_bytes": os.path.getsize(mgz),
           "month_lines": lines}
    row["mawk_plain_s"] = median_s(["mawk", MAWK_SUM, month])
    row["mawk_gz_s"] = median_s("zcat '%s' | mawk '%s'" % (mgz, MAWK_SUM))
    row["check_plain_s"] = median_s([lp, "-q", "--check", month], check_ok)
    row["check_gz_s"] = median_s([lp, "-q", "--check", mgz], check_ok)
    note("  --check: plain %.2f s (mawk %.2f s), gzip %.2f s (zcat|mawk %.2f s)" % (
        row["check_plain_s"], row["mawk_plain_s"], row["check_gz_s"], row["mawk_gz_s"]))
    row["draw_day_s"] = median_s([lp, "-q", day, "-o", os.path.join(cache, "day.pdf")])
    mpl = os.environ.get("MPL_PYTHON", "/usr/bin/python3")
    if subprocess.run([mpl, "-c", "import matplotlib"], stdout=subprocess.DEVNULL,
                      stderr=subprocess.DEVNULL).returncode == 0:
        row["recipe_day_s"] = run_s([mpl, RECIPE, day, os.path.join(cache, "day-mpl.pdf")])
    else:
        note("leakplot_bench: no matplotlib for %s: the recipe is skipped" % mpl)
    row["draw_month_s"] = median_s([lp, "-q", month, "-o", os.path.join(cache, "month.pdf")])
    note("  draw: day %.2f s (recipe %s), month %.2f s" % (
        row["draw_day_s"], "%.1f s" % row["recipe_day_s"] if "recipe_day_s" in row else "-",
        row["draw_month_s"]))
    emit(**row)


if __name__ == "__main__":
    main()
