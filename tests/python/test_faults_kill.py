"""kill -9 in the middle of a rotation (issue 7): a host that rotates every
few snapshots is killed at random moments, again and again, on one path;
after the next start no .tmp or half-rotated file is left, and every
snapshot a dead host completed is in the log exactly once, in order.

How the test knows what was written: the host appends one Seq object, calls
sample_now() and, once it returns True (the snapshot is in the log), prints
the Seq count.  So each snapshot of the main thread carries its own number.
In half of the rounds the sampler thread also ticks every 10 ms: its
snapshots repeat numbers, so there the check is "none missing" instead of
"each exactly once".  A snapshot the kill cut may only be its host's last.
"""

import os
import random
import signal
import subprocess
import sys
import time
import unittest

from lagtest import (PYTHON, TmpDirTest, assert_stderr_is_warnings, child_env, leakplot_json,
                     log_files, parse_snapshots, read_text, rounds, run_py)

KINDS = 20
KIND = "__main__.Kind%02d_" + "x" * 600       # 12 KB a snapshot: a kill can cut its write

HOST = """
import os, sys, leakagent
KINDS = [type("Kind%%02d_" %% i + "x" * 600, (), {}) for i in range(%d)]
heap = [k() for i, k in enumerate(KINDS) for _ in range(i + 1)]
class Seq: pass
leakagent.start(log_path=%r, interval=sys.argv[1], max_size="40KB", keep=1000,
                compress=True, include=["__main__.Kind*", "__main__.Seq"], max_overhead=100,
                prometheus_textfile=%r)
while leakagent.stats()["snapshots"] < 1:       # the thread's first snapshot
    pass
seq = []
while True:
    seq.append(Seq())
    if leakagent.sample_now():
        os.write(1, b"%%d\\n" %% len(seq))
"""


def leftovers(log):
    """What an interrupted rotation (or textfile update) leaves: a raw
    path.1, .tmp files."""
    d, base = os.path.split(log)
    return sorted(n for n in os.listdir(d) if n == base + ".1" or ".tmp" in n)


class KillTest(TmpDirTest):

    def kill_round(self, log, interval):
        """One host, killed at a random moment once it has written; returns
        (pid, the Seq numbers it printed)."""
        p = subprocess.Popen([PYTHON, "-c", HOST % (KINDS, log, log + ".prom"), interval], env=child_env(),
                             stdout=subprocess.PIPE, stderr=subprocess.PIPE)
        first = p.stdout.readline()     # the agent runs and has written
        time.sleep(random.uniform(0.0, 0.3))
        p.send_signal(signal.SIGKILL)
        out, err = p.stdout.read(), p.stderr.read()    # after what readline() buffered
        p.wait(30)
        self.assertEqual(p.returncode, -signal.SIGKILL, err.decode())
        assert_stderr_is_warnings(self, err.decode(), 0)
        printed = [int(x) for x in (first + out).split()]
        self.assertTrue(printed, "the host wrote nothing before the kill")
        return p.pid, printed

    def check_host(self, pid, snaps, printed, exact):
        """snaps: [(fields, counts)] of one host, in log order."""
        kinds = {KIND % i: i + 1 for i in range(KINDS)}
        whole = [all(counts.get(k) == v for k, v in kinds.items()) for _, counts in snaps]
        cut = [i for i, ok in enumerate(whole) if not ok]
        self.assertIn(cut, ([], [len(snaps) - 1]), "pid %d: only the last may be cut" % pid)
        self.cut += len(cut)
        numbers = [counts.get("__main__.Seq", 0) for ok, (_, counts) in zip(whole, snaps) if ok]
        # None missing: every number the host printed, and no gap below the
        # last one (a lost file would be a run of missing numbers).
        self.assertTrue(set(printed) <= set(numbers), "pid %d lost %s"
                        % (pid, sorted(set(printed) - set(numbers))[:10]))
        top = max(numbers)
        self.assertEqual(set(range(1, top + 1)) - set(numbers), set(), "pid %d" % pid)
        self.assertLessEqual(top, printed[-1] + 1)   # one written, not yet printed
        if exact:
            main = [n for n in numbers if n > 0]
            self.assertEqual(main, list(range(1, top + 1)), "pid %d: duplicated or out of order"
                             % pid)

    def test_kill_9_during_rotation(self):
        log = self.path("app.log")
        n_rounds = rounds(10, 40)
        hosts = []                        # (pid, printed, exact)
        interrupted = textfiles = 0
        for i in range(n_rounds):
            exact = i % 2 == 0
            pid, printed = self.kill_round(log, "1h" if exact else "10ms")
            hosts.append((pid, printed, exact))
            left = leftovers(log)
            textfiles += any(".prom.tmp" in n for n in left)
            interrupted += any(".prom.tmp" not in n for n in left)
        # The next start finishes what the kills interrupted.
        run_py("""
import leakagent
leakagent.start(log_path=%r, max_size="40KB", keep=1000, compress=True, interval="1h",
                prometheus_textfile=%r)
leakagent.stop()
""" % (log, log + ".prom"))
        self.assertEqual(leftovers(log), [])
        sys.stdout.write("\n    %d kills, %d left a rotation half done, %d a textfile .tmp; "
                         "%d files, " % (n_rounds, interrupted, textfiles, len(log_files(log))))
        by_pid = {}
        order = []
        bad = []
        for f in log_files(log):
            text = read_text(f)
            self.assertTrue(text.startswith("# leakagent 1 "), f)
            for fields, counts in parse_snapshots(text, bad):
                pid = int(fields["pid"])
                by_pid.setdefault(pid, []).append((fields, counts))
                if not order or order[-1] != pid:
                    order.append(pid)
        # Hosts follow each other in the log as they ran: no file out of place.
        self.assertEqual(order, [pid for pid, _, _ in hosts] + order[len(hosts):])
        self.cut = 0
        for pid, printed, exact in hosts:
            self.check_host(pid, by_pid[pid], printed, exact)
        # A line the kill cut is ended by the next start with "<cut>": a bad
        # line for every reader, never a count nor glued to the next header.
        # A kill cuts at most one line: a count line (its snapshot is then
        # cut, self.cut) or a detail record after the counts ("#BYTES").
        self.assertLessEqual(len(bad), n_rounds)
        self.assertLessEqual(sum(not line.startswith("#") for line in bad), self.cut)
        for line in bad:
            self.assertTrue(line.endswith("<cut>"), line)
        report = leakplot_json(log)
        sys.stdout.write("%d snapshots, %d cut, %d records cut ... "
                         % (report["snapshots"], self.cut, sum(ln.startswith("#") for ln in bad)))
        self.assertEqual(report["bad_lines"], len(bad))
        self.assertEqual(report["snapshots"], sum(len(s) for s in by_pid.values()))

    def test_cut_lines_read_alike(self):
        """The test's reader and leakplot agree on every kind of line a kill
        can cut, as the next start leaves it: a count, a detail record,
        a record cut inside its tag, the #START line cut inside its tag."""
        log = self.path("cut.log")
        with open(log, "w") as f:
            f.write("# leakagent 1 pid=7 start=90\n#START 100.5 pid=7 rss=5\na.A 1\n"
                    "#BYTES a.A 72<cut>\n#START 101.5 pid=7\na.A 2\n#BYT<cut>\n"
                    "#START<cut>\n#START 102.5 pid=7\na.A 3\nb.B 4<cut>\n")
        bad = []
        snaps = parse_snapshots(read_text(log), bad)
        report = leakplot_json(log)
        self.assertEqual(bad, ["#BYTES a.A 72<cut>", "b.B 4<cut>"])
        self.assertEqual((report["snapshots"], report["bad_lines"]), (len(snaps), len(bad)))


if __name__ == "__main__":
    unittest.main()
