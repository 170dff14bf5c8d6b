"""Interpreter exit during a snapshot (issue 7), 100 times under
LEAKAGENT_HARDENING=1 (12 otherwise): a big heap, so a walk is under way
when the exit comes; daemon threads allocating and calling sample_now();
the thread ticking every 10 ms.  Six ways out: the end of the script,
sys.exit(), os._exit() from the main thread, os._exit() and sys.exit() from
another thread, an unhandled exception.  The host never hangs or crashes,
exits with its own status, and both its streams are its own (but for the
agent's one-off notes); its log is whole but for perhaps a last line that
os._exit() cut.
"""

import concurrent.futures
import os
import subprocess
import sys
import unittest

from lagtest import (PYTHON, TmpDirTest, agent_warnings, child_env, leakplot_json, read_text,
                     rounds, type_lines_are_whole, without_overhead_note)

HOST = """
import os, random, sys, threading, time, leakagent
how = sys.argv[1]
heap = [[i] for i in range(150000)]             # a walk of a few ms
leakagent.start(log_path=%r, interval="10ms", max_size="64KB", keep=3, max_overhead=100)
def churn():
    mine = []
    while True:
        mine.append({})
        if len(mine) > 1000:
            del mine[:500]
def hammer():
    while True:
        try:
            leakagent.sample_now()
        except RuntimeError as e:               # stopped by atexit under our feet
            assert "not running" in str(e), e
for target in (churn, churn, hammer):
    threading.Thread(target=target, daemon=True).start()
while leakagent.stats()["snapshots"] < 2:
    time.sleep(0.001)
time.sleep(random.random() * 0.05)
print("exiting", how, flush=True)
if how == "sys.exit":
    sys.exit(0)
elif how == "os._exit":
    os._exit(0)
elif how == "thread os._exit":
    threading.Thread(target=os._exit, args=(3,)).start()
    time.sleep(10)
elif how == "thread sys.exit":                  # ends that thread only
    t = threading.Thread(target=sys.exit, args=(5,))
    t.start()
    t.join()
elif how == "exception":
    raise RuntimeError("boom")
"""

# how -> (exit status, stderr lines of the host's own)
WAYS = {
    "end": (0, []),
    "sys.exit": (0, []),
    "os._exit": (0, []),
    "thread os._exit": (3, []),
    "thread sys.exit": (0, []),
    "exception": (1, ["Traceback (most recent call last):", "RuntimeError: boom"]),
}


class ExitTest(TmpDirTest):

    def run_host(self, i, how):
        """One host; returns a list of what went wrong."""
        log = self.path("exit-%d.log" % i)
        try:
            res = subprocess.run([PYTHON, "-c", HOST % log, how], env=child_env(),
                                 capture_output=True, text=True, timeout=60)
        except subprocess.TimeoutExpired as e:
            return ["%s hung: %s" % (how, e.stderr)]
        status, own = WAYS[how]
        problems = []
        if res.returncode != status:
            problems.append("%s: exit %d\n%s" % (how, res.returncode, res.stderr[-2000:]))
        if res.stdout != "exiting %s\n" % how:
            problems.append("%s: stdout %r" % (how, res.stdout))
        stderr = without_overhead_note(res.stderr)
        lines = [line for line in stderr.splitlines() if line not in agent_warnings(stderr)]
        if own:
            lines = [line for line in lines if not line.startswith("  ")]   # traceback body
        if lines != own or len(agent_warnings(stderr)) > 1:
            problems.append("%s: stderr %r" % (how, res.stderr[-2000:]))
        # The log: whole, but os._exit() may cut the last line of a write.
        text = read_text(log)
        if type_lines_are_whole("\n".join(text.splitlines()[:-1])):
            problems.append("%s: broken log %s" % (how, log))
        elif leakplot_json(log)["bad_lines"] > 1:
            problems.append("%s: leakplot finds bad lines in %s" % (how, log))
        return problems

    def test_exit_during_a_snapshot(self):
        ways = sorted(WAYS)
        n = rounds(12, 102)
        problems = []
        # Two at a time: the machine is loaded, as when it matters.
        with concurrent.futures.ThreadPoolExecutor(2) as pool:
            for result in pool.map(lambda i: self.run_host(i, ways[i % len(ways)]), range(n)):
                problems.extend(result)
        sys.stdout.write("\n    %d hosts exited during snapshots (%s) ... "
                         % (n, ", ".join("%s %d" % (w, len(range(k, n, len(ways))))
                                         for k, w in enumerate(ways))))
        self.assertEqual(problems, [])
        for i in range(n):
            self.assertTrue(os.path.exists(self.path("exit-%d.log" % i)))


if __name__ == "__main__":
    unittest.main()
